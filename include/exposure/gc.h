/*
 * exposure/gc.h - retention: drop old record runs, graph snapshots and
 * events, never the current ones.
 */
#ifndef XSM_GC_H
#define XSM_GC_H

#include "common.h"
#include "store.h"

XSM_BEGIN_DECL

/** What a collection removed (or would remove, with dry_run). */
typedef struct xsm_gc_stats {
	size_t runs_removed, runs_kept;
	size_t snapshots_removed, snapshots_kept;
	size_t events_removed, events_kept;
	size_t temp_removed; /**< temp files (NAME.tmp.PID) of writers no longer running */
	size_t snapshots_over_budget;   /**< of snapshots_removed, those gc.max_bytes removed */
	unsigned long long snapshot_bytes; /**< bytes the snapshots kept take, each file once */
} xsm_gc_stats;

/**
 * Remove record runs and graph snapshots older than retention.days (the
 * latest run of every source and the snapshot named by graph/HEAD are always
 * kept) and events older than events.retention_days.  With gc.max_bytes
 * set, snapshots are kept by size instead of age: the newest that fit in
 * that many bytes (with the current and tagged ones, always kept, counted
 * first; a file shared by hard links counted once).  Ages come from the
 * time-sortable names (20261124T120000Z-0001) and the events' "time" field.
 * Temp files that killed writers left (NAME.tmp.PID of a PID that is no
 * running process) go too; every writer removes them when it takes the
 * lock.  With dry_run nothing is removed.  Needs the writer lock.
 */
XSM_EXTERN(int) xsm_gc(xsm_gc_stats *stats, xsm_store *store, int dry_run);

XSM_END_DECL

#endif
