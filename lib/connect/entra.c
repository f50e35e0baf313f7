/*
 * connect/entra.c - Microsoft Entra ID over Microsoft Graph v1.0.
 *
 * First what becomes properties of principals, each kept in a small table:
 * directory role assignments (roleManagement, with the role's name:
 * props.assignedRoles, since roles are properties, not nodes), risky users
 * and leaked-credential detections from Identity Protection, and users'
 * last sign-in (signInActivity) - the last three only where the tenant is
 * licensed for them.  Then users and groups with delta queries (the group
 * round brings every membership in bulk as members@delta: "member of"
 * edges, nested groups included), service principals and managed
 * identities with their app role assignments ("has permissions to" the
 * resource's service principal), and applications with their owners (an
 * owner "can authenticate as" the application's service principal).
 * Paging follows @odata.nextLink.  Always a full sync (see xsm-connect(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect/msauth.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

static const xsm__ms_endpoint endpoints[] = {
	{ "users", "/v1.0/users?%24top=1&%24select=id", "User.Read.All" },
	{ "sign-in activity", "/v1.0/users?%24top=1&%24select=id,signInActivity", "AuditLog.Read.All" },
	{ "groups and memberships", "/v1.0/groups?%24top=1&%24select=id", "GroupMember.Read.All" },
	{ "directory roles", "/v1.0/roleManagement/directory/roleAssignments?%24top=1", "RoleManagement.Read.Directory" },
	{ "service principals and applications", "/v1.0/servicePrincipals?%24top=1&%24select=id", "Application.Read.All" },
	{ "risky users", "/v1.0/identityProtection/riskyUsers?%24top=1", "IdentityRiskyUser.Read.All" },
	{ "leaked credentials", "/v1.0/identityProtection/riskDetections?%24top=1", "IdentityRiskEvent.Read.All" },
	{ NULL, NULL, NULL },
};

/* what a principal gets from the side tables */
struct side {
	char *roles;             /* role names, sorted, '\n'-separated; NULL for none */
	char risk[16], state[32];
	char signin[21];
	unsigned char leaked;
};

struct en {
	xsm__conn *c;
	xsm__ms m;
	xsm__strmap ids;         /* object id -> index into side */
	struct side *side;
	size_t nside;
	xsm__strmap groups;      /* group ids emitted */
	xsm__strmap sps;         /* appId -> index into sp_ids */
	char **sp_ids;
	size_t nsp;
	xsm_buf url, tmp;
	const char *licence_skipped[3];
	size_t nskipped;
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

static struct side *side_of(struct en *e, const char *id, int create)
{
	uint64_t *slot, v;
	int created;

	if (!create)
		return xsm__strmap_get(&e->ids, id, strlen(id), &v) ? &e->side[v] : NULL;
	if (xsm__strmap_slot(&e->ids, id, strlen(id), &slot, &created) < 0)
		return NULL;
	if (created) {
		if (e->nside % 256 == 0) {
			struct side *g = xsm__reallocarray(e->side, e->nside + 256, sizeof(*g));
			if (!g)
				return NULL;
			e->side = g;
		}
		memset(&e->side[e->nside], 0, sizeof(e->side[0]));
		*slot = e->nside++;
	}
	return &e->side[*slot];
}

/* a licence the tenant lacks (not a permission the application lacks) */
static int unlicensed(const xsm__ms *m)
{
	return m->status == 403 && (strstr(m->code, "NonPremiumTenant") || strstr(m->code, "NotLicensed") ||
				    strstr(m->code, "Unlicensed") || strstr(m->code, "RequestFromUnsupportedUserRole"));
}

/* a side table read where the tenant has it: an unlicensed tenant skips it, a missing permission fails */
static int optional(struct en *e, const char *url, const char *what, const xsm__json_pick *pick,
		    int (*cb)(xsm__conn *, const xsm__json *, void *))
{
	int rc = xsm__ms_pages(&e->m, url, 0, xsm__ms_perm(endpoints, what), what, pick, cb, e);
	if (rc == XSM_EAUTH && unlicensed(&e->m)) {
		xsm__log(e->c->ctx, "%s: %s: not licensed in this tenant, skipped", e->c->name, what);
		xsm_ctx_clear(e->c->ctx);
		if (e->nskipped < 3)
			e->licence_skipped[e->nskipped++] = what;
		return 0;
	}
	return rc;
}

/* --- side tables --------------------------------------------------------------------- */

static const xsm__json_pick def_pick[] = { { "displayName", NULL }, { NULL, NULL } };
static const xsm__json_pick role_pick[] = { { "principalId", NULL }, { "roleDefinition", def_pick }, { NULL, NULL } };

static int add_role(char **roles, const char *name)
{
	size_t n = *roles ? strlen(*roles) : 0, k = strlen(name);
	const char *p;
	char *g;

	for (p = *roles; p && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0))
		if (strcspn(p, "\n") == k && !strncmp(p, name, k))
			return 0;
	if (!(g = xsm__realloc(*roles, n + k + 2)))
		return -1;
	if (n)
		g[n++] = '\n';
	memcpy(g + n, name, k + 1);
	*roles = g;
	return 0;
}

static int on_role(xsm__conn *c, const xsm__json *a, void *payload)
{
	struct en *e = payload;
	const char *who = jstr(a, "principalId"), *name = jstr(xsm__json_get(a, "roleDefinition"), "displayName");
	struct side *s;

	if (!*who || !*name)
		return 0;
	if (!(s = side_of(e, who, 1)) || add_role(&s->roles, name) < 0)
		return xsm__error_oom(c->ctx);
	return 0;
}

static const xsm__json_pick risky_pick[] = {
	{ "id", NULL }, { "riskLevel", NULL }, { "riskState", NULL }, { NULL, NULL }
};

static int on_risky(xsm__conn *c, const xsm__json *u, void *payload)
{
	struct en *e = payload;
	struct side *s;
	if (!*jstr(u, "id"))
		return 0;
	if (!(s = side_of(e, jstr(u, "id"), 1)))
		return xsm__error_oom(c->ctx);
	snprintf(s->risk, sizeof(s->risk), "%s", jstr(u, "riskLevel"));
	snprintf(s->state, sizeof(s->state), "%s", jstr(u, "riskState"));
	return 0;
}

static const xsm__json_pick detection_pick[] = { { "userId", NULL }, { "riskEventType", NULL }, { NULL, NULL } };

static int on_detection(xsm__conn *c, const xsm__json *d, void *payload)
{
	struct en *e = payload;
	struct side *s;
	if (!*jstr(d, "userId") || strcmp(jstr(d, "riskEventType"), "leakedCredentials"))
		return 0;
	if (!(s = side_of(e, jstr(d, "userId"), 1)))
		return xsm__error_oom(c->ctx);
	s->leaked = 1;
	return 0;
}

static const xsm__json_pick activity_pick[] = { { "lastSignInDateTime", NULL }, { NULL, NULL } };
static const xsm__json_pick signin_pick[] = { { "id", NULL }, { "signInActivity", activity_pick }, { NULL, NULL } };

static int on_signin(xsm__conn *c, const xsm__json *u, void *payload)
{
	struct en *e = payload;
	char t[21];
	struct side *s;

	xsm__norm_time(t, jstr(xsm__json_get(u, "signInActivity"), "lastSignInDateTime"));
	if (!t[0] || !*jstr(u, "id"))
		return 0;
	if (!(s = side_of(e, jstr(u, "id"), 1)))
		return xsm__error_oom(c->ctx);
	memcpy(s->signin, t, sizeof(t));
	return 0;
}

/* the side-table props of principal id */
static void side_props(struct en *e, const char *id, int user)
{
	xsm_jw *w = &e->c->jw;
	const struct side *s = side_of(e, id, 0);
	const char *p;

	if (!s)
		return;
	if (s->roles) {
		xsm_jw_key(w, "assignedRoles");
		xsm_jw_arr(w);
		for (p = s->roles; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0)) {
			xsm_buf_clear(&e->tmp);
			xsm_buf_put(&e->tmp, p, strcspn(p, "\n"));
			xsm_jw_str(w, e->tmp.ptr ? e->tmp.ptr : "");
		}
		xsm_jw_arr_end(w);
	}
	if (!user)
		return;
	if (s->leaked)
		xsm_jw_kbool(w, "hasLeakedCredentials", 1);
	if (s->risk[0] && strcmp(s->risk, "none") && strcmp(s->risk, "hidden"))
		xsm_jw_kstr(w, "riskLevel", s->risk);
	if (s->state[0] && strcmp(s->state, "none"))
		xsm_jw_kstr(w, "riskState", s->state);
	if (s->signin[0])
		xsm_jw_kstr(w, "lastSignIn", s->signin);
}

/* --- users and groups -------------------------------------------------------------------------- */

static const xsm__json_pick user_pick[] = {
	{ "id", NULL }, { "displayName", NULL }, { "userPrincipalName", NULL }, { "mail", NULL },
	{ "accountEnabled", NULL }, { "userType", NULL }, { "onPremisesSecurityIdentifier", NULL },
	{ "onPremisesSyncEnabled", NULL }, { "onPremisesSamAccountName", NULL }, { "@removed", NULL }, { NULL, NULL }
};

static int on_user(xsm__conn *c, const xsm__json *u, void *payload)
{
	struct en *e = payload;
	xsm_jw *w = &c->jw;
	const char *id = jstr(u, "id");
	const xsm__json *en = xsm__json_get(u, "accountEnabled");
	xsm__identity d;

	if (!*id || xsm__json_get(u, "@removed"))
		return 0; /* a full round lists no removals */
	memset(&d, 0, sizeof(d));
	d.label = "user";
	d.id = id;
	d.name = *jstr(u, "userPrincipalName") ? jstr(u, "userPrincipalName") : jstr(u, "displayName");
	d.aad_object_id = id;
	d.upn = jstr(u, "userPrincipalName");
	d.sid = jstr(u, "onPremisesSecurityIdentifier");
	d.email = jstr(u, "mail");
	xsm__conn_identity_begin(c, &d);
	if (*jstr(u, "displayName"))
		xsm_jw_kstr(w, "displayName", jstr(u, "displayName"));
	if (xsm__json_type(en) == XSM_J_BOOL)
		xsm_jw_kbool(w, "accountEnabled", xsm__json_bool(en));
	if (*jstr(u, "userType"))
		xsm_jw_kstr(w, "userType", jstr(u, "userType"));
	if (xsm__json_bool(xsm__json_get(u, "onPremisesSyncEnabled")))
		xsm_jw_kbool(w, "onPremisesSyncEnabled", 1);
	if (*jstr(u, "onPremisesSamAccountName"))
		xsm_jw_kstr(w, "samAccountName", jstr(u, "onPremisesSamAccountName"));
	side_props(e, id, 1);
	return xsm__conn_props_end(c);
}

static const xsm__json_pick group_pick[] = {
	{ "id", NULL }, { "displayName", NULL }, { "securityEnabled", NULL }, { "mailEnabled", NULL },
	{ "onPremisesSecurityIdentifier", NULL }, { "isAssignableToRole", NULL }, { "members@delta", NULL },
	{ "@removed", NULL }, { NULL, NULL }
};

static int on_group(xsm__conn *c, const xsm__json *g, void *payload)
{
	struct en *e = payload;
	xsm_jw *w = &c->jw;
	const char *id = jstr(g, "id");
	const xsm__json *mm;
	uint64_t *slot;
	int created, rc;

	if (!*id || xsm__json_get(g, "@removed"))
		return 0;
	/* a group with many members comes back on several pages: its asset once */
	if (xsm__strmap_slot(&e->groups, id, strlen(id), &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	if (created) {
		xsm__identity d;
		memset(&d, 0, sizeof(d));
		d.label = "group";
		d.id = id;
		d.name = jstr(g, "displayName");
		d.aad_object_id = id;
		d.sid = jstr(g, "onPremisesSecurityIdentifier");
		xsm__conn_identity_begin(c, &d);
		xsm_jw_kbool(w, "securityEnabled", xsm__json_bool(xsm__json_get(g, "securityEnabled")));
		if (xsm__json_bool(xsm__json_get(g, "isAssignableToRole")))
			xsm_jw_kbool(w, "isAssignableToRole", 1);
		side_props(e, id, 0);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	for (mm = xsm__json_child(xsm__json_get(g, "members@delta")); mm; mm = xsm__json_next(mm)) {
		const char *type = jstr(mm, "@odata.type"), *mid = jstr(mm, "id");
		if (!*mid || xsm__json_get(mm, "@removed") ||
		    (strcmp(type, "#microsoft.graph.user") && strcmp(type, "#microsoft.graph.group") &&
		     strcmp(type, "#microsoft.graph.servicePrincipal"))) {
			c->st.skipped += *mid ? 1 : 0; /* devices and contacts are not identities here */
			continue;
		}
		xsm__conn_relation_begin(c, "member of", mid, id);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

/* --- service principals and applications ---------------------------------------------------------------- */

static const xsm__json_pick sp_pick[] = {
	{ "id", NULL }, { "appId", NULL }, { "displayName", NULL }, { "servicePrincipalType", NULL },
	{ "accountEnabled", NULL }, { "appOwnerOrganizationId", NULL }, { "appRoleAssignments", NULL }, { NULL, NULL }
};

static int on_sp(xsm__conn *c, const xsm__json *p, void *payload)
{
	struct en *e = payload;
	xsm_jw *w = &c->jw;
	const char *id = jstr(p, "id"), *app = jstr(p, "appId");
	const xsm__json *a;
	xsm__identity d;
	int rc;

	if (!*id)
		return 0;
	memset(&d, 0, sizeof(d));
	d.label = !strcmp(jstr(p, "servicePrincipalType"), "ManagedIdentity") ? "managedidentity" : "serviceprincipal";
	d.id = id;
	d.name = jstr(p, "displayName");
	d.aad_object_id = id;
	xsm__conn_identity_begin(c, &d);
	if (*app)
		xsm_jw_kstr(w, "appId", app);
	if (*jstr(p, "servicePrincipalType"))
		xsm_jw_kstr(w, "servicePrincipalType", jstr(p, "servicePrincipalType"));
	xsm_jw_kbool(w, "accountEnabled", xsm__json_bool(xsm__json_get(p, "accountEnabled")));
	if (*jstr(p, "appOwnerOrganizationId"))
		xsm_jw_kbool(w, "firstParty", !strcmp(jstr(p, "appOwnerOrganizationId"), "f8cdef31-a31e-4b4a-93e4-5f571e91255a"));
	side_props(e, id, 0);
	if ((rc = xsm__conn_props_end(c)) < 0)
		return rc;
	if (*app) {
		char **g;
		if (!(g = xsm__reallocarray(e->sp_ids, e->nsp + 1, sizeof(*g))) || !(g[e->nsp] = xsm__strdup(id)))
			return xsm__error_oom(c->ctx);
		e->sp_ids = g;
		if (xsm__strmap_put(&e->sps, app, e->nsp++) < 0)
			return xsm__error_oom(c->ctx);
	}
	/* application permissions it holds on other services (Microsoft Graph's, say) */
	for (a = xsm__json_child(xsm__json_get(p, "appRoleAssignments")); a; a = xsm__json_next(a)) {
		if (!*jstr(a, "resourceId"))
			continue;
		xsm__conn_relation_begin(c, "has permissions to", id, jstr(a, "resourceId"));
		if (*jstr(a, "appRoleId"))
			xsm_jw_kstr(w, "appRoleId", jstr(a, "appRoleId"));
		if (*jstr(a, "resourceDisplayName"))
			xsm_jw_kstr(w, "resource", jstr(a, "resourceDisplayName"));
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

static const xsm__json_pick app_pick[] = {
	{ "id", NULL }, { "appId", NULL }, { "displayName", NULL }, { "signInAudience", NULL }, { "owners", NULL },
	{ NULL, NULL }
};

static int on_app(xsm__conn *c, const xsm__json *p, void *payload)
{
	struct en *e = payload;
	xsm_jw *w = &c->jw;
	const char *id = jstr(p, "id"), *app = jstr(p, "appId");
	const xsm__json *o;
	xsm__identity d;
	uint64_t sp;
	int rc, has_sp;

	if (!*id)
		return 0;
	memset(&d, 0, sizeof(d));
	d.label = "application";
	d.id = id;
	d.name = jstr(p, "displayName");
	d.category = "application";
	xsm__conn_identity_begin(c, &d);
	if (*app)
		xsm_jw_kstr(w, "appId", app);
	if (*jstr(p, "signInAudience"))
		xsm_jw_kstr(w, "signInAudience", jstr(p, "signInAudience"));
	if ((rc = xsm__conn_props_end(c)) < 0)
		return rc;
	has_sp = *app && xsm__strmap_get(&e->sps, app, strlen(app), &sp);
	if (has_sp) {
		/* the application is what its service principal signs in with */
		xsm__conn_relation_begin(c, "can authenticate as", id, e->sp_ids[sp]);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	/* an owner can add a credential to the application, and sign in as it */
	for (o = xsm__json_child(xsm__json_get(p, "owners")); o; o = xsm__json_next(o)) {
		if (!*jstr(o, "id"))
			continue;
		xsm__conn_relation_begin(c, "can authenticate as", jstr(o, "id"), has_sp ? e->sp_ids[sp] : id);
		xsm_jw_kstr(w, "via", "application owner");
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

/* --- the connector ------------------------------------------------------------------------------------- */

static int en_open(struct en *e, xsm__conn *c)
{
	memset(e, 0, sizeof(*e));
	e->c = c;
	return xsm__ms_open(&e->m, c, "https://graph.microsoft.com", "https://graph.microsoft.com", 0);
}

static void en_close(struct en *e)
{
	size_t i;
	xsm__ms_close(&e->m);
	for (i = 0; i < e->nside; i++)
		xsm__free(e->side[i].roles);
	xsm__free(e->side);
	for (i = 0; i < e->nsp; i++)
		xsm__free(e->sp_ids[i]);
	xsm__free(e->sp_ids);
	xsm__strmap_free(&e->ids);
	xsm__strmap_free(&e->groups);
	xsm__strmap_free(&e->sps);
	xsm_buf_dispose(&e->url);
	xsm_buf_dispose(&e->tmp);
}

static const char *url(struct en *e, const char *path)
{
	xsm_buf_clear(&e->url);
	xsm_buf_printf(&e->url, "%s%s", e->m.api.ptr, path);
	return e->url.ptr ? e->url.ptr : "";
}

static int en_sync(xsm__conn *c)
{
	struct en e;
	int rc = en_open(&e, c);
	size_t i;

	if (rc < 0)
		goto done;
	if ((rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/roleManagement/directory/roleAssignments?%24expand=roleDefinition(%24select%3DdisplayName)"),
				0, xsm__ms_perm(endpoints, "directory roles"), "directory roles", role_pick, on_role, &e)) < 0 ||
	    (rc = optional(&e, url(&e, "/v1.0/identityProtection/riskyUsers?%24select=id,riskLevel,riskState&%24top=500"),
			   "risky users", risky_pick, on_risky)) < 0 ||
	    (rc = optional(&e, url(&e, "/v1.0/identityProtection/riskDetections?%24filter=riskEventType%20eq%20%27leakedCredentials%27"
				      "&%24select=userId,riskEventType&%24top=500"),
			   "leaked credentials", detection_pick, on_detection)) < 0 ||
	    (rc = optional(&e, url(&e, "/v1.0/users?%24select=id,signInActivity&%24top=999"), "sign-in activity",
			   signin_pick, on_signin)) < 0)
		goto done;
	if ((rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/users/delta?%24select=id,displayName,userPrincipalName,mail,"
					    "accountEnabled,userType,onPremisesSecurityIdentifier,onPremisesSyncEnabled,"
					    "onPremisesSamAccountName"),
				0, xsm__ms_perm(endpoints, "users"), "users", user_pick, on_user, &e)) < 0 ||
	    (rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/groups/delta?%24select=id,displayName,securityEnabled,mailEnabled,"
					    "onPremisesSecurityIdentifier,isAssignableToRole,members"),
				0, xsm__ms_perm(endpoints, "groups and memberships"), "groups", group_pick, on_group, &e)) < 0 ||
	    (rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/servicePrincipals?%24select=id,appId,displayName,servicePrincipalType,"
					    "accountEnabled,appOwnerOrganizationId&%24expand=appRoleAssignments&%24top=999"),
				0, xsm__ms_perm(endpoints, "service principals and applications"), "service principals",
				sp_pick, on_sp, &e)) < 0 ||
	    (rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/applications?%24select=id,appId,displayName,signInAudience"
					    "&%24expand=owners(%24select%3Did)&%24top=999"),
				0, xsm__ms_perm(endpoints, "service principals and applications"), "applications", app_pick,
				on_app, &e)) < 0)
		goto done;
	if (e.nskipped) {
		size_t n = (size_t)snprintf(c->note, sizeof(c->note), "not licensed in the tenant, not read:");
		for (i = 0; i < e.nskipped && n < sizeof(c->note); i++)
			n += (size_t)snprintf(c->note + n, sizeof(c->note) - n, "%s %s", i ? "," : "", e.licence_skipped[i]);
	}
done:
	en_close(&e);
	return rc;
}

static int en_test(xsm__conn *c)
{
	struct en e;
	xsm__http_resp resp;
	int rc = en_open(&e, c);
	memset(&resp, 0, sizeof(resp));
	if (rc == 0)
		rc = xsm__ms_request(&e.m, "GET", url(&e, "/v1.0/users?%24top=1&%24select=id"), NULL,
				     xsm__ms_perm(endpoints, "users"), "users", &resp);
	xsm__http_resp_dispose(&resp);
	en_close(&e);
	return rc;
}

static int en_check(xsm__conn *c)
{
	struct en e;
	int rc = en_open(&e, c);
	if (rc == 0)
		rc = xsm__ms_check(&e.m, endpoints);
	en_close(&e);
	return rc;
}

static const char *const settings[] = { XSM__MS_SETTINGS, NULL };
static const char *const secrets[] = { XSM__MS_SECRETS, NULL };
static const char *const required[] = { "tenant", "client_id", NULL };

const xsm__vendor xsm__vendor_entra = {
	{ "entra", "Microsoft Entra ID: users, groups, nested memberships, roles, applications, identity risk", settings,
	  secrets, required },
	en_test,
	en_sync,
	en_check,
};
