/*
 * connect/msauth.c - the Microsoft identity platform and the request,
 * error and paging conventions of Defender, Graph and ARM (see msauth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "adapt/crypto.h"
#include "connect/msauth.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

static int has_secret(const xsm__conn *c, const char *name)
{
	char k[64];
	snprintf(k, sizeof(k), "%s_env", name);
	if (xsm__conn_get(c, name, NULL) || xsm__conn_get(c, k, NULL))
		return 1;
	snprintf(k, sizeof(k), "%s_file", name);
	return xsm__conn_get(c, k, NULL) != NULL;
}

int xsm__ms_open(xsm__ms *m, xsm__conn *c, const char *api_dflt, const char *resource_dflt, long calls_per_minute)
{
	const char *tenant = xsm__conn_get(c, "tenant", NULL), *client = xsm__conn_get(c, "client_id", NULL);
	const char *authority = xsm__conn_get(c, "authority", "https://login.microsoftonline.com");
	const char *resource = xsm__conn_get(c, "resource", resource_dflt);
	long cpm;
	int rc;

	memset(m, 0, sizeof(*m));
	m->c = c;
	m->fd = -1;
	if (!tenant || !client)
		return xsm__error_set(c->ctx, XSM_ECONFIG, "connector '%s' has no %s", c->name, tenant ? "client_id" : "tenant");
	/* the tenant goes into a URL path: a GUID or a domain name */
	if (strspn(tenant, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(tenant))
		return xsm__error_set(c->ctx, XSM_ECONFIG,
				      "connector '%s': tenant '%s' is neither a tenant id nor a domain name", c->name, tenant);
	if (!xsm__http_url_allowed(authority))
		return xsm__error_set(c->ctx, XSM_ECONFIG,
				      "connector '%s': authority '%s' is not allowed (https://, or http:// to loopback)",
				      c->name, authority);
	if (!has_secret(c, "client_secret") && !has_secret(c, "private_key"))
		return xsm__error_set(c->ctx, XSM_ECONFIG,
				      "connector '%s' has no credential: give a client secret (--client-secret-env, "
				      "-file or -stdin) or a certificate's key (--private-key-file)",
				      c->name);
	if ((rc = xsm__conn_url(c, api_dflt, &m->api)) < 0 ||
	    (rc = xsm__conn_getint(c, "calls_per_minute", calls_per_minute, 0, 1000000, &cpm)) < 0)
		return rc;
	m->min_interval = cpm > 0 ? 60.0 / (double)cpm : 0;
	if (xsm_buf_printf(&m->token_url, "%.*s/%s/oauth2/v2.0/token", (int)strcspn(authority, "?#"), authority,
			   tenant) < 0 ||
	    xsm_buf_printf(&m->scope, "%s/.default", resource) < 0)
		return xsm__error_oom(c->ctx);
	/* "https://login.microsoftonline.com//t/…" from an authority with a trailing '/' */
	{
		char *p = strstr(m->token_url.ptr, "://");
		char *d = p ? strstr(p + 3, "//") : NULL;
		if (d)
			memmove(d, d + 1, strlen(d));
		m->token_url.size = strlen(m->token_url.ptr);
	}
	return xsm__conn_tmpfile(c, &m->fd);
}

void xsm__ms_close(xsm__ms *m)
{
	xsm__conn_wipe(&m->auth);
	xsm_buf_dispose(&m->api);
	xsm_buf_dispose(&m->token_url);
	xsm_buf_dispose(&m->scope);
	xsm_buf_dispose(&m->url);
	xsm_buf_dispose(&m->next);
	xsm_buf_dispose(&m->delta);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* --- errors ------------------------------------------------------------------------ */

/*
 * The vendor's words from an error body: Graph, Defender and ARM send
 * {"error":{"code","message"}}, the token endpoint {"error","error_description"}.
 * Only the first line of a description (the rest is trace and correlation ids).
 */
static void error_text(xsm__ms *m, const char *body, size_t len, char *code, size_t codelen, char *out, size_t outlen)
{
	xsm__json *j = NULL;
	const xsm__json *e;
	const char *msg = NULL;

	code[0] = out[0] = '\0';
	if (!len || xsm__json_parse(&j, m->c->ctx, body, len, "") < 0) {
		xsm_ctx_clear(m->c->ctx);
		return;
	}
	e = xsm__json_get(j, "error");
	if (xsm__json_type(e) == XSM_J_OBJECT) {
		snprintf(code, codelen, "%s", xsm__json_getstr(e, "code") ? xsm__json_getstr(e, "code") : "");
		msg = xsm__json_getstr(e, "message");
	} else if (xsm__json_str(e)) {
		snprintf(code, codelen, "%s", xsm__json_str(e));
		msg = xsm__json_getstr(j, "error_description");
	}
	if (msg) {
		size_t n = strcspn(msg, "\r\n");
		while (n && (msg[n - 1] == '.' || msg[n - 1] == ' '))
			n--; /* the message goes inside a sentence of ours */
		snprintf(out, outlen, "%.*s", (int)n, msg);
	}
	/*
	 * Resource Graph says what is wrong in details: {"code":"InvalidQuery",
	 * "message":"Query validation error","details":[{"code":"ParserFailure",
	 * "message":"Parser failure","line":1,...}]}
	 */
	if (xsm__json_type(e) == XSM_J_OBJECT && *out) {
		const xsm__json *d = xsm__json_child(xsm__json_get(e, "details"));
		const char *dm = xsm__json_getstr(d, "message"), *dc = xsm__json_getstr(d, "code");
		size_t k = strlen(out);
		if (dm && *dm && k < outlen)
			snprintf(out + k, outlen - k, " (%s%s%.*s)", dc ? dc : "", dc ? ": " : "", (int)strcspn(dm, "\r\n"),
				 dm);
	}
	xsm__json_free(j);
}

/* the first bytes of a body that went to the file */
static size_t read_head(xsm__ms *m, char *buf, size_t len)
{
	ssize_t n = pread(m->fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* --- the token ------------------------------------------------------------------------- */

static int assertion(xsm__ms *m, const char *client, xsm_buf *out)
{
	xsm__conn *c = m->c;
	xsm_buf key = XSM_BUF_INIT, cert = XSM_BUF_INIT, hdr = XSM_BUF_INIT, claims = XSM_BUF_INIT, x5t = XSM_BUF_INIT;
	const char *cert_path = xsm__conn_get(c, "certificate", NULL);
	unsigned char sha1[20], id[16];
	char what[300];
	int64_t now = (int64_t)time(NULL);
	int rc;

	if ((rc = xsm__conn_secret(c, "private_key", &key)) < 0)
		goto done;
	if (cert_path) {
		snprintf(what, sizeof(what), "connector '%s': certificate '%s'", c->name, cert_path);
		if ((rc = xsm__fs_read(c->ctx, cert_path, &cert, 1 << 20)) < 0) {
			c->ctx->code = rc = XSM_ECONFIG;
			goto done;
		}
		rc = xsm__cert_sha1(c->ctx, cert.ptr, cert.size, what, sha1);
	} else {
		/* a PEM with the key and the certificate together */
		snprintf(what, sizeof(what), "connector '%s': private_key (no certificate setting)", c->name);
		rc = xsm__cert_sha1(c->ctx, key.ptr, key.size, what, sha1);
	}
	if (rc < 0 || (rc = xsm__random(c->ctx, id, sizeof(id))) < 0)
		goto done;
	id[6] = (unsigned char)((id[6] & 0x0f) | 0x40);
	id[8] = (unsigned char)((id[8] & 0x3f) | 0x80);
	xsm__b64url(&x5t, sha1, sizeof(sha1));
	xsm_buf_printf(&hdr, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"%s\"}", x5t.ptr ? x5t.ptr : "");
	/* the assertion's times are the real clock's: the identity platform checks them */
	xsm_buf_printf(&claims,
		       "{\"aud\":\"%s\",\"iss\":\"%s\",\"sub\":\"%s\","
		       "\"jti\":\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\","
		       "\"nbf\":%lld,\"iat\":%lld,\"exp\":%lld}",
		       m->token_url.ptr, client, client, id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9],
		       id[10], id[11], id[12], id[13], id[14], id[15], (long long)now, (long long)now, (long long)now + 600);
	if (!hdr.ptr || !claims.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	snprintf(what, sizeof(what), "connector '%s': private_key", c->name);
	rc = xsm__jwt_rs256(c->ctx, hdr.ptr, claims.ptr, key.ptr, key.size, what, out);
done:
	xsm__conn_wipe(&key);
	xsm_buf_dispose(&cert);
	xsm_buf_dispose(&hdr);
	xsm_buf_dispose(&claims);
	xsm_buf_dispose(&x5t);
	return rc;
}

static int take_token(xsm__ms *m)
{
	xsm__conn *c = m->c;
	xsm__http_resp resp;
	xsm_buf form = XSM_BUF_INIT, cred = XSM_BUF_INIT;
	const char *client = xsm__conn_get(c, "client_id", "");
	const xsm__json *v;
	xsm__json *j = NULL;
	double lifetime;
	int rc, cert = has_secret(c, "private_key");

	memset(&resp, 0, sizeof(resp));
	xsm__conn_wipe(&m->auth);
	m->expires = 0;
	if ((rc = cert ? assertion(m, client, &cred) : xsm__conn_secret(c, "client_secret", &cred)) < 0)
		goto done;
	xsm_buf_puts(&form, "client_id=");
	xsm__http_escape(&form, client);
	xsm_buf_puts(&form, "&scope=");
	xsm__http_escape(&form, m->scope.ptr);
	xsm_buf_puts(&form, "&grant_type=client_credentials");
	xsm_buf_puts(&form, cert ? "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
				   "&client_assertion="
				 : "&client_secret=");
	xsm__http_escape(&form, cred.ptr ? cred.ptr : "");
	if (!form.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = xsm__conn_post_form(c, m->token_url.ptr, &form, &resp)) < 0)
		goto done;
	if (resp.status != 200) {
		char code[64], msg[400];
		error_text(m, resp.body.ptr, resp.body.size, code, sizeof(code), msg, sizeof(msg));
		/* a wrong secret, an unknown application: the credentials; a bad tenant or scope: the settings */
		rc = resp.status == 401 || !strcmp(code, "invalid_client") || !strcmp(code, "unauthorized_client") ||
				     !strcmp(code, "invalid_grant")
			     ? XSM_EAUTH
		     : resp.status == 400 ? XSM_ECONFIG
					  : 0;
		if (rc)
			rc = xsm__error_set(c->ctx, rc, "%s: token: HTTP %ld: %s%s%s%s", c->name, resp.status, code,
					    *msg ? ": " : "", msg,
					    rc == XSM_EAUTH ? " (check client_id and the client secret or certificate)"
							    : " (check tenant, authority and resource)");
		else
			rc = xsm__conn_status(c, &resp, "token", msg);
		goto done;
	}
	if (xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") < 0 ||
	    !xsm__json_getstr(j, "access_token") || !*xsm__json_getstr(j, "access_token")) {
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: token: no access_token in the answer", c->name);
		goto done;
	}
	v = xsm__json_get(j, "expires_in");
	lifetime = xsm__json_type(v) == XSM_J_NUMBER ? xsm__json_num(v)
		   : xsm__json_str(v)			? strtod(xsm__json_str(v), NULL)
							: 3599;
	if (!(lifetime > 0))
		lifetime = 60;
	if (xsm_buf_printf(&m->auth, "Authorization: Bearer %s", xsm__json_getstr(j, "access_token")) < 0) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	/* taken again five minutes before it expires, or halfway through a short one */
	m->margin = lifetime / 2 < 300 ? lifetime / 2 : 300;
	m->expires = xsm__mono() + lifetime;
	m->tokens++;
done:
	if (j) {
		/* the parsed tree holds the token too */
		xsm__json_free(j);
	}
	xsm__conn_resp_wipe(&resp);
	xsm__conn_wipe(&form);
	xsm__conn_wipe(&cred);
	return rc;
}

/* --- requests ---------------------------------------------------------------------------- */

/*
 * Resource Graph meters queries per user and window (15 every 5 seconds by
 * default) and says on each answer how many are left
 * (x-ms-user-quota-remaining) and when the window resets
 * (x-ms-user-quota-resets-after, "hh:mm:ss"); a 429 past it carries those,
 * not Retry-After.  With none left, the next call waits for the reset.
 */
static void quota(xsm__ms *m, const xsm__http_resp *resp)
{
	char v[32], w[32];
	const char *left = xsm__http_header(resp, "x-ms-user-quota-remaining", v, sizeof(v));
	const char *reset = xsm__http_header(resp, "x-ms-user-quota-resets-after", w, sizeof(w));
	unsigned h, mi, sec;

	if (!left || strtol(left, NULL, 10) > 0 || !reset || sscanf(reset, "%u:%u:%u", &h, &mi, &sec) != 3)
		return;
	sec += 60 * mi + 3600 * h;
	if (sec > 300)
		sec = 300; /* a window is seconds long: more is a misreading */
	m->quota_until = xsm__mono() + sec + 0.05;
	xsm__log(m->c->ctx, "%s: Resource Graph quota used up: waiting %us for it to reset", m->c->name, sec);
}

int xsm__ms_request(xsm__ms *m, const char *method, const char *url, const char *body, const char *perm,
		    const char *what, xsm__http_resp *resp)
{
	xsm__conn *c = m->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	const char *hdrs[4];
	char head[4096], code[96], msg[400];
	int rc, attempt;

	m->code[0] = '\0';
	m->status = 0;
	for (attempt = 0;; attempt++) {
		if (!m->auth.size || xsm__mono() >= m->expires - m->margin) {
			if ((rc = take_token(m)) < 0)
				return rc;
		}
		if (m->min_interval > 0 && m->last > 0 && xsm__mono() - m->last < m->min_interval)
			xsm__sleep(m->min_interval - (xsm__mono() - m->last));
		if (m->quota_until > xsm__mono())
			xsm__sleep(m->quota_until - xsm__mono());
		m->last = xsm__mono();
		hdrs[0] = m->auth.ptr;
		hdrs[1] = "Accept: application/json";
		hdrs[2] = body ? "Content-Type: application/json" : NULL;
		hdrs[3] = NULL;
		req.method = method;
		req.url = url;
		req.headers = hdrs;
		req.body = body;
		req.body_len = body ? strlen(body) : 0;
		req.body_fd = m->fd;
		rc = xsm__conn_http(c, &req, resp);
		quota(m, resp);
		if (rc < 0)
			return rc;
		m->status = resp->status;
		if (resp->status >= 200 && resp->status < 300)
			return 0;
		if (resp->status == 401 && attempt == 0) {
			/* expired or revoked mid-sync: a new token, once */
			xsm__log(c->ctx, "%s: %s: HTTP 401, taking a new token", c->name, what);
			xsm__conn_wipe(&m->auth);
			continue;
		}
		break;
	}
	error_text(m, head, read_head(m, head, sizeof(head)), code, sizeof(code), msg, sizeof(msg));
	snprintf(m->code, sizeof(m->code), "%s", code);
	if (resp->status == 403)
		return xsm__error_set(c->ctx, XSM_EAUTH,
				      "%s: %s: HTTP 403%s%s%s%s: the application needs the permission %s (grant it with admin "
				      "consent)",
				      c->name, what, *code ? ": " : "", code, *msg ? ": " : "", msg, perm && *perm ? perm : "?");
	if (resp->status == 401)
		return xsm__error_set(c->ctx, XSM_EAUTH, "%s: %s: HTTP 401%s%s%s%s, also with a new token", c->name, what,
				      *code ? ": " : "", code, *msg ? ": " : "", msg);
	snprintf(head, sizeof(head), "%s%s%s", code, *code && *msg ? ": " : "", msg);
	return xsm__conn_status(c, resp, what, head);
}

/* --- pages ---------------------------------------------------------------------------------- */

struct page {
	xsm__ms *m;
	int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload);
	void *payload;
};

static int page_elem(xsm__conn *c, const xsm__json *elem, void *payload)
{
	struct page *p = payload;
	p->m->count++;
	return p->cb(c, elem, p->payload);
}

static int page_member(xsm__conn *c, const char *key, const xsm__json *value, void *payload)
{
	struct page *p = payload;
	const char *s = xsm__json_str(value);

	if (!strcmp(key, "resultTruncated"))
		p->m->truncated = xsm__json_bool(value) || (s && !strcasecmp(s, "true"));
	/* Resource Graph's count of every row the query matches */
	if (!strcmp(key, "totalRecords") && xsm__json_type(value) == XSM_J_NUMBER)
		p->m->total = xsm__json_num(value);
	if (!s)
		return 0;
	if (!strcmp(key, "@odata.nextLink") || !strcmp(key, "$skipToken"))
		return xsm_buf_set(&p->m->next, s) < 0 ? xsm__error_oom(c->ctx) : 0;
	if (!strcmp(key, "@odata.deltaLink"))
		return xsm_buf_set(&p->m->delta, s) < 0 ? xsm__error_oom(c->ctx) : 0;
	return 0;
}

int xsm__ms_page(xsm__ms *m, const char *method, const char *url, const char *body, const char *member,
		 const char *perm, const char *what, const xsm__json_pick *pick,
		 int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload), void *payload)
{
	xsm__http_resp resp;
	struct page p = { m, cb, payload };
	char label[160];
	int rc;

	memset(&resp, 0, sizeof(resp));
	xsm_buf_clear(&m->next);
	xsm_buf_clear(&m->delta);
	m->count = 0;
	m->truncated = 0;
	m->total = -1;
	rc = xsm__ms_request(m, method, url, body, perm, what, &resp);
	m->body_hash = resp.body_hash;
	xsm__http_resp_dispose(&resp);
	if (rc < 0)
		return rc;
	snprintf(label, sizeof(label), "%s: %s", m->c->name, what);
	if ((rc = xsm__conn_json_object_fd(m->c, m->fd, label, member, pick, page_elem, &p, page_member)) < 0)
		return rc;
	if (!m->pager)
		xsm__conn_page(m->c);
	return 0;
}

/* length of "scheme://host[:port]" of url */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	return p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : 0;
}

int xsm__ms_pages(xsm__ms *m, const char *url, long top, const char *perm, const char *what,
		  const xsm__json_pick *pick, int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload),
		  void *payload)
{
	xsm__conn *c = m->c;
	xsm_buf cur = XSM_BUF_INIT;
	xsm__pager pg;
	size_t olen = origin_len(m->api.ptr);
	long skip = 0;
	int rc, followed = 0;

	if (top > 0)
		xsm_buf_printf(&cur, "%s&%%24skip=0", url);
	else
		xsm_buf_puts(&cur, url);
	if (!cur.ptr)
		return xsm__error_oom(c->ctx);
	if ((rc = xsm__pager_begin(&pg, c, what, cur.ptr)) < 0)
		goto done;
	m->pager = &pg;
	for (;;) {
		if ((rc = xsm__ms_page(m, "GET", cur.ptr, NULL, "value", perm, what, pick, cb, payload)) < 0)
			break;
		xsm_buf_clear(&cur);
		if (m->next.size) {
			/* the token goes with the next request: only to the API's own host */
			if (origin_len(m->next.ptr) != olen || strncmp(m->next.ptr, m->api.ptr, olen)) {
				rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: the next page link points away from %.*s",
						    c->name, what, (int)olen, m->api.ptr);
				break;
			}
			xsm_buf_set(&cur, m->next.ptr);
			followed = 1;
		} else if (top > 0 && !followed && m->count > 0) {
			/*
			 * Defender: no link; the next $skip until a page comes back empty.
			 * A server may send fewer than $top: skip what came.
			 */
			skip += m->count;
			xsm_buf_printf(&cur, "%s&%%24skip=%ld", url, skip);
		}
		if (cur.size && !cur.ptr) {
			rc = xsm__error_oom(c->ctx);
			break;
		}
		if ((rc = xsm__pager_page(&pg, m->body_hash, (size_t)m->count, cur.ptr)) < 0 || !cur.size)
			break;
	}
	m->pager = NULL;
	xsm__pager_end(&pg);
done:
	xsm_buf_dispose(&cur);
	return rc;
}

/* --- connect test -------------------------------------------------------------------------------- */

const char *xsm__ms_perm(const xsm__ms_endpoint *table, const char *what)
{
	for (; table && table->what; table++)
		if (!strcmp(table->what, what))
			return table->permission;
	return "";
}

int xsm__ms_check(xsm__ms *m, const xsm__ms_endpoint *table)
{
	xsm__http_resp resp;
	int rc = 0;

	memset(&resp, 0, sizeof(resp));
	for (; table->what && rc >= 0; table++) {
		const char *method = table->path[0] == 'P' ? "POST" : "GET";
		const char *path = table->path + (table->path[0] == 'P' ? 5 : 0);
		const char *body = NULL;
		if (!*table->path)
			continue; /* the connector checks it itself */
		xsm_buf_clear(&m->url);
		if (xsm_buf_printf(&m->url, "%s%.*s", m->api.ptr, (int)strcspn(path, " "), path) < 0) {
			rc = xsm__error_oom(m->c->ctx);
			break;
		}
		/* "POST /path {json}": a body after the path */
		if (path[strcspn(path, " ")])
			body = path + strcspn(path, " ") + 1;
		rc = xsm__ms_request(m, method, m->url.ptr, body, table->permission, table->what, &resp);
		/* a 403 is a permission missing; anything else wrong stops the check */
		if (rc == XSM_EAUTH && resp.status != 403)
			break;
		rc = xsm__conn_permission(m->c, table->permission, table->what, rc);
	}
	xsm__http_resp_dispose(&resp);
	return rc;
}
