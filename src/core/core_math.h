/* core_math.h - numeric helpers the core's stages share (not part of the public API).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CORE_MATH_H
#define BELLOWS_CORE_MATH_H

#include <stdint.h>

/** s[j] += x[0] y[j][0] + x[1] y[j][1] + ... + x[n-1] y[j][n-1] for each j < m, every sum
 *  added in the order of i; for m of 4 or 5 the window x is read once for all of them
 *  (the correlations at several lags: breath's ripple, hold-in's chest-belly lag).
 *  Call from: any thread. Real-time safe. */
void bel_dots(const double *x, const double *const *y, int m, int64_t n, double *s);

#endif
