/* gc.c - retention of record runs, snapshots and events. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt/json.h"
#include "ctx.h"
#include "exposure/gc.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/vec.h"

/* the time encoded at the start of a run or snapshot name, or -1 */
static int64_t name_time(const char *name)
{
	char iso[32];
	int64_t t;
	/* 20261124T120000Z -> 2026-11-24T12:00:00Z */
	if (strlen(name) < 16 || name[8] != 'T' || name[15] != 'Z')
		return -1;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", name, name + 4, name + 6, name + 9,
		 name + 11, name + 13);
	return xsm_time_parse(&t, iso) == 0 ? t : -1;
}

typedef XSM__VEC(char *) namevec;

static int collect(const char *name, void *payload)
{
	namevec *v = payload;
	char *d = xsm__strdup(name);
	if (!d || xsm__vec_push(v, d) < 0) {
		xsm__free(d);
		return XSM_ENOMEM;
	}
	return 0;
}

static void free_names(namevec *v)
{
	for (size_t i = 0; i < v->n; i++)
		xsm__free(v->v[i]);
	xsm__vec_free(v);
}

struct gc {
	xsm_store *store;
	xsm_gc_stats *st;
	int64_t cutoff;
	int dry;
	xsm__afile events; /* the events kept, prepared before anything is removed */
};

static int gc_source(struct gc *g, const char *source)
{
	namevec runs = { 0 };
	xsm_buf rel = XSM_BUF_INIT;
	size_t i, nruns = 0;
	int rc;

	if (xsm_buf_printf(&rel, "records/%s", source) < 0)
		return xsm__error_oom(g->store->ctx);
	rc = xsm_store_list(g->store, rel.ptr, collect, &runs);
	for (i = 0; i < runs.n; i++)
		if (strstr(runs.v[i], ".jsonl"))
			nruns++;
	/* names sort by time: every run but the last is a candidate */
	for (i = 0; rc == 0 && i < runs.n; i++) {
		int64_t t = name_time(runs.v[i]);
		if (!strstr(runs.v[i], ".jsonl"))
			continue;
		if (--nruns == 0 || t < 0 || t >= g->cutoff) {
			g->st->runs_kept++;
			continue;
		}
		g->st->runs_removed++;
		xsm_buf_clear(&rel);
		if (xsm_buf_printf(&rel, "records/%s/%s", source, runs.v[i]) < 0)
			rc = xsm__error_oom(g->store->ctx);
		else if (!g->dry)
			rc = xsm_store_remove(g->store, rel.ptr);
	}
	free_names(&runs);
	xsm_buf_dispose(&rel);
	return rc;
}

static int collect_tagged(const char *tag, const char *snap, void *payload)
{
	(void)tag;
	return collect(snap, payload);
}

static int is_tagged(const namevec *tagged, const char *snap)
{
	for (size_t i = 0; i < tagged->n; i++)
		if (!strcmp(tagged->v[i], snap))
			return 1;
	return 0;
}

/* the files of the snapshots kept so far, each once: a graph.bin shared by hard links counts once */
struct fileid {
	dev_t dev;
	ino_t ino;
};
typedef XSM__VEC(struct fileid) filevec;

/*
 * The bytes snapshot name adds to those already in seen (its files not
 * yet counted), and, with add, counts them in.  Files that cannot be
 * read count nothing.
 */
static uint64_t snapshot_bytes(struct gc *g, filevec *seen, const char *name, int add)
{
	xsm_buf rel = XSM_BUF_INIT;
	uint64_t bytes = 0;
	struct dirent *e;
	const char *leaf;
	DIR *d = NULL;
	int fd;
	/* the snapshot's directory, reached without following a link (the leaf is not opened) */
	if (xsm_buf_printf(&rel, "graph/%s/-", name) == 0 && (fd = xsm__fs_walk(g->store->dfd, rel.ptr, 0, &leaf)) >= 0 &&
	    !(d = fdopendir(fd)))
		close(fd);
	while (d && (e = readdir(d))) {
		struct stat sb;
		size_t i;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb.st_mode))
			continue;
		for (i = 0; i < seen->n; i++)
			if (seen->v[i].dev == sb.st_dev && seen->v[i].ino == sb.st_ino)
				break;
		if (i < seen->n)
			continue;
		bytes += (uint64_t)sb.st_size;
		if (add && xsm__vec_push(seen, ((struct fileid){ sb.st_dev, sb.st_ino })) < 0)
			bytes = 0; /* out of memory: counted again later, which only keeps less */
	}
	if (d)
		closedir(d);
	xsm_buf_dispose(&rel);
	return bytes;
}

enum { KEEP, DROP_AGE, DROP_BUDGET, DROP_PARTIAL, NOT_SNAPSHOT };

static int gc_snapshots(struct gc *g)
{
	namevec snaps = { 0 }, tagged = { 0 };
	xsm_buf head = XSM_BUF_INIT, rel = XSM_BUF_INIT;
	filevec seen = { 0 };
	long budget = xsm__cfg_long(g->store->ctx, "gc.max_bytes", 0);
	unsigned char *fate = NULL;
	size_t i;
	int rc;

	if ((rc = xsm_store_read(&head, g->store, "graph/HEAD", 4096)) == XSM_ENOTFOUND) {
		xsm_ctx_clear(g->store->ctx);
		rc = 0;
	}
	while (head.size && (head.ptr[head.size - 1] == '\n' || head.ptr[head.size - 1] == ' '))
		head.ptr[--head.size] = '\0';
	if (rc == 0)
		rc = xsm_store_list(g->store, "graph", collect, &snaps);
	if (rc == 0) /* tagged snapshots are pinned */
		rc = xsm_graph_tags(g->store, collect_tagged, &tagged);
	if (rc == 0 && !(fate = xsm__calloc(snaps.n + 1, 1)))
		rc = XSM_ENOMEM;
	/*
	 * Pinned: the current snapshot and tagged ones.  Without meta.json
	 * (written last but HEAD) it is what a build that crashed left: gc
	 * holds the store lock, so no build is writing it.  The others go by
	 * age, or, with gc.max_bytes, by size: kept newest first while they
	 * fit, with what the pinned ones take counted first.
	 */
	for (i = 0; rc == 0 && i < snaps.n; i++) {
		int current = head.ptr && !strcmp(head.ptr, snaps.v[i]);
		if (name_time(snaps.v[i]) < 0)
			fate[i] = NOT_SNAPSHOT; /* HEAD and anything that is not a snapshot */
		else if (current || is_tagged(&tagged, snaps.v[i]))
			fate[i] = KEEP;
		else if (!xsm__graph_snapshot_complete(g->store, snaps.v[i]))
			fate[i] = DROP_PARTIAL;
		else if (budget <= 0 && name_time(snaps.v[i]) < g->cutoff)
			fate[i] = DROP_AGE;
		else
			fate[i] = KEEP;
	}
#define PINNED(i) ((head.ptr && !strcmp(head.ptr, snaps.v[i])) || is_tagged(&tagged, snaps.v[i]))
	for (i = 0; rc == 0 && i < snaps.n; i++)
		if (fate[i] == KEEP && PINNED(i))
			g->st->snapshot_bytes += snapshot_bytes(g, &seen, snaps.v[i], 1);
	if (rc == 0 && budget > 0) {
		int full = 0;
		for (i = snaps.n; i-- > 0;) {
			uint64_t more;
			if (fate[i] != KEEP || PINNED(i))
				continue;
			more = snapshot_bytes(g, &seen, snaps.v[i], 0);
			if (full || g->st->snapshot_bytes + more > (uint64_t)budget) {
				full = 1; /* the older ones go too: what is kept is the recent history, whole */
				fate[i] = DROP_BUDGET;
				continue;
			}
			g->st->snapshot_bytes += snapshot_bytes(g, &seen, snaps.v[i], 1);
		}
	} else {
		for (i = 0; rc == 0 && i < snaps.n; i++)
			if (fate[i] == KEEP && !PINNED(i))
				g->st->snapshot_bytes += snapshot_bytes(g, &seen, snaps.v[i], 1);
	}
#undef PINNED
	for (i = 0; rc == 0 && i < snaps.n; i++) {
		if (fate[i] == NOT_SNAPSHOT)
			continue;
		if (fate[i] == KEEP) {
			g->st->snapshots_kept++;
			continue;
		}
		g->st->snapshots_removed++;
		if (fate[i] == DROP_BUDGET)
			g->st->snapshots_over_budget++;
		xsm_buf_clear(&rel);
		if (xsm_buf_printf(&rel, "graph/%s", snaps.v[i]) < 0)
			rc = xsm__error_oom(g->store->ctx);
		else if (!g->dry)
			rc = xsm_store_remove(g->store, rel.ptr);
	}
	/*
	 * The graph image is a cache of the current snapshot, outside graph/
	 * and so outside gc.max_bytes: one that images anything else (a
	 * snapshot no longer current, files since changed) is never used again
	 */
	if (rc == 0 && !g->dry)
		rc = xsm__graph_image_gc(g->store, head.ptr);
	xsm__free(fate);
	xsm__vec_free(&seen);
	free_names(&snaps);
	free_names(&tagged);
	xsm_buf_dispose(&head);
	xsm_buf_dispose(&rel);
	return rc;
}

static int gc_events(struct gc *g, int64_t cutoff)
{
	xsm_buf in = XSM_BUF_INIT, out = XSM_BUF_INIT;
	xsm_ctx *ctx = g->store->ctx;
	char *line, *next;
	size_t removed = 0;
	int rc = xsm_store_read(&in, g->store, "events.jsonl", (size_t)1 << 31);

	if (rc == XSM_ENOTFOUND) {
		xsm_ctx_clear(ctx);
		return 0;
	}
	for (line = in.ptr; rc == 0 && line && *line; line = next) {
		xsm__json *j = NULL;
		int64_t t;
		const char *ts;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		/* an unreadable line is kept: retention never loses what it cannot judge */
		if (xsm__json_parse(&j, ctx, line, strlen(line), "") == 0 && (ts = xsm__json_getstr(j, "time")) &&
		    xsm_time_parse(&t, ts) == 0 && t < cutoff) {
			removed++;
		} else if (xsm_buf_puts(&out, line) < 0 || xsm_buf_putc(&out, '\n') < 0) {
			rc = xsm__error_oom(ctx);
		}
		xsm_ctx_clear(ctx);
		xsm__json_free(j);
	}
	if (rc == 0) {
		size_t kept = 0;
		for (size_t i = 0; i < out.size; i++)
			kept += out.ptr[i] == '\n';
		g->st->events_removed = removed;
		g->st->events_kept = kept;
		/* written and synced now, renamed last: the one step of gc a full disk can fail */
		if (removed && !g->dry && (rc = xsm__store_afile(&g->events, g->store, "events.jsonl")) == 0) {
			if (xsm__afile_write(&g->events, out.ptr ? out.ptr : "", out.size) < 0)
				rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s/events.jsonl'", g->store->dir);
			else
				rc = xsm__afile_prepare(&g->events, ctx);
		}
	}
	xsm_buf_dispose(&in);
	xsm_buf_dispose(&out);
	return rc;
}

/*
 * Nothing is removed until the one write, the events kept, is written and
 * synced: a gc that fails on a full disk leaves the store as it was.  Then
 * runs and snapshots are removed (each removal stands on its own: a gc run
 * again removes the rest), and the events file is renamed into place.
 */
int xsm_gc(xsm_gc_stats *stats, xsm_store *store, int dry_run)
{
	namevec sources = { 0 };
	struct gc g;
	int64_t now = xsm_ctx_now(store->ctx);
	size_t i;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (!xsm_store_is_writer(store))
		return xsm__error_set(store->ctx, XSM_EUSAGE, "gc needs the store lock");
	memset(&g, 0, sizeof(g));
	g.store = store;
	g.st = stats;
	g.dry = dry_run;
	g.cutoff = now - xsm__cfg_long(store->ctx, "retention.days", 14) * 86400;
	/* killed writers' temp files: swept when the lock was taken, and now */
	stats->temp_removed = store->swept + (dry_run ? 0 : xsm__store_sweep(store));
	store->swept = 0;
	rc = gc_events(&g, now - xsm__cfg_long(store->ctx, "events.retention_days", 30) * 86400);
	if (rc == 0)
		rc = xsm_store_list(store, "records", collect, &sources);
	for (i = 0; rc == 0 && i < sources.n; i++)
		rc = gc_source(&g, sources.v[i]);
	if (rc == 0)
		rc = gc_snapshots(&g);
	if (rc == 0 && g.events.tmp)
		rc = xsm__afile_commit(&g.events, store->ctx);
	xsm__afile_abort(&g.events);
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(store->ctx);
	free_names(&sources);
	return rc;
}
