/* graph_io.c - snapshots on disk: write, load, list; filters. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt/json.h"
#include "ctx.h"
#include "analysis/expr.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/lines.h"

/* --- writing ------------------------------------------------------------------------ */

struct lastsnap {
	char best[40];
};

static int pick_last(const char *name, void *payload)
{
	struct lastsnap *l = payload;
	if (strlen(name) < 16 || name[8] != 'T' || strlen(name) >= sizeof(l->best))
		return 0;
	if (strcmp(name, l->best) > 0)
		snprintf(l->best, sizeof(l->best), "%s", name);
	return 0;
}

/* how many of the n uint32 ids at ids[0], ids[stride], ... are each distinct one, into w as a JSON object */
static int count_labels(xsm_jw *w, const xsm_graph *g, const uint32_t *ids, size_t n, size_t stride)
{
	XSM__VEC(uint32_t) lab = { 0 };
	XSM__VEC(size_t) cnt = { 0 };
	size_t i, k = 0;
	for (i = 0; i < n; i++) {
		uint32_t id = ids[i * stride];
		if (k >= lab.n || lab.v[k] != id) {
			for (k = 0; k < lab.n && lab.v[k] != id; k++)
				;
			if (k == lab.n && (xsm__vec_push(&lab, id) < 0 || xsm__vec_push(&cnt, (size_t)0) < 0)) {
				xsm__vec_free(&lab);
				xsm__vec_free(&cnt);
				return XSM_ENOMEM;
			}
		}
		cnt.v[k]++;
	}
	xsm_jw_obj(w);
	for (k = 0; k < lab.n; k++) {
		xsm_jw_keyn(w, xsm__gstr(g, lab.v[k]), g->s.lens[lab.v[k]]);
		xsm_jw_int(w, (int64_t)cnt.v[k]);
	}
	xsm_jw_obj_end(w);
	xsm__vec_free(&lab);
	xsm__vec_free(&cnt);
	return 0;
}

/* labels.json: what graph stats shows, so it need not load the graph */
static int write_labels(xsm_graph *g, xsm_store *store, const char *id)
{
	xsm_buf b = XSM_BUF_INIT, rel = XSM_BUF_INIT;
	xsm_jw w;
	int rc;
	xsm_jw_init(&w, &b);
	xsm_jw_obj(&w);
	xsm_jw_kint(&w, "nodes", (int64_t)g->nodes.n);
	xsm_jw_kint(&w, "edges", (int64_t)g->edges.n);
	xsm_jw_key(&w, "node_labels");
	rc = count_labels(&w, g, g->nodes.n ? &g->nodes.v[0].label : NULL, g->nodes.n, sizeof(xsm__node) / 4);
	xsm_jw_key(&w, "edge_labels");
	if (rc == 0)
		rc = count_labels(&w, g, g->edges.n ? &g->edges.v[0].label : NULL, g->edges.n, sizeof(xsm__edge) / 4);
	xsm_jw_obj_end(&w);
	if (rc == 0 && (w.err || xsm_buf_putc(&b, '\n') < 0 || xsm_buf_printf(&rel, "graph/%s/labels.json", id) < 0))
		rc = XSM_ENOMEM;
	if (rc == 0)
		rc = xsm_store_write(store, rel.ptr, b.ptr, b.size);
	else
		rc = xsm__error_oom(g->ctx);
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&rel);
	return rc;
}

/*
 * graph.bin (or, for a re-evaluation, the graph.bin it loaded shared, and
 * an overlay), labels.json, then the extra files, then the file already
 * written (paths)
 */
static int write_files(xsm_graph *g, xsm_store *store, const char *id, size_t nextra, const char *const *names,
		       const xsm_buf *extra, xsm__afile *written)
{
	xsm_buf rel = XSM_BUF_INIT;
	size_t changed = 0;
	int rc = xsm__graph_write_shared(g, store, id, &changed);
	if (rc == 0) {
		xsm__log(g->ctx, "write: graph.bin shared with snapshot %s, %zu nodes changed", g->base_from, changed);
	} else if (rc == XSM_ENOTFOUND || rc == XSM_EIO) {
		xsm_ctx_clear(g->ctx);
		rc = xsm_buf_printf(&rel, "graph/%s/graph.bin", id) < 0 ? xsm__error_oom(g->ctx)
									: xsm__graph_write_bin(g, store, rel.ptr);
	}
	if (rc == 0)
		rc = write_labels(g, store, id);
	for (size_t x = 0; x < nextra && rc == 0; x++) {
		xsm_buf_clear(&rel);
		if (xsm_buf_printf(&rel, "graph/%s/%s", id, names[x]) < 0)
			rc = xsm__error_oom(g->ctx);
		else
			rc = xsm_store_write(store, rel.ptr, extra[x].ptr ? extra[x].ptr : "", extra[x].size);
	}
	if (rc == 0 && written && written->open)
		rc = xsm__afile_commit(written, g->ctx);
	xsm_buf_dispose(&rel);
	return rc;
}

int xsm__graph_next_snapshot(char id[40], xsm_ctx *ctx, xsm_store *store)
{
	struct lastsnap l;
	char stamp[21], *p, *q;
	unsigned seq = 1;
	int rc;

	memset(&l, 0, sizeof(l));
	if ((rc = xsm_store_list(store, "graph", pick_last, &l)) < 0)
		return rc;
	xsm_time_format(stamp, xsm_ctx_now(ctx));
	for (p = q = stamp; *p; p++)
		if (*p != '-' && *p != ':')
			*q++ = *p;
	*q = '\0';
	if (!strncmp(l.best, stamp, strlen(stamp)))
		seq = (unsigned)strtoul(l.best + strlen(stamp) + 1, NULL, 10) + 1;
	else if (strcmp(l.best, stamp) > 0)
		return xsm__error_set(ctx, XSM_EINVALID, "the clock is before the latest snapshot '%s'", l.best);
	snprintf(id, 40, "%s-%04u", stamp, seq);
	return 0;
}

int xsm__graph_write_snapshot(xsm_graph *g, xsm_store *store, const char *id, const char *meta_json, size_t nextra,
			      const char *const *extra_names, const xsm_buf *extra, xsm__afile *written)
{
	xsm_buf rel = XSM_BUF_INIT, meta = XSM_BUF_INIT;
	const char *hole;
	double t0 = xsm__mono();
	int rc;

	snprintf(g->snapshot, sizeof(g->snapshot), "%s", id);

	/* meta.json with the snapshot id filled in */
	hole = strstr(meta_json, "\"snapshot\":null");
	if (!hole || xsm_buf_put(&meta, meta_json, (size_t)(hole - meta_json)) < 0 ||
	    xsm_buf_printf(&meta, "\"snapshot\":\"%s\"%s\n", id, hole + strlen("\"snapshot\":null")) < 0) {
		rc = hole ? xsm__error_oom(g->ctx) : xsm__error_set(g->ctx, XSM_ERROR, "bad snapshot metadata");
		goto done;
	}
	xsm__free(g->meta_json);
	if (!(g->meta_json = xsm__strdup(meta.ptr))) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	/* graph.bin keeps the property array as it is: no unused ranges in it */
	if ((rc = xsm__graph_compact_props(g)) < 0)
		goto done;
	/* the files first, HEAD last (the caller's): a crash leaves the previous snapshot current */
	if ((rc = write_files(g, store, id, nextra, extra_names, extra, written)) < 0)
		goto done;
	xsm__phase(g->ctx, &t0, "write: graph.bin and paths");
	xsm_buf_clear(&rel);
	xsm_buf_printf(&rel, "graph/%s/meta.json", id);
	/* HEAD is the caller's to move: the build's events go with it */
	rc = xsm_store_write(store, rel.ptr, meta.ptr, meta.size);
done:
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&meta);
	return rc;
}

/* --- loading ---------------------------------------------------------------------- */

static int read_head(xsm_buf *out, xsm_store *store)
{
	int rc = xsm_store_read(out, store, "graph/HEAD", 4096);
	if (rc == XSM_ENOTFOUND)
		return xsm__error_set(xsm_store_ctx(store), XSM_ENOINPUT,
				      "no graph yet; run 'xsm graph build' (or ingest records)");
	while (rc == 0 && out->size && (out->ptr[out->size - 1] == '\n' || out->ptr[out->size - 1] == ' '))
		out->ptr[--out->size] = '\0';
	return rc;
}

static int snapshot_name_ok(const char *s)
{
	if (!*s || strlen(s) >= 40)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || *s == '-'))
			return 0;
	return 1;
}

static int strs_from_json(xsm_graph *g, const xsm__json *arr, uint32_t *off, uint32_t *n)
{
	const xsm__json *c;
	*off = (uint32_t)g->u32.n;
	*n = 0;
	for (c = xsm__json_child(arr); c; c = xsm__json_next(c)) {
		uint32_t id;
		const char *s = xsm__json_str(c);
		if (!s)
			continue;
		if (xsm__graph_intern(g, s, &id) < 0 || xsm__vec_push(&g->u32, id) < 0)
			return xsm__error_oom(g->ctx);
		(*n)++;
	}
	return 0;
}

static int load_props(xsm_graph *g, const xsm__json *holder, uint32_t *off, uint32_t *n, xsm_buf *prefix)
{
	const xsm__json *raw = xsm__json_get(holder, "rawData");
	size_t start = g->props.n;
	int rc;
	*off = (uint32_t)start;
	*n = 0;
	if (!raw)
		return 0;
	xsm_buf_clear(prefix);
	if ((rc = xsm__graph_flatten(g, &g->props, raw, prefix, 0)) < 0)
		return rc;
	xsm__graph_sort_props(g, g->props.v + start, g->props.n - start);
	*n = (uint32_t)(g->props.n - start);
	return 0;
}

static int load_file(xsm_graph *g, xsm_store *store, const char *rel, int nodes, unsigned flags)
{
	xsm_buf path = XSM_BUF_INIT, prefix = XSM_BUF_INIT;
	xsm__lines r;
	const char *line;
	size_t len;
	int fd = -1, rc = 0, n;

	if ((rc = xsm__store_abspath(&path, store, rel)) < 0)
		return rc;
	if ((fd = xsm__store_open(store, rel)) < 0) { /* no link followed */
		rc = fd == XSM_ENOTFOUND ? xsm__error_set(g->ctx, XSM_EIO, "cannot open snapshot file '%s'", path.ptr) : fd;
		xsm_buf_dispose(&path);
		return rc;
	}
	if (xsm__lines_init(&r, fd, 64u << 20) < 0) {
		close(fd);
		xsm_buf_dispose(&path);
		return xsm__error_oom(g->ctx);
	}
	while (rc == 0 && (n = xsm__lines_next(&r, &line, &len)) != 0) {
		xsm__json *j = NULL;
		if (n < 0) {
			rc = xsm__error_set(g->ctx, XSM_EINVALID, "%s:%zu: unreadable line", rel, r.lineno);
			break;
		}
		if (!len)
			continue;
		if ((rc = xsm__json_parse(&j, g->ctx, line, len, "")) < 0) {
			xsm__error_prefix(g->ctx, "corrupt snapshot %s:%zu", rel, r.lineno);
			break;
		}
		if (nodes) {
			xsm__node nd;
			const xsm__json *e;
			memset(&nd, 0, sizeof(nd));
			if (!xsm__json_getstr(j, "NodeId")) {
				rc = xsm__error_set(g->ctx, XSM_EINVALID, "corrupt snapshot %s:%zu: no NodeId", rel, r.lineno);
			} else if (xsm__graph_intern(g, xsm__json_getstr(j, "NodeId"), &nd.id) < 0 ||
				   xsm__graph_intern(g, xsm__json_getstr(j, "NodeLabel") ? xsm__json_getstr(j, "NodeLabel") : "", &nd.label) < 0 ||
				   xsm__graph_intern(g, xsm__json_getstr(j, "NodeName") ? xsm__json_getstr(j, "NodeName") : "", &nd.name) < 0) {
				rc = XSM_ENOMEM;
			} else if ((rc = strs_from_json(g, xsm__json_get(j, "Categories"), &nd.cats_off, &nd.cats_n)) == 0 &&
				   (rc = strs_from_json(g, xsm__json_get(j, "Sources"), &nd.srcs_off, &nd.srcs_n)) == 0 &&
				   (rc = load_props(g, xsm__json_get(j, "NodeProperties"), &nd.props_off, &nd.props_n, &prefix)) == 0) {
				nd.eids_off = (uint32_t)g->u32.n;
				for (e = xsm__json_child(xsm__json_get(j, "EntityIds")); e && rc == 0; e = xsm__json_next(e)) {
					uint32_t t, v;
					const char *ts = xsm__json_getstr(e, "type"), *vs = xsm__json_getstr(e, "id");
					if (!ts || !vs)
						continue;
					if (xsm__graph_intern(g, ts, &t) < 0 || xsm__graph_intern(g, vs, &v) < 0 ||
					    xsm__vec_push(&g->u32, t) < 0 || xsm__vec_push(&g->u32, v) < 0)
						rc = xsm__error_oom(g->ctx);
					else
						nd.eids_n++;
				}
				if (rc == 0 && xsm__vec_push(&g->nodes, nd) < 0)
					rc = xsm__error_oom(g->ctx);
			}
		} else {
			xsm__edge ed;
			const char *sid = xsm__json_getstr(j, "SourceNodeId"), *tid = xsm__json_getstr(j, "TargetNodeId");
			uint64_t s, t;
			memset(&ed, 0, sizeof(ed));
			if (!sid || !tid || !xsm__json_getstr(j, "EdgeId") || !xsm__json_getstr(j, "EdgeLabel")) {
				rc = xsm__error_set(g->ctx, XSM_EINVALID, "corrupt snapshot %s:%zu: incomplete edge", rel, r.lineno);
			} else if (!xsm__strmap_get(&g->by_id, sid, strlen(sid), &s) ||
				   !xsm__strmap_get(&g->by_id, tid, strlen(tid), &t)) {
				rc = xsm__error_set(g->ctx, XSM_EINVALID, "corrupt snapshot %s:%zu: edge to an unknown node",
						    rel, r.lineno);
			} else if (strncmp(xsm__json_getstr(j, "EdgeId"), "e-", 2) || strlen(xsm__json_getstr(j, "EdgeId")) != 18) {
				rc = xsm__error_set(g->ctx, XSM_EINVALID, "corrupt snapshot %s:%zu: bad EdgeId", rel, r.lineno);
			} else if (xsm__graph_intern(g, xsm__json_getstr(j, "EdgeLabel"), &ed.label) < 0) {
				rc = XSM_ENOMEM;
			} else {
				ed.src = (uint32_t)s;
				ed.dst = (uint32_t)t;
				ed.hid = strtoull(xsm__json_getstr(j, "EdgeId") + 2, NULL, 16);
				if (!(flags & XSM_LOAD_NO_EDGE_PROPS))
					rc = load_props(g, xsm__json_get(j, "EdgeProperties"), &ed.props_off, &ed.props_n, &prefix);
				if (rc == 0 && xsm__vec_push(&g->edges, ed) < 0)
					rc = xsm__error_oom(g->ctx);
			}
		}
		xsm__json_free(j);
	}
	xsm__lines_free(&r);
	close(fd);
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&prefix);
	return rc;
}

/* a graph with nothing in it yet but its snapshot id and metadata */
static int empty_graph(xsm_graph **out, xsm_ctx *ctx, const char *snapshot, const char *meta)
{
	int rc = xsm__graph_new(out, ctx);
	if (rc < 0)
		return rc;
	snprintf((*out)->snapshot, sizeof((*out)->snapshot), "%s", snapshot);
	if (!((*out)->meta_json = xsm__strdup(meta)))
		return xsm__error_oom(ctx);
	return 0;
}

int xsm_graph_load(xsm_graph **out, xsm_store *store, const char *snapshot, unsigned int flags)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_buf head = XSM_BUF_INIT, rel = XSM_BUF_INIT, meta = XSM_BUF_INIT, meta_path = XSM_BUF_INIT;
	xsm_graph *g = NULL;
	int rc;

	*out = NULL;
	if (!snapshot) {
		if ((rc = read_head(&head, store)) < 0)
			goto done;
		snapshot = head.ptr;
	}
	if (!snapshot_name_ok(snapshot)) {
		rc = xsm__error_set(ctx, XSM_EUSAGE, "invalid snapshot name '%s'", snapshot);
		goto done;
	}
	if (xsm_buf_printf(&rel, "graph/%s/meta.json", snapshot) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if ((rc = xsm_store_read(&meta, store, rel.ptr, 16 << 20)) < 0) {
		if (rc == XSM_ENOTFOUND)
			rc = xsm__error_set(ctx, XSM_ENOTFOUND, "no snapshot '%s'", snapshot);
		goto done;
	}
	if ((rc = empty_graph(&g, ctx, snapshot, meta.ptr)) < 0)
		goto done;
	/* a read of the whole graph maps the store's image of it when there is one of this snapshot */
	if ((flags & XSM_LOAD_READONLY) && !(flags & XSM__LOAD_BASE) && !ctx->scope) {
		double t0 = xsm__mono();
		if ((rc = xsm__graph_map_image(g, store)) == 0) {
			xsm__phase(ctx, &t0, "load: graph image mapped");
			*out = g;
			g = NULL;
			goto done;
		}
		/* a top layer that did not apply leaves g half made: the graph is loaded whole then */
		if (rc != XSM_ENOTFOUND) {
			xsm_graph_free(g);
			g = NULL;
			xsm_ctx_clear(ctx);
			if ((rc = empty_graph(&g, ctx, snapshot, meta.ptr)) < 0)
				goto done;
		}
	}
	/* the arrays as written at build when they are there and sound; the JSONL otherwise */
	xsm_buf_clear(&rel);
	xsm_buf_printf(&rel, "graph/%s/graph.bin", snapshot);
	if ((rc = xsm__graph_read_bin(g, store, rel.ptr)) == 0) {
		/* a snapshot that shares its graph.bin has what differs in graph.overlay */
		if ((flags & XSM__LOAD_BASE) && g->bin_version >= 2 && (rc = xsm__graph_keep_base(g, snapshot)) < 0)
			goto done;
		xsm_buf_clear(&rel);
		xsm_buf_printf(&rel, "graph/%s/graph.overlay", snapshot);
		if ((rc = xsm__graph_read_overlay(g, store, rel.ptr)) < 0 && rc != XSM_ENOTFOUND)
			goto done;
		if ((rc = xsm__graph_freeze(g)) == 0 && (rc = xsm__graph_apply_scope(g)) == 0) {
			*out = g;
			g = NULL;
		}
		goto done;
	}
	if (rc == XSM_ENOMEM)
		goto done;
	xsm_graph_free(g);
	g = NULL;
	/* snapshots written before graph.bin was the graph's only copy also have it as JSONL */
	xsm_buf_clear(&rel);
	xsm_buf_printf(&rel, "graph/%s/nodes.jsonl", snapshot);
	xsm_buf_clear(&meta_path);
	if (xsm__store_abspath(&meta_path, store, rel.ptr) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if (!xsm__fs_exists(meta_path.ptr)) {
		rc = xsm__error_set(ctx, XSM_EINVALID,
				    "snapshot '%s' has %s graph.bin; rebuild it with 'xsm graph build'", snapshot,
				    rc == XSM_ENOTFOUND ? "no" : "an unreadable");
		goto done;
	}
	if ((rc = empty_graph(&g, ctx, snapshot, meta.ptr)) < 0)
		goto done;
	if ((rc = load_file(g, store, rel.ptr, 1, flags)) < 0 || (rc = xsm__graph_freeze(g)) < 0)
		goto done;
	xsm_buf_clear(&rel);
	xsm_buf_printf(&rel, "graph/%s/edges.jsonl", snapshot);
	if ((rc = load_file(g, store, rel.ptr, 0, flags)) < 0 || (rc = xsm__graph_freeze(g)) < 0 ||
	    (rc = xsm__graph_apply_scope(g)) < 0)
		goto done;
	*out = g;
	g = NULL;
done:
	xsm_graph_free(g);
	xsm_buf_dispose(&head);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&meta);
	xsm_buf_dispose(&meta_path);
	return rc;
}

int xsm_graph_label_counts(xsm_store *store, const char *snapshot, char id[40], xsm_buf *meta, size_t *nodes,
			   size_t *edges, int (*cb)(int edge, const char *label, size_t count, void *payload), void *payload)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_buf head = XSM_BUF_INIT, rel = XSM_BUF_INIT, text = XSM_BUF_INIT;
	xsm__json *j = NULL;
	int rc = 0;

	*nodes = *edges = 0;
	if (!snapshot && (rc = read_head(&head, store)) == 0)
		snapshot = head.ptr;
	if (rc == 0 && !snapshot_name_ok(snapshot))
		rc = xsm__error_set(ctx, XSM_EUSAGE, "invalid snapshot name '%s'", snapshot);
	if (rc == 0) {
		xsm_buf_printf(&rel, "graph/%s/meta.json", snapshot);
		xsm_buf_clear(meta);
		if ((rc = xsm_store_read(meta, store, rel.ptr, 16 << 20)) == XSM_ENOTFOUND)
			rc = xsm__error_set(ctx, XSM_ENOTFOUND, "no snapshot '%s'", snapshot);
	}
	if (rc == 0) {
		xsm_buf_clear(&rel);
		xsm_buf_printf(&rel, "graph/%s/labels.json", snapshot);
		if ((rc = xsm_store_read(&text, store, rel.ptr, 64 << 20)) == XSM_ENOTFOUND)
			xsm_ctx_clear(ctx);
	}
	if (rc == 0 && (rc = xsm__json_parse(&j, ctx, text.ptr, text.size, "labels.json: ")) == 0) {
		snprintf(id, 40, "%s", snapshot);
		*nodes = (size_t)xsm__json_num(xsm__json_get(j, "nodes"));
		*edges = (size_t)xsm__json_num(xsm__json_get(j, "edges"));
		for (int k = 0; k < 2 && rc == 0; k++)
			for (const xsm__json *c = xsm__json_child(xsm__json_get(j, k ? "edge_labels" : "node_labels")); c && rc == 0;
			     c = xsm__json_next(c))
				rc = cb(k, xsm__json_key(c), (size_t)xsm__json_num(c), payload);
	}
	xsm__json_free(j);
	xsm_buf_dispose(&head);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&text);
	return rc;
}

struct snaplist {
	int (*cb)(const char *, void *);
	void *payload;
	const xsm_store *store;
};

int xsm__graph_snapshot_complete(const xsm_store *store, const char *name)
{
	char rel[96];
	xsm_buf path = XSM_BUF_INIT;
	int yes;
	if (snprintf(rel, sizeof(rel), "graph/%s/meta.json", name) >= (int)sizeof(rel))
		return 0;
	yes = xsm__store_abspath(&path, store, rel) == 0 && xsm__fs_exists(path.ptr);
	xsm_buf_dispose(&path);
	return yes;
}

static int each_snapshot(const char *name, void *payload)
{
	struct snaplist *l = payload;
	if (strlen(name) < 16 || name[8] != 'T' || !xsm__graph_snapshot_complete(l->store, name))
		return 0; /* not a snapshot, or one being written (or left by a crashed build) */
	return l->cb(name, l->payload);
}

int xsm_graph_snapshots(xsm_store *store, int (*cb)(const char *, void *), void *payload)
{
	struct snaplist l = { cb, payload, store };
	return xsm_store_list(store, "graph", each_snapshot, &l);
}

/* --- filters -------------------------------------------------------------------------- */

enum { F_ID, F_LABEL, F_NAME, F_CATS, F_SOURCES, F_PROPS };

struct host {
	const xsm_graph *g;
};

static int host_resolve(void *h, const char *path, size_t len)
{
	const xsm_graph *g = h;
	uint32_t id;
	if (len == 2 && !memcmp(path, "id", 2))
		return F_ID;
	if (len == 5 && !memcmp(path, "label", 5))
		return F_LABEL;
	if (len == 4 && !memcmp(path, "name", 4))
		return F_NAME;
	if (len == 10 && !memcmp(path, "categories", 10))
		return F_CATS;
	if (len == 7 && !memcmp(path, "sources", 7))
		return F_SOURCES;
	if (len > 6 && !memcmp(path, "props.", 6)) {
		if (!xsm__strpool_find(&g->s, path + 6, len - 6, &id))
			return -1; /* no node has it: always null */
		return F_PROPS + (int)id;
	}
	return -2;
}

static void host_get(void *h, const void *item, int fid, xsm__expr_val *out)
{
	const xsm_graph *g = h;
	uint32_t i = (uint32_t)(uintptr_t)item;
	const xsm__node *nd = &g->nodes.v[i];
	const xsm__prop *p;

	memset(out, 0, sizeof(*out));
	switch (fid) {
	case F_ID: out->type = XSM_EV_STR; out->str = xsm__gstr(g, nd->id); return;
	case F_LABEL: out->type = XSM_EV_STR; out->str = xsm__gstr(g, nd->label); return;
	case F_NAME: out->type = XSM_EV_STR; out->str = xsm__gstr(g, nd->name); return;
	case F_CATS:
		out->type = XSM_EV_STRS; out->ids = &g->u32.v[nd->cats_off]; out->n = nd->cats_n; out->pool = &g->s;
		return;
	case F_SOURCES:
		out->type = XSM_EV_STRS; out->ids = &g->u32.v[nd->srcs_off]; out->n = nd->srcs_n; out->pool = &g->s;
		return;
	}
	if (!(p = xsm__graph_prop(g, i, (uint32_t)(fid - F_PROPS))))
		return;
	switch (p->type) {
	case XSM_V_BOOL: out->type = XSM_EV_BOOL; out->b = p->a != 0; break;
	case XSM_V_NUM: out->type = XSM_EV_NUM; out->num = p->num; break;
	case XSM_V_STR: out->type = XSM_EV_STR; out->str = xsm__gstr(g, p->a); break;
	case XSM_V_STRS: out->type = XSM_EV_STRS; out->ids = &g->u32.v[p->a]; out->n = p->b; out->pool = &g->s; break;
	case XSM_V_JSON: out->type = XSM_EV_STR; out->str = xsm__gstr(g, p->a); break;
	default: break;
	}
}

void xsm__graph_expr_host(xsm__expr_host *h, const xsm_graph *g)
{
	h->resolve = host_resolve;
	h->get = host_get;
	h->host = (void *)g;
	h->relate = xsm__graph_relate;
	h->in_set = xsm__graph_in_rel;
	h->witness = xsm__graph_rel_witness;
	h->set_free = xsm__graph_rel_free;
}

struct xsm_graph_filter {
	xsm__expr_host host;
	xsm__expr *e;
};

int xsm_graph_filter_new(xsm_graph_filter **out, const xsm_graph *g, const char *expr)
{
	xsm_graph_filter *f = xsm__calloc(1, sizeof(*f));
	int rc;
	*out = NULL;
	if (!f)
		return xsm__error_oom(g->ctx);
	xsm__graph_expr_host(&f->host, g);
	if ((rc = xsm__expr_compile(&f->e, g->ctx, expr, &f->host)) < 0) {
		xsm__free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int xsm_graph_filter_check(xsm_ctx *ctx, const char *expr)
{
	return xsm__expr_check(ctx, expr);
}

int xsm_graph_filter_match(const xsm_graph_filter *f, size_t i)
{
	return xsm__expr_eval(f->e, (const void *)(uintptr_t)i);
}

void xsm_graph_filter_free(xsm_graph_filter *f)
{
	if (!f)
		return;
	xsm__expr_free(f->e);
	xsm__free(f);
}
