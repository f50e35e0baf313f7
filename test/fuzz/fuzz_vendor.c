/*
 * fuzz_vendor.c - what a hostile or broken vendor server could send: the
 * first byte picks the parser (Qualys XML, Tenable asset or vulnerability
 * chunk, ServiceNow table page, Defender machines, machine vulnerabilities
 * or catalogue page, Rapid7 v4 page or v3 vulnerability), the rest is the
 * body.  Records are
 * normalised and checked against the record vocabulary, not stored.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "connect/conn.h"
#include "ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static xsm_ctx *ctx;
	xsm__conn c;
	FILE *f;
	int fd;

	if (size < 1 || (!ctx && xsm_ctx_new(&ctx) < 0))
		return 0;
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.name = "fuzz";
	if (data[0] % 8 == 3) {
		xsm__servicenow_parse(&c, (const char *)data + 1, size - 1);
	} else if (data[0] % 8 == 7) {
		xsm__rapid7_parse(&c, (const char *)data + 1, size - 1);
	} else if ((f = tmpfile()) != NULL) {
		fd = fileno(f);
		if (write(fd, data + 1, size - 1) == (ssize_t)(size - 1)) {
			if (data[0] % 8 == 0)
				xsm__qualys_parse(&c, fd);
			else if (data[0] % 8 < 3)
				xsm__tenable_parse(&c, fd, data[0] % 8 == 2);
			else
				xsm__defender_parse(&c, fd, data[0] % 8 == 4   ? "machines"
							    : data[0] % 8 == 5 ? "machinesVulnerabilities"
									       : "vulnerabilities");
		}
		fclose(f);
	}
	xsm_buf_dispose(&c.rec);
	xsm_buf_dispose(&c.sid);
	xsm_buf_dispose(&c.mended);
	xsm__strmap_free(&c.delta_keys);
	xsm_ctx_clear(ctx);
	return 0;
}
