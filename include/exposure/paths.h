/*
 * exposure/paths.h - attack paths, choke points and blast radius
 * (xsm-paths(1)).  Paths are computed at every build from the attack model
 * (attack-model.yaml) and stored with the snapshot (paths.bin.zst,
 * chokepoints.json); these functions read them back.
 */
#ifndef XSM_PATHS_H
#define XSM_PATHS_H

#include "common.h"
#include "graph.h"
#include "store.h"

XSM_BEGIN_DECL

/** Risk levels, most serious first. */
enum { XSM_RISK_CRITICAL = 0, XSM_RISK_HIGH, XSM_RISK_MEDIUM, XSM_RISK_LOW };

/** "critical", "high", "medium", "low" -> XSM_RISK_*; -1 when unknown. */
XSM_EXTERN(int) xsm_risk_parse(const char *s);
XSM_EXTERN(const char *) xsm_risk_name(int risk);

typedef struct xsm_attack_model xsm_attack_model;

/**
 * Load the attack model: attack-model.yaml in the data directory, with
 * STORE/attack-model.yaml overriding its keys.  Caller owns *out.
 */
XSM_EXTERN(int) xsm_attack_model_load(xsm_attack_model **out, xsm_store *store);
XSM_EXTERN(void) xsm_attack_model_free(xsm_attack_model *m);

/** What a path computation found. */
typedef struct xsm_paths_stats {
	size_t entries, targets, paths, cut, chokepoints;
} xsm_paths_stats;

/**
 * Compute every attack path of g under model m: paths.bin.zst written to
 * fd (each path as a binary record, with the index that finds them, in a
 * seekable zstd file; xsm-store(5)) and chokepoints.json into chokes; nodes on paths get rawData attackPath{entryType, isTarget,
 * paths}.  Deterministic.  XSM_EIO when fd cannot be written.
 */
XSM_EXTERN(int) xsm_paths_compute(xsm_paths_stats *st, int fd, xsm_buf *chokes, xsm_graph *g,
				  const xsm_attack_model *m);

typedef struct xsm_pathset xsm_pathset;

/** One stored path (strings borrowed from the set). */
typedef struct xsm_path_info {
	const char *id, *scenario, *entry_type;
	const char *entry_id, *entry_name, *entry_label;
	const char *target_id, *target_name, *target_label, *target_classification;
	int target_level, risk, hops;
	const char *json;       /**< the stored JSON line */
	const char *recommendations; /**< each followed by '\n' (NULL in ids-only sets) */
} xsm_path_info;

/** Load the paths of a snapshot (NULL: current). XSM_ENOINPUT without one. */
XSM_EXTERN(int) xsm_paths_load(xsm_pathset **out, xsm_store *store, const char *snapshot);
/**
 * Every path as its snapshot's index describes it: PathId, risk, hops,
 * entry and target names, entry type, classification and level (json is
 * NULL, and the node ids in snapshots that store paths as text;
 * xsm_paths_line gives a path's text).  For membership tests and the CI
 * gate, without parsing any path or loading the graph.
 */
XSM_EXTERN(int) xsm_paths_load_ids(xsm_pathset **out, xsm_store *store, const char *snapshot);
/**
 * As xsm_paths_load, the paths that go to target and come from entry
 * (each a NodeId or a node's name; NULL: any), or the one path id (NULL:
 * any).  Paths stored as records (paths.bin.zst) are read by their index:
 * only the records asked for (-v says how many).  Paths stored as text
 * (snapshots of earlier versions) are read whole: the caller filters.
 */
XSM_EXTERN(int) xsm_paths_load_match(xsm_pathset **out, xsm_store *store, const char *snapshot, const char *target,
				     const char *entry, const char *id);
/**
 * As xsm_paths_load_ids, the n most serious paths at or above min_risk
 * (XSM_RISK_*; most serious first: risk, target level, hops, PathId).
 * Paths stored as records are read by their index, only those; paths
 * stored as text are read whole (the caller filters and orders).
 */
XSM_EXTERN(int) xsm_paths_load_serious(xsm_pathset **out, xsm_store *store, const char *snapshot, size_t n,
				       int min_risk);
XSM_EXTERN(void) xsm_paths_free(xsm_pathset *set);
/** The JSON line of path i into out: as stored, or made from its record and the snapshot's graph. */
XSM_EXTERN(int) xsm_paths_line(const xsm_pathset *set, size_t i, xsm_buf *out);
XSM_EXTERN(const char *) xsm_paths_snapshot(const xsm_pathset *set);
XSM_EXTERN(size_t) xsm_paths_count(const xsm_pathset *set);
XSM_EXTERN(const xsm_path_info *) xsm_paths_get(const xsm_pathset *set, size_t i);
/** The order of `xsm paths list`: risk, target level, hops, PathId (<0, 0, >0 as strcmp). */
XSM_EXTERN(int) xsm_paths_cmp_serious(const xsm_path_info *a, const xsm_path_info *b);
/** Index of the path with this id, or -1. */
XSM_EXTERN(long) xsm_paths_find(const xsm_pathset *set, const char *id);
/** Step k of path i: the node, and the edge taken from it (NULL at the target). */
XSM_EXTERN(int) xsm_paths_step(const xsm_pathset *set, size_t i, size_t k, const char **node_id,
			       const char **node_name, const char **node_label, const char **edge_label);
/** A name and how many paths it has: a scenario, or a target's or entry point's NodeName. */
typedef struct xsm_paths_tally {
	const char *name;
	size_t paths;
} xsm_paths_tally;

/**
 * What `xsm paths summary` shows of a snapshot's paths (everything
 * borrowed from the summary).  The three lists are by name (nodes that
 * share a NodeName are counted as one), most paths first, then by name;
 * a scenario is "<entry type> -> <target classification>".
 */
typedef struct xsm_paths_summary {
	const char *snapshot;
	size_t paths;                 /**< all paths, as xsm_paths_count */
	size_t cut;                   /**< as xsm_paths_cut */
	size_t by_risk[4];            /**< paths of each XSM_RISK_* */
	const xsm_paths_tally *scenarios, *targets, *entry_points;
	size_t nscenarios, ntargets, nentry_points;
	const char *chokepoints;      /**< as xsm_paths_chokepoints */
} xsm_paths_summary;

/** xsm_paths_summary_load flags: only paths, cut, by_risk and chokepoints (the lists empty; for a glance) */
#define XSM_PATHS_SUMMARY_RISK_ONLY 1u

/**
 * The summary of a snapshot's paths (NULL: current).  Caller owns *out
 * (xsm_paths_summary_free).  From the counts paths.bin.zst keeps, no path
 * record read; from every path (as xsm_paths_load_ids) in snapshots built
 * by earlier versions, and under a device scope, which drops paths.
 * flags: 0 or XSM_PATHS_SUMMARY_RISK_ONLY.
 */
XSM_EXTERN(int) xsm_paths_summary_load(xsm_paths_summary **out, xsm_store *store, const char *snapshot,
				       unsigned flags);
XSM_EXTERN(void) xsm_paths_summary_free(xsm_paths_summary *s);

/** The stored chokepoints.json text.  Borrowed. */
XSM_EXTERN(const char *) xsm_paths_chokepoints(const xsm_pathset *set);
/** The paths that were cut by paths.max_per_target. */
XSM_EXTERN(size_t) xsm_paths_cut(const xsm_pathset *set);

/**
 * Write paths (indices into set, n of them) as a Graphviz DOT graph:
 * entry points and targets marked, critical targets highlighted.
 */
XSM_EXTERN(int) xsm_paths_dot(xsm_buf *out, const xsm_pathset *set, const size_t *idx, size_t n);

/** One target in a node's blast radius (borrowed for the callback). */
typedef struct xsm_blast_target {
	size_t node;               /**< the target */
	int level, hops;           /**< its criticality level; hops from the node */
	const size_t *steps;       /**< nsteps nodes: the node first, the target last */
	const char *const *edges;  /**< the edge label taken from each step (NULL at the target) */
	size_t nsteps;
} xsm_blast_target;

/**
 * The targets of m reachable from node within max_hops (0: the model's),
 * in node order, each with a shortest path; *reachable (may be NULL) gets
 * how many nodes it reaches at all.  A non-zero cb return stops.
 */
XSM_EXTERN(int) xsm_paths_blast_radius_each(xsm_graph *g, const xsm_attack_model *m, size_t node, int max_hops,
					    int (*cb)(const xsm_blast_target *t, void *payload), void *payload,
					    size_t *reachable);

/**
 * Blast radius of node: the targets of m reachable from it within
 * max_hops (0: the model's), each with its hop count and a shortest path,
 * as JSON {"schema":"xsm.paths.blast-radius/1",...} into out.
 */
XSM_EXTERN(int) xsm_paths_blast_radius(xsm_buf *out, xsm_graph *g, const xsm_attack_model *m, size_t node,
				       int max_hops);

XSM_END_DECL

#endif
