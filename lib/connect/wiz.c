/*
 * connect/wiz.c - Wiz over its GraphQL API.
 *
 * A service account's client id and secret are exchanged at the Wiz token
 * endpoint (OAuth client credentials, audience wiz-api); the token is kept
 * for the run and taken again before it expires or once after a 401.  The
 * API endpoint is the tenant's (https://api.<region>.app.wiz.io/graphql).
 * Two connections are read with Relay paging (first / after, until
 * pageInfo.hasNextPage is false): cloudResources, the inventory with the
 * graph entity's properties the classifications read, then
 * vulnerabilityFindings.  GraphQL reports errors in an "errors" array,
 * often with HTTP 200: those are errors here too; a rate limit (HTTP 429
 * or RATE_LIMIT_EXCEEDED) is waited out and retried.  An optional project
 * filter limits the sync.  Always a full sync.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/cloud.h"
#include "connect/conn.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

struct wz {
	xsm__conn *c;
	xsm_buf api, auth_url, auth, body, tmp, cursor, label;
	double expires, margin;
	size_t tokens;
	long page_size, rate_retries;
	uint64_t body_hash;         /* of the last answer (the pager's fingerprint of a page) */
	const char *projects;       /* comma-separated project ids, or NULL */
	xsm__strmap seen;           /* graph entity ids written as assets */
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

static int jbool(const xsm__json *o, const char *key)
{
	const xsm__json *v = xsm__json_get(o, key);
	if (xsm__json_type(v) == XSM_J_STRING)
		return !strcasecmp(xsm__json_str(v), "true");
	return xsm__json_bool(v);
}

/* --- the token ---------------------------------------------------------------------- */

static int take_token(struct wz *z)
{
	xsm__conn *c = z->c;
	xsm__http_resp resp;
	xsm_buf form = XSM_BUF_INIT, secret = XSM_BUF_INIT;
	const xsm__json *v;
	xsm__json *j = NULL;
	double life;
	int rc;

	memset(&resp, 0, sizeof(resp));
	xsm__conn_wipe(&z->auth);
	if ((rc = xsm__conn_secret(c, "client_secret", &secret)) < 0)
		goto done;
	xsm_buf_puts(&form, "grant_type=client_credentials&audience=");
	xsm__http_escape(&form, xsm__conn_get(c, "audience", "wiz-api"));
	xsm_buf_puts(&form, "&client_id=");
	xsm__http_escape(&form, xsm__conn_get(c, "client_id", ""));
	xsm_buf_puts(&form, "&client_secret=");
	xsm__http_escape(&form, secret.ptr ? secret.ptr : "");
	if (!form.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = xsm__conn_post_form(c, z->auth_url.ptr, &form, &resp)) < 0)
		goto done;
	if (resp.status != 200) {
		char msg[300] = "";
		if (resp.body.size && xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") == 0)
			snprintf(msg, sizeof(msg), "%s%s%s", jstr(j, "error"), *jstr(j, "error_description") ? ": " : "",
				 jstr(j, "error_description"));
		xsm_ctx_clear(c->ctx);
		if (resp.status == 400 || resp.status == 401 || resp.status == 403)
			rc = xsm__error_set(c->ctx, XSM_EAUTH,
					    "%s: token: HTTP %ld%s%s (check client_id, client_secret, and auth_url for the "
					    "tenant's identity provider)",
					    c->name, resp.status, *msg ? ": " : "", msg);
		else
			rc = xsm__conn_status(c, &resp, "token", msg);
		goto done;
	}
	if (xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") < 0 || !*jstr(j, "access_token")) {
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: token: no access_token in the answer", c->name);
		goto done;
	}
	v = xsm__json_get(j, "expires_in");
	life = xsm__json_type(v) == XSM_J_NUMBER ? xsm__json_num(v) : xsm__json_str(v) ? strtod(xsm__json_str(v), NULL)
											 : 3600;
	if (!(life > 0))
		life = 60;
	if (xsm_buf_printf(&z->auth, "Authorization: Bearer %s", jstr(j, "access_token")) < 0) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	/* taken again five minutes before it expires, or halfway through a short one */
	z->margin = life / 2 < 300 ? life / 2 : 300;
	z->expires = xsm__mono() + life;
	z->tokens++;
done:
	xsm__json_free(j);
	xsm__conn_resp_wipe(&resp);
	xsm__conn_wipe(&form);
	xsm__conn_wipe(&secret);
	return rc;
}

/* --- GraphQL ------------------------------------------------------------------------ */

/* the first error of an "errors" array: its message and extensions.code */
static int gql_error(const xsm__json *j, char *code, size_t codelen, char *msg, size_t msglen)
{
	const xsm__json *e = xsm__json_child(xsm__json_get(j, "errors"));
	code[0] = msg[0] = '\0';
	if (!e)
		return 0;
	snprintf(msg, msglen, "%s", jstr(e, "message"));
	snprintf(code, codelen, "%s", jstr(xsm__json_get(e, "extensions"), "code"));
	return 1;
}

/*
 * POST one query; *out gets the parsed answer's "data" holder (the whole
 * answer, freed by the caller).  Errors, 401s and rate limits as above.
 */
static int gql(struct wz *z, const char *what, xsm__json **out)
{
	xsm__conn *c = z->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	const char *hdrs[4];
	char code[64], msg[400];
	int rc = 0, attempt, reauth = 0;
	long limited = 0;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	for (attempt = 0;; attempt++) {
		xsm__json *j = NULL;
		if (!z->auth.size || xsm__mono() >= z->expires - z->margin) {
			if ((rc = take_token(z)) < 0)
				break;
		}
		hdrs[0] = z->auth.ptr;
		hdrs[1] = "Content-Type: application/json";
		hdrs[2] = "Accept: application/json";
		hdrs[3] = NULL;
		req.method = "POST";
		req.url = z->api.ptr;
		req.headers = hdrs;
		req.body = z->body.ptr;
		req.body_len = z->body.size;
		if ((rc = xsm__conn_http(c, &req, &resp)) < 0)
			break;
		code[0] = msg[0] = '\0';
		if (resp.body.size && xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") == 0)
			gql_error(j, code, sizeof(code), msg, sizeof(msg));
		else if (resp.status == 200) {
			char m[512];
			snprintf(m, sizeof(m), "%s", xsm_ctx_errmsg(c->ctx));
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: the answer is not JSON: %s", c->name, what, m);
			break;
		}
		xsm_ctx_clear(c->ctx);
		if ((resp.status == 401 || !strcmp(code, "UNAUTHENTICATED")) && !reauth) {
			/* expired or revoked mid-sync: a new token, once */
			xsm__log(c->ctx, "%s: %s: unauthenticated, taking a new token", c->name, what);
			reauth = 1;
			xsm__conn_wipe(&z->auth);
			xsm__json_free(j);
			continue;
		}
		if ((!strcmp(code, "RATE_LIMIT_EXCEEDED") || (resp.status == 200 && (strstr(msg, "rate limit") || strstr(msg, "Rate limit")))) &&
		    limited < z->rate_retries) {
			/* throttled in the GraphQL way: wait as asked (retryAfter, seconds), or back off */
			const xsm__json *ext = xsm__json_get(xsm__json_child(xsm__json_get(j, "errors")), "extensions");
			double wait = xsm__json_type(xsm__json_get(ext, "retryAfter")) == XSM_J_NUMBER
					      ? xsm__json_num(xsm__json_get(ext, "retryAfter"))
					      : 0.5 * (double)(1L << (limited < 6 ? limited : 6));
			if (wait > 60)
				wait = 60;
			xsm__log(c->ctx, "%s: %s: rate limited, waiting %.1fs", c->name, what, wait);
			xsm__sleep(wait);
			limited++;
			xsm__json_free(j);
			continue;
		}
		if (resp.status == 401 || resp.status == 403 || !strcmp(code, "UNAUTHENTICATED") ||
		    !strcmp(code, "FORBIDDEN") || !strcmp(code, "UNAUTHORIZED")) {
			xsm__json_free(j);
			rc = xsm__error_set(c->ctx, XSM_EAUTH, "%s: %s: %s%s%s (the service account needs read scopes for "
					    "%s)",
					    c->name, what, *code ? code : "refused", *msg ? ": " : "", msg, what);
			break;
		}
		if (resp.status != 200) {
			xsm__json_free(j);
			rc = xsm__conn_status(c, &resp, what, msg);
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EHTTP, "%s: %s: HTTP %ld", c->name, what, resp.status);
			break;
		}
		if (code[0] || msg[0] || xsm__json_get(j, "errors")) {
			xsm__json_free(j);
			if (!strcmp(code, "RATE_LIMIT_EXCEEDED"))
				rc = xsm__error_set(c->ctx, XSM_ERATELIMIT, "%s: %s: still rate limited after %ld retries",
						    c->name, what, limited);
			else
				rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: GraphQL error%s%s%s: %s", c->name, what,
						    *code ? " (" : "", code, *code ? ")" : "", *msg ? msg : "(no message)");
			break;
		}
		if (xsm__json_type(xsm__json_get(j, "data")) != XSM_J_OBJECT) {
			xsm__json_free(j);
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: an answer without data", c->name, what);
			break;
		}
		*out = j;
		z->body_hash = resp.body_hash;
		break;
	}
	xsm__http_resp_dispose(&resp);
	return rc;
}

/* the request body: the query and its variables (first, after, filterBy) */
static int gql_body(struct wz *z, const char *query, const char *after, int findings)
{
	xsm_jw w;
	xsm_buf_clear(&z->body);
	xsm_jw_init(&w, &z->body);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "query", query);
	xsm_jw_key(&w, "variables");
	xsm_jw_obj(&w);
	xsm_jw_kint(&w, "first", z->page_size);
	xsm_jw_kstr(&w, "after", after && *after ? after : NULL);
	xsm_jw_key(&w, "filterBy");
	xsm_jw_obj(&w);
	if (z->projects && *z->projects) {
		const char *p = z->projects;
		xsm_jw_key(&w, "projectId");
		xsm_jw_arr(&w);
		while (*p) {
			size_t k;
			while (*p == ',' || *p == ' ')
				p++;
			k = strcspn(p, ", ");
			if (k)
				xsm_jw_strn(&w, p, k);
			p += k;
		}
		xsm_jw_arr_end(&w);
	}
	if (findings) {
		xsm_jw_key(&w, "status");
		xsm_jw_arr(&w);
		xsm_jw_str(&w, "OPEN");
		xsm_jw_str(&w, "IN_PROGRESS");
		xsm_jw_arr_end(&w);
	}
	xsm_jw_obj_end(&w);
	xsm_jw_obj_end(&w);
	xsm_jw_obj_end(&w);
	return z->body.ptr ? 0 : xsm__error_oom(z->c->ctx);
}

/*
 * Every page of connection conn: cb gets each node.  Stops when
 * hasNextPage is false.  The framework's pager stops a walk that does not
 * advance (a cursor or a page that comes back, more pages than totalCount
 * allows); a page that says there is more but gives no cursor is an error
 * too, rather than an end that would lose the rest.
 */
static int pages(struct wz *z, const char *conn, const char *query, int findings,
		 int (*cb)(struct wz *z, const xsm__json *node))
{
	xsm__conn *c = z->c;
	xsm__pager pg;
	xsm__json *j = NULL;
	int rc;

	xsm_buf_clear(&z->cursor);
	if ((rc = xsm__pager_begin(&pg, c, conn, NULL)) < 0)
		return rc;
	for (;;) {
		const xsm__json *connj, *info, *e, *total;
		const char *next = NULL;
		size_t n = 0;
		if ((rc = gql_body(z, query, z->cursor.ptr, findings)) < 0 || (rc = gql(z, conn, &j)) < 0)
			break;
		connj = xsm__json_get(xsm__json_get(j, "data"), conn);
		if (xsm__json_type(connj) != XSM_J_OBJECT ||
		    xsm__json_type(xsm__json_get(connj, "nodes")) != XSM_J_ARRAY) {
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: the answer has no %s.nodes", c->name, conn, conn);
			break;
		}
		for (e = xsm__json_child(xsm__json_get(connj, "nodes")); e && rc == 0; e = xsm__json_next(e), n++)
			rc = cb(z, e);
		if (rc < 0)
			break;
		/* every page holds a node at least: the total bounds the pages */
		if ((total = xsm__json_get(connj, "totalCount")) && xsm__json_type(total) == XSM_J_NUMBER)
			xsm__pager_total(&pg, xsm__json_num(total), 1);
		info = xsm__json_get(connj, "pageInfo");
		if (jbool(info, "hasNextPage")) {
			next = jstr(info, "endCursor");
			if (!*next) {
				rc = xsm__error_set(c->ctx, XSM_EPROTO,
						    "%s: %s: hasNextPage without an endCursor (page %zu): stopped rather than "
						    "lose the rest",
						    c->name, conn, pg.pages + 1);
				break;
			}
		}
		if ((rc = xsm__pager_page(&pg, z->body_hash, n, next)) < 0 || !next)
			break;
		xsm_buf_set(&z->cursor, next);
		xsm__json_free(j);
		j = NULL;
	}
	xsm__json_free(j);
	xsm__pager_end(&pg);
	return rc;
}

/* --- records --------------------------------------------------------------------------- */

static int is_vm(const char *type)
{
	return !strcasecmp(type, "VIRTUAL_MACHINE") || !strcasecmp(type, "VIRTUAL_MACHINE_INSTANCE") ||
	       !strcasecmp(type, "KUBERNETES_NODE") || !strcasecmp(type, "CONTAINER_HOST");
}

/* the first present member of o among keys */
static const xsm__json *any(const xsm__json *o, const char *const *keys)
{
	const xsm__json *v;
	for (; *keys; keys++)
		if ((v = xsm__json_get(o, *keys)) && xsm__json_type(v) != XSM_J_NULL)
			return v;
	return NULL;
}

static int flag(const xsm__json *o, const char *const *keys)
{
	for (; *keys; keys++)
		if (jbool(o, *keys))
			return 1;
	return 0;
}

/* the strings of an array v (or one string), as a JSON array under key: IPv4 only when ipv4 */
static void str_list(xsm_jw *w, const char *key, const xsm__json *v, int ipv4, int private_only)
{
	const xsm__json *e;
	int n = 0;
	if (xsm__json_type(v) == XSM_J_STRING) {
		const char *s = xsm__json_str(v);
		if ((!ipv4 || xsm__is_ipv4(s)) && (!private_only || xsm__cloud_private_ipv4(s))) {
			xsm_jw_key(w, key);
			xsm_jw_arr(w);
			xsm_jw_str(w, s);
			xsm_jw_arr_end(w);
		}
		return;
	}
	for (e = xsm__json_child(v); e; e = xsm__json_next(e)) {
		const char *s = xsm__json_str(e);
		if (!s || (ipv4 && !xsm__is_ipv4(s)) || (private_only && !xsm__cloud_private_ipv4(s)))
			continue;
		if (!n++) {
			xsm_jw_key(w, key);
			xsm_jw_arr(w);
		}
		xsm_jw_str(w, s);
	}
	if (n)
		xsm_jw_arr_end(w);
}

static const char *const k_internet[] = { "hasWideInternetExposure", "hasLimitedInternetExposure",
					  "isAccessibleFromInternet", "isPublic", "publicExposure", NULL };
static const char *const k_sensitive[] = { "hasSensitiveData", "containsSensitiveData", "hasAccessToSensitiveData",
					   NULL };
static const char *const k_admin[] = { "hasAdminPrivileges", "isAdmin", NULL };
static const char *const k_high[] = { "hasHighPrivileges", NULL };
static const char *const k_container[] = { "isContainerHost", "containerHost", NULL };
static const char *const k_ephemeral[] = { "isEphemeral", "ephemeral", NULL };
static const char *const k_ips[] = { "privateIpAddresses", "privateIPAddresses", "ipAddresses", "addresses", NULL };
static const char *const k_host[] = { "hostname", "computerName", "dnsName", NULL };
static const char *const k_os[] = { "operatingSystem", "os", "osName", NULL };
static const char *const k_pid[] = { "providerUniqueId", "externalId", NULL };
static const char *const k_region[] = { "region", "location", NULL };

/*
 * One asset: ent is the graph entity (or a vulnerable asset), props its
 * properties (may be ent itself), projects a list of {id,name} or NULL.
 */
static int emit_asset(struct wz *z, const char *id, const char *name, const char *type, const xsm__json *ent,
		      const xsm__json *props, const xsm__json *projects, const char *sub)
{
	xsm__conn *c = z->c;
	xsm_jw *w = &c->jw;
	const xsm__json *v, *e;
	const char *pid = *jstr(ent, "providerUniqueId") ? jstr(ent, "providerUniqueId") : "";
	const char *nat = jstr(props, "nativeType"), *os;
	char cloud[512], host[256];
	int platform, vm = is_vm(type), container = flag(props, k_container) || !strcasecmp(type, "KUBERNETES_NODE");
	uint64_t *slot;
	int created;

	if (xsm__strmap_slot(&z->seen, id, strlen(id), &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	if (!created)
		return 0;
	if (!*pid && (v = any(props, k_pid)) && xsm__json_str(v))
		pid = xsm__json_str(v);
	platform = xsm__cloud_platform(*jstr(ent, "cloudPlatform") ? jstr(ent, "cloudPlatform") : jstr(props, "cloudPlatform"));
	xsm__cloud_id(cloud, sizeof(cloud), platform, pid);
	host[0] = '\0';
	if ((v = any(props, k_host)) && xsm__json_str(v)) {
		xsm__norm_host(host, sizeof(host), xsm__json_str(v));
		host[strcspn(host, ".")] = '\0';
	}
	if (vm) {
		xsm_buf_set(&z->label, xsm__cloud_vm_label(platform));
	} else if (!strcasecmp(type, "CONTAINER_IMAGE")) {
		xsm_buf_set(&z->label, "containerimage");
	} else if (!strcasecmp(type, "CONTAINER")) {
		xsm_buf_set(&z->label, "container");
	} else {
		xsm__cloud_label(&z->label, platform, nat, type);
	}
	if (!z->label.ptr)
		return xsm__error_oom(c->ctx);
	xsm__conn_begin(c, "asset");
	c->rec_label = vm ? "device" : !strcasecmp(type, "CONTAINER_IMAGE") ? "containerimage"
		       : !strcasecmp(type, "CONTAINER") ? "container" : NULL;
	xsm_jw_kstr(w, "label", z->label.ptr);
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, id);
	xsm_jw_kstr(w, "source_id", c->sid.ptr);
	xsm_jw_kstr(w, "name", *name ? name : *pid ? pid : id);
	xsm_jw_key(w, "keys");
	xsm_jw_obj(w);
	if (cloud[0])
		xsm_jw_kstr(w, "cloud_id", cloud);
	if (vm) {
		if (host[0])
			xsm_jw_kstr(w, "hostname", host);
		if (*jstr(props, "vmId"))
			xsm_jw_kstr(w, "azure_vm_id", jstr(props, "vmId"));
		/* a private address joins a scanner's record only together with the hostname */
		str_list(w, "ipv4", any(props, k_ips) ? any(props, k_ips) : any(ent, k_ips), 1, 1);
	}
	xsm_jw_obj_end(w);
	xsm_jw_key(w, "categories");
	xsm_jw_arr(w);
	xsm_jw_str(w, "cloud");
	if (vm)
		xsm_jw_str(w, "compute");
	else if (!strcasecmp(type, "DATABASE") || !strcasecmp(type, "DB_SERVER"))
		xsm_jw_str(w, "database");
	else if (!strcasecmp(type, "BUCKET") || !strcasecmp(type, "STORAGE_ACCOUNT"))
		xsm_jw_str(w, "storage");
	xsm_jw_arr_end(w);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	if ((v = any(props, k_os)) && (os = xsm__json_str(v)) && *os) {
		if (*xsm__os_type(os))
			xsm_jw_kstr(w, "osType", xsm__os_type(os));
		xsm_jw_kstr(w, "osName", os);
	}
	{
		char t[21];
		xsm__norm_time(t, *jstr(ent, "lastSeen") ? jstr(ent, "lastSeen") : jstr(props, "updatedAt"));
		if (t[0])
			xsm_jw_kstr(w, "lastSeen", t);
	}
	xsm_jw_kbool(w, "exposedToInternet", flag(props, k_internet) || flag(ent, k_internet));
	xsm_jw_kbool(w, "containsSensitiveData", flag(props, k_sensitive));
	xsm_jw_kbool(w, "adminPrivileges", flag(props, k_admin));
	xsm_jw_kbool(w, "highPrivileges", flag(props, k_high) || flag(props, k_admin));
	xsm_jw_kbool(w, "containerHost", container);
	xsm_jw_kbool(w, "ephemeral", flag(props, k_ephemeral));
	if (platform != XSM__CLOUD_OTHER)
		xsm_jw_kstr(w, "cloudProvider", platform == XSM__CLOUD_AZURE ? "azure" : platform == XSM__CLOUD_AWS ? "aws" : "gcp");
	if ((v = any(props, k_region)) && xsm__json_str(v) && *xsm__json_str(v))
		xsm_jw_kstr(w, "region", xsm__json_str(v));
	else if (*jstr(ent, "region"))
		xsm_jw_kstr(w, "region", jstr(ent, "region"));
	if (sub && *sub)
		xsm_jw_kstr(w, "subscriptionId", sub);
	/* tags: an object of key: value (Wiz), written "key:value" as the other connectors do */
	v = xsm__json_get(props, "tags");
	if (xsm__json_type(v) != XSM_J_OBJECT)
		v = xsm__json_get(ent, "tags");
	if (xsm__json_type(v) == XSM_J_OBJECT && xsm__json_child(v)) {
		xsm_jw_key(w, "tags");
		xsm_jw_arr(w);
		for (e = xsm__json_child(v); e; e = xsm__json_next(e)) {
			xsm_buf_clear(&z->tmp);
			xsm_buf_printf(&z->tmp, "%s:%s", xsm__json_key(e), xsm__json_str(e) ? xsm__json_str(e) : "");
			xsm_jw_str(w, z->tmp.ptr ? z->tmp.ptr : "");
		}
		xsm_jw_arr_end(w);
	}
	if (xsm__json_count(projects)) {
		xsm_jw_key(w, "projects");
		xsm_jw_arr(w);
		for (e = xsm__json_child(projects); e; e = xsm__json_next(e))
			xsm_jw_str(w, *jstr(e, "name") ? jstr(e, "name") : jstr(e, "id"));
		xsm_jw_arr_end(w);
	}
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "wiz");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "id", id);
	xsm_jw_kstr(w, "type", type);
	if (*nat)
		xsm_jw_kstr(w, "nativeType", nat);
	if (*pid)
		xsm_jw_kstr(w, "providerUniqueId", pid);
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return xsm__conn_props_end(c);
}

static int on_resource(struct wz *z, const xsm__json *node)
{
	const xsm__json *ent = xsm__json_get(node, "graphEntity"), *props;
	const char *id = *jstr(ent, "id") ? jstr(ent, "id") : jstr(node, "id");
	const char *type = *jstr(node, "type") ? jstr(node, "type") : jstr(ent, "type");

	if (!*id) {
		z->c->st.skipped++;
		return 0;
	}
	props = xsm__json_get(ent, "properties");
	if (xsm__json_type(props) != XSM_J_OBJECT)
		props = ent;
	return emit_asset(z, id, *jstr(node, "name") ? jstr(node, "name") : jstr(ent, "name"), type, ent, props,
			  xsm__json_get(ent, "projects"),
			  *jstr(node, "subscriptionExternalId") ? jstr(node, "subscriptionExternalId")
								: jstr(props, "subscriptionExternalId"));
}

static const char *sev_word(const char *s)
{
	if (!strcasecmp(s, "CRITICAL"))
		return "critical";
	if (!strcasecmp(s, "HIGH"))
		return "high";
	if (!strcasecmp(s, "MEDIUM"))
		return "medium";
	if (!strcasecmp(s, "LOW"))
		return "low";
	if (!strcasecmp(s, "NONE") || !strcasecmp(s, "INFORMATIONAL"))
		return "info";
	return NULL;
}

static int on_finding(struct wz *z, const xsm__json *f)
{
	xsm__conn *c = z->c;
	xsm_jw *w = &c->jw;
	const xsm__json *a = xsm__json_get(f, "vulnerableAsset"), *v;
	const char *aid = jstr(a, "id"), *cve = jstr(f, "name"), *status = jstr(f, "status");
	char t1[21], t2[21], cvebuf[32];
	xsm__finding fd;
	int rc;

	snprintf(cvebuf, sizeof(cvebuf), "%s", cve);
	for (size_t i = 0; i < 3 && cvebuf[i]; i++)
		cvebuf[i] = (char)toupper((unsigned char)cvebuf[i]);
	if (!*aid || !xsm__is_cve(cvebuf) || !strcasecmp(status, "REJECTED") || !strcasecmp(status, "RESOLVED")) {
		c->st.skipped++; /* a finding without a CVE, or one that is closed */
		return 0;
	}
	/* an asset the inventory did not list (a container image, a serverless function): described here */
	if ((rc = emit_asset(z, aid, jstr(a, "name"), jstr(a, "type"), a, a, xsm__json_get(f, "projects"),
			     jstr(a, "subscriptionExternalId"))) < 0)
		return rc;
	memset(&fd, 0, sizeof(fd));
	fd.asset = aid;
	fd.cve = cvebuf;
	fd.severity = sev_word(jstr(f, "CVSSSeverity"));
	if (!fd.severity)
		fd.severity = sev_word(jstr(f, "vendorSeverity"));
	v = xsm__json_get(f, "score");
	fd.cvss = xsm__json_type(v) == XSM_J_NUMBER && xsm__json_num(v) >= 0 && xsm__json_num(v) <= 10 ? xsm__json_num(v)
												: -1;
	if (!fd.severity && fd.cvss >= 0)
		fd.severity = xsm__sev_from_cvss(fd.cvss);
	fd.exploit = jbool(f, "hasExploit") || jbool(f, "hasCisaKevExploit");
	fd.status = "open";
	xsm__norm_time(t1, jstr(f, "firstDetectedAt"));
	xsm__norm_time(t2, jstr(f, "lastDetectedAt"));
	fd.first_found = t1;
	fd.last_found = t2;
	fd.reported_by = "wiz";
	xsm__conn_finding_begin(c, &fd);
	xsm_jw_kbool(w, "cisaKev", jbool(f, "hasCisaKevExploit"));
	if (*jstr(f, "detailedName"))
		xsm_jw_kstr(w, "package", jstr(f, "detailedName"));
	if (*jstr(f, "version"))
		xsm_jw_kstr(w, "version", jstr(f, "version"));
	if (*jstr(f, "fixedVersion"))
		xsm_jw_kstr(w, "fixedVersion", jstr(f, "fixedVersion"));
	if (*jstr(f, "id"))
		xsm_jw_kstr(w, "wizId", jstr(f, "id"));
	return xsm__conn_props_end(c);
}

/* --- the connector ---------------------------------------------------------------------- */

static const char q_resources[] =
	"query CloudResources($first: Int, $after: String, $filterBy: CloudResourceFilters) {"
	" cloudResources(first: $first, after: $after, filterBy: $filterBy) {"
	" nodes { id name type subscriptionId subscriptionExternalId"
	" graphEntity { id providerUniqueId name type projects { id name } properties firstSeen lastSeen } }"
	" pageInfo { hasNextPage endCursor } } }";

static const char q_findings[] =
	"query VulnerabilityFindings($first: Int, $after: String, $filterBy: VulnerabilityFindingFilters) {"
	" vulnerabilityFindings(first: $first, after: $after, filterBy: $filterBy) {"
	" nodes { id portalUrl name CVSSSeverity score hasExploit hasCisaKevExploit status vendorSeverity"
	" firstDetectedAt lastDetectedAt detailedName version fixedVersion projects { id name }"
	" vulnerableAsset { ... on VulnerableAssetBase { id type name region providerUniqueId cloudPlatform status"
	" subscriptionName subscriptionExternalId subscriptionId tags hasLimitedInternetExposure"
	" hasWideInternetExposure operatingSystem ipAddresses } } }"
	" pageInfo { hasNextPage endCursor } } }";

static int wz_open(struct wz *z, xsm__conn *c)
{
	const char *auth;
	int rc;

	memset(z, 0, sizeof(*z));
	z->c = c;
	if ((rc = xsm__conn_url(c, NULL, &z->api)) < 0 ||
	    (rc = xsm__conn_getint(c, "page_size", 500, 1, 500, &z->page_size)) < 0 ||
	    (rc = xsm__conn_getint(c, "rate_limit_retries", 8, 0, 100, &z->rate_retries)) < 0)
		return rc;
	/* the tenant's endpoint, given with or without /graphql */
	if (z->api.size < 8 || strcmp(z->api.ptr + z->api.size - 8, "/graphql"))
		xsm_buf_puts(&z->api, "/graphql");
	auth = xsm__conn_get(c, "auth_url", "https://auth.app.wiz.io/oauth/token");
	if (!xsm__http_url_allowed(auth))
		return xsm__error_set(c->ctx, XSM_ECONFIG, "%s: auth_url '%s' must be https (http only to loopback)",
				      c->name, auth);
	xsm_buf_set(&z->auth_url, auth);
	if (!*xsm__conn_get(c, "client_id", ""))
		return xsm__error_set(c->ctx, XSM_ECONFIG, "%s: client_id is not set", c->name);
	z->projects = xsm__conn_get(c, "projects", NULL);
	return z->api.ptr && z->auth_url.ptr ? 0 : xsm__error_oom(c->ctx);
}

static void wz_close(struct wz *z)
{
	xsm__conn_wipe(&z->auth);
	xsm_buf_dispose(&z->api);
	xsm_buf_dispose(&z->auth_url);
	xsm_buf_dispose(&z->body);
	xsm_buf_dispose(&z->tmp);
	xsm_buf_dispose(&z->cursor);
	xsm_buf_dispose(&z->label);
	xsm__strmap_free(&z->seen);
}

static int wz_test(xsm__conn *c)
{
	struct wz z;
	xsm__json *j = NULL;
	int rc = wz_open(&z, c);
	if (rc == 0) {
		long keep = z.page_size;
		z.page_size = 1;
		if ((rc = gql_body(&z, "query Test($first: Int, $after: String, $filterBy: CloudResourceFilters) {"
				       " cloudResources(first: $first, after: $after, filterBy: $filterBy) { nodes { id } } }",
				   NULL, 0)) == 0)
			rc = gql(&z, "cloudResources", &j);
		z.page_size = keep;
	}
	xsm__json_free(j);
	wz_close(&z);
	return rc;
}

static int wz_sync(xsm__conn *c)
{
	struct wz z;
	int rc = wz_open(&z, c);
	if (rc == 0)
		rc = pages(&z, "cloudResources", q_resources, 0, on_resource);
	if (rc == 0)
		rc = pages(&z, "vulnerabilityFindings", q_findings, 1, on_finding);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note), "%s%s; %zu token%s", z.projects ? "projects " : "all projects",
			 z.projects ? z.projects : "", z.tokens, z.tokens == 1 ? "" : "s");
	wz_close(&z);
	return rc;
}

/* a saved GraphQL answer (fuzzing, tests): cloudResources or vulnerabilityFindings nodes */
int xsm__wiz_parse(xsm__conn *c, const char *buf, size_t len)
{
	struct wz z;
	xsm__json *j = NULL;
	const xsm__json *d, *e;
	int rc;

	memset(&z, 0, sizeof(z));
	z.c = c;
	if ((rc = xsm__json_parse(&j, c->ctx, buf, len, "")) < 0)
		return rc;
	d = xsm__json_get(j, "data");
	for (e = xsm__json_child(xsm__json_get(xsm__json_get(d, "cloudResources"), "nodes")); e && rc == 0;
	     e = xsm__json_next(e))
		rc = on_resource(&z, e);
	for (e = xsm__json_child(xsm__json_get(xsm__json_get(d, "vulnerabilityFindings"), "nodes")); e && rc == 0;
	     e = xsm__json_next(e))
		rc = on_finding(&z, e);
	xsm__json_free(j);
	wz_close(&z);
	return rc;
}

static const char *const settings[] = { "url", "auth_url", "audience", "client_id", "projects", "page_size",
					"rate_limit_retries", NULL };
static const char *const secrets[] = { "client_secret", NULL };
static const char *const required[] = { "url", "client_id", "client_secret", NULL };

const xsm__vendor xsm__vendor_wiz = {
	{ "wiz", "Wiz: cloud resources and vulnerability findings (GraphQL, OAuth client credentials)", settings,
	  secrets, required },
	wz_test,
	wz_sync,
	NULL,
};
