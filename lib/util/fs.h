/* util/fs.h - files: atomic replace, capped reads, directories. */
#ifndef XSM__FS_H
#define XSM__FS_H

#include <stdio.h>
#include <sys/types.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

/* mkdir -p with mode for every created directory */
int xsm__fs_mkdirs(xsm_ctx *ctx, const char *path, mode_t mode);
/* mkdir -p of the parent directory of path */
int xsm__fs_mkparent(xsm_ctx *ctx, const char *path, mode_t mode);

/*
 * A file being written that appears under its name only on commit:
 * temp file in the same directory, fsync, rename, fsync of the directory.
 * Abort (or free without commit) removes the temp file.
 */
typedef struct xsm__afile {
	FILE *fp;
	char *vbuf;       /* fp's buffer: glibc sizes one it allocates by the block size, 4 KiB */
	xsm_ctx *ctx;     /* the opener's: where xsm__afile_put reports */
	char *path, *tmp;
	int sync;
	size_t unsynced;  /* bytes written since writeback was last started */
} xsm__afile;

/*
 * fwrite to the file; 0, or -1 with errno.  When the file will be synced,
 * writeback is started every few tens of megabytes (Linux
 * sync_file_range), so the disk works while the rest is formatted and the
 * fsync at commit has little left to wait for.
 */
int xsm__afile_write(xsm__afile *af, const void *p, size_t n);

/* xsm__afile_write as a writer callback (arg: the afile); XSM_EIO on the opener's context */
int xsm__afile_put(const char *p, size_t n, void *af);

int xsm__afile_open(xsm__afile *af, xsm_ctx *ctx, const char *path, mode_t mode, int sync);
int xsm__afile_commit(xsm__afile *af, xsm_ctx *ctx);
void xsm__afile_abort(xsm__afile *af);

/* write all of p to fd (EINTR retried); XSM_EIO "cannot write <what>" on ctx */
int xsm__fs_write_fd(xsm_ctx *ctx, int fd, const void *p, size_t len, const char *what);

/* an fd as a writer callback (xsm__fd_put, arg: this), as xsm__afile_put is an afile */
typedef struct xsm__fdput {
	xsm_ctx *ctx;
	int fd;
	const char *what; /* names it in errors: "cannot write <what>" */
} xsm__fdput;
int xsm__fd_put(const char *p, size_t n, void *fdput);

int xsm__fs_write_atomic(xsm_ctx *ctx, const char *path, const void *data, size_t len,
			 mode_t mode, int sync);
/* read a whole file, refusing more than cap bytes; XSM_ENOTFOUND when absent */
int xsm__fs_read(xsm_ctx *ctx, const char *path, xsm_buf *out, size_t cap);
/* fsync a directory */
int xsm__fs_sync_dir(xsm_ctx *ctx, const char *dir);
/* rm -rf (allocates nothing, so it also cleans up after running out of memory) */
int xsm__fs_remove(xsm_ctx *ctx, const char *path);
int xsm__fs_exists(const char *path);

#endif
