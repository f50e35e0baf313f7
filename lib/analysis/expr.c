/*
 * expr.c - the expression language (xsm-expr(7)): a recursive-descent
 * parser to a flat node array, evaluated by recursion over it.  Nothing is
 * allocated during evaluation, so one compiled expression serves any
 * number of items, from any number of threads.
 */
#include "analysis/expr.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapt/regex.h"
#include "ctx.h"
#include "util/alloc.h"

#define MAX_TEXT (64 * 1024)
#define MAX_DEPTH 64
#define MAX_LIST 4096

enum op {
	N_OR, N_AND, N_NOT, N_EXISTS, N_TRUTHY, N_CMP, N_REL,
};
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_RE, C_NRE, C_IN, C_CONTAINS, C_STARTS, C_ENDS };
enum { O_FIELD, O_STR, O_NUM, O_BOOL, O_NULL, O_LIST };

struct operand {
	int kind;
	int field;        /* O_FIELD: host id, -1 unknown (null) */
	char *str;        /* O_STR */
	double num;       /* O_NUM, or the number a string literal spells (has_num) */
	int has_num;
	int b;            /* O_BOOL */
	struct operand *list; /* O_LIST */
	size_t nlist;
};

struct node {
	int op;
	int a, b;            /* children (OR/AND/NOT); REL: a is the inner expression */
	int cmp;
	int rel;             /* REL: enum xsm__expr_rel */
	void *set;           /* REL: the host's set, made at compile time */
	struct operand l, r;
	xsm__regex *re;
};

struct xsm__expr {
	const xsm__expr_host *host;
	struct node *n;
	size_t nn, cap;
	int root;
	int *fields;
	size_t nfields;
};

/* --- lexer ------------------------------------------------------------------------ */

enum tok { T_END, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_OP, T_STR, T_NUM, T_WORD, T_BAD };

struct lex {
	const char *s, *p;
	int tok;
	const char *start;
	size_t len;
	int cmp;
	char *str; /* decoded string literal */
	double num;
	xsm_ctx *ctx;
	int err;
	int depth;
	const char *rhs; /* where the right operand being parsed starts (a pattern's column) */
};

static int col(const struct lex *lx)
{
	return (int)(lx->start - lx->s) + 1;
}

static int fail(struct lex *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct lex *lx, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!lx->err)
		lx->err = xsm__error_set(lx->ctx, XSM_EINVALID, "col %d: %s", col(lx), msg);
	return lx->err;
}

static int word_is(const struct lex *lx, const char *w)
{
	return lx->tok == T_WORD && strlen(w) == lx->len && !strncasecmp(lx->start, w, lx->len);
}

static void next(struct lex *lx)
{
	const char *p = lx->p;
	xsm__free(lx->str);
	lx->str = NULL;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	lx->start = p;
	lx->len = 0;
	if (!*p) {
		lx->tok = T_END;
		lx->p = p;
		return;
	}
	switch (*p) {
	case '(': lx->tok = T_LP; lx->p = p + 1; lx->len = 1; return;
	case ')': lx->tok = T_RP; lx->p = p + 1; lx->len = 1; return;
	case '[': lx->tok = T_LB; lx->p = p + 1; lx->len = 1; return;
	case ']': lx->tok = T_RB; lx->p = p + 1; lx->len = 1; return;
	case ',': lx->tok = T_COMMA; lx->p = p + 1; lx->len = 1; return;
	}
	lx->tok = T_OP;
	if (p[0] == '=' && p[1] == '=') { lx->cmp = C_EQ; lx->p = p + 2; lx->len = 2; return; }
	if (p[0] == '!' && p[1] == '=') { lx->cmp = C_NE; lx->p = p + 2; lx->len = 2; return; }
	if (p[0] == '!' && p[1] == '~') { lx->cmp = C_NRE; lx->p = p + 2; lx->len = 2; return; }
	if (p[0] == '<' && p[1] == '=') { lx->cmp = C_LE; lx->p = p + 2; lx->len = 2; return; }
	if (p[0] == '>' && p[1] == '=') { lx->cmp = C_GE; lx->p = p + 2; lx->len = 2; return; }
	if (p[0] == '<') { lx->cmp = C_LT; lx->p = p + 1; lx->len = 1; return; }
	if (p[0] == '>') { lx->cmp = C_GT; lx->p = p + 1; lx->len = 1; return; }
	if (p[0] == '~') { lx->cmp = C_RE; lx->p = p + 1; lx->len = 1; return; }
	if (p[0] == '"') {
		size_t n = 0;
		const char *q;
		lx->tok = T_STR;
		for (q = p + 1; *q && *q != '"'; q++)
			if (*q == '\\' && q[1])
				q++;
		if (*q != '"') {
			lx->tok = T_BAD;
			fail(lx, "unterminated string%s", "");
			lx->p = q;
			return;
		}
		lx->str = xsm__malloc((size_t)(q - p));
		if (!lx->str) {
			lx->err = xsm__error_oom(lx->ctx);
			lx->tok = T_BAD;
			return;
		}
		for (p = p + 1; p < q; p++) {
			char c = *p;
			if (c == '\\') {
				c = *++p;
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			}
			lx->str[n++] = c;
		}
		lx->str[n] = '\0';
		lx->len = (size_t)(q + 1 - lx->start);
		lx->p = q + 1;
		return;
	}
	if (isdigit((unsigned char)*p) || ((*p == '-' || *p == '.') && (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
		char *end;
		lx->tok = T_NUM;
		lx->num = strtod(p, &end);
		lx->len = (size_t)(end - p);
		lx->p = end;
		if (isalpha((unsigned char)*end)) {
			lx->tok = T_BAD;
			fail(lx, "bad number%s", "");
		}
		return;
	}
	if (isalpha((unsigned char)*p) || *p == '_') {
		const char *q = p;
		while (isalnum((unsigned char)*q) || *q == '_' || *q == '.')
			q++;
		lx->tok = T_WORD;
		lx->len = (size_t)(q - p);
		lx->p = q;
		return;
	}
	lx->tok = T_BAD;
	lx->len = 1;
	lx->p = p + 1;
	{
		char c[2] = { *p, 0 };
		fail(lx, "unexpected character '%s'", c);
	}
}

/* --- parser ------------------------------------------------------------------------ */

static int new_node(xsm__expr *e, struct lex *lx)
{
	if (e->nn == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct node *n = xsm__reallocarray(e->n, cap, sizeof(*n));
		if (!n) {
			lx->err = xsm__error_oom(lx->ctx);
			return -1;
		}
		e->n = n;
		e->cap = cap;
	}
	memset(&e->n[e->nn], 0, sizeof(e->n[0]));
	return (int)e->nn++;
}

static int is_keyword(const struct lex *lx)
{
	static const char *kw[] = { "and", "or", "not", "in", "contains", "startswith", "endswith", "exists", NULL };
	for (int i = 0; kw[i]; i++)
		if (word_is(lx, kw[i]))
			return 1;
	return 0;
}

static int add_field(xsm__expr *e, struct lex *lx, int id)
{
	int *f;
	for (size_t i = 0; i < e->nfields; i++)
		if (e->fields[i] == id)
			return 0;
	if (!(f = xsm__reallocarray(e->fields, e->nfields + 1, sizeof(*f)))) {
		lx->err = xsm__error_oom(lx->ctx);
		return -1;
	}
	e->fields = f;
	e->fields[e->nfields++] = id;
	return 0;
}

static int parse_field(xsm__expr *e, struct lex *lx, struct operand *o)
{
	char name[256];
	int id;
	size_t n = lx->len < sizeof(name) - 1 ? lx->len : sizeof(name) - 1;
	memcpy(name, lx->start, n);
	name[n] = '\0';
	if (lx->start[lx->len - 1] == '.' || strstr(name, ".."))
		return fail(lx, "bad field name '%s'", name);
	id = e->host->resolve(e->host->host, lx->start, lx->len);
	if (id == -2)
		return fail(lx, "unknown field '%s' (id, label, name, categories, sources, props.NAME)", name);
	o->kind = O_FIELD;
	o->field = id;
	if (id >= 0 && add_field(e, lx, id) < 0)
		return lx->err;
	next(lx);
	return 0;
}

static int parse_literal(struct lex *lx, struct operand *o)
{
	if (lx->tok == T_STR) {
		char *end;
		o->kind = O_STR;
		o->str = lx->str;
		lx->str = NULL;
		o->num = strtod(o->str, &end);
		o->has_num = *o->str && !*end;
	} else if (lx->tok == T_NUM) {
		o->kind = O_NUM;
		o->num = lx->num;
	} else if (word_is(lx, "true") || word_is(lx, "false")) {
		o->kind = O_BOOL;
		o->b = word_is(lx, "true");
	} else if (word_is(lx, "null")) {
		o->kind = O_NULL;
	} else {
		return fail(lx, "expected a value%s", "");
	}
	next(lx);
	return 0;
}

static int parse_operand(xsm__expr *e, struct lex *lx, struct operand *o, const char *after)
{
	memset(o, 0, sizeof(*o));
	if (lx->tok == T_LB) {
		next(lx);
		o->kind = O_LIST;
		while (lx->tok != T_RB) {
			struct operand *l;
			if (o->nlist >= MAX_LIST)
				return fail(lx, "list longer than %s items", "4096");
			if (!(l = xsm__reallocarray(o->list, o->nlist + 1, sizeof(*l)))) {
				lx->err = xsm__error_oom(lx->ctx);
				return lx->err;
			}
			o->list = l;
			memset(&o->list[o->nlist], 0, sizeof(*l));
			if (parse_literal(lx, &o->list[o->nlist]) < 0)
				return lx->err;
			o->nlist++;
			if (lx->tok == T_COMMA)
				next(lx);
			else if (lx->tok != T_RB)
				return fail(lx, "expected ',' or ']' in a list%s", "");
		}
		next(lx);
		return 0;
	}
	if (lx->tok == T_WORD && !is_keyword(lx) && !word_is(lx, "true") && !word_is(lx, "false") &&
	    !word_is(lx, "null"))
		return parse_field(e, lx, o);
	if (lx->tok == T_END || lx->tok == T_RP || lx->tok == T_OP || (lx->tok == T_WORD && is_keyword(lx)))
		return fail(lx, "expected an operand%s", after);
	return parse_literal(lx, o);
}

static int parse_or(xsm__expr *e, struct lex *lx);

static void free_operand(struct operand *o)
{
	for (size_t i = 0; i < o->nlist; i++)
		free_operand(&o->list[i]);
	xsm__free(o->list);
	xsm__free(o->str);
}

/* the comparison operator at the lexer, or -1 */
static int cmp_at(const struct lex *lx)
{
	if (lx->tok == T_OP)
		return lx->cmp;
	if (word_is(lx, "in"))
		return C_IN;
	if (word_is(lx, "contains"))
		return C_CONTAINS;
	if (word_is(lx, "startswith"))
		return C_STARTS;
	if (word_is(lx, "endswith"))
		return C_ENDS;
	return -1;
}

/* the right operand of comparison node id checked, its pattern compiled; opstart: the operator, for messages */
static int finish_cmp(xsm__expr *e, struct lex *lx, int id, const char *opstart)
{
	struct node *n = &e->n[id];
	xsm__regex *re;
	char msg[160];
	size_t at;
	int rc;
	if (n->cmp == C_IN && n->r.kind != O_LIST) {
		lx->start = opstart;
		return fail(lx, "'in' needs a list: [\"a\", \"b\"]%s", "");
	}
	if (n->cmp != C_RE && n->cmp != C_NRE)
		return 0;
	if (n->r.kind != O_STR) {
		lx->start = opstart;
		return fail(lx, "'~' needs a string pattern%s", "");
	}
	if ((rc = xsm__regex_compile(&re, n->r.str, XSM__RE_ICASE, msg, sizeof(msg), &at)) == XSM_ENOMEM) {
		lx->err = xsm__error_oom(lx->ctx);
		return -1;
	}
	if (rc < 0) {
		/* the column of the fault in the text: the literal's, past the escapes before it */
		const char *p = lx->rhs && *lx->rhs == '"' ? lx->rhs + 1 : NULL;
		for (size_t k = 0; p && k < at && *p && *p != '"'; k++)
			p += *p == '\\' && p[1] ? 2 : 1;
		lx->start = p ? p : opstart;
		return fail(lx, "invalid regular expression: %s", msg);
	}
	n->re = re;
	return 0;
}

static int new_op(xsm__expr *e, struct lex *lx, int op, int a, int b)
{
	int id = new_node(e, lx);
	if (id < 0)
		return -1;
	e->n[id].op = op;
	e->n[id].a = a;
	e->n[id].b = b;
	return id;
}

static int new_rel(xsm__expr *e, struct lex *lx, int rel, int inner)
{
	int id = inner < 0 ? -1 : new_op(e, lx, N_REL, inner, 0);
	if (id >= 0)
		e->n[id].rel = rel;
	return id;
}

static const char *const rel_names[XSM_REL_N] = { "memberOf", "loggedOnBy" };

const char *xsm__expr_rel_name(int rel)
{
	return rel >= 0 && rel < XSM_REL_N ? rel_names[rel] : "?";
}

/* relation: NAME '(' expr | "string" ')'; a string is short for name == "string" */
static int parse_relation(xsm__expr *e, struct lex *lx, int rel)
{
	int inner;
	if (++lx->depth > MAX_DEPTH)
		return fail(lx, "nesting deeper than %s levels", "64");
	next(lx); /* the name */
	next(lx); /* '(' */
	if (lx->tok == T_STR) {
		if ((inner = new_node(e, lx)) < 0)
			return -1;
		e->n[inner].op = N_CMP;
		e->n[inner].cmp = C_EQ;
		e->n[inner].l.kind = O_FIELD;
		if ((e->n[inner].l.field = e->host->resolve(e->host->host, "name", 4)) >= 0 &&
		    add_field(e, lx, e->n[inner].l.field) < 0)
			return -1;
		if (parse_literal(lx, &e->n[inner].r) < 0)
			return -1;
	} else if ((inner = parse_or(e, lx)) < 0) {
		return -1;
	}
	if (lx->tok != T_RP)
		return fail(lx, "expected ')' to close %s(", rel_names[rel]);
	lx->depth--;
	next(lx);
	return new_rel(e, lx, rel, inner);
}

static int copy_operand(struct lex *lx, struct operand *dst, const struct operand *src)
{
	*dst = *src;
	dst->str = NULL;
	dst->list = NULL;
	dst->nlist = 0;
	if (src->str && !(dst->str = xsm__strdup(src->str)))
		goto oom;
	if (src->nlist) {
		if (!(dst->list = xsm__calloc(src->nlist, sizeof(*dst->list))))
			goto oom;
		for (; dst->nlist < src->nlist; dst->nlist++)
			if (copy_operand(lx, &dst->list[dst->nlist], &src->list[dst->nlist]) < 0)
				return -1;
	}
	return 0;
oom:
	lx->err = xsm__error_oom(lx->ctx);
	return -1;
}

/*
 * The properties that held a closure before memberships became edges,
 * read as the relations that replace them, so rules and filters written
 * for them keep their nested meaning (xsm-expr(7) "Memberships"):
 *   props.memberOf OP X             memberOf(name OP X)
 *   props.memberOfRoles OP X        memberOf(props.assignedRoles OP X)
 *   props.loggedOnByPrivileged OP X loggedOnBy(memberOf(name OP X) or props.assignedRoles OP X
 *                                              or memberOf(props.assignedRoles OP X))
 * != and !~ are the negation of == and ~ (no group equals / matches);
 * 'contains' is an element's equality, as it was on the array; a bare
 * or 'exists' field asks for any group (or role).
 */
enum { L_MEMBER_OF, L_MEMBER_OF_ROLES, L_LOGGED_ON_BY_PRIVILEGED, L_N };
static const char *const legacy_fields[L_N] = { "props.memberOf", "props.memberOfRoles",
						"props.loggedOnByPrivileged" };

static int legacy_at(const struct lex *lx)
{
	for (int i = 0; i < L_N; i++)
		if (lx->tok == T_WORD && strlen(legacy_fields[i]) == lx->len &&
		    !memcmp(lx->start, legacy_fields[i], lx->len))
			return i;
	return -1;
}

/* field OP rhs as a new comparison node (rhs copied); cmp < 0: the field is tested for existence */
static int legacy_cmp(xsm__expr *e, struct lex *lx, const char *field, int cmp, const struct operand *rhs,
		      const char *opstart)
{
	int id = new_node(e, lx);
	struct node *n;
	if (id < 0)
		return -1;
	n = &e->n[id];
	if (cmp < 0 && !strcmp(field, "name")) { /* any group at all */
		n->op = N_TRUTHY;
		n->l.kind = O_BOOL;
		n->l.b = 1;
		return id;
	}
	n->l.kind = O_FIELD;
	if ((n->l.field = e->host->resolve(e->host->host, field, strlen(field))) >= 0 &&
	    add_field(e, lx, n->l.field) < 0)
		return -1;
	if (cmp < 0) {
		n->op = N_EXISTS;
		return id;
	}
	n->op = N_CMP;
	n->cmp = cmp;
	if (copy_operand(lx, &e->n[id].r, rhs) < 0)
		return -1;
	return finish_cmp(e, lx, id, opstart) < 0 ? -1 : id;
}

static int legacy_term(xsm__expr *e, struct lex *lx, int which, int cmp, const struct operand *rhs,
		       const char *opstart)
{
	int a, b, c;
	switch (which) {
	case L_MEMBER_OF:
		return new_rel(e, lx, XSM_REL_MEMBER_OF, legacy_cmp(e, lx, "name", cmp, rhs, opstart));
	case L_MEMBER_OF_ROLES:
		return new_rel(e, lx, XSM_REL_MEMBER_OF, legacy_cmp(e, lx, "props.assignedRoles", cmp, rhs, opstart));
	}
	if ((a = new_rel(e, lx, XSM_REL_MEMBER_OF, legacy_cmp(e, lx, "name", cmp, rhs, opstart))) < 0 ||
	    (b = legacy_cmp(e, lx, "props.assignedRoles", cmp, rhs, opstart)) < 0 || (a = new_op(e, lx, N_OR, a, b)) < 0)
		return -1;
	if (cmp >= 0) { /* with no value, a role held through a group implies a group */
		if ((c = new_rel(e, lx, XSM_REL_MEMBER_OF,
				 legacy_cmp(e, lx, "props.assignedRoles", cmp, rhs, opstart))) < 0 ||
		    (a = new_op(e, lx, N_OR, a, c)) < 0)
			return -1;
	}
	return new_rel(e, lx, XSM_REL_LOGGED_ON_BY, a);
}

/* a legacy closure field at the lexer: [exists] field [op operand] */
static int parse_legacy(xsm__expr *e, struct lex *lx, int which, int exists)
{
	struct operand rhs;
	char after[64];
	const char *opstart;
	int cmp, pos, id;

	next(lx);
	cmp = exists ? -1 : cmp_at(lx);
	if (cmp < 0)
		return legacy_term(e, lx, which, -1, NULL, NULL);
	opstart = lx->start;
	snprintf(after, sizeof(after), " after '%.*s'", (int)lx->len, opstart);
	next(lx);
	pos = cmp == C_NE ? C_EQ : cmp == C_NRE ? C_RE : cmp == C_CONTAINS ? C_EQ : cmp;
	lx->rhs = lx->start;
	if (parse_operand(e, lx, &rhs, after) < 0) {
		free_operand(&rhs);
		return -1;
	}
	id = legacy_term(e, lx, which, pos, &rhs, opstart);
	free_operand(&rhs);
	if (id >= 0 && pos != cmp && cmp != C_CONTAINS)
		id = new_op(e, lx, N_NOT, id, 0);
	return id;
}

static int rel_at(const struct lex *lx)
{
	const char *p = lx->p;
	if (lx->tok != T_WORD)
		return -1;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '(')
		return -1;
	for (int r = 0; r < XSM_REL_N; r++)
		if (word_is(lx, rel_names[r]))
			return r;
	return -2; /* a word called like a function that is none */
}

static int parse_primary(xsm__expr *e, struct lex *lx)
{
	int id, cmp, rel = rel_at(lx);
	char after[64];
	const char *opstart;

	if (rel >= 0)
		return parse_relation(e, lx, rel);
	if (rel == -2) {
		char w[64];
		snprintf(w, sizeof(w), "%.*s", (int)(lx->len > 40 ? 40 : lx->len), lx->start);
		return fail(lx, "unknown function '%s' (memberOf, loggedOnBy)", w);
	}
	if (legacy_at(lx) >= 0)
		return parse_legacy(e, lx, legacy_at(lx), 0);
	if (lx->tok == T_LP) {
		if (++lx->depth > MAX_DEPTH)
			return fail(lx, "nesting deeper than %s levels", "64");
		next(lx);
		id = parse_or(e, lx);
		if (id < 0)
			return id;
		if (lx->tok != T_RP)
			return fail(lx, "expected ')'%s", "");
		lx->depth--;
		next(lx);
		return id;
	}
	if ((id = new_node(e, lx)) < 0)
		return -1;
	if (parse_operand(e, lx, &e->n[id].l, "") < 0)
		return -1;
	if ((cmp = cmp_at(lx)) < 0) {
		if (e->n[id].l.kind != O_FIELD && e->n[id].l.kind != O_BOOL)
			return fail(lx, "expected an operator after a value%s", "");
		e->n[id].op = N_TRUTHY;
		return id;
	}
	opstart = lx->start;
	snprintf(after, sizeof(after), " after '%.*s'", (int)lx->len, opstart);
	next(lx);
	e->n[id].op = N_CMP;
	e->n[id].cmp = cmp;
	lx->rhs = lx->start;
	if (parse_operand(e, lx, &e->n[id].r, after) < 0)
		return -1;
	return finish_cmp(e, lx, id, opstart) < 0 ? -1 : id;
}

static int parse_unary(xsm__expr *e, struct lex *lx)
{
	int id, a;
	if (word_is(lx, "not")) {
		if (++lx->depth > MAX_DEPTH)
			return fail(lx, "nesting deeper than %s levels", "64");
		next(lx);
		if ((a = parse_unary(e, lx)) < 0)
			return -1;
		lx->depth--;
		return new_op(e, lx, N_NOT, a, 0);
	}
	if (word_is(lx, "exists")) {
		next(lx);
		if (lx->tok != T_WORD || is_keyword(lx))
			return fail(lx, "'exists' needs a field%s", "");
		if (legacy_at(lx) >= 0)
			return parse_legacy(e, lx, legacy_at(lx), 1);
		if ((id = new_node(e, lx)) < 0)
			return -1;
		e->n[id].op = N_EXISTS;
		if (parse_field(e, lx, &e->n[id].l) < 0)
			return -1;
		return id;
	}
	return parse_primary(e, lx);
}

static int parse_and(xsm__expr *e, struct lex *lx)
{
	int a = parse_unary(e, lx), id;
	while (a >= 0 && word_is(lx, "and")) {
		int b;
		next(lx);
		if ((b = parse_unary(e, lx)) < 0)
			return -1;
		if ((id = new_node(e, lx)) < 0)
			return -1;
		e->n[id].op = N_AND;
		e->n[id].a = a;
		e->n[id].b = b;
		a = id;
	}
	return a;
}

static int parse_or(xsm__expr *e, struct lex *lx)
{
	int a = parse_and(e, lx), id;
	while (a >= 0 && word_is(lx, "or")) {
		int b;
		next(lx);
		if ((b = parse_and(e, lx)) < 0)
			return -1;
		if ((id = new_node(e, lx)) < 0)
			return -1;
		e->n[id].op = N_OR;
		e->n[id].a = a;
		e->n[id].b = b;
		a = id;
	}
	return a;
}

void xsm__expr_free(xsm__expr *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->nn; i++) {
		free_operand(&e->n[i].l);
		free_operand(&e->n[i].r);
		xsm__regex_free(e->n[i].re);
		if (e->n[i].set && e->host->set_free)
			e->host->set_free(e->host->host, e->n[i].set);
	}
	xsm__free(e->n);
	xsm__free(e->fields);
	xsm__free(e);
}

static int eval(const xsm__expr *e, int id, const void *item);

struct inner {
	const xsm__expr *e;
	int id;
};

static int inner_match(const void *arg, const void *item)
{
	const struct inner *in = arg;
	return eval(in->e, in->id, item);
}

/* each relation's set, inner ones first (a node's children have smaller ids) */
static int make_sets(xsm__expr *e, xsm_ctx *ctx)
{
	for (size_t i = 0; i < e->nn; i++) {
		struct inner in = { e, e->n[i].a };
		int rc;
		if (e->n[i].op != N_REL || !e->host->relate)
			continue;
		if ((rc = e->host->relate(e->host->host, e->n[i].rel, inner_match, &in, &e->n[i].set)) < 0)
			return xsm__error_set(ctx, rc, "%s(): out of memory", rel_names[e->n[i].rel]);
	}
	return 0;
}

int xsm__expr_compile(xsm__expr **out, xsm_ctx *ctx, const char *text, const xsm__expr_host *host)
{
	xsm__expr *e;
	struct lex lx;

	*out = NULL;
	if (strlen(text) > MAX_TEXT)
		return xsm__error_set(ctx, XSM_EINVALID, "col 1: expression longer than %d bytes", MAX_TEXT);
	if (!(e = xsm__calloc(1, sizeof(*e))))
		return xsm__error_oom(ctx);
	e->host = host;
	memset(&lx, 0, sizeof(lx));
	lx.s = lx.p = text;
	lx.ctx = ctx;
	next(&lx);
	if (!lx.err && lx.tok == T_END) {
		lx.start = text;
		fail(&lx, "empty expression%s", "");
	}
	if (!lx.err)
		e->root = parse_or(e, &lx);
	if (!lx.err && lx.tok != T_END) {
		char t[64];
		snprintf(t, sizeof(t), "%.*s", (int)(lx.len > 40 ? 40 : lx.len), lx.start);
		fail(&lx, "unexpected '%s'", t);
	}
	xsm__free(lx.str);
	if (!lx.err)
		lx.err = make_sets(e, ctx);
	if (lx.err) {
		xsm__expr_free(e);
		return lx.err;
	}
	*out = e;
	return 0;
}

static int check_resolve(void *h, const char *p, size_t n)
{
	static const char *f[] = { "id", "label", "name", "categories", "sources" };
	(void)h;
	for (int i = 0; i < 5; i++)
		if (strlen(f[i]) == n && !memcmp(f[i], p, n))
			return i;
	return n > 6 && !memcmp(p, "props.", 6) ? -1 : -2;
}

static void check_get(void *h, const void *item, int fid, xsm__expr_val *out)
{
	(void)h;
	(void)item;
	(void)fid;
	memset(out, 0, sizeof(*out));
}

int xsm__expr_check(xsm_ctx *ctx, const char *text)
{
	static const xsm__expr_host check_host = { .resolve = check_resolve, .get = check_get };
	xsm__expr *e = NULL;
	int rc = xsm__expr_compile(&e, ctx, text, &check_host);
	xsm__expr_free(e);
	return rc;
}

const int *xsm__expr_fields(const xsm__expr *e, size_t *n)
{
	*n = e->nfields;
	return e->fields;
}

/* --- evaluation --------------------------------------------------------------------- */

static void operand_value(const xsm__expr *e, const struct operand *o, const void *item, xsm__expr_val *v)
{
	memset(v, 0, sizeof(*v));
	switch (o->kind) {
	case O_FIELD:
		if (o->field >= 0)
			e->host->get(e->host->host, item, o->field, v);
		break;
	case O_STR: v->type = XSM_EV_STR; v->str = o->str; break;
	case O_NUM: v->type = XSM_EV_NUM; v->num = o->num; break;
	case O_BOOL: v->type = XSM_EV_BOOL; v->b = o->b; break;
	default: break;
	}
}

/* compare two scalars (not arrays): -2 when incomparable */
static int scalar_cmp(const xsm__expr_val *a, const xsm__expr_val *b)
{
	if (a->type == XSM_EV_NUM || b->type == XSM_EV_NUM) {
		double x, y;
		char *end;
		if (a->type == XSM_EV_NUM)
			x = a->num;
		else if (a->type == XSM_EV_STR && *a->str && (x = strtod(a->str, &end), !*end))
			;
		else
			return -2;
		if (b->type == XSM_EV_NUM)
			y = b->num;
		else if (b->type == XSM_EV_STR && *b->str && (y = strtod(b->str, &end), !*end))
			;
		else
			return -2;
		return x < y ? -1 : x > y;
	}
	if (a->type == XSM_EV_STR && b->type == XSM_EV_STR) {
		int c = strcmp(a->str, b->str);
		return c < 0 ? -1 : c > 0;
	}
	if (a->type == XSM_EV_BOOL && b->type == XSM_EV_BOOL)
		return a->b == b->b ? 0 : a->b < b->b ? -1 : 1;
	return -2;
}

static int ends_with(const char *s, const char *t)
{
	size_t a = strlen(s), b = strlen(t);
	return a >= b && !strcmp(s + a - b, t);
}

/* one scalar left value against the right operand */
static int cmp_scalar(const struct node *n, const xsm__expr_val *l, const xsm__expr *e, const void *item)
{
	xsm__expr_val r;
	int c;

	switch (n->cmp) {
	case C_RE:
		return l->type == XSM_EV_STR && xsm__regex_match(n->re, l->str);
	case C_IN:
		for (size_t i = 0; i < n->r.nlist; i++) {
			operand_value(e, &n->r.list[i], item, &r);
			if (scalar_cmp(l, &r) == 0)
				return 1;
		}
		return 0;
	}
	operand_value(e, &n->r, item, &r);
	if (r.type == XSM_EV_STRS) {
		/* field against an array field: equality with any element */
		for (size_t i = 0; i < r.n; i++) {
			xsm__expr_val s = { XSM_EV_STR, 0, 0, xsm__strpool_str(r.pool, r.ids[i]), NULL, 0, NULL };
			if (scalar_cmp(l, &s) == 0)
				return n->cmp == C_EQ || n->cmp == C_CONTAINS;
		}
		return n->cmp == C_NE;
	}
	switch (n->cmp) {
	case C_CONTAINS:
		return l->type == XSM_EV_STR && r.type == XSM_EV_STR && strstr(l->str, r.str) != NULL;
	case C_STARTS:
		return l->type == XSM_EV_STR && r.type == XSM_EV_STR && !strncmp(l->str, r.str, strlen(r.str));
	case C_ENDS:
		return l->type == XSM_EV_STR && r.type == XSM_EV_STR && ends_with(l->str, r.str);
	}
	if (r.type == XSM_EV_NULL)
		return n->cmp == C_NE;
	c = scalar_cmp(l, &r);
	switch (n->cmp) {
	case C_EQ: return c == 0;
	case C_NE: return c != 0;
	case C_LT: return c == -1;
	case C_LE: return c == -1 || c == 0;
	case C_GT: return c == 1;
	case C_GE: return c == 1 || c == 0;
	}
	return 0;
}

static int truthy(const xsm__expr_val *v)
{
	switch (v->type) {
	case XSM_EV_BOOL: return v->b;
	case XSM_EV_NUM: return v->num != 0;
	case XSM_EV_STR: return v->str[0] != 0;
	case XSM_EV_STRS: return v->n > 0;
	}
	return 0;
}

static int eval(const xsm__expr *e, int id, const void *item)
{
	const struct node *n = &e->n[id];
	xsm__expr_val l;

	switch (n->op) {
	case N_OR: return eval(e, n->a, item) || eval(e, n->b, item);
	case N_AND: return eval(e, n->a, item) && eval(e, n->b, item);
	case N_NOT: return !eval(e, n->a, item);
	case N_EXISTS:
		operand_value(e, &n->l, item, &l);
		return l.type != XSM_EV_NULL;
	case N_TRUTHY:
		operand_value(e, &n->l, item, &l);
		return truthy(&l);
	case N_REL:
		return n->set && e->host->in_set(e->host->host, n->set, item);
	}
	operand_value(e, &n->l, item, &l);
	if (l.type == XSM_EV_NULL) {
		xsm__expr_val r;
		if (n->cmp == C_IN || n->cmp == C_RE || n->cmp == C_NRE || n->cmp == C_CONTAINS)
			return n->cmp == C_NRE;
		operand_value(e, &n->r, item, &r);
		if (n->cmp == C_EQ)
			return r.type == XSM_EV_NULL;
		if (n->cmp == C_NE)
			return r.type != XSM_EV_NULL;
		return 0;
	}
	if (l.type == XSM_EV_STRS) {
		/* any element satisfies it; != and !~ hold when no element equals / matches */
		struct node pos = *n;
		int neg = n->cmp == C_NE || n->cmp == C_NRE;
		if (n->cmp == C_NE)
			pos.cmp = C_EQ;
		else if (n->cmp == C_NRE)
			pos.cmp = C_RE;
		else if (n->cmp == C_CONTAINS)
			pos.cmp = C_EQ;
		for (size_t i = 0; i < l.n; i++) {
			xsm__expr_val s = { XSM_EV_STR, 0, 0, xsm__strpool_str(l.pool, l.ids[i]), NULL, 0, NULL };
			if (cmp_scalar(&pos, &s, e, item))
				return !neg;
		}
		return neg;
	}
	if (n->cmp == C_NRE)
		return !(l.type == XSM_EV_STR && xsm__regex_match(n->re, l.str));
	return cmp_scalar(n, &l, e, item);
}

int xsm__expr_eval(const xsm__expr *e, const void *item)
{
	return eval(e, e->root, item);
}

/* --- explanation --------------------------------------------------------------------- */

struct chain {
	const void **v;
	size_t n, cap;
	int oom;
};

static void chain_step(void *arg, const void *item)
{
	struct chain *c = arg;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		const void **v = xsm__reallocarray(c->v, cap, sizeof(*v));
		if (!v) {
			c->oom = 1;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = item;
}

static void explain(const xsm__expr *e, int id, const void *item,
		    void (*cb)(void *arg, int rel, const void *const *chain, size_t n), void *arg)
{
	const struct node *n = &e->n[id];
	struct chain c = { NULL, 0, 0, 0 };
	const void *end;

	switch (n->op) {
	case N_OR:
	case N_AND:
		if (eval(e, n->a, item))
			explain(e, n->a, item, cb, arg);
		if (eval(e, n->b, item))
			explain(e, n->b, item, cb, arg);
		return;
	case N_REL:
		if (!n->set || !e->host->witness || !e->host->in_set(e->host->host, n->set, item))
			return;
		end = e->host->witness(e->host->host, n->rel, n->set, item, chain_step, &c);
		if (end && !c.oom) {
			cb(arg, n->rel, c.v, c.n);
			explain(e, n->a, end, cb, arg);
		}
		xsm__free(c.v);
		return;
	}
}

void xsm__expr_explain(const xsm__expr *e, const void *item,
		       void (*cb)(void *arg, int rel, const void *const *chain, size_t n), void *arg)
{
	if (eval(e, e->root, item))
		explain(e, e->root, item, cb, arg);
}
