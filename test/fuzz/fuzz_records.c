/* fuzz_records.c - the record validator on arbitrary lines (the parser every source goes through), and vendor text mending. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/json.h"
#include "store/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static xsm_ctx *ctx;
	const char *p = (const char *)data, *end = p + size;
	char why[512];

	if (!ctx && xsm_ctx_new(&ctx) < 0)
		return 0;
	/* one record per line, as ingest reads them */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		xsm__json *j = NULL;
		if (xsm__json_parse(&j, ctx, p, len, "fuzz:") == 0) {
			xsm_buf m = XSM_BUF_INIT;
			size_t fixed;
			int strict = xsm__json_strict_check(p, len, why, sizeof(why));
			xsm__record_check(j, "s", why, sizeof(why));
			xsm__record_check(j, NULL, why, sizeof(why));
			/* what mending gives is JSON that the strict check accepts; nothing to mend when it accepts */
			if (xsm__json_sanitize(&m, p, len, &fixed) == 0) {
				if (fixed ? xsm__json_strict_check(m.ptr, m.size, why, sizeof(why)) != 0 : strict != 0)
					abort();
			}
			xsm_buf_dispose(&m);
		}
		xsm__json_free(j);
		p += len + 1;
	}
	return 0;
}
