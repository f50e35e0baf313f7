/* store.h - library-internal store helpers. */
#ifndef XSM__STORE_H
#define XSM__STORE_H

#include "exposure/store.h"
#include "util/fs.h"

struct xsm_store {
	xsm_ctx *ctx;
	char *dir;
	int lock_fd;
	int sync;
};

/* STORE/relpath into out (replaces content) */
int xsm__store_abspath(xsm_buf *out, const xsm_store *s, const char *relpath);
/* open an atomic file at STORE/relpath (parents created 0700, file 0600); needs the lock */
int xsm__store_afile(xsm__afile *af, xsm_store *s, const char *relpath);

#endif
