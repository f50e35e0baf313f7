#define _GNU_SOURCE /* sync_file_range */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

int xsm__afile_open(xsm__afile *af, xsm_ctx *ctx, const char *path, mode_t mode, int sync)
{
	xsm_buf tmp = XSM_BUF_INIT;

	memset(af, 0, sizeof(*af));
	af->sync = sync;
	af->ctx = ctx;
	if (!(af->path = xsm__strdup(path)) ||
	    xsm_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		xsm__free(af->path);
		xsm_buf_dispose(&tmp);
		memset(af, 0, sizeof(*af)); /* a failed open leaves nothing to abort */
		return xsm__error_oom(ctx);
	}
	af->tmp = xsm_buf_detach(&tmp);
	unlink(af->tmp); /* a leftover of a crashed run of this pid */
	af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (af->fd < 0) {
		int rc = xsm__error_errno(ctx, XSM_ECREATE, "cannot create '%s'", af->tmp);
		xsm__afile_abort(af);
		return rc;
	}
	af->open = 1;
	return 0;
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
	int fd = open(af->path, O_RDONLY | O_CLOEXEC);
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
	if (af->tmp)
		unlink(af->tmp);
	xsm__free(af->tmp);
	xsm__free(af->path);
	xsm__free(af->buf);
	memset(af, 0, sizeof(*af));
}

int xsm__afile_commit(xsm__afile *af, xsm_ctx *ctx)
{
	int rc = 0, fd = af->fd;
	char *slash;

	if (afile_out(af, af->buf, af->len) < 0 || (af->sync && fsync(fd) < 0)) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", af->path);
		goto done;
	}
	af->open = 0;
	if (close(fd) != 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", af->path);
		goto done;
	}
	if (rename(af->tmp, af->path) < 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot rename '%s'", af->tmp);
		goto done;
	}
	xsm__free(af->tmp);
	af->tmp = NULL;
	if (af->prefetch && af->buf)
		afile_read_back(af);
	if (af->sync && (slash = strrchr(af->path, '/'))) {
		*slash = '\0';
		rc = xsm__fs_sync_dir(ctx, slash == af->path ? "/" : af->path);
	}
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

int xsm__fs_read(xsm_ctx *ctx, const char *path, xsm_buf *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	struct stat st;

	xsm_buf_clear(out);
	if (fd < 0) {
		if (errno == ENOENT)
			return xsm__error_set(ctx, XSM_ENOTFOUND, "'%s' does not exist", path);
		return xsm__error_errno(ctx, XSM_EIO, "cannot open '%s'", path);
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return xsm__error_set(ctx, XSM_EIO, "'%s' is a directory", path);
	}
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
	close(fd);
	if (rc == 0 && !out->ptr && xsm_buf_grow(out, 0) < 0)
		rc = xsm__error_oom(ctx);
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
