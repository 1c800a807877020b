/* filter.h - small causal filters for the pipeline: biquad sections and a running median.
 *
 * Caller-owned structs (embedded in pipeline stages, no allocation).
 * Biquad state and coefficients are double: low cutoffs put the poles close
 * to the unit circle where float rounding moves them (STYLE.md section 9).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FILTER_H
#define BELLOWS_FILTER_H

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

/** Filter one sample. Call from: the thread that owns f. Real-time safe. */
double bel_biquad_process(bel_biquad *f, double x);

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

#endif
