/* cmd_paths.c - xsm paths: list, show, chokepoints, blast-radius, summary, check (whatif: cmd_whatif.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

/* DOT to stdout, or SVG through Graphviz `dot` */
static int emit_picture(struct xsm_cli *cli, xsm_buf *dot)
{
	FILE *p;
	if (cli->format == XSM_FMT_DOT) {
		fwrite(dot->ptr, 1, dot->size, stdout);
		return 0;
	}
	if (system("command -v dot >/dev/null 2>&1") != 0) {
		xsm_cli_error("--format=svg needs Graphviz 'dot', which is not installed");
		xsm_cli_hint("install it with: sudo apt-get install graphviz  (or use --format=dot)");
		return XSM_EXIT_UNAVAILABLE;
	}
	fflush(stdout);
	if (!(p = popen("dot -Tsvg", "w"))) {
		xsm_cli_error("cannot run dot: %s", strerror(errno));
		return XSM_EXIT_UNAVAILABLE;
	}
	fwrite(dot->ptr, 1, dot->size, p);
	return pclose(p) == 0 ? 0 : XSM_EXIT_SOFTWARE;
}

static int load(struct xsm_cli *cli, xsm_pathset **set)
{
	int rc = xsm_paths_load(set, cli->store, NULL);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

/*
 * The paths as the index describes them, no path parsed: what list
 * and chokepoints read of each is there (a JSON line is read
 * when printed); with a limit, the limit most serious at or above
 * min_risk (or more: the caller filters).  An index of an older build lacks names and types: then
 * every path is parsed, as load does.
 */
static int load_index(struct xsm_cli *cli, xsm_pathset **set, int limit, int min_risk)
{
	int rc = limit >= 0 ? xsm_paths_load_serious(set, cli->store, NULL, (size_t)limit, min_risk)
			    : xsm_paths_load_ids(set, cli->store, NULL);
	if (rc < 0)
		return xsm_cli_fail(cli, rc);
	if (xsm_paths_count(*set) && !xsm_paths_get(*set, 0)->entry_type) {
		xsm_paths_free(*set);
		return load(cli, set);
	}
	return 0;
}

/* a path's scenario: stored in its line, named again from its entry type and target classification in the index */
static const char *scenario_of(const xsm_path_info *p, char *buf, size_t n)
{
	if (p->scenario)
		return p->scenario;
	snprintf(buf, n, "%s -> %s", p->entry_type ? p->entry_type : "", p->target_classification ? p->target_classification : "");
	return buf;
}

static void path_row(struct xsm_table *t, const xsm_path_info *p)
{
	char hops[16];
	xsm_buf e = XSM_BUF_INIT, tg = XSM_BUF_INIT;
	snprintf(hops, sizeof(hops), "%d", p->hops);
	xsm_buf_printf(&e, "%s (%s)", p->entry_name ? p->entry_name : "?", p->entry_type ? p->entry_type : "?");
	xsm_buf_printf(&tg, "%s (%s, %s)", p->target_name ? p->target_name : "?",
		       p->target_classification ? p->target_classification : "?", xsm_level_name(p->target_level));
	xsm_table_add(t, p->id, xsm_risk_name(p->risk), hops, e.ptr, tg.ptr);
	xsm_buf_dispose(&e);
	xsm_buf_dispose(&tg);
}

static const xsm_pathset *order_set; /* qsort context */

static int cmp_serious(const void *a, const void *b)
{
	return xsm_paths_cmp_serious(xsm_paths_get(order_set, *(const size_t *)a), xsm_paths_get(order_set, *(const size_t *)b));
}

/* the set's paths, most serious first: risk, then target level, then fewest hops, then PathId; NULL on OOM */
static size_t *serious_first(const xsm_pathset *set)
{
	size_t n = xsm_paths_count(set), *idx = calloc(n + 1, sizeof(*idx));
	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	order_set = set;
	qsort(idx, n, sizeof(*idx), cmp_serious);
	return idx;
}

/*
 * --target or --entry NODE as a NodeId into out: a NodeId or name that a
 * path names is taken as it is (no graph is read); any other key of a node
 * is looked up in the graph of the paths' snapshot (xsm_graph_find: 64
 * when it names several nodes, 66 when none).
 */
static int node_ref(struct xsm_cli *cli, const xsm_pathset *set, const char *ref, char out[128], int target)
{
	xsm_graph *g = NULL;
	size_t node;
	int rc;
	for (size_t i = 0; i < xsm_paths_count(set); i++) {
		const xsm_path_info *p = xsm_paths_get(set, i);
		if (!strcmp(ref, target ? p->target_id : p->entry_id) || !strcmp(ref, target ? p->target_name : p->entry_name)) {
			snprintf(out, 128, "%s", target ? p->target_id : p->entry_id);
			return 0;
		}
	}
	if ((rc = xsm_graph_load(&g, cli->store, xsm_paths_snapshot(set), XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) < 0 ||
	    (rc = xsm_graph_find(&node, g, ref)) < 0) {
		xsm_graph_free(g);
		return xsm_cli_fail(cli, rc);
	}
	snprintf(out, 128, "%s", xsm_graph_node_id(g, node));
	xsm_graph_free(g);
	return 0;
}

/* whether a path of set goes to target and comes from entry (NodeIds; NULL: any) */
static int has_path(const xsm_pathset *set, const char *target, const char *entry)
{
	for (size_t i = 0; i < xsm_paths_count(set); i++) {
		const xsm_path_info *p = xsm_paths_get(set, i);
		if ((!target || !strcmp(target, p->target_id)) && (!entry || !strcmp(entry, p->entry_id)))
			return 1;
	}
	return 0;
}

static int paths_list(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *target = NULL, *entry = NULL, *minrisk = NULL, *scenario = NULL, *pos[1];
	int limit = -1, n, code, mr = XSM_RISK_LOW;
	struct xsm_opt opts[] = {
		{ "target", 0, XSM_OPT_STR, &target, NULL },
		{ "entry", 0, XSM_OPT_STR, &entry, NULL },
		{ "min-risk", 0, XSM_OPT_STR, &minrisk, NULL },
		{ "scenario", 0, XSM_OPT_STR, &scenario, NULL },
		{ "limit", 0, XSM_OPT_INT, &limit, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	static const char *head[] = { "PATHID", "RISK", "HOPS", "ENTRY", "TARGET" };
	xsm_pathset *set;
	struct xsm_table t;
	xsm_buf b = XSM_BUF_INIT;
	size_t *idx, *order, ni = 0, i;
	char ids[2][128], scen[512];

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (minrisk && (mr = xsm_risk_parse(minrisk)) < 0)
		return xsm_cli_usage(cli, "unknown risk '%s' (critical, high, medium, low)", minrisk);
	/*
	 * --target and --entry read those paths (stored as text: every path),
	 * pictures the steps of every path, the rest the index
	 */
	if (target || entry) {
		if ((n = xsm_paths_load_match(&set, cli->store, NULL, target, entry, NULL)) < 0)
			return xsm_cli_fail(cli, n);
		code = 0;
	} else if ((code = cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG
				   ? load(cli, &set)
				   : load_index(cli, &set, scenario ? -1 : limit, mr)) != 0)
		return code;
	if ((target && (code = node_ref(cli, set, target, ids[0], 1)) != 0) ||
	    (entry && (code = node_ref(cli, set, entry, ids[1], 0)) != 0)) {
		xsm_paths_free(set);
		return code;
	}
	if (target)
		target = ids[0];
	if (entry)
		entry = ids[1];
	/* a node named by another key (a source id, an FQDN...): its paths, now by NodeId */
	if ((target || entry) && !has_path(set, target, entry)) {
		xsm_paths_free(set);
		if ((n = xsm_paths_load_match(&set, cli->store, NULL, target, entry, NULL)) < 0)
			return xsm_cli_fail(cli, n);
	}
	if (!(order = serious_first(set))) {
		xsm_paths_free(set);
		return XSM_EXIT_OSERR;
	}
	idx = calloc(xsm_paths_count(set) + 1, sizeof(*idx));
	for (size_t o = 0; idx && o < xsm_paths_count(set); o++) {
		const xsm_path_info *p = xsm_paths_get(set, i = order[o]);
		if (p->risk > mr)
			continue;
		if (target && strcmp(target, p->target_id) && strcmp(target, p->target_name))
			continue;
		if (entry && strcmp(entry, p->entry_id) && strcmp(entry, p->entry_name))
			continue;
		if (scenario && !strstr(scenario_of(p, scen, sizeof(scen)), scenario))
			continue;
		if (limit >= 0 && (int)ni >= limit)
			break;
		idx[ni++] = i;
	}
	if (cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG) {
		xsm_paths_dot(&b, set, idx, ni);
		code = emit_picture(cli, &b);
	} else if (cli->format == XSM_FMT_JSONL || cli->format == XSM_FMT_JSON) {
		int json = cli->format == XSM_FMT_JSON;
		if (json)
			printf("{\"schema\":\"xsm.paths.list/1\",\"snapshot\":\"%s\",\"paths\":[", xsm_paths_snapshot(set));
		for (i = 0; i < ni && code == 0; i++) {
			int rc = xsm_paths_line(set, idx[i], &b);
			if (rc < 0)
				code = xsm_cli_fail(cli, rc);
			else
				printf(json ? "%s%s" : "%.0s%s\n", i ? "," : "", b.ptr);
		}
		if (json && code == 0)
			printf("]}\n");
	} else {
		xsm_table_init(&t, 5, head);
		for (i = 0; i < ni; i++)
			path_row(&t, xsm_paths_get(set, idx[i]));
		if (ni)
			xsm_table_print(&t, stdout);
		else
			printf("no attack paths%s\n", minrisk || target || entry || scenario ? " match" : "");
		xsm_table_free(&t);
	}
	free(idx);
	free(order);
	xsm_buf_dispose(&b);
	xsm_paths_free(set);
	return code;
}

static int paths_show(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1], *id, *name, *label, *edge;
	xsm_pathset *set;
	xsm_buf b = XSM_BUF_INIT;
	long i;
	int n, code;
	size_t k, one;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which path? give its PathId");
	if ((n = xsm_paths_load_match(&set, cli->store, NULL, NULL, NULL, pos[0])) < 0)
		return xsm_cli_fail(cli, n);
	code = 0;
	if ((i = xsm_paths_find(set, pos[0])) < 0) {
		xsm_cli_error("no attack path '%s' in snapshot %s", pos[0], xsm_paths_snapshot(set));
		xsm_paths_free(set);
		return XSM_EXIT_NOINPUT;
	}
	one = (size_t)i;
	if (cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG) {
		xsm_paths_dot(&b, set, &one, 1);
		code = emit_picture(cli, &b);
	} else if (cli->format == XSM_FMT_JSON) {
		/* the stored path object, led by its schema */
		printf("{\"schema\":\"xsm.paths.show/1\",%s\n", xsm_paths_get(set, one)->json + 1);
	} else if (machine(cli)) {
		printf("%s\n", xsm_paths_get(set, one)->json);
	} else {
		const xsm_path_info *p = xsm_paths_get(set, one);
		const char *r = p->recommendations;
		printf("%s  risk %s, %d hop%s\nscenario: %s\nentry:    %s (%s, %s)\ntarget:   %s (%s, %s)\n\n", p->id,
		       xsm_risk_name(p->risk), p->hops, p->hops == 1 ? "" : "s", p->scenario, p->entry_name, p->entry_label,
		       p->entry_type, p->target_name, p->target_classification, xsm_level_name(p->target_level));
		/* the chain: node, edge, node */
		for (k = 0; xsm_paths_step(set, one, k, &id, &name, &label, &edge) == 0; k++) {
			printf("  %s (%s) %s\n", name, label, id);
			if (edge)
				printf("    --%s-->\n", edge);
		}
		if (r && *r)
			printf("\nrecommendations:\n");
		while (r && *r) {
			const char *nl = strchr(r, '\n');
			printf("  - %.*s\n", (int)(nl ? nl - r : (long)strlen(r)), r);
			r = nl ? nl + 1 : r + strlen(r);
		}
	}
	xsm_buf_dispose(&b);
	xsm_paths_free(set);
	return code;
}

/* a human view of the stored choke points' JSON: one line per choke point, up to limit */
static void chokes_table(const char *p, int limit)
{
	static const char *head[] = { "NODEID", "NAME", "PATHS", "PAIRS CUT" };
	struct xsm_table t;
	int shown = 0;
	xsm_table_init(&t, 4, head);
	while ((p = strstr(p, "{\"NodeId\":\"")) && shown < limit) {
		char id[64] = "", name[256] = "", cut[24] = "-", paths[24] = "0";
		sscanf(p, "{\"NodeId\":\"%63[^\"]\",\"NodeName\":\"%255[^\"]\"", id, name);
		const char *q = strstr(p, "\"paths\":");
		if (q)
			snprintf(paths, sizeof(paths), "%ld", strtol(q + 8, NULL, 10));
		q = strstr(p, "\"pairs_cut\":");
		if (q && q[12] != 'n')
			snprintf(cut, sizeof(cut), "%ld", strtol(q + 12, NULL, 10));
		xsm_table_add(&t, id, name, paths, cut);
		shown++;
		p++;
	}
	if (shown)
		xsm_table_print(&t, stdout);
	else
		printf("no choke points (no path crosses an intermediate node)\n");
	xsm_table_free(&t);
}

static int paths_chokepoints(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	int limit = 20, n, code;
	struct xsm_opt opts[] = { { "limit", 0, XSM_OPT_INT, &limit, NULL }, { NULL, 0, 0, NULL, NULL } };
	xsm_pathset *set;
	xsm_buf b = XSM_BUF_INIT;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	/* the choke points are stored whole: only a picture reads paths (their steps), the rest none */
	if ((code = cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG ? load(cli, &set) : load_index(cli, &set, 0, 0)) != 0)
		return code;
	if (cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG) {
		/* the paths through the top choke points */
		const char *ch = xsm_paths_chokepoints(set);
		size_t *idx = calloc(xsm_paths_count(set) + 1, sizeof(*idx)), ni = 0, i, k;
		const char *id, *name, *label, *edge;
		for (i = 0; idx && i < xsm_paths_count(set); i++)
			for (k = 1; xsm_paths_step(set, i, k, &id, &name, &label, &edge) == 0 && edge; k++) {
				char key[128];
				snprintf(key, sizeof(key), "\"NodeId\":\"%s\"", id);
				if (strstr(ch, key)) {
					idx[ni++] = i;
					break;
				}
			}
		xsm_paths_dot(&b, set, idx, ni);
		free(idx);
		code = emit_picture(cli, &b);
	} else if (machine(cli)) {
		printf("%s\n", xsm_paths_chokepoints(set));
	} else {
		chokes_table(xsm_paths_chokepoints(set), limit);
	}
	xsm_buf_dispose(&b);
	xsm_paths_free(set);
	return code;
}

struct blast {
	const xsm_graph *g;
	struct xsm_table *t; /* human */
	xsm_buf *dot;        /* a star of the reachable targets */
	size_t node, n;
};

static int blast_target(const xsm_blast_target *bt, void *payload)
{
	struct blast *b = payload;
	const xsm_graph *g = b->g;
	b->n++;
	if (b->dot) {
		xsm_buf_printf(b->dot, "  \"%s\" -> \"%s\";\n  \"%s\" [label=\"", xsm_graph_node_id(g, b->node),
			       xsm_graph_node_id(g, bt->node), xsm_graph_node_id(g, bt->node));
		for (const char *c = xsm_graph_node_name(g, bt->node); *c; c++)
			xsm_buf_printf(b->dot, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
		xsm_buf_puts(b->dot, "\", fillcolor=\"#b00020\", fontcolor=white];\n");
	} else {
		xsm_buf via = XSM_BUF_INIT;
		char hops[16];
		snprintf(hops, sizeof(hops), "%d", bt->hops);
		for (size_t k = 0; k < bt->nsteps; k++)
			xsm_buf_printf(&via, "%s%s%s%s", xsm_graph_node_name(g, bt->steps[k]), bt->edges[k] ? " -" : "",
				       bt->edges[k] ? bt->edges[k] : "", bt->edges[k] ? "-> " : "");
		xsm_table_add(b->t, xsm_graph_node_name(g, bt->node), xsm_level_name(bt->level), hops, via.ptr);
		xsm_buf_dispose(&via);
	}
	return 0;
}

static int paths_blast(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	int max_hops = 0, n, rc;
	struct xsm_opt opts[] = { { "max-hops", 0, XSM_OPT_INT, &max_hops, NULL }, { NULL, 0, 0, NULL, NULL } };
	static const char *head[] = { "TARGET", "LEVEL", "HOPS", "PATH" };
	xsm_graph *g = NULL;
	xsm_attack_model *m = NULL;
	xsm_buf b = XSM_BUF_INIT;
	struct xsm_table t;
	struct blast bl;
	size_t node, reachable = 0;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which node? give a NodeId or a name");
	if (max_hops > 64)
		return xsm_cli_usage(cli, "--max-hops must be 1 to 64");
	if ((rc = xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) < 0 ||
	    (rc = xsm_graph_find(&node, g, pos[0])) < 0 || (rc = xsm_attack_model_load(&m, cli->store)) < 0) {
		int code = xsm_cli_fail(cli, rc);
		xsm_graph_free(g);
		xsm_attack_model_free(m);
		return code;
	}
	xsm_table_init(&t, 4, head);
	bl = (struct blast){ g, &t, NULL, node, 0 };
	if (machine(cli)) {
		if ((rc = xsm_paths_blast_radius(&b, g, m, node, max_hops)) == 0)
			xsm_cli_emit(&b);
	} else if (cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG) {
		bl.dot = &b;
		xsm_buf_printf(&b, "digraph blast_radius {\n  graph [rankdir=LR];\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eceff1\"];\n  \"%s\" [fillcolor=\"#fff3e0\", shape=cds];\n",
			       xsm_graph_node_id(g, node));
		if ((rc = xsm_paths_blast_radius_each(g, m, node, max_hops, blast_target, &bl, NULL)) == 0) {
			xsm_buf_puts(&b, "}\n");
			rc = emit_picture(cli, &b);
		}
	} else if ((rc = xsm_paths_blast_radius_each(g, m, node, max_hops, blast_target, &bl, &reachable)) == 0) {
		printf("blast radius of %s (%s): reaches %zu node%s, %zu target%s\n", xsm_graph_node_name(g, node),
		       xsm_graph_node_id(g, node), reachable, reachable == 1 ? "" : "s", bl.n, bl.n == 1 ? "" : "s");
		if (bl.n) {
			printf("\n");
			xsm_table_print(&t, stdout);
		}
	}
	if (rc < 0)
		rc = xsm_cli_fail(cli, rc);
	xsm_table_free(&t);
	xsm_buf_dispose(&b);
	xsm_graph_free(g);
	xsm_attack_model_free(m);
	return rc > 0 ? rc : 0;
}

static int paths_summary(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_paths_summary *sum;
	size_t i;
	int n;
	static const char *rn[] = { "critical", "high", "medium", "low" };

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	/* the counts the build stored: no path is read (earlier snapshots, or a scope: every path) */
	if ((n = xsm_paths_summary_load(&sum, cli->store, NULL, 0)) < 0)
		return xsm_cli_fail(cli, n);
	if (machine(cli)) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		const xsm_paths_tally *lists[3] = { sum->scenarios, sum->targets, sum->entry_points };
		size_t counts[3] = { sum->nscenarios, sum->ntargets, sum->nentry_points };
		static const char *names[3] = { "top_scenarios", "top_targets", "top_entry_points" };
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.paths.summary/1");
		xsm_jw_kstr(&w, "snapshot", sum->snapshot);
		xsm_jw_kint(&w, "paths", (int64_t)sum->paths);
		xsm_jw_kint(&w, "paths_cut", (int64_t)sum->cut);
		xsm_jw_key(&w, "by_risk");
		xsm_jw_obj(&w);
		for (i = 0; i < 4; i++)
			xsm_jw_kint(&w, rn[i], (int64_t)sum->by_risk[i]);
		xsm_jw_obj_end(&w);
		for (int l = 0; l < 3; l++) {
			xsm_jw_key(&w, names[l]);
			xsm_jw_arr(&w);
			for (i = 0; i < counts[l] && i < 10; i++) {
				xsm_jw_obj(&w);
				xsm_jw_kstr(&w, "name", lists[l][i].name);
				xsm_jw_kint(&w, "paths", (int64_t)lists[l][i].paths);
				xsm_jw_obj_end(&w);
			}
			xsm_jw_arr_end(&w);
		}
		xsm_jw_key(&w, "chokepoints");
		xsm_jw_raw(&w, sum->chokepoints);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else {
		const xsm_paths_tally *sc = sum->scenarios, *tg = sum->targets, *en = sum->entry_points;
		size_t ns = sum->nscenarios, nt = sum->ntargets, ne = sum->nentry_points;
		printf("attack paths in snapshot %s: %zu (critical %zu, high %zu, medium %zu, low %zu)%s\n", sum->snapshot,
		       sum->paths, sum->by_risk[0], sum->by_risk[1], sum->by_risk[2], sum->by_risk[3],
		       sum->cut ? " (some cut by paths.max_per_target)" : "");
		/* the lists are sorted by count: their first rows hold the widest numbers */
		int cw = xsm_cli_digits(ns ? sc[0].paths : 0);
		if (nt && xsm_cli_digits(tg[0].paths) > cw)
			cw = xsm_cli_digits(tg[0].paths);
		if (ne && xsm_cli_digits(en[0].paths) > cw)
			cw = xsm_cli_digits(en[0].paths);
		printf("\ntop scenarios:\n");
		for (i = 0; i < ns && i < 5; i++)
			printf("  %*zu  %s\n", cw, sc[i].paths, sc[i].name);
		printf("\ntop targets:\n");
		for (i = 0; i < nt && i < 5; i++)
			printf("  %*zu  %s\n", cw, tg[i].paths, tg[i].name);
		printf("\ntop entry points:\n");
		for (i = 0; i < ne && i < 5; i++)
			printf("  %*zu  %s\n", cw, en[i].paths, en[i].name);
		printf("\ntop choke points:\n");
		if (cli->format == XSM_FMT_DOT || cli->format == XSM_FMT_SVG) {
			/* a picture of the paths through them, as chokepoints draws it */
			const char *av[] = { "chokepoints", "--limit", "5" };
			fflush(stdout);
			xsm_paths_summary_free(sum);
			return paths_chokepoints(3, av, cli);
		}
		chokes_table(sum->chokepoints, 5);
	}
	xsm_paths_summary_free(sum);
	return 0;
}

struct prevsnap {
	char current[40], prev[40], last[40];
};

static int find_prev(const char *snap, void *payload)
{
	struct prevsnap *p = payload;
	if (!strcmp(snap, p->current))
		snprintf(p->prev, sizeof(p->prev), "%s", p->last);
	snprintf(p->last, sizeof(p->last), "%s", snap);
	return 0;
}

static int paths_check(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *fail_on = NULL, *baseline = NULL, *pos[1];
	int fail_new = 0, n, risk;
	struct xsm_opt opts[] = {
		{ "fail-on", 0, XSM_OPT_STR, &fail_on, NULL },
		{ "fail-on-new", 0, XSM_OPT_FLAG, &fail_new, NULL },
		{ "baseline", 0, XSM_OPT_STR, &baseline, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	enum { SHOWN = 50 }; /* table rows; the machine formats list every path */
	xsm_pathset *set, *prev = NULL;
	xsm_buf line = XSM_BUF_INIT, doc = XSM_BUF_INIT;
	size_t i, bad = 0, *order;
	static const char *head[] = { "PATHID", "RISK", "HOPS", "ENTRY", "TARGET" };
	struct xsm_table t;
	char base[40] = "";
	xsm_jw w;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (!fail_on)
		return xsm_cli_usage(cli, "check needs --fail-on RISK (critical, high, medium, low)");
	if ((risk = xsm_risk_parse(fail_on)) < 0)
		return xsm_cli_usage(cli, "unknown risk '%s' (critical, high, medium, low)", fail_on);
	if (baseline && (n = xsm_graph_resolve(base, cli->store, baseline)) < 0)
		return xsm_cli_fail(cli, n);
	/* the gate works on the paths' index: no path is parsed, the text made only of those printed */
	if ((n = xsm_paths_load_ids(&set, cli->store, NULL)) < 0)
		return xsm_cli_fail(cli, n);
	if (fail_new && !baseline) {
		/* the snapshot just before the current one; none means every path is new */
		struct prevsnap ps;
		memset(&ps, 0, sizeof(ps));
		snprintf(ps.current, sizeof(ps.current), "%s", xsm_paths_snapshot(set));
		xsm_graph_snapshots(cli->store, find_prev, &ps);
		snprintf(base, sizeof(base), "%s", ps.prev);
	}
	if (base[0] && (n = xsm_paths_load_ids(&prev, cli->store, base)) < 0) {
		if (baseline) { /* a pinned baseline that cannot be read fails the gate: never a silent pass */
			xsm_paths_free(set);
			return xsm_cli_fail(cli, n);
		}
		xsm_ctx_clear(cli->ctx);
		prev = NULL;
	}
	if (cli->format == XSM_FMT_JSON) {
		xsm_jw_init(&w, &doc);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.paths.check/1");
		xsm_jw_kstr(&w, "snapshot", xsm_paths_snapshot(set));
		xsm_jw_kstr(&w, "fail_on", xsm_risk_name(risk));
		xsm_jw_kstr(&w, "baseline", base[0] ? base : NULL);
		xsm_jw_kbool(&w, "new_only", fail_new || baseline);
		xsm_jw_key(&w, "paths");
		xsm_jw_arr(&w);
	}
	if (!(order = serious_first(set))) {
		xsm_paths_free(set);
		xsm_paths_free(prev);
		return XSM_EXIT_OSERR;
	}
	xsm_table_init(&t, 5, head);
	for (size_t o = 0; o < xsm_paths_count(set); o++) {
		const xsm_path_info *p = xsm_paths_get(set, i = order[o]);
		if (p->risk > risk)
			continue;
		if (prev && xsm_paths_find(prev, p->id) >= 0)
			continue;
		bad++;
		if (machine(cli)) {
			if ((n = xsm_paths_line(set, i, &line)) < 0) {
				xsm_buf_dispose(&line);
				xsm_buf_dispose(&doc);
				free(order);
				xsm_table_free(&t);
				xsm_paths_free(set);
				xsm_paths_free(prev);
				return xsm_cli_fail(cli, n);
			}
			if (cli->format == XSM_FMT_JSON)
				xsm_jw_raw(&w, line.ptr);
			else
				printf("%s\n", line.ptr);
		} else if (bad <= SHOWN) {
			path_row(&t, p);
		}
	}
	xsm_buf_dispose(&line);
	if (cli->format == XSM_FMT_JSON) {
		xsm_jw_arr_end(&w);
		xsm_jw_kint(&w, "count", (int64_t)bad);
		xsm_jw_kbool(&w, "passed", bad == 0);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&doc);
	} else if (!machine(cli)) {
		if (bad) {
			printf("%zu attack path%s at risk %s or above%s:\n", bad, bad == 1 ? "" : "s", fail_on,
			       base[0] ? " that are new" : "");
			xsm_table_print(&t, stdout);
			if (bad > SHOWN)
				printf("... and %zu more (--format=jsonl lists every one)\n", bad - SHOWN);
		} else if (!cli->quiet) {
			printf("ok: no%s attack path at risk %s or above\n", fail_new || baseline ? " new" : "", fail_on);
		}
		if (base[0] && !cli->quiet)
			printf("(compared with snapshot %s%s%s)\n", base, baseline ? ", " : "", baseline ? baseline : "");
	}
	xsm_buf_dispose(&doc);
	free(order);
	xsm_table_free(&t);
	xsm_paths_free(set);
	xsm_paths_free(prev);
	return bad ? XSM_EXIT_FOUND : 0;
}

int cmd_paths(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		xsm_cli_print_usage(sub ? stdout : stderr, cli->cmd->usage);
		return sub ? 0 : XSM_EXIT_USAGE;
	}
	if (!strcmp(sub, "list"))
		return paths_list(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "show"))
		return paths_show(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "chokepoints"))
		return paths_chokepoints(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "blast-radius"))
		return paths_blast(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "summary"))
		return paths_summary(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "check"))
		return paths_check(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "whatif"))
		return xsm_cli_paths_whatif(argc - 1, argv + 1, cli);
	return xsm_cli_usage(cli, "unknown paths command '%s'", sub);
}
