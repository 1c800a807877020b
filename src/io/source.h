/* source.h - where samples come from: one small interface, several implementations.
 *
 * A source hands out bel_sample values one at a time. Implementations now:
 * replay of a recording CSV and the built-in simulated belt, each as fast as
 * possible or paced to real time against CLOCK_MONOTONIC. A serial belt plugs
 * into the same interface later.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SOURCE_H
#define BELLOWS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/sample.h"
#include "bellows/sim.h"
#include "bellows/status.h"
#include "recording.h"

/** What a source delivers, fixed at create. */
typedef struct bel_source_info {
    double fs_hz;   /**< nominal sample rate; NAN if unknown */
    int n_channels; /**< 1..BEL_MAX_CHANNELS */
    char channel_names[BEL_MAX_CHANNELS][BEL_RECORDING_NAME_LEN];
    /** A replay: how the session that made the recording read its belts (its comment
     *  lines, recording.h); is_valid false calibration and no flags otherwise. */
    bel_recording_settings recorded;
} bel_source_info;

/** Implementation table. `impl` is the implementation's own state. */
typedef struct bel_source_ops {
    /** Next sample: 1, 0 at the end, or a negative bel_status. BEL_ERR_TIMEOUT
     *  when nothing is due within timeout_ms (or a signal interrupted the wait);
     *  the caller simply calls again. */
    int (*read)(void *impl, bel_sample *out, int timeout_ms);
    /** One line for people: "replay of rec.csv (real time)". */
    const char *(*describe)(const void *impl);
    /** Last error message, "" if none. */
    const char *(*get_error)(const void *impl);
    /** Optional (may be NULL): bytes done and total, for progress bars. */
    void (*get_progress)(const void *impl, uint64_t *done, uint64_t *total);
    /** Free impl. */
    void (*destroy)(void *impl);
    /** Optional (may be NULL): let go of the device (close a serial port) once nothing
     *  more will be read; describe and get_error stay valid. */
    void (*release)(void *impl);
} bel_source_ops;

typedef struct bel_source bel_source;

/** Wrap an implementation; takes ownership of impl (destroyed with the source,
 *  also when this fails). ops must outlive the source. Call from: setup only. */
BEL_NODISCARD bel_status bel_source_create(const bel_source_ops *ops, void *impl,
                                           const bel_source_info *info, bel_source **out);

/** Replay the recording at path, as fast as possible or paced so sample times
 *  follow the monotonic clock (realtime). On failure *out is NULL and err gets
 *  the reader's message (file and line). Call from: setup only. */
BEL_NODISCARD bel_status bel_source_create_replay(const char *path, bool realtime, bel_source **out,
                                                  char *err, size_t err_len);

/** The simulated belt with cfg (copied), fast or paced to real time.
 *  Call from: setup only. */
BEL_NODISCARD bel_status bel_source_create_sim(const bel_sim_config *cfg, bool realtime,
                                               bel_source **out, char *err, size_t err_len);

/** Let go of the device the samples came from, once nothing more will be read from
 *  src (its reading thread has ended): a session's belt is free for the next session or
 *  assessment while its summary is still shown. describe stays valid. NULL is fine.
 *  Call from: the thread that owns src, after the reading thread has ended. */
void bel_source_release(bel_source *src);

/** Free the source and its implementation. NULL is fine. Call from: teardown. */
void bel_source_destroy(bel_source *src);

/** Next sample within timeout_ms (>= 0): 1, 0 at the end, BEL_ERR_TIMEOUT when
 *  nothing came in time (call again), other negative bel_status on failure
 *  (message in bel_source_get_error). Call from: the input thread. */
int bel_source_read(bel_source *src, bel_sample *out, int timeout_ms);

/** What it is, for the first line of a session. Call from: any thread. */
const char *bel_source_describe(const bel_source *src);

/** Last error message, "" if none. Call from: the reading thread. */
const char *bel_source_get_error(const bel_source *src);

/** Rate and channels, fixed at create. Call from: any thread. */
const bel_source_info *bel_source_get_info(const bel_source *src);

/** Progress in bytes; both 0 when the source has no end (simulator, belt).
 *  Call from: the reading thread. */
void bel_source_get_progress(const bel_source *src, uint64_t *done, uint64_t *total);

#endif
