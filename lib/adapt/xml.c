/* adapt/xml.c - streaming XML pull events over libxml2's xmlTextReader. */
#include <libxml/xmlreader.h>
#include <string.h>

#include "adapt/xml.h"
#include "ctx.h"
#include "util/alloc.h"

struct xsm__xml {
	xsm_ctx *ctx;
	xmlTextReaderPtr r;
	char *what;
	char err[300];
	int err_line;
	int pending_end;      /* an empty element's END is owed */
	int depth;
	const char *name, *text;
	xmlChar *attr;
};

/* no DTD loading, no network, no entity expansion; CDATA arrives as text */
#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT)

static void on_error(void *payload, xmlErrorPtr e)
{
	xsm__xml *x = payload;
	size_t n;
	if (x->err[0] || !e)
		return;
	snprintf(x->err, sizeof(x->err), "%s", e->message ? e->message : "malformed xml");
	n = strlen(x->err);
	while (n && (x->err[n - 1] == '\n' || x->err[n - 1] == ' '))
		x->err[--n] = '\0';
	x->err_line = e->line;
}

static int finish_open(xsm__xml **out, xsm__xml *x, xsm_ctx *ctx, const char *what)
{
	if (!x->r || !(x->what = xsm__strdup(what))) {
		xsm__xml_free(x);
		return xsm__error_oom(ctx);
	}
	xmlTextReaderSetStructuredErrorHandler(x->r, on_error, x);
	*out = x;
	return 0;
}

int xsm__xml_open_fd(xsm__xml **out, xsm_ctx *ctx, int fd, const char *what)
{
	xsm__xml *x;
	*out = NULL;
	if (!(x = xsm__calloc(1, sizeof(*x))))
		return xsm__error_oom(ctx);
	x->ctx = ctx;
	x->r = xmlReaderForFd(fd, NULL, NULL, XML_OPTS);
	return finish_open(out, x, ctx, what);
}

int xsm__xml_open_mem(xsm__xml **out, xsm_ctx *ctx, const char *buf, size_t len, const char *what)
{
	xsm__xml *x;
	*out = NULL;
	if (len > INT_MAX)
		return xsm__error_set(ctx, XSM_EPROTO, "%s: document too large", what);
	if (!(x = xsm__calloc(1, sizeof(*x))))
		return xsm__error_oom(ctx);
	x->ctx = ctx;
	x->r = xmlReaderForMemory(buf, (int)len, NULL, NULL, XML_OPTS);
	return finish_open(out, x, ctx, what);
}

void xsm__xml_free(xsm__xml *x)
{
	if (!x)
		return;
	if (x->r)
		xmlFreeTextReader(x->r);
	xmlFree(x->attr);
	xsm__free(x->what);
	xsm__free(x);
}

static int fail(xsm__xml *x)
{
	if (x->err[0])
		return xsm__error_set(x->ctx, XSM_EPROTO, "%s:%d: %s", x->what, x->err_line, x->err);
	return xsm__error_set(x->ctx, XSM_EPROTO, "%s: malformed xml", x->what);
}

int xsm__xml_next(xsm__xml *x)
{
	int rc, type;

	xmlFree(x->attr);
	x->attr = NULL;
	if (x->pending_end) {
		x->pending_end = 0;
		return XSM_XML_END;
	}
	for (;;) {
		if ((rc = xmlTextReaderRead(x->r)) == 0)
			return x->err[0] ? fail(x) : 0;
		if (rc < 0)
			return fail(x);
		type = xmlTextReaderNodeType(x->r);
		x->depth = xmlTextReaderDepth(x->r);
		switch (type) {
		case XML_READER_TYPE_ELEMENT:
			x->name = (const char *)xmlTextReaderConstName(x->r);
			x->pending_end = xmlTextReaderIsEmptyElement(x->r) == 1;
			return XSM_XML_START;
		case XML_READER_TYPE_END_ELEMENT:
			x->name = (const char *)xmlTextReaderConstName(x->r);
			return XSM_XML_END;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			x->text = (const char *)xmlTextReaderConstValue(x->r);
			if (!x->text)
				continue;
			x->depth--; /* the text belongs to its element */
			return XSM_XML_TEXT;
		default:
			continue; /* comments, DOCTYPE, processing instructions */
		}
	}
}

const char *xsm__xml_name(const xsm__xml *x)
{
	return x->name ? x->name : "";
}

const char *xsm__xml_text(const xsm__xml *x)
{
	return x->text ? x->text : "";
}

int xsm__xml_depth(const xsm__xml *x)
{
	return x->depth;
}

const char *xsm__xml_attr(xsm__xml *x, const char *name)
{
	xmlFree(x->attr);
	x->attr = xmlTextReaderGetAttribute(x->r, (const xmlChar *)name);
	return (const char *)x->attr;
}
