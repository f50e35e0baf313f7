/*
 * expr.h - the expression language of rules, filters and metrics
 * (xsm-expr(7)).  Compiled once, evaluated per item without allocation.
 *
 * The language knows nothing of graphs: a host (the graph, a test) maps
 * field paths to ids at compile time and hands out field values at
 * evaluation time through xsm__expr_host.
 *
 *   expr    := orexpr
 *   orexpr  := andexpr ('or' andexpr)*
 *   andexpr := unary ('and' unary)*
 *   unary   := 'not' unary | 'exists' field | relation | primary
 *   relation:= ('memberOf' | 'loggedOnBy') '(' (expr | "string") ')'
 *   primary := '(' expr ')' | operand [op operand]
 *   op      := == != < <= > >= ~ !~ in contains startswith endswith
 *   operand := field | "string" | number | true | false | null | '[' literal, ... ']'
 *   field   := id | label | name | categories | sources | props.<ident>(.<ident>)*
 */
#ifndef XSM__EXPR_H
#define XSM__EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "exposure/ctx.h"
#include "util/strmap.h"

enum xsm__ev_type { XSM_EV_NULL = 0, XSM_EV_BOOL, XSM_EV_NUM, XSM_EV_STR, XSM_EV_STRS };

/* a field value handed out by the host; borrowed for the duration of one eval */
typedef struct xsm__expr_val {
	int type;                  /* enum xsm__ev_type */
	int b;                     /* BOOL */
	double num;                /* NUM */
	const char *str;           /* STR (NUL-terminated) */
	const uint32_t *ids;       /* STRS: string ids ... */
	size_t n;                  /* ... how many ... */
	const struct xsm__strpool *pool; /* ... and the pool they index */
} xsm__expr_val;

typedef struct xsm__expr_host {
	/*
	 * Map a field path ("label", "props.osType") to an id >= 0, at compile
	 * time.  Return -1 for a path the host does not know: such a field is
	 * null for every item.  Return -2 to refuse the path (a compile error,
	 * "unknown field").
	 */
	int (*resolve)(void *host, const char *path, size_t len);
	/* Fetch field fid of item into out (type XSM_EV_NULL when absent). Must not allocate. */
	void (*get)(void *host, const void *item, int fid, xsm__expr_val *out);
	void *host;
	/*
	 * Relations (memberOf, loggedOnBy), optional: a host without them
	 * finds every relation empty (syntax checks).  At compile time relate
	 * is handed a predicate over the host's items (the relation's inner
	 * expression) and builds *set, the items in that relation to some item
	 * matching it: one pass over the items and one traversal, however many
	 * items are evaluated later.  in_set answers for one item without
	 * allocating; witness calls back with a chain of items from item to
	 * one that matches (for explanations) and returns that last item, or
	 * NULL; set_free releases a set.
	 */
	int (*relate)(void *host, int rel, int (*match)(const void *arg, const void *item), const void *arg,
		      void **set);
	int (*in_set)(void *host, const void *set, const void *item);
	const void *(*witness)(void *host, int rel, const void *set, const void *item,
			       void (*step)(void *arg, const void *item), void *arg);
	void (*set_free)(void *host, void *set);
} xsm__expr_host;

/* the relations an expression can name */
enum xsm__expr_rel {
	XSM_REL_MEMBER_OF = 0, /* memberOf(X): a path of one or more "member of" edges to an item matching X */
	XSM_REL_LOGGED_ON_BY,  /* loggedOnBy(X): a "frequently logged in by" edge to an item matching X */
	XSM_REL_N
};
/* the name of a relation in the language */
const char *xsm__expr_rel_name(int rel);

typedef struct xsm__expr xsm__expr;

/*
 * Compile text.  On a syntax error: XSM_EINVALID with "col N: reason" on
 * ctx (1-based column of the offending token).  The host must outlive the
 * compiled expression.
 */
int xsm__expr_compile(xsm__expr **out, xsm_ctx *ctx, const char *text, const xsm__expr_host *host);
/*
 * Compile text only to check it, with a host that knows the graph's
 * fields (id, label, name, categories, sources, props.*) and nothing of
 * any graph: where an expression enters (a rule, a metric, an entry
 * point, a filter), before anything evaluates it.
 */
int xsm__expr_check(xsm_ctx *ctx, const char *text);
/* 1 when item matches, else 0.  Thread-safe for concurrent evaluation of one compiled expression. */
int xsm__expr_eval(const xsm__expr *e, const void *item);
/*
 * Explain why item matches: for every relation term that holds for it
 * (under the and/or branches that hold), cb gets the relation and the
 * chain of items from item to the one matching the term's inner
 * expression, whose own relation terms are explained in turn.
 */
void xsm__expr_explain(const xsm__expr *e, const void *item,
		       void (*cb)(void *arg, int rel, const void *const *chain, size_t n), void *arg);
/* the field ids the expression reads (for hosts that precompute), count in *n; borrowed */
const int *xsm__expr_fields(const xsm__expr *e, size_t *n);
void xsm__expr_free(xsm__expr *e);

#endif
