/* pacer.h - the breathing pacer: a target pattern (in, hold, out, hold) and how closely the breath
 * follows it.
 *
 * Pure and clock-free: time comes in as an argument (seconds on any steady
 * clock, normally the signal's t_s), so the same calls always give the same
 * states. The pattern advances by the time between calls; pace changes keep
 * the position within the current phase, so the guide never jumps.
 *
 * Following score: every breath onset the pipeline reports (insp_onset,
 * exp_onset) is compared with the nearest matching pacer phase start. With
 * phi = 2 pi (t_breath - t_pacer) / period, the score is the mean of cos(phi),
 * clamped to 0..1: 1 when the breath turns with the pacer, 0 when it is a
 * quarter cycle or more off or drifts freely (the cosines average out).
 *
 * Which way round: each onset is also matched against the other phase's starts
 * (an inhalation onset against the starts of OUT), as it would be with the belts
 * read the other way round. A person who follows the pacer while the belt reads
 * smaller on expansion turns with it the other way: every exhalation found where
 * the pacer says breathe in. That is an absolute cue to the belt's polarity,
 * which the breath's shape alone is not (is_turned_round); one who follows it as
 * the belts read confirms them (is_as_worn).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PACER_H
#define BELLOWS_PACER_H

#include <stdbool.h>
#include <stdint.h>

#include "bellows/event.h"
#include "bellows/status.h"

/** Pacer patterns. */
typedef enum bel_pacer_preset {
    BEL_PACER_RESONANCE = 0, /**< 6/min: 4 s in, 6 s out */
    BEL_PACER_BOX,           /**< 4 in, 4 hold, 4 out, 4 hold */
    BEL_PACER_478,           /**< 4 in, 7 hold, 8 out */
    BEL_PACER_EVEN,          /**< 5 in, 5 out */
    BEL_PACER_CUSTOM,        /**< phase_s from the config */
    BEL_PACER_ADAPTIVE,      /**< the person's own rate, slowing gradually to target_bpm */
    BEL_PACER_PRESET_COUNT
} bel_pacer_preset;

/** Phases of the pattern, in order. */
typedef enum bel_pacer_phase {
    BEL_PACER_IN = 0,   /**< breathe in: the guide grows */
    BEL_PACER_HOLD_IN,  /**< hold after the inhale: the guide rests, full */
    BEL_PACER_OUT,      /**< breathe out: the guide shrinks */
    BEL_PACER_HOLD_OUT, /**< rest after the exhale: the guide rests, small */
    BEL_PACER_PHASE_COUNT
} bel_pacer_phase;

typedef struct bel_pacer_config {
    bel_pacer_preset preset;
    float phase_s[BEL_PACER_PHASE_COUNT]; /**< CUSTOM: in, hold, out, hold seconds (in and out
                                               > 0, each 0..60) */
    float start_bpm;     /**< ADAPTIVE: rate until the person's own rate is known (default 12) */
    float target_bpm;    /**< ADAPTIVE: slowest rate it leads to, 3..30 (default 6) */
    float step_bpm;      /**< ADAPTIVE: slowing per step, breaths/min (default 0.5) */
    double step_every_s; /**< ADAPTIVE: seconds of calm pacing between steps (default 120) */
    float in_fraction;   /**< ADAPTIVE: share of the cycle spent breathing in (default 0.4) */
    float score_weight;  /**< weight of each breath onset in the live score, 0..1 (default 0.25) */
} bel_pacer_config;

/** What the guide shows now. */
typedef struct bel_pacer_state {
    bel_pacer_phase phase;
    float progress;       /**< 0..1 through the current phase */
    float countdown_s;    /**< seconds left in the current phase */
    float size;           /**< 0..1 size of the guide: eased growth on IN, 1 on HOLD_IN,
                               eased shrink on OUT, 0 on HOLD_OUT */
    float rate_bpm;       /**< the pattern's rate now, cycles per minute */
    float phase_s;        /**< length of the current phase */
    uint32_t phase_seq;   /**< increases by one at every phase change (for cues) */
    bool is_paused;       /**< time does not advance the pattern */
    bool is_holding_back; /**< ADAPTIVE: slowing suspended (belly held in) */
} bel_pacer_state;

/** How closely the breath follows the pacer. */
typedef struct bel_pacer_follow {
    float score;          /**< live score 0..1 over recent onsets; NAN before the first */
    float lag_s;          /**< live mean lag of the breath behind the pacer, s (negative: ahead) */
    float session_score;  /**< the same over the whole session; NAN before the first onset */
    uint32_t n_onsets;    /**< onsets scored this session */
    bool is_turned_round; /**< the last 8 onsets (at least 3 of each kind, each kind once a
                               cycle: 0.75-1.33 of it apart on average) follow the pacer
                               read the other way round: 7 or more from min(1.5 s, 0.15
                               cycle) before to min(2 s, 0.2 cycle) after the other phase's
                               start, those of each kind within 1.5 s of each other, and at
                               most one so near its own */
    bool is_as_worn;      /**< the same, following the pacer as the belts read now: 7 or
                               more of the last 8 near their own phase's start, at most
                               one near the other's. Which way the belts read is then
                               known, whatever the breath's shape (a pace held at the top
                               and not at the bottom, 4-8-4, has the shape of a natural
                               breath read the other way round) */
} bel_pacer_follow;

typedef struct bel_pacer bel_pacer;

/** Defaults: resonance 6/min; adaptive settings 12 -> 6/min, 0.5/min every 120 s.
 *  Call from: any thread. */
bel_pacer_config bel_pacer_config_default(void);

/** Short name of a preset ("resonance", "box", "4-7-8", "even", "custom", "adaptive"),
 *  "unknown" if out of range. Call from: any thread. */
const char *bel_pacer_preset_name(bel_pacer_preset preset);

/** Preset named `name` (as above; "478" also works), or -1. Call from: any thread. */
int bel_pacer_preset_from_name(const char *name);

/** The pacer `name` names, as --pacer takes it: a preset's name (as above; NULL is
 *  resonance) or "custom:IN-HOLD-OUT-HOLD" in seconds (custom:4-2-6-0; in and out
 *  0.5..60, holds 0..60). Returns its preset, with the phases (in, hold, out, hold
 *  seconds) in phase_s for a fixed or custom one (ADAPTIVE leaves phase_s alone);
 *  -1 if it names none ("custom" alone included). Call from: any thread. */
int bel_pacer_from_name(const char *name, float phase_s[BEL_PACER_PHASE_COUNT]);

/** True if `name` (as bel_pacer_from_name takes it) names a pacer whose pattern is
 *  fixed (a preset other than adaptive, or custom), with its phases in phase_s; false
 *  (phase_s left alone) for adaptive or a name that names none. Call from: any thread. */
bool bel_pacer_fixed_phases(const char *name, float phase_s[BEL_PACER_PHASE_COUNT]);

/** Word shown for a phase: "breathe in", "hold", "breathe out", "rest". */
const char *bel_pacer_phase_word(bel_pacer_phase phase);

/** Make a pacer; copies cfg. It starts at the beginning of IN at the first update.
 *  BEL_ERR_ARG for out-of-range settings, BEL_ERR_NOMEM. *out NULL on failure.
 *  Call from: setup only (allocates). */
BEL_NODISCARD bel_status bel_pacer_create(const bel_pacer_config *cfg, bel_pacer **out);

/** Free. NULL is fine. */
void bel_pacer_destroy(bel_pacer *p);

/** Advance to time t_s (seconds, must not go backwards; a jump longer than a cycle
 *  only moves the pattern by the remainder) and report the state in *out (may be NULL).
 *  Call from: one thread. Real-time safe. */
void bel_pacer_update(bel_pacer *p, double t_s, bel_pacer_state *out);

/** Pause or resume: while paused, time does not advance the pattern or the
 *  adaptive schedule, and onsets are not scored. Call from: the updating thread. */
void bel_pacer_set_paused(bel_pacer *p, bool paused);

/** Change the pace by delta_bpm cycles/min (arrow keys), within 2..30/min. The
 *  pattern keeps its proportions; ADAPTIVE moves its current rate and its target.
 *  Call from: the updating thread. */
void bel_pacer_change_rate(bel_pacer *p, float delta_bpm);

/** ADAPTIVE: the person's own rate (breaths/min, NAN while unknown). The first
 *  finite value after create or bel_pacer_restart sets the starting pace (at
 *  least the target, at most 20/min). Other presets ignore it.
 *  Call from: the updating thread. */
void bel_pacer_set_own_rate(bel_pacer *p, float rate_bpm);

/** ADAPTIVE: while the belly is held in, the pace stops slowing.
 *  Call from: the updating thread. */
void bel_pacer_set_holdin(bel_pacer *p, bool held_in);

/** Start over (re-assessment): the pattern restarts at IN at the next update,
 *  ADAPTIVE forgets the own rate; the session score is kept.
 *  Call from: the updating thread. */
void bel_pacer_restart(bel_pacer *p);

/** Score a pipeline event against the pattern (insp_onset against the starts of
 *  IN, exp_onset against the starts of OUT; other kinds are ignored, as are
 *  onsets while paused or older than the remembered pacer history, about 16 cycles).
 *  Call after bel_pacer_update has reached the event's detection time.
 *  Call from: the updating thread. Real-time safe. */
void bel_pacer_note_event(bel_pacer *p, const bel_event *ev);

/** The belts are read the other way round from now (the breathing, the person or
 *  is_turned_round turned them): every onset noted so far was of the other kind, so
 *  the scores and is_turned_round become what they would have been.
 *  Call from: the updating thread. */
void bel_pacer_turn_round(bel_pacer *p);

/** The following score. Call from: the updating thread. */
void bel_pacer_get_follow(const bel_pacer *p, bel_pacer_follow *out);

#endif
