/*
 * exposure/events.h - the exposure events feed (STORE/events.jsonl,
 * xsm-events(1)).  Every new snapshot is compared with the previous one:
 * metric and initiative score drops, new critical assets, new and resolved
 * attack paths, new internet-exposed devices, failed connectors and stale
 * data each become an event appended to the feed.  xsm_gc() drops events
 * older than events.retention_days (30).
 */
#ifndef XSM_EVENTS_H
#define XSM_EVENTS_H

#include "common.h"
#include "store.h"

XSM_BEGIN_DECL

/** The event types, in the order a comparison reports them. */
#define XSM_EVENT_TYPES_N 8
/** The name of event type i (0 <= i < XSM_EVENT_TYPES_N), NULL past the end. */
XSM_EXTERN(const char *) xsm_event_type(size_t i);
/** 1 when s names an event type. */
XSM_EXTERN(int) xsm_event_type_valid(const char *s);

/** One event of the feed (strings borrowed for the callback). */
typedef struct xsm_event_info {
	const char *time, *type, *snapshot;
	const char *kind, *id, *name; /**< the subject: metric, initiative, node, path, connector */
	const char *message;
	const char *json;             /**< the stored line */
} xsm_event_info;

/**
 * Call cb for the events of the feed, oldest first: those at or after
 * since (0: all), of type (NULL: any), at most limit of them, the most
 * recent (0: no limit).  No feed yet lists nothing.
 */
XSM_EXTERN(int) xsm_events_list(xsm_store *store, int64_t since, const char *type, size_t limit,
				int (*cb)(const xsm_event_info *ev, void *payload), void *payload);

/**
 * Compare snapshot cur with prev (NULL: none, as for the first build: then
 * only connector events can come) and append the events found to the feed;
 * *count gets how many.  Both snapshots must be stored.  Needs the writer
 * lock.  Builds and refreshes call it.
 */
XSM_EXTERN(int) xsm_events_derive(size_t *count, xsm_store *store, const char *prev, const char *cur);

XSM_END_DECL

#endif
