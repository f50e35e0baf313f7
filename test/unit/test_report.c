/* test_report.c - the report's parts: HTML escaping, the map's layered layout, the PDF adapter */
#include <string.h>

#include "adapt/pdf.h"
#include "report/html.h"
#include "report/map.h"
#include "tap.h"

/* s as xsm__html_textn writes it (max characters, -1: all) */
static const char *esc(xsm_buf *b, const char *s, size_t max)
{
	xsm__html h = { b, 0 };
	xsm_buf_clear(b);
	xsm__html_textn(&h, s, max);
	return b->ptr ? b->ptr : "";
}

static void test_escape(void)
{
	xsm_buf b = XSM_BUF_INIT;
	xsm__html h = { &b, 0 };
	is_str(esc(&b, "<script>alert(1)</script>", (size_t)-1), "&lt;script&gt;alert(1)&lt;/script&gt;", "markup is text");
	is_str(esc(&b, "\"&'", (size_t)-1), "&quot;&amp;&#39;", "quotes and ampersands: safe in attributes too");
	is_str(esc(&b, "a\x01" "b\x7f", (size_t)-1), "a\xef\xbf\xbd" "b\xef\xbf\xbd", "control characters become U+FFFD");
	is_str(esc(&b, "x\xff\xc3", (size_t)-1), "x\xef\xbf\xbd\xef\xbf\xbd", "bytes that are not UTF-8 too");
	is_str(esc(&b, "tab\there\n", (size_t)-1), "tab\there\n", "tabs and newlines stay");
	is_str(esc(&b, "caf\xc3\xa9s & more", 4), "caf\xc3\xa9\xe2\x80\xa6", "cut after 4 characters, never inside one");
	is_str(esc(&b, "abcd", 4), "abcd", "no ellipsis when nothing is cut");
	is_str(esc(&b, "<<<<", 2), "&lt;&lt;\xe2\x80\xa6", "an escape counts as one character");
	xsm_buf_clear(&b);
	xsm__html_count(&h, 0);
	xsm__html_puts(&h, " ");
	xsm__html_count(&h, 999);
	xsm__html_puts(&h, " ");
	xsm__html_count(&h, 1078);
	xsm__html_puts(&h, " ");
	xsm__html_counted(&h, 1234567, "path", "paths");
	xsm__html_puts(&h, " ");
	xsm__html_counted(&h, 1, "group", "groups");
	is_str(b.ptr, "0 999 1,078 1,234,567 paths 1 group", "counts with thousands separators and their nouns");
	ok(h.err == 0, "no error");
	xsm_buf_dispose(&b);
}

/*
 * Two entries and two targets, crossed: e1 -> t2, e2 -> t1 in the order the
 * nodes came.  The layout orders the targets by their entries.
 */
static void test_layout(void)
{
	xsm__lgraph g;
	xsm_buf b = XSM_BUF_INIT;
	xsm__html h = { &b, 0 };
	long e1, e2, t1, t2;

	memset(&g, 0, sizeof(g));
	e1 = xsm__lgraph_node(&g, "e1", "entry one", NULL);
	e2 = xsm__lgraph_node(&g, "e2", "entry two", NULL);
	t1 = xsm__lgraph_node(&g, "t1", "target one", NULL);
	t2 = xsm__lgraph_node(&g, "t2", "target two", NULL);
	ok(xsm__lgraph_node(&g, "e1", "again", NULL) == e1, "a node is found again by its id");
	g.nodes.v[e1].col = g.nodes.v[e2].col = 0;
	g.nodes.v[t1].col = g.nodes.v[t2].col = 1;
	g.ncols = 2;
	g.box_w = 100;
	g.name_max = 9;
	ok(xsm__lgraph_owner(&g, "path risk-high", "data-path-id", "ap-1", "one", 1) == 0 &&
		   xsm__lgraph_owner(&g, "path risk-low", "data-path-id", "ap-2", "two", 1) == 0,
	   "owners");
	ok(xsm__lgraph_edge(&g, (uint32_t)e1, (uint32_t)t2, 0, "x", 1) == 0 &&
		   xsm__lgraph_edge(&g, (uint32_t)e2, (uint32_t)t1, 1, "y", 1) == 0,
	   "edges");
	ok(xsm__lgraph_layout(&g) == 0, "layout");
	ok(g.nodes.v[e1].y < g.nodes.v[e2].y, "entries keep their order");
	ok(g.nodes.v[t2].y < g.nodes.v[t1].y, "targets follow their entries: no crossing");
	xsm__lgraph_svg(&h, &g);
	ok(strstr(b.ptr, "<g class=\"path risk-high\" data-path-id=\"ap-1\">") != NULL, "each owner is a group with its id");
	ok(strstr(b.ptr, "data-node-id=\"t2\"") != NULL, "each node has its id");
	ok(strstr(b.ptr, ">entry one</text>") != NULL, "names are written");
	ok(strstr(b.ptr, ">target one</text>") == NULL && strstr(b.ptr, ">target on\xe2\x80\xa6</text>") != NULL,
	   "and cut at name_max characters");
	xsm_buf_dispose(&b);
	xsm__lgraph_free(&g);
}

static void test_pdf(void)
{
	xsm_ctx *ctx;
	xsm__pdf *p;
	xsm_buf out = XSM_BUF_INIT;

	xsm_ctx_new(&ctx);
	ok_xsm(xsm__pdf_new(&p, ctx), ctx, "a document");
	xsm__pdf_meta(p, "t\xff", "s", "c", 0);
	xsm__pdf_font(p, 12, 1, 0);
	ok(xsm__pdf_width(p, "hello") > 10, "text has a width");
	ok(xsm__pdf_width(p, "hello hello") > xsm__pdf_width(p, "hello"), "longer text is wider");
	xsm__pdf_text(p, 50, 50, "bad \xff\xfe bytes \x01 and \xc3\xa9");
	xsm__pdf_line(p, 0, 0, 10, 10, 1, 1);
	xsm__pdf_rect(p, 0, 0, 10, 10, 1);
	xsm__pdf_dot(p, 5, 5, 2);
	xsm__pdf_outline(p, "first");
	xsm__pdf_next_page(p);
	is_int(xsm__pdf_page(p), 2, "pages are counted");
	ok_xsm(xsm__pdf_finish(p, &out), ctx, "text that is not UTF-8 does not spoil the document");
	ok(out.size > 1000 && !memcmp(out.ptr, "%PDF-", 5), "a PDF");
	xsm__pdf_free(p);
	xsm__pdf_free(NULL);
	xsm_buf_dispose(&out);
	xsm_ctx_free(ctx);
}

int main(void)
{
	test_escape();
	test_layout();
	test_pdf();
	return done_testing();
}
