/* util/buf.h - growing byte buffers: the public xsm_buf_* plus internals. */
#ifndef XSM__BUF_H
#define XSM__BUF_H

#include <stdarg.h>
#include "exposure/common.h"

int xsm_buf_vprintf(xsm_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* take the string out of the buffer (caller frees with xsm__free); NULL on OOM */
char *xsm_buf_detach(xsm_buf *b);

#endif
