/* paths.h - attack paths (library-internal view). */
#ifndef XSM__PATHS_H
#define XSM__PATHS_H

#include "exposure/paths.h"

struct xsm__zw;
/*
 * xsm_paths_compute with paths.bin.zst (paths_store.h) handed to zw, a
 * compressed writer the caller finishes (its errors are returned as they
 * are, already on the context).
 */
int xsm__paths_compute(xsm_paths_stats *st, struct xsm__zw *zw, xsm_buf *chokes, xsm_graph *g,
		       const xsm_attack_model *m);

/*
 * A path's scenario, "<entry type> -> <target classification>", into b
 * (replacing what it held): how a path's text names it, and how a reader
 * of an index that does not store it names it again.  0 or XSM_ENOMEM.
 */
int xsm__paths_scenario(xsm_buf *b, const char *entry_type, const char *classification);

/*
 * What-if (whatif.c): every path of g under m as xsm__paths_compute finds
 * them, without their text: path k from entry[k] to target[k] in hops[k]
 * hops, its nodes nodes[off[k] .. off[k] + hops[k]] and edges edges[off[k]
 * .. off[k] + hops[k] - 1]; paths sorted by target, then entry.  The walk
 * graph is kept for rechecks.
 */
typedef struct xsm__pathlist {
	size_t n, nentries, ntargets;
	size_t cut;       /* pairs beyond max_per_target, counted and not kept */
	uint32_t *entry, *target, *hops, *off;
	struct { uint32_t *v; size_t n, cap; } nodes, edges;
	int *entry_type;  /* per node: entry rule index + 1, or 0 */
	uint64_t *hid;    /* xsm__paths_finish: each path's PathId hash ("ap-" and 16 hex digits) ... */
	uint8_t *risk;    /* ... and its risk */
	void *priv;
} xsm__pathlist;
int xsm__paths_list(xsm__pathlist *out, xsm_graph *g, const xsm_attack_model *m);
void xsm__pathlist_free(xsm__pathlist *p);
/*
 * Whether the paths sel[0..nsel) (indices, in path order) still have a
 * path within max_hops when the edges set in the bitmap cut (by edge
 * index) are gone: alive[q] for sel[q].  One multi-source search from the
 * distinct targets, 256 a pass.  With reroute, a path that is still there
 * gets its new shortest path (nodes, edges, hops, off updated).
 */
int xsm__paths_recheck(xsm__pathlist *p, xsm_ctx *ctx, const uint64_t *cut, const uint32_t *sel, size_t nsel,
		       uint8_t *alive, int reroute);
/*
 * What xsm__paths_compute does after its search, for a list: each path's
 * PathId and risk, chokepoints.json text into chokes (the same schema and
 * choke point cuts) and the attackPath properties of the nodes, without
 * the text of the paths.
 */
int xsm__paths_finish(xsm__pathlist *p, xsm_buf *chokes, xsm_graph *g, const xsm_attack_model *m);
/* entry rule i of m: its name (NULL past the last) and its expression */
const char *xsm__attack_model_entry(const xsm_attack_model *m, size_t i, const char **when);
int xsm__attack_model_max_hops(const xsm_attack_model *m);

#endif
