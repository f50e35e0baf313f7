/*
 * connect/defender.c - Microsoft Defender for Endpoint.
 *
 * The vulnerability catalogue (/api/vulnerabilities: CVSS and exploit
 * flags per CVE, kept in a compact table), the machines (/api/machines),
 * then every machine's software vulnerabilities in bulk
 * (/api/vulnerabilities/machinesVulnerabilities) joined with the
 * catalogue as CVE findings.  Pages go by $top/$skip until one comes back
 * empty, as the real API answers (a nextLink is followed when sent); each
 * page is read one element at a time from a file, so memory is bounded by
 * the page.  Logged-on users ("frequently logged in by" edges) come from
 * advanced hunting (DeviceLogonEvents summarised per device), or, when the
 * tenant does not allow it, per machine (/logonusers, about 1,500 calls an
 * hour): each sync asks as many machines as logon_machines and what is left
 * of logon_calls_per_hour allow, in turn: the most critical first, and the
 * next sync goes on where this one stopped (the cursor), so that over
 * several syncs every machine is asked.  The edges of machines not asked
 * this time are carried over from the previous run with the time they were
 * learned (learnedAt); the run says how many were covered (connect show).
 * Machines and findings are always read in full.
 */
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/msauth.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

#define HUNTING_ROWS 100000 /* the most rows advanced hunting returns for one query */

static const xsm__ms_endpoint endpoints[] = {
	{ "machines", "/api/machines?%24top=1", "Machine.Read.All" },
	{ "vulnerabilities", "/api/vulnerabilities?%24top=1", "Vulnerability.Read.All" },
	{ "machine vulnerabilities", "/api/vulnerabilities/machinesVulnerabilities?%24top=1", "Vulnerability.Read.All" },
	{ "advanced hunting",
	  "POST /api/advancedqueries/run {\"Query\":\"DeviceLogonEvents | take 1 | project DeviceId\"}",
	  "AdvancedQuery.Read.All" },
	{ "logged-on users", "", "User.Read.All" },
	{ NULL, NULL, NULL },
};

/* a catalogue entry: what a finding takes from it */
struct vuln {
	float cvss;
	unsigned char exploit, rce;
	char sev; /* index into sevs, or -1 */
};

static const char *const sevs[] = { "critical", "high", "medium", "low", "info" };

/* a machine the per-machine logon fallback may ask about */
struct cand {
	char id[48];
	int prio;
	unsigned char asked;     /* asked this sync */
};

#define ROTATION_TAG "logon-rotation 1\n"
#define HOUR_SLOTS 16            /* the syncs of the last hour whose calls the cursor remembers */

struct df {
	xsm__conn *c;
	xsm__ms m;
	long top_machines, top_vulns, top_catalog, logon_machines, logon_days, logon_min, hunt_devices, per_hour;
	const char *logons;
	int rotate;              /* the per-machine fallback may be needed: every machine is a candidate */
	xsm__strmap cat;         /* CVE -> index into vulns */
	struct vuln *vulns;
	size_t nvulns;
	xsm__strmap users;       /* user source ids emitted */
	struct cand *cands;      /* every machine, for the per-machine logon fallback */
	size_t ncands;
	xsm__strmap cand_idx;    /* machine id -> index into cands (once sorted) */
	char learned[21];        /* this sync's time: learnedAt of the edges asked now */
	/* the rotation: the cursor's, then this sync's */
	long rotation, covered, asked, budget, carried_edges;
	char oldest[21];         /* the oldest learnedAt carried over */
	time_t hour_t[HOUR_SLOTS];
	long hour_n[HOUR_SLOTS];
	size_t nhour;
	size_t machines;
	xsm_buf tmp, url;
	char ipv4[16][16], macs[16][18];
	const char *ipv4p[17], *macp[17];
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

static int sev_index(const char *s)
{
	size_t i;
	for (i = 0; i < sizeof(sevs) / sizeof(sevs[0]); i++)
		if (!strcasecmp(s, sevs[i]))
			return (int)i;
	return -1;
}

/* --- the catalogue ------------------------------------------------------------------- */

static const xsm__json_pick catalog_pick[] = {
	{ "id", NULL }, { "severity", NULL }, { "cvssV3", NULL }, { "cvssVector", NULL }, { "publicExploit", NULL },
	{ "exploitVerified", NULL }, { "exploitInKit", NULL }, { NULL, NULL }
};

static int on_catalog(xsm__conn *c, const xsm__json *v, void *payload)
{
	struct df *d = payload;
	const char *id = jstr(v, "id"), *vec = jstr(v, "cvssVector");
	const xsm__json *n = xsm__json_get(v, "cvssV3");
	uint64_t *slot;
	int created;

	if (!xsm__is_cve(id))
		return 0;
	if (d->nvulns % 1024 == 0) {
		struct vuln *g = xsm__reallocarray(d->vulns, d->nvulns + 1024, sizeof(*g));
		if (!g)
			return xsm__error_oom(c->ctx);
		d->vulns = g;
	}
	if (xsm__strmap_slot(&d->cat, id, strlen(id), &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	if (!created)
		return 0;
	*slot = d->nvulns;
	d->vulns[d->nvulns].cvss = xsm__json_type(n) == XSM_J_NUMBER ? (float)xsm__json_num(n) : -1.0f;
	d->vulns[d->nvulns].exploit = (unsigned char)(xsm__json_bool(xsm__json_get(v, "publicExploit")) ||
						      xsm__json_bool(xsm__json_get(v, "exploitVerified")) ||
						      xsm__json_bool(xsm__json_get(v, "exploitInKit")));
	/* remote code execution: network, no privileges, no interaction, integrity lost */
	d->vulns[d->nvulns].rce = (unsigned char)(xsm__cvss_remote(vec) && strstr(vec, "I:H") != NULL);
	d->vulns[d->nvulns].sev = (char)sev_index(jstr(v, "severity"));
	d->nvulns++;
	return 0;
}

/* --- machines ---------------------------------------------------------------------------- */

static const xsm__json_pick vm_pick[] = {
	{ "vmId", NULL }, { "cloudProvider", NULL }, { "resourceId", NULL }, { "subscriptionId", NULL }, { NULL, NULL }
};
static const xsm__json_pick machine_pick[] = {
	{ "id", NULL }, { "computerDnsName", NULL }, { "firstSeen", NULL }, { "lastSeen", NULL },
	{ "osPlatform", NULL }, { "version", NULL }, { "osBuild", NULL }, { "lastIpAddress", NULL },
	{ "lastExternalIpAddress", NULL }, { "healthStatus", NULL }, { "deviceValue", NULL }, { "riskScore", NULL },
	{ "exposureLevel", NULL }, { "aadDeviceId", NULL }, { "machineTags", NULL }, { "onboardingStatus", NULL },
	{ "rbacGroupName", NULL }, { "mergedIntoMachineId", NULL }, { "isExcluded", NULL }, { "ipAddresses", NULL },
	{ "vmMetadata", vm_pick }, { "agentVersion", NULL }, { "defenderAvStatus", NULL }, { "isAadJoined", NULL },
	{ NULL, NULL }
};

/*
 * Criticality a machine tag gives: "Criticality: High", "criticality=very high",
 * "crit-0" … (levels 0 very high to 3 low, as xsm's).  NULL when none does.
 */
static const char *tag_criticality(const char *tag)
{
	static const char *const words[] = { "very high", "high", "medium", "low" };
	char low[64];
	const char *p;
	size_t i;

	for (i = 0; tag[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)(tag[i] >= 'A' && tag[i] <= 'Z' ? tag[i] + 32 : tag[i]);
	low[i] = '\0';
	if (strncmp(low, "criticality", 11) && strncmp(low, "crit", 4))
		return NULL;
	p = low + (strncmp(low, "criticality", 11) ? 4 : 11);
	p += strspn(p, " :=-_");
	for (i = 0; i < 4; i++)
		if (!strcmp(p, words[i]) || (p[0] == (char)('0' + i) && !p[1]))
			return words[i];
	if (!strcmp(p, "veryhigh") || !strcmp(p, "very-high") || !strcmp(p, "very_high") || !strcmp(p, "critical"))
		return words[0];
	return NULL;
}

static int usable_ipv4(const char *s)
{
	return xsm__is_ipv4(s) && strncmp(s, "127.", 4) && strncmp(s, "169.254.", 8) && strcmp(s, "0.0.0.0");
}

/* a rank for the per-machine logon fallback: the most critical first */
static int priority(const char *crit, const char *value, const char *exposure)
{
	int p = 0;
	if (crit)
		p = !strcmp(crit, "very high") ? 40 : !strcmp(crit, "high") ? 30 : !strcmp(crit, "medium") ? 10 : 0;
	if (!strcasecmp(value, "High"))
		p += 20;
	if (!strcasecmp(exposure, "High"))
		p += 5;
	else if (!strcasecmp(exposure, "Medium"))
		p += 2;
	return p;
}

static int consider(struct df *d, const char *id, int prio)
{
	if (d->ncands % 1024 == 0) {
		struct cand *g = xsm__reallocarray(d->cands, d->ncands + 1024, sizeof(*g));
		if (!g)
			return xsm__error_oom(d->c->ctx);
		d->cands = g;
	}
	snprintf(d->cands[d->ncands].id, sizeof(d->cands[0].id), "%s", id);
	d->cands[d->ncands].prio = prio;
	d->cands[d->ncands].asked = 0;
	d->ncands++;
	return 0;
}

static int on_machine(xsm__conn *c, const xsm__json *mc, void *payload)
{
	struct df *d = payload;
	xsm_jw *w = &c->jw;
	const char *id = jstr(mc, "id"), *dns = jstr(mc, "computerDnsName"), *crit = NULL;
	const xsm__json *vm = xsm__json_get(mc, "vmMetadata"), *tags = xsm__json_get(mc, "machineTags"), *e;
	char fqdn[300], host[256], t1[21], t2[21], os[160], cloud[512];
	size_t ni = 0, nm = 0, k;
	xsm__device dev;

	/* a machine merged into another is that other one's old record */
	if (!*id || *jstr(mc, "mergedIntoMachineId") || strlen(id) >= sizeof(d->cands[0].id)) {
		c->st.skipped++;
		return 0;
	}
	xsm__norm_host(fqdn, sizeof(fqdn), dns);
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(fqdn, "."), fqdn);
	xsm__norm_time(t1, jstr(mc, "lastSeen"));
	xsm__norm_time(t2, jstr(mc, "firstSeen"));
	snprintf(os, sizeof(os), "%s%s%s", jstr(mc, "osPlatform"), *jstr(mc, "version") ? " " : "", jstr(mc, "version"));
	/* addresses: every interface's, without loopback, link-local and the null MAC */
	if (usable_ipv4(jstr(mc, "lastIpAddress")))
		snprintf(d->ipv4[ni++], sizeof(d->ipv4[0]), "%s", jstr(mc, "lastIpAddress"));
	for (e = xsm__json_child(xsm__json_get(mc, "ipAddresses")); e; e = xsm__json_next(e)) {
		const char *ip = jstr(e, "ipAddress");
		char mac[18];
		xsm__norm_mac(mac, jstr(e, "macAddress"));
		for (k = 0; k < ni && strcmp(d->ipv4[k], ip); k++)
			;
		if (k == ni && ni < 16 && usable_ipv4(ip))
			snprintf(d->ipv4[ni++], sizeof(d->ipv4[0]), "%s", ip);
		for (k = 0; k < nm && strcmp(d->macs[k], mac); k++)
			;
		if (k == nm && nm < 16 && mac[0])
			memcpy(d->macs[nm++], mac, sizeof(mac));
	}
	for (k = 0; k < ni; k++)
		d->ipv4p[k] = d->ipv4[k];
	d->ipv4p[ni] = NULL;
	for (k = 0; k < nm; k++)
		d->macp[k] = d->macs[k];
	d->macp[nm] = NULL;
	cloud[0] = '\0';
	if (!strncasecmp(jstr(vm, "resourceId"), "/subscriptions/", 15))
		xsm__norm_host(cloud, sizeof(cloud), jstr(vm, "resourceId")); /* lower case, as every ARM id here */
	memset(&dev, 0, sizeof(dev));
	dev.id = id;
	dev.name = *dns ? dns : NULL;
	dev.hostname = host;
	dev.fqdn = strchr(fqdn, '.') ? fqdn : NULL;
	dev.cloud_id = cloud;
	dev.mde_id = id;
	dev.azure_vm_id = !strcasecmp(jstr(vm, "cloudProvider"), "Azure") ? jstr(vm, "vmId") : NULL;
	dev.ipv4_list = d->ipv4p;
	dev.mac_list = d->macp;
	dev.os = os;
	dev.last_seen = t1;
	dev.first_seen = t2;
	for (e = xsm__json_child(tags); e && !crit; e = xsm__json_next(e))
		if (xsm__json_str(e))
			crit = tag_criticality(xsm__json_str(e));
	xsm__conn_device_begin(c, &dev);
	if (!crit && !strcasecmp(jstr(mc, "deviceValue"), "High"))
		crit = "high";
	else if (!crit && !strcasecmp(jstr(mc, "deviceValue"), "Low"))
		crit = "low";
	if (crit)
		xsm_jw_kstr(w, "vendorCriticality", crit);
	if (*jstr(mc, "exposureLevel"))
		xsm_jw_kstr(w, "exposureLevel", jstr(mc, "exposureLevel"));
	if (*jstr(mc, "riskScore"))
		xsm_jw_kstr(w, "riskScore", jstr(mc, "riskScore"));
	if (*jstr(mc, "deviceValue"))
		xsm_jw_kstr(w, "deviceValue", jstr(mc, "deviceValue"));
	if (*jstr(mc, "onboardingStatus"))
		xsm_jw_kstr(w, "onboardingStatus", jstr(mc, "onboardingStatus"));
	if (*jstr(mc, "healthStatus"))
		xsm_jw_kstr(w, "healthStatus", jstr(mc, "healthStatus"));
	if (xsm__json_count(tags))
		xsm__conn_str_array(w, "machineTags", tags, 's');
	if (*jstr(mc, "aadDeviceId"))
		xsm_jw_kstr(w, "aadDeviceId", jstr(mc, "aadDeviceId"));
	xsm_jw_key(w, "raw");
	xsm_jw_obj(w);
	xsm_jw_key(w, "defender");
	xsm_jw_obj(w);
	if (*jstr(mc, "rbacGroupName"))
		xsm_jw_kstr(w, "rbacGroupName", jstr(mc, "rbacGroupName"));
	if (*jstr(mc, "lastExternalIpAddress"))
		xsm_jw_kstr(w, "lastExternalIpAddress", jstr(mc, "lastExternalIpAddress"));
	if (*jstr(mc, "agentVersion"))
		xsm_jw_kstr(w, "agentVersion", jstr(mc, "agentVersion"));
	if (*jstr(mc, "defenderAvStatus"))
		xsm_jw_kstr(w, "defenderAvStatus", jstr(mc, "defenderAvStatus"));
	if (*jstr(vm, "cloudProvider"))
		xsm_jw_kstr(w, "cloudProvider", jstr(vm, "cloudProvider"));
	if (xsm__json_bool(xsm__json_get(mc, "isExcluded")))
		xsm_jw_kbool(w, "isExcluded", 1);
	xsm_jw_obj_end(w);
	xsm_jw_obj_end(w);
	d->machines++;
	if (d->rotate && consider(d, id, priority(crit, jstr(mc, "deviceValue"), jstr(mc, "exposureLevel"))) < 0)
		return XSM_ENOMEM;
	return xsm__conn_props_end(c);
}

/* --- findings ---------------------------------------------------------------------------------- */

static const xsm__json_pick mv_pick[] = {
	{ "cveId", NULL }, { "machineId", NULL }, { "severity", NULL }, { "productName", NULL },
	{ "productVendor", NULL }, { "productVersion", NULL }, { "fixingKbId", NULL }, { NULL, NULL }
};

static int on_mv(xsm__conn *c, const xsm__json *v, void *payload)
{
	struct df *d = payload;
	xsm_jw *w = &c->jw;
	const char *cve = jstr(v, "cveId"), *machine = jstr(v, "machineId");
	const struct vuln *cv = NULL;
	uint64_t i;
	xsm__finding f;
	int s;

	if (!*machine || !xsm__is_cve(cve)) {
		c->st.skipped++;
		return 0;
	}
	if (xsm__strmap_get(&d->cat, cve, strlen(cve), &i))
		cv = &d->vulns[i];
	memset(&f, 0, sizeof(f));
	f.asset = machine;
	f.cve = cve;
	s = sev_index(jstr(v, "severity"));
	f.severity = s >= 0 ? sevs[s] : cv && cv->sev >= 0 ? sevs[(int)cv->sev] : NULL;
	f.cvss = cv && cv->cvss >= 0 && cv->cvss <= 10 ? (double)cv->cvss : -1;
	f.exploit = cv && cv->exploit;
	f.rce = cv && cv->rce;
	f.status = "open";
	f.reported_by = "defender";
	xsm__conn_finding_begin(c, &f);
	if (*jstr(v, "productName"))
		xsm_jw_kstr(w, "productName", jstr(v, "productName"));
	if (*jstr(v, "productVendor"))
		xsm_jw_kstr(w, "productVendor", jstr(v, "productVendor"));
	if (*jstr(v, "productVersion"))
		xsm_jw_kstr(w, "productVersion", jstr(v, "productVersion"));
	if (*jstr(v, "fixingKbId"))
		xsm_jw_kstr(w, "fixingKbId", jstr(v, "fixingKbId"));
	return xsm__conn_props_end(c);
}

/* --- logged-on users ------------------------------------------------------------------------------ */

/* one account that logged on to machine: the user asset (once) and the edge */
static int logon(struct df *d, const char *machine, const char *sid, const char *domain, const char *name,
		 long count, const char *last, int domain_admin, const char *learned)
{
	xsm__conn *c = d->c;
	xsm_jw *w = &c->jw;
	char key[300], t[21];
	uint64_t *slot;
	int created, rc;
	size_t i;

	if (!*name || !*machine)
		return 0;
	/* an account is its SID; without one, DOMAIN\name */
	if (*sid)
		snprintf(key, sizeof(key), "user:%s", sid);
	else
		snprintf(key, sizeof(key), "user:%s\\%s", domain, name);
	for (i = 5; key[i]; i++)
		key[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
	if (xsm__strmap_slot(&d->users, key, strlen(key), &slot, &created) < 0)
		return xsm__error_oom(c->ctx);
	if (created) {
		xsm__identity u;
		memset(&u, 0, sizeof(u));
		xsm_buf_clear(&d->tmp);
		xsm_buf_printf(&d->tmp, "%s%s%s", domain, *domain ? "\\" : "", name);
		u.label = "user";
		u.id = key;
		u.name = d->tmp.ptr;
		u.sid = *sid ? sid : NULL;
		xsm__conn_identity_begin(c, &u);
		xsm_jw_kstr(w, "accountName", name);
		if (*domain)
			xsm_jw_kstr(w, "accountDomain", domain);
		if (domain_admin)
			xsm_jw_kbool(w, "isDomainAdmin", 1);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	xsm__conn_relation_begin(c, "frequently logged in by", machine, key);
	if (count > 0)
		xsm_jw_kint(w, "logons", count);
	xsm__norm_time(t, last);
	if (t[0])
		xsm_jw_kstr(w, "lastLogon", t);
	if (learned)
		xsm_jw_kstr(w, "learnedAt", learned);
	return xsm__conn_props_end(c);
}

static const xsm__json_pick hunt_pick[] = {
	{ "DeviceId", NULL }, { "AccountSid", NULL }, { "AccountDomain", NULL }, { "AccountName", NULL },
	{ "Logons", NULL }, { "LastLogon", NULL }, { NULL, NULL }
};

static int on_hunt(xsm__conn *c, const xsm__json *r, void *payload)
{
	struct df *d = payload;
	const xsm__json *n = xsm__json_get(r, "Logons");
	(void)c;
	return logon(d, jstr(r, "DeviceId"), jstr(r, "AccountSid"), jstr(r, "AccountDomain"), jstr(r, "AccountName"),
		     xsm__json_type(n) == XSM_J_NUMBER ? (long)xsm__json_num(n) : 0, jstr(r, "LastLogon"), 0, NULL);
}

/*
 * Advanced hunting: DeviceLogonEvents of the last logon_days, interactive
 * logons summarised per device and account.  One query returns at most
 * 100,000 rows, so the devices are split by a hash of their id into parts
 * of about hunting_devices_per_query each.
 */
static int hunting(struct df *d)
{
	xsm__conn *c = d->c;
	const char *perm = xsm__ms_perm(endpoints, "advanced hunting");
	long parts = d->machines / (size_t)d->hunt_devices + 1, k;
	int rc = 0;

	xsm_buf_clear(&d->url);
	xsm_buf_printf(&d->url, "%s/api/advancedqueries/run", d->m.api.ptr);
	for (k = 0; k < parts && rc == 0; k++) {
		char part[96] = "";
		if (parts > 1)
			snprintf(part, sizeof(part), " | where hash(DeviceId, %ld) == %ld", parts, k);
		xsm_buf_clear(&d->tmp);
		xsm_buf_printf(&d->tmp,
			       "{\"Query\":\"DeviceLogonEvents | where Timestamp > ago(%ldd)"
			       " | where ActionType == 'LogonSuccess' and LogonType in ('Interactive', 'RemoteInteractive',"
			       " 'CachedInteractive', 'Unlock')%s"
			       " | summarize Logons = count(), LastLogon = max(Timestamp) by DeviceId, AccountSid, AccountDomain,"
			       " AccountName | where Logons >= %ld\"}",
			       d->logon_days, part, d->logon_min);
		if (!d->tmp.ptr || !d->url.ptr)
			return xsm__error_oom(c->ctx);
		/* the body is the request's: keep it apart from the scratch the rows use */
		{
			char *body = xsm__strdup(d->tmp.ptr);
			if (!body)
				return xsm__error_oom(c->ctx);
			rc = xsm__ms_page(&d->m, "POST", d->url.ptr, body, "Results", perm, "advanced hunting", hunt_pick,
					  on_hunt, d);
			xsm__free(body);
		}
		if (rc == 0 && d->m.count >= HUNTING_ROWS)
			rc = xsm__error_set(c->ctx, XSM_EPROTO,
					    "%s: advanced hunting: a query returned %ld rows, the most it may; set "
					    "hunting_devices_per_query lower than %ld",
					    c->name, d->m.count, d->hunt_devices);
	}
	return rc;
}

static const xsm__json_pick lu_pick[] = {
	{ "accountName", NULL }, { "accountDomain", NULL }, { "accountSid", NULL }, { "lastSeen", NULL },
	{ "isDomainAdmin", NULL }, { NULL, NULL }
};

struct lu {
	struct df *d;
	const char *machine;
};

static int on_logonuser(xsm__conn *c, const xsm__json *u, void *payload)
{
	struct lu *l = payload;
	(void)c;
	return logon(l->d, l->machine, jstr(u, "accountSid"), jstr(u, "accountDomain"), jstr(u, "accountName"), 0,
		     jstr(u, "lastSeen"), xsm__json_bool(xsm__json_get(u, "isDomainAdmin")), l->d->learned);
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->prio != y->prio ? (x->prio > y->prio ? -1 : 1) : strcmp(x->id, y->id);
}

/* the cursor: rotation, the last machine asked (priority, id), then the calls of the last hour's syncs */
static void read_rotation(struct df *d, const char *cur, time_t now)
{
	const char *p;
	char id[48];
	int prio, n;
	long rot;

	d->rotation = 1;
	d->covered = 0;
	if (!cur || strncmp(cur, ROTATION_TAG, strlen(ROTATION_TAG)))
		return;
	p = cur + strlen(ROTATION_TAG);
	if (sscanf(p, "%ld\t%d\t%47s%n", &rot, &prio, id, &n) == 3 && rot > 0) {
		size_t lo = 0, hi = d->ncands;
		struct cand key;
		d->rotation = rot;
		/* where the last sync stopped: the first machine after it in the order */
		memset(&key, 0, sizeof(key));
		snprintf(key.id, sizeof(key.id), "%s", id);
		key.prio = prio;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cmp_cand(&d->cands[mid], &key) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		d->covered = strcmp(id, "-") ? (long)lo : 0;
		p += n;
	}
	/* "\n<epoch>:<calls>" for each sync of the last hour */
	while ((p = strchr(p, '\n')) && d->nhour < HOUR_SLOTS) {
		long long t;
		long k;
		p++;
		if (sscanf(p, "%lld:%ld", &t, &k) == 2 && t > (long long)now - 3600 && t <= (long long)now && k > 0) {
			d->hour_t[d->nhour] = (time_t)t;
			d->hour_n[d->nhour++] = k;
		}
	}
}

static void write_rotation(struct df *d, time_t now, const struct cand *last)
{
	xsm__conn *c = d->c;
	size_t n, i;

	n = (size_t)snprintf(c->new_cursor, sizeof(c->new_cursor), "%s%ld\t%d\t%s", ROTATION_TAG, d->rotation,
			     last ? last->prio : 0, last ? last->id : "-");
	if (d->asked > 0 && n < sizeof(c->new_cursor))
		n += (size_t)snprintf(c->new_cursor + n, sizeof(c->new_cursor) - n, "\n%lld:%ld", (long long)now, d->asked);
	for (i = 0; i < d->nhour && i + 1 < HOUR_SLOTS && n < sizeof(c->new_cursor); i++)
		n += (size_t)snprintf(c->new_cursor + n, sizeof(c->new_cursor) - n, "\n%lld:%ld", (long long)d->hour_t[i],
				      d->hour_n[i]);
}

/* the previous run's logon edges of machines not asked this time, and the accounts they lead to */
struct keep {
	struct df *d;
	xsm__strmap need;        /* user ids the carried edges lead to that this sync did not write */
	int pass;
};

static const char *own_id(xsm__conn *c, const char *sid)
{
	size_t n = strlen(c->name);
	return sid && !strncmp(sid, c->name, n) && sid[n] == ':' ? sid + n + 1 : NULL;
}

static int keep_one(const xsm__json *rec, int type, size_t lineno, void *payload)
{
	struct keep *k = payload;
	struct df *d = k->d;
	xsm__conn *c = d->c;
	const char *label = xsm__json_getstr(rec, "label");
	uint64_t v;

	(void)lineno;
	if (!label)
		return 0;
	if (k->pass == 0 && type == XSM_REC_RELATION && !strcmp(label, "frequently logged in by")) {
		const char *from = own_id(c, xsm__json_getstr(rec, "from")), *to = own_id(c, xsm__json_getstr(rec, "to"));
		const char *when = xsm__json_getstr(xsm__json_get(rec, "props"), "learnedAt");
		/* machines asked now have their edges anew; machines gone take theirs with them */
		if (!from || !to || !xsm__strmap_get(&d->cand_idx, from, strlen(from), &v) || d->cands[v].asked)
			return 0;
		if (!xsm__strmap_get(&d->users, to, strlen(to), &v) && xsm__strmap_put(&k->need, to, 1) < 0)
			return xsm__error_oom(c->ctx);
		if (when && (!d->oldest[0] || strcmp(when, d->oldest) < 0))
			snprintf(d->oldest, sizeof(d->oldest), "%s", when);
		d->carried_edges++;
		return xsm__conn_carry(c, rec, type);
	}
	if (k->pass == 1 && type == XSM_REC_ASSET && !strcmp(label, "user")) {
		const char *id = own_id(c, xsm__json_getstr(rec, "source_id"));
		if (!id || !xsm__strmap_get(&k->need, id, strlen(id), &v) || v != 1)
			return 0;
		if (xsm__strmap_put(&k->need, id, 2) < 0) /* once */
			return xsm__error_oom(c->ctx);
		return xsm__conn_carry(c, rec, type);
	}
	return 0;
}

static int keep_previous(struct df *d)
{
	struct keep k;
	int rc;

	memset(&k, 0, sizeof(k));
	k.d = d;
	if (!d->c->prev_run)
		return 0;
	rc = xsm__run_foreach(d->c->store, d->c->name, d->c->prev_run, 0, keep_one, NULL, &k);
	if (rc == 0 && k.need.n) {
		k.pass = 1;
		rc = xsm__run_foreach(d->c->store, d->c->name, d->c->prev_run, 0, keep_one, NULL, &k);
	}
	xsm__strmap_free(&k.need);
	return rc;
}

static int per_machine(struct df *d)
{
	xsm__conn *c = d->c;
	const char *perm = xsm__ms_perm(endpoints, "logged-on users");
	time_t now = (time_t)xsm_ctx_now(c->ctx);
	const struct cand *last = NULL;
	size_t i, start;
	long used = 0;
	int rc = 0;

	xsm_time_format(d->learned, (int64_t)now);
	qsort(d->cands, d->ncands, sizeof(*d->cands), cmp_cand);
	for (i = 0; i < d->ncands; i++)
		if (xsm__strmap_put(&d->cand_idx, d->cands[i].id, i) < 0)
			return xsm__error_oom(c->ctx);
	read_rotation(d, c->cursor, now);
	for (i = 0; i < d->nhour; i++)
		used += d->hour_n[i];
	/* what the hour still allows, as many as logon_machines */
	d->budget = d->per_hour - used < d->logon_machines ? d->per_hour - used : d->logon_machines;
	if (d->budget < 0)
		d->budget = 0;
	start = (size_t)d->covered;
	if (start >= d->ncands && d->ncands) {
		/* the last round asked every machine: the next begins, the most critical first */
		d->rotation++;
		start = 0;
		d->covered = 0;
	}
	/* never one machine twice in a sync */
	for (i = 0; (long)i < d->budget && i < d->ncands && rc == 0; i++) {
		size_t at = start + i;
		struct cand *m;
		struct lu l;
		if (at >= d->ncands) {
			at -= d->ncands;
			if (at == 0)
				d->rotation++;
		}
		m = &d->cands[at];
		l.d = d;
		l.machine = m->id;
		xsm_buf_clear(&d->url);
		if (xsm_buf_printf(&d->url, "%s/api/machines/%s/logonusers", d->m.api.ptr, m->id) < 0)
			return xsm__error_oom(c->ctx);
		rc = xsm__ms_page(&d->m, "GET", d->url.ptr, NULL, "value", perm, "logged-on users", lu_pick, on_logonuser,
				  &l);
		if (rc == XSM_ENOTFOUND) {
			xsm_ctx_clear(c->ctx); /* gone since the machines were read */
			rc = 0;
		}
		m->asked = 1;
		d->asked++;
		last = m;
		d->covered = (long)at + 1;
	}
	if (rc < 0)
		return rc;
	if (!last && d->covered > 0 && (size_t)d->covered <= d->ncands)
		last = &d->cands[d->covered - 1]; /* nothing asked: stay where the last sync stopped */
	if ((rc = keep_previous(d)) < 0)
		return rc;
	write_rotation(d, now, last);
	return 0;
}

static int logged_on(struct df *d)
{
	xsm__conn *c = d->c;
	size_t n;
	int rc;

	if (!strcmp(d->logons, "off")) {
		snprintf(c->note, sizeof(c->note), "logged-on users: not read (logons=off)");
		return 0;
	}
	if (strcmp(d->logons, "machines")) {
		rc = hunting(d);
		if (rc == 0) {
			snprintf(c->note, sizeof(c->note),
				 "logged-on users: advanced hunting (DeviceLogonEvents, %ld days) for all %zu devices",
				 d->logon_days, d->machines);
			return 0;
		}
		/* not allowed here (no permission, or no advanced hunting licence): per machine */
		if (rc != XSM_EAUTH || !strcmp(d->logons, "hunting"))
			return rc;
		xsm__log(c->ctx, "%s: %s; reading logged-on users per machine", c->name, xsm_ctx_errmsg(c->ctx));
		xsm_ctx_clear(c->ctx);
	}
	if ((rc = per_machine(d)) < 0)
		return rc;
	n = (size_t)snprintf(c->note, sizeof(c->note),
			     "logged-on users: per machine for %ld of %zu devices this sync, the most critical first "
			     "(logon_machines %ld, logon_calls_per_hour %ld%s); %ld of %zu asked so far in round %ld",
			     d->asked, d->machines, d->logon_machines, d->per_hour,
			     d->budget < d->logon_machines ? ", the hour's calls used up" : "", d->covered, d->machines,
			     d->rotation);
	if (d->carried_edges && n < sizeof(c->note))
		n += (size_t)snprintf(c->note + n, sizeof(c->note) - n,
				      "; %ld logon edges of devices not asked now kept from earlier syncs (oldest learned %s)",
				      d->carried_edges, d->oldest[0] ? d->oldest : "before learnedAt was kept");
	if (n < sizeof(c->note))
		snprintf(c->note + n, sizeof(c->note) - n, "; advanced hunting %s",
			 strcmp(d->logons, "machines") ? "not allowed: AdvancedQuery.Read.All" : "off: logons=machines");
	return 0;
}

/* --- the connector ----------------------------------------------------------------------------------- */

static int df_open(struct df *d, xsm__conn *c)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->c = c;
	d->logons = xsm__conn_get(c, "logons", "auto");
	if (strcmp(d->logons, "auto") && strcmp(d->logons, "hunting") && strcmp(d->logons, "machines") &&
	    strcmp(d->logons, "off"))
		return xsm__yaml_error(c->ctx, c->conf_path, xsm__yaml_get(c->conf, "logons"),
				       "'logons' must be auto, hunting, machines or off, not '%.40s'", d->logons);
	/* $top caps: 10,000 for machines and machinesVulnerabilities, 8,000 for the catalogue */
	if ((rc = xsm__conn_getint(c, "page_size", 10000, 1, 10000, &d->top_machines)) < 0 ||
	    (rc = xsm__conn_getint(c, "catalog_page_size", 8000, 1, 8000, &d->top_catalog)) < 0 ||
	    (rc = xsm__conn_getint(c, "logon_machines", 1400, 0, 100000, &d->logon_machines)) < 0 ||
	    (rc = xsm__conn_getint(c, "logon_days", 30, 1, 180, &d->logon_days)) < 0 ||
	    (rc = xsm__conn_getint(c, "logon_min_count", 2, 1, 1000000, &d->logon_min)) < 0 ||
	    (rc = xsm__conn_getint(c, "hunting_devices_per_query", 10000, 1, 1000000, &d->hunt_devices)) < 0 ||
	    (rc = xsm__conn_getint(c, "logon_calls_per_hour", 1500, 1, 1000000, &d->per_hour)) < 0)
		return rc;
	d->top_vulns = d->top_machines;
	/* the API allows 100 calls a minute */
	return xsm__ms_open(&d->m, c, "https://api.securitycenter.microsoft.com", "https://api.securitycenter.microsoft.com",
			    100);
}

static void df_close(struct df *d)
{
	xsm__ms_close(&d->m);
	xsm__strmap_free(&d->cat);
	xsm__strmap_free(&d->users);
	xsm__free(d->vulns);
	xsm__free(d->cands);
	xsm__strmap_free(&d->cand_idx);
	xsm_buf_dispose(&d->tmp);
	xsm_buf_dispose(&d->url);
}

static int df_sync(xsm__conn *c)
{
	struct df d;
	int rc = df_open(&d, c);

	if (rc < 0)
		goto done;
	d.rotate = strcmp(d.logons, "off") && d.logon_machines > 0;
	xsm_buf_clear(&d.url);
	xsm_buf_printf(&d.url, "%s/api/vulnerabilities?%%24top=%ld", d.m.api.ptr, d.top_catalog);
	if (!d.url.ptr) {
		rc = xsm__error_oom(c->ctx);
		goto done;
	}
	if ((rc = xsm__ms_pages(&d.m, d.url.ptr, d.top_catalog, xsm__ms_perm(endpoints, "vulnerabilities"),
				"vulnerabilities", catalog_pick, on_catalog, &d)) < 0)
		goto done;
	xsm_buf_clear(&d.url);
	xsm_buf_printf(&d.url, "%s/api/machines?%%24top=%ld", d.m.api.ptr, d.top_machines);
	if ((rc = xsm__ms_pages(&d.m, d.url.ptr, d.top_machines, xsm__ms_perm(endpoints, "machines"), "machines",
				machine_pick, on_machine, &d)) < 0)
		goto done;
	xsm_buf_clear(&d.url);
	xsm_buf_printf(&d.url, "%s/api/vulnerabilities/machinesVulnerabilities?%%24top=%ld", d.m.api.ptr, d.top_vulns);
	if ((rc = xsm__ms_pages(&d.m, d.url.ptr, d.top_vulns, xsm__ms_perm(endpoints, "machine vulnerabilities"),
				"machine vulnerabilities", mv_pick, on_mv, &d)) < 0)
		goto done;
	rc = logged_on(&d);
done:
	df_close(&d);
	return rc;
}

static int df_test(xsm__conn *c)
{
	struct df d;
	xsm__http_resp resp;
	int rc = df_open(&d, c);

	memset(&resp, 0, sizeof(resp));
	xsm_buf_printf(&d.url, "%s/api/machines?%%24top=1", d.m.api.ptr);
	if (rc == 0)
		rc = xsm__ms_request(&d.m, "GET", d.url.ptr, NULL, xsm__ms_perm(endpoints, "machines"), "machines", &resp);
	xsm__http_resp_dispose(&resp);
	df_close(&d);
	return rc;
}

static int first_id(xsm__conn *c, const xsm__json *mc, void *payload)
{
	xsm_buf *id = payload;
	(void)c;
	if (!id->size && xsm__json_getstr(mc, "id"))
		return xsm_buf_set(id, xsm__json_getstr(mc, "id"));
	return 0;
}

static const xsm__json_pick id_pick[] = { { "id", NULL }, { NULL, NULL } };

static int df_check(xsm__conn *c)
{
	struct df d;
	xsm_buf id = XSM_BUF_INIT;
	int rc = df_open(&d, c);

	if (rc < 0)
		goto done;
	/* machines first: the logged-on users call needs a machine's id */
	xsm_buf_printf(&d.url, "%s/api/machines?%%24top=1", d.m.api.ptr);
	rc = xsm__ms_page(&d.m, "GET", d.url.ptr, NULL, "value", endpoints[0].permission, "machines", id_pick, first_id,
			  &id);
	if ((rc = xsm__conn_permission(c, endpoints[0].permission, endpoints[0].what, rc)) < 0 ||
	    (rc = xsm__ms_check(&d.m, endpoints + 1)) < 0)
		goto done;
	if (id.size) {
		xsm__http_resp resp;
		memset(&resp, 0, sizeof(resp));
		xsm_buf_clear(&d.url);
		xsm_buf_printf(&d.url, "%s/api/machines/%s/logonusers", d.m.api.ptr, id.ptr);
		rc = xsm__ms_request(&d.m, "GET", d.url.ptr, NULL, xsm__ms_perm(endpoints, "logged-on users"),
				     "logged-on users", &resp);
		if (rc == XSM_EAUTH && resp.status != 403) {
			xsm__http_resp_dispose(&resp);
			goto done;
		}
		xsm__http_resp_dispose(&resp);
		rc = xsm__conn_permission(c, xsm__ms_perm(endpoints, "logged-on users"), "logged-on users", rc);
	}
done:
	xsm_buf_dispose(&id);
	df_close(&d);
	return rc;
}

int xsm__defender_parse(xsm__conn *c, int fd, const char *what)
{
	struct df d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.c = c;
	if (!strcmp(what, "vulnerabilities"))
		rc = xsm__conn_json_object_fd(c, fd, what, "value", catalog_pick, on_catalog, &d, NULL);
	else if (!strcmp(what, "machinesVulnerabilities"))
		rc = xsm__conn_json_object_fd(c, fd, what, "value", mv_pick, on_mv, &d, NULL);
	else
		rc = xsm__conn_json_object_fd(c, fd, what, "value", machine_pick, on_machine, &d, NULL);
	xsm__strmap_free(&d.cat);
	xsm__strmap_free(&d.users);
	xsm__free(d.vulns);
	xsm_buf_dispose(&d.tmp);
	xsm_buf_dispose(&d.url);
	return rc;
}

static const char *const settings[] = { XSM__MS_SETTINGS, "page_size", "catalog_page_size", "logons", "logon_machines",
					"logon_calls_per_hour", "logon_days", "logon_min_count",
					"hunting_devices_per_query", NULL };
static const char *const secrets[] = { XSM__MS_SECRETS, NULL };
static const char *const required[] = { "tenant", "client_id", NULL };

const xsm__vendor xsm__vendor_defender = {
	{ "defender", "Microsoft Defender for Endpoint: machines, CVE findings, logged-on users", settings, secrets,
	  required },
	df_test,
	df_sync,
	df_check,
};
