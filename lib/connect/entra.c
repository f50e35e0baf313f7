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
 * Paging follows @odata.nextLink.
 *
 * Incremental sync: the users and groups rounds end on @odata.deltaLink,
 * both kept as the cursor.  The next sync asks those links for what changed
 * (objects with at least their changed properties, "@removed" ones, and
 * members@delta entries added or "@removed"), re-reads the tables that have
 * no delta (roles, risk, sign-ins, service principals, applications) in
 * full, and patches the previous run with both: the result is the run a full
 * sync would write.  A delta link Graph no longer honours (410 Gone,
 * syncStateNotFound, resyncRequired) starts a full sync instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect/msauth.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "store/record.h"

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

/* what a delta round said of one user or group: its entries ('\n'-separated JSON), removed or not */
struct chg {
	char *docs;
	unsigned char removed, done;
};

/* a membership a delta round added or removed */
struct mchg {
	char *key;               /* "<member id>\t<group id>" */
	unsigned char add, present;
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
	/* incremental: the changes the delta rounds brought, applied to the previous run */
	int delta;
	xsm__strmap uidx, gidx, midx;   /* id -> index into uc / gc; membership key -> index into mc */
	struct chg *uc, *gc;
	size_t nuc, ngc;
	struct mchg *mc;
	size_t nmc;
	size_t patched[3];             /* users, groups, memberships the delta changed */
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

/*
 * A user or group as it is now: the fields of its delta entries (the last
 * one that names a field wins), else those of its record in the previous
 * run, where the connector put them.
 */
struct fmap {
	const char *vendor, *sect, *key;
};

static const struct fmap user_map[] = {
	{ "displayName", "props", "displayName" }, { "userPrincipalName", "keys", "upn" }, { "mail", "keys", "email" },
	{ "accountEnabled", "props", "accountEnabled" }, { "userType", "props", "userType" },
	{ "onPremisesSecurityIdentifier", "keys", "sid" }, { "onPremisesSyncEnabled", "props", "onPremisesSyncEnabled" },
	{ "onPremisesSamAccountName", "props", "samAccountName" }, { NULL, NULL, NULL }
};

static const struct fmap group_map[] = {
	{ "displayName", "", "name" }, { "securityEnabled", "props", "securityEnabled" },
	{ "isAssignableToRole", "props", "isAssignableToRole" }, { "onPremisesSecurityIdentifier", "keys", "sid" },
	{ NULL, NULL, NULL }
};

struct view {
	const char *id;
	xsm__json *const *d;     /* delta entries, oldest first */
	size_t nd;
	const xsm__json *rec;    /* the previous run's record, or NULL */
	const struct fmap *map;
};

static const xsm__json *vget(const struct view *v, const char *key)
{
	const struct fmap *f;
	const xsm__json *j;
	size_t i;

	for (i = v->nd; i-- > 0;)
		if ((j = xsm__json_get(v->d[i], key)))
			return j;
	if (!v->rec)
		return NULL;
	for (f = v->map; f->vendor; f++)
		if (!strcmp(f->vendor, key))
			return xsm__json_get(*f->sect ? xsm__json_get(v->rec, f->sect) : v->rec, f->key);
	return NULL;
}

static const char *vstr(const struct view *v, const char *key)
{
	const char *s = xsm__json_str(vget(v, key));
	return s ? s : "";
}

static int emit_user(struct en *e, const struct view *v)
{
	xsm__conn *c = e->c;
	xsm_jw *w = &c->jw;
	const xsm__json *en = vget(v, "accountEnabled");
	xsm__identity d;

	memset(&d, 0, sizeof(d));
	d.label = "user";
	d.id = v->id;
	d.name = *vstr(v, "userPrincipalName") ? vstr(v, "userPrincipalName") : vstr(v, "displayName");
	d.aad_object_id = v->id;
	d.upn = vstr(v, "userPrincipalName");
	d.sid = vstr(v, "onPremisesSecurityIdentifier");
	d.email = vstr(v, "mail");
	xsm__conn_identity_begin(c, &d);
	if (*vstr(v, "displayName"))
		xsm_jw_kstr(w, "displayName", vstr(v, "displayName"));
	if (xsm__json_type(en) == XSM_J_BOOL)
		xsm_jw_kbool(w, "accountEnabled", xsm__json_bool(en));
	if (*vstr(v, "userType"))
		xsm_jw_kstr(w, "userType", vstr(v, "userType"));
	if (xsm__json_bool(vget(v, "onPremisesSyncEnabled")))
		xsm_jw_kbool(w, "onPremisesSyncEnabled", 1);
	if (*vstr(v, "onPremisesSamAccountName"))
		xsm_jw_kstr(w, "samAccountName", vstr(v, "onPremisesSamAccountName"));
	side_props(e, v->id, 1);
	return xsm__conn_props_end(c);
}

static int emit_group(struct en *e, const struct view *v)
{
	xsm__conn *c = e->c;
	xsm_jw *w = &c->jw;
	xsm__identity d;

	memset(&d, 0, sizeof(d));
	d.label = "group";
	d.id = v->id;
	d.name = vstr(v, "displayName");
	d.aad_object_id = v->id;
	d.sid = vstr(v, "onPremisesSecurityIdentifier");
	xsm__conn_identity_begin(c, &d);
	xsm_jw_kbool(w, "securityEnabled", xsm__json_bool(vget(v, "securityEnabled")));
	if (xsm__json_bool(vget(v, "isAssignableToRole")))
		xsm_jw_kbool(w, "isAssignableToRole", 1);
	side_props(e, v->id, 0);
	return xsm__conn_props_end(c);
}

/* members@delta entries that are identities here (devices and contacts are not) */
static int identity_member(const xsm__json *mm)
{
	const char *type = jstr(mm, "@odata.type");
	return !strcmp(type, "#microsoft.graph.user") || !strcmp(type, "#microsoft.graph.group") ||
	       !strcmp(type, "#microsoft.graph.servicePrincipal");
}

static int on_user(xsm__conn *c, const xsm__json *u, void *payload)
{
	struct en *e = payload;
	xsm__json *const d[1] = { (xsm__json *)u };
	struct view v = { jstr(u, "id"), d, 1, NULL, user_map };

	(void)c;
	if (!*v.id || xsm__json_get(u, "@removed"))
		return 0; /* a full round lists no removals */
	return emit_user(e, &v);
}

static const xsm__json_pick group_pick[] = {
	{ "id", NULL }, { "displayName", NULL }, { "securityEnabled", NULL }, { "mailEnabled", NULL },
	{ "onPremisesSecurityIdentifier", NULL }, { "isAssignableToRole", NULL }, { "members@delta", NULL },
	{ "@removed", NULL }, { NULL, NULL }
};

static int on_group(xsm__conn *c, const xsm__json *g, void *payload)
{
	struct en *e = payload;
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
		xsm__json *const d[1] = { (xsm__json *)g };
		struct view v = { id, d, 1, NULL, group_map };
		if ((rc = emit_group(e, &v)) < 0)
			return rc;
	}
	for (mm = xsm__json_child(xsm__json_get(g, "members@delta")); mm; mm = xsm__json_next(mm)) {
		const char *mid = jstr(mm, "id");
		if (!*mid || xsm__json_get(mm, "@removed") || !identity_member(mm)) {
			c->st.skipped += *mid ? 1 : 0;
			continue;
		}
		xsm__conn_relation_begin(c, "member of", mid, id);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

/* --- incremental: collect what the delta rounds changed, then patch the previous run ----------------- */

static struct chg *chg_of(struct en *e, int group, const char *id, int create)
{
	xsm__strmap *map = group ? &e->gidx : &e->uidx;
	struct chg **arr = group ? &e->gc : &e->uc;
	size_t *n = group ? &e->ngc : &e->nuc;
	uint64_t *slot, v;
	int created;

	if (!create)
		return xsm__strmap_get(map, id, strlen(id), &v) ? &(*arr)[v] : NULL;
	if (xsm__strmap_slot(map, id, strlen(id), &slot, &created) < 0)
		return NULL;
	if (created) {
		if (*n % 64 == 0) {
			struct chg *g = xsm__reallocarray(*arr, *n + 64, sizeof(*g));
			if (!g)
				return NULL;
			*arr = g;
		}
		memset(&(*arr)[*n], 0, sizeof(**arr));
		*slot = (*n)++;
	}
	return &(*arr)[*slot];
}

/* keep one delta entry of a user or group (members@delta apart) */
static int keep_entry(struct en *e, int group, const xsm__json *o)
{
	struct chg *ch = chg_of(e, group, jstr(o, "id"), 1);
	size_t n;
	char *g;

	if (!ch)
		return xsm__error_oom(e->c->ctx);
	if (xsm__json_get(o, "@removed")) {
		ch->removed = 1;
		return 0;
	}
	ch->removed = 0; /* removed, then back (restored from the recycle bin) */
	xsm_buf_clear(&e->tmp);
	if (xsm__json_print(&e->tmp, o) < 0)
		return xsm__error_oom(e->c->ctx);
	n = ch->docs ? strlen(ch->docs) : 0;
	if (!(g = xsm__realloc(ch->docs, n + e->tmp.size + 2)))
		return xsm__error_oom(e->c->ctx);
	if (n)
		g[n++] = '\n';
	memcpy(g + n, e->tmp.ptr, e->tmp.size);
	g[n + e->tmp.size] = '\0';
	ch->docs = g;
	return 0;
}

static int collect_user(xsm__conn *c, const xsm__json *u, void *payload)
{
	(void)c;
	return *jstr(u, "id") ? keep_entry(payload, 0, u) : 0;
}

static int collect_group(xsm__conn *c, const xsm__json *g, void *payload)
{
	struct en *e = payload;
	const char *id = jstr(g, "id");
	const xsm__json *mm;
	int rc;

	if (!*id)
		return 0;
	/* an entry that only carries members@delta changes nothing else of the group */
	if (xsm__json_count(g) > 2 || !xsm__json_get(g, "members@delta") || xsm__json_get(g, "@removed"))
		if ((rc = keep_entry(e, 1, g)) < 0)
			return rc;
	for (mm = xsm__json_child(xsm__json_get(g, "members@delta")); mm; mm = xsm__json_next(mm)) {
		const char *mid = jstr(mm, "id");
		int add = !xsm__json_get(mm, "@removed");
		uint64_t *slot;
		int created;

		if (!*mid || (add && !identity_member(mm))) {
			c->st.skipped += *mid && add ? 1 : 0;
			continue;
		}
		xsm_buf_clear(&e->tmp);
		xsm_buf_printf(&e->tmp, "%s\t%s", mid, id);
		if (!e->tmp.ptr || xsm__strmap_slot(&e->midx, e->tmp.ptr, e->tmp.size, &slot, &created) < 0)
			return xsm__error_oom(c->ctx);
		if (created) {
			if (e->nmc % 64 == 0) {
				struct mchg *g2 = xsm__reallocarray(e->mc, e->nmc + 64, sizeof(*g2));
				if (!g2)
					return xsm__error_oom(c->ctx);
				e->mc = g2;
			}
			memset(&e->mc[e->nmc], 0, sizeof(e->mc[0]));
			if (!(e->mc[e->nmc].key = xsm__strdup(e->tmp.ptr)))
				return xsm__error_oom(c->ctx);
			*slot = e->nmc++;
		}
		e->mc[*slot].add = (unsigned char)add; /* the last word on a membership counts */
	}
	return 0;
}

/* the delta entries of ch parsed (*out, *n), to be freed with free_docs */
static int parse_docs(struct en *e, const struct chg *ch, xsm__json ***out, size_t *n)
{
	const char *p = ch && ch->docs ? ch->docs : "";
	size_t k = 0, len;
	xsm__json **d = NULL, **g;
	int rc;

	*out = NULL;
	*n = 0;
	for (; *p; p += len + (p[len] ? 1 : 0)) {
		len = strcspn(p, "\n");
		if (!(g = xsm__reallocarray(d, k + 1, sizeof(*d)))) {
			rc = xsm__error_oom(e->c->ctx);
			goto fail;
		}
		d = g;
		if ((rc = xsm__json_parse(&d[k], e->c->ctx, p, len, "delta entry")) < 0)
			goto fail;
		k++;
	}
	*out = d;
	*n = k;
	return 0;
fail:
	while (k-- > 0)
		xsm__json_free(d[k]);
	xsm__free(d);
	return rc;
}

static void free_docs(xsm__json **d, size_t n)
{
	while (n-- > 0)
		xsm__json_free(d[n]);
	xsm__free(d);
}

/* a user or group as it is now, from its delta entries and/or its previous record */
static int emit_changed(struct en *e, int group, const char *id, struct chg *ch, const xsm__json *rec)
{
	struct view v = { id, NULL, 0, rec, group ? group_map : user_map };
	xsm__json **d;
	size_t n;
	int rc;

	if ((rc = parse_docs(e, ch, &d, &n)) < 0)
		return rc;
	v.d = d;
	v.nd = n;
	rc = group ? emit_group(e, &v) : emit_user(e, &v);
	free_docs(d, n);
	return rc;
}

/* an id of this connector's records: "<name>:<id>" -> "<id>" */
static const char *own_id(struct en *e, const char *sid)
{
	size_t n = strlen(e->c->name);
	return sid && !strncmp(sid, e->c->name, n) && sid[n] == ':' ? sid + n + 1 : NULL;
}

static int gone(struct en *e, const char *id)
{
	const struct chg *u = chg_of(e, 0, id, 0), *g = chg_of(e, 1, id, 0);
	return (u && u->removed) || (g && g->removed);
}

static int patch_one(const xsm__json *rec, int type, size_t lineno, void *payload)
{
	struct en *e = payload;
	xsm__conn *c = e->c;
	const char *label = xsm__json_getstr(rec, "label");
	uint64_t v;
	int rc;

	(void)lineno;
	if (!label)
		return 0;
	if (type == XSM_REC_ASSET && (!strcmp(label, "user") || !strcmp(label, "group"))) {
		int group = !strcmp(label, "group");
		const char *id = own_id(e, xsm__json_getstr(rec, "source_id"));
		struct chg *ch;

		if (!id)
			return 0;
		ch = chg_of(e, group, id, 0);
		if (ch && (ch->removed || ch->done))
			return 0;
		if (ch)
			ch->done = 1;
		/* every one again: its roles, risk or last sign-in may have changed */
		return emit_changed(e, group, id, ch, rec);
	}
	if (type == XSM_REC_RELATION && !strcmp(label, "member of")) {
		const char *from = own_id(e, xsm__json_getstr(rec, "from")), *to = own_id(e, xsm__json_getstr(rec, "to"));
		if (!from || !to || gone(e, from) || gone(e, to))
			return 0;
		xsm_buf_clear(&e->tmp);
		xsm_buf_printf(&e->tmp, "%s\t%s", from, to);
		if (!e->tmp.ptr)
			return xsm__error_oom(c->ctx);
		if (xsm__strmap_get(&e->midx, e->tmp.ptr, e->tmp.size, &v)) {
			if (!e->mc[v].add || e->mc[v].present)
				return 0;
			e->mc[v].present = 1;
		}
		xsm__conn_relation_begin(c, "member of", from, to);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
		return 0;
	}
	/* service principals, applications and their edges were read again in full */
	return 0;
}

static int patch_previous(struct en *e)
{
	xsm__conn *c = e->c;
	size_t i;
	int rc;

	if ((rc = xsm__run_foreach(c->store, c->name, c->prev_run, 0, patch_one, NULL, e)) < 0)
		return rc;
	/* what is new since: users and groups, then memberships */
	for (i = 0; i < e->nuc; i++)
		if (!e->uc[i].removed && !e->uc[i].done && e->uc[i].docs) {
			const char *id = NULL;
			xsm__json *j = NULL;
			size_t len = strcspn(e->uc[i].docs, "\n");
			if ((rc = xsm__json_parse(&j, c->ctx, e->uc[i].docs, len, "delta entry")) < 0)
				return rc;
			id = jstr(j, "id");
			rc = emit_changed(e, 0, id, &e->uc[i], NULL);
			xsm__json_free(j);
			if (rc < 0)
				return rc;
		}
	for (i = 0; i < e->ngc; i++)
		if (!e->gc[i].removed && !e->gc[i].done && e->gc[i].docs) {
			xsm__json *j = NULL;
			size_t len = strcspn(e->gc[i].docs, "\n");
			if ((rc = xsm__json_parse(&j, c->ctx, e->gc[i].docs, len, "delta entry")) < 0)
				return rc;
			rc = emit_changed(e, 1, jstr(j, "id"), &e->gc[i], NULL);
			xsm__json_free(j);
			if (rc < 0)
				return rc;
		}
	for (i = 0; i < e->nmc; i++) {
		const char *k = e->mc[i].key;
		size_t n = strcspn(k, "\t");
		if (!e->mc[i].add || e->mc[i].present || !k[n])
			continue;
		xsm_buf_clear(&e->tmp);
		xsm_buf_put(&e->tmp, k, n);
		if (!e->tmp.ptr)
			return xsm__error_oom(c->ctx);
		if (gone(e, e->tmp.ptr) || gone(e, k + n + 1))
			continue;
		xsm__conn_relation_begin(c, "member of", e->tmp.ptr, k + n + 1);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	e->patched[0] = e->nuc;
	e->patched[1] = e->ngc;
	e->patched[2] = e->nmc;
	return 0;
}

static void forget_changes(struct en *e)
{
	size_t i;
	for (i = 0; i < e->nuc; i++)
		xsm__free(e->uc[i].docs);
	for (i = 0; i < e->ngc; i++)
		xsm__free(e->gc[i].docs);
	for (i = 0; i < e->nmc; i++)
		xsm__free(e->mc[i].key);
	xsm__free(e->uc);
	xsm__free(e->gc);
	xsm__free(e->mc);
	e->uc = e->gc = NULL;
	e->mc = NULL;
	e->nuc = e->ngc = e->nmc = 0;
	xsm__strmap_free(&e->uidx);
	xsm__strmap_free(&e->gidx);
	xsm__strmap_free(&e->midx);
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
	forget_changes(e);
	xsm_buf_dispose(&e->url);
	xsm_buf_dispose(&e->tmp);
}

static const char *url(struct en *e, const char *path)
{
	xsm_buf_clear(&e->url);
	xsm_buf_printf(&e->url, "%s%s", e->m.api.ptr, path);
	return e->url.ptr ? e->url.ptr : "";
}

#define USERS_DELTA "/v1.0/users/delta?%24select=id,displayName,userPrincipalName,mail,accountEnabled,userType," \
	"onPremisesSecurityIdentifier,onPremisesSyncEnabled,onPremisesSamAccountName"
#define GROUPS_DELTA "/v1.0/groups/delta?%24select=id,displayName,securityEnabled,mailEnabled," \
	"onPremisesSecurityIdentifier,isAssignableToRole,members"
#define CURSOR_TAG "graph-delta 1\n"

/* Graph no longer knows the delta link's state: only a full round helps */
static int resync(const xsm__ms *m)
{
	return m->status == 410 || strstr(m->code, "syncStateNotFound") || strstr(m->code, "SyncStateNotFound") ||
	       strstr(m->code, "resyncRequired") || strstr(m->code, "fullSyncRequired") ||
	       strstr(m->code, "syncStateInvalid");
}

/*
 * The cursor: CURSOR_TAG, the users deltaLink, '\n', the groups deltaLink.
 * Both links must lead to the API's own host (the token goes with them).
 */
static int split_cursor(struct en *e, const char *cur, xsm_buf *users, xsm_buf *groups)
{
	const char *p, *nl;
	size_t n = e->m.api.size;

	if (!cur || strncmp(cur, CURSOR_TAG, strlen(CURSOR_TAG)))
		return 0;
	p = cur + strlen(CURSOR_TAG);
	if (!(nl = strchr(p, '\n')) || strchr(nl + 1, '\n'))
		return 0;
	if (strncmp(p, e->m.api.ptr, n) || p[n] != '/' || strncmp(nl + 1, e->m.api.ptr, n) || nl[1 + n] != '/')
		return 0;
	xsm_buf_clear(users);
	xsm_buf_clear(groups);
	if (xsm_buf_put(users, p, (size_t)(nl - p)) < 0 || xsm_buf_puts(groups, nl + 1) < 0)
		return xsm__error_oom(e->c->ctx);
	return 1;
}

static int en_sync(xsm__conn *c)
{
	struct en e;
	xsm_buf ulink = XSM_BUF_INIT, glink = XSM_BUF_INIT;
	int rc = en_open(&e, c), have;
	size_t i, n;

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
	/* incremental over the previous run, when its cursor holds the two delta links */
	if ((have = c->prev_run ? split_cursor(&e, c->cursor, &ulink, &glink) : 0) < 0) {
		rc = have;
		goto done;
	}
	if (have) {
		e.delta = 1;
		rc = xsm__ms_pages(&e.m, ulink.ptr, 0, xsm__ms_perm(endpoints, "users"), "users (delta)", user_pick,
				   collect_user, &e);
		if (rc == 0)
			xsm_buf_set(&ulink, e.m.delta.ptr ? e.m.delta.ptr : "");
		if (rc == 0)
			rc = xsm__ms_pages(&e.m, glink.ptr, 0, xsm__ms_perm(endpoints, "groups and memberships"),
					   "groups (delta)", group_pick, collect_group, &e);
		if (rc == 0)
			xsm_buf_set(&glink, e.m.delta.ptr ? e.m.delta.ptr : "");
		if (rc < 0 && resync(&e.m)) {
			xsm__log(c->ctx, "%s: %s; the delta link has expired: a full sync", c->name, xsm_ctx_errmsg(c->ctx));
			xsm_ctx_clear(c->ctx);
			forget_changes(&e);
			e.delta = 0;
			rc = 0;
		}
		if (rc < 0)
			goto done;
	}
	if (!e.delta) {
		if ((rc = xsm__ms_pages(&e.m, url(&e, USERS_DELTA), 0, xsm__ms_perm(endpoints, "users"), "users", user_pick,
					on_user, &e)) < 0)
			goto done;
		xsm_buf_set(&ulink, e.m.delta.ptr ? e.m.delta.ptr : "");
		if ((rc = xsm__ms_pages(&e.m, url(&e, GROUPS_DELTA), 0, xsm__ms_perm(endpoints, "groups and memberships"),
					"groups", group_pick, on_group, &e)) < 0)
			goto done;
		xsm_buf_set(&glink, e.m.delta.ptr ? e.m.delta.ptr : "");
	}
	if ((rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/servicePrincipals?%24select=id,appId,displayName,servicePrincipalType,"
					    "accountEnabled,appOwnerOrganizationId&%24expand=appRoleAssignments&%24top=999"),
				0, xsm__ms_perm(endpoints, "service principals and applications"), "service principals",
				sp_pick, on_sp, &e)) < 0 ||
	    (rc = xsm__ms_pages(&e.m, url(&e, "/v1.0/applications?%24select=id,appId,displayName,signInAudience"
					    "&%24expand=owners(%24select%3Did)&%24top=999"),
				0, xsm__ms_perm(endpoints, "service principals and applications"), "applications", app_pick,
				on_app, &e)) < 0)
		goto done;
	if (e.delta) {
		if ((rc = patch_previous(&e)) < 0)
			goto done;
		c->patched = 1;
	}
	/* the next sync asks both links for what changed since */
	if (ulink.size && glink.size &&
	    strlen(CURSOR_TAG) + ulink.size + 1 + glink.size < sizeof(c->new_cursor))
		snprintf(c->new_cursor, sizeof(c->new_cursor), "%s%s\n%s", CURSOR_TAG, ulink.ptr, glink.ptr);
	else
		xsm__log(c->ctx, "%s: no delta links to keep (or too long): the next sync is a full one", c->name);
	have = c->new_cursor[0] != '\0';
	n = 0;
	if (e.delta)
		n = (size_t)snprintf(c->note, sizeof(c->note),
				     "users and groups: delta query (%zu users, %zu groups, %zu memberships changed); "
				     "roles, risk, sign-ins and applications read in full",
				     e.patched[0], e.patched[1], e.patched[2]);
	else
		n = (size_t)snprintf(c->note, sizeof(c->note), "users and groups: full read%s",
				     have ? " (delta links kept for the next sync)" : " (Graph sent no delta links)");
	if (e.nskipped && n < sizeof(c->note)) {
		n += (size_t)snprintf(c->note + n, sizeof(c->note) - n, "; not licensed in the tenant, not read:");
		for (i = 0; i < e.nskipped && n < sizeof(c->note); i++)
			n += (size_t)snprintf(c->note + n, sizeof(c->note) - n, "%s %s", i ? "," : "", e.licence_skipped[i]);
	}
done:
	xsm_buf_dispose(&ulink);
	xsm_buf_dispose(&glink);
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
