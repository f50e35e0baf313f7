/*
 * connect/qualys.c - Qualys VM: Host List Detection (XML) plus the
 * KnowledgeBase for QID -> CVE.
 *
 * Each page is downloaded to a temporary file and read as a stream
 * (pages can be hundreds of MB).  Hosts become assets as they are read;
 * detections wait for the page's KnowledgeBase lookup (detections carry a
 * QID, never a CVE), which is cached for the whole sync.  Paging follows
 * the truncation WARNING's URL.  Qualys reports errors as SIMPLE_RETURN,
 * sometimes with HTTP 200, and throttles with 409.  Incremental:
 * detections processed after the start of the last sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "adapt/xml.h"
#include "connect/conn.h"
#include "connect/qualys.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vec.h"

#define MAXDEPTH 16

/* one detection waiting for its QID's CVEs */
struct det {
	char *host;                 /* vendor host id */
	long qid;
	int severity;               /* 1..5 */
	int port;
	char status[12];
	char first[21], last[21];
	int confirmed;
};

/* what the KnowledgeBase says of a QID */
struct kb {
	char *cves;                 /* comma-separated, "" when none */
	double cvss;                /* v3 when given, else v2; -1 unknown */
	int exploit, rce;
	char *title;
};

struct ql {
	xsm__conn *c;
	xsm_buf base, auth, url, body;
	const char *hdrs[2];
	long page_size;
	XSM__VEC(struct det) dets;
	xsm__strmap kbmap;          /* qid text -> index + 1 into kbs */
	XSM__VEC(struct kb) kbs;
	/* the host being read */
	xsm_buf h[16];
	XSM__VEC(char *) tags;
	uint64_t body_hash;         /* of the last answer fetched */
};

/* host fields, in h[] */
enum { H_ID, H_IP, H_IPV6, H_OS, H_DNS, H_HOSTNAME, H_FQDN, H_NETBIOS, H_LASTSCAN, H_TRACKING, H_QGHOSTID,
       H_EC2, H_CLOUDID, H_ASSETID, H_NFIELDS };

static const struct {
	const char *name;
	int field;
} host_fields[] = {
	{ "ID", H_ID },           { "IP", H_IP },           { "IPV6", H_IPV6 },
	{ "OS", H_OS },           { "DNS", H_DNS },         { "NETBIOS", H_NETBIOS },
	{ "LAST_VM_SCANNED_DATE", H_LASTSCAN },             { "TRACKING_METHOD", H_TRACKING },
	{ "QG_HOSTID", H_QGHOSTID }, { "EC2_INSTANCE_ID", H_EC2 }, { "CLOUD_RESOURCE_ID", H_CLOUDID },
	{ "ASSET_ID", H_ASSETID },
};

/* an element name into a path slot (names longer than a slot are cut: none we read are) */
static void copy_name(char dst[32], const char *src)
{
	size_t n = strlen(src);
	if (n > 31)
		n = 31;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* --- requests and errors ----------------------------------------------------------- */

/* a SIMPLE_RETURN error body: code and text, or 0 when body is not one */
static int simple_return(struct ql *q, const char *buf, size_t len, long *code, char *text, size_t textlen)
{
	xsm__xml *x = NULL;
	int ev, in_sr = 0, found = 0;
	char leaf[32] = "";

	*code = 0;
	text[0] = '\0';
	if (xsm__xml_open_mem(&x, q->c->ctx, buf, len, "response") < 0) {
		xsm_ctx_clear(q->c->ctx);
		return 0;
	}
	while ((ev = xsm__xml_next(x)) > 0) {
		if (ev == XSM_XML_START) {
			snprintf(leaf, sizeof(leaf), "%s", xsm__xml_name(x));
			if (xsm__xml_depth(x) == 0)
				in_sr = !strcmp(leaf, "SIMPLE_RETURN");
			if (!in_sr)
				break;
		} else if (ev == XSM_XML_TEXT && in_sr) {
			if (!strcmp(leaf, "CODE")) {
				*code = strtol(xsm__xml_text(x), NULL, 10);
				found = 1;
			}
			else if (!strcmp(leaf, "TEXT"))
				snprintf(text, textlen, "%s", xsm__xml_text(x));
		} else if (ev == XSM_XML_END) {
			leaf[0] = '\0';
		}
	}
	xsm__xml_free(x);
	xsm_ctx_clear(q->c->ctx);
	return found;
}

static int ql_error(struct ql *q, long status, const char *buf, size_t len, const char *what)
{
	xsm__conn *c = q->c;
	long code;
	char text[300];
	int have = simple_return(q, buf, len, &code, text, sizeof(text));

	if (have) {
		int err = (code >= 2000 && code <= 2012) ? XSM_EAUTH
			: (code == 1960 || code == 1965 || code == 1920) ? XSM_ERATELIMIT : XSM_EHTTP;
		return xsm__error_set(c->ctx, err, "%s: %s: Qualys error %ld: %s%s", c->name, what, code, text,
				      err == XSM_EAUTH ? " (check the account; see xsm-connect(1))" : "");
	}
	{
		xsm__http_resp r;
		memset(&r, 0, sizeof(r));
		r.status = status;
		return xsm__conn_status(c, &r, what, NULL);
	}
}

/* GET url (or POST form) into fd; errors (also SIMPLE_RETURN with 200) become codes */
static int fetch(struct ql *q, const char *url, const char *form, int fd, const char *what)
{
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	xsm__http_resp resp;
	char head[2048];
	ssize_t n;
	int rc;

	memset(&resp, 0, sizeof(resp));
	req.url = url;
	req.headers = q->hdrs;
	req.userpwd = q->auth.ptr;
	req.body_fd = fd;
	req.retry_409 = 1;
	if (form) {
		req.method = "POST";
		req.body = form;
		req.body_len = strlen(form);
	}
	rc = xsm__conn_http(q->c, &req, &resp);
	q->body_hash = resp.body_hash;
	if (rc == 0) {
		/* errors come as a small SIMPLE_RETURN document, whatever the status */
		n = pread(fd, head, sizeof(head), 0);
		if (n < 0)
			n = 0;
		if (resp.status != 200)
			rc = ql_error(q, resp.status, head, (size_t)n, what);
		else if (xsm__contains(head, (size_t)n, "<SIMPLE_RETURN"))
			rc = ql_error(q, resp.status, head, (size_t)n, what);
	}
	xsm__http_resp_dispose(&resp);
	return rc;
}

/* --- the KnowledgeBase ----------------------------------------------------------------- */

static struct kb *kb_find(struct ql *q, long qid)
{
	char key[24];
	uint64_t v;
	int n = snprintf(key, sizeof(key), "%ld", qid);
	if (!xsm__strmap_get(&q->kbmap, key, (size_t)n, &v))
		return NULL;
	return &q->kbs.v[v - 1];
}

static int kb_add(struct ql *q, long qid, const char *cves, double cvss, int exploit, int rce, const char *title)
{
	struct kb k;
	char key[24];
	snprintf(key, sizeof(key), "%ld", qid);
	if (kb_find(q, qid))
		return 0;
	k.cves = xsm__strdup(cves);
	k.title = xsm__strdup(title);
	k.cvss = cvss;
	k.exploit = exploit;
	k.rce = rce;
	if (!k.cves || !k.title || xsm__vec_push(&q->kbs, k) < 0 || xsm__strmap_put(&q->kbmap, key, q->kbs.n) < 0) {
		xsm__free(k.cves);
		xsm__free(k.title);
		return xsm__error_oom(q->c->ctx);
	}
	return 0;
}

/* read a KNOWLEDGE_BASE_VULN_LIST_OUTPUT from fd into the cache */
static int kb_parse(struct ql *q, int fd)
{
	xsm__xml *x = NULL;
	char stack[MAXDEPTH][32];
	xsm_buf cves = XSM_BUF_INIT, title = XSM_BUF_INIT;
	long qid = 0;
	double v2 = -1, v3 = -1;
	int exploit = 0, rce = 0, ev, rc, d;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return xsm__error_errno(q->c->ctx, XSM_EIO, "cannot read the download");
	if ((rc = xsm__xml_open_fd(&x, q->c->ctx, fd, "knowledge base")) < 0)
		return rc;
	while ((ev = xsm__xml_next(x)) > 0) {
		d = xsm__xml_depth(x);
		if (d < 0 || d >= MAXDEPTH)
			continue;
		if (ev == XSM_XML_START) {
			copy_name(stack[d], xsm__xml_name(x));
			if (!strcmp(stack[d], "VULN")) {
				qid = 0;
				v2 = v3 = -1;
				exploit = rce = 0;
				xsm_buf_clear(&cves);
				xsm_buf_clear(&title);
			}
		} else if (ev == XSM_XML_TEXT && d >= 1) {
			const char *leaf = stack[d], *parent = stack[d - 1], *t = xsm__xml_text(x);
			if (!strcmp(leaf, "QID") && !strcmp(parent, "VULN"))
				qid = strtol(t, NULL, 10);
			else if (!strcmp(leaf, "TITLE") && !strcmp(parent, "VULN"))
				xsm_buf_set(&title, t);
			else if (!strcmp(leaf, "ID") && !strcmp(parent, "CVE") && xsm__is_cve(t)) {
				if (cves.size)
					xsm_buf_putc(&cves, ',');
				xsm_buf_puts(&cves, t);
			} else if (!strcmp(leaf, "BASE") && !strcmp(parent, "CVSS_V3"))
				v3 = strtod(t, NULL);
			else if (!strcmp(leaf, "BASE") && !strcmp(parent, "CVSS"))
				v2 = strtod(t, NULL);
			else if (!strcmp(leaf, "THREAT_INTEL")) {
				if (strstr(t, "Exploit") || strstr(t, "Malware"))
					exploit = 1;
				if (strstr(t, "Remote_Code_Execution"))
					rce = 1;
			} else if (!strcmp(parent, "EXPLT_LIST") || !strcmp(leaf, "EXPLT")) {
				exploit = 1;
			}
		} else if (ev == XSM_XML_END && !strcmp(xsm__xml_name(x), "VULN") && qid > 0) {
			double cvss = v3 >= 0 ? v3 : v2;
			if (cvss > 10)
				cvss = -1;
			if ((rc = kb_add(q, qid, cves.ptr ? cves.ptr : "", cvss, exploit, rce,
					 title.ptr ? title.ptr : "")) < 0)
				break;
		}
	}
	if (ev < 0)
		rc = ev;
	xsm__xml_free(x);
	xsm_buf_dispose(&cves);
	xsm_buf_dispose(&title);
	return rc < 0 ? rc : 0;
}

/* look up every QID of this page that the cache does not know, 500 at a time */
static int kb_lookup(struct ql *q, int fd)
{
	xsm__strmap asked = { 0 };
	size_t i = 0;
	int rc = 0;

	while (i < q->dets.n && rc == 0) {
		size_t batch = 0;
		xsm_buf_clear(&q->body);
		xsm_buf_puts(&q->body, "action=list&details=All&ids=");
		for (; i < q->dets.n && batch < 500; i++) {
			long qid = q->dets.v[i].qid;
			char key[24];
			uint64_t *slot;
			int created, n = snprintf(key, sizeof(key), "%ld", qid);
			if (kb_find(q, qid))
				continue;
			if (xsm__strmap_slot(&asked, key, (size_t)n, &slot, &created) < 0) {
				rc = xsm__error_oom(q->c->ctx);
				break;
			}
			if (!created)
				continue;
			xsm_buf_printf(&q->body, "%s%ld", batch ? "," : "", qid);
			batch++;
		}
		if (rc < 0 || !batch)
			break;
		if (!q->body.ptr) {
			rc = xsm__error_oom(q->c->ctx);
			break;
		}
		xsm_buf_clear(&q->url);
		xsm_buf_printf(&q->url, "%s/api/2.0/fo/knowledge_base/vuln/", q->base.ptr);
		if ((rc = fetch(q, q->url.ptr, q->body.ptr, fd, "knowledge base")) == 0)
			rc = kb_parse(q, fd);
		/* QIDs the KnowledgeBase does not know are not asked again */
		for (size_t k = 0; rc == 0 && k < asked.cap; k++)
			if (asked.keys[k] && !kb_find(q, strtol(asked.keys[k], NULL, 10)))
				rc = kb_add(q, strtol(asked.keys[k], NULL, 10), "", -1, 0, 0, "");
		xsm__strmap_free(&asked);
		memset(&asked, 0, sizeof(asked));
	}
	xsm__strmap_free(&asked);
	return rc;
}

/* --- records (shared with the report files: connect/qualys.h) ------------------------ */

int xsm__qualys_host(xsm__conn *c, const xsm__qhost *h)
{
	xsm_jw *w = &c->jw;
	char host[256], fqdn[300], t[21];
	const char *ip = h->ip ? h->ip : "";
	xsm__device d;
	size_t i;

	xsm__host_names(host, fqdn, h->hostname && *h->hostname ? h->hostname : h->dns,
			h->fqdn && *h->fqdn ? h->fqdn : h->dns, h->netbios);
	xsm__norm_time(t, h->last_scan ? h->last_scan : "");
	memset(&d, 0, sizeof(d));
	d.id = h->id;
	d.hostname = host;
	d.fqdn = fqdn;
	d.cloud_id = h->cloud_id && *h->cloud_id ? h->cloud_id : NULL;
	d.ipv4 = xsm__is_ipv4(ip) ? ip : NULL;
	d.ipv6 = h->ipv6 && *h->ipv6 ? h->ipv6 : xsm__is_ipv6(ip) ? ip : NULL;
	d.os = h->os ? h->os : "";
	d.last_seen = t;
	xsm__conn_device_begin(c, &d);
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "qualys");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "QualysAssetId", h->asset_id && *h->asset_id ? h->asset_id : NULL);
	xsm_jw_kstr(w, "hostId", h->host_id && *h->host_id ? h->host_id : NULL);
	if (h->tracking && *h->tracking)
		xsm_jw_kstr(w, "trackingMethod", h->tracking);
	if (h->netbios && *h->netbios)
		xsm_jw_kstr(w, "netbios", h->netbios);
	if (h->qg_host_id && *h->qg_host_id)
		xsm_jw_kstr(w, "qgHostId", h->qg_host_id);
	if (h->ntags) {
		xsm_jw_key(w, "tags");
		xsm_jw_arr(w);
		for (i = 0; i < h->ntags; i++)
			xsm_jw_str(w, h->tags[i]);
		xsm_jw_arr_end(w);
	}
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return xsm__conn_props_end(c);
}

static const char *status_word(const char *s)
{
	if (!s)
		return "open";
	if (!strcasecmp(s, "Fixed"))
		return "fixed";
	if (!strcasecmp(s, "Re-Opened") || !strcasecmp(s, "Reopened"))
		return "reopened";
	return "open";
}

static int finding_one(const char *cve, void *payload)
{
	static const char *const sev[] = { "info", "info", "low", "medium", "high", "critical" };
	const xsm__qdetection *d = ((void **)payload)[0];
	xsm__conn *c = ((void **)payload)[1];
	xsm_jw *w = &c->jw;
	xsm__finding fd;

	memset(&fd, 0, sizeof(fd));
	fd.asset = d->host;
	fd.cve = cve;
	fd.severity = d->cvss >= 0 ? xsm__sev_from_cvss(d->cvss) : sev[d->severity >= 0 && d->severity <= 5 ? d->severity : 0];
	fd.cvss = d->cvss;
	fd.exploit = d->exploit;
	fd.rce = d->rce;
	fd.status = status_word(d->status);
	fd.first_found = d->first ? d->first : "";
	fd.last_found = d->last ? d->last : "";
	fd.reported_by = "qualys";
	xsm__conn_finding_begin(c, &fd);
	xsm_jw_kint(w, "qid", d->qid);
	xsm_jw_kint(w, "qualysSeverity", d->severity);
	if (d->confirmed >= 0)
		xsm_jw_kbool(w, "confirmed", d->confirmed);
	if (d->port > 0 && d->port <= 65535)
		xsm_jw_kint(w, "port", d->port);
	if (d->title && *d->title)
		xsm_jw_kstr(w, "title", d->title);
	return xsm__conn_props_end(c);
}

int xsm__qualys_findings(xsm__conn *c, const xsm__qdetection *d)
{
	void *payload[2] = { (void *)d, c };
	int rc = xsm__each_cve(d->cves ? d->cves : "", finding_one, payload);
	return rc < 0 ? rc : rc ? 0 : 1;
}

/* the host just read */
static int emit_host(struct ql *q)
{
	xsm__qhost h;

	if (!q->h[H_ID].size) {
		q->c->st.skipped++;
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.id = h.host_id = q->h[H_ID].ptr;
	h.asset_id = q->h[H_ASSETID].ptr;
	h.ip = q->h[H_IP].ptr;
	h.ipv6 = q->h[H_IPV6].ptr;
	h.hostname = q->h[H_HOSTNAME].ptr;
	h.fqdn = q->h[H_FQDN].ptr;
	h.dns = q->h[H_DNS].ptr;
	h.netbios = q->h[H_NETBIOS].ptr;
	h.os = q->h[H_OS].ptr;
	h.last_scan = q->h[H_LASTSCAN].ptr;
	h.tracking = q->h[H_TRACKING].ptr;
	h.qg_host_id = q->h[H_QGHOSTID].ptr;
	h.cloud_id = q->h[H_EC2].size ? q->h[H_EC2].ptr : q->h[H_CLOUDID].ptr;
	h.tags = q->tags.v;
	h.ntags = q->tags.n;
	return xsm__qualys_host(q->c, &h);
}

/* the page's detections, now that the KnowledgeBase has their QIDs */
static int emit_findings(struct ql *q)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < q->dets.n && rc >= 0; i++) {
		struct det *d = &q->dets.v[i];
		struct kb *k = kb_find(q, d->qid);
		xsm__qdetection qd;
		if (!k) {
			q->c->st.skipped++;
			continue;
		}
		memset(&qd, 0, sizeof(qd));
		qd.host = d->host;
		qd.qid = d->qid;
		qd.severity = d->severity;
		qd.port = d->port;
		qd.status = d->status;
		qd.first = d->first;
		qd.last = d->last;
		qd.confirmed = d->confirmed;
		qd.cves = k->cves;
		qd.cvss = k->cvss;
		qd.exploit = k->exploit;
		qd.rce = k->rce;
		qd.title = k->title;
		if ((rc = xsm__qualys_findings(q->c, &qd)) == 1)
			q->c->st.skipped++; /* no CVE: not a finding the graph can name */
	}
	return rc < 0 ? rc : 0;
}

static void dets_clear(struct ql *q)
{
	size_t i;
	for (i = 0; i < q->dets.n; i++)
		xsm__free(q->dets.v[i].host);
	q->dets.n = 0;
}

static void host_clear(struct ql *q)
{
	size_t i;
	for (i = 0; i < H_NFIELDS; i++)
		xsm_buf_clear(&q->h[i]);
	for (i = 0; i < q->tags.n; i++)
		xsm__free(q->tags.v[i]);
	q->tags.n = 0;
}

/*
 * Read one HLD page from fd: hosts are emitted, detections kept for the
 * KnowledgeBase; next gets the WARNING URL ("" on the last page).
 */
static int parse_page(struct ql *q, int fd, xsm_buf *next)
{
	xsm__conn *c = q->c;
	xsm__xml *x = NULL;
	char stack[MAXDEPTH][32];
	struct det d;
	int ev, rc = 0, dd, root_ok = 0, in_det = 0;
	long warn = 0;

	xsm_buf_clear(next);
	memset(&d, 0, sizeof(d));
	if (lseek(fd, 0, SEEK_SET) < 0)
		return xsm__error_errno(c->ctx, XSM_EIO, "cannot read the download");
	if ((rc = xsm__xml_open_fd(&x, c->ctx, fd, "host list detection")) < 0)
		return rc;
	while (rc == 0 && (ev = xsm__xml_next(x)) > 0) {
		dd = xsm__xml_depth(x);
		if (dd < 0 || dd >= MAXDEPTH)
			continue;
		if (ev == XSM_XML_START) {
			copy_name(stack[dd], xsm__xml_name(x));
			if (dd == 0 && !strcmp(stack[0], "HOST_LIST_VM_DETECTION_OUTPUT"))
				root_ok = 1;
			if (!strcmp(stack[dd], "HOST") && dd > 0 && !strcmp(stack[dd - 1], "HOST_LIST"))
				host_clear(q);
			else if (!strcmp(stack[dd], "DETECTION")) {
				memset(&d, 0, sizeof(d));
				in_det = 1;
			}
			continue;
		}
		if (ev == XSM_XML_END) {
			const char *name = xsm__xml_name(x);
			if (!strcmp(name, "DETECTION") && in_det) {
				in_det = 0;
				/* information gathered (Info) is not a vulnerability */
				if (d.qid > 0 && d.confirmed >= 0) {
					if (!(d.host = xsm__strdup(q->h[H_ID].ptr ? q->h[H_ID].ptr : "")) ||
					    xsm__vec_push(&q->dets, d) < 0) {
						xsm__free(d.host);
						rc = xsm__error_oom(c->ctx);
					}
				} else if (d.qid > 0) {
					c->st.skipped++;
				}
			} else if (!strcmp(name, "HOST") && dd > 0 && !strcmp(stack[dd - 1], "HOST_LIST")) {
				rc = emit_host(q);
			}
			continue;
		}
		/* text */
		if (dd < 1)
			continue;
		{
			const char *leaf = stack[dd], *parent = stack[dd - 1], *t = xsm__xml_text(x);
			size_t i;
			if (in_det && !strcmp(parent, "DETECTION")) {
				if (!strcmp(leaf, "QID"))
					d.qid = strtol(t, NULL, 10);
				else if (!strcmp(leaf, "TYPE")) {
					d.confirmed = !strcmp(t, "Confirmed") ? 1 : !strcmp(t, "Potential") ? 0 : -1;
					if (d.confirmed < 0)
						d.severity = -1; /* Info */
				} else if (!strcmp(leaf, "SEVERITY") && d.severity >= 0)
					d.severity = (int)strtol(t, NULL, 10);
				else if (!strcmp(leaf, "PORT"))
					d.port = (int)strtol(t, NULL, 10);
				else if (!strcmp(leaf, "STATUS"))
					snprintf(d.status, sizeof(d.status), "%s", t);
				else if (!strcmp(leaf, "FIRST_FOUND_DATETIME"))
					xsm__norm_time(d.first, t);
				else if (!strcmp(leaf, "LAST_FOUND_DATETIME"))
					xsm__norm_time(d.last, t);
			} else if (!strcmp(parent, "HOST")) {
				for (i = 0; i < sizeof(host_fields) / sizeof(host_fields[0]); i++)
					if (!strcmp(leaf, host_fields[i].name)) {
						xsm_buf_set(&q->h[host_fields[i].field], t);
						break;
					}
			} else if (!strcmp(parent, "DNS_DATA")) {
				if (!strcmp(leaf, "HOSTNAME"))
					xsm_buf_set(&q->h[H_HOSTNAME], t);
				else if (!strcmp(leaf, "FQDN"))
					xsm_buf_set(&q->h[H_FQDN], t);
			} else if (!strcmp(parent, "TAG") && !strcmp(leaf, "NAME")) {
				char *s = xsm__strdup(t);
				if (!s || xsm__vec_push(&q->tags, s) < 0) {
					xsm__free(s);
					rc = xsm__error_oom(c->ctx);
				}
			} else if (!strcmp(parent, "WARNING")) {
				if (!strcmp(leaf, "CODE"))
					warn = strtol(t, NULL, 10);
				else if (!strcmp(leaf, "URL"))
					xsm_buf_set(next, t);
			}
		}
	}
	if (rc == 0 && ev < 0)
		rc = ev;
	if (rc == 0 && !root_ok)
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: host list detection: unexpected document", c->name);
	if (rc == 0 && next->size && warn != 1980)
		xsm_buf_clear(next);
	xsm__xml_free(x);
	return rc;
}

/* --- the connector ------------------------------------------------------------------- */

static int ql_open(struct ql *q, xsm__conn *c)
{
	int rc;

	memset(q, 0, sizeof(*q));
	q->c = c;
	q->hdrs[0] = "X-Requested-With: xsm";
	q->hdrs[1] = NULL;
	if ((rc = xsm__conn_url(c, NULL, &q->base)) < 0 ||
	    (rc = xsm__conn_getint(c, "page_size", 1000, 1, 1000000, &q->page_size)) < 0)
		return rc;
	return xsm__conn_userpass(c, &q->auth);
}

static void ql_close(struct ql *q)
{
	size_t i;
	host_clear(q);
	dets_clear(q);
	xsm__vec_free(&q->dets);
	xsm__vec_free(&q->tags);
	for (i = 0; i < q->kbs.n; i++) {
		xsm__free(q->kbs.v[i].cves);
		xsm__free(q->kbs.v[i].title);
	}
	xsm__vec_free(&q->kbs);
	xsm__strmap_free(&q->kbmap);
	for (i = 0; i < H_NFIELDS; i++)
		xsm_buf_dispose(&q->h[i]);
	if (q->auth.ptr)
		memset(q->auth.ptr, 0, q->auth.size);
	xsm_buf_dispose(&q->auth);
	xsm_buf_dispose(&q->base);
	xsm_buf_dispose(&q->url);
	xsm_buf_dispose(&q->body);
}

static int ql_test(xsm__conn *c)
{
	struct ql q;
	int fd = -1, rc = ql_open(&q, c);
	if (rc == 0)
		rc = xsm__conn_tmpfile(c, &fd);
	if (rc == 0 && xsm_buf_printf(&q.url, "%s/api/2.0/fo/asset/host/?action=list&details=None&truncation_limit=1",
				      q.base.ptr) < 0)
		rc = xsm__error_oom(c->ctx);
	if (rc == 0)
		rc = fetch(&q, q.url.ptr, NULL, fd, "host list");
	if (fd >= 0)
		close(fd);
	ql_close(&q);
	return rc;
}

static int ql_sync(xsm__conn *c)
{
	struct ql q;
	xsm__pager pg;
	xsm_buf next = XSM_BUF_INIT;
	char start[21];
	int fd = -1, rc = ql_open(&q, c);

	memset(&pg, 0, sizeof(pg));
	xsm_time_format(start, xsm_ctx_now(c->ctx));
	if (rc == 0)
		rc = xsm__conn_tmpfile(c, &fd);
	if (rc < 0)
		goto done;
	xsm_buf_printf(&q.url, "%s/api/2.0/fo/asset/host/vm/detection/?action=list&output_format=XML"
		       "&show_tags=1&truncation_limit=%ld",
		       q.base.ptr, q.page_size);
	if (c->cursor) {
		/* what was processed since: fixed detections too, so they close */
		xsm_buf_puts(&q.url, "&status=New,Active,Re-Opened,Fixed&vm_processed_after=");
		xsm__http_escape(&q.url, c->cursor);
		c->delta = 1;
	} else {
		xsm_buf_puts(&q.url, "&status=New,Active,Re-Opened");
	}
	if (!q.url.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = xsm__pager_begin(&pg, c, "host list detection", q.url.ptr)) < 0)
		goto done;
	for (;;) {
		size_t hosts = c->st.assets;
		uint64_t page;
		if ((rc = fetch(&q, q.url.ptr, NULL, fd, "host list detection")) < 0)
			break;
		page = q.body_hash; /* the KnowledgeBase calls come next */
		if ((rc = parse_page(&q, fd, &next)) < 0 || (rc = kb_lookup(&q, fd)) < 0 ||
		    (rc = emit_findings(&q)) < 0)
			break;
		dets_clear(&q);
		if ((rc = xsm__pager_page(&pg, page, c->st.assets - hosts, next.ptr)) < 0 || !next.size)
			break;
		/* the next batch must stay on the configured platform: credentials go with it */
		if (strncmp(next.ptr, q.base.ptr, q.base.size) || next.ptr[q.base.size] != '/') {
			rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: the next-batch URL points away from the platform",
					    c->name);
			break;
		}
		xsm_buf_set(&q.url, next.ptr);
	}
	if (rc == 0)
		snprintf(c->new_cursor, sizeof(c->new_cursor), "%s", start);
done:
	if (fd >= 0)
		close(fd);
	xsm__pager_end(&pg);
	xsm_buf_dispose(&next);
	ql_close(&q);
	return rc;
}

int xsm__qualys_parse(xsm__conn *c, int fd)
{
	struct ql q;
	xsm_buf next = XSM_BUF_INIT;
	int rc;

	memset(&q, 0, sizeof(q));
	q.c = c;
	/* a KnowledgeBase document fills the cache; a detection page uses it */
	rc = kb_parse(&q, fd);
	xsm_ctx_clear(c->ctx);
	if ((rc = parse_page(&q, fd, &next)) == 0)
		rc = emit_findings(&q);
	xsm_buf_dispose(&next);
	ql_close(&q);
	return rc;
}

static const char *const settings[] = { "url", "username", "page_size", NULL };
static const char *const secrets[] = { "password", NULL };
static const char *const required[] = { "url", "username", "password", NULL };

const xsm__vendor xsm__vendor_qualys = {
	{ "qualys", "Qualys VM: hosts and CVE findings (Host List Detection and KnowledgeBase)", settings, secrets,
	  required },
	ql_test,
	ql_sync,
	NULL,
};
