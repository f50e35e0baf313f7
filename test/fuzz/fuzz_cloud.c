/*
 * fuzz_cloud.c - what a hostile or broken cloud security API could send:
 * the first byte picks the reader (even: a Wiz GraphQL answer with
 * cloudResources or vulnerabilityFindings nodes; odd: a Prisma Cloud
 * config search page or a Compute hosts or images array), the rest is the
 * body.  Records are normalised and checked against the record
 * vocabulary, not stored: a record the check refuses is a reader bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connect/conn.h"
#include "ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static xsm_ctx *ctx;
	xsm_sync_options opts = XSM_SYNC_OPTIONS_INIT;
	xsm__conn c;
	int rc;

	if (size < 1 || (!ctx && xsm_ctx_new(&ctx) < 0))
		return 0;
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.name = "fuzz";
	c.opts = &opts;
	rc = data[0] % 2 ? xsm__prisma_parse(&c, (const char *)data + 1, size - 1)
			 : xsm__wiz_parse(&c, (const char *)data + 1, size - 1);
	if (rc < 0 && strstr(xsm_ctx_errmsg(ctx), "cannot normalise a record"))
		abort();
	xsm_buf_dispose(&c.rec);
	xsm_buf_dispose(&c.sid);
	xsm_buf_dispose(&c.mended);
	xsm__strmap_free(&c.delta_keys);
	xsm_ctx_clear(ctx);
	return 0;
}
