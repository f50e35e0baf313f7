/*
 * events.c - the exposure events feed: what a snapshot keeps for the next
 * comparison (watch.jsonl), comparing two snapshots, reading the feed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/json.h"
#include "ctx.h"
#include "store/events.h"
#include "exposure/critical.h"
#include "exposure/insights.h"
#include "exposure/paths.h"
#include "analysis/paths.h"
#include "graph/graph.h"
#include "store/record.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/vec.h"

enum {
	EV_METRIC_DROP, EV_INITIATIVE_DROP, EV_NEW_CRITICAL, EV_NEW_PATH, EV_RESOLVED_PATH, EV_NEW_EXPOSED,
	EV_CONNECTOR_FAILED, EV_DATA_STALE
};

static const char *const type_names[XSM_EVENT_TYPES_N] = {
	"metric-score-drop", "initiative-score-drop", "new-critical-asset", "new-attack-path",
	"resolved-attack-path", "new-internet-exposed-device", "connector-failed", "data-stale",
};

const char *xsm_event_type(size_t i)
{
	return i < XSM_EVENT_TYPES_N ? type_names[i] : NULL;
}

int xsm_event_type_valid(const char *s)
{
	for (size_t i = 0; s && i < XSM_EVENT_TYPES_N; i++)
		if (!strcmp(s, type_names[i]))
			return 1;
	return 0;
}

/* --- watch.jsonl -------------------------------------------------------------------- */

static int exposed_device(const xsm_graph *g, size_t i, uint32_t key, int has_key)
{
	const char *label = xsm__gstr(g, g->nodes.v[i].label);
	const xsm__prop *p;
	if (!has_key || (strcmp(label, "device") && !strstr(label, "virtualmachine")))
		return 0;
	p = xsm__graph_prop(g, (uint32_t)i, key);
	return p && p->type == XSM_V_BOOL && p->a;
}

/* the time a run name starts with (20261124T120000Z-0001), or -1 */

typedef XSM__VEC(char *) namevec;

static int collect_state(const char *name, void *payload)
{
	namevec *v = payload;
	size_t n = strlen(name);
	char *d;
	if (n <= 6 || strcmp(name + n - 6, ".state"))
		return 0;
	if (!(d = xsm__strndup(name, n - 6)) || xsm__vec_push(v, d) < 0) {
		xsm__free(d);
		return XSM_ENOMEM;
	}
	return 0;
}

static int watch_connectors(xsm_jw *w, xsm_buf *out, xsm_store *store)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	namevec names = { 0 };
	int64_t now = xsm_ctx_now(ctx), stale_s = xsm__cfg_long(ctx, "events.stale_hours", 72) * 3600;
	size_t i;
	int rc = xsm_store_list(store, "connectors", collect_state, &names);

	if (rc == XSM_ENOMEM)
		rc = xsm__error_oom(ctx);
	for (i = 0; rc == 0 && i < names.n; i++) {
		xsm__state st;
		int64_t last = -1;
		char lt[21];
		if (xsm__state_read(&st, store, names.v[i]) < 0) {
			/* an unreadable state file is not an event source; status says why */
			xsm_ctx_clear(ctx);
			continue;
		}
		last = xsm__run_time(st.run);
		if (last < 0 && st.status && !strcmp(st.status, "ok") && st.time && xsm_time_parse(&last, st.time) < 0)
			last = -1;
		xsm_jw_init(w, out);
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "kind", "connector");
		xsm_jw_kstr(w, "name", names.v[i]);
		xsm_jw_kstr(w, "status", st.status);
		xsm_jw_kstr(w, "time", st.time);
		xsm_jw_kstr(w, "run", st.run);
		xsm_jw_key(w, "last_data");
		if (last >= 0) {
			xsm_time_format(lt, last);
			xsm_jw_str(w, lt);
		} else {
			xsm_jw_null(w);
		}
		xsm_jw_kint(w, "age_hours", last >= 0 ? (now - last) / 3600 : -1);
		xsm_jw_kbool(w, "stale", last >= 0 && now - last > stale_s);
		xsm_jw_kstr(w, "error", st.error);
		xsm_jw_obj_end(w);
		if (w->err || xsm_buf_putc(out, '\n') < 0)
			rc = xsm__error_oom(ctx);
		xsm__state_dispose(&st);
	}
	for (i = 0; i < names.n; i++)
		xsm__free(names.v[i]);
	xsm__vec_free(&names);
	return rc;
}

int xsm__events_watch(xsm_buf *out, const xsm_graph *g, xsm_store *store)
{
	uint32_t ek;
	int has_ek = xsm__strpool_find(&g->s, "exposedToInternet", 17, &ek);
	xsm_jw w;
	size_t i;

	/* nodes are sorted by NodeId already */
	for (i = 0; i < g->nodes.n; i++) {
		int level = xsm_critical_level(g, i), exposed = exposed_device(g, i, ek, has_ek);
		if (level > 3 && !exposed)
			continue;
		xsm_jw_init(&w, out);
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "kind", "node");
		xsm_jw_kstr(&w, "id", xsm__gstr(g, g->nodes.v[i].id));
		xsm_jw_kstr(&w, "name", xsm__gstr(g, g->nodes.v[i].name));
		xsm_jw_kstr(&w, "label", xsm__gstr(g, g->nodes.v[i].label));
		xsm_jw_kint(&w, "level", level);
		xsm_jw_kbool(&w, "exposed", exposed);
		xsm_jw_obj_end(&w);
		if (w.err || xsm_buf_putc(out, '\n') < 0)
			return xsm__error_oom(g->ctx);
	}
	return watch_connectors(&w, out, store);
}

/* --- comparing two snapshots -------------------------------------------------------- */

struct witem {
	const char *id, *name, *label;   /* node: NodeId; connector: name */
	int level, exposed, stale, connector;
	const char *status, *time, *last_data, *error;
	int64_t age_hours;
};

struct watch {
	xsm__arena a;
	XSM__VEC(struct witem) v;
	int present;
};

static void watch_free(struct watch *w)
{
	xsm__arena_free(&w->a);
	xsm__vec_free(&w->v);
}

static const char *wkeep(struct watch *w, const char *s, int *oom)
{
	const char *k;
	if (!s)
		return NULL;
	if (!(k = xsm__arena_strndup(&w->a, s, strlen(s))))
		*oom = 1;
	return k;
}

static int cmp_witem(const void *a, const void *b)
{
	const struct witem *x = a, *y = b;
	if (x->connector != y->connector)
		return x->connector - y->connector;
	return strcmp(x->id, y->id);
}

static int watch_load(struct watch *w, xsm_store *store, const char *snapshot)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_buf rel = XSM_BUF_INIT, b = XSM_BUF_INIT;
	char *line, *next;
	int rc, oom = 0;

	memset(w, 0, sizeof(*w));
	if (xsm_buf_printf(&rel, "graph/%s/watch.jsonl", snapshot) < 0)
		return xsm__error_oom(ctx);
	rc = xsm_store_read(&b, store, rel.ptr, (size_t)1 << 31);
	if (rc == XSM_ENOTFOUND) {
		/* a snapshot from before events: nothing to compare with */
		xsm_ctx_clear(ctx);
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	w->present = 1;
	for (line = b.ptr; line && *line && !oom; line = next) {
		xsm__json *j = NULL;
		struct witem it;
		const char *kind;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		if (xsm__json_parse(&j, ctx, line, strlen(line), "watch.jsonl: ") < 0) {
			xsm_ctx_clear(ctx);
			continue;
		}
		memset(&it, 0, sizeof(it));
		kind = xsm__json_getstr(j, "kind");
		it.connector = kind && !strcmp(kind, "connector");
		it.id = wkeep(w, xsm__json_getstr(j, it.connector ? "name" : "id"), &oom);
		it.name = wkeep(w, xsm__json_getstr(j, "name"), &oom);
		it.label = wkeep(w, xsm__json_getstr(j, "label"), &oom);
		it.level = (int)xsm__json_num(xsm__json_get(j, "level"));
		it.exposed = xsm__json_bool(xsm__json_get(j, "exposed"));
		it.stale = xsm__json_bool(xsm__json_get(j, "stale"));
		it.status = wkeep(w, xsm__json_getstr(j, "status"), &oom);
		it.time = wkeep(w, xsm__json_getstr(j, "time"), &oom);
		it.last_data = wkeep(w, xsm__json_getstr(j, "last_data"), &oom);
		it.error = wkeep(w, xsm__json_getstr(j, "error"), &oom);
		it.age_hours = (int64_t)xsm__json_num(xsm__json_get(j, "age_hours"));
		xsm__json_free(j);
		if (it.id && xsm__vec_push(&w->v, it) < 0)
			oom = 1;
	}
	if (oom)
		rc = xsm__error_oom(ctx);
	else if (w->v.n > 1)
		qsort(w->v.v, w->v.n, sizeof(w->v.v[0]), cmp_witem);
done:
	xsm_buf_dispose(&rel);
	xsm_buf_dispose(&b);
	return rc;
}

static const struct witem *watch_find(const struct watch *w, const char *id, int connector)
{
	struct witem key;
	memset(&key, 0, sizeof(key));
	key.id = id;
	key.connector = connector;
	return w->v.n ? bsearch(&key, w->v.v, w->v.n, sizeof(w->v.v[0]), cmp_witem) : NULL;
}

/* the events of one comparison, by type, before they are appended */
struct derive {
	xsm_ctx *ctx;
	const char *prev, *cur;
	char time[21];
	xsm_buf out;
	size_t count;
	size_t per_type[XSM_EVENT_TYPES_N], max_per_type;
	int err;
};

/* start an event; returns NULL (and counts it) past the cap for its type */
static xsm_jw *ev_begin(struct derive *d, xsm_jw *w, int type, const char *kind, const char *id, const char *name)
{
	if (d->per_type[type]++ >= d->max_per_type)
		return NULL;
	xsm_jw_init(w, &d->out);
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "time", d->time);
	xsm_jw_kstr(w, "type", type_names[type]);
	xsm_jw_kstr(w, "snapshot", d->cur);
	xsm_jw_kstr(w, "previous", d->prev);
	xsm_jw_key(w, "subject");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "kind", kind);
	xsm_jw_kstr(w, "id", id);
	xsm_jw_kstr(w, "name", name);
	xsm_jw_obj_end(w);
	return w;
}

static void ev_end(struct derive *d, xsm_jw *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ev_end(struct derive *d, xsm_jw *w, const char *fmt, ...)
{
	xsm_buf msg = XSM_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	if (xsm_buf_vprintf(&msg, fmt, ap) < 0)
		d->err = 1;
	va_end(ap);
	xsm_jw_kstr(w, "message", msg.ptr ? msg.ptr : "");
	xsm_jw_obj_end(w);
	if (w->err || xsm_buf_putc(&d->out, '\n') < 0)
		d->err = 1;
	d->count++;
	xsm_buf_dispose(&msg);
}

/* one summary event for what the cap left out */
static void ev_overflow(struct derive *d, int type)
{
	xsm_jw w;
	size_t more = d->per_type[type] > d->max_per_type ? d->per_type[type] - d->max_per_type : 0;
	if (!more)
		return;
	xsm_jw_init(&w, &d->out);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "time", d->time);
	xsm_jw_kstr(&w, "type", type_names[type]);
	xsm_jw_kstr(&w, "snapshot", d->cur);
	xsm_jw_kstr(&w, "previous", d->prev);
	xsm_jw_key(&w, "subject");
	xsm_jw_null(&w);
	xsm_jw_kint(&w, "more", (int64_t)more);
	d->per_type[type] = 0; /* ev_end counts it */
	ev_end(d, &w, "%zu more %s %s not listed (events.max_per_type)", more, type_names[type],
	       more == 1 ? "event" : "events");
}

static void drops(struct derive *d, const xsm_insights_report *pr, const xsm_insights_report *cr, double thr)
{
	size_t i;
	xsm_jw w;
	for (i = 0; i < xsm_insights_report_metric_count(cr); i++) {
		const xsm_metric_info *m = xsm_insights_report_metric(cr, i), *p;
		long k = xsm_insights_report_find_metric(pr, m->id);
		if (k < 0 || m->progress < 0 || !(p = xsm_insights_report_metric(pr, (size_t)k)) || p->progress < 0 ||
		    p->progress - m->progress < thr - 1e-9)
			continue;
		if (!ev_begin(d, &w, EV_METRIC_DROP, "metric", m->id, m->name))
			continue;
		xsm_jw_knum(&w, "from", p->progress);
		xsm_jw_knum(&w, "to", m->progress);
		xsm_jw_kint(&w, "affected", (int64_t)m->affected);
		xsm_jw_kint(&w, "total", (int64_t)m->total);
		ev_end(d, &w, "metric '%s' dropped from %.2f to %.2f (%zu of %zu %s affected)", m->name, p->progress,
		       m->progress, m->affected, m->total, m->total == 1 ? "asset" : "assets");
	}
	ev_overflow(d, EV_METRIC_DROP);
	for (i = 0; i < xsm_insights_report_initiative_count(cr); i++) {
		const xsm_initiative_info *in = xsm_insights_report_initiative(cr, i), *p;
		long k = xsm_insights_report_find_initiative(pr, in->id);
		if (k < 0 || in->score < 0 || !(p = xsm_insights_report_initiative(pr, (size_t)k)) || p->score < 0 ||
		    p->score - in->score < thr - 1e-9)
			continue;
		if (!ev_begin(d, &w, EV_INITIATIVE_DROP, "initiative", in->id, in->name))
			continue;
		xsm_jw_knum(&w, "from", p->score);
		xsm_jw_knum(&w, "to", in->score);
		xsm_jw_knum(&w, "target", in->target);
		ev_end(d, &w, "initiative '%s' score dropped from %.2f to %.2f (target %g)", in->name, p->score, in->score,
		       in->target);
	}
	ev_overflow(d, EV_INITIATIVE_DROP);
}

static void node_events(struct derive *d, const struct watch *pw, const struct watch *cw, int thr)
{
	size_t i;
	xsm_jw w;
	for (i = 0; i < cw->v.n; i++) {
		const struct witem *c = &cw->v.v[i], *p;
		if (c->connector || c->level > thr)
			continue;
		p = watch_find(pw, c->id, 0);
		if (p && p->level <= thr)
			continue;
		if (!ev_begin(d, &w, EV_NEW_CRITICAL, "node", c->id, c->name))
			continue;
		xsm_jw_kstr(&w, "label", c->label);
		xsm_jw_kint(&w, "level", c->level);
		ev_end(d, &w, "%s '%s' is now a critical asset (level %d, %s)", c->label ? c->label : "node", c->name,
		       c->level, xsm_level_name(c->level));
	}
	ev_overflow(d, EV_NEW_CRITICAL);
}

static void exposed_events(struct derive *d, const struct watch *pw, const struct watch *cw)
{
	size_t i;
	xsm_jw w;
	for (i = 0; i < cw->v.n; i++) {
		const struct witem *c = &cw->v.v[i], *p;
		if (c->connector || !c->exposed)
			continue;
		p = watch_find(pw, c->id, 0);
		if (p && p->exposed)
			continue;
		if (!ev_begin(d, &w, EV_NEW_EXPOSED, "node", c->id, c->name))
			continue;
		xsm_jw_kstr(&w, "label", c->label);
		ev_end(d, &w, "%s '%s' is newly exposed to the internet", c->label ? c->label : "device", c->name);
	}
	ev_overflow(d, EV_NEW_EXPOSED);
}

static void connector_events(struct derive *d, const struct watch *pw, const struct watch *cw)
{
	size_t i;
	xsm_jw w;
	for (i = 0; i < cw->v.n; i++) {
		const struct witem *c = &cw->v.v[i], *p;
		if (!c->connector || !c->status || strcmp(c->status, "error"))
			continue;
		p = watch_find(pw, c->id, 1);
		if (p && p->status && !strcmp(p->status, "error") && p->time && c->time && !strcmp(p->time, c->time))
			continue; /* the same failure, reported already */
		if (!ev_begin(d, &w, EV_CONNECTOR_FAILED, "connector", c->id, c->id))
			continue;
		xsm_jw_kstr(&w, "failed_at", c->time);
		xsm_jw_kstr(&w, "error", c->error);
		xsm_jw_kstr(&w, "last_data", c->last_data);
		ev_end(d, &w, "connector '%s' failed at %s: %s", c->id, c->time ? c->time : "?",
		       c->error ? c->error : "unknown error");
	}
	ev_overflow(d, EV_CONNECTOR_FAILED);
	for (i = 0; i < cw->v.n; i++) {
		const struct witem *c = &cw->v.v[i], *p;
		if (!c->connector || !c->stale)
			continue;
		p = watch_find(pw, c->id, 1);
		if (p && p->stale)
			continue;
		if (!ev_begin(d, &w, EV_DATA_STALE, "connector", c->id, c->id))
			continue;
		xsm_jw_kstr(&w, "last_data", c->last_data);
		xsm_jw_kint(&w, "age_hours", c->age_hours);
		ev_end(d, &w, "data of connector '%s' is stale: last run %s, %lld %s ago", c->id,
		       c->last_data ? c->last_data : "?", (long long)c->age_hours, c->age_hours == 1 ? "hour" : "hours");
	}
	ev_overflow(d, EV_DATA_STALE);
}

static const xsm_pathset *sort_set;

static int cmp_path_idx(const void *a, const void *b)
{
	return strcmp(xsm_paths_get(sort_set, *(const size_t *)a)->id, xsm_paths_get(sort_set, *(const size_t *)b)->id);
}

/* PathIds are "ap-" and 16 lowercase hex digits: as numbers they sort as their text does */
struct keyed {
	uint64_t key;
	size_t idx;
};

static int path_key(const char *id, uint64_t *out)
{
	uint64_t v = 0;
	if (strncmp(id, "ap-", 3))
		return 0;
	for (int i = 3; i < 19; i++) {
		char c = id[i];
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return 0;
	}
	*out = v;
	return id[19] == '\0';
}

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* the set's paths by PathId: by number when every id has the usual form, by text otherwise */
static size_t *sorted_paths(const xsm_pathset *s)
{
	size_t n = xsm_paths_count(s), i, *idx = xsm__calloc(n + 1, sizeof(*idx));
	struct keyed *k = xsm__calloc(n + 1, sizeof(*k));
	int numeric = k != NULL;
	if (!idx) {
		xsm__free(k);
		return NULL;
	}
	for (i = 0; i < n && numeric; i++) {
		numeric = path_key(xsm_paths_get(s, i)->id, &k[i].key);
		k[i].idx = i;
	}
	if (numeric) {
		qsort(k, n, sizeof(*k), cmp_keyed);
		for (i = 0; i < n; i++)
			idx[i] = k[i].idx;
	} else {
		for (i = 0; i < n; i++)
			idx[i] = i;
		sort_set = s;
		qsort(idx, n, sizeof(*idx), cmp_path_idx);
	}
	xsm__free(k);
	return idx;
}

static void path_event(struct derive *d, int type, const xsm_path_info *p)
{
	xsm_jw w;
	xsm_buf scen = XSM_BUF_INIT;
	const xsm_jw *began;
	/* an index has no scenario: it is named again from the entry type and classification */
	if (!p->scenario && xsm__paths_scenario(&scen, p->entry_type ? p->entry_type : "?",
						p->target_classification ? p->target_classification : "?") < 0) {
		d->err = 1;
		xsm_buf_dispose(&scen);
		return;
	}
	began = ev_begin(d, &w, type, "path", p->id, p->scenario ? p->scenario : scen.ptr);
	xsm_buf_dispose(&scen);
	if (!began)
		return;
	xsm_jw_kstr(&w, "risk", xsm_risk_name(p->risk));
	xsm_jw_kstr(&w, "entry", p->entry_name);
	xsm_jw_kstr(&w, "target", p->target_name);
	xsm_jw_kint(&w, "hops", p->hops);
	ev_end(d, &w, "%s attack path %s: '%s' to '%s' (%s, %d %s)", type == EV_NEW_PATH ? "new" : "resolved", p->id,
	       p->entry_name ? p->entry_name : "?", p->target_name ? p->target_name : "?", xsm_risk_name(p->risk),
	       p->hops, p->hops == 1 ? "hop" : "hops");
}

static int path_events(struct derive *d, xsm_store *store)
{
	xsm_pathset *ps = NULL, *cs = NULL;
	size_t *pi = NULL, *ci = NULL, a = 0, b = 0, np, nc;
	int rc;

	/* the indexes are enough: no path is parsed */
	if ((rc = xsm_paths_load_ids(&ps, store, d->prev)) < 0 || (rc = xsm_paths_load_ids(&cs, store, d->cur)) < 0) {
		if (rc == XSM_ENOINPUT || rc == XSM_ENOTFOUND) {
			xsm_ctx_clear(d->ctx);
			rc = 0;
		}
		goto done;
	}
	np = xsm_paths_count(ps);
	nc = xsm_paths_count(cs);
	if (!(pi = sorted_paths(ps)) || !(ci = sorted_paths(cs))) {
		rc = xsm__error_oom(d->ctx);
		goto done;
	}
	/* new paths first, then resolved ones, each by PathId */
	while (b < nc) {
		int c = a < np ? strcmp(xsm_paths_get(ps, pi[a])->id, xsm_paths_get(cs, ci[b])->id) : 1;
		if (c < 0)
			a++;
		else if (c > 0)
			path_event(d, EV_NEW_PATH, xsm_paths_get(cs, ci[b++]));
		else
			a++, b++;
	}
	ev_overflow(d, EV_NEW_PATH);
	for (a = b = 0; a < np;) {
		int c = b < nc ? strcmp(xsm_paths_get(ps, pi[a])->id, xsm_paths_get(cs, ci[b])->id) : -1;
		if (c < 0)
			path_event(d, EV_RESOLVED_PATH, xsm_paths_get(ps, pi[a++]));
		else if (c > 0)
			b++;
		else
			a++, b++;
	}
	ev_overflow(d, EV_RESOLVED_PATH);
done:
	xsm__free(pi);
	xsm__free(ci);
	xsm_paths_free(ps);
	xsm_paths_free(cs);
	return rc;
}

int xsm_events_derive(size_t *count, xsm_store *store, const char *prev, const char *cur)
{
	return xsm__events_derive(count, NULL, store, prev, cur);
}

int xsm__events_derive(size_t *count, off_t *undo, xsm_store *store, const char *prev, const char *cur)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	struct derive d;
	struct watch pw, cw;
	xsm_insights_report *pr = NULL, *cr = NULL;
	int rc;

	*count = 0;
	memset(&d, 0, sizeof(d));
	memset(&pw, 0, sizeof(pw));
	d.ctx = ctx;
	d.prev = prev;
	d.cur = cur;
	d.max_per_type = (size_t)xsm__cfg_long(ctx, "events.max_per_type", 1000);
	xsm_time_format(d.time, xsm_ctx_now(ctx));
	if ((rc = watch_load(&cw, store, cur)) < 0)
		return rc;
	if (prev && (rc = watch_load(&pw, store, prev)) < 0)
		goto done;
	if (prev) {
		/* scores: both snapshots need insights (older snapshots have none) */
		if (xsm_insights_report_load(&pr, store, prev) == 0 && xsm_insights_report_load(&cr, store, cur) == 0)
			drops(&d, pr, cr, (double)xsm__cfg_long(ctx, "events.score_drop", 2));
		xsm_ctx_clear(ctx);
		if (pw.present) {
			node_events(&d, &pw, &cw, (int)xsm__cfg_long(ctx, "events.critical_level", 1));
		}
		if ((rc = path_events(&d, store)) < 0)
			goto done;
		if (pw.present)
			exposed_events(&d, &pw, &cw);
	}
	connector_events(&d, &pw, &cw);
	if (d.err) {
		rc = xsm__error_oom(ctx);
		goto done;
	}
	if (d.out.size) {
		d.out.ptr[--d.out.size] = '\0'; /* xsm_store_append adds the last newline */
		rc = xsm__store_append_undo(store, "events.jsonl", d.out.ptr, undo);
	}
	if (rc == 0)
		*count = d.count;
done:
	watch_free(&pw);
	watch_free(&cw);
	xsm_insights_report_free(pr);
	xsm_insights_report_free(cr);
	xsm_buf_dispose(&d.out);
	return rc;
}

/* --- reading the feed ---------------------------------------------------------------- */

int xsm_events_list(xsm_store *store, int64_t since, const char *type, size_t limit,
		    int (*cb)(const xsm_event_info *, void *), void *payload)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	xsm_buf b = XSM_BUF_INIT;
	XSM__VEC(char *) lines = { 0 };
	char *line, *next;
	size_t i, first = 0;
	int rc = xsm_store_read(&b, store, "events.jsonl", (size_t)1 << 31);

	if (rc == XSM_ENOTFOUND) {
		xsm_ctx_clear(ctx);
		return 0;
	}
	if (rc < 0)
		return rc;
	/* pass 1: which lines match (the feed is in time order) */
	for (line = b.ptr; line && *line && rc == 0; line = next) {
		xsm__json *j = NULL;
		const char *t, *ty;
		int64_t ts;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		if (xsm__json_parse(&j, ctx, line, strlen(line), "") < 0) {
			xsm_ctx_clear(ctx);
			continue;
		}
		t = xsm__json_getstr(j, "time");
		ty = xsm__json_getstr(j, "type");
		if (t && ty && (!since || (xsm_time_parse(&ts, t) == 0 && ts >= since)) && (!type || !strcmp(type, ty)) &&
		    xsm__vec_push(&lines, line) < 0)
			rc = xsm__error_oom(ctx);
		xsm__json_free(j);
	}
	if (limit && lines.n > limit)
		first = lines.n - limit;
	for (i = first; i < lines.n && rc == 0; i++) {
		xsm__json *j = NULL;
		const xsm__json *s;
		xsm_event_info ev;
		if (xsm__json_parse(&j, ctx, lines.v[i], strlen(lines.v[i]), "") < 0) {
			xsm_ctx_clear(ctx);
			continue;
		}
		s = xsm__json_get(j, "subject");
		memset(&ev, 0, sizeof(ev));
		ev.time = xsm__json_getstr(j, "time");
		ev.type = xsm__json_getstr(j, "type");
		ev.snapshot = xsm__json_getstr(j, "snapshot");
		ev.kind = xsm__json_getstr(s, "kind");
		ev.id = xsm__json_getstr(s, "id");
		ev.name = xsm__json_getstr(s, "name");
		ev.message = xsm__json_getstr(j, "message");
		ev.json = lines.v[i];
		rc = cb(&ev, payload);
		xsm__json_free(j);
	}
	xsm__vec_free(&lines);
	xsm_buf_dispose(&b);
	return rc;
}
