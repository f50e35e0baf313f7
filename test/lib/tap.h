/* tap.h - a small TAP producer for C unit tests (run by prove). */
#ifndef XSM_TAP_H
#define XSM_TAP_H

#include <string.h>

#include "exposure.h"

void plan(int n);
void plan_skip_all(const char *why);
int ok_(int cond, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int is_int_(long long got, long long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int is_str_(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void skip(int n, const char *why);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prints the plan when none was given; returns the exit status for main */
int done_testing(void);

#define ok(cond, ...) ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) is_int_((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) is_str_((got), (want), __FILE__, __LINE__, __VA_ARGS__)
/* assert an xsm call returned 0; prints the context's message when not */
#define ok_xsm(expr, ctx, ...) \
	(is_int_((long long)(expr), 0, __FILE__, __LINE__, __VA_ARGS__) ? 1 : (diag("  %s", xsm_ctx_errmsg(ctx)), 0))

/* a fresh empty directory under $TMPDIR for this test; removed at exit */
const char *tap_tmpdir(void);
/* write a file (for fixtures); returns 0 */
int tap_write_file(const char *path, const char *content);

#endif
