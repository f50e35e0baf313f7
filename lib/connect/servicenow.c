/*
 * connect/servicenow.c - ServiceNow CMDB over the Table API.
 *
 * Devices come from a CI class (cmdb_ci_computer by default: the table
 * returns its subclasses too, sys_class_name says which), relations from
 * cmdb_rel_ci with their names from cmdb_rel_type.  Paging follows
 * Link rel="next" (offset arithmetic when a server sends none); every
 * value arrives as a string, references as {"link","value"} or "".
 * Incremental: sys_updated_on >= the newest value seen last time.
 *
 * Business applications (cmdb_ci_business_app) are read before the CIs,
 * in full every sync: each becomes an asset, and a CI serves one when its
 * reference field u_primary_business_application names it, when a
 * cmdb_rel_ci row joins the two, or one hop further: a CI that an
 * application CI joined to the business application runs on or is hosted
 * on.  A serving CI gets a "belongs to" edge to the application, and a
 * device takes the application's business criticality as its vendor
 * criticality when that is more critical than its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapt/json.h"
#include "connect/conn.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

struct app {
	char *sys_id, *name;
	int level;                    /* 0 very high … 3 low; 4 none */
};

struct link {
	uint32_t app, next;           /* next: index + 1, 0 ends the list */
	unsigned char direct;         /* from cmdb_rel_ci itself, not a hop */
};

struct sn {
	xsm__conn *c;
	xsm_buf base, auth, url, tmp;
	xsm_buf bearer;               /* "Authorization: Bearer …" with OAuth, else empty */
	long page_size;
	char newest[20];              /* newest sys_updated_on seen */
	xsm__strmap rel_types;        /* cmdb_rel_type sys_id -> index into names */
	char **names;
	size_t nnames;
	int stop;                     /* a callback's word that the table has nothing more for it */
	/* business applications: sys_id -> index + 1 into apps */
	xsm__strmap app_ids;
	XSM__VEC(struct app) apps;
	/* CIs serving them: sys_id -> index + 1 of the first link (a list through next) */
	xsm__strmap served;
	XSM__VEC(struct link) links;
	XSM__VEC(char *) direct;      /* CIs joined directly by cmdb_rel_ci: where the hop starts */
	const char *app_field;        /* the CI's reference to its business application, or NULL */
};

static const char *jstr(const xsm__json *row, const char *key)
{
	const char *s = xsm__json_getstr(row, key);
	return s ? s : "";
}

/* a reference field's sys_id ("" when empty) */
static const char *ref(const xsm__json *row, const char *key)
{
	const xsm__json *v = xsm__json_get(row, key);
	if (xsm__json_type(v) == XSM_J_OBJECT)
		return jstr(v, "value");
	return jstr(row, key);
}

static int sn_error(struct sn *s, const xsm__http_resp *r, const char *what)
{
	xsm__json *j = NULL;
	char detail[300] = "";
	if (r->body.size && xsm__json_parse(&j, s->c->ctx, r->body.ptr, r->body.size, "") == 0) {
		const xsm__json *e = xsm__json_get(j, "error");
		snprintf(detail, sizeof(detail), "%s%s%s", jstr(e, "message"), *jstr(e, "detail") ? ": " : "",
			 jstr(e, "detail"));
	}
	xsm_ctx_clear(s->c->ctx);
	xsm__json_free(j);
	return xsm__conn_status(s->c, r, what, detail);
}

/* the rel="next" URL of a Link header, or ""; -1 when it does not fit in out */
static int link_next(char *out, size_t outlen, const char *link)
{
	const char *p = link;
	out[0] = '\0';
	while (p && (p = strchr(p, '<'))) {
		const char *end = strchr(p, '>');
		if (!end)
			return 0;
		if (!strncmp(end + 1, ";rel=\"next\"", 11) || !strncmp(end + 1, "; rel=\"next\"", 12)) {
			if ((size_t)(end - p - 1) >= outlen)
				return -1;
			snprintf(out, outlen, "%.*s", (int)(end - p - 1), p + 1);
			return 0;
		}
		p = end + 1;
	}
	return 0;
}

/*
 * Fetch every page of table with query; cb gets each row.  Link URLs must
 * stay on the configured instance: credentials never go elsewhere.  The
 * pager stops a walk that does not advance (a Link back to a page already
 * read, the same page again, more pages than X-Total-Count allows).
 */
static int fetch_table(struct sn *s, const char *table, const char *query, const char *fields,
		       int (*cb)(struct sn *, const xsm__json *), const char *what, int one_page)
{
	xsm__conn *c = s->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	xsm__pager pg;
	const char *hdrs[] = { "Accept: application/json", s->bearer.size ? s->bearer.ptr : NULL, NULL };
	/* Link repeats every parameter four times (first, prev, next, last): long queries make it long */
	char next[16384], link[65536], total[32];
	long offset = 0;
	size_t most = 1;
	int rc = 0;

	memset(&resp, 0, sizeof(resp));
	memset(&pg, 0, sizeof(pg));
	req.headers = hdrs;
	req.userpwd = s->bearer.size ? NULL : s->auth.ptr;
	xsm_buf_clear(&s->url);
	for (;;) {
		xsm__json *j = NULL;
		const xsm__json *res, *row;
		size_t rows;

		if (!s->url.size) {
			xsm_buf_printf(&s->url, "%s/api/now/table/%s?sysparm_limit=%ld&sysparm_offset=%ld"
				       "&sysparm_exclude_reference_link=true&sysparm_display_value=false",
				       s->base.ptr, table, s->page_size, offset);
			if (query) {
				xsm_buf_puts(&s->url, "&sysparm_query=");
				xsm__http_escape(&s->url, query);
			}
			if (fields) {
				xsm_buf_puts(&s->url, "&sysparm_fields=");
				xsm__http_escape(&s->url, fields);
			}
			if (!s->url.ptr)
				return xsm__error_oom(c->ctx);
		}
		if (!pg.c && (rc = xsm__pager_begin(&pg, c, what, s->url.ptr)) < 0)
			break;
		req.url = s->url.ptr;
		if ((rc = xsm__conn_http(c, &req, &resp)) < 0)
			break;
		if (resp.status != 200) {
			rc = sn_error(s, &resp, what);
			break;
		}
		if ((rc = xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "")) < 0) {
			xsm__error_prefix(c->ctx, "%s: %s: unreadable response", c->name, what);
			rc = XSM_EPROTO;
			c->ctx->code = rc;
			break;
		}
		res = xsm__json_get(j, "result");
		if (xsm__json_type(res) != XSM_J_ARRAY) {
			xsm__json_free(j);
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: response has no result array", c->name, what);
			break;
		}
		rows = 0;
		for (row = xsm__json_child(res); row; row = xsm__json_next(row))
			rows++;
		/*
		 * The server's page is at least as long as its longest page (ACLs
		 * may shorten some): pages past X-Total-Count over that are a loop.
		 */
		most = rows > most ? rows : most;
		if (xsm__http_header(&resp, "x-total-count", total, sizeof(total)))
			xsm__pager_total(&pg, strtod(total, NULL), (long)most);
		next[0] = '\0';
		if (one_page) {
			/* one page asked for */
		} else if (xsm__http_header(&resp, "link", link, sizeof(link))) {
			/* a link cut short would fetch some other page: refuse it */
			if (strlen(link) >= sizeof(link) - 1 || link_next(next, sizeof(next), link) < 0) {
				xsm__json_free(j);
				rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: the Link header is longer than %zu bytes",
						    c->name, what, strlen(link) >= sizeof(link) - 1 ? sizeof(link) - 1 : sizeof(next) - 1);
				break;
			}
		} else if (rows >= (size_t)s->page_size &&
			   !(xsm__http_header(&resp, "x-total-count", total, sizeof(total)) &&
			     strtod(total, NULL) <= (double)(offset + s->page_size))) {
			/* no Link: a server without the header still pages by offset */
			snprintf(next, sizeof(next), "offset %ld", offset + s->page_size);
		}
		/* before the rows: a page served again says so, not as records seen twice */
		if ((rc = xsm__pager_page(&pg, resp.body_hash, rows, next)) == 0)
			for (row = xsm__json_child(res); row && rc == 0; row = xsm__json_next(row))
				rc = cb(s, row);
		xsm__json_free(j);
		if (rc < 0 || !next[0] || s->stop)
			break;
		if (!strncmp(next, "offset ", 7)) {
			offset += s->page_size;
			xsm_buf_clear(&s->url); /* the URL is built at the top */
			continue;
		}
		if (strncmp(next, s->base.ptr, s->base.size) || (next[s->base.size] != '/')) {
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: next page link points away from the instance",
					    c->name, what);
			break;
		}
		xsm_buf_set(&s->url, next);
	}
	xsm__pager_end(&pg);
	xsm__http_resp_dispose(&resp);
	return rc;
}

static const char *const levels[] = { "very high", "high", "medium", "low" };

/*
 * 0 (very high) … 3 (low) from a criticality choice: "1 - most critical",
 * "2 - somewhat critical", "3 - less critical", "4 - not critical" (the
 * value, or its label as some instances spell it); 4 when none
 */
static int crit_level(const char *v)
{
	return v[0] >= '1' && v[0] <= '4' && (!v[1] || v[1] == ' ') ? v[0] - '1' : 4;
}

/* a CI's or an application's own criticality: business criticality (busines_criticality is ServiceNow's spelling) */
static int row_level(const xsm__json *row)
{
	static const char *const fields[] = { "busines_criticality", "business_criticality", "u_business_criticality",
					      "u_criticality", NULL };
	int i, l;
	for (i = 0; fields[i]; i++)
		if ((l = crit_level(jstr(row, fields[i]))) < 4)
			return l;
	return 4;
}

static void raw_row(xsm_jw *w, const xsm__json *row)
{
	const xsm__json *f;
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "servicenow");
	xsm_jw_obj(w);
	for (f = xsm__json_child(row); f; f = xsm__json_next(f)) {
		const char *k = xsm__json_key(f);
		if (xsm__json_type(f) == XSM_J_STRING && !*xsm__json_str(f))
			continue; /* the CMDB sends every empty field; they say nothing */
		if (xsm__json_type(f) == XSM_J_OBJECT)
			xsm_jw_kstr(w, k, jstr(f, "value"));
		else if (xsm__json_type(f) == XSM_J_STRING)
			xsm_jw_kstr(w, k, xsm__json_str(f));
	}
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
}

static int on_ci(struct sn *s, const xsm__json *row)
{
	xsm__conn *c = s->c;
	xsm_jw *w = &c->jw;
	const char *sys_id = jstr(row, "sys_id"), *name = jstr(row, "name"), *ip = jstr(row, "ip_address");
	const char *os = jstr(row, "os"), *osv = jstr(row, "os_version");
	char host[256], fqdn[300], mac[18], t[21], t2[21], osname[300];
	xsm__device d;
	const char *upd = jstr(row, "sys_updated_on");

	if (!*sys_id)
		return xsm__error_set(c->ctx, XSM_EPROTO, "%s: a CI without sys_id", c->name);
	if (strlen(upd) < sizeof(s->newest) && strcmp(upd, s->newest) > 0)
		snprintf(s->newest, sizeof(s->newest), "%s", upd);
	xsm__norm_host(host, sizeof(host), *jstr(row, "host_name") ? jstr(row, "host_name") : name);
	host[strcspn(host, ".")] = '\0';
	if (*jstr(row, "fqdn"))
		xsm__norm_host(fqdn, sizeof(fqdn), jstr(row, "fqdn"));
	else if (host[0] && *jstr(row, "dns_domain")) {
		char joined[300];
		snprintf(joined, sizeof(joined), "%s.%s", host, jstr(row, "dns_domain"));
		xsm__norm_host(fqdn, sizeof(fqdn), joined);
	} else {
		fqdn[0] = '\0';
	}
	xsm__norm_mac(mac, jstr(row, "mac_address"));

	snprintf(osname, sizeof(osname), "%s%s%s", os, *os && *osv ? " " : "", osv);
	memset(&d, 0, sizeof(d));
	d.id = sys_id;
	d.name = *name ? name : host;
	d.hostname = host;
	d.fqdn = fqdn;
	d.serial = jstr(row, "serial_number");
	d.ipv4 = xsm__is_ipv4(ip) ? ip : NULL;
	d.ipv6 = xsm__is_ipv6(ip) ? ip : NULL;
	d.mac = mac;
	d.os = osname;
	xsm__norm_time(t, *jstr(row, "last_discovered") ? jstr(row, "last_discovered") : upd);
	xsm__norm_time(t2, jstr(row, "first_discovered"));
	d.last_seen = t;
	d.first_seen = t2;
	xsm__conn_device_begin(c, &d);
	if (*jstr(row, "sys_class_name"))
		xsm_jw_kstr(w, "cmdbClass", jstr(row, "sys_class_name"));
	{
		/* the most critical business application it serves, when more critical than the CI itself */
		int own = row_level(row), best = 4;
		const struct app *from = NULL;
		uint64_t k;
		if (xsm__strmap_get(&s->served, sys_id, strlen(sys_id), &k))
			for (; k; k = s->links.v[k - 1].next) {
				const struct app *a = &s->apps.v[s->links.v[k - 1].app];
				if (a->level < best || (a->level == best && from && strcmp(a->name, from->name) < 0)) {
					best = a->level;
					from = a;
				}
			}
		if (best < own) {
			xsm_jw_kstr(w, "vendorCriticality", levels[best]);
			xsm_jw_kstr(w, "vendorCriticalityFrom", from->name);
		} else if (own < 4) {
			xsm_jw_kstr(w, "vendorCriticality", levels[own]);
		}
	}
	if (*jstr(row, "environment"))
		xsm_jw_kstr(w, "environment", jstr(row, "environment"));
	if (*jstr(row, "used_for"))
		xsm_jw_kstr(w, "usedFor", jstr(row, "used_for"));
	if (*jstr(row, "virtual"))
		xsm_jw_kbool(w, "virtual", !strcmp(jstr(row, "virtual"), "true"));
	if (*jstr(row, "asset_tag"))
		xsm_jw_kstr(w, "assetTag", jstr(row, "asset_tag"));
	raw_row(w, row);
	return xsm__conn_props_end(c);
}

static int on_rel_type(struct sn *s, const xsm__json *row)
{
	const char *id = jstr(row, "sys_id"), *name = jstr(row, "name");
	char **grown;
	if (!*id || !*name)
		return 0;
	if (!(grown = xsm__reallocarray(s->names, s->nnames + 1, sizeof(*s->names))))
		return xsm__error_oom(s->c->ctx);
	s->names = grown;
	if (!(s->names[s->nnames] = xsm__strdup(name)) || xsm__strmap_put(&s->rel_types, id, s->nnames) < 0)
		return xsm__error_oom(s->c->ctx);
	s->nnames++;
	return 0;
}

/* --- business applications ------------------------------------------------------------- */

static const struct app *app_of(const struct sn *s, const char *sys_id)
{
	uint64_t i;
	return *sys_id && xsm__strmap_get(&s->app_ids, sys_id, strlen(sys_id), &i) ? &s->apps.v[i - 1] : NULL;
}

static int on_app(struct sn *s, const xsm__json *row)
{
	xsm__conn *c = s->c;
	xsm_jw *w = &c->jw;
	const char *sys_id = jstr(row, "sys_id"), *name = jstr(row, "name");
	const char *bc = *jstr(row, "busines_criticality") ? jstr(row, "busines_criticality")
							   : jstr(row, "business_criticality");
	char id[64], t[21];
	struct app a;
	xsm__identity d;

	if (!*sys_id || strlen(sys_id) > 40 || app_of(s, sys_id)) {
		c->st.skipped++;
		return 0;
	}
	a.level = row_level(row);
	a.sys_id = xsm__strdup(sys_id);
	a.name = xsm__strdup(*name ? name : sys_id);
	if (!a.sys_id || !a.name || xsm__vec_push(&s->apps, a) < 0) {
		xsm__free(a.sys_id);
		xsm__free(a.name);
		return xsm__error_oom(c->ctx);
	}
	if (xsm__strmap_put(&s->app_ids, sys_id, s->apps.n) < 0)
		return xsm__error_oom(c->ctx);
	snprintf(id, sizeof(id), "app:%s", sys_id);
	xsm__norm_time(t, jstr(row, "sys_updated_on"));
	memset(&d, 0, sizeof(d));
	d.label = "businessapplication";
	d.id = id;
	d.name = a.name;
	d.category = "application";
	d.last_seen = t;
	xsm__conn_identity_begin(c, &d);
	if (*jstr(row, "number"))
		xsm_jw_kstr(w, "number", jstr(row, "number"));
	if (*bc)
		xsm_jw_kstr(w, "businessCriticality", bc);
	if (a.level < 4)
		xsm_jw_kstr(w, "vendorCriticality", levels[a.level]);
	if (*jstr(row, "life_cycle_stage"))
		xsm_jw_kstr(w, "lifeCycleStage", jstr(row, "life_cycle_stage"));
	if (*jstr(row, "data_classification"))
		xsm_jw_kstr(w, "dataClassification", jstr(row, "data_classification"));
	raw_row(w, row);
	return xsm__conn_props_end(c);
}

/*
 * CI ci serves application app (an index into apps), as via says: a
 * "belongs to" edge, once per pair.  direct: found in cmdb_rel_ci, where
 * the hop starts.
 */
static int serve(struct sn *s, const char *ci, size_t app, int direct, const char *via)
{
	xsm__conn *c = s->c;
	struct link l;
	uint64_t *slot, k;
	int created;
	char to[64];

	if (!*ci || app_of(s, ci))
		return 0;
	if (xsm__strmap_slot(&s->served, ci, strlen(ci), &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	for (k = *slot; k; k = s->links.v[k - 1].next)
		if (s->links.v[k - 1].app == app)
			return 0;
	l.app = (uint32_t)app;
	l.next = (uint32_t)*slot;
	l.direct = (unsigned char)direct;
	if (xsm__vec_push(&s->links, l) < 0)
		return xsm__error_oom(c->ctx);
	*slot = s->links.n;
	if (direct && created) {
		char *dup = xsm__strdup(ci);
		if (!dup || xsm__vec_push(&s->direct, dup) < 0) {
			xsm__free(dup);
			return xsm__error_oom(c->ctx);
		}
	}
	snprintf(to, sizeof(to), "app:%s", s->apps.v[app].sys_id);
	xsm__conn_relation_begin(c, "belongs to", ci, to);
	xsm_jw_kstr(&c->jw, "via", via);
	return xsm__conn_props_end(c);
}

/* the relation type's name ("Runs on::Runs"), or "" */
static const char *rel_name(const struct sn *s, const char *type)
{
	uint64_t i;
	return xsm__strmap_get(&s->rel_types, type, strlen(type), &i) ? s->names[i] : "";
}

/* one hop: what a CI joined to an application runs on or is hosted on serves it too */
static int on_hop(struct sn *s, const xsm__json *row)
{
	const char *parent = ref(row, "parent"), *child = ref(row, "child"), *name = rel_name(s, ref(row, "type"));
	char via[160];
	uint64_t k;
	int rc = 0;

	if (strncasecmp(name, "Runs on::", 9) && strncasecmp(name, "Hosted on::", 11))
		return 0;
	if (!strcmp(parent, child) || !xsm__strmap_get(&s->served, parent, strlen(parent), &k))
		return 0;
	snprintf(via, sizeof(via), "cmdb_rel_ci %.*s %s", (int)strcspn(name, ":"), name, parent);
	/* serve() may grow links: index, never hold a pointer */
	for (; k && rc == 0; k = s->links.v[k - 1].next)
		if (s->links.v[k - 1].direct)
			rc = serve(s, child, s->links.v[k - 1].app, 0, via);
	return rc;
}

/* the CI's own reference to its business application (a field an instance may not have) */
static int on_app_field(struct sn *s, const xsm__json *row)
{
	const struct app *a;

	if (!xsm__json_get(row, s->app_field)) {
		/* no such field: the instance ignored the query and lists every CI */
		s->stop = 1;
		return 0;
	}
	if (!(a = app_of(s, ref(row, s->app_field))))
		return 0;
	return serve(s, jstr(row, "sys_id"), (size_t)(a - s->apps.v), 0, s->app_field);
}

static int on_rel(struct sn *s, const xsm__json *row)
{
	xsm__conn *c = s->c;
	xsm_jw *w = &c->jw;
	const char *parent = ref(row, "parent"), *child = ref(row, "child"), *type = ref(row, "type");
	char label[128];
	uint64_t i;
	size_t n;

	if (*parent && *child) {
		/* a CI and a business application, whatever the type: the CI serves it, on either side */
		const struct app *pa = app_of(s, parent), *ca = app_of(s, child);
		if (!pa != !ca)
			return serve(s, pa ? child : parent, (size_t)((pa ? pa : ca) - s->apps.v), 1, "cmdb_rel_ci");
	}
	if (!*parent || !*child || !xsm__strmap_get(&s->rel_types, type, strlen(type), &i)) {
		c->st.skipped++;
		return 0;
	}
	/* "Runs on::Runs": the parent runs on the child */
	n = strcspn(s->names[i], ":");
	snprintf(label, sizeof(label), "%.*s", (int)n, s->names[i]);
	for (n = 0; label[n]; n++)
		label[n] = (char)(label[n] >= 'A' && label[n] <= 'Z' ? label[n] + 32 : label[n]);
	while (n && label[n - 1] == ' ')
		label[--n] = '\0';
	if (!n) {
		c->st.skipped++;
		return 0;
	}
	xsm__conn_begin(c, "relation");
	xsm_jw_kstr(w, "label", label);
	xsm_buf_clear(&s->tmp);
	xsm_buf_printf(&s->tmp, "%s:%s", c->name, parent);
	xsm_jw_kstr(w, "from", s->tmp.ptr);
	xsm_buf_clear(&s->tmp);
	xsm_buf_printf(&s->tmp, "%s:%s", c->name, child);
	xsm_jw_kstr(w, "to", s->tmp.ptr);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	if (*jstr(row, "connection_strength"))
		xsm_jw_kstr(w, "connectionStrength", jstr(row, "connection_strength"));
	if (*jstr(row, "port"))
		xsm_jw_kstr(w, "port", jstr(row, "port"));
	xsm_jw_obj_end(w);
	return xsm__conn_emit(c);
}

/*
 * OAuth password grant (POST /oauth_token.do, form encoded): the access
 * token then goes as a Bearer header instead of basic authentication.
 */
static int oauth_token(struct sn *s, const char *user, const char *password)
{
	xsm__conn *c = s->c;
	xsm__http_resp resp;
	xsm_buf form = XSM_BUF_INIT, secret = XSM_BUF_INIT;
	xsm__json *j = NULL;
	int rc;

	memset(&resp, 0, sizeof(resp));
	if ((rc = xsm__conn_secret(c, "client_secret", &secret)) < 0)
		return rc;
	xsm_buf_puts(&form, "grant_type=password&client_id=");
	xsm__http_escape(&form, xsm__conn_get(c, "client_id", ""));
	xsm_buf_puts(&form, "&client_secret=");
	xsm__http_escape(&form, secret.ptr);
	xsm_buf_puts(&form, "&username=");
	xsm__http_escape(&form, user);
	xsm_buf_puts(&form, "&password=");
	xsm__http_escape(&form, password);
	xsm_buf_clear(&s->url);
	xsm_buf_printf(&s->url, "%s/oauth_token.do", s->base.ptr);
	if (!form.ptr || !s->url.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = xsm__conn_post_form(c, s->url.ptr, &form, &resp)) < 0)
		goto done;
	if (resp.status != 200) {
		/* 400/401 from the token endpoint both mean the credentials */
		if (resp.status == 400)
			resp.status = 401;
		rc = sn_error(s, &resp, "oauth token");
		goto done;
	}
	if (xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") < 0 || !xsm__json_getstr(j, "access_token")) {
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: oauth token: no access_token in the answer", c->name);
		goto done;
	}
	xsm_buf_clear(&s->bearer);
	if (xsm_buf_printf(&s->bearer, "Authorization: Bearer %s", xsm__json_getstr(j, "access_token")) < 0)
		rc = xsm__error_oom(c->ctx);
done:
	xsm__json_free(j);
	xsm__conn_wipe(&form);
	xsm__conn_wipe(&secret);
	xsm__conn_resp_wipe(&resp);
	return rc;
}

static int sn_open(struct sn *s, xsm__conn *c)
{
	xsm_buf pw = XSM_BUF_INIT;
	int rc;

	memset(s, 0, sizeof(*s));
	s->c = c;
	if ((rc = xsm__conn_url(c, NULL, &s->base)) < 0 ||
	    (rc = xsm__conn_getint(c, "page_size", 1000, 1, 10000, &s->page_size)) < 0 ||
	    (rc = xsm__conn_userpass(c, &s->auth)) < 0)
		return rc;
	if (!xsm__conn_get(c, "client_id", NULL))
		return 0;
	/* OAuth: the same user and password, traded for a token */
	if ((rc = xsm__conn_secret(c, "password", &pw)) == 0)
		rc = oauth_token(s, xsm__conn_get(c, "username", ""), pw.ptr);
	if (pw.ptr)
		memset(pw.ptr, 0, pw.size);
	xsm_buf_dispose(&pw);
	return rc;
}

static void sn_close(struct sn *s)
{
	size_t i;
	if (s->auth.ptr)
		memset(s->auth.ptr, 0, s->auth.size);
	if (s->bearer.ptr)
		memset(s->bearer.ptr, 0, s->bearer.size);
	xsm_buf_dispose(&s->auth);
	xsm_buf_dispose(&s->bearer);
	xsm_buf_dispose(&s->base);
	xsm_buf_dispose(&s->url);
	xsm_buf_dispose(&s->tmp);
	for (i = 0; i < s->nnames; i++)
		xsm__free(s->names[i]);
	xsm__free(s->names);
	xsm__strmap_free(&s->rel_types);
	for (i = 0; i < s->apps.n; i++) {
		xsm__free(s->apps.v[i].sys_id);
		xsm__free(s->apps.v[i].name);
	}
	xsm__vec_free(&s->apps);
	xsm__strmap_free(&s->app_ids);
	xsm__vec_free(&s->links);
	xsm__strmap_free(&s->served);
	for (i = 0; i < s->direct.n; i++)
		xsm__free(s->direct.v[i]);
	xsm__vec_free(&s->direct);
}

static int sn_count(struct sn *s, const xsm__json *row)
{
	(void)s;
	(void)row;
	return 0;
}

static int sn_test(xsm__conn *c)
{
	struct sn s;
	int rc = sn_open(&s, c);
	if (rc == 0) {
		/* one row of the CI table: proves the URL, the account and its cmdb_read role */
		s.page_size = 1;
		rc = fetch_table(&s, xsm__conn_get(c, "table", "cmdb_ci_computer"), "ORDERBYsys_id", "sys_id",
				 sn_count, "test", 1);
	}
	sn_close(&s);
	return rc;
}

/*
 * Every business application (a small table, read in full each sync).  An
 * account without read access to it, or an instance without the table,
 * still syncs its CIs: the note says what was left out.
 */
static int read_apps(struct sn *s)
{
	xsm__conn *c = s->c;
	int rc = fetch_table(s, "cmdb_ci_business_app", "ORDERBYsys_id", NULL, on_app, "cmdb_ci_business_app", 0);

	if (rc == XSM_EAUTH || rc == XSM_ENOTFOUND) {
		snprintf(c->note, sizeof(c->note), "business applications not read: %s", xsm_ctx_errmsg(c->ctx));
		xsm_ctx_clear(c->ctx);
		rc = 0;
	}
	return rc;
}

/*
 * The hop (cmdb_rel_ci rows whose parent a relation joined to an
 * application, asked for by parent, a few dozen at a time), then the CI
 * table's reference field to its application (business_app_field; none
 * to skip).
 */
static int read_hops_and_field(struct sn *s, const char *table)
{
	xsm__conn *c = s->c;
	const char *field = xsm__conn_get(c, "business_app_field", "u_primary_business_application");
	xsm_buf q = XSM_BUF_INIT, f = XSM_BUF_INIT;
	size_t i = 0, n;
	int rc = 0, bad;

	if (strspn(field, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(field) || !*field)
		return xsm__error_set(c->ctx, XSM_ECONFIG, "connector '%s': business_app_field '%.80s' is not a field name",
				      c->name, field);
	if (!s->apps.n)
		return 0;
	while (rc == 0 && i < s->direct.n) {
		xsm_buf_clear(&q);
		bad = xsm_buf_puts(&q, "parentIN") < 0;
		for (n = 0; n < 40 && i < s->direct.n; n++, i++)
			bad |= xsm_buf_printf(&q, "%s%s", n ? "," : "", s->direct.v[i]) < 0;
		bad |= xsm_buf_puts(&q, "^ORDERBYsys_id") < 0;
		rc = !bad ? fetch_table(s, "cmdb_rel_ci", q.ptr, "sys_id,parent,child,type", on_hop, "cmdb_rel_ci", 0)
			  : xsm__error_oom(c->ctx);
	}
	if (rc == 0 && strcmp(field, "none")) {
		s->app_field = field;
		xsm_buf_clear(&q);
		bad = xsm_buf_printf(&q, "%sISNOTEMPTY^ORDERBYsys_id", field) < 0;
		bad |= xsm_buf_printf(&f, "sys_id,%s", field) < 0;
		rc = !bad ? fetch_table(s, table, q.ptr, f.ptr, on_app_field, table, 0) : xsm__error_oom(c->ctx);
		s->stop = 0;
		s->app_field = NULL;
	}
	xsm_buf_dispose(&q);
	xsm_buf_dispose(&f);
	return rc;
}

static int sn_sync(xsm__conn *c)
{
	struct sn s;
	xsm_buf q = XSM_BUF_INIT;
	const char *table = xsm__conn_get(c, "table", "cmdb_ci_computer");
	int apps = strcmp(xsm__conn_get(c, "business_apps", "true"), "false") != 0;
	int rels = strcmp(xsm__conn_get(c, "relations", "true"), "false") != 0;
	long lookback;
	int rc = sn_open(&s, c);

	if (rc == 0)
		rc = xsm__conn_getint(c, "lookback_days", 90, 0, 36500, &lookback);
	if (rc < 0)
		goto done;
	if (c->cursor) {
		/* >= re-reads the boundary second; the merge replaces those CIs */
		xsm_buf_printf(&q, "sys_updated_on>=%s^ORDERBYsys_updated_on^ORDERBYsys_id", c->cursor);
		c->delta = 1;
		c->delta_assets_whole = 1;
		c->delta_relations_whole = 1; /* relations are read in full every time */
	} else if (lookback > 0) {
		char t[21];
		xsm_time_format(t, xsm_ctx_now(c->ctx) - lookback * 86400);
		t[10] = ' ';
		t[19] = '\0';
		xsm_buf_printf(&q, "sys_updated_on>=%s^ORDERBYsys_updated_on^ORDERBYsys_id", t);
	} else {
		xsm_buf_puts(&q, "ORDERBYsys_id");
	}
	if (!q.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if (apps && (rc = read_apps(&s)) < 0)
		goto done;
	if (rels) {
		if ((rc = fetch_table(&s, "cmdb_rel_type", NULL, "sys_id,name", on_rel_type, "cmdb_rel_type", 0)) < 0 ||
		    (rc = fetch_table(&s, "cmdb_rel_ci", "ORDERBYsys_id", "sys_id,parent,child,type,connection_strength,port",
				      on_rel, "cmdb_rel_ci", 0)) < 0)
			goto done;
	}
	if (apps && (rc = read_hops_and_field(&s, table)) < 0)
		goto done;
	/* the CIs last: each takes the criticality of the applications it serves */
	if ((rc = fetch_table(&s, table, q.ptr, NULL, on_ci, table, 0)) < 0)
		goto done;
	/* next time: what changed since the newest CI seen (or since the same point) */
	snprintf(c->new_cursor, sizeof(c->new_cursor), "%s", s.newest[0] ? s.newest : (c->cursor ? c->cursor : ""));
done:
	xsm_buf_dispose(&q);
	sn_close(&s);
	return rc;
}

int xsm__servicenow_parse(xsm__conn *c, const char *buf, size_t len)
{
	struct sn s;
	xsm__json *j = NULL;
	const xsm__json *row;
	int rc;

	memset(&s, 0, sizeof(s));
	s.c = c;
	if ((rc = xsm__json_parse(&j, c->ctx, buf, len, "")) == 0) {
		for (row = xsm__json_child(xsm__json_get(j, "result")); row && rc == 0; row = xsm__json_next(row))
			rc = xsm__json_get(row, "parent") ? on_rel(&s, row)
			     : !strcmp(jstr(row, "sys_class_name"), "cmdb_ci_business_app") ? on_app(&s, row)
			     : on_ci(&s, row);
	}
	xsm__json_free(j);
	sn_close(&s);
	return rc;
}

static const char *const settings[] = { "url", "username", "table", "page_size", "relations",
					"client_id", "business_apps", "business_app_field", NULL };
static const char *const secrets[] = { "password", "client_secret", NULL };
static const char *const required[] = { "url", "username", "password", NULL };

const xsm__vendor xsm__vendor_servicenow = {
	{ "servicenow",
	  "ServiceNow CMDB: computers and servers (with subclasses), their relations and business applications",
	  settings, secrets, required },
	sn_test,
	sn_sync,
	NULL,
};
