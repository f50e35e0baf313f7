#include "adapt/json.h"

#include <cjson/cJSON.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

struct xsm__json; /* is a cJSON: the cast below is the whole adapter */
#define CJ(j) ((const cJSON *)(const void *)(j))
#define XJ(c) ((const xsm__json *)(const void *)(c))

/* an allocation for cJSON failed in this thread: a failed parse is then out of memory, not bad text */
static _Thread_local int hook_oom;

/* cJSON's allocation hooks (scratch trees, below), installed before the first tree is made */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static void install_hooks(void);
#define HOOKS() pthread_once(&hooks_once, install_hooks)

static int depth_ok(const char *buf, size_t len)
{
	/* cJSON has its own limit (1000); ours is lower and checked up front */
	int depth = 0, in_str = 0;
	size_t i;
	for (i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			/* the bulk of a document: run to the next quote or backslash */
			while (i < len && buf[i] != '"' && buf[i] != '\\')
				i++;
			if (i < len && buf[i] == '\\')
				i++;
			else
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > XSM__JSON_MAX_DEPTH)
				return 0;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 1;
}

/* NULs that parsing this thread's texts mended (xsm__json_take_mended) */
static _Thread_local size_t nul_mended;

size_t xsm__json_take_mended(void)
{
	size_t n = nul_mended;
	nul_mended = 0;
	return n;
}

static int has_u0000(const char *buf, size_t len)
{
	for (const char *p = buf, *end = buf + len; (p = memchr(p, '\\', (size_t)(end - p))) != NULL; p += 2)
		if (end - p >= 6 && !memcmp(p + 1, "u0000", 5))
			return 1;
		else if (end - p < 2)
			break;
	return 0;
}

/*
 * A copy of buf[0..len) that cJSON can read without cutting a string
 * short, or NULL when it needs none (*oom set when the copy failed).  Byte
 * for byte, so columns and lengths stay: in a string a raw NUL becomes
 * 0xFF, a byte that is not UTF-8 (a record's check refuses it, a
 * connector's record is mended to U+FFFD), and \u0000 becomes \ufffd;
 * between tokens a NUL is a space, as cJSON reads it.
 */
static char *unnul(const char *buf, size_t len, int *oom)
{
	char *c;
	int in_str = 0;
	*oom = 0;
	if (!len || (!memchr(buf, 0, len) && !has_u0000(buf, len)))
		return NULL;
	if (!(c = xsm__malloc(len))) {
		*oom = 1;
		return NULL;
	}
	memcpy(c, buf, len);
	for (size_t i = 0; i < len; i++) {
		if (!c[i]) {
			c[i] = in_str ? (char)0xFF : ' '; /* 0xFF is counted where it is mended */
			nul_mended += !in_str;
		} else if (c[i] == '"') {
			in_str = !in_str;
		} else if (c[i] == '\\' && in_str && i + 1 < len) {
			if (i + 5 < len && !memcmp(c + i + 1, "u0000", 5)) {
				memcpy(c + i + 1, "ufffd", 5);
				nul_mended++;
			}
			i++;
			if (!c[i])
				c[i] = (char)0xFF;
		}
	}
	return c;
}

static int parse_text(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where, int prescan);

static int parse(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where, int prescan)
{
	int oom, rc;
	char *copy = unnul(buf, len, &oom);
	if (oom) {
		*out = NULL;
		return xsm__error_oom(ctx);
	}
	rc = parse_text(out, ctx, copy ? copy : buf, len, where, prescan);
	xsm__free(copy);
	return rc;
}

static int parse_text(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where, int prescan)
{
	const char *end = NULL;
	cJSON *c;

	HOOKS();
	*out = NULL;
	if (!where)
		where = "";
	if (prescan && !depth_ok(buf, len))
		return xsm__error_set(ctx, XSM_EINVALID, "%snesting deeper than %d levels", where,
				      XSM__JSON_MAX_DEPTH);
	hook_oom = 0;
	c = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!c && hook_oom)
		return xsm__error_oom(ctx);
	if (!c) {
		size_t col = end && end >= buf ? (size_t)(end - buf) + 1 : 1;
		if (col > len)
			return xsm__error_set(ctx, XSM_EINVALID, "%sunexpected end of json", where);
		return xsm__error_set(ctx, XSM_EINVALID, "%scol %zu: invalid json", where, col);
	}
	while (end && (size_t)(end - buf) < len &&
	       (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end && (size_t)(end - buf) < len) {
		cJSON_Delete(c);
		return xsm__error_set(ctx, XSM_EINVALID, "%scol %zu: trailing data after json value",
				      where, (size_t)(end - buf) + 1);
	}
	*out = (xsm__json *)(void *)c;
	return 0;
}

/* --- scratch trees ----------------------------------------------------------------- */

enum { SCRATCH_CHUNK = 1 << 20 };

struct schunk {
	struct schunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct xsm__json_scratch {
	struct schunk *side[2], *cur; /* cur: the chunk of side[at] being filled */
	int at;
};

/*
 * this thread's scratch while one is in use; cJSON's hooks look here.
 * Outside a scratch they are the library's allocator, so cJSON's
 * allocations fail with the others under XSM_TEST_FAILALLOC.
 */
static _Thread_local xsm__json_scratch *scratch_tl;

static void *scratch_alloc(xsm__json_scratch *s, size_t n)
{
	size_t want = (n + 15) & ~(size_t)15;
	struct schunk *c = s->cur;
	if (want < n)
		return NULL;
	while (c && c->cap - c->used < want)
		c = c->next; /* chunks of an emptied side are used again, in order */
	if (!c) {
		size_t cap = want > SCRATCH_CHUNK ? want : SCRATCH_CHUNK;
		if (!(c = xsm__malloc(sizeof(*c) + cap)))
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = s->cur ? s->cur->next : NULL;
		if (s->cur)
			s->cur->next = c;
		else
			s->side[s->at] = c;
	}
	s->cur = c;
	c->used += want;
	return c->data + c->used - want;
}

static int in_scratch(const xsm__json_scratch *s, const void *p)
{
	for (int k = 0; k < 2; k++)
		for (const struct schunk *c = s->side[k]; c; c = c->next)
			if ((const unsigned char *)p >= c->data && (const unsigned char *)p < c->data + c->cap)
				return 1;
	return 0;
}

static void *hook_malloc(size_t n)
{
	xsm__json_scratch *s = scratch_tl;
	void *p = s ? scratch_alloc(s, n) : xsm__malloc(n);
	if (!p)
		hook_oom = 1;
	return p;
}

static void hook_free(void *p)
{
	xsm__json_scratch *s = scratch_tl;
	if (!s || !in_scratch(s, p))
		xsm__free(p);
}

static void install_hooks(void)
{
	cJSON_Hooks h = { hook_malloc, hook_free };
	cJSON_InitHooks(&h);
}

xsm__json_scratch *xsm__json_scratch_new(void)
{
	HOOKS();
	return xsm__calloc(1, sizeof(xsm__json_scratch));
}

void xsm__json_scratch_use(xsm__json_scratch *s, int side)
{
	s->at = side & 1;
	s->cur = s->side[s->at];
	for (struct schunk *c = s->cur; c; c = c->next)
		c->used = 0;
	scratch_tl = s;
}

void xsm__json_scratch_end(xsm__json_scratch *s)
{
	scratch_tl = NULL;
	if (!s)
		return;
	for (int k = 0; k < 2; k++)
		for (struct schunk *c = s->side[k], *next; c; c = next) {
			next = c->next;
			xsm__free(c);
		}
	xsm__free(s);
}

int xsm__json_parse(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where)
{
	return parse(out, ctx, buf, len, where, 1);
}

int xsm__json_parse_prechecked(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where)
{
	return parse(out, ctx, buf, len, where, 0);
}

void xsm__json_free(xsm__json *j)
{
	cJSON_Delete((cJSON *)(void *)j);
}

int xsm__json_type(const xsm__json *j)
{
	const cJSON *c = CJ(j);
	if (!c)
		return XSM_J_INVALID;
	switch (c->type & 0xff) {
	case cJSON_NULL: return XSM_J_NULL;
	case cJSON_False:
	case cJSON_True: return XSM_J_BOOL;
	case cJSON_Number: return XSM_J_NUMBER;
	case cJSON_String: return XSM_J_STRING;
	case cJSON_Array: return XSM_J_ARRAY;
	case cJSON_Object: return XSM_J_OBJECT;
	}
	return XSM_J_INVALID;
}

const char *xsm__json_typename(const xsm__json *j)
{
	static const char *names[] = { "nothing", "null", "boolean", "number", "string", "array", "object" };
	return names[xsm__json_type(j)];
}

const xsm__json *xsm__json_get(const xsm__json *obj, const char *key)
{
	if (xsm__json_type(obj) != XSM_J_OBJECT)
		return NULL;
	return XJ(cJSON_GetObjectItemCaseSensitive(CJ(obj), key));
}

const char *xsm__json_str(const xsm__json *j)
{
	return xsm__json_type(j) == XSM_J_STRING ? CJ(j)->valuestring : NULL;
}

const char *xsm__json_getstr(const xsm__json *obj, const char *key)
{
	return xsm__json_str(xsm__json_get(obj, key));
}

double xsm__json_num(const xsm__json *j)
{
	return xsm__json_type(j) == XSM_J_NUMBER ? CJ(j)->valuedouble : 0;
}

int xsm__json_bool(const xsm__json *j)
{
	return j && (CJ(j)->type & 0xff) == cJSON_True;
}

const xsm__json *xsm__json_child(const xsm__json *j)
{
	int t = xsm__json_type(j);
	return (t == XSM_J_ARRAY || t == XSM_J_OBJECT) ? XJ(CJ(j)->child) : NULL;
}

const xsm__json *xsm__json_next(const xsm__json *j)
{
	return j ? XJ(CJ(j)->next) : NULL;
}

const char *xsm__json_key(const xsm__json *j)
{
	return j ? CJ(j)->string : NULL;
}

size_t xsm__json_count(const xsm__json *j)
{
	size_t n = 0;
	const xsm__json *c;
	for (c = xsm__json_child(j); c; c = xsm__json_next(c))
		n++;
	return n;
}

int xsm__json_print(xsm_buf *out, const xsm__json *j)
{
	char *s = cJSON_PrintUnformatted(CJ(j));
	int rc;
	if (!s)
		return XSM_ENOMEM;
	rc = xsm_buf_puts(out, s);
	cJSON_free(s);
	return rc;
}

/* --- parsing only the members a caller reads --------------------------------------- */

/*
 * Stepping over a member must refuse what a whole parse refuses, so this
 * scanner follows the grammar of the cJSON we build with rather than the
 * RFC: whitespace is any byte up to ' ', a number is what strtod reads of
 * the number characters there, and a \u escape is refused only for a
 * broken surrogate.  test_json checks the two agree.
 */
struct scan {
	const unsigned char *p;
	size_t len, pos;
	size_t key_end; /* just past the closing quote of the last key scan_key read */
	int depth;
	int escaped; /* the last string scan_string read holds a backslash */
	int edge;    /* the scan ran into the end of the text: more text could have changed the verdict */
};

enum { SCAN_SYNTAX = -1, SCAN_DEEP = -2, SCAN_OOM = -3 };

static void scan_ws(struct scan *s)
{
	while (s->pos < s->len && s->p[s->pos] <= ' ')
		s->pos++;
}

/* nothing left to read where a byte was expected */
static int at_end(struct scan *s)
{
	if (s->pos < s->len)
		return 0;
	s->edge = 1;
	return 1;
}

static unsigned hex4(const unsigned char *h)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		unsigned char c = h[i];
		if (c >= '0' && c <= '9')
			v = v << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (unsigned)(c - 'A' + 10);
		else
			return 0; /* cJSON reads a sequence with a non-hex digit as U+0000 */
	}
	return v;
}

/* the escapes of the string text b[0..q), read in sequence as the decoder reads them (a \\uXXXX is 6 bytes) */
static int scan_escapes(const unsigned char *b, const unsigned char *q)
{
	const unsigned char *bs;

	while (b < q && (bs = memchr(b, '\\', (size_t)(q - b))) != NULL) {
		unsigned u;
		switch (bs[1]) {
		case 'b': case 'f': case 'n': case 'r': case 't': case '"': case '\\': case '/':
			b = bs + 2;
			break;
		case 'u':
			if (q - bs < 6 || ((u = hex4(bs + 2)) >= 0xDC00 && u <= 0xDFFF))
				return SCAN_SYNTAX;
			b = bs + 6;
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (q - b < 6 || b[0] != '\\' || b[1] != 'u' || (u = hex4(b + 2)) < 0xDC00 || u > 0xDFFF)
					return SCAN_SYNTAX;
				b += 6;
			}
			break;
		default:
			return SCAN_SYNTAX;
		}
	}
	return 0;
}

static int scan_string(struct scan *s)
{
	const unsigned char *b = s->p + s->pos + 1, *e = s->p + s->len, *start = b;

	/* the end: the first quote that no backslash escapes; then the escapes, if any */
	s->escaped = 0;
	for (;;) {
		const unsigned char *at = b + xsm__json_plain_run((const char *)b, (size_t)(e - b));
		if (at >= e || (*at == '\\' && at + 1 >= e)) {
			s->edge = 1;
			return SCAN_SYNTAX;
		}
		if (*at == '"') {
			if (s->escaped && scan_escapes(start, at) < 0)
				return SCAN_SYNTAX;
			s->pos = (size_t)(at - s->p) + 1;
			return 0;
		}
		s->escaped = 1;
		b = at + 2;
	}
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int scan_number(struct scan *s)
{
	const unsigned char *p = s->p + s->pos;
	size_t n = 0, i = 0, digits = 0, end;

	/* cJSON hands strtod the run of [0-9+-eE.] and keeps what it reads */
	while (s->pos + n < s->len &&
	       (is_digit(p[n]) || p[n] == '+' || p[n] == '-' || p[n] == 'e' || p[n] == 'E' || p[n] == '.'))
		n++;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	for (; i < n && is_digit(p[i]); i++)
		digits++;
	if (i < n && p[i] == '.')
		for (i++; i < n && is_digit(p[i]); i++)
			digits++;
	if (s->pos + n == s->len)
		s->edge = 1; /* the number may go on */
	if (!digits)
		return SCAN_SYNTAX;
	end = i;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t j = i + 1, exp = 0;
		if (j < n && (p[j] == '+' || p[j] == '-'))
			j++;
		for (; j < n && is_digit(p[j]); j++)
			exp++;
		if (exp)
			end = j;
	}
	s->pos += end;
	return 0;
}

static int scan_value(struct scan *s);

/* a member's "key" (from *k0, its opening quote), the colon and the space after it */
static int scan_key(struct scan *s, size_t *k0)
{
	*k0 = s->pos;
	if (at_end(s) || s->p[s->pos] != '"' || scan_string(s) < 0)
		return SCAN_SYNTAX;
	s->key_end = s->pos;
	scan_ws(s);
	if (at_end(s) || s->p[s->pos] != ':')
		return SCAN_SYNTAX;
	s->pos++;
	scan_ws(s);
	return 0;
}

static int scan_container(struct scan *s)
{
	unsigned char close = s->p[s->pos] == '[' ? ']' : '}';
	int rc;

	if (++s->depth > XSM__JSON_MAX_DEPTH)
		return SCAN_DEEP;
	s->pos++;
	scan_ws(s);
	if (s->pos < s->len && s->p[s->pos] == close) {
		s->pos++;
		s->depth--;
		return 0;
	}
	for (;;) {
		size_t k0;
		scan_ws(s);
		if (close == '}' && scan_key(s, &k0) < 0)
			return SCAN_SYNTAX;
		if ((rc = scan_value(s)) < 0)
			return rc;
		scan_ws(s);
		if (s->pos >= s->len || s->p[s->pos] != ',')
			break;
		s->pos++;
	}
	if (at_end(s) || s->p[s->pos] != close)
		return SCAN_SYNTAX;
	s->pos++;
	s->depth--;
	return 0;
}

static int scan_word(struct scan *s, const char *w, size_t n)
{
	if (s->len - s->pos < n)
		s->edge = 1;
	if (s->len - s->pos < n || memcmp(s->p + s->pos, w, n))
		return SCAN_SYNTAX;
	s->pos += n;
	return 0;
}

static int scan_value(struct scan *s)
{
	unsigned char c;

	if (at_end(s))
		return SCAN_SYNTAX;
	c = s->p[s->pos];
	if (c == '"')
		return scan_string(s);
	if (c == '-' || is_digit(c))
		return scan_number(s);
	if (c == '{' || c == '[')
		return scan_container(s);
	if (c == 'n')
		return scan_word(s, "null", 4);
	if (c == 't')
		return scan_word(s, "true", 4);
	if (c == 'f')
		return scan_word(s, "false", 5);
	return SCAN_SYNTAX;
}

/*
 * The entry of pick that the key text k[0..n) (between its quotes) names,
 * or NULL.  A whole parse keeps a key up to its first NUL, so an entry
 * matches a prefix of k that a NUL ends.
 */
static const xsm__json_pick *pick_find(const xsm__json_pick *pick, const unsigned char *k, size_t n, int escaped,
				       int *failed)
{
	const xsm__json_pick *m;
	cJSON *d = NULL;

	if (escaped) {
		/* an escaped key is compared as cJSON decodes it */
		if (!(d = cJSON_ParseWithLength((const char *)k - 1, n + 2)) || !cJSON_IsString(d)) {
			cJSON_Delete(d);
			*failed = 1; /* out of memory (hook_oom says), or not a string: as a whole parse would fail */
			return NULL;
		}
		for (m = pick; m->key && strcmp(d->valuestring, m->key); m++)
			;
		cJSON_Delete(d);
		return m->key ? m : NULL;
	}
	for (m = pick; m->key; m++) {
		size_t i = 0;
		if (n && (unsigned char)m->key[0] != k[0])
			continue; /* the common case, first */
		while (i < n && m->key[i] && (unsigned char)m->key[i] == k[i])
			i++;
		if (!m->key[i] && (i == n || k[i] == '\0'))
			return m;
	}
	return NULL;
}

/*
 * The item of the value text p[v0..pos) scan_value just checked.  A
 * scalar is made as cJSON's parse makes it: a string without escapes is
 * its bytes, a number what strtod reads of them with the locale's decimal
 * point (the scanner ended it where strtod does).  Anything else is
 * cJSON's own parse of the text.  NULL when out of memory or when the two
 * readings disagree.
 */
static cJSON *kept_value(const struct scan *s, size_t v0)
{
	const char *p = (const char *)s->p + v0, *end = NULL;
	size_t n = s->pos - v0;
	char tmp[128];
	cJSON *v;

	if (*p == '"' && !s->escaped && n - 2 < sizeof(tmp)) {
		memcpy(tmp, p + 1, n - 2);
		tmp[n - 2] = '\0';
		return cJSON_CreateString(tmp);
	}
	if (*p == 't')
		return cJSON_CreateTrue();
	if (*p == 'f')
		return cJSON_CreateFalse();
	if (*p == 'n')
		return cJSON_CreateNull();
	if ((*p == '-' || is_digit((unsigned char)*p)) && n < sizeof(tmp)) {
		char *dot;
		double d;
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		if ((dot = memchr(tmp, '.', n)) != NULL)
			*dot = localeconv()->decimal_point[0];
		d = strtod(tmp, &dot);
		return dot == tmp + n ? cJSON_CreateNumber(d) : NULL;
	}
	v = cJSON_ParseWithLengthOpts(p, s->len - v0, &end, 0);
	if (v && end != (const char *)s->p + s->pos) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static int pick_object(struct scan *s, cJSON *obj, const xsm__json_pick *pick)
{
	int rc;

	if (++s->depth > XSM__JSON_MAX_DEPTH)
		return SCAN_DEEP;
	s->pos++;
	scan_ws(s);
	if (s->pos < s->len && s->p[s->pos] == '}') {
		s->pos++;
		s->depth--;
		return 0;
	}
	for (;;) {
		const xsm__json_pick *m;
		size_t k0, v0;
		int failed = 0;

		scan_ws(s);
		if (scan_key(s, &k0) < 0)
			return SCAN_SYNTAX;
		v0 = s->pos;
		hook_oom = 0;
		m = pick_find(pick, s->p + k0 + 1, s->key_end - k0 - 2, s->escaped, &failed);
		if (failed)
			return hook_oom ? SCAN_OOM : SCAN_SYNTAX;
		if (!m) {
			rc = scan_value(s);
		} else if (m->sub && v0 < s->len && s->p[v0] == '{') {
			cJSON *o = cJSON_CreateObject();
			if (!o)
				return SCAN_OOM;
			cJSON_AddItemToObjectCS(obj, m->key, o);
			rc = pick_object(s, o, m->sub);
		} else if ((rc = scan_value(s)) == 0) {
			cJSON *v;
			hook_oom = 0;
			if (!(v = kept_value(s, v0)))
				return hook_oom ? SCAN_OOM : SCAN_SYNTAX; /* else the readings disagree: as a whole parse fails */
			cJSON_AddItemToObjectCS(obj, m->key, v);
		}
		if (rc < 0)
			return rc;
		scan_ws(s);
		if (s->pos >= s->len || s->p[s->pos] != ',')
			break;
		s->pos++;
	}
	if (at_end(s) || s->p[s->pos] != '}')
		return SCAN_SYNTAX;
	s->pos++;
	s->depth--;
	return 0;
}

/*
 * The picked parse of the value at the start of buf[0..len): all of buf
 * when used is NULL, else what the value takes (*used), or XSM__JSON_SHORT
 * when buf ends before it does.
 */
static int parse_pick_text(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const xsm__json_pick *pick,
			   const char *where, size_t *used);

static int parse_pick(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const xsm__json_pick *pick,
		      const char *where, size_t *used)
{
	int oom, rc;
	char *copy = unnul(buf, len, &oom);
	if (oom) {
		*out = NULL;
		return xsm__error_oom(ctx);
	}
	rc = parse_pick_text(out, ctx, copy ? copy : buf, len, pick, where, used);
	xsm__free(copy);
	return rc;
}

static int parse_pick_text(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const xsm__json_pick *pick,
			   const char *where, size_t *used)
{
	struct scan s;
	cJSON *root = NULL;
	int rc;

	HOOKS();
	*out = NULL;
	if (!where)
		where = "";
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)buf;
	s.len = len;
	/* as cJSON: a byte order mark at the very start is skipped */
	if (!used && len > 4 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		s.pos = 3;
	scan_ws(&s);
	if (!used && (s.pos >= len || buf[s.pos] != '{'))
		return parse(out, ctx, buf, len, where, 1); /* not an object: nothing to leave out */
	if (s.pos < len && buf[s.pos] == '{') {
		if (!(root = cJSON_CreateObject()))
			return xsm__error_oom(ctx);
		rc = pick_object(&s, root, pick);
	} else {
		/* not an object: its end, then a parse of just its text */
		size_t v0 = s.pos;
		rc = scan_value(&s);
		if (rc == 0 && !s.edge)
			return (rc = parse(out, ctx, buf + v0, s.pos - v0, where, 0)) < 0 ? rc : (*used = s.pos, 0);
	}
	if (used && s.edge && rc != SCAN_OOM && rc != SCAN_DEEP) {
		cJSON_Delete(root);
		return XSM__JSON_SHORT;
	}
	while (!used && rc == 0 && s.pos < len && (buf[s.pos] == ' ' || buf[s.pos] == '\t' || buf[s.pos] == '\r' ||
						   buf[s.pos] == '\n'))
		s.pos++;
	if (rc < 0 || (!used && s.pos < len)) {
		cJSON_Delete(root);
		if (rc == SCAN_OOM)
			return xsm__error_oom(ctx);
		if (rc == SCAN_DEEP)
			return xsm__error_set(ctx, XSM_EINVALID, "%snesting deeper than %d levels", where,
					      XSM__JSON_MAX_DEPTH);
		if (rc == 0)
			return xsm__error_set(ctx, XSM_EINVALID, "%scol %zu: trailing data after json value", where,
					      s.pos + 1);
		if (s.pos >= len)
			return xsm__error_set(ctx, XSM_EINVALID, "%sunexpected end of json", where);
		return xsm__error_set(ctx, XSM_EINVALID, "%scol %zu: invalid json", where, s.pos + 1);
	}
	if (used)
		*used = s.pos;
	*out = (xsm__json *)(void *)root;
	return 0;
}

int xsm__json_parse_pick(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const xsm__json_pick *pick,
			 const char *where)
{
	return parse_pick(out, ctx, buf, len, pick, where, NULL);
}

int xsm__json_parse_pick_next(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len,
			      const xsm__json_pick *pick, const char *where, size_t *used)
{
	return parse_pick(out, ctx, buf, len, pick, where, used);
}

/* --- strict text: UTF-8, no NUL, no duplicate keys ---------------------------------- */

struct skey {
	size_t off, n;  /* the key's text: in the JSON text, or (decoded) in the scan's buffer */
	int decoded;
	size_t col;
};

struct strict {
	const unsigned char *p;
	size_t len;
	xsm_buf *fix;        /* mending: the text as it should be; NULL: checking */
	size_t fixed;
	int dups;            /* mending: a duplicate key was seen */
	struct skey *keys;   /* the keys of the objects open, innermost last */
	size_t nkeys, kcap;
	xsm_buf dec;         /* decoded escaped keys */
	char *why;
	size_t whylen;
};

static int strict_bad(struct strict *st, size_t at, const char *what)
{
	snprintf(st->why, st->whylen, "col %zu: %s", at + 1, what);
	return XSM_EINVALID;
}

/* emit p[from..to) unchanged when mending */
static int put(struct strict *st, size_t from, size_t to)
{
	return st->fix && to > from ? xsm_buf_put(st->fix, (const char *)st->p + from, to - from) : 0;
}

static int put_fffd(struct strict *st)
{
	st->fixed++;
	return xsm_buf_put(st->fix, "\xEF\xBF\xBD", 3);
}

static const unsigned char *key_text(const struct strict *st, const struct skey *k)
{
	return k->decoded ? (const unsigned char *)st->dec.ptr + k->off : st->p + k->off;
}

static int key_cmp(const struct strict *st, const struct skey *a, const struct skey *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return memcmp(key_text(st, a), key_text(st, b), a->n);
}

/* qsort has no context argument: the scan sorting on this thread */
static _Thread_local const struct strict *sort_st;

static int key_order(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	int c = key_cmp(sort_st, x, y);
	return c ? c : x->col < y->col ? -1 : 1;
}

/* duplicates among the keys of the object closing (keys[from..nkeys)): the later occurrence's column, or 0 */
static size_t dup_key(struct strict *st, size_t from, size_t *which)
{
	size_t n = st->nkeys - from, best = 0;
	struct skey *k;
	if (n < 2)
		return 0;
	k = st->keys + from;
	if (n <= 32) {
		for (size_t j = 1; j < n; j++)
			for (size_t i = 0; i < j; i++)
				if (!key_cmp(st, &k[i], &k[j]) && (!best || k[j].col < best)) {
					best = k[j].col;
					*which = from + j;
				}
		return best;
	}
	{
		/* many members: sorted, a duplicate is next to its twin (keys are reused: the object is done) */
		struct skey *c = xsm__reallocarray(NULL, n, sizeof(*c));
		if (!c)
			return (size_t)-1;
		memcpy(c, k, n * sizeof(*c));
		sort_st = st;
		qsort(c, n, sizeof(*c), key_order);
		for (size_t i = 1; i < n; i++)
			if (!key_cmp(st, &c[i - 1], &c[i])) {
				size_t col = c[i - 1].col > c[i].col ? c[i - 1].col : c[i].col;
				if (!best || col < best) {
					best = col;
					for (size_t j = 0; j < n; j++)
						if (k[j].col == col)
							*which = from + j;
				}
			}
		xsm__free(c);
		return best;
	}
}

/* the string whose opening quote is at *pos; *pos ends past its closing quote */
static int strict_string(struct strict *st, size_t *pos, int is_key)
{
	size_t i = *pos + 1, run = *pos, start = i;
	int escaped = 0, rc;
	for (;;) {
		unsigned char c;
		if (i >= st->len)
			return strict_bad(st, *pos, "unterminated string");
		c = st->p[i];
		if (c == '"')
			break;
		if (c == '\\') {
			escaped = 1;
			if (i + 5 < st->len && st->p[i + 1] == 'u' && !memcmp(st->p + i + 2, "0000", 4)) {
				if (!st->fix)
					return strict_bad(st, i, "\\u0000 (a NUL) in a string");
				if ((rc = put(st, run, i)) < 0 || (rc = xsm_buf_puts(st->fix, "\\ufffd")) < 0)
					return rc;
				st->fixed++;
				i += 6;
				run = i;
				continue;
			}
			i += 2;
			continue;
		}
		if (c >= 0x20 && c < 0x80) {
			i++;
			continue;
		}
		if (c == 0 || !xsm__utf8_len(st->p + i, st->len - i)) {
			if (!st->fix)
				return strict_bad(st, i, c ? "invalid UTF-8" : "a raw NUL byte in a string");
			if ((rc = put(st, run, i)) < 0 || (rc = put_fffd(st)) < 0)
				return rc;
			run = ++i;
			continue;
		}
		i += xsm__utf8_len(st->p + i, st->len - i);
	}
	if ((rc = put(st, run, i + 1)) < 0)
		return rc;
	if (is_key) {
		struct skey k;
		k.col = *pos + 1;
		k.decoded = 0;
		k.off = start;
		k.n = i - start;
		if (escaped) {
			/* compared as decoded: "a" and "\u0061" are one key */
			cJSON *d;
			hook_oom = 0;
			if (!(d = cJSON_ParseWithLength((const char *)st->p + *pos, i + 1 - *pos)) || !cJSON_IsString(d)) {
				cJSON_Delete(d);
				return hook_oom ? XSM_ENOMEM : strict_bad(st, *pos, "invalid string");
			}
			k.decoded = 1;
			k.off = st->dec.size;
			k.n = strlen(d->valuestring);
			rc = xsm_buf_put(&st->dec, d->valuestring, k.n);
			cJSON_Delete(d);
			if (rc < 0)
				return rc;
		}
		if (st->nkeys == st->kcap) {
			size_t cap = st->kcap ? st->kcap * 2 : 32;
			struct skey *v = xsm__reallocarray(st->keys, cap, sizeof(*v));
			if (!v)
				return XSM_ENOMEM;
			st->keys = v;
			st->kcap = cap;
		}
		st->keys[st->nkeys++] = k;
	}
	*pos = i + 1;
	return 0;
}

static int strict_scan(struct strict *st)
{
	size_t frame[XSM__JSON_MAX_DEPTH + 2]; /* per open container: its first key, or (size_t)-1 for an array */
	int depth = 0, expect_key = 0, rc;
	size_t pos = 0, run = 0;

	while (pos < st->len) {
		unsigned char c = st->p[pos];
		if (c == '"') {
			if ((rc = put(st, run, pos)) < 0 || (rc = strict_string(st, &pos, expect_key)) < 0)
				return rc;
			run = pos;
			expect_key = 0;
			continue;
		}
		switch (c) {
		case '{':
		case '[':
			if (depth > XSM__JSON_MAX_DEPTH)
				return strict_bad(st, pos, "nested too deep");
			frame[depth++] = c == '{' ? st->nkeys : (size_t)-1;
			expect_key = c == '{';
			break;
		case '}':
		case ']':
			if (!depth)
				return strict_bad(st, pos, "unbalanced brackets");
			depth--;
			if (c == '}' && frame[depth] != (size_t)-1) {
				size_t which = 0, col = dup_key(st, frame[depth], &which);
				if (col == (size_t)-1)
					return XSM_ENOMEM;
				if (col && !st->fix) {
					char msg[160];
					const struct skey *k = &st->keys[which];
					snprintf(msg, sizeof(msg), "duplicate key '%.*s'", (int)(k->n > 60 ? 60 : k->n),
						 (const char *)key_text(st, k));
					return strict_bad(st, col - 1, msg);
				}
				st->dups |= col != 0;
				st->nkeys = frame[depth];
			}
			expect_key = 0;
			break;
		case ',':
			expect_key = depth && frame[depth - 1] != (size_t)-1;
			break;
		case '\0':
			if (!st->fix)
				return strict_bad(st, pos, "a raw NUL byte");
			if ((rc = put(st, run, pos)) < 0 || (rc = xsm_buf_putc(st->fix, ' ')) < 0)
				return rc;
			st->fixed++;
			run = pos + 1;
			break;
		default:
			if (c >= 0x80 && !(pos == 0 && st->len >= 3 && !memcmp(st->p, "\xEF\xBB\xBF", 3)))
				return strict_bad(st, pos, "invalid json"); /* outside a string: not JSON at all */
			if (c >= 0x80)
				pos += 2; /* the byte order mark cJSON skips */
			break;
		}
		pos++;
	}
	return put(st, run, pos);
}

int xsm__json_strict_check(const char *buf, size_t len, char *why, size_t whylen)
{
	struct strict st;
	int rc;
	HOOKS();
	memset(&st, 0, sizeof(st));
	st.p = (const unsigned char *)buf;
	st.len = len;
	st.why = why;
	st.whylen = whylen;
	rc = strict_scan(&st);
	xsm__free(st.keys);
	xsm_buf_dispose(&st.dec);
	return rc;
}

/* keep the first member of each key, in every object of the tree; the others are counted and dropped */
static size_t drop_dups(cJSON *j)
{
	size_t n = 0;
	for (cJSON *c = j ? j->child : NULL; c; c = c->next) {
		n += drop_dups(c);
		if (!cJSON_IsObject(j))
			continue;
		for (cJSON *d = c->next, *next; d; d = next) {
			next = d->next;
			if (d->string && c->string && !strcmp(d->string, c->string)) {
				cJSON_Delete(cJSON_DetachItemViaPointer(j, d));
				n++;
			}
		}
	}
	return n;
}

int xsm__json_sanitize(xsm_buf *out, const char *buf, size_t len, size_t *fixed)
{
	struct strict st;
	char why[160];
	int rc;

	HOOKS();
	*fixed = 0;
	/* most text needs nothing: checked first, without a copy */
	if ((rc = xsm__json_strict_check(buf, len, why, sizeof(why))) != XSM_EINVALID)
		return rc;
	xsm_buf_clear(out);
	memset(&st, 0, sizeof(st));
	st.p = (const unsigned char *)buf;
	st.len = len;
	st.fix = out;
	st.why = why;
	st.whylen = sizeof(why);
	rc = strict_scan(&st);
	xsm__free(st.keys);
	xsm_buf_dispose(&st.dec);
	if (rc < 0)
		return rc;
	*fixed = st.fixed;
	/* keys that differed only in bad bytes are twins once mended: checked again */
	if (st.dups || (st.fixed && xsm__json_strict_check(out->ptr, out->size, why, sizeof(why)) == XSM_EINVALID)) {
		/* rare: the mended text once more as a tree, its later twins dropped */
		cJSON *c;
		char *s;
		hook_oom = 0;
		if (!(c = cJSON_ParseWithLength(out->ptr, out->size)))
			return hook_oom ? XSM_ENOMEM : XSM_EINVALID;
		*fixed += drop_dups(c);
		s = cJSON_PrintUnformatted(c);
		cJSON_Delete(c);
		if (!s)
			return XSM_ENOMEM;
		xsm_buf_clear(out);
		rc = xsm_buf_puts(out, s);
		cJSON_free(s);
	}
	return rc;
}
