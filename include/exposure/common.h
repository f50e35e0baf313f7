/*
 * exposure/common.h - macros and ownership rules shared by the whole API.
 *
 * Ownership, once for the whole API:
 *  1. A constructor xsm_foo_new/open/load(xsm_foo **out, ...) gives the caller
 *     ownership; release it with xsm_foo_free(), which accepts NULL.
 *  2. A function that returns a pointer directly is a getter: the pointer is
 *     borrowed, lives as long as its parent and is invalidated by any change
 *     to the parent.
 *  3. Strings handed out go through xsm_buf and are released with
 *     xsm_buf_dispose().
 *  4. The library never keeps a caller's pointer; it copies what it needs.
 *  5. Never pass library memory to free().
 *
 * Every fallible function returns int: 0 on success, a negative XSM_E* code
 * on failure (see exposure/errors.h), with the detail on the xsm_ctx.
 */
#ifndef XSM_COMMON_H
#define XSM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
# define XSM_BEGIN_DECL extern "C" {
# define XSM_END_DECL }
#else
# define XSM_BEGIN_DECL
# define XSM_END_DECL
#endif

#define XSM_EXTERN(type) __attribute__((visibility("default"))) type

XSM_BEGIN_DECL

/** A growable byte buffer, always NUL-terminated when ptr is not NULL. */
typedef struct xsm_buf {
	char *ptr;    /**< the bytes; owned by the buffer */
	size_t size;  /**< bytes used, not counting the NUL */
	size_t asize; /**< bytes allocated */
} xsm_buf;

#define XSM_BUF_INIT { NULL, 0, 0 }

/** Release the memory of a buffer and reset it to empty. Accepts NULL. */
XSM_EXTERN(void) xsm_buf_dispose(xsm_buf *buf);

/* Each of these returns 0 or XSM_ENOMEM; the buffer stays NUL-terminated. */
/** Make room for extra more bytes. */
XSM_EXTERN(int) xsm_buf_grow(xsm_buf *b, size_t extra);
/** Append len bytes. */
XSM_EXTERN(int) xsm_buf_put(xsm_buf *b, const void *data, size_t len);
/** Append a string. */
XSM_EXTERN(int) xsm_buf_puts(xsm_buf *b, const char *s);
/** Append one byte. */
XSM_EXTERN(int) xsm_buf_putc(xsm_buf *b, char c);
/** Append formatted text. */
XSM_EXTERN(int) xsm_buf_printf(xsm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Replace the content with s. */
XSM_EXTERN(int) xsm_buf_set(xsm_buf *b, const char *s);
/** Empty the buffer, keeping its memory. */
XSM_EXTERN(void) xsm_buf_clear(xsm_buf *b);

XSM_END_DECL

#endif
