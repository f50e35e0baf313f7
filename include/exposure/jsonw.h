/*
 * exposure/jsonw.h - a streaming JSON writer into an xsm_buf.  Keys come out
 * in the order written (so output key order is fixed by the code); commas
 * are placed automatically.  Numbers are printed locale-independently;
 * NaN and Inf become null.
 */
#ifndef XSM_JSONW_H
#define XSM_JSONW_H

#include <stdint.h>

#include "common.h"

XSM_BEGIN_DECL

#define XSM_JW_DEPTH 64

/** Writer state; initialise with xsm_jw_init.  err is sticky (first error). */
typedef struct xsm_jw {
	xsm_buf *b;
	int depth;
	int err;                         /* sticky: first error */
	unsigned char first[XSM_JW_DEPTH];
	unsigned char after_key;
	int pretty;
} xsm_jw;

XSM_EXTERN(void) xsm_jw_init(xsm_jw *w, xsm_buf *b);
XSM_EXTERN(void) xsm_jw_obj(xsm_jw *w);
XSM_EXTERN(void) xsm_jw_obj_end(xsm_jw *w);
XSM_EXTERN(void) xsm_jw_arr(xsm_jw *w);
XSM_EXTERN(void) xsm_jw_arr_end(xsm_jw *w);
XSM_EXTERN(void) xsm_jw_key(xsm_jw *w, const char *k);
/** A key of n bytes (need not be NUL-terminated). */
XSM_EXTERN(void) xsm_jw_keyn(xsm_jw *w, const char *k, size_t n);
XSM_EXTERN(void) xsm_jw_str(xsm_jw *w, const char *s);   /* NULL writes null */
XSM_EXTERN(void) xsm_jw_strn(xsm_jw *w, const char *s, size_t n);
XSM_EXTERN(void) xsm_jw_num(xsm_jw *w, double d);
XSM_EXTERN(void) xsm_jw_int(xsm_jw *w, int64_t i);
XSM_EXTERN(void) xsm_jw_bool(xsm_jw *w, int b);
XSM_EXTERN(void) xsm_jw_null(xsm_jw *w);
XSM_EXTERN(void) xsm_jw_raw(xsm_jw *w, const char *json); /* an already-encoded value */
XSM_EXTERN(void) xsm_jw_rawn(xsm_jw *w, const char *json, size_t n); /* the same, n bytes */
/* key + value shorthands */
XSM_EXTERN(void) xsm_jw_kstr(xsm_jw *w, const char *k, const char *s);
XSM_EXTERN(void) xsm_jw_kint(xsm_jw *w, const char *k, int64_t i);
XSM_EXTERN(void) xsm_jw_knum(xsm_jw *w, const char *k, double d);
XSM_EXTERN(void) xsm_jw_kbool(xsm_jw *w, const char *k, int b);
/** Append the JSON string literal (quotes included) of s[0..n) to b. */
XSM_EXTERN(int) xsm_json_quote(xsm_buf *b, const char *s, size_t n);
/** The shortest round-trip text of d into out[32] (no locale); "null" for NaN/Inf. */
XSM_EXTERN(void) xsm_json_numtext(char out[32], double d);

XSM_END_DECL

#endif
