/* record.h - record validation, run writing and reading (library-internal). */
#ifndef XSM__RECORD_H
#define XSM__RECORD_H

#include "adapt/json.h"
#include "exposure/records.h"
#include "util/fs.h"
#include "util/strmap.h"

enum { XSM_REC_ASSET = 1, XSM_REC_FINDING, XSM_REC_RELATION };

/*
 * Check one parsed record against the vocabulary.  source (may be NULL)
 * requires asset source_ids to start with "<source>:".  Returns the record
 * type (> 0), or XSM_EINVALID with the reason in why.
 */
int xsm__record_check(const xsm__json *rec, const char *source, char *why, size_t whylen);
/* the members xsm__record_check reads (for xsm__json_parse_pick) */
extern const xsm__json_pick xsm__record_pick[];

/* A run being written: records appear in the store only on commit. */
typedef struct xsm__run_writer {
	xsm_store *store;
	char *source;
	char run[32];
	xsm__afile af;
	xsm__strmap seen;       /* asset source_ids of this run (duplicates are errors) */
	xsm_ingest_stats stats;
	size_t billable[4];     /* devices, containers, identities, applications (connectors) */
	const char *note;       /* what the run covered (connectors), kept in the state; may be NULL */
	int allow_shrink;       /* asked for an empty run: no warning that it shrank */
} xsm__run_writer;

int xsm__run_begin(xsm__run_writer *w, xsm_store *store, const char *source);
/*
 * Validate and append one record line (json text without newline).
 * XSM_EINVALID (why set) leaves the run usable; other errors are fatal.
 */
int xsm__run_add(xsm__run_writer *w, const char *line, size_t len, char *why, size_t whylen);
/*
 * Make the run visible and record the state ("ok", counts, cursor may be
 * NULL).  A run with less than half the records of the previous one warns,
 * or with ingest.fail_on_shrink is refused (XSM_EINVALID, nothing stored).
 */
int xsm__run_commit(xsm__run_writer *w, const char *cursor);
void xsm__run_abort(xsm__run_writer *w);

/* connectors/<name>.state */
typedef struct xsm__state {
	char *status, *time, *run, *cursor, *error;
	char *synced;           /* time of the last successful run */
	char *note;             /* what that run covered, or NULL */
	size_t assets, findings, relations, invalid;
	size_t billable[4];     /* devices, containers, identities, applications */
} xsm__state;

int xsm__state_read(xsm__state *st, xsm_store *store, const char *source); /* ENOTFOUND if none */
/* the time a run (or snapshot) id starts with ("20261124T120000Z-..."), or -1 */
int64_t xsm__run_time(const char *run);
int xsm__state_write(xsm_store *store, const char *source, const xsm__state *st);
void xsm__state_dispose(xsm__state *st);
/* record a failed attempt: status "error" and the message; counts and run stay as they were */
int xsm__state_fail(xsm_store *store, const char *source, const char *error);

/*
 * Read every record of a stored run: cb gets each parsed record and its
 * line.  validate: check each record fully again (else only its type).
 * ahead (or NULL) sees each record one record before cb does, so it can
 * start fetching what cb will need while cb handles the record before.
 */
int xsm__run_foreach(xsm_store *store, const char *source, const char *run, int validate,
		     int (*cb)(const xsm__json *rec, int type, size_t line, void *payload),
		     void (*ahead)(const xsm__json *rec, int type, void *payload), void *payload);

#endif
