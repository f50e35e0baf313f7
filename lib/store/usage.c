/* usage.c - what a store's files take, by part (xsm status). */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "exposure/store.h"
#include "util/alloc.h"
#include "util/vec.h"
#include "store/store.h"

struct fileid {
	dev_t dev;
	ino_t ino;
};

struct walk {
	XSM__VEC(struct fileid) linked; /* files with several names, counted once */
	int oom;
};

/* bytes under directory fd (closed here), depth levels at most */
static unsigned long long walk_dir(struct walk *w, int fd, int depth)
{
	unsigned long long bytes = 0;
	struct dirent *e;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((e = readdir(d))) {
		struct stat sb;
		int sub;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth > 0 && (sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
				bytes += walk_dir(w, sub, depth - 1);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if (sb.st_nlink > 1) {
			size_t i;
			for (i = 0; i < w->linked.n; i++)
				if (w->linked.v[i].dev == sb.st_dev && w->linked.v[i].ino == sb.st_ino)
					break;
			if (i < w->linked.n)
				continue;
			if (xsm__vec_push(&w->linked, ((struct fileid){ sb.st_dev, sb.st_ino })) < 0)
				w->oom = 1;
		}
		bytes += (unsigned long long)sb.st_size;
	}
	closedir(d);
	return bytes;
}

int xsm_store_usage_get(xsm_store_usage *out, xsm_store *store)
{
	static const char *const parts[] = { "graph", "records", "cache" };
	struct walk w;
	unsigned long long total;
	int top, fd;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	/* the store's own directory fd (a copy: the walk closes what it reads) */
	if ((top = fcntl(store->dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return xsm__error_errno(xsm_store_ctx(store), XSM_EIO, "cannot read '%s'", xsm_store_path(store));
	for (int k = 0; k < 3; k++) {
		unsigned long long b = 0;
		if ((fd = openat(top, parts[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
			b = walk_dir(&w, fd, 4);
		if (k == 0)
			out->snapshots = b;
		else if (k == 1)
			out->records = b;
		else
			out->cache = b;
	}
	/* the whole store, then what is not in the three parts (their files are already counted once) */
	w.linked.n = 0;
	total = walk_dir(&w, top, 6);
	total -= total > out->cache ? out->cache : total;
	out->other = total > out->snapshots + out->records ? total - out->snapshots - out->records : 0;
	xsm__vec_free(&w.linked);
	return w.oom ? xsm__error_oom(xsm_store_ctx(store)) : 0;
}
