/* store.c - the on-disk store: resolution, format, lock, atomic writes. */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "exposure/jsonw.h"
#include "util/vec.h"

#define DIR_MODE 0700
#define FILE_MODE 0600

int xsm_store_resolve(xsm_buf *out, xsm_ctx *ctx, const char *explicit_dir)
{
	const char *s;
	xsm_buf_clear(out);
	if (explicit_dir && *explicit_dir)
		return xsm_buf_set(out, explicit_dir) < 0 ? xsm__error_oom(ctx) : 0;
	if ((s = getenv("XSM_STORE")) && *s)
		return xsm_buf_set(out, s) < 0 ? xsm__error_oom(ctx) : 0;
	if (ctx->cfg && (s = xsm_config_get(ctx->cfg, "store.path")) && *s)
		return xsm_buf_set(out, s) < 0 ? xsm__error_oom(ctx) : 0;
	if ((s = getenv("XDG_DATA_HOME")) && s[0] == '/')
		return xsm_buf_printf(out, "%s/xsm", s) < 0 ? xsm__error_oom(ctx) : 0;
	if ((s = getenv("HOME")) && *s)
		return xsm_buf_printf(out, "%s/.local/share/xsm", s) < 0 ? xsm__error_oom(ctx) : 0;
	return xsm__error_set(ctx, XSM_ECONFIG, "cannot find a store: set --store, XSM_STORE or HOME");
}

int xsm__store_abspath(xsm_buf *out, const xsm_store *s, const char *relpath)
{
	xsm_buf_clear(out);
	return xsm_buf_printf(out, "%s/%s", s->dir, relpath) < 0 ? xsm__error_oom(s->ctx) : 0;
}

static int check_format(xsm_store *s)
{
	xsm_buf path = XSM_BUF_INIT, b = XSM_BUF_INIT;
	int rc, major = 0, minor = 0;

	if ((rc = xsm__store_abspath(&path, s, "format")) < 0)
		goto done;
	rc = xsm__fs_read(s->ctx, path.ptr, &b, 4096);
	if (rc == XSM_ENOTFOUND) {
		rc = xsm__error_set(s->ctx, XSM_ENOINPUT, "'%s' is not an xsm store (no format file); run 'xsm init'",
				    s->dir);
		goto done;
	}
	if (rc < 0)
		goto done;
	if (sscanf(b.ptr, "xsm-store %d.%d", &major, &minor) < 1 || major < 1) {
		rc = xsm__error_set(s->ctx, XSM_EFORMAT, "%s: not an xsm store format line", path.ptr);
		goto done;
	}
	if (major > XSM_STORE_FORMAT_MAJOR)
		rc = xsm__error_set(s->ctx, XSM_EFORMAT,
				    "store '%s' has format %d, newer than this xsm understands (%d); upgrade xsm",
				    s->dir, major, XSM_STORE_FORMAT_MAJOR);
done:
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&b);
	return rc;
}

static int take_lock(xsm_store *s)
{
	xsm_buf path = XSM_BUF_INIT;
	long timeout = xsm__cfg_long(s->ctx, "lock.timeout", 10);
	struct timespec start, now, nap = { 0, 50 * 1000000L };
	int rc = 0, fd;

	if ((rc = xsm__store_abspath(&path, s, "lock")) < 0)
		return rc;
	fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, FILE_MODE);
	if (fd < 0) {
		rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot open lock '%s'", path.ptr);
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot lock '%s'", path.ptr);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    timeout * 1000) {
			rc = xsm__error_set(s->ctx, XSM_ELOCKED,
					    "another xsm is writing to the store (lock '%s' held for %lds); "
					    "retry later",
					    path.ptr, timeout);
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (rc < 0)
		close(fd);
	else
		s->lock_fd = fd;
done:
	xsm_buf_dispose(&path);
	return rc;
}

static int create_store(xsm_store *s)
{
	static const char *dirs[] = { "connectors", "records", "rules", "graph" };
	xsm_buf path = XSM_BUF_INIT;
	const char *fmt = "xsm-store 1.0\n";
	size_t i;
	int rc;

	if ((rc = xsm__fs_mkdirs(s->ctx, s->dir, DIR_MODE)) < 0)
		return rc;
	chmod(s->dir, DIR_MODE);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && rc == 0; i++)
		if ((rc = xsm__store_abspath(&path, s, dirs[i])) == 0)
			rc = xsm__fs_mkdirs(s->ctx, path.ptr, DIR_MODE);
	if (rc == 0 && (rc = xsm__store_abspath(&path, s, "format")) == 0)
		rc = xsm__fs_write_atomic(s->ctx, path.ptr, fmt, strlen(fmt), FILE_MODE, s->sync);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm_store_open(xsm_store **out, xsm_ctx *ctx, const char *dir, unsigned int flags)
{
	xsm_store *s = xsm__calloc(1, sizeof(*s));
	xsm_buf fpath = XSM_BUF_INIT;
	struct stat st;
	int rc = 0, b = 1;

	*out = NULL;
	if (!s || !(s->dir = xsm__strdup(dir))) {
		xsm__free(s);
		return xsm__error_oom(ctx);
	}
	s->ctx = ctx;
	s->lock_fd = -1;
	if (ctx->cfg && xsm_config_get_bool(&b, ctx->cfg, ctx, "store.fsync") == 0)
		s->sync = b;
	else
		s->sync = 1;
	/* strip trailing slashes so messages and paths stay tidy */
	for (size_t n = strlen(s->dir); n > 1 && s->dir[n - 1] == '/'; n--)
		s->dir[n - 1] = '\0';

	if (stat(s->dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		rc = xsm__error_set(ctx, XSM_ECREATE, "store '%s' is not a directory", s->dir);
		goto done;
	}
	if ((rc = xsm__store_abspath(&fpath, s, "format")) < 0)
		goto done;
	if (!xsm__fs_exists(fpath.ptr)) {
		if (!(flags & XSM_STORE_CREATE)) {
			if (xsm__fs_exists(s->dir))
				rc = xsm__error_set(ctx, XSM_ENOINPUT,
						    "'%s' is not an xsm store (it has no format file)", s->dir);
			else
				rc = xsm__error_set(ctx, XSM_ENOINPUT,
						    "no store at '%s'; run 'xsm init' or ingest data first", s->dir);
			goto done;
		}
		if ((rc = create_store(s)) < 0)
			goto done;
	}
	if ((rc = check_format(s)) < 0)
		goto done;
	if (flags & XSM_STORE_WRITE)
		rc = take_lock(s);
done:
	xsm_buf_dispose(&fpath);
	if (rc < 0)
		xsm_store_free(s);
	else
		*out = s;
	return rc;
}

void xsm_store_free(xsm_store *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	xsm__free(s->dir);
	xsm__free(s);
}

const char *xsm_store_path(const xsm_store *s)
{
	return s->dir;
}

xsm_ctx *xsm_store_ctx(const xsm_store *s)
{
	return s->ctx;
}

int xsm_store_is_writer(const xsm_store *s)
{
	return s->lock_fd >= 0;
}

static int need_lock(xsm_store *s, const char *relpath)
{
	if (s->lock_fd < 0)
		return xsm__error_set(s->ctx, XSM_EUSAGE, "writing '%s' needs the store lock", relpath);
	return 0;
}

int xsm__store_afile(xsm__afile *af, xsm_store *s, const char *relpath)
{
	xsm_buf path = XSM_BUF_INIT;
	int rc;
	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if ((rc = xsm__store_abspath(&path, s, relpath)) == 0 &&
	    (rc = xsm__fs_mkparent(s->ctx, path.ptr, DIR_MODE)) == 0)
		rc = xsm__afile_open(af, s->ctx, path.ptr, FILE_MODE, s->sync);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm_store_write(xsm_store *s, const char *relpath, const void *data, size_t len)
{
	xsm__afile af;
	int rc;
	if ((rc = xsm__store_afile(&af, s, relpath)) < 0)
		return rc;
	if (xsm__afile_write(&af, data, len) < 0) {
		rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot write '%s'", relpath);
		xsm__afile_abort(&af);
		return rc;
	}
	return xsm__afile_commit(&af, s->ctx);
}

int xsm_store_read(xsm_buf *out, xsm_store *s, const char *relpath, size_t cap)
{
	xsm_buf path = XSM_BUF_INIT;
	int rc;
	if (!cap)
		cap = (size_t)xsm__cfg_long(s->ctx, "http.max_body", 64L << 20);
	if ((rc = xsm__store_abspath(&path, s, relpath)) == 0)
		rc = xsm__fs_read(s->ctx, path.ptr, out, cap);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm_store_append(xsm_store *s, const char *relpath, const char *line)
{
	xsm_buf path = XSM_BUF_INIT, b = XSM_BUF_INIT;
	int rc, fd = -1;

	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if ((rc = xsm__store_abspath(&path, s, relpath)) < 0)
		goto done;
	if (xsm_buf_puts(&b, line) < 0 || xsm_buf_putc(&b, '\n') < 0) {
		rc = xsm__error_oom(s->ctx);
		goto done;
	}
	fd = open(path.ptr, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, FILE_MODE);
	/* one write(2) per line: O_APPEND keeps lines whole */
	if (fd < 0 || write(fd, b.ptr, b.size) != (ssize_t)b.size || (s->sync && fsync(fd) < 0))
		rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot append to '%s'", path.ptr);
done:
	if (fd >= 0)
		close(fd);
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&b);
	return rc;
}

int xsm_store_audit(xsm_store *s, const char *action, const char *target, const char *detail)
{
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	char t[21];
	int rc;

	xsm_time_format(t, xsm_ctx_now(s->ctx));
	xsm_jw_init(&w, &b);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "time", t);
	xsm_jw_kstr(&w, "user", xsm__actor(s->ctx)); /* a served caller, else this process's user */
	xsm_jw_kstr(&w, "action", action);
	xsm_jw_kstr(&w, "target", target);
	xsm_jw_kstr(&w, "detail", detail);
	xsm_jw_obj_end(&w);
	rc = w.err ? xsm__error_oom(s->ctx) : xsm_store_append(s, "audit.jsonl", b.ptr);
	xsm_buf_dispose(&b);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int xsm_store_list(xsm_store *s, const char *relpath, int (*cb)(const char *, void *), void *payload)
{
	xsm_buf path = XSM_BUF_INIT;
	XSM__VEC(char *) names = { 0 };
	DIR *d;
	struct dirent *e;
	size_t i;
	int rc;

	if ((rc = xsm__store_abspath(&path, s, relpath)) < 0)
		return rc;
	if (!(d = opendir(path.ptr))) {
		rc = errno == ENOENT ? 0 : xsm__error_errno(s->ctx, XSM_EIO, "cannot list '%s'", path.ptr);
		xsm_buf_dispose(&path);
		return rc;
	}
	while ((e = readdir(d))) {
		char *n;
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp."))
			continue;
		if (!(n = xsm__strdup(e->d_name)) || xsm__vec_push(&names, n) < 0) {
			xsm__free(n);
			rc = xsm__error_oom(s->ctx);
			break;
		}
	}
	closedir(d);
	if (rc == 0 && names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n; i++) {
		if (rc == 0)
			rc = cb(names.v[i], payload);
		xsm__free(names.v[i]);
	}
	xsm__vec_free(&names);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm_store_remove(xsm_store *s, const char *relpath)
{
	xsm_buf path = XSM_BUF_INIT;
	int rc;
	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if (strstr(relpath, "..") || relpath[0] == '/' || !relpath[0])
		return xsm__error_set(s->ctx, XSM_EUSAGE, "refusing to remove '%s'", relpath);
	if ((rc = xsm__store_abspath(&path, s, relpath)) == 0)
		rc = xsm__fs_remove(s->ctx, path.ptr);
	xsm_buf_dispose(&path);
	return rc;
}
