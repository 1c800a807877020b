/* core_alloc.h - where the core gets its memory: libc, or a test's allocator that fails.
 *
 * Every allocation and free in src/core goes through these (in create and destroy
 * functions only, STYLE.md 5), so that tests/unit/test_alloc.c can build the core with
 * BEL_CORE_TEST_ALLOC defined, fail the N-th allocation for every N, and check that each
 * create then fails with BEL_ERR_NOMEM and frees what it had taken. A compile-time seam:
 * the library itself always uses libc.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CORE_ALLOC_H
#define BELLOWS_CORE_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

#ifdef BEL_CORE_TEST_ALLOC
/* Defined by the test; each may fail (NULL) on the test's say-so. */
void *bel_core_test_malloc(size_t size);
void *bel_core_test_calloc(size_t n, size_t size);
void *bel_core_test_aligned_alloc(size_t alignment, size_t size);
void bel_core_test_free(void *p);
#define BEL_CORE_MALLOC(size) bel_core_test_malloc(size)
#define BEL_CORE_CALLOC(n, size) bel_core_test_calloc(n, size)
#define BEL_CORE_ALIGNED_ALLOC(alignment, size) bel_core_test_aligned_alloc(alignment, size)
#define BEL_CORE_FREE(p) bel_core_test_free(p)
#else
#define BEL_CORE_MALLOC(size) malloc(size)
#define BEL_CORE_CALLOC(n, size) calloc(n, size)
#define BEL_CORE_ALIGNED_ALLOC(alignment, size) aligned_alloc(alignment, size)
#define BEL_CORE_FREE(p) free(p)
#endif

#endif
