/* record.c - the record format: validation, runs, source state. */
#include "store/record.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "exposure/jsonw.h"
#include "util/lines.h"
#include "util/vec.h"

int xsm_source_name_valid(const char *name)
{
	size_t i;
	if (!name || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return 0;
	for (i = 1; name[i]; i++) {
		char c = name[i];
		if (i > 62 || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), XSM_EINVALID)

static int is_time(const char *s)
{
	int64_t t;
	return xsm_time_parse(&t, s) == 0;
}

static int mac_ok(const char *s)
{
	/* 12 hex digits, optionally separated by ':', '-' or '.' */
	int hex = 0;
	for (; *s; s++) {
		if (isxdigit((unsigned char)*s))
			hex++;
		else if (*s != ':' && *s != '-' && *s != '.')
			return 0;
	}
	return hex == 12;
}

/* a string or null member; 0 ok */
static int opt_string(const xsm__json *obj, const char *key, const char *ctxname, char *why, size_t whylen)
{
	const xsm__json *v = xsm__json_get(obj, key);
	int t = xsm__json_type(v);
	if (!v || t == XSM_J_NULL || t == XSM_J_STRING)
		return 0;
	return BAD("'%s%s' must be a string, not %s", ctxname, key, xsm__json_typename(v));
}

static int opt_bool(const xsm__json *obj, const char *key, char *why, size_t whylen)
{
	const xsm__json *v = xsm__json_get(obj, key);
	int t = xsm__json_type(v);
	if (!v || t == XSM_J_NULL || t == XSM_J_BOOL)
		return 0;
	return BAD("'%s' must be true or false, not %s", key, xsm__json_typename(v));
}

static int opt_time(const xsm__json *obj, const char *key, const char *ctxname, char *why, size_t whylen)
{
	const xsm__json *v = xsm__json_get(obj, key);
	int rc;
	if ((rc = opt_string(obj, key, ctxname, why, whylen)) < 0)
		return rc;
	if (xsm__json_str(v) && !is_time(xsm__json_str(v)))
		return BAD("'%s%s' is not an RFC 3339 time: '%.40s'", ctxname, key, xsm__json_str(v));
	return 0;
}

static int string_array(const xsm__json *v, const char *key, char *why, size_t whylen,
			int (*valid)(const char *))
{
	const xsm__json *c;
	int t = xsm__json_type(v);
	if (!v || t == XSM_J_NULL)
		return 0;
	if (t != XSM_J_ARRAY)
		return BAD("'%s' must be an array of strings, not %s", key, xsm__json_typename(v));
	for (c = xsm__json_child(v); c; c = xsm__json_next(c)) {
		if (xsm__json_type(c) != XSM_J_STRING)
			return BAD("'%s' must hold strings, not %s", key, xsm__json_typename(c));
		if (valid && !valid(xsm__json_str(c)))
			return BAD("'%s' holds an invalid value '%.60s'", key, xsm__json_str(c));
	}
	return 0;
}

static int ipv4_ok(const char *s)
{
	struct in_addr a;
	return inet_pton(AF_INET, s, &a) == 1;
}

static int ipv6_ok(const char *s)
{
	struct in6_addr a;
	return inet_pton(AF_INET6, s, &a) == 1;
}

static int check_keys(const xsm__json *keys, char *why, size_t whylen)
{
	static const char *strs[] = { "fqdn", "hostname", "serial", "cloud_id", "mde_id",
				      "upn", "email", "sid", "aad_object_id" };
	size_t i;
	int rc;
	int t = xsm__json_type(keys);

	if (!keys || t == XSM_J_NULL)
		return 0;
	if (t != XSM_J_OBJECT)
		return BAD("'keys' must be an object, not %s", xsm__json_typename(keys));
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if ((rc = opt_string(keys, strs[i], "keys.", why, whylen)) < 0)
			return rc;
	if ((rc = string_array(xsm__json_get(keys, "ipv4"), "keys.ipv4", why, whylen, ipv4_ok)) < 0 ||
	    (rc = string_array(xsm__json_get(keys, "ipv6"), "keys.ipv6", why, whylen, ipv6_ok)) < 0 ||
	    (rc = string_array(xsm__json_get(keys, "mac"), "keys.mac", why, whylen, mac_ok)) < 0)
		return rc;
	return 0;
}

static int cve_ok(const char *s)
{
	size_t n = 0;
	if (strncmp(s, "CVE-", 4) || !isdigit((unsigned char)s[4]) || !isdigit((unsigned char)s[5]) ||
	    !isdigit((unsigned char)s[6]) || !isdigit((unsigned char)s[7]) || s[8] != '-')
		return 0;
	for (s += 9; isdigit((unsigned char)*s); s++)
		n++;
	return !*s && n >= 4 && n <= 9;
}

static int one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

static int nonempty_string(const xsm__json *rec, const char *key, const char **out, char *why,
			   size_t whylen)
{
	const xsm__json *v = xsm__json_get(rec, key);
	if (!v)
		return BAD("missing '%s'", key);
	if (xsm__json_type(v) != XSM_J_STRING)
		return BAD("'%s' must be a string, not %s", key, xsm__json_typename(v));
	if (!*xsm__json_str(v))
		return BAD("'%s' is empty", key);
	if (out)
		*out = xsm__json_str(v);
	return 0;
}

int xsm__record_check(const xsm__json *rec, const char *source, char *why, size_t whylen)
{
	static const char *const severities[] = { "critical", "high", "medium", "low", "info", NULL };
	static const char *const statuses[] = { "open", "fixed", "reopened", NULL };
	const char *type, *s;
	const xsm__json *v;
	int rc;

	if (xsm__json_type(rec) != XSM_J_OBJECT)
		return BAD("a record must be a json object, not %s", xsm__json_typename(rec));
	if ((rc = nonempty_string(rec, "type", &type, why, whylen)) < 0)
		return rc;
	if (!strcmp(type, "asset")) {
		if ((rc = nonempty_string(rec, "source_id", &s, why, whylen)) < 0 ||
		    (rc = nonempty_string(rec, "label", NULL, why, whylen)) < 0 ||
		    (rc = opt_string(rec, "name", "", why, whylen)) < 0 ||
		    (rc = check_keys(xsm__json_get(rec, "keys"), why, whylen)) < 0 ||
		    (rc = string_array(xsm__json_get(rec, "categories"), "categories", why, whylen, NULL)) < 0)
			return rc;
		if (source) {
			size_t n = strlen(source);
			if (strncmp(s, source, n) || s[n] != ':' || !s[n + 1])
				return BAD("source_id '%.80s' must start with '%s:'", s, source);
		}
		v = xsm__json_get(rec, "props");
		if (v && xsm__json_type(v) != XSM_J_OBJECT && xsm__json_type(v) != XSM_J_NULL)
			return BAD("'props' must be an object, not %s", xsm__json_typename(v));
		if (v && ((rc = opt_time(v, "lastSeen", "props.", why, whylen)) < 0 ||
			  (rc = opt_time(v, "firstSeen", "props.", why, whylen)) < 0))
			return rc;
		return XSM_REC_ASSET;
	}
	if (!strcmp(type, "finding")) {
		if ((rc = nonempty_string(rec, "asset", NULL, why, whylen)) < 0 ||
		    (rc = nonempty_string(rec, "cve", &s, why, whylen)) < 0)
			return rc;
		if (!cve_ok(s))
			return BAD("'cve' is not a CVE id: '%.40s'", s);
		if ((rc = opt_string(rec, "severity", "", why, whylen)) < 0 ||
		    (rc = opt_string(rec, "status", "", why, whylen)) < 0 ||
		    (rc = opt_bool(rec, "exploitAvailable", why, whylen)) < 0 ||
		    (rc = opt_bool(rec, "rce", why, whylen)) < 0 ||
		    (rc = opt_bool(rec, "privilegeEscalation", why, whylen)) < 0 ||
		    (rc = opt_time(rec, "firstFound", "", why, whylen)) < 0 ||
		    (rc = opt_time(rec, "lastFound", "", why, whylen)) < 0)
			return rc;
		if ((s = xsm__json_getstr(rec, "severity")) && !one_of(s, severities))
			return BAD("'severity' must be critical, high, medium, low or info, not '%.20s'", s);
		if ((s = xsm__json_getstr(rec, "status")) && !one_of(s, statuses))
			return BAD("'status' must be open, fixed or reopened, not '%.20s'", s);
		if ((v = xsm__json_get(rec, "cvss")) && xsm__json_type(v) != XSM_J_NULL) {
			double d = xsm__json_num(v);
			if (xsm__json_type(v) != XSM_J_NUMBER || !(d >= 0 && d <= 10))
				return BAD("'cvss' must be a number from 0 to 10");
		}
		return XSM_REC_FINDING;
	}
	if (!strcmp(type, "relation")) {
		if ((rc = nonempty_string(rec, "label", NULL, why, whylen)) < 0 ||
		    (rc = nonempty_string(rec, "from", NULL, why, whylen)) < 0 ||
		    (rc = nonempty_string(rec, "to", NULL, why, whylen)) < 0)
			return rc;
		v = xsm__json_get(rec, "props");
		if (v && xsm__json_type(v) != XSM_J_OBJECT && xsm__json_type(v) != XSM_J_NULL)
			return BAD("'props' must be an object, not %s", xsm__json_typename(v));
		return XSM_REC_RELATION;
	}
	return BAD("unknown record type '%.40s' (asset, finding or relation)", type);
}

/* --- state ------------------------------------------------------------------ */

void xsm__state_dispose(xsm__state *st)
{
	xsm__free(st->status);
	xsm__free(st->time);
	xsm__free(st->run);
	xsm__free(st->cursor);
	xsm__free(st->error);
	xsm__free(st->synced);
	xsm__free(st->note);
	memset(st, 0, sizeof(*st));
}

static char *dup_or_null(const char *s)
{
	return s ? xsm__strdup(s) : NULL;
}

static const char *const billable_kinds[4] = { "devices", "containers", "identities", "applications" };

int xsm__state_read(xsm__state *st, xsm_store *store, const char *source)
{
	xsm_buf rel = XSM_BUF_INIT, b = XSM_BUF_INIT;
	const xsm__json *bill;
	xsm__json *j = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	if (xsm_buf_printf(&rel, "connectors/%s.state", source) < 0)
		return xsm__error_oom(store->ctx);
	if ((rc = xsm_store_read(&b, store, rel.ptr, 1 << 20)) < 0)
		goto done;
	if ((rc = xsm__json_parse(&j, store->ctx, b.ptr, b.size, rel.ptr)) < 0) {
		xsm__error_prefix(store->ctx, "corrupt state file");
		goto done;
	}
	st->status = dup_or_null(xsm__json_getstr(j, "status"));
	st->time = dup_or_null(xsm__json_getstr(j, "time"));
	st->run = dup_or_null(xsm__json_getstr(j, "run"));
	st->cursor = dup_or_null(xsm__json_getstr(j, "cursor"));
	st->error = dup_or_null(xsm__json_getstr(j, "error"));
	st->synced = dup_or_null(xsm__json_getstr(j, "synced"));
	st->note = dup_or_null(xsm__json_getstr(j, "note"));
	if ((bill = xsm__json_get(j, "billable")) != NULL) {
		size_t i;
		for (i = 0; i < 4; i++)
			st->billable[i] = (size_t)xsm__json_num(xsm__json_get(bill, billable_kinds[i]));
	}
	st->assets = (size_t)xsm__json_num(xsm__json_get(j, "assets"));
	st->findings = (size_t)xsm__json_num(xsm__json_get(j, "findings"));
	st->relations = (size_t)xsm__json_num(xsm__json_get(j, "relations"));
	st->invalid = (size_t)xsm__json_num(xsm__json_get(j, "invalid"));
done:
	xsm__json_free(j);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&b);
	return rc;
}

/* the state file's text into b and its name into rel */
static int state_text(xsm_buf *b, xsm_buf *rel, xsm_store *store, const char *source, const xsm__state *st)
{
	xsm_jw w;

	xsm_jw_init(&w, b);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.state/1");
	xsm_jw_kstr(&w, "source", source);
	xsm_jw_kstr(&w, "status", st->status);
	xsm_jw_kstr(&w, "time", st->time);
	xsm_jw_kstr(&w, "run", st->run);
	xsm_jw_kint(&w, "assets", (int64_t)st->assets);
	xsm_jw_kint(&w, "findings", (int64_t)st->findings);
	xsm_jw_kint(&w, "relations", (int64_t)st->relations);
	xsm_jw_kint(&w, "invalid", (int64_t)st->invalid);
	xsm_jw_kstr(&w, "cursor", st->cursor);
	xsm_jw_kstr(&w, "error", st->error);
	xsm_jw_kstr(&w, "synced", st->synced);
	if (st->note && *st->note)
		xsm_jw_kstr(&w, "note", st->note);
	if (st->billable[0] + st->billable[1] + st->billable[2] + st->billable[3]) {
		size_t i;
		xsm_jw_key(&w, "billable");
		xsm_jw_obj(&w);
		for (i = 0; i < 4; i++)
			xsm_jw_kint(&w, billable_kinds[i], (int64_t)st->billable[i]);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_obj_end(&w);
	if (w.err || xsm_buf_putc(b, '\n') < 0 || xsm_buf_printf(rel, "connectors/%s.state", source) < 0)
		return xsm__error_oom(store->ctx);
	return 0;
}

int xsm__state_write(xsm_store *store, const char *source, const xsm__state *st)
{
	xsm_buf rel = XSM_BUF_INIT, b = XSM_BUF_INIT;
	int rc = state_text(&b, &rel, store, source, st);
	if (rc == 0)
		rc = xsm_store_write(store, rel.ptr, b.ptr, b.size);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&b);
	return rc;
}

int xsm__state_fail(xsm_store *store, const char *source, const char *error)
{
	xsm__state st;
	char t[21];
	int rc = xsm__state_read(&st, store, source);
	if (rc < 0 && rc != XSM_ENOTFOUND)
		memset(&st, 0, sizeof(st)); /* a corrupt state file is replaced */
	xsm_time_format(t, xsm_ctx_now(store->ctx));
	xsm__free(st.status);
	xsm__free(st.time);
	xsm__free(st.error);
	st.status = xsm__strdup("error");
	st.time = xsm__strdup(t);
	st.error = xsm__strdup(error);
	rc = (!st.status || !st.time || !st.error) ? xsm__error_oom(store->ctx)
						   : xsm__state_write(store, source, &st);
	xsm__state_dispose(&st);
	return rc;
}

/* --- runs ------------------------------------------------------------------- */

struct latest {
	char best[64];
	size_t n;
};

static int pick_latest(const char *name, void *payload)
{
	struct latest *l = payload;
	size_t n = strlen(name);
	if (n < 7 || strcmp(name + n - 6, ".jsonl") || n - 6 >= sizeof(l->best))
		return 0;
	l->n++;
	if (strncmp(name, l->best, n - 6) > 0 || !l->best[0]) {
		memcpy(l->best, name, n - 6);
		l->best[n - 6] = '\0';
	}
	return 0;
}

static int latest_run(struct latest *l, xsm_store *store, const char *source)
{
	xsm_buf rel = XSM_BUF_INIT;
	int rc;
	memset(l, 0, sizeof(*l));
	if (xsm_buf_printf(&rel, "records/%s", source) < 0)
		return xsm__error_oom(store->ctx);
	rc = xsm_store_list(store, rel.ptr, pick_latest, l);
	xsm_buf_dispose(&rel);
	return rc;
}

int xsm_records_latest(xsm_buf *out, xsm_store *store, const char *source)
{
	struct latest l;
	int rc = latest_run(&l, store, source);
	if (rc == 0 && xsm_buf_set(out, l.best) < 0)
		rc = xsm__error_oom(store->ctx);
	return rc;
}

int xsm__run_begin(xsm__run_writer *w, xsm_store *store, const char *source)
{
	struct latest l;
	char stamp[21], *p, *q;
	unsigned seq = 1;
	xsm_buf rel = XSM_BUF_INIT;
	int rc;

	memset(w, 0, sizeof(*w));
	if (!xsm_source_name_valid(source))
		return xsm__error_set(store->ctx, XSM_EUSAGE,
				      "invalid source name '%s' (lower-case letters, digits, '-', '_')", source);
	if ((rc = latest_run(&l, store, source)) < 0)
		return rc;
	/* run ids sort by time: 20261124T040000Z-0001 */
	xsm_time_format(stamp, xsm_ctx_now(store->ctx));
	for (p = q = stamp; *p; p++)
		if (*p != '-' && *p != ':')
			*q++ = *p;
	*q = '\0';
	if (!strncmp(l.best, stamp, strlen(stamp)) && l.best[strlen(stamp)] == '-')
		seq = (unsigned)strtoul(l.best + strlen(stamp) + 1, NULL, 10) + 1;
	else if (strcmp(l.best, stamp) > 0)
		/* the clock went back (or XSM_NOW): keep runs ordered after the latest */
		return xsm__error_set(store->ctx, XSM_EINVALID,
				      "the clock is before the latest run '%s' of '%s'", l.best, source);
	snprintf(w->run, sizeof(w->run), "%s-%04u", stamp, seq);
	w->store = store;
	if (!(w->source = xsm__strdup(source)) ||
	    xsm_buf_printf(&rel, "records/%s/%s.jsonl", source, w->run) < 0) {
		xsm_buf_dispose(&rel);
		xsm__free(w->source);
		return xsm__error_oom(store->ctx);
	}
	rc = xsm__store_afile(&w->af, store, rel.ptr);
	xsm_buf_dispose(&rel);
	if (rc < 0)
		xsm__free(w->source);
	else
		xsm__afile_keep_cached(&w->af); /* the build that follows an ingest reads the run whole */
	return rc;
}

/*
 * The members xsm__record_check reads, and nothing else: a record is
 * checked on a tree of these (the rest of the line is checked as JSON and
 * stepped over), so a connector's props.raw, most of a vendor record's
 * text, is never built as a tree only to be freed.  Keep in step with
 * xsm__record_check; test_store compares the verdicts on both trees.
 */
static const xsm__json_pick record_props_pick[] = { { "lastSeen", NULL }, { "firstSeen", NULL }, { NULL, NULL } };
const xsm__json_pick xsm__record_pick[] = {
	{ "type", NULL },	 { "source_id", NULL },	 { "label", NULL },	   { "name", NULL },
	{ "keys", NULL },	 { "categories", NULL }, { "props", record_props_pick }, { "asset", NULL },
	{ "cve", NULL },	 { "severity", NULL },	 { "status", NULL },	   { "exploitAvailable", NULL },
	{ "rce", NULL },	 { "privilegeEscalation", NULL },		   { "firstFound", NULL },
	{ "lastFound", NULL },	 { "cvss", NULL },	 { "from", NULL },	   { "to", NULL },
	{ NULL, NULL }
};

int xsm__run_add(xsm__run_writer *w, const char *line, size_t len, char *why, size_t whylen)
{
	xsm__json *j = NULL;
	xsm_ctx *ctx = w->store->ctx;
	int type, rc = 0;

	if ((rc = xsm__json_parse_pick(&j, ctx, line, len, xsm__record_pick, "")) == XSM_ENOMEM)
		return rc; /* out of memory is not a bad record */
	if (rc < 0) {
		/* the message as the whole parse words it (the scanner may place a column differently) */
		if ((rc = xsm__json_parse(&j, ctx, line, len, "")) == XSM_ENOMEM)
			return rc;
		if (rc == 0) {
			xsm__json_free(j); /* cannot be: the two accept the same texts */
			snprintf(why, whylen, "invalid json");
		} else {
			snprintf(why, whylen, "%s", xsm_ctx_errmsg(ctx));
		}
		xsm_ctx_clear(ctx);
		w->stats.invalid++;
		return XSM_EINVALID;
	}
	/* strings a consumer can read whole: UTF-8 without NUL, each key once */
	if ((rc = xsm__json_strict_check(line, len, why, whylen)) == XSM_ENOMEM) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	type = rc < 0 ? XSM_EINVALID : xsm__record_check(j, w->source, why, whylen);
	rc = 0;
	if (type == XSM_REC_ASSET) {
		const char *sid = xsm__json_getstr(j, "source_id");
		uint64_t *slot;
		int created;
		if (xsm__strmap_slot(&w->seen, sid, strlen(sid), &slot, &created) < 0) {
			rc = xsm__error_oom(ctx);
			goto done;
		}
		if (!created) {
			snprintf(why, whylen, "duplicate source_id '%.80s' (first at record %llu)", sid,
				 (unsigned long long)*slot);
			type = XSM_EINVALID;
		} else {
			*slot = w->stats.lines + 1;
		}
	}
	w->stats.lines++;
	if (type < 0) {
		w->stats.invalid++;
		rc = XSM_EINVALID;
		goto done;
	}
	if (type == XSM_REC_ASSET)
		w->stats.assets++;
	else if (type == XSM_REC_FINDING)
		w->stats.findings++;
	else
		w->stats.relations++;
	if (xsm__afile_write(&w->af, line, len) < 0 || xsm__afile_write(&w->af, "\n", 1) < 0)
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write run '%s'", w->run);
done:
	xsm__json_free(j);
	return rc;
}

/* a run with less than half the records of the previous one: a warning, or an error when so configured */
static int check_shrink(xsm__run_writer *w)
{
	xsm_ctx *ctx = w->store->ctx;
	xsm__state prev;
	size_t before, now = w->stats.assets + w->stats.findings + w->stats.relations;
	int fail = 0;
	if (w->allow_shrink || xsm__state_read(&prev, w->store, w->source) < 0) {
		xsm_ctx_clear(ctx); /* no previous run (or an unreadable state): nothing to compare */
		return 0;
	}
	before = prev.assets + prev.findings + prev.relations;
	xsm__state_dispose(&prev);
	if (!before || now * 2 >= before)
		return 0;
	if (ctx->cfg && xsm_config_get_bool(&fail, ctx->cfg, ctx, "ingest.fail_on_shrink") == XSM_ECONFIG)
		return XSM_ECONFIG;
	if (fail)
		return xsm__error_set(ctx, XSM_EINVALID,
				      "source '%s' shrank from %zu to %zu records, more than half: nothing stored "
				      "(ingest.fail_on_shrink)",
				      w->source, before, now);
	xsm__warn(ctx, "source '%s' shrank from %zu to %zu records, more than half since its previous run", w->source,
		  before, now);
	return 0;
}

/*
 * The run and its state file are committed together.  Both are written
 * and synced first (a full disk fails here, before anything is renamed),
 * then the run is renamed into place, then the state: the commit point.
 * Should the state's rename fail, the run goes again, so a run reported
 * failed is never the one the next build reads.
 */
int xsm__run_commit(xsm__run_writer *w, const char *cursor)
{
	xsm_ctx *ctx = w->store->ctx;
	xsm_buf b = XSM_BUF_INIT, rel = XSM_BUF_INIT, run_rel = XSM_BUF_INIT;
	xsm__afile saf;
	xsm__state st;
	char t[21];
	int rc;

	memset(&saf, 0, sizeof(saf));
	if ((rc = check_shrink(w)) < 0 || (rc = xsm__afile_prepare(&w->af, ctx)) < 0)
		goto done;
	memset(&st, 0, sizeof(st));
	xsm_time_format(t, xsm_ctx_now(ctx));
	st.status = (char *)"ok";
	st.time = t;
	st.synced = t;
	memcpy(st.billable, w->billable, sizeof(st.billable));
	st.run = w->run;
	st.cursor = (char *)cursor;
	st.note = (char *)w->note;
	st.assets = w->stats.assets;
	st.findings = w->stats.findings;
	st.relations = w->stats.relations;
	st.invalid = w->stats.invalid;
	if ((rc = state_text(&b, &rel, w->store, w->source, &st)) < 0 ||
	    (rc = xsm__store_afile(&saf, w->store, rel.ptr)) < 0)
		goto done;
	if (xsm__afile_write(&saf, b.ptr, b.size) < 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", rel.ptr);
		goto done;
	}
	if ((rc = xsm__afile_prepare(&saf, ctx)) < 0)
		goto done;
	if (xsm_buf_printf(&run_rel, "records/%s/%s.jsonl", w->source, w->run) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if ((rc = xsm__afile_commit(&w->af, ctx)) < 0 || (rc = xsm__afile_commit(&saf, ctx)) < 0) {
		/* not committed: the run must not be what the next build reads */
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(ctx));
		if (xsm_store_remove(w->store, run_rel.ptr) < 0)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "; and the run could not be taken back: %s",
				 xsm_ctx_errmsg(ctx));
		rc = xsm__error_set(ctx, rc, "%s", msg);
		goto done;
	}
	memcpy(w->stats.run, w->run, sizeof(w->stats.run));
done:
	xsm__afile_abort(&saf);
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&run_rel);
	xsm__run_abort(w);
	return rc;
}

void xsm__run_abort(xsm__run_writer *w)
{
	if (w->af.tmp)
		xsm__afile_abort(&w->af);
	xsm__strmap_free(&w->seen);
	xsm__free(w->source);
	w->source = NULL;
}

/* invalid lines after which a run refused anyway is read no further */
#define REFUSED_READ_MAX 100

int xsm_records_ingest_fd(xsm_ingest_stats *stats, xsm_store *store, const char *source, int fd,
			  const char *where, const xsm_ingest_options *opts)
{
	xsm_ingest_options dflt = XSM_INGEST_OPTIONS_INIT;
	xsm__run_writer w;
	xsm__lines r;
	xsm_ctx *ctx = store->ctx;
	size_t max_line = (size_t)xsm__cfg_long(ctx, "records.max_line", 16L << 20);
	size_t first_bad = 0;
	char why[512], first_why[512] = "";
	const char *line;
	size_t len;
	int rc, n, stop = 0;

	memset(stats, 0, sizeof(*stats));
	if (!opts)
		opts = &dflt;
	if (opts->version < 1 || opts->version > XSM_INGEST_OPTIONS_VERSION)
		return xsm__error_set(ctx, XSM_EUSAGE, "unknown xsm_ingest_options version %u", opts->version);
	if ((rc = xsm__run_begin(&w, store, source)) < 0)
		return rc;
	if (xsm__lines_init(&r, fd, max_line) < 0) {
		xsm__run_abort(&w);
		return xsm__error_oom(ctx);
	}
	while ((n = xsm__lines_next(&r, &line, &len)) != 0) {
		size_t i;
		why[0] = '\0';
		if (n == XSM_EIO) {
			errno = r.err;
			rc = xsm__error_errno(ctx, XSM_EIO, "cannot read '%s'", where);
			break;
		}
		if (opts->progress && (r.lineno & 0xffff) == 0)
			opts->progress(r.lineno, 0, opts->payload);
		if (n == XSM_EINVALID && r.endless) {
			/* an over-long line skipped on, and no newline in sight: not line input at all */
			rc = xsm__error_set(ctx, XSM_EINVALID,
					    "%s:%zu: no newline in %zu bytes: not records (one JSON object a line); nothing stored",
					    where, r.lineno, r.max_skip);
			break;
		}
		if (n == XSM_EINVALID) {
			snprintf(why, sizeof(why), "line longer than %zu bytes", max_line);
			w.stats.lines++;
			w.stats.invalid++;
			/* the input may never end (/dev/zero): stop where the run is refused anyway */
			stop = !opts->skip_invalid;
		} else {
			for (i = 0; i < len && isspace((unsigned char)line[i]); i++)
				;
			if (i == len)
				continue; /* blank lines are allowed */
			rc = xsm__run_add(&w, line, len, why, sizeof(why));
			if (rc < 0 && rc != XSM_EINVALID)
				break;
			rc = 0;
			/* a refused run shows its first bad lines; reading on would only count more */
			stop = !opts->skip_invalid && w.stats.invalid >= REFUSED_READ_MAX;
		}
		if (!why[0])
			continue;
		if (!first_bad) {
			first_bad = r.lineno;
			snprintf(first_why, sizeof(first_why), "%s", why);
		}
		if (opts->on_invalid)
			opts->on_invalid(where, r.lineno, why, opts->payload);
		if (stop)
			break;
	}
	xsm__lines_free(&r);
	if (opts->progress)
		opts->progress(r.lineno, 1, opts->payload);
	*stats = w.stats;
	if (rc < 0) {
		xsm__run_abort(&w);
		return rc;
	}
	if (w.stats.invalid && !opts->skip_invalid) {
		xsm__run_abort(&w);
		stats->run[0] = '\0';
		return xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: %s (%zu invalid line%s%s; nothing stored)", where,
				      first_bad, first_why, w.stats.invalid, w.stats.invalid == 1 ? "" : "s",
				      stop ? " when reading stopped" : "");
	}
	if (!(w.stats.assets + w.stats.findings + w.stats.relations)) {
		/* an empty run would empty the source from the graph: only when asked for */
		if (opts->version < 2 || !opts->allow_empty) {
			xsm__run_abort(&w);
			stats->run[0] = '\0';
			return xsm__error_set(ctx, XSM_ENOINPUT,
					      "%s: no %srecords: an empty run would remove source '%s' from the graph; "
					      "nothing stored (--allow-empty stores it)",
					      where, w.stats.invalid ? "valid " : "", source);
		}
		w.allow_shrink = 1;
	}
	rc = xsm__run_commit(&w, NULL);
	*stats = w.stats;
	return rc;
}

/* --- reading a run ------------------------------------------------------------ */

int xsm__run_foreach(xsm_store *store, const char *source, const char *run, int validate,
		     int (*cb)(const xsm__json *, int, size_t, void *),
		     void (*ahead)(const xsm__json *, int, void *), void *payload)
{
	xsm_buf path = XSM_BUF_INIT, rel = XSM_BUF_INIT;
	xsm_ctx *ctx = store->ctx;
	xsm__lines r;
	const char *line;
	size_t len, held_line = 0;
	char why[512];
	xsm__json *held = NULL; /* the record read but not yet given to cb */
	xsm__json_scratch *scr = NULL; /* the trees' memory; NULL: malloc'd and freed one by one */
	size_t nparsed = 0;
	int fd = -1, rc = 0, n, held_type = 0;

	if (xsm_buf_printf(&rel, "records/%s/%s.jsonl", source, run) < 0 ||
	    xsm__store_abspath(&path, store, rel.ptr) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if ((fd = xsm__store_open(store, rel.ptr)) < 0) { /* no link followed */
		rc = fd == XSM_ENOTFOUND ? xsm__error_set(ctx, XSM_EIO, "cannot open '%s': it is gone", path.ptr) : fd;
		goto done;
	}
	if (xsm__lines_init(&r, fd, (size_t)xsm__cfg_long(ctx, "records.max_line", 16L << 20)) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	scr = xsm__json_scratch_new();
	while (rc == 0 && (n = xsm__lines_next(&r, &line, &len)) != 0) {
		xsm__json *j = NULL;
		int type;
		if (n < 0) {
			rc = xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: unreadable line", rel.ptr, r.lineno);
			break;
		}
		if (!len)
			continue;
		if (scr)
			xsm__json_scratch_use(scr, (int)(nparsed++ & 1)); /* the side held's tree is not in */
		rc = validate ? xsm__json_parse(&j, ctx, line, len, "") : xsm__json_parse_prechecked(&j, ctx, line, len, "");
		if (rc < 0) {
			xsm__error_prefix(ctx, "%s:%zu", rel.ptr, r.lineno);
			break;
		}
		/* runs were checked when stored; a full check again only when asked */
		if (validate) {
			type = xsm__record_check(j, source, why, sizeof(why));
		} else {
			const char *t = xsm__json_getstr(j, "type");
			type = !t ? XSM_EINVALID : !strcmp(t, "asset") ? XSM_REC_ASSET : !strcmp(t, "finding") ? XSM_REC_FINDING
			     : !strcmp(t, "relation") ? XSM_REC_RELATION : XSM_EINVALID;
			if (type == XSM_REC_ASSET && (!xsm__json_getstr(j, "source_id") || !xsm__json_getstr(j, "label")))
				type = XSM_EINVALID;
			snprintf(why, sizeof(why), "not a record this xsm stored (the store was changed by hand?)");
		}
		if (type < 0) {
			rc = xsm__error_set(ctx, XSM_EINVALID, "%s:%zu: %s", rel.ptr, r.lineno, why);
			xsm__json_free(j);
			break;
		}
		if (ahead)
			ahead(j, type, payload);
		if (held)
			rc = cb(held, held_type, held_line, payload);
		if (!scr)
			xsm__json_free(held);
		held = j;
		held_type = type;
		held_line = r.lineno;
	}
	if (rc == 0 && held)
		rc = cb(held, held_type, held_line, payload);
	if (!scr)
		xsm__json_free(held);
	xsm__json_scratch_end(scr);
	xsm__lines_free(&r);
done:
	if (fd >= 0)
		close(fd);
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&rel);
	return rc;
}

/* --- sources ------------------------------------------------------------------ */

struct names {
	XSM__VEC(char *) v;
};

static int add_name(struct names *n, const char *name)
{
	size_t i;
	char *d;
	for (i = 0; i < n->v.n; i++)
		if (!strcmp(n->v.v[i], name))
			return 0;
	if (!(d = xsm__strdup(name)) || xsm__vec_push(&n->v, d) < 0) {
		xsm__free(d);
		return XSM_ENOMEM;
	}
	return 0;
}

static int collect_record_dir(const char *name, void *payload)
{
	return xsm_source_name_valid(name) ? add_name(payload, name) : 0;
}

/* connectors/NAME.state (a sync's state) and connectors/NAME.yaml (a configured connector) */
static int collect_state(const char *name, void *payload)
{
	size_t n = strlen(name), sl;
	char buf[80];
	if (n > 6 && !strcmp(name + n - 6, ".state"))
		sl = 6;
	else if (n > 5 && !strcmp(name + n - 5, ".yaml"))
		sl = 5;
	else
		return 0;
	if (n - sl >= sizeof(buf))
		return 0;
	memcpy(buf, name, n - sl);
	buf[n - sl] = '\0';
	return xsm_source_name_valid(buf) ? add_name(payload, buf) : 0;
}

int64_t xsm__run_time(const char *run)
{
	char t[32];
	int64_t v;
	if (!run || strlen(run) < 16 || run[8] != 'T' || run[15] != 'Z')
		return -1;
	snprintf(t, sizeof(t), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", run, run + 4, run + 6, run + 9, run + 11, run + 13);
	return xsm_time_parse(&v, t) == 0 ? v : -1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int xsm_sources_foreach(xsm_store *store, int (*cb)(const xsm_source_info *, void *), void *payload)
{
	struct names names = { { 0 } };
	size_t i;
	int rc;

	if ((rc = xsm_store_list(store, "records", collect_record_dir, &names)) == 0)
		rc = xsm_store_list(store, "connectors", collect_state, &names);
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(store->ctx);
	if (rc == 0 && names.v.n)
		qsort(names.v.v, names.v.n, sizeof(char *), cmp_name);
	for (i = 0; i < names.v.n && rc == 0; i++) {
		xsm_source_info info;
		xsm__state st;
		struct latest l;
		int have;

		if ((rc = latest_run(&l, store, names.v.v[i])) < 0)
			break;
		have = xsm__state_read(&st, store, names.v.v[i]);
		if (have < 0 && have != XSM_ENOTFOUND) {
			rc = have;
			break;
		}
		xsm_ctx_clear(store->ctx);
		memset(&info, 0, sizeof(info));
		info.name = names.v.v[i];
		info.status = st.status ? st.status : (l.n ? "ok" : "never synced");
		info.last_run = l.n ? l.best : NULL;
		info.last_time = st.time;
		info.error = st.error;
		info.runs = l.n;
		info.assets = st.assets;
		info.findings = st.findings;
		info.relations = st.relations;
		info.synced = st.synced;
		info.devices = st.billable[0];
		info.containers = st.billable[1];
		info.identities = st.billable[2];
		info.applications = st.billable[3];
		{
			/* the age of the data: the latest run's time (as the events feed reads it), else the last sync */
			int64_t t = l.n ? xsm__run_time(l.best) : -1;
			char rel[128];
			if (t < 0 && (!st.synced || xsm_time_parse(&t, st.synced) < 0))
				t = -1;
			info.age_hours = t < 0 ? -1 : (long)((xsm_ctx_now(store->ctx) - t) / 3600);
			info.stale = t < 0 || info.age_hours > xsm__cfg_long(store->ctx, "events.stale_hours", 72);
			snprintf(rel, sizeof(rel), "connectors/%s.yaml", names.v.v[i]);
			{
				xsm_buf path = XSM_BUF_INIT;
				info.configured = xsm__store_abspath(&path, store, rel) == 0 && xsm__fs_exists(path.ptr);
				xsm_buf_dispose(&path);
			}
		}
		rc = cb(&info, payload);
		xsm__state_dispose(&st);
	}
	for (i = 0; i < names.v.n; i++)
		xsm__free(names.v.v[i]);
	xsm__vec_free(&names.v);
	return rc;
}
