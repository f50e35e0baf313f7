/* adapt/zstd.c - compressed snapshot files (zstd's seekable layout): the only user of libzstd. */
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "adapt/zstd.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/vec.h"

/*
 * Level 1: on snapshot files (JSON lines, arrays of ids) it compresses
 * within a few percent of level 3, at twice the speed.  Every frame
 * carries its content size and a checksum, verified when it is read.
 */
enum { LEVEL = 1 };

#define SKIPPABLE_MAGIC 0x184D2A5Eu
#define SEEKABLE_MAGIC 0x8F92EAB1u
#define FOOTER 9u /* number of frames u32, descriptor u8, magic u32 */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct entry {
	uint32_t csize, dsize;
};

/* --- writing --------------------------------------------------------------------------- */

struct stage {
	ZSTD_CCtx *cc;
	char *in, *out;
	size_t len, olen, ocap;
	int rc;
};

struct xsm__zw {
	xsm_ctx *ctx;
	int (*put)(const char *p, size_t n, void *arg);
	void *arg;
	size_t frame;
	struct stage st[2];
	int cur;                   /* the stage being filled */
	XSM__VEC(struct entry) tab;
	uint64_t in, out;
};

static int stage_init(struct stage *s, size_t frame)
{
	s->ocap = ZSTD_compressBound(frame);
	if (!(s->cc = ZSTD_createCCtx()) || !(s->in = xsm__malloc(frame ? frame : 1)) ||
	    !(s->out = xsm__malloc(s->ocap)))
		return XSM_ENOMEM;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(s->cc, ZSTD_c_compressionLevel, LEVEL)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(s->cc, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(s->cc, ZSTD_c_contentSizeFlag, 1)))
		return XSM_ERROR;
	return 0;
}

static void *compress_stage(void *arg)
{
	struct stage *s = arg;
	size_t r = ZSTD_compress2(s->cc, s->out, s->ocap, s->in, s->len);
	s->rc = ZSTD_isError(r) ? XSM_ERROR : 0;
	s->olen = ZSTD_isError(r) ? 0 : r;
	return NULL;
}

int xsm__zw_new(xsm__zw **out, xsm_ctx *ctx, size_t frame, int (*put)(const char *p, size_t n, void *arg),
		void *arg)
{
	xsm__zw *zw = xsm__calloc(1, sizeof(*zw));
	int rc = XSM_ENOMEM;

	*out = NULL;
	if (frame < 4096)
		frame = 4096;
	if (frame > (1u << 30))
		frame = 1u << 30; /* a frame's size is a u32 in the seek table */
	if (zw) {
		zw->ctx = ctx;
		zw->put = put;
		zw->arg = arg;
		zw->frame = frame;
		if ((rc = stage_init(&zw->st[0], frame)) == 0)
			rc = stage_init(&zw->st[1], frame);
	}
	if (rc < 0) {
		xsm__zw_free(zw);
		return rc == XSM_ENOMEM ? xsm__error_oom(ctx) : xsm__error_set(ctx, XSM_ERROR, "cannot set up zstd");
	}
	*out = zw;
	return 0;
}

/* compress the filled stages (both at once when both are), write them in order */
static int flush(xsm__zw *zw)
{
	int n = zw->st[1].len ? 2 : zw->st[0].len ? 1 : 0, rc = 0;
	if (!n)
		return 0;
	xsm__run2(compress_stage, &zw->st[0], n == 2 ? &zw->st[1] : NULL);
	for (int k = 0; k < n && rc == 0; k++) {
		struct stage *s = &zw->st[k];
		struct entry e = { (uint32_t)s->olen, (uint32_t)s->len };
		if (s->rc < 0)
			return xsm__error_set(zw->ctx, XSM_ERROR, "zstd compression failed");
		if (xsm__vec_push(&zw->tab, e) < 0)
			return xsm__error_oom(zw->ctx);
		if ((rc = zw->put(s->out, s->olen, zw->arg)) == 0)
			zw->out += s->olen;
	}
	zw->st[0].len = zw->st[1].len = 0;
	zw->cur = 0;
	return rc;
}

int xsm__zw_cut(xsm__zw *zw)
{
	if (!zw->st[zw->cur].len)
		return 0;
	if (zw->cur == 0) {
		zw->cur = 1;
		return 0;
	}
	return flush(zw);
}

int xsm__zw_put(const char *p, size_t n, void *arg)
{
	xsm__zw *zw = arg;
	int rc;
	while (n) {
		struct stage *s = &zw->st[zw->cur];
		size_t k = zw->frame - s->len < n ? zw->frame - s->len : n;
		memcpy(s->in + s->len, p, k);
		s->len += k;
		zw->in += k;
		p += k;
		n -= k;
		if (s->len == zw->frame && (rc = xsm__zw_cut(zw)) < 0)
			return rc;
	}
	return 0;
}

int xsm__zw_finish(xsm__zw *zw)
{
	unsigned char *t;
	size_t i, tlen;
	int rc = flush(zw);
	if (rc < 0)
		return rc;
	if (zw->tab.n >= UINT32_MAX / 8)
		return xsm__error_set(zw->ctx, XSM_ERROR, "too many zstd frames");
	tlen = 8 + zw->tab.n * 8 + FOOTER;
	if (!(t = xsm__malloc(tlen)))
		return xsm__error_oom(zw->ctx);
	put32(t, SKIPPABLE_MAGIC);
	put32(t + 4, (uint32_t)(tlen - 8));
	for (i = 0; i < zw->tab.n; i++) {
		put32(t + 8 + 8 * i, zw->tab.v[i].csize);
		put32(t + 12 + 8 * i, zw->tab.v[i].dsize);
	}
	put32(t + tlen - 9, (uint32_t)zw->tab.n);
	t[tlen - 5] = 0; /* no checksums in the table: each frame has its own */
	put32(t + tlen - 4, SEEKABLE_MAGIC);
	if ((rc = zw->put((const char *)t, tlen, zw->arg)) == 0)
		zw->out += tlen;
	xsm__free(t);
	return rc;
}

uint64_t xsm__zw_in(const xsm__zw *zw) { return zw->in; }
uint64_t xsm__zw_out(const xsm__zw *zw) { return zw->out; }

void xsm__zw_free(xsm__zw *zw)
{
	if (!zw)
		return;
	for (int k = 0; k < 2; k++) {
		ZSTD_freeCCtx(zw->st[k].cc);
		xsm__free(zw->st[k].in);
		xsm__free(zw->st[k].out);
	}
	xsm__vec_free(&zw->tab);
	xsm__free(zw);
}

static int buf_put(const char *p, size_t n, void *arg)
{
	return xsm_buf_put(arg, p, n) < 0 ? XSM_ENOMEM : 0;
}

int xsm__zstd_file(xsm_buf *out, xsm_ctx *ctx, const void *p, size_t n)
{
	xsm__zw *zw = NULL;
	int rc;
	xsm_buf_clear(out);
	if ((rc = xsm__zw_new(&zw, ctx, n < (4u << 20) ? n : (4u << 20), buf_put, out)) < 0)
		return rc;
	rc = xsm__zw_put(p, n, zw);
	if (rc == 0)
		rc = xsm__zw_finish(zw);
	xsm__zw_free(zw);
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(ctx);
	return rc;
}

/* --- reading --------------------------------------------------------------------------- */

struct xsm__zr {
	xsm_ctx *ctx;
	const unsigned char *p;
	size_t nframes;
	uint64_t *coff, *doff;     /* nframes + 1 each: where frame i starts, compressed and plain */
	ZSTD_DCtx *dc;
	char *cache;               /* the last frame xsm__zr_read decompressed */
	size_t cached, cache_cap;  /* its index + 1 (0: none) */
	char what[64];
};

int xsm__zr_is(const void *p, size_t n)
{
	const unsigned char *b = p;
	return n >= 8 + FOOTER && get32(b + n - 4) == SEEKABLE_MAGIC;
}

int xsm__zr_open(xsm__zr **out, xsm_ctx *ctx, const void *p, size_t n, const char *what)
{
	const unsigned char *b = p, *t;
	xsm__zr *zr;
	uint32_t nf;
	size_t i, tlen;

	*out = NULL;
	if (!xsm__zr_is(p, n))
		goto bad;
	nf = get32(b + n - 9);
	if ((b[n - 5] & 0x80) || nf > (n - 8 - FOOTER) / 8)
		goto bad;
	tlen = 8 + (size_t)nf * 8 + FOOTER;
	t = b + n - tlen;
	if (get32(t) != SKIPPABLE_MAGIC || get32(t + 4) != tlen - 8)
		goto bad;
	if (!(zr = xsm__calloc(1, sizeof(*zr))) || !(zr->coff = xsm__calloc((size_t)nf + 1, 8)) ||
	    !(zr->doff = xsm__calloc((size_t)nf + 1, 8)) || !(zr->dc = ZSTD_createDCtx())) {
		xsm__zr_free(zr);
		return xsm__error_oom(ctx);
	}
	zr->ctx = ctx;
	zr->p = b;
	zr->nframes = nf;
	snprintf(zr->what, sizeof(zr->what), "%s", what);
	for (i = 0; i < nf; i++) {
		zr->coff[i + 1] = zr->coff[i] + get32(t + 8 + 8 * i);
		zr->doff[i + 1] = zr->doff[i] + get32(t + 12 + 8 * i);
	}
	if (zr->coff[nf] != n - tlen) {
		xsm__zr_free(zr);
		goto bad;
	}
	*out = zr;
	return 0;
bad:
	return xsm__error_set(ctx, XSM_EINVALID, "'%s' is not a sound compressed file", what);
}

size_t xsm__zr_nframes(const xsm__zr *zr) { return zr->nframes; }
uint64_t xsm__zr_size(const xsm__zr *zr) { return zr->doff[zr->nframes]; }
uint64_t xsm__zr_frame_off(const xsm__zr *zr, size_t i) { return zr->doff[i]; }
size_t xsm__zr_frame_len(const xsm__zr *zr, size_t i) { return (size_t)(zr->doff[i + 1] - zr->doff[i]); }

/* no error message here: it may run on a thread of its own */
static int frame_into(const xsm__zr *zr, ZSTD_DCtx *dc, size_t i, void *dst)
{
	size_t want = xsm__zr_frame_len(zr, i), clen = (size_t)(zr->coff[i + 1] - zr->coff[i]), r;
	const unsigned char *src = zr->p + zr->coff[i];
	if (ZSTD_getFrameContentSize(src, clen) != want || ZSTD_findFrameCompressedSize(src, clen) != clen)
		return XSM_EINVALID;
	r = dc ? ZSTD_decompressDCtx(dc, dst, want, src, clen) : ZSTD_decompress(dst, want, src, clen);
	return ZSTD_isError(r) || r != want ? XSM_EINVALID : 0;
}

int xsm__zr_frame(const xsm__zr *zr, size_t i, void *dst)
{
	return i < zr->nframes ? frame_into(zr, NULL, i, dst) : XSM_EINVALID;
}

int xsm__zr_read(xsm__zr *zr, uint64_t off, size_t n, void *dst)
{
	char *d = dst;
	size_t lo = 0, hi = zr->nframes;
	if (off > xsm__zr_size(zr) || n > xsm__zr_size(zr) - off)
		return xsm__error_set(zr->ctx, XSM_EINVALID, "'%s' is shorter than its index says", zr->what);
	/* the frame holding off: the last one starting at or before it */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (zr->doff[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = lo; n; i++) {
		size_t flen = xsm__zr_frame_len(zr, i), at = (size_t)(off - zr->doff[i]), k;
		if (zr->cached != i + 1) {
			if (flen > zr->cache_cap) {
				char *c = xsm__realloc(zr->cache, flen);
				if (!c)
					return xsm__error_oom(zr->ctx);
				zr->cache = c;
				zr->cache_cap = flen;
			}
			zr->cached = 0;
			if (frame_into(zr, zr->dc, i, zr->cache) < 0)
				return xsm__error_set(zr->ctx, XSM_EINVALID, "'%s': frame %zu is damaged", zr->what, i);
			zr->cached = i + 1;
		}
		k = flen - at < n ? flen - at : n;
		memcpy(d, zr->cache + at, k);
		d += k;
		off += k;
		n -= k;
	}
	return 0;
}

void xsm__zr_free(xsm__zr *zr)
{
	if (!zr)
		return;
	xsm__free(zr->coff);
	xsm__free(zr->doff);
	xsm__free(zr->cache);
	ZSTD_freeDCtx(zr->dc);
	xsm__free(zr);
}
