/*
 * adapt/yaml.h - YAML reading into a small tree with source positions,
 * and quoting for YAML written by the library.  The only user of libyaml.
 */
#ifndef XSM__ADAPT_YAML_H
#define XSM__ADAPT_YAML_H

#include <stddef.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

enum { XSM_Y_SCALAR = 1, XSM_Y_SEQ, XSM_Y_MAP };

typedef struct xsm__ynode xsm__ynode;
struct xsm__ynode {
	int type;
	char *scalar;          /* XSM_Y_SCALAR: the text */
	int quoted;            /* the scalar was quoted ("null" stays a string) */
	size_t line, col;      /* 1-based start position */
	xsm__ynode **items;    /* SEQ: values; MAP: key, value, key, value ... */
	size_t n;              /* SEQ: count; MAP: pairs * 2 */
};

/*
 * Parse one YAML document.  file names the source in errors
 * ("file:line:col: reason", XSM_ECONFIG).  An empty document gives an empty
 * map.  Aliases are refused (no billion laughs).  Free with xsm__yaml_free.
 */
int xsm__yaml_parse(xsm__ynode **out, xsm_ctx *ctx, const char *buf, size_t len, const char *file);
/* read and parse a file (capped at 16 MiB); XSM_ENOTFOUND when absent */
int xsm__yaml_load(xsm__ynode **out, xsm_ctx *ctx, const char *path);
/* the same for a file that may be absent: 0 with *out NULL then (ctx untouched) */
int xsm__yaml_load_opt(xsm__ynode **out, xsm_ctx *ctx, const char *path);
void xsm__yaml_free(xsm__ynode *n);

/* map member by key, or NULL */
const xsm__ynode *xsm__yaml_get(const xsm__ynode *map, const char *key);
/* scalar text of map[key], or NULL when absent or not a scalar */
const char *xsm__yaml_getstr(const xsm__ynode *map, const char *key);
/* "null", "~", "" unquoted */
int xsm__yaml_is_null(const xsm__ynode *n);

/*
 * The shape of a mapping read from a file, so a value of the wrong kind
 * is an error and not silently ignored: n must be a mapping (what names
 * it: "the document", "a rule"), and each key spec lists, when present and
 * not null, must be of its kind: "name=s custom=l raw=m" (s a value, l a
 * list, m a mapping).  Keys spec does not list are not looked at.  0, or
 * XSM_ECONFIG "file:line:col: ..." at the offending node.
 */
int xsm__yaml_check(xsm_ctx *ctx, const char *file, const xsm__ynode *n, const char *what, const char *spec);

/* set ctx error "file:line:col: msg" at node n and return XSM_ECONFIG */
int xsm__yaml_error(xsm_ctx *ctx, const char *file, const xsm__ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* append s as a double-quoted YAML scalar */
int xsm__yaml_quote(xsm_buf *out, const char *s);

#endif
