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

/*
 * Interned strings: id 0 is always "".  Its own table, not a strmap: a
 * slot is 8 bytes (the key's tag and its id), so placing or finding a
 * string touches one slot, and strings are compared through at/lens
 * only when the tags agree.
 */
typedef struct xsm__strpool {
	uint64_t *slots;     /* cap slots: tag << 32 | (id + 1); 0 = empty */
	size_t cap;
	/*
	 * String i, NUL-terminated, is at base + at[i]: at[i] is its address
	 * (base 0) in a pool that interns, its offset in the strings of a
	 * mapped file (base: their start), so a mapped pool needs no array
	 * made at load
	 */
	uint64_t *at;
	uintptr_t base;
	uint32_t *lens;
	size_t n, scap;
	xsm__arena arena;
	char *block;         /* strings given by xsm__strpool_adopt, owned by the pool */
	int mapped;          /* slots, lens and the strings are a mapped file's (xsm__strpool_map): 1 read only, 2 given room */
} xsm__strpool;

int xsm__strpool_init(xsm__strpool *p);
/* intern s[0..len): *id receives its id.  0 or XSM_ENOMEM */
int xsm__strpool_intern(xsm__strpool *p, const char *s, size_t len, uint32_t *id);
/*
 * Load n strings into an empty pool (only "" in it), without copying them:
 * block holds them one after another, each followed by its NUL, string 0
 * being "" (block[0] is its NUL), and lens[i] is the length of string i.
 * The pool takes block in every case.  0; XSM_EINVALID when a string is
 * there twice or a NUL is out of place; XSM_ENOMEM.
 */
int xsm__strpool_adopt(xsm__strpool *p, char *block, const uint32_t *lens, size_t n);
/*
 * Start fetching the slot where s[0..len) is or would go, for an intern or
 * find of it a little later: with tens of millions of strings the table is
 * far bigger than the caches, and a miss is most of an intern's time.
 */
void xsm__strpool_prefetch(const xsm__strpool *p, const char *s, size_t len);
/* look up without adding: 1 and *id when present */
int xsm__strpool_find(const xsm__strpool *p, const char *s, size_t len, uint32_t *id);
/* room for n strings without growing again.  0, or XSM_ENOMEM */
int xsm__strpool_reserve(xsm__strpool *p, size_t n);
static inline const char *xsm__strpool_str(const xsm__strpool *p, uint32_t id)
{
	return (const char *)(p->base + (uintptr_t)p->at[id]);
}
/*
 * A pool over a mapped file's arrays: slots (cap, a power of two) and lens
 * as a pool has them, string i at base + at[i].  The slots' tags are the
 * same in every process (no seed), so a table one process wrote finds
 * strings for another.
 * Interning into it fails (XSM_EINVALID); nothing of it is freed.
 */
void xsm__strpool_map(xsm__strpool *p, uint64_t *slots, size_t cap, const uint64_t *at, const char *base,
		      uint32_t *lens, size_t n);
/*
 * A mapped pool made to take strings: at and lens (their first n entries
 * the mapped ones) have room for scap, and the slots may be written (a
 * private map).  Interned strings live in the pool's arena; the table never
 * grows, so interning past scap strings or 3/4 of its slots is XSM_ENOMEM.
 */
void xsm__strpool_map_room(xsm__strpool *p, uint64_t *at, uint32_t *lens, size_t scap);
void xsm__strpool_free(xsm__strpool *p);

#endif
