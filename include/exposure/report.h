/*
 * exposure/report.h - reports a person reads: the exposure of a store as
 * one self-contained HTML page (xsm-report(1)), and the initiatives'
 * report as PDF (xsm-insights(1), export).  Both are built whole in
 * memory from the current snapshot and the store, deterministic for a
 * store and a clock (XSM_NOW), and written by the caller.
 */
#ifndef XSM_REPORT_H
#define XSM_REPORT_H

#include "common.h"
#include "store.h"

XSM_BEGIN_DECL

/** What a report shows. */
typedef struct xsm_report_options {
	unsigned int version;
	/**
	 * The attack path map draws every path while there are at most
	 * map_paths paths crossing at most map_nodes nodes; past either it
	 * groups the paths by choke point (entry side, choke point, target
	 * side, the counts as edge widths) and says so.
	 */
	size_t map_paths, map_nodes;
	/** Grouping reads the steps of the map_scan most serious paths at most (0: all). */
	size_t map_scan;
	/** Rows of each list (attack paths, critical assets, events). */
	size_t rows;
	/** Days of score trend. */
	int trend_days;
} xsm_report_options;

#define XSM_REPORT_OPTIONS_VERSION 1
#define XSM_REPORT_OPTIONS_INIT { XSM_REPORT_OPTIONS_VERSION, 60, 150, 200000, 100, 14 }

/**
 * The exposure report of store's current snapshot as one HTML document
 * into out (replacing what it held): initiative scores with their trend
 * (SVG), the attack path map (SVG), choke points, critical assets and
 * why, recent events and the sources' status.  Inline CSS and SVG only:
 * no script, nothing fetched.  Every string from the data is escaped.
 * opts may be NULL (XSM_REPORT_OPTIONS_INIT).  XSM_ENOINPUT without a
 * snapshot; XSM_EDENIED under a device scope (xsm_ctx_set_scope): the
 * page is the whole store's.
 */
XSM_EXTERN(int) xsm_report_html(xsm_buf *out, xsm_store *store, const xsm_report_options *opts);

/**
 * The insights report as a PDF document into out: subject names an
 * initiative or a metric (id or name), or NULL for every initiative.
 * Title, scope, score against target with its trend drawn, the metrics
 * with their values, recommendations.  XSM_ENOTFOUND for an unknown
 * subject, XSM_ENOINPUT without a snapshot.
 */
XSM_EXTERN(int) xsm_report_pdf(xsm_buf *out, xsm_store *store, const char *subject, const xsm_report_options *opts);

XSM_END_DECL

#endif
