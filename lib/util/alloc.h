/* util/alloc.h - the one allocation funnel of the library. */
#ifndef XSM__ALLOC_H
#define XSM__ALLOC_H

#include <stddef.h>

/*
 * All library allocation goes through these.  With XSM_TEST_FAILALLOC=N in
 * the environment, the N-th allocation and every later one fails, so tests
 * can drive every out-of-memory path.
 */
void *xsm__malloc(size_t n);
void *xsm__calloc(size_t nmemb, size_t size);
void *xsm__realloc(void *p, size_t n);
/* realloc of nmemb*size bytes, NULL on overflow */
void *xsm__reallocarray(void *p, size_t nmemb, size_t size);
/*
 * calloc for big tables read in random order (hash slots, search lanes):
 * from 4 MB up, 2 MB aligned and marked for transparent huge pages, so a
 * lookup costs one cache miss and not a TLB miss too.  Freed by xsm__free.
 */
void *xsm__calloc_big(size_t nmemb, size_t size);
/* n bytes aligned to align (a power of two, a multiple of sizeof(void *)); freed by xsm__free */
void *xsm__malloc_aligned(size_t align, size_t n);
char *xsm__strdup(const char *s);
char *xsm__strndup(const char *s, size_t n);
void xsm__free(void *p);
/* re-read XSM_TEST_FAILALLOC and restart the count (tests, after fork) */
void xsm__alloc_test_reset(void);

/* memcpy that accepts a NULL source for a zero length (empty vectors) */
static inline void xsm__memcpy(void *dst, const void *src, size_t n)
{
	if (n)
		__builtin_memcpy(dst, src, n);
}

/* overflow-checked size arithmetic: 0 on success, -1 on overflow */
static inline int xsm__add_size(size_t *out, size_t a, size_t b)
{
	return __builtin_add_overflow(a, b, out) ? -1 : 0;
}
static inline int xsm__mul_size(size_t *out, size_t a, size_t b)
{
	return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}

#endif
