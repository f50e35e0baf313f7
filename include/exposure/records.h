/*
 * exposure/records.h - the record format every source speaks (xsm-json(7))
 * and the runs of records kept in the store.
 *
 * A run is one ingest of one source: STORE/records/<source>/<run>.jsonl,
 * visible only once complete.  The latest run of each source is what the
 * graph is built from.  STORE/connectors/<source>.state says how the last
 * attempt went.
 */
#ifndef XSM_RECORDS_H
#define XSM_RECORDS_H

#include "common.h"
#include "ctx.h"
#include "store.h"

XSM_BEGIN_DECL

/** Options for xsm_records_ingest_fd.  Pass NULL for the defaults. */
typedef struct xsm_ingest_options {
	unsigned int version;
	/** store the valid records of a run that has invalid lines (counted) */
	int skip_invalid;
	/** called for each invalid line: where is the input name; may be NULL */
	void (*on_invalid)(const char *where, size_t line, const char *reason, void *payload);
	void *payload;
	/** called every 65536 lines and once at the end (done = 1); may be NULL */
	void (*progress)(size_t lines, int done, void *payload);
	/**
	 * Version 2: store a run with no records.  Without it, input with no
	 * (valid) record is refused with XSM_ENOINPUT: an empty run would
	 * empty the source from the graph.
	 */
	int allow_empty;
} xsm_ingest_options;

#define XSM_INGEST_OPTIONS_VERSION 2
#define XSM_INGEST_OPTIONS_INIT { XSM_INGEST_OPTIONS_VERSION, 0, NULL, NULL, NULL, 0 }

/** What one ingest did. */
typedef struct xsm_ingest_stats {
	size_t lines;      /**< non-blank lines read */
	size_t assets, findings, relations;
	size_t invalid;    /**< lines rejected */
	char run[32];      /**< the run id stored ("" when nothing was stored) */
} xsm_ingest_stats;

/** True when name is a valid source/connector name: [a-z0-9][a-z0-9_-]{0,62}. */
XSM_EXTERN(int) xsm_source_name_valid(const char *name);

/**
 * Read records from fd (streamed, constant memory) and store them as a new
 * run of source.  where names the input in messages ("-" for stdin).  Any
 * invalid line makes the whole run fail with XSM_EINVALID and nothing stored,
 * unless opts->skip_invalid.  Input with no valid record fails with
 * XSM_ENOINPUT unless opts->allow_empty.  A run with less than half the
 * records of the source's previous run is stored with a warning
 * (xsm_ctx_set_warn), or refused with XSM_EINVALID when the setting
 * ingest.fail_on_shrink is true.  Needs the writer lock.
 */
XSM_EXTERN(int) xsm_records_ingest_fd(xsm_ingest_stats *stats, xsm_store *store,
				      const char *source, int fd, const char *where,
				      const xsm_ingest_options *opts);

/**
 * The vendor export formats xsm_records_ingest_vendor_fd reads,
 * NULL-terminated: "nessus", "qualys-xml", "rapid7-csv", "tenable-csv".
 */
XSM_EXTERN(const char *const *) xsm_vendor_formats(void);

/**
 * Read an exported vendor file from fd (streamed: memory is bounded by one
 * host's data, not the file) and store its assets and CVE findings as a new
 * run of source, with the records and identity keys the live connector
 * for that vendor writes.  XML is read without loading a DTD, fetching or
 * expanding entities.  Malformed or truncated input is XSM_EINVALID with
 * "where:line: reason" and nothing is stored; a CSV export without a
 * required column is XSM_EINVALID naming it.  opts as for
 * xsm_records_ingest_fd (skip_invalid and on_invalid are not used).
 * Needs the writer lock.
 */
XSM_EXTERN(int) xsm_records_ingest_vendor_fd(xsm_ingest_stats *stats, xsm_store *store, const char *source,
					     const char *format, int fd, const char *where,
					     const xsm_ingest_options *opts);

/** One source known to the store (all strings borrowed for the callback). */
typedef struct xsm_source_info {
	const char *name;
	const char *status;    /**< "ok", "error" or "never synced" */
	const char *last_run;  /**< latest run id or NULL */
	const char *last_time; /**< RFC 3339 time of the last attempt or NULL */
	const char *error;     /**< last error message or NULL */
	size_t runs;           /**< runs kept */
	size_t assets, findings, relations;
	const char *synced;    /**< RFC 3339 time of the last successful run or NULL */
	/** billable assets of the last run by kind (connectors) */
	size_t devices, containers, identities, applications;
	/**
	 * Hours since the last successful run (-1: none ever succeeded), and
	 * whether the source is stale: past events.stale_hours (72) or never
	 * successful.  status, connect list and the events feed agree on these.
	 */
	long age_hours;
	int stale;
	int configured;        /**< a connector is configured under this name */
} xsm_source_info;

/**
 * Call cb for each source with records or state, and each configured
 * connector (never synced ones too), sorted by name.
 */
XSM_EXTERN(int) xsm_sources_foreach(xsm_store *store,
				    int (*cb)(const xsm_source_info *info, void *payload),
				    void *payload);

/**
 * The latest complete run of source into out ("" when none).  0, or an
 * error.
 */
XSM_EXTERN(int) xsm_records_latest(xsm_buf *out, xsm_store *store, const char *source);

XSM_END_DECL

#endif
