/*
 * graph_image.c - the graph image: STORE/cache/graph.img, the frozen
 * in-memory graph of the current snapshot as plain arrays, each section
 * page-aligned, so that a read command maps it and touches only the pages
 * of what it prints (a node by id or key, a node's edges, the critical
 * list) instead of decompressing graph.bin, interning every string and
 * freezing.
 *
 * It is derived data, not part of any snapshot: written by the command
 * that has the graph in memory (a build, a re-evaluation) once its
 * snapshot is current, best effort, and used only while its header names
 * the snapshot asked for and the identity (device, inode, size, mtime) of
 * that snapshot's graph.bin and graph.overlay as they are now.  Its arrays
 * are trusted as the graph.bin check (consistent()) would have found them:
 * xsm wrote them from a checked graph into a store whose owner and mode
 * are checked; the header, its hash and the file size are checked before
 * any section is touched, and a mismatch only means the image is not used.
 *
 * File: a header of one page, then the sections in enum order, each at a
 * multiple of IMG_PAGE, their exact lengths in the header (zeros pad each
 * to the next page).
 *
 * A re-evaluation (critical set, a rule change) makes a snapshot that
 * shares graph.bin with the one before and differs in graph.overlay.
 * When the image is of that graph.bin alone (no overlay), it stays, and
 * only its top layer is written: STORE/cache/graph.top, a header naming
 * the snapshot, its files and the image it goes over, then the critical
 * list.  A read maps the image, gives the sections an overlay grows
 * (strings, properties, string lists) room, maps the nodes and the string
 * table copy-on-write and applies the snapshot's graph.overlay over them,
 * as a load of graph.bin does: kilobytes written where the image is
 * gigabytes.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#define IMG_MAGIC "XSMIMAGE"
#define IMG_VERSION 1u
#define IMG_PAGE 4096u
#define TOP_MAGIC "XSMIMTOP"
#define TOP_VERSION 1u

enum {
	S_LENS, S_OFFS, S_STRS, S_SLOTS, S_NODES, S_EDGES, S_PROPS, S_U32,
	S_OUT_OFF, S_OUT_EDGE, S_IN_OFF, S_IN_EDGE, S_KEYS, S_CRIT, NSEC
};

struct img_fileid {
	uint64_t dev, ino, size, mtime_s, mtime_ns; /* all zero: no such file */
};

struct img_header {
	char magic[8];
	uint32_t version, order;                  /* order: 0x01020304 as written */
	uint32_t sz_node, sz_edge, sz_prop, sz_header;
	char snapshot[40];
	struct img_fileid bin, overlay;           /* the snapshot's files it images */
	uint64_t nstr, slot_cap, nnodes, nedges, nprops, nu32, nkeys, ncrit;
	uint64_t total;                           /* the file's size */
	struct { uint64_t off, len; } sec[NSEC];
	uint64_t check;                           /* xsm__hash of the bytes before it */
};

struct top_header {
	char magic[8];
	uint32_t version, order;
	char snapshot[40];
	struct img_fileid bin, overlay;           /* the snapshot's files */
	uint64_t image_check;                     /* the check of the image it goes over */
	uint64_t ncrit;                           /* (node, level) pairs after the header */
	uint64_t check;                           /* xsm__hash of the bytes before it */
};

static uint64_t page_up(uint64_t n)
{
	return (n + IMG_PAGE - 1) / IMG_PAGE * IMG_PAGE;
}

/* the identity of STORE/graph/<snapshot>/<name> (no link followed); zero when absent; -1 when unreadable */
static int file_id(struct img_fileid *id, xsm_store *store, const char *snapshot, const char *name)
{
	char rel[128];
	struct stat sb;
	memset(id, 0, sizeof(*id));
	if (snprintf(rel, sizeof(rel), "graph/%s/%s", snapshot, name) >= (int)sizeof(rel))
		return -1;
	if (fstatat(store->dfd, rel, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(sb.st_mode))
		return -1;
	id->dev = (uint64_t)sb.st_dev;
	id->ino = (uint64_t)sb.st_ino;
	id->size = (uint64_t)sb.st_size;
	id->mtime_s = (uint64_t)sb.st_mtim.tv_sec;
	id->mtime_ns = (uint64_t)sb.st_mtim.tv_nsec;
	return 0;
}

static int snapshot_ids(struct img_header *h, xsm_store *store, const char *snapshot)
{
	return file_id(&h->bin, store, snapshot, "graph.bin") < 0 || h->bin.ino == 0 ||
			       file_id(&h->overlay, store, snapshot, "graph.overlay") < 0
		       ? -1
		       : 0;
}

/* --- the key index -------------------------------------------------------------- */

typedef XSM__VEC(uint64_t) wordvec;

static int add_key(wordvec *k, const char *s, size_t len, uint32_t node)
{
	if (xsm__vec_reserve(k, 2) < 0)
		return -1;
	k->v[k->n++] = xsm__graph_key_hash(s, len);
	k->v[k->n++] = node;
	return 0;
}

/*
 * The addresses a node was matched on, as its merge record has them
 * ("hostip:web01/10.0.0.5" in rawData.sources): every run of address
 * characters between a '/' and a '"', as find_nodes looks for them
 */
static int add_addresses(wordvec *k, const char *t, size_t len, uint32_t node)
{
	const char *p = t, *end = t + len;
	while ((p = memchr(p, '/', (size_t)(end - p)))) {
		const char *q = ++p;
		size_t n = strspn(q, "0123456789.:abcdefABCDEF");
		if (q[n] == '"' && n >= 7 && n < 64 && add_key(k, q, n, node) < 0)
			return -1;
	}
	return 0;
}

/* every key of node i (xsm__graph_find_nodes: name, host name, EntityIds ids, FQDN host names, addresses) */
static int node_keys(wordvec *k, const xsm_graph *g, uint32_t i, uint32_t sources)
{
	const xsm__node *nd = &g->nodes.v[i];
	const char *nm = xsm__gstr(g, nd->name), *dot;
	if (add_key(k, nm, g->s.lens[nd->name], i) < 0 || ((dot = strchr(nm, '.')) && add_key(k, nm, (size_t)(dot - nm), i) < 0))
		return -1;
	for (uint32_t e = 0; e < nd->eids_n; e++) {
		uint32_t type = g->u32.v[nd->eids_off + 2 * e], id = g->u32.v[nd->eids_off + 2 * e + 1];
		const char *s = xsm__gstr(g, id);
		if (add_key(k, s, g->s.lens[id], i) < 0)
			return -1;
		if (!strcmp(xsm__gstr(g, type), "Fqdn") && (dot = strchr(s, '.')) && add_key(k, s, (size_t)(dot - s), i) < 0)
			return -1;
	}
	if (sources) {
		const xsm__prop *p = xsm__graph_prop(g, i, sources);
		if (p && p->type == XSM_V_JSON && add_addresses(k, xsm__gstr(g, p->a), g->s.lens[p->a], i) < 0)
			return -1;
	}
	return 0;
}

/*
 * The n (hash, node) pairs of k, made in node order, sorted by hash: a
 * stable radix sort (16 bits a pass), so nodes stay in order within a
 * hash.  0, or -1 when out of memory.
 */
static int sort_keys(uint64_t *k, size_t n)
{
	uint64_t *tmp = xsm__reallocarray(NULL, 2 * n + 2, sizeof(uint64_t)), *src = k, *dst = tmp;
	size_t *cnt = xsm__calloc(65536, sizeof(size_t));
	if (!tmp || !cnt) {
		xsm__free(tmp);
		xsm__free(cnt);
		return -1;
	}
	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0, i;
		memset(cnt, 0, 65536 * sizeof(size_t));
		for (i = 0; i < n; i++)
			cnt[(src[2 * i] >> shift) & 0xffff]++;
		for (i = 0; i < 65536; i++) {
			size_t c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			size_t at = cnt[(src[2 * i] >> shift) & 0xffff]++;
			dst[2 * at] = src[2 * i];
			dst[2 * at + 1] = src[2 * i + 1];
		}
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	/* four passes: the sorted pairs are back in k */
	xsm__free(tmp);
	xsm__free(cnt);
	return 0;
}

/* the keys of nodes [from, to) into k (a thread's share); rc -1 when out of memory */
struct keyjob {
	const xsm_graph *g;
	wordvec k;
	uint32_t from, to, sources;
	int rc;
};

static void *keys_of(void *arg)
{
	struct keyjob *j = arg;
	if (xsm__vec_reserve(&j->k, (size_t)(j->to - j->from) * 12) < 0) { /* about six keys a node */
		j->rc = -1;
		return NULL;
	}
	for (uint32_t i = j->from; i < j->to && j->rc == 0; i++)
		if (node_keys(&j->k, j->g, i, j->sources) < 0)
			j->rc = -1;
	return NULL;
}

/* every node's keys, in node order, on two threads */
static int all_keys(wordvec *keys, const xsm_graph *g, uint32_t sources)
{
	struct keyjob j[2];
	uint32_t half = (uint32_t)(g->nodes.n / 2);
	int rc = 0;
	memset(j, 0, sizeof(j));
	j[0] = (struct keyjob){ g, { 0 }, 0, half, sources, 0 };
	j[1] = (struct keyjob){ g, { 0 }, half, (uint32_t)g->nodes.n, sources, 0 };
	xsm__run2(keys_of, &j[0], &j[1]);
	if (j[0].rc < 0 || j[1].rc < 0 || xsm__vec_reserve(&j[0].k, j[1].k.n) < 0) {
		rc = -1;
	} else {
		if (j[1].k.n)
			memcpy(j[0].k.v + j[0].k.n, j[1].k.v, j[1].k.n * sizeof(uint64_t));
		j[0].k.n += j[1].k.n;
		*keys = j[0].k;
		j[0].k.v = NULL;
	}
	xsm__vec_free(&j[0].k);
	xsm__vec_free(&j[1].k);
	return rc;
}

/* --- writing ---------------------------------------------------------------------- */

static int put(xsm__afile *af, const void *p, uint64_t n)
{
	return !n || xsm__afile_write(af, p, (size_t)n) == 0;
}

/* zeros up to the next page */
static int pad(xsm__afile *af, uint64_t len)
{
	static const char zero[IMG_PAGE];
	uint64_t n = page_up(len) - len;
	return put(af, zero, n);
}

/* where each string starts in the strings section */
static int put_offsets(xsm__afile *af, const xsm_graph *g)
{
	uint64_t buf[4096], at = 0;
	size_t k = 0, n = 0;
	for (; k < g->s.n; k++) {
		buf[n++] = at;
		at += (uint64_t)g->s.lens[k] + 1;
		if (n == sizeof(buf) / sizeof(buf[0])) {
			if (!put(af, buf, sizeof(buf)))
				return 0;
			n = 0;
		}
	}
	return put(af, buf, n * sizeof(buf[0]));
}

static int header_ok(const struct img_header *h, uint64_t size);

/* the store's image opened (*fd, when fd is not NULL) and its header read and checked: 0, or -1 (no message) */
static int read_header(xsm_store *store, struct img_header *h, int *fd)
{
	struct stat sb;
	int f, ok;
	if ((f = xsm__store_open(store, XSM__IMAGE_PATH)) < 0) {
		xsm_ctx_clear(xsm_store_ctx(store));
		return -1;
	}
	memset(h, 0, sizeof(*h));
	ok = fstat(f, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= (off_t)IMG_PAGE &&
	     pread(f, h, sizeof(*h), 0) == (ssize_t)sizeof(*h) && header_ok(h, (uint64_t)sb.st_size);
	if (ok && fd)
		*fd = f;
	else
		close(f);
	return ok ? 0 : -1;
}

static int no_file(const struct img_fileid *id)
{
	return id->ino == 0;
}

/*
 * The top layer of g's snapshot, when that snapshot has a graph.overlay
 * and the store's image is of its graph.bin alone; XSM_ENOTFOUND (no
 * message) when not: the whole image is written then
 */
static int write_top(xsm_graph *g, xsm_store *store, const uint32_t *crit, size_t ncrit)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	struct img_header h;
	struct top_header t;
	xsm__afile af;
	int rc;

	memset(&t, 0, sizeof(t));
	if (read_header(store, &h, NULL) < 0 || !no_file(&h.overlay) ||
	    file_id(&t.bin, store, g->snapshot, "graph.bin") < 0 || file_id(&t.overlay, store, g->snapshot, "graph.overlay") < 0 ||
	    no_file(&t.overlay) || memcmp(&t.bin, &h.bin, sizeof(t.bin)) || h.nstr != g->base_nstr ||
	    h.nnodes != g->base_nnodes)
		return XSM_ENOTFOUND;
	memcpy(t.magic, TOP_MAGIC, 8);
	t.version = TOP_VERSION;
	t.order = 0x01020304u;
	snprintf(t.snapshot, sizeof(t.snapshot), "%s", g->snapshot);
	t.image_check = h.check;
	t.ncrit = ncrit;
	t.check = xsm__hash(&t, offsetof(struct top_header, check));
	memset(&af, 0, sizeof(af));
	if ((rc = xsm__store_afile(&af, store, XSM__IMAGE_TOP_PATH)) < 0)
		return rc;
	if (!put(&af, &t, sizeof(t)) || !put(&af, crit, (uint64_t)ncrit * 8)) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", XSM__IMAGE_TOP_PATH);
		xsm__afile_abort(&af);
		return rc;
	}
	if ((rc = xsm__afile_commit(&af, ctx)) == 0)
		xsm__log(ctx, "write: graph image top layer of %s over the image of %s: %llu critical", g->snapshot, h.snapshot,
			 (unsigned long long)ncrit);
	return rc;
}

int xsm__graph_write_image(xsm_graph *g, xsm_store *store, const uint32_t *crit, size_t ncrit)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	struct img_header *h = NULL;
	const void *data[NSEC];
	uint64_t at, strbytes = 0;
	wordvec keys = { 0 };
	xsm__afile af;
	uint32_t sources = 0;
	size_t cap, i;
	double t0 = xsm__mono();
	int rc = 0, ok;

	memset(&af, 0, sizeof(af));
	if (!g->frozen || g->map)
		return xsm__error_set(ctx, XSM_EUSAGE, "no graph image of a graph not frozen or mapped");
	if ((rc = write_top(g, store, crit, ncrit)) != XSM_ENOTFOUND)
		return rc;
	rc = 0;
	if (!(h = xsm__calloc(1, IMG_PAGE)))
		return xsm__error_oom(ctx);
	memcpy(h->magic, IMG_MAGIC, 8);
	h->version = IMG_VERSION;
	h->order = 0x01020304u;
	h->sz_node = (uint32_t)sizeof(xsm__node);
	h->sz_edge = (uint32_t)sizeof(xsm__edge);
	h->sz_prop = (uint32_t)sizeof(xsm__prop);
	h->sz_header = (uint32_t)sizeof(*h);
	snprintf(h->snapshot, sizeof(h->snapshot), "%s", g->snapshot);
	if (snapshot_ids(h, store, g->snapshot) < 0) {
		rc = xsm__error_set(ctx, XSM_EIO, "snapshot '%s' has no graph.bin to image", g->snapshot);
		goto done;
	}
	(void)xsm__strpool_find(&g->s, "sources", 7, &sources);
	if (all_keys(&keys, g, sources) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	xsm__phase(ctx, &t0, "graph image: keys");
	if (keys.n > 2 && sort_keys(keys.v, keys.n / 2) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	xsm__phase(ctx, &t0, "graph image: keys sorted");
	for (i = 0; i < g->s.n; i++)
		strbytes += (uint64_t)g->s.lens[i] + 1;
	h->nstr = g->s.n;
	/* the pool's own string table (at most 3/4 full), as it is */
	h->slot_cap = cap = g->s.cap;
	h->nnodes = g->nodes.n;
	h->nedges = g->edges.n;
	h->nprops = g->props.n;
	h->nu32 = g->u32.n;
	h->nkeys = keys.n / 2;
	h->ncrit = ncrit;
	h->sec[S_LENS].len = g->s.n * 4;
	h->sec[S_OFFS].len = g->s.n * 8;
	h->sec[S_STRS].len = strbytes;
	h->sec[S_SLOTS].len = cap * 8;
	h->sec[S_NODES].len = g->nodes.n * sizeof(xsm__node);
	h->sec[S_EDGES].len = g->edges.n * sizeof(xsm__edge);
	h->sec[S_PROPS].len = g->props.n * sizeof(xsm__prop);
	h->sec[S_U32].len = g->u32.n * 4;
	h->sec[S_OUT_OFF].len = h->sec[S_IN_OFF].len = (g->nodes.n + 1) * 4;
	h->sec[S_OUT_EDGE].len = h->sec[S_IN_EDGE].len = g->edges.n * 4;
	h->sec[S_KEYS].len = keys.n * 8;
	h->sec[S_CRIT].len = ncrit * 8;
	data[S_LENS] = g->s.lens;
	data[S_OFFS] = data[S_STRS] = NULL; /* written string by string */
	data[S_SLOTS] = g->s.slots;
	data[S_NODES] = g->nodes.v;
	data[S_EDGES] = g->edges.v;
	data[S_PROPS] = g->props.v;
	data[S_U32] = g->u32.v;
	data[S_OUT_OFF] = g->out_off;
	data[S_OUT_EDGE] = g->out_edge;
	data[S_IN_OFF] = g->in_off;
	data[S_IN_EDGE] = g->in_edge;
	data[S_KEYS] = keys.v;
	data[S_CRIT] = crit;
	for (at = IMG_PAGE, i = 0; i < NSEC; i++) {
		h->sec[i].off = at;
		at += page_up(h->sec[i].len);
	}
	h->total = at;
	h->check = xsm__hash(h, offsetof(struct img_header, check));

	if ((rc = xsm__store_afile(&af, store, XSM__IMAGE_PATH)) < 0)
		goto done;
	ok = put(&af, h, IMG_PAGE);
	for (i = 0; ok && i < NSEC; i++) {
		if (i == S_OFFS)
			ok = put_offsets(&af, g);
		else if (i == S_STRS)
			for (size_t k = 0; ok && k < g->s.n; k++)
				ok = put(&af, xsm__gstr(g, (uint32_t)k), (uint64_t)g->s.lens[k] + 1);
		else
			ok = put(&af, data[i], h->sec[i].len);
		ok = ok && pad(&af, h->sec[i].len);
	}
	if (!ok) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", XSM__IMAGE_PATH);
		xsm__afile_abort(&af);
		goto done;
	}
	if ((rc = xsm__afile_commit(&af, ctx)) == 0) {
		xsm__log(ctx, "write: graph image of %s: %llu bytes, %llu keys", g->snapshot,
			 (unsigned long long)h->total, (unsigned long long)h->nkeys);
		/* a top layer goes over the image before this one: never used again */
		if (xsm_store_remove(store, XSM__IMAGE_TOP_PATH) < 0)
			xsm_ctx_clear(ctx);
	}
done:
	xsm__vec_free(&keys);
	xsm__free(h);
	return rc;
}

/* --- reading ---------------------------------------------------------------------- */

/* the header read from fd, checked against itself, this build's layout and the file's size */
static int header_ok(const struct img_header *h, uint64_t size)
{
	static const uint64_t elem[NSEC] = { 4, 8, 1, 8, sizeof(xsm__node), sizeof(xsm__edge), sizeof(xsm__prop), 4,
					     4, 4, 4, 4, 16, 8 };
	uint64_t count[NSEC];
	if (memcmp(h->magic, IMG_MAGIC, 8) || h->version != IMG_VERSION || h->order != 0x01020304u ||
	    h->sz_node != sizeof(xsm__node) || h->sz_edge != sizeof(xsm__edge) || h->sz_prop != sizeof(xsm__prop) ||
	    h->sz_header != sizeof(*h) || h->check != xsm__hash(h, offsetof(struct img_header, check)) ||
	    h->total != size || !memchr(h->snapshot, '\0', sizeof(h->snapshot)))
		return 0;
	if (h->nstr == 0 || h->nstr >= UINT32_MAX || h->nnodes >= UINT32_MAX || h->nedges >= UINT32_MAX ||
	    h->nprops >= UINT32_MAX || h->nu32 >= UINT32_MAX || h->nkeys > ((uint64_t)1 << 40) ||
	    h->ncrit > h->nnodes || h->slot_cap <= h->nstr || h->slot_cap > ((uint64_t)1 << 40) || (h->slot_cap & (h->slot_cap - 1)))
		return 0;
	count[S_LENS] = count[S_OFFS] = h->nstr;
	count[S_STRS] = h->sec[S_STRS].len; /* checked against lens when the strings are placed */
	count[S_SLOTS] = h->slot_cap;
	count[S_NODES] = h->nnodes;
	count[S_EDGES] = h->nedges;
	count[S_PROPS] = h->nprops;
	count[S_U32] = h->nu32;
	count[S_OUT_OFF] = count[S_IN_OFF] = h->nnodes + 1;
	count[S_OUT_EDGE] = count[S_IN_EDGE] = h->nedges;
	count[S_KEYS] = h->nkeys;
	count[S_CRIT] = h->ncrit;
	for (int i = 0; i < NSEC; i++)
		if (h->sec[i].off % IMG_PAGE || h->sec[i].off < IMG_PAGE || h->sec[i].off > size ||
		    h->sec[i].len > size - h->sec[i].off || h->sec[i].len != count[i] * elem[i])
			return 0;
	return h->sec[S_STRS].len > 0;
}

/*
 * The top layer for snapshot (whose files are bin and ovl) over the image
 * whose check is image_check (of nnodes nodes): its critical list into
 * *crit (xsm__malloc), *ncrit pairs; -1 when there is none that fits
 */
static int read_top(xsm_store *store, const char *snapshot, const struct img_fileid *bin, const struct img_fileid *ovl,
		    uint64_t image_check, uint64_t nnodes, uint32_t **crit, size_t *ncrit)
{
	struct top_header t;
	struct stat sb;
	uint32_t *c = NULL;
	int fd, ok;
	if ((fd = xsm__store_open(store, XSM__IMAGE_TOP_PATH)) < 0) {
		xsm_ctx_clear(xsm_store_ctx(store));
		return -1;
	}
	memset(&t, 0, sizeof(t));
	ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && pread(fd, &t, sizeof(t), 0) == (ssize_t)sizeof(t) &&
	     !memcmp(t.magic, TOP_MAGIC, 8) && t.version == TOP_VERSION && t.order == 0x01020304u &&
	     t.check == xsm__hash(&t, offsetof(struct top_header, check)) && memchr(t.snapshot, '\0', sizeof(t.snapshot)) &&
	     !strcmp(t.snapshot, snapshot) && t.image_check == image_check && !memcmp(&t.bin, bin, sizeof(*bin)) &&
	     !memcmp(&t.overlay, ovl, sizeof(*ovl)) && t.ncrit < ((uint64_t)1 << 32) &&
	     (uint64_t)sb.st_size == sizeof(t) + t.ncrit * 8;
	if (ok && crit) {
		ok = (c = xsm__malloc((size_t)t.ncrit * 8 + 8)) != NULL &&
		     (!t.ncrit || pread(fd, c, (size_t)t.ncrit * 8, sizeof(t)) == (ssize_t)(t.ncrit * 8));
		/* the list names nodes of the image: one that does not is not this store's writing */
		for (uint64_t i = 0; ok && i < t.ncrit; i++)
			ok = c[2 * i] < nnodes && c[2 * i + 1] <= 4;
		if (ok) {
			*crit = c;
			*ncrit = (size_t)t.ncrit;
		} else {
			xsm__free(c);
		}
	}
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Section which of the image in fd mapped apart, private and writable,
 * with room for extra bytes after it, into g->room[slot]; NULL when the
 * system will not
 */
static char *room(xsm_graph *g, int slot, int fd, const struct img_header *h, int which, uint64_t extra)
{
	size_t len = (size_t)page_up(h->sec[which].len), total = len + (size_t)page_up(extra ? extra : 1);
	char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (len && mmap(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, (off_t)h->sec[which].off) == MAP_FAILED) {
		munmap(p, total);
		return NULL;
	}
	g->room[slot].p = p;
	g->room[slot].len = total;
	return p;
}

/*
 * Snapshot g->snapshot's graph.overlay applied over the image mapped at
 * map (from fd) into g: the sections it grows get room, the nodes and the string table are
 * made copy-on-write.  0, or -1 (g's maps are undone by xsm_graph_free)
 */
static int apply_top(xsm_graph *g, xsm_store *store, char *map, int fd, const struct img_header *h)
{
	xsm__overlay o;
	char rel[128];
	uint64_t *at;
	uint32_t *lens;
	int rc = -1;

	snprintf(rel, sizeof(rel), "graph/%s/graph.overlay", g->snapshot);
	if (xsm__overlay_open(&o, g, store, rel) < 0) {
		xsm_ctx_clear(g->ctx);
		return -1;
	}
	if (mprotect(map + h->sec[S_NODES].off, (size_t)page_up(h->sec[S_NODES].len), PROT_READ | PROT_WRITE) < 0 ||
	    mprotect(map + h->sec[S_SLOTS].off, (size_t)page_up(h->sec[S_SLOTS].len), PROT_READ | PROT_WRITE) < 0 ||
	    !(lens = (uint32_t *)room(g, 0, fd, h, S_LENS, o.nstr * 4)) ||
	    !(at = (uint64_t *)room(g, 1, fd, h, S_OFFS, o.nstr * 8)) ||
	    !(g->props.v = (xsm__prop *)room(g, 2, fd, h, S_PROPS, o.nprops * sizeof(xsm__prop))) ||
	    !(g->u32.v = (uint32_t *)room(g, 3, fd, h, S_U32, o.nu32 * 4)))
		goto done;
	xsm__strpool_map_room(&g->s, at, lens, (size_t)(h->nstr + o.nstr));
	g->props.cap = (size_t)(h->nprops + o.nprops);
	g->u32.cap = (size_t)(h->nu32 + o.nu32);
	rc = xsm__overlay_apply(g, &o) == 0 ? 0 : -1;
	g->props.cap = g->u32.cap = 0;
	xsm_ctx_clear(g->ctx);
done:
	xsm__overlay_close(&o);
	return rc;
}

/*
 * Whether the store's image serves reads of snapshot: 0 it does not, 1 it
 * is of snapshot, 2 it is of snapshot's graph.bin alone and a top layer
 * for snapshot goes over it.  *h gets the image's header; with fd, the
 * image stays open in *fd when it serves; with crit, the top layer's
 * critical list is read (read_top)
 */
static int image_serves(xsm_store *store, const char *snapshot, struct img_header *h, int *fd, uint32_t **crit,
			size_t *ncrit)
{
	struct img_fileid bin, ovl;
	int f = -1, how = 0;
	if (!snapshot || read_header(store, h, fd ? &f : NULL) < 0)
		return 0;
	if (file_id(&bin, store, snapshot, "graph.bin") == 0 && file_id(&ovl, store, snapshot, "graph.overlay") == 0 &&
	    !memcmp(&bin, &h->bin, sizeof(bin))) {
		if (!strcmp(h->snapshot, snapshot) && !memcmp(&ovl, &h->overlay, sizeof(ovl)))
			how = 1;
		else if (no_file(&h->overlay) && !no_file(&ovl) &&
			 read_top(store, snapshot, &bin, &ovl, h->check, h->nnodes, crit, ncrit) == 0)
			how = 2;
	}
	if (fd && how)
		*fd = f;
	else if (f >= 0)
		close(f);
	return how;
}

int xsm__graph_map_image(xsm_graph *g, xsm_store *store)
{
	struct img_header h;
	struct stat st;
	uint32_t *crit = NULL;
	size_t ncrit = 0;
	char *map;
	const char *base;
	uint64_t at = 0;
	int fd, how;

	if ((how = image_serves(store, g->snapshot, &h, &fd, &crit, &ncrit)) == 0)
		return XSM_ENOTFOUND;
	map = mmap(NULL, (size_t)h.total, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		xsm__free(crit);
		return XSM_ENOTFOUND;
	}
	/* the strings one after another, each with its NUL, the last ending the section */
	base = map + h.sec[S_STRS].off;
	{
		const uint32_t *lens = (const uint32_t *)(map + h.sec[S_LENS].off);
		const uint64_t *offs = (const uint64_t *)(map + h.sec[S_OFFS].off);
		at = offs[h.nstr - 1] + lens[h.nstr - 1] + 1;
		if (at != h.sec[S_STRS].len || base[at - 1] != '\0' || offs[0] != 0) {
			munmap(map, (size_t)h.total);
			close(fd);
			xsm__free(crit);
			return XSM_ENOTFOUND;
		}
	}
	xsm__strpool_free(&g->s);
	xsm__strpool_map(&g->s, (uint64_t *)(map + h.sec[S_SLOTS].off), (size_t)h.slot_cap,
			 (const uint64_t *)(map + h.sec[S_OFFS].off), base, (uint32_t *)(map + h.sec[S_LENS].off),
			 (size_t)h.nstr);
#define MAPVEC(vec, which, count)                                                \
	do {                                                                   \
		(vec).v = (void *)(map + h.sec[which].off);                      \
		(vec).n = (size_t)(count);                                     \
		(vec).cap = 0;                                                 \
	} while (0)
	MAPVEC(g->nodes, S_NODES, h.nnodes);
	MAPVEC(g->edges, S_EDGES, h.nedges);
	MAPVEC(g->props, S_PROPS, h.nprops);
	MAPVEC(g->u32, S_U32, h.nu32);
#undef MAPVEC
	g->out_off = (uint32_t *)(map + h.sec[S_OUT_OFF].off);
	g->out_edge = (uint32_t *)(map + h.sec[S_OUT_EDGE].off);
	g->in_off = (uint32_t *)(map + h.sec[S_IN_OFF].off);
	g->in_edge = (uint32_t *)(map + h.sec[S_IN_EDGE].off);
	g->keys = (const uint64_t *)(map + h.sec[S_KEYS].off);
	g->nkeys = (size_t)h.nkeys;
	g->crit = (const uint32_t *)(map + h.sec[S_CRIT].off);
	g->ncrit = (size_t)h.ncrit;
	g->map = map;
	g->map_len = (size_t)h.total;
	g->frozen = 1;
	if (fstat(fd, &st) == 0) {
		g->img.check = h.check;
		g->img.dev = (uint64_t)st.st_dev;
		g->img.ino = (uint64_t)st.st_ino;
	}
	g->img.nstr = (size_t)h.nstr;
	g->img.nprops = (size_t)h.nprops;
	g->img.nu32 = (size_t)h.nu32;
	if (how == 2) {
		g->crit = g->crit_own = crit;
		g->ncrit = ncrit;
		/* the overlay is applied as to a graph being loaded: g->map marks it read only afterwards */
		g->map = NULL;
		if (apply_top(g, store, map, fd, &h) < 0) {
			g->map = map;
			close(fd);
			return XSM_EINVALID; /* g half made: the caller frees it */
		}
		g->map = map;
	}
	close(fd);
	return 0;
}

/* path removed; not there is not an error */
static int drop(xsm_store *store, const char *path)
{
	int rc = xsm_store_remove(store, path);
	if (rc == XSM_ENOTFOUND) {
		xsm_ctx_clear(xsm_store_ctx(store));
		rc = 0;
	}
	return rc;
}

int xsm__graph_image_gc(xsm_store *store, const char *snapshot)
{
	struct img_header h;
	switch (image_serves(store, snapshot, &h, NULL, NULL, NULL)) {
	case 0: return xsm__graph_drop_image(store);
	case 1: return drop(store, XSM__IMAGE_TOP_PATH);
	default: return 0;
	}
}

int xsm__graph_drop_image(xsm_store *store)
{
	int rc = drop(store, XSM__IMAGE_PATH);
	return rc < 0 ? rc : drop(store, XSM__IMAGE_TOP_PATH);
}
