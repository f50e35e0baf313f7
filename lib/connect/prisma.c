/*
 * connect/prisma.c - Palo Alto Networks Prisma Cloud: the CSPM asset
 * inventory, and the vulnerabilities of hosts and images from Compute
 * (CWP).
 *
 * CSPM: the access key id and secret key are exchanged at POST /login for
 * a JWT (x-redlock-auth), valid about ten minutes and renewed with GET
 * /auth_token/extend before it runs out; the API URL is the tenant's
 * stack (api, api2, api.eu, …).  The inventory is an RQL config search
 * (POST /search/api/v2/config, then /search/config/page with the
 * nextPageToken).  Compute is another server with its own console URL and
 * its own token (POST /api/v1/authenticate), so it takes its own
 * settings; hosts and images are read with offset/limit paging.  Keys of
 * machines are spelled as the Azure, Defender and scanner connectors spell
 * them (lower-case ARM id and vmId, EC2 instance id), so the same VM
 * merges.  Always a full sync.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connect/cloud.h"
#include "connect/conn.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

#define PC_DEFAULT_RQL                                                                                         \
	"config from cloud.resource where api.name IN ( 'azure-vm-list', 'aws-ec2-describe-instances', "       \
	"'gcloud-compute-instances-list', 'azure-key-vault-list', 'azure-storage-account-list', "               \
	"'aws-s3api-get-bucket-acl' ) AND resource.status = Active"

struct pc {
	xsm__conn *c;
	xsm_buf api, auth, body, url, tmp, token, label, compute, cauth;
	double expires, margin;
	size_t logins, extends;
	long page_size, compute_page;
	uint64_t body_hash;         /* of the last answer (the pager's fingerprint of a page) */
	xsm__strmap seen;
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

/* the i18nKey of an x-redlock-status header ([{"i18nKey":"invalid_credentials",…}]), or "" */
static void redlock_status(struct pc *p, const xsm__http_resp *r, char *out, size_t n)
{
	char hdr[1024];
	xsm__json *j = NULL;
	out[0] = '\0';
	if (!xsm__http_header(r, "x-redlock-status", hdr, sizeof(hdr)))
		return;
	if (xsm__json_parse(&j, p->c->ctx, hdr, strlen(hdr), "") == 0)
		snprintf(out, n, "%s", jstr(xsm__json_child(j), "i18nKey"));
	xsm_ctx_clear(p->c->ctx);
	xsm__json_free(j);
}

/* the seconds a JWT has left by its exp claim, or -1 when it does not say */
static double jwt_left(struct pc *p, const char *jwt, double now_epoch)
{
	const char *a = strchr(jwt, '.'), *b;
	xsm_buf dec = XSM_BUF_INIT;
	xsm__json *j = NULL;
	double left = -1;
	unsigned long acc = 0;
	int bits = 0;

	if (!a || !(b = strchr(a + 1, '.')))
		return -1;
	/* base64url, unpadded */
	for (const char *s = a + 1; s < b; s++) {
		int v = isupper((unsigned char)*s) ? *s - 'A' : islower((unsigned char)*s) ? *s - 'a' + 26
			: isdigit((unsigned char)*s) ? *s - '0' + 52 : (*s == '-' || *s == '+') ? 62
			: (*s == '_' || *s == '/') ? 63 : -1;
		if (v < 0)
			break;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			xsm_buf_putc(&dec, (char)((acc >> bits) & 0xff));
		}
	}
	if (dec.ptr && xsm__json_parse(&j, p->c->ctx, dec.ptr, dec.size, "") == 0 &&
	    xsm__json_type(xsm__json_get(j, "exp")) == XSM_J_NUMBER)
		left = xsm__json_num(xsm__json_get(j, "exp")) - now_epoch;
	xsm_ctx_clear(p->c->ctx);
	xsm__json_free(j);
	xsm_buf_dispose(&dec);
	return left;
}

static int set_token(struct pc *p, const char *tok)
{
	/* exp is the real clock's, whatever time the context pretends (XSM_NOW) */
	double left = jwt_left(p, tok, (double)time(NULL));
	/* the documented lifetime is ten minutes when the token does not say */
	if (left <= 0 || left > 86400)
		left = 600;
	xsm__conn_wipe(&p->auth);
	if (xsm_buf_printf(&p->auth, "x-redlock-auth: %s", tok) < 0)
		return xsm__error_oom(p->c->ctx);
	p->margin = left / 3 < 120 ? left / 3 : 120;
	p->expires = xsm__mono() + left;
	return 0;
}

/* --- CSPM: login, extend, requests ---------------------------------------------------- */

/* POST a JSON login body (it holds a secret: wiped) to p->url */
static int post_login(struct pc *p, xsm_buf *body, xsm__http_resp *resp)
{
	static const char *const hdrs[] = { "Content-Type: application/json", "Accept: application/json", NULL };
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	int rc;

	req.method = "POST";
	req.url = p->url.ptr;
	req.headers = hdrs;
	req.body = body->ptr;
	req.body_len = body->size;
	rc = body->ptr && p->url.ptr ? xsm__conn_http(p->c, &req, resp) : xsm__error_oom(p->c->ctx);
	xsm__conn_wipe(body);
	return rc;
}

static int login(struct pc *p)
{
	xsm__conn *c = p->c;
	xsm__http_resp resp;
	xsm_buf secret = XSM_BUF_INIT, body = XSM_BUF_INIT;
	xsm__json *j = NULL;
	char key[96];
	xsm_jw w;
	int rc;

	memset(&resp, 0, sizeof(resp));
	if ((rc = xsm__conn_secret(c, "secret_key", &secret)) < 0)
		return rc;
	xsm_jw_init(&w, &body);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "username", xsm__conn_get(c, "access_key_id", ""));
	xsm_jw_kstr(&w, "password", secret.ptr ? secret.ptr : "");
	if (*xsm__conn_get(c, "prisma_id", ""))
		xsm_jw_kstr(&w, "prismaId", xsm__conn_get(c, "prisma_id", ""));
	xsm_jw_obj_end(&w);
	xsm__conn_wipe(&secret);
	xsm_buf_clear(&p->url);
	xsm_buf_printf(&p->url, "%s/login", p->api.ptr);
	if ((rc = post_login(p, &body, &resp)) < 0)
		goto done;
	redlock_status(p, &resp, key, sizeof(key));
	if (resp.status == 401 || resp.status == 403) {
		if (strstr(key, "expired"))
			rc = xsm__error_set(c->ctx, XSM_EAUTH,
					    "%s: login: HTTP %ld: %s: the access key has expired (create a new one in "
					    "Settings > Access Keys)",
					    c->name, resp.status, key);
		else
			rc = xsm__error_set(c->ctx, XSM_EAUTH,
					    "%s: login: HTTP %ld%s%s: check access_key_id and the secret key, and that url is "
					    "the API URL of the tenant's stack (api, api2, api3, api.eu, api.anz, …): a key is "
					    "unknown on another stack",
					    c->name, resp.status, *key ? ": " : "", key);
		goto done;
	}
	if (resp.status == 404 || resp.status == 405 ||
	    (resp.status == 200 && (!resp.body.size || resp.body.ptr[0] != '{'))) {
		rc = xsm__error_set(c->ctx, XSM_ECONFIG,
				    "%s: login: HTTP %ld and no JSON: '%s' does not look like a Prisma Cloud API URL (give "
				    "the stack's API URL, such as https://api2.prismacloud.io, not the console's)",
				    c->name, resp.status, p->api.ptr);
		goto done;
	}
	if (resp.status != 200) {
		rc = xsm__conn_status(c, &resp, "login", key);
		goto done;
	}
	if (xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") < 0 || !*jstr(j, "token")) {
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: login: no token in the answer", c->name);
		goto done;
	}
	rc = set_token(p, jstr(j, "token"));
	p->logins++;
done:
	xsm__json_free(j);
	xsm__conn_resp_wipe(&resp);
	return rc;
}

/* GET /auth_token/extend: a fresh JWT for the one about to expire; a refused one means a new login */
static int extend(struct pc *p)
{
	xsm__conn *c = p->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	const char *hdrs[] = { p->auth.ptr, "Accept: application/json", NULL };
	xsm__json *j = NULL;
	int rc;

	memset(&resp, 0, sizeof(resp));
	xsm_buf_clear(&p->url);
	if (xsm_buf_printf(&p->url, "%s/auth_token/extend", p->api.ptr) < 0)
		return xsm__error_oom(c->ctx);
	req.url = p->url.ptr;
	req.headers = hdrs;
	if ((rc = xsm__conn_http(c, &req, &resp)) < 0)
		goto done;
	if (resp.status == 200 && xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") == 0 &&
	    *jstr(j, "token")) {
		rc = set_token(p, jstr(j, "token"));
		p->extends++;
	} else {
		xsm_ctx_clear(c->ctx);
		xsm__log(c->ctx, "%s: extending the token: HTTP %ld, logging in again", c->name, resp.status);
		rc = login(p);
	}
done:
	xsm__json_free(j);
	xsm__conn_resp_wipe(&resp);
	return rc;
}

/* POST body to path of the CSPM API; the answer parsed into *out */
static int cspm_post(struct pc *p, const char *path, const char *what, xsm__json **out)
{
	xsm__conn *c = p->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	const char *hdrs[4];
	char key[96];
	int rc = 0, attempt;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	for (attempt = 0;; attempt++) {
		if (!p->auth.size)
			rc = login(p);
		else if (xsm__mono() >= p->expires - p->margin)
			rc = extend(p);
		if (rc < 0)
			break;
		hdrs[0] = p->auth.ptr;
		hdrs[1] = "Content-Type: application/json";
		hdrs[2] = "Accept: application/json";
		hdrs[3] = NULL;
		xsm_buf_clear(&p->url);
		if (xsm_buf_printf(&p->url, "%s%s", p->api.ptr, path) < 0) {
			rc = xsm__error_oom(c->ctx);
			break;
		}
		req.method = "POST";
		req.url = p->url.ptr;
		req.headers = hdrs;
		req.body = p->body.ptr;
		req.body_len = p->body.size;
		if ((rc = xsm__conn_http(c, &req, &resp)) < 0)
			break;
		if (resp.status == 401 && attempt == 0) {
			xsm__log(c->ctx, "%s: %s: HTTP 401, logging in again", c->name, what);
			xsm__conn_wipe(&p->auth);
			continue;
		}
		if (resp.status != 200) {
			xsm__json *e = NULL;
			char msg[400] = "";
			redlock_status(p, &resp, key, sizeof(key));
			/* {"error":{"code","message"}} or the x-redlock-status key */
			if (resp.body.size && xsm__json_parse(&e, c->ctx, resp.body.ptr, resp.body.size, "") == 0) {
				const xsm__json *er = xsm__json_get(e, "error");
				snprintf(msg, sizeof(msg), "%s", *jstr(er, "message") ? jstr(er, "message") : jstr(e, "message"));
			}
			xsm_ctx_clear(c->ctx);
			xsm__json_free(e);
			if (!msg[0])
				snprintf(msg, sizeof(msg), "%s", key);
			if (resp.status == 401 || resp.status == 403)
				rc = xsm__error_set(c->ctx, XSM_EAUTH, "%s: %s: HTTP %ld%s%s (the access key's role needs read "
						    "access to %s)",
						    c->name, what, resp.status, *msg ? ": " : "", msg, what);
			else
				rc = xsm__conn_status(c, &resp, what, msg);
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EHTTP, "%s: %s: HTTP %ld", c->name, what, resp.status);
			break;
		}
		if ((rc = xsm__json_parse(out, c->ctx, resp.body.ptr, resp.body.size, "")) < 0) {
			char m[512];
			snprintf(m, sizeof(m), "%s", xsm_ctx_errmsg(c->ctx));
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: the answer is not JSON: %s", c->name, what, m);
		}
		p->body_hash = resp.body_hash;
		break;
	}
	xsm__http_resp_dispose(&resp);
	return rc;
}

/* --- CSPM: the inventory ------------------------------------------------------------- */

static int is_vm_item(const xsm__json *it)
{
	const char *t = jstr(it, "resourceType"), *api = jstr(it, "apiName");
	return strstr(t, "Virtual Machine") || !strcasecmp(t, "Instance") || !strcasecmp(t, "VM Instance") ||
	       strstr(api, "-vm-list") || strstr(api, "describe-instances") || strstr(api, "instances-list");
}

/* a string member of the raw resource JSON, searching the usual nests */
static const char *raw(const xsm__json *d, const char *key)
{
	const char *s = jstr(d, key);
	return *s ? s : jstr(xsm__json_get(d, "properties"), key);
}

static int on_item(struct pc *p, const xsm__json *it)
{
	xsm__conn *c = p->c;
	xsm_jw *w = &c->jw;
	const xsm__json *d = xsm__json_get(it, "data"), *e, *tags;
	const char *id = jstr(it, "id"), *cloud = jstr(it, "cloudType"), *name = jstr(it, "name");
	char cid[512], priv[64] = "", pub[64] = "";
	int platform = xsm__cloud_platform(cloud), vm = is_vm_item(it);
	uint64_t *slot;
	int created;

	if (!*id) {
		c->st.skipped++;
		return 0;
	}
	xsm__cloud_id(cid, sizeof(cid), platform, id);
	if (xsm__strmap_slot(&p->seen, cid, strlen(cid), &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	if (!created)
		return 0;
	if (vm) {
		xsm_buf_set(&p->label, xsm__cloud_vm_label(platform));
	} else {
		/* an Azure resource's type is in its raw JSON; others are named by the API's resource type */
		xsm__cloud_label(&p->label, platform, jstr(d, "type"), jstr(it, "resourceType"));
	}
	if (!p->label.ptr)
		return xsm__error_oom(c->ctx);
	/* AWS: the primary private and the public address; every interface's private one too */
	snprintf(priv, sizeof(priv), "%s", raw(d, "privateIpAddress"));
	snprintf(pub, sizeof(pub), "%s", raw(d, "publicIpAddress"));
	xsm__conn_begin(c, "asset");
	c->rec_label = vm ? "device" : NULL;
	xsm_jw_kstr(w, "label", p->label.ptr);
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, cid);
	xsm_jw_kstr(w, "source_id", c->sid.ptr);
	xsm_jw_kstr(w, "name", *name ? name : id);
	xsm_jw_key(w, "keys");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "cloud_id", cid);
	if (vm && *raw(d, "vmId"))
		xsm_jw_kstr(w, "azure_vm_id", raw(d, "vmId"));
	if (vm && xsm__cloud_private_ipv4(priv)) {
		xsm_jw_key(w, "ipv4");
		xsm_jw_arr(w);
		xsm_jw_str(w, priv);
		xsm_jw_arr_end(w);
	}
	xsm_jw_obj_end(w);
	xsm_jw_key(w, "categories");
	xsm_jw_arr(w);
	xsm_jw_str(w, "cloud");
	if (vm)
		xsm_jw_str(w, "compute");
	else if (strstr(p->label.ptr, "storage") || strstr(p->label.ptr, "bucket") || strstr(p->label.ptr, "s3"))
		xsm_jw_str(w, "storage");
	xsm_jw_arr_end(w);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	{
		const char *os = *jstr(d, "platform") ? jstr(d, "platform")
				 : jstr(xsm__json_get(xsm__json_get(xsm__json_get(d, "properties"), "storageProfile"),
						      "osDisk"),
					"osType");
		if (vm && *os)
			xsm_jw_kstr(w, "osType", !strcasecmp(os, "windows") ? "windows" : "linux");
	}
	xsm_jw_kbool(w, "exposedToInternet", *pub != '\0');
	if (*pub)
		xsm_jw_kstr(w, "publicIp", pub);
	if (platform != XSM__CLOUD_OTHER)
		xsm_jw_kstr(w, "cloudProvider", platform == XSM__CLOUD_AZURE ? "azure" : platform == XSM__CLOUD_AWS ? "aws" : "gcp");
	if (*jstr(it, "regionId"))
		xsm_jw_kstr(w, "region", jstr(it, "regionId"));
	if (*jstr(it, "accountId"))
		xsm_jw_kstr(w, "subscriptionId", jstr(it, "accountId"));
	if (*jstr(it, "accountName"))
		xsm_jw_kstr(w, "accountName", jstr(it, "accountName"));
	if (*jstr(it, "resourceType"))
		xsm_jw_kstr(w, "resourceType", jstr(it, "resourceType"));
	{
		const xsm__json *hw = xsm__json_get(xsm__json_get(d, "properties"), "hardwareProfile");
		const char *sku = *jstr(hw, "vmSize") ? jstr(hw, "vmSize") : jstr(d, "instanceType");
		if (*sku)
			xsm_jw_kstr(w, "sku", sku);
	}
	/* tags: Azure {"k":"v"}, AWS [{"key","value"}]; the item's own tags list as a fallback */
	tags = xsm__json_get(d, "tags");
	if (!xsm__json_count(tags))
		tags = xsm__json_get(it, "tags");
	if (xsm__json_count(tags)) {
		xsm_jw_key(w, "tags");
		xsm_jw_arr(w);
		for (e = xsm__json_child(tags); e; e = xsm__json_next(e)) {
			xsm_buf_clear(&p->tmp);
			if (xsm__json_type(tags) == XSM_J_OBJECT)
				xsm_buf_printf(&p->tmp, "%s:%s", xsm__json_key(e), xsm__json_str(e) ? xsm__json_str(e) : "");
			else
				xsm_buf_printf(&p->tmp, "%s:%s", *jstr(e, "key") ? jstr(e, "key") : jstr(e, "Key"),
					       *jstr(e, "value") ? jstr(e, "value") : jstr(e, "Value"));
			xsm_jw_str(w, p->tmp.ptr ? p->tmp.ptr : "");
		}
		xsm_jw_arr_end(w);
	}
	/* network interfaces: AWS networkInterfaces[], Azure properties.networkProfile.networkInterfaces[] */
	{
		const xsm__json *nics = xsm__json_get(d, "networkInterfaces");
		if (!nics)
			nics = xsm__json_get(xsm__json_get(xsm__json_get(d, "properties"), "networkProfile"),
					     "networkInterfaces");
		if (xsm__json_count(nics)) {
			xsm_jw_key(w, "networkInterfaces");
			xsm_jw_arr(w);
			for (e = xsm__json_child(nics); e; e = xsm__json_next(e))
				xsm_jw_str(w, *jstr(e, "networkInterfaceId") ? jstr(e, "networkInterfaceId") : jstr(e, "id"));
			xsm_jw_arr_end(w);
		}
	}
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "prismacloud");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "id", id);
	if (*jstr(it, "rrn"))
		xsm_jw_kstr(w, "rrn", jstr(it, "rrn"));
	if (*jstr(it, "assetId"))
		xsm_jw_kstr(w, "assetId", jstr(it, "assetId"));
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	if ((created = xsm__conn_props_end(c)) < 0)
		return created;
	/* the machine's managed identity (Azure): it can authenticate as it */
	if (vm && platform == XSM__CLOUD_AZURE && *jstr(xsm__json_get(d, "identity"), "principalId")) {
		xsm__identity mi;
		const char *pid = jstr(xsm__json_get(d, "identity"), "principalId");
		xsm_buf_clear(&p->tmp);
		xsm_buf_printf(&p->tmp, "mi:%s", pid);
		memset(&mi, 0, sizeof(mi));
		mi.label = "managedidentity";
		mi.id = p->tmp.ptr;
		mi.name = NULL;
		mi.aad_object_id = pid;
		if (xsm__strmap_slot(&p->seen, p->tmp.ptr, p->tmp.size, &slot, &created) < 0)
			return xsm__error_oom(c->ctx);
		if (created) {
			xsm__conn_identity_begin(c, &mi);
			xsm_jw_kstr(w, "identityType", "SystemAssigned");
			if ((created = xsm__conn_props_end(c)) < 0)
				return created;
		}
		xsm__conn_relation_begin(c, "can authenticate as", cid, p->tmp.ptr);
		return xsm__conn_props_end(c);
	}
	return 0;
}

/* one paged CSPM search: a query, then pageToken pages, each row to on_row */
struct search {
	const char *what;        /* in messages and the pager */
	const char *first, *page; /* the query's path and the next pages' */
	const char *data;        /* the member that holds items and nextPageToken, or NULL for the answer */
	const char *items_name;  /* how messages name the items */
	int resource_json;       /* ask for each resource's JSON */
	int totals;              /* the answer's totalRows bounds the pages */
	int (*on_row)(struct pc *p, const xsm__json *it);
};

static int search(struct pc *p, const struct search *s, const char *rql)
{
	xsm__conn *c = p->c;
	xsm_buf prev = XSM_BUF_INIT;
	xsm__pager pg;
	xsm__json *j = NULL;
	xsm_jw w;
	int rc, first = 1;

	if ((rc = xsm__pager_begin(&pg, c, s->what, NULL)) < 0)
		return rc;
	for (;;) {
		const xsm__json *d, *e, *total;
		const char *next;
		size_t n = 0;
		xsm_buf_clear(&p->body);
		xsm_jw_init(&w, &p->body);
		xsm_jw_obj(&w);
		if (first)
			xsm_jw_kstr(&w, "query", rql);
		else
			xsm_jw_kstr(&w, "pageToken", prev.ptr);
		xsm_jw_kint(&w, "limit", p->page_size);
		if (s->resource_json)
			xsm_jw_kbool(&w, "withResourceJson", 1);
		xsm_jw_obj_end(&w);
		if (!p->body.ptr) {
			rc = xsm__error_oom(c->ctx);
			break;
		}
		if ((rc = cspm_post(p, first ? s->first : s->page, s->what, &j)) < 0)
			break;
		d = s->data ? xsm__json_get(j, s->data) : j;
		if (xsm__json_type(xsm__json_get(d, "items")) != XSM_J_ARRAY) {
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: an answer without %s", c->name, s->what,
					    s->items_name);
			break;
		}
		for (e = xsm__json_child(xsm__json_get(d, "items")); e && rc == 0; e = xsm__json_next(e), n++)
			rc = s->on_row(p, e);
		if (rc < 0)
			break;
		/* every page holds an item at least: totalRows bounds the pages */
		if (s->totals && (total = xsm__json_get(d, "totalRows")) && xsm__json_type(total) == XSM_J_NUMBER)
			xsm__pager_total(&pg, xsm__json_num(total), 1);
		next = jstr(d, "nextPageToken");
		if ((rc = xsm__pager_page(&pg, p->body_hash, n, next)) < 0 || !*next)
			break;
		xsm_buf_set(&prev, next);
		first = 0;
		xsm__json_free(j);
		j = NULL;
	}
	xsm__json_free(j);
	xsm_buf_dispose(&prev);
	xsm__pager_end(&pg);
	return rc;
}

static int inventory(struct pc *p)
{
	static const struct search s = { "config search", "/search/api/v2/config", "/search/config/page", NULL, "items",
					 1, 1, on_item };
	return search(p, &s, xsm__conn_get(p->c, "rql", PC_DEFAULT_RQL));
}

/* --- CSPM: IAM permissions (who can do what on which resource) ------------------------------- */

static int is_guid(const char *s)
{
	size_t i;
	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * One permission row: an identity (source) granted an action on a
 * resource (dest) by a policy (the role).  Rows of one (source, dest,
 * role) become one "has role on" relation.  A source Prisma names by a
 * directory object id is the managed identity the inventory described.
 */
static int on_permission(struct pc *p, const xsm__json *it)
{
	xsm__conn *c = p->c;
	const char *src = jstr(it, "sourceResourceId"), *dst = jstr(it, "destResourceId");
	const char *role = *jstr(it, "grantedByCloudPolicyName") ? jstr(it, "grantedByCloudPolicyName")
								 : jstr(it, "grantedByCloudEntityName");
	char scid[512], dcid[512];
	xsm_buf key = XSM_BUF_INIT, from = XSM_BUF_INIT;
	uint64_t *slot, known;
	int created, rc = 0;

	if (!*src || !*dst) {
		c->st.skipped++;
		return 0;
	}
	xsm__cloud_id(dcid, sizeof(dcid), xsm__cloud_platform(jstr(it, "destCloudType")), dst);
	if (is_guid(src))
		xsm_buf_printf(&from, "mi:%s", src);
	else {
		xsm__cloud_id(scid, sizeof(scid), xsm__cloud_platform(jstr(it, "sourceCloudType")), src);
		xsm_buf_set(&from, scid);
	}
	xsm_buf_printf(&key, "r\t%s\t%s\t%s", from.ptr ? from.ptr : "", dcid, role);
	if (!key.ptr || !from.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	/* both ends must be assets of this run; the identity is described here when the inventory did not */
	if (!xsm__strmap_get(&p->seen, dcid, strlen(dcid), &known) ||
	    (!is_guid(src) && !xsm__strmap_get(&p->seen, from.ptr, from.size, &known))) {
		c->st.skipped++;
		goto done;
	}
	if (xsm__strmap_slot(&p->seen, key.ptr, key.size, &slot, &created) < 0) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if (!created)
		goto done;
	if (is_guid(src)) {
		if (xsm__strmap_slot(&p->seen, from.ptr, from.size, &slot, &created) < 0) {
			rc = xsm__error_oom(c->ctx);
			goto done;
		}
		if (created) {
			xsm__identity mi;
			memset(&mi, 0, sizeof(mi));
			mi.label = strstr(jstr(it, "sourceResourceType"), "Service Principal") ? "serviceprincipal"
												: "managedidentity";
			mi.id = from.ptr;
			mi.name = *jstr(it, "sourceResourceName") ? jstr(it, "sourceResourceName") : NULL;
			mi.aad_object_id = src;
			xsm__conn_identity_begin(c, &mi);
			if ((rc = xsm__conn_props_end(c)) < 0)
				goto done;
		}
	}
	xsm__conn_relation_begin(c, "has role on", from.ptr, dcid);
	xsm_jw_kstr(&c->jw, "role", role);
	xsm_jw_kstr(&c->jw, "reportedBy", "prismacloud");
	rc = xsm__conn_props_end(c);
done:
	xsm_buf_dispose(&key);
	xsm_buf_dispose(&from);
	return rc;
}

static int permissions(struct pc *p, const char *rql)
{
	static const struct search s = { "IAM permissions", "/api/v1/permission", "/api/v1/permission/page", "data",
					 "data.items", 0, 0, on_permission };
	return search(p, &s, rql);
}

/* --- Compute (CWP) ------------------------------------------------------------------------ */

static int compute_login(struct pc *p)
{
	xsm__conn *c = p->c;
	xsm__http_resp resp;
	xsm_buf secret = XSM_BUF_INIT, body = XSM_BUF_INIT;
	const char *user = xsm__conn_get(c, "compute_username", xsm__conn_get(c, "access_key_id", ""));
	xsm__json *j = NULL;
	xsm_jw w;
	int rc;

	memset(&resp, 0, sizeof(resp));
	/* Compute's own secret, or the CSPM access key's (SaaS consoles accept it) */
	rc = xsm__conn_secret(c, "compute_password", &secret);
	if (rc == XSM_ECONFIG && !*xsm__conn_get(c, "compute_password_env", "") &&
	    !*xsm__conn_get(c, "compute_password_file", "")) {
		xsm_ctx_clear(c->ctx);
		rc = xsm__conn_secret(c, "secret_key", &secret);
	}
	if (rc < 0)
		return rc;
	xsm_jw_init(&w, &body);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "username", user);
	xsm_jw_kstr(&w, "password", secret.ptr ? secret.ptr : "");
	xsm_jw_obj_end(&w);
	xsm__conn_wipe(&secret);
	xsm_buf_clear(&p->url);
	xsm_buf_printf(&p->url, "%s/api/v1/authenticate", p->compute.ptr);
	if ((rc = post_login(p, &body, &resp)) < 0)
		goto done;
	if (resp.status == 401 || resp.status == 403) {
		rc = xsm__error_set(c->ctx, XSM_EAUTH,
				    "%s: compute: authenticate: HTTP %ld: check compute_username and compute_password (or "
				    "the access key) and compute_url (the console's URL from Compute > Manage > System > "
				    "Utilities, not the CSPM API URL)",
				    c->name, resp.status);
		goto done;
	}
	if (resp.status == 404 || resp.status == 405) {
		rc = xsm__error_set(c->ctx, XSM_ECONFIG,
				    "%s: compute: HTTP %ld at /api/v1/authenticate: '%s' does not look like a Compute "
				    "console URL",
				    c->name, resp.status, p->compute.ptr);
		goto done;
	}
	if (resp.status != 200) {
		rc = xsm__conn_status(c, &resp, "compute authenticate", NULL);
		goto done;
	}
	if (xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") < 0 || !*jstr(j, "token")) {
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: compute: authenticate: no token in the answer", c->name);
		goto done;
	}
	xsm__conn_wipe(&p->cauth);
	if (xsm_buf_printf(&p->cauth, "Authorization: Bearer %s", jstr(j, "token")) < 0)
		rc = xsm__error_oom(c->ctx);
done:
	xsm__json_free(j);
	xsm__conn_resp_wipe(&resp);
	return rc;
}

static int compute_get(struct pc *p, const char *path, long offset, const char *what, xsm__json **out, long *total)
{
	xsm__conn *c = p->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	const char *hdrs[3];
	int rc = 0, attempt;

	*out = NULL;
	*total = -1;
	memset(&resp, 0, sizeof(resp));
	for (attempt = 0;; attempt++) {
		if (!p->cauth.size && (rc = compute_login(p)) < 0)
			break;
		hdrs[0] = p->cauth.ptr;
		hdrs[1] = "Accept: application/json";
		hdrs[2] = NULL;
		xsm_buf_clear(&p->url);
		if (xsm_buf_printf(&p->url, "%s%s?offset=%ld&limit=%ld", p->compute.ptr, path, offset, p->compute_page) <
		    0) {
			rc = xsm__error_oom(c->ctx);
			break;
		}
		req.url = p->url.ptr;
		req.headers = hdrs;
		if ((rc = xsm__conn_http(c, &req, &resp)) < 0)
			break;
		if (resp.status == 401 && attempt == 0) {
			xsm__conn_wipe(&p->cauth);
			continue;
		}
		if (resp.status != 200) {
			rc = resp.status == 401 || resp.status == 403
				     ? xsm__error_set(c->ctx, XSM_EAUTH, "%s: %s: HTTP %ld (the Compute role needs read "
						      "access to %s)", c->name, what, resp.status, what)
				     : xsm__conn_status(c, &resp, what, NULL);
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EHTTP, "%s: %s: HTTP %ld", c->name, what, resp.status);
			break;
		}
		{
			char tc[32];
			if (xsm__http_header(&resp, "total-count", tc, sizeof(tc)))
				*total = strtol(tc, NULL, 10);
		}
		p->body_hash = resp.body_hash;
		/* an empty collection is "null" */
		if (resp.body.size >= 4 && !strncmp(resp.body.ptr, "null", 4))
			break;
		if ((rc = xsm__json_parse(out, c->ctx, resp.body.ptr, resp.body.size, "")) < 0 ||
		    xsm__json_type(*out) != XSM_J_ARRAY) {
			xsm__json_free(*out);
			*out = NULL;
			xsm_ctx_clear(c->ctx);
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: the answer is not a JSON array", c->name, what);
		}
		break;
	}
	xsm__http_resp_dispose(&resp);
	return rc;
}

static int has_factor(const xsm__json *v, const char *prefix)
{
	const xsm__json *f;
	for (f = xsm__json_child(xsm__json_get(v, "riskFactors")); f; f = xsm__json_next(f))
		if (xsm__json_key(f) && !strncasecmp(xsm__json_key(f), prefix, strlen(prefix)))
			return 1;
	return 0;
}

static int compute_entity(struct pc *p, const xsm__json *h, int image)
{
	xsm__conn *c = p->c;
	xsm_jw *w = &c->jw;
	const xsm__json *cm = xsm__json_get(h, "cloudMetadata"), *v;
	const char *hn = jstr(h, "hostname"), *rid = jstr(cm, "resourceID");
	char host[256], fqdn[300], cid[512], t[21];
	int platform = xsm__cloud_platform(jstr(cm, "provider")), rc;
	uint64_t *slot;
	int created;

	xsm_buf_clear(&p->tmp);
	if (image)
		xsm_buf_printf(&p->tmp, "image:%s", jstr(h, "_id"));
	else
		xsm_buf_printf(&p->tmp, "host:%s", *hn ? hn : jstr(h, "_id"));
	if (!p->tmp.ptr)
		return xsm__error_oom(c->ctx);
	if (p->tmp.size <= 6) {
		c->st.skipped++;
		return 0;
	}
	xsm_buf_set(&p->label, p->tmp.ptr);
	cid[0] = '\0';
	if (!image) {
		uint64_t known;
		xsm__cloud_id(cid, sizeof(cid), platform, rid);
		/* a host the inventory listed: its findings go to that record, not to a second one */
		if (cid[0] && xsm__strmap_get(&p->seen, cid, strlen(cid), &known))
			xsm_buf_set(&p->label, cid);
	}
	if (!p->label.ptr)
		return xsm__error_oom(c->ctx);
	if (xsm__strmap_slot(&p->seen, p->label.ptr, p->label.size, &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	xsm__norm_time(t, jstr(h, "scanTime"));
	if (created && !image) {
		xsm__device d;
		xsm__norm_host(fqdn, sizeof(fqdn), hn);
		snprintf(host, sizeof(host), "%.*s", (int)strcspn(fqdn, "."), fqdn);
		if (!strchr(fqdn, '.'))
			fqdn[0] = '\0';
		memset(&d, 0, sizeof(d));
		d.id = p->label.ptr;
		d.hostname = host;
		d.fqdn = fqdn;
		d.cloud_id = cid;
		d.os = jstr(h, "distro");
		d.last_seen = t;
		d.ipv4 = xsm__cloud_private_ipv4(jstr(h, "ipv4")) ? jstr(h, "ipv4") : NULL;
		xsm__conn_device_begin(c, &d);
		xsm_jw_kbool(w, "exposedToInternet", has_factor(h, "Internet") || has_factor(h, "Exposed"));
		if (platform != XSM__CLOUD_OTHER)
			xsm_jw_kstr(w, "cloudProvider", platform == XSM__CLOUD_AZURE ? "azure" : platform == XSM__CLOUD_AWS ? "aws" : "gcp");
		xsm_jw_key(w, "raw");
		xsm_jw_obj(w);
		xsm_jw_key(w, "prismacloud");
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "computeId", jstr(h, "_id"));
		xsm_jw_obj_end(w);
		xsm_jw_obj_end(w);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	} else if (created) {
		xsm__identity d;
		const char *tag = jstr(xsm__json_get(h, "instances") ? xsm__json_child(xsm__json_get(h, "instances")) : NULL,
				       "image");
		memset(&d, 0, sizeof(d));
		d.label = "containerimage";
		d.id = p->label.ptr;
		d.name = *tag ? tag : *jstr(xsm__json_get(h, "repoTag"), "repo") ? jstr(xsm__json_get(h, "repoTag"), "repo")
									 : jstr(h, "_id");
		d.category = "container";
		d.last_seen = t;
		xsm__conn_identity_begin(c, &d);
		c->rec_label = "containerimage";
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	/* its vulnerabilities */
	for (v = xsm__json_child(xsm__json_get(h, "vulnerabilities")); v; v = xsm__json_next(v)) {
		const char *cve = *jstr(v, "cve") ? jstr(v, "cve") : jstr(v, "id");
		const xsm__json *sc = xsm__json_get(v, "cvss");
		char t1[21];
		xsm__finding fd;
		if (!xsm__is_cve(cve)) {
			c->st.skipped++;
			continue;
		}
		memset(&fd, 0, sizeof(fd));
		fd.asset = p->label.ptr;
		fd.cve = cve;
		fd.cvss = xsm__json_type(sc) == XSM_J_NUMBER && xsm__json_num(sc) >= 0 && xsm__json_num(sc) <= 10
				  ? xsm__json_num(sc) : -1;
		fd.severity = !strcasecmp(jstr(v, "severity"), "critical") ? "critical"
			      : !strcasecmp(jstr(v, "severity"), "high")   ? "high"
			      : !strcasecmp(jstr(v, "severity"), "medium") || !strcasecmp(jstr(v, "severity"), "moderate")
				      ? "medium"
			      : !strcasecmp(jstr(v, "severity"), "low") ? "low"
			      : fd.cvss >= 0			       ? xsm__sev_from_cvss(fd.cvss)
								       : NULL;
		fd.exploit = has_factor(v, "Exploit exists") || *jstr(v, "exploit") || xsm__json_count(xsm__json_get(v, "exploits"));
		fd.rce = has_factor(v, "Remote execution");
		fd.status = "open";
		xsm__norm_time(t1, *jstr(v, "discovered") ? jstr(v, "discovered") : jstr(v, "discoveredDate"));
		fd.first_found = t1;
		fd.last_found = t;
		fd.reported_by = "prismacloud";
		xsm__conn_finding_begin(c, &fd);
		if (*jstr(v, "packageName"))
			xsm_jw_kstr(w, "package", jstr(v, "packageName"));
		if (*jstr(v, "packageVersion"))
			xsm_jw_kstr(w, "version", jstr(v, "packageVersion"));
		if (*jstr(v, "status"))
			xsm_jw_kstr(w, "fixStatus", jstr(v, "status"));
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

static int compute(struct pc *p, const char *path, int image)
{
	xsm__conn *c = p->c;
	xsm__pager pg;
	xsm__json *j = NULL;
	long offset = 0, total = -1;
	int rc;

	if ((rc = xsm__pager_begin(&pg, c, image ? "compute images" : "compute hosts", "0")) < 0)
		return rc;
	for (;;) {
		const xsm__json *e;
		char next[32];
		size_t n;
		if ((rc = compute_get(p, path, offset, image ? "compute images" : "compute hosts", &j, &total)) < 0 || !j)
			break;
		n = xsm__json_count(j);
		for (e = xsm__json_child(j); e && rc == 0; e = xsm__json_next(e))
			rc = compute_entity(p, e, image);
		xsm__json_free(j);
		j = NULL;
		if (rc < 0)
			break;
		offset += (long)n;
		/* Total-Count says when it is over; without it, a page shorter than asked (a console may cap it) is not */
		if (total >= 0)
			xsm__pager_total(&pg, (double)total, 1);
		next[0] = '\0';
		if (n && !(total >= 0 && offset >= total))
			snprintf(next, sizeof(next), "%ld", offset);
		if ((rc = xsm__pager_page(&pg, p->body_hash, n, next)) < 0 || !next[0])
			break;
	}
	xsm__json_free(j);
	xsm__pager_end(&pg);
	return rc;
}

/* --- the connector ----------------------------------------------------------------------- */

static int pc_open(struct pc *p, xsm__conn *c)
{
	const char *cu;
	int rc;

	memset(p, 0, sizeof(*p));
	p->c = c;
	if ((rc = xsm__conn_url(c, NULL, &p->api)) < 0 ||
	    (rc = xsm__conn_getint(c, "page_size", 100, 1, 100, &p->page_size)) < 0 ||
	    (rc = xsm__conn_getint(c, "compute_page_size", 50, 1, 250, &p->compute_page)) < 0)
		return rc;
	if (!*xsm__conn_get(c, "access_key_id", ""))
		return xsm__error_set(c->ctx, XSM_ECONFIG, "%s: access_key_id is not set", c->name);
	if ((cu = xsm__conn_get(c, "compute_url", NULL)) && *cu) {
		if (!xsm__http_url_allowed(cu))
			return xsm__error_set(c->ctx, XSM_ECONFIG,
					      "%s: compute_url '%s' must be https (http only to loopback)", c->name, cu);
		xsm_buf_set(&p->compute, cu);
		while (p->compute.size && p->compute.ptr[p->compute.size - 1] == '/')
			p->compute.ptr[--p->compute.size] = '\0';
	}
	return 0;
}

static void pc_close(struct pc *p)
{
	xsm__conn_wipe(&p->auth);
	xsm__conn_wipe(&p->cauth);
	xsm_buf_dispose(&p->api);
	xsm_buf_dispose(&p->body);
	xsm_buf_dispose(&p->url);
	xsm_buf_dispose(&p->tmp);
	xsm_buf_dispose(&p->token);
	xsm_buf_dispose(&p->label);
	xsm_buf_dispose(&p->compute);
	xsm__strmap_free(&p->seen);
}

static int pc_test(xsm__conn *c)
{
	struct pc p;
	int rc = pc_open(&p, c);
	if (rc == 0)
		rc = login(&p);
	if (rc == 0 && p.compute.size)
		rc = compute_login(&p);
	pc_close(&p);
	return rc;
}

static int pc_sync(xsm__conn *c)
{
	struct pc p;
	int rc = pc_open(&p, c);
	if (rc == 0)
		rc = inventory(&p);
	if (rc == 0 && *xsm__conn_get(c, "iam_rql", ""))
		rc = permissions(&p, xsm__conn_get(c, "iam_rql", ""));
	if (rc == 0 && p.compute.size && (rc = compute(&p, "/api/v1/hosts", 0)) == 0)
		rc = compute(&p, "/api/v1/images", 1);
	if (rc == 0)
		snprintf(c->note, sizeof(c->note), "inventory%s; %zu login%s, %zu token extension%s",
			 p.compute.size ? " and Compute hosts and images" : " only (no compute_url: no vulnerabilities)",
			 p.logins, p.logins == 1 ? "" : "s", p.extends, p.extends == 1 ? "" : "s");
	pc_close(&p);
	return rc;
}

/* a saved answer (fuzzing): a config search page, or a Compute hosts or images array */
int xsm__prisma_parse(xsm__conn *c, const char *buf, size_t len)
{
	struct pc p;
	xsm__json *j = NULL;
	const xsm__json *e;
	int rc;

	memset(&p, 0, sizeof(p));
	p.c = c;
	if ((rc = xsm__json_parse(&j, c->ctx, buf, len, "")) < 0)
		return rc;
	if (xsm__json_type(j) == XSM_J_ARRAY)
		for (e = xsm__json_child(j); e && rc == 0; e = xsm__json_next(e))
			rc = compute_entity(&p, e, *jstr(e, "hostname") ? 0 : 1);
	else
		for (e = xsm__json_child(xsm__json_get(j, "items")); e && rc == 0; e = xsm__json_next(e))
			rc = on_item(&p, e);
	xsm__json_free(j);
	pc_close(&p);
	return rc;
}

static const char *const settings[] = { "url", "access_key_id", "prisma_id", "rql", "iam_rql", "page_size", "compute_url",
					"compute_username", "compute_page_size", NULL };
static const char *const secrets[] = { "secret_key", "compute_password", NULL };
static const char *const required[] = { "url", "access_key_id", "secret_key", NULL };

const xsm__vendor xsm__vendor_prismacloud = {
	{ "prismacloud",
	  "Palo Alto Prisma Cloud: asset inventory (RQL) and Compute host and image vulnerabilities", settings, secrets,
	  required },
	pc_test,
	pc_sync,
	NULL,
};
