/*
 * adapt/regex.c - POSIX extended regular expressions with a bound on time
 * and memory (adapt/regex.h).
 *
 * The dialect is glibc's regcomp(REG_EXTENDED | REG_ICASE | REG_NOSUB) in
 * the C locale, which xsm used before, less back-references: | * + ? {m,n}
 * {,n} ( ) ^ $ . [...] with ranges, [:class:], [=c=] and [.c.], and the GNU
 * escapes \w \W \s \S \b \B \< \> \` \'.  Case folding is ASCII: the
 * pattern's characters and the text's bytes are both folded to upper case
 * (so [[:upper:]] is [[:alpha:]], as glibc has it).  test/fuzz/fuzz_regex.c
 * compares the verdicts with glibc's.
 *
 * The pattern is parsed to a tree, its automaton's size is computed from
 * the tree (so a nested count is refused before anything is built), and
 * the tree becomes a Thompson automaton.  A DFA over byte classes is then
 * built from it, up to a budget of states and work; a pattern whose DFA is
 * larger (or that tests word boundaries) is matched by simulating the
 * automaton, one set of states per byte.
 */
#include "adapt/regex.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exposure/errors.h"
#include "util/alloc.h"

#define MAXS XSM__REGEX_MAX_STATES
#define MAX_NEST 100                 /* parentheses and stacked repeats */
#define DFA_MAX_STATES 4096
#define DFA_MAX_TABLE (1u << 20)     /* bytes of transitions */
#define DFA_MAX_WORK (4u << 20)      /* automaton states visited while building */

/* --- byte sets ------------------------------------------------------------------- */

typedef struct bset {
	uint32_t w[8];
} bset;

static void bs_add(bset *s, unsigned c)
{
	s->w[c >> 5] |= 1u << (c & 31);
}

static int bs_has(const bset *s, unsigned c)
{
	return (int)(s->w[c >> 5] >> (c & 31) & 1);
}

/* the C locale's classes, whatever the process's locale */
static int c_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int c_lower(int c) { return c >= 'a' && c <= 'z'; }
static int c_digit(int c) { return c >= '0' && c <= '9'; }
static int c_alpha(int c) { return c_upper(c) || c_lower(c); }
static int c_alnum(int c) { return c_alpha(c) || c_digit(c); }
static int c_xdigit(int c) { return c_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int c_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int c_blank(int c) { return c == ' ' || c == '\t'; }
static int c_cntrl(int c) { return c < 32 || c == 127; }
static int c_print(int c) { return c >= 32 && c < 127; }
static int c_graph(int c) { return c > 32 && c < 127; }
static int c_punct(int c) { return c_graph(c) && !c_alnum(c); }
static int c_word(int c) { return c_alnum(c) || c == '_'; }

static const struct cclass {
	const char *name;
	int (*is)(int);
} cclasses[] = {
	{ "alpha", c_alpha }, { "upper", c_upper }, { "lower", c_lower }, { "digit", c_digit },
	{ "xdigit", c_xdigit }, { "space", c_space }, { "print", c_print }, { "punct", c_punct },
	{ "graph", c_graph }, { "cntrl", c_cntrl }, { "blank", c_blank }, { "alnum", c_alnum },
};

/* --- the tree ---------------------------------------------------------------------- */

enum { A_EMPTY, A_SET, A_CAT, A_ALT, A_REP, A_BOL, A_EOL, A_WB, A_NWB, A_WBEG, A_WEND };

struct anode {
	int type;
	int set;          /* A_SET */
	int kid;          /* A_REP */
	int min, max;     /* A_REP; max -1: no bound */
	size_t first, n;  /* A_CAT, A_ALT: kids[first .. first + n) */
};

struct parser {
	const unsigned char *s;
	size_t len, pos;
	int icase;
	struct anode *nodes;
	size_t nn, ncap;
	int *kids;
	size_t nk, kcap;
	bset *sets;
	size_t nsets, scap;
	int nest, depth;  /* nest: parentheses and repeats open; depth: parentheses open */
	int word;         /* word boundaries are tested */
	int err;
	char *msg;
	size_t msglen, at;
};

static int perr(struct parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	if (p->err)
		return -1;
	p->err = XSM_EINVALID;
	p->at = at;
	va_start(ap, fmt);
	vsnprintf(p->msg, p->msglen, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(struct parser *p)
{
	if (!p->err) {
		p->err = XSM_ENOMEM;
		snprintf(p->msg, p->msglen, "out of memory");
	}
	return -1;
}

static int grow(struct parser *p, void **v, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;
	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	if (!(q = xsm__reallocarray(*v, c, size)))
		return oom(p);
	*v = q;
	*cap = c;
	return 0;
}

static int node(struct parser *p, int type)
{
	if (grow(p, (void **)&p->nodes, &p->ncap, p->nn, sizeof(*p->nodes)) < 0)
		return -1;
	memset(&p->nodes[p->nn], 0, sizeof(p->nodes[0]));
	p->nodes[p->nn].type = type;
	return (int)p->nn++;
}

/* a new set node with its (empty) set in *out */
static int set_node(struct parser *p, bset **out)
{
	int id;
	if (grow(p, (void **)&p->sets, &p->scap, p->nsets, sizeof(*p->sets)) < 0 || (id = node(p, A_SET)) < 0)
		return -1;
	memset(&p->sets[p->nsets], 0, sizeof(bset));
	p->nodes[id].set = (int)p->nsets;
	*out = &p->sets[p->nsets++];
	return id;
}

/*
 * A character as the matcher sees it: folded when case is ignored, to
 * upper case as glibc folds (it decides what a range such as [a-_] holds).
 */
static unsigned tr(const struct parser *p, unsigned c)
{
	return p->icase && c_lower((int)c) ? c - 32 : c;
}

static void add_class(const struct parser *p, bset *s, int (*is)(int), int negate)
{
	bset t;
	memset(&t, 0, sizeof(t));
	for (unsigned c = 1; c < 256; c++)
		if (is((int)c))
			bs_add(&t, tr(p, c));
	for (unsigned c = 1; c < 256; c++)
		if (bs_has(&t, c) != negate)
			bs_add(s, c);
}

/* a list of node ids being gathered (the kids of one CAT or ALT) */
struct ids {
	int *v;
	size_t n, cap;
};

static int ids_push(struct parser *p, struct ids *l, int id)
{
	if (grow(p, (void **)&l->v, &l->cap, l->n, sizeof(int)) < 0)
		return -1;
	l->v[l->n++] = id;
	return 0;
}

/* a CAT or ALT of the gathered ids (the one id when there is one, EMPTY for none) */
static int group_of(struct parser *p, int type, struct ids *l)
{
	int id;
	if (l->n == 0)
		return node(p, A_EMPTY);
	if (l->n == 1)
		return l->v[0];
	if ((id = node(p, type)) < 0)
		return -1;
	while (p->nk + l->n > p->kcap)
		if (grow(p, (void **)&p->kids, &p->kcap, p->kcap, sizeof(int)) < 0)
			return -1;
	memcpy(p->kids + p->nk, l->v, l->n * sizeof(int));
	p->nodes[id].first = p->nk;
	p->nodes[id].n = l->n;
	p->nk += l->n;
	return id;
}

/* one element of a bracket expression: a character (*ch), or a class added to s (returns 1) */
static int bracket_elem(struct parser *p, bset *s, size_t open, int accept_hyphen, unsigned *ch)
{
	const unsigned char *q = p->s + p->pos;
	if (q[0] == '[' && p->pos + 1 < p->len && (q[1] == '.' || q[1] == ':' || q[1] == '=')) {
		unsigned char d = q[1];
		size_t i = p->pos + 2, start = i;
		while (i + 1 < p->len && !(p->s[i] == d && p->s[i + 1] == ']'))
			i++;
		if (i + 1 >= p->len)
			return perr(p, open, "unmatched '['");
		p->pos = i + 2;
		if (d == ':') {
			for (size_t k = 0; k < sizeof(cclasses) / sizeof(cclasses[0]); k++) {
				const char *name = cclasses[k].name;
				if (strlen(name) == i - start && !memcmp(name, p->s + start, i - start)) {
					int (*is)(int) = cclasses[k].is;
					if (p->icase && (is == c_upper || is == c_lower))
						is = c_alpha;
					add_class(p, s, is, 0);
					return 1;
				}
			}
			return perr(p, start - 2, "unknown character class '%.*s'", (int)(i - start > 20 ? 20 : i - start),
				    (const char *)p->s + start);
		}
		if (i - start != 1)
			return perr(p, start - 2, "a collating element must be one character");
		*ch = p->s[start];
		return 0;
	}
	*ch = q[0];
	p->pos++;
	/* a '-' that does not start the list or end it, or a range, is an error (as glibc has it) */
	if (*ch == '-' && !accept_hyphen && (p->pos >= p->len || p->s[p->pos] != ']'))
		return perr(p, p->pos - 1, "invalid range in brackets");
	return 0;
}

static int parse_bracket(struct parser *p)
{
	size_t open = p->pos;
	int negate = 0, first = 1, id, rc;
	bset *s, t;

	memset(&t, 0, sizeof(t));
	p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '^') {
		negate = 1;
		p->pos++;
	}
	for (;;) {
		unsigned lo = 0, hi = 0;
		size_t at = p->pos;
		if (p->pos >= p->len)
			return perr(p, open, "unmatched '['");
		if (p->s[p->pos] == ']' && !first) {
			p->pos++;
			break;
		}
		if ((rc = bracket_elem(p, &t, open, first, &lo)) < 0)
			return -1;
		first = 0;
		if (rc == 1) {
			if (p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] != ']')
				return perr(p, at, "a class cannot start a range");
			continue;
		}
		if (p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] != ']') {
			p->pos++;
			if ((rc = bracket_elem(p, &t, open, 1, &hi)) < 0)
				return -1;
			if (rc == 1 || tr(p, lo) > tr(p, hi))
				return perr(p, at, "invalid range in brackets");
			for (unsigned c = tr(p, lo); c <= tr(p, hi); c++)
				bs_add(&t, c);
		} else {
			bs_add(&t, tr(p, lo));
		}
	}
	if ((id = set_node(p, &s)) < 0)
		return -1;
	for (unsigned c = 1; c < 256; c++)
		if (bs_has(&t, c) != negate)
			bs_add(s, c);
	return id;
}

static int parse_alt(struct parser *p);

static int parse_atom(struct parser *p)
{
	size_t at = p->pos;
	unsigned c = p->s[p->pos];
	bset *s;
	int id;

	switch (c) {
	case '(':
		if (++p->nest > MAX_NEST)
			return perr(p, at, "nested deeper than %d levels", MAX_NEST);
		p->depth++;
		p->pos++;
		id = parse_alt(p);
		if (id < 0)
			return -1;
		if (p->pos >= p->len)
			return perr(p, at, "unmatched '('");
		p->pos++;
		p->depth--;
		p->nest--;
		return id;
	case '*':
	case '+':
	case '?':
	case '{':
		return perr(p, at, "'%c' has nothing to repeat", (int)c);
	case '[':
		return parse_bracket(p);
	case '.':
		if ((id = set_node(p, &s)) >= 0)
			for (unsigned b = 1; b < 256; b++)
				bs_add(s, b);
		p->pos++;
		return id;
	case '^':
		p->pos++;
		return node(p, A_BOL);
	case '$':
		p->pos++;
		return node(p, A_EOL);
	case '\\':
		if (p->pos + 1 >= p->len)
			return perr(p, at, "trailing backslash");
		c = p->s[p->pos + 1];
		p->pos += 2;
		if (c >= '1' && c <= '9')
			return perr(p, at, "back-references (\\%c) are not supported: their matching time has no bound",
				    (int)c);
		switch (c) {
		case 'w':
		case 'W':
		case 's':
		case 'S':
			if ((id = set_node(p, &s)) >= 0)
				add_class(p, s, c == 'w' || c == 'W' ? c_word : c_space, c == 'W' || c == 'S');
			return id;
		case 'b': p->word = 1; return node(p, A_WB);
		case 'B': p->word = 1; return node(p, A_NWB);
		case '<': p->word = 1; return node(p, A_WBEG);
		case '>': p->word = 1; return node(p, A_WEND);
		case '`': return node(p, A_BOL);
		case '\'': return node(p, A_EOL);
		}
		break;
	default:
		p->pos++;
		break;
	}
	if ((id = set_node(p, &s)) >= 0)
		bs_add(s, tr(p, c));
	return id;
}

/*
 * The character of an interval at p->pos and its length: glibc reads an
 * escaped character there as the character (a{1\,2} is a{1,2}, \0 a
 * digit), except a back-reference, which is no digit.
 */
static unsigned interval_char(const struct parser *p, size_t *n)
{
	*n = 1;
	if (p->pos >= p->len)
		return 0;
	if (p->s[p->pos] == '\\' && p->pos + 1 < p->len) {
		*n = 2;
		return p->s[p->pos + 1] >= '1' && p->s[p->pos + 1] <= '9' ? '\\' : p->s[p->pos + 1];
	}
	return p->s[p->pos];
}

static int read_count(struct parser *p, int *out)
{
	int any = 0;
	long v = 0;
	size_t n;
	unsigned c;
	while (c_digit((int)(c = interval_char(p, &n)))) {
		if (v <= 100000)
			v = v * 10 + (long)(c - '0');
		p->pos += n;
		any = 1;
	}
	*out = (int)v;
	return any;
}

/* a repeat operator at p->pos: its bounds */
static int parse_repeat(struct parser *p, int *min, int *max)
{
	size_t at = p->pos, n;
	unsigned c = p->s[p->pos++];
	int has_min, comma = 0;

	if (c != '{') {
		*min = c == '+';
		*max = c == '?' ? 1 : -1;
		return 0;
	}
	has_min = read_count(p, min);
	*max = *min;
	if (interval_char(p, &n) == ',') {
		p->pos += n;
		comma = 1;
		if (!read_count(p, max))
			*max = -1;
	}
	if (p->pos >= p->len || p->s[p->pos] != '}')
		return perr(p, at, "unmatched '{'");
	p->pos++;
	if (!has_min && !comma)
		return perr(p, at, "invalid repeat count");
	if (*max >= 0 && *max < *min)
		return perr(p, at, "invalid repeat count: %d is below %d", *max, *min);
	if (*min > XSM__REGEX_MAX_REPEAT || *max > XSM__REGEX_MAX_REPEAT)
		return perr(p, at, "repeat count over %d", XSM__REGEX_MAX_REPEAT);
	return 0;
}

static int parse_branch(struct parser *p)
{
	struct ids l = { NULL, 0, 0 };
	int id = -1;
	while (p->pos < p->len && p->s[p->pos] != '|' && !(p->s[p->pos] == ')' && p->depth > 0)) {
		int group = p->s[p->pos] == '(', a = parse_atom(p), t, nest = 0;
		if (a < 0)
			goto done;
		/* an anchor cannot be repeated, but a group can, whatever it holds: (\b)* */
		t = group ? A_CAT : p->nodes[a].type;
		while (p->pos < p->len && (p->s[p->pos] == '*' || p->s[p->pos] == '+' || p->s[p->pos] == '?' ||
					   p->s[p->pos] == '{')) {
			int min, max, r;
			if (t != A_SET && t != A_CAT && t != A_ALT && t != A_REP && t != A_EMPTY) {
				perr(p, p->pos, "'%c' has nothing to repeat (an anchor cannot be repeated)", p->s[p->pos]);
				goto done;
			}
			if (p->nest + ++nest > MAX_NEST) {
				perr(p, p->pos, "nested deeper than %d levels", MAX_NEST);
				goto done;
			}
			if (parse_repeat(p, &min, &max) < 0 || (r = node(p, A_REP)) < 0)
				goto done;
			p->nodes[r].kid = a;
			p->nodes[r].min = min;
			p->nodes[r].max = max;
			a = r;
		}
		if (ids_push(p, &l, a) < 0)
			goto done;
	}
	id = group_of(p, A_CAT, &l);
done:
	xsm__free(l.v);
	return id;
}

static int parse_alt(struct parser *p)
{
	struct ids l = { NULL, 0, 0 };
	int id = -1, b;
	if ((b = parse_branch(p)) < 0 || ids_push(p, &l, b) < 0)
		goto done;
	while (p->pos < p->len && p->s[p->pos] == '|') {
		p->pos++;
		if ((b = parse_branch(p)) < 0 || ids_push(p, &l, b) < 0)
			goto done;
	}
	id = group_of(p, A_ALT, &l);
done:
	xsm__free(l.v);
	return id;
}

/* the automaton states node id needs, saturating past MAXS */
static size_t states_of(const struct parser *p, int id)
{
	const struct anode *a = &p->nodes[id];
	size_t n = 0, x;
	switch (a->type) {
	case A_CAT:
	case A_ALT:
		for (size_t i = 0; i < a->n && n <= MAXS; i++)
			n += states_of(p, p->kids[a->first + i]);
		return a->type == A_ALT ? n + a->n - 1 : n;
	case A_REP:
		if (a->max == 0)
			return 1;
		x = states_of(p, a->kid);
		if (x > MAXS)
			return MAXS + 1;
		n = (size_t)a->min * x;
		n += a->max < 0 ? (a->min ? 1 : x + 1) : (size_t)(a->max - a->min) * (x + 1);
		return n > MAXS ? MAXS + 1 : n;
	}
	return 1;
}

/* --- the automaton ----------------------------------------------------------------- */

enum { N_SET, N_JMP, N_SPLIT, N_BOL, N_EOL, N_WB, N_NWB, N_WBEG, N_WEND, N_MATCH };

struct nst {
	uint8_t type;
	uint16_t set;
	int32_t out, out1;
};

struct xsm__regex {
	struct nst *st;
	int nst, start;
	bset *sets;         /* matched against the text's raw bytes (folding applied) */
	int word;           /* tests word boundaries: simulate */
	/* the DFA, when built */
	int ncls;
	uint8_t cls[256];
	uint16_t *next;     /* [state * ncls + class] */
	uint8_t *flags;
};

enum { D_ACC = 1, D_ACC_END = 2, D_DEAD = 4 };

struct frag {
	int start, tail; /* tail: a list of dangling exits, linked through them (slot = state * 2 + which) */
};

static int32_t *slotp(struct xsm__regex *re, int slot)
{
	return slot & 1 ? &re->st[slot >> 1].out1 : &re->st[slot >> 1].out;
}

static void patch(struct xsm__regex *re, int list, int target)
{
	while (list >= 0) {
		int32_t *q = slotp(re, list);
		list = *q;
		*q = target;
	}
}

static int join(struct xsm__regex *re, int a, int b)
{
	int s = a;
	if (a < 0)
		return b;
	while (*slotp(re, s) >= 0)
		s = *slotp(re, s);
	*slotp(re, s) = b;
	return a;
}

static int add(struct xsm__regex *re, int type, int set)
{
	struct nst *s = &re->st[re->nst];
	s->type = (uint8_t)type;
	s->set = (uint16_t)set;
	s->out = s->out1 = -1;
	return re->nst++;
}

static struct frag one(struct xsm__regex *re, int type, int set)
{
	int s = add(re, type, set);
	struct frag f = { s, s * 2 };
	return f;
}

static void cat(struct xsm__regex *re, struct frag *acc, struct frag g)
{
	if (acc->start < 0) {
		*acc = g;
		return;
	}
	patch(re, acc->tail, g.start);
	acc->tail = g.tail;
}

static struct frag build(struct xsm__regex *re, const struct parser *p, int id)
{
	static const int assert_state[] = { [A_BOL] = N_BOL, [A_EOL] = N_EOL, [A_WB] = N_WB, [A_NWB] = N_NWB,
					     [A_WBEG] = N_WBEG, [A_WEND] = N_WEND };
	const struct anode *a = &p->nodes[id];
	struct frag acc = { -1, -1 }, g;
	int s;

	switch (a->type) {
	case A_SET:
		return one(re, N_SET, a->set);
	case A_CAT:
		for (size_t i = 0; i < a->n; i++)
			cat(re, &acc, build(re, p, p->kids[a->first + i]));
		return acc;
	case A_ALT:
		acc = build(re, p, p->kids[a->first + a->n - 1]);
		for (size_t i = a->n - 1; i-- > 0;) {
			g = build(re, p, p->kids[a->first + i]);
			s = add(re, N_SPLIT, 0);
			re->st[s].out = g.start;
			re->st[s].out1 = acc.start;
			acc.start = s;
			acc.tail = join(re, g.tail, acc.tail);
		}
		return acc;
	case A_REP:
		if (a->max == 0)
			return one(re, N_JMP, 0);
		if (a->max < 0) {
			for (int i = 0; i + 1 < a->min; i++)
				cat(re, &acc, build(re, p, a->kid));
			g = build(re, p, a->kid);
			s = add(re, N_SPLIT, 0);
			re->st[s].out = g.start;
			patch(re, g.tail, s);
			g.start = a->min ? g.start : s; /* x+ enters x, x* the choice */
			g.tail = s * 2 + 1;
			cat(re, &acc, g);
			return acc;
		}
		for (int i = 0; i < a->min; i++)
			cat(re, &acc, build(re, p, a->kid));
		if (a->max > a->min) {
			struct frag opt = { -1, -1 };
			/* x{0,k} as (x(x(x)?)?)?: linear in k */
			for (int i = 0; i < a->max - a->min; i++) {
				g = build(re, p, a->kid);
				if (opt.start >= 0) {
					patch(re, g.tail, opt.start);
					g.tail = opt.tail;
				}
				s = add(re, N_SPLIT, 0);
				re->st[s].out = g.start;
				opt.start = s;
				opt.tail = join(re, s * 2 + 1, g.tail);
			}
			cat(re, &acc, opt);
		}
		return acc;
	case A_EMPTY:
		return one(re, N_JMP, 0);
	}
	return one(re, assert_state[a->type], 0);
}

/* --- matching -------------------------------------------------------------------- */

/* what is known at a position of the text */
struct at {
	int bol, eol, prevw, nextw;
	int keep_eol; /* DFA: the end is not known yet; keep $ in the set, pending */
};

struct work {
	uint32_t mark[MAXS + 1];
	int stack[MAXS + 1];
	uint32_t gen;
};

/*
 * Add the states reachable from s without reading a byte to list: states
 * that read one (and pending $ when keep_eol).  1 when the match state is
 * among them.
 */
static int closure(const struct xsm__regex *re, int s, const struct at *at, struct work *w, uint16_t *list,
		   size_t *n)
{
	size_t sp = 0;
	int found = 0;
	if (w->mark[s] == w->gen)
		return 0;
	w->mark[s] = w->gen;
	w->stack[sp++] = s;
	while (sp) {
		int t = w->stack[--sp], go = 0;
		const struct nst *q = &re->st[t];
		switch (q->type) {
		case N_SET: list[(*n)++] = (uint16_t)t; break;
		case N_MATCH: found = 1; break;
		case N_JMP: go = 1; break;
		case N_SPLIT:
			go = 1;
			if (w->mark[q->out1] != w->gen) {
				w->mark[q->out1] = w->gen;
				w->stack[sp++] = q->out1;
			}
			break;
		case N_BOL: go = at->bol; break;
		case N_EOL:
			go = at->eol;
			if (!go && at->keep_eol)
				list[(*n)++] = (uint16_t)t;
			break;
		case N_WB: go = at->prevw != at->nextw; break;
		case N_NWB: go = at->prevw == at->nextw; break;
		case N_WBEG: go = !at->prevw && at->nextw; break;
		case N_WEND: go = at->prevw && !at->nextw; break;
		}
		if (go && w->mark[q->out] != w->gen) {
			w->mark[q->out] = w->gen;
			w->stack[sp++] = q->out;
		}
	}
	return found;
}

static int match_sim(const struct xsm__regex *re, const unsigned char *s)
{
	struct work w;
	uint16_t la[MAXS + 1], lb[MAXS + 1], *cur = la, *nxt = lb, *tmp;
	size_t ncur = 0, nnxt;
	struct at at = { 1, s[0] == 0, 0, c_word(s[0]), 0 };

	memset(w.mark, 0, (size_t)re->nst * sizeof(w.mark[0]));
	w.gen = 1;
	if (closure(re, re->start, &at, &w, cur, &ncur))
		return 1;
	for (size_t i = 0; s[i]; i++) {
		unsigned c = s[i];
		w.gen++;
		nnxt = 0;
		at.bol = 0;
		at.eol = s[i + 1] == 0;
		at.prevw = c_word((int)c);
		at.nextw = c_word(s[i + 1]);
		for (size_t k = 0; k < ncur; k++) {
			const struct nst *q = &re->st[cur[k]];
			if (q->type == N_SET && bs_has(&re->sets[q->set], c) && closure(re, q->out, &at, &w, nxt, &nnxt))
				return 1;
		}
		if (closure(re, re->start, &at, &w, nxt, &nnxt)) /* unanchored: a match may start at any byte */
			return 1;
		tmp = cur;
		cur = nxt;
		nxt = tmp;
		ncur = nnxt;
	}
	return 0;
}

int xsm__regex_match(const xsm__regex *re, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned d = 0;
	uint8_t f;

	if (!re->next)
		return match_sim(re, s);
	if (re->flags[0] & D_ACC)
		return 1;
	for (; *s; s++) {
		d = re->next[d * (unsigned)re->ncls + re->cls[*s]];
		if ((f = re->flags[d]) & (D_ACC | D_DEAD))
			return f & D_ACC;
	}
	return (re->flags[d] & D_ACC_END) != 0;
}

int xsm__regex_is_dfa(const xsm__regex *re)
{
	return re->next != NULL;
}

/* --- the DFA ----------------------------------------------------------------------- */

struct dstate {
	size_t off, n; /* members in pool[off .. off + n), sorted */
};

struct dbuild {
	struct dstate *v;
	size_t n, cap;
	uint16_t *pool;
	size_t npool, poolcap;
	int32_t *hash; /* open addressing: state id + 1, 0 empty */
	size_t hcap;
	uint8_t *flags;
};

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static uint32_t set_hash(const uint16_t *v, size_t n)
{
	uint32_t h = 2166136261u ^ (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		h = (h ^ v[i]) * 16777619u;
	return h;
}

/* the id of the state with members v[0..n) (sorted), new when unseen; -1 out of memory or budget */
static int intern(struct dbuild *b, const uint16_t *v, size_t n, int hashed)
{
	uint32_t h = set_hash(v, n);
	size_t i = h & (b->hcap - 1);
	struct dstate *d;

	if (hashed)
		for (; b->hash[i]; i = (i + 1) & (b->hcap - 1)) {
			d = &b->v[b->hash[i] - 1];
			if (d->n == n && !memcmp(b->pool + d->off, v, n * sizeof(*v)))
				return b->hash[i] - 1;
		}
	if (b->n >= DFA_MAX_STATES)
		return -1;
	if (b->n == b->cap) {
		size_t cap = b->cap * 2;
		void *q = xsm__reallocarray(b->v, cap, sizeof(*b->v)), *r;
		if (!q)
			return -1;
		b->v = q;
		if (!(r = xsm__realloc(b->flags, cap)))
			return -1;
		b->flags = r;
		b->cap = cap;
	}
	if (b->npool + n > b->poolcap) {
		size_t cap = (b->poolcap + n) * 2;
		uint16_t *q = xsm__reallocarray(b->pool, cap, sizeof(*q));
		if (!q)
			return -1;
		b->pool = q;
		b->poolcap = cap;
	}
	if (n)
		memcpy(b->pool + b->npool, v, n * sizeof(*v));
	b->v[b->n].off = b->npool;
	b->v[b->n].n = n;
	b->flags[b->n] = n ? 0 : D_DEAD;
	b->npool += n;
	if (hashed)
		b->hash[i] = (int32_t)b->n + 1;
	return (int)b->n++;
}

/* byte classes: bytes that every set of the automaton treats alike */
static void byte_classes(struct xsm__regex *re)
{
	int map[256][2];
	memset(re->cls, 0, sizeof(re->cls));
	re->ncls = 1;
	for (int k = 0; k < re->nst; k++) {
		int n = 0;
		if (re->st[k].type != N_SET)
			continue;
		memset(map, -1, sizeof(map));
		for (unsigned c = 0; c < 256; c++) {
			int h = bs_has(&re->sets[re->st[k].set], c);
			if (map[re->cls[c]][h] < 0)
				map[re->cls[c]][h] = n++;
			re->cls[c] = (uint8_t)map[re->cls[c]][h];
		}
		re->ncls = n;
	}
}

/* the members of state d that read byte c, followed (and the start, for a match beginning after it) */
static int step(const struct xsm__regex *re, const struct dbuild *b, size_t d, unsigned c, struct work *w,
		uint16_t *list, size_t *n)
{
	static const struct at mid = { 0, 0, 0, 0, 1 };
	int found = 0;
	*n = 0;
	w->gen++;
	for (size_t i = 0; i < b->v[d].n; i++) {
		const struct nst *q = &re->st[b->pool[b->v[d].off + i]];
		if (q->type == N_SET && bs_has(&re->sets[q->set], c))
			found |= closure(re, q->out, &mid, w, list, n);
	}
	return found | closure(re, re->start, &mid, w, list, n);
}

/* the DFA of re, or nothing (re->next NULL) when it would pass the budget */
static int build_dfa(struct xsm__regex *re)
{
	struct dbuild b;
	struct work *w;
	struct at at = { 1, 0, 0, 0, 1 };
	uint16_t *list = NULL, *tab = NULL;
	unsigned char rep[256];
	size_t n, work = 0, rows = 0;
	int acc = -1, rc = -1, id;

	byte_classes(re);
	for (int c = 255; c >= 0; c--)
		rep[re->cls[c]] = (unsigned char)c;
	memset(&b, 0, sizeof(b));
	b.cap = 64;
	b.hcap = 2 * DFA_MAX_STATES;
	w = xsm__calloc(1, sizeof(*w));
	list = xsm__malloc(sizeof(*list) * (MAXS + 1));
	b.v = xsm__malloc(b.cap * sizeof(*b.v));
	b.flags = xsm__malloc(b.cap);
	b.hash = xsm__calloc(b.hcap, sizeof(*b.hash));
	if (!w || !list || !b.v || !b.flags || !b.hash)
		goto done;
	/* the start, at the first byte (where ^ holds): never shared with a later state */
	n = 0;
	w->gen = 1;
	if (closure(re, re->start, &at, w, list, &n))
		acc = 0;
	qsort(list, n, sizeof(*list), cmp_u16);
	if (intern(&b, list, n, 0) < 0)
		goto done;
	if (acc == 0)
		b.flags[0] = D_ACC;
	for (size_t d = 0; d < b.n; d++) {
		if (d >= rows) {
			size_t r = rows ? rows * 2 : 16;
			uint16_t *t;
			if (r * (size_t)re->ncls * sizeof(*tab) > DFA_MAX_TABLE)
				r = DFA_MAX_TABLE / sizeof(*tab) / (size_t)re->ncls;
			if (r <= d || !(t = xsm__reallocarray(tab, r * (size_t)re->ncls, sizeof(*tab))))
				goto done; /* over the budget, or out of memory: simulate */
			tab = t;
			rows = r;
		}
		for (int k = 0; k < re->ncls; k++) {
			id = (int)d;
			if (!(b.flags[d] & (D_ACC | D_DEAD))) {
				int found = step(re, &b, d, rep[k], w, list, &n);
				if ((work += b.v[d].n + n + 1) > DFA_MAX_WORK)
					goto done;
				if (found) {
					/* every state holding the match is the same to the matcher: one of them */
					if (acc < 0 && (acc = intern(&b, NULL, 0, 0)) >= 0)
						b.flags[acc] = D_ACC;
					id = acc;
				} else {
					qsort(list, n, sizeof(*list), cmp_u16);
					id = intern(&b, list, n, 1);
				}
				if (id < 0)
					goto done;
			}
			tab[d * (size_t)re->ncls + (size_t)k] = (uint16_t)id;
		}
		/* $ pending in the state: does the text ending here match? */
		if (!(b.flags[d] & (D_ACC | D_DEAD))) {
			struct at end = { d == 0, 1, 0, 0, 0 };
			w->gen++;
			for (size_t i = 0; i < b.v[d].n; i++) {
				const struct nst *q = &re->st[b.pool[b.v[d].off + i]];
				n = 0;
				if (q->type == N_EOL && closure(re, q->out, &end, w, list, &n))
					b.flags[d] |= D_ACC_END;
			}
		}
	}
	if (!(re->flags = xsm__malloc(b.n)))
		goto done;
	memcpy(re->flags, b.flags, b.n);
	re->next = tab;
	tab = NULL;
	rc = 0;
done:
	xsm__free(tab);
	xsm__free(w);
	xsm__free(list);
	xsm__free(b.v);
	xsm__free(b.pool);
	xsm__free(b.hash);
	xsm__free(b.flags);
	return rc;
}

/* --- compiling ----------------------------------------------------------------------- */

void xsm__regex_free(xsm__regex *re)
{
	if (!re)
		return;
	xsm__free(re->st);
	xsm__free(re->sets);
	xsm__free(re->next);
	xsm__free(re->flags);
	xsm__free(re);
}

int xsm__regex_compile(xsm__regex **out, const char *pattern, int flags, char *msg, size_t msglen, size_t *at)
{
	struct parser p;
	xsm__regex *re = NULL;
	struct frag f;
	size_t need;
	int root, m;

	*out = NULL;
	*at = 0;
	memset(&p, 0, sizeof(p));
	p.s = (const unsigned char *)pattern;
	p.len = strlen(pattern);
	p.icase = flags & XSM__RE_ICASE;
	p.msg = msg;
	p.msglen = msglen;
	root = parse_alt(&p);
	if (root >= 0 && p.pos < p.len) /* a ')' closing nothing is a character, so only an error could stop */
		perr(&p, p.pos, "unexpected '%c'", p.s[p.pos]);
	if (!p.err && (need = states_of(&p, root) + 1) > MAXS)
		perr(&p, 0, "too complex: over %d automaton states (repeat counts multiply)", MAXS);
	if (!p.err && !(re = xsm__calloc(1, sizeof(*re))))
		oom(&p);
	if (!p.err && (!(re->st = xsm__calloc(need, sizeof(*re->st))) ||
		       !(re->sets = xsm__calloc(p.nsets ? p.nsets : 1, sizeof(*re->sets)))))
		oom(&p);
	if (p.err) {
		*at = p.at;
		xsm__regex_free(re);
		xsm__free(p.nodes);
		xsm__free(p.kids);
		xsm__free(p.sets);
		return p.err;
	}
	/* the sets as the text's raw bytes meet them: a byte is folded, then looked up */
	for (size_t k = 0; k < p.nsets; k++)
		for (unsigned c = 1; c < 256; c++)
			if (bs_has(&p.sets[k], tr(&p, c)))
				bs_add(&re->sets[k], c);
	f = build(re, &p, root);
	m = add(re, N_MATCH, 0);
	patch(re, f.tail, m);
	re->start = f.start;
	re->word = p.word;
	xsm__free(p.nodes);
	xsm__free(p.kids);
	xsm__free(p.sets);
	/* without a DFA (too large, or word boundaries) the automaton is simulated */
	if (!re->word && !(flags & XSM__RE_NO_DFA))
		build_dfa(re);
	*out = re;
	return 0;
}
