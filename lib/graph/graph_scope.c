/* graph_scope.c - a device scope on a loaded graph: out-of-scope devices are not there. */
#include <string.h>

#include "ctx.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/strmap.h"
#include "util/vec.h"

/*
 * rawData.notMergedWith names other nodes ("NODEID: reason"): keep only the
 * notes about nodes the scoped graph still has.
 */
static int scope_notes(xsm_graph *g)
{
	for (size_t i = 0; i < g->nodes.n; i++) {
		const xsm__prop *p = xsm__graph_prop_s(g, (uint32_t)i, "notMergedWith");
		uint32_t off, cnt, k, kept = 0, *keep;
		xsm__prop np;
		if (!p || p->type != XSM_V_STRS || !p->b)
			continue;
		off = p->a;
		cnt = p->b;
		if (!(keep = xsm__calloc(cnt, sizeof(*keep))))
			return xsm__error_oom(g->ctx);
		for (k = 0; k < cnt; k++) {
			const char *note = xsm__gstr(g, g->u32.v[off + k]), *colon = strstr(note, ": ");
			uint64_t v;
			if (colon && xsm__strmap_get(&g->by_id, note, (size_t)(colon - note), &v))
				keep[kept++] = g->u32.v[off + k];
		}
		if (kept < cnt) {
			memset(&np, 0, sizeof(np));
			np.type = XSM_V_STRS;
			np.a = (uint32_t)g->u32.n;
			np.b = kept;
			for (k = 0; k < kept; k++)
				if (xsm__vec_push(&g->u32, keep[k]) < 0) {
					xsm__free(keep);
					return xsm__error_oom(g->ctx);
				}
			if (xsm__graph_set_prop(g, (uint32_t)i, "notMergedWith", &np) < 0) {
				xsm__free(keep);
				return xsm__error_oom(g->ctx);
			}
		}
		xsm__free(keep);
	}
	return 0;
}

/*
 * Drop the devices the context's scope does not match, and every edge that
 * touches one, so that nothing read from this graph names them.  Nodes and
 * edges keep their order, so the graph stays sorted and freezes again
 * without sorting.
 */
int xsm__graph_apply_scope(xsm_graph *g)
{
	xsm_graph_filter *f = NULL;
	uint32_t *map = NULL, dev;
	size_t n = g->nodes.n, i, k;
	int rc;

	if (!g->ctx->scope)
		return 0;
	if ((rc = xsm__graph_readonly(g)) < 0)
		return rc;
	if ((rc = xsm_graph_filter_new(&f, g, g->ctx->scope)) < 0)
		return xsm__error_prefix(g->ctx, "scope '%s'", g->ctx->scope);
	if (!(map = xsm__calloc(n + 1, sizeof(*map)))) {
		xsm_graph_filter_free(f);
		return xsm__error_oom(g->ctx);
	}
	if (xsm__graph_intern(g, "device", &dev) < 0) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	for (i = 0; i < n; i++)
		map[i] = g->nodes.v[i].label != dev || xsm_graph_filter_match(f, i) ? 1 : 0;
	xsm_graph_filter_free(f); /* it may hold sets over the nodes as they are now */
	f = NULL;
	for (i = k = 0; i < n; i++) {
		if (!map[i]) {
			map[i] = UINT32_MAX;
			continue;
		}
		g->nodes.v[k] = g->nodes.v[i];
		map[i] = (uint32_t)k++;
	}
	g->nodes.n = k;
	for (i = k = 0; i < g->edges.n; i++) {
		xsm__edge e = g->edges.v[i];
		if (map[e.src] == UINT32_MAX || map[e.dst] == UINT32_MAX)
			continue;
		e.src = map[e.src];
		e.dst = map[e.dst];
		g->edges.v[k++] = e;
	}
	g->edges.n = k;
	g->frozen = 0;
	if ((rc = xsm__graph_freeze(g)) == 0)
		rc = scope_notes(g);
done:
	xsm_graph_filter_free(f);
	xsm__free(map);
	return rc;
}
