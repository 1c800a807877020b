/* filter.h - small causal filters for the pipeline: biquad sections and a running median.
 *
 * Caller-owned structs (embedded in pipeline stages, no allocation).
 * Biquad state and coefficients are double: low cutoffs put the poles close
 * to the unit circle where float rounding moves them (STYLE.md section 9).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FILTER_H
#define BELLOWS_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "bellows/status.h"

/** Direct-form-II-transposed biquad. Fields are private. */
typedef struct bel_biquad {
    double b0, b1, b2, a1, a2; /* private */
    double z1, z2;             /* private */
} bel_biquad;

/** 2nd-order Butterworth low-pass (RBJ cookbook, bilinear transform) at
 *  cutoff_hz, 0 < cutoff_hz < fs_hz / 2. BEL_ERR_ARG otherwise (f is left
 *  as a pass-through). Call from: setup. */
BEL_NODISCARD bel_status bel_biquad_init_lowpass(bel_biquad *f, double fs_hz, double cutoff_hz);

/** 2nd-order Butterworth high-pass, as bel_biquad_init_lowpass. */
BEL_NODISCARD bel_status bel_biquad_init_highpass(bel_biquad *f, double fs_hz, double cutoff_hz);

/** Set the state to the steady state for a constant input x (no start-up step).
 *  Call from: the thread that owns f. Real-time safe. */
void bel_biquad_reset(bel_biquad *f, double x);

/** Negate the state: from now on the filter runs as if its whole past input
 *  had been negated (it is linear). Call from: the owning thread. Real-time safe. */
void bel_biquad_negate(bel_biquad *f);

/** Filter one sample. Call from: the thread that owns f. Real-time safe.
 *  Inline: the pipeline runs seven of them a sample, and a call costs as much
 *  as the filter. */
static inline double bel_biquad_process(bel_biquad *f, double x)
{
    const double y = f->b0 * x + f->z1;
    f->z1 = f->b1 * x - f->a1 * y + f->z2;
    f->z2 = f->b2 * x - f->a2 * y;
    return y;
}

/** Gain of the filter at freq_hz (magnitude of H(e^jw)). Call from: any thread. */
double bel_biquad_gain(const bel_biquad *f, double fs_hz, double freq_hz);

/** Largest running-median window. */
enum { BEL_MEDIAN_MAX = 15 };

/** Running median over the last n samples (n odd, 1..BEL_MEDIAN_MAX). Fields private. */
typedef struct bel_median {
    int n, count, head;           /* private */
    float ring[BEL_MEDIAN_MAX];   /* private: samples in arrival order */
    float sorted[BEL_MEDIAN_MAX]; /* private: the same samples, sorted */
} bel_median;

/** Window of n samples; BEL_ERR_ARG unless n is odd and in range. Call from: setup. */
BEL_NODISCARD bel_status bel_median_init(bel_median *m, int n);

/** Push x, return the median of the last n samples (of fewer while filling).
 *  Call from: the owning thread. Real-time safe, O(n). */
float bel_median_process(bel_median *m, float x);

/** A belt held at a rail (clipped): a run of one repeated value at the lowest
 *  or highest value seen, at least 0.1 s long and longer than values repeat
 *  by chance elsewhere (runs of repeats are about geometric: one this long
 *  comes by chance less than once in a thousand; a coarse, still belt repeats
 *  its values often, so its runs are not rails). Fields private. */
typedef struct bel_rail {
    float lo, hi, prev;            /* private */
    uint32_t run, min_run;         /* private */
    double rep, alpha;             /* private: how often a value repeats the one before */
    bool started, is_top, counted; /* private */
} bel_rail;

/** Start (again): nothing seen. Call from: setup, or the owning thread. */
void bel_rail_init(bel_rail *r, double fs_hz);

/** Push x. Returns how many samples are newly known to be clipped: 0 while
 *  not, the whole run once it is long enough, then 1 a sample. Call from: the
 *  owning thread. Real-time safe. */
uint32_t bel_rail_push(bel_rail *r, float x);

/** Whether the run judged clipped is at the highest value seen (else the
 *  lowest). Call from: the owning thread. */
bool bel_rail_is_top(const bel_rail *r);

#endif
