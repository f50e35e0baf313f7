/*
 * critical.c - critical asset rules: loading the predefined
 * classifications and the store's custom rules, changes and manual levels;
 * evaluating them over a graph.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/yaml.h"
#include "ctx.h"
#include "exposure/critical.h"
#include "analysis/expr.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#ifndef XSM_DATADIR
#define XSM_DATADIR "/usr/local/share/xsm"
#endif

enum { A_DEVICE = 1, A_IDENTITY = 2, A_CLOUD = 4 };

struct rule {
	char *name, *description, *when, *evidence;
	int asset, level, default_level, enabled, predefined, detectable;
	size_t matches;
	xsm__expr *expr;       /* compiled for the graph being evaluated */
};

struct manual {
	char *node;
	int level;
};

struct xsm_rules {
	xsm_ctx *ctx;
	XSM__VEC(struct rule) r;
	XSM__VEC(struct manual) m;
	char *file; /* where the predefined rules came from */
};

static const char *asset_name(int a)
{
	return a == A_DEVICE ? "device" : a == A_IDENTITY ? "identity" : "cloud";
}

static int asset_parse(const char *s)
{
	if (!s)
		return 0;
	if (!strcmp(s, "device"))
		return A_DEVICE;
	if (!strcmp(s, "identity"))
		return A_IDENTITY;
	if (!strcmp(s, "cloud"))
		return A_CLOUD;
	return 0;
}

int xsm_level_parse(const char *s)
{
	static const struct { const char *name; int level; } names[] = {
		{ "0", 0 }, { "1", 1 }, { "2", 2 }, { "3", 3 }, { "very-high", 0 }, { "veryhigh", 0 },
		{ "very high", 0 }, { "high", 1 }, { "medium", 2 }, { "low", 3 },
	};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].level;
	return -1;
}

const char *xsm_level_name(int level)
{
	static const char *n[] = { "very high", "high", "medium", "low", "none" };
	return n[level < 0 || level > 4 ? 4 : level];
}

/* the kinds of asset a label is: a VM is both a device and a cloud resource */
static int label_assets(const char *label)
{
	if (!strcmp(label, "Cve"))
		return 0;
	if (!strcmp(label, "device"))
		return A_DEVICE;
	if (!strcmp(label, "user") || !strcmp(label, "group") || !strcmp(label, "serviceprincipal") ||
	    !strcmp(label, "managedidentity"))
		return A_IDENTITY;
	if (strstr(label, "virtualmachine"))
		return A_DEVICE | A_CLOUD;
	return A_CLOUD;
}


static int check_expr(xsm_ctx *ctx, const char *when)
{
	return xsm__expr_check(ctx, when);
}

static void rule_dispose(struct rule *r)
{
	xsm__free(r->name);
	xsm__free(r->description);
	xsm__free(r->when);
	xsm__free(r->evidence);
	xsm__expr_free(r->expr);
	memset(r, 0, sizeof(*r));
}

void xsm_rules_free(xsm_rules *rules)
{
	size_t i;
	if (!rules)
		return;
	for (i = 0; i < rules->r.n; i++)
		rule_dispose(&rules->r.v[i]);
	for (i = 0; i < rules->m.n; i++)
		xsm__free(rules->m.v[i].node);
	xsm__vec_free(&rules->r);
	xsm__vec_free(&rules->m);
	xsm__free(rules->file);
	xsm__free(rules);
}

static struct rule *find_rule(const xsm_rules *rules, const char *name)
{
	for (size_t i = 0; i < rules->r.n; i++)
		if (!strcmp(rules->r.v[i].name, name))
			return &rules->r.v[i];
	return NULL;
}

static char *dup_opt(const char *s)
{
	return xsm__strdup(s ? s : "");
}

/* one rule entry of a YAML list; predefined or custom */
static int load_rule(xsm_rules *rules, const char *file, const xsm__ynode *n, int predefined)
{
	struct rule r;
	const char *name = xsm__yaml_getstr(n, "name"), *asset = xsm__yaml_getstr(n, "asset");
	const char *level = xsm__yaml_getstr(n, "level"), *when = xsm__yaml_getstr(n, "when");
	const char *en = xsm__yaml_getstr(n, "enabled"), *det = xsm__yaml_getstr(n, "detectable");
	int rc;

	if ((rc = xsm__yaml_check(rules->ctx, file, n, "a rule",
				  "name=s asset=s level=s when=s enabled=s detectable=s description=s evidence=s")) < 0)
		return rc;
	if (!name || !*name)
		return xsm__yaml_error(rules->ctx, file, n, "a rule needs a name");
	if (find_rule(rules, name))
		return xsm__yaml_error(rules->ctx, file, n, "rule '%s' is defined twice", name);
	if (!asset_parse(asset))
		return xsm__yaml_error(rules->ctx, file, xsm__yaml_get(n, "asset") ? xsm__yaml_get(n, "asset") : n,
				       "rule '%s': asset must be device, identity or cloud", name);
	if (xsm_level_parse(level) < 0)
		return xsm__yaml_error(rules->ctx, file, xsm__yaml_get(n, "level") ? xsm__yaml_get(n, "level") : n,
				       "rule '%s': level must be 0 to 3", name);
	if (!when)
		return xsm__yaml_error(rules->ctx, file, n, "rule '%s' needs 'when'", name);
	if ((rc = check_expr(rules->ctx, when)) == XSM_ENOMEM)
		return rc; /* not the file's fault */
	if (rc < 0) {
		const xsm__ynode *w = xsm__yaml_get(n, "when");
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(rules->ctx));
		return xsm__yaml_error(rules->ctx, file, w, "rule '%s': %s", name, msg);
	}
	memset(&r, 0, sizeof(r));
	r.asset = asset_parse(asset);
	r.level = r.default_level = xsm_level_parse(level);
	r.enabled = !en || strcmp(en, "false");
	r.detectable = !det || strcmp(det, "false");
	r.predefined = predefined;
	r.name = xsm__strdup(name);
	r.when = xsm__strdup(when);
	r.description = dup_opt(xsm__yaml_getstr(n, "description"));
	r.evidence = dup_opt(xsm__yaml_getstr(n, "evidence"));
	if (!r.name || !r.when || !r.description || !r.evidence || xsm__vec_push(&rules->r, r) < 0) {
		rule_dispose(&r);
		return xsm__error_oom(rules->ctx);
	}
	return 0;
}

static int load_predefined(xsm_rules *rules)
{
	const xsm_config *cfg = xsm_ctx_config(rules->ctx);
	const char *dir = cfg ? xsm_config_get(cfg, "data.dir") : NULL;
	xsm__ynode *root = NULL;
	const xsm__ynode *list;
	xsm_buf path = XSM_BUF_INIT;
	size_t i;
	int rc;

	if (xsm_buf_printf(&path, "%s/classifications.yaml", dir && *dir ? dir : XSM_DATADIR) < 0)
		return xsm__error_oom(rules->ctx);
	rc = xsm__yaml_load(&root, rules->ctx, path.ptr);
	if (rc == XSM_ENOTFOUND)
		rc = xsm__error_set(rules->ctx, XSM_ECONFIG,
				    "cannot find the predefined classifications '%s' (set data.dir or XSM_DATA_DIR)",
				    path.ptr);
	if (rc < 0 || (rc = xsm__yaml_check(rules->ctx, path.ptr, root, "the document", "classifications=l")) < 0)
		goto done;
	list = xsm__yaml_get(root, "classifications");
	if (!list || list->type != XSM_Y_SEQ) {
		rc = xsm__yaml_error(rules->ctx, path.ptr, root, "expected a 'classifications' list");
		goto done;
	}
	for (i = 0; i < list->n && rc == 0; i++)
		rc = load_rule(rules, path.ptr, list->items[i], 1);
	rules->file = xsm_buf_detach(&path);
done:
	xsm__yaml_free(root);
	xsm_buf_dispose(&path);
	return rc;
}

static int load_store(xsm_rules *rules, xsm_store *store)
{
	xsm_buf path = XSM_BUF_INIT;
	xsm__ynode *root = NULL;
	const xsm__ynode *l;
	size_t i;
	int rc;

	if (xsm_buf_printf(&path, "%s/rules/criticality.yaml", xsm_store_path(store)) < 0)
		return xsm__error_oom(rules->ctx);
	if ((rc = xsm__store_yaml(&root, store, "rules/criticality.yaml", 1)) < 0 || !root)
		goto done;
	/* a value of the wrong kind (custom: "x") is the file's error, not nothing to read */
	if ((rc = xsm__yaml_check(rules->ctx, path.ptr, root, "the document", "custom=l overrides=l manual=l")) < 0)
		goto done;
	if ((l = xsm__yaml_get(root, "custom")) && l->type == XSM_Y_SEQ)
		for (i = 0; i < l->n && rc == 0; i++)
			rc = load_rule(rules, path.ptr, l->items[i], 0);
	if (rc == 0 && (l = xsm__yaml_get(root, "overrides")) && l->type == XSM_Y_SEQ)
		for (i = 0; i < l->n && rc == 0; i++) {
			const xsm__ynode *o = l->items[i];
			const char *name = xsm__yaml_getstr(o, "name"), *en = xsm__yaml_getstr(o, "enabled");
			const char *lv = xsm__yaml_getstr(o, "level");
			struct rule *r = name ? find_rule(rules, name) : NULL;
			if ((rc = xsm__yaml_check(rules->ctx, path.ptr, o, "an override", "name=s enabled=s level=s")) < 0)
				break;
			if (!r) {
				rc = xsm__yaml_error(rules->ctx, path.ptr, o, "override of unknown rule '%s'", name ? name : "");
				break;
			}
			if (en)
				r->enabled = strcmp(en, "false") != 0;
			if (lv && xsm_level_parse(lv) < 0) {
				rc = xsm__yaml_error(rules->ctx, path.ptr, xsm__yaml_get(o, "level"), "level must be 0 to 3");
				break;
			}
			if (lv)
				r->level = xsm_level_parse(lv);
		}
	if (rc == 0 && (l = xsm__yaml_get(root, "manual")) && l->type == XSM_Y_SEQ)
		for (i = 0; i < l->n && rc == 0; i++) {
			const char *node = xsm__yaml_getstr(l->items[i], "node"), *lv = xsm__yaml_getstr(l->items[i], "level");
			if ((rc = xsm__yaml_check(rules->ctx, path.ptr, l->items[i], "a manual level", "node=s level=s")) < 0)
				break;
			if (!node || xsm_level_parse(lv) < 0)
				rc = xsm__yaml_error(rules->ctx, path.ptr, l->items[i], "a manual level needs node and level 0-3");
			else
				rc = xsm_rules_set_manual(rules, node, xsm_level_parse(lv));
		}
done:
	xsm__yaml_free(root);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm_rules_load(xsm_rules **out, xsm_store *store)
{
	xsm_rules *rules = xsm__calloc(1, sizeof(*rules));
	int rc;
	*out = NULL;
	if (!rules)
		return xsm__error_oom(xsm_store_ctx(store));
	rules->ctx = xsm_store_ctx(store);
	if ((rc = load_predefined(rules)) < 0 || (rc = load_store(rules, store)) < 0) {
		xsm_rules_free(rules);
		return rc;
	}
	*out = rules;
	return 0;
}

int xsm_rules_foreach(const xsm_rules *rules, int (*cb)(const xsm_rule_info *, void *), void *payload)
{
	for (size_t i = 0; i < rules->r.n; i++) {
		const struct rule *r = &rules->r.v[i];
		xsm_rule_info info = { r->name, asset_name(r->asset), r->description, r->when, r->evidence,
				       r->level, r->default_level, r->enabled, r->predefined, r->detectable, r->matches };
		int rc = cb(&info, payload);
		if (rc)
			return rc;
	}
	return 0;
}

int xsm_rules_add(xsm_rules *rules, const char *name, const char *asset, int level, const char *when,
		  const char *description)
{
	struct rule r;
	int rc;
	if (!name || !*name)
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "a rule needs a name");
	if (find_rule(rules, name))
		return xsm__error_set(rules->ctx, XSM_EEXISTS, "a rule named '%s' exists already", name);
	if (!asset_parse(asset))
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "asset must be device, identity or cloud, not '%s'",
				      asset ? asset : "");
	if (level < 0 || level > 3)
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "level must be 0 (very high) to 3 (low)");
	if ((rc = check_expr(rules->ctx, when)) < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.asset = asset_parse(asset);
	r.level = r.default_level = level;
	r.enabled = 1;
	r.detectable = 1;
	r.name = xsm__strdup(name);
	r.when = xsm__strdup(when);
	r.description = dup_opt(description);
	r.evidence = xsm__strdup("custom rule");
	if (!r.name || !r.when || !r.description || !r.evidence || xsm__vec_push(&rules->r, r) < 0) {
		rule_dispose(&r);
		return xsm__error_oom(rules->ctx);
	}
	return 0;
}

static int find_custom(xsm_rules *rules, const char *name, struct rule **out, const char *what)
{
	struct rule *r = find_rule(rules, name);
	if (!r)
		return xsm__error_set(rules->ctx, XSM_ENOTFOUND, "no rule named '%s'", name);
	if (r->predefined)
		return xsm__error_set(rules->ctx, XSM_EDENIED,
				      "'%s' is a predefined classification: it cannot be %s (disable it, or change its level)",
				      name, what);
	*out = r;
	return 0;
}

int xsm_rules_edit(xsm_rules *rules, const char *name, const char *asset, int level, const char *when,
		   const char *description)
{
	struct rule *r;
	char *w = NULL, *d = NULL;
	int rc;
	if ((rc = find_custom(rules, name, &r, "edited")) < 0)
		return rc;
	if (asset && !asset_parse(asset))
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "asset must be device, identity or cloud, not '%s'", asset);
	if (level > 3)
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "level must be 0 (very high) to 3 (low)");
	if (when && (rc = check_expr(rules->ctx, when)) < 0)
		return rc;
	if ((when && !(w = xsm__strdup(when))) || (description && !(d = xsm__strdup(description)))) {
		xsm__free(w);
		return xsm__error_oom(rules->ctx);
	}
	if (asset)
		r->asset = asset_parse(asset);
	if (level >= 0)
		r->level = r->default_level = level;
	if (w) {
		xsm__free(r->when);
		r->when = w;
	}
	if (d) {
		xsm__free(r->description);
		r->description = d;
	}
	return 0;
}

int xsm_rules_remove(xsm_rules *rules, const char *name)
{
	struct rule *r;
	int rc;
	if ((rc = find_custom(rules, name, &r, "removed")) < 0)
		return rc;
	rule_dispose(r);
	memmove(r, r + 1, (size_t)(rules->r.v + rules->r.n - (r + 1)) * sizeof(*r));
	rules->r.n--;
	return 0;
}

int xsm_rules_enable(xsm_rules *rules, const char *name, int enabled)
{
	struct rule *r = find_rule(rules, name);
	if (!r)
		return xsm__error_set(rules->ctx, XSM_ENOTFOUND, "no rule named '%s'", name);
	r->enabled = enabled != 0;
	return 0;
}

int xsm_rules_set_level(xsm_rules *rules, const char *name, int level)
{
	struct rule *r = find_rule(rules, name);
	if (!r)
		return xsm__error_set(rules->ctx, XSM_ENOTFOUND, "no rule named '%s'", name);
	if (level < 0 || level > 3)
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "level must be 0 (very high) to 3 (low)");
	r->level = level;
	return 0;
}

int xsm_rules_set_manual(xsm_rules *rules, const char *node, int level)
{
	size_t i;
	for (i = 0; i < rules->m.n; i++)
		if (!strcmp(rules->m.v[i].node, node))
			break;
	if (level < 0) {
		if (i == rules->m.n)
			return xsm__error_set(rules->ctx, XSM_ENOTFOUND, "'%s' has no manual level", node);
		xsm__free(rules->m.v[i].node);
		memmove(&rules->m.v[i], &rules->m.v[i + 1], (rules->m.n - i - 1) * sizeof(rules->m.v[0]));
		rules->m.n--;
		return 0;
	}
	if (level > 3)
		return xsm__error_set(rules->ctx, XSM_EUSAGE, "level must be 0 (very high) to 3 (low)");
	if (i < rules->m.n) {
		rules->m.v[i].level = level;
		return 0;
	}
	{
		struct manual m = { xsm__strdup(node), level };
		if (!m.node || xsm__vec_push(&rules->m, m) < 0) {
			xsm__free(m.node);
			return xsm__error_oom(rules->ctx);
		}
	}
	return 0;
}

int xsm_rules_manual(const xsm_rules *rules, const char *node)
{
	for (size_t i = 0; i < rules->m.n; i++)
		if (!strcmp(rules->m.v[i].node, node))
			return rules->m.v[i].level;
	return -1;
}

static int cmp_manual(const void *a, const void *b)
{
	return strcmp(((const struct manual *)a)->node, ((const struct manual *)b)->node);
}

int xsm_rules_save(const xsm_rules *rules, xsm_store *store)
{
	xsm_buf b = XSM_BUF_INIT;
	size_t i;
	int rc, any = 0;

	xsm_buf_puts(&b, "# xsm critical asset rules: written by `xsm critical`; see xsm-critical(1)\n");
	xsm_buf_puts(&b, "custom:\n");
	for (i = 0; i < rules->r.n; i++) {
		const struct rule *r = &rules->r.v[i];
		if (r->predefined)
			continue;
		xsm_buf_puts(&b, "  - name: ");
		xsm__yaml_quote(&b, r->name);
		xsm_buf_printf(&b, "\n    asset: %s\n    level: %d\n    enabled: %s\n    when: ", asset_name(r->asset),
			       r->default_level, r->enabled ? "true" : "false");
		xsm__yaml_quote(&b, r->when);
		xsm_buf_puts(&b, "\n    description: ");
		xsm__yaml_quote(&b, r->description);
		xsm_buf_putc(&b, '\n');
		any = 1;
	}
	if (!any)
		xsm_buf_puts(&b, "  []\n");
	xsm_buf_puts(&b, "overrides:\n");
	any = 0;
	for (i = 0; i < rules->r.n; i++) {
		const struct rule *r = &rules->r.v[i];
		if (!r->predefined || (r->enabled && r->level == r->default_level))
			continue;
		xsm_buf_puts(&b, "  - name: ");
		xsm__yaml_quote(&b, r->name);
		xsm_buf_printf(&b, "\n    enabled: %s\n    level: %d\n", r->enabled ? "true" : "false", r->level);
		any = 1;
	}
	for (i = 0; i < rules->r.n; i++) {
		const struct rule *r = &rules->r.v[i];
		if (r->predefined || r->level == r->default_level)
			continue;
		xsm_buf_puts(&b, "  - name: ");
		xsm__yaml_quote(&b, r->name);
		xsm_buf_printf(&b, "\n    level: %d\n", r->level);
		any = 1;
	}
	if (!any)
		xsm_buf_puts(&b, "  []\n");
	xsm_buf_puts(&b, "manual:\n");
	{
		struct manual *m = xsm__calloc(rules->m.n + 1, sizeof(*m));
		if (!m) {
			xsm_buf_dispose(&b);
			return xsm__error_oom(rules->ctx);
		}
		xsm__memcpy(m, rules->m.v, rules->m.n * sizeof(*m));
		qsort(m, rules->m.n, sizeof(*m), cmp_manual);
		for (i = 0; i < rules->m.n; i++) {
			xsm_buf_puts(&b, "  - node: ");
			xsm__yaml_quote(&b, m[i].node);
			xsm_buf_printf(&b, "\n    level: %d\n", m[i].level);
		}
		if (!rules->m.n)
			xsm_buf_puts(&b, "  []\n");
		xsm__free(m);
	}
	rc = xsm_store_write(store, "rules/criticality.yaml", b.ptr, b.size);
	xsm_buf_dispose(&b);
	return rc;
}

/* --- evaluation --------------------------------------------------------------------- */

struct eval_job {
	xsm_rules *rules;
	const xsm_graph *g;
	const int *assets;   /* per node: A_* bits */
	uint8_t *best;       /* per node: rule-based level (4 none) */
	uint64_t *hits;      /* per node: words bits of the rules that matched */
	size_t words;
	size_t from, to;
	size_t *matches;     /* per rule, this thread's counts */
};

static void *eval_range(void *arg)
{
	struct eval_job *j = arg;
	for (size_t i = j->from; i < j->to; i++) {
		int best = 4;
		if (!j->assets[i])
			continue;
		for (size_t k = 0; k < j->rules->r.n; k++) {
			const struct rule *r = &j->rules->r.v[k];
			if (!r->enabled || !(r->asset & j->assets[i]))
				continue;
			if (xsm__expr_eval(r->expr, (const void *)(uintptr_t)i)) {
				j->matches[k]++;
				j->hits[i * j->words + k / 64] |= 1ULL << (k % 64);
				if (r->level < best)
					best = r->level;
			}
		}
		j->best[i] = (uint8_t)best;
	}
	return NULL;
}

static int is_crit_key(const char *k)
{
	return !strncmp(k, "criticalityLevel", 16) || !strcmp(k, "manualCriticalityLevel");
}

int xsm_critical_apply(xsm_rules *rules, xsm_graph *g)
{
	size_t n = g->nodes.n, i, k, nthreads = n > 20000 ? 2 : 1;
	xsm__expr_host host;
	int *assets = xsm__calloc(n + 1, sizeof(*assets));
	uint8_t *best = xsm__calloc(n + 1, 1);
	size_t *matches = xsm__calloc(rules->r.n * 2 + 1, sizeof(*matches));
	size_t words = (rules->r.n + 63) / 64 + 1;
	uint64_t *hits = NULL;
	uint32_t crit_keys[4];
	int ncrit = 0;
	struct eval_job jobs[2];
	int rc = 0;

	if (g->map) {
		rc = xsm__graph_readonly(g);
		goto done;
	}
	if (!assets || !best || !matches || xsm__mul_size(&k, n + 1, words) < 0 ||
	    !(hits = xsm__calloc(k, sizeof(*hits)))) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	/* the keys of earlier results, by id: a string compare per property is what the loop below avoids */
	{
		static const char *const ck[4] = { "criticalityLevel.criticalityLevel",
						   "criticalityLevel.ruleBasedCriticalityLevel",
						   "criticalityLevel.ruleNames", "manualCriticalityLevel" };
		for (k = 0; k < 4; k++)
			if (xsm__strpool_find(&g->s, ck[k], strlen(ck[k]), &crit_keys[ncrit]))
				ncrit++;
	}
	xsm__graph_expr_host(&host, g);
	for (k = 0; k < rules->r.n; k++) {
		struct rule *r = &rules->r.v[k];
		xsm__expr_free(r->expr);
		r->expr = NULL;
		r->matches = 0;
		if ((rc = xsm__expr_compile(&r->expr, g->ctx, r->when, &host)) < 0) {
			xsm__error_prefix(g->ctx, "rule '%s'", r->name);
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		assets[i] = label_assets(xsm__gstr(g, g->nodes.v[i].label));
		best[i] = 4;
	}
	for (size_t t = 0; t < nthreads; t++) {
		jobs[t].rules = rules;
		jobs[t].g = g;
		jobs[t].assets = assets;
		jobs[t].best = best;
		jobs[t].hits = hits;
		jobs[t].words = words;
		jobs[t].from = n * t / nthreads;
		jobs[t].to = n * (t + 1) / nthreads;
		jobs[t].matches = matches + t * rules->r.n;
	}
	xsm__run2(eval_range, &jobs[0], nthreads == 2 ? &jobs[1] : NULL);
	for (k = 0; k < rules->r.n; k++)
		rules->r.v[k].matches = matches[k] + (nthreads == 2 ? matches[rules->r.n + k] : 0);

	/* write the results: strip old criticality props, add the new ones where they apply */
	for (i = 0; i < n && rc == 0; i++) {
		xsm__node *nd = &g->nodes.v[i];
		int manual = xsm_rules_manual(rules, xsm__gstr(g, nd->id)), had = 0, eff;
		const char *keys[4];
		xsm__prop vals[4];
		size_t nk = 0;
		uint32_t j, names_off, names_n = 0;

		for (j = 0; j < nd->props_n && !had; j++)
			for (int c = 0; c < ncrit; c++)
				if (g->props.v[nd->props_off + j].key == crit_keys[c])
					had = 1;
		if (!had && best[i] == 4 && manual < 0)
			continue;
		if (had) {
			/* copy the range without the old values */
			size_t base = g->props.n;
			if (xsm__vec_reserve(&g->props, nd->props_n) < 0) {
				rc = xsm__error_oom(g->ctx);
				break;
			}
			nd = &g->nodes.v[i];
			for (j = 0; j < nd->props_n; j++) {
				xsm__prop p = g->props.v[nd->props_off + j];
				if (!is_crit_key(xsm__gstr(g, p.key)))
					g->props.v[g->props.n++] = p;
			}
			nd->props_off = (uint32_t)base;
			nd->props_n = (uint32_t)(g->props.n - base);
		}
		if (best[i] == 4 && manual < 0)
			continue;
		/* names of the matching enabled rules, most critical first then by name */
		names_off = (uint32_t)g->u32.n;
		for (int lvl = 0; lvl <= 3; lvl++)
			for (k = 0; k < rules->r.n; k++) {
				const struct rule *r = &rules->r.v[k];
				uint32_t id;
				if (r->level != lvl || !(hits[i * words + k / 64] >> (k % 64) & 1))
					continue;
				if (xsm__graph_intern(g, r->name, &id) < 0 || xsm__vec_push(&g->u32, id) < 0) {
					rc = xsm__error_oom(g->ctx);
					goto done;
				}
				names_n++;
			}
		eff = manual >= 0 ? manual : best[i];
		memset(vals, 0, sizeof(vals));
		keys[nk] = "criticalityLevel.criticalityLevel";
		vals[nk].type = XSM_V_NUM;
		vals[nk++].num = eff;
		keys[nk] = "criticalityLevel.ruleBasedCriticalityLevel";
		vals[nk].type = XSM_V_NUM;
		vals[nk++].num = best[i];
		keys[nk] = "criticalityLevel.ruleNames";
		vals[nk].type = XSM_V_STRS;
		vals[nk].a = names_off;
		vals[nk++].b = names_n;
		if (manual >= 0) {
			keys[nk] = "manualCriticalityLevel";
			vals[nk].type = XSM_V_NUM;
			vals[nk++].num = manual;
		}
		rc = xsm__graph_set_props(g, (uint32_t)i, nk, keys, vals);
	}
	if (rc == 0)
		rc = xsm__graph_compact_props_lazy(g);
done:
	for (k = 0; k < rules->r.n; k++) {
		xsm__expr_free(rules->r.v[k].expr);
		rules->r.v[k].expr = NULL;
	}
	xsm__free(assets);
	xsm__free(best);
	xsm__free(matches);
	xsm__free(hits);
	return rc;
}

int xsm_critical_preview(const xsm_graph *g, const char *asset, const char *when,
			 int (*cb)(size_t, void *), void *payload)
{
	xsm__expr_host host;
	xsm__expr *e = NULL;
	int a = asset ? asset_parse(asset) : 0, rc;
	size_t i;

	if (asset && !a)
		return xsm__error_set(g->ctx, XSM_EUSAGE, "asset must be device, identity or cloud, not '%s'", asset);
	xsm__graph_expr_host(&host, g);
	if ((rc = xsm__expr_compile(&e, g->ctx, when, &host)) < 0)
		return rc;
	for (i = 0; i < g->nodes.n && rc == 0; i++) {
		int la = label_assets(xsm__gstr(g, g->nodes.v[i].label));
		if (!la || (a && !(la & a)))
			continue;
		if (xsm__expr_eval(e, (const void *)(uintptr_t)i))
			rc = cb(i, payload);
	}
	xsm__expr_free(e);
	return rc;
}

static double num_prop(const xsm_graph *g, size_t i, const char *key, double dflt)
{
	const xsm__prop *p = xsm__graph_prop_s(g, (uint32_t)i, key);
	return p && p->type == XSM_V_NUM ? p->num : dflt;
}

int xsm_critical_level(const xsm_graph *g, size_t i)
{
	return (int)num_prop(g, i, "criticalityLevel.criticalityLevel", 4);
}

struct crit_row {
	uint32_t node;
	int level;
};

static int cmp_row(const void *a, const void *b)
{
	const struct crit_row *x = a, *y = b;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

int xsm_critical_each(const xsm_graph *g, int maxlevel, int (*cb)(size_t node, int level, void *payload), void *payload)
{
	XSM__VEC(struct crit_row) rows = { 0 };
	uint32_t key;
	size_t i;
	int rc = 0;

	/* a mapped graph has the list made when its image was written */
	if (g->crit) {
		for (i = 0; i < g->ncrit && rc == 0; i++) {
			int level = (int)(int32_t)g->crit[2 * i + 1];
			if (level > maxlevel)
				break;
			rc = cb(g->crit[2 * i], level, payload);
		}
		return rc;
	}
	if (!xsm__strpool_find(&g->s, "criticalityLevel.criticalityLevel", 33, &key))
		return 0;
	for (i = 0; i < g->nodes.n; i++) {
		const xsm__prop *p = xsm__graph_prop(g, (uint32_t)i, key);
		int level = p && p->type == XSM_V_NUM ? (int)p->num : 4;
		if (level <= maxlevel && xsm__vec_push(&rows, ((struct crit_row){ (uint32_t)i, level })) < 0) {
			xsm__vec_free(&rows);
			return xsm__error_oom(g->ctx);
		}
	}
	/* nodes are in NodeId order: by level, then NodeId */
	if (rows.n > 1)
		qsort(rows.v, rows.n, sizeof(*rows.v), cmp_row);
	for (i = 0; i < rows.n && rc == 0; i++)
		rc = cb(rows.v[i].node, rows.v[i].level, payload);
	xsm__vec_free(&rows);
	return rc;
}

int xsm_critical_rule_level(const xsm_graph *g, size_t i)
{
	return (int)num_prop(g, i, "criticalityLevel.ruleBasedCriticalityLevel", 4);
}

int xsm_critical_manual_level(const xsm_graph *g, size_t i)
{
	return (int)num_prop(g, i, "manualCriticalityLevel", -1);
}

size_t xsm_critical_rule_names(const xsm_graph *g, size_t i, const char **out, size_t max)
{
	const xsm__prop *p = xsm__graph_prop_s(g, (uint32_t)i, "criticalityLevel.ruleNames");
	size_t k;
	if (!p || p->type != XSM_V_STRS)
		return 0;
	for (k = 0; k < p->b && k < max; k++)
		out[k] = xsm__gstr(g, g->u32.v[p->a + k]);
	return p->b;
}

struct explain {
	const char *rule;
	void (*cb)(const char *, const char *, const size_t *, size_t, void *);
	void *payload;
	int oom;
};

static void explain_chain(void *arg, int rel, const void *const *chain, size_t n)
{
	struct explain *x = arg;
	size_t *v = xsm__calloc(n + 1, sizeof(*v));
	if (!v) {
		x->oom = 1;
		return;
	}
	for (size_t k = 0; k < n; k++)
		v[k] = (size_t)(uintptr_t)chain[k];
	x->cb(x->rule, xsm__expr_rel_name(rel), v, n, x->payload);
	xsm__free(v);
}

int xsm_critical_explain(const xsm_rules *rules, const xsm_graph *g, size_t i,
			 void (*cb)(const char *, const char *, const size_t *, size_t, void *), void *payload)
{
	const char *names[64];
	size_t nn = xsm_critical_rule_names(g, i, names, 64);
	xsm__expr_host host;
	int rc = 0;

	xsm__graph_expr_host(&host, g);
	for (size_t k = 0; k < nn && k < 64 && rc == 0; k++) {
		const struct rule *r = find_rule(rules, names[k]);
		struct explain x = { names[k], cb, payload, 0 };
		xsm__expr *e = NULL;
		if (!r || !r->enabled)
			continue;
		if ((rc = xsm__expr_compile(&e, g->ctx, r->when, &host)) < 0) {
			xsm__error_prefix(g->ctx, "rule '%s'", r->name);
			break;
		}
		xsm__expr_explain(e, (const void *)(uintptr_t)i, explain_chain, &x);
		xsm__expr_free(e);
		if (x.oom)
			rc = xsm__error_oom(g->ctx);
	}
	return rc;
}
