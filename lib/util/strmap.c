#include "util/strmap.h"

#include <string.h>

#include "exposure/errors.h"
#include "util/alloc.h"

uint64_t xsm__hash(const void *p, size_t n)
{
	/* FNV-1a, 64-bit, with a final mix: fast enough and well spread */
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/*
 * The table's own hash: 8 bytes a step (FNV above goes byte by byte and
 * names things; this one only places keys, so it may change).  Its low 32
 * bits are the slot's tag: a probe reads tags (16 to a cache line) and
 * looks at a key only when its tag matches; the slot is the tag's low
 * bits, so growing the table never hashes a key again.  Tag 0 marks an
 * empty slot.
 */
static uint32_t map_tag(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL), w;
	uint32_t t;
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x94d049bb133111ebULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	t = (uint32_t)h;
	return t ? t : 1;
}

static int rehash(xsm__strmap *m, size_t cap)
{
	const char **keys = xsm__calloc_big(cap, sizeof(*keys));
	uint32_t *lens = xsm__calloc_big(cap, sizeof(*lens));
	uint64_t *vals = xsm__calloc_big(cap, sizeof(*vals));
	uint32_t *tags = xsm__calloc_big(cap, sizeof(*tags));
	size_t i;

	if (!keys || !lens || !vals || !tags) {
		xsm__free(keys);
		xsm__free(lens);
		xsm__free(vals);
		xsm__free(tags);
		return XSM_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->tags[i])
			continue;
		j = m->tags[i] & (cap - 1);
		while (tags[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		lens[j] = m->lens[i];
		vals[j] = m->vals[i];
		tags[j] = m->tags[i];
	}
	xsm__free(m->keys);
	xsm__free(m->lens);
	xsm__free(m->vals);
	xsm__free(m->tags);
	m->keys = keys;
	m->lens = lens;
	m->vals = vals;
	m->tags = tags;
	m->cap = cap;
	return 0;
}

static size_t find(const xsm__strmap *m, const char *key, size_t len, uint32_t tag)
{
	size_t j = tag & (m->cap - 1);
	while (m->tags[j] && (m->tags[j] != tag || m->lens[j] != len || memcmp(m->keys[j], key, len)))
		j = (j + 1) & (m->cap - 1);
	return j;
}

/* slots for n keys at most 3/4 full, from cur (a power of two) up; 0 when too many */
static size_t table_cap(size_t cur, size_t n)
{
	size_t cap = cur ? cur : 64;
	while ((n + 1) * 4 >= cap * 3) {
		if (cap > ((size_t)1 << 40))
			return 0;
		cap *= 2;
	}
	return cap;
}

int xsm__strmap_reserve(xsm__strmap *m, size_t n)
{
	size_t cap = table_cap(m->cap, n);
	if (!cap)
		return XSM_ENOMEM;
	return cap > m->cap ? rehash(m, cap) : 0;
}

int xsm__strmap_slot(xsm__strmap *m, const char *key, size_t len, uint64_t **slot, int *created)
{
	uint32_t tag = map_tag(key, len);
	size_t j;

	if (len > UINT32_MAX)
		return XSM_EINVALID;
	if ((m->n + 1) * 4 >= m->cap * 3 && rehash(m, m->cap ? m->cap * 2 : 64) < 0)
		return XSM_ENOMEM;
	j = find(m, key, len, tag);
	if (created)
		*created = !m->tags[j];
	if (!m->tags[j]) {
		char *k = xsm__arena_strndup(&m->arena, key, len);
		if (!k)
			return XSM_ENOMEM;
		m->keys[j] = k;
		m->lens[j] = (uint32_t)len;
		m->vals[j] = 0;
		m->tags[j] = tag;
		m->n++;
	}
	*slot = &m->vals[j];
	return 0;
}

int xsm__strmap_put(xsm__strmap *m, const char *key, uint64_t val)
{
	uint64_t *slot;
	int rc = xsm__strmap_slot(m, key, strlen(key), &slot, NULL);
	if (rc == 0)
		*slot = val;
	return rc;
}

int xsm__strmap_get(const xsm__strmap *m, const char *key, size_t len, uint64_t *val)
{
	size_t j;
	if (!m->cap)
		return 0;
	j = find(m, key, len, map_tag(key, len));
	if (!m->tags[j])
		return 0;
	if (val)
		*val = m->vals[j];
	return 1;
}

void xsm__strmap_free(xsm__strmap *m)
{
	xsm__free(m->keys);
	xsm__free(m->lens);
	xsm__free(m->vals);
	xsm__free(m->tags);
	xsm__arena_free(&m->arena);
	memset(m, 0, sizeof(*m));
}

/* --- the string pool -------------------------------------------------------- */

static int pool_grow_table(xsm__strpool *p, size_t cap)
{
	uint64_t *slots = xsm__calloc_big(cap, sizeof(*slots));
	if (!slots)
		return XSM_ENOMEM;
	for (size_t i = 0; i < p->cap; i++) {
		size_t j;
		if (!p->slots[i])
			continue;
		j = (uint32_t)(p->slots[i] >> 32) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = p->slots[i];
	}
	xsm__free(p->slots);
	p->slots = slots;
	p->cap = cap;
	return 0;
}

/* the string arrays hold n strings */
static int pool_grow_arrays(xsm__strpool *p, size_t n)
{
	if (n > p->scap) {
		uint64_t *at = xsm__reallocarray(p->at, n, sizeof(*at));
		uint32_t *lens;
		if (!at)
			return XSM_ENOMEM;
		p->at = at;
		if (!(lens = xsm__reallocarray(p->lens, n, sizeof(*lens))))
			return XSM_ENOMEM;
		p->lens = lens;
		p->scap = n;
	}
	return 0;
}

int xsm__strpool_reserve(xsm__strpool *p, size_t n)
{
	size_t cap = table_cap(p->cap, n);
	if (!cap)
		return XSM_ENOMEM;
	if (cap > p->cap && pool_grow_table(p, cap) < 0)
		return XSM_ENOMEM;
	return pool_grow_arrays(p, n);
}

/* the slot holding s, or the empty slot where it would go */
static size_t pool_probe(const xsm__strpool *p, const char *s, size_t len, uint32_t tag)
{
	size_t j = tag & (p->cap - 1);
	for (;; j = (j + 1) & (p->cap - 1)) {
		uint64_t v = p->slots[j];
		uint32_t id;
		if (!v)
			return j;
		id = (uint32_t)v - 1;
		if ((uint32_t)(v >> 32) == tag && p->lens[id] == len && !memcmp(xsm__strpool_str(p, id), s, len))
			return j;
	}
}

/* add s (already NUL-terminated where it lives) at empty slot j */
static int pool_add(xsm__strpool *p, size_t j, uint32_t tag, const char *s, size_t len, uint32_t *id)
{
	if (p->n >= UINT32_MAX - 1 || len > UINT32_MAX)
		return XSM_ENOMEM;
	p->at[p->n] = (uint64_t)((uintptr_t)s - p->base);
	p->lens[p->n] = (uint32_t)len;
	p->slots[j] = (uint64_t)tag << 32 | (uint64_t)(p->n + 1);
	*id = (uint32_t)p->n++;
	return 0;
}

int xsm__strpool_init(xsm__strpool *p)
{
	uint32_t id;
	int rc;
	memset(p, 0, sizeof(*p));
	if ((rc = xsm__strpool_intern(p, "", 0, &id)) < 0)
		xsm__strpool_free(p); /* what it had made before it failed */
	return rc;
}

int xsm__strpool_intern(xsm__strpool *p, const char *s, size_t len, uint32_t *id)
{
	uint32_t tag = map_tag(s, len);
	size_t j;
	char *copy;

	if (p->mapped == 1)
		return XSM_EINVALID;
	/* a mapped pool given room takes strings up to it, its table never grown */
	if (p->mapped && ((p->n + 1) * 4 >= p->cap * 3 || p->n == p->scap))
		return XSM_ENOMEM;
	/*
	 * The table and the arrays grow each when it is full: a pool loaded
	 * with xsm__strpool_adopt has arrays of its exact size and a table with
	 * room, and its first new string must not also double the table
	 * (hundreds of megabytes zeroed and rehashed at a million nodes).
	 */
	if ((p->n + 1) * 4 >= p->cap * 3 && xsm__strpool_reserve(p, p->n < 128 ? 256 : p->n * 2) < 0)
		return XSM_ENOMEM;
	if (p->n == p->scap && pool_grow_arrays(p, p->n < 128 ? 256 : p->n + p->n / 2) < 0)
		return XSM_ENOMEM;
	j = pool_probe(p, s, len, tag);
	if (p->slots[j]) {
		*id = (uint32_t)p->slots[j] - 1;
		return 0;
	}
	if (!(copy = xsm__arena_strndup(&p->arena, s, len)))
		return XSM_ENOMEM;
	return pool_add(p, j, tag, copy, len, id);
}

int xsm__strpool_adopt(xsm__strpool *p, char *block, const uint32_t *lens, size_t n)
{
	enum { AHEAD = 16 };
	size_t i, at = 1, ahead = 1, ahead_at = 1; /* block[0] is string 0's NUL */
	uint32_t ring[AHEAD];

	if (p->n != 1 || !n || block[0]) {
		xsm__free(block);
		return XSM_EINVALID;
	}
	p->block = block;
	if (xsm__strpool_reserve(p, n) < 0)
		return XSM_ENOMEM;
	for (i = 1; i < n; i++) {
		const char *s = block + at;
		uint32_t tag, id;
		size_t j;
		/* tags a few strings ahead, their slots fetched while this one is placed */
		for (; ahead < n && ahead < i + AHEAD; ahead++) {
			ring[ahead % AHEAD] = map_tag(block + ahead_at, lens[ahead]);
			__builtin_prefetch(&p->slots[ring[ahead % AHEAD] & (p->cap - 1)]);
			ahead_at += (size_t)lens[ahead] + 1;
		}
		tag = ring[i % AHEAD];
		if (memchr(s, '\0', lens[i]) || s[lens[i]] != '\0')
			return XSM_EINVALID;
		j = pool_probe(p, s, lens[i], tag);
		if (p->slots[j] || pool_add(p, j, tag, s, lens[i], &id) < 0 || id != i)
			return XSM_EINVALID; /* a string twice: not a pool this code wrote */
		at += (size_t)lens[i] + 1;
	}
	return 0;
}

void xsm__strpool_prefetch(const xsm__strpool *p, const char *s, size_t len)
{
	if (p->cap)
		__builtin_prefetch(&p->slots[map_tag(s, len) & (p->cap - 1)]);
}

int xsm__strpool_find(const xsm__strpool *p, const char *s, size_t len, uint32_t *id)
{
	size_t j;
	if (!p->cap)
		return 0;
	j = pool_probe(p, s, len, map_tag(s, len));
	if (!p->slots[j])
		return 0;
	*id = (uint32_t)p->slots[j] - 1;
	return 1;
}

void xsm__strpool_map(xsm__strpool *p, uint64_t *slots, size_t cap, const uint64_t *at, const char *base,
		      uint32_t *lens, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->slots = slots;
	p->cap = cap;
	p->at = (uint64_t *)at;
	p->base = (uintptr_t)base;
	p->lens = lens;
	p->n = p->scap = n;
	p->mapped = 1;
}

void xsm__strpool_map_room(xsm__strpool *p, uint64_t *at, uint32_t *lens, size_t scap)
{
	p->at = at;
	p->lens = lens;
	p->scap = scap;
	p->mapped = 2;
}

void xsm__strpool_free(xsm__strpool *p)
{
	if (p->mapped) {
		xsm__arena_free(&p->arena); /* the strings interned into it */
		memset(p, 0, sizeof(*p));
		return;
	}
	xsm__free(p->slots);
	xsm__free(p->at);
	xsm__free(p->lens);
	xsm__free(p->block);
	xsm__arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}
