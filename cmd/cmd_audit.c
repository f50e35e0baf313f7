/* cmd_audit.c - xsm audit: who changed what, when, from what to what. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct rows {
	struct xsm_cli *cli;
	struct xsm_table t;
	size_t n, limit, skip;
};

static int count_row(const xsm_audit_entry *e, void *payload)
{
	(void)e;
	((struct rows *)payload)->n++;
	return 0;
}

static int row(const xsm_audit_entry *e, void *payload)
{
	struct rows *r = payload;
	if (r->skip) {
		r->skip--;
		return 0;
	}
	if (r->cli->format == XSM_FMT_JSON || r->cli->format == XSM_FMT_JSONL) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		if (r->cli->format == XSM_FMT_JSON && r->n++)
			xsm_buf_putc(&b, ','), fputs(b.ptr, stdout), xsm_buf_clear(&b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "time", e->time);
		xsm_jw_kstr(&w, "user", e->user);
		xsm_jw_kstr(&w, "action", e->action);
		xsm_jw_kstr(&w, "target", e->target);
		xsm_jw_kstr(&w, "detail", e->detail);
		xsm_jw_kstr(&w, "before", e->before);
		xsm_jw_kstr(&w, "after", e->after);
		xsm_jw_obj_end(&w);
		if (r->cli->format == XSM_FMT_JSONL)
			xsm_cli_emit(&b);
		else
			fputs(b.ptr, stdout);
		xsm_buf_dispose(&b);
	} else {
		char change[512];
		if (e->has_change)
			snprintf(change, sizeof(change), "%s -> %s", e->before && *e->before ? e->before : "(none)",
				 e->after && *e->after ? e->after : "(none)");
		else
			snprintf(change, sizeof(change), "%s", e->detail ? e->detail : "");
		xsm_table_add(&r->t, e->time, e->user, e->action, e->target, change[0] ? change : NULL);
	}
	return 0;
}

int cmd_audit(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "TIME", "USER", "ACTION", "TARGET", "CHANGE" };
	const char *pos[1], *since_s = NULL, *user = NULL, *action = NULL;
	int limit = 0, n, rc;
	struct xsm_opt opts[] = {
		{ "since", 0, XSM_OPT_STR, &since_s, NULL },
		{ "user", 'u', XSM_OPT_STR, &user, NULL },
		{ "action", 0, XSM_OPT_STR, &action, NULL },
		{ "limit", 'n', XSM_OPT_INT, &limit, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	int64_t since = 0;
	struct rows r;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (since_s && xsm_cli_parse_since(&since, since_s, xsm_ctx_now(cli->ctx)) < 0)
		return xsm_cli_usage(cli, "--since needs a time (2026-11-24T00:00:00Z) or an age (7d, 12h, 45m), not '%s'",
				     since_s);
	memset(&r, 0, sizeof(r));
	r.cli = cli;
	/* --limit: the latest N, still oldest first */
	if (limit > 0) {
		if ((rc = xsm_audit_list(cli->store, since, user, action, count_row, &r)) < 0)
			return xsm_cli_fail(cli, rc);
		r.skip = r.n > (size_t)limit ? r.n - (size_t)limit : 0;
		r.n = 0;
	}
	if (cli->format == XSM_FMT_JSON)
		printf("{\"schema\":\"xsm.audit/1\",\"entries\":[");
	else if (cli->format != XSM_FMT_JSONL)
		xsm_table_init(&r.t, 5, head);
	rc = xsm_audit_list(cli->store, since, user, action, row, &r);
	if (cli->format == XSM_FMT_JSON)
		printf("]}\n");
	else if (cli->format != XSM_FMT_JSONL) {
		if (r.t.rows)
			xsm_table_print(&r.t, stdout);
		else if (!cli->quiet)
			printf("no changes recorded\n");
		xsm_table_free(&r.t);
	}
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}
