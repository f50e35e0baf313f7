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
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#define BIN_MAGIC "XSMGRAPH"
#define BIN_VERSION 1u

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

int xsm__graph_write_bin(xsm_graph *g, xsm_store *store, const char *rel)
{
	struct bin_header h;
	xsm__afile af;
	uint64_t strbytes = 0;
	size_t i;
	int rc, ok;

	for (i = 0; i < g->s.n; i++)
		strbytes += g->s.lens[i];
	header_init(&h, g, strbytes);
	if ((rc = xsm__store_afile(&af, store, rel)) < 0)
		return rc;
	xsm__afile_keep_cached(&af); /* the next command's load reads it whole */
	ok = put_array(&af, &h, sizeof(h), 1) && put_array(&af, g->s.lens, 4, g->s.n);
	for (i = 0; ok && i < g->s.n; i++)
		ok = put_array(&af, g->s.strs[i], 1, g->s.lens[i]);
	ok = ok && put_array(&af, g->nodes.v, sizeof(xsm__node), g->nodes.n) &&
	     put_array(&af, g->edges.v, sizeof(xsm__edge), g->edges.n) &&
	     put_array(&af, g->props.v, sizeof(xsm__prop), g->props.n) && put_array(&af, g->u32.v, 4, g->u32.n);
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
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = XSM_ENOTFOUND;
		goto done;
	}
	header_init(&want, g, 0);
	if (fstat(fd, &sb) < 0 || read_all(fd, &h, sizeof(h)) < 0 || memcmp(h.magic, BIN_MAGIC, 8) ||
	    h.version != BIN_VERSION || h.order != want.order || h.sz_node != want.sz_node ||
	    h.sz_edge != want.sz_edge || h.sz_prop != want.sz_prop || h.nstr == 0 || h.nstr >= UINT32_MAX ||
	    h.nnodes >= UINT32_MAX || h.nedges >= UINT32_MAX || h.nprops >= UINT32_MAX || h.nu32 >= UINT32_MAX ||
	    h.strbytes > (uint64_t)sb.st_size || expected_size(&h) != (uint64_t)sb.st_size)
		goto done;
	/* the strings, each followed by its NUL: read at the block's end, moved down into place */
	if (!(lens = xsm__reallocarray(NULL, (size_t)h.nstr, 4)) ||
	    !(bytes = xsm__malloc((size_t)(h.strbytes + h.nstr) + 1))) {
		rc = XSM_ENOMEM;
		goto done;
	}
	if (read_all(fd, lens, (size_t)h.nstr * 4) < 0 || read_all(fd, bytes + h.nstr, (size_t)h.strbytes) < 0)
		goto done;
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
	if ((rc = READ_VEC(fd, &g->nodes, h.nnodes)) < 0 || (rc = READ_VEC(fd, &g->edges, h.nedges)) < 0 ||
	    (rc = READ_VEC(fd, &g->props, h.nprops)) < 0 || (rc = READ_VEC(fd, &g->u32, h.nu32)) < 0)
		goto done;
	rc = consistent(g) ? 0 : XSM_EINVALID;
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
