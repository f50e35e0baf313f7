/* cmd_match.c - xsm graph match: pattern queries (xsm-match(7)). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int max_hops_of(const struct xsm_cli *cli)
{
	long v = 8;
	if (xsm_config_get_int(&v, cli->cfg, cli->ctx, "paths.max_hops", 1, 64) < 0)
		v = 8;
	return (int)v;
}

int xsm_cli_graph_match(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	int limit = -1, max_results = 100000, n, rc, code = 0;
	struct xsm_opt opts[] = {
		{ "limit", 0, XSM_OPT_INT, &limit, NULL },
		{ "max-results", 0, XSM_OPT_INT, &max_results, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_match_opts mo = { XSM_MATCH_OPTS_VERSION, 8, 0 };
	xsm_graph *g = NULL;
	xsm_match *m = NULL;
	xsm_buf b = XSM_BUF_INIT, cell = XSM_BUF_INIT;
	size_t count, shown, i, ncols;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if (n != 1)
		return xsm_cli_usage(cli, "give one PATTERN, quoted: '(u:user)-[:\"member of\"*1..5]->(g:group)'");
	if (max_results < 1)
		return xsm_cli_usage(cli, "--max-results must be at least 1");
	if (limit < -1)
		return xsm_cli_usage(cli, "--limit must be 0 or more");
	mo.max_hops = max_hops_of(cli);
	mo.max_results = (size_t)max_results;
	/* a bad pattern is refused before a graph is loaded */
	if ((rc = xsm_match_check(cli->ctx, pos[0], mo.max_hops)) < 0) {
		xsm_cli_error("match: %s", xsm_ctx_errmsg(cli->ctx));
		return XSM_EXIT_USAGE;
	}
	if ((rc = xsm_graph_load(&g, cli->store, NULL, XSM_LOAD_NO_EDGE_PROPS | XSM_LOAD_READONLY)) < 0)
		return xsm_cli_fail(cli, rc);
	if ((rc = xsm_match_run(&m, g, pos[0], &mo)) < 0) {
		xsm_cli_error("match: %s", xsm_ctx_errmsg(cli->ctx));
		code = rc == XSM_ENOMEM ? XSM_EXIT_OSERR : XSM_EXIT_USAGE;
		goto done;
	}
	count = xsm_match_count(m);
	shown = limit >= 0 && (size_t)limit < count ? (size_t)limit : count;
	ncols = xsm_match_columns(m);
	if (cli->format == XSM_FMT_JSON) {
		xsm_jw w;
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.graph.match/1");
		xsm_jw_kstr(&w, "snapshot", xsm_graph_snapshot(g));
		xsm_jw_kstr(&w, "pattern", pos[0]);
		xsm_jw_kint(&w, "count", (int64_t)count);
		xsm_jw_kint(&w, "shown", (int64_t)shown);
		xsm_jw_key(&w, "columns");
		xsm_jw_arr(&w);
		for (i = 0; i < ncols; i++)
			xsm_jw_str(&w, xsm_match_column(m, i));
		xsm_jw_arr_end(&w);
		xsm_jw_key(&w, "matches");
		xsm_jw_arr(&w);
		for (i = 0; i < shown; i++) {
			xsm_buf one = XSM_BUF_INIT;
			xsm_match_json(&one, m, i);
			xsm_jw_rawn(&w, one.ptr ? one.ptr : "{}", one.ptr ? one.size : 2);
			xsm_buf_dispose(&one);
		}
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		if (w.err)
			code = xsm_cli_fail(cli, XSM_ENOMEM);
		else
			code = xsm_cli_emit(&b) < 0 ? XSM_EXIT_IOERR : 0;
	} else if (cli->format == XSM_FMT_JSONL) {
		for (i = 0; i < shown; i++) {
			xsm_buf_clear(&b);
			if (xsm_match_json(&b, m, i) < 0 || xsm_buf_putc(&b, '\n') < 0) {
				code = xsm_cli_fail(cli, XSM_ENOMEM);
				break;
			}
			fwrite(b.ptr, 1, b.size, stdout);
		}
	} else {
		struct xsm_table t;
		const char **head = calloc(ncols + 1, sizeof(*head));
		char **cells = calloc(ncols + 1, sizeof(*cells));
		if (!head || !cells) {
			free(head);
			free(cells);
			code = xsm_cli_fail(cli, XSM_ENOMEM);
			goto done;
		}
		for (i = 0; i < ncols; i++)
			head[i] = xsm_match_column(m, i);
		xsm_table_init(&t, (int)ncols, head);
		for (i = 0; i < shown; i++) {
			for (size_t k = 0; k < ncols; k++) {
				xsm_match_cell(&cell, m, i, k);
				cells[k] = cell.size ? strdup(cell.ptr) : NULL;
			}
			xsm_table_addv(&t, (const char *const *)cells);
			for (size_t k = 0; k < ncols; k++)
				free(cells[k]);
		}
		if (count)
			xsm_table_print(&t, stdout);
		xsm_table_free(&t);
		free(head);
		free(cells);
		if (!cli->quiet) {
			if (!count)
				fprintf(stderr, "no matches\n");
			else if (shown < count)
				fprintf(stderr, "%zu of %zu %s shown (--limit)\n", shown, count, xsm_plural(count, "match", "matches"));
		}
	}
done:
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&cell);
	xsm_match_free(m);
	xsm_graph_free(g);
	return code;
}
