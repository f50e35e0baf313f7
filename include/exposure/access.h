/*
 * exposure/access.h - roles on a shared store (xsm-access(1), xsm-serve(1)).
 *
 * The role table is data: roles.yaml in the data directory (or the
 * store's own roles.yaml, which replaces it), with profiles; the store's
 * access.profile setting picks one (default "seed").  Grants bind a user
 * or a @group to a role, optionally limited to a device scope (an
 * xsm-expr(7) expression over devices, or tag:NAME), and live in
 * STORE/access.yaml.  Only a server (xsm serve) enforces them: a personal
 * store's owner holds every role.
 */
#ifndef XSM_ACCESS_H
#define XSM_ACCESS_H

#include "common.h"
#include "ctx.h"
#include "store.h"

XSM_BEGIN_DECL

typedef struct xsm_access xsm_access;

/**
 * Load the role table, the profile the store's configuration selects and
 * the store's grants.  XSM_ECONFIG with "file:line:col" for a bad file.
 * Caller owns *out.
 */
XSM_EXTERN(int) xsm_access_load(xsm_access **out, xsm_store *store);
/** Release.  Accepts NULL. */
XSM_EXTERN(void) xsm_access_free(xsm_access *a);

/** The profile in force ("seed", "later", ...).  Borrowed. */
XSM_EXTERN(const char *) xsm_access_profile(const xsm_access *a);
/** How a scoped user sees attack paths in this profile: "no-paths" or "in-scope-paths".  Borrowed. */
XSM_EXTERN(const char *) xsm_access_scope_mode(const xsm_access *a);

/** Roles in table order: id ("security-admin") and name ("Security Admin").  NULL past the end.  Borrowed. */
XSM_EXTERN(const char *) xsm_access_role_id(const xsm_access *a, size_t i);
XSM_EXTERN(const char *) xsm_access_role_name(const xsm_access *a, size_t i);
/** A role by id, name or short form, case aside; its id (borrowed) or NULL. */
XSM_EXTERN(const char *) xsm_access_role_find(const xsm_access *a, const char *word);
/** Actions in table order: id and description.  NULL past the end.  Borrowed. */
XSM_EXTERN(const char *) xsm_access_action_id(const xsm_access *a, size_t i);
XSM_EXTERN(const char *) xsm_access_action_desc(const xsm_access *a, size_t i);
/** 1 when the profile lets role do action, 0 when not, XSM_ENOTFOUND for an unknown action. */
XSM_EXTERN(int) xsm_access_allows(const xsm_access *a, const char *role, const char *action);

/** Who asks: a user name and the names of the groups the user is in. */
typedef struct xsm_principal {
	const char *user;
	const char *const *groups;
	size_t ngroups;
	int owner; /**< the store's owner (or root): every role, unscoped */
} xsm_principal;

/**
 * May p do action?  1 when allowed: *scope (may be NULL) gets "" for an
 * unscoped grant, else the device scope expression that limits what p
 * sees (the grants' scopes joined with "or").  0 when denied: why gets
 * the roles that may ("needs Global Admin or Security Admin") and what p
 * holds.  A scoped grant never allows a change.  XSM_ENOTFOUND for an
 * unknown action.
 */
XSM_EXTERN(int) xsm_access_check(const xsm_access *a, const xsm_principal *p, const char *action,
				 xsm_buf *scope, xsm_buf *why);

/** Grant i: who ("alice" or "@group"), role id, scope ("" when none).  Returns 0, or XSM_ITEROVER past the end. */
XSM_EXTERN(int) xsm_access_grant_get(const xsm_access *a, size_t i, const char **who, const char **role,
				     const char **scope);

/**
 * Bind who (a user or "@group") to role, limited to scope (NULL or "":
 * every device).  Replaces who's grant of that role.  Writes
 * STORE/access.yaml and an audit entry (before, after); needs the writer
 * lock.  XSM_EUSAGE for an unknown role or a bad name, XSM_EINVALID for a
 * bad scope expression.
 */
XSM_EXTERN(int) xsm_access_grant(xsm_access *a, xsm_store *store, const char *who, const char *role,
				 const char *scope);
/** Remove who's grant of role (NULL: every grant of who).  XSM_ENOTFOUND when there is none. */
XSM_EXTERN(int) xsm_access_revoke(xsm_access *a, xsm_store *store, const char *who, const char *role);

/**
 * The scope expression for a --scope value: "tag:NAME" names the devices
 * whose rawData tags hold NAME; anything else is an xsm-expr(7)
 * expression, checked.  XSM_EINVALID for a bad one.
 */
XSM_EXTERN(int) xsm_access_scope_expr(xsm_buf *out, xsm_ctx *ctx, const char *scope);

/**
 * Record an audit entry {"time","user","action","target","detail":null,
 * "before","after"} in audit.jsonl: a change with the state before and
 * after it.  Neither may hold a secret.  Needs the writer lock.
 */
XSM_EXTERN(int) xsm_store_audit_change(xsm_store *store, const char *action, const char *target,
				       const char *before, const char *after);

/** One audit entry (strings borrowed for the callback; NULL when absent). */
typedef struct xsm_audit_entry {
	const char *time, *user, *action, *target, *detail, *before, *after;
	int has_change; /**< the entry records before and after */
} xsm_audit_entry;

/**
 * The audit log, oldest first: the entries at or after since (seconds
 * since the epoch; 0 for all), by user (NULL: anyone), whose action
 * begins with action (NULL: any).  A non-zero cb return stops and is
 * returned.  A store with no log lists nothing.
 */
XSM_EXTERN(int) xsm_audit_list(xsm_store *store, int64_t since, const char *user, const char *action,
			       int (*cb)(const xsm_audit_entry *e, void *payload), void *payload);

/**
 * Record who acts for the audit log (the caller a server serves); NULL:
 * the process's own user.  Copied.
 */
XSM_EXTERN(int) xsm_ctx_set_actor(xsm_ctx *ctx, const char *user);
/** The actor set on ctx, or NULL.  Borrowed. */
XSM_EXTERN(const char *) xsm_ctx_actor(const xsm_ctx *ctx);

/**
 * Limit what ctx reads to a device scope: xsm_graph_load leaves out the
 * devices that do not match expr (and their edges), xsm_paths_load the
 * paths through them (every path when paths_too is 0: "no-paths"), and
 * writes that would derive data from such a view are refused.  NULL:
 * no limit.  Copied.
 */
XSM_EXTERN(int) xsm_ctx_set_scope(xsm_ctx *ctx, const char *expr, int paths_too);
/** The scope expression set on ctx, or NULL.  Borrowed. */
XSM_EXTERN(const char *) xsm_ctx_scope(const xsm_ctx *ctx);

XSM_END_DECL

#endif
