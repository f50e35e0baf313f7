/*
 * fuzz_match.c - the pattern language of xsm graph match (analysis/match.c)
 * on arbitrary input.  Checked: an error is "col N: ..." with N inside the
 * query (or one past its end); what the graph-less check accepts, a run
 * on a small graph (a user in a cycle of groups that reaches a device)
 * accepts too, or refuses with the same message, and every row it gives
 * can be printed as JSON and as text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "exposure/match.h"
#include "graph/graph.h"
#include "small_graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_col(const char *msg, size_t len)
{
	long c;
	if (strncmp(msg, "col ", 4))
		abort();
	c = strtol(msg + 4, NULL, 10);
	if (c < 1 || (size_t)c > len + 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static xsm_ctx *ctx;
	static xsm_graph *g;
	xsm_match_opts o = { XSM_MATCH_OPTS_VERSION, 4, 50 };
	xsm_match *m = NULL;
	char *q, first[1024];
	int rc, rc2;

	if (!ctx && xsm_ctx_new(&ctx) < 0)
		return 0;
	if (!g && !(g = small_graph(ctx)))
		return 0;
	if (size > 4096 || !(q = malloc(size + 1)))
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	rc = xsm_match_check(ctx, q, 4);
	if (rc == XSM_EINVALID || rc == XSM_EUSAGE)
		check_col(xsm_ctx_errmsg(ctx), strlen(q));
	snprintf(first, sizeof(first), "%s", xsm_ctx_errmsg(ctx));
	rc2 = xsm_match_run(&m, g, q, &o);
	if (rc == 0 && rc2 < 0 && !strstr(xsm_ctx_errmsg(ctx), "--max-results"))
		abort(); /* the check accepted what a run refuses */
	if (rc < 0 && (rc2 >= 0 || strcmp(first, xsm_ctx_errmsg(ctx))))
		abort(); /* a run must refuse what the check refuses, in the same words */
	if (m) {
		xsm_buf b = XSM_BUF_INIT;
		for (size_t i = 0; i < xsm_match_count(m); i++) {
			xsm_buf_clear(&b);
			if (xsm_match_json(&b, m, i) < 0)
				abort();
			for (size_t k = 0; k < xsm_match_columns(m); k++)
				xsm_match_cell(&b, m, i, k);
		}
		xsm_buf_dispose(&b);
	}
	xsm_match_free(m);
	free(q);
	return 0;
}
