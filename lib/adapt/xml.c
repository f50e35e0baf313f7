/* adapt/xml.c - streaming XML pull events over libxml2's xmlTextReader. */
#include <libxml/xmlreader.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "adapt/xml.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/utf8.h"

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
	struct mend *mend;    /* reading from a file descriptor, mended */
	unsigned char *copy;  /* reading from memory: the mended copy, when it needed one */
};

/*
 * libxml2 stops a whole document at the first byte that is not UTF-8 or
 * at a control character XML does not allow, and a vendor's export is
 * sometimes that.  Such bytes become U+FFFD on the way in (counted for the
 * connector's warning), when the document is UTF-8: one that declares
 * another encoding is left to libxml2.
 */
static _Thread_local size_t xml_mended;

size_t xsm__xml_take_mended(void)
{
	size_t n = xml_mended;
	xml_mended = 0;
	return n;
}

/* the document's first bytes declare an encoding other than UTF-8 (or are UTF-16) */
static int other_encoding(const unsigned char *p, size_t n)
{
	const char *q, *e;
	char decl[256];
	if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
		return 1;
	if (n < 5 || memcmp(p, "<?xml", 5))
		return 0;
	n = n < sizeof(decl) - 1 ? n : sizeof(decl) - 1;
	memcpy(decl, p, n);
	decl[n] = '\0';
	if ((e = strstr(decl, "?>")) != NULL)
		decl[e - decl] = '\0';
	if (!(q = strstr(decl, "encoding")) || !(q = strpbrk(q, "\"'")))
		return 0;
	return strncasecmp(q + 1, "utf-8", 5) != 0 && strncasecmp(q + 1, "utf8", 4) != 0;
}

/*
 * Mend in[0..n) into out (room for 3 bytes per input byte): returns the
 * bytes written; *used is what was consumed, short of an unfinished
 * sequence at the end unless final.
 */
static size_t mend_bytes(const unsigned char *in, size_t n, unsigned char *out, size_t *used, int final)
{
	size_t i = 0, o = 0;
	while (i < n) {
		unsigned char c = in[i];
		size_t k = xsm__utf8_len(in + i, n - i);
		if (c < 0x80 && (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')) {
			out[o++] = c;
			i++;
			continue;
		}
		if (k > 1 && !(k == 3 && c == 0xEF && in[i + 1] == 0xBF && in[i + 2] >= 0xBE)) { /* not U+FFFE, U+FFFF */
			memcpy(out + o, in + i, k);
			o += k;
			i += k;
			continue;
		}
		if (!k && !final && c >= 0xC2 && c <= 0xF4 && n - i < 4) {
			size_t j = i + 1;
			while (j < n && (in[j] & 0xC0) == 0x80)
				j++;
			if (j == n)
				break; /* perhaps the start of a sequence the next read completes */
		}
		memcpy(out + o, "\xEF\xBF\xBD", 3);
		o += 3;
		i++;
		xml_mended++;
	}
	*used = i;
	return o;
}

struct mend {
	int fd, on, decided, eof;
	unsigned char in[16384], out[3 * 16384]; /* read, and mended: at most 3 bytes for one */
	size_t n, olen, opos;
};

static int mend_read(void *payload, char *buf, int len)
{
	struct mend *m = payload;
	size_t used, k;
	while (m->opos == m->olen) {
		ssize_t r = 0;
		if (m->eof && !m->n)
			return 0;
		if (!m->eof) {
			do
				r = read(m->fd, m->in + m->n, sizeof(m->in) - m->n);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return -1;
			m->eof = r == 0;
			m->n += (size_t)r;
		}
		if (!m->decided && (m->n >= 256 || m->eof)) {
			m->decided = 1;
			m->on = !other_encoding(m->in, m->n);
		}
		if (!m->decided)
			continue;
		if (m->on) {
			m->olen = mend_bytes(m->in, m->n, m->out, &used, m->eof);
		} else {
			memcpy(m->out, m->in, m->n);
			m->olen = used = m->n;
		}
		memmove(m->in, m->in + used, m->n - used);
		m->n -= used;
		m->opos = 0;
	}
	k = m->olen - m->opos < (size_t)len ? m->olen - m->opos : (size_t)len;
	memcpy(buf, m->out + m->opos, k);
	m->opos += k;
	return (int)k;
}

static int mend_close(void *payload)
{
	(void)payload;
	return 0; /* the caller owns the descriptor */
}

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
	if (!(x->mend = xsm__calloc(1, sizeof(*x->mend)))) {
		xsm__free(x);
		return xsm__error_oom(ctx);
	}
	x->mend->fd = fd;
	x->r = xmlReaderForIO(mend_read, mend_close, x->mend, NULL, NULL, XML_OPTS);
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
	if (!other_encoding((const unsigned char *)buf, len)) {
		size_t used, i;
		for (i = 0; i < len && xsm__utf8_len((const unsigned char *)buf + i, len - i) &&
			    ((unsigned char)buf[i] >= 0x20 || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r');
		     i += xsm__utf8_len((const unsigned char *)buf + i, len - i))
			;
		if (i < len) {
			/* something to mend: a copy (the reader keeps pointing into it) */
			if (len > INT_MAX / 3 || !(x->copy = xsm__malloc(3 * len + 1))) {
				xsm__free(x);
				return len > INT_MAX / 3 ? xsm__error_set(ctx, XSM_EPROTO, "%s: document too large", what)
							 : xsm__error_oom(ctx);
			}
			len = mend_bytes((const unsigned char *)buf, len, x->copy, &used, 1);
			buf = (const char *)x->copy;
		}
	}
	x->r = xmlReaderForMemory(buf, (int)len, NULL, NULL, XML_OPTS);
	return finish_open(out, x, ctx, what);
}

void xsm__xml_free(xsm__xml *x)
{
	if (!x)
		return;
	if (x->r)
		xmlFreeTextReader(x->r);
	xsm__free(x->mend);
	xsm__free(x->copy);
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
