/*
 * connect/files.c - offline vendor exports: a Nessus .nessus file, a
 * Qualys scan report (<SCAN>) or ASSET_DATA_REPORT, and the vulnerability
 * CSV exports of Tenable and Rapid7.  Each maps onto the records, and the
 * identity keys, of the live connector for that vendor.
 *
 * Everything is read as a stream: XML through adapt/xml (no DTD, no
 * network, no entity expansion), CSV by a small RFC 4180 reader (BOM,
 * CRLF, quoted newlines).  A .nessus host's findings are written as its
 * ReportItems end, so memory is bounded by one ReportItem; a Qualys
 * ASSET_DATA_REPORT names CVEs only in its closing glossary, so its
 * detections (a few numbers each) wait for it.  Malformed input is
 * XSM_EINVALID with the line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "adapt/xml.h"
#include "connect/conn.h"
#include "connect/qualys.h"
#include "ctx.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/lines.h"
#include "util/vec.h"

#define MAXDEPTH 32

static const char *const formats[] = { "nessus", "qualys-xml", "rapid7-csv", "tenable-csv", NULL };

const char *const *xsm_vendor_formats(void)
{
	return formats;
}

/* one input being read */
struct fr {
	xsm__conn *c;
	const char *what;      /* the input's name in messages */
	xsm__strmap *seen;     /* asset ids written, across the files of one run */
	xsm_buf tmp;
};

/* the first time asset id is seen in this run: 1; again: 0 (its record is written once) */
static int asset_once(struct fr *f, const char *id, int *rc)
{
	uint64_t *slot;
	int created;
	*rc = 0;
	if (xsm__strmap_slot(f->seen, id, strlen(id), &slot, &created) < 0) {
		*rc = xsm__error_oom(f->c->ctx);
		return 0;
	}
	return created;
}

static void copy_name(char dst[48], const char *src)
{
	size_t n = strlen(src);
	if (n > 47)
		n = 47;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *bstr(const xsm_buf *b)
{
	return b->ptr ? b->ptr : "";
}

/* a score "9.3 (AV:N/...)" or "9.3"; -1 when none or out of range */
static double score(const char *s)
{
	char *end;
	double v;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	v = strtod(s, &end);
	return end == s || v < 0 || v > 10 ? -1 : v;
}

/* the first token of a list ("a, b", "a\nb") into out */
static void first_token(char *out, size_t n, const char *s)
{
	size_t k;
	while (*s && (isspace((unsigned char)*s) || *s == ','))
		s++;
	k = strcspn(s, ",; \t\r\n");
	snprintf(out, n, "%.*s", (int)(k < n ? k : n - 1), s);
}

/* "Thu Dec 17 17:49:25 2009" (a .nessus HOST_END, taken as UTC) as RFC 3339 */
static void ctime_time(char out[21], const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4], wd[4], iso[32];
	int d, h, mi, sec, y;
	const char *p;
	out[0] = '\0';
	if (sscanf(s, "%3s %3s %d %d:%d:%d %d", wd, mon, &d, &h, &mi, &sec, &y) != 7 || strlen(mon) != 3 ||
	    !(p = strstr(months, mon)) || (p - months) % 3 || y < 1970 || y > 9999)
		return;
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, (int)(p - months) / 3 + 1, d, h, mi, sec);
	xsm__norm_time(out, iso);
}

/* seconds since the epoch as RFC 3339 */
static void epoch_time(char out[21], const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	out[0] = '\0';
	if (end != s && !*end && v > 0 && v < 253402300800LL)
		xsm_time_format(out, (int64_t)v);
}

static const char *sev_from_word(const char *s)
{
	if (!strcasecmp(s, "critical"))
		return "critical";
	if (!strcasecmp(s, "high"))
		return "high";
	if (!strcasecmp(s, "medium") || !strcasecmp(s, "moderate"))
		return "medium";
	if (!strcasecmp(s, "low"))
		return "low";
	if (!strcasecmp(s, "none") || !strcasecmp(s, "info") || !strcasecmp(s, "informational"))
		return "info";
	return NULL;
}

/* ================================================================================ */
/* Nessus (NessusClientData_v2)                                                      */
/* ================================================================================ */

enum { N_IP, N_FQDN, N_HOSTNAME, N_NETBIOS, N_MAC, N_OS, N_END, N_START, N_END_TS, N_START_TS, N_AWS, N_UUID,
       N_NAME, N_NF };

static const struct {
	const char *tag;
	int field;
} nessus_tags[] = {
	{ "host-ip", N_IP },		   { "host-fqdn", N_FQDN },
	{ "hostname", N_HOSTNAME },	   { "netbios-name", N_NETBIOS },
	{ "mac-address", N_MAC },	   { "operating-system", N_OS },
	{ "HOST_END", N_END },		   { "HOST_START", N_START },
	{ "HOST_END_TIMESTAMP", N_END_TS }, { "HOST_START_TIMESTAMP", N_START_TS },
	{ "aws-instance-instanceId", N_AWS }, { "tenable-uuid", N_UUID },
	{ "host-uuid", N_UUID },
};

/* one ReportItem */
struct nitem {
	xsm_buf cves, name, v3vec, v2vec, risk;
	double v3, v2;
	long plugin, port;
	int severity, exploit;
};

struct nessus {
	struct fr *f;
	xsm_buf h[N_NF];
	char id[300];          /* the host's vendor id */
	char last[21], first[21];
	int host_open, host_written;
	struct nitem it;
	int tag_field;         /* the HostProperties tag being read, or -1 */
	int leaf;              /* the ReportItem child being read */
	size_t items;          /* ReportItems read */
};

enum { L_NONE, L_CVE, L_V3, L_V2, L_V3VEC, L_V2VEC, L_EXPLOIT, L_RISK };

static int nessus_host(struct nessus *n)
{
	xsm__conn *c = n->f->c;
	xsm_jw *w = &c->jw;
	char host[256], fqdn[300], mac[18], os[256], ip[64];
	const char *id;
	xsm__device d;
	int rc;

	n->host_written = 1;
	first_token(ip, sizeof(ip), bstr(&n->h[N_IP]));
	id = n->h[N_UUID].size ? n->h[N_UUID].ptr : ip[0] ? ip : bstr(&n->h[N_NAME]);
	snprintf(n->id, sizeof(n->id), "%s", id);
	if (!n->id[0]) {
		c->st.skipped++;
		return 0;
	}
	if (n->h[N_END_TS].size)
		epoch_time(n->last, n->h[N_END_TS].ptr);
	else
		ctime_time(n->last, bstr(&n->h[N_END]));
	if (n->h[N_START_TS].size)
		epoch_time(n->first, n->h[N_START_TS].ptr);
	else
		ctime_time(n->first, bstr(&n->h[N_START]));
	if (!asset_once(n->f, n->id, &rc))
		return rc;
	if (!ip[0] && (xsm__is_ipv4(bstr(&n->h[N_NAME])) || xsm__is_ipv6(bstr(&n->h[N_NAME]))))
		snprintf(ip, sizeof(ip), "%s", bstr(&n->h[N_NAME]));
	xsm__host_names(host, fqdn, bstr(&n->h[N_HOSTNAME]), n->h[N_FQDN].size ? n->h[N_FQDN].ptr : bstr(&n->h[N_NAME]),
	      bstr(&n->h[N_NETBIOS]));
	snprintf(os, sizeof(os), "%.*s", (int)strcspn(bstr(&n->h[N_OS]), "\r\n"), bstr(&n->h[N_OS]));
	{
		char m[64];
		first_token(m, sizeof(m), bstr(&n->h[N_MAC]));
		xsm__norm_mac(mac, m);
	}
	memset(&d, 0, sizeof(d));
	d.id = n->id;
	d.hostname = host;
	d.fqdn = fqdn;
	d.name = fqdn[0] ? fqdn : NULL;
	d.cloud_id = n->h[N_AWS].ptr;
	d.ipv4 = xsm__is_ipv4(ip) ? ip : NULL;
	d.ipv6 = xsm__is_ipv6(ip) ? ip : NULL;
	d.mac = mac;
	d.os = os;
	d.last_seen = n->last;
	d.first_seen = n->first;
	xsm__conn_device_begin(c, &d);
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "tenable");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "reportHost", bstr(&n->h[N_NAME]));
	if (n->h[N_NETBIOS].size)
		xsm_jw_kstr(w, "netbios_name", n->h[N_NETBIOS].ptr);
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return xsm__conn_props_end(c);
}

struct nfind {
	struct nessus *n;
	const char *sev;
	double cvss;
	int rce;
};

static int nessus_one(const char *cve, void *payload)
{
	struct nfind *nf = payload;
	struct nessus *n = nf->n;
	xsm__conn *c = n->f->c;
	xsm_jw *w = &c->jw;
	xsm__finding fd;

	memset(&fd, 0, sizeof(fd));
	fd.asset = n->id;
	fd.cve = cve;
	fd.severity = nf->sev;
	fd.cvss = nf->cvss;
	fd.exploit = n->it.exploit;
	fd.rce = nf->rce;
	fd.status = "open";
	fd.first_found = n->first;
	fd.last_found = n->last;
	fd.reported_by = "tenable";
	xsm__conn_finding_begin(c, &fd);
	if (n->it.plugin > 0)
		xsm_jw_kint(w, "pluginId", n->it.plugin);
	if (n->it.name.size)
		xsm_jw_kstr(w, "title", n->it.name.ptr);
	if (n->it.port > 0 && n->it.port <= 65535)
		xsm_jw_kint(w, "port", n->it.port);
	return xsm__conn_props_end(c);
}

static int nessus_item(struct nessus *n)
{
	static const char *const sev[] = { "info", "low", "medium", "high", "critical" };
	struct nfind nf;
	const char *vec;
	int rc;

	n->items++;
	if (!n->id[0])
		return 0;
	if (!n->it.cves.size) {
		n->f->c->st.skipped++; /* only CVE findings become records, as from the API */
		return 0;
	}
	nf.n = n;
	nf.cvss = n->it.v3 >= 0 ? n->it.v3 : n->it.v2;
	nf.sev = sev_from_word(bstr(&n->it.risk));
	if (!nf.sev && n->it.severity >= 0 && n->it.severity <= 4)
		nf.sev = sev[n->it.severity];
	if (!nf.sev && nf.cvss >= 0)
		nf.sev = xsm__sev_from_cvss(nf.cvss);
	vec = n->it.v3vec.size ? n->it.v3vec.ptr : bstr(&n->it.v2vec);
	nf.rce = xsm__cvss_remote(vec) && strstr(vec, "I:H") != NULL;
	/* Nessus v2 vectors say I:C for complete */
	if (!nf.rce && !n->it.v3vec.size)
		nf.rce = xsm__cvss_remote(vec) && strstr(vec, "I:C") != NULL;
	rc = xsm__each_cve(n->it.cves.ptr, nessus_one, &nf);
	return rc < 0 ? rc : 0;
}

static void nitem_reset(struct nitem *it)
{
	xsm_buf_clear(&it->cves);
	xsm_buf_clear(&it->name);
	xsm_buf_clear(&it->v3vec);
	xsm_buf_clear(&it->v2vec);
	xsm_buf_clear(&it->risk);
	it->v3 = it->v2 = -1;
	it->plugin = it->port = 0;
	it->severity = -1;
	it->exploit = 0;
}

static int nessus_parse(struct fr *f, int fd)
{
	xsm__conn *c = f->c;
	struct nessus n;
	xsm__xml *x = NULL;
	int ev, rc = 0, d, root_ok = 0, in_item = 0, in_props = 0;
	size_t i;

	memset(&n, 0, sizeof(n));
	n.f = f;
	n.tag_field = -1;
	if ((rc = xsm__xml_open_fd(&x, c->ctx, fd, f->what)) < 0)
		return rc;
	while (rc == 0 && (ev = xsm__xml_next(x)) > 0) {
		d = xsm__xml_depth(x);
		if (ev == XSM_XML_START) {
			const char *name = xsm__xml_name(x);
			if (d == 0) {
				if (strcmp(name, "NessusClientData_v2")) {
					rc = xsm__error_set(c->ctx, XSM_EINVALID,
							    "%s: not a .nessus file (NessusClientData_v2): the root is <%.60s>",
							    f->what, name);
					break;
				}
				root_ok = 1;
			} else if (d == 2 && !strcmp(name, "ReportHost")) {
				for (i = 0; i < N_NF; i++)
					xsm_buf_clear(&n.h[i]);
				xsm_buf_set(&n.h[N_NAME], xsm__xml_attr(x, "name") ? xsm__xml_attr(x, "name") : "");
				n.id[0] = n.last[0] = n.first[0] = '\0';
				n.host_open = 1;
				n.host_written = 0;
			} else if (n.host_open && d == 3 && !strcmp(name, "HostProperties")) {
				in_props = 1;
			} else if (in_props && d == 4 && !strcmp(name, "tag")) {
				const char *t = xsm__xml_attr(x, "name");
				n.tag_field = -1;
				for (i = 0; t && i < sizeof(nessus_tags) / sizeof(nessus_tags[0]); i++)
					if (!strcmp(t, nessus_tags[i].tag)) {
						n.tag_field = nessus_tags[i].field;
						break;
					}
			} else if (n.host_open && d == 3 && !strcmp(name, "ReportItem")) {
				const char *a;
				if (!n.host_written && (rc = nessus_host(&n)) < 0)
					break;
				in_item = 1;
				nitem_reset(&n.it);
				if ((a = xsm__xml_attr(x, "pluginID")))
					n.it.plugin = strtol(a, NULL, 10);
				if ((a = xsm__xml_attr(x, "port")))
					n.it.port = strtol(a, NULL, 10);
				if ((a = xsm__xml_attr(x, "severity")))
					n.it.severity = (int)strtol(a, NULL, 10);
				if ((a = xsm__xml_attr(x, "pluginName")))
					xsm_buf_set(&n.it.name, a);
			} else if (in_item && d == 4) {
				n.leaf = !strcmp(name, "cve")		     ? L_CVE
					 : !strcmp(name, "cvss3_base_score") ? L_V3
					 : !strcmp(name, "cvss_base_score")  ? L_V2
					 : !strcmp(name, "cvss3_vector")     ? L_V3VEC
					 : !strcmp(name, "cvss_vector")	     ? L_V2VEC
					 : !strcmp(name, "exploit_available") ? L_EXPLOIT
					 : !strcmp(name, "risk_factor")	     ? L_RISK
									     : L_NONE;
			}
		} else if (ev == XSM_XML_END) {
			if (d == 4) {
				n.leaf = L_NONE;
				n.tag_field = -1;
			} else if (d == 3 && in_props) {
				in_props = 0;
				if ((rc = nessus_host(&n)) < 0)
					break;
			} else if (d == 3 && in_item) {
				in_item = 0;
				if ((rc = nessus_item(&n)) < 0)
					break;
			} else if (d == 2 && n.host_open) {
				if (!n.host_written && (rc = nessus_host(&n)) < 0)
					break;
				n.host_open = 0;
				xsm__conn_page(c);
			}
		} else if (ev == XSM_XML_TEXT) {
			const char *t = xsm__xml_text(x);
			if (in_props && d == 4 && n.tag_field >= 0) {
				xsm_buf_set(&n.h[n.tag_field], t);
			} else if (in_item && d == 4) {
				switch (n.leaf) {
				case L_CVE:
					if (n.it.cves.size)
						xsm_buf_putc(&n.it.cves, ',');
					xsm_buf_puts(&n.it.cves, t);
					break;
				case L_V3: n.it.v3 = score(t); break;
				case L_V2: n.it.v2 = score(t); break;
				case L_V3VEC: xsm_buf_set(&n.it.v3vec, t); break;
				case L_V2VEC: xsm_buf_set(&n.it.v2vec, t); break;
				case L_EXPLOIT: n.it.exploit = !strcasecmp(t, "true"); break;
				case L_RISK: xsm_buf_set(&n.it.risk, t); break;
				default: break;
				}
			}
		}
	}
	if (rc == 0 && ev < 0)
		rc = ev;
	if (rc == 0 && !root_ok)
		rc = xsm__error_set(c->ctx, XSM_EINVALID, "%s: not a .nessus file: no NessusClientData_v2 element",
				    f->what);
	xsm__xml_free(x);
	for (i = 0; i < N_NF; i++)
		xsm_buf_dispose(&n.h[i]);
	xsm_buf_dispose(&n.it.cves);
	xsm_buf_dispose(&n.it.name);
	xsm_buf_dispose(&n.it.v3vec);
	xsm_buf_dispose(&n.it.v2vec);
	xsm_buf_dispose(&n.it.risk);
	return rc;
}

/* ================================================================================ */
/* Qualys: scan report (<SCAN>) and ASSET_DATA_REPORT                               */
/* ================================================================================ */

enum { Q_ID, Q_IP, Q_DNS, Q_NETBIOS, Q_OS, Q_TRACKING, Q_EC2, Q_ASSETID, Q_LASTSCAN, Q_NF };

/* a detection waiting for the glossary */
struct qdet {
	uint32_t host;          /* index into hosts */
	long qid;
	int port;
	char status[12];
	char first[21], last[21];
};

/* what the glossary or a scan says of a QID */
struct qkb {
	char *cves, *title;
	double cvss;
	int severity, exploit, rce;
};

struct qx {
	struct fr *f;
	xsm_buf h[Q_NF];
	XSM__VEC(char *) tags;
	XSM__VEC(char *) hosts;         /* host ids of the detections */
	XSM__VEC(struct qdet) dets;
	XSM__VEC(struct qkb) kbs;
	xsm__strmap kbmap;              /* qid -> index + 1 */
	int host_written;
	char id[128];
	/* the QID being read (glossary VULN_DETAILS or a scan's VULN) */
	long qid;
	int qsev, exploit, rce;
	double v2, v3;
	xsm_buf cves, title;
	char port[12];
};

static int q_host(struct qx *q)
{
	xsm__qhost h;
	int rc;

	q->host_written = 1;
	snprintf(q->id, sizeof(q->id), "%s", q->h[Q_ID].size ? q->h[Q_ID].ptr : bstr(&q->h[Q_IP]));
	if (!q->id[0]) {
		q->f->c->st.skipped++;
		return 0;
	}
	if (!asset_once(q->f, q->id, &rc))
		return rc;
	memset(&h, 0, sizeof(h));
	h.id = q->id;
	h.host_id = q->h[Q_ID].ptr;
	h.asset_id = q->h[Q_ASSETID].ptr;
	h.ip = q->h[Q_IP].ptr;
	h.dns = q->h[Q_DNS].ptr;
	h.netbios = q->h[Q_NETBIOS].ptr;
	h.os = q->h[Q_OS].ptr;
	h.last_scan = q->h[Q_LASTSCAN].ptr;
	h.tracking = q->h[Q_TRACKING].ptr;
	h.cloud_id = q->h[Q_EC2].ptr;
	h.tags = q->tags.v;
	h.ntags = q->tags.n;
	return xsm__qualys_host(q->f->c, &h);
}

static void q_host_clear(struct qx *q)
{
	size_t i;
	for (i = 0; i < Q_NF; i++)
		xsm_buf_clear(&q->h[i]);
	for (i = 0; i < q->tags.n; i++)
		xsm__free(q->tags.v[i]);
	q->tags.n = 0;
	q->host_written = 0;
	q->id[0] = '\0';
}

static void q_vuln_reset(struct qx *q)
{
	q->qid = 0;
	q->qsev = 0;
	q->exploit = q->rce = 0;
	q->v2 = q->v3 = -1;
	q->port[0] = '\0';
	xsm_buf_clear(&q->cves);
	xsm_buf_clear(&q->title);
}

static void q_add_cve(struct qx *q, const char *t)
{
	if (q->cves.size)
		xsm_buf_putc(&q->cves, ',');
	xsm_buf_puts(&q->cves, t);
}

static void q_threat(struct qx *q, const char *t)
{
	if (strstr(t, "Exploit") || strstr(t, "Malware"))
		q->exploit = 1;
	if (strstr(t, "Remote_Code_Execution"))
		q->rce = 1;
}

/* the glossary entry (or a scan's VULN) just read, into the cache */
static int q_kb_add(struct qx *q)
{
	struct qkb k;
	char key[24];
	uint64_t v;
	int n = snprintf(key, sizeof(key), "%ld", q->qid);
	if (q->qid <= 0 || xsm__strmap_get(&q->kbmap, key, (size_t)n, &v))
		return 0;
	k.cves = xsm__strdup(bstr(&q->cves));
	k.title = xsm__strdup(bstr(&q->title));
	k.cvss = q->v3 >= 0 ? q->v3 : q->v2;
	k.severity = q->qsev;
	k.exploit = q->exploit;
	k.rce = q->rce;
	if (!k.cves || !k.title || xsm__vec_push(&q->kbs, k) < 0 || xsm__strmap_put(&q->kbmap, key, q->kbs.n) < 0) {
		xsm__free(k.cves);
		xsm__free(k.title);
		return xsm__error_oom(q->f->c->ctx);
	}
	return 0;
}

/* a detection with what the glossary or the scan says of its QID: a finding for each CVE */
static int q_finding(struct qx *q, xsm__qdetection *qd, const struct qkb *k)
{
	int rc;
	qd->cves = k->cves;
	qd->cvss = k->cvss;
	qd->exploit = k->exploit;
	qd->rce = k->rce;
	qd->title = k->title;
	qd->severity = k->severity;
	qd->confirmed = -1;
	if ((rc = xsm__qualys_findings(q->f->c, qd)) == 1)
		q->f->c->st.skipped++;
	return rc < 0 ? rc : 0;
}

static int q_emit_dets(struct qx *q)
{
	size_t i;
	int rc = 0;
	for (i = 0; i < q->dets.n && rc == 0; i++) {
		struct qdet *d = &q->dets.v[i];
		xsm__qdetection qd;
		char key[24];
		uint64_t v;
		int n = snprintf(key, sizeof(key), "%ld", d->qid);
		if (!xsm__strmap_get(&q->kbmap, key, (size_t)n, &v)) {
			q->f->c->st.skipped++;
			continue;
		}
		memset(&qd, 0, sizeof(qd));
		qd.host = q->hosts.v[d->host];
		qd.qid = d->qid;
		qd.port = d->port;
		qd.status = d->status;
		qd.first = d->first;
		qd.last = d->last;
		rc = q_finding(q, &qd, &q->kbs.v[v - 1]);
	}
	return rc;
}

static int push_str(struct qx *q, void *vec, const char *s)
{
	XSM__VEC(char *) *v = vec;
	char *d = xsm__strdup(s);
	if (!d || xsm__vec_push(v, d) < 0) {
		xsm__free(d);
		return xsm__error_oom(q->f->c->ctx);
	}
	return 0;
}

static int qualys_parse(struct fr *f, int fd)
{
	xsm__conn *c = f->c;
	struct qx q;
	struct qdet det;
	xsm__xml *x = NULL;
	char stack[MAXDEPTH][48];
	int ev, rc = 0, d, kind = 0, in_det = 0, in_vuln = 0;
	size_t i;
	enum { ADR = 1, SCAN };

	memset(&q, 0, sizeof(q));
	memset(&det, 0, sizeof(det));
	q.f = f;
	if ((rc = xsm__xml_open_fd(&x, c->ctx, fd, f->what)) < 0)
		return rc;
	while (rc == 0 && (ev = xsm__xml_next(x)) > 0) {
		d = xsm__xml_depth(x);
		if (d < 0 || d >= MAXDEPTH)
			continue;
		if (ev == XSM_XML_START) {
			const char *name = xsm__xml_name(x), *parent = d > 0 ? stack[d - 1] : "";
			copy_name(stack[d], name);
			if (d == 0) {
				kind = !strcmp(name, "ASSET_DATA_REPORT") ? ADR : !strcmp(name, "SCAN") ? SCAN : 0;
				if (!kind) {
					rc = xsm__error_set(c->ctx, XSM_EINVALID,
							    "%s: not a Qualys scan report or ASSET_DATA_REPORT: the root is <%.60s>%s",
							    f->what, name,
							    !strcmp(name, "HOST_LIST_VM_DETECTION_OUTPUT")
								    ? " (a host list detection names no CVEs; the qualys connector reads it with the KnowledgeBase)"
								    : "");
					break;
				}
			} else if (kind == ADR && !strcmp(name, "HOST") && !strcmp(parent, "HOST_LIST")) {
				q_host_clear(&q);
			} else if (kind == ADR && !strcmp(name, "VULN_INFO_LIST") && !q.host_written) {
				/* the fields before it are the host's */
				if ((rc = q_host(&q)) < 0)
					break;
			} else if (kind == ADR && !strcmp(name, "VULN_INFO")) {
				memset(&det, 0, sizeof(det));
				in_det = 1;
			} else if (kind == ADR && !strcmp(name, "VULN_DETAILS")) {
				q_vuln_reset(&q);
				in_vuln = 1;
			} else if (kind == SCAN && d == 1 && !strcmp(name, "IP")) {
				const char *a;
				q_host_clear(&q);
				xsm_buf_set(&q.h[Q_IP], (a = xsm__xml_attr(x, "value")) ? a : "");
				xsm_buf_set(&q.h[Q_DNS], (a = xsm__xml_attr(x, "name")) ? a : "");
			} else if (kind == SCAN && d == 2 && !q.host_written &&
				   (!strcmp(name, "VULNS") || !strcmp(name, "PRACTICES") || !strcmp(name, "INFOS") ||
				    !strcmp(name, "SERVICES"))) {
				if ((rc = q_host(&q)) < 0)
					break;
			} else if (kind == SCAN && !strcmp(name, "CAT")) {
				const char *a = xsm__xml_attr(x, "port");
				snprintf(q.port, sizeof(q.port), "%s", a ? a : "");
			} else if (kind == SCAN && (!strcmp(name, "VULN") || !strcmp(name, "PRACTICE"))) {
				const char *a;
				char port[12];
				memcpy(port, q.port, sizeof(port));
				q_vuln_reset(&q);
				memcpy(q.port, port, sizeof(port));
				in_vuln = 1;
				if ((a = xsm__xml_attr(x, "number")))
					q.qid = strtol(a, NULL, 10);
				if ((a = xsm__xml_attr(x, "severity")))
					q.qsev = (int)strtol(a, NULL, 10);
				if ((a = xsm__xml_attr(x, "cveid")))
					q_add_cve(&q, a);
			}
			continue;
		}
		if (ev == XSM_XML_END) {
			const char *name = xsm__xml_name(x);
			if (kind == ADR && in_det && !strcmp(name, "VULN_INFO")) {
				in_det = 0;
				/* information gathered (Ig) is not a vulnerability */
				if (det.qid > 0 && det.port >= 0 && q.id[0]) {
					if (!q.hosts.n || strcmp(q.hosts.v[q.hosts.n - 1], q.id))
						if ((rc = push_str(&q, &q.hosts, q.id)) < 0)
							break;
					det.host = (uint32_t)(q.hosts.n - 1);
					if (xsm__vec_push(&q.dets, det) < 0)
						rc = xsm__error_oom(c->ctx);
				} else if (det.qid > 0 && det.port >= 0) {
					c->st.skipped++;
				}
			} else if (kind == ADR && !strcmp(name, "HOST_LIST")) {
				xsm__conn_page(c);
			} else if (kind == ADR && !strcmp(name, "HOST") && d > 0 && !strcmp(stack[d - 1], "HOST_LIST")) {
				if (!q.host_written)
					rc = q_host(&q);
			} else if (kind == ADR && in_vuln && !strcmp(name, "VULN_DETAILS")) {
				in_vuln = 0;
				rc = q_kb_add(&q);
			} else if (kind == SCAN && in_vuln && (!strcmp(name, "VULN") || !strcmp(name, "PRACTICE"))) {
				struct qkb k;
				xsm__qdetection qd;
				in_vuln = 0;
				if (!q.id[0]) {
					c->st.skipped++;
					continue;
				}
				memset(&k, 0, sizeof(k));
				k.cves = q.cves.ptr;
				k.title = q.title.ptr;
				k.cvss = q.v3 >= 0 ? q.v3 : q.v2;
				k.severity = q.qsev;
				k.exploit = q.exploit;
				k.rce = q.rce;
				memset(&qd, 0, sizeof(qd));
				qd.host = q.id;
				qd.qid = q.qid;
				qd.status = "open";
				qd.first = qd.last = bstr(&q.h[Q_LASTSCAN]);
				qd.port = (int)strtol(q.port, NULL, 10);
				rc = q_finding(&q, &qd, &k);
			} else if (kind == SCAN && d == 1 && !strcmp(name, "IP")) {
				if (!q.host_written)
					rc = q_host(&q);
				xsm__conn_page(c);
			}
			continue;
		}
		/* text */
		if (d < 1)
			continue;
		{
			const char *leaf = stack[d], *parent = stack[d - 1], *t = xsm__xml_text(x);
			if (kind == SCAN && d == 2 && !strcmp(leaf, "HEADER"))
				continue;
			if (kind == SCAN && d >= 2 && !strcmp(leaf, "KEY") && !strcmp(parent, "HEADER")) {
				/* <KEY value="DATE">2024-01-01T00:00:00Z</KEY>: the scan's time */
				continue;
			}
			if (in_det) {
				if (!strcmp(leaf, "QID"))
					det.qid = strtol(t, NULL, 10);
				else if (!strcmp(leaf, "TYPE") && strcmp(t, "Vuln") && strcmp(t, "Practice"))
					det.port = -1; /* Ig: information gathered */
				else if (!strcmp(leaf, "PORT") && det.port >= 0)
					det.port = (int)strtol(t, NULL, 10);
				else if (!strcmp(leaf, "VULN_STATUS"))
					snprintf(det.status, sizeof(det.status), "%s", t);
				else if (!strcmp(leaf, "FIRST_FOUND"))
					xsm__norm_time(det.first, t);
				else if (!strcmp(leaf, "LAST_FOUND"))
					xsm__norm_time(det.last, t);
			} else if (in_vuln) {
				if (!strcmp(leaf, "QID"))
					q.qid = strtol(t, NULL, 10);
				else if (!strcmp(leaf, "TITLE"))
					xsm_buf_set(&q.title, t);
				else if (!strcmp(leaf, "SEVERITY"))
					q.qsev = (int)strtol(t, NULL, 10);
				else if (!strcmp(leaf, "ID") && !strcmp(parent, "CVE_ID"))
					q_add_cve(&q, t);
				else if (!strcmp(leaf, "CVSS_BASE"))
					q.v2 = score(t);
				else if (!strcmp(leaf, "CVSS3_BASE"))
					q.v3 = score(t);
				else if (!strcmp(leaf, "THREAT_INTEL"))
					q_threat(&q, t);
				else if (!strcmp(parent, "EXPLT") || !strcmp(parent, "EXPLT_LIST"))
					q.exploit = 1;
			} else if (kind == ADR && !strcmp(parent, "HOST")) {
				int k = !strcmp(leaf, "IP")		  ? Q_IP
					: !strcmp(leaf, "DNS")		  ? Q_DNS
					: !strcmp(leaf, "NETBIOS")	  ? Q_NETBIOS
					: !strcmp(leaf, "OPERATING_SYSTEM") ? Q_OS
					: !strcmp(leaf, "TRACKING_METHOD") ? Q_TRACKING
					: !strcmp(leaf, "EC2_INSTANCE_ID") ? Q_EC2
					: !strcmp(leaf, "HOST_ID")	  ? Q_ID
					: !strcmp(leaf, "ASSET_ID")	  ? Q_ASSETID
					: !strcmp(leaf, "LAST_SCAN_DATETIME") ? Q_LASTSCAN
									  : -1;
				if (k >= 0)
					xsm_buf_set(&q.h[k], t);
			} else if (kind == ADR && !strcmp(leaf, "ASSET_GROUP_TITLE") && !strcmp(parent, "ASSET_GROUPS")) {
				rc = push_str(&q, &q.tags, t);
			} else if (kind == SCAN && d == 2) {
				if (!strcmp(leaf, "OS"))
					xsm_buf_set(&q.h[Q_OS], t);
				else if (!strcmp(leaf, "NETBIOS_HOSTNAME"))
					xsm_buf_set(&q.h[Q_NETBIOS], t);
			}
		}
	}
	if (rc == 0 && ev < 0)
		rc = ev;
	if (rc == 0 && !kind)
		rc = xsm__error_set(c->ctx, XSM_EINVALID, "%s: not a Qualys report: empty document", f->what);
	if (rc == 0 && kind == ADR) {
		rc = q_emit_dets(&q);
	}
	xsm__xml_free(x);
	q_host_clear(&q);
	for (i = 0; i < Q_NF; i++)
		xsm_buf_dispose(&q.h[i]);
	xsm__vec_free(&q.tags);
	for (i = 0; i < q.hosts.n; i++)
		xsm__free(q.hosts.v[i]);
	xsm__vec_free(&q.hosts);
	xsm__vec_free(&q.dets);
	for (i = 0; i < q.kbs.n; i++) {
		xsm__free(q.kbs.v[i].cves);
		xsm__free(q.kbs.v[i].title);
	}
	xsm__vec_free(&q.kbs);
	xsm__strmap_free(&q.kbmap);
	xsm_buf_dispose(&q.cves);
	xsm_buf_dispose(&q.title);
	return rc;
}

/* ================================================================================ */
/* CSV (RFC 4180, as spreadsheet programs and vendor consoles write it)              */
/* ================================================================================ */

#define CSV_MAX_RECORD (16u << 20)
#define CSV_MAX_FIELDS 4096

struct csv {
	int fd, eof, started;
	unsigned char buf[65536];
	size_t pos, len;
	size_t line;           /* the physical line being read (1-based) */
	size_t rec_line;       /* the line the record began on */
	xsm_buf data;          /* the record's fields, each NUL-terminated */
	size_t off[CSV_MAX_FIELDS];
	size_t nf;
};

static int csv_getc(struct csv *r)
{
	if (r->pos == r->len) {
		ssize_t n;
		if (r->eof)
			return -1;
		do
			n = read(r->fd, r->buf, sizeof(r->buf));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -2;
		if (n == 0) {
			r->eof = 1;
			return -1;
		}
		r->pos = 0;
		r->len = (size_t)n;
	}
	return r->buf[r->pos++];
}

static int csv_peek(struct csv *r)
{
	int ch = csv_getc(r);
	if (ch >= 0)
		r->pos--;
	return ch;
}

/* the next record: 1, or 0 at the end; XSM_EINVALID with the line */
static int csv_next(struct csv *r, xsm_ctx *ctx, const char *what)
{
	int ch, quoted = 0, in_field = 0;
	size_t qline = 0, fstart = 0;

	xsm_buf_clear(&r->data);
	r->nf = 0;
	if (!r->started) {
		r->started = 1;
		r->line = 1;
		/* a byte order mark, as spreadsheet programs write */
		if (csv_peek(r) == 0xEF) {
			unsigned char bom[3];
			size_t k;
			for (k = 0; k < 3 && (ch = csv_getc(r)) >= 0; k++)
				bom[k] = (unsigned char)ch;
			if (k != 3 || memcmp(bom, "\xEF\xBB\xBF", 3)) {
				/* not a BOM after all: the bytes are data */
				xsm_buf_put(&r->data, bom, k);
				in_field = 1;
			}
		}
	}
	r->rec_line = r->line;
	for (;;) {
		ch = csv_getc(r);
		if (ch == -2)
			return xsm__error_errno(ctx, XSM_EIO, "cannot read '%s'", what);
		if (r->data.size > CSV_MAX_RECORD)
			return xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: a record longer than %u bytes; nothing stored",
					      what, r->rec_line, CSV_MAX_RECORD);
		if (quoted) {
			if (ch < 0)
				return xsm__error_set(ctx, XSM_EINVALID,
						      "%s:%zu: a quoted field is not closed (it opens on line %zu): the file "
						      "is truncated or not CSV; nothing stored",
						      what, r->line, qline);
			if (ch == '"') {
				if (csv_peek(r) == '"') {
					csv_getc(r);
					xsm_buf_putc(&r->data, '"');
				} else {
					quoted = 0;
				}
				continue;
			}
			if (ch == '\n')
				r->line++;
			xsm_buf_putc(&r->data, (char)ch);
			continue;
		}
		if (ch < 0 && !in_field && !r->nf && !r->data.size)
			return 0;
		if (ch < 0 || ch == '\n' || ch == '\r' || ch == ',') {
			if (r->nf >= CSV_MAX_FIELDS)
				return xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: more than %d fields; nothing stored", what,
						      r->rec_line, CSV_MAX_FIELDS);
			r->off[r->nf++] = fstart;
			xsm_buf_putc(&r->data, '\0');
			fstart = r->data.size;
			in_field = 0;
			if (ch == ',')
				continue;
			if (ch == '\r' && csv_peek(r) == '\n')
				csv_getc(r);
			if (ch >= 0)
				r->line++;
			/* a blank line is no record */
			if (r->nf == 1 && r->data.size == 1 && ch >= 0) {
				xsm_buf_clear(&r->data);
				r->nf = 0;
				fstart = 0;
				r->rec_line = r->line;
				continue;
			}
			if (!r->data.ptr)
				return xsm__error_oom(ctx);
			return 1;
		}
		if (ch == '"' && !in_field) {
			quoted = 1;
			in_field = 1;
			qline = r->line;
			continue;
		}
		in_field = 1;
		xsm_buf_putc(&r->data, (char)ch);
	}
}

static const char *csv_field(const struct csv *r, int i)
{
	return i >= 0 && (size_t)i < r->nf ? r->data.ptr + r->off[i] : "";
}

/* the columns a CSV format reads: aliases, lower case, '|'-separated */
struct col {
	const char *names;
	int required;          /* 1: required; 2: one of the columns marked 2 is */
};

static int col_match(const char *aliases, const char *name)
{
	const char *p = aliases;
	size_t n = strlen(name);
	while (*p) {
		size_t k = strcspn(p, "|");
		if (k == n && !strncasecmp(p, name, n))
			return 1;
		p += k;
		if (*p)
			p++;
	}
	return 0;
}

/* the header: idx[i] is the index of cols[i], or -1 */
static int csv_header(struct fr *f, struct csv *r, const struct col *cols, int *idx, size_t ncols)
{
	xsm_ctx *ctx = f->c->ctx;
	char missing[512] = "";
	size_t i, j;
	int rc, any2 = 0, have2 = 0;

	if ((rc = csv_next(r, ctx, f->what)) < 0)
		return rc;
	if (rc == 0)
		return xsm__error_set(ctx, XSM_EINVALID, "%s: empty: no header line; nothing stored", f->what);
	for (i = 0; i < ncols; i++) {
		idx[i] = -1;
		for (j = 0; j < r->nf && idx[i] < 0; j++) {
			char name[128];
			const char *s = csv_field(r, (int)j);
			size_t a = 0, b = strlen(s);
			while (a < b && isspace((unsigned char)s[a]))
				a++;
			while (b > a && isspace((unsigned char)s[b - 1]))
				b--;
			snprintf(name, sizeof(name), "%.*s", (int)(b - a), s + a);
			if (col_match(cols[i].names, name))
				idx[i] = (int)j;
		}
		if (cols[i].required == 2) {
			any2 = 1;
			have2 |= idx[i] >= 0;
		}
		if (cols[i].required == 1 && idx[i] < 0) {
			size_t k = strlen(missing);
			snprintf(missing + k, sizeof(missing) - k, "%s'%.*s'", k ? ", " : "", (int)strcspn(cols[i].names, "|"),
				 cols[i].names);
		}
	}
	if (any2 && !have2) {
		size_t k = strlen(missing);
		snprintf(missing + k, sizeof(missing) - k, "%sone of", k ? ", and " : "");
		for (i = 0; i < ncols; i++)
			if (cols[i].required == 2) {
				k = strlen(missing);
				snprintf(missing + k, sizeof(missing) - k, " '%.*s'", (int)strcspn(cols[i].names, "|"),
					 cols[i].names);
			}
	}
	if (missing[0])
		return xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: missing required column %s; nothing stored", f->what,
				      r->rec_line, missing);
	return 0;
}

/* --- Tenable vulnerability CSV (Nessus, Tenable Vulnerability Management) --------- */

enum { T_PLUGIN, T_CVE, T_HOST, T_IP, T_FQDN, T_UUID, T_DNS, T_NETBIOS, T_MAC, T_OS, T_RISK, T_SEV, T_CVSS3,
       T_CVSS2, T_VEC3, T_VEC2, T_EXPLOIT, T_NAME, T_PORT, T_FIRST, T_LAST, T_STATE, T_NCOLS };

static const struct col tenable_cols[T_NCOLS] = {
	[T_PLUGIN] = { "plugin id|plugin", 1 },
	[T_CVE] = { "cve|cves", 1 },
	[T_HOST] = { "host|host name|hostname", 2 },
	[T_IP] = { "ip address|ipv4|ip", 2 },
	[T_FQDN] = { "fqdn|asset fqdn", 2 },
	[T_UUID] = { "asset uuid|asset id|uuid", 0 },
	[T_DNS] = { "dns name|dns", 0 },
	[T_NETBIOS] = { "netbios name|netbios", 0 },
	[T_MAC] = { "mac address|mac addresses|mac", 0 },
	[T_OS] = { "os|operating system|operating systems", 0 },
	[T_RISK] = { "risk|risk factor", 0 },
	[T_SEV] = { "severity", 0 },
	[T_CVSS3] = { "cvss v3.0 base score|cvss v3 base score|cvss3 base score|cvssv3", 0 },
	[T_CVSS2] = { "cvss v2.0 base score|cvss v2 base score|cvss|cvss base score", 0 },
	[T_VEC3] = { "cvss v3.0 vector|cvss v3 vector|cvss3 vector", 0 },
	[T_VEC2] = { "cvss v2.0 vector|cvss v2 vector|cvss vector", 0 },
	[T_EXPLOIT] = { "exploit?|exploit available|exploitable", 0 },
	[T_NAME] = { "name|plugin name", 0 },
	[T_PORT] = { "port", 0 },
	[T_FIRST] = { "first seen|first discovered|first found", 0 },
	[T_LAST] = { "last seen|last observed|last found", 0 },
	[T_STATE] = { "vuln state|state|vulnerability state", 0 },
};

/* Rapid7 InsightVM / Nexpose vulnerability export */
enum { R_IP, R_NAMES, R_CVES, R_ID, R_MAC, R_OS, R_OSVER, R_VID, R_TITLE, R_SEV, R_CVSS2, R_CVSS3, R_VEC3, R_VEC2,
       R_EXPLOITS, R_PORT, R_RESULT, R_FIRST, R_TEST, R_NCOLS };

static const struct col rapid7_cols[R_NCOLS] = {
	[R_IP] = { "asset ip address|ip address", 2 },
	[R_NAMES] = { "asset names|asset name|asset hostname", 2 },
	[R_CVES] = { "vulnerability cve ids|vulnerability cve id|cve ids|cves", 1 },
	[R_ID] = { "asset id", 0 },
	[R_MAC] = { "asset mac addresses|asset mac address", 0 },
	[R_OS] = { "asset os name|asset operating system", 0 },
	[R_OSVER] = { "asset os version", 0 },
	[R_VID] = { "vulnerability id", 0 },
	[R_TITLE] = { "vulnerability title", 0 },
	[R_SEV] = { "vulnerability severity level|vulnerability severity", 0 },
	[R_CVSS2] = { "vulnerability cvss score|vulnerability cvssv2 score|cvss score", 0 },
	[R_CVSS3] = { "vulnerability cvssv3 score|cvssv3 score", 0 },
	[R_VEC3] = { "vulnerability cvssv3 vector", 0 },
	[R_VEC2] = { "vulnerability cvss vector|vulnerability cvssv2 vector", 0 },
	[R_EXPLOITS] = { "exploit count|vulnerability exploit count|exploits", 0 },
	[R_PORT] = { "service port|port", 0 },
	[R_RESULT] = { "vulnerability test result code|test result code", 0 },
	[R_FIRST] = { "first found|vulnerability first found", 0 },
	[R_TEST] = { "vulnerability test date|test date", 0 },
};

struct crow {
	struct fr *f;
	const char *asset, *sev, *status, *title, *reported_by;
	char first[21], last[21];
	double cvss;
	int exploit, rce, port;
	long plugin;
	const char *vid;
};

static int csv_one(const char *cve, void *payload)
{
	struct crow *cr = payload;
	xsm__conn *c = cr->f->c;
	xsm_jw *w = &c->jw;
	xsm__finding fd;

	memset(&fd, 0, sizeof(fd));
	fd.asset = cr->asset;
	fd.cve = cve;
	fd.severity = cr->sev;
	fd.cvss = cr->cvss;
	fd.exploit = cr->exploit;
	fd.rce = cr->rce;
	fd.status = cr->status;
	fd.first_found = cr->first;
	fd.last_found = cr->last;
	fd.reported_by = cr->reported_by;
	xsm__conn_finding_begin(c, &fd);
	if (cr->plugin > 0)
		xsm_jw_kint(w, "pluginId", cr->plugin);
	if (cr->vid && *cr->vid)
		xsm_jw_kstr(w, "vulnerabilityId", cr->vid);
	if (cr->title && *cr->title)
		xsm_jw_kstr(w, "title", cr->title);
	if (cr->port > 0 && cr->port <= 65535)
		xsm_jw_kint(w, "port", cr->port);
	return xsm__conn_props_end(c);
}

/* a date a console wrote: RFC 3339, "2024-05-09 23:23:56", or a .nessus-style ctime */
static void any_time(char out[21], const char *s)
{
	xsm__norm_time(out, s);
	if (!out[0])
		ctime_time(out, s);
	if (!out[0] && strlen(s) >= 10) {
		/* "2024-05-09T10:00:00.000-07:00" and the like: the date is still worth having */
		char d[11];
		memcpy(d, s, 10);
		d[10] = '\0';
		xsm__norm_time(out, d);
	}
}

static int csv_device(struct fr *f, const char *id, const char *host_in, const char *fqdn_in, const char *netbios,
		      const char *ip_in, const char *mac_in, const char *os, const char *last, const char *vendor)
{
	xsm__conn *c = f->c;
	xsm_jw *w = &c->jw;
	char host[256], fqdn[300], mac[18], ip[64], m[64], t[21];
	xsm__device d;
	int rc;

	if (!asset_once(f, id, &rc))
		return rc;
	first_token(ip, sizeof(ip), ip_in);
	first_token(m, sizeof(m), mac_in);
	xsm__norm_mac(mac, m);
	xsm__host_names(host, fqdn, host_in, fqdn_in, netbios);
	any_time(t, last);
	memset(&d, 0, sizeof(d));
	d.id = id;
	d.hostname = host;
	d.fqdn = fqdn;
	d.name = fqdn[0] ? fqdn : NULL;
	d.ipv4 = xsm__is_ipv4(ip) ? ip : NULL;
	d.ipv6 = xsm__is_ipv6(ip) ? ip : NULL;
	d.mac = mac;
	d.os = os;
	d.last_seen = t;
	xsm__conn_device_begin(c, &d);
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, vendor);
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "id", id);
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	return xsm__conn_props_end(c);
}

static int tenable_row(struct fr *f, const struct csv *r, const int *ix)
{
	static const char *const sevn[] = { "info", "low", "medium", "high", "critical" };
	struct crow cr;
	char hostv[300], id[300];
	const char *host = csv_field(r, ix[T_HOST]), *ip = csv_field(r, ix[T_IP]), *fqdn = csv_field(r, ix[T_FQDN]);
	const char *vec, *risk;
	int rc;

	/* "Host" is an address or a name, as the scan's target was given */
	first_token(hostv, sizeof(hostv), host);
	if (!*ip && (xsm__is_ipv4(hostv) || xsm__is_ipv6(hostv)))
		ip = hostv;
	if (!*fqdn && strchr(hostv, '.') && !xsm__is_ipv4(hostv))
		fqdn = hostv;
	if (!*fqdn)
		fqdn = csv_field(r, ix[T_DNS]);
	first_token(id, sizeof(id), *csv_field(r, ix[T_UUID]) ? csv_field(r, ix[T_UUID]) : *ip ? ip : *hostv ? hostv : fqdn);
	if (!id[0]) {
		f->c->st.skipped++;
		return 0;
	}
	if ((rc = csv_device(f, id, xsm__is_ipv4(hostv) ? NULL : hostv, fqdn, csv_field(r, ix[T_NETBIOS]), ip,
			     csv_field(r, ix[T_MAC]), csv_field(r, ix[T_OS]), csv_field(r, ix[T_LAST]), "tenable")) < 0)
		return rc;
	memset(&cr, 0, sizeof(cr));
	cr.f = f;
	cr.asset = id;
	cr.cvss = score(csv_field(r, ix[T_CVSS3]));
	if (cr.cvss < 0)
		cr.cvss = score(csv_field(r, ix[T_CVSS2]));
	risk = *csv_field(r, ix[T_RISK]) ? csv_field(r, ix[T_RISK]) : csv_field(r, ix[T_SEV]);
	cr.sev = sev_from_word(risk);
	if (!cr.sev && isdigit((unsigned char)risk[0]) && !risk[1] && risk[0] <= '4')
		cr.sev = sevn[risk[0] - '0'];
	if (!cr.sev && cr.cvss >= 0)
		cr.sev = xsm__sev_from_cvss(cr.cvss);
	vec = *csv_field(r, ix[T_VEC3]) ? csv_field(r, ix[T_VEC3]) : csv_field(r, ix[T_VEC2]);
	cr.rce = xsm__cvss_remote(vec) && (strstr(vec, "I:H") || strstr(vec, "I:C"));
	cr.exploit = !strcasecmp(csv_field(r, ix[T_EXPLOIT]), "true") || !strcasecmp(csv_field(r, ix[T_EXPLOIT]), "yes");
	cr.status = !strcasecmp(csv_field(r, ix[T_STATE]), "fixed")	? "fixed"
		    : !strcasecmp(csv_field(r, ix[T_STATE]), "resurfaced") || !strcasecmp(csv_field(r, ix[T_STATE]), "reopened")
			    ? "reopened"
			    : "open";
	any_time(cr.first, csv_field(r, ix[T_FIRST]));
	any_time(cr.last, csv_field(r, ix[T_LAST]));
	cr.title = csv_field(r, ix[T_NAME]);
	cr.plugin = strtol(csv_field(r, ix[T_PLUGIN]), NULL, 10);
	cr.port = (int)strtol(csv_field(r, ix[T_PORT]), NULL, 10);
	cr.reported_by = "tenable";
	rc = xsm__each_cve(csv_field(r, ix[T_CVE]), csv_one, &cr);
	if (rc == 0)
		f->c->st.skipped++; /* no CVE: not a finding the graph can name */
	return rc < 0 ? rc : 0;
}

static int rapid7_row(struct fr *f, const struct csv *r, const int *ix)
{
	struct crow cr;
	char name[300], id[300], os[300];
	const char *ip = csv_field(r, ix[R_IP]), *vec, *res = csv_field(r, ix[R_RESULT]);
	int rc;

	first_token(name, sizeof(name), csv_field(r, ix[R_NAMES]));
	first_token(id, sizeof(id), *csv_field(r, ix[R_ID]) ? csv_field(r, ix[R_ID]) : *ip ? ip : name);
	if (!id[0]) {
		f->c->st.skipped++;
		return 0;
	}
	snprintf(os, sizeof(os), "%s%s%s", csv_field(r, ix[R_OS]), *csv_field(r, ix[R_OSVER]) ? " " : "",
		 csv_field(r, ix[R_OSVER]));
	if ((rc = csv_device(f, id, name, name, NULL, ip, csv_field(r, ix[R_MAC]), os, csv_field(r, ix[R_TEST]),
			     "rapid7")) < 0)
		return rc;
	memset(&cr, 0, sizeof(cr));
	cr.f = f;
	cr.asset = id;
	cr.cvss = score(csv_field(r, ix[R_CVSS3]));
	if (cr.cvss < 0)
		cr.cvss = score(csv_field(r, ix[R_CVSS2]));
	cr.sev = cr.cvss >= 0 ? xsm__sev_from_cvss(cr.cvss) : NULL;
	vec = *csv_field(r, ix[R_VEC3]) ? csv_field(r, ix[R_VEC3]) : csv_field(r, ix[R_VEC2]);
	cr.rce = xsm__cvss_remote(vec) && (strstr(vec, "I:H") || strstr(vec, "I:C"));
	cr.exploit = strtol(csv_field(r, ix[R_EXPLOITS]), NULL, 10) > 0;
	/* result codes: vulnerable-exploited (VE), -version (VV), -potential (VP); others are not open */
	cr.status = !*res || !strncasecmp(res, "V", 1) ? "open" : "fixed";
	if (strcmp(cr.status, "open")) {
		f->c->st.skipped++;
		return 0;
	}
	any_time(cr.first, csv_field(r, ix[R_FIRST]));
	any_time(cr.last, csv_field(r, ix[R_TEST]));
	cr.title = csv_field(r, ix[R_TITLE]);
	cr.vid = csv_field(r, ix[R_VID]);
	cr.port = (int)strtol(csv_field(r, ix[R_PORT]), NULL, 10);
	cr.reported_by = "rapid7";
	rc = xsm__each_cve(csv_field(r, ix[R_CVES]), csv_one, &cr);
	if (rc == 0)
		f->c->st.skipped++;
	return rc < 0 ? rc : 0;
}

static int csv_parse(struct fr *f, int fd, int rapid7)
{
	struct csv *r;
	int ix[32];
	int rc;
	size_t rows = 0;

	if (!(r = xsm__calloc(1, sizeof(*r))))
		return xsm__error_oom(f->c->ctx);
	r->fd = fd;
	rc = rapid7 ? csv_header(f, r, rapid7_cols, ix, R_NCOLS) : csv_header(f, r, tenable_cols, ix, T_NCOLS);
	while (rc == 0 && (rc = csv_next(r, f->c->ctx, f->what)) > 0) {
		rc = rapid7 ? rapid7_row(f, r, ix) : tenable_row(f, r, ix);
		if (rc < 0)
			break;
		if ((++rows & 0x3ff) == 0)
			xsm__conn_page(f->c);
	}
	if (rc == 0)
		xsm__conn_page(f->c);
	xsm_buf_dispose(&r->data);
	xsm__free(r);
	return rc;
}

/* ================================================================================ */
/* the entry points                                                                 */
/* ================================================================================ */

static const xsm_sync_options no_progress = XSM_SYNC_OPTIONS_INIT;

int xsm__file_parse(xsm__conn *c, int fd, const char *format, const char *what, xsm__strmap *seen)
{
	struct fr f;
	xsm__strmap own = { 0 };
	int rc;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.what = what;
	f.seen = seen ? seen : &own;
	if (!c->opts)
		c->opts = &no_progress;
	if (!strcmp(format, "nessus"))
		rc = nessus_parse(&f, fd);
	else if (!strcmp(format, "qualys-xml"))
		rc = qualys_parse(&f, fd);
	else if (!strcmp(format, "rapid7-csv"))
		rc = csv_parse(&f, fd, 1);
	else if (!strcmp(format, "tenable-csv"))
		rc = csv_parse(&f, fd, 0);
	else
		rc = xsm__error_set(c->ctx, XSM_EUSAGE, "unknown file format '%s' (nessus, qualys-xml, rapid7-csv, tenable-csv)",
				    format);
	if (rc == XSM_EPROTO) {
		/* malformed input, not a vendor's server: bad input data */
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(c->ctx));
		rc = xsm__error_set(c->ctx, XSM_EINVALID, "%s; nothing stored", msg);
	}
	xsm__strmap_free(&own);
	xsm_buf_dispose(&f.tmp);
	return rc;
}

int xsm_records_ingest_vendor_fd(xsm_ingest_stats *stats, xsm_store *store, const char *source, const char *format,
				 int fd, const char *where, const xsm_ingest_options *opts)
{
	xsm_ingest_options dflt = XSM_INGEST_OPTIONS_INIT;
	xsm__run_writer w;
	xsm__conn c;
	xsm_ctx *ctx = store->ctx;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (!opts)
		opts = &dflt;
	if (opts->version < 1 || opts->version > XSM_INGEST_OPTIONS_VERSION)
		return xsm__error_set(ctx, XSM_EUSAGE, "unknown xsm_ingest_options version %u", opts->version);
	if (!xsm_source_name_valid(source))
		return xsm__error_set(ctx, XSM_EUSAGE, "invalid source name '%s'", source);
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.store = store;
	c.name = source;
	c.opts = &no_progress;
	c.t0 = xsm__mono();
	if ((rc = xsm__run_begin(&w, store, source)) < 0)
		return rc;
	c.w = &w;
	xsm__xml_take_mended();
	rc = xsm__file_parse(&c, fd, format, where, NULL);
	if (opts->progress)
		opts->progress(c.st.assets + c.st.findings, 1, opts->payload);
	if (rc == 0 && !(w.stats.assets + w.stats.findings + w.stats.relations)) {
		if (opts->version < 2 || !opts->allow_empty)
			rc = xsm__error_set(ctx, XSM_ENOINPUT,
					    "%s: no records (%zu item%s without a CVE or host skipped): an empty run would "
					    "remove source '%s' from the graph; nothing stored (--allow-empty stores it)",
					    where, c.st.skipped, c.st.skipped == 1 ? "" : "s", source);
		else
			w.allow_shrink = 1;
	}
	if (rc < 0) {
		xsm__run_abort(&w);
	} else {
		char note[128];
		w.billable[0] = c.st.devices;
		w.billable[1] = c.st.containers;
		w.billable[2] = c.st.identities;
		w.billable[3] = c.st.applications;
		snprintf(note, sizeof(note), "%s file", format);
		w.note = note;
		rc = xsm__run_commit(&w, NULL);
		if (rc == 0 && (c.mended_bytes += xsm__xml_take_mended()))
			xsm__warn(ctx, "%s: text that is not UTF-8 or NULs: %zu byte%s replaced by U+FFFD", where,
				  c.mended_bytes, c.mended_bytes == 1 ? "" : "s");
	}
	*stats = w.stats;
	if (rc < 0)
		stats->run[0] = '\0';
	xsm_buf_dispose(&c.rec);
	xsm_buf_dispose(&c.sid);
	xsm_buf_dispose(&c.mended);
	xsm__strmap_free(&c.delta_keys);
	return rc;
}

/* ================================================================================ */
/* the file connector: exported files as one source of ingest --all                 */
/* ================================================================================ */

struct fglob {
	glob_t g;
	int have;
};

static int file_glob(xsm__conn *c, struct fglob *fg, const char **format)
{
	const char *path = xsm__conn_get(c, "path", NULL);
	size_t i;
	int grc;

	memset(fg, 0, sizeof(*fg));
	*format = xsm__conn_get(c, "format", NULL);
	if (!path || !*format)
		return xsm__error_set(c->ctx, XSM_ECONFIG, "%s: a file connector needs path and format", c->name);
	for (i = 0; formats[i] && strcmp(formats[i], *format); i++)
		;
	if (!formats[i] && strcmp(*format, "records"))
		return xsm__error_set(c->ctx, XSM_ECONFIG,
				      "%s: unknown format '%s' (records, nessus, qualys-xml, rapid7-csv, tenable-csv)", c->name,
				      *format);
	grc = glob(path, GLOB_ERR, NULL, &fg->g);
	fg->have = 1;
	if (grc == GLOB_NOMATCH || (grc == 0 && !fg->g.gl_pathc))
		return xsm__error_set(c->ctx, XSM_ENOINPUT, "%s: no file matches '%s'", c->name, path);
	if (grc != 0)
		return xsm__error_set(c->ctx, XSM_EIO, "%s: cannot read the files of '%s'", c->name, path);
	return 0;
}

static void file_unglob(struct fglob *fg)
{
	if (fg->have)
		globfree(&fg->g);
}

static int file_test(xsm__conn *c)
{
	struct fglob fg;
	const char *format;
	size_t i;
	int rc = file_glob(c, &fg, &format);
	for (i = 0; rc == 0 && i < fg.g.gl_pathc; i++)
		if (access(fg.g.gl_pathv[i], R_OK) < 0)
			rc = xsm__error_errno(c->ctx, errno == ENOENT ? XSM_ENOINPUT : XSM_EIO, "%s: cannot read '%s'",
					      c->name, fg.g.gl_pathv[i]);
	file_unglob(&fg);
	return rc;
}

/* a records file (one JSON object a line) into the run */
static int file_records(xsm__conn *c, int fd, const char *what)
{
	xsm__lines r;
	const char *line;
	char why[512];
	size_t len;
	int n, rc = 0;

	if (xsm__lines_init(&r, fd, 16u << 20) < 0)
		return xsm__error_oom(c->ctx);
	while ((n = xsm__lines_next(&r, &line, &len)) != 0) {
		size_t i;
		if (n < 0) {
			rc = n == XSM_EIO ? xsm__error_set(c->ctx, XSM_EIO, "cannot read '%s'", what)
					  : xsm__error_set(c->ctx, XSM_EINVALID, "%s:%zu: line too long", what, r.lineno);
			break;
		}
		for (i = 0; i < len && isspace((unsigned char)line[i]); i++)
			;
		if (i == len)
			continue;
		if ((rc = xsm__run_add(c->w, line, len, why, sizeof(why))) < 0) {
			if (rc == XSM_EINVALID)
				rc = xsm__error_set(c->ctx, XSM_EINVALID, "%s:%zu: %s; nothing stored", what, r.lineno, why);
			break;
		}
	}
	xsm__lines_free(&r);
	if (rc == 0) {
		c->st.assets = c->w->stats.assets;
		c->st.findings = c->w->stats.findings;
		c->st.relations = c->w->stats.relations;
	}
	return rc;
}

static int file_sync(xsm__conn *c)
{
	struct fglob fg;
	xsm__strmap seen = { 0 };
	const char *format;
	size_t i;
	int rc = file_glob(c, &fg, &format);

	for (i = 0; rc == 0 && i < fg.g.gl_pathc; i++) {
		const char *p = fg.g.gl_pathv[i];
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = xsm__error_errno(c->ctx, errno == ENOENT ? XSM_ENOINPUT : XSM_EIO, "%s: cannot open '%s'",
					      c->name, p);
			break;
		}
		if (!strcmp(format, "records")) {
			if (fg.g.gl_pathc > 1) {
				close(fd);
				rc = xsm__error_set(c->ctx, XSM_ECONFIG, "%s: format records takes one file, '%s' matches %zu",
						    c->name, xsm__conn_get(c, "path", ""), fg.g.gl_pathc);
				break;
			}
			rc = file_records(c, fd, p);
		} else {
			rc = xsm__file_parse(c, fd, format, p, &seen);
		}
		close(fd);
	}
	if (rc == 0)
		snprintf(c->note, sizeof(c->note), "%zu %s file%s", fg.g.gl_pathc, format, fg.g.gl_pathc == 1 ? "" : "s");
	xsm__strmap_free(&seen);
	file_unglob(&fg);
	return rc;
}

static const char *const file_settings[] = { "path", "format", NULL };
static const char *const file_secrets[] = { NULL };
static const char *const file_required[] = { "path", "format", NULL };

const xsm__vendor xsm__vendor_file = {
	{ "file", "offline vendor exports: .nessus, Qualys XML, Tenable or Rapid7 CSV, or records (path or glob)",
	  file_settings, file_secrets, file_required },
	file_test,
	file_sync,
	NULL,
};
