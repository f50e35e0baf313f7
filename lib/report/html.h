/*
 * report/html.h - writing HTML text: a buffer with a sticky error, and
 * escaping.  Every string that came from data (node names, rule names,
 * messages: hostile sources) goes through xsm__html_text, which escapes
 * & < > " ' and replaces control characters and bytes that are not UTF-8,
 * so it is safe in text and in quoted attribute values alike.
 */
#ifndef XSM__REPORT_HTML_H
#define XSM__REPORT_HTML_H

#include <stddef.h>

#include "exposure/common.h"

typedef struct xsm__html {
	xsm_buf *b;
	int err; /* sticky: XSM_ENOMEM after the first failed append */
} xsm__html;

/* markup, as it is */
void xsm__html_puts(xsm__html *h, const char *s);
void xsm__html_printf(xsm__html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* text, escaped; NULL writes nothing */
void xsm__html_text(xsm__html *h, const char *s);
/* the same, cut after max characters with an ellipsis */
void xsm__html_textn(xsm__html *h, const char *s, size_t max);
/* a count with thousands separators: 1,000 */
void xsm__html_count(xsm__html *h, size_t n);
/* a count and its noun: "1 path", "1,000 paths" */
void xsm__html_counted(xsm__html *h, size_t n, const char *one, const char *many);

#endif
