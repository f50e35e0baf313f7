/* chart.c - the report's initiatives: scores against targets, their trend drawn as SVG, their metrics. */
#include <stdio.h>
#include <string.h>

#include "report/page.h"

/* the chart, in CSS pixels: the plot inside the margins */
enum { CW = 760, CH = 260, PL = 40, PR = 16, PT = 12, PB = 32 };

static const char *const palette[] = { "#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f",
				       "#5d4037", "#ad1457", "#9e9d24", "#37474f" };
#define NPAL (sizeof(palette) / sizeof(palette[0]))

/* the time axis: from days before now (or the first point) to now (or the last) */
struct axis {
	int64_t t0, t1;
	double x0, w;
};

static struct axis time_axis(const struct xsm__page *p, double x0, double w)
{
	const xsm_insights_trend *t = p->trend;
	size_t n = xsm_insights_trend_count(t);
	struct axis a = { p->now - (int64_t)p->o->trend_days * 86400, p->now, x0, w };
	if (n && xsm_insights_trend_time(t, 0) < a.t0)
		a.t0 = xsm_insights_trend_time(t, 0);
	if (n && xsm_insights_trend_time(t, n - 1) > a.t1)
		a.t1 = xsm_insights_trend_time(t, n - 1);
	if (a.t1 <= a.t0)
		a.t1 = a.t0 + 86400;
	return a;
}

static double ax_x(const struct axis *a, int64_t t)
{
	return a->x0 + (double)(t - a->t0) / (double)(a->t1 - a->t0) * a->w;
}

static void grid(xsm__html *h, const struct axis *a)
{
	double ph = CH - PT - PB;
	for (int v = 0; v <= 100; v += 25) {
		double y = PT + ph * (1 - v / 100.0);
		xsm__html_printf(h, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
				    "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>",
				 PL, y, CW - PR, y, PL - 6, y + 4, v);
	}
	/* a tick at each midnight, a date on every other one */
	int k = 0;
	for (int64_t d = (a->t0 / 86400 + 1) * 86400; d <= a->t1; d += 86400, k++) {
		char iso[21];
		double x = ax_x(a, d);
		xsm_time_format(iso, d);
		xsm__html_printf(h, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, CH - PB, x,
				 CH - PB + 4);
		if (k % 2 == 0)
			xsm__html_printf(h, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.5s</text>", x,
					 CH - PB + 16, iso + 5);
	}
}

/* one initiative's line and points */
static void series(xsm__html *h, const struct xsm__page *p, const struct axis *a, const xsm_initiative_info *in,
		   const char *colour)
{
	const xsm_insights_trend *t = p->trend;
	double ph = CH - PT - PB;
	int open = 0;
	xsm__html_printf(h, "<g class=\"series\" data-initiative=\"");
	xsm__html_text(h, in->id);
	xsm__html_printf(h, "\" stroke=\"%s\" fill=\"%s\"><path fill=\"none\" d=\"", colour, colour);
	for (size_t k = 0; k < xsm_insights_trend_count(t); k++) {
		double s = xsm_insights_trend_score(t, k, in->id);
		if (s < 0) {
			open = 0;
			continue;
		}
		xsm__html_printf(h, "%s%.1f %.1f", open ? "L" : "M", ax_x(a, xsm_insights_trend_time(t, k)),
				 PT + ph * (1 - s / 100));
		open = 1;
	}
	xsm__html_puts(h, "\"/>");
	for (size_t k = 0; k < xsm_insights_trend_count(t); k++) {
		double s = xsm_insights_trend_score(t, k, in->id);
		if (s < 0)
			continue;
		xsm__html_printf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", ax_x(a, xsm_insights_trend_time(t, k)),
				 PT + ph * (1 - s / 100));
		xsm__html_text(h, in->name);
		xsm__html_printf(h, ": %.2f, snapshot %s</title></circle>", s, xsm_insights_trend_snapshot(t, k));
	}
	xsm__html_puts(h, "</g>\n");
}

static void trend_chart(xsm__html *h, const struct xsm__page *p)
{
	struct axis a = time_axis(p, PL, CW - PL - PR);
	size_t n = xsm_insights_report_initiative_count(p->ins);
	xsm__html_printf(h, "<svg class=\"chart\" id=\"trend-chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			    "role=\"img\" aria-label=\"initiative scores over %d days\">\n",
			 CW, CH, CW, CH, p->o->trend_days);
	grid(h, &a);
	for (size_t i = 0; i < n; i++)
		series(h, p, &a, xsm_insights_report_initiative(p->ins, i), palette[i % NPAL]);
	xsm__html_puts(h, "</svg>\n<ul class=\"legend\">");
	for (size_t i = 0; i < n; i++) {
		xsm__html_printf(h, "<li><span class=\"swatch\" style=\"background:%s\"></span>", palette[i % NPAL]);
		xsm__html_text(h, xsm_insights_report_initiative(p->ins, i)->name);
		xsm__html_puts(h, "</li>");
	}
	xsm__html_puts(h, "</ul>\n");
}

/* a small trend of one initiative, its target dashed */
static void sparkline(xsm__html *h, const struct xsm__page *p, const xsm_initiative_info *in)
{
	enum { SW = 120, SH = 28 };
	struct axis a = time_axis(p, 2, SW - 4);
	int open = 0;
	xsm__html_printf(h, "<svg class=\"spark\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
			    "<line class=\"target\" x1=\"0\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><path d=\"",
			 SW, SH, SW, SH, 2 + (SH - 4) * (1 - in->target / 100), SW, 2 + (SH - 4) * (1 - in->target / 100));
	for (size_t k = 0; k < xsm_insights_trend_count(p->trend); k++) {
		double s = xsm_insights_trend_score(p->trend, k, in->id);
		if (s >= 0)
			xsm__html_printf(h, "%s%.1f %.1f", open++ ? "L" : "M", ax_x(&a, xsm_insights_trend_time(p->trend, k)),
					 2 + (SH - 4) * (1 - s / 100));
	}
	xsm__html_puts(h, "\"/></svg>");
}

/* the change over the trend: the last score less the first */
static void change(xsm__html *h, const struct xsm__page *p, const xsm_initiative_info *in)
{
	double first = -1, last = -1;
	for (size_t k = 0; k < xsm_insights_trend_count(p->trend); k++) {
		double s = xsm_insights_trend_score(p->trend, k, in->id);
		if (s >= 0 && first < 0)
			first = s;
		if (s >= 0)
			last = s;
	}
	if (first < 0)
		xsm__html_puts(h, "<td class=\"num\">-</td>");
	else
		xsm__html_printf(h, "<td class=\"num %s\">%+.2f</td>", last < first ? "down" : last > first ? "up" : "",
				 last - first);
}

static void score_cell(xsm__html *h, double v)
{
	if (v < 0)
		xsm__html_puts(h, "<td class=\"num\">-</td>");
	else
		xsm__html_printf(h, "<td class=\"num\"><span class=\"bar\"><span style=\"width:%.0f%%\"></span></span> %.2f</td>",
				 v, v);
}

/* the metrics of initiative i, folded */
static void metrics(xsm__html *h, const struct xsm__page *p, size_t i)
{
	const xsm_initiative_info *in = xsm_insights_report_initiative(p->ins, i);
	xsm__html_puts(h, "<tr class=\"metrics\"><td colspan=\"7\"><details><summary>");
	xsm__html_counted(h, in->nmetrics, "metric", "metrics");
	xsm__html_puts(h, "</summary><table><tr><th>metric</th><th>progress</th><th>affected</th><th>weight</th>"
			  "<th>state</th><th>recommendation</th></tr>\n");
	for (size_t k = 0; k < in->nmetrics; k++) {
		const xsm_metric_info *m = xsm_insights_report_metric(p->ins, (size_t)xsm_insights_report_initiative_metric(p->ins, i, k));
		xsm__html_puts(h, "<tr><td>");
		xsm__html_text(h, m->name);
		xsm__html_puts(h, "</td>");
		score_cell(h, m->progress);
		xsm__html_printf(h, "<td class=\"num\">%zu of %zu</td><td>%s</td><td>", m->affected, m->total,
				 xsm_weight_name(m->weight));
		xsm__html_text(h, xsm_metric_state_text(m->state));
		xsm__html_puts(h, "</td><td>");
		xsm__html_text(h, m->recommendation);
		xsm__html_puts(h, "</td></tr>\n");
	}
	xsm__html_puts(h, "</table></details></td></tr>\n");
}

static void initiative_row(xsm__html *h, const struct xsm__page *p, size_t i)
{
	const xsm_initiative_info *in = xsm_insights_report_initiative(p->ins, i);
	int below = in->score >= 0 && in->score < in->target;
	xsm__html_puts(h, "<tr class=\"initiative\" data-initiative=\"");
	xsm__html_text(h, in->id);
	xsm__html_printf(h, "\"><td><span class=\"swatch\" style=\"background:%s\"></span>", palette[i % NPAL]);
	xsm__html_text(h, in->name);
	xsm__html_puts(h, "</td>");
	score_cell(h, in->score);
	xsm__html_printf(h, "<td class=\"num\">%.0f</td><td class=\"%s\">%s</td>", in->target, below ? "down" : "up",
			 in->score < 0 ? "no data" : below ? "below target" : "on target");
	change(h, p, in);
	xsm__html_puts(h, "<td>");
	sparkline(h, p, in);
	xsm__html_puts(h, "</td><td>");
	xsm__html_text(h, in->description);
	xsm__html_puts(h, "</td></tr>\n");
	metrics(h, p, i);
}

void xsm__page_initiatives(xsm__html *h, const struct xsm__page *p)
{
	size_t n = xsm_insights_report_initiative_count(p->ins);
	xsm__html_puts(h, "<section id=\"initiatives\"><h2>Initiative scores</h2>\n<p>");
	xsm__html_counted(h, n, "initiative", "initiatives");
	xsm__html_printf(h, ", scored 0 to 100 against their targets; the trend is the last %d days of kept snapshots (",
			 p->o->trend_days);
	xsm__html_counted(h, xsm_insights_trend_count(p->trend), "point", "points");
	xsm__html_puts(h, ").</p>\n");
	trend_chart(h, p);
	xsm__html_printf(h, "<table id=\"initiatives-table\"><tr><th>initiative</th><th>score</th><th>target</th><th></th>"
			    "<th>%d-day change</th><th>trend</th><th>about</th></tr>\n",
			 p->o->trend_days);
	for (size_t i = 0; i < n; i++)
		initiative_row(h, p, i);
	xsm__html_puts(h, "</table></section>\n");
}
