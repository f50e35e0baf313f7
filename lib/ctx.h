/* ctx.h - library-internal view of the context. */
#ifndef XSM__CTX_H
#define XSM__CTX_H

#include "exposure/ctx.h"
#include "exposure/config.h"
#include "exposure/errors.h"

struct xsm_ctx {
	int code;
	char msg[1024];
	const xsm_config *cfg;
	xsm_log_fn log;
	void *log_payload;
	xsm_log_fn warn;
	void *warn_payload;
	double phase_cpu;   /* process CPU seconds when the last phase ended (xsm__phase) */
	char *actor;     /* who acts, for the audit log (a served caller); NULL: the process's user */
	char *scope;     /* a device scope limiting what is read (xsm_ctx_set_scope), or NULL */
	int scope_paths; /* with a scope: 1 paths through in-scope devices only are read, 0 none */
};

/* the user an audit entry names: the actor, else the process's own user */
const char *xsm__actor(const xsm_ctx *ctx);

/* set the error message on ctx and return code, so `return xsm__error_set(...)` works */
int xsm__error_set(xsm_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* prefix the current message with "what: " (keeps the code); returns the code */
int xsm__error_prefix(xsm_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* set an error from errno: "<what>: <strerror>", code chosen from errno (EACCES -> XSM_EDENIED ...) */
int xsm__error_errno(xsm_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* XSM_ENOMEM with a fixed message */
int xsm__error_oom(xsm_ctx *ctx);

/* configured integer with a default; bad values fall back to the default */
long xsm__cfg_long(const xsm_ctx *ctx, const char *key, long dflt);

/* seconds on the monotonic clock (for durations, not dates) */
double xsm__mono(void);
/* a progress line to the context's log, if one is set */
void xsm__log(xsm_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a warning to the context's warning callback, if one is set */
void xsm__warn(xsm_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * log "what: S s, CPU C s, peak RSS M MB" for the phase that began at *t0
 * (C: the process's CPU time over the phase, every thread), and start the next one;
 * what NULL starts a phase without a line
 */
void xsm__phase(xsm_ctx *ctx, double *t0, const char *what);
/*
 * fn(a) on this thread and fn(b) on a second one, back when both are done
 * (b NULL: fn(a) alone; when no thread can be made, fn(b) after fn(a)).
 * The library's one way of putting both cores to work.
 */
void xsm__run2(void *(*fn)(void *), void *a, void *b);
/*
 * qsort on both cores: each half sorted by a thread, then merged, a tie
 * taking the first half's element first.  glibc's qsort is a stable merge
 * sort, and so is this: the same order as qsort for any cmp.  Small
 * arrays, and no memory for the merge, go to qsort as they are.
 */
void xsm__qsort2(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* sleep s seconds (resumed after signals) */
void xsm__sleep(double s);

#endif
