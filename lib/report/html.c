/* html.c - HTML text with a sticky error; escaping of everything that came from data. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exposure/errors.h"
#include "report/html.h"
#include "util/buf.h"
#include "util/utf8.h"

void xsm__html_puts(xsm__html *h, const char *s)
{
	if (!h->err && xsm_buf_puts(h->b, s) < 0)
		h->err = XSM_ENOMEM;
}

void xsm__html_printf(xsm__html *h, const char *fmt, ...)
{
	va_list ap;
	if (h->err)
		return;
	va_start(ap, fmt);
	if (xsm_buf_vprintf(h->b, fmt, ap) < 0)
		h->err = XSM_ENOMEM;
	va_end(ap);
}

static void put(xsm__html *h, const char *p, size_t n)
{
	if (!h->err && xsm_buf_put(h->b, p, n) < 0)
		h->err = XSM_ENOMEM;
}

/* the escape of byte c, or NULL when it stands as it is */
static const char *escape(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t': case '\n': return NULL;
	}
	return c < 0x20 || c == 0x7f ? "\xef\xbf\xbd" : NULL; /* a control character: U+FFFD */
}

void xsm__html_textn(xsm__html *h, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, chars = 0;

	while (n && !h->err) {
		size_t l = xsm__utf8_len(p, n);
		const char *e = escape(*p);
		if (chars++ == max) {
			xsm__html_puts(h, "\xe2\x80\xa6"); /* … */
			return;
		}
		if (e)
			xsm__html_puts(h, e);
		else if (l)
			put(h, (const char *)p, l);
		else
			xsm__html_puts(h, "\xef\xbf\xbd"); /* not UTF-8 */
		l = l ? l : 1;
		p += l;
		n -= l;
	}
}

void xsm__html_text(xsm__html *h, const char *s)
{
	xsm__html_textn(h, s, (size_t)-1);
}

void xsm__html_count(xsm__html *h, size_t n)
{
	char d[32], out[48];
	int len = snprintf(d, sizeof(d), "%zu", n), o = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = d[i];
	}
	out[o] = '\0';
	xsm__html_puts(h, out);
}

void xsm__html_counted(xsm__html *h, size_t n, const char *one, const char *many)
{
	xsm__html_count(h, n);
	xsm__html_printf(h, " %s", n == 1 ? one : many);
}
