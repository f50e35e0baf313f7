/* page.c - xsm_report_html: the exposure report as one self-contained HTML page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "exposure/access.h"
#include "exposure/critical.h"
#include "exposure/version.h"
#include "report/page.h"
#include "util/alloc.h"

/*
 * No script and nothing fetched: the policy says so to the browser too, so
 * that even a name that escaped escaping could not run or load anything.
 */
static const char head_html[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"generator\" content=\"xsm " XSM_VERSION "\">\n";

static const char css[] =
	"<style>\n"
	"body{font:14px/1.45 system-ui,'DejaVu Sans',sans-serif;color:#1c2329;background:#fff;margin:0 auto;"
	"padding:16px 24px 40px;max-width:1280px}\n"
	"h1{font-size:24px;margin:8px 0 2px}h2{font-size:19px;margin:28px 0 6px;border-bottom:2px solid #cfd8dc}"
	"h3{font-size:15px;margin:18px 0 6px}\n"
	".meta{color:#546e7a;margin:0 0 10px}nav a{margin-right:14px;color:#1565c0}\n"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.card{border:1px solid #cfd8dc;border-radius:6px;"
	"padding:8px 14px;min-width:150px}.card b{display:block;font-size:22px}\n"
	"table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border-bottom:1px solid #eceff1;"
	"padding:3px 8px;text-align:left;vertical-align:top}th{background:#f5f7f8}\n"
	"td.num{text-align:right;white-space:nowrap}td.id{font-family:'DejaVu Sans Mono',monospace;font-size:12px;"
	"white-space:nowrap}\nfigure{margin:0}\n"
	".up{color:#2e7d32}.down{color:#c62828}.more,.caption{color:#546e7a}\n"
	".bar{display:inline-block;width:60px;height:8px;background:#eceff1;vertical-align:middle}"
	".bar span{display:block;height:8px;background:#1565c0}\n"
	".swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}\n"
	".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;margin:4px 0}\n"
	"tr.metrics>td{border:none;padding-top:0}details summary{color:#1565c0;cursor:pointer}\n"
	".risk-critical{color:#b00020;font-weight:bold}.risk-high{color:#e65100}.risk-medium{color:#8d6e00}"
	".risk-low{color:#2e7d32}\n"
	".level0{color:#b00020;font-weight:bold}.level1{color:#e65100}\n"
	"tr.failed td{background:#ffebee}tr.stale td:nth-child(5){color:#c62828}\n"
	"svg text{font:12px system-ui,'DejaVu Sans',sans-serif}\n"
	".chart .grid{stroke:#eceff1}.chart .axis{stroke:#90a4ae}.chart .tick{fill:#546e7a;font-size:11px}"
	".chart path{stroke-width:2}.spark path{fill:none;stroke:#1565c0;stroke-width:1.5}"
	".spark .target{stroke:#90a4ae;stroke-dasharray:3 2}\n"
	".mapbox{overflow-x:auto;border:1px solid #eceff1;border-radius:6px;padding:6px}\n"
	".map .path path,.map .group path{fill:none;stroke-opacity:.75;marker-end:url(#arrow)}\n"
	".map .path path{stroke-width:2}.map .path:hover path{stroke-width:4;stroke-opacity:1}\n"
	".map .risk-critical path{stroke:#b00020}.map .risk-high path{stroke:#e65100}"
	".map .risk-medium path{stroke:#f9a825}.map .risk-low path{stroke:#2e7d32}\n"
	".map .risk-critical circle{fill:#b00020}.map .risk-high circle{fill:#e65100}"
	".map .risk-medium circle{fill:#f9a825}.map .risk-low circle{fill:#2e7d32}\n"
	".map .group path{stroke:#5c6bc0;stroke-opacity:.55}.map .group:hover path{stroke-opacity:.9}\n"
	".map .node rect{fill:#eceff1;stroke:#90a4ae}.map .entry rect{fill:#fff3e0;stroke:#ef6c00}"
	".map .target rect{fill:#ffebee;stroke:#b00020;stroke-width:2}.map .choke rect{fill:#fff8e1;stroke:#f9a825;"
	"stroke-width:2}\n"
	".map .colname{fill:#546e7a;font-weight:bold}.map .elabels text{font-size:10px;fill:#37474f;"
	"text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
	"footer{margin-top:32px;color:#78909c;font-size:12px}\n"
	"</style>\n";

void xsm__page_time(char out[32], int64_t t)
{
	char iso[21];
	xsm_time_format(iso, t);
	snprintf(out, 32, "%.10s %.5s UTC", iso, iso + 11);
}

struct ranked {
	const xsm_path_info *p;
	size_t i;
};

static int cmp_serious(const void *a, const void *b)
{
	return xsm_paths_cmp_serious(((const struct ranked *)a)->p, ((const struct ranked *)b)->p);
}

/* the paths most serious first, as `xsm paths list` orders them: risk, target level, hops, PathId */
static int order_paths(struct xsm__page *p)
{
	size_t n = xsm_paths_count(p->paths);
	struct ranked *r = xsm__calloc(n + 1, sizeof(*r));
	if (!r || !(p->order = xsm__calloc(n + 1, sizeof(*p->order)))) {
		xsm__free(r);
		return xsm__error_oom(p->ctx);
	}
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){ xsm_paths_get(p->paths, i), i };
	if (n > 1)
		qsort(r, n, sizeof(*r), cmp_serious);
	for (size_t i = 0; i < n; i++)
		p->order[i] = r[i].i;
	xsm__free(r);
	return 0;
}

/* the paths as paths.idx has them; an index of an older build, without names, means reading every path */
static int load_paths(struct xsm__page *p, const char *snapshot)
{
	int rc = xsm_paths_load_ids(&p->paths, p->store, snapshot);
	if (rc == 0 && xsm_paths_count(p->paths) && !xsm_paths_get(p->paths, 0)->entry_type) {
		xsm_paths_free(p->paths);
		p->paths = NULL;
		rc = xsm_paths_load(&p->paths, p->store, snapshot);
	}
	return rc < 0 ? rc : order_paths(p);
}

static int page_load(struct xsm__page *p)
{
	int rc;
	if ((rc = xsm_insights_report_load(&p->ins, p->store, NULL)) < 0)
		return rc;
	if ((rc = xsm_insights_trend_load(&p->trend, p->store, p->o->trend_days)) < 0)
		return rc;
	if ((rc = load_paths(p, xsm_insights_report_snapshot(p->ins))) < 0)
		return rc;
	return xsm_graph_load(&p->g, p->store, xsm_insights_report_snapshot(p->ins), XSM_LOAD_NO_EDGE_PROPS);
}

static void page_free(struct xsm__page *p)
{
	xsm_insights_report_free(p->ins);
	xsm_insights_trend_free(p->trend);
	xsm_paths_free(p->paths);
	xsm__free(p->order);
	xsm_graph_free(p->g);
}

static void card(xsm__html *h, const char *id, size_t n, const char *what)
{
	xsm__html_printf(h, "<div class=\"card\" id=\"card-%s\"><b>", id);
	xsm__html_count(h, n);
	xsm__html_printf(h, "</b>%s</div>", what);
}

static void summary(xsm__html *h, const struct xsm__page *p)
{
	size_t below = 0, crit = 0, critpaths = 0;
	for (size_t i = 0; i < xsm_insights_report_initiative_count(p->ins); i++) {
		const xsm_initiative_info *in = xsm_insights_report_initiative(p->ins, i);
		below += in->score >= 0 && in->score < in->target;
	}
	for (size_t i = 0; i < xsm_graph_node_count(p->g); i++)
		crit += xsm_critical_level(p->g, i) <= 3;
	for (size_t i = 0; i < xsm_paths_count(p->paths); i++)
		critpaths += xsm_paths_get(p->paths, i)->risk == XSM_RISK_CRITICAL;
	xsm__html_puts(h, "<section id=\"summary\"><div class=\"cards\">");
	card(h, "paths", xsm_paths_count(p->paths), "attack paths");
	card(h, "critical-paths", critpaths, "at critical risk");
	card(h, "critical", crit, "critical assets");
	card(h, "below", below, "initiatives below target");
	card(h, "nodes", xsm_graph_node_count(p->g), "nodes in the graph");
	card(h, "edges", xsm_graph_edge_count(p->g), "edges");
	xsm__html_puts(h, "</div></section>\n");
}

static void header(xsm__html *h, const struct xsm__page *p)
{
	char when[32];
	xsm__page_time(when, p->now);
	xsm__html_puts(h, head_html);
	xsm__html_puts(h, "<title>Exposure report, snapshot ");
	xsm__html_text(h, xsm_insights_report_snapshot(p->ins));
	xsm__html_puts(h, "</title>\n");
	xsm__html_puts(h, css);
	xsm__html_puts(h, "</head>\n<body>\n<header id=\"top\"><h1>Exposure report</h1>\n<p class=\"meta\">snapshot ");
	xsm__html_text(h, xsm_insights_report_snapshot(p->ins));
	xsm__html_printf(h, ", made %s by xsm %s</p>\n", when, XSM_VERSION);
	xsm__html_puts(h, "<nav><a href=\"#initiatives\">scores</a><a href=\"#attack-paths\">attack paths</a>"
			  "<a href=\"#chokepoints\">choke points</a><a href=\"#critical-assets\">critical assets</a>"
			  "<a href=\"#events\">events</a><a href=\"#connectors\">sources</a></nav></header>\n<main>\n");
}

static void footer(xsm__html *h)
{
	xsm__html_puts(h, "</main>\n<footer>Made by xsm, from the store's current snapshot. The page is whole: "
			  "no script, nothing loaded from elsewhere.</footer>\n</body>\n</html>\n");
}

static int page_body(xsm__html *h, const struct xsm__page *p)
{
	int rc;
	header(h, p);
	summary(h, p);
	xsm__page_initiatives(h, p);
	if ((rc = xsm__page_paths(h, p)) < 0 || (rc = xsm__page_chokepoints(h, p)) < 0 ||
	    (rc = xsm__page_critical(h, p)) < 0 || (rc = xsm__page_events(h, p)) < 0 ||
	    (rc = xsm__page_sources(h, p)) < 0)
		return rc;
	footer(h);
	return 0;
}

int xsm_report_html(xsm_buf *out, xsm_store *store, const xsm_report_options *opts)
{
	static const xsm_report_options defaults = XSM_REPORT_OPTIONS_INIT;
	struct xsm__page p;
	xsm__html h = { out, 0 };
	int rc;

	memset(&p, 0, sizeof(p));
	p.store = store;
	p.ctx = xsm_store_ctx(store);
	p.o = opts && opts->version == XSM_REPORT_OPTIONS_VERSION ? opts : &defaults;
	p.now = xsm_ctx_now(p.ctx);
	xsm_buf_clear(out);
	if (xsm_ctx_scope(p.ctx))
		return xsm__error_set(p.ctx, XSM_EDENIED, "the report names devices of every scope: it needs a role without a scope");
	if ((rc = page_load(&p)) == 0 && (rc = page_body(&h, &p)) == 0 && h.err)
		rc = xsm__error_oom(p.ctx);
	page_free(&p);
	return rc;
}
