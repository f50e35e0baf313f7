/*
 * graph_resolve.c - identity resolution: which asset records are one thing
 * (xsm-json(7) "IDENTITY RESOLUTION").
 *
 * Keys come in two tiers.  Unique identifiers name one machine or one
 * principal: cloud_id, mde_id and serial for a device, sid and
 * aad_object_id for an identity, cloud_id for anything else, and a
 * source's own asset id (two records of one source are two things as far
 * as that source knows).  Linking keys only suggest that two records are
 * one: fqdn and mac, upn (with email), and the weak short hostname + IPv4.
 *
 * Records with one source_id are one record whatever they say.  Then:
 *   phase 1  records sharing a unique identifier are united, unless the
 *            union would give the group two values of a unique identifier;
 *   phase 2  the phase-1 groups that share a linking key are candidate
 *            pairs, weighted by the key types they share (fqdn, mac and
 *            upn 4 each, hostname + address 2) and united greedily, the
 *            heaviest first, then the one whose older side was seen more
 *            recently, then the more recent newer side, then canonical
 *            position; a union is refused when the two groups hold
 *            different values of a unique identifier, when a source has a
 *            record in both, or when hostname + address is the only link
 *            and both groups have an FQDN (then their FQDNs differ).
 * A key value that more than CAP groups carry (a cloned MAC, "localhost")
 * links nothing.
 *
 * Every ordered step works on the canonical order of records (a hash of
 * source name and source_id, ties by the strings), and a union's root is
 * its canonically first record, so the groups do not depend on the order
 * records arrive in.  The refusals between the final groups are kept, one
 * a pair of groups, for the build to explain.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "graph/resolve.h"
#include "util/alloc.h"
#include "util/vec.h"

enum { T_NONE = 0, T_CLOUD, T_MDE, T_SERIAL, T_SID, T_AAD, T_FQDN, T_MAC, T_UPN, T_HOSTIP, T_VMID, T_N };

#define UNIQUE_TYPES ((1u << T_CLOUD) | (1u << T_MDE) | (1u << T_SERIAL) | (1u << T_SID) | (1u << T_AAD) | (1u << T_VMID))
#define LINK_TYPES ((1u << T_FQDN) | (1u << T_MAC) | (1u << T_UPN) | (1u << T_HOSTIP))

/* evidence a shared key type gives, counted once a type: a short name + address never outweighs an FQDN */
static const uint32_t weight[T_N] = { 0, 16, 16, 16, 16, 16, 4, 4, 4, 2, 16 };
/*
 * a unique identifier's slot: devices (cloud_id, mde_id, serial,
 * azure_vm_id), identities (cloud_id, sid, aad_object_id).  An Azure VM's
 * ARM resource id and its vmId GUID are two keys, so the two forms never
 * conflict.
 */
static const int slot_of[T_N] = { -1, 0, 1, 2, 1, 2, -1, -1, -1, -1, 3 };
#define NSLOT 4

/* a key value carried by more groups than this identifies none of them */
#define CAP 64

struct xsm__resolver {
	xsm_ctx *ctx;
	/* by record, in arrival order */
	XSM__VEC(uint8_t) kind;
	XSM__VEC(uint8_t) fqdn;
	XSM__VEC(uint32_t) src;
	XSM__VEC(uint64_t) hash;
	XSM__VEC(int64_t) seen;
	XSM__VEC(uint32_t) uid; /* NSLOT a record: key string id + 1, 0 for none */
	XSM__VEC(uint64_t) occ; /* key << 32 | record, for keys that can merge */
	XSM__VEC(uint64_t) same;
	uint32_t nsrc;
	/* the run: by canonical position */
	uint32_t *ord, *pos, *parent;
	uint8_t *ckind, *cfqdn;
	uint32_t *cuid;
	int64_t *cseen;
	uint64_t *cmask;
	size_t words; /* of cmask a group */
	XSM__VEC(xsm__refusal) refusals;
	size_t ignored;
};

int xsm__resolver_new(xsm__resolver **out, xsm_ctx *ctx)
{
	if (!(*out = xsm__calloc(1, sizeof(**out))))
		return xsm__error_oom(ctx);
	(*out)->ctx = ctx;
	return 0;
}

static void free_run(xsm__resolver *r)
{
	xsm__free(r->ord);
	xsm__free(r->pos);
	xsm__free(r->parent);
	xsm__free(r->ckind);
	xsm__free(r->cfqdn);
	xsm__free(r->cuid);
	xsm__free(r->cseen);
	xsm__free(r->cmask);
	r->ord = r->pos = r->parent = r->cuid = NULL;
	r->ckind = r->cfqdn = NULL;
	r->cseen = NULL;
	r->cmask = NULL;
}

static void free_input(xsm__resolver *r)
{
	xsm__vec_free(&r->kind);
	xsm__vec_free(&r->fqdn);
	xsm__vec_free(&r->src);
	xsm__vec_free(&r->hash);
	xsm__vec_free(&r->seen);
	xsm__vec_free(&r->uid);
	xsm__vec_free(&r->occ);
	xsm__vec_free(&r->same);
}

void xsm__resolver_free(xsm__resolver *r)
{
	if (!r)
		return;
	free_input(r);
	free_run(r);
	xsm__vec_free(&r->refusals);
	xsm__free(r);
}

int xsm__resolver_record(xsm__resolver *r, int kind, uint32_t srcix, uint64_t hash, int64_t last_seen)
{
	if (xsm__vec_push(&r->kind, (uint8_t)kind) < 0 || xsm__vec_push(&r->fqdn, 0) < 0 ||
	    xsm__vec_push(&r->src, srcix) < 0 || xsm__vec_push(&r->hash, hash) < 0 ||
	    xsm__vec_push(&r->seen, last_seen) < 0 || xsm__vec_reserve(&r->uid, NSLOT) < 0)
		return xsm__error_oom(r->ctx);
	memset(r->uid.v + r->uid.n, 0, NSLOT * sizeof(*r->uid.v));
	r->uid.n += NSLOT;
	if (srcix >= r->nsrc)
		r->nsrc = srcix + 1;
	return 0;
}

static int key_type(const char *k)
{
	switch (k[0]) {
	case 'a': return !strncmp(k, "aad_object_id:", 14) ? T_AAD : !strncmp(k, "azure_vm_id:", 12) ? T_VMID : T_NONE;
	case 'c': return !strncmp(k, "cloud_id:", 9) ? T_CLOUD : T_NONE;
	case 'f': return !strncmp(k, "fqdn:", 5) ? T_FQDN : T_NONE;
	case 'h': return !strncmp(k, "hostip:", 7) ? T_HOSTIP : T_NONE;
	case 'm': return !strncmp(k, "mac:", 4) ? T_MAC : !strncmp(k, "mde_id:", 7) ? T_MDE : T_NONE;
	case 's': return !strncmp(k, "serial:", 7) ? T_SERIAL : !strncmp(k, "sid:", 4) ? T_SID : T_NONE;
	case 'u': return !strncmp(k, "upn:", 4) ? T_UPN : T_NONE;
	default: return T_NONE;
	}
}

int xsm__resolver_key(xsm__resolver *r, uint32_t rec, uint32_t kid, const char *k)
{
	int t = key_type(k);
	if (t == T_NONE)
		return 0;
	if (slot_of[t] >= 0 && !r->uid.v[rec * NSLOT + slot_of[t]])
		r->uid.v[rec * NSLOT + slot_of[t]] = kid + 1;
	if (t == T_FQDN)
		r->fqdn.v[rec] = 1;
	return xsm__vec_push(&r->occ, ((uint64_t)kid << 32) | rec) < 0 ? xsm__error_oom(r->ctx) : 0;
}

int xsm__resolver_same(xsm__resolver *r, uint32_t a, uint32_t b)
{
	return xsm__vec_push(&r->same, ((uint64_t)a << 32) | b) < 0 ? xsm__error_oom(r->ctx) : 0;
}

size_t xsm__resolver_ignored_keys(const xsm__resolver *r)
{
	return r->ignored;
}

void xsm__resolver_refusals(const xsm__resolver *r, const xsm__refusal **v, size_t *n)
{
	*v = r->refusals.v;
	*n = r->refusals.n;
}

const char *xsm__resolver_why(uint32_t why)
{
	switch (why) {
	case XSM__WHY_CLOUD_ID: return "cloud_id differs";
	case XSM__WHY_MDE_ID: return "mde_id differs";
	case XSM__WHY_SERIAL: return "serial differs";
	case XSM__WHY_SID: return "sid differs";
	case XSM__WHY_AAD: return "aad_object_id differs";
	case XSM__WHY_SOURCE: return "one source saw both";
	case XSM__WHY_FQDN: return "fqdn differs";
	case XSM__WHY_VM_ID: return "azure_vm_id differs";
	default: return "conflict";
	}
}

/*
 * Sort n elements of sz bytes (8 or 16) by the uint64_t each begins with,
 * stably: least significant digit first, 16 bits a pass, a pass skipped
 * when every element has the same digit.  Millions of keys and pairs: a
 * comparison sort would cost seconds.
 */
static int radix_sort(void *base, size_t n, size_t sz)
{
	unsigned char *from = base, *to, *spare;
	size_t *cnt;
	if (n < 2)
		return 0;
	spare = xsm__malloc(n * sz);
	cnt = xsm__malloc(65536 * sizeof(*cnt));
	if (!spare || !cnt) {
		xsm__free(spare);
		xsm__free(cnt);
		return -1;
	}
	to = spare;
	for (int shift = 0; shift < 64; shift += 16) {
		size_t i, sum = 0;
		uint64_t k;
		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (i = 0; i < n; i++) {
			memcpy(&k, from + i * sz, sizeof(k));
			cnt[(k >> shift) & 0xffff]++;
		}
		memcpy(&k, from, sizeof(k));
		if (cnt[(k >> shift) & 0xffff] == n)
			continue;
		for (i = 0; i < 65536; i++) {
			size_t c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			memcpy(&k, from + i * sz, sizeof(k));
			memcpy(to + cnt[(k >> shift) & 0xffff]++ * sz, from + i * sz, sz);
		}
		{
			unsigned char *t = from;
			from = to;
			to = t;
		}
	}
	if (from != base)
		memcpy(base, from, n * sz);
	xsm__free(spare);
	xsm__free(cnt);
	return 0;
}

static uint32_t find(xsm__resolver *r, uint32_t x)
{
	while (r->parent[x] != x) {
		r->parent[x] = r->parent[r->parent[x]];
		x = r->parent[x];
	}
	return x;
}

/* unite two roots: the canonically first is the root, and holds the group's identifiers, sources and times */
static void join(xsm__resolver *r, uint32_t a, uint32_t b)
{
	uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
	r->parent[hi] = lo;
	for (int s = 0; s < NSLOT; s++)
		if (!r->cuid[(size_t)lo * NSLOT + s])
			r->cuid[(size_t)lo * NSLOT + s] = r->cuid[(size_t)hi * NSLOT + s];
	for (size_t w = 0; w < r->words; w++)
		r->cmask[lo * r->words + w] |= r->cmask[hi * r->words + w];
	r->cfqdn[lo] |= r->cfqdn[hi];
	if (r->cseen[hi] > r->cseen[lo])
		r->cseen[lo] = r->cseen[hi];
}

/* why roots a and b may not be one group (0: they may); *src gets the shared source */
static uint32_t conflict(const xsm__resolver *r, uint32_t a, uint32_t b, int phase, uint32_t bits, uint32_t *src)
{
	static const uint32_t why[XSM__RK_OTHER + 1][NSLOT] = {
		{ 0, 0, 0, 0 },
		{ XSM__WHY_CLOUD_ID, XSM__WHY_MDE_ID, XSM__WHY_SERIAL, XSM__WHY_VM_ID },
		{ XSM__WHY_CLOUD_ID, XSM__WHY_SID, XSM__WHY_AAD, XSM__WHY_VM_ID },
		{ XSM__WHY_CLOUD_ID, XSM__WHY_CLOUD_ID, XSM__WHY_CLOUD_ID, XSM__WHY_VM_ID },
	};
	int kind = r->ckind[a] <= XSM__RK_OTHER ? r->ckind[a] : XSM__RK_OTHER;
	for (int s = 0; s < NSLOT; s++) {
		uint32_t x = r->cuid[(size_t)a * NSLOT + s], y = r->cuid[(size_t)b * NSLOT + s];
		if (x && y && x != y)
			return why[kind][s];
	}
	if (phase < 2)
		return 0;
	for (size_t w = 0; w < r->words; w++) {
		uint64_t both = r->cmask[a * r->words + w] & r->cmask[b * r->words + w];
		if (both) {
			*src = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(both));
			return XSM__WHY_SOURCE;
		}
	}
	if (bits == (1u << T_HOSTIP) && r->cfqdn[a] && r->cfqdn[b])
		return XSM__WHY_FQDN;
	return 0;
}

struct pair {
	uint64_t ab; /* root a << 32 | root b, a < b */
	uint32_t bits, pad;
};

struct cand {
	uint32_t a, b, ev, bits;
	int64_t lo, hi; /* the older and the newer side's lastSeen */
};

static int cmp_cand(const void *x, const void *y)
{
	const struct cand *p = x, *q = y;
	if (p->ev != q->ev)
		return p->ev > q->ev ? -1 : 1;
	if (p->lo != q->lo)
		return p->lo > q->lo ? -1 : 1;
	if (p->hi != q->hi)
		return p->hi > q->hi ? -1 : 1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* a run of occurrences of one key value carried by two or more records */
struct run {
	uint32_t start, len, type;
};

typedef XSM__VEC(struct pair) pairvec;
typedef XSM__VEC(uint64_t) u64vec;

/*
 * The pairs of groups that carry the key value of run ru (within a kind),
 * onto pairs; with marked, only groups whose records are marked.
 */
static int run_pairs(xsm__resolver *r, const struct run *ru, pairvec *pairs, u64vec *roots, const uint8_t *marked)
{
	size_t j, k;
	roots->n = 0;
	for (j = 0; j < ru->len; j++) {
		uint32_t c = (uint32_t)r->occ.v[ru->start + j];
		if ((!marked || marked[c]) && xsm__vec_push(roots, ((uint64_t)r->ckind[c] << 32) | find(r, c)) < 0)
			return -1;
	}
	if (roots->n > 16) {
		qsort(roots->v, roots->n, sizeof(*roots->v), cmp_u64);
	} else {
		for (j = 1; j < roots->n; j++) {
			uint64_t v = roots->v[j];
			for (k = j; k > 0 && roots->v[k - 1] > v; k--)
				roots->v[k] = roots->v[k - 1];
			roots->v[k] = v;
		}
	}
	for (j = k = 0; j < roots->n; j++)
		if (!k || roots->v[k - 1] != roots->v[j])
			roots->v[k++] = roots->v[j];
	roots->n = k;
	/* each kind's groups apart: a user and a device never merge */
	for (j = 0; j < roots->n; j = k) {
		for (k = j; k < roots->n && roots->v[k] >> 32 == roots->v[j] >> 32; k++)
			;
		if (k - j > CAP) {
			if (!marked)
				r->ignored++;
			continue;
		}
		for (size_t x = j; x < k; x++)
			for (size_t y = x + 1; y < k; y++) {
				struct pair p = { ((uint64_t)(uint32_t)roots->v[x] << 32) | (uint32_t)roots->v[y],
						  1u << ru->type, 0 };
				if (xsm__vec_push(pairs, p) < 0)
					return -1;
			}
	}
	return 0;
}

/*
 * One phase: the groups sharing a key of the given types become candidate
 * pairs, united strongest first unless they conflict.  In phase 1 the
 * linking keys two candidates also share add to their evidence (a record
 * whose serial two conflicting groups carry joins the one it also shares
 * an FQDN with), found only among the records of candidates.
 */
static int phase(xsm__resolver *r, const struct run *runs, size_t nruns, uint32_t types, int ph)
{
	pairvec pairs = { 0 };
	u64vec roots = { 0 };
	struct cand *cands = NULL;
	uint8_t *marked = NULL;
	size_t i, k, nc = 0;
	int rc = 0;

	for (i = 0; i < nruns; i++)
		if ((types & (1u << runs[i].type)) && run_pairs(r, &runs[i], &pairs, &roots, NULL) < 0)
			goto oom;
	if (ph == 1 && pairs.n) {
		size_t n = r->kind.n;
		if (!(marked = xsm__calloc(n + 1, 1)))
			goto oom;
		for (i = 0; i < pairs.n; i++) {
			marked[pairs.v[i].ab >> 32] = 1;
			marked[(uint32_t)pairs.v[i].ab] = 1;
		}
		for (i = 0; i < n; i++)
			marked[i] = marked[find(r, (uint32_t)i)];
		for (i = 0; i < nruns; i++) {
			size_t m = 0;
			if (!(LINK_TYPES & (1u << runs[i].type)))
				continue;
			for (k = 0; k < runs[i].len && m < 2; k++)
				m += marked[(uint32_t)r->occ.v[runs[i].start + k]];
			if (m >= 2 && run_pairs(r, &runs[i], &pairs, &roots, marked) < 0)
				goto oom;
		}
	}
	xsm__vec_free(&roots);
	if (radix_sort(pairs.v, pairs.n, sizeof(*pairs.v)) < 0)
		goto oom;
	/* one candidate a pair of groups, with every key type they share */
	for (i = k = 0; i < pairs.n; i++) {
		if (k && pairs.v[k - 1].ab == pairs.v[i].ab)
			pairs.v[k - 1].bits |= pairs.v[i].bits;
		else
			pairs.v[k++] = pairs.v[i];
	}
	pairs.n = k;
	if (ph == 1) { /* only groups sharing a unique identifier are candidates here */
		for (i = k = 0; i < pairs.n; i++)
			if (pairs.v[i].bits & UNIQUE_TYPES)
				pairs.v[k++] = pairs.v[i];
		pairs.n = k;
	}
	if (pairs.n && !(cands = xsm__calloc(pairs.n, sizeof(*cands))))
		goto oom;
	for (i = 0; i < pairs.n; i++) {
		struct cand *c = &cands[nc++];
		int64_t sa, sb;
		c->a = (uint32_t)(pairs.v[i].ab >> 32);
		c->b = (uint32_t)pairs.v[i].ab;
		c->bits = pairs.v[i].bits;
		for (int t = 0; t < T_N; t++)
			if (c->bits & (1u << t))
				c->ev += weight[t];
		sa = r->cseen[c->a];
		sb = r->cseen[c->b];
		c->lo = sa < sb ? sa : sb;
		c->hi = sa < sb ? sb : sa;
	}
	xsm__vec_free(&pairs);
	if (nc > 1)
		xsm__qsort2(cands, nc, sizeof(*cands), cmp_cand);
	for (i = 0; i < nc; i++) {
		uint32_t a = find(r, cands[i].a), b = find(r, cands[i].b), src = 0, why;
		if (a == b)
			continue;
		if ((why = conflict(r, a, b, ph, cands[i].bits, &src))) {
			xsm__refusal f = { a, b, why, src };
			if (xsm__vec_push(&r->refusals, f) < 0)
				goto oom;
			continue;
		}
		join(r, a, b);
	}
	goto done;
oom:
	rc = xsm__error_oom(r->ctx);
done:
	xsm__vec_free(&pairs);
	xsm__vec_free(&roots);
	xsm__free(cands);
	xsm__free(marked);
	return rc;
}

struct hrec {
	uint64_t h;
	uint32_t rec, pad;
};

/* the canonical order of records: by hash, equal hashes by tie() */
static int canonical(xsm__resolver *r, int (*tie)(uint32_t, uint32_t, void *), void *arg)
{
	size_t n = r->kind.n, i, j, k;
	struct hrec *h = xsm__calloc(n + 1, sizeof(*h));
	if (!h)
		return -1;
	for (i = 0; i < n; i++) {
		h[i].h = r->hash.v[i];
		h[i].rec = (uint32_t)i;
	}
	if (radix_sort(h, n, sizeof(*h)) < 0) {
		xsm__free(h);
		return -1;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && h[j].h == h[i].h; j++)
			;
		for (k = i + 1; k < j; k++) { /* rare: insertion sort by the strings */
			struct hrec v = h[k];
			size_t m = k;
			while (m > i && tie(h[m - 1].rec, v.rec, arg) > 0) {
				h[m] = h[m - 1];
				m--;
			}
			h[m] = v;
		}
	}
	for (i = 0; i < n; i++) {
		r->ord[i] = h[i].rec;
		r->pos[h[i].rec] = (uint32_t)i;
	}
	xsm__free(h);
	return 0;
}

struct rkey {
	uint64_t k; /* group a << 32 | group b */
	uint32_t why, src;
};

int xsm__resolver_run(xsm__resolver *r, uint32_t *group, const char *(*key_str)(uint32_t, void *),
		      int (*tie)(uint32_t, uint32_t, void *), void *arg)
{
	size_t n = r->kind.n, i, j;
	XSM__VEC(struct run) runs = { 0 };
	struct rkey *rk = NULL;
	int rc = 0;

	r->words = (r->nsrc + 63) / 64;
	if (!r->words)
		r->words = 1;
	r->ord = xsm__calloc(n + 1, sizeof(*r->ord));
	r->pos = xsm__calloc(n + 1, sizeof(*r->pos));
	r->parent = xsm__calloc(n + 1, sizeof(*r->parent));
	r->ckind = xsm__calloc(n + 1, 1);
	r->cfqdn = xsm__calloc(n + 1, 1);
	r->cuid = xsm__calloc(n + 1, NSLOT * sizeof(*r->cuid));
	r->cseen = xsm__calloc(n + 1, sizeof(*r->cseen));
	r->cmask = xsm__calloc(n + 1, r->words * sizeof(*r->cmask));
	if (!r->ord || !r->pos || !r->parent || !r->ckind || !r->cfqdn || !r->cuid || !r->cseen || !r->cmask)
		goto oom;
	if (canonical(r, tie, arg) < 0)
		goto oom;
	for (i = 0; i < n; i++) {
		uint32_t rec = r->ord[i];
		r->parent[i] = (uint32_t)i;
		r->ckind[i] = r->kind.v[rec];
		r->cfqdn[i] = r->fqdn.v[rec];
		r->cseen[i] = r->seen.v[rec];
		memcpy(&r->cuid[i * NSLOT], &r->uid.v[(size_t)rec * NSLOT], NSLOT * sizeof(*r->cuid));
		r->cmask[i * r->words + r->src.v[rec] / 64] |= (uint64_t)1 << (r->src.v[rec] % 64);
	}
	/* one source_id, one record */
	for (i = 0; i < r->same.n; i++) {
		uint32_t a = find(r, r->pos[r->same.v[i] >> 32]), b = find(r, r->pos[(uint32_t)r->same.v[i]]);
		if (a != b)
			join(r, a, b);
	}
	/* the key occurrences by key value, each value's records in canonical order */
	for (i = 0; i < r->occ.n; i++)
		r->occ.v[i] = (r->occ.v[i] & ~(uint64_t)0xffffffff) | r->pos[(uint32_t)r->occ.v[i]];
	if (radix_sort(r->occ.v, r->occ.n, sizeof(*r->occ.v)) < 0)
		goto oom;
	for (i = 0; i < r->occ.n; i = j) {
		uint32_t kid = (uint32_t)(r->occ.v[i] >> 32);
		for (j = i + 1; j < r->occ.n && (uint32_t)(r->occ.v[j] >> 32) == kid; j++)
			;
		if (j - i > 1) {
			struct run ru = { (uint32_t)i, (uint32_t)(j - i), (uint32_t)key_type(key_str(kid, arg)) };
			if (xsm__vec_push(&runs, ru) < 0)
				goto oom;
		}
	}
	/*
	 * A unique identifier that many records carry is a placeholder nobody
	 * listed ("123456789"): it names no machine, so it neither joins nor
	 * keeps apart.
	 */
	for (i = 0; i < runs.n; i++) {
		const struct run *ru = &runs.v[i];
		int s = slot_of[ru->type];
		if (s < 0 || ru->len <= CAP)
			continue;
		for (j = 0; j < ru->len; j++) {
			uint64_t o = r->occ.v[ru->start + j];
			uint32_t *u = &r->cuid[(size_t)(uint32_t)o * NSLOT + s];
			if (*u == (uint32_t)(o >> 32) + 1)
				*u = 0;
		}
	}
	if ((rc = phase(r, runs.v, runs.n, UNIQUE_TYPES, 1)) < 0 || (rc = phase(r, runs.v, runs.n, LINK_TYPES, 2)) < 0)
		goto done;
	/*
	 * A group is named by its first record in arrival order: which records
	 * are one does not depend on that order, and the build then walks the
	 * records of a group close to where the source put them.
	 */
	for (i = 0; i < n; i++)
		r->ord[i] = UINT32_MAX;
	for (i = 0; i < n; i++) {
		uint32_t root = find(r, r->pos[i]);
		if (r->ord[root] == UINT32_MAX)
			r->ord[root] = (uint32_t)i;
		group[i] = r->ord[root];
	}
	/* the refusals between final groups: one a pair, the first (strongest) reason */
	if (r->refusals.n && !(rk = xsm__calloc(r->refusals.n, sizeof(*rk))))
		goto oom;
	for (i = j = 0; i < r->refusals.n; i++) {
		uint32_t a = find(r, r->refusals.v[i].a), b = find(r, r->refusals.v[i].b);
		if (a == b)
			continue; /* joined later through a stronger path */
		rk[j].k = a < b ? ((uint64_t)a << 32) | b : ((uint64_t)b << 32) | a;
		rk[j].why = r->refusals.v[i].why;
		rk[j].src = r->refusals.v[i].src;
		j++;
	}
	if (radix_sort(rk, j, sizeof(*rk)) < 0)
		goto oom;
	r->refusals.n = 0;
	for (i = 0; i < j; i++) {
		xsm__refusal f;
		if (i && rk[i].k == rk[i - 1].k)
			continue;
		f.a = r->ord[rk[i].k >> 32];
		f.b = r->ord[(uint32_t)rk[i].k];
		f.why = rk[i].why;
		f.src = rk[i].src;
		r->refusals.v[r->refusals.n++] = f;
	}
	goto done;
oom:
	rc = xsm__error_oom(r->ctx);
done:
	xsm__free(rk);
	xsm__vec_free(&runs);
	free_input(r);
	free_run(r);
	return rc;
}
