/*
 * exposure/config.h - the effective configuration.
 *
 * Precedence, lowest first: built-in defaults < /etc/xsm/config.yaml <
 * STORE/config.yaml < $XDG_CONFIG_HOME/xsm/config.yaml (or the file named by
 * --config / $XSM_CONFIG, which replaces it) < XSM_* environment variables
 * (XSM_RETENTION_DAYS sets retention.days) < explicit settings
 * (xsm_config_set, the CLI's -c key=value and flags).
 * Keys are dotted paths of scalars ("paths.max_hops").
 */
#ifndef XSM_CONFIG_H
#define XSM_CONFIG_H

#include "common.h"
#include "ctx.h"

XSM_BEGIN_DECL

typedef struct xsm_config xsm_config;

/**
 * Load the configuration layers.  explicit_file (may be NULL) replaces the
 * user file and must exist; store_dir (may be NULL) adds STORE/config.yaml.
 * A missing optional file is skipped; an unreadable or invalid one fails with
 * XSM_ECONFIG and "file:line:col: reason" on ctx.  Caller owns *out.
 */
XSM_EXTERN(int) xsm_config_load(xsm_config **out, xsm_ctx *ctx,
				const char *explicit_file, const char *store_dir);

/** Release a configuration. Accepts NULL. */
XSM_EXTERN(void) xsm_config_free(xsm_config *cfg);

/** Set key to value (copied), with origin (copied, e.g. "command line"). */
XSM_EXTERN(int) xsm_config_set(xsm_config *cfg, const char *key,
			       const char *value, const char *origin);

/** The value of key or NULL.  Borrowed, valid until cfg changes. */
XSM_EXTERN(const char *) xsm_config_get(const xsm_config *cfg, const char *key);

/**
 * Where the value of key came from: "default" (built in; data.dir defaults
 * to the installed share/xsm), a file path, "env XSM_...", or the origin
 * given to xsm_config_set.
 */
XSM_EXTERN(const char *) xsm_config_origin(const xsm_config *cfg, const char *key);

/** 1 when key is a setting xsm knows (xsm-config(5) lists them), else 0. */
XSM_EXTERN(int) xsm_config_known(const char *key);

/**
 * Whether value is valid for key before setting it: XSM_ENOTFOUND for a
 * key xsm does not know, XSM_ECONFIG for a value of the wrong type or out
 * of range; the message (on ctx, which may be NULL) names the key.
 */
XSM_EXTERN(int) xsm_config_check(xsm_ctx *ctx, const char *key, const char *value);

/**
 * The value of key as an integer in [min, max].  XSM_ENOTFOUND when unset;
 * XSM_ECONFIG (message names the key and its origin) when not a number or
 * out of range.
 */
XSM_EXTERN(int) xsm_config_get_int(long *out, const xsm_config *cfg, xsm_ctx *ctx,
				   const char *key, long min, long max);

/** The value of key as a boolean (true/false/yes/no/on/off/1/0). */
XSM_EXTERN(int) xsm_config_get_bool(int *out, const xsm_config *cfg, xsm_ctx *ctx,
				    const char *key);

/** Call cb for every key in sorted order; a non-zero return stops (returned). */
XSM_EXTERN(int) xsm_config_foreach(const xsm_config *cfg,
				   int (*cb)(const char *key, const char *value,
					     const char *origin, void *payload),
				   void *payload);

/** Make ctx use cfg (borrowed: cfg must outlive the use of ctx). */
XSM_EXTERN(void) xsm_ctx_set_config(xsm_ctx *ctx, const xsm_config *cfg);

/** The configuration ctx uses, or NULL. */
XSM_EXTERN(const xsm_config *) xsm_ctx_config(const xsm_ctx *ctx);

XSM_END_DECL

#endif
