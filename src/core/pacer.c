/* pacer.c - breathing pacer pattern, adaptive slowing and the following score.
 * SPDX-License-Identifier: MIT */
#include "bellows/pacer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core_alloc.h"

enum {
    HISTORY = 32, /* remembered phase starts (IN and OUT), about 16 cycles */
};

static const float MIN_BPM = 2.0f;
static const float MAX_BPM = 30.0f;
static const float ADAPTIVE_MAX_START_BPM = 20.0f;
static const double TWO_PI = 6.283185307179586;

typedef struct phase_mark {
    double t_s;     /* when the phase started */
    float period_s; /* cycle length at that moment */
    bool is_inhale; /* IN start (else OUT start) */
} phase_mark;

struct bel_pacer {
    bel_pacer_config cfg;
    float phase_s[BEL_PACER_PHASE_COUNT]; /* current pattern */
    float adaptive_bpm;                   /* ADAPTIVE: current rate */
    bool own_rate_known;
    double calm_s; /* ADAPTIVE: calm pacing time since the last step */
    bool is_started;
    bool is_paused;
    bool is_held_in;
    double t_last_s;
    bel_pacer_phase phase;
    double progress; /* 0..1 within phase */
    uint32_t phase_seq;
    phase_mark marks[HISTORY];
    int mark_head; /* next write index */
    int n_marks;
    /* Score accumulators. */
    double live_cos;
    double live_sin;
    double live_lag_s;
    bool live_known;
    double sum_cos;
    uint32_t n_onsets;
};

static const char *const preset_names[BEL_PACER_PRESET_COUNT] = {
    "resonance", "box", "4-7-8", "even", "custom", "adaptive",
};

static const char *const phase_words[BEL_PACER_PHASE_COUNT] = {
    "breathe in",
    "hold",
    "breathe out",
    "rest",
};

bel_pacer_config bel_pacer_config_default(void)
{
    bel_pacer_config c;
    memset(&c, 0, sizeof c);
    c.preset = BEL_PACER_RESONANCE;
    c.phase_s[BEL_PACER_IN] = 4.0f;
    c.phase_s[BEL_PACER_OUT] = 6.0f;
    c.start_bpm = 12.0f;
    c.target_bpm = 6.0f;
    c.step_bpm = 0.5f;
    c.step_every_s = 120.0;
    c.in_fraction = 0.4f;
    c.score_weight = 0.25f;
    return c;
}

const char *bel_pacer_preset_name(bel_pacer_preset preset)
{
    if ((int)preset < 0 || preset >= BEL_PACER_PRESET_COUNT) {
        return "unknown";
    }
    return preset_names[preset];
}

int bel_pacer_preset_from_name(const char *name)
{
    if (!name) {
        return -1;
    }
    if (strcmp(name, "478") == 0) {
        return BEL_PACER_478;
    }
    for (int i = 0; i < BEL_PACER_PRESET_COUNT; i++) {
        if (strcmp(name, preset_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *bel_pacer_phase_word(bel_pacer_phase phase)
{
    if ((int)phase < 0 || phase >= BEL_PACER_PHASE_COUNT) {
        return "";
    }
    return phase_words[phase];
}

static float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

static float period_of(const bel_pacer *p)
{
    float sum = 0.0f;
    for (int i = 0; i < BEL_PACER_PHASE_COUNT; i++) {
        sum += p->phase_s[i];
    }
    return sum;
}

static void set_adaptive_pattern(bel_pacer *p)
{
    float period = 60.0f / p->adaptive_bpm;
    p->phase_s[BEL_PACER_IN] = period * p->cfg.in_fraction;
    p->phase_s[BEL_PACER_HOLD_IN] = 0.0f;
    p->phase_s[BEL_PACER_OUT] = period - p->phase_s[BEL_PACER_IN];
    p->phase_s[BEL_PACER_HOLD_OUT] = 0.0f;
}

/* The fixed presets' phases: in, hold, out, hold seconds. */
static const float preset_table[BEL_PACER_CUSTOM][BEL_PACER_PHASE_COUNT] = {
    {4.0f, 0.0f, 6.0f, 0.0f}, /* resonance */
    {4.0f, 4.0f, 4.0f, 4.0f}, /* box */
    {4.0f, 7.0f, 8.0f, 0.0f}, /* 4-7-8 */
    {5.0f, 0.0f, 5.0f, 0.0f}, /* even */
};

/* "custom:IN-HOLD-OUT-HOLD" into phase_s (in and out 0.5..60 s, holds 0..60 s). */
static bool parse_custom(const char *text, float phase_s[BEL_PACER_PHASE_COUNT])
{
    static const char prefix[] = "custom:";
    if (!text || strncmp(text, prefix, sizeof prefix - 1) != 0) {
        return false;
    }
    const char *p = text + sizeof prefix - 1;
    for (int i = 0; i < BEL_PACER_PHASE_COUNT; i++) {
        char *end = NULL;
        const double v = strtod(p, &end);
        const double lo = i % 2 == 0 ? 0.5 : 0.0;
        if (end == p || !(v >= lo && v <= 60.0) || *end != (i < 3 ? '-' : '\0')) {
            return false;
        }
        phase_s[i] = (float)v;
        p = end + 1;
    }
    return true;
}

int bel_pacer_from_name(const char *name, float phase_s[BEL_PACER_PHASE_COUNT])
{
    if (parse_custom(name, phase_s)) {
        return BEL_PACER_CUSTOM;
    }
    const int preset = bel_pacer_preset_from_name(name ? name : "resonance");
    if (preset < 0 || preset == BEL_PACER_CUSTOM) {
        return -1;
    }
    if (preset < BEL_PACER_CUSTOM) {
        memcpy(phase_s, preset_table[preset], sizeof preset_table[preset]);
    }
    return preset;
}

bool bel_pacer_fixed_phases(const char *name, float phase_s[BEL_PACER_PHASE_COUNT])
{
    float ph[BEL_PACER_PHASE_COUNT] = {0};
    const int preset = bel_pacer_from_name(name, ph);
    if (preset < 0 || preset == BEL_PACER_ADAPTIVE) {
        return false;
    }
    memcpy(phase_s, ph, sizeof ph);
    return true;
}

static void set_preset_pattern(bel_pacer *p)
{
    switch (p->cfg.preset) {
    case BEL_PACER_CUSTOM:
        memcpy(p->phase_s, p->cfg.phase_s, sizeof p->phase_s);
        break;
    case BEL_PACER_ADAPTIVE:
        p->adaptive_bpm = p->cfg.start_bpm;
        set_adaptive_pattern(p);
        break;
    case BEL_PACER_RESONANCE:
    case BEL_PACER_BOX:
    case BEL_PACER_478:
    case BEL_PACER_EVEN:
        memcpy(p->phase_s, preset_table[p->cfg.preset], sizeof p->phase_s);
        break;
    case BEL_PACER_PRESET_COUNT:
    default:
        break;
    }
}

static bool config_ok(const bel_pacer_config *c)
{
    if ((int)c->preset < 0 || c->preset >= BEL_PACER_PRESET_COUNT) {
        return false;
    }
    if (c->preset == BEL_PACER_CUSTOM) {
        for (int i = 0; i < BEL_PACER_PHASE_COUNT; i++) {
            if (!(c->phase_s[i] >= 0.0f && c->phase_s[i] <= 60.0f)) {
                return false;
            }
        }
        if (!(c->phase_s[BEL_PACER_IN] > 0.0f && c->phase_s[BEL_PACER_OUT] > 0.0f)) {
            return false;
        }
    }
    if (c->preset == BEL_PACER_ADAPTIVE) {
        if (!(c->target_bpm >= 3.0f && c->target_bpm <= MAX_BPM) ||
            !(c->start_bpm >= c->target_bpm && c->start_bpm <= MAX_BPM) ||
            !(c->step_bpm > 0.0f && c->step_bpm <= 5.0f) ||
            !(c->step_every_s >= 1.0 && c->step_every_s <= 3600.0) ||
            !(c->in_fraction >= 0.2f && c->in_fraction <= 0.6f)) {
            return false;
        }
    }
    return c->score_weight > 0.0f && c->score_weight <= 1.0f;
}

bel_status bel_pacer_create(const bel_pacer_config *cfg, bel_pacer **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !config_ok(cfg)) {
        return BEL_ERR_ARG;
    }
    bel_pacer *p = BEL_CORE_CALLOC(1, sizeof *p);
    if (!p) {
        return BEL_ERR_NOMEM;
    }
    p->cfg = *cfg;
    set_preset_pattern(p);
    p->live_cos = NAN;
    *out = p;
    return BEL_OK;
}

void bel_pacer_destroy(bel_pacer *p) { BEL_CORE_FREE(p); }

static void add_mark(bel_pacer *p, double t_s, bool is_inhale)
{
    phase_mark *m = &p->marks[p->mark_head];
    m->t_s = t_s;
    m->period_s = period_of(p);
    m->is_inhale = is_inhale;
    p->mark_head = (p->mark_head + 1) % HISTORY;
    if (p->n_marks < HISTORY) {
        p->n_marks++;
    }
}

static void enter_phase(bel_pacer *p, bel_pacer_phase phase, double t_s)
{
    p->phase = phase;
    p->phase_seq++;
    if (phase == BEL_PACER_IN || phase == BEL_PACER_OUT) {
        add_mark(p, t_s, phase == BEL_PACER_IN);
    }
}

static void adaptive_step(bel_pacer *p, double dt_s)
{
    if (p->cfg.preset != BEL_PACER_ADAPTIVE || p->is_held_in) {
        return;
    }
    if (p->adaptive_bpm <= p->cfg.target_bpm) {
        p->calm_s = 0.0;
        return;
    }
    p->calm_s += dt_s;
    if (p->calm_s >= p->cfg.step_every_s) {
        p->calm_s -= p->cfg.step_every_s;
        float next = p->adaptive_bpm - p->cfg.step_bpm;
        p->adaptive_bpm = next < p->cfg.target_bpm ? p->cfg.target_bpm : next;
        set_adaptive_pattern(p);
    }
}

void bel_pacer_update(bel_pacer *p, double t_s, bel_pacer_state *out)
{
    if (!p->is_started) {
        p->is_started = true;
        p->t_last_s = t_s;
        p->progress = 0.0;
        enter_phase(p, BEL_PACER_IN, t_s);
    }
    double dt = t_s - p->t_last_s;
    p->t_last_s = t_s;
    if (!(dt > 0.0) || p->is_paused) {
        dt = 0.0;
    }
    adaptive_step(p, dt);
    double period = period_of(p);
    if (dt > period) {
        dt = fmod(dt, period);
    }
    /* Walk through phase ends inside dt; at most one full cycle plus one phase. */
    double left = dt;
    for (int guard = 0; guard < 2 * BEL_PACER_PHASE_COUNT + 1; guard++) {
        double dur = p->phase_s[p->phase];
        double remain_s = (1.0 - p->progress) * dur;
        if (dur > 0.0 && left < remain_s) {
            p->progress += left / dur;
            break;
        }
        left -= remain_s;
        if (left < 0.0) {
            left = 0.0;
        }
        p->progress = 0.0;
        enter_phase(p, (bel_pacer_phase)((p->phase + 1) % BEL_PACER_PHASE_COUNT), t_s - left);
    }
    if (!out) {
        return;
    }
    float dur = p->phase_s[p->phase];
    float prog = clampf((float)p->progress, 0.0f, 1.0f);
    float eased = 0.5f - 0.5f * cosf(3.14159265f * prog);
    out->phase = p->phase;
    out->progress = prog;
    out->phase_s = dur;
    out->countdown_s = (1.0f - prog) * dur;
    switch (p->phase) {
    case BEL_PACER_IN:
        out->size = eased;
        break;
    case BEL_PACER_HOLD_IN:
        out->size = 1.0f;
        break;
    case BEL_PACER_OUT:
        out->size = 1.0f - eased;
        break;
    case BEL_PACER_HOLD_OUT:
    case BEL_PACER_PHASE_COUNT:
    default:
        out->size = 0.0f;
        break;
    }
    out->rate_bpm = 60.0f / period_of(p);
    out->phase_seq = p->phase_seq;
    out->is_paused = p->is_paused;
    out->is_holding_back = p->cfg.preset == BEL_PACER_ADAPTIVE && p->is_held_in;
}

void bel_pacer_set_paused(bel_pacer *p, bool paused) { p->is_paused = paused; }

void bel_pacer_change_rate(bel_pacer *p, float delta_bpm)
{
    if (!isfinite(delta_bpm)) {
        return;
    }
    if (p->cfg.preset == BEL_PACER_ADAPTIVE) {
        p->adaptive_bpm = clampf(p->adaptive_bpm + delta_bpm, MIN_BPM, MAX_BPM);
        p->cfg.target_bpm = clampf(p->cfg.target_bpm + delta_bpm, MIN_BPM, MAX_BPM);
        set_adaptive_pattern(p);
        return;
    }
    float rate = 60.0f / period_of(p);
    float next = clampf(rate + delta_bpm, MIN_BPM, MAX_BPM);
    float scale = rate / next;
    for (int i = 0; i < BEL_PACER_PHASE_COUNT; i++) {
        p->phase_s[i] *= scale;
    }
}

void bel_pacer_set_own_rate(bel_pacer *p, float rate_bpm)
{
    if (p->cfg.preset != BEL_PACER_ADAPTIVE || p->own_rate_known || !isfinite(rate_bpm)) {
        return;
    }
    p->own_rate_known = true;
    p->adaptive_bpm = clampf(rate_bpm, p->cfg.target_bpm, ADAPTIVE_MAX_START_BPM);
    p->calm_s = 0.0;
    set_adaptive_pattern(p);
}

void bel_pacer_set_holdin(bel_pacer *p, bool held_in) { p->is_held_in = held_in; }

void bel_pacer_restart(bel_pacer *p)
{
    p->is_started = false;
    p->own_rate_known = false;
    p->calm_s = 0.0;
    p->n_marks = 0;
    p->mark_head = 0;
    p->live_known = false;
    p->live_cos = NAN;
    if (p->cfg.preset == BEL_PACER_ADAPTIVE) {
        p->adaptive_bpm = p->cfg.start_bpm;
        set_adaptive_pattern(p);
    }
}

void bel_pacer_note_event(bel_pacer *p, const bel_event *ev)
{
    if (!ev || p->is_paused || p->n_marks == 0) {
        return;
    }
    bool want_inhale;
    if (ev->kind == BEL_EV_INSP_ONSET) {
        want_inhale = true;
    } else if (ev->kind == BEL_EV_EXP_ONSET) {
        want_inhale = false;
    } else {
        return;
    }
    const phase_mark *best = NULL;
    double best_d = 0.0;
    double oldest_s = INFINITY;
    for (int i = 0; i < p->n_marks; i++) {
        const phase_mark *m = &p->marks[i];
        if (m->t_s < oldest_s) {
            oldest_s = m->t_s;
        }
        if (m->is_inhale != want_inhale) {
            continue;
        }
        double d = ev->t_s - m->t_s;
        if (!best || fabs(d) < fabs(best_d)) {
            best = m;
            best_d = d;
        }
    }
    if (!best || ev->t_s < oldest_s) {
        return;
    }
    double period = best->period_s;
    double phi = TWO_PI * best_d / period;
    double c = cos(phi);
    double s = sin(phi);
    double w = p->cfg.score_weight;
    if (!p->live_known) {
        p->live_cos = c;
        p->live_sin = s;
        p->live_known = true;
    } else {
        p->live_cos += w * (c - p->live_cos);
        p->live_sin += w * (s - p->live_sin);
    }
    p->live_lag_s = atan2(p->live_sin, p->live_cos) / TWO_PI * period;
    p->sum_cos += c;
    p->n_onsets++;
}

void bel_pacer_get_follow(const bel_pacer *p, bel_pacer_follow *out)
{
    if (p->live_known) {
        out->score = clampf((float)p->live_cos, 0.0f, 1.0f);
        out->lag_s = (float)p->live_lag_s;
    } else {
        out->score = NAN;
        out->lag_s = NAN;
    }
    out->session_score =
        p->n_onsets > 0 ? clampf((float)(p->sum_cos / p->n_onsets), 0.0f, 1.0f) : NAN;
    out->n_onsets = p->n_onsets;
}
