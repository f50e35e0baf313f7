/* test_net.c - URL credentials found and redacted; the pager that makes paging advance */
#include <stdio.h>
#include <string.h>

#include "adapt/http.h"
#include "connect/conn.h"
#include "ctx.h"
#include "tap.h"

static void test_userinfo(void)
{
	static const struct {
		const char *url, *shown, *shown_noquery;
		int has;
	} t[] = {
		{ "https://user:pass@host/x?q=1", "https://[redacted]@host/x?q=1", "https://[redacted]@host/x?…", 1 },
		{ "https://pass@host", "https://[redacted]@host", "https://[redacted]@host", 1 },
		{ "http://a:b@127.0.0.1:8080/", "http://[redacted]@127.0.0.1:8080/", "http://[redacted]@127.0.0.1:8080/", 1 },
		/* a raw '/' or '@' in the password: the last '@' before the query ends it */
		{ "https://u:pa/ss@host/p", "https://[redacted]@host/p", "https://[redacted]@host/p", 1 },
		{ "https://u:p@ss@host", "https://[redacted]@host", "https://[redacted]@host", 1 },
		/* one slash, none, or a backslash: parsers differ, so all are read */
		{ "https:/u:p@host", "https:/[redacted]@host", "https:/[redacted]@host", 1 },
		{ "https:u:p@host", "https:[redacted]@host", "https:[redacted]@host", 1 },
		{ "HTTPS:\\\\u:p@host", "HTTPS:\\\\[redacted]@host", "HTTPS:\\\\[redacted]@host", 1 },
		/* not credentials: an '@' in the query, a user name, no '@' at all */
		{ "https://host/x?mail=a@b", "https://host/x?mail=a@b", "https://host/x?…", 0 },
		{ "svc@corp.example.com", "svc@corp.example.com", "svc@corp.example.com", 0 },
		{ "https://host:8443", "https://host:8443", "https://host:8443", 0 },
		{ "", "", "", 0 },
	};
	char out[512];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		is_int(xsm__http_url_has_userinfo(t[i].url), t[i].has, "credentials in '%s': %d", t[i].url, t[i].has);
		xsm__http_url_redact(out, sizeof(out), t[i].url, 0);
		is_str(out, t[i].shown, "shown as '%s'", t[i].shown);
		xsm__http_url_redact(out, sizeof(out), t[i].url, 1);
		is_str(out, t[i].shown_noquery, "in a message as '%s'", t[i].shown_noquery);
	}
	xsm__http_url_redact(out, 12, "https://user:secret@host", 0);
	ok(!strstr(out, "secret") && !strstr(out, "user"), "cut short, still nothing of the credentials: '%s'", out);
}

static void test_pager(void)
{
	xsm_ctx *ctx;
	xsm_sync_options opts = XSM_SYNC_OPTIONS_INIT;
	xsm__conn c;
	xsm__pager p;
	int i, rc = 0;

	xsm_ctx_new(&ctx);
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.name = "src";
	c.opts = &opts;

	/* a cursor that comes back, directly or round a cycle */
	ok_xsm(xsm__pager_begin(&p, &c, "things", "u0"), ctx, "begin");
	ok_xsm(xsm__pager_page(&p, 11, 1, "u1"), ctx, "page 1 -> u1");
	ok_xsm(xsm__pager_page(&p, 12, 1, "u2"), ctx, "page 2 -> u2");
	is_int(xsm__pager_page(&p, 13, 1, "u0"), XSM_EPROTO, "page 3 -> u0, the first page again: stopped");
	ok(strstr(xsm_ctx_errmsg(ctx), "src: things: ") != NULL, "the message names the source and what: %s",
	   xsm_ctx_errmsg(ctx));
	xsm__pager_end(&p);

	/* the same page under new cursors: a server ignoring them */
	ok_xsm(xsm__pager_begin(&p, &c, "things", NULL), ctx, "begin");
	ok_xsm(xsm__pager_page(&p, 42, 3, "skip=3"), ctx, "page 1");
	is_int(xsm__pager_page(&p, 42, 3, "skip=6"), XSM_EPROTO, "page 2 repeats page 1: stopped");
	xsm__pager_end(&p);

	/* empty pages may repeat (empty chunks, ACL-filtered pages) */
	ok_xsm(xsm__pager_begin(&p, &c, "things", NULL), ctx, "begin");
	for (i = 0; i < 5 && rc == 0; i++) {
		char next[16];
		snprintf(next, sizeof(next), "n%d", i);
		rc = xsm__pager_page(&p, 7, 0, next);
	}
	ok_xsm(rc, ctx, "five empty pages with the same body go on");
	ok_xsm(xsm__pager_page(&p, 7, 0, NULL), ctx, "and end");
	xsm__pager_end(&p);

	/* no more pages than announced: 5 elements in pages of 2 are 3 pages */
	ok_xsm(xsm__pager_begin(&p, &c, "things", NULL), ctx, "begin");
	xsm__pager_total(&p, 5, 2);
	ok_xsm(xsm__pager_page(&p, 1, 2, "p2"), ctx, "page 1 of 3");
	ok_xsm(xsm__pager_page(&p, 2, 2, "p3"), ctx, "page 2 of 3");
	is_int(xsm__pager_page(&p, 3, 1, "p4"), XSM_EPROTO, "a fourth page: stopped");
	ok(strstr(xsm_ctx_errmsg(ctx), "the 3 it announced") != NULL, "says so: %s", xsm_ctx_errmsg(ctx));
	xsm__pager_end(&p);

	/* the last of the announced pages ends the walk; a total that grows moves the bound */
	ok_xsm(xsm__pager_begin(&p, &c, "things", NULL), ctx, "begin");
	xsm__pager_total(&p, 0, 100);
	ok_xsm(xsm__pager_page(&p, 1, 0, NULL), ctx, "an empty collection: one page");
	xsm__pager_end(&p);
	ok_xsm(xsm__pager_begin(&p, &c, "things", NULL), ctx, "begin");
	xsm__pager_total(&p, 2, 1);
	ok_xsm(xsm__pager_page(&p, 1, 1, "p2"), ctx, "page 1 of 2");
	xsm__pager_total(&p, 3, 1);
	ok_xsm(xsm__pager_page(&p, 2, 1, "p3"), ctx, "page 2 of 3 (the collection grew)");
	is_int(xsm__pager_page(&p, 3, 1, "p4"), XSM_EPROTO, "past 3: stopped");
	xsm__pager_end(&p);
	is_int(c.st.pages, 3 + 2 + 6 + 3 + 1 + 3, "every page counted");
	xsm_ctx_free(ctx);
}

int main(void)
{
	test_userinfo();
	test_pager();
	return done_testing();
}
