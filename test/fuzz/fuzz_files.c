/*
 * fuzz_files.c - offline vendor exports as a user might be handed them:
 * the first byte picks the reader (% 4: .nessus, Qualys XML, Rapid7 CSV,
 * Tenable CSV; the corpus names its files with '0'..'3' first), the rest
 * is the file.  Records are normalised and checked against the record
 * vocabulary, not stored: a record the check refuses is a reader bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect/conn.h"
#include "ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fmt[] = { "nessus", "qualys-xml", "rapid7-csv", "tenable-csv" };
	static xsm_ctx *ctx;
	xsm__conn c;
	FILE *f;
	int rc;

	if (size < 1 || (!ctx && xsm_ctx_new(&ctx) < 0))
		return 0;
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.name = "fuzz";
	if (!(f = tmpfile()))
		return 0;
	if (write(fileno(f), data + 1, size - 1) == (ssize_t)(size - 1) && lseek(fileno(f), 0, SEEK_SET) == 0) {
		rc = xsm__file_parse(&c, fileno(f), fmt[data[0] % 4], "fuzz", NULL);
		if (rc < 0 && strstr(xsm_ctx_errmsg(ctx), "cannot normalise a record"))
			abort();
	}
	fclose(f);
	xsm_buf_dispose(&c.rec);
	xsm_buf_dispose(&c.sid);
	xsm_buf_dispose(&c.mended);
	xsm__strmap_free(&c.delta_keys);
	xsm_ctx_clear(ctx);
	return 0;
}
