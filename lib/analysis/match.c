/*
 * match.c - pattern queries (xsm-match(7)): a parser for
 *
 *   query   := pattern (',' pattern)* ['where' EXPR] ['project' item (',' item)*]
 *   pattern := node (edge node)*
 *   node    := '(' [var] [':' label ('|' label)*] ['{' EXPR '}'] ')'
 *   edge    := '-[' spec ']->' | '<-[' spec ']-' | '-[' spec ']-' | '-->' | '<--' | '--'
 *   spec    := [var] [':' label ('|' label)*] ['*' [min] ['..' max]]
 *   item    := var | var '.' field | 'hops' '(' var ')'   ['as' name]
 *
 * and an evaluator.  The plan: every node variable's candidates first
 * (labels, its {condition}, and the where clause's conjuncts that name
 * only it), then start from the variable with the fewest and grow the
 * partial matches one edge pattern at a time, by a breadth-first search
 * bounded by the edge's hops from each distinct node at the bound end
 * (one search serves every partial match sharing that node).  A
 * variable-length edge binds, for each pair of end nodes, one path: the
 * shortest with at least min hops, the first found in adjacency order
 * (edges sorted by label and far end, nodes by NodeId).  Conjuncts naming
 * several variables are applied as soon as their variables are bound.
 * Rows are sorted by the NodeIds of the node variables in order of
 * appearance: the output is deterministic.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/expr.h"
#include "ctx.h"
#include "exposure/match.h"
#include "graph/graph.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/vec.h"

#define MAX_QUERY (64 * 1024)
#define MAX_VARS 32
#define MAX_LABELS 16
#define MAX_ITEMS 64
#define UNBOUND UINT32_MAX

typedef XSM__VEC(uint32_t) u32vec;

struct span {
	size_t off, len;
};

struct lset {
	char *names[MAX_LABELS];
	int n;
	uint32_t ids[MAX_LABELS]; /* the names the graph has */
	int nids;
};

struct nvar {
	char *name; /* NULL: anonymous */
	size_t col;
	XSM__VEC(struct lset) labels; /* each set must hold (one a mention) */
	XSM__VEC(struct span) conds;  /* {EXPR} of each mention */
	XSM__VEC(xsm__expr *) cexprs;
	XSM__VEC(int) pushed;         /* where conjuncts that name only this variable */
	uint64_t *ok;                 /* candidate bitmap, NULL: every node */
	size_t ncand;
	int eq_kind;                  /* a condition is name == "S" (1) or id == "S" (2): S's string id in eq, */
	uint32_t eq;                  /* or eq_none: no node has it */
	int eq_none;
};

struct epat {
	char *name;
	size_t col;
	int a, b;   /* node variables, left and right */
	int dir;    /* 1: a -> b, -1: a <- b, 0: either */
	struct lset labels;
	int min, max;
};

struct conj {
	struct span s;
	xsm__expr *e;
	uint64_t nmask, emask;
	int done;
};

enum { P_FIELD, P_NODE, P_HOPS };

struct item {
	int kind, var, fid;
	char *field, *title;
};

struct chain {
	int first; /* node variable */
	int e0, ne; /* edge patterns e0 .. e0+ne-1 */
};

struct query {
	const char *text;
	XSM__VEC(struct nvar) nv;
	XSM__VEC(struct epat) ep;
	XSM__VEC(struct conj) cj;
	XSM__VEC(struct item) it;
	XSM__VEC(struct chain) ch;
	int projected;
};

struct parser {
	const char *s;
	size_t p;
	xsm_ctx *ctx;
	int err;
	int max_hops;
	struct query *q;
};

static int perr(struct parser *ps, int code, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int perr(struct parser *ps, int code, size_t at, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ps->err)
		ps->err = xsm__error_set(ps->ctx, code, "col %zu: %s", at + 1, msg);
	return ps->err;
}

static void skip_ws(struct parser *ps)
{
	while (ps->s[ps->p] == ' ' || ps->s[ps->p] == '\t' || ps->s[ps->p] == '\n' || ps->s[ps->p] == '\r')
		ps->p++;
}

static int is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static int is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* the word at p (letters, digits, '_'), case aside, followed by a non-word character */
static int word_at(const char *s, size_t p, const char *w)
{
	size_t n = strlen(w);
	if (p > 0 && (is_ident(s[p - 1]) || s[p - 1] == '.'))
		return 0;
	return !strncasecmp(s + p, w, n) && !is_ident(s[p + n]) && s[p + n] != '.';
}

static char *ident(struct parser *ps)
{
	size_t st = ps->p;
	char *r;
	if (!is_ident_start(ps->s[ps->p])) {
		perr(ps, XSM_EINVALID, ps->p, "expected a name");
		return NULL;
	}
	while (is_ident(ps->s[ps->p]))
		ps->p++;
	if (!(r = xsm__strndup(ps->s + st, ps->p - st)))
		ps->err = xsm__error_oom(ps->ctx);
	return r;
}

/* a label: a bare word (letters, digits, '_', '.', '-') or a "quoted string" */
static char *label(struct parser *ps)
{
	size_t st = ps->p;
	char *r;
	if (ps->s[ps->p] == '"') {
		xsm_buf b = XSM_BUF_INIT;
		for (ps->p++; ps->s[ps->p] && ps->s[ps->p] != '"'; ps->p++) {
			if (ps->s[ps->p] == '\\' && ps->s[ps->p + 1])
				ps->p++;
			if (xsm_buf_putc(&b, ps->s[ps->p]) < 0) {
				xsm_buf_dispose(&b);
				ps->err = xsm__error_oom(ps->ctx);
				return NULL;
			}
		}
		if (ps->s[ps->p] != '"') {
			xsm_buf_dispose(&b);
			perr(ps, XSM_EINVALID, st, "unterminated string");
			return NULL;
		}
		ps->p++;
		if (!b.size) {
			xsm_buf_dispose(&b);
			perr(ps, XSM_EINVALID, st, "empty label");
			return NULL;
		}
		return b.ptr;
	}
	while (isalnum((unsigned char)ps->s[ps->p]) || ps->s[ps->p] == '_' || ps->s[ps->p] == '.' ||
	       (ps->s[ps->p] == '-' && ps->p > st && isalnum((unsigned char)ps->s[ps->p + 1])))
		ps->p++;
	if (ps->p == st) {
		perr(ps, XSM_EINVALID, st, "expected a label (a name or a \"quoted string\")");
		return NULL;
	}
	if (!(r = xsm__strndup(ps->s + st, ps->p - st)))
		ps->err = xsm__error_oom(ps->ctx);
	return r;
}

static int labels(struct parser *ps, struct lset *ls)
{
	do {
		char *l;
		skip_ws(ps);
		if (ls->n == MAX_LABELS)
			return perr(ps, XSM_EINVALID, ps->p, "more than %d labels", MAX_LABELS);
		if (!(l = label(ps)))
			return ps->err;
		ls->names[ls->n++] = l;
		skip_ws(ps);
	} while (ps->s[ps->p] == '|' && ++ps->p);
	return 0;
}

static void lset_free(struct lset *ls)
{
	for (int i = 0; i < ls->n; i++)
		xsm__free(ls->names[i]);
	ls->n = 0;
}

static int find_nvar(const struct query *q, const char *name)
{
	for (size_t i = 0; i < q->nv.n; i++)
		if (q->nv.v[i].name && !strcmp(q->nv.v[i].name, name))
			return (int)i;
	return -1;
}

static int find_evar(const struct query *q, const char *name)
{
	for (size_t i = 0; i < q->ep.n; i++)
		if (q->ep.v[i].name && !strcmp(q->ep.v[i].name, name))
			return (int)i;
	return -1;
}

/* the end of a {condition}: the '}' outside strings */
static int cond_span(struct parser *ps, struct span *sp)
{
	size_t st = ps->p + 1, i;
	for (i = st; ps->s[i] && ps->s[i] != '}'; i++)
		if (ps->s[i] == '"') {
			for (i++; ps->s[i] && ps->s[i] != '"'; i++)
				if (ps->s[i] == '\\' && ps->s[i + 1])
					i++;
			if (!ps->s[i])
				return perr(ps, XSM_EINVALID, ps->p, "unterminated string in a condition");
		}
	if (!ps->s[i])
		return perr(ps, XSM_EINVALID, ps->p, "a condition '{' without its '}'");
	sp->off = st;
	sp->len = i - st;
	ps->p = i + 1;
	return 0;
}

static int node_pat(struct parser *ps, int *out)
{
	struct query *q = ps->q;
	struct nvar nv;
	struct lset ls;
	struct span cs = { 0, 0 };
	char *name = NULL;
	size_t col;
	int have_ls = 0, have_c = 0, k;

	memset(&nv, 0, sizeof(nv));
	memset(&ls, 0, sizeof(ls));
	skip_ws(ps);
	col = ps->p;
	if (ps->s[ps->p] != '(')
		return perr(ps, XSM_EINVALID, ps->p, "expected '(' to start a node pattern");
	ps->p++;
	skip_ws(ps);
	if (is_ident_start(ps->s[ps->p]) && !(name = ident(ps)))
		return ps->err;
	skip_ws(ps);
	if (ps->s[ps->p] == ':') {
		ps->p++;
		if (labels(ps, &ls) < 0)
			goto fail;
		have_ls = 1;
	}
	skip_ws(ps);
	if (ps->s[ps->p] == '{') {
		if (cond_span(ps, &cs) < 0)
			goto fail;
		have_c = 1;
		skip_ws(ps);
	}
	if (ps->s[ps->p] != ')') {
		perr(ps, XSM_EINVALID, ps->p, "expected ')' to end the node pattern");
		goto fail;
	}
	ps->p++;
	if (name && find_evar(q, name) >= 0) {
		perr(ps, XSM_EINVALID, col + 1, "'%s' is an edge variable", name);
		goto fail;
	}
	k = name ? find_nvar(q, name) : -1;
	if (k < 0) {
		if (q->nv.n == MAX_VARS) {
			perr(ps, XSM_EINVALID, col, "more than %d node patterns", MAX_VARS);
			goto fail;
		}
		nv.name = name;
		nv.col = col;
		name = NULL;
		if (xsm__vec_push(&q->nv, nv) < 0)
			goto oom;
		k = (int)q->nv.n - 1;
	}
	if (have_ls) {
		if (xsm__vec_push(&q->nv.v[k].labels, ls) < 0)
			goto oom;
		memset(&ls, 0, sizeof(ls));
	}
	if (have_c && xsm__vec_push(&q->nv.v[k].conds, cs) < 0)
		goto oom;
	xsm__free(name);
	*out = k;
	return 0;
oom:
	ps->err = xsm__error_oom(ps->ctx);
fail:
	xsm__free(name);
	xsm__free(nv.name);
	lset_free(&ls);
	return ps->err;
}

static int number(struct parser *ps, int *out)
{
	long v = 0;
	size_t st = ps->p;
	while (isdigit((unsigned char)ps->s[ps->p])) {
		v = v * 10 + (ps->s[ps->p++] - '0');
		if (v > 1000)
			return perr(ps, XSM_EUSAGE, st, "too many hops");
	}
	*out = (int)v;
	return 0;
}

static int edge_spec(struct parser *ps, struct epat *e)
{
	skip_ws(ps);
	if (is_ident_start(ps->s[ps->p]) && !(e->name = ident(ps)))
		return ps->err;
	skip_ws(ps);
	if (ps->s[ps->p] == ':') {
		ps->p++;
		if (labels(ps, &e->labels) < 0)
			return ps->err;
	}
	skip_ws(ps);
	e->min = e->max = 1;
	if (ps->s[ps->p] == '*') {
		size_t st = ps->p;
		int lo = -1, hi = -1;
		ps->p++;
		skip_ws(ps);
		if (isdigit((unsigned char)ps->s[ps->p]) && number(ps, &lo) < 0)
			return ps->err;
		skip_ws(ps);
		if (ps->s[ps->p] == '.' && ps->s[ps->p + 1] == '.') {
			ps->p += 2;
			skip_ws(ps);
			if (isdigit((unsigned char)ps->s[ps->p]) && number(ps, &hi) < 0)
				return ps->err;
			if (hi < 0)
				return perr(ps, XSM_EUSAGE, st,
					    "unbounded variable-length edge: give an upper bound, at most %d hops (paths.max_hops)",
					    ps->max_hops);
			if (lo < 0)
				lo = 1;
		} else if (lo < 0) {
			return perr(ps, XSM_EUSAGE, st,
				    "unbounded variable-length edge: give an upper bound, at most %d hops (paths.max_hops)",
				    ps->max_hops);
		} else {
			hi = lo;
		}
		if (lo > hi)
			return perr(ps, XSM_EINVALID, st, "at least %d hops but at most %d", lo, hi);
		if (hi > ps->max_hops)
			return perr(ps, XSM_EUSAGE, st, "%d hops: at most %d (paths.max_hops)", hi, ps->max_hops);
		if (hi == 0)
			return perr(ps, XSM_EINVALID, st, "an edge of at most 0 hops");
		e->min = lo;
		e->max = hi;
		skip_ws(ps);
	}
	return 0;
}

static int edge_pat(struct parser *ps, struct epat *e)
{
	int lt = 0, gt = 0;
	e->col = ps->p;
	if (ps->s[ps->p] == '<') {
		lt = 1;
		ps->p++;
	}
	if (ps->s[ps->p] != '-')
		return perr(ps, XSM_EINVALID, ps->p, "expected '-' in an edge pattern");
	ps->p++;
	if (ps->s[ps->p] == '[') {
		ps->p++;
		if (edge_spec(ps, e) < 0)
			return ps->err;
		if (ps->s[ps->p] != ']')
			return perr(ps, XSM_EINVALID, ps->p, "expected ']' to end the edge pattern");
		ps->p++;
	} else {
		e->min = e->max = 1;
	}
	if (ps->s[ps->p] != '-')
		return perr(ps, XSM_EINVALID, ps->p, "expected '-' in an edge pattern");
	ps->p++;
	if (ps->s[ps->p] == '>') {
		gt = 1;
		ps->p++;
	}
	if (lt && gt)
		return perr(ps, XSM_EINVALID, e->col, "an edge pattern has one direction: '<-' or '->', not both");
	e->dir = gt ? 1 : lt ? -1 : 0;
	return 0;
}

static int pattern(struct parser *ps)
{
	struct query *q = ps->q;
	struct chain c;
	int a, b;

	if (node_pat(ps, &a) < 0)
		return ps->err;
	c.first = a;
	c.e0 = (int)q->ep.n;
	c.ne = 0;
	for (;;) {
		struct epat e;
		skip_ws(ps);
		if (ps->s[ps->p] != '-' && ps->s[ps->p] != '<')
			break;
		memset(&e, 0, sizeof(e));
		if (edge_pat(ps, &e) < 0 || node_pat(ps, &b) < 0) {
			xsm__free(e.name);
			lset_free(&e.labels);
			return ps->err;
		}
		if (e.name && (find_evar(q, e.name) >= 0 || find_nvar(q, e.name) >= 0)) {
			perr(ps, XSM_EINVALID, e.col, "variable '%s' used twice (an edge variable names one edge pattern)",
			     e.name);
			xsm__free(e.name);
			lset_free(&e.labels);
			return ps->err;
		}
		e.a = a;
		e.b = b;
		if (q->ep.n == MAX_VARS || xsm__vec_push(&q->ep, e) < 0) {
			xsm__free(e.name);
			lset_free(&e.labels);
			return q->ep.n == MAX_VARS ? perr(ps, XSM_EINVALID, e.col, "more than %d edge patterns", MAX_VARS)
						   : (ps->err = xsm__error_oom(ps->ctx));
		}
		c.ne++;
		a = b;
	}
	if (xsm__vec_push(&q->ch, c) < 0)
		return ps->err = xsm__error_oom(ps->ctx);
	return 0;
}

/*
 * The where clause from p to the word 'project' (outside strings and
 * brackets) or the end; split at its top-level 'and's when it has no
 * top-level 'or'.
 */
static int where_clause(struct parser *ps)
{
	struct query *q = ps->q;
	const char *s = ps->s;
	size_t st = ps->p, i, end, cuts[256];
	int depth = 0, has_or = 0, ncut = 0;

	for (i = st; s[i]; i++) {
		char c = s[i];
		if (c == '"') {
			size_t o = i;
			for (i++; s[i] && s[i] != '"'; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (!s[i])
				return perr(ps, XSM_EINVALID, o, "unterminated string");
			continue;
		}
		if (c == '(' || c == '[')
			depth++;
		else if (c == ')' || c == ']')
			depth--;
		else if (is_ident_start(c) && (i == 0 || (!is_ident(s[i - 1]) && s[i - 1] != '.'))) {
			if (depth <= 0 && word_at(s, i, "project"))
				break;
			if (word_at(s, i, "memberOf") || word_at(s, i, "loggedOnBy"))
				return perr(ps, XSM_EINVALID, i,
					    "a relation goes in a node's condition: (g:group {memberOf(...)}), not in where");
			if (depth <= 0 && word_at(s, i, "or"))
				has_or = 1;
			if (depth <= 0 && word_at(s, i, "and") && ncut < 256)
				cuts[ncut++] = i;
			while (s[i + 1] && (is_ident(s[i + 1]) || s[i + 1] == '.'))
				i++;
		}
	}
	end = i;
	if (has_or)
		ncut = 0;
	for (int k = 0; k <= ncut; k++) {
		struct conj c;
		size_t a = k ? cuts[k - 1] + 3 : st, b = k < ncut ? cuts[k] : end;
		while (a < b && isspace((unsigned char)s[a]))
			a++;
		while (b > a && isspace((unsigned char)s[b - 1]))
			b--;
		if (a == b)
			return perr(ps, XSM_EINVALID, a, "empty condition in where");
		memset(&c, 0, sizeof(c));
		c.s.off = a;
		c.s.len = b - a;
		if (xsm__vec_push(&q->cj, c) < 0)
			return ps->err = xsm__error_oom(ps->ctx);
	}
	ps->p = end;
	return 0;
}

static int field_ok(const char *f)
{
	static const char *const names[] = { "id", "label", "name", "categories", "sources" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(f, names[i]))
			return 1;
	return !strncmp(f, "props.", 6) && f[6];
}

static int project_item(struct parser *ps)
{
	struct query *q = ps->q;
	struct item it;
	size_t st, tend;
	char *name = NULL;

	memset(&it, 0, sizeof(it));
	skip_ws(ps);
	st = ps->p;
	if (word_at(ps->s, ps->p, "hops")) {
		size_t save = ps->p;
		ps->p += 4;
		skip_ws(ps);
		if (ps->s[ps->p] == '(') {
			ps->p++;
			skip_ws(ps);
			if (!(name = ident(ps)))
				return ps->err;
			skip_ws(ps);
			if (ps->s[ps->p] != ')') {
				xsm__free(name);
				return perr(ps, XSM_EINVALID, ps->p, "expected ')'");
			}
			ps->p++;
			it.kind = P_HOPS;
			if ((it.var = find_evar(q, name)) < 0) {
				xsm__free(name);
				return perr(ps, XSM_EINVALID, st, "hops() takes an edge variable");
			}
			xsm__free(name);
			goto title;
		}
		ps->p = save;
	}
	if (!(name = ident(ps)))
		return ps->err;
	if ((it.var = find_nvar(q, name)) < 0) {
		int ev = find_evar(q, name);
		xsm__free(name);
		return ev >= 0 ? perr(ps, XSM_EINVALID, st, "an edge variable is projected as hops(%.*s)",
				      (int)(ps->p - st), ps->s + st)
			       : perr(ps, XSM_EINVALID, st, "unknown variable '%.*s'", (int)(ps->p - st), ps->s + st);
	}
	xsm__free(name);
	it.kind = P_NODE;
	if (ps->s[ps->p] == '.') {
		size_t fs = ++ps->p;
		while (is_ident(ps->s[ps->p]) || ps->s[ps->p] == '.')
			ps->p++;
		if (!(it.field = xsm__strndup(ps->s + fs, ps->p - fs)))
			return ps->err = xsm__error_oom(ps->ctx);
		if (!field_ok(it.field)) {
			xsm__free(it.field);
			return perr(ps, XSM_EINVALID, fs,
				    "unknown field '%.*s' (id, label, name, categories, sources, props.NAME)",
				    (int)(ps->p - fs), ps->s + fs);
		}
		it.kind = P_FIELD;
	}
title:
	tend = ps->p;
	skip_ws(ps);
	if (word_at(ps->s, ps->p, "as")) {
		ps->p += 2;
		skip_ws(ps);
		if (!(it.title = ident(ps))) {
			xsm__free(it.field);
			return ps->err;
		}
	} else if (!(it.title = xsm__strndup(ps->s + st, tend - st))) {
		xsm__free(it.field);
		return ps->err = xsm__error_oom(ps->ctx);
	}
	for (size_t k = 0; k < q->it.n; k++)
		if (!strcmp(q->it.v[k].title, it.title)) {
			perr(ps, XSM_EINVALID, st, "column '%s' twice: name one with 'as'", it.title);
			xsm__free(it.field);
			xsm__free(it.title);
			return ps->err;
		}
	if (q->it.n == MAX_ITEMS || xsm__vec_push(&q->it, it) < 0) {
		xsm__free(it.field);
		xsm__free(it.title);
		return q->it.n == MAX_ITEMS ? perr(ps, XSM_EINVALID, st, "more than %d columns", MAX_ITEMS)
					    : (ps->err = xsm__error_oom(ps->ctx));
	}
	return 0;
}

static void query_free(struct query *q)
{
	for (size_t i = 0; i < q->nv.n; i++) {
		struct nvar *v = &q->nv.v[i];
		xsm__free(v->name);
		for (size_t k = 0; k < v->labels.n; k++)
			lset_free(&v->labels.v[k]);
		for (size_t k = 0; k < v->cexprs.n; k++)
			xsm__expr_free(v->cexprs.v[k]);
		xsm__vec_free(&v->labels);
		xsm__vec_free(&v->conds);
		xsm__vec_free(&v->cexprs);
		xsm__vec_free(&v->pushed);
		xsm__free(v->ok);
	}
	for (size_t i = 0; i < q->ep.n; i++) {
		xsm__free(q->ep.v[i].name);
		lset_free(&q->ep.v[i].labels);
	}
	for (size_t i = 0; i < q->cj.n; i++)
		xsm__expr_free(q->cj.v[i].e);
	for (size_t i = 0; i < q->it.n; i++) {
		xsm__free(q->it.v[i].field);
		xsm__free(q->it.v[i].title);
	}
	xsm__vec_free(&q->nv);
	xsm__vec_free(&q->ep);
	xsm__vec_free(&q->cj);
	xsm__vec_free(&q->it);
	xsm__vec_free(&q->ch);
	memset(q, 0, sizeof(*q));
}

static int parse(struct query *q, xsm_ctx *ctx, const char *text, int max_hops)
{
	struct parser ps;
	memset(q, 0, sizeof(*q));
	memset(&ps, 0, sizeof(ps));
	ps.s = text;
	ps.ctx = ctx;
	ps.q = q;
	ps.max_hops = max_hops > 0 ? max_hops : 8;
	q->text = text;
	if (strlen(text) > MAX_QUERY)
		return xsm__error_set(ctx, XSM_EINVALID, "col 1: query longer than %d bytes", MAX_QUERY);
	skip_ws(&ps);
	if (!text[ps.p])
		return perr(&ps, XSM_EINVALID, ps.p, "empty query: give a pattern such as (u:user)-[:\"member of\"]->(g:group)");
	while (!ps.err) {
		if (pattern(&ps) < 0)
			break;
		skip_ws(&ps);
		if (text[ps.p] != ',')
			break;
		ps.p++;
	}
	if (!ps.err && word_at(text, ps.p, "where")) {
		ps.p += 5;
		where_clause(&ps);
	}
	skip_ws(&ps);
	if (!ps.err && word_at(text, ps.p, "project")) {
		ps.p += 7;
		q->projected = 1;
		do {
			if (project_item(&ps) < 0)
				break;
			skip_ws(&ps);
		} while (text[ps.p] == ',' && ++ps.p);
	}
	skip_ws(&ps);
	if (!ps.err && text[ps.p])
		perr(&ps, XSM_EINVALID, ps.p, "unexpected '%.20s'", text + ps.p);
	return ps.err;
}

/* --- where: expressions over a row --------------------------------------------------- */

struct rfield {
	int var, edge, fid;
};

struct rowhost {
	const xsm_graph *g;      /* NULL: a syntax check */
	xsm__expr_host gh;
	const struct query *q;
	size_t nn;               /* row layout: node slots, then (offset, hops) per edge */
	XSM__VEC(struct rfield) f;
	uint64_t nmask, emask;   /* the variables the conjunct being compiled names */
	int oom;
};

static int row_resolve(void *h, const char *path, size_t len)
{
	struct rowhost *rh = h;
	const char *dot = memchr(path, '.', len);
	char var[64];
	struct rfield f = { -1, 0, -1 };
	int k;

	if (!dot || (size_t)(dot - path) >= sizeof(var))
		return -2;
	memcpy(var, path, (size_t)(dot - path));
	var[dot - path] = '\0';
	if ((k = find_nvar(rh->q, var)) >= 0) {
		size_t rl = len - (size_t)(dot + 1 - path);
		f.var = k;
		if (rh->g) {
			f.fid = rh->gh.resolve(rh->gh.host, dot + 1, rl);
			if (f.fid == -2)
				return -2;
		} else {
			char fld[256];
			if (rl >= sizeof(fld))
				return -2;
			memcpy(fld, dot + 1, rl);
			fld[rl] = '\0';
			if (!field_ok(fld))
				return -2;
		}
		rh->nmask |= 1ULL << k;
	} else if ((k = find_evar(rh->q, var)) >= 0) {
		if (len - (size_t)(dot + 1 - path) != 4 || memcmp(dot + 1, "hops", 4))
			return -2;
		f.var = k;
		f.edge = 1;
		rh->emask |= 1ULL << k;
	} else {
		return -2;
	}
	if (xsm__vec_push(&rh->f, f) < 0) {
		rh->oom = 1;
		return -1;
	}
	return (int)rh->f.n - 1;
}

static void row_get(void *h, const void *item, int fid, xsm__expr_val *out)
{
	const struct rowhost *rh = h;
	const uint32_t *row = item;
	const struct rfield *f = &rh->f.v[fid];
	memset(out, 0, sizeof(*out));
	if (f->edge) {
		if (row[rh->nn + 2 * (size_t)f->var] == UNBOUND)
			return;
		out->type = XSM_EV_NUM;
		out->num = row[rh->nn + 2 * (size_t)f->var + 1];
		return;
	}
	if (!rh->g || row[f->var] == UNBOUND || f->fid < 0)
		return;
	rh->gh.get(rh->gh.host, (const void *)(uintptr_t)row[f->var], f->fid, out);
}

/* an expression error at span sp: its column moved from the span's to the query's */
static int shift_error(xsm_ctx *ctx, int rc, size_t off)
{
	const char *m = xsm_ctx_errmsg(ctx);
	char msg[1024];
	long c;
	char *end;
	if (rc == XSM_ENOMEM || strncmp(m, "col ", 4))
		return rc;
	c = strtol(m + 4, &end, 10);
	snprintf(msg, sizeof(msg), "%s", end);
	return xsm__error_set(ctx, rc, "col %ld%s", c + (long)off, msg);
}

/*
 * hops(e) in a where clause reads as the field e.hops: rewritten in place,
 * padded with spaces to the same length, so columns stay where they were
 */
static void rewrite_hops(char *s)
{
	for (size_t i = 0; s[i]; i++) {
		size_t j, vs, ve;
		if (s[i] == '"') {
			for (i++; s[i] && s[i] != '"'; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (!s[i])
				return;
			continue;
		}
		if (!word_at(s, i, "hops"))
			continue;
		for (j = i + 4; s[j] == ' ' || s[j] == '\t'; j++)
			;
		if (s[j] != '(')
			continue;
		for (j++; s[j] == ' ' || s[j] == '\t'; j++)
			;
		vs = j;
		while (is_ident(s[j]))
			j++;
		ve = j;
		while (s[j] == ' ' || s[j] == '\t')
			j++;
		if (ve == vs || !is_ident_start(s[vs]) || s[j] != ')')
			continue;
		/* "hops(" ... ")" spans i..j: at least ve - vs + 6 bytes, room for "VAR.hops" */
		memmove(s + i, s + vs, ve - vs);
		memcpy(s + i + (ve - vs), ".hops", 5);
		for (size_t k = i + (ve - vs) + 5; k <= j; k++)
			s[k] = ' ';
		i = j;
	}
}

static int compile_span(xsm__expr **out, xsm_ctx *ctx, const char *text, struct span sp, const xsm__expr_host *h)
{
	char *s = xsm__strndup(text + sp.off, sp.len);
	int rc;
	if (out)
		*out = NULL;
	if (!s)
		return xsm__error_oom(ctx);
	if (h && h->resolve == row_resolve)
		rewrite_hops(s);
	if (!sp.len)
		rc = xsm__error_set(ctx, XSM_EINVALID, "col 1: empty condition");
	else if (h)
		rc = xsm__expr_compile(out, ctx, s, h);
	else
		rc = xsm__expr_check(ctx, s);
	xsm__free(s);
	return rc < 0 ? shift_error(ctx, rc, sp.off) : 0;
}

int xsm_match_check(xsm_ctx *ctx, const char *query, int max_hops)
{
	struct query q;
	struct rowhost rh;
	int rc = parse(&q, ctx, query, max_hops);
	memset(&rh, 0, sizeof(rh));
	rh.q = &q;
	for (size_t i = 0; rc == 0 && i < q.nv.n; i++)
		for (size_t k = 0; rc == 0 && k < q.nv.v[i].conds.n; k++)
			rc = compile_span(NULL, ctx, query, q.nv.v[i].conds.v[k], NULL);
	for (size_t i = 0; rc == 0 && i < q.cj.n; i++) {
		xsm__expr *e = NULL;
		xsm__expr_host h = { .resolve = row_resolve, .get = row_get, .host = &rh };
		rc = compile_span(&e, ctx, query, q.cj.v[i].s, &h);
		xsm__expr_free(e);
	}
	xsm__vec_free(&rh.f);
	query_free(&q);
	return rc;
}

/* --- evaluation --------------------------------------------------------------------- */

struct xsm_match {
	const xsm_graph *g;
	struct query q;
	struct rowhost rh;
	xsm__expr_host wh;          /* the where host (compiled conjuncts point at it) */
	xsm__expr_host gh;
	size_t nn, ne, w;           /* row width w = nn + 2 * ne */
	u32vec rows;
	size_t nrows;
	XSM__VEC(uint32_t) pool;    /* edges of the paths */
	size_t max_results;
	int max_hops;
	/* search state: (min + 1) * N states */
	uint32_t *stamp, *pedge, *queue;
	uint8_t *dist;
	uint32_t cur;
	size_t nstates;
	int oom;
	XSM__VEC(uint32_t) reached; /* states with at least min hops */
	XSM__VEC(uint32_t) scratch;
	XSM__VEC(uint32_t) cols;    /* human columns: item index, or node var + MAX_ITEMS, or 2*MAX_ITEMS: the path */
};

static size_t N(const xsm_match *m)
{
	return m->g->nodes.n;
}

static int lset_bind(const xsm_graph *g, struct lset *ls)
{
	ls->nids = 0;
	for (int i = 0; i < ls->n; i++) {
		uint32_t id;
		if (xsm__strpool_find(&g->s, ls->names[i], strlen(ls->names[i]), &id))
			ls->ids[ls->nids++] = id;
	}
	return 0;
}

static int lset_has(const struct lset *ls, uint32_t id)
{
	for (int i = 0; i < ls->nids; i++)
		if (ls->ids[i] == id)
			return 1;
	return 0;
}

static int too_many(xsm_match *m)
{
	return xsm__error_set(m->g->ctx, XSM_EUSAGE,
			      "the query matches more than %zu (--max-results): narrow the pattern or raise the limit",
			      m->max_results);
}

/*
 * Whether text (a condition, its variable prefix given) is exactly
 * FIELD == "S" with FIELD name or id and S free of escapes: such a
 * condition picks nodes by an interned id compare or the NodeId index
 * before any expression runs.  0, or 1 (name) / 2 (id) with S in s.
 */
static int simple_eq(const char *text, size_t len, const char *prefix, char *s, size_t cap)
{
	size_t i = 0, pl = strlen(prefix), st;
	int kind;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (len - i < pl || strncmp(text + i, prefix, pl))
		return 0;
	i += pl;
	if (len - i >= 4 && !strncmp(text + i, "name", 4) && !is_ident(text[i + 4]) && text[i + 4] != '.')
		kind = 1, i += 4;
	else if (len - i >= 2 && !strncmp(text + i, "id", 2) && !is_ident(text[i + 2]) && text[i + 2] != '.')
		kind = 2, i += 2;
	else
		return 0;
	while (i < len && text[i] == ' ')
		i++;
	if (len - i < 2 || strncmp(text + i, "==", 2))
		return 0;
	for (i += 2; i < len && text[i] == ' '; i++)
		;
	if (i >= len || text[i] != '"')
		return 0;
	st = ++i;
	while (i < len && text[i] != '"' && text[i] != '\\')
		i++;
	if (i >= len || text[i] != '"' || i - st >= cap)
		return 0;
	memcpy(s, text + st, i - st);
	s[i - st] = '\0';
	{
		/* a string that spells a number compares as that number (xsm-expr(7)): no shortcut */
		char *end;
		if (*s && (strtod(s, &end), !*end))
			return 0;
	}
	for (i++; i < len && (text[i] == ' ' || text[i] == '\t'); i++)
		;
	return i == len ? kind : 0;
}

/* a node variable's equality condition, if it has one, as a string id */
static void find_eq(xsm_match *m, size_t k)
{
	struct nvar *v = &m->q.nv.v[k];
	char s[1024], prefix[80];
	int kind = 0;
	for (size_t c = 0; c < v->conds.n && !kind; c++)
		kind = simple_eq(m->q.text + v->conds.v[c].off, v->conds.v[c].len, "", s, sizeof(s));
	if (v->name && strlen(v->name) < sizeof(prefix) - 2) {
		snprintf(prefix, sizeof(prefix), "%s.", v->name);
		for (size_t c = 0; c < v->pushed.n && !kind; c++) {
			const struct conj *cj = &m->q.cj.v[v->pushed.v[c]];
			kind = simple_eq(m->q.text + cj->s.off, cj->s.len, prefix, s, sizeof(s));
		}
	}
	if (!kind)
		return;
	v->eq_kind = kind;
	if (kind == 2) {
		uint32_t at;
		if (xsm__graph_node_by_id(m->g, s, strlen(s), &at))
			v->eq = at; /* the node itself */
		else
			v->eq_none = 1;
	} else if (!xsm__strpool_find(&m->g->s, s, strlen(s), &v->eq)) {
		v->eq_none = 1;
	}
}

/* each node variable's candidates */
static int candidates(xsm_match *m)
{
	size_t n = N(m), words = (n + 63) / 64;
	uint32_t *row = xsm__malloc(m->w * sizeof(uint32_t) + 1);
	if (!row)
		return xsm__error_oom(m->g->ctx);
	for (size_t k = 0; k < m->nn; k++) {
		struct nvar *v = &m->q.nv.v[k];
		v->ncand = n;
		if (!v->labels.n && !v->cexprs.n && !v->pushed.n)
			continue;
		if (!(v->ok = xsm__calloc(words + 1, sizeof(uint64_t)))) {
			xsm__free(row);
			return xsm__error_oom(m->g->ctx);
		}
		for (size_t x = 0; x < m->w; x++)
			row[x] = UNBOUND;
		v->ncand = 0;
		find_eq(m, k);
		for (size_t i = v->eq_kind == 2 && !v->eq_none ? v->eq : 0; i < n && !v->eq_none; i++) {
			size_t j;
			if (v->eq_kind == 2 && i != v->eq)
				break; /* the one node with that NodeId */
			if (v->eq_kind == 1 && m->g->nodes.v[i].name != v->eq)
				continue;
			for (j = 0; j < v->labels.n; j++)
				if (!lset_has(&v->labels.v[j], m->g->nodes.v[i].label))
					break;
			if (j < v->labels.n)
				continue;
			for (j = 0; j < v->cexprs.n; j++)
				if (!xsm__expr_eval(v->cexprs.v[j], (const void *)(uintptr_t)i))
					break;
			if (j < v->cexprs.n)
				continue;
			row[k] = (uint32_t)i;
			for (j = 0; j < v->pushed.n; j++)
				if (!xsm__expr_eval(m->q.cj.v[v->pushed.v[j]].e, row))
					break;
			if (j < v->pushed.n)
				continue;
			v->ok[i / 64] |= 1ULL << (i % 64);
			v->ncand++;
		}
	}
	xsm__free(row);
	return 0;
}

static int is_cand(const struct nvar *v, uint32_t i)
{
	return !v->ok || (v->ok[i / 64] >> (i % 64) & 1);
}

/* drop the rows that fail a conjunct whose variables are all bound now */
static void apply_where(xsm_match *m, uint64_t nb, uint64_t eb)
{
	for (size_t c = 0; c < m->q.cj.n; c++) {
		struct conj *cj = &m->q.cj.v[c];
		size_t keep = 0;
		if (cj->done || (cj->nmask & ~nb) || (cj->emask & ~eb))
			continue;
		cj->done = 1;
		for (size_t r = 0; r < m->nrows; r++) {
			const uint32_t *row = m->rows.v + r * m->w;
			if (!xsm__expr_eval(cj->e, row))
				continue;
			if (keep != r)
				memmove(m->rows.v + keep * m->w, row, m->w * sizeof(uint32_t));
			keep++;
		}
		m->nrows = keep;
	}
	m->rows.n = m->nrows * m->w;
}

static int add_row(xsm_match *m, const uint32_t *row)
{
	if (m->nrows >= m->max_results)
		return too_many(m);
	if (xsm__vec_reserve(&m->rows, m->w) < 0)
		return xsm__error_oom(m->g->ctx);
	memcpy(m->rows.v + m->rows.n, row, m->w * sizeof(uint32_t));
	m->rows.n += m->w;
	m->nrows++;
	return 0;
}

/* rows x the candidates of variable k (a pattern not joined to what is bound) */
static int cross(xsm_match *m, int k, int first)
{
	u32vec old;
	size_t n = N(m), nold;
	uint32_t *row = xsm__malloc(m->w * sizeof(uint32_t) + 1);
	int rc = 0;
	if (!row)
		return xsm__error_oom(m->g->ctx);
	old = m->rows;
	nold = first ? 1 : m->nrows;
	memset(&m->rows, 0, sizeof(m->rows));
	m->nrows = 0;
	for (size_t r = 0; r < nold && rc == 0; r++) {
		if (first)
			for (size_t x = 0; x < m->w; x++)
				row[x] = UNBOUND;
		else
			memcpy(row, old.v + r * m->w, m->w * sizeof(uint32_t));
		for (size_t i = 0; i < n && rc == 0; i++)
			if (is_cand(&m->q.nv.v[k], (uint32_t)i)) {
				row[k] = (uint32_t)i;
				rc = add_row(m, row);
			}
	}
	xsm__free(row);
	xsm__vec_free(&old);
	return rc;
}

/*
 * Breadth-first from x along edge pattern e, from its left end (fromleft)
 * or its right: every state (node, min(hops, e->min)) once; reached gets
 * the states with at least e->min hops.
 */
static void bfs(xsm_match *m, const struct epat *e, uint32_t x, int fromleft)
{
	const xsm_graph *g = m->g;
	size_t n = N(m), head = 0, tail = 0;
	int out = e->dir == 0 || (e->dir == 1) == fromleft, in = e->dir == 0 || (e->dir == -1) == fromleft;
	uint32_t cur;

	if (++m->cur == 0) {
		memset(m->stamp, 0, m->nstates * sizeof(uint32_t));
		m->cur = 1;
	}
	cur = m->cur;
	m->reached.n = 0;
	m->stamp[x] = cur;
	m->dist[x] = 0;
	m->pedge[x] = UNBOUND;
	m->queue[tail++] = x;
	if (e->min == 0 && xsm__vec_push(&m->reached, x) < 0)
		m->oom = 1;
	while (head < tail) {
		uint32_t s = m->queue[head++], u = (uint32_t)(s % n);
		int d = m->dist[s];
		if (d >= e->max)
			continue;
		for (int dir = 0; dir < 2; dir++) {
			const uint32_t *off = dir ? g->in_off : g->out_off, *lst = dir ? g->in_edge : g->out_edge;
			if (!(dir ? in : out))
				continue;
			for (uint32_t k = off[u]; k < off[u + 1]; k++) {
				uint32_t ei = lst[k];
				const xsm__edge *ed = &g->edges.v[ei];
				uint32_t v = dir ? ed->src : ed->dst, ns;
				int nd = d + 1, cl = nd < e->min ? nd : e->min;
				if (e->labels.n && !lset_has(&e->labels, ed->label))
					continue;
				ns = (uint32_t)((size_t)cl * n + v);
				if (m->stamp[ns] == cur)
					continue;
				m->stamp[ns] = cur;
				m->dist[ns] = (uint8_t)nd;
				m->pedge[ns] = ei;
				m->queue[tail++] = ns;
				if (cl == e->min && xsm__vec_push(&m->reached, ns) < 0) {
					m->oom = 1;
					return;
				}
			}
		}
	}
}

/* the edges from state s back to the search's start, in the pattern's order, into the pool; offset */
static int walk(xsm_match *m, const struct epat *e, uint32_t s, int fromleft, uint32_t *off, uint32_t *hops)
{
	const xsm_graph *g = m->g;
	size_t n = N(m);
	int d = m->dist[s];
	uint32_t v = (uint32_t)(s % n), at = (uint32_t)m->pool.n;
	if (xsm__vec_reserve(&m->pool, (size_t)d + 1) < 0)
		return xsm__error_oom(g->ctx);
	for (int k = 0; k < d; k++) {
		uint32_t ei = m->pedge[s];
		const xsm__edge *ed = &g->edges.v[ei];
		uint32_t u = ed->src == v ? ed->dst : ed->src;
		int cl = d - k - 1 < e->min ? d - k - 1 : e->min;
		m->pool.v[at + (uint32_t)k] = ei;
		v = u;
		s = (uint32_t)((size_t)cl * n + u);
	}
	if (fromleft) /* walked from the right end back to the left: reverse */
		for (int i = 0, j = d - 1; i < j; i++, j--) {
			uint32_t t = m->pool.v[at + (uint32_t)i];
			m->pool.v[at + (uint32_t)i] = m->pool.v[at + (uint32_t)j];
			m->pool.v[at + (uint32_t)j] = t;
		}
	m->pool.n += (size_t)d;
	*off = at;
	*hops = (uint32_t)d;
	return 0;
}

static const uint32_t *sort_rows;
static size_t sort_w, sort_slot;

static int cmp_by_slot(const void *a, const void *b)
{
	uint32_t x = sort_rows[*(const uint32_t *)a * sort_w + sort_slot],
		 y = sort_rows[*(const uint32_t *)b * sort_w + sort_slot];
	if (x != y)
		return x < y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* grow every row by edge pattern k from its bound end */
static int expand(xsm_match *m, int k, uint64_t nb)
{
	const struct epat *e = &m->q.ep.v[k];
	int fromleft = (nb >> e->a & 1) != 0, s = fromleft ? e->a : e->b, o = fromleft ? e->b : e->a;
	int obound = (nb >> o & 1) != 0;
	const struct nvar *ov = &m->q.nv.v[o];
	u32vec old = m->rows;
	uint32_t *idx = NULL, *row = NULL;
	size_t nold = m->nrows, n = N(m), r;
	int rc = 0;

	memset(&m->rows, 0, sizeof(m->rows));
	m->nrows = 0;
	if (!(idx = xsm__malloc(nold * sizeof(uint32_t) + 1)) || !(row = xsm__malloc(m->w * sizeof(uint32_t) + 1))) {
		rc = xsm__error_oom(m->g->ctx);
		goto done;
	}
	for (r = 0; r < nold; r++)
		idx[r] = (uint32_t)r;
	sort_rows = old.v;
	sort_w = m->w;
	sort_slot = (size_t)s;
	if (nold > 1)
		qsort(idx, nold, sizeof(uint32_t), cmp_by_slot);
	for (r = 0; r < nold && rc == 0;) {
		uint32_t x = old.v[(size_t)idx[r] * m->w + (size_t)s];
		size_t r1 = r;
		while (r1 < nold && old.v[(size_t)idx[r1] * m->w + (size_t)s] == x)
			r1++;
		bfs(m, e, x, fromleft);
		if (m->oom) {
			rc = xsm__error_oom(m->g->ctx);
			break;
		}
		if (obound) {
			/* a check: does the search reach each row's other end */
			for (size_t q = r; q < r1 && rc == 0; q++) {
				const uint32_t *orow = old.v + (size_t)idx[q] * m->w;
				uint32_t ns = (uint32_t)((size_t)e->min * n + orow[o]), off, hops;
				if (m->stamp[ns] != m->cur)
					continue;
				if ((rc = walk(m, e, ns, fromleft, &off, &hops)) < 0)
					break;
				memcpy(row, orow, m->w * sizeof(uint32_t));
				row[m->nn + 2 * (size_t)k] = off;
				row[m->nn + 2 * (size_t)k + 1] = hops;
				rc = add_row(m, row);
			}
			r = r1;
			continue;
		}
		/* the reached nodes the other end accepts, each path walked once for the group */
		m->scratch.n = 0;
		for (size_t q = 0; q < m->reached.n && rc == 0; q++) {
			uint32_t st = m->reached.v[q], v = (uint32_t)(st % n), off, hops;
			if (!is_cand(ov, v))
				continue;
			if ((rc = walk(m, e, st, fromleft, &off, &hops)) < 0)
				break;
			if (xsm__vec_reserve(&m->scratch, 3) < 0) {
				rc = xsm__error_oom(m->g->ctx);
				break;
			}
			m->scratch.v[m->scratch.n++] = v;
			m->scratch.v[m->scratch.n++] = off;
			m->scratch.v[m->scratch.n++] = hops;
		}
		for (size_t q = r; q < r1 && rc == 0; q++) {
			const uint32_t *orow = old.v + (size_t)idx[q] * m->w;
			for (size_t y = 0; y < m->scratch.n && rc == 0; y += 3) {
				memcpy(row, orow, m->w * sizeof(uint32_t));
				row[o] = m->scratch.v[y];
				row[m->nn + 2 * (size_t)k] = m->scratch.v[y + 1];
				row[m->nn + 2 * (size_t)k + 1] = m->scratch.v[y + 2];
				rc = add_row(m, row);
			}
		}
		r = r1;
	}
done:
	xsm__free(idx);
	xsm__free(row);
	xsm__vec_free(&old);
	return rc;
}

static const xsm_match *cmp_m;

static int cmp_rows(const void *a, const void *b)
{
	const xsm_match *m = cmp_m;
	const uint32_t *x = a, *y = b;
	for (size_t k = 0; k < m->nn; k++)
		if (x[k] != y[k])
			return x[k] < y[k] ? -1 : 1;
	for (size_t k = 0; k < m->ne; k++) {
		uint32_t hx = x[m->nn + 2 * k + 1], hy = y[m->nn + 2 * k + 1];
		if (hx != hy)
			return hx < hy ? -1 : 1;
		for (uint32_t h = 0; h < hx; h++) {
			uint32_t ex = m->pool.v[x[m->nn + 2 * k] + h], ey = m->pool.v[y[m->nn + 2 * k] + h];
			if (ex != ey)
				return ex < ey ? -1 : 1;
		}
	}
	return 0;
}

static int evaluate(xsm_match *m)
{
	uint64_t nb = 0, eb = 0, alln = m->nn == 64 ? ~0ULL : (1ULL << m->nn) - 1,
		 alle = m->ne == 64 ? ~0ULL : (1ULL << m->ne) - 1;
	size_t best = 0;
	int rc;

	for (size_t k = 1; k < m->nn; k++)
		if (m->q.nv.v[k].ncand < m->q.nv.v[best].ncand)
			best = k;
	if ((rc = cross(m, (int)best, 1)) < 0)
		return rc;
	nb |= 1ULL << best;
	apply_where(m, nb, eb);
	while (nb != alln || eb != alle) {
		int pick = -1;
		/* an edge with both ends bound (a check) first, then one with one end bound */
		for (size_t k = 0; k < m->ne && pick < 0; k++)
			if (!(eb >> k & 1) && (nb >> m->q.ep.v[k].a & 1) && (nb >> m->q.ep.v[k].b & 1))
				pick = (int)k;
		for (size_t k = 0; k < m->ne && pick < 0; k++)
			if (!(eb >> k & 1) && ((nb >> m->q.ep.v[k].a & 1) || (nb >> m->q.ep.v[k].b & 1)))
				pick = (int)k;
		if (pick >= 0) {
			const struct epat *e = &m->q.ep.v[pick];
			if ((rc = expand(m, pick, nb)) < 0)
				return rc;
			nb |= 1ULL << e->a | 1ULL << e->b;
			eb |= 1ULL << pick;
		} else {
			/* a pattern sharing no variable with what is bound: its most selective node */
			int k2 = -1;
			for (size_t k = 0; k < m->nn; k++)
				if (!(nb >> k & 1) && (k2 < 0 || m->q.nv.v[k].ncand < m->q.nv.v[k2].ncand))
					k2 = (int)k;
			if ((rc = cross(m, k2, 0)) < 0)
				return rc;
			nb |= 1ULL << k2;
		}
		apply_where(m, nb, eb);
		if (!m->nrows)
			break;
	}
	/* sorted by the node variables' NodeIds (node indices are in NodeId order), then paths; duplicates go */
	cmp_m = m;
	if (m->nrows > 1) {
		size_t keep = 1;
		qsort(m->rows.v, m->nrows, m->w * sizeof(uint32_t), cmp_rows);
		for (size_t r = 1; r < m->nrows; r++)
			if (cmp_rows(m->rows.v + (keep - 1) * m->w, m->rows.v + r * m->w)) {
				if (keep != r)
					memmove(m->rows.v + keep * m->w, m->rows.v + r * m->w, m->w * sizeof(uint32_t));
				keep++;
			}
		m->nrows = keep;
		m->rows.n = keep * m->w;
	}
	return 0;
}

int xsm_match_run(xsm_match **out, const xsm_graph *g, const char *query, const xsm_match_opts *opts)
{
	xsm_match *m;
	xsm_ctx *ctx = g->ctx;
	int rc, maxmin = 0;
	size_t n = g->nodes.n;
	double t0 = xsm__mono();

	*out = NULL;
	if (!(m = xsm__calloc(1, sizeof(*m))))
		return xsm__error_oom(ctx);
	m->g = g;
	m->max_hops = opts && opts->max_hops > 0 ? opts->max_hops : 8;
	m->max_results = opts && opts->max_results ? opts->max_results : 100000;
	if ((rc = parse(&m->q, ctx, query, m->max_hops)) < 0)
		goto fail;
	m->nn = m->q.nv.n;
	m->ne = m->q.ep.n;
	m->w = m->nn + 2 * m->ne;
	xsm__graph_expr_host(&m->gh, g);
	m->rh.g = g;
	m->rh.gh = m->gh;
	m->rh.q = &m->q;
	m->rh.nn = m->nn;
	m->wh = (xsm__expr_host){ .resolve = row_resolve, .get = row_get, .host = &m->rh };
	/* node conditions, labels, then the where clause (single-variable conjuncts go to the variable) */
	for (size_t i = 0; i < m->nn; i++) {
		struct nvar *v = &m->q.nv.v[i];
		for (size_t k = 0; k < v->labels.n; k++)
			lset_bind(g, &v->labels.v[k]);
		for (size_t k = 0; k < v->conds.n; k++) {
			xsm__expr *e;
			if ((rc = compile_span(&e, ctx, query, v->conds.v[k], &m->gh)) < 0)
				goto fail;
			if (xsm__vec_push(&v->cexprs, e) < 0) {
				xsm__expr_free(e);
				rc = xsm__error_oom(ctx);
				goto fail;
			}
		}
	}
	for (size_t i = 0; i < m->ne; i++) {
		lset_bind(g, &m->q.ep.v[i].labels);
		if (m->q.ep.v[i].min > maxmin)
			maxmin = m->q.ep.v[i].min;
	}
	for (size_t i = 0; i < m->q.cj.n; i++) {
		struct conj *c = &m->q.cj.v[i];
		m->rh.nmask = m->rh.emask = 0;
		if ((rc = compile_span(&c->e, ctx, query, c->s, &m->wh)) < 0)
			goto fail;
		if (m->rh.oom) {
			rc = xsm__error_oom(ctx);
			goto fail;
		}
		c->nmask = m->rh.nmask;
		c->emask = m->rh.emask;
		if (!c->emask && c->nmask && !(c->nmask & (c->nmask - 1))) {
			int k = __builtin_ctzll(c->nmask);
			if (xsm__vec_push(&m->q.nv.v[k].pushed, (int)i) < 0) {
				rc = xsm__error_oom(ctx);
				goto fail;
			}
			c->done = 1;
		}
	}
	if ((rc = candidates(m)) < 0)
		goto fail;
	xsm__phase(ctx, &t0, "match: candidates");
	m->nstates = ((size_t)maxmin + 1) * n;
	if (m->ne && (!(m->stamp = xsm__calloc_big(m->nstates + 1, sizeof(uint32_t))) ||
		      !(m->pedge = xsm__malloc((m->nstates + 1) * sizeof(uint32_t))) ||
		      !(m->queue = xsm__malloc((m->nstates + 1) * sizeof(uint32_t))) ||
		      !(m->dist = xsm__malloc(m->nstates + 1)))) {
		rc = xsm__error_oom(ctx);
		goto fail;
	}
	if (m->nn && (rc = evaluate(m)) < 0)
		goto fail;
	xsm__phase(ctx, &t0, "match: search");
	/* the human columns */
	if (m->q.projected) {
		for (size_t k = 0; k < m->q.it.n; k++)
			if (xsm__vec_push(&m->cols, (uint32_t)k) < 0)
				goto oom;
	} else {
		for (size_t k = 0; k < m->nn; k++)
			if (m->q.nv.v[k].name && xsm__vec_push(&m->cols, (uint32_t)(MAX_ITEMS + k)) < 0)
				goto oom;
		if (m->ne && xsm__vec_push(&m->cols, 2 * MAX_ITEMS + MAX_VARS) < 0)
			goto oom;
	}
	xsm__free(m->stamp);
	xsm__free(m->pedge);
	xsm__free(m->queue);
	xsm__free(m->dist);
	m->stamp = m->pedge = m->queue = NULL;
	m->dist = NULL;
	*out = m;
	return 0;
oom:
	rc = xsm__error_oom(ctx);
fail:
	xsm_match_free(m);
	return rc;
}

void xsm_match_free(xsm_match *m)
{
	if (!m)
		return;
	query_free(&m->q);
	xsm__vec_free(&m->rh.f);
	xsm__vec_free(&m->rows);
	xsm__vec_free(&m->pool);
	xsm__vec_free(&m->reached);
	xsm__vec_free(&m->scratch);
	xsm__vec_free(&m->cols);
	xsm__free(m->stamp);
	xsm__free(m->pedge);
	xsm__free(m->queue);
	xsm__free(m->dist);
	xsm__free(m);
}

size_t xsm_match_count(const xsm_match *m)
{
	return m->nrows;
}

int xsm_match_projected(const xsm_match *m)
{
	return m->q.projected;
}

size_t xsm_match_columns(const xsm_match *m)
{
	return m->cols.n;
}

const char *xsm_match_column(const xsm_match *m, size_t k)
{
	uint32_t c;
	if (k >= m->cols.n)
		return NULL;
	c = m->cols.v[k];
	if (c < MAX_ITEMS)
		return m->q.it.v[c].title;
	if (c < 2 * MAX_ITEMS)
		return m->q.nv.v[c - MAX_ITEMS].name;
	return "path";
}

/* one projected value: as JSON (w) or as text (t) */
static void item_value(const xsm_match *m, const struct item *it, const uint32_t *row, xsm_jw *w, xsm_buf *t)
{
	const xsm_graph *g = m->g;
	xsm__expr_val v;
	char num[32];

	memset(&v, 0, sizeof(v));
	if (it->kind == P_HOPS) {
		v.type = XSM_EV_NUM;
		v.num = row[m->nn + 2 * (size_t)it->var + 1];
	} else if (it->kind == P_NODE) {
		v.type = XSM_EV_STR;
		v.str = xsm__gstr(g, g->nodes.v[row[it->var]].id);
	} else {
		int fid = m->gh.resolve(m->gh.host, it->field, strlen(it->field));
		if (fid >= 0)
			m->gh.get(m->gh.host, (const void *)(uintptr_t)row[it->var], fid, &v);
	}
	switch (v.type) {
	case XSM_EV_BOOL:
		if (w)
			xsm_jw_bool(w, v.b);
		else
			xsm_buf_puts(t, v.b ? "true" : "false");
		break;
	case XSM_EV_NUM:
		if (w) {
			xsm_jw_num(w, v.num);
		} else {
			xsm_json_numtext(num, v.num);
			xsm_buf_puts(t, num);
		}
		break;
	case XSM_EV_STR:
		if (w)
			xsm_jw_str(w, v.str);
		else
			xsm_buf_puts(t, v.str);
		break;
	case XSM_EV_STRS:
		if (w)
			xsm_jw_arr(w);
		for (size_t k = 0; k < v.n; k++) {
			if (w) {
				xsm_jw_str(w, xsm__strpool_str(v.pool, v.ids[k]));
			} else {
				if (k)
					xsm_buf_puts(t, ", ");
				xsm_buf_puts(t, xsm__strpool_str(v.pool, v.ids[k]));
			}
		}
		if (w)
			xsm_jw_arr_end(w);
		break;
	default:
		if (w)
			xsm_jw_null(w);
	}
}

/* the next node of a path: the edge's other end */
static uint32_t step(const xsm_graph *g, uint32_t cur, uint32_t ei)
{
	const xsm__edge *e = &g->edges.v[ei];
	return e->src == cur ? e->dst : e->src;
}

int xsm_match_cell(xsm_buf *out, const xsm_match *m, size_t row, size_t col)
{
	const xsm_graph *g = m->g;
	const uint32_t *r = m->rows.v + row * m->w;
	uint32_t c;

	xsm_buf_clear(out);
	if (row >= m->nrows || col >= m->cols.n)
		return XSM_EUSAGE;
	c = m->cols.v[col];
	if (c < MAX_ITEMS) {
		item_value(m, &m->q.it.v[c], r, NULL, out);
	} else if (c < 2 * MAX_ITEMS) {
		xsm__buf_gstr(out, g, g->nodes.v[r[c - MAX_ITEMS]].name);
	} else {
		for (size_t ci = 0; ci < m->q.ch.n; ci++) {
			const struct chain *ch = &m->q.ch.v[ci];
			uint32_t cur = r[ch->first];
			if (!ch->ne)
				continue;
			if (out->size)
				xsm_buf_puts(out, "; ");
			xsm__buf_gstr(out, g, g->nodes.v[cur].name);
			for (int k = ch->e0; k < ch->e0 + ch->ne; k++) {
				uint32_t off = r[m->nn + 2 * (size_t)k], hops = r[m->nn + 2 * (size_t)k + 1];
				for (uint32_t h = 0; h < hops; h++) {
					uint32_t ei = m->pool.v[off + h];
					int fwd = g->edges.v[ei].src == cur;
					xsm_buf_puts(out, fwd ? " -[" : " <-[");
					xsm__buf_gstr(out, g, g->edges.v[ei].label);
					xsm_buf_puts(out, fwd ? "]-> " : "]- ");
					cur = step(g, cur, ei);
					xsm__buf_gstr(out, g, g->nodes.v[cur].name);
				}
			}
		}
	}
	return out->ptr || !out->size ? 0 : XSM_ENOMEM;
}

static void jw_node(xsm_jw *w, const xsm_graph *g, uint32_t i)
{
	xsm_jw_obj(w);
	xsm__jw_kgstr(w, "NodeId", g, g->nodes.v[i].id);
	xsm__jw_kgstr(w, "NodeName", g, g->nodes.v[i].name);
	xsm__jw_kgstr(w, "NodeLabel", g, g->nodes.v[i].label);
	xsm_jw_obj_end(w);
}

int xsm_match_json(xsm_buf *out, const xsm_match *m, size_t row)
{
	const xsm_graph *g = m->g;
	const uint32_t *r = m->rows.v + row * m->w;
	xsm_jw w;

	if (row >= m->nrows)
		return XSM_EUSAGE;
	xsm_jw_init(&w, out);
	xsm_jw_obj(&w);
	if (m->q.projected) {
		xsm_jw_key(&w, "values");
		xsm_jw_obj(&w);
		for (size_t k = 0; k < m->q.it.n; k++) {
			xsm_jw_key(&w, m->q.it.v[k].title);
			item_value(m, &m->q.it.v[k], r, &w, NULL);
		}
		xsm_jw_obj_end(&w);
	}
	xsm_jw_key(&w, "nodes");
	xsm_jw_obj(&w);
	for (size_t k = 0; k < m->nn; k++)
		if (m->q.nv.v[k].name) {
			xsm_jw_key(&w, m->q.nv.v[k].name);
			jw_node(&w, g, r[k]);
		}
	xsm_jw_obj_end(&w);
	xsm_jw_key(&w, "paths");
	xsm_jw_arr(&w);
	for (size_t k = 0; k < m->ne; k++) {
		const struct epat *e = &m->q.ep.v[k];
		uint32_t off = r[m->nn + 2 * k], hops = r[m->nn + 2 * k + 1], cur = r[e->a];
		char eid[20];
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "edge", e->name);
		xsm_jw_kstr(&w, "from", m->q.nv.v[e->a].name);
		xsm_jw_kstr(&w, "to", m->q.nv.v[e->b].name);
		xsm_jw_kint(&w, "hops", hops);
		xsm_jw_key(&w, "NodeIds");
		xsm_jw_arr(&w);
		xsm__jw_gstr(&w, g, g->nodes.v[cur].id);
		for (uint32_t h = 0; h < hops; h++) {
			cur = step(g, cur, m->pool.v[off + h]);
			xsm__jw_gstr(&w, g, g->nodes.v[cur].id);
		}
		xsm_jw_arr_end(&w);
		xsm_jw_key(&w, "EdgeIds");
		xsm_jw_arr(&w);
		for (uint32_t h = 0; h < hops; h++) {
			xsm__edge_id(eid, &g->edges.v[m->pool.v[off + h]]);
			xsm_jw_str(&w, eid);
		}
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	return w.err ? XSM_ENOMEM : 0;
}
