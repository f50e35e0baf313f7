/*
 * exposure/match.h - pattern queries over the exposure graph
 * (xsm-match(7)): node patterns with labels and conditions in the
 * expression language, edge patterns with labels, direction and a bounded
 * number of hops, several patterns joined by shared variables, a where
 * clause and a projection, in the spirit of KQL's graph-match and Cypher's
 * MATCH.
 */
#ifndef XSM_MATCH_H
#define XSM_MATCH_H

#include "common.h"
#include "ctx.h"
#include "graph.h"

XSM_BEGIN_DECL

/** The result of one query: its rows, sorted, and how to print them. */
typedef struct xsm_match xsm_match;

#define XSM_MATCH_OPTS_VERSION 1

/** Limits of a query. */
typedef struct xsm_match_opts {
	unsigned int version;   /**< XSM_MATCH_OPTS_VERSION */
	int max_hops;           /**< the most hops an edge pattern may span (paths.max_hops) */
	size_t max_results;     /**< stop a query whose matches (or partial matches) pass this; 0: 100000 */
} xsm_match_opts;

/**
 * Check a query without a graph, as xsm_match_run would parse it: a bad
 * query is refused before a graph is loaded.  XSM_EINVALID with
 * "col N: reason" on a syntax error; XSM_EUSAGE for an unbounded or too
 * long variable-length edge.
 */
XSM_EXTERN(int) xsm_match_check(xsm_ctx *ctx, const char *query, int max_hops);

/**
 * Run query on g.  Errors as xsm_match_check, and XSM_EUSAGE when the
 * matches pass opts->max_results (the query is stopped, not truncated).
 * Caller owns *out.  Errors go to g's context.
 */
XSM_EXTERN(int) xsm_match_run(xsm_match **out, const xsm_graph *g, const char *query, const xsm_match_opts *opts);

/** How many rows matched. */
XSM_EXTERN(size_t) xsm_match_count(const xsm_match *m);
/** The columns of the human table (the projection, or the named nodes and the path). */
XSM_EXTERN(size_t) xsm_match_columns(const xsm_match *m);
XSM_EXTERN(const char *) xsm_match_column(const xsm_match *m, size_t k);
/** Cell (row, col) as text a person reads, into out (cleared first). */
XSM_EXTERN(int) xsm_match_cell(xsm_buf *out, const xsm_match *m, size_t row, size_t col);
/** Row as one compact JSON object (xsm-json(7), xsm.graph.match/1 "matches"), appended to out. */
XSM_EXTERN(int) xsm_match_json(xsm_buf *out, const xsm_match *m, size_t row);
/** Whether the query has a projection (project ...). */
XSM_EXTERN(int) xsm_match_projected(const xsm_match *m);
/** Release a result.  Accepts NULL. */
XSM_EXTERN(void) xsm_match_free(xsm_match *m);

XSM_END_DECL

#endif
