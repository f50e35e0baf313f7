/*
 * exposure/whatif.h - what-if remediation (xsm-paths(1), paths whatif):
 * changes simulated on a loaded snapshot (the caller's copy in memory;
 * nothing is written), then the attack paths, choke points and initiative
 * scores computed again and compared with the snapshot's stored ones.
 */
#ifndef XSM_WHATIF_H
#define XSM_WHATIF_H

#include "common.h"
#include "ctx.h"
#include "graph.h"
#include "store.h"

XSM_BEGIN_DECL

/** A set of changes, and after xsm_whatif_run what they would do. */
typedef struct xsm_whatif xsm_whatif;

XSM_EXTERN(int) xsm_whatif_new(xsm_whatif **out, xsm_ctx *ctx);
/** Release it.  Accepts NULL. */
XSM_EXTERN(void) xsm_whatif_free(xsm_whatif *w);

/*
 * The changes, any number, in any mix; nodes by NodeId or an unambiguous
 * name, as everywhere.  They are checked against the graph by
 * xsm_whatif_run (XSM_ENOTFOUND names the one that names nothing).
 */
/** Remove a node (its edges go, and it is neither entry point nor target) or an edge (by EdgeId, "e-..."). */
XSM_EXTERN(int) xsm_whatif_remove(xsm_whatif *w, const char *node_or_edge);
/** Remove the edges labelled label from one node to another. */
XSM_EXTERN(int) xsm_whatif_remove_edge(xsm_whatif *w, const char *from, const char *label, const char *to);
/** Patch cve everywhere (on NULL) or on one asset: its affecting edges go and the assets' summaries are recomputed. */
XSM_EXTERN(int) xsm_whatif_fix(xsm_whatif *w, const char *cve, const char *on);
/** Cut every edge into and out of a node. */
XSM_EXTERN(int) xsm_whatif_isolate(xsm_whatif *w, const char *node);
/** Give a node a manual criticality level (0-3), as `xsm critical set` would. */
XSM_EXTERN(int) xsm_whatif_set_critical(xsm_whatif *w, const char *node, int level);
/** Propose the n (1-20) edge removals or CVE fixes that cut the most entry-target pairs, greedily. */
XSM_EXTERN(int) xsm_whatif_top_fixes(xsm_whatif *w, int n);

/**
 * Apply the changes to g, a graph the caller loaded with
 * xsm_graph_load(..., 0) from store and will not use for anything else
 * (it is changed in memory), and compare with the snapshot's stored paths,
 * choke points and insights.
 */
XSM_EXTERN(int) xsm_whatif_run(xsm_whatif *w, xsm_store *store, xsm_graph *g);

/** A path in a what-if result (strings borrowed from the result). */
typedef struct xsm_whatif_path {
	const char *id, *entry, *target;
	int hops, risk;
	int hops_after;           /**< rerouted paths: the new length */
} xsm_whatif_path;

/** A choke point before or after. */
typedef struct xsm_whatif_choke {
	const char *id, *name, *label;
	long paths;
	long pairs_cut;           /**< -1: not computed (null in the stored file) */
} xsm_whatif_choke;

/** An initiative's score before and after (-1: not available). */
typedef struct xsm_whatif_score {
	const char *id, *name;
	double before, after;
} xsm_whatif_score;

/** A node whose criticality level the changes change (4: not critical). */
typedef struct xsm_whatif_level {
	const char *id, *name, *label;
	int before, after;
} xsm_whatif_level;

/** A proposed fix of --top-fixes. */
typedef struct xsm_whatif_proposal {
	const char *kind;         /**< "remove-edge" or "fix" */
	const char *what;         /**< the change as a person reads it */
	const char *edge_id;      /**< remove-edge: the EdgeId, else NULL */
	const char *from, *label, *to; /**< remove-edge: names, as --remove-edge takes them */
	const char *cve, *on;     /**< fix: the CVE and the asset (NULL: everywhere) */
	size_t pairs_cut;         /**< pairs it cuts, after the fixes before it, with criticality as it is (a what-if
				       of the proposals, which evaluates criticality again, can cut more) */
} xsm_whatif_proposal;

/** What a run found.  Borrowed from w, valid until it is freed. */
typedef struct xsm_whatif_result {
	const char *snapshot;
	size_t paths_before, paths_after;
	size_t pairs_cut;         /**< entry-target pairs with a path before and none after */
	size_t added;             /**< pairs with a path after and none before */
	size_t rerouted;          /**< pairs with a path of another length after */
	const xsm_whatif_path *removed_paths, *added_paths, *rerouted_paths;
	size_t nremoved, nadded, nrerouted;
	const char *const *applied; /**< each change, as done: "removed 2 edges: ..." */
	size_t napplied;
	const xsm_whatif_choke *chokes_before, *chokes_after;
	size_t nchokes_before, nchokes_after;
	const xsm_whatif_score *scores;
	size_t nscores;
	const xsm_whatif_level *levels; /**< criticality changes, in NodeId order */
	size_t nlevels;
	const xsm_whatif_proposal *fixes;
	size_t nfixes;
} xsm_whatif_result;

XSM_EXTERN(const xsm_whatif_result *) xsm_whatif_result_get(const xsm_whatif *w);

XSM_END_DECL

#endif
