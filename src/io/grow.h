/* grow.h - a heap array grown by doubling, its size arithmetic checked.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_GROW_H
#define BELLOWS_GROW_H

#include <stdbool.h>
#include <stddef.h>

/** Make *p (holding *cap items of item bytes) hold at least need items: doubles from
 *  4096 items, updates *p and *cap. false (nothing changed) when that would overflow
 *  size_t or memory is short. Call from: any thread (allocates). */
bool bel_grow(void **p, size_t *cap, size_t need, size_t item);

#endif
