/*
 * connect/conn.c - the connector framework: the catalog, connector files
 * (connectors/<name>.yaml), secrets by reference, and the sync that turns
 * a vendor's answers into one run of records, merging incremental syncs
 * over the previous run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt/xml.h"
#include "connect/conn.h"
#include "ctx.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/vec.h"

/* sorted by name */
static const xsm__vendor *const vendors[] = {
	&xsm__vendor_azure, &xsm__vendor_defender, &xsm__vendor_entra, &xsm__vendor_file, &xsm__vendor_prismacloud,
	&xsm__vendor_qualys,
	&xsm__vendor_rapid7, &xsm__vendor_servicenow, &xsm__vendor_tenable, &xsm__vendor_wiz,
};
#define NVENDORS (sizeof(vendors) / sizeof(vendors[0]))

/* settings every connector takes besides its own */
static const char *const common_settings[] = { "cacert", "lookback_days", NULL };

const xsm_connector_type *xsm_connector_types(size_t *n)
{
	static xsm_connector_type types[NVENDORS];
	size_t i;
	for (i = 0; i < NVENDORS; i++)
		types[i] = vendors[i]->type;
	*n = NVENDORS;
	return types;
}

static const xsm__vendor *vendor_find(const char *name)
{
	size_t i;
	for (i = 0; i < NVENDORS; i++)
		if (!strcmp(vendors[i]->type.name, name))
			return vendors[i];
	return NULL;
}

const xsm_connector_type *xsm_connector_type_find(const char *name)
{
	const xsm__vendor *v = vendor_find(name);
	return v ? &v->type : NULL;
}

static int in_list(const char *const *list, const char *s, size_t n)
{
	for (; list && *list; list++)
		if (strlen(*list) == n && !strncmp(*list, s, n))
			return 1;
	return 0;
}

/* --- connector files ---------------------------------------------------------- */

static int conf_rel(xsm_buf *out, const char *name, const char *ext)
{
	xsm_buf_clear(out);
	return xsm_buf_printf(out, "connectors/%s.%s", name, ext);
}

/* a secret file must be a regular file no one else can read */
static int check_secret_file(xsm_ctx *ctx, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return xsm__error_errno(ctx, XSM_ECONFIG, "secret file '%s'", path);
	if (!S_ISREG(sb.st_mode))
		return xsm__error_set(ctx, XSM_ECONFIG, "secret file '%s' is not a regular file", path);
	if (sb.st_mode & 077)
		return xsm__error_set(ctx, XSM_EDENIED,
				      "secret file '%s' is readable by group or others (mode %04o); chmod 600 it",
				      path, (unsigned)(sb.st_mode & 07777));
	return 0;
}

/* classify key: 0 unknown, 1 setting, 2 secret value, 3 secret reference (_env/_file) */
static int key_kind(const xsm__vendor *v, const char *key, size_t n)
{
	if (in_list(v->type.settings, key, n) || in_list(common_settings, key, n) ||
	    (n == 4 && !strncmp(key, "type", 4)))
		return 1;
	if (in_list(v->type.secrets, key, n))
		return 2;
	if (n > 4 && !strncmp(key + n - 4, "_env", 4) && in_list(v->type.secrets, key, n - 4))
		return 3;
	if (n > 5 && !strncmp(key + n - 5, "_file", 5) && in_list(v->type.secrets, key, n - 5))
		return 3;
	return 0;
}

/*
 * A URL with a user and password in it (https://user:pass@host) is
 * refused: URLs are shown and stored in clear.  The message says where
 * credentials go instead.
 */
static int url_credentials(xsm_ctx *ctx, const xsm__vendor *v, int code, const char *where, const char *key,
			   const char *url)
{
	char shown[400], secret[64], *p;
	int user = in_list(v->type.settings, "username", 8);

	/* the option's spelling: client_secret is --client-secret-env */
	snprintf(secret, sizeof(secret), "%s", v->type.secrets && v->type.secrets[0] ? v->type.secrets[0] : "password");
	for (p = secret; *p; p++)
		if (*p == '_')
			*p = '-';
	xsm__http_url_redact(shown, sizeof(shown), url, 1);
	return xsm__error_set(ctx, code,
			      "%s%s'%s' holds credentials ('%s'): give %s--%s-env VAR, --%s-file FILE or --%s-stdin; "
			      "a URL is shown and stored in clear",
			      where ? where : "", where ? ": " : "", key, shown,
			      user ? "the user with --username and the secret with " : "the secret with ", secret, secret,
			      secret);
}

/* take back the audit entry of a change that failed (its own failure is a warning: the change's error is the one) */
static void audit_undo(xsm_store *store)
{
	char msg[1024];
	int code = store->ctx->code;
	snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(store->ctx));
	if (xsm_store_audit_undo(store) < 0)
		xsm__warn(store->ctx, "cannot take back the audit entry of the failed change: %s", xsm_ctx_errmsg(store->ctx));
	xsm__error_set(store->ctx, code ? code : XSM_ERROR, "%s", msg);
}

int xsm_connector_add(xsm_store *store, const char *type, const char *name, const char *const *settings,
		      int replace)
{
	xsm_ctx *ctx = store->ctx;
	const xsm__vendor *v = vendor_find(type);
	xsm_buf rel = XSM_BUF_INIT, text = XSM_BUF_INIT, path = XSM_BUF_INIT;
	const char *const *s, *const *r;
	int rc = 0;

	if (!v)
		return xsm__error_set(ctx, XSM_EUSAGE, "unknown connector type '%s' (see 'xsm connect list')", type);
	if (!xsm_source_name_valid(name))
		return xsm__error_set(ctx, XSM_EUSAGE,
				      "invalid connector name '%s' (lower-case letters, digits, '-', '_')", name);
	if (conf_rel(&rel, name, "yaml") < 0 || xsm__store_abspath(&path, store, rel.ptr) < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if (!replace && xsm__fs_exists(path.ptr)) {
		rc = xsm__error_set(ctx, XSM_EEXISTS, "connector '%s' exists already (remove it first)", name);
		goto done;
	}
	xsm_buf_puts(&text, "# xsm connector: secrets are given by reference (_env, _file) or stored here (0600)\n");
	xsm_buf_puts(&text, "type: ");
	xsm__yaml_quote(&text, type);
	xsm_buf_putc(&text, '\n');
	for (s = settings; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		size_t n = eq ? (size_t)(eq - *s) : 0;
		int kind = eq ? key_kind(v, *s, n) : 0;
		if (!eq || !kind || (n == 4 && !strncmp(*s, "type", 4))) {
			rc = xsm__error_set(ctx, XSM_EUSAGE, "unknown setting '%.*s' for %s connectors", (int)(eq ? n : strlen(*s)),
					    *s, type);
			goto done;
		}
		if (kind == 3 && n > 5 && !strncmp(*s + n - 5, "_file", 5) && (rc = check_secret_file(ctx, eq + 1)) < 0)
			goto done;
		if (kind == 1 && xsm__http_url_has_userinfo(eq + 1)) {
			char key[64];
			snprintf(key, sizeof(key), "%.*s", (int)n, *s);
			rc = url_credentials(ctx, v, XSM_EUSAGE, NULL, key, eq + 1);
			goto done;
		}
		if (kind == 1 && (!strncmp(*s, "url=", 4) || !strncmp(*s, "authority=", 10)) &&
		    !xsm__http_url_allowed(eq + 1)) {
			char shown[400];
			xsm__http_url_redact(shown, sizeof(shown), eq + 1, 1);
			rc = xsm__error_set(ctx, XSM_EUSAGE,
					    "%.*s '%s' is not allowed: use https:// (plain http only to 127.0.0.1, ::1 or localhost)",
					    (int)n, *s, shown);
			goto done;
		}
		xsm_buf_put(&text, *s, n);
		xsm_buf_puts(&text, ": ");
		xsm__yaml_quote(&text, eq + 1);
		xsm_buf_putc(&text, '\n');
	}
	/* every required setting or secret (in one of its three forms) */
	for (r = v->type.required; r && *r; r++) {
		size_t n = strlen(*r);
		int found = 0;
		for (s = settings; s && *s && !found; s++)
			found = !strncmp(*s, *r, n) &&
				((*s)[n] == '=' || !strncmp(*s + n, "_env=", 5) || !strncmp(*s + n, "_file=", 6));
		if (!found) {
			rc = xsm__error_set(ctx, XSM_EUSAGE, "%s connectors need '%s'", type, *r);
			goto done;
		}
	}
	/* the audit entry first, the file second (the commit); a failed write takes the entry back */
	if (text.size > 0 && !text.ptr)
		rc = xsm__error_oom(ctx);
	else if ((rc = xsm_store_audit(store, replace ? "connect.replace" : "connect.add", name, type)) == 0 &&
		 (rc = xsm_store_write(store, rel.ptr, text.ptr, text.size)) < 0)
		audit_undo(store);
done:
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&path);
	/* the text may hold a secret given on stdin */
	if (text.ptr)
		memset(text.ptr, 0, text.size);
	xsm_buf_dispose(&text);
	return rc;
}

static int load_conf(xsm__ynode **out, char **path_out, xsm_store *store, const char *name)
{
	xsm_buf rel = XSM_BUF_INIT, path = XSM_BUF_INIT;
	int rc;

	*out = NULL;
	if (!xsm_source_name_valid(name))
		return xsm__error_set(store->ctx, XSM_EUSAGE, "invalid connector name '%s'", name);
	if (conf_rel(&rel, name, "yaml") < 0 || xsm__store_abspath(&path, store, rel.ptr) < 0) {
		rc = xsm__error_oom(store->ctx);
		goto done;
	}
	rc = xsm__store_yaml(out, store, rel.ptr, 0);
	if (rc == XSM_ENOTFOUND)
		rc = xsm__error_set(store->ctx, XSM_ENOTFOUND, "no connector '%s' (see 'xsm connect list')", name);
	else if (rc == 0 && (*out)->type != XSM_Y_MAP)
		rc = xsm__yaml_error(store->ctx, path.ptr, *out, "a connector file must be a map");
	if (rc == 0 && path_out)
		*path_out = xsm_buf_detach(&path);
done:
	if (rc < 0) {
		xsm__yaml_free(*out);
		*out = NULL;
	}
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&path);
	return rc;
}

/*
 * Removal: the audit entry, then (with purge) the records moved aside in
 * one rename to a name of this process's temp files, then the connector
 * file goes: the commit.  A failure before it puts all back.  After it,
 * the state file and the moved records are removed; what cannot be is
 * what the temp file sweep of the next writer removes (a warning now).
 */
int xsm_connector_remove(xsm_store *store, const char *name, int purge)
{
	xsm_buf rel = XSM_BUF_INIT, recs = XSM_BUF_INIT, aside = XSM_BUF_INIT;
	xsm__ynode *conf = NULL;
	int rc = load_conf(&conf, NULL, store, name), moved = 0;

	xsm__yaml_free(conf);
	if (rc < 0)
		return rc;
	if (conf_rel(&rel, name, "yaml") < 0 || xsm_buf_printf(&recs, "records/%s", name) < 0 ||
	    xsm_buf_printf(&aside, "%s.tmp.%ld", name, (long)getpid()) < 0) {
		rc = xsm__error_oom(store->ctx);
		goto done;
	}
	if ((rc = xsm_store_audit(store, purge ? "connect.remove.purge" : "connect.remove", name, NULL)) < 0)
		goto done;
	if (purge && (rc = xsm__store_rename(store, recs.ptr, aside.ptr)) == 0)
		moved = 1;
	if (rc == XSM_ENOTFOUND) /* no records */
		rc = 0;
	if (rc == 0)
		rc = xsm_store_remove(store, rel.ptr);
	if (rc < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(store->ctx));
		xsm_buf_clear(&rel);
		if (moved && (xsm_buf_printf(&rel, "records/%s", aside.ptr) < 0 ||
			      xsm__store_rename(store, rel.ptr, name) < 0))
			xsm__warn(store->ctx, "the records of '%s' could not be put back from records/%s", name, aside.ptr);
		audit_undo(store);
		rc = xsm__error_set(store->ctx, rc, "%s", msg);
		goto done;
	}
	if (purge) {
		/* committed: the rest is clean-up */
		xsm_buf_clear(&rel);
		if (conf_rel(&rel, name, "state") < 0 || xsm_store_remove(store, rel.ptr) < 0 ||
		    (moved && (xsm_buf_clear(&rel), xsm_buf_printf(&rel, "records/%s", aside.ptr) < 0 ||
					 xsm_store_remove(store, rel.ptr) < 0))) {
			xsm__warn(store->ctx, "connector '%s' is removed, but not all its files: %s (the next writer removes them)",
				  name, xsm_ctx_errmsg(store->ctx));
			xsm_ctx_clear(store->ctx);
		}
	}
done:
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&recs);
	xsm_buf_dispose(&aside);
	return rc;
}

int xsm_connector_each(xsm_store *store, const char *name, int (*cb)(int, const char *, const char *, void *),
		       void *payload)
{
	xsm__ynode *conf = NULL;
	const xsm__vendor *v;
	const char *type;
	size_t i;
	int rc = load_conf(&conf, NULL, store, name);

	if (rc < 0)
		return rc;
	type = xsm__yaml_getstr(conf, "type");
	v = vendor_find(type ? type : "");
	rc = cb(XSM_CONN_TYPE, "type", type ? type : "", payload);
	for (i = 0; rc == 0 && i + 1 < conf->n; i += 2) {
		const char *k = conf->items[i]->scalar, *val = conf->items[i + 1]->scalar;
		if (!k || !strcmp(k, "type"))
			continue;
		/* a stored secret value is never shown; references (_env, _file) are; nor a URL's credentials */
		if (!v || key_kind(v, k, strlen(k)) == 2) {
			rc = cb(XSM_CONN_SETTING, k, "[redacted]", payload);
		} else if (val && xsm__http_url_has_userinfo(val)) {
			char shown[1024];
			xsm__http_url_redact(shown, sizeof(shown), val, 0);
			rc = cb(XSM_CONN_SETTING, k, shown, payload);
		} else {
			rc = cb(XSM_CONN_SETTING, k, val ? val : "", payload);
		}
	}
	if (rc == 0) {
		/* what the last successful sync covered, when it said */
		xsm__state st;
		if (xsm__state_read(&st, store, name) == 0 && st.note && *st.note)
			rc = cb(XSM_CONN_COVERAGE, "coverage", st.note, payload);
		xsm__state_dispose(&st);
		xsm_ctx_clear(store->ctx);
	}
	xsm__yaml_free(conf);
	return rc;
}

struct show {
	xsm_jw *w;
	int in_settings;
};

static int show_item(int what, const char *key, const char *value, void *payload)
{
	struct show *sh = payload;
	if (what == XSM_CONN_SETTING && !sh->in_settings) {
		xsm_jw_key(sh->w, "settings");
		xsm_jw_obj(sh->w);
		sh->in_settings = 1;
	} else if (what != XSM_CONN_SETTING && sh->in_settings) {
		xsm_jw_obj_end(sh->w);
		sh->in_settings = 0;
	}
	xsm_jw_kstr(sh->w, key, value);
	return 0;
}

int xsm_connector_show(xsm_buf *json, xsm_store *store, const char *name)
{
	xsm_jw w;
	struct show sh = { &w, 0 };
	int rc;
	xsm_jw_init(&w, json);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.connect.show/1");
	xsm_jw_kstr(&w, "name", name);
	if ((rc = xsm_connector_each(store, name, show_item, &sh)) < 0)
		return rc;
	if (sh.in_settings)
		xsm_jw_obj_end(&w);
	xsm_jw_obj_end(&w);
	return w.err ? xsm__error_oom(store->ctx) : 0;
}

struct each {
	xsm_store *store;
	int (*cb)(const char *, const char *, void *);
	void *payload;
};

static int each_conf(const char *file, void *payload)
{
	struct each *e = payload;
	size_t n = strlen(file);
	char name[80];
	xsm__ynode *conf = NULL;
	int rc;

	if (n < 6 || strcmp(file + n - 5, ".yaml") || n - 5 >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(n - 5), file);
	if (!xsm_source_name_valid(name))
		return 0;
	if ((rc = load_conf(&conf, NULL, e->store, name)) < 0)
		return rc;
	rc = e->cb(name, xsm__yaml_getstr(conf, "type") ? xsm__yaml_getstr(conf, "type") : "?", e->payload);
	xsm__yaml_free(conf);
	return rc;
}

int xsm_connector_foreach(xsm_store *store, int (*cb)(const char *, const char *, void *), void *payload)
{
	struct each e = { store, cb, payload };
	return xsm_store_list(store, "connectors", each_conf, &e);
}

/* --- settings and secrets for vendors ------------------------------------------ */

const char *xsm__conn_get(const xsm__conn *c, const char *key, const char *dflt)
{
	const char *s = xsm__yaml_getstr(c->conf, key);
	return s && *s ? s : dflt;
}

int xsm__conn_getint(const xsm__conn *c, const char *key, long dflt, long min, long max, long *out)
{
	const char *s = xsm__yaml_getstr(c->conf, key);
	char *end;
	long v;

	*out = dflt;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return xsm__yaml_error(c->ctx, c->conf_path, xsm__yaml_get(c->conf, key),
				       "'%s' must be a whole number from %ld to %ld, not '%.40s'", key, min, max, s);
	*out = v;
	return 0;
}

int xsm__conn_secret(const xsm__conn *c, const char *name, xsm_buf *out)
{
	char key[64];
	const char *s;
	int rc;

	xsm_buf_clear(out);
	if ((s = xsm__yaml_getstr(c->conf, name)) && *s)
		return xsm_buf_puts(out, s) < 0 ? xsm__error_oom(c->ctx) : 0;
	snprintf(key, sizeof(key), "%s_env", name);
	if ((s = xsm__yaml_getstr(c->conf, key)) && *s) {
		const char *val = getenv(s);
		if (!val || !*val)
			return xsm__error_set(c->ctx, XSM_ECONFIG,
					      "connector '%s': environment variable %s (its %s) is not set", c->name, s,
					      name);
		return xsm_buf_puts(out, val) < 0 ? xsm__error_oom(c->ctx) : 0;
	}
	snprintf(key, sizeof(key), "%s_file", name);
	if ((s = xsm__yaml_getstr(c->conf, key)) && *s) {
		if ((rc = check_secret_file(c->ctx, s)) < 0)
			return rc;
		if ((rc = xsm__fs_read(c->ctx, s, out, 64 * 1024)) < 0)
			return rc;
		/* one line: a trailing newline is not part of the secret */
		while (out->size && (out->ptr[out->size - 1] == '\n' || out->ptr[out->size - 1] == '\r'))
			out->ptr[--out->size] = '\0';
		return 0;
	}
	return xsm__error_set(c->ctx, XSM_ECONFIG, "connector '%s' has no %s (give --%s-env, --%s-file or --%s-stdin)",
			      c->name, name, name, name, name);
}

int xsm__conn_url(const xsm__conn *c, const char *dflt, xsm_buf *out)
{
	const char *u = xsm__conn_get(c, "url", dflt);

	xsm_buf_clear(out);
	if (!u)
		return xsm__error_set(c->ctx, XSM_ECONFIG, "connector '%s' has no url", c->name);
	if (!xsm__http_url_allowed(u)) {
		char shown[400];
		xsm__http_url_redact(shown, sizeof(shown), u, 1);
		return xsm__error_set(c->ctx, XSM_ECONFIG,
				      "connector '%s': url '%s' is not allowed (https://, or http:// to loopback)",
				      c->name, shown);
	}
	if (xsm_buf_puts(out, u) < 0)
		return xsm__error_oom(c->ctx);
	while (out->size && out->ptr[out->size - 1] == '/')
		out->ptr[--out->size] = '\0';
	return 0;
}

/* --- HTTP ---------------------------------------------------------------------- */

int xsm__conn_http(xsm__conn *c, const xsm__http_req *req, xsm__http_resp *resp)
{
	int rc = xsm__http_do(c->http, req, resp);
	c->st.requests += (size_t)resp->attempts;
	return rc;
}

int xsm__conn_post_form(xsm__conn *c, const char *url, const xsm_buf *form, xsm__http_resp *resp)
{
	static const char *const hdrs[] = { "Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
					    NULL };
	xsm__http_req req = XSM__HTTP_REQ_INIT;
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.body = form->ptr;
	req.body_len = form->size;
	return xsm__conn_http(c, &req, resp);
}

void xsm__conn_wipe(xsm_buf *b)
{
	if (b->ptr)
		memset(b->ptr, 0, b->size);
	xsm_buf_dispose(b);
}

void xsm__conn_resp_wipe(xsm__http_resp *resp)
{
	if (resp->body.ptr)
		memset(resp->body.ptr, 0, resp->body.size);
	xsm__http_resp_dispose(resp);
}

int xsm__conn_status(xsm__conn *c, const xsm__http_resp *resp, const char *what, const char *detail)
{
	int code;
	const char *hint = "";

	if (resp->status >= 200 && resp->status < 300)
		return 0;
	switch (resp->status) {
	case 401:
		code = XSM_EAUTH;
		hint = " (check the username and secret)";
		break;
	case 403:
		code = XSM_EAUTH;
		hint = " (the account lacks a permission; see xsm-connect(1))";
		break;
	case 404:
		code = XSM_ENOTFOUND;
		break;
	case 409:
	case 429:
		code = XSM_ERATELIMIT;
		break;
	default:
		code = XSM_EHTTP;
	}
	return xsm__error_set(c->ctx, code, "%s: %s: HTTP %ld%s%s%s", c->name, what, resp->status,
			      detail && *detail ? ": " : "", detail ? detail : "", hint);
}

int xsm__conn_permission(xsm__conn *c, const char *perm, const char *what, int rc)
{
	xsm_permission_check p;

	if (rc < 0 && rc != XSM_EAUTH)
		return rc;
	if (rc == XSM_EAUTH) {
		size_t n = strlen(c->missing);
		snprintf(c->missing + n, sizeof(c->missing) - n, "%s%s", n ? ", " : "", perm);
		c->perm_missing++;
		xsm_ctx_clear(c->ctx);
	}
	p.permission = perm;
	p.what = what;
	p.granted = rc == 0;
	return c->perm_cb ? c->perm_cb(&p, c->perm_payload) : 0;
}

int xsm__conn_delta_drop(xsm__conn *c, const char *key)
{
	return xsm__strmap_put(&c->delta_keys, key, 1) < 0 ? xsm__error_oom(c->ctx) : 0;
}

int xsm__conn_tmpfile(xsm__conn *c, int *fd)
{
	return xsm__store_tmpfile(c->store, "tmp", fd);
}

/* --- large JSON arrays ---------------------------------------------------------- */

static int is_ws(char ch)
{
	return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
}

/*
 * A window on a download: buf[pos..have) is read and not yet used.
 * more() keeps that, reads on behind it, and grows buf (up to cap) when
 * the unused text fills it: an element is parsed where it was read.
 */
struct window {
	int fd;
	char *buf;
	size_t size, have, pos, cap;
	int eof;
};

static int more(xsm__conn *c, struct window *w, const char *what)
{
	ssize_t n;

	if (w->pos) {
		memmove(w->buf, w->buf + w->pos, w->have - w->pos);
		w->have -= w->pos;
		w->pos = 0;
	}
	if (w->have == w->size) {
		size_t size = w->size * 2 < w->cap ? w->size * 2 : w->cap;
		char *g;
		if (w->size >= w->cap)
			return xsm__error_set(c->ctx, XSM_EPROTO, "%s: an element larger than %zu bytes", what, w->cap);
		if (!(g = xsm__realloc(w->buf, size)))
			return xsm__error_oom(c->ctx);
		w->buf = g;
		w->size = size;
	}
	while ((n = read(w->fd, w->buf + w->have, w->size - w->have)) < 0)
		if (errno != EINTR)
			return xsm__error_errno(c->ctx, XSM_EIO, "%s: cannot read the download", what);
	w->have += (size_t)n;
	w->eof = n == 0;
	return 0;
}

/* the next byte that is not whitespace, read as needed; -1 at the end of the download */
static int next_byte(xsm__conn *c, struct window *w, const char *what, int *rc)
{
	for (;;) {
		while (w->pos < w->have && is_ws(w->buf[w->pos]))
			w->pos++;
		if (w->pos < w->have)
			return (unsigned char)w->buf[w->pos];
		if (w->eof || (*rc = more(c, w, what)) < 0 || w->eof)
			return -1;
	}
}

/*
 * The elements of the array at w->pos (its '['), each parsed where it lies
 * and handed to cb; w->pos ends past the ']'.
 */
static int stream_array(xsm__conn *c, struct window *w, const char *what, const char *where,
			const xsm__json_pick *pick, int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload),
			void *payload)
{
	int rc = 0, ch;

	w->pos++;
	for (;;) {
		xsm__json *j = NULL;
		size_t used;

		if ((ch = next_byte(c, w, what, &rc)) == ']') {
			w->pos++;
			return 0; /* "[]", and "[1,]" as the splitter before this let pass */
		}
		if (ch == ',' || ch < 0)
			return rc ? rc : xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? "%s: the body ends before its array does (truncated)"
									      : "%s: empty array element", what);
		/* the element where it lies, with more read behind it while it runs past the window */
		while ((rc = xsm__json_parse_pick_next(&j, c->ctx, w->buf + w->pos, w->have - w->pos, pick, where,
						       &used)) == XSM__JSON_SHORT) {
			if (w->eof)
				return xsm__error_set(c->ctx, XSM_EPROTO, "%s: the body ends before its array does (truncated)",
						      what);
			if ((rc = more(c, w, what)) < 0)
				return rc;
		}
		if (rc < 0)
			return c->ctx->code = XSM_EPROTO;
		w->pos += used;
		rc = cb(c, j, payload);
		xsm__json_free(j);
		if (rc < 0)
			return rc;
		if ((ch = next_byte(c, w, what, &rc)) == ']') {
			w->pos++;
			return 0;
		}
		if (ch != ',')
			return rc ? rc : xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? "%s: the body ends before its array does (truncated)"
									      : "%s: data after an array element", what);
		w->pos++;
	}
}

static int window_open(xsm__conn *c, struct window *w, int fd, const char *what, xsm_buf *where)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->cap = (size_t)xsm__cfg_long(c->ctx, "records.max_line", 16L << 20);
	w->size = w->cap < (1 << 18) ? w->cap : 1 << 18;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return xsm__error_errno(c->ctx, XSM_EIO, "%s: cannot read the download", what);
	if (!(w->buf = xsm__malloc(w->size)) || xsm_buf_printf(where, "%s: ", what) < 0)
		return xsm__error_oom(c->ctx);
	return 0;
}

int xsm__conn_json_array_fd(xsm__conn *c, int fd, const char *what, const xsm__json_pick *pick,
			    int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload), void *payload)
{
	struct window w;
	xsm_buf where = XSM_BUF_INIT;
	int rc, ch;

	if ((rc = window_open(c, &w, fd, what, &where)) < 0)
		goto done;
	if ((ch = next_byte(c, &w, what, &rc)) != '[') {
		if (rc == 0)
			rc = xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? "%s: the body ends before its array does (truncated)"
								     : "%s: not a JSON array", what);
		goto done;
	}
	if ((rc = stream_array(c, &w, what, where.ptr, pick, cb, payload)) < 0)
		goto done;
	if (next_byte(c, &w, what, &rc) >= 0 && rc == 0)
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: data after the array", what);
done:
	xsm__free(w.buf);
	xsm_buf_dispose(&where);
	return rc;
}

/* nothing of an object value is kept (it is still checked) */
static const xsm__json_pick keep_none[] = { { NULL, NULL } };

int xsm__conn_json_object_fd(xsm__conn *c, int fd, const char *what, const char *member, const xsm__json_pick *pick,
			     int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload), void *payload,
			     int (*on_member)(xsm__conn *c, const char *key, const xsm__json *value, void *payload))
{
	static const char cut[] = "%s: the body ends before its object does (truncated)";
	struct window w;
	xsm_buf where = XSM_BUF_INIT;
	char key[256];
	int rc, ch, seen = 0;

	if ((rc = window_open(c, &w, fd, what, &where)) < 0)
		goto done;
	if ((ch = next_byte(c, &w, what, &rc)) != '{') {
		if (rc == 0)
			rc = xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? cut : "%s: not a JSON object", what);
		goto done;
	}
	w.pos++;
	for (;;) {
		const char *q;
		xsm__json *j = NULL;
		size_t used, n;

		if ((ch = next_byte(c, &w, what, &rc)) == '}' && !seen) {
			w.pos++;
			break;
		}
		if (ch != '"') {
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? cut : "%s: not a JSON object", what);
			goto done;
		}
		/* the key: OData and ARM keys are plain; an escaped one matches nothing */
		while (!(q = memchr(w.buf + w.pos + 1, '"', w.have - w.pos - 1))) {
			if (w.eof || w.have - w.pos > sizeof(key)) {
				rc = xsm__error_set(c->ctx, XSM_EPROTO, w.eof ? cut : "%s: a key longer than %zu bytes", what,
						    sizeof(key));
				goto done;
			}
			if ((rc = more(c, &w, what)) < 0)
				goto done;
		}
		n = (size_t)(q - (w.buf + w.pos + 1));
		snprintf(key, sizeof(key), "%.*s", (int)(n < sizeof(key) ? n : sizeof(key) - 1), w.buf + w.pos + 1);
		w.pos += n + 2;
		if ((ch = next_byte(c, &w, what, &rc)) != ':') {
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? cut : "%s: no ':' after a key", what);
			goto done;
		}
		w.pos++;
		if ((ch = next_byte(c, &w, what, &rc)) < 0) {
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EPROTO, cut, what);
			goto done;
		}
		if (ch == '[' && !strcmp(key, member)) {
			if ((rc = stream_array(c, &w, what, where.ptr, pick, cb, payload)) < 0)
				goto done;
			seen |= 1;
		} else {
			while ((rc = xsm__json_parse_pick_next(&j, c->ctx, w.buf + w.pos, w.have - w.pos, keep_none,
							       where.ptr, &used)) == XSM__JSON_SHORT) {
				if (w.eof) {
					rc = xsm__error_set(c->ctx, XSM_EPROTO, cut, what);
					goto done;
				}
				if ((rc = more(c, &w, what)) < 0)
					goto done;
			}
			if (rc < 0) {
				c->ctx->code = rc = XSM_EPROTO;
				goto done;
			}
			w.pos += used;
			rc = on_member ? on_member(c, key, j, payload) : 0;
			xsm__json_free(j);
			if (rc < 0)
				goto done;
		}
		if ((ch = next_byte(c, &w, what, &rc)) == '}') {
			w.pos++;
			break;
		}
		if (ch != ',') {
			if (rc == 0)
				rc = xsm__error_set(c->ctx, XSM_EPROTO, ch < 0 ? cut : "%s: data after a member", what);
			goto done;
		}
		w.pos++;
		seen |= 2;
	}
	if (next_byte(c, &w, what, &rc) >= 0 && rc == 0)
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: data after the object", what);
	else if (rc == 0 && !(seen & 1))
		rc = xsm__error_set(c->ctx, XSM_EPROTO, "%s: no '%s' array in the answer", what, member);
done:
	xsm__free(w.buf);
	xsm_buf_dispose(&where);
	return rc;
}

/* --- records ---------------------------------------------------------------------- */

void xsm__conn_begin(xsm__conn *c, const char *type)
{
	c->rec_type = !strcmp(type, "asset") ? XSM_REC_ASSET : !strcmp(type, "finding") ? XSM_REC_FINDING
											  : XSM_REC_RELATION;
	c->rec_label = NULL;
	xsm_buf_clear(&c->rec);
	xsm_jw_init(&c->jw, &c->rec);
	xsm_jw_obj(&c->jw);
	xsm_jw_kstr(&c->jw, "type", type);
}

void xsm__conn_str_array(xsm_jw *w, const char *key, const xsm__json *arr, int kind)
{
	const xsm__json *e;
	int open = 0;
	for (e = xsm__json_child(arr); e; e = xsm__json_next(e)) {
		const char *s = xsm__json_str(e);
		char v[256];
		if (!s || !*s)
			continue;
		if (kind == 'm')
			xsm__norm_mac(v, s);
		else if ((kind == '4' && !xsm__is_ipv4(s)) || (kind == '6' && !xsm__is_ipv6(s)))
			continue;
		else
			snprintf(v, sizeof(v), "%s", s);
		if (!v[0])
			continue;
		if (!open) {
			xsm_jw_key(w, key);
			xsm_jw_arr(w);
			open = 1;
		}
		xsm_jw_str(w, v);
	}
	if (open)
		xsm_jw_arr_end(w);
}

static void one_key(xsm_jw *w, const char *key, const char *v)
{
	if (v && *v)
		xsm_jw_kstr(w, key, v);
}

static void one_in_array(xsm_jw *w, const char *key, const char *v)
{
	if (!v || !*v)
		return;
	xsm_jw_key(w, key);
	xsm_jw_arr(w);
	xsm_jw_str(w, v);
	xsm_jw_arr_end(w);
}

static void list_key(xsm_jw *w, const char *key, const char *const *v)
{
	if (!v || !*v)
		return;
	xsm_jw_key(w, key);
	xsm_jw_arr(w);
	for (; *v; v++)
		xsm_jw_str(w, *v);
	xsm_jw_arr_end(w);
}

void xsm__conn_device_begin(xsm__conn *c, const xsm__device *d)
{
	xsm_jw *w = &c->jw;
	const char *os = d->os ? d->os : "", *ip = d->ipv4 && *d->ipv4 ? d->ipv4 : d->ipv6;
	const char *name = d->name && *d->name ? d->name
			   : d->fqdn && *d->fqdn ? d->fqdn : d->hostname && *d->hostname ? d->hostname : ip;

	xsm__conn_begin(c, "asset");
	c->rec_label = "device";
	xsm_jw_kstr(w, "label", "device");
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, d->id);
	xsm_jw_kstr(w, "source_id", c->sid.ptr);
	xsm_jw_kstr(w, "name", name ? name : d->id);
	xsm_jw_key(w, "keys");
	xsm_jw_obj(w);
	one_key(w, "hostname", d->hostname);
	one_key(w, "fqdn", d->fqdn);
	one_key(w, "serial", d->serial);
	one_key(w, "cloud_id", d->cloud_id);
	one_key(w, "mde_id", d->mde_id);
	one_key(w, "azure_vm_id", d->azure_vm_id);
	one_in_array(w, "ipv4", xsm__is_ipv4(d->ipv4) ? d->ipv4 : NULL);
	one_in_array(w, "ipv6", xsm__is_ipv6(d->ipv6) ? d->ipv6 : NULL);
	one_in_array(w, "mac", d->mac);
	xsm__conn_str_array(w, "ipv4", d->ipv4s, '4');
	xsm__conn_str_array(w, "ipv6", d->ipv6s, '6');
	xsm__conn_str_array(w, "mac", d->macs, 'm');
	list_key(w, "ipv4", d->ipv4_list);
	list_key(w, "mac", d->mac_list);
	xsm_jw_obj_end(w);
	xsm_jw_key(w, "categories");
	xsm_jw_arr(w);
	xsm_jw_str(w, "device");
	xsm_jw_arr_end(w);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	one_key(w, "osType", xsm__os_type(os));
	one_key(w, "osName", os);
	one_key(w, "lastSeen", d->last_seen);
	one_key(w, "firstSeen", d->first_seen);
}

static int is_identity(const char *label)
{
	return !strcmp(label, "user") || !strcmp(label, "group") || !strcmp(label, "serviceprincipal") ||
	       !strcmp(label, "managedidentity");
}

void xsm__conn_identity_begin(xsm__conn *c, const xsm__identity *d)
{
	xsm_jw *w = &c->jw;

	xsm__conn_begin(c, "asset");
	/* the billable count wants static text: the labels it counts are */
	c->rec_label = !strcmp(d->label, "user") ? "user" : !strcmp(d->label, "serviceprincipal") ? "serviceprincipal"
		       : !strcmp(d->label, "managedidentity")			      ? "managedidentity"
		       : !strcmp(d->label, "application")				      ? "application"
		       : !strcmp(d->label, "businessapplication")			      ? "businessapplication"
											      : NULL;
	xsm_jw_kstr(w, "label", d->label);
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, d->id);
	xsm_jw_kstr(w, "source_id", c->sid.ptr);
	/* no name: another source's record of the same identity names it */
	if (d->name)
		xsm_jw_kstr(w, "name", *d->name ? d->name : d->id);
	xsm_jw_key(w, "keys");
	xsm_jw_obj(w);
	one_key(w, "aad_object_id", d->aad_object_id);
	one_key(w, "upn", d->upn);
	one_key(w, "sid", d->sid);
	one_key(w, "email", d->email);
	one_key(w, "cloud_id", d->cloud_id);
	xsm_jw_obj_end(w);
	xsm_jw_key(w, "categories");
	xsm_jw_arr(w);
	xsm_jw_str(w, d->category ? d->category : is_identity(d->label) ? "identity" : "cloud");
	xsm_jw_arr_end(w);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	one_key(w, "lastSeen", d->last_seen);
}

void xsm__conn_relation_begin(xsm__conn *c, const char *label, const char *from, const char *to)
{
	xsm_jw *w = &c->jw;

	xsm__conn_begin(c, "relation");
	xsm_jw_kstr(w, "label", label);
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, from);
	xsm_jw_kstr(w, "from", c->sid.ptr);
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, to);
	xsm_jw_kstr(w, "to", c->sid.ptr);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
}

void xsm__conn_finding_begin(xsm__conn *c, const xsm__finding *f)
{
	xsm_jw *w = &c->jw;

	xsm__conn_begin(c, "finding");
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, f->asset);
	xsm_jw_kstr(w, "asset", c->sid.ptr);
	xsm_jw_kstr(w, "cve", f->cve);
	if (f->severity)
		xsm_jw_kstr(w, "severity", f->severity);
	if (f->cvss >= 0)
		xsm_jw_knum(w, "cvss", f->cvss);
	xsm_jw_kbool(w, "exploitAvailable", f->exploit);
	xsm_jw_kbool(w, "rce", f->rce);
	if (f->privesc)
		xsm_jw_kbool(w, "privilegeEscalation", 1);
	xsm_jw_kstr(w, "status", f->status);
	one_key(w, "firstFound", f->first_found);
	one_key(w, "lastFound", f->last_found);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "reportedBy", f->reported_by);
}

int xsm__conn_props_end(xsm__conn *c)
{
	xsm_jw_obj_end(&c->jw); /* props */
	return xsm__conn_emit(c);
}

int xsm__conn_userpass(const xsm__conn *c, xsm_buf *out)
{
	const char *user = xsm__conn_get(c, "username", NULL);
	xsm_buf pw = XSM_BUF_INIT;
	int rc;

	xsm_buf_clear(out);
	if (!user)
		return xsm__error_set(c->ctx, XSM_ECONFIG, "connector '%s' has no username", c->name);
	if ((rc = xsm__conn_secret(c, "password", &pw)) < 0)
		return rc;
	rc = xsm_buf_printf(out, "%s:%s", user, pw.ptr) < 0 ? xsm__error_oom(c->ctx) : 0;
	memset(pw.ptr, 0, pw.size);
	xsm_buf_dispose(&pw);
	return rc;
}

/* the merge key of a record line: "a\t<source_id>", "f\t<asset>\t<cve>", "r\t<label>\t<from>\t<to>" */
static int record_key(xsm_buf *key, const xsm__json *rec, int type)
{
	xsm_buf_clear(key);
	if (type == XSM_REC_ASSET)
		return xsm_buf_printf(key, "a\t%s", xsm__json_getstr(rec, "source_id"));
	if (type == XSM_REC_FINDING)
		return xsm_buf_printf(key, "f\t%s\t%s", xsm__json_getstr(rec, "asset"), xsm__json_getstr(rec, "cve"));
	return xsm_buf_printf(key, "r\t%s\t%s\t%s", xsm__json_getstr(rec, "label"), xsm__json_getstr(rec, "from"),
			      xsm__json_getstr(rec, "to"));
}

static void count_billable(xsm__conn *c, const char *label)
{
	if (!label)
		return;
	if (!strcmp(label, "device"))
		c->st.devices++;
	else if (!strcmp(label, "container") || !strcmp(label, "containerimage"))
		c->st.containers++;
	else if (!strcmp(label, "user") || !strcmp(label, "serviceprincipal") || !strcmp(label, "managedidentity"))
		c->st.identities++;
	else if (!strcmp(label, "application") || !strcmp(label, "businessapplication"))
		c->st.applications++;
}

int xsm__conn_mend(xsm__conn *c, const char **line, size_t *len)
{
	size_t fixed;
	int rc = xsm__json_sanitize(&c->mended, *line, *len, &fixed);
	if (rc == XSM_ENOMEM)
		return xsm__error_oom(c->ctx);
	if (rc < 0 || !fixed)
		return 0; /* not JSON: the record check says so; or nothing to mend */
	c->mended_records++;
	c->mended_bytes += fixed;
	*line = c->mended.ptr;
	*len = c->mended.size;
	return 0;
}

int xsm__conn_emit(xsm__conn *c)
{
	char why[512];
	xsm__json *j = NULL;
	xsm_buf key = XSM_BUF_INIT;
	const char *line;
	size_t len;
	int rc;

	xsm_jw_obj_end(&c->jw);
	if (!c->rec.ptr)
		return xsm__error_oom(c->ctx);
	line = c->rec.ptr;
	len = c->rec.size;
	if ((rc = xsm__conn_mend(c, &line, &len)) < 0)
		return rc;
	if (!c->w) {
		/* no run (fuzzing, tests): the record is only checked */
		if ((rc = xsm__json_parse(&j, c->ctx, line, len, "")) == 0)
			rc = xsm__json_strict_check(line, len, why, sizeof(why)) < 0 ||
					     xsm__record_check(j, NULL, why, sizeof(why)) < 0
				     ? XSM_EINVALID
				     : 0;
		xsm__json_free(j);
		j = NULL;
	} else {
		rc = xsm__run_add(c->w, line, len, why, sizeof(why));
	}
	if (rc == XSM_EINVALID) {
		/* a connector bug or a vendor value out of range: say which record */
		return xsm__error_set(c->ctx, XSM_EPROTO, "%s: cannot normalise a record: %s: %.200s", c->name, why,
				      line);
	}
	if (rc < 0)
		return rc;
	if (c->rec_type == XSM_REC_ASSET) {
		c->st.assets++;
		count_billable(c, c->rec_label);
	} else if (c->rec_type == XSM_REC_FINDING) {
		c->st.findings++;
	} else {
		c->st.relations++;
	}
	if (c->delta) {
		if ((rc = xsm__json_parse(&j, c->ctx, line, len, "")) < 0)
			goto done;
		if (record_key(&key, j, c->rec_type) < 0 || xsm__strmap_put(&c->delta_keys, key.ptr, 1) < 0)
			rc = xsm__error_oom(c->ctx);
	}
done:
	xsm__json_free(j);
	xsm_buf_dispose(&key);
	return rc;
}

void xsm__conn_page(xsm__conn *c)
{
	xsm_sync_progress p;
	c->st.pages++;
	if (!c->opts->progress)
		return;
	p.name = c->name;
	p.requests = c->st.requests;
	p.pages = c->st.pages;
	p.assets = c->st.assets;
	p.findings = c->st.findings;
	p.relations = c->st.relations;
	p.seconds = xsm__mono() - c->t0;
	c->opts->progress(&p, c->opts->payload);
}

/* --- paging that always advances ------------------------------------------------------ */

void xsm__pager_total(xsm__pager *p, double total, long per_page)
{
	double pages;

	if (!(total >= 0) || per_page < 1)
		return;
	pages = total / (double)per_page;
	pages = pages > 1e15 ? 1e15 : pages < 1 ? 1 : pages;
	if ((double)(uint64_t)pages < pages)
		pages += 1;
	/* the most announced: a collection may grow while it is read */
	if ((uint64_t)pages > p->max_pages)
		p->max_pages = (uint64_t)pages;
}

/* remember key (a kind letter and a hash); 1 when it was there already */
static int pager_seen(xsm__pager *p, char kind, uint64_t h)
{
	char key[24];
	uint64_t *slot;
	int created;

	snprintf(key, sizeof(key), "%c%016llx", kind, (unsigned long long)h);
	if (xsm__strmap_slot(&p->seen, key, strlen(key), &slot, &created) < 0)
		return -1;
	return !created;
}

int xsm__pager_begin(xsm__pager *p, xsm__conn *c, const char *what, const char *first)
{
	memset(p, 0, sizeof(*p));
	p->c = c;
	snprintf(p->what, sizeof(p->what), "%s", what);
	if (first && *first && pager_seen(p, 'c', xsm__hash(first, strlen(first))) < 0)
		return xsm__error_oom(c->ctx);
	return 0;
}

int xsm__pager_page(xsm__pager *p, uint64_t body_hash, size_t items, const char *next)
{
	xsm__conn *c = p->c;
	int r;

	p->pages++;
	if (!p->uncounted)
		xsm__conn_page(c);
	/* a page that holds elements and repeats an earlier one: the cursor is being ignored */
	if (items && body_hash) {
		if ((r = pager_seen(p, 'b', body_hash)) < 0)
			return xsm__error_oom(c->ctx);
		if (r)
			return xsm__error_set(c->ctx, XSM_EPROTO,
					      "%s: %s: page %zu repeats an earlier page: the server does not advance, "
					      "stopped",
					      c->name, p->what, p->pages);
	}
	if (!next || !*next)
		return 0;
	if ((r = pager_seen(p, 'c', xsm__hash(next, strlen(next)))) < 0)
		return xsm__error_oom(c->ctx);
	if (r)
		return xsm__error_set(c->ctx, XSM_EPROTO,
				      "%s: %s: the server sends a next page it sent before (after page %zu): paging "
				      "loops, stopped",
				      c->name, p->what, p->pages);
	if (p->max_pages && p->pages >= p->max_pages)
		return xsm__error_set(c->ctx, XSM_EPROTO,
				      "%s: %s: the server sends more pages than the %llu it announced, stopped", c->name,
				      p->what, (unsigned long long)p->max_pages);
	return 0;
}

void xsm__pager_end(xsm__pager *p)
{
	xsm__strmap_free(&p->seen);
	memset(p, 0, sizeof(*p));
}

/* --- the merge of a delta over the previous run ----------------------------------- */

struct merge {
	xsm__conn *c;
	xsm_buf key, line;
	int rc;
};

static int carry(xsm__conn *c, xsm_buf *buf, const xsm__json *rec, int type)
{
	char why[512];
	const char *line;
	size_t len;
	int rc;

	xsm_buf_clear(buf);
	if (xsm__json_print(buf, rec) < 0)
		return xsm__error_oom(c->ctx);
	line = buf->ptr;
	len = buf->size;
	/* a run stored before records were held to UTF-8 is mended as it is carried over */
	if ((rc = xsm__conn_mend(c, &line, &len)) < 0)
		return rc;
	if ((rc = xsm__run_add(c->w, line, len, why, sizeof(why))) < 0)
		return rc == XSM_EINVALID ? xsm__error_set(c->ctx, XSM_EINVALID, "previous run: %s", why) : rc;
	if (type == XSM_REC_ASSET) {
		c->st.assets++;
		count_billable(c, xsm__json_getstr(rec, "label"));
	} else if (type == XSM_REC_FINDING) {
		c->st.findings++;
	} else {
		c->st.relations++;
	}
	return 0;
}

int xsm__conn_carry(xsm__conn *c, const xsm__json *rec, int type)
{
	xsm_buf buf = XSM_BUF_INIT;
	int rc = carry(c, &buf, rec, type);
	xsm_buf_dispose(&buf);
	return rc;
}

static int merge_one(const xsm__json *rec, int type, size_t lineno, void *payload)
{
	struct merge *m = payload;
	xsm__conn *c = m->c;
	uint64_t v;

	(void)lineno;
	if (type == XSM_REC_RELATION && c->delta_relations_whole)
		return 0;
	if (record_key(&m->key, rec, type) < 0)
		return xsm__error_oom(c->ctx);
	if (xsm__strmap_get(&c->delta_keys, m->key.ptr, m->key.size, &v))
		return 0; /* replaced by the delta */
	if (type == XSM_REC_FINDING && c->delta_assets_whole) {
		/* the delta brought this asset with all its findings */
		xsm_buf_clear(&m->key);
		if (xsm_buf_printf(&m->key, "a\t%s", xsm__json_getstr(rec, "asset")) < 0)
			return xsm__error_oom(c->ctx);
		if (xsm__strmap_get(&c->delta_keys, m->key.ptr, m->key.size, &v))
			return 0;
	}
	return carry(c, &m->line, rec, type);
}

static int merge_previous(xsm__conn *c, const char *prev_run)
{
	struct merge m = { c, XSM_BUF_INIT, XSM_BUF_INIT, 0 };
	int rc = xsm__run_foreach(c->store, c->name, prev_run, 0, merge_one, NULL, &m);
	xsm_buf_dispose(&m.key);
	xsm_buf_dispose(&m.line);
	return rc;
}

/* --- sync and test --------------------------------------------------------------- */

static void http_log(const char *line, void *payload)
{
	xsm__conn *c = payload;
	xsm__log(c->ctx, "%s: %s", c->name, line);
}

static int conn_open(xsm__conn *c, xsm_store *store, const char *name, const xsm_sync_options *opts)
{
	xsm__http_opts ho;
	const char *type;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	c->ctx = store->ctx;
	c->store = store;
	c->name = name;
	c->opts = opts;
	c->t0 = xsm__mono();
	snprintf(c->st.run, sizeof(c->st.run), "%s", "");
	if ((rc = load_conf(&c->conf, &c->conf_path, store, name)) < 0)
		return rc;
	type = xsm__yaml_getstr(c->conf, "type");
	if (!type || !(c->vendor = vendor_find(type)))
		return xsm__error_set(c->ctx, XSM_ECONFIG, "%s: unknown connector type '%s'", c->conf_path,
				      type ? type : "");
	/* a hand-edited file: every URL setting is held to what connect add allows */
	for (i = 0; i + 1 < c->conf->n; i += 2) {
		const char *k = c->conf->items[i]->scalar, *val = c->conf->items[i + 1]->scalar;
		if (k && val && key_kind(c->vendor, k, strlen(k)) == 1 && xsm__http_url_has_userinfo(val)) {
			char where[600];
			snprintf(where, sizeof(where), "%s:%zu:%zu", c->conf_path, c->conf->items[i + 1]->line,
				 c->conf->items[i + 1]->col);
			return url_credentials(c->ctx, c->vendor, XSM_ECONFIG, where, k, val);
		}
	}
	xsm__http_opts_from_config(&ho, c->ctx);
	ho.cacert = xsm__conn_get(c, "cacert", NULL);
	ho.log = c->ctx->log ? http_log : NULL; /* the HTTP layer formats its lines only when they go somewhere */
	ho.payload = c;
	return xsm__http_new(&c->http, c->ctx, &ho);
}

static void conn_close(xsm__conn *c)
{
	xsm__http_free(c->http);
	xsm__yaml_free(c->conf);
	xsm__free(c->conf_path);
	xsm_buf_dispose(&c->rec);
	xsm_buf_dispose(&c->sid);
	xsm_buf_dispose(&c->mended);
	xsm__strmap_free(&c->delta_keys);
}

int xsm_connector_test(xsm_store *store, const char *name, const xsm_sync_options *opts)
{
	xsm_sync_options dflt = XSM_SYNC_OPTIONS_INIT;
	xsm__conn c;
	int rc = conn_open(&c, store, name, opts ? opts : &dflt);
	if (rc == 0)
		rc = c.vendor->test(&c);
	conn_close(&c);
	return rc;
}

int xsm_connector_check(xsm_store *store, const char *name, const xsm_sync_options *opts,
			int (*cb)(const xsm_permission_check *p, void *payload), void *payload)
{
	xsm_sync_options dflt = XSM_SYNC_OPTIONS_INIT;
	xsm__conn c;
	int rc = conn_open(&c, store, name, opts ? opts : &dflt);

	if (rc == 0 && !c.vendor->check) {
		rc = c.vendor->test(&c);
	} else if (rc == 0) {
		c.perm_cb = cb;
		c.perm_payload = payload;
		rc = c.vendor->check(&c);
		if (rc == 0 && c.perm_missing)
			rc = xsm__error_set(c.ctx, XSM_EAUTH,
					    "%s: the application lacks %s %s; grant %s with admin consent", name,
					    c.perm_missing > 1 ? "the permissions" : "the permission", c.missing,
					    c.perm_missing > 1 ? "them" : "it");
	}
	conn_close(&c);
	return rc;
}

int xsm_connector_sync(xsm_sync_stats *stats, xsm_store *store, const char *name, const xsm_sync_options *opts)
{
	xsm_sync_options dflt = XSM_SYNC_OPTIONS_INIT;
	xsm__run_writer w;
	xsm__state prev;
	xsm__conn c;
	int rc, have_prev = 0, began = 0;

	memset(stats, 0, sizeof(*stats));
	if (!opts)
		opts = &dflt;
	if (opts->version != XSM_SYNC_OPTIONS_VERSION)
		return xsm__error_set(store->ctx, XSM_EUSAGE, "unknown xsm_sync_options version %u", opts->version);
	memset(&prev, 0, sizeof(prev));
	if ((rc = conn_open(&c, store, name, opts)) < 0)
		goto done;
	if ((rc = xsm__state_read(&prev, store, name)) == 0)
		have_prev = 1;
	else if (rc != XSM_ENOTFOUND)
		goto done;
	/* incremental only over a complete previous run that is still there */
	if (!opts->full && have_prev && prev.cursor && prev.run && prev.status && !strcmp(prev.status, "ok"))
		c.cursor = prev.cursor, c.prev_run = prev.run;
	if ((rc = xsm__run_begin(&w, store, name)) < 0)
		goto done;
	began = 1;
	c.w = &w;
	xsm__json_take_mended(); /* count this sync's from here */
	xsm__xml_take_mended();
	if ((rc = c.vendor->sync(&c)) < 0)
		goto done;
	if (c.delta && c.cursor && !c.patched && (rc = merge_previous(&c, prev.run)) < 0)
		goto done;
	w.billable[0] = c.st.devices;
	w.billable[1] = c.st.containers;
	w.billable[2] = c.st.identities;
	w.billable[3] = c.st.applications;
	w.note = c.note[0] ? c.note : NULL;
	rc = xsm__run_commit(&w, c.new_cursor[0] ? c.new_cursor : NULL);
	began = 0;
	if (rc == 0) {
		snprintf(c.st.run, sizeof(c.st.run), "%s", w.stats.run);
		c.st.incremental = (c.delta || c.patched) && c.cursor;
		c.mended_bytes += xsm__json_take_mended() + xsm__xml_take_mended();
		if (c.mended_bytes)
			xsm__warn(store->ctx,
				  "%s: the vendor sent text that is not UTF-8, NULs or repeated keys: %zu replaced by U+FFFD "
				  "or dropped (%zu record%s mended)",
				  name, c.mended_bytes, c.mended_records, c.mended_records == 1 ? "" : "s");
	}
done:
	if (began)
		xsm__run_abort(&w);
	c.st.seconds = xsm__mono() - c.t0;
	*stats = c.st;
	if (rc < 0 && c.vendor && rc != XSM_ELOCKED && rc != XSM_ENOMEM) {
		/* the previous run stays; the state says what went wrong */
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(store->ctx));
		xsm__state_fail(store, name, msg);
		xsm__error_set(store->ctx, rc, "%s", msg);
	}
	xsm__state_dispose(&prev);
	conn_close(&c);
	return rc;
}
