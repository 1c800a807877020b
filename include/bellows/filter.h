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

/** Group delay at 0 Hz of the 2nd-order Butterworth low-pass at cutoff_hz
 *  (bel_biquad_init_lowpass): sqrt(2) / (2 pi cutoff_hz), in seconds. */
double bel_lowpass2_delay_s(double cutoff_hz);

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
    const double z2 = f->z[1];
    const __m128d v = _mm_sub_pd(_mm_mul_pd(_mm_load_pd(f->b), _mm_set1_pd(x)),
                                 _mm_mul_pd(_mm_load_pd(f->a), _mm_set1_pd(y)));
    _mm_storeh_pd(&f->z[1], v);
    f->z[0] = _mm_cvtsd_f64(v) + z2;
#else
    f->z[0] = f->b[0] * x - f->a[0] * y + f->z[1];
    f->z[1] = f->b[1] * x - f->a[1] * y;
#endif
    return y;
}

/** Two biquads side by side (lanes 0 and 1), each with its own coefficients,
 *  state and input: the outputs of two bel_biquad to the bit, in about two
 *  thirds of the instructions (SSE2). Fields private. */
typedef struct bel_biquad2 {
    _Alignas(16) double b0[2]; /* private: lane 0's, lane 1's (b2 == b0) */
    _Alignas(16) double b1[2]; /* private */
    _Alignas(16) double a1[2]; /* private */
    _Alignas(16) double a2[2]; /* private */
    _Alignas(16) double z1[2]; /* private */
    _Alignas(16) double z2[2]; /* private */
} bel_biquad2;

/** Lane 0 becomes f0 and lane 1 f1 (coefficients and state), both made by
 *  bel_biquad_init_*. Call from: setup. */
void bel_biquad2_init(bel_biquad2 *f, const bel_biquad *f0, const bel_biquad *f1);

/** Lane `lane` (0 or 1) becomes src (coefficients and state, made by
 *  bel_biquad_init_*); the other lane goes on unchanged. Call from: the owning
 *  thread. Real-time safe. */
void bel_biquad2_set_lane(bel_biquad2 *f, int lane, const bel_biquad *src);

/** bel_biquad_reset of one lane (0 or 1). Call from: the owning thread. Real-time safe. */
void bel_biquad2_reset(bel_biquad2 *f, int lane, double x);

/** bel_biquad_negate of both lanes. Call from: the owning thread. Real-time safe. */
void bel_biquad2_negate(bel_biquad2 *f);

/** bel_biquad_negate of one lane (0 or 1). Call from: the owning thread. Real-time safe. */
void bel_biquad2_negate_lane(bel_biquad2 *f, int lane);

/** Filter x0 in lane 0 and x1 in lane 1; return lane 0's output and set *y1
 *  to lane 1's. Call from: the owning thread. Real-time safe. */
static inline double bel_biquad2_process(bel_biquad2 *f, double x0, double x1, double *y1)
{
#if defined(__SSE2__)
    const __m128d x = _mm_set_pd(x1, x0);
    const __m128d b0x = _mm_mul_pd(_mm_load_pd(f->b0), x);
    const __m128d y = _mm_add_pd(b0x, _mm_load_pd(f->z1));
    _mm_store_pd(f->z1, _mm_add_pd(_mm_sub_pd(_mm_mul_pd(_mm_load_pd(f->b1), x),
                                              _mm_mul_pd(_mm_load_pd(f->a1), y)),
                                   _mm_load_pd(f->z2)));
    _mm_store_pd(f->z2, _mm_sub_pd(b0x, _mm_mul_pd(_mm_load_pd(f->a2), y)));
    *y1 = _mm_cvtsd_f64(_mm_unpackhi_pd(y, y));
    return _mm_cvtsd_f64(y);
#else
    const double x[2] = {x0, x1};
    double y[2];
    for (int i = 0; i < 2; i++) {
        const double b0x = f->b0[i] * x[i];
        y[i] = b0x + f->z1[i];
        f->z1[i] = f->b1[i] * x[i] - f->a1[i] * y[i] + f->z2[i];
        f->z2[i] = b0x - f->a2[i] * y[i];
    }
    *y1 = y[1];
    return y[0];
#endif
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

/** The median of a, b, c, d, e without branches (bel_median_process's order
 *  of comparisons). Not for callers. */
static inline float bel_median_of_five(float a, float b, float c, float d, float e)
{
    const float lo_ab = b < a ? b : a, hi_ab = b < a ? a : b;
    const float lo_cd = d < c ? d : c, hi_cd = d < c ? c : d;
    const float f = lo_cd < lo_ab ? lo_ab : lo_cd; /* the larger of the lower two */
    const float g = hi_cd < hi_ab ? hi_cd : hi_ab; /* the smaller of the upper two */
    const float lo_fg = g < f ? g : f, hi_fg = g < f ? f : g;
    const float mid = e < hi_fg ? e : hi_fg;
    return mid < lo_fg ? lo_fg : mid;
}

/** Push x, return the median of the last n samples (of fewer while filling).
 *  Call from: the owning thread. Real-time safe, O(n). Inline for a full
 *  window of five, over the ring and without branches (the sorted copy is
 *  left behind: once the window of five is full it is not used again): of two
 *  pairs, the smaller of the lower two is below at least three values and the
 *  larger of the upper two above at least three, so neither is the median,
 *  which is then the median of the other two and the fifth value (10 minima
 *  and maxima). */
static inline float bel_median_process(bel_median *m, float x)
{
    if (m->n != 5 || m->count != 5) {
        return bel_median_process_slow(m, x);
    }
    m->ring[m->head] = x;
    m->head = m->head == 4 ? 0 : m->head + 1;
    return bel_median_of_five(m->ring[0], m->ring[1], m->ring[2], m->ring[3], m->ring[4]);
}

/** Two running medians over windows of the same n (the belly and the chest
 *  belt), pushed together or the first alone: each gives what a bel_median of
 *  its own samples gives, to the bit. With both windows of five full, the two
 *  take the comparisons of one (side by side, where the target has SSE).
 *  Fields private. */
typedef struct bel_median2 {
    bel_median m[2];               /* private: each window while it fills (any n), its head */
    _Alignas(16) float five[5][4]; /* private: full windows of five, m[i]'s in column 2 i */
    bool is_five;                  /* private: both windows of five, full */
} bel_median2;

/** Both windows of n samples; BEL_ERR_ARG unless n is odd and in range.
 *  Call from: setup, or the owning thread (to empty them). */
BEL_NODISCARD bel_status bel_median2_init(bel_median2 *m, int n);

/** The window n given at init. Call from: the owning thread. */
static inline int bel_median2_get_n(const bel_median2 *m) { return m->m[0].n; }

/** bel_median2_process_one's path while lane i fills, or for n other than
 *  five. Not for callers. */
float bel_median2_process_slow(bel_median2 *m, int i, float x);

/** Push x into window i (0 or 1) only, return its median. Call from: the
 *  owning thread. Real-time safe. */
static inline float bel_median2_process_one(bel_median2 *m, int i, float x)
{
    bel_median *l = &m->m[i];
    if (l->n != 5 || l->count != 5) {
        return bel_median2_process_slow(m, i, x);
    }
    m->five[l->head][2 * i] = x;
    l->head = l->head == 4 ? 0 : l->head + 1;
    return bel_median_of_five(m->five[0][2 * i], m->five[1][2 * i], m->five[2][2 * i],
                              m->five[3][2 * i], m->five[4][2 * i]);
}

/** Push x0 into window 0 and x1 into window 1, return window 0's median and
 *  set *y1 to window 1's. Call from: the owning thread. Real-time safe. */
static inline float bel_median2_process(bel_median2 *m, float x0, float x1, float *y1)
{
    if (!m->is_five) {
        const float y0 = bel_median2_process_one(m, 0, x0);
        *y1 = bel_median2_process_one(m, 1, x1);
        return y0;
    }
    bel_median *l0 = &m->m[0], *l1 = &m->m[1];
    const int h0 = l0->head;
    const int next0 = h0 == 4 ? 0 : h0 + 1;
    m->five[h0][0] = x0;
    l0->head = next0;
    if (l1->head == h0) { /* the windows began together: one head */
        m->five[h0][2] = x1;
        l1->head = next0;
    } else {
        m->five[l1->head][2] = x1;
        l1->head = l1->head == 4 ? 0 : l1->head + 1;
    }
#if defined(__SSE2__)
    /* bel_median_of_five column by column: minps and maxps take the operand
     * each of its conditionals takes (the second on a tie, as x < y ? x : y). */
    const __m128 a = _mm_load_ps(m->five[0]), b = _mm_load_ps(m->five[1]);
    const __m128 c = _mm_load_ps(m->five[2]), d = _mm_load_ps(m->five[3]);
    const __m128 e = _mm_load_ps(m->five[4]);
    const __m128 lo_ab = _mm_min_ps(b, a), hi_ab = _mm_max_ps(a, b);
    const __m128 lo_cd = _mm_min_ps(d, c), hi_cd = _mm_max_ps(c, d);
    const __m128 f = _mm_max_ps(lo_ab, lo_cd), g = _mm_min_ps(hi_cd, hi_ab);
    const __m128 lo_fg = _mm_min_ps(g, f), hi_fg = _mm_max_ps(f, g);
    const __m128 y = _mm_max_ps(lo_fg, _mm_min_ps(e, hi_fg));
    *y1 = _mm_cvtss_f32(_mm_movehl_ps(y, y));
    return _mm_cvtss_f32(y);
#else
    *y1 = bel_median_of_five(m->five[0][2], m->five[1][2], m->five[2][2], m->five[3][2],
                             m->five[4][2]);
    return bel_median_of_five(m->five[0][0], m->five[1][0], m->five[2][0], m->five[3][0],
                              m->five[4][0]);
#endif
}

/** A belt held at a rail (clipped): a run of one repeated value at the lowest
 *  or highest value seen, at least 0.1 s long and longer than values repeat
 *  by chance elsewhere (runs of repeats are about geometric: one this long
 *  comes by chance less than once in a thousand; a coarse, still belt repeats
 *  its values often, so its runs are not rails). A rail is a level the belt
 *  cannot pass: once the signal goes beyond the level a run was counted at,
 *  that run was the slow top (or bottom) of a breath deeper than any before
 *  it, and its samples are taken back. Fields private. */
typedef struct bel_rail {
    float lo, hi, prev;        /* private: prev NAN before the first x */
    uint32_t run, min_run;     /* private */
    double rep, alpha;         /* private: how often a value repeats the one before */
    bool is_top, counted;      /* private */
    uint32_t n_at_hi, n_at_lo; /* private: samples counted at hi and at lo */
} bel_rail;

/** Start (again): nothing seen. Call from: setup, or the owning thread. */
void bel_rail_init(bel_rail *r, double fs_hz);

/** bel_rail_push's part for an x at or beyond the extremes seen (the run
 *  already counted). Not for callers. */
int32_t bel_rail_push_extreme(bel_rail *r, float x);

/** Push x. Returns how many samples are newly known to be clipped: 0 while
 *  not, the whole run once it is long enough, then 1 a sample; negative, the
 *  samples counted at a level x has just gone beyond (taken back). Call from:
 *  the owning thread. Real-time safe. Inline: two stages push every sample, and
 *  x is almost always between the extremes (one update, no call). */
static inline int32_t bel_rail_push(bel_rail *r, float x)
{
    const bool repeat = x == r->prev; /* never the first: NAN equals nothing */
    r->run = repeat ? r->run + 1 : 1;
    if (!repeat) {
        r->counted = false;
    }
    r->prev = x;
    if (!(x <= r->lo) && !(x >= r->hi)) {
        /* rep += alpha * ((repeat ? 1 : 0) - rep), each case on its own: the same
         * values (alpha * -rep is -(alpha * rep)) in fewer instructions. */
        if (repeat) {
            r->rep += r->alpha * (1.0 - r->rep);
        } else {
            r->rep -= r->alpha * r->rep;
        }
        return 0;
    }
    return bel_rail_push_extreme(r, x);
}

/** Whether the run judged clipped is at the highest value seen (else the
 *  lowest). Call from: the owning thread. */
bool bel_rail_is_top(const bel_rail *r);

#endif
