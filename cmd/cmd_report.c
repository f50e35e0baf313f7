/* cmd_report.c - xsm report: the exposure of the current snapshot as one self-contained HTML page. */
#include <string.h>

#include "cli.h"

int cmd_report(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *out = NULL, *pos[1];
	struct xsm_opt opts[] = {
		{ "output", 'o', XSM_OPT_STR, &out, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_buf b = XSM_BUF_INIT;
	int n, rc, code;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (cli->format_name && strcmp(cli->format_name, "html"))
		return xsm_cli_usage(cli, "a report is HTML: --format=%s is not offered", cli->format_name);
	if ((code = xsm_cli_refuse_tty(cli, out, "HTML", "xsm report -o report.html")) != 0)
		return code;
	if ((rc = xsm_report_html(&b, cli->store, NULL)) < 0) {
		xsm_buf_dispose(&b);
		return xsm_cli_fail(cli, rc);
	}
	code = xsm_cli_write_file(cli, out, &b);
	xsm_buf_dispose(&b);
	return code;
}
