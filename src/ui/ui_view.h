/* ui_view.h - the view-model: everything the window shows, as plain data the input side fills.
 *
 * The input loop keeps one bel_ui_view up to date (samples into the trace ring,
 * events into the log, metrics, pacer state, status) and publishes a copy; the
 * drawing code only reads a copy. No SDL here, no allocation.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_UI_VIEW_H
#define BELLOWS_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/event.h"
#include "bellows/filter.h"
#include "bellows/pacer.h"
#include "bellows/pipeline.h"

enum {
    BEL_UI_TRACE_CAP = 4096,      /**< trace samples kept (power of two; 80 s at 50 Hz) */
    BEL_UI_EVENT_CAP = 128,       /**< events kept */
    BEL_UI_TREND_CAP = 256,       /**< trend points kept */
    BEL_UI_FOLLOW_MIN_ONSETS = 4, /**< breath turns scored before following is shown */
    BEL_UI_HELP_BREATHS = 3,      /**< breaths counted that close the first run's help */
};

/** Which layout the window shows. */
typedef enum bel_ui_layout {
    BEL_UI_PRACTICE = 0, /**< the person breathing: belly figure, pacer, one trace */
    BEL_UI_THERAPIST,    /**< both traces, per-breath metrics, trends, event log */
    BEL_UI_LAYOUT_COUNT
} bel_ui_layout;

/** The end-of-session summary, shown in the window and printed in the terminal. */
typedef struct bel_ui_summary {
    double session_s;    /**< practice time (pauses left out) */
    double paused_s;     /**< time paused (the recording and its figures go on) */
    uint32_t n_breaths;  /**< complete breaths */
    float rate_bpm;      /**< mean rate over the detected breaths; NAN with fewer than 2 */
    float belly_share;   /**< mean belly share of the breaths; NAN without a chest belt */
    double held_in_s;    /**< time the belly was held in (paused or not) */
    uint32_t n_holdins;  /**< hold-ins */
    uint32_t n_holds;    /**< breath holds */
    float follow;        /**< following the pacer over the session 0..1; NAN: not judged */
    char pacer_name[24]; /**< the pacer followed, "" when it was off */
    /* An assessment's result instead of a session's (is_assessment): no pacer, with I:E and
     * the deep breath. */
    bool is_assessment;
    float ie_ratio;   /**< total Ti / total Te; NAN unknown */
    float deep_ratio; /**< the deep breath as a multiple of the relaxed one; NAN unknown */
    /** One belt whose breaths looked upside down the whole session, and nobody said which
     *  way it reads (bel_summary_looks_turned_round): the summary says how to read it. */
    bool is_upside_down;
} bel_ui_summary;

/** The summary's lines (label, value) into label[k] and value[k] (each len bytes), at
 *  most max lines; returns the count. Shared by the window and the terminal so both say
 *  the same. An assessment's: time, breaths, rate, I:E, belly share, time held in,
 *  breath holds, deep breath. Last, when is_upside_down, a line that says so.
 *  Call from: any thread. */
int bel_ui_summary_lines(const bel_ui_summary *s, char (*label)[40], char (*value)[48], int max);

/** The status line's words for signal lost in dropouts, as a person reads them ("1.2 s
 *  of signal lost (2 dropouts)"; is_short: "1.2 s lost"), into buf; "" when there were
 *  none. Call from: any thread. */
void bel_ui_lost_words(double lost_s, uint32_t n_dropouts, bool is_short, char *buf, size_t len);

typedef struct bel_ui_view {
    bel_ui_layout layout;
    bool is_help_shown;
    bool is_help_first;           /**< the help opened by itself (first run): it closes once
                                       BEL_UI_HELP_BREATHS breaths are counted after it opened */
    uint32_t help_from_n_breaths; /**< m.n_breaths when it opened */
    bool is_summary_shown;        /**< the end-of-session summary over everything */
    bel_ui_summary summary;
    bool is_paused;
    bool is_muted;
    bool is_cues_off;        /**< c: every cue switched off */
    bool is_breath_tone_off; /**< no breath tone (option or b) */
    bool is_audio_available;
    bool is_pacer_on;
    double session_s; /**< session time shown by the timer */

    bel_metrics m; /**< latest pipeline metrics */
    float
        relaxed_level; /**< the pipeline's relaxed belly level (m.relaxed_level); NAN until known */
    float relaxed_depth; /**< the pipeline's relaxed breath depth (m.relaxed_depth); NAN until known
                          */
    float expansion;     /**< belly expansion for the figure, 0..1 (bel_ui_view_expansion) */
    double range_from_s; /**< the figure ranges itself on samples from here on (a step in the
                              belt, a gap, r): what came before says nothing about the level */
    float belly_share;   /**< belly share of breathing 0..1; NAN without a chest belt */
    float chest_belly_phase_deg; /**< chest lead over belly, degrees; NAN if unknown */
    bool has_chest;
    bool is_holdin;           /**< belly held in now */
    bool is_breath_hold;      /**< breath held now */
    bool is_connected;        /**< a belt (or the simulator) is delivering */
    bool is_simulated;        /**< the built-in simulated belt: never shown as a connected belt */
    bool is_polarity_asked;   /**< one belt whose breathing looks turned round: the band asks
                                   whether the figure shrinks on breathing in (i) */
    double t_pacer_turned_s;  /**< when the belts were turned round because the breathing
                                   followed the pacer the other way round (NAN: never): the
                                   band says so for a while */
    double t_past_holdin_s;   /**< when a hold-in seen only as the belly was let go was told
                                   (NAN: never): the band says so for a while */
    double past_holdin_s;     /**< that hold-in's length */
    bool is_signal_lost;      /**< the belt stopped sending */
    bool is_unplugged;        /**< the belt is away now (lost, or nothing for a second): the
                                   band says to plug it back in */
    double t_now_s;           /**< the session's signal time now: goes on by the clock while
                                   the belt is away, so the trace scrolls on (0: the latest
                                   sample's) */
    bool is_recording_failed; /**< the session's files cannot be written (a full disk) */
    double lost_s;            /**< signal time lost in dropouts (samples that never came) */
    uint32_t n_dropouts;      /**< times the signal dropped out (samples went missing) */
    uint32_t n_dropped;       /**< samples or frames the UI side dropped */
    uint32_t n_underruns;     /**< audio output underruns */
    char source[160];         /**< "simulated belt", "/dev/ttyACM0", ... */

    bel_pacer_state pacer;
    bel_pacer_follow follow;
    char pacer_name[24];

    /* The guided assessment (bellows assess): shown instead of the pacer. */
    bool is_assessing;
    char assess_phase[48];    /**< "deep breath", with "(try 2)" when asked again */
    char assess_prompt[120];  /**< what to do now */
    char assess_why[120];     /**< why the phase is asked again, "" the first time */
    float assess_remaining_s; /**< countdown of the phase */
    float assess_phase_s;     /**< length of the phase, for the countdown ring */
    int assess_step;          /**< 1..assess_steps */
    int assess_steps;

    /* Trace ring: t_s, the display signal (bel_ui_smoother), chest (raw; NAN without).
     * A NAN belly is a break in the line (a gap in the signal). */
    double trace_t[BEL_UI_TRACE_CAP];
    float trace_belly[BEL_UI_TRACE_CAP];
    float trace_chest[BEL_UI_TRACE_CAP];
    uint32_t trace_head;  /**< total pushed; index = (head - 1 - k) & (CAP - 1) is k back */
    float trace_window_s; /**< seconds shown (30..60, default 45) */

    bel_event events[BEL_UI_EVENT_CAP];
    double event_clock_s[BEL_UI_EVENT_CAP]; /**< each on the session clock (shown) */
    double clock_offset_s; /**< event time - session clock: the first sample's time plus the
                                time paused so far (0 by default) */
    uint32_t event_head;   /**< total pushed */
    uint32_t n_markers;    /**< markers pushed (the log numbers them 1, 2, ...) */

    /* Session trends, one point per trend_every_s. NAN where unknown. */
    double trend_t[BEL_UI_TREND_CAP];
    float trend_rate[BEL_UI_TREND_CAP];
    float trend_depth_rel[BEL_UI_TREND_CAP];
    float trend_follow[BEL_UI_TREND_CAP];
    uint32_t trend_head;
} bel_ui_view;

/** Open the help by itself (the first run, to say how to put the belt on): it closes at
 *  any key, or once the belt shows BEL_UI_HELP_BREATHS breaths (bel_ui_view_update_help),
 *  so it never hides the breath for long; h opens it again. Call from: main only. */
void bel_ui_view_open_first_help(bel_ui_view *v);

/** Close the first run's help once its breaths are counted (call after m is updated).
 *  A help opened with h stays until a key. Call from: main only. */
void bel_ui_view_update_help(bel_ui_view *v);

/** Cut-off of the display signal's low-pass: a 2nd-order Butterworth delays a breath
 *  by sqrt(2) / (2 pi fc) = 37.5 ms at 6 Hz (the goal is <= 40 ms), and still takes
 *  off the belt's sample-to-sample jitter. The detector's smoothed signal (m.belly)
 *  is about 165 ms behind: fine for deciding, too slow to follow. */
static const double BEL_UI_DISPLAY_CUTOFF_HZ = 6.0;

/** The figure's, trace's and tone's own lightly smoothed belly signal, from the
 *  raw sample with the pipeline's polarity. Caller-owned; fields private. */
typedef struct bel_ui_smoother {
    bel_biquad lp;       /* private */
    bool is_started;     /* private */
    bool is_inverted;    /* private */
    uint32_t n_restarts; /* private */
    double t_last_s;     /* private */
} bel_ui_smoother;

/** Set up for samples at fs_hz (the cut-off is capped at 0.4 fs_hz). BEL_ERR_ARG for
 *  fs_hz <= 0. Call from: setup. */
BEL_NODISCARD bel_status bel_ui_smoother_init(bel_ui_smoother *s, double fs_hz);

/** One raw belly value at t_s with the pipeline's metrics after it (for its polarity
 *  and restarts); returns the display value in the pipeline's conditioned units (those
 *  of m->relaxed_level). Starts again without a transient after a gap of 0.5 s or more,
 *  a step in the belt (m->n_restarts) or a polarity change. NAN in, NAN out.
 *  Call from: the owning thread. Real-time safe. */
float bel_ui_smoother_process(bel_ui_smoother *s, double t_s, float raw, const bel_metrics *m);

/** Empty view: practice layout, pacer on, nothing known (NAN), 45 s trace.
 *  Call from: any thread. */
void bel_ui_view_init(bel_ui_view *v);

/** Add one trace sample (chest NAN without a chest belt). Call from: the owning thread. */
void bel_ui_view_push_sample(bel_ui_view *v, double t_s, float belly, float chest);

/** A belt turned out to read the other way round (the person's i, the pacer, or the
 *  breathing with a chest belt): the belly's (is_belly) and the chest's (is_chest) trace
 *  drawn so far is turned round with it, so it shows what that belt did, in the display
 *  values that follow. Call from: the owning thread. */
void bel_ui_view_turn_trace_round(bel_ui_view *v, bool is_belly, bool is_chest);

/** Add one event to the log. Call from: the owning thread. */
void bel_ui_view_push_event(bel_ui_view *v, const bel_event *ev);

/** Add one trend point. Call from: the owning thread. */
void bel_ui_view_push_trend(bel_ui_view *v, double t_s, float rate_bpm, float depth_rel,
                            float follow);

/** Number of trace samples held (<= BEL_UI_TRACE_CAP). */
uint32_t bel_ui_view_trace_count(const bel_ui_view *v);

/** Belly expansion 0..1 for the figure and the breath tone: from the pipeline's
 *  relaxed level and depth when known (0 at relaxed exhale, 1 at one relaxed depth
 *  above it), else from the range of the last 15 s of the trace since range_from_s.
 *  It never sticks: when the last 1.3 breaths (at m.rate_bpm; 4..12 s, 12 s
 *  while unknown) all lie above level + depth / 2, or
 *  (not held in) all below level + depth / 2 (breaths that never fill), or the last 5 s above level
 * + 1.5 depth (sitting up, slumping, before the pipeline has re-learnt its level), their lowest
 * point is the level. The depth is never re-ranged: a belly held in keeps its tiny breaths tiny.
 * 0.5 when nothing is known. Call from: any thread. */
float bel_ui_view_expansion(const bel_ui_view *v);

#endif
