/* test_util.c - buffers, vectors, string maps, the string pool, arena, time, lines, json writer, atomic files */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ctx.h"
#include "tap.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/lines.h"
#include "util/strmap.h"
#include "util/vec.h"
#include "exposure/jsonw.h"

static void test_buf(void)
{
	xsm_buf b = XSM_BUF_INIT;
	int i;
	ok(xsm_buf_puts(&b, "abc") == 0 && b.size == 3, "puts");
	ok(xsm_buf_printf(&b, "-%d-", 42) == 0, "printf");
	is_str(b.ptr, "abc-42-", "content");
	for (i = 0; i < 10000; i++)
		xsm_buf_putc(&b, 'x');
	is_int(b.size, 7 + 10000, "grows");
	xsm_buf_clear(&b);
	is_str(b.ptr, "", "clear keeps a valid string");
	xsm_buf_dispose(&b);
	ok(b.ptr == NULL && b.size == 0, "dispose");
	xsm_buf_dispose(NULL);
	ok(1, "dispose accepts NULL");
}

static void test_vec(void)
{
	XSM__VEC(int) v = { 0 };
	int i, sum = 0;
	for (i = 0; i < 1000; i++)
		xsm__vec_push(&v, i);
	for (i = 0; i < (int)v.n; i++)
		sum += v.v[i];
	is_int(sum, 999 * 1000 / 2, "vec push keeps every element");
	xsm__vec_free(&v);
}

static void test_strmap(void)
{
	xsm__strmap m = { 0 };
	xsm__strpool p;
	uint64_t v = 0;
	uint32_t id1, id2, id3;
	char key[32];
	int i, good = 1;

	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		xsm__strmap_put(&m, key, (uint64_t)i * 3);
	}
	for (i = 0; i < 50000; i += 7) {
		snprintf(key, sizeof(key), "k%d", i);
		if (!xsm__strmap_get(&m, key, strlen(key), &v) || v != (uint64_t)i * 3)
			good = 0;
	}
	ok(good, "strmap finds every key after growth");
	ok(!xsm__strmap_get(&m, "nope", 4, &v), "strmap misses a missing key");
	is_int(m.n, 50000, "strmap counts keys");
	xsm__strmap_free(&m);

	ok(xsm__strpool_init(&p) == 0, "pool init");
	xsm__strpool_intern(&p, "device", 6, &id1);
	xsm__strpool_intern(&p, "user", 4, &id2);
	xsm__strpool_intern(&p, "device", 6, &id3);
	ok(id1 == id3 && id1 != id2, "interning gives one id per string");
	is_str(xsm__strpool_str(&p, id2), "user", "id back to string");
	is_str(xsm__strpool_str(&p, 0), "", "id 0 is the empty string");
	ok(xsm__strpool_find(&p, "user", 4, &id3) && id3 == id2, "find without adding");
	ok(!xsm__strpool_find(&p, "group", 5, &id3), "find misses");
	xsm__strpool_free(&p);
}

static void test_arena(void)
{
	xsm__arena a = { 0 };
	char *s = xsm__arena_strndup(&a, "hello world", 5);
	void *big = xsm__arena_alloc(&a, 1 << 20);
	char *t = xsm__arena_strndup(&a, "after", 5);
	is_str(s, "hello", "arena strndup");
	ok(big != NULL && ((uintptr_t)big & 7) == 0, "big aligned block");
	is_str(t, "after", "small allocation after a big one");
	xsm__arena_free(&a);
	ok(a.head == NULL, "arena free");
}

static void test_time(void)
{
	int64_t t;
	char out[21];
	ok(xsm_time_parse(&t, "2026-11-24T12:00:00Z") == 0 && t == 1795521600, "parse Z");
	xsm_time_format(out, t);
	is_str(out, "2026-11-24T12:00:00Z", "format round-trips");
	ok(xsm_time_parse(&t, "2026-11-24T14:00:00+02:00") == 0 && t == 1795521600, "parse offset");
	ok(xsm_time_parse(&t, "2026-11-24T12:00:00.123Z") == 0 && t == 1795521600, "fractions ignored");
	ok(xsm_time_parse(&t, "2026-11-24") == 0 && t == 1795478400, "date only");
	ok(xsm_time_parse(&t, "yesterday") < 0, "junk refused");
	ok(xsm_time_parse(&t, "2026-13-01T00:00:00Z") < 0, "month 13 refused");
	ok(xsm_time_parse(&t, "2026-11-24T12:00:00Zjunk") < 0, "trailing junk refused");
	ok(xsm_time_parse(&t, "1969-12-31T23:59:59Z") == 0 && t == -1, "before the epoch");
	{
		/* the hand formatter against gmtime over four centuries, a day and a bit at a time */
		int bad = 0;
		for (int64_t x = -2208988800LL; x < 10413792000LL && !bad; x += 86400 * 397 + 3607) {
			char want[21];
			struct tm tm;
			time_t tt = (time_t)x;
			gmtime_r(&tt, &tm);
			strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
			xsm_time_format(out, x);
			bad = strcmp(out, want) != 0;
			if (!bad && (xsm_time_parse(&t, out) < 0 || t != x))
				bad = 1;
		}
		ok(!bad, "format matches gmtime and round-trips from 1900 to 2300");
	}
	ok(xsm_time_parse(&t, " 2026-11-24") < 0 && xsm_time_parse(&t, "2026-1-24") < 0 &&
		   xsm_time_parse(&t, "2026-11-24T1:00:00Z") < 0 && xsm_time_parse(&t, "2026-11-24T12:00:00+0200") < 0 &&
		   xsm_time_parse(&t, "2026-11-24T12:00") < 0 && xsm_time_parse(&t, "+026-11-24") < 0,
	   "exactly two digits a field, four for the year");
}

static void test_lines(void)
{
	char path[512];
	xsm__lines r;
	const char *l;
	size_t n;
	int fd, rc;
	FILE *f;

	snprintf(path, sizeof(path), "%s/lines.txt", tap_tmpdir());
	f = fopen(path, "w");
	fputs("one\r\n\ntoo long a line here\nlast", f);
	fclose(f);
	fd = open(path, O_RDONLY);
	xsm__lines_init(&r, fd, 10);
	ok(xsm__lines_next(&r, &l, &n) == 1 && n == 3 && !memcmp(l, "one", 3), "first line, CR dropped");
	ok(xsm__lines_next(&r, &l, &n) == 1 && n == 0, "empty line");
	rc = xsm__lines_next(&r, &l, &n);
	is_int(rc, XSM_EINVALID, "over-long line reported");
	is_int(r.lineno, 3, "at its line number");
	ok(xsm__lines_next(&r, &l, &n) == 1 && n == 4 && !memcmp(l, "last", 4), "unterminated last line");
	is_int(xsm__lines_next(&r, &l, &n), 0, "end");
	xsm__lines_free(&r);
	close(fd);

	/* no newline at all (/dev/zero): reported when it passes the cap, and given up past max_skip */
	f = fopen(path, "w");
	for (int i = 0; i < 5000; i++)
		fputc(i % 7 ? 'x' : '\0', f);
	fclose(f);
	fd = open(path, O_RDONLY);
	xsm__lines_init(&r, fd, 10);
	r.max_skip = 1000;
	is_int(xsm__lines_next(&r, &l, &n), XSM_EINVALID, "a line with no end is reported at once");
	ok(!r.endless && r.lineno == 1, "as line 1, not yet endless");
	is_int(xsm__lines_next(&r, &l, &n), XSM_EINVALID, "skipping it gives up past max_skip");
	ok(r.endless && r.lineno == 1, "endless, still at line 1");
	is_int(xsm__lines_next(&r, &l, &n), XSM_EINVALID, "and stays so");
	xsm__lines_free(&r);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	xsm__lines_init(&r, fd, 1 << 20);
	rc = xsm__lines_next(&r, &l, &n);
	ok(rc == XSM_EINVALID && r.lineno == 1, "/dev/zero: an over-long line at once");
	while ((rc = xsm__lines_next(&r, &l, &n)) == XSM_EINVALID && !r.endless)
		;
	ok(rc == XSM_EINVALID && r.endless, "/dev/zero: the read ends");
	xsm__lines_free(&r);
	close(fd);
}

static void test_jsonw(void)
{
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	xsm_jw_init(&w, &b);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "s", "a\"b\\c\n\x01");
	xsm_jw_kint(&w, "i", -3);
	xsm_jw_knum(&w, "d", 0.1);
	xsm_jw_knum(&w, "nan", 0.0 / 0.0);
	xsm_jw_key(&w, "a");
	xsm_jw_arr(&w);
	xsm_jw_bool(&w, 1);
	xsm_jw_null(&w);
	xsm_jw_str(&w, NULL);
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	is_str(b.ptr, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"i\":-3,\"d\":0.1,\"nan\":null,\"a\":[true,null,null]}",
	       "json writer escapes, commas, numbers");
	ok(w.err == 0, "no error");
	xsm_buf_dispose(&b);
	{
		/* every byte that needs an escape, at every offset of a string longer than one 8-byte step */
		static const unsigned char special[] = { 0x01, 0x1f, '"', '\\', 0x7f, '\n' };
		int bad = 0;
		for (size_t k = 0; k < sizeof(special) && !bad; k++)
			for (size_t at = 0; at < 20 && !bad; at++) {
				char in[21], want[64];
				size_t wn = 0;
				memset(in, 'a', 20);
				in[20] = '\0';
				in[at] = (char)special[k];
				want[wn++] = '"';
				for (size_t i = 0; i < 20; i++) {
					unsigned char c = (unsigned char)in[i];
					if (c == '"' || c == '\\')
						wn += (size_t)snprintf(want + wn, sizeof(want) - wn, "\\%c", c);
					else if (c == '\n')
						wn += (size_t)snprintf(want + wn, sizeof(want) - wn, "\\n");
					else if (c < 0x20 || c == 0x7f)
						wn += (size_t)snprintf(want + wn, sizeof(want) - wn, "\\u%04x", c);
					else
						want[wn++] = (char)c;
				}
				want[wn++] = '"';
				want[wn] = '\0';
				xsm_buf_clear(&b);
				bad = xsm_json_quote(&b, in, 20) < 0 || strcmp(b.ptr, want) != 0;
			}
		ok(!bad, "json_quote escapes each special byte at every offset");
		xsm_buf_clear(&b);
		ok(xsm_json_quote(&b, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac caf\xc3\xa9", 15) == 0 &&
			   !strcmp(b.ptr, "\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac caf\xc3\xa9\""),
		   "UTF-8 passes through unescaped");
		xsm_buf_clear(&b);
		xsm_jw_init(&w, &b);
		xsm_jw_arr(&w);
		for (int r = 0; r < 3; r++) {
			xsm_jw_num(&w, 9.8);
			xsm_jw_num(&w, 0.1 + 0.2);
			xsm_jw_num(&w, 7);
		}
		xsm_jw_arr_end(&w);
		is_str(b.ptr, "[9.8,0.30000000000000004,7,9.8,0.30000000000000004,7,9.8,0.30000000000000004,7]",
		       "remembered number texts are the same texts");
		xsm_buf_dispose(&b);
	}
}

/*
 * An atomic file gets exactly the bytes given, whatever the sizes of the
 * writes: synced files past the 8 MB buffer go out with O_DIRECT where the
 * file system takes it (whole blocks, then the tail through the page
 * cache), unsynced ones through the page cache.
 */
static void test_afile(void)
{
	enum { N = (16u << 20) + 12345 };
	static const size_t steps[] = { 1, 4096, (1u << 20) + 7, N };
	char *want = malloc(N), path[512];
	xsm_buf got = XSM_BUF_INIT;
	struct xsm_ctx *ctx = NULL;
	uint32_t x = 12345;
	xsm__afile af;

	xsm_ctx_new(&ctx);
	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		want[i] = (char)(x >> 23);
	}
	snprintf(path, sizeof(path), "%s/afile.bin", tap_tmpdir());
	for (int sync = 0; sync < 2; sync++)
		for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			size_t len = steps[s] == 1 ? 100000 : N; /* a byte at a time: a shorter file */
			int direct = 0, good = xsm__afile_open(&af, ctx, path, 0600, sync) == 0;
			for (size_t at = 0; good && at < len; at += steps[s]) {
				good = xsm__afile_write(&af, want + at, len - at < steps[s] ? len - at : steps[s]) == 0;
				direct |= af.direct == 1;
			}
			good = good && xsm__afile_commit(&af, ctx) == 0;
			xsm_buf_clear(&got);
			good = good && xsm__fs_read(ctx, path, &got, 64u << 20) == 0;
			ok(good && got.size == len && !memcmp(got.ptr, want, len),
			   "afile (sync %d, writes of %zu bytes): %zu bytes back as written", sync, steps[s], len);
			if (sync && steps[s] > 1)
				diag("O_DIRECT %s here", direct ? "used" : "refused by the file system");
			else
				ok(!direct, "no O_DIRECT for a file not synced or under 8 MB");
		}
	/* abort: the temp file goes, the committed file stays as it was */
	ok(xsm__afile_open(&af, ctx, path, 0600, 1) == 0 && xsm__afile_write(&af, want, N) == 0, "a second write begun");
	xsm__afile_abort(&af);
	xsm_buf_clear(&got);
	ok(xsm__fs_read(ctx, path, &got, 64u << 20) == 0 && got.size == N && !memcmp(got.ptr, want, N),
	   "abort leaves the committed file as it was");
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".tmp.%ld", (long)getpid());
	ok(access(path, F_OK) != 0, "and removes its temp file");
	xsm_buf_dispose(&got);
	xsm_ctx_free(ctx);
	free(want);
}

/* appends: whole lines or nothing, the write's own error, a cut tail removed, no link followed */
static void test_append(void)
{
	xsm_ctx *ctx;
	xsm_buf got = XSM_BUF_INIT;
	char dir[4096], path[4200], line[200];
	struct rlimit old, lim;
	off_t undo = -1;
	int dfd;

	xsm_ctx_new(&ctx);
	snprintf(dir, sizeof(dir), "%s", tap_tmpdir());
	snprintf(path, sizeof(path), "%s/log.jsonl", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ok(xsm__fs_append(ctx, dfd, "log.jsonl", "log", "{\"a\":1}\n", 8, 0600, 1, &undo) == 0 && undo == 0,
	   "append to a new file; undo at 0");
	ok(xsm__fs_append(ctx, dfd, "log.jsonl", "log", "{\"b\":2}\n", 8, 0600, 0, &undo) == 0 && undo == 8,
	   "a second line; undo at 8");

	/* a file size limit: the write goes short, then fails with EFBIG */
	memset(line, 'x', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100;
	setrlimit(RLIMIT_FSIZE, &lim);
	ok(xsm__fs_append(ctx, dfd, "log.jsonl", "log", line, sizeof(line), 0600, 1, NULL) == XSM_EIO,
	   "an append that does not fit fails");
	setrlimit(RLIMIT_FSIZE, &old);
	ok(strstr(xsm_ctx_errmsg(ctx), "too large") != NULL, "with the write's own error: %s", xsm_ctx_errmsg(ctx));
	ok(xsm__fs_read(ctx, path, &got, 1 << 20) == 0 && got.size == 16 && !memcmp(got.ptr, "{\"a\":1}\n{\"b\":2}\n", 16),
	   "and what it wrote is taken back: no cut line");

	/* a cut line a crash left: removed before the next append */
	{
		int fd = open(path, O_WRONLY | O_APPEND);
		ok(fd >= 0 && write(fd, "{\"cut", 5) == 5, "a cut line planted");
		close(fd);
	}
	ok(xsm__fs_append(ctx, dfd, "log.jsonl", "log", "{\"c\":3}\n", 8, 0600, 0, &undo) == 0 && undo == 16,
	   "the next append starts after the last whole line");
	ok(xsm__fs_read(ctx, path, &got, 1 << 20) == 0 && got.size == 24 && !memcmp(got.ptr + 16, "{\"c\":3}\n", 8),
	   "the cut line is gone, the new one whole");
	ok(xsm__fs_unappend(ctx, dfd, "log.jsonl", "log", undo, 0) == 0 && xsm__fs_read(ctx, path, &got, 1 << 20) == 0 &&
		   got.size == 16,
	   "unappend takes the last entry back");

	/* a link is never followed */
	unlink(path);
	ok(symlink("/dev/null", path) == 0, "log.jsonl planted as a link");
	ok(xsm__fs_append(ctx, dfd, "log.jsonl", "log", "{}\n", 3, 0600, 0, NULL) == XSM_EDENIED, "refused (XSM_EDENIED)");
	unlink(path);
	close(dfd);
	xsm_buf_dispose(&got);
	xsm_ctx_free(ctx);
}

/* sort by key only: many ties, so the order among equal keys shows stability */
struct keyed {
	uint32_t key, seq;
};
static int cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* xsm__qsort2 gives qsort's order (both stable), above and below its two-thread threshold */
static void test_qsort2(void)
{
	static const size_t sizes[] = { 0, 1, 1000, 65535, 65536, 200001 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		struct keyed *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b));
		uint32_t x = 7;
		int sorted = 1;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			a[i].key = (x >> 16) % 1000;
			a[i].seq = (uint32_t)i;
		}
		memcpy(b, a, n * sizeof(*a));
		qsort(b, n, sizeof(*b), cmp_keyed);
		xsm__qsort2(a, n, sizeof(*a), cmp_keyed);
		for (size_t i = 1; i < n; i++)
			sorted &= a[i - 1].key < a[i].key || (a[i - 1].key == a[i].key && a[i - 1].seq < a[i].seq);
		ok(sorted && (!n || !memcmp(a, b, n * sizeof(*a))), "qsort2 of %zu: sorted, ties in input order, as qsort", n);
		free(a);
		free(b);
	}
}

int main(void)
{
	test_buf();
	test_vec();
	test_strmap();
	test_arena();
	test_time();
	test_lines();
	test_jsonw();
	test_afile();
	test_append();
	test_qsort2();
	return done_testing();
}
