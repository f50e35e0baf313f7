/* cmd_gc.c - xsm gc: apply retention to runs, snapshots and events. */
#include "cli.h"

int cmd_gc(int argc, const char **argv, struct xsm_cli *cli)
{
	int dry = 0, n, rc;
	const char *pos[1];
	struct xsm_opt opts[] = {
		{ "dry-run", 'n', XSM_OPT_FLAG, &dry, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_gc_stats st;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((rc = xsm_gc(&st, cli->store, dry)) < 0)
		return xsm_cli_fail(cli, rc);
	if (cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.gc/1");
		xsm_jw_kbool(&w, "dry_run", dry);
		xsm_jw_kint(&w, "runs_removed", (int64_t)st.runs_removed);
		xsm_jw_kint(&w, "runs_kept", (int64_t)st.runs_kept);
		xsm_jw_kint(&w, "snapshots_removed", (int64_t)st.snapshots_removed);
		xsm_jw_kint(&w, "snapshots_kept", (int64_t)st.snapshots_kept);
		xsm_jw_kint(&w, "events_removed", (int64_t)st.events_removed);
		xsm_jw_kint(&w, "events_kept", (int64_t)st.events_kept);
		xsm_jw_kint(&w, "temp_removed", (int64_t)st.temp_removed);
		xsm_jw_kint(&w, "snapshots_over_budget", (int64_t)st.snapshots_over_budget);
		xsm_jw_kint(&w, "snapshot_bytes", (int64_t)st.snapshot_bytes);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else if (!cli->quiet) {
		printf("%s %zu record %s (%zu kept), %zu %s (%zu kept), %zu %s (%zu kept)\n",
		       dry ? "would remove" : "removed", st.runs_removed, XSM_PL(st.runs_removed, "run"), st.runs_kept,
		       st.snapshots_removed, XSM_PL(st.snapshots_removed, "snapshot"), st.snapshots_kept,
		       st.events_removed, XSM_PL(st.events_removed, "event"), st.events_kept);
		if (st.temp_removed)
			printf("removed %zu temp %s of writers no longer running\n", st.temp_removed,
			       XSM_PL(st.temp_removed, "file"));
		if (st.snapshots_over_budget)
			printf("%zu %s beyond gc.max_bytes; the snapshots kept take %llu bytes\n",
			       st.snapshots_over_budget, XSM_PL(st.snapshots_over_budget, "snapshot"), st.snapshot_bytes);
	}
	return 0;
}
