/*
 * graph_bin.c - graph.bin: a snapshot's graph, its in-memory arrays as
 * they are, so loading a snapshot is a read and a check rather than a
 * parse.  It is the snapshot's only copy of the graph: the JSONL and CSV
 * views (graph nodes, edges, export) are formatted from it when asked for.
 * Snapshots of older builds kept nodes.jsonl and edges.jsonl beside it
 * (or instead of it); those are read when graph.bin is absent.  Every
 * index in it is checked before use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt/zstd.h"

#include "ctx.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#define BIN_MAGIC "XSMGRAPH"
/*
 * 1: the arrays as they are after the header.  2: the same bytes
 * compressed (adapt/zstd.h: frames of 4 MB, a frame never crossing from
 * one array into the next, then the seek table), read straight into place
 * on two threads.  Version 1 files (earlier snapshots) are still read.
 */
#define BIN_VERSION_PLAIN 1u
#define BIN_VERSION 2u
#define BIN_FRAME (4u << 20)

struct bin_header {
	char magic[8];
	uint32_t version, order;                  /* order: 0x01020304 as written */
	uint32_t sz_node, sz_edge, sz_prop, pad;  /* the struct layout it was written with */
	uint64_t nstr, strbytes, nnodes, nedges, nprops, nu32;
};

static void header_init(struct bin_header *h, const xsm_graph *g, uint64_t strbytes)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, BIN_MAGIC, 8);
	h->version = BIN_VERSION;
	h->order = 0x01020304u;
	h->sz_node = (uint32_t)sizeof(xsm__node);
	h->sz_edge = (uint32_t)sizeof(xsm__edge);
	h->sz_prop = (uint32_t)sizeof(xsm__prop);
	h->nstr = g->s.n;
	h->strbytes = strbytes;
	h->nnodes = g->nodes.n;
	h->nedges = g->edges.n;
	h->nprops = g->props.n;
	h->nu32 = g->u32.n;
}

/* the file size a header promises */
static uint64_t expected_size(const struct bin_header *h)
{
	return sizeof(*h) + h->nstr * 4 + h->strbytes + h->nnodes * h->sz_node + h->nedges * h->sz_edge +
	       h->nprops * h->sz_prop + h->nu32 * 4;
}

/* n elements; an empty array (maybe a NULL pointer) writes nothing */
static int put_array(xsm__afile *af, const void *p, size_t size, size_t n)
{
	return !n || xsm__afile_write(af, p, size * n) == 0;
}

/* n elements; an empty array (maybe a NULL pointer) writes nothing */
static int zput_array(xsm__zw *zw, const void *p, size_t size, size_t n)
{
	return !n || xsm__zw_put(p, size * n, zw) == 0;
}

int xsm__graph_write_bin(xsm_graph *g, xsm_store *store, const char *rel)
{
	struct bin_header h;
	xsm__afile af;
	xsm__zw *zw = NULL;
	uint64_t strbytes = 0;
	size_t i;
	int rc, ok;

	for (i = 0; i < g->s.n; i++)
		strbytes += g->s.lens[i];
	header_init(&h, g, strbytes);
	if ((rc = xsm__store_afile(&af, store, rel)) < 0)
		return rc;
	xsm__afile_keep_cached(&af); /* the next command's load reads it whole */
	if ((rc = xsm__zw_new(&zw, xsm_store_ctx(store), BIN_FRAME, xsm__afile_put, &af)) < 0) {
		xsm__afile_abort(&af);
		return rc;
	}
	/* each array starts a frame, so a reader decompresses every frame straight into its array */
	ok = put_array(&af, &h, sizeof(h), 1) && zput_array(zw, g->s.lens, 4, g->s.n) && xsm__zw_cut(zw) == 0;
	for (i = 0; ok && i < g->s.n; i++)
		ok = zput_array(zw, xsm__gstr(g, (uint32_t)i), 1, g->s.lens[i]);
	ok = ok && xsm__zw_cut(zw) == 0 && zput_array(zw, g->nodes.v, sizeof(xsm__node), g->nodes.n) &&
	     xsm__zw_cut(zw) == 0 && zput_array(zw, g->edges.v, sizeof(xsm__edge), g->edges.n) &&
	     xsm__zw_cut(zw) == 0 && zput_array(zw, g->props.v, sizeof(xsm__prop), g->props.n) &&
	     xsm__zw_cut(zw) == 0 && zput_array(zw, g->u32.v, 4, g->u32.n) && xsm__zw_finish(zw) == 0;
	xsm__log(xsm_store_ctx(store), "write: graph.bin: %llu bytes of arrays stored in %llu",
		 (unsigned long long)xsm__zw_in(zw), (unsigned long long)xsm__zw_out(zw));
	xsm__zw_free(zw);
	if (!ok) {
		rc = xsm__error_errno(xsm_store_ctx(store), XSM_EIO, "cannot write '%s'", rel);
		xsm__afile_abort(&af);
		return rc;
	}
	return xsm__afile_commit(&af, xsm_store_ctx(store));
}

static int read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = read(fd, p, n > (1u << 30) ? (1u << 30) : n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* every index in the arrays points inside them */
static int consistent(const xsm_graph *g)
{
	size_t nstr = g->s.n, i;
	for (i = 0; i < g->u32.n; i++)
		if (g->u32.v[i] >= nstr)
			return 0;
	for (i = 0; i < g->props.n; i++) {
		const xsm__prop *p = &g->props.v[i];
		if (p->key >= nstr || p->type > XSM_V_JSON)
			return 0;
		if ((p->type == XSM_V_STR || p->type == XSM_V_JSON) && p->a >= nstr)
			return 0;
		if (p->type == XSM_V_STRS && ((uint64_t)p->a + p->b > g->u32.n))
			return 0;
	}
	for (i = 0; i < g->nodes.n; i++) {
		const xsm__node *n = &g->nodes.v[i];
		if (n->id >= nstr || n->label >= nstr || n->name >= nstr ||
		    (uint64_t)n->cats_off + n->cats_n > g->u32.n || (uint64_t)n->srcs_off + n->srcs_n > g->u32.n ||
		    (uint64_t)n->eids_off + 2ull * n->eids_n > g->u32.n ||
		    (uint64_t)n->props_off + n->props_n > g->props.n)
			return 0;
	}
	for (i = 0; i < g->edges.n; i++) {
		const xsm__edge *e = &g->edges.v[i];
		if (e->src >= g->nodes.n || e->dst >= g->nodes.n || e->label >= nstr ||
		    (uint64_t)e->props_off + e->props_n > g->props.n)
			return 0;
	}
	return 1;
}

/* reserve exactly n elements of a vector and read them */
#define READ_VEC(fd, vec, count)                                                                         \
	(xsm__vec_reserve(vec, (size_t)(count)) < 0                                                      \
		 ? XSM_ENOMEM                                                                            \
		 : (read_all(fd, (vec)->v, (size_t)(count) * sizeof(*(vec)->v)) < 0 ? XSM_EINVALID       \
										    : ((vec)->n = (size_t)(count), 0)))

/* decompressing a version 2 file: its frames, each into the array it belongs to */
struct section {
	uint64_t start, len; /* in the plain bytes after the header */
	char *dst;
};

struct unpack_job {
	const xsm__zr *zr;
	const struct section *sec;
	size_t first, step;
	int rc;
};

static void *unpack_frames(void *arg)
{
	struct unpack_job *j = arg;
	size_t nf = xsm__zr_nframes(j->zr);
	for (size_t i = j->first; i < nf && j->rc == 0; i += j->step) {
		uint64_t off = xsm__zr_frame_off(j->zr, i), len = xsm__zr_frame_len(j->zr, i);
		const struct section *s = j->sec;
		while (s->len != UINT64_MAX && off >= s->start + s->len)
			s++;
		/* a frame lies inside one array: the writer cut them at each array's end */
		if (s->len == UINT64_MAX || off + len > s->start + s->len || xsm__zr_frame(j->zr, i, s->dst + (off - s->start)) < 0)
			j->rc = XSM_EINVALID;
	}
	return NULL;
}

/* a version 2 file's arrays into lens, bytes + nstr (as version 1 is read) and g's vectors */
static int read_packed(xsm_graph *g, int fd, const struct bin_header *h, size_t size, uint32_t *lens, char *bytes)
{
	struct section sec[7];
	struct unpack_job jobs[2];
	xsm__zr *zr = NULL;
	void *map;
	int rc;

	if (size <= sizeof(*h) ||
	    (map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		return XSM_EINVALID;
	(void)madvise(map, size, MADV_SEQUENTIAL);
	if ((rc = xsm__zr_open(&zr, g->ctx, (const char *)map + sizeof(*h), size - sizeof(*h), "graph.bin")) < 0)
		goto done;
	xsm_ctx_clear(g->ctx);
	rc = XSM_EINVALID;
	if (xsm__zr_size(zr) != expected_size(h) - sizeof(*h))
		goto done;
	if (xsm__vec_reserve(&g->nodes, (size_t)h->nnodes) < 0 || xsm__vec_reserve(&g->edges, (size_t)h->nedges) < 0 ||
	    xsm__vec_reserve(&g->props, (size_t)h->nprops) < 0 || xsm__vec_reserve(&g->u32, (size_t)h->nu32) < 0) {
		rc = XSM_ENOMEM;
		goto done;
	}
	sec[0] = (struct section){ 0, h->nstr * 4, (char *)lens };
	sec[1] = (struct section){ sec[0].start + sec[0].len, h->strbytes, bytes + h->nstr };
	sec[2] = (struct section){ sec[1].start + sec[1].len, h->nnodes * h->sz_node, (char *)g->nodes.v };
	sec[3] = (struct section){ sec[2].start + sec[2].len, h->nedges * h->sz_edge, (char *)g->edges.v };
	sec[4] = (struct section){ sec[3].start + sec[3].len, h->nprops * h->sz_prop, (char *)g->props.v };
	sec[5] = (struct section){ sec[4].start + sec[4].len, h->nu32 * 4, (char *)g->u32.v };
	sec[6] = (struct section){ 0, UINT64_MAX, NULL };
	memset(jobs, 0, sizeof(jobs));
	for (int k = 0; k < 2; k++) {
		jobs[k].zr = zr;
		jobs[k].sec = sec;
		jobs[k].first = (size_t)k;
		jobs[k].step = 2;
	}
	xsm__run2(unpack_frames, &jobs[0], xsm__zr_nframes(zr) > 1 ? &jobs[1] : NULL);
	if (jobs[0].rc < 0 || jobs[1].rc < 0)
		goto done;
	g->nodes.n = (size_t)h->nnodes;
	g->edges.n = (size_t)h->nedges;
	g->props.n = (size_t)h->nprops;
	g->u32.n = (size_t)h->nu32;
	rc = 0;
done:
	xsm__zr_free(zr);
	munmap(map, size);
	return rc;
}

int xsm__graph_read_bin(xsm_graph *g, xsm_store *store, const char *rel)
{
	struct bin_header h, want;
	xsm_buf path = XSM_BUF_INIT;
	uint32_t *lens = NULL;
	char *bytes = NULL;
	struct stat sb;
	int fd = -1, rc = XSM_EINVALID;
	size_t i, at = 0;

	if (xsm__store_abspath(&path, store, rel) < 0)
		return xsm__error_oom(g->ctx);
	if ((fd = xsm__store_open(store, rel)) < 0) { /* no link followed */
		xsm_ctx_clear(g->ctx);
		rc = XSM_ENOTFOUND;
		goto done;
	}
	header_init(&want, g, 0);
	if (fstat(fd, &sb) < 0 || read_all(fd, &h, sizeof(h)) < 0 || memcmp(h.magic, BIN_MAGIC, 8) ||
	    (h.version != BIN_VERSION && h.version != BIN_VERSION_PLAIN) || h.order != want.order ||
	    h.sz_node != want.sz_node || h.sz_edge != want.sz_edge || h.sz_prop != want.sz_prop || h.nstr == 0 ||
	    h.nstr >= UINT32_MAX || h.nnodes >= UINT32_MAX || h.nedges >= UINT32_MAX || h.nprops >= UINT32_MAX ||
	    h.nu32 >= UINT32_MAX || h.strbytes >= ((uint64_t)1 << 40) ||
	    (h.version == BIN_VERSION_PLAIN && expected_size(&h) != (uint64_t)sb.st_size))
		goto done;
	/* the strings, each followed by its NUL: read at the block's end, moved down into place */
	if (!(lens = xsm__reallocarray(NULL, (size_t)h.nstr, 4)) ||
	    !(bytes = xsm__malloc((size_t)(h.strbytes + h.nstr) + 1))) {
		rc = XSM_ENOMEM;
		goto done;
	}
	if (h.version == BIN_VERSION) {
		if ((rc = read_packed(g, fd, &h, (size_t)sb.st_size, lens, bytes)) < 0)
			goto done;
		rc = XSM_EINVALID;
	} else if (read_all(fd, lens, (size_t)h.nstr * 4) < 0 || read_all(fd, bytes + h.nstr, (size_t)h.strbytes) < 0) {
		goto done;
	}
	for (i = 0; i < h.nstr; i++) {
		if (lens[i] > h.strbytes - at)
			goto done;
		memmove(bytes + at + i, bytes + h.nstr + at, lens[i]);
		bytes[at + i + lens[i]] = '\0';
		at += lens[i];
	}
	/* the pool gets them back under the same ids ("" is always 0), and keeps the block */
	rc = xsm__strpool_adopt(&g->s, bytes, lens, (size_t)h.nstr);
	bytes = NULL;
	if (rc < 0)
		goto done;
	if (h.version == BIN_VERSION_PLAIN &&
	    ((rc = READ_VEC(fd, &g->nodes, h.nnodes)) < 0 || (rc = READ_VEC(fd, &g->edges, h.nedges)) < 0 ||
	     (rc = READ_VEC(fd, &g->props, h.nprops)) < 0 || (rc = READ_VEC(fd, &g->u32, h.nu32)) < 0))
		goto done;
	rc = consistent(g) ? 0 : XSM_EINVALID;
	if (rc == 0)
		g->bin_version = (int)h.version;
done:
	if (fd >= 0)
		close(fd);
	xsm__free(lens);
	xsm__free(bytes);
	xsm_buf_dispose(&path);
	if (rc == XSM_ENOMEM)
		return xsm__error_oom(g->ctx);
	return rc;
}
