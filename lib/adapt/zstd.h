/*
 * adapt/zstd.h - compressed snapshot files: the only user of libzstd.
 *
 * A compressed file is a run of independent zstd frames followed by a seek
 * table, as zstd's seekable format lays it out (a skippable frame holding
 * each frame's compressed and decompressed size, then a footer): `zstd -d`
 * gives the plain file back, and a reader reaches any byte by
 * decompressing one frame, never the whole file.
 */
#ifndef XSM__ADAPT_ZSTD_H
#define XSM__ADAPT_ZSTD_H

#include <stddef.h>
#include <stdint.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

/*
 * A writer: bytes handed to xsm__zw_put go out compressed, a frame of
 * `frame` bytes at a time (two frames compressed at once, one a thread),
 * through put(arg); xsm__zw_finish writes what is left and the seek table.
 * put's errors are returned as they are (already on its context).
 */
typedef struct xsm__zw xsm__zw;
int xsm__zw_new(xsm__zw **out, xsm_ctx *ctx, size_t frame, int (*put)(const char *p, size_t n, void *arg),
		void *arg);
/* a writer callback (arg: the xsm__zw) */
int xsm__zw_put(const char *p, size_t n, void *zw);
/* end the current frame here, so what follows starts a frame (a section of a file) */
int xsm__zw_cut(xsm__zw *zw);
int xsm__zw_finish(xsm__zw *zw);
/* bytes taken and bytes written so far */
uint64_t xsm__zw_in(const xsm__zw *zw);
uint64_t xsm__zw_out(const xsm__zw *zw);
void xsm__zw_free(xsm__zw *zw); /* takes NULL */

/* p[0..n) as a whole compressed file, into out (replacing what it held) */
int xsm__zstd_file(xsm_buf *out, xsm_ctx *ctx, const void *p, size_t n);

/*
 * A reader over a compressed file held at p[0..n) (a mapping or a buffer
 * the caller keeps while the reader lives).  XSM_EINVALID (what names the
 * file) when it does not end in a sound seek table.
 */
typedef struct xsm__zr xsm__zr;
int xsm__zr_open(xsm__zr **out, xsm_ctx *ctx, const void *p, size_t n, const char *what);
/* whether p[0..n) ends in a seek table: a compressed file, not a plain one */
int xsm__zr_is(const void *p, size_t n);
size_t xsm__zr_nframes(const xsm__zr *zr);
uint64_t xsm__zr_size(const xsm__zr *zr);                /* the plain file's size */
uint64_t xsm__zr_frame_off(const xsm__zr *zr, size_t i); /* where frame i starts in the plain file */
size_t xsm__zr_frame_len(const xsm__zr *zr, size_t i);   /* and its plain length */
/* frame i into dst (xsm__zr_frame_len bytes); safe from several threads at once */
int xsm__zr_frame(const xsm__zr *zr, size_t i, void *dst);
/* n plain bytes from off into dst, across frames (the last frame read is kept for the next call) */
int xsm__zr_read(xsm__zr *zr, uint64_t off, size_t n, void *dst);
void xsm__zr_free(xsm__zr *zr); /* takes NULL */

#endif
