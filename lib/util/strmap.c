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
	const char **keys = xsm__calloc(cap, sizeof(*keys));
	uint32_t *lens = xsm__calloc(cap, sizeof(*lens));
	uint64_t *vals = xsm__calloc(cap, sizeof(*vals));
	uint32_t *tags = xsm__calloc(cap, sizeof(*tags));
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

int xsm__strmap_reserve(xsm__strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;
	while ((n + 1) * 4 >= cap * 3) {
		if (cap > ((size_t)1 << 40))
			return XSM_ENOMEM;
		cap *= 2;
	}
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

int xsm__strpool_init(xsm__strpool *p)
{
	uint32_t id;
	memset(p, 0, sizeof(*p));
	return xsm__strpool_intern(p, "", 0, &id);
}

int xsm__strpool_intern(xsm__strpool *p, const char *s, size_t len, uint32_t *id)
{
	uint64_t *slot;
	int created, rc;

	if ((rc = xsm__strmap_slot(&p->map, s, len, &slot, &created)) < 0)
		return rc;
	if (!created && *slot != UINT32_MAX) {
		*id = (uint32_t)*slot;
		return 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		const char **strs = xsm__reallocarray(p->strs, cap, sizeof(*strs));
		uint32_t *lens;
		if (!strs)
			goto oom;
		p->strs = strs;
		if (!(lens = xsm__reallocarray(p->lens, cap, sizeof(*lens))))
			goto oom;
		p->lens = lens;
		p->cap = cap;
	}
	if (p->n >= UINT32_MAX)
		goto oom;
	/* the map's key copy is the pool's string: one copy only (slot is &vals[j]) */
	p->strs[p->n] = p->map.keys[slot - p->map.vals];
	p->lens[p->n] = (uint32_t)len;
	*slot = p->n;
	*id = (uint32_t)p->n++;
	return 0;
oom:
	/* leave the map consistent: the key stays, pointing past the end, so mark it */
	*slot = UINT32_MAX;
	return XSM_ENOMEM;
}

int xsm__strpool_find(const xsm__strpool *p, const char *s, size_t len, uint32_t *id)
{
	uint64_t v;
	if (!xsm__strmap_get(&p->map, s, len, &v) || v == UINT32_MAX)
		return 0;
	*id = (uint32_t)v;
	return 1;
}

void xsm__strpool_free(xsm__strpool *p)
{
	xsm__strmap_free(&p->map);
	xsm__free(p->strs);
	xsm__free(p->lens);
	memset(p, 0, sizeof(*p));
}
