/*
 * report/page.h - the HTML report's parts: what is read once for the
 * whole page, and one function a section.
 */
#ifndef XSM__REPORT_PAGE_H
#define XSM__REPORT_PAGE_H

#include "exposure/graph.h"
#include "exposure/insights.h"
#include "exposure/paths.h"
#include "exposure/report.h"
#include "report/html.h"

struct xsm__page {
	xsm_ctx *ctx;
	xsm_store *store;
	const xsm_report_options *o;
	int64_t now;
	xsm_insights_report *ins;
	xsm_insights_trend *trend;  /* may be empty */
	xsm_pathset *paths;         /* the current snapshot's, as paths.idx has them */
	size_t *order;              /* the paths, most serious first */
	xsm_graph *g;               /* the snapshot, for its critical assets */
};

/* a string of a time: "2026-11-24 12:00 UTC" */
void xsm__page_time(char out[32], int64_t t);

/* the sections, each a <section id="..."> */
void xsm__page_initiatives(xsm__html *h, const struct xsm__page *p);
int xsm__page_paths(xsm__html *h, const struct xsm__page *p);
int xsm__page_chokepoints(xsm__html *h, const struct xsm__page *p);
int xsm__page_critical(xsm__html *h, const struct xsm__page *p);
int xsm__page_events(xsm__html *h, const struct xsm__page *p);
int xsm__page_sources(xsm__html *h, const struct xsm__page *p);

#endif
