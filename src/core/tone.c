/* tone.c - breath tone and cue synthesis for the audio callback; ramped, lock-free parameters.
 * SPDX-License-Identifier: MIT */
#include "bellows/tone.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core_alloc.h"

enum {
    MAX_VOICES = 8,
    MAX_CHANNELS = 8,
};

static const float TWO_PI_F = 6.28318530718f;
static const float BRIGHTNESS = 0.3f;       /* second-harmonic share at full expansion */
static const float FREQ_RAMP_FACTOR = 3.0f; /* pitch glides slower than gains */
static const float HOLD_GAIN = 0.7f;        /* the breath-hold cue, gentler than the others */

typedef struct voice {
    bool is_active;
    bool is_holdin; /* on the hold-in bus (else the pacer-cue bus) */
    bool is_hold;   /* on the breath-hold bus (a gentler gain) */
    float freq_hz;
    float phase; /* 0..1 */
    int32_t n;   /* samples since start; negative while delayed */
    int32_t len; /* samples */
} voice;

struct bel_tone {
    bel_tone_config cfg;
    float fs;
    float gain_coef;  /* one-pole coefficient of the gain ramps */
    float pitch_coef; /* ... of the expansion (pitch) ramp */
    int32_t attack_n;
    int32_t fade_n;
    int64_t holdin_interval_n;
    int64_t since_holdin_n;
    int64_t since_hold_n; /* the same for the breath-hold cue */
    /* Ramped state. */
    float master;
    float breath_gain;
    float cue_gain;
    float holdin_gain;
    float hold_gain;
    float expansion;
    float breath_phase;
    voice voices[MAX_VOICES];
    uint32_t seen[BEL_TONE_CUE_COUNT];
    uint32_t played[BEL_TONE_CUE_COUNT];
};

bel_tone_config bel_tone_config_default(double fs_hz)
{
    bel_tone_config c;
    memset(&c, 0, sizeof c);
    c.fs_hz = fs_hz;
    c.breath_hz = 165.0f;
    c.breath_octaves = 0.5f;
    c.breath_amp = 0.12f;
    c.cue_hz[BEL_TONE_CUE_IN] = 523.25f;
    c.cue_hz[BEL_TONE_CUE_HOLD] = 392.0f;
    c.cue_hz[BEL_TONE_CUE_OUT] = 329.63f;
    c.cue_hz[BEL_TONE_CUE_HOLDIN] = 293.66f;
    c.holdin_second_hz = 440.0f;
    c.cue_hz[BEL_TONE_CUE_BREATH_HOLD] = 440.0f;
    c.hold_second_hz = 329.63f;
    c.holdin_gap_s = 0.35f;
    c.cue_amp = 0.22f;
    c.cue_attack_s = 0.015f;
    c.cue_decay_s = 0.25f;
    c.cue_len_s = 0.9f;
    c.ramp_s = 0.02f;
    c.holdin_min_interval_s = 20.0f;
    return c;
}

void bel_tone_params_init(bel_tone_params *params)
{
    atomic_init(&params->volume, 0.7f);
    atomic_init(&params->is_muted, false);
    atomic_init(&params->is_breath_on, true);
    atomic_init(&params->is_cues_on, true);
    atomic_init(&params->is_holdin_cue_on, true);
    atomic_init(&params->is_hold_cue_on, true);
    atomic_init(&params->expansion, 0.0f);
    for (int i = 0; i < BEL_TONE_CUE_COUNT; i++) {
        atomic_init(&params->cue_requests[i], 0u);
    }
}

bool bel_tone_params_is_lock_free(const bel_tone_params *params)
{
    return atomic_is_lock_free(&params->volume) && atomic_is_lock_free(&params->is_muted) &&
           atomic_is_lock_free(&params->expansion) && atomic_is_lock_free(&params->cue_requests[0]);
}

static float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

void bel_tone_set_volume(bel_tone_params *params, float volume)
{
    atomic_store_explicit(&params->volume, isfinite(volume) ? clampf(volume, 0.0f, 1.0f) : 0.0f,
                          memory_order_relaxed);
}

void bel_tone_set_muted(bel_tone_params *params, bool muted)
{
    atomic_store_explicit(&params->is_muted, muted, memory_order_relaxed);
}

void bel_tone_set_breath_on(bel_tone_params *params, bool on)
{
    atomic_store_explicit(&params->is_breath_on, on, memory_order_relaxed);
}

void bel_tone_set_cues_on(bel_tone_params *params, bool on)
{
    atomic_store_explicit(&params->is_cues_on, on, memory_order_relaxed);
}

void bel_tone_set_holdin_cue_on(bel_tone_params *params, bool on)
{
    atomic_store_explicit(&params->is_holdin_cue_on, on, memory_order_relaxed);
}

void bel_tone_set_hold_cue_on(bel_tone_params *params, bool on)
{
    atomic_store_explicit(&params->is_hold_cue_on, on, memory_order_relaxed);
}

void bel_tone_set_expansion(bel_tone_params *params, float expansion)
{
    float e = isfinite(expansion) ? clampf(expansion, 0.0f, 1.0f) : 0.0f;
    atomic_store_explicit(&params->expansion, e, memory_order_relaxed);
}

void bel_tone_request_cue(bel_tone_params *params, bel_tone_cue cue)
{
    if ((int)cue < 0 || cue >= BEL_TONE_CUE_COUNT) {
        return;
    }
    atomic_fetch_add_explicit(&params->cue_requests[cue], 1u, memory_order_release);
}

bel_tone_cue bel_tone_cue_for_phase(bel_pacer_phase phase)
{
    switch (phase) {
    case BEL_PACER_IN:
        return BEL_TONE_CUE_IN;
    case BEL_PACER_OUT:
        return BEL_TONE_CUE_OUT;
    case BEL_PACER_HOLD_IN:
    case BEL_PACER_HOLD_OUT:
    case BEL_PACER_PHASE_COUNT:
    default:
        return BEL_TONE_CUE_HOLD;
    }
}

static bool config_ok(const bel_tone_config *c)
{
    float nyquist = (float)c->fs_hz * 0.45f;
    if (!(c->fs_hz >= 8000.0 && c->fs_hz <= 192000.0)) {
        return false;
    }
    if (!(c->breath_hz > 20.0f && c->breath_octaves >= 0.0f && c->breath_octaves <= 2.0f &&
          c->breath_hz * exp2f(c->breath_octaves) * 2.0f < nyquist)) {
        return false;
    }
    for (int i = 0; i < BEL_TONE_CUE_COUNT; i++) {
        if (!(c->cue_hz[i] > 20.0f && c->cue_hz[i] < nyquist)) {
            return false;
        }
    }
    return c->holdin_second_hz > 20.0f && c->holdin_second_hz < nyquist &&
           c->hold_second_hz > 20.0f && c->hold_second_hz < nyquist && c->breath_amp >= 0.0f &&
           c->breath_amp <= 0.5f && c->cue_amp >= 0.0f && c->cue_amp <= 0.5f &&
           c->cue_attack_s >= 0.001f && c->cue_attack_s < c->cue_len_s * 0.5f &&
           c->cue_decay_s > 0.0f && c->cue_len_s > 0.0f && c->cue_len_s <= 10.0f &&
           c->holdin_gap_s >= 0.0f && c->holdin_gap_s <= 5.0f && c->ramp_s >= 0.001f &&
           c->ramp_s <= 1.0f && c->holdin_min_interval_s >= 0.0f &&
           c->holdin_min_interval_s <= 3600.0f;
}

bel_status bel_tone_create(const bel_tone_config *cfg, bel_tone **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !config_ok(cfg)) {
        return BEL_ERR_ARG;
    }
    bel_tone *t = BEL_CORE_CALLOC(1, sizeof *t);
    if (!t) {
        return BEL_ERR_NOMEM;
    }
    t->cfg = *cfg;
    t->fs = (float)cfg->fs_hz;
    t->gain_coef = 1.0f - expf(-1.0f / (cfg->ramp_s * t->fs));
    t->pitch_coef = 1.0f - expf(-1.0f / (FREQ_RAMP_FACTOR * cfg->ramp_s * t->fs));
    t->attack_n = (int32_t)lrintf(cfg->cue_attack_s * t->fs);
    t->fade_n = (int32_t)lrintf(0.2f * cfg->cue_len_s * t->fs);
    t->holdin_interval_n = (int64_t)llrint((double)cfg->holdin_min_interval_s * cfg->fs_hz);
    t->since_holdin_n = t->holdin_interval_n; /* the first hold-in cue may play at once */
    t->since_hold_n = t->holdin_interval_n;
    *out = t;
    return BEL_OK;
}

void bel_tone_destroy(bel_tone *t) { BEL_CORE_FREE(t); }

uint32_t bel_tone_get_cues_played(const bel_tone *t, bel_tone_cue cue)
{
    if ((int)cue < 0 || cue >= BEL_TONE_CUE_COUNT) {
        return 0;
    }
    return t->played[cue];
}

static void start_voice(bel_tone *t, float freq_hz, int32_t delay_n, bool is_holdin, bool is_hold)
{
    /* Take a free voice, or else the one that has played longest. */
    int pick = 0;
    for (int i = 0; i < MAX_VOICES; i++) {
        if (!t->voices[i].is_active) {
            pick = i;
            break;
        }
        if (t->voices[i].n > t->voices[pick].n) {
            pick = i;
        }
    }
    voice *v = &t->voices[pick];
    v->is_active = true;
    v->is_holdin = is_holdin;
    v->is_hold = is_hold;
    v->freq_hz = freq_hz;
    v->phase = 0.0f;
    v->n = -delay_n;
    v->len = (int32_t)lrintf(t->cfg.cue_len_s * t->fs);
}

static void take_requests(bel_tone *t, bel_tone_params *params, int n_frames)
{
    bool cues_on = atomic_load_explicit(&params->is_cues_on, memory_order_relaxed);
    bool holdin_on = atomic_load_explicit(&params->is_holdin_cue_on, memory_order_relaxed);
    bool hold_on = atomic_load_explicit(&params->is_hold_cue_on, memory_order_relaxed);
    for (int k = 0; k < BEL_TONE_CUE_COUNT; k++) {
        uint32_t c = atomic_load_explicit(&params->cue_requests[k], memory_order_acquire);
        if (c == t->seen[k]) {
            continue;
        }
        t->seen[k] = c;
        if (k == BEL_TONE_CUE_HOLDIN) {
            if (holdin_on && t->since_holdin_n >= t->holdin_interval_n) {
                t->since_holdin_n = 0;
                start_voice(t, t->cfg.cue_hz[k], 0, true, false);
                start_voice(t, t->cfg.holdin_second_hz,
                            (int32_t)lrintf(t->cfg.holdin_gap_s * t->fs), true, false);
                t->played[k]++;
            }
        } else if (k == BEL_TONE_CUE_BREATH_HOLD) {
            if (hold_on && t->since_hold_n >= t->holdin_interval_n) {
                t->since_hold_n = 0;
                start_voice(t, t->cfg.cue_hz[k], 0, false, true);
                start_voice(t, t->cfg.hold_second_hz, (int32_t)lrintf(t->cfg.holdin_gap_s * t->fs),
                            false, true);
                t->played[k]++;
            }
        } else if (cues_on) {
            start_voice(t, t->cfg.cue_hz[k], 0, false, false);
            t->played[k]++;
        }
    }
    if (t->since_holdin_n < t->holdin_interval_n) {
        t->since_holdin_n += n_frames;
    }
    if (t->since_hold_n < t->holdin_interval_n) {
        t->since_hold_n += n_frames;
    }
}

static float envelope(const bel_tone *t, const voice *v)
{
    float e;
    if (v->n < t->attack_n) {
        e = 0.5f - 0.5f * cosf(3.14159265f * (float)v->n / (float)t->attack_n);
    } else {
        e = expf(-(float)(v->n - t->attack_n) / (t->cfg.cue_decay_s * t->fs));
    }
    int32_t left = v->len - v->n;
    if (left < t->fade_n) {
        e *= (float)left / (float)t->fade_n;
    }
    return e;
}

void bel_tone_process(bel_tone *t, bel_tone_params *params, float *out, int n_frames,
                      int n_channels)
{
    if (!t || !params || !out || n_frames <= 0 || n_channels < 1 || n_channels > MAX_CHANNELS) {
        return;
    }
    take_requests(t, params, n_frames);
    bool muted = atomic_load_explicit(&params->is_muted, memory_order_relaxed);
    float volume = atomic_load_explicit(&params->volume, memory_order_relaxed);
    float target_master = muted ? 0.0f : clampf(volume, 0.0f, 1.0f);
    float target_breath =
        atomic_load_explicit(&params->is_breath_on, memory_order_relaxed) ? 1.0f : 0.0f;
    float target_cue =
        atomic_load_explicit(&params->is_cues_on, memory_order_relaxed) ? 1.0f : 0.0f;
    float target_holdin =
        atomic_load_explicit(&params->is_holdin_cue_on, memory_order_relaxed) ? 1.0f : 0.0f;
    /* The breath-hold cue is gentler than the others (0.7 of their level). */
    float target_hold =
        atomic_load_explicit(&params->is_hold_cue_on, memory_order_relaxed) ? HOLD_GAIN : 0.0f;
    float target_exp = atomic_load_explicit(&params->expansion, memory_order_relaxed);
    target_exp = isfinite(target_exp) ? clampf(target_exp, 0.0f, 1.0f) : 0.0f;

    const float g = t->gain_coef;
    const float gp = t->pitch_coef;
    const float inv_fs = 1.0f / t->fs;
    for (int i = 0; i < n_frames; i++) {
        t->master += g * (target_master - t->master);
        t->breath_gain += g * (target_breath - t->breath_gain);
        t->cue_gain += g * (target_cue - t->cue_gain);
        t->holdin_gain += g * (target_holdin - t->holdin_gain);
        t->hold_gain += g * (target_hold - t->hold_gain);
        t->expansion += gp * (target_exp - t->expansion);

        float e = t->expansion;
        float f = t->cfg.breath_hz * exp2f(e * t->cfg.breath_octaves);
        t->breath_phase += f * inv_fs;
        t->breath_phase -= floorf(t->breath_phase);
        float th = TWO_PI_F * t->breath_phase;
        float b = BRIGHTNESS * e;
        float breath = t->cfg.breath_amp * ((1.0f - b) * sinf(th) + b * sinf(2.0f * th));

        float cues = 0.0f;
        float holdin = 0.0f;
        float hold = 0.0f;
        for (int k = 0; k < MAX_VOICES; k++) {
            voice *v = &t->voices[k];
            if (!v->is_active) {
                continue;
            }
            if (v->n >= 0) {
                float x = t->cfg.cue_amp * envelope(t, v) * sinf(TWO_PI_F * v->phase);
                v->phase += v->freq_hz * inv_fs;
                v->phase -= floorf(v->phase);
                if (v->is_holdin) {
                    holdin += x;
                } else if (v->is_hold) {
                    hold += x;
                } else {
                    cues += x;
                }
            }
            v->n++;
            if (v->n >= v->len) {
                v->is_active = false;
            }
        }
        float y = t->master * (t->breath_gain * breath + t->cue_gain * cues +
                               t->holdin_gain * holdin + t->hold_gain * hold);
        for (int c = 0; c < n_channels; c++) {
            out[i * n_channels + c] = y;
        }
    }
}
