/* cmd_ingest.c - xsm ingest: read records and store them as a run. */
#include <errno.h>
#include <stdlib.h>
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
	xsm_cli_progress(r->cli, done, "ingest %s: %zu %s", r->source, lines, XSM_PL(lines, "line"));
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

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

/* --- records from a file or stdin ------------------------------------------------ */

static int ingest_records(struct xsm_cli *cli, const char *source, const char *file, int skip_invalid, int allow_empty,
			  int no_build)
{
	xsm_ingest_options io = XSM_INGEST_OPTIONS_INIT;
	xsm_ingest_stats stats;
	struct report rep = { cli, NULL, 0 };
	int rc, fd, built = 0;

	int records = !strcmp(cli->input_format, "records");

	if (!source)
		return xsm_cli_usage(cli, "--source NAME is required with --format %s", cli->input_format);
	if (!records && skip_invalid)
		return xsm_cli_usage(cli, "--skip-invalid goes with --format records: a vendor file is stored whole or not at all");
	if (!xsm_source_name_valid(source))
		return xsm_cli_usage(cli, "invalid source name '%s' (lower-case letters, digits, '-', '_')", source);
	if (!strcmp(file, "-")) {
		fd = STDIN_FILENO;
	} else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		xsm_cli_error("cannot open '%s': %s", file, strerror(errno));
		return errno == ENOENT ? XSM_EXIT_NOINPUT : XSM_EXIT_IOERR;
	}
	io.skip_invalid = skip_invalid;
	io.allow_empty = allow_empty;
	io.on_invalid = on_invalid;
	io.progress = on_progress;
	io.payload = &rep;
	rep.source = source;
	if (records)
		rc = xsm_records_ingest_fd(&stats, cli->store, source, fd, file, &io);
	else
		rc = xsm_records_ingest_vendor_fd(&stats, cli->store, source, cli->input_format, fd,
						  strcmp(file, "-") ? file : "<stdin>", &io);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc < 0)
		return xsm_cli_fail(cli, rc);
	if (!cli->quiet && !machine(cli))
		printf("%s: stored run %s: %zu %s, %zu %s, %zu %s\n", source, stats.run, stats.assets,
		       XSM_PL(stats.assets, "asset"), stats.findings, XSM_PL(stats.findings, "finding"), stats.relations,
		       XSM_PL(stats.relations, "relation"));
	if (stats.invalid)
		fprintf(stderr, "xsm: %s: skipped %zu invalid line%s\n", source, stats.invalid,
			stats.invalid == 1 ? "" : "s");
	/* the one place an ingest turns into a new graph snapshot (the run is committed: a failed build is a warning) */
	if (!no_build)
		built = xsm_cli_build_after(cli, "the records are stored");
	if (machine(cli)) {
		/* the same document as a connector sync's, one source a line in jsonl */
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		if (cli->format == XSM_FMT_JSON) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.ingest/1");
			xsm_jw_key(&w, "sources");
			xsm_jw_arr(&w);
		}
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "source", source);
		xsm_jw_kstr(&w, "format", cli->input_format);
		xsm_jw_kstr(&w, "run", stats.run);
		xsm_jw_kint(&w, "assets", (int64_t)stats.assets);
		xsm_jw_kint(&w, "findings", (int64_t)stats.findings);
		xsm_jw_kint(&w, "relations", (int64_t)stats.relations);
		xsm_jw_kint(&w, "invalid", (int64_t)stats.invalid);
		xsm_jw_kbool(&w, "built", built);
		xsm_jw_obj_end(&w);
		if (cli->format == XSM_FMT_JSON) {
			xsm_jw_arr_end(&w);
			xsm_jw_obj_end(&w);
		}
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	}
	return 0;
}

/* --- connectors ------------------------------------------------------------------ */

static void on_sync_progress(const xsm_sync_progress *p, void *payload)
{
	struct xsm_cli *cli = payload;
	xsm_cli_progress(cli, 0, "%s: %zu %s, %zu %s, %zu %s, %.0f findings/s", p->name, p->pages,
			 XSM_PL(p->pages, "page"), p->assets, XSM_PL(p->assets, "asset"), p->findings,
			 XSM_PL(p->findings, "finding"), p->seconds > 0 ? (double)p->findings / p->seconds : 0.0);
}

struct names {
	char *v[256];
	size_t n, cap;
};

static int collect_name(const char *name, const char *type, void *payload)
{
	struct names *names = payload;
	(void)type;
	if (names->n < names->cap)
		names->v[names->n++] = strdup(name);
	return 0;
}

static void summary_json(xsm_jw *w, const char *name, const xsm_sync_stats *st, int rc, const char *error)
{
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "name", name);
	xsm_jw_kstr(w, "status", rc < 0 ? "error" : "ok");
	xsm_jw_kstr(w, "run", st->run[0] ? st->run : NULL);
	xsm_jw_kbool(w, "incremental", st->incremental);
	xsm_jw_kint(w, "requests", (int64_t)st->requests);
	xsm_jw_kint(w, "pages", (int64_t)st->pages);
	xsm_jw_kint(w, "assets", (int64_t)st->assets);
	xsm_jw_kint(w, "findings", (int64_t)st->findings);
	xsm_jw_kint(w, "relations", (int64_t)st->relations);
	xsm_jw_kint(w, "skipped", (int64_t)st->skipped);
	xsm_cli_jw_billable(w, st->devices, st->containers, st->identities, st->applications);
	xsm_jw_knum(w, "seconds", (double)(int64_t)(st->seconds * 1000) / 1000);
	xsm_jw_kstr(w, "error", error);
	xsm_jw_obj_end(w);
}

/* sync each named connector; one failing does not stop the others */
static int ingest_connectors(struct xsm_cli *cli, const char **names, size_t n, int full, int no_build)
{
	xsm_sync_options so = XSM_SYNC_OPTIONS_INIT;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	size_t i, ok = 0;
	int worst = 0, rc;
	int json = cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;

	so.full = full;
	so.progress = on_sync_progress;
	so.payload = cli;
	xsm_jw_init(&w, &b);
	if (json) {
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.ingest/1");
		xsm_jw_key(&w, "connectors");
		xsm_jw_arr(&w);
	}
	for (i = 0; i < n; i++) {
		xsm_sync_stats st;
		char err[1024] = "";
		rc = xsm_connector_sync(&st, cli->store, names[i], &so);
		xsm_cli_progress(cli, 1, "%s: %zu %s, %zu %s, %zu %s", names[i], st.pages, XSM_PL(st.pages, "page"),
				 st.assets, XSM_PL(st.assets, "asset"), st.findings, XSM_PL(st.findings, "finding"));
		if (rc < 0) {
			int code = xsm_cli_exit_code(rc);
			snprintf(err, sizeof(err), "%s", xsm_ctx_errmsg(cli->ctx));
			fprintf(stderr, "xsm: %s\n", err);
			if (rc == XSM_EAUTH)
				xsm_cli_hint("'xsm connect test %s' checks the credentials; its previous records are kept",
					     names[i]);
			if (code > worst)
				worst = code;
			xsm_ctx_clear(cli->ctx);
		} else {
			ok++;
		}
		if (json) {
			summary_json(&w, names[i], &st, rc, rc < 0 ? err : NULL);
		} else if (!cli->quiet && rc == 0) {
			printf("%s: stored run %s%s: %zu %s, %zu %s, %zu %s, %zu skipped; "
			       "billable %zu %s, %zu %s, %zu %s, %zu %s (%zu %s, %.1fs)\n",
			       names[i], st.run, st.incremental ? " (incremental)" : "", st.assets,
			       XSM_PL(st.assets, "asset"), st.findings, XSM_PL(st.findings, "finding"), st.relations,
			       XSM_PL(st.relations, "relation"), st.skipped, st.devices, XSM_PL(st.devices, "device"),
			       st.containers, XSM_PL(st.containers, "container"), st.identities,
			       xsm_plural(st.identities, "identity", "identities"), st.applications,
			       XSM_PL(st.applications, "application"), st.requests, XSM_PL(st.requests, "request"),
			       st.seconds);
		} else if (!cli->quiet) {
			printf("%s: failed, previous records kept\n", names[i]);
		}
	}
	if (json) {
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
	}
	xsm_buf_dispose(&b);
	if (ok && !no_build)
		xsm_cli_build_after(cli, "the runs are stored");
	return worst;
}

int cmd_ingest(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *source = NULL, **pos;
	int skip_invalid = 0, allow_empty = 0, no_build = 0, all = 0, full = 0, n, rc;
	struct xsm_opt opts[] = {
		{ "source", 0, XSM_OPT_STR, &source, NULL },
		{ "skip-invalid", 0, XSM_OPT_FLAG, &skip_invalid, NULL },
		{ "allow-empty", 0, XSM_OPT_FLAG, &allow_empty, NULL },
		{ "no-build", 0, XSM_OPT_FLAG, &no_build, NULL },
		{ "all", 0, XSM_OPT_FLAG, &all, NULL },
		{ "full", 0, XSM_OPT_FLAG, &full, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};

	if (!(pos = calloc((size_t)argc + 1, sizeof(*pos))))
		return XSM_EXIT_OSERR;
	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, argc)) < 0) {
		free(pos);
		return xsm_opt_exit(cli, n);
	}
	if (!cli->input_format) {
		/* connectors: by name, or all configured */
		struct names names = { { 0 }, 0, 256 };
		size_t i;
		if (source || skip_invalid || allow_empty) {
			free(pos);
			return xsm_cli_usage(cli, "--source, --skip-invalid and --allow-empty go with --format records (or a vendor file format)");
		}
		if (all && n) {
			free(pos);
			return xsm_cli_usage(cli, "give connector NAMEs or --all, not both");
		}
		if (all) {
			if ((rc = xsm_connector_foreach(cli->store, collect_name, &names)) < 0) {
				free(pos);
				return xsm_cli_fail(cli, rc);
			}
			if (!names.n) {
				free(pos);
				xsm_cli_error("no connectors configured (see 'xsm connect add')");
				return XSM_EXIT_NOINPUT;
			}
			rc = ingest_connectors(cli, (const char **)names.v, names.n, full, no_build);
		} else if (n) {
			rc = ingest_connectors(cli, pos, (size_t)n, full, no_build);
		} else {
			free(pos);
			return xsm_cli_usage(cli, "which connectors? give NAMEs, --all, or --format records FILE");
		}
		for (i = 0; i < names.n; i++)
			free(names.v[i]);
		free(pos);
		return rc;
	}
	if (full || all) {
		free(pos);
		return xsm_cli_usage(cli, "--all and --full go with connectors, not --format %s", cli->input_format);
	}
	if (n != 1) {
		free(pos);
		return xsm_cli_usage(cli, "which file? give FILE, or - for standard input");
	}
	rc = ingest_records(cli, source, pos[0], skip_invalid, allow_empty, no_build);
	free(pos);
	return rc;
}
