/* trend.c - the insights of the last days' snapshots: where score trends come from. */
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "exposure/graph.h"
#include "exposure/insights.h"
#include "util/alloc.h"

enum { TREND_MAX = 64 }; /* points kept: the newest */

struct xsm_insights_trend {
	size_t n;
	char snap[TREND_MAX][40];
	int64_t when[TREND_MAX];
	xsm_insights_report *r[TREND_MAX];
};

struct collect {
	xsm_insights_trend *t;
	xsm_store *store;
	int64_t since;
};

int xsm_snapshot_time(int64_t *out, const char *snapshot)
{
	char iso[24];
	/* 20261124T120000Z-0001 -> 2026-11-24T12:00:00Z */
	if (strlen(snapshot) < 16 || snapshot[8] != 'T' || snapshot[15] != 'Z')
		return XSM_EINVALID;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", snapshot, snapshot + 4, snapshot + 6, snapshot + 9,
		 snapshot + 11, snapshot + 13);
	return xsm_time_parse(out, iso) < 0 ? XSM_EINVALID : 0;
}

/* make room for one more point: drop the oldest when full */
static void drop_oldest(xsm_insights_trend *t)
{
	if (t->n < TREND_MAX)
		return;
	xsm_insights_report_free(t->r[0]);
	memmove(t->r, t->r + 1, (TREND_MAX - 1) * sizeof(t->r[0]));
	memmove(t->snap, t->snap + 1, (TREND_MAX - 1) * sizeof(t->snap[0]));
	memmove(t->when, t->when + 1, (TREND_MAX - 1) * sizeof(t->when[0]));
	t->n--;
}

static int collect(const char *name, void *payload)
{
	struct collect *c = payload;
	xsm_insights_trend *t = c->t;
	int64_t when;

	if (xsm_snapshot_time(&when, name) < 0 || when < c->since)
		return 0;
	drop_oldest(t);
	if (xsm_insights_report_load(&t->r[t->n], c->store, name) < 0) {
		int code = xsm_ctx_errcode(xsm_store_ctx(c->store));
		if (code == XSM_ENOMEM)
			return code;
		xsm_ctx_clear(xsm_store_ctx(c->store)); /* a snapshot from before insights: no point */
		return 0;
	}
	snprintf(t->snap[t->n], sizeof(t->snap[0]), "%s", name);
	t->when[t->n++] = when;
	return 0;
}

int xsm_insights_trend_load(xsm_insights_trend **out, xsm_store *store, int days)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	struct collect c;
	int rc;

	*out = NULL;
	if (!(c.t = xsm__calloc(1, sizeof(*c.t))))
		return xsm__error_oom(ctx);
	c.store = store;
	c.since = xsm_ctx_now(ctx) - (int64_t)(days < 0 ? 0 : days) * 86400;
	if ((rc = xsm_graph_snapshots(store, collect, &c)) < 0) {
		xsm_insights_trend_free(c.t);
		return rc == XSM_ENOMEM ? xsm__error_oom(ctx) : rc;
	}
	*out = c.t;
	return 0;
}

void xsm_insights_trend_free(xsm_insights_trend *t)
{
	if (!t)
		return;
	for (size_t k = 0; k < t->n; k++)
		xsm_insights_report_free(t->r[k]);
	xsm__free(t);
}

size_t xsm_insights_trend_count(const xsm_insights_trend *t)
{
	return t ? t->n : 0;
}

const char *xsm_insights_trend_snapshot(const xsm_insights_trend *t, size_t k)
{
	return t && k < t->n ? t->snap[k] : NULL;
}

int64_t xsm_insights_trend_time(const xsm_insights_trend *t, size_t k)
{
	return t && k < t->n ? t->when[k] : 0;
}

double xsm_insights_trend_score(const xsm_insights_trend *t, size_t k, const char *initiative)
{
	long i;
	if (!t || k >= t->n || (i = xsm_insights_report_find_initiative(t->r[k], initiative)) < 0)
		return -1;
	return xsm_insights_report_initiative(t->r[k], (size_t)i)->score;
}

double xsm_insights_trend_progress(const xsm_insights_trend *t, size_t k, const char *metric)
{
	long i;
	if (!t || k >= t->n || (i = xsm_insights_report_find_metric(t->r[k], metric)) < 0)
		return -1;
	return xsm_insights_report_metric(t->r[k], (size_t)i)->progress;
}
