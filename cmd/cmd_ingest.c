/* cmd_ingest.c - xsm ingest: read records and store them as a run. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct report {
	struct xsm_cli *cli;
	const char *source;
	size_t shown;
};

static void on_progress(size_t lines, int done, void *payload)
{
	struct report *r = payload;
	xsm_cli_progress(r->cli, done, "ingest %s: %zu lines", r->source, lines);
}

static void on_invalid(const char *where, size_t line, const char *reason, void *payload)
{
	struct report *r = payload;
	/* every bad line is reported, up to a bound that keeps a broken file readable */
	if (r->shown++ < 100)
		fprintf(stderr, "%s:%zu: %s\n", where, line, reason);
	else if (r->shown == 101)
		fprintf(stderr, "xsm: more invalid lines not shown\n");
}

int cmd_ingest(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *source = NULL, *pos[1];
	int skip_invalid = 0, no_build = 0, n, rc, fd;
	struct xsm_opt opts[] = {
		{ "source", 0, XSM_OPT_STR, &source, NULL },
		{ "skip-invalid", 0, XSM_OPT_FLAG, &skip_invalid, NULL },
		{ "no-build", 0, XSM_OPT_FLAG, &no_build, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_ingest_options io = XSM_INGEST_OPTIONS_INIT;
	xsm_ingest_stats stats;
	struct report rep = { cli, NULL, 0 };

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return n == -2 ? 0 : XSM_EXIT_USAGE;
	if (!cli->format_name || strcmp(cli->format_name, "records"))
		return xsm_cli_usage(cli, "only '--format records' is supported here");
	if (!source)
		return xsm_cli_usage(cli, "--source NAME is required with --format records");
	if (!xsm_source_name_valid(source))
		return xsm_cli_usage(cli, "invalid source name '%s' (lower-case letters, digits, '-', '_')", source);
	if (n != 1)
		return xsm_cli_usage(cli, "which file? give FILE, or - for standard input");
	if (!strcmp(pos[0], "-")) {
		fd = STDIN_FILENO;
	} else if ((fd = open(pos[0], O_RDONLY | O_CLOEXEC)) < 0) {
		xsm_cli_error("cannot open '%s': %s", pos[0], strerror(errno));
		return errno == ENOENT ? XSM_EXIT_NOINPUT : XSM_EXIT_IOERR;
	}
	io.skip_invalid = skip_invalid;
	io.on_invalid = on_invalid;
	io.progress = on_progress;
	io.payload = &rep;
	rep.source = source;
	rc = xsm_records_ingest_fd(&stats, cli->store, source, fd, pos[0], &io);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc < 0)
		return xsm_cli_fail(cli, rc);
	if (!cli->quiet)
		printf("%s: stored run %s: %zu assets, %zu findings, %zu relations\n", source, stats.run,
		       stats.assets, stats.findings, stats.relations);
	if (stats.invalid)
		fprintf(stderr, "xsm: %s: skipped %zu invalid line%s\n", source, stats.invalid,
			stats.invalid == 1 ? "" : "s");
	/* the one place an ingest turns into a new graph snapshot */
	if (!no_build && (rc = xsm_cli_build(cli)) < 0)
		return xsm_cli_fail(cli, rc);
	return 0;
}
