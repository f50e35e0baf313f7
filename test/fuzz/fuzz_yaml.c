/* fuzz_yaml.c - the YAML adapter (configuration, rules, connectors) on arbitrary input. */
#include <stdint.h>
#include <stdio.h>

#include "adapt/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static xsm_ctx *ctx;
	xsm__ynode *root = NULL;

	if (!ctx && xsm_ctx_new(&ctx) < 0)
		return 0;
	if (xsm__yaml_parse(&root, ctx, (const char *)data, size, "fuzz.yaml") == 0) {
		xsm__yaml_getstr(root, "a");
		xsm__yaml_get(root, "b");
		xsm__yaml_check(ctx, "fuzz.yaml", root, "the document", "a=s b=l c=m");
	}
	xsm__yaml_free(root);
	return 0;
}
