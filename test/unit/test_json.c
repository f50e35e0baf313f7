/* test_json.c - the JSON adapter: a picked parse accepts what a whole parse accepts, and keeps the same values */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "adapt/json.h"
#include "ctx.h"
#include "util/buf.h"

static const xsm__json_pick inner[] = { { "c", NULL }, { "vpr", NULL }, { NULL, NULL } };
static const xsm__json_pick pick[] = { { "a", NULL }, { "b", inner }, { "c", NULL }, { NULL, NULL } };

/* the picked members print the same in both trees */
static int same_values(const xsm__json *whole, const xsm__json *part, const xsm__json_pick *p)
{
	xsm_buf x = XSM_BUF_INIT, y = XSM_BUF_INIT;
	int same = 1;

	for (; p->key && same; p++) {
		const xsm__json *a = xsm__json_get(whole, p->key), *b = xsm__json_get(part, p->key);
		if (p->sub && xsm__json_type(a) == XSM_J_OBJECT) {
			same = xsm__json_type(b) == XSM_J_OBJECT && same_values(a, b, p->sub);
			continue;
		}
		xsm_buf_clear(&x);
		xsm_buf_clear(&y);
		if (a)
			xsm__json_print(&x, a);
		if (b)
			xsm__json_print(&y, b);
		same = !a == !b && (!a || !strcmp(x.ptr, y.ptr));
	}
	xsm_buf_dispose(&x);
	xsm_buf_dispose(&y);
	return same;
}

/* text[0..len) is accepted by both parsers or by neither; when it is, the values agree */
static void agree(xsm_ctx *ctx, const char *text, size_t len, int valid, const char *name)
{
	xsm__json *whole = NULL, *part = NULL;
	int rw = xsm__json_parse(&whole, ctx, text, len, "");
	int rp = xsm__json_parse_pick(&part, ctx, text, len, pick, "");

	ok((rw == 0) == valid && (rp == 0) == valid, "%s: %s by both", name, valid ? "accepted" : "refused");
	if (valid && rw == 0 && rp == 0)
		ok(same_values(whole, part, pick) && xsm__json_type(whole) == xsm__json_type(part),
		   "%s: the picked values are the whole parse's", name);
	xsm__json_free(whole);
	xsm__json_free(part);
	xsm_ctx_clear(ctx);
}

#define AGREE(ctx, lit, valid, name) agree(ctx, lit, sizeof(lit) - 1, valid, name)

static void test_pick_accepts(xsm_ctx *ctx)
{
	char deep[300];
	int i;

	AGREE(ctx, "{\"a\":1,\"skip\":{\"x\":[1,2,{\"y\":\"z\"}]},\"b\":{\"c\":\"d\",\"e\":[true,false,null]},\"c\":\"s\"}", 1,
	      "members kept and stepped over");
	AGREE(ctx, "{\"a\":1,\"a\":2,\"b\":{\"c\":1,\"c\":2}}", 1, "the first of a repeated key");
	AGREE(ctx, "{\"\\u0061\":5,\"b\":\"not an object\"}", 1, "an escaped key; a sub-pick on a string");
	AGREE(ctx, "{\"a\\u0000x\":7}", 1, "a key cut at an escaped NUL");
	AGREE(ctx, "{\"a\0x\":7}", 1, "a key cut at a raw NUL");
	AGREE(ctx, "{\"s\":\"a\tb\x01\",\"a\":\"\\uZZZZ\\/\\b\\f\\n\\r\\t\\\"\\\\\"}", 1, "raw control bytes, odd escapes");
	AGREE(ctx, "{\"s\":\"\\uD83D\\uDE00\",\"a\":\"\\ud83d\\ude00\"}", 1, "surrogate pairs");
	AGREE(ctx, "{\"n\":[01,-.5,1.,1e5,1E+2,-0,2e-3],\"a\":[01,-.5,1.]}", 1, "numbers as strtod reads them");
	AGREE(ctx, "\xEF\xBB\xBF {\x01\"a\"\x02:\x1f" "1 ,\"b\":{\"c\":{}}}\n \r\t", 1, "a BOM, any byte up to space as space");
	AGREE(ctx, "{\"a\":1e999,\"c\":true,\"b\":{\"c\":-0.0,\"vpr\":false}}", 1, "kept scalars: a huge number, literals");
	AGREE(ctx, "{\"a\":\"raw\x01\x7f\xc3\xa9 bytes\",\"c\":null,\"b\":{\"c\":-12.5E-1,\"vpr\":\"\"}}", 1,
	      "kept scalars: raw bytes, null, an empty string");
	AGREE(ctx, "{\"a\":\"a kept string longer than the copy the scanner makes of a short one: it is cJSON's own "
		   "parse instead, and it must come out the same as every other kept string does\",\"c\":\"a\\u0000b\"}",
	      1, "kept strings: a long one, an escaped NUL");
	AGREE(ctx, "[1,{\"a\":2}]", 1, "not an object: parsed whole");
	AGREE(ctx, "{\"s\":\"\\u12\\\\\",\"a\":\"\\u000\\\"x\"}", 1, "a \\u escape over a backslash pair");
	AGREE(ctx, "{\"s\":\"\\x\"}", 0, "an unknown escape");
	AGREE(ctx, "{\"s\":\"\\uDC00\"}", 0, "a lone low surrogate");
	AGREE(ctx, "{\"s\":\"\\uD800x\"}", 0, "a high surrogate alone");
	AGREE(ctx, "{\"s\":\"\\uD800\\u0041\"}", 0, "a high surrogate with a non-surrogate");
	AGREE(ctx, "{\"s\":\"\\u12\"}", 0, "a short \\u escape");
	AGREE(ctx, "{\"s\":1,}", 0, "a trailing comma");
	AGREE(ctx, "{\"s\":[1,]}", 0, "a trailing comma in an array");
	AGREE(ctx, "{\"s\":tru}", 0, "a cut literal");
	AGREE(ctx, "{\"s\":-}", 0, "a sign alone");
	AGREE(ctx, "{\"s\":1e}", 0, "an exponent without digits");
	AGREE(ctx, "{\"s\":1.2.3}", 0, "two decimal points");
	AGREE(ctx, "{\"s\":1234567890123456789012345678901234567890123456789012345678901234567890.5e3,"
		   "\"a\":-00000000000000000000000000000000000000000000000000000000000000000001.}", 1, "long numbers");
	AGREE(ctx, "{\"s\":1234567890123456789012345678901234567890123456789012345678901234567890.5e}", 0,
	      "a long number with a broken exponent");
	AGREE(ctx, "{\"s\":\"abc}", 0, "an open string");
	AGREE(ctx, "{\"s\":\"abc\\", 0, "a backslash at the end");
	AGREE(ctx, "{\"a\":1} x", 0, "trailing data");
	AGREE(ctx, "{\"a\":1}\x01", 0, "a trailing control byte");
	AGREE(ctx, "{\"a\":1 \"b\":2}", 0, "a missing comma");
	AGREE(ctx, "{\"a\" 1}", 0, "a missing colon");
	AGREE(ctx, "{a:1}", 0, "a bare key");
	AGREE(ctx, "{\"s\":{\"x\":[}]}", 0, "mismatched brackets");
	AGREE(ctx, "{\"a\":[1,2}", 0, "mismatched brackets in a kept value");
	AGREE(ctx, "{\"s\":1", 0, "an open object");
	AGREE(ctx, "", 0, "nothing");

	/* nesting is bounded in members stepped over as in kept ones */
	strcpy(deep, "{\"s\":");
	for (i = 0; i < XSM__JSON_MAX_DEPTH + 1; i++)
		strcat(deep, "[");
	for (i = 0; i < XSM__JSON_MAX_DEPTH + 1; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	agree(ctx, deep, strlen(deep), 0, "nesting deeper than the limit");
	deep[strlen("{\"s\":")] = deep[strlen("{\"s\":") + 1] = ' '; /* two levels less: the object and 63 arrays */
	deep[strlen(deep) - 2] = deep[strlen(deep) - 3] = ' ';
	agree(ctx, deep, strlen(deep), 1, "nesting at the limit");
}

/*
 * An array element read in blocks: a value followed by more text is
 * parsed to its end (used), every cut of it asks for more, and a broken
 * one is refused as the whole parse refuses it.
 */
static void test_pick_next(xsm_ctx *ctx)
{
	static const char *const good[] = {
		"{\"a\":1,\"skip\":{\"x\":[1,2,{\"y\":\"z}]\\\"\"}]},\"b\":{\"c\":\"d\",\"vpr\":{\"score\":7.5}},\"c\":[\"s\"]}",
		"{\"\\u0061\":\"\\uD83D\\uDE00\",\"c\\u0000x\":-1.5e+3,\"a\\\"\":null}",
		"{\"a\":true,\"b\":false,\"c\":null,\"n\":-0.25E-2}",
		"{ \"a\" : [ ] , \"b\" : { } }",
		"{}",
		"[1,{\"a\":[2]},\"]\"]",
		"\"a string, with ] and \\\" inside\"",
		"12345.5e-7",
		"true",
	};
	static const char *const bad[] = {
		"{\"s\":\"\\x\"}", "{\"a\":1 \"b\":2}", "{\"s\":tru}", "{\"s\":1e}", "{\"s\":[1,]}", "{a:1}",
		"{\"s\":\"\\uDC00\"}", "{\"a\":[1,2}", "[1 2]", "nul",
	};
	char text[400];
	size_t i, k, used;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t n = strlen(good[i]);
		xsm__json *whole = NULL, *part = NULL;
		int rc, cut_ok = 1;

		snprintf(text, sizeof(text), " %s , {\"next\":1}]", good[i]);
		rc = xsm__json_parse_pick_next(&part, ctx, text, strlen(text), pick, "", &used);
		ok(rc == 0 && used == n + 1, "element %zu: parsed to its end (%d, used %zu of %zu)", i, rc, used, n + 1);
		if (xsm__json_parse(&whole, ctx, good[i], n, "") == 0 && rc == 0)
			ok(xsm__json_type(whole) == xsm__json_type(part) &&
			   (xsm__json_type(whole) != XSM_J_OBJECT || same_values(whole, part, pick)),
			   "element %zu: the values of a whole parse", i);
		xsm__json_free(whole);
		xsm__json_free(part);
		for (k = 0; k < n && cut_ok; k++) {
			part = NULL;
			rc = xsm__json_parse_pick_next(&part, ctx, text, k + 1, pick, "", &used);
			cut_ok = rc == XSM__JSON_SHORT && !part && !xsm_ctx_errmsg(ctx)[0];
			if (!cut_ok)
				diag("element %zu cut after %zu bytes: %d '%s'", i, k, rc, xsm_ctx_errmsg(ctx));
			xsm__json_free(part);
		}
		ok(cut_ok, "element %zu: each cut of it asks for more", i);
		xsm_ctx_clear(ctx);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xsm__json *part = NULL;
		int rc;
		snprintf(text, sizeof(text), "%s,{\"next\":1}]", bad[i]);
		rc = xsm__json_parse_pick_next(&part, ctx, text, strlen(text), pick, "", &used);
		ok(rc == XSM_EINVALID && !part, "bad element %zu refused: %d '%s'", i, rc, xsm_ctx_errmsg(ctx));
		xsm_ctx_clear(ctx);
	}
}

/*
 * Scratch trees: a tree stays whole while the other side is used, a side
 * used again is emptied (its memory handed out again, not grown), trees
 * parsed before or after, or in another thread, are malloc'd and freed
 * as ever (valgrind and ASan see those), and freeing a scratch tree is
 * harmless.
 */
struct other_parse {
	xsm_ctx *ctx;
	xsm__json *j;
};

static void *parse_elsewhere(void *arg)
{
	struct other_parse *o = arg;
	xsm__json_parse(&o->j, o->ctx, "{\"b\":[1,2,3]}", 13, "");
	return NULL;
}

static void test_scratch(xsm_ctx *ctx)
{
	xsm__json_scratch *s = xsm__json_scratch_new();
	xsm__json *before = NULL, *a = NULL, *b = NULL, *c = NULL, *after = NULL;
	struct other_parse o = { NULL, NULL };
	xsm_buf out = XSM_BUF_INIT;
	pthread_t th;
	const char *doc = "{\"type\":\"finding\",\"cve\":\"CVE-2024-1\",\"cvss\":9.8,\"tags\":[\"x\",\"y\"]}";
	int same = 1;

	ok(s != NULL, "a scratch");
	ok(xsm__json_parse(&before, ctx, "[1]", 3, "") == 0, "a tree parsed before scratch use");
	xsm__json_scratch_use(s, 0);
	ok(xsm__json_parse(&a, ctx, doc, strlen(doc), "") == 0, "side 0: parsed");
	xsm__json_scratch_use(s, 1);
	ok(xsm__json_parse(&b, ctx, doc, strlen(doc), "") == 0, "side 1: parsed");
	ok(xsm__json_print(&out, a) == 0 && !strcmp(out.ptr, doc), "side 0's tree whole while side 1 is used");
	if (o.ctx = ctx, pthread_create(&th, NULL, parse_elsewhere, &o) == 0)
		pthread_join(th, NULL);
	ok(o.j && xsm__json_count(xsm__json_get(o.j, "b")) == 3, "another thread parses with malloc meanwhile");
	xsm__json_free(o.j);
	xsm__json_free(before); /* malloc'd, freed while scratch is in use */
	xsm__json_free(b);      /* scratch: nothing to free */
	for (int round = 0; round < 1000; round++) {
		xsm__json_scratch_use(s, 0);
		xsm__json_free(c);
		same &= xsm__json_parse(&c, ctx, doc, strlen(doc), "") == 0 && (round == 0 || c == a);
		a = c;
	}
	ok(same, "side 0 used again hands out the same memory: emptied, not grown");
	xsm_buf_clear(&out);
	ok(xsm__json_print(&out, c) == 0 && !strcmp(out.ptr, doc), "and its newest tree reads back");
	xsm__json_scratch_end(s);
	ok(xsm__json_parse(&after, ctx, doc, strlen(doc), "") == 0 && xsm__json_getstr(after, "cve") &&
	   !strcmp(xsm__json_getstr(after, "cve"), "CVE-2024-1"), "after the end, trees are malloc'd again");
	xsm__json_free(after);
	xsm__json_scratch_end(NULL);
	xsm_buf_dispose(&out);
}

/* text, and "" when records accept it, else the start of the reason */
static const struct {
	const char *text;
	size_t len; /* 0: strlen */
	const char *why;
} strict[] = {
	{ "{\"a\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\"b\":[1,{\"a\":2}]}", 0, "" },
	{ "{\"a\":\"\\\\u0000\"}", 0, "" },                      /* an escaped backslash, then text */
	{ "{\"a\":\"\\ufffd \\u0001\"}", 0, "" },
	{ "{\"a\":\"x\xff\"}", 0, "col 8: invalid UTF-8" },
	{ "{\"a\":\"\xc0\xaf\"}", 0, "col 7: invalid UTF-8" },       /* overlong '/' */
	{ "{\"a\":\"\xed\xa0\x80\"}", 0, "col 7: invalid UTF-8" },  /* a surrogate, encoded */
	{ "{\"a\":\"\xf4\x90\x80\x80\"}", 0, "col 7: invalid UTF-8" }, /* past U+10FFFF */
	{ "{\"a\":\"\xe2\x82\"}", 0, "col 7: invalid UTF-8" },       /* cut short */
	{ "{\"k\xff\":1}", 0, "col 4: invalid UTF-8" },
	{ "{\"a\":\"x\0y\"}", 11, "col 8: a raw NUL byte in a string" },
	{ "{\"a\":1}\0", 8, "col 8: a raw NUL byte" },
	{ "{\"a\":\"x\\u0000y\"}", 0, "col 8: \\u0000 (a NUL) in a string" },
	{ "{\"a\":1,\"b\":2,\"a\":3}", 0, "col 14: duplicate key 'a'" },
	{ "{\"p\":{\"x\":1,\"x\":2},\"q\":{\"x\":1}}", 0, "col 13: duplicate key 'x'" },
	{ "{\"p\":{\"x\":1},\"q\":{\"x\":1},\"x\":[{\"x\":1}]}", 0, "" }, /* one key in different objects */
	{ "{\"a\":1,\"\\u0061\":2}", 0, "col 8: duplicate key 'a'" },      /* the same key, decoded */
};

static void test_strict(void)
{
	char why[160];
	xsm_buf big = XSM_BUF_INIT, out = XSM_BUF_INIT;
	size_t fixed;

	for (size_t i = 0; i < sizeof(strict) / sizeof(strict[0]); i++) {
		size_t len = strict[i].len ? strict[i].len : strlen(strict[i].text);
		int rc = xsm__json_strict_check(strict[i].text, len, why, sizeof(why));
		if (!*strict[i].why)
			is_int(rc, 0, "strict: accepted %zu", i);
		else
			ok(rc == XSM_EINVALID && !strncmp(why, strict[i].why, strlen(strict[i].why)), "strict: %zu: %s",
			   i, rc ? why : "accepted");
	}
	/* a large object: its duplicate found by sorting, at the later column */
	xsm_buf_puts(&big, "{");
	for (int i = 0; i < 1000; i++)
		xsm_buf_printf(&big, "\"k%d\":%d,", i, i);
	xsm_buf_puts(&big, "\"k500\":0}");
	ok(xsm__json_strict_check(big.ptr, big.size, why, sizeof(why)) == XSM_EINVALID &&
	   strstr(why, "duplicate key 'k500'") && strtoul(why + 4, NULL, 10) == big.size - 8,
	   "strict: a duplicate among 1001 keys: %s", why);

	/* mending, for vendor data */
	ok(xsm__json_sanitize(&out, "{\"a\":\"ok\"}", 10, &fixed) == 0 && fixed == 0, "mend: nothing to mend");
	ok(xsm__json_sanitize(&out, "{\"a\":\"x\xff\xc3(\\u0000\\\\u0000\",\"b\":1}", 30, &fixed) == 0 && fixed == 3 &&
	   out.size == 34 && !memcmp(out.ptr, "{\"a\":\"x\xef\xbf\xbd\xef\xbf\xbd(\\ufffd\\\\u0000\",\"b\":1}", 34),
	   "mend: bad bytes and \\u0000 to U+FFFD, an escaped backslash kept (%zu: %.*s)", fixed, (int)out.size,
	   out.ptr);
	ok(xsm__json_strict_check(out.ptr, out.size, why, sizeof(why)) == 0, "mend: what it gives records accept");
	ok(xsm__json_sanitize(&out, "{\"a\":1,\"p\":{\"a\":2,\"a\":\"\xff\"},\"a\":3}", 33, &fixed) == 0 && fixed == 3 &&
	   !strcmp(out.ptr, "{\"a\":1,\"p\":{\"a\":2}}"), "mend: the first of a repeated key kept (%zu: %s)", fixed,
	   out.ptr);
	ok(xsm__json_sanitize(&out, "{\"a\":\"x\0y\"}", 11, &fixed) == 0 && fixed == 1 &&
	   !memcmp(out.ptr, "{\"a\":\"x\xef\xbf\xbdy\"}", 12), "mend: a raw NUL to U+FFFD");
	xsm_buf_dispose(&big);
	xsm_buf_dispose(&out);
}

/* what a NUL does to a parse: a string is never cut short */
static void test_nul_parse(xsm_ctx *ctx)
{
	xsm__json *j = NULL;
	xsm__json_take_mended();
	ok(xsm__json_parse(&j, ctx, "{\"a\":\"x\\u0000y\"}", 16, "") == 0 && xsm__json_getstr(j, "a") &&
	   !strcmp(xsm__json_getstr(j, "a"), "x\xef\xbf\xbdy"), "\\u0000 parses as U+FFFD, the string whole");
	xsm__json_free(j);
	j = NULL;
	ok(xsm__json_parse_pick(&j, ctx, "{\"a\":\"x\0y\"}", 11, (const xsm__json_pick[]){ { "a", NULL }, { NULL, NULL } },
				"") == 0 &&
	   xsm__json_getstr(j, "a") && !strcmp(xsm__json_getstr(j, "a"), "x\xffy"),
	   "a raw NUL in a string parses as 0xFF (mended or refused later), the string whole");
	xsm__json_free(j);
	is_int(xsm__json_take_mended(), 1, "the \\u0000 counted");
}

int main(void)
{
	xsm_ctx *ctx;
	if (xsm_ctx_new(&ctx) < 0)
		return 1;
	test_pick_accepts(ctx);
	test_pick_next(ctx);
	test_scratch(ctx);
	test_strict();
	test_nul_parse(ctx);
	xsm_ctx_free(ctx);
	return done_testing();
}
