/* pipeline.h - the causal per-sample breath pipeline: condition, breath, metrics, spectrum.
 *
 * Live sessions and `bellows analyze` run exactly this code, so offline results
 * are what live feedback showed. Pure: no I/O, no clocks (time comes with the
 * sample), no allocation after create, deterministic.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PIPELINE_H
#define BELLOWS_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "bellows/breath.h"
#include "bellows/event.h"
#include "bellows/holdin.h"
#include "bellows/sample.h"
#include "bellows/spectrum.h"
#include "bellows/status.h"

/** Most events one call of bel_pipeline_process can yield. */
enum {
    BEL_PIPELINE_MAX_EVENTS = 14
}; /* the actions', a gap's, a turning point, hold-in (and a past one's
      two), breath-hold and turn-round events */

typedef struct bel_pipeline bel_pipeline;

typedef struct bel_pipeline_config {
    double fs_hz;      /**< nominal sample rate, 5..2000 Hz (default 50) */
    int belly_channel; /**< index of the belly belt in bel_sample.value (default 0) */
    int chest_channel; /**< index of the chest belt, -1 for none (default -1) */
    bool invert;       /**< true: a smaller raw value means expansion */
    bool invert_chest; /**< the same for the chest belt */
    /** Find the belts' polarity from the breathing (default true): a chest
     *  belt moves with the belly; the movement of an inhalation is shorter
     *  than that of an exhalation and breathing rests near the exhaled level.
     *  The shape evidence is weighed over the last 12 breaths (from the 8th,
     *  or from the 4th when every breath so far says the same) and revised
     *  when it turns and all breaths since the last decision agree (exercise
     *  does not undo minutes of rest); it is acted on with two belts and only
     *  reported (polarity_score) with one, where on its own it misreads some
     *  breathing (ventilated patients). invert/invert_chest are the starting
     *  guess. False: invert/invert_chest are final (the user said so). A
     *  valid calibration's polarity always wins. */
    bool auto_polarity;
    /** Emit signal_lost/signal_restored for gaps of 0.5 s or more in the
     *  samples' times (n_missed), as a recording with missing rows has
     *  (default true). False where the source reports its own link events. */
    bool report_gaps;
    double spectrum_window_s; /**< window of the spectral rate estimate, 8..120 s (default 32) */
    bel_breath_config breath; /**< detector tuning; its fs_hz is ignored (fs_hz above rules) */
    bel_holdin_config holdin; /**< hold-in and breath-hold tuning; its fs_hz is ignored */
    /** From an assessment (is_valid false: none, learn while running). When
     *  valid, its polarity flags replace invert and invert_chest. */
    bel_holdin_calibration calibration;
} bel_pipeline_config;

/** Breathing phases as the pipeline currently sees them. */
typedef enum bel_phase {
    BEL_PHASE_UNKNOWN = 0,
    BEL_PHASE_INHALE,
    BEL_PHASE_EXHALE,
} bel_phase;

/** Running state after the latest sample. Values not known yet are NAN. */
typedef struct bel_metrics {
    double t_s;              /**< time of the latest sample */
    float belly;             /**< conditioned belly signal (despiked, smoothed, sign-corrected) */
    float baseline;          /**< slow drift-tracking level of the belly signal */
    float rate_bpm;          /**< count-based rate over the recent breaths, breaths/min */
    float rate_spectral_bpm; /**< kissfft estimate over the spectrum window, breaths/min */
    float ie_ratio;          /**< recent median Ti/Te */
    float ti_s;              /**< recent median inspiration time */
    float te_s;              /**< recent median expiration time */
    float depth;             /**< recent median breath depth, conditioned units */
    float variability;       /**< coefficient of variation of recent breath durations (0..) */
    bel_phase phase;         /**< current phase */
    float chest;             /**< conditioned chest signal (despiked, sign-corrected); NAN
                                  without a chest belt */
    float belly_share;       /**< belly part of the latest breath, 0..1 (chest belt only) */
    float chest_belly_lag_s; /**< chest minus belly timing over the last breaths (> 0: chest
                                  later), by cross-correlation */
    float chest_belly_phase_deg; /**< the same lag in degrees of the breath cycle */
    float relaxed_level;       /**< learnt relaxed end-expiratory belly level (conditioned units) */
    float relaxed_depth;       /**< learnt relaxed belly breath depth */
    float relaxed_chest_depth; /**< learnt relaxed chest breath depth (chest belt only) */
    float relaxed_share;       /**< learnt relaxed belly share, 0..1 (chest belt only) */
    bool is_holding_in;        /**< the belly is held in now */
    bool is_breath_hold;       /**< breathing has stopped (longer than the configured time) */
    uint32_t n_breaths;        /**< complete breaths so far */
    uint32_t n_spikes;         /**< samples replaced as spikes */
    uint32_t n_clipped;        /**< samples at a rail (flat clipped run) */
    uint32_t n_missed;         /**< samples reported missing by the source */
    float breath;              /**< the detection signal: belly and chest mixed by how much each
                                    moves with the breath (the belly alone without a chest) */
    float chest_weight;        /**< the chest's part of the detection signal, 0..1 */
    bool is_belly_inverted;    /**< the polarity in use for the belly belt */
    bool is_chest_inverted;    /**< the same for the chest belt */
    uint32_t n_polarity_flips; /**< times the polarity was revised from the breathing */
    bool is_polarity_found;    /**< the polarity is still found from the breathing: nobody said
                                    it (no --invert, calibration or turn-round) */
    float polarity_score;      /**< shape evidence over the recent breaths: > 0.5 reads inverted,
                                    < 0 reads right (NAN until 4 breaths; until 8 the
                                    least of them, then their median) */
    bool is_shape_inverted;    /**< the recent breaths' shape says the belts read the other way
                                    round: polarity_score above 0.5, or from 8 breaths on ten
                                    of them (all, while fewer) above 0.2. With a chest belt
                                    the pipeline turns them round; with one belt, the window
                                    asks */
    uint32_t n_restarts;       /**< times detection started again at a step in the belt */
} bel_metrics;

/** Whole-run statistics, for summaries. Values not known are NAN. The breath
 *  figures (rate, Ti, Te, I:E, depth, variability, belly share) are those of the
 *  breaths since the belts' polarity was last turned round (by the person, an
 *  assessment or the breathing): breaths timed the wrong way round would swap
 *  inhalation and exhalation in them. */
typedef struct bel_summary {
    double duration_s;               /**< first to latest sample */
    uint32_t n_breaths;              /**< complete breaths (insp_onset to insp_onset) */
    float rate_bpm;                  /**< breaths/min over the span of detected breaths */
    float rate_spectral_bpm;         /**< mean of the spectral estimates */
    float ti_s;                      /**< mean inspiration time */
    float te_s;                      /**< mean expiration time */
    float ie_ratio;                  /**< total Ti / total Te */
    float depth;                     /**< mean breath depth, conditioned units */
    float variability;               /**< coefficient of variation of breath durations */
    uint32_t n_events[BEL_EV_COUNT]; /**< events emitted, by kind */
    double time_held_in_s;           /**< total time the belly was held in */
    double time_breath_hold_s;       /**< total time in breath holds */
    uint32_t n_holdins;              /**< hold-ins (holdin_start events) */
    uint32_t n_breath_holds;         /**< breath holds (breath_hold_start events) */
    float belly_share;               /**< mean belly share of the breaths (chest belt only) */
    uint32_t n_spikes;
    uint32_t n_clipped;
    uint32_t n_missed;
    bool is_belly_inverted;    /**< the belly polarity in use at the end */
    bool is_chest_inverted;    /**< the chest polarity in use at the end */
    uint32_t n_polarity_flips; /**< times the polarity was revised from the breathing */
    bool is_polarity_found;    /**< nobody said which way the belts read (see bel_metrics) */
    float polarity_score;      /**< the last shape evidence (see bel_metrics) */
    float polarity_mean;       /**< every breath's shape evidence (each clipped to +-1) averaged,
                                    read as the belts are at the end: > 0.5 the whole run looks
                                    inverted (NAN under 8 breaths) */
    float polarity_share;      /**< the share of every breath whose shape evidence says
                                    inverted by more than 0.2, read as the belts are at the
                                    end (NAN under 8 breaths) */
    uint32_t n_restarts;       /**< times detection started again at a step in a belt */
} bel_summary;

/** Defaults: 50 Hz, belly on channel 0, no chest, not inverted, 32 s spectrum,
 *  bel_holdin_config_default, no calibration.
 *  Call from: any thread. */
bel_pipeline_config bel_pipeline_config_default(void);

/** Make a pipeline; copies cfg. *out is NULL on failure.
 *  BEL_ERR_ARG for out-of-range settings, BEL_ERR_NOMEM.
 *  Call from: setup only (allocates). */
BEL_NODISCARD bel_status bel_pipeline_create(const bel_pipeline_config *cfg, bel_pipeline **out);

/** Free a pipeline. NULL is fine. Call from: setup/teardown only. */
void bel_pipeline_destroy(bel_pipeline *p);

/** Feed one sample (times must not go backwards). The person's actions it carries
 *  (bel_sample.actions) act first, as bel_pipeline_relearn and then
 *  bel_pipeline_turn_round or bel_pipeline_keep_reading would, so a recording read
 *  again acts where the session did. Writes up to max_out events
 *  (BEL_PIPELINE_MAX_EVENTS is always enough) to out, in time order of detection.
 *  Returns the number written, or BEL_ERR_ARG. Call from: the input thread.
 *  Real-time safe: bounded work, no allocation. */
int bel_pipeline_process(bel_pipeline *p, const bel_sample *s, bel_event *out, int max_out);

/** The pipeline's front: what a sample's raw values give (the despiked belts, the
 *  belts waited for at the start and after a gap, clipping), made from the samples alone:
 *  nothing learnt behind it feeds back into it, so it may run ahead of the pipeline on
 *  another thread (bellows analyze). Opaque. */
typedef struct bel_pipeline_front bel_pipeline_front;

/** What the front made of a sample. */
enum { BEL_PIPELINE_FRONT_TAKEN = 1, BEL_PIPELINE_FRONT_FIRST = 2 };
typedef struct bel_pipeline_front_out {
    float belly;       /**< the despiked belly, as read (no polarity applied) */
    float chest;       /**< the despiked chest, NAN: none yet */
    float centre;      /**< the raw belly at the median's centre */
    float belly_now;   /**< the raw belly (now: belly is the median's delay behind) */
    float chest_now;   /**< the raw chest, or the last one; NAN: none yet */
    int32_t n_clipped; /**< belly samples newly known to be clipped; negative: taken
                            back (the belt went beyond the level: no rail) */
    uint8_t flags;     /**< TAKEN: the rest is set (else the sample is passed over);
                            FIRST: the first taken since the start or a gap */
} bel_pipeline_front_out;

/** A front as p's own was when p was made: p must have taken no sample yet. *out is
 *  NULL on failure: BEL_ERR_ARG, BEL_ERR_NOMEM. Call from: setup only (allocates). */
BEL_NODISCARD bel_status bel_pipeline_front_create(const bel_pipeline *p, bel_pipeline_front **out);

/** Free a front. NULL is fine. Call from: setup/teardown only. */
void bel_pipeline_front_destroy(bel_pipeline_front *f);

/** One sample through the front, every sample in turn (as they will be given to
 *  bel_pipeline_process_front). Call from: the front's one thread. Real-time safe. */
void bel_pipeline_front_process(bel_pipeline_front *f, const bel_sample *s,
                                bel_pipeline_front_out *out);

/** bel_pipeline_process for a sample whose front output is fo (from a front made with
 *  bel_pipeline_front_create for p): the same events and figures as
 *  bel_pipeline_process gives, without the front's work. Use one or the other for the
 *  whole run. BEL_ERR_ARG also for fo NULL. Call from: the input thread. Real-time safe. */
int bel_pipeline_process_front(bel_pipeline *p, const bel_sample *s,
                               const bel_pipeline_front_out *fo, bel_event *out, int max_out);

/** The person asks for the relaxed level to be learnt afresh (the window's r, after
 *  sitting up or lying down): it is forgotten now and learnt again from the next
 *  breaths (the relaxed depths stay). A hold-in in progress ends now, at the latest
 *  sample's time, with its holdin_end event, so what is shown, sounded and recorded
 *  agree. Writes up to max_out events (1 is enough) and returns how many, or
 *  BEL_ERR_ARG. Call from: the thread that calls process, between samples.
 *  Real-time safe. */
int bel_pipeline_relearn(bel_pipeline *p, bel_event *out, int max_out);

/** The person says the belts read the other way round (the figure shrank as
 *  they breathed in): both are turned round now, the relaxed state is learnt
 *  again, and this polarity is final for the rest of the run (no revision from
 *  the breathing). A hold-in or breath hold in progress ends now with its end
 *  event. Writes up to max_out events (2 is enough) and returns how many, or
 *  BEL_ERR_ARG. Call from: the thread that calls process, between samples.
 *  Real-time safe. */
int bel_pipeline_turn_round(bel_pipeline *p, bel_event *out, int max_out);

/** The breathing follows a pacer as the belts read now (bel_pacer_follow.is_as_worn):
 *  that is the way they read, final for the rest of the run, as after
 *  bel_pipeline_turn_round but with no turn (the breath's shape turns them no more; a
 *  paced hold at the top looks like a natural pause read the other way round). NULL is
 *  fine. Call from: the thread that calls process, between samples. Real-time safe. */
void bel_pipeline_keep_reading(bel_pipeline *p);

/** What the spectral rate stage was to do at a sample (bel_pipeline_get_spectrum_input). */
enum { BEL_PIPELINE_SPECTRUM_RESET = 1, BEL_PIPELINE_SPECTRUM_PUSH = 2 };

/** Nobody watches this run (bellows analyze): from now on the pipeline makes neither the
 *  spectral rate nor the display's smoothed belly (metrics.belly stays NAN). It says at
 *  each sample what it would have given its spectrum (bel_pipeline_get_spectrum_input),
 *  so that a bel_spectrum made with bel_pipeline_get_spectrum_config and fed the same (on
 *  another thread, later) makes the very same estimates: the metrics' and the summary's
 *  spectral rates are the caller's to make from them (the pipeline's stay NAN). The
 *  events and every other figure are as they would be. Call before the first sample.
 *  Call from: the thread that calls process. */
void bel_pipeline_set_offline(bel_pipeline *p);

/** The configuration of the pipeline's spectral rate stage. Call from: any thread. */
void bel_pipeline_get_spectrum_config(const bel_pipeline *p, bel_spectrum_config *out);

/** After bel_pipeline_process, offline: BEL_PIPELINE_SPECTRUM_* flags of what the
 *  spectrum was to do at that sample (reset first, then push), and *x the sample pushed.
 *  Call from: the thread that calls process. Real-time safe. */
int bel_pipeline_get_spectrum_input(const bel_pipeline *p, float *x);

/** Copy the running metrics. Call from: the thread that calls process. */
void bel_pipeline_get_metrics(const bel_pipeline *p, bel_metrics *out);

/** The configuration p was made with. Call from: any thread (it never changes). */
void bel_pipeline_get_config(const bel_pipeline *p, bel_pipeline_config *out);

/** Copy the whole-run statistics. Call from: the thread that calls process. */
void bel_pipeline_get_summary(const bel_pipeline *p, bel_summary *out);

/** Whether a run of one belt (has_chest false) whose polarity nobody said looks read
 *  the other way round over its whole length (polarity_mean above 0.5, or polarity_share
 *  ten twelfths or more, as is_shape_inverted weighs the recent breaths): its inhalations
 *  were taken for exhalations, and --invert would read it right. With a chest belt the
 *  pipeline turns the belts itself, so never. Call from: any thread. */
bool bel_summary_looks_turned_round(const bel_summary *s, bool has_chest);

#endif
