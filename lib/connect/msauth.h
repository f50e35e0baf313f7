/*
 * connect/msauth.h - what the three Microsoft connectors (defender, entra,
 * azure) share: OAuth 2.0 client credentials against the Microsoft
 * identity platform (a client secret, or a certificate's private key
 * signing a client assertion), the token kept in memory and taken again
 * before it expires, authorised requests whose bodies go to a temporary
 * file, the error shapes mapped to xsm's codes (a 403 names the missing
 * permission from the connector's endpoint table), and OData paging.
 */
#ifndef XSM__CONNECT_MSAUTH_H
#define XSM__CONNECT_MSAUTH_H

#include "connect/conn.h"

/* an endpoint a connector reads and the application permission it needs */
typedef struct xsm__ms_endpoint {
	const char *what;          /* "machines" */
	const char *path;          /* "/api/machines?%24top=1": what connect test calls */
	const char *permission;    /* "Machine.Read.All" */
} xsm__ms_endpoint;

typedef struct xsm__ms {
	xsm__conn *c;
	xsm_buf api;               /* the API base URL, without a trailing '/' */
	xsm_buf token_url;         /* <authority>/<tenant>/oauth2/v2.0/token */
	xsm_buf scope;             /* <resource>/.default */
	xsm_buf auth;              /* "Authorization: Bearer …" (wiped on close) */
	double expires, margin;    /* monotonic time the token expires; refresh that much before */
	size_t tokens;             /* tokens taken in this run */
	double min_interval, last; /* pacing: seconds between calls (calls_per_minute), last call */
	double quota_until;        /* Resource Graph said its quota is used up: no call before this (monotonic) */
	int fd;                    /* bodies are downloaded here */
	xsm_buf url, next, delta;  /* scratch URL; the page's nextLink (or $skipToken) and deltaLink */
	long count;                /* elements of the last page */
	int truncated;             /* the last page said resultTruncated (Resource Graph: "true", a string) */
	long status;               /* HTTP status of the last answer */
	char code[96];             /* the vendor's error code of the last failure ("" when none) */
	uint64_t body_hash;        /* the last page's fingerprint (xsm__pager_page) */
	double total;              /* the last page's "totalRecords" (Resource Graph), -1 when absent */
	xsm__pager *pager;         /* set: the caller's walk counts the pages xsm__ms_page reads */
} xsm__ms;

/*
 * Read the connection settings (tenant, client_id, authority, url, resource,
 * calls_per_minute and the credential) of c; api_dflt and resource_dflt are
 * the public cloud's.  No request is made.
 */
int xsm__ms_open(xsm__ms *m, xsm__conn *c, const char *api_dflt, const char *resource_dflt, long calls_per_minute);
void xsm__ms_close(xsm__ms *m);

/*
 * method (GET or POST with a JSON body) url with the token; the body goes
 * to m->fd.  A token is taken when there is none or it is about to expire;
 * a 401 takes a new one and tries once more.  Non-2xx answers become
 * errors: 401 and 403 XSM_EAUTH (a 403 names perm, "needs the permission
 * X"), 404 XSM_ENOTFOUND, others XSM_EHTTP, each with the vendor's error
 * code and message.  what names the call in messages.
 */
int xsm__ms_request(xsm__ms *m, const char *method, const char *url, const char *body, const char *perm,
		    const char *what, xsm__http_resp *resp);

/*
 * One page: the request, then the elements of its array member go to cb
 * one at a time (m->count of them); "@odata.nextLink" or "$skipToken" is
 * left in m->next, "@odata.deltaLink" in m->delta ("" when absent),
 * "totalRecords" in m->total, the answer's fingerprint in m->body_hash.  A caller walking pages sets
 * m->pager and gives each page to it (xsm__pager_page).
 */
int xsm__ms_page(xsm__ms *m, const char *method, const char *url, const char *body, const char *member,
		 const char *perm, const char *what, const xsm__json_pick *pick,
		 int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload), void *payload);

/*
 * Every page from url: follows @odata.nextLink (which must stay on the
 * API's host); with top > 0 the query pages by $top/$skip as Defender
 * does (url has no $skip: "&%24skip=N" is added) until a page comes back
 * empty, still following a nextLink when one is sent.  The last page's
 * deltaLink stays in m->delta.  A walk that does not advance is
 * XSM_EPROTO (xsm__pager).
 */
int xsm__ms_pages(xsm__ms *m, const char *url, long top, const char *perm, const char *what,
		  const xsm__json_pick *pick, int (*cb)(xsm__conn *c, const xsm__json *elem, void *payload),
		  void *payload);

/* connect test for a connector: one call per endpoint of the table (NULL-terminated by what) */
int xsm__ms_check(xsm__ms *m, const xsm__ms_endpoint *table);

/* the permission an endpoint table names for what ("" when none) */
const char *xsm__ms_perm(const xsm__ms_endpoint *table, const char *what);

/* the settings and secrets every Microsoft connector takes, for the type tables */
#define XSM__MS_SETTINGS "tenant", "client_id", "authority", "url", "resource", "certificate", "calls_per_minute"
#define XSM__MS_SECRETS "client_secret", "private_key"

#endif
