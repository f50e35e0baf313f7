/*
 * connect/tenable.c - Tenable Vulnerability Management over the export API.
 *
 * Assets, then vulnerabilities: POST an export, poll its status, and
 * download each chunk as soon as it is listed (chunks appear while the
 * export is still PROCESSING).  Chunks go to a temporary file and are read
 * one array element at a time, so memory does not grow with the export.
 * Only findings with a CVE become records (as in the product); the rest
 * are counted as skipped.  Incremental: assets updated and findings
 * changed since the start of the last export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connect/conn.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

struct tn {
	xsm__conn *c;
	xsm_buf base, keys, url, tmp;
	const char *hdrs[4];
	long chunk_size, num_assets, poll_ms, export_timeout;
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

static int tn_error(struct tn *t, const xsm__http_resp *r, const char *what)
{
	xsm__json *j = NULL;
	char detail[300] = "";
	if (r->body.size && xsm__json_parse(&j, t->c->ctx, r->body.ptr, r->body.size, "") == 0)
		snprintf(detail, sizeof(detail), "%s", jstr(j, "message"));
	xsm_ctx_clear(t->c->ctx);
	xsm__json_free(j);
	return xsm__conn_status(t->c, r, what, detail);
}

static int tn_open(struct tn *t, xsm__conn *c)
{
	xsm_buf a = XSM_BUF_INIT, s = XSM_BUF_INIT;
	int rc;

	memset(t, 0, sizeof(*t));
	t->c = c;
	if ((rc = xsm__conn_url(c, "https://cloud.tenable.com", &t->base)) < 0 ||
	    (rc = xsm__conn_getint(c, "chunk_size", 1000, 100, 10000, &t->chunk_size)) < 0 ||
	    (rc = xsm__conn_getint(c, "num_assets", 500, 50, 5000, &t->num_assets)) < 0 ||
	    (rc = xsm__conn_getint(c, "poll_interval_ms", 5000, 10, 600000, &t->poll_ms)) < 0 ||
	    (rc = xsm__conn_getint(c, "export_timeout", 7200, 1, 86400, &t->export_timeout)) < 0)
		return rc;
	if ((rc = xsm__conn_secret(c, "access_key", &a)) == 0 && (rc = xsm__conn_secret(c, "secret_key", &s)) == 0 &&
	    xsm_buf_printf(&t->keys, "X-ApiKeys: accessKey=%s;secretKey=%s", a.ptr, s.ptr) < 0)
		rc = xsm__error_oom(c->ctx);
	if (a.ptr)
		memset(a.ptr, 0, a.size);
	if (s.ptr)
		memset(s.ptr, 0, s.size);
	xsm_buf_dispose(&a);
	xsm_buf_dispose(&s);
	t->hdrs[0] = t->keys.ptr;
	t->hdrs[1] = "Accept: application/json";
	t->hdrs[2] = "Content-Type: application/json";
	t->hdrs[3] = NULL;
	return rc;
}

static void tn_close(struct tn *t)
{
	if (t->keys.ptr)
		memset(t->keys.ptr, 0, t->keys.size);
	xsm_buf_dispose(&t->keys);
	xsm_buf_dispose(&t->base);
	xsm_buf_dispose(&t->url);
	xsm_buf_dispose(&t->tmp);
}

static int request(struct tn *t, const char *method, const char *path, const char *body, int fd,
		   xsm__http_resp *resp, const char *what)
{
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	int rc;

	xsm_buf_clear(&t->url);
	if (xsm_buf_printf(&t->url, "%s%s", t->base.ptr, path) < 0)
		return xsm__error_oom(t->c->ctx);
	req.method = method;
	req.url = t->url.ptr;
	req.headers = t->hdrs;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.body_fd = fd;
	if ((rc = xsm__conn_http(t->c, &req, resp)) < 0)
		return rc;
	if (resp->status != 200) {
		if (fd >= 0) {
			/* the error body went to the file: a short one is worth reading */
			char b[512];
			ssize_t n = pread(fd, b, sizeof(b) - 1, 0);
			xsm_buf_clear(&resp->body);
			if (n > 0)
				xsm_buf_put(&resp->body, b, (size_t)n);
		}
		return tn_error(t, resp, what);
	}
	return 0;
}

/* --- records ------------------------------------------------------------------------ */

static const char *first_str(const xsm__json *o, const char *key)
{
	const xsm__json *a = xsm__json_get(o, key), *e;
	for (e = xsm__json_child(a); e; e = xsm__json_next(e))
		if (xsm__json_str(e) && *xsm__json_str(e))
			return xsm__json_str(e);
	return "";
}

static const char *acr_level(double acr)
{
	/* Tenable's Asset Criticality Rating runs 1 to 10 */
	return acr >= 9 ? "very high" : acr >= 7 ? "high" : acr >= 4 ? "medium" : acr > 0 ? "low" : NULL;
}

/* what on_asset reads of an asset (a field it starts to read must be added here) */
static const xsm__json_pick asset_pick[] = {
	{ "id", NULL }, { "operating_systems", NULL }, { "hostnames", NULL }, { "fqdns", NULL },
	{ "netbios_names", NULL }, { "last_seen", NULL }, { "first_seen", NULL }, { "azure_vm_id", NULL },
	{ "aws_ec2_instance_id", NULL }, { "gcp_instance_id", NULL }, { "ipv4s", NULL }, { "ipv6s", NULL },
	{ "mac_addresses", NULL }, { "acr_score", NULL }, { "bios_uuid", NULL }, { "system_types", NULL },
	{ "installed_software", NULL }, { "has_agent", NULL }, { "agent_names", NULL }, { "network_name", NULL },
	{ "updated_at", NULL }, { "tags", NULL }, { NULL, NULL }
};

static int on_asset(xsm__conn *c, const xsm__json *a, void *payload)
{
	struct tn *t = payload;
	xsm_jw *w = &c->jw;
	const char *id = jstr(a, "id"), *os = first_str(a, "operating_systems"), *crit;
	char host[256], fqdn[300], t1[21], t2[21];
	const xsm__json *v;
	xsm__device d;

	if (!*id) {
		c->st.skipped++;
		return 0;
	}
	xsm__norm_host(host, sizeof(host), first_str(a, "hostnames"));
	xsm__norm_host(fqdn, sizeof(fqdn), first_str(a, "fqdns"));
	if (!host[0] && fqdn[0])
		snprintf(host, sizeof(host), "%.*s", (int)strcspn(fqdn, "."), fqdn);
	if (!host[0])
		xsm__norm_host(host, sizeof(host), first_str(a, "netbios_names"));
	host[strcspn(host, ".")] = '\0';
	xsm__norm_time(t1, jstr(a, "last_seen"));
	xsm__norm_time(t2, jstr(a, "first_seen"));
	memset(&d, 0, sizeof(d));
	d.id = id;
	d.hostname = host;
	d.fqdn = strchr(fqdn, '.') ? fqdn : NULL;
	d.name = fqdn[0] ? fqdn : NULL;
	d.cloud_id = *jstr(a, "azure_vm_id") ? jstr(a, "azure_vm_id")
		     : *jstr(a, "aws_ec2_instance_id") ? jstr(a, "aws_ec2_instance_id") : jstr(a, "gcp_instance_id");
	d.ipv4s = xsm__json_get(a, "ipv4s");
	d.ipv6s = xsm__json_get(a, "ipv6s");
	d.macs = xsm__json_get(a, "mac_addresses");
	d.os = os;
	d.last_seen = t1;
	d.first_seen = t2;
	if (!host[0] && !fqdn[0])
		d.name = first_str(a, "ipv4s");
	xsm__conn_device_begin(c, &d);
	if ((v = xsm__json_get(a, "acr_score")) && xsm__json_type(v) == XSM_J_NUMBER &&
	    (crit = acr_level(xsm__json_num(v))))
		xsm_jw_kstr(w, "vendorCriticality", crit);
	if (*jstr(a, "bios_uuid"))
		xsm_jw_kstr(w, "biosUuid", jstr(a, "bios_uuid"));
	if (*first_str(a, "system_types"))
		xsm_jw_kstr(w, "systemType", first_str(a, "system_types"));
	if (xsm__json_count(xsm__json_get(a, "installed_software")))
		xsm__conn_str_array(w, "installedSoftware", xsm__json_get(a, "installed_software"), 's');
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "tenable");
	xsm_jw_obj(w);
	xsm_jw_kbool(w, "has_agent", xsm__json_bool(xsm__json_get(a, "has_agent")));
	xsm__conn_str_array(w, "netbios_names", xsm__json_get(a, "netbios_names"), 's');
	xsm__conn_str_array(w, "agent_names", xsm__json_get(a, "agent_names"), 's');
	if (*jstr(a, "network_name"))
		xsm_jw_kstr(w, "network_name", jstr(a, "network_name"));
	if (*jstr(a, "updated_at"))
		xsm_jw_kstr(w, "updated_at", jstr(a, "updated_at"));
	{
		const xsm__json *tags = xsm__json_get(a, "tags"), *tg;
		if (xsm__json_count(tags)) {
			xsm_jw_key(w, "tags");
			xsm_jw_arr(w);
			for (tg = xsm__json_child(tags); tg; tg = xsm__json_next(tg)) {
				xsm_buf_clear(&t->tmp);
				xsm_buf_printf(&t->tmp, "%s:%s", jstr(tg, "key"), jstr(tg, "value"));
				xsm_jw_str(w, t->tmp.ptr);
			}
			xsm_jw_arr_end(w);
		}
	}
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return xsm__conn_props_end(c);
}

static const char *state_word(const char *s)
{
	if (!strcasecmp(s, "fixed"))
		return "fixed";
	if (!strcasecmp(s, "reopened"))
		return "reopened";
	return "open";
}

/*
 * What on_vuln reads of a vulnerability, and all that is parsed of it: the
 * asset and the plugin's texts are most of an element.  A field on_vuln
 * starts to read must be added here.
 */
static const xsm__json_pick vuln_asset[] = { { "uuid", NULL }, { NULL, NULL } };
static const xsm__json_pick vuln_vector[] = { { "raw", NULL }, { NULL, NULL } };
static const xsm__json_pick vuln_vpr[] = { { "score", NULL }, { NULL, NULL } };
static const xsm__json_pick vuln_plugin[] = {
	{ "cve", NULL }, { "cvss3_base_score", NULL }, { "cvss_base_score", NULL }, { "cvss3_vector", vuln_vector },
	{ "cvss_vector", vuln_vector }, { "exploit_available", NULL }, { "id", NULL }, { "name", NULL },
	{ "vpr", vuln_vpr }, { NULL, NULL }
};
static const xsm__json_pick vuln_port[] = { { "port", NULL }, { NULL, NULL } };
static const xsm__json_pick vuln_pick[] = {
	{ "asset", vuln_asset }, { "plugin", vuln_plugin }, { "port", vuln_port }, { "severity", NULL },
	{ "state", NULL }, { "first_found", NULL }, { "last_found", NULL }, { NULL, NULL }
};

static int on_vuln(xsm__conn *c, const xsm__json *v, void *payload)
{
	xsm_jw *w = &c->jw;
	const xsm__json *asset = xsm__json_get(v, "asset"), *plugin = xsm__json_get(v, "plugin"), *cves, *e, *n;
	const char *uuid = jstr(asset, "uuid"), *sev = jstr(v, "severity"), *vec;
	double cvss = -1;
	int rc = 0;

	(void)payload;
	cves = xsm__json_get(plugin, "cve");
	if (!*uuid || !xsm__json_count(cves)) {
		c->st.skipped++; /* the product keeps CVE findings only */
		return 0;
	}
	if ((n = xsm__json_get(plugin, "cvss3_base_score")) && xsm__json_type(n) == XSM_J_NUMBER)
		cvss = xsm__json_num(n);
	else if ((n = xsm__json_get(plugin, "cvss_base_score")) && xsm__json_type(n) == XSM_J_NUMBER)
		cvss = xsm__json_num(n);
	vec = jstr(xsm__json_get(plugin, "cvss3_vector"), "raw");
	if (!*vec)
		vec = jstr(xsm__json_get(plugin, "cvss_vector"), "raw");
	for (e = xsm__json_child(cves); e && rc == 0; e = xsm__json_next(e)) {
		const char *cve = xsm__json_str(e);
		xsm__finding fd;
		char t1[21], t2[21];
		if (!xsm__is_cve(cve)) {
			c->st.skipped++;
			continue;
		}
		memset(&fd, 0, sizeof(fd));
		fd.asset = uuid;
		fd.cve = cve;
		if (!strcmp(sev, "critical") || !strcmp(sev, "high") || !strcmp(sev, "medium") || !strcmp(sev, "low") ||
		    !strcmp(sev, "info"))
			fd.severity = sev;
		else if (cvss >= 0)
			fd.severity = xsm__sev_from_cvss(cvss);
		fd.cvss = cvss <= 10 ? cvss : -1;
		fd.exploit = xsm__json_bool(xsm__json_get(plugin, "exploit_available"));
		fd.rce = xsm__cvss_remote(vec) && strstr(vec, "I:H") != NULL;
		fd.status = state_word(jstr(v, "state"));
		xsm__norm_time(t1, jstr(v, "first_found"));
		xsm__norm_time(t2, jstr(v, "last_found"));
		fd.first_found = t1;
		fd.last_found = t2;
		fd.reported_by = "tenable";
		xsm__conn_finding_begin(c, &fd);
		if ((n = xsm__json_get(plugin, "id")) && xsm__json_type(n) == XSM_J_NUMBER)
			xsm_jw_kint(w, "pluginId", (int64_t)xsm__json_num(n));
		if (*jstr(plugin, "name"))
			xsm_jw_kstr(w, "title", jstr(plugin, "name"));
		if ((n = xsm__json_get(xsm__json_get(v, "port"), "port")) && xsm__json_type(n) == XSM_J_NUMBER &&
		    xsm__json_num(n) > 0)
			xsm_jw_kint(w, "port", (int64_t)xsm__json_num(n));
		if ((n = xsm__json_get(xsm__json_get(plugin, "vpr"), "score")) && xsm__json_type(n) == XSM_J_NUMBER)
			xsm_jw_knum(w, "vpr", xsm__json_num(n));
		rc = xsm__conn_props_end(c);
	}
	return rc;
}

/* --- the export workflow -------------------------------------------------------------- */

static int run_export(struct tn *t, const char *kind, const char *body,
		      int (*cb)(xsm__conn *, const xsm__json *, void *))
{
	xsm__conn *c = t->c;
	xsm__http_resp resp;
	xsm__json *j = NULL;
	char path[256], uuid[64], what[64];
	unsigned char *done = NULL;
	size_t ndone = 0;
	time_t deadline = time(NULL) + t->export_timeout;
	xsm__pager pg;
	size_t items;
	int rc, fd = -1, finished = 0;

	memset(&resp, 0, sizeof(resp));
	snprintf(what, sizeof(what), "%s export", kind);
	if ((rc = xsm__pager_begin(&pg, c, what, NULL)) < 0)
		return rc;
	snprintf(path, sizeof(path), "/%s/export", kind);
	if ((rc = request(t, "POST", path, body, -1, &resp, what)) < 0)
		goto done;
	if ((rc = xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "")) < 0 ||
	    !*jstr(j, "export_uuid") || strlen(jstr(j, "export_uuid")) >= sizeof(uuid) ||
	    strspn(jstr(j, "export_uuid"), "0123456789abcdefABCDEF-") != strlen(jstr(j, "export_uuid"))) {
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: no usable export_uuid in the answer", c->name, what);
		goto done;
	}
	snprintf(uuid, sizeof(uuid), "%s", jstr(j, "export_uuid"));
	xsm__json_free(j);
	j = NULL;
	if ((rc = xsm__conn_tmpfile(c, &fd)) < 0)
		goto done;
	while (!finished) {
		const xsm__json *avail, *e;
		const char *status;
		int fetched = 0;

		snprintf(path, sizeof(path), "/%s/export/%s/status", kind, uuid);
		if ((rc = request(t, "GET", path, NULL, -1, &resp, what)) < 0)
			goto done;
		if ((rc = xsm__json_parse(&j, c->ctx, resp.body.ptr, resp.body.size, "")) < 0) {
			c->ctx->code = rc = XSM_EPROTO;
			xsm__error_prefix(c->ctx, "%s: %s status", c->name, what);
			goto done;
		}
		status = jstr(j, "status");
		if (!strcmp(status, "ERROR") || !strcmp(status, "CANCELLED")) {
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s %s ended with status %s", c->name, what, uuid,
					    status);
			goto done;
		}
		finished = !strcmp(status, "FINISHED");
		avail = xsm__json_get(j, "chunks_available");
		/* every chunk listed and not yet fetched, even while PROCESSING */
		for (e = xsm__json_child(avail); e; e = xsm__json_next(e)) {
			double d = xsm__json_num(e);
			size_t id;
			if (xsm__json_type(e) != XSM_J_NUMBER || d < 1 || d > 1e6) {
				rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: %s: bad chunk id", c->name, what);
				goto done;
			}
			id = (size_t)d;
			if (id >= ndone) {
				unsigned char *g = xsm__realloc(done, id + 64);
				if (!g) {
					rc = xsm__error_oom(c->ctx);
					goto done;
				}
				memset(g + ndone, 0, id + 64 - ndone);
				done = g;
				ndone = id + 64;
			}
			if (done[id])
				continue;
			snprintf(path, sizeof(path), "/%s/export/%s/chunks/%zu", kind, uuid, id);
			if ((rc = request(t, "GET", path, NULL, fd, &resp, what)) < 0)
				goto done;
			snprintf(path, sizeof(path), "%s: %s chunk %zu", c->name, kind, id);
			items = c->st.assets + c->st.findings + c->st.skipped;
			if ((rc = xsm__conn_json_array_fd(c, fd, path, cb == on_vuln ? vuln_pick : asset_pick, cb, t)) < 0)
				goto done;
			done[id] = 1;
			fetched = 1;
			/* chunk ids are distinct already: a chunk that repeats another is a server ignoring the id */
			items = c->st.assets + c->st.findings + c->st.skipped - items;
			if ((rc = xsm__pager_page(&pg, resp.body_hash, items, NULL)) < 0)
				goto done;
		}
		xsm__json_free(j);
		j = NULL;
		if (finished)
			break;
		if (time(NULL) > deadline) {
			rc = xsm__error_set(c->ctx, XSM_EHTTP, "%s: %s %s not finished after %lds (export_timeout)",
					    c->name, what, uuid, t->export_timeout);
			goto done;
		}
		if (!fetched)
			xsm__sleep((double)t->poll_ms / 1000.0);
	}
done:
	if (fd >= 0)
		close(fd);
	xsm__pager_end(&pg);
	xsm__free(done);
	xsm__json_free(j);
	xsm__http_resp_dispose(&resp);
	return rc;
}

static int tn_test(xsm__conn *c)
{
	struct tn t;
	xsm__http_resp resp;
	int rc = tn_open(&t, c);
	memset(&resp, 0, sizeof(resp));
	if (rc == 0)
		rc = request(&t, "GET", "/session", NULL, -1, &resp, "session");
	xsm__http_resp_dispose(&resp);
	tn_close(&t);
	return rc;
}

static int tn_sync(xsm__conn *c)
{
	struct tn t;
	xsm_buf body = XSM_BUF_INIT;
	long lookback;
	int64_t start = xsm_ctx_now(c->ctx), since = 0;
	int rc = tn_open(&t, c);

	if (rc == 0)
		rc = xsm__conn_getint(c, "lookback_days", 90, 0, 36500, &lookback);
	if (rc < 0)
		goto done;
	if (c->cursor) {
		since = strtoll(c->cursor, NULL, 10);
		c->delta = 1; /* findings arrive one by one: open, reopened and fixed since */
	} else if (lookback > 0) {
		since = start - lookback * 86400;
	}
	if (since > 0)
		xsm_buf_printf(&body, "{\"chunk_size\":%ld,\"filters\":{\"updated_at\":%lld}}", t.chunk_size,
			       (long long)since);
	else
		xsm_buf_printf(&body, "{\"chunk_size\":%ld}", t.chunk_size);
	if (!body.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = run_export(&t, "assets", body.ptr, on_asset)) < 0)
		goto done;
	xsm_buf_clear(&body);
	if (c->cursor)
		xsm_buf_printf(&body, "{\"num_assets\":%ld,\"filters\":{\"since\":%lld,\"state\":[\"OPEN\",\"REOPENED\",\"FIXED\"]}}",
			       t.num_assets, (long long)since);
	else
		xsm_buf_printf(&body, "{\"num_assets\":%ld,\"filters\":{\"state\":[\"OPEN\",\"REOPENED\"]}}",
			       t.num_assets);
	if (!body.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = run_export(&t, "vulns", body.ptr, on_vuln)) < 0)
		goto done;
	snprintf(c->new_cursor, sizeof(c->new_cursor), "%lld", (long long)start);
done:
	xsm_buf_dispose(&body);
	tn_close(&t);
	return rc;
}

int xsm__tenable_parse(xsm__conn *c, int fd, int vulns)
{
	struct tn t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.c = c;
	rc = xsm__conn_json_array_fd(c, fd, "chunk", vulns ? vuln_pick : asset_pick, vulns ? on_vuln : on_asset, &t);
	tn_close(&t);
	return rc;
}

static const char *const settings[] = { "url", "chunk_size", "num_assets", "poll_interval_ms", "export_timeout",
					NULL };
static const char *const secrets[] = { "access_key", "secret_key", NULL };
static const char *const required[] = { "access_key", "secret_key", NULL };

const xsm__vendor xsm__vendor_tenable = {
	{ "tenable", "Tenable Vulnerability Management: assets and CVE findings (export API)", settings, secrets,
	  required },
	tn_test,
	tn_sync,
	NULL,
};
