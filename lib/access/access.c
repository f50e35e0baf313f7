/* access.c - the role table, profiles and grants of a shared store. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "adapt/yaml.h"
#include "analysis/expr.h"
#include "ctx.h"
#include "exposure/access.h"
#include "exposure/config.h"
#include "exposure/jsonw.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#ifndef XSM_DATADIR
#define XSM_DATADIR "/usr/local/share/xsm"
#endif

#define MAX_ROLES 16
#define MAX_ACTIONS 64

struct role {
	char *id, *name, *shortname;
};

struct action {
	char *id, *desc;
	int change;
	unsigned allow; /* bit i: role i may */
};

struct grant {
	char *who, *role, *scope;
};

struct xsm_access {
	xsm_ctx *ctx;
	char *profile, *scope_mode;
	XSM__VEC(struct role) roles;
	XSM__VEC(struct action) actions;
	XSM__VEC(struct grant) grants;
};

static void grant_dispose(struct grant *g)
{
	xsm__free(g->who);
	xsm__free(g->role);
	xsm__free(g->scope);
}

void xsm_access_free(xsm_access *a)
{
	size_t i;
	if (!a)
		return;
	for (i = 0; i < a->roles.n; i++) {
		xsm__free(a->roles.v[i].id);
		xsm__free(a->roles.v[i].name);
		xsm__free(a->roles.v[i].shortname);
	}
	for (i = 0; i < a->actions.n; i++) {
		xsm__free(a->actions.v[i].id);
		xsm__free(a->actions.v[i].desc);
	}
	for (i = 0; i < a->grants.n; i++)
		grant_dispose(&a->grants.v[i]);
	xsm__vec_free(&a->roles);
	xsm__vec_free(&a->actions);
	xsm__vec_free(&a->grants);
	xsm__free(a->profile);
	xsm__free(a->scope_mode);
	xsm__free(a);
}

static char *dup_or_empty(const char *s)
{
	return xsm__strdup(s ? s : "");
}

static int role_index(const xsm_access *a, const char *id)
{
	for (size_t i = 0; i < a->roles.n; i++)
		if (!strcmp(a->roles.v[i].id, id))
			return (int)i;
	return -1;
}

static struct action *find_action(const xsm_access *a, const char *id)
{
	for (size_t i = 0; i < a->actions.n; i++)
		if (!strcmp(a->actions.v[i].id, id))
			return &a->actions.v[i];
	return NULL;
}

static int load_table(xsm_access *a, const char *path, const xsm__ynode *root)
{
	const xsm__ynode *roles, *actions, *profiles, *prof, *allow;
	const char *want = NULL, *mode;
	const xsm_config *cfg = xsm_ctx_config(a->ctx);
	size_t i, j;
	int rc;

	if ((rc = xsm__yaml_check(a->ctx, path, root, "the document", "roles=l actions=l profiles=m")) < 0)
		return rc;
	roles = xsm__yaml_get(root, "roles");
	actions = xsm__yaml_get(root, "actions");
	profiles = xsm__yaml_get(root, "profiles");
	if (!roles || !actions || !profiles)
		return xsm__yaml_error(a->ctx, path, root, "expected 'roles', 'actions' and 'profiles'");
	if (roles->n > MAX_ROLES)
		return xsm__yaml_error(a->ctx, path, roles, "at most %d roles", MAX_ROLES);
	for (i = 0; i < roles->n; i++) {
		const xsm__ynode *r = roles->items[i];
		struct role ro;
		if ((rc = xsm__yaml_check(a->ctx, path, r, "a role", "id=s name=s short=s")) < 0)
			return rc;
		if (!xsm__yaml_getstr(r, "id"))
			return xsm__yaml_error(a->ctx, path, r, "a role needs an 'id'");
		ro.id = xsm__strdup(xsm__yaml_getstr(r, "id"));
		ro.name = dup_or_empty(xsm__yaml_getstr(r, "name") ? xsm__yaml_getstr(r, "name") : ro.id);
		ro.shortname = dup_or_empty(xsm__yaml_getstr(r, "short"));
		if (!ro.id || !ro.name || !ro.shortname || xsm__vec_push(&a->roles, ro) < 0) {
			xsm__free(ro.id);
			xsm__free(ro.name);
			xsm__free(ro.shortname);
			return xsm__error_oom(a->ctx);
		}
	}
	if (actions->n > MAX_ACTIONS)
		return xsm__yaml_error(a->ctx, path, actions, "at most %d actions", MAX_ACTIONS);
	for (i = 0; i < actions->n; i++) {
		const xsm__ynode *n = actions->items[i];
		struct action ac = { 0 };
		const char *ch;
		if ((rc = xsm__yaml_check(a->ctx, path, n, "an action", "id=s description=s commands=s change=s")) < 0)
			return rc;
		if (!xsm__yaml_getstr(n, "id"))
			return xsm__yaml_error(a->ctx, path, n, "an action needs an 'id'");
		ch = xsm__yaml_getstr(n, "change");
		ac.change = ch && !strcmp(ch, "true");
		ac.id = xsm__strdup(xsm__yaml_getstr(n, "id"));
		ac.desc = dup_or_empty(xsm__yaml_getstr(n, "description"));
		if (!ac.id || !ac.desc || xsm__vec_push(&a->actions, ac) < 0) {
			xsm__free(ac.id);
			xsm__free(ac.desc);
			return xsm__error_oom(a->ctx);
		}
	}
	if (cfg)
		want = xsm_config_get(cfg, "access.profile");
	if (!want || !*want)
		want = "seed";
	if (!(prof = xsm__yaml_get(profiles, want)))
		return xsm__error_set(a->ctx, XSM_ECONFIG, "%s: no access profile '%s' (access.profile)", path, want);
	if ((rc = xsm__yaml_check(a->ctx, path, prof, "a profile", "description=s scope=s allow=m")) < 0)
		return rc;
	mode = xsm__yaml_getstr(prof, "scope");
	if (!mode)
		mode = "no-paths";
	if (strcmp(mode, "no-paths") && strcmp(mode, "in-scope-paths"))
		return xsm__yaml_error(a->ctx, path, xsm__yaml_get(prof, "scope"),
				       "scope must be no-paths or in-scope-paths, not '%s'", mode);
	if (!(a->profile = xsm__strdup(want)) || !(a->scope_mode = xsm__strdup(mode)))
		return xsm__error_oom(a->ctx);
	if (!(allow = xsm__yaml_get(prof, "allow")) || allow->type != XSM_Y_MAP)
		return xsm__yaml_error(a->ctx, path, prof, "a profile needs an 'allow' mapping");
	for (i = 0; i + 1 < allow->n; i += 2) {
		const xsm__ynode *k = allow->items[i], *v = allow->items[i + 1];
		struct action *ac = k->type == XSM_Y_SCALAR ? find_action(a, k->scalar) : NULL;
		if (!ac)
			return xsm__yaml_error(a->ctx, path, k, "unknown action '%s'",
					       k->type == XSM_Y_SCALAR ? k->scalar : "?");
		if (v->type != XSM_Y_SEQ)
			return xsm__yaml_error(a->ctx, path, v, "expected a list of roles");
		for (j = 0; j < v->n; j++) {
			int r = v->items[j]->type == XSM_Y_SCALAR ? role_index(a, v->items[j]->scalar) : -1;
			if (r < 0)
				return xsm__yaml_error(a->ctx, path, v->items[j], "unknown role '%s'",
						       v->items[j]->type == XSM_Y_SCALAR ? v->items[j]->scalar : "?");
			ac->allow |= 1u << r;
		}
	}
	return 0;
}

static int load_grants(xsm_access *a, const char *path)
{
	xsm__ynode *root = NULL;
	const xsm__ynode *l;
	size_t i;
	int rc;

	if ((rc = xsm__yaml_load_opt(&root, a->ctx, path)) < 0 || !root)
		return rc;
	if ((rc = xsm__yaml_check(a->ctx, path, root, "the document", "grants=l")) < 0)
		goto done;
	if ((l = xsm__yaml_get(root, "grants")) && l->type == XSM_Y_SEQ)
		for (i = 0; i < l->n && rc == 0; i++) {
			const xsm__ynode *n = l->items[i];
			struct grant g;
			if ((rc = xsm__yaml_check(a->ctx, path, n, "a grant", "who=s role=s scope=s")) < 0)
				break;
			if (!xsm__yaml_getstr(n, "who") || !xsm__yaml_getstr(n, "role")) {
				rc = xsm__yaml_error(a->ctx, path, n, "a grant needs 'who' and 'role'");
				break;
			}
			if (role_index(a, xsm__yaml_getstr(n, "role")) < 0) {
				rc = xsm__yaml_error(a->ctx, path, n, "unknown role '%s'", xsm__yaml_getstr(n, "role"));
				break;
			}
			g.who = xsm__strdup(xsm__yaml_getstr(n, "who"));
			g.role = xsm__strdup(xsm__yaml_getstr(n, "role"));
			g.scope = dup_or_empty(xsm__yaml_getstr(n, "scope"));
			if (!g.who || !g.role || !g.scope || xsm__vec_push(&a->grants, g) < 0) {
				grant_dispose(&g);
				rc = xsm__error_oom(a->ctx);
			}
		}
done:
	xsm__yaml_free(root);
	return rc;
}

int xsm_access_load(xsm_access **out, xsm_store *store)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	const xsm_config *cfg = xsm_ctx_config(ctx);
	const char *dir = cfg ? xsm_config_get(cfg, "data.dir") : NULL;
	xsm_access *a = xsm__calloc(1, sizeof(*a));
	xsm_buf path = XSM_BUF_INIT;
	xsm__ynode *root = NULL;
	int rc;

	*out = NULL;
	if (!a)
		return xsm__error_oom(ctx);
	a->ctx = ctx;
	/* the store's own table replaces the shipped one whole */
	if (xsm_buf_printf(&path, "%s/roles.yaml", xsm_store_path(store)) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if ((rc = xsm__yaml_load_opt(&root, ctx, path.ptr)) < 0)
		goto done;
	if (!root) {
		xsm_buf_clear(&path);
		if (xsm_buf_printf(&path, "%s/roles.yaml", dir && *dir ? dir : XSM_DATADIR) < 0) {
			rc = xsm__error_oom(ctx);
			goto done;
		}
		rc = xsm__yaml_load(&root, ctx, path.ptr);
		if (rc == XSM_ENOTFOUND)
			rc = xsm__error_set(ctx, XSM_ECONFIG, "cannot find the role table '%s' (set data.dir)", path.ptr);
		if (rc < 0)
			goto done;
	}
	if ((rc = load_table(a, path.ptr, root)) < 0)
		goto done;
	xsm_buf_clear(&path);
	if (xsm_buf_printf(&path, "%s/access.yaml", xsm_store_path(store)) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	rc = load_grants(a, path.ptr);
done:
	xsm__yaml_free(root);
	xsm_buf_dispose(&path);
	if (rc < 0)
		xsm_access_free(a);
	else
		*out = a;
	return rc;
}

const char *xsm_access_profile(const xsm_access *a)
{
	return a->profile;
}

const char *xsm_access_scope_mode(const xsm_access *a)
{
	return a->scope_mode;
}

const char *xsm_access_role_id(const xsm_access *a, size_t i)
{
	return i < a->roles.n ? a->roles.v[i].id : NULL;
}

const char *xsm_access_role_name(const xsm_access *a, size_t i)
{
	return i < a->roles.n ? a->roles.v[i].name : NULL;
}

const char *xsm_access_role_find(const xsm_access *a, const char *word)
{
	for (size_t i = 0; i < a->roles.n; i++) {
		const struct role *r = &a->roles.v[i];
		if (!strcasecmp(r->id, word) || !strcasecmp(r->name, word) || (*r->shortname && !strcasecmp(r->shortname, word)))
			return r->id;
	}
	return NULL;
}

const char *xsm_access_action_id(const xsm_access *a, size_t i)
{
	return i < a->actions.n ? a->actions.v[i].id : NULL;
}

const char *xsm_access_action_desc(const xsm_access *a, size_t i)
{
	return i < a->actions.n ? a->actions.v[i].desc : NULL;
}

int xsm_access_allows(const xsm_access *a, const char *role, const char *action)
{
	const struct action *ac = find_action(a, action);
	int r = role_index(a, role);
	if (!ac)
		return XSM_ENOTFOUND;
	return r >= 0 && (ac->allow >> r) & 1;
}

/* does grant g apply to p? */
static int grant_applies(const struct grant *g, const xsm_principal *p)
{
	if (g->who[0] == '@') {
		for (size_t i = 0; i < p->ngroups; i++)
			if (p->groups[i] && !strcmp(p->groups[i], g->who + 1))
				return 1;
		return 0;
	}
	return p->user && !strcmp(p->user, g->who);
}

/* "A", "A or B", "A, B or C" of the roles in mask */
static void role_list(xsm_buf *out, const xsm_access *a, unsigned mask)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < a->roles.n; i++)
		n += (mask >> i) & 1;
	for (size_t i = 0; i < a->roles.n; i++) {
		if (!((mask >> i) & 1))
			continue;
		if (k)
			xsm_buf_puts(out, k + 1 == n ? " or " : ", ");
		xsm_buf_puts(out, a->roles.v[i].name);
		k++;
	}
	if (!n)
		xsm_buf_puts(out, "no role");
}

int xsm_access_scope_expr(xsm_buf *out, xsm_ctx *ctx, const char *scope);

int xsm_access_check(const xsm_access *a, const xsm_principal *p, const char *action, xsm_buf *scope, xsm_buf *why)
{
	const struct action *ac = find_action(a, action);
	xsm_buf sc = XSM_BUF_INIT, held = XSM_BUF_INIT, one = XSM_BUF_INIT;
	int allowed = 0, unscoped = 0, scoped_only = 0;
	size_t i, nscopes = 0;

	if (!ac)
		return xsm__error_set(a->ctx, XSM_ENOTFOUND, "unknown action '%s'", action);
	if (scope)
		xsm_buf_clear(scope);
	if (p->owner)
		return 1;
	for (i = 0; i < a->grants.n; i++) {
		const struct grant *g = &a->grants.v[i];
		int r = role_index(a, g->role);
		if (!grant_applies(g, p) || r < 0)
			continue;
		if (held.size)
			xsm_buf_puts(&held, ", ");
		xsm_buf_puts(&held, a->roles.v[r].name);
		if (g->scope[0])
			xsm_buf_printf(&held, " (scope %s)", g->scope);
		if (!((ac->allow >> r) & 1))
			continue;
		if (!g->scope[0]) {
			unscoped = allowed = 1;
			continue;
		}
		if (ac->change) {
			scoped_only = 1;
			continue;
		}
		allowed = 1;
		if (nscopes++)
			xsm_buf_puts(&sc, " or ");
		if (xsm_access_scope_expr(&one, a->ctx, g->scope) < 0) {
			/* a grant whose scope no longer reads shows nothing rather than everything */
			xsm_ctx_clear(a->ctx);
			xsm_buf_set(&one, "false");
		}
		xsm_buf_printf(&sc, "(%s)", one.ptr);
	}
	if (allowed && !unscoped && scope)
		xsm_buf_puts(scope, sc.ptr ? sc.ptr : "");
	if (!allowed && why) {
		xsm_buf_clear(why);
		xsm_buf_puts(why, "needs ");
		role_list(why, a, ac->allow);
		if (scoped_only)
			xsm_buf_puts(why, " without a scope");
		xsm_buf_printf(why, "; %s has %s", p->user ? p->user : "?", held.size ? held.ptr : "no role");
	}
	xsm_buf_dispose(&sc);
	xsm_buf_dispose(&held);
	xsm_buf_dispose(&one);
	return allowed;
}

int xsm_access_grant_get(const xsm_access *a, size_t i, const char **who, const char **role, const char **scope)
{
	if (i >= a->grants.n)
		return XSM_ITEROVER;
	*who = a->grants.v[i].who;
	*role = a->grants.v[i].role;
	*scope = a->grants.v[i].scope;
	return 0;
}

int xsm_access_scope_expr(xsm_buf *out, xsm_ctx *ctx, const char *scope)
{
	xsm_buf_clear(out);
	if (!strncmp(scope, "tag:", 4)) {
		const char *t = scope + 4;
		if (!*t)
			return xsm__error_set(ctx, XSM_EINVALID, "scope 'tag:' needs a tag name");
		for (const char *c = t; *c; c++)
			if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
				return xsm__error_set(ctx, XSM_EINVALID, "bad tag name '%s'", t);
		if (xsm_buf_printf(out, "props.tags contains \"%s\"", t) < 0)
			return xsm__error_oom(ctx);
		return 0;
	}
	if (xsm__expr_check(ctx, scope) < 0)
		return xsm__error_prefix(ctx, "scope '%s'", scope);
	return xsm_buf_set(out, scope) < 0 ? xsm__error_oom(ctx) : 0;
}

/* who: a user or @group name as the system spells them */
static int name_ok(const char *who)
{
	const char *s = who[0] == '@' ? who + 1 : who;
	if (!*s || strlen(s) > 64 || *s == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-' || *s == '.' || (*s == '$' && !s[1])))
			return 0;
	return 1;
}

static int save(xsm_access *a, xsm_store *store)
{
	xsm_buf b = XSM_BUF_INIT;
	int rc;
	xsm_buf_puts(&b, "# access.yaml - grants of this shared store; change them with 'xsm access' (xsm-access(1))\n"
			 "grants:\n");
	for (size_t i = 0; i < a->grants.n; i++) {
		const struct grant *g = &a->grants.v[i];
		xsm_buf_puts(&b, "  - who: ");
		xsm__yaml_quote(&b, g->who);
		xsm_buf_puts(&b, "\n    role: ");
		xsm__yaml_quote(&b, g->role);
		if (g->scope[0]) {
			xsm_buf_puts(&b, "\n    scope: ");
			xsm__yaml_quote(&b, g->scope);
		}
		xsm_buf_putc(&b, '\n');
	}
	rc = b.ptr ? xsm_store_write(store, "access.yaml", b.ptr, b.size) : xsm__error_oom(a->ctx);
	xsm_buf_dispose(&b);
	return rc;
}

/* the grants of who as one line: "security-admin (scope X), global-reader" */
static void describe(xsm_buf *out, const xsm_access *a, const char *who)
{
	xsm_buf_clear(out);
	for (size_t i = 0; i < a->grants.n; i++) {
		const struct grant *g = &a->grants.v[i];
		if (strcmp(g->who, who))
			continue;
		if (out->size)
			xsm_buf_puts(out, ", ");
		xsm_buf_puts(out, g->role);
		if (g->scope[0])
			xsm_buf_printf(out, " (scope %s)", g->scope);
	}
}

int xsm_access_grant(xsm_access *a, xsm_store *store, const char *who, const char *role, const char *scope)
{
	xsm_buf before = XSM_BUF_INIT, after = XSM_BUF_INIT, expr = XSM_BUF_INIT;
	struct grant g = { 0 };
	const char *id;
	size_t i;
	int rc;

	if (!name_ok(who))
		return xsm__error_set(a->ctx, XSM_EUSAGE, "'%s' is not a user or @group name", who);
	if (!(id = xsm_access_role_find(a, role)))
		return xsm__error_set(a->ctx, XSM_EUSAGE, "unknown role '%s' (see 'xsm access list --roles')", role);
	if (scope && *scope && (rc = xsm_access_scope_expr(&expr, a->ctx, scope)) < 0)
		return rc;
	describe(&before, a, who);
	for (i = 0; i < a->grants.n; i++)
		if (!strcmp(a->grants.v[i].who, who) && !strcmp(a->grants.v[i].role, id))
			break;
	if (i < a->grants.n) {
		char *s = dup_or_empty(scope && *scope ? scope : NULL);
		if (!s) {
			rc = xsm__error_oom(a->ctx);
			goto done;
		}
		xsm__free(a->grants.v[i].scope);
		a->grants.v[i].scope = s;
	} else {
		g.who = xsm__strdup(who);
		g.role = xsm__strdup(id);
		g.scope = dup_or_empty(scope && *scope ? scope : NULL);
		if (!g.who || !g.role || !g.scope || xsm__vec_push(&a->grants, g) < 0) {
			grant_dispose(&g);
			rc = xsm__error_oom(a->ctx);
			goto done;
		}
	}
	describe(&after, a, who);
	if ((rc = save(a, store)) == 0)
		rc = xsm_store_audit_change(store, "access.grant", who, before.ptr ? before.ptr : "",
					    after.ptr ? after.ptr : "");
done:
	xsm_buf_dispose(&before);
	xsm_buf_dispose(&after);
	xsm_buf_dispose(&expr);
	return rc;
}

int xsm_access_revoke(xsm_access *a, xsm_store *store, const char *who, const char *role)
{
	xsm_buf before = XSM_BUF_INIT, after = XSM_BUF_INIT;
	const char *id = NULL;
	size_t i, k, gone = 0;
	int rc;

	if (role && !(id = xsm_access_role_find(a, role)))
		return xsm__error_set(a->ctx, XSM_EUSAGE, "unknown role '%s'", role);
	describe(&before, a, who);
	for (i = k = 0; i < a->grants.n; i++) {
		struct grant *g = &a->grants.v[i];
		if (!strcmp(g->who, who) && (!id || !strcmp(g->role, id))) {
			grant_dispose(g);
			gone++;
			continue;
		}
		a->grants.v[k++] = *g;
	}
	a->grants.n = k;
	if (!gone) {
		rc = xsm__error_set(a->ctx, XSM_ENOTFOUND, "'%s' has no %s%s", who, id ? id : "grant", id ? " grant" : "");
		goto done;
	}
	describe(&after, a, who);
	if ((rc = save(a, store)) == 0)
		rc = xsm_store_audit_change(store, "access.revoke", who, before.ptr ? before.ptr : "",
					    after.ptr ? after.ptr : "");
done:
	xsm_buf_dispose(&before);
	xsm_buf_dispose(&after);
	return rc;
}
