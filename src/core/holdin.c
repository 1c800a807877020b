/* holdin.c - held-in belly and breath-hold detection: relaxed level learning, candidate, confirm.
 * SPDX-License-Identifier: MIT */
#include "bellows/holdin.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/filter.h"
#include "core_alloc.h"
#include "core_math.h"

/* Signals are examined at 10 Hz; the ring keeps 51.2 s of them, and each belt's
 * lowest and highest value in every block of BLK steps. */
enum { RING = 512, N_LEARN = 8, N_PERIODS = 5, BLK = 8, N_TROUGHS = 32, N_AFTER = 4 };
static const double step_s = 0.1;
/* Low-pass before examination: keeps breathing (under 1 Hz), drops most of the
 * noise and of the cardiac ripple. */
static const double lp_hz = 0.8;
/* A chest moving less than this x its relaxed breath is still (a chest belt that
 * hardly breathes carries its heart beat at a good part of that); more is breathing. */
static const float chest_still_frac = 0.5f;
/* Learning that long arms the detector after two breaths (see arm_if_ready): the
 * time four breaths, the count that arms it, take at 6 breaths a minute. */
static const double arm_s = 40.0;
/* Before arming a drop is judged with a margin this much wider (see drop_margin),
 * in slow breathing (10 breaths a minute or fewer: arming on four breaths takes
 * 24 s or more); faster, arming comes soon enough. */
static const float pre_margin = 2.0f;
static const double slow_period_s = 6.0;
/* With one belt, a breath cycle under BEL_RELAXED_CYCLE_MIN_S teaches nothing of the
 * relaxed state: its breaths are all there is to go by, and the first ones found may
 * be a heart beat's phases. Learnt, their troughs, riding on the breath, put the
 * relaxed level near its top, and each exhalation was then a drop below it (a
 * calibrated session's level, learnt afresh from its first troughs, stayed there).
 * With a chest belt a hold-in needs the chest to carry the breath. */

typedef enum hstate { HS_IDLE = 0, HS_CANDIDATE, HS_HELD } hstate;

/* A trough, kept to look back on when the belly is let go (let_go_begin). */
typedef struct trough_rec {
    double t;
    double t_fall; /* the peak before it, after the trough before (NAN: none) */
    float v;
    float b_exc; /* the belly's breath that ended in it (NAN: none measured) */
    float share; /* its belly share (NAN: no chest, or none measured) */
} trough_rec;

/* Reversals of a signal larger than a hysteresis: counts small breaths. */
typedef struct reversals {
    int dir; /* +1 rising, -1 falling */
    float ext;
    int count;
} reversals;

/* A small fixed set of recent values with a median. */
typedef struct learnt {
    float v[N_LEARN];
    int n, head;
} learnt;

struct bel_holdin {
    bel_holdin_config cfg;
    bel_holdin_calibration cal;
    bool has_chest;
    bel_biquad2 lp; /* the belly's (lane 0) and the chest's (lane 1) low-pass */
    bool started;
    double t_next;
    /* The 10 Hz ring. */
    float rb[RING], rc[RING];
    double rt[RING];
    /* Stillness: the range of each belt over the window ending at a step, kept with
     * the step and the window's length it was made for (the walk back over a long
     * hold asks for the same windows every step). */
    float rng_b[RING], rng_c[RING];
    int64_t rng_k[RING];
    int64_t rng_len[RING];
    /* The ring's blocks (steps k with the same k / BLK), by (k / BLK) % (RING / BLK):
     * the newest block with that slot, its elements still in the ring. */
    float blk_lo_b[RING / BLK], blk_hi_b[RING / BLK], blk_lo_c[RING / BLK], blk_hi_c[RING / BLK];
    int64_t n;
    /* Raw noise (EMA of |second difference|) per belt. */
    float xb1, xb2, xc1, xc2;
    /* The belly held at a rail, and when it last sat at the top one (pushed
     * out to the belt's rail). */
    bel_rail rail;
    double t_clip_hi;
    double nabs_b, nabs_c, noise_alpha;
    int64_t n_raw;
    /* Learnt relaxed state. */
    learnt depth_b, depth_c, share;
    float level, depth, cdepth, rshare;
    int n_level;
    double t_level0;    /* the first trough the level was learnt from */
    bool level_settled; /* the last two troughs learnt from agree (see drop_margin) */
    int n_high;         /* consecutive troughs well above the level */
    bool armed;
    /* Breath bookkeeping from the breath stage. */
    bool have_trough, have_peak;
    double t_trough, t_peak;
    float v_trough, v_peak;
    double period_s;   /* the median of the last N_PERIODS breath periods */
    int64_t still_len; /* still_steps_of(period_s) */
    float periods[N_PERIODS];
    int n_period;   /* periods seen */
    float too_long; /* the last period left out as too long, 0 after one taken */
    int lag_steps;  /* the chest-belly lag found last, in 10 Hz steps */
    int n_lag;      /* lag searches since the reset */
    int n_lag_ask;  /* breaths that could have searched it since the reset */
    /* Hold-in state machine. */
    hstate st;
    double t_cand, t_drop, t_up;
    double held_before; /* time held in before the current hold-in */
    float min_b, up_b, min_c, up_c;
    reversals rev_b, rev_c;
    double t_rise_b; /* one belt: when the belly first turned up at the lower level */
    bool up_seen;
    int n_full;     /* full belly breaths in a row while held in */
    double t_full;  /* where the first of them began */
    bool after_gap; /* reset (a gap, the start) and the belly not seen at its level since */
    /* Breath hold. */
    bool bh_on;
    float bh_min_b, bh_max_b, bh_min_c, bh_max_c;

    /* Outputs. */
    bel_holdin_state s;
    double t_last;
    /* The troughs since tr_t0 (a reset or a relearn, when the ring was emptied): the
     * last N_TROUGHS of n_tr. A hold-in seen only when it is let go (let_go_begin) is
     * owed as a pair of events (bel_holdin_take_past): past_start..past_end. */
    trough_rec tr[N_TROUGHS];
    int64_t n_tr;
    double tr_t0;
    bool is_past_owed;
    double past_start, past_end;
    /* A rise being judged (let_go_begin): the risen trough's value and count, and the
     * breaths since: belly and chest excursions, shares, the troughs they ended in. */
    bool lg_on;
    float lg_level;
    int64_t lg_tr;
    learnt lg_b, lg_c, lg_s, lg_v;
    double live_t0, live_t1; /* the last hold-in seen live: its events' stamps */
};

/* The rail tracker starts again (the belly may read the other way round). */
static void clip_forget(bel_holdin *h)
{
    bel_rail_init(&h->rail, h->cfg.fs_hz);
    h->t_clip_hi = -HUGE_VAL;
}

/* Steps of the stillness window: half a breath period, 2..8 s, so that even a
 * slow, tiny breath (the belly held in) shows its whole inhalation in it. Kept
 * in still_len, made when the period changes. */
static int64_t still_steps_of(double period_s)
{
    /* fmin/fmax without the calls: period_s is finite. */
    const double half = 0.5 * period_s;
    return (int64_t)((half > 8.0 ? 8.0 : half < 2.0 ? 2.0 : half) / step_s + 0.5);
}

bel_holdin_config bel_holdin_config_default(double fs_hz)
{
    bel_holdin_config c;
    c.fs_hz = fs_hz;
    c.drop_frac = 0.5f;
    c.keep_max = 0.6f;
    c.share_drop = 0.65f;
    /* A chest inhalation past the bound a still chest stays under is breathing: the
     * breath-hold detector's bound, so that a held-in belly is either a breath hold
     * or a hold-in, never neither, and the chest's first breath after the drop
     * decides it as soon as it shows. */
    c.chest_min = chest_still_frac;
    c.release_frac = 0.25f;
    c.end_frac = 0.45f;
    c.confirm_min_s = 1.5;
    c.candidate_max_s = 30.0;
    c.fast_s = 5.0;
    c.level_tau_s = 20.0;
    c.breath_hold_s = 10.0;
    c.breath_hold_min_s = 6.0;
    c.breath_hold_periods = 1.5;
    c.still_frac = 0.08f;
    return c;
}

bel_holdin_calibration bel_holdin_calibration_none(void)
{
    bel_holdin_calibration c;
    c.is_valid = false;
    c.belly_inverted = c.chest_inverted = false;
    c.belly_level = c.belly_depth = NAN;
    c.chest_level = c.chest_depth = NAN;
    c.chest_gain = 1.0f;
    c.belly_share = NAN;
    return c;
}

static bool in_range(double v, double lo, double hi) { return v >= lo && v <= hi; }

bel_status bel_holdin_create(const bel_holdin_config *cfg, const bel_holdin_calibration *cal,
                             bool has_chest, bel_holdin **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !in_range(cfg->fs_hz, 5.0, 2000.0) ||
        !in_range((double)cfg->drop_frac, 0.05, 5.0) ||
        !in_range((double)cfg->keep_max, 0.05, 1.0) ||
        !in_range((double)cfg->share_drop, 0.05, 1.0) ||
        !in_range((double)cfg->chest_min, 0.0, 10.0) ||
        !in_range((double)cfg->release_frac, 0.0, (double)cfg->drop_frac) ||
        !in_range((double)cfg->end_frac, 0.0, 5.0) || !in_range(cfg->confirm_min_s, 0.0, 30.0) ||
        !in_range(cfg->candidate_max_s, 1.0, 45.0) || !in_range(cfg->fast_s, 0.5, 40.0) ||
        !in_range(cfg->level_tau_s, 1.0, 3600.0) ||
        !in_range(cfg->breath_hold_s, BEL_HOLDIN_BREATH_HOLD_MIN_S, BEL_HOLDIN_BREATH_HOLD_MAX_S) ||
        !in_range(cfg->breath_hold_min_s, BEL_HOLDIN_BREATH_HOLD_MIN_S, cfg->breath_hold_s) ||
        !in_range(cfg->breath_hold_periods, 0.5, 10.0) ||
        !in_range((double)cfg->still_frac, 0.001, 1.0)) {
        return BEL_ERR_ARG;
    }
    if (cal && cal->is_valid &&
        (!(cal->belly_depth > 0.0f) || !isfinite(cal->belly_level) ||
         (has_chest && (!(cal->chest_depth > 0.0f) || !(cal->chest_gain > 0.0f))))) {
        return BEL_ERR_ARG;
    }
    bel_holdin *h = BEL_CORE_CALLOC(1, sizeof *h);
    if (!h) {
        return BEL_ERR_NOMEM;
    }
    h->cfg = *cfg;
    h->cal = cal ? *cal : bel_holdin_calibration_none();
    if (!(h->cal.chest_gain > 0.0f)) {
        h->cal.chest_gain = 1.0f;
    }
    h->has_chest = has_chest;
    bel_biquad lp;
    if (bel_biquad_init_lowpass(&lp, cfg->fs_hz, lp_hz) != BEL_OK) {
        BEL_CORE_FREE(h);
        return BEL_ERR_ARG;
    }
    bel_biquad2_init(&h->lp, &lp, &lp);
    h->noise_alpha = 1.0 - exp(-1.0 / (5.0 * cfg->fs_hz));
    clip_forget(h);
    h->level = h->depth = h->cdepth = h->rshare = NAN;
    h->live_t0 = h->live_t1 = -HUGE_VAL;
    h->period_s = 4.0;
    h->still_len = still_steps_of(h->period_s);
    if (h->cal.is_valid) {
        h->level = h->cal.belly_level;
        h->depth = h->cal.belly_depth;
        h->cdepth = has_chest ? h->cal.chest_depth : NAN;
        h->rshare = h->cal.belly_share;
        h->n_level = N_LEARN;
        h->armed = true;
    }
    memset(&h->s, 0, sizeof h->s);
    h->s.belly_share = h->s.phase_lag_s = h->s.phase_deg = NAN;
    bel_holdin_reset(h);
    *out = h;
    return BEL_OK;
}

void bel_holdin_destroy(bel_holdin *h) { BEL_CORE_FREE(h); }

/* The troughs before now say nothing of the level from now (a step, the belly read
 * the other way round; at the start and after a gap, t0 NAN, from the first step
 * after it): the ring starts again from t0. */
static void troughs_forget(bel_holdin *h, double t0)
{
    h->n_tr = 0;
    h->tr_t0 = t0;
    h->lg_on = false;
}

void bel_holdin_reset(bel_holdin *h)
{
    troughs_forget(h, NAN);
    h->after_gap = true;
    h->started = false;
    h->n = 0;
    h->n_raw = 0;
    h->st = HS_IDLE;
    h->bh_on = false;
    h->have_trough = h->have_peak = false;
    h->s.is_holding_in = h->s.is_breath_hold = false;
    for (int i = 0; i < RING; i++) {
        h->rng_k[i] = -1;
        h->n_lag = 0;
        h->n_lag_ask = 0;
        h->lag_steps = 0;
    }
}

void bel_holdin_relearn(bel_holdin *h)
{
    clip_forget(h); /* the belly may read the other way round from now */
    if (h->cal.is_valid) {
        bel_holdin_relearn_level(h);
        return;
    }
    troughs_forget(h, h->t_last);
    memset(&h->depth_b, 0, sizeof h->depth_b);
    memset(&h->depth_c, 0, sizeof h->depth_c);
    memset(&h->share, 0, sizeof h->share);
    h->level = h->depth = h->cdepth = h->rshare = NAN;
    h->n_level = 0;
    h->n_high = 0;
    h->armed = false;
    h->st = HS_IDLE;
    h->bh_on = false;
    h->have_trough = h->have_peak = false;
    h->s.is_holding_in = h->s.is_breath_hold = false;
}

void bel_holdin_relearn_level(bel_holdin *h)
{
    troughs_forget(h, h->t_last);
    h->level = NAN;
    h->n_level = 0;
    h->n_high = 0;
    h->st = HS_IDLE;
    h->s.is_holding_in = false;
    h->have_trough = h->have_peak = false;
}

static void learnt_push(learnt *l, float v)
{
    l->v[l->head] = v;
    l->head = (l->head + 1) % N_LEARN;
    if (l->n < N_LEARN) {
        l->n++;
    }
}

static float learnt_median(const learnt *l)
{
    if (l->n == 0) {
        return NAN;
    }
    /* Insertion sort, not qsort (a call per comparison): the values are
     * finite (depths, shares), so the order and the median are qsort's. */
    float tmp[N_LEARN];
    for (int i = 0; i < l->n; i++) {
        const float x = l->v[i];
        int j = i;
        while (j > 0 && tmp[j - 1] > x) {
            tmp[j] = tmp[j - 1];
            j--;
        }
        tmp[j] = x;
    }
    return l->n % 2 ? tmp[l->n / 2] : 0.5f * (tmp[l->n / 2 - 1] + tmp[l->n / 2]);
}

static float noise_of(double nabs)
{
    return (float)(nabs / (2.449489742783178 * 0.797884560802865));
}

static void rev_init(reversals *r, float x, int dir)
{
    r->dir = dir;
    r->ext = x;
    r->count = 0;
}

static void rev_push(reversals *r, float x, float hyst)
{
    if ((r->dir > 0 && x > r->ext) || (r->dir < 0 && x < r->ext)) {
        r->ext = x;
    } else if (r->dir > 0 && x < r->ext - hyst) {
        r->dir = -1;
        r->ext = x;
        r->count++;
    } else if (r->dir < 0 && x > r->ext + hyst) {
        r->dir = 1;
        r->ext = x;
        r->count++;
    }
}

/* Ring access: k counts 10 Hz steps since the reset, k < n. */
static float ring_b(const bel_holdin *h, int64_t k) { return h->rb[k & (RING - 1)]; }
static float ring_c(const bel_holdin *h, int64_t k) { return h->rc[k & (RING - 1)]; }
static double ring_t(const bel_holdin *h, int64_t k) { return h->rt[k & (RING - 1)]; }
static int64_t ring_oldest(const bel_holdin *h) { return h->n > RING ? h->n - RING : 0; }

/* Oldest step at or after time t_s (clamped to what the ring holds; the newest
 * if none). The steps' times rise strictly (a step comes at or after the next
 * mark, t_next, which is after the step before), so a bisection finds the step
 * a walk back from the newest would. */
static int64_t ring_from(const bel_holdin *h, double t_s)
{
    if (h->n == 0) {
        return -1;
    }
    int64_t lo = ring_oldest(h), hi = h->n - 1;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (ring_t(h, mid) >= t_s) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

float bel_holdin_belly_near(const bel_holdin *h, double t_s, bool is_peak)
{
    if (h->n == 0 || t_s < ring_t(h, ring_oldest(h)) - 0.5) {
        return NAN;
    }
    float best = NAN;
    for (int64_t k = ring_from(h, t_s - 0.3); k < h->n && ring_t(h, k) <= t_s + 0.6; k++) {
        const float v = ring_b(h, k);
        if (!isfinite(best) || (is_peak ? v > best : v < best)) {
            best = v;
        }
    }
    return best;
}

bool bel_holdin_values_at(const bel_holdin *h, double t_s, float *belly, float *chest)
{
    *belly = *chest = NAN;
    const double delay_s = bel_lowpass2_delay_s(lp_hz);
    if (h->n == 0 || t_s < ring_t(h, ring_oldest(h)) - 0.5) {
        return false;
    }
    const int64_t k = ring_from(h, t_s + delay_s);
    *belly = ring_b(h, k);
    *chest = h->has_chest ? ring_c(h, k) : NAN;
    return true;
}

int64_t bel_holdin_get_steps(const bel_holdin *h) { return h->n; }

void bel_holdin_get_newest(const bel_holdin *h, float *belly, float *chest)
{
    if (h->n == 0) {
        *belly = *chest = NAN;
        return;
    }
    *belly = ring_b(h, h->n - 1);
    *chest = ring_c(h, h->n - 1);
}

/* One belt's history and state negated: its ring, filter, last raw values,
 * the candidate's and the breath hold's extremes (which swap), its reversals. */
static void negate_belt(bel_holdin *h, int lane, float *ring, float *x1, float *x2, float *min_v,
                        float *bh_min, float *bh_max, reversals *rev)
{
    for (int64_t k = ring_oldest(h); k < h->n; k++) {
        ring[k & (RING - 1)] = -ring[k & (RING - 1)];
    }
    bel_biquad2_negate_lane(&h->lp, lane);
    *x1 = -*x1;
    *x2 = -*x2;
    *min_v = -*min_v;
    const float lo = -*bh_min;
    *bh_min = -*bh_max;
    *bh_max = lo;
    rev->ext = -rev->ext;
    rev->dir = -rev->dir;
}

/* A belt's block summaries (lowest, highest) for its negated history. */
static void negate_blocks(float *lo, float *hi)
{
    for (int i = 0; i < RING / BLK; i++) {
        const float l = lo[i];
        lo[i] = -hi[i];
        hi[i] = -l;
    }
}

void bel_holdin_negate_belly(bel_holdin *h)
{
    negate_belt(h, 0, h->rb, &h->xb1, &h->xb2, &h->min_b, &h->bh_min_b, &h->bh_max_b, &h->rev_b);
    negate_blocks(h->blk_lo_b, h->blk_hi_b);
    clip_forget(h);
    troughs_forget(h, h->t_last);
}

void bel_holdin_negate_chest(bel_holdin *h)
{
    negate_belt(h, 1, h->rc, &h->xc1, &h->xc2, &h->min_c, &h->bh_min_c, &h->bh_max_c, &h->rev_c);
    negate_blocks(h->blk_lo_c, h->blk_hi_c);
}

static bool chest_on(const bel_holdin *h) { return h->has_chest && h->cdepth > 0.0f; }

/* Chest minus belly lag by cross-correlation of the mean-removed signals over
 * the last three breaths (at most 40 s), lags within half a breath (at most 3 s). */
/* Mean product of the mean-removed belts with the chest lag steps later. */
static double lag_corr(const double *xb, const double *xc, int64_t len, int lag)
{
    /* The k whose k + lag is inside [k0, k1]. */
    const int64_t i0 = lag < 0 ? -lag : 0;
    const int64_t i1 = lag > 0 ? len - lag : len;
    double sum = 0.0;
    for (int64_t i = i0; i < i1; i++) {
        sum += xb[i] * xc[i + lag];
    }
    const int64_t cnt = i1 > i0 ? i1 - i0 : 0;
    return cnt ? sum / (double)cnt : -HUGE_VAL;
}

/* lag_corr at the lags lag..lag + 3 (|lag + 3| < len) into r[0..3], the belly
 * read once for the four: each lag's products added in the same order (the steps
 * only some of the lags pair up before and after the ones all four do). */
static void lag_corr4(const double *xb, const double *xc, int64_t len, int lag, double *r)
{
    int64_t i0[4], i1[4];
    int64_t c0 = 0, c1 = len;
    for (int j = 0; j < 4; j++) {
        const int l = lag + j;
        i0[j] = l < 0 ? -l : 0;
        i1[j] = l > 0 ? len - l : len;
        c0 = i0[j] > c0 ? i0[j] : c0;
        c1 = i1[j] < c1 ? i1[j] : c1;
    }
    if (c0 >= c1) {
        for (int j = 0; j < 4; j++) {
            r[j] = lag_corr(xb, xc, len, lag + j);
        }
        return;
    }
    double sum[4];
    for (int j = 0; j < 4; j++) {
        sum[j] = 0.0;
        for (int64_t i = i0[j]; i < c0; i++) {
            sum[j] += xb[i] * xc[i + lag + j];
        }
    }
    const double *y = xc + c0 + lag;
    const double *const ys[4] = {y, y + 1, y + 2, y + 3};
    bel_dots(xb + c0, ys, 4, c1 - c0, sum);
    for (int j = 0; j < 4; j++) {
        for (int64_t i = c1; i < i1[j]; i++) {
            sum[j] += xb[i] * xc[i + lag + j];
        }
        const int64_t cnt = i1[j] > i0[j] ? i1[j] - i0[j] : 0;
        r[j] = cnt ? sum[j] / (double)cnt : -HUGE_VAL;
    }
}

static void update_lag(bel_holdin *h)
{
    const double win_s = fmin(3.0 * h->period_s, 40.0);
    const int64_t k1 = h->n - 1;
    const int64_t k0 = ring_from(h, ring_t(h, k1) - win_s);
    const int64_t len = k1 - k0 + 1;
    const int max_lag = (int)fmin(0.5 * h->period_s / step_s, 30.0);
    if (len < 4 * (int64_t)max_lag || max_lag < 1) {
        return;
    }
    /* Every other breath: the lag is a display metric over three breaths, read
     * by nothing the events depend on, and moves little from one to the next. */
    if (h->n_lag_ask++ % 2 != 0) {
        return;
    }
    double mb = 0.0, mc = 0.0;
    for (int64_t k = k0; k <= k1; k++) {
        mb += (double)ring_b(h, k);
        mc += (double)ring_c(h, k);
    }
    mb /= (double)len;
    mc /= (double)len;
    /* The mean-removed belts, made once for all lags (len <= RING); each lag
     * adds the same products in the same order as over the ring. */
    double xb[RING], xc[RING];
    for (int64_t i = 0; i < len; i++) {
        xb[i] = (double)ring_b(h, k0 + i) - mb;
        xc[i] = (double)ring_c(h, k0 + i) - mc;
    }
    /* The lag moves little from breath to breath: searched around the last one,
     * widened while the best sits at the edge of what was searched; the whole range
     * at first and every eighth breath (another peak may have grown). */
    int lo = -max_lag, hi = max_lag;
    if (h->n_lag++ % 8 != 0) {
        lo = h->lag_steps - 3 < -max_lag ? -max_lag : h->lag_steps - 3;
        hi = h->lag_steps + 3 > max_lag ? max_lag : h->lag_steps + 3;
    }
    double best = -HUGE_VAL;
    int best_lag = 0;
    for (;;) {
        /* Four lags at a time while more than two are left (the last four may
         * reach past hi: those are not looked at). */
        double rs[4 * ((2 * 30 + 1) / 4 + 1)];
        for (int lag = lo; lag <= hi; lag += 4) {
            if (hi - lag >= 2 && lag + 3 < len) {
                lag_corr4(xb, xc, len, lag, &rs[lag - lo]);
            } else {
                for (int l = lag; l <= hi && l < lag + 4; l++) {
                    rs[l - lo] = lag_corr(xb, xc, len, l);
                }
            }
        }
        for (int lag = lo; lag <= hi; lag++) {
            const double r = rs[lag - lo];
            if (r > best) {
                best = r;
                best_lag = lag;
            }
        }
        if (best_lag == lo && lo > -max_lag) {
            hi = lo - 1;
            lo = lo - 1;
        } else if (best_lag == hi && hi < max_lag) {
            lo = hi + 1;
            hi = hi + 1;
        } else {
            break;
        }
    }
    h->lag_steps = best_lag;
    h->s.phase_lag_s = (float)(best_lag * step_s);
    h->s.phase_deg = (float)(360.0 * best_lag * step_s / h->period_s);
}

/* The learnt values agree: the largest within 1.5 x the smallest. */
static bool learnt_agree(const learnt *l)
{
    float lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < l->n; i++) {
        lo = l->v[i] < lo ? l->v[i] : lo;
        hi = l->v[i] > hi ? l->v[i] : hi;
    }
    return l->n > 0 && lo > 0.0f && hi <= 1.5f * lo;
}

static void arm_if_ready(bel_holdin *h, double t)
{
    if (h->armed) {
        return;
    }
    const bool belly_ok = h->depth_b.n >= 4 && h->n_level >= 3;
    const bool chest_ok = !h->has_chest || h->depth_c.n >= 4;
    /* On time as well: at a slow (paced) rate four breaths take over a minute,
     * and a hold-in before then would be learnt as the relaxed state. Two
     * complete breaths that agree, over at least arm_s of learning, will do. */
    const bool slow_ok = h->depth_b.n >= 2 && h->n_level >= 2 && t - h->t_level0 >= arm_s &&
                         learnt_agree(&h->depth_b) &&
                         (!h->has_chest || (h->depth_c.n >= 2 && learnt_agree(&h->depth_c)));
    h->armed = (belly_ok && chest_ok) || slow_ok;
}

/* How far below the relaxed level the belly must go to be a drop (a hold-in's
 * candidate, a trough not learnt from): drop_frac x the depth once armed. Before,
 * in slow breathing, judged against the breaths seen so far (one at least, the
 * level from two troughs that agree, and a chest breath where there is a chest)
 * with a margin pre_margin times wider: the depth of so few breaths is less sure.
 * Never (infinity) otherwise. */
static float drop_margin(const bel_holdin *h)
{
    if (!(h->depth > 0.0f)) {
        return INFINITY;
    }
    if (h->armed) {
        return h->cfg.drop_frac * h->depth;
    }
    if (h->period_s >= slow_period_s && h->level_settled && h->depth_b.n >= 1 && h->n_level >= 2 &&
        (!h->has_chest || h->depth_c.n >= 1)) {
        return pre_margin * h->cfg.drop_frac * h->depth;
    }
    return INFINITY;
}

static int64_t drop_start(const bel_holdin *h, int64_t k_left, int64_t k_end);

static void let_go_push(bel_holdin *h, float b_exc, float c_exc, float share)
{
    learnt_push(&h->lg_b, b_exc);
    if (isfinite(c_exc) && isfinite(share)) {
        learnt_push(&h->lg_c, c_exc);
        learnt_push(&h->lg_s, share);
    }
}

/* The median of the n finite values of v (NAN if fewer than two); v is reordered. */
static float median_finite(float *v, int n)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (isfinite(v[i])) {
            const float x = v[i];
            int j = m++;
            while (j > 0 && v[j - 1] > x) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    }
    return m < 2 ? NAN : m % 2 ? v[m / 2] : 0.5f * (v[m / 2 - 1] + v[m / 2]);
}

/* A hold-in seen only when it is let go. Before the relaxed level is known (the first
 * breaths; and a belly held in from the start is never at it) the detector learns the
 * held-in level and breath as relaxed. When the belly is let go, a trough comes well
 * above that level (by half the breath learnt so far): the rise is judged once N_AFTER
 * breaths have come after it (a deep breath or two with a shift in posture lift the
 * troughs as well, and pass), at the median of their troughs (the new level) with the
 * median of their breaths (the breath now). The troughs before the risen one that
 * stayed under the new level by a drop's margin (drop_frac of the breath now; two at
 * least) are the stretch. The breaths taken within it (each from one of its troughs to
 * the next; two at least) were the belly held in if they were smaller than the breaths
 * now (their median under keep_max of the breath now) and, with a chest belt, left
 * more of each breath to the chest (their median share under share_drop of the share
 * now): a posture shift or a belt settling keeps the breath's size and share. Held in
 * since the start (or a gap, or a step) when every trough since was in the stretch,
 * else from where the belly fell from the trough before it; until it came back within
 * end_frac of the new level, as a hold-in seen live ends. The pair of events is owed
 * (bel_holdin_take_past: push_breath emits none), and the relaxed breath is learnt
 * afresh from the breaths after. A trough back under the new level by the margin, or a
 * hold-in seen live, and the rise was none. Not with a calibration: its level is the
 * relaxed one, and a belly already down is found live (after_gap). */
static void let_go_begin(bel_holdin *h, float v)
{
    h->lg_on = !h->cal.is_valid && h->n_tr >= 2;
    h->lg_level = v;
    h->lg_tr = h->n_tr; /* this trough, put in the ring after */
    memset(&h->lg_b, 0, sizeof h->lg_b);
    memset(&h->lg_c, 0, sizeof h->lg_c);
    memset(&h->lg_s, 0, sizeof h->lg_s);
    memset(&h->lg_v, 0, sizeof h->lg_v);
}

/* The stretch under the new level with b_now the breath now (let_go_begin): its
 * span, and the median breath and share taken within it. */
static bool let_go_stretch(const bel_holdin *h, float v, float b_now, double *t_start,
                           double *t_end, float *b_low, float *share_low)
{
    const float low = v - h->cfg.drop_frac * b_now;
    const int64_t oldest = h->n_tr > N_TROUGHS ? h->n_tr - N_TROUGHS : 0;
    float bs[N_TROUGHS], ss[N_TROUGHS];
    int64_t i = h->lg_tr - 1;
    int n_low = 0;
    double t_first = NAN, t_last = NAN, t_fall = NAN;
    for (; i >= oldest; i--) {
        const trough_rec *r = &h->tr[i % N_TROUGHS];
        if (!(r->v < low)) {
            break;
        }
        if (n_low > 0) {
            /* The breath that ended in the later low trough began at this one. */
            const trough_rec *q = &h->tr[(i + 1) % N_TROUGHS];
            bs[n_low - 1] = q->b_exc;
            ss[n_low - 1] = q->share;
        }
        t_last = n_low++ == 0 ? r->t : t_last;
        t_first = r->t;
        t_fall = r->t_fall;
    }
    if (n_low < 2) {
        return false;
    }
    *b_low = median_finite(bs, n_low - 1);
    *share_low = median_finite(ss, n_low - 1);
    *t_start = t_first;
    if (i < 0) {
        *t_start = h->tr_t0; /* under it since the ring began */
    } else if (i >= oldest && h->n > 0) {
        /* The belly fell from the trough before them: where it last stood near the
         * level, and where its fall began (as a drop seen live is stamped); when the
         * 10 Hz ring no longer holds it, from the peak it fell from. */
        const double t_hi = h->tr[i % N_TROUGHS].t;
        if (t_fall < t_first) {
            *t_start = t_fall;
        }
        if (t_hi >= ring_t(h, ring_oldest(h))) {
            const int64_t k_hi = ring_from(h, t_hi), k_lo = ring_from(h, t_first);
            for (int64_t k = k_lo; k >= k_hi; k--) {
                if (ring_b(h, k) >= v - 0.1f * b_now) {
                    *t_start = ring_t(h, drop_start(h, k, k_lo + 1));
                    break;
                }
            }
        }
    }
    /* Until the belly came back within end_frac of the new level. */
    *t_end = NAN;
    const float up = v - h->cfg.end_frac * b_now;
    for (int64_t k = h->n > 0 ? ring_from(h, t_last) : 0; k < h->n; k++) {
        if (ring_b(h, k) >= up) {
            *t_end = ring_t(h, k);
            break;
        }
    }
    return *t_end > *t_start;
}

/* A trough after the rise (let_go_begin), with the breath that ended in it. */
static void let_go_next(bel_holdin *h, double t, float v, float b_exc, float c_exc, float share)
{
    const float b_now = learnt_median(&h->lg_b);
    const float level_now = h->lg_v.n > 0 ? learnt_median(&h->lg_v) : h->lg_level;
    if (h->st == HS_HELD || !(b_exc > 0.0f) || v < level_now - h->cfg.drop_frac * b_now) {
        h->lg_on = false;
        return;
    }
    let_go_push(h, b_exc, c_exc, share);
    learnt_push(&h->lg_v, v);
    if (h->lg_b.n < N_AFTER) {
        return;
    }
    h->lg_on = false;
    const float b_med = learnt_median(&h->lg_b);
    double t_start, t_end;
    float b_low, share_low;
    if (!let_go_stretch(h, learnt_median(&h->lg_v), b_med, &t_start, &t_end, &b_low, &share_low)) {
        return;
    }
    if (!(b_low <= h->cfg.keep_max * b_med) ||
        (chest_on(h) && !(share_low <= h->cfg.share_drop * learnt_median(&h->lg_s)))) {
        return; /* NAN (unknown) says nothing either */
    }
    /* A hold-in seen live inside the stretch was this one, ended too soon (its full
     * breaths at the lower level were measured against the held-in breaths): its time
     * is counted once, and it is one hold-in. */
    const double overlap = fmax(fmin(t_end, h->live_t1) - fmax(t_start, h->live_t0), 0.0);
    h->s.n_holdins += h->live_t1 >= t_start ? 0u : 1u;
    h->s.time_held_in_s += t_end - t_start - overlap;
    h->is_past_owed = true;
    h->past_start = t_start;
    h->past_end = t_end;
    /* The relaxed breath and level are the ones now: learnt afresh from the breaths
     * after (the level may still be creeping up to them). */
    h->depth_b = h->lg_b;
    h->depth = b_med;
    h->level = learnt_median(&h->lg_v);
    h->n_high = 0;
    if (h->lg_s.n > 0) {
        h->depth_c = h->lg_c;
        h->cdepth = learnt_median(&h->lg_c);
        h->share = h->lg_s;
        h->rshare = learnt_median(&h->lg_s);
    }
    h->t_level0 = t;
}

void bel_holdin_push_breath(bel_holdin *h, const bel_breath_point *pt)
{

    if (pt->is_peak) {
        h->have_peak = true;
        h->t_peak = pt->t_s;
        h->v_peak = pt->value;
        return;
    }
    /* With one belt, a cycle under BEL_RELAXED_CYCLE_MIN_S teaches nothing. */
    const bool is_relaxed_cycle =
        h->has_chest || !h->have_trough || pt->t_s - h->t_trough >= BEL_RELAXED_CYCLE_MIN_S;
    const bool learning = h->st == HS_IDLE && !h->bh_on && is_relaxed_cycle;
    /* The relaxed breath as learnt before this one, and this breath's belly excursion,
     * chest excursion and share (let_go_begin, let_go_next). */
    const float depth_before = h->depth;
    float b_new = NAN, c_new = NAN, share_new = NAN;
    /* A trough below the level by a drop's margin is a hold-in not yet decided: it
     * teaches neither the level nor (before arming, when so few breaths are
     * known) the depths, whose breath ending in it spans the drop. */
    const bool is_drop = h->n_level > 0 && pt->value < h->level - drop_margin(h);
    const bool learn_depth = learning && (h->armed || !is_drop);
    if (h->have_trough && h->have_peak && h->t_peak > h->t_trough && pt->t_s > h->t_peak) {
        const double period = pt->t_s - h->t_trough;
        /* The breathing's own period: a cycle that spans a breath hold (more
         * than twice the usual) says nothing about it. Two such cycles in a row
         * that agree (within half the shorter: slow breathing varies as much)
         * are no holds but the breathing now: slower than before, or
         * slow from the start, with the first periods taken from a belt's
         * settling turns. Left out, every slow cycle would be left out after
         * them, and every pause in it taken for a held breath. The estimate
         * starts again from the two. */
        bool take = period > 0.5 && period < 60.0;
        if (take && h->n_period >= 3 && !(period < 2.0 * h->period_s)) {
            if (h->too_long > 0.0f &&
                fmax(period, (double)h->too_long) <= 1.5 * fmin(period, (double)h->too_long)) {
                h->periods[0] = h->too_long;
                h->n_period = 1;
            } else {
                h->too_long = (float)period;
                take = false;
            }
        }
        if (take) {
            h->too_long = 0.0f;
            h->periods[h->n_period % N_PERIODS] = (float)period;
            h->n_period++;
            const int n = h->n_period < N_PERIODS ? h->n_period : N_PERIODS;
            float tmp[N_PERIODS];
            memcpy(tmp, h->periods, sizeof tmp);
            /* Insertion sort: five values. */
            for (int i = 1; i < n; i++) {
                for (int j = i; j > 0 && tmp[j - 1] > tmp[j]; j--) {
                    const float x = tmp[j];
                    tmp[j] = tmp[j - 1];
                    tmp[j - 1] = x;
                }
            }
            h->period_s =
                n % 2 ? (double)tmp[n / 2] : 0.5 * ((double)tmp[n / 2 - 1] + (double)tmp[n / 2]);
            h->still_len = still_steps_of(h->period_s);
        }
        const float b_exc = h->v_peak - 0.5f * (h->v_trough + pt->value);
        /* Held in, the belly's breath is small; two full belly breaths in a
         * row at the lower level say it is not held in (the wearer moved, or
         * the level was learnt wrong): the hold-in ends where they began. */
        if (h->st == HS_HELD && h->depth > 0.0f) {
            if (b_exc >= h->cfg.keep_max * h->depth) {
                if (++h->n_full == 1) {
                    /* A breath that began before the belly went in ends it at its
                     * start: the end is never stamped before the start. */
                    h->t_full = fmax(h->t_trough, h->t_drop);
                }
            } else {
                h->n_full = 0;
            }
        }
        float c_exc = NAN;
        if (h->has_chest && h->n > 0) {
            const int64_t k0 = ring_from(h, h->t_trough);
            float lo = INFINITY, hi = -INFINITY;
            for (int64_t k = k0; k < h->n; k++) {
                /* Comparisons, not fminf/fmaxf calls: the ring holds finite values. */
                const float v = ring_c(h, k);
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            c_exc = hi - lo;
        }
        b_new = b_exc;
        if (b_exc > 0.0f) {
            if (h->has_chest && isfinite(c_exc)) {
                const float share = b_exc / (b_exc + h->cal.chest_gain * c_exc);
                c_new = c_exc;
                share_new = share;
                h->s.belly_share = share;
                if (learn_depth && !h->cal.is_valid) {
                    learnt_push(&h->share, share);
                    learnt_push(&h->depth_c, c_exc);
                    h->rshare = learnt_median(&h->share);
                    h->cdepth = learnt_median(&h->depth_c);
                }
                update_lag(h);
            }
            if (learn_depth) {
                learnt_push(&h->depth_b, b_exc);
                if (!h->cal.is_valid || h->depth_b.n >= N_LEARN) {
                    h->depth = learnt_median(&h->depth_b);
                }
            }
        }
    }
    if (h->lg_on) {
        let_go_next(h, pt->t_s, pt->value, b_new, c_new, share_new);
    } else if (learning && h->n_level > 0 && depth_before > 0.0f &&
               pt->value > h->level + 0.5f * depth_before) {
        /* Well above the level, as the breaths learnt so far measure it: the belly let
         * go, or a shift, or a deep breath; the breaths after will say. */
        let_go_begin(h, pt->value);
    }
    if (learning) {
        /* The relaxed level follows slow creep; a clear rise (sitting up, a
         * hold-in from the start let go) is taken after two breaths. */
        const float v = pt->value;
        /* Settled: within a drop's margin of the trough before (belts settling at the
         * start move further in a breath; a drop keeps what was known). */
        if (!is_drop) {
            h->level_settled = h->have_trough && h->depth > 0.0f &&
                               fabsf(v - h->v_trough) < h->cfg.drop_frac * h->depth;
        }
        if (h->n_level == 0 || !isfinite(h->level)) {
            h->level = v;
            h->t_level0 = pt->t_s;
        } else if (h->depth > 0.0f && v > h->level + 0.5f * h->depth) {
            if (++h->n_high >= 2) {
                h->level = v;
                h->n_high = 0;
            }
        } else if (!is_drop) {
            /* Creep is slow: at a slow (paced) rate one breath moves the level
             * at most as much as 5 s would, and a trough that is a drop (a
             * hold-in not yet confirmed) teaches nothing. */
            h->n_high = 0;
            const double dt = h->have_trough ? pt->t_s - h->t_trough : h->period_s;
            const double a = 1.0 - exp(-fmin(fmax(dt, 0.0), 5.0) / h->cfg.level_tau_s);
            h->level += (float)a * (v - h->level);
        }
        if (h->n_level < N_LEARN) {
            h->n_level++;
        }
        arm_if_ready(h, pt->t_s);
    }
    /* The trough into the ring (let_go), with the peak it fell from; a cycle too short
     * to be a relaxed one (one belt) is no breath to judge by. */
    const double t_fall =
        h->have_peak && (!h->have_trough || h->t_peak > h->t_trough) ? h->t_peak : (double)NAN;
    if (!(h->tr_t0 == h->tr_t0)) {
        h->tr_t0 = h->n > 0 ? ring_t(h, ring_oldest(h)) : pt->t_s; /* the first step */
    }
    h->have_trough = true;
    h->t_trough = pt->t_s;
    h->v_trough = pt->value;
    h->tr[h->n_tr % N_TROUGHS] = is_relaxed_cycle
                                     ? (trough_rec){pt->t_s, t_fall, pt->value, b_new, share_new}
                                     : (trough_rec){pt->t_s, t_fall, pt->value, NAN, NAN};
    h->n_tr++;
}

static int emit(bel_event *out, int n_out, int max_out, bel_event_kind kind, double t_s,
                double t_detect_s)
{
    if (n_out < max_out) {
        out[n_out] = bel_event_make(kind, t_s, t_detect_s);
        return n_out + 1;
    }
    return n_out;
}

/* Where the drop that left the level at k_left began: a belly going down slowly (the
 * end of an exhalation) and then sucked in is stamped where the fast part starts, the
 * first of the steps falling at a quarter of the steepest one's speed or more. */
static int64_t drop_start(const bel_holdin *h, int64_t k_left, int64_t k_end)
{
    float steepest = 0.0f;
    int64_t k_steep = -1;
    for (int64_t k = k_left + 1; k < k_end; k++) {
        const float fall = ring_b(h, k - 1) - ring_b(h, k);
        if (fall > steepest) {
            steepest = fall;
            k_steep = k;
        }
    }
    if (k_steep < 0) {
        return k_left;
    }
    int64_t k = k_steep;
    while (k - 1 > k_left && ring_b(h, k - 2) - ring_b(h, k - 1) >= 0.25f * steepest) {
        k--;
    }
    return k - 1;
}

/* Start of a candidate: the drop must be fast (the belly was near its relaxed
 * level within fast_s); it is stamped where the belly last left that level. */
static bool start_candidate(bel_holdin *h, float yb, float yc, double t)
{
    const float d = h->depth;
    if (!(yb < h->level - drop_margin(h))) {
        return false;
    }
    const int64_t k0 = ring_from(h, t - h->cfg.fast_s);
    int64_t k_left = -1;
    for (int64_t k = h->n - 1; k >= k0; k--) {
        if (ring_b(h, k) >= h->level - 0.1f * d) {
            k_left = k;
            break;
        }
    }
    /* Just after a gap (or the start) the drop may have happened while
     * nothing came: a belly already down is a candidate from now. */
    if (k_left < 0 && !h->after_gap) {
        return false;
    }
    /* A belly that falls within 2 s of being pushed out to the belt's rail is
     * the end of a cough or a knock, not sucked in. */
    if (k_left >= 0 && h->t_clip_hi >= ring_t(h, k_left) - 2.0) {
        return false;
    }
    h->after_gap = false;
    h->st = HS_CANDIDATE;
    h->t_cand = t;
    h->t_drop = k_left >= 0 ? ring_t(h, drop_start(h, k_left, h->n)) : t;
    h->min_b = yb;
    h->up_b = 0.0f;
    /* The chest counts from where the drop began: sucking in often comes with a chest
     * inhalation made while the belly goes down. */
    h->min_c = yc;
    for (int64_t k = k_left >= 0 ? k_left : h->n; k < h->n; k++) {
        h->min_c = fminf(h->min_c, ring_c(h, k));
    }
    h->up_c = yc - h->min_c;
    rev_init(&h->rev_b, yb, -1);
    rev_init(&h->rev_c, h->min_c, -1);
    rev_push(&h->rev_c, yc, fmaxf(0.2f * h->cdepth, 2.0f * noise_of(h->nabs_c)));
    return true;
}

/* One 10 Hz step of the hold-in state machine. */
static int step_holdin(bel_holdin *h, float yb, float yc, double t, bel_event *out, int n_out,
                       int max_out)
{
    const float d = h->depth;
    if (h->st == HS_IDLE) {
        if (!h->bh_on && d > 0.0f) {
            (void)start_candidate(h, yb, yc, t);
        }
        if (yb >= h->level - 0.1f * d) {
            h->after_gap = false;
        }
        return n_out;
    }
    if (h->st == HS_CANDIDATE) {
        h->min_b = fminf(h->min_b, yb);
        h->up_b = fmaxf(h->up_b, yb - h->min_b);
        const float nb = noise_of(h->nabs_b);
        const int n_rev_b = h->rev_b.count;
        rev_push(&h->rev_b, yb, fmaxf(0.07f * d, 2.0f * nb));
        if (n_rev_b == 0 && h->rev_b.count == 1) {
            h->t_rise_b = t;
        }
        const bool chest = chest_on(h);
        if (chest) {
            h->min_c = fminf(h->min_c, yc);
            h->up_c = fmaxf(h->up_c, yc - h->min_c);
            rev_push(&h->rev_c, yc, fmaxf(0.2f * h->cdepth, 2.0f * noise_of(h->nabs_c)));
        }
        if (h->up_b >= h->cfg.keep_max * d) {
            /* A full belly breath at the lower level: the wearer moved. */
            h->level = h->min_b;
            h->n_high = 0;
            h->st = HS_IDLE;
            return n_out;
        }
        /* With a chest belt a breath hold (both still) is not a hold-in. With the
         * belly alone, a belly sucked in far below its level while breathing with
         * the chest is as still as a held breath: the drop decides, not the hold. */
        if (yb > h->level - h->cfg.release_frac * d || t - h->t_cand > h->cfg.candidate_max_s ||
            (h->bh_on && chest)) {
            h->st = HS_IDLE;
            return n_out;
        }
        bool breathing, share_ok;
        if (chest) {
            /* A completed chest inhalation, or one already larger than a relaxed
             * chest breath (in relaxed breathing the belly would have passed
             * keep_max by then). */
            breathing = (h->rev_c.count >= 1 && h->up_c >= h->cfg.chest_min * h->cdepth) ||
                        h->up_c >= 1.2f * h->cdepth;
            const float share = h->up_b / (h->up_b + h->cal.chest_gain * h->up_c);
            share_ok = !(h->rshare > 0.0f) || share <= h->cfg.share_drop * h->rshare;
        } else {
            /* One belt: a small breath at the lower level, its inhalation seen here
             * and its end either here (the belly turned down) or by the breath stage
             * (an exhalation onset after the candidate began), whichever is first;
             * or an inhalation that has lasted as long as one usually does (0.4 of
             * the breath period) and stayed small: a paced hold at the top (4-7-8)
             * keeps its end from showing for seconds. */
            breathing =
                h->rev_b.count >= 2 ||
                (h->rev_b.count >= 1 && h->have_peak && h->t_peak > h->t_cand) ||
                (h->rev_b.count == 1 && h->period_s > 0.0 && t - h->t_rise_b >= 0.4 * h->period_s);
            share_ok = true;
        }
        if (breathing && share_ok && t - h->t_drop >= h->cfg.confirm_min_s) {
            h->st = HS_HELD;
            h->s.is_holding_in = true;
            h->s.n_holdins++;
            /* Held in since the drop: the time before the decision counts too. */
            h->held_before = h->s.time_held_in_s;
            h->s.time_held_in_s += t - h->t_drop;
            h->up_seen = false;
            h->n_full = 0;
            n_out = emit(out, n_out, max_out, BEL_EV_HOLDIN_START, h->t_drop, t);
        }
        return n_out;
    }
    /* Held in: ends once the belly stays above relaxed - end_frac x depth for
     * most of a breath (a sigh's peak does not end it). */
    const float thr = h->level - h->cfg.end_frac * d;
    if (yb >= thr) {
        if (!h->up_seen) {
            h->up_seen = true;
            h->t_up = t;
        }
    } else {
        h->up_seen = false;
    }
    const double need_s = fmin(fmax(0.6 * h->period_s, 2.0), 6.0);
    if (h->up_seen && t - h->t_up >= need_s) {
        h->st = HS_IDLE;
        h->s.is_holding_in = false;
        h->s.time_held_in_s = h->held_before + fmax(h->t_up - h->t_drop, 0.0);
        h->live_t0 = h->t_drop;
        h->live_t1 = h->t_up;
        n_out = emit(out, n_out, max_out, BEL_EV_HOLDIN_END, h->t_up, t);
    } else if (h->n_full >= 2) {
        /* The level the belly breathes fully at is its relaxed one now. */
        h->level = h->v_trough;
        h->n_high = 0;
        h->st = HS_IDLE;
        h->s.is_holding_in = false;
        h->s.time_held_in_s = h->held_before + fmax(h->t_full - h->t_drop, 0.0);
        h->live_t0 = h->t_drop;
        h->live_t1 = h->t_full;
        n_out = emit(out, n_out, max_out, BEL_EV_HOLDIN_END, h->t_full, t);
    }
    return n_out;
}

/* The newest step k, just put in the ring, into its block. */
static void block_push(bel_holdin *h, int64_t k, float yb, float yc)
{
    const int64_t i = (k / BLK) & (RING / BLK - 1);
    if (k % BLK == 0) {
        h->blk_lo_b[i] = h->blk_hi_b[i] = yb;
        h->blk_lo_c[i] = h->blk_hi_c[i] = yc;
        return;
    }
    h->blk_lo_b[i] = yb < h->blk_lo_b[i] ? yb : h->blk_lo_b[i];
    h->blk_hi_b[i] = yb > h->blk_hi_b[i] ? yb : h->blk_hi_b[i];
    h->blk_lo_c[i] = yc < h->blk_lo_c[i] ? yc : h->blk_lo_c[i];
    h->blk_hi_c[i] = yc > h->blk_hi_c[i] ? yc : h->blk_hi_c[i];
}

/* Lowest and highest of each belt over steps j0..k (within the ring), k the newest
 * step: the blocks wholly inside from their summaries, the rest one by one. */
static void range_newest(const bel_holdin *h, int64_t j0, int64_t k, float *lo_b, float *hi_b,
                         float *lo_c, float *hi_c)
{
    int64_t j1 = k; /* steps j0..j1 are still to be looked at */
    float lb = ring_b(h, k), hb = lb, lc = ring_c(h, k), hc = lc;
    if (k / BLK * BLK >= j0) {
        /* The newest block holds its steps up to k. */
        const int64_t i = (k / BLK) & (RING / BLK - 1);
        lb = h->blk_lo_b[i];
        hb = h->blk_hi_b[i];
        lc = h->blk_lo_c[i];
        hc = h->blk_hi_c[i];
        j1 = k / BLK * BLK - 1;
        while (j1 - BLK + 1 >= j0) {
            const int64_t m = ((j1 - BLK + 1) / BLK) & (RING / BLK - 1);
            lb = h->blk_lo_b[m] < lb ? h->blk_lo_b[m] : lb;
            hb = h->blk_hi_b[m] > hb ? h->blk_hi_b[m] : hb;
            lc = h->blk_lo_c[m] < lc ? h->blk_lo_c[m] : lc;
            hc = h->blk_hi_c[m] > hc ? h->blk_hi_c[m] : hc;
            j1 -= BLK;
        }
    }
    for (int64_t j = j1; j >= j0; j--) {
        const float vb = ring_b(h, j), vc = ring_c(h, j);
        lb = vb < lb ? vb : lb;
        hb = vb > hb ? vb : hb;
        lc = vc < lc ? vc : lc;
        hc = vc > hc ? vc : hc;
    }
    *lo_b = lb;
    *hi_b = hb;
    *lo_c = lc;
    *hi_c = hc;
}

/* Range (max - min) of each belt's 10 Hz history over the window ending at step k:
 * both at once (one pass, one look in the cache), the belly's to *rb, the chest's to *rc. */
static void range_still(bel_holdin *h, int64_t k, float *rb, float *rc)
{
    const int64_t oldest = ring_oldest(h);
    const int64_t len = h->still_len;
    const int64_t slot = k & (RING - 1);
    const bool whole = k - len + 1 >= oldest; /* the window is all in the ring */
    if (whole && h->rng_k[slot] == k && h->rng_len[slot] == len) {
        *rb = h->rng_b[slot];
        *rc = h->rng_c[slot];
        return;
    }
    const int64_t j0 = k - len + 1 > oldest ? k - len + 1 : oldest;
    float lo_b, hi_b, lo_c, hi_c;
    if (k == h->n - 1) {
        range_newest(h, j0, k, &lo_b, &hi_b, &lo_c, &hi_c);
    } else {
        lo_b = hi_b = ring_b(h, k);
        lo_c = hi_c = ring_c(h, k);
        for (int64_t j = k - 1; j >= j0; j--) {
            const float vb = ring_b(h, j), vc = ring_c(h, j);
            /* Comparisons, not fminf/fmaxf calls: the ring holds finite values. */
            lo_b = vb < lo_b ? vb : lo_b;
            hi_b = vb > hi_b ? vb : hi_b;
            lo_c = vc < lo_c ? vc : lo_c;
            hi_c = vc > hi_c ? vc : hi_c;
        }
    }
    if (whole) {
        h->rng_k[slot] = k;
        h->rng_len[slot] = len;
        h->rng_b[slot] = hi_b - lo_b;
        h->rng_c[slot] = hi_c - lo_c;
    }
    *rb = hi_b - lo_b;
    *rc = hi_c - lo_c;
}

/* One 10 Hz step of the breath-hold detector. */
static int step_breath_hold(bel_holdin *h, double t, bel_event *out, int n_out, int max_out)
{
    if (!h->armed || !(h->depth > 0.0f) || h->n < 2) {
        return n_out;
    }
    const bool chest = chest_on(h);
    /* Still: within the window the belly moves less than still_frac of its
     * relaxed breath and the chest less than chest_still_frac of its own,
     * or than twice their noise. */
    /* Comparisons, not fmaxf calls: depths and noise are finite here. */
    const float still_b = h->cfg.still_frac * h->depth, noise_b = 2.0f * noise_of(h->nabs_b);
    const float thr_b = still_b > noise_b ? still_b : noise_b;
    float thr_c = INFINITY;
    if (chest) {
        const float still_c = chest_still_frac * h->cdepth, noise_c = 2.0f * noise_of(h->nabs_c);
        thr_c = still_c > noise_c ? still_c : noise_c;
    }
    const int64_t k_now = h->n - 1;
    float rb, rc;
    range_still(h, k_now, &rb, &rc);
    if (h->bh_on) {
        if (rb > 1.5f * thr_b || (chest && rc > 1.5f * thr_c)) {
            h->bh_on = false;
            h->s.is_breath_hold = false;
            n_out = emit(out, n_out, max_out, BEL_EV_BREATH_HOLD_END, t, t);
        }
        return n_out;
    }
    /* With the belly belt alone, a belly held in (or about to be told so) is
     * as still as a held breath while the chest breathes: no breath hold is
     * told from it. */
    if (rb > thr_b || (chest && rc > thr_c) || (!chest && h->st != HS_IDLE)) {
        return n_out;
    }
    /* Walk back while still: how long has it been? */
    const int64_t oldest = ring_oldest(h);
    int64_t k = k_now;
    const int64_t len = h->still_len;
    while (k - len > oldest && t - ring_t(h, k) < h->cfg.breath_hold_s + 1.0) {
        float wb, wc;
        range_still(h, k - 1, &wb, &wc);
        if (wb > thr_b || (chest && wc > thr_c)) {
            break;
        }
        k--;
    }
    /* The stillness began within the first still window: breathing stopped
     * half a second into it (the end of an exhalation settles into it), and
     * it has lasted since the window's start. */
    const int64_t k0 = k - len + 1 > oldest ? k - len + 1 : oldest;
    const double t_start = fmin(ring_t(h, k0) + 0.5, ring_t(h, k));
    const double need_s =
        fmin(fmax(h->cfg.breath_hold_periods * h->period_s, h->cfg.breath_hold_min_s),
             h->cfg.breath_hold_s);
    if (t - ring_t(h, k0) >= need_s) {
        h->bh_on = true;
        h->s.is_breath_hold = true;
        h->s.n_breath_holds++;
        /* The time before the decision counts as held too. */
        h->s.time_breath_hold_s += t - t_start;
        n_out = emit(out, n_out, max_out, BEL_EV_BREATH_HOLD_START, t_start, t);
    }
    return n_out;
}

/* One 10 Hz step: the filtered belts into the ring, then the detectors. Not
 * inlined into bel_holdin_process: the registers its work needs would be saved
 * and restored at each of the four samples in five that do not step. */
__attribute__((noinline)) static int step(bel_holdin *h, double t_s, float yb, float yc,
                                          bel_event *out, int max_out)
{
    h->t_next += step_s;
    if (h->t_next <= t_s) {
        h->t_next = t_s + step_s; /* after a jump in time */
    }
    h->rb[h->n & (RING - 1)] = yb;
    h->rc[h->n & (RING - 1)] = yc;
    h->rt[h->n & (RING - 1)] = t_s;
    block_push(h, h->n, yb, yc);
    h->n++;
    int n_out = 0;
    n_out = step_breath_hold(h, t_s, out, n_out, max_out);
    n_out = step_holdin(h, yb, yc, t_s, out, n_out, max_out);
    return n_out;
}

/* A sample's work after the belly's rail: noise, filters, time in the states, and
 * the 10 Hz step when one is due. */
static inline int process_rest(bel_holdin *h, double t_s, float belly, float chest, bel_event *out,
                               int max_out)
{
    const double db = fabs((double)belly - 2.0 * (double)h->xb1 + (double)h->xb2);
    const double dc = fabs((double)chest - 2.0 * (double)h->xc1 + (double)h->xc2);
    if (h->n_raw < 3) {
        h->nabs_b = db;
        h->nabs_c = dc;
    } else {
        h->nabs_b += h->noise_alpha * (db - h->nabs_b);
        h->nabs_c += h->noise_alpha * (dc - h->nabs_c);
    }
    h->n_raw++;
    h->xb2 = h->xb1;
    h->xb1 = belly;
    h->xc2 = h->xc1;
    h->xc1 = chest;
    double yc_d;
    const float yb = (float)bel_biquad2_process(&h->lp, (double)belly, (double)chest, &yc_d);
    const float yc = (float)yc_d;
    if (!h->started) {
        h->started = true;
        h->t_next = t_s;
    } else if (h->s.is_holding_in || h->s.is_breath_hold) {
        /* The time in either state, between samples (not across a gap). Both count
         * from their start events' stamps; a hold-in's is set to the span between its
         * events' stamps when it ends (a breath hold ends at its decision). */
        const double dt = t_s - h->t_last;
        if (dt > 0.0 && dt < 2.0) {
            if (h->s.is_holding_in) {
                h->s.time_held_in_s += dt;
            }
            if (h->s.is_breath_hold) {
                h->s.time_breath_hold_s += dt;
            }
        }
    }
    h->t_last = t_s;
    if (t_s < h->t_next) {
        return 0;
    }
    return step(h, t_s, yb, yc, out, max_out);
}

/* A sample that may call out: the first one, or a belly at or beyond the
 * extremes seen. */
__attribute__((noinline)) static int process_edge(bel_holdin *h, double t_s, float belly,
                                                  float chest, bel_event *out, int max_out)
{
    /* Noise per belt from the raw second difference (as in the breath stage). */
    if (h->n_raw == 0) {
        h->xb1 = h->xb2 = belly;
        h->xc1 = h->xc2 = chest;
        bel_biquad2_reset(&h->lp, 0, (double)belly);
        bel_biquad2_reset(&h->lp, 1, (double)chest);
    }
    /* A cough, a sneeze or a knock drives a belt to its rail; breathing and
     * sucking in do not. */
    if (bel_rail_push(&h->rail, belly) > 0 && bel_rail_is_top(&h->rail)) {
        h->t_clip_hi = t_s;
    }
    return process_rest(h, t_s, belly, chest, out, max_out);
}

/* isfinite in integer instructions: no float constant to load at every sample. */
static inline bool is_finite_f(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7f800000u) != 0x7f800000u;
}

static inline bool is_finite_d(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7ff0000000000000u) != 0x7ff0000000000000u;
}

int bel_holdin_process(bel_holdin *h, double t_s, float belly, float chest, bel_event *out,
                       int max_out)
{
    if (!h || (!out && max_out > 0) || !is_finite_d(t_s) || !is_finite_f(belly)) {
        return 0;
    }
    if (!h->has_chest || !is_finite_f(chest)) {
        chest = 0.0f;
    }
    /* Almost every sample: not the first, the belly between its extremes (the
     * rail's test, bel_rail_push's own), so nothing on the way calls out (but the
     * step, last) and no registers need saving: a tenth of the stage's work. */
    if (h->n_raw != 0 && !(belly <= h->rail.lo) && !(belly >= h->rail.hi)) {
        (void)bel_rail_push(&h->rail, belly); /* 0 between the extremes */
        return process_rest(h, t_s, belly, chest, out, max_out);
    }
    return process_edge(h, t_s, belly, chest, out, max_out);
}

int bel_holdin_take_past(bel_holdin *h, double t_detect_s, bel_event *out, int max_out)
{
    if (!h->is_past_owed || max_out < 2) {
        return 0;
    }
    h->is_past_owed = false;
    out[0] = bel_event_make(BEL_EV_HOLDIN_START, h->past_start, t_detect_s);
    out[1] = bel_event_make(BEL_EV_HOLDIN_END, h->past_end, t_detect_s);
    return 2;
}

bool bel_holdin_is_breath_hold(const bel_holdin *h) { return h->s.is_breath_hold; }

bool bel_holdin_is_holding_in(const bel_holdin *h) { return h->s.is_holding_in; }

void bel_holdin_get_state(const bel_holdin *h, bel_holdin_state *out)
{
    *out = h->s;
    out->is_armed = h->armed;
    out->relaxed_level = h->armed ? h->level : NAN;
    out->relaxed_depth = h->armed ? h->depth : NAN;
    out->chest_depth = h->armed && h->has_chest ? h->cdepth : NAN;
    out->relaxed_share = h->has_chest ? h->rshare : NAN;
}
