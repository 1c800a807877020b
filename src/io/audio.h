/* audio.h - PortAudio output of the tone synthesiser (bel_tone) for the live session.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_AUDIO_H
#define BELLOWS_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/status.h"
#include "bellows/tone.h"

enum { BEL_AUDIO_ERR_LEN = 256 };

typedef struct bel_audio_config {
    double fs_hz;       /**< output rate (default 48000) */
    int frames_per_buf; /**< callback buffer (default 128, 2.7 ms; 256 or the device's
                             own when it refuses) */
    int n_channels;     /**< 1 or 2 (default 2) */
    bool is_timing_on;  /**< keep each callback's timing (bel_audio_take_timings) */
} bel_audio_config;

typedef struct bel_audio bel_audio;

/** One callback's timing (for the latency benchmark). */
typedef struct bel_audio_timing {
    double mono_s;      /**< CLOCK_MONOTONIC at the callback's start */
    double dac_delay_s; /**< its first frame reaches the DAC this much later (PortAudio) */
    float expansion;    /**< the breath tone's target it synthesised towards */
} bel_audio_timing;

/** Defaults: 48 kHz, 128 frames, stereo, no timings. Call from: any thread. */
bel_audio_config bel_audio_config_default(void);

/** Open the default output device and start playing. The callback only runs
 *  bel_tone_process over `params` (kept: must outlive the stream). ALSA's
 *  device-probing messages are silenced. With no sound card: BEL_ERR_IO and err
 *  says so (the app prints "no audio output; continuing without tones").
 *  *out NULL on failure. Call from: main only. */
BEL_NODISCARD bel_status bel_audio_create(const bel_audio_config *cfg, bel_tone_params *params,
                                          bel_audio **out, char *err, size_t err_len);

/** Stop and close. NULL is fine. Call from: main only. */
void bel_audio_destroy(bel_audio *a);

/** Output underruns reported to the callback so far. Call from: any thread. */
uint32_t bel_audio_get_underruns(const bel_audio *a);

/** Frames the callback has produced so far. Call from: any thread. */
uint64_t bel_audio_get_frames(const bel_audio *a);

/** Frames per callback buffer the device took. Call from: any thread. */
int bel_audio_get_frames_per_buf(const bel_audio *a);

/** The stream's output latency as PortAudio reports it (Pa_GetStreamInfo), seconds.
 *  Call from: any thread. */
double bel_audio_get_output_latency_s(const bel_audio *a);

/** Take up to max callback timings kept since the last call (is_timing_on); the count.
 *  Call from: one thread (main). */
int bel_audio_take_timings(bel_audio *a, bel_audio_timing *out, int max);

#endif
