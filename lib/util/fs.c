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
	int fd;

	memset(af, 0, sizeof(*af));
	af->sync = sync;
	af->ctx = ctx;
	if (!(af->path = xsm__strdup(path)) || !(af->vbuf = xsm__malloc(1 << 20)) ||
	    xsm_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		xsm__free(af->path);
		xsm__free(af->vbuf);
		xsm_buf_dispose(&tmp);
		memset(af, 0, sizeof(*af)); /* a failed open leaves nothing to abort */
		return xsm__error_oom(ctx);
	}
	af->tmp = xsm_buf_detach(&tmp);
	unlink(af->tmp); /* a leftover of a crashed run of this pid */
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 || !(af->fp = fdopen(fd, "w")) || setvbuf(af->fp, af->vbuf, _IOFBF, 1 << 20) != 0) {
		int rc = xsm__error_errno(ctx, XSM_ECREATE, "cannot create '%s'", af->tmp);
		if (fd >= 0)
			close(fd);
		xsm__afile_abort(af);
		return rc;
	}
	return 0;
}

int xsm__afile_write(xsm__afile *af, const void *p, size_t n)
{
	enum { KICK = 32u << 20 };
	const char *s = p;
	while (n) {
		/* a large write goes in pieces, so writeback starts during it, not after */
		size_t k = af->sync && n > KICK - af->unsynced ? KICK - af->unsynced : n;
		if (fwrite(s, 1, k, af->fp) != k)
			return -1;
		s += k;
		n -= k;
		af->unsynced += k;
		if (af->sync && af->unsynced >= KICK) {
			af->unsynced = 0;
			if (fflush(af->fp) != 0)
				return -1;
#ifdef SYNC_FILE_RANGE_WRITE
			sync_file_range(fileno(af->fp), 0, 0, SYNC_FILE_RANGE_WRITE); /* a hint: the fsync at commit decides */
#endif
		}
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

void xsm__afile_abort(xsm__afile *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	xsm__free(af->vbuf);
	xsm__free(af->tmp);
	xsm__free(af->path);
	memset(af, 0, sizeof(*af));
}

int xsm__afile_commit(xsm__afile *af, xsm_ctx *ctx)
{
	int rc = 0;
	char *slash;

	if (fflush(af->fp) != 0 || ferror(af->fp) ||
	    (af->sync && fsync(fileno(af->fp)) < 0)) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", af->path);
		goto done;
	}
	if (fclose(af->fp) != 0) {
		af->fp = NULL;
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot write '%s'", af->path);
		goto done;
	}
	af->fp = NULL;
	if (rename(af->tmp, af->path) < 0) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot rename '%s'", af->tmp);
		goto done;
	}
	xsm__free(af->tmp);
	af->tmp = NULL;
	if (af->sync && (slash = strrchr(af->path, '/'))) {
		*slash = '\0';
		rc = xsm__fs_sync_dir(ctx, slash == af->path ? "/" : af->path);
	}
done:
	xsm__afile_abort(af);
	return rc;
}

int xsm__fs_write_fd(xsm_ctx *ctx, int fd, const void *p, size_t len, const char *what)
{
	const char *s = p;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return xsm__error_errno(ctx, XSM_EIO, "cannot write %s", what);
		}
		off += (size_t)n;
	}
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
