/* lgraph.c - a layered graph for the attack path map: nodes in columns, rows ordered to cross less, drawn as SVG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exposure/errors.h"
#include "report/map.h"
#include "util/alloc.h"

/* geometry, in CSS pixels */
enum { BOX_H = 26, ROW_H = 36, TOP = 34, LEFT = 8, GAP = 96, GAP_LABELS = 124 };

void xsm__lgraph_free(xsm__lgraph *g)
{
	xsm__arena_free(&g->a);
	xsm__strmap_free(&g->ids);
	xsm__vec_free(&g->nodes);
	xsm__vec_free(&g->edges);
	xsm__vec_free(&g->owners);
}

const char *xsm__lgraph_str(xsm__lgraph *g, const char *s)
{
	return s ? xsm__arena_strndup(&g->a, s, strlen(s)) : NULL;
}

long xsm__lgraph_node(xsm__lgraph *g, const char *id, const char *name, const char *title)
{
	struct xsm__lnode n;
	uint64_t *slot;
	int created;

	if (xsm__strmap_slot(&g->ids, id, strlen(id), &slot, &created) < 0)
		return -1;
	if (!created)
		return (long)*slot - 1;
	memset(&n, 0, sizeof(n));
	n.id = xsm__lgraph_str(g, id);
	n.name = xsm__lgraph_str(g, name ? name : id);
	n.title = xsm__lgraph_str(g, title ? title : n.name);
	n.deepest = -1;
	n.y = (double)g->nodes.n;
	if (!n.id || !n.name || !n.title || xsm__vec_push(&g->nodes, n) < 0)
		return -1;
	*slot = g->nodes.n;
	return (long)g->nodes.n - 1;
}

int xsm__lgraph_edge(xsm__lgraph *g, uint32_t from, uint32_t to, uint32_t owner, const char *label, size_t weight)
{
	struct xsm__ledge e = { from, to, owner, xsm__lgraph_str(g, label), weight };
	if ((label && !e.label) || xsm__vec_push(&g->edges, e) < 0)
		return XSM_ENOMEM;
	return 0;
}

int xsm__lgraph_owner(xsm__lgraph *g, const char *cls, const char *attr, const char *id, const char *title,
		      size_t weight)
{
	struct xsm__lowner o = { xsm__lgraph_str(g, cls), attr, xsm__lgraph_str(g, id), xsm__lgraph_str(g, title),
				 weight, -1 };
	if (!o.cls || !o.id || !o.title || xsm__vec_push(&g->owners, o) < 0)
		return XSM_ENOMEM;
	return 0;
}

/* --- layout: barycentres, a few sweeps each way ----------------------------------------- */

struct rowkey {
	uint32_t node;
	double key, y;
};

static int cmp_rowkey(const void *a, const void *b)
{
	const struct rowkey *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* rows in column c and the most of any column */
static size_t col_rows(const xsm__lgraph *g, int c)
{
	size_t n = 0;
	for (size_t i = 0; i < g->nodes.n; i++)
		n += g->nodes.v[i].col == c;
	return n;
}

/* the mean row of node i's neighbours on the side dir (-1 left, +1 right) of its column, or its own row */
static double barycentre(const xsm__lgraph *g, uint32_t i, int dir)
{
	double sum = 0;
	size_t n = 0;
	int c = g->nodes.v[i].col;
	for (size_t k = 0; k < g->edges.n; k++) {
		const struct xsm__ledge *e = &g->edges.v[k];
		uint32_t other = e->from == i ? e->to : e->to == i ? e->from : UINT32_MAX;
		if (other == UINT32_MAX || (g->nodes.v[other].col - c) * dir <= 0)
			continue;
		sum += g->nodes.v[other].y * (double)(e->weight ? e->weight : 1);
		n += e->weight ? e->weight : 1;
	}
	return n ? sum / (double)n : g->nodes.v[i].y;
}

/* reorder column c by the barycentres on side dir; rows centred on the tallest column */
static int sweep_col(xsm__lgraph *g, int c, int dir, size_t tallest, struct rowkey *rk)
{
	size_t n = 0;
	for (uint32_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.v[i].col == c) {
			rk[n].node = i;
			rk[n].y = g->nodes.v[i].y;
			rk[n++].key = barycentre(g, i, dir);
		}
	if (n > 1)
		qsort(rk, n, sizeof(*rk), cmp_rowkey);
	for (size_t r = 0; r < n; r++)
		g->nodes.v[rk[r].node].y = (double)r + (double)(tallest - n) / 2;
	return 0;
}

int xsm__lgraph_layout(xsm__lgraph *g)
{
	struct rowkey *rk = xsm__calloc(g->nodes.n + 1, sizeof(*rk));
	size_t tallest = 0;

	if (!rk)
		return XSM_ENOMEM;
	for (int c = 0; c < g->ncols; c++)
		if (col_rows(g, c) > tallest)
			tallest = col_rows(g, c);
	/* first the rows in the order the nodes came (the most serious paths first) */
	for (int c = 0; c < g->ncols; c++)
		sweep_col(g, c, 0, tallest, rk);
	for (int pass = 0; pass < 4; pass++) {
		for (int c = 1; c < g->ncols; c++)
			sweep_col(g, c, -1, tallest, rk);
		for (int c = g->ncols - 2; c >= 0; c--)
			sweep_col(g, c, +1, tallest, rk);
	}
	xsm__free(rk);
	return 0;
}

/* --- drawing ---------------------------------------------------------------------------- */

static int gap(const xsm__lgraph *g)
{
	return g->labels ? GAP_LABELS : GAP;
}

static double node_x(const xsm__lgraph *g, const struct xsm__lnode *n)
{
	return LEFT + n->col * (g->box_w + gap(g));
}

static double node_y(const struct xsm__lnode *n)
{
	return TOP + n->y * ROW_H;
}

static double max_weight(const xsm__lgraph *g)
{
	size_t m = 1;
	for (size_t k = 0; k < g->edges.n; k++)
		if (g->edges.v[k].weight > m)
			m = g->edges.v[k].weight;
	return (double)m;
}

/* the curve of edge e: forward to the next columns, or a loop out to the right when it goes back */
static void edge_d(xsm__html *h, const xsm__lgraph *g, const struct xsm__ledge *e)
{
	const struct xsm__lnode *u = &g->nodes.v[e->from], *v = &g->nodes.v[e->to];
	double x0 = node_x(g, u) + g->box_w, y0 = node_y(u) + BOX_H / 2.0, y1 = node_y(v) + BOX_H / 2.0;
	double x1 = node_x(g, v), mid = (x0 + x1) / 2;
	if (v->col > u->col)
		xsm__html_printf(h, "M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f", x0, y0, mid, y0, mid, y1, x1, y1);
	else
		xsm__html_printf(h, "M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f", x0, y0, x0 + 60, y0, x1 + g->box_w + 60, y1,
				 x1 + g->box_w, y1);
}

/* a path of no hop: a dot on its node */
static void self_svg(xsm__html *h, const xsm__lgraph *g, const struct xsm__lowner *ow)
{
	const struct xsm__lnode *n = &g->nodes.v[ow->self];
	xsm__html_printf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\"><title>", node_x(g, n) + g->box_w + 8,
			 node_y(n) + BOX_H / 2.0);
	xsm__html_text(h, n->name);
	xsm__html_puts(h, " is both entry point and target</title></circle>");
}

static void edge_svg(xsm__html *h, const xsm__lgraph *g, const struct xsm__ledge *e, double maxw)
{
	const struct xsm__lnode *u = &g->nodes.v[e->from], *v = &g->nodes.v[e->to];
	xsm__html_puts(h, "<path d=\"");
	edge_d(h, g, e);
	if (g->weighted)
		xsm__html_printf(h, "\" stroke-width=\"%.1f", 1.5 + 12 * sqrt((double)e->weight / maxw));
	xsm__html_puts(h, "\"><title>");
	xsm__html_text(h, u->name);
	xsm__html_puts(h, " \xe2\x80\x94");
	xsm__html_text(h, e->label ? e->label : "");
	xsm__html_puts(h, "\xe2\x86\x92 ");
	xsm__html_text(h, v->name);
	if (g->weighted) {
		xsm__html_puts(h, ": ");
		xsm__html_counted(h, e->weight, "path", "paths");
	}
	xsm__html_puts(h, "</title></path>");
}

static void owners_svg(xsm__html *h, const xsm__lgraph *g)
{
	double maxw = max_weight(g);
	for (uint32_t o = 0; o < g->owners.n; o++) {
		const struct xsm__lowner *ow = &g->owners.v[o];
		xsm__html_printf(h, "<g class=\"%s\" %s=\"", ow->cls, ow->attr);
		xsm__html_text(h, ow->id);
		if (g->weighted)
			xsm__html_printf(h, "\" data-paths=\"%zu", ow->weight);
		xsm__html_puts(h, "\"><title>");
		xsm__html_text(h, ow->title);
		xsm__html_puts(h, "</title>");
		for (size_t k = 0; k < g->edges.n; k++)
			if (g->edges.v[k].owner == o)
				edge_svg(h, g, &g->edges.v[k], maxw);
		if (ow->self >= 0)
			self_svg(h, g, ow);
		xsm__html_puts(h, "</g>\n");
	}
}

/* 1 when an earlier edge has the same ends and label: its label is written once */
static int label_seen(const xsm__lgraph *g, size_t k)
{
	const struct xsm__ledge *e = &g->edges.v[k];
	for (size_t j = 0; j < k; j++) {
		const struct xsm__ledge *f = &g->edges.v[j];
		if (f->from == e->from && f->to == e->to && !strcmp(f->label ? f->label : "", e->label ? e->label : ""))
			return 1;
	}
	return 0;
}

static void labels_svg(xsm__html *h, const xsm__lgraph *g)
{
	if (!g->labels)
		return;
	xsm__html_puts(h, "<g class=\"elabels\">");
	for (size_t k = 0; k < g->edges.n; k++) {
		const struct xsm__ledge *e = &g->edges.v[k];
		const struct xsm__lnode *u = &g->nodes.v[e->from], *v = &g->nodes.v[e->to];
		if (!e->label || v->col <= u->col || label_seen(g, k))
			continue;
		xsm__html_printf(h, "<text x=\"%.1f\" y=\"%.1f\">", (node_x(g, u) + g->box_w + node_x(g, v)) / 2,
				 (node_y(u) + node_y(v) + BOX_H) / 2 - 3);
		xsm__html_textn(h, e->label, 26);
		xsm__html_puts(h, "</text>");
	}
	xsm__html_puts(h, "</g>\n");
}

static void node_class(xsm__html *h, unsigned f)
{
	static const struct {
		unsigned flag;
		const char *name;
	} cls[] = { { LN_ENTRY, "entry" }, { LN_MID, "mid" }, { LN_TARGET, "target" }, { LN_CHOKE, "choke" },
		    { LN_SIDE, "side" } };
	xsm__html_puts(h, "node");
	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (f & cls[i].flag)
			xsm__html_printf(h, " %s", cls[i].name);
}

static void node_svg(xsm__html *h, const xsm__lgraph *g, const struct xsm__lnode *n)
{
	double x = node_x(g, n), y = node_y(n);
	xsm__html_puts(h, "<g class=\"");
	node_class(h, n->flags);
	xsm__html_puts(h, "\" data-node-id=\"");
	xsm__html_text(h, n->id);
	xsm__html_puts(h, "\"><title>");
	xsm__html_text(h, n->title);
	xsm__html_printf(h, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"5\"/>"
			    "<text x=\"%.1f\" y=\"%.1f\">",
			 x, y, g->box_w, BOX_H, x + 7, y + 17);
	xsm__html_textn(h, n->name, g->weighted && n->weight ? (size_t)g->name_max - 8 : (size_t)g->name_max);
	if (g->weighted && n->weight) {
		xsm__html_puts(h, " (");
		xsm__html_count(h, n->weight);
		xsm__html_puts(h, ")");
	}
	xsm__html_puts(h, "</text></g>\n");
}

static void headings_svg(xsm__html *h, const xsm__lgraph *g)
{
	for (int c = 0; c < g->ncols && c < 16; c++) {
		if (!g->colname[c])
			continue;
		xsm__html_printf(h, "<text class=\"colname\" x=\"%d\" y=\"16\">", LEFT + c * (g->box_w + gap(g)));
		xsm__html_text(h, g->colname[c]);
		xsm__html_puts(h, "</text>");
	}
}

void xsm__lgraph_svg(xsm__html *h, const xsm__lgraph *g)
{
	double bottom = 0;
	int width = LEFT * 2 + (g->ncols - 1) * (g->box_w + gap(g)) + g->box_w + (g->weighted ? 0 : 64);
	for (size_t i = 0; i < g->nodes.n; i++)
		if (node_y(&g->nodes.v[i]) + BOX_H > bottom)
			bottom = node_y(&g->nodes.v[i]) + BOX_H;
	xsm__html_printf(h, "<svg class=\"map%s\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\">\n",
			 g->weighted ? " grouped" : "", width, bottom + 10, width, bottom + 10);
	xsm__html_puts(h, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"9\" "
			  "markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" "
			  "fill=\"#546e7a\"/></marker></defs>\n");
	headings_svg(h, g);
	owners_svg(h, g);
	labels_svg(h, g);
	for (size_t i = 0; i < g->nodes.n; i++)
		node_svg(h, g, &g->nodes.v[i]);
	xsm__html_puts(h, "</svg>\n");
}
