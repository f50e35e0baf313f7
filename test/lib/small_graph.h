/*
 * small_graph.h - the small graph the match tests and the match fuzzer
 * run on: u1 -> g1 (Domain Admins) <-> g2 (a cycle) <- u2; g2 can
 * authenticate to d1; d1 routes traffic to itself.
 */
#ifndef XSM_TEST_SMALL_GRAPH_H
#define XSM_TEST_SMALL_GRAPH_H

#include <stdint.h>
#include <string.h>

#include "ctx.h"
#include "graph/graph.h"

/* a frozen graph the caller frees, or NULL on failure */
static inline xsm_graph *small_graph(xsm_ctx *ctx)
{
	static const char *const nodes[][3] = {
		{ "idn-u1", "user", "u1" }, { "idn-g1", "group", "Domain Admins" }, { "idn-g2", "group", "g2" },
		{ "dev-d1", "device", "d1" }, { "idn-u2", "user", "u2" },
	};
	static const int edges[][2] = { { 0, 1 }, { 1, 2 }, { 2, 1 }, { 4, 2 }, { 2, 3 }, { 3, 3 } };
	static const char *const labels[] = { "member of", "member of", "member of", "member of", "can authenticate to",
					      "routes traffic to" };
	xsm_graph *g;
	if (xsm__graph_new(&g, ctx) < 0)
		return NULL;
	for (size_t i = 0; i < 5; i++) {
		xsm__node n;
		memset(&n, 0, sizeof(n));
		if (xsm__graph_intern(g, nodes[i][0], &n.id) < 0 || xsm__graph_intern(g, nodes[i][1], &n.label) < 0 ||
		    xsm__graph_intern(g, nodes[i][2], &n.name) < 0 || xsm__vec_push(&g->nodes, n) < 0)
			goto fail;
	}
	for (size_t i = 0; i < 6; i++) {
		xsm__edge e;
		memset(&e, 0, sizeof(e));
		e.hid = i + 1;
		e.src = (uint32_t)edges[i][0];
		e.dst = (uint32_t)edges[i][1];
		if (xsm__graph_intern(g, labels[i], &e.label) < 0 || xsm__vec_push(&g->edges, e) < 0)
			goto fail;
	}
	if (xsm__graph_freeze(g) == 0)
		return g;
fail:
	xsm_graph_free(g);
	return NULL;
}

#endif
