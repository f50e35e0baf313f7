/*
 * connect/conn.h - what a vendor connector gets from the framework: its
 * settings and secrets, an HTTP client, and a run to write records to.
 * Each vendor file (servicenow.c, qualys.c, rapid7.c, tenable.c) exports
 * one xsm__vendor.
 */
#ifndef XSM__CONNECT_CONN_H
#define XSM__CONNECT_CONN_H

#include "adapt/http.h"
#include "adapt/json.h"
#include "adapt/yaml.h"
#include "exposure/connect.h"
#include "exposure/jsonw.h"
#include "store/record.h"
#include "util/strmap.h"

typedef struct xsm__conn xsm__conn;

typedef struct xsm__vendor {
	xsm_connector_type type;
	/* one cheap authenticated call */
	int (*test)(xsm__conn *c);
	/* fetch and emit records; may set c->delta and c->new_cursor */
	int (*sync)(xsm__conn *c);
	/*
	 * one call per permission the connector needs, each reported with
	 * xsm__conn_permission; NULL: test is the whole check
	 */
	int (*check)(xsm__conn *c);
} xsm__vendor;

extern const xsm__vendor xsm__vendor_servicenow, xsm__vendor_qualys, xsm__vendor_rapid7,
	xsm__vendor_tenable, xsm__vendor_defender, xsm__vendor_entra, xsm__vendor_azure, xsm__vendor_file,
	xsm__vendor_wiz, xsm__vendor_prismacloud;

struct xsm__conn {
	xsm_ctx *ctx;
	xsm_store *store;
	const char *name;
	const xsm__vendor *vendor;
	xsm__ynode *conf;             /* connectors/<name>.yaml */
	char *conf_path;
	xsm__http *http;
	const xsm_sync_options *opts;
	const char *cursor;           /* previous incremental cursor, NULL for a full sync */
	const char *prev_run;         /* the previous complete run, set with cursor */
	char new_cursor[8192];        /* set by sync when it supports incremental (delta links are long) */
	char note[512];               /* set by sync: what the run covered, kept in the state (connect show) */
	/*
	 * delta: the run holds only what changed since cursor; the framework
	 * merges it over the previous run.  delta_assets_whole: an asset in
	 * the delta comes with all its findings (its old ones are dropped).
	 */
	int delta, delta_assets_whole;
	int delta_relations_whole;    /* the delta holds every relation: old ones are dropped */
	/*
	 * patched: the vendor carried the previous run over itself, changed
	 * (xsm__run_foreach over prev_run); the run is incremental, nothing
	 * is merged after it
	 */
	int patched;
	xsm__run_writer *w;
	xsm__strmap delta_keys;       /* keys of delta records (for the merge) */
	xsm_sync_stats st;
	double t0;
	xsm_buf rec;                  /* the record being written */
	int rec_type;                 /* its XSM_REC_* type */
	const char *rec_label;        /* an asset's label (static text), for the billable counts */
	xsm_buf sid;                  /* its source_id */
	xsm_jw jw;
	/* connect test: each permission checked, and the first one missing */
	int (*perm_cb)(const xsm_permission_check *p, void *payload);
	void *perm_payload;
	int perm_missing;
	char missing[256];            /* their names, comma-separated */
	xsm_buf mended;               /* a record whose vendor text needed mending (xsm__conn_mend) */
	size_t mended_records, mended_bytes;
};

/* setting key, or dflt when absent or empty */
const char *xsm__conn_get(const xsm__conn *c, const char *key, const char *dflt);
/* integer setting within [min, max]; XSM_ECONFIG naming the file otherwise */
int xsm__conn_getint(const xsm__conn *c, const char *key, long dflt, long min, long max, long *out);
/* resolve secret name (value, _env or _file) into out; XSM_ECONFIG when missing */
int xsm__conn_secret(const xsm__conn *c, const char *name, xsm_buf *out);
/* the base URL setting without trailing '/'; XSM_ECONFIG when missing or not allowed */
int xsm__conn_url(const xsm__conn *c, const char *dflt, xsm_buf *out);

/* run a request, counting it; resp is reset first */
int xsm__conn_http(xsm__conn *c, const xsm__http_req *req, xsm__http_resp *resp);
/* POST a form (application/x-www-form-urlencoded, as token endpoints take) asking for JSON; as xsm__conn_http */
int xsm__conn_post_form(xsm__conn *c, const char *url, const xsm_buf *form, xsm__http_resp *resp);
/* zero a buffer that held a secret, then dispose of it */
void xsm__conn_wipe(xsm_buf *b);
/* the same for a response whose body held a token */
void xsm__conn_resp_wipe(xsm__http_resp *resp);
/*
 * Turn a non-2xx response into an error: 401/403 XSM_EAUTH, 404
 * XSM_ENOTFOUND, 429 XSM_ERATELIMIT, others XSM_EHTTP; detail is the
 * vendor's message (may be NULL).  0 for 2xx.
 */
int xsm__conn_status(xsm__conn *c, const xsm__http_resp *resp, const char *what, const char *detail);

/*
 * connect test: report permission perm (what it is needed for) as granted
 * when rc is 0, missing when rc is XSM_EAUTH; other errors are returned.
 */
int xsm__conn_permission(xsm__conn *c, const char *perm, const char *what, int rc);

/*
 * A delta sync says an asset (key "a\t<source_id>") or a relation
 * ("r\t<label>\t<from>\t<to>") was deleted: the merge drops it from the
 * previous run.
 */
int xsm__conn_delta_drop(xsm__conn *c, const char *key);

/*
 * Carry a record of the previous run (xsm__run_foreach over prev_run) into
 * this one as it is: type is its XSM_REC_* type.
 */
int xsm__conn_carry(xsm__conn *c, const xsm__json *rec, int type);

/* a temporary file in the store for large downloads (unlinked already) */
int xsm__conn_tmpfile(xsm__conn *c, int *fd);

/*
 * Stream the elements of a top-level JSON array in fd (from its start):
 * cb gets each element parsed, one at a time, so memory is bounded by
 * the largest element, not by the file.  Each element is parsed where it
 * was read, keeping only the members pick names (xsm__json_parse_pick);
 * the rest of it is checked and stepped over.  what names the body in
 * errors.
 */
int xsm__conn_json_array_fd(xsm__conn *c, int fd, const char *what, const xsm__json_pick *pick,
			    int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload), void *payload);

/*
 * The same for a top-level JSON object (an OData page, an Azure Resource
 * Graph answer): the elements of its array member member go to cb one at a
 * time; every other member goes whole to on_member (may be NULL), objects
 * among them emptied (checked, nothing kept).  A body without member is
 * XSM_EPROTO.
 */
int xsm__conn_json_object_fd(xsm__conn *c, int fd, const char *what, const char *member, const xsm__json_pick *pick,
			     int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload), void *payload,
			     int (*on_member)(xsm__conn *c, const char *key, const xsm__json *value, void *payload));

/* begin a record in c->jw: {"type":type, ...}; finish with xsm__conn_emit */
void xsm__conn_begin(xsm__conn *c, const char *type);
/* a device as a vendor names it; NULL or "" fields are left out */
typedef struct xsm__device {
	const char *id;                  /* vendor id: source_id is "<connector>:<id>" */
	const char *name;                /* NodeName; the fqdn, hostname or address when NULL */
	const char *hostname, *fqdn;     /* normalised (xsm__norm_host) */
	const char *serial, *cloud_id;
	const char *ipv4, *ipv6, *mac;   /* one of each (mac normalised) */
	const xsm__json *ipv4s, *ipv6s, *macs; /* or vendor arrays of them */
	const char *os;                  /* OS description: osName, and osType from it */
	const char *last_seen, *first_seen; /* RFC 3339 or "" */
	const char *mde_id;              /* Defender for Endpoint device id */
	const char *azure_vm_id;         /* an Azure VM's vmId GUID (keys.azure_vm_id; cloud_id is its ARM id) */
	const char *const *ipv4_list, *const *mac_list; /* or NULL-terminated lists of them */
} xsm__device;

/*
 * Begin an asset record of label device: source_id, name, keys,
 * categories, then "props" opened with osType, osName, lastSeen and
 * firstSeen.  The caller adds its own props and ends with
 * xsm__conn_props_end.
 */
void xsm__conn_device_begin(xsm__conn *c, const xsm__device *d);

/* an identity (or another non-device asset) as a vendor names it; NULL or "" fields are left out */
typedef struct xsm__identity {
	const char *label;               /* user, group, serviceprincipal, managedidentity, application, microsoft.… */
	const char *id;                  /* vendor id: source_id is "<connector>:<id>" */
	const char *name;                /* NULL: none (a stub another source names); "": the id */
	const char *aad_object_id, *upn, *sid, *email, *cloud_id;
	const char *category;            /* categories[0]: "identity" when NULL */
	const char *last_seen;           /* RFC 3339 or "" */
} xsm__identity;

/* Begin an asset record of an identity: as xsm__conn_device_begin, "props" left open. */
void xsm__conn_identity_begin(xsm__conn *c, const xsm__identity *d);

/*
 * Begin a relation record label from "<connector>:<from>" to
 * "<connector>:<to>" with "props" opened; end with xsm__conn_props_end.
 */
void xsm__conn_relation_begin(xsm__conn *c, const char *label, const char *from, const char *to);

/* a CVE finding as a vendor reports it */
typedef struct xsm__finding {
	const char *asset;               /* the asset's vendor id */
	const char *cve;
	const char *severity;            /* NULL: left out */
	double cvss;                     /* < 0: left out */
	int exploit, rce;
	int privesc;                     /* privilegeEscalation: written only when set */
	const char *status;              /* open, fixed, reopened */
	const char *first_found, *last_found; /* RFC 3339 or "" */
	const char *reported_by;         /* rawData reportInfo.reportedBy, lower case */
} xsm__finding;

/*
 * Begin a finding record, then "props" opened with reportedBy; the caller
 * adds its own props and ends with xsm__conn_props_end.
 */
void xsm__conn_finding_begin(xsm__conn *c, const xsm__finding *f);
/* close the "props" a begin opened, and emit the record */
int xsm__conn_props_end(xsm__conn *c);
/* a JSON array of strings as key (kind: 's' as is, '4' IPv4 only, '6' IPv6 only, 'm' MACs normalised) */
void xsm__conn_str_array(xsm_jw *w, const char *key, const xsm__json *arr, int kind);
/* "username:password" of the connector for basic authentication (wipe it after use) */
int xsm__conn_userpass(const xsm__conn *c, xsm_buf *out);

/*
 * Vendor text as a record may hold it: bytes that are not UTF-8, NULs and
 * \u0000 become U+FFFD and a repeated key keeps its first value
 * (xsm__json_sanitize), counted for the warning at the end of the sync.
 * *line and *len are moved to c->mended when anything changed.
 */
int xsm__conn_mend(xsm__conn *c, const char **line, size_t *len);
/* close the record object, validate and append it to the run */
int xsm__conn_emit(xsm__conn *c);
/* count a page and report progress */
void xsm__conn_page(xsm__conn *c);

/*
 * A walk through the pages of one collection, so that paging always
 * advances: a server cannot hold a sync (and the store's lock) in a loop.
 * Each page goes through xsm__pager_page with the cursor of the page after
 * it (a URL, a token, an offset written as text).  The walk stops with
 * XSM_EPROTO when a cursor comes back, when a page with elements repeats
 * an earlier one byte for byte (a server ignoring its cursor), or when
 * the pages go past the total the server announced.
 */
typedef struct xsm__pager {
	xsm__conn *c;
	char what[96];                /* names the collection in messages */
	xsm__strmap seen;             /* fingerprints of cursors and pages met in this walk */
	size_t pages;
	uint64_t max_pages;           /* from the announced total; 0: none announced */
	int uncounted;                /* its pages are not the sync's (one asset's list): no progress */
} xsm__pager;

/* begin a walk; first is the cursor of the first page (NULL: none) */
int xsm__pager_begin(xsm__pager *p, xsm__conn *c, const char *what, const char *first);
/* the server says the collection holds total elements in pages of per_page (1: total is in pages) */
void xsm__pager_total(xsm__pager *p, double total, long per_page);
/*
 * A page arrived with items elements; body_hash is its answer's
 * fingerprint (xsm__http_resp.body_hash); next is the cursor of the page
 * after it, NULL or "" when it was the last.  Counts the page
 * (xsm__conn_page).  0 to go on; XSM_EPROTO when the walk does not advance.
 */
int xsm__pager_page(xsm__pager *p, uint64_t body_hash, size_t items, const char *next);
void xsm__pager_end(xsm__pager *p);

/*
 * Normalise one saved vendor body from fd without any network (fuzzing,
 * tests): a Qualys Host List Detection page or KnowledgeBase document, a
 * Tenable asset or vulnerability chunk, a ServiceNow table page, a Rapid7
 * page.  Records go to c->w, or are only checked when c->w is NULL.
 */
int xsm__qualys_parse(xsm__conn *c, int fd);
int xsm__tenable_parse(xsm__conn *c, int fd, int vulns);
int xsm__servicenow_parse(xsm__conn *c, const char *buf, size_t len);
/* a saved Rapid7 v4 page (catalogue entries and assets with "same" findings) or a v3 vulnerability */
int xsm__rapid7_parse(xsm__conn *c, const char *buf, size_t len);
/* a saved Wiz GraphQL answer: cloudResources and vulnerabilityFindings nodes */
int xsm__wiz_parse(xsm__conn *c, const char *buf, size_t len);
/* a saved Prisma Cloud answer: a config search page, or a Compute hosts or images array */
int xsm__prisma_parse(xsm__conn *c, const char *buf, size_t len);
/* a saved Defender page: machines, machinesVulnerabilities or the vulnerability catalogue (what) */
int xsm__defender_parse(xsm__conn *c, int fd, const char *what);

/*
 * Read one exported vendor file from fd (format: nessus, qualys-xml,
 * rapid7-csv, tenable-csv; what names it in messages) into c->w, or only
 * check it when c->w is NULL.  seen (may be NULL) holds the asset ids
 * written so far, so several files of one run write each asset once.
 * Malformed input is XSM_EINVALID with the line.
 */
int xsm__file_parse(xsm__conn *c, int fd, const char *format, const char *what, xsm__strmap *seen);

/* --- normalising helpers shared by the vendors ----------------------------- */

/* lower-case hostname without a trailing dot; "" for empty */
void xsm__norm_host(char *out, size_t outlen, const char *s);
/* "aa:bb:cc:dd:ee:ff" from any of the usual spellings, or "" */
void xsm__norm_mac(char out[18], const char *s);
/* true for a dotted-quad IPv4 */
int xsm__is_ipv4(const char *s);
/* true for an IPv6 literal */
int xsm__is_ipv6(const char *s);
/* a vendor time ("2024-05-09 23:23:56", ISO 8601 with zone or millis) as RFC 3339 UTC, or "" */
void xsm__norm_time(char out[21], const char *s);
/* osType from an OS description: windows, linux, macos, unix, ios, android, network or "" */
const char *xsm__os_type(const char *os);
/* severity word from a CVSS base score */
const char *xsm__sev_from_cvss(double score);
/* true when s is a CVE id */
int xsm__is_cve(const char *s);
/*
 * Short hostname and FQDN from what a vendor says (host name h, FQDN or
 * DNS name f, NetBIOS name; any may be NULL); neither comes out an address.
 */
void xsm__host_names(char host[256], char fqdn[300], const char *h, const char *f, const char *netbios);
/*
 * cb for each CVE id in a list of them (commas, semicolons, spaces,
 * newlines between; "cve-" upper-cased).  cb's negative result stops it
 * and is returned; else 1 when there was a CVE, 0 when none.
 */
int xsm__each_cve(const char *s, int (*cb)(const char *cve, void *payload), void *payload);
/* does text[0..n) hold needle? (C11 has no memmem) */
int xsm__contains(const char *text, size_t n, const char *needle);
/* true when a CVSS vector says network attack, no privileges, no user interaction */
int xsm__cvss_remote(const char *vector);

#endif
