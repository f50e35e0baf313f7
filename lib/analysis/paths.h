/* paths.h - attack paths (library-internal view). */
#ifndef XSM__PATHS_H
#define XSM__PATHS_H

#include "exposure/paths.h"

/*
 * xsm_paths_compute with paths.jsonl handed to put a block at a time (its
 * errors are returned as they are, already on the context), plus
 * paths.idx into index when not NULL: one line a
 * path, in paths.jsonl order, tab-separated: PathId, risk, offset, length,
 * hops, entry name, entry type, target name, classification, target level
 * (control characters in names become spaces).  A reader takes the lines
 * it needs without parsing the others, and the gate's table needs none.
 */
int xsm__paths_compute(xsm_paths_stats *st, int (*put)(const char *p, size_t n, void *arg), void *arg,
		       xsm_buf *chokes, xsm_buf *index, xsm_graph *g, const xsm_attack_model *m);

/*
 * A path's scenario, "<entry type> -> <target classification>", into b
 * (replacing what it held): how paths.jsonl names it, and how a reader of
 * paths.idx (which does not store it) names it again.  0 or XSM_ENOMEM.
 */
int xsm__paths_scenario(xsm_buf *b, const char *entry_type, const char *classification);

#endif
