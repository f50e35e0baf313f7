/*
 * exposure/ctx.h - the context every call takes: error message, clock,
 * effective configuration.  A context is used by one thread at a time.
 */
#ifndef XSM_CTX_H
#define XSM_CTX_H

#include "common.h"

XSM_BEGIN_DECL

typedef struct xsm_ctx xsm_ctx;

/** Create a context. Caller owns *out; release with xsm_ctx_free. */
XSM_EXTERN(int) xsm_ctx_new(xsm_ctx **out);

/** Release a context. Accepts NULL. */
XSM_EXTERN(void) xsm_ctx_free(xsm_ctx *ctx);

/**
 * The detail of the last error set on ctx ("" when none).  Borrowed, valid
 * until the next call that takes ctx.
 */
XSM_EXTERN(const char *) xsm_ctx_errmsg(const xsm_ctx *ctx);

/** The code of the last error set on ctx (0 when none). */
XSM_EXTERN(int) xsm_ctx_errcode(const xsm_ctx *ctx);

/**
 * A line of progress from long work (a build's phases with their times,
 * for instance).  The line has no newline; it is valid during the call.
 */
typedef void (*xsm_log_fn)(const char *line, void *payload);

/** Send progress lines to fn (NULL: none, the default). */
XSM_EXTERN(void) xsm_ctx_set_log(xsm_ctx *ctx, xsm_log_fn fn, void *payload);

/**
 * Send warnings to fn (NULL: none, the default): something the library
 * went on past but the user should know (a source that shrank, vendor
 * bytes it mended).  One line, no newline, lower case.
 */
XSM_EXTERN(void) xsm_ctx_set_warn(xsm_ctx *ctx, xsm_log_fn fn, void *payload);

/** Forget the last error. */
XSM_EXTERN(void) xsm_ctx_clear(xsm_ctx *ctx);

/**
 * The current time in seconds since the epoch.  $XSM_NOW (RFC 3339 UTC)
 * overrides the clock, for reproducible output and tests.
 */
XSM_EXTERN(int64_t) xsm_ctx_now(const xsm_ctx *ctx);

/** Format t as RFC 3339 UTC ("2026-11-24T00:00:00Z") into out[21]. */
XSM_EXTERN(void) xsm_time_format(char out[21], int64_t t);

/** Parse RFC 3339 (Z or +hh:mm offset, optional fraction). 0 or XSM_EINVALID. */
XSM_EXTERN(int) xsm_time_parse(int64_t *out, const char *s);

XSM_END_DECL

#endif
