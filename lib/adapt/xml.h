/*
 * adapt/xml.h - streaming XML reading (pull events).  The only user of
 * libxml2.  No DTD is loaded and nothing is fetched from the network;
 * entities stay unexpanded, so a document cannot grow itself.  Memory is
 * bounded by the largest single text node, not by the document.
 */
#ifndef XSM__ADAPT_XML_H
#define XSM__ADAPT_XML_H

#include <stddef.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

typedef struct xsm__xml xsm__xml;

enum { XSM_XML_START = 1, XSM_XML_END, XSM_XML_TEXT };

/*
 * Read from fd (not closed) or from memory; what names the input in
 * errors.  A UTF-8 document's bytes that are not UTF-8, and control
 * characters XML does not allow, are read as U+FFFD rather than ending
 * the document (xsm__xml_take_mended counts them).
 */
int xsm__xml_open_fd(xsm__xml **out, xsm_ctx *ctx, int fd, const char *what);
int xsm__xml_open_mem(xsm__xml **out, xsm_ctx *ctx, const char *buf, size_t len, const char *what);
void xsm__xml_free(xsm__xml *x);
/* bytes this thread's documents had mended to U+FFFD since the last call (a connector's warning) */
size_t xsm__xml_take_mended(void);

/*
 * The next event: XSM_XML_START / XSM_XML_END of an element (an empty
 * element gives both), XSM_XML_TEXT for text and CDATA inside one.  0 at
 * the end of the document; XSM_EPROTO ("what:line: reason") when it is not
 * well-formed.  Comments and processing instructions are skipped.
 */
int xsm__xml_next(xsm__xml *x);
/* element name (START, END) */
const char *xsm__xml_name(const xsm__xml *x);
/* text of a TEXT event */
const char *xsm__xml_text(const xsm__xml *x);
/* depth of the element (root = 0) */
int xsm__xml_depth(const xsm__xml *x);
/* attribute of the element at a START event, or NULL; valid until the next call */
const char *xsm__xml_attr(xsm__xml *x, const char *name);

#endif
