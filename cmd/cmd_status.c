/* cmd_status.c - xsm status: the store, its format, sources and runs. */
#include <string.h>

#include "cli.h"

struct status {
	struct xsm_cli *cli;
	xsm_jw *w;
	struct xsm_table t;
	size_t n;
};

static int add_source(const xsm_source_info *s, void *payload)
{
	struct status *st = payload;
	char a[32], f[32], r[32], runs[32];

	st->n++;
	if (st->w) {
		xsm_jw *w = st->w;
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "name", s->name);
		xsm_jw_kstr(w, "status", s->status);
		xsm_jw_kstr(w, "last_run", s->last_run);
		xsm_jw_kstr(w, "last_time", s->last_time);
		xsm_jw_kint(w, "runs", (int64_t)s->runs);
		xsm_jw_kint(w, "assets", (int64_t)s->assets);
		xsm_jw_kint(w, "findings", (int64_t)s->findings);
		xsm_jw_kint(w, "relations", (int64_t)s->relations);
		xsm_jw_kstr(w, "error", s->error);
		xsm_jw_obj_end(w);
		return 0;
	}
	snprintf(a, sizeof(a), "%zu", s->assets);
	snprintf(f, sizeof(f), "%zu", s->findings);
	snprintf(r, sizeof(r), "%zu", s->relations);
	snprintf(runs, sizeof(runs), "%zu", s->runs);
	xsm_table_add(&st->t, s->name, s->status, s->last_time, runs, a, f, r);
	return 0;
}

int cmd_status(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "SOURCE", "STATUS", "LAST SYNC", "RUNS", "ASSETS", "FINDINGS", "RELATIONS" };
	struct status st;
	xsm_buf b = XSM_BUF_INIT, head_snap = XSM_BUF_INIT;
	xsm_jw w;
	const char *pos[1];
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return n == -2 ? 0 : XSM_EXIT_USAGE;
	memset(&st, 0, sizeof(st));
	st.cli = cli;
	if (xsm_store_read(&head_snap, cli->store, "graph/HEAD", 4096) < 0)
		xsm_buf_clear(&head_snap);
	xsm_ctx_clear(cli->ctx);
	while (head_snap.size && (head_snap.ptr[head_snap.size - 1] == '\n'))
		head_snap.ptr[--head_snap.size] = '\0';

	if (cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL) {
		xsm_jw_init(&w, &b);
		st.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.status/1");
		xsm_jw_kstr(&w, "store", xsm_store_path(cli->store));
		xsm_jw_kint(&w, "format", XSM_STORE_FORMAT_MAJOR);
		xsm_jw_kstr(&w, "snapshot", head_snap.size ? head_snap.ptr : NULL);
		xsm_jw_key(&w, "sources");
		xsm_jw_arr(&w);
		rc = xsm_sources_foreach(cli->store, add_source, &st);
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		if (rc == 0)
			xsm_cli_emit(&b);
	} else {
		xsm_table_init(&st.t, 7, head);
		rc = xsm_sources_foreach(cli->store, add_source, &st);
		if (rc == 0) {
			printf("store:    %s\nformat:   xsm-store %d\nsnapshot: %s\n\n", xsm_store_path(cli->store),
			       XSM_STORE_FORMAT_MAJOR, head_snap.size ? head_snap.ptr : "none (no graph built yet)");
			if (st.n)
				xsm_table_print(&st.t, stdout);
			else
				printf("no sources yet: add one with 'xsm connect add' or 'xsm ingest --format records'\n");
		}
		xsm_table_free(&st.t);
	}
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&head_snap);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}
