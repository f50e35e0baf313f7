/* paths_store.c - reading paths.bin.zst (see paths_store.h), and a path's JSON text made from its record. */
#include <stdlib.h>
#include <string.h>

#include "analysis/paths_store.h"
#include "ctx.h"
#include "exposure/paths.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "exposure/jsonw.h"
#include <stdio.h>

/* --- a path's JSON text ------------------------------------------------------------------- */

/* a step's recommendation text: its pieces, with the names' known lengths */
static int put3(xsm_buf *t, const char *a, const xsm_graph *g, uint32_t x, const char *b, uint32_t y, const char *c)
{
	return xsm_buf_puts(t, a) | xsm__buf_gstr(t, g, x) | xsm_buf_puts(t, b) | xsm__buf_gstr(t, g, y) |
	       xsm_buf_puts(t, c);
}

/* what a step's recommendation says, by its edge label */
enum step_kind { STEP_OTHER, STEP_MEMBER, STEP_CREDS, STEP_LOGON, STEP_PERMS, STEP_TRAFFIC };

static enum step_kind step_kind(const char *lab)
{
	if (!strcmp(lab, "member of"))
		return STEP_MEMBER;
	if (!strcmp(lab, "frequently logged in by") || !strcmp(lab, "has credentials of"))
		return STEP_CREDS;
	if (!strcmp(lab, "can authenticate to") || !strcmp(lab, "CanRemoteInteractiveLogonTo"))
		return STEP_LOGON;
	if (!strcmp(lab, "has permissions to") || !strcmp(lab, "has role on"))
		return STEP_PERMS;
	if (!strcmp(lab, "routes traffic to"))
		return STEP_TRAFFIC;
	return STEP_OTHER;
}

/* one recommendation: into the JSON array, and into recs with its '\n' */
static void put_rec(xsm_jw *w, xsm_buf *recs, const xsm_buf *t)
{
	xsm_jw_strn(w, t->ptr, t->size);
	if (recs && (xsm_buf_put(recs, t->ptr, t->size) < 0 || xsm_buf_putc(recs, '\n') < 0))
		w->err = XSM_ENOMEM;
}

/*
 * t is scratch; labels[k] is edge k's label (read once by the caller); a
 * failed allocation shows as w->err
 */
static void recommend(xsm_jw *w, xsm_buf *t, xsm_buf *recs, const xsm_graph *g, const uint32_t *nodes,
		      const uint32_t *labels, uint32_t hops, const char *entry_type)
{
	const xsm__prop *p = xsm__graph_prop_s(g, nodes[0], "cves");
	uint32_t en = g->nodes.v[nodes[0]].name;
	int rc = 0; /* 0 or negative: the pieces' results or'ed */

	xsm_jw_key(w, "recommendations");
	xsm_jw_arr(w);
	if (xsm_buf_grow(t, 256) < 0) {
		w->err = XSM_ENOMEM;
		return;
	}
	xsm_buf_clear(t);
	if (p && p->type == XSM_V_STRS && p->b) {
		rc |= xsm_buf_puts(t, "patch ");
		for (uint32_t k = 0; k < p->b && k < 5; k++) {
			if (k)
				rc |= xsm_buf_puts(t, ", ");
			rc |= xsm__buf_gstr(t, g, g->u32.v[p->a + k]);
		}
		if (p->b > 5)
			rc |= xsm_buf_printf(t, " and %u more", p->b - 5);
		rc |= xsm_buf_puts(t, " on ");
		rc |= xsm__buf_gstr(t, g, en);
		rc |= xsm_buf_puts(t, " (entry point)");
	} else if (strstr(entry_type, "credential")) {
		rc |= xsm_buf_puts(t, "reset the credentials of ");
		rc |= xsm__buf_gstr(t, g, en);
		rc |= xsm_buf_puts(t, " and require MFA");
	} else {
		rc |= xsm_buf_puts(t, "remove the internet exposure of ");
		rc |= xsm__buf_gstr(t, g, en);
	}
	if (rc < 0)
		w->err = XSM_ENOMEM;
	put_rec(w, recs, t);
	for (uint32_t k = 0; k < hops; k++) {
		const char *lab = xsm__gstr(g, labels[k]);
		uint32_t a = g->nodes.v[nodes[k]].name, b = g->nodes.v[nodes[k + 1]].name;
		xsm_buf_clear(t);
		switch (step_kind(lab)) {
		case STEP_MEMBER:
			rc |= put3(t, "review the membership of ", g, a, " in ", b, "");
			break;
		case STEP_CREDS:
			rc |= put3(t, "stop ", g, b, "'s credentials being exposed on ", a, " (no privileged logons there)");
			break;
		case STEP_LOGON:
			rc |= put3(t, "remove the logon rights of ", g, a, " on ", b, "");
			break;
		case STEP_PERMS:
			rc |= put3(t, "remove the permissions of ", g, a, " on ", b, "");
			break;
		case STEP_TRAFFIC:
			rc |= put3(t, "restrict network traffic from ", g, a, " to ", b, "");
			break;
		default:
			rc |= xsm_buf_puts(t, "break '");
			rc |= xsm_buf_puts(t, lab);
			rc |= put3(t, "' from ", g, a, " to ", b, "");
		}
		if (rc < 0)
			w->err = XSM_ENOMEM;
		put_rec(w, recs, t);
	}
	xsm_jw_arr_end(w);
}

/* "NodeId", "NodeName" and "NodeLabel" of node into w's open object */
static void jw_node(xsm_jw *w, const xsm_graph *g, const xsm__nodefrags *frags, uint32_t node)
{
	const xsm__node *nd = &g->nodes.v[node];
	if (frags) {
		xsm__jw_node(w, frags, node);
		return;
	}
	xsm__jw_kgstr(w, "NodeId", g, nd->id);
	xsm__jw_kgstr(w, "NodeName", g, nd->name);
	xsm__jw_kgstr(w, "NodeLabel", g, nd->label);
}

int xsm__path_render(xsm_buf *out, xsm_buf *scratch, xsm_buf *recs, const xsm_graph *g, const xsm__nodefrags *frags,
		     const xsm__prec *r)
{
	uint32_t labels[256], hops = (uint32_t)r->hops, k;
	char id[20];
	xsm_jw w;

	xsm__hex_id(id, "ap-", r->hid);
	xsm_jw_init(&w, out);
	xsm_jw_obj(&w);
	xsm_jw_key(&w, "PathId");
	xsm_jw_strn(&w, id, 19);
	xsm_jw_key(&w, "scenario");
	/* the scenario, "<entry type> -> <classification>" (xsm__paths_scenario), written whole */
	xsm_buf_clear(scratch);
	if (xsm_buf_puts(scratch, r->etype) < 0 || xsm_buf_puts(scratch, " -> ") < 0 || xsm_buf_puts(scratch, r->cls) < 0)
		return XSM_ENOMEM;
	xsm_jw_strn(&w, scratch->ptr, scratch->size);
	xsm_jw_kstr(&w, "risk", xsm_risk_name(r->risk));
	xsm_jw_kint(&w, "hops", hops);
	xsm_jw_key(&w, "entry");
	xsm_jw_obj(&w);
	jw_node(&w, g, frags, r->entry);
	xsm_jw_kstr(&w, "type", r->etype);
	xsm_jw_obj_end(&w);
	xsm_jw_key(&w, "target");
	xsm_jw_obj(&w);
	jw_node(&w, g, frags, r->target);
	xsm_jw_kstr(&w, "classification", r->cls);
	xsm_jw_kint(&w, "criticalityLevel", r->level);
	xsm_jw_obj_end(&w);
	xsm_jw_key(&w, "steps");
	xsm_jw_arr(&w);
	for (k = 0; k < hops; k++)
		labels[k] = g->edges.v[r->edges[k]].label; /* one read an edge: they are scattered */
	for (k = 0; k <= hops; k++) {
		xsm_jw_obj(&w);
		jw_node(&w, g, frags, r->nodes[k]);
		if (k < hops)
			xsm__jw_kgstr(&w, "EdgeLabel", g, labels[k]);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	recommend(&w, scratch, recs, g, r->nodes, labels, hops, r->etype);
	xsm_jw_obj_end(&w);
	return w.err ? XSM_ENOMEM : 0;
}

/* --- reading ------------------------------------------------------------------------------ */

_Static_assert(sizeof(xsm__ps_trailer) == XSM__PS_TRAILER_V1 + 16, "the trailer is version 1's and the summary's place");

struct xsm__pstore {
	xsm_ctx *ctx;
	xsm__zr *zr;
	xsm__ps_trailer t;
	uint64_t nnodes, nedges, reads;
	char *strings;
	const char **types, **classes;
	unsigned char *targets, *entries; /* the two small sections, read whole */
	uint64_t *fence;
	uint32_t buf[2 * 256 + 2];        /* the last record's nodes and edges */
	char what[96];
};

void xsm__pstore_free(xsm__pstore *s)
{
	if (!s)
		return;
	xsm__zr_free(s->zr);
	xsm__free(s->strings);
	xsm__free(s->types);
	xsm__free(s->classes);
	xsm__free(s->targets);
	xsm__free(s->entries);
	xsm__free(s->fence);
	xsm__free(s);
}

static int damaged(xsm__pstore *s, const char *why)
{
	return xsm__error_set(s->ctx, XSM_EINVALID, "'%s' is damaged (%s)", s->what, why);
}

/* n bytes at off into dst */
static int get(xsm__pstore *s, uint64_t off, size_t n, void *dst)
{
	if (off > xsm__zr_size(s->zr) || n > xsm__zr_size(s->zr) - off)
		return damaged(s, "an offset past its end");
	if (n && xsm__zr_read(s->zr, off, n, dst) < 0)
		return damaged(s, "a frame does not decompress");
	return 0;
}

/* section k read whole into a new allocation of its length (+1 for a NUL) */
static int section(xsm__pstore *s, int k, void **out)
{
	uint64_t len = s->t.sec[k][1];
	char *p;
	*out = NULL;
	if (len > ((uint64_t)1 << 34) || !(p = xsm__malloc((size_t)len + 1)))
		return xsm__error_oom(s->ctx);
	if (get(s, s->t.sec[k][0], (size_t)len, p) < 0) {
		xsm__free(p);
		return XSM_EINVALID;
	}
	p[len] = '\0';
	*out = p;
	return 0;
}

static uint32_t u32at(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t u64at(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

int xsm__pstore_open(xsm__pstore **out, xsm_ctx *ctx, const void *p, size_t n, const char *what)
{
	xsm__pstore *s = xsm__calloc(1, sizeof(*s));
	uint64_t size, npaths;
	size_t k;
	int rc;

	*out = NULL;
	if (!s)
		return xsm__error_oom(ctx);
	s->ctx = ctx;
	s->nnodes = s->nedges = UINT64_MAX; /* until a graph is given */
	snprintf(s->what, sizeof(s->what), "%s", what);
	if ((rc = xsm__zr_open(&s->zr, ctx, p, n, what)) < 0)
		goto fail;
	size = xsm__zr_size(s->zr);
	if (size < XSM__PS_TRAILER_V1) {
		rc = damaged(s, "no trailer");
		goto fail;
	}
	/* version 1's trailer (no summary) in the last 192 bytes; else version 2's, 16 bytes longer */
	if ((rc = get(s, size - XSM__PS_TRAILER_V1, XSM__PS_TRAILER_V1, &s->t)) < 0)
		goto fail;
	if (memcmp(s->t.magic, "XSMPATH1", 8) || s->t.endian != 0x01020304u || s->t.version != 1) {
		/* a trailer of 192 bytes of another version: told as such, not read as version 2 */
		uint32_t other = memcmp(s->t.magic, "XSMPATH1", 8) || s->t.endian != 0x01020304u ? 0 : s->t.version;
		memset(&s->t, 0, sizeof(s->t));
		if (!other && size >= sizeof(s->t) && (rc = get(s, size - sizeof(s->t), sizeof(s->t), &s->t)) < 0)
			goto fail;
		if (!other && (memcmp(s->t.magic, "XSMPATH1", 8) || s->t.endian != 0x01020304u)) {
			rc = damaged(s, "not a paths file of this machine's byte order");
			goto fail;
		}
		if (other || s->t.version != 2) {
			rc = xsm__error_set(ctx, XSM_EINVALID, "'%s' is of version %u; this xsm reads versions 1 and 2",
					    what, other ? other : s->t.version);
			goto fail;
		}
	}
	npaths = s->t.paths;
	for (k = 0; k < XSM__PS_NSEC; k++)
		if (s->t.sec[k][0] > size || s->t.sec[k][1] > size - s->t.sec[k][0]) {
			rc = damaged(s, "a section past its end");
			goto fail;
		}
	if (s->t.sec[XSM__PS_TARGETS][1] != s->t.targets * XSM__PS_TROW ||
	    s->t.sec[XSM__PS_ENTRIES][1] != s->t.entries * XSM__PS_EROW ||
	    s->t.sec[XSM__PS_ENTRY_PATHS][1] != npaths * 4 || s->t.sec[XSM__PS_SERIOUS][1] != npaths * 4 ||
	    s->t.sec[XSM__PS_IDS][1] != npaths * 16 ||
	    s->t.sec[XSM__PS_OFFSETS][1] != (npaths + XSM__PS_EVERY - 1) / XSM__PS_EVERY * 8 ||
	    s->t.sec[XSM__PS_FENCE][1] != (npaths + XSM__PS_FENCE_ROWS - 1) / XSM__PS_FENCE_ROWS * 8 ||
	    s->t.sec[XSM__PS_SUMMARY][1] % XSM__PS_SROW || npaths > UINT32_MAX) {
		rc = damaged(s, "sections of the wrong size");
		goto fail;
	}
	if ((rc = section(s, XSM__PS_STRINGS, (void **)&s->strings)) < 0 ||
	    (rc = section(s, XSM__PS_TARGETS, (void **)&s->targets)) < 0 ||
	    (rc = section(s, XSM__PS_ENTRIES, (void **)&s->entries)) < 0 ||
	    (rc = section(s, XSM__PS_FENCE, (void **)&s->fence)) < 0)
		goto fail;
	if (!(s->types = xsm__calloc((size_t)s->t.ntypes + 1, sizeof(char *))) ||
	    !(s->classes = xsm__calloc((size_t)s->t.nclasses + 1, sizeof(char *)))) {
		rc = xsm__error_oom(ctx);
		goto fail;
	}
	{
		const char *q = s->strings, *end = s->strings + s->t.sec[XSM__PS_STRINGS][1];
		for (k = 0; k < (size_t)s->t.ntypes + s->t.nclasses; k++) {
			const char *z = q < end ? memchr(q, '\0', (size_t)(end - q)) : NULL;
			if (!z) {
				rc = damaged(s, "strings cut short");
				goto fail;
			}
			if (k < s->t.ntypes)
				s->types[k] = q;
			else
				s->classes[k - s->t.ntypes] = q;
			q = z + 1;
		}
		/* the ends' names: offsets into strings, each ending before its end */
		for (k = 0; k < (size_t)(s->t.targets + s->t.entries) * 3; k++) {
			int ent = k >= s->t.targets * 3;
			size_t row = ent ? k / 3 - (size_t)s->t.targets : k / 3;
			const unsigned char *r = ent ? s->entries + row * XSM__PS_EROW + 16 : s->targets + row * XSM__PS_TROW + 24;
			if (u32at(r + 4 * (k % 3)) >= s->t.sec[XSM__PS_STRINGS][1] || (end > s->strings && end[-1])) {
				rc = damaged(s, "a name past the strings");
				goto fail;
			}
		}
	}
	*out = s;
	return 0;
fail:
	xsm__pstore_free(s);
	return rc;
}

int xsm__pstore_graph(xsm__pstore *s, uint64_t nnodes, uint64_t nedges)
{
	if (s->t.nodes != nnodes || s->t.edges != nedges)
		return xsm__error_set(s->ctx, XSM_EINVALID, "'%s' does not match the snapshot's graph", s->what);
	s->nnodes = nnodes;
	s->nedges = nedges;
	return 0;
}

/* the row of node among rows (width bytes each, by node), or NULL */
static const unsigned char *find_row(const unsigned char *rows, size_t n, size_t width, uint32_t node)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = u32at(rows + mid * width);
		if (v == node)
			return rows + mid * width;
		if (v < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *xsm__pstore_end(const xsm__pstore *s, int entries, uint32_t node, const char **name, const char **label)
{
	const unsigned char *r = entries ? find_row(s->entries, (size_t)s->t.entries, XSM__PS_EROW, node)
					 : find_row(s->targets, (size_t)s->t.targets, XSM__PS_TROW, node);
	if (!r) {
		*name = *label = NULL;
		return NULL;
	}
	r += entries ? 16 : 24;
	*name = s->strings + u32at(r + 4);
	*label = s->strings + u32at(r + 8);
	return s->strings + u32at(r);
}

size_t xsm__pstore_count(const xsm__pstore *s)
{
	return (size_t)s->t.paths;
}

uint64_t xsm__pstore_reads(const xsm__pstore *s)
{
	return s->reads;
}

int xsm__pstore_read(xsm__pstore *s, uint64_t off, uint32_t no, xsm__prec *r, uint64_t *next)
{
	unsigned char h[XSM__PS_HEAD];
	size_t n;
	int rc;

	if (off >= s->t.sec[XSM__PS_TARGETS][0] || no >= s->t.paths)
		return damaged(s, "a record past the records");
	if ((rc = get(s, off, sizeof(h), h)) < 0)
		return rc;
	memset(r, 0, sizeof(*r));
	r->hid = u64at(h);
	r->entry = u32at(h + 8);
	r->target = u32at(h + 12);
	r->risk = h[16];
	r->level = h[17];
	r->hops = h[18];
	r->no = no;
	if (h[19] >= s->t.ntypes || (uint32_t)(h[20] | h[21] << 8) >= s->t.nclasses || r->risk > XSM_RISK_LOW ||
	    r->hops > 255 || r->entry >= s->nnodes || r->target >= s->nnodes)
		return damaged(s, "a record out of range");
	r->etype = s->types[h[19]];
	r->cls = s->classes[h[20] | h[21] << 8];
	r->entry_id = xsm__pstore_end(s, 1, r->entry, &r->entry_name, &r->entry_label);
	r->target_id = xsm__pstore_end(s, 0, r->target, &r->target_name, &r->target_label);
	if (!r->entry_id || !r->target_id)
		return damaged(s, "a path whose ends the index lacks");
	n = (size_t)r->hops * 2 + 1;
	if ((rc = get(s, off + XSM__PS_HEAD, n * 4, s->buf)) < 0)
		return rc;
	for (size_t k = 0; k < n; k++)
		if (s->buf[k] >= (k <= (size_t)r->hops ? s->nnodes : s->nedges))
			return damaged(s, "a record out of range");
	r->nodes = s->buf;
	r->edges = s->buf + r->hops + 1;
	if (next)
		*next = off + XSM__PS_HEAD + n * 4;
	s->reads++;
	return 0;
}

int xsm__pstore_offset(xsm__pstore *s, uint32_t no, uint64_t *off)
{
	unsigned char b[8];
	xsm__prec r;
	uint64_t at;
	uint32_t k;
	int rc;

	if (no >= s->t.paths)
		return damaged(s, "a path number past the last");
	if ((rc = get(s, s->t.sec[XSM__PS_OFFSETS][0] + (uint64_t)(no / XSM__PS_EVERY) * 8, 8, b)) < 0)
		return rc;
	at = u64at(b);
	for (k = no - no % XSM__PS_EVERY; k < no; k++)
		if ((rc = xsm__pstore_read(s, at, k, &r, &at)) < 0)
			return rc;
	s->reads -= no % XSM__PS_EVERY; /* skipped, not read for the caller */
	*off = at;
	return 0;
}

int xsm__pstore_target(xsm__pstore *s, uint32_t node, uint32_t *first, uint64_t *off, uint32_t *count)
{
	const unsigned char *row = find_row(s->targets, (size_t)s->t.targets, XSM__PS_TROW, node);
	*count = 0;
	if (row) {
		*first = u32at(row + 4);
		*count = u32at(row + 8);
		*off = u64at(row + 16);
	}
	return 0;
}

int xsm__pstore_entry(xsm__pstore *s, uint32_t node, uint32_t **paths, uint32_t *count)
{
	const unsigned char *row = find_row(s->entries, (size_t)s->t.entries, XSM__PS_EROW, node);
	uint32_t start, n;
	*paths = NULL;
	*count = 0;
	if (!row)
		return 0;
	start = u32at(row + 4);
	n = u32at(row + 8);
	if ((uint64_t)start + n > s->t.paths)
		return damaged(s, "an entry past the paths");
	if (!(*paths = xsm__calloc((size_t)n + 1, sizeof(uint32_t))))
		return xsm__error_oom(s->ctx);
	*count = n;
	return get(s, s->t.sec[XSM__PS_ENTRY_PATHS][0] + (uint64_t)start * 4, (size_t)n * 4, *paths);
}

int xsm__pstore_ends(xsm__pstore *s, int entries, uint32_t **nodes, size_t *n)
{
	size_t count = (size_t)(entries ? s->t.entries : s->t.targets), width = entries ? XSM__PS_EROW : XSM__PS_TROW;
	const unsigned char *rows = entries ? s->entries : s->targets;
	if (!(*nodes = xsm__calloc(count + 1, sizeof(uint32_t))))
		return xsm__error_oom(s->ctx);
	for (size_t i = 0; i < count; i++)
		(*nodes)[i] = u32at(rows + i * width);
	*n = count;
	return 0;
}

int64_t xsm__pstore_find(xsm__pstore *s, uint64_t hid)
{
	size_t nf = (size_t)((s->t.paths + XSM__PS_FENCE_ROWS - 1) / XSM__PS_FENCE_ROWS), lo = 0, hi = nf, block, rows;
	unsigned char *b;
	int64_t found = -1;

	/* the last block whose first hash is at most hid */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->fence[mid] <= hid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	block = lo - 1;
	rows = (size_t)(s->t.paths - (uint64_t)block * XSM__PS_FENCE_ROWS);
	if (rows > XSM__PS_FENCE_ROWS)
		rows = XSM__PS_FENCE_ROWS;
	if (!(b = xsm__malloc(rows * 16)))
		return xsm__error_oom(s->ctx);
	if (get(s, s->t.sec[XSM__PS_IDS][0] + (uint64_t)block * XSM__PS_FENCE_ROWS * 16, rows * 16, b) < 0) {
		xsm__free(b);
		return XSM_EINVALID;
	}
	lo = 0;
	hi = rows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v = u64at(b + mid * 16);
		if (v == hid) {
			found = u32at(b + mid * 16 + 8);
			break;
		}
		if (v < hid)
			lo = mid + 1;
		else
			hi = mid;
	}
	xsm__free(b);
	if (found >= (int64_t)s->t.paths)
		return damaged(s, "an id past the paths");
	return found;
}

int xsm__pstore_serious(xsm__pstore *s, size_t from, size_t n, uint32_t *out)
{
	if (from > s->t.paths || n > s->t.paths - from)
		return damaged(s, "past the paths");
	return get(s, s->t.sec[XSM__PS_SERIOUS][0] + (uint64_t)from * 4, n * 4, out);
}

/* --- the summary (version 2) ------------------------------------------------------------- */

int xsm__pstore_has_summary(const xsm__pstore *s)
{
	return s->t.version >= 2;
}

size_t xsm__pstore_nends(const xsm__pstore *s, int entries)
{
	return (size_t)(entries ? s->t.entries : s->t.targets);
}

const char *xsm__pstore_end_at(const xsm__pstore *s, int entries, size_t i, uint32_t *count)
{
	const unsigned char *r = entries ? s->entries + i * XSM__PS_EROW : s->targets + i * XSM__PS_TROW;
	*count = u32at(r + 8);
	return s->strings + u32at(r + (entries ? 16 : 24) + 4);
}

int xsm__pstore_summary(xsm__pstore *s, xsm__ps_sumrow **rows, size_t *n)
{
	size_t nrows = (size_t)(s->t.sec[XSM__PS_SUMMARY][1] / XSM__PS_SROW), i;
	uint64_t sum[3] = { 0 };
	unsigned char *b = NULL;
	int rc;

	*rows = NULL;
	*n = 0;
	if (!xsm__pstore_has_summary(s))
		return 0;
	if ((rc = section(s, XSM__PS_SUMMARY, (void **)&b)) < 0)
		return rc;
	if (!(*rows = xsm__calloc(nrows + 1, sizeof(**rows)))) {
		xsm__free(b);
		return xsm__error_oom(s->ctx);
	}
	for (i = 0; i < nrows; i++) {
		const unsigned char *r = b + i * XSM__PS_SROW;
		uint32_t type = u32at(r), cls = u32at(r + 4), risk = u32at(r + 8);
		if (type >= s->t.ntypes || cls >= s->t.nclasses || risk > XSM_RISK_LOW)
			break;
		(*rows)[i] = (xsm__ps_sumrow){ s->types[type], s->classes[cls], (int)risk, u32at(r + 12) };
		sum[0] += u32at(r + 12);
	}
	xsm__free(b);
	for (size_t k = 0; k < s->t.targets; k++)
		sum[1] += u32at(s->targets + k * XSM__PS_TROW + 8);
	for (size_t k = 0; k < s->t.entries; k++)
		sum[2] += u32at(s->entries + k * XSM__PS_EROW + 8);
	if (i < nrows || sum[0] != s->t.paths || sum[1] != s->t.paths || sum[2] != s->t.paths) {
		xsm__free(*rows);
		*rows = NULL;
		return damaged(s, i < nrows ? "a summary row out of range" : "a summary that does not add up to the paths");
	}
	*n = nrows;
	return 0;
}
