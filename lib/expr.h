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
 *   unary   := 'not' unary | 'exists' field | primary
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

enum xsm__ev_type { XSM_EV_NULL = 0, XSM_EV_BOOL, XSM_EV_NUM, XSM_EV_STR, XSM_EV_STRS };

/* a field value handed out by the host; borrowed for the duration of one eval */
typedef struct xsm__expr_val {
	int type;                  /* enum xsm__ev_type */
	int b;                     /* BOOL */
	double num;                /* NUM */
	const char *str;           /* STR (NUL-terminated) */
	const uint32_t *ids;       /* STRS: string ids ... */
	size_t n;                  /* ... how many ... */
	const char *const *pool;   /* ... and the table they index: pool[ids[i]] */
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
} xsm__expr_host;

typedef struct xsm__expr xsm__expr;

/*
 * Compile text.  On a syntax error: XSM_EINVALID with "col N: reason" on
 * ctx (1-based column of the offending token).  The host must outlive the
 * compiled expression.
 */
int xsm__expr_compile(xsm__expr **out, xsm_ctx *ctx, const char *text, const xsm__expr_host *host);
/* 1 when item matches, else 0.  Thread-safe for concurrent evaluation of one compiled expression. */
int xsm__expr_eval(const xsm__expr *e, const void *item);
/* the field ids the expression reads (for hosts that precompute), count in *n; borrowed */
const int *xsm__expr_fields(const xsm__expr *e, size_t *n);
void xsm__expr_free(xsm__expr *e);

#endif
