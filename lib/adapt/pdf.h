/*
 * adapt/pdf.h - PDF documents: the only user of cairo.  Pages are A4 in
 * points (XSM_PDF_W x XSM_PDF_H, the origin at the top left).  Text is set
 * in DejaVu Sans (what fontconfig gives for it: any sans-serif), each font
 * embedded as a subset with its Unicode map, so the text can be searched
 * and extracted.  Text that is not UTF-8, or has control characters, is
 * mended to '?' first (cairo would refuse the whole document).  Drawing
 * calls keep the first error; xsm__pdf_finish reports it.
 */
#ifndef XSM__ADAPT_PDF_H
#define XSM__ADAPT_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

#define XSM_PDF_W 595.0
#define XSM_PDF_H 842.0

typedef struct xsm__pdf xsm__pdf;

/* a new document with its first page; XSM_ENOMEM or XSM_ERROR (cairo) */
int xsm__pdf_new(xsm__pdf **out, xsm_ctx *ctx);
/* the document's title, subject and creator, and its creation time (seconds since the epoch) */
void xsm__pdf_meta(xsm__pdf *p, const char *title, const char *subject, const char *creator, int64_t created);
/* a bookmark to the current page */
void xsm__pdf_outline(xsm__pdf *p, const char *title);
/* end the page and start the next; the pages so far */
void xsm__pdf_next_page(xsm__pdf *p);
int xsm__pdf_page(const xsm__pdf *p);

/* the font for what follows: its size in points, bold or not, monospaced or not */
void xsm__pdf_font(xsm__pdf *p, double size, int bold, int mono);
/* the colour for what follows, 0xRRGGBB */
void xsm__pdf_rgb(xsm__pdf *p, unsigned rgb);
/* the width of s in the current font */
double xsm__pdf_width(xsm__pdf *p, const char *s);
/* s with its baseline at y */
void xsm__pdf_text(xsm__pdf *p, double x, double y, const char *s);
void xsm__pdf_line(xsm__pdf *p, double x0, double y0, double x1, double y1, double width, int dashed);
void xsm__pdf_rect(xsm__pdf *p, double x, double y, double w, double h, int fill);
/* a line through n points (xy: x0, y0, x1, y1, ...) */
void xsm__pdf_polyline(xsm__pdf *p, const double *xy, size_t n, double width);
void xsm__pdf_dot(xsm__pdf *p, double x, double y, double r);

/* end the document: out gets its bytes (replacing what it held); 0, XSM_ENOMEM or XSM_ERROR */
int xsm__pdf_finish(xsm__pdf *p, xsm_buf *out);
void xsm__pdf_free(xsm__pdf *p); /* takes NULL */

#endif
