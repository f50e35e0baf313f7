/* adapt/pdf.c - PDF documents through cairo's PDF surface: the only user of cairo. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <string.h>

#include "adapt/pdf.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

struct xsm__pdf {
	xsm_ctx *ctx;
	cairo_surface_t *surface;
	cairo_t *cr;
	xsm_buf bytes;   /* the document as cairo writes it */
	xsm_buf clean;   /* scratch: text mended to UTF-8 */
	int oom;         /* the write callback ran out of memory */
	int pages;
};

/*
 * Out of memory, the bytes are dropped and the document reported as
 * failed when it ends: cairo 1.16 crashes finishing a surface whose
 * stream returned a write error.
 */
static cairo_status_t put(void *arg, const unsigned char *data, unsigned int len)
{
	xsm__pdf *p = arg;
	if (!p->oom && xsm_buf_put(&p->bytes, data, len) < 0)
		p->oom = 1;
	return CAIRO_STATUS_SUCCESS;
}

int xsm__pdf_new(xsm__pdf **out, xsm_ctx *ctx)
{
	xsm__pdf *p = xsm__calloc(1, sizeof(*p));
	*out = NULL;
	if (!p)
		return xsm__error_oom(ctx);
	p->ctx = ctx;
	p->pages = 1;
	p->surface = cairo_pdf_surface_create_for_stream(put, p, XSM_PDF_W, XSM_PDF_H);
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
		int rc = xsm__error_set(ctx, XSM_ERROR, "cannot start a PDF: %s", cairo_status_to_string(cairo_status(p->cr)));
		xsm__pdf_free(p);
		return rc;
	}
	/* text is glyphs with their Unicode: smooth outlines, no hinting that would differ by machine */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(p->cr, fo);
	cairo_font_options_destroy(fo);
	xsm__pdf_font(p, 10, 0, 0);
	*out = p;
	return 0;
}

/* s as UTF-8 cairo takes: a stray byte or a control character becomes '?' */
static const char *mend(xsm__pdf *p, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u);
	xsm_buf_clear(&p->clean);
	while (n) {
		size_t l = xsm__utf8_len(u, n);
		if (!l || *u < 0x20 || *u == 0x7f) {
			if (xsm_buf_putc(&p->clean, '?') < 0)
				return "";
			l = l ? l : 1;
		} else if (xsm_buf_put(&p->clean, u, l) < 0) {
			return "";
		}
		u += l;
		n -= l;
	}
	return p->clean.ptr ? p->clean.ptr : "";
}

/* cairo takes the dates in ISO 8601 and writes them as PDF dates */
void xsm__pdf_meta(xsm__pdf *p, const char *title, const char *subject, const char *creator, int64_t created)
{
	char iso[21];
	xsm_time_format(iso, created);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, mend(p, title));
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_SUBJECT, mend(p, subject));
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, mend(p, creator));
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, iso);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_MOD_DATE, iso);
}

void xsm__pdf_outline(xsm__pdf *p, const char *title)
{
	char dest[32];
	snprintf(dest, sizeof(dest), "page=%d", p->pages);
	cairo_pdf_surface_add_outline(p->surface, CAIRO_PDF_OUTLINE_ROOT, mend(p, title), dest, 0);
}

void xsm__pdf_next_page(xsm__pdf *p)
{
	cairo_show_page(p->cr);
	p->pages++;
}

int xsm__pdf_page(const xsm__pdf *p)
{
	return p->pages;
}

void xsm__pdf_font(xsm__pdf *p, double size, int bold, int mono)
{
	cairo_select_font_face(p->cr, mono ? "DejaVu Sans Mono" : "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size);
}

void xsm__pdf_rgb(xsm__pdf *p, unsigned rgb)
{
	cairo_set_source_rgb(p->cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0);
}

double xsm__pdf_width(xsm__pdf *p, const char *s)
{
	cairo_text_extents_t e;
	cairo_text_extents(p->cr, mend(p, s), &e);
	return e.x_advance;
}

void xsm__pdf_text(xsm__pdf *p, double x, double y, const char *s)
{
	cairo_move_to(p->cr, x, y);
	cairo_show_text(p->cr, mend(p, s));
}

static void stroke(xsm__pdf *p, double width, int dashed)
{
	static const double dash[] = { 3, 2 };
	cairo_set_line_width(p->cr, width);
	cairo_set_dash(p->cr, dash, dashed ? 2 : 0, 0);
	cairo_stroke(p->cr);
	cairo_set_dash(p->cr, dash, 0, 0);
}

void xsm__pdf_line(xsm__pdf *p, double x0, double y0, double x1, double y1, double width, int dashed)
{
	cairo_move_to(p->cr, x0, y0);
	cairo_line_to(p->cr, x1, y1);
	stroke(p, width, dashed);
}

void xsm__pdf_rect(xsm__pdf *p, double x, double y, double w, double h, int fill)
{
	cairo_rectangle(p->cr, x, y, w, h);
	if (fill)
		cairo_fill(p->cr);
	else
		stroke(p, 0.6, 0);
}

void xsm__pdf_polyline(xsm__pdf *p, const double *xy, size_t n, double width)
{
	if (n < 2)
		return;
	cairo_move_to(p->cr, xy[0], xy[1]);
	for (size_t i = 1; i < n; i++)
		cairo_line_to(p->cr, xy[2 * i], xy[2 * i + 1]);
	cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
	stroke(p, width, 0);
}

void xsm__pdf_dot(xsm__pdf *p, double x, double y, double r)
{
	cairo_new_sub_path(p->cr);
	cairo_arc(p->cr, x, y, r, 0, 6.283185307179586);
	cairo_fill(p->cr);
}

int xsm__pdf_finish(xsm__pdf *p, xsm_buf *out)
{
	cairo_status_t st = cairo_status(p->cr);
	cairo_destroy(p->cr);
	p->cr = NULL;
	cairo_surface_finish(p->surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(p->surface);
	if (p->oom || st == CAIRO_STATUS_NO_MEMORY)
		return xsm__error_oom(p->ctx);
	if (st != CAIRO_STATUS_SUCCESS)
		return xsm__error_set(p->ctx, XSM_ERROR, "cannot make the PDF: %s", cairo_status_to_string(st));
	xsm_buf_dispose(out);
	*out = p->bytes;
	memset(&p->bytes, 0, sizeof(p->bytes));
	return 0;
}

void xsm__pdf_free(xsm__pdf *p)
{
	if (!p)
		return;
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface)
		cairo_surface_destroy(p->surface);
	xsm_buf_dispose(&p->bytes);
	xsm_buf_dispose(&p->clean);
	xsm__free(p);
}
