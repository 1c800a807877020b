/* session.h - the live session engine behind `run`, `demo` and the window: threads, rings, files.
 *
 * Threads (DESIGN.md, STYLE.md 6):
 *   input   reads the source with a 100 ms timeout, runs the pipeline and
 *           publishes every sample (a bel_session_frame with the metrics) and
 *           every event through an SPSC ring to the main thread, and the raw
 *           sample and events through another ring to the writer. It never
 *           waits on the UI, the disk or the audio: with is_live a full ring
 *           drops and counts.
 *   writer  drains its ring into PREFIX.csv and PREFIX.events.csv (and the
 *           extra events file), flushing at least twice a second, so a killed
 *           process leaves a readable recording.
 *   main    bel_session_run_main: prints events and metrics in the terminal and
 *           calls the window's hooks once per frame.
 *
 * Life cycle (main thread): bel_session_create, bel_session_start,
 * bel_session_run_main (or your own loop over bel_session_poll), bel_session_finish,
 * bel_session_destroy.
 *
 * Hooking a window in: fill a bel_session_hooks. on_sample and on_event get
 * everything the input thread published, in order, on the main thread;
 * on_frame runs once per loop turn (every frame_ms) after them and may end the
 * session by returning false (window closed). bel_session_get_latest gives the
 * newest frame at any time on the main thread.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SESSION_H
#define BELLOWS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/assess.h"
#include "bellows/event.h"
#include "bellows/pipeline.h"
#include "bellows/protocol.h"
#include "bellows/sample.h"
#include "bellows/status.h"
#include "serial.h"
#include "source.h"

typedef struct bel_session_config {
    bel_source *source; /**< borrowed; must outlive the session; read by the input thread */
    bel_serial *link;   /**< the source's serial link (signal events, line counters), or NULL */
    bool invert;        /**< a smaller raw value means expansion */
    double duration_s;  /**< > 0: stop after this much signal (live: or wall clock) */
    bool is_live;       /**< a belt: full rings drop and count. false (a fast replay or
                             simulation): the input waits for room, nothing is dropped */
    const char *record_prefix; /**< write PREFIX.csv and PREFIX.events.csv; NULL: none (copied) */
    const char *events_path;   /**< also write the events here; NULL: none (copied) */
    bool quiet;                /**< bel_session_run_main prints nothing per event */
    bel_holdin_calibration calibration; /**< from an assessment; is_valid false: learn live */
    double breath_hold_s; /**< stillness this long is a breath hold (--breath-hold, 4..40 s);
                               0: a replay's recorded time, else the default (6-10 s) */
    /** A guided assessment (copied; NULL: none). The input thread follows it as the
     *  window's guide does (the same events and samples), and: when its deep breath is
     *  accepted and shows the belly belt reads the other way round from the pipeline, the
     *  next sample carries BEL_ACTION_TURN_ROUND (recorded, as the person's i is); when
     *  the guide is done or gives up, the session ends at that sample, so the recording,
     *  the summary and the metrics (bel_session_get_summary, bel_session_get_metrics) are
     *  those of the assessment and nothing after it. */
    const bel_assess_config *assess;
} bel_session_config;

/** Defaults: everything off, is_live true. Call from: any thread. */
bel_session_config bel_session_config_default(void);

/** What the input thread publishes after each sample. */
typedef struct bel_session_frame {
    uint64_t index;          /**< samples published before this one */
    bel_sample sample;       /**< the raw sample */
    bel_metrics metrics;     /**< the pipeline's running state after it */
    double published_mono_s; /**< CLOCK_MONOTONIC seconds when it was published */
} bel_session_frame;

/** Counters, published by the input and writer threads with atomics. */
typedef struct bel_session_counters {
    uint64_t n_samples;  /**< samples through the pipeline */
    uint64_t n_events;   /**< events (pipeline and link) */
    uint64_t n_missed;   /**< samples reported missing (sequence gaps, signal losses) */
    uint64_t n_lines;    /**< serial lines received (0 without a serial link) */
    uint64_t n_rejected; /**< serial lines rejected (garbage, corrupt, truncated) */
    uint64_t n_rejected_by_kind[BEL_PROTO_ERR_COUNT]; /**< the same by bel_proto_error_kind */
    uint64_t n_lost;                                  /**< signal_lost events */
    uint64_t n_reconnects;                            /**< port reopened */
    uint64_t n_display_dropped; /**< frames/events the main thread was too slow for */
    uint64_t n_record_dropped;  /**< samples/events the writer was too slow for */
    bool is_connected;          /**< a belt is sending (true for non-serial sources) */
    uint64_t n_markers;         /**< markers (k) recorded so far */
    bool is_recording_failed;   /**< a write to the session's files failed (a full disk):
                                     nothing more is recorded; bel_session_run_main says so */
} bel_session_counters;

/** Per-frame hooks for a window (all optional; ctx is passed back). */
typedef struct bel_session_hooks {
    void *ctx;
    int frame_ms; /**< main loop period, 1..100 ms (0: 20) */
    /** Every published sample in order. Call from: main thread (by run_main). */
    void (*on_sample)(void *ctx, const bel_session_frame *frame);
    /** Every event in order, interleaved with the samples as published. */
    void (*on_event)(void *ctx, const bel_event *ev);
    /** Once per loop turn after the drained items; false ends the session. */
    bool (*on_frame)(void *ctx, const bel_session_counters *counters);
} bel_session_hooks;

typedef struct bel_session bel_session;

/** Make a session over cfg->source: pipeline (rate and belly/chest channels
 *  from the source's info), rings, and the output files (created now, so a
 *  bad path fails here). *out NULL on failure, err says what and where.
 *  Call from: main, setup only. */
BEL_NODISCARD bel_status bel_session_create(const bel_session_config *cfg, bel_session **out,
                                            char *err, size_t err_len);

/** Have fn(ctx, frame) called on the input thread with every frame, as soon as the
 *  pipeline has run and before it is published: for what must follow the belt without
 *  waiting for the main loop (the breath tone's target). fn must be real-time safe: no
 *  locks, no allocation, no I/O, bounded work. Ignored once started.
 *  Call from: main, before bel_session_start. */
void bel_session_set_input_hook(bel_session *s,
                                void (*fn)(void *ctx, const bel_session_frame *frame), void *ctx);

/** Start the input and writer threads. Call from: main, once. */
BEL_NODISCARD bel_status bel_session_start(bel_session *s);

/** Ask the threads to stop (they finish within about 100 ms).
 *  Call from: any thread (not a signal handler). */
void bel_session_stop(bel_session *s);

/** True once the input thread has ended (source ended, duration reached,
 *  stopped, or failed). Call from: any thread. */
bool bel_session_is_done(const bel_session *s);

/** Take the next published item: 1 with *frame (is_event false) or *ev
 *  (is_event true) set, 0 when there is none now. Call from: main only. */
int bel_session_poll(bel_session *s, bool *is_event, bel_session_frame *frame, bel_event *ev);

/** The newest frame seen by bel_session_poll/run_main; false before the first.
 *  Call from: main only. */
bool bel_session_get_latest(const bel_session *s, bel_session_frame *out);

/** Counters now. Call from: any thread. */
void bel_session_get_counters(const bel_session *s, bel_session_counters *out);

/** Mark this moment (kind BEL_EV_MARKER, BEL_EV_DISCOMFORT, BEL_EV_PAUSE or
 *  BEL_EV_RESUME): the input thread
 *  emits the event at the next sample, so it is recorded, shown and exported like
 *  any other. Other kinds are ignored. Call from: any thread (lock-free). */
void bel_session_mark(bel_session *s, bel_event_kind kind);

/** The person asks for the relaxed level to be learnt afresh (r): the next sample carries
 *  BEL_ACTION_RELEARN, so the pipeline acts on it (its holdin_end, for a hold-in in
 *  progress, is published, recorded and shown like any event) and the recording keeps it.
 *  Call from: any thread (lock-free). */
void bel_session_relearn(bel_session *s);

/** The person says the figure shrinks as they breathe in (i): the next sample carries
 *  BEL_ACTION_TURN_ROUND, so the pipeline turns the belts round for the rest of the run
 *  and the recording keeps it, as bel_session_relearn. Call from: any thread (lock-free). */
void bel_session_turn_round(bel_session *s);

/** The same, asked for on what the frames showed with the belts turned round
 *  n_polarity_flips times (bel_metrics): dropped if they have been turned since (the
 *  breathing turned them first), so two readings of the same breaths never turn them
 *  twice. Call from: any thread (lock-free). */
void bel_session_turn_round_if(bel_session *s, uint32_t n_polarity_flips);

/** The breathing follows the pacer as the belts read (bel_pacer_follow.is_as_worn), judged
 *  on what the frames showed with the belts turned round n_polarity_flips times: the next
 *  sample carries BEL_ACTION_KEEP_READING, so the pipeline keeps that reading for the rest
 *  of the run (bel_pipeline_keep_reading) and the recording keeps it; dropped if the belts
 *  have been turned since, or their way was already said. Call from: any thread
 *  (lock-free). */
void bel_session_keep_reading_if(bel_session *s, uint32_t n_polarity_flips);

/** The main loop: until the input ends, stop_requested() (may be NULL) turns
 *  true or hooks->on_frame returns false. Prints events (unless quiet) and
 *  the metrics every 10 s of signal, calls hooks (may be NULL), and says on stderr
 *  the moment a write to the session's files fails (the session goes on). Then stops
 *  the threads, drains what is left and prints the final metrics and line
 *  counters. Returns BEL_OK or the first error (message: bel_session_get_error).
 *  Call from: main only. */
BEL_NODISCARD bel_status bel_session_run_main(bel_session *s, const bel_session_hooks *hooks,
                                              bool (*stop_requested)(void));

/** Stop and join the threads, close the files. Returns the first error
 *  (source, pipeline or file). Idempotent. Call from: main only. */
BEL_NODISCARD bel_status bel_session_finish(bel_session *s);

/** The summary of everything the session's own pipeline processed (the figures the
 *  person saw, with the session's polarity and calibration): what is stored. false
 *  (*out zeroed) before bel_session_finish. Call from: main only, after finish. */
bool bel_session_get_summary(const bel_session *s, bel_summary *out);

/** The session's own pipeline's running state after its last sample (relaxed level and
 *  depth, the polarity in use). false (*out zeroed) before bel_session_finish.
 *  Call from: main only, after finish. */
bool bel_session_get_metrics(const bel_session *s, bel_metrics *out);

/** Message of the first error, "" if none. Call from: main, after finish. */
const char *bel_session_get_error(const bel_session *s);

/** Free (finishing first if needed). NULL is fine. Call from: main only. */
void bel_session_destroy(bel_session *s);

#endif
