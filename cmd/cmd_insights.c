/* cmd_insights.c - xsm insights: initiatives, metrics, recommendations, states, weights and targets. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

static void fmt_pct(char out[16], double v)
{
	if (v < 0)
		snprintf(out, 16, "-");
	else
		snprintf(out, 16, "%.2f", v);
}

static void jw_score(xsm_jw *w, const char *k, double v)
{
	xsm_jw_key(w, k);
	if (v < 0)
		xsm_jw_null(w);
	else
		xsm_jw_num(w, v);
}

static void jw_metric(xsm_jw *w, const xsm_metric_info *m)
{
	const char *p, *q;
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "id", m->id);
	xsm_jw_kstr(w, "name", m->name);
	jw_score(w, "progress", m->progress);
	xsm_jw_kint(w, "affected", (int64_t)m->affected);
	xsm_jw_kint(w, "total", (int64_t)m->total);
	xsm_jw_kint(w, "critical_affected", (int64_t)m->critical_affected);
	xsm_jw_kstr(w, "state", m->state);
	xsm_jw_kstr(w, "user_state", m->user_state);
	xsm_jw_kstr(w, "weight", xsm_weight_name(m->weight));
	xsm_jw_kint(w, "weight_value", m->weight);
	xsm_jw_kstr(w, "default_weight", xsm_weight_name(m->default_weight));
	xsm_jw_key(w, "initiatives");
	xsm_jw_arr(w);
	for (p = m->initiatives; p && *p; p = *q ? q + 1 : q) {
		q = strchr(p, ',');
		if (!q)
			q = p + strlen(p);
		xsm_jw_strn(w, p, (size_t)(q - p));
	}
	xsm_jw_arr_end(w);
	xsm_jw_kstr(w, "assets", m->assets);
	xsm_jw_kstr(w, "affected_when", m->affected_when);
	xsm_jw_kstr(w, "description", m->description);
	xsm_jw_kstr(w, "recommendation", m->recommendation);
	xsm_jw_obj_end(w);
}

/* the kept snapshots of the last 14 days, oldest first: where trends come from (none when they cannot be read) */
static xsm_insights_trend *trend_load(struct xsm_cli *cli)
{
	xsm_insights_trend *t = NULL;
	if (xsm_insights_trend_load(&t, cli->store, 14) < 0)
		xsm_ctx_clear(cli->ctx);
	return t;
}

/* a sparkline of the scores (0-100), one block a snapshot */
static void sparkline(char *out, size_t outlen, const xsm_insights_trend *t, const char *id)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	size_t k, at = 0;
	out[0] = '\0';
	for (k = 0; k < xsm_insights_trend_count(t) && at + 4 < outlen; k++) {
		double sc = xsm_insights_trend_score(t, k, id);
		const char *b = sc < 0 ? " " : blocks[sc >= 100 ? 7 : (int)(sc / 12.5)];
		at += (size_t)snprintf(out + at, outlen - at, "%s", b);
	}
}

static void jw_initiative(xsm_jw *w, const xsm_insights_report *r, size_t i, const xsm_insights_trend *t, int trend)
{
	const xsm_initiative_info *in = xsm_insights_report_initiative(r, i);
	size_t k;
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "id", in->id);
	xsm_jw_kstr(w, "name", in->name);
	jw_score(w, "score", in->score);
	xsm_jw_knum(w, "target", in->target);
	xsm_jw_kbool(w, "on_target", in->score >= in->target);
	xsm_jw_kint(w, "metric_count", (int64_t)in->nmetrics);
	xsm_jw_key(w, "metrics");
	xsm_jw_arr(w);
	for (k = 0; k < in->nmetrics; k++)
		xsm_jw_str(w, xsm_insights_report_metric(r, (size_t)xsm_insights_report_initiative_metric(r, i, k))->id);
	xsm_jw_arr_end(w);
	xsm_jw_kstr(w, "description", in->description);
	if (trend) {
		/* the last 14 days of kept snapshots, oldest first */
		xsm_jw_key(w, "trend");
		xsm_jw_arr(w);
		for (k = 0; k < xsm_insights_trend_count(t); k++) {
			xsm_jw_obj(w);
			xsm_jw_kstr(w, "snapshot", xsm_insights_trend_snapshot(t, k));
			jw_score(w, "score", xsm_insights_trend_score(t, k, in->id));
			xsm_jw_obj_end(w);
		}
		xsm_jw_arr_end(w);
	}
	xsm_jw_obj_end(w);
}

/* start a --format=json document, or nothing for jsonl */
static void doc_begin(struct xsm_cli *cli, xsm_jw *w, const char *schema, const xsm_insights_report *r,
		      const char *list)
{
	if (cli->format != XSM_FMT_JSON)
		return;
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "schema", schema);
	xsm_jw_kstr(w, "snapshot", xsm_insights_report_snapshot(r));
	if (list) {
		xsm_jw_key(w, list);
		xsm_jw_arr(w);
	}
}

static void doc_end(struct xsm_cli *cli, xsm_jw *w, xsm_buf *b, int list)
{
	if (cli->format != XSM_FMT_JSON)
		return;
	if (list)
		xsm_jw_arr_end(w);
	xsm_jw_obj_end(w);
	xsm_cli_emit(b);
}

/* after one jsonl object */
static void line_done(struct xsm_cli *cli, xsm_jw *w, xsm_buf *b)
{
	if (cli->format != XSM_FMT_JSONL)
		return;
	xsm_cli_emit(b);
	xsm_buf_clear(b);
	xsm_jw_init(w, b);
}

static int load_report(struct xsm_cli *cli, xsm_insights_report **r)
{
	int rc = xsm_insights_report_load(r, cli->store, NULL);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

static int insights_list(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "INITIATIVE", "NAME", "SCORE", "TARGET", "METRICS", "TREND (14 DAYS)" };
	const char *pos[1];
	xsm_insights_report *r = NULL;
	xsm_buf b = XSM_BUF_INIT;
	xsm_insights_trend *t;
	xsm_jw w;
	size_t i;
	int n, code;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((code = load_report(cli, &r)) != 0)
		return code;
	t = trend_load(cli);
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		doc_begin(cli, &w, "xsm.insights.list/1", r, "initiatives");
		for (i = 0; i < xsm_insights_report_initiative_count(r); i++) {
			jw_initiative(&w, r, i, t, 1);
			line_done(cli, &w, &b);
		}
		doc_end(cli, &w, &b, 1);
	} else {
		struct xsm_table tb;
		/* the sparkline on a terminal only: pipes get plain columns */
		xsm_table_init(&tb, cli->tty ? 6 : 5, head);
		for (i = 0; i < xsm_insights_report_initiative_count(r); i++) {
			const xsm_initiative_info *in = xsm_insights_report_initiative(r, i);
			char sc[16], tg[16], nm[16], sp[64 * 4 + 1]; /* a trend has 64 points at most */
			fmt_pct(sc, in->score);
			fmt_pct(tg, in->target);
			snprintf(nm, sizeof(nm), "%zu", in->nmetrics);
			sparkline(sp, sizeof(sp), t, in->id);
			xsm_table_add(&tb, in->id, in->name, sc, tg, nm, sp);
		}
		xsm_table_print(&tb, stdout);
		xsm_table_free(&tb);
	}
	xsm_insights_trend_free(t);
	xsm_buf_dispose(&b);
	xsm_insights_report_free(r);
	return 0;
}

static void metric_table(struct xsm_table *t, const xsm_metric_info *m)
{
	char pr[16], af[48], wt[32];
	fmt_pct(pr, m->progress);
	snprintf(af, sizeof(af), "%zu/%zu", m->affected, m->total);
	snprintf(wt, sizeof(wt), "%s", xsm_weight_name(m->weight));
	xsm_table_add(t, m->id, pr, af, wt, xsm_metric_state_text(m->state), m->name);
}

static const char *metric_head[] = { "METRIC", "PROGRESS", "AFFECTED", "WEIGHT", "STATE", "NAME" };

static int insights_show(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_insights_report *r = NULL;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	long ii;
	size_t k;
	int n, code;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which initiative? give its id or name");
	if ((code = load_report(cli, &r)) != 0)
		return code;
	if ((ii = xsm_insights_report_find_initiative(r, pos[0])) < 0) {
		xsm_insights_report_free(r);
		xsm_cli_error("no initiative '%s' (xsm insights lists them)", pos[0]);
		return XSM_EXIT_NOINPUT;
	}
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		if (cli->format == XSM_FMT_JSON) {
			doc_begin(cli, &w, "xsm.insights.show/1", r, NULL);
			xsm_jw_key(&w, "initiative");
			jw_initiative(&w, r, (size_t)ii, NULL, 0);
			xsm_jw_key(&w, "metrics");
			xsm_jw_arr(&w);
		}
		for (k = 0; k < xsm_insights_report_initiative(r, (size_t)ii)->nmetrics; k++) {
			jw_metric(&w, xsm_insights_report_metric(r, (size_t)xsm_insights_report_initiative_metric(r, (size_t)ii, k)));
			line_done(cli, &w, &b);
		}
		doc_end(cli, &w, &b, 1);
	} else {
		const xsm_initiative_info *in = xsm_insights_report_initiative(r, (size_t)ii);
		struct xsm_table t;
		char sc[16], tg[16];
		fmt_pct(sc, in->score);
		fmt_pct(tg, in->target);
		printf("%s (%s)\n%s\nscore %s, target %s%s\n\n", in->name, in->id, in->description, sc, tg,
		       in->score >= 0 && in->score >= in->target ? " (reached)" : "");
		xsm_table_init(&t, 6, metric_head);
		for (k = 0; k < in->nmetrics; k++)
			metric_table(&t, xsm_insights_report_metric(r, (size_t)xsm_insights_report_initiative_metric(r, (size_t)ii, k)));
		xsm_table_print(&t, stdout);
		xsm_table_free(&t);
	}
	xsm_buf_dispose(&b);
	xsm_insights_report_free(r);
	return 0;
}

static int insights_metrics(int argc, const char **argv, struct xsm_cli *cli, int recommendations)
{
	static const char *rec_head[] = { "METRIC", "STATE", "AFFECTED", "CRITICAL", "RECOMMENDATION" };
	const char *pos[1], *state = NULL, *initiative = NULL;
	struct xsm_opt opts[] = {
		{ "state", 0, XSM_OPT_STR, &state, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	struct xsm_opt mopts[] = {
		{ "initiative", 0, XSM_OPT_STR, &initiative, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	unsigned char *in = NULL; /* per metric: in the asked initiative */
	xsm_insights_report *r = NULL;
	xsm_buf b = XSM_BUF_INIT;
	struct xsm_table t;
	xsm_jw w;
	size_t i;
	int n, code;

	if ((n = xsm_opt_parse(cli, argc, argv, recommendations ? opts : mopts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (state && strcmp(state, "compliant") && strcmp(state, "not-compliant") && strcmp(state, "mitigated") &&
	    strcmp(state, "not-available"))
		return xsm_cli_usage(cli, "unknown state '%s' (compliant, not-compliant, mitigated, not-available)", state);
	if ((code = load_report(cli, &r)) != 0)
		return code;
	if (initiative) {
		long ini = xsm_insights_report_find_initiative(r, initiative), k, mi;
		if (ini < 0) {
			xsm_insights_report_free(r);
			xsm_cli_error("no initiative '%s' (see 'xsm insights')", initiative);
			return XSM_EXIT_NOINPUT;
		}
		if (!(in = calloc(xsm_insights_report_metric_count(r) + 1, 1))) {
			xsm_insights_report_free(r);
			return XSM_EXIT_OSERR;
		}
		for (k = 0; (mi = xsm_insights_report_initiative_metric(r, (size_t)ini, (size_t)k)) >= 0; k++)
			in[mi] = 1;
	}
	xsm_jw_init(&w, &b);
	if (machine(cli))
		doc_begin(cli, &w, recommendations ? "xsm.insights.recommendations/1" : "xsm.insights.metrics/1", r,
			  recommendations ? "recommendations" : "metrics");
	else
		xsm_table_init(&t, recommendations ? 5 : 6, recommendations ? rec_head : metric_head);
	for (i = 0; i < xsm_insights_report_metric_count(r); i++) {
		const xsm_metric_info *m = xsm_insights_report_metric(r, i);
		if ((state && strcmp(state, m->state)) || (in && !in[i]))
			continue;
		if (machine(cli) && !recommendations) {
			jw_metric(&w, m);
		} else if (machine(cli)) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "metric", m->id);
			xsm_jw_kstr(&w, "name", m->name);
			xsm_jw_kstr(&w, "state", m->state);
			xsm_jw_kint(&w, "affected", (int64_t)m->affected);
			xsm_jw_kint(&w, "total", (int64_t)m->total);
			xsm_jw_kint(&w, "critical_affected", (int64_t)m->critical_affected);
			xsm_jw_kstr(&w, "weight", xsm_weight_name(m->weight));
			xsm_jw_kstr(&w, "recommendation", m->recommendation);
			xsm_jw_obj_end(&w);
		} else if (!recommendations) {
			metric_table(&t, m);
		} else {
			char af[48], cr[24];
			snprintf(af, sizeof(af), "%zu/%zu", m->affected, m->total);
			snprintf(cr, sizeof(cr), "%zu", m->critical_affected);
			xsm_table_add(&t, m->id, xsm_metric_state_text(m->state), af, cr, m->recommendation);
		}
		line_done(cli, &w, &b);
	}
	if (machine(cli)) {
		doc_end(cli, &w, &b, 1);
	} else {
		xsm_table_print(&t, stdout);
		xsm_table_free(&t);
	}
	free(in);
	xsm_buf_dispose(&b);
	xsm_insights_report_free(r);
	return 0;
}

struct assets {
	const xsm_graph *g;
	struct xsm_cli *cli;
	xsm_jw *w;
	xsm_buf *b;
	struct xsm_table *t;
	size_t n;
	int limit;
};

static int asset_row(size_t i, void *payload)
{
	struct assets *a = payload;
	int level = xsm_critical_level(a->g, i);
	if (a->limit > 0 && a->n >= (size_t)a->limit)
		return 0;
	a->n++;
	if (a->w) {
		xsm_jw_obj(a->w);
		xsm_jw_kstr(a->w, "NodeId", xsm_graph_node_id(a->g, i));
		xsm_jw_kstr(a->w, "NodeName", xsm_graph_node_name(a->g, i));
		xsm_jw_kstr(a->w, "NodeLabel", xsm_graph_node_label(a->g, i));
		xsm_jw_kint(a->w, "criticalityLevel", level);
		xsm_jw_obj_end(a->w);
		line_done(a->cli, a->w, a->b);
	} else {
		char lv[32];
		snprintf(lv, sizeof(lv), "%d %s", level, xsm_level_name(level));
		xsm_table_add(a->t, xsm_graph_node_id(a->g, i), xsm_graph_node_label(a->g, i), lv, xsm_graph_node_name(a->g, i));
	}
	return 0;
}

static int insights_metric(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "NODEID", "LABEL", "LEVEL", "NAME" };
	const char *pos[1];
	int with_assets = 0, limit = 0, n, rc, code;
	struct xsm_opt opts[] = {
		{ "assets", 0, XSM_OPT_FLAG, &with_assets, NULL },
		{ "limit", 0, XSM_OPT_INT, &limit, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_insights_report *r = NULL;
	xsm_insights *ins = NULL;
	xsm_graph *g = NULL;
	xsm_buf b = XSM_BUF_INIT;
	struct xsm_table t;
	struct assets a;
	xsm_jw w;
	const xsm_metric_info *m;
	long mi;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which metric? give its id or name");
	if ((code = load_report(cli, &r)) != 0)
		return code;
	if ((mi = xsm_insights_report_find_metric(r, pos[0])) < 0) {
		xsm_insights_report_free(r);
		xsm_cli_error("no metric '%s' (xsm insights metrics lists them)", pos[0]);
		return XSM_EXIT_NOINPUT;
	}
	m = xsm_insights_report_metric(r, (size_t)mi);
	if (with_assets) {
		/* the affected assets are evaluated again on the snapshot the report belongs to */
		if ((rc = xsm_graph_load(&g, cli->store, xsm_insights_report_snapshot(r), XSM_LOAD_NO_EDGE_PROPS)) < 0 ||
		    (rc = xsm_insights_load(&ins, cli->store)) < 0) {
			code = xsm_cli_fail(cli, rc);
			goto done;
		}
	}
	memset(&a, 0, sizeof(a));
	a.g = g;
	a.cli = cli;
	a.b = &b;
	a.limit = limit;
	xsm_jw_init(&w, &b);
	if (machine(cli)) {
		a.w = &w;
		if (cli->format == XSM_FMT_JSON) {
			doc_begin(cli, &w, "xsm.insights.metric/1", r, NULL);
			xsm_jw_key(&w, "metric");
			jw_metric(&w, m);
			if (with_assets) {
				xsm_jw_key(&w, "assets");
				xsm_jw_arr(&w);
			}
		} else if (!with_assets) {
			jw_metric(&w, m);
			line_done(cli, &w, &b);
		}
		if (with_assets && (rc = xsm_insights_assets(ins, g, m->id, 1, asset_row, &a)) < 0) {
			code = xsm_cli_fail(cli, rc);
			goto done;
		}
		doc_end(cli, &w, &b, with_assets);
	} else {
		char pr[16];
		fmt_pct(pr, m->progress);
		printf("%s (%s)\n%s\nprogress %s: %zu of %zu %s affected (%zu critical); weight %s; state %s\n"
		       "initiatives: %s\nassets: %s\naffected: %s\nrecommendation: %s\n",
		       m->name, m->id, m->description, pr, m->affected, m->total, XSM_PL(m->total, "asset"),
		       m->critical_affected,
		       xsm_weight_name(m->weight), xsm_metric_state_text(m->state), m->initiatives, m->assets, m->affected_when,
		       m->recommendation);
		if (with_assets) {
			xsm_table_init(&t, 4, head);
			a.t = &t;
			if ((rc = xsm_insights_assets(ins, g, m->id, 1, asset_row, &a)) < 0) {
				xsm_table_free(&t);
				code = xsm_cli_fail(cli, rc);
				goto done;
			}
			printf("\n");
			if (a.n)
				xsm_table_print(&t, stdout);
			else
				printf("no affected assets\n");
			xsm_table_free(&t);
		}
	}
	code = 0;
done:
	xsm_buf_dispose(&b);
	xsm_graph_free(g);
	xsm_insights_free(ins);
	xsm_insights_report_free(r);
	return code;
}

/* --- export: the report as PDF (the product's "Export"), or its data as JSON or CSV --- */

/* the initiatives and metrics an export covers: all, one initiative and its metrics, or one metric and its initiatives */
struct selection {
	unsigned char *ini, *met;
};

static int select_subject(struct selection *sel, const xsm_insights_report *r, const char *subject)
{
	size_t ni = xsm_insights_report_initiative_count(r), nm = xsm_insights_report_metric_count(r);
	long i = subject ? xsm_insights_report_find_initiative(r, subject) : -1, m = -1, k;
	if (!(sel->ini = calloc(ni + 1, 1)) || !(sel->met = calloc(nm + 1, 1)))
		return XSM_EXIT_OSERR;
	if (subject && i < 0 && (m = xsm_insights_report_find_metric(r, subject)) < 0) {
		xsm_cli_error("no initiative or metric '%s' (xsm insights lists them)", subject);
		return XSM_EXIT_NOINPUT;
	}
	for (size_t a = 0; a < ni; a++)
		for (k = 0; xsm_insights_report_initiative_metric(r, a, (size_t)k) >= 0; k++) {
			long mk = xsm_insights_report_initiative_metric(r, a, (size_t)k);
			if (!subject || (long)a == i || mk == m)
				sel->ini[a] = sel->met[mk] = 1;
		}
	for (size_t a = 0; !subject && a < ni; a++)
		sel->ini[a] = 1;
	if (m >= 0)
		sel->met[m] = 1;
	return 0;
}

static void export_json(xsm_buf *b, const xsm_insights_report *r, const xsm_insights_trend *t, const struct selection *sel,
			const char *subject)
{
	xsm_jw w;
	xsm_jw_init(&w, b);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.insights.export/1");
	xsm_jw_kstr(&w, "snapshot", xsm_insights_report_snapshot(r));
	xsm_jw_kstr(&w, "subject", subject);
	xsm_jw_key(&w, "initiatives");
	xsm_jw_arr(&w);
	for (size_t i = 0; i < xsm_insights_report_initiative_count(r); i++)
		if (sel->ini[i])
			jw_initiative(&w, r, i, t, 1);
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "metrics");
	xsm_jw_arr(&w);
	for (size_t m = 0; m < xsm_insights_report_metric_count(r); m++)
		if (sel->met[m])
			jw_metric(&w, xsm_insights_report_metric(r, m));
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	xsm_buf_putc(b, '\n');
}

/* a CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break */
static void csv_field(xsm_buf *b, const char *s, int last)
{
	s = s ? s : "";
	if (strpbrk(s, ",\"\r\n")) {
		xsm_buf_putc(b, '"');
		for (; *s; s++)
			xsm_buf_printf(b, "%s%c", *s == '"' ? "\"" : "", *s);
		xsm_buf_putc(b, '"');
	} else {
		xsm_buf_puts(b, s);
	}
	xsm_buf_puts(b, last ? "\r\n" : ",");
}

static void csv_row(xsm_buf *b, const xsm_initiative_info *in, const xsm_metric_info *m)
{
	char sc[16], tg[16], pr[16], af[24], to[24], cr[24];
	fmt_pct(sc, in->score);
	snprintf(tg, sizeof(tg), "%g", in->target);
	fmt_pct(pr, m->progress);
	snprintf(af, sizeof(af), "%zu", m->affected);
	snprintf(to, sizeof(to), "%zu", m->total);
	snprintf(cr, sizeof(cr), "%zu", m->critical_affected);
	const char *cells[] = { in->id, in->name, strcmp(sc, "-") ? sc : "", tg, m->id, m->name, strcmp(pr, "-") ? pr : "",
				af, to, cr, xsm_weight_name(m->weight), m->state, m->recommendation };
	for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++)
		csv_field(b, cells[c], c + 1 == sizeof(cells) / sizeof(cells[0]));
}

/* one row a metric of each initiative covered */
static void export_csv(xsm_buf *b, const xsm_insights_report *r, const struct selection *sel)
{
	xsm_buf_puts(b, "initiative,initiative_name,score,target,metric,metric_name,progress,affected,total,"
			"critical_affected,weight,state,recommendation\r\n");
	for (size_t i = 0; i < xsm_insights_report_initiative_count(r); i++) {
		long mk;
		if (!sel->ini[i])
			continue;
		for (size_t k = 0; (mk = xsm_insights_report_initiative_metric(r, i, k)) >= 0; k++)
			if (sel->met[mk])
				csv_row(b, xsm_insights_report_initiative(r, i), xsm_insights_report_metric(r, (size_t)mk));
	}
}

/* the data of an export (json, csv) into b: 0, or an exit code after a message */
static int export_data(struct xsm_cli *cli, xsm_buf *b, const char *subject, int csv)
{
	xsm_insights_report *r = NULL;
	xsm_insights_trend *t = NULL;
	struct selection sel = { NULL, NULL };
	int code;

	if ((code = load_report(cli, &r)) != 0)
		return code;
	t = trend_load(cli);
	if ((code = select_subject(&sel, r, subject)) == 0) {
		if (csv)
			export_csv(b, r, &sel);
		else
			export_json(b, r, t, &sel, subject);
	}
	free(sel.ini);
	free(sel.met);
	xsm_insights_trend_free(t);
	xsm_insights_report_free(r);
	return code;
}

static int insights_export(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *out = NULL, *pos[1], *fmt;
	struct xsm_opt opts[] = {
		{ "output", 'o', XSM_OPT_STR, &out, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_buf b = XSM_BUF_INIT;
	int n, rc, code;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	fmt = cli->format_name ? cli->format_name : "pdf";
	if (strcmp(fmt, "pdf") && strcmp(fmt, "json") && strcmp(fmt, "csv"))
		return xsm_cli_usage(cli, "export writes pdf, json or csv, not '%s'", fmt);
	if (!strcmp(fmt, "pdf") && (code = xsm_cli_refuse_tty(cli, out, "a PDF", "xsm insights export -o insights.pdf")) != 0)
		return code;
	if (!strcmp(fmt, "pdf")) {
		code = (rc = xsm_report_pdf(&b, cli->store, n ? pos[0] : NULL, NULL)) < 0 ? xsm_cli_fail(cli, rc) : 0;
	} else {
		code = export_data(cli, &b, n ? pos[0] : NULL, !strcmp(fmt, "csv"));
	}
	if (code == 0)
		code = xsm_cli_write_file(cli, out, &b);
	xsm_buf_dispose(&b);
	return code;
}

static int save(void *arg, xsm_store *store)
{
	return xsm_insights_save(arg, store);
}

/*
 * What the audit log records as the state before a change: the metric's
 * state and weight, or the initiative's target, as the current snapshot's
 * report has them ("" without a report).
 */
static void state_before(xsm_buf *out, struct xsm_cli *cli, const char *metric, const char *initiative)
{
	xsm_insights_report *r = NULL;
	long k;
	xsm_buf_clear(out);
	if (xsm_insights_report_load(&r, cli->store, NULL) < 0) {
		xsm_ctx_clear(cli->ctx);
		return;
	}
	if (metric && (k = xsm_insights_report_find_metric(r, metric)) >= 0) {
		const xsm_metric_info *m = xsm_insights_report_metric(r, (size_t)k);
		xsm_buf_printf(out, "state %s, weight %s", m->user_state ? m->user_state : "active", xsm_weight_name(m->weight));
	} else if (initiative && (k = xsm_insights_report_find_initiative(r, initiative)) >= 0) {
		xsm_buf_printf(out, "%g", xsm_insights_report_initiative(r, (size_t)k)->target);
	}
	xsm_insights_report_free(r);
}

/* save the changes with their audit entry (before and after), then re-evaluate the current snapshot so scores change at once */
static int commit(struct xsm_cli *cli, xsm_insights *ins, const char *action, const char *target, const char *before,
		  const char *after)
{
	return xsm_cli_commit(cli, save, ins, action, target, before, after);
}

static int insights_set(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1], *state = NULL, *weight = NULL, *id;
	struct xsm_opt opts[] = {
		{ "state", 0, XSM_OPT_STR, &state, NULL },
		{ "weight", 0, XSM_OPT_STR, &weight, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_insights *ins = NULL;
	xsm_buf detail = XSM_BUF_INIT, before = XSM_BUF_INIT;
	int n, rc = 0, st = -1, wt = -1, code;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which metric? give its id or name");
	if (!state && !weight)
		return xsm_cli_usage(cli, "set needs --state or --weight");
	if (state && (st = xsm_metric_state_parse(state)) < 0)
		return xsm_cli_usage(cli, "unknown state '%s' (active, risk-accepted, mitigated)", state);
	if (weight && strcmp(weight, "default") && (wt = xsm_weight_parse(weight)) < 0)
		return xsm_cli_usage(cli, "unknown weight '%s' (high, medium, low, default)", weight);
	if ((code = xsm_cli_lock(cli)) != 0)
		return code;
	if ((rc = xsm_insights_load(&ins, cli->store)) < 0)
		return xsm_cli_fail(cli, rc);
	if (!(id = xsm_insights_metric_id(ins, pos[0]))) {
		code = xsm_cli_fail(cli, XSM_ENOTFOUND);
		xsm_insights_free(ins);
		return code;
	}
	if (state)
		rc = xsm_insights_set_state(ins, id, st);
	if (rc == 0 && weight)
		rc = xsm_insights_set_weight(ins, id, wt < 0 ? 0 : wt);
	if (rc < 0) {
		code = xsm_cli_fail(cli, rc);
	} else {
		if (state)
			xsm_buf_printf(&detail, "state %s", xsm_metric_state_name(st));
		if (weight)
			xsm_buf_printf(&detail, "%sweight %s", state ? ", " : "", weight);
		state_before(&before, cli, id, NULL);
		code = commit(cli, ins, "set metric", id, before.ptr ? before.ptr : "", detail.ptr);
	}
	xsm_buf_dispose(&detail);
	xsm_buf_dispose(&before);
	xsm_insights_free(ins);
	return code;
}

static int insights_target(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[2], *id;
	xsm_insights *ins = NULL;
	double target = -1;
	int n, rc, code;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 2)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 2)
		return xsm_cli_usage(cli, "target needs INITIATIVE and SCORE (0-100, or default)");
	if (strcmp(pos[1], "default")) {
		char *end;
		target = strtod(pos[1], &end);
		if (end == pos[1] || *end || !(target >= 0 && target <= 100))
			return xsm_cli_usage(cli, "a target score is 0 to 100, not '%s'", pos[1]);
	}
	if ((code = xsm_cli_lock(cli)) != 0)
		return code;
	if ((rc = xsm_insights_load(&ins, cli->store)) < 0)
		return xsm_cli_fail(cli, rc);
	if (!(id = xsm_insights_initiative_id(ins, pos[0])) ) {
		code = xsm_cli_fail(cli, XSM_ENOTFOUND);
	} else if ((rc = xsm_insights_set_target(ins, id, target)) < 0) {
		code = xsm_cli_fail(cli, rc);
	} else {
		xsm_buf before = XSM_BUF_INIT;
		state_before(&before, cli, NULL, id);
		code = commit(cli, ins, "set target", id, before.ptr ? before.ptr : "", pos[1]);
		xsm_buf_dispose(&before);
	}
	xsm_insights_free(ins);
	return code;
}

int cmd_insights(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	if (argc > 1 && (!strcmp(sub, "-h") || !strcmp(sub, "--help"))) {
		xsm_cli_print_usage(stdout, cli->cmd->usage);
		return 0;
	}
	if (argc > 1 && sub[0] == '-') /* options of the default subcommand */
		return insights_list(argc, argv, cli);
	if (!strcmp(sub, "list"))
		return insights_list(argc - (argc > 1), argv + (argc > 1), cli);
	if (!strcmp(sub, "show"))
		return insights_show(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "metrics"))
		return insights_metrics(argc - 1, argv + 1, cli, 0);
	if (!strcmp(sub, "recommendations"))
		return insights_metrics(argc - 1, argv + 1, cli, 1);
	if (!strcmp(sub, "metric") && argc > 2 && !strcmp(argv[2], "show")) /* "metric show M" reads as "metric M" */
		return insights_metric(argc - 2, argv + 2, cli);
	if (!strcmp(sub, "metric"))
		return insights_metric(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "set"))
		return insights_set(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "export"))
		return insights_export(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "target") || !strcmp(sub, "set-target"))
		return insights_target(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "weight")) {
		/* weight M high|medium|low|accepted|default: set --weight, or --state risk-accepted */
		const char *args[5];
		int accepted = argc == 4 && !strcmp(argv[3], "accepted");
		if (argc != 4)
			return xsm_cli_usage(cli, "weight needs a METRIC and high, medium, low, accepted or default");
		args[0] = "set";
		args[1] = argv[2];
		args[2] = accepted ? "--state" : "--weight";
		args[3] = accepted ? "risk-accepted" : argv[3];
		args[4] = NULL;
		return insights_set(4, args, cli);
	}
	return xsm_cli_usage(cli, "unknown insights command '%s'", sub);
}
