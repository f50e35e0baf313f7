/* cmd_connect.c - xsm connect: the connector catalog and configured connectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

/* --- list -------------------------------------------------------------------- */

/* the configured connectors, read once */
#define MAXCONN 256
struct listing {
	struct xsm_cli *cli;
	xsm_jw *w;
	struct xsm_table t;
	size_t n;
	struct conn_row {
		char name[64], type[32];
	} c[MAXCONN];
};

static int collect_conn(const char *name, const char *type, void *payload)
{
	struct listing *l = payload;
	if (l->n == MAXCONN)
		return 0;
	snprintf(l->c[l->n].name, sizeof(l->c[0].name), "%s", name);
	snprintf(l->c[l->n].type, sizeof(l->c[0].type), "%s", type);
	l->n++;
	return 0;
}

static void jw_strs(xsm_jw *w, const char *key, const char *const *v)
{
	xsm_jw_key(w, key);
	xsm_jw_arr(w);
	for (; v && *v; v++)
		xsm_jw_str(w, *v);
	xsm_jw_arr_end(w);
}

static int list_source(const xsm_source_info *s, void *payload)
{
	struct listing *l = payload;
	struct conn_row *c = NULL;
	char a[32], f[32], bill[96], age[32];
	size_t k;

	/* records ingested by hand have no connector: they are not listed here */
	for (k = 0; k < l->n && !c; k++)
		if (!strcmp(l->c[k].name, s->name))
			c = &l->c[k];
	if (!c)
		return 0;
	if (l->w) {
		xsm_jw *w = l->w;
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "name", s->name);
		xsm_jw_kstr(w, "type", c->type);
		xsm_jw_kstr(w, "status", !strcmp(s->status, "ok") ? "connected" : s->status);
		xsm_jw_kstr(w, "last_sync", s->synced);
		xsm_jw_kstr(w, "last_attempt", s->last_time);
		xsm_cli_jw_age(w, s);
		xsm_jw_kstr(w, "error", s->error);
		xsm_jw_kint(w, "assets", (int64_t)s->assets);
		xsm_jw_kint(w, "findings", (int64_t)s->findings);
		xsm_cli_jw_billable(w, s->devices, s->containers, s->identities, s->applications);
		xsm_jw_obj_end(w);
		return 0;
	}
	snprintf(a, sizeof(a), "%zu", s->assets);
	snprintf(f, sizeof(f), "%zu", s->findings);
	snprintf(bill, sizeof(bill), "%zu dev, %zu ctr, %zu id, %zu app", s->devices, s->containers, s->identities,
		 s->applications);
	xsm_cli_age(age, sizeof(age), s);
	xsm_table_add(&l->t, s->name, c->type, !strcmp(s->status, "ok") ? "connected" : s->status, s->synced, age, a,
		      f, bill);
	return 0;
}

static int connect_list(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "NAME", "TYPE", "STATUS", "LAST SYNC", "AGE", "ASSETS", "FINDINGS", "BILLABLE" };
	const xsm_connector_type *types;
	struct listing l;
	const char *pos[1];
	size_t n, i;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	int k, rc;

	if ((k = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, k);
	memset(&l, 0, sizeof(l));
	l.cli = cli;
	if ((rc = xsm_connector_foreach(cli->store, collect_conn, &l)) < 0)
		return xsm_cli_fail(cli, rc);
	types = xsm_connector_types(&n);
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		l.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.connectors/1");
		xsm_jw_key(&w, "types");
		xsm_jw_arr(&w);
		for (i = 0; i < n; i++) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "type", types[i].name);
			xsm_jw_kstr(&w, "summary", types[i].summary);
			jw_strs(&w, "settings", types[i].settings);
			jw_strs(&w, "secrets", types[i].secrets);
			xsm_jw_obj_end(&w);
		}
		xsm_jw_arr_end(&w);
		xsm_jw_key(&w, "connectors");
		xsm_jw_arr(&w);
		rc = xsm_sources_foreach(cli->store, list_source, &l);
		if (rc == 0)
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		if (rc < 0) {
			xsm_buf_dispose(&b);
			return xsm_cli_fail(cli, rc);
		}
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
		return 0;
	}
	printf("catalog:\n");
	for (i = 0; i < n; i++)
		printf("  %-11s %s\n", types[i].name, types[i].summary);
	xsm_table_init(&l.t, 8, head);
	rc = xsm_sources_foreach(cli->store, list_source, &l);
	if (rc == 0)
	if (rc == 0) {
		printf("\n");
		if (l.t.rows)
			xsm_table_print(&l.t, stdout);
		else
			printf("no connectors configured: see 'xsm connect add'\n");
	}
	xsm_table_free(&l.t);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

/* --- add ----------------------------------------------------------------------- */

#define MAXSET 64
struct settings {
	const char *v[MAXSET + 1];
	char *owned[MAXSET];
	size_t n, nowned;
	int overflow;
};

static void set_add(struct settings *s, const char *kv, int own)
{
	if (s->n >= MAXSET) {
		s->overflow = 1;
		if (own)
			free((char *)kv);
		return;
	}
	s->v[s->n++] = kv;
	if (own)
		s->owned[s->nowned++] = (char *)kv;
}

static int on_set(const char *value, void *payload)
{
	if (!strchr(value, '=') || value[0] == '=')
		return 1;
	set_add(payload, value, 0);
	return 0;
}

/* the secret names of all types, as option stems: password, api-key, access-key, secret-key, ... */
#define NSECRET 8
struct secret_opts {
	char stem[NSECRET][32], key[NSECRET][32];
	char env_name[NSECRET][40], file_name[NSECRET][40], stdin_name[NSECRET][40];
	const char *env[NSECRET], *file[NSECRET];
	int from_stdin[NSECRET];
	size_t n;
};

static void secret_opts_init(struct secret_opts *so)
{
	const xsm_connector_type *types;
	size_t n, i, j, k;

	memset(so, 0, sizeof(*so));
	types = xsm_connector_types(&n);
	for (i = 0; i < n; i++)
		for (j = 0; types[i].secrets[j]; j++) {
			const char *key = types[i].secrets[j];
			int seen = 0;
			for (k = 0; k < so->n; k++)
				seen |= !strcmp(so->key[k], key);
			if (seen || so->n == NSECRET)
				continue;
			snprintf(so->key[so->n], sizeof(so->key[0]), "%s", key);
			snprintf(so->stem[so->n], sizeof(so->stem[0]), "%s", key);
			for (k = 0; so->stem[so->n][k]; k++)
				if (so->stem[so->n][k] == '_')
					so->stem[so->n][k] = '-';
			{
				char stem[32];
				memcpy(stem, so->stem[so->n], sizeof(stem));
				snprintf(so->env_name[so->n], sizeof(so->env_name[0]), "%s-env", stem);
				snprintf(so->file_name[so->n], sizeof(so->file_name[0]), "%s-file", stem);
				snprintf(so->stdin_name[so->n], sizeof(so->stdin_name[0]), "%s-stdin", stem);
			}
			so->n++;
		}
}

/* "<key><suffix>=<value>" in a new string */
static char *kvdup(const char *key, const char *suffix, const char *value)
{
	size_t n = strlen(key) + strlen(suffix) + strlen(value) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s=%s", key, suffix, value);
	return s;
}

/* one line from stdin, without its newline; NULL on EOF */
static char *read_secret_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/*
 * A source of records ingested by hand under this name, with no connector:
 * a connector of that name would take its place, so it asks for --force.
 */
static int records_source_taken(struct xsm_cli *cli, const char *name)
{
	xsm_buf run = XSM_BUF_INIT, conf = XSM_BUF_INIT;
	int taken = xsm_records_latest(&run, cli->store, name) == 0 && run.size &&
		    xsm_connector_show(&conf, cli->store, name) == XSM_ENOTFOUND;
	xsm_ctx_clear(cli->ctx);
	xsm_buf_dispose(&run);
	xsm_buf_dispose(&conf);
	if (!taken)
		return 0;
	xsm_cli_error("'%s' is a source of records ingested by hand; a connector of that name would replace them at its first sync",
		      name);
	xsm_cli_hint("give --force to do it anyway, or choose another NAME");
	return XSM_EXIT_USAGE;
}

static int connect_add(int argc, const char **argv, struct xsm_cli *cli)
{
	struct secret_opts so;
	struct settings s;
	struct xsm_opt opts[10 + 3 * NSECRET];
	const char *url = NULL, *user = NULL, *cacert = NULL, *pos[2];
	int replace = 0, force = 0, n, rc, code, nstdin = 0;
	size_t i, k = 0;
	char *kv;

	memset(&s, 0, sizeof(s));
	secret_opts_init(&so);
	opts[k++] = (struct xsm_opt){ "url", 0, XSM_OPT_STR, &url, NULL };
	opts[k++] = (struct xsm_opt){ "username", 0, XSM_OPT_STR, &user, NULL };
	opts[k++] = (struct xsm_opt){ "cacert", 0, XSM_OPT_STR, &cacert, NULL };
	opts[k++] = (struct xsm_opt){ "set", 0, XSM_OPT_CALL, &s, on_set };
	opts[k++] = (struct xsm_opt){ "replace", 0, XSM_OPT_FLAG, &replace, NULL };
	opts[k++] = (struct xsm_opt){ "force", 0, XSM_OPT_FLAG, &force, NULL };
	for (i = 0; i < so.n; i++) {
		opts[k++] = (struct xsm_opt){ so.env_name[i], 0, XSM_OPT_STR, &so.env[i], NULL };
		opts[k++] = (struct xsm_opt){ so.file_name[i], 0, XSM_OPT_STR, &so.file[i], NULL };
		opts[k++] = (struct xsm_opt){ so.stdin_name[i], 0, XSM_OPT_FLAG, &so.from_stdin[i], NULL };
	}
	opts[k] = (struct xsm_opt){ NULL, 0, 0, NULL, NULL };
	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 2)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 2)
		return xsm_cli_usage(cli, "give a TYPE and a NAME (types: see 'xsm connect list')");
	if (!xsm_connector_type_find(pos[0]))
		return xsm_cli_usage(cli, "unknown connector type '%s' (see 'xsm connect list')", pos[0]);
	if (url && (kv = kvdup("url", "", url)))
		set_add(&s, kv, 1);
	if (user && (kv = kvdup("username", "", user)))
		set_add(&s, kv, 1);
	if (cacert && (kv = kvdup("cacert", "", cacert)))
		set_add(&s, kv, 1);
	for (i = 0; i < so.n; i++) {
		int given = !!so.env[i] + !!so.file[i] + !!so.from_stdin[i];
		if (given > 1)
			return xsm_cli_usage(cli, "give the %s once: --%s, --%s or --%s", so.key[i], so.env_name[i],
					     so.file_name[i], so.stdin_name[i]);
		nstdin += so.from_stdin[i];
	}
	if (nstdin > 1)
		return xsm_cli_usage(cli, "only one secret can come from standard input");
	for (i = 0; i < so.n; i++) {
		if (so.env[i] && (kv = kvdup(so.key[i], "_env", so.env[i])))
			set_add(&s, kv, 1);
		if (so.file[i] && (kv = kvdup(so.key[i], "_file", so.file[i])))
			set_add(&s, kv, 1);
		if (so.from_stdin[i]) {
			char *line;
			if (isatty(STDIN_FILENO))
				fprintf(stderr, "%s: ", so.key[i]);
			if (!(line = read_secret_line()) || !*line) {
				free(line);
				xsm_cli_error("no %s on standard input", so.key[i]);
				return XSM_EXIT_NOINPUT;
			}
			if ((kv = kvdup(so.key[i], "", line)))
				set_add(&s, kv, 1);
			memset(line, 0, strlen(line));
			free(line);
		}
	}
	if (s.overflow)
		return xsm_cli_usage(cli, "too many settings");
	s.v[s.n] = NULL;
	if ((code = xsm_cli_lock(cli)) != 0)
		rc = 0;
	else if (!force && (code = records_source_taken(cli, pos[1])) != 0)
		rc = 0;
	else
		rc = xsm_connector_add(cli->store, pos[0], pos[1], s.v, replace);
	for (i = 0; i < s.nowned; i++) {
		memset(s.owned[i], 0, strlen(s.owned[i]));
		free(s.owned[i]);
	}
	if (code)
		return code;
	if (rc < 0)
		return xsm_cli_fail(cli, rc);
	if (!cli->quiet)
		printf("connector '%s' (%s) added; 'xsm connect test %s' checks it, 'xsm ingest %s' syncs it\n", pos[1],
		       pos[0], pos[1], pos[1]);
	return 0;
}

/* --- show, test, remove ---------------------------------------------------------- */

static int show_row(int what, const char *key, const char *value, void *payload)
{
	(void)what;
	xsm_table_add(payload, key, value);
	return 0;
}

static int connect_show(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_buf b = XSM_BUF_INIT;
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which connector? give its NAME");
	if (!machine(cli)) {
		struct xsm_table t;
		static const char *head[] = { "SETTING", "VALUE" };
		xsm_table_init(&t, 2, head);
		if ((rc = xsm_connector_each(cli->store, pos[0], show_row, &t)) == 0) {
			printf("%s\n\n", pos[0]);
			xsm_table_print(&t, stdout);
		}
		xsm_table_free(&t);
		return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
	}
	if ((rc = xsm_connector_show(&b, cli->store, pos[0])) < 0) {
		xsm_buf_dispose(&b);
		return xsm_cli_fail(cli, rc);
	}
	xsm_cli_emit(&b);
	xsm_buf_dispose(&b);
	return 0;
}

/* one line per permission checked: granted or missing */
static int print_permission(const xsm_permission_check *p, void *payload)
{
	struct xsm_cli *cli = payload;
	if (machine(cli)) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "permission", p->permission);
		xsm_jw_kstr(&w, "what", p->what);
		xsm_jw_kstr(&w, "status", p->granted ? "granted" : "missing");
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else if (!cli->quiet || !p->granted) {
		printf("  %-8s %-28s %s\n", p->granted ? "granted" : "MISSING", p->permission, p->what);
	}
	fflush(stdout);
	return 0;
}

static int connect_test(int argc, const char **argv, struct xsm_cli *cli)
{
	xsm_sync_options so = XSM_SYNC_OPTIONS_INIT;
	const char *pos[1];
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which connector? give its NAME");
	if ((rc = xsm_connector_check(cli->store, pos[0], &so, print_permission, cli)) < 0) {
		int code = xsm_cli_fail(cli, rc);
		if (rc == XSM_EAUTH)
			xsm_cli_hint("the vendor refused the credentials or lacks a permission; 'man xsm-connect' lists "
				     "what each account needs");
		else if (rc == XSM_ENET)
			xsm_cli_hint("check the url, DNS, the proxy (HTTPS_PROXY, NO_PROXY) and --set cacert=FILE");
		return code;
	}
	if (!cli->quiet && !machine(cli))
		printf("%s: ok\n", pos[0]);
	return 0;
}

static int connect_remove(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	int purge = 0, n, rc, code;
	struct xsm_opt opts[] = {
		{ "purge", 0, XSM_OPT_FLAG, &purge, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "which connector? give its NAME");
	if ((code = xsm_cli_lock(cli)) != 0)
		return code;
	if ((rc = xsm_connector_remove(cli->store, pos[0], purge)) < 0)
		return xsm_cli_fail(cli, rc);
	if (!cli->quiet)
		printf("connector '%s' removed%s\n", pos[0],
		       purge ? " with its records; the next build drops its assets" : "; its records stay");
	if (purge)
		xsm_cli_build_after(cli, "the connector is removed");
	return 0;
}

int cmd_connect(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	if (argc > 1 && (!strcmp(sub, "-h") || !strcmp(sub, "--help"))) {
		xsm_cli_print_usage(stdout, cli->cmd->usage);
		return 0;
	}
	if (argc > 1 && sub[0] == '-')
		return connect_list(argc, argv, cli);
	if (!strcmp(sub, "list"))
		return connect_list(argc - (argc > 1), argv + (argc > 1), cli);
	if (!strcmp(sub, "add"))
		return connect_add(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "show"))
		return connect_show(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "test"))
		return connect_test(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "remove"))
		return connect_remove(argc - 1, argv + 1, cli);
	return xsm_cli_usage(cli, "unknown connect command '%s'", sub);
}
