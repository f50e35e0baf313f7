/* test_access.c - the role table, its two profiles, grants, scopes and the audit log, through the library API */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "exposure.h"

static xsm_ctx *ctx;
static xsm_config *cfg;
static xsm_store *st;

static void open_store(const char *profile)
{
	char data[512], dir[512];
	xsm_store_free(st);
	xsm_config_free(cfg);
	snprintf(data, sizeof(data), "%s/config", getenv("XSM_TOP") ? getenv("XSM_TOP") : ".");
	snprintf(dir, sizeof(dir), "%s/store", tap_tmpdir());
	xsm_config_load(&cfg, ctx, NULL, NULL);
	xsm_config_set(cfg, "data.dir", data, "test");
	if (profile)
		xsm_config_set(cfg, "access.profile", profile, "test");
	xsm_ctx_set_config(ctx, cfg);
	if (xsm_store_open(&st, ctx, dir, XSM_STORE_CREATE | XSM_STORE_WRITE) < 0)
		diag("store: %s", xsm_ctx_errmsg(ctx));
}

/* the table: action, then GA GR SA SO SR */
static const struct {
	const char *action, *seed, *later;
} table[] = {
	{ "access.grant", "Y----", "Y----" },
	{ "connect.manage", "Y-YY-", "Y-YY-" },
	{ "connect.view", "YYYYY", "YYYYY" },
	{ "insights.target", "Y----", "Y-Y--" },
	{ "insights.weight", "Y----", "Y-Y--" },
	{ "insights.recommendations", "Y-Y--", "Y-Y--" },
	{ "insights.view", "YYYYY", "YYYYY" },
	{ "critical.level", "YYYYY", "Y-YY-" },
	{ "critical.rule.edit", "Y-Y--", "Y-Y--" },
	{ "critical.rule.toggle", "Y-YY-", "Y-YY-" },
	{ "graph.query", "YYYYY", "YYYYY" },
};
static const char *roles[] = { "global-admin", "global-reader", "security-admin", "security-operator", "security-reader" };

static void test_profiles(void)
{
	xsm_access *a = NULL;
	for (int p = 0; p < 2; p++) {
		open_store(p ? "later" : NULL);
		ok_xsm(xsm_access_load(&a, st), ctx, "load the table (%s)", p ? "later" : "default");
		is_str(xsm_access_profile(a), p ? "later" : "seed", "profile");
		is_str(xsm_access_scope_mode(a), p ? "in-scope-paths" : "no-paths", "how a scope shows paths");
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
			char got[6] = "";
			for (int r = 0; r < 5; r++)
				got[r] = xsm_access_allows(a, roles[r], table[i].action) == 1 ? 'Y' : '-';
			is_str(got, p ? table[i].later : table[i].seed, "%s: %s", p ? "later" : "seed", table[i].action);
		}
		is_int(xsm_access_allows(a, "global-admin", "no.such"), XSM_ENOTFOUND, "unknown action");
		is_str(xsm_access_role_find(a, "SA"), "security-admin", "short form");
		is_str(xsm_access_role_find(a, "security operator"), "security-operator", "name, case aside");
		ok(!xsm_access_role_find(a, "root"), "no such role");
		xsm_access_free(a);
		a = NULL;
	}
	open_store("nonesuch");
	is_int(xsm_access_load(&a, st), XSM_ECONFIG, "an unknown profile is a configuration error");
	ok(strstr(xsm_ctx_errmsg(ctx), "nonesuch") != NULL, "naming it: %s", xsm_ctx_errmsg(ctx));
}

static void test_grants(void)
{
	xsm_access *a = NULL;
	xsm_buf scope = XSM_BUF_INIT, why = XSM_BUF_INIT;
	const char *groups[] = { "staff", "soc" };
	xsm_principal alice = { "alice", groups, 2, 0 }, bob = { "bob", NULL, 0, 0 }, owner = { "svc", NULL, 0, 1 };
	const char *who, *role, *sc;

	open_store(NULL);
	ok_xsm(xsm_access_load(&a, st), ctx, "load");
	is_int(xsm_access_check(a, &bob, "graph.query", &scope, &why), 0, "no grant, no query");
	ok(strstr(why.ptr, "bob has no role") != NULL, "why: %s", why.ptr);
	is_int(xsm_access_check(a, &owner, "access.grant", &scope, &why), 1, "the owner holds every role");
	ok_xsm(xsm_access_grant(a, st, "@soc", "SO", NULL), ctx, "grant a group");
	ok_xsm(xsm_access_grant(a, st, "bob", "security-reader", "tag:paris"), ctx, "grant with a scope");
	is_int(xsm_access_grant(a, st, "bob", "janitor", NULL), XSM_EUSAGE, "unknown role");
	is_int(xsm_access_grant(a, st, "bob;rm", "GA", NULL), XSM_EUSAGE, "a name that is no user name");
	is_int(xsm_access_grant(a, st, "bob", "GA", "name ~~ x"), XSM_EINVALID, "a bad scope expression");
	is_int(xsm_access_check(a, &alice, "critical.rule.toggle", &scope, &why), 1, "through the group");
	is_int(scope.size, 0, "unscoped");
	is_int(xsm_access_check(a, &alice, "critical.rule.edit", &scope, &why), 0, "SO may not add rules");
	ok(strstr(why.ptr, "needs Global Admin or Security Admin") != NULL, "why: %s", why.ptr);
	is_int(xsm_access_check(a, &bob, "graph.query", &scope, &why), 1, "a scoped reader queries");
	is_str(scope.ptr, "(props.tags contains \"paris\")", "within the scope");
	is_int(xsm_access_check(a, &bob, "critical.level", &scope, &why), 0, "a scoped grant changes nothing");
	ok(strstr(why.ptr, "without a scope") != NULL, "why: %s", why.ptr);
	xsm_access_free(a);
	a = NULL;
	/* what was written reads back */
	ok_xsm(xsm_access_load(&a, st), ctx, "reload");
	ok_xsm(xsm_access_grant_get(a, 1, &who, &role, &sc), ctx, "second grant");
	ok(!strcmp(who, "bob") && !strcmp(role, "security-reader") && !strcmp(sc, "tag:paris"), "bob, reader, tag:paris");
	ok_xsm(xsm_access_revoke(a, st, "bob", NULL), ctx, "revoke");
	is_int(xsm_access_revoke(a, st, "bob", NULL), XSM_ENOTFOUND, "nothing left to revoke");
	is_int(xsm_access_grant_get(a, 1, &who, &role, &sc), XSM_ITEROVER, "one grant left");
	xsm_access_free(a);
	xsm_buf_dispose(&scope);
	xsm_buf_dispose(&why);
}

struct seen {
	int n, grants, revokes;
	char last_user[32];
};

static int audit_cb(const xsm_audit_entry *e, void *payload)
{
	struct seen *s = payload;
	s->n++;
	s->grants += e->action && !strcmp(e->action, "access.grant");
	s->revokes += e->action && !strcmp(e->action, "access.revoke") && e->has_change && e->after && !*e->after;
	snprintf(s->last_user, sizeof(s->last_user), "%s", e->user ? e->user : "");
	return 0;
}

static void test_audit(void)
{
	struct seen s;
	xsm_access *a = NULL;

	open_store(NULL);
	memset(&s, 0, sizeof(s));
	ok_xsm(xsm_audit_list(st, 0, NULL, NULL, audit_cb, &s), ctx, "read the log");
	is_int(s.grants, 2, "both grants");
	is_int(s.revokes, 1, "the revoke, with nothing after");
	ok_xsm(xsm_ctx_set_actor(ctx, "carol"), ctx, "act for carol");
	ok_xsm(xsm_access_load(&a, st), ctx, "load");
	ok_xsm(xsm_access_grant(a, st, "dave", "GR", NULL), ctx, "carol grants");
	memset(&s, 0, sizeof(s));
	ok_xsm(xsm_audit_list(st, 0, "carol", "access", audit_cb, &s), ctx, "by user and action");
	is_int(s.n, 1, "one entry by carol");
	is_str(s.last_user, "carol", "named as the actor, not the process's user");
	xsm_ctx_set_actor(ctx, NULL);
	xsm_access_free(a);
}

int main(void)
{
	if (xsm_ctx_new(&ctx) < 0)
		return 1;
	test_profiles();
	test_grants();
	test_audit();
	xsm_store_free(st);
	xsm_config_free(cfg);
	xsm_ctx_free(ctx);
	return done_testing();
}
