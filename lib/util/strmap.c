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

static int rehash(xsm__strmap *m, size_t cap)
{
	const char **keys = xsm__calloc(cap, sizeof(*keys));
	uint32_t *lens = xsm__calloc(cap, sizeof(*lens));
	uint64_t *vals = xsm__calloc(cap, sizeof(*vals));
	size_t i;

	if (!keys || !lens || !vals) {
		xsm__free(keys);
		xsm__free(lens);
		xsm__free(vals);
		return XSM_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->keys[i])
			continue;
		j = xsm__hash(m->keys[i], m->lens[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		lens[j] = m->lens[i];
		vals[j] = m->vals[i];
	}
	xsm__free(m->keys);
	xsm__free(m->lens);
	xsm__free(m->vals);
	m->keys = keys;
	m->lens = lens;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

static size_t find(const xsm__strmap *m, const char *key, size_t len)
{
	size_t j = xsm__hash(key, len) & (m->cap - 1);
	while (m->keys[j] && (m->lens[j] != len || memcmp(m->keys[j], key, len)))
		j = (j + 1) & (m->cap - 1);
	return j;
}

int xsm__strmap_slot(xsm__strmap *m, const char *key, size_t len, uint64_t **slot, int *created)
{
	size_t j;

	if (len > UINT32_MAX)
		return XSM_EINVALID;
	if ((m->n + 1) * 4 >= m->cap * 3 && rehash(m, m->cap ? m->cap * 2 : 64) < 0)
		return XSM_ENOMEM;
	j = find(m, key, len);
	if (created)
		*created = !m->keys[j];
	if (!m->keys[j]) {
		char *k = xsm__arena_strndup(&m->arena, key, len);
		if (!k)
			return XSM_ENOMEM;
		m->keys[j] = k;
		m->lens[j] = (uint32_t)len;
		m->vals[j] = 0;
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
	j = find(m, key, len);
	if (!m->keys[j])
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
	/* the map's key copy is the pool's string: one copy only */
	{
		size_t j = xsm__hash(s, len) & (p->map.cap - 1);
		while (p->map.lens[j] != len || memcmp(p->map.keys[j], s, len))
			j = (j + 1) & (p->map.cap - 1);
		p->strs[p->n] = p->map.keys[j];
	}
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
