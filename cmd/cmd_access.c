/* cmd_access.c - xsm access: grants of a shared store, and who you are on it. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int machine(const struct xsm_cli *cli)
{
	return cli->format == XSM_FMT_JSON || cli->format == XSM_FMT_JSONL;
}

static int load(xsm_access **a, struct xsm_cli *cli)
{
	int rc = xsm_access_load(a, cli->store);
	return rc < 0 ? xsm_cli_fail(cli, rc) : 0;
}

static int access_grant(int argc, const char **argv, struct xsm_cli *cli, int revoke)
{
	const char *pos[3], *scope = NULL;
	struct xsm_opt opts[] = {
		{ "scope", 0, XSM_OPT_STR, &scope, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	xsm_access *a = NULL;
	int n, rc, code;

	if ((n = xsm_opt_parse(cli, argc, argv, revoke ? opts + 1 : opts, pos, 2)) < 0)
		return xsm_opt_exit(cli, n);
	if (n < (revoke ? 1 : 2))
		return xsm_cli_usage(cli, revoke ? "revoke needs USER|@GROUP [ROLE]" : "grant needs USER|@GROUP and ROLE");
	if ((code = xsm_cli_lock(cli)) != 0 || (code = load(&a, cli)) != 0)
		return code;
	/* a name the system does not know is allowed (an account made later), but said */
	if (!cli->quiet && (pos[0][0] == '@' ? !getgrnam(pos[0] + 1) : !getpwnam(pos[0])))
		fprintf(stderr, "xsm: warning: no %s '%s' on this system\n", pos[0][0] == '@' ? "group" : "user",
			pos[0][0] == '@' ? pos[0] + 1 : pos[0]);
	rc = revoke ? xsm_access_revoke(a, cli->store, pos[0], n > 1 ? pos[1] : NULL)
		    : xsm_access_grant(a, cli->store, pos[0], pos[1], scope);
	if (rc == XSM_EUSAGE)
		code = (xsm_cli_error("%s", xsm_ctx_errmsg(cli->ctx)), XSM_EXIT_USAGE);
	else if (rc < 0)
		code = xsm_cli_fail(cli, rc);
	else if (!cli->quiet) {
		if (revoke)
			fprintf(stderr, "revoked %s%s%s\n", n > 1 ? xsm_access_role_find(a, pos[1]) : "every role",
				" from ", pos[0]);
		else
			fprintf(stderr, "granted %s to %s%s%s\n", xsm_access_role_find(a, pos[1]), pos[0],
				scope && *scope ? " with scope " : "", scope && *scope ? scope : "");
	}
	xsm_access_free(a);
	return code;
}

static int access_list(int argc, const char **argv, struct xsm_cli *cli)
{
	static const char *head[] = { "WHO", "ROLE", "SCOPE" };
	int roles = 0, n, code;
	struct xsm_opt opts[] = {
		{ "roles", 0, XSM_OPT_FLAG, &roles, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	const char *pos[1], *who, *role, *scope, *id;
	xsm_access *a = NULL;
	xsm_buf b = XSM_BUF_INIT;
	xsm_jw w;
	size_t i, k;

	if ((n = xsm_opt_parse(cli, argc, argv, opts, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((code = load(&a, cli)) != 0)
		return code;
	if (roles) {
		/* the table of the profile in force: one row an action, one column a role */
		if (machine(cli)) {
			xsm_jw_init(&w, &b);
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.access.roles/1");
			xsm_jw_kstr(&w, "profile", xsm_access_profile(a));
			xsm_jw_key(&w, "actions");
			xsm_jw_arr(&w);
			for (i = 0; (id = xsm_access_action_id(a, i)); i++) {
				xsm_jw_obj(&w);
				xsm_jw_kstr(&w, "action", id);
				xsm_jw_kstr(&w, "description", xsm_access_action_desc(a, i));
				xsm_jw_key(&w, "roles");
				xsm_jw_arr(&w);
				for (k = 0; (role = xsm_access_role_id(a, k)); k++)
					if (xsm_access_allows(a, role, id) == 1)
						xsm_jw_str(&w, role);
				xsm_jw_arr_end(&w);
				xsm_jw_obj_end(&w);
			}
			xsm_jw_arr_end(&w);
			xsm_jw_obj_end(&w);
			xsm_cli_emit(&b);
		} else {
			printf("profile %s\n%-26s", xsm_access_profile(a), "ACTION");
			for (k = 0; (role = xsm_access_role_id(a, k)); k++)
				printf(" %-18s", role);
			printf("\n");
			for (i = 0; (id = xsm_access_action_id(a, i)); i++) {
				printf("%-26s", id);
				for (k = 0; (role = xsm_access_role_id(a, k)); k++)
					printf(" %-18s", xsm_access_allows(a, role, id) == 1 ? "yes" : "-");
				printf("\n");
			}
		}
		goto done;
	}
	if (machine(cli)) {
		xsm_jw_init(&w, &b);
		if (cli->format == XSM_FMT_JSON) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "schema", "xsm.access.list/1");
			xsm_jw_kstr(&w, "profile", xsm_access_profile(a));
			xsm_jw_key(&w, "grants");
			xsm_jw_arr(&w);
		}
		for (i = 0; xsm_access_grant_get(a, i, &who, &role, &scope) == 0; i++) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "who", who);
			xsm_jw_kstr(&w, "role", role);
			xsm_jw_kstr(&w, "scope", *scope ? scope : NULL);
			xsm_jw_obj_end(&w);
			xsm_cli_list_row(cli, &w, &b);
		}
		xsm_cli_list_end(cli, &w, &b);
	} else {
		struct xsm_table t;
		xsm_table_init(&t, 3, head);
		for (i = 0; xsm_access_grant_get(a, i, &who, &role, &scope) == 0; i++)
			xsm_table_add(&t, who, role, *scope ? scope : NULL);
		if (t.rows)
			xsm_table_print(&t, stdout);
		else if (!cli->quiet)
			printf("no grants (profile %s): only the store's owner may use it\n", xsm_access_profile(a));
		xsm_table_free(&t);
	}
done:
	xsm_buf_dispose(&b);
	xsm_access_free(a);
	return 0;
}

static int access_whoami(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *pos[1], *who, *role, *scope, *id, *user;
	char *gnames[256];
	const char *groups[256];
	size_t ng = 0, i;
	struct passwd *pw = getpwuid(getuid());
	xsm_access *a = NULL;
	xsm_buf b = XSM_BUF_INIT, sc = XSM_BUF_INIT;
	xsm_principal p;
	xsm_jw w;
	int n, code;

	if ((n = xsm_opt_parse(cli, argc, argv, NULL, pos, 0)) < 0)
		return xsm_opt_exit(cli, n);
	if ((code = load(&a, cli)) != 0)
		return code;
	memset(&p, 0, sizeof(p));
	if (xsm_served) {
		p.user = user = xsm_served->user;
		p.groups = xsm_served->groups;
		p.ngroups = xsm_served->ngroups;
		p.owner = xsm_served->owner;
	} else {
		/* direct access: whoever can open the store's files owns it */
		gid_t gids[256];
		int cnt = 256;
		user = pw ? pw->pw_name : "?";
		if (pw && getgrouplist(pw->pw_name, pw->pw_gid, gids, &cnt) >= 0)
			for (int k = 0; k < cnt && ng < 256; k++) {
				struct group *gr = getgrgid(gids[k]);
				if (gr && (gnames[ng] = strdup(gr->gr_name)))
					groups[ng] = gnames[ng], ng++;
			}
		p.user = user;
		p.groups = groups;
		p.ngroups = ng;
		p.owner = 1;
	}
	xsm_jw_init(&w, &b);
	if (machine(cli)) {
		xsm_jw_obj(&w);
		xsm_jw_kstr(&w, "schema", "xsm.access.whoami/1");
		xsm_jw_kstr(&w, "user", user);
		xsm_jw_kbool(&w, "served", xsm_served != NULL);
		xsm_jw_kbool(&w, "owner", p.owner);
		xsm_jw_kstr(&w, "profile", xsm_access_profile(a));
		xsm_jw_key(&w, "grants");
		xsm_jw_arr(&w);
	} else {
		printf("%s on %s (profile %s)%s\n", user, xsm_served ? "a served store" : "the store directly",
		       xsm_access_profile(a), p.owner ? ": the store's owner, every role" : "");
	}
	for (i = 0; xsm_access_grant_get(a, i, &who, &role, &scope) == 0; i++) {
		int mine = 0;
		if (who[0] == '@') {
			for (size_t k = 0; k < p.ngroups; k++)
				mine |= !strcmp(p.groups[k], who + 1);
		} else {
			mine = !strcmp(who, user);
		}
		if (!mine)
			continue;
		if (machine(cli)) {
			xsm_jw_obj(&w);
			xsm_jw_kstr(&w, "role", role);
			xsm_jw_kstr(&w, "via", who);
			xsm_jw_kstr(&w, "scope", *scope ? scope : NULL);
			xsm_jw_obj_end(&w);
		} else {
			printf("  %s%s%s%s%s\n", role, who[0] == '@' ? " via " : "", who[0] == '@' ? who : "",
			       *scope ? " scope " : "", scope);
		}
	}
	if (machine(cli)) {
		xsm_jw_arr_end(&w);
		xsm_jw_key(&w, "actions");
		xsm_jw_arr(&w);
	} else {
		printf("may:");
	}
	for (i = 0; (id = xsm_access_action_id(a, i)); i++)
		if (xsm_access_check(a, &p, id, &sc, NULL) == 1) {
			if (machine(cli))
				xsm_jw_str(&w, id);
			else
				printf(" %s%s", id, sc.size ? " (scoped)" : "");
		}
	if (machine(cli)) {
		xsm_jw_arr_end(&w);
		xsm_jw_obj_end(&w);
		xsm_cli_emit(&b);
	} else {
		printf("\n");
	}
	for (i = 0; i < ng; i++)
		free(gnames[i]);
	xsm_buf_dispose(&b);
	xsm_buf_dispose(&sc);
	xsm_access_free(a);
	return 0;
}

int cmd_access(int argc, const char **argv, struct xsm_cli *cli)
{
	const char *sub = argc > 1 ? argv[1] : "";
	if (!strcmp(sub, "grant"))
		return access_grant(argc - 1, argv + 1, cli, 0);
	if (!strcmp(sub, "revoke"))
		return access_grant(argc - 1, argv + 1, cli, 1);
	if (!strcmp(sub, "list"))
		return access_list(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "whoami"))
		return access_whoami(argc - 1, argv + 1, cli);
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		xsm_cli_print_usage(stdout, cli->cmd->usage);
		return 0;
	}
	return xsm_cli_usage(cli, sub[0] ? "unknown subcommand '%s'" : "a subcommand is needed%s", sub);
}
