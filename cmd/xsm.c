/* xsm.c - the command table and the setup every command shares. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define GLOBAL_USAGE "xsm [--store DIR] [--config FILE] [-c KEY=VALUE] [--format=table|json|jsonl] [-q] [-v] COMMAND [ARGS]"

static const struct xsm_command commands[] = {
	{ "access", cmd_access, XSM_NEED_STORE, "roles on a shared store: grant, revoke, list, whoami",
	  "xsm access grant USER|@GROUP ROLE [--scope EXPR|tag:NAME]\n"
	  "xsm access revoke USER|@GROUP [ROLE]\n"
	  "xsm access list [--roles]\n"
	  "xsm access whoami" },
	{ "audit", cmd_audit, XSM_NEED_STORE, "who changed what: the store's audit log",
	  "xsm audit [--since TIME|AGE] [--user USER] [--action ACTION] [--limit N]" },
	{ "config", cmd_config, 0, "show the effective configuration and where each value comes from",
	  "xsm config [show]" },
	{ "connect", cmd_connect, XSM_NEED_STORE | XSM_CREATE_STORE, "configure, list and test vendor connectors",
	  "xsm connect list\n"
	  "xsm connect add TYPE NAME [--url URL] [--username USER] [--cacert FILE] [--SECRET-env VAR|--SECRET-file FILE|--SECRET-stdin] [--set KEY=VALUE] [--replace] [--force]\n"
	  "xsm connect show NAME\n"
	  "xsm connect test NAME\n"
	  "xsm connect remove NAME [--purge]" },
	{ "critical", cmd_critical, XSM_NEED_STORE, "critical assets, classifications, rules and manual levels",
	  "xsm critical list [--level N] [--label L]\n"
	  "xsm critical classifications\n"
	  "xsm critical rule list\n"
	  "xsm critical rule add NAME --asset device|identity|cloud --level N --when EXPR [--description T]\n"
	  "xsm critical rule preview --when EXPR [--asset device|identity|cloud]\n"
	  "xsm critical rule edit NAME [--asset A] [--level N] [--when EXPR] [--description T]\n"
	  "xsm critical rule remove NAME\n"
	  "xsm critical rule enable|disable NAME\n"
	  "xsm critical rule level NAME N\n"
	  "xsm critical set NODE LEVEL\n"
	  "xsm critical unset NODE" },
	{ "events", cmd_events, XSM_NEED_STORE, "the exposure events feed: score drops, new critical assets and paths, stale data",
	  "xsm events [--since TIME|AGE] [--type TYPE] [--limit N]" },
	{ "gc", cmd_gc, XSM_NEED_STORE | XSM_WRITE_LOCK, "drop old record runs, snapshots and events",
	  "xsm gc [-n|--dry-run]" },
	{ "graph", cmd_graph, XSM_NEED_STORE, "build, query, export and compare the exposure graph",
	  "xsm graph build\n"
	  "xsm graph stats\n"
	  "xsm graph nodes [--label L] [--where EXPR] [--limit N]\n"
	  "xsm graph edges [--label L] [--where EXPR] [--limit N]\n"
	  "xsm graph show NODE\n"
	  "xsm graph match [--limit N] [--max-results N] PATTERN\n"
	  "xsm graph export [--format=json|jsonl|dot|graphml|neo4j] [-o PATH]\n"
	  "xsm graph log\n"
	  "xsm graph diff [A [B]]\n"
	  "xsm graph tag [NAME [SNAPSHOT]]\n"
	  "xsm graph tag --delete NAME" },
	{ "help", cmd_help, 0, "show help for a command",
	  "xsm help [COMMAND]" },
	{ "ingest", cmd_ingest, XSM_NEED_STORE | XSM_CREATE_STORE | XSM_WRITE_LOCK,
	  "fetch or read records and store them as a run",
	  "xsm ingest NAME... [--full] [--no-build]\n"
	  "xsm ingest --all [--full] [--no-build]\n"
	  "xsm ingest --format records --source NAME [--skip-invalid] [--allow-empty] [--no-build] FILE|-\n"
	  "xsm ingest --format nessus|qualys-xml|rapid7-csv|tenable-csv --source NAME [--allow-empty] [--no-build] FILE|-" },
	{ "init", cmd_init, 0, "create a store",
	  "xsm init [DIR]" },
	{ "insights", cmd_insights, XSM_NEED_STORE, "initiatives, metrics, recommendations, scores and targets",
	  "xsm insights [list]\n"
	  "xsm insights show INITIATIVE\n"
	  "xsm insights metrics [--initiative INITIATIVE]\n"
	  "xsm insights metric [show] METRIC [--assets] [--limit N]\n"
	  "xsm insights recommendations [--state STATE]\n"
	  "xsm insights set METRIC [--state active|risk-accepted|mitigated] [--weight high|medium|low|default]\n"
	  "xsm insights weight METRIC high|medium|low|accepted|default\n"
	  "xsm insights target|set-target INITIATIVE SCORE|default\n"
	  "xsm insights export [INITIATIVE|METRIC] [--format=pdf|json|csv] [-o FILE]" },
	{ "paths", cmd_paths, XSM_NEED_STORE, "attack paths, choke points, blast radius and the CI gate",
	  "xsm paths list [--target NODE] [--entry NODE] [--min-risk R] [--scenario S] [--limit N]\n"
	  "xsm paths show ID\n"
	  "xsm paths chokepoints [--limit N]\n"
	  "xsm paths blast-radius NODE [--max-hops N]\n"
	  "xsm paths summary\n"
	  "xsm paths check --fail-on critical|high|medium|low [--fail-on-new] [--baseline TAG|SNAPSHOT]\n"
	  "xsm paths whatif [--remove NODE|EDGEID] [--remove-edge FROM LABEL TO] [--fix CVE [--on NODE]] "
	  "[--isolate NODE] [--set-critical NODE LEVEL] [--top-fixes N]" },
	{ "report", cmd_report, XSM_NEED_STORE, "the exposure report: one self-contained HTML page",
	  "xsm report [-o FILE]" },
	{ "serve", cmd_serve, 0, "serve a shared store on a Unix socket, enforcing roles",
	  "xsm serve [--socket PATH]" },
	{ "status", cmd_status, XSM_NEED_STORE, "show the store, its sources and runs",
	  "xsm status" },
};

const struct xsm_command *xsm_commands(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct xsm_command *xsm_command_find(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int xsm_cli_lock(struct xsm_cli *cli)
{
	xsm_store *s;
	int rc;
	if (cli->store && xsm_store_is_writer(cli->store))
		return 0;
	if ((rc = xsm_store_open(&s, cli->ctx, cli->store_dir.ptr, XSM_STORE_WRITE)) < 0)
		return xsm_cli_fail(cli, rc);
	xsm_store_free(cli->store);
	cli->store = s;
	return 0;
}

/* -v: the library's progress lines (HTTP exchanges, build phases) on stderr */
static void print_log(const char *line, void *payload)
{
	(void)payload;
	fprintf(stderr, "xsm: %s\n", line);
}

static void print_warning(const char *line, void *payload)
{
	(void)payload;
	fprintf(stderr, "xsm: warning: %s\n", line);
}

static void print_overview(FILE *out)
{
	size_t i;
	fprintf(out, "usage: %s\n\ncommands:\n", GLOBAL_USAGE);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'xsm help COMMAND' or 'man xsm-COMMAND' tells more.\n");
}

int cmd_help(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	const struct xsm_command *c;
	int n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1);

	if (n < 0)
		return n == -2 ? 0 : XSM_EXIT_USAGE;
	if (n == 0) {
		print_overview(stdout);
		return 0;
	}
	if (!(c = xsm_command_find(pos[0])))
		return xsm_cli_usage(cli, "no such command '%s'", pos[0]);
	if (cli->tty && !getenv("XSM_NO_MAN")) {
		/* the manual when there is one: installed, or beside the binary in a build tree */
		char page[64], dir[4096];
		ssize_t l = readlink("/proc/self/exe", dir, sizeof(dir) - 32);
		snprintf(page, sizeof(page), "xsm-%s", c->name);
		if (l > 0) {
			char *slash;
			dir[l] = '\0';
			if ((slash = strrchr(dir, '/')) && (*slash = '\0', (slash = strrchr(dir, '/')))) {
				*slash = '\0';
				if ((slash = strrchr(dir, '/'))) {
					memcpy(slash, "/man", 5);
					if (access(dir, R_OK) == 0)
						setenv("MANPATH", dir, 0);
				}
			}
		}
		fflush(stdout);
		execlp("man", "man", page, (char *)NULL);
		/* no man: fall through to the short help */
	}
	xsm_cli_print_usage(stdout, c->usage);
	printf("\n%s.\n", c->summary);
	return 0;
}

/* -c KEY=VALUE settings: applied on top of every configuration loaded */
static struct {
	const char *kv[32];
	int n;
} settings;

/*
 * Where the built-in data (config/) is: the data.dir setting
 * ($XSM_DATA_DIR), else the source tree when running from a build tree
 * (build/bin/xsm -> config/), else the share/xsm installed beside this xsm
 * (PREFIX/bin/xsm -> PREFIX/share/xsm: an install moved or staged with
 * DESTDIR still finds its data), else the share/xsm the library was built
 * for.
 */
static void set_data_dir(xsm_config *cfg)
{
	const char *origin = xsm_config_origin(cfg, "data.dir");
	char up1[4096], up2[4096], dir[4200], probe[4300], *slash;
	ssize_t l;

	/* only the built-in default gives way */
	if (origin && strcmp(origin, "default"))
		return;
	if ((l = readlink("/proc/self/exe", up1, sizeof(up1) - 1)) <= 0)
		return;
	up1[l] = '\0';
	/* up1: the directory above xsm's (build/, PREFIX/); up2: the one above that */
	for (int i = 0; i < 2; i++)
		if ((slash = strrchr(up1, '/')))
			*slash = '\0';
	memcpy(up2, up1, sizeof(up2));
	if ((slash = strrchr(up2, '/')))
		*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/config", up2);
	snprintf(probe, sizeof(probe), "%s/classifications.yaml", dir);
	if (access(probe, R_OK) == 0) {
		xsm_config_set(cfg, "data.dir", dir, "build tree");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/share/xsm", up1);
	snprintf(probe, sizeof(probe), "%s/classifications.yaml", dir);
	if (access(probe, R_OK) == 0)
		xsm_config_set(cfg, "data.dir", dir, "installed beside xsm");
}

int xsm_cli_apply_settings(xsm_ctx *ctx, xsm_config *cfg)
{
	int rc;

	set_data_dir(cfg);
	for (int k = 0; k < settings.n; k++) {
		const char *eq = strchr(settings.kv[k], '=');
		char key[128];
		if (!eq || eq == settings.kv[k] || (size_t)(eq - settings.kv[k]) >= sizeof(key))
			return xsm_cli_usage(NULL, "-c needs KEY=VALUE, not '%s'", settings.kv[k]);
		memcpy(key, settings.kv[k], (size_t)(eq - settings.kv[k]));
		key[eq - settings.kv[k]] = '\0';
		/* a misspelt key would otherwise be ignored without a word */
		if ((rc = xsm_config_check(ctx, key, eq + 1)) == XSM_ENOTFOUND)
			return xsm_cli_usage(NULL, "-c: unknown configuration key '%s' (see 'xsm config show')", key);
		if (rc < 0)
			return xsm_cli_usage(NULL, "-c: %s", xsm_ctx_errmsg(ctx));
		if (xsm_config_set(cfg, key, eq + 1, "command line -c") < 0) {
			xsm_cli_error("out of memory");
			return XSM_EXIT_OSERR;
		}
	}
	return 0;
}

static int run_command(const struct xsm_command *c, int argc, const char **argv, struct xsm_cli *cli)
{
	int rc, code;

	cli->cmd = c;
	if (c->flags & XSM_NEED_STORE) {
		unsigned flags = 0;
		/* --help never needs a store */
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "--"))
				break;
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
				goto run;
		}
		if ((rc = xsm_store_resolve(&cli->store_dir, cli->ctx, cli->store_opt)) < 0)
			return xsm_cli_fail(cli, rc);
		if (c->flags & XSM_CREATE_STORE)
			flags |= XSM_STORE_CREATE;
		if (c->flags & XSM_WRITE_LOCK)
			flags |= XSM_STORE_WRITE;
		if ((rc = xsm_store_open(&cli->store, cli->ctx, cli->store_dir.ptr, flags)) < 0) {
			/*
			 * Reported once the command has read its options
			 * (xsm_opt_parse), so that a usage error is 64
			 * whether or not there is a store.
			 */
			cli->store_code = xsm_cli_exit_code(rc);
			if (xsm_buf_puts(&cli->store_err, xsm_ctx_errmsg(cli->ctx)) < 0)
				return xsm_cli_fail(cli, rc);
			goto run;
		}
		/* the store's own config.yaml joins the layers now that we know where it is */
		{
			xsm_config *cfg;
			if ((rc = xsm_config_load(&cfg, cli->ctx, cli->config_opt, cli->store_dir.ptr)) < 0)
				return xsm_cli_fail(cli, rc);
			xsm_config_free(cli->cfg);
			cli->cfg = cfg;
			if ((code = xsm_cli_apply_settings(cli->ctx, cfg)) != 0)
				return code;
			xsm_ctx_set_config(cli->ctx, cfg);
		}
	}
run:
	code = c->fn(argc, argv, cli);
	if (cli->store_code && !cli->store) /* a command that reads no options still fails on the store */
		code = code == XSM_EXIT_USAGE ? code : cli->store_code;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			xsm_cli_error("cannot write output: %s", strerror(errno));
		return XSM_EXIT_IOERR;
	}
	return code;
}


int main(int argc, const char **argv)
{
	return xsm_cli_main(argc, argv);
}

/* a command that asks for help runs here, never on a server */
static int asks_help(int argc, const char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int xsm_cli_main(int argc, const char **argv)
{
	struct xsm_cli cli;
	const struct xsm_command *c;
	int i, rc, code;

	memset(&cli, 0, sizeof(cli));
	cli.tty = isatty(STDOUT_FILENO);
	cli.err_tty = isatty(STDERR_FILENO);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version")) {
			int maj, min, pat;
			xsm_version(&maj, &min, &pat);
			printf("xsm %s (libexposure %d.%d.%d)\n", XSM_VERSION, maj, min, pat);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_overview(stdout);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			cli.quiet = 1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli.verbose++;
		} else if (!strcmp(a, "--store") || !strcmp(a, "--config") || !strcmp(a, "-c") ||
			   !strcmp(a, "--format")) {
			if (i + 1 >= argc)
				return xsm_cli_usage(NULL, "option '%s' needs a value", a);
			if (!strcmp(a, "--store"))
				cli.store_opt = argv[++i];
			else if (!strcmp(a, "--config"))
				cli.config_opt = argv[++i];
			else if (!strcmp(a, "--format")) {
				if (xsm_cli_set_format(&cli, argv[++i]) < 0)
					return xsm_cli_usage(NULL, "unknown format '%s' (table, json, jsonl)", argv[i]);
			}
			else if (settings.n < 32)
				settings.kv[settings.n++] = argv[++i];
		} else if (!strncmp(a, "--store=", 8)) {
			cli.store_opt = a + 8;
		} else if (!strncmp(a, "--config=", 9)) {
			cli.config_opt = a + 9;
		} else if (!strncmp(a, "--format=", 9)) {
			if (xsm_cli_set_format(&cli, a + 9) < 0)
				return xsm_cli_usage(NULL, "unknown format '%s' (table, json, jsonl)", a + 9);
		} else {
			return xsm_cli_usage(NULL, "unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		print_overview(stderr);
		return XSM_EXIT_USAGE;
	}
	if (!(c = xsm_command_find(argv[i])))
		return xsm_cli_usage(NULL, "'%s' is not an xsm command; see 'xsm help'", argv[i]);
	if (xsm_ctx_new(&cli.ctx) < 0) {
		xsm_cli_error("out of memory");
		return XSM_EXIT_OSERR;
	}
	if ((rc = xsm_config_load(&cli.cfg, cli.ctx, cli.config_opt, NULL)) < 0) {
		code = xsm_cli_fail(&cli, rc);
		goto done;
	}
	if ((code = xsm_cli_apply_settings(cli.ctx, cli.cfg)) != 0)
		goto done;
	xsm_ctx_set_config(cli.ctx, cli.cfg);
	xsm_ctx_set_warn(cli.ctx, print_warning, NULL);
	if (cli.verbose)
		xsm_ctx_set_log(cli.ctx, print_log, NULL);
	if (xsm_served) {
		/* a server's child: its store, the caller's name in the audit log, the caller's scope */
		cli.store_opt = xsm_served->store_dir;
		cli.config_opt = xsm_served->config_opt;
		if (xsm_ctx_set_actor(cli.ctx, xsm_served->user) < 0 ||
		    (*xsm_served->scope && xsm_ctx_set_scope(cli.ctx, xsm_served->scope, xsm_served->paths_in_scope) < 0)) {
			xsm_cli_error("out of memory");
			code = XSM_EXIT_OSERR;
			goto done;
		}
	} else if ((c->flags & XSM_NEED_STORE) && !asks_help(argc - i, argv + i)) {
		xsm_buf sock = XSM_BUF_INIT;
		int served = xsm_cli_served_socket(&cli, &sock);
		if (served != 0) {
			cli.cmd = c;
			code = served < 0 ? (xsm_cli_error("out of memory"), XSM_EXIT_OSERR)
					  : xsm_cli_client(&cli, sock.ptr, argc - i, argv + i);
			xsm_buf_dispose(&sock);
			goto done;
		}
		xsm_buf_dispose(&sock);
	}
	code = run_command(c, argc - i, argv + i, &cli);
done:
	xsm_store_free(cli.store);
	xsm_config_free(cli.cfg);
	xsm_ctx_free(cli.ctx);
	xsm_buf_dispose(&cli.store_dir);
	xsm_buf_dispose(&cli.store_err);
	return code;
}
