/* test_store.c - store, config and record ingest through the library API, with fault injection */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "adapt/json.h"
#include "connect/conn.h"
#include "exposure/critical.h"
#include "exposure/graph.h"
#include "graph/graph.h"
#include "adapt/yaml.h"
#include "store/record.h"
#include "util/alloc.h"

static const char *records =
	"{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"s:1\",\"name\":\"a\",\"keys\":{\"ipv4\":[\"10.0.0.1\"]}}\n"
	"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-3400\",\"severity\":\"critical\"}\n"
	"{\"type\":\"relation\",\"label\":\"member of\",\"from\":\"s:1\",\"to\":\"s:2\"}\n";

static int ingest_string(xsm_store *st, const char *src, const char *text, xsm_ingest_stats *stats)
{
	char path[512];
	int fd, rc;
	snprintf(path, sizeof(path), "%s/in.jsonl", tap_tmpdir());
	tap_write_file(path, text);
	fd = open(path, O_RDONLY);
	rc = xsm_records_ingest_fd(stats, st, src, fd, "in.jsonl", NULL);
	close(fd);
	return rc;
}

static void test_store_basics(void)
{
	xsm_ctx *ctx;
	xsm_store *st = NULL;
	xsm_ingest_stats stats;
	xsm_buf b = XSM_BUF_INIT, dir = XSM_BUF_INIT;
	struct stat sb;

	xsm_ctx_new(&ctx);
	xsm_buf_printf(&dir, "%s/store", tap_tmpdir());
	is_int(xsm_store_open(&st, ctx, dir.ptr, 0), XSM_ENOINPUT, "missing store without CREATE");
	ok_xsm(xsm_store_open(&st, ctx, dir.ptr, XSM_STORE_CREATE | XSM_STORE_WRITE), ctx, "create + lock");
	ok(stat(dir.ptr, &sb) == 0 && (sb.st_mode & 0777) == 0700, "store dir is 0700");
	ok(xsm_store_is_writer(st), "holds the lock");
	ok_xsm(xsm_store_write(st, "a/b/c.txt", "hi", 2), ctx, "atomic write creates parents");
	ok_xsm(xsm_store_read(&b, st, "a/b/c.txt", 0), ctx, "read back");
	is_str(b.ptr, "hi", "content");
	is_int(xsm_store_read(&b, st, "a/b/c.txt", 1), XSM_EINVALID, "read cap enforced");
	is_int(xsm_store_read(&b, st, "nope", 0), XSM_ENOTFOUND, "missing file");
	is_int(xsm_store_remove(st, "../x"), XSM_EUSAGE, "remove refuses to leave the store");
	ok_xsm(ingest_string(st, "s", records, &stats), ctx, "ingest three records");
	ok(stats.assets == 1 && stats.findings == 1 && stats.relations == 1, "counted by type");
	ok(stats.run[0] != 0, "run id returned");
	ok_xsm(xsm_records_latest(&b, st, "s"), ctx, "latest run");
	is_str(b.ptr, stats.run, "latest is the one just stored");
	is_int(ingest_string(st, "s", "{\"type\":\"nope\"}\n", &stats), XSM_EINVALID, "bad record rejected");
	ok(strstr(xsm_ctx_errmsg(ctx), "in.jsonl:1: unknown record type") != NULL, "message names file:line");
	is_int(ingest_string(st, "Bad", records, &stats), XSM_EUSAGE, "bad source name");
	xsm_store_free(st);

	/* a newer format is refused */
	xsm_buf_clear(&b);
	xsm_buf_printf(&b, "%s/format", dir.ptr);
	tap_write_file(b.ptr, "xsm-store 9.0\n");
	is_int(xsm_store_open(&st, ctx, dir.ptr, 0), XSM_EFORMAT, "newer format refused");
	tap_write_file(b.ptr, "garbage\n");
	is_int(xsm_store_open(&st, ctx, dir.ptr, 0), XSM_EFORMAT, "corrupt format file refused");
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&dir);
	xsm_ctx_free(ctx);
}

static void test_config(void)
{
	xsm_ctx *ctx;
	xsm_config *cfg = NULL;
	xsm_buf path = XSM_BUF_INIT;
	long n;

	xsm_ctx_new(&ctx);
	setenv("XSM_SYSTEM_CONFIG", "/nonexistent/xsm.yaml", 1);
	unsetenv("XSM_CONFIG");
	xsm_buf_printf(&path, "%s/c.yaml", tap_tmpdir());
	tap_write_file(path.ptr, "paths:\n  max_hops: 5\nroles:\n  reader: [alice, bob]\n");
	ok_xsm(xsm_config_load(&cfg, ctx, path.ptr, NULL), ctx, "load explicit file");
	ok(xsm_config_get_int(&n, cfg, ctx, "paths.max_hops", 1, 64) == 0 && n == 5, "file overrides default");
	is_str(xsm_config_origin(cfg, "paths.max_hops"), path.ptr, "origin is the file");
	is_str(xsm_config_get(cfg, "roles.reader"), "alice,bob", "lists are joined");
	is_str(xsm_config_origin(cfg, "lock.timeout"), "default", "defaults have an origin");
	xsm_config_free(cfg);

	setenv("XSM_PATHS_MAX_HOPS", "7", 1);
	ok_xsm(xsm_config_load(&cfg, ctx, path.ptr, NULL), ctx, "load with env");
	ok(xsm_config_get_int(&n, cfg, ctx, "paths.max_hops", 1, 64) == 0 && n == 7, "env overrides file");
	xsm_config_set(cfg, "paths.max_hops", "9", "flag");
	ok(xsm_config_get_int(&n, cfg, ctx, "paths.max_hops", 1, 64) == 0 && n == 9, "flag overrides env");
	xsm_config_free(cfg);
	unsetenv("XSM_PATHS_MAX_HOPS");

	tap_write_file(path.ptr, "lock:\n  timeout: [1\n");
	is_int(xsm_config_load(&cfg, ctx, path.ptr, NULL), XSM_ECONFIG, "broken yaml");
	ok(strstr(xsm_ctx_errmsg(ctx), "c.yaml:") != NULL, "error names the file");
	tap_write_file(path.ptr, "- a\n- b\n");
	is_int(xsm_config_load(&cfg, ctx, path.ptr, NULL), XSM_ECONFIG, "a list is not a config");
	tap_write_file(path.ptr, "a: &x 1\nb: *x\n");
	is_int(xsm_config_load(&cfg, ctx, path.ptr, NULL), XSM_ECONFIG, "aliases refused");
	ok(strstr(xsm_ctx_errmsg(ctx), "aliases") != NULL, "and said so");
	tap_write_file(path.ptr, "");
	ok_xsm(xsm_config_load(&cfg, ctx, path.ptr, NULL), ctx, "empty file is fine");
	xsm_config_free(cfg);
	xsm_buf_dispose(&path);
	xsm_ctx_free(ctx);
}

/*
 * Out of memory at every allocation of open + ingest + read: each run must
 * fail cleanly with an error (never crash); ASan/valgrind see the leaks.
 * Each attempt runs in a child so the fail-after counter starts fresh.
 */
static void test_failalloc(void)
{
	int n, crashed = 0, succeeded_at = 0;
	for (n = 1; n < 400 && !succeeded_at; n++) {
		pid_t pid = fork();
		int status;
		if (pid == 0) {
			char env[32], dir[512];
			xsm_ctx *ctx;
			xsm_store *st = NULL;
			xsm_ingest_stats stats;
			int rc;
			snprintf(env, sizeof(env), "%d", n);
			setenv("XSM_TEST_FAILALLOC", env, 1);
			xsm__alloc_test_reset();
			snprintf(dir, sizeof(dir), "%s/oom%d", tap_tmpdir(), n);
			if (xsm_ctx_new(&ctx) < 0)
				_exit(2);
			rc = xsm_store_open(&st, ctx, dir, XSM_STORE_CREATE | XSM_STORE_WRITE);
			if (rc == 0)
				rc = ingest_string(st, "s", records, &stats);
			xsm_store_free(st);
			xsm_ctx_free(ctx);
			_exit(rc == 0 ? 0 : rc == XSM_ENOMEM || rc == XSM_ECREATE || rc == XSM_EIO ? 2 : 3);
		}
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) == 3)
			crashed++;
		else if (WEXITSTATUS(status) == 0)
			succeeded_at = n;
	}
	is_int(crashed, 0, "no crash or wrong error at any failed allocation");
	ok(succeeded_at > 5, "the run succeeds once allocations stop failing (after %d)", succeeded_at);
}

/* a context whose configuration reads the project's data files (rules, attack model, initiatives) */
static xsm_ctx *build_ctx(xsm_config **cfg)
{
	xsm_ctx *ctx;
	char data[512];
	if (xsm_ctx_new(&ctx) < 0)
		return NULL;
	snprintf(data, sizeof(data), "%s/config", getenv("XSM_TOP") ? getenv("XSM_TOP") : ".");
	if (xsm_config_load(cfg, ctx, NULL, NULL) < 0 || xsm_config_set(*cfg, "data.dir", data, "test") < 0) {
		xsm_ctx_free(ctx);
		return NULL;
	}
	xsm_ctx_set_config(ctx, *cfg);
	return ctx;
}

/*
 * Out of memory at allocations spread over a whole graph build of the
 * five-source fixture: resolution, criticality, attack paths on two
 * threads, the snapshot's writer threads, events.  Each build fails with
 * XSM_ENOMEM (or an I/O error) or succeeds: never a crash, never another
 * error, and the store stays readable.
 */
static void test_failalloc_build(void)
{
	static const char *const sources[] = { "cmdb", "qualys", "tenable", "defender", "entra" };
	xsm_config *cfg = NULL;
	xsm_ctx *ctx = build_ctx(&cfg);
	xsm_store *st = NULL;
	char dir[512];
	int n, crashed = 0, succeeded_at = 0, tries = 0;

	snprintf(dir, sizeof(dir), "%s/oombuild", tap_tmpdir());
	setenv("XSM_NOW", "2026-11-24T12:00:00Z", 1);
	ok(ctx && xsm_store_open(&st, ctx, dir, XSM_STORE_CREATE | XSM_STORE_WRITE) == 0, "a store for the builds");
	for (size_t i = 0; st && i < sizeof(sources) / sizeof(sources[0]); i++) {
		char path[512];
		xsm_ingest_stats stats;
		int fd;
		snprintf(path, sizeof(path), "%s/test/fixtures/graph/%s.jsonl", getenv("XSM_TOP"), sources[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0 || xsm_records_ingest_fd(&stats, st, sources[i], fd, path, NULL) < 0)
			crashed = 1000;
		if (fd >= 0)
			close(fd);
	}
	xsm_store_free(st);
	xsm_ctx_free(ctx);
	xsm_config_free(cfg);
	/*
	 * under valgrind each build takes a second: fewer, wider steps.
	 * XSM_FAILALLOC_STEP=1000000 fails every allocation in turn (about
	 * 18,000 builds, some minutes): for a sweep by hand, not for make check.
	 */
	int step = getenv("XSM_FAILALLOC_STEP") ? atoi(getenv("XSM_FAILALLOC_STEP")) : getenv("XSM_VALGRIND") ? 4 : 64;
	if (step < 1)
		step = 64;
	for (n = 1; n < 200000 && !succeeded_at && !crashed; n += 1 + n / step, tries++) {
		pid_t pid = fork();
		int status;
		if (pid == 0) {
			char env[32];
			xsm_build_stats bs;
			xsm_config *c = NULL;
			xsm_ctx *x;
			xsm_store *s = NULL;
			int rc;
			snprintf(env, sizeof(env), "%d", n);
			setenv("XSM_TEST_FAILALLOC", env, 1);
			xsm__alloc_test_reset();
			if (!(x = build_ctx(&c)))
				_exit(2);
			rc = xsm_store_open(&s, x, dir, XSM_STORE_WRITE);
			if (rc == 0)
				rc = xsm_graph_build(&bs, s);
			if (rc < 0 && rc != XSM_ENOMEM && rc != XSM_EIO && rc != XSM_ECREATE)
				fprintf(stderr, "# build at allocation %d: %s (%s)\n", n, xsm_error_name(rc), xsm_ctx_errmsg(x));
			xsm_store_free(s);
			xsm_ctx_free(x);
			xsm_config_free(c);
			_exit(rc == 0 ? 0 : rc == XSM_ENOMEM || rc == XSM_EIO || rc == XSM_ECREATE ? 2 : 3);
		}
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) == 3) {
			crashed++;
			diag("allocation %d: %s %d", n, WIFEXITED(status) ? "exit" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		} else if (WEXITSTATUS(status) == 0) {
			succeeded_at = n;
		}
	}
	is_int(crashed, 0, "no crash or wrong error at any of %d failed allocations in a build", tries);
	ok(succeeded_at > 100, "the build succeeds once allocations stop failing (after %d)", succeeded_at);
	{
		/* a failed build takes back the snapshot directory it began: every one left is complete */
		char gdir[600];
		DIR *d;
		struct dirent *e;
		int partial = 0, snaps = 0;
		snprintf(gdir, sizeof(gdir), "%s/graph", dir);
		for (d = opendir(gdir); d && (e = readdir(d)) != NULL;) {
			char meta[900];
			struct stat sb;
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "HEAD"))
				continue;
			snprintf(meta, sizeof(meta), "%s/%s/meta.json", gdir, e->d_name);
			snaps++;
			partial += stat(meta, &sb) != 0;
		}
		if (d)
			closedir(d);
		ok(snaps > 0 && partial == 0, "no partial snapshot left by the failed builds (%d of %d)", partial, snaps);
	}
	unsetenv("XSM_NOW");
}

/*
 * A graph mapped from the store's image (the store test_failalloc_build
 * built, built once more): every change is refused with an error, not
 * a crash, and lookups answer as on the loaded graph
 */
static void test_graph_image(void)
{
	xsm_config *cfg = NULL;
	xsm_ctx *ctx = build_ctx(&cfg);
	xsm_store *st = NULL;
	xsm_graph *m = NULL, *l = NULL;
	xsm_rules *rules = NULL;
	xsm__prop v = { 0 };
	const char *keys[1] = { "x" };
	char dir[512];
	uint32_t id;
	size_t same = 0, n;

	snprintf(dir, sizeof(dir), "%s/oombuild", tap_tmpdir());
	ok(ctx && xsm_store_open(&st, ctx, dir, XSM_STORE_WRITE) == 0, "the built store");
	if (!st)
		return;
	{
		/* the failed allocations may have stopped at the image: a build of its own */
		xsm_build_stats bs;
		setenv("XSM_NOW", "2026-11-24T12:00:00Z", 1);
		ok_xsm(xsm_graph_build(&bs, st), ctx, "build");
		unsetenv("XSM_NOW");
	}
	ok_xsm(xsm_graph_load(&m, st, NULL, XSM_LOAD_READONLY), ctx, "load read-only");
	ok_xsm(xsm_graph_load(&l, st, NULL, 0), ctx, "load");
	if (!m || !l)
		return;
	ok(m->map != NULL && l->map == NULL, "read-only: mapped from the image; else loaded");
	v.type = XSM_V_NUM;
	v.num = 1;
	is_int(xsm__graph_intern(m, "a string no node has", &id), XSM_EINVALID, "intern refused");
	ok(strstr(xsm_ctx_errmsg(ctx), "mapped for reading") != NULL, "saying why: %s", xsm_ctx_errmsg(ctx));
	is_int(xsm__graph_set_prop(m, 0, "x", &v), XSM_EINVALID, "set_prop refused");
	is_int(xsm__graph_set_props(m, 0, 1, keys, &v), XSM_EINVALID, "set_props refused");
	is_int(xsm__graph_strip_props(m, "criticality"), XSM_EINVALID, "strip_props refused");
	is_int(xsm__graph_compact_props(m), XSM_EINVALID, "compact refused");
	is_int(xsm__graph_freeze(m), XSM_EINVALID, "freeze refused");
	is_int(xsm__graph_keep_base(m, "x"), XSM_EINVALID, "keep_base refused");
	ok(xsm_rules_load(&rules, st) == 0 && xsm_critical_apply(rules, m) < 0, "a re-evaluation fails cleanly");
	xsm_rules_free(rules);
	is_int((int)xsm_graph_node_count(m), (int)xsm_graph_node_count(l), "same nodes");
	for (n = 0; n < xsm_graph_node_count(l); n++) {
		size_t a[4], b[4], na, nb;
		const char *w[3] = { xsm_graph_node_id(l, n), xsm_graph_node_name(l, n), "10.0.0.5" };
		int all = 1;
		for (int k = 0; k < 3; k++) {
			na = xsm__graph_find_nodes(m, w[k], a, 4);
			nb = xsm__graph_find_nodes(l, w[k], b, 4);
			all &= na == nb && !memcmp(a, b, (na < 4 ? na : 4) * sizeof(size_t));
		}
		same += all;
	}
	is_int((int)same, (int)xsm_graph_node_count(l), "every node found by id and name as on the loaded graph");
	xsm_graph_free(m);
	xsm_graph_free(l);
	xsm_store_free(st);
	xsm_ctx_free(ctx);
	xsm_config_free(cfg);
}

/* a connector's array element nested deeper than the limit is refused */
static void test_splitter_depth(void)
{
	xsm_ctx *ctx;
	for (int deep = 0; deep < 2; deep++) {
		xsm__conn c;
		char body[512];
		size_t n = 0;
		FILE *f = tmpfile();
		int levels = deep ? XSM__JSON_MAX_DEPTH + 1 : XSM__JSON_MAX_DEPTH, rc;
		xsm_ctx_new(&ctx);
		memset(&c, 0, sizeof(c));
		c.ctx = ctx;
		c.name = "t";
		body[n++] = '[';
		for (int i = 0; i < levels; i++)
			body[n++] = '[';
		for (int i = 0; i < levels; i++)
			body[n++] = ']';
		body[n++] = ']';
		if (!f || fwrite(body, 1, n, f) != n || fflush(f) != 0) {
			ok(0, "temp file");
			continue;
		}
		rc = xsm__tenable_parse(&c, fileno(f), 0);
		if (deep)
			ok(rc == XSM_EPROTO && strstr(xsm_ctx_errmsg(ctx), "nesting deeper than") != NULL,
			   "an element nested %d deep is refused: %s", levels, xsm_ctx_errmsg(ctx));
		else
			ok(!strstr(xsm_ctx_errmsg(ctx), "nesting deeper than"), "%d levels are within the limit", levels);
		fclose(f);
		xsm_ctx_free(ctx);
	}
}

/*
 * A Tenable vulnerability chunk is parsed in place, in blocks: elements
 * that run across a block, one larger than the first window, and a body
 * cut short (in an element, or before the closing bracket) refused.
 */
static void test_chunk_blocks(void)
{
	size_t pads[] = { 10, 70000, 262000, 600000, 5, 262144, 3, 150000 };
	xsm_buf body = XSM_BUF_INIT;
	size_t i, want = 0, skip = 0, cut;

	xsm_buf_putc(&body, '[');
	for (i = 0; i < 40; i++) {
		size_t pad = pads[i % (sizeof(pads) / sizeof(pads[0]))] + i, k;
		xsm_buf_printf(&body, "%s{\"asset\":{\"uuid\":\"u%zu\"},\"output\":\"", i ? " ,\n" : "", i);
		for (k = 0; k < pad; k++)
			xsm_buf_puts(&body, k % 97 == 0 ? "\\n" : k % 89 == 0 ? "}" : "x");
		if (i % 3 == 2) {
			xsm_buf_puts(&body, "\",\"plugin\":{\"id\":1},\"severity\":\"info\"}");
			skip++;
		} else {
			xsm_buf_printf(&body, "\",\"plugin\":{\"cve\":[\"CVE-2024-%04zu\"],\"cvss3_base_score\":7.5},"
				       "\"severity\":\"high\",\"state\":\"OPEN\"}", 1000 + i);
			want++;
		}
	}
	xsm_buf_puts(&body, "]\n");
	for (cut = 0; cut < 3; cut++) {
		size_t len = cut == 0 ? body.size : cut == 1 ? body.size - 2 : body.size / 2;
		xsm_ctx *ctx;
		xsm__conn c;
		FILE *f = tmpfile();
		int rc;

		xsm_ctx_new(&ctx);
		memset(&c, 0, sizeof(c));
		c.ctx = ctx;
		c.name = "t";
		if (!f || !body.ptr || fwrite(body.ptr, 1, len, f) != len || fflush(f) != 0) {
			ok(0, "temp file");
			continue;
		}
		rc = xsm__tenable_parse(&c, fileno(f), 1);
		if (cut == 0)
			ok(rc == 0 && c.st.findings == want && c.st.skipped == skip,
			   "a %zu-byte chunk in blocks: %zu findings, %zu skipped (%d %s)", len, c.st.findings,
			   c.st.skipped, rc, xsm_ctx_errmsg(ctx));
		else
			ok(rc == XSM_EPROTO && strstr(xsm_ctx_errmsg(ctx), "truncated"),
			   "a chunk cut at %zu of %zu bytes is refused: %s", len, body.size, xsm_ctx_errmsg(ctx));
		xsm_buf_dispose(&c.rec);
		xsm_buf_dispose(&c.sid);
		fclose(f);
		xsm_ctx_free(ctx);
	}
	xsm_buf_dispose(&body);
}

/* a record is checked on a tree of the members xsm__record_check reads: the verdict and its words are those of the whole tree */
static void test_record_pick(void)
{
	static const char *const lines[] = {
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"name\":\"a\",\"props\":{\"raw\":{\"x\":[1,{\"y\":2}]},\"lastSeen\":\"2026-11-01T00:00:00Z\"}}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"props\":{\"lastSeen\":\"yesterday\"}}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"props\":{\"firstSeen\":5}}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"props\":[1]}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"name\":7}",
		"{\"type\":\"asset\",\"source_id\":\"t:1\",\"label\":\"device\"}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"\"}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"keys\":{\"ipv4\":[\"10.0.0.300\"]}}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"keys\":{\"mac\":[\"zz\"],\"fqdn\":1}}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"keys\":[]}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"label\":\"device\",\"categories\":[\"a\",2]}",
		"{\"type\":\"asset\",\"source_id\":\"s:1\",\"source_id\":\"s:2\",\"label\":\"device\"}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-1234\",\"severity\":\"high\",\"cvss\":9.8,\"raw\":{\"a\":[[[]]]}}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-24-1\"}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-1234\",\"cvss\":11}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-1234\",\"severity\":\"urgent\"}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-1234\",\"status\":\"gone\",\"rce\":1}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-1234\",\"privilegeEscalation\":\"yes\"}",
		"{\"type\":\"finding\",\"asset\":\"s:1\",\"cve\":\"CVE-2024-1234\",\"lastFound\":\"2026-13-01T00:00:00Z\"}",
		"{\"type\":\"finding\",\"cve\":\"CVE-2024-1234\"}",
		"{\"type\":\"relation\",\"label\":\"member of\",\"from\":\"s:1\",\"to\":\"s:2\",\"props\":{\"raw\":{}}}",
		"{\"type\":\"relation\",\"label\":\"member of\",\"from\":\"s:1\",\"to\":\"\"}",
		"{\"type\":\"relation\",\"label\":\"member of\",\"from\":\"s:1\",\"to\":\"s:2\",\"props\":\"x\"}",
		"{\"type\":\"widget\"}",
		"{\"type\":3}",
		"[1,2]",
		"\"asset\"",
	};
	xsm_ctx *ctx;
	int same = 0;
	size_t i, n = sizeof(lines) / sizeof(lines[0]);
	xsm_ctx_new(&ctx);
	for (i = 0; i < n; i++) {
		xsm__json *full = NULL, *picked = NULL;
		char why_full[512] = "", why_picked[512] = "";
		int t_full, t_picked;
		if (xsm__json_parse(&full, ctx, lines[i], strlen(lines[i]), "") < 0 ||
		    xsm__json_parse_pick(&picked, ctx, lines[i], strlen(lines[i]), xsm__record_pick, "") < 0) {
			diag("cannot parse line %zu", i);
		} else {
			t_full = xsm__record_check(full, "s", why_full, sizeof(why_full));
			t_picked = xsm__record_check(picked, "s", why_picked, sizeof(why_picked));
			if (t_full == t_picked && !strcmp(why_full, why_picked))
				same++;
			else
				diag("line %zu: %d '%s' against %d '%s'", i, t_full, why_full, t_picked, why_picked);
		}
		xsm__json_free(full);
		xsm__json_free(picked);
	}
	is_int(same, (int)n, "a record's check on the picked members says what the whole record's does");
	xsm_ctx_free(ctx);
}

int main(void)
{
	test_splitter_depth();
	test_chunk_blocks();
	test_record_pick();
	test_store_basics();
	test_config();
	test_failalloc();
	test_failalloc_build();
	test_graph_image();
	return done_testing();
}
