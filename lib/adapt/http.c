/* adapt/http.c - HTTP requests over libcurl (see http.h). */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "adapt/http.h"
#include "ctx.h"
#include "util/alloc.h"
#include "exposure/version.h"
#include "util/buf.h"
#include "util/fs.h"

struct xsm__http {
	xsm_ctx *ctx;
	CURL *curl;
	xsm__http_opts o;
	unsigned int seed;       /* jitter */
	char *wbuf;              /* a download to a file is written from here in large pieces */
};

/* curl hands a body over 16 KiB at a time: a file is written this much at a time */
#define WBUF_SIZE (256u << 10)
/* response headers of one answer, all lines together (real ones are a few KiB) */
#define MAX_HEADERS (256u << 10)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void xsm__http_opts_from_config(xsm__http_opts *o, xsm_ctx *ctx)
{
	memset(o, 0, sizeof(*o));
	o->timeout_s = xsm__cfg_long(ctx, "http.timeout", 0);
	o->connect_timeout_s = xsm__cfg_long(ctx, "http.connect_timeout", 15);
	o->low_speed_limit = xsm__cfg_long(ctx, "http.low_speed_limit", 1024);
	o->low_speed_time = xsm__cfg_long(ctx, "http.low_speed_time", 60);
	o->max_body = (size_t)xsm__cfg_long(ctx, "http.max_body", 64L << 20);
	o->retries = xsm__cfg_long(ctx, "http.retries", 5);
	o->max_retry_s = xsm__cfg_long(ctx, "http.max_retry_time", 300);
	o->backoff_ms = xsm__cfg_long(ctx, "http.backoff_ms", 1000);
}

int xsm__http_new(xsm__http **out, xsm_ctx *ctx, const xsm__http_opts *opts)
{
	xsm__http *h;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (!(h = xsm__calloc(1, sizeof(*h))))
		return xsm__error_oom(ctx);
	h->ctx = ctx;
	h->o = *opts;
	h->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	if (!(h->curl = curl_easy_init())) {
		xsm__free(h);
		return xsm__error_oom(ctx);
	}
	*out = h;
	return 0;
}

void xsm__http_free(xsm__http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	xsm__free(h->wbuf);
	xsm__free(h);
}

void xsm__http_resp_dispose(xsm__http_resp *r)
{
	xsm_buf_dispose(&r->body);
	xsm_buf_dispose(&r->headers);
	memset(r, 0, sizeof(*r));
}

/* --- URL policy --------------------------------------------------------------- */

int xsm__http_url_allowed(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (!(u = curl_url()))
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (!strcmp(scheme, "https"))
			ok = 1;
		else if (!strcmp(scheme, "http"))
			ok = !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") || !strcmp(host, "localhost");
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

int xsm__http_escape(xsm_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			rc = xsm_buf_putc(out, (char)c);
		else
			rc = xsm_buf_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Where url's authority begins and how long its userinfo is: up to the
 * last '@' before the query, not only within the authority, so that a
 * password holding a raw '/' ("https://u:pa/ss@host") is still found; 0
 * when none, or when url has no scheme ("svc@corp.example.com" is a user
 * name, not a URL).  Read leniently, as parsers differ: the scheme may be
 * followed by any number of slashes, or none.
 */
static size_t userinfo(const char *url, size_t *start)
{
	size_t i, n, at = 0;

	*start = 0;
	if (!isalpha((unsigned char)url[0]))
		return 0;
	for (i = 1; isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'; i++)
		;
	if (url[i] != ':')
		return 0;
	for (i++; url[i] == '/' || url[i] == '\\'; i++)
		;
	*start = i;
	n = strcspn(url + i, "?#");
	for (; n; n--)
		if (url[i + n - 1] == '@') {
			at = n;
			break;
		}
	return at;
}

int xsm__http_url_has_userinfo(const char *url)
{
	size_t start;
	return userinfo(url, &start) > 0;
}

void xsm__http_url_redact(char *out, size_t outlen, const char *url, int no_query)
{
	size_t start, ui = userinfo(url, &start), rest, n;
	const char *tail;

	if (!outlen)
		return;
	tail = url + start + ui;
	rest = no_query ? strcspn(tail, "?#") : strlen(tail);
	n = rest > 300 && no_query ? 300 : rest;
	snprintf(out, outlen, "%.*s%s%.*s%s", (int)start, url, ui ? "[redacted]@" : "", (int)n, tail,
		 no_query && tail[rest] ? "?…" : "");
}

/* the URL without its query or credentials, for messages and the log */
static void url_for_log(char *out, size_t outlen, const char *url)
{
	xsm__http_url_redact(out, outlen, url, 1);
}

/* --- one attempt ----------------------------------------------------------- */

struct attempt {
	xsm__http *h;
	xsm__http_resp *resp;
	int fd;
	size_t held;      /* bytes of the body in h->wbuf, not yet written to fd */
	size_t header_bytes; /* of this answer's headers */
	uint64_t hash;       /* of the body so far (hash_body), and the bytes not yet in it */
	unsigned char tail[8];
	size_t ntail;
	int too_big;
	int headers_too_big;
	int in_headers;   /* a status line came, the blank line after the headers not yet */
	int write_err;
};

/* write p[0..len) to the download file; 0, or -1 with a->write_err */
static int write_body(struct attempt *a, const char *p, size_t len)
{
	if (xsm__fs_write_all(a->fd, p, len) < 0) {
		a->write_err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static int flush_body(struct attempt *a)
{
	size_t n = a->held;
	a->held = 0;
	return write_body(a, a->h->wbuf, n);
}

/*
 * The body's fingerprint, eight bytes a step whatever pieces they come in
 * (a page is compared with the pages before it: xsm__pager).  Each step is
 * a bijection of the state, so two bodies that differ in one word differ.
 */
static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
	h ^= w;
	h = (h << 31) | (h >> 33);
	return h * 0x9e3779b97f4a7c15ULL;
}

static void hash_body(struct attempt *a, const char *p, size_t len)
{
	uint64_t h = a->hash, w;

	while (len && a->ntail) {
		a->tail[a->ntail++] = (unsigned char)*p++;
		len--;
		if (a->ntail == 8) {
			memcpy(&w, a->tail, 8);
			h = hash_step(h, w);
			a->ntail = 0;
		}
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = hash_step(h, w);
	}
	memcpy(a->tail + a->ntail, p, len);
	a->ntail += len;
	a->hash = h;
}

static uint64_t hash_end(const struct attempt *a, size_t body_len)
{
	uint64_t w = 0, h;
	memcpy(&w, a->tail, a->ntail);
	h = hash_step(hash_step(a->hash, w), (uint64_t)body_len);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static size_t on_body(char *data, size_t size, size_t n, void *payload)
{
	struct attempt *a = payload;
	size_t len = size * n;

	if (a->resp->body_len + len > a->h->o.max_body) {
		a->too_big = 1;
		return 0;
	}
	a->resp->body_len += len;
	hash_body(a, data, len);
	if (a->fd >= 0) {
		if (a->held + len > WBUF_SIZE && flush_body(a) < 0)
			return 0;
		if (len >= WBUF_SIZE)
			return write_body(a, data, len) < 0 ? 0 : len;
		memcpy(a->h->wbuf + a->held, data, len);
		a->held += len;
		return len;
	}
	return xsm_buf_put(&a->resp->body, data, len) < 0 ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *payload)
{
	struct attempt *a = payload;
	size_t len = size * n, i, colon;

	/* a new status line (after 100 Continue or a redirect) starts over */
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		xsm_buf_clear(&a->resp->headers);
		a->header_bytes = len;
		a->in_headers = 1;
		return len;
	}
	if (len <= 2 && (data[0] == '\r' || data[0] == '\n'))
		a->in_headers = 0;
	/* a flood of headers is a broken answer, not a reason to grow without end */
	if ((a->header_bytes += len) > MAX_HEADERS) {
		a->headers_too_big = 1;
		return 0;
	}
	for (colon = 0; colon < len && data[colon] != ':'; colon++)
		;
	if (colon == len || len > 65536)
		return len;
	for (i = 0; i < colon; i++)
		if (xsm_buf_putc(&a->resp->headers, (char)tolower((unsigned char)data[i])) < 0)
			return 0;
	for (i = colon + 1; i < len && (data[i] == ' ' || data[i] == '\t'); i++)
		;
	while (len > i && (data[len - 1] == '\r' || data[len - 1] == '\n' || data[len - 1] == ' '))
		len--;
	if (xsm_buf_puts(&a->resp->headers, ": ") < 0 || xsm_buf_put(&a->resp->headers, data + i, len - i) < 0 ||
	    xsm_buf_putc(&a->resp->headers, '\n') < 0)
		return 0;
	return size * n;
}

const char *xsm__http_header(const xsm__http_resp *r, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	const char *p = r->headers.ptr, *end;

	if (!p)
		return NULL;
	for (; *p; p = end + 1) {
		if (!(end = strchr(p, '\n')))
			break;
		if (!strncmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ') {
			snprintf(out, outlen, "%.*s", (int)(end - p - n - 2), p + n + 2);
			return out;
		}
	}
	return NULL;
}

/* names of headers whose values are secrets */
static int secret_header(const char *h)
{
	static const char *const names[] = { "authorization:", "x-apikeys:", "x-api-key:", "cookie:",
					     "x-redlock-auth:", "proxy-authorization:", NULL };
	const char *const *n;
	for (n = names; *n; n++)
		if (!strncasecmp(h, *n, strlen(*n)))
			return 1;
	return 0;
}

static void logf_(xsm__http *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(xsm__http *h, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!h->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->o.log(line, h->o.payload);
}

/* classify a transport failure as retryable or not */
static int transient(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

static int perform(xsm__http *h, const xsm__http_req *req, xsm__http_resp *resp, CURLcode *cc,
		   struct attempt *a, long low_speed_time)
{
	CURL *c = h->curl;
	struct curl_slist *hl = NULL, *t;
	const char *const *hp;
	long status = 0;

	curl_easy_reset(c);
	memset(a, 0, sizeof(*a));
	a->h = h;
	a->resp = resp;
	a->fd = req->body_fd;
	xsm_buf_clear(&resp->body);
	xsm_buf_clear(&resp->headers);
	resp->body_len = 0;
	resp->status = 0;
	/*
	 * The file is rewritten from its start and cut to the new body's length
	 * afterwards, not emptied first: writing over pages the last body left
	 * in the page cache costs a fraction of allocating them again.
	 */
	if (req->body_fd >= 0 && lseek(req->body_fd, 0, SEEK_SET) < 0)
		return xsm__error_errno(h->ctx, XSM_EIO, "cannot reset the download file");
	if (req->body_fd >= 0 && !h->wbuf && !(h->wbuf = xsm__malloc(WBUF_SIZE)))
		return xsm__error_oom(h->ctx);
	for (hp = req->headers; hp && *hp; hp++) {
		if (!(t = curl_slist_append(hl, *hp))) {
			curl_slist_free_all(hl);
			return xsm__error_oom(h->ctx);
		}
		hl = t;
	}
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->o.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->o.cacert);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* no cap on the whole transfer by default: a slow answer is cut by its speed, not its size */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->o.timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->o.connect_timeout_s);
	if (h->o.low_speed_limit > 0 && low_speed_time > 0) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, h->o.low_speed_limit);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_speed_time);
	}
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "xsm/" XSM_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	if (req->userpwd) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
	}
	if (req->method && !strcmp(req->method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	*cc = curl_easy_perform(c);
	if (req->body_fd >= 0 && !a->write_err)
		flush_body(a); /* the rest of the body */
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	resp->body_hash = hash_end(a, resp->body_len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (req->body_fd >= 0 && !a->write_err && ftruncate(req->body_fd, (off_t)resp->body_len) < 0)
		return xsm__error_errno(h->ctx, XSM_EIO, "cannot cut the download file to its body");
	return 0;
}

/* seconds a throttled response asks us to wait, or -1 */
static double asked_wait(const xsm__http_resp *r)
{
	char v[64];
	const char *s;
	char *end;
	double d;

	if ((s = xsm__http_header(r, "retry-after", v, sizeof(v))) ||
	    (s = xsm__http_header(r, "x-ratelimit-towait-sec", v, sizeof(v)))) {
		d = strtod(s, &end);
		if (end != s && d >= 0)
			return d;
		/* an HTTP date: wait a minute rather than parse clocks of other machines */
		return 60;
	}
	return -1;
}

int xsm__http_do(xsm__http *h, const xsm__http_req *req, xsm__http_resp *resp)
{
	char where[400];
	double wait, backoff = (double)h->o.backoff_ms / 1000.0, first_end = 0, spent = 0;
	long attempt, window = h->o.low_speed_time;
	char whybuf[200] = "";
	CURLcode last_cc = CURLE_OK;
	int rc;

	url_for_log(where, sizeof(where), req->url);
	if (xsm__http_url_has_userinfo(req->url))
		return xsm__error_set(h->ctx, XSM_EUSAGE,
				      "refusing '%s': credentials in a URL are not sent (they would show in logs and files)",
				      where);
	if (!xsm__http_url_allowed(req->url))
		return xsm__error_set(h->ctx, XSM_EUSAGE,
				      "refusing '%s': use https:// (plain http only to 127.0.0.1, ::1 or localhost)",
				      where);
	if (h->o.log) {
		const char *const *hp;
		logf_(h, "> %s %s", req->method ? req->method : "GET", where);
		if (req->userpwd)
			logf_(h, "> authorization: Basic [redacted]");
		for (hp = req->headers; hp && *hp; hp++) {
			if (secret_header(*hp))
				logf_(h, "> %.*s: [redacted]", (int)strcspn(*hp, ":"), *hp);
			else
				logf_(h, "> %.200s", *hp);
		}
	}
	for (attempt = 0;; attempt++) {
		struct attempt a;
		CURLcode cc = CURLE_OK;
		double t0 = xsm__mono();

		resp->attempts = (int)attempt + 1;
		if ((rc = perform(h, req, resp, &cc, &a, window)) < 0)
			return rc;
		if (attempt == 0)
			first_end = xsm__mono();
		if (a.too_big)
			return xsm__error_set(h->ctx, XSM_EPROTO,
					      "%s: response larger than %zu bytes (http.max_body)", where,
					      h->o.max_body);
		/*
		 * Headers past the cap, ours or curl's (which reports a single
		 * line over its own limit as out of memory): a broken answer.
		 */
		if (a.headers_too_big || (cc == CURLE_OUT_OF_MEMORY && a.in_headers))
			return xsm__error_set(h->ctx, XSM_EPROTO, "%s: response headers larger than %u bytes", where,
					      a.headers_too_big ? MAX_HEADERS : CURL_MAX_HTTP_HEADER);
		if (a.write_err) {
			errno = a.write_err;
			return xsm__error_errno(h->ctx, XSM_EIO, "%s: cannot write the download", where);
		}
		if (cc != CURLE_OK) {
			if (!transient(cc)) {
				int code = cc == CURLE_OUT_OF_MEMORY ? XSM_ENOMEM
					 : (cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY ||
					    cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR ||
					    cc == CURLE_SSL_CACERT_BADFILE) ? XSM_ENET : XSM_EPROTO;
				return xsm__error_set(h->ctx, code, "%s: %s", where, curl_easy_strerror(cc));
			}
			if (cc == CURLE_OPERATION_TIMEDOUT && (h->o.timeout_s <= 0 || xsm__mono() - t0 < (double)h->o.timeout_s))
				snprintf(whybuf, sizeof(whybuf),
					 "answer slower than %ld bytes/s for %lds (http.low_speed_limit, http.low_speed_time)",
					 h->o.low_speed_limit, window);
			else
				snprintf(whybuf, sizeof(whybuf), "%s", curl_easy_strerror(cc));
			last_cc = cc;
			wait = -1;
		} else {
			logf_(h, "%s %s -> %ld (%zu bytes)", req->method ? req->method : "GET", where, resp->status,
			      resp->body_len);
			if (resp->status == 429 || (resp->status == 409 && req->retry_409) || resp->status >= 500) {
				snprintf(whybuf, sizeof(whybuf), "HTTP %ld", resp->status);
				last_cc = CURLE_OK;
				wait = asked_wait(resp);
			} else {
				return 0;
			}
		}
		if (attempt >= h->o.retries)
			break;
		if (wait < 0) {
			/* exponential backoff with full jitter in [0.5, 1.5) of the step */
			double step = backoff * (double)(1L << (attempt < 16 ? attempt : 16));
			wait = step * (0.5 + (double)rand_r(&h->seed) / ((double)RAND_MAX + 1.0));
		}
		/* the retry budget holds the waits and the attempts after the first */
		spent = xsm__mono() - first_end;
		if (spent + wait >= (double)h->o.max_retry_s)
			break;
		logf_(h, "%s: %s; retry %ld of %ld in %.1fs", where, whybuf, attempt + 1, h->o.retries, wait);
		xsm__sleep(wait);
		/* a retried attempt too slow to finish within what is left of the budget ends with it */
		spent = xsm__mono() - first_end;
		window = h->o.low_speed_time;
		if ((double)window > (double)h->o.max_retry_s - spent)
			window = (long)((double)h->o.max_retry_s - spent) > 1 ? (long)((double)h->o.max_retry_s - spent) : 1;
	}
	if (resp->status == 429 || resp->status == 409)
		return xsm__error_set(h->ctx, XSM_ERATELIMIT, "%s: still rate limited after %d %s", where,
				      resp->attempts, resp->attempts == 1 ? "attempt" : "attempts");
	if (resp->status >= 500)
		return 0; /* the caller reports the vendor's error text */
	/* reached but cut short: the answer is what is wrong, not the network path */
	return xsm__error_set(h->ctx, last_cc == CURLE_PARTIAL_FILE || last_cc == CURLE_GOT_NOTHING ||
					      last_cc == CURLE_RECV_ERROR || last_cc == CURLE_BAD_CONTENT_ENCODING
				      ? XSM_EPROTO : XSM_ENET,
			      "%s: %s (after %d %s)", where, whybuf, resp->attempts,
			      resp->attempts == 1 ? "attempt" : "attempts");
}
