/*
 * exposure/graph.h - the exposure graph: built from the latest record run
 * of every source, stored as snapshots (STORE/graph/<snapshot>/), loaded for
 * reading.  Node and edge JSON use the product's ExposureGraphNodes /
 * ExposureGraphEdges column names (xsm-json(7)).
 */
#ifndef XSM_GRAPH_H
#define XSM_GRAPH_H

#include "common.h"
#include "ctx.h"
#include "jsonw.h"
#include "store.h"

XSM_BEGIN_DECL

typedef struct xsm_graph xsm_graph;

/** What a build did. */
typedef struct xsm_build_stats {
	size_t sources;        /**< sources with a run */
	size_t assets;         /**< asset records read */
	size_t nodes, edges;
	size_t merged;         /**< asset records that joined another record's node */
	size_t conflicts;      /**< pairs of nodes a conflicting identifier kept apart */
	size_t cves;           /**< Cve nodes */
	size_t findings;       /**< open findings turned into affecting edges */
	size_t unknown_refs;   /**< findings and relations naming an asset no source has */
	char snapshot[40];     /**< the snapshot written */
} xsm_build_stats;

/**
 * Build a new snapshot from the latest run of every source, write it under
 * STORE/graph/<snapshot>/ and make it current (graph/HEAD).  Needs the
 * writer lock.  XSM_ENOINPUT when no source has records.
 */
XSM_EXTERN(int) xsm_graph_build(xsm_build_stats *stats, xsm_store *store);

/**
 * Re-evaluate critical asset rules (and everything else derived from the
 * graph) on the current snapshot without re-resolving identities, and
 * write the result as a new current snapshot, whose id goes to snapshot.
 * Needs the writer lock.  XSM_ENOINPUT when there is no graph yet.
 */
XSM_EXTERN(int) xsm_graph_refresh(char snapshot[40], xsm_store *store);

/** Flags for xsm_graph_load. */
enum {
	XSM_LOAD_NO_EDGE_PROPS = 1 << 0, /**< skip EdgeProperties (faster, less memory) */
	/**
	 * The caller will not change the graph: it may be mapped from the
	 * store's image of the current snapshot (xsm-store(5)), so a read
	 * touches only what it uses.  Not with a device scope (the full load
	 * then).  Functions that would change such a graph fail.
	 */
	XSM_LOAD_READONLY = 1 << 1,
};

/**
 * Load a snapshot (NULL: the current one) without re-running identity
 * resolution.  XSM_ENOINPUT when there is none.  Caller owns *out.
 */
XSM_EXTERN(int) xsm_graph_load(xsm_graph **out, xsm_store *store, const char *snapshot,
			       unsigned int flags);

/**
 * A snapshot's node and edge counts by label as its build stored them
 * (labels.json), without loading the graph: each label once to cb (edge
 * 0 for a node label, 1 for an edge label), in no set order; the totals
 * into *nodes and *edges, the snapshot id (snapshot, or the current one
 * when NULL) into id, its meta.json into meta.  XSM_ENOTFOUND (no
 * message) for a snapshot that did not store them (an earlier version's):
 * load it then.
 */
XSM_EXTERN(int) xsm_graph_label_counts(xsm_store *store, const char *snapshot, char id[40], xsm_buf *meta,
				       size_t *nodes, size_t *edges,
				       int (*cb)(int edge, const char *label, size_t count, void *payload),
				       void *payload);

/** Release a graph.  Accepts NULL. */
XSM_EXTERN(void) xsm_graph_free(xsm_graph *g);

/** The snapshot id of a loaded graph.  Borrowed. */
XSM_EXTERN(const char *) xsm_graph_snapshot(const xsm_graph *g);
/** meta.json of the snapshot (JSON text).  Borrowed. */
XSM_EXTERN(const char *) xsm_graph_meta(const xsm_graph *g);

XSM_EXTERN(size_t) xsm_graph_node_count(const xsm_graph *g);
XSM_EXTERN(size_t) xsm_graph_edge_count(const xsm_graph *g);

/** NodeId, NodeLabel, NodeName of node i.  Borrowed, valid while g lives. */
XSM_EXTERN(const char *) xsm_graph_node_id(const xsm_graph *g, size_t i);
XSM_EXTERN(const char *) xsm_graph_node_label(const xsm_graph *g, size_t i);
XSM_EXTERN(const char *) xsm_graph_node_name(const xsm_graph *g, size_t i);
/**
 * The k-th string of node i's string-array property key (a dotted rawData
 * path: "notMergedWith"), or NULL past its end or when the node has no
 * such array.  Borrowed, valid while g lives.
 */
XSM_EXTERN(const char *) xsm_graph_node_strs(const xsm_graph *g, size_t i, const char *key, size_t k);

/** EdgeLabel, source and target node index of edge i. */
XSM_EXTERN(const char *) xsm_graph_edge_label(const xsm_graph *g, size_t i);
XSM_EXTERN(size_t) xsm_graph_edge_src(const xsm_graph *g, size_t i);
XSM_EXTERN(size_t) xsm_graph_edge_dst(const xsm_graph *g, size_t i);

/** The edges out of (dir 0) or into (dir 1) node i: *edges borrowed, *n of them. */
XSM_EXTERN(void) xsm_graph_node_edges(const xsm_graph *g, size_t i, int dir,
				      const uint32_t **edges, size_t *n);

/**
 * The node with this NodeId, or the only node with this name.
 * XSM_ENOTFOUND when none, XSM_EINVALID when the name is ambiguous (message
 * lists candidates).
 */
XSM_EXTERN(int) xsm_graph_find(size_t *out, const xsm_graph *g, const char *id_or_name);

/** Append node i (or edge i) as one compact JSON object (no newline). */
XSM_EXTERN(int) xsm_graph_node_json(xsm_buf *out, const xsm_graph *g, size_t i);
XSM_EXTERN(int) xsm_graph_edge_json(xsm_buf *out, const xsm_graph *g, size_t i);

/** A compiled node filter (xsm-expr(7)). */
typedef struct xsm_graph_filter xsm_graph_filter;

/** Compile expr for g.  XSM_EINVALID with "col N: reason" on a syntax error. */
XSM_EXTERN(int) xsm_graph_filter_new(xsm_graph_filter **out, const xsm_graph *g, const char *expr);
/**
 * Check expr without a graph, as xsm_graph_filter_new would compile it:
 * a bad filter is refused before a graph is loaded.  XSM_EINVALID with
 * "col N: reason".
 */
XSM_EXTERN(int) xsm_graph_filter_check(xsm_ctx *ctx, const char *expr);
/** 1 when node i matches. */
XSM_EXTERN(int) xsm_graph_filter_match(const xsm_graph_filter *f, size_t i);
XSM_EXTERN(void) xsm_graph_filter_free(xsm_graph_filter *f);

/**
 * Node i's properties (NodeProperties.rawData flattened to dotted keys, in
 * key order) as text a person reads: numbers and strings as they are,
 * arrays joined with ", ", vendor subtrees as "(vendor data)".  The merge
 * record (rawData.sources) is left out: see xsm_graph_node_merge.  cb's
 * strings are borrowed; a non-zero return stops.
 */
XSM_EXTERN(int) xsm_graph_node_props(const xsm_graph *g, size_t i,
				     int (*cb)(const char *key, const char *value, void *payload), void *payload);
/**
 * How node i was merged: each source record that became it (source_id,
 * source, the name it gave, the identity keys it was matched on, joined
 * with " ").  A non-zero return stops.
 */
XSM_EXTERN(int) xsm_graph_node_merge(const xsm_graph *g, size_t i,
				     int (*cb)(const char *source_id, const char *source, const char *name,
					       const char *keys, void *payload),
				     void *payload);

/** What xsm_graph_diff reports. */
enum { XSM_CHANGE_ADDED, XSM_CHANGE_REMOVED, XSM_CHANGE_CHANGED };

/** One node or edge that differs between two graphs. */
typedef struct xsm_graph_change {
	int edge;        /**< 0: a node, 1: an edge */
	int change;      /**< XSM_CHANGE_ADDED, XSM_CHANGE_REMOVED or XSM_CHANGE_CHANGED */
	size_t a, b;     /**< its index in the old graph (removed, changed) and in the new one (added, changed) */
	const char *key; /**< an edge's identity, "EdgeLabel|source NodeId|target NodeId"; borrowed for the call */
} xsm_graph_change;

/**
 * What changed from graph a to graph b, each change once to cb (non-zero
 * stops; its value is returned).  A node is its NodeId, an edge its key;
 * a pair is changed when its JSON (xsm_graph_node_json, _edge_json)
 * differs.  Nodes come first in NodeId order, then edges in strcmp order
 * of their keys; edges that share a key (parallel edges) pair up in
 * the order each graph has them in, the extra ones added or removed after
 * the pairs.
 */
XSM_EXTERN(int) xsm_graph_diff(const xsm_graph *a, const xsm_graph *b,
			       int (*cb)(const xsm_graph_change *change, void *payload), void *payload);

/** Snapshot ids in the store, oldest first; cb gets each (non-zero stops). */
XSM_EXTERN(int) xsm_graph_snapshots(xsm_store *store, int (*cb)(const char *snapshot, void *payload),
				    void *payload);

/**
 * Tags: names that pin a snapshot, like git's (STORE/graph/tags/NAME holds
 * the snapshot id).  A tagged snapshot survives `xsm gc`; `paths check
 * --baseline NAME` compares with it.  NAME: letters, digits, '.', '_' and
 * '-', not starting with '.' or '-', at most 64 bytes.  Tagging needs the
 * writer lock; snapshot NULL tags the current one.  XSM_ENOTFOUND for an
 * unknown snapshot or tag, XSM_EUSAGE for a bad name.
 */
XSM_EXTERN(int) xsm_graph_tag(xsm_store *store, const char *name, const char *snapshot);
XSM_EXTERN(int) xsm_graph_untag(xsm_store *store, const char *name);
/** Tags by name; cb gets each tag and its snapshot (non-zero stops). */
XSM_EXTERN(int) xsm_graph_tags(xsm_store *store, int (*cb)(const char *tag, const char *snapshot, void *payload),
			       void *payload);
/**
 * The snapshot a reference names: a tag, a snapshot id, or HEAD (the
 * current one).  XSM_ENOTFOUND when it names none.
 */
XSM_EXTERN(int) xsm_graph_resolve(char snapshot[40], xsm_store *store, const char *ref);

/** Export formats. */
enum { XSM_EXPORT_JSON, XSM_EXPORT_JSONL, XSM_EXPORT_DOT, XSM_EXPORT_GRAPHML };

/** Write the whole graph to fd in format. */
XSM_EXTERN(int) xsm_graph_export(const xsm_graph *g, int format, int fd);

/**
 * Write the CSV files that `neo4j-admin database import full` reads into
 * directory dir (created): nodes.csv, relationships.csv.
 */
XSM_EXTERN(int) xsm_graph_export_neo4j(const xsm_graph *g, const char *dir);

XSM_END_DECL

#endif
