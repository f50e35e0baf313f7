/* audit.c - who acts (the caller a server serves), and audit entries with before and after. */
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "exposure/access.h"
#include "exposure/jsonw.h"
#include "util/alloc.h"
#include "util/buf.h"

int xsm_ctx_set_actor(xsm_ctx *ctx, const char *user)
{
	char *s = NULL;
	if (user && !(s = xsm__strdup(user)))
		return xsm__error_oom(ctx);
	xsm__free(ctx->actor);
	ctx->actor = s;
	return 0;
}

const char *xsm_ctx_actor(const xsm_ctx *ctx)
{
	return ctx->actor;
}

int xsm_ctx_set_scope(xsm_ctx *ctx, const char *expr, int paths_too)
{
	char *s = NULL;
	if (expr && !(s = xsm__strdup(expr)))
		return xsm__error_oom(ctx);
	xsm__free(ctx->scope);
	ctx->scope = s;
	ctx->scope_paths = paths_too;
	return 0;
}

const char *xsm_ctx_scope(const xsm_ctx *ctx)
{
	return ctx->scope;
}

const char *xsm__actor(const xsm_ctx *ctx)
{
	struct passwd *pw;
	if (ctx->actor)
		return ctx->actor;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_name : "?";
}

/* --- reading the log ---------------------------------------------------------- */

#include <fcntl.h>

#include "adapt/json.h"
#include "util/lines.h"

int xsm_audit_list(xsm_store *store, int64_t since, const char *user, const char *action,
		   int (*cb)(const xsm_audit_entry *e, void *payload), void *payload)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_buf path = XSM_BUF_INIT;
	xsm__lines r;
	const char *line;
	size_t len;
	int fd, n, rc = 0;

	if (xsm_buf_printf(&path, "%s/audit.jsonl", xsm_store_path(store)) < 0)
		return xsm__error_oom(ctx);
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		xsm_buf_dispose(&path);
		return 0; /* nothing changed yet */
	}
	if (xsm__lines_init(&r, fd, 1 << 20) < 0) {
		close(fd);
		xsm_buf_dispose(&path);
		return xsm__error_oom(ctx);
	}
	while (rc == 0 && (n = xsm__lines_next(&r, &line, &len)) != 0) {
		xsm__json *j = NULL;
		xsm_audit_entry e;
		int64_t t = 0;
		if (n < 0 || !len)
			continue;
		if (xsm__json_parse(&j, ctx, line, len, "audit.jsonl: ") < 0) {
			/* a torn last line (a crash mid-append) is skipped, not fatal */
			xsm_ctx_clear(ctx);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.time = xsm__json_getstr(j, "time");
		e.user = xsm__json_getstr(j, "user");
		e.action = xsm__json_getstr(j, "action");
		e.target = xsm__json_getstr(j, "target");
		e.detail = xsm__json_getstr(j, "detail");
		e.before = xsm__json_getstr(j, "before");
		e.after = xsm__json_getstr(j, "after");
		e.has_change = xsm__json_get(j, "before") != NULL || xsm__json_get(j, "after") != NULL;
		if (e.time && xsm_time_parse(&t, e.time) == 0 && t >= since &&
		    (!user || (e.user && !strcmp(user, e.user))) &&
		    (!action || (e.action && !strncmp(e.action, action, strlen(action)))))
			rc = cb(&e, payload);
		xsm__json_free(j);
	}
	xsm__lines_free(&r);
	close(fd);
	xsm_buf_dispose(&path);
	return rc;
}
