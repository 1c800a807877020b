/* grow.c - a heap array grown by doubling.
 * SPDX-License-Identifier: MIT */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

bool bel_grow(void **p, size_t *cap, size_t need, size_t item)
{
    if (need <= *cap) {
        return true;
    }
    size_t n = *cap ? *cap : 4096;
    while (n < need) {
        if (n > SIZE_MAX / 2 / item) {
            return false;
        }
        n *= 2;
    }
    void *q = realloc(*p, n * item);
    if (!q) {
        return false;
    }
    *p = q;
    *cap = n;
    return true;
}
