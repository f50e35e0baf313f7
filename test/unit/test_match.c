/* test_match.c - the pattern language of graph match: parser errors and columns, and runs on a small graph */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ctx.h"
#include "exposure/match.h"
#include "graph/graph.h"
#include "small_graph.h"

static void test_errors(xsm_ctx *ctx)
{
	static const struct {
		const char *q;
		int rc;
		const char *msg;
	} cases[] = {
		{ "(u:user)", 0, NULL },
		{ "  (u)-->(v) , (v)<--(w)-[e:a|\"b c\"*0..3]-(x) where e.hops > 1 project u, v.name as n, hops(e)", 0, NULL },
		{ "(u:user", XSM_EINVALID, "col 8: expected ')' to end the node pattern" },
		{ "", XSM_EINVALID, "col 1: empty query" },
		{ "u:user)", XSM_EINVALID, "col 1: expected '(' to start a node pattern" },
		{ "(u:)", XSM_EINVALID, "col 4: expected a label" },
		{ "(u:user {name == })", XSM_EINVALID, "col 18: " },
		{ "(u:user {name == \"x\")", XSM_EINVALID, "col 9: a condition '{' without its '}'" },
		{ "(u)-[e:a*]->(v)", XSM_EUSAGE, "col 9: unbounded variable-length edge" },
		{ "(u)-[e:a*3..]->(v)", XSM_EUSAGE, "col 9: unbounded" },
		{ "(u)-[e:a*1..9]->(v)", XSM_EUSAGE, "col 9: 9 hops: at most 8 (paths.max_hops)" },
		{ "(u)-[e:a*3..2]->(v)", XSM_EINVALID, "col 9: at least 3 hops but at most 2" },
		{ "(u)-[e:a*0]->(v)", XSM_EINVALID, "col 9: an edge of at most 0 hops" },
		{ "(u)<-[e]->(v)", XSM_EINVALID, "col 4: an edge pattern has one direction" },
		{ "(u)-[e]->(v)-[e]->(w)", XSM_EINVALID, "col 13: variable 'e' used twice" },
		{ "(u)-[u]->(v)", XSM_EINVALID, "col 4: variable 'u' used twice" },
		{ "(u)-[e]->(e)", XSM_EINVALID, "col 4: variable 'e' used twice" },
		{ "(u)-[e]->(v), (e)", XSM_EINVALID, "col 16: 'e' is an edge variable" },
		{ "(u) where", XSM_EINVALID, "col 10: empty condition in where" },
		{ "(u) where u.name == \"a\" and", XSM_EINVALID, "col 28: empty condition in where" },
		{ "(u) where x.name == 1", XSM_EINVALID, "col 11: unknown field 'x.name'" },
		{ "(u) where u.nosuch == 1", XSM_EINVALID, "col 11: unknown field" },
		{ "(u) where memberOf(\"x\")", XSM_EINVALID, "col 11: a relation goes in a node's condition" },
		{ "(u) where u.name == \"project\" project u", 0, NULL },
		{ "(u) project x", XSM_EINVALID, "col 13: unknown variable 'x'" },
		{ "(u)-[e]->(v) project e", XSM_EINVALID, "col 22: an edge variable is projected as hops(e)" },
		{ "(u) project hops(u)", XSM_EINVALID, "col 13: hops() takes an edge variable" },
		{ "(u) project u.name, u.name", XSM_EINVALID, "col 21: column 'u.name' twice" },
		{ "(u) project u.nosuch", XSM_EINVALID, "col 15: unknown field 'nosuch'" },
		{ "(u) garbage", XSM_EINVALID, "col 5: unexpected 'garbage'" },
		{ "(u) where u.name == \"unterminated", XSM_EINVALID, "col 21: unterminated string" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = xsm_match_check(ctx, cases[i].q, 8);
		is_int(rc, cases[i].rc, "check '%s'", cases[i].q);
		if (cases[i].msg)
			ok(!strncmp(xsm_ctx_errmsg(ctx), cases[i].msg, strlen(cases[i].msg)), "message '%s' (got '%s')",
			   cases[i].msg, xsm_ctx_errmsg(ctx));
	}
}

/* the rows of a query as "cell|cell;cell|cell" */
static char *run(xsm_graph *g, const char *q, size_t max_results)
{
	xsm_match_opts o = { XSM_MATCH_OPTS_VERSION, 8, max_results };
	xsm_match *m = NULL;
	xsm_buf out = XSM_BUF_INIT, cell = XSM_BUF_INIT;
	if (xsm_match_run(&m, g, q, &o) < 0)
		return NULL;
	xsm_buf_puts(&out, "");
	for (size_t i = 0; i < xsm_match_count(m); i++) {
		if (i)
			xsm_buf_putc(&out, ';');
		for (size_t k = 0; k < xsm_match_columns(m); k++) {
			xsm_match_cell(&cell, m, i, k);
			if (k)
				xsm_buf_putc(&out, '|');
			xsm_buf_put(&out, cell.ptr ? cell.ptr : "", cell.size);
		}
	}
	xsm_buf_dispose(&cell);
	xsm_match_free(m);
	return out.ptr;
}

static void test_runs(xsm_ctx *ctx)
{
	static const struct {
		const char *q, *want;
	} cases[] = {
		{ "(u:user)-[e:\"member of\"*1..3]->(g:group {name == \"Domain Admins\"}) project u.name, hops(e)",
		  "u1|1;u2|2" },
		{ "(u:user)-[:\"member of\"]->(g)", "u1|Domain Admins|u1 -[member of]-> Domain Admins;u2|g2|u2 -[member of]-> g2" },
		{ "(g {name == \"g2\"})<-[:\"member of\"]-(x) project x.name", "Domain Admins;u2" },
		{ "(a:group)-[:\"member of\"*2]->(a) project a.name", "Domain Admins;g2" },
		{ "(d:device)-[*1]->(d) project d.name", "d1" },
		{ "(d:device)-[:\"routes traffic to\"*0..1]->(x) project x.name", "d1" },
		{ "(u:user)-[:\"member of\"*0..1]->(x) where u.name == \"u1\" project x.name", "Domain Admins;u1" },
		{ "(u:user)-[m:\"member of\"*1..4]->(g), (g)-[:\"can authenticate to\"]->(d:device) project u.name, hops(m)",
		  "u1|2;u2|1" },
		{ "(u:user), (d:device) project u.name, d.name", "u1|d1;u2|d1" },
		{ "(u:user)-[:nosuchlabel]->(x)", "" },
		{ "(u:nosuchlabel)", "" },
		{ "(a:user), (b:user) where a.name < b.name project a.name, b.name", "u1|u2" },
		{ "(u:user|device) project u.label", "device;user;user" },
		/* equality conditions take a shortcut: the same answers as the expression */
		{ "(g {name == \"g2\"}) project g.name", "g2" },
		{ "(g {  name ==  \"g2\"  }) project g.name", "g2" },
		{ "(g {name == \"nosuch\"})", "" },
		{ "(g {id == \"idn-g2\"}) project g.name", "g2" },
		{ "(g {id == \"idn-nosuch\"})", "" },
		{ "(g) where g.name == \"u1\" project g.id", "idn-u1" },
		{ "(g) where g.id == \"dev-d1\" project g.name", "d1" },
		{ "(g {name == \"g2\" or name == \"u2\"}) project g.name", "g2;u2" },
		{ "(g {name == \"g2\"}), (h {id == \"idn-u1\"}) project g.name, h.name", "g2|u1" },
	};
	xsm_graph *g = small_graph(ctx);
	char *got;
	ok(g != NULL, "the small graph");
	if (!g)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = run(g, cases[i].q, 0);
		is_str(got, cases[i].want, "%s", cases[i].q);
		free(got);
	}
	got = run(g, "(a), (b)", 24);
	ok(!got && strstr(xsm_ctx_errmsg(ctx), "matches more than 24 (--max-results)"), "5 x 5 pairs pass --max-results 24: %s",
	   xsm_ctx_errmsg(ctx));
	free(got);
	got = run(g, "(a), (b)", 25);
	ok(got != NULL, "5 x 5 = 25 rows fit --max-results 25");
	free(got);
	xsm_graph_free(g);
}

int main(void)
{
	xsm_ctx *ctx;
	if (xsm_ctx_new(&ctx) < 0)
		return 1;
	test_errors(ctx);
	test_runs(ctx);
	xsm_ctx_free(ctx);
	return done_testing();
}
