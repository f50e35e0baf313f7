#include "exposure/jsonw.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exposure/errors.h"
#include "util/buf.h"

void xsm_jw_init(xsm_jw *w, xsm_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->first[0] = 1;
}

static void put(xsm_jw *w, const char *s, size_t n)
{
	if (!w->err && xsm_buf_put(w->b, s, n) < 0)
		w->err = XSM_ENOMEM;
}

static void sep(xsm_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth])
		put(w, ",", 1);
	w->first[w->depth] = 0;
}

static void open_(xsm_jw *w, char c)
{
	sep(w);
	put(w, &c, 1);
	if (w->depth + 1 >= XSM_JW_DEPTH) {
		w->err = XSM_EINVALID;
		return;
	}
	w->first[++w->depth] = 1;
}

static void close_(xsm_jw *w, char c)
{
	put(w, &c, 1);
	if (w->depth > 0)
		w->depth--;
}

void xsm_jw_obj(xsm_jw *w) { open_(w, '{'); }
void xsm_jw_obj_end(xsm_jw *w) { close_(w, '}'); }
void xsm_jw_arr(xsm_jw *w) { open_(w, '['); }
void xsm_jw_arr_end(xsm_jw *w) { close_(w, ']'); }

/*
 * Whether any of 8 bytes is a control byte, '"', '\\' or DEL: the classic
 * "has a zero byte" test on x with each of those bytes made zero.  Bytes
 * of 0x80 and up are never flagged.
 */
static int needs_escape8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t lt20 = (x - ones * 0x20) & ~x;       /* high bit set where the byte is < 0x20 */
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\'), del = x ^ (ones * 0x7f);
	uint64_t z = ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((del - ones) & ~del) | lt20;
	return (z & high) != 0;
}

int xsm_json_quote(xsm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	int rc;

	/* the usual string needs no escape: one copy (checked eight bytes a step) */
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (needs_escape8(x))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
			break;
	}
	if (i == n) {
		if (xsm_buf_grow(b, n + 2) < 0)
			return XSM_ENOMEM;
		b->ptr[b->size] = '"';
		memcpy(b->ptr + b->size + 1, s, n);
		b->ptr[b->size + n + 1] = '"';
		b->size += n + 2;
		b->ptr[b->size] = '\0';
		return 0;
	}
	rc = xsm_buf_putc(b, '"');

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 2;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		rc = xsm_buf_put(b, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
			esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
			elen = 6;
		}
		if (rc == 0)
			rc = xsm_buf_put(b, esc, elen);
	}
	if (rc == 0)
		rc = xsm_buf_put(b, s + run, n - run);
	if (rc == 0)
		rc = xsm_buf_putc(b, '"');
	return rc;
}

void xsm_jw_keyn(xsm_jw *w, const char *k, size_t n)
{
	sep(w);
	if (!w->err && xsm_json_quote(w->b, k, n) < 0)
		w->err = XSM_ENOMEM;
	put(w, ":", 1);
	w->after_key = 1;
}

void xsm_jw_key(xsm_jw *w, const char *k)
{
	xsm_jw_keyn(w, k, strlen(k));
}

void xsm_jw_strn(xsm_jw *w, const char *s, size_t n)
{
	sep(w);
	if (!w->err && xsm_json_quote(w->b, s, n) < 0)
		w->err = XSM_ENOMEM;
}

void xsm_jw_str(xsm_jw *w, const char *s)
{
	if (!s)
		xsm_jw_null(w);
	else
		xsm_jw_strn(w, s, strlen(s));
}

void xsm_json_numtext(char out[32], double d)
{
	if (!isfinite(d)) {
		memcpy(out, "null", 5);
		return;
	}
	if (d == (double)(int64_t)d && fabs(d) < 1e15) {
		snprintf(out, 32, "%lld", (long long)d);
		return;
	}
	/* %.17g round-trips; try shorter first for readable output */
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(out, 32, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	/* a comma decimal separator would be a locale bug: never call setlocale(LC_NUMERIC) */
}

void xsm_jw_num(xsm_jw *w, double d)
{
	/*
	 * The shortest text that reads back as d takes a few printf and strtod
	 * calls; scores repeat (9.8, 7.5, ...), so each thread remembers the
	 * last texts it made.
	 */
	static _Thread_local struct {
		double d;
		char t[32];
		unsigned char used;
	} memo[64];
	uint64_t bits;
	unsigned h;
	sep(w);
	memcpy(&bits, &d, sizeof(bits));
	h = (unsigned)((bits * 0x9e3779b97f4a7c15ULL) >> 58);
	if (!memo[h].used || memcmp(&memo[h].d, &d, sizeof(d))) {
		xsm_json_numtext(memo[h].t, d);
		memo[h].d = d;
		memo[h].used = 1;
	}
	put(w, memo[h].t, strlen(memo[h].t));
}

void xsm_jw_int(xsm_jw *w, int64_t i)
{
	char t[32];
	sep(w);
	snprintf(t, sizeof(t), "%lld", (long long)i);
	put(w, t, strlen(t));
}

void xsm_jw_bool(xsm_jw *w, int b)
{
	sep(w);
	put(w, b ? "true" : "false", b ? 4 : 5);
}

void xsm_jw_null(xsm_jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void xsm_jw_rawn(xsm_jw *w, const char *json, size_t n)
{
	sep(w);
	put(w, json, n);
}

void xsm_jw_raw(xsm_jw *w, const char *json)
{
	xsm_jw_rawn(w, json, strlen(json));
}

void xsm_jw_kstr(xsm_jw *w, const char *k, const char *s) { xsm_jw_key(w, k); xsm_jw_str(w, s); }
void xsm_jw_kint(xsm_jw *w, const char *k, int64_t i) { xsm_jw_key(w, k); xsm_jw_int(w, i); }
void xsm_jw_knum(xsm_jw *w, const char *k, double d) { xsm_jw_key(w, k); xsm_jw_num(w, d); }
void xsm_jw_kbool(xsm_jw *w, const char *k, int b) { xsm_jw_key(w, k); xsm_jw_bool(w, b); }
