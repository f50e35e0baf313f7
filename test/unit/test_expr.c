/* test_expr.c - the expression language over a small in-test host */
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "expr.h"

/* an item: label, name, categories (array), props osType (str), cvss (num), exposed (bool), roles (array) */
struct item {
	const char *label, *name;
	const char *cats[4];
	const char *os;
	double cvss;
	int has_cvss;
	int exposed;
	const char *roles[4];
};

enum { F_LABEL, F_NAME, F_CATS, F_OS, F_CVSS, F_EXPOSED, F_ROLES, F_MISSING };

static const char *pool[] = { "device", "compute", "user", "identity", "Global Administrator",
			      "Security Reader", "server", NULL };

static int host_resolve(void *h, const char *p, size_t n)
{
	static const char *names[] = { "label", "name", "categories", "props.osType", "props.cvss",
				       "props.exposedToInternet", "props.assignedRoles", "props.missing" };
	(void)h;
	for (int i = 0; i < 8; i++)
		if (strlen(names[i]) == n && !memcmp(names[i], p, n))
			return i;
	if (n > 6 && !memcmp(p, "props.", 6))
		return -1;
	return -2;
}

static uint32_t ids_of(const char *const *strs, uint32_t *out)
{
	uint32_t n = 0;
	for (; strs[n]; n++)
		for (uint32_t k = 0; pool[k]; k++)
			if (!strcmp(pool[k], strs[n]))
				out[n] = k;
	return n;
}

static __thread uint32_t idbuf[8];

static void host_get(void *h, const void *it, int f, xsm__expr_val *v)
{
	const struct item *x = it;
	(void)h;
	memset(v, 0, sizeof(*v));
	switch (f) {
	case F_LABEL: v->type = XSM_EV_STR; v->str = x->label; break;
	case F_NAME: v->type = XSM_EV_STR; v->str = x->name; break;
	case F_CATS: v->type = XSM_EV_STRS; v->n = ids_of(x->cats, idbuf); v->ids = idbuf; v->pool = pool; break;
	case F_OS: if (x->os) { v->type = XSM_EV_STR; v->str = x->os; } break;
	case F_CVSS: if (x->has_cvss) { v->type = XSM_EV_NUM; v->num = x->cvss; } break;
	case F_EXPOSED: v->type = XSM_EV_BOOL; v->b = x->exposed; break;
	case F_ROLES: v->type = XSM_EV_STRS; v->n = ids_of(x->roles, idbuf); v->ids = idbuf; v->pool = pool; break;
	}
}

static const struct item items[] = {
	{ "device", "web01", { "device", "compute", NULL }, "linux", 9.8, 1, 1, { NULL } },
	{ "device", "DC01", { "device", "server", NULL }, "windows", 5.0, 1, 0, { NULL } },
	{ "user", "alice", { "identity", NULL }, NULL, 0, 0, 0, { "Global Administrator", NULL } },
};

static const xsm__expr_host host = { host_resolve, host_get, NULL };

/* expected match bits: item0, item1, item2 */
static const struct {
	const char *text;
	const char *want;
} cases[] = {
	{ "label == \"device\"", "110" },
	{ "label != \"device\"", "001" },
	{ "name ~ \"^WEB\"", "100" },
	{ "name !~ \"^web\"", "011" },
	{ "props.cvss >= 9", "100" },
	{ "props.cvss < 9", "010" },
	{ "props.cvss > \"4.5\"", "110" },
	{ "props.cvss == null", "001" },
	{ "props.cvss != null", "110" },
	{ "props.osType == \"linux\" or props.osType == \"windows\"", "110" },
	{ "props.osType != \"linux\"", "011" },
	{ "props.missing == null", "111" },
	{ "props.missing != 1", "111" },
	{ "props.missing == 1", "000" },
	{ "props.unknownToHost", "000" },
	{ "exists props.osType", "110" },
	{ "not exists props.osType", "001" },
	{ "props.exposedToInternet", "100" },
	{ "props.exposedToInternet == true", "100" },
	{ "not props.exposedToInternet", "011" },
	{ "categories == \"compute\"", "100" },
	{ "categories contains \"device\"", "110" },
	{ "categories != \"device\"", "001" },
	{ "categories ~ \"^serv\"", "010" },
	{ "categories in [\"identity\", \"server\"]", "011" },
	{ "label in [\"user\", \"group\"]", "001" },
	{ "props.assignedRoles contains \"Global Administrator\"", "001" },
	{ "props.assignedRoles", "001" },
	{ "name contains \"01\"", "110" },
	{ "name startswith \"DC\"", "010" },
	{ "name endswith \"ce\"", "001" },
	{ "label == \"device\" and props.cvss > 5 or label == \"user\"", "101" },
	{ "label == \"device\" and (props.cvss > 5 or label == \"user\")", "100" },
	{ "not label == \"device\" and not label == \"group\"", "001" },
	{ "NOT (label == \"device\") OR name == \"web01\"", "101" },
	{ "true", "111" },
	{ "name == \"a\\\"b\"", "000" },
	{ "props.cvss == 9.8", "100" },
	{ "props.cvss == -1", "000" },
};

static void test_cases(void)
{
	xsm_ctx *ctx;
	xsm_ctx_new(&ctx);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xsm__expr *e = NULL;
		char got[4] = "???";
		if (xsm__expr_compile(&e, ctx, cases[i].text, &host) < 0) {
			ok(0, "compile %s: %s", cases[i].text, xsm_ctx_errmsg(ctx));
			continue;
		}
		for (int k = 0; k < 3; k++)
			got[k] = xsm__expr_eval(e, &items[k]) ? '1' : '0';
		is_str(got, cases[i].want, "%s", cases[i].text);
		xsm__expr_free(e);
	}
	xsm_ctx_free(ctx);
}

static const struct {
	const char *text, *msg;
} errors[] = {
	{ "", "col 1: empty expression" },
	{ "label == ", "col 10: expected an operand after '=='" },
	{ "foo == 1", "col 1: unknown field 'foo'" },
	{ "label == \"x", "col 10: unterminated string" },
	{ "label ~ \"(\"", "col 7: invalid regular expression" },
	{ "label in \"x\"", "col 7: 'in' needs a list" },
	{ "(label == \"a\"", "col 14: expected ')'" },
	{ "label == \"a\" label", "col 14: unexpected 'label'" },
	{ "label == 1x", "col 10: bad number" },
	{ "label == \"a\" and", "col 17: expected an operand" },
	{ "label # 1", "col 7: unexpected character '#'" },
	{ "label in [1, ", "col 14: expected a value" },
	{ "exists 1", "col 8: 'exists' needs a field" },
	{ "\"x\"", "col 4: expected an operator after a value" },
	{ "props.a..b == 1", "col 1: bad field name" },
};

static void test_errors(void)
{
	xsm_ctx *ctx;
	xsm__expr *e;
	char *deep, *longs, *list;
	size_t i;

	xsm_ctx_new(&ctx);
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		e = NULL;
		int rc = xsm__expr_compile(&e, ctx, errors[i].text, &host);
		ok(rc == XSM_EINVALID && !strncmp(xsm_ctx_errmsg(ctx), errors[i].msg, strlen(errors[i].msg)),
		   "error for '%s': %s", errors[i].text, xsm_ctx_errmsg(ctx));
		xsm__expr_free(e);
	}
	/* limits */
	deep = malloc(400);
	memset(deep, '(', 200);
	strcpy(deep + 200, "true");
	memset(deep + 204, ')', 195);
	deep[399] = 0;
	ok(xsm__expr_compile(&e, ctx, deep, &host) == XSM_EINVALID && strstr(xsm_ctx_errmsg(ctx), "nesting"),
	   "deep nesting refused: %s", xsm_ctx_errmsg(ctx));
	memset(deep, ' ', 100);
	for (i = 0; i < 100; i++)
		memcpy(deep + i * 4, "not ", 4);
	strcpy(deep + 396, "1");
	ok(xsm__expr_compile(&e, ctx, deep, &host) == XSM_EINVALID, "deep 'not' chain refused");
	free(deep);
	longs = malloc(70000);
	memset(longs, ' ', 69999);
	longs[69999] = 0;
	ok(xsm__expr_compile(&e, ctx, longs, &host) == XSM_EINVALID && strstr(xsm_ctx_errmsg(ctx), "longer"),
	   "over-long text refused");
	free(longs);
	list = malloc(5000 * 4 + 32);
	strcpy(list, "label in [");
	for (i = 0; i < 5000; i++)
		strcat(list, "1, ");
	strcat(list, "1]");
	ok(xsm__expr_compile(&e, ctx, list, &host) == XSM_EINVALID && strstr(xsm_ctx_errmsg(ctx), "list longer"),
	   "over-long list refused");
	free(list);
	xsm_ctx_free(ctx);
}

static void test_fields(void)
{
	xsm_ctx *ctx;
	xsm__expr *e;
	const int *f;
	size_t n;
	xsm_ctx_new(&ctx);
	ok(xsm__expr_compile(&e, ctx, "label == \"a\" or label == \"b\" and props.cvss > 1 and props.zzz", &host) == 0,
	   "compile for fields");
	f = xsm__expr_fields(e, &n);
	ok(n == 2 && f[0] == F_LABEL && f[1] == F_CVSS, "fields read, unknown ones left out (%zu)", n);
	xsm__expr_free(e);
	xsm_ctx_free(ctx);
}

int main(void)
{
	test_cases();
	test_errors();
	test_fields();
	return done_testing();
}
