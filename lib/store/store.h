/* store.h - library-internal store helpers. */
#ifndef XSM__STORE_H
#define XSM__STORE_H

#include "exposure/store.h"
#include "util/fs.h"

struct xsm_store {
	xsm_ctx *ctx;
	char *dir;
	int lock_fd;
	int dfd;          /* the store directory: every file is opened under it, following no link */
	int sync;
	size_t swept;     /* dead writers' temp files removed when the lock was taken */
	off_t audit_undo; /* audit.jsonl's length before this handle's last entry (-1: none) */
};

/* STORE/relpath into out (replaces content) */
int xsm__store_abspath(xsm_buf *out, const xsm_store *s, const char *relpath);
/* open an atomic file at STORE/relpath (parents created 0700, file 0600); needs the lock */
int xsm__store_afile(xsm__afile *af, xsm_store *s, const char *relpath);
/* open STORE/relpath for reading, following no link; an fd (caller closes), or an error code */
int xsm__store_open(xsm_store *s, const char *relpath);
/* xsm_store_append that also gives the file's length before it (*undo), for xsm__store_unappend */
int xsm__store_append_undo(xsm_store *s, const char *relpath, const char *lines, off_t *undo);
/* take an append back: STORE/relpath truncated to len */
int xsm__store_unappend(xsm_store *s, const char *relpath, off_t len);
/* parse STORE/relpath (read as xsm_store_read does) as YAML; optional: absent is 0 with *out NULL */
struct xsm__ynode;
int xsm__store_yaml(struct xsm__ynode **out, xsm_store *s, const char *relpath, int optional);
/* an unnamed temporary file (read and write) in STORE/reldir, made when missing; no link followed */
int xsm__store_tmpfile(xsm_store *s, const char *reldir, int *fd);
/* rename STORE/relpath to to, a name in the same directory; XSM_ENOTFOUND when absent; needs the lock */
int xsm__store_rename(xsm_store *s, const char *relpath, const char *to);
/* remove the temp files (NAME.tmp.PID) of writers that are no longer running; how many; needs the lock */
size_t xsm__store_sweep(xsm_store *s);

#endif
