/*
 * graph_build.c - merge the latest record run of every source into one
 * graph: identity resolution (graph_resolve.c), merged properties, Cve
 * nodes and affecting edges, relation edges, derived properties.
 * Deterministic: the same records give the same bytes, in any order.
 *
 * Resolution (xsm-json(7) "IDENTITY RESOLUTION", graph_resolve.c):
 *   records sharing a unique identifier (device: cloud_id, mde_id,
 *   serial; identity: sid, aad_object_id; other: cloud_id) are one
 *   thing; groups sharing a linking key (fqdn, mac, upn/email compared
 *   case-insensitively, the weak short hostname + IPv4) join, the most
 *   evidence first, unless the union would give one node two values of a
 *   unique identifier or two records of one source, or hostname + address
 *   is all that links two FQDNs.  An address alone never merges (DHCP).
 *   Refused unions are kept on both nodes (rawData.notMergedWith) and
 *   counted (meta.json "conflicts").
 *   NodeId: "dev-", "idn-" or "res-" and 16 hex digits of a 64-bit hash of
 *   the group's winning key: the smallest value of the first key type
 *   present in the order cloud_id, mde_id, serial, fqdn, mac, aad_object_id,
 *   sid, upn, hostname, source_id; groups that are kept apart but win with
 *   one key add their smallest source_id to it.  Cve nodes are "cve-" + the
 *   CVE id.
 *   NodeName: the first ranked record's name; a device name from DNS
 *   (with a dot) in lower case without the trailing dot.
 *   Merged properties: records are ranked by lastSeen (newest first), then
 *   source name, then source_id; each property takes the first ranked
 *   record's value; values other records disagree on are kept under
 *   rawData.sources.<source>.props.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/json.h"
#include "ctx.h"
#include "graph/graph.h"
#include "store/record.h"
#include "graph/resolve.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"

enum { K_DEVICE = XSM__RK_DEVICE, K_IDENTITY = XSM__RK_IDENTITY, K_OTHER = XSM__RK_OTHER };

struct rec {
	uint32_t src, sid, label, name;
	uint32_t cats_off, cats_n;
	uint32_t props_off, props_n;  /* in b->rprops */
	uint32_t keys_off, keys_n;    /* in g->u32: interned "type:value" keys */
	int64_t last_seen;
	int kind;
};

struct finding {
	uint32_t asset_sid, cve, src;
	int sev;
	double cvss;
	uint8_t exploit, rce, privesc, open;
	int64_t first, last;
};

struct relation {
	uint32_t label, from, to, src;
};

struct builder {
	xsm_graph *g;
	xsm_ctx *ctx;
	XSM__VEC(struct rec) recs;
	xsm__propvec rprops;
	XSM__VEC(struct finding) finds;
	XSM__VEC(struct relation) rels;
	xsm__resolver *res;
	uint32_t *group;              /* by record, its group (xsm__resolver_run) */
	XSM__VEC(uint32_t) srcs;      /* source names by source index */
	uint32_t *nm_off, *nm_n;      /* by asset node: its notMergedWith strings in g->u32 */
	size_t conflicts;
	/* by string id, the first record (+ 1) with that source_id */
	struct idtab { uint32_t *v; size_t n; } sid_rec;
	/*
	 * An asset's keys, made when on_record_ahead sees it (so their pool
	 * slots are fetched early) and used when on_record reaches it: two
	 * sets, the next asset's and this one's, by count of assets seen.
	 */
	struct keyset *ks[2];
	size_t assets_ahead, assets_done;
	uint32_t cur_src;
	uint64_t cur_src_hash;
	int64_t now;
	size_t fixed, unknown;
	xsm_buf tmp;
};

/* --- keys ---------------------------------------------------------------------- */

static int label_kind(const char *label)
{
	if (!strcmp(label, "device") || strstr(label, "virtualmachine") || !strcmp(label, "compute.instances") ||
	    !strcmp(label, "aws.ec2.instance"))
		return K_DEVICE;
	if (!strcmp(label, "user") || !strcmp(label, "group") || !strcmp(label, "serviceprincipal") ||
	    !strcmp(label, "managedidentity"))
		return K_IDENTITY;
	return K_OTHER;
}

/* normalise a MAC to aa:bb:cc:dd:ee:ff; 0 when not a usable MAC */
static int norm_mac(char out[18], const char *in)
{
	char hex[13];
	int n = 0;
	for (; *in && n <= 12; in++)
		if (isxdigit((unsigned char)*in))
			hex[n++] = (char)tolower((unsigned char)*in);
	if (n != 12)
		return 0;
	hex[12] = '\0';
	if (!strcmp(hex, "000000000000") || !strcmp(hex, "ffffffffffff"))
		return 0;
	snprintf(out, 18, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", hex, hex + 2, hex + 4, hex + 6, hex + 8, hex + 10);
	return 1;
}

static int placeholder_serial(const char *s)
{
	static const char *junk[] = { "", "0", "none", "null", "n/a", "na", "unknown", "default string",
				      "to be filled by o.e.m.", "system serial number", "0123456789", NULL };
	for (int i = 0; junk[i]; i++)
		if (!strcmp(s, junk[i]))
			return 1;
	return 0;
}

struct keyset {
	char k[64][320];
	int n;
};

/* "type:value", cut to the slot's size (keys are made by the million: no printf) */
static void add_key(struct keyset *ks, const char *type, const char *value)
{
	char *k;
	size_t tl, vl;
	if (ks->n >= 64 || !value || !*value)
		return;
	k = ks->k[ks->n++];
	tl = strlen(type);
	vl = strlen(value);
	if (tl + 1 + vl >= sizeof(ks->k[0]))
		vl = sizeof(ks->k[0]) - tl - 2;
	memcpy(k, type, tl);
	k[tl] = ':';
	memcpy(k + tl + 1, value, vl);
	k[tl + 1 + vl] = '\0';
}

/* s lowercased into v[cap], cut to fit */
static void lower_copy(char *v, size_t cap, const char *s)
{
	size_t i;
	for (i = 0; i + 1 < cap && s[i]; i++)
		v[i] = (char)tolower((unsigned char)s[i]);
	v[i] = '\0';
}

static void collect_keys(struct keyset *ks, const xsm__json *keys, int kind, const char *sid)
{
	char v[300], host[300] = "";
	const char *s;
	const xsm__json *a, *c;

	ks->n = 0;
	add_key(ks, "source_id", sid);
	if (!keys)
		return;
	if ((s = xsm__json_getstr(keys, "cloud_id"))) {
		lower_copy(v, sizeof(v), s);
		add_key(ks, "cloud_id", v);
	}
	if (kind == K_IDENTITY) {
		if ((s = xsm__json_getstr(keys, "sid"))) {
			lower_copy(v, sizeof(v), s);
			add_key(ks, "sid", v);
		}
		if ((s = xsm__json_getstr(keys, "aad_object_id"))) {
			lower_copy(v, sizeof(v), s);
			add_key(ks, "aad_object_id", v);
		}
		/* upn and email name the same principal: one key space */
		if ((s = xsm__json_getstr(keys, "upn"))) {
			lower_copy(v, sizeof(v), s);
			add_key(ks, "upn", v);
		}
		if ((s = xsm__json_getstr(keys, "email"))) {
			lower_copy(v, sizeof(v), s);
			add_key(ks, "upn", v);
		}
		return;
	}
	if (kind != K_DEVICE)
		return;
	if ((s = xsm__json_getstr(keys, "mde_id"))) {
		lower_copy(v, sizeof(v), s);
		add_key(ks, "mde_id", v);
	}
	if ((s = xsm__json_getstr(keys, "azure_vm_id"))) {
		lower_copy(v, sizeof(v), s);
		add_key(ks, "azure_vm_id", v);
	}
	if ((s = xsm__json_getstr(keys, "serial"))) {
		lower_copy(v, sizeof(v), s);
		if (!placeholder_serial(v))
			add_key(ks, "serial", v);
	}
	a = xsm__json_get(keys, "mac");
	for (c = xsm__json_child(a); c; c = xsm__json_next(c)) {
		char m[18];
		if (xsm__json_str(c) && norm_mac(m, xsm__json_str(c)))
			add_key(ks, "mac", m);
	}
	if ((s = xsm__json_getstr(keys, "fqdn"))) {
		size_t l;
		lower_copy(v, sizeof(v), s);
		l = strlen(v);
		while (l && v[l - 1] == '.')
			v[--l] = '\0';
		if (strchr(v, '.'))
			add_key(ks, "fqdn", v);
		snprintf(host, sizeof(host), "%s", v);
	}
	if ((s = xsm__json_getstr(keys, "hostname"))) {
		lower_copy(host, sizeof(host), s);
	}
	{
		char *dot = strchr(host, '.');
		if (dot)
			*dot = '\0';
	}
	if (host[0]) {
		add_key(ks, "hostname", host);
		a = xsm__json_get(keys, "ipv4");
		for (c = xsm__json_child(a); c; c = xsm__json_next(c))
			if (xsm__json_str(c)) {
				snprintf(v, sizeof(v), "%.200s/%.64s", host, xsm__json_str(c));
				add_key(ks, "hostip", v);
			}
	}
}

/* --- properties ------------------------------------------------------------------ */

static int is_all_strings(const xsm__json *a)
{
	const xsm__json *c;
	for (c = xsm__json_child(a); c; c = xsm__json_next(c))
		if (xsm__json_type(c) != XSM_J_STRING)
			return 0;
	return 1;
}

static int keys_have_dots(const xsm__json *o)
{
	const xsm__json *c;
	for (c = xsm__json_child(o); c; c = xsm__json_next(c))
		if (strchr(xsm__json_key(c), '.'))
			return 1;
	return 0;
}

int xsm__graph_flatten(xsm_graph *g, xsm__propvec *out, const xsm__json *obj, xsm_buf *prefix, int depth)
{
	const xsm__json *c;
	size_t keep = prefix->size;

	for (c = xsm__json_child(obj); c; c = xsm__json_next(c)) {
		xsm__prop p;
		int t = xsm__json_type(c);
		memset(&p, 0, sizeof(p));
		prefix->size = keep;
		if ((keep && xsm_buf_putc(prefix, '.') < 0) || xsm_buf_puts(prefix, xsm__json_key(c)) < 0)
			return xsm__error_oom(g->ctx);
		/* vendor leftovers (raw) and the per-source record (sources) stay JSON text: they are read, not queried */
		if (t == XSM_J_OBJECT && depth < 6 && strcmp(xsm__json_key(c), "raw") &&
		    !(depth == 0 && !strcmp(xsm__json_key(c), "sources")) && !keys_have_dots(c) && xsm__json_child(c)) {
			int rc = xsm__graph_flatten(g, out, c, prefix, depth + 1);
			if (rc < 0)
				return rc;
			continue;
		}
		if (xsm__graph_intern(g, prefix->ptr, &p.key) < 0)
			return XSM_ENOMEM;
		switch (t) {
		case XSM_J_NULL: p.type = XSM_V_NULL; break;
		case XSM_J_BOOL: p.type = XSM_V_BOOL; p.a = (uint32_t)xsm__json_bool(c); break;
		case XSM_J_NUMBER: p.type = XSM_V_NUM; p.num = xsm__json_num(c); break;
		case XSM_J_STRING:
			p.type = XSM_V_STR;
			if (xsm__graph_intern(g, xsm__json_str(c), &p.a) < 0)
				return XSM_ENOMEM;
			break;
		case XSM_J_ARRAY:
			if (is_all_strings(c)) {
				const xsm__json *e;
				p.type = XSM_V_STRS;
				p.a = (uint32_t)g->u32.n;
				for (e = xsm__json_child(c); e; e = xsm__json_next(e)) {
					uint32_t id;
					if (xsm__graph_intern(g, xsm__json_str(e), &id) < 0 || xsm__vec_push(&g->u32, id) < 0)
						return xsm__error_oom(g->ctx);
					p.b++;
				}
				break;
			}
			/* arrays of other things stay JSON */
			__attribute__((fallthrough));
		default: {
			xsm_buf t2 = XSM_BUF_INIT;
			int rc = xsm__json_print(&t2, c);
			p.type = XSM_V_JSON;
			if (rc == 0)
				rc = xsm__graph_intern(g, t2.ptr, &p.a);
			xsm_buf_dispose(&t2);
			if (rc < 0)
				return xsm__error_oom(g->ctx);
		}
		}
		if (xsm__vec_push(out, p) < 0)
			return xsm__error_oom(g->ctx);
	}
	prefix->size = keep;
	if (prefix->ptr)
		prefix->ptr[keep] = '\0';
	return 0;
}

/* --- reading records --------------------------------------------------------------- */

static int sev_rank(const char *s)
{
	if (!s)
		return 0;
	if (!strcmp(s, "critical"))
		return 4;
	if (!strcmp(s, "high"))
		return 3;
	if (!strcmp(s, "medium"))
		return 2;
	if (!strcmp(s, "low"))
		return 1;
	return 0;
}

static const char *sev_name(int r)
{
	static const char *n[] = { "info", "low", "medium", "high", "critical" };
	return n[r < 0 ? 0 : r > 4 ? 4 : r];
}

static int64_t time_or(const char *s, int64_t dflt)
{
	int64_t t;
	return s && xsm_time_parse(&t, s) == 0 ? t : dflt;
}

static int intern_json_str(struct builder *b, const xsm__json *j, const char *key, uint32_t *id)
{
	const char *s = xsm__json_getstr(j, key);
	return xsm__graph_intern(b->g, s ? s : "", id);
}

/* record idx has string id: the first record with it is remembered; *first gets it (idx when idx is) */
static int first_with(struct idtab *t, uint32_t id, uint32_t idx, uint32_t *first)
{
	if (id >= t->n) {
		size_t n = t->n ? t->n : 1024;
		uint32_t *v;
		while (n <= id)
			n *= 2;
		if (!(v = xsm__reallocarray(t->v, n, sizeof(*v))))
			return XSM_ENOMEM;
		memset(v + t->n, 0, (n - t->n) * sizeof(*v));
		t->v = v;
		t->n = n;
	}
	if (!t->v[id])
		t->v[id] = idx + 1;
	*first = t->v[id] - 1;
	return 0;
}

static int on_record(const xsm__json *j, int type, size_t line, void *payload)
{
	struct builder *b = payload;
	xsm_graph *g = b->g;
	(void)line;

	if (type == XSM_REC_ASSET) {
		struct rec r;
		struct keyset *ks = NULL;
		const xsm__json *c, *props = xsm__json_get(j, "props");
		uint32_t idx = (uint32_t)b->recs.n;
		int i, rc = 0;

		memset(&r, 0, sizeof(r));
		r.src = b->cur_src;
		if (intern_json_str(b, j, "source_id", &r.sid) < 0 || intern_json_str(b, j, "label", &r.label) < 0 ||
		    intern_json_str(b, j, "name", &r.name) < 0)
			return XSM_ENOMEM;
		r.kind = label_kind(xsm__gstr(g, r.label));
		r.cats_off = (uint32_t)g->u32.n;
		for (c = xsm__json_child(xsm__json_get(j, "categories")); c; c = xsm__json_next(c)) {
			uint32_t id;
			if (xsm__graph_intern(g, xsm__json_str(c), &id) < 0 || xsm__vec_push(&g->u32, id) < 0)
				return xsm__error_oom(b->ctx);
			r.cats_n++;
		}
		r.props_off = (uint32_t)b->rprops.n;
		if (props && xsm__json_type(props) == XSM_J_OBJECT) {
			xsm_buf_clear(&b->tmp);
			if ((rc = xsm__graph_flatten(g, &b->rprops, props, &b->tmp, 0)) < 0)
				return rc;
		}
		r.props_n = (uint32_t)(b->rprops.n - r.props_off);
		r.last_seen = props ? time_or(xsm__json_getstr(props, "lastSeen"), 0) : 0;
		ks = b->ks[b->assets_done & 1];
		if (b->assets_ahead > b->assets_done)
			b->assets_done++; /* made by on_record_ahead */
		else
			collect_keys(ks, xsm__json_get(j, "keys"), r.kind, xsm__gstr(g, r.sid));
		r.keys_off = (uint32_t)g->u32.n;
		if (xsm__vec_push(&b->recs, r) < 0)
			return xsm__error_oom(b->ctx);
		/* the canonical order of records: source name and source_id, never arrival */
		if ((rc = xsm__resolver_record(b->res, r.kind, (uint32_t)b->srcs.n - 1,
					       xsm__hash(xsm__gstr(g, r.sid), g->s.lens[r.sid]) * 0x9e3779b97f4a7c15ull ^
						       b->cur_src_hash,
					       r.last_seen)) < 0)
			return rc;
		for (i = 0; i < ks->n && rc == 0; i++) {
			uint32_t kid;
			if (xsm__graph_intern(g, ks->k[i], &kid) < 0 || xsm__vec_push(&g->u32, kid) < 0) {
				rc = xsm__error_oom(b->ctx);
				break;
			}
			b->recs.v[idx].keys_n++;
			rc = xsm__resolver_key(b->res, idx, kid, ks->k[i]);
		}
		/* the same source_id in two sources' runs is one record */
		if (rc == 0) {
			uint32_t first;
			if (first_with(&b->sid_rec, r.sid, idx, &first) < 0)
				rc = xsm__error_oom(b->ctx);
			else if (first != idx)
				rc = xsm__resolver_same(b->res, first, idx);
		}
		return rc;
	}
	if (type == XSM_REC_FINDING) {
		/* five million of these: the members are read in one walk, not looked up one by one */
		enum { F_ASSET, F_CVE, F_SEV, F_CVSS, F_EXPL, F_RCE, F_PE, F_STATUS, F_FIRST, F_LAST, F_N };
		static const char *const names[F_N] = { "asset", "cve", "severity", "cvss", "exploitAvailable", "rce",
							"privilegeEscalation", "status", "firstFound", "lastFound" };
		const xsm__json *m[F_N] = { NULL }, *c, *v;
		struct finding f;
		const char *st;
		for (c = xsm__json_child(j); c; c = xsm__json_next(c)) {
			const char *k = xsm__json_key(c);
			for (int x = 0; k && x < F_N; x++)
				if (k[0] == names[x][0] && !strcmp(k, names[x])) {
					if (!m[x])
						m[x] = c; /* the first of a repeated member, as a lookup finds */
					break;
				}
		}
		memset(&f, 0, sizeof(f));
		f.src = b->cur_src;
		st = xsm__json_str(m[F_STATUS]);
		if (xsm__graph_intern(g, xsm__json_str(m[F_ASSET]) ? xsm__json_str(m[F_ASSET]) : "", &f.asset_sid) < 0 ||
		    xsm__graph_intern(g, xsm__json_str(m[F_CVE]) ? xsm__json_str(m[F_CVE]) : "", &f.cve) < 0)
			return XSM_ENOMEM;
		f.sev = sev_rank(xsm__json_str(m[F_SEV]));
		f.cvss = (v = m[F_CVSS]) && xsm__json_type(v) == XSM_J_NUMBER ? xsm__json_num(v) : -1;
		f.exploit = (uint8_t)xsm__json_bool(m[F_EXPL]);
		f.rce = (uint8_t)xsm__json_bool(m[F_RCE]);
		f.privesc = (uint8_t)xsm__json_bool(m[F_PE]);
		f.open = !st || strcmp(st, "fixed") != 0;
		f.first = time_or(xsm__json_str(m[F_FIRST]), 0);
		f.last = time_or(xsm__json_str(m[F_LAST]), 0);
		if (!f.open) {
			b->fixed++;
			return 0;
		}
		return xsm__vec_push(&b->finds, f) < 0 ? xsm__error_oom(b->ctx) : 0;
	}
	{
		struct relation r;
		r.src = b->cur_src;
		if (intern_json_str(b, j, "label", &r.label) < 0 || intern_json_str(b, j, "from", &r.from) < 0 ||
		    intern_json_str(b, j, "to", &r.to) < 0)
			return XSM_ENOMEM;
		return xsm__vec_push(&b->rels, r) < 0 ? xsm__error_oom(b->ctx) : 0;
	}
}

/*
 * The record after the one on_record is handling: the pool slots of its
 * strings most likely new to the cache are fetched meanwhile (a finding's
 * asset, a relation's ends, an asset's source_id, name and property
 * values).  Labels, CVEs and property names repeat and stay cached.
 */
static void on_record_ahead(const xsm__json *j, int type, void *payload)
{
	struct builder *b = payload;
	const xsm__strpool *pool = &b->g->s;
	const char *keys[3] = { NULL, NULL, NULL };
	const xsm__json *c;
	if (type == XSM_REC_FINDING) {
		keys[0] = "asset";
	} else if (type == XSM_REC_RELATION) {
		keys[0] = "from";
		keys[1] = "to";
	} else {
		struct keyset *const *ks = &b->ks[b->assets_ahead & 1];
		keys[0] = "source_id";
		keys[1] = "name";
		for (c = xsm__json_child(xsm__json_get(j, "props")); c; c = xsm__json_next(c))
			if (xsm__json_str(c))
				xsm__strpool_prefetch(pool, xsm__json_str(c), strlen(xsm__json_str(c)));
		/* its identity keys, kept for on_record */
		collect_keys(*ks, xsm__json_get(j, "keys"), label_kind(xsm__json_getstr(j, "label")),
			     xsm__json_getstr(j, "source_id"));
		for (int k = 0; k < (*ks)->n; k++)
			xsm__strpool_prefetch(pool, (*ks)->k[k], strlen((*ks)->k[k]));
		b->assets_ahead++;
	}
	for (int k = 0; k < 3 && keys[k]; k++) {
		const char *v = xsm__json_getstr(j, keys[k]);
		if (v)
			xsm__strpool_prefetch(pool, v, strlen(v));
	}
}

/* --- assembling nodes ------------------------------------------------------------- */

static struct builder *rank_b; /* qsort context */

static int cmp_rank(const void *x, const void *y)
{
	const struct builder *b = rank_b;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	const struct rec *r = &b->recs.v[i], *s = &b->recs.v[j];
	uint32_t ri = b->group[i], rj = b->group[j];
	int c;
	if (ri != rj)
		return ri < rj ? -1 : 1;
	if (r->last_seen != s->last_seen)
		return r->last_seen > s->last_seen ? -1 : 1;
	if ((c = strcmp(xsm__gstr(b->g, r->src), xsm__gstr(b->g, s->src))) != 0)
		return c;
	return strcmp(xsm__gstr(b->g, r->sid), xsm__gstr(b->g, s->sid));
}

static const xsm_graph *str_g;

static int cmp_strid(const void *x, const void *y)
{
	return strcmp(xsm__gstr(str_g, *(const uint32_t *)x), xsm__gstr(str_g, *(const uint32_t *)y));
}

/* sort ids by their strings and drop duplicates; returns the new count */
static size_t sort_unique(const xsm_graph *g, uint32_t *ids, size_t n)
{
	size_t i, k = 0;
	str_g = g;
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_strid);
	for (i = 0; i < n; i++)
		if (!k || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	return k;
}

static int cmp_prop_key(const void *x, const void *y)
{
	return strcmp(xsm__gstr(str_g, ((const xsm__prop *)x)->key), xsm__gstr(str_g, ((const xsm__prop *)y)->key));
}

void xsm__graph_sort_props(const xsm_graph *g, xsm__prop *p, size_t n)
{
	/* most have a handful of properties: insertion sort, qsort for the rest */
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			xsm__prop v = p[i];
			size_t j = i;
			while (j > 0 && strcmp(xsm__gstr(g, p[j - 1].key), xsm__gstr(g, v.key)) > 0) {
				p[j] = p[j - 1];
				j--;
			}
			p[j] = v;
		}
		return;
	}
	str_g = g;
	qsort(p, n, sizeof(*p), cmp_prop_key);
}

static int push_u32(xsm_graph *g, uint32_t v)
{
	return xsm__vec_push(&g->u32, v) < 0 ? xsm__error_oom(g->ctx) : 0;
}

static const char *const key_order[] = { "cloud_id:", "mde_id:", "serial:", "fqdn:", "azure_vm_id:", "mac:",
					 "aad_object_id:", "sid:", "upn:", "hostname:", "source_id:", NULL };

static const struct {
	const char *key, *type;
} eid_types[] = {
	{ "cloud_id:", "CloudResourceId" }, { "mde_id:", "MdeMachineId" }, { "serial:", "SerialNumber" },
	{ "fqdn:", "Fqdn" }, { "azure_vm_id:", "AzureVmId" }, { "mac:", "MacAddress" }, { "aad_object_id:", "AadObjectId" },
	{ "sid:", "SecurityIdentifier" }, { "upn:", "Upn" }, { NULL, NULL },
};

enum { EID_TYPES = sizeof(eid_types) / sizeof(eid_types[0]) - 1 };

/* the position of key's type in key_order (the first EID_TYPES are eid_types' too), -1 for none */
static int key_class(const char *key)
{
	int o;
	switch (key[0]) {
	case 'a': o = key[1] == 'z' ? 4 : 6; break;
	case 'c': o = 0; break;
	case 'f': o = 3; break;
	case 'h': o = 9; break;
	case 'm': o = key[1] == 'd' ? 1 : 5; break;
	case 's': o = key[1] == 'e' ? 2 : key[1] == 'i' ? 7 : 10; break;
	case 'u': o = 8; break;
	default: return -1;
	}
	return strncmp(key, key_order[o], strlen(key_order[o])) ? -1 : o;
}

/* per asset node: findings summary and graph-derived values */
struct derived {
	double maxcvss;
	uint8_t hi, rce, pe;
	uint32_t expl;
	int64_t oldest_crit;
	uint32_t cves_off, cves_n;   /* u32: CVE string ids */
	uint32_t member_off, member_n;
	uint32_t logged_off, logged_n;
	uint32_t admin_on;
	uint32_t group_start, group_n; /* in order[] */
};

static int values_equal(const xsm_graph *g, const xsm__prop *a, const xsm__prop *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case XSM_V_NUM: return a->num == b->num;
	case XSM_V_STRS:
		return a->b == b->b && !memcmp(&g->u32.v[a->a], &g->u32.v[b->a], a->b * sizeof(uint32_t));
	default: return a->a == b->a;
	}
}

static int is_scanner_source(const char *name)
{
	static const char *words[] = { "qualys", "tenable", "nessus", "rapid7", "insightvm", "defender", "mde",
				       "scanner", "vuln", "wiz", "prisma", "crowdstrike", NULL };
	for (int i = 0; words[i]; i++)
		if (strstr(name, words[i]))
			return 1;
	return 0;
}

static void jw_prop_value(xsm_jw *w, const xsm_graph *g, const xsm__prop *p)
{
	uint32_t i;
	switch (p->type) {
	case XSM_V_BOOL: xsm_jw_bool(w, p->a != 0); break;
	case XSM_V_NUM: xsm_jw_num(w, p->num); break;
	case XSM_V_STR: xsm_jw_str(w, xsm__gstr(g, p->a)); break;
	case XSM_V_STRS:
		xsm_jw_arr(w);
		for (i = 0; i < p->b; i++)
			xsm_jw_str(w, xsm__gstr(g, g->u32.v[p->a + i]));
		xsm_jw_arr_end(w);
		break;
	case XSM_V_JSON: xsm_jw_raw(w, xsm__gstr(g, p->a)); break;
	default: xsm_jw_null(w);
	}
}

struct rankedprop {
	xsm__prop p;
	uint32_t rank; /* position of its record in the group's ranking */
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct rankedprop *a = x, *b = y;
	int c = strcmp(xsm__gstr(str_g, a->p.key), xsm__gstr(str_g, b->p.key));
	if (c)
		return c;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int add_prop(xsm_graph *g, xsm__propvec *v, const char *key, xsm__prop p)
{
	if (xsm__graph_intern(g, key, &p.key) < 0)
		return XSM_ENOMEM;
	return xsm__vec_push(v, p) < 0 ? xsm__error_oom(g->ctx) : 0;
}

static xsm__prop pnum(double d) { xsm__prop p; memset(&p, 0, sizeof(p)); p.type = XSM_V_NUM; p.num = d; return p; }
static xsm__prop pbool(int v) { xsm__prop p; memset(&p, 0, sizeof(p)); p.type = XSM_V_BOOL; p.a = v != 0; return p; }
static xsm__prop pstrs(uint32_t off, uint32_t n) { xsm__prop p; memset(&p, 0, sizeof(p)); p.type = XSM_V_STRS; p.a = off; p.b = n; return p; }
static xsm__prop pstr(uint32_t id) { xsm__prop p; memset(&p, 0, sizeof(p)); p.type = XSM_V_STR; p.a = id; return p; }

/*
 * The sources JSON as written here is what cJSON prints back (and so what a
 * reloaded snapshot prints) unless it has an escape, a DEL byte or a number
 * other than an integer of up to 15 digits: only then is it normalised
 * through the parser.
 */
static int prints_as_is(const char *s, size_t n)
{
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == 0x7f)
			return 0;
		if (in_str) {
			in_str = c != '"';
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t d = 0;
			if (c == '-')
				i++;
			for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				d++;
			if (d == 0 || d > 15 || (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')))
				return 0;
			i--;
		}
	}
	return 1;
}

/* the merged and derived properties of one asset node, appended to g->props */
static int node_props(struct builder *b, uint32_t node, const uint32_t *order, const struct derived *d,
		      xsm__propvec *scratch)
{
	xsm_graph *g = b->g;
	XSM__VEC(struct rankedprop) all = { 0 };
	xsm_buf js = XSM_BUF_INIT;
	xsm_jw w;
	size_t i, k, start;
	int rc = 0;
	xsm__node *nd = &g->nodes.v[node];

	scratch->n = 0;
	for (i = 0; i < d->group_n; i++) {
		const struct rec *r = &b->recs.v[order[d->group_start + i]];
		for (k = 0; k < r->props_n; k++) {
			struct rankedprop rp = { b->rprops.v[r->props_off + k], (uint32_t)i };
			if (xsm__vec_push(&all, rp) < 0)
				goto oom;
		}
	}
	str_g = g;
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(*all.v), cmp_ranked);
	/* rawData.sources: per source record, its id, name, keys and the values that lost */
	xsm_jw_init(&w, &js);
	xsm_jw_obj(&w);
	for (i = 0; i < d->group_n; i++) {
		const struct rec *r = &b->recs.v[order[d->group_start + i]];
		int any = 0;
		xsm_jw_key(&w, xsm__gstr(g, r->sid));
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "source", xsm__gstr(g, r->src));
		xsm_jw_kstr(&w, "name", xsm__gstr(g, r->name));
		xsm_jw_key(&w, "keys");
		xsm_jw_arr(&w);
		for (k = 0; k < r->keys_n; k++)
			xsm_jw_str(&w, xsm__gstr(g, g->u32.v[r->keys_off + k]));
		xsm_jw_arr_end(&w);
		for (k = 0; k < all.n; k++) {
			const struct rankedprop *rp = &all.v[k];
			size_t first = k;
			if (rp->rank != i)
				continue;
			while (first > 0 && all.v[first - 1].p.key == rp->p.key)
				first--;
			if (first == k || values_equal(g, &all.v[first].p, &rp->p))
				continue;
			if (!any) {
				xsm_jw_key(&w, "props");
				xsm_jw_obj(&w);
				any = 1;
			}
			xsm_jw_key(&w, xsm__gstr(g, rp->p.key));
			jw_prop_value(&w, g, &rp->p);
		}
		if (any)
			xsm_jw_obj_end(&w);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_obj_end(&w);
	if (w.err)
		goto oom;
	for (k = 0; k < all.n; k++)
		if ((k == 0 || all.v[k - 1].p.key != all.v[k].p.key) && xsm__vec_push(scratch, all.v[k].p) < 0)
			goto oom;
	{
		/*
		 * Kept as JSON text, normalised through the parser once, so a reloaded
		 * snapshot prints the same bytes.
		 */
		xsm__json *j = NULL;
		xsm_buf norm = XSM_BUF_INIT;
		xsm__prop p;
		memset(&p, 0, sizeof(p));
		p.type = XSM_V_JSON;
		if (prints_as_is(js.ptr, js.size)) {
			if ((rc = xsm__graph_internn(g, js.ptr, js.size, &p.a)) == 0)
				rc = add_prop(g, scratch, "sources", p);
		} else if ((rc = xsm__json_parse(&j, g->ctx, js.ptr, js.size, "")) == 0 &&
			   (rc = xsm__json_print(&norm, j)) == 0 && (rc = xsm__graph_intern(g, norm.ptr, &p.a)) == 0) {
			rc = add_prop(g, scratch, "sources", p);
		}
		xsm__json_free(j);
		xsm_buf_dispose(&norm);
		if (rc < 0)
			goto done;
	}
	if (b->nm_n && b->nm_n[node] &&
	    (rc = add_prop(g, scratch, "notMergedWith", pstrs(b->nm_off[node], b->nm_n[node]))) < 0)
		goto done;
	if (d->cves_n || !strcmp(xsm__gstr(g, nd->label), "device")) {
		if ((rc = add_prop(g, scratch, "highRiskVulnerabilityInsights.hasHighOrCritical", pbool(d->hi))) < 0 ||
		    (rc = add_prop(g, scratch, "highRiskVulnerabilityInsights.maxCvssScore", pnum(d->maxcvss))) < 0 ||
		    (rc = add_prop(g, scratch, "highRiskVulnerabilityInsights.vulnerableToRemoteCodeExecution",
				   pbool(d->rce))) < 0 ||
		    (rc = add_prop(g, scratch, "highRiskVulnerabilityInsights.vulnerableToPrivilegeEscalation",
				   pbool(d->pe))) < 0 ||
		    (rc = add_prop(g, scratch, "vulnerableToRCE", pbool(d->rce))) < 0 ||
		    (rc = add_prop(g, scratch, "cves", pstrs(d->cves_off, d->cves_n))) < 0 ||
		    (rc = add_prop(g, scratch, "exploitableCves", pnum(d->expl))) < 0)
			goto done;
		if (d->oldest_crit > 0 &&
		    (rc = add_prop(g, scratch, "oldestCriticalDays",
				   pnum((double)((b->now - d->oldest_crit) / 86400)))) < 0)
			goto done;
	}
	if (d->member_n && (rc = add_prop(g, scratch, "memberOf", pstrs(d->member_off, d->member_n))) < 0)
		goto done;
	if (d->logged_n && (rc = add_prop(g, scratch, "loggedOnBy", pstrs(d->logged_off, d->logged_n))) < 0)
		goto done;
	if (d->admin_on && (rc = add_prop(g, scratch, "adminOnCount", pnum(d->admin_on))) < 0)
		goto done;
	{
		uint32_t n = 0;
		for (k = 0; k < nd->srcs_n; k++)
			n += (uint32_t)is_scanner_source(xsm__gstr(g, g->u32.v[nd->srcs_off + k]));
		if ((rc = add_prop(g, scratch, "scannerCount", pnum(n))) < 0)
			goto done;
	}
	{
		const xsm__prop *ls = NULL;
		uint32_t lk;
		if (xsm__strpool_find(&g->s, "lastSeen", 8, &lk))
			for (k = 0; k < scratch->n; k++)
				if (scratch->v[k].key == lk)
					ls = &scratch->v[k];
		if (ls && ls->type == XSM_V_STR) {
			int64_t t = time_or(xsm__gstr(g, ls->a), 0);
			if (t && (rc = add_prop(g, scratch, "lastSeenDays", pnum((double)((b->now - t) / 86400)))) < 0)
				goto done;
		}
	}
	xsm__graph_sort_props(g, scratch->v, scratch->n);
	start = g->props.n;
	if (xsm__vec_reserve(&g->props, scratch->n) < 0)
		goto oom;
	xsm__memcpy(g->props.v + start, scratch->v, scratch->n * sizeof(*scratch->v));
	g->props.n += scratch->n;
	nd = &g->nodes.v[node];
	nd->props_off = (uint32_t)start;
	nd->props_n = (uint32_t)scratch->n;
	goto done;
oom:
	rc = xsm__error_oom(g->ctx);
done:
	xsm__vec_free(&all);
	xsm_buf_dispose(&js);
	return rc;
}

/* --- edges ---------------------------------------------------------------------- */

/* out[i * stride] = the rank of the string ids[i * stride] among those ids (xsm__graph_string_ranks) */
static int rank_into(xsm_graph *g, const uint32_t *ids, uint32_t *out, size_t n, size_t stride)
{
	uint32_t *rank = xsm__graph_string_ranks(g, ids, n, stride);
	if (!rank)
		return xsm__error_oom(g->ctx);
	for (size_t i = 0; i < n; i++)
		out[i * stride] = rank[ids[i * stride]];
	xsm__free(rank);
	return 0;
}

struct fref {
	uint32_t cve, node, idx, crank; /* crank: the CVE id's rank */
};

static int cmp_fref(const void *x, const void *y)
{
	const struct fref *a = x, *b = y;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	if (a->crank != b->crank)
		return a->crank < b->crank ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

struct rref {
	uint32_t label, source, src, dst, lrank, srank; /* ranks of label and source */
};

static int cmp_rref(const void *x, const void *y)
{
	const struct rref *a = x, *b = y;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->lrank != b->lrank)
		return a->lrank < b->lrank ? -1 : 1;
	if (a->dst != b->dst)
		return a->dst < b->dst ? -1 : 1;
	return a->srank < b->srank ? -1 : a->srank > b->srank;
}

static int add_edge(xsm_graph *g, uint32_t label, uint32_t src, uint32_t dst, xsm__propvec *props)
{
	xsm__edge e;
	uint32_t ll = g->s.lens[label], sl = g->s.lens[g->nodes.v[src].id], dl = g->s.lens[g->nodes.v[dst].id];
	size_t kl = (size_t)ll + sl + dl + 2;
	char small[256], *k = kl <= sizeof(small) ? small : xsm__malloc(kl);

	/* EdgeId: the hash of "label|source NodeId|target NodeId" */
	if (!k)
		return xsm__error_oom(g->ctx);
	memset(&e, 0, sizeof(e));
	memcpy(k, xsm__gstr(g, label), ll);
	k[ll] = '|';
	memcpy(k + ll + 1, xsm__gstr(g, g->nodes.v[src].id), sl);
	k[ll + 1 + sl] = '|';
	memcpy(k + ll + 2 + sl, xsm__gstr(g, g->nodes.v[dst].id), dl);
	e.hid = xsm__hash(k, kl);
	if (k != small)
		xsm__free(k);
	e.label = label;
	e.src = src;
	e.dst = dst;
	xsm__graph_sort_props(g, props->v, props->n);
	e.props_off = (uint32_t)g->props.n;
	e.props_n = (uint32_t)props->n;
	if (xsm__vec_reserve(&g->props, props->n) < 0)
		return xsm__error_oom(g->ctx);
	xsm__memcpy(g->props.v + g->props.n, props->v, props->n * sizeof(*props->v));
	g->props.n += props->n;
	return xsm__vec_push(&g->edges, e) < 0 ? xsm__error_oom(g->ctx) : 0;
}

static int new_node(xsm_graph *g, const char *id, const char *label, const char *name, uint32_t *out)
{
	xsm__node n;
	memset(&n, 0, sizeof(n));
	if (xsm__graph_intern(g, id, &n.id) < 0 || xsm__graph_intern(g, label, &n.label) < 0 ||
	    xsm__graph_intern(g, name, &n.name) < 0)
		return XSM_ENOMEM;
	n.cats_off = n.eids_off = n.srcs_off = (uint32_t)g->u32.n;
	*out = (uint32_t)g->nodes.n;
	return xsm__vec_push(&g->nodes, n) < 0 ? xsm__error_oom(g->ctx) : 0;
}

/* --- identity resolution and node assembly ------------------------------------- */

static const char *key_text(uint32_t kid, void *arg)
{
	return xsm__gstr(((const struct builder *)arg)->g, kid);
}

/* two records whose canonical hashes are equal: by source name, then source_id */
static int rec_tie(uint32_t x, uint32_t y, void *arg)
{
	const struct builder *b = arg;
	const struct rec *r = &b->recs.v[x], *s = &b->recs.v[y];
	int c = strcmp(xsm__gstr(b->g, r->src), xsm__gstr(b->g, s->src));
	return c ? c : strcmp(xsm__gstr(b->g, r->sid), xsm__gstr(b->g, s->sid));
}

/* group the records (graph_resolve.c); order[] gets them group by group, ranked within their group */
static int resolve_identities(struct builder *b, uint32_t *order)
{
	size_t i, n = b->recs.n;
	int rc;
	if (!(b->group = xsm__calloc(n + 1, sizeof(*b->group))))
		return xsm__error_oom(b->ctx);
	if ((rc = xsm__resolver_run(b->res, b->group, key_text, rec_tie, b)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	rank_b = b;
	if (n > 1)
		xsm__qsort2(order, n, sizeof(*order), cmp_rank);
	return 0;
}

/*
 * A device name that came from DNS ("HOST7.CORP.EXAMPLE.COM.") as DNS
 * compares it: lower case, no trailing dot.  Other names keep their case.
 */
static const char *display_name(xsm_buf *tmp, int kind, const char *name)
{
	size_t l;
	if (kind != K_DEVICE || !strchr(name, '.'))
		return name;
	xsm_buf_clear(tmp);
	for (l = strlen(name); l && name[l - 1] == '.'; l--)
		;
	for (size_t i = 0; i < l; i++)
		if (xsm_buf_putc(tmp, (char)tolower((unsigned char)name[i])) < 0)
			return NULL;
	if (xsm_buf_putc(tmp, '\0') < 0)
		return NULL;
	return l ? tmp->ptr : name;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/*
 * Two groups whose winning keys are equal (two machines with one FQDN,
 * kept apart) would get one NodeId: each of them is told apart by its
 * smallest source_id.
 */
static int unique_node_ids(struct builder *b, const uint32_t *order, const struct derived *der,
			   const uint32_t *win, size_t nassets)
{
	xsm_graph *g = b->g;
	uint64_t *ids = xsm__calloc(nassets + 1, sizeof(*ids));
	size_t i, j, k;
	int rc = 0;
	if (!ids)
		return xsm__error_oom(b->ctx);
	for (i = 0; i < nassets; i++)
		ids[i] = ((uint64_t)g->nodes.v[i].id << 32) | i;
	if (nassets > 1)
		qsort(ids, nassets, sizeof(*ids), cmp_u64);
	for (i = 0; i < nassets && rc == 0; i = j) {
		for (j = i + 1; j < nassets && ids[j] >> 32 == ids[i] >> 32; j++)
			;
		for (k = i; j - i > 1 && k < j && rc == 0; k++) {
			uint32_t node = (uint32_t)ids[k], lo = UINT32_MAX;
			const struct derived *d = &der[node];
			const char *id = xsm__gstr(g, g->nodes.v[node].id);
			char nid[48];
			for (uint32_t x = 0; x < d->group_n; x++) {
				uint32_t sid = b->recs.v[order[d->group_start + x]].sid;
				if (lo == UINT32_MAX || strcmp(xsm__gstr(g, sid), xsm__gstr(g, lo)) < 0)
					lo = sid;
			}
			xsm_buf_clear(&b->tmp);
			if (xsm_buf_puts(&b->tmp, xsm__gstr(g, win[node])) < 0 || xsm_buf_putc(&b->tmp, '|') < 0 ||
			    xsm_buf_puts(&b->tmp, xsm__gstr(g, lo)) < 0) {
				rc = xsm__error_oom(b->ctx);
				break;
			}
			memcpy(nid, id, 4);
			nid[4] = '\0';
			xsm__hex_id(nid, nid, xsm__hash(b->tmp.ptr, b->tmp.size));
			rc = xsm__graph_intern(g, nid, &g->nodes.v[node].id);
		}
	}
	xsm__free(ids);
	return rc;
}

/*
 * One asset node a group: its NodeId from the winning key, its name,
 * categories, sources and EntityIds.  rec_node[] gets each record's node,
 * der[] each node's range of order[].
 */
static int assemble_nodes(struct builder *b, const uint32_t *order, uint32_t *rec_node, struct derived *der,
			  size_t *nassets_out, xsm_build_stats *st)
{
	xsm_graph *g = b->g;
	xsm_ctx *ctx = b->ctx;
	uint32_t source_id_tid, eid_tid[sizeof(eid_types) / sizeof(eid_types[0])], *win_of = NULL;
	XSM__VEC(uint64_t) pairs = { 0 }; /* a node's EntityIds */
	size_t i, k, nassets = 0;
	int rc = 0;

	if (!(win_of = xsm__calloc(b->recs.n + 1, sizeof(*win_of))))
		return xsm__error_oom(ctx);
	/* the EntityIds type names, interned once */
	if ((rc = xsm__graph_intern(g, "SourceId", &source_id_tid)) < 0)
		goto done;
	for (int t = 0; eid_types[t].key; t++)
		if ((rc = xsm__graph_intern(g, eid_types[t].type, &eid_tid[t])) < 0)
			goto done;
	for (i = 0; i < b->recs.n; i = k) {
		const struct rec *top = &b->recs.v[order[i]];
		const char *win = NULL, *label = xsm__gstr(g, top->label), *name = "";
		uint32_t win_id = 0;
		int win_o = 0;
		char id[48];
		uint32_t node, kk;
		size_t j, c0;
		int kind = top->kind;

		for (k = i; k < b->recs.n && b->group[order[k]] == b->group[order[i]]; k++)
			;
		/* the winning key: the smallest of the first type in key_order the group has */
		for (j = i; j < k; j++) {
			const struct rec *r = &b->recs.v[order[j]];
			for (kk = 0; kk < r->keys_n; kk++) {
				const char *key = xsm__gstr(g, g->u32.v[r->keys_off + kk]);
				int o = key_class(key);
				if (o >= 0 && (!win || o < win_o || (o == win_o && strcmp(key, win) < 0))) {
					win = key;
					win_o = o;
					win_id = g->u32.v[r->keys_off + kk];
				}
			}
		}
		for (j = i; j < k && !name[0]; j++)
			name = xsm__gstr(g, b->recs.v[order[j]].name);
		if (!name[0])
			name = xsm__gstr(g, top->sid);
		else if (!(name = display_name(&b->tmp, kind, name)))
			goto oom;
		xsm__hex_id(id, kind == K_DEVICE ? "dev-" : kind == K_IDENTITY ? "idn-" : "res-", xsm__hash(win, strlen(win)));
		if ((rc = new_node(g, id, label, name, &node)) < 0)
			goto done;
		win_of[node] = win_id;
		nassets++;
		st->merged += k - i - 1;
		der[node].group_start = (uint32_t)i;
		der[node].group_n = (uint32_t)(k - i);
		/* categories: the union */
		c0 = g->u32.n;
		for (j = i; j < k; j++) {
			const struct rec *r = &b->recs.v[order[j]];
			for (kk = 0; kk < r->cats_n; kk++)
				if ((rc = push_u32(g, g->u32.v[r->cats_off + kk])) < 0)
					goto done;
		}
		g->u32.n = c0 + sort_unique(g, g->u32.v + c0, g->u32.n - c0);
		g->nodes.v[node].cats_off = (uint32_t)c0;
		g->nodes.v[node].cats_n = (uint32_t)(g->u32.n - c0);
		/* sources */
		c0 = g->u32.n;
		for (j = i; j < k; j++)
			if ((rc = push_u32(g, b->recs.v[order[j]].src)) < 0)
				goto done;
		g->u32.n = c0 + sort_unique(g, g->u32.v + c0, g->u32.n - c0);
		g->nodes.v[node].srcs_off = (uint32_t)c0;
		g->nodes.v[node].srcs_n = (uint32_t)(g->u32.n - c0);
		/* EntityIds: (type, id) pairs, sorted, unique */
		c0 = g->u32.n;
		{
			pairs.n = 0;
			for (j = i; j < k; j++) {
				const struct rec *r = &b->recs.v[order[j]];
				if (xsm__vec_push(&pairs, ((uint64_t)source_id_tid << 32) | r->sid) < 0)
					goto eid_fail;
				for (kk = 0; kk < r->keys_n; kk++) {
					const char *key = xsm__gstr(g, g->u32.v[r->keys_off + kk]);
					int t = key_class(key);
					uint32_t vid;
					if (t < 0 || t >= EID_TYPES)
						continue;
					if ((rc = xsm__graph_intern(g, key + strlen(eid_types[t].key), &vid)) < 0 ||
					    xsm__vec_push(&pairs, ((uint64_t)eid_tid[t] << 32) | vid) < 0)
						goto eid_fail;
				}
			}
			/* sort pairs by (type string, id string) */
			for (size_t x = 1; x < pairs.n; x++) {
				uint64_t v = pairs.v[x];
				size_t y = x;
				while (y > 0) {
					uint64_t u = pairs.v[y - 1];
					int c = strcmp(xsm__gstr(g, (uint32_t)(u >> 32)), xsm__gstr(g, (uint32_t)(v >> 32)));
					if (c == 0)
						c = strcmp(xsm__gstr(g, (uint32_t)u), xsm__gstr(g, (uint32_t)v));
					if (c <= 0)
						break;
					pairs.v[y] = u;
					y--;
				}
				pairs.v[y] = v;
			}
			for (size_t x = 0; x < pairs.n; x++) {
				if (x && pairs.v[x] == pairs.v[x - 1])
					continue;
				if ((rc = push_u32(g, (uint32_t)(pairs.v[x] >> 32))) < 0 ||
				    (rc = push_u32(g, (uint32_t)pairs.v[x])) < 0)
					goto eid_fail;
			}
			g->nodes.v[node].eids_off = (uint32_t)c0;
			g->nodes.v[node].eids_n = (uint32_t)((g->u32.n - c0) / 2);
		}
		for (j = i; j < k; j++)
			rec_node[order[j]] = node;
	}
	*nassets_out = nassets;
	rc = unique_node_ids(b, order, der, win_of, nassets);
	goto done;
eid_fail:
	if (rc == 0)
		rc = xsm__error_oom(ctx);
	goto done;
oom:
	rc = xsm__error_oom(ctx);
done:
	xsm__vec_free(&pairs);
	xsm__free(win_of);
	return rc;
}

static const xsm_graph *note_g;

static int cmp_note(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	if (a >> 32 != b >> 32)
		return a >> 32 < b >> 32 ? -1 : 1;
	return strcmp(xsm__gstr(note_g, (uint32_t)a), xsm__gstr(note_g, (uint32_t)b));
}

/* at most this many "not merged with" notes a node: enough to explain, bounded on a hub */
#define MAX_NOTES 8

/*
 * The refused unions as notes on both nodes, "dev-...: serial differs",
 * sorted; b->conflicts counts them.
 */
static int not_merged_notes(struct builder *b, const uint32_t *rec_node, size_t nassets)
{
	xsm_graph *g = b->g;
	const xsm__refusal *v;
	XSM__VEC(uint64_t) notes = { 0 };
	size_t n, i, k;
	int rc = 0;

	xsm__resolver_refusals(b->res, &v, &n);
	b->conflicts = n;
	if (!n)
		return 0;
	if (!(b->nm_off = xsm__calloc(nassets + 1, sizeof(*b->nm_off))) ||
	    !(b->nm_n = xsm__calloc(nassets + 1, sizeof(*b->nm_n))))
		goto oom;
	for (i = 0; i < n; i++) {
		uint32_t ends[2] = { rec_node[v[i].a], rec_node[v[i].b] };
		for (int side = 0; side < 2; side++) {
			uint32_t tid;
			xsm_buf_clear(&b->tmp);
			if (xsm_buf_printf(&b->tmp, "%s: ", xsm__gstr(g, g->nodes.v[ends[!side]].id)) < 0 ||
			    (v[i].why == XSM__WHY_SOURCE
				     ? xsm_buf_printf(&b->tmp, "both seen by %s", xsm__gstr(g, b->srcs.v[v[i].src]))
				     : xsm_buf_puts(&b->tmp, xsm__resolver_why(v[i].why))) < 0)
				goto oom;
			if ((rc = xsm__graph_intern(g, b->tmp.ptr, &tid)) < 0)
				goto done;
			if (xsm__vec_push(&notes, ((uint64_t)ends[side] << 32) | tid) < 0)
				goto oom;
		}
	}
	note_g = g;
	qsort(notes.v, notes.n, sizeof(*notes.v), cmp_note);
	for (i = 0; i < notes.n; i = k) {
		uint32_t node = (uint32_t)(notes.v[i] >> 32);
		b->nm_off[node] = (uint32_t)g->u32.n;
		for (k = i; k < notes.n && notes.v[k] >> 32 == node; k++)
			if (k - i < MAX_NOTES && (rc = push_u32(g, (uint32_t)notes.v[k])) < 0)
				goto done;
		b->nm_n[node] = (uint32_t)(g->u32.n - b->nm_off[node]);
	}
	goto done;
oom:
	rc = xsm__error_oom(b->ctx);
done:
	xsm__vec_free(&notes);
	return rc;
}

/* the record with source_id sid (a string id) */
static int rec_of(struct builder *b, uint32_t sid, uint32_t *rec)
{
	if (sid >= b->sid_rec.n || !b->sid_rec.v[sid])
		return 0;
	*rec = b->sid_rec.v[sid] - 1;
	return 1;
}

/* out-adjacency of the edges labelled label (CSR over n nodes): off[n + 1], adj = destination nodes */
struct csr {
	uint32_t *off, *adj;
};

static void csr_free(struct csr *c)
{
	xsm__free(c->off);
	xsm__free(c->adj);
	c->off = c->adj = NULL;
}

/* reverse: by destination, the sources */
static int csr_of(const xsm_graph *g, uint32_t label, int reverse, struct csr *c)
{
	size_t n = g->nodes.n, m = g->edges.n, k = 0, i;
	uint32_t *pos = NULL;
	for (i = 0; i < m; i++)
		k += g->edges.v[i].label == label;
	c->off = xsm__calloc(n + 2, sizeof(*c->off));
	c->adj = xsm__calloc(k + 1, sizeof(*c->adj));
	pos = xsm__calloc(n + 1, sizeof(*pos));
	if (!c->off || !c->adj || !pos) {
		xsm__free(pos);
		csr_free(c);
		return XSM_ENOMEM;
	}
	for (i = 0; i < m; i++) {
		const xsm__edge *e = &g->edges.v[i];
		if (e->label == label)
			c->off[(reverse ? e->dst : e->src) + 1]++;
	}
	for (i = 0; i < n; i++)
		c->off[i + 1] += c->off[i];
	memcpy(pos, c->off, n * sizeof(*pos));
	for (i = 0; i < m; i++) {
		const xsm__edge *e = &g->edges.v[i];
		if (e->label == label)
			c->adj[pos[reverse ? e->dst : e->src]++] = reverse ? e->src : e->dst;
	}
	xsm__free(pos);
	return 0;
}

/* the names of node i's neighbours in c, sorted and unique, appended to g->u32 */
static int neighbour_names(xsm_graph *g, const struct csr *c, size_t i, uint32_t *off, uint32_t *n)
{
	size_t c0 = g->u32.n;
	int rc;
	for (uint32_t e = c->off[i]; e < c->off[i + 1]; e++)
		if ((rc = push_u32(g, g->nodes.v[c->adj[e]].name)) < 0)
			return rc;
	*off = (uint32_t)c0;
	*n = (uint32_t)sort_unique(g, g->u32.v + c0, g->u32.n - c0);
	g->u32.n = c0 + *n;
	return 0;
}

/*
 * Graph-derived properties that a source's own edges bound: memberOf (the
 * names of the groups a node is directly in: nested membership is the
 * memberOf() relation of xsm-expr(7), never stored) and loggedOnBy (the
 * identities a device is frequently logged in by).
 */
static int derive_direct(xsm_graph *g, struct derived *der, size_t nassets)
{
	uint32_t member_of, logged_by;
	struct csr mo = { 0 }, lb = { 0 };
	int rc = 0;

	if (xsm__graph_intern(g, "member of", &member_of) < 0 ||
	    xsm__graph_intern(g, "frequently logged in by", &logged_by) < 0 || csr_of(g, member_of, 0, &mo) < 0 ||
	    csr_of(g, logged_by, 0, &lb) < 0) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	for (size_t i = 0; i < nassets && rc == 0; i++) {
		struct derived *d = &der[i];
		if ((rc = neighbour_names(g, &lb, i, &d->logged_off, &d->logged_n)) == 0)
			rc = neighbour_names(g, &mo, i, &d->member_off, &d->member_n);
	}
done:
	csr_free(&mo);
	csr_free(&lb);
	return rc;
}

/*
 * adminOnCount: the devices a node can authenticate to or log on to
 * interactively, itself or through any group it is nested in, each device
 * once, counted exactly up to ADMIN_CAP (a larger count reads ADMIN_CAP +
 * 1, "more than ADMIN_CAP").
 *
 * Bounded, not a closure per node: only nodes that reach a granting node
 * through "member of" edges are visited; their strongly connected
 * components (Tarjan, iterative: a cycle of groups is one component) are
 * finished sinks first, and a component's device set is the union of its
 * members' own devices and its successors' sets, kept as at most ADMIN_CAP
 * ids or as "saturated".  Time O(nodes + edges) plus, per component, a
 * merge of its inputs of at most ADMIN_CAP ids each; memory at most
 * ADMIN_CAP ids for each group that others are nested in.
 */
#define ADMIN_CAP 1000

struct admin {
	const xsm_graph *g;
	struct csr mo, rmo, dev;    /* member of; its reverse; node -> devices it is granted (sorted, unique) */
	uint8_t *reach;             /* reaches a granting node */
	uint32_t *comp, *low, *idx; /* Tarjan */
	uint32_t *set_off, *set_n;  /* by component: ids in pool, or set_n = ADMIN_CAP + 1 saturated */
	XSM__VEC(uint32_t) pool, tmp, stack, members;
	uint32_t ncomp;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* sort tmp[from..] unique in place; returns the count past from */
static size_t tmp_unique(struct admin *a, size_t from)
{
	size_t n = a->tmp.n - from, k = 0;
	uint32_t *v = a->tmp.v + from;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	a->tmp.n = from + k;
	return k;
}

/* add ids to the component's gathering in tmp; 1 once it holds more than the cap */
static int gather(struct admin *a, const uint32_t *ids, size_t n, int *oom)
{
	for (size_t i = 0; i < n; i++)
		if (xsm__vec_push(&a->tmp, ids[i]) < 0) {
			*oom = 1;
			return 1;
		}
	if (a->tmp.n > 4 * ADMIN_CAP)
		tmp_unique(a, 0);
	return a->tmp.n > ADMIN_CAP && tmp_unique(a, 0) > ADMIN_CAP;
}

/* the component just popped (members): its set from its members' devices and its successors' sets */
static int finish_comp(struct admin *a, uint32_t c, uint32_t *count)
{
	int sat = 0, oom = 0, single_input = -1;
	size_t inputs = 0;
	a->tmp.n = 0;
	for (size_t k = 0; k < a->members.n && !sat; k++) {
		uint32_t u = a->members.v[k];
		if (a->dev.off[u + 1] > a->dev.off[u]) {
			inputs++;
			sat = gather(a, a->dev.adj + a->dev.off[u], a->dev.off[u + 1] - a->dev.off[u], &oom);
		}
		for (uint32_t e = a->mo.off[u]; e < a->mo.off[u + 1] && !sat; e++) {
			uint32_t v = a->mo.adj[e], cv = a->comp[v];
			if (!a->reach[v] || cv == c || !a->set_n[cv])
				continue;
			if (a->set_n[cv] > ADMIN_CAP) {
				sat = 1;
				break;
			}
			inputs++;
			single_input = (int)cv;
			sat = gather(a, a->pool.v + a->set_off[cv], a->set_n[cv], &oom);
		}
	}
	if (oom)
		return XSM_ENOMEM;
	if (sat) {
		a->set_n[c] = ADMIN_CAP + 1;
	} else if (inputs == 1 && single_input >= 0) {
		a->set_off[c] = a->set_off[single_input]; /* one group's set, shared as it is */
		a->set_n[c] = a->set_n[single_input];
	} else {
		a->set_n[c] = (uint32_t)tmp_unique(a, 0);
		if (a->set_n[c] > ADMIN_CAP) {
			a->set_n[c] = ADMIN_CAP + 1;
		} else {
			/* kept only where others are nested in a member; a leaf needs just its count */
			int nested = 0;
			for (size_t k = 0; k < a->members.n && !nested; k++)
				nested = a->rmo.off[a->members.v[k] + 1] > a->rmo.off[a->members.v[k]];
			a->set_off[c] = (uint32_t)a->pool.n;
			for (size_t k = 0; nested && k < a->tmp.n; k++)
				if (xsm__vec_push(&a->pool, a->tmp.v[k]) < 0)
					return XSM_ENOMEM;
		}
	}
	*count = a->set_n[c];
	return 0;
}

/* Tarjan's strongly connected components from root over reaching nodes, without recursion */
static int tarjan(struct admin *a, uint32_t root, uint32_t *next_idx, struct derived *der, size_t nassets)
{
	XSM__VEC(uint64_t) call = { 0 }; /* (node, next edge) */
	int rc = 0;
	if (xsm__vec_push(&call, (uint64_t)root << 32 | a->mo.off[root]) < 0)
		return XSM_ENOMEM;
	a->idx[root] = a->low[root] = ++*next_idx;
	if (xsm__vec_push(&a->stack, root) < 0)
		goto oom;
	while (call.n) {
		uint32_t u = (uint32_t)(call.v[call.n - 1] >> 32), e = (uint32_t)call.v[call.n - 1];
		if (e < a->mo.off[u + 1]) {
			uint32_t v = a->mo.adj[e];
			call.v[call.n - 1]++;
			if (!a->reach[v])
				continue;
			if (!a->idx[v]) {
				a->idx[v] = a->low[v] = ++*next_idx;
				if (xsm__vec_push(&a->stack, v) < 0 || xsm__vec_push(&call, (uint64_t)v << 32 | a->mo.off[v]) < 0)
					goto oom;
			} else if (a->comp[v] == UINT32_MAX && a->idx[v] < a->low[u]) {
				a->low[u] = a->idx[v];
			}
			continue;
		}
		call.n--;
		if (call.n) {
			uint32_t p = (uint32_t)(call.v[call.n - 1] >> 32);
			if (a->low[u] < a->low[p])
				a->low[p] = a->low[u];
		}
		if (a->low[u] == a->idx[u]) {
			uint32_t c = a->ncomp++, w, count;
			a->members.n = 0;
			do {
				w = a->stack.v[--a->stack.n];
				a->comp[w] = c;
				if (xsm__vec_push(&a->members, w) < 0)
					goto oom;
			} while (w != u);
			if ((rc = finish_comp(a, c, &count)) < 0)
				goto done;
			for (size_t k = 0; k < a->members.n; k++)
				if (a->members.v[k] < nassets)
					der[a->members.v[k]].admin_on = count;
		}
	}
	goto done;
oom:
	rc = XSM_ENOMEM;
done:
	xsm__vec_free(&call);
	return rc;
}

static int derive_admin(xsm_graph *g, struct derived *der, size_t nassets)
{
	struct admin a;
	size_t n = g->nodes.n, i;
	uint32_t member_of, auth_to, rdp_to, device, next_idx = 0, *queue = NULL, head = 0, tail = 0;
	struct csr auth = { 0 }, rdp = { 0 };
	int rc = 0;

	memset(&a, 0, sizeof(a));
	a.g = g;
	if (xsm__graph_intern(g, "member of", &member_of) < 0 || xsm__graph_intern(g, "can authenticate to", &auth_to) < 0 ||
	    xsm__graph_intern(g, "CanRemoteInteractiveLogonTo", &rdp_to) < 0 || xsm__graph_intern(g, "device", &device) < 0 ||
	    csr_of(g, member_of, 0, &a.mo) < 0 || csr_of(g, member_of, 1, &a.rmo) < 0 || csr_of(g, auth_to, 0, &auth) < 0 ||
	    csr_of(g, rdp_to, 0, &rdp) < 0)
		goto oom;
	/* each node's own devices, sorted and unique */
	if (!(a.dev.off = xsm__calloc(n + 2, sizeof(uint32_t))) || !(a.reach = xsm__calloc(n + 1, 1)) ||
	    !(queue = xsm__calloc(n + 1, sizeof(*queue))))
		goto oom;
	for (i = 0; i < n; i++) {
		size_t c0 = a.tmp.n;
		const struct csr *cs[2] = { &auth, &rdp };
		for (int t = 0; t < 2; t++)
			for (uint32_t e = cs[t]->off[i]; e < cs[t]->off[i + 1]; e++)
				if (g->nodes.v[cs[t]->adj[e]].label == device && xsm__vec_push(&a.tmp, cs[t]->adj[e]) < 0)
					goto oom;
		a.dev.off[i + 1] = (uint32_t)(c0 + tmp_unique(&a, c0));
		if (a.dev.off[i + 1] > c0) {
			a.reach[i] = 1;
			queue[tail++] = (uint32_t)i;
		}
	}
	a.dev.adj = a.tmp.v;
	memset(&a.tmp, 0, sizeof(a.tmp));
	/* the nodes that reach a granting one: reversed "member of" from them */
	while (head < tail) {
		uint32_t u = queue[head++];
		for (uint32_t e = a.rmo.off[u]; e < a.rmo.off[u + 1]; e++)
			if (!a.reach[a.rmo.adj[e]]) {
				a.reach[a.rmo.adj[e]] = 1;
				queue[tail++] = a.rmo.adj[e];
			}
	}
	if (!(a.comp = xsm__malloc((n + 1) * sizeof(uint32_t))) || !(a.low = xsm__calloc(n + 1, sizeof(uint32_t))) ||
	    !(a.idx = xsm__calloc(n + 1, sizeof(uint32_t))) || !(a.set_off = xsm__calloc(tail + 1, sizeof(uint32_t))) ||
	    !(a.set_n = xsm__calloc(tail + 1, sizeof(uint32_t))))
		goto oom;
	memset(a.comp, 0xff, (n + 1) * sizeof(uint32_t));
	for (i = 0; i < n; i++)
		if (a.reach[i] && !a.idx[i] && (rc = tarjan(&a, (uint32_t)i, &next_idx, der, nassets)) < 0)
			goto oom;
	goto done;
oom:
	rc = xsm__error_oom(g->ctx);
done:
	csr_free(&a.mo);
	csr_free(&a.rmo);
	csr_free(&a.dev);
	csr_free(&auth);
	csr_free(&rdp);
	xsm__free(a.reach);
	xsm__free(a.comp);
	xsm__free(a.low);
	xsm__free(a.idx);
	xsm__free(a.set_off);
	xsm__free(a.set_n);
	xsm__vec_free(&a.pool);
	xsm__vec_free(&a.tmp);
	xsm__vec_free(&a.stack);
	xsm__vec_free(&a.members);
	xsm__free(queue);
	return rc;
}

static int derive_relations(xsm_graph *g, struct derived *der, size_t nassets)
{
	int rc = derive_direct(g, der, nassets);
	return rc < 0 ? rc : derive_admin(g, der, nassets);
}

struct srcname {
	xsm_buf runs;
	struct builder *b;
	xsm_store *store;
	size_t sources;
	int rc;
};

static int read_source(const char *name, void *payload)
{
	struct srcname *sn = payload;
	xsm_buf run = XSM_BUF_INIT;
	int rc;

	if (!xsm_source_name_valid(name))
		return 0;
	if ((rc = xsm_records_latest(&run, sn->store, name)) < 0 || !run.size)
		goto done;
	if ((rc = xsm__graph_intern(sn->b->g, name, &sn->b->cur_src)) < 0)
		goto done;
	if (xsm__vec_push(&sn->b->srcs, sn->b->cur_src) < 0) {
		rc = xsm__error_oom(sn->b->ctx);
		goto done;
	}
	sn->b->cur_src_hash = xsm__hash(name, strlen(name));
	if ((rc = xsm__run_foreach(sn->store, name, run.ptr, 0, on_record, on_record_ahead, sn->b)) < 0)
		goto done;
	sn->sources++;
	if (xsm_buf_printf(&sn->runs, "%s{\"source\":", sn->runs.size ? "," : "") < 0 ||
	    xsm_json_quote(&sn->runs, name, strlen(name)) < 0 || xsm_buf_puts(&sn->runs, ",\"run\":") < 0 ||
	    xsm_json_quote(&sn->runs, run.ptr, run.size) < 0 || xsm_buf_putc(&sn->runs, '}') < 0)
		rc = xsm__error_oom(sn->b->ctx);
done:
	xsm_buf_dispose(&run);
	return rc;
}

int xsm__graph_build_mem(xsm_graph **out, xsm_buf *meta_out, xsm_build_stats *st, xsm_store *store)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	struct builder b;
	struct srcname sn;
	xsm_graph *g = NULL;
	uint32_t *order = NULL, *rec_node = NULL, affecting;
	struct derived *der = NULL;
	XSM__VEC(struct fref) frefs = { 0 };
	XSM__VEC(struct rref) rrefs = { 0 };
	xsm__propvec scratch = { 0 };
	xsm__strmap cvemap = { 0 };
	xsm_buf meta = XSM_BUF_INIT;
	size_t i, k, nassets = 0;
	double t0 = xsm__mono();
	int rc;

	memset(st, 0, sizeof(*st));
	memset(&b, 0, sizeof(b));
	memset(&sn, 0, sizeof(sn));
	*out = NULL;
	if ((rc = xsm__graph_new(&g, ctx)) < 0)
		return rc;
	b.g = g;
	b.ctx = ctx;
	b.now = xsm_ctx_now(ctx);
	sn.b = &b;
	sn.store = store;
	if (!(b.ks[0] = xsm__malloc(sizeof(*b.ks[0]))) || !(b.ks[1] = xsm__malloc(sizeof(*b.ks[1])))) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if ((rc = xsm__resolver_new(&b.res, ctx)) < 0)
		goto done;
	if ((rc = xsm_store_list(store, "records", read_source, &sn)) < 0)
		goto done;
	if (!sn.sources) {
		rc = xsm__error_set(ctx, XSM_ENOINPUT, "no records in the store yet; ingest some first");
		goto done;
	}
	st->sources = sn.sources;
	st->assets = b.recs.n;
	xsm__phase(ctx, &t0, "build: read records");

	order = xsm__calloc(b.recs.n + 1, sizeof(*order));
	rec_node = xsm__calloc(b.recs.n + 1, sizeof(*rec_node));
	der = xsm__calloc(b.recs.n + 1, sizeof(*der));
	if (!order || !rec_node || !der)
		goto oom;
	if ((rc = resolve_identities(&b, order)) < 0 || (rc = assemble_nodes(&b, order, rec_node, der, &nassets, st)) < 0 ||
	    (rc = not_merged_notes(&b, rec_node, nassets)) < 0)
		goto done;

	st->conflicts = b.conflicts;
	xsm__phase(ctx, &t0, "build: resolve identities");
	/* findings: Cve nodes and one affecting edge per (CVE, asset) */
	for (i = 0; i < b.finds.n; i++) {
		uint32_t rec;
		struct fref f;
		if (!rec_of(&b, b.finds.v[i].asset_sid, &rec)) {
			b.unknown++;
			continue;
		}
		f.node = rec_node[rec];
		f.cve = b.finds.v[i].cve;
		f.idx = (uint32_t)i;
		if (xsm__vec_push(&frefs, f) < 0)
			goto oom;
	}
	if (frefs.n &&
	    (rc = rank_into(g, &frefs.v[0].cve, &frefs.v[0].crank, frefs.n, sizeof(*frefs.v) / sizeof(uint32_t))) < 0)
		goto done;
	if (frefs.n > 1)
		xsm__qsort2(frefs.v, frefs.n, sizeof(*frefs.v), cmp_fref);
	/* Cve nodes first (their properties aggregate every finding of the CVE) */
	for (i = 0; i < frefs.n; i++) {
		const struct finding *f = &b.finds.v[frefs.v[i].idx];
		const char *cve = xsm__gstr(g, f->cve);
		uint64_t *slot;
		int created;
		if (xsm__strmap_slot(&cvemap, cve, strlen(cve), &slot, &created) < 0)
			goto oom;
		if (created) {
			char id[64];
			uint32_t node;
			snprintf(id, sizeof(id), "cve-%s", cve);
			if ((rc = new_node(g, id, "Cve", cve, &node)) < 0)
				goto done;
			*slot = node;
			st->cves++;
		}
	}
	{
		/* Cve node properties: max severity/cvss, any exploit or rce over all findings */
		struct cveagg { int sev; double cvss; uint8_t expl, rce; } *agg =
			xsm__calloc(g->nodes.n + 1, sizeof(*agg));
		if (!agg)
			goto oom;
		for (i = 0; i < frefs.n; i++) {
			const struct finding *f = &b.finds.v[frefs.v[i].idx];
			uint64_t v;
			const char *cve = xsm__gstr(g, f->cve);
			xsm__strmap_get(&cvemap, cve, strlen(cve), &v);
			if (f->sev > agg[v].sev)
				agg[v].sev = f->sev;
			if (f->cvss > agg[v].cvss)
				agg[v].cvss = f->cvss;
			agg[v].expl |= f->exploit;
			agg[v].rce |= f->rce;
		}
		for (i = nassets; i < g->nodes.n; i++) {
			uint32_t sid;
			scratch.n = 0;
			if ((rc = xsm__graph_intern(g, sev_name(agg[i].sev), &sid)) < 0 ||
			    (rc = add_prop(g, &scratch, "severity", pstr(sid))) < 0 ||
			    (agg[i].cvss >= 0 && (rc = add_prop(g, &scratch, "cvssScore", pnum(agg[i].cvss))) < 0) ||
			    (rc = add_prop(g, &scratch, "hasExploit", pbool(agg[i].expl))) < 0 ||
			    (rc = add_prop(g, &scratch, "vulnerableToRCE", pbool(agg[i].rce))) < 0) {
				xsm__free(agg);
				goto done;
			}
			xsm__graph_sort_props(g, scratch.v, scratch.n);
			g->nodes.v[i].props_off = (uint32_t)g->props.n;
			g->nodes.v[i].props_n = (uint32_t)scratch.n;
			if (xsm__vec_reserve(&g->props, scratch.n) < 0) {
				xsm__free(agg);
				goto oom;
			}
			xsm__memcpy(g->props.v + g->props.n, scratch.v, scratch.n * sizeof(*scratch.v));
			g->props.n += scratch.n;
			{
				uint32_t cat;
				if ((rc = xsm__graph_intern(g, "vulnerability", &cat)) < 0 || (rc = push_u32(g, cat)) < 0) {
					xsm__free(agg);
					goto done;
				}
				g->nodes.v[i].cats_off = (uint32_t)g->u32.n - 1;
				g->nodes.v[i].cats_n = 1;
			}
		}
		xsm__free(agg);
	}
	if ((rc = xsm__graph_intern(g, "affecting", &affecting)) < 0)
		goto done;
	for (i = 0; i < frefs.n; i = k) {
		uint32_t node = frefs.v[i].node, cnode, c0;
		struct derived *d = &der[node];
		int sev = 0;
		double cvss = -1;
		uint8_t expl = 0, rce = 0, pe = 0;
		int64_t first = 0, last = 0;
		uint64_t v;
		const char *cve = xsm__gstr(g, frefs.v[i].cve);
		uint32_t sevid;

		for (k = i; k < frefs.n && frefs.v[k].node == node && frefs.v[k].cve == frefs.v[i].cve; k++) {
			const struct finding *f = &b.finds.v[frefs.v[k].idx];
			if (f->sev > sev)
				sev = f->sev;
			if (f->cvss > cvss)
				cvss = f->cvss;
			expl |= f->exploit;
			rce |= f->rce;
			pe |= f->privesc;
			if (f->first && (!first || f->first < first))
				first = f->first;
			if (f->last > last)
				last = f->last;
		}
		xsm__strmap_get(&cvemap, cve, strlen(cve), &v);
		cnode = (uint32_t)v;
		/* the device's summary */
		if (!d->cves_n)
			d->cves_off = 0; /* filled below */
		if (sev >= 3)
			d->hi = 1;
		if (cvss > d->maxcvss)
			d->maxcvss = cvss;
		d->rce |= rce;
		d->pe |= pe;
		if (expl && sev >= 3)
			d->expl++;
		if (sev == 4 && first && (!d->oldest_crit || first < d->oldest_crit))
			d->oldest_crit = first;
		d->cves_n++;
		/* the edge */
		scratch.n = 0;
		c0 = (uint32_t)g->u32.n;
		for (size_t x = i; x < k; x++)
			if ((rc = push_u32(g, b.finds.v[frefs.v[x].idx].src)) < 0)
				goto done;
		g->u32.n = c0 + sort_unique(g, g->u32.v + c0, g->u32.n - c0);
		if ((rc = xsm__graph_intern(g, sev_name(sev), &sevid)) < 0 ||
		    (rc = add_prop(g, &scratch, "severity", pstr(sevid))) < 0 ||
		    (cvss >= 0 && (rc = add_prop(g, &scratch, "cvssScore", pnum(cvss))) < 0) ||
		    (rc = add_prop(g, &scratch, "exploitAvailable", pbool(expl))) < 0 ||
		    (rc = add_prop(g, &scratch, "vulnerableToRCE", pbool(rce))) < 0 ||
		    (rc = add_prop(g, &scratch, "reportInfo.reportedBy", pstrs(c0, (uint32_t)(g->u32.n - c0)))) < 0)
			goto done;
		if (first) {
			char t[21];
			uint32_t tid;
			xsm_time_format(t, first);
			if ((rc = xsm__graph_intern(g, t, &tid)) < 0 || (rc = add_prop(g, &scratch, "firstFound", pstr(tid))) < 0)
				goto done;
		}
		if ((rc = add_edge(g, affecting, cnode, node, &scratch)) < 0)
			goto done;
		st->findings++;
	}
	/* the CVE lists: frefs are sorted by node then CVE, so each node's CVEs are one run */
	for (i = 0; i < frefs.n; i++) {
		struct derived *d = &der[frefs.v[i].node];
		if (i && frefs.v[i - 1].node == frefs.v[i].node && frefs.v[i - 1].cve == frefs.v[i].cve)
			continue;
		if (!i || frefs.v[i - 1].node != frefs.v[i].node) {
			d->cves_off = (uint32_t)g->u32.n;
			d->cves_n = 0;
		}
		if ((rc = push_u32(g, frefs.v[i].cve)) < 0)
			goto done;
		d->cves_n++;
	}

	xsm__phase(ctx, &t0, "build: findings");
	/* relations */
	for (i = 0; i < b.rels.n; i++) {
		uint32_t fr, to;
		struct rref r;
		if (!rec_of(&b, b.rels.v[i].from, &fr) || !rec_of(&b, b.rels.v[i].to, &to)) {
			b.unknown++;
			continue;
		}
		r.label = b.rels.v[i].label;
		r.src = rec_node[fr];
		r.dst = rec_node[to];
		r.source = b.rels.v[i].src;
		if (r.src == r.dst)
			continue; /* a merged identity pointing at itself says nothing */
		if (xsm__vec_push(&rrefs, r) < 0)
			goto oom;
	}
	if (rrefs.n &&
	    ((rc = rank_into(g, &rrefs.v[0].label, &rrefs.v[0].lrank, rrefs.n, sizeof(*rrefs.v) / sizeof(uint32_t))) < 0 ||
	     (rc = rank_into(g, &rrefs.v[0].source, &rrefs.v[0].srank, rrefs.n, sizeof(*rrefs.v) / sizeof(uint32_t))) < 0))
		goto done;
	if (rrefs.n > 1)
		xsm__qsort2(rrefs.v, rrefs.n, sizeof(*rrefs.v), cmp_rref);
	for (i = 0; i < rrefs.n; i = k) {
		uint32_t c0 = (uint32_t)g->u32.n;
		for (k = i; k < rrefs.n && rrefs.v[k].src == rrefs.v[i].src && rrefs.v[k].dst == rrefs.v[i].dst &&
			    rrefs.v[k].label == rrefs.v[i].label;
		     k++)
			if ((rc = push_u32(g, rrefs.v[k].source)) < 0)
				goto done;
		g->u32.n = c0 + sort_unique(g, g->u32.v + c0, g->u32.n - c0);
		scratch.n = 0;
		if ((rc = add_prop(g, &scratch, "reportedBy", pstrs(c0, (uint32_t)(g->u32.n - c0)))) < 0 ||
		    (rc = add_edge(g, rrefs.v[i].label, rrefs.v[i].src, rrefs.v[i].dst, &scratch)) < 0)
			goto done;
	}
	st->unknown_refs = b.unknown;

	if ((rc = derive_relations(g, der, nassets)) < 0)
		goto done;
	xsm__phase(ctx, &t0, "build: relations");

	for (i = 0; i < nassets; i++)
		if ((rc = node_props(&b, (uint32_t)i, order, &der[i], &scratch)) < 0)
			goto done;
	xsm__phase(ctx, &t0, "build: node properties");
	if ((rc = xsm__graph_freeze(g)) < 0)
		goto done;
	xsm__phase(ctx, &t0, "build: adjacency");
	st->nodes = g->nodes.n;
	st->edges = g->edges.n;
	{
		xsm_jw w;
		char t[21];
		xsm_time_format(t, b.now);
		xsm_jw_init(&w, &meta);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.snapshot/1");
		xsm_jw_kstr(&w, "snapshot", NULL); /* filled by the writer */
		xsm_jw_kstr(&w, "created", t);
		xsm_jw_key(&w, "sources");
		if (xsm_buf_putc(&b.tmp, 0) < 0)
			goto oom;
		xsm_buf_clear(&b.tmp);
		if (xsm_buf_printf(&b.tmp, "[%s]", sn.runs.ptr ? sn.runs.ptr : "") < 0)
			goto oom;
		xsm_jw_raw(&w, b.tmp.ptr);
		xsm_jw_kint(&w, "assets", (int64_t)st->assets);
		xsm_jw_kint(&w, "nodes", (int64_t)st->nodes);
		xsm_jw_kint(&w, "edges", (int64_t)st->edges);
		xsm_jw_kint(&w, "merged", (int64_t)st->merged);
		xsm_jw_kint(&w, "conflicts", (int64_t)st->conflicts);
		xsm_jw_kint(&w, "ignored_keys", (int64_t)xsm__resolver_ignored_keys(b.res));
		xsm_jw_kint(&w, "cves", (int64_t)st->cves);
		xsm_jw_kint(&w, "findings", (int64_t)st->findings);
		xsm_jw_kint(&w, "fixed_findings", (int64_t)b.fixed);
		xsm_jw_kint(&w, "unknown_refs", (int64_t)st->unknown_refs);
		xsm_jw_obj_end(&w);
		if (w.err)
			goto oom;
	}
	*out = g;
	g = NULL;
	*meta_out = meta;
	memset(&meta, 0, sizeof(meta));
	goto done;
oom:
	rc = xsm__error_oom(ctx);
done:
	xsm_graph_free(g);
	xsm__free(order);
	xsm__free(rec_node);
	xsm__free(der);
	xsm__vec_free(&frefs);
	xsm__vec_free(&rrefs);
	xsm__vec_free(&scratch);
	xsm__strmap_free(&cvemap);
	xsm__vec_free(&b.recs);
	xsm__vec_free(&b.rprops);
	xsm__vec_free(&b.finds);
	xsm__vec_free(&b.rels);
	xsm__resolver_free(b.res);
	xsm__free(b.group);
	xsm__vec_free(&b.srcs);
	xsm__free(b.nm_off);
	xsm__free(b.nm_n);
	xsm__free(b.sid_rec.v);
	xsm__free(b.ks[0]);
	xsm__free(b.ks[1]);
	xsm_buf_dispose(&b.tmp);
	xsm_buf_dispose(&sn.runs);
	xsm_buf_dispose(&meta);
	return rc;
}
