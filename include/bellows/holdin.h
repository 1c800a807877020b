/* holdin.h - causal detector of a held-in belly ("sucking in") and of breath holds.
 *
 * Input: the conditioned belly signal (despiked, expansion up) and, with a chest
 * belt, the conditioned chest signal, one sample at a time, plus the belly's
 * confirmed breath turning points from the breath stage.
 *
 * Hold-in: the belly's level falls quickly below its relaxed end-expiratory
 * level (by drop_frac x its relaxed breath depth), and while it stays down
 * breathing goes on with the belly's part of it small (its inhalations under
 * keep_max x relaxed depth). With a chest belt the chest must carry the breathing:
 * belly share of the breath under share_drop x the relaxed share. A full-depth
 * belly breath at the lower level means the wearer moved (posture): the relaxed
 * level is relearnt there and nothing is reported. No movement at all is a
 * breath hold, not a hold-in. The start event is stamped with the time the drop
 * began; it is known (t_detect_s) once a breath has shown the pattern.
 *
 * Breath hold: both belts still (within a window of half a breath period,
 * 2..8 s, the belly moves less than still_frac x its relaxed depth and the
 * chest less than half its relaxed breath, or than twice their noise: a slow
 * creep is not breathing, a chest belt's heart beat is not either, a tiny
 * breath with the belly held in is) for
 * breath_hold_periods of the wearer's recent breath period, bounded to
 * breath_hold_min_s..breath_hold_s, counted from the start of the first still
 * window. breath_hold_start is stamped where breathing stopped (half a second
 * into that window: the end of an exhalation settles into it), and known
 * (t_detect) at that decision; breath_hold_end when either belt moves again.
 *
 * The relaxed level and depths are learnt as breathing goes on (from the
 * first four breaths, with one belt of 2 s or longer, tracking slow creep),
 * or start from a calibration made by an assessment. All signals run through
 * a light low-pass and are examined at 10 Hz; work per sample is bounded and
 * nothing is allocated after create.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_HOLDIN_H
#define BELLOWS_HOLDIN_H

#include <stdbool.h>
#include <stdint.h>

#include "bellows/breath.h"
#include "bellows/event.h"
#include "bellows/status.h"

/** Most events one call of bel_holdin_process can yield. */
enum { BEL_HOLDIN_MAX_EVENTS = 2 };

typedef struct bel_holdin_config {
    double fs_hz;         /**< sample rate, 5..2000 Hz (default 50) */
    float drop_frac;      /**< level this x relaxed depth below relaxed starts a candidate (0.5) */
    float keep_max;       /**< belly inhalations under this x relaxed depth while held in (0.6) */
    float share_drop;     /**< chest belt: belly share under this x relaxed share (0.65) */
    float chest_min;      /**< chest belt: chest inhalation at least this x its relaxed depth
                               shows breathing goes on (0.5) */
    float release_frac;   /**< a candidate back above relaxed - this x depth is dropped (0.25) */
    float end_frac;       /**< held in ends once the level stays above relaxed - this x depth
                               (0.45) */
    double confirm_min_s; /**< least time from the drop to a hold-in (1.5 s) */
    double candidate_max_s;     /**< a drop without the hold-in pattern is dropped after (30 s) */
    double fast_s;              /**< the drop must happen within this time (5 s): creep does not */
    double level_tau_s;         /**< time constant of the relaxed level's tracking (20 s) */
    double breath_hold_s;       /**< stillness this long is always a breath hold (10 s, 4..40) */
    double breath_hold_min_s;   /**< ... and never one when shorter than this (6 s, 4..40) */
    double breath_hold_periods; /**< between them: this many recent breath periods (1.5) */
    float still_frac; /**< still: the belly moves less than this x its relaxed depth (0.08) */
} bel_holdin_config;

/** The range of breath_hold_s and breath_hold_min_s, in seconds. */
#define BEL_HOLDIN_BREATH_HOLD_MIN_S 4.0
#define BEL_HOLDIN_BREATH_HOLD_MAX_S 40.0

/** What an assessment learnt. Levels and depths are in sign-corrected raw units
 *  (after the polarity below is applied). */
typedef struct bel_holdin_calibration {
    bool is_valid;       /**< false: learn everything while running */
    bool belly_inverted; /**< the belly belt reads smaller on expansion */
    bool chest_inverted; /**< the chest belt reads smaller on expansion */
    float belly_level;   /**< relaxed end-expiratory belly level */
    float belly_depth;   /**< relaxed belly breath depth (> 0) */
    float chest_level;   /**< relaxed end-expiratory chest level (NAN: no chest) */
    float chest_depth;   /**< relaxed chest breath depth (NAN: no chest) */
    float chest_gain;    /**< belly-belt units per chest-belt unit for the same volume (1) */
    float belly_share;   /**< relaxed belly share of the breath, 0..1 (NAN: unknown) */
} bel_holdin_calibration;

/** Live values; NAN while unknown. */
typedef struct bel_holdin_state {
    bool is_holding_in;
    bool is_breath_hold;
    bool is_armed;             /**< relaxed level and depth known: detection is on */
    float relaxed_level;       /**< belly relaxed end-expiratory level */
    float relaxed_depth;       /**< belly relaxed breath depth */
    float chest_depth;         /**< chest relaxed breath depth */
    float belly_share;         /**< belly part of the latest breath, 0..1 (chest belt only) */
    float relaxed_share;       /**< relaxed belly share, 0..1 */
    float phase_lag_s;         /**< chest minus belly timing by cross-correlation (> 0: chest
                                    later) */
    float phase_deg;           /**< the same in degrees of the breath cycle */
    double time_held_in_s;     /**< total time held in, between the events' stamps */
    double time_breath_hold_s; /**< total time in breath holds, from the start's stamp */
    unsigned n_holdins;
    unsigned n_breath_holds;
} bel_holdin_state;

typedef struct bel_holdin bel_holdin;

/** Defaults for fs_hz (values above). Call from: any thread. */
bel_holdin_config bel_holdin_config_default(double fs_hz);

/** A calibration that says nothing (is_valid false). Call from: any thread. */
bel_holdin_calibration bel_holdin_calibration_none(void);

/** Make a detector; copies cfg and cal (cal may be NULL). has_chest: a chest
 *  signal will be given. BEL_ERR_ARG for out-of-range settings, BEL_ERR_NOMEM.
 *  Call from: setup only (allocates). */
BEL_NODISCARD bel_status bel_holdin_create(const bel_holdin_config *cfg,
                                           const bel_holdin_calibration *cal, bool has_chest,
                                           bel_holdin **out);

/** Free. NULL is fine. Call from: setup/teardown. */
void bel_holdin_destroy(bel_holdin *h);

/** Forget the signal after a gap (ends episodes silently); keeps what was learnt.
 *  Call from: the owning thread. Real-time safe. */
void bel_holdin_reset(bel_holdin *h);

/** Forget what was learnt from the signal (relaxed level, depths, share): the
 *  belts' polarity was revised. A calibration's values stay.
 *  Call from: the owning thread. Real-time safe. */
void bel_holdin_relearn(bel_holdin *h);

/** Forget the relaxed level only (a step in the belt moved it); depths stay.
 *  Call from: the owning thread. Real-time safe. */
void bel_holdin_relearn_level(bel_holdin *h);

/** The belly's (low-passed) extreme value near t_s: the largest (is_peak) or
 *  smallest within -0.3..+0.6 s of it, from the detector's 10 Hz history; NAN
 *  when that time is not held. Call from: the owning thread. Real-time safe. */
float bel_holdin_belly_near(const bel_holdin *h, double t_s, bool is_peak);

/** The belly's and the chest's (low-passed) values at t_s, the filter's
 *  delay taken into account, from the 10 Hz history; false (and NAN) when that
 *  time is not held. chest is NAN without a chest belt.
 *  Call from: the owning thread. Real-time safe. */
bool bel_holdin_values_at(const bel_holdin *h, double t_s, float *belly, float *chest);

/** How many 10 Hz steps the detector has taken since its reset (a reset starts
 *  again at 0): a new one since the last call means new low-passed values.
 *  Call from: the owning thread. Real-time safe. */
int64_t bel_holdin_get_steps(const bel_holdin *h);

/** The newest step's low-passed belly and chest (0 without a chest belt); NAN
 *  before the first step. Call from: the owning thread. Real-time safe. */
void bel_holdin_get_newest(const bel_holdin *h, float *belly, float *chest);

/** The chest belt's polarity was revised: negate its history and state.
 *  Call from: the owning thread. Real-time safe. */
void bel_holdin_negate_chest(bel_holdin *h);

/** The belly belt's polarity was revised: negate its history and state (the
 *  relaxed state is for bel_holdin_relearn). Call from: the owning thread.
 *  Real-time safe. */
void bel_holdin_negate_belly(bel_holdin *h);

/** Tell the detector about a breath turning point (from the breath stage), after
 *  the bel_holdin_process call of the sample that confirmed it.
 *  Call from: the owning thread. Real-time safe (bounded work). */
void bel_holdin_push_breath(bel_holdin *h, const bel_breath_point *pt);

/** Feed one sample: t_s (not decreasing), belly and chest (NAN or ignored
 *  without a chest belt) conditioned values. Writes up to max_out events
 *  (BEL_HOLDIN_MAX_EVENTS is enough) and returns how many.
 *  Call from: the owning thread. Real-time safe (bounded work, no allocation). */
int bel_holdin_process(bel_holdin *h, double t_s, float belly, float chest, bel_event *out,
                       int max_out);

/** Whether a breath hold is on (the same as the state's is_breath_hold, without
 *  copying it). Call from: the owning thread. */
bool bel_holdin_is_breath_hold(const bel_holdin *h);

/** A hold-in seen only when the belly was let go, as bel_holdin_push_breath judged it
 *  (at a trough some breaths after): its start and end events, stamped where the belly
 *  went in and came back up and detected at t_detect_s, into out once (max_out at least
 *  2); returns 2, or 0 when none is owed. Its time is in the state's time_held_in_s and
 *  n_holdins from the judgement on. Call from: the owning thread. */
int bel_holdin_take_past(bel_holdin *h, double t_detect_s, bel_event *out, int max_out);

/** Whether a hold-in is on (the state's is_holding_in). Call from: the owning thread. */
bool bel_holdin_is_holding_in(const bel_holdin *h);

/** Copy the live values. Call from: the owning thread. */
void bel_holdin_get_state(const bel_holdin *h, bel_holdin_state *out);

#endif
