/*
 * util/lines.h - read a file descriptor line by line in constant memory,
 * with a cap on line length: a longer line is reported as soon as it
 * passes the cap, then skipped up to its newline, and input that has no
 * newline at all ends the read.
 */
#ifndef XSM__LINES_H
#define XSM__LINES_H

#include <stddef.h>

typedef struct xsm__lines {
	int fd;
	char *buf;
	size_t cap, start, end;  /* valid bytes are buf[start..end) */
	size_t max_line;
	size_t max_skip;         /* bytes of an over-long line skipped before giving up (endless) */
	size_t lineno;
	int eof, err;            /* err: errno of a failed read */
	int skipping;            /* inside an over-long line already reported */
	size_t skipped;          /* its bytes so far */
	int endless;             /* no newline within max_skip: the input is not lines (/dev/zero) */
} xsm__lines;

/* 0 or XSM_ENOMEM; max_skip is 4 * max_line, at least 64 MiB */
int xsm__lines_init(xsm__lines *r, int fd, size_t max_line);
/*
 * Next line without its newline (and without a trailing \r).
 * Returns 1 with line and len set, 0 at end of input, XSM_EIO on a read
 * error, and XSM_EINVALID for a line longer than max_line, at once (the
 * next call skips the rest of it).  When the skip runs past max_skip
 * without a newline, XSM_EINVALID with r->endless set: stop reading.
 * r->lineno is the line's number.
 */
int xsm__lines_next(xsm__lines *r, const char **line, size_t *len);
void xsm__lines_free(xsm__lines *r);

#endif
