/* events.h - library-internal: what a snapshot keeps for the next comparison. */
#ifndef XSM__EVENTS_H
#define XSM__EVENTS_H

#include "exposure/events.h"
#include "exposure/graph.h"

#include <sys/types.h>

/*
 * watch.jsonl of a snapshot: one line per node that is critical (level
 * 0-3) or an internet-exposed device, sorted by NodeId, then one line per
 * connector with its state (status, last data, stale) at build time.
 */
int xsm__events_watch(xsm_buf *out, const xsm_graph *g, xsm_store *store);
/* xsm_events_derive; *undo (may be NULL; left alone when nothing is appended): events.jsonl's length before */
int xsm__events_derive(size_t *count, off_t *undo, xsm_store *store, const char *prev, const char *cur);

#endif
