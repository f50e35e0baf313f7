/*
 * graph_rel.c - memberOf(X) and loggedOnBy(X) over a frozen graph.
 *
 * A relation term is answered as a set, made once when the expression is
 * compiled: the nodes that match X (the seeds) are found among the nodes
 * that are the far end of some edge of the relation, then one traversal
 * against the edges marks every node in the relation to a seed.  For
 * memberOf that is a multi-source breadth-first walk of the reversed
 * "member of" edges: each node is queued once, each edge read once, so
 * nesting of any depth and cycles cost O(nodes + edges) a term, and
 * nothing is kept per node but the set's bits.  Nested membership is
 * never stored (a directory's closure is quadratic).
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "analysis/expr.h"
#include "graph/graph.h"
#include "util/alloc.h"

struct relset {
	uint64_t *in;   /* nodes in the relation */
	uint64_t *seed; /* nodes matching the inner expression */
};

static const char *const rel_labels[XSM_REL_N] = { "member of", "frequently logged in by" };

static int bit(const uint64_t *b, size_t i)
{
	return (int)(b[i / 64] >> (i % 64) & 1);
}

static void set_bit(uint64_t *b, size_t i)
{
	b[i / 64] |= 1ULL << (i % 64);
}

/* the relation's edge label id, 0 when no edge has it */
static int rel_label(const xsm_graph *g, int rel, uint32_t *label)
{
	const char *l = rel_labels[rel];
	return xsm__strpool_find(&g->s, l, strlen(l), label);
}

void xsm__graph_rel_ends_free(xsm_graph *g)
{
	for (int r = 0; r < XSM_REL_N; r++) {
		xsm__free(g->rel_ends[r].v);
		memset(&g->rel_ends[r], 0, sizeof(g->rel_ends[r]));
	}
}

/* the nodes with an incoming edge of the relation, in index order (made once a graph) */
static int rel_ends(xsm_graph *g, int rel, uint32_t label, const uint32_t **v, size_t *n)
{
	struct xsm__relends *re = &g->rel_ends[rel];
	if (!re->made) {
		size_t cnt = 0, k = 0;
		for (size_t i = 0; i < g->nodes.n; i++)
			for (uint32_t e = g->in_off[i]; e < g->in_off[i + 1]; e++)
				if (g->edges.v[g->in_edge[e]].label == label) {
					cnt++;
					break;
				}
		if (!(re->v = xsm__calloc(cnt + 1, sizeof(*re->v))))
			return XSM_ENOMEM;
		for (size_t i = 0; i < g->nodes.n; i++)
			for (uint32_t e = g->in_off[i]; e < g->in_off[i + 1]; e++)
				if (g->edges.v[g->in_edge[e]].label == label) {
					re->v[k++] = (uint32_t)i;
					break;
				}
		re->n = cnt;
		re->made = 1;
	}
	*v = re->v;
	*n = re->n;
	return 0;
}

void xsm__graph_rel_free(void *host, void *set)
{
	struct relset *s = set;
	(void)host;
	if (!s)
		return;
	xsm__free(s->in);
	xsm__free(s->seed);
	xsm__free(s);
}

/* memberOf: every node with a path of one or more "member of" edges to a seed */
static int walk_members(const xsm_graph *g, uint32_t label, struct relset *s, const uint32_t *seeds, size_t nseeds)
{
	size_t n = g->nodes.n, words = n / 64 + 1, head = 0, tail = 0;
	uint64_t *queued = xsm__calloc(words, sizeof(*queued));
	uint32_t *queue = xsm__calloc(n + 1, sizeof(*queue));
	if (!queued || !queue) {
		xsm__free(queued);
		xsm__free(queue);
		return XSM_ENOMEM;
	}
	for (size_t k = 0; k < nseeds; k++) {
		set_bit(queued, seeds[k]);
		queue[tail++] = seeds[k];
	}
	while (head < tail) {
		uint32_t u = queue[head++];
		for (uint32_t e = g->in_off[u]; e < g->in_off[u + 1]; e++) {
			const xsm__edge *ed = &g->edges.v[g->in_edge[e]];
			if (ed->label != label)
				continue;
			set_bit(s->in, ed->src);
			if (!bit(queued, ed->src)) {
				set_bit(queued, ed->src);
				queue[tail++] = ed->src;
			}
		}
	}
	xsm__free(queued);
	xsm__free(queue);
	return 0;
}

int xsm__graph_relate(void *host, int rel, int (*match)(const void *arg, const void *item), const void *arg,
		      void **out)
{
	xsm_graph *g = host;
	size_t n = g->nodes.n, words = n / 64 + 1, nends = 0, nseeds = 0;
	struct relset *s = xsm__calloc(1, sizeof(*s));
	const uint32_t *ends = NULL;
	uint32_t label, *seeds = NULL;
	int rc = 0;

	*out = NULL;
	if (!s || !(s->in = xsm__calloc(words, sizeof(uint64_t))) || !(s->seed = xsm__calloc(words, sizeof(uint64_t))))
		goto oom;
	if (!g->in_off || !rel_label(g, rel, &label))
		goto done; /* no such edge: an empty relation */
	if ((rc = rel_ends(g, rel, label, &ends, &nends)) < 0 || !(seeds = xsm__calloc(nends + 1, sizeof(*seeds))))
		goto oom;
	for (size_t k = 0; k < nends; k++)
		if (match(arg, (const void *)(uintptr_t)ends[k])) {
			set_bit(s->seed, ends[k]);
			seeds[nseeds++] = ends[k];
		}
	if (rel == XSM_REL_MEMBER_OF) {
		if (walk_members(g, label, s, seeds, nseeds) < 0)
			goto oom;
	} else {
		for (size_t k = 0; k < nseeds; k++)
			for (uint32_t e = g->in_off[seeds[k]]; e < g->in_off[seeds[k] + 1]; e++)
				if (g->edges.v[g->in_edge[e]].label == label)
					set_bit(s->in, g->edges.v[g->in_edge[e]].src);
	}
done:
	xsm__free(seeds);
	*out = s;
	return 0;
oom:
	xsm__free(seeds);
	xsm__graph_rel_free(g, s);
	return XSM_ENOMEM;
}

int xsm__graph_in_rel(void *host, const void *set, const void *item)
{
	(void)host;
	return bit(((const struct relset *)set)->in, (size_t)(uintptr_t)item);
}

/*
 * The shortest chain from item along the relation's edges to a seed,
 * through nodes in the relation: item, the groups between, the seed.
 */
const void *xsm__graph_rel_witness(void *host, int rel, const void *set, const void *item,
				   void (*step)(void *arg, const void *item), void *arg)
{
	const xsm_graph *g = host;
	const struct relset *s = set;
	uint32_t label, from = (uint32_t)(uintptr_t)item, found = UINT32_MAX, last = 0, head = 0, tail = 0;
	uint32_t *prev = NULL, *queue = NULL, *path = NULL;
	size_t n = g->nodes.n, len = 0;

	if (!rel_label(g, rel, &label) || !bit(s->in, from) || !(prev = xsm__malloc((n + 1) * sizeof(*prev))) ||
	    !(queue = xsm__malloc((n + 1) * sizeof(*queue))))
		goto done;
	memset(prev, 0xff, (n + 1) * sizeof(*prev));
	queue[tail++] = from;
	prev[from] = from;
	while (head < tail && found == UINT32_MAX) {
		uint32_t u = queue[head++];
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			const xsm__edge *ed = &g->edges.v[g->out_edge[e]];
			if (ed->label != label)
				continue;
			if (bit(s->seed, ed->dst)) { /* the seed may be item itself, through a cycle */
				found = ed->dst;
				last = u;
				break;
			}
			if (rel == XSM_REL_MEMBER_OF && prev[ed->dst] == UINT32_MAX && bit(s->in, ed->dst)) {
				prev[ed->dst] = u;
				queue[tail++] = ed->dst;
			}
		}
	}
	if (found != UINT32_MAX && !(path = xsm__malloc((n + 2) * sizeof(*path))))
		found = UINT32_MAX;
	if (found == UINT32_MAX)
		goto done;
	path[len++] = found;
	for (uint32_t v = last;; v = prev[v]) {
		path[len++] = v;
		if (v == from)
			break;
	}
	for (size_t k = len; k-- > 0;)
		step(arg, (const void *)(uintptr_t)path[k]);
done:
	xsm__free(prev);
	xsm__free(queue);
	xsm__free(path);
	return found == UINT32_MAX ? NULL : (const void *)(uintptr_t)found;
}
