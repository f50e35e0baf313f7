#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* fail-after-N for out-of-memory tests; read once, process-wide */
static long fail_after = -2;
static long alloc_count;

static int should_fail(void)
{
	if (fail_after == -2) {
		const char *s = getenv("XSM_TEST_FAILALLOC");
		fail_after = (s && *s) ? strtol(s, NULL, 10) : -1;
	}
	if (fail_after < 0)
		return 0;
	return __atomic_add_fetch(&alloc_count, 1, __ATOMIC_RELAXED) >= fail_after;
}

void xsm__alloc_test_reset(void)
{
	fail_after = -2;
	alloc_count = 0;
}

void *xsm__malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *xsm__calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *xsm__calloc_big(size_t nmemb, size_t size)
{
	enum { HUGE = 2u << 20 };
	size_t n;
	void *p = NULL;
	if (xsm__mul_size(&n, nmemb, size) < 0)
		return NULL;
	if (n < 2 * HUGE)
		return xsm__calloc(nmemb, size);
	if (should_fail())
		return NULL;
	n = (n + HUGE - 1) / HUGE * HUGE;
	if (posix_memalign(&p, HUGE, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE); /* advice only: without it the table still works */
#endif
	memset(p, 0, n);
	return p;
}

void *xsm__malloc_aligned(size_t align, size_t n)
{
	void *p = NULL;
	if (should_fail())
		return NULL;
	return posix_memalign(&p, align, n ? n : 1) == 0 ? p : NULL;
}

void *xsm__realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

void *xsm__reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;
	if (xsm__mul_size(&n, nmemb, size) < 0)
		return NULL;
	return xsm__realloc(p, n);
}

char *xsm__strndup(const char *s, size_t n)
{
	char *d = xsm__malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xsm__strdup(const char *s)
{
	return xsm__strndup(s, strlen(s));
}

void xsm__free(void *p)
{
	free(p);
}
