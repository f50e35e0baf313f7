/* out.c - output helpers shared by the commands: errors, JSON, tables, progress. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int xsm_cli_exit_code(int e)
{
	switch (e) {
	case XSM_OK: return XSM_EXIT_OK;
	case XSM_ENOMEM: return XSM_EXIT_OSERR;
	case XSM_ENOTFOUND: return XSM_EXIT_NOINPUT;
	case XSM_ENOINPUT: return XSM_EXIT_NOINPUT;
	case XSM_EEXISTS: return XSM_EXIT_DATAERR;
	case XSM_EINVALID: return XSM_EXIT_DATAERR;
	case XSM_EFORMAT: return XSM_EXIT_DATAERR;
	case XSM_ECONFIG: return XSM_EXIT_CONFIG;
	case XSM_ELOCKED: return XSM_EXIT_TEMPFAIL;
	case XSM_ERATELIMIT: return XSM_EXIT_TEMPFAIL;
	case XSM_EIO: return XSM_EXIT_IOERR;
	case XSM_ENET: return XSM_EXIT_UNAVAILABLE;
	case XSM_EHTTP: return XSM_EXIT_PROTOCOL;
	case XSM_EPROTO: return XSM_EXIT_PROTOCOL;
	case XSM_EAUTH: return XSM_EXIT_NOPERM;
	case XSM_EDENIED: return XSM_EXIT_NOPERM;
	case XSM_EUSAGE: return XSM_EXIT_USAGE;
	case XSM_ECREATE: return XSM_EXIT_CANTCREAT;
	default: return XSM_EXIT_SOFTWARE;
	}
}

void xsm_cli_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("xsm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void xsm_cli_hint(const char *fmt, ...)
{
	va_list ap;
	fputs("hint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int xsm_cli_fail(struct xsm_cli *cli, int rc)
{
	const char *msg = xsm_ctx_errmsg(cli->ctx);
	if (!msg[0])
		msg = xsm_strerror(rc);
	if (cli->verbose)
		xsm_cli_error("%s (%s)", msg, xsm_error_name(rc));
	else
		xsm_cli_error("%s", msg);
	if (rc == XSM_ELOCKED)
		xsm_cli_hint("if no xsm is running, the lock is free: flock locks end with their process");
	return xsm_cli_exit_code(rc);
}

void xsm_cli_print_usage(FILE *out, const char *usage)
{
	/* one form a line: "usage: A" then "   or: B" (git style) */
	const char *p = usage;
	int first = 1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s%.*s\n", first ? "usage: " : "   or: ", (int)n, p);
		first = 0;
		p += n + (nl ? 1 : 0);
	}
}

int xsm_cli_usage(struct xsm_cli *cli, const char *fmt, ...)
{
	va_list ap;
	fputs("xsm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	xsm_cli_print_usage(stderr, cli && cli->cmd ? cli->cmd->usage
				 : "xsm [--store DIR] [--config FILE] [-c KEY=VALUE] "
				   "[--format=table|json|jsonl] [-q] [-v] COMMAND [ARGS]");
	return XSM_EXIT_USAGE;
}

int xsm_cli_emit(xsm_buf *b)
{
	if (b->size)
		fwrite(b->ptr, 1, b->size, stdout);
	fputc('\n', stdout);
	return 0;
}

void xsm_cli_list_row(const struct xsm_cli *cli, xsm_jw *w, xsm_buf *b)
{
	if (cli->format == XSM_FMT_JSONL) {
		xsm_cli_emit(b);
		xsm_buf_clear(b);
		xsm_jw_init(w, b);
	}
}

void xsm_cli_list_end(const struct xsm_cli *cli, xsm_jw *w, xsm_buf *b)
{
	if (cli->format == XSM_FMT_JSON) {
		xsm_jw_arr_end(w);
		xsm_jw_obj_end(w);
		xsm_cli_emit(b);
	}
}

int xsm_cli_parse_since(int64_t *out, const char *s, int64_t now)
{
	char *end;
	long n;
	if (xsm_time_parse(out, s) == 0)
		return 0;
	n = strtol(s, &end, 10);
	if (end == s || n < 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 'd': *out = now - (int64_t)n * 86400; return 0;
	case 'h': *out = now - (int64_t)n * 3600; return 0;
	case 'm': *out = now - (int64_t)n * 60; return 0;
	}
	return -1;
}

void xsm_cli_progress(struct xsm_cli *cli, int done, const char *fmt, ...)
{
	va_list ap;
	if (!cli->err_tty || cli->quiet)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (done)
		fputc('\n', stderr);
	fflush(stderr);
}

void xsm_table_init(struct xsm_table *t, int ncols, const char **head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->head = head;
}

void xsm_table_add(struct xsm_table *t, ...)
{
	va_list ap;
	const char **cells = malloc(((size_t)t->ncols + 1) * sizeof(*cells));
	if (!cells)
		return; /* out of memory: the row is dropped from human output */
	va_start(ap, t);
	for (int i = 0; i < t->ncols; i++)
		cells[i] = va_arg(ap, const char *);
	va_end(ap);
	xsm_table_addv(t, cells);
	free(cells);
}

void xsm_table_addv(struct xsm_table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*c));
		if (!c)
			return; /* out of memory: the row is dropped from human output */
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] = strdup(cells[i] ? cells[i] : "-");
	t->rows++;
}

int xsm_cli_digits(size_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* a count or a measure: digits with an optional sign, decimals and % */
static int numeric(const char *c)
{
	const char *p = c + (*c == '-' || *c == '+');
	int digits = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (*p == '%')
		p++;
	return digits && !*p;
}

void xsm_table_print(struct xsm_table *t, FILE *out)
{
	size_t w[32] = { 0 }, r;
	int text[32] = { 0 }, nums[32] = { 0 }, right[32] = { 0 }, i;
	for (i = 0; i < t->ncols && i < 32; i++)
		w[i] = strlen(t->head[i]);
	for (r = 0; r < t->rows; r++)
		for (i = 0; i < t->ncols && i < 32; i++) {
			const char *c = t->cells[r * (size_t)t->ncols + (size_t)i];
			size_t l = c ? strlen(c) : 1;
			if (l > w[i])
				w[i] = l;
			if (c && numeric(c))
				nums[i] = 1;
			else if (c && strcmp(c, "-"))
				text[i] = 1;
		}
	/* a column of numbers (and "-" where there is none) is right-aligned, so counts line up */
	for (i = 0; i < t->ncols && i < 32; i++)
		right[i] = nums[i] && !text[i];
	for (i = 0; i < t->ncols; i++)
		if (right[i])
			fprintf(out, "%*s%s", (int)w[i], t->head[i], i + 1 < t->ncols ? "  " : "\n");
		else if (i + 1 < t->ncols)
			fprintf(out, "%-*s  ", (int)w[i], t->head[i]);
		else
			fprintf(out, "%s\n", t->head[i]);
	for (r = 0; r < t->rows; r++)
		for (i = 0; i < t->ncols; i++) {
			const char *c = t->cells[r * (size_t)t->ncols + (size_t)i];
			if (right[i])
				fprintf(out, "%*s%s", (int)w[i], c ? c : "-", i + 1 < t->ncols ? "  " : "\n");
			else if (i + 1 < t->ncols)
				fprintf(out, "%-*s  ", (int)w[i], c ? c : "-");
			else
				fprintf(out, "%s\n", c ? c : "-");
		}
}

void xsm_table_free(struct xsm_table *t)
{
	size_t i;
	for (i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void xsm_cli_jw_billable(xsm_jw *w, size_t devices, size_t containers, size_t identities, size_t applications)
{
	xsm_jw_key(w, "billable");
	xsm_jw_obj(w);
	xsm_jw_kint(w, "devices", (int64_t)devices);
	xsm_jw_kint(w, "containers", (int64_t)containers);
	xsm_jw_kint(w, "identities", (int64_t)identities);
	xsm_jw_kint(w, "applications", (int64_t)applications);
	xsm_jw_obj_end(w);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* into a file that is not a regular one (a device, a pipe): it is written as it is, never replaced */
static int write_special(const char *path, const xsm_buf *data)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		xsm_cli_error("cannot write '%s': %s", path, strerror(errno));
		return XSM_EXIT_CANTCREAT;
	}
	if (write_all(fd, data->ptr ? data->ptr : "", data->size) < 0 || close(fd) < 0) {
		xsm_cli_error("cannot write '%s': %s", path, strerror(errno));
		return XSM_EXIT_IOERR;
	}
	return 0;
}

int xsm_cli_refuse_tty(const struct xsm_cli *cli, const char *path, const char *what, const char *example)
{
	if ((path && strcmp(path, "-")) || !cli->tty)
		return 0;
	xsm_cli_error("not writing %s to a terminal", what);
	xsm_cli_hint("give a file: %s  (or redirect standard output)", example);
	return XSM_EXIT_USAGE;
}

static int write_file(const char *path, const xsm_buf *data)
{
	xsm_buf tmp = XSM_BUF_INIT;
	struct stat st;
	int fd, code = 0;

	if (!path || !strcmp(path, "-")) {
		fflush(stdout);
		if (write_all(STDOUT_FILENO, data->ptr ? data->ptr : "", data->size) < 0) {
			if (errno != EPIPE)
				xsm_cli_error("cannot write output: %s", strerror(errno));
			return XSM_EXIT_IOERR;
		}
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_special(path, data);
	if (xsm_buf_printf(&tmp, "%s.xsm-XXXXXX", path) < 0) {
		xsm_cli_error("out of memory");
		return XSM_EXIT_OSERR;
	}
	/* mkstemp makes the file 0600: a report is as sensitive as the store it comes from */
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		xsm_cli_error("cannot create '%s': %s", path, strerror(errno));
		xsm_buf_dispose(&tmp);
		return XSM_EXIT_CANTCREAT;
	}
	if (write_all(fd, data->ptr ? data->ptr : "", data->size) < 0 || fsync(fd) < 0) {
		xsm_cli_error("cannot write '%s': %s", path, strerror(errno));
		code = XSM_EXIT_IOERR;
	}
	if (close(fd) < 0 && !code) {
		xsm_cli_error("cannot write '%s': %s", path, strerror(errno));
		code = XSM_EXIT_IOERR;
	}
	if (!code && rename(tmp.ptr, path) < 0) {
		xsm_cli_error("cannot create '%s': %s", path, strerror(errno));
		code = XSM_EXIT_CANTCREAT;
	}
	if (code)
		unlink(tmp.ptr);
	xsm_buf_dispose(&tmp);
	return code;
}

int xsm_cli_write_file(const struct xsm_cli *cli, const char *path, const xsm_buf *data)
{
	int code = write_file(path, data);
	if (code == 0 && path && strcmp(path, "-") && !cli->quiet)
		fprintf(stderr, "wrote %s (%zu bytes)\n", path, data->size);
	return code;
}
