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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "bellows/status.h"

/** Direct-form-II-transposed biquad. Fields are private. The pairs are
 *  updated together (as two-lane vectors where the target has them), so each
 *  is 16-byte aligned and ordered as its partner in the state update
 *  (bel_biquad_process): z1 takes b1 x - a1 y, z2 takes b0 x - a2 y. */
typedef struct bel_biquad {
    _Alignas(16) double b[2]; /* private: b1, b0 (b2 == b0 in every filter made here) */
    _Alignas(16) double a[2]; /* private: a1, a2 */
    _Alignas(16) double z[2]; /* private: z1, z2 */
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
    /* b2 == b0 in every filter made here (the pass-through too), so b2 x is b0 x. */
    const double y = f->b[1] * x + f->z[0];
#if defined(__SSE2__)
    /* The same products, differences and sums as below, two at a time: the
     * result is the same to the bit, in about two thirds of the instructions. */
    __m128d v = _mm_sub_pd(_mm_mul_pd(_mm_load_pd(f->b), _mm_set1_pd(x)),
                           _mm_mul_pd(_mm_load_pd(f->a), _mm_set1_pd(y)));
    v = _mm_add_sd(v, _mm_load_sd(&f->z[1]));
    _mm_store_pd(f->z, v);
#else
    f->z[0] = f->b[0] * x - f->a[0] * y + f->z[1];
    f->z[1] = f->b[1] * x - f->a[1] * y;
#endif
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

/** bel_median_process for all but a full window of five (an insertion into a
 *  sorted copy). Not for callers. */
float bel_median_process_slow(bel_median *m, float x);

/** Push x, return the median of the last n samples (of fewer while filling).
 *  Call from: the owning thread. Real-time safe, O(n). Inline for the
 *  despike's full window of five at 50 Hz (two belts, every sample), over the
 *  ring and without branches (the sorted copy is left behind: once the window
 *  of five is full it is not used again): of two pairs, the smaller of the
 *  lower two is below at least three values and the larger of the upper two
 *  above at least three, so neither is the median, which is then the median
 *  of the other two and the fifth value (10 minima and maxima). */
static inline float bel_median_process(bel_median *m, float x)
{
    if (m->n != 5 || m->count != 5) {
        return bel_median_process_slow(m, x);
    }
    m->ring[m->head] = x;
    m->head = m->head == 4 ? 0 : m->head + 1;
    const float a = m->ring[0], b = m->ring[1], c = m->ring[2], d = m->ring[3], e = m->ring[4];
    const float lo_ab = b < a ? b : a, hi_ab = b < a ? a : b;
    const float lo_cd = d < c ? d : c, hi_cd = d < c ? c : d;
    const float f = lo_cd < lo_ab ? lo_ab : lo_cd; /* the larger of the lower two */
    const float g = hi_cd < hi_ab ? hi_cd : hi_ab; /* the smaller of the upper two */
    const float lo_fg = g < f ? g : f, hi_fg = g < f ? f : g;
    const float mid = e < hi_fg ? e : hi_fg;
    return mid < lo_fg ? lo_fg : mid;
}

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

/** bel_rail_push's part for an x at or beyond the extremes seen (the run
 *  already counted). Not for callers. */
uint32_t bel_rail_push_extreme(bel_rail *r, float x);

/** Push x. Returns how many samples are newly known to be clipped: 0 while
 *  not, the whole run once it is long enough, then 1 a sample. Call from: the
 *  owning thread. Real-time safe. Inline: two stages push every sample, and x
 *  is almost always between the extremes (one update, no call). */
static inline uint32_t bel_rail_push(bel_rail *r, float x)
{
    const bool repeat = r->started && x == r->prev;
    r->run = repeat ? r->run + 1 : 1;
    if (!repeat) {
        r->counted = false;
    }
    r->started = true;
    r->prev = x;
    if (!(x <= r->lo) && !(x >= r->hi)) {
        r->rep += r->alpha * ((repeat ? 1.0 : 0.0) - r->rep);
        return 0;
    }
    return bel_rail_push_extreme(r, x);
}

/** Whether the run judged clipped is at the highest value seen (else the
 *  lowest). Call from: the owning thread. */
bool bel_rail_is_top(const bel_rail *r);

#endif
