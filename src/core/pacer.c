/* pacer.c - breathing pacer pattern, adaptive slowing and the following score.
 * SPDX-License-Identifier: MIT */
#include "bellows/pacer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core_alloc.h"

enum {
    HISTORY = 32,    /* remembered phase starts (IN and OUT), about 16 cycles */
    TURN_ONSETS = 8, /* the last onsets judged for which way round the breath follows */
};

/* An onset follows a phase start when it comes from TURN_LEAD_S before it (a
 * person ahead of the pacer, or a turn timed early: the end of a long hold that
 * sags) to TURN_LAG_S after it (a person who follows slowly), or from 0.15 to 0.2
 * of the cycle at fast paces: so the two readings' windows never meet (together
 * they are under half a cycle). A real follower's lag is steady: the onsets of
 * each kind that follow lie within TURN_SPREAD_S of each other, where breathing
 * freely near the pacer's rate slips through every phase. */
static const double TURN_LEAD_S = 1.5;
static const double TURN_LEAD_FRAC = 0.15;
static const double TURN_LAG_S = 2.0;
static const double TURN_LAG_FRAC = 0.2;
static const double TURN_SPREAD_S = 1.5;

static const float MIN_BPM = 2.0f;
static const float MAX_BPM = 30.0f;
static const float ADAPTIVE_MAX_START_BPM = 20.0f;
static const double TWO_PI = 6.283185307179586;

typedef struct phase_mark {
    double t_s;     /* when the phase started */
    float period_s; /* cycle length at that moment */
    bool is_inhale; /* IN start (else OUT start) */
} phase_mark;

/* One onset against the pacer, read both ways: [0] as the belts are read now, [1]
 * the other way round (its kind swapped). */
typedef struct onset_fit {
    double t_s;     /* when */
    double d_s[2];  /* from the nearest start of the matching phase */
    float period_s; /* the cycle then */
    bool is_inhale; /* read now */
} onset_fit;

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
    /* Score accumulators, [0] as the belts are read now, [1] the other way round. */
    double live_cos[2];
    double live_sin[2];
    double live_lag_s[2];
    bool live_known[2];
    double sum_cos[2];
    uint32_t n_onsets;
    onset_fit fits[TURN_ONSETS];
    int fit_head;
    int n_fits;
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
    p->live_cos[0] = p->live_cos[1] = NAN;
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
    p->live_known[0] = p->live_known[1] = false;
    p->live_cos[0] = p->live_cos[1] = NAN;
    p->n_fits = 0;
    p->fit_head = 0;
    if (p->cfg.preset == BEL_PACER_ADAPTIVE) {
        p->adaptive_bpm = p->cfg.start_bpm;
        set_adaptive_pattern(p);
    }
}

/* The remembered start of the phase (IN or OUT) nearest t_s, NULL if none. */
static const phase_mark *nearest_mark(const bel_pacer *p, double t_s, bool is_inhale)
{
    const phase_mark *best = NULL;
    for (int i = 0; i < p->n_marks; i++) {
        const phase_mark *m = &p->marks[i];
        if (m->is_inhale == is_inhale && (!best || fabs(t_s - m->t_s) < fabs(t_s - best->t_s))) {
            best = m;
        }
    }
    return best;
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
    double oldest_s = INFINITY;
    for (int i = 0; i < p->n_marks; i++) {
        oldest_s = fmin(oldest_s, p->marks[i].t_s);
    }
    const phase_mark *best[2] = {nearest_mark(p, ev->t_s, want_inhale),
                                 nearest_mark(p, ev->t_s, !want_inhale)};
    if (!best[0] || ev->t_s < oldest_s) {
        return;
    }
    onset_fit *f = &p->fits[p->fit_head];
    f->t_s = ev->t_s;
    f->period_s = best[0]->period_s;
    f->is_inhale = want_inhale;
    const double w = p->cfg.score_weight;
    f->d_s[1] = NAN; /* no start of the other phase yet: it follows none */
    for (int r = 0; r < 2; r++) {
        if (!best[r]) {
            continue;
        }
        const double d = ev->t_s - best[r]->t_s;
        const double period = best[r]->period_s;
        const double phi = TWO_PI * d / period;
        const double c = cos(phi);
        const double s = sin(phi);
        f->d_s[r] = d;
        if (!p->live_known[r]) {
            p->live_cos[r] = c;
            p->live_sin[r] = s;
            p->live_known[r] = true;
        } else {
            p->live_cos[r] += w * (c - p->live_cos[r]);
            p->live_sin[r] += w * (s - p->live_sin[r]);
        }
        p->live_lag_s[r] = atan2(p->live_sin[r], p->live_cos[r]) / TWO_PI * period;
        p->sum_cos[r] += c;
    }
    p->n_onsets++;
    p->fit_head = (p->fit_head + 1) % TURN_ONSETS;
    if (p->n_fits < TURN_ONSETS) {
        p->n_fits++;
    }
}

/* How many of the last TURN_ONSETS onsets follow the pacer read way r (0: as now, 1: the
 * other way round), and whether those of each kind that do lie within TURN_SPREAD_S of
 * each other (an inhalation and an exhalation may be timed with different biases;
 * is_steady may be NULL). */
static int n_following(const bel_pacer *p, int r, bool *is_steady)
{
    int n = 0;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < p->n_fits; i++) {
        const onset_fit *f = &p->fits[i];
        const double period = (double)f->period_s;
        const double lead = fmin(TURN_LEAD_S, TURN_LEAD_FRAC * period);
        const double lag = fmin(TURN_LAG_S, TURN_LAG_FRAC * period);
        if (f->d_s[r] >= -lead && f->d_s[r] <= lag) {
            const int k = f->is_inhale;
            n++;
            lo[k] = fmin(lo[k], f->d_s[r]);
            hi[k] = fmax(hi[k], f->d_s[r]);
        }
    }
    if (is_steady) {
        *is_steady = n > 0 && !(hi[0] - lo[0] > TURN_SPREAD_S) && !(hi[1] - lo[1] > TURN_SPREAD_S);
    }
    return n;
}

/* Whether the last TURN_ONSETS onsets come once a cycle: at least 3 of each kind, each
 * kind's a cycle apart on average (0.75-1.33 of it). Breathing once every two cycles,
 * locked to them, can have every onset near a phase start too. */
static bool is_at_pace(const bel_pacer *p)
{
    for (int k = 0; k < 2; k++) {
        int n = 0;
        double t0 = INFINITY, t1 = -INFINITY, period = 0.0;
        for (int i = 0; i < p->n_fits; i++) {
            const onset_fit *f = &p->fits[i];
            if (f->is_inhale == (k == 1)) {
                n++;
                t0 = fmin(t0, f->t_s);
                t1 = fmax(t1, f->t_s);
                period += (double)f->period_s;
            }
        }
        if (n < 3) {
            return false;
        }
        const double ratio = (t1 - t0) / (n - 1) / (period / n);
        if (!(ratio >= 0.75 && ratio <= 1.0 / 0.75)) {
            return false;
        }
    }
    return true;
}

/* Whether the last TURN_ONSETS onsets follow the pacer read way r (0: as now, 1: the
 * other way round) and not the other: is_turned_round (r 1) and is_as_worn (r 0). */
static bool follows_read(const bel_pacer *p, int r)
{
    if (p->n_fits < TURN_ONSETS || !is_at_pace(p)) {
        return false;
    }
    bool is_steady;
    const int n_this = n_following(p, r, &is_steady);
    const int n_other = n_following(p, 1 - r, NULL);
    return n_this >= TURN_ONSETS - 1 && is_steady && n_other <= 1;
}

static void swap2(double x[2])
{
    const double t = x[0];
    x[0] = x[1];
    x[1] = t;
}

void bel_pacer_turn_round(bel_pacer *p)
{
    swap2(p->live_cos);
    swap2(p->live_sin);
    swap2(p->live_lag_s);
    swap2(p->sum_cos);
    const bool k = p->live_known[0];
    p->live_known[0] = p->live_known[1];
    p->live_known[1] = k;
    for (int i = 0; i < p->n_fits; i++) {
        swap2(p->fits[i].d_s);
        p->fits[i].is_inhale = !p->fits[i].is_inhale;
    }
}

void bel_pacer_get_follow(const bel_pacer *p, bel_pacer_follow *out)
{
    if (p->live_known[0]) {
        out->score = clampf((float)p->live_cos[0], 0.0f, 1.0f);
        out->lag_s = (float)p->live_lag_s[0];
    } else {
        out->score = NAN;
        out->lag_s = NAN;
    }
    out->session_score =
        p->n_onsets > 0 ? clampf((float)(p->sum_cos[0] / p->n_onsets), 0.0f, 1.0f) : NAN;
    out->n_onsets = p->n_onsets;
    out->is_turned_round = follows_read(p, 1);
    out->is_as_worn = follows_read(p, 0);
}
