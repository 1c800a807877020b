/* audio.h - PortAudio output of the tone synthesiser (bel_tone) for the live session.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_AUDIO_H
#define BELLOWS_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "bellows/status.h"
#include "bellows/tone.h"

enum { BEL_AUDIO_ERR_LEN = 256 };

typedef struct bel_audio_config {
    double fs_hz;       /**< output rate (default 48000) */
    int frames_per_buf; /**< callback buffer (default 256, about 5 ms) */
    int n_channels;     /**< 1 or 2 (default 2) */
} bel_audio_config;

typedef struct bel_audio bel_audio;

/** Defaults: 48 kHz, 256 frames, stereo. Call from: any thread. */
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

#endif
