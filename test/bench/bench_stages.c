/*
 * bench_stages.c - times the in-memory stages on a store's current
 * snapshot, through the public API: snapshot load, critical rule
 * evaluation, attack paths + choke points, insights metrics.  One JSON line per stage on
 * stdout (wall and CPU seconds, peak RSS so far).
 *
 *   bench_stages STORE [PATHS_FILE]
 *
 * PATHS_FILE (default STORE/../bench-paths.bin.zst, removed after) receives
 * paths.bin.zst; /dev/null times the search and the records without the
 * disk.  With BENCH_LOG=1 each phase's lines (as `xsm -v`) go to stderr.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <exposure.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static long rss_mb(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_maxrss / 1024;
}

static void log_line(const char *line, void *payload)
{
	(void)payload;
	fprintf(stderr, "%s\n", line);
}

static void report(const char *stage, double w0, double c0, size_t items)
{
	double w = now() - w0, c = cpu() - c0;
	printf("{\"stage\": \"%s\", \"wall_s\": %.3f, \"cpu_s\": %.3f, \"peak_rss_mb\": %ld, \"items\": %zu, \"items_per_s\": %.0f}\n",
	       stage, w, c, rss_mb(), items, w > 0 ? items / w : 0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	xsm_ctx *ctx;
	xsm_config *cfg;
	xsm_store *store;
	xsm_graph *g;
	xsm_rules *rules;
	xsm_attack_model *m;
	xsm_paths_stats ps;
	xsm_insights *ins;
	xsm_buf chokes = XSM_BUF_INIT, insights = XSM_BUF_INIT;
	char paths[4096];
	double w, c;
	int rc, fd;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: bench_stages STORE [PATHS_FILE]\n");
		return 64;
	}
	if (xsm_ctx_new(&ctx) < 0 || xsm_config_load(&cfg, ctx, NULL, argv[1]) < 0)
		return 71;
	if (getenv("BENCH_LOG") && !strcmp(getenv("BENCH_LOG"), "1"))
		xsm_ctx_set_log(ctx, log_line, NULL);
	xsm_ctx_set_config(ctx, cfg);
	if ((rc = xsm_store_open(&store, ctx, argv[1], 0)) < 0)
		goto fail;
	w = now(), c = cpu();
	if ((rc = xsm_graph_load(&g, store, NULL, 0)) < 0)
		goto fail;
	report("load", w, c, xsm_graph_node_count(g) + xsm_graph_edge_count(g));
	if ((rc = xsm_rules_load(&rules, store)) < 0)
		goto fail;
	w = now(), c = cpu();
	if ((rc = xsm_critical_apply(rules, g)) < 0)
		goto fail;
	report("critical", w, c, xsm_graph_node_count(g));
	if ((rc = xsm_attack_model_load(&m, store)) < 0)
		goto fail;
	/* paths.bin.zst written to a file beside the store, as a build writes it into the snapshot */
	if (argc == 3)
		snprintf(paths, sizeof(paths), "%s", argv[2]);
	else
		snprintf(paths, sizeof(paths), "%s/../bench-paths.bin.zst", argv[1]);
	if ((fd = open(paths, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		perror(paths);
		return 1;
	}
	w = now(), c = cpu();
	rc = xsm_paths_compute(&ps, fd, &chokes, g, m);
	if (rc == 0 && fsync(fd) < 0 && argc == 2)
		perror(paths);
	close(fd);
	if (argc == 2)
		unlink(paths);
	if (rc < 0)
		goto fail;
	report("paths", w, c, ps.paths);
	if ((rc = xsm_insights_load(&ins, store)) < 0)
		goto fail;
	w = now(), c = cpu();
	if ((rc = xsm_insights_compute(&insights, ins, g)) < 0)
		goto fail;
	report("insights", w, c, xsm_graph_node_count(g));
	fprintf(stderr, "bench_stages: %zu entries, %zu targets, %zu paths (%zu cut), %zu choke points\n", ps.entries,
		ps.targets, ps.paths, ps.cut, ps.chokepoints);
	return 0;
fail:
	fprintf(stderr, "bench_stages: %s\n", xsm_ctx_errmsg(ctx));
	return 1;
}
