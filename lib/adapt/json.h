/*
 * adapt/json.h - JSON reading.  The only user of cJSON: the rest of the
 * library sees this opaque tree, so the parser can be swapped.  Writing
 * JSON goes through util/jsonw.h, not through trees.
 */
#ifndef XSM__ADAPT_JSON_H
#define XSM__ADAPT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

typedef struct xsm__json xsm__json;

enum xsm__json_type {
	XSM_J_INVALID = 0, XSM_J_NULL, XSM_J_BOOL, XSM_J_NUMBER, XSM_J_STRING,
	XSM_J_ARRAY, XSM_J_OBJECT
};

#define XSM__JSON_MAX_DEPTH 64

/*
 * Bytes of p[0..n) before the first '"' or '\\' (n when neither): how the
 * scanners run through string text.  Most strings are short (keys, ids),
 * so the first 64 bytes are tested eight at a time, inline; a longer text
 * goes on with memchr.
 */
static inline size_t xsm__json_plain_run(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	const char *q, *b;
	size_t i = 0;
	for (; i + 8 <= n && i < 64; i += 8) {
		uint64_t x, xq, xb, hit;
		memcpy(&x, p + i, 8);
		xq = x ^ (ones * '"');
		xb = x ^ (ones * '\\');
		/* a byte's flag is exact up to the first match (a borrow only runs on past it) */
		if ((hit = (((xq - ones) & ~xq) | ((xb - ones) & ~xb)) & high) != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return i + (size_t)__builtin_ctzll(hit) / 8;
#else
			break;
#endif
		}
	}
	if (i < 64 || i + 8 > n) {
		for (; i < n && p[i] != '"' && p[i] != '\\'; i++)
			;
		return i;
	}
	q = memchr(p + i, '"', n - i);
	b = memchr(p + i, '\\', q ? (size_t)(q - p) - i : n - i);
	return (size_t)((b ? b : q ? q : p + n) - p);
}

/*
 * Parse exactly one JSON value in buf[0..len) (surrounding whitespace
 * allowed).  On error: XSM_EINVALID with "<where>col N: reason" on ctx,
 * where is prefixed as given (e.g. "file:12: ").  Nesting deeper than
 * XSM__JSON_MAX_DEPTH is refused.
 */
int xsm__json_parse(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where);
/*
 * The same for text whose nesting was already checked: a stored run's
 * lines (checked when stored).  No depth pre-scan, which is a tenth of
 * reading a run; cJSON's own nesting limit still bounds the recursion.
 */
int xsm__json_parse_prechecked(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where);
void xsm__json_free(xsm__json *j);
/*
 * A NUL cannot live in the tree's C strings: every parse reads a raw NUL
 * in a string as the byte 0xFF (not UTF-8: a record's check refuses it,
 * a connector mends it to U+FFFD) and \u0000 as U+FFFD.  How many this
 * thread's parses mended since the last call (a connector's warning).
 */
size_t xsm__json_take_mended(void);

/*
 * Scratch trees, for a loop that parses millions of short lines (reading
 * a stored run): between xsm__json_scratch_use and _end, this thread's
 * trees are bump-allocated in one of the scratch's two sides instead of
 * malloc'd node by node, and freeing them is nothing; a side is emptied
 * when it is used again.  So a tree lives until its side's next use: the
 * run reader parses record t into side t % 2 while record t - 1, in the
 * other, is still being handled.  Every other parse, in every thread,
 * mallocs as before.  xsm__json_scratch_end returns this thread to malloc
 * and frees the scratch (NULL is fine).
 */
typedef struct xsm__json_scratch xsm__json_scratch;
xsm__json_scratch *xsm__json_scratch_new(void); /* NULL when out of memory */
void xsm__json_scratch_use(xsm__json_scratch *s, int side);
void xsm__json_scratch_end(xsm__json_scratch *s);

/*
 * Members to keep when parsing an object: a list ending with a NULL key.
 * sub, when set, picks among the members of an object value the same way
 * (a value of another type is kept whole); NULL keeps the value whole.
 */
typedef struct xsm__json_pick {
	const char *key;
	const struct xsm__json_pick *sub;
} xsm__json_pick;

/*
 * Parse buf[0..len) as xsm__json_parse does, accepting and refusing the
 * same texts, but when it is an object keep only the members pick names:
 * the others are checked and stepped over without being stored, which is
 * most of the cost of a large vendor record read for a few fields.  The
 * tree answers xsm__json_get for picked keys as the whole tree would (the
 * first member of a key wins); it must not outlive pick (its keys).
 */
int xsm__json_parse_pick(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const xsm__json_pick *pick,
			 const char *where);

/*
 * The same for the value at the start of buf[0..len) (whitespace before it
 * allowed) when more text follows it, as an element of an array read in
 * blocks: *used is set to the bytes up to the end of the value, the rest
 * is the caller's.  XSM__JSON_SHORT, with nothing set on ctx, when buf
 * ends before the value does (or where a number may go on): the caller
 * reads more and asks again, or at the end of its input reports the text
 * as cut short.
 */
#define XSM__JSON_SHORT 1
int xsm__json_parse_pick_next(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len,
			      const xsm__json_pick *pick, const char *where, size_t *used);

/*
 * What records refuse and cJSON lets through, in JSON text that parses:
 * bytes that are not UTF-8, a raw NUL (it would cut a string short), a
 * \u0000 escape (the same, decoded), and an object with a key twice (JSON
 * readers disagree on which value wins).  0, or XSM_EINVALID with
 * "col N: reason" in why (N the 1-based byte column); XSM_ENOMEM.
 */
int xsm__json_strict_check(const char *buf, size_t len, char *why, size_t whylen);
/*
 * Vendor data is mended rather than refused: the same text with each byte
 * that is not UTF-8, each raw NUL and each \u0000 replaced by U+FFFD, and
 * of a key repeated in an object the first kept, into out (cleared
 * first).  *fixed counts what was replaced or dropped; 0 there means the
 * text needs nothing (out is left alone).  0, XSM_EINVALID (the text is
 * not JSON) or XSM_ENOMEM.
 */
int xsm__json_sanitize(xsm_buf *out, const char *buf, size_t len, size_t *fixed);

int xsm__json_type(const xsm__json *j);
const char *xsm__json_typename(const xsm__json *j);
/* object member by exact key, or NULL */
const xsm__json *xsm__json_get(const xsm__json *obj, const char *key);
/* string value or NULL when not a string */
const char *xsm__json_str(const xsm__json *j);
/* string member of obj, or NULL */
const char *xsm__json_getstr(const xsm__json *obj, const char *key);
double xsm__json_num(const xsm__json *j);
int xsm__json_bool(const xsm__json *j);
/* iteration over array elements or object members */
const xsm__json *xsm__json_child(const xsm__json *j);
const xsm__json *xsm__json_next(const xsm__json *j);
/* member key inside an object, or NULL */
const char *xsm__json_key(const xsm__json *j);
size_t xsm__json_count(const xsm__json *j);
/* compact text of j appended to out */
int xsm__json_print(xsm_buf *out, const xsm__json *j);

#endif
