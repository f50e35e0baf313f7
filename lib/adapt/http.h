/*
 * adapt/http.h - HTTP requests for connectors.  The only user of libcurl.
 *
 * One client keeps one connection alive across requests.  Every request:
 * TLS verification on (a CA bundle may be added), plain http:// only to
 * loopback, proxies from HTTPS_PROXY/NO_PROXY (libcurl reads them),
 * gzip/deflate accepted, a cap on the body, and retries with exponential
 * backoff and jitter on connection errors, 429, 5xx (and 409 when the
 * caller says so), honouring Retry-After and X-RateLimit-ToWait-Sec, within
 * a bounded total time.  A server too slow to answer, or dripping its
 * answer, fails the attempt (a low-speed limit), and response headers have
 * a cap.  Secret headers and URL credentials never reach the log.
 */
#ifndef XSM__ADAPT_HTTP_H
#define XSM__ADAPT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "exposure/common.h"
#include "exposure/ctx.h"

typedef struct xsm__http xsm__http;

typedef struct xsm__http_opts {
	const char *cacert;        /* extra CA bundle file, or NULL */
	long timeout_s;            /* a hard cap on one attempt, progress or not; 0: none */
	long connect_timeout_s;
	/*
	 * An attempt whose answer (the wait for it included) averages fewer
	 * than low_speed_limit bytes a second over low_speed_time seconds
	 * fails and is retried; a transfer that keeps up is never cut.
	 */
	long low_speed_limit, low_speed_time;
	size_t max_body;           /* bodies larger than this fail with XSM_EPROTO */
	long retries;              /* attempts after the first */
	long max_retry_s;          /* time spent retrying: the waits and the attempts after the first */
	long backoff_ms;           /* first backoff; doubles per attempt, with jitter */
	/* one line per request and per retry, secrets redacted; may be NULL */
	void (*log)(const char *line, void *payload);
	void *payload;
} xsm__http_opts;

/* Defaults from the configuration (http.*) on ctx. */
void xsm__http_opts_from_config(xsm__http_opts *o, xsm_ctx *ctx);

int xsm__http_new(xsm__http **out, xsm_ctx *ctx, const xsm__http_opts *opts);
void xsm__http_free(xsm__http *h);

typedef struct xsm__http_req {
	const char *method;            /* "GET" (default) or "POST" */
	const char *url;
	const char *const *headers;    /* "Name: value", NULL-terminated, or NULL */
	const char *userpwd;           /* basic auth "user:password", or NULL */
	const char *body;              /* POST body */
	size_t body_len;
	int body_fd;                   /* >= 0: the body goes to this file (rewritten per attempt) */
	int retry_409;                 /* a 409 means "busy, wait" (Qualys) */
} xsm__http_req;

#define XSM__HTTP_REQ_INIT { "GET", NULL, NULL, NULL, NULL, 0, -1, 0 }

typedef struct xsm__http_resp {
	long status;
	xsm_buf body;                  /* when body_fd < 0 */
	size_t body_len;               /* bytes received (either way) */
	xsm_buf headers;               /* "name: value\n", names lower-cased, last response only */
	uint64_t body_hash;            /* of the body's bytes as received (a page's fingerprint) */
	int attempts;
} xsm__http_resp;

void xsm__http_resp_dispose(xsm__http_resp *r);

/*
 * Run req.  0 when a response arrived (any status, after the retries the
 * status allowed); XSM_ENET when the host could not be reached,
 * XSM_ERATELIMIT when still throttled after the retries, XSM_EPROTO for a
 * body or headers over the cap or a broken transfer, XSM_EUSAGE for a URL
 * that is not allowed.  Messages name the URL without its query.
 */
int xsm__http_do(xsm__http *h, const xsm__http_req *req, xsm__http_resp *resp);

/* value of a response header (name lower case), or NULL; valid until the next request */
const char *xsm__http_header(const xsm__http_resp *r, const char *name, char *out, size_t outlen);

/* true when url may be used: https, or http to 127.0.0.1, ::1 or localhost */
int xsm__http_url_allowed(const char *url);

/*
 * true when url carries credentials before its host (https://user:pass@host,
 * also spelt with one slash or none): such a URL is refused wherever one
 * enters, since URLs are shown and stored in clear.
 */
int xsm__http_url_has_userinfo(const char *url);

/*
 * url as it may be shown or stored: any user and password before the host
 * become "[redacted]"; with no_query the query and fragment become "?…".
 * Cut to outlen.  Every message and log line naming a URL goes through it.
 */
void xsm__http_url_redact(char *out, size_t outlen, const char *url, int no_query);

/* percent-encode s for a query value */
int xsm__http_escape(xsm_buf *out, const char *s);

#endif
