/*
 * graph_diff.c - what changed between two graphs (xsm_graph_diff).
 *
 * Both graphs are frozen: nodes in NodeId order, edges in (source, label,
 * target) order.  One merge of the NodeIds gives every node a rank in
 * their union, the same for a node both graphs have, so an edge of either
 * graph is three integers (source rank, label rank, target rank) that
 * compare across the graphs, and one merge of the two edge arrays pairs
 * them: nothing is sorted or formatted per edge.  NodeIds have no '|' (the
 * build makes them "dev-" and hex, "cve-CVE-..."), so two edges have the
 * same key "label|source|target" exactly when their three integers are
 * equal.  A pair is compared field by field; only a pair that differs
 * there is formatted as JSON and compared as text, which decides (a
 * property can print the same from two forms).  The changed edges alone
 * get their key text, and are sorted by it for the report.
 *
 * Two graphs mapped from one image (a snapshot and a re-evaluation of it
 * over the image's top layer) share its strings, properties and string
 * lists index for index, so there an equal index is an equal value and a
 * node whose properties the top layer left alone is compared without
 * reading them.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "graph/graph.h"
#include "util/buf.h"
#include "util/vec.h"

/* an edge that differs, until the edges are sorted by key */
struct echange {
	const char *key;
	size_t off;          /* of key in diff.keys (the buffer moves while it grows) */
	size_t seq;          /* found in this order, which parallel edges keep */
	uint32_t a, b;
	int change;
};

struct diff {
	const xsm_graph *a, *b;
	uint32_t *ua, *ub;   /* each node's rank among the NodeIds of both graphs */
	uint32_t *la, *lb;   /* by string id: an edge label's rank among the labels of both graphs */
	uint8_t *same_end;   /* by node of b: same NodeName and NodeLabel as in a (what an edge's JSON shows of it) */
	XSM__VEC(struct echange) ch;
	xsm_buf keys, ja, jb;
	int (*cb)(const xsm_graph_change *, void *);
	void *payload;
	/*
	 * both graphs mapped from one image file: their first nstr strings,
	 * nprops properties and nu32 u32s are the same ones, so an index
	 * equal there is a value equal (zero: nothing shared)
	 */
	size_t nstr, nprops, nu32;
	double t0;           /* of the phase (-v) */
};

/* --- field by field ------------------------------------------------------- */

/* string x of a and string y of b */
static int same_str(const struct diff *d, uint32_t x, uint32_t y)
{
	uint32_t n;
	if (x == y && x < d->nstr)
		return 1;
	n = d->a->s.lens[x];
	return n == d->b->s.lens[y] && !memcmp(xsm__gstr(d->a, x), xsm__gstr(d->b, y), n);
}

/* n string ids in a's u32 pool from x, and in b's from y */
static int same_strs(const struct diff *d, uint32_t x, uint32_t y, uint32_t n)
{
	if (x == y && (size_t)x + n <= d->nu32)
		return 1;
	for (uint32_t k = 0; k < n; k++)
		if (!same_str(d, d->a->u32.v[x + k], d->b->u32.v[y + k]))
			return 0;
	return 1;
}

/* the same value_json output, for values stored alike (other forms that print alike are left to the JSON) */
static int same_value(const struct diff *d, const xsm__prop *p, const xsm__prop *q)
{
	if (p->type != q->type)
		return 0;
	switch (p->type) {
	case XSM_V_BOOL: return (p->a != 0) == (q->a != 0);
	case XSM_V_NUM: return !memcmp(&p->num, &q->num, sizeof(p->num));
	case XSM_V_STR:
	case XSM_V_JSON: return same_str(d, p->a, q->a);
	case XSM_V_STRS: return p->b == q->b && same_strs(d, p->a, q->a, p->b);
	default: return 1; /* null */
	}
}

/* the property ranges of a from x and of b from y */
static int same_props(const struct diff *d, uint32_t x, uint32_t nx, uint32_t y, uint32_t ny)
{
	if (nx != ny)
		return 0;
	if (x == y && (size_t)x + nx <= d->nprops)
		return 1;
	for (uint32_t k = 0; k < nx; k++) {
		const xsm__prop *p = &d->a->props.v[x + k], *q = &d->b->props.v[y + k];
		if (!same_str(d, p->key, q->key) || !same_value(d, p, q))
			return 0;
	}
	return 1;
}

/* node i of a and node j of b (the same NodeId) field by field: 1 when their JSON is surely the same */
static int same_node(const struct diff *d, uint32_t i, uint32_t j)
{
	const xsm__node *x = &d->a->nodes.v[i], *y = &d->b->nodes.v[j];
	return d->same_end[j] && x->cats_n == y->cats_n && x->eids_n == y->eids_n && x->srcs_n == y->srcs_n &&
	       same_strs(d, x->cats_off, y->cats_off, x->cats_n) &&
	       same_strs(d, x->eids_off, y->eids_off, 2 * x->eids_n) &&
	       same_strs(d, x->srcs_off, y->srcs_off, x->srcs_n) &&
	       same_props(d, x->props_off, x->props_n, y->props_off, y->props_n);
}

/* edge e of a and edge f of b (the same key) field by field */
static int same_edge(const struct diff *d, uint32_t e, uint32_t f)
{
	const xsm__edge *x = &d->a->edges.v[e], *y = &d->b->edges.v[f];
	return x->hid == y->hid && d->same_end[y->src] && d->same_end[y->dst] &&
	       same_props(d, x->props_off, x->props_n, y->props_off, y->props_n);
}

/* the pair's JSON texts differ (the test that decides): 1, 0, or XSM_ENOMEM */
static int json_differs(struct diff *d, int edge, uint32_t i, uint32_t j)
{
	int rc;
	xsm_buf_clear(&d->ja);
	xsm_buf_clear(&d->jb);
	rc = edge ? xsm__graph_edge_json(&d->ja, d->a, i) : xsm__graph_node_json(&d->ja, d->a, i);
	if (rc == 0)
		rc = edge ? xsm__graph_edge_json(&d->jb, d->b, j) : xsm__graph_node_json(&d->jb, d->b, j);
	return rc < 0 ? rc : strcmp(d->ja.ptr, d->jb.ptr) != 0;
}

/* --- nodes ---------------------------------------------------------------- */

static int report(struct diff *d, int edge, int change, size_t a, size_t b, const char *key)
{
	xsm_graph_change c = { edge, change, a, b, key };
	return d->cb(&c, d->payload);
}

/* NodeId of node i of a against that of node j of b, in strcmp order */
static int cmp_ids(const struct diff *d, size_t i, size_t j)
{
	uint32_t x = d->a->nodes.v[i].id, y = d->b->nodes.v[j].id;
	if (x == y && x < d->nstr)
		return 0;
	return strcmp(xsm__gstr(d->a, x), xsm__gstr(d->b, y));
}

/* one merge of the NodeIds: ranks, same_end, and each node added, removed or changed reported */
static int diff_nodes(struct diff *d)
{
	size_t na = d->a->nodes.n, nb = d->b->nodes.n, i = 0, j = 0;
	uint32_t r = 0;
	int rc = 0;
	while (rc == 0 && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1 : cmp_ids(d, i, j);
		if (c < 0) {
			d->ua[i] = r++;
			rc = report(d, 0, XSM_CHANGE_REMOVED, i++, 0, NULL);
			continue;
		}
		if (c > 0) {
			d->ub[j] = r++;
			rc = report(d, 0, XSM_CHANGE_ADDED, 0, j++, NULL);
			continue;
		}
		d->ua[i] = d->ub[j] = r++;
		d->same_end[j] = same_str(d, d->a->nodes.v[i].name, d->b->nodes.v[j].name) &&
				 same_str(d, d->a->nodes.v[i].label, d->b->nodes.v[j].label);
		if (!same_node(d, (uint32_t)i, (uint32_t)j) && (rc = json_differs(d, 0, (uint32_t)i, (uint32_t)j)) > 0)
			rc = report(d, 0, XSM_CHANGE_CHANGED, i, j, NULL);
		i++;
		j++;
	}
	return rc;
}

/* --- edges ---------------------------------------------------------------- */

struct lab {
	const char *s;
	uint32_t id;
	int side;
};

static int cmp_lab(const void *x, const void *y)
{
	return strcmp(((const struct lab *)x)->s, ((const struct lab *)y)->s);
}

/* the distinct edge labels of g, each once into v (rank marks the ones seen) */
static int collect_labels(const xsm_graph *g, int side, uint32_t *rank, void *vec)
{
	XSM__VEC(struct lab) *v = vec;
	for (size_t e = 0; e < g->edges.n; e++) {
		uint32_t l = g->edges.v[e].label;
		if (!rank[l]) {
			rank[l] = 1;
			if (xsm__vec_push(v, ((struct lab){ xsm__gstr(g, l), l, side })) < 0)
				return XSM_ENOMEM;
		}
	}
	return 0;
}

/* la, lb: each label's rank (from 1) in the strcmp order of the labels of both graphs */
static int label_ranks(struct diff *d)
{
	XSM__VEC(struct lab) v = { 0 };
	uint32_t r = 0;
	int rc;
	if (!(d->la = xsm__calloc(d->a->s.n + 1, sizeof(uint32_t))) ||
	    !(d->lb = xsm__calloc(d->b->s.n + 1, sizeof(uint32_t))))
		return XSM_ENOMEM;
	if ((rc = collect_labels(d->a, 0, d->la, &v)) == 0 && (rc = collect_labels(d->b, 1, d->lb, &v)) == 0) {
		if (v.n > 1)
			qsort(v.v, v.n, sizeof(*v.v), cmp_lab);
		for (size_t k = 0; k < v.n; k++) {
			if (k == 0 || strcmp(v.v[k - 1].s, v.v[k].s))
				r++;
			(v.v[k].side ? d->lb : d->la)[v.v[k].id] = r;
		}
	}
	xsm__vec_free(&v);
	return rc;
}

/* an edge as its key's parts, ranked: compares across both graphs as the keys' parts do */
struct etuple {
	uint32_t src, label, dst;
};

static struct etuple tuple(const struct diff *d, int side, size_t e)
{
	const xsm__edge *x = &(side ? d->b : d->a)->edges.v[e];
	const uint32_t *u = side ? d->ub : d->ua, *l = side ? d->lb : d->la;
	return (struct etuple){ u[x->src], l[x->label], u[x->dst] };
}

static int cmp_tuple(struct etuple x, struct etuple y)
{
	if (x.src != y.src)
		return x.src < y.src ? -1 : 1;
	if (x.label != y.label)
		return x.label < y.label ? -1 : 1;
	return x.dst < y.dst ? -1 : x.dst > y.dst;
}

/* the merge needs each graph's edges in tuple order (xsm__graph_freeze's): checked, not trusted */
static int edges_in_order(const struct diff *d, int side)
{
	size_t m = (side ? d->b : d->a)->edges.n;
	for (size_t e = 1; e < m; e++)
		if (cmp_tuple(tuple(d, side, e - 1), tuple(d, side, e)) > 0)
			return 0;
	return 1;
}

/* an edge's key, "label|source NodeId|target NodeId", appended to b */
static int put_key(xsm_buf *b, const xsm_graph *g, size_t e)
{
	const xsm__edge *x = &g->edges.v[e];
	int rc = xsm__buf_gstr(b, g, x->label) | xsm_buf_putc(b, '|');
	rc |= xsm__buf_gstr(b, g, g->nodes.v[x->src].id) | xsm_buf_putc(b, '|');
	rc |= xsm__buf_gstr(b, g, g->nodes.v[x->dst].id) | xsm_buf_putc(b, '\0');
	return rc < 0 ? XSM_ENOMEM : 0;
}

static int note_edge(struct diff *d, int change, size_t e, size_t f)
{
	struct echange c = { NULL, d->keys.size, d->ch.n, (uint32_t)e, (uint32_t)f, change };
	if (put_key(&d->keys, change == XSM_CHANGE_REMOVED ? d->a : d->b, change == XSM_CHANGE_REMOVED ? e : f) < 0 ||
	    xsm__vec_push(&d->ch, c) < 0)
		return XSM_ENOMEM;
	return 0;
}

/* one merge of the edge arrays: a pair of equal tuples is one edge both graphs have */
static int merge_edges(struct diff *d)
{
	size_t ma = d->a->edges.n, mb = d->b->edges.n, i = 0, j = 0;
	int rc = 0;
	while (rc == 0 && (i < ma || j < mb)) {
		int c = i == ma ? 1 : j == mb ? -1 : cmp_tuple(tuple(d, 0, i), tuple(d, 1, j));
		if (c < 0)
			rc = note_edge(d, XSM_CHANGE_REMOVED, i++, 0);
		else if (c > 0)
			rc = note_edge(d, XSM_CHANGE_ADDED, 0, j++);
		else {
			uint32_t e = (uint32_t)i++, f = (uint32_t)j++;
			if (!same_edge(d, e, f) && (rc = json_differs(d, 1, e, f)) > 0)
				rc = note_edge(d, XSM_CHANGE_CHANGED, e, f);
		}
	}
	return rc;
}

static int cmp_echange(const void *x, const void *y)
{
	const struct echange *p = x, *q = y;
	int c = strcmp(p->key, q->key);
	return c ? c : p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int diff_edges(struct diff *d)
{
	int rc;
	if ((rc = label_ranks(d)) < 0)
		return rc;
	if (!edges_in_order(d, 0) || !edges_in_order(d, 1))
		return xsm__error_set(d->a->ctx, XSM_EINVALID, "a graph's edges are not in order");
	if ((rc = merge_edges(d)) < 0)
		return rc;
	xsm__phase(d->a->ctx, &d->t0, "diff: edges paired");
	for (size_t k = 0; k < d->ch.n; k++)
		d->ch.v[k].key = d->keys.ptr + d->ch.v[k].off;
	if (d->ch.n > 1)
		qsort(d->ch.v, d->ch.n, sizeof(*d->ch.v), cmp_echange);
	for (size_t k = 0; k < d->ch.n && rc == 0; k++) {
		const struct echange *c = &d->ch.v[k];
		rc = report(d, 1, c->change, c->a, c->b, c->key);
	}
	xsm__phase(d->a->ctx, &d->t0, "diff: edge changes sorted and reported");
	return rc;
}

int xsm_graph_diff(const xsm_graph *a, const xsm_graph *b,
		   int (*cb)(const xsm_graph_change *change, void *payload), void *payload)
{
	struct diff d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.a = a;
	d.b = b;
	d.cb = cb;
	d.payload = payload;
	d.t0 = xsm__mono();
	if (a->img.check && a->img.check == b->img.check && a->img.dev == b->img.dev && a->img.ino == b->img.ino) {
		d.nstr = a->img.nstr;
		d.nprops = a->img.nprops;
		d.nu32 = a->img.nu32;
	}
	if ((uint64_t)a->nodes.n + b->nodes.n >= UINT32_MAX)
		return xsm__error_set(a->ctx, XSM_EINVALID, "graphs too large to compare");
	if (!(d.ua = xsm__calloc(a->nodes.n + 1, sizeof(uint32_t))) ||
	    !(d.ub = xsm__calloc(b->nodes.n + 1, sizeof(uint32_t))) || !(d.same_end = xsm__calloc(b->nodes.n + 1, 1)))
		rc = XSM_ENOMEM;
	else if ((rc = diff_nodes(&d)) == 0) {
		xsm__phase(a->ctx, &d.t0, "diff: nodes");
		rc = diff_edges(&d);
	}
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(a->ctx);
	xsm__free(d.ua);
	xsm__free(d.ub);
	xsm__free(d.la);
	xsm__free(d.lb);
	xsm__free(d.same_end);
	xsm__vec_free(&d.ch);
	xsm_buf_dispose(&d.keys);
	xsm_buf_dispose(&d.ja);
	xsm_buf_dispose(&d.jb);
	return rc;
}
