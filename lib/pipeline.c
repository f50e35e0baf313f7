/*
 * pipeline.c - what a build is: resolve the records into a graph, evaluate
 * critical asset rules on it, then write the snapshot.  Also the refresh
 * that re-evaluates rules on the current snapshot without re-resolving.
 * This file sits above graph and critical, so neither depends on the other.
 */
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "exposure/critical.h"
#include "exposure/paths.h"
#include "graph.h"
#include "util/buf.h"

/* everything derived from the resolved graph: criticality, then attack paths */
static int enrich(xsm_graph *g, xsm_store *store, xsm_buf files[2])
{
	xsm_rules *rules = NULL;
	xsm_attack_model *m = NULL;
	xsm_paths_stats ps;
	int rc = xsm_rules_load(&rules, store);
	if (rc == 0)
		rc = xsm_critical_apply(rules, g);
	if (rc == 0)
		rc = xsm_attack_model_load(&m, store);
	if (rc == 0)
		rc = xsm_paths_compute(&ps, &files[0], &files[1], g, m);
	xsm_rules_free(rules);
	xsm_attack_model_free(m);
	return rc;
}

static const char *const extra_names[] = { "paths.jsonl", "chokepoints.json" };

int xsm_graph_build(xsm_build_stats *st, xsm_store *store)
{
	xsm_graph *g = NULL;
	xsm_buf meta = XSM_BUF_INIT, files[2] = { XSM_BUF_INIT, XSM_BUF_INIT };
	int rc = xsm__graph_build_mem(&g, &meta, st, store);
	if (rc == 0)
		rc = enrich(g, store, files);
	if (rc == 0)
		rc = xsm__graph_write_snapshot(g, store, meta.ptr, 2, extra_names, files);
	if (rc == 0)
		snprintf(st->snapshot, sizeof(st->snapshot), "%s", g->snapshot);
	xsm_graph_free(g);
	xsm_buf_dispose(&meta);
	xsm_buf_dispose(&files[0]);
	xsm_buf_dispose(&files[1]);
	return rc;
}

int xsm_graph_refresh(char snapshot[40], xsm_store *store)
{
	xsm_graph *g = NULL;
	xsm_buf meta = XSM_BUF_INIT, old = XSM_BUF_INIT, files[2] = { XSM_BUF_INIT, XSM_BUF_INIT };
	const char *at;
	int rc = xsm_graph_load(&g, store, NULL, 0);

	if (rc < 0)
		return rc;
	if ((rc = enrich(g, store, files)) < 0)
		goto done;
	/* the metadata carries over, with a new snapshot id */
	xsm_buf_printf(&old, "\"snapshot\":\"%s\"", g->snapshot);
	at = strstr(xsm_graph_meta(g), old.ptr);
	if (!at) {
		rc = xsm__error_set(g->ctx, XSM_EINVALID, "snapshot '%s' has unreadable metadata", g->snapshot);
		goto done;
	}
	xsm_buf_put(&meta, xsm_graph_meta(g), (size_t)(at - xsm_graph_meta(g)));
	xsm_buf_puts(&meta, "\"snapshot\":null");
	xsm_buf_puts(&meta, at + old.size);
	while (meta.size && meta.ptr[meta.size - 1] == '\n')
		meta.ptr[--meta.size] = '\0';
	if ((rc = xsm__graph_write_snapshot(g, store, meta.ptr, 2, extra_names, files)) == 0 && snapshot)
		snprintf(snapshot, 40, "%s", g->snapshot);
done:
	xsm_graph_free(g);
	xsm_buf_dispose(&meta);
	xsm_buf_dispose(&old);
	xsm_buf_dispose(&files[0]);
	xsm_buf_dispose(&files[1]);
	return rc;
}
