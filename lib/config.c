/* config.c - layered configuration (see exposure/config.h for precedence). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapt/yaml.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/vec.h"

#ifndef XSM_DATADIR
#define XSM_DATADIR "/usr/local/share/xsm"
#endif

enum { T_STR, T_INT, T_BOOL };

/* every known key, its type, range and default */
static const struct known {
	const char *key;
	int type;
	long min, max;
	const char *dflt;
} known[] = {
	{ "access.profile", T_STR, 0, 0, "seed" },
	{ "data.dir", T_STR, 0, 0, XSM_DATADIR },
	{ "events.critical_level", T_INT, 0, 3, "1" },
	{ "events.max_per_type", T_INT, 1, 100000000, "1000" },
	{ "events.retention_days", T_INT, 1, 36500, "30" },
	{ "events.score_drop", T_INT, 0, 100, "2" },
	{ "events.stale_hours", T_INT, 1, 876000, "72" },
	{ "gc.max_bytes", T_INT, 0, 4611686018427387904L, "0" },
	{ "http.backoff_ms", T_INT, 0, 600000, "1000" },
	{ "http.connect_timeout", T_INT, 1, 3600, "15" },
	{ "http.low_speed_limit", T_INT, 0, 1073741824, "1024" },
	{ "http.low_speed_time", T_INT, 1, 86400, "60" },
	{ "http.max_body", T_INT, 1024, 4294967295L, "67108864" },
	{ "http.max_retry_time", T_INT, 0, 86400, "300" },
	{ "http.retries", T_INT, 0, 100, "5" },
	{ "http.timeout", T_INT, 0, 86400, "0" },
	{ "ingest.fail_on_shrink", T_BOOL, 0, 1, "false" },
	{ "lock.timeout", T_INT, 0, 86400, "10" },
	{ "paths.max_hops", T_INT, 1, 64, "8" },
	{ "paths.max_per_target", T_INT, 1, 100000000, "1000" },
	{ "paths.target_level", T_INT, 0, 3, "1" },
	{ "records.max_line", T_INT, 1024, 1073741824, "16777216" },
	{ "retention.days", T_INT, 0, 36500, "14" },
	{ "store.fsync", T_BOOL, 0, 1, "true" },
	{ "store.image", T_BOOL, 0, 1, "true" },
	{ "store.path", T_STR, 0, 0, NULL },
	{ "store.safe", T_STR, 0, 0, NULL },
	{ "store.socket", T_STR, 0, 0, NULL },
};

struct entry {
	char *key, *value, *origin;
};

struct xsm_config {
	XSM__VEC(struct entry) e;
};

static const struct known *find_known(const char *key)
{
	size_t i;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].key, key))
			return &known[i];
	return NULL;
}

/* a known key begins with "name." */
static int is_section(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strncmp(known[i].key, name, n) && known[i].key[n] == '.')
			return 1;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *t[] = { "true", "yes", "on", "1" }, *f[] = { "false", "no", "off", "0" };
	size_t i;
	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, t[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, f[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int parse_long(const char *v, long *out)
{
	char *end;
	errno = 0;
	*out = strtol(v, &end, 10);
	return (errno || end == v || *end) ? -1 : 0;
}

/* why value is bad for key, or NULL when fine */
static const char *check_value(const char *key, const char *value, char *why, size_t whylen)
{
	const struct known *k = find_known(key);
	long n;
	int b;
	if (!k)
		return NULL;
	if (k->type == T_INT) {
		if (parse_long(value, &n) < 0) {
			snprintf(why, whylen, "'%s' must be an integer, not '%s'", key, value);
			return why;
		}
		if (n < k->min || n > k->max) {
			snprintf(why, whylen, "'%s' must be between %ld and %ld", key, k->min, k->max);
			return why;
		}
	} else if (k->type == T_BOOL && parse_bool(value, &b) < 0) {
		snprintf(why, whylen, "'%s' must be true or false, not '%s'", key, value);
		return why;
	}
	return NULL;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

int xsm_config_set(xsm_config *cfg, const char *key, const char *value, const char *origin)
{
	struct entry *e = NULL, probe = { (char *)key, NULL, NULL };
	char *v, *o;

	if (cfg->e.n)
		e = bsearch(&probe, cfg->e.v, cfg->e.n, sizeof(*e), cmp_key);
	if (!(v = xsm__strdup(value)) || !(o = xsm__strdup(origin ? origin : "command line"))) {
		xsm__free(v);
		return XSM_ENOMEM;
	}
	if (e) {
		xsm__free(e->value);
		xsm__free(e->origin);
		e->value = v;
		e->origin = o;
		return 0;
	}
	if (!(probe.key = xsm__strdup(key)) || xsm__vec_push(&cfg->e, ((struct entry){ probe.key, v, o })) < 0) {
		xsm__free(probe.key);
		xsm__free(v);
		xsm__free(o);
		return XSM_ENOMEM;
	}
	qsort(cfg->e.v, cfg->e.n, sizeof(*cfg->e.v), cmp_key);
	return 0;
}

const char *xsm_config_get(const xsm_config *cfg, const char *key)
{
	struct entry probe = { (char *)key, NULL, NULL }, *e;
	if (!cfg || !cfg->e.n)
		return NULL;
	e = bsearch(&probe, cfg->e.v, cfg->e.n, sizeof(*e), cmp_key);
	return e ? e->value : NULL;
}

const char *xsm_config_origin(const xsm_config *cfg, const char *key)
{
	struct entry probe = { (char *)key, NULL, NULL }, *e;
	if (!cfg || !cfg->e.n)
		return NULL;
	e = bsearch(&probe, cfg->e.v, cfg->e.n, sizeof(*e), cmp_key);
	return e ? e->origin : NULL;
}

int xsm_config_known(const char *key)
{
	return key && find_known(key) != NULL;
}

int xsm_config_check(xsm_ctx *ctx, const char *key, const char *value)
{
	char why[256];
	if (!xsm_config_known(key))
		return xsm__error_set(ctx, XSM_ENOTFOUND, "unknown configuration key '%s'", key);
	if (check_value(key, value, why, sizeof(why)))
		return xsm__error_set(ctx, XSM_ECONFIG, "%s", why);
	return 0;
}

int xsm_config_get_int(long *out, const xsm_config *cfg, xsm_ctx *ctx, const char *key,
		       long min, long max)
{
	const char *v = xsm_config_get(cfg, key);
	if (!v)
		return XSM_ENOTFOUND;
	if (parse_long(v, out) < 0 || *out < min || *out > max)
		return xsm__error_set(ctx, XSM_ECONFIG, "%s: '%s' must be an integer between %ld and %ld",
				      xsm_config_origin(cfg, key), key, min, max);
	return 0;
}

int xsm_config_get_bool(int *out, const xsm_config *cfg, xsm_ctx *ctx, const char *key)
{
	const char *v = xsm_config_get(cfg, key);
	if (!v)
		return XSM_ENOTFOUND;
	if (parse_bool(v, out) < 0)
		return xsm__error_set(ctx, XSM_ECONFIG, "%s: '%s' must be true or false",
				      xsm_config_origin(cfg, key), key);
	return 0;
}

int xsm_config_foreach(const xsm_config *cfg,
		       int (*cb)(const char *, const char *, const char *, void *), void *payload)
{
	size_t i;
	int rc;
	for (i = 0; i < cfg->e.n; i++)
		if ((rc = cb(cfg->e.v[i].key, cfg->e.v[i].value, cfg->e.v[i].origin, payload)) != 0)
			return rc;
	return 0;
}

void xsm_config_free(xsm_config *cfg)
{
	size_t i;
	if (!cfg)
		return;
	for (i = 0; i < cfg->e.n; i++) {
		xsm__free(cfg->e.v[i].key);
		xsm__free(cfg->e.v[i].value);
		xsm__free(cfg->e.v[i].origin);
	}
	xsm__vec_free(&cfg->e);
	xsm__free(cfg);
}

/* flatten a YAML map into dotted keys */
static int flatten(xsm_config *cfg, xsm_ctx *ctx, const char *file, const xsm__ynode *n,
		   xsm_buf *prefix)
{
	size_t i, keep = prefix->size;
	int rc = 0;

	if (n->type != XSM_Y_MAP)
		return xsm__yaml_error(ctx, file, n, "expected a mapping of settings, not %s",
				       n->type == XSM_Y_SEQ ? "a list" : "a value");
	for (i = 0; i + 1 < n->n && rc == 0; i += 2) {
		const xsm__ynode *k = n->items[i], *v = n->items[i + 1];
		char why[256];
		if (k->type != XSM_Y_SCALAR)
			return xsm__yaml_error(ctx, file, k, "setting names must be plain words");
		prefix->size = keep;
		if ((keep && xsm_buf_putc(prefix, '.') < 0) || xsm_buf_puts(prefix, k->scalar) < 0)
			return xsm__error_oom(ctx);
		if (v->type != XSM_Y_MAP && !xsm__yaml_is_null(v) && is_section(prefix->ptr)) {
			/* lock: [1, 2] is no lock.timeout: an error, not a setting nobody reads */
			rc = xsm__yaml_error(ctx, file, v, "'%s' must be a mapping of settings (%s.*), not %s", prefix->ptr,
					     prefix->ptr, v->type == XSM_Y_SEQ ? "a list" : "a value");
		} else if (v->type != XSM_Y_SCALAR && find_known(prefix->ptr)) {
			rc = xsm__yaml_error(ctx, file, v, "'%s' must be a value, not %s", prefix->ptr,
					     v->type == XSM_Y_SEQ ? "a list" : "a mapping");
		} else if (v->type == XSM_Y_MAP) {
			rc = flatten(cfg, ctx, file, v, prefix);
		} else if (v->type == XSM_Y_SEQ) {
			xsm_buf joined = XSM_BUF_INIT;
			size_t j;
			for (j = 0; j < v->n && rc == 0; j++) {
				if (v->items[j]->type != XSM_Y_SCALAR)
					rc = xsm__yaml_error(ctx, file, v->items[j], "'%s' must be a list of words",
							     prefix->ptr);
				else if ((j && xsm_buf_putc(&joined, ',') < 0) ||
					 xsm_buf_puts(&joined, v->items[j]->scalar) < 0)
					rc = xsm__error_oom(ctx);
			}
			if (rc == 0 && xsm_config_set(cfg, prefix->ptr, joined.ptr ? joined.ptr : "", file) < 0)
				rc = xsm__error_oom(ctx);
			xsm_buf_dispose(&joined);
		} else if (check_value(prefix->ptr, v->scalar, why, sizeof(why))) {
			rc = xsm__yaml_error(ctx, file, v, "%s", why);
		} else if (xsm_config_set(cfg, prefix->ptr, v->scalar, file) < 0) {
			rc = xsm__error_oom(ctx);
		}
	}
	prefix->size = keep;
	if (prefix->ptr)
		prefix->ptr[keep] = '\0';
	return rc;
}

static int load_file(xsm_config *cfg, xsm_ctx *ctx, const char *path, int required)
{
	xsm__ynode *root = NULL;
	xsm_buf prefix = XSM_BUF_INIT;
	int rc = xsm__yaml_load_opt(&root, ctx, path);

	if (rc == 0 && !root)
		return required ? xsm__error_set(ctx, XSM_ECONFIG, "config file '%s' does not exist", path) : 0;
	if (rc == 0)
		rc = flatten(cfg, ctx, path, root, &prefix);
	xsm__yaml_free(root);
	xsm_buf_dispose(&prefix);
	return rc;
}

/* a store's config.yaml: a file in the store, so a link there is not followed (xsm-store(5), SAFETY) */
static int load_store_file(xsm_config *cfg, xsm_ctx *ctx, const char *path)
{
	xsm__ynode *root = NULL;
	xsm_buf b = XSM_BUF_INIT, prefix = XSM_BUF_INIT;
	int rc = xsm__fs_read_flags(ctx, path, &b, 16 << 20, O_NOFOLLOW | O_NONBLOCK);

	if (rc == XSM_ENOTFOUND) {
		xsm_ctx_clear(ctx);
		rc = 0;
	} else if (rc == 0 && (rc = xsm__yaml_parse(&root, ctx, b.ptr, b.size, path)) == 0) {
		rc = flatten(cfg, ctx, path, root, &prefix);
	}
	xsm__yaml_free(root);
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&prefix);
	return rc;
}

int xsm_config_load(xsm_config **out, xsm_ctx *ctx, const char *explicit_file, const char *store_dir)
{
	xsm_config *cfg = xsm__calloc(1, sizeof(*cfg));
	xsm_buf path = XSM_BUF_INIT;
	const char *s;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!cfg)
		return xsm__error_oom(ctx);
	for (i = 0; i < sizeof(known) / sizeof(known[0]) && rc == 0; i++)
		if (known[i].dflt)
			rc = xsm_config_set(cfg, known[i].key, known[i].dflt, "default");
	if (rc < 0) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	s = getenv("XSM_SYSTEM_CONFIG");
	if ((rc = load_file(cfg, ctx, s && *s ? s : "/etc/xsm/config.yaml", 0)) < 0)
		goto done;
	if (store_dir) {
		xsm_buf_clear(&path);
		if (xsm_buf_printf(&path, "%s/config.yaml", store_dir) < 0) {
			rc = xsm__error_oom(ctx);
			goto done;
		}
		if ((rc = load_store_file(cfg, ctx, path.ptr)) < 0)
			goto done;
	}
	if (!explicit_file && (s = getenv("XSM_CONFIG")) && *s)
		explicit_file = s;
	if (explicit_file) {
		rc = load_file(cfg, ctx, explicit_file, 1);
	} else {
		xsm_buf_clear(&path);
		if ((s = getenv("XDG_CONFIG_HOME")) && s[0] == '/')
			rc = xsm_buf_printf(&path, "%s/xsm/config.yaml", s);
		else if ((s = getenv("HOME")) && *s)
			rc = xsm_buf_printf(&path, "%s/.config/xsm/config.yaml", s);
		if (rc < 0)
			rc = xsm__error_oom(ctx);
		else if (path.size)
			rc = load_file(cfg, ctx, path.ptr, 0);
	}
	if (rc < 0)
		goto done;
	/* XSM_PATHS_MAX_HOPS -> paths.max_hops, for every known key */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char env[128], *p, why[256];
		snprintf(env, sizeof(env), "XSM_%s", known[i].key);
		for (p = env; *p; p++)
			*p = *p == '.' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (!(s = getenv(env)) || !strcmp(known[i].key, "store.path"))
			continue;
		if (check_value(known[i].key, s, why, sizeof(why))) {
			rc = xsm__error_set(ctx, XSM_ECONFIG, "environment %s: %s", env, why);
			goto done;
		}
		xsm_buf_clear(&path);
		if (xsm_buf_printf(&path, "env %s", env) < 0 ||
		    xsm_config_set(cfg, known[i].key, s, path.ptr) < 0) {
			rc = xsm__error_oom(ctx);
			goto done;
		}
	}
done:
	xsm_buf_dispose(&path);
	if (rc < 0)
		xsm_config_free(cfg);
	else
		*out = cfg;
	return rc;
}
