/*
 * util/arena.h - bump allocation for many small, same-lifetime objects
 * (graph strings, parsed trees).  Everything is released at once.
 * Building with -DXSM_DEBUG_ARENA sends each allocation to the allocator
 * so ASan and valgrind see overflows.
 */
#ifndef XSM__ARENA_H
#define XSM__ARENA_H

#include <stddef.h>

struct xsm__arena_chunk;
typedef struct xsm__arena {
	struct xsm__arena_chunk *head;
	size_t total; /* bytes handed out, for statistics */
} xsm__arena;

void *xsm__arena_alloc(xsm__arena *a, size_t n); /* 8-byte aligned; NULL on OOM */
char *xsm__arena_strndup(xsm__arena *a, const char *s, size_t n);
void xsm__arena_free(xsm__arena *a);

#endif
