/*
 * graph.h - the in-memory exposure graph (library-internal view).
 *
 * Every string (ids, labels, names, property keys and string values) is
 * interned in the graph's pool, so a node is a handful of uint32s.
 * Properties are NodeProperties.rawData flattened to dotted keys
 * ("highRiskVulnerabilityInsights.maxCvssScore"); a node's properties are
 * one contiguous range of g->props sorted by key string, so keys with a
 * common prefix are adjacent and output re-nests them.  Values that are not
 * scalars or string arrays (arrays of objects, `raw` vendor subtrees) are
 * kept as JSON text.
 *
 * Nodes are sorted by NodeId; a node's index is its position.  After
 * xsm__graph_freeze() the graph has CSR adjacency (out_off/out_edge,
 * in_off/in_edge: edge indices grouped by node) and is read-only, safe to
 * share between threads.
 */
#ifndef XSM__GRAPH_H
#define XSM__GRAPH_H

#include <stdint.h>

#include "exposure/graph.h"
#include "exposure/jsonw.h"
#include "util/strmap.h"
#include "util/vec.h"

enum xsm__vtype { XSM_V_NULL = 0, XSM_V_BOOL, XSM_V_NUM, XSM_V_STR, XSM_V_STRS, XSM_V_JSON };

/* 16 bytes: a million-node graph has tens of millions of these (memory, graph.bin, load) */
typedef struct xsm__prop {
	uint32_t key;  /* interned dotted path */
	uint32_t type; /* enum xsm__vtype: which member below holds the value */
	union {
		struct {
			uint32_t a, b; /* BOOL: a; STR/JSON: a = string id; STRS: a = u32 offset, b = count */
		};
		double num; /* NUM */
	};
} xsm__prop;

typedef XSM__VEC(xsm__prop) xsm__propvec;

typedef struct xsm__node {
	uint32_t id, label, name;
	uint32_t cats_off, cats_n;   /* u32 pool: category string ids, sorted */
	uint32_t props_off, props_n; /* g->props range, sorted by key string */
	uint32_t eids_off, eids_n;   /* u32 pool: (type, id) string id pairs */
	uint32_t srcs_off, srcs_n;   /* u32 pool: source names, sorted */
} xsm__node;

typedef struct xsm__edge {
	uint64_t hid;                 /* EdgeId is "e-" and these 16 hex digits */
	uint32_t src, dst, label;     /* src/dst: node indices */
	uint32_t props_off, props_n;
} xsm__edge;

/*
 * prefix and the 16 lowercase hex digits of h into out, NUL-terminated:
 * the form of every NodeId ("dev-"...), EdgeId ("e-") and PathId ("ap-").
 * Returns the length.
 */
static inline size_t xsm__hex_id(char *out, const char *prefix, uint64_t h)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	while (prefix[n]) {
		out[n] = prefix[n];
		n++;
	}
	for (int i = 0; i < 16; i++)
		out[n++] = hex[(h >> (60 - 4 * i)) & 15];
	out[n] = '\0';
	return n;
}

/* the EdgeId text of an edge into out[20] */
static inline void xsm__edge_id(char out[20], const xsm__edge *e)
{
	xsm__hex_id(out, "e-", e->hid);
}

struct xsm_graph {
	xsm_ctx *ctx;
	xsm__strpool s;
	XSM__VEC(xsm__node) nodes;
	XSM__VEC(xsm__edge) edges;
	xsm__propvec props;
	XSM__VEC(uint32_t) u32;
	xsm__strmap by_id;         /* NodeId -> index (after freeze) */
	uint32_t *out_off, *out_edge, *in_off, *in_edge;
	int frozen;
	char snapshot[40];
	char *meta_json;           /* meta.json text of the loaded or built snapshot */
	/*
	 * By relation (enum xsm__expr_rel): the nodes that are the far end of
	 * one of its edges, made on first use by a compiled relation term
	 * (compiling is single-threaded) and dropped by a freeze.
	 */
	struct xsm__relends { uint32_t *v; size_t n; int made; } rel_ends[2];
	/*
	 * Loaded with XSM__LOAD_BASE: the snapshot whose graph.bin was read
	 * and, per node, a hash of its properties as graph.bin has them, so
	 * a re-evaluation writes only what differs (graph_overlay.c)
	 */
	uint64_t *base_hash;
	size_t base_nstr, base_nnodes;
	int bin_version;           /* of the graph.bin read (0: none) */
	char base_from[40];
	/*
	 * Mapped from the store's graph image (graph_image.c): the arrays,
	 * the pool and the CSR point into map, and nothing may change (the
	 * functions that would change the graph refuse, xsm__graph_readonly).
	 * keys: the key index, (hash of a folded key, node) sorted; crit:
	 * (node, level) of every node with a criticality level, in list order.
	 */
	void *map;
	size_t map_len;
	const uint64_t *keys;      /* nkeys pairs of words: hash, node */
	size_t nkeys;
	const uint32_t *crit;      /* ncrit pairs: node, level */
	size_t ncrit;
	/*
	 * Under a top layer: the sections an overlay grows, mapped apart
	 * with room after them, and the critical list read from graph.top
	 */
	struct { void *p; size_t len; } room[4];
	uint32_t *crit_own;
	/*
	 * Mapped: the image file (written once, replaced by a rename) and how
	 * many of g's strings, properties and u32s are its own as written (a
	 * top layer only appends): two graphs mapped from one file share
	 * those, index for index (xsm_graph_diff compares them by index).
	 * check 0: not mapped.
	 */
	struct { uint64_t check, dev, ino; size_t nstr, nprops, nu32; } img;
};

/* XSM_EINVALID with a message when g is mapped from its image and so cannot change, else 0 */
int xsm__graph_readonly(const xsm_graph *g);

/* xsm_graph_load flag (library-internal): keep what xsm__graph_write_shared needs */
#define XSM__LOAD_BASE (1u << 30)

int xsm__graph_new(xsm_graph **out, xsm_ctx *ctx);
static inline const char *xsm__gstr(const xsm_graph *g, uint32_t id)
{
	return xsm__strpool_str(&g->s, id);
}
/* an interned string as JSON, and as a member value: its length is known */
static inline void xsm__jw_gstr(xsm_jw *w, const xsm_graph *g, uint32_t id)
{
	xsm_jw_strn(w, xsm__gstr(g, id), g->s.lens[id]);
}
static inline void xsm__jw_kgstr(xsm_jw *w, const char *key, const xsm_graph *g, uint32_t id)
{
	xsm_jw_key(w, key);
	xsm__jw_gstr(w, g, id);
}
/*
 * Every node's quoted NodeId, NodeName and NodeLabel, side by side: lines
 * that name many nodes (edges, path steps) copy them with one read a node
 * instead of six scattered ones.
 */
typedef struct xsm__nodefrag {
	uint64_t off;              /* in text */
	uint32_t id, name, label;  /* the three quoted strings' lengths */
} xsm__nodefrag;
typedef struct xsm__nodefrags {
	char *text;
	xsm__nodefrag *v;
} xsm__nodefrags;
int xsm__nodefrags_build(xsm__nodefrags *f, const xsm_graph *g); /* 0 or XSM_ENOMEM (ctx untouched) */
void xsm__nodefrags_free(xsm__nodefrags *f);
/* "NodeId", "NodeName" and "NodeLabel" members of node, into w's open object */
void xsm__jw_node(xsm_jw *w, const xsm__nodefrags *f, uint32_t node);

/* an interned string appended to b */
static inline int xsm__buf_gstr(xsm_buf *b, const xsm_graph *g, uint32_t id)
{
	return xsm_buf_put(b, xsm__gstr(g, id), g->s.lens[id]);
}
int xsm__graph_intern(xsm_graph *g, const char *s, uint32_t *id);
int xsm__graph_internn(xsm_graph *g, const char *s, size_t n, uint32_t *id);

/* sort nodes by NodeId (remapping edges), edges by (src, label, dst), build the CSR and the id index */
int xsm__graph_freeze(xsm_graph *g);
/* leave out the devices outside the context's scope (xsm_ctx_set_scope) and their edges; frozen again */
int xsm__graph_apply_scope(xsm_graph *g);

/*
 * The nodes a user's word names, up to max into out; returns how many
 * there are: its NodeId; else the nodes with exactly that name; else every
 * node with it as a key, case aside (name, an EntityIds id such as an FQDN,
 * UPN, SID, MAC or source id, a host name, an IP address it was seen at).
 */
size_t xsm__graph_find_nodes(const xsm_graph *g, const char *s, size_t *out, size_t max);
/* the node with NodeId s[0..len): 1 and *node, else 0 (the id map when built, else a binary search) */
int xsm__graph_node_by_id(const xsm_graph *g, const char *s, size_t len, uint32_t *node);
/*
 * The key index's hash of a user's word or a node's key: ASCII case
 * folded, one trailing dot left out (as find_nodes compares them)
 */
uint64_t xsm__graph_key_hash(const char *s, size_t len);
/* node index by what xsm__graph_find_nodes takes; -1 when none, -2 when ambiguous */
int64_t xsm__graph_find_node(const xsm_graph *g, const char *id_or_name);

/* the property key of node with interned key id, or NULL */
const xsm__prop *xsm__graph_prop(const xsm_graph *g, uint32_t node, uint32_t key);
/* look a property up by key string */
const xsm__prop *xsm__graph_prop_s(const xsm_graph *g, uint32_t node, const char *key);
/*
 * Set (or replace) property key of node: the node's range is copied to the
 * end of g->props with the change, keeping it sorted.  Values as in
 * xsm__prop (for STRS, a/b must already point into g->u32).
 */
int xsm__graph_set_prop(xsm_graph *g, uint32_t node, const char *key, const xsm__prop *val);

/*
 * Append the members of JSON object obj to out as flattened properties,
 * keys prefixed with prefix (dotted), interning into g.
 */
struct xsm__json;
int xsm__graph_flatten(xsm_graph *g, xsm__propvec *out, const struct xsm__json *obj, xsm_buf *prefix,
		       int depth);
/* sort a property range by key string */
void xsm__graph_sort_props(const xsm_graph *g, xsm__prop *p, size_t n);
/* build the graph of the store's latest runs in memory; *meta gets the snapshot metadata JSON */
int xsm__graph_build_mem(xsm_graph **out, xsm_buf *meta, xsm_build_stats *st, xsm_store *store);
/* whether snapshot name has its meta.json: written last before HEAD, so a snapshot being written (or left by a crashed build) has none */
int xsm__graph_snapshot_complete(const xsm_store *store, const char *name);
/* the id the next snapshot gets: "<UTC stamp>-<seq>", after the store's latest */
int xsm__graph_next_snapshot(char id[40], xsm_ctx *ctx, xsm_store *store);
/*
 * write a built graph as snapshot id and make it current: graph.bin, the
 * extra files, written (an open file of the snapshot already written, or
 * NULL) committed with them, meta.json, HEAD last
 */
struct xsm__afile;
int xsm__graph_write_snapshot(xsm_graph *g, xsm_store *store, const char *id, const char *meta_json, size_t nextra,
			      const char *const *extra_names, const xsm_buf *extra, struct xsm__afile *written);

/*
 * graph.bin (graph_bin.c): the arrays of a frozen graph as written, beside
 * the JSONL.  read_bin fills an empty graph; XSM_ENOTFOUND when there is no
 * such file, XSM_EINVALID when it cannot be used (read the JSONL then).
 */
int xsm__graph_write_bin(xsm_graph *g, xsm_store *store, const char *rel);
int xsm__graph_read_bin(xsm_graph *g, xsm_store *store, const char *rel);

/*
 * graph_overlay.c.  keep_base: remember g as graph.bin of snapshot gave
 * it (before any overlay).  write_shared: make snapshot id share that
 * graph.bin (a hard link) plus graph.overlay with the nodes whose
 * properties differ (*changed of them); XSM_ENOTFOUND when g has no base
 * or its nodes changed, XSM_EIO (no message) when the link cannot be made:
 * write graph.bin whole then.  read_overlay: apply one over the graph.bin
 * just read; XSM_ENOTFOUND (no message) when there is none.
 */
int xsm__graph_keep_base(xsm_graph *g, const char *snapshot);
int xsm__graph_write_shared(xsm_graph *g, xsm_store *store, const char *id, size_t *changed);
int xsm__graph_read_overlay(xsm_graph *g, xsm_store *store, const char *rel);
/*
 * read_overlay in two steps, for a graph that must make room first (a
 * mapped image): open reads and checks the file's header against g
 * (XSM_ENOTFOUND, no message, when there is none) and says what applying
 * adds; apply interns its strings and appends its properties (g's pool
 * and vectors must take them); close frees what open read.
 */
typedef struct xsm__overlay {
	const char *rel;
	char *plain;
	size_t len, at;
	uint64_t base_nstr, nstr, nchanged, nprops, nu32;
} xsm__overlay;
int xsm__overlay_open(xsm__overlay *o, xsm_graph *g, xsm_store *store, const char *rel);
int xsm__overlay_apply(xsm_graph *g, const xsm__overlay *o);
void xsm__overlay_close(xsm__overlay *o);

/*
 * graph_image.c - the graph image, STORE/cache/graph.img: the frozen graph
 * of the current snapshot as plain page-aligned arrays that a read maps
 * (xsm-store(5)), and STORE/cache/graph.top, its top layer when that
 * snapshot shares graph.bin with the one imaged (a re-evaluation): the
 * critical list of the snapshot, whose graph.overlay a read applies over
 * the mapped image.  write_image: g (frozen, its snapshot committed) with
 * crit, the (node, level) pairs critical list shows in its order; atomic,
 * a cache: the caller reports a failure as a warning.  map_image: g (empty
 * but its snapshot id and metadata) takes the image when it is of that
 * snapshot as it is on disk now; XSM_ENOTFOUND (no message) when there is
 * no such image (load it then).  image_gc: remove what images no longer
 * serve snapshot (the current one); drop_image: remove both files.
 */
int xsm__graph_write_image(xsm_graph *g, xsm_store *store, const uint32_t *crit, size_t ncrit);
int xsm__graph_map_image(xsm_graph *g, xsm_store *store);
int xsm__graph_image_gc(xsm_store *store, const char *snapshot);
int xsm__graph_drop_image(xsm_store *store);
#define XSM__IMAGE_PATH "cache/graph.img"
#define XSM__IMAGE_TOP_PATH "cache/graph.top"

/* set up to 16 properties of node at once (one copy of its range); keys need not be sorted */
int xsm__graph_set_props(xsm_graph *g, uint32_t node, size_t n, const char *const *keys, const xsm__prop *vals);
/* remove every node property whose key starts with prefix */
int xsm__graph_strip_props(xsm_graph *g, const char *prefix);
/* drop property ranges no node or edge uses any more (after many set_props) */
int xsm__graph_compact_props(xsm_graph *g);
/* the same, but only once the unused ranges outweigh the used ones (a snapshot write compacts anyway) */
int xsm__graph_compact_props_lazy(xsm_graph *g);

/*
 * The ranks (from 1, in strcmp order) of the distinct strings among the n
 * ids at ids[0], ids[stride], ... (stride in uint32_t units): an array
 * indexed by string id, zero for the others.  Sorts of millions of edges,
 * findings and relations by a few distinct labels, CVE ids and source
 * names compare these integers.  NULL when out of memory; xsm__free it.
 */
uint32_t *xsm__graph_string_ranks(const xsm_graph *g, const uint32_t *ids, size_t n, size_t stride);
/* write one node / edge as a JSONL object in the product's column names */
int xsm__graph_node_json(xsm_buf *out, const xsm_graph *g, uint32_t node);
int xsm__graph_edge_json(xsm_buf *out, const xsm_graph *g, uint32_t edge);
/*
 * Every node (nodes) or edge as a JSON line, handed in order to put() a
 * block of lines at a time; prefix, when given, replaces each object's
 * opening '{' (export's "{\"type\":\"node\","). Two threads format the
 * blocks; the bytes are those one thread would give.  put's error or
 * XSM_ENOMEM.
 */
int xsm__graph_lines_emit(const xsm_graph *g, int nodes, const char *prefix,
			  int (*put)(const char *p, size_t n, void *arg), void *arg);
/* write the rawData object of a property range */
int xsm__graph_props_json(xsm_jw *w, const xsm_graph *g, uint32_t off, uint32_t n);

/* the expression host over nodes (fields: id, label, name, categories, sources, props.*; relations) */
struct xsm__expr_host;
void xsm__graph_expr_host(struct xsm__expr_host *h, const xsm_graph *g);

/*
 * graph_rel.c - the relations of the expression language over a frozen
 * graph (the xsm__expr_host relate / in_set / witness / set_free of
 * xsm__graph_expr_host): memberOf is one multi-source reverse traversal of
 * "member of" edges from the nodes matching the inner expression (nested
 * groups, cycles included), loggedOnBy one reverse step over "frequently
 * logged in by".  Nothing is kept per node but two bits.
 */
int xsm__graph_relate(void *g, int rel, int (*match)(const void *arg, const void *item), const void *arg,
		      void **set);
int xsm__graph_in_rel(void *g, const void *set, const void *item);
const void *xsm__graph_rel_witness(void *g, int rel, const void *set, const void *item,
				   void (*step)(void *arg, const void *item), void *arg);
void xsm__graph_rel_free(void *g, void *set);
void xsm__graph_rel_ends_free(xsm_graph *g);

#endif
