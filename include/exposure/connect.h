/*
 * exposure/connect.h - connectors: configured vendor sources that xsm
 * fetches over HTTP and normalises into records (xsm-connect(1)).
 *
 * A connector is STORE/connectors/<name>.yaml (settings, secrets by
 * reference) plus STORE/connectors/<name>.state (the last attempt).  A
 * sync stores one run of records for it; a sync that fails stores nothing
 * and leaves the previous run as it was.
 */
#ifndef XSM_CONNECT_H
#define XSM_CONNECT_H

#include "common.h"
#include "ctx.h"
#include "store.h"

XSM_BEGIN_DECL

/** A connector type of the catalog (static data). */
typedef struct xsm_connector_type {
	const char *name;                 /**< "servicenow" */
	const char *summary;              /**< one line */
	const char *const *settings;      /**< known setting keys, NULL-terminated */
	const char *const *secrets;       /**< secret names ("password"), NULL-terminated */
	const char *const *required;      /**< settings or secrets that must be given */
} xsm_connector_type;

/** The catalog, sorted by name; *n gets the count. */
XSM_EXTERN(const xsm_connector_type *) xsm_connector_types(size_t *n);
/** A type by name, or NULL. */
XSM_EXTERN(const xsm_connector_type *) xsm_connector_type_find(const char *name);

/**
 * Create (or with replace, overwrite) connector name of type.  settings
 * is a NULL-terminated list of "key=value".  A secret S is given as
 * "S=value" (stored in the 0600 file), "S_env=VAR" or "S_file=PATH" (the
 * file must not be readable by group or others).  Needs the writer lock.
 */
XSM_EXTERN(int) xsm_connector_add(xsm_store *store, const char *type, const char *name,
				  const char *const *settings, int replace);

/** Remove a connector; purge also deletes its records and state. Needs the lock. */
XSM_EXTERN(int) xsm_connector_remove(xsm_store *store, const char *name, int purge);

/**
 * The connector's settings as one JSON object, secrets redacted, and what
 * the last successful sync said about its coverage ("coverage", when it
 * said something).
 */
XSM_EXTERN(int) xsm_connector_show(xsm_buf *json, xsm_store *store, const char *name);

/** What xsm_connector_each tells of a connector. */
enum { XSM_CONN_TYPE, XSM_CONN_SETTING, XSM_CONN_COVERAGE };
/**
 * The same as xsm_connector_show, one item at a time for a table: its type
 * (key "type"), each setting (secrets "[redacted]"), then its coverage
 * note when there is one.  Strings are borrowed; a non-zero return stops.
 */
XSM_EXTERN(int) xsm_connector_each(xsm_store *store, const char *name,
				   int (*cb)(int what, const char *key, const char *value, void *payload),
				   void *payload);

/** Call cb with each configured connector name and type, sorted by name. */
XSM_EXTERN(int) xsm_connector_foreach(xsm_store *store,
				      int (*cb)(const char *name, const char *type, void *payload),
				      void *payload);

/** Progress of a sync, for a status line. */
typedef struct xsm_sync_progress {
	const char *name;
	size_t requests, pages, assets, findings, relations;
	double seconds;
} xsm_sync_progress;

/**
 * How to sync.  The HTTP exchanges (secrets redacted) go to the context's
 * log, when one is set (xsm_ctx_set_log).  Version 2: version 1 had a log
 * callback of its own.
 */
typedef struct xsm_sync_options {
	unsigned int version;
	int full;                  /**< ignore the incremental cursor */
	/** called after each page; may be NULL */
	void (*progress)(const xsm_sync_progress *p, void *payload);
	void *payload;             /**< passed to progress */
} xsm_sync_options;

#define XSM_SYNC_OPTIONS_VERSION 2
#define XSM_SYNC_OPTIONS_INIT { XSM_SYNC_OPTIONS_VERSION, 0, NULL, NULL }

/** What a sync did. */
typedef struct xsm_sync_stats {
	char run[32];              /**< run stored, "" when none */
	int incremental;           /**< fetched changes since the last sync and merged them */
	size_t requests, pages;
	size_t assets, findings, relations;
	size_t skipped;            /**< vendor items with nothing to map (e.g. findings without a CVE) */
	size_t devices, containers, identities, applications; /**< billable assets by kind */
	double seconds;
} xsm_sync_stats;

/**
 * Fetch connector name, normalise, and store the run (the writer lock is
 * needed).  On failure nothing is stored, the state records the error,
 * and the code says what failed: XSM_EAUTH, XSM_ENET, XSM_ERATELIMIT,
 * XSM_EPROTO, XSM_EHTTP, XSM_ECONFIG.
 */
XSM_EXTERN(int) xsm_connector_sync(xsm_sync_stats *stats, xsm_store *store, const char *name,
				   const xsm_sync_options *opts);

/** One cheap authenticated call to the vendor. */
XSM_EXTERN(int) xsm_connector_test(xsm_store *store, const char *name, const xsm_sync_options *opts);

/** One permission a connector needs, as xsm_connector_check found it. */
typedef struct xsm_permission_check {
	const char *permission;    /**< "Machine.Read.All" */
	const char *what;          /**< what it reads: "machines" */
	int granted;               /**< 1 granted, 0 missing */
} xsm_permission_check;

/**
 * Check a connector: one call per permission it needs, each reported to
 * cb (may be NULL; a negative return from cb stops the check).  Types
 * without a permission table make the one call of xsm_connector_test and
 * report nothing.  0 when everything was granted; XSM_EAUTH naming the
 * missing permissions otherwise; the errors of xsm_connector_test.
 */
XSM_EXTERN(int) xsm_connector_check(xsm_store *store, const char *name, const xsm_sync_options *opts,
				    int (*cb)(const xsm_permission_check *p, void *payload), void *payload);


XSM_END_DECL

#endif
