/* sim.h - the built-in simulated belt: belly (and optional chest) breathing in ADC counts.
 *
 * A physiological toy model good enough to exercise everything downstream:
 * breath-to-breath variation of rate and depth, sighs, slow sensor creep,
 * cardiac ripple, noise, spikes, ADC quantisation and clipping at the rails,
 * and scripted episodes (belly held in, breath holds, posture shifts, talking).
 * It also reports the truth (true onsets and episode boundaries) so tests can
 * score the pipeline without any recording. Deterministic by seed; pure (no I/O).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SIM_H
#define BELLOWS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/event.h"
#include "bellows/sample.h"
#include "bellows/status.h"

typedef enum bel_sim_episode_kind {
    BEL_SIM_HOLDIN = 0,  /**< belly pulled in, breathing moves up into the chest */
    BEL_SIM_BREATH_HOLD, /**< no breathing */
    BEL_SIM_POSTURE,     /**< baseline step of both belts, same breathing */
    BEL_SIM_TALK,        /**< irregular speech breathing */
    BEL_SIM_DEEP,        /**< slow deep breaths, as asked in an assessment */
    BEL_SIM_STARTUP,     /**< the belt put on: 0.5 s of zeros, then its level settles from
                              afar over the duration */
    BEL_SIM_RETIGHTEN,   /**< the belly belt re-tightened: a fast step (0.1 s) that stays */
    BEL_SIM_UNPLUG,      /**< the cable pulled: no samples for the duration (the next one
                              says how many were missed) */
} bel_sim_episode_kind;

typedef struct bel_sim_episode {
    bel_sim_episode_kind kind;
    double t_start_s;
    double
        duration_s; /**< POSTURE: the step stays until another POSTURE episode; duration ignored */
    float amount;   /**< HOLDIN: pull-in in relaxed belly depths (0.8..2.5);
                         POSTURE: baseline step in relaxed depths (signed);
                         BREATH_HOLD: 1 = held after an inhale, 0 = after an exhale;
                         DEEP: breath depth in relaxed depths (1.2..5);
                         STARTUP: how far the level starts from where it settles, in
                         relaxed depths (signed, -20..20);
                         RETIGHTEN: the step in relaxed depths (signed, -20..20) */
} bel_sim_episode;

enum { BEL_SIM_MAX_EPISODES = 32 };

typedef struct bel_sim_config {
    uint64_t seed;
    double fs_hz;               /**< sample rate, 5..1000 Hz (default 50) */
    double duration_s;          /**< 0 for endless */
    bool chest;                 /**< also simulate a chest belt on channel 1 */
    float rate_bpm;             /**< mean breathing rate, 3..40 (default 14) */
    float rate_jitter;          /**< relative breath-to-breath variation of duration (0.1) */
    float depth_counts;         /**< relaxed belly breath depth in ADC counts (default 120) */
    float sigh_per_min;         /**< sighs (deep breaths) per minute (0.3) */
    float creep_counts_per_min; /**< slow sensor creep (5) */
    float noise_counts;         /**< rms white noise (1.0) */
    float cardiac_counts;       /**< cardiac ripple amplitude (1.5) */
    float spikes_per_min;       /**< single-sample spikes (0.2) */
    int adc_bits;               /**< ADC resolution; values clip at 0 and 2^bits - 1 (default 10) */
    float pace_s[4];            /**< paced breathing in, hold, out, hold seconds; all 0 = free */
    double script_period_s;     /**< > 0: the episode script repeats with this period */
    int n_episodes;
    bel_sim_episode episodes[BEL_SIM_MAX_EPISODES];
} bel_sim_config;

typedef struct bel_sim bel_sim;

/** Defaults: 50 Hz, endless, belly only, 14/min, no episodes. Call from: any thread. */
bel_sim_config bel_sim_config_default(void);

/** Add the demo script (hold-in, breath hold, posture shift, repeating every
 *  few minutes) to cfg. Call from: any thread. */
void bel_sim_config_demo_script(bel_sim_config *cfg);

/** Parse an episode script such as
 *  "holdin@60+30:1.5,hold@120+15,posture@200:-1,talk@250+20,deep@300+12:2.5",
 *  or, handling the belt, "startup@0+8:5,retighten@90:3,unplug@150+4"
 *  (kind@start_s+duration_s[:amount], comma separated) into cfg->episodes.
 *  On BEL_ERR_FORMAT, err (if not NULL) gets a message naming the bad item.
 *  Call from: any thread. */
BEL_NODISCARD bel_status bel_sim_parse_script(const char *text, bel_sim_config *cfg, char *err,
                                              size_t err_len);

/** Make a simulator; copies cfg. *out NULL on failure. Call from: setup only. */
BEL_NODISCARD bel_status bel_sim_create(const bel_sim_config *cfg, bel_sim **out);

/** Free. NULL is fine. */
void bel_sim_destroy(bel_sim *sim);

/** Number of channels (1, or 2 with a chest belt). */
int bel_sim_channel_count(const bel_sim *sim);

/** Name of channel ch: "belly" or "chest". */
const char *bel_sim_channel_name(const bel_sim *sim, int ch);

/** Produce the next sample (t_s = index / fs_hz). Returns 1, or 0 once
 *  duration_s is reached. Call from: one thread. Real-time safe. */
int bel_sim_next(bel_sim *sim, bel_sample *out);

/** Take the truth events (insp_onset, exp_onset, holdin_start/end,
 *  breath_hold_start/end) whose time has been passed by the samples produced
 *  so far, in time order; t_detect_s = t_s. Returns the number written (<= max). */
int bel_sim_take_truth(bel_sim *sim, bel_event *out, int max);

#endif
