/* tone.h - tone synthesis: a breath tone that follows the belly, soft pacer cues, a hold-in cue.
 *
 * Two parts. bel_tone_params is a block of _Atomic fields that any thread
 * writes (the app: expansion, switches, volume, cue requests) and the audio
 * callback reads. bel_tone is the synthesiser the callback runs: pure, no
 * allocation after create, no locks. Every parameter the callback reads is
 * ramped (one-pole, ramp_s), so switching, muting, volume and pitch changes
 * never click; cues start at zero phase under a raised-cosine attack.
 *
 * Sounds (defaults): breath tone a soft sine at 165 Hz rising half an octave
 * with full expansion, brighter (second harmonic) as it rises; cues are
 * sines with a gentle attack and a long decay: C5 (523 Hz) at "breathe in",
 * G4 (392 Hz) at a hold, E4 (330 Hz) at "breathe out"; the hold-in cue is a
 * rising pair D4 then A4, played at most once per 20 s; the breath-hold cue a soft
 * falling pair A4 then E4 ("let the breath go"), also at most once per 20 s.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_TONE_H
#define BELLOWS_TONE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bellows/pacer.h"
#include "bellows/status.h"

/** Kinds of cue. */
typedef enum bel_tone_cue {
    BEL_TONE_CUE_IN = 0,      /**< pacer: breathe in */
    BEL_TONE_CUE_HOLD,        /**< pacer: hold (either hold) */
    BEL_TONE_CUE_OUT,         /**< pacer: breathe out */
    BEL_TONE_CUE_HOLDIN,      /**< the belly is held in: "let it soften" */
    BEL_TONE_CUE_BREATH_HOLD, /**< the breath is held (not asked by the pacer): "let it flow" */
    BEL_TONE_CUE_COUNT
} bel_tone_cue;

/** Parameters shared with the audio callback. Initialise with bel_tone_params_init
 *  before the callback starts; then write through the setters from any one thread. */
typedef struct bel_tone_params {
    _Atomic float volume;                              /**< master, 0..1 */
    _Atomic bool is_muted;                             /**< all sound off (ramped) */
    _Atomic bool is_breath_on;                         /**< breath tone on */
    _Atomic bool is_cues_on;                           /**< pacer cues on */
    _Atomic bool is_holdin_cue_on;                     /**< hold-in cue on */
    _Atomic bool is_hold_cue_on;                       /**< breath-hold cue on */
    _Atomic float expansion;                           /**< belly expansion 0..1 */
    _Atomic uint32_t cue_requests[BEL_TONE_CUE_COUNT]; /**< bumped once per requested cue */
} bel_tone_params;

typedef struct bel_tone_config {
    double fs_hz;                     /**< output sample rate, 8000..192000 */
    float breath_hz;                  /**< breath tone pitch at no expansion (165) */
    float breath_octaves;             /**< rise at full expansion, octaves (0.5) */
    float breath_amp;                 /**< breath tone peak amplitude (0.12) */
    float cue_hz[BEL_TONE_CUE_COUNT]; /**< pitch of each cue (holdin: the first note) */
    float holdin_second_hz;           /**< second note of the hold-in cue (440) */
    float hold_second_hz;             /**< second note of the breath-hold cue (329.63) */
    float holdin_gap_s;               /**< start of the second note after the first (0.35) */
    float cue_amp;                    /**< cue peak amplitude (0.22) */
    float cue_attack_s;               /**< raised-cosine attack (0.015) */
    float cue_decay_s;                /**< exponential decay time constant (0.25) */
    float cue_len_s;                  /**< cue length; the last 20 % fades linearly to 0 (0.9) */
    float ramp_s;                     /**< parameter ramp time constant (0.02) */
    float holdin_min_interval_s;      /**< hold-in cues closer than this are skipped (20); the
                                           same for breath-hold cues */
} bel_tone_config;

typedef struct bel_tone bel_tone;

/** Defaults (see the file comment) for output rate fs_hz. Call from: any thread. */
bel_tone_config bel_tone_config_default(double fs_hz);

/** Defaults: volume 0.7, not muted, everything on, expansion 0, no cues.
 *  Call from: setup, before the audio callback can run. */
void bel_tone_params_init(bel_tone_params *params);

/** True when every atomic field is lock-free (required in the callback).
 *  Call from: setup. */
bool bel_tone_params_is_lock_free(const bel_tone_params *params);

/** Setters; values are clamped (NAN expansion reads as 0). Call from: any thread. Real-time safe.
 */
void bel_tone_set_volume(bel_tone_params *params, float volume);
void bel_tone_set_muted(bel_tone_params *params, bool muted);
void bel_tone_set_breath_on(bel_tone_params *params, bool on);
void bel_tone_set_cues_on(bel_tone_params *params, bool on);
void bel_tone_set_holdin_cue_on(bel_tone_params *params, bool on);
void bel_tone_set_hold_cue_on(bel_tone_params *params, bool on);
void bel_tone_set_expansion(bel_tone_params *params, float expansion);

/** Ask for one cue; the callback plays it at the start of its next buffer.
 *  Call from: any one thread. Real-time safe. */
void bel_tone_request_cue(bel_tone_params *params, bel_tone_cue cue);

/** The cue for entering a pacer phase (IN, OUT, or HOLD for both holds). */
bel_tone_cue bel_tone_cue_for_phase(bel_pacer_phase phase);

/** Make a synthesiser; copies cfg. BEL_ERR_ARG, BEL_ERR_NOMEM; *out NULL on failure.
 *  Call from: setup only. */
BEL_NODISCARD bel_status bel_tone_create(const bel_tone_config *cfg, bel_tone **out);

/** Free. NULL is fine. Call from: teardown, after the callback has stopped. */
void bel_tone_destroy(bel_tone *t);

/** Synthesise n_frames frames of interleaved float audio (-1..1), the same
 *  signal on each of n_channels (1..8), reading params atomically at the start.
 *  Call from: the audio callback (one thread). Real-time safe: no locks, no
 *  allocation, bounded by n_frames. */
void bel_tone_process(bel_tone *t, bel_tone_params *params, float *out, int n_frames,
                      int n_channels);

/** Cues started so far of a kind (hold-in cues skipped by the rate limit are not
 *  counted). Call from: the callback's thread, or after it stopped. */
uint32_t bel_tone_get_cues_played(const bel_tone *t, bel_tone_cue cue);

#endif
