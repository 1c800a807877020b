/* ui_session.h - the window, the tones and the pacer of a live session, as bel_session hooks.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_UI_SESSION_H
#define BELLOWS_UI_SESSION_H

#include <stdbool.h>

#include "bellows/assess.h"
#include "session.h"
#include "source.h"

typedef struct ui_session_options {
    bool is_window_off;      /**< --no-window */
    bool is_audio_off;       /**< --no-audio */
    const char *calibration; /**< --calibration ASSESS.json, NULL for none */
    const char *pacer; /**< preset name, or custom:IN-HOLD-OUT-HOLD seconds (NULL: resonance) */
    const char *cmd;   /**< subcommand name, for messages */
    double volume;     /**< tone volume 0..1 */
    bool is_breath_tone_off;  /**< --no-breath-tone */
    bool is_pacer_cues_off;   /**< --no-pacer-cues */
    bool is_holdin_cue_off;   /**< --no-holdin-cue */
    bool is_hold_cue_off;     /**< --no-hold-cue */
    double breath_hold_s;     /**< --breath-hold S: stillness this long is a breath hold; 0: the
                                   default (1.5 recent breath periods, 6-10 s) */
    bool is_therapist_window; /**< --therapist-window: the therapist layout in a second window
                                   while the first shows the practice layout */
    bool is_quiet;            /**< the terminal shows no breath lines (run --quiet) */
    bool is_simulated;        /**< the source is the simulated belt (live_source) */
    const char *source_label; /**< the window's status line for the source; NULL: describe it */
    bool has_calibration;     /**< the session starts from an assessment: the window shows its
                                   relaxed level and depth from the start (r re-learns live) */
    bel_assess *guide; /**< the guided assessment (borrowed; NULL: none): shown instead of the
                            pacer, no breath tone, a cue at each phase, prompts in the terminal,
                            and the session ends when the guide is done or gives up */
} ui_session_options;

/** Defaults for cmd (volume 0.7, everything on, resonance pacer). */
ui_session_options ui_session_options_default(const char *cmd);

/** Check the options before anything is created: the pacer name (CLI_EXIT_USAGE) and
 *  the calibration file, loaded into *calibration (bel_holdin_calibration_none() without
 *  one; CLI_EXIT_FAIL if it cannot be read). Message printed, naming o->cmd and the file.
 *  CLI_EXIT_OK when all is well. Call from: main only. */
int ui_session_check_options(const ui_session_options *o, bel_holdin_calibration *calibration);

typedef struct ui_session ui_session;

/** Set up the pacer, the window (unless not wanted; with no display says so on
 *  stderr, and that the breath is followed in the terminal, and goes on without)
 *  and the tones (with no sound card says so and goes on silently). src is
 *  borrowed (its channel names tell which is the chest). Returns CLI_EXIT_OK, or
 *  CLI_EXIT_USAGE for an unknown pacer name (message printed). Call from: main only. */
int ui_session_create(const ui_session_options *o, bel_source *src, ui_session **out);

/** Hooks to pass to bel_session_run_main. Call from: main only. */
void ui_session_get_hooks(ui_session *u, bel_session_hooks *out);

/** One line on how closely the breath followed the pacer, printed at the end. */
void ui_session_print_summary(const ui_session *u);

/** The ended session's summary in the window until a key, the window is closed, or a
 *  minute went by (after q, or for someone at the keyboard: stdin a terminal; scripted
 *  runs end at once). Nothing without a window or for an assessment (see below). Call
 *  from: main only, after ui_session_run, once the session is stored: the summary may
 *  wait a minute, and the store and the belt are another command's meanwhile. */
void ui_session_show_summary(ui_session *u);

/** An assessment's result (its summary and the deep breath as a multiple of the
 *  relaxed one), in the window until a key, the window is closed, or a minute went by;
 *  only for someone at the keyboard (stdin a terminal): scripted runs end at once.
 *  Nothing without a window. Call from: main only, after ui_session_run. */
void ui_session_show_assessment(ui_session *u, const bel_summary *sum, float deep_ratio);

/** How closely the breath followed the pacer over the whole session, 0..1 (the
 *  mean cosine of the phase difference), NAN when nothing was scored. */
double ui_session_get_follow_score(const ui_session *u);

/** The live part of `run` and `demo`, after their first lines: set up the window,
 *  tones and pacer (ui_session_create; *out_ui is the caller's to destroy), start
 *  the session, run its main loop until Ctrl-C or the end of the source, and print
 *  the following score and the summary (and "stopped." after Ctrl-C); the window's
 *  summary is the caller's (ui_session_show_summary). Returns the main loop's
 *  status; *did_run is false when it never started (a bad pacer name: *exit_code
 *  CLI_EXIT_USAGE; the session would not start: CLI_EXIT_FAIL; message printed,
 *  naming o->cmd). Call from: main only. */
bel_status ui_session_run(const ui_session_options *o, bel_source *src, bel_session *session,
                          ui_session **out_ui, int *exit_code, bool *did_run);

/** Close the window and the stream. NULL is fine. Call from: main only. */
void ui_session_destroy(ui_session *u);

#endif
