/* test_expr.c - the expression language over a small in-test host */
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "analysis/expr.h"

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

/* the strings above as the pool an expression's string arrays index (addresses: base 0) */
static uint64_t pool_at[8];
static xsm__strpool spool;

static const xsm__strpool *str_pool(void)
{
	if (!spool.at) {
		for (size_t k = 0; pool[k]; k++)
			pool_at[k] = (uint64_t)(uintptr_t)pool[k];
		spool.at = pool_at;
		spool.n = 7;
	}
	return &spool;
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
	case F_CATS: v->type = XSM_EV_STRS; v->n = ids_of(x->cats, idbuf); v->ids = idbuf; v->pool = str_pool(); break;
	case F_OS: if (x->os) { v->type = XSM_EV_STR; v->str = x->os; } break;
	case F_CVSS: if (x->has_cvss) { v->type = XSM_EV_NUM; v->num = x->cvss; } break;
	case F_EXPOSED: v->type = XSM_EV_BOOL; v->b = x->exposed; break;
	case F_ROLES: v->type = XSM_EV_STRS; v->n = ids_of(x->roles, idbuf); v->ids = idbuf; v->pool = str_pool(); break;
	}
}

static const struct item items[] = {
	{ "device", "web01", { "device", "compute", NULL }, "linux", 9.8, 1, 1, { NULL } },
	{ "device", "DC01", { "device", "server", NULL }, "windows", 5.0, 1, 0, { NULL } },
	{ "user", "alice", { "identity", NULL }, NULL, 0, 0, 0, { "Global Administrator", NULL } },
};

/*
 * Relations over the three items: web01 is a member of DC01, DC01 of
 * alice (a chain two deep); DC01 is frequently logged in by alice.
 */
static const int member_of[3] = { 1, 2, -1 }, logged_by[3] = { -1, 2, -1 };

static int idx(const void *it)
{
	return (int)((const struct item *)it - items);
}

static int host_relate(void *h, int rel, int (*match)(const void *, const void *), const void *arg, void **set)
{
	char *in = calloc(3, 1);
	(void)h;
	for (int i = 0; in && i < 3; i++) {
		if (rel == XSM_REL_LOGGED_ON_BY) {
			in[i] = logged_by[i] >= 0 && match(arg, &items[logged_by[i]]);
			continue;
		}
		for (int j = member_of[i], hops = 0; j >= 0 && hops < 3 && !in[i]; j = member_of[j], hops++)
			in[i] = (char)match(arg, &items[j]);
	}
	*set = in;
	return in ? 0 : XSM_ENOMEM;
}

static int host_in_set(void *h, const void *set, const void *it)
{
	(void)h;
	return ((const char *)set)[idx(it)];
}

static const void *host_witness(void *h, int rel, const void *set, const void *it,
				void (*step)(void *, const void *), void *arg)
{
	int i = idx(it);
	(void)h;
	(void)set;
	step(arg, it);
	if (rel == XSM_REL_LOGGED_ON_BY) {
		step(arg, &items[logged_by[i]]);
		return &items[logged_by[i]];
	}
	for (i = member_of[i]; member_of[i] >= 0; i = member_of[i])
		step(arg, &items[i]);
	step(arg, &items[i]);
	return &items[i];
}

static void host_set_free(void *h, void *set)
{
	(void)h;
	free(set);
}

static const xsm__expr_host host = { .resolve = host_resolve, .get = host_get, .relate = host_relate,
				     .in_set = host_in_set, .witness = host_witness, .set_free = host_set_free };

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
	{ "memberOf(\"alice\")", "110" },
	{ "memberOf(\"DC01\")", "100" },
	{ "memberOf(\"web01\")", "000" },
	{ "memberOf(label == \"device\")", "100" },
	{ "memberOf(props.assignedRoles contains \"Global Administrator\")", "110" },
	{ "not memberOf(true)", "001" },
	{ "MEMBEROF ( \"alice\" ) and label == \"device\"", "110" },
	{ "loggedOnBy(name == \"alice\")", "010" },
	{ "loggedOnBy(memberOf(true))", "000" },
	{ "props.memberOf contains \"alice\"", "110" },
	{ "props.memberOf == \"alice\"", "110" },
	{ "props.memberOf ~ \"^dc\"", "100" },
	{ "props.memberOf != \"alice\"", "001" },
	{ "props.memberOf !~ \"^dc\"", "011" },
	{ "exists props.memberOf", "110" },
	{ "props.memberOf", "110" },
	{ "props.memberOfRoles contains \"Global Administrator\"", "110" },
	{ "exists props.memberOfRoles", "110" },
	{ "props.loggedOnByPrivileged contains \"Global Administrator\"", "010" },
	{ "props.loggedOnByPrivileged contains \"DC01\"", "000" },
	{ "exists props.loggedOnByPrivileged", "010" },
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
	{ "label ~ \"(\"", "col 10: invalid regular expression: unmatched '('" },
	/* the column of the fault inside the pattern, past the escapes before it */
	{ "name ~ \"\\\"(a*)\\\\1b\"", "col 15: invalid regular expression: back-references (\\1) are not supported" },
	{ "name ~ \"((a{1,100}){1,100}){1,100}\"", "col 9: invalid regular expression: too complex" },
	{ "name !~ \"a{1001}\"", "col 11: invalid regular expression: repeat count over 1000" },
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
	{ "memberOf(\"x\"", "col 13: expected ')' to close memberOf(" },
	{ "memberOf(\"x\" == name)", "col 14: expected ')' to close memberOf(" },
	{ "nestedIn(\"x\")", "col 1: unknown function 'nestedIn'" },
	{ "memberOf()", "col 10: expected an operand" },
	{ "props.memberOf ~ \"(\"", "col 19: invalid regular expression" },
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

static void explained(void *arg, int rel, const void *const *chain, size_t n)
{
	char *out = arg;
	strcat(out, xsm__expr_rel_name(rel));
	for (size_t k = 0; k < n; k++) {
		strcat(out, k ? ">" : ":");
		strcat(out, ((const struct item *)chain[k])->name);
	}
	strcat(out, ";");
}

static void test_explain(void)
{
	xsm_ctx *ctx;
	xsm__expr *e = NULL;
	char out[256] = "";
	xsm_ctx_new(&ctx);
	ok(xsm__expr_compile(&e, ctx, "label == \"user\" or memberOf(\"alice\")", &host) == 0, "compile to explain");
	xsm__expr_explain(e, &items[0], explained, out);
	is_str(out, "memberOf:web01>DC01>alice;", "the chain through the groups");
	out[0] = 0;
	xsm__expr_explain(e, &items[2], explained, out);
	is_str(out, "", "nothing to explain where no relation holds");
	xsm__expr_free(e);
	ok(xsm__expr_compile(&e, ctx, "props.loggedOnByPrivileged contains \"Global Administrator\"", &host) == 0,
	   "compile a legacy field");
	out[0] = 0;
	xsm__expr_explain(e, &items[1], explained, out);
	is_str(out, "loggedOnBy:DC01>alice;", "the device, then who logs on to it");
	xsm__expr_free(e);
	xsm_ctx_free(ctx);
}

int main(void)
{
	str_pool(); /* made before the threads that evaluate */
	test_cases();
	test_explain();
	test_errors();
	test_fields();
	return done_testing();
}
