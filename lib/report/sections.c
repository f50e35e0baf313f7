/* sections.c - the report's lists: attack paths, choke points, critical assets, events, sources. */
#include <stdlib.h>
#include <string.h>

#include "adapt/json.h"
#include "ctx.h"
#include "exposure/connect.h"
#include "exposure/critical.h"
#include "exposure/events.h"
#include "exposure/records.h"
#include "report/map.h"
#include "report/page.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/strmap.h"
#include "util/vec.h"

static void cell(xsm__html *h, const char *s)
{
	xsm__html_puts(h, "<td>");
	xsm__html_text(h, s ? s : "-");
	xsm__html_puts(h, "</td>");
}

static void more_rows(xsm__html *h, size_t shown, size_t total, const char *noun, const char *how)
{
	if (shown >= total)
		return;
	xsm__html_puts(h, "<p class=\"more\">and ");
	xsm__html_count(h, total - shown);
	xsm__html_printf(h, " more %s: %s</p>\n", noun, how);
}

/* --- attack paths ------------------------------------------------------------------------ */

static void path_row(xsm__html *h, const xsm_path_info *p)
{
	xsm__html_puts(h, "<tr data-path-id=\"");
	xsm__html_text(h, p->id);
	xsm__html_printf(h, "\"><td class=\"id\">");
	xsm__html_text(h, p->id);
	xsm__html_printf(h, "</td><td class=\"risk-%s\">%s</td><td class=\"num\">%d</td>", xsm_risk_name(p->risk),
			 xsm_risk_name(p->risk), p->hops);
	cell(h, p->entry_name);
	cell(h, p->entry_type);
	cell(h, p->target_name);
	xsm__html_puts(h, "<td>");
	xsm__html_text(h, p->target_classification ? p->target_classification : "-");
	xsm__html_printf(h, " (%s)</td></tr>\n", xsm_level_name(p->target_level));
}

int xsm__page_paths(xsm__html *h, const struct xsm__page *p)
{
	size_t n = xsm_paths_count(p->paths), by[4] = { 0 }, rows = n < p->o->rows ? n : p->o->rows;
	int rc;
	for (size_t i = 0; i < n; i++)
		by[xsm_paths_get(p->paths, i)->risk & 3]++;
	xsm__html_puts(h, "<section id=\"attack-paths\"><h2>Attack paths</h2>\n<p>");
	xsm__html_counted(h, n, "attack path", "attack paths");
	xsm__html_printf(h, " from entry points to critical assets: %zu critical, %zu high, %zu medium, %zu low", by[0], by[1],
			 by[2], by[3]);
	if (xsm_paths_cut(p->paths))
		xsm__html_puts(h, " (some cut by paths.max_per_target)");
	xsm__html_puts(h, ".</p>\n<figure id=\"map\">\n");
	rc = xsm__report_map(h, p->ctx, p->paths, p->order, n, xsm_paths_chokepoints(p->paths), p->o);
	xsm__html_puts(h, "</figure>\n");
	if (rows) {
		xsm__html_puts(h, "<h3>The most serious</h3>\n<table id=\"paths-table\"><tr><th>path</th><th>risk</th><th>hops</th>"
				  "<th>entry point</th><th>entry type</th><th>target</th><th>classification</th></tr>\n");
		for (size_t o = 0; o < rows; o++)
			path_row(h, xsm_paths_get(p->paths, p->order[o]));
		xsm__html_puts(h, "</table>\n");
	}
	more_rows(h, rows, n, "paths", "xsm paths list");
	xsm__html_puts(h, "</section>\n");
	return rc;
}

/* --- choke points ----------------------------------------------------------------------- */

static void choke_row(xsm__html *h, const xsm__json *c)
{
	const xsm__json *cut = xsm__json_get(c, "pairs_cut");
	xsm__html_puts(h, "<tr data-node-id=\"");
	xsm__html_text(h, xsm__json_getstr(c, "NodeId"));
	xsm__html_puts(h, "\">");
	cell(h, xsm__json_getstr(c, "NodeName"));
	cell(h, xsm__json_getstr(c, "NodeLabel"));
	xsm__html_printf(h, "<td class=\"num\">%.0f</td>", xsm__json_num(xsm__json_get(c, "paths")));
	if (xsm__json_type(cut) == XSM_J_NUMBER)
		xsm__html_printf(h, "<td class=\"num\">%.0f</td>", xsm__json_num(cut));
	else
		xsm__html_puts(h, "<td class=\"num\">-</td>");
	xsm__html_puts(h, "<td class=\"id\">");
	xsm__html_text(h, xsm__json_getstr(c, "NodeId"));
	xsm__html_puts(h, "</td></tr>\n");
}

int xsm__page_chokepoints(xsm__html *h, const struct xsm__page *p)
{
	const char *text = xsm_paths_chokepoints(p->paths);
	xsm__json *doc = NULL;
	const xsm__json *c;
	size_t shown = 0, total;
	int rc = xsm__json_parse(&doc, p->ctx, text ? text : "{}", text ? strlen(text) : 2, "chokepoints.json: ");
	if (rc < 0)
		return rc;
	c = xsm__json_child(xsm__json_get(doc, "chokepoints"));
	total = xsm__json_count(xsm__json_get(doc, "chokepoints"));
	xsm__html_puts(h, "<section id=\"chokepoints\"><h2>Choke points</h2>\n<p>Nodes between entry points and targets "
			  "that the most paths cross: fixing one breaks them all. <em>Pairs cut</em>: the entry-target "
			  "pairs its removal leaves without any path.</p>\n");
	if (!c)
		xsm__html_puts(h, "<p>no choke points: no path crosses a node between its ends.</p>\n");
	else
		xsm__html_puts(h, "<table id=\"chokepoints-table\"><tr><th>node</th><th>label</th><th>paths</th>"
				  "<th>pairs cut</th><th>node id</th></tr>\n");
	for (; c && shown < 20; c = xsm__json_next(c), shown++)
		choke_row(h, c);
	if (shown)
		xsm__html_puts(h, "</table>\n");
	more_rows(h, shown, total, "choke points", "xsm paths chokepoints");
	xsm__html_puts(h, "</section>\n");
	xsm__json_free(doc);
	return 0;
}

/* --- critical assets -------------------------------------------------------------------- */

struct crit {
	size_t node;
	int level;
	const char *id; /* the sort key after the level, as xsm critical list sorts */
};

static int cmp_crit(const void *a, const void *b)
{
	const struct crit *x = a, *y = b;
	if (x->level != y->level)
		return x->level - y->level;
	return strcmp(x->id, y->id);
}

/* paths ending at each target, by name (the index has names, not ids) */
static int paths_to(xsm__strmap *m, const xsm_pathset *set)
{
	for (size_t i = 0; i < xsm_paths_count(set); i++) {
		const char *t = xsm_paths_get(set, i)->target_name;
		uint64_t *slot;
		int created;
		if (t && xsm__strmap_slot(m, t, strlen(t), &slot, &created) < 0)
			return XSM_ENOMEM;
		if (t)
			++*slot;
	}
	return 0;
}

static void crit_row(xsm__html *h, const xsm_graph *g, const struct crit *c, const xsm__strmap *to)
{
	const char *names[16], *name = xsm_graph_node_name(g, c->node);
	size_t nn = xsm_critical_rule_names(g, c->node, names, 16);
	uint64_t np = 0;
	xsm__html_printf(h, "<tr data-node-id=\"");
	xsm__html_text(h, xsm_graph_node_id(g, c->node));
	xsm__html_printf(h, "\"><td class=\"level%d\">%d %s</td>", c->level, c->level, xsm_level_name(c->level));
	cell(h, name);
	cell(h, xsm_graph_node_label(g, c->node));
	xsm__html_puts(h, "<td>");
	for (size_t k = 0; k < nn && k < 16; k++) {
		xsm__html_puts(h, k ? ", " : "");
		xsm__html_text(h, names[k]);
	}
	if (xsm_critical_manual_level(g, c->node) >= 0)
		xsm__html_printf(h, "%smanual level %d", nn ? ", " : "", xsm_critical_manual_level(g, c->node));
	xsm__strmap_get(to, name, strlen(name), &np);
	xsm__html_printf(h, "</td><td class=\"num\">%llu</td></tr>\n", (unsigned long long)np);
}

int xsm__page_critical(xsm__html *h, const struct xsm__page *p)
{
	size_t n = 0, nodes = xsm_graph_node_count(p->g), by[4] = { 0 };
	struct crit *c = xsm__calloc(nodes + 1, sizeof(*c));
	xsm__strmap to = { 0 };

	if (!c || paths_to(&to, p->paths) < 0) {
		xsm__free(c);
		xsm__strmap_free(&to);
		return xsm__error_oom(p->ctx);
	}
	for (size_t i = 0; i < nodes; i++)
		if ((c[n].level = xsm_critical_level(p->g, i)) <= 3) {
			by[c[n].level]++;
			c[n].id = xsm_graph_node_id(p->g, i);
			c[n++].node = i;
		}
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp_crit);
	xsm__html_puts(h, "<section id=\"critical-assets\"><h2>Critical assets</h2>\n<p>");
	xsm__html_counted(h, n, "critical asset", "critical assets");
	xsm__html_printf(h, ": %zu very high, %zu high, %zu medium, %zu low; each with the classifications that made it "
			    "critical.</p>\n",
			 by[0], by[1], by[2], by[3]);
	if (n)
		xsm__html_puts(h, "<table id=\"critical-table\"><tr><th>level</th><th>asset</th><th>label</th><th>why</th>"
				  "<th>paths to it</th></tr>\n");
	for (size_t i = 0; i < n && i < p->o->rows; i++)
		crit_row(h, p->g, &c[i], &to);
	if (n)
		xsm__html_puts(h, "</table>\n");
	more_rows(h, n < p->o->rows ? n : p->o->rows, n, "critical assets", "xsm critical list");
	xsm__html_puts(h, "</section>\n");
	xsm__free(c);
	xsm__strmap_free(&to);
	return 0;
}

/* --- events ------------------------------------------------------------------------------ */

struct ev {
	const char *time, *type, *subject, *message;
};

struct evlist {
	xsm__arena a;
	XSM__VEC(struct ev) v;
	int err;
};

static const char *keep(xsm__arena *a, const char *s)
{
	return xsm__arena_strndup(a, s ? s : "", s ? strlen(s) : 0);
}

static int ev_keep(const xsm_event_info *e, void *payload)
{
	struct evlist *l = payload;
	const char *subject = e->kind && !strcmp(e->kind, "path") ? e->id : e->name ? e->name : e->id;
	struct ev r = { keep(&l->a, e->time), keep(&l->a, e->type), keep(&l->a, subject), keep(&l->a, e->message) };
	if (!r.time || !r.type || !r.subject || !r.message || xsm__vec_push(&l->v, r) < 0)
		return l->err = XSM_ENOMEM;
	return 0;
}

int xsm__page_events(xsm__html *h, const struct xsm__page *p)
{
	struct evlist l;
	int rc;
	memset(&l, 0, sizeof(l));
	if ((rc = xsm_events_list(p->store, 0, NULL, p->o->rows, ev_keep, &l)) < 0) {
		xsm__arena_free(&l.a);
		xsm__vec_free(&l.v);
		return l.err ? xsm__error_oom(p->ctx) : rc;
	}
	xsm__html_puts(h, "<section id=\"events\"><h2>Recent events</h2>\n<p>");
	xsm__html_puts(h, l.v.n ? "The newest first: score drops, new critical assets, new and resolved paths, "
				  "newly exposed devices, failed or stale sources.</p>\n"
				: "No events: they come from comparing each snapshot with the one before.</p>\n");
	if (l.v.n)
		xsm__html_puts(h, "<table id=\"events-table\"><tr><th>time</th><th>type</th><th>subject</th><th>what</th></tr>\n");
	for (size_t i = l.v.n; i-- > 0;) {
		xsm__html_puts(h, "<tr class=\"event\">");
		cell(h, l.v.v[i].time);
		cell(h, l.v.v[i].type);
		cell(h, l.v.v[i].subject);
		cell(h, l.v.v[i].message);
		xsm__html_puts(h, "</tr>\n");
	}
	if (l.v.n)
		xsm__html_puts(h, "</table>\n");
	xsm__html_puts(h, "</section>\n");
	xsm__arena_free(&l.a);
	xsm__vec_free(&l.v);
	return 0;
}

/* --- sources and connectors --------------------------------------------------------------- */

struct srcs {
	xsm__html *h;
	xsm__strmap types; /* connector name -> its type in the catalog (index + 1) */
	size_t n;
};

static int conn_type(const char *name, const char *type, void *payload)
{
	struct srcs *s = payload;
	size_t ntypes, k;
	const xsm_connector_type *all = xsm_connector_types(&ntypes);
	for (k = 0; k < ntypes && strcmp(all[k].name, type); k++)
		;
	if (k == ntypes)
		return 0;
	return xsm__strmap_put(&s->types, name, k + 1) < 0 ? XSM_ENOMEM : 0;
}

static int source_row(const xsm_source_info *si, void *payload)
{
	struct srcs *s = payload;
	xsm__html *h = s->h;
	uint64_t t = 0;
	size_t ntypes;
	const xsm_connector_type *all = xsm_connector_types(&ntypes);
	xsm__strmap_get(&s->types, si->name, strlen(si->name), &t);
	s->n++;
	if (si->error || si->stale)
		xsm__html_printf(h, "<tr class=\"%s\">", si->error ? "failed" : "stale");
	else
		xsm__html_puts(h, "<tr>");
	cell(h, si->name);
	cell(h, t && t <= ntypes ? all[t - 1].name : "records");
	cell(h, si->status);
	cell(h, si->synced);
	if (si->age_hours >= 0)
		xsm__html_printf(h, "<td class=\"num\">%ldh%s</td>", si->age_hours, si->stale ? " (stale)" : "");
	else
		xsm__html_puts(h, "<td>never synced</td>");
	xsm__html_printf(h, "<td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>",
			 si->runs, si->assets, si->findings, si->relations);
	cell(h, si->error);
	xsm__html_puts(h, "</tr>\n");
	return h->err;
}

int xsm__page_sources(xsm__html *h, const struct xsm__page *p)
{
	struct srcs s;
	int rc;
	memset(&s, 0, sizeof(s));
	s.h = h;
	if ((rc = xsm_connector_foreach(p->store, conn_type, &s)) < 0) {
		xsm__strmap_free(&s.types);
		return rc;
	}
	xsm__html_puts(h, "<section id=\"connectors\"><h2>Sources and connectors</h2>\n<p>What each source last gave; "
			  "a source is stale when its last good sync is older than events.stale_hours.</p>\n"
			  "<table id=\"connectors-table\"><tr><th>source</th><th>connector</th><th>status</th><th>last sync</th>"
			  "<th>age</th><th>runs</th><th>assets</th><th>findings</th><th>relations</th><th>last error</th></tr>\n");
	rc = xsm_sources_foreach(p->store, source_row, &s);
	xsm__html_puts(h, "</table>\n");
	if (!s.n)
		xsm__html_puts(h, "<p>no sources yet.</p>\n");
	xsm__html_puts(h, "</section>\n");
	xsm__strmap_free(&s.types);
	return rc;
}
