#include "adapt/json.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "ctx.h"
#include "util/buf.h"

struct xsm__json; /* is a cJSON: the cast below is the whole adapter */
#define CJ(j) ((const cJSON *)(const void *)(j))
#define XJ(c) ((const xsm__json *)(const void *)(c))

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

static int parse(xsm__json **out, xsm_ctx *ctx, const char *buf, size_t len, const char *where, int prescan)
{
	const char *end = NULL;
	cJSON *c;

	*out = NULL;
	if (!where)
		where = "";
	if (prescan && !depth_ok(buf, len))
		return xsm__error_set(ctx, XSM_EINVALID, "%snesting deeper than %d levels", where,
				      XSM__JSON_MAX_DEPTH);
	c = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
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
