#include "util/arena.h"

#include <string.h>

#include "util/alloc.h"

#define CHUNK (256 * 1024)

struct xsm__arena_chunk {
	struct xsm__arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *xsm__arena_alloc(xsm__arena *a, size_t n)
{
	struct xsm__arena_chunk *c = a->head;
	size_t want = (n + 7) & ~(size_t)7;

	if (want < n)
		return NULL;
#ifdef XSM_DEBUG_ARENA
	c = NULL;
#endif
	if (!c || c->cap - c->used < want) {
		size_t cap = want > CHUNK / 4 ? want : CHUNK, sz;
#ifdef XSM_DEBUG_ARENA
		cap = want;
#endif
		if (xsm__add_size(&sz, sizeof(*c), cap) < 0 || !(c = xsm__malloc(sz)))
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* a big block goes behind the current chunk so its free space stays usable */
		if (a->head && want > CHUNK / 4) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->used += want;
	a->total += want;
	return c->data + c->used - want;
}

char *xsm__arena_strndup(xsm__arena *a, const char *s, size_t n)
{
	char *d = xsm__arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void xsm__arena_free(xsm__arena *a)
{
	struct xsm__arena_chunk *c = a->head, *next;
	for (; c; c = next) {
		next = c->next;
		xsm__free(c);
	}
	a->head = NULL;
	a->total = 0;
}
