/* audio.c - PortAudio stream whose callback only synthesises (no locks, no allocation, no I/O).
 * SPDX-License-Identifier: MIT */
#include "audio.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "bellows/ring.h"

#include <alsa/asoundlib.h>
#include <portaudio.h>

struct bel_audio {
    bel_audio_config cfg;
    bel_tone_params *params;
    bel_tone *tone;
    PaStream *stream;
    bool is_pa_open;
    _Atomic uint32_t n_underruns;
    _Atomic uint64_t n_frames;
    int frames_per_buf;      /* what the device took */
    double output_latency_s; /* the stream's own figure */
    bel_ring *timing;        /* callback timings (is_timing_on), else NULL */
};

bel_audio_config bel_audio_config_default(void)
{
    bel_audio_config c = {48000.0, 128, 2, false};
    return c;
}

/* ALSA prints every failed probe of a missing device on stderr; the app says it once. */
static void alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt,
                       ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    (void)fmt;
}

/* PortAudio's JACK probe prints to stderr when no JACK server runs; mute fd 2 around
 * Pa_Initialize and Pa_Terminate (setup and teardown only). Returns the saved fd or -1. */
static int stderr_mute(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null_fd = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null_fd >= 0) {
        dup2(null_fd, STDERR_FILENO);
    }
    if (null_fd >= 0) {
        close(null_fd);
    }
    return saved;
}

static void stderr_restore(int saved)
{
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
}

/* PortAudio's ALSA host asserts, aborting the program, when ALSA's configuration cannot
 * be loaded, defines no PCM at all (ALSA_CONFIG_PATH naming a missing or empty file), or
 * no default PCM (a file with only other devices). Load it here first, as PortAudio
 * would, and see that it has a default PCM. */
static bool alsa_config_is_usable(void)
{
    if (snd_config_update() < 0 || !snd_config) {
        return false;
    }
    snd_config_t *pcm = NULL;
    return snd_config_search(snd_config, "pcm.default", &pcm) >= 0 && pcm != NULL;
}

static int callback(const void *input, void *output, unsigned long n_frames,
                    const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags,
                    void *user)
{
    (void)input;
    bel_audio *a = user;
    if (flags & paOutputUnderflow) {
        atomic_fetch_add_explicit(&a->n_underruns, 1u, memory_order_relaxed);
    }
    if (a->timing) { /* the benchmark: when, how far from the DAC, and for which target */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        bel_audio_timing t;
        t.mono_s = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
        t.dac_delay_s = time_info ? time_info->outputBufferDacTime - time_info->currentTime : 0.0;
        t.expansion = atomic_load_explicit(&a->params->expansion, memory_order_relaxed);
        (void)bel_ring_push(a->timing, &t); /* full: dropped */
    }
    bel_tone_process(a->tone, a->params, output, (int)n_frames, a->cfg.n_channels);
    atomic_fetch_add_explicit(&a->n_frames, (uint64_t)n_frames, memory_order_relaxed);
    return paContinue;
}

bel_status bel_audio_create(const bel_audio_config *cfg, bel_tone_params *params, bel_audio **out,
                            char *err, size_t err_len)
{
    if (err && err_len > 0) {
        err[0] = '\0';
    }
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !params || cfg->n_channels < 1 || cfg->n_channels > 2 || cfg->frames_per_buf < 16 ||
        cfg->frames_per_buf > 8192) {
        return BEL_ERR_ARG;
    }
    if (!bel_tone_params_is_lock_free(params)) {
        snprintf(err, err_len, "tone parameters are not lock-free on this machine");
        return BEL_ERR_IO;
    }
    bel_audio *a = calloc(1, sizeof *a);
    if (!a) {
        return BEL_ERR_NOMEM;
    }
    a->cfg = *cfg;
    a->params = params;
    atomic_init(&a->n_underruns, 0u);
    atomic_init(&a->n_frames, 0u);
    bel_tone_config tc = bel_tone_config_default(cfg->fs_hz);
    bel_status st = bel_tone_create(&tc, &a->tone);
    if (st != BEL_OK) {
        snprintf(err, err_len, "cannot set up the tones (%s)", bel_status_str(st));
        goto fail;
    }
    if (cfg->is_timing_on &&
        bel_ring_create(4096, sizeof(bel_audio_timing), &a->timing) != BEL_OK) {
        st = BEL_ERR_NOMEM;
        goto fail;
    }
    snd_lib_error_set_handler(alsa_quiet);
    if (!alsa_config_is_usable()) {
        snprintf(err, err_len, "no audio output (no usable ALSA configuration%s%s)",
                 getenv("ALSA_CONFIG_PATH") ? " in ALSA_CONFIG_PATH=" : "",
                 getenv("ALSA_CONFIG_PATH") ? getenv("ALSA_CONFIG_PATH") : "");
        goto fail;
    }
    int saved = stderr_mute();
    PaError pe = Pa_Initialize();
    stderr_restore(saved);
    if (pe != paNoError) {
        snprintf(err, err_len, "no audio output (%s)", Pa_GetErrorText(pe));
        goto fail;
    }
    a->is_pa_open = true;
    PaDeviceIndex dev = Pa_GetDefaultOutputDevice();
    if (dev == paNoDevice) {
        snprintf(err, err_len, "no audio output (no output device)");
        goto fail;
    }
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    PaStreamParameters op;
    op.device = dev;
    op.channelCount = cfg->n_channels;
    op.sampleFormat = paFloat32;
    op.suggestedLatency = info ? info->defaultLowOutputLatency : 0.02;
    op.hostApiSpecificStreamInfo = NULL;
    /* The smallest buffer the device takes: the one asked for (128 frames, 2.7 ms),
     * else 256, else whatever it likes. */
    const unsigned long tries[3] = {(unsigned long)cfg->frames_per_buf, 256,
                                    paFramesPerBufferUnspecified};
    pe = paInvalidFlag;
    for (int k = 0; k < 3 && pe != paNoError; k++) {
        if (k > 0 && tries[k] == tries[k - 1]) {
            continue;
        }
        pe = Pa_OpenStream(&a->stream, NULL, &op, cfg->fs_hz, tries[k], paClipOff, callback, a);
        a->frames_per_buf = (int)tries[k];
    }
    if (pe != paNoError) {
        a->stream = NULL;
        snprintf(err, err_len, "no audio output (%s)", Pa_GetErrorText(pe));
        goto fail;
    }
    const PaStreamInfo *si = Pa_GetStreamInfo(a->stream);
    a->output_latency_s = si ? si->outputLatency : 0.0;
    pe = Pa_StartStream(a->stream);
    if (pe != paNoError) {
        snprintf(err, err_len, "no audio output (%s)", Pa_GetErrorText(pe));
        goto fail;
    }
    *out = a;
    return BEL_OK;
fail:
    bel_audio_destroy(a);
    return st != BEL_OK ? st : BEL_ERR_IO;
}

void bel_audio_destroy(bel_audio *a)
{
    if (!a) {
        return;
    }
    if (a->stream) {
        Pa_StopStream(a->stream);
        Pa_CloseStream(a->stream);
    }
    if (a->is_pa_open) {
        int saved = stderr_mute();
        Pa_Terminate();
        stderr_restore(saved);
    }
    bel_tone_destroy(a->tone);
    bel_ring_destroy(a->timing);
    free(a);
}

uint32_t bel_audio_get_underruns(const bel_audio *a)
{
    return atomic_load_explicit(&a->n_underruns, memory_order_relaxed);
}

uint64_t bel_audio_get_frames(const bel_audio *a)
{
    return atomic_load_explicit(&a->n_frames, memory_order_relaxed);
}

int bel_audio_get_frames_per_buf(const bel_audio *a) { return a->frames_per_buf; }

double bel_audio_get_output_latency_s(const bel_audio *a) { return a->output_latency_s; }

int bel_audio_take_timings(bel_audio *a, bel_audio_timing *out, int max)
{
    int n = 0;
    while (a->timing && n < max && bel_ring_pop(a->timing, &out[n])) {
        n++;
    }
    return n;
}
