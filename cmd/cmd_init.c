/* cmd_init.c - xsm init: create a store. */
#include "cli.h"

int cmd_init(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1];
	xsm_store *store = NULL;
	int n, rc;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 1)) < 0)
		return xsm_opt_exit(cli, n);
	if ((rc = xsm_store_resolve(&cli->store_dir, cli->ctx, n ? pos[0] : cli->store_opt)) < 0 ||
	    (rc = xsm_store_open(&store, cli->ctx, cli->store_dir.ptr, XSM_STORE_CREATE)) < 0)
		return xsm_cli_fail(cli, rc);
	if (cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL) {
		xsm_buf b = XSM_BUF_INIT;
		xsm_jw w;
		xsm_jw_init(&w, &b);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.init/1");
		xsm_jw_kstr(&w, "store", xsm_store_path(store));
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
		xsm_buf_dispose(&b);
	} else if (!cli->quiet) {
		printf("store ready at %s\n", xsm_store_path(store));
	}
	xsm_store_free(store);
	return 0;
}
