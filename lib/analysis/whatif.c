/*
 * whatif.c - what-if remediation (paths whatif): changes applied to a
 * loaded snapshot in memory, then criticality, attack paths, choke points
 * and insights computed again and compared with what the snapshot stored.
 *
 * A removed edge is given a label of its own that the attack model never
 * walks and no relation follows, so the walk graph, memberOf() and
 * loggedOnBy() all lose it without the graph being rebuilt.  A fixed CVE
 * loses its affecting edges and the assets it affected get their
 * vulnerability summary (highRiskVulnerabilityInsights, vulnerableToRCE,
 * cves, exploitableCves) recomputed from the CVEs left, as a build would
 * (the privilege escalation flag, which no edge carries, stays while any
 * CVE is left).
 *
 * --top-fixes is greedy: every step counts, for each edge, the remaining
 * paths that cross it, searches again (one multi-source pass per 64
 * targets, from the targets of the paths that cross it, with the edge
 * cut) for the most crossed ones only until no unsearched edge could beat
 * the best found, and weighs each CVE on an entry point by the pairs its
 * fix takes away (the entry points that would no longer be entry points);
 * the best is applied, the paths it cut dropped and the ones it changed
 * walked again.  Never one full path search per step.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/json.h"
#include "analysis/expr.h"
#include "analysis/paths.h"
#include "ctx.h"
#include "exposure/critical.h"
#include "exposure/insights.h"
#include "exposure/whatif.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/vec.h"

enum { C_REMOVE, C_REMOVE_EDGE, C_FIX, C_ISOLATE, C_SET_CRIT };

struct change {
	int kind, level;
	char *a, *b, *c;
};

typedef XSM__VEC(uint32_t) u32vec;

struct xsm_whatif {
	xsm_ctx *ctx;
	XSM__VEC(struct change) ch;
	int top;
	xsm_whatif_result r;
	XSM__VEC(xsm_whatif_path) removed, added, rerouted;
	XSM__VEC(char *) applied;
	XSM__VEC(xsm_whatif_choke) cb, ca;
	XSM__VEC(xsm_whatif_score) sc;
	XSM__VEC(xsm_whatif_level) lv;
	XSM__VEC(xsm_whatif_proposal) fixes;
	XSM__VEC(char *) strs; /* strings the result borrows */
	xsm_pathset *before;
	xsm_insights_report *ib, *ia;
	char snapshot[64];
};

int xsm_whatif_new(xsm_whatif **out, xsm_ctx *ctx)
{
	*out = xsm__calloc(1, sizeof(**out));
	if (!*out)
		return xsm__error_oom(ctx);
	(*out)->ctx = ctx;
	return 0;
}

void xsm_whatif_free(xsm_whatif *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ch.n; i++) {
		xsm__free(w->ch.v[i].a);
		xsm__free(w->ch.v[i].b);
		xsm__free(w->ch.v[i].c);
	}
	for (size_t i = 0; i < w->strs.n; i++)
		xsm__free(w->strs.v[i]);
	xsm__vec_free(&w->ch);
	xsm__vec_free(&w->removed);
	xsm__vec_free(&w->added);
	xsm__vec_free(&w->rerouted);
	xsm__vec_free(&w->applied);
	xsm__vec_free(&w->cb);
	xsm__vec_free(&w->ca);
	xsm__vec_free(&w->sc);
	xsm__vec_free(&w->lv);
	xsm__vec_free(&w->fixes);
	xsm__vec_free(&w->strs);
	xsm_paths_free(w->before);
	xsm_insights_report_free(w->ib);
	xsm_insights_report_free(w->ia);
	xsm__free(w);
}

static int add_change(xsm_whatif *w, int kind, const char *a, const char *b, const char *c, int level)
{
	struct change ch = { kind, level, NULL, NULL, NULL };
	if ((a && !(ch.a = xsm__strdup(a))) || (b && !(ch.b = xsm__strdup(b))) || (c && !(ch.c = xsm__strdup(c))) ||
	    xsm__vec_push(&w->ch, ch) < 0) {
		xsm__free(ch.a);
		xsm__free(ch.b);
		xsm__free(ch.c);
		return xsm__error_oom(w->ctx);
	}
	return 0;
}

int xsm_whatif_remove(xsm_whatif *w, const char *x)
{
	return add_change(w, C_REMOVE, x, NULL, NULL, 0);
}

int xsm_whatif_remove_edge(xsm_whatif *w, const char *from, const char *label, const char *to)
{
	return add_change(w, C_REMOVE_EDGE, from, label, to, 0);
}

int xsm_whatif_fix(xsm_whatif *w, const char *cve, const char *on)
{
	return add_change(w, C_FIX, cve, on, NULL, 0);
}

int xsm_whatif_isolate(xsm_whatif *w, const char *node)
{
	return add_change(w, C_ISOLATE, node, NULL, NULL, 0);
}

int xsm_whatif_set_critical(xsm_whatif *w, const char *node, int level)
{
	if (level < 0 || level > 3)
		return xsm__error_set(w->ctx, XSM_EUSAGE, "a criticality level is 0 to 3 (very-high, high, medium, low)");
	return add_change(w, C_SET_CRIT, node, NULL, NULL, level);
}

int xsm_whatif_top_fixes(xsm_whatif *w, int n)
{
	if (n < 1 || n > 20)
		return xsm__error_set(w->ctx, XSM_EUSAGE, "--top-fixes takes 1 to 20");
	w->top = n;
	return 0;
}

const xsm_whatif_result *xsm_whatif_result_get(const xsm_whatif *w)
{
	return &w->r;
}

/* a string the result keeps; NULL when out of memory */
static char *keep(xsm_whatif *w, const char *s, size_t n)
{
	char *c = xsm__strndup(s, n);
	if (c && xsm__vec_push(&w->strs, c) < 0) {
		xsm__free(c);
		c = NULL;
	}
	return c;
}

static int applied(xsm_whatif *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int applied(xsm_whatif *w, const char *fmt, ...)
{
	char line[600];
	char *c;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!(c = keep(w, line, strlen(line))) || xsm__vec_push(&w->applied, c) < 0)
		return xsm__error_oom(w->ctx);
	return 0;
}

/* --- applying the changes ------------------------------------------------------------ */

struct view {
	xsm_whatif *w;
	xsm_graph *g;
	uint32_t cut_label, affecting;
	int have_affecting;
	uint8_t *removed;   /* nodes removed */
	uint8_t *touched;   /* assets whose CVEs changed */
	u32vec assets;      /* ... as a list */
};

static int find_node(struct view *v, const char *s, uint32_t *out)
{
	int64_t i = xsm__graph_find_node(v->g, s);
	if (i == -1)
		return xsm__error_set(v->w->ctx, XSM_ENOTFOUND, "no node '%s'", s);
	if (i < 0)
		return xsm__error_set(v->w->ctx, XSM_EINVALID, "'%s' names several nodes: give a NodeId", s);
	*out = (uint32_t)i;
	return 0;
}

static const char *nname(const xsm_graph *g, uint32_t i)
{
	return xsm__gstr(g, g->nodes.v[i].name);
}

static void cut_edge(struct view *v, uint32_t e)
{
	v->g->edges.v[e].label = v->cut_label;
}

/* every edge into and out of node: how many were still there */
static size_t isolate(struct view *v, uint32_t node)
{
	xsm_graph *g = v->g;
	size_t n = 0;
	for (uint32_t k = g->out_off[node]; k < g->out_off[node + 1]; k++)
		if (g->edges.v[g->out_edge[k]].label != v->cut_label) {
			cut_edge(v, g->out_edge[k]);
			n++;
		}
	for (uint32_t k = g->in_off[node]; k < g->in_off[node + 1]; k++)
		if (g->edges.v[g->in_edge[k]].label != v->cut_label) {
			cut_edge(v, g->in_edge[k]);
			n++;
		}
	return n;
}

static int edge_by_id(const xsm_graph *g, const char *s, uint32_t *out)
{
	uint64_t h = 0;
	size_t i;
	if (strncmp(s, "e-", 2) || strlen(s) != 18)
		return 0;
	for (i = 2; i < 18; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return 0;
		h = h << 4 | (uint64_t)d;
	}
	for (i = 0; i < g->edges.n; i++)
		if (g->edges.v[i].hid == h) {
			*out = (uint32_t)i;
			return 1;
		}
	return 0;
}

static int touch(struct view *v, uint32_t asset)
{
	if (v->touched[asset])
		return 0;
	v->touched[asset] = 1;
	return xsm__vec_push(&v->assets, asset) < 0 ? xsm__error_oom(v->w->ctx) : 0;
}

static const xsm__prop *eprop(const xsm_graph *g, uint32_t e, const char *key)
{
	const xsm__edge *ed = &g->edges.v[e];
	for (uint32_t k = 0; k < ed->props_n; k++)
		if (!strcmp(xsm__gstr(g, g->props.v[ed->props_off + k].key), key))
			return &g->props.v[ed->props_off + k];
	return NULL;
}

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical" };

static int severity(const xsm_graph *g, uint32_t e)
{
	const xsm__prop *p = eprop(g, e, "severity");
	if (p && p->type == XSM_V_STR)
		for (int s = 0; s < 5; s++)
			if (!strcmp(xsm__gstr(g, p->a), sev_names[s]))
				return s;
	return 0;
}

static int pbool(const xsm_graph *g, uint32_t e, const char *key)
{
	const xsm__prop *p = eprop(g, e, key);
	return p && p->type == XSM_V_BOOL && p->a;
}

static const xsm_graph *cve_sort_g;

static int cmp_cve_name(const void *a, const void *b)
{
	return strcmp(xsm__gstr(cve_sort_g, *(const uint32_t *)a), xsm__gstr(cve_sort_g, *(const uint32_t *)b));
}

/*
 * The vulnerability summary of asset from the affecting edges into it that
 * are left (skip: one more to leave out, UINT32_MAX for none), as the
 * build writes it.
 */
static int summarize(xsm_graph *g, uint32_t affecting, uint32_t asset, uint32_t skip_cve)
{
	static const char *const keys[] = {
		"highRiskVulnerabilityInsights.hasHighOrCritical", "highRiskVulnerabilityInsights.maxCvssScore",
		"highRiskVulnerabilityInsights.vulnerableToRemoteCodeExecution",
		"highRiskVulnerabilityInsights.vulnerableToPrivilegeEscalation", "vulnerableToRCE", "cves", "exploitableCves",
	};
	xsm__prop v[7];
	const xsm__prop *pe = xsm__graph_prop_s(g, asset, "highRiskVulnerabilityInsights.vulnerableToPrivilegeEscalation");
	int hi = 0, rce = 0, expl = 0;
	double maxcvss = 0;
	uint32_t c0 = (uint32_t)g->u32.n, n = 0;

	for (uint32_t k = g->in_off[asset]; k < g->in_off[asset + 1]; k++) {
		uint32_t e = g->in_edge[k];
		const xsm__prop *cv;
		int sev;
		if (g->edges.v[e].label != affecting || g->edges.v[e].src == skip_cve)
			continue;
		sev = severity(g, e);
		if (sev >= 3)
			hi = 1;
		if ((cv = eprop(g, e, "cvssScore")) && cv->type == XSM_V_NUM && cv->num > maxcvss)
			maxcvss = cv->num;
		rce |= pbool(g, e, "vulnerableToRCE");
		if (pbool(g, e, "exploitAvailable") && sev >= 3)
			expl++;
		if (xsm__vec_push(&g->u32, g->nodes.v[g->edges.v[e].src].name) < 0)
			return XSM_ENOMEM;
		n++;
	}
	cve_sort_g = g;
	if (n > 1)
		qsort(g->u32.v + c0, n, sizeof(uint32_t), cmp_cve_name);
	memset(v, 0, sizeof(v));
	v[0].type = XSM_V_BOOL, v[0].a = (uint32_t)hi;
	v[1].type = XSM_V_NUM, v[1].num = maxcvss;
	v[2].type = XSM_V_BOOL, v[2].a = (uint32_t)rce;
	v[3].type = XSM_V_BOOL, v[3].a = n && pe && pe->type == XSM_V_BOOL && pe->a;
	v[4].type = XSM_V_BOOL, v[4].a = (uint32_t)rce;
	v[5].type = XSM_V_STRS, v[5].a = c0, v[5].b = n;
	v[6].type = XSM_V_NUM, v[6].num = expl;
	return xsm__graph_set_props(g, asset, 7, keys, v);
}

static int apply(struct view *v, xsm_rules *rules)
{
	xsm_whatif *w = v->w;
	xsm_graph *g = v->g;
	int rc = 0;

	for (size_t i = 0; i < w->ch.n && rc == 0; i++) {
		const struct change *c = &w->ch.v[i];
		uint32_t a, b, e;
		size_t n = 0;
		switch (c->kind) {
		case C_REMOVE:
			if (edge_by_id(g, c->a, &e)) {
				const xsm__edge *ed = &g->edges.v[e];
				if (ed->label == v->cut_label)
					break;
				rc = applied(w, "removed edge %s: %s -[%s]-> %s", c->a, nname(g, ed->src), xsm__gstr(g, ed->label),
					     nname(g, ed->dst));
				cut_edge(v, e);
				break;
			}
			if ((rc = find_node(v, c->a, &a)) < 0) {
				if (rc == XSM_ENOTFOUND)
					rc = xsm__error_set(w->ctx, XSM_ENOTFOUND, "--remove: no node or edge '%s'", c->a);
				break;
			}
			n = isolate(v, a);
			v->removed[a] = 1;
			rc = applied(w, "removed node %s (%s) and its %zu edges", nname(g, a), xsm__gstr(g, g->nodes.v[a].id), n);
			break;
		case C_ISOLATE:
			if ((rc = find_node(v, c->a, &a)) < 0)
				break;
			n = isolate(v, a);
			rc = applied(w, "isolated %s: %zu edges cut", nname(g, a), n);
			break;
		case C_REMOVE_EDGE: {
			uint32_t lab;
			if ((rc = find_node(v, c->a, &a)) < 0 || (rc = find_node(v, c->c, &b)) < 0)
				break;
			if (xsm__strpool_find(&g->s, c->b, strlen(c->b), &lab))
				for (uint32_t k = g->out_off[a]; k < g->out_off[a + 1]; k++) {
					e = g->out_edge[k];
					if (g->edges.v[e].dst == b && g->edges.v[e].label == lab) {
						cut_edge(v, e);
						n++;
					}
				}
			if (!n)
				rc = xsm__error_set(w->ctx, XSM_ENOTFOUND, "no '%s' edge from %s to %s", c->b, nname(g, a), nname(g, b));
			else
				rc = applied(w, "removed %s -[%s]-> %s", nname(g, a), c->b, nname(g, b));
			break;
		}
		case C_FIX:
			if ((rc = find_node(v, c->a, &a)) < 0)
				break;
			if (strcmp(xsm__gstr(g, g->nodes.v[a].label), "Cve")) {
				rc = xsm__error_set(w->ctx, XSM_EUSAGE, "--fix: '%s' is a %s, not a CVE", c->a,
						    xsm__gstr(g, g->nodes.v[a].label));
				break;
			}
			if (c->b && (rc = find_node(v, c->b, &b)) < 0)
				break;
			for (uint32_t k = v->have_affecting ? g->out_off[a] : 0; v->have_affecting && k < g->out_off[a + 1]; k++) {
				e = g->out_edge[k];
				if (g->edges.v[e].label != v->affecting || (c->b && g->edges.v[e].dst != b))
					continue;
				cut_edge(v, e);
				if ((rc = touch(v, g->edges.v[e].dst)) < 0)
					break;
				n++;
			}
			if (rc < 0)
				break;
			if (!n && c->b)
				rc = xsm__error_set(w->ctx, XSM_ENOTFOUND, "%s does not affect %s", nname(g, a), nname(g, b));
			else if (c->b)
				rc = applied(w, "fixed %s on %s", nname(g, a), nname(g, b));
			else
				rc = applied(w, "fixed %s on the %zu %s it affected", nname(g, a), n, n == 1 ? "asset" : "assets");
			break;
		case C_SET_CRIT:
			if ((rc = find_node(v, c->a, &a)) < 0)
				break;
			if ((rc = xsm_rules_set_manual(rules, xsm__gstr(g, g->nodes.v[a].id), c->level)) == 0)
				rc = applied(w, "set the criticality of %s to %s (was %s)", nname(g, a), xsm_level_name(c->level),
					     xsm_level_name(xsm_critical_level(g, a)));
			break;
		}
	}
	for (size_t i = 0; i < v->assets.n && rc == 0; i++)
		if ((rc = summarize(g, v->affecting, v->assets.v[i], UINT32_MAX)) < 0)
			rc = xsm__error_oom(w->ctx);
	return rc;
}

/* --- comparing ------------------------------------------------------------------------ */

static int chokes_of(xsm_whatif *w, const char *json, size_t n, int after)
{
	xsm__json *j = NULL;
	const xsm__json *c;
	int rc = xsm__json_parse(&j, w->ctx, json, n, "chokepoints.json: ");
	size_t k = 0;
	if (rc < 0)
		return rc;
	for (c = xsm__json_child(xsm__json_get(j, "chokepoints")); c && k < 10; c = xsm__json_next(c), k++) {
		xsm_whatif_choke ch;
		const xsm__json *pc = xsm__json_get(c, "pairs_cut");
		const char *id = xsm__json_getstr(c, "NodeId"), *nm = xsm__json_getstr(c, "NodeName"),
			   *lb = xsm__json_getstr(c, "NodeLabel");
		ch.id = keep(w, id ? id : "", id ? strlen(id) : 0);
		ch.name = keep(w, nm ? nm : "", nm ? strlen(nm) : 0);
		ch.label = keep(w, lb ? lb : "", lb ? strlen(lb) : 0);
		ch.paths = (long)xsm__json_num(xsm__json_get(c, "paths"));
		ch.pairs_cut = pc && xsm__json_type(pc) == XSM_J_NUMBER ? (long)xsm__json_num(pc) : -1;
		if (!ch.id || !ch.name || !ch.label || xsm__vec_push(after ? &w->ca : &w->cb, ch) < 0) {
			xsm__json_free(j);
			return xsm__error_oom(w->ctx);
		}
	}
	xsm__json_free(j);
	return 0;
}

static int compare(xsm_whatif *w, const xsm_graph *g, const xsm__pathlist *pl)
{
	xsm__strmap seen = { 0 };
	size_t nb = xsm_paths_count(w->before), i;
	uint8_t *hit = xsm__calloc(nb + 1, 1);
	int rc = 0;

	if (!hit || xsm__strmap_reserve(&seen, nb) < 0) {
		rc = xsm__error_oom(w->ctx);
		goto done;
	}
	for (i = 0; i < nb; i++)
		if (xsm__strmap_put(&seen, xsm_paths_get(w->before, i)->id, i) < 0) {
			rc = xsm__error_oom(w->ctx);
			goto done;
		}
	w->r.paths_before = nb;
	w->r.paths_after = pl->n;
	for (size_t k = 0; k < pl->n && rc == 0; k++) {
		char id[24];
		uint64_t at;
		int hops = (int)pl->hops[k];
		xsm__hex_id(id, "ap-", pl->hid[k]);
		if (xsm__strmap_get(&seen, id, strlen(id), &at)) {
			const xsm_path_info *b = xsm_paths_get(w->before, at);
			hit[at] = 1;
			if (b->hops != hops) {
				xsm_whatif_path wp = { b->id, b->entry_name, b->target_name, b->hops, b->risk, hops };
				if (xsm__vec_push(&w->rerouted, wp) < 0)
					rc = xsm__error_oom(w->ctx);
			}
		} else {
			xsm_whatif_path wp = { keep(w, id, strlen(id)), nname(g, pl->entry[k]), nname(g, pl->target[k]), hops,
					       pl->risk[k], hops };
			if (!wp.id || xsm__vec_push(&w->added, wp) < 0)
				rc = xsm__error_oom(w->ctx);
		}
	}
	for (i = 0; i < nb && rc == 0; i++)
		if (!hit[i]) {
			const xsm_path_info *b = xsm_paths_get(w->before, i);
			xsm_whatif_path wp = { b->id, b->entry_name, b->target_name, b->hops, b->risk, -1 };
			if (xsm__vec_push(&w->removed, wp) < 0)
				rc = xsm__error_oom(w->ctx);
		}
done:
	xsm__free(hit);
	xsm__strmap_free(&seen);
	return rc;
}

static int scores(xsm_whatif *w)
{
	size_t nb = w->ib ? xsm_insights_report_initiative_count(w->ib) : 0,
	       na = w->ia ? xsm_insights_report_initiative_count(w->ia) : 0;
	for (size_t i = 0; i < na; i++) {
		const xsm_initiative_info *a = xsm_insights_report_initiative(w->ia, i);
		xsm_whatif_score s = { a->id, a->name, -1, a->score };
		for (size_t k = 0; k < nb; k++) {
			const xsm_initiative_info *b = xsm_insights_report_initiative(w->ib, k);
			if (!strcmp(a->id, b->id))
				s.before = b->score;
		}
		if (xsm__vec_push(&w->sc, s) < 0)
			return xsm__error_oom(w->ctx);
	}
	return 0;
}

/* --- top fixes ------------------------------------------------------------------------ */

struct cand {
	uint32_t edge, count;
};

/* the bounds of a step's searches (see top_fixes) */
enum { EVAL_EDGES = 8, CUT_TARGETS = 256 };

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->edge < y->edge ? -1 : x->edge > y->edge;
}

/* whether node e would still be an entry point with cve's affecting edge into it gone */
static int still_entry(xsm_graph *g, uint32_t affecting, uint32_t node, uint32_t cve, xsm__expr *const *ex, size_t nex)
{
	uint32_t off = g->nodes.v[node].props_off, n = g->nodes.v[node].props_n;
	size_t u32n = g->u32.n, pn = g->props.n;
	int keep_entry = 0;
	if (summarize(g, affecting, node, cve) < 0)
		return -1;
	for (size_t k = 0; k < nex && !keep_entry; k++)
		keep_entry = xsm__expr_eval(ex[k], (const void *)(uintptr_t)node);
	/* back as it was: the copy went to the end of props and u32 */
	g->nodes.v[node].props_off = off;
	g->nodes.v[node].props_n = n;
	g->props.n = pn;
	g->u32.n = u32n;
	return keep_entry;
}

static int top_fixes(xsm_whatif *w, xsm_graph *g, const xsm_attack_model *m, xsm__pathlist *plp, uint32_t affecting,
		     int have_affecting)
{
	xsm__pathlist pl = *plp; /* rechecks move paths: the caller's copy is updated at the end */
	uint32_t *count = NULL, *cveuse = NULL;
	uint64_t *cut = NULL;
	uint8_t *dead = NULL, *lost = NULL, *alive = NULL;
	u32vec sel = { 0 }, touched = { 0 }, ctouched = { 0 };
	XSM__VEC(struct cand) cands = { 0 };
	xsm__expr_host host;
	xsm__expr **ex = NULL;
	size_t nex = 0, i;
	int rc = 0;

	while (xsm__attack_model_entry(m, nex, NULL))
		nex++;
	xsm__graph_expr_host(&host, g);
	count = xsm__calloc(g->edges.n + 1, sizeof(uint32_t));
	cveuse = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	cut = xsm__calloc(g->edges.n / 64 + 2, sizeof(uint64_t));
	dead = xsm__calloc(pl.n + 1, 1);
	lost = xsm__calloc(g->nodes.n + 1, 1);
	alive = xsm__calloc(pl.n + 1, 1);
	ex = xsm__calloc(nex + 1, sizeof(*ex));
	if (!count || !cveuse || !cut || !dead || !lost || !alive || !ex) {
		rc = xsm__error_oom(w->ctx);
		goto done;
	}
	for (i = 0; i < nex && rc == 0; i++) {
		const char *when;
		xsm__attack_model_entry(m, i, &when);
		rc = xsm__expr_compile(&ex[i], w->ctx, when, &host);
	}
	for (int step = 0; step < w->top && rc == 0; step++) {
		uint32_t best_edge = UINT32_MAX, best_cve = UINT32_MAX;
		size_t best = 0, best_cve_n = 0, searched, skipped = 0, passes = 0;
		/* the remaining paths crossing each edge */
		touched.n = 0;
		for (i = 0; i < pl.n; i++) {
			if (dead[i])
				continue;
			for (uint32_t h = 0; h < pl.hops[i]; h++) {
				uint32_t e = pl.edges.v[pl.off[i] + h];
				if (!count[e]++ && xsm__vec_push(&touched, e) < 0)
					goto oom;
			}
		}
		cands.n = 0;
		for (i = 0; i < touched.n; i++) {
			if (xsm__vec_push(&cands, ((struct cand){ touched.v[i], count[touched.v[i]] })) < 0)
				goto oom;
			count[touched.v[i]] = 0;
		}
		if (cands.n > 1)
			qsort(cands.v, cands.n, sizeof(*cands.v), cmp_cand);
		/*
		 * exact cuts of the most crossed edges, until none left could beat
		 * the best; bounded as the choke point cuts are: at most EVAL_EDGES
		 * searched a step, each only when its paths reach at most
		 * CUT_TARGETS targets
		 */
		for (i = 0, searched = 0; i < cands.n && cands.v[i].count > best && searched < EVAL_EDGES && rc == 0; i++) {
			uint32_t e = cands.v[i].edge, ntg = 0;
			size_t c = 0;
			sel.n = 0;
			for (size_t k = 0; k < pl.n; k++) {
				if (dead[k])
					continue;
				for (uint32_t h = 0; h < pl.hops[k]; h++)
					if (pl.edges.v[pl.off[k] + h] == e) {
						if (xsm__vec_push(&sel, (uint32_t)k) < 0)
							goto oom;
						ntg += sel.n == 1 || pl.target[sel.v[sel.n - 2]] != pl.target[k];
						break;
					}
			}
			if (ntg > CUT_TARGETS) {
				skipped++;
				continue;
			}
			searched++;
			passes += (ntg + 63) / 64;
			cut[e >> 6] |= 1ULL << (e & 63);
			rc = xsm__paths_recheck(&pl, w->ctx, cut, sel.v, sel.n, alive, 0);
			cut[e >> 6] &= ~(1ULL << (e & 63));
			for (size_t q = 0; q < sel.n; q++)
				c += !alive[q];
			if (c > best) {
				best = c;
				best_edge = e;
			}
		}
		/* CVE fixes: the pairs of the entry points a fix would turn into non-entries */
		ctouched.n = 0;
		if (have_affecting) {
			/* by entry: its live pairs */
			u32vec epairs = { 0 };
			uint32_t *pairs_of = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
			if (!pairs_of)
				goto oom;
			for (i = 0; i < pl.n; i++)
				if (!dead[i] && !pairs_of[pl.entry[i]]++ && xsm__vec_push(&epairs, pl.entry[i]) < 0) {
					xsm__free(pairs_of);
					xsm__vec_free(&epairs);
					goto oom;
				}
			for (size_t x = 0; x < epairs.n && rc == 0; x++) {
				uint32_t en = epairs.v[x];
				for (uint32_t k = g->in_off[en]; k < g->in_off[en + 1]; k++) {
					uint32_t e = g->in_edge[k], cv = g->edges.v[e].src;
					int s;
					if (g->edges.v[e].label != affecting)
						continue;
					if ((s = still_entry(g, affecting, en, cv, ex, nex)) < 0) {
						rc = xsm__error_oom(w->ctx);
						break;
					}
					if (s)
						continue;
					if (!cveuse[cv] && xsm__vec_push(&ctouched, cv) < 0) {
						rc = xsm__error_oom(w->ctx);
						break;
					}
					cveuse[cv] += pairs_of[en];
				}
			}
			for (size_t x = 0; x < ctouched.n; x++) {
				uint32_t cv = ctouched.v[x];
				if (cveuse[cv] > best_cve_n || (cveuse[cv] == best_cve_n && cv < best_cve)) {
					best_cve_n = cveuse[cv];
					best_cve = cv;
				}
				cveuse[cv] = 0;
			}
			xsm__free(pairs_of);
			xsm__vec_free(&epairs);
		}
		if (rc < 0)
			break;
		xsm__log(w->ctx, "whatif: top fix %d: %zu edges searched (%zu passes), %zu over %d targets left out, %zu CVEs weighed",
			 step + 1, searched, passes, skipped, CUT_TARGETS, ctouched.n);
		if (!best && !best_cve_n)
			break; /* nothing left to cut */
		if (best_cve_n > best) {
			/* fix best_cve everywhere: its entry points that stop being entry points lose their pairs */
			xsm_whatif_proposal f;
			char what[300];
			memset(&f, 0, sizeof(f));
			for (uint32_t k = g->out_off[best_cve]; k < g->out_off[best_cve + 1]; k++) {
				uint32_t e = g->out_edge[k], en = g->edges.v[e].dst;
				int s;
				if (g->edges.v[e].label != affecting || lost[en] || !pl.entry_type[en])
					continue;
				if ((s = still_entry(g, affecting, en, best_cve, ex, nex)) < 0)
					goto oom;
				if (!s)
					lost[en] = 1;
			}
			for (i = 0; i < pl.n; i++)
				if (!dead[i] && lost[pl.entry[i]]) {
					dead[i] = 1;
					f.pairs_cut++;
				}
			f.kind = "fix";
			f.cve = nname(g, best_cve);
			snprintf(what, sizeof(what), "fix %s", f.cve);
			f.what = keep(w, what, strlen(what));
			if (!f.what || xsm__vec_push(&w->fixes, f) < 0)
				goto oom;
		} else {
			xsm_whatif_proposal f;
			char what[600], eid[20];
			const xsm__edge *ed = &g->edges.v[best_edge];
			memset(&f, 0, sizeof(f));
			cut[best_edge >> 6] |= 1ULL << (best_edge & 63);
			sel.n = 0;
			for (size_t k = 0; k < pl.n; k++) {
				if (dead[k])
					continue;
				for (uint32_t h = 0; h < pl.hops[k]; h++)
					if (pl.edges.v[pl.off[k] + h] == best_edge) {
						if (xsm__vec_push(&sel, (uint32_t)k) < 0)
							goto oom;
						break;
					}
			}
			/* the pairs it cuts die; the others take their new shortest path */
			if ((rc = xsm__paths_recheck(&pl, w->ctx, cut, sel.v, sel.n, alive, 1)) < 0)
				break;
			for (size_t q = 0; q < sel.n; q++)
				if (!alive[q]) {
					dead[sel.v[q]] = 1;
					f.pairs_cut++;
				}
			xsm__edge_id(eid, ed);
			f.kind = "remove-edge";
			f.edge_id = keep(w, eid, strlen(eid));
			f.from = nname(g, ed->src);
			f.label = xsm__gstr(g, ed->label);
			f.to = nname(g, ed->dst);
			snprintf(what, sizeof(what), "remove %s -[%s]-> %s", f.from, f.label, f.to);
			f.what = keep(w, what, strlen(what));
			if (!f.what || !f.edge_id || xsm__vec_push(&w->fixes, f) < 0)
				goto oom;
		}
	}
	goto done;
oom:
	rc = xsm__error_oom(w->ctx);
done:
	for (i = 0; ex && i < nex; i++)
		xsm__expr_free(ex[i]);
	xsm__free(ex);
	xsm__free(count);
	xsm__free(cveuse);
	xsm__free(cut);
	xsm__free(dead);
	xsm__free(lost);
	xsm__free(alive);
	xsm__vec_free(&sel);
	xsm__vec_free(&touched);
	xsm__vec_free(&ctouched);
	xsm__vec_free(&cands);
	*plp = pl;
	return rc;
}

/* --- the run ------------------------------------------------------------------------- */

int xsm_whatif_run(xsm_whatif *w, xsm_store *store, xsm_graph *g)
{
	struct view v;
	xsm_rules *rules = NULL;
	xsm_attack_model *m = NULL;
	xsm_insights *ins = NULL;
	xsm__pathlist pl;
	xsm_buf chokes = XSM_BUF_INIT, ij = XSM_BUF_INIT;
	const char *ch;
	uint8_t *level0 = NULL;
	double t0 = xsm__mono();
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&pl, 0, sizeof(pl));
	/* the changes are made on g: not on a graph mapped for reading */
	if ((rc = xsm__graph_readonly(g)) < 0)
		return rc;
	v.w = w;
	v.g = g;
	snprintf(w->snapshot, sizeof(w->snapshot), "%s", xsm_graph_snapshot(g));
	w->r.snapshot = w->snapshot;
	/* before: what the snapshot stored */
	if ((rc = xsm_paths_load_ids(&w->before, store, w->snapshot)) < 0)
		goto done;
	if (xsm_insights_report_load(&w->ib, store, w->snapshot) < 0)
		xsm_ctx_clear(w->ctx); /* a snapshot without insights: scores before are unknown */
	ch = xsm_paths_chokepoints(w->before);
	if ((rc = chokes_of(w, ch, strlen(ch), 0)) < 0 || (rc = xsm_rules_load(&rules, store)) < 0 ||
	    (rc = xsm_attack_model_load(&m, store)) < 0 || (rc = xsm_insights_load(&ins, store)) < 0)
		goto done;
	xsm__phase(w->ctx, &t0, "whatif: the stored paths, rules and model");
	/* the changes, on the graph in memory */
	if (!(v.removed = xsm__calloc(g->nodes.n + 1, 1)) || !(v.touched = xsm__calloc(g->nodes.n + 1, 1)) ||
	    xsm__graph_intern(g, "(cut by what-if)", &v.cut_label) < 0) {
		rc = xsm__error_oom(w->ctx);
		goto done;
	}
	v.have_affecting = xsm__strpool_find(&g->s, "affecting", 9, &v.affecting) != 0;
	if (!(level0 = xsm__malloc(g->nodes.n + 1))) {
		rc = xsm__error_oom(w->ctx);
		goto done;
	}
	for (size_t i = 0; i < g->nodes.n; i++)
		level0[i] = (uint8_t)xsm_critical_level(g, i);
	if ((rc = apply(&v, rules)) < 0 || (rc = xsm_critical_apply(rules, g)) < 0)
		goto done;
	/* a removed node is no entry point and no target: nothing of it is left to match a rule */
	for (size_t i = 0; i < g->nodes.n; i++)
		if (v.removed[i])
			g->nodes.v[i].props_n = 0;
	for (size_t i = 0; i < g->nodes.n; i++) {
		int after = xsm_critical_level(g, i);
		if (after != level0[i]) {
			const xsm__node *nd = &g->nodes.v[i];
			xsm_whatif_level l = { xsm__gstr(g, nd->id), xsm__gstr(g, nd->name), xsm__gstr(g, nd->label), level0[i],
					       after };
			if (xsm__vec_push(&w->lv, l) < 0) {
				rc = xsm__error_oom(w->ctx);
				goto done;
			}
		}
	}
	xsm__phase(w->ctx, &t0, "whatif: changes and criticality");
	/* after: the same search as a build's, without the text of the paths */
	if ((rc = xsm__paths_list(&pl, g, m)) < 0 || (rc = xsm__paths_finish(&pl, &chokes, g, m)) < 0)
		goto done;
	xsm__phase(w->ctx, &t0, "whatif: attack paths");
	if ((rc = chokes_of(w, chokes.ptr, chokes.size, 1)) < 0 || (rc = compare(w, g, &pl)) < 0)
		goto done;
	if ((rc = xsm_insights_compute(&ij, ins, g)) < 0 ||
	    (rc = xsm_insights_report_parse(&w->ia, w->ctx, ij.ptr, ij.size, "insights")) < 0 || (rc = scores(w)) < 0)
		goto done;
	xsm__phase(w->ctx, &t0, "whatif: insights");
	if (w->top && (rc = top_fixes(w, g, m, &pl, v.affecting, v.have_affecting)) < 0)
		goto done;
	if (w->top)
		xsm__phase(w->ctx, &t0, "whatif: top fixes");
	w->r.pairs_cut = w->removed.n;
	w->r.added = w->added.n;
	w->r.rerouted = w->rerouted.n;
	w->r.removed_paths = w->removed.v;
	w->r.nremoved = w->removed.n;
	w->r.added_paths = w->added.v;
	w->r.nadded = w->added.n;
	w->r.rerouted_paths = w->rerouted.v;
	w->r.nrerouted = w->rerouted.n;
	w->r.applied = (const char *const *)w->applied.v;
	w->r.napplied = w->applied.n;
	w->r.chokes_before = w->cb.v;
	w->r.nchokes_before = w->cb.n;
	w->r.chokes_after = w->ca.v;
	w->r.nchokes_after = w->ca.n;
	w->r.scores = w->sc.v;
	w->r.nscores = w->sc.n;
	w->r.levels = w->lv.v;
	w->r.nlevels = w->lv.n;
	w->r.fixes = w->fixes.v;
	w->r.nfixes = w->fixes.n;
done:
	xsm_rules_free(rules);
	xsm_attack_model_free(m);
	xsm_insights_free(ins);
	xsm__free(v.removed);
	xsm__free(v.touched);
	xsm__free(level0);
	xsm__vec_free(&v.assets);
	xsm_buf_dispose(&chokes);
	xsm__pathlist_free(&pl);
	xsm_buf_dispose(&ij);
	return rc;
}
