/* cmd_critical.c - xsm critical: critical assets, classifications, rules and manual levels. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

struct crit_row {
	size_t node;
	int level;
};

struct crit_rows {
	struct crit_row *v;
	size_t n;
	const char *label;
	const xsm_graph *g;
};

/* critical list's rows: in list order already, of the label asked for */
static int add_row(size_t node, int level, void *payload)
{
	struct crit_rows *r = payload;
	if (r->label && strcmp(r->label, xsm_graph_node_label(r->g, node)))
		return 0;
	r->v[r->n].node = node;
	r->v[r->n++].level = level;
	return 0;
}

static void jw_node_crit(xsm_jw *w, const xsm_graph *g, size_t i)
{
	const char *names[64];
	size_t n = xsm_critical_rule_names(g, i, names, 64), k;
	int manual = xsm_critical_manual_level(g, i);
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "NodeId", xsm_graph_node_id(g, i));
	xsm_jw_kstr(w, "NodeName", xsm_graph_node_name(g, i));
	xsm_jw_kstr(w, "NodeLabel", xsm_graph_node_label(g, i));
	xsm_jw_kint(w, "criticalityLevel", xsm_critical_level(g, i));
	xsm_jw_kstr(w, "level", xsm_level_name(xsm_critical_level(g, i)));
	xsm_jw_kint(w, "ruleBasedCriticalityLevel", xsm_critical_rule_level(g, i));
	xsm_jw_key(w, "manualCriticalityLevel");
	if (manual >= 0)
		xsm_jw_int(w, manual);
	else
		xsm_jw_null(w);
	xsm_jw_key(w, "ruleNames");
	xsm_jw_arr(w);
	for (k = 0; k < n && k < 64; k++)
		xsm_jw_str(w, names[k]);
	xsm_jw_arr_end(w);
	xsm_jw_obj_end(w);
}

static int critical_list(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *label = NULL, *level_s = NULL, *pos[1];
	struct xsm_opt opts[] = {
		{ "level", 0, XSM_OPT_STR, &level_s, NULL },
		{ "label", 0, XSM_OPT_STR, &label, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	static const char *head[] = { "LEVEL", "NODEID", "LABEL", "NAME", "RULES" };
	xsm_graph *g;
	struct crit_row *rows;
	struct xsm_table t;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	size_t i, n = 0;
	int maxlevel = 3, rc, np;

	if ((np = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, np);
	if (level_s && (maxlevel = xsm_level_parse(level_s)) < 0)
		return xsm_cli_usage(cli, "unknown level '%s' (0-3, very-high, high, medium, low)", level_s);
	if ((rc = xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) < 0)
		return xsm_cli_fail(cli, rc);
	rows = calloc(xsm_graph_node_count(g) + 1, sizeof(*rows));
	if (rows) {
		struct crit_rows r = { rows, 0, label, g };
		(void)xsm_critical_each(g, maxlevel, add_row, &r);
		n = r.n;
	}
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		if (cli->format == XSM_FMT_JSON) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.critical.list/1");
			xsm_jw_kstr(&w, "snapshot", xsm_graph_snapshot(g));
			xsm_jw_key(&w, "assets");
			xsm_jw_arr(&w);
		}
		for (i = 0; i < n; i++) {
			jw_node_crit(&w, g, rows[i].node);
			xsm_cli_list_row(cli, &w, &b);
		}
		xsm_cli_list_end(cli, &w, &b);
	} else {
		xsm_table_init(&t, 5, head);
		for (i = 0; i < n; i++) {
			const char *names[8];
			size_t k, nn = xsm_critical_rule_names(g, rows[i].node, names, 8);
			char lv[32];
			xsm_buf r = XSM_BUF_INIT;
			for (k = 0; k < nn && k < 8; k++)
				xsm_buf_printf(&r, "%s%s", k ? ", " : "", names[k]);
			if (nn > 8)
				xsm_buf_printf(&r, " (+%zu)", nn - 8);
			if (xsm_critical_manual_level(g, rows[i].node) >= 0)
				xsm_buf_printf(&r, "%smanual", nn ? ", " : "");
			snprintf(lv, sizeof(lv), "%d %s", rows[i].level, xsm_level_name(rows[i].level));
			xsm_table_add(&t, lv, xsm_graph_node_id(g, rows[i].node), xsm_graph_node_label(g, rows[i].node),
				      xsm_graph_node_name(g, rows[i].node), r.ptr ? r.ptr : "");
			xsm_buf_dispose(&r);
		}
		if (n)
			xsm_table_print(&t, stdout);
		else
			printf("no critical assets at level %d or above\n", maxlevel);
		xsm_table_free(&t);
	}
	free(rows);
	xsm_buf_dispose(&b);
	xsm_graph_free(g);
	return 0;
}

/* a rule's object as classifications and rule list both begin it: identity, level, state */
static void rule_json_open(xsm_jw *w, const xsm_rule_info *r)
{
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "name", r->name);
	xsm_jw_kstr(w, "asset", r->asset);
	xsm_jw_kint(w, "level", r->level);
	xsm_jw_kint(w, "default_level", r->default_level);
	xsm_jw_kbool(w, "enabled", r->enabled);
	xsm_jw_kstr(w, "type", r->predefined ? "predefined" : "custom");
	xsm_jw_kbool(w, "detectable", r->detectable);
}

struct cls {
	struct xsm_cli *cli;
	xsm_jw *w;
	struct xsm_table t;
};

static int cls_row(const xsm_rule_info *r, void *payload)
{
	struct cls *c = payload;
	char lv[8], m[32];
	if (c->w) {
		rule_json_open(c->w, r);
		xsm_jw_kint(c->w, "matches", (int64_t)r->matches);
		xsm_jw_kstr(c->w, "when", r->when);
		xsm_jw_kstr(c->w, "description", r->description);
		xsm_jw_kstr(c->w, "evidence", r->evidence);
		xsm_jw_obj_end(c->w);
		return 0;
	}
	snprintf(lv, sizeof(lv), "%d", r->level);
	snprintf(m, sizeof(m), "%zu", r->matches);
	xsm_table_add(&c->t, r->name, r->asset, lv, r->enabled ? "on" : "off",
		      r->predefined ? (r->detectable ? "predefined" : "predefined (tag only)") : "custom", m);
	return 0;
}

static int critical_classifications(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "NAME", "ASSET", "LEVEL", "STATE", "TYPE", "MATCHES" };
	const char *pos[1];
	xsm_rules *rules = NULL;
	xsm_graph *g = NULL;
	struct cls c;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((rc = xsm_rules_load(&rules, cli->store)) < 0)
		return xsm_cli_fail(cli, rc);
	/* match counts come from evaluating on the current graph, when there is one */
	if (xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS) == 0)
		rc = xsm_critical_apply(rules, g);
	xsm_ctx_clear(cli->ctx);
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		c.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.critical.classifications/1");
		xsm_jw_kstr(&w, "snapshot", g ? xsm_graph_snapshot(g) : NULL);
		xsm_jw_key(&w, "rules");
		xsm_jw_arr(&w);
		xsm_rules_foreach(rules, cls_row, &c);
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
	} else {
		xsm_table_init(&c.t, 6, head);
		xsm_rules_foreach(rules, cls_row, &c);
		xsm_table_print(&c.t, stdout);
		xsm_table_free(&c.t);
	}
	xsm_buf_dispose(&b);
	xsm_graph_free(g);
	xsm_rules_free(rules);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

struct rule_list {
	xsm_jw *w;
	xsm_buf *b;
	int jsonl;
	int known; /* match counts come from a snapshot */
	struct xsm_table t;
};

static int rule_list_row(const xsm_rule_info *r, void *payload)
{
	struct rule_list *c = payload;
	char lv[48], m[32];
	if (c->w) {
		rule_json_open(c->w, r);
		xsm_jw_key(c->w, "matches");
		if (c->known)
			xsm_jw_int(c->w, (int64_t)r->matches);
		else
			xsm_jw_null(c->w);
		xsm_jw_kstr(c->w, "when", r->when);
		xsm_jw_kstr(c->w, "description", r->description);
		xsm_jw_obj_end(c->w);
		if (c->jsonl) {
			xsm_cli_emit(c->b);
			xsm_buf_clear(c->b);
			xsm_jw_init(c->w, c->b);
		}
		return 0;
	}
	if (r->level != r->default_level)
		snprintf(lv, sizeof(lv), "%d %s (default %d)", r->level, xsm_level_name(r->level), r->default_level);
	else
		snprintf(lv, sizeof(lv), "%d %s", r->level, xsm_level_name(r->level));
	snprintf(m, sizeof(m), "%zu", r->matches);
	xsm_table_add(&c->t, r->name, r->asset, lv, r->enabled ? "yes" : "no",
		      r->predefined ? (r->detectable ? "predefined" : "predefined (tag only)") : "custom",
		      c->known ? m : NULL);
	return 0;
}

/* rule list: every rule with its state; matches when there is a snapshot to count them on */
static int critical_rule_list(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "NAME", "ASSET", "LEVEL", "ENABLED", "TYPE", "MATCHES" };
	const char *pos[1];
	xsm_rules *rules = NULL;
	xsm_graph *g = NULL;
	struct rule_list c;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	int n, rc = 0;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((rc = xsm_rules_load(&rules, cli->store)) < 0)
		return xsm_cli_fail(cli, rc);
	memset(&c, 0, sizeof(c));
	if (xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS) == 0) {
		if ((rc = xsm_critical_apply(rules, g)) < 0)
			goto done;
		c.known = 1;
	}
	xsm_ctx_clear(cli->ctx);
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		c.w = &w;
		c.b = &b;
		c.jsonl = cli->format == XSM_FMT_JSONL;
		if (!c.jsonl) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.critical.rules/1");
			xsm_jw_kstr(&w, "snapshot", g ? xsm_graph_snapshot(g) : NULL);
			xsm_jw_key(&w, "rules");
			xsm_jw_arr(&w);
		}
		xsm_rules_foreach(rules, rule_list_row, &c);
		if (!c.jsonl) {
			xsm_jw_arr_end(&w);
			xsm_jw_obj_end(&w);
			xsm_cli_emit(&b);
		}
	} else {
		xsm_table_init(&c.t, 6, head);
		xsm_rules_foreach(rules, rule_list_row, &c);
		xsm_table_print(&c.t, stdout);
		xsm_table_free(&c.t);
		if (!c.known && !cli->quiet)
			xsm_cli_hint("no graph yet: match counts come after 'xsm graph build'");
	}
done:
	xsm_buf_dispose(&b);
	xsm_graph_free(g);
	xsm_rules_free(rules);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

static int save(void *arg, xsm_store *store)
{
	return xsm_rules_save(arg, store);
}

/* a rule as the audit log shows it before and after a change: "device level 1 on when EXPR" */
struct rule_state {
	const char *name;
	xsm_buf *out;
};

static int rule_state_cb(const xsm_rule_info *r, void *payload)
{
	struct rule_state *st = payload;
	if (strcmp(r->name, st->name))
		return 0;
	xsm_buf_printf(st->out, "%s level %d %s when %s", r->asset ? r->asset : "?", r->level, r->enabled ? "on" : "off",
		       r->when ? r->when : "");
	return 1;
}

static void rule_state(xsm_buf *out, const xsm_rules *rules, const char *name)
{
	struct rule_state st = { name, out };
	xsm_buf_clear(out);
	xsm_rules_foreach(rules, rule_state_cb, &st);
}

/* save the rules with their audit entry (the state before and after), then re-evaluate the current snapshot */
static int commit(struct xsm_cli *cli, xsm_rules *rules, const char *action, const char *target, const char *before,
		  const char *after)
{
	return xsm_cli_commit(cli, save, rules, action, target, before, after);
}

struct preview {
	const xsm_graph *g;
	struct xsm_cli *cli;
	xsm_jw *w;
	size_t n;
};

static int preview_row(size_t i, void *payload)
{
	struct preview *p = payload;
	p->n++;
	if (p->w) {
		xsm_jw_obj(p->w);
		xsm_jw_kstr(p->w, "NodeId", xsm_graph_node_id(p->g, i));
		xsm_jw_kstr(p->w, "NodeName", xsm_graph_node_name(p->g, i));
		xsm_jw_kstr(p->w, "NodeLabel", xsm_graph_node_label(p->g, i));
		xsm_jw_kint(p->w, "criticalityLevel", xsm_critical_level(p->g, i));
		xsm_jw_obj_end(p->w);
	} else {
		printf("%s  %s  (%s)\n", xsm_graph_node_id(p->g, i), xsm_graph_node_name(p->g, i),
		       xsm_graph_node_label(p->g, i));
	}
	return 0;
}

static int rule_cmd(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : NULL, *asset = NULL, *when = NULL, *desc = NULL, *lvl = NULL;
	const char *pos[3];
	struct xsm_opt opts[] = {
		{ "asset", 0, XSM_OPT_STR, &asset, NULL },
		{ "level", 0, XSM_OPT_STR, &lvl, NULL },
		{ "when", 0, XSM_OPT_STR, &when, NULL },
		{ "description", 0, XSM_OPT_STR, &desc, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_rules *rules = NULL;
	xsm_buf before = XSM_BUF_INIT, after = XSM_BUF_INIT;
	int n, rc = 0, level = -1, code;

	if (!sub)
		return xsm_cli_usage(cli, "rule needs a command: list, add, preview, edit, remove, enable, disable, level");
	if (!strcmp(sub, "list"))
		return critical_rule_list(argc - 1, argv + 1, cli);
	if ((n = xsm_opt_parse(cli, argc - 1, argv + 1, opts, pos, 3)) < 0)
		return xsm_opt_exit(cli, n);
	if (lvl && (level = xsm_level_parse(lvl)) < 0)
		return xsm_cli_usage(cli, "unknown level '%s' (0-3, very-high, high, medium, low)", lvl);
	if (!strcmp(sub, "preview")) {
		xsm_graph *g;
		struct preview p = { NULL, cli, NULL, 0 };
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		if (!when)
			return xsm_cli_usage(cli, "preview needs --when EXPR");
		if (xsm_graph_filter_check(cli->ctx, when) < 0) {
			xsm_cli_error("--when: %s", xsm_ctx_errmsg(cli->ctx));
			return XSM_EXIT_USAGE;
		}
		if ((rc = xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) < 0)
			return xsm_cli_fail(cli, rc);
		p.g = g;
		if (machine(cli)) {
			xsm_jw_init(&w, &b);
			p.w = &w;
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.critical.preview/1");
			xsm_jw_kstr(&w, "when", when);
			xsm_jw_key(&w, "assets");
			xsm_jw_arr(&w);
		}
		rc = xsm_critical_preview(g, asset, when, preview_row, &p);
		if (rc == 0 && machine(cli)) {
			xsm_jw_arr_end(&w);
			xsm_jw_obj_end(&w);
			xsm_cli_emit(&b);
		} else if (rc == 0 && !cli->quiet) {
			fprintf(stderr, "%zu asset%s would match\n", p.n, p.n == 1 ? "" : "s");
		}
		xsm_buf_dispose(&b);
		xsm_graph_free(g);
		if (rc == XSM_EINVALID) {
			xsm_cli_error("--when: %s", xsm_ctx_errmsg(cli->ctx));
			return XSM_EXIT_USAGE;
		}
		return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
	}
	if (n < 1)
		return xsm_cli_usage(cli, "which rule? give its NAME");
	if ((code = xsm_cli_lock(cli)) != 0)
		return code;
	if ((rc = xsm_rules_load(&rules, cli->store)) < 0)
		return xsm_cli_fail(cli, rc);
	rule_state(&before, rules, pos[0]);
	if (!strcmp(sub, "add")) {
		if (!asset || level < 0 || !when) {
			xsm_rules_free(rules);
			xsm_buf_dispose(&before);
			return xsm_cli_usage(cli, "rule add needs --asset, --level and --when");
		}
		rc = xsm_rules_add(rules, pos[0], asset, level, when, desc);
	} else if (!strcmp(sub, "edit")) {
		rc = xsm_rules_edit(rules, pos[0], asset, level, when, desc);
	} else if (!strcmp(sub, "remove")) {
		rc = xsm_rules_remove(rules, pos[0]);
	} else if (!strcmp(sub, "enable") || !strcmp(sub, "disable")) {
		rc = xsm_rules_enable(rules, pos[0], !strcmp(sub, "enable"));
	} else if (!strcmp(sub, "level")) {
		if (n < 2 || (level = xsm_level_parse(pos[1])) < 0) {
			xsm_rules_free(rules);
			xsm_buf_dispose(&before);
			return xsm_cli_usage(cli, "rule level NAME LEVEL: LEVEL is 0-3, very-high, high, medium or low");
		}
		rc = xsm_rules_set_level(rules, pos[0], level);
	} else {
		xsm_rules_free(rules);
		xsm_buf_dispose(&before);
		return xsm_cli_usage(cli, "unknown rule command '%s'", sub);
	}
	if (rc == XSM_EINVALID && when) {
		xsm_cli_error("--when: %s", xsm_ctx_errmsg(cli->ctx));
		xsm_rules_free(rules);
		xsm_buf_dispose(&before);
		return XSM_EXIT_USAGE;
	}
	if (rc == XSM_EUSAGE) {
		xsm_cli_error("%s", xsm_ctx_errmsg(cli->ctx));
		xsm_rules_free(rules);
		xsm_buf_dispose(&before);
		return XSM_EXIT_USAGE;
	}
	if (rc < 0) {
		code = xsm_cli_fail(cli, rc);
		xsm_rules_free(rules);
		xsm_buf_dispose(&before);
		return code;
	}
	{
		char action[32];
		snprintf(action, sizeof(action), "rule %s", sub);
		rule_state(&after, rules, pos[0]);
		code = commit(cli, rules, action, pos[0], before.ptr ? before.ptr : "", after.ptr ? after.ptr : "");
	}
	xsm_buf_dispose(&before);
	xsm_buf_dispose(&after);
	xsm_rules_free(rules);
	return code;
}

static int critical_set(int argc, const char **argv, struct xsm_cli *cli, int set)
{
	const char *pos[2];
	xsm_rules *rules = NULL;
	xsm_graph *g = NULL;
	size_t node;
	int n, rc, level = -1, code, before = -1;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 2)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != (set ? 2 : 1))
		return xsm_cli_usage(cli, set ? "set needs NODE and LEVEL" : "unset needs NODE");
	if (set && (level = xsm_level_parse(pos[1])) < 0)
		return xsm_cli_usage(cli, "unknown level '%s' (0-3, very-high, high, medium, low)", pos[1]);
	if ((code = xsm_cli_lock(cli)) != 0)
		return code;
	if ((rc = xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) < 0 ||
	    (rc = xsm_graph_find(&node, g, pos[0])) < 0 || (rc = xsm_rules_load(&rules, cli->store)) < 0 ||
	    (before = xsm_rules_manual(rules, xsm_graph_node_id(g, node)),
	     rc = xsm_rules_set_manual(rules, xsm_graph_node_id(g, node), level)) < 0) {
		code = xsm_cli_fail(cli, rc);
	} else {
		char b[16] = "", a[16] = "";
		if (before >= 0)
			snprintf(b, sizeof(b), "%d", before);
		if (set)
			snprintf(a, sizeof(a), "%d", level);
		code = commit(cli, rules, set ? "set level" : "unset level", xsm_graph_node_id(g, node), b, a);
	}
	xsm_rules_free(rules);
	xsm_graph_free(g);
	return code;
}

int cmd_critical(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	if (argc > 1 && (!strcmp(sub, "-h") || !strcmp(sub, "--help"))) {
		xsm_cli_print_usage(stdout, cli->cmd->usage);
		return 0;
	}
	if (argc > 1 && sub[0] == '-') /* options of the default subcommand */
		return critical_list(argc, argv, cli);
	if (!strcmp(sub, "list"))
		return critical_list(argc - (argc > 1), argv + (argc > 1), cli);
	if (!strcmp(sub, "classifications"))
		return critical_classifications(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "rule"))
		return rule_cmd(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "set"))
		return critical_set(argc - 1, argv + 1, cli, 1);
	if (!strcmp(sub, "unset"))
		return critical_set(argc - 1, argv + 1, cli, 0);
	return xsm_cli_usage(cli, "unknown critical command '%s'", sub);
}
