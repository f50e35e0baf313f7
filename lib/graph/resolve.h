/*
 * resolve.h - identity resolution (graph_resolve.c): which asset records
 * are one thing.  The builder hands each record and its keys over as it
 * reads them; xsm__resolver_run then groups the records, refusing every
 * union that would put two values of a unique identifier, or two records
 * of one source, in one group, and keeps the refusals so the build can
 * explain them.  The result does not depend on the order records arrive
 * in.  Library-internal.
 */
#ifndef XSM__RESOLVE_H
#define XSM__RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "exposure/ctx.h"

/* record kinds: a user and a device never merge */
enum { XSM__RK_DEVICE = 1, XSM__RK_IDENTITY, XSM__RK_OTHER };

/* why two groups were not merged */
enum {
	XSM__WHY_CLOUD_ID = 1, /* two cloud resource ids */
	XSM__WHY_MDE_ID,       /* two EDR device ids */
	XSM__WHY_SERIAL,       /* two serial numbers */
	XSM__WHY_SID,          /* two security identifiers */
	XSM__WHY_AAD,          /* two directory object ids */
	XSM__WHY_SOURCE,       /* one source saw both (two of its asset ids) */
	XSM__WHY_FQDN,         /* only hostname + address links two different FQDNs */
	XSM__WHY_VM_ID,        /* two Azure VM ids (vmId) */
};

/* one refused union, between two final groups (records a and b, one in each) */
typedef struct xsm__refusal {
	uint32_t a, b;
	uint32_t why; /* XSM__WHY_* */
	uint32_t src; /* XSM__WHY_SOURCE: the source's index */
} xsm__refusal;

typedef struct xsm__resolver xsm__resolver;

/* 0 or XSM_ENOMEM set on ctx */
int xsm__resolver_new(xsm__resolver **out, xsm_ctx *ctx);
/* accepts NULL */
void xsm__resolver_free(xsm__resolver *r);
/*
 * The next record (indices count from 0): its kind, the index of its
 * source (sources count from 0), a hash of its source name and source_id
 * (the canonical order; ties go to tie()) and its lastSeen (0: unknown).
 */
int xsm__resolver_record(xsm__resolver *r, int kind, uint32_t srcix, uint64_t hash, int64_t last_seen);
/* record rec carries key kid, the interned string k ("type:value"); keys that never merge are ignored */
int xsm__resolver_key(xsm__resolver *r, uint32_t rec, uint32_t kid, const char *k);
/* records a and b are the same record (one source_id): one group whatever their keys */
int xsm__resolver_same(xsm__resolver *r, uint32_t a, uint32_t b);
/*
 * Group the records.  group[rec] (n records) gets the group of each: the
 * index of its first record in arrival order (only which records share a
 * group is independent of that order).  key_str(kid) gives a key's text;
 * tie(a, b) orders two records whose hashes are equal (strcmp of source
 * name, then source_id).
 */
int xsm__resolver_run(xsm__resolver *r, uint32_t *group, const char *(*key_str)(uint32_t kid, void *arg),
		      int (*tie)(uint32_t a, uint32_t b, void *arg), void *arg);
/* the refusals between final groups, one a pair of groups, sorted by group pair (after run) */
void xsm__resolver_refusals(const xsm__resolver *r, const xsm__refusal **v, size_t *n);
/* key values carried by too many groups to identify any (a cloned MAC, "localhost"), after run */
size_t xsm__resolver_ignored_keys(const xsm__resolver *r);
/* "serial differs", ...; for XSM__WHY_SOURCE the caller names the source */
const char *xsm__resolver_why(uint32_t why);

#endif
