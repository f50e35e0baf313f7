/* cmd_events.c - xsm events: the exposure events feed. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct ev_out {
	struct xsm_cli *cli;
	xsm_jw *w;
	xsm_buf *b;
	struct xsm_table *t;
	size_t n;
	/* a caller limited to a device scope (a served store): what it may see */
	int scoped;
	xsm_graph *g;
	xsm_pathset *paths;
};

/*
 * Under a scope, an event about a node shows only when the scoped graph
 * has the node, one about a path only when the scoped paths have it: an
 * event about something gone since cannot be placed, and is left out.
 */
static int in_scope(const struct ev_out *o, const xsm_event_info *ev)
{
	size_t i;
	if (!o->scoped || !ev->kind)
		return 1;
	if (!strcmp(ev->kind, "node")) {
		if (!ev->id || !o->g || xsm_graph_find(&i, o->g, ev->id) < 0) {
			xsm_ctx_clear(o->cli->ctx);
			return 0;
		}
		return 1;
	}
	if (!strcmp(ev->kind, "path"))
		return ev->id && o->paths && xsm_paths_find(o->paths, ev->id) >= 0;
	return 1;
}

static int ev_row(const xsm_event_info *ev, void *payload)
{
	struct ev_out *o = payload;
	if (!in_scope(o, ev))
		return 0;
	o->n++;
	if (o->cli->format == XSM_FMT_JSONL) {
		xsm_buf line = XSM_BUF_INIT;
		xsm_buf_puts(&line, ev->json);
		xsm_cli_emit(&line);
		xsm_buf_dispose(&line);
	} else if (o->w) {
		xsm_jw_raw(o->w, ev->json);
	} else {
		xsm_table_add(o->t, ev->time, ev->type, ev->kind && !strcmp(ev->kind, "path") ? ev->id : ev->name ? ev->name : ev->id ? ev->id : "-",
			      ev->message);
	}
	return 0;
}

int cmd_events(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "TIME", "TYPE", "SUBJECT", "MESSAGE" };
	const char *pos[1], *since_s = NULL, *type = NULL;
	int limit = 0, n, rc;
	struct xsm_opt opts[] = {
		{ "since", 0, XSM_OPT_STR, &since_s, NULL },
		{ "type", 0, XSM_OPT_STR, &type, NULL },
		{ "limit", 0, XSM_OPT_INT, &limit, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	struct ev_out o;
	struct xsm_table t;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	int64_t since = 0;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (since_s && xsm_cli_parse_since(&since, since_s, xsm_ctx_now(cli->ctx)) < 0)
		return xsm_cli_usage(cli, "--since needs a time (2026-11-24T00:00:00Z) or an age (30d, 12h, 45m), not '%s'",
				     since_s);
	if (type && !xsm_event_type_valid(type)) {
		xsm_buf known = XSM_BUF_INIT;
		for (size_t i = 0; xsm_event_type(i); i++)
			xsm_buf_printf(&known, "%s%s", i ? ", " : "", xsm_event_type(i));
		rc = xsm_cli_usage(cli, "unknown event type '%s' (%s)", type, known.ptr);
		xsm_buf_dispose(&known);
		return rc;
	}
	if (limit < 0)
		return xsm_cli_usage(cli, "--limit must be 0 (no limit) or more");
	memset(&o, 0, sizeof(o));
	o.cli = cli;
	o.b = &b;
	if (cli->format == XSM_FMT_JSON) {
		xsm_jw_init(&w, &b);
		o.w = &w;
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.events/1");
		xsm_jw_key(&w, "events");
		xsm_jw_arr(&w);
	} else if (cli->format != XSM_FMT_JSONL) {
		xsm_table_init(&t, 4, head);
		o.t = &t;
	}
	if (xsm_ctx_scope(cli->ctx)) {
		o.scoped = 1;
		if ((rc = xsm_graph_load(&o.g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS)) < 0 ||
		    (rc = xsm_paths_load(&o.paths, cli->store, NULL)) < 0) {
			/* no graph yet: no node or path event can be shown */
			xsm_ctx_clear(cli->ctx);
			if (!o.g && xsm_graph_load(&o.g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS) < 0)
				xsm_ctx_clear(cli->ctx);
		}
	}
	rc = xsm_events_list(cli->store, since, type, (size_t)limit, ev_row, &o);
	if (rc == 0 && cli->format == XSM_FMT_JSON) {
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
	} else if (rc == 0 && o.t) {
		if (o.n)
			xsm_table_print(&t, stdout);
		else if (!cli->quiet)
			printf("no events\n");
	}
	if (o.t)
		xsm_table_free(&t);
	xsm_graph_free(o.g);
	xsm_paths_free(o.paths);
	xsm_buf_dispose(&b);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}
