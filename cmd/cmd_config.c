/* cmd_config.c - xsm config show: the effective configuration and where each value comes from. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct setting {
	char *key, *value, *origin;
	int known;
};

struct settings {
	struct setting *v;
	size_t n, cap;
};

static int add(struct settings *s, const char *key, const char *value, const char *origin)
{
	struct setting *e;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct setting *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	e = &s->v[s->n];
	e->key = strdup(key);
	e->value = strdup(value);
	e->origin = strdup(origin);
	e->known = xsm_config_known(key);
	if (!e->key || !e->value || !e->origin) {
		free(e->key);
		free(e->value);
		free(e->origin);
		return -1;
	}
	s->n++;
	return 0;
}

static int add_cb(const char *key, const char *value, const char *origin, void *payload)
{
	/* the store actually used is resolved apart (store_row) */
	if (!strcmp(key, "store.path"))
		return 0;
	return add(payload, key, value, origin) < 0 ? -1 : 0;
}

static int cmp_setting(const void *a, const void *b)
{
	return strcmp(((const struct setting *)a)->key, ((const struct setting *)b)->key);
}

/*
 * store.path as xsm_store_resolve decides it: --store, $XSM_STORE, the
 * store.path setting, then the default under $XDG_DATA_HOME or $HOME.
 */
static int store_row(struct settings *s, const struct xsm_cli *cli, const xsm_config *cfg, const char *dir)
{
	const char *origin, *e = getenv("XSM_STORE"), *x = getenv("XDG_DATA_HOME");
	if (cli->store_opt && *cli->store_opt)
		origin = "command line --store";
	else if (e && *e)
		origin = "env XSM_STORE";
	else if (xsm_config_get(cfg, "store.path") && *xsm_config_get(cfg, "store.path"))
		origin = xsm_config_origin(cfg, "store.path");
	else if (x && x[0] == '/')
		origin = "default ($XDG_DATA_HOME/xsm)";
	else
		origin = "default (~/.local/share/xsm)";
	return add(s, "store.path", dir, origin);
}

static void jw_setting(xsm_jw *w, const struct setting *e)
{
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "key", e->key);
	xsm_jw_kstr(w, "value", e->value);
	xsm_jw_kstr(w, "origin", e->origin);
	xsm_jw_kbool(w, "known", e->known);
	xsm_jw_obj_end(w);
}

static int config_show(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "KEY", "VALUE", "ORIGIN" };
	const char *pos[1];
	xsm_buf dir = XSM_BUF_INIT, b = XSM_BUF_INIT;
	xsm_config *cfg = NULL;
	struct settings s = { NULL, 0, 0 };
	size_t i;
	int n, rc, code = 0;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	/* the store's config.yaml is a layer too: load again knowing where the store is */
	if ((rc = xsm_store_resolve(&dir, cli->ctx, cli->store_opt)) < 0 ||
	    (rc = xsm_config_load(&cfg, cli->ctx, cli->config_opt, dir.ptr)) < 0) {
		code = xsm_cli_fail(cli, rc);
		goto done;
	}
	if ((code = xsm_cli_apply_settings(cli->ctx, cfg)) != 0)
		goto done;
	if (xsm_config_foreach(cfg, add_cb, &s) != 0 || store_row(&s, cli, cfg, dir.ptr) < 0) {
		xsm_cli_error("out of memory");
		code = XSM_EXIT_OSERR;
		goto done;
	}
	qsort(s.v, s.n, sizeof(*s.v), cmp_setting);
	if (cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL) {
		xsm_jw w;
		xsm_jw_init(&w, &b);
		if (cli->format == XSM_FMT_JSON) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.config.show/1");
			xsm_jw_key(&w, "settings");
			xsm_jw_arr(&w);
		}
		for (i = 0; i < s.n; i++) {
			jw_setting(&w, &s.v[i]);
			xsm_cli_list_row(cli, &w, &b);
		}
		xsm_cli_list_end(cli, &w, &b);
	} else {
		struct xsm_table t;
		xsm_table_init(&t, 3, head);
		for (i = 0; i < s.n; i++) {
			xsm_buf o = XSM_BUF_INIT;
			xsm_buf_printf(&o, "%s%s", s.v[i].origin, s.v[i].known ? "" : " (unknown key: ignored)");
			xsm_table_add(&t, s.v[i].key, s.v[i].value[0] ? s.v[i].value : "\"\"", o.ptr);
			xsm_buf_dispose(&o);
		}
		xsm_table_print(&t, stdout);
		xsm_table_free(&t);
	}
done:
	for (i = 0; i < s.n; i++) {
		free(s.v[i].key);
		free(s.v[i].value);
		free(s.v[i].origin);
	}
	free(s.v);
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&dir);
	xsm_config_free(cfg);
	return code;
}

int cmd_config(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : "show";
	if (argc > 1 && (!strcmp(sub, "-h") || !strcmp(sub, "--help"))) {
		xsm_cli_print_usage(stdout, cli->cmd->usage);
		return 0;
	}
	if (argc > 1 && sub[0] == '-') /* options of the default subcommand */
		return config_show(argc, argv, cli);
	if (!strcmp(sub, "show"))
		return config_show(argc - (argc > 1), argv + (argc > 1), cli);
	return xsm_cli_usage(cli, "unknown config command '%s'", sub);
}
