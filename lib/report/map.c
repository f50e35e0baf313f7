/* map.c - the attack path map of a report: every path drawn, or past a bound the paths grouped by choke point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/json.h"
#include "ctx.h"
#include "report/map.h"
#include "util/alloc.h"
#include "util/buf.h"

/* the choke points a grouped map draws, and the sides of each column; all its nodes fit OWNERS_MAX */
enum { TOP_CHOKES = 20, SIDE_MAX = 16, OWNERS_MAX = TOP_CHOKES + 2 + 2 * SIDE_MAX };

/* what the map reads of a path's line: its steps */
static const xsm__json_pick step_pick[] = {
	{ "NodeId", NULL }, { "NodeName", NULL }, { "NodeLabel", NULL }, { "EdgeLabel", NULL }, { NULL, NULL } };
static const xsm__json_pick line_pick[] = { { "steps", step_pick }, { NULL, NULL } };

/* the steps of path i, parsed from its stored line (line is scratch); caller frees *out */
static int read_steps(xsm__json **out, xsm_ctx *ctx, const xsm_pathset *set, size_t i, xsm_buf *line)
{
	int rc = xsm_paths_line(set, i, line);
	*out = NULL;
	if (rc < 0)
		return rc;
	return xsm__json_parse_pick(out, ctx, line->ptr, line->size, line_pick, "paths.jsonl: ");
}

static const char *risk_class(int risk)
{
	static const char *const cls[] = { "path risk-critical", "path risk-high", "path risk-medium", "path risk-low" };
	return risk >= 0 && risk < 4 ? cls[risk] : "path";
}

/* --- every path drawn ------------------------------------------------------------------ */

/* a node of a drawn path, with what it is there (step k of hops) */
static long full_node(xsm__lgraph *g, const xsm__json *st, int k, int hops, xsm_buf *tmp)
{
	const char *id = xsm__json_getstr(st, "NodeId"), *name = xsm__json_getstr(st, "NodeName");
	const char *label = xsm__json_getstr(st, "NodeLabel");
	long n;
	xsm_buf_clear(tmp);
	if (!id || xsm_buf_printf(tmp, "%s (%s) %s", name ? name : id, label ? label : "?", id) < 0)
		return -1;
	if ((n = xsm__lgraph_node(g, id, name, tmp->ptr)) < 0)
		return -1;
	g->nodes.v[n].flags |= (k == 0 ? LN_ENTRY : 0) | (k == hops ? LN_TARGET : 0) | (k > 0 && k < hops ? LN_MID : 0);
	if (k > 0 && k < hops && k > g->nodes.v[n].deepest)
		g->nodes.v[n].deepest = k;
	return n;
}

/* path p as an owner, its steps as edges */
static int full_path(xsm__lgraph *g, const xsm_path_info *p, const xsm__json *steps, xsm_buf *tmp)
{
	const xsm__json *st, *prev = NULL;
	uint32_t owner = (uint32_t)g->owners.n;
	long from = -1, n;
	int k = 0, hops = (int)xsm__json_count(steps) - 1;

	xsm_buf_clear(tmp);
	if (xsm_buf_printf(tmp, "%s, %s, %d %s: %s to %s (%s)", p->id, xsm_risk_name(p->risk), p->hops,
			   p->hops == 1 ? "hop" : "hops", p->entry_name ? p->entry_name : "?",
			   p->target_name ? p->target_name : "?", p->scenario ? p->scenario : "") < 0 ||
	    xsm__lgraph_owner(g, risk_class(p->risk), "data-path-id", p->id, tmp->ptr, 1) < 0)
		return XSM_ENOMEM;
	for (st = xsm__json_child(steps); st; st = xsm__json_next(st), k++) {
		if ((n = full_node(g, st, k, hops, tmp)) < 0)
			return XSM_ENOMEM;
		if (hops == 0)
			g->owners.v[owner].self = n;
		if (from >= 0 && xsm__lgraph_edge(g, (uint32_t)from, (uint32_t)n, owner,
						  xsm__json_getstr(prev, "EdgeLabel"), 1) < 0)
			return XSM_ENOMEM;
		from = n;
		prev = st;
	}
	return 0;
}

/* columns: entry points first, targets last, a node between at the deepest step it is on */
static void full_columns(xsm__lgraph *g)
{
	int last = 1;
	for (size_t i = 0; i < g->nodes.n; i++)
		if (g->nodes.v[i].deepest + 1 > last)
			last = g->nodes.v[i].deepest + 1;
	for (size_t i = 0; i < g->nodes.n; i++) {
		struct xsm__lnode *n = &g->nodes.v[i];
		n->col = n->flags & LN_ENTRY ? 0 : n->flags & LN_MID ? n->deepest : last;
	}
	g->ncols = last + 1;
	g->box_w = 160;
	g->name_max = 21;
	for (int c = 0; c <= last && c < 16; c++)
		g->colname[c] = c == 0 ? "entry points" : c == last ? "targets" : NULL;
}

static int full_map(xsm__lgraph *g, xsm_ctx *ctx, const xsm_pathset *set, const size_t *order, size_t n)
{
	xsm_buf line = XSM_BUF_INIT, tmp = XSM_BUF_INIT;
	int rc = 0;
	for (size_t o = 0; o < n && rc == 0; o++) {
		xsm__json *j = NULL;
		if ((rc = read_steps(&j, ctx, set, order[o], &line)) == 0)
			rc = full_path(g, xsm_paths_get(set, order[o]), xsm__json_get(j, "steps"), &tmp);
		xsm__json_free(j);
	}
	xsm_buf_dispose(&line);
	xsm_buf_dispose(&tmp);
	if (rc == XSM_ENOMEM)
		return xsm__error_oom(ctx);
	full_columns(g);
	return rc;
}

/* --- grouped by choke point ------------------------------------------------------------ */

struct grouping {
	xsm__strmap chokes;       /* NodeId -> rank + 1, the top choke points */
	const xsm__json *top[TOP_CHOKES];
	size_t nchokes;
	int entry_nodes, target_nodes; /* sides by node (few of them), else by type and classification */
	xsm__strmap side_count[2];     /* side key -> paths */
	xsm__strmap shown[2];          /* the side keys drawn: the biggest; the rest is "other" */
};

/* the group of a path: the best-ranked top choke point among the nodes between its ends; -1 none */
static long choke_of(const struct grouping *gr, const xsm__json *steps)
{
	size_t k = 0, last = xsm__json_count(steps) - 1;
	long best = -1;
	for (const xsm__json *st = xsm__json_child(steps); st; st = xsm__json_next(st), k++) {
		const char *id = xsm__json_getstr(st, "NodeId");
		uint64_t r;
		if (k == 0 || k == last || !id || !xsm__strmap_get(&gr->chokes, id, strlen(id), &r))
			continue;
		if (best < 0 || (long)r - 1 < best)
			best = (long)r - 1;
	}
	return best;
}

/* the side of path p: its entry (side 0) or target (side 1), as a node or as a kind */
static const char *side_key(const struct grouping *gr, const xsm_path_info *p, int side)
{
	const char *k;
	if (side == 0)
		k = gr->entry_nodes ? p->entry_name : p->entry_type;
	else
		k = gr->target_nodes ? p->target_name : p->target_classification;
	return k && *k ? k : "?";
}

struct tally {
	const char *key;
	uint64_t n;
};

static int cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* the sides drawn themselves: all of them when few, else the SIDE_MAX - 1 biggest (the rest is "other") */
static int pick_shown(struct grouping *gr, int s)
{
	const xsm__strmap *m = &gr->side_count[s];
	struct tally *t = xsm__calloc(m->n + 1, sizeof(*t));
	size_t n = 0;
	int rc = 0;
	if (!t)
		return XSM_ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			t[n++] = (struct tally){ m->keys[i], m->vals[i] };
	if (n > 1)
		qsort(t, n, sizeof(*t), cmp_tally);
	for (size_t i = 0; i < n && rc == 0 && (n <= SIDE_MAX || i < SIDE_MAX - 1); i++)
		rc = xsm__strmap_put(&gr->shown[s], t[i].key, 1);
	xsm__free(t);
	return rc;
}

static int side_shown(const struct grouping *gr, int s, const char *k)
{
	uint64_t v;
	return xsm__strmap_get(&gr->shown[s], k, strlen(k), &v);
}

static int count_sides(struct grouping *gr, const xsm_pathset *set, const size_t *order, size_t n)
{
	xsm__strmap names[2] = { { 0 }, { 0 } };
	int rc = 0;
	for (size_t o = 0; o < n && rc == 0; o++) {
		const xsm_path_info *p = xsm_paths_get(set, order[o]);
		if (xsm__strmap_put(&names[0], p->entry_name ? p->entry_name : "?", 1) < 0 ||
		    xsm__strmap_put(&names[1], p->target_name ? p->target_name : "?", 1) < 0)
			rc = XSM_ENOMEM;
	}
	gr->entry_nodes = names[0].n <= SIDE_MAX;
	gr->target_nodes = names[1].n <= SIDE_MAX;
	for (size_t o = 0; o < n && rc == 0; o++)
		for (int s = 0; s < 2 && rc == 0; s++) {
			const char *k = side_key(gr, xsm_paths_get(set, order[o]), s);
			uint64_t *slot;
			int created;
			if (xsm__strmap_slot(&gr->side_count[s], k, strlen(k), &slot, &created) < 0)
				rc = XSM_ENOMEM;
			else
				++*slot;
		}
	xsm__strmap_free(&names[0]);
	xsm__strmap_free(&names[1]);
	for (int side = 0; side < 2 && rc == 0; side++)
		rc = pick_shown(gr, side);
	return rc;
}

static int load_chokes(struct grouping *gr, xsm__json **doc, xsm_ctx *ctx, const char *chokes)
{
	const xsm__json *c;
	int rc = xsm__json_parse(doc, ctx, chokes ? chokes : "{}", chokes ? strlen(chokes) : 2, "chokepoints.json: ");
	if (rc < 0)
		return rc;
	c = xsm__json_child(xsm__json_get(*doc, "chokepoints"));
	for (; c && gr->nchokes < TOP_CHOKES; c = xsm__json_next(c)) {
		const char *id = xsm__json_getstr(c, "NodeId");
		if (!id || xsm__strmap_put(&gr->chokes, id, gr->nchokes + 1) < 0)
			return id ? xsm__error_oom(ctx) : 0;
		gr->top[gr->nchokes++] = c;
	}
	return 0;
}

/* the middle node of group g (a choke point's rank, or TOP_CHOKES: other, TOP_CHOKES + 1: none between) */
static long group_node(xsm__lgraph *lg, const struct grouping *gr, long grp)
{
	long n;
	if (grp < (long)gr->nchokes) {
		const xsm__json *c = gr->top[grp];
		char title[512];
		snprintf(title, sizeof(title), "choke point %s (%s) %s: %.0f paths cross it",
			 xsm__json_getstr(c, "NodeName") ? xsm__json_getstr(c, "NodeName") : "?",
			 xsm__json_getstr(c, "NodeLabel") ? xsm__json_getstr(c, "NodeLabel") : "?",
			 xsm__json_getstr(c, "NodeId"), xsm__json_num(xsm__json_get(c, "paths")));
		n = xsm__lgraph_node(lg, xsm__json_getstr(c, "NodeId"), xsm__json_getstr(c, "NodeName"), title);
	} else if (grp == TOP_CHOKES) {
		n = xsm__lgraph_node(lg, "other-chokepoints", "other nodes between",
				     "paths crossing no top-20 choke point");
	} else {
		n = xsm__lgraph_node(lg, "direct", "no node between", "paths of one hop: entry straight to target");
	}
	if (n >= 0) {
		lg->nodes.v[n].col = 1;
		lg->nodes.v[n].flags |= LN_CHOKE;
	}
	return n;
}

static long side_node(xsm__lgraph *lg, const struct grouping *gr, const xsm_path_info *p, int s)
{
	const char *k = side_key(gr, p, s), *what = s ? (gr->target_nodes ? "target" : "targets of classification")
						       : (gr->entry_nodes ? "entry point" : "entry points of type");
	char id[600], title[700];
	long n;
	if (!side_shown(gr, s, k))
		k = s ? "other targets" : "other entry points";
	snprintf(id, sizeof(id), "%s:%s", s ? "target" : "entry", k);
	snprintf(title, sizeof(title), "%s %s", what, k);
	if ((n = xsm__lgraph_node(lg, id, k, title)) >= 0) {
		lg->nodes.v[n].col = s ? 2 : 0;
		lg->nodes.v[n].flags |= LN_SIDE | (s ? LN_TARGET : LN_ENTRY);
		lg->nodes.v[n].weight++;
	}
	return n;
}

/* add one edge's weight, merging with the same edge of the same group */
static int add_weight(xsm__lgraph *lg, uint32_t from, uint32_t to, uint32_t owner)
{
	for (size_t k = 0; k < lg->edges.n; k++) {
		struct xsm__ledge *e = &lg->edges.v[k];
		if (e->from == from && e->to == to && e->owner == owner) {
			e->weight++;
			return 0;
		}
	}
	return xsm__lgraph_edge(lg, from, to, owner, NULL, 1);
}

/* the group owner of middle node m, created the first time */
static long group_owner(xsm__lgraph *lg, long m, long *owner_of)
{
	char title[700];
	if (m >= OWNERS_MAX)
		return -1; /* cannot be: the map has fewer nodes */
	if (owner_of[m] >= 0)
		return owner_of[m];
	snprintf(title, sizeof(title), "%s", lg->nodes.v[m].title);
	if (xsm__lgraph_owner(lg, "group", "data-choke-id", lg->nodes.v[m].id, title, 0) < 0)
		return -1;
	return owner_of[m] = (long)lg->owners.n - 1;
}

static int group_path(xsm__lgraph *lg, const struct grouping *gr, const xsm_path_info *p, const xsm__json *steps,
		      long *owner_of)
{
	long grp = choke_of(gr, steps), m, e, t, o;
	if (grp < 0)
		grp = xsm__json_count(steps) > 2 ? TOP_CHOKES : TOP_CHOKES + 1;
	if ((m = group_node(lg, gr, grp)) < 0 || (e = side_node(lg, gr, p, 0)) < 0 || (t = side_node(lg, gr, p, 1)) < 0 ||
	    (o = group_owner(lg, m, owner_of)) < 0)
		return XSM_ENOMEM;
	lg->nodes.v[m].weight++;
	lg->owners.v[o].weight++;
	if (add_weight(lg, (uint32_t)e, (uint32_t)m, (uint32_t)o) < 0 || add_weight(lg, (uint32_t)m, (uint32_t)t, (uint32_t)o) < 0)
		return XSM_ENOMEM;
	return 0;
}

/* the rows of each column first by paths, most first: the map's starting order */
static void by_weight(xsm__lgraph *lg)
{
	for (size_t i = 0; i < lg->nodes.n; i++) {
		struct xsm__lnode *a = &lg->nodes.v[i];
		size_t before = 0;
		for (size_t j = 0; j < lg->nodes.n; j++) {
			const struct xsm__lnode *b = &lg->nodes.v[j];
			before += b->col == a->col && (b->weight > a->weight || (b->weight == a->weight && j < i));
		}
		a->y = (double)before;
	}
}

static void grouped_columns(xsm__lgraph *lg, const struct grouping *gr)
{
	by_weight(lg);
	lg->ncols = 3;
	lg->weighted = 1;
	lg->box_w = 230;
	lg->name_max = 30;
	lg->colname[0] = gr->entry_nodes ? "entry points" : "entry point types";
	lg->colname[1] = "choke points";
	lg->colname[2] = gr->target_nodes ? "targets" : "target classifications";
}

/*
 * Group the paths order[0..n): read in the order they are stored, so that
 * each compressed frame of paths.jsonl is decompressed once, not once a path.
 */
static int group_paths(xsm__lgraph *lg, struct grouping *gr, xsm_ctx *ctx, const xsm_pathset *set,
		       const size_t *order, size_t n)
{
	unsigned char *pick = xsm__calloc(xsm_paths_count(set) + 1, 1);
	xsm_buf line = XSM_BUF_INIT;
	long owner_of[OWNERS_MAX]; /* a middle node's group, by node index (the map has fewer nodes) */
	int rc = 0;

	if (!pick)
		return xsm__error_oom(ctx);
	for (size_t o = 0; o < n; o++)
		pick[order[o]] = 1;
	for (size_t i = 0; i < sizeof(owner_of) / sizeof(owner_of[0]); i++)
		owner_of[i] = -1;
	for (size_t i = 0; i < xsm_paths_count(set) && rc == 0; i++) {
		xsm__json *j = NULL;
		if (pick[i] && (rc = read_steps(&j, ctx, set, i, &line)) == 0 &&
		    (rc = group_path(lg, gr, xsm_paths_get(set, i), xsm__json_get(j, "steps"), owner_of)) < 0)
			rc = xsm__error_oom(ctx);
		xsm__json_free(j);
	}
	xsm_buf_dispose(&line);
	xsm__free(pick);
	return rc;
}

static int grouped_map(xsm__lgraph *lg, xsm_ctx *ctx, const xsm_pathset *set, const size_t *order, size_t n,
		       const char *chokes)
{
	struct grouping gr;
	xsm__json *doc = NULL;
	int rc;

	memset(&gr, 0, sizeof(gr));
	if ((rc = load_chokes(&gr, &doc, ctx, chokes)) == 0 && (rc = count_sides(&gr, set, order, n)) < 0)
		rc = xsm__error_oom(ctx);
	if (rc == 0)
		rc = group_paths(lg, &gr, ctx, set, order, n);
	grouped_columns(lg, &gr);
	xsm__json_free(doc);
	xsm__strmap_free(&gr.chokes);
	for (int side = 0; side < 2; side++) {
		xsm__strmap_free(&gr.side_count[side]);
		xsm__strmap_free(&gr.shown[side]);
	}
	return rc;
}

/* --- the figure ------------------------------------------------------------------------ */

static void caption(xsm__html *h, const xsm__lgraph *g, size_t n, size_t total)
{
	xsm__html_puts(h, "<p class=\"caption\" id=\"map-caption\">");
	if (!g->weighted) {
		xsm__html_counted(h, n, "path", "paths");
		xsm__html_puts(h, " across ");
		xsm__html_counted(h, g->nodes.n, "node", "nodes");
		xsm__html_puts(h, ", every one drawn: entry points on the left, targets on the right; "
				  "hover a path for its id and steps.</p>\n");
		return;
	}
	if (n < total) {
		xsm__html_puts(h, "the ");
		xsm__html_count(h, n);
		xsm__html_puts(h, " most serious of ");
	}
	xsm__html_counted(h, total, "path", "paths");
	xsm__html_puts(h, " shown as ");
	xsm__html_counted(h, g->owners.n, "group", "groups");
	xsm__html_puts(h, " by choke point (too many to draw one by one): entry side, the top choke point each path "
			  "crosses, target side; line widths are path counts.</p>\n");
}

int xsm__report_map(xsm__html *h, xsm_ctx *ctx, const xsm_pathset *set, const size_t *order, size_t n,
		    const char *chokes, const xsm_report_options *o)
{
	xsm__lgraph g;
	size_t scan = o->map_scan && o->map_scan < n ? o->map_scan : n;
	int rc = 0;

	if (!n) {
		xsm__html_puts(h, "<p class=\"caption\" id=\"map-caption\">no attack paths in this snapshot.</p>\n");
		return 0;
	}
	memset(&g, 0, sizeof(g));
	if (n <= o->map_paths && (rc = full_map(&g, ctx, set, order, n)) == 0 && g.nodes.n <= o->map_nodes) {
		g.labels = g.edges.n <= 2 * o->map_nodes;
	} else if (rc == 0) {
		xsm__lgraph_free(&g);
		memset(&g, 0, sizeof(g));
		rc = grouped_map(&g, ctx, set, order, scan, chokes);
	}
	if (rc == 0 && (rc = xsm__lgraph_layout(&g)) < 0)
		rc = xsm__error_oom(ctx);
	if (rc == 0) {
		caption(h, &g, g.weighted ? scan : n, n);
		xsm__html_puts(h, "<div class=\"mapbox\">");
		xsm__lgraph_svg(h, &g);
		xsm__html_puts(h, "</div>\n");
	}
	xsm__lgraph_free(&g);
	return rc;
}
