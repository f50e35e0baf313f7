/* test_zstd.c - compressed snapshot files: frames, seek table, random reads, damage */
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "adapt/zstd.h"
#include "util/alloc.h"

static int put_buf(const char *p, size_t n, void *arg)
{
	return xsm_buf_put(arg, p, n) < 0 ? XSM_ENOMEM : 0;
}

int main(void)
{
	xsm_ctx *ctx = NULL;
	xsm_buf plain = XSM_BUF_INIT, z = XSM_BUF_INIT, back = XSM_BUF_INIT;
	xsm__zw *zw = NULL;
	xsm__zr *zr = NULL;
	size_t i, total = 0;
	int good = 1;
	char line[128];

	xsm_ctx_new(&ctx);
	/* lines of varying length, many frames of 4096 bytes, with a cut in the middle */
	ok_xsm(xsm__zw_new(&zw, ctx, 4096, put_buf, &z), ctx, "writer");
	for (i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "{\"PathId\":\"ap-%016zx\",\"hops\":%zu}\n", i * 2654435761u, i % 9);
		xsm_buf_put(&plain, line, (size_t)n);
		if (xsm__zw_put(line, (size_t)n, zw) < 0)
			good = 0;
		if (i == 2500)
			good &= xsm__zw_cut(zw) == 0;
	}
	ok(good, "every put and the cut succeed");
	ok_xsm(xsm__zw_finish(zw), ctx, "finish");
	is_int(xsm__zw_in(zw), plain.size, "the writer counts what it took");
	is_int(xsm__zw_out(zw), z.size, "and what it wrote");
	ok(z.size < plain.size / 2, "it compresses (%zu of %zu bytes)", z.size, plain.size);
	xsm__zw_free(zw);

	ok(xsm__zr_is(z.ptr, z.size), "a compressed file is recognised");
	ok(!xsm__zr_is(plain.ptr, plain.size), "a plain one is not");
	ok_xsm(xsm__zr_open(&zr, ctx, z.ptr, z.size, "paths.jsonl.zst"), ctx, "reader");
	is_int(xsm__zr_size(zr), plain.size, "the plain size is known without decompressing");
	ok(xsm__zr_nframes(zr) > 10, "many frames (%zu)", xsm__zr_nframes(zr));
	for (i = 0; i < xsm__zr_nframes(zr); i++) {
		size_t n = xsm__zr_frame_len(zr, i);
		xsm_buf_clear(&back);
		if (xsm_buf_grow(&back, n + 1) < 0 || xsm__zr_frame(zr, i, back.ptr) < 0 ||
		    xsm__zr_frame_off(zr, i) != total || memcmp(back.ptr, plain.ptr + total, n))
			good = 0;
		total += n;
	}
	ok(good && total == plain.size, "frame by frame, the plain file comes back");
	/* random ranges, across frame boundaries */
	srand(7);
	for (i = 0; i < 200 && good; i++) {
		size_t off = (size_t)rand() % plain.size, n = (size_t)rand() % 20000;
		if (n > plain.size - off)
			n = plain.size - off;
		xsm_buf_clear(&back);
		good = xsm_buf_grow(&back, n + 1) == 0 && xsm__zr_read(zr, off, n, back.ptr) == 0 &&
		       !memcmp(back.ptr, plain.ptr + off, n);
	}
	ok(good, "200 random ranges read back as they were");
	ok(xsm__zr_read(zr, plain.size - 10, 11, back.ptr) == XSM_EINVALID, "a range past the end is refused");
	xsm__zr_free(zr);

	/* a damaged byte inside a frame fails its checksum; a damaged table is refused */
	z.ptr[100] ^= 0x55;
	ok_xsm(xsm__zr_open(&zr, ctx, z.ptr, z.size, "x"), ctx, "a damaged frame still opens");
	ok(xsm__zr_frame(zr, 0, back.ptr) == XSM_EINVALID, "but does not decompress");
	xsm__zr_free(zr);
	z.ptr[100] ^= 0x55;
	z.ptr[z.size - 17] ^= 1; /* the last frame's compressed size */
	ok(xsm__zr_open(&zr, ctx, z.ptr, z.size, "x") == XSM_EINVALID, "a table that does not add up is refused");
	ok(strstr(xsm_ctx_errmsg(ctx), "'x' is not a sound compressed file") != NULL, "naming the file");
	ok(xsm__zr_open(&zr, ctx, z.ptr, 5, "x") == XSM_EINVALID, "so is a truncated file");

	/* a whole buffer at once; an empty one */
	ok_xsm(xsm__zstd_file(&z, ctx, plain.ptr, plain.size), ctx, "whole file");
	ok_xsm(xsm__zr_open(&zr, ctx, z.ptr, z.size, "w"), ctx, "opens");
	xsm_buf_clear(&back);
	xsm_buf_grow(&back, plain.size + 1);
	ok(xsm__zr_read(zr, 0, plain.size, back.ptr) == 0 && !memcmp(back.ptr, plain.ptr, plain.size), "reads back");
	xsm__zr_free(zr);
	ok_xsm(xsm__zstd_file(&z, ctx, "", 0), ctx, "empty file");
	ok(xsm__zr_open(&zr, ctx, z.ptr, z.size, "e") == 0 && xsm__zr_size(zr) == 0 && xsm__zr_nframes(zr) == 0,
	   "an empty file has no frames");
	xsm__zr_free(zr);

	xsm_buf_dispose(&plain);
	xsm_buf_dispose(&z);
	xsm_buf_dispose(&back);
	xsm_ctx_free(ctx);
	return done_testing();
}
