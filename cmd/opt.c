/* opt.c - one small table-driven option parser for every command. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* the output formats, then the input formats (ingest): the two sets never share a name */
static const struct {
	const char *name;
	int fmt;
} formats[] = {
	{ "table", XSM_FMT_TABLE }, { "json", XSM_FMT_JSON }, { "jsonl", XSM_FMT_JSONL }, { "dot", XSM_FMT_DOT },
	{ "svg", XSM_FMT_SVG }, { "graphml", XSM_FMT_OTHER }, { "neo4j", XSM_FMT_OTHER }, { "html", XSM_FMT_OTHER },
	{ "pdf", XSM_FMT_OTHER }, { "csv", XSM_FMT_OTHER },
};
static const char *const input_formats[] = { "records", "nessus", "qualys-xml", "rapid7-csv", "tenable-csv", NULL };

int xsm_cli_set_format(struct xsm_cli *cli, const char *name)
{
	for (size_t i = 0; input_formats[i]; i++)
		if (!strcmp(input_formats[i], name)) {
			cli->input_format = name;
			return 0;
		}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name)) {
			cli->format_name = name;
			cli->format = formats[i].fmt;
			return 0;
		}
	return -1;
}

/*
 * What each command can write besides table, json and jsonl, by command
 * and subcommand; a format not listed for it is a usage error.
 */
static const struct {
	const char *cmd, *sub, *extra;
} extra_formats[] = {
	{ "graph", "export", "dot graphml neo4j" },
	{ "paths", "list", "dot svg" },
	{ "paths", "show", "dot svg" },
	{ "paths", "chokepoints", "dot svg" },
	{ "paths", "blast-radius", "dot svg" },
	{ "report", "report", "html" },
	{ "insights", "export", "pdf csv" },
};

static int format_ok(const struct xsm_cli *cli, const char *sub)
{
	const char *f = cli->format_name;
	size_t n;
	if (!f || !strcmp(f, "table") || !strcmp(f, "json") || !strcmp(f, "jsonl") || !cli->cmd)
		return 1;
	n = strlen(f);
	for (size_t i = 0; i < sizeof(extra_formats) / sizeof(extra_formats[0]); i++) {
		const char *e = extra_formats[i].extra;
		if (strcmp(extra_formats[i].cmd, cli->cmd->name) || strcmp(extra_formats[i].sub, sub))
			continue;
		for (const char *p = strstr(e, f); p; p = strstr(p + 1, f))
			if ((p == e || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
				return 1;
	}
	return 0;
}

int xsm_opt_exit(const struct xsm_cli *cli, int n)
{
	return n == -2 ? 0 : n == -3 ? cli->store_code : XSM_EXIT_USAGE;
}

static int set_value(struct xsm_cli *cli, const struct xsm_opt *o, const char *shown, const char *v)
{
	char *end;
	long n;

	switch (o->type) {
	case XSM_OPT_STR:
		*(const char **)o->dest = v;
		return 0;
	case XSM_OPT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		/* every count and limit the commands take is 0 or more */
		if (errno || end == v || *end || n < 0 || n > 2147483647L)
			return xsm_cli_usage(cli, "option '%s' needs a number of 0 or more, not '%s'", shown, v), -1;
		*(int *)o->dest = (int)n;
		return 0;
	case XSM_OPT_CALL:
		if (o->call(v, o->dest) != 0)
			return xsm_cli_usage(cli, "invalid value '%s' for option '%s'", v, shown), -1;
		return 0;
	}
	return -1;
}

int xsm_opt_parse(struct xsm_cli *cli, int argc, const char **argv, const struct xsm_opt *opts,
		  const char **pos, int maxpos)
{
	int i, npos = 0, only_pos = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct xsm_opt *o = NULL;
		char name[64];
		int neg = 0;
		size_t len;

		if (only_pos || a[0] != '-' || !a[1]) {
			if (npos >= maxpos)
				return xsm_cli_usage(cli, "unexpected argument '%s'", a), -1;
			pos[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			xsm_cli_print_usage(stdout, cli->cmd ? cli->cmd->usage : "xsm");
			return -2;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (len >= sizeof(name))
				return xsm_cli_usage(cli, "unknown option '%s'", a), -1;
			memcpy(name, a + 2, len);
			name[len] = '\0';
			val = eq ? eq + 1 : NULL;
			if (!strcmp(name, "format")) {
				if (!val && i + 1 < argc)
					val = argv[++i];
				if (!val)
					return xsm_cli_usage(cli, "option '--format' needs a value"), -1;
				if (xsm_cli_set_format(cli, val) < 0)
					return xsm_cli_usage(cli, "unknown format '%s' (table, json, jsonl%s)", val,
							     cli->cmd && !strcmp(cli->cmd->name, "ingest") ? "; input: records" : ""), -1;
				continue;
			}
			for (o = opts; o && o->name; o++)
				if (!strcmp(o->name, name))
					break;
			if ((!o || !o->name) && !strncmp(name, "no-", 3)) {
				for (o = opts; o && o->name; o++)
					if (o->type == XSM_OPT_FLAG && !strcmp(o->name, name + 3))
						break;
				neg = 1;
			}
			if (!o || !o->name)
				return xsm_cli_usage(cli, "unknown option '--%s'", name), -1;
		} else {
			for (o = opts; o && o->name; o++)
				if (o->short_name == a[1])
					break;
			if (!o || !o->name || a[2])
				return xsm_cli_usage(cli, "unknown option '%s'", a), -1;
			snprintf(name, sizeof(name), "%c", a[1]);
		}
		if (o->type == XSM_OPT_FLAG) {
			if (val)
				return xsm_cli_usage(cli, "option '--%s' takes no value", name), -1;
			*(int *)o->dest = !neg;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc)
				return xsm_cli_usage(cli, "option '%s' needs a value", a), -1;
			val = argv[++i];
		}
		if (set_value(cli, o, a, val) < 0)
			return -1;
	}
	if (!format_ok(cli, argc > 0 ? argv[0] : ""))
		return xsm_cli_usage(cli, "this command cannot write --format=%s", cli->format_name), -1;
	if (cli->store_code) {
		/* the arguments are good: now the store that could not be opened is the error */
		xsm_cli_error("%s", cli->store_err.ptr ? cli->store_err.ptr : "cannot open the store");
		return -3;
	}
	return npos;
}
