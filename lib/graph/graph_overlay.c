/*
 * graph_overlay.c - a snapshot that shares its graph with an earlier one.
 *
 * A change of criticality (critical set/unset, rule changes) or of
 * insights settings re-evaluates the current graph without resolving it
 * again: nodes, edges and their ids stay; only node properties change
 * (criticality, attack path marks).  Such a snapshot's graph.bin is a hard
 * link to the one it was loaded from, and graph.overlay holds what differs:
 * the complete property range of every node whose properties are not those
 * of graph.bin, with the strings they add.  Loading applies it over
 * graph.bin.  Hard links make sharing safe to collect: removing a snapshot
 * removes a name, and the bytes go with the last one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adapt/zstd.h"
#include "ctx.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#define OVL_MAGIC "XSMOVRLY"
#define OVL_VERSION 1u

struct ovl_header {
	char magic[8];
	uint32_t version, sz_prop;
	uint64_t base_nstr, base_nnodes; /* the graph.bin it applies over */
	uint64_t nstr, strbytes;         /* strings added: ids base_nstr.. in order */
	uint64_t nchanged, nprops, nu32; /* (node, count) pairs; their properties; string lists */
};

/* a node's properties as text (keys and values, not string ids), hashed */
static uint64_t node_hash(const xsm_graph *g, uint32_t node, xsm_buf *b)
{
	const xsm__node *n = &g->nodes.v[node];
	xsm_buf_clear(b);
	for (uint32_t k = 0; k < n->props_n; k++) {
		const xsm__prop *p = &g->props.v[n->props_off + k];
		char t = (char)('0' + p->type);
		xsm__buf_gstr(b, g, p->key);
		xsm_buf_putc(b, t);
		switch (p->type) {
		case XSM_V_BOOL: xsm_buf_putc(b, p->a ? '1' : '0'); break;
		case XSM_V_NUM: xsm_buf_put(b, &p->num, sizeof(p->num)); break;
		case XSM_V_STR:
		case XSM_V_JSON: xsm__buf_gstr(b, g, p->a); break;
		case XSM_V_STRS:
			for (uint32_t x = 0; x < p->b; x++) {
				xsm__buf_gstr(b, g, g->u32.v[p->a + x]);
				xsm_buf_putc(b, '\0');
			}
			break;
		default: break;
		}
		xsm_buf_putc(b, '\n');
	}
	return b->size ? xsm__hash(b->ptr, b->size) : 0;
}

int xsm__graph_keep_base(xsm_graph *g, const char *snapshot)
{
	xsm_buf b = XSM_BUF_INIT;
	size_t i;
	if (xsm__graph_readonly(g) < 0)
		return XSM_EINVALID;
	if (!(g->base_hash = xsm__calloc(g->nodes.n + 1, sizeof(uint64_t))))
		return xsm__error_oom(g->ctx);
	for (i = 0; i < g->nodes.n; i++)
		g->base_hash[i] = node_hash(g, (uint32_t)i, &b);
	xsm_buf_dispose(&b);
	g->base_nstr = g->s.n;
	g->base_nnodes = g->nodes.n;
	snprintf(g->base_from, sizeof(g->base_from), "%s", snapshot);
	return 0;
}

/*
 * graph/<from>/graph.bin linked as graph/<id>/graph.bin, both reached
 * under the store's directory without following a link; XSM_EIO (no
 * message) when the file system will not
 */
static int link_base(xsm_graph *g, xsm_store *store, const char *id)
{
	xsm_buf from = XSM_BUF_INIT, to = XSM_BUF_INIT;
	const char *fleaf, *tleaf;
	int fdir = -1, tdir = -1, rc = 0;
	if (xsm_buf_printf(&from, "graph/%s/graph.bin", g->base_from) < 0 || xsm_buf_printf(&to, "graph/%s/graph.bin", id) < 0)
		rc = XSM_ENOMEM;
	else if ((fdir = xsm__fs_walk(store->dfd, from.ptr, 0, &fleaf)) < 0 ||
		 (tdir = xsm__fs_walk(store->dfd, to.ptr, 0700, &tleaf)) < 0 || linkat(fdir, fleaf, tdir, tleaf, 0) < 0)
		rc = XSM_EIO;
	if (fdir >= 0)
		close(fdir);
	if (tdir >= 0)
		close(tdir);
	xsm_buf_dispose(&from);
	xsm_buf_dispose(&to);
	return rc == XSM_ENOMEM ? xsm__error_oom(g->ctx) : rc;
}

int xsm__graph_write_shared(xsm_graph *g, xsm_store *store, const char *id, size_t *changed)
{
	struct ovl_header h;
	xsm_buf plain = XSM_BUF_INIT, z = XSM_BUF_INIT, b = XSM_BUF_INIT, rel = XSM_BUF_INIT;
	XSM__VEC(uint32_t) pairs = { 0 };
	XSM__VEC(xsm__prop) props = { 0 };
	XSM__VEC(uint32_t) u32 = { 0 };
	uint64_t strbytes = 0;
	size_t i;
	int rc = 0;

	*changed = 0;
	if (!g->base_hash || g->base_nnodes != g->nodes.n || g->base_nstr > g->s.n)
		return XSM_ENOTFOUND;
	for (i = 0; i < g->nodes.n && rc == 0; i++) {
		const xsm__node *n = &g->nodes.v[i];
		if (node_hash(g, (uint32_t)i, &b) == g->base_hash[i])
			continue;
		if (xsm__vec_push(&pairs, (uint32_t)i) < 0 || xsm__vec_push(&pairs, n->props_n) < 0) {
			rc = XSM_ENOMEM;
			break;
		}
		for (uint32_t k = 0; k < n->props_n && rc == 0; k++) {
			xsm__prop p = g->props.v[n->props_off + k];
			if (p.type == XSM_V_STRS) {
				uint32_t at = (uint32_t)u32.n;
				for (uint32_t x = 0; x < p.b && rc == 0; x++)
					if (xsm__vec_push(&u32, g->u32.v[p.a + x]) < 0)
						rc = XSM_ENOMEM;
				p.a = at;
			}
			if (rc == 0 && xsm__vec_push(&props, p) < 0)
				rc = XSM_ENOMEM;
		}
	}
	for (i = g->base_nstr; i < g->s.n; i++)
		strbytes += g->s.lens[i];
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, OVL_MAGIC, 8);
	h.version = OVL_VERSION;
	h.sz_prop = (uint32_t)sizeof(xsm__prop);
	h.base_nstr = g->base_nstr;
	h.base_nnodes = g->base_nnodes;
	h.nstr = g->s.n - g->base_nstr;
	h.strbytes = strbytes;
	h.nchanged = pairs.n / 2;
	h.nprops = props.n;
	h.nu32 = u32.n;
	if (rc == 0 && (xsm_buf_put(&plain, &h, sizeof(h)) < 0 ||
			(h.nstr && xsm_buf_put(&plain, g->s.lens + g->base_nstr, (size_t)h.nstr * 4) < 0)))
		rc = XSM_ENOMEM;
	for (i = g->base_nstr; rc == 0 && i < g->s.n; i++)
		if (xsm_buf_put(&plain, xsm__gstr(g, (uint32_t)i), g->s.lens[i]) < 0)
			rc = XSM_ENOMEM;
	if (rc == 0 && ((pairs.n && xsm_buf_put(&plain, pairs.v, pairs.n * 4) < 0) ||
			(props.n && xsm_buf_put(&plain, props.v, props.n * sizeof(xsm__prop)) < 0) ||
			(u32.n && xsm_buf_put(&plain, u32.v, u32.n * 4) < 0)))
		rc = XSM_ENOMEM;
	xsm__vec_free(&pairs);
	xsm__vec_free(&props);
	xsm__vec_free(&u32);
	xsm_buf_dispose(&b);
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(g->ctx);
	if (rc == 0)
		rc = xsm__zstd_file(&z, g->ctx, plain.ptr, plain.size);
	xsm_buf_dispose(&plain);
	/* the link first: without it, no overlay is written, and the caller writes graph.bin whole */
	if (rc == 0)
		rc = link_base(g, store, id);
	if (rc == 0 && xsm_buf_printf(&rel, "graph/%s/graph.overlay", id) < 0)
		rc = xsm__error_oom(g->ctx);
	if (rc == 0)
		rc = xsm_store_write(store, rel.ptr, z.ptr, z.size);
	if (rc == 0)
		*changed = (size_t)h.nchanged;
	xsm_buf_dispose(&z);
	xsm_buf_dispose(&rel);
	return rc;
}

/* take n bytes at *at of p[0..len) into dst */
static int take(void *dst, const char *p, size_t len, size_t *at, uint64_t n)
{
	if (n > len - *at)
		return -1;
	if (n)
		memcpy(dst, p + *at, (size_t)n);
	*at += (size_t)n;
	return 0;
}

/* o's file does not fit g's graph.bin (XSM_EINVALID naming it) */
static int unfit(xsm_graph *g, const xsm__overlay *o)
{
	return xsm__error_set(g->ctx, XSM_EINVALID, "'%s' does not fit its graph.bin; rebuild with 'xsm graph build'", o->rel);
}

int xsm__overlay_open(xsm__overlay *o, xsm_graph *g, xsm_store *store, const char *rel)
{
	struct ovl_header h;
	xsm_buf z = XSM_BUF_INIT;
	xsm__zr *zr = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	o->rel = rel;
	if ((rc = xsm_store_read(&z, store, rel, (size_t)1 << 34)) == XSM_ENOTFOUND) {
		xsm_ctx_clear(g->ctx);
		return XSM_ENOTFOUND;
	}
	if (rc < 0)
		return rc;
	rc = XSM_EINVALID;
	if (xsm__zr_open(&zr, g->ctx, z.ptr, z.size, rel) < 0)
		goto done;
	o->len = (size_t)xsm__zr_size(zr);
	if (!(o->plain = xsm__malloc(o->len + 1))) {
		rc = XSM_ENOMEM;
		goto done;
	}
	if (o->len && xsm__zr_read(zr, 0, o->len, o->plain) < 0)
		goto done;
	if (take(&h, o->plain, o->len, &o->at, sizeof(h)) < 0 || memcmp(h.magic, OVL_MAGIC, 8) || h.version != OVL_VERSION ||
	    h.sz_prop != sizeof(xsm__prop) || h.base_nstr != g->s.n || h.base_nnodes != g->nodes.n || h.nstr > o->len ||
	    h.strbytes > o->len || h.nchanged > o->len || h.nprops > o->len || h.nu32 > o->len)
		goto done;
	o->base_nstr = h.base_nstr;
	o->nstr = h.nstr;
	o->nchanged = h.nchanged;
	o->nprops = h.nprops;
	o->nu32 = h.nu32;
	rc = 0;
done:
	xsm__zr_free(zr);
	xsm_buf_dispose(&z);
	if (rc < 0)
		xsm__overlay_close(o);
	if (rc == XSM_ENOMEM)
		return xsm__error_oom(g->ctx);
	return rc == XSM_EINVALID ? unfit(g, o) : rc;
}

void xsm__overlay_close(xsm__overlay *o)
{
	xsm__free(o->plain);
	o->plain = NULL;
}

int xsm__overlay_apply(xsm_graph *g, const xsm__overlay *o)
{
	const char *plain = o->plain;
	uint32_t *lens = NULL, *remap = NULL, *pairs = NULL;
	xsm__prop *props = NULL;
	uint32_t *u32 = NULL;
	size_t len = o->len, at = o->at, i, pk = 0, sat, u32_base, limit;
	int rc = XSM_ENOMEM;

	if (!(lens = xsm__calloc((size_t)o->nstr + 1, 4)) || !(remap = xsm__calloc((size_t)o->nstr + 1, 4)) ||
	    !(pairs = xsm__calloc((size_t)o->nchanged * 2 + 1, 4)) ||
	    !(props = xsm__calloc((size_t)o->nprops + 1, sizeof(*props))) || !(u32 = xsm__calloc((size_t)o->nu32 + 1, 4)))
		goto done;
	rc = XSM_EINVALID;
	if (take(lens, plain, len, &at, o->nstr * 4) < 0)
		goto done;
	/* the strings it adds, interned: their ids here may differ from the writer's */
	for (i = 0, sat = at; i < o->nstr; i++) {
		if (lens[i] > len - sat)
			goto done;
		if (xsm__strpool_intern(&g->s, plain + sat, lens[i], &remap[i]) < 0) {
			rc = XSM_ENOMEM;
			goto done;
		}
		sat += lens[i];
	}
	at = sat;
	if (take(pairs, plain, len, &at, o->nchanged * 8) < 0 || take(props, plain, len, &at, o->nprops * sizeof(*props)) < 0 ||
	    take(u32, plain, len, &at, o->nu32 * 4) < 0 || at != len)
		goto done;
	limit = (size_t)(o->base_nstr + o->nstr);
#define MAP(id) ((id) < o->base_nstr ? (id) : remap[(id) - o->base_nstr])
	for (i = 0; i < o->nu32; i++) {
		if (u32[i] >= limit)
			goto done;
		u32[i] = MAP(u32[i]);
	}
	u32_base = g->u32.n;
	for (i = 0; i < o->nprops; i++) {
		xsm__prop *p = &props[i];
		if (p->key >= limit || p->type > XSM_V_JSON)
			goto done;
		p->key = MAP(p->key);
		if (p->type == XSM_V_STR || p->type == XSM_V_JSON) {
			if (p->a >= limit)
				goto done;
			p->a = MAP(p->a);
		} else if (p->type == XSM_V_STRS) {
			if ((uint64_t)p->a + p->b > o->nu32)
				goto done;
			p->a += (uint32_t)u32_base;
		}
	}
#undef MAP
	if (g->u32.n + o->nu32 >= UINT32_MAX || g->props.n + o->nprops >= UINT32_MAX)
		goto done;
	for (i = 0; i < o->nu32; i++)
		if (xsm__vec_push(&g->u32, u32[i]) < 0) {
			rc = XSM_ENOMEM;
			goto done;
		}
	for (i = 0; i < o->nchanged; i++) {
		uint32_t node = pairs[2 * i], n = pairs[2 * i + 1];
		if (node >= g->nodes.n || n > o->nprops - pk)
			goto done;
		g->nodes.v[node].props_off = (uint32_t)g->props.n;
		g->nodes.v[node].props_n = n;
		for (uint32_t k = 0; k < n; k++)
			if (xsm__vec_push(&g->props, props[pk + k]) < 0) {
				rc = XSM_ENOMEM;
				goto done;
			}
		pk += n;
	}
	rc = pk == o->nprops ? 0 : XSM_EINVALID;
done:
	xsm__free(lens);
	xsm__free(remap);
	xsm__free(pairs);
	xsm__free(props);
	xsm__free(u32);
	if (rc == XSM_ENOMEM)
		return xsm__error_oom(g->ctx);
	return rc == XSM_EINVALID ? unfit(g, o) : rc;
}

int xsm__graph_read_overlay(xsm_graph *g, xsm_store *store, const char *rel)
{
	xsm__overlay o;
	int rc;
	if (g->map)
		return xsm__graph_readonly(g);
	if ((rc = xsm__overlay_open(&o, g, store, rel)) < 0)
		return rc;
	rc = xsm__overlay_apply(g, &o);
	xsm__overlay_close(&o);
	return rc;
}
