/* cmd_graph.c - xsm graph: build, stats, nodes, edges, show, export, log, diff (match: cmd_match.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "exposure/access.h"

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

/*
 * Retention runs after every build (DESIGN: store): snapshots, runs and
 * events past their days go, never the current ones.  The build itself
 * has succeeded, so a failure here is a warning.
 */
static void gc_after_build(struct xsm_cli *cli)
{
	xsm_gc_stats gs;
	if (xsm_gc(&gs, cli->store, 0) < 0) {
		fprintf(stderr, "xsm: warning: retention after the build: %s\n", xsm_ctx_errmsg(cli->ctx));
		xsm_ctx_clear(cli->ctx);
	}
}

/* each phase the library reports, as a progress line on a terminal */
static void build_progress(const char *line, void *payload)
{
	struct xsm_cli *cli = payload;
	const char *colon = strrchr(line, ':');
	/* "build: resolve identities: 0.13 s, peak RSS 104 MB": the phase just done; other lines are -v's */
	if (colon && strstr(colon, " s, peak RSS "))
		xsm_cli_progress(cli, 0, "building the graph: %.*s done", (int)(colon - line), line);
}

/* build a snapshot, with a progress line on a terminal (and -v's phase lines as they were) */
static int build(struct xsm_cli *cli, xsm_build_stats *st)
{
	int progress = cli->err_tty && !cli->quiet && !cli->verbose, rc;
	if (progress) {
		xsm_cli_progress(cli, 0, "building the graph: reading records");
		xsm_ctx_set_log(cli->ctx, build_progress, cli);
	}
	rc = xsm_graph_build(st, cli->store);
	if (progress) {
		xsm_ctx_set_log(cli->ctx, NULL, NULL);
		xsm_cli_progress(cli, 0, "%s", ""); /* the line cleared: the summary follows */
	}
	if (rc == 0)
		gc_after_build(cli);
	return rc;
}

int xsm_cli_build(struct xsm_cli *cli)
{
	xsm_build_stats st;
	int rc = build(cli, &st);
	if (rc < 0)
		return rc;
	if (!cli->quiet && !machine(cli))
		fprintf(stderr, "graph %s: %zu %s, %zu %s (%zu %s, %zu merged, %zu %s, %zu unknown %s)\n",
			st.snapshot, st.nodes, XSM_PL(st.nodes, "node"), st.edges, XSM_PL(st.edges, "edge"), st.assets,
			XSM_PL(st.assets, "asset"), st.merged, st.cves, XSM_PL(st.cves, "CVE"), st.unknown_refs,
			XSM_PL(st.unknown_refs, "reference"));
	return 0;
}

int xsm_cli_build_after(struct xsm_cli *cli, const char *what)
{
	int rc = xsm_cli_build(cli);
	if (rc == 0)
		return 1;
	if (rc != XSM_ENOINPUT)
		fprintf(stderr, "xsm: warning: %s, but the graph was not rebuilt: %s; 'xsm graph build' builds it\n", what,
			xsm_ctx_errmsg(cli->ctx));
	xsm_ctx_clear(cli->ctx);
	return 0;
}

int xsm_cli_commit(struct xsm_cli *cli, int (*save)(void *arg, xsm_store *store), void *arg, const char *action,
		   const char *target, const char *before, const char *after)
{
	char snap[40] = "";
	int rc;
	if ((rc = xsm_store_audit_change(cli->store, action, target, before, after)) < 0)
		return xsm_cli_fail(cli, rc);
	if ((rc = save(arg, cli->store)) < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(cli->ctx));
		xsm_ctx_clear(cli->ctx);
		if (xsm_store_audit_undo(cli->store) < 0)
			fprintf(stderr, "xsm: cannot take back the audit entry of the failed change: %s\n",
				xsm_ctx_errmsg(cli->ctx));
		xsm_cli_error("%s", msg);
		return xsm_cli_exit_code(rc);
	}
	rc = xsm_graph_refresh(snap, cli->store);
	if (rc < 0 && rc != XSM_ENOINPUT)
		fprintf(stderr, "xsm: warning: %s '%s' is saved, but the current snapshot was not re-evaluated: %s; "
				"'xsm graph build' does it\n",
			action, target, xsm_ctx_errmsg(cli->ctx));
	xsm_ctx_clear(cli->ctx);
	if (!cli->quiet)
		fprintf(stderr, "%s '%s'%s%s\n", action, target, snap[0] ? "; re-evaluated as snapshot " : "", snap);
	return 0;
}

static int graph_build(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_build_stats st;
	int n, rc;
	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((rc = xsm_cli_lock(cli)) != 0)
		return rc;
	if ((rc = build(cli, &st)) < 0)
		return xsm_cli_fail(cli, rc);
	if (machine(cli)) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.graph.build/1");
		xsm_jw_kstr(&w, "snapshot", st.snapshot);
		xsm_jw_kint(&w, "sources", (int64_t)st.sources);
		xsm_jw_kint(&w, "assets", (int64_t)st.assets);
		xsm_jw_kint(&w, "merged", (int64_t)st.merged);
		xsm_jw_kint(&w, "conflicts", (int64_t)st.conflicts);
		xsm_jw_kint(&w, "nodes", (int64_t)st.nodes);
		xsm_jw_kint(&w, "edges", (int64_t)st.edges);
		xsm_jw_kint(&w, "cves", (int64_t)st.cves);
		xsm_jw_kint(&w, "findings", (int64_t)st.findings);
		xsm_jw_kint(&w, "unknown_refs", (int64_t)st.unknown_refs);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else if (!cli->quiet) {
		printf("snapshot %s: %zu %s, %zu %s from %zu %s (%zu asset %s, %zu merged into others, "
		       "%zu %s, %zu unknown %s)\n",
		       st.snapshot, st.nodes, XSM_PL(st.nodes, "node"), st.edges, XSM_PL(st.edges, "edge"), st.sources,
		       XSM_PL(st.sources, "source"), st.assets, XSM_PL(st.assets, "record"), st.merged, st.cves,
		       XSM_PL(st.cves, "CVE"), st.unknown_refs, XSM_PL(st.unknown_refs, "reference"));
	}
	return 0;
}

static int load(struct xsm_cli *cli, xsm_graph **g, const char *snap, unsigned flags)
{
	int rc = xsm_graph_load(g, cli->store, snap, flags);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

/* counts by label, sorted by label */
struct count {
	const char *key;
	size_t n;
};

static int cmp_count(const void *a, const void *b)
{
	return strcmp(((const struct count *)a)->key, ((const struct count *)b)->key);
}

static size_t tally(struct count **out, const char *(*get)(const xsm_graph *, size_t), const xsm_graph *g, size_t n)
{
	struct count *c = NULL;
	size_t nc = 0, i, k;
	for (i = 0; i < n; i++) {
		const char *key = get(g, i);
		for (k = 0; k < nc && strcmp(c[k].key, key); k++)
			;
		if (k == nc) {
			struct count *m = realloc(c, (nc + 1) * sizeof(*c));
			if (!m)
				break;
			c = m;
			c[nc].key = key;
			c[nc++].n = 0;
		}
		c[k].n++;
	}
	if (nc > 1)
		qsort(c, nc, sizeof(*c), cmp_count);
	*out = c;
	return nc;
}

/* a top-level number or string of a snapshot's meta.json (written by xsm, keys unique), or "" */
static void meta_field(char out[64], const char *meta, const char *key)
{
	char pat[64];
	const char *p;
	size_t n = 0;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	out[0] = '\0';
	if (!(p = strstr(meta, pat)))
		return;
	p += strlen(pat);
	if (*p == '"')
		p++;
	while (p[n] && p[n] != '"' && p[n] != ',' && p[n] != '}' && n < 63)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* a snapshot's metadata as a line a person reads */
static void print_meta(const char *meta)
{
	static const char *const keys[][2] = { { "nodes", "nodes" }, { "edges", "edges" }, { "merged", "merged" },
					       { "cves", "CVEs" }, { "findings", "findings" },
					       { "unknown_refs", "references to unknown assets" },
					       { "conflicts", "identity conflicts" }, { NULL, NULL } };
	char v[64];
	size_t sources = 0;
	for (const char *p = strstr(meta, "\"source\":"); p; p = strstr(p + 1, "\"source\":"))
		sources++;
	meta_field(v, meta, "created");
	printf("    created %s, %zu source%s", v[0] ? v : "?", sources, sources == 1 ? "" : "s");
	for (int k = 0; keys[k][0]; k++) {
		meta_field(v, meta, keys[k][0]);
		if (v[0] && (k < 3 || strcmp(v, "0")))
			printf(", %s %s", keys[k][1], v);
	}
	printf("\n");
}

/* the counts a build stored (labels.json), gathered as tally gives them */
struct stored {
	struct count *c[2];
	size_t n[2];
	int oom;
};

static int add_stored(int edge, const char *label, size_t count, void *payload)
{
	struct stored *s = payload;
	struct count *m = realloc(s->c[edge], (s->n[edge] + 1) * sizeof(*m));
	char *k = strdup(label ? label : "");
	if (!m || !k) {
		free(k);
		if (m)
			s->c[edge] = m;
		s->oom = 1;
		return XSM_ENOMEM;
	}
	s->c[edge] = m;
	m[s->n[edge]].key = k;
	m[s->n[edge]++].n = count;
	return 0;
}

static int graph_stats(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_graph *g = NULL;
	struct count *nl = NULL, *el = NULL;
	struct stored st;
	xsm_buf meta_b = XSM_BUF_INIT;
	char snap[40];
	const char *meta;
	size_t nnl, nel, i, nodes, edges;
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	/* what the build stored, without loading the graph; snapshots of earlier versions are loaded */
	memset(&st, 0, sizeof(st));
	rc = xsm_graph_label_counts(cli->store, NULL, snap, &meta_b, &nodes, &edges, add_stored, &st);
	if (rc == 0) {
		nl = st.c[0];
		el = st.c[1];
		nnl = st.n[0];
		nel = st.n[1];
		if (nnl > 1)
			qsort(nl, nnl, sizeof(*nl), cmp_count);
		if (nel > 1)
			qsort(el, nel, sizeof(*el), cmp_count);
		meta = meta_b.ptr ? meta_b.ptr : "{}";
	} else {
		for (int k = 0; k < 2; k++) {
			for (i = 0; i < st.n[k]; i++)
				free((char *)st.c[k][i].key);
			free(st.c[k]);
		}
		memset(&st, 0, sizeof(st));
		if (rc != XSM_ENOTFOUND || (rc = load(cli, &g, NULL, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) != 0) {
			xsm_buf_dispose(&meta_b);
			return rc < 0 ? xsm_cli_fail(cli, rc) : rc;
		}
		nnl = tally(&nl, xsm_graph_node_label, g, xsm_graph_node_count(g));
		nel = tally(&el, xsm_graph_edge_label, g, xsm_graph_edge_count(g));
		snprintf(snap, sizeof(snap), "%s", xsm_graph_snapshot(g));
		nodes = xsm_graph_node_count(g);
		edges = xsm_graph_edge_count(g);
		meta = xsm_graph_meta(g);
	}
	if (machine(cli)) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.graph.stats/1");
		xsm_jw_kstr(&w, "snapshot", snap);
		xsm_jw_kint(&w, "nodes", (int64_t)nodes);
		xsm_jw_kint(&w, "edges", (int64_t)edges);
		xsm_jw_key(&w, "node_labels");
		xsm_jw_obj(&w);
		for (i = 0; i < nnl; i++)
			xsm_jw_kint(&w, nl[i].key, (int64_t)nl[i].n);
		xsm_jw_obj_end(&w);
		xsm_jw_key(&w, "edge_labels");
		xsm_jw_obj(&w);
		for (i = 0; i < nel; i++)
			xsm_jw_kint(&w, el[i].key, (int64_t)el[i].n);
		xsm_jw_obj_end(&w);
		xsm_jw_key(&w, "build");
		{
			/* meta.json as stored ends in a newline: a jsonl line must not */
			size_t ml = strlen(meta);
			while (ml && (meta[ml - 1] == '\n' || meta[ml - 1] == ' '))
				ml--;
			xsm_jw_rawn(&w, meta, ml);
		}
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else {
		/* one width for both lists, from the longest label and the largest count */
		int kw = 0, cw = 1;
		for (i = 0; i < nnl + nel; i++) {
			const struct count *c = i < nnl ? &nl[i] : &el[i - nnl];
			if ((int)strlen(c->key) > kw)
				kw = (int)strlen(c->key);
			if (xsm_cli_digits(c->n) > cw)
				cw = xsm_cli_digits(c->n);
		}
		printf("snapshot %s: %zu %s, %zu %s\n\nnodes by label:\n", snap, nodes, XSM_PL(nodes, "node"), edges,
		       XSM_PL(edges, "edge"));
		for (i = 0; i < nnl; i++)
			printf("  %-*s  %*zu\n", kw, nl[i].key, cw, nl[i].n);
		printf("\nedges by label:\n");
		for (i = 0; i < nel; i++)
			printf("  %-*s  %*zu\n", kw, el[i].key, cw, el[i].n);
		printf("\nbuild:\n");
		print_meta(meta);
	}
	for (i = 0; i < st.n[0]; i++)
		free((char *)st.c[0][i].key);
	for (i = 0; i < st.n[1]; i++)
		free((char *)st.c[1][i].key);
	free(nl);
	free(el);
	xsm_graph_free(g);
	xsm_buf_dispose(&meta_b);
	return 0;
}

static int parse_label_list(const char *s, const char *label)
{
	/* --label takes one label or a comma-separated list */
	size_t n = strlen(label);
	while (s && *s) {
		const char *c = strchr(s, ',');
		size_t l = c ? (size_t)(c - s) : strlen(s);
		if (l == n && !strncmp(s, label, n))
			return 1;
		s = c ? c + 1 : NULL;
	}
	return 0;
}

/* every label in --label's list is one some node (edge) has, or say which are there: 66 */
static int check_labels(const xsm_graph *g, const char *list, int edges)
{
	struct count *c = NULL;
	size_t nc = tally(&c, edges ? xsm_graph_edge_label : xsm_graph_node_label, g,
			  edges ? xsm_graph_edge_count(g) : xsm_graph_node_count(g));
	int code = 0;
	for (const char *p = list; p && *p && !code;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p), k;
		for (k = 0; k < nc && (strlen(c[k].key) != l || strncmp(c[k].key, p, l)); k++)
			;
		if (k == nc) {
			xsm_buf known = XSM_BUF_INIT;
			for (k = 0; k < nc; k++)
				xsm_buf_printf(&known, "%s%s", k ? ", " : "", c[k].key);
			xsm_cli_error("no %s has label '%.*s'; labels: %s", edges ? "edge" : "node", (int)l, p,
				      known.ptr ? known.ptr : "(none)");
			xsm_buf_dispose(&known);
			code = XSM_EXIT_NOINPUT;
		}
		p = comma ? comma + 1 : NULL;
	}
	free(c);
	return code;
}

static int graph_list(int argc, const char **argv, struct xsm_cli *cli, int edges)
{
	const char *label = NULL, *where = NULL, *pos[1];
	int limit = -1, n, rc, jsonl, json;
	struct xsm_opt opts[] = {
		{ "label", 0, XSM_OPT_STR, &label, NULL },
		{ "where", 0, XSM_OPT_STR, &where, NULL },
		{ "limit", 0, XSM_OPT_INT, &limit, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_graph *g;
	xsm_graph_filter *f = NULL;
	xsm_buf b = XSM_BUF_INIT;
	struct xsm_table t;
	static const char *nhead[] = { "NODEID", "LABEL", "NAME" };
	static const char *ehead[] = { "EDGEID", "LABEL", "SOURCE", "TARGET" };
	size_t i, shown = 0, count;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	jsonl = cli->format == XSM_FMT_JSONL;
	json = cli->format == XSM_FMT_JSON;
	if (where && xsm_graph_filter_check(cli->ctx, where) < 0) {
		xsm_cli_error("--where: %s", xsm_ctx_errmsg(cli->ctx));
		return XSM_EXIT_USAGE;
	}
	if ((rc = load(cli, &g, NULL, XSM_LOAD_READONLY)) != 0)
		return rc;
	if (where && (rc = xsm_graph_filter_new(&f, g, where)) < 0) {
		xsm_cli_error("--where: %s", xsm_ctx_errmsg(cli->ctx));
		xsm_graph_free(g);
		return XSM_EXIT_USAGE;
	}
	count = edges ? xsm_graph_edge_count(g) : xsm_graph_node_count(g);
	if (label && (rc = check_labels(g, label, edges)) != 0) {
		xsm_graph_filter_free(f);
		xsm_graph_free(g);
		return rc;
	}
	xsm_table_init(&t, edges ? 4 : 3, edges ? ehead : nhead);
	if (json)
		xsm_buf_printf(&b, "{\"schema\":\"xsm.graph.%s/1\",\"snapshot\":\"%s\",\"%s\":[", edges ? "edges" : "nodes",
			       xsm_graph_snapshot(g), edges ? "edges" : "nodes");
	for (i = 0; i < count && (limit < 0 || (int)shown < limit); i++) {
		const char *l = edges ? xsm_graph_edge_label(g, i) : xsm_graph_node_label(g, i);
		if (label && !parse_label_list(label, l))
			continue;
		if (f && !xsm_graph_filter_match(f, edges ? xsm_graph_edge_src(g, i) : i))
			continue;
		if (json || jsonl) {
			if (json && shown)
				xsm_buf_putc(&b, ',');
			rc = edges ? xsm_graph_edge_json(&b, g, i) : xsm_graph_node_json(&b, g, i);
			if (jsonl) {
				xsm_buf_putc(&b, '\n');
				fwrite(b.ptr, 1, b.size, stdout);
				xsm_buf_clear(&b);
			}
		} else if (edges) {
			size_t s = xsm_graph_edge_src(g, i), d = xsm_graph_edge_dst(g, i);
			xsm_buf src = XSM_BUF_INIT, dst = XSM_BUF_INIT, id = XSM_BUF_INIT, js = XSM_BUF_INIT;
			xsm_buf_printf(&src, "%s (%s)", xsm_graph_node_name(g, s), xsm_graph_node_label(g, s));
			xsm_buf_printf(&dst, "%s (%s)", xsm_graph_node_name(g, d), xsm_graph_node_label(g, d));
			xsm_graph_edge_json(&js, g, i);
			/* the EdgeId is the first member: "{"EdgeId":"e-..." */
			xsm_buf_put(&id, js.ptr + 11, strcspn(js.ptr + 11, "\""));
			xsm_table_add(&t, id.ptr, l, src.ptr, dst.ptr);
			xsm_buf_dispose(&src);
			xsm_buf_dispose(&dst);
			xsm_buf_dispose(&id);
			xsm_buf_dispose(&js);
		} else {
			xsm_table_add(&t, xsm_graph_node_id(g, i), l, xsm_graph_node_name(g, i));
		}
		shown++;
	}
	if (json) {
		xsm_buf_puts(&b, "]}");
		xsm_cli_emit(&b);
	} else if (!jsonl) {
		xsm_table_print(&t, stdout);
	}
	xsm_table_free(&t);
	xsm_buf_dispose(&b);
	xsm_graph_filter_free(f);
	xsm_graph_free(g);
	return 0;
}

static void show_neighbours(const xsm_graph *g, size_t node, int dir, xsm_jw *w)
{
	const uint32_t *e;
	size_t n, k;
	xsm_graph_node_edges(g, node, dir, &e, &n);
	for (k = 0; k < n; k++) {
		size_t other = dir ? xsm_graph_edge_src(g, e[k]) : xsm_graph_edge_dst(g, e[k]);
		if (w) {
			xsm_jw_obj(w);
			xsm_jw_kstr(w, "EdgeLabel", xsm_graph_edge_label(g, e[k]));
			xsm_jw_kstr(w, "NodeId", xsm_graph_node_id(g, other));
			xsm_jw_kstr(w, "NodeName", xsm_graph_node_name(g, other));
			xsm_jw_kstr(w, "NodeLabel", xsm_graph_node_label(g, other));
			xsm_jw_obj_end(w);
		} else {
			printf("  %s %-28s %s %s (%s)\n", dir ? "<-" : "->", xsm_graph_edge_label(g, e[k]),
			       xsm_graph_node_id(g, other), xsm_graph_node_name(g, other), xsm_graph_node_label(g, other));
		}
	}
}

static int prop_row(const char *key, const char *value, void *payload)
{
	xsm_table_add(payload, key, value);
	return 0;
}

static int merge_row(const char *sid, const char *source, const char *name, const char *keys, void *payload)
{
	xsm_table_add(payload, sid, source, name, keys);
	return 0;
}

struct why {
	const xsm_graph *g;
	xsm_jw *w; /* NULL: print */
	int printed;
};

/* one reason a node is critical: the rule and the chain of nodes through a relation */
static void show_why(const char *rule, const char *relation, const size_t *chain, size_t n, void *payload)
{
	struct why *y = payload;
	if (y->w) {
		xsm_jw_obj(y->w);
		xsm_jw_kstr(y->w, "rule", rule);
		xsm_jw_kstr(y->w, "relation", relation);
		xsm_jw_key(y->w, "chain");
		xsm_jw_arr(y->w);
		for (size_t k = 0; k < n; k++) {
			xsm_jw_obj(y->w);
			xsm_jw_kstr(y->w, "NodeId", xsm_graph_node_id(y->g, chain[k]));
			xsm_jw_kstr(y->w, "NodeName", xsm_graph_node_name(y->g, chain[k]));
			xsm_jw_kstr(y->w, "NodeLabel", xsm_graph_node_label(y->g, chain[k]));
			xsm_jw_obj_end(y->w);
		}
		xsm_jw_arr_end(y->w);
		xsm_jw_obj_end(y->w);
		return;
	}
	if (!y->printed++)
		printf("why critical:\n");
	printf("  %s, %s:", rule, relation);
	for (size_t k = 0; k < n; k++)
		printf("%s%s", k ? " -> " : " ", xsm_graph_node_name(y->g, chain[k]));
	printf("\n");
}

/* why the node is critical, through the relations of its rules (nothing when it is not) */
static int explain_critical(struct xsm_cli *cli, const xsm_graph *g, size_t node, xsm_jw *w)
{
	xsm_rules *rules = NULL;
	struct why y = { g, w, 0 };
	int rc;
	if (w) {
		xsm_jw_key(w, "why");
		xsm_jw_arr(w);
	}
	if ((rc = xsm_rules_load(&rules, cli->store)) == 0)
		rc = xsm_critical_explain(rules, g, node, show_why, &y);
	if (w)
		xsm_jw_arr_end(w);
	xsm_rules_free(rules);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

static int graph_show(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_graph *g;
	xsm_buf b = XSM_BUF_INIT;
	size_t node;
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which node? give a NodeId or a name");
	if ((rc = load(cli, &g, NULL, XSM_LOAD_READONLY)) != 0)
		return rc;
	if ((rc = xsm_graph_find(&node, g, pos[0])) < 0) {
		xsm_graph_free(g);
		return xsm_cli_fail(cli, rc);
	}
	xsm_graph_node_json(&b, g, node);
	if (machine(cli)) {
		xsm_buf o = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &o);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.graph.show/1");
		xsm_jw_key(&w, "node");
		xsm_jw_raw(&w, b.ptr);
		xsm_jw_key(&w, "out");
		xsm_jw_arr(&w);
		show_neighbours(g, node, 0, &w);
		xsm_jw_arr_end(&w);
		xsm_jw_key(&w, "in");
		xsm_jw_arr(&w);
		show_neighbours(g, node, 1, &w);
		xsm_jw_arr_end(&w);
		rc = explain_critical(cli, g, node, &w);
		xsm_jw_obj_end(&w);
		if (rc == 0)
			xsm_cli_emit(&o);
		xsm_buf_dispose(&o);
	} else {
		struct xsm_table t;
		const char *nm;
		static const char *phead[] = { "PROPERTY", "VALUE" }, *mhead[] = { "RECORD", "SOURCE", "NAME", "KEYS" };
		printf("%s  %s  (%s)\n\n", xsm_graph_node_id(g, node), xsm_graph_node_name(g, node),
		       xsm_graph_node_label(g, node));
		xsm_table_init(&t, 2, phead);
		if ((rc = xsm_graph_node_props(g, node, prop_row, &t)) == 0)
			xsm_table_print(&t, stdout);
		xsm_table_free(&t);
		xsm_table_init(&t, 4, mhead);
		if (rc == 0 && (rc = xsm_graph_node_merge(g, node, merge_row, &t)) == 0 && t.rows) {
			printf("\nmerged from %zu source record%s:\n", t.rows, t.rows == 1 ? "" : "s");
			xsm_table_print(&t, stdout);
		}
		xsm_table_free(&t);
		/* the identity conflicts that kept another node apart from this one */
		for (size_t k = 0; rc == 0 && (nm = xsm_graph_node_strs(g, node, "notMergedWith", k)); k++) {
			const char *colon = strstr(nm, ": ");
			if (colon)
				printf("%snot merged with %.*s: %s\n", k ? "" : "\n", (int)(colon - nm), nm, colon + 2);
		}
		if (rc < 0) {
			xsm_buf_dispose(&b);
			xsm_graph_free(g);
			return xsm_cli_fail(cli, rc);
		}
		printf("\nedges out:\n");
		show_neighbours(g, node, 0, NULL);
		printf("edges in:\n");
		show_neighbours(g, node, 1, NULL);
		rc = explain_critical(cli, g, node, NULL);
	}
	xsm_buf_dispose(&b);
	xsm_graph_free(g);
	return rc;
}

static int graph_export(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *out = NULL, *pos[1], *fmt = cli->format_name ? cli->format_name : "jsonl";
	struct xsm_opt opts[] = {
		{ "output", 'o', XSM_OPT_STR, &out, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_graph *g;
	int n, rc, f = -1, fd = STDOUT_FILENO;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	fmt = cli->format_name ? cli->format_name : "jsonl";
	if (!strcmp(fmt, "json"))
		f = XSM_EXPORT_JSON;
	else if (!strcmp(fmt, "jsonl"))
		f = XSM_EXPORT_JSONL;
	else if (!strcmp(fmt, "dot"))
		f = XSM_EXPORT_DOT;
	else if (!strcmp(fmt, "graphml"))
		f = XSM_EXPORT_GRAPHML;
	else if (strcmp(fmt, "neo4j"))
		return xsm_cli_usage(cli, "unknown export format '%s' (json, jsonl, dot, graphml, neo4j)", fmt);
	if (f < 0 && !out)
		return xsm_cli_usage(cli, "--format=neo4j writes CSV files: give --output DIR");
	if ((rc = load(cli, &g, NULL, XSM_LOAD_READONLY)) != 0)
		return rc;
	if (f < 0) {
		rc = xsm_graph_export_neo4j(g, out);
		if (rc == 0 && !cli->quiet)
			fprintf(stderr, "wrote %s/nodes.csv and %s/relationships.csv\n", out, out);
	} else {
		fflush(stdout);
		if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
			xsm_cli_error("cannot create '%s': %s", out, strerror(errno));
			xsm_graph_free(g);
			return XSM_EXIT_CANTCREAT;
		}
		rc = xsm_graph_export(g, f, fd);
		if (fd != STDOUT_FILENO)
			close(fd);
	}
	xsm_graph_free(g);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

struct taglist {
	char (*v)[2][72]; /* tag, snapshot */
	size_t n;
};

static int collect_tag(const char *tag, const char *snap, void *payload)
{
	struct taglist *t = payload;
	char(*v)[2][72] = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return XSM_ENOMEM;
	t->v = v;
	snprintf(t->v[t->n][0], 72, "%s", tag);
	snprintf(t->v[t->n][1], 72, "%s", snap);
	t->n++;
	return 0;
}

struct loglist {
	struct xsm_cli *cli;
	xsm_jw *w;
	const char *head;
	struct taglist tags;
};

static int log_one(const char *snap, void *payload)
{
	struct loglist *l = payload;
	xsm_buf rel = XSM_BUF_INIT, meta = XSM_BUF_INIT;
	int cur = l->head && !strcmp(l->head, snap);
	xsm_buf_printf(&rel, "graph/%s/meta.json", snap);
	if (xsm_store_read(&meta, l->cli->store, rel.ptr, 1 << 20) < 0)
		xsm_buf_set(&meta, "{}");
	while (meta.size && meta.ptr[meta.size - 1] == '\n')
		meta.ptr[--meta.size] = '\0';
	if (l->w) {
		xsm_jw_obj(l->w);
		xsm_jw_kstr(l->w, "snapshot", snap);
		xsm_jw_kbool(l->w, "current", cur);
		xsm_jw_key(l->w, "tags");
		xsm_jw_arr(l->w);
		for (size_t k = 0; k < l->tags.n; k++)
			if (!strcmp(l->tags.v[k][1], snap))
				xsm_jw_str(l->w, l->tags.v[k][0]);
		xsm_jw_arr_end(l->w);
		xsm_jw_key(l->w, "meta");
		xsm_jw_raw(l->w, meta.ptr);
		xsm_jw_obj_end(l->w);
	} else {
		printf("%s %s", cur ? "*" : " ", snap);
		for (size_t k = 0; k < l->tags.n; k++)
			if (!strcmp(l->tags.v[k][1], snap))
				printf(" (tag: %s)", l->tags.v[k][0]);
		printf("\n");
		print_meta(meta.ptr);
	}
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&meta);
	return 0;
}

static int graph_log(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_buf head = XSM_BUF_INIT, b = XSM_BUF_INIT;
	struct loglist l = { cli, NULL, NULL, { NULL, 0 } };
	xsm_jw w;
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (xsm_store_read(&head, cli->store, "graph/HEAD", 4096) == 0) {
		while (head.size && head.ptr[head.size - 1] == '\n')
			head.ptr[--head.size] = '\0';
		l.head = head.ptr;
	}
	xsm_ctx_clear(cli->ctx);
	if ((rc = xsm_graph_tags(cli->store, collect_tag, &l.tags)) < 0) {
		xsm_buf_dispose(&head);
		return xsm_cli_fail(cli, rc);
	}
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		l.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.graph.log/1");
		xsm_jw_key(&w, "snapshots");
		xsm_jw_arr(&w);
	}
	rc = xsm_graph_snapshots(cli->store, log_one, &l);
	if (machine(cli)) {
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		if (rc == 0)
			xsm_cli_emit(&b);
	}
	xsm_buf_dispose(&head);
	xsm_buf_dispose(&b);
	free(l.tags.v);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

static int print_tag(const char *tag, const char *snap, void *payload)
{
	(void)payload;
	printf("%-24s %s\n", tag, snap);
	return 0;
}

static int graph_tag(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[2];
	int del = 0, n, rc;
	struct xsm_opt opts[] = {
		{ "delete", 'd', XSM_OPT_FLAG, &del, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 2)) < 0)
		return xsm_opt_exit(cli, n);
	if (n == 0 && !del) {
		if (machine(cli)) {
			xsm_buf b = XSM_BUF_INIT;
			struct loglist l = { cli, NULL, NULL, { NULL, 0 } };
			xsm_jw w;
			if ((rc = xsm_graph_tags(cli->store, collect_tag, &l.tags)) < 0)
				return xsm_cli_fail(cli, rc);
			xsm_jw_init(&w, &b);
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.graph.tags/1");
			xsm_jw_key(&w, "tags");
			xsm_jw_arr(&w);
			for (size_t k = 0; k < l.tags.n; k++) {
				xsm_jw_obj(&w);
				xsm_jw_kstr(&w, "tag", l.tags.v[k][0]);
				xsm_jw_kstr(&w, "snapshot", l.tags.v[k][1]);
				xsm_jw_obj_end(&w);
			}
			xsm_jw_arr_end(&w);
			xsm_jw_obj_end(&w);
			xsm_cli_emit(&b);
			xsm_buf_dispose(&b);
			free(l.tags.v);
			return 0;
		}
		rc = xsm_graph_tags(cli->store, print_tag, NULL);
		return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
	}
	if (n < 1 || (del && n != 1))
		return xsm_cli_usage(cli, del ? "--delete needs the tag NAME only" : "tag needs a NAME");
	if ((rc = xsm_cli_lock(cli)) != 0)
		return rc;
	rc = del ? xsm_graph_untag(cli->store, pos[0]) : xsm_graph_tag(cli->store, pos[0], n > 1 ? pos[1] : NULL);
	if (rc < 0)
		return xsm_cli_fail(cli, rc);
	if (!cli->quiet && !machine(cli))
		printf("%s tag %s\n", del ? "deleted" : "made", pos[0]);
	return 0;
}

struct snaps {
	char **v;
	size_t n;
};

static int collect_snap(const char *s, void *payload)
{
	struct snaps *l = payload;
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return XSM_ENOMEM;
	l->v = v;
	l->v[l->n++] = strdup(s);
	return 0;
}

/* a node's properties as text, in key order: keys and values, NULL-terminated pairs */
struct kvs {
	char **v;
	size_t n;
};

static int collect_kv(const char *key, const char *value, void *payload)
{
	struct kvs *k = payload;
	char **v = realloc(k->v, (k->n + 2) * sizeof(*v));
	if (!v)
		return XSM_ENOMEM;
	k->v = v;
	k->v[k->n++] = strdup(key);
	k->v[k->n++] = strdup(value);
	return 0;
}

static void kvs_free(struct kvs *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
}

/* what changed in a node kept by both snapshots: each property with its old and new value (NULL: absent) */
struct propchange {
	const char *key, *old, *new_;
};

static size_t prop_changes(const xsm_graph *ga, size_t i, const xsm_graph *gb, size_t j, struct kvs *a, struct kvs *b,
			   struct propchange **out)
{
	size_t x = 0, y = 0, n = 0;
	struct propchange *c;
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	*out = NULL;
	if (xsm_graph_node_props(ga, i, collect_kv, a) < 0 || xsm_graph_node_props(gb, j, collect_kv, b) < 0 ||
	    !(c = calloc(a->n / 2 + b->n / 2 + 1, sizeof(*c))))
		return 0;
	while (x < a->n || y < b->n) {
		int k = x == a->n ? 1 : y == b->n ? -1 : strcmp(a->v[x], b->v[y]);
		if (k < 0)
			c[n++] = (struct propchange){ a->v[x], a->v[x + 1], NULL };
		else if (k > 0)
			c[n++] = (struct propchange){ b->v[y], NULL, b->v[y + 1] };
		else if (strcmp(a->v[x + 1], b->v[y + 1]))
			c[n++] = (struct propchange){ a->v[x], a->v[x + 1], b->v[y + 1] };
		if (k <= 0)
			x += 2;
		if (k >= 0)
			y += 2;
	}
	*out = c;
	return n;
}

static void diff_props(struct xsm_cli *cli, xsm_jw *w, const struct propchange *c, size_t n)
{
	if (!w) {
		for (size_t k = 0; k < n; k++)
			printf("      %s: %s -> %s\n", c[k].key, c[k].old ? c[k].old : "(none)", c[k].new_ ? c[k].new_ : "(none)");
		return;
	}
	xsm_jw_key(w, "properties");
	xsm_jw_arr(w);
	for (size_t k = 0; k < n; k++) {
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "key", c[k].key);
		xsm_jw_kstr(w, "old", c[k].old);
		xsm_jw_kstr(w, "new", c[k].new_);
		xsm_jw_obj_end(w);
	}
	xsm_jw_arr_end(w);
	(void)cli;
}

static void diff_item_props(struct xsm_cli *cli, xsm_jw *w, const char *kind, const char *change, const char *id,
			    const char *label, const char *name, int props, const struct propchange *pc, size_t npc);

static void diff_item(struct xsm_cli *cli, xsm_jw *w, const char *kind, const char *change, const char *id,
		      const char *label, const char *name)
{
	diff_item_props(cli, w, kind, change, id, label, name, 0, NULL, 0);
}

static void diff_item_props(struct xsm_cli *cli, xsm_jw *w, const char *kind, const char *change, const char *id,
			    const char *label, const char *name, int props, const struct propchange *pc, size_t npc)
{
	if (cli->format == XSM_FMT_JSONL) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw lw;
		xsm_jw_init(&lw, &b);
		xsm_jw_obj(&lw);
		xsm_jw_kstr(&lw, "type", kind);
		xsm_jw_kstr(&lw, "change", change);
		xsm_jw_kstr(&lw, "id", id);
		xsm_jw_kstr(&lw, "label", label);
		xsm_jw_kstr(&lw, "name", name);
		if (props)
			diff_props(cli, &lw, pc, npc);
		xsm_jw_obj_end(&lw);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else if (w) {
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "type", kind);
		xsm_jw_kstr(w, "change", change);
		xsm_jw_kstr(w, "id", id);
		xsm_jw_kstr(w, "label", label);
		xsm_jw_kstr(w, "name", name);
		if (props)
			diff_props(cli, w, pc, npc);
		xsm_jw_obj_end(w);
	} else {
		printf("%c %-4s %s  %s (%s)\n", change[0] == 'a' ? '+' : change[0] == 'r' ? '-' : '~', kind, id, name, label);
		if (props)
			diff_props(cli, NULL, pc, npc);
	}
}

/* what graph_diff's report keeps while the library walks the changes */
struct diffout {
	struct xsm_cli *cli;
	xsm_jw *w;
	const xsm_graph *ga, *gb;
	size_t counts[6]; /* nodes added, removed, changed; edges added, removed, changed */
};

/* by XSM_CHANGE_* */
static const char *const diff_change_name[] = { "added", "removed", "changed" };

static int diff_node(struct diffout *o, const xsm_graph_change *c)
{
	const xsm_graph *g = c->change == XSM_CHANGE_REMOVED ? o->ga : o->gb;
	size_t i = c->change == XSM_CHANGE_REMOVED ? c->a : c->b;
	struct kvs pa, pb;
	struct propchange *pc;
	size_t npc;
	if (c->change != XSM_CHANGE_CHANGED) {
		diff_item(o->cli, o->w, "node", diff_change_name[c->change], xsm_graph_node_id(g, i), xsm_graph_node_label(g, i),
			  xsm_graph_node_name(g, i));
		return 0;
	}
	npc = prop_changes(o->ga, c->a, o->gb, c->b, &pa, &pb, &pc);
	diff_item_props(o->cli, o->w, "node", "changed", xsm_graph_node_id(g, i), xsm_graph_node_label(g, i),
			xsm_graph_node_name(g, i), 1, pc, npc);
	free(pc);
	kvs_free(&pa);
	kvs_free(&pb);
	return 0;
}

static int diff_edge(struct diffout *o, const xsm_graph_change *c)
{
	const xsm_graph *g = c->change == XSM_CHANGE_REMOVED ? o->ga : o->gb;
	size_t e = c->change == XSM_CHANGE_REMOVED ? c->a : c->b;
	xsm_buf name = XSM_BUF_INIT;
	if (xsm_buf_printf(&name, "%s -> %s", xsm_graph_node_name(g, xsm_graph_edge_src(g, e)),
			   xsm_graph_node_name(g, xsm_graph_edge_dst(g, e))) < 0)
		return XSM_ENOMEM;
	diff_item(o->cli, o->w, "edge", diff_change_name[c->change], c->key, xsm_graph_edge_label(g, e), name.ptr);
	xsm_buf_dispose(&name);
	return 0;
}

static int diff_change(const xsm_graph_change *c, void *payload)
{
	struct diffout *o = payload;
	o->counts[3 * c->edge + (size_t)c->change]++;
	return c->edge ? diff_edge(o, c) : diff_node(o, c);
}

static void diff_summary(struct diffout *o)
{
	const size_t *n = o->counts;
	if (!o->w) {
		if (o->cli->format != XSM_FMT_JSONL)
			printf("nodes: %zu added, %zu removed, %zu changed; edges: %zu added, %zu removed, %zu changed\n",
			       n[0], n[1], n[2], n[3], n[4], n[5]);
		return;
	}
	xsm_jw_arr_end(o->w);
	xsm_jw_key(o->w, "summary");
	xsm_jw_obj(o->w);
	xsm_jw_kint(o->w, "nodes_added", (int64_t)n[0]);
	xsm_jw_kint(o->w, "nodes_removed", (int64_t)n[1]);
	xsm_jw_kint(o->w, "nodes_changed", (int64_t)n[2]);
	xsm_jw_kint(o->w, "edges_added", (int64_t)n[3]);
	xsm_jw_kint(o->w, "edges_removed", (int64_t)n[4]);
	xsm_jw_kint(o->w, "edges_changed", (int64_t)n[5]);
	xsm_jw_obj_end(o->w);
	xsm_jw_obj_end(o->w);
}

/* the two snapshots diff compares, loaded: A B, A and the current one, or the last two */
static int diff_load(xsm_graph **ga, xsm_graph **gb, struct xsm_cli *cli, const char **pos, int n)
{
	struct snaps s = { NULL, 0 };
	const char *a, *b;
	char ra[40], rb[40];
	int rc, code = 0;

	if ((rc = xsm_graph_snapshots(cli->store, collect_snap, &s)) < 0)
		return xsm_cli_fail(cli, rc);
	if (n == 0 && s.n < 2) {
		xsm_cli_error("diff needs two snapshots; the store has %zu", s.n);
		code = XSM_EXIT_NOINPUT;
		goto done;
	}
	a = n >= 1 ? pos[0] : s.v[s.n - 2];
	b = n == 2 ? pos[1] : n == 1 ? NULL : s.v[s.n - 1];
	/* a tag or HEAD names its snapshot */
	if ((n >= 1 && (rc = xsm_graph_resolve(ra, cli->store, a)) < 0) ||
	    (n == 2 && (rc = xsm_graph_resolve(rb, cli->store, b)) < 0)) {
		code = xsm_cli_fail(cli, rc);
		goto done;
	}
	if (n >= 1)
		a = ra;
	if (n == 2)
		b = rb;
	/* read only: the current snapshot maps the store's graph image */
	if ((rc = xsm_graph_load(ga, cli->store, a, XSM_LOAD_READONLY)) < 0 ||
	    (rc = xsm_graph_load(gb, cli->store, b, XSM_LOAD_READONLY)) < 0)
		code = xsm_cli_fail(cli, rc);
done:
	for (size_t i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	return code;
}

static int graph_diff(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[2];
	struct diffout o;
	xsm_graph *ga = NULL, *gb = NULL;
	xsm_buf out = XSM_BUF_INIT;
	xsm_jw w;
	int n, rc, code;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 2)) < 0)
		return xsm_opt_exit(cli, n);
	if ((code = diff_load(&ga, &gb, cli, pos, n)) != 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.cli = cli;
	o.ga = ga;
	o.gb = gb;
	if (cli->format == XSM_FMT_JSON) {
		xsm_jw_init(&w, &out);
		o.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.graph.diff/1");
		xsm_jw_kstr(&w, "from", xsm_graph_snapshot(ga));
		xsm_jw_kstr(&w, "to", xsm_graph_snapshot(gb));
		xsm_jw_key(&w, "changes");
		xsm_jw_arr(&w);
	} else if (cli->format != XSM_FMT_JSONL) {
		printf("diff %s -> %s\n", xsm_graph_snapshot(ga), xsm_graph_snapshot(gb));
	}
	if ((rc = xsm_graph_diff(ga, gb, diff_change, &o)) < 0) {
		code = xsm_cli_fail(cli, rc);
		goto done;
	}
	diff_summary(&o);
	if (o.w)
		xsm_cli_emit(&out);
done:
	xsm_graph_free(ga);
	xsm_graph_free(gb);
	xsm_buf_dispose(&out);
	return code;
}

int cmd_graph(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		xsm_cli_print_usage(sub ? stdout : stderr, cli->cmd->usage);
		return sub ? 0 : XSM_EXIT_USAGE;
	}
	if (!strcmp(sub, "build"))
		return graph_build(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "stats"))
		return graph_stats(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "nodes"))
		return graph_list(argc - 1, argv + 1, cli, 0);
	if (!strcmp(sub, "edges"))
		return graph_list(argc - 1, argv + 1, cli, 1);
	if (!strcmp(sub, "show"))
		return graph_show(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "export"))
		return graph_export(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "log"))
		return graph_log(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "diff"))
		return graph_diff(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "tag"))
		return graph_tag(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "match"))
		return xsm_cli_graph_match(argc - 1, argv + 1, cli);
	return xsm_cli_usage(cli, "unknown graph command '%s'", sub);
}
