/* cmd_whatif.c - xsm paths whatif: remediation simulated on the current snapshot, nothing written. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* the option's value: "--opt=V" or the next word; NULL (after a usage message) when there is none */
static const char *value(struct xsm_cli *cli, int argc, const char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc) {
		xsm_cli_usage(cli, "option '%s' needs a value", name);
		return NULL;
	}
	return argv[++*i];
}

static int is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(a, name, n) && (a[n] == '\0' || a[n] == '=');
}

static void jw_path(xsm_jw *w, const xsm_whatif_path *p, int rerouted)
{
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "PathId", p->id);
	xsm_jw_kstr(w, "entry", p->entry);
	xsm_jw_kstr(w, "target", p->target);
	xsm_jw_kstr(w, "risk", xsm_risk_name(p->risk));
	xsm_jw_kint(w, "hops", p->hops);
	if (rerouted)
		xsm_jw_kint(w, "hops_after", p->hops_after);
	xsm_jw_obj_end(w);
}

static void jw_chokes(xsm_jw *w, const char *key, const xsm_whatif_choke *c, size_t n)
{
	xsm_jw_key(w, key);
	xsm_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		xsm_jw_obj(w);
		xsm_jw_kstr(w, "NodeId", c[i].id);
		xsm_jw_kstr(w, "NodeName", c[i].name);
		xsm_jw_kstr(w, "NodeLabel", c[i].label);
		xsm_jw_kint(w, "paths", c[i].paths);
		xsm_jw_key(w, "pairs_cut");
		if (c[i].pairs_cut < 0)
			xsm_jw_null(w);
		else
			xsm_jw_int(w, c[i].pairs_cut);
		xsm_jw_obj_end(w);
	}
	xsm_jw_arr_end(w);
}

static void jw_score(xsm_jw *w, const char *key, double v)
{
	xsm_jw_key(w, key);
	if (v < 0)
		xsm_jw_null(w);
	else
		xsm_jw_num(w, v);
}

static void jw_fix(xsm_jw *w, const xsm_whatif_proposal *f, size_t rank)
{
	xsm_jw_obj(w);
	xsm_jw_kint(w, "rank", (int64_t)rank);
	xsm_jw_kstr(w, "kind", f->kind);
	xsm_jw_kstr(w, "change", f->what);
	xsm_jw_kstr(w, "EdgeId", f->edge_id);
	xsm_jw_kstr(w, "from", f->from);
	xsm_jw_kstr(w, "label", f->label);
	xsm_jw_kstr(w, "to", f->to);
	xsm_jw_kstr(w, "cve", f->cve);
	xsm_jw_kint(w, "pairs_cut", (int64_t)f->pairs_cut);
	xsm_jw_obj_end(w);
}

static int emit_json(const xsm_whatif_result *r)
{
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	size_t i;
	int rc;

	xsm_jw_init(&w, &b);
	xsm_jw_obj(&w);
	xsm_jw_kstr(&w, "schema", "xsm.paths.whatif/1");
	xsm_jw_kstr(&w, "snapshot", r->snapshot);
	xsm_jw_key(&w, "changes");
	xsm_jw_arr(&w);
	for (i = 0; i < r->napplied; i++)
		xsm_jw_str(&w, r->applied[i]);
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "paths");
	xsm_jw_obj(&w);
	xsm_jw_kint(&w, "before", (int64_t)r->paths_before);
	xsm_jw_kint(&w, "after", (int64_t)r->paths_after);
	xsm_jw_kint(&w, "removed", (int64_t)r->nremoved);
	xsm_jw_kint(&w, "added", (int64_t)r->nadded);
	xsm_jw_kint(&w, "rerouted", (int64_t)r->nrerouted);
	xsm_jw_obj_end(&w);
	xsm_jw_kint(&w, "pairs_cut", (int64_t)r->pairs_cut);
	xsm_jw_key(&w, "removed");
	xsm_jw_arr(&w);
	for (i = 0; i < r->nremoved; i++)
		jw_path(&w, &r->removed_paths[i], 0);
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "added");
	xsm_jw_arr(&w);
	for (i = 0; i < r->nadded; i++)
		jw_path(&w, &r->added_paths[i], 0);
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "rerouted");
	xsm_jw_arr(&w);
	for (i = 0; i < r->nrerouted; i++)
		jw_path(&w, &r->rerouted_paths[i], 1);
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "chokepoints");
	xsm_jw_obj(&w);
	jw_chokes(&w, "before", r->chokes_before, r->nchokes_before);
	jw_chokes(&w, "after", r->chokes_after, r->nchokes_after);
	xsm_jw_obj_end(&w);
	xsm_jw_key(&w, "criticality");
	xsm_jw_arr(&w);
	for (i = 0; i < r->nlevels; i++) {
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "NodeId", r->levels[i].id);
		xsm_jw_kstr(&w, "NodeName", r->levels[i].name);
		xsm_jw_kstr(&w, "NodeLabel", r->levels[i].label);
		xsm_jw_kint(&w, "before", r->levels[i].before);
		xsm_jw_kint(&w, "after", r->levels[i].after);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "initiatives");
	xsm_jw_arr(&w);
	for (i = 0; i < r->nscores; i++) {
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "id", r->scores[i].id);
		xsm_jw_kstr(&w, "name", r->scores[i].name);
		jw_score(&w, "before", r->scores[i].before);
		jw_score(&w, "after", r->scores[i].after);
		xsm_jw_obj_end(&w);
	}
	xsm_jw_arr_end(&w);
	xsm_jw_key(&w, "top_fixes");
	xsm_jw_arr(&w);
	for (i = 0; i < r->nfixes; i++)
		jw_fix(&w, &r->fixes[i], i + 1);
	xsm_jw_arr_end(&w);
	xsm_jw_obj_end(&w);
	rc = w.err ? -1 : xsm_cli_emit(&b);
	xsm_buf_dispose(&b);
	return rc < 0 ? XSM_EXIT_IOERR : 0;
}

/* one line a changed path ("change": removed, added, rerouted), then one a proposed fix */
static int emit_jsonl(const xsm_whatif_result *r)
{
	xsm_buf b = XSM_BUF_INIT;
	static const char *const what[] = { "removed", "added", "rerouted" };
	const xsm_whatif_path *sets[] = { r->removed_paths, r->added_paths, r->rerouted_paths };
	size_t ns[] = { r->nremoved, r->nadded, r->nrerouted };
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < ns[s]; i++) {
			xsm_jw w;
			xsm_buf_clear(&b);
			xsm_jw_init(&w, &b);
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "change", what[s]);
			xsm_jw_kstr(&w, "PathId", sets[s][i].id);
			xsm_jw_kstr(&w, "entry", sets[s][i].entry);
			xsm_jw_kstr(&w, "target", sets[s][i].target);
			xsm_jw_kstr(&w, "risk", xsm_risk_name(sets[s][i].risk));
			xsm_jw_kint(&w, "hops", sets[s][i].hops);
			if (s == 2)
				xsm_jw_kint(&w, "hops_after", sets[s][i].hops_after);
			xsm_jw_obj_end(&w);
			xsm_buf_putc(&b, '\n');
			fwrite(b.ptr, 1, b.size, stdout);
		}
	for (size_t i = 0; i < r->nfixes; i++) {
		xsm_jw w;
		xsm_buf_clear(&b);
		xsm_jw_init(&w, &b);
		jw_fix(&w, &r->fixes[i], i + 1);
		xsm_buf_putc(&b, '\n');
		fwrite(b.ptr, 1, b.size, stdout);
	}
	xsm_buf_dispose(&b);
	return 0;
}

static void path_rows(const char *title, const xsm_whatif_path *p, size_t n, int rerouted)
{
	static const char *head[] = { "PATHID", "RISK", "HOPS", "ENTRY", "TARGET" };
	struct xsm_table t;
	size_t shown = n < 20 ? n : 20;
	if (!n)
		return;
	printf("\n%s (%zu%s):\n", title, n, shown < n ? ", the first 20 shown; --format=json for all" : "");
	xsm_table_init(&t, 5, head);
	for (size_t i = 0; i < shown; i++) {
		char hops[32];
		if (rerouted)
			snprintf(hops, sizeof(hops), "%d -> %d", p[i].hops, p[i].hops_after);
		else
			snprintf(hops, sizeof(hops), "%d", p[i].hops);
		xsm_table_add(&t, p[i].id, xsm_risk_name(p[i].risk), hops, p[i].entry, p[i].target);
	}
	xsm_table_print(&t, stdout);
	xsm_table_free(&t);
}

static void choke_rows(const char *title, const xsm_whatif_choke *c, size_t n)
{
	static const char *head[] = { "NODE", "LABEL", "PATHS", "PAIRS CUT" };
	struct xsm_table t;
	printf("\n%s:\n", title);
	if (!n) {
		printf("  none\n");
		return;
	}
	xsm_table_init(&t, 4, head);
	for (size_t i = 0; i < n; i++) {
		char p[32], cut[32];
		snprintf(p, sizeof(p), "%ld", c[i].paths);
		snprintf(cut, sizeof(cut), "%ld", c[i].pairs_cut);
		xsm_table_add(&t, c[i].name, c[i].label, p, c[i].pairs_cut < 0 ? NULL : cut);
	}
	xsm_table_print(&t, stdout);
	xsm_table_free(&t);
}

static int emit_table(const xsm_whatif_result *r)
{
	size_t i;
	printf("what-if on snapshot %s (nothing written)\n", r->snapshot);
	for (i = 0; i < r->napplied; i++)
		printf("  %s\n", r->applied[i]);
	printf("\nattack paths: %zu before, %zu after; %zu entry-target %s cut, %zu new, %zu rerouted\n",
	       r->paths_before, r->paths_after, r->pairs_cut, XSM_PL(r->pairs_cut, "pair"), r->nadded, r->nrerouted);
	if (r->nlevels) {
		static const char *head[] = { "NODE", "LABEL", "BEFORE", "AFTER" };
		struct xsm_table t;
		size_t shown = r->nlevels < 20 ? r->nlevels : 20;
		printf("\ncriticality changed (%zu%s):\n", r->nlevels, shown < r->nlevels ? ", the first 20 shown" : "");
		xsm_table_init(&t, 4, head);
		for (i = 0; i < shown; i++)
			xsm_table_add(&t, r->levels[i].name, r->levels[i].label, xsm_level_name(r->levels[i].before),
				      xsm_level_name(r->levels[i].after));
		xsm_table_print(&t, stdout);
		xsm_table_free(&t);
	}
	path_rows("paths removed", r->removed_paths, r->nremoved, 0);
	path_rows("paths added", r->added_paths, r->nadded, 0);
	path_rows("paths rerouted", r->rerouted_paths, r->nrerouted, 1);
	choke_rows("choke points before", r->chokes_before, r->nchokes_before);
	choke_rows("choke points after", r->chokes_after, r->nchokes_after);
	if (r->nscores) {
		static const char *head[] = { "INITIATIVE", "BEFORE", "AFTER", "CHANGE" };
		struct xsm_table t;
		printf("\ninitiative scores:\n");
		xsm_table_init(&t, 4, head);
		for (i = 0; i < r->nscores; i++) {
			char b[32], a[32], d[32];
			const xsm_whatif_score *s = &r->scores[i];
			snprintf(b, sizeof(b), "%.2f", s->before);
			snprintf(a, sizeof(a), "%.2f", s->after);
			snprintf(d, sizeof(d), "%+.2f", s->after - s->before);
			xsm_table_add(&t, s->name, s->before < 0 ? NULL : b, s->after < 0 ? NULL : a,
				      s->before < 0 || s->after < 0 ? NULL : d);
		}
		xsm_table_print(&t, stdout);
		xsm_table_free(&t);
	}
	if (r->nfixes) {
		static const char *head[] = { "#", "CHANGE", "PAIRS CUT" };
		struct xsm_table t;
		printf("\ntop fixes (greedy: each counts what the ones above leave; criticality as it is):\n");
		xsm_table_init(&t, 3, head);
		for (i = 0; i < r->nfixes; i++) {
			char k[32], c[32];
			snprintf(k, sizeof(k), "%zu", i + 1);
			snprintf(c, sizeof(c), "%zu", r->fixes[i].pairs_cut);
			xsm_table_add(&t, k, r->fixes[i].what, c);
		}
		xsm_table_print(&t, stdout);
		xsm_table_free(&t);
	}
	return 0;
}

int xsm_cli_paths_whatif(int argc, const char **argv, struct xsm_cli *cli)
{
	const char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	struct xsm_opt opts[] = { { NULL, 0, 0, NULL, NULL } };
	xsm_whatif *w = NULL;
	xsm_graph *g = NULL;
	const char *pos[1];
	int nrest = 0, n, rc, code = 0, nchanges = 0, top = 0;

	if (!rest || xsm_whatif_new(&w, cli->ctx) < 0) {
		free(rest);
		return xsm_cli_fail(cli, XSM_ENOMEM);
	}
	rest[nrest++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v, *v2, *v3;
		if (is_opt(a, "--remove-edge")) {
			if (strchr(a, '=') || i + 3 >= argc) {
				code = xsm_cli_usage(cli, "--remove-edge takes three words: FROM LABEL TO");
				goto done;
			}
			v = argv[++i], v2 = argv[++i], v3 = argv[++i];
			rc = xsm_whatif_remove_edge(w, v, v2, v3);
		} else if (is_opt(a, "--set-critical")) {
			int level;
			if (strchr(a, '=') || i + 2 >= argc) {
				code = xsm_cli_usage(cli, "--set-critical takes two words: NODE LEVEL");
				goto done;
			}
			v = argv[++i], v2 = argv[++i];
			if ((level = xsm_level_parse(v2)) < 0 || level > 3) {
				code = xsm_cli_usage(cli, "unknown level '%s' (0-3, very-high, high, medium, low)", v2);
				goto done;
			}
			rc = xsm_whatif_set_critical(w, v, level);
		} else if (is_opt(a, "--remove") || is_opt(a, "--isolate") || is_opt(a, "--fix")) {
			const char *name = is_opt(a, "--remove") ? "--remove" : is_opt(a, "--isolate") ? "--isolate" : "--fix";
			const char *on = NULL;
			if (!(v = value(cli, argc, argv, &i, name))) {
				code = XSM_EXIT_USAGE;
				goto done;
			}
			if (name[2] == 'f' && i + 1 < argc && is_opt(argv[i + 1], "--on")) {
				i++;
				if (!(on = value(cli, argc, argv, &i, "--on"))) {
					code = XSM_EXIT_USAGE;
					goto done;
				}
			}
			rc = name[2] == 'r' ? xsm_whatif_remove(w, v) : name[2] == 'i' ? xsm_whatif_isolate(w, v)
										: xsm_whatif_fix(w, v, on);
		} else if (is_opt(a, "--on")) {
			code = xsm_cli_usage(cli, "--on NODE goes right after the --fix CVE it narrows");
			goto done;
		} else if (is_opt(a, "--top-fixes")) {
			char *end;
			long t;
			if (!(v = value(cli, argc, argv, &i, "--top-fixes"))) {
				code = XSM_EXIT_USAGE;
				goto done;
			}
			t = strtol(v, &end, 10);
			if (*end || end == v || t < 1 || t > 20) {
				code = xsm_cli_usage(cli, "--top-fixes takes 1 to 20, not '%s'", v);
				goto done;
			}
			top = (int)t;
			rc = xsm_whatif_top_fixes(w, top);
			nchanges--;
		} else {
			rest[nrest++] = a;
			continue;
		}
		if (rc < 0) {
			code = xsm_cli_fail(cli, rc);
			goto done;
		}
		nchanges++;
	}
	if ((n = xsm_opt_parse(cli, nrest, rest, opts, pos, 0)) < 0) {
		code = xsm_opt_exit(cli, n);
		goto done;
	}
	if (nchanges <= 0 && !top) {
		code = xsm_cli_usage(cli, "what if what? give a change (--remove, --remove-edge, --fix, --isolate, "
					  "--set-critical) or --top-fixes N");
		goto done;
	}
	if ((rc = xsm_graph_load(&g, cli->store, NULL, 0)) < 0 || (rc = xsm_whatif_run(w, cli->store, g)) < 0) {
		code = xsm_cli_fail(cli, rc);
		goto done;
	}
	if (cli->format == XSM_FMT_JSON)
		code = emit_json(xsm_whatif_result_get(w));
	else if (cli->format == XSM_FMT_JSONL)
		code = emit_jsonl(xsm_whatif_result_get(w));
	else
		code = emit_table(xsm_whatif_result_get(w));
done:
	free(rest);
	xsm_whatif_free(w);
	xsm_graph_free(g);
	return code;
}
