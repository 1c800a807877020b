/* breath.h - causal breath turning-point detector (the pipeline's breath stage).
 *
 * Input: the conditioned belly signal (despiked, expansion up), one sample at a
 * time. Output: confirmed turning points, troughs (start of inhalation) and
 * peaks (start of exhalation), each with the time of the turning point in the
 * signal and the time at which it was confirmed.
 *
 * Method: a low-passed copy of the signal drives a hysteresis state machine
 * whose thresholds scale with the recent breath depth (so any gain or offset
 * works, and ripple or noise smaller than a fraction of a breath never makes
 * a breath). A turning point is confirmed once the signal has reversed by a
 * small fraction of the depth after an excursion of a larger fraction. Its time
 * is then refined on a lightly smoothed history of the signal: the extremum, or,
 * after a flat hold or pause, the end of the flat part (where the movement
 * begins). When the signal carries strong ripple (many small wiggles per
 * breath, typically the heart beat on impedance or chest signals), detection
 * moves to a lower cutoff: a little more latency, no heart beats counted.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_BREATH_H
#define BELLOWS_BREATH_H

#include <stdbool.h>
#include <stdint.h>

#include "bellows/status.h"

/** A breath cycle shorter than this (over 30 a minute) is no relaxed breathing. With
 *  one belt the first "breaths" found may be the phases of a heart beat as large as the
 *  breath, until the breath stage finds the breathing under them (bel_breath_get_beats_found):
 *  such cycles teach the hold-in stage and an assessment's settling nothing, and the
 *  summary leaves them out when they were all there was. */
#define BEL_RELAXED_CYCLE_MIN_S 2.0

typedef struct bel_breath_config {
    double fs_hz;             /**< sample rate, 5..2000 Hz */
    double lowpass_hz;        /**< detection low-pass cutoff on a clean signal (default 1.8 Hz) */
    double ripple_lowpass_hz; /**< cutoff used while ripple is strong (default 0.5 Hz) */
    double ripple_on;         /**< ripple mode when the fast signal reverses this many times as
                                   often as the slow one (default 1.3) */
    double ripple_off;        /**< back to the clean cutoff below this ratio (default 1.0) */
    float wiggle_frac;        /**< reversals smaller than this x depth are not counted (0.12) */
    float excursion_frac;     /**< least excursion between turning points, x reference depth */
    float confirm_frac;       /**< reversal that confirms a turning point, x reference depth */
    float noise_mult;         /**< the reversal is also at least this many noise sigmas */
    double min_phase_s;       /**< shortest inhalation or exhalation (default 0.25 s) */
    double hold_min_s;    /**< a flat extremum clipped at a rail longer than this is timed at its
                             middle */
    double peak_hold_s;   /**< a peak whose flat top lasts this long is timed at its end (a hold) */
    double trough_hold_s; /**< the same for troughs (end-expiratory pauses are common: 0) */
    float hold_frac;      /**< a peak is left once the signal is this x depth below it */
    float trough_hold_frac; /**< the same for troughs */
    double smooth_s;        /**< half-width of the smoothing used to time turning points */
    double history_s;       /**< history kept to time turning points (default 30 s) */
    int now_lead;           /**< samples the input now (bel_breath_process_now) leads x by:
                                 the despiking median's delay (default 2, 0..64) */
    bool is_one_belt;       /**< the input is one belt alone, no other to weigh the breath
                                 against: a periodic movement (0.5-1.5 s) the detector follows
                                 is checked for slower breathing under it (default true) */
} bel_breath_config;

/** A confirmed turning point. */
typedef struct bel_breath_point {
    bool is_peak;      /**< true: peak (exp_onset); false: trough (insp_onset) */
    double t_s;        /**< time of the turning point in the signal */
    double t_detect_s; /**< time of the sample that confirmed it */
    float value;       /**< smoothed signal value at the turning point */
    float excursion;   /**< size of the movement that led to it (signal units, > 0) */
    float move_s;      /**< how long that movement took from 10 % to 90 % of the way, pauses
                            and holds left out (NAN for the first point) */
    float cycle_skew;  /**< skewness of the whole breath cycle that ends here (from the
                            turning point of the same kind before), drift removed; > 0
                            when expansion reads up (NAN until two cycles, and at
                            peaks: made at troughs only) */
} bel_breath_point;

typedef struct bel_breath bel_breath;

/** Defaults for fs_hz. Call from: any thread. */
bel_breath_config bel_breath_config_default(double fs_hz);

/** Make a detector; copies cfg. BEL_ERR_ARG, BEL_ERR_NOMEM. Call from: setup. */
BEL_NODISCARD bel_status bel_breath_create(const bel_breath_config *cfg, bel_breath **out);

/** Free. NULL is fine. */
void bel_breath_destroy(bel_breath *b);

/** Forget the signal (after a long gap); keeps the learnt depth.
 *  Call from: the owning thread. Real-time safe. */
void bel_breath_reset(bel_breath *b);

/** Feed one sample x at t_s. Returns 1 and fills *pt when a turning point is
 *  confirmed by this sample, else 0. Call from: the owning thread. Real-time
 *  safe (bounded by the history length). */
int bel_breath_process(bel_breath *b, double t_s, float x, bel_breath_point *pt);

/** bel_breath_process, also given x_now: the same input as it reads now,
 *  cfg.now_lead samples after x (the despiking median's delay; x stands for
 *  t_s), not despiked. The looks for a turn are made on it, kept within
 *  reach of x (no farther than the signal moves in that delay, so a spike or
 *  a step moves it no more than breathing could) and against margins that
 *  allow for its extra noise: a turn is confirmed up to that delay sooner,
 *  and timed on x as before. A stage takes x_now from its first sample after
 *  a reset on (bel_breath_process alone, and it takes none until the next
 *  reset); a NAN x_now stands for x. Call from: the owning thread. Real-time
 *  safe. */
int bel_breath_process_now(bel_breath *b, double t_s, float x, float x_now, bel_breath_point *pt);

/** The low-passed detection signal after the latest sample. */
float bel_breath_get_smoothed(const bel_breath *b);

/** Current reference depth (signal units), 0 until known. */
float bel_breath_get_reference_depth(const bel_breath *b);

/** Estimated noise standard deviation of the input (signal units). */
float bel_breath_get_noise(const bel_breath *b);

/** True while the detector is between a trough and a peak (inhaling). */
bool bel_breath_is_inhaling(const bel_breath *b);

/** Times the detector started again at a discontinuity (a belt put on or
 *  re-tightened, a first move off a rail or leading zeros): it then forgets
 *  the signal, its scale and its noise. Call from: the owning thread. */
uint32_t bel_breath_get_restarts(const bel_breath *b);

/** Times the detector, with one belt in effect, found that the turns it
 *  followed (at over 30 a minute) were a heart beat's, and found the breathing
 *  under them: the breaths it gave before were the beat's phases. Call from:
 *  the owning thread. */
uint32_t bel_breath_get_beats_found(const bel_breath *b);

/** Breathing has stopped (a breath hold, judged by the hold-in stage): while
 *  still, the reference depth is kept instead of decaying, so the ripple and
 *  drift of a long hold are not taken for the next breath. Call from: the
 *  owning thread. */
void bel_breath_set_still(bel_breath *b, bool still);

/** Whether the input is, in effect, one belt alone (bel_breath_config.is_one_belt):
 *  with two belts, while the mix gives the other next to no weight (it is loose
 *  or not yet weighed). Call from: the owning thread. */
void bel_breath_set_one_belt(bel_breath *b, bool one);

/** The breaths from now are smaller (the belly pulled in, judged by the
 *  hold-in stage): the depths learnt are scaled by frac (0 < frac < 1) and
 *  fade on from there while no breath is found, and the movement in progress
 *  (the drop) is learnt as no depth. The depths as they were are kept:
 *  breaths of their size again (the belly let go) bring them back. Nothing
 *  before a scale is learnt. Call from: the owning thread. */
void bel_breath_forget_scale(bel_breath *b, double frac);

/** The input's sign was wrong: carry on as if every sample so far had been
 *  negated (history, filters, state; a rise in progress becomes a fall). The
 *  learnt depth and noise stay. Call from: the owning thread. Real-time safe
 *  (bounded by the history length). */
void bel_breath_negate(bel_breath *b);

#endif
