/* pipeline.c - the per-sample breath pipeline: condition -> breath -> metrics, spectrum.
 * SPDX-License-Identifier: MIT */
#include "bellows/pipeline.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/breath.h"
#include "bellows/filter.h"
#include "bellows/holdin.h"
#include "bellows/spectrum.h"
#include "core_alloc.h"

enum { N_RECENT = 8, N_POLARITY = 12 };
/* Turn-round events owed (turn_pending): the belts, the chest alone. */
enum { TURN_BOTH = 1, TURN_CHEST = 2 };

/* The belly pulled in: the breath stage's depths are scaled by this, and fade
 * on from there (bel_breath_forget_scale). A held-in belly breathes less (the
 * hold-in stage's own bound: under keep_max, 0.6, of a relaxed breath; with a
 * chest belt the mixed signal loses the belly's part). With half the
 * reference, breaths from about a sixth of a relaxed one (excursion_frac,
 * 0.35, of it) are found from the first, not after seconds of decay; smaller
 * ones when the decay has gone on. */
static const double holdin_scale = 0.5;

/* Polarity: per breath, ln(rise time / fall time) minus the cycle's skewness
 * (both > 0 when the belts read the other way round: an inhalation's movement
 * is the shorter, and breathing rests near the exhaled level). The median over
 * the last N_POLARITY breaths above this says "inverted"; at least this many
 * breaths before deciding, or polarity_early_breaths if every one of them is
 * above it (at 8 breaths a minute, half a minute of turned breaths instead of
 * a whole one). A belt does not turn round while it is worn: the
 * evidence of every breath since the last decision (each clipped to +-1) must
 * also say so, so that minutes of exercise, when exhaling becomes the brisk
 * movement, do not undo what the resting breaths before showed. */
static const float polarity_threshold = 0.5f;
static const int polarity_min_breaths = 8;
static const int polarity_early_breaths = 4;

/* Or, from polarity_min_breaths on, a smaller asymmetry said by almost every
 * breath: polarity_consistent_n of the last breaths (all of them while there are
 * no more) each above polarity_consistent, that is all of eight to ten, ten of
 * eleven or twelve. Breathing with no pause whose inhalation takes 2 of 5 parts of
 * the cycle (raised cosines, 2:3) says ln 1.5 = 0.41 each breath, under the
 * median's threshold: with both belts read the other way round it was never
 * turned. Worn right, no recording of ../shared comes near (the least of any eight
 * in a row at most -0.23, the third least of twelve -0.16; on a jogging Hexoskin
 * 0.31 and 0.42, but there the resting breaths before keep the sum since the last
 * decision against it, as they do against the median). */
static const float polarity_consistent = 0.2f;
static const int polarity_consistent_n = 10;

/* A gap in the samples of at least this long is a lost signal. */
static const double gap_event_s = 0.5;

/* A gap longer than this forgets the breath in progress. */
static const double gap_reset_s = 2.0;

/* The weights: the first principal direction of the belts' movement, from
 * the covariance of their 0.4 s steps (every mix_decim-th of the hold-in
 * stage's 10 Hz values, low-passed again at mix_lp_hz: no work at every
 * sample) over the last mix_window_steps or the last breath if longer. The
 * belt that moves most with the breath leads: the chest while the belly is
 * held in, whose breaths count from its first ones; a belt that hardly moves
 * adds little noise. Each step is first clipped to mix_clip Mahalanobis sigmas
 * of the covariance so far, so a drop or a rise of the belly (pulled in, let
 * go), a posture step or a knock does not tip the weights; the breaths' own
 * steps are well within it. When the belly is pulled in the covariance counts
 * as mix_keep_steps only (the new breathing takes over within a breath); when
 * it is let go the relaxed covariance and weights of before come back. The
 * detection signal takes new weights at turning points only. */
enum { mix_decim = 4, mix_window_steps = 20, mix_keep_steps = 3 };
/* Movements between turning points before the chest's polarity is known. */
enum { mix_polarity_movements = 6 };
/* A chest whose part of the detection signal is under this reads almost
 * nothing of the breath (a loose belt, or not weighed yet): the signal is the
 * belly's, as with one belt (bel_breath_set_one_belt). */
static const double mix_one_belt_share = 0.1;
/* cos^2 of the weights' least move (about 5 degrees). */
static const double mix_move_cos2 = 0.96;
static const double mix_clip = 2.5;
/* The steps' low-pass (on 2.5 Hz values): the breath passes, the heart beat
 * (the chest's most) hardly does. */
static const double mix_lp_hz = 0.6;

typedef struct breath_rec {
    float dur_s, ti_s, te_s, depth;
} breath_rec;

/* The front: what a sample's raw values give, from the samples alone (nothing the stages
 * behind it learn feeds back into it), so it may run ahead on another thread. */
struct bel_pipeline_front {
    int belly_channel, chest_channel;
    double fs_hz;
    bel_median2 despike; /* the belly's (0) and the chest's (1) */
    bool has_reading;    /* a sample with every belt in use not 0 came (since the start or a gap) */
    double t_belly_reading; /* the belly read not 0 from here while the chest still read 0
                               (NAN: not yet) */
    int centre_off;         /* raw_hist's sample at the median's centre: raw_head + this, mod 16 */
    float raw_hist[16];
    int raw_head;
    /* Clipping: runs of identical values at the extremes seen so far. */
    bel_rail rail; /* the raw belly held at a rail */
    float prev_chest;
};

struct bel_pipeline {
    bel_pipeline_config cfg;
    bel_breath *breath;
    bel_spectrum *spectrum;
    bel_holdin *holdin;
    bel_pipeline_front front;
    bool invert_belly, invert_chest;
    bool auto_polarity;
    double t_reading; /* the front's first sample taken (since the start or a gap) */
    /* Polarity evidence: ln(rise / fall) of recent breaths. */
    float pol_log[N_POLARITY];
    int n_pol, pol_head;
    double pol_total;   /* every breath's clipped evidence for "inverted", as read now */
    uint32_t n_pol_all; /* breaths in pol_total (negated at a turn, never cleared) */
    uint32_t n_pol_above, n_pol_below; /* of them, evidence beyond +-polarity_consistent,
                                          as read now (swapped at a turn) */
    double chest_total; /* clipped chest-against-belly evidence since the last chest decision */
    float last_rise_s;
    float polarity_score;   /* the latest median evidence (> 0: reads inverted) */
    bool is_shape_inverted; /* the recent breaths' shape says so (bel_metrics) */
    uint32_t n_flips;
    uint8_t turn_pending; /* turn-round events owed: TURN_BOTH, TURN_CHEST */
    /* The detection signal: belly and chest increments weighted by the
     * first principal direction of their (low-passed) movement. */
    bel_biquad disp_lp;
    double sbb, sbc, scc; /* robust covariance of the belts' 0.4 s steps (the weights') */
    double rel_bb, rel_bc, rel_cc, rel_wb,
        rel_wc;            /* it and w_b, w_c when the belly was pulled in */
    bool have_rel;         /* rel_* are kept for the release */
    int n_step;            /* steps in it (up to the window's) */
    int64_t mix_k_next;    /* the hold-in stage's step count at which to read them next
                              (INT64_MAX without a chest belt) */
    bel_biquad2 mix_lp;    /* the belts' values read, low-passed below the heart rate */
    bool have_step;        /* step_b and step_c were read (since a reset) */
    double step_b, step_c; /* the belts' mix_lp outputs when last read */
    double cbb, cbc, ccc;  /* covariance of the belts' movements between turning points */
    int n_mix;             /* movements in it */
    int n_mix_all;         /* movements seen (not forgotten): the chest's polarity is checked */
    bool have_mix_tp;
    float mix_b, mix_c;   /* belly and chest at the last turning point */
    double e_b, e_c;      /* unit weights */
    double w_b, w_c;      /* the weights the steps ask for, taken at the next turning point */
    int64_t k_taken;      /* the hold-in stage's step count when they were last taken */
    float prev_b, prev_c; /* previous conditioned belly and chest */
    bool mix_started;
    double det; /* the detection signal */
    uint32_t restarts_seen;
    uint32_t n_restarts_disp; /* UINT32_MAX before the first sample (no restart count is) */
    double sum_share;
    uint32_t n_share;
    int despike_delay;      /* samples of delay of the median */
    double despike_delay_s; /* the same in seconds */
    /* The median's usual overrule of the raw belly, |raw - median|: a plain
     * mean over the first off_n_max samples, then an EMA over as many. */
    float off_mean;
    uint32_t off_n, off_n_max;
    bool started;
    int n_channels_min; /* a sample needs this many channels (both belts' indices below it) */
    double t_last;      /* -DBL_MAX before the first sample: the order check refuses -inf */
    double t_first;
    /* Breath bookkeeping. */
    bool have_trough, have_peak;
    double t_trough, t_peak;
    float v_trough, v_peak;
    float b_peak;     /* the belly's own value at the last peak */
    float ti_pending; /* Ti of the breath in progress (after its peak) */
    breath_rec recent[N_RECENT];
    int n_recent, recent_head;
    /* Figures of the recent breaths, made when one completes (they change
     * only then): sum and sum of squares of the durations, and the medians. */
    double recent_sum, recent_sum2;
    float recent_ie, recent_ti, recent_te, recent_depth, recent_variability;
    /* m.rate_bpm is rate_at(rate_t), made when read (a breath in progress lowers
     * it at every sample): rate_keep puts it into m. */
    bool rate_live;
    uint32_t beats_found_seen; /* bel_breath_get_beats_found as last acted on */
    double rate_t;
    float baseline;
    bel_metrics m;
    /* m's fields read from the stages (stage_metrics) are their state now: filled
     * in when the metrics are read, not at every sample. */
    bool stage_metrics_live;
    /* Whole-run accumulators. */
    double sum_ti, sum_te, sum_depth, sum_dur, sum_dur2;
    uint32_t n_sum;          /* breaths in the sums: since the start, or the last turn-round */
    bel_spectrum_tally spec; /* the spectral rate's estimates */
    /* The summary's rate: inhalations over the time between them, counted in
     * stretches of signal (a lost signal ends one: its gap is no breathing). */
    double t_first_insp, t_last_insp; /* the current stretch */
    uint32_t n_insp;                  /* inhalations in the current stretch */
    double insp_span_done_s;          /* earlier stretches: time from first to last */
    uint32_t n_insp_gaps_done;        /* earlier stretches: intervals between inhalations */
    uint32_t n_events[BEL_EV_COUNT];
    /* Nobody watches (bel_pipeline_set_offline): no display trace, and the spectrum is
     * run by the caller, told what it was to do at the latest sample. */
    bool is_offline;
    uint8_t spectrum_flags;
    float spectrum_x;
};

/* isfinite of a float read from a sample, in integer instructions (no float
 * constant to keep across the stages' calls). */
static inline bool is_finite_f(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7f800000u) != 0x7f800000u;
}

/* The despiking median's window at fs_hz: about 40 ms either side removes
 * single- and two-sample spikes. */
static int despike_window(double fs_hz)
{
    const int k = 2 * (int)(0.04 * fs_hz) + 1;
    return k < 5 ? 5 : (k > 9 ? 9 : k);
}

/* A front for cfg's belts, as a pipeline starts it. */
static bel_status front_init(bel_pipeline_front *f, const bel_pipeline_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->belly_channel = cfg->belly_channel;
    f->chest_channel = cfg->chest_channel;
    f->fs_hz = cfg->fs_hz;
    f->t_belly_reading = NAN;
    f->prev_chest = NAN;
    const int k = despike_window(cfg->fs_hz);
    f->centre_off = 16 - k / 2;
    bel_rail_init(&f->rail, cfg->fs_hz);
    return bel_median2_init(&f->despike, k);
}

/* One sample through the front (bel_pipeline_front_process). */
static inline void front_process(bel_pipeline_front *f, const bel_sample *s,
                                 bel_pipeline_front_out *o)
{
    o->flags = 0;
    if (s->n_missed > 0 && (double)s->n_missed / f->fs_hz > gap_reset_s) {
        /* After a gap (as the stages behind are reset): the belts are waited for
         * again, and nothing old comes out of the despike medians for the first
         * samples after it, and then a step. */
        f->has_reading = false;
        f->t_belly_reading = NAN;
        const bel_status st_d = bel_median2_init(&f->despike, bel_median2_get_n(&f->despike));
        (void)st_d; /* the same valid window as at create */
    }
    float raw = s->value[f->belly_channel];
    if (!is_finite_f(raw)) {
        return; /* sources validate; a stray NaN is skipped, not propagated */
    }
    /* A belt powering up sends zeros before its first reading: no signal, and
     * no step from 0 for the stages to learn. Until every belt in use reads
     * something else (at the start, and after a gap), such samples are passed
     * over. A chest belt powers up within a second or two of the belly (1.6 s
     * seen); one that still reads 0 three seconds after the belly began reads
     * nothing (an input without a cord, recorded): the belly goes on without
     * it, and the mix gives it no weight. */
    if (!f->has_reading) {
        if (raw == 0.0f) {
            return;
        }
        if (f->chest_channel >= 0 && s->value[f->chest_channel] == 0.0f) {
            if (!isfinite(f->t_belly_reading)) {
                f->t_belly_reading = s->t_s;
            }
            if (s->t_s - f->t_belly_reading < 3.0) {
                return;
            }
        }
        f->has_reading = true;
        o->flags = BEL_PIPELINE_FRONT_FIRST;
    }
    /* Despike: running median of each belt (the chest's aligned with the
     * belly's). The sign comes after it (a median commutes with negation), so
     * a revised polarity needs nothing from the median's past. A stray NaN in
     * the chest repeats the previous chest value. */
    float chest = NAN;
    float med;
    float rc = f->chest_channel >= 0 ? s->value[f->chest_channel] : NAN;
    bool have_chest = is_finite_f(rc);
    if (!have_chest) {
        rc = f->prev_chest; /* NAN until a chest value came */
        have_chest = is_finite_f(rc);
    }
    if (have_chest) {
        f->prev_chest = rc;
        med = bel_median2_process(&f->despike, raw, rc, &chest);
    } else {
        med = bel_median2_process_one(&f->despike, 0, raw);
    }
    o->belly_now = raw;
    o->chest_now = rc;
    /* Clipping: the raw belly held at a rail (filter.h). */
    o->n_clipped = bel_rail_push(&f->rail, raw);
    f->raw_hist[f->raw_head] = raw;
    o->centre = f->raw_hist[(f->raw_head + f->centre_off) & 15];
    f->raw_head = (f->raw_head + 1) & 15;
    o->belly = med;
    o->chest = chest;
    o->flags |= BEL_PIPELINE_FRONT_TAKEN;
}

bel_status bel_pipeline_front_create(const bel_pipeline *p, bel_pipeline_front **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!p) {
        return BEL_ERR_ARG;
    }
    bel_pipeline_front *f = BEL_CORE_CALLOC(1, sizeof *f);
    if (!f) {
        return BEL_ERR_NOMEM;
    }
    const bel_status st = front_init(f, &p->cfg);
    if (st != BEL_OK) {
        BEL_CORE_FREE(f);
        return st;
    }
    *out = f;
    return BEL_OK;
}

void bel_pipeline_front_destroy(bel_pipeline_front *f) { BEL_CORE_FREE(f); }

void bel_pipeline_front_process(bel_pipeline_front *f, const bel_sample *s,
                                bel_pipeline_front_out *out)
{
    front_process(f, s, out);
}

bel_pipeline_config bel_pipeline_config_default(void)
{
    bel_pipeline_config c;
    c.fs_hz = 50.0;
    c.belly_channel = 0;
    c.chest_channel = -1;
    c.invert = false;
    c.auto_polarity = true;
    c.report_gaps = true;
    c.spectrum_window_s = 32.0;
    c.breath = bel_breath_config_default(c.fs_hz);
    c.invert_chest = false;
    c.holdin = bel_holdin_config_default(c.fs_hz);
    c.calibration = bel_holdin_calibration_none();
    return c;
}

bel_status bel_pipeline_create(const bel_pipeline_config *cfg, bel_pipeline **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !(cfg->fs_hz >= 5.0 && cfg->fs_hz <= 2000.0) || cfg->belly_channel < 0 ||
        cfg->belly_channel >= BEL_MAX_CHANNELS || cfg->chest_channel >= BEL_MAX_CHANNELS ||
        cfg->chest_channel == cfg->belly_channel || !(cfg->spectrum_window_s >= 8.0) ||
        !(cfg->spectrum_window_s <= 120.0)) {
        return BEL_ERR_ARG;
    }
    bel_pipeline *p = BEL_CORE_CALLOC(1, sizeof *p);
    if (!p) {
        return BEL_ERR_NOMEM;
    }
    p->cfg = *cfg;
    p->t_last = -DBL_MAX;
    p->n_channels_min =
        1 + (cfg->chest_channel > cfg->belly_channel ? cfg->chest_channel : cfg->belly_channel);
    bel_status st;
    bel_breath_config bc = cfg->breath;
    bc.fs_hz = cfg->fs_hz;
    /* The median's delay: the belts as they read now are this far ahead. */
    p->despike_delay = despike_window(cfg->fs_hz) / 2;
    p->despike_delay_s = p->despike_delay / cfg->fs_hz;
    bc.now_lead = p->despike_delay;
    /* The detection signal is the belly's alone until the chest is weighed
     * (mix_take). */
    bc.is_one_belt = true;
    st = bel_breath_create(&bc, &p->breath);
    if (st != BEL_OK) {
        goto fail;
    }
    bel_spectrum_config sc;
    bel_pipeline_get_spectrum_config(p, &sc);
    st = bel_spectrum_create(&sc, &p->spectrum);
    if (st != BEL_OK) {
        goto fail;
    }
    st = front_init(&p->front, cfg);
    if (st != BEL_OK) {
        goto fail;
    }
    bel_holdin_config hc = cfg->holdin;
    hc.fs_hz = cfg->fs_hz;
    st = bel_holdin_create(&hc, &cfg->calibration, cfg->chest_channel >= 0, &p->holdin);
    if (st != BEL_OK) {
        goto fail;
    }
    p->invert_belly = cfg->calibration.is_valid ? cfg->calibration.belly_inverted : cfg->invert;
    p->invert_chest =
        cfg->calibration.is_valid ? cfg->calibration.chest_inverted : cfg->invert_chest;
    p->auto_polarity = cfg->auto_polarity && !cfg->calibration.is_valid;
    if (bel_biquad_init_lowpass(&p->disp_lp, cfg->fs_hz, fmin(1.8, 0.4 * cfg->fs_hz)) != BEL_OK) {
        st = BEL_ERR_ARG;
        goto fail;
    }
    p->e_b = p->w_b = 1.0;
    p->e_c = p->w_c = 0.0;
    p->mix_k_next = cfg->chest_channel >= 0 ? 1 : INT64_MAX; /* as mix_forget leaves it */
    bel_biquad mix_lp;
    if (bel_biquad_init_lowpass(&mix_lp, 10.0 / mix_decim, mix_lp_hz) != BEL_OK) {
        st = BEL_ERR_ARG;
        goto fail;
    }
    bel_biquad2_init(&p->mix_lp, &mix_lp, &mix_lp);
    p->last_rise_s = NAN;
    p->polarity_score = NAN;
    p->is_shape_inverted = false;
    p->off_mean = 0.0f;
    p->off_n = 0;
    p->off_n_max = (uint32_t)fmax(1.0, 5.0 * cfg->fs_hz);
    p->n_restarts_disp = UINT32_MAX;
    memset(&p->m, 0, sizeof p->m);
    p->m.belly = p->m.baseline = NAN;
    p->m.rate_bpm = p->m.rate_spectral_bpm = p->m.ie_ratio = NAN;
    p->m.ti_s = p->m.te_s = p->m.depth = p->m.variability = NAN;
    p->m.chest = p->m.belly_share = p->m.chest_belly_lag_s = p->m.chest_belly_phase_deg = NAN;
    p->m.relaxed_level = p->m.relaxed_depth = p->m.relaxed_chest_depth = p->m.relaxed_share = NAN;
    p->baseline = NAN;
    p->spec = bel_spectrum_tally_init();
    *out = p;
    return BEL_OK;
fail:
    bel_pipeline_destroy(p);
    return st;
}

void bel_pipeline_destroy(bel_pipeline *p)
{
    if (!p) {
        return;
    }
    bel_breath_destroy(p->breath);
    bel_spectrum_destroy(p->spectrum);
    bel_holdin_destroy(p->holdin);
    BEL_CORE_FREE(p);
}

/* Median of v[0..n) (n <= N_POLARITY), which it sorts: an insertion sort, not
 * qsort (whose call per comparison costs ten times as much on these few values).
 * The values are finite (durations, depths, logs of positive ratios), so any
 * sort orders them alike and the median is qsort's. */
static float median_of(float *v, int n)
{
    for (int i = 1; i < n; i++) {
        const float x = v[i];
        int j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* The recent breaths' figures, when a breath completes: four medians and the
 * sums of the durations. */
static void update_recent(bel_pipeline *p)
{
    const int n = p->n_recent;
    if (n == 0) {
        return;
    }
    float ie[N_RECENT], ti[N_RECENT], te[N_RECENT], dep[N_RECENT];
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; i++) {
        const breath_rec *r = &p->recent[i];
        ie[i] = r->te_s > 0.0f ? r->ti_s / r->te_s : NAN;
        ti[i] = r->ti_s;
        te[i] = r->te_s;
        dep[i] = r->depth;
        sum += (double)r->dur_s;
        sum2 += (double)r->dur_s * (double)r->dur_s;
    }
    p->recent_sum = sum;
    p->recent_sum2 = sum2;
    p->recent_ie = median_of(ie, n);
    p->recent_ti = median_of(ti, n);
    p->recent_te = median_of(te, n);
    p->recent_depth = median_of(dep, n);
    const double mean = sum / n;
    const double var = sum2 / n - mean * mean;
    p->recent_variability = n >= 2 ? (float)(sqrt(var > 0.0 ? var : 0.0) / mean) : NAN;
}

/* The rate at t_now: a breath still in progress that already lasts longer
 * than usual lowers it as time passes (a pause or a hold). n_recent > 0. */
static float rate_at(const bel_pipeline *p, double t_now)
{
    const int n = p->n_recent;
    const double sum = p->recent_sum;
    const double mean = sum / n;
    const double open = p->have_trough ? t_now - p->t_trough : 0.0;
    const double span = sum + (open > mean ? open - mean : 0.0);
    return (float)(60.0 * n / span);
}

/* The running figures at t_now: the recent breaths' (update_recent) and the
 * rate. */
static void update_running(bel_pipeline *p, double t_now)
{
    const int n = p->n_recent;
    if (n == 0) {
        return;
    }
    p->m.rate_bpm = rate_at(p, t_now);
    p->rate_live = false;
    p->m.ie_ratio = p->recent_ie;
    p->m.ti_s = p->recent_ti;
    p->m.te_s = p->recent_te;
    p->m.depth = p->recent_depth;
    p->m.variability = p->recent_variability;
}

/* The rate as the last sample left it, into m, before what rate_at reads changes. */
static void rate_keep(bel_pipeline *p)
{
    if (p->rate_live) {
        p->m.rate_bpm = rate_at(p, p->rate_t);
        p->rate_live = false;
    }
}

/* belly: the belly's own value at the turning point (the baseline is the belly's). */
static int emit_point(bel_pipeline *p, const bel_breath_point *pt, float belly, bel_event *out)
{
    rate_keep(p);
    bel_event ev =
        bel_event_make(pt->is_peak ? BEL_EV_EXP_ONSET : BEL_EV_INSP_ONSET, pt->t_s, pt->t_detect_s);
    if (pt->is_peak) {
        if (p->have_trough && pt->t_s > p->t_trough) {
            ev.ti_s = (float)(pt->t_s - p->t_trough);
            ev.depth = pt->value - p->v_trough;
            p->ti_pending = ev.ti_s;
        } else {
            p->ti_pending = NAN;
        }
        p->have_peak = true;
        p->t_peak = pt->t_s;
        p->v_peak = pt->value;
        p->b_peak = belly;
    } else {
        if (p->have_trough && p->have_peak && p->t_peak > p->t_trough && pt->t_s > p->t_peak &&
            isfinite(p->ti_pending)) {
            breath_rec r;
            r.dur_s = (float)(pt->t_s - p->t_trough);
            r.ti_s = p->ti_pending;
            r.te_s = (float)(pt->t_s - p->t_peak);
            r.depth = p->v_peak - 0.5f * (p->v_trough + pt->value);
            p->recent[p->recent_head] = r;
            p->recent_head = (p->recent_head + 1) % N_RECENT;
            if (p->n_recent < N_RECENT) {
                p->n_recent++;
            }
            update_recent(p);
            p->m.n_breaths++;
            p->n_sum++;
            p->sum_ti += (double)r.ti_s;
            p->sum_te += (double)r.te_s;
            p->sum_depth += (double)r.depth;
            p->sum_dur += (double)r.dur_s;
            p->sum_dur2 += (double)r.dur_s * (double)r.dur_s;
            ev.ti_s = r.ti_s;
            ev.te_s = r.te_s;
            ev.depth = r.depth;
            const float mid = 0.5f * (p->b_peak + belly);
            p->baseline = isfinite(p->baseline) ? 0.7f * p->baseline + 0.3f * mid : mid;
        }
        if (p->n_insp == 0) {
            p->t_first_insp = pt->t_s;
        }
        p->n_insp++;
        p->t_last_insp = pt->t_s;
        p->have_trough = true;
        p->t_trough = pt->t_s;
        p->v_trough = pt->value;
        p->ti_pending = NAN;
    }
    update_running(p, pt->t_detect_s);
    ev.rate_bpm = p->m.rate_bpm;
    ev.ie_ratio = p->m.ie_ratio;
    *out = ev;
    return 1;
}

/* The signal was lost: the next inhalation starts a new stretch for the rate. */
static void end_insp_stretch(bel_pipeline *p)
{
    if (p->n_insp >= 2) {
        p->insp_span_done_s += p->t_last_insp - p->t_first_insp;
        p->n_insp_gaps_done += p->n_insp - 1;
    }
    p->n_insp = 0;
}

/* Forget the breath in progress (its turning points no longer pair up). */
static void forget_breath_in_progress(bel_pipeline *p)
{
    rate_keep(p);
    p->have_trough = p->have_peak = false;
    p->ti_pending = NAN;
    p->last_rise_s = NAN;
}

/* The breaths so far were not the breathing (read the other way round, or a
 * heart beat's phases): the summary's and the running breath figures count
 * from here. */
static void count_afresh(bel_pipeline *p)
{
    rate_keep(p);
    p->sum_ti = p->sum_te = p->sum_depth = p->sum_dur = p->sum_dur2 = 0.0;
    p->n_sum = 0;
    p->n_insp = 0;
    p->insp_span_done_s = 0.0;
    p->n_insp_gaps_done = 0;
    p->sum_share = 0.0;
    p->n_share = 0;
    p->n_recent = 0;
    p->recent_head = 0;
}

/* The breathing says the belts read the other way round: negate every
 * stage's view of the past, and learn the relaxed state again. */
static void flip_polarity(bel_pipeline *p)
{
    rate_keep(p);
    p->invert_belly = !p->invert_belly;
    p->invert_chest = p->cfg.chest_channel >= 0 ? !p->invert_chest : p->invert_chest;
    p->det = -p->det;
    p->prev_b = -p->prev_b;
    p->prev_c = -p->prev_c;
    p->mix_b = -p->mix_b;
    p->mix_c = -p->mix_c;
    p->step_b = -p->step_b;
    p->step_c = -p->step_c;
    bel_biquad2_negate(&p->mix_lp);
    bel_biquad_negate(&p->disp_lp);
    bel_breath_negate(p->breath);
    bel_holdin_negate_belly(p->holdin);
    if (p->cfg.chest_channel >= 0) {
        bel_holdin_negate_chest(p->holdin);
    }
    bel_holdin_relearn(p->holdin);
    forget_breath_in_progress(p);
    /* The breaths so far were timed the wrong way round (inhalation for exhalation):
     * the summary's breath figures count from here. */
    count_afresh(p);
    p->n_pol = 0;
    p->pol_head = 0;
    p->is_shape_inverted = false;
    p->pol_total = -p->pol_total; /* what decided it, now for the new reading */
    const uint32_t above = p->n_pol_above;
    p->n_pol_above = p->n_pol_below;
    p->n_pol_below = above;
    p->baseline = NAN;
    p->n_flips++;
    p->turn_pending ^= TURN_BOTH; /* turned twice in one sample: no turn */
}

/* The chest's part of the detection signal, 0..1 (bel_metrics.chest_weight). */
static double chest_weight(const bel_pipeline *p)
{
    return fabs(p->e_c) / (fabs(p->e_b) + fabs(p->e_c));
}

/* The metrics that are the stages' state as the last sample left it (and the
 * phase, which also depends on the breath in progress), and the pipeline's own
 * that change only with a breath, a flip or a restart: nothing changes them
 * between two samples, so they are read when the metrics are. */
static void stage_metrics(const bel_pipeline *p, bel_metrics *m)
{
    m->is_belly_inverted = p->invert_belly;
    m->is_chest_inverted = p->invert_chest;
    m->n_polarity_flips = p->n_flips;
    m->polarity_score = p->polarity_score;
    m->is_shape_inverted = p->is_shape_inverted;
    m->is_polarity_found = p->auto_polarity;
    m->n_restarts = bel_breath_get_restarts(p->breath);
    m->baseline = p->baseline;
    m->breath = bel_breath_get_smoothed(p->breath);
    m->chest_weight = (float)chest_weight(p);
    m->phase = bel_breath_is_inhaling(p->breath) ? BEL_PHASE_INHALE : BEL_PHASE_EXHALE;
    if (!p->have_trough && !p->have_peak) {
        m->phase = BEL_PHASE_UNKNOWN;
    }
    bel_holdin_state hs;
    bel_holdin_get_state(p->holdin, &hs);
    m->belly_share = hs.belly_share;
    m->chest_belly_lag_s = hs.phase_lag_s;
    m->chest_belly_phase_deg = hs.phase_deg;
    m->relaxed_level = hs.relaxed_level;
    m->relaxed_depth = hs.relaxed_depth;
    m->relaxed_chest_depth = hs.chest_depth;
    m->relaxed_share = hs.relaxed_share;
    m->is_holding_in = hs.is_holding_in;
    m->is_breath_hold = hs.is_breath_hold;
}

/* The stages are about to change outside a sample: the metrics keep what the
 * last sample left (until the next sample). */
static void stage_metrics_keep(bel_pipeline *p)
{
    if (p->stage_metrics_live) {
        stage_metrics(p, &p->m);
        p->stage_metrics_live = false;
    }
}

/* The turn-round events owed, at t_s: the reader of the events knows from them how each
 * belt was read at every moment (a report draws each belt expansion up). */
static int emit_turns(bel_pipeline *p, double t_s, bel_event *out, int max_out)
{
    static const bel_event_kind kinds[2] = {BEL_EV_TURNED_ROUND, BEL_EV_CHEST_TURNED_ROUND};
    int n_out = 0;
    for (int i = 0; i < 2; i++) {
        if ((p->turn_pending & (1u << i)) && n_out < max_out) {
            p->turn_pending &= (uint8_t) ~(1u << i);
            out[n_out++] = bel_event_make(kinds[i], t_s, t_s);
            p->n_events[kinds[i]]++;
        }
    }
    return n_out;
}

int bel_pipeline_turn_round(bel_pipeline *p, bel_event *out, int max_out)
{
    if (!p || (!out && max_out > 0)) {
        return BEL_ERR_ARG;
    }
    stage_metrics_keep(p);
    bel_holdin_state before, after;
    bel_holdin_get_state(p->holdin, &before);
    flip_polarity(p);
    p->auto_polarity = false;
    bel_holdin_get_state(p->holdin, &after);
    /* What ended with the relaxed state ends now, with its event. */
    int n_out = 0;
    if (before.is_holding_in && !after.is_holding_in && n_out < max_out) {
        out[n_out++] = bel_event_make(BEL_EV_HOLDIN_END, p->t_last, p->t_last);
        p->n_events[BEL_EV_HOLDIN_END]++;
    }
    if (before.is_breath_hold && !after.is_breath_hold && n_out < max_out) {
        out[n_out++] = bel_event_make(BEL_EV_BREATH_HOLD_END, p->t_last, p->t_last);
        p->n_events[BEL_EV_BREATH_HOLD_END]++;
    }
    p->m.is_belly_inverted = p->invert_belly;
    p->m.is_chest_inverted = p->invert_chest;
    p->m.n_polarity_flips = p->n_flips;
    p->m.is_polarity_found = false;
    p->m.is_holding_in = after.is_holding_in;
    p->m.is_breath_hold = after.is_breath_hold;
    n_out += emit_turns(p, p->t_last, out + n_out, max_out - n_out);
    return n_out;
}

/* Polarity evidence from each turning point: how long the rise and the fall
 * took (10-90 %, pauses and holds left out). Inhalation is the active, shorter
 * movement in natural breathing and in every paced pattern that is not
 * symmetric (4-7-8, 5-2-7, 4-6); a symmetric one (box, 5-5) says nothing. */
static void polarity_evidence(bel_pipeline *p, const bel_breath_point *pt)
{
    if (!p->auto_polarity) {
        return;
    }
    if (pt->is_peak) {
        p->last_rise_s = pt->move_s;
        return;
    }
    const float rise = p->last_rise_s, fall = pt->move_s;
    p->last_rise_s = NAN;
    if (!(rise > 0.0f) || !(fall > 0.0f)) {
        return;
    }
    const float sk = isfinite(pt->cycle_skew) ? pt->cycle_skew : 0.0f;
    p->pol_log[p->pol_head] = logf(rise / fall) - sk;
    p->pol_total += fmin(fmax((double)p->pol_log[p->pol_head], -1.0), 1.0);
    p->n_pol_all++;
    p->n_pol_above += p->pol_log[p->pol_head] > polarity_consistent;
    p->n_pol_below += p->pol_log[p->pol_head] < -polarity_consistent;
    p->pol_head = (p->pol_head + 1) % N_POLARITY;
    if (p->n_pol < N_POLARITY) {
        p->n_pol++;
    }
    if (p->n_pol < polarity_early_breaths) {
        return;
    }
    bool is_consistent = false;
    if (p->n_pol < polarity_min_breaths) {
        /* Before polarity_min_breaths, the least of them is the score: it
         * passes the threshold only when every breath does. (The ring has not
         * wrapped yet: they are its first n_pol.) */
        float least = p->pol_log[0];
        for (int i = 1; i < p->n_pol; i++) {
            least = fminf(least, p->pol_log[i]);
        }
        p->polarity_score = least;
    } else {
        float tmp[N_POLARITY]; /* median_of sorts */
        memcpy(tmp, p->pol_log, sizeof tmp);
        p->polarity_score = median_of(tmp, p->n_pol);
        const int k = p->n_pol > polarity_consistent_n ? p->n_pol - polarity_consistent_n : 0;
        is_consistent = tmp[k] > polarity_consistent;
    }
    p->is_shape_inverted = p->polarity_score > polarity_threshold || is_consistent;
    if (p->is_shape_inverted && p->pol_total > 0.0 && p->cfg.chest_channel >= 0) {
        flip_polarity(p);
    }
}

/* One sample of the detection signal: the belly and chest increments with
 * the current weights. Increments, not levels: a changing weight never makes
 * a step. */
static void mix(bel_pipeline *p, float belly, float chest)
{
    if (!p->mix_started) {
        p->mix_started = true;
        p->det = (double)belly;
    } else {
        /* dc is NAN while the chest has no value (now or before). */
        const float dc = chest - p->prev_c;
        double d = p->e_b * (double)(belly - p->prev_b);
        if (dc == dc) {
            d += p->e_c * (double)dc;
        }
        p->det += d;
    }
    p->prev_b = belly;
    p->prev_c = chest;
}

/* The mixed signal as the belts read now, the median's delay ahead of
 * p->det: p->det moved on by each belt's way from its median to its raw
 * value (sign-corrected), with the same weights. Raw: the breath stage keeps
 * it within reach of p->det (bel_breath_process_now). */
static inline float mix_now(const bel_pipeline *p, float belly, float chest, float belly_now,
                            float chest_now)
{
    double d = p->e_b * (double)(belly_now - belly);
    const float dc = chest_now - chest; /* NAN: a belt without a value */
    if (dc == dc) {
        d += p->e_c * (double)dc;
    }
    return (float)(p->det + d);
}

/* Forget most of the weights' evidence (after a step or a gap, or the belly
 * pulled in or let go): what comes next counts for more; the weights stay. */
static void mix_shorten(bel_pipeline *p)
{
    if (p->n_step > mix_keep_steps) {
        p->n_step = mix_keep_steps;
    }
}

static void mix_forget(bel_pipeline *p)
{
    mix_shorten(p);
    /* The hold-in stage may count its steps from 0 again. */
    p->have_step = false;
    p->k_taken = 0;
    p->mix_k_next = p->cfg.chest_channel >= 0 ? 1 : INT64_MAX;
    p->cbb = p->cbc = p->ccc = 0.0;
    p->n_mix = 0;
    p->have_mix_tp = false;
}

/* The largest eigenvector of the steps' covariance, pointing the way the belt
 * that leads it reads expansion (both belts' polarity is known: the weights
 * never turn the signal round, even after a while on the chest alone); they
 * move only for a clear change (more than about 5 degrees): a weight that
 * jitters with every breath would jitter the timing of flat turns. */
static void mix_weights(bel_pipeline *p)
{
    const double h = 0.5 * (p->sbb - p->scc);
    const double lam = 0.5 * (p->sbb + p->scc) + sqrt(h * h + p->sbc * p->sbc);
    double vb, vc;
    if (fabs(lam - p->scc) >= fabs(lam - p->sbb)) {
        vb = lam - p->scc;
        vc = p->sbc;
    } else {
        vb = p->sbc;
        vc = lam - p->sbb;
    }
    if (vb + vc < 0.0) {
        vb = -vb;
        vc = -vc;
    }
    const double dot = vb * p->w_b + vc * p->w_c, n2 = vb * vb + vc * vc;
    if (n2 > 0.0 && (dot < 0.0 || dot * dot < mix_move_cos2 * n2)) {
        const double norm = sqrt(n2);
        p->w_b = vb / norm;
        p->w_c = vc / norm;
    }
}

/* The detection signal takes the weights the steps ask for: at a turning
 * point, so that one movement is measured with one set of weights (its depth
 * and its rise time, which time the next onsets, are not bent by a change
 * half-way), or after the covariance's window without one. Not before the
 * chest's polarity is checked (and found to agree with the belly's): a chest
 * read the wrong way round would swap inhalation and exhalation. */
static void mix_take(bel_pipeline *p, int64_t k)
{
    p->k_taken = k;
    if (p->n_mix_all < mix_polarity_movements || !(p->chest_total > 0.0)) {
        return; /* the chest may still read the wrong way round */
    }
    p->e_b = p->w_b;
    p->e_c = p->w_c;
    bel_breath_set_one_belt(p->breath, chest_weight(p) < mix_one_belt_share);
}

/* The belly is pulled in: the relaxed covariance and weights are kept for
 * its release, and the breathing from now counts for more. */
static void mix_hold(bel_pipeline *p)
{
    p->rel_bb = p->sbb;
    p->rel_bc = p->sbc;
    p->rel_cc = p->scc;
    p->rel_wb = p->w_b;
    p->rel_wc = p->w_c;
    p->have_rel = p->n_step >= mix_keep_steps;
    mix_shorten(p);
}

/* The belly is let go: the relaxed covariance and weights come back (the
 * breathing is the relaxed one again), as the evidence of a few steps. */
static void mix_relax(bel_pipeline *p)
{
    if (p->have_rel) {
        p->sbb = p->rel_bb;
        p->sbc = p->rel_bc;
        p->scc = p->rel_cc;
        p->w_b = p->rel_wb;
        p->w_c = p->rel_wc;
        p->have_rel = false;
    }
    mix_shorten(p);
}

/* The hold-in stage took its k-th step, at or after mix_k_next: the belts'
 * step since the last read (mix_decim of its steps ago) into the covariance,
 * and the weights from it. */
__attribute__((noinline)) static void mix_step(bel_pipeline *p, int64_t k)
{
    float b, c;
    bel_holdin_get_newest(p->holdin, &b, &c);
    const bool is_next = p->have_step && k == p->mix_k_next;
    p->mix_k_next = k + mix_decim;
    if (!(b == b) || !(c == c)) {
        p->have_step = false; /* no chest value yet */
        return;
    }
    if (!p->have_step) {
        bel_biquad2_reset(&p->mix_lp, 0, (double)b);
        bel_biquad2_reset(&p->mix_lp, 1, (double)c);
    }
    double yc;
    const double yb = bel_biquad2_process(&p->mix_lp, (double)b, (double)c, &yc);
    const double db = yb - p->step_b, dc = yc - p->step_c;
    p->have_step = true;
    p->step_b = yb;
    p->step_c = yc;
    /* Not before the breath stage's first turning point (since the start, a
     * step or a gap): a belt settling is no breathing. */
    if (!is_next || !p->have_mix_tp) {
        return;
    }
    double w2 = 1.0; /* the step's squared scale */
    if (p->n_step >= mix_keep_steps) {
        /* d^2 = q / det of the covariance (a ridge keeps it invertible when
         * the belts move as one). */
        const double r = 0.01 * (p->sbb + p->scc);
        const double vb = p->sbb + r, vc = p->scc + r;
        const double det = vb * vc - p->sbc * p->sbc;
        const double q = vc * db * db - 2.0 * p->sbc * db * dc + vb * dc * dc;
        if (det > 0.0 && q > mix_clip * mix_clip * det) {
            w2 = mix_clip * mix_clip * det / q;
        }
    }
    /* At least the last breath: a slow breath's pause alone says nothing of
     * its belts. */
    int win = mix_window_steps;
    if (p->n_recent > 0) {
        const double period_steps = p->recent_sum / p->n_recent * (10.0 / mix_decim);
        win = (int)fmin(fmax(period_steps, (double)mix_window_steps), 3.0 * mix_window_steps);
    }
    if (p->n_step < win) {
        p->n_step++;
    } else if (p->n_step > win) {
        p->n_step--;
    }
    const double a = 1.0 / p->n_step;
    p->sbb += a * (w2 * db * db - p->sbb);
    p->sbc += a * (w2 * db * dc - p->sbc);
    p->scc += a * (w2 * dc * dc - p->scc);
    if (p->n_step >= mix_keep_steps) {
        mix_weights(p);
    }
    if (k - p->k_taken > mix_decim * p->n_step) {
        mix_take(p, k);
    }
}

/* At each turning point: the belly's and the chest's movement since the last
 * one (over the last few breaths): a chest that keeps moving against the belly
 * reads the other way round (the belts move together when breathing). */
static void mix_update(bel_pipeline *p, double t_s)
{
    float b, c;
    if (!bel_holdin_values_at(p->holdin, t_s, &b, &c) || !isfinite(c)) {
        return;
    }
    if (!p->have_mix_tp) {
        p->have_mix_tp = true;
        p->mix_b = b;
        p->mix_c = c;
        return;
    }
    const double db = (double)(b - p->mix_b), dc = (double)(c - p->mix_c);
    p->mix_b = b;
    p->mix_c = c;
    p->n_mix++;
    p->n_mix_all++;
    const double a = p->n_mix < 4 ? 1.0 / p->n_mix : 0.25;
    p->cbb += a * (db * db - p->cbb);
    p->cbc += a * (db * dc - p->cbc);
    p->ccc += a * (dc * dc - p->ccc);
    if (p->n_mix < 3 || !(p->cbb + p->ccc > 0.0)) {
        return;
    }
    if (p->cbb * p->ccc > 0.0) {
        p->chest_total += fmin(fmax(db * dc / sqrt(p->cbb * p->ccc), -1.0), 1.0);
    }
    if (p->auto_polarity && p->n_mix >= mix_polarity_movements &&
        p->cbc < -0.5 * sqrt(p->cbb * p->ccc) && p->chest_total < 0.0) {
        p->invert_chest = !p->invert_chest;
        p->chest_total = -p->chest_total;
        p->cbc = -p->cbc;
        p->sbc = -p->sbc;
        p->rel_bc = -p->rel_bc;
        p->rel_wc = -p->rel_wc;
        p->e_c = -p->e_c;
        p->w_c = -p->w_c;
        p->mix_c = -p->mix_c;
        p->step_c = -p->step_c;
        bel_biquad2_negate_lane(&p->mix_lp, 1);
        p->prev_c = -p->prev_c;
        bel_holdin_negate_chest(p->holdin);
        p->turn_pending ^= TURN_CHEST;
    }
}

void bel_pipeline_keep_reading(bel_pipeline *p)
{
    if (!p) {
        return;
    }
    stage_metrics_keep(p);
    p->auto_polarity = false;
    p->m.is_polarity_found = false;
}

/* What the person asked for before this sample, in the order a person would mean it:
 * the rest learnt again, then the belts turned round (which learns it again too), or
 * kept as they read. */
static int apply_actions(bel_pipeline *p, uint8_t actions, bel_event *out, int max_out)
{
    int n_out = 0;
    if (actions & BEL_ACTION_RELEARN) {
        n_out += bel_pipeline_relearn(p, out, max_out);
    }
    if (actions & BEL_ACTION_TURN_ROUND) {
        n_out += bel_pipeline_turn_round(p, out + n_out, max_out - n_out);
    }
    if (actions & BEL_ACTION_KEEP_READING) {
        bel_pipeline_keep_reading(p);
    }
    return n_out;
}

/* bel_pipeline_process, with the front's output for s when fo is not NULL. */
/* The hold-in stage's events of a sample, acted on and put out (up to max_out),
 * detected at t_s. A past hold-in (bel_holdin_take_past: seen only when it was let go)
 * is over, and the breathing now is the relaxed one: the weights' window is shortened
 * for it, as at any let-go, with nothing to keep for a release. Not inlined: most
 * samples have none. */
__attribute__((noinline)) static int take_holdin_events(bel_pipeline *p, bel_event *hev, int n_h,
                                                        bool is_past, double t_s, bel_event *out,
                                                        int max_out)
{
    int n_out = 0;
    if (is_past) {
        mix_shorten(p);
    }
    for (int i = 0; i < n_h; i++) {
        if (!is_past && hev[i].kind == BEL_EV_HOLDIN_START) {
            mix_hold(p);
            bel_breath_forget_scale(p->breath, holdin_scale);
        } else if (!is_past && hev[i].kind == BEL_EV_HOLDIN_END) {
            mix_relax(p);
        }
        if (n_out < max_out) {
            hev[i].t_detect_s = t_s;
            out[n_out++] = hev[i];
            p->n_events[hev[i].kind]++;
        }
    }
    return n_out;
}

static inline int process(bel_pipeline *p, const bel_sample *s, const bel_pipeline_front_out *fo,
                          bel_event *out, int max_out)
{
    if (!p || !s || (!out && max_out > 0) || !(s->t_s >= p->t_last) || !(s->t_s < HUGE_VAL) ||
        s->n_channels < p->n_channels_min) {
        return BEL_ERR_ARG;
    }
    int n_out = s->actions ? apply_actions(p, s->actions, out, max_out) : 0;
    p->spectrum_flags = 0;
    if (!p->started) {
        p->started = true;
        p->t_first = s->t_s;
        p->t_last = s->t_s;
    }
    const double t_prev = p->t_last;
    p->t_last = s->t_s;
    p->m.t_s = s->t_s;
    if (s->n_missed > 0) {
        p->m.n_missed += s->n_missed;
        const double missed_s = (double)s->n_missed / p->cfg.fs_hz;
        const bool is_gap = p->cfg.report_gaps && missed_s >= gap_event_s;
        if (is_gap && n_out < max_out) {
            out[n_out++] = bel_event_make(BEL_EV_SIGNAL_LOST, t_prev, s->t_s);
            p->n_events[BEL_EV_SIGNAL_LOST]++;
        }
        if (missed_s > gap_reset_s) {
            /* The stages are reset below, and a sample skipped after them leaves
             * the metrics as the last sample left them. */
            stage_metrics_keep(p);
            /* An episode in progress ends where the signal was lost (nothing
             * says it went on); the relaxed level stays (the same belt: a belly
             * still held in after the gap is found again). */
            bel_holdin_state hs0;
            bel_holdin_get_state(p->holdin, &hs0);
            if (hs0.is_holding_in && n_out < max_out) {
                out[n_out++] = bel_event_make(BEL_EV_HOLDIN_END, t_prev, s->t_s);
                p->n_events[BEL_EV_HOLDIN_END]++;
            }
            if (hs0.is_breath_hold && n_out < max_out) {
                out[n_out++] = bel_event_make(BEL_EV_BREATH_HOLD_END, t_prev, s->t_s);
                p->n_events[BEL_EV_BREATH_HOLD_END]++;
            }
            end_insp_stretch(p);
            bel_breath_reset(p->breath);
            bel_spectrum_reset(p->spectrum);
            p->spectrum_flags = BEL_PIPELINE_SPECTRUM_RESET;
            bel_holdin_reset(p->holdin);
            forget_breath_in_progress(p);
            /* The belts may have moved while nothing came: no increment
             * across the gap. */
            p->mix_started = false;
            mix_forget(p); /* (the front forgets its own, front_process) */
        }
        if (is_gap && n_out < max_out) {
            out[n_out++] = bel_event_make(BEL_EV_SIGNAL_RESTORED, s->t_s, s->t_s);
            p->n_events[BEL_EV_SIGNAL_RESTORED]++;
        }
    }
    bel_pipeline_front_out fo_own;
    if (!fo) {
        front_process(&p->front, s, &fo_own);
        fo = &fo_own;
    }
    if (!(fo->flags & BEL_PIPELINE_FRONT_TAKEN)) {
        return n_out;
    }
    if (fo->flags & BEL_PIPELINE_FRONT_FIRST) {
        p->t_reading = s->t_s;
    }
    float med = fo->belly;
    float chest = fo->chest;
    const float centre = fo->centre;
    if (fo->n_clipped != 0) {
        /* Taken back (negative) only what was counted: unsigned arithmetic adds it. */
        p->m.n_clipped += (uint32_t)fo->n_clipped;
    }
    /* Count the belly samples the median overrules by far: beyond half the
     * depth, 8 times its usual overrule (the raw belt's own noise: the
     * breath stage's noise is the despiked signal's, a fifth of the raw one's
     * on a coarse belt, and the depth learnt from the first turns of slow
     * breathing can be as small) and 8 of the stage's noise sigmas; the
     * noise asked for only past the rest (rare). */
    const float off = fabsf(centre - med);
    const float depth_ref = bel_breath_get_reference_depth(p->breath);
    if (depth_ref > 0.0f && off > 0.5f * depth_ref && off > 8.0f * p->off_mean &&
        off > 8.0f * bel_breath_get_noise(p->breath)) {
        p->m.n_spikes++;
    }
    p->off_n += p->off_n < p->off_n_max ? 1u : 0u;
    p->off_mean += (off - p->off_mean) / (float)p->off_n;
    float belly_now = fo->belly_now, chest_now = fo->chest_now;
    if (p->invert_belly) {
        med = -med;
        belly_now = -belly_now;
    }
    if (p->invert_chest && isfinite(chest)) {
        chest = -chest;
        chest_now = -chest_now;
    }
    /* The median delays by despike_delay samples: stamp the sample with the
     * time it stands for, so turning points get their true times. */
    const double t_cond = s->t_s - p->despike_delay_s;
    mix(p, med, chest);
    const float det_now = mix_now(p, med, chest, belly_now, chest_now);
    bel_breath_point pt;
    bel_event hev[BEL_HOLDIN_MAX_EVENTS];
    const int n_h = bel_holdin_process(p->holdin, t_cond, med, chest, hev, BEL_HOLDIN_MAX_EVENTS);
    const int64_t k_h = bel_holdin_get_steps(p->holdin);
    if (k_h >= p->mix_k_next) {
        mix_step(p, k_h);
    }
    bel_breath_set_still(p->breath, bel_holdin_is_breath_hold(p->holdin));
    const bool is_point =
        bel_breath_process_now(p->breath, t_cond, (float)p->det, det_now, &pt) == 1;
    const uint32_t restarts = bel_breath_get_restarts(p->breath);
    if (restarts != p->restarts_seen) {
        /* A step in the belt: what the breaths and the relaxed level were
         * before it says nothing about after. */
        p->restarts_seen = restarts;
        forget_breath_in_progress(p);
        /* A hold-in in progress ends here, said like any other end. */
        if (bel_holdin_is_holding_in(p->holdin) && n_out < max_out) {
            out[n_out++] = bel_event_make(BEL_EV_HOLDIN_END, t_cond, s->t_s);
            p->n_events[BEL_EV_HOLDIN_END]++;
        }
        if (s->t_s - p->t_reading < 0.5) {
            /* The belt settling in its first samples: nothing the hold-in
             * stage has seen (its filters, noise and ring hold the step) is
             * the belt's yet. */
            bel_holdin_reset(p->holdin);
        } else {
            bel_holdin_relearn_level(p->holdin);
        }
        p->baseline = NAN;
        mix_forget(p);
    }
    if (is_point) {
        const uint32_t beats = bel_breath_get_beats_found(p->breath);
        if (beats != p->beats_found_seen) {
            /* The turns before were a heart beat's: when the breaths counted so far
             * came at over 30 a minute (the start, or since the last count afresh),
             * they were all its phases, and the breaths count from here. After
             * minutes of breathing (a belt plugged in again) the few since stay. */
            p->beats_found_seen = beats;
            if (p->sum_dur < BEL_RELAXED_CYCLE_MIN_S * (double)p->n_sum) {
                count_afresh(p);
            }
        }
        pt.t_detect_s = s->t_s;
        /* Hold-in judges the belly on its own: give it the belly's value at
         * the turning point, not the mixed signal's. */
        bel_breath_point hpt = pt;
        const float vb = bel_holdin_belly_near(p->holdin, pt.t_s, pt.is_peak);
        if (isfinite(vb)) {
            hpt.value = vb;
        }
        bel_holdin_push_breath(p->holdin, &hpt);
        if (n_out < max_out) {
            n_out += emit_point(p, &pt, isfinite(vb) ? vb : pt.value, &out[n_out]);
            p->n_events[out[n_out - 1].kind]++;
        }
        bel_event past[2];
        const int n_past = bel_holdin_take_past(p->holdin, s->t_s, past, 2);
        if (n_past > 0) {
            n_out +=
                take_holdin_events(p, past, n_past, true, s->t_s, out + n_out, max_out - n_out);
        }
        if (!pt.is_peak && p->cfg.chest_channel >= 0) {
            bel_holdin_state hs;
            bel_holdin_get_state(p->holdin, &hs);
            if (isfinite(hs.belly_share)) {
                p->sum_share += (double)hs.belly_share;
                p->n_share++;
            }
        }
        polarity_evidence(p, &pt);
        if (p->cfg.chest_channel >= 0) {
            mix_update(p, pt.t_s);
            mix_take(p, k_h);
        }
        n_out += emit_turns(p, s->t_s, out + n_out, max_out - n_out);
    } else if (p->have_trough && p->n_recent > 0) {
        /* The rate at this sample (update_running's), made when it is read:
         * nothing it depends on changes before rate_keep. */
        p->rate_t = s->t_s;
        p->rate_live = true;
    }
    if (n_h > 0) {
        n_out += take_holdin_events(p, hev, n_h, false, s->t_s, out + n_out, max_out - n_out);
    }
    /* The spectrum reads the mix the way the belts were first read: its power
     * is the same either way round, and a turn inside its window would be a
     * step in it (a rate of 3/min for the 32 s after a turn). */
    const float spec_x = (float)(p->n_flips & 1u ? -p->det : p->det);
    if (p->is_offline) {
        p->spectrum_x = spec_x;
        p->spectrum_flags |= BEL_PIPELINE_SPECTRUM_PUSH;
    } else if (bel_spectrum_push_tally(p->spectrum, spec_x, &p->spec)) {
        p->m.rate_spectral_bpm = p->spec.rate;
    }
    if (!p->is_offline) { /* the smoothed belly is for a display */
        if (p->n_restarts_disp != restarts) {
            bel_biquad_reset(&p->disp_lp, (double)med);
            p->n_restarts_disp = restarts;
        }
        p->m.belly = (float)bel_biquad_process(&p->disp_lp, (double)med);
    }
    p->m.chest = chest;
    p->stage_metrics_live = true;
    return n_out;
}

int bel_pipeline_process(bel_pipeline *p, const bel_sample *s, bel_event *out, int max_out)
{
    return process(p, s, NULL, out, max_out);
}

int bel_pipeline_process_front(bel_pipeline *p, const bel_sample *s,
                               const bel_pipeline_front_out *fo, bel_event *out, int max_out)
{
    if (!fo) {
        return BEL_ERR_ARG;
    }
    return process(p, s, fo, out, max_out);
}

int bel_pipeline_relearn(bel_pipeline *p, bel_event *out, int max_out)
{
    if (!p || (!out && max_out > 0)) {
        return BEL_ERR_ARG;
    }
    /* The hold-in stage changes between samples: the metrics keep what the
     * last sample left, and take the fields set below. */
    stage_metrics_keep(p);
    int n_out = 0;
    bel_holdin_state hs;
    bel_holdin_get_state(p->holdin, &hs);
    if (hs.is_holding_in && n_out < max_out) {
        out[n_out++] = bel_event_make(BEL_EV_HOLDIN_END, p->t_last, p->t_last);
        p->n_events[BEL_EV_HOLDIN_END]++;
    }
    bel_holdin_relearn_level(p->holdin);
    bel_holdin_get_state(p->holdin, &hs);
    p->m.relaxed_level = hs.relaxed_level;
    p->m.is_holding_in = hs.is_holding_in;
    return n_out;
}

void bel_pipeline_set_offline(bel_pipeline *p) { p->is_offline = true; }

void bel_pipeline_get_spectrum_config(const bel_pipeline *p, bel_spectrum_config *out)
{
    *out = bel_spectrum_config_default(p->cfg.fs_hz);
    out->window_s = p->cfg.spectrum_window_s;
}

int bel_pipeline_get_spectrum_input(const bel_pipeline *p, float *x)
{
    *x = p->spectrum_x;
    return p->spectrum_flags;
}

void bel_pipeline_get_metrics(const bel_pipeline *p, bel_metrics *out)
{
    *out = p->m;
    if (p->rate_live) {
        out->rate_bpm = rate_at(p, p->rate_t);
    }
    if (p->stage_metrics_live) {
        stage_metrics(p, out);
    }
}

void bel_pipeline_get_summary(const bel_pipeline *p, bel_summary *out)
{
    memset(out, 0, sizeof *out);
    out->duration_s = p->t_last > p->t_first ? p->t_last - p->t_first : 0.0;
    const uint32_t n = p->n_sum;
    out->n_breaths = p->m.n_breaths;
    const double span_s =
        p->insp_span_done_s + (p->n_insp >= 2 ? p->t_last_insp - p->t_first_insp : 0.0);
    const uint32_t n_gaps = p->n_insp_gaps_done + (p->n_insp >= 2 ? p->n_insp - 1 : 0);
    out->rate_bpm = n_gaps >= 1 && span_s > 0.0 ? (float)(60.0 * n_gaps / span_s) : NAN;
    out->rate_spectral_bpm = bel_spectrum_tally_mean(&p->spec);
    out->ti_s = n ? (float)(p->sum_ti / n) : NAN;
    out->te_s = n ? (float)(p->sum_te / n) : NAN;
    out->ie_ratio = n && p->sum_te > 0.0 ? (float)(p->sum_ti / p->sum_te) : NAN;
    out->depth = n ? (float)(p->sum_depth / n) : NAN;
    if (n >= 2) {
        const double mean = p->sum_dur / n;
        const double var = p->sum_dur2 / n - mean * mean;
        out->variability = (float)(sqrt(var > 0.0 ? var : 0.0) / mean);
    } else {
        out->variability = NAN;
    }
    memcpy(out->n_events, p->n_events, sizeof out->n_events);
    bel_holdin_state hs;
    bel_holdin_get_state(p->holdin, &hs);
    out->time_held_in_s = hs.time_held_in_s;
    out->time_breath_hold_s = hs.time_breath_hold_s;
    out->n_holdins = hs.n_holdins;
    out->n_breath_holds = hs.n_breath_holds;
    out->belly_share = p->n_share ? (float)(p->sum_share / p->n_share) : NAN;
    out->n_spikes = p->m.n_spikes;
    out->n_clipped = p->m.n_clipped;
    out->n_missed = p->m.n_missed;
    out->is_belly_inverted = p->invert_belly;
    out->is_chest_inverted = p->invert_chest;
    out->n_polarity_flips = p->n_flips;
    out->is_polarity_found = p->auto_polarity;
    out->polarity_score = p->polarity_score;
    out->polarity_mean = p->n_pol_all >= (uint32_t)polarity_min_breaths
                             ? (float)(p->pol_total / (double)p->n_pol_all)
                             : NAN;
    out->polarity_share = p->n_pol_all >= (uint32_t)polarity_min_breaths
                              ? (float)p->n_pol_above / (float)p->n_pol_all
                              : NAN;
    out->n_restarts = bel_breath_get_restarts(p->breath);
}

void bel_pipeline_get_config(const bel_pipeline *p, bel_pipeline_config *out) { *out = p->cfg; }

bool bel_summary_looks_turned_round(const bel_summary *s, bool has_chest)
{
    /* The whole run as the recent breaths are weighed (polarity_evidence): the mean
     * over the median's threshold, or nearly every breath over polarity_consistent. */
    return s && !has_chest && s->is_polarity_found &&
           (s->polarity_mean > polarity_threshold ||
            s->polarity_share >= (float)polarity_consistent_n / (float)N_POLARITY);
}
