/*
 * insights.c - exposure insights: loading initiatives and metrics and the
 * store's changes to them; evaluating the metrics over a graph; reading
 * back a snapshot's insights.json.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapt/json.h"
#include "adapt/yaml.h"
#include "ctx.h"
#include "exposure/critical.h"
#include "exposure/insights.h"
#include "analysis/expr.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/vec.h"

#ifndef XSM_DATADIR
#define XSM_DATADIR "/usr/local/share/xsm"
#endif

struct metric {
	char *id, *name, *description, *recommendation, *assets, *affected;
	int weight, default_weight, state;
};

struct initiative {
	char *id, *name, *description;
	double target, default_target;
	XSM__VEC(size_t) m; /* metric indices, in file order */
};

struct xsm_insights {
	xsm_ctx *ctx;
	XSM__VEC(struct metric) m;
	XSM__VEC(struct initiative) in;
};

int xsm_metric_state_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "active") || !strcmp(s, "none") || !strcmp(s, "default"))
		return XSM_METRIC_ACTIVE;
	if (!strcmp(s, "risk-accepted") || !strcmp(s, "risk accepted"))
		return XSM_METRIC_RISK_ACCEPTED;
	if (!strcmp(s, "mitigated"))
		return XSM_METRIC_MITIGATED;
	return -1;
}

const char *xsm_metric_state_name(int state)
{
	return state == XSM_METRIC_RISK_ACCEPTED ? "risk-accepted" : state == XSM_METRIC_MITIGATED ? "mitigated" : "active";
}

const char *xsm_metric_state_text(const char *s)
{
	if (!s)
		return "-";
	if (!strcmp(s, "not-compliant"))
		return "not compliant";
	if (!strcmp(s, "not-available"))
		return "not available";
	if (!strcmp(s, "mitigated"))
		return "mitigated by organisation";
	return s;
}

int xsm_weight_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "high") || !strcmp(s, "3"))
		return 3;
	if (!strcmp(s, "medium") || !strcmp(s, "2"))
		return 2;
	if (!strcmp(s, "low") || !strcmp(s, "1"))
		return 1;
	return -1;
}

const char *xsm_weight_name(int w)
{
	return w >= 3 ? "high" : w == 2 ? "medium" : w == 1 ? "low" : "risk accepted";
}

static void metric_dispose(struct metric *m)
{
	xsm__free(m->id);
	xsm__free(m->name);
	xsm__free(m->description);
	xsm__free(m->recommendation);
	xsm__free(m->assets);
	xsm__free(m->affected);
}

static void initiative_dispose(struct initiative *in)
{
	xsm__free(in->id);
	xsm__free(in->name);
	xsm__free(in->description);
	xsm__vec_free(&in->m);
}

void xsm_insights_free(xsm_insights *ins)
{
	size_t i;
	if (!ins)
		return;
	for (i = 0; i < ins->m.n; i++)
		metric_dispose(&ins->m.v[i]);
	for (i = 0; i < ins->in.n; i++)
		initiative_dispose(&ins->in.v[i]);
	xsm__vec_free(&ins->m);
	xsm__vec_free(&ins->in);
	xsm__free(ins);
}

static long find_metric(const xsm_insights *ins, const char *s)
{
	size_t i;
	for (i = 0; i < ins->m.n; i++)
		if (!strcmp(ins->m.v[i].id, s))
			return (long)i;
	for (i = 0; i < ins->m.n; i++)
		if (!strcasecmp(ins->m.v[i].name, s))
			return (long)i;
	return -1;
}

static long find_initiative(const xsm_insights *ins, const char *s)
{
	size_t i;
	for (i = 0; i < ins->in.n; i++)
		if (!strcmp(ins->in.v[i].id, s))
			return (long)i;
	for (i = 0; i < ins->in.n; i++)
		if (!strcasecmp(ins->in.v[i].name, s))
			return (long)i;
	return -1;
}


static int check_expr(xsm_insights *ins, const char *file, const xsm__ynode *n, const char *what, const char *id,
		      const char *text)
{
	int rc = xsm__expr_check(ins->ctx, text);
	if (rc == XSM_ENOMEM)
		return rc; /* not the file's fault */
	if (rc < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(ins->ctx));
		return xsm__yaml_error(ins->ctx, file, n, "metric '%s': %s: %s", id, what, msg);
	}
	return 0;
}

static int parse_target(const char *s, double *out)
{
	char *end;
	double d;
	if (!s || !*s)
		return -1;
	d = strtod(s, &end);
	if (*end || !(d >= 0 && d <= 100))
		return -1;
	*out = d;
	return 0;
}

static int id_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static const xsm__ynode *at(const xsm__ynode *n, const char *key)
{
	const xsm__ynode *k = xsm__yaml_get(n, key);
	return k ? k : n;
}

static int load_metric(xsm_insights *ins, const char *file, const xsm__ynode *n)
{
	struct metric m;
	const char *id = xsm__yaml_getstr(n, "id"), *name = xsm__yaml_getstr(n, "name");
	const char *w = xsm__yaml_getstr(n, "weight"), *as = xsm__yaml_getstr(n, "assets");
	const char *af = xsm__yaml_getstr(n, "affected");
	int rc;

	if ((rc = xsm__yaml_check(ins->ctx, file, n, "a metric",
				  "id=s name=s weight=s assets=s affected=s description=s recommendation=s")) < 0)
		return rc;
	if (!id_ok(id))
		return xsm__yaml_error(ins->ctx, file, at(n, "id"),
				       "a metric needs an id of lower-case letters, digits, '-' and '_'");
	if (find_metric(ins, id) >= 0)
		return xsm__yaml_error(ins->ctx, file, n, "metric '%s' is defined twice", id);
	if (!name || !*name)
		return xsm__yaml_error(ins->ctx, file, n, "metric '%s' needs a name", id);
	if (xsm_weight_parse(w) < 0)
		return xsm__yaml_error(ins->ctx, file, at(n, "weight"), "metric '%s': weight must be high, medium or low",
				       id);
	if (!as || !af)
		return xsm__yaml_error(ins->ctx, file, n, "metric '%s' needs 'assets' and 'affected'", id);
	if ((rc = check_expr(ins, file, at(n, "assets"), "assets", id, as)) < 0 ||
	    (rc = check_expr(ins, file, at(n, "affected"), "affected", id, af)) < 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.weight = m.default_weight = xsm_weight_parse(w);
	m.id = xsm__strdup(id);
	m.name = xsm__strdup(name);
	m.assets = xsm__strdup(as);
	m.affected = xsm__strdup(af);
	m.description = xsm__strdup(xsm__yaml_getstr(n, "description") ? xsm__yaml_getstr(n, "description") : "");
	m.recommendation =
		xsm__strdup(xsm__yaml_getstr(n, "recommendation") ? xsm__yaml_getstr(n, "recommendation") : "");
	if (!m.id || !m.name || !m.assets || !m.affected || !m.description || !m.recommendation ||
	    xsm__vec_push(&ins->m, m) < 0) {
		metric_dispose(&m);
		return xsm__error_oom(ins->ctx);
	}
	return 0;
}

static int load_initiative(xsm_insights *ins, const char *file, const xsm__ynode *n)
{
	struct initiative in;
	const char *id = xsm__yaml_getstr(n, "id"), *name = xsm__yaml_getstr(n, "name");
	const xsm__ynode *ms = xsm__yaml_get(n, "metrics");
	size_t k;
	int rc;

	if ((rc = xsm__yaml_check(ins->ctx, file, n, "an initiative", "id=s name=s target=s metrics=l description=s")) < 0)
		return rc;
	if (!id_ok(id))
		return xsm__yaml_error(ins->ctx, file, at(n, "id"),
				       "an initiative needs an id of lower-case letters, digits, '-' and '_'");
	if (find_initiative(ins, id) >= 0)
		return xsm__yaml_error(ins->ctx, file, n, "initiative '%s' is defined twice", id);
	if (!name || !*name)
		return xsm__yaml_error(ins->ctx, file, n, "initiative '%s' needs a name", id);
	memset(&in, 0, sizeof(in));
	if (parse_target(xsm__yaml_getstr(n, "target"), &in.target) < 0)
		return xsm__yaml_error(ins->ctx, file, at(n, "target"), "initiative '%s': target must be 0 to 100", id);
	in.default_target = in.target;
	if (!ms || ms->type != XSM_Y_SEQ)
		return xsm__yaml_error(ins->ctx, file, n, "initiative '%s' needs a 'metrics' list", id);
	for (k = 0; k < ms->n; k++) {
		const xsm__ynode *e = ms->items[k];
		long mi = e->type == XSM_Y_SCALAR ? find_metric(ins, e->scalar) : -1;
		size_t j;
		if (mi < 0) {
			xsm__vec_free(&in.m);
			return xsm__yaml_error(ins->ctx, file, e, "initiative '%s': unknown metric '%s'", id,
					       e->type == XSM_Y_SCALAR ? e->scalar : "");
		}
		for (j = 0; j < in.m.n && in.m.v[j] != (size_t)mi; j++)
			;
		if (j == in.m.n && xsm__vec_push(&in.m, (size_t)mi) < 0) {
			xsm__vec_free(&in.m);
			return xsm__error_oom(ins->ctx);
		}
	}
	in.id = xsm__strdup(id);
	in.name = xsm__strdup(name);
	in.description = xsm__strdup(xsm__yaml_getstr(n, "description") ? xsm__yaml_getstr(n, "description") : "");
	if (!in.id || !in.name || !in.description || xsm__vec_push(&ins->in, in) < 0) {
		initiative_dispose(&in);
		return xsm__error_oom(ins->ctx);
	}
	return 0;
}

static int load_shipped(xsm_insights *ins)
{
	const xsm_config *cfg = xsm_ctx_config(ins->ctx);
	const char *dir = cfg ? xsm_config_get(cfg, "data.dir") : NULL;
	xsm__ynode *root = NULL;
	const xsm__ynode *l;
	xsm_buf path = XSM_BUF_INIT;
	size_t i;
	int rc;

	if (xsm_buf_printf(&path, "%s/initiatives.yaml", dir && *dir ? dir : XSM_DATADIR) < 0)
		return xsm__error_oom(ins->ctx);
	rc = xsm__yaml_load(&root, ins->ctx, path.ptr);
	if (rc == XSM_ENOTFOUND)
		rc = xsm__error_set(ins->ctx, XSM_ECONFIG,
				    "cannot find the initiatives '%s' (set data.dir or XSM_DATA_DIR)", path.ptr);
	if (rc < 0 || (rc = xsm__yaml_check(ins->ctx, path.ptr, root, "the document", "metrics=l initiatives=l")) < 0)
		goto done;
	l = xsm__yaml_get(root, "metrics");
	if (!l || l->type != XSM_Y_SEQ) {
		rc = xsm__yaml_error(ins->ctx, path.ptr, root, "expected a 'metrics' list");
		goto done;
	}
	for (i = 0; i < l->n && rc == 0; i++)
		rc = load_metric(ins, path.ptr, l->items[i]);
	l = xsm__yaml_get(root, "initiatives");
	if (rc == 0 && (!l || l->type != XSM_Y_SEQ))
		rc = xsm__yaml_error(ins->ctx, path.ptr, root, "expected an 'initiatives' list");
	for (i = 0; rc == 0 && i < l->n; i++)
		rc = load_initiative(ins, path.ptr, l->items[i]);
done:
	xsm__yaml_free(root);
	xsm_buf_dispose(&path);
	return rc;
}

static int load_store(xsm_insights *ins, xsm_store *store)
{
	xsm_buf path = XSM_BUF_INIT;
	xsm__ynode *root = NULL;
	const xsm__ynode *l;
	size_t i;
	int rc;

	if (xsm_buf_printf(&path, "%s/rules/initiatives.yaml", xsm_store_path(store)) < 0)
		return xsm__error_oom(ins->ctx);
	if ((rc = xsm__store_yaml(&root, store, "rules/initiatives.yaml", 1)) < 0 || !root)
		goto done;
	if ((rc = xsm__yaml_check(ins->ctx, path.ptr, root, "the document", "metrics=l initiatives=l")) < 0)
		goto done;
	if ((l = xsm__yaml_get(root, "metrics")) && l->type == XSM_Y_SEQ)
		for (i = 0; i < l->n && rc == 0; i++) {
			const xsm__ynode *o = l->items[i];
			const char *id = xsm__yaml_getstr(o, "id"), *st = xsm__yaml_getstr(o, "state");
			const char *w = xsm__yaml_getstr(o, "weight");
			long mi = id ? find_metric(ins, id) : -1;
			if ((rc = xsm__yaml_check(ins->ctx, path.ptr, o, "a metric change", "id=s state=s weight=s")) < 0)
				break;
			if (mi < 0) {
				rc = xsm__yaml_error(ins->ctx, path.ptr, o, "change to unknown metric '%s'", id ? id : "");
			} else if (st && xsm_metric_state_parse(st) < 0) {
				rc = xsm__yaml_error(ins->ctx, path.ptr, at(o, "state"),
						     "state must be active, risk-accepted or mitigated");
			} else if (w && xsm_weight_parse(w) < 0) {
				rc = xsm__yaml_error(ins->ctx, path.ptr, at(o, "weight"), "weight must be high, medium or low");
			} else {
				if (st)
					ins->m.v[mi].state = xsm_metric_state_parse(st);
				if (w)
					ins->m.v[mi].weight = xsm_weight_parse(w);
			}
		}
	if (rc == 0 && (l = xsm__yaml_get(root, "initiatives")) && l->type == XSM_Y_SEQ)
		for (i = 0; i < l->n && rc == 0; i++) {
			const xsm__ynode *o = l->items[i];
			const char *id = xsm__yaml_getstr(o, "id");
			long ii = id ? find_initiative(ins, id) : -1;
			if ((rc = xsm__yaml_check(ins->ctx, path.ptr, o, "an initiative change", "id=s target=s")) < 0)
				break;
			if (ii < 0)
				rc = xsm__yaml_error(ins->ctx, path.ptr, o, "change to unknown initiative '%s'", id ? id : "");
			else if (parse_target(xsm__yaml_getstr(o, "target"), &ins->in.v[ii].target) < 0)
				rc = xsm__yaml_error(ins->ctx, path.ptr, at(o, "target"), "target must be 0 to 100");
		}
done:
	xsm__yaml_free(root);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm_insights_load(xsm_insights **out, xsm_store *store)
{
	xsm_insights *ins = xsm__calloc(1, sizeof(*ins));
	int rc;
	*out = NULL;
	if (!ins)
		return xsm__error_oom(xsm_store_ctx(store));
	ins->ctx = xsm_store_ctx(store);
	if ((rc = load_shipped(ins)) < 0 || (rc = load_store(ins, store)) < 0) {
		xsm_insights_free(ins);
		return rc;
	}
	*out = ins;
	return 0;
}

const char *xsm_insights_metric_id(xsm_insights *ins, const char *s)
{
	long i = s ? find_metric(ins, s) : -1;
	if (i < 0) {
		xsm__error_set(ins->ctx, XSM_ENOTFOUND, "no metric '%s' (xsm insights metrics lists them)", s ? s : "");
		return NULL;
	}
	return ins->m.v[i].id;
}

const char *xsm_insights_initiative_id(xsm_insights *ins, const char *s)
{
	long i = s ? find_initiative(ins, s) : -1;
	if (i < 0) {
		xsm__error_set(ins->ctx, XSM_ENOTFOUND, "no initiative '%s' (xsm insights lists them)", s ? s : "");
		return NULL;
	}
	return ins->in.v[i].id;
}

int xsm_insights_set_state(xsm_insights *ins, const char *metric, int state)
{
	long i = find_metric(ins, metric);
	if (i < 0)
		return xsm__error_set(ins->ctx, XSM_ENOTFOUND, "no metric '%s'", metric);
	if (state < XSM_METRIC_ACTIVE || state > XSM_METRIC_MITIGATED)
		return xsm__error_set(ins->ctx, XSM_EUSAGE, "state must be active, risk-accepted or mitigated");
	ins->m.v[i].state = state;
	return 0;
}

int xsm_insights_set_weight(xsm_insights *ins, const char *metric, int weight)
{
	long i = find_metric(ins, metric);
	if (i < 0)
		return xsm__error_set(ins->ctx, XSM_ENOTFOUND, "no metric '%s'", metric);
	if (weight < 0 || weight > 3)
		return xsm__error_set(ins->ctx, XSM_EUSAGE, "weight must be high, medium or low");
	ins->m.v[i].weight = weight ? weight : ins->m.v[i].default_weight;
	return 0;
}

int xsm_insights_set_target(xsm_insights *ins, const char *initiative, double target)
{
	long i = find_initiative(ins, initiative);
	if (i < 0)
		return xsm__error_set(ins->ctx, XSM_ENOTFOUND, "no initiative '%s'", initiative);
	if (target > 100 || target != target)
		return xsm__error_set(ins->ctx, XSM_EUSAGE, "a target score is 0 to 100");
	ins->in.v[i].target = target < 0 ? ins->in.v[i].default_target : target;
	return 0;
}

int xsm_insights_save(const xsm_insights *ins, xsm_store *store)
{
	xsm_buf b = XSM_BUF_INIT;
	size_t i;
	int rc, any = 0;
	char num[32];

	xsm_buf_puts(&b, "# xsm insights changes: written by `xsm insights`; see xsm-insights(1)\nmetrics:\n");
	for (i = 0; i < ins->m.n; i++) {
		const struct metric *m = &ins->m.v[i];
		if (m->state == XSM_METRIC_ACTIVE && m->weight == m->default_weight)
			continue;
		xsm_buf_puts(&b, "  - id: ");
		xsm__yaml_quote(&b, m->id);
		xsm_buf_printf(&b, "\n    state: %s\n    weight: %s\n", xsm_metric_state_name(m->state),
			       xsm_weight_name(m->weight));
		any = 1;
	}
	if (!any)
		xsm_buf_puts(&b, "  []\n");
	xsm_buf_puts(&b, "initiatives:\n");
	any = 0;
	for (i = 0; i < ins->in.n; i++) {
		const struct initiative *in = &ins->in.v[i];
		if (in->target == in->default_target)
			continue;
		xsm_json_numtext(num, in->target);
		xsm_buf_puts(&b, "  - id: ");
		xsm__yaml_quote(&b, in->id);
		xsm_buf_printf(&b, "\n    target: %s\n", num);
		any = 1;
	}
	if (!any)
		xsm_buf_puts(&b, "  []\n");
	rc = b.ptr ? xsm_store_write(store, "rules/initiatives.yaml", b.ptr, b.size) : xsm__error_oom(ins->ctx);
	xsm_buf_dispose(&b);
	return rc;
}

/* --- evaluation --------------------------------------------------------------------- */

/* the compiled metrics: each distinct `assets` expression once */
struct compiled {
	size_t nm, np;
	xsm__expr **pop;      /* np distinct totals */
	xsm__expr **aff;      /* nm */
	size_t *popof;        /* nm: index into pop */
	uint32_t cve_label;   /* Cve nodes are not assets */
	int has_cve;
	uint32_t crit_key;    /* criticalityLevel.criticalityLevel */
	int has_crit;
};

static void compiled_free(struct compiled *c)
{
	size_t i;
	for (i = 0; c->pop && i < c->np; i++)
		xsm__expr_free(c->pop[i]);
	for (i = 0; c->aff && i < c->nm; i++)
		xsm__expr_free(c->aff[i]);
	xsm__free(c->pop);
	xsm__free(c->aff);
	xsm__free(c->popof);
	memset(c, 0, sizeof(*c));
}

static int compile_all(struct compiled *c, xsm_insights *ins, const xsm_graph *g, const xsm__expr_host *host,
		       long only)
{
	size_t i, k;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->nm = ins->m.n;
	c->pop = xsm__calloc(c->nm + 1, sizeof(*c->pop));
	c->aff = xsm__calloc(c->nm + 1, sizeof(*c->aff));
	c->popof = xsm__calloc(c->nm + 1, sizeof(*c->popof));
	if (!c->pop || !c->aff || !c->popof)
		return xsm__error_oom(ins->ctx);
	for (i = 0; i < c->nm && rc == 0; i++) {
		const struct metric *m = &ins->m.v[i];
		if (only >= 0 && (long)i != only)
			continue;
		for (k = 0; k < i; k++)
			if ((only < 0 || (long)k == only) && !strcmp(ins->m.v[k].assets, m->assets))
				break;
		if (k < i) {
			c->popof[i] = c->popof[k];
		} else {
			c->popof[i] = c->np;
			rc = xsm__expr_compile(&c->pop[c->np++], ins->ctx, m->assets, host);
		}
		if (rc == 0)
			rc = xsm__expr_compile(&c->aff[i], ins->ctx, m->affected, host);
		if (rc < 0)
			xsm__error_prefix(ins->ctx, "metric '%s'", m->id);
	}
	c->has_cve = xsm__strpool_find(&g->s, "Cve", 3, &c->cve_label);
	c->has_crit = xsm__strpool_find(&g->s, "criticalityLevel.criticalityLevel", 33, &c->crit_key);
	return rc;
}

struct eval_job {
	const struct compiled *c;
	const xsm_graph *g;
	size_t from, to;
	size_t *counts;        /* per metric: total, affected, critical affected */
	unsigned char *popbit; /* np scratch */
	long only;
};

static void *eval_range(void *arg)
{
	struct eval_job *j = arg;
	const struct compiled *c = j->c;
	const xsm_graph *g = j->g;
	size_t i, p, m;

	for (i = j->from; i < j->to; i++) {
		const void *item = (const void *)(uintptr_t)i;
		int crit = -1;
		if (c->has_cve && g->nodes.v[i].label == c->cve_label)
			continue;
		for (p = 0; p < c->np; p++)
			j->popbit[p] = (unsigned char)xsm__expr_eval(c->pop[p], item);
		for (m = 0; m < c->nm; m++) {
			if (!c->aff[m] || !j->popbit[c->popof[m]])
				continue;
			j->counts[3 * m]++;
			if (!xsm__expr_eval(c->aff[m], item))
				continue;
			j->counts[3 * m + 1]++;
			if (crit < 0) {
				const xsm__prop *pr = c->has_crit ? xsm__graph_prop(g, (uint32_t)i, c->crit_key) : NULL;
				crit = pr && pr->type == XSM_V_NUM ? (int)pr->num : 4;
			}
			if (crit <= 1)
				j->counts[3 * m + 2]++;
		}
	}
	return NULL;
}

static double round2(double d)
{
	return floor(d * 100 + 0.5) / 100;
}

static const struct xsm_insights *sort_ins;

static int cmp_metric_idx(const void *a, const void *b)
{
	return strcmp(sort_ins->m.v[*(const size_t *)a].id, sort_ins->m.v[*(const size_t *)b].id);
}

static int cmp_init_idx(const void *a, const void *b)
{
	const struct initiative *x = &sort_ins->in.v[*(const size_t *)a], *y = &sort_ins->in.v[*(const size_t *)b];
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->id, y->id);
}

static const char *metric_state(const struct metric *m, size_t total, size_t affected)
{
	if (!total)
		return "not-available";
	if (m->state == XSM_METRIC_MITIGATED)
		return "mitigated";
	return affected ? "not-compliant" : "compliant";
}

int xsm_insights_compute(xsm_buf *out, xsm_insights *ins, const xsm_graph *g)
{
	struct compiled c;
	xsm__expr_host host;
	struct eval_job jobs[2];
	size_t n = g->nodes.n, nthreads = n > 20000 ? 2 : 1, t, i, k;
	size_t *counts = NULL, *order = NULL, *iorder = NULL;
	unsigned char *bits = NULL;
	double *progress = NULL;
	xsm_jw w;
	int rc;

	xsm__graph_expr_host(&host, g);
	if ((rc = compile_all(&c, ins, g, &host, -1)) < 0)
		goto done;
	counts = xsm__calloc(3 * c.nm * 2 + 1, sizeof(*counts));
	bits = xsm__calloc(2 * c.np + 2, 1);
	progress = xsm__calloc(c.nm + 1, sizeof(*progress));
	order = xsm__calloc(c.nm + 1, sizeof(*order));
	iorder = xsm__calloc(ins->in.n + 1, sizeof(*iorder));
	if (!counts || !bits || !progress || !order || !iorder) {
		rc = xsm__error_oom(ins->ctx);
		goto done;
	}
	for (t = 0; t < nthreads; t++) {
		jobs[t].c = &c;
		jobs[t].g = g;
		jobs[t].from = n * t / nthreads;
		jobs[t].to = n * (t + 1) / nthreads;
		jobs[t].counts = counts + t * 3 * c.nm;
		jobs[t].popbit = bits + t * (c.np + 1);
		jobs[t].only = -1;
	}
	xsm__run2(eval_range, &jobs[0], nthreads == 2 ? &jobs[1] : NULL);
	if (nthreads == 2) {
		for (k = 0; k < 3 * c.nm; k++)
			counts[k] += counts[3 * c.nm + k];
	}

	/* progress of each metric, as it counts in scores (-1: not available) */
	for (k = 0; k < c.nm; k++) {
		size_t tot = counts[3 * k], aff = counts[3 * k + 1];
		progress[k] = !tot ? -1 : 100.0 * (1.0 - (double)aff / (double)tot);
		order[k] = k;
	}
	for (i = 0; i < ins->in.n; i++)
		iorder[i] = i;
	sort_ins = ins;
	qsort(order, c.nm, sizeof(*order), cmp_metric_idx);
	qsort(iorder, ins->in.n, sizeof(*iorder), cmp_init_idx);

	xsm_jw_init(&w, out);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.insights/1");
	xsm_jw_key(&w, "initiatives");
	xsm_jw_arr(&w);
	for (i = 0; i < ins->in.n; i++) {
		const struct initiative *in = &ins->in.v[iorder[i]];
		double sw = 0, sp = 0;
		for (k = 0; k < in->m.n; k++) {
			const struct metric *m = &ins->m.v[in->m.v[k]];
			int wt = m->state == XSM_METRIC_RISK_ACCEPTED ? 0 : m->weight;
			double p = progress[in->m.v[k]];
			if (p < 0 || !wt)
				continue;
			sw += wt;
			sp += wt * (m->state == XSM_METRIC_MITIGATED ? 100.0 : p);
		}
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "id", in->id);
		xsm_jw_kstr(&w, "name", in->name);
		xsm_jw_key(&w, "score");
		if (sw > 0)
			xsm_jw_num(&w, round2(sp / sw));
		else
			xsm_jw_null(&w);
		xsm_jw_knum(&w, "target", in->target);
		xsm_jw_kstr(&w, "description", in->description);
		xsm_jw_key(&w, "metrics");
		xsm_jw_arr(&w);
		for (k = 0; k < in->m.n; k++)
			xsm_jw_str(&w, ins->m.v[in->m.v[k]].id);
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "metrics");
	xsm_jw_arr(&w);
	for (k = 0; k < c.nm; k++) {
		size_t mi = order[k], tot = counts[3 * mi], aff = counts[3 * mi + 1];
		const struct metric *m = &ins->m.v[mi];
		int wt = m->state == XSM_METRIC_RISK_ACCEPTED ? 0 : m->weight;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "id", m->id);
		xsm_jw_kstr(&w, "name", m->name);
		xsm_jw_key(&w, "progress");
		if (progress[mi] >= 0)
			xsm_jw_num(&w, round2(progress[mi]));
		else
			xsm_jw_null(&w);
		xsm_jw_kint(&w, "affected", (int64_t)aff);
		xsm_jw_kint(&w, "total", (int64_t)tot);
		xsm_jw_kint(&w, "critical_affected", (int64_t)counts[3 * mi + 2]);
		xsm_jw_kstr(&w, "state", metric_state(m, tot, aff));
		xsm_jw_kstr(&w, "user_state", xsm_metric_state_name(m->state));
		xsm_jw_kstr(&w, "weight", xsm_weight_name(wt));
		xsm_jw_kint(&w, "weight_value", wt);
		xsm_jw_kstr(&w, "default_weight", xsm_weight_name(m->default_weight));
		xsm_jw_key(&w, "initiatives");
		xsm_jw_arr(&w);
		for (i = 0; i < ins->in.n; i++) {
			const struct initiative *in = &ins->in.v[iorder[i]];
			size_t j;
			for (j = 0; j < in->m.n && in->m.v[j] != mi; j++)
				;
			if (j < in->m.n)
				xsm_jw_str(&w, in->id);
		}
		xsm_jw_arr_end(&w);
		xsm_jw_kstr(&w, "assets", m->assets);
		xsm_jw_kstr(&w, "affected_when", m->affected);
		xsm_jw_kstr(&w, "description", m->description);
		xsm_jw_kstr(&w, "recommendation", m->recommendation);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	if (w.err || xsm_buf_putc(out, '\n') < 0)
		rc = xsm__error_oom(ins->ctx);
done:
	compiled_free(&c);
	xsm__free(counts);
	xsm__free(bits);
	xsm__free(progress);
	xsm__free(order);
	xsm__free(iorder);
	return rc;
}

int xsm_insights_assets(xsm_insights *ins, const xsm_graph *g, const char *metric, int affected,
			int (*cb)(size_t, void *), void *payload)
{
	struct compiled c;
	xsm__expr_host host;
	long mi = find_metric(ins, metric);
	size_t i;
	int rc;

	if (mi < 0)
		return xsm__error_set(ins->ctx, XSM_ENOTFOUND, "no metric '%s' (xsm insights metrics lists them)", metric);
	xsm__graph_expr_host(&host, g);
	if ((rc = compile_all(&c, ins, g, &host, mi)) < 0)
		goto done;
	for (i = 0; i < g->nodes.n && rc == 0; i++) {
		const void *item = (const void *)(uintptr_t)i;
		if (c.has_cve && g->nodes.v[i].label == c.cve_label)
			continue;
		if (!xsm__expr_eval(c.pop[c.popof[mi]], item))
			continue;
		if (affected && !xsm__expr_eval(c.aff[mi], item))
			continue;
		rc = cb(i, payload);
	}
done:
	compiled_free(&c);
	return rc;
}

/* --- reports -------------------------------------------------------------------------- */

struct xsm_insights_report {
	xsm_ctx *ctx;
	xsm__arena a;
	XSM__VEC(xsm_metric_info) m;
	XSM__VEC(xsm_initiative_info) in;
	XSM__VEC(size_t) im_off; /* per initiative: start in im */
	XSM__VEC(long) im;
	char snapshot[40];
};

void xsm_insights_report_free(xsm_insights_report *r)
{
	if (!r)
		return;
	xsm__arena_free(&r->a);
	xsm__vec_free(&r->m);
	xsm__vec_free(&r->in);
	xsm__vec_free(&r->im_off);
	xsm__vec_free(&r->im);
	xsm__free(r);
}

static const char *rkeep(xsm_insights_report *r, const char *s, int *oom)
{
	const char *k;
	if (!s)
		return NULL;
	if (!(k = xsm__arena_strndup(&r->a, s, strlen(s))))
		*oom = 1;
	return k;
}

static double num_or(const xsm__json *j, double dflt)
{
	return j && xsm__json_type(j) == XSM_J_NUMBER ? xsm__json_num(j) : dflt;
}

int xsm_insights_report_parse(xsm_insights_report **out, xsm_ctx *ctx, const char *json, size_t len,
			      const char *snapshot)
{
	xsm_insights_report *r = xsm__calloc(1, sizeof(*r));
	xsm__json *j = NULL;
	const xsm__json *e, *x;
	int rc, oom = 0;

	*out = NULL;
	if (!r)
		return xsm__error_oom(ctx);
	r->ctx = ctx;
	snprintf(r->snapshot, sizeof(r->snapshot), "%s", snapshot ? snapshot : "");
	if ((rc = xsm__json_parse(&j, ctx, json, len, "insights.json: ")) < 0)
		goto done;
	if (!xsm__json_getstr(j, "schema") || strcmp(xsm__json_getstr(j, "schema"), "xsm.insights/1")) {
		rc = xsm__error_set(ctx, XSM_EINVALID, "insights.json: not an xsm.insights/1 document");
		goto done;
	}
	for (e = xsm__json_child(xsm__json_get(j, "metrics")); e && !oom; e = xsm__json_next(e)) {
		xsm_metric_info m;
		xsm_buf ids = XSM_BUF_INIT;
		memset(&m, 0, sizeof(m));
		m.id = rkeep(r, xsm__json_getstr(e, "id"), &oom);
		m.name = rkeep(r, xsm__json_getstr(e, "name"), &oom);
		m.description = rkeep(r, xsm__json_getstr(e, "description"), &oom);
		m.recommendation = rkeep(r, xsm__json_getstr(e, "recommendation"), &oom);
		m.assets = rkeep(r, xsm__json_getstr(e, "assets"), &oom);
		m.affected_when = rkeep(r, xsm__json_getstr(e, "affected_when"), &oom);
		m.state = rkeep(r, xsm__json_getstr(e, "state"), &oom);
		m.user_state = rkeep(r, xsm__json_getstr(e, "user_state"), &oom);
		m.weight = (int)num_or(xsm__json_get(e, "weight_value"), 0);
		m.default_weight = xsm_weight_parse(xsm__json_getstr(e, "default_weight"));
		m.affected = (size_t)num_or(xsm__json_get(e, "affected"), 0);
		m.total = (size_t)num_or(xsm__json_get(e, "total"), 0);
		m.critical_affected = (size_t)num_or(xsm__json_get(e, "critical_affected"), 0);
		m.progress = num_or(xsm__json_get(e, "progress"), -1);
		for (x = xsm__json_child(xsm__json_get(e, "initiatives")); x; x = xsm__json_next(x))
			if (xsm__json_str(x))
				xsm_buf_printf(&ids, "%s%s", ids.size ? "," : "", xsm__json_str(x));
		m.initiatives = rkeep(r, ids.ptr ? ids.ptr : "", &oom);
		xsm_buf_dispose(&ids);
		if (!m.id || !m.name)
			continue;
		if (xsm__vec_push(&r->m, m) < 0)
			oom = 1;
	}
	for (e = xsm__json_child(xsm__json_get(j, "initiatives")); e && !oom; e = xsm__json_next(e)) {
		xsm_initiative_info in;
		memset(&in, 0, sizeof(in));
		in.id = rkeep(r, xsm__json_getstr(e, "id"), &oom);
		in.name = rkeep(r, xsm__json_getstr(e, "name"), &oom);
		in.description = rkeep(r, xsm__json_getstr(e, "description"), &oom);
		in.score = num_or(xsm__json_get(e, "score"), -1);
		in.target = num_or(xsm__json_get(e, "target"), 0);
		if (!in.id || !in.name)
			continue;
		if (xsm__vec_push(&r->im_off, r->im.n) < 0)
			oom = 1;
		for (x = xsm__json_child(xsm__json_get(e, "metrics")); x && !oom; x = xsm__json_next(x)) {
			long k = xsm__json_str(x) ? xsm_insights_report_find_metric(r, xsm__json_str(x)) : -1;
			if (k >= 0 && xsm__vec_push(&r->im, k) < 0)
				oom = 1;
			in.nmetrics += k >= 0;
		}
		if (xsm__vec_push(&r->in, in) < 0)
			oom = 1;
	}
	if (oom)
		rc = xsm__error_oom(ctx);
done:
	xsm__json_free(j);
	if (rc < 0)
		xsm_insights_report_free(r);
	else
		*out = r;
	return rc;
}

int xsm_insights_report_load(xsm_insights_report **out, xsm_store *store, const char *snapshot)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_buf head = XSM_BUF_INIT, rel = XSM_BUF_INIT, b = XSM_BUF_INIT;
	int rc = 0;

	*out = NULL;
	if (!snapshot) {
		rc = xsm_store_read(&head, store, "graph/HEAD", 4096);
		if (rc == XSM_ENOTFOUND)
			rc = xsm__error_set(ctx, XSM_ENOINPUT, "no graph yet; run 'xsm graph build' (or ingest records)");
		while (rc == 0 && head.size && (head.ptr[head.size - 1] == '\n' || head.ptr[head.size - 1] == ' '))
			head.ptr[--head.size] = '\0';
		snapshot = head.ptr ? head.ptr : "";
	}
	if (rc == 0 && (strchr(snapshot, '/') || !*snapshot || snapshot[0] == '.'))
		rc = xsm__error_set(ctx, XSM_EINVALID, "bad snapshot name '%s'", snapshot);
	if (rc == 0 && xsm_buf_printf(&rel, "graph/%s/insights.json", snapshot) < 0)
		rc = xsm__error_oom(ctx);
	if (rc == 0 && (rc = xsm_store_read(&b, store, rel.ptr, 0)) == XSM_ENOTFOUND)
		rc = xsm__error_set(ctx, XSM_ENOINPUT,
				    "snapshot '%s' has no insights; rebuild it with 'xsm graph build'", snapshot);
	if (rc == 0)
		rc = xsm_insights_report_parse(out, ctx, b.ptr ? b.ptr : "", b.size, snapshot);
	xsm_buf_dispose(&head);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&b);
	return rc;
}

const char *xsm_insights_report_snapshot(const xsm_insights_report *r)
{
	return r->snapshot;
}

size_t xsm_insights_report_metric_count(const xsm_insights_report *r)
{
	return r->m.n;
}

const xsm_metric_info *xsm_insights_report_metric(const xsm_insights_report *r, size_t i)
{
	return i < r->m.n ? &r->m.v[i] : NULL;
}

size_t xsm_insights_report_initiative_count(const xsm_insights_report *r)
{
	return r->in.n;
}

const xsm_initiative_info *xsm_insights_report_initiative(const xsm_insights_report *r, size_t i)
{
	return i < r->in.n ? &r->in.v[i] : NULL;
}

long xsm_insights_report_initiative_metric(const xsm_insights_report *r, size_t i, size_t k)
{
	if (i >= r->in.n || k >= r->in.v[i].nmetrics)
		return -1;
	return r->im.v[r->im_off.v[i] + k];
}

long xsm_insights_report_find_metric(const xsm_insights_report *r, const char *s)
{
	size_t i;
	for (i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].id, s))
			return (long)i;
	for (i = 0; i < r->m.n; i++)
		if (!strcasecmp(r->m.v[i].name, s))
			return (long)i;
	return -1;
}

long xsm_insights_report_find_initiative(const xsm_insights_report *r, const char *s)
{
	size_t i;
	for (i = 0; i < r->in.n; i++)
		if (!strcmp(r->in.v[i].id, s))
			return (long)i;
	for (i = 0; i < r->in.n; i++)
		if (!strcasecmp(r->in.v[i].name, s))
			return (long)i;
	return -1;
}
