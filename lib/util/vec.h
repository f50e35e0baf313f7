/* util/vec.h - a typed growable array: XSM__VEC(int) v = {0}; */
#ifndef XSM__VEC_H
#define XSM__VEC_H

#include "util/alloc.h"

#define XSM__VEC(T) struct { T *v; size_t n, cap; }

/* make room for one more element: 0 or -1 on out of memory */
#define xsm__vec_reserve(vec, extra) \
	xsm__vec_grow_((void **)&(vec)->v, &(vec)->cap, (vec)->n + (extra), sizeof(*(vec)->v))

/* push x: 0 or -1 on out of memory */
#define xsm__vec_push(vec, x) \
	(xsm__vec_reserve(vec, 1) < 0 ? -1 : ((vec)->v[(vec)->n++] = (x), 0))

#define xsm__vec_free(vec) do { xsm__free((vec)->v); (vec)->v = NULL; (vec)->n = (vec)->cap = 0; } while (0)

static inline int xsm__vec_grow_(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n;
	void *q;
	if (need <= *cap)
		return 0;
	n = *cap ? *cap : 8;
	while (n < need) {
		if (xsm__mul_size(&n, n, 2) < 0)
			return -1;
	}
	if (!(q = xsm__reallocarray(*p, n, elem)))
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

#endif
