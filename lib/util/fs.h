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
 *
 * Bytes gather in an aligned buffer of up to 8 MB and go to the file a
 * buffer at a time.  A file that will be synced and outgrows the buffer
 * is written with O_DIRECT where the file system takes it: its pages
 * would have to reach the disk before the commit anyway, and copying
 * gigabytes through the page cache costs more CPU than formatting them
 * (a snapshot at a million assets: 8 GB).  The last partial block goes
 * through the page cache, and the fsync at commit covers both.
 */
typedef struct xsm__afile {
	int fd, open;     /* fd is valid while open */
	int dfd, dir_open; /* the directory it is in (dfd valid while dir_open): renamed there, without following links */
	int sync, prefetch;
	int direct;       /* 1: fd has O_DIRECT (whole aligned blocks only); -1: not to be tried; 0: not yet */
	xsm_ctx *ctx;     /* the opener's: where xsm__afile_put reports */
	char *path, *tmp;
	char *buf;        /* pending bytes, aligned for O_DIRECT */
	size_t len, cap;
	size_t unsynced;  /* bytes written through the page cache since writeback was last started */
} xsm__afile;

/*
 * Append to the file; 0, or -1 with errno.  Without O_DIRECT, when the
 * file will be synced, writeback is started every few tens of megabytes
 * (Linux sync_file_range), so the disk works while the rest is formatted
 * and the fsync at commit has little left to wait for.
 */
int xsm__afile_write(xsm__afile *af, const void *p, size_t n);

/*
 * For a file the next command reads whole (graph.bin, a run that the
 * ingest's build reads next): once committed it
 * is read back through the page cache, so that command finds it there.
 * Written with O_DIRECT and read back, it costs the writer less than
 * copying it through the cache (on the machine measured: half the CPU),
 * and the reader, right after a build, half its load time.
 */
static inline void xsm__afile_keep_cached(xsm__afile *af)
{
	af->prefetch = 1;
}

/* xsm__afile_write as a writer callback (arg: the afile); XSM_EIO on the opener's context */
int xsm__afile_put(const char *p, size_t n, void *af);

/* create the temp file of path (in the directory that path names; links followed) */
int xsm__afile_open(xsm__afile *af, xsm_ctx *ctx, const char *path, mode_t mode, int sync);
/*
 * the same in the directory dfd (taken over, closed by commit or abort):
 * the temp file is created O_EXCL | O_NOFOLLOW there and renamed over the
 * last component of path, which names the file in messages
 */
int xsm__afile_openat(xsm__afile *af, xsm_ctx *ctx, int dfd, const char *path, mode_t mode, int sync);
/*
 * Phase one of a commit: every byte written and synced to the temp file,
 * which is closed but not yet renamed.  A command that changes several
 * files prepares them all (where a full disk fails) before it renames any.
 */
int xsm__afile_prepare(xsm__afile *af, xsm_ctx *ctx);
/* prepare (when not yet done), rename over the name, sync the directory; the afile is released either way */
int xsm__afile_commit(xsm__afile *af, xsm_ctx *ctx);
void xsm__afile_abort(xsm__afile *af);

/* write all of p to fd (EINTR retried); 0, or -1 with errno (EIO when a write makes no progress) */
int xsm__fs_write_all(int fd, const void *p, size_t len);
/* the same, reporting XSM_EIO "cannot write <what>" on ctx */
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
/* the same with more open(2) flags: O_NOFOLLOW (a link is XSM_EDENIED), O_NONBLOCK */
int xsm__fs_read_flags(xsm_ctx *ctx, const char *path, xsm_buf *out, size_t cap, int flags);
/* the same from an open fd (left open); path names it in messages */
int xsm__fs_read_fd(xsm_ctx *ctx, int fd, const char *path, xsm_buf *out, size_t cap);

/*
 * The directory that holds rel under dfd, reached without following a
 * symbolic link: each component is opened O_DIRECTORY | O_NOFOLLOW (made
 * with dirmode first when missing and dirmode is not 0); ".." is refused.
 * Returns its fd (the caller closes it) and points *leaf at rel's last
 * component, or -1 with errno (ELOOP: a link on the way).
 */
int xsm__fs_walk(int dfd, const char *rel, mode_t dirmode, const char **leaf);

/*
 * Append p[0..n), whole lines, to name under dfd (opened O_NOFOLLOW,
 * created with mode; a link or a non-regular file is XSM_EDENIED): all of
 * it or nothing.  A short write or failed sync truncates the file back and
 * reports the write's own errno.  A cut last line that a crash left is
 * removed first.  *undo (may be NULL): the length before, for
 * xsm__fs_unappend.  what names the file in messages.
 */
int xsm__fs_append(xsm_ctx *ctx, int dfd, const char *name, const char *what, const void *p, size_t n, mode_t mode,
		   int sync, off_t *undo);
/* take an append back: truncate name under dfd to len */
int xsm__fs_unappend(xsm_ctx *ctx, int dfd, const char *name, const char *what, off_t len, int sync);
/* fsync a directory */
int xsm__fs_sync_dir(xsm_ctx *ctx, const char *dir);
/* rm -rf (allocates nothing, so it also cleans up after running out of memory) */
int xsm__fs_remove(xsm_ctx *ctx, const char *path);
/* the same for name under the directory dfd, never following a link; what names it in messages */
int xsm__fs_remove_at(xsm_ctx *ctx, int dfd, const char *name, const char *what);
int xsm__fs_exists(const char *path);

#endif
