#include "ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include "exposure/version.h"
#include "util/alloc.h"

int xsm_ctx_new(xsm_ctx **out)
{
	xsm_ctx *ctx = xsm__calloc(1, sizeof(*ctx));
	if (!ctx)
		return XSM_ENOMEM;
	*out = ctx;
	return 0;
}

void xsm_ctx_free(xsm_ctx *ctx)
{
	if (ctx) {
		xsm__free(ctx->actor);
		xsm__free(ctx->scope);
	}
	xsm__free(ctx);
}

const char *xsm_ctx_errmsg(const xsm_ctx *ctx)
{
	return ctx ? ctx->msg : "";
}

int xsm_ctx_errcode(const xsm_ctx *ctx)
{
	return ctx ? ctx->code : 0;
}

void xsm_ctx_clear(xsm_ctx *ctx)
{
	ctx->code = 0;
	ctx->msg[0] = '\0';
}

void xsm_ctx_set_config(xsm_ctx *ctx, const xsm_config *cfg)
{
	ctx->cfg = cfg;
}

void xsm_ctx_set_log(xsm_ctx *ctx, xsm_log_fn fn, void *payload)
{
	ctx->log = fn;
	ctx->log_payload = payload;
}

void xsm__log(xsm_ctx *ctx, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!ctx || !ctx->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log(line, ctx->log_payload);
}

void xsm_ctx_set_warn(xsm_ctx *ctx, xsm_log_fn fn, void *payload)
{
	ctx->warn = fn;
	ctx->warn_payload = payload;
}

void xsm__warn(xsm_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	if (!ctx || !ctx->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->warn(line, ctx->warn_payload);
}

/* CPU seconds of this process so far (every thread) and its peak RSS in MB */
static double process_cpu(long *rss_mb)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*rss_mb = ru.ru_maxrss / 1024;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void xsm__phase(xsm_ctx *ctx, double *t0, const char *what)
{
	double t = xsm__mono();
	if (ctx && ctx->log) {
		long rss;
		double cpu = process_cpu(&rss);
		if (what) /* NULL: a phase begins, no line */
			xsm__log(ctx, "%s: %.2f s, CPU %.2f s, peak RSS %ld MB", what, t - *t0, cpu - ctx->phase_cpu, rss);
		ctx->phase_cpu = cpu;
	}
	*t0 = t;
}

const xsm_config *xsm_ctx_config(const xsm_ctx *ctx)
{
	return ctx->cfg;
}

int xsm__error_set(xsm_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	if (!ctx)
		return code;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	ctx->code = code;
	return code;
}

int xsm__error_prefix(xsm_ctx *ctx, const char *fmt, ...)
{
	char pre[512], old[sizeof(ctx->msg)];
	va_list ap;
	if (!ctx)
		return XSM_ERROR;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, ctx->msg, sizeof(old));
	{
		size_t n = strlen(pre);
		if (n > sizeof(ctx->msg) - 3)
			n = sizeof(ctx->msg) - 3;
		memcpy(ctx->msg, pre, n);
		memcpy(ctx->msg + n, ": ", 2);
		n += 2;
		memcpy(ctx->msg + n, old, sizeof(ctx->msg) - n - 1);
		ctx->msg[sizeof(ctx->msg) - 1] = '\0';
	}
	return ctx->code;
}

int xsm__error_errno(xsm_ctx *ctx, int code, const char *fmt, ...)
{
	char what[768];
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (e == EACCES || e == EPERM)
		code = XSM_EDENIED;
	else if (e == ENOENT && code == XSM_EIO)
		code = XSM_ENOTFOUND;
	else if (e == ENOMEM)
		code = XSM_ENOMEM;
	return xsm__error_set(ctx, code, "%s: %s", what, strerror(e));
}

int xsm__error_oom(xsm_ctx *ctx)
{
	return xsm__error_set(ctx, XSM_ENOMEM, "out of memory");
}

long xsm__cfg_long(const xsm_ctx *ctx, const char *key, long dflt)
{
	const char *v;
	char *end;
	long n;
	if (!ctx || !ctx->cfg || !(v = xsm_config_get(ctx->cfg, key)))
		return dflt;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return dflt;
	return n;
}

void xsm_version(int *major, int *minor, int *patch)
{
	if (major)
		*major = XSM_VERSION_MAJOR;
	if (minor)
		*minor = XSM_VERSION_MINOR;
	if (patch)
		*patch = XSM_VERSION_PATCH;
}

static const struct {
	int code;
	const char *name, *text;
} errors[] = {
	{ XSM_OK, "XSM_OK", "no error" },
	{ XSM_ERROR, "XSM_ERROR", "failure" },
	{ XSM_ENOMEM, "XSM_ENOMEM", "out of memory" },
	{ XSM_ENOTFOUND, "XSM_ENOTFOUND", "not found" },
	{ XSM_EEXISTS, "XSM_EEXISTS", "already exists" },
	{ XSM_EINVALID, "XSM_EINVALID", "invalid input data" },
	{ XSM_ECONFIG, "XSM_ECONFIG", "invalid configuration" },
	{ XSM_ELOCKED, "XSM_ELOCKED", "store is locked by another writer" },
	{ XSM_EIO, "XSM_EIO", "input/output error" },
	{ XSM_ENET, "XSM_ENET", "network unreachable" },
	{ XSM_EHTTP, "XSM_EHTTP", "unexpected http status" },
	{ XSM_EAUTH, "XSM_EAUTH", "authentication refused" },
	{ XSM_ERATELIMIT, "XSM_ERATELIMIT", "rate limited" },
	{ XSM_EPROTO, "XSM_EPROTO", "protocol error" },
	{ XSM_EUSER, "XSM_EUSER", "stopped by callback" },
	{ XSM_ITEROVER, "XSM_ITEROVER", "iteration over" },
	{ XSM_EUSAGE, "XSM_EUSAGE", "invalid arguments" },
	{ XSM_EFORMAT, "XSM_EFORMAT", "unsupported store format" },
	{ XSM_ECREATE, "XSM_ECREATE", "cannot create" },
	{ XSM_EDENIED, "XSM_EDENIED", "permission denied" },
	{ XSM_ENOINPUT, "XSM_ENOINPUT", "no input" },
};

const char *xsm_strerror(int code)
{
	size_t i;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].text;
	return "unknown error";
}

const char *xsm_error_name(int code)
{
	size_t i;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].name;
	return "XSM_E?";
}

/* --- time ------------------------------------------------------------------ */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01 */
	int64_t era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* exactly k decimal digits at s into *v (timestamps are parsed by the million: no sscanf) */
static int digits(const char *s, int k, int *v)
{
	*v = 0;
	for (int i = 0; i < k; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

int xsm_time_parse(int64_t *out, const char *s)
{
	int Y, M, D, h = 0, mi = 0, sec = 0;
	int64_t t;
	const char *p;

	if (!s || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' || !digits(s + 8, 2, &D))
		return XSM_EINVALID;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' || !digits(p + 7, 2, &sec))
			return XSM_EINVALID;
		p += 9;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || sec > 60)
		return XSM_EINVALID;
	t = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + sec;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
			return XSM_EINVALID;
		t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
		p += 6;
	} else if (*p) {
		return XSM_EINVALID;
	}
	if (*p)
		return XSM_EINVALID;
	*out = t;
	return 0;
}

/* the inverse of days_from_civil (Howard Hinnant's algorithm) */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void xsm_time_format(char out[21], int64_t t)
{
	/* by hand: builds format millions of first-found dates */
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), y;
	unsigned sec = (unsigned)(t - days * 86400), m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		struct tm tm;
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		if (!strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm))
			snprintf(out, 21, "0000-00-00T00:00:00Z");
		return;
	}
	two(out, (unsigned)(y / 100));
	two(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, d);
	out[10] = 'T';
	two(out + 11, sec / 3600);
	out[13] = ':';
	two(out + 14, sec / 60 % 60);
	out[16] = ':';
	two(out + 17, sec % 60);
	out[19] = 'Z';
	out[20] = '\0';
}

int64_t xsm_ctx_now(const xsm_ctx *ctx)
{
	const char *s = getenv("XSM_NOW");
	int64_t t;
	if (s && *s && xsm_time_parse(&t, s) == 0)
		return t;
	return (int64_t)time(NULL);
}

double xsm__mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void xsm__run2(void *(*fn)(void *), void *a, void *b)
{
	pthread_t th;
	int started = b && pthread_create(&th, NULL, fn, b) == 0;
	fn(a);
	if (started)
		pthread_join(th, NULL);
	else if (b)
		fn(b);
}

struct sorthalf {
	void *base;
	size_t n, size;
	int (*cmp)(const void *, const void *);
};

static void *sort_half(void *arg)
{
	struct sorthalf *h = arg;
	qsort(h->base, h->n, h->size, h->cmp);
	return NULL;
}

void xsm__qsort2(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	enum { MIN = 1 << 16 };
	char *tmp = n >= MIN ? xsm__malloc(n * size) : NULL, *a = base, *b, *ae, *be, *o = tmp;
	struct sorthalf h[2];

	if (!tmp) {
		qsort(base, n, size, cmp);
		return;
	}
	h[0] = (struct sorthalf){ base, n / 2, size, cmp };
	h[1] = (struct sorthalf){ a + n / 2 * size, n - n / 2, size, cmp };
	xsm__run2(sort_half, &h[0], &h[1]);
	b = ae = a + n / 2 * size;
	be = a + n * size;
	while (a < ae && b < be) {
		char **from = cmp(b, a) < 0 ? &b : &a;
		memcpy(o, *from, size);
		*from += size;
		o += size;
	}
	memcpy(o, a, (size_t)(ae - a));
	memcpy(o + (ae - a), b, (size_t)(be - b));
	memcpy(base, tmp, n * size);
	xsm__free(tmp);
}

void xsm__sleep(double s)
{
	struct timespec ts;
	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
