/*
 * sources.c - a C program using the public libexposure API: open a store
 * read-only and print each source with its latest run and counts.
 *
 *   cc sources.c $(pkg-config --cflags --libs libexposure) -o sources
 *   ./sources [STORE]
 */
#include <stdio.h>

#include <exposure.h>

static int print_source(const xsm_source_info *s, void *payload)
{
	(void)payload;
	printf("%s\t%s\t%s\t%zu asset%s\t%zu finding%s\t%zu relation%s\n", s->name, s->status,
	       s->last_run ? s->last_run : "-", s->assets, s->assets == 1 ? "" : "s", s->findings,
	       s->findings == 1 ? "" : "s", s->relations, s->relations == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	xsm_ctx *ctx = NULL;
	xsm_store *store = NULL;
	xsm_buf dir = XSM_BUF_INIT;
	int rc;

	if ((rc = xsm_ctx_new(&ctx)) < 0)
		return 71;
	if ((rc = xsm_store_resolve(&dir, ctx, argc > 1 ? argv[1] : NULL)) < 0 ||
	    (rc = xsm_store_open(&store, ctx, dir.ptr, 0)) < 0 ||
	    (rc = xsm_sources_foreach(store, print_source, NULL)) < 0)
		fprintf(stderr, "sources: %s (%s)\n", xsm_ctx_errmsg(ctx), xsm_strerror(rc));
	xsm_store_free(store);
	xsm_buf_dispose(&dir);
	xsm_ctx_free(ctx);
	return rc < 0 ? 1 : 0;
}
