/* sim.c - the built-in simulated belt: a toy breathing model in ADC counts, with scripted episodes.
 *
 * The model: a breath volume curve v(t), in relaxed breath depths, built from
 * phases (inhale, top hold, exhale, bottom pause, breath hold). The inhale is a
 * raised cosine (zero slope at both ends), the exhale an exponential recoil
 * (fast, then slowing) normalised to land exactly on the next bottom, so the
 * trough sits exactly at the start of an inhale and the peak at the start of an
 * exhale: that is where the truth events are placed. Each belt reads
 * offset + posture + creep - hold-in pull + gain * v + cardiac + noise + spikes,
 * rounded to ADC counts and clipped to the rails.
 *
 * Three independent random streams (breath timing, sensor noise, episode
 * details) keep, for example, the breath times identical whether noise or a
 * posture shift is switched on or off.
 * SPDX-License-Identifier: MIT */
#include "bellows/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core_alloc.h"

enum {
    TRUTH_CAP = 64,   /* queued truth events; the oldest is dropped when full */
    MAX_ADVANCE = 16, /* phase changes handled per sample (bounded work) */
    ITEM_MAX = 128,   /* longest script item the parser accepts */
    ITEM_SHOWN = 40,  /* longest item text quoted in an error message */
};

static const double TWO_PI = 6.283185307179586;
static const double PI = 3.141592653589793;

/* ---------------------------------------------------------------- random numbers */

/* xoshiro256** (Blackman and Vigna, 2018), seeded through splitmix64. */
typedef struct rng {
    uint64_t s[4];
    bool has_spare;
    double spare;
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03u);
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
    r->has_spare = false;
    r->spare = 0.0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_u64(rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5u, 7) * 9u;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_uniform(rng *r) { return (double)(rng_u64(r) >> 11) * 0x1.0p-53; }

static double rng_range(rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

/* Standard normal, Box-Muller (both values used). */
static double rng_gauss(rng *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u1 = 1.0 - rng_uniform(r); /* (0, 1]: log is finite */
    double u2 = rng_uniform(r);
    double mag = sqrt(-2.0 * log(u1));
    r->spare = mag * sin(TWO_PI * u2);
    r->has_spare = true;
    return mag * cos(TWO_PI * u2);
}

static double clampd(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* ---------------------------------------------------------------- model state */

typedef enum phase {
    PH_INHALE = 0,
    PH_TOP, /* hold at the top (paced breathing) */
    PH_EXHALE,
    PH_PAUSE, /* end-expiratory pause at the bottom */
    PH_BHOLD, /* breath hold episode: no breathing */
} phase;

typedef enum shape {
    SH_FLAT = 0,   /* v0 plus a slow drift */
    SH_RAISED_COS, /* smooth inhale */
    SH_RECOIL,     /* exponential-like passive exhale */
    SH_UNEVEN,     /* speech exhale: monotonic, fast and slow stretches */
} shape;

/* One phase of the volume curve, from v0 at t0 to v1 at t1. */
typedef struct segment {
    phase ph;
    shape sh;
    double t0, t1;
    double v0, v1;
    double k;       /* SH_RECOIL: recoil constant; SH_UNEVEN: unevenness 0..1 */
    double c;       /* SH_UNEVEN: number of phrases */
    double drift_s; /* SH_FLAT: change per second */
} segment;

/* The current breath as planned at its insp_onset. */
typedef struct plan {
    double ti_s, th_s, te_s, tp_s; /* inhale, top hold, exhale, bottom pause */
    double depth;                  /* volume rise, relaxed depths */
    double bottom;                 /* level the exhale returns to */
    shape exhale_shape;
    double k, c;
} plan;

/* A raised-cosine move from `from` to `to` over [t0, t0 + dur_s]. */
typedef struct ramp {
    double t0, dur_s, from, to;
} ramp;

struct bel_sim {
    bel_sim_config cfg;
    int n_ch;
    uint64_t n;       /* index of the next sample */
    uint64_t n_total; /* 0: endless */
    double dt_s;
    rng r_breath, r_noise, r_event;

    /* per-simulator constants drawn at create */
    double off[2];         /* belt offsets, counts */
    double gain[2];        /* counts per relaxed depth of volume */
    double chest_ratio;    /* chest movement / belly movement, relaxed */
    double cardiac_amp[2]; /* counts */
    double hr0_bpm, hrv_period_s, hrv_phase;
    double creep_amp[2], creep_period_s[2], creep_phase[2], creep_sd[2], creep_a;
    double base_period_s, p_sigh, pause_frac;
    bool paced;

    /* breath generator */
    segment seg;
    plan pl;
    double rate_ar; /* slow component of period variation, unit variance */
    int n_recover;  /* deeper, quicker breaths left after a breath hold */
    bool have_insp, have_exp;
    double t_insp, t_exp, v_insp, last_ti_s, last_depth_counts;

    /* episodes */
    uint8_t ep_on[BEL_SIM_MAX_EPISODES];
    double ep_next_start[BEL_SIM_MAX_EPISODES];
    double ep_next_end[BEL_SIM_MAX_EPISODES];
    int n_holdin_on, n_hold_on, n_talk_on, n_deep_on;
    double deep_amount; /* depth of the deep breaths, relaxed depths */
    ramp holdin;        /* 0 relaxed .. 1 held in */
    double holdin_amount, holdin_keep, holdin_boost;
    ramp posture;                                     /* baseline step, relaxed depths */
    ramp retighten;                                   /* belly belt's step, relaxed depths */
    double startup_t0, startup_tau_s, startup_amount; /* settling after the belt is put on */
    bool startup_on;
    int n_unplug_on; /* cable pulled: samples are not delivered */
    bool bh_want, bh_after_inhale, bh_held_after_inhale;
    double bh_start_t, bh_release_t;

    /* sensor */
    double cardiac_phase;
    double creep_ou[2];

    /* truth queue (ring) */
    bel_event q[TRUTH_CAP];
    int q_head, q_len;
    uint32_t n_truth_dropped;
};

static double ramp_value(const ramp *r, double t)
{
    if (t <= r->t0 || r->dur_s <= 0.0) {
        return t <= r->t0 ? r->from : r->to;
    }
    if (t >= r->t0 + r->dur_s) {
        return r->to;
    }
    double u = (t - r->t0) / r->dur_s;
    return r->from + (r->to - r->from) * 0.5 * (1.0 - cos(PI * u));
}

static void ramp_start(ramp *r, double t0, double dur_s, double to)
{
    r->from = ramp_value(r, t0);
    r->t0 = t0;
    r->dur_s = dur_s;
    r->to = to;
}

/* Exhaled volume of a passive recoil, flow exp(-k u) (1 - exp(-u / 0.06)): the
 * flow builds up within a few percent of the phase (a rounded peak) and then
 * decays exponentially (fast, then slower). */
static double recoil(double k, double u)
{
    const double k2 = k + 1.0 / 0.06;
    return (1.0 - exp(-k * u)) / k - (1.0 - exp(-k2 * u)) / k2;
}

static double seg_value(const segment *sg, double t)
{
    if (sg->sh == SH_FLAT) {
        return sg->v0 + sg->drift_s * (t - sg->t0);
    }
    double span = sg->t1 - sg->t0;
    double u = span > 0.0 ? clampd((t - sg->t0) / span, 0.0, 1.0) : 1.0;
    double f;
    switch (sg->sh) {
    case SH_RAISED_COS:
        f = 0.5 * (1.0 - cos(PI * u));
        break;
    case SH_RECOIL:
        f = recoil(sg->k, u) / recoil(sg->k, 1.0);
        break;
    case SH_UNEVEN: {
        /* g(u) = u + k sin(2 pi c u) / (2 pi c): g' = 1 + k cos(..) > 0 for k < 1. */
        double w = TWO_PI * sg->c;
        f = (u + sg->k * sin(w * u) / w) / (1.0 + sg->k * sin(w) / w);
        break;
    }
    default:
        f = u;
        break;
    }
    return sg->v0 + (sg->v1 - sg->v0) * f;
}

/* ---------------------------------------------------------------- truth queue */

static void truth_push(bel_sim *s, bel_event ev)
{
    if (s->q_len == TRUTH_CAP) {
        s->q_head = (s->q_head + 1) % TRUTH_CAP;
        s->q_len--;
        s->n_truth_dropped++;
    }
    /* Insert in time order; equal times keep the order of emission. */
    int i = s->q_len;
    while (i > 0) {
        const bel_event *prev = &s->q[(s->q_head + i - 1) % TRUTH_CAP];
        if (prev->t_s <= ev.t_s) {
            break;
        }
        s->q[(s->q_head + i) % TRUTH_CAP] = *prev;
        i--;
    }
    s->q[(s->q_head + i) % TRUTH_CAP] = ev;
    s->q_len++;
}

static void truth_emit(bel_sim *s, bel_event_kind kind, double t)
{
    truth_push(s, bel_event_make(kind, t, t));
}

/* ---------------------------------------------------------------- breath generator */

/* Belly counts per unit of volume right now (a hold-in shrinks it). */
static double belly_gain_at(const bel_sim *s, double t)
{
    double h = ramp_value(&s->holdin, t);
    return s->gain[0] * (1.0 - h * (1.0 - s->holdin_keep));
}

/* Following a pacer, a person starts each inhalation about this long after the
 * pacer says so (the first one too). */
static const double pace_lag_s = 0.3;

static void plan_breath(bel_sim *s, double t0)
{
    rng *r = &s->r_breath;
    plan *p = &s->pl;
    const float *pace = s->cfg.pace_s;
    /* Always draw the same numbers, so one breath's kind does not shift the next ones. */
    double g_depth = rng_gauss(r);
    double g_period = rng_gauss(r);
    double g_ifrac = rng_gauss(r);
    double g_bottom = rng_gauss(r);
    double g_te = rng_gauss(r);
    double u_sigh = rng_uniform(r);
    double u_a = rng_uniform(r);
    double u_b = rng_uniform(r);
    double u_c = rng_uniform(r);
    double u_d = rng_uniform(r);
    s->rate_ar = 0.8 * s->rate_ar + 0.6 * rng_gauss(r);
    bool recovering = s->n_recover > 0; /* catching up after a breath hold */
    if (recovering) {
        s->n_recover--;
    }

    p->depth = clampd(1.0 + 0.12 * g_depth, 0.65, 1.4);
    p->bottom = clampd(0.04 * g_bottom, -0.1, 0.1);
    p->th_s = 0.0;
    p->exhale_shape = SH_RECOIL;
    p->c = 0.0;

    if (s->n_talk_on > 0) {
        /* Speech: a quick inhale, then a long, uneven exhale of varying length. */
        p->ti_s = 0.35 + 0.35 * u_a;
        p->te_s = 1.8 + 3.7 * u_b;
        p->tp_s = 0.0;
        p->depth = 0.5 + 0.8 * u_c;
        p->bottom = -0.05 + 0.3 * u_d;
        p->exhale_shape = SH_UNEVEN;
        p->k = 0.55 + 0.3 * u_a;
        p->c = 1.5 + 3.0 * u_b;
        return;
    }
    if (s->paced) {
        /* Following a pacer: close to the pattern, a few percent off. */
        p->ti_s = fmax(0.3, (double)pace[0] * (1.0 + 0.04 * g_period) + 0.1 * (u_a - 0.5));
        p->th_s = pace[1] > 0.0f ? fmax(0.1, (double)pace[1] * (1.0 + 0.04 * g_ifrac)) : 0.0;
        p->te_s = fmax(0.4, (double)pace[2] * (1.0 + 0.04 * g_te) + 0.1 * (u_b - 0.5));
        p->tp_s = pace[3] > 0.0f ? fmax(0.1, (double)pace[3] * (1.0 + 0.04 * g_bottom)) : 0.0;
        p->k = 1.5; /* a controlled exhale is closer to linear */
        /* The person watches the pacer: each breath is stretched or shrunk (by a
         * fifth at most) to start the next one with the pacer's next cycle, so a
         * few percent off in each phase never adds up to drifting out of step. */
        const double cycle = (double)pace[0] + (double)pace[1] + (double)pace[2] + (double)pace[3];
        const double drawn = p->ti_s + p->th_s + p->te_s + p->tp_s;
        const double next =
            floor((t0 + cycle - pace_lag_s) / cycle + 0.5) * cycle + pace_lag_s + 0.2 * (u_d - 0.5);
        const double f = clampd((next - t0) / drawn, 0.8, 1.25);
        p->ti_s *= f;
        p->th_s *= f;
        p->te_s *= f;
        p->tp_s *= f;
        return;
    }
    double jitter = (double)s->cfg.rate_jitter;
    double m = clampd(1.0 + jitter * (0.7 * s->rate_ar + 0.7 * g_period), 0.5, 1.5);
    double period = s->base_period_s * m;
    double ifrac = clampd(0.37 + 0.025 * g_ifrac, 0.3, 0.45);
    if (u_sigh < s->p_sigh) {
        period *= 1.4 + 0.3 * u_a;
        p->depth *= 2.0 + 0.5 * u_b;
        ifrac = clampd(ifrac + 0.05, 0.3, 0.5);
    }
    if (recovering) {
        period *= 0.85;
        p->depth *= 1.4;
    }
    if (s->n_deep_on > 0) { /* asked for a deep breath: slow and deep */
        period *= 1.3 + 0.2 * s->deep_amount;
        p->depth = s->deep_amount * (1.0 + 0.05 * g_depth);
        ifrac = clampd(ifrac + 0.05, 0.3, 0.5);
    }
    p->ti_s = fmax(0.25, period * ifrac);
    double rest = period - p->ti_s;
    p->tp_s = rest * s->pause_frac * (0.6 + 0.8 * u_c);
    p->te_s = fmax(0.3, rest - p->tp_s);
    p->k = 2.5 + 1.0 * u_d;
}

static void enter_inhale(bel_sim *s, double t0, double v0)
{
    plan_breath(s, t0);
    bel_event ev = bel_event_make(BEL_EV_INSP_ONSET, t0, t0);
    if (s->have_insp && s->have_exp) {
        ev.ti_s = (float)s->last_ti_s;
        ev.te_s = (float)(t0 - s->t_exp);
        ev.depth = (float)s->last_depth_counts;
    }
    truth_push(s, ev);
    s->have_insp = true;
    s->t_insp = t0;
    s->v_insp = v0;
    segment sg = {PH_INHALE, SH_RAISED_COS, t0, t0 + s->pl.ti_s, v0, v0 + s->pl.depth, 0, 0, 0};
    s->seg = sg;
}

static void enter_exhale(bel_sim *s, double t0, double v0)
{
    bel_event ev = bel_event_make(BEL_EV_EXP_ONSET, t0, t0);
    if (s->have_insp) {
        s->last_ti_s = t0 - s->t_insp;
        s->last_depth_counts = (v0 - s->v_insp) * belly_gain_at(s, t0);
        ev.ti_s = (float)s->last_ti_s;
        ev.depth = (float)s->last_depth_counts;
    }
    truth_push(s, ev);
    s->have_exp = true;
    s->t_exp = t0;
    segment sg = {
        PH_EXHALE, s->pl.exhale_shape, t0, t0 + s->pl.te_s, v0, s->pl.bottom, s->pl.k, s->pl.c, 0};
    s->seg = sg;
}

static void enter_flat(bel_sim *s, phase ph, double t0, double dur_s, double v0, double drift_s)
{
    segment sg = {ph, SH_FLAT, t0, t0 + dur_s, v0, v0, 0, 0, drift_s};
    s->seg = sg;
}

static void enter_bhold(bel_sim *s, double t0, double v0)
{
    truth_emit(s, BEL_EV_BREATH_HOLD_START, t0);
    s->bh_held_after_inhale = s->bh_after_inhale;
    /* A held breath is not quite still: lungs settle slowly. */
    double drift = s->bh_after_inhale ? -0.004 : 0.002;
    enter_flat(s, PH_BHOLD, t0, HUGE_VAL, v0, drift);
}

/* The current phase ended at tb: start the next one. */
static void advance(bel_sim *s, double tb)
{
    double v = seg_value(&s->seg, tb);
    bool want = s->bh_want && tb >= s->bh_start_t;
    bool hold_top = want && s->bh_after_inhale;
    bool hold_bottom = want && !s->bh_after_inhale;
    switch (s->seg.ph) {
    case PH_INHALE:
        if (hold_top) {
            enter_bhold(s, tb, v);
        } else if (s->pl.th_s > 0.0 && !hold_bottom) {
            enter_flat(s, PH_TOP, tb, s->pl.th_s, v, 0.0);
        } else {
            enter_exhale(s, tb, v);
        }
        break;
    case PH_TOP:
        if (hold_top) {
            enter_bhold(s, tb, v);
        } else {
            enter_exhale(s, tb, v);
        }
        break;
    case PH_EXHALE:
        if (hold_bottom) {
            enter_bhold(s, tb, v);
        } else if (s->pl.tp_s > 0.0 && !hold_top) {
            enter_flat(s, PH_PAUSE, tb, s->pl.tp_s, v, 0.0);
        } else {
            enter_inhale(s, tb, v);
        }
        break;
    case PH_PAUSE:
        if (hold_bottom) {
            enter_bhold(s, tb, v);
        } else {
            enter_inhale(s, tb, v);
        }
        break;
    case PH_BHOLD:
    default:
        truth_emit(s, BEL_EV_BREATH_HOLD_END, tb);
        s->n_recover = 3;
        if (s->bh_held_after_inhale) {
            s->pl.te_s = fmax(s->pl.te_s, 1.5);
            enter_exhale(s, tb, v);
        } else {
            enter_inhale(s, tb, v);
        }
        break;
    }
}

/* A breath hold is wanted: turn a movement away from the hold level around
 * now if it has covered 40 % of its way; before that, turning would make a
 * tiny breath, so it runs on and the hold comes one movement later. */
static void steer_to_hold(bel_sim *s, double t)
{
    segment *sg = &s->seg;
    double v = seg_value(sg, t);
    double span = sg->v1 - sg->v0;
    double done = fabs(span) > 1e-9 ? (v - sg->v0) / span : 1.0;
    if (s->bh_after_inhale) {
        if (sg->ph == PH_PAUSE || (sg->ph == PH_EXHALE && done >= 0.4)) {
            enter_inhale(s, t, v);
        }
    } else {
        if (sg->ph == PH_PAUSE) {
            enter_bhold(s, t, v);
        } else if (sg->ph == PH_TOP || (sg->ph == PH_INHALE && done >= 0.4)) {
            enter_exhale(s, t, v);
        }
    }
}

/* ---------------------------------------------------------------- episodes */

static void episode_edge(bel_sim *s, const bel_sim_episode *e, bool on, double te)
{
    rng *r = &s->r_event;
    switch (e->kind) {
    case BEL_SIM_HOLDIN:
        s->n_holdin_on += on ? 1 : -1;
        if (on && s->n_holdin_on == 1) {
            truth_emit(s, BEL_EV_HOLDIN_START, te);
            s->holdin_amount = (double)e->amount;
            s->holdin_keep = rng_range(r, 0.10, 0.45);
            /* The chest takes over most of what the belly gives up. */
            s->holdin_boost = 0.8 * (1.0 - s->holdin_keep) / s->chest_ratio;
            ramp_start(&s->holdin, te, rng_range(r, 1.0, 2.0), 1.0);
        } else if (!on && s->n_holdin_on == 0) {
            truth_emit(s, BEL_EV_HOLDIN_END, te);
            ramp_start(&s->holdin, te, rng_range(r, 1.0, 2.0), 0.0);
        }
        break;
    case BEL_SIM_BREATH_HOLD:
        s->n_hold_on += on ? 1 : -1;
        if (on) {
            s->bh_want = true;
            s->bh_start_t = te;
            s->bh_after_inhale = e->amount >= 0.5f;
        } else if (s->n_hold_on == 0) {
            s->bh_want = false;
            s->bh_release_t = te;
        }
        break;
    case BEL_SIM_TALK:
        s->n_talk_on += on ? 1 : -1;
        break;
    case BEL_SIM_DEEP:
        s->n_deep_on += on ? 1 : -1;
        if (on) {
            s->deep_amount = (double)e->amount;
        }
        break;
    case BEL_SIM_STARTUP:
        if (on) {
            s->startup_on = true;
            s->startup_t0 = te;
            s->startup_tau_s = e->duration_s / 4.0;
            s->startup_amount = (double)e->amount;
        }
        break;
    case BEL_SIM_UNPLUG:
        s->n_unplug_on += on ? 1 : -1;
        break;
    case BEL_SIM_POSTURE:
    case BEL_SIM_RETIGHTEN:
    default:
        break;
    }
}

/* Episodes change state at their exact scripted times, kept as the next start
 * and end of each one, so events land on the script's times to the bit. */
static void update_episodes(bel_sim *s, double t)
{
    double period = s->cfg.script_period_s;
    for (int i = 0; i < s->cfg.n_episodes; i++) {
        const bel_sim_episode *e = &s->cfg.episodes[i];
        for (int guard = 0; guard < 4; guard++) {
            double t_start = s->ep_next_start[i];
            double t_end = s->ep_next_end[i];
            if (e->kind == BEL_SIM_POSTURE || e->kind == BEL_SIM_RETIGHTEN) {
                if (t < t_start) {
                    break;
                }
                if (e->kind == BEL_SIM_POSTURE) {
                    double to = s->posture.to + (double)e->amount;
                    ramp_start(&s->posture, t_start, rng_range(&s->r_event, 0.8, 1.2), to);
                } else {
                    ramp_start(&s->retighten, t_start, 0.1, s->retighten.to + (double)e->amount);
                }
                s->ep_next_start[i] = period > 0.0 ? t_start + period : HUGE_VAL;
            } else if (s->ep_on[i] && t_start <= t_end && t >= t_start) {
                /* the next repeat begins before this one ends: it just goes on */
                s->ep_next_end[i] = t_start + e->duration_s;
                s->ep_next_start[i] = period > 0.0 ? t_start + period : HUGE_VAL;
            } else if (s->ep_on[i] && t >= t_end) {
                s->ep_on[i] = 0;
                episode_edge(s, e, false, t_end);
            } else if (!s->ep_on[i] && t >= t_start) {
                s->ep_on[i] = 1;
                s->ep_next_end[i] = t_start + e->duration_s;
                s->ep_next_start[i] = period > 0.0 ? t_start + period : HUGE_VAL;
                episode_edge(s, e, true, t_start);
            } else {
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------- configuration */

bel_sim_config bel_sim_config_default(void)
{
    bel_sim_config c;
    memset(&c, 0, sizeof c);
    c.seed = 1;
    c.fs_hz = 50.0;
    c.duration_s = 0.0;
    c.chest = false;
    c.rate_bpm = 14.0f;
    c.rate_jitter = 0.1f;
    c.depth_counts = 120.0f;
    c.sigh_per_min = 0.3f;
    c.creep_counts_per_min = 5.0f;
    c.noise_counts = 1.0f;
    c.cardiac_counts = 1.5f;
    c.spikes_per_min = 0.2f;
    c.adc_bits = 10;
    c.script_period_s = 0.0;
    c.n_episodes = 0;
    return c;
}

void bel_sim_config_demo_script(bel_sim_config *cfg)
{
    /* Every 4 minutes: a minute of relaxed breathing, a 30 s hold-in, relaxed
     * again, a 15 s breath hold, then sitting up and slumping back. */
    static const bel_sim_episode demo[] = {
        {BEL_SIM_HOLDIN, 60.0, 30.0, 1.5f},
        {BEL_SIM_BREATH_HOLD, 130.0, 15.0, 1.0f},
        {BEL_SIM_POSTURE, 180.0, 0.0, 1.0f},
        {BEL_SIM_POSTURE, 215.0, 0.0, -1.0f},
    };
    const int n = (int)(sizeof demo / sizeof demo[0]);
    if (!cfg || cfg->n_episodes < 0 || cfg->n_episodes > BEL_SIM_MAX_EPISODES - n) {
        return;
    }
    for (int i = 0; i < n; i++) {
        cfg->episodes[cfg->n_episodes++] = demo[i];
    }
    if (!(cfg->script_period_s > 0.0)) {
        cfg->script_period_s = 240.0;
    }
}

static bool in_range(double x, double lo, double hi)
{
    return x >= lo && x <= hi; /* false for NaN */
}

/* Accepted episode amounts, by kind (also used by the parser's messages). */
static bool amount_ok(bel_sim_episode_kind kind, double a)
{
    switch (kind) {
    case BEL_SIM_HOLDIN:
        return in_range(a, 0.1, 5.0);
    case BEL_SIM_BREATH_HOLD:
        return in_range(a, 0.0, 1.0);
    case BEL_SIM_POSTURE:
        return in_range(a, -10.0, 10.0);
    case BEL_SIM_DEEP:
        return in_range(a, 1.2, 5.0);
    case BEL_SIM_STARTUP:
    case BEL_SIM_RETIGHTEN:
        return in_range(a, -20.0, 20.0);
    case BEL_SIM_UNPLUG:
    case BEL_SIM_TALK:
    default:
        return isfinite(a);
    }
}

static bool config_ok(const bel_sim_config *c)
{
    if (!in_range(c->fs_hz, 5.0, 1000.0) || !in_range(c->duration_s, 0.0, 1e9) ||
        !in_range((double)c->rate_bpm, 3.0, 40.0) || !in_range((double)c->rate_jitter, 0.0, 0.5) ||
        !in_range((double)c->depth_counts, 0.0, 1e6) ||
        !in_range((double)c->sigh_per_min, 0.0, 10.0) ||
        !in_range((double)c->creep_counts_per_min, 0.0, 1e4) ||
        !in_range((double)c->noise_counts, 0.0, 1e5) ||
        !in_range((double)c->cardiac_counts, 0.0, 1e5) ||
        !in_range((double)c->spikes_per_min, 0.0, 600.0) || c->adc_bits < 4 || c->adc_bits > 24 ||
        !(c->script_period_s == 0.0 || in_range(c->script_period_s, 1.0, 1e9)) ||
        c->n_episodes < 0 || c->n_episodes > BEL_SIM_MAX_EPISODES) {
        return false;
    }
    bool paced = false;
    for (int i = 0; i < 4; i++) {
        if (!in_range((double)c->pace_s[i], 0.0, 120.0)) {
            return false;
        }
        paced = paced || c->pace_s[i] > 0.0f;
    }
    /* A pattern needs an inhale and an exhale. */
    if (paced && (c->pace_s[0] <= 0.0f || c->pace_s[2] <= 0.0f)) {
        return false;
    }
    for (int i = 0; i < c->n_episodes; i++) {
        const bel_sim_episode *e = &c->episodes[i];
        if ((int)e->kind < BEL_SIM_HOLDIN || e->kind > BEL_SIM_UNPLUG ||
            !in_range(e->t_start_s, 0.0, 1e9) || !amount_ok(e->kind, (double)e->amount)) {
            return false;
        }
        if (e->kind != BEL_SIM_POSTURE && e->kind != BEL_SIM_RETIGHTEN &&
            !(e->duration_s > 0.0 && e->duration_s <= 1e9)) {
            return false;
        }
    }
    return true;
}

/* ---------------------------------------------------------------- script parser */

/* Decimal number without exponent, locale-independent: [sign]digits[.digits].
 * The whole of text must be the number. */
static bool parse_number(const char *text, bool allow_sign, double *out)
{
    const char *p = text;
    double sign = 1.0;
    if (allow_sign && (*p == '+' || *p == '-')) {
        sign = *p == '-' ? -1.0 : 1.0;
        p++;
    }
    double v = 0.0;
    int n_digits = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10.0 + (double)(*p - '0');
        n_digits++;
        p++;
    }
    if (*p == '.') {
        p++;
        double scale = 0.1;
        while (*p >= '0' && *p <= '9') {
            v += scale * (double)(*p - '0');
            scale *= 0.1;
            n_digits++;
            p++;
        }
    }
    if (n_digits == 0 || *p != '\0' || !(v <= 1e9)) {
        return false;
    }
    *out = sign * v;
    return true;
}

static void set_err(char *err, size_t err_len, int item, const char *text, const char *msg)
{
    if (!err || err_len == 0) {
        return;
    }
    char shown[ITEM_SHOWN + 4];
    size_t n = strlen(text);
    if (n > ITEM_SHOWN) {
        memcpy(shown, text, ITEM_SHOWN);
        memcpy(shown + ITEM_SHOWN, "...", 4);
    } else {
        memcpy(shown, text, n + 1);
    }
    snprintf(err, err_len, "item %d '%s': %s", item, shown, msg);
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Parse one trimmed item; on failure return the message. */
static const char *parse_item(char *item, bel_sim_episode *e)
{
    char *at = strchr(item, '@');
    if (!at) {
        return "expected kind@start_s+duration_s[:amount]";
    }
    *at = '\0';
    const char *kind = item;
    char *start = at + 1;
    char *colon = strchr(start, ':');
    if (colon) {
        *colon = '\0';
    }
    char *plus = strchr(start, '+');
    if (plus) {
        *plus = '\0';
    }
    if (strcmp(kind, "holdin") == 0) {
        e->kind = BEL_SIM_HOLDIN;
        e->amount = 1.5f;
    } else if (strcmp(kind, "hold") == 0) {
        e->kind = BEL_SIM_BREATH_HOLD;
        e->amount = 1.0f;
    } else if (strcmp(kind, "posture") == 0) {
        e->kind = BEL_SIM_POSTURE;
        e->amount = 1.0f;
    } else if (strcmp(kind, "talk") == 0) {
        e->kind = BEL_SIM_TALK;
        e->amount = 0.0f;
    } else if (strcmp(kind, "deep") == 0) {
        e->kind = BEL_SIM_DEEP;
        e->amount = 2.5f;
    } else if (strcmp(kind, "startup") == 0) {
        e->kind = BEL_SIM_STARTUP;
        e->amount = 5.0f;
    } else if (strcmp(kind, "retighten") == 0) {
        e->kind = BEL_SIM_RETIGHTEN;
        e->amount = 3.0f;
    } else if (strcmp(kind, "unplug") == 0) {
        e->kind = BEL_SIM_UNPLUG;
        e->amount = 0.0f;
    } else {
        return "unknown kind (use holdin, hold, posture, talk, deep, startup, retighten or "
               "unplug)";
    }
    if (!parse_number(start, false, &e->t_start_s)) {
        return "start is not a number";
    }
    e->duration_s = 0.0;
    if (plus) {
        if (!parse_number(plus + 1, false, &e->duration_s)) {
            return "duration is not a number";
        }
        if (!(e->duration_s > 0.0)) {
            return "duration must be more than 0 s";
        }
    } else if (e->kind != BEL_SIM_POSTURE && e->kind != BEL_SIM_RETIGHTEN) {
        return "needs a duration (kind@start_s+duration_s)";
    }
    if (colon) {
        double a = 0.0;
        if (!parse_number(colon + 1, true, &a)) {
            return "amount is not a number";
        }
        if (!amount_ok(e->kind, a)) {
            switch (e->kind) {
            case BEL_SIM_HOLDIN:
                return "holdin amount must be 0.1..5 relaxed depths";
            case BEL_SIM_BREATH_HOLD:
                return "hold amount must be 0..1 (1: after an inhale, 0: after an exhale)";
            case BEL_SIM_DEEP:
                return "deep amount must be 1.2..5 relaxed depths";
            case BEL_SIM_STARTUP:
            case BEL_SIM_RETIGHTEN:
                return "startup and retighten amounts must be -20..20 relaxed depths";
            default:
                return "posture amount must be -10..10 relaxed depths";
            }
        }
        e->amount = (float)a;
    }
    return NULL;
}

bel_status bel_sim_parse_script(const char *text, bel_sim_config *cfg, char *err, size_t err_len)
{
    if (err && err_len > 0) {
        err[0] = '\0';
    }
    if (!text || !cfg) {
        return BEL_ERR_ARG;
    }
    bel_sim_episode eps[BEL_SIM_MAX_EPISODES];
    int n = 0;
    const char *p = text;
    while (is_space(*p)) {
        p++;
    }
    if (*p == '\0') {
        cfg->n_episodes = 0;
        return BEL_OK;
    }
    for (int item = 1;; item++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char buf[ITEM_MAX + 1];
        size_t copy = len < ITEM_MAX ? len : ITEM_MAX;
        memcpy(buf, p, copy);
        buf[copy] = '\0';
        /* trim */
        char *b = buf;
        while (is_space(*b)) {
            b++;
        }
        size_t bl = strlen(b);
        while (bl > 0 && is_space(b[bl - 1])) {
            b[--bl] = '\0';
        }
        char shown[ITEM_MAX + 1];
        memcpy(shown, b, bl + 1);
        if (len > ITEM_MAX) {
            set_err(err, err_len, item, shown, "item too long");
            return BEL_ERR_FORMAT;
        }
        if (bl == 0) {
            set_err(err, err_len, item, shown, "empty item (stray comma?)");
            return BEL_ERR_FORMAT;
        }
        if (n == BEL_SIM_MAX_EPISODES) {
            set_err(err, err_len, item, shown, "too many episodes (at most 32)");
            return BEL_ERR_FORMAT;
        }
        const char *msg = parse_item(b, &eps[n]);
        if (msg) {
            set_err(err, err_len, item, shown, msg);
            return BEL_ERR_FORMAT;
        }
        n++;
        if (!end) {
            break;
        }
        p = end + 1;
    }
    memcpy(cfg->episodes, eps, (size_t)n * sizeof eps[0]);
    cfg->n_episodes = n;
    return BEL_OK;
}

/* ---------------------------------------------------------------- create, run */

bel_status bel_sim_create(const bel_sim_config *cfg, bel_sim **out)
{
    if (out) {
        *out = NULL;
    }
    if (!cfg || !out || !config_ok(cfg)) {
        return BEL_ERR_ARG;
    }
    bel_sim *s = BEL_CORE_CALLOC(1, sizeof *s);
    if (!s) {
        return BEL_ERR_NOMEM;
    }
    s->cfg = *cfg;
    s->n_ch = cfg->chest ? 2 : 1;
    s->dt_s = 1.0 / cfg->fs_hz;
    s->n_total = cfg->duration_s > 0.0 ? (uint64_t)ceil(cfg->duration_s * cfg->fs_hz - 1e-9) : 0;
    rng_seed(&s->r_breath, cfg->seed, 1);
    rng_seed(&s->r_noise, cfg->seed, 2);
    rng_seed(&s->r_event, cfg->seed, 3);

    /* Per-wearer constants, drawn from the episode stream. */
    rng *r = &s->r_event;
    double full = ldexp(1.0, cfg->adc_bits) - 1.0;
    double depth = (double)cfg->depth_counts;
    s->off[0] = full * rng_range(r, 0.33, 0.39);
    s->off[1] = full * rng_range(r, 0.45, 0.52);
    s->gain[0] = depth;
    s->chest_ratio = rng_range(r, 0.30, 0.40); /* relaxed: mostly belly */
    s->gain[1] = depth * s->chest_ratio;
    s->cardiac_amp[0] = (double)cfg->cardiac_counts;
    s->cardiac_amp[1] = (double)cfg->cardiac_counts * 1.3;
    s->hr0_bpm = rng_range(r, 62.0, 78.0);
    s->hrv_period_s = rng_range(r, 15.0, 30.0);
    s->hrv_phase = rng_range(r, 0.0, TWO_PI);
    s->cardiac_phase = rng_range(r, 0.0, TWO_PI);
    const double creep_tau_s = 180.0;
    s->creep_a = exp(-s->dt_s / creep_tau_s);
    for (int ch = 0; ch < 2; ch++) {
        /* A slow sine whose steepest slope is the creep rate, plus a bounded random walk. */
        double rate_s = (double)cfg->creep_counts_per_min / 60.0;
        s->creep_period_s[ch] = rng_range(r, 400.0, 800.0);
        s->creep_amp[ch] = rate_s * s->creep_period_s[ch] / TWO_PI;
        s->creep_phase[ch] = rng_range(r, 0.0, TWO_PI);
        s->creep_sd[ch] = 1.5 * (double)cfg->creep_counts_per_min;
        s->creep_ou[ch] = s->creep_sd[ch] * rng_gauss(r);
    }
    s->holdin_keep = 1.0;
    for (int i = 0; i < cfg->n_episodes; i++) {
        s->ep_next_start[i] = cfg->episodes[i].t_start_s;
        s->ep_next_end[i] = HUGE_VAL;
    }

    s->paced = false;
    for (int i = 0; i < 4; i++) {
        s->paced = s->paced || cfg->pace_s[i] > 0.0f;
    }
    double rate = (double)cfg->rate_bpm;
    s->p_sigh = clampd((double)cfg->sigh_per_min / rate, 0.0, 0.5);
    /* Sighs last ~1.55 breaths: shorten the others so the mean rate stays rate_bpm. */
    s->base_period_s = 60.0 / rate / (1.0 + 0.55 * s->p_sigh);
    /* End-expiratory pauses shrink as breathing quickens, gone by 40/min. */
    s->pause_frac = clampd(0.3 - 0.0075 * rate, 0.0, 0.25);

    /* Start part-way through a bottom pause, so the first truth event is an insp_onset. */
    s->rate_ar = rng_gauss(&s->r_breath);
    double first =
        s->paced ? pace_lag_s : (0.2 + 0.3 * rng_uniform(&s->r_breath)) * s->base_period_s;
    enter_flat(s, PH_PAUSE, 0.0, first, 0.0, 0.0);
    s->pl.bottom = 0.0;
    *out = s;
    return BEL_OK;
}

void bel_sim_destroy(bel_sim *sim) { BEL_CORE_FREE(sim); }

int bel_sim_channel_count(const bel_sim *sim) { return sim ? sim->n_ch : 0; }

const char *bel_sim_channel_name(const bel_sim *sim, int ch)
{
    if (!sim || ch < 0 || ch >= sim->n_ch) {
        return NULL;
    }
    return ch == 0 ? "belly" : "chest";
}

static void sample_at(bel_sim *s, double t, bel_sample *out);

int bel_sim_next(bel_sim *sim, bel_sample *out)
{
    if (!sim || !out) {
        return BEL_ERR_ARG;
    }
    bel_sim *s = sim;
    if (s->n_total > 0 && s->n >= s->n_total) {
        return 0;
    }
    uint32_t n_missed = 0;
    double t;
    for (;;) {
        if (s->n_total > 0 && s->n >= s->n_total) {
            return 0;
        }
        t = (double)s->n / s->cfg.fs_hz;
        update_episodes(s, t);
        /* (at most 10 minutes unplugged at a time: a script that never
         * plugs back in still yields a sample now and then) */
        if (s->n_unplug_on <= 0 || (double)n_missed >= 600.0 * s->cfg.fs_hz) {
            break;
        }
        /* Unplugged: the person breathes on, nothing arrives. */
        sample_at(s, t, out);
        n_missed = n_missed < UINT32_MAX ? n_missed + 1 : n_missed;
    }
    sample_at(s, t, out);
    out->n_missed = n_missed;
    return 1;
}

/* The sample at t (the episodes already updated); advances the model. */
static void sample_at(bel_sim *s, double t, bel_sample *out)
{

    if (s->seg.ph == PH_BHOLD && !s->bh_want) {
        s->seg.t1 = fmax(s->bh_release_t, s->seg.t0);
    }
    for (int i = 0; i < MAX_ADVANCE && t >= s->seg.t1; i++) {
        advance(s, s->seg.t1);
    }
    if (s->bh_want && s->seg.ph != PH_BHOLD) {
        steer_to_hold(s, t);
    }
    double v = seg_value(&s->seg, t);

    /* Cardiac ripple: heart rate wanders slowly and rises with each inhale. */
    double hr = s->hr0_bpm + 2.0 * sin(TWO_PI * t / s->hrv_period_s + s->hrv_phase) + 3.0 * v;
    s->cardiac_phase = fmod(s->cardiac_phase + TWO_PI * hr / 60.0 * s->dt_s, TWO_PI);
    double cardiac = sin(s->cardiac_phase);

    double h = ramp_value(&s->holdin, t);
    double post = ramp_value(&s->posture, t);
    double depth = (double)s->cfg.depth_counts;
    double x[2];
    x[0] = s->off[0] - h * s->holdin_amount * depth +
           s->gain[0] * (1.0 - h * (1.0 - s->holdin_keep)) * v;
    /* Pulling the belly in lifts the chest a little and moves breathing up into it. */
    x[1] = s->off[1] + 0.25 * h * s->holdin_amount * s->gain[1] +
           s->gain[1] * (1.0 + h * s->holdin_boost) * v;

    /* Sensor: posture step, creep, cardiac, noise, spikes. Fixed draws per sample. */
    rng *r = &s->r_noise;
    double u_spike = rng_uniform(r);
    double u_ch = rng_uniform(r);
    double u_mag = rng_uniform(r);
    double u_sign = rng_uniform(r);
    double p_spike = (double)s->cfg.spikes_per_min / 60.0 * s->dt_s;
    double full = ldexp(1.0, s->cfg.adc_bits) - 1.0;
    out->t_s = t;
    out->n_missed = 0;
    out->n_channels = (uint8_t)s->n_ch;
    out->actions = 0;
    for (int ch = 0; ch < BEL_MAX_CHANNELS; ch++) {
        out->value[ch] = 0.0f;
    }
    for (int ch = 0; ch < 2; ch++) {
        double noise = rng_gauss(r);
        double g_creep = rng_gauss(r);
        double a = s->creep_a;
        s->creep_ou[ch] = a * s->creep_ou[ch] + s->creep_sd[ch] * sqrt(1.0 - a * a) * g_creep;
        if (ch >= s->n_ch) {
            continue;
        }
        double y = x[ch] + post * depth + s->creep_ou[ch] +
                   s->creep_amp[ch] * sin(TWO_PI * t / s->creep_period_s[ch] + s->creep_phase[ch]) +
                   s->cardiac_amp[ch] * cardiac + (double)s->cfg.noise_counts * noise;
        if (u_spike < p_spike && (int)(u_ch * s->n_ch) == ch) {
            y += (u_sign < 0.5 ? -1.0 : 1.0) * (1.5 + 1.5 * u_mag) * depth;
        }
        if (ch == 0) {
            y += ramp_value(&s->retighten, t) * depth;
        }
        if (s->startup_on) {
            const double u = t - s->startup_t0;
            /* 0.5 s of zeros (the board powering up), then the level settles. */
            y = u < 0.5 ? 0.0 : y + s->startup_amount * depth * exp(-(u - 0.5) / s->startup_tau_s);
        }
        y = clampd(floor(y + 0.5), 0.0, full);
        out->value[ch] = (float)y;
    }
    s->n++;
}

int bel_sim_take_truth(bel_sim *sim, bel_event *out, int max)
{
    if (!sim || (!out && max > 0)) {
        return BEL_ERR_ARG;
    }
    int n = 0;
    while (n < max && sim->q_len > 0) {
        out[n++] = sim->q[sim->q_head];
        sim->q_head = (sim->q_head + 1) % TRUTH_CAP;
        sim->q_len--;
    }
    return n;
}
