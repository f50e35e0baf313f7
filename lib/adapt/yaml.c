#include "adapt/yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#define MAX_DEPTH 64

static xsm__ynode *node_new(int type, const yaml_mark_t *m)
{
	xsm__ynode *n = xsm__calloc(1, sizeof(*n));
	if (n) {
		n->type = type;
		n->line = m->line + 1;
		n->col = m->column + 1;
	}
	return n;
}

static int push(xsm__ynode *parent, xsm__ynode *child)
{
	xsm__ynode **items = xsm__reallocarray(parent->items, parent->n + 1, sizeof(*items));
	if (!items)
		return -1;
	items[parent->n++] = child;
	parent->items = items;
	return 0;
}

void xsm__yaml_free(xsm__ynode *n)
{
	size_t i;
	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		xsm__yaml_free(n->items[i]);
	xsm__free(n->items);
	xsm__free(n->scalar);
	xsm__free(n);
}

static int parse_err(xsm_ctx *ctx, const char *file, yaml_parser_t *p)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
	return xsm__error_set(ctx, XSM_ECONFIG, "%s:%zu:%zu: %s%s%s", file, m->line + 1, m->column + 1,
			      p->problem ? p->problem : "invalid yaml",
			      p->context ? " " : "", p->context ? p->context : "");
}

int xsm__yaml_parse(xsm__ynode **out, xsm_ctx *ctx, const char *buf, size_t len, const char *file)
{
	yaml_parser_t p;
	yaml_event_t ev;
	xsm__ynode *stack[MAX_DEPTH + 1], *root = NULL;
	int depth = 0, rc = 0, done = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&p))
		return xsm__error_oom(ctx);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && rc == 0) {
		xsm__ynode *n = NULL;
		int opens = 0;

		if (!yaml_parser_parse(&p, &ev)) {
			rc = parse_err(ctx, file, &p);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			done = root != NULL; /* only the first document is read */
			break;
		case YAML_ALIAS_EVENT:
			rc = xsm__error_set(ctx, XSM_ECONFIG, "%s:%zu:%zu: yaml aliases are not supported",
					    file, ev.start_mark.line + 1, ev.start_mark.column + 1);
			break;
		case YAML_SCALAR_EVENT:
			if (!(n = node_new(XSM_Y_SCALAR, &ev.start_mark)) ||
			    !(n->scalar = xsm__strndup((const char *)ev.data.scalar.value, ev.data.scalar.length))) {
				xsm__yaml_free(n);
				n = NULL;
				rc = xsm__error_oom(ctx);
				break;
			}
			n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= MAX_DEPTH) {
				rc = xsm__error_set(ctx, XSM_ECONFIG, "%s:%zu:%zu: nesting too deep", file,
						    ev.start_mark.line + 1, ev.start_mark.column + 1);
				break;
			}
			n = node_new(ev.type == YAML_SEQUENCE_START_EVENT ? XSM_Y_SEQ : XSM_Y_MAP, &ev.start_mark);
			if (!n)
				rc = xsm__error_oom(ctx);
			opens = 1;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			n = stack[--depth];
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0 || !n)
			continue;
		if (opens) {
			stack[depth++] = n;
		} else if (depth == 0) {
			xsm__yaml_free(root);
			root = n;
		} else if (push(stack[depth - 1], n) < 0) {
			xsm__yaml_free(n);
			rc = xsm__error_oom(ctx);
		}
	}
	if (rc < 0) {
		/* free the open containers: each is attached to its parent only when it closes */
		while (depth > 0)
			xsm__yaml_free(stack[--depth]);
		xsm__yaml_free(root);
		root = NULL;
	}
	yaml_parser_delete(&p);
	if (rc == 0 && !root) {
		yaml_mark_t m = { 0, 0, 0 };
		if (!(root = node_new(XSM_Y_MAP, &m)))
			return xsm__error_oom(ctx);
	}
	if (rc == 0 && root->type == XSM_Y_SCALAR && !root->quoted && root->scalar[0] == '\0') {
		root->type = XSM_Y_MAP;
		xsm__free(root->scalar);
		root->scalar = NULL;
	}
	*out = root;
	return rc;
}

int xsm__yaml_load_opt(xsm__ynode **out, xsm_ctx *ctx, const char *path)
{
	int rc = xsm__yaml_load(out, ctx, path);
	if (rc != XSM_ENOTFOUND)
		return rc;
	xsm_ctx_clear(ctx);
	return 0;
}

int xsm__yaml_load(xsm__ynode **out, xsm_ctx *ctx, const char *path)
{
	xsm_buf b = XSM_BUF_INIT;
	int rc = xsm__fs_read(ctx, path, &b, 16 << 20);
	*out = NULL;
	if (rc == 0) {
		rc = xsm__yaml_parse(out, ctx, b.ptr, b.size, path);
	} else if (rc != XSM_ENOTFOUND && rc != XSM_ENOMEM) {
		/* an unreadable configuration file is a configuration error (out of memory is not) */
		char msg[sizeof(ctx->msg)];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(ctx));
		rc = xsm__error_set(ctx, XSM_ECONFIG, "%s", msg);
	}
	xsm_buf_dispose(&b);
	return rc;
}

const xsm__ynode *xsm__yaml_get(const xsm__ynode *map, const char *key)
{
	size_t i;
	if (!map || map->type != XSM_Y_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->type == XSM_Y_SCALAR && !strcmp(map->items[i]->scalar, key))
			return map->items[i + 1];
	return NULL;
}

const char *xsm__yaml_getstr(const xsm__ynode *map, const char *key)
{
	const xsm__ynode *n = xsm__yaml_get(map, key);
	return n && n->type == XSM_Y_SCALAR ? n->scalar : NULL;
}

int xsm__yaml_is_null(const xsm__ynode *n)
{
	return !n || (n->type == XSM_Y_SCALAR && !n->quoted &&
		      (!strcmp(n->scalar, "") || !strcmp(n->scalar, "~") || !strcmp(n->scalar, "null")));
}

int xsm__yaml_error(xsm_ctx *ctx, const char *file, const xsm__ynode *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return xsm__error_set(ctx, XSM_ECONFIG, "%s:%zu:%zu: %s", file, n ? n->line : 1,
			      n ? n->col : 1, msg);
}

static const char *kind_name(int type)
{
	return type == XSM_Y_SEQ ? "a list" : type == XSM_Y_MAP ? "a mapping" : "a value";
}

int xsm__yaml_check(xsm_ctx *ctx, const char *file, const xsm__ynode *n, const char *what, const char *spec)
{
	const char *p = spec;
	if (!n || n->type != XSM_Y_MAP)
		return xsm__yaml_error(ctx, file, n, "%s must be a mapping, not %s", what, n ? kind_name(n->type) : "empty");
	while (*p) {
		char key[64];
		const char *eq = strchr(p, '='), *end;
		const xsm__ynode *v;
		int want;
		size_t len;
		if (!eq)
			break;
		len = (size_t)(eq - p) < sizeof(key) - 1 ? (size_t)(eq - p) : sizeof(key) - 1;
		memcpy(key, p, len);
		key[len] = '\0';
		want = eq[1] == 'l' ? XSM_Y_SEQ : eq[1] == 'm' ? XSM_Y_MAP : XSM_Y_SCALAR;
		end = eq + 2;
		while (*end == ' ')
			end++;
		p = end;
		if (!(v = xsm__yaml_get(n, key)) || xsm__yaml_is_null(v) || v->type == want)
			continue;
		return xsm__yaml_error(ctx, file, v, "'%s' must be %s, not %s", key, kind_name(want), kind_name(v->type));
	}
	return 0;
}

int xsm__yaml_quote(xsm_buf *out, const char *s)
{
	int rc = xsm_buf_putc(out, '"');
	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			rc = xsm_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			rc = xsm_buf_puts(out, "\\n");
		else if (c < 0x20 || c == 0x7f)
			rc = xsm_buf_printf(out, "\\x%02x", c);
		else
			rc = xsm_buf_putc(out, (char)c);
	}
	if (rc == 0)
		rc = xsm_buf_putc(out, '"');
	return rc;
}
