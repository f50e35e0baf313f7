/*
 * paths.c - attack paths: the attack model, walkable adjacency, multi-source
 * bit-parallel BFS (256 targets a pass, four uint64 words per node, top-down
 * or bottom-up by level, each lane's distance to each node kept in bit
 * planes so each pair's shortest path can be walked back), the path list the build and what-if share, choke
 * points, blast radius.
 *
 * Tie rule: of several shortest paths, the one taken steps, at each hop from
 * the entry towards the target, to the neighbour with the smallest node
 * index (nodes are sorted by NodeId, so: the smallest NodeId), over the
 * edge of that neighbour listed first (by label).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/yaml.h"
#include "ctx.h"
#include "exposure/critical.h"
#include "exposure/paths.h"
#include "analysis/expr.h"
#include "graph/graph.h"
#include "analysis/paths.h"
#include "analysis/paths_store.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/strmap.h"
#include "util/vec.h"

#ifndef XSM_DATADIR
#define XSM_DATADIR "/usr/local/share/xsm"
#endif

int xsm_risk_parse(const char *s)
{
	static const char *n[] = { "critical", "high", "medium", "low" };
	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, n[i]))
			return i;
	return -1;
}

const char *xsm_risk_name(int r)
{
	static const char *n[] = { "critical", "high", "medium", "low" };
	return r >= 0 && r < 4 ? n[r] : "low";
}

/* --- the model ------------------------------------------------------------------------ */

/* the longest path the model may ask for (max_hops): bounds a path's arrays */
enum { MAX_HOPS = 64 };

struct walk {
	char *label;
	int fwd, rev;
};

struct entry_rule {
	char *name, *when;
	int exploit;
};

struct xsm_attack_model {
	xsm_ctx *ctx;
	XSM__VEC(struct walk) walk;
	XSM__VEC(struct entry_rule) entry;
	int target_level, max_hops;
	long max_per_target;
};

void xsm_attack_model_free(xsm_attack_model *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->walk.n; i++)
		xsm__free(m->walk.v[i].label);
	for (i = 0; i < m->entry.n; i++) {
		xsm__free(m->entry.v[i].name);
		xsm__free(m->entry.v[i].when);
	}
	xsm__vec_free(&m->walk);
	xsm__vec_free(&m->entry);
	xsm__free(m);
}

static int int_key(xsm_attack_model *m, const char *file, const xsm__ynode *root, const char *key, int lo, int hi,
		   int *out)
{
	const xsm__ynode *n = xsm__yaml_get(root, key);
	char *end;
	long v;
	if (!n)
		return 0;
	v = n->type == XSM_Y_SCALAR ? strtol(n->scalar, &end, 10) : 0;
	if (n->type != XSM_Y_SCALAR || *end || v < lo || v > hi)
		return xsm__yaml_error(m->ctx, file, n, "'%s' must be an integer from %d to %d", key, lo, hi);
	*out = (int)v;
	return 0;
}

static int load_model_file(xsm_attack_model *m, const char *path, int required)
{
	xsm__ynode *root = NULL;
	const xsm__ynode *l;
	size_t i;
	int rc = xsm__yaml_load_opt(&root, m->ctx, path), v;

	if (rc < 0)
		return rc;
	if (!root)
		return required ? xsm__error_set(m->ctx, XSM_ECONFIG, "cannot find the attack model '%s'", path) : 0;
	if ((rc = xsm__yaml_check(m->ctx, path, root, "the document",
				  "target_level=s max_hops=s max_per_target=s edges=l entry_points=l")) < 0 ||
	    (rc = int_key(m, path, root, "target_level", 0, 3, &m->target_level)) < 0 ||
	    (rc = int_key(m, path, root, "max_hops", 1, MAX_HOPS, &m->max_hops)) < 0)
		goto done;
	v = (int)m->max_per_target;
	if ((rc = int_key(m, path, root, "max_per_target", 1, 100000000, &v)) < 0)
		goto done;
	m->max_per_target = v;
	if ((l = xsm__yaml_get(root, "edges"))) {
		if (l->type != XSM_Y_SEQ) {
			rc = xsm__yaml_error(m->ctx, path, l, "'edges' must be a list");
			goto done;
		}
		for (i = 0; i < m->walk.n; i++)
			xsm__free(m->walk.v[i].label);
		m->walk.n = 0;
		for (i = 0; i < l->n; i++) {
			const char *lab = xsm__yaml_getstr(l->items[i], "label"), *dir = xsm__yaml_getstr(l->items[i], "direction");
			struct walk w;
			if ((rc = xsm__yaml_check(m->ctx, path, l->items[i], "an edge", "label=s direction=s")) < 0)
				goto done;
			if (!lab || !dir || (strcmp(dir, "forward") && strcmp(dir, "reverse") && strcmp(dir, "both"))) {
				rc = xsm__yaml_error(m->ctx, path, l->items[i], "an edge needs a label and a direction (forward, reverse, both)");
				goto done;
			}
			if (!strcmp(lab, "affecting")) {
				rc = xsm__yaml_error(m->ctx, path, l->items[i], "'affecting' edges cannot be walked");
				goto done;
			}
			w.label = xsm__strdup(lab);
			w.fwd = strcmp(dir, "reverse") != 0;
			w.rev = strcmp(dir, "forward") != 0;
			if (!w.label || xsm__vec_push(&m->walk, w) < 0) {
				xsm__free(w.label);
				rc = xsm__error_oom(m->ctx);
				goto done;
			}
		}
	}
	if ((l = xsm__yaml_get(root, "entry_points"))) {
		if (l->type != XSM_Y_SEQ) {
			rc = xsm__yaml_error(m->ctx, path, l, "'entry_points' must be a list");
			goto done;
		}
		for (i = 0; i < m->entry.n; i++) {
			xsm__free(m->entry.v[i].name);
			xsm__free(m->entry.v[i].when);
		}
		m->entry.n = 0;
		for (i = 0; i < l->n; i++) {
			const char *name = xsm__yaml_getstr(l->items[i], "name"), *when = xsm__yaml_getstr(l->items[i], "when");
			const char *ex = xsm__yaml_getstr(l->items[i], "exploitability");
			struct entry_rule e;
			if ((rc = xsm__yaml_check(m->ctx, path, l->items[i], "an entry point", "name=s when=s exploitability=s")) < 0)
				goto done;
			if (!name || !when || !ex || strlen(ex) != 1 || ex[0] < '0' || ex[0] > '2') {
				rc = xsm__yaml_error(m->ctx, path, l->items[i], "an entry point needs name, when and exploitability 0-2");
				goto done;
			}
			/* a bad expression is the file's fault, found when it is read and not by a build */
			if ((rc = xsm__expr_check(m->ctx, when)) == XSM_ENOMEM)
				goto done;
			if (rc < 0) {
				char msg[1024];
				snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(m->ctx));
				rc = xsm__yaml_error(m->ctx, path, xsm__yaml_get(l->items[i], "when"), "entry point '%s': %s",
						     name, msg);
				goto done;
			}
			e.name = xsm__strdup(name);
			e.when = xsm__strdup(when);
			e.exploit = ex[0] - '0';
			if (!e.name || !e.when || xsm__vec_push(&m->entry, e) < 0) {
				xsm__free(e.name);
				xsm__free(e.when);
				rc = xsm__error_oom(m->ctx);
				goto done;
			}
		}
	}
done:
	xsm__yaml_free(root);
	return rc;
}

int xsm_attack_model_load(xsm_attack_model **out, xsm_store *store)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	const xsm_config *cfg = xsm_ctx_config(ctx);
	const char *dir = cfg ? xsm_config_get(cfg, "data.dir") : NULL;
	xsm_attack_model *m = xsm__calloc(1, sizeof(*m));
	xsm_buf path = XSM_BUF_INIT;
	int rc;

	*out = NULL;
	if (!m)
		return xsm__error_oom(ctx);
	m->ctx = ctx;
	m->target_level = (int)xsm__cfg_long(ctx, "paths.target_level", 1);
	m->max_hops = (int)xsm__cfg_long(ctx, "paths.max_hops", 8);
	m->max_per_target = xsm__cfg_long(ctx, "paths.max_per_target", 1000);
	if (xsm_buf_printf(&path, "%s/attack-model.yaml", dir && *dir ? dir : XSM_DATADIR) < 0)
		rc = xsm__error_oom(ctx);
	else if ((rc = load_model_file(m, path.ptr, 1)) == 0) {
		xsm_buf_clear(&path);
		if (xsm_buf_printf(&path, "%s/attack-model.yaml", xsm_store_path(store)) < 0)
			rc = xsm__error_oom(ctx);
		else
			rc = load_model_file(m, path.ptr, 0);
	}
	/* settings given explicitly (-c, environment) win over the files */
	if (rc == 0 && cfg) {
		const char *o = xsm_config_origin(cfg, "paths.max_hops");
		if (o && strcmp(o, "default"))
			m->max_hops = (int)xsm__cfg_long(ctx, "paths.max_hops", m->max_hops);
		o = xsm_config_origin(cfg, "paths.max_per_target");
		if (o && strcmp(o, "default"))
			m->max_per_target = xsm__cfg_long(ctx, "paths.max_per_target", m->max_per_target);
		o = xsm_config_origin(cfg, "paths.target_level");
		if (o && strcmp(o, "default"))
			m->target_level = (int)xsm__cfg_long(ctx, "paths.target_level", m->target_level);
	}
	xsm_buf_dispose(&path);
	if (rc < 0) {
		xsm_attack_model_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

/* --- walkable adjacency ------------------------------------------------------------------ */

struct csr {
	uint32_t n;
	uint32_t *off, *adj, *eid;
};

static void csr_free(struct csr *c)
{
	xsm__free(c->off);
	xsm__free(c->adj);
	xsm__free(c->eid);
	memset(c, 0, sizeof(*c));
}

struct arc {
	uint32_t from, to, eid;
};

/* a stable counting sort of m arcs from src into dst by from (by_from) or by to: O(m + n) */
static int arcs_by(struct arc *dst, const struct arc *src, size_t m, uint32_t n, int by_from)
{
	size_t *at = xsm__calloc((size_t)n + 1, sizeof(size_t)), i, sum = 0;
	if (!at)
		return XSM_ENOMEM;
	for (i = 0; i < m; i++)
		at[by_from ? src[i].from : src[i].to]++;
	for (i = 0; i <= n; i++) {
		size_t c = at[i];
		at[i] = sum;
		sum += c;
	}
	for (i = 0; i < m; i++)
		dst[at[by_from ? src[i].from : src[i].to]++] = src[i];
	xsm__free(at);
	return 0;
}

/*
 * The arcs (made in edge order) as a CSR in (from, to, edge) order: sorted
 * by to, then stably by from, so the edge order stays within equal pairs.
 */
static int csr_from_arcs(xsm_ctx *ctx, struct csr *c, uint32_t n, struct arc *arcs, size_t m)
{
	struct arc *tmp = xsm__malloc((m + 1) * sizeof(*tmp));
	size_t i;
	if (!tmp || arcs_by(tmp, arcs, m, n, 0) < 0 || arcs_by(arcs, tmp, m, n, 1) < 0) {
		xsm__free(tmp);
		return xsm__error_oom(ctx);
	}
	xsm__free(tmp);
	c->n = n;
	c->off = xsm__calloc_big((size_t)n + 1, sizeof(uint32_t));
	c->adj = xsm__calloc_big(m + 1, sizeof(uint32_t));
	c->eid = xsm__calloc_big(m + 1, sizeof(uint32_t));
	if (!c->off || !c->adj || !c->eid)
		return xsm__error_oom(ctx);
	for (i = 0; i < m; i++) {
		c->off[arcs[i].from + 1]++;
		c->adj[i] = arcs[i].to;
		c->eid[i] = arcs[i].eid;
	}
	for (i = 0; i < n; i++)
		c->off[i + 1] += c->off[i];
	return 0;
}

/* forward: the attacker's direction; reverse: the same arcs turned around */
static int build_walk(xsm_graph *g, const xsm_attack_model *m, struct csr *fwd, struct csr *rev)
{
	size_t i, k, na = 0;
	struct arc *arcs = NULL;
	uint32_t *fwd_label = NULL, *rev_label = NULL;
	int rc = 0;

	if (!(arcs = xsm__calloc(g->edges.n * 2 + 1, sizeof(*arcs))))
		return xsm__error_oom(g->ctx);
	if (!(fwd_label = xsm__calloc(g->s.n + 1, sizeof(uint32_t))) || !(rev_label = xsm__calloc(g->s.n + 1, sizeof(uint32_t)))) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	for (k = 0; k < m->walk.n; k++) {
		uint32_t id;
		if (xsm__strpool_find(&g->s, m->walk.v[k].label, strlen(m->walk.v[k].label), &id)) {
			fwd_label[id] |= (uint32_t)m->walk.v[k].fwd;
			rev_label[id] |= (uint32_t)m->walk.v[k].rev;
		}
	}
	for (i = 0; i < g->edges.n; i++) {
		const xsm__edge *e = &g->edges.v[i];
		if (fwd_label[e->label])
			arcs[na++] = (struct arc){ e->src, e->dst, (uint32_t)i };
		if (rev_label[e->label])
			arcs[na++] = (struct arc){ e->dst, e->src, (uint32_t)i };
	}
	if ((rc = csr_from_arcs(g->ctx, fwd, (uint32_t)g->nodes.n, arcs, na)) < 0)
		goto done;
	for (i = 0; i < na; i++) {
		uint32_t t = arcs[i].from;
		arcs[i].from = arcs[i].to;
		arcs[i].to = t;
	}
	rc = csr_from_arcs(g->ctx, rev, (uint32_t)g->nodes.n, arcs, na);
done:
	xsm__free(arcs);
	xsm__free(fwd_label);
	xsm__free(rev_label);
	return rc;
}

/* --- MS-BFS ------------------------------------------------------------------------------- */

/*
 * A pass carries LANES targets at once, W 64-bit words a node: one walk
 * over the frontier's arcs serves them all.  256 lanes keep a node's
 * record (seen and next) in one 64-byte cache line, and the W-word loops
 * are plain C the compiler vectorises.
 */
enum { W = 4, LANES = 64 * W };

/* a node's lanes: reached so far, and reached at the level being expanded */
struct lanes {
	uint64_t seen[W], next[W];
};

struct bfs {
	const struct csr *fwd, *rev;
	uint32_t n;
	int max_hops;
	/*
	 * The distance at which each lane first reached each node, kept (for
	 * walking paths back) as bit planes: dist[(w * (n + 1) + v) * nplanes
	 * + p] holds bit p of distance - 1 for the lanes of word w that
	 * reached v at distance 1 or more (a lane's planes side by side, and
	 * a word's for every node a quarter of the table: what walking a
	 * lane's paths back reads stays in cache), so a
	 * level is found with a few word operations and costs log2(max_hops)
	 * planes a node, not max_hops + 1 tables.  Distance 0 is the source
	 * itself: srclane[v] is its lane + 1, src[lane] the pass's source.
	 * NULL: reach only.
	 */
	uint64_t *dist;
	uint32_t *srclane;
	const uint32_t *src;
	int nplanes;
	struct lanes *st;
	uint32_t *active, *next_active;
	uint64_t *abits, *next_abits; /* the lanes active[i] brings to the next level, W words each */
	uint64_t *front;    /* bottom-up levels: front[u * W + w], the lanes u brings (zero elsewhere) */
	uint64_t arcs;      /* reverse arcs in all */
	uint32_t *touched;  /* nodes a pass set, for bfs_clear */
	size_t ntouched;
	int64_t blocked;    /* a node treated as removed, or -1 */
	const uint64_t *cut; /* edges treated as removed (a bitmap by edge index), or NULL */
	const uint8_t *near; /* hops from the nearest entry point (NO_ENTRY: none within max_hops), or NULL */
};

/* node v's planes for the lanes of word w */
static inline uint64_t *planes(const struct bfs *b, uint32_t v, int w)
{
	return b->dist + ((size_t)w * ((size_t)b->n + 1) + v) * (size_t)b->nplanes;
}

static int lane_test(const uint64_t *words, int lane)
{
	return (int)(words[lane >> 6] >> (lane & 63) & 1);
}

/* the lanes that first reached v at distance l (l <= max_hops), into out */
static void level_bits(const struct bfs *b, uint32_t v, int l, uint64_t out[W])
{
	const uint64_t *seen = b->st[v].seen;
	uint32_t sl = b->srclane[v];
	for (int w = 0; w < W; w++)
		out[w] = 0;
	if (l == 0) {
		if (sl)
			out[(sl - 1) >> 6] = 1ULL << ((sl - 1) & 63);
		return;
	}
	for (int w = 0; w < W; w++) {
		const uint64_t *d = planes(b, v, w);
		uint64_t x = seen[w];
		for (int p = 0; p < b->nplanes; p++)
			x &= (((unsigned)(l - 1) >> p) & 1) ? d[p] : ~d[p];
		out[w] = x;
	}
	if (sl)
		out[(sl - 1) >> 6] &= ~(1ULL << ((sl - 1) & 63));
}

/* the distance at which lane first reached v, or -1 */
static int lane_dist(const struct bfs *b, uint32_t v, int lane)
{
	int w = lane >> 6, l = 0;
	const uint64_t *d = planes(b, v, w);
	uint64_t bit = 1ULL << (lane & 63);
	if (b->srclane[v] == (uint32_t)lane + 1)
		return 0;
	if (!(b->st[v].seen[w] & bit))
		return -1;
	for (int p = 0; p < b->nplanes; p++)
		if (d[p] & bit)
			l |= 1 << p;
	return l + 1;
}

/*
 * A test of "lane first reached v at distance l" for many v: the lane's
 * word and the planes' bits it wants, found once.  Mostly one cache line
 * read a node, without a branch a plane.
 */
struct probe {
	int l, np;
	const uint64_t *base; /* the lane's word of node 0's planes */
	size_t stride;        /* words a node */
	uint64_t bit, want[8];
};

static void probe_init(struct probe *q, const struct bfs *b, int lane, int l)
{
	q->l = l;
	q->np = b->nplanes;
	q->base = planes(b, 0, lane >> 6);
	q->stride = (size_t)q->np;
	q->bit = 1ULL << (lane & 63);
	for (int p = 0; p < q->np; p++)
		q->want[p] = l > 0 && (((unsigned)(l - 1) >> p) & 1) ? q->bit : 0;
}

static inline int probe_at(const struct bfs *b, const struct probe *q, uint32_t v, int lane)
{
	const uint64_t *d = q->base + (size_t)v * q->stride;
	uint64_t x;
	if (q->l == 0)
		return b->src[lane] == v;
	if (q->np == 3) /* max_hops 5 to 8, the default 8 among them */
		x = ((d[0] & q->bit) ^ q->want[0]) | ((d[1] & q->bit) ^ q->want[1]) | ((d[2] & q->bit) ^ q->want[2]);
	else {
		x = 0;
		for (int p = 0; p < q->np; p++)
			x |= (d[p] & q->bit) ^ q->want[p];
	}
	/* distance 1 has every plane clear, as a lane that never reached v has */
	return !x && (q->l > 1 || ((b->st[v].seen[lane >> 6] & q->bit) && b->src[lane] != v));
}


static int edge_cut(const uint64_t *cut, uint32_t e)
{
	return cut && (cut[e >> 6] >> (e & 63) & 1);
}

enum { NO_ENTRY = 255 };

/*
 * Hops from the nearest entry point to every node, in the attacker's
 * direction, up to max_hops.  A search from the targets need not go on
 * from a node l hops out when l + near[node] > max_hops: no entry point is
 * close enough behind it.  Every node of a path within max_hops passes
 * that test, and removing a node only makes near[] larger, so paths, hop
 * counts and cut pairs are what the unpruned search finds.
 */
static uint8_t *entry_distances(const struct csr *fwd, const uint32_t *entries, size_t nentries, int max_hops)
{
	uint8_t *near = xsm__malloc((size_t)fwd->n + 1);
	uint32_t *queue = xsm__malloc(((size_t)fwd->n + 1) * sizeof(uint32_t));
	size_t head = 0, tail = 0;
	if (!near || !queue) {
		xsm__free(near);
		xsm__free(queue);
		return NULL;
	}
	memset(near, NO_ENTRY, (size_t)fwd->n + 1);
	for (size_t i = 0; i < nentries; i++)
		if (near[entries[i]]) {
			near[entries[i]] = 0;
			queue[tail++] = entries[i];
		}
	while (head < tail) {
		uint32_t u = queue[head++];
		if (near[u] >= max_hops)
			continue;
		for (uint32_t e = fwd->off[u]; e < fwd->off[u + 1]; e++) {
			uint32_t v = fwd->adj[e];
			if (near[v] == NO_ENTRY) {
				near[v] = (uint8_t)(near[u] + 1);
				queue[tail++] = v;
			}
		}
	}
	xsm__free(queue);
	return near;
}

/*
 * levels: keep per-level lanes (for walking paths back); without, only what
 * is reached.  Plain calloc: its pages come zeroed from the kernel as they
 * are first touched, where a huge-page table cleared up front (calloc_big)
 * cost seconds a search at 1M nodes.
 */
static int bfs_init(struct bfs *b, const struct csr *fwd, const struct csr *rev, int max_hops, int levels)
{
	size_t n;
	memset(b, 0, sizeof(*b));
	b->fwd = fwd;
	b->rev = rev;
	b->n = fwd->n;
	b->max_hops = max_hops;
	b->blocked = -1;
	n = (size_t)b->n + 1;
	if (levels) {
		b->nplanes = 1;
		while (b->nplanes < 8 && (max_hops - 1) >> b->nplanes)
			b->nplanes++;
		if (!(b->dist = xsm__calloc(n * (size_t)b->nplanes * W, sizeof(uint64_t))) ||
		    !(b->srclane = xsm__calloc(n, sizeof(uint32_t))))
			return XSM_ENOMEM;
	}
	if (!(b->st = xsm__calloc(n, sizeof(*b->st))) || !(b->active = xsm__calloc(n, sizeof(uint32_t))) ||
	    !(b->next_active = xsm__calloc(n, sizeof(uint32_t))) || !(b->abits = xsm__calloc(n * W, sizeof(uint64_t))) ||
	    !(b->next_abits = xsm__calloc(n * W, sizeof(uint64_t))) || !(b->touched = xsm__calloc(n, sizeof(uint32_t))) ||
	    !(b->front = xsm__calloc(n * W, sizeof(uint64_t))))
		return XSM_ENOMEM;
	b->arcs = rev->off[b->n];
	return 0;
}

static void bfs_free(struct bfs *b)
{
	xsm__free(b->dist);
	xsm__free(b->srclane);
	xsm__free(b->st);
	xsm__free(b->active);
	xsm__free(b->next_active);
	xsm__free(b->abits);
	xsm__free(b->next_abits);
	xsm__free(b->front);
	xsm__free(b->touched);
}

/* the lanes of bits that v has not seen into x->next; whether it had none pending before */
static inline int offer(struct lanes *x, const uint64_t *bits, int *fresh)
{
	uint64_t nb[W], any = 0, pending = 0;
	for (int w = 0; w < W; w++) {
		nb[w] = bits[w] & ~x->seen[w];
		any |= nb[w];
		pending |= x->next[w];
	}
	if (!any)
		return 0;
	*fresh = !pending;
	for (int w = 0; w < W; w++)
		x->next[w] |= nb[w];
	return 1;
}

/* a level from the frontier's side: each frontier node offers its lanes to its reverse arcs */
static size_t top_down(struct bfs *b, size_t na, int l)
{
	size_t nn = 0;
	for (size_t i = 0; i < na; i++) {
		uint32_t u = b->active[i];
		const uint64_t *bits = b->abits + i * W;
		if ((int64_t)u == b->blocked)
			continue;
		for (uint32_t e = b->rev->off[u]; e < b->rev->off[u + 1]; e++) {
			uint32_t v = b->rev->adj[e];
			int fresh = 0;
			if ((b->near && l + b->near[v] > b->max_hops) || (int64_t)v == b->blocked ||
			    edge_cut(b->cut, b->rev->eid[e]))
				continue;
			if (offer(&b->st[v], bits, &fresh) && fresh)
				b->next_active[nn++] = v;
		}
	}
	return nn;
}

/*
 * A level from the other side (Beamer's bottom-up step), taken when the
 * frontier's arcs are a large part of the graph: every node that still
 * misses lanes reads the lanes its forward arcs' heads bring.  Reads
 * instead of read-modify-writes, nodes that have every lane are skipped,
 * and the result is the same sets as top_down's, in node order.
 */
static size_t bottom_up(struct bfs *b, size_t na, int l, const uint64_t *full)
{
	size_t nn = 0, i;
	for (i = 0; i < na; i++)
		if ((int64_t)b->active[i] != b->blocked)
			memcpy(b->front + (size_t)b->active[i] * W, b->abits + i * W, W * sizeof(uint64_t));
	for (uint32_t v = 0; v < b->n; v++) {
		struct lanes *x = &b->st[v];
		uint64_t acc[W] = { 0 }, missing = 0, any = 0;
		int w;
		for (w = 0; w < W; w++)
			missing |= full[w] & ~x->seen[w];
		if (!missing || (b->near && l + b->near[v] > b->max_hops) || (int64_t)v == b->blocked)
			continue;
		for (uint32_t e = b->fwd->off[v]; e < b->fwd->off[v + 1]; e++) {
			const uint64_t *f = b->front + (size_t)b->fwd->adj[e] * W;
			if (edge_cut(b->cut, b->fwd->eid[e]))
				continue;
			for (w = 0; w < W; w++)
				acc[w] |= f[w];
		}
		for (w = 0; w < W; w++) {
			x->next[w] = acc[w] & ~x->seen[w];
			any |= x->next[w];
		}
		if (any)
			b->next_active[nn++] = v;
	}
	for (i = 0; i < na; i++)
		memset(b->front + (size_t)b->active[i] * W, 0, W * sizeof(uint64_t));
	return nn;
}

/*
 * Run one pass from up to LANES sources over the reverse arcs (so distances
 * are "hops to reach the source" in the attacker's direction).  The inner
 * loop touches one 64-byte record a neighbour; the frontier's lanes travel
 * with the frontier list.  Leaves st[].seen (and the per-level lanes when
 * kept); touched lists every node set.
 */
static void bfs_pass(struct bfs *b, const uint32_t *src, int nsrc)
{
	size_t na = 0, i;
	int l, s, w;
	uint64_t full[W] = { 0 }; /* the lanes in use */

	for (s = 0; s < nsrc; s++)
		full[s >> 6] |= 1ULL << (s & 63);

	for (s = 0; s < nsrc; s++) {
		uint32_t v = src[s];
		int empty = 1;
		for (w = 0; w < W; w++)
			empty &= !b->st[v].seen[w];
		if (empty) {
			b->active[na++] = v;
			b->touched[b->ntouched++] = v;
		}
		b->st[v].seen[s >> 6] |= 1ULL << (s & 63);
	}
	for (i = 0; i < na; i++)
		for (w = 0; w < W; w++)
			b->abits[i * W + w] = b->st[b->active[i]].seen[w];
	b->src = src;
	if (b->dist)
		for (s = 0; s < nsrc; s++)
			b->srclane[src[s]] = (uint32_t)s + 1; /* the sources are distinct nodes */
	for (l = 1; l <= b->max_hops && na; l++) {
		size_t nn = 0;
		uint64_t work = 0;
		for (i = 0; i < na; i++)
			work += b->rev->off[b->active[i] + 1] - b->rev->off[b->active[i]];
		if (work > b->arcs / 4)
			nn = bottom_up(b, na, l, full);
		else
			nn = top_down(b, na, l);
		for (i = 0; i < nn; i++) {
			uint32_t v = b->next_active[i];
			struct lanes *x = &b->st[v];
			int empty = 1;
			for (w = 0; w < W; w++)
				empty &= !x->seen[w];
			if (empty)
				b->touched[b->ntouched++] = v;
			if (b->dist) {
				for (w = 0; w < W; w++) {
					uint64_t *d = planes(b, v, w);
					if (!x->next[w] || l == 1)
						continue; /* distance 1 has every plane clear */
					for (int p = 0; p < b->nplanes; p++)
						if (((unsigned)(l - 1) >> p) & 1)
							d[p] |= x->next[w];
				}
			}
			for (w = 0; w < W; w++) {
				x->seen[w] |= x->next[w];
				b->next_abits[i * W + w] = x->next[w];
				x->next[w] = 0;
			}
		}
		{
			uint32_t *t = b->active;
			uint64_t *tb = b->abits;
			b->active = b->next_active;
			b->next_active = t;
			b->abits = b->next_abits;
			b->next_abits = tb;
		}
		na = nn;
	}
}

/*
 * Clear the lanes of one pass: the nodes it touched, or, when it touched
 * more than an eighth of the graph, every node in one sequential sweep
 * (cheaper than a scattered write a node and level).
 */
static void bfs_clear(struct bfs *b)
{
	size_t n = (size_t)b->n + 1;
	if (b->ntouched > n / 8) {
		memset(b->st, 0, n * sizeof(*b->st));
		if (b->dist) {
			memset(b->dist, 0, n * (size_t)b->nplanes * W * sizeof(uint64_t));
			memset(b->srclane, 0, n * sizeof(uint32_t));
		}
	} else {
		for (size_t i = 0; i < b->ntouched; i++) {
			uint32_t v = b->touched[i];
			memset(b->st[v].seen, 0, sizeof(b->st[v].seen));
			if (b->dist) {
				for (int w = 0; w < W; w++)
					memset(planes(b, v, w), 0, (size_t)b->nplanes * sizeof(uint64_t));
				b->srclane[v] = 0;
			}
		}
	}
	b->ntouched = 0;
}

/*
 * The step each node takes towards one lane's target, found once: paths to
 * a target share their ends (a hub with thousands of arcs is scanned once
 * a lane, not once a path).  stamp[v] == gen marks next[v] and edge[v] as
 * this lane's.
 */
struct walkmemo {
	uint32_t *stamp, *next, *edge, gen;
};

static int walkmemo_init(struct walkmemo *w, uint32_t n)
{
	memset(w, 0, sizeof(*w));
	w->stamp = xsm__calloc((size_t)n + 1, sizeof(uint32_t));
	w->next = xsm__calloc((size_t)n + 1, sizeof(uint32_t));
	w->edge = xsm__calloc((size_t)n + 1, sizeof(uint32_t));
	w->gen = 1; /* every stamp 0: nothing known yet */
	return w->stamp && w->next && w->edge ? 0 : XSM_ENOMEM;
}

static void walkmemo_free(struct walkmemo *w)
{
	xsm__free(w->stamp);
	xsm__free(w->next);
	xsm__free(w->edge);
}

/* a new lane: every memo entry stale */
static void walkmemo_lane(struct walkmemo *w, uint32_t n)
{
	if (++w->gen == 0) {
		memset(w->stamp, 0, ((size_t)n + 1) * sizeof(uint32_t));
		w->gen = 1;
	}
}


/* walk pair back: nodes[0..hops] and edges[0..hops-1]; the first arc (in arc order) one level closer */
static void walk_back(const struct bfs *b, struct walkmemo *memo, uint32_t entry, int lane, int hops, uint32_t *nodes,
		      uint32_t *edges)
{
	uint32_t cur = entry;
	nodes[0] = entry;
	for (int k = hops; k >= 1; k--) {
		if (memo->stamp[cur] != memo->gen) {
			struct probe q;
			probe_init(&q, b, lane, k - 1);
			for (uint32_t e = b->fwd->off[cur]; e < b->fwd->off[cur + 1]; e++) {
				uint32_t v = b->fwd->adj[e];
				if (probe_at(b, &q, v, lane) && (int64_t)v != b->blocked &&
				    !edge_cut(b->cut, b->fwd->eid[e])) {
					memo->stamp[cur] = memo->gen;
					memo->next[cur] = v;
					memo->edge[cur] = b->fwd->eid[e];
					break;
				}
			}
		}
		edges[hops - k] = memo->edge[cur];
		cur = memo->next[cur];
		nodes[hops - k + 1] = cur;
	}
}

/* --- computing all paths -------------------------------------------------------------------- */

typedef XSM__VEC(uint32_t) u32vec;

struct found {
	uint32_t entry, target, hops;
	uint32_t off; /* into nodes/edges */
};

struct job {
	const struct csr *fwd, *rev;
	const uint8_t *near;
	const uint32_t *targets;
	size_t ntargets;
	const int *entry_type; /* per node: entry rule index + 1, or 0 */
	const uint32_t *entries;
	size_t nentries;
	int max_hops;
	long max_per_target;
	size_t first_batch, step;
	XSM__VEC(struct found) found; /* by batch, target (lane) and entry */
	XSM__VEC(size_t) batch_end;   /* found.n after each of this job's batches */
	XSM__VEC(uint32_t) nodes;
	XSM__VEC(uint32_t) edges;
	size_t cut;
	int rc;
};

/*
 * The entries each lane's target is reachable from, ordered by hops and
 * then by entry (entries[] is in node order): a stable counting sort keyed
 * by (lane, hops), so no comparison sort per target.  cnt[lane * (H + 1) + h]
 * counts, then start[] indexes items[].
 */
static int reached_entries(struct job *j, const struct bfs *b, int nsrc, size_t *cnt, size_t *start, u32vec *items)
{
	size_t H = (size_t)j->max_hops + 1, total = 0;
	memset(cnt, 0, (size_t)LANES * H * sizeof(*cnt));
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (size_t k = 0; k < (size_t)nsrc * H; k++) {
				start[k] = total;
				total += cnt[k];
			}
			if (xsm__vec_reserve(items, total) < 0)
				return XSM_ENOMEM;
			items->n = total;
		}
		for (size_t x = 0; x < j->nentries; x++) {
			uint32_t v = j->entries[x];
			uint64_t any = 0;
			for (int w = 0; w < W; w++)
				any |= b->st[v].seen[w];
			if (!any)
				continue;
			for (size_t h = 0; h < H; h++) {
				uint64_t lv[W];
				level_bits(b, v, (int)h, lv);
				for (int w = 0; w < W; w++)
					for (uint64_t bits = lv[w]; bits; bits &= bits - 1) {
						size_t k = (size_t)(w * 64 + __builtin_ctzll(bits)) * H + h;
						if (pass == 0)
							cnt[k]++;
						else
							items->v[start[k]++] = v;
					}
			}
		}
	}
	/* start[k] now ends bucket k: rewind */
	for (size_t k = 0; k < (size_t)nsrc * H; k++)
		start[k] -= cnt[k];
	return 0;
}

static int cmp_found_entry(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct bfs b;
	size_t batch, H = (size_t)j->max_hops + 1;
	size_t *cnt = xsm__calloc((size_t)LANES * H, sizeof(size_t)), *start = xsm__calloc((size_t)LANES * H, sizeof(size_t));
	u32vec items = { 0 };
	struct walkmemo memo;

	memset(&b, 0, sizeof(b));
	if (walkmemo_init(&memo, j->fwd->n) < 0 || !cnt || !start || bfs_init(&b, j->fwd, j->rev, j->max_hops, 1) < 0) {
		j->rc = XSM_ENOMEM;
		goto out;
	}
	b.near = j->near;
	for (batch = j->first_batch; batch * LANES < j->ntargets; batch += j->step) {
		const uint32_t *src = j->targets + batch * LANES;
		int nsrc = (int)(j->ntargets - batch * LANES < LANES ? j->ntargets - batch * LANES : LANES);
		bfs_pass(&b, src, nsrc);
		if (reached_entries(j, &b, nsrc, cnt, start, &items) < 0) {
			j->rc = XSM_ENOMEM;
			goto out;
		}
		for (int lane = 0; lane < nsrc; lane++) {
			long kept = 0;
			size_t first = j->found.n;
			walkmemo_lane(&memo, j->fwd->n);
			for (size_t h = 0; h < H; h++) {
				size_t k = (size_t)lane * H + h;
				for (size_t y = 0; y < cnt[k]; y++, kept++) {
					struct found f = { items.v[start[k] + y], src[lane], (uint32_t)h, (uint32_t)j->nodes.n };
					if (kept >= j->max_per_target) {
						j->cut += cnt[k] - y;
						break;
					}
					if (xsm__vec_reserve(&j->nodes, h + 1) < 0 || xsm__vec_reserve(&j->edges, h + 1) < 0 ||
					    xsm__vec_push(&j->found, f) < 0) {
						j->rc = XSM_ENOMEM;
						goto out;
					}
					walk_back(&b, &memo, f.entry, lane, (int)h, j->nodes.v + j->nodes.n, j->edges.v + j->edges.n);
					j->nodes.n += h + 1;
					j->edges.n += h + 1; /* one spare slot keeps offsets shared with nodes */
				}
			}
			/* a target's paths in entry order, as they are stored (kept by hops, then entry) */
			if (j->found.n - first > 1)
				qsort(j->found.v + first, j->found.n - first, sizeof(*j->found.v), cmp_found_entry);
		}
		if (xsm__vec_push(&j->batch_end, j->found.n) < 0) {
			j->rc = XSM_ENOMEM;
			goto out;
		}
		bfs_clear(&b);
	}
out:
	xsm__free(cnt);
	xsm__free(start);
	xsm__vec_free(&items);
	walkmemo_free(&memo);
	bfs_free(&b);
	return NULL;
}

static int target_level(const xsm_graph *g, uint32_t i)
{
	return xsm_critical_level(g, i);
}

static const char *first_rule(const xsm_graph *g, uint32_t i)
{
	const char *names[1];
	return xsm_critical_rule_names(g, i, names, 1) ? names[0] : xsm__gstr(g, g->nodes.v[i].label);
}

static int risk_of(int tlevel, int exploit, uint32_t hops)
{
	int t = 4 - (tlevel > 3 ? 3 : tlevel), h = hops <= 2 ? 0 : hops <= 4 ? 1 : 2, s = t + exploit - h;
	return s >= 5 ? XSM_RISK_CRITICAL : s == 4 ? XSM_RISK_HIGH : s == 3 ? XSM_RISK_MEDIUM : XSM_RISK_LOW;
}

int xsm__paths_scenario(xsm_buf *b, const char *entry_type, const char *classification)
{
	xsm_buf_clear(b);
	return xsm_buf_puts(b, entry_type) | xsm_buf_puts(b, " -> ") | xsm_buf_puts(b, classification);
}

/* --- the path list: entry points, targets, the search ------------------------------------- */

/* the private part of a path list: the walk graph, kept for rechecks */
struct pl_priv {
	struct csr fwd, rev;
	uint8_t *near;
	int max_hops;
};

void xsm__pathlist_free(xsm__pathlist *p)
{
	struct pl_priv *pv = p->priv;
	if (pv) {
		csr_free(&pv->fwd);
		csr_free(&pv->rev);
		xsm__free(pv->near);
		xsm__free(pv);
	}
	xsm__free(p->entry);
	xsm__free(p->target);
	xsm__free(p->hops);
	xsm__free(p->off);
	xsm__vec_free(&p->nodes);
	xsm__vec_free(&p->edges);
	xsm__free(p->entry_type);
	xsm__free(p->hid);
	xsm__free(p->risk);
	memset(p, 0, sizeof(*p));
}

/* the entry points (entry_type, entries, in node order) and the targets (in node order) of g under m */
static int path_ends(xsm__pathlist *out, xsm_graph *g, const xsm_attack_model *m, u32vec *entries, u32vec *targets)
{
	xsm__expr_host host;
	xsm__expr **ex = xsm__calloc(m->entry.n + 1, sizeof(*ex));
	size_t i, k;
	int rc = 0;

	if (!ex || !(out->entry_type = xsm__calloc(g->nodes.n + 1, sizeof(int))))
		rc = xsm__error_oom(g->ctx);
	xsm__graph_expr_host(&host, g);
	for (k = 0; rc == 0 && k < m->entry.n; k++)
		if ((rc = xsm__expr_compile(&ex[k], g->ctx, m->entry.v[k].when, &host)) < 0)
			xsm__error_prefix(g->ctx, "entry point '%s'", m->entry.v[k].name);
	for (i = 0; rc == 0 && i < g->nodes.n; i++) {
		for (k = 0; k < m->entry.n; k++)
			if (xsm__expr_eval(ex[k], (const void *)(uintptr_t)i)) {
				out->entry_type[i] = (int)k + 1;
				if (xsm__vec_push(entries, (uint32_t)i) < 0)
					rc = xsm__error_oom(g->ctx);
				break;
			}
		if (target_level(g, (uint32_t)i) <= m->target_level && strcmp(xsm__gstr(g, g->nodes.v[i].label), "Cve") &&
		    xsm__vec_push(targets, (uint32_t)i) < 0)
			rc = xsm__error_oom(g->ctx);
	}
	for (k = 0; ex && k < m->entry.n; k++)
		xsm__expr_free(ex[k]);
	xsm__free(ex);
	return rc;
}

/*
 * The jobs' paths into out, in target then entry order: the targets are in
 * node order and batch b went to job b % nthreads, each job's batches in
 * order, each batch's paths by target and entry.  Their nodes and edges
 * stay where the jobs put them: job 0's arrays become out's, job 1's are
 * appended (so the phase never holds a second copy of both).
 */
static int collect_paths(xsm__pathlist *out, struct job *jobs, size_t nthreads, size_t ntargets)
{
	size_t at[2] = { 0, 0 }, o = 0, nall = jobs[0].found.n + jobs[1].found.n, base[2] = { 0, jobs[0].nodes.n };
	size_t n1 = jobs[1].nodes.n;

	if (!(out->entry = xsm__calloc(nall + 1, sizeof(uint32_t))) || !(out->target = xsm__calloc(nall + 1, sizeof(uint32_t))) ||
	    !(out->hops = xsm__calloc(nall + 1, sizeof(uint32_t))) || !(out->off = xsm__calloc(nall + 1, sizeof(uint32_t))) ||
	    xsm__vec_reserve(&jobs[0].nodes, n1 + 1) < 0 || xsm__vec_reserve(&jobs[0].edges, n1 + 1) < 0)
		return XSM_ENOMEM;
	if (n1) {
		xsm__memcpy(jobs[0].nodes.v + base[1], jobs[1].nodes.v, n1 * sizeof(uint32_t));
		xsm__memcpy(jobs[0].edges.v + base[1], jobs[1].edges.v, n1 * sizeof(uint32_t));
	}
	jobs[0].nodes.n = jobs[0].edges.n = base[1] + n1; /* one slot a path more in edges keeps offsets shared */
	out->nodes.v = jobs[0].nodes.v;
	out->nodes.n = jobs[0].nodes.n;
	out->nodes.cap = jobs[0].nodes.cap;
	out->edges.v = jobs[0].edges.v;
	out->edges.n = jobs[0].edges.n;
	out->edges.cap = jobs[0].edges.cap;
	memset(&jobs[0].nodes, 0, sizeof(jobs[0].nodes));
	memset(&jobs[0].edges, 0, sizeof(jobs[0].edges));
	xsm__vec_free(&jobs[1].nodes);
	xsm__vec_free(&jobs[1].edges);
	for (size_t b = 0; b * LANES < ntargets && nall; b++) {
		size_t k = b % nthreads, end = jobs[k].batch_end.v[b / nthreads];
		for (; at[k] < end; at[k]++, o++) {
			const struct found *f = &jobs[k].found.v[at[k]];
			out->entry[o] = f->entry;
			out->target[o] = f->target;
			out->hops[o] = f->hops;
			out->off[o] = (uint32_t)(base[k] + f->off);
		}
	}
	out->n = o;
	return 0;
}

int xsm__paths_list(xsm__pathlist *out, xsm_graph *g, const xsm_attack_model *m)
{
	u32vec targets = { 0 }, entries = { 0 };
	struct pl_priv *pv = xsm__calloc(1, sizeof(*pv));
	struct job jobs[2];
	size_t k, nthreads;
	double t0 = xsm__mono();
	int rc;

	xsm__phase(g->ctx, &t0, NULL);
	memset(out, 0, sizeof(*out));
	memset(jobs, 0, sizeof(jobs));
	out->priv = pv;
	if (!pv) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	pv->max_hops = m->max_hops;
	/* results of an earlier computation (a refresh) go first: entry points never read them */
	if ((rc = xsm__graph_strip_props(g, "attackPath.")) < 0 || (rc = path_ends(out, g, m, &entries, &targets)) < 0 ||
	    (rc = build_walk(g, m, &pv->fwd, &pv->rev)) < 0)
		goto done;
	out->nentries = entries.n;
	out->ntargets = targets.n;
	if (!(pv->near = entry_distances(&pv->fwd, entries.v, entries.n, m->max_hops))) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	xsm__phase(g->ctx, &t0, "paths: entry points, targets and walk graph");
	nthreads = targets.n > LANES ? 2 : 1;
	for (k = 0; k < nthreads; k++) {
		jobs[k].fwd = &pv->fwd;
		jobs[k].rev = &pv->rev;
		jobs[k].near = pv->near;
		jobs[k].targets = targets.v;
		jobs[k].ntargets = targets.n;
		jobs[k].entry_type = out->entry_type;
		jobs[k].entries = entries.v;
		jobs[k].nentries = entries.n;
		jobs[k].max_hops = m->max_hops;
		jobs[k].max_per_target = m->max_per_target;
		jobs[k].first_batch = k;
		jobs[k].step = nthreads;
	}
	if (entries.n && targets.n)
		xsm__run2(run_job, &jobs[0], nthreads == 2 ? &jobs[1] : NULL);
	out->cut = jobs[0].cut + jobs[1].cut;
	if (jobs[0].rc < 0 || jobs[1].rc < 0 || collect_paths(out, jobs, nthreads, entries.n ? targets.n : 0) < 0)
		rc = xsm__error_oom(g->ctx);
	xsm__phase(g->ctx, &t0, "paths: search");
done:
	for (k = 0; k < 2; k++) {
		xsm__vec_free(&jobs[k].found);
		xsm__vec_free(&jobs[k].batch_end);
		xsm__vec_free(&jobs[k].nodes);
		xsm__vec_free(&jobs[k].edges);
	}
	xsm__vec_free(&targets);
	xsm__vec_free(&entries);
	if (rc < 0)
		xsm__pathlist_free(out);
	return rc;
}

/* each path's PathId hash and risk, and how many paths cross each node (not as entry or target) */
static int path_ids(xsm__pathlist *p, const xsm_graph *g, const xsm_attack_model *m, uint32_t *through)
{
	xsm_buf key = XSM_BUF_INIT;
	int rc = 0;
	if (!(p->hid = xsm__calloc(p->n + 1, sizeof(uint64_t))) || !(p->risk = xsm__calloc(p->n + 1, 1)))
		return xsm__error_oom(g->ctx);
	for (size_t i = 0; i < p->n; i++) {
		const struct entry_rule *er = &m->entry.v[p->entry_type[p->entry[i]] - 1];
		/* PathId: "ap-" and the hash of "entry NodeId|target NodeId" */
		xsm_buf_clear(&key);
		xsm__buf_gstr(&key, g, g->nodes.v[p->entry[i]].id);
		xsm_buf_putc(&key, '|');
		xsm__buf_gstr(&key, g, g->nodes.v[p->target[i]].id);
		if (!key.ptr) {
			rc = xsm__error_oom(g->ctx);
			break;
		}
		p->hid[i] = xsm__hash(key.ptr, key.size);
		p->risk[i] = (uint8_t)risk_of(target_level(g, p->target[i]), er->exploit, p->hops[i]);
		for (uint32_t k = 1; k < p->hops[i]; k++)
			through[p->nodes.v[p->off[i] + k]]++;
	}
	xsm_buf_dispose(&key);
	return rc;
}

/* --- paths.bin.zst (paths_store.h) ------------------------------------------------------- */

struct idrow {
	uint64_t hid;
	uint32_t no, zero;
};

static int cmp_idrow(const void *a, const void *b)
{
	const struct idrow *x = a, *y = b;
	if (x->hid != y->hid)
		return x->hid < y->hid ? -1 : 1;
	return x->no < y->no ? -1 : x->no > y->no;
}

/* a section of n bytes: it starts a frame of its own */
static int put_section(xsm__zw *zw, xsm__ps_trailer *t, int k, const void *p, size_t n)
{
	int rc = xsm__zw_cut(zw);
	t->sec[k][0] = xsm__zw_in(zw);
	t->sec[k][1] = n;
	return rc ? rc : n ? xsm__zw_put(p, n, zw) : 0;
}

static void put32(unsigned char *b, uint32_t v)
{
	memcpy(b, &v, 4);
}

static void put64(unsigned char *b, uint64_t v)
{
	memcpy(b, &v, 8);
}

/* node's NodeId, NodeName and NodeLabel into names, their offsets into at[0..2] */
static int put_names(xsm_buf *names, unsigned char *at, const xsm_graph *g, uint32_t node)
{
	const xsm__node *nd = &g->nodes.v[node];
	const uint32_t s[3] = { nd->id, nd->name, nd->label };
	for (int k = 0; k < 3; k++) {
		put32(at + 4 * k, (uint32_t)names->size);
		if (xsm__buf_gstr(names, g, s[k]) < 0 || xsm_buf_putc(names, '\0') < 0)
			return XSM_ENOMEM;
	}
	return 0;
}

/* the name offsets (at byte at of each row) moved by base */
static void shift_names(xsm_buf *rows, size_t width, size_t at, uint32_t base)
{
	for (size_t r = 0; r + width <= rows->size; r += width)
		for (int k = 0; k < 3; k++) {
			unsigned char *q = (unsigned char *)rows->ptr + r + at + 4 * k;
			uint32_t v;
			memcpy(&v, q, 4);
			put32(q, v + base);
		}
}

/* a path's summary key: entry type, classification and risk, in the order of the summary's rows */
#define SCEN_KEY(type, cls, risk) ((uint32_t)(type) << 18 | (uint32_t)(cls) << 2 | (uint32_t)(risk))

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* the summary section: the paths' keys (sorted here) counted, a row a key */
static int put_summary(xsm__zw *zw, xsm__ps_trailer *t, uint32_t *keys, size_t n)
{
	xsm_buf rows = XSM_BUF_INIT;
	int rc = 0;
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_u32);
	for (size_t i = 0, j; i < n && rc == 0; i = j) {
		unsigned char row[XSM__PS_SROW];
		for (j = i + 1; j < n && keys[j] == keys[i]; j++)
			;
		put32(row, keys[i] >> 18);
		put32(row + 4, keys[i] >> 2 & 0xffff);
		put32(row + 8, keys[i] & 3);
		put32(row + 12, (uint32_t)(j - i));
		rc = xsm_buf_put(&rows, (const char *)row, sizeof(row));
	}
	if (rc == 0)
		rc = put_section(zw, t, XSM__PS_SUMMARY, rows.ptr, rows.size);
	xsm_buf_dispose(&rows);
	return rc;
}

/*
 * Every path as a binary record, then the index (paths_store.h), into zw:
 * what a reader needs to make each path's text from the snapshot's graph,
 * and every value of it that configuration decided (risk, level, entry
 * type, classification).
 */
static int store_paths(const xsm__pathlist *p, xsm__zw *zw, xsm_graph *g, const xsm_attack_model *m)
{
	xsm__ps_trailer t;
	xsm__strmap clsmap = { 0 };
	XSM__VEC(const char *) cls = { 0 };
	xsm_buf rec = XSM_BUF_INIT, tg = XSM_BUF_INIT, en = XSM_BUF_INIT, str = XSM_BUF_INIT, names = XSM_BUF_INIT;
	uint64_t *offs = xsm__calloc(p->n / XSM__PS_EVERY + 2, sizeof(uint64_t)), *fence = NULL, off = 0;
	uint32_t *cnt = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t)), *ep = NULL, *serious = NULL, *bucket = NULL;
	uint32_t *scen = xsm__calloc(p->n + 1, sizeof(uint32_t)); /* each path's entry type, classification and risk */
	struct idrow *ids = NULL;
	uint32_t cur = UINT32_MAX, curcls = 0;
	uint8_t *tlevel = xsm__calloc(g->nodes.n + 1, 1); /* each target's level, as its records have it */
	size_t curfirst = 0;
	int curlevel = 0, rc = 0;
	size_t i, k;

	memset(&t, 0, sizeof(t));
	if (!offs || !cnt || !tlevel || !scen) {
		rc = XSM_ENOMEM;
		goto done;
	}
	if (m->entry.n > 255 || p->n > UINT32_MAX) {
		rc = xsm__error_set(g->ctx, XSM_EUSAGE, m->entry.n > 255 ? "more than 255 entry point rules" : "more than 2^32 paths");
		goto done;
	}
	/* the records, in path order (by target, then entry) */
	for (i = 0; i < p->n && rc == 0; i++) {
		unsigned char h[XSM__PS_HEAD];
		uint32_t hops = p->hops[i], e = p->entry[i];
		if (p->target[i] != cur) {
			/* a new target: its level, classification and row */
			const char *rule = first_rule(g, p->target[i]);
			uint64_t *slot;
			int created;
			unsigned char row[XSM__PS_TROW] = { 0 };
			cur = p->target[i];
			curfirst = i;
			curlevel = target_level(g, cur);
			curlevel = curlevel < 0 ? 0 : curlevel > 255 ? 255 : curlevel;
			tlevel[cur] = (uint8_t)curlevel;
			if ((rc = xsm__strmap_slot(&clsmap, rule, strlen(rule), &slot, &created)) < 0)
				break;
			if (created) {
				*slot = cls.n;
				if ((rc = xsm__vec_push(&cls, rule)) < 0)
					break;
			}
			if (*slot > 65535) {
				rc = xsm__error_set(g->ctx, XSM_EUSAGE, "more than 65536 target classifications");
				break;
			}
			curcls = (uint32_t)*slot;
			put32(row, cur);
			put32(row + 4, (uint32_t)i);
			put64(row + 16, off);
			if ((rc = put_names(&names, row + 24, g, cur)) < 0 ||
			    (rc = xsm_buf_put(&tg, (const char *)row, sizeof(row))) < 0)
				break;
			t.targets++;
		}
		/* the target's count: the paths since its row */
		put32((unsigned char *)tg.ptr + tg.size - XSM__PS_TROW + 8, (uint32_t)(i + 1 - curfirst));
		if (i % XSM__PS_EVERY == 0)
			offs[i / XSM__PS_EVERY] = off;
		cnt[e]++;
		put64(h, p->hid[i]);
		put32(h + 8, e);
		put32(h + 12, p->target[i]);
		h[16] = p->risk[i];
		h[17] = (uint8_t)curlevel;
		h[18] = (uint8_t)hops;
		h[19] = (uint8_t)(p->entry_type[e] - 1);
		h[20] = (uint8_t)(curcls & 255);
		h[21] = (uint8_t)(curcls >> 8);
		h[22] = h[23] = 0;
		scen[i] = SCEN_KEY(h[19], curcls, p->risk[i]);
		if ((rc = xsm_buf_put(&rec, (const char *)h, sizeof(h))) < 0 ||
		    (rc = xsm_buf_put(&rec, (const char *)(p->nodes.v + p->off[i]), ((size_t)hops + 1) * 4)) < 0 ||
		    (rc = xsm_buf_put(&rec, (const char *)(p->edges.v + p->off[i]), (size_t)hops * 4)) < 0)
			break;
		off += XSM__PS_HEAD + ((size_t)hops * 2 + 1) * 4;
		if (rec.size >= (1u << 20)) {
			if ((rc = xsm__zw_put(rec.ptr, rec.size, zw)) < 0)
				break;
			xsm_buf_clear(&rec);
		}
	}
	if (rc == 0 && rec.size)
		rc = xsm__zw_put(rec.ptr, rec.size, zw);
	xsm_buf_dispose(&rec);
	/* the strings: entry types, then classifications, then the ends' names (the rows' offsets move by those before) */
	for (k = 0; rc == 0 && k < m->entry.n; k++)
		rc = xsm_buf_puts(&str, m->entry.v[k].name) | xsm_buf_putc(&str, '\0');
	for (k = 0; rc == 0 && k < cls.n; k++)
		rc = xsm_buf_puts(&str, cls.v[k]) | xsm_buf_putc(&str, '\0');
	if (rc == 0)
		shift_names(&tg, XSM__PS_TROW, 24, (uint32_t)str.size);
	if (rc == 0)
		rc = put_section(zw, &t, XSM__PS_TARGETS, tg.ptr, tg.size);
	/* the entry points: each one's paths in path order (a counting sort by entry) */
	if (rc == 0) {
		uint32_t start = 0;
		for (i = 0; i < g->nodes.n && rc == 0; i++)
			if (cnt[i]) {
				unsigned char row[XSM__PS_EROW] = { 0 };
				put32(row, (uint32_t)i);
				put32(row + 4, start);
				put32(row + 8, cnt[i]);
				if ((rc = put_names(&names, row + 16, g, (uint32_t)i)) == 0)
					rc = xsm_buf_put(&en, (const char *)row, sizeof(row));
				t.entries++;
				k = cnt[i];
				cnt[i] = start; /* from here: where its next path goes */
				start += (uint32_t)k;
			}
	}
	if (rc == 0 && !(ep = xsm__calloc(p->n + 1, sizeof(uint32_t))))
		rc = XSM_ENOMEM;
	for (i = 0; rc == 0 && i < p->n; i++)
		ep[cnt[p->entry[i]]++] = (uint32_t)i;
	if (rc == 0)
		shift_names(&en, XSM__PS_EROW, 16, (uint32_t)str.size);
	if (rc == 0 && (rc = put_section(zw, &t, XSM__PS_ENTRIES, en.ptr, en.size)) == 0 &&
	    (rc = put_section(zw, &t, XSM__PS_ENTRY_PATHS, ep, p->n * 4)) == 0)
		rc = put_section(zw, &t, XSM__PS_OFFSETS, offs, (p->n + XSM__PS_EVERY - 1) / XSM__PS_EVERY * 8);
	xsm__free(ep);
	ep = NULL;
	/* by PathId; and most serious first: the ids in hash order, stably bucketed by (risk, level, hops) */
	if (rc == 0 && (!(ids = xsm__calloc(p->n + 1, sizeof(*ids))) || !(serious = xsm__calloc(p->n + 1, sizeof(uint32_t))) ||
			!(bucket = xsm__calloc(4 * 256 * 256 + 1, sizeof(uint32_t))) ||
			!(fence = xsm__calloc(p->n / XSM__PS_FENCE_ROWS + 2, sizeof(uint64_t)))))
		rc = XSM_ENOMEM;
	if (rc == 0) {
		uint32_t sum = 0;
		for (i = 0; i < p->n; i++)
			ids[i] = (struct idrow){ p->hid[i], (uint32_t)i, 0 };
		if (p->n > 1)
			qsort(ids, p->n, sizeof(*ids), cmp_idrow);
		/* a path's key, from its record's values: risk, then level, then hops */
#define SERIOUS_KEY(q) ((size_t)p->risk[q] << 16 | (size_t)tlevel[p->target[q]] << 8 | p->hops[q])
		for (i = 0; i < p->n; i++)
			bucket[SERIOUS_KEY(i)]++;
		for (k = 0; k < 4 * 256 * 256; k++) {
			uint32_t c = bucket[k];
			bucket[k] = sum;
			sum += c;
		}
		for (i = 0; i < p->n; i++)
			serious[bucket[SERIOUS_KEY(ids[i].no)]++] = ids[i].no;
#undef SERIOUS_KEY
		for (i = 0; i < p->n; i += XSM__PS_FENCE_ROWS)
			fence[i / XSM__PS_FENCE_ROWS] = ids[i].hid;
		if ((rc = put_section(zw, &t, XSM__PS_SERIOUS, serious, p->n * 4)) == 0 &&
		    (rc = put_section(zw, &t, XSM__PS_IDS, ids, p->n * sizeof(*ids))) == 0)
			rc = put_section(zw, &t, XSM__PS_FENCE, fence,
					 (p->n + XSM__PS_FENCE_ROWS - 1) / XSM__PS_FENCE_ROWS * 8);
	}
	if (rc == 0 && names.size && (rc = xsm_buf_put(&str, names.ptr, names.size)) < 0)
		rc = XSM_ENOMEM;
	if (rc == 0 && (str.size >> 32) != 0)
		rc = xsm__error_set(g->ctx, XSM_EUSAGE, "the names of the paths' ends pass 4 GB");
	if (rc == 0 && (rc = put_section(zw, &t, XSM__PS_STRINGS, str.ptr, str.size)) == 0)
		rc = put_summary(zw, &t, scen, p->n);
	/* the trailer a frame of its own: a damaged section leaves it readable */
	if (rc == 0 && (rc = xsm__zw_cut(zw)) == 0) {
		memcpy(t.magic, "XSMPATH1", 8);
		t.endian = 0x01020304u;
		t.version = 2;
		t.paths = p->n;
		t.nodes = g->nodes.n;
		t.edges = g->edges.n;
		t.ntypes = (uint32_t)m->entry.n;
		t.nclasses = (uint32_t)cls.n;
		rc = xsm__zw_put((const char *)&t, sizeof(t), zw);
	}
done:
	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(g->ctx);
	xsm__strmap_free(&clsmap);
	xsm__vec_free(&cls);
	xsm_buf_dispose(&rec);
	xsm_buf_dispose(&tg);
	xsm_buf_dispose(&en);
	xsm_buf_dispose(&str);
	xsm_buf_dispose(&names);
	xsm__free(offs);
	xsm__free(fence);
	xsm__free(cnt);
	xsm__free(tlevel);
	xsm__free(scen);
	xsm__free(ep);
	xsm__free(serious);
	xsm__free(bucket);
	xsm__free(ids);
	return rc;
}

/* --- choke points ------------------------------------------------------------------------- */

struct choke {
	uint32_t node, paths, pairs, cut;
};

/*
 * The pairs a top choke point's removal cuts: search again from its
 * affected targets with the node blocked.  Candidates whose paths reach
 * more than CUT_TARGETS targets (one pass) are not searched (pairs_cut is
 * null), which bounds the work on graphs where everything reaches everything.
 */
enum { CUT_TARGETS = LANES, TOP_CHOKES = 20 };

struct cutjob {
	struct bfs b;
	struct choke *ch;
	size_t top, first, step;
	u32vec *aff;               /* per candidate: its paths, in target order */
	const xsm__pathlist *p;
	size_t passes, lanes;      /* the search work, for -v */
};

static void *cut_job(void *arg)
{
	struct cutjob *j = arg;
	struct bfs *b = &j->b;
	const xsm__pathlist *p = j->p;

	for (size_t k = j->first; k < j->top; k += j->step) {
		u32vec tg = { 0 };
		j->ch[k].pairs = (uint32_t)j->aff[k].n;
		for (size_t x = 0; x < j->aff[k].n; x++) {
			uint32_t t = p->target[j->aff[k].v[x]];
			if ((!tg.n || tg.v[tg.n - 1] != t) && xsm__vec_push(&tg, t) < 0) {
				j->ch[k].cut = UINT32_MAX; /* out of memory: reported as not searched */
				break;
			}
		}
		if (j->ch[k].cut == UINT32_MAX || tg.n > CUT_TARGETS) {
			j->ch[k].cut = UINT32_MAX;
			xsm__vec_free(&tg);
			continue;
		}
		b->blocked = j->ch[k].node;
		bfs_pass(b, tg.v, (int)tg.n);
		j->passes++;
		j->lanes += tg.n;
		/* affected paths are in target order, as tg is: the lane only moves forward */
		for (size_t y = 0, lane = 0; y < j->aff[k].n; y++) {
			uint32_t q = j->aff[k].v[y];
			while (tg.v[lane] != p->target[q])
				lane++;
			if (!lane_test(b->st[p->entry[q]].seen, (int)lane))
				j->ch[k].cut++;
		}
		bfs_clear(b);
		b->blocked = -1;
		xsm__vec_free(&tg);
	}
	return NULL;
}

static int cmp_choke(const void *a, const void *b)
{
	const struct choke *x = a, *y = b;
	if (x->paths != y->paths)
		return x->paths > y->paths ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* the pairs the top choke points cut (ch sorted, top of them), on two threads */
static int choke_cuts(struct choke *ch, size_t top, const xsm__pathlist *p, xsm_graph *g)
{
	struct pl_priv *pv = p->priv;
	struct cutjob cj[2];
	u32vec aff[TOP_CHOKES];
	int32_t *cand = xsm__calloc(g->nodes.n + 1, sizeof(int32_t));
	size_t i, k, nthreads = top > 1 ? 2 : 1;
	int rc = 0;

	memset(aff, 0, sizeof(aff));
	memset(cj, 0, sizeof(cj));
	if (!cand)
		return xsm__error_oom(g->ctx);
	/* each candidate's affected paths in one pass over all paths */
	for (i = 0; i < g->nodes.n; i++)
		cand[i] = -1;
	for (k = 0; k < top; k++)
		cand[ch[k].node] = (int32_t)k;
	for (i = 0; i < p->n && rc == 0; i++)
		for (uint32_t s = 1; s < p->hops[i]; s++) {
			int32_t c = cand[p->nodes.v[p->off[i] + s]];
			if (c >= 0 && xsm__vec_push(&aff[c], (uint32_t)i) < 0)
				rc = xsm__error_oom(g->ctx);
		}
	/* candidates alternate between two threads, each with its own search state */
	for (k = 0; k < nthreads && rc == 0; k++) {
		cj[k] = (struct cutjob){ .ch = ch, .top = top, .first = k, .step = nthreads, .aff = aff, .p = p };
		if (bfs_init(&cj[k].b, &pv->fwd, &pv->rev, pv->max_hops, 0) < 0)
			rc = xsm__error_oom(g->ctx);
		cj[k].b.near = pv->near;
	}
	if (rc == 0)
		xsm__run2(cut_job, &cj[0], nthreads == 2 ? &cj[1] : NULL);
	xsm__log(g->ctx, "paths: %zu choke point candidates, %zu searches of %zu targets", top, cj[0].passes + cj[1].passes,
		 cj[0].lanes + cj[1].lanes);
	for (k = 0; k < 2; k++)
		bfs_free(&cj[k].b);
	for (k = 0; k < TOP_CHOKES; k++)
		xsm__vec_free(&aff[k]);
	xsm__free(cand);
	return rc;
}

/*
 * chokepoints.json into chokes (nodes crossed by the most paths; for the
 * top ones, the pairs their removal cuts), then the attackPath properties
 * that filters and metrics read.
 */
static int chokes_and_marks(const xsm__pathlist *p, xsm_buf *chokes, xsm_graph *g, const xsm_attack_model *m,
			    const uint32_t *through, size_t *nchokes)
{
	XSM__VEC(struct choke) ch = { 0 };
	uint32_t *role = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	double t0 = xsm__mono();
	size_t i, k, top;
	xsm_jw w;
	int rc = 0;

	for (i = 0; role && i < g->nodes.n && rc == 0; i++)
		if (through[i] && xsm__vec_push(&ch, ((struct choke){ (uint32_t)i, through[i], 0, 0 })) < 0)
			rc = XSM_ENOMEM;
	if (!role || rc < 0) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	if (ch.n > 1)
		qsort(ch.v, ch.n, sizeof(*ch.v), cmp_choke);
	top = ch.n < TOP_CHOKES ? ch.n : TOP_CHOKES;
	if (top && (rc = choke_cuts(ch.v, top, p, g)) < 0)
		goto done;
	xsm__phase(g->ctx, &t0, "paths: choke point cuts");
	*nchokes = ch.n;
	xsm_jw_init(&w, chokes);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.paths.chokepoints/1");
	xsm_jw_kint(&w, "paths", (int64_t)p->n);
	xsm_jw_kint(&w, "paths_cut", (int64_t)p->cut);
	xsm_jw_kint(&w, "entries", (int64_t)p->nentries);
	xsm_jw_kint(&w, "targets", (int64_t)p->ntargets);
	xsm_jw_key(&w, "chokepoints");
	xsm_jw_arr(&w);
	for (k = 0; k < ch.n && k < 100; k++) {
		const xsm__node *nd = &g->nodes.v[ch.v[k].node];
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "NodeId", xsm__gstr(g, nd->id));
		xsm_jw_kstr(&w, "NodeName", xsm__gstr(g, nd->name));
		xsm_jw_kstr(&w, "NodeLabel", xsm__gstr(g, nd->label));
		xsm_jw_kint(&w, "paths", ch.v[k].paths);
		xsm_jw_key(&w, "pairs_cut");
		if (k < top && ch.v[k].cut != UINT32_MAX)
			xsm_jw_int(&w, ch.v[k].cut);
		else
			xsm_jw_null(&w);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	if (w.err) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	/* mark the nodes on paths, for filters and metrics */
	for (k = 0; k < p->n; k++) {
		role[p->entry[k]] += 2;
		role[p->target[k]] |= 1; /* bit 0: a target; the rest counts paths as entry or target */
		if (p->target[k] != p->entry[k])
			role[p->target[k]] += 2;
	}
	for (i = 0; i < g->nodes.n && rc == 0; i++) {
		const char *keys[3];
		xsm__prop v[3];
		size_t nk = 0;
		uint32_t tpaths = role[i] >> 1;
		memset(v, 0, sizeof(v));
		if (p->entry_type[i]) {
			keys[nk] = "attackPath.entryType";
			v[nk].type = XSM_V_STR;
			if ((rc = xsm__graph_intern(g, m->entry.v[p->entry_type[i] - 1].name, &v[nk].a)) < 0)
				break;
			nk++;
		}
		if (tpaths + through[i]) {
			keys[nk] = "attackPath.paths";
			v[nk].type = XSM_V_NUM;
			v[nk++].num = tpaths + through[i];
		}
		if (role[i] & 1) {
			keys[nk] = "attackPath.isTarget";
			v[nk].type = XSM_V_BOOL;
			v[nk++].a = 1;
		}
		if (nk)
			rc = xsm__graph_set_props(g, (uint32_t)i, nk, keys, v);
	}
	if (rc == 0)
		rc = xsm__graph_compact_props_lazy(g);
	xsm__phase(g->ctx, &t0, "paths: choke points and node properties");
done:
	xsm__vec_free(&ch);
	xsm__free(role);
	return rc;
}

int xsm_paths_compute(xsm_paths_stats *st, int fd, xsm_buf *chokes, xsm_graph *g, const xsm_attack_model *m)
{
	xsm__fdput f = { g->ctx, fd, "paths.bin.zst" };
	xsm__zw *zw = NULL;
	int rc = xsm__zw_new(&zw, g->ctx, 1u << 20, xsm__fd_put, &f);
	if (rc == 0 && (rc = xsm__paths_compute(st, zw, chokes, g, m)) == 0)
		rc = xsm__zw_finish(zw);
	xsm__zw_free(zw);
	return rc;
}

int xsm__paths_compute(xsm_paths_stats *st, xsm__zw *zw, xsm_buf *chokes, xsm_graph *g, const xsm_attack_model *m)
{
	xsm__pathlist pl;
	uint32_t *through = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	double t0;
	int rc;

	memset(st, 0, sizeof(*st));
	if (!through)
		return xsm__error_oom(g->ctx);
	if ((rc = xsm__paths_list(&pl, g, m)) < 0) {
		xsm__free(through);
		return rc;
	}
	st->entries = pl.nentries;
	st->targets = pl.ntargets;
	st->paths = pl.n;
	st->cut = pl.cut;
	t0 = xsm__mono();
	if ((rc = path_ids(&pl, g, m, through)) == 0 && (rc = store_paths(&pl, zw, g, m)) == 0) {
		xsm__phase(g->ctx, &t0, "paths: write");
		rc = chokes_and_marks(&pl, chokes, g, m, through, &st->chokepoints);
	}
	xsm__pathlist_free(&pl);
	xsm__free(through);
	return rc;
}

/* --- blast radius ----------------------------------------------------------------------- */

/*
 * The walk's arcs out of one node, as build_walk's forward CSR has them
 * (by target, then edge, a forward arc before a reverse one), made from
 * the graph's own adjacency: a blast radius reads the edges of the nodes
 * it reaches, not every edge of the graph.
 */
struct walkarc {
	uint32_t to, eid, rev;
};

/* per string id: 1 when an edge with that label is walked forward, 2 backward (few pages touched) */
static uint8_t *walk_labels(const xsm_graph *g, const xsm_attack_model *m)
{
	uint8_t *wl = xsm__calloc(g->s.n + 1, 1);
	for (size_t k = 0; wl && k < m->walk.n; k++) {
		uint32_t id;
		if (xsm__strpool_find(&g->s, m->walk.v[k].label, strlen(m->walk.v[k].label), &id))
			wl[id] |= (uint8_t)((m->walk.v[k].fwd ? 1 : 0) | (m->walk.v[k].rev ? 2 : 0));
	}
	return wl;
}

static int cmp_walkarc(const void *a, const void *b)
{
	const struct walkarc *x = a, *y = b;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->eid != y->eid)
		return x->eid < y->eid ? -1 : 1;
	return (int)x->rev - (int)y->rev;
}

/* u's arcs into *arcs (grown as needed); how many, or -1 when out of memory */
static long walk_arcs(const xsm_graph *g, const uint8_t *wl, uint32_t u, struct walkarc **arcs, size_t *cap)
{
	size_t n = 0, need = (size_t)(g->out_off[u + 1] - g->out_off[u]) + (g->in_off[u + 1] - g->in_off[u]);
	if (need > *cap) {
		struct walkarc *a = xsm__reallocarray(*arcs, need, sizeof(*a));
		if (!a)
			return -1;
		*arcs = a;
		*cap = need;
	}
	for (int dir = 0; dir < 2; dir++) {
		const uint32_t *off = dir ? g->in_off : g->out_off, *el = dir ? g->in_edge : g->out_edge;
		for (uint32_t k = off[u]; k < off[u + 1]; k++) {
			const xsm__edge *e = &g->edges.v[el[k]];
			if (wl[e->label] & (dir ? 2 : 1))
				(*arcs)[n++] = (struct walkarc){ dir ? e->src : e->dst, el[k], (uint32_t)dir };
		}
	}
	if (n > 1)
		qsort(*arcs, n, sizeof(**arcs), cmp_walkarc);
	return (long)n;
}

int xsm_paths_blast_radius_each(xsm_graph *g, const xsm_attack_model *m, size_t node, int max_hops,
				 int (*cb)(const xsm_blast_target *t, void *payload), void *payload, size_t *reachable)
{
	uint8_t *wl = NULL;
	struct walkarc *arcs = NULL;
	size_t arcs_cap = 0;
	uint32_t *parent = NULL, *pedge = NULL, *dist = NULL, *queue = NULL;
	size_t head = 0, tail = 0, i, steps[80];
	const char *edges[80];
	int rc = 0;

	if (max_hops <= 0)
		max_hops = m->max_hops;
	if (max_hops > 79)
		max_hops = 79;
	wl = walk_labels(g, m);
	parent = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	pedge = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	dist = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	queue = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	if (!wl || !parent || !pedge || !dist || !queue) {
		rc = xsm__error_oom(g->ctx);
		goto done;
	}
	for (i = 0; i < g->nodes.n; i++)
		dist[i] = UINT32_MAX;
	dist[node] = 0;
	queue[tail++] = (uint32_t)node;
	/* breadth first in node order: each node's parent is its first discoverer */
	while (head < tail) {
		uint32_t u = queue[head++];
		long na;
		if (dist[u] >= (uint32_t)max_hops)
			continue;
		if ((na = walk_arcs(g, wl, u, &arcs, &arcs_cap)) < 0) {
			rc = xsm__error_oom(g->ctx);
			goto done;
		}
		for (long a = 0; a < na; a++) {
			uint32_t v = arcs[a].to;
			if (dist[v] != UINT32_MAX)
				continue;
			dist[v] = dist[u] + 1;
			parent[v] = u;
			pedge[v] = arcs[a].eid;
			queue[tail++] = v;
		}
	}
	if (reachable)
		*reachable = tail - 1;
	for (i = 0; i < g->nodes.n && rc == 0; i++) {
		xsm_blast_target t;
		size_t nc = dist[i] + 1;
		uint32_t v;
		int lvl;
		if (i == node || dist[i] == UINT32_MAX || !strcmp(xsm__gstr(g, g->nodes.v[i].label), "Cve"))
			continue;
		if ((lvl = xsm_critical_level(g, i)) > m->target_level)
			continue;
		/* the chain from node to the target, the edge taken from each step */
		v = (uint32_t)i;
		for (size_t k = nc; k-- > 0; v = parent[v]) {
			steps[k] = v;
			edges[k] = k + 1 < nc ? xsm__gstr(g, g->edges.v[pedge[steps[k + 1]]].label) : NULL;
		}
		t.node = i;
		t.level = lvl;
		t.hops = (int)dist[i];
		t.steps = steps;
		t.edges = edges;
		t.nsteps = nc;
		rc = cb(&t, payload);
	}
done:
	xsm__free(wl);
	xsm__free(arcs);
	xsm__free(parent);
	xsm__free(pedge);
	xsm__free(dist);
	xsm__free(queue);
	return rc;
}

struct blast_json {
	const xsm_graph *g;
	xsm_jw *w;
};

static void jw_node_ref(xsm_jw *w, const xsm_graph *g, size_t i)
{
	xsm_jw_kstr(w, "NodeId", xsm__gstr(g, g->nodes.v[i].id));
	xsm_jw_kstr(w, "NodeName", xsm__gstr(g, g->nodes.v[i].name));
	xsm_jw_kstr(w, "NodeLabel", xsm__gstr(g, g->nodes.v[i].label));
}

static int blast_target_json(const xsm_blast_target *t, void *payload)
{
	struct blast_json *b = payload;
	xsm_jw_obj(b->w);
	jw_node_ref(b->w, b->g, t->node);
	xsm_jw_kint(b->w, "criticalityLevel", t->level);
	xsm_jw_kint(b->w, "hops", t->hops);
	xsm_jw_key(b->w, "steps");
	xsm_jw_arr(b->w);
	for (size_t k = 0; k < t->nsteps; k++) {
		xsm_jw_obj(b->w);
		jw_node_ref(b->w, b->g, t->steps[k]);
		if (t->edges[k])
			xsm_jw_kstr(b->w, "EdgeLabel", t->edges[k]);
		xsm_jw_obj_end(b->w);
	}
	xsm_jw_arr_end(b->w);
	xsm_jw_obj_end(b->w);
	return 0;
}

int xsm_paths_blast_radius(xsm_buf *out, xsm_graph *g, const xsm_attack_model *m, size_t node, int max_hops)
{
	xsm_buf targets = XSM_BUF_INIT;
	xsm_jw w, tw;
	struct blast_json b = { g, &tw };
	size_t reachable = 0;
	int rc;

	xsm_jw_init(&tw, &targets);
	xsm_jw_arr(&tw);
	if ((rc = xsm_paths_blast_radius_each(g, m, node, max_hops, blast_target_json, &b, &reachable)) < 0) {
		xsm_buf_dispose(&targets);
		return rc;
	}
	xsm_jw_arr_end(&tw);
	xsm_jw_init(&w, out);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.paths.blast-radius/1");
	xsm_jw_key(&w, "node");
	xsm_jw_obj(&w);
	jw_node_ref(&w, g, node);
	xsm_jw_obj_end(&w);
	xsm_jw_kint(&w, "max_hops", max_hops <= 0 ? m->max_hops : max_hops);
	xsm_jw_kint(&w, "reachable", (int64_t)reachable);
	xsm_jw_key(&w, "targets");
	xsm_jw_rawn(&w, targets.ptr ? targets.ptr : "[]", targets.ptr ? targets.size : 2);
	xsm_jw_obj_end(&w);
	rc = w.err || tw.err ? xsm__error_oom(g->ctx) : 0;
	xsm_buf_dispose(&targets);
	return rc;
}

/* --- for what-if (whatif.c): searches with edges cut --------------------------------------- */

int xsm__paths_recheck(xsm__pathlist *p, xsm_ctx *ctx, const uint64_t *cut, const uint32_t *sel, size_t nsel,
		       uint8_t *alive, int reroute)
{
	struct pl_priv *pv = p->priv;
	struct bfs b;
	struct walkmemo memo;
	uint32_t src[LANES];
	size_t i = 0;
	int rc = 0;

	if (!nsel)
		return 0;
	memset(&memo, 0, sizeof(memo));
	if (bfs_init(&b, &pv->fwd, &pv->rev, pv->max_hops, reroute) < 0 || (reroute && walkmemo_init(&memo, pv->fwd.n) < 0)) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	b.near = pv->near;
	b.cut = cut;
	while (i < nsel && rc == 0) {
		/* the next up to LANES distinct targets (sel is in path order: by target) */
		size_t j = i;
		int nsrc = 0, lane = 0;
		while (j < nsel && (nsrc < LANES || p->target[sel[j]] == src[nsrc - 1])) {
			if (!nsrc || p->target[sel[j]] != src[nsrc - 1])
				src[nsrc++] = p->target[sel[j]];
			j++;
		}
		bfs_pass(&b, src, nsrc);
		for (size_t q = i; q < j; q++) {
			uint32_t k = sel[q], e = p->entry[k];
			if (src[lane] != p->target[k]) {
				lane++;
				if (reroute)
					walkmemo_lane(&memo, pv->fwd.n);
			}
			alive[q] = (uint8_t)lane_test(b.st[e].seen, lane);
			if (alive[q] && reroute) {
				int h = lane_dist(&b, e, lane);
				if (xsm__vec_reserve(&p->nodes, (size_t)h + 1) < 0 || xsm__vec_reserve(&p->edges, (size_t)h + 1) < 0) {
					rc = xsm__error_oom(ctx);
					break;
				}
				walk_back(&b, &memo, e, lane, h, p->nodes.v + p->nodes.n, p->edges.v + p->nodes.n);
				p->off[k] = (uint32_t)p->nodes.n;
				p->hops[k] = (uint32_t)h;
				p->nodes.n += (size_t)h + 1;
				p->edges.n = p->nodes.n;
			}
		}
		bfs_clear(&b);
		if (reroute)
			walkmemo_lane(&memo, pv->fwd.n);
		i = j;
	}
done:
	walkmemo_free(&memo);
	bfs_free(&b);
	return rc;
}

const char *xsm__attack_model_entry(const xsm_attack_model *m, size_t i, const char **when)
{
	if (i >= m->entry.n)
		return NULL;
	if (when)
		*when = m->entry.v[i].when;
	return m->entry.v[i].name;
}

int xsm__attack_model_max_hops(const xsm_attack_model *m)
{
	return m->max_hops;
}

int xsm__paths_finish(xsm__pathlist *p, xsm_buf *chokes, xsm_graph *g, const xsm_attack_model *m)
{
	uint32_t *through = xsm__calloc(g->nodes.n + 1, sizeof(uint32_t));
	size_t nchokes;
	int rc;
	if (!through)
		return xsm__error_oom(g->ctx);
	if ((rc = path_ids(p, g, m, through)) == 0)
		rc = chokes_and_marks(p, chokes, g, m, through, &nchokes);
	xsm__free(through);
	return rc;
}
