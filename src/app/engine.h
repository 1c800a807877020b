/* engine.h - the one place a belt or a recording becomes pipeline settings, and the offline loop.
 *
 * Every command that runs the breath pipeline (run, demo, assess, analyze, import, the
 * recovery of interrupted sessions) decides the belly and chest channels, the belts'
 * polarity and the calibration here, so the same recording gives the same figures
 * whichever command reads it. The live session (session.c) runs the pipeline made from
 * these settings on its input thread and keeps its own summary; the offline commands run
 * bel_engine_run_offline: source -> pipeline -> events file, one loop.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_ENGINE_H
#define BELLOWS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/pipeline.h"
#include "bellows/status.h"
#include "event_csv.h"
#include "serial.h"
#include "source.h"

/** How a session reads its belts. */
typedef struct bel_engine_settings {
    const char *belly_name; /**< the belly channel's name; NULL: "belly", else the first */
    const char *chest_name; /**< the chest channel's name; NULL: "chest" when there is one */
    bool invert;            /**< the belly belt reads smaller on expansion */
    bool invert_chest;      /**< the chest belt reads smaller on expansion */
    /** invert and invert_chest are known (the user said so, or an assessment's deep
     *  breath showed it). false: with two belts the pipeline finds the polarity from the
     *  breathing, starting from invert (which, when true, the user gave: then it is kept). */
    bool is_polarity_known;
    bool report_gaps; /**< the pipeline marks gaps in the samples' times (false where a
                           serial link reports its own signal_lost/signal_restored) */
    bel_holdin_calibration calibration; /**< an assessment's; is_valid false: learn live */
    /** Stillness this long (4..40 s) is a breath hold (--breath-hold). 0: what a recording
     *  read says its session used, else the default (1.5 recent breath periods, 6-10 s). */
    double breath_hold_s;
    /** Re-analysing a recording: the settings its session wrote into it (the source's
     *  info.recorded) replace invert, invert_chest, is_polarity_known and calibration, so
     *  the figures are those the person saw. A recording without them reads with these
     *  fields as given. */
    bool use_recorded;
} bel_engine_settings;

/** The command-line row (cli.h's cli_opt) that sets breath_hold_s, for every command that
 *  runs the pipeline on a person's breathing (run, demo, analyze). */
#define ENGINE_BREATH_HOLD_OPT(dest)                                                               \
    {                                                                                              \
        "--breath-hold", CLI_DOUBLE, (dest), BEL_HOLDIN_BREATH_HOLD_MIN_S,                         \
            BEL_HOLDIN_BREATH_HOLD_MAX_S, "seconds from 4 to 40", "S",                             \
            "a breath hold is stillness of S seconds (default: 1.5 of your\n"                      \
            "recent breath periods, 6-10 s); kept in the recording"                                \
    }

/** The command-line row that sets invert, for every command that reads a person's belts
 *  (run, analyze, import): said of the belts, so a chest belt reads the same way. */
#define ENGINE_INVERT_OPT(dest)                                                                    \
    {                                                                                              \
        "--invert", CLI_FLAG, (dest), 0, 0, "", NULL,                                              \
            "the belts read smaller as they stretch (with two belts bellows\n"                     \
            "finds it from the breathing, with one it asks; this says it)"                         \
    }

/** Defaults: channels by name, polarity found from the breathing, gaps reported, no
 *  calibration. Call from: any thread. */
bel_engine_settings bel_engine_settings_default(void);

/** The belly and chest channels of info under es: *belly (>= 0) and *chest (-1: none).
 *  BEL_ERR_ARG when a channel named in es is not in info (err names it and lists the
 *  channels, prefixed by what, e.g. the file name). Call from: any thread. */
BEL_NODISCARD bel_status bel_engine_choose_channels(const bel_source_info *info,
                                                    const bel_engine_settings *es, const char *what,
                                                    int *belly, int *chest, char *err,
                                                    size_t err_len);

/** The pipeline configuration for a source with info, read as es says. BEL_ERR_ARG: a
 *  named channel is missing; BEL_ERR_FORMAT: no usable sample rate (err says which,
 *  prefixed by what). *out is the default configuration on failure.
 *  Call from: any thread. */
BEL_NODISCARD bel_status bel_engine_pipeline_config(const bel_source_info *info,
                                                    const bel_engine_settings *es, const char *what,
                                                    bel_pipeline_config *out, char *err,
                                                    size_t err_len);

/** What a recording made with pipeline configuration pc carries (recording.h), so that
 *  a re-analysis with use_recorded sets up the same pipeline. Call from: any thread. */
bel_recording_settings bel_engine_recorded_settings(const bel_pipeline_config *pc);

/** Called every 65536 samples of an offline run (progress bars), on the caller's thread,
 *  with the source's progress (bel_source_get_progress) as it was after that sample. */
typedef void (*bel_engine_progress_fn)(void *ctx, uint64_t done, uint64_t total,
                                       uint64_t n_samples);

/** What an offline run did. */
typedef struct bel_engine_result {
    uint64_t n_samples;       /**< samples through the pipeline */
    uint64_t n_events;        /**< events out of it */
    bel_summary summary;      /**< the pipeline's summary of them */
    bel_metrics metrics;      /**< its running state after the last */
    char err[BEL_IO_ERR_LEN]; /**< the problem that ended the run early, "" if none */
    bool is_write_failed;     /**< that problem was writing the events file */
} bel_engine_result;

/** Every sample of src before t_end_s (INFINITY: all) through pipe, its events into
 *  events (NULL: none; not closed here). Ends at the source's end or at the first
 *  problem: a bad row or an unreadable source (BEL_ERR_FORMAT or the source's status),
 *  a sample the pipeline refuses, or a failed events write (BEL_ERR_IO,
 *  r->is_write_failed); r->err says which, and the summary is that of what was read.
 *  progress may be NULL. src is read and parsed on a thread of its own, a bounded ring of
 *  blocks ahead of the pipeline (on the caller's thread), so parsing overlaps the
 *  pipeline; that thread also runs the pipeline's front over each sample
 *  (bel_pipeline_front), writes the events and runs the spectral rate stage (pipe is
 *  set offline, bel_pipeline_set_offline: r's summary and metrics carry that stage's
 *  figures; metrics.belly, a display's, is NAN), so the two threads share the work; the
 *  events, errors and progress are those of doing it all in turn. pipe has taken no
 *  sample before.
 *  Call from: one thread (src, pipe and events are not touched by others meanwhile). */
BEL_NODISCARD bel_status bel_engine_run_offline(bel_source *src, bel_pipeline *pipe,
                                                bel_event_csv *events, double t_end_s,
                                                bel_engine_progress_fn progress, void *ctx,
                                                bel_engine_result *r);

/** A recording's summary with es: replay, pipeline, run (a cut-off last line ends it and
 *  counts as the end). BEL_OK with *sum; else err says why. Call from: any thread. */
BEL_NODISCARD bel_status bel_engine_summarise(const char *path, const bel_engine_settings *es,
                                              bel_summary *sum, char *err, size_t err_len);

#endif
