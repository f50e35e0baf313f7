/* paths_read.c - reading stored attack paths; DOT pictures; blast radius. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapt/json.h"
#include "adapt/zstd.h"
#include "analysis/paths.h"
#include "analysis/paths_store.h"
#include "ctx.h"
#include "exposure/critical.h"
#include "exposure/paths.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/lines.h"
#include "util/strmap.h"
#include "util/vec.h"

struct step {
	const char *id, *name, *label, *edge;
};

struct pathrec {
	xsm_path_info info;
	size_t step_off, nsteps;
	uint64_t off, len;      /* the line in paths.jsonl (ids-only sets); in paths.bin.zst, the record and path number */
};

struct xsm_pathset {
	xsm_ctx *ctx;
	xsm__arena a;
	xsm__strmap by_id;     /* PathId -> index + 1, built on the first find */
	XSM__VEC(struct pathrec) p;
	XSM__VEC(struct step) s;
	char snapshot[40];
	char *chokes;
	size_t cut;
	int fd;                /* paths.jsonl, kept open for xsm_paths_line on ids-only sets */
	void *map;             /* or paths.jsonl.zst mapped, read through zr */
	size_t map_len;
	xsm__zr *zr;
	char *idx_text;        /* paths.idx, split in place: the fields of ids-only sets */
	xsm__pstore *ps;       /* or paths.bin.zst (mapped at map), whose text is made from its records ... */
	xsm_graph *g;          /* ... and the snapshot's graph (need_graph) */
	xsm_store *store;
	xsm_buf scratch, recs;
	int summarized;        /* READ_SUMMARY: no path read, paths.bin.zst's summary counts them */
};

void xsm_paths_free(xsm_pathset *set)
{
	if (!set)
		return;
	xsm__arena_free(&set->a);
	xsm__strmap_free(&set->by_id);
	xsm__vec_free(&set->p);
	xsm__vec_free(&set->s);
	xsm__free(set->chokes);
	xsm__free(set->idx_text);
	if (set->fd >= 0)
		close(set->fd);
	xsm__zr_free(set->zr);
	xsm__pstore_free(set->ps);
	xsm_graph_free(set->g);
	xsm_buf_dispose(&set->scratch);
	xsm_buf_dispose(&set->recs);
	if (set->map)
		munmap(set->map, set->map_len);
	xsm__free(set);
}

static const char *keep(xsm_pathset *set, const char *s)
{
	return s ? xsm__arena_strndup(&set->a, s, strlen(s)) : NULL;
}

/*
 * The snapshot's graph, loaded whole when a path's text is first made
 * from its record (a device scope applies to the paths, not to the graph
 * their records index); sets that only list paths never load it.
 */
static int need_graph(xsm_pathset *set)
{
	xsm_ctx *ctx = set->ctx;
	char *scope = ctx->scope;
	int rc;
	if (set->g)
		return 0;
	ctx->scope = NULL;
	rc = xsm_graph_load(&set->g, set->store, set->snapshot, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY);
	ctx->scope = scope;
	if (rc == 0)
		rc = xsm__pstore_graph(set->ps, set->g->nodes.n, set->g->edges.n);
	if (rc < 0 && set->g) {
		xsm_graph_free(set->g);
		set->g = NULL;
	}
	return rc;
}

static int parse_line(xsm_pathset *set, const char *line, size_t len, const char *where)
{
	xsm__json *j = NULL;
	struct pathrec r;
	const xsm__json *en, *tn, *st;
	int rc = xsm__json_parse(&j, set->ctx, line, len, where);

	if (rc < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	en = xsm__json_get(j, "entry");
	tn = xsm__json_get(j, "target");
	r.info.id = keep(set, xsm__json_getstr(j, "PathId"));
	r.info.scenario = keep(set, xsm__json_getstr(j, "scenario"));
	r.info.risk = xsm_risk_parse(xsm__json_getstr(j, "risk"));
	r.info.hops = (int)xsm__json_num(xsm__json_get(j, "hops"));
	r.info.entry_type = keep(set, xsm__json_getstr(en, "type"));
	r.info.entry_id = keep(set, xsm__json_getstr(en, "NodeId"));
	r.info.entry_name = keep(set, xsm__json_getstr(en, "NodeName"));
	r.info.entry_label = keep(set, xsm__json_getstr(en, "NodeLabel"));
	r.info.target_id = keep(set, xsm__json_getstr(tn, "NodeId"));
	r.info.target_name = keep(set, xsm__json_getstr(tn, "NodeName"));
	r.info.target_label = keep(set, xsm__json_getstr(tn, "NodeLabel"));
	r.info.target_classification = keep(set, xsm__json_getstr(tn, "classification"));
	r.info.target_level = (int)xsm__json_num(xsm__json_get(tn, "criticalityLevel"));
	r.info.json = xsm__arena_strndup(&set->a, line, len);
	if (!r.info.id || !r.info.entry_id || !r.info.target_id || r.info.risk < 0) {
		xsm__json_free(j);
		return xsm__error_set(set->ctx, XSM_EINVALID, "%sa path without id, entry, target or risk", where);
	}
	r.step_off = set->s.n;
	for (st = xsm__json_child(xsm__json_get(j, "steps")); st; st = xsm__json_next(st)) {
		struct step s = { keep(set, xsm__json_getstr(st, "NodeId")), keep(set, xsm__json_getstr(st, "NodeName")),
				  keep(set, xsm__json_getstr(st, "NodeLabel")), keep(set, xsm__json_getstr(st, "EdgeLabel")) };
		if (xsm__vec_push(&set->s, s) < 0) {
			xsm__json_free(j);
			return xsm__error_oom(set->ctx);
		}
		r.nsteps++;
	}
	{
		xsm_buf recs = XSM_BUF_INIT;
		for (st = xsm__json_child(xsm__json_get(j, "recommendations")); st; st = xsm__json_next(st))
			if (xsm__json_str(st) && (xsm_buf_puts(&recs, xsm__json_str(st)) < 0 || xsm_buf_putc(&recs, '\n') < 0))
				rc = XSM_ENOMEM;
		r.info.recommendations = keep(set, rc == 0 && recs.ptr ? recs.ptr : "");
		xsm_buf_dispose(&recs);
	}
	xsm__json_free(j);
	if (rc < 0 || !r.info.recommendations)
		return xsm__error_oom(set->ctx);
	return xsm__vec_push(&set->p, r) < 0 ? xsm__error_oom(set->ctx) : 0;
}

/*
 * A path known by its paths.idx line, split in place (the index text stays
 * with the set, so no field is copied): PathId, risk, offset, length, and
 * in current indexes hops, entry name and type, target name,
 * classification and level.
 */
static int index_entry(xsm_pathset *set, char *line)
{
	char *f[10], *endp;
	struct pathrec r;
	int n = 0;

	for (f[n++] = line; n < 10 && (line = strchr(line, '\t')) != NULL; f[n++] = ++line)
		*line = '\0';
	memset(&r, 0, sizeof(r));
	if (n < 4 || !*f[0] || strlen(f[0]) >= 40)
		return XSM_EINVALID;
	r.info.id = f[0];
	r.info.risk = (int)strtol(f[1], &endp, 10);
	if (*endp || r.info.risk < XSM_RISK_CRITICAL || r.info.risk > XSM_RISK_LOW)
		return XSM_EINVALID;
	r.off = strtoull(f[2], &endp, 10);
	if (*endp)
		return XSM_EINVALID;
	r.len = strtoull(f[3], &endp, 10);
	if (*endp)
		return XSM_EINVALID;
	r.info.target_level = 4;
	if (n == 10) {
		r.info.hops = (int)strtol(f[4], NULL, 10);
		r.info.entry_name = f[5];
		r.info.entry_type = f[6];
		r.info.target_name = f[7];
		r.info.target_classification = f[8];
		r.info.target_level = (int)strtol(f[9], NULL, 10);
	}
	return xsm__vec_push(&set->p, r) < 0 ? XSM_ENOMEM : 0;
}

int xsm_paths_line(const xsm_pathset *set, size_t i, xsm_buf *out)
{
	const struct pathrec *r;

	xsm_buf_clear(out);
	if (i >= set->p.n)
		return xsm__error_set(set->ctx, XSM_EUSAGE, "no path %zu", i);
	r = &set->p.v[i];
	if (r->info.json)
		return xsm_buf_puts(out, r->info.json) < 0 ? xsm__error_oom(set->ctx) : 0;
	if (set->ps) {
		/* the record read again and its text made: the set is a cache of the file */
		xsm_pathset *s = (xsm_pathset *)set;
		xsm__prec rec;
		int rc = need_graph(s);
		if (rc == 0)
			rc = xsm__pstore_read(s->ps, r->off, (uint32_t)r->len, &rec, NULL);
		if (rc == 0 && xsm__path_render(out, &s->scratch, NULL, s->g, NULL, &rec) < 0)
			rc = xsm__error_oom(set->ctx);
		return rc;
	}
	if ((set->fd < 0 && !set->zr) || r->len > (64u << 20))
		return xsm__error_set(set->ctx, XSM_EINVALID, "path %s has no stored line", r->info.id);
	if (xsm_buf_grow(out, (size_t)r->len + 1) < 0)
		return xsm__error_oom(set->ctx);
	if (set->zr) {
		int rc = xsm__zr_read(set->zr, r->off, (size_t)r->len, out->ptr);
		if (rc == XSM_ENOMEM)
			return rc;
		if (rc < 0)
			return xsm__error_set(set->ctx, XSM_EINVALID, "graph/%s/paths.idx does not match paths.jsonl.zst",
					      set->snapshot);
	} else if (pread(set->fd, out->ptr, (size_t)r->len, (off_t)r->off) != (ssize_t)r->len)
		return xsm__error_set(set->ctx, XSM_EINVALID, "graph/%s/paths.idx does not match paths.jsonl",
				      set->snapshot);
	out->size = (size_t)r->len;
	out->ptr[out->size] = '\0';
	return 0;
}

/* what to read of a snapshot's paths: READ_SUMMARY is READ_IDS where paths.bin.zst has no summary */
enum { READ_ALL, READ_IDS, READ_SUMMARY };

/* a compressed file read whole (b) replaced by its plain text */
static int unpack(xsm_buf *b, xsm_ctx *ctx, const char *what)
{
	xsm_buf plain = XSM_BUF_INIT;
	xsm__zr *zr = NULL;
	int rc = xsm__zr_open(&zr, ctx, b->ptr, b->size, what);
	if (rc == 0 && xsm_buf_grow(&plain, (size_t)xsm__zr_size(zr) + 1) < 0)
		rc = xsm__error_oom(ctx);
	for (size_t i = 0; rc == 0 && i < xsm__zr_nframes(zr); i++)
		if (xsm__zr_frame(zr, i, plain.ptr + xsm__zr_frame_off(zr, i)) < 0)
			rc = xsm__error_set(ctx, XSM_EINVALID, "'%s': frame %zu is damaged", what, i);
	if (rc == 0) {
		plain.size = (size_t)xsm__zr_size(zr);
		plain.ptr[plain.size] = '\0';
		xsm_buf_dispose(b);
		*b = plain;
		plain = (xsm_buf)XSM_BUF_INIT;
	}
	xsm__zr_free(zr);
	xsm_buf_dispose(&plain);
	return rc;
}

/*
 * Every path as paths.idx describes it, without parsing paths.jsonl.
 * XSM_ENOTFOUND when the snapshot has no index (older builds).
 */
static int read_indexed(xsm_pathset *set, xsm_store *store, const char *snapshot)
{
	xsm_buf rel = XSM_BUF_INIT, idx = XSM_BUF_INIT;
	char *p, *end;
	int rc;

	if (xsm_buf_printf(&rel, "graph/%s/paths.idx.zst", snapshot) < 0)
		return xsm__error_oom(set->ctx);
	if ((rc = xsm_store_read(&idx, store, rel.ptr, (size_t)1 << 34)) == 0) {
		rc = unpack(&idx, set->ctx, rel.ptr);
	} else if (rc == XSM_ENOTFOUND) {
		/* snapshots of earlier versions */
		xsm_ctx_clear(set->ctx);
		xsm_buf_clear(&rel);
		rc = xsm_buf_printf(&rel, "graph/%s/paths.idx", snapshot) < 0 ? xsm__error_oom(set->ctx)
									      : xsm_store_read(&idx, store, rel.ptr, (size_t)1 << 34);
	}
	if (rc < 0) {
		if (rc == XSM_ENOTFOUND)
			xsm_ctx_clear(set->ctx);
		goto done;
	}
	for (p = idx.ptr; rc == 0 && p && *p; p = end + 1) {
		if (!(end = strchr(p, '\n'))) {
			rc = XSM_EINVALID;
			break;
		}
		*end = '\0';
		rc = index_entry(set, p);
	}
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(set->ctx);
	else if (rc < 0)
		rc = xsm__error_set(set->ctx, XSM_EINVALID, "%s: unreadable line", rel.ptr);
	else
		set->idx_text = xsm_buf_detach(&idx);
done:
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&idx);
	return rc;
}

/* paths.jsonl.zst mapped, its seek table read: nothing is decompressed yet */
static int map_paths(xsm_pathset *set, int fd, const char *rel)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return xsm__error_errno(set->ctx, XSM_EIO, "cannot read '%s'", rel);
	set->map_len = (size_t)sb.st_size;
	if (!set->map_len || (set->map = mmap(NULL, set->map_len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		set->map = NULL;
		return set->map_len ? xsm__error_errno(set->ctx, XSM_EIO, "cannot map '%s'", rel)
				    : xsm__error_set(set->ctx, XSM_EINVALID, "'%s' is empty", rel);
	}
	return xsm__zr_open(&set->zr, set->ctx, set->map, set->map_len, rel);
}

/* every line of paths.jsonl.zst parsed, a frame at a time (a line may span frames) */
static int parse_frames(xsm_pathset *set, const char *rel)
{
	xsm_buf b = XSM_BUF_INIT;
	size_t lineno = 0, i;
	int rc = 0;
	for (i = 0; rc == 0 && i < xsm__zr_nframes(set->zr); i++) {
		size_t flen = xsm__zr_frame_len(set->zr, i), at = 0;
		if (xsm_buf_grow(&b, flen + 1) < 0) {
			rc = xsm__error_oom(set->ctx);
			break;
		}
		if (xsm__zr_frame(set->zr, i, b.ptr + b.size) < 0) {
			rc = xsm__error_set(set->ctx, XSM_EINVALID, "'%s': frame %zu is damaged", rel, i);
			break;
		}
		b.size += flen;
		for (;;) {
			char *nl = memchr(b.ptr + at, '\n', b.size - at), where[96];
			if (!nl)
				break;
			lineno++;
			snprintf(where, sizeof(where), "%s:%zu: ", rel, lineno);
			if (nl > b.ptr + at && (rc = parse_line(set, b.ptr + at, (size_t)(nl - b.ptr - at), where)) < 0)
				break;
			at = (size_t)(nl - b.ptr) + 1;
		}
		/* the part line left for the next frame moves to the front */
		memmove(b.ptr, b.ptr + at, b.size - at);
		b.size -= at;
	}
	if (rc == 0 && b.size)
		rc = xsm__error_set(set->ctx, XSM_EINVALID, "%s: the last line is cut short", rel);
	xsm_buf_dispose(&b);
	return rc;
}

/* --- paths.bin.zst: records made into paths with the snapshot's graph ----------------------- */

/*
 * what to read of a binary snapshot: the paths of a target and/or an entry
 * point, or one PathId; or (serious) the first paths most serious first,
 * up to first of them and while at or above max_risk, as an index gives
 * them
 */
struct pick {
	const char *target, *entry, *id;
	int serious, max_risk;
	size_t first;
};

/* one record into the set: every field (full), or what an index gives (ids-only sets) */
static int bin_path(xsm_pathset *set, const xsm__prec *r, uint64_t off, int full)
{
	const xsm_graph *g = set->g;
	struct pathrec x;
	char id[20];
	int rc = 0;

	/* the PathId hashes the ends' NodeIds: a record and an index that do not belong together are caught */
	xsm_buf_clear(&set->scratch);
	if (xsm_buf_puts(&set->scratch, r->entry_id) < 0 || xsm_buf_putc(&set->scratch, '|') < 0 ||
	    xsm_buf_puts(&set->scratch, r->target_id) < 0)
		return xsm__error_oom(set->ctx);
	if (xsm__hash(set->scratch.ptr, set->scratch.size) != r->hid)
		return xsm__error_set(set->ctx, XSM_EINVALID, "graph/%s/paths.bin.zst is damaged (a path and its ends differ)",
				      set->snapshot);
	/* with the graph, the record's nodes must be the ends the index names */
	if (g && (strcmp(xsm__gstr(g, g->nodes.v[r->entry].id), r->entry_id) ||
		  strcmp(xsm__gstr(g, g->nodes.v[r->target].id), r->target_id)))
		return xsm__error_set(set->ctx, XSM_EINVALID, "graph/%s/paths.bin.zst does not match the snapshot's graph",
				      set->snapshot);
	memset(&x, 0, sizeof(x));
	xsm__hex_id(id, "ap-", r->hid);
	x.info.id = xsm__arena_strndup(&set->a, id, 19);
	x.info.risk = r->risk;
	x.info.hops = r->hops;
	x.info.target_level = r->level;
	x.info.entry_type = r->etype;
	x.info.target_classification = r->cls;
	x.info.entry_id = r->entry_id;
	x.info.entry_name = r->entry_name;
	x.info.entry_label = r->entry_label;
	x.info.target_id = r->target_id;
	x.info.target_name = r->target_name;
	x.info.target_label = r->target_label;
	x.off = off;
	x.len = r->no;
	x.step_off = set->s.n;
	if (full) {
		xsm_buf line = XSM_BUF_INIT;
		xsm_buf_clear(&set->recs);
		if ((rc = xsm__path_render(&line, &set->scratch, &set->recs, g, NULL, r)) == 0 &&
		    (rc = xsm__paths_scenario(&set->scratch, r->etype, r->cls)) == 0) {
			x.info.json = xsm__arena_strndup(&set->a, line.ptr, line.size);
			x.info.scenario = xsm__arena_strndup(&set->a, set->scratch.ptr, set->scratch.size);
			x.info.recommendations = xsm__arena_strndup(&set->a, set->recs.ptr ? set->recs.ptr : "", set->recs.size);
			if (!x.info.json || !x.info.scenario || !x.info.recommendations)
				rc = XSM_ENOMEM;
		}
		xsm_buf_dispose(&line);
		for (int k = 0; rc == 0 && k <= r->hops; k++) {
			const xsm__node *nd = &g->nodes.v[r->nodes[k]];
			struct step st = { xsm__gstr(g, nd->id), xsm__gstr(g, nd->name), xsm__gstr(g, nd->label),
					   k < r->hops ? xsm__gstr(g, g->edges.v[r->edges[k]].label) : NULL };
			rc = xsm__vec_push(&set->s, st);
			x.nsteps++;
		}
	}
	if (rc < 0 || !x.info.id || xsm__vec_push(&set->p, x) < 0)
		return xsm__error_oom(set->ctx);
	return 0;
}

/* n records from off, path numbers from no */
static int bin_run(xsm_pathset *set, uint64_t off, uint32_t no, size_t n, int full)
{
	xsm__prec r;
	int rc = full ? need_graph(set) : 0;
	for (size_t k = 0; k < n && rc == 0; k++)
		if ((rc = xsm__pstore_read(set->ps, off, no + (uint32_t)k, &r, &off)) == 0)
			rc = bin_path(set, &r, off - XSM__PS_HEAD - ((size_t)r.hops * 2 + 1) * 4, full);
	return rc;
}

/*
 * A target's or entry point's node from what names it: its NodeId, or
 * the name of such a node with paths (the first in path order, as a
 * search of every path would find it); UINT32_MAX when none.
 */
static int bin_node(xsm_pathset *set, const char *ref, int entries, uint32_t *node)
{
	uint32_t *ends = NULL, best = UINT32_MAX;
	const char *name, *label;
	size_t n, i;
	int rc;

	*node = UINT32_MAX;
	if ((rc = xsm__pstore_ends(set->ps, entries, &ends, &n)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		if (!strcmp(xsm__pstore_end(set->ps, entries, ends[i], &name, &label), ref))
			*node = ends[i];
	for (i = 0; *node == UINT32_MAX && i < n && rc == 0; i++) {
		uint32_t count, *paths = NULL;
		xsm__pstore_end(set->ps, entries, ends[i], &name, &label);
		if (strcmp(name, ref))
			continue;
		if (!entries) {
			*node = ends[i]; /* targets' paths come in node order */
			break;
		}
		if ((rc = xsm__pstore_entry(set->ps, ends[i], &paths, &count)) == 0 && count && paths[0] < best) {
			best = paths[0];
			*node = ends[i];
		}
		xsm__free(paths);
	}
	xsm__free(ends);
	return rc;
}

/* the paths pk asks for, each record read once and no other */
static int bin_pick(xsm_pathset *set, const struct pick *pk)
{
	uint32_t tnode = UINT32_MAX, enode = UINT32_MAX, first = 0, count = 0, *paths = NULL, npaths = 0;
	uint64_t off = 0;
	int rc = 0;

	if (pk->serious) {
		size_t n = xsm__pstore_count(set->ps), at, k, j;
		uint32_t chunk[256];
		for (at = 0; at < n && set->p.n < pk->first && rc == 0; at += k) {
			k = n - at < 256 ? n - at : 256;
			rc = xsm__pstore_serious(set->ps, at, k, chunk);
			for (j = 0; j < k && rc == 0 && set->p.n < pk->first; j++)
				if ((rc = xsm__pstore_offset(set->ps, chunk[j], &off)) == 0 &&
				    (rc = bin_run(set, off, chunk[j], 1, 0)) == 0 &&
				    set->p.v[set->p.n - 1].info.risk > pk->max_risk) {
					set->p.n--; /* past the risk asked for: so are the rest */
					k = n - at;
					break;
				}
		}
		return rc;
	}
	if (pk->id) {
		char *end = NULL;
		uint64_t hid;
		int64_t no;
		if (strncmp(pk->id, "ap-", 3) || strlen(pk->id) != 19)
			return 0;
		hid = strtoull(pk->id + 3, &end, 16);
		if (*end || (no = xsm__pstore_find(set->ps, hid)) == -1)
			return 0;
		if (no < 0 || (rc = xsm__pstore_offset(set->ps, (uint32_t)no, &off)) < 0)
			return no < 0 ? (int)no : rc;
		return bin_run(set, off, (uint32_t)no, 1, 1);
	}
	if ((pk->target && (rc = bin_node(set, pk->target, 0, &tnode)) < 0) ||
	    (pk->entry && (rc = bin_node(set, pk->entry, 1, &enode)) < 0))
		return rc;
	if ((pk->target && tnode == UINT32_MAX) || (pk->entry && enode == UINT32_MAX))
		return 0;
	if (tnode != UINT32_MAX && (rc = xsm__pstore_target(set->ps, tnode, &first, &off, &count)) < 0)
		return rc;
	if (!pk->entry)
		return bin_run(set, off, first, count, 1);
	/* an entry point's paths, within the target's when both are asked for */
	if ((rc = xsm__pstore_entry(set->ps, enode, &paths, &npaths)) < 0)
		return rc;
	for (uint32_t k = 0; k < npaths && rc == 0; k++) {
		if (pk->target && (paths[k] < first || paths[k] >= first + count))
			continue;
		if ((rc = xsm__pstore_offset(set->ps, paths[k], &off)) == 0)
			rc = bin_run(set, off, paths[k], 1, 1);
	}
	xsm__free(paths);
	return rc;
}

/*
 * paths.bin.zst of snapshot mapped and its index read (the graph is
 * loaded when a path's text is made).  XSM_ENOTFOUND (context clear) when
 * the snapshot stores its paths otherwise.
 */
static int bin_open(xsm_pathset *set, xsm_store *store, const char *snapshot)
{
	xsm_ctx *ctx = set->ctx;
	xsm_buf rel = XSM_BUF_INIT;
	int fd, rc;

	xsm_buf_printf(&rel, "graph/%s/paths.bin.zst", snapshot);
	if (!rel.ptr)
		return xsm__error_oom(ctx);
	if ((fd = xsm__store_open(store, rel.ptr)) < 0) {
		if (fd == XSM_ENOTFOUND)
			xsm_ctx_clear(ctx);
		xsm_buf_dispose(&rel);
		return fd;
	}
	rc = map_paths(set, fd, rel.ptr);
	close(fd);
	/* map_paths opened a plain reader over it: the records' reader replaces it */
	xsm__zr_free(set->zr);
	set->zr = NULL;
	set->store = store;
	if (rc == 0)
		rc = xsm__pstore_open(&set->ps, ctx, set->map, set->map_len, rel.ptr);
	xsm_buf_dispose(&rel);
	return rc;
}

/* every path of the binary store (mode READ_ALL or READ_IDS), those pk picks, or none (a summary) */
static int bin_read(xsm_pathset *set, int mode, const struct pick *pk)
{
	size_t n = xsm__pstore_count(set->ps);
	int rc = 0;
	if (pk)
		rc = bin_pick(set, pk);
	else if (mode == READ_SUMMARY && xsm__pstore_has_summary(set->ps))
		set->summarized = 1;
	else
		rc = bin_run(set, 0, 0, n, mode == READ_ALL);
	xsm__log(set->ctx, "paths: %llu of %zu path records read", (unsigned long long)xsm__pstore_reads(set->ps), n);
	return rc;
}

static int load_paths(xsm_pathset **out, xsm_store *store, const char *snapshot, int mode, const struct pick *pk)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_pathset *set = xsm__calloc(1, sizeof(*set));
	xsm_buf head = XSM_BUF_INIT, rel = XSM_BUF_INIT, path = XSM_BUF_INIT, ch = XSM_BUF_INIT;
	xsm__lines r;
	const char *line;
	size_t len;
	int rc = 0, fd = -1, n;

	*out = NULL;
	if (!set)
		return xsm__error_oom(ctx);
	set->ctx = ctx;
	set->fd = -1;
	if (!snapshot) {
		rc = xsm_store_read(&head, store, "graph/HEAD", 4096);
		if (rc == XSM_ENOTFOUND)
			rc = xsm__error_set(ctx, XSM_ENOINPUT, "no graph yet; run 'xsm graph build' (or ingest records)");
		if (rc < 0)
			goto done;
		while (head.size && (head.ptr[head.size - 1] == '\n'))
			head.ptr[--head.size] = '\0';
		snapshot = head.ptr;
	}
	if (strstr(snapshot, "/") || strstr(snapshot, "..") || strlen(snapshot) >= sizeof(set->snapshot)) {
		rc = xsm__error_set(ctx, XSM_EUSAGE, "invalid snapshot name '%s'", snapshot);
		goto done;
	}
	snprintf(set->snapshot, sizeof(set->snapshot), "%s", snapshot);
	/* paths.bin.zst; snapshots of earlier versions have paths.jsonl.zst or paths.jsonl */
	if ((rc = bin_open(set, store, snapshot)) == 0) {
		if ((rc = bin_read(set, mode, pk)) < 0)
			goto done;
		goto chokes;
	}
	if (rc != XSM_ENOTFOUND)
		goto done;
	rc = 0;
	xsm_buf_printf(&rel, "graph/%s/paths.jsonl.zst", snapshot);
	if ((rc = xsm__store_abspath(&path, store, rel.ptr)) < 0)
		goto done;
	/* no link followed */
	if ((fd = xsm__store_open(store, rel.ptr)) >= 0) {
		if ((rc = map_paths(set, fd, rel.ptr)) < 0)
			goto done;
		close(fd);
		fd = -1;
	} else if (fd == XSM_ENOTFOUND) {
		xsm_ctx_clear(ctx);
		xsm_buf_clear(&rel);
		xsm_buf_printf(&rel, "graph/%s/paths.jsonl", snapshot);
		xsm_buf_clear(&path);
		if ((rc = xsm__store_abspath(&path, store, rel.ptr)) < 0)
			goto done;
		fd = xsm__store_open(store, rel.ptr);
	}
	if (fd < 0 && !set->zr) {
		rc = fd != XSM_ENOTFOUND ? fd : xsm__error_set(ctx, XSM_ENOINPUT, "snapshot '%s' has no attack paths (built by an older xsm?)", snapshot);
		goto done;
	}
	if (mode != READ_ALL && (rc = read_indexed(set, store, snapshot)) != XSM_ENOTFOUND) {
		if (rc < 0)
			goto done;
	} else if (set->zr) {
		if ((rc = parse_frames(set, rel.ptr)) < 0)
			goto done;
	} else {
		if (xsm__lines_init(&r, fd, 64u << 20) < 0) {
			rc = xsm__error_oom(ctx);
			goto done;
		}
		rc = 0;
		while (rc == 0 && (n = xsm__lines_next(&r, &line, &len)) != 0) {
			char where[96];
			if (n < 0) {
				rc = xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: unreadable line", rel.ptr, r.lineno);
				break;
			}
			if (!len)
				continue;
			snprintf(where, sizeof(where), "%s:%zu: ", rel.ptr, r.lineno);
			rc = parse_line(set, line, len, where);
		}
		xsm__lines_free(&r);
		if (rc < 0)
			goto done;
	}
chokes:
	xsm_buf_clear(&rel);
	xsm_buf_printf(&rel, "graph/%s/chokepoints.json", snapshot);
	if (xsm_store_read(&ch, store, rel.ptr, 64 << 20) < 0) {
		xsm_ctx_clear(ctx);
		xsm_buf_set(&ch, "{\"schema\":\"xsm.paths.chokepoints/1\",\"chokepoints\":[]}");
	}
	{
		xsm__json *cj = NULL;
		if (xsm__json_parse(&cj, ctx, ch.ptr, ch.size, "chokepoints.json: ") == 0)
			set->cut = (size_t)xsm__json_num(xsm__json_get(cj, "paths_cut"));
		xsm_ctx_clear(ctx);
		xsm__json_free(cj);
	}
	set->chokes = xsm_buf_detach(&ch);
done:
	if (rc == 0 && mode != READ_ALL && fd >= 0) {
		set->fd = fd; /* lines are read when asked for */
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	xsm_buf_dispose(&head);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&ch);
	if (rc < 0)
		xsm_paths_free(set);
	else
		*out = set;
	return rc;
}

/*
 * Under a device scope (xsm_ctx_set_scope): no path at all, or only the
 * paths every node of which the scoped graph still has; choke points are
 * counted over every path, so none is shown.
 */
static int apply_scope(xsm_pathset *set, xsm_store *store)
{
	xsm_graph *g = NULL;
	size_t i, k, j;
	int rc = 0;

	xsm__free(set->chokes);
	set->chokes = xsm__strdup("{\"schema\":\"xsm.paths.chokepoints/1\",\"chokepoints\":[]}");
	set->cut = 0;
	if (!set->chokes)
		return xsm__error_oom(set->ctx);
	if (!set->ctx->scope_paths) {
		set->p.n = 0;
		return 0;
	}
	if ((rc = xsm_graph_load(&g, store, set->snapshot, XSM_LOAD_NO_EDGE_PROPS)) < 0)
		return rc;
	for (i = k = 0; i < set->p.n; i++) {
		const struct pathrec *r = &set->p.v[i];
		for (j = 0; j < r->nsteps; j++) {
			const char *id = set->s.v[r->step_off + j].id;
			uint32_t v;
			if (!xsm__graph_node_by_id(g, id, strlen(id), &v))
				break;
		}
		if (j == r->nsteps)
			set->p.v[k++] = *r;
	}
	set->p.n = k;
	xsm_graph_free(g);
	return 0;
}

static int load_scoped(xsm_pathset **out, xsm_store *store, const char *snapshot, int mode, const struct pick *pk)
{
	int rc;
	if (!xsm_store_ctx(store)->scope)
		return load_paths(out, store, snapshot, mode, pk);
	/* the node ids of every step are needed to judge a path */
	if ((rc = load_paths(out, store, snapshot, READ_ALL, pk)) < 0)
		return rc;
	if ((rc = apply_scope(*out, store)) < 0) {
		xsm_paths_free(*out);
		*out = NULL;
	}
	return rc;
}

int xsm_paths_load(xsm_pathset **out, xsm_store *store, const char *snapshot)
{
	return load_scoped(out, store, snapshot, READ_ALL, NULL);
}

int xsm_paths_load_match(xsm_pathset **out, xsm_store *store, const char *snapshot, const char *target,
			 const char *entry, const char *id)
{
	struct pick pk = { target, entry, id, 0, 0, 0 };
	return load_scoped(out, store, snapshot, READ_ALL, target || entry || id ? &pk : NULL);
}

int xsm_paths_load_serious(xsm_pathset **out, xsm_store *store, const char *snapshot, size_t n, int min_risk)
{
	struct pick pk = { NULL, NULL, NULL, 1, min_risk, n };
	/* a scope drops paths after they are read: then every path is read */
	if (xsm_store_ctx(store)->scope)
		return load_scoped(out, store, snapshot, READ_IDS, NULL);
	return load_paths(out, store, snapshot, READ_IDS, &pk);
}

int xsm_paths_load_ids(xsm_pathset **out, xsm_store *store, const char *snapshot)
{
	return load_scoped(out, store, snapshot, READ_IDS, NULL);
}

/* --- the summary ------------------------------------------------------------------------- */

struct summary {
	xsm_paths_summary pub;  /* first: the caller's pointer is the summary's */
	xsm_pathset *set;       /* what the names are borrowed from */
	xsm_paths_tally *t[3];  /* scenarios, targets, entry points */
	const char **scen;      /* the scenarios' names, each once */
	size_t nscen;
};

void xsm_paths_summary_free(xsm_paths_summary *pub)
{
	struct summary *s = (struct summary *)pub;
	if (!s)
		return;
	xsm_paths_free(s->set);
	for (int k = 0; k < 3; k++)
		xsm__free(s->t[k]);
	xsm__free(s->scen);
	xsm__free(s);
}

static int cmp_tally(const void *a, const void *b)
{
	const xsm_paths_tally *x = a, *y = b;
	if (x->paths != y->paths)
		return x->paths > y->paths ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const xsm_paths_tally *)a)->name, ((const xsm_paths_tally *)b)->name);
}

/* the same string by its address: a binary path set names each end once, whatever its paths */
static int cmp_addr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const xsm_paths_tally *)a)->name, y = (uintptr_t)((const xsm_paths_tally *)b)->name;
	return x < y ? -1 : x > y;
}

/* equal neighbours of t[0..n) (by cmp) into one (name, summed count), in place; returns how many */
static size_t tally_merge(xsm_paths_tally *t, size_t n, int (*cmp)(const void *, const void *))
{
	size_t m = 0;
	if (n > 1)
		qsort(t, n, sizeof(*t), cmp);
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp(&t[m - 1], &t[i])) {
			t[m - 1].paths += t[i].paths;
			continue;
		}
		t[m++] = t[i];
	}
	return m;
}

/*
 * t[0..n) holds (name, paths) pairs, a name in any number of them (one a
 * path, or one a row of counts): gathered into one a name in place, most
 * paths first, then by name; returns how many.  Names are merged by
 * address first, then by text: millions of paths share a few thousand
 * strings.  The result is the same for any split of the counts.
 */
static size_t tally_count(xsm_paths_tally *t, size_t n)
{
	size_t m = tally_merge(t, tally_merge(t, n, cmp_addr), cmp_name);
	if (m > 1)
		qsort(t, m, sizeof(*t), cmp_tally);
	return m;
}

/* "<entry type> -> <classification>" (up to 511 bytes, as `paths summary` always named it), each name once */
static const char *scenario_name(struct summary *s, const char *etype, const char *cls)
{
	char buf[512];
	size_t k;
	snprintf(buf, sizeof(buf), "%s -> %s", etype ? etype : "", cls ? cls : "");
	for (k = 0; k < s->nscen; k++)
		if (!strcmp(s->scen[k], buf))
			return s->scen[k];
	if (!(s->nscen & (s->nscen + 1))) { /* 0, 1, 3, 7...: full */
		const char **v = xsm__realloc(s->scen, (s->nscen * 2 + 2) * sizeof(*v));
		if (!v)
			return NULL;
		s->scen = v;
	}
	return s->scen[s->nscen++] = keep(s->set, buf);
}

/* the three lists' room: n pairs each */
static int summary_alloc(struct summary *s, size_t n)
{
	for (int k = 0; k < 3; k++)
		if (!(s->t[k] = xsm__calloc(n + 1, sizeof(xsm_paths_tally))))
			return xsm__error_oom(s->set->ctx);
	return 0;
}

/* counted from every path of the set (lists: the three lists too) */
static int summary_of_paths(struct summary *s, size_t *n, int lists)
{
	xsm_pathset *set = s->set;
	size_t np = set->p.n;
	int rc;

	s->pub.paths = np;
	for (size_t i = 0; i < np; i++)
		s->pub.by_risk[set->p.v[i].info.risk & 3]++;
	if (!lists)
		return 0;
	if ((rc = summary_alloc(s, np)) < 0)
		return rc;
	for (size_t i = 0; i < np; i++) {
		const xsm_path_info *p = &set->p.v[i].info;
		s->t[0][i] = (xsm_paths_tally){ p->scenario ? p->scenario : scenario_name(s, p->entry_type, p->target_classification), 1 };
		s->t[1][i] = (xsm_paths_tally){ p->target_name ? p->target_name : "", 1 };
		s->t[2][i] = (xsm_paths_tally){ p->entry_name ? p->entry_name : "", 1 };
		if (!s->t[0][i].name)
			return xsm__error_oom(set->ctx);
	}
	n[0] = n[1] = n[2] = np;
	return 0;
}

/* from paths.bin.zst's summary, and its targets' and entry points' counts (lists: the three lists too) */
static int summary_of_store(struct summary *s, size_t *n, int lists)
{
	xsm__pstore *ps = s->set->ps;
	xsm__ps_sumrow *rows = NULL;
	size_t nrows, ne[2] = { xsm__pstore_nends(ps, 0), xsm__pstore_nends(ps, 1) }, i, most;
	int rc;

	if ((rc = xsm__pstore_summary(ps, &rows, &nrows)) < 0)
		return rc;
	s->pub.paths = xsm__pstore_count(ps);
	for (i = 0; i < nrows; i++)
		s->pub.by_risk[rows[i].risk & 3] += rows[i].paths;
	most = nrows > ne[0] ? nrows : ne[0];
	if (!lists || (rc = summary_alloc(s, most > ne[1] ? most : ne[1])) < 0) {
		xsm__free(rows);
		return rc;
	}
	for (i = 0; i < nrows; i++) {
		s->t[0][i] = (xsm_paths_tally){ scenario_name(s, rows[i].etype, rows[i].cls), rows[i].paths };
		if (!s->t[0][i].name) {
			xsm__free(rows);
			return xsm__error_oom(s->set->ctx);
		}
	}
	xsm__free(rows);
	n[0] = nrows;
	for (int e = 0; e < 2; e++) {
		for (i = 0; i < ne[e]; i++) {
			uint32_t count;
			const char *name = xsm__pstore_end_at(ps, e, i, &count);
			s->t[1 + e][i] = (xsm_paths_tally){ name, count };
		}
		n[1 + e] = ne[e];
	}
	return 0;
}

int xsm_paths_summary_load(xsm_paths_summary **out, xsm_store *store, const char *snapshot, unsigned flags)
{
	int lists = !(flags & XSM_PATHS_SUMMARY_RISK_ONLY);
	xsm_ctx *ctx = xsm_store_ctx(store);
	struct summary *s = xsm__calloc(1, sizeof(*s));
	xsm_pathset *set = NULL;
	size_t n[3] = { 0 };
	int rc;

	*out = NULL;
	if (!s)
		return xsm__error_oom(ctx);
	/* the build's counts are of every path: a scope, which drops paths, reads them */
	rc = load_scoped(&set, store, snapshot, READ_SUMMARY, NULL);
	if (rc == 0 && lists && !set->summarized && set->p.n && !set->p.v[0].info.entry_type) {
		/* an index of an older build names no ends: every path is parsed */
		xsm_paths_free(set);
		set = NULL;
		rc = xsm_paths_load(&set, store, snapshot);
	}
	s->set = set;
	if (rc == 0)
		rc = set->summarized ? summary_of_store(s, n, lists) : summary_of_paths(s, n, lists);
	if (rc < 0) {
		xsm_paths_summary_free(&s->pub);
		return rc;
	}
	s->pub.nscenarios = tally_count(s->t[0], n[0]);
	s->pub.ntargets = tally_count(s->t[1], n[1]);
	s->pub.nentry_points = tally_count(s->t[2], n[2]);
	s->pub.scenarios = s->t[0];
	s->pub.targets = s->t[1];
	s->pub.entry_points = s->t[2];
	s->pub.snapshot = set->snapshot;
	s->pub.cut = set->cut;
	s->pub.chokepoints = xsm_paths_chokepoints(set);
	*out = &s->pub;
	return 0;
}

const char *xsm_paths_snapshot(const xsm_pathset *set) { return set->snapshot; }
size_t xsm_paths_count(const xsm_pathset *set) { return set->p.n; }
int xsm_paths_cmp_serious(const xsm_path_info *x, const xsm_path_info *y)
{
	if (x->risk != y->risk)
		return x->risk < y->risk ? -1 : 1;
	if (x->target_level != y->target_level)
		return x->target_level < y->target_level ? -1 : 1;
	if (x->hops != y->hops)
		return x->hops < y->hops ? -1 : 1;
	return strcmp(x->id, y->id);
}

const xsm_path_info *xsm_paths_get(const xsm_pathset *set, size_t i) { return &set->p.v[i].info; }
const char *xsm_paths_chokepoints(const xsm_pathset *set) { return set->chokes ? set->chokes : "{}"; }
size_t xsm_paths_cut(const xsm_pathset *set) { return set->cut; }

long xsm_paths_find(const xsm_pathset *set, const char *id)
{
	xsm_pathset *s = (xsm_pathset *)set; /* the index is a cache: the set stays the same */
	uint64_t v;
	size_t i;

	if (!s->by_id.n && s->p.n) {
		if (xsm__strmap_reserve(&s->by_id, s->p.n) < 0)
			goto linear;
		for (i = 0; i < s->p.n; i++)
			if (xsm__strmap_put(&s->by_id, s->p.v[i].info.id, i + 1) < 0) {
				xsm__strmap_free(&s->by_id);
				goto linear;
			}
	}
	return xsm__strmap_get(&s->by_id, id, strlen(id), &v) ? (long)v - 1 : -1;
linear:
	for (i = 0; i < set->p.n; i++)
		if (!strcmp(set->p.v[i].info.id, id))
			return (long)i;
	return -1;
}

int xsm_paths_step(const xsm_pathset *set, size_t i, size_t k, const char **id, const char **name,
		   const char **label, const char **edge)
{
	const struct pathrec *r = &set->p.v[i];
	const struct step *s;
	if (k >= r->nsteps)
		return XSM_ITEROVER;
	s = &set->s.v[r->step_off + k];
	*id = s->id;
	*name = s->name;
	*label = s->label;
	*edge = s->edge;
	return 0;
}

static void dot_str(xsm_buf *b, const char *s)
{
	xsm_buf_putc(b, '"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			xsm_buf_putc(b, '\\');
		xsm_buf_putc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
	xsm_buf_putc(b, '"');
}

int xsm_paths_dot(xsm_buf *out, const xsm_pathset *set, const size_t *idx, size_t n)
{
	xsm__strmap seen = { 0 }, eseen = { 0 };
	static const char *risk_color[] = { "#b00020", "#e65100", "#f9a825", "#607d8b" };
	size_t i, k;

	xsm_buf_puts(out, "digraph attack_paths {\n  graph [rankdir=LR, fontname=\"Helvetica\", label=\"xsm attack paths\"];\n"
			  "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eceff1\", fontname=\"Helvetica\", fontsize=10];\n"
			  "  edge [fontname=\"Helvetica\", fontsize=9];\n");
	for (i = 0; i < n; i++) {
		const struct pathrec *r = &set->p.v[idx[i]];
		for (k = 0; k < r->nsteps; k++) {
			const struct step *s = &set->s.v[r->step_off + k];
			uint64_t *slot;
			int created;
			if (xsm__strmap_slot(&seen, s->id, strlen(s->id), &slot, &created) < 0)
				goto oom;
			if (!created)
				continue;
			xsm_buf_puts(out, "  ");
			dot_str(out, s->id);
			xsm_buf_puts(out, " [label=");
			{
				xsm_buf l = XSM_BUF_INIT;
				xsm_buf_printf(&l, "%s\n(%s)", s->name, s->label);
				dot_str(out, l.ptr);
				xsm_buf_dispose(&l);
			}
			if (!strcmp(s->id, r->info.target_id))
				xsm_buf_printf(out, ", fillcolor=\"%s\", fontcolor=white, penwidth=2, shape=doubleoctagon",
					       r->info.target_level <= 0 ? "#b00020" : "#e65100");
			else if (!strcmp(s->id, r->info.entry_id))
				xsm_buf_puts(out, ", fillcolor=\"#fff3e0\", color=\"#e65100\", penwidth=2, shape=cds");
			xsm_buf_puts(out, "];\n");
		}
		for (k = 0; k + 1 < r->nsteps; k++) {
			const struct step *s = &set->s.v[r->step_off + k], *t = &set->s.v[r->step_off + k + 1];
			xsm_buf key = XSM_BUF_INIT;
			uint64_t *slot;
			int created;
			xsm_buf_printf(&key, "%s|%s|%s", s->id, t->id, s->edge ? s->edge : "");
			if (xsm__strmap_slot(&eseen, key.ptr, key.size, &slot, &created) < 0) {
				xsm_buf_dispose(&key);
				goto oom;
			}
			xsm_buf_dispose(&key);
			if (!created)
				continue;
			xsm_buf_puts(out, "  ");
			dot_str(out, s->id);
			xsm_buf_puts(out, " -> ");
			dot_str(out, t->id);
			xsm_buf_puts(out, " [label=");
			dot_str(out, s->edge ? s->edge : "");
			xsm_buf_printf(out, ", color=\"%s\"];\n", risk_color[r->info.risk & 3]);
		}
	}
	xsm_buf_puts(out, "}\n");
	xsm__strmap_free(&seen);
	xsm__strmap_free(&eseen);
	return 0;
oom:
	xsm__strmap_free(&seen);
	xsm__strmap_free(&eseen);
	return xsm__error_oom(set->ctx);
}
