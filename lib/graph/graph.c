/* graph.c - the in-memory graph: interning, freezing into CSR, lookups, JSON. */
#include "graph/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "adapt/json.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

int xsm__graph_new(xsm_graph **out, xsm_ctx *ctx)
{
	xsm_graph *g = xsm__calloc(1, sizeof(*g));
	*out = NULL;
	if (!g || xsm__strpool_init(&g->s) < 0) {
		xsm__free(g);
		return xsm__error_oom(ctx);
	}
	g->ctx = ctx;
	*out = g;
	return 0;
}

int xsm__graph_readonly(const xsm_graph *g)
{
	if (!g->map)
		return 0;
	return xsm__error_set(g->ctx, XSM_EINVALID, "the graph of snapshot '%s' was mapped for reading and cannot change",
			      g->snapshot);
}

void xsm_graph_free(xsm_graph *g)
{
	if (!g)
		return;
	if (g->map) {
		/* the arrays are the map's: nothing of them to free */
		g->nodes.v = NULL;
		g->edges.v = NULL;
		g->props.v = NULL;
		g->u32.v = NULL;
		g->out_off = g->out_edge = g->in_off = g->in_edge = NULL;
		munmap(g->map, g->map_len);
		for (size_t i = 0; i < sizeof(g->room) / sizeof(g->room[0]); i++)
			if (g->room[i].p)
				munmap(g->room[i].p, g->room[i].len);
	}
	xsm__free(g->crit_own);
	xsm__strpool_free(&g->s);
	xsm__vec_free(&g->nodes);
	xsm__vec_free(&g->edges);
	xsm__vec_free(&g->props);
	xsm__vec_free(&g->u32);
	xsm__strmap_free(&g->by_id);
	xsm__free(g->out_off);
	xsm__free(g->out_edge);
	xsm__free(g->in_off);
	xsm__free(g->in_edge);
	xsm__free(g->meta_json);
	xsm__free(g->base_hash);
	xsm__graph_rel_ends_free(g);
	xsm__free(g);
}

int xsm__graph_internn(xsm_graph *g, const char *s, size_t n, uint32_t *id)
{
	if (g->map)
		return xsm__graph_readonly(g);
	return xsm__strpool_intern(&g->s, s, n, id) < 0 ? xsm__error_oom(g->ctx) : 0;
}

int xsm__graph_intern(xsm_graph *g, const char *s, uint32_t *id)
{
	return xsm__graph_internn(g, s, strlen(s), id);
}

/* --- freezing ------------------------------------------------------------------ */

struct idpair {
	const char *id;
	uint32_t idx;
};

static int cmp_idpair(const void *a, const void *b)
{
	return strcmp(((const struct idpair *)a)->id, ((const struct idpair *)b)->id);
}

struct strid {
	const char *s;
	uint32_t id;
};

static int cmp_strid(const void *a, const void *b)
{
	return strcmp(((const struct strid *)a)->s, ((const struct strid *)b)->s);
}

uint32_t *xsm__graph_string_ranks(const xsm_graph *g, const uint32_t *ids, size_t n, size_t stride)
{
	XSM__VEC(struct strid) d = { 0 };
	uint32_t *rank = xsm__calloc(g->s.n + 1, sizeof(uint32_t));
	size_t i;
	if (!rank)
		return NULL;
	for (i = 0; i < n; i++) {
		uint32_t id = ids[i * stride];
		if (!rank[id]) {
			rank[id] = 1;
			if (xsm__vec_push(&d, ((struct strid){ xsm__gstr(g, id), id })) < 0) {
				xsm__vec_free(&d);
				xsm__free(rank);
				return NULL;
			}
		}
	}
	if (d.n > 1)
		qsort(d.v, d.n, sizeof(*d.v), cmp_strid);
	for (i = 0; i < d.n; i++)
		rank[d.v[i].id] = (uint32_t)i + 1;
	xsm__vec_free(&d);
	return rank;
}

/* for cmp_edge (qsort has no context argument): each edge label's rank in strcmp order */
static const uint32_t *label_rank;

static int cmp_edge(const void *a, const void *b)
{
	const xsm__edge *x = a, *y = b;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->label != y->label)
		return label_rank[x->label] < label_rank[y->label] ? -1 : 1;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	return x->hid < y->hid ? -1 : x->hid > y->hid;
}

/* nodes in NodeId order and edges in cmp_edge order: nothing to sort */
static int already_sorted(const xsm_graph *g)
{
	size_t i;
	for (i = 1; i < g->nodes.n; i++)
		if (strcmp(xsm__gstr(g, g->nodes.v[i - 1].id), xsm__gstr(g, g->nodes.v[i].id)) >= 0)
			return 0;
	for (i = 1; i < g->edges.n; i++)
		if (cmp_edge(&g->edges.v[i - 1], &g->edges.v[i]) > 0)
			return 0;
	return 1;
}

int xsm__graph_freeze(xsm_graph *g)
{
	size_t n = g->nodes.n, m = g->edges.n, i;
	uint32_t *old2new = NULL, *pos = NULL, *rank = NULL;
	struct idpair *pairs = NULL;
	xsm__node *copy = NULL;
	int rc = 0;

	if (g->map)
		return xsm__graph_readonly(g);
	if (n >= UINT32_MAX || m >= UINT32_MAX)
		return xsm__error_set(g->ctx, XSM_EINVALID, "graph too large");
	if (m && !(rank = xsm__graph_string_ranks(g, &g->edges.v[0].label, m, sizeof(xsm__edge) / sizeof(uint32_t))))
		goto oom;
	label_rank = rank;
	if (already_sorted(g))
		goto csr; /* a snapshot read back from graph.bin is in order already */
	pairs = xsm__calloc(n + 1, sizeof(*pairs));
	old2new = xsm__calloc(n + 1, sizeof(*old2new));
	copy = xsm__calloc(n + 1, sizeof(*copy));
	if (!pairs || !old2new || !copy)
		goto oom;
	/* nodes sorted by NodeId; edges remapped to the new indices */
	for (i = 0; i < n; i++) {
		pairs[i].id = xsm__gstr(g, g->nodes.v[i].id);
		pairs[i].idx = (uint32_t)i;
	}
	if (n)
		xsm__qsort2(pairs, n, sizeof(*pairs), cmp_idpair);
	xsm__memcpy(copy, g->nodes.v, n * sizeof(*copy));
	for (i = 0; i < n; i++) {
		old2new[pairs[i].idx] = (uint32_t)i;
		g->nodes.v[i] = copy[pairs[i].idx];
	}
	for (i = 0; i < m; i++) {
		g->edges.v[i].src = old2new[g->edges.v[i].src];
		g->edges.v[i].dst = old2new[g->edges.v[i].dst];
	}
	if (m)
		xsm__qsort2(g->edges.v, m, sizeof(*g->edges.v), cmp_edge);
csr:
	xsm__graph_rel_ends_free(g);
	xsm__free(g->out_off);
	xsm__free(g->out_edge);
	xsm__free(g->in_off);
	xsm__free(g->in_edge);
	g->out_off = xsm__calloc(n + 1, sizeof(uint32_t));
	g->in_off = xsm__calloc(n + 1, sizeof(uint32_t));
	g->out_edge = xsm__calloc(m + 1, sizeof(uint32_t));
	g->in_edge = xsm__calloc(m + 1, sizeof(uint32_t));
	pos = xsm__calloc(n + 1, sizeof(uint32_t));
	if (!g->out_off || !g->in_off || !g->out_edge || !g->in_edge || !pos)
		goto oom;
	for (i = 0; i < m; i++) {
		g->out_off[g->edges.v[i].src + 1]++;
		g->in_off[g->edges.v[i].dst + 1]++;
	}
	for (i = 0; i < n; i++) {
		g->out_off[i + 1] += g->out_off[i];
		g->in_off[i + 1] += g->in_off[i];
	}
	/* edges are sorted by src, so out_edge is the identity order */
	for (i = 0; i < m; i++)
		g->out_edge[i] = (uint32_t)i;
	memcpy(pos, g->in_off, (n + 1) * sizeof(uint32_t));
	for (i = 0; i < m; i++)
		g->in_edge[pos[g->edges.v[i].dst]++] = (uint32_t)i;

	xsm__strmap_free(&g->by_id);
	if (xsm__strmap_reserve(&g->by_id, n) < 0)
		goto oom;
	for (i = 0; i < n; i++) {
		const char *id = xsm__gstr(g, g->nodes.v[i].id);
		uint64_t *slot;
		int created;
		if (xsm__strmap_slot(&g->by_id, id, strlen(id), &slot, &created) < 0)
			goto oom;
		if (!created) {
			rc = xsm__error_set(g->ctx, XSM_EINVALID, "duplicate NodeId '%s'", id);
			goto done;
		}
		*slot = i;
	}
	g->frozen = 1;
	goto done;
oom:
	rc = xsm__error_oom(g->ctx);
done:
	xsm__free(pairs);
	xsm__free(old2new);
	xsm__free(copy);
	xsm__free(pos);
	xsm__free(rank);
	label_rank = NULL;
	return rc;
}

/* --- lookups ------------------------------------------------------------------- */

/* a and b equal ignoring case and one trailing dot each */
static int same_name(const char *a, size_t al, const char *b, size_t bl)
{
	if (al && a[al - 1] == '.')
		al--;
	if (bl && b[bl - 1] == '.')
		bl--;
	return al == bl && !strncasecmp(a, b, al);
}

/* whether node i is known by s through one of its keys: EntityIds, host name, an IP address */
static int has_key(const xsm_graph *g, size_t i, const char *s, size_t sl)
{
	const xsm__node *nd = &g->nodes.v[i];
	const char *nm = xsm__gstr(g, nd->name), *dot;
	const xsm__prop *src;
	if (same_name(nm, strlen(nm), s, sl))
		return 1;
	for (uint32_t k = 0; k < nd->eids_n; k++) {
		const char *type = xsm__gstr(g, g->u32.v[nd->eids_off + 2 * k]);
		const char *id = xsm__gstr(g, g->u32.v[nd->eids_off + 2 * k + 1]);
		if (same_name(id, strlen(id), s, sl))
			return 1;
		/* a host name: the first label of an FQDN */
		if (!strcmp(type, "Fqdn") && (dot = strchr(id, '.')) && same_name(id, (size_t)(dot - id), s, sl))
			return 1;
	}
	if ((dot = strchr(nm, '.')) && !strchr(s, '.') && same_name(nm, (size_t)(dot - nm), s, sl))
		return 1;
	/* an address: a source record matched on host/address ("hostip:web01/10.0.0.5") */
	if (sl >= 7 && sl < 64 && strspn(s, "0123456789.:abcdefABCDEF") == sl &&
	    (src = xsm__graph_prop_s(g, (uint32_t)i, "sources")) && src->type == XSM_V_JSON) {
		char pat[72];
		snprintf(pat, sizeof(pat), "/%s\"", s);
		return strstr(xsm__gstr(g, src->a), pat) != NULL;
	}
	return 0;
}

uint64_t xsm__graph_key_hash(const char *s, size_t len)
{
	/* FNV-1a as xsm__hash, over the folded bytes */
	uint64_t h = 1469598103934665603ULL;
	if (len && s[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		h ^= (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int xsm__graph_node_by_id(const xsm_graph *g, const char *s, size_t len, uint32_t *node)
{
	uint64_t v;
	size_t lo = 0, hi = g->nodes.n;
	if (g->by_id.cap) {
		if (!xsm__strmap_get(&g->by_id, s, len, &v))
			return 0;
		*node = (uint32_t)v;
		return 1;
	}
	/* nodes are in NodeId order (strcmp) once frozen */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t id = g->nodes.v[mid].id;
		size_t il = g->s.lens[id];
		int c = memcmp(xsm__gstr(g, id), s, il < len ? il : len);
		if (c == 0)
			c = il < len ? -1 : il > len;
		if (c == 0) {
			*node = (uint32_t)mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * find_nodes through the key index of a mapped graph: the nodes that have
 * a key with the word's hash, in node order, checked as the scan checks
 * every node.  Every key the scan matches is in the index, so the answer
 * is the scan's.  (size_t)-1 when out of memory (scan then).
 */
static size_t find_indexed(const xsm_graph *g, const char *s, size_t sl, size_t *out, size_t max)
{
	uint64_t h = xsm__graph_key_hash(s, sl);
	size_t lo = 0, hi = g->nkeys, at, nc = 0, n = 0, i;
	size_t *c;
	uint32_t name;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->keys[2 * mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (at = lo; at < g->nkeys && g->keys[2 * at] == h; at++)
		;
	if (!(c = xsm__calloc(at - lo + 1, sizeof(*c))))
		return (size_t)-1;
	for (i = lo; i < at; i++)
		c[nc++] = (size_t)g->keys[2 * i + 1];
	if (nc > 1)
		qsort(c, nc, sizeof(*c), cmp_size);
	for (i = 0, at = 0; i < nc; i++)
		if (!at || c[at - 1] != c[i])
			c[at++] = c[i];
	nc = at;
	if (xsm__strpool_find(&g->s, s, sl, &name))
		for (i = 0; i < nc; i++)
			if (g->nodes.v[c[i]].name == name && n++ < max)
				out[n - 1] = c[i];
	if (!n)
		for (i = 0; i < nc; i++)
			if (has_key(g, c[i], s, sl) && n++ < max)
				out[n - 1] = c[i];
	xsm__free(c);
	return n;
}

size_t xsm__graph_find_nodes(const xsm_graph *g, const char *s, size_t *out, size_t max)
{
	uint32_t name, node;
	size_t i, n = 0, sl = strlen(s);

	if (xsm__graph_node_by_id(g, s, sl, &node)) {
		if (max)
			out[0] = (size_t)node;
		return 1;
	}
	if (g->keys && (n = find_indexed(g, s, sl, out, max)) != (size_t)-1)
		return n;
	n = 0;
	/* a name exactly as given, then any key of a node, case aside */
	if (xsm__strpool_find(&g->s, s, sl, &name))
		for (i = 0; i < g->nodes.n; i++)
			if (g->nodes.v[i].name == name && n++ < max)
				out[n - 1] = i;
	if (n)
		return n;
	for (i = 0; i < g->nodes.n; i++)
		if (has_key(g, i, s, sl) && n++ < max)
			out[n - 1] = i;
	return n;
}

int64_t xsm__graph_find_node(const xsm_graph *g, const char *s)
{
	size_t one[2], n = xsm__graph_find_nodes(g, s, one, 2);
	return n == 0 ? -1 : n > 1 ? -2 : (int64_t)one[0];
}

const xsm__prop *xsm__graph_prop(const xsm_graph *g, uint32_t node, uint32_t key)
{
	const xsm__node *nd = &g->nodes.v[node];
	uint32_t i;
	for (i = 0; i < nd->props_n; i++)
		if (g->props.v[nd->props_off + i].key == key)
			return &g->props.v[nd->props_off + i];
	return NULL;
}

const xsm__prop *xsm__graph_prop_s(const xsm_graph *g, uint32_t node, const char *key)
{
	uint32_t id;
	if (!xsm__strpool_find(&g->s, key, strlen(key), &id))
		return NULL;
	return xsm__graph_prop(g, node, id);
}

int xsm__graph_set_prop(xsm_graph *g, uint32_t node, const char *key, const xsm__prop *val)
{
	xsm__node *nd = &g->nodes.v[node];
	uint32_t kid, i, off, n = nd->props_n, inserted = 0;
	size_t base;

	if (g->map)
		return xsm__graph_readonly(g);
	if (xsm__graph_intern(g, key, &kid) < 0)
		return XSM_ENOMEM;
	if (xsm__vec_reserve(&g->props, n + 1) < 0)
		return xsm__error_oom(g->ctx);
	nd = &g->nodes.v[node];
	off = nd->props_off;
	base = g->props.n;
	for (i = 0; i < n; i++) {
		xsm__prop p = g->props.v[off + i];
		if (p.key == kid) {
			p = *val;
			p.key = kid;
			inserted = 1;
		} else if (!inserted && strcmp(key, xsm__gstr(g, p.key)) < 0) {
			xsm__prop q = *val;
			q.key = kid;
			g->props.v[g->props.n++] = q;
			inserted = 1;
		}
		g->props.v[g->props.n++] = p;
	}
	if (!inserted) {
		xsm__prop q = *val;
		q.key = kid;
		g->props.v[g->props.n++] = q;
	}
	nd->props_off = (uint32_t)base;
	nd->props_n = (uint32_t)(g->props.n - base);
	return 0;
}

int xsm__graph_set_props(xsm_graph *g, uint32_t node, size_t n, const char *const *keys, const xsm__prop *vals)
{
	xsm__prop add[16];
	xsm__node *nd;
	size_t i, j, k, base, old_off, old_n;

	if (g->map)
		return xsm__graph_readonly(g);
	if (n > 16)
		return xsm__error_set(g->ctx, XSM_EUSAGE, "too many properties at once");
	for (i = 0; i < n; i++) {
		add[i] = vals[i];
		if (xsm__graph_intern(g, keys[i], &add[i].key) < 0)
			return XSM_ENOMEM;
	}
	xsm__graph_sort_props(g, add, n);
	nd = &g->nodes.v[node];
	if (xsm__vec_reserve(&g->props, nd->props_n + n) < 0)
		return xsm__error_oom(g->ctx);
	nd = &g->nodes.v[node];
	old_off = nd->props_off;
	old_n = nd->props_n;
	base = g->props.n;
	/* merge two sorted ranges; a new value replaces an old one with its key */
	for (i = j = 0; i < old_n || j < n;) {
		const xsm__prop *o = i < old_n ? &g->props.v[old_off + i] : NULL;
		int c = !o ? 1 : j == n ? -1 : strcmp(xsm__gstr(g, o->key), xsm__gstr(g, add[j].key));
		if (c < 0) {
			g->props.v[g->props.n++] = *o;
			i++;
		} else {
			g->props.v[g->props.n++] = add[j++];
			if (c == 0)
				i++;
		}
	}
	k = g->props.n - base;
	nd->props_off = (uint32_t)base;
	nd->props_n = (uint32_t)k;
	return 0;
}

int xsm__graph_strip_props(xsm_graph *g, const char *prefix)
{
	size_t plen = strlen(prefix), i;
	uint32_t j, k;
	int any = 0;
	if (g->map)
		return xsm__graph_readonly(g);
	/* properties are removed in place: a node's range only shrinks */
	for (i = 0; i < g->nodes.n; i++) {
		xsm__node *nd = &g->nodes.v[i];
		for (j = k = 0; j < nd->props_n; j++) {
			xsm__prop p = g->props.v[nd->props_off + j];
			if (!strncmp(xsm__gstr(g, p.key), prefix, plen)) {
				any = 1;
				continue;
			}
			g->props.v[nd->props_off + k++] = p;
		}
		nd->props_n = k;
	}
	return any ? xsm__graph_compact_props(g) : 0;
}

static int compact(xsm_graph *g, int only_if_half)
{
	xsm__propvec np = { 0 };
	size_t i, total = 0;
	if (g->map)
		return xsm__graph_readonly(g);
	for (i = 0; i < g->nodes.n; i++)
		total += g->nodes.v[i].props_n;
	for (i = 0; i < g->edges.n; i++)
		total += g->edges.v[i].props_n;
	if (total == g->props.n || (only_if_half && g->props.n - total < total))
		return 0;
	if (xsm__vec_reserve(&np, total) < 0)
		return xsm__error_oom(g->ctx);
	for (i = 0; i < g->nodes.n; i++) {
		xsm__node *nd = &g->nodes.v[i];
		xsm__memcpy(np.v + np.n, g->props.v + nd->props_off, nd->props_n * sizeof(xsm__prop));
		nd->props_off = (uint32_t)np.n;
		np.n += nd->props_n;
	}
	for (i = 0; i < g->edges.n; i++) {
		xsm__edge *e = &g->edges.v[i];
		xsm__memcpy(np.v + np.n, g->props.v + e->props_off, e->props_n * sizeof(xsm__prop));
		e->props_off = (uint32_t)np.n;
		np.n += e->props_n;
	}
	xsm__vec_free(&g->props);
	g->props = np;
	return 0;
}

int xsm__graph_compact_props(xsm_graph *g)
{
	return compact(g, 0);
}

int xsm__graph_compact_props_lazy(xsm_graph *g)
{
	return compact(g, 1);
}

/* --- JSON ------------------------------------------------------------------------ */

static void value_json(xsm_jw *w, const xsm_graph *g, const xsm__prop *p)
{
	uint32_t i;
	switch (p->type) {
	case XSM_V_BOOL: xsm_jw_bool(w, p->a != 0); break;
	case XSM_V_NUM: xsm_jw_num(w, p->num); break;
	case XSM_V_STR: xsm__jw_gstr(w, g, p->a); break;
	case XSM_V_STRS:
		xsm_jw_arr(w);
		for (i = 0; i < p->b; i++)
			xsm__jw_gstr(w, g, g->u32.v[p->a + i]);
		xsm_jw_arr_end(w);
		break;
	case XSM_V_JSON: xsm_jw_rawn(w, xsm__gstr(g, p->a), g->s.lens[p->a]); break;
	default: xsm_jw_null(w);
	}
}

int xsm__graph_props_json(xsm_jw *w, const xsm_graph *g, uint32_t off, uint32_t n)
{
	/*
	 * Keys are sorted, so a dotted prefix's keys are adjacent: keep the
	 * path of open objects, close what the next key leaves, open what it
	 * enters.
	 */
	enum { MAXD = 16 };
	const char *open_s[MAXD];
	size_t open_n[MAXD], depth = 0, i;

	xsm_jw_obj(w);
	for (i = 0; i < n; i++) {
		const xsm__prop *p = &g->props.v[off + i];
		const char *key = xsm__gstr(g, p->key), *seg[MAXD], *s = key, *end = key + g->s.lens[p->key], *dot;
		size_t len[MAXD], k = 0, c = 0;

		while (k < MAXD - 1 && (dot = memchr(s, '.', (size_t)(end - s)))) {
			seg[k] = s;
			len[k++] = (size_t)(dot - s);
			s = dot + 1;
		}
		seg[k] = s;
		len[k] = (size_t)(end - s);
		/* k = number of enclosing objects of this key */
		while (c < depth && c < k && open_n[c] == len[c] && !memcmp(open_s[c], seg[c], len[c]))
			c++;
		while (depth > c) {
			xsm_jw_obj_end(w);
			depth--;
		}
		for (; depth < k; depth++) {
			xsm_jw_keyn(w, seg[depth], len[depth]);
			xsm_jw_obj(w);
			open_s[depth] = seg[depth];
			open_n[depth] = len[depth];
		}
		xsm_jw_keyn(w, seg[k], len[k]);
		value_json(w, g, p);
	}
	while (depth-- > 0)
		xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return w->err;
}

/* the node's JSON line; an error is only XSM_ENOMEM, and ctx is not touched (writer threads call this) */
static int node_json(xsm_buf *out, const xsm_graph *g, uint32_t i)
{
	const xsm__node *nd = &g->nodes.v[i];
	xsm_jw w;
	uint32_t k;

	xsm_jw_init(&w, out);
	xsm_jw_obj(&w);
	xsm__jw_kgstr(&w, "NodeId", g, nd->id);
	xsm__jw_kgstr(&w, "NodeLabel", g, nd->label);
	xsm__jw_kgstr(&w, "NodeName", g, nd->name);
	xsm_jw_key(&w, "Categories");
	xsm_jw_arr(&w);
	for (k = 0; k < nd->cats_n; k++)
		xsm__jw_gstr(&w, g, g->u32.v[nd->cats_off + k]);
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "NodeProperties");
	xsm_jw_obj(&w);
	xsm_jw_key(&w, "rawData");
	xsm__graph_props_json(&w, g, nd->props_off, nd->props_n);
	xsm_jw_obj_end(&w);
	xsm_jw_key(&w, "EntityIds");
	xsm_jw_arr(&w);
	for (k = 0; k < nd->eids_n; k++) {
		xsm_jw_obj(&w);
		xsm__jw_kgstr(&w, "type", g, g->u32.v[nd->eids_off + 2 * k]);
		xsm__jw_kgstr(&w, "id", g, g->u32.v[nd->eids_off + 2 * k + 1]);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "Sources");
	xsm_jw_arr(&w);
	for (k = 0; k < nd->srcs_n; k++)
		xsm__jw_gstr(&w, g, g->u32.v[nd->srcs_off + k]);
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	return w.err;
}

int xsm__graph_node_json(xsm_buf *out, const xsm_graph *g, uint32_t i)
{
	return node_json(out, g, i) < 0 ? xsm__error_oom(g->ctx) : 0;
}


void xsm__nodefrags_free(xsm__nodefrags *f)
{
	xsm__free(f->text);
	xsm__free(f->v);
	memset(f, 0, sizeof(*f));
}

int xsm__nodefrags_build(xsm__nodefrags *f, const xsm_graph *g)
{
	xsm_buf t = XSM_BUF_INIT;
	memset(f, 0, sizeof(*f));
	if (!(f->v = xsm__calloc(g->nodes.n + 1, sizeof(*f->v))))
		return XSM_ENOMEM;
	for (size_t i = 0; i < g->nodes.n; i++) {
		const xsm__node *nd = &g->nodes.v[i];
		size_t a = t.size, b, c;
		if (xsm_json_quote(&t, xsm__gstr(g, nd->id), g->s.lens[nd->id]) < 0)
			goto oom;
		b = t.size;
		if (xsm_json_quote(&t, xsm__gstr(g, nd->name), g->s.lens[nd->name]) < 0)
			goto oom;
		c = t.size;
		if (xsm_json_quote(&t, xsm__gstr(g, nd->label), g->s.lens[nd->label]) < 0)
			goto oom;
		f->v[i] = (xsm__nodefrag){ a, (uint32_t)(b - a), (uint32_t)(c - b), (uint32_t)(t.size - c) };
	}
	f->text = t.ptr;
	return 0;
oom:
	xsm_buf_dispose(&t);
	xsm__nodefrags_free(f);
	return XSM_ENOMEM;
}

void xsm__jw_node(xsm_jw *w, const xsm__nodefrags *f, uint32_t node)
{
	const xsm__nodefrag *n = &f->v[node];
	const char *t = f->text + n->off;
	xsm_jw_key(w, "NodeId");
	xsm_jw_rawn(w, t, n->id);
	xsm_jw_key(w, "NodeName");
	xsm_jw_rawn(w, t + n->id, n->name);
	xsm_jw_key(w, "NodeLabel");
	xsm_jw_rawn(w, t + n->id + n->name, n->label);
}

/*
 * One end of an edge: ,"SourceNodeId":..,"SourceNodeName":..,"SourceNodeLabel":..
 * with the node's text prepared in f, or quoted here when there is no f.
 */
static int put_end(xsm_buf *out, const xsm_graph *g, const xsm__nodefrags *f, uint32_t node, int target)
{
	static const char *const keys[2][3] = {
		{ ",\"SourceNodeId\":", ",\"SourceNodeName\":", ",\"SourceNodeLabel\":" },
		{ ",\"TargetNodeId\":", ",\"TargetNodeName\":", ",\"TargetNodeLabel\":" },
	};
	const xsm__node *nd = &g->nodes.v[node];
	const uint32_t ids[3] = { nd->id, nd->name, nd->label };
	const char *t = f ? f->text + f->v[node].off : NULL;
	const uint32_t lens[3] = { f ? f->v[node].id : 0, f ? f->v[node].name : 0, f ? f->v[node].label : 0 };
	int rc = 0;
	for (int k = 0; k < 3; k++) {
		rc |= xsm_buf_puts(out, keys[target][k]);
		if (f) {
			rc |= xsm_buf_put(out, t, lens[k]);
			t += lens[k];
		} else {
			rc |= xsm_json_quote(out, xsm__gstr(g, ids[k]), g->s.lens[ids[k]]);
		}
	}
	return rc;
}

/* an edge's JSON line (without its newline); f: the nodes' prepared text, or NULL */
static int edge_json(xsm_buf *out, const xsm_graph *g, uint32_t i, const xsm__nodefrags *f)
{
	const xsm__edge *e = &g->edges.v[i];
	char eid[20];
	xsm_jw w;
	int rc;

	xsm__edge_id(eid, e);
	rc = xsm_buf_puts(out, "{\"EdgeId\":\"");
	rc |= xsm_buf_put(out, eid, 18);
	rc |= xsm_buf_puts(out, "\",\"EdgeLabel\":");
	rc |= xsm_json_quote(out, xsm__gstr(g, e->label), g->s.lens[e->label]);
	rc |= put_end(out, g, f, e->src, 0);
	rc |= put_end(out, g, f, e->dst, 1);
	rc |= xsm_buf_puts(out, ",\"EdgeProperties\":{\"rawData\":");
	if (rc < 0)
		return XSM_ENOMEM;
	xsm_jw_init(&w, out);
	if (xsm__graph_props_json(&w, g, e->props_off, e->props_n) < 0)
		return XSM_ENOMEM;
	return xsm_buf_puts(out, "}}");
}

int xsm__graph_edge_json(xsm_buf *out, const xsm_graph *g, uint32_t i)
{
	return edge_json(out, g, i, NULL) < 0 ? xsm__error_oom(g->ctx) : 0;
}

/* lines [from, to) into out; prefix, when given, stands for each object's opening '{' */
static int lines_json(xsm_buf *out, const xsm_graph *g, int nodes, const xsm__nodefrags *f, const char *prefix,
		      size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		size_t at = out->size;
		if ((nodes ? node_json(out, g, (uint32_t)i) : edge_json(out, g, (uint32_t)i, f)) < 0)
			return XSM_ENOMEM;
		if (prefix) {
			size_t pl = strlen(prefix);
			if (xsm_buf_grow(out, pl) < 0)
				return XSM_ENOMEM;
			memmove(out->ptr + at + pl, out->ptr + at + 1, out->size - at - 1);
			memcpy(out->ptr + at, prefix, pl);
			out->size += pl - 1;
		}
		if (xsm_buf_putc(out, '\n') < 0)
			return XSM_ENOMEM;
	}
	return 0;
}

/* a block of lines formatted by the second thread */
struct lineblock {
	const xsm_graph *g;
	const xsm__nodefrags *frags;
	const char *prefix;
	int nodes, rc;
	size_t from, to;
	xsm_buf out;
};

static void *format_block(void *arg)
{
	struct lineblock *j = arg;
	xsm_buf_clear(&j->out);
	j->rc = lines_json(&j->out, j->g, j->nodes, j->frags, j->prefix, j->from, j->to);
	return NULL;
}

int xsm__graph_lines_emit(const xsm_graph *g, int nodes, const char *prefix,
			  int (*put)(const char *p, size_t n, void *arg), void *arg)
{
	enum { BLOCK = 16384 };
	struct lineblock j[2];
	xsm__nodefrags frags;
	size_t start, n = nodes ? g->nodes.n : g->edges.n;
	int rc = 0;

	memset(j, 0, sizeof(j));
	memset(&frags, 0, sizeof(frags));
	if (!nodes && n && xsm__nodefrags_build(&frags, g) < 0)
		return xsm__error_oom(g->ctx);
	for (start = 0; start < n && rc == 0; start += 2 * BLOCK) {
		for (int k = 0; k < 2; k++) {
			j[k].g = g;
			j[k].frags = &frags;
			j[k].prefix = prefix;
			j[k].nodes = nodes;
			j[k].from = start + (size_t)k * BLOCK < n ? start + (size_t)k * BLOCK : n;
			j[k].to = j[k].from + BLOCK < n ? j[k].from + BLOCK : n;
		}
		j[1].rc = 0;
		xsm_buf_clear(&j[1].out);
		xsm__run2(format_block, &j[0], j[1].from < j[1].to ? &j[1] : NULL);
		for (int k = 0; k < 2 && rc == 0; k++) {
			if (j[k].rc < 0)
				rc = xsm__error_oom(g->ctx);
			else if (j[k].out.size)
				rc = put(j[k].out.ptr, j[k].out.size, arg);
		}
	}
	xsm_buf_dispose(&j[0].out);
	xsm_buf_dispose(&j[1].out);
	xsm__nodefrags_free(&frags);
	return rc;
}

/* --- public accessors ---------------------------------------------------------- */

const char *xsm_graph_snapshot(const xsm_graph *g) { return g->snapshot; }
const char *xsm_graph_meta(const xsm_graph *g) { return g->meta_json ? g->meta_json : "{}"; }
size_t xsm_graph_node_count(const xsm_graph *g) { return g->nodes.n; }
size_t xsm_graph_edge_count(const xsm_graph *g) { return g->edges.n; }
const char *xsm_graph_node_id(const xsm_graph *g, size_t i) { return xsm__gstr(g, g->nodes.v[i].id); }
const char *xsm_graph_node_label(const xsm_graph *g, size_t i) { return xsm__gstr(g, g->nodes.v[i].label); }
const char *xsm_graph_node_name(const xsm_graph *g, size_t i) { return xsm__gstr(g, g->nodes.v[i].name); }

const char *xsm_graph_node_strs(const xsm_graph *g, size_t i, const char *key, size_t k)
{
	const xsm__prop *p = xsm__graph_prop_s(g, (uint32_t)i, key);
	if (!p || p->type != XSM_V_STRS || k >= p->b)
		return NULL;
	return xsm__gstr(g, g->u32.v[p->a + k]);
}
const char *xsm_graph_edge_label(const xsm_graph *g, size_t i) { return xsm__gstr(g, g->edges.v[i].label); }
size_t xsm_graph_edge_src(const xsm_graph *g, size_t i) { return g->edges.v[i].src; }
size_t xsm_graph_edge_dst(const xsm_graph *g, size_t i) { return g->edges.v[i].dst; }

void xsm_graph_node_edges(const xsm_graph *g, size_t i, int dir, const uint32_t **edges, size_t *n)
{
	const uint32_t *off = dir ? g->in_off : g->out_off;
	*edges = (dir ? g->in_edge : g->out_edge) + off[i];
	*n = off[i + 1] - off[i];
}

int xsm_graph_find(size_t *out, const xsm_graph *g, const char *s)
{
	size_t c[8], n = xsm__graph_find_nodes(g, s, c, 8);
	xsm_buf list = XSM_BUF_INIT;
	int rc;
	if (n == 0)
		return xsm__error_set(g->ctx, XSM_ENOTFOUND,
				      "no node with id, name or key '%s' (a NodeId, name, host name, FQDN, IP address, "
				      "UPN, SID or source id)",
				      s);
	if (n == 1) {
		*out = c[0];
		return 0;
	}
	for (size_t k = 0; k < n && k < 8; k++)
		xsm_buf_printf(&list, "\n  %s  %s (%s)", xsm__gstr(g, g->nodes.v[c[k]].id), xsm__gstr(g, g->nodes.v[c[k]].name),
			       xsm__gstr(g, g->nodes.v[c[k]].label));
	rc = xsm__error_set(g->ctx, XSM_EUSAGE, "'%s' names %s%zu nodes; give a NodeId:%s", s, n > 8 ? "more than " : "",
			    n > 8 ? (size_t)8 : n, list.ptr ? list.ptr : "");
	xsm_buf_dispose(&list);
	return rc;
}

int xsm_graph_node_json(xsm_buf *out, const xsm_graph *g, size_t i)
{
	return xsm__graph_node_json(out, g, (uint32_t)i);
}

int xsm_graph_edge_json(xsm_buf *out, const xsm_graph *g, size_t i)
{
	return xsm__graph_edge_json(out, g, (uint32_t)i);
}

int xsm_graph_node_props(const xsm_graph *g, size_t i, int (*cb)(const char *, const char *, void *), void *payload)
{
	const xsm__node *nd = &g->nodes.v[i];
	xsm_buf v = XSM_BUF_INIT;
	int rc = 0;
	for (uint32_t k = 0; k < nd->props_n && rc == 0; k++) {
		const xsm__prop *p = &g->props.v[nd->props_off + k];
		const char *key = xsm__gstr(g, p->key);
		char num[32];
		xsm_buf_clear(&v);
		switch (p->type) {
		case XSM_V_BOOL: rc = xsm_buf_puts(&v, p->a ? "true" : "false"); break;
		case XSM_V_NUM:
			xsm_json_numtext(num, p->num);
			rc = xsm_buf_puts(&v, num);
			break;
		case XSM_V_STR: rc = xsm__buf_gstr(&v, g, p->a); break;
		case XSM_V_STRS:
			for (uint32_t e = 0; e < p->b && rc == 0; e++)
				rc = (e ? xsm_buf_puts(&v, ", ") : 0) | xsm__buf_gstr(&v, g, g->u32.v[p->a + e]);
			break;
		case XSM_V_JSON:
			if (!strcmp(key, "sources"))
				continue;
			rc = xsm_buf_puts(&v, "(vendor data: see --format=json)");
			break;
		default: rc = xsm_buf_puts(&v, "null");
		}
		if (rc < 0)
			rc = xsm__error_oom(g->ctx);
		else
			rc = cb(key, v.ptr ? v.ptr : "", payload);
	}
	xsm_buf_dispose(&v);
	return rc;
}

int xsm_graph_node_merge(const xsm_graph *g, size_t i,
			 int (*cb)(const char *, const char *, const char *, const char *, void *), void *payload)
{
	const xsm__prop *p = xsm__graph_prop_s(g, (uint32_t)i, "sources");
	xsm__json *j = NULL;
	xsm_buf keys = XSM_BUF_INIT;
	int rc;
	if (!p || p->type != XSM_V_JSON)
		return 0;
	if ((rc = xsm__json_parse(&j, g->ctx, xsm__gstr(g, p->a), g->s.lens[p->a], "rawData.sources: ")) < 0)
		return rc;
	for (const xsm__json *r = xsm__json_child(j); r && rc == 0; r = xsm__json_next(r)) {
		xsm_buf_clear(&keys);
		for (const xsm__json *k = xsm__json_child(xsm__json_get(r, "keys")); k && rc == 0; k = xsm__json_next(k))
			if (xsm__json_str(k) && strncmp(xsm__json_str(k), "source_id:", 10))
				rc = (keys.size ? xsm_buf_putc(&keys, ' ') : 0) | xsm_buf_puts(&keys, xsm__json_str(k));
		if (rc < 0)
			rc = xsm__error_oom(g->ctx);
		else
			rc = cb(xsm__json_key(r), xsm__json_getstr(r, "source") ? xsm__json_getstr(r, "source") : "",
				xsm__json_getstr(r, "name") ? xsm__json_getstr(r, "name") : "", keys.ptr ? keys.ptr : "",
				payload);
	}
	xsm__json_free(j);
	xsm_buf_dispose(&keys);
	return rc;
}
