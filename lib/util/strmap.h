/*
 * util/strmap.h - string-keyed hash map to uint64_t (open addressing), and
 * a string pool on top of it that interns strings to dense uint32 ids.
 */
#ifndef XSM__STRMAP_H
#define XSM__STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct xsm__strmap {
	const char **keys;   /* cap slots; NULL = empty; keys live in the arena */
	uint32_t *lens;
	uint64_t *vals;
	uint32_t *tags;      /* hash tags; 0 = empty slot */
	size_t cap, n;
	xsm__arena arena;
} xsm__strmap;

uint64_t xsm__hash(const void *p, size_t n);

/* find or add key; *slot points at its value (0 when created). 0, or XSM_ENOMEM */
int xsm__strmap_slot(xsm__strmap *m, const char *key, size_t len, uint64_t **slot, int *created);
int xsm__strmap_put(xsm__strmap *m, const char *key, uint64_t val);
/* room for n keys without growing again. 0, or XSM_ENOMEM */
int xsm__strmap_reserve(xsm__strmap *m, size_t n);
/* 1 and *val when found, else 0 */
int xsm__strmap_get(const xsm__strmap *m, const char *key, size_t len, uint64_t *val);
void xsm__strmap_free(xsm__strmap *m);

/* interned strings: id 0 is always "" */
typedef struct xsm__strpool {
	xsm__strmap map;
	const char **strs;
	uint32_t *lens;
	size_t n, cap;
} xsm__strpool;

int xsm__strpool_init(xsm__strpool *p);
/* intern s[0..len): *id receives its id.  0 or XSM_ENOMEM */
int xsm__strpool_intern(xsm__strpool *p, const char *s, size_t len, uint32_t *id);
/* look up without adding: 1 and *id when present */
int xsm__strpool_find(const xsm__strpool *p, const char *s, size_t len, uint32_t *id);
static inline const char *xsm__strpool_str(const xsm__strpool *p, uint32_t id)
{
	return p->strs[id];
}
void xsm__strpool_free(xsm__strpool *p);

#endif
