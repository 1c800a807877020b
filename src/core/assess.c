/* assess.c - the guided assessment's phases and their checks.
 * SPDX-License-Identifier: MIT */
#include "bellows/assess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/breath.h"

bel_assess_config bel_assess_config_default(void)
{
    bel_assess_config c;
    c.settle_s = 40.0;
    c.deep_s = 20.0;
    c.natural_s = 60.0;
    c.deep_ratio = 1.5f;
    c.min_settle_breaths = 4;
    c.min_natural_breaths = 6;
    c.max_tries = 3;
    return c;
}

static void start_try(bel_assess *a, double t_s)
{
    a->t_phase_s = t_s;
    a->n_depths = 0;
    a->n_breaths = 0;
    a->deepest = 0.0f;
    a->is_lost = false;
    for (int k = 0; k < 2; k++) {
        for (int j = 0; j < BEL_ASSESS_EXTREMES; j++) {
            a->deep_lo[k][j] = INFINITY;
            a->deep_hi[k][j] = -INFINITY;
        }
        a->deep_sum[k] = 0.0;
        a->deep_n[k] = 0;
    }
}

void bel_assess_init(bel_assess *a, const bel_assess_config *cfg)
{
    memset(a, 0, sizeof *a);
    a->cfg = *cfg;
    a->phase = BEL_ASSESS_SETTLE;
    a->tries = 1;
    a->relaxed_depth = NAN;
    a->deep_ratio_seen = NAN;
    a->deep_t0_s = a->deep_t1_s = NAN;
    a->natural_t0_s = a->natural_t1_s = NAN;
}

static bool is_final(const bel_assess *a)
{
    return a->phase == BEL_ASSESS_DONE || a->phase == BEL_ASSESS_FAILED;
}

/* A settling breath whose inhalation is shorter than this (0.4 of the shortest
 * relaxed cycle, BEL_RELAXED_CYCLE_MIN_S) is no relaxed breath: the phases of a heart
 * beat the breath stage follows on a belly belt until it finds the breathing under
 * them (0.4-0.5 s), which would teach a relaxed depth of the beat's size and pass an
 * ordinary breath for the deep one. Not counted in settling. */
static const float relaxed_ti_min_s = (float)(0.4 * BEL_RELAXED_CYCLE_MIN_S);

void bel_assess_note_event(bel_assess *a, const bel_event *ev)
{
    if (is_final(a) || !a->has_started || ev->t_s < a->t_phase_s) {
        return;
    }
    switch (ev->kind) {
    case BEL_EV_EXP_ONSET: /* depth of the inhalation just ended */
        if (!isfinite(ev->depth) || ev->depth <= 0.0f) {
            break;
        }
        if (a->phase == BEL_ASSESS_SETTLE && ev->ti_s < relaxed_ti_min_s) {
            break; /* no relaxed breath: it teaches nothing of the relaxed depth */
        }
        a->n_breaths++;
        if (a->n_depths < BEL_ASSESS_MAX_DEPTHS) {
            a->depths[a->n_depths++] = ev->depth;
        }
        if (ev->depth > a->deepest) {
            a->deepest = ev->depth;
        }
        break;
    case BEL_EV_SIGNAL_LOST:
        a->is_lost = true;
        break;
    default:
        break;
    }
}

static double phase_len(const bel_assess *a)
{
    switch (a->phase) {
    case BEL_ASSESS_SETTLE:
        return a->cfg.settle_s;
    case BEL_ASSESS_DEEP:
        return a->cfg.deep_s;
    case BEL_ASSESS_NATURAL:
        return a->cfg.natural_s;
    default:
        return 0.0;
    }
}

/* A deep breath (1.5 times the relaxed depth or more, from the exhaled level) moves a
 * belt from the try's mean 1.6 to 3.7 times further on the side it expands to than on
 * the other (the simulator's person, 6-20/min); breathing with no such breath in it,
 * as even as a large heart beat on it makes it, 1.0 to 1.1 times. Under this ratio the
 * try says nothing of the belt's polarity. */
static const double deep_side_ratio = 1.3;

/* Keep the BEL_ASSESS_EXTREMES most extreme values seen (sign 1: highest, -1: lowest),
 * the most extreme first. */
static void keep_extreme(float *ext, float v, float sign)
{
    int j = BEL_ASSESS_EXTREMES;
    while (j > 0 && sign * v > sign * ext[j - 1]) {
        if (j < BEL_ASSESS_EXTREMES) {
            ext[j] = ext[j - 1];
        }
        j--;
    }
    if (j < BEL_ASSESS_EXTREMES) {
        ext[j] = v;
    }
}

void bel_assess_note_sample(bel_assess *a, double t_s, float belly, float chest)
{
    if (a->phase != BEL_ASSESS_DEEP || !a->has_started || !(t_s >= a->t_phase_s) ||
        !(t_s < a->t_phase_s + phase_len(a))) {
        return;
    }
    const float v[2] = {belly, chest};
    for (int k = 0; k < 2; k++) {
        if (isfinite(v[k])) {
            keep_extreme(a->deep_lo[k], v[k], -1.0f);
            keep_extreme(a->deep_hi[k], v[k], 1.0f);
            a->deep_sum[k] += (double)v[k];
            a->deep_n[k]++;
        }
    }
}

/* Which way the deep try says belt k reads: -1 when its excursion below the mean is
 * the larger (inverted), 1 when above, by deep_side_ratio at least; 0 when neither side
 * is that much larger, or with too few samples. Its extremes are read past the few most
 * extreme samples: a deep breath holds its top for many. */
static int deep_side(const bel_assess *a, int k)
{
    if (a->deep_n[k] < BEL_ASSESS_EXTREMES) {
        return 0;
    }
    const double mean = a->deep_sum[k] / a->deep_n[k];
    const double below = mean - (double)a->deep_lo[k][BEL_ASSESS_EXTREMES - 1];
    const double above = (double)a->deep_hi[k][BEL_ASSESS_EXTREMES - 1] - mean;
    if (below > deep_side_ratio * above) {
        return -1;
    }
    return above > deep_side_ratio * below ? 1 : 0;
}

static int cmp_float(const void *x, const void *y)
{
    const float a = *(const float *)x;
    const float b = *(const float *)y;
    return (a > b) - (a < b);
}

/* Median of the try's depths (n >= 1). */
static float median_depth(bel_assess *a)
{
    float tmp[BEL_ASSESS_MAX_DEPTHS];
    const int n = a->n_depths;
    memcpy(tmp, a->depths, (size_t)n * sizeof tmp[0]);
    qsort(tmp, (size_t)n, sizeof tmp[0], cmp_float);
    return n % 2 ? tmp[n / 2] : 0.5f * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* The check at the end of the current try: WHY_NONE when it passed. */
static bel_assess_why check(bel_assess *a)
{
    if (a->is_lost) {
        return BEL_ASSESS_WHY_SIGNAL_LOST;
    }
    switch (a->phase) {
    case BEL_ASSESS_SETTLE:
        if (a->n_breaths < a->cfg.min_settle_breaths || a->n_depths == 0) {
            return BEL_ASSESS_WHY_FEW_BREATHS;
        }
        a->relaxed_depth = median_depth(a);
        return BEL_ASSESS_WHY_NONE;
    case BEL_ASSESS_DEEP:
        a->deep_ratio_seen = a->relaxed_depth > 0.0f ? a->deepest / a->relaxed_depth : NAN;
        return a->deep_ratio_seen >= a->cfg.deep_ratio ? BEL_ASSESS_WHY_NONE
                                                       : BEL_ASSESS_WHY_NOT_DEEP;
    case BEL_ASSESS_NATURAL:
        if (a->n_breaths < a->cfg.min_natural_breaths) {
            return BEL_ASSESS_WHY_FEW_BREATHS;
        }
        /* Relaxed is the fuller of the two: a belly held in through the settling
         * (found when it was let go, often at the deep breath) breathed smaller, and the
         * deep breath measured against it looked deeper than it was. */
        if (a->n_depths > 0 && median_depth(a) > a->relaxed_depth) {
            a->relaxed_depth = median_depth(a);
            a->deep_ratio_seen = a->deep_depth / a->relaxed_depth;
        }
        return BEL_ASSESS_WHY_NONE;
    default:
        return BEL_ASSESS_WHY_NONE;
    }
}

bel_assess_change bel_assess_update(bel_assess *a, double t_s)
{
    if (is_final(a) || !isfinite(t_s)) {
        return BEL_ASSESS_SAME;
    }
    if (!a->has_started) {
        a->has_started = true;
        start_try(a, t_s);
        return BEL_ASSESS_SAME;
    }
    const double t_end = a->t_phase_s + phase_len(a);
    if (t_s < t_end) {
        return BEL_ASSESS_SAME;
    }
    const int breaths = a->n_breaths;
    a->why = check(a);
    if (a->why != BEL_ASSESS_WHY_NONE) {
        a->why_breaths = breaths;
        if (a->tries >= a->cfg.max_tries) {
            a->failed_phase = a->phase;
            a->phase = BEL_ASSESS_FAILED;
            return BEL_ASSESS_GAVE_UP;
        }
        a->tries++;
        start_try(a, t_end);
        return BEL_ASSESS_AGAIN;
    }
    if (a->phase == BEL_ASSESS_DEEP) {
        a->deep_depth = a->deepest;
        a->deep_t0_s = a->t_phase_s;
        a->deep_t1_s = t_end;
        const int belly_side = deep_side(a, 0);
        a->has_deep_polarity = belly_side != 0;
        a->deep_inverted[0] = belly_side < 0;
        a->deep_inverted[1] = deep_side(a, 1) < 0;
    } else if (a->phase == BEL_ASSESS_NATURAL) {
        a->natural_t0_s = a->t_phase_s;
        a->natural_t1_s = t_end;
    }
    a->phase = (bel_assess_phase)(a->phase + 1);
    a->tries = 1;
    start_try(a, t_end);
    return BEL_ASSESS_NEXT;
}

bel_assess_phase bel_assess_get_phase(const bel_assess *a) { return a->phase; }

double bel_assess_get_remaining_s(const bel_assess *a, double t_s)
{
    if (is_final(a)) {
        return 0.0;
    }
    if (!a->has_started) {
        return phase_len(a);
    }
    const double left = a->t_phase_s + phase_len(a) - t_s;
    return left > 0.0 ? left : 0.0;
}

int bel_assess_get_try(const bel_assess *a) { return a->tries; }

float bel_assess_get_relaxed_depth(const bel_assess *a) { return a->relaxed_depth; }

float bel_assess_get_deep_ratio(const bel_assess *a) { return a->deep_ratio_seen; }

bel_assess_why bel_assess_get_why(const bel_assess *a, int *n_breaths)
{
    if (n_breaths) {
        *n_breaths = a->why_breaths;
    }
    return a->why;
}

double bel_assess_get_end_s(const bel_assess *a) { return a->natural_t1_s; }

bel_assess_phase bel_assess_get_failed_phase(const bel_assess *a) { return a->failed_phase; }

bool bel_assess_get_deep_span(const bel_assess *a, double *t0_s, double *t1_s)
{
    *t0_s = a->deep_t0_s;
    *t1_s = a->deep_t1_s;
    return isfinite(a->deep_t0_s);
}

bool bel_assess_get_deep_polarity(const bel_assess *a, bool *belly_inverted, bool *chest_inverted)
{
    *belly_inverted = a->has_deep_polarity && a->deep_inverted[0];
    *chest_inverted = a->has_deep_polarity && a->deep_inverted[1];
    return a->has_deep_polarity;
}

const char *bel_assess_phase_name(bel_assess_phase p)
{
    static const char *const names[] = {"settle", "deep breath", "natural breathing", "done",
                                        "failed"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

const char *bel_assess_phase_prompt(bel_assess_phase p)
{
    static const char *const prompts[] = {
        "Settle: sit comfortably and breathe naturally.",
        "Now one slow, deep breath into the belly; then let it go.",
        "Breathe naturally again.",
        "Done: thank you.",
        "The assessment could not be completed.",
    };
    return (unsigned)p < sizeof prompts / sizeof prompts[0] ? prompts[p] : "";
}
