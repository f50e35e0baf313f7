/* cmd_status.c - xsm status: the store, its format, sources and runs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct status {
	struct xsm_cli *cli;
	xsm_jw *w;
	struct xsm_table t;
	size_t n;
};

/* bytes as people read them: "812 B", "4.2 kB", "435.1 MB", "7.5 GB" (powers of 1000, as df -H) */
static void human_bytes(char out[32], unsigned long long n)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB", "PB" };
	double v = (double)n;
	int u = -1;
	if (n < 1000) {
		snprintf(out, 32, "%llu B", n);
		return;
	}
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, 32, "%.1f %s", v, unit[u]);
}

/* a source's age_hours (null: never synced) and stale, as status and connect list both write them */
void xsm_cli_jw_age(xsm_jw *w, const xsm_source_info *s)
{
	xsm_jw_key(w, "age_hours");
	if (s->age_hours >= 0)
		xsm_jw_int(w, s->age_hours);
	else
		xsm_jw_null(w);
	xsm_jw_kbool(w, "stale", s->stale);
}

/* a source's age as both status and connect list show it: "5h", "80h (stale)", "never synced" */
void xsm_cli_age(char *out, size_t n, const xsm_source_info *s)
{
	if (s->age_hours < 0)
		snprintf(out, n, "never synced");
	else
		snprintf(out, n, "%ldh%s", s->age_hours, s->stale ? " (stale)" : "");
}

static int add_source(const xsm_source_info *s, void *payload)
{
	struct status *st = payload;
	char a[32], f[32], r[32], runs[32], age[32];

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
		xsm_jw_kstr(w, "last_sync", s->synced);
		xsm_cli_jw_age(w, s);
		xsm_jw_kbool(w, "connector", s->configured);
		xsm_jw_obj_end(w);
		return 0;
	}
	snprintf(a, sizeof(a), "%zu", s->assets);
	snprintf(f, sizeof(f), "%zu", s->findings);
	snprintf(r, sizeof(r), "%zu", s->relations);
	snprintf(runs, sizeof(runs), "%zu", s->runs);
	xsm_cli_age(age, sizeof(age), s);
	xsm_table_add(&st->t, s->name, s->status, s->synced, age, runs, a, f, r);
	return 0;
}

/*
 * The exposure at a glance, from the current snapshot's stored results
 * (the paths' index and the insights report: nothing is recomputed): attack paths
 * by risk and the initiatives' scores.  w is NULL for text.
 */
static void exposure(struct xsm_cli *cli, xsm_jw *w)
{
	xsm_paths_summary *ps = NULL;
	xsm_insights_report *r = NULL;
	size_t by[4] = { 0 }, i;

	/* the counts the build stored: no path is read */
	if (xsm_paths_summary_load(&ps, cli->store, NULL, XSM_PATHS_SUMMARY_RISK_ONLY) == 0)
		for (i = 0; i < 4; i++)
			by[i] = ps->by_risk[i];
	if (xsm_insights_report_load(&r, cli->store, NULL) < 0)
		r = NULL;
	xsm_ctx_clear(cli->ctx);
	if (w) {
		xsm_jw_key(w, "attack_paths");
		xsm_jw_obj(w);
		xsm_jw_kint(w, "total", ps ? (int64_t)ps->paths : 0);
		for (i = 0; i < 4; i++)
			xsm_jw_kint(w, xsm_risk_name((int)i), (int64_t)by[i]);
		xsm_jw_obj_end(w);
		xsm_jw_key(w, "initiatives");
		xsm_jw_arr(w);
		for (i = 0; r && i < xsm_insights_report_initiative_count(r); i++) {
			const xsm_initiative_info *in = xsm_insights_report_initiative(r, i);
			xsm_jw_obj(w);
			xsm_jw_kstr(w, "id", in->id);
			xsm_jw_key(w, "score");
			if (in->score >= 0)
				xsm_jw_num(w, in->score);
			else
				xsm_jw_null(w);
			xsm_jw_knum(w, "target", in->target);
			xsm_jw_obj_end(w);
		}
		xsm_jw_arr_end(w);
	} else {
		printf("\nattack paths: %zu (critical %zu, high %zu, medium %zu, low %zu)\n",
		       ps ? ps->paths : 0, by[0], by[1], by[2], by[3]);
		int nw = 0;
		for (i = 0; r && i < xsm_insights_report_initiative_count(r); i++)
			if ((int)strlen(xsm_insights_report_initiative(r, i)->name) > nw)
				nw = (int)strlen(xsm_insights_report_initiative(r, i)->name);
		for (i = 0; r && i < xsm_insights_report_initiative_count(r); i++) {
			const xsm_initiative_info *in = xsm_insights_report_initiative(r, i);
			if (!i)
				printf("scores:\n");
			if (in->score >= 0)
				printf("  %-*s  %6.2f of target %.0f%s\n", nw, in->name, in->score, in->target,
				       in->score < in->target ? " (below)" : "");
			else
				printf("  %-*s  %6s (no data)\n", nw, in->name, "-");
		}
	}
	xsm_paths_summary_free(ps);
	xsm_insights_report_free(r);
}

int cmd_status(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "SOURCE", "STATUS", "LAST SYNC", "AGE", "RUNS", "ASSETS", "FINDINGS", "RELATIONS" };
	struct status st;
	xsm_buf b = XSM_BUF_INIT, head_snap = XSM_BUF_INIT;
	xsm_jw w;
	const char *pos[1];
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	memset(&st, 0, sizeof(st));
	st.cli = cli;
	xsm_store_usage use;
	if (xsm_store_read(&head_snap, cli->store, "graph/HEAD", 4096) < 0)
		xsm_buf_clear(&head_snap);
	xsm_ctx_clear(cli->ctx);
	while (head_snap.size && (head_snap.ptr[head_snap.size - 1] == '\n'))
		head_snap.ptr[--head_snap.size] = '\0';

	if ((rc = xsm_store_usage_get(&use, cli->store)) < 0) {
		xsm_buf_dispose(&head_snap);
		return xsm_cli_fail(cli, rc);
	}
	if (cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL) {
		xsm_jw_init(&w, &b);
		st.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.status/1");
		xsm_jw_kstr(&w, "store", xsm_store_path(cli->store));
		xsm_jw_kint(&w, "format", XSM_STORE_FORMAT_MAJOR);
		xsm_jw_kstr(&w, "snapshot", head_snap.size ? head_snap.ptr : NULL);
		xsm_jw_key(&w, "bytes");
		xsm_jw_obj(&w);
		xsm_jw_kint(&w, "total", (int64_t)(use.snapshots + use.records + use.cache + use.other));
		xsm_jw_kint(&w, "snapshots", (int64_t)use.snapshots);
		xsm_jw_kint(&w, "records", (int64_t)use.records);
		xsm_jw_kint(&w, "cache", (int64_t)use.cache);
		xsm_jw_kint(&w, "other", (int64_t)use.other);
		xsm_jw_obj_end(&w);
		xsm_jw_key(&w, "sources");
		xsm_jw_arr(&w);
		rc = xsm_sources_foreach(cli->store, add_source, &st);
		xsm_jw_arr_end(&w);
		if (head_snap.size)
			exposure(cli, &w);
		xsm_jw_obj_end(&w);
		if (rc == 0)
			xsm_cli_emit(&b);
	} else {
		xsm_table_init(&st.t, 8, head);
		rc = xsm_sources_foreach(cli->store, add_source, &st);
		if (rc == 0) {
			char sz[5][32];
			human_bytes(sz[0], use.snapshots + use.records + use.cache + use.other);
			human_bytes(sz[1], use.snapshots);
			human_bytes(sz[2], use.records);
			human_bytes(sz[3], use.other);
			human_bytes(sz[4], use.cache);
			printf("store:    %s\nformat:   xsm-store %d\nsnapshot: %s\nsize:     %s (snapshots %s, records %s, other %s, cache %s)\n\n",
			       xsm_store_path(cli->store), XSM_STORE_FORMAT_MAJOR,
			       head_snap.size ? head_snap.ptr : "none (no graph built yet)", sz[0], sz[1], sz[2], sz[3], sz[4]);
			if (st.n)
				xsm_table_print(&st.t, stdout);
			else
				printf("no sources yet: add one with 'xsm connect add' or 'xsm ingest --format records'\n");
			if (head_snap.size)
				exposure(cli, NULL);
		}
		xsm_table_free(&st.t);
	}
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&head_snap);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}
