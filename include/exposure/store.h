/*
 * exposure/store.h - the local file store (xsm-store(5)).
 *
 * Layout: format, config.yaml, connectors/, records/<source>/<run>.jsonl,
 * rules/, graph/<snapshot>/, graph/HEAD, events.jsonl, audit.jsonl, lock.
 * Directories are 0700 and files 0600.  Every write is atomic (temp file,
 * fsync, rename, fsync of the directory).  Writers hold an flock(2) on
 * STORE/lock; readers never take it.
 */
#ifndef XSM_STORE_H
#define XSM_STORE_H

#include "common.h"
#include "ctx.h"

XSM_BEGIN_DECL

#define XSM_STORE_FORMAT_MAJOR 1

typedef struct xsm_store xsm_store;

/** Flags for xsm_store_open. */
enum {
	XSM_STORE_CREATE = 1 << 0, /**< create the store when it does not exist */
	XSM_STORE_WRITE  = 1 << 1, /**< take the writer lock (waits lock.timeout s) */
};

/**
 * Resolve the store directory: explicit (may be NULL), then $XSM_STORE,
 * then store.path in the configuration of ctx, then $XDG_DATA_HOME/xsm
 * (default ~/.local/share/xsm).  Relative XDG values are ignored.
 */
XSM_EXTERN(int) xsm_store_resolve(xsm_buf *out, xsm_ctx *ctx, const char *explicit_dir);

/**
 * Open the store at dir.  Without XSM_STORE_CREATE a missing store is
 * XSM_ENOINPUT; a newer format major is XSM_EFORMAT; with XSM_STORE_WRITE a
 * lock held past lock.timeout seconds is XSM_ELOCKED (the message names the
 * lock file).  Caller owns *out.
 */
XSM_EXTERN(int) xsm_store_open(xsm_store **out, xsm_ctx *ctx, const char *dir,
			       unsigned int flags);

/** Release the store and its lock. Accepts NULL. */
XSM_EXTERN(void) xsm_store_free(xsm_store *store);

/** The store directory.  Borrowed. */
XSM_EXTERN(const char *) xsm_store_path(const xsm_store *store);

/** The context the store was opened with.  Borrowed. */
XSM_EXTERN(xsm_ctx *) xsm_store_ctx(const xsm_store *store);

/** True when this handle holds the writer lock. */
XSM_EXTERN(int) xsm_store_is_writer(const xsm_store *store);

/**
 * Atomically replace STORE/relpath with data (parents created).  Needs the
 * writer lock.
 */
XSM_EXTERN(int) xsm_store_write(xsm_store *store, const char *relpath,
				const void *data, size_t len);

/**
 * Read STORE/relpath into out (replacing its content), refusing files larger
 * than cap bytes (0: the http.max_body default, 64 MiB).  XSM_ENOTFOUND
 * when absent.
 */
XSM_EXTERN(int) xsm_store_read(xsm_buf *out, xsm_store *store, const char *relpath,
			       size_t cap);

/**
 * Append one line (a newline is added) to an append-only log such as
 * audit.jsonl: the whole line or nothing (a short write is truncated back,
 * and the error is the write's).  The file is never a symbolic link.
 */
XSM_EXTERN(int) xsm_store_append(xsm_store *store, const char *relpath, const char *line);

/**
 * Record an audit entry {"time","user","action","target","detail"} in
 * audit.jsonl.  detail may be NULL; it must never hold a secret.
 */
XSM_EXTERN(int) xsm_store_audit(xsm_store *store, const char *action,
				const char *target, const char *detail);

/**
 * Take back the entry this handle's last xsm_store_audit appended, when
 * the change it announces could not be made.  A change and its entry are
 * committed together: the entry goes first (a failed append changes
 * nothing), the change second, and a failed change takes the entry back.
 * Does nothing when there is no entry to take back.
 */
XSM_EXTERN(int) xsm_store_audit_undo(xsm_store *store);

/**
 * List the entries of directory STORE/relpath (sorted, without "." and
 * ".." and temporary files), calling cb for each; a non-zero return stops.
 * A missing directory lists nothing.
 */
XSM_EXTERN(int) xsm_store_list(xsm_store *store, const char *relpath,
			       int (*cb)(const char *name, void *payload), void *payload);

/** Remove STORE/relpath (a file, or a directory recursively). Needs the lock. */
XSM_EXTERN(int) xsm_store_remove(xsm_store *store, const char *relpath);

/** Bytes a store's files take, by part; a file with several names (shared snapshot files) counts once. */
typedef struct xsm_store_usage {
	unsigned long long snapshots; /**< graph/ */
	unsigned long long records;   /**< records/ */
	unsigned long long other;     /**< the rest: events, audit, connectors, rules, config */
	unsigned long long cache;     /**< cache/: the graph image, made again when missing */
} xsm_store_usage;

/** Fill *out (ownership: caller's); never takes the lock.  Files that cannot be read count nothing. */
XSM_EXTERN(int) xsm_store_usage_get(xsm_store_usage *out, xsm_store *store);

XSM_END_DECL

#endif
