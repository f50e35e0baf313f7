#include "util/buf.h"

#include <stdio.h>
#include <string.h>

#include "exposure/errors.h"
#include "util/alloc.h"

void xsm_buf_dispose(xsm_buf *b)
{
	if (!b)
		return;
	xsm__free(b->ptr);
	b->ptr = NULL;
	b->size = b->asize = 0;
}

int xsm_buf_grow(xsm_buf *b, size_t extra)
{
	size_t need, n;
	char *p;

	if (xsm__add_size(&need, b->size, extra) < 0 || xsm__add_size(&need, need, 1) < 0)
		return XSM_ENOMEM;
	if (need <= b->asize)
		return 0;
	n = b->asize ? b->asize : 64;
	while (n < need) {
		if (xsm__mul_size(&n, n, 2) < 0)
			return XSM_ENOMEM;
	}
	if (!(p = xsm__realloc(b->ptr, n)))
		return XSM_ENOMEM;
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->asize = n;
	return 0;
}

int xsm_buf_put(xsm_buf *b, const void *data, size_t len)
{
	if (xsm_buf_grow(b, len) < 0)
		return XSM_ENOMEM;
	if (len)
		memcpy(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
	return 0;
}

int xsm_buf_puts(xsm_buf *b, const char *s)
{
	return xsm_buf_put(b, s, strlen(s));
}

int xsm_buf_putc(xsm_buf *b, char c)
{
	return xsm_buf_put(b, &c, 1);
}

int xsm_buf_vprintf(xsm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return XSM_ERROR;
	if (xsm_buf_grow(b, (size_t)n) < 0)
		return XSM_ENOMEM;
	vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
	b->size += (size_t)n;
	return 0;
}

int xsm_buf_printf(xsm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = xsm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int xsm_buf_set(xsm_buf *b, const char *s)
{
	xsm_buf_clear(b);
	return xsm_buf_puts(b, s);
}

void xsm_buf_clear(xsm_buf *b)
{
	b->size = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *xsm_buf_detach(xsm_buf *b)
{
	char *p;
	if (!b->ptr && xsm_buf_grow(b, 0) < 0)
		return NULL;
	p = b->ptr;
	b->ptr = NULL;
	b->size = b->asize = 0;
	return p;
}
