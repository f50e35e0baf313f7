/*
 * exposure/insights.h - exposure insights: initiatives made of metrics
 * (config/initiatives.yaml), the user's changes to them
 * (STORE/rules/initiatives.yaml: metric state and weight, initiative
 * targets), their evaluation over a graph and the stored result of a
 * snapshot (insights.json, xsm-json(7)).
 *
 * A metric counts, of the nodes matching its `assets` expression (the
 * total), those also matching `affected`.  Progress = 100 x (1 -
 * affected/total); no asset in the total makes it "not available".
 * Weights: high 3, medium 2, low 1; a risk-accepted metric weighs 0; a
 * mitigated one counts as progress 100.  An initiative's score is the
 * weighted mean of the progress of its available metrics.
 */
#ifndef XSM_INSIGHTS_H
#define XSM_INSIGHTS_H

#include "common.h"
#include "graph.h"
#include "store.h"

XSM_BEGIN_DECL

/** The state a user gives a metric. */
enum { XSM_METRIC_ACTIVE = 0, XSM_METRIC_RISK_ACCEPTED, XSM_METRIC_MITIGATED };

/** "active" (also "none", "default"), "risk-accepted", "mitigated" -> XSM_METRIC_*; -1 when unknown. */
XSM_EXTERN(int) xsm_metric_state_parse(const char *s);
XSM_EXTERN(const char *) xsm_metric_state_name(int state);
/** A metric's compliance state as a person reads it ("not-compliant" -> "not compliant"); "-" for NULL. */
XSM_EXTERN(const char *) xsm_metric_state_text(const char *state);
/** "high" 3, "medium" 2, "low" 1; -1 when unknown. */
XSM_EXTERN(int) xsm_weight_parse(const char *s);
/** 3 "high", 2 "medium", 1 "low", 0 "risk accepted". */
XSM_EXTERN(const char *) xsm_weight_name(int weight);

/** Initiative and metric definitions with the store's changes. */
typedef struct xsm_insights xsm_insights;

/**
 * Load initiatives.yaml from the data directory (data.dir, else the
 * installed share/xsm) and the store's rules/initiatives.yaml.  Every
 * expression is compiled; a bad one, an unknown metric in an initiative or
 * a change to an unknown metric is XSM_ECONFIG with file:line:col.
 * Caller owns *out.
 */
XSM_EXTERN(int) xsm_insights_load(xsm_insights **out, xsm_store *store);
XSM_EXTERN(void) xsm_insights_free(xsm_insights *ins);

/**
 * The id of the metric (or initiative) named by its id or, ignoring case,
 * its name; borrowed.  NULL with XSM_ENOTFOUND set on the context.
 */
XSM_EXTERN(const char *) xsm_insights_metric_id(xsm_insights *ins, const char *id_or_name);
XSM_EXTERN(const char *) xsm_insights_initiative_id(xsm_insights *ins, const char *id_or_name);

/** Set a metric's state (XSM_METRIC_*). */
XSM_EXTERN(int) xsm_insights_set_state(xsm_insights *ins, const char *metric, int state);
/** Set a metric's weight (1-3), or 0 for the one it ships with. */
XSM_EXTERN(int) xsm_insights_set_weight(xsm_insights *ins, const char *metric, int weight);
/** Set an initiative's target score (0-100), or < 0 for the one it ships with. */
XSM_EXTERN(int) xsm_insights_set_target(xsm_insights *ins, const char *initiative, double target);
/** Write STORE/rules/initiatives.yaml atomically.  Needs the writer lock. */
XSM_EXTERN(int) xsm_insights_save(const xsm_insights *ins, xsm_store *store);

/**
 * Evaluate every metric over g (after criticality and paths) and write the
 * result as insights.json text (schema xsm.insights/1) into out.
 * Deterministic: metrics sorted by id, initiatives by name.
 */
XSM_EXTERN(int) xsm_insights_compute(xsm_buf *out, xsm_insights *ins, const xsm_graph *g);

/** The nodes of g a metric counts as affected (affected == 1) or in its total (0): cb gets each index. */
XSM_EXTERN(int) xsm_insights_assets(xsm_insights *ins, const xsm_graph *g, const char *metric, int affected,
				    int (*cb)(size_t node, void *payload), void *payload);

/** A metric of a report (strings borrowed from it). */
typedef struct xsm_metric_info {
	const char *id, *name, *description, *recommendation;
	const char *assets, *affected_when;  /**< the expressions */
	const char *state;       /**< compliant, not-compliant, mitigated, not-available */
	const char *user_state;  /**< active, risk-accepted, mitigated */
	int weight;              /**< effective: 3, 2, 1, or 0 when risk-accepted */
	int default_weight;
	size_t affected, total;
	size_t critical_affected; /**< affected assets at criticality level 0 or 1 */
	double progress;         /**< 0-100, two decimals; -1 when not available */
	const char *initiatives; /**< ids, comma-separated */
} xsm_metric_info;

/** An initiative of a report. */
typedef struct xsm_initiative_info {
	const char *id, *name, *description;
	double score;            /**< 0-100, two decimals; -1 when no metric counts */
	double target;
	size_t nmetrics;
} xsm_initiative_info;

/** The insights of one snapshot. */
typedef struct xsm_insights_report xsm_insights_report;

/** Read insights.json of a snapshot (NULL: the current).  XSM_ENOINPUT without one. */
XSM_EXTERN(int) xsm_insights_report_load(xsm_insights_report **out, xsm_store *store, const char *snapshot);
/** Parse insights.json text (snapshot names it, may be NULL). */
XSM_EXTERN(int) xsm_insights_report_parse(xsm_insights_report **out, xsm_ctx *ctx, const char *json, size_t len,
					  const char *snapshot);
XSM_EXTERN(void) xsm_insights_report_free(xsm_insights_report *r);
XSM_EXTERN(const char *) xsm_insights_report_snapshot(const xsm_insights_report *r);
XSM_EXTERN(size_t) xsm_insights_report_metric_count(const xsm_insights_report *r);
XSM_EXTERN(const xsm_metric_info *) xsm_insights_report_metric(const xsm_insights_report *r, size_t i);
XSM_EXTERN(size_t) xsm_insights_report_initiative_count(const xsm_insights_report *r);
XSM_EXTERN(const xsm_initiative_info *) xsm_insights_report_initiative(const xsm_insights_report *r, size_t i);
/** The k-th metric of initiative i, as an index of the report's metrics (-1 when out of range). */
XSM_EXTERN(long) xsm_insights_report_initiative_metric(const xsm_insights_report *r, size_t i, size_t k);
/** Index of a metric / initiative by id or name (case-insensitive), or -1. */
XSM_EXTERN(long) xsm_insights_report_find_metric(const xsm_insights_report *r, const char *id_or_name);
XSM_EXTERN(long) xsm_insights_report_find_initiative(const xsm_insights_report *r, const char *id_or_name);

/**
 * A trend: the insights of the snapshots kept from the last days days
 * before the context's clock (and any after it), oldest first, at most
 * 64 of them (the newest).  Snapshots without insights are left out.
 * Where the 14-day trends of xsm-insights(1) and xsm-report(1) come from.
 */
typedef struct xsm_insights_trend xsm_insights_trend;

/** Load the trend of store over days days.  An empty trend is not an error.  Caller owns *out. */
XSM_EXTERN(int) xsm_insights_trend_load(xsm_insights_trend **out, xsm_store *store, int days);
XSM_EXTERN(void) xsm_insights_trend_free(xsm_insights_trend *t);
/** Points of the trend (0 for NULL). */
XSM_EXTERN(size_t) xsm_insights_trend_count(const xsm_insights_trend *t);
/** Point k's snapshot id, and its time (seconds since the epoch, from the id). */
XSM_EXTERN(const char *) xsm_insights_trend_snapshot(const xsm_insights_trend *t, size_t k);
XSM_EXTERN(int64_t) xsm_insights_trend_time(const xsm_insights_trend *t, size_t k);
/** An initiative's score, a metric's progress (by id) at point k; -1 when it has none there. */
XSM_EXTERN(double) xsm_insights_trend_score(const xsm_insights_trend *t, size_t k, const char *initiative);
XSM_EXTERN(double) xsm_insights_trend_progress(const xsm_insights_trend *t, size_t k, const char *metric);
/** The time a snapshot id names ("20261124T120000Z-0001"): 0, or XSM_EINVALID (no message). */
XSM_EXTERN(int) xsm_snapshot_time(int64_t *out, const char *snapshot);

XSM_END_DECL

#endif
