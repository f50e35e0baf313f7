/* pdf_report.c - xsm_report_pdf: the insights report of an initiative, a metric or all initiatives, as PDF. */
#include <stdio.h>
#include <string.h>

#include "adapt/pdf.h"
#include "ctx.h"
#include "exposure/graph.h"
#include "exposure/insights.h"
#include "exposure/report.h"
#include "exposure/version.h"
#include "report/page.h"
#include "util/buf.h"

/* the page, in points: text between the margins, a new page past the bottom */
#define ML 50.0
#define MR (XSM_PDF_W - 50.0)
#define BOTTOM (XSM_PDF_H - 60.0)

struct doc {
	xsm__pdf *pdf;
	xsm_ctx *ctx;
	const xsm_insights_report *r;
	const xsm_insights_trend *t;
	int64_t now;
	int days;
	size_t nodes;     /* the snapshot's, for the scope line */
	double y;         /* where the next line goes */
};

/* --- text -------------------------------------------------------------------------------- */

static void footer(struct doc *d)
{
	char line[160], when[32];
	xsm__page_time(when, d->now);
	snprintf(line, sizeof(line), "xsm %s \xc2\xb7 snapshot %s \xc2\xb7 %s \xc2\xb7 page %d", XSM_VERSION,
		 xsm_insights_report_snapshot(d->r), when, xsm__pdf_page(d->pdf));
	xsm__pdf_font(d->pdf, 7.5, 0, 0);
	xsm__pdf_rgb(d->pdf, 0x78909c);
	xsm__pdf_text(d->pdf, ML, XSM_PDF_H - 30, line);
}

static void new_page(struct doc *d)
{
	footer(d);
	xsm__pdf_next_page(d->pdf);
	d->y = 60;
}

/* room for h more points on this page, else the next one */
static void need(struct doc *d, double h)
{
	if (d->y + h > BOTTOM)
		new_page(d);
}

/* the longest start of s[0..n) that fits width w, cut after a space when one is there */
static size_t fit(struct doc *d, const char *s, size_t n, double w)
{
	char buf[1024];
	size_t lo = 1, hi = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1, best = 1, sp;
	while (lo <= hi) {
		size_t mid = (lo + hi) / 2;
		memcpy(buf, s, mid);
		buf[mid] = '\0';
		if (xsm__pdf_width(d->pdf, buf) <= w)
			best = mid, lo = mid + 1;
		else
			hi = mid - 1;
	}
	while (best < n && best > 1 && ((unsigned char)s[best] & 0xC0) == 0x80)
		best--; /* never inside a character */
	if (best >= n)
		return n;
	for (sp = best; sp > 0 && s[sp] != ' '; sp--)
		;
	return sp ? sp + 1 : best;
}

/* s in the current font, wrapped to width w from x, lines lh apart; pages turn as needed */
static void para(struct doc *d, double x, double w, double lh, const char *s)
{
	char buf[1024];
	size_t n = s ? strlen(s) : 0;
	while (n) {
		size_t k = fit(d, s, n, w);
		need(d, lh);
		snprintf(buf, sizeof(buf), "%.*s", (int)k, s);
		xsm__pdf_text(d->pdf, x, d->y + lh * 0.8, buf);
		d->y += lh;
		s += k;
		n -= k;
	}
}

static void heading(struct doc *d, const char *s, double size)
{
	need(d, size * 3);
	d->y += size * 0.6;
	xsm__pdf_font(d->pdf, size, 1, 0);
	xsm__pdf_rgb(d->pdf, 0x1c2329);
	para(d, ML, MR - ML, size * 1.3, s);
	d->y += size * 0.3;
}

static void body(struct doc *d, double size, unsigned rgb)
{
	xsm__pdf_font(d->pdf, size, 0, 0);
	xsm__pdf_rgb(d->pdf, rgb);
}

/* --- the trend chart -------------------------------------------------------------------- */

struct chart {
	double x, y, w, h;
	int64_t t0, t1;
};

static double cx(const struct chart *c, int64_t t)
{
	return c->x + (double)(t - c->t0) / (double)(c->t1 - c->t0) * c->w;
}

static double cy(const struct chart *c, double v)
{
	return c->y + c->h * (1 - v / 100);
}

static void chart_axes(struct doc *d, const struct chart *c)
{
	char s[16];
	body(d, 7, 0x78909c);
	for (int v = 0; v <= 100; v += 25) {
		xsm__pdf_rgb(d->pdf, 0xdfe5e8);
		xsm__pdf_line(d->pdf, c->x, cy(c, v), c->x + c->w, cy(c, v), 0.5, 0);
		snprintf(s, sizeof(s), "%d", v);
		xsm__pdf_rgb(d->pdf, 0x78909c);
		xsm__pdf_text(d->pdf, c->x - 6 - xsm__pdf_width(d->pdf, s), cy(c, v) + 2.5, s);
	}
	int k = 0;
	for (int64_t t = (c->t0 / 86400 + 1) * 86400; t <= c->t1; t += 86400, k++) {
		char iso[21];
		xsm_time_format(iso, t);
		xsm__pdf_line(d->pdf, cx(c, t), c->y + c->h, cx(c, t), c->y + c->h + 3, 0.5, 0);
		if (k % 2 == 0) {
			snprintf(s, sizeof(s), "%.5s", iso + 5);
			xsm__pdf_text(d->pdf, cx(c, t) - xsm__pdf_width(d->pdf, s) / 2, c->y + c->h + 11, s);
		}
	}
}

/* the series of an initiative (metric 0) or a metric's progress (metric 1), in colour rgb */
static void chart_series(struct doc *d, const struct chart *c, const char *id, int metric, unsigned rgb)
{
	double xy[2 * 64];
	size_t n = 0;
	xsm__pdf_rgb(d->pdf, rgb);
	for (size_t k = 0; k < xsm_insights_trend_count(d->t) && n < 64; k++) {
		double v = metric ? xsm_insights_trend_progress(d->t, k, id) : xsm_insights_trend_score(d->t, k, id);
		if (v < 0)
			continue;
		xy[2 * n] = cx(c, xsm_insights_trend_time(d->t, k));
		xy[2 * n + 1] = cy(c, v);
		xsm__pdf_dot(d->pdf, xy[2 * n], xy[2 * n + 1], 2);
		n++;
	}
	xsm__pdf_polyline(d->pdf, xy, n, 1.6);
}

static struct chart chart_frame(struct doc *d, double h)
{
	size_t n = xsm_insights_trend_count(d->t);
	struct chart c = { ML + 24, d->y + 6, MR - ML - 30, h, d->now - (int64_t)d->days * 86400, d->now };
	if (n && xsm_insights_trend_time(d->t, 0) < c.t0)
		c.t0 = xsm_insights_trend_time(d->t, 0);
	if (n && xsm_insights_trend_time(d->t, n - 1) > c.t1)
		c.t1 = xsm_insights_trend_time(d->t, n - 1);
	if (c.t1 <= c.t0)
		c.t1 = c.t0 + 86400;
	return c;
}

/* a chart of one initiative's score (its target dashed) or one metric's progress */
static void trend_chart(struct doc *d, const char *id, int metric, double target)
{
	struct chart c;
	char cap[96];
	need(d, 150);
	c = chart_frame(d, 110);
	chart_axes(d, &c);
	if (target >= 0) {
		xsm__pdf_rgb(d->pdf, 0xb00020);
		xsm__pdf_line(d->pdf, c.x, cy(&c, target), c.x + c.w, cy(&c, target), 0.8, 1);
	}
	chart_series(d, &c, id, metric, 0x1565c0);
	d->y = c.y + c.h + 18;
	snprintf(cap, sizeof(cap), "%s over the last %d days, one point a kept snapshot%s", metric ? "Progress" : "Score",
		 d->days, target >= 0 ? "; the dashed line is the target" : "");
	body(d, 7.5, 0x546e7a);
	para(d, ML, MR - ML, 10, cap);
	d->y += 6;
}

/* --- the parts ---------------------------------------------------------------------------- */

static double first_score(const struct doc *d, const char *id, int metric, double *last)
{
	double first = -1;
	*last = -1;
	for (size_t k = 0; k < xsm_insights_trend_count(d->t); k++) {
		double v = metric ? xsm_insights_trend_progress(d->t, k, id) : xsm_insights_trend_score(d->t, k, id);
		if (v >= 0 && first < 0)
			first = v;
		if (v >= 0)
			*last = v;
	}
	return first;
}

static void scope_line(struct doc *d, const char *what)
{
	char s[512];
	/* scores are the whole graph's, whoever asks (a scoped caller too) */
	snprintf(s, sizeof(s), "%s \xc2\xb7 scope: all assets of snapshot %s (%zu nodes)", what,
		 xsm_insights_report_snapshot(d->r), d->nodes);
	body(d, 8.5, 0x546e7a);
	para(d, ML, MR - ML, 11, s);
}

/* the big number, and how it stands */
static void score_block(struct doc *d, double score, double target, double change, const char *noun)
{
	char big[32], side[160];
	need(d, 40);
	if (score < 0)
		snprintf(big, sizeof(big), "no %s", noun);
	else
		snprintf(big, sizeof(big), "%.2f", score);
	xsm__pdf_font(d->pdf, 26, 1, 0);
	/* red below the target; a metric's target is no affected asset */
	xsm__pdf_rgb(d->pdf, score >= 0 && score < (target >= 0 ? target : 100) ? 0xc62828 : 0x2e7d32);
	xsm__pdf_text(d->pdf, ML, d->y + 26, big);
	if (target >= 0)
		snprintf(side, sizeof(side), "%s against a target of %.0f: %s", noun,
			 target, score < 0 ? "no data" : score < target ? "below target" : "on target");
	else
		snprintf(side, sizeof(side), "%s, 0 to 100", noun);
	if (change > -1000)
		snprintf(side + strlen(side), sizeof(side) - strlen(side), "; %+.2f over %d days", change, d->days);
	body(d, 9, 0x37474f);
	xsm__pdf_text(d->pdf, ML + 110, d->y + 24, side);
	d->y += 38;
}

/* metric table columns: name, progress, affected, weight, state */
static const double col_x[] = { ML, ML + 215, ML + 275, ML + 355, ML + 410 };

static void metric_row(struct doc *d, const xsm_metric_info *m, int shade)
{
	char pr[16], af[48];
	double y0;
	need(d, 26);
	y0 = d->y;
	if (shade) {
		xsm__pdf_rgb(d->pdf, 0xf3f6f7);
		xsm__pdf_rect(d->pdf, ML - 4, y0, MR - ML + 8, 13, 1);
	}
	snprintf(pr, sizeof(pr), m->progress < 0 ? "-" : "%.2f", m->progress);
	snprintf(af, sizeof(af), "%zu of %zu", m->affected, m->total);
	body(d, 8.5, 0x1c2329);
	xsm__pdf_text(d->pdf, col_x[1], y0 + 10, pr);
	xsm__pdf_text(d->pdf, col_x[2], y0 + 10, af);
	xsm__pdf_text(d->pdf, col_x[3], y0 + 10, xsm_weight_name(m->weight));
	xsm__pdf_text(d->pdf, col_x[4], y0 + 10, xsm_metric_state_text(m->state));
	para(d, col_x[0], col_x[1] - col_x[0] - 8, 13, m->name);
	if (d->y < y0 + 13)
		d->y = y0 + 13;
}

static void metric_table(struct doc *d, const xsm_metric_info *const *m, size_t n)
{
	static const char *const head[] = { "Metric", "Progress", "Affected", "Weight", "State" };
	heading(d, "Metrics", 12);
	need(d, 30);
	xsm__pdf_font(d->pdf, 8, 1, 0);
	xsm__pdf_rgb(d->pdf, 0x546e7a);
	for (size_t c = 0; c < 5; c++)
		xsm__pdf_text(d->pdf, col_x[c], d->y + 9, head[c]);
	d->y += 14;
	for (size_t i = 0; i < n; i++)
		metric_row(d, m[i], i % 2 == 0);
}

static void recommendations(struct doc *d, const xsm_metric_info *const *m, size_t n)
{
	char s[256];
	heading(d, "Recommendations", 12);
	for (size_t i = 0; i < n; i++) {
		if (!m[i]->recommendation || !*m[i]->recommendation)
			continue;
		need(d, 30);
		body(d, 9, 0x1c2329);
		xsm__pdf_text(d->pdf, ML, d->y + 8, "\xe2\x80\xa2");
		para(d, ML + 12, MR - ML - 12, 12, m[i]->recommendation);
		snprintf(s, sizeof(s), "%s: %s, %zu of %zu affected (%zu critical)", m[i]->name, xsm_metric_state_text(m[i]->state),
			 m[i]->affected, m[i]->total, m[i]->critical_affected);
		body(d, 7.5, 0x78909c);
		para(d, ML + 12, MR - ML - 12, 10, s);
		d->y += 4;
	}
}

/* --- the documents ------------------------------------------------------------------------ */

/* an initiative's or a metric's page begins: outline entry, name, what it is, its description */
static void page_head(struct doc *d, const char *name, const char *kind, const char *id, const char *description)
{
	char what[160];
	xsm__pdf_outline(d->pdf, name);
	heading(d, name, 20);
	snprintf(what, sizeof(what), "%s %s", kind, id);
	scope_line(d, what);
	body(d, 9.5, 0x37474f);
	d->y += 4;
	para(d, ML, MR - ML, 13, description);
	d->y += 8;
}

static void initiative(struct doc *d, size_t i)
{
	const xsm_initiative_info *in = xsm_insights_report_initiative(d->r, i);
	const xsm_metric_info *m[256];
	size_t n = 0;
	double last, first = first_score(d, in->id, 0, &last);

	page_head(d, in->name, "Initiative", in->id, in->description);
	score_block(d, in->score, in->target, first < 0 ? -1e9 : last - first, "score");
	trend_chart(d, in->id, 0, in->target);
	for (size_t k = 0; k < in->nmetrics && n < 256; k++)
		m[n++] = xsm_insights_report_metric(d->r, (size_t)xsm_insights_report_initiative_metric(d->r, i, k));
	metric_table(d, m, n);
	recommendations(d, m, n);
}

static void metric_facts(struct doc *d, const xsm_metric_info *m)
{
	char s[1024];
	int at = snprintf(s, sizeof(s), "%zu of %zu assets affected, %zu of them critical; weight %s; state %s; in initiatives ",
			  m->affected, m->total, m->critical_affected, xsm_weight_name(m->weight), xsm_metric_state_text(m->state));
	for (const char *c = m->initiatives ? m->initiatives : "-"; *c && at < (int)sizeof(s) - 3; c++) {
		if (*c == ',') /* the ids come comma-separated */
			s[at++] = ',', s[at++] = ' ';
		else
			s[at++] = *c;
		s[at] = '\0';
	}
	body(d, 9, 0x1c2329);
	para(d, ML, MR - ML, 12, s);
	heading(d, "Definition", 12);
	xsm__pdf_font(d->pdf, 8, 0, 1);
	snprintf(s, sizeof(s), "assets:   %s", m->assets ? m->assets : "");
	para(d, ML, MR - ML, 11, s);
	snprintf(s, sizeof(s), "affected: %s", m->affected_when ? m->affected_when : "");
	para(d, ML, MR - ML, 11, s);
}

static void metric(struct doc *d, size_t i)
{
	const xsm_metric_info *m = xsm_insights_report_metric(d->r, i);
	double last, first = first_score(d, m->id, 1, &last);

	page_head(d, m->name, "Metric", m->id, m->description);
	score_block(d, m->progress, -1, first < 0 ? -1e9 : last - first, "progress");
	trend_chart(d, m->id, 1, -1);
	metric_facts(d, m);
	recommendations(d, &m, 1);
}

/* every initiative: a first page of all the scores, then one part each */
static void all(struct doc *d)
{
	static const unsigned palette[] = { 0x1565c0, 0xc62828, 0x2e7d32, 0x6a1b9a, 0xef6c00, 0x00838f, 0x5d4037, 0xad1457 };
	size_t n = xsm_insights_report_initiative_count(d->r);
	struct chart c;
	char s[256];

	xsm__pdf_outline(d->pdf, "Initiatives");
	heading(d, "Exposure insights", 20);
	scope_line(d, "Every initiative");
	need(d, 150);
	c = chart_frame(d, 120);
	chart_axes(d, &c);
	for (size_t i = 0; i < n; i++)
		chart_series(d, &c, xsm_insights_report_initiative(d->r, i)->id, 0, palette[i % 8]);
	d->y = c.y + c.h + 20;
	for (size_t i = 0; i < n; i++) {
		const xsm_initiative_info *in = xsm_insights_report_initiative(d->r, i);
		need(d, 14);
		xsm__pdf_rgb(d->pdf, palette[i % 8]);
		xsm__pdf_rect(d->pdf, ML, d->y + 3, 8, 8, 1);
		if (in->score < 0)
			snprintf(s, sizeof(s), "%s: no score (target %.0f)", in->name, in->target);
		else
			snprintf(s, sizeof(s), "%s: %.2f (target %.0f%s)", in->name, in->score, in->target,
				 in->score < in->target ? ", below" : "");
		body(d, 9.5, 0x1c2329);
		xsm__pdf_text(d->pdf, ML + 14, d->y + 10, s);
		d->y += 14;
	}
	for (size_t i = 0; i < n; i++) {
		new_page(d);
		initiative(d, i);
	}
}

static int subject_doc(struct doc *d, const char *subject, const char **title)
{
	long i;
	if (!subject) {
		*title = "Exposure insights";
		all(d);
	} else if ((i = xsm_insights_report_find_initiative(d->r, subject)) >= 0) {
		*title = xsm_insights_report_initiative(d->r, (size_t)i)->name;
		initiative(d, (size_t)i);
	} else if ((i = xsm_insights_report_find_metric(d->r, subject)) >= 0) {
		*title = xsm_insights_report_metric(d->r, (size_t)i)->name;
		metric(d, (size_t)i);
	} else {
		return xsm__error_set(d->ctx, XSM_ENOTFOUND, "no initiative or metric '%s' (xsm insights lists them)", subject);
	}
	footer(d);
	return 0;
}

static int no_label(int edge, const char *label, size_t count, void *payload)
{
	(void)edge, (void)label, (void)count, (void)payload;
	return 0;
}

/* the snapshot's node count as its build stored it (no graph loaded); 0 when it did not */
static size_t node_count(xsm_store *store, const char *snapshot)
{
	size_t nodes = 0, edges = 0;
	xsm_buf meta = XSM_BUF_INIT;
	char id[40];
	if (xsm_graph_label_counts(store, snapshot, id, &meta, &nodes, &edges, no_label, NULL) < 0)
		xsm_ctx_clear(xsm_store_ctx(store));
	xsm_buf_dispose(&meta);
	return nodes;
}

int xsm_report_pdf(xsm_buf *out, xsm_store *store, const char *subject, const xsm_report_options *opts)
{
	static const xsm_report_options defaults = XSM_REPORT_OPTIONS_INIT;
	const xsm_report_options *o = opts && opts->version == XSM_REPORT_OPTIONS_VERSION ? opts : &defaults;
	xsm_insights_report *r = NULL;
	xsm_insights_trend *t = NULL;
	struct doc d;
	const char *title = NULL;
	int rc;

	memset(&d, 0, sizeof(d));
	d.ctx = xsm_store_ctx(store);
	d.now = xsm_ctx_now(d.ctx);
	d.days = o->trend_days;
	d.y = 60;
	if ((rc = xsm_insights_report_load(&r, store, NULL)) < 0 || (rc = xsm_insights_trend_load(&t, store, d.days)) < 0)
		goto done;
	d.r = r;
	d.t = t;
	d.nodes = node_count(store, xsm_insights_report_snapshot(r));
	if ((rc = xsm__pdf_new(&d.pdf, d.ctx)) < 0 || (rc = subject_doc(&d, subject, &title)) < 0)
		goto done;
	xsm__pdf_meta(d.pdf, title, "exposure insights report", "xsm " XSM_VERSION, d.now);
	rc = xsm__pdf_finish(d.pdf, out);
done:
	xsm__pdf_free(d.pdf);
	xsm_insights_trend_free(t);
	xsm_insights_report_free(r);
	return rc;
}
