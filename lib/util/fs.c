#define _GNU_SOURCE /* sync_file_range */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

int xsm__fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int xsm__fs_mkdirs(xsm_ctx *ctx, const char *path, mode_t mode)
{
	char *p = xsm__strdup(path), *s;
	int rc = 0;

	if (!p)
		return xsm__error_oom(ctx);
	for (s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = xsm__error_errno(ctx, XSM_ECREATE, "cannot create directory '%s'", p);
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	xsm__free(p);
	return rc;
}

int xsm__fs_mkparent(xsm_ctx *ctx, const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;
	if (!slash || slash == path)
		return 0;
	if (!(dir = xsm__strndup(path, (size_t)(slash - path))))
		return xsm__error_oom(ctx);
	rc = xsm__fs_mkdirs(ctx, dir, mode);
	xsm__free(dir);
	return rc;
}

int xsm__fs_sync_dir(xsm_ctx *ctx, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return xsm__error_errno(ctx, XSM_EIO, "cannot open directory '%s'", dir);
	if (fsync(fd) < 0 && errno != EINVAL) {
		int rc = xsm__error_errno(ctx, XSM_EIO, "cannot sync directory '%s'", dir);
		close(fd);
		return rc;
	}
	close(fd);
	return 0;
}

/* the last component of path (path itself when it has no slash) */
static const char *leaf_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int xsm__afile_openat(xsm__afile *af, xsm_ctx *ctx, int dfd, const char *path, mode_t mode, int sync)
{
	xsm_buf tmp = XSM_BUF_INIT;

	memset(af, 0, sizeof(*af));
	af->sync = sync;
	af->ctx = ctx;
	af->dfd = dfd;
	af->dir_open = 1;
	if (!(af->path = xsm__strdup(path)) ||
	    xsm_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		xsm__free(af->path);
		xsm_buf_dispose(&tmp);
		close(dfd);
		memset(af, 0, sizeof(*af)); /* a failed open leaves nothing to abort */
		return xsm__error_oom(ctx);
	}
	af->tmp = xsm_buf_detach(&tmp);
	unlinkat(dfd, leaf_of(af->tmp), 0); /* a leftover of a crashed run of this pid */
	af->fd = openat(dfd, leaf_of(af->tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (af->fd < 0) {
		int rc = xsm__error_errno(ctx, errno == ENOSPC || errno == EDQUOT ? XSM_EIO : XSM_ECREATE,
					  "cannot create '%s'", af->tmp);
		xsm__afile_abort(af);
		return rc;
	}
	af->open = 1;
	return 0;
}

int xsm__afile_open(xsm__afile *af, xsm_ctx *ctx, const char *path, mode_t mode, int sync)
{
	const char *leaf = leaf_of(path);
	char *dir = leaf == path ? xsm__strdup(".") : leaf == path + 1 ? xsm__strdup("/")
					    : xsm__strndup(path, (size_t)(leaf - path - 1));
	int dfd;

	memset(af, 0, sizeof(*af));
	if (!dir)
		return xsm__error_oom(ctx);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		int rc = xsm__error_errno(ctx, XSM_ECREATE, "cannot open directory '%s'", dir);
		xsm__free(dir);
		return rc;
	}
	xsm__free(dir);
	return xsm__afile_openat(af, ctx, dfd, path, mode, sync);
}

enum { AF_ALIGN = 4096, AF_MIN = 64u << 10, AF_MAX = 8u << 20, AF_KICK = 32u << 20 };

/* fd to plain (page cache) writes from here on */
static void afile_undirect(xsm__afile *af)
{
	int fl = fcntl(af->fd, F_GETFL);
	if (fl >= 0)
		fcntl(af->fd, F_SETFL, fl & ~O_DIRECT);
	af->direct = -1;
}

/* buf[0..n) to the file: O_DIRECT while n is whole blocks and the kernel takes it */
static int afile_out(xsm__afile *af, const char *p, size_t n)
{
	while (n) {
		size_t want = n;
		ssize_t k;
		if (af->direct > 0 && n % AF_ALIGN) { /* the whole blocks, then the rest through the page cache */
			if (n >= AF_ALIGN)
				want = n - n % AF_ALIGN;
			else
				afile_undirect(af);
		}
		if ((k = write(af->fd, p, want)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EINVAL && af->direct > 0) { /* the file system refused the alignment after all */
				afile_undirect(af);
				continue;
			}
			return -1;
		}
		if (af->direct > 0 && (size_t)k % AF_ALIGN)
			afile_undirect(af); /* a short write leaves the offset unaligned */
		p += k;
		n -= (size_t)k;
		if (af->direct <= 0 && af->sync && (af->unsynced += (size_t)k) >= AF_KICK) {
			af->unsynced = 0;
#ifdef SYNC_FILE_RANGE_WRITE
			sync_file_range(af->fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* a hint: the fsync at commit decides */
#endif
		}
	}
	return 0;
}

/* the full buffer to the file; the first time, a synced file tries O_DIRECT */
static int afile_flush_full(xsm__afile *af)
{
	if (af->sync && !af->direct) {
		int fl = fcntl(af->fd, F_GETFL);
		af->direct = fl >= 0 && fcntl(af->fd, F_SETFL, fl | O_DIRECT) == 0 ? 1 : -1;
	}
	if (afile_out(af, af->buf, af->len) < 0)
		return -1;
	af->len = 0;
	return 0;
}

int xsm__afile_write(xsm__afile *af, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		size_t k;
		if (af->len == af->cap) {
			if (af->cap < AF_MAX) {
				size_t cap = af->cap ? 2 * af->cap : AF_MIN;
				char *nb;
				while (cap < AF_MAX && cap - af->len < n)
					cap *= 2;
				if (!(nb = xsm__malloc_aligned(AF_ALIGN, cap))) {
					errno = ENOMEM;
					return -1;
				}
				xsm__memcpy(nb, af->buf, af->len);
				xsm__free(af->buf);
				af->buf = nb;
				af->cap = cap;
			} else if (afile_flush_full(af) < 0) {
				return -1;
			}
		}
		k = af->cap - af->len < n ? af->cap - af->len : n;
		memcpy(af->buf + af->len, s, k);
		af->len += k;
		s += k;
		n -= k;
	}
	return 0;
}

int xsm__afile_put(const char *p, size_t n, void *arg)
{
	xsm__afile *af = arg;
	if (xsm__afile_write(af, p, n) < 0)
		return xsm__error_errno(af->ctx, XSM_EIO, "cannot write '%s'", af->path);
	return 0;
}

/* the committed file read through once, into the page cache (best effort: it is whole either way) */
static void afile_read_back(xsm__afile *af)
{
	int fd = openat(af->dfd, leaf_of(af->path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (read(fd, af->buf, af->cap) > 0)
		;
	close(fd);
}

void xsm__afile_abort(xsm__afile *af)
{
	if (af->open)
		close(af->fd);
	if (af->tmp && af->dir_open)
		unlinkat(af->dfd, leaf_of(af->tmp), 0);
	if (af->dir_open)
		close(af->dfd);
	xsm__free(af->tmp);
	xsm__free(af->path);
	xsm__free(af->buf);
	memset(af, 0, sizeof(*af));
}

int xsm__afile_prepare(xsm__afile *af, xsm_ctx *ctx)
{
	int fd = af->fd;
	if (!af->open)
		return 0;
	if (afile_out(af, af->buf, af->len) < 0 || (af->sync && fsync(fd) < 0))
		return xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", af->path);
	af->len = 0;
	af->open = 0;
	if (close(fd) != 0)
		return xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", af->path);
	return 0;
}

int xsm__afile_commit(xsm__afile *af, xsm_ctx *ctx)
{
	int rc;

	if ((rc = xsm__afile_prepare(af, ctx)) < 0)
		goto done;
	if (renameat(af->dfd, leaf_of(af->tmp), af->dfd, leaf_of(af->path)) < 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot rename '%s'", af->tmp);
		goto done;
	}
	xsm__free(af->tmp);
	af->tmp = NULL;
	if (af->prefetch && af->buf)
		afile_read_back(af);
	if (af->sync && fsync(af->dfd) < 0 && errno != EINVAL)
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot sync the directory of '%s'", af->path);
done:
	xsm__afile_abort(af);
	return rc;
}

int xsm__fs_write_all(int fd, const void *p, size_t len)
{
	const char *s = p;
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* no progress: not to be retried forever */
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int xsm__fs_write_fd(xsm_ctx *ctx, int fd, const void *p, size_t len, const char *what)
{
	if (xsm__fs_write_all(fd, p, len) < 0)
		return xsm__error_errno(ctx, XSM_EIO, "cannot write %s", what);
	return 0;
}

int xsm__fd_put(const char *p, size_t n, void *arg)
{
	const xsm__fdput *f = arg;
	return xsm__fs_write_fd(f->ctx, f->fd, p, n, f->what);
}

int xsm__fs_write_atomic(xsm_ctx *ctx, const char *path, const void *data, size_t len,
			 mode_t mode, int sync)
{
	xsm__afile af;
	int rc;
	if ((rc = xsm__afile_open(&af, ctx, path, mode, sync)) < 0)
		return rc;
	if (xsm__afile_write(&af, data, len) < 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", path);
		xsm__afile_abort(&af);
		return rc;
	}
	return xsm__afile_commit(&af, ctx);
}

int xsm__fs_read_fd(xsm_ctx *ctx, int fd, const char *path, xsm_buf *out, size_t cap)
{
	struct stat st;
	int rc = 0;

	xsm_buf_clear(out);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		return xsm__error_set(ctx, XSM_EIO, "'%s' is a directory", path);
	for (;;) {
		ssize_t n;
		if (xsm_buf_grow(out, 65536) < 0) {
			rc = xsm__error_oom(ctx);
			break;
		}
		n = read(fd, out->ptr + out->size, out->asize - out->size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = xsm__error_errno(ctx, XSM_EIO, "cannot read '%s'", path);
			break;
		}
		if (n == 0)
			break;
		out->size += (size_t)n;
		out->ptr[out->size] = '\0';
		if (out->size > cap) {
			rc = xsm__error_set(ctx, XSM_EINVALID, "'%s' is larger than %zu bytes", path, cap);
			break;
		}
	}
	if (rc == 0 && !out->ptr && xsm_buf_grow(out, 0) < 0)
		rc = xsm__error_oom(ctx);
	return rc;
}

int xsm__fs_read(xsm_ctx *ctx, const char *path, xsm_buf *out, size_t cap)
{
	return xsm__fs_read_flags(ctx, path, out, cap, 0);
}

int xsm__fs_read_flags(xsm_ctx *ctx, const char *path, xsm_buf *out, size_t cap, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc;

	xsm_buf_clear(out);
	if (fd < 0) {
		if (errno == ENOENT)
			return xsm__error_set(ctx, XSM_ENOTFOUND, "'%s' does not exist", path);
		if (errno == ELOOP && (flags & O_NOFOLLOW))
			return xsm__error_set(ctx, XSM_EDENIED, "refusing '%s': a symbolic link (not followed)", path);
		return xsm__error_errno(ctx, XSM_EIO, "cannot open '%s'", path);
	}
	rc = xsm__fs_read_fd(ctx, fd, path, out, cap);
	close(fd);
	return rc;
}

int xsm__fs_walk(int dfd, const char *rel, mode_t dirmode, const char **leaf)
{
	const char *p = rel, *slash;
	char comp[NAME_MAX + 1];
	int cur = fcntl(dfd, F_DUPFD_CLOEXEC, 0);

	while (cur >= 0 && (slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);
		int next;
		if (n == 0) { /* "a//b" */
			p++;
			continue;
		}
		if (n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(cur);
			errno = n > NAME_MAX ? ENAMETOOLONG : EACCES;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && dirmode) {
			if (mkdirat(cur, comp, dirmode) < 0 && errno != EEXIST) {
				int e = errno;
				close(cur);
				errno = e;
				return -1;
			}
			next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;
			struct stat st;
			/* a link on the way says so, whichever error the kernel chose */
			if (e == ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				e = ELOOP;
			close(cur);
			errno = e;
			return -1;
		}
		close(cur);
		cur = next;
		p = slash + 1;
	}
	if (!strcmp(p, "..")) {
		if (cur >= 0)
			close(cur);
		errno = EACCES;
		return -1;
	}
	*leaf = *p ? p : ".";
	return cur;
}

/* length of the file up to its last newline (a crash in a write may leave a cut line after it) */
static off_t whole_lines(int fd, off_t size)
{
	char b[4096];
	off_t end = size;
	while (end > 0) {
		size_t k = end < (off_t)sizeof(b) ? (size_t)end : sizeof(b);
		ssize_t r = pread(fd, b, k, end - (off_t)k);
		if (r != (ssize_t)k)
			return size; /* unreadable: left as it is */
		for (size_t i = k; i > 0; i--)
			if (b[i - 1] == '\n')
				return end - (off_t)k + (off_t)i;
		end -= (off_t)k;
	}
	return 0;
}

int xsm__fs_append(xsm_ctx *ctx, int dfd, const char *name, const char *what, const void *p, size_t n, mode_t mode,
		   int sync, off_t *undo)
{
	struct stat st;
	off_t size, whole;
	const char *s = p;
	size_t left = n;
	int fd, rc = 0;

	/* a FIFO or device planted under the name is refused before it is opened (O_NONBLOCK should one slip in) */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return xsm__error_set(ctx, XSM_EDENIED, "refusing to append to %s: not a regular file", what);
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode); /* read: the tail checked */
	if (fd < 0 && errno == ELOOP)
		return xsm__error_set(ctx, XSM_EDENIED, "refusing to append to %s: a symbolic link (not followed)", what);
	if (fd < 0)
		return xsm__error_errno(ctx, XSM_EIO, "cannot append to %s", what);
	if (fstat(fd, &st) < 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot append to %s", what);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = xsm__error_set(ctx, XSM_EDENIED, "refusing to append to %s: not a regular file", what);
		goto done;
	}
	size = st.st_size;
	if (size > 0 && (whole = whole_lines(fd, size)) < size) {
		if (ftruncate(fd, whole) < 0) {
			rc = xsm__error_errno(ctx, XSM_EIO, "cannot append to %s", what);
			goto done;
		}
		xsm__warn(ctx, "%s ended in a cut line (%lld bytes, left by a crash): removed", what,
			  (long long)(size - whole));
		size = whole;
	}
	while (left) {
		ssize_t k = pwrite(fd, s, left, size + (off_t)(n - left));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			break;
		}
		s += k;
		left -= (size_t)k;
	}
	if (left || (sync && fsync(fd) < 0)) {
		/* whole lines or nothing: what went in is taken back, and the error is the write's */
		int e = errno;
		if (ftruncate(fd, size) == 0 && sync)
			fsync(fd);
		errno = e;
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot append to %s", what);
		goto done;
	}
	if (undo)
		*undo = size;
done:
	close(fd);
	return rc;
}

int xsm__fs_unappend(xsm_ctx *ctx, int dfd, const char *name, const char *what, off_t len, int sync)
{
	int fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), rc = 0;
	struct stat st;
	if (fd < 0)
		return xsm__error_errno(ctx, XSM_EIO, "cannot take back the end of %s", what);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_size > len && ftruncate(fd, len) < 0) ||
	    (sync && fsync(fd) < 0))
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot take back the end of %s", what);
	close(fd);
	return rc;
}

/* remove name under the directory parent (AT_FDCWD: path itself) and all in it; no allocation */
static int remove_at(xsm_ctx *ctx, int parent, const char *name, const char *top)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : xsm__error_errno(ctx, XSM_EIO, "cannot remove '%s' in '%s'", name, top);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0)
			return xsm__error_errno(ctx, XSM_EIO, "cannot remove '%s' in '%s'", name, top);
		return 0;
	}
	if ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 || !(d = fdopendir(fd))) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot open '%s' in '%s'", name, top);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	while (rc == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc = remove_at(ctx, dirfd(d), e->d_name, top);
	closedir(d);
	if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0)
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot remove '%s' in '%s'", name, top);
	return rc;
}

int xsm__fs_remove(xsm_ctx *ctx, const char *path)
{
	return remove_at(ctx, AT_FDCWD, path, path);
}

int xsm__fs_remove_at(xsm_ctx *ctx, int dfd, const char *name, const char *what)
{
	return remove_at(ctx, dfd, name, what);
}
