/*
 * connect/azure.c - Azure Resource Manager through Azure Resource Graph.
 *
 * Queries of Microsoft.ResourceGraph/resources, each paged by $skipToken:
 * Azure RBAC role assignments (authorizationresources, with their role's
 * name), subscriptions and resource groups (resourcecontainers), the
 * network pieces that say what the internet reaches (public IPs, network
 * interfaces, network security groups), then VMs, storage accounts, key
 * vaults, AKS clusters, SQL servers and databases and user-assigned
 * managed identities.  Every resource is an asset labelled with its ARM
 * type in lower case (microsoft.keyvault/vaults), identified by its ARM id
 * in lower case (keys.cloud_id; a VM's vmId is keys.azure_vm_id); a
 * subscription "contains" its resource groups and they their resources;
 * each role assignment is a "has role on" edge from the principal (an
 * identity asset with keys.aad_object_id, which resolution merges with
 * Entra's) to the node of its scope; a VM "can authenticate as" its
 * managed identities; a public IP "routes traffic to" the VM behind it
 * when no network security group closes the way.  Always a full sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/msauth.h"
#include "ctx.h"
#include "util/alloc.h"
#include "util/buf.h"

#define ARG_PATH "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"

static const xsm__ms_endpoint endpoints[] = {
	{ "resources", "POST " ARG_PATH " {\"query\":\"resources | take 1 | project id\"}",
	  "Reader (Microsoft.Resources/subscriptions/resources/read)" },
	{ "role assignments",
	  "POST " ARG_PATH " {\"query\":\"authorizationresources | take 1 | project id\"}",
	  "Reader (Microsoft.Authorization/roleAssignments/read)" },
	{ "subscriptions", "POST " ARG_PATH " {\"query\":\"resourcecontainers | take 1 | project id\"}",
	  "Reader (Microsoft.Resources/subscriptions/read)" },
	{ NULL, NULL, NULL },
};

static const char q_roles[] =
	"authorizationresources | where type =~ 'microsoft.authorization/roleassignments'"
	" | extend principalId = tostring(properties.principalId), principalType = tostring(properties.principalType),"
	" roleDefinitionId = tolower(tostring(properties.roleDefinitionId)), scope = tolower(tostring(properties.scope))"
	" | join kind=leftouter (authorizationresources | where type =~ 'microsoft.authorization/roledefinitions'"
	" | project roleDefinitionId = tolower(id), roleName = tostring(properties.roleName)) on roleDefinitionId"
	" | project id, principalId, principalType, scope, roleName | order by id asc";
static const char q_containers[] =
	"resourcecontainers | where type in~ ('microsoft.resources/subscriptions',"
	" 'microsoft.resources/subscriptions/resourcegroups')"
	" | project id, name, type, subscriptionId, resourceGroup, tags | order by id asc";
static const char q_network[] =
	"resources | where type in~ ('microsoft.network/publicipaddresses', 'microsoft.network/networkinterfaces',"
	" 'microsoft.network/networksecuritygroups')"
	" | project id, name, type, location, resourceGroup, subscriptionId, tags, properties | order by id asc";
static const char q_resources[] =
	"resources | where type in~ ('microsoft.compute/virtualmachines', 'microsoft.storage/storageaccounts',"
	" 'microsoft.keyvault/vaults', 'microsoft.containerservice/managedclusters', 'microsoft.sql/servers',"
	" 'microsoft.sql/servers/databases', 'microsoft.managedidentity/userassignedidentities')"
	" | project id, name, type, location, resourceGroup, subscriptionId, sku, tags, identity, properties"
	" | order by id asc";

struct assignment {
	char *principal, *scope, *role;
	char type[24];
};

struct az {
	xsm__conn *c;
	xsm__ms m;
	long top;
	const char *subs;              /* subscriptions setting, or NULL: all the application can read */
	struct assignment *as;
	size_t nas;
	xsm__strmap principals;        /* principal stubs emitted */
	xsm__strmap nic_vm;            /* lower NIC id -> index into strs (its VM) */
	xsm__strmap nic_pip;           /* lower NIC id -> index into strs (its public IP), via nic */
	xsm__strmap nic_nsg;           /* lower NIC id -> index into strs (its NSG) */
	xsm__strmap vm_pip;            /* lower VM id -> index into strs (public IP reaching it) */
	xsm__strmap nsg_open;          /* lower NSG id -> 1 when it lets the internet in */
	xsm__strmap pips;              /* lower public IP id -> index into strs (its address) */
	char **strs;
	size_t nstrs;
	xsm_buf url, body, tmp, lid;
	size_t scopes_skipped;
};

static const char *jstr(const xsm__json *o, const char *key)
{
	const char *s = xsm__json_getstr(o, key);
	return s ? s : "";
}

static void lower(xsm_buf *out, const char *s)
{
	xsm_buf_clear(out);
	for (; *s; s++)
		xsm_buf_putc(out, (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s));
	if (!out->ptr)
		xsm_buf_puts(out, "");
}

/* keep s; its index, or -1 when out of memory */
static long keep(struct az *a, const char *s)
{
	char **g = xsm__reallocarray(a->strs, a->nstrs + 1, sizeof(*g));
	if (!g)
		return -1;
	a->strs = g;
	if (!(g[a->nstrs] = xsm__strdup(s)))
		return -1;
	return (long)a->nstrs++;
}

static int map_str(struct az *a, xsm__strmap *m, const char *key, const char *val)
{
	long i = keep(a, val);
	if (i < 0 || xsm__strmap_put(m, key, (uint64_t)i) < 0)
		return xsm__error_oom(a->c->ctx);
	return 0;
}

static const char *map_get(const struct az *a, const xsm__strmap *m, const char *key)
{
	uint64_t i;
	return xsm__strmap_get(m, key, strlen(key), &i) ? a->strs[i] : NULL;
}

/* --- the queries ------------------------------------------------------------------------------ */

static int query(struct az *a, const char *q, const char *what, const char *perm, const xsm__json_pick *pick,
		 int (*cb)(xsm__conn *, const xsm__json *, void *))
{
	xsm__conn *c = a->c;
	xsm_buf token = XSM_BUF_INIT;
	xsm__pager pg;
	long most = 1;
	int rc = xsm__pager_begin(&pg, c, what, NULL);

	xsm_buf_clear(&a->url);
	xsm_buf_printf(&a->url, "%s%s", a->m.api.ptr, ARG_PATH);
	a->m.pager = &pg;
	while (rc == 0) {
		xsm_jw w;
		xsm_buf_clear(&a->body);
		xsm_jw_init(&w, &a->body);
		xsm_jw_obj(&w);
		if (a->subs) {
			const char *p = a->subs;
			xsm_jw_key(&w, "subscriptions");
			xsm_jw_arr(&w);
			while (*p) {
				size_t n = strcspn(p, ", ");
				if (n)
					xsm_jw_strn(&w, p, n);
				p += n + strspn(p + n, ", ");
			}
			xsm_jw_arr_end(&w);
		}
		xsm_jw_kstr(&w, "query", q);
		xsm_jw_key(&w, "options");
		xsm_jw_obj(&w);
		xsm_jw_kint(&w, "$top", a->top);
		if (token.size)
			xsm_jw_kstr(&w, "$skipToken", token.ptr);
		xsm_jw_kstr(&w, "resultFormat", "objectArray");
		xsm_jw_obj_end(&w);
		xsm_jw_obj_end(&w);
		if (w.err || !a->url.ptr) {
			rc = xsm__error_oom(c->ctx);
			break;
		}
		if ((rc = xsm__ms_page(&a->m, "POST", a->url.ptr, a->body.ptr, "data", perm, what, pick, cb, a)) < 0)
			break;
		/* cut short with no $skipToken to go on with: the rest would be missing without a word */
		if (a->m.truncated && !a->m.next.size) {
			rc = xsm__error_set(c->ctx, XSM_EPROTO,
					    "%s: %s: Resource Graph truncated the results (resultTruncated) and sent no "
					    "$skipToken to page on",
					    c->name, what);
			break;
		}
		/* pages at least as long as the longest one: no more of them than totalRecords allows */
		most = a->m.count > most ? a->m.count : most;
		if (a->m.total >= 0)
			xsm__pager_total(&pg, a->m.total, most);
		if ((rc = xsm__pager_page(&pg, a->m.body_hash, (size_t)a->m.count, a->m.next.ptr)) < 0 ||
		    !a->m.next.size)
			break;
		xsm_buf_set(&token, a->m.next.ptr);
	}
	a->m.pager = NULL;
	xsm__pager_end(&pg);
	xsm_buf_dispose(&token);
	return rc;
}

/* --- role assignments ------------------------------------------------------------------------------- */

static const xsm__json_pick role_pick[] = {
	{ "principalId", NULL }, { "principalType", NULL }, { "scope", NULL }, { "roleName", NULL }, { NULL, NULL }
};

static int on_role(xsm__conn *c, const xsm__json *r, void *payload)
{
	struct az *a = payload;
	struct assignment *g, *x;

	if (!*jstr(r, "principalId") || !*jstr(r, "scope")) {
		c->st.skipped++;
		return 0;
	}
	if (a->nas % 256 == 0) {
		if (!(g = xsm__reallocarray(a->as, a->nas + 256, sizeof(*g))))
			return xsm__error_oom(c->ctx);
		a->as = g;
	}
	x = &a->as[a->nas];
	memset(x, 0, sizeof(*x));
	lower(&a->lid, jstr(r, "scope"));
	x->principal = xsm__strdup(jstr(r, "principalId"));
	x->scope = xsm__strdup(a->lid.ptr);
	x->role = xsm__strdup(*jstr(r, "roleName") ? jstr(r, "roleName") : "?");
	snprintf(x->type, sizeof(x->type), "%s", jstr(r, "principalType"));
	a->nas++;
	if (!x->principal || !x->scope || !x->role)
		return xsm__error_oom(c->ctx);
	return 0;
}

/* distinct principals holding a role at id's scope or above it */
static long connected(const struct az *a, const char *id)
{
	xsm__strmap seen;
	size_t i;
	long n;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < a->nas; i++) {
		size_t k = strlen(a->as[i].scope);
		if (!strncmp(id, a->as[i].scope, k) && (id[k] == '\0' || id[k] == '/'))
			xsm__strmap_put(&seen, a->as[i].principal, 1);
	}
	n = (long)seen.n;
	xsm__strmap_free(&seen);
	return n;
}

static const char *principal_label(const char *type)
{
	return !strcasecmp(type, "User") ? "user" : !strcasecmp(type, "Group") ? "group" : "serviceprincipal";
}

static int role_edges(struct az *a)
{
	xsm__conn *c = a->c;
	size_t i;
	int rc;

	for (i = 0; i < a->nas; i++) {
		const struct assignment *x = &a->as[i];
		uint64_t *slot;
		int created;

		/* management groups and the root are no node of ours */
		if (strncmp(x->scope, "/subscriptions/", 15)) {
			a->scopes_skipped++;
			continue;
		}
		xsm_buf_clear(&a->tmp);
		xsm_buf_printf(&a->tmp, "principal:%s", x->principal);
		if (xsm__strmap_slot(&a->principals, a->tmp.ptr, a->tmp.size, &slot, &created) < 0)
			return xsm__error_oom(c->ctx);
		if (created) {
			/* the principal as Azure names it: Entra's record of it merges by object id */
			xsm__identity d;
			memset(&d, 0, sizeof(d));
			d.label = principal_label(x->type);
			d.id = a->tmp.ptr;
			d.name = NULL; /* Resource Graph does not name principals: Entra does */
			d.aad_object_id = x->principal;
			xsm__conn_identity_begin(c, &d);
			if ((rc = xsm__conn_props_end(c)) < 0)
				return rc;
		}
		xsm_buf_clear(&a->tmp);
		xsm_buf_printf(&a->tmp, "principal:%s", x->principal);
		xsm__conn_relation_begin(c, "has role on", a->tmp.ptr, x->scope);
		xsm_jw_kstr(&c->jw, "role", x->role);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

/* --- assets ---------------------------------------------------------------------------------------------- */

/* begin a resource: label its type, source_id and cloud_id its lower-case id; "props" left open */
static void resource_begin(struct az *a, const xsm__json *r, const char *category, const char *vm_id)
{
	xsm__conn *c = a->c;
	xsm_jw *w = &c->jw;
	const xsm__json *tags = xsm__json_get(r, "tags"), *t;
	xsm_buf type = XSM_BUF_INIT;
	const char *crit = NULL;

	lower(&a->lid, jstr(r, "id"));
	lower(&type, jstr(r, "type"));
	xsm__conn_begin(c, "asset");
	xsm_jw_kstr(w, "label", type.ptr);
	xsm_buf_clear(&c->sid);
	xsm_buf_printf(&c->sid, "%s:%s", c->name, a->lid.ptr);
	xsm_jw_kstr(w, "source_id", c->sid.ptr);
	xsm_jw_kstr(w, "name", *jstr(r, "name") ? jstr(r, "name") : a->lid.ptr);
	xsm_jw_key(w, "keys");
	xsm_jw_obj(w);
	xsm_jw_kstr(w, "cloud_id", a->lid.ptr);
	if (vm_id && *vm_id)
		xsm_jw_kstr(w, "azure_vm_id", vm_id);
	xsm_jw_obj_end(w);
	xsm_jw_key(w, "categories");
	xsm_jw_arr(w);
	xsm_jw_str(w, "cloud");
	if (category)
		xsm_jw_str(w, category);
	xsm_jw_arr_end(w);
	xsm_jw_key(w, "props");
	xsm_jw_obj(w);
	if (*jstr(r, "location"))
		xsm_jw_kstr(w, "location", jstr(r, "location"));
	if (*jstr(r, "subscriptionId"))
		xsm_jw_kstr(w, "subscriptionId", jstr(r, "subscriptionId"));
	if (*jstr(r, "resourceGroup"))
		xsm_jw_kstr(w, "resourceGroup", jstr(r, "resourceGroup"));
	if (xsm__json_type(tags) == XSM_J_OBJECT && xsm__json_child(tags)) {
		xsm_jw_key(w, "tags");
		xsm_jw_arr(w);
		for (t = xsm__json_child(tags); t; t = xsm__json_next(t)) {
			xsm_buf_clear(&a->tmp);
			xsm_buf_printf(&a->tmp, "%s:%s", xsm__json_key(t), xsm__json_str(t) ? xsm__json_str(t) : "");
			xsm_jw_str(w, a->tmp.ptr);
			if (!strcasecmp(xsm__json_key(t), "criticality") && xsm__json_str(t))
				crit = xsm__json_str(t);
		}
		xsm_jw_arr_end(w);
	}
	if (crit) {
		static const char *const words[] = { "very high", "high", "medium", "low" };
		size_t i;
		for (i = 0; i < 4; i++)
			if (!strcasecmp(crit, words[i]))
				xsm_jw_kstr(w, "vendorCriticality", words[i]);
	}
	xsm_buf_dispose(&type);
}

/* a "contains" edge from the resource's parent (group, or subscription) */
static int contained(struct az *a, const xsm__json *r, const char *id)
{
	xsm__conn *c = a->c;
	xsm_buf parent = XSM_BUF_INIT;
	int rc;

	if (*jstr(r, "resourceGroup"))
		xsm_buf_printf(&parent, "/subscriptions/%s/resourcegroups/%s", jstr(r, "subscriptionId"),
			       jstr(r, "resourceGroup"));
	else
		xsm_buf_printf(&parent, "/subscriptions/%s", jstr(r, "subscriptionId"));
	lower(&a->tmp, parent.ptr ? parent.ptr : "");
	xsm_buf_dispose(&parent);
	if (!strcmp(a->tmp.ptr, id) || !*jstr(r, "subscriptionId"))
		return 0;
	xsm_buf_set(&parent, a->tmp.ptr);
	xsm__conn_relation_begin(c, "contains", parent.ptr, id);
	rc = xsm__conn_props_end(c);
	xsm_buf_dispose(&parent);
	return rc;
}

static const xsm__json_pick any_pick[] = {
	{ "id", NULL }, { "name", NULL }, { "type", NULL }, { "location", NULL }, { "resourceGroup", NULL },
	{ "subscriptionId", NULL }, { "sku", NULL }, { "tags", NULL }, { "identity", NULL }, { "properties", NULL },
	{ NULL, NULL }
};

static int on_container(xsm__conn *c, const xsm__json *r, void *payload)
{
	struct az *a = payload;
	xsm_buf id = XSM_BUF_INIT;
	int rc;

	if (!*jstr(r, "id"))
		return 0;
	resource_begin(a, r, NULL, NULL);
	xsm_buf_set(&id, a->lid.ptr);
	if ((rc = xsm__conn_props_end(c)) == 0)
		rc = contained(a, r, id.ptr);
	xsm_buf_dispose(&id);
	return rc;
}

/* does an NSG rule let the internet in? */
static int internet_rule(const xsm__json *rule)
{
	const xsm__json *p = xsm__json_get(rule, "properties");
	const char *src = jstr(p, "sourceAddressPrefix");
	return !strcasecmp(jstr(p, "direction"), "Inbound") && !strcasecmp(jstr(p, "access"), "Allow") &&
	       (!strcmp(src, "*") || !strcasecmp(src, "Internet") || !strcmp(src, "0.0.0.0/0") || !strcmp(src, "Any"));
}

static int on_network(xsm__conn *c, const xsm__json *r, void *payload)
{
	struct az *a = payload;
	xsm_jw *w = &c->jw;
	const xsm__json *p = xsm__json_get(r, "properties"), *e;
	xsm_buf id = XSM_BUF_INIT, t = XSM_BUF_INIT;
	int rc = 0, open = 0;

	lower(&t, jstr(r, "type"));
	lower(&id, jstr(r, "id"));
	if (!strcmp(t.ptr, "microsoft.network/networkinterfaces")) {
		/* no asset: what it joins (VM, public IP, NSG) is kept */
		xsm_buf vm = XSM_BUF_INIT;
		lower(&vm, jstr(xsm__json_get(p, "virtualMachine"), "id"));
		if (*vm.ptr)
			rc = map_str(a, &a->nic_vm, id.ptr, vm.ptr);
		lower(&vm, jstr(xsm__json_get(p, "networkSecurityGroup"), "id"));
		if (rc == 0 && *vm.ptr)
			rc = map_str(a, &a->nic_nsg, id.ptr, vm.ptr);
		for (e = xsm__json_child(xsm__json_get(p, "ipConfigurations")); e && rc == 0; e = xsm__json_next(e)) {
			lower(&vm, jstr(xsm__json_get(xsm__json_get(e, "properties"), "publicIPAddress"), "id"));
			if (*vm.ptr)
				rc = map_str(a, &a->nic_pip, id.ptr, vm.ptr);
		}
		xsm_buf_dispose(&vm);
		goto done;
	}
	resource_begin(a, r, "network", NULL);
	if (!strcmp(t.ptr, "microsoft.network/publicipaddresses")) {
		if (*jstr(p, "ipAddress")) {
			xsm_jw_kstr(w, "ipAddress", jstr(p, "ipAddress"));
			rc = map_str(a, &a->pips, id.ptr, jstr(p, "ipAddress"));
		}
		xsm_jw_kbool(w, "exposedToInternet", 1);
	} else {
		xsm_jw_key(w, "internetOpenPorts");
		xsm_jw_arr(w);
		for (e = xsm__json_child(xsm__json_get(p, "securityRules")); e; e = xsm__json_next(e))
			if (internet_rule(e)) {
				open = 1;
				xsm_jw_str(w, *jstr(xsm__json_get(e, "properties"), "destinationPortRange")
						      ? jstr(xsm__json_get(e, "properties"), "destinationPortRange")
						      : "*");
			}
		xsm_jw_arr_end(w);
		xsm_jw_kbool(w, "openToInternet", open);
		if (open && xsm__strmap_put(&a->nsg_open, id.ptr, 1) < 0)
			rc = xsm__error_oom(c->ctx);
	}
	if (rc == 0)
		rc = xsm__conn_props_end(c);
	if (rc == 0)
		rc = contained(a, r, id.ptr);
done:
	xsm_buf_dispose(&id);
	xsm_buf_dispose(&t);
	return rc;
}

/* after the network round: which public IP reaches which VM, through a NIC whose NSG (if any) lets it in */
static int join_network(struct az *a)
{
	size_t i;
	for (i = 0; i < a->nic_vm.cap; i++) {
		const char *nic = a->nic_vm.keys[i], *vm, *pip, *nsg;
		uint64_t open;
		if (!nic)
			continue;
		vm = a->strs[a->nic_vm.vals[i]];
		pip = map_get(a, &a->nic_pip, nic);
		nsg = map_get(a, &a->nic_nsg, nic);
		if (pip && (!nsg || xsm__strmap_get(&a->nsg_open, nsg, strlen(nsg), &open)))
			if (map_str(a, &a->vm_pip, vm, pip) < 0)
				return XSM_ENOMEM;
	}
	return 0;
}

/* a managed identity a resource runs as: the edge to it (system-assigned by principal id) */
static int identities(struct az *a, const xsm__json *r, const char *id)
{
	xsm__conn *c = a->c;
	const xsm__json *ident = xsm__json_get(r, "identity"), *u;
	int rc;

	if (*jstr(ident, "principalId")) {
		uint64_t *slot;
		int created;
		xsm_buf_clear(&a->tmp);
		xsm_buf_printf(&a->tmp, "principal:%s", jstr(ident, "principalId"));
		if (xsm__strmap_slot(&a->principals, a->tmp.ptr, a->tmp.size, &slot, &created) < 0)
			return xsm__error_oom(c->ctx);
		if (created) {
			xsm__identity d;
			memset(&d, 0, sizeof(d));
			d.label = "managedidentity";
			d.id = a->tmp.ptr;
			d.name = jstr(r, "name");
			d.aad_object_id = jstr(ident, "principalId");
			xsm__conn_identity_begin(c, &d);
			xsm_jw_kstr(&c->jw, "identityType", "SystemAssigned");
			if ((rc = xsm__conn_props_end(c)) < 0)
				return rc;
		}
		xsm_buf_clear(&a->tmp);
		xsm_buf_printf(&a->tmp, "principal:%s", jstr(ident, "principalId"));
		xsm__conn_relation_begin(c, "can authenticate as", id, a->tmp.ptr);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	for (u = xsm__json_child(xsm__json_get(ident, "userAssignedIdentities")); u; u = xsm__json_next(u)) {
		lower(&a->tmp, xsm__json_key(u));
		xsm__conn_relation_begin(c, "can authenticate as", id, a->tmp.ptr);
		if ((rc = xsm__conn_props_end(c)) < 0)
			return rc;
	}
	return 0;
}

static int on_resource(xsm__conn *c, const xsm__json *r, void *payload)
{
	struct az *a = payload;
	xsm_jw *w = &c->jw;
	const xsm__json *p = xsm__json_get(r, "properties"), *sku = xsm__json_get(r, "sku"), *e;
	const char *pna = jstr(p, "publicNetworkAccess");
	xsm_buf id = XSM_BUF_INIT, t = XSM_BUF_INIT;
	int rc;

	if (!*jstr(r, "id"))
		return 0;
	lower(&t, jstr(r, "type"));
	lower(&id, jstr(r, "id"));
	if (!strcmp(t.ptr, "microsoft.compute/virtualmachines")) {
		const xsm__json *hw = xsm__json_get(p, "hardwareProfile"), *os = xsm__json_get(p, "osProfile");
		const char *pip = map_get(a, &a->vm_pip, id.ptr);
		char host[256];
		resource_begin(a, r, "compute", jstr(p, "vmId"));
		xsm__norm_host(host, sizeof(host), jstr(os, "computerName"));
		if (host[0])
			xsm_jw_kstr(w, "computerName", host);
		if (*jstr(hw, "vmSize"))
			xsm_jw_kstr(w, "sku", jstr(hw, "vmSize"));
		{
			const char *ost = jstr(xsm__json_get(xsm__json_get(p, "storageProfile"), "osDisk"), "osType");
			if (*ost)
				xsm_jw_kstr(w, "osType", !strcasecmp(ost, "Windows") ? "windows" : "linux");
		}
		xsm_jw_kbool(w, "exposedToInternet", pip != NULL);
		if (pip && map_get(a, &a->pips, pip))
			xsm_jw_kstr(w, "publicIp", map_get(a, &a->pips, pip));
	} else if (!strcmp(t.ptr, "microsoft.storage/storageaccounts")) {
		const xsm__json *acl = xsm__json_get(p, "networkAcls");
		int reachable = strcasecmp(pna, "Disabled") && strcasecmp(jstr(acl, "defaultAction"), "Deny");
		resource_begin(a, r, "storage", NULL);
		xsm_jw_kbool(w, "exposedToInternet", reachable);
		xsm_jw_kbool(w, "publicAccess", reachable && xsm__json_bool(xsm__json_get(p, "allowBlobPublicAccess")));
		xsm_jw_kbool(w, "immutable",
			     xsm__json_bool(xsm__json_get(xsm__json_get(p, "immutableStorageWithVersioning"), "enabled")));
		if (*jstr(sku, "name"))
			xsm_jw_kstr(w, "sku", jstr(sku, "name"));
	} else if (!strcmp(t.ptr, "microsoft.keyvault/vaults")) {
		const xsm__json *acl = xsm__json_get(p, "networkAcls");
		resource_begin(a, r, "secrets", NULL);
		xsm_jw_kbool(w, "exposedToInternet",
			     strcasecmp(pna, "Disabled") && strcasecmp(jstr(acl, "defaultAction"), "Deny"));
		xsm_jw_kint(w, "connectedIdentities", connected(a, id.ptr));
		xsm_jw_kbool(w, "rbacAuthorization", xsm__json_bool(xsm__json_get(p, "enableRbacAuthorization")));
		if (*jstr(xsm__json_get(p, "sku"), "name"))
			xsm_jw_kstr(w, "sku", jstr(xsm__json_get(p, "sku"), "name"));
	} else if (!strcmp(t.ptr, "microsoft.containerservice/managedclusters")) {
		long nodes = 0;
		for (e = xsm__json_child(xsm__json_get(p, "agentPoolProfiles")); e; e = xsm__json_next(e))
			nodes += (long)xsm__json_num(xsm__json_get(e, "count"));
		resource_begin(a, r, "kubernetes", NULL);
		xsm_jw_kint(w, "nodeCount", nodes);
		if (*jstr(sku, "tier"))
			xsm_jw_kstr(w, "sku", jstr(sku, "tier"));
		if (*jstr(p, "kubernetesVersion"))
			xsm_jw_kstr(w, "kubernetesVersion", jstr(p, "kubernetesVersion"));
		xsm_jw_kbool(w, "exposedToInternet",
			     !xsm__json_bool(xsm__json_get(xsm__json_get(p, "apiServerAccessProfile"), "enablePrivateCluster")));
	} else if (!strncmp(t.ptr, "microsoft.sql/servers", 21)) {
		const xsm__json *tags = xsm__json_get(r, "tags");
		const char *cls = jstr(tags, "dataClassification");
		resource_begin(a, r, "database", NULL);
		if (!strcmp(t.ptr, "microsoft.sql/servers"))
			xsm_jw_kbool(w, "exposedToInternet", !strcasecmp(pna, "Enabled"));
		if (!strcasecmp(cls, "confidential") || !strcasecmp(cls, "sensitive") || !strcasecmp(cls, "restricted"))
			xsm_jw_kbool(w, "containsSensitiveData", 1);
	} else if (!strcmp(t.ptr, "microsoft.managedidentity/userassignedidentities")) {
		/* an identity: by its principal id Entra knows it, and role assignments name it */
		xsm__identity d;
		memset(&d, 0, sizeof(d));
		d.label = "managedidentity";
		d.id = id.ptr;
		d.name = jstr(r, "name");
		d.aad_object_id = jstr(p, "principalId");
		d.cloud_id = id.ptr;
		xsm__conn_identity_begin(c, &d);
		xsm_jw_kstr(w, "identityType", "UserAssigned");
		if (*jstr(p, "clientId"))
			xsm_jw_kstr(w, "clientId", jstr(p, "clientId"));
	} else {
		c->st.skipped++;
		rc = 0;
		goto done;
	}
	if ((rc = xsm__conn_props_end(c)) < 0 || (rc = contained(a, r, id.ptr)) < 0 ||
	    (rc = identities(a, r, id.ptr)) < 0)
		goto done;
	if (!strcmp(t.ptr, "microsoft.compute/virtualmachines") && map_get(a, &a->vm_pip, id.ptr)) {
		xsm_buf pip = XSM_BUF_INIT;
		xsm_buf_set(&pip, map_get(a, &a->vm_pip, id.ptr));
		xsm__conn_relation_begin(c, "routes traffic to", pip.ptr, id.ptr);
		rc = xsm__conn_props_end(c);
		xsm_buf_dispose(&pip);
	}
done:
	xsm_buf_dispose(&id);
	xsm_buf_dispose(&t);
	return rc;
}

/* --- the connector ------------------------------------------------------------------------------------- */

static int az_open(struct az *a, xsm__conn *c)
{
	int rc;
	memset(a, 0, sizeof(*a));
	a->c = c;
	a->subs = xsm__conn_get(c, "subscriptions", NULL);
	/* Resource Graph returns at most 1,000 rows a page */
	if ((rc = xsm__conn_getint(c, "page_size", 1000, 1, 1000, &a->top)) < 0)
		return rc;
	return xsm__ms_open(&a->m, c, "https://management.azure.com", "https://management.azure.com", 0);
}

static void az_close(struct az *a)
{
	size_t i;
	xsm__ms_close(&a->m);
	for (i = 0; i < a->nas; i++) {
		xsm__free(a->as[i].principal);
		xsm__free(a->as[i].scope);
		xsm__free(a->as[i].role);
	}
	xsm__free(a->as);
	for (i = 0; i < a->nstrs; i++)
		xsm__free(a->strs[i]);
	xsm__free(a->strs);
	xsm__strmap_free(&a->principals);
	xsm__strmap_free(&a->nic_vm);
	xsm__strmap_free(&a->nic_pip);
	xsm__strmap_free(&a->nic_nsg);
	xsm__strmap_free(&a->vm_pip);
	xsm__strmap_free(&a->nsg_open);
	xsm__strmap_free(&a->pips);
	xsm_buf_dispose(&a->url);
	xsm_buf_dispose(&a->body);
	xsm_buf_dispose(&a->tmp);
	xsm_buf_dispose(&a->lid);
}

static int az_sync(xsm__conn *c)
{
	struct az a;
	int rc = az_open(&a, c);

	if (rc == 0)
		rc = query(&a, q_roles, "role assignments", xsm__ms_perm(endpoints, "role assignments"), role_pick, on_role);
	if (rc == 0)
		rc = query(&a, q_containers, "subscriptions", xsm__ms_perm(endpoints, "subscriptions"), any_pick,
			   on_container);
	if (rc == 0)
		rc = query(&a, q_network, "network", xsm__ms_perm(endpoints, "resources"), any_pick, on_network);
	if (rc == 0 && (rc = join_network(&a)) == XSM_ENOMEM)
		rc = xsm__error_oom(c->ctx);
	if (rc == 0)
		rc = query(&a, q_resources, "resources", xsm__ms_perm(endpoints, "resources"), any_pick, on_resource);
	if (rc == 0)
		rc = role_edges(&a);
	if (rc == 0 && a.scopes_skipped)
		snprintf(c->note, sizeof(c->note),
			 "%zu role assignments at management-group or root scope not drawn (no node for the scope)",
			 a.scopes_skipped);
	az_close(&a);
	return rc;
}

static int az_test(xsm__conn *c)
{
	struct az a;
	xsm__http_resp resp;
	int rc = az_open(&a, c);

	memset(&resp, 0, sizeof(resp));
	xsm_buf_printf(&a.url, "%s%s", a.m.api.ptr, ARG_PATH);
	if (rc == 0)
		rc = xsm__ms_request(&a.m, "POST", a.url.ptr, "{\"query\":\"resources | take 1 | project id\"}",
				     endpoints[0].permission, "resources", &resp);
	xsm__http_resp_dispose(&resp);
	az_close(&a);
	return rc;
}

static int az_check(xsm__conn *c)
{
	struct az a;
	int rc = az_open(&a, c);
	if (rc == 0)
		rc = xsm__ms_check(&a.m, endpoints);
	az_close(&a);
	return rc;
}

static const char *const settings[] = { XSM__MS_SETTINGS, "subscriptions", "page_size", NULL };
static const char *const secrets[] = { XSM__MS_SECRETS, NULL };
static const char *const required[] = { "tenant", "client_id", NULL };

const xsm__vendor xsm__vendor_azure = {
	{ "azure", "Azure Resource Graph: VMs, storage, key vaults, AKS, SQL, network exposure, RBAC role assignments",
	  settings, secrets, required },
	az_test,
	az_sync,
	az_check,
};
