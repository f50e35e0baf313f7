/*
 * graph_tag.c - tags pin snapshots (STORE/graph/tags/NAME holds the
 * snapshot id, written atomically like every store file): a CI baseline
 * that re-running a job cannot move, kept by gc.
 */
#include <string.h>

#include "ctx.h"
#include "graph/graph.h"
#include "store/store.h"
#include "util/buf.h"

static int tag_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > 64 || name[0] == '.' || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* a snapshot id as the store names them: "<UTC stamp>-<seq>" */
static int snapshot_like(const char *s)
{
	size_t n = strlen(s);
	return n >= 16 && n < 40 && s[8] == 'T' && !strchr(s, '/') && s[0] != '.';
}

static int read_ref(char out[40], xsm_store *store, const char *rel)
{
	xsm_buf b = XSM_BUF_INIT;
	int rc = xsm_store_read(&b, store, rel, 4096);
	if (rc == 0) {
		while (b.size && (b.ptr[b.size - 1] == '\n' || b.ptr[b.size - 1] == ' '))
			b.ptr[--b.size] = '\0';
		if (b.size && b.size < 40)
			memcpy(out, b.ptr, b.size + 1);
		else
			rc = XSM_EINVALID;
	}
	xsm_buf_dispose(&b);
	return rc;
}

int xsm_graph_resolve(char snapshot[40], xsm_store *store, const char *ref)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	char rel[96];
	int rc;

	if (!strcmp(ref, "HEAD")) {
		if ((rc = read_ref(snapshot, store, "graph/HEAD")) == XSM_ENOTFOUND)
			return xsm__error_set(ctx, XSM_ENOTFOUND, "no graph yet; run 'xsm graph build'");
		return rc;
	}
	if (!tag_name_valid(ref) && !snapshot_like(ref))
		return xsm__error_set(ctx, XSM_EUSAGE, "'%s' is not a tag or a snapshot id", ref);
	if (tag_name_valid(ref)) {
		snprintf(rel, sizeof(rel), "graph/tags/%s", ref);
		if ((rc = read_ref(snapshot, store, rel)) != XSM_ENOTFOUND) {
			if (rc == 0 && !xsm__graph_snapshot_complete(store, snapshot))
				return xsm__error_set(ctx, XSM_ENOTFOUND, "tag '%s' names snapshot %s, which is gone", ref,
						      snapshot);
			return rc;
		}
		xsm_ctx_clear(ctx);
	}
	if (snapshot_like(ref) && xsm__graph_snapshot_complete(store, ref)) {
		snprintf(snapshot, 40, "%s", ref);
		return 0;
	}
	return xsm__error_set(ctx, XSM_ENOTFOUND, "no tag or snapshot '%s' (see 'xsm graph log')", ref);
}

/* take back the audit entry of a change that failed; the change's error stays the one reported */
static void audit_undo(xsm_store *store, int rc)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", xsm_ctx_errmsg(ctx));
	xsm_store_audit_undo(store);
	xsm__error_set(ctx, rc, "%s", msg);
}

int xsm_graph_tag(xsm_store *store, const char *name, const char *ref)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	char snap[40], rel[96];
	int rc;

	if (!tag_name_valid(name) || !strcmp(name, "HEAD") || snapshot_like(name))
		return xsm__error_set(ctx, XSM_EUSAGE,
				      "bad tag name '%s' (letters, digits, '.', '_', '-'; not HEAD or a snapshot id)", name);
	if ((rc = xsm_graph_resolve(snap, store, ref ? ref : "HEAD")) < 0)
		return rc;
	snprintf(rel, sizeof(rel), "graph/tags/%s", name);
	/* the audit entry, then the change; a failed change takes the entry back */
	if ((rc = xsm_store_audit(store, "graph.tag", name, snap)) < 0)
		return rc;
	if ((rc = xsm_store_write(store, rel, snap, strlen(snap))) < 0)
		audit_undo(store, rc);
	return rc;
}

int xsm_graph_untag(xsm_store *store, const char *name)
{
	xsm_ctx *ctx = xsm_store_ctx(store);
	char snap[40], rel[96];
	int rc;

	if (!tag_name_valid(name))
		return xsm__error_set(ctx, XSM_EUSAGE, "bad tag name '%s'", name);
	snprintf(rel, sizeof(rel), "graph/tags/%s", name);
	if ((rc = read_ref(snap, store, rel)) == XSM_ENOTFOUND)
		return xsm__error_set(ctx, XSM_ENOTFOUND, "no tag '%s'", name);
	if (rc == 0 && (rc = xsm_store_audit(store, "graph.untag", name, snap)) == 0 &&
	    (rc = xsm_store_remove(store, rel)) < 0)
		audit_undo(store, rc);
	return rc;
}

struct taglist {
	xsm_store *store;
	int (*cb)(const char *, const char *, void *);
	void *payload;
};

static int each_tag(const char *name, void *payload)
{
	struct taglist *l = payload;
	char snap[40], rel[96];
	if (!tag_name_valid(name))
		return 0;
	snprintf(rel, sizeof(rel), "graph/tags/%s", name);
	if (read_ref(snap, l->store, rel) < 0) {
		xsm_ctx_clear(xsm_store_ctx(l->store));
		return 0;
	}
	return l->cb(name, snap, l->payload);
}

int xsm_graph_tags(xsm_store *store, int (*cb)(const char *, const char *, void *), void *payload)
{
	struct taglist l = { store, cb, payload };
	return xsm_store_list(store, "graph/tags", each_tag, &l);
}
