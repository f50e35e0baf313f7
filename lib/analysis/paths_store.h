/*
 * paths_store.h - the stored form of a snapshot's attack paths
 * (paths.bin.zst): one binary record a path and the index that finds them,
 * in a seekable zstd file; the JSON text of a path is made from its record
 * and the snapshot's graph when it is read.
 *
 * The plain file (native byte order, 32- and 64-bit words):
 *
 *   records   from offset 0, in path order (by target node, then entry
 *             node): a 24-byte head, u64 PathId hash, u32 entry node,
 *             u32 target node, u8 risk, u8 target level, u8 hops, u8 entry
 *             type (string index), u16 classification (string index),
 *             u16 0; then u32 nodes[hops + 1] and u32 edges[hops]
 *   targets   per target with paths, in node order: u32 node, u32 first
 *             path, u32 count, u32 0, u64 offset of its first record, u32
 *             NodeId, NodeName, NodeLabel (offsets in strings), u32 0
 *   entries   per entry point with paths, in node order: u32 node, u32
 *             start in entry paths, u32 count, u32 0, u32 NodeId,
 *             NodeName, NodeLabel (offsets in strings), u32 0
 *   entry paths  u32 path numbers, by entry then path order
 *   offsets   u64 offset of every 64th record
 *   serious   u32 path numbers, most serious first (risk, target level,
 *             hops, PathId: the order of list and check)
 *   ids       {u64 PathId hash, u32 path, u32 0}, by hash
 *   fence     u64 hash of every 4096th ids row
 *   strings   the entry types, then the classifications, then the
 *             targets' and entry points' NodeIds, names and labels, each
 *             ending in NUL (what an index of the paths shows of them:
 *             reading it needs no graph)
 *   summary   (version 2) the paths counted by entry type, classification
 *             and risk: u32 entry type, u32 classification (string
 *             indexes), u32 risk, u32 paths, a row for each of those
 *             triples that has paths, in their order; with the targets'
 *             and entry points' counts and names it is what `xsm paths
 *             summary` shows, no record read
 *   trailer   the last 208 bytes (version 2; 192 in version 1, which has
 *             no summary): "XSMPATH1", u32 0x01020304 (byte order), u32
 *             version, u64 paths, nodes, edges (of the graph the records
 *             index), u32 entry types, u32 classifications, u64 targets,
 *             entries, then each section's offset and length, in the
 *             order of XSM__PS_* (summary last)
 *
 * Each section starts a frame, so reading a part of one decompresses that
 * part, never the records before it; version 2's trailer is a frame of its
 * own.  A reader tells the versions apart by the last 192 bytes first: in
 * version 2 they start with the trailer's path count, which is below 2^32
 * (paths are numbered in u32), so they never read "XSMPATH1".
 */
#ifndef XSM__PATHS_STORE_H
#define XSM__PATHS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "adapt/zstd.h"
#include "exposure/paths.h"
#include "graph/graph.h"

enum {
	XSM__PS_TARGETS,
	XSM__PS_ENTRIES,
	XSM__PS_ENTRY_PATHS,
	XSM__PS_OFFSETS,
	XSM__PS_SERIOUS,
	XSM__PS_IDS,
	XSM__PS_FENCE,
	XSM__PS_STRINGS,
	XSM__PS_SUMMARY, /* version 2 */
	XSM__PS_NSEC
};
enum {
	XSM__PS_HEAD = 24,
	XSM__PS_EVERY = 64,
	XSM__PS_FENCE_ROWS = 4096,
	XSM__PS_TROW = 40,
	XSM__PS_EROW = 32,
	XSM__PS_SROW = 16,
	XSM__PS_TRAILER_V1 = 192 /* the trailer without the summary's offset and length */
};

typedef struct xsm__ps_trailer {
	char magic[8];
	uint32_t endian, version;
	uint64_t paths, nodes, edges;
	uint32_t ntypes, nclasses;
	uint64_t targets, entries;
	uint64_t sec[XSM__PS_NSEC][2];
} xsm__ps_trailer;

/* one record as read: nodes and edges borrowed from the reader until its next read */
typedef struct xsm__prec {
	uint64_t hid;
	uint32_t entry, target, no;
	const char *entry_id, *entry_name, *entry_label; /* from the index: no graph needed */
	const char *target_id, *target_name, *target_label;
	int risk, level, hops;
	const char *etype, *cls;
	const uint32_t *nodes, *edges;
} xsm__prec;

typedef struct xsm__pstore xsm__pstore;

/*
 * A reader over paths.bin.zst held at p[0..n) (kept by the caller):
 * XSM_EINVALID (what names the file) when it is not sound.
 */
int xsm__pstore_open(xsm__pstore **out, xsm_ctx *ctx, const void *p, size_t n, const char *what);
/* whether the records index a graph of nnodes nodes and nedges edges (XSM_EINVALID when not) */
int xsm__pstore_graph(xsm__pstore *s, uint64_t nnodes, uint64_t nedges);
/* an end's NodeId, NodeName and NodeLabel from the index (entries: entry points, else targets); NULL when unknown */
const char *xsm__pstore_end(const xsm__pstore *s, int entries, uint32_t node, const char **name, const char **label);
void xsm__pstore_free(xsm__pstore *s); /* takes NULL */
size_t xsm__pstore_count(const xsm__pstore *s);
/* the record at off (path number no), and where the next one starts */
int xsm__pstore_read(xsm__pstore *s, uint64_t off, uint32_t no, xsm__prec *r, uint64_t *next);
/* where path no's record starts */
int xsm__pstore_offset(xsm__pstore *s, uint32_t no, uint64_t *off);
/* a target's paths: the first's number and offset, and how many (0: none) */
int xsm__pstore_target(xsm__pstore *s, uint32_t node, uint32_t *first, uint64_t *off, uint32_t *count);
/* an entry point's paths: their numbers, in path order, into *paths (xsm__free), *count of them */
int xsm__pstore_entry(xsm__pstore *s, uint32_t node, uint32_t **paths, uint32_t *count);
/* the number of the path with this PathId hash, or -1 (or a negative error) */
int64_t xsm__pstore_find(xsm__pstore *s, uint64_t hid);
/* the nodes that are targets (or entry points) of paths, in node order, into *nodes (xsm__free) */
int xsm__pstore_ends(xsm__pstore *s, int entries, uint32_t **nodes, size_t *n);
/* paths from..from+n in the serious order (risk, level, hops, PathId) into out */
int xsm__pstore_serious(xsm__pstore *s, size_t from, size_t n, uint32_t *out);
/* how many records were read (for -v and the tests) */
uint64_t xsm__pstore_reads(const xsm__pstore *s);

/* one row of the summary, as read: strings borrowed from the reader */
typedef struct xsm__ps_sumrow {
	const char *etype, *cls;
	int risk;
	uint32_t paths;
} xsm__ps_sumrow;

/* whether the file has a summary (version 2) */
int xsm__pstore_has_summary(const xsm__pstore *s);
/*
 * The summary's rows into *rows (xsm__free), *n of them: XSM_EINVALID
 * (naming the file) when they, or the targets' or entry points' counts,
 * do not add up to the paths
 */
int xsm__pstore_summary(xsm__pstore *s, xsm__ps_sumrow **rows, size_t *n);
/* how many targets (or entry points) have paths */
size_t xsm__pstore_nends(const xsm__pstore *s, int entries);
/* the i-th of them in node order: its NodeName, and into *count how many paths it has */
const char *xsm__pstore_end_at(const xsm__pstore *s, int entries, size_t i, uint32_t *count);

/*
 * A path's JSON line (no newline) into out, as the build wrote it when
 * paths were stored as text: frags may be NULL (the nodes' strings are
 * then quoted here); recs, when not NULL, gets each recommendation
 * followed by '\n'.  scratch is any buffer.  0 or XSM_ENOMEM (ctx untouched).
 */
int xsm__path_render(xsm_buf *out, xsm_buf *scratch, xsm_buf *recs, const xsm_graph *g, const xsm__nodefrags *frags,
		     const xsm__prec *r);

#endif
