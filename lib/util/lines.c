#include "util/lines.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "exposure/errors.h"
#include "util/alloc.h"

int xsm__lines_init(xsm__lines *r, int fd, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max_line = max_line;
	r->max_skip = max_line < (16u << 20) ? (64u << 20) : 4 * max_line;
	r->cap = 1 << 20;
	if (r->cap < max_line + 2)
		r->cap = max_line + 2 < (64u << 20) ? max_line + 2 : (64u << 20);
	r->buf = xsm__malloc(r->cap);
	return r->buf ? 0 : XSM_ENOMEM;
}

static int fill(xsm__lines *r)
{
	ssize_t n;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap)
		return 0; /* full: caller handles an over-long line */
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->err = errno;
		return XSM_EIO;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return (int)n;
}

int xsm__lines_next(xsm__lines *r, const char **line, size_t *len)
{
	size_t scanned = 0;

	if (r->endless)
		return XSM_EINVALID;
	for (;;) {
		char *nl;
		if (r->skipping) {
			/* the rest of an over-long line, reported already: to its newline, within max_skip */
			if ((nl = memchr(r->buf + r->start, '\n', r->end - r->start)) != NULL) {
				r->start = (size_t)(nl - r->buf) + 1;
				r->skipping = 0;
				continue;
			}
			r->skipped += r->end - r->start;
			r->start = r->end;
			if (r->skipped > r->max_skip) {
				r->endless = 1;
				return XSM_EINVALID;
			}
			if (r->eof)
				return 0;
			if (fill(r) < 0)
				return XSM_EIO;
			continue;
		}
		nl = memchr(r->buf + r->start + scanned, '\n', r->end - r->start - scanned);
		if (nl) {
			size_t l = (size_t)(nl - (r->buf + r->start));
			const char *p = r->buf + r->start;
			r->start += l + 1;
			r->lineno++;
			if (l > r->max_line)
				return XSM_EINVALID;
			if (l && p[l - 1] == '\r')
				l--;
			*line = p;
			*len = l;
			return 1;
		}
		scanned = r->end - r->start;
		if (scanned > r->max_line || scanned == r->cap) {
			/* too long (or longer than the buffer): say so now, whether or not the line ever ends */
			r->lineno++;
			r->skipping = 1;
			r->skipped = scanned;
			r->start = r->end;
			return XSM_EINVALID;
		}
		if (r->eof) {
			if (r->end > r->start) {
				size_t l = r->end - r->start;
				const char *p = r->buf + r->start;
				r->start = r->end;
				r->lineno++;
				if (l && p[l - 1] == '\r')
					l--;
				*line = p;
				*len = l;
				return 1;
			}
			return 0;
		}
		if (fill(r) < 0) /* room is left: the buffer is larger than max_line */
			return XSM_EIO;
	}
}

void xsm__lines_free(xsm__lines *r)
{
	xsm__free(r->buf);
	r->buf = NULL;
}
