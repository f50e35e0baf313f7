/*
 * connect/rapid7.c - Rapid7 InsightVM.
 *
 * Two APIs, chosen by the secret given: with api_key, the cloud v4
 * integration API (as the product uses it): the vulnerability catalog,
 * then assets with their findings inline (includeSame), paged by cursor.
 * With username and password, the console v3 API: assets paged by
 * page/size, each asset's findings, and each vulnerability's details
 * (cached: the same vulnerability is on many assets).
 *
 * The two spell a vulnerability differently.  v3 (a recorded 2023
 * console): "cves" and "categories" are arrays, CVSS nested under
 * cvss.v2 / cvss.v3, "exploits" and "malwareKits" counts.  v4 (the
 * recorded integration API responses in elastic/integrations): "cves"
 * and "categories" are one comma-separated string ("" when none), CVSS
 * flat (cvss_v3_score 0 and cvss_v3_vector null when there is no v3,
 * a v2 vector in parentheses), "exploits" and "malware_kits" arrays.
 * Every field is read in either spelling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/conn.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

struct vuln {
	char *cves;       /* comma-separated, "" when none */
	double cvss;      /* -1 unknown */
	int exploit, rce, privesc;
	char *title;
};

struct r7 {
	xsm__conn *c;
	xsm_buf base, auth, key, url;
	const char *hdrs[4];
	long page_size;
	int v4;
	xsm__strmap vmap;          /* vulnerability id -> index + 1 */
	XSM__VEC(struct vuln) vulns;
	uint64_t body_hash;        /* of the last answer */
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

static double jnum(const xsm__json *o, const char *key, double dflt)
{
	const xsm__json *v = xsm__json_get(o, key);
	return xsm__json_type(v) == XSM_J_NUMBER ? xsm__json_num(v) : dflt;
}

/* GET (or POST with an empty JSON body for v4) url; the parsed body in *out */
static int call(struct r7 *r, const char *url, xsm__json **out, const char *what)
{
	xsm__conn *c = r->c;
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	int rc;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	req.url = url;
	req.headers = r->hdrs;
	if (r->v4) {
		req.method = "POST";
		req.body = "{}";
		req.body_len = 2;
	} else {
		req.userpwd = r->auth.ptr;
	}
	rc = xsm__conn_http(c, &req, &resp);
	r->body_hash = resp.body_hash;
	if (rc == 0) {
		if (resp.status != 200) {
			xsm__json *j = NULL;
			char detail[300] = "";
			if (xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "") == 0)
				snprintf(detail, sizeof(detail), "%s", jstr(j, "message"));
			xsm_ctx_clear(c->ctx);
			xsm__json_free(j);
			rc = xsm__conn_status(c, &resp, what, detail);
		} else if ((rc = xsm__json_parse(out, c->ctx, resp.body.ptr, resp.body.size, "")) < 0) {
			c->ctx->code = rc = XSM_EPROTO;
			xsm__error_prefix(c->ctx, "%s: %s: unreadable response", c->name, what);
		}
	}
	xsm__http_resp_dispose(&resp);
	return rc;
}

static struct vuln *vuln_find(struct r7 *r, const char *id)
{
	uint64_t v;
	return xsm__strmap_get(&r->vmap, id, strlen(id), &v) ? &r->vulns.v[v - 1] : NULL;
}

/* a member that is a count (v3) or a list (v4): how many */
static double jcount(const xsm__json *o, const char *key)
{
	const xsm__json *v = xsm__json_get(o, key);
	return xsm__json_type(v) == XSM_J_NUMBER ? xsm__json_num(v) : (double)xsm__json_count(v);
}

/*
 * Call cb for each item of a list that is a JSON array of strings (v3) or
 * one comma-separated string (v4), items trimmed of spaces.
 */
static void each_item(const xsm__json *v, void (*cb)(const char *item, size_t n, void *payload), void *payload)
{
	const xsm__json *e;
	const char *p, *end;

	if (xsm__json_type(v) == XSM_J_STRING) {
		for (p = xsm__json_str(v); *p; p = *end ? end + 1 : end) {
			size_t n;
			end = p + strcspn(p, ",");
			while (p < end && *p == ' ')
				p++;
			for (n = (size_t)(end - p); n && p[n - 1] == ' '; n--)
				;
			if (n)
				cb(p, n, payload);
		}
		return;
	}
	for (e = xsm__json_child(v); e; e = xsm__json_next(e))
		if (xsm__json_str(e) && *xsm__json_str(e))
			cb(xsm__json_str(e), strlen(xsm__json_str(e)), payload);
}

struct cves {
	xsm_buf list; /* comma-separated */
	int oom;
};

static void add_cve(const char *item, size_t n, void *payload)
{
	struct cves *cs = payload;
	char cve[24];
	if (n >= sizeof(cve))
		return;
	memcpy(cve, item, n);
	cve[n] = '\0';
	if (xsm__is_cve(cve) && !xsm__contains(cs->list.ptr ? cs->list.ptr : "", cs->list.size, cve) &&
	    xsm_buf_printf(&cs->list, "%s%s", cs->list.size ? "," : "", cve) < 0)
		cs->oom = 1;
}

static void add_category(const char *item, size_t n, void *payload)
{
	struct vuln *u = payload;
	if (n == 16 && !strncasecmp(item, "Remote Execution", n))
		u->rce = 1;
	else if (n == 20 && !strncasecmp(item, "Privilege Escalation", n))
		u->privesc = 1;
}

/* cache a vulnerability from a v3 detail or a v4 catalog entry (either spelling) */
static int vuln_add(struct r7 *r, const char *id, const xsm__json *v)
{
	struct cves cves = { XSM_BUF_INIT, 0 };
	const xsm__json *cv = xsm__json_get(v, "cvss");
	struct vuln u;
	const char *vec;
	int v3 = 1;

	memset(&u, 0, sizeof(u));
	each_item(xsm__json_get(v, "cves"), add_cve, &cves);
	u.cvss = jnum(xsm__json_get(cv, "v3"), "score", jnum(xsm__json_get(cv, "v2"), "score", -1));
	vec = jstr(xsm__json_get(cv, "v3"), "vector");
	if (!*vec)
		vec = jstr(v, "cvss_v3_vector");
	if (u.cvss < 0) {
		/* v4: a vulnerability without v3 has cvss_v3_score 0 and a null vector */
		u.cvss = jnum(v, "cvss_v3_score", -1);
		if (u.cvss <= 0 && !*vec)
			u.cvss = jnum(v, "cvss_v2_score", -1);
	}
	if (u.cvss > 10)
		u.cvss = -1;
	if (!*vec) {
		v3 = 0;
		vec = jstr(xsm__json_get(cv, "v2"), "vector");
		if (!*vec)
			vec = jstr(v, "cvss_v2_vector");
	}
	u.exploit = jcount(v, "exploits") > 0 || jcount(v, "malwareKits") > 0 || jcount(v, "malware_kits") > 0;
	u.rce = xsm__cvss_remote(vec) && strstr(vec, v3 ? "I:H" : "I:C") != NULL;
	each_item(xsm__json_get(v, "categories"), add_category, &u);
	u.cves = cves.oom ? NULL : xsm_buf_detach(&cves.list);
	if (!u.cves && !cves.oom)
		u.cves = xsm__strdup("");
	u.title = xsm__strdup(jstr(v, "title"));
	if (!u.cves || !u.title || xsm__vec_push(&r->vulns, u) < 0 ||
	    xsm__strmap_put(&r->vmap, id, r->vulns.n) < 0) {
		xsm__free(u.cves);
		xsm__free(u.title);
		xsm_buf_dispose(&cves.list);
		return xsm__error_oom(r->c->ctx);
	}
	return 0;
}

/* --- records --------------------------------------------------------------------------- */

static int emit_asset(struct r7 *r, const xsm__json *a, const char *id)
{
	xsm__conn *c = r->c;
	xsm_jw *w = &c->jw;
	const char *hn = r->v4 ? jstr(a, "host_name") : jstr(a, "hostName");
	const char *ip = jstr(a, "ip"), *os = r->v4 ? jstr(a, "os_description") : jstr(a, "os");
	char host[256], fqdn[300], mac[18], t[21];
	const xsm__json *e;
	xsm__device d;
	int n;

	if (!*os) /* v4: os_name alone is only "Linux", "Windows 11" */
		os = jstr(a, "os_name");
	xsm__norm_host(fqdn, sizeof(fqdn), hn);
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(fqdn, "."), fqdn);
	if (!strchr(fqdn, '.') || xsm__is_ipv4(fqdn))
		fqdn[0] = '\0';
	if (xsm__is_ipv4(host))
		host[0] = '\0';
	xsm__norm_mac(mac, jstr(a, "mac"));
	if (r->v4) {
		xsm__norm_time(t, jstr(a, "last_scan_end"));
	} else {
		/* the newest scan in the history */
		t[0] = '\0';
		for (e = xsm__json_child(xsm__json_get(a, "history")); e; e = xsm__json_next(e)) {
			char h[21];
			xsm__norm_time(h, jstr(e, "date"));
			if (strcmp(h, t) > 0)
				memcpy(t, h, sizeof(t));
		}
	}
	memset(&d, 0, sizeof(d));
	d.id = id;
	d.hostname = host;
	d.fqdn = fqdn;
	d.ipv4 = xsm__is_ipv4(ip) ? ip : NULL;
	d.ipv6 = xsm__is_ipv6(ip) ? ip : NULL;
	d.mac = mac;
	d.os = os;
	d.last_seen = t;
	xsm__conn_device_begin(c, &d);
	/* open ports from the services the scan found */
	n = 0;
	for (e = xsm__json_child(xsm__json_get(a, "services")); e; e = xsm__json_next(e)) {
		double p = jnum(e, "port", -1);
		if (p <= 0 || p > 65535)
			continue;
		if (!n++) {
			xsm_jw_key(w, "openPorts");
			xsm_jw_arr(w);
		}
		xsm_jw_int(w, (int64_t)p);
	}
	if (n)
		xsm_jw_arr_end(w);
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "rapid7");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "id", id);
	if (jnum(a, r->v4 ? "risk_score" : "riskScore", -1) >= 0)
		xsm_jw_knum(w, "riskScore", jnum(a, r->v4 ? "risk_score" : "riskScore", 0));
	if (xsm__json_count(xsm__json_get(a, "tags"))) {
		xsm_jw_key(w, "tags");
		xsm_jw_arr(w);
		for (e = xsm__json_child(xsm__json_get(a, "tags")); e; e = xsm__json_next(e))
			xsm_jw_str(w, xsm__json_str(e) ? xsm__json_str(e) : jstr(e, "name"));
		xsm_jw_arr_end(w);
	}
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return xsm__conn_props_end(c);
}

/* findings of one asset for one vulnerability: one record per CVE */
static int emit_finding(struct r7 *r, const char *asset, const char *vid, const xsm__json *f)
{
	xsm__conn *c = r->c;
	xsm_jw *w = &c->jw;
	struct vuln *u = vuln_find(r, vid);
	const char *p, *e, *status = jstr(f, "status");
	int rc = 0;
	double port = jnum(f, "port", -1);

	if (!u || !*u->cves) {
		c->st.skipped++;
		return 0;
	}
	if (port < 0) {
		const xsm__json *res = xsm__json_child(xsm__json_get(f, "results"));
		port = jnum(res, "port", -1);
	}
	for (p = u->cves; *p && rc == 0; p = *e ? e + 1 : e) {
		xsm__finding fd;
		char cve[24], t1[21], t2[21];
		e = p + strcspn(p, ",");
		snprintf(cve, sizeof(cve), "%.*s", (int)(e - p), p);
		memset(&fd, 0, sizeof(fd));
		fd.asset = asset;
		fd.cve = cve;
		fd.severity = u->cvss >= 0 ? xsm__sev_from_cvss(u->cvss) : NULL;
		fd.cvss = u->cvss;
		fd.exploit = u->exploit;
		fd.rce = u->rce;
		fd.privesc = u->privesc;
		fd.status = !strncmp(status, "no-", 3) || !strcasecmp(status, "remediated") ? "fixed" : "open";
		xsm__norm_time(t1, *jstr(f, "first_found") ? jstr(f, "first_found") : jstr(f, "since"));
		xsm__norm_time(t2, jstr(f, "last_found"));
		fd.first_found = t1;
		fd.last_found = t2;
		fd.reported_by = "rapid7";
		xsm__conn_finding_begin(c, &fd);
		xsm_jw_kstr(w, "vulnerabilityId", vid);
		if (*u->title)
			xsm_jw_kstr(w, "title", u->title);
		if (port > 0 && port <= 65535)
			xsm_jw_kint(w, "port", (int64_t)port);
		rc = xsm__conn_props_end(c);
	}
	return rc;
}

/* --- v4: cursor paging ----------------------------------------------------------------- */

static int v4_pages(struct r7 *r, const char *path, const char *extra,
		    int (*cb)(struct r7 *, const xsm__json *), const char *what)
{
	xsm__conn *c = r->c;
	xsm_buf cursor = XSM_BUF_INIT;
	xsm__pager pg;
	int rc = xsm__pager_begin(&pg, c, what, NULL);

	while (rc == 0) {
		xsm__json *j = NULL;
		const xsm__json *e;
		const char *next;
		size_t n = 0;

		xsm_buf_clear(&r->url);
		xsm_buf_printf(&r->url, "%s%s?size=%ld%s", r->base.ptr, path, r->page_size, extra);
		if (cursor.size) {
			xsm_buf_puts(&r->url, "&cursor=");
			xsm__http_escape(&r->url, cursor.ptr);
		}
		if (!r->url.ptr) {
			rc = xsm__error_oom(c->ctx);
			break;
		}
		if ((rc = call(r, r->url.ptr, &j, what)) < 0)
			break;
		for (e = xsm__json_child(xsm__json_get(j, "data")); e; e = xsm__json_next(e))
			n++;
		xsm__pager_total(&pg, jnum(xsm__json_get(j, "metadata"), "totalPages", -1), 1);
		next = jstr(xsm__json_get(j, "metadata"), "cursor");
		/* the last page has no next link (and no cursor) */
		{
			const xsm__json *l;
			int has_next = 0;
			for (l = xsm__json_child(xsm__json_get(j, "links")); l; l = xsm__json_next(l))
				has_next |= !strcmp(jstr(l, "rel"), "next");
			if (!has_next)
				next = "";
		}
		if (xsm_buf_set(&cursor, next) < 0)
			rc = xsm__error_oom(c->ctx);
		/* before the elements: a page served again says so, not as records seen twice */
		else if ((rc = xsm__pager_page(&pg, r->body_hash, n, cursor.ptr)) == 0)
			for (e = xsm__json_child(xsm__json_get(j, "data")); e && rc == 0; e = xsm__json_next(e))
				rc = cb(r, e);
		xsm__json_free(j);
		if (rc < 0 || !cursor.size)
			break;
	}
	xsm__pager_end(&pg);
	xsm_buf_dispose(&cursor);
	return rc;
}

static int v4_vuln(struct r7 *r, const xsm__json *v)
{
	const char *id = jstr(v, "id");
	return *id && !vuln_find(r, id) ? vuln_add(r, id, v) : 0;
}

static int v4_asset(struct r7 *r, const xsm__json *a)
{
	const xsm__json *f;
	char id[64];
	int rc;

	if (xsm__json_type(xsm__json_get(a, "id")) == XSM_J_NUMBER)
		snprintf(id, sizeof(id), "%.0f", xsm__json_num(xsm__json_get(a, "id")));
	else
		snprintf(id, sizeof(id), "%s", jstr(a, "id"));
	if (!id[0]) {
		r->c->st.skipped++;
		return 0;
	}
	if ((rc = emit_asset(r, a, id)) < 0)
		return rc;
	for (f = xsm__json_child(xsm__json_get(a, "same")); f && rc == 0; f = xsm__json_next(f))
		rc = emit_finding(r, id, jstr(f, "vulnerability_id"), f);
	return rc;
}

/* --- v3: page/size paging -------------------------------------------------------------- */

/* every page of a v3 collection at path (which may have a query) */
static int v3_pages(struct r7 *r, const char *path, int (*cb)(struct r7 *, const xsm__json *, void *),
		    void *payload, const char *what, int count_pages)
{
	xsm_buf url = XSM_BUF_INIT;
	xsm__pager pg;
	long page = 0;
	double total;
	int rc = xsm__pager_begin(&pg, r->c, what, NULL);

	while (rc == 0) {
		xsm__json *j = NULL;
		const xsm__json *e, *pgo;
		size_t n = 0;
		char next[32] = "";

		xsm_buf_clear(&url);
		if (xsm_buf_printf(&url, "%s%s%cpage=%ld&size=%ld&sort=id,ASC", r->base.ptr, path,
				   strchr(path, '?') ? '&' : '?', page, r->page_size) < 0) {
			rc = xsm__error_oom(r->c->ctx);
			break;
		}
		if ((rc = call(r, url.ptr, &j, what)) < 0)
			break;
		for (e = xsm__json_child(xsm__json_get(j, "resources")); e; e = xsm__json_next(e))
			n++;
		pgo = xsm__json_get(j, "page");
		total = pgo ? jnum(pgo, "totalPages", 1) : 1;
		xsm__pager_total(&pg, total, 1);
		if ((double)++page < total)
			snprintf(next, sizeof(next), "page %ld", page);
		pg.uncounted = !count_pages; /* an asset's list is not a page of the sync */
		/* before the elements: a page served again says so, not as records seen twice */
		if ((rc = xsm__pager_page(&pg, r->body_hash, n, next)) == 0)
			for (e = xsm__json_child(xsm__json_get(j, "resources")); e && rc == 0; e = xsm__json_next(e))
				rc = cb(r, e, payload);
		xsm__json_free(j);
		if (rc < 0 || !next[0])
			break;
	}
	xsm__pager_end(&pg);
	xsm_buf_dispose(&url);
	return rc;
}

static int v3_finding(struct r7 *r, const xsm__json *f, void *payload)
{
	const char *asset = payload, *vid = jstr(f, "id");
	int rc;

	if (!*vid)
		return 0;
	if (!vuln_find(r, vid)) {
		xsm__json *v = NULL;
		xsm_buf url = XSM_BUF_INIT;
		xsm_buf_printf(&url, "%s/api/3/vulnerabilities/", r->base.ptr);
		xsm__http_escape(&url, vid);
		if (!url.ptr)
			return xsm__error_oom(r->c->ctx);
		rc = call(r, url.ptr, &v, "vulnerability");
		xsm_buf_dispose(&url);
		if (rc == 0)
			rc = vuln_add(r, vid, v);
		xsm__json_free(v);
		if (rc < 0)
			return rc;
	}
	return emit_finding(r, asset, vid, f);
}

static int v3_asset(struct r7 *r, const xsm__json *a, void *payload)
{
	char id[64], path[128];
	int rc;

	(void)payload;
	snprintf(id, sizeof(id), "%.0f", jnum(a, "id", -1));
	if (jnum(a, "id", -1) < 0) {
		r->c->st.skipped++;
		return 0;
	}
	if ((rc = emit_asset(r, a, id)) < 0)
		return rc;
	snprintf(path, sizeof(path), "/api/3/assets/%s/vulnerabilities", id);
	return v3_pages(r, path, v3_finding, id, "asset vulnerabilities", 0);
}

/* --- the connector -------------------------------------------------------------------------- */

static int r7_open(struct r7 *r, xsm__conn *c)
{
	xsm_buf s = XSM_BUF_INIT;
	int rc;

	memset(r, 0, sizeof(*r));
	r->c = c;
	if ((rc = xsm__conn_url(c, NULL, &r->base)) < 0 ||
	    (rc = xsm__conn_getint(c, "page_size", 500, 1, 500, &r->page_size)) < 0)
		return rc;
	r->hdrs[0] = "Accept: application/json";
	r->hdrs[1] = "Content-Type: application/json";
	if (xsm__conn_secret(c, "api_key", &s) == 0) {
		r->v4 = 1;
		if (xsm_buf_printf(&r->key, "X-Api-Key: %s", s.ptr) < 0)
			rc = xsm__error_oom(c->ctx);
		r->hdrs[2] = r->key.ptr;
	} else {
		xsm_ctx_clear(c->ctx);
		if (!xsm__conn_get(c, "username", NULL))
			rc = xsm__error_set(c->ctx, XSM_ECONFIG,
					    "connector '%s' needs an api_key (cloud) or a username and password (console)",
					    c->name);
		else
			rc = xsm__conn_userpass(c, &r->auth);
	}
	if (s.ptr)
		memset(s.ptr, 0, s.size);
	xsm_buf_dispose(&s);
	return rc;
}

static void r7_close(struct r7 *r)
{
	size_t i;
	for (i = 0; i < r->vulns.n; i++) {
		xsm__free(r->vulns.v[i].cves);
		xsm__free(r->vulns.v[i].title);
	}
	xsm__vec_free(&r->vulns);
	xsm__strmap_free(&r->vmap);
	if (r->auth.ptr)
		memset(r->auth.ptr, 0, r->auth.size);
	if (r->key.ptr)
		memset(r->key.ptr, 0, r->key.size);
	xsm_buf_dispose(&r->auth);
	xsm_buf_dispose(&r->key);
	xsm_buf_dispose(&r->base);
	xsm_buf_dispose(&r->url);
}

static int r7_test(xsm__conn *c)
{
	struct r7 r;
	xsm__json *j = NULL;
	int rc = r7_open(&r, c);
	if (rc == 0) {
		xsm_buf_printf(&r.url, r.v4 ? "%s/vm/v4/integration/assets?size=1" : "%s/api/3/administration/info",
			       r.base.ptr);
		rc = r.url.ptr ? call(&r, r.url.ptr, &j, "test") : xsm__error_oom(c->ctx);
	}
	xsm__json_free(j);
	r7_close(&r);
	return rc;
}

static int r7_sync(xsm__conn *c)
{
	struct r7 r;
	int rc = r7_open(&r, c);

	if (rc == 0) {
		if (r.v4) {
			if ((rc = v4_pages(&r, "/vm/v4/integration/vulnerabilities", "", v4_vuln, "vulnerabilities")) == 0)
				rc = v4_pages(&r, "/vm/v4/integration/assets", "&includeSame=true", v4_asset, "assets");
		} else {
			rc = v3_pages(&r, "/api/3/assets", v3_asset, NULL, "assets", 1);
		}
	}
	r7_close(&r);
	return rc;
}

/* a v4 data element that is an asset (the others are catalogue entries) */
static int v4_is_asset(const xsm__json *e)
{
	return xsm__json_get(e, "same") || xsm__json_get(e, "ip") || xsm__json_get(e, "host_name");
}

int xsm__rapid7_parse(xsm__conn *c, const char *buf, size_t len)
{
	struct r7 r;
	xsm__json *j = NULL;
	const xsm__json *e, *data;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.v4 = 1;
	if ((rc = xsm__json_parse(&j, c->ctx, buf, len, "")) == 0) {
		data = xsm__json_get(j, "data");
		if (!data && *jstr(j, "id")) {
			/* a v3 vulnerability detail */
			r.v4 = 0;
			rc = vuln_add(&r, jstr(j, "id"), j);
		}
		/* catalogue entries first: the assets' findings name them */
		for (e = xsm__json_child(data); e && rc == 0; e = xsm__json_next(e))
			if (!v4_is_asset(e))
				rc = v4_vuln(&r, e);
		for (e = xsm__json_child(data); e && rc == 0; e = xsm__json_next(e))
			if (v4_is_asset(e))
				rc = v4_asset(&r, e);
	}
	xsm__json_free(j);
	r7_close(&r);
	return rc;
}

static const char *const settings[] = { "url", "username", "page_size", NULL };
static const char *const secrets[] = { "api_key", "password", NULL };
static const char *const required[] = { "url", NULL };

const xsm__vendor xsm__vendor_rapid7 = {
	{ "rapid7", "Rapid7 InsightVM: assets and CVE findings (cloud v4 with an API key, or console v3)", settings,
	  secrets, required },
	r7_test,
	r7_sync,
	NULL,
};
