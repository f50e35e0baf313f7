/*
 * util/lines.h - read a file descriptor line by line in constant memory,
 * with a cap on line length (a longer line is reported, then skipped).
 */
#ifndef XSM__LINES_H
#define XSM__LINES_H

#include <stddef.h>

typedef struct xsm__lines {
	int fd;
	char *buf;
	size_t cap, start, end;  /* valid bytes are buf[start..end) */
	size_t max_line;
	size_t lineno;
	int eof, err;            /* err: errno of a failed read */
} xsm__lines;

/* 0 or XSM_ENOMEM */
int xsm__lines_init(xsm__lines *r, int fd, size_t max_line);
/*
 * Next line without its newline (and without a trailing \r).
 * Returns 1 with line and len set, 0 at end of input, XSM_EIO on a read error,
 * and XSM_EINVALID for a line longer than max_line (which is skipped; the
 * next call continues after it).  r->lineno is the line's number.
 */
int xsm__lines_next(xsm__lines *r, const char **line, size_t *len);
void xsm__lines_free(xsm__lines *r);

#endif
