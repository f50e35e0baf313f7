/* store.c - the on-disk store: resolution, format, lock, atomic writes. */
#include "exposure/access.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adapt/yaml.h"
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

/* an errno from opening rel in the store as an error on s: a link is refused, not a read error */
static int store_errno(xsm_store *s, int code, const char *verb, const char *rel)
{
	if (errno == ELOOP)
		return xsm__error_set(s->ctx, XSM_EDENIED,
				      "refusing '%s/%s': it or a directory on its way is a symbolic link "
				      "(nothing in a store is followed)",
				      s->dir, rel);
	return xsm__error_errno(s->ctx, code, "%s '%s/%s'", verb, s->dir, rel);
}

/*
 * rel opened under the store's directory without following a link
 * anywhere on the way; -1 with errno when it cannot be.  O_NONBLOCK: a
 * FIFO planted there does not hang the command (regular files ignore it).
 */
static int store_open(xsm_store *s, const char *rel, int flags, mode_t dirmode)
{
	const char *leaf;
	int e, fd, pfd = xsm__fs_walk(s->dfd, rel, dirmode, &leaf);
	if (pfd < 0)
		return -1;
	fd = openat(pfd, leaf, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, FILE_MODE);
	e = errno;
	if (fd < 0 && e == ENOTDIR) { /* O_DIRECTORY on a link: say it is one */
		struct stat st;
		if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			e = ELOOP;
	}
	close(pfd);
	errno = e;
	return fd;
}

int xsm__store_open(xsm_store *s, const char *rel)
{
	int fd;
	if (!rel) /* the name was a buffer that could not be filled: out of memory */
		return xsm__error_oom(s->ctx);
	fd = store_open(s, rel, O_RDONLY, 0);
	if (fd < 0)
		return errno == ENOENT ? xsm__error_set(s->ctx, XSM_ENOTFOUND, "'%s/%s' does not exist", s->dir, rel)
				       : store_errno(s, XSM_EIO, "cannot open", rel);
	return fd;
}

static int check_format(xsm_store *s)
{
	xsm_buf b = XSM_BUF_INIT;
	int rc, major = 0, minor = 0;

	rc = xsm_store_read(&b, s, "format", 4096);
	if (rc == XSM_ENOTFOUND) {
		rc = xsm__error_set(s->ctx, XSM_ENOINPUT, "'%s' is not an xsm store (no format file); run 'xsm init'",
				    s->dir);
		goto done;
	}
	if (rc < 0)
		goto done;
	if (sscanf(b.ptr, "xsm-store %d.%d", &major, &minor) < 1 || major < 1) {
		rc = xsm__error_set(s->ctx, XSM_EFORMAT, "%s/format: not an xsm store format line", s->dir);
		goto done;
	}
	if (major > XSM_STORE_FORMAT_MAJOR)
		rc = xsm__error_set(s->ctx, XSM_EFORMAT,
				    "store '%s' has format %d, newer than this xsm understands (%d); upgrade xsm",
				    s->dir, major, XSM_STORE_FORMAT_MAJOR);
done:
	xsm_buf_dispose(&b);
	return rc;
}

/* a file NAME.tmp.PID whose PID is no running process: what a killed writer left */
static int dead_temp(const char *name)
{
	const char *t = strstr(name, ".tmp."), *d;
	char *end;
	long pid;
	while (t && strstr(t + 1, ".tmp."))
		t = strstr(t + 1, ".tmp.");
	if (!t || !t[5])
		return 0;
	for (d = t + 5; *d; d++)
		if (*d < '0' || *d > '9')
			return 0;
	errno = 0;
	pid = strtol(t + 5, &end, 10);
	if (errno || pid <= 0 || pid > INT_MAX || pid == (long)getpid())
		return 0;
	/* EPERM: the process lives (as another user); only ESRCH says it is gone */
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* the dead writers' temp files (and directories) under dfd, depth levels down; no allocation */
static void sweep_dir(xsm_store *s, int dfd, int depth, size_t *n)
{
	struct dirent *e;
	DIR *d;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		int sub;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (dead_temp(e->d_name)) {
			if (xsm__fs_remove_at(s->ctx, dirfd(d), e->d_name, e->d_name) == 0)
				(*n)++;
			else
				xsm_ctx_clear(s->ctx); /* best effort: the next writer tries again */
			continue;
		}
		if (depth > 0 && e->d_type != DT_REG &&
		    (sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			sweep_dir(s, sub, depth - 1, n);
			close(sub);
		}
	}
	closedir(d);
}

size_t xsm__store_sweep(xsm_store *s)
{
	size_t n = 0;
	/* STORE/records/SOURCE/RUN.jsonl.tmp.PID is the deepest a writer makes */
	sweep_dir(s, s->dfd, 2, &n);
	return n;
}

static int take_lock(xsm_store *s)
{
	long timeout = xsm__cfg_long(s->ctx, "lock.timeout", 10);
	struct timespec start, now, nap = { 0, 50 * 1000000L };
	struct stat st;
	int rc = 0, fd;

	fd = store_open(s, "lock", O_RDWR | O_CREAT, 0);
	if (fd < 0)
		return store_errno(s, XSM_EIO, "cannot open lock", "lock");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return xsm__error_set(s->ctx, XSM_EDENIED, "refusing lock '%s/lock': not a regular file", s->dir);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot lock '%s/lock'", s->dir);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    timeout * 1000) {
			rc = xsm__error_set(s->ctx, XSM_ELOCKED,
					    "another xsm is writing to the store (lock '%s/lock' held for %lds); "
					    "retry later",
					    s->dir, timeout);
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	s->lock_fd = fd;
	/* the first thing a writer does under the lock: what killed writers left goes */
	s->swept = xsm__store_sweep(s);
	return 0;
}

static const char *const store_dirs[] = { "connectors", "records", "rules", "graph" };

/*
 * A new store: its directories, then format, the file that makes it a
 * store.  A failure takes back what it made, so a failed init leaves
 * nothing behind.
 */
static int create_store(xsm_store *s)
{
	const char *fmt = "xsm-store 1.0\n";
	int made[4] = { 0 }, made_top = !xsm__fs_exists(s->dir), rc;
	xsm__afile af;
	size_t i;

	if ((rc = xsm__fs_mkdirs(s->ctx, s->dir, DIR_MODE)) < 0)
		return rc;
	if (made_top)
		chmod(s->dir, DIR_MODE);
	if ((s->dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = xsm__error_errno(s->ctx, XSM_ECREATE, "cannot open store '%s'", s->dir);
		goto done;
	}
	for (i = 0; i < sizeof(store_dirs) / sizeof(store_dirs[0]) && rc == 0; i++) {
		if (mkdirat(s->dfd, store_dirs[i], DIR_MODE) == 0)
			made[i] = 1;
		else if (errno != EEXIST)
			rc = xsm__error_errno(s->ctx, XSM_ECREATE, "cannot create directory '%s/%s'", s->dir,
					      store_dirs[i]);
	}
	if (rc == 0 && (rc = xsm__afile_openat(&af, s->ctx, fcntl(s->dfd, F_DUPFD_CLOEXEC, 0), "format", FILE_MODE,
					       s->sync)) == 0) {
		if (xsm__afile_write(&af, fmt, strlen(fmt)) < 0) {
			rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot write '%s/format'", s->dir);
			xsm__afile_abort(&af);
		} else {
			rc = xsm__afile_commit(&af, s->ctx);
		}
	}
done:
	if (rc < 0) {
		for (i = 0; i < sizeof(store_dirs) / sizeof(store_dirs[0]); i++)
			if (made[i] && s->dfd >= 0)
				unlinkat(s->dfd, store_dirs[i], AT_REMOVEDIR);
		if (s->dfd >= 0)
			close(s->dfd);
		s->dfd = -1;
		if (made_top)
			rmdir(s->dir);
	}
	return rc;
}

/* store.safe (never from the store's own config.yaml) names dir, or is "*" */
static int trusted(xsm_store *s)
{
	const char *v = s->ctx->cfg ? xsm_config_get(s->ctx->cfg, "store.safe") : NULL;
	const char *origin = v ? xsm_config_origin(s->ctx->cfg, "store.safe") : NULL;
	char *real = realpath(s->dir, NULL);
	size_t dl = strlen(s->dir), rl = real ? strlen(real) : 0;
	int yes = 0;

	if (v && origin && !strncmp(origin, s->dir, dl) && origin[dl] == '/')
		v = NULL; /* a store cannot vouch for itself */
	for (const char *p = v; p && *p && !yes;) {
		const char *c = strchr(p, ':');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		while (n > 1 && p[n - 1] == '/')
			n--;
		yes = (n == 1 && *p == '*') || (n == dl && !strncmp(p, s->dir, n)) ||
		      (real && n == rl && !strncmp(p, real, n));
		p = c ? c + 1 : p + n;
	}
	free(real);
	return yes;
}

/*
 * Like git's safe.directory: a store that another user owns or can write
 * to could make xsm (often root, from cron) read or write what that user
 * chose.  It is refused unless store.safe names it.
 */
static int check_safe(xsm_store *s)
{
	struct stat st;
	uid_t me = geteuid();
	if (fstat(s->dfd, &st) < 0)
		return xsm__error_errno(s->ctx, XSM_EIO, "cannot stat store '%s'", s->dir);
	if (st.st_uid == me && !(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if (trusted(s))
		return 0;
	if (st.st_uid != me)
		return xsm__error_set(s->ctx, XSM_EDENIED,
				      "store '%s' is owned by uid %ld, not by you (uid %ld): refusing it; if you trust "
				      "it, set XSM_STORE_SAFE='%s' (store.safe, see xsm-store(5))",
				      s->dir, (long)st.st_uid, (long)me, s->dir);
	return xsm__error_set(s->ctx, XSM_EDENIED,
			      "store '%s' is writable by others (mode %04o): refusing it; 'chmod 700' it, or if you "
			      "trust it, set XSM_STORE_SAFE='%s' (store.safe, see xsm-store(5))",
			      s->dir, (unsigned)(st.st_mode & 07777), s->dir);
}

int xsm_store_open(xsm_store **out, xsm_ctx *ctx, const char *dir, unsigned int flags)
{
	xsm_store *s = xsm__calloc(1, sizeof(*s));
	struct stat st;
	int rc = 0, b = 1;

	*out = NULL;
	if (!s || !(s->dir = xsm__strdup(dir))) {
		xsm__free(s);
		return xsm__error_oom(ctx);
	}
	s->ctx = ctx;
	s->lock_fd = -1;
	s->dfd = -1;
	s->audit_undo = -1;
	if (ctx->cfg && xsm_config_get_bool(&b, ctx->cfg, ctx, "store.fsync") == 0)
		s->sync = b;
	else
		s->sync = 1;
	/* strip trailing slashes so messages and paths stay tidy */
	for (size_t n = strlen(s->dir); n > 1 && s->dir[n - 1] == '/'; n--)
		s->dir[n - 1] = '\0';

	/* the store's own path may be a link (~/.local/share/xsm to a data disk); nothing under it is followed */
	if (stat(s->dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		rc = xsm__error_set(ctx, XSM_ECREATE, "store '%s' is not a directory", s->dir);
		goto done;
	}
	if ((s->dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 && errno != ENOENT) {
		rc = xsm__error_errno(ctx, XSM_EIO, "cannot open store '%s'", s->dir);
		goto done;
	}
	if (s->dfd >= 0 && (rc = check_safe(s)) < 0)
		goto done;
	if (s->dfd < 0 || (fstatat(s->dfd, "format", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)) {
		if (!(flags & XSM_STORE_CREATE)) {
			if (s->dfd >= 0)
				rc = xsm__error_set(ctx, XSM_ENOINPUT,
						    "'%s' is not an xsm store (it has no format file)", s->dir);
			else
				rc = xsm__error_set(ctx, XSM_ENOINPUT,
						    "no store at '%s'; run 'xsm init' or ingest data first", s->dir);
			goto done;
		}
		if (s->dfd >= 0)
			close(s->dfd);
		s->dfd = -1;
		if ((rc = create_store(s)) < 0 || (rc = check_safe(s)) < 0)
			goto done;
	}
	if ((rc = check_format(s)) < 0)
		goto done;
	if (flags & XSM_STORE_WRITE)
		rc = take_lock(s);
done:
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
	if (s->dfd >= 0)
		close(s->dfd);
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
	const char *leaf;
	int rc, pfd;
	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if ((rc = xsm__store_abspath(&path, s, relpath)) < 0)
		return rc;
	if ((pfd = xsm__fs_walk(s->dfd, relpath, DIR_MODE, &leaf)) < 0)
		rc = store_errno(s, errno == ENOSPC ? XSM_EIO : XSM_ECREATE, "cannot create", relpath);
	else
		rc = xsm__afile_openat(af, s->ctx, pfd, path.ptr, FILE_MODE, s->sync);
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
	int rc, fd;
	if (!cap)
		cap = (size_t)xsm__cfg_long(s->ctx, "http.max_body", 64L << 20);
	xsm_buf_clear(out);
	if ((fd = xsm__store_open(s, relpath)) < 0)
		return fd;
	if ((rc = xsm__store_abspath(&path, s, relpath)) == 0)
		rc = xsm__fs_read_fd(s->ctx, fd, path.ptr, out, cap);
	close(fd);
	xsm_buf_dispose(&path);
	return rc;
}

int xsm__store_yaml(xsm__ynode **out, xsm_store *s, const char *relpath, int optional)
{
	xsm_buf b = XSM_BUF_INIT, path = XSM_BUF_INIT;
	int rc = xsm_store_read(&b, s, relpath, 16 << 20);

	*out = NULL;
	if (rc == XSM_ENOTFOUND && optional) {
		xsm_ctx_clear(s->ctx);
		rc = 0;
	} else if (rc == 0 && (rc = xsm__store_abspath(&path, s, relpath)) == 0) {
		rc = xsm__yaml_parse(out, s->ctx, b.ptr, b.size, path.ptr);
	} else if (rc != XSM_ENOTFOUND && rc != XSM_ENOMEM && rc != XSM_EDENIED) {
		/* an unreadable configuration file is a configuration error, as xsm__yaml_load says */
		char msg[sizeof(s->ctx->msg)];
		snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(s->ctx));
		rc = xsm__error_set(s->ctx, XSM_ECONFIG, "%s", msg);
	}
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&path);
	return rc;
}

/* one append, whole or not at all; *undo (may be NULL) the length before */
static int store_append(xsm_store *s, const char *relpath, const char *line, off_t *undo)
{
	xsm_buf path = XSM_BUF_INIT, b = XSM_BUF_INIT, what = XSM_BUF_INIT;
	const char *leaf;
	int rc, pfd = -1;

	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if (xsm_buf_puts(&b, line) < 0 || xsm_buf_putc(&b, '\n') < 0 ||
	    xsm_buf_printf(&what, "'%s/%s'", s->dir, relpath) < 0) {
		rc = xsm__error_oom(s->ctx);
		goto done;
	}
	if ((pfd = xsm__fs_walk(s->dfd, relpath, DIR_MODE, &leaf)) < 0)
		rc = store_errno(s, XSM_EIO, "cannot append to", relpath);
	else
		rc = xsm__fs_append(s->ctx, pfd, leaf, what.ptr, b.ptr, b.size, FILE_MODE, s->sync, undo);
done:
	if (pfd >= 0)
		close(pfd);
	xsm_buf_dispose(&path);
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&what);
	return rc;
}

int xsm_store_append(xsm_store *s, const char *relpath, const char *line)
{
	return store_append(s, relpath, line, NULL);
}

int xsm__store_append_undo(xsm_store *s, const char *relpath, const char *line, off_t *undo)
{
	return store_append(s, relpath, line, undo);
}

int xsm__store_unappend(xsm_store *s, const char *relpath, off_t len)
{
	const char *leaf;
	int rc, pfd = xsm__fs_walk(s->dfd, relpath, 0, &leaf);
	if (pfd < 0)
		return store_errno(s, XSM_EIO, "cannot take back the end of", relpath);
	rc = xsm__fs_unappend(s->ctx, pfd, leaf, relpath, len, s->sync);
	close(pfd);
	return rc;
}

/*
 * One audit entry: {"time","user","action","target","detail"}, and for a
 * change "before" and "after" too; remembered so that xsm_store_audit_undo
 * can take it back when the change fails.
 */
static int audit_entry(xsm_store *s, const char *action, const char *target, const char *detail, int change,
		       const char *before, const char *after)
{
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	char t[21];
	off_t undo = -1;
	int rc;

	xsm_time_format(t, xsm_ctx_now(s->ctx));
	xsm_jw_init(&w, &b);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "time", t);
	xsm_jw_kstr(&w, "user", xsm__actor(s->ctx)); /* a served caller, else this process's user */
	xsm_jw_kstr(&w, "action", action);
	xsm_jw_kstr(&w, "target", target);
	xsm_jw_kstr(&w, "detail", detail);
	if (change) {
		xsm_jw_kstr(&w, "before", before);
		xsm_jw_kstr(&w, "after", after);
	}
	xsm_jw_obj_end(&w);
	rc = w.err ? xsm__error_oom(s->ctx) : store_append(s, "audit.jsonl", b.ptr, &undo);
	s->audit_undo = rc == 0 ? undo : -1;
	xsm_buf_dispose(&b);
	return rc;
}

int xsm_store_audit(xsm_store *s, const char *action, const char *target, const char *detail)
{
	return audit_entry(s, action, target, detail, 0, NULL, NULL);
}

int xsm_store_audit_change(xsm_store *s, const char *action, const char *target, const char *before, const char *after)
{
	return audit_entry(s, action, target, NULL, 1, before, after);
}

int xsm_store_audit_undo(xsm_store *s)
{
	int rc = 0;
	if (s->audit_undo >= 0)
		rc = xsm__store_unappend(s, "audit.jsonl", s->audit_undo);
	s->audit_undo = -1;
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int xsm_store_list(xsm_store *s, const char *relpath, int (*cb)(const char *, void *), void *payload)
{
	XSM__VEC(char *) names = { 0 };
	DIR *d;
	struct dirent *e;
	size_t i;
	int rc = 0, fd = store_open(s, relpath, O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : store_errno(s, XSM_EIO, "cannot list", relpath);
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
	return rc;
}

int xsm__store_tmpfile(xsm_store *s, const char *reldir, int *fd)
{
	xsm_buf rel = XSM_BUF_INIT;
	const char *leaf;
	int rc = 0, dfd = -1;

	*fd = -1;
	if (xsm_buf_printf(&rel, "%s/.", reldir) < 0)
		return xsm__error_oom(s->ctx);
	if ((dfd = xsm__fs_walk(s->dfd, rel.ptr, DIR_MODE, &leaf)) < 0) {
		rc = store_errno(s, XSM_EIO, "cannot create a temporary file in", reldir);
		goto done;
	}
#ifdef O_TMPFILE
	*fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, FILE_MODE);
#endif
	/* without O_TMPFILE: a name of this process's, made and unlinked at once */
	for (unsigned i = 0; *fd < 0 && i < 1000; i++) {
		char name[64];
		snprintf(name, sizeof(name), "download.%u.tmp.%ld", i, (long)getpid());
		if ((*fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, FILE_MODE)) >= 0)
			unlinkat(dfd, name, 0);
		else if (errno != EEXIST)
			break;
	}
	if (*fd < 0)
		rc = xsm__error_errno(s->ctx, XSM_EIO, "cannot create a temporary file in '%s/%s'", s->dir, reldir);
done:
	if (dfd >= 0)
		close(dfd);
	xsm_buf_dispose(&rel);
	return rc;
}

int xsm__store_rename(xsm_store *s, const char *relpath, const char *to)
{
	const char *leaf;
	int rc = 0, pfd;
	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if (strchr(to, '/') || !strcmp(to, "..") || !strcmp(to, "."))
		return xsm__error_set(s->ctx, XSM_EUSAGE, "refusing to rename '%s' to '%s'", relpath, to);
	if ((pfd = xsm__fs_walk(s->dfd, relpath, 0, &leaf)) < 0 || renameat(pfd, leaf, pfd, to) < 0 ||
	    (s->sync && fsync(pfd) < 0 && errno != EINVAL))
		rc = errno == ENOENT ? xsm__error_set(s->ctx, XSM_ENOTFOUND, "'%s/%s' does not exist", s->dir, relpath)
				     : store_errno(s, XSM_EIO, "cannot rename", relpath);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

int xsm_store_remove(xsm_store *s, const char *relpath)
{
	xsm_buf path = XSM_BUF_INIT;
	const char *leaf;
	int rc, pfd;
	if ((rc = need_lock(s, relpath)) < 0)
		return rc;
	if (strstr(relpath, "..") || relpath[0] == '/' || !relpath[0])
		return xsm__error_set(s->ctx, XSM_EUSAGE, "refusing to remove '%s'", relpath);
	if ((pfd = xsm__fs_walk(s->dfd, relpath, 0, &leaf)) < 0)
		return errno == ENOENT ? 0 : store_errno(s, XSM_EIO, "cannot remove", relpath);
	if ((rc = xsm__store_abspath(&path, s, relpath)) == 0)
		rc = xsm__fs_remove_at(s->ctx, pfd, leaf, path.ptr);
	close(pfd);
	xsm_buf_dispose(&path);
	return rc;
}
