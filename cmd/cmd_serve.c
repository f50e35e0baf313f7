/*
 * cmd_serve.c - xsm serve: a shared store behind a Unix socket, with roles;
 * and the client side every other command uses when the store is served.
 *
 * The protocol (xsm-serve(1)): the client connects and sends one request,
 *
 *   "XSM1" | u32 length (big-endian) | argv strings, each ending in NUL
 *
 * in one sendmsg(2) that carries its standard input, output and error as
 * SCM_RIGHTS.  The server learns the caller from SO_PEERCRED, checks the
 * role the command needs, runs the command in a child of its own with the
 * caller's three descriptors as its own (so output, a terminal's tables and
 * `-` input behave as they would locally) and answers
 *
 *   "XSM1" | i32 exit code (big-endian)
 *
 * then closes.  A denial is written on the caller's standard error and
 * answered with 77.
 */
#define _GNU_SOURCE /* SO_PEERCRED and struct ucred, accept4, pipe2, POLLRDHUP */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define MAGIC "XSM1"
#define MAX_REQUEST (64 * 1024)
#define MAX_ARGS 1024
#define MAX_GROUPS 256

const struct xsm_served *xsm_served;

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* --- the client ------------------------------------------------------------ */

int xsm_cli_served_socket(struct xsm_cli *cli, xsm_buf *out)
{
	const char *s = cli->store_opt && *cli->store_opt ? cli->store_opt : getenv("XSM_STORE");
	struct stat st;

	const char *sock = cli->cfg ? xsm_config_get(cli->cfg, "store.socket") : NULL;

	xsm_buf_clear(out);
	if (s && *s) {
		if (stat(s, &st) == 0 && S_ISSOCK(st.st_mode))
			return xsm_buf_set(out, s) < 0 ? -1 : 1;
		/* the served store's own directory, which only its owner can enter: go through its socket */
		if (sock && *sock &&
		    (stat(s, &st) == 0 ? S_ISDIR(st.st_mode) && access(s, X_OK) != 0 : errno == EACCES))
			return xsm_buf_set(out, sock) < 0 ? -1 : 1;
		return 0;
	}
	if (sock && *sock)
		return xsm_buf_set(out, sock) < 0 ? -1 : 1;
	return 0;
}

int xsm_cli_client(struct xsm_cli *cli, const char *sock, int argc, const char **argv)
{
	struct sockaddr_un sa;
	xsm_buf req = XSM_BUF_INIT;
	unsigned char hdr[8], resp[8];
	int fds[3], opened[3] = { -1, -1, -1 }, fd = -1, code;
	char cbuf[CMSG_SPACE(sizeof(fds))];
	struct msghdr mh;
	struct iovec iov[2];
	struct cmsghdr *cm;

	if (strlen(sock) >= sizeof(sa.sun_path)) {
		xsm_cli_error("socket path '%s' is too long", sock);
		return XSM_EXIT_USAGE;
	}
	/* argv as the server's command line sees it: the global options that change output, then the command */
	xsm_buf_put(&req, "xsm", 4);
	if (cli->format_name)
		xsm_buf_printf(&req, "--format=%s", cli->format_name), xsm_buf_putc(&req, '\0');
	if (cli->quiet)
		xsm_buf_put(&req, "-q", 3);
	for (int i = 0; i < cli->verbose && i < 4; i++)
		xsm_buf_put(&req, "-v", 3);
	for (int i = 0; i < argc; i++)
		xsm_buf_put(&req, argv[i], strlen(argv[i]) + 1);
	if (!req.ptr || req.size > MAX_REQUEST) {
		xsm_buf_dispose(&req);
		xsm_cli_error("command line too long for the store server");
		return XSM_EXIT_USAGE;
	}
	for (int i = 0; i < 3; i++) {
		fds[i] = i;
		if (fcntl(i, F_GETFD) < 0)
			fds[i] = opened[i] = open("/dev/null", i ? O_WRONLY : O_RDONLY | O_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		xsm_cli_error("cannot reach the store server at '%s': %s", sock, strerror(errno));
		code = errno == EACCES ? XSM_EXIT_NOPERM : XSM_EXIT_UNAVAILABLE;
		goto done;
	}
	/*
	 * Hand our descriptors only to a server that owns its socket, in a
	 * directory no one else could have put a socket in: not to whoever
	 * got to a world-writable place first.
	 */
	{
		struct ucred cr;
		socklen_t crlen = sizeof(cr);
		struct stat ss, ds;
		char dir[sizeof(sa.sun_path)], *slash;
		memcpy(dir, sock, strlen(sock) + 1);
		if ((slash = strrchr(dir, '/')))
			*(slash == dir ? slash + 1 : slash) = '\0';
		else
			memcpy(dir, ".", 2);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0 || lstat(sock, &ss) < 0 || stat(dir, &ds) < 0) {
			xsm_cli_error("cannot check the store server at '%s': %s", sock, strerror(errno));
			code = XSM_EXIT_UNAVAILABLE;
			goto done;
		}
		if (ss.st_uid != cr.uid || (ds.st_uid != 0 && ds.st_uid != cr.uid) || (ds.st_mode & 022)) {
			xsm_cli_error("refusing the store server at '%s': the socket must belong to the server's account "
				      "(uid %u) in a directory only it or root can write",
				      sock, (unsigned)cr.uid);
			code = XSM_EXIT_NOPERM;
			goto done;
		}
	}
	memcpy(hdr, MAGIC, 4);
	put_u32(hdr + 4, (uint32_t)req.size);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = req.ptr;
	iov[1].iov_len = req.size;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	{
		ssize_t w;
		size_t total = sizeof(hdr) + req.size;
		while ((w = sendmsg(fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
			;
		/* a short send: the rest goes without the descriptors, which went with the first byte */
		if (w > 0 && (size_t)w < total) {
			xsm_buf rest = XSM_BUF_INIT;
			xsm_buf_put(&rest, hdr, sizeof(hdr));
			xsm_buf_put(&rest, req.ptr, req.size);
			w = write_full(fd, rest.ptr + w, total - (size_t)w) < 0 ? -1 : (ssize_t)total;
			xsm_buf_dispose(&rest);
		}
		if (w < 0) {
			xsm_cli_error("cannot send the request to '%s': %s", sock, strerror(errno));
			code = XSM_EXIT_UNAVAILABLE;
			goto done;
		}
	}
	/* the command writes straight to our descriptors; we wait for its exit code */
	if (read_full(fd, resp, sizeof(resp)) < 0 || memcmp(resp, MAGIC, 4)) {
		xsm_cli_error("the store server at '%s' closed the connection without an answer", sock);
		code = XSM_EXIT_PROTOCOL;
		goto done;
	}
	code = (int)(int32_t)get_u32(resp + 4);
	if (code < 0 || code > 255)
		code = XSM_EXIT_PROTOCOL;
done:
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 3; i++)
		if (opened[i] >= 0)
			close(opened[i]);
	xsm_buf_dispose(&req);
	return code;
}

/* --- what a request asks for ------------------------------------------------ */

/* the value of option name in argv (--name V, --name=V, or -c V for a short one), or NULL */
static const char *opt_value(int argc, const char **argv, int i, const char *a, size_t namelen)
{
	if (a[namelen] == '=')
		return a + namelen + 1;
	return i + 1 < argc ? argv[i + 1] : "";
}

/*
 * Arguments that would make the server touch its own files for the
 * caller (a confused deputy): output files, secret and CA files, a file
 * connector, an input file.  NULL when none; else why.
 */
static const char *unsafe_args(int argc, const char **argv)
{
	const char *cmd = argv[0];
	int records = 0;
	const char *lastpos = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				lastpos = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			lastpos = a;
			continue;
		}
		if (!strcmp(a, "-o") || !strncmp(a, "--output", 8)) {
			v = !strcmp(a, "-o") ? (i + 1 < argc ? argv[i + 1] : "") : opt_value(argc, argv, i, a, 8);
			if (strcmp(v, "-"))
				return "an output file would be written by the server: write to standard output (-o -) instead";
		}
		if (a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a) : strlen(a);
			if ((n > 7 && !strncmp(a + n - 5, "-file", 5)) || !strncmp(a, "--cacert", 8))
				return "a file named on the command line would be read by the server: "
				       "give secrets with --SECRET-stdin, and configure CA files as the service account";
			if (!strncmp(a, "--set", 5) && (n == 5)) {
				v = opt_value(argc, argv, i, a, 5);
				if (strstr(v, "_file=") || !strncmp(v, "path=", 5) || strstr(v, "cacert"))
					return "a file named in a setting would be read by the server";
			}
			if (!strncmp(a, "--format", 8) && n == 8 && !strcmp(opt_value(argc, argv, i, a, 8), "records"))
				records = 1;
		}
	}
	if (!strcmp(cmd, "ingest") && records && lastpos && strcmp(lastpos, "-"))
		return "an input file would be read by the server: give it on standard input (-)";
	if (!strcmp(cmd, "connect") && argc > 2 && !strcmp(argv[1], "add") && !strcmp(argv[2], "file"))
		return "a file connector reads the server's files: add it as the service account";
	return NULL;
}

/* the first positional argument after argv[0], or "" */
static const char *sub_of(int argc, const char **argv, int from)
{
	for (int i = from; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1 < argc ? argv[i + 1] : "";
		if (a[0] != '-' || !a[1])
			return a;
		/* the options that take a value before a subcommand: none do today but --format */
		if (!strcmp(a, "--format"))
			i++;
	}
	return "";
}

static int has_opt(int argc, const char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], name, n) && (argv[i][n] == '\0' || argv[i][n] == '='))
			return 1;
	}
	return 0;
}

/*
 * The action (a row of roles.yaml) a command line needs; a second one in
 * *also when it needs two (insights set --state --weight).  NULL for a
 * command the server does not run.
 */
const char *xsm_cli_action(int argc, const char **argv, const char **also)
{
	const char *cmd = argv[0], *sub = sub_of(argc, argv, 1);

	*also = NULL;
	if (!strcmp(cmd, "access")) {
		if (!strcmp(sub, "grant") || !strcmp(sub, "revoke"))
			return "access.grant";
		if (!strcmp(sub, "whoami"))
			return ""; /* anyone may ask who they are */
		return "access.view";
	}
	if (!strcmp(cmd, "audit"))
		return "audit.view";
	if (!strcmp(cmd, "status"))
		return "connect.view";
	if (!strcmp(cmd, "connect"))
		return !strcmp(sub, "add") || !strcmp(sub, "remove") || !strcmp(sub, "test") ? "connect.manage"
											      : "connect.view";
	if (!strcmp(cmd, "ingest"))
		return "connect.manage";
	if (!strcmp(cmd, "events"))
		return "insights.view";
	if (!strcmp(cmd, "gc"))
		return "store.maintain";
	if (!strcmp(cmd, "paths"))
		return "graph.query";
	if (!strcmp(cmd, "report")) { /* paths, critical assets and scores on one page */
		*also = "insights.view";
		return "graph.query";
	}
	if (!strcmp(cmd, "graph")) {
		if (!strcmp(sub, "build"))
			return "connect.manage";
		/* graph tag lists; graph tag NAME [SNAPSHOT] and graph tag --delete NAME change */
		if (!strcmp(sub, "tag") &&
		    (has_opt(argc, argv, "--delete") || has_opt(argc, argv, "-d") || sub_of(argc, argv, 2)[0]))
			return "store.maintain";
		return "graph.query";
	}
	if (!strcmp(cmd, "critical")) {
		if (!strcmp(sub, "set") || !strcmp(sub, "unset"))
			return "critical.level";
		if (!strcmp(sub, "rule")) {
			int k = 0;
			const char *op = "";
			for (int i = 1; i < argc; i++) {
				if (argv[i][0] == '-' && argv[i][1]) {
					if (!strcmp(argv[i], "--format"))
						i++;
					continue;
				}
				if (k++ == 1) {
					op = argv[i];
					break;
				}
			}
			if (!strcmp(op, "add") || !strcmp(op, "edit") || !strcmp(op, "remove"))
				return "critical.rule.edit";
			if (!strcmp(op, "enable") || !strcmp(op, "disable") || !strcmp(op, "level"))
				return "critical.rule.toggle";
			return "graph.query";
		}
		return "graph.query";
	}
	if (!strcmp(cmd, "insights")) {
		if (!strcmp(sub, "target") || !strcmp(sub, "set-target"))
			return "insights.target";
		if (!strcmp(sub, "weight")) {
			int k = 0;
			for (int i = 1; i < argc; i++) {
				if (argv[i][0] == '-' && argv[i][1]) {
					if (!strcmp(argv[i], "--format"))
						i++;
					continue;
				}
				if (k++ == 2)
					return !strcmp(argv[i], "accepted") ? "insights.recommendations" : "insights.weight";
			}
			return "insights.weight";
		}
		if (!strcmp(sub, "set")) {
			int state = has_opt(argc, argv, "--state"), weight = has_opt(argc, argv, "--weight");
			if (state && weight) {
				*also = "insights.weight";
				return "insights.recommendations";
			}
			return weight ? "insights.weight" : "insights.recommendations";
		}
		return "insights.view";
	}
	return NULL;
}

/* --- the server ------------------------------------------------------------- */

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

struct request {
	int fds[3];
	int nfds;
	char *buf;
	const char *argv[MAX_ARGS + 1];
	int argc;
};

static int read_request(int sock, struct request *r)
{
	unsigned char hdr[8];
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	ssize_t got;
	uint32_t len;
	size_t i;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = hdr;
	iov.iov_len = sizeof(hdr);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	while ((got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL)) < 0 && errno == EINTR)
		;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (r->nfds < 3)
					r->fds[r->nfds++] = fd;
				else
					close(fd);
			}
		}
	if (got != (ssize_t)sizeof(hdr) || (mh.msg_flags & MSG_CTRUNC) || memcmp(hdr, MAGIC, 4) || r->nfds != 3)
		return -1;
	len = get_u32(hdr + 4);
	if (len < 2 || len > MAX_REQUEST || !(r->buf = malloc(len)) || read_full(sock, r->buf, len) < 0 ||
	    r->buf[len - 1] != '\0')
		return -1;
	for (i = 0; i < len && r->argc < MAX_ARGS; i += strlen(r->buf + i) + 1)
		r->argv[r->argc++] = r->buf + i;
	r->argv[r->argc] = NULL;
	return i == len ? 0 : -1;
}

static void answer(int sock, int code)
{
	unsigned char resp[8];
	memcpy(resp, MAGIC, 4);
	put_u32(resp + 4, (uint32_t)code);
	(void)write_full(sock, resp, sizeof(resp));
}

/* the caller's groups by name (SO_PEERCRED gives the uid and primary gid; the rest come from the group database) */
static size_t caller_groups(const struct passwd *pw, gid_t gid, char **names, size_t max)
{
	gid_t gids[MAX_GROUPS];
	int ng = MAX_GROUPS;
	size_t n = 0;
	if (getgrouplist(pw->pw_name, gid, gids, &ng) < 0)
		ng = MAX_GROUPS;
	for (int i = 0; i < ng && n < max; i++) {
		struct group *gr = getgrgid(gids[i]);
		if (gr && (names[n] = strdup(gr->gr_name)))
			n++;
	}
	return n;
}

struct server {
	const char *store_dir;
	const char *config_opt;
};

/* one connection, in a process of its own */
static int handle(int sock, const struct server *srv)
{
	struct request r;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	struct timeval tv = { 30, 0 };
	struct passwd *pw;
	char *user = NULL, what[160];
	char *groups[MAX_GROUPS];
	size_t ngroups = 0;
	xsm_ctx *ctx = NULL;
	xsm_config *cfg = NULL;
	xsm_store *store = NULL;
	xsm_access *acc = NULL;
	xsm_buf scope = XSM_BUF_INIT, why = XSM_BUF_INIT;
	struct xsm_served served;
	const char *action = NULL, *also = NULL, *bad;
	int code = XSM_EXIT_SOFTWARE, i, cmdi, rc;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	memset(&served, 0, sizeof(served));
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0 || read_request(sock, &r) < 0) {
		fprintf(stderr, "xsm serve: a malformed request; dropped\n");
		for (i = 0; i < r.nfds; i++)
			close(r.fds[i]);
		return 1;
	}
	if (!(pw = getpwuid(cr.uid))) {
		dprintf(r.fds[2], "xsm: denied: uid %u has no user name\n", (unsigned)cr.uid);
		code = XSM_EXIT_NOPERM;
		goto reply;
	}
	/* getpwuid's record is overwritten by the next lookup: keep the name */
	if (!(user = strdup(pw->pw_name))) {
		code = XSM_EXIT_OSERR;
		goto reply;
	}
	ngroups = caller_groups(pw, cr.gid, groups, MAX_GROUPS);
	/* global options: only those that shape output pass; the store is the server's */
	for (cmdi = 1; cmdi < r.argc && r.argv[cmdi][0] == '-'; cmdi++) {
		const char *a = r.argv[cmdi];
		if (!strcmp(a, "-q") || !strcmp(a, "-v") || !strncmp(a, "--format=", 9))
			continue;
		dprintf(r.fds[2], "xsm: option '%s' does not pass to a served store\n", a);
		code = XSM_EXIT_USAGE;
		goto reply;
	}
	if (cmdi >= r.argc || !xsm_command_find(r.argv[cmdi]) ||
	    !(xsm_command_find(r.argv[cmdi])->flags & XSM_NEED_STORE)) {
		dprintf(r.fds[2], "xsm: '%s' does not run on a served store\n", cmdi < r.argc ? r.argv[cmdi] : "");
		code = XSM_EXIT_USAGE;
		goto reply;
	}
	if ((bad = unsafe_args(r.argc - cmdi, r.argv + cmdi))) {
		dprintf(r.fds[2], "xsm: refused on a served store: %s\n", bad);
		code = XSM_EXIT_NOPERM;
		goto reply;
	}
	{
		size_t wl = 0;
		int words = 0;
		what[0] = '\0';
		for (i = cmdi; i < r.argc && words < 3; i++) {
			const char *a = r.argv[i];
			if (a[0] == '-' && a[1])
				continue;
			if (wl + strlen(a) + 2 >= sizeof(what))
				break;
			wl += (size_t)snprintf(what + wl, sizeof(what) - wl, "%s%s", words ? " " : "", a);
			/* the first word after the command is a subcommand; a second only for "critical rule" */
			if (++words == 2 && strcmp(r.argv[cmdi], "critical") != 0)
				break;
			if (words == 2 && strcmp(a, "rule"))
				break;
		}
	}
	action = xsm_cli_action(r.argc - cmdi, r.argv + cmdi, &also);
	if (!action) {
		dprintf(r.fds[2], "xsm: '%s' does not run on a served store\n", r.argv[cmdi]);
		code = XSM_EXIT_USAGE;
		goto reply;
	}
	/* the table, the profile and the grants as they are now: a grant counts from the next request */
	if (xsm_ctx_new(&ctx) < 0 || (rc = xsm_config_load(&cfg, ctx, srv->config_opt, srv->store_dir)) < 0 ||
	    (code = xsm_cli_apply_settings(ctx, cfg)) != 0 || (xsm_ctx_set_config(ctx, cfg), 0) ||
	    (rc = xsm_store_open(&store, ctx, srv->store_dir, 0)) < 0 || (rc = xsm_access_load(&acc, store)) < 0) {
		dprintf(r.fds[2], "xsm: the store server cannot check roles: %s\n", ctx ? xsm_ctx_errmsg(ctx) : "out of memory");
		fprintf(stderr, "xsm serve: cannot check roles: %s\n", ctx ? xsm_ctx_errmsg(ctx) : "out of memory");
		code = XSM_EXIT_CONFIG;
		goto reply;
	}
	{
		xsm_principal p;

		int ok = 1;
		p.user = user;
		p.groups = (const char *const *)groups;
		p.ngroups = ngroups;
		p.owner = cr.uid == 0 || cr.uid == geteuid();
		if (*action && (ok = xsm_access_check(acc, &p, action, &scope, &why)) == 1 && also) {
			xsm_buf s2 = XSM_BUF_INIT;
			ok = xsm_access_check(acc, &p, also, &s2, &why);
			xsm_buf_dispose(&s2);
			action = ok == 1 ? action : also;
		}
		if (ok == 1 && scope.size) {
			/* what a scope cannot show: the seed's scoped user sees no attack paths; logs name any device */
			const char *cmd = r.argv[cmdi];
			if (!strcmp(cmd, "paths") && !strcmp(xsm_access_scope_mode(acc), "no-paths")) {
				ok = 0;
				xsm_buf_clear(&why);
				xsm_buf_printf(&why, "attack paths need a role without a scope in profile '%s'",
					       xsm_access_profile(acc));
			} else if (!strcmp(cmd, "audit") || !strcmp(cmd, "report")) {
				ok = 0;
				xsm_buf_clear(&why);
				xsm_buf_printf(&why, "'%s' names devices of every scope: it needs a role without a scope", cmd);
			}
		}
		if (ok != 1) {
			if (ok < 0)
				dprintf(r.fds[2], "xsm: %s\n", xsm_ctx_errmsg(ctx));
			else
				dprintf(r.fds[2], "xsm: denied: '%s' %s\n", what, why.ptr ? why.ptr : "");
			fprintf(stderr, "xsm serve: %s (uid %u): '%s': denied (%s)\n", user, (unsigned)cr.uid, what, action);
			code = ok < 0 ? XSM_EXIT_CONFIG : XSM_EXIT_NOPERM;
			goto reply;
		}
	}
	served.user = user;
	served.uid = (unsigned)cr.uid;
	served.groups = (const char *const *)groups;
	served.ngroups = ngroups;
	served.owner = cr.uid == 0 || cr.uid == geteuid();
	served.store_dir = srv->store_dir;
	served.config_opt = srv->config_opt;
	served.scope = scope.ptr ? scope.ptr : "";
	served.paths_in_scope = !strcmp(xsm_access_scope_mode(acc), "in-scope-paths");
	served.profile = xsm_access_profile(acc);
	fflush(NULL);
	{
		int pipefd[2];
		if (pipe2(pipefd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
			dprintf(r.fds[2], "xsm: the store server cannot run the command: %s\n", strerror(errno));
			code = XSM_EXIT_OSERR;
			goto reply;
		}
		if (pid == 0) {
			/* the command, with the caller's descriptors as its own */
			close(sock);
			close(pipefd[0]);
			for (i = 0; i < 3; i++)
				if (dup2(r.fds[i], i) < 0)
					_exit(XSM_EXIT_OSERR);
			for (i = 0; i < 3; i++)
				if (r.fds[i] > 2)
					close(r.fds[i]);
			signal(SIGPIPE, SIG_DFL);
			xsm_access_free(acc);
			xsm_store_free(store);
			xsm_served = &served;
			code = xsm_cli_main(r.argc, r.argv);
			fflush(NULL);
			_exit(code);
		}
		close(pipefd[1]);
		/* wait for the command; a caller that goes away (Ctrl-C) stops it */
		for (;;) {
			struct pollfd pf[2] = { { pipefd[0], POLLIN, 0 }, { sock, POLLRDHUP, 0 } };
			int status;
			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				break;
			if (pf[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
				kill(pid, SIGTERM);
				waitpid(pid, &status, 0);
				code = 128 + SIGTERM;
				break;
			}
			if (pf[0].revents) {
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				code = WIFEXITED(status) ? WEXITSTATUS(status)
					: WIFSIGNALED(status) ? 128 + WTERMSIG(status) : XSM_EXIT_SOFTWARE;
				break;
			}
		}
		close(pipefd[0]);
	}
reply:
	answer(sock, code);
	for (i = 0; i < r.nfds; i++)
		close(r.fds[i]);
	for (size_t k = 0; k < ngroups; k++)
		free(groups[k]);
	free(r.buf);
	free(user);
	xsm_buf_dispose(&scope);
	xsm_buf_dispose(&why);
	xsm_access_free(acc);
	xsm_store_free(store);
	xsm_config_free(cfg);
	xsm_ctx_free(ctx);
	return 0;
}

/* a socket left by a server that is gone may be replaced; a live one may not */
static int stale_socket(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 1 : 0;
	if (!S_ISSOCK(st.st_mode))
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED;
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}

int cmd_serve(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sock_opt = NULL, *pos[1];
	struct xsm_opt opts[] = {
		{ "socket", 's', XSM_OPT_STR, &sock_opt, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_buf dir = XSM_BUF_INIT, sockpath = XSM_BUF_INIT;
	xsm_store *store = NULL;
	xsm_config *cfg = NULL;
	struct server srv;
	struct sockaddr_un sa;
	struct sigaction sact;
	struct stat st;
	int n, rc, code = 0, lfd = -1;
	const char *s;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if (xsm_served) {
		xsm_cli_error("'serve' does not run on a served store");
		return XSM_EXIT_USAGE;
	}
	/* the store: a directory this account owns (never a socket) */
	if (cli->store_opt && *cli->store_opt)
		rc = xsm_store_resolve(&dir, cli->ctx, cli->store_opt);
	else
		rc = xsm_store_resolve(&dir, cli->ctx, NULL);
	if (rc < 0)
		return xsm_cli_fail(cli, rc);
	if ((rc = xsm_store_open(&store, cli->ctx, dir.ptr, 0)) < 0) {
		code = xsm_cli_fail(cli, rc);
		goto done;
	}
	if (stat(dir.ptr, &st) < 0 || st.st_uid != geteuid()) {
		xsm_cli_error("store '%s' belongs to uid %u, not to this account (uid %u): serve it as its owner",
			      dir.ptr, (unsigned)st.st_uid, (unsigned)geteuid());
		code = XSM_EXIT_NOPERM;
		goto done;
	}
	if (st.st_mode & 077) {
		xsm_cli_error("store '%s' is open to other users (mode %04o): chmod 700 it; they go through the socket",
			      dir.ptr, (unsigned)(st.st_mode & 07777));
		code = XSM_EXIT_NOPERM;
		goto done;
	}
	/* the store's own settings (access.profile, store.socket) */
	if ((rc = xsm_config_load(&cfg, cli->ctx, cli->config_opt, dir.ptr)) < 0 ||
	    (code = xsm_cli_apply_settings(cli->ctx, cfg)) != 0) {
		if (rc < 0)
			code = xsm_cli_fail(cli, rc);
		goto done;
	}
	xsm_ctx_set_config(cli->ctx, cfg);
	{
		xsm_access *acc = NULL;
		if ((rc = xsm_access_load(&acc, store)) < 0) {
			code = xsm_cli_fail(cli, rc);
			goto done;
		}
		xsm_access_free(acc);
	}
	if (sock_opt && *sock_opt)
		xsm_buf_set(&sockpath, sock_opt);
	else if ((s = xsm_config_get(cfg, "store.socket")) && *s)
		xsm_buf_set(&sockpath, s);
	else if ((s = getenv("RUNTIME_DIRECTORY")) && *s)
		xsm_buf_printf(&sockpath, "%s/xsm.sock", s);
	else {
		code = xsm_cli_usage(cli, "where to listen: give --socket PATH (or set store.socket)");
		goto done;
	}
	if (sockpath.size >= sizeof(sa.sun_path)) {
		code = xsm_cli_usage(cli, "socket path '%s' is too long", sockpath.ptr);
		goto done;
	}
	if (!stale_socket(sockpath.ptr)) {
		xsm_cli_error("'%s' exists%s; not replacing it", sockpath.ptr,
			      lstat(sockpath.ptr, &st) == 0 && S_ISSOCK(st.st_mode) ? " and a server answers on it" : "");
		code = XSM_EXIT_CANTCREAT;
		goto done;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sockpath.ptr, sockpath.size + 1);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    /* anyone may connect: the role table decides what they may do */
	    chmod(sockpath.ptr, 0666) < 0 || listen(lfd, 64) < 0) {
		xsm_cli_error("cannot listen on '%s': %s", sockpath.ptr, strerror(errno));
		code = XSM_EXIT_CANTCREAT;
		goto done;
	}
	memset(&sact, 0, sizeof(sact));
	sact.sa_handler = on_stop; /* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGINT, &sact, NULL);
	sact.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sact, NULL);
	sigaction(SIGCHLD, &sact, NULL); /* connections are reaped by the kernel */
	if (!cli->quiet)
		fprintf(stderr, "xsm serve: serving '%s' on '%s'\n", dir.ptr, sockpath.ptr);
	srv.store_dir = dir.ptr;
	srv.config_opt = cli->config_opt;
	xsm_store_free(store);
	store = NULL;
	while (!stopping) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;
		if (c < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				fprintf(stderr, "xsm serve: accept: %s\n", strerror(errno));
			continue;
		}
		fflush(NULL);
		if ((pid = fork()) == 0) {
			close(lfd);
			sact.sa_handler = SIG_DFL;
			sigaction(SIGCHLD, &sact, NULL);
			sigaction(SIGTERM, &sact, NULL);
			sigaction(SIGINT, &sact, NULL);
			_exit(handle(c, &srv));
		}
		if (pid < 0)
			fprintf(stderr, "xsm serve: fork: %s\n", strerror(errno));
		close(c);
	}
	if (!cli->quiet)
		fprintf(stderr, "xsm serve: stopped\n");
done:
	if (lfd >= 0) {
		close(lfd);
		unlink(sockpath.ptr);
	}
	xsm_store_free(store);
	xsm_buf_dispose(&dir);
	xsm_buf_dispose(&sockpath);
	if (cfg) {
		xsm_ctx_set_config(cli->ctx, cli->cfg);
		xsm_config_free(cfg);
	}
	return code;
}
