/*
 * pipeline.c - what a build is: resolve the records into a graph, evaluate
 * critical asset rules on it, then write the snapshot.  Also the refresh
 * that re-evaluates rules on the current snapshot without re-resolving.
 * Then insights, and the events against the snapshot it replaces.
 * This file sits above graph, critical, paths and insights, so none depends on another.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adapt/zstd.h"
#include "ctx.h"
#include "store/events.h"
#include "exposure/critical.h"
#include "exposure/insights.h"
#include "exposure/paths.h"
#include "graph/graph.h"
#include "analysis/paths.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fs.h"

enum { NEXTRA = 3 };

/*
 * everything derived from the resolved graph: criticality, then attack
 * paths (paths.bin.zst straight into paths, a file of the new snapshot),
 * then the insights metrics over both, and what the next snapshot's
 * events compare with
 */
static int enrich(xsm_graph *g, xsm_store *store, xsm__afile *paths, xsm_buf files[NEXTRA])
{
	xsm__zw *zpaths = NULL;
	xsm_rules *rules = NULL;
	xsm_attack_model *m = NULL;
	xsm_insights *ins = NULL;
	xsm_paths_stats ps;
	xsm_ctx *ctx = xsm_store_ctx(store);
	double t0 = xsm__mono();
	int rc = xsm_rules_load(&rules, store);
	/* a phase is reported when it is done, not when it failed */
	if (rc == 0 && (rc = xsm_critical_apply(rules, g)) == 0)
		xsm__phase(ctx, &t0, "critical assets");
	if (rc == 0)
		rc = xsm_attack_model_load(&m, store);
	/* paths.bin.zst: frames of 1 MB, so reading one path decompresses little */
	if (rc == 0)
		rc = xsm__zw_new(&zpaths, ctx, 1u << 20, xsm__afile_put, paths);
	if (rc == 0 && (rc = xsm__paths_compute(&ps, zpaths, &files[0], g, m)) == 0 && (rc = xsm__zw_finish(zpaths)) == 0) {
		xsm__log(ctx, "paths: %llu bytes of path records and index stored in %llu",
			 (unsigned long long)xsm__zw_in(zpaths), (unsigned long long)xsm__zw_out(zpaths));
		xsm__phase(ctx, &t0, "attack paths");
	}
	xsm__zw_free(zpaths);
	if (rc == 0)
		rc = xsm_insights_load(&ins, store);
	if (rc == 0)
		rc = xsm_insights_compute(&files[1], ins, g);
	if (rc == 0 && (rc = xsm__events_watch(&files[2], g, store)) == 0)
		xsm__phase(ctx, &t0, "insights");
	xsm_rules_free(rules);
	xsm_attack_model_free(m);
	xsm_insights_free(ins);
	return rc;
}

static int push_crit(size_t node, int level, void *payload)
{
	XSM__VEC(uint32_t) *v = payload;
	if (xsm__vec_reserve(v, 2) < 0)
		return XSM_ENOMEM;
	v->v[v->n++] = (uint32_t)node;
	v->v[v->n++] = (uint32_t)level;
	return 0;
}

/*
 * The graph image of the snapshot just made current, from the graph still
 * in memory: a cache, so a failure (a full disk) is a warning, the command
 * has succeeded, and what the write made is taken back
 */
static void write_image(xsm_graph *g, xsm_store *store)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	XSM__VEC(uint32_t) crit = { 0 };
	double t0 = xsm__mono();
	int rc, on = 1;

	/* store.image false: no image, and the last one's disk back now rather than at the next gc */
	if (ctx->cfg && xsm_config_get_bool(&on, ctx->cfg, ctx, "store.image") == 0 && !on) {
		if (xsm__graph_drop_image(store) < 0)
			xsm_ctx_clear(ctx);
		return;
	}
	xsm_ctx_clear(ctx);
	rc = xsm_critical_each(g, 3, push_crit, &crit);
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(ctx);
	if (rc == 0)
		rc = xsm__graph_write_image(g, store, crit.v, crit.n / 2);
	if (rc == 0)
		xsm__phase(ctx, &t0, "write graph image");
	else
		xsm__warn(ctx, "warning: the graph image was not written (reads load the snapshot): %s", xsm_ctx_errmsg(ctx));
	xsm_ctx_clear(ctx);
	xsm__vec_free(&crit);
}

static const char *const extra_names[NEXTRA] = { "chokepoints.json", "insights.json", "watch.jsonl" };

static void dispose_files(xsm_buf files[NEXTRA])
{
	for (int i = 0; i < NEXTRA; i++)
		xsm_buf_dispose(&files[i]);
}

/*
 * The new snapshot's id and directory, and its paths.bin.zst opened (the
 * paths are written there as they are found).  Until HEAD names the
 * snapshot, its directory is not current; a build that fails takes back
 * what it made (abandon_snapshot).
 */
static int begin_snapshot(char id[40], xsm_buf *dir, xsm__afile *paths, xsm_store *store)
{
	xsm_buf rel = XSM_BUF_INIT;
	int rc = xsm__graph_next_snapshot(id, xsm_store_ctx(store), store);
	memset(paths, 0, sizeof(*paths));
	if (rc == 0 && xsm_buf_printf(&rel, "graph/%s", id) < 0)
		rc = xsm__error_oom(xsm_store_ctx(store));
	if (rc == 0)
		rc = xsm__store_abspath(dir, store, rel.ptr);
	if (rc == 0 && xsm_buf_puts(&rel, "/paths.bin.zst") < 0)
		rc = xsm__error_oom(xsm_store_ctx(store));
	if (rc == 0)
		rc = xsm__store_afile(paths, store, rel.ptr);
	xsm_buf_dispose(&rel);
	return rc;
}

/* the current snapshot id into out ("" when none) */
static int current_head(char out[40], xsm_store *store)
{
	xsm_buf head = XSM_BUF_INIT;
	int rc = xsm_store_read(&head, store, "graph/HEAD", 4096);
	out[0] = '\0';
	if (rc == XSM_ENOTFOUND) {
		xsm_ctx_clear(xsm_store_ctx(store));
		rc = 0;
	}
	while (rc == 0 && head.size && (head.ptr[head.size - 1] == '\n' || head.ptr[head.size - 1] == ' '))
		head.ptr[--head.size] = '\0';
	if (rc == 0 && head.ptr)
		snprintf(out, 40, "%s", head.ptr);
	xsm_buf_dispose(&head);
	return rc;
}

/*
 * a failed build: its open file and the snapshot directory it began are
 * removed.  The id was new, so nothing else is in it; and only when HEAD
 * is read and does not name it (a HEAD renamed into place whose directory
 * sync then failed does), so a current snapshot is never removed.  No
 * allocation here: this also runs when memory ran out.
 */
static void abandon_snapshot(const char *id, const xsm_buf *dir, xsm__afile *paths)
{
	char head[4096], name[48];
	ssize_t n = -1;
	int fd;
	xsm__afile_abort(paths);
	if (!dir->size || snprintf(head, sizeof(head), "%s/../HEAD", dir->ptr) >= (int)sizeof(head))
		return;
	if ((fd = open(head, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, name, sizeof(name) - 1);
		close(fd);
	} else if (errno == ENOENT) {
		n = 0; /* the store's first snapshot */
	}
	if (n < 0)
		return;
	name[n] = '\0';
	if (strncmp(name, id, strlen(id)) != 0 || (name[strlen(id)] != '\n' && name[strlen(id)] != '\0'))
		(void)xsm__fs_remove(NULL, dir->ptr); /* best effort: the build's own error is the one to report */
}

/*
 * The commit of a build: the events of the new snapshot against the one
 * it replaces are appended (whole or not at all), then HEAD names it.
 * HEAD is the commit point; when it cannot be moved the events are taken
 * back, so a build reported failed leaves neither.
 */
static int commit_snapshot(xsm_store *store, const char *prev, const char *cur)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	char line[48];
	off_t undo = -1;
	size_t n;
	int rc = xsm__events_derive(&n, &undo, store, prev[0] ? prev : NULL, cur);
	if (rc < 0)
		return rc;
	snprintf(line, sizeof(line), "%s\n", cur);
	if ((rc = xsm_store_write(store, "graph/HEAD", line, strlen(line))) < 0 && undo >= 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(ctx));
		if (current_head(line, store) == 0 && !strcmp(line, cur))
			return xsm__error_set(ctx, rc, "%s", msg); /* renamed, not synced: the events stay with it */
		xsm_ctx_clear(ctx);
		if (xsm__store_unappend(store, "events.jsonl", undo) < 0)
			return xsm__error_set(ctx, rc, "%s; and its events could not be taken back: %s", msg,
					      xsm_ctx_errmsg(ctx));
		rc = xsm__error_set(ctx, rc, "%s", msg);
	}
	return rc;
}

int xsm_graph_build(xsm_build_stats *st, xsm_store *store)
{
	xsm_graph *g = NULL;
	xsm_buf meta = XSM_BUF_INIT, files[NEXTRA] = { XSM_BUF_INIT, XSM_BUF_INIT, XSM_BUF_INIT };
	xsm_buf dir = XSM_BUF_INIT;
	xsm__afile paths;
	char prev[40], id[40] = "";
	double t0;
	int rc = current_head(prev, store);
	memset(&paths, 0, sizeof(paths));
	if (rc == 0 && xsm_store_ctx(store)->scope)
		rc = xsm__error_set(xsm_store_ctx(store), XSM_EDENIED, "a scoped view of the store cannot build a snapshot");
	if (rc == 0)
		rc = xsm__graph_build_mem(&g, &meta, st, store);
	if (rc == 0)
		rc = begin_snapshot(id, &dir, &paths, store);
	if (rc == 0)
		rc = enrich(g, store, &paths, files);
	t0 = xsm__mono();
	if (rc == 0 &&
	    (rc = xsm__graph_write_snapshot(g, store, id, meta.ptr, NEXTRA, extra_names, files, &paths)) == 0)
		xsm__phase(xsm_store_ctx(store), &t0, "write snapshot");
	xsm_buf_dispose(&meta);
	dispose_files(files);
	/*
	 * The graph stays for its image, written once the snapshot is current:
	 * a command that fails leaves the store as it was, image included
	 */
	if (rc == 0 && (rc = commit_snapshot(store, prev, id)) == 0)
		xsm__phase(xsm_store_ctx(store), &t0, "events");
	if (rc == 0) {
		snprintf(st->snapshot, sizeof(st->snapshot), "%s", id);
		write_image(g, store);
	} else {
		abandon_snapshot(id, &dir, &paths);
	}
	xsm_graph_free(g);
	xsm_buf_dispose(&dir);
	return rc;
}

int xsm_graph_refresh(char snapshot[40], xsm_store *store)
{
	xsm_graph *g = NULL;
	xsm_buf meta = XSM_BUF_INIT, old = XSM_BUF_INIT;
	xsm_buf files[NEXTRA] = { XSM_BUF_INIT, XSM_BUF_INIT, XSM_BUF_INIT };
	xsm_buf dir = XSM_BUF_INIT;
	xsm__afile paths;
	char prev[40], cur[40] = "", id[40] = "";
	const char *at;
	int rc;

	memset(&paths, 0, sizeof(paths));
	/* a scoped graph lacks devices: a snapshot made from it would lose them */
	if (xsm_store_ctx(store)->scope)
		return xsm__error_set(xsm_store_ctx(store), XSM_EDENIED, "a scoped view of the store cannot write a snapshot");
	/* nodes and edges stay as they are: the new snapshot shares graph.bin with this one */
	if ((rc = xsm_graph_load(&g, store, NULL, XSM__LOAD_BASE)) < 0)
		return rc;
	snprintf(prev, sizeof(prev), "%s", g->snapshot);
	if ((rc = begin_snapshot(id, &dir, &paths, store)) < 0 ||
	    (rc = enrich(g, store, &paths, files)) < 0)
		goto done;
	/* the metadata carries over, with a new snapshot id */
	xsm_buf_printf(&old, "\"snapshot\":\"%s\"", g->snapshot);
	at = strstr(xsm_graph_meta(g), old.ptr);
	if (!at) {
		rc = xsm__error_set(g->ctx, XSM_EINVALID, "snapshot '%s' has unreadable metadata", g->snapshot);
		goto done;
	}
	xsm_buf_put(&meta, xsm_graph_meta(g), (size_t)(at - xsm_graph_meta(g)));
	xsm_buf_puts(&meta, "\"snapshot\":null");
	xsm_buf_puts(&meta, at + old.size);
	while (meta.size && meta.ptr[meta.size - 1] == '\n')
		meta.ptr[--meta.size] = '\0';
	if ((rc = xsm__graph_write_snapshot(g, store, id, meta.ptr, NEXTRA, extra_names, files, &paths)) == 0)
		snprintf(cur, sizeof(cur), "%s", g->snapshot);
	dispose_files(files);
	/* the graph stays for its image, as in a build */
	if (rc == 0 && (rc = commit_snapshot(store, prev, cur)) == 0) {
		if (snapshot)
			snprintf(snapshot, 40, "%s", cur);
		write_image(g, store);
	}
done:
	if (rc < 0)
		abandon_snapshot(id, &dir, &paths);
	xsm_buf_dispose(&dir);
	xsm_graph_free(g);
	xsm_buf_dispose(&meta);
	xsm_buf_dispose(&old);
	dispose_files(files);
	return rc;
}
