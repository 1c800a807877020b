/* breath.c - causal breath turning-point detector: low-pass, adaptive hysteresis, refinement.
 * SPDX-License-Identifier: MIT */
#include "bellows/breath.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/filter.h"
#include "core_alloc.h"
#include "core_math.h"

enum { N_DEPTHS = 6 };

/* Movement times kept per direction (their median is the usual one, taken by
 * median_depth: no more than N_DEPTHS). */
enum { N_MOVES = 5 };
/* The fast signal has made no more reversals than the slow one in this many
 * phases in a row (eight breaths): the slow filter is no longer needed against
 * them. */
enum { CALM_PHASES = 16 };
/* measure_beat's samples: those within this fraction of the depth of a turn. */
#define BEAT_SLOW_FRAC 0.2
/* beat_hi's fall per turn: it holds the largest beat of about the last ten. */
#define BEAT_HI_DECAY 0.9

/* estimate_ripple's window and lags in decimated samples: under 6 s + 1.5 s
 * at under 50 Hz. */
enum { RIPPLE_MAX = 512 };

/* estimate_ripple's first look, at every third lag: below this best, no lag
 * correlates clearly (> 0.5). */
static const double ripple_coarse = 0.4;

/* breathing_under_beat: the window and the longest lag it looks at (s), on
 * the input decimated to about under_fs_hz; a breath at least under_ratio
 * beat periods long. */
static const double under_win_s = 15.0, under_lag_s = 13.0, under_fs_hz = 5.0;
static const double under_ratio = 2.5;
enum { UNDER_MAX = 256 };

/* is_reversed_ahead: y must have reversed by this fraction of the depth. */
static const double lead_frac = 0.03;
static const double lead_noise_mult = 5.0;

/* is_reversed_ahead's other look: the input itself averaged over this span
 * (its delay is half of it, the low-pass's 0.125 s), reversed by need_rev and
 * this many sigmas of that average's noise. */
static const double lead_mean_s = 0.06;
static const double lead_mean_sigmas = 3.0;

/* The input as it reads now (bel_breath_process_now) carries the noise the
 * despiking median takes out of x: each look at it for a turn asks this many
 * more of x's noise sigmas than the same look at x. */
static const double now_sigmas = 2.0;

/* The band of the heart beat: above this (Hz). */
static const double beat_band_hz = 0.7;

/* The strong-ripple low-pass follows the breathing up to this multiple of its
 * rate (a second-order Butterworth passes 0.98 of the breath there). */
static const double ripple_lp_breath_mult = 1.5;

/* refine: a stay this long short of 10 % of the depth, after the signal left
 * the extremum, is a pause at another level that the movement starts from. */
static const double stay_min_s = 1.0;

/* refine: a peak held at a pacer's count. Its plateau (within 10 % of the
 * depth of the top) lasts this long or more: the shortest hold a pacer asks
 * for, 1 s, and the rounded ends of a slow paced breath around it (rounded
 * peaks of breaths at rest stay shorter)... */
static const double held_min_s = 2.0;
/* ...and is flat: this share of it or more within 5 % of the top (a rounded
 * top: 0.70, a pointed one 0.5; a 1-s hold in a 4-1-6 pace: 0.78, 2 s: 0.83). */
static const double held_flat = 0.75;

/* Seconds of signal before the first turning point may be confirmed. */
static const double warmup_s = 1.5;

typedef enum state { ST_UNKNOWN = 0, ST_RISING, ST_FALLING } state;

/* rescale_under's look at the phase in progress: the turns of the detection
 * signal by more than h since the phase began, read on as samples come. */
struct under_scan {
    int64_t ref_n; /* the phase it reads (ref_n as it began); -1: none */
    int64_t k;     /* the next sample to read */
    double h;      /* a turn: a reversal this large */
    double d, e;   /* the way the signal goes (+1 up, -1 down), its extreme that way */
    int64_t k_e;
    int64_t kt[3]; /* the last three turns, oldest first */
    double vt[3];
    int n_t; /* turns so far */
};

struct bel_breath {
    bel_breath_config cfg;
    bel_biquad2 lp;           /* detection filters: clean-signal (lane 0), strong-ripple (lane 1) */
    bel_biquad lp_ripple_cfg; /* the strong-ripple one at the configured cutoff */
    double ripple_lp_hz;      /* its cutoff now (tune_ripple_lowpass) */
    int64_t filter_n;         /* the first sample of y from the filter chosen now */
    double half_cycle_slow_s; /* half_cycle_s over about ten phases (tune_ripple_lowpass) */
    bool ripple_mode;
    double y_fast, y_slow;
    /* Ripple: reversals of the fast- and the slow-filtered signals. */
    struct wiggle {
        int dir;
        double ext;
        uint32_t count;
    } wig_fast, wig_slow;
    double wig_fast_ema, wig_slow_ema;
    int calm_n; /* phases in a row without more fast than slow reversals (CALM_PHASES) */
    /* History of the input for timing turning points. */
    float *hist_x;
    float *hist_y; /* the detection signal y */
    double *hist_t;
    double *hist_cs; /* running sum of hist_x since the reset: O(1) window means */
    /* The input as it reads now, when the caller gives it (has_now): the
     * despiking's delay ahead of x, and its noise (bel_breath_process_now). */
    bool has_now;
    float *hist_y_now;   /* the detection low-pass of it */
    double *hist_cs_now; /* its running sum, as hist_cs */
    double y_now;        /* its low-pass (band_now's lane 1) */
    double now_move;     /* its limit from x, in mean movements a sample */
    int64_t cap;         /* power of two */
    int64_t n;           /* samples seen since reset */
    /* Detection state on the low-passed signal y. */
    state st;
    double y;
    double ext_val; /* running extremum of y in the current phase */
    int64_t ext_n;  /* its sample index */
    double ref_val; /* y at the last confirmed turning point (moved if overshot) */
    int64_t ref_n;  /* sample index of the last confirmed turning point (refined) */
    double ref_t;   /* its time */
    double last_confirm_t;
    double t_start;      /* time of the first sample since reset */
    double min_y, max_y; /* UNKNOWN state: range over the recent window (two buckets) */
    int64_t min_n, max_n;
    struct bucket {
        double lo, hi;
        int64_t lo_n, hi_n;
    } bk_old, bk_new;
    double bk_t0;  /* start of the newer bucket */
    int64_t bk_n0; /* its first sample */
    bool is_kept;  /* the older bucket holds two (bucket_roll) */
    /* Discontinuities (a belt put on, re-tightened, a rail): mean |first
     * difference| of the input, and restarts made. */
    double absd;
    double absd_alpha; /* its EMA's weight, 1 / (3 fs) */
    double gap_dt_s;   /* a step in time longer than this is samples missing: 1.5 / fs */
    /* The first sample counts whose plain means turn into the EMAs: the least n
     * with (n + 1) absd_alpha >= 1, and n_total with (n_total - 1) noise_alpha >= 1. */
    int64_t absd_ema_n, noise_ema_n;
    uint32_t n_restarts;
    uint32_t n_beats_found; /* times it found it had been following a beat */
    bool is_fresh;          /* reset from outside (the start, a gap), not restarted at a jump */
    int64_t prev_ref_n;     /* the turning point before ref_n */
    int n_points;           /* turning points since the last reset */
    int gap_skip;           /* samples after a gap left out of the noise estimate */
    double rise_usual_s, fall_usual_s; /* usual 10-90 % times of rises and falls (0: unknown) */
    struct under_scan under;           /* breathing under the scale (rescale_under) */
    /* The recent 10-90 % times they are the median of: [0] falls, [1] rises. */
    float moves[2][N_MOVES];
    int n_moves[2], move_head[2];
    /* The band within 10 % of the depth of the current extreme: when the signal entered
     * it (NAN: not yet looked up) and first left it, for the extreme at band_ext_n. */
    int64_t band_ext_n;
    double band_t_in, band_t_out;
    /* How long this person usually stays in that band at a trough [0] and at a
     * peak [1] before the turn (0: not known): a held pace. */
    double stay_ema_s[2];
    /* Heart-beat ripple: the band between the two detection filters is kept;
     * its autocorrelation gives the ripple's period, and turning points are
     * timed on the input averaged over exactly one ripple period (which
     * cancels the beat and its harmonics). */
    float *hist_band;
    /* The band: the fast signal high-passed twice at 0.7 Hz (band_now's lane 0,
     * band_hp2); band_now's lane 1: the clean-signal low-pass of the input now. */
    bel_biquad2 band_now;
    bel_biquad band_hp2;
    int64_t ripple_n;  /* odd averaging length in samples, 0: no ripple found */
    double ripple_amp; /* its amplitude (band RMS x sqrt 2) */
    double y_first;    /* the first input since the reset (the band starts from 0) */
    double next_ripple_t;
    /* The estimate is asked for once a second but only used when a turning
     * point is timed: the ask is kept (the sample count and the phase duration
     * it was made with) and answered at the next turning point, or before the
     * history it needs is overwritten. ripple_at < 0: nothing pending. */
    int64_t ripple_at;
    int64_t ripple_oldest; /* oldest sample the pending estimate reads */
    double ripple_half_cycle_s;
    bool ripple_amp_known; /* pending, its amplitude computed, its lags not yet */
    double ripple_amp_pending;
    /* Breathing found under a beat the detector itself was following
     * (breathing_under_beat): its half-cycle (s), 0 when none. */
    double under_half_s;
    /* Reference depth: median of recent excursions, decaying when nothing happens. */
    float depths[N_DEPTHS];
    int n_depths, depth_head;
    double depth_median; /* median_depth() as of the last add_depth (is_jump's, every sample) */
    /* depths as they were when they first faded (add_depth), their median, and
     * whether depths are faded: the scale to come back to. */
    float depths_kept[N_DEPTHS];
    double kept_median;
    bool is_faded;
    /* The filters' choice (choose_filter) as it was when the depths were kept:
     * it comes back with them, at the turn after (is_choice_back), so that
     * the slow filter a faded scale took does not stay on for minutes. */
    double kept_wig_fast_ema, kept_wig_slow_ema;
    int kept_calm_n;
    bool is_choice_back;
    /* The movement in progress is no breath (bel_breath_forget_scale): its
     * excursion is not learnt as a depth. */
    bool is_skip_depth;
    float x_min, x_max; /* extremes of the input since creation: the rails if it clips */
    double ref_depth;
    bool is_still;       /* breathing has stopped (bel_breath_set_still): no decay */
    double half_cycle_s; /* recent typical phase duration */
    /* Noise: EMA of |second difference| of the input. */
    float x1, x2;
    double noise_abs;
    double noise_sig; /* noise_sigma(): made when noise_abs changes */
    double noise_alpha;
    int64_t jump_w;    /* is_jump's span: a quarter of a second, in samples */
    int64_t lead_w;    /* is_reversed_ahead's slope span: 50 ms, in samples */
    int64_t lead_m;    /* its mean's span: lead_mean_s in samples */
    double lp_delay_s; /* the detection low-pass's group delay at 0 Hz */
    /* Amplitude of the band above 0.7 Hz on the fast signal (the heart beat and
     * noise), as of the last turning point (0: not known yet). */
    double wiggle_amp;
    /* The beat alone, free of the breath's harmonics: peak-to-peak (RMS x 2 sqrt 2)
     * of the input less its mean over one beat period (beat_n samples, odd: the
     * ripple estimate's period, 0.8 s before one is found), where the breath is
     * slow (near a turn), averaged over turns; -1: not measured yet. */
    double beat_pp;
    /* The largest of those (per turn) over about the last ten turns: the slow
     * filter is let go only when no recent pause held a beat as big as the
     * confirmation need. -1: not measured yet. */
    double beat_hi;
    int64_t beat_n;
    double depth_decay; /* the reference depth's decay per quiet sample */
    int64_t n_total;    /* samples since start of time (for noise warm-up) */
};

bel_breath_config bel_breath_config_default(double fs_hz)
{
    bel_breath_config c;
    c.fs_hz = fs_hz;
    c.lowpass_hz = 1.8;
    c.ripple_lowpass_hz = 0.5;
    c.ripple_on = 1.3;
    c.ripple_off = 1.0;
    c.wiggle_frac = 0.12f;
    c.excursion_frac = 0.35f;
    c.confirm_frac = 0.09f;
    c.noise_mult = 4.0f;
    c.min_phase_s = 0.25;
    c.hold_min_s = 0.4;
    c.peak_hold_s = 0.8;
    c.trough_hold_s = 0.0;
    c.hold_frac = 0.03f;
    c.trough_hold_frac = 0.02f;
    c.smooth_s = 0.1;
    c.history_s = 30.0;
    c.is_one_belt = true;
    c.now_lead = 2;
    return c;
}

bel_status bel_breath_create(const bel_breath_config *cfg, bel_breath **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !(cfg->fs_hz >= 5.0 && cfg->fs_hz <= 2000.0) || !(cfg->history_s >= 5.0) ||
        !(cfg->history_s <= 120.0) || !(cfg->lowpass_hz > 0.0) ||
        !(cfg->lowpass_hz < 0.45 * cfg->fs_hz) || !(cfg->ripple_lowpass_hz > 0.0) ||
        !(cfg->ripple_lowpass_hz <= cfg->lowpass_hz) || !(cfg->excursion_frac > 0.0f) ||
        !(cfg->confirm_frac > 0.0f) || !(cfg->smooth_s >= 0.0) || !(cfg->smooth_s <= 1.0) ||
        cfg->now_lead < 0 || cfg->now_lead > 64) {
        return BEL_ERR_ARG;
    }
    bel_breath *b = BEL_CORE_CALLOC(1, sizeof *b);
    if (!b) {
        return BEL_ERR_NOMEM;
    }
    b->cfg = *cfg;
    int64_t want = (int64_t)ceil(cfg->history_s * cfg->fs_hz) + 2;
    b->cap = 1;
    while (b->cap < want) {
        b->cap <<= 1;
    }
    b->hist_x = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_x);
    b->hist_t = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_t);
    b->hist_band = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_band);
    b->hist_y = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_y);
    b->hist_cs = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_cs);
    b->hist_y_now = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_y_now);
    b->hist_cs_now = BEL_CORE_CALLOC((size_t)b->cap, sizeof *b->hist_cs_now);
    if (!b->hist_x || !b->hist_t || !b->hist_band || !b->hist_y || !b->hist_cs || !b->hist_y_now ||
        !b->hist_cs_now) {
        goto fail;
    }
    bel_biquad lp;
    bel_biquad band_hp1;
    if (bel_biquad_init_highpass(&band_hp1, cfg->fs_hz, beat_band_hz) != BEL_OK ||
        bel_biquad_init_highpass(&b->band_hp2, cfg->fs_hz, beat_band_hz) != BEL_OK ||
        bel_biquad_init_lowpass(&lp, cfg->fs_hz, cfg->lowpass_hz) != BEL_OK ||
        bel_biquad_init_lowpass(&b->lp_ripple_cfg, cfg->fs_hz, cfg->ripple_lowpass_hz) != BEL_OK) {
        goto fail;
    }
    bel_biquad2_init(&b->lp, &lp, &b->lp_ripple_cfg);
    bel_biquad2_init(&b->band_now, &band_hp1, &lp);
    b->now_move = 4.0 * (cfg->now_lead + 1);
    b->noise_alpha = 1.0 - exp(-1.0 / (5.0 * cfg->fs_hz));
    b->jump_w = (int64_t)fmax(1.0, floor(0.25 * cfg->fs_hz + 0.5));
    b->lead_w = (int64_t)fmax(1.0, floor(0.05 * cfg->fs_hz + 0.5));
    b->lead_m = (int64_t)fmax(1.0, floor(lead_mean_s * cfg->fs_hz + 0.5));
    b->lp_delay_s = bel_lowpass2_delay_s(cfg->lowpass_hz);
    b->depth_decay = exp(-1.0 / (4.0 * cfg->fs_hz));
    b->half_cycle_s = 2.0;
    b->half_cycle_slow_s = 2.0;
    b->x_min = INFINITY;
    b->x_max = -INFINITY;
    b->absd_alpha = 1.0 / (3.0 * cfg->fs_hz);
    b->gap_dt_s = 1.5 / cfg->fs_hz;
    b->absd_ema_n = 0;
    while ((double)(b->absd_ema_n + 1) * b->absd_alpha < 1.0) {
        b->absd_ema_n++;
    }
    b->noise_ema_n = 2;
    while ((double)(b->noise_ema_n - 1) * b->noise_alpha < 1.0) {
        b->noise_ema_n++;
    }
    bel_breath_reset(b);
    *out = b;
    return BEL_OK;
fail:
    bel_breath_destroy(b);
    return BEL_ERR_NOMEM;
}

void bel_breath_destroy(bel_breath *b)
{
    if (!b) {
        return;
    }
    BEL_CORE_FREE(b->hist_x);
    BEL_CORE_FREE(b->hist_t);
    BEL_CORE_FREE(b->hist_band);
    BEL_CORE_FREE(b->hist_y);
    BEL_CORE_FREE(b->hist_cs);
    BEL_CORE_FREE(b->hist_y_now);
    BEL_CORE_FREE(b->hist_cs_now);
    BEL_CORE_FREE(b);
}

void bel_breath_reset(bel_breath *b)
{
    b->is_fresh = true;
    b->n = 0;
    b->ripple_n = 0;
    b->ripple_at = -1;
    b->under_half_s = 0.0;
    b->under.ref_n = -1;
    b->n_points = 0;
    b->absd = 0.0;
    b->st = ST_UNKNOWN;
    b->is_skip_depth = false; /* the movement in progress is forgotten */
    b->is_choice_back = false;
    b->ripple_mode = false;
    b->wiggle_amp = 0.0;
    b->beat_pp = -1.0;
    b->beat_hi = -1.0;
    b->beat_n = ((int64_t)(0.8 * b->cfg.fs_hz)) | 1;
    b->ripple_lp_hz = b->cfg.ripple_lowpass_hz;
    b->filter_n = 0;
    bel_biquad2_set_lane(&b->lp, 1, &b->lp_ripple_cfg);
    b->wig_fast_ema = b->wig_slow_ema = 1.0;
    b->calm_n = 0;
    b->wig_fast.count = b->wig_slow.count = 0;
    b->n_total = 0;
}

static double hx(const bel_breath *b, int64_t k) { return (double)b->hist_x[k & (b->cap - 1)]; }

/* Oldest sample whose window means can be taken (the running sum just
 * before it is still held). */
static int64_t oldest_k(const bel_breath *b) { return b->n >= b->cap ? b->n - b->cap + 1 : 0; }

static double ht(const bel_breath *b, int64_t k) { return b->hist_t[k & (b->cap - 1)]; }

/* The larger of two numbers, neither NaN: fmax without the call (the per-sample
 * path). */
static double max_d(double a, double c) { return a > c ? a : c; }

static int64_t max_i64(int64_t a, int64_t c) { return a > c ? a : c; }

static double noise_sigma(const bel_breath *b)
{
    /* noise_abs / (sqrt(6) sqrt(2/pi)), made where noise_abs changes:
     * E|x[n]-2x[n-1]+x[n-2]| = sqrt(6) sigma sqrt(2/pi) for white gaussian noise. */
    return b->noise_sig;
}

/* Median of the first n of depths (n <= N_DEPTHS, n > 0). */
static double median_depth(const float *depths, int n)
{
    /* Insertion sort, not qsort (a call per comparison): the depths are finite,
     * so the order and the median are qsort's. */
    float tmp[N_DEPTHS];
    for (int i = 0; i < n; i++) {
        const float x = depths[i];
        int j = i;
        while (j > 0 && tmp[j - 1] > x) {
            tmp[j] = tmp[j - 1];
            j--;
        }
        tmp[j] = x;
    }
    /* The median: one sigh or one missed breath does not move it. */
    if (n % 2) {
        return (double)tmp[n / 2];
    }
    return 0.5 * ((double)tmp[n / 2 - 1] + (double)tmp[n / 2]);
}

/* The depths fade (a long quiet, the belly pulled in): they are kept, and
 * the filters' choice made on them, for breaths of their size again. */
static void keep_depths(bel_breath *b)
{
    memcpy(b->depths_kept, b->depths, sizeof b->depths);
    b->kept_median = b->depth_median;
    b->kept_wig_fast_ema = b->wig_fast_ema;
    b->kept_wig_slow_ema = b->wig_slow_ema;
    b->kept_calm_n = b->calm_n;
    b->is_faded = true;
}

/* The depths fade to a median of to (less than theirs), kept as they were
 * before the first fade (keep_depths); the median and the reference with them. */
static void fade_depths(bel_breath *b, double to)
{
    if (!b->is_faded) {
        keep_depths(b);
    }
    const float f = (float)(to / b->depth_median);
    for (int i = 0; i < b->n_depths; i++) {
        b->depths[i] *= f;
    }
    b->depth_median = median_depth(b->depths, b->n_depths);
    b->ref_depth = b->depth_median;
}

static void add_depth(bel_breath *b, double exc)
{
    /* The reference decayed while nothing was confirmed (a long quiet: the belly
     * held in, shallow breaths under the old depth): the depths it is the
     * median of fade with it, or the first breath found on the new scale would
     * bring the old one back and hide the next ones again (once there is a
     * scale: all N_DEPTHS learnt, not the first breaths' guess). The depths as they
     * were before the first fade are kept: breaths of that size again (the
     * belly let go) bring them back at once, each where no larger one came
     * since, and the filters' choice made on them at the next turn. */
    if (b->is_skip_depth) {
        b->is_skip_depth = false;
        return;
    }
    if (b->is_faded && exc >= 0.5 * b->kept_median) {
        for (int i = 0; i < N_DEPTHS; i++) {
            b->depths[i] = fmaxf(b->depths[i], b->depths_kept[i]);
        }
        b->is_faded = false;
        b->is_choice_back = true;
    } else if (b->ref_depth < b->depth_median && b->n_depths == N_DEPTHS) {
        fade_depths(b, b->ref_depth);
    }
    b->depths[b->depth_head] = (float)exc;
    b->depth_head = (b->depth_head + 1) % N_DEPTHS;
    if (b->n_depths < N_DEPTHS) {
        b->n_depths++;
    }
    b->depth_median = median_depth(b->depths, b->n_depths);
    b->ref_depth = b->depth_median;
}

/* Whether a ripple of amplitude amp is strong enough to time turning points
 * over: only one that could move a turn's exit (it reaches half of the
 * smallest band, trough_hold_frac x depth) needs the wider averaging. */
static bool ripple_matters(const bel_breath *b, double amp)
{
    return amp > 0.5 * (double)b->cfg.trough_hold_frac * b->ref_depth;
}

/* Half-width of the averaging that times turning points: one ripple period
 * when a heart beat rides on the signal, else smooth_s. ripple_n is up to
 * date here: confirm() answers a pending estimate (ripple_resolve) first. */
static int64_t smooth_w(const bel_breath *b)
{
    if (b->ripple_n > 0 && ripple_matters(b, b->ripple_amp)) {
        return b->ripple_n / 2;
    }
    return (int64_t)(b->cfg.smooth_s * b->cfg.fs_hz + 0.5);
}

/* estimate_ripple's grid: the band decimated to about 25 Hz (step input
 * samples a decimated one, at fs_d), a window of win and lags lmin..lmax in
 * decimated samples. */
typedef struct ripple_grid {
    int64_t step, win, lmin, lmax;
    double fs_d;
} ripple_grid;

static ripple_grid ripple_grid_of(const bel_breath *b)
{
    ripple_grid g;
    g.step = b->cfg.fs_hz > 37.5 ? (int64_t)(b->cfg.fs_hz / 25.0) : 1;
    g.fs_d = b->cfg.fs_hz / (double)g.step;
    g.win = (int64_t)(6.0 * g.fs_d);
    g.lmin = (int64_t)ceil(0.5 * g.fs_d);
    g.lmax = (int64_t)floor(1.5 * g.fs_d);
    return g;
}

/* Whether the history at n samples holds the estimate's window and lags. */
static bool ripple_fits(const bel_breath *b, const ripple_grid *g, int64_t n)
{
    const int64_t span = (g->win + g->lmax + 1) * g->step;
    return g->lmin >= 3 && span <= n && span <= b->cap && g->win + g->lmax <= RIPPLE_MAX;
}

/* The decimated band over the pending ask's window and lags (xs, newest first),
 * the running sums of its squares (pre[i], the squares of xs[0..i); n_xs + 1 of
 * them), and the sum of the window's squares (pre[win]). */
static double ripple_gather(const bel_breath *b, const ripple_grid *g, double *xs, double *pre)
{
    const int64_t end = b->ripple_at - 1, n_xs = g->win + g->lmax, step = g->step;
    double acc = 0.0;
    pre[0] = 0.0;
    /* In runs that do not wrap round the ring (no mask per sample). */
    for (int64_t i = 0; i < n_xs;) {
        const int64_t at = (end - i * step) & (b->cap - 1);
        int64_t run = at / step + 1;
        run = run < n_xs - i ? run : n_xs - i;
        const float *band = b->hist_band + at;
        for (int64_t j = 0; j < run; j++, i++) {
            xs[i] = (double)band[-j * step];
            acc += xs[i] * xs[i];
            pre[i + 1] = acc;
        }
    }
    return pre[g->win];
}

/* The sum of squares of the window l samples earlier, from the running sums: a
 * difference, not a pass over the window for each lag. */
static double ripple_syy(const double *pre, int64_t win, int64_t l)
{
    return pre[l + win] - pre[l];
}

/* Correlation of the decimated band (xs, newest first; pre the running sums of
 * its squares) over the window of win with itself l samples earlier. */
static double ripple_r(const double *xs, const double *pre, int64_t win, double sxx, int64_t l)
{
    double sxy = 0.0;
    for (int64_t i = 0; i < win; i++) {
        sxy += xs[i] * xs[i + l];
    }
    const double syy = ripple_syy(pre, win, l);
    return sxx > 0.0 && syy > 0.0 ? sxy / sqrt(sxx * syy) : 0.0;
}

/* ripple_r at the n_lags lags (r[lag]): four or five a pass (a five where
 * fours would leave one over), the last two or three one by one. (lags is not
 * const: GCC 12 takes a const pointer into a partly filled array for a read of
 * all of it, and warns.) */
static void ripple_rs(const double *xs, const double *pre, int64_t win, double sxx, int64_t *lags,
                      int n_lags, double *r)
{
    int i = 0;
    while (n_lags - i >= 4) {
        const int k = (n_lags - i) % 4 == 1 ? 5 : 4;
        const double *y[5];
        for (int j = 0; j < k; j++) {
            y[j] = xs + lags[i + j];
        }
        double s[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
        bel_dots(xs, y, k, win, s); /* each lag's products in ripple_r's order */
        for (int j = 0; j < k; j++) {
            const double syy = ripple_syy(pre, win, lags[i + j]);
            r[lags[i + j]] = sxx > 0.0 && syy > 0.0 ? s[j] / sqrt(sxx * syy) : 0.0;
        }
        i += k;
    }
    for (; i < n_lags; i++) {
        r[lags[i]] = ripple_r(xs, pre, win, sxx, lags[i]);
    }
}

/* The breathing found under a beat, pp peak to peak: the depths learnt on the
 * beat's phases are raised to it (as depths kept from before a fade come back). */
static void seed_depths(bel_breath *b, double pp)
{
    if (!(pp > b->ref_depth) || b->n_depths == 0) {
        return;
    }
    for (int i = 0; i < b->n_depths; i++) {
        b->depths[i] = fmaxf(b->depths[i], (float)pp);
    }
    b->depth_median = median_depth(b->depths, b->n_depths);
    b->ref_depth = b->depth_median;
}

/* Breathing slower than a periodic movement of len samples that the detector
 * is following as if it were the breath (a heart beat as large as the
 * breathing, on a belt where the breath hardly moves): the input averaged over
 * exactly len samples (nothing of the periodic movement or its harmonics is
 * left), decimated to about under_fs_hz over the last under_win_s plus
 * under_lag_s, its straight-line trend taken out, correlates with itself
 * clearly (> 0.5) at a lag of under_ratio periods or more, a peak that a dip
 * below zero comes before (an oscillation, not a drift). Returns that lag in
 * seconds, 0 when there is none (the periodic movement is the breathing). */
static double breathing_under_beat(const bel_breath *b, int64_t len, double *pp)
{
    const int64_t step =
        b->cfg.fs_hz > 1.5 * under_fs_hz ? (int64_t)floor(b->cfg.fs_hz / under_fs_hz + 0.5) : 1;
    const double fs_d = b->cfg.fs_hz / (double)step;
    /* As much of the history as there is, up to the window and the lags; at
     * least as long a window as the lag (from the start, the first breath or
     * two). */
    const int64_t held = (b->n < b->cap ? b->n : b->cap) - len;
    int64_t n_xs = (int64_t)((under_win_s + under_lag_s) * fs_d);
    n_xs = n_xs < UNDER_MAX ? n_xs : UNDER_MAX;
    n_xs = n_xs < held / step ? n_xs : held / step;
    int64_t lmax = (int64_t)(under_lag_s * fs_d);
    lmax = lmax < n_xs / 2 ? lmax : n_xs / 2;
    const int64_t win = n_xs - lmax;
    const int64_t lmin = (int64_t)ceil(under_ratio * (double)len / (double)step);
    if (lmin + 1 >= lmax) {
        return 0.0;
    }
    /* The one-period means at every step-th sample, newest first, from the
     * input's running sums (as measure_beat's). */
    double xs[UNDER_MAX];
    const int64_t m = b->cap - 1;
    for (int64_t i = 0; i < n_xs; i++) {
        const int64_t k = b->n - 1 - i * step;
        const double before = k - len >= 0 ? b->hist_cs[(k - len) & m] : 0.0;
        xs[i] = (b->hist_cs[k & m] - before) / (double)len;
    }
    /* Less its straight-line trend. */
    double si = 0.0, sx = 0.0, sii = 0.0, six = 0.0;
    for (int64_t i = 0; i < n_xs; i++) {
        si += (double)i;
        sx += xs[i];
        sii += (double)i * (double)i;
        six += (double)i * xs[i];
    }
    const double nn = (double)n_xs, den = nn * sii - si * si;
    const double slope = den > 0.0 ? (nn * six - si * sx) / den : 0.0;
    const double icpt = (sx - slope * si) / nn;
    double pre[UNDER_MAX + 1];
    pre[0] = 0.0;
    for (int64_t i = 0; i < n_xs; i++) {
        xs[i] -= icpt + slope * (double)i;
        pre[i + 1] = pre[i] + xs[i] * xs[i];
    }
    const double sxx = pre[win];
    double best = -2.0, dip = 2.0, prev = 2.0, before_best = 2.0;
    int64_t best_l = 0;
    bool is_peak = false;
    for (int64_t l = 1; l <= lmax; l++) {
        const double rl = ripple_r(xs, pre, win, sxx, l);
        if (l == best_l + 1) {
            is_peak = rl < best; /* falls after it */
        }
        if (l >= lmin && rl > best && dip < 0.0) {
            best = rl;
            best_l = l;
            before_best = prev;
            is_peak = false;
        }
        dip = fmin(dip, rl);
        prev = rl;
    }
    *pp = 2.0 * sqrt(2.0 * sxx / (double)win);
    return best > 0.5 && is_peak && before_best < best ? (double)best_l / fs_d : 0.0;
}

/* The ripple's period: the lag (0.5..1.5 s, 40-120 beats/min) where the
 * band signal of the last 6 s (decimated to about 25 Hz) correlates best with
 * itself, when that correlation is clear (> 0.5) and not at the range's edge.
 * Made on the history as it was when asked (ripple_gather, the phase duration
 * then). */
static void estimate_ripple(bel_breath *b, const ripple_grid *g, const double *xs,
                            const double *pre, double sxx)
{
    const int64_t win = g->win, lmin = g->lmin, lmax = g->lmax;
    b->ripple_n = 0;
    /* First every third lag: each lag is then within one (40 ms) of one looked
     * at, and the band (0.7-2.5 Hz) moves the correlation little over 40 ms, so a
     * clear peak (> 0.5) shows as more than ripple_coarse at its neighbour. With
     * none, there is no ripple to time by, and the other lags are not needed. */
    double r[RIPPLE_MAX]; /* by lag */
    bool have[RIPPLE_MAX] = {false};
    int64_t lags[RIPPLE_MAX];
    int n_lags = 0;
    for (int64_t l = lmin + 1; l <= lmax; l += 3) {
        lags[n_lags++] = l;
    }
    if ((n_lags > 0 ? lags[n_lags - 1] : lmin) < lmax - 1) {
        lags[n_lags++] = lmax;
    }
    ripple_rs(xs, pre, win, sxx, lags, n_lags, r);
    double coarse = -2.0;
    for (int i = 0; i < n_lags; i++) {
        have[lags[i]] = true;
        coarse = r[lags[i]] > coarse ? r[lags[i]] : coarse;
    }
    if (!(coarse > ripple_coarse)) {
        return;
    }
    /* Then the lags between. */
    n_lags = 0;
    for (int64_t l = lmin; l <= lmax; l++) {
        if (!have[l]) {
            lags[n_lags++] = l;
        }
    }
    ripple_rs(xs, pre, win, sxx, lags, n_lags, r);
    double best = -2.0, prev = -2.0, before_best = -2.0, after_best = -2.0;
    int64_t best_l = 0;
    for (int64_t l = lmin; l <= lmax; l++) {
        const double rl = r[l];
        if (l == best_l + 1) {
            after_best = rl;
        }
        if (rl > best) {
            best = rl;
            best_l = l;
            before_best = prev;
            after_best = -2.0;
        }
        prev = rl;
    }
    /* A beat is much faster than the breath: a period over 0.4 of the breath's
     * is breathing that got into the band, not a heart beat, unless slower
     * breathing is found under it (then the breath's phases are the ones
     * found there, which the cutoff follows, and they remain the breath's
     * while the detector follows them). */
    const bool is_clear =
        best > 0.5 && best_l > lmin && best_l < lmax && before_best < best && after_best < best;
    bool is_fast = (double)best_l / g->fs_d < 0.8 * b->ripple_half_cycle_s;
    if (!is_clear) {
        b->under_half_s = 0.0;
    } else if (is_fast && b->under_half_s > 0.0) {
        /* Breathing found under the beat is followed now: its own phases. */
        b->under_half_s = b->ripple_half_cycle_s;
    }
    if (is_clear && !is_fast && b->cfg.is_one_belt) {
        /* The detector's own phases may be the beat's: then the breathing, if
         * any is slower, is found under it. (With another belt that counts in
         * the mix, the one that moves most with the breath leads: not a beat.) */
        double pp = 0.0;
        const double under_s = breathing_under_beat(b, best_l * g->step, &pp);
        b->under_half_s = 0.5 * under_s;
        is_fast = under_s > 0.0;
        if (is_fast) {
            seed_depths(b, pp);
            if (2.0 * b->ripple_half_cycle_s < BEL_RELAXED_CYCLE_MIN_S &&
                b->ripple_half_cycle_s < 0.25 * under_s) {
                /* The turns it followed came at over 30 a minute, twice as often
                 * as the breathing found or more: they were the beat's. */
                b->n_beats_found++;
            }
        }
    }
    if (is_clear && is_fast) {
        const int64_t len = best_l * g->step;
        b->ripple_n = len % 2 ? len : len + 1;
        b->beat_n = b->ripple_n;
        b->ripple_amp = sqrt(2.0 * sxx / (double)win);
    }
}

/* Ask for the ripple estimate on the history as it is now (answered later by
 * ripple_resolve; a newer ask replaces an unanswered one). */
static void ripple_ask(bel_breath *b)
{
    const ripple_grid g = ripple_grid_of(b);
    b->ripple_at = b->n;
    b->ripple_oldest = b->n - 1 - (g.win + g.lmax - 1) * g.step;
    b->ripple_half_cycle_s = b->half_cycle_s;
    b->ripple_amp_known = false;
}

/* Answer a pending ask, as far as smooth_w needs it: a ripple too weak to
 * matter at the current depth is not timed (ripple_n 0 gives smooth_w the same
 * answer), and its period is found only if a later use needs it. With force,
 * all of it (its history is about to be overwritten). */
static void ripple_resolve(bel_breath *b, bool force)
{
    if (b->ripple_at < 0) {
        return;
    }
    const ripple_grid g = ripple_grid_of(b);
    if (!ripple_fits(b, &g, b->ripple_at)) {
        b->ripple_n = 0;
        b->ripple_at = -1;
        return;
    }
    if (b->ripple_amp_known && !force && !ripple_matters(b, b->ripple_amp_pending)) {
        b->ripple_n = 0;
        return;
    }
    double xs[RIPPLE_MAX], pre[RIPPLE_MAX + 1];
    const double sxx = ripple_gather(b, &g, xs, pre);
    b->ripple_amp_pending = sqrt(2.0 * sxx / (double)g.win);
    b->ripple_amp_known = true;
    if (!force && !ripple_matters(b, b->ripple_amp_pending)) {
        b->ripple_n = 0;
        return;
    }
    estimate_ripple(b, &g, xs, pre, sxx);
    b->ripple_at = -1;
}

/* Mean of the input over [k-w, k+w] clipped to [lo, to]. */
static inline double smoothed_at(const bel_breath *b, int64_t k, int64_t w, int64_t lo, int64_t to)
{
    /* Near either end the window shrinks on both sides: a one-sided average
     * would lag a moving signal (the newest samples are where a turn is
     * confirmed). */
    if (k - lo < w) {
        w = k - lo;
    }
    if (to - k < w) {
        w = to - k;
    }
    if (w < 0) {
        w = 0;
    }
    const int64_t m = b->cap - 1;
    const double before = k - w > 0 ? b->hist_cs[(k - w - 1) & m] : 0.0;
    return (b->hist_cs[(k + w) & m] - before) / (double)(2 * w + 1);
}

/* smoothed_at where the window is whole (lo + w <= k <= to - w), width the
 * window's length 2 w + 1: the same sum and division, without the clipping. */
static inline double smoothed_mid(const bel_breath *b, int64_t k, int64_t w, double width)
{
    const int64_t m = b->cap - 1;
    const double before = k - w > 0 ? b->hist_cs[(k - w - 1) & m] : 0.0;
    return (b->hist_cs[(k + w) & m] - before) / width;
}

/* smoothed_at, by smoothed_mid where the window is whole. */
static inline double smoothed_any(const bel_breath *b, int64_t k, int64_t w, int64_t lo, int64_t to,
                                  double width)
{
    if (k - lo >= w && to - k >= w) {
        return smoothed_mid(b, k, w, width);
    }
    return smoothed_at(b, k, w, lo, to);
}

/* refine's search where the window is whole: from *kr to k_end, the first
 * largest sgn x smoothed_mid into *best and *kbest (kept if none is larger),
 * *kr left past k_end. The running sums are read in runs that do not wrap round
 * the ring (the same values, without a mask per sample). */
static inline void scan_mid(const bel_breath *b, double sgn, int64_t *kr, int64_t k_end, int64_t w,
                            double width, double *best, int64_t *kbest)
{
    int64_t k = *kr;
    double bst = *best;
    int64_t kb = *kbest;
    if (k <= k_end && k - w <= 0) {
        /* The window starts at the reset: nothing is summed before it. */
        const double z = sgn * smoothed_mid(b, k, w, width);
        if (z > bst) {
            bst = z;
            kb = k;
        }
        k++;
    }
    const int64_t cap = b->cap, m = cap - 1;
    while (k <= k_end) {
        const int64_t i_lo = (k - w - 1) & m, i_hi = (k + w) & m;
        int64_t len = k_end - k + 1;
        len = len < cap - i_lo ? len : cap - i_lo;
        len = len < cap - i_hi ? len : cap - i_hi;
        const double *lo = b->hist_cs + i_lo, *hi = b->hist_cs + i_hi;
        for (int64_t j = 0; j < len; j++) {
            const double z = sgn * ((hi[j] - lo[j]) / width);
            if (z > bst) {
                bst = z;
                kb = k + j;
            }
        }
        k += len;
    }
    *kr = k;
    *best = bst;
    *kbest = kb;
}

/* How many whole windows from k down (k, k - 1, ...) lie at or above run_lo with
 * neither end of the window wrapping round the ring: i_lo and i_hi are the ring
 * indices of k's window ends. */
static inline int64_t mid_run(int64_t k, int64_t run_lo, int64_t i_lo, int64_t i_hi)
{
    int64_t run = k - run_lo + 1;
    run = run < i_lo + 1 ? run : i_lo + 1;
    return run < i_hi + 1 ? run : i_hi + 1;
}

/* Last sample in (k_ext, to] whose smoothed value is still at or beyond thr
 * (on the side of the extremum); k_ext if none. */
static int64_t last_near(const bel_breath *b, double sgn, int64_t k_ext, int64_t to, double thr,
                         int64_t w, int64_t lo)
{
    const double width = (double)(2 * w + 1);
    const int64_t cap = b->cap, m = cap - 1;
    /* From here down to lo + w the window is whole, and from w + 1 not at the
     * reset (smoothed_mid): read there in runs where neither end of the
     * window wraps round the ring. */
    const int64_t mid_lo = lo + w > w + 1 ? lo + w : w + 1;
    const int64_t run_lo = mid_lo > k_ext + 1 ? mid_lo : k_ext + 1;
    for (int64_t k = to; k > k_ext; k--) {
        if (k <= to - w && k >= run_lo) {
            const int64_t i_lo = (k - w - 1) & m, i_hi = (k + w) & m;
            const int64_t run = mid_run(k, run_lo, i_lo, i_hi);
            const double *cs_lo = b->hist_cs + i_lo, *cs_hi = b->hist_cs + i_hi;
            for (int64_t j = 0; j < run; j++) {
                if (sgn * ((cs_hi[-j] - cs_lo[-j]) / width) >= thr) {
                    return k - j;
                }
            }
            k -= run - 1;
            continue;
        }
        if (sgn * smoothed_any(b, k, w, lo, to, width) >= thr) {
            return k;
        }
    }
    return k_ext;
}

static double move_time(const bel_breath *b, int64_t k0, int64_t k1);

/* Where the stay at or beyond thr (on the side of the extremum) that holds
 * k_ext began: its first sample, going back no further than from. */
static int64_t stay_start(const bel_breath *b, double sgn, int64_t k_ext, int64_t from, double thr,
                          int64_t w, int64_t lo, int64_t to)
{
    int64_t k = k_ext;
    while (k > from && sgn * smoothed_at(b, k - 1, w, lo, to) >= thr) {
        k--;
    }
    return k;
}

/* Whether a peak's plateau is flat: the smoothed input stays within half of
 * the plateau's band of the extremum (at or beyond thr5, from kbest back to
 * k_in and on to the last such sample before to) for min_s or more. A rounded
 * top (a raised cosine) spends acos(0.9) / acos(0.8) = 0.70 of its time within
 * 10 % of the depth in the upper 5 %, a pointed one half of it; a breath held
 * at the top spends the whole hold there. */
static bool is_flat(const bel_breath *b, int64_t kbest, int64_t k_in, int64_t to, double thr5,
                    int64_t w, int64_t lo, double min_s)
{
    const int64_t k0 = stay_start(b, 1.0, kbest, k_in, thr5, w, lo, to);
    const int64_t k1 = last_near(b, 1.0, kbest, to, thr5, w, lo);
    return ht(b, k1) - ht(b, k0) >= min_s;
}

/* How long the movement that starts at this turn usually takes, 10 to 90 %:
 * this person's recent ones (0: not known). Before any fall has been timed
 * (the first peak: the breath in and held at a pacer's count, its exhalation
 * not yet seen), the rise that led to this peak, from..k: one pace in and out
 * is a better guess than the hold's exit, which ripple moves by seconds. A
 * first trough keeps its exit: an end-expiratory pause holds still. */
static double usual_move(const bel_breath *b, bool peak, int64_t from, int64_t k)
{
    const double usual = peak ? b->fall_usual_s : b->rise_usual_s;
    if (usual > 0.0 || !peak) {
        return usual;
    }
    const double led = move_time(b, from, k);
    return led > 0.0 ? led : 0.0;
}

/* Time a turning point: search the history between the previous turning
 * point and now for the extremum of the smoothed input; after a flat part
 * longer than hold_min_s, the movement begins at the end of the flat part. */
static void refine(const bel_breath *b, bool peak, int64_t from, int64_t to, double depth,
                   int64_t *k_out, float *v_out)
{
    const int64_t oldest = oldest_k(b);
    if (from < oldest) {
        from = oldest;
    }
    if (from > to) {
        from = to;
    }
    const int64_t w = smooth_w(b);
    const double sgn = peak ? 1.0 : -1.0;
    /* Centered mean over [k-w, k+w], shrunk symmetrically at the ends. */
    int64_t lo = from - w < oldest ? oldest : from - w;
    double best = -HUGE_VAL;
    int64_t kbest = from;
    /* The samples near the ends (their windows clipped), and between them
     * those whose window is whole, in order. */
    const double width = (double)(2 * w + 1);
    int64_t kr = from;
    for (; kr <= to && kr < lo + w; kr++) {
        const double z = sgn * smoothed_at(b, kr, w, lo, to);
        if (z > best) {
            best = z;
            kbest = kr;
        }
    }
    scan_mid(b, sgn, &kr, to - w, w, width, &best, &kbest);
    for (; kr <= to; kr++) {
        const double z = sgn * smoothed_at(b, kr, w, lo, to);
        if (z > best) {
            best = z;
            kbest = kr;
        }
    }
    /* The movement begins where the signal last left the extremum: the last
     * sample within eps of it. After a hold or a pause that is the end of the
     * flat part; on a rounded turn it is a hair after the extremum. Ripple
     * dipping inside a hold does not matter, only the final exit does. */
    const double frac = (double)(peak ? b->cfg.hold_frac : b->cfg.trough_hold_frac);
    const double eps = fmax(frac * depth, 3.0 * noise_sigma(b));
    const int64_t kl = last_near(b, sgn, kbest, to, best - eps, w, lo);
    /* A short way from the extremum to the exit is a rounded turn: the
     * extremum is the turning point. */
    const double exit_min_s = peak ? b->cfg.peak_hold_s : b->cfg.trough_hold_s;
    *k_out = ht(b, kl) - ht(b, kbest) >= exit_min_s ? kl : kbest;
    /* A movement leaves the few-percent band above a variable while after it
     * begins (the band is tight against noise and ripple). Time it instead
     * where it passes 10 % of the depth, which they hardly move, less the time
     * a movement takes to get there from its start, from this person's recent
     * 10-90 % times: 0.34 of it for a rise (a raised-cosine start: 0.35 in
     * theory, 0.34 measured on the labelled inhalations), 0.15 for a fall (an
     * exhalation starts more briskly: 0.15 measured on the labelled
     * exhalations).
     * Never before the extremum: a rounded trough comes back to its lowest
     * point, a pause to its end. At a peak only after a deliberate hold, the
     * breath held in: within 10 % of the top for 2.5 s or more and as long as
     * the fall usually takes, or for held_min_s or more and flat (is_flat:
     * pacers hold for 1 to 7 s); a rounded top or a shorter plateau (a
     * ventilator's) keeps the timing above. */
    const double move = usual_move(b, peak, from, kbest);
    if (move > 0.0 && depth > 0.0) {
        const double thr10 = best - 0.1 * depth;
        int64_t k10 = last_near(b, sgn, kbest, to, thr10, w, lo);
        bool is_held = !peak;
        if (peak) {
            const int64_t k_in = stay_start(b, sgn, kbest, from, thr10, w, lo, to);
            const double plateau = ht(b, k10) - ht(b, k_in);
            is_held = plateau >= fmax(move, 2.5) ||
                      (plateau >= held_min_s && is_flat(b, kbest, k_in, to, best - 0.05 * depth, w,
                                                        lo, held_flat * plateau));
        }
        double back_s = (peak ? 0.15 : 0.34) * move;
        /* At a trough, the signal left the extremum's band (kl) and sat short
         * of 10 % for longer than a pause (stay_min_s) before the rise began:
         * it stopped at another level first (a belly let go under a pacer, a
         * shift in the pause, then the pacer's pause). The inhalation starts
         * from that stay, not from the bottom before it, whose 10 % the
         * stay's noise and ripple reach: its 10 % is measured from the stay's
         * extreme over the stay_min_s before the rise began. (A stay below a
         * peak is the breath held in, timed as such above.) */
        double base = best;
        int64_t k_base = kbest;
        const double t_move = ht(b, k10) - back_s;
        if (!peak && k10 < to && t_move - stay_min_s > ht(b, kl)) {
            int64_t k_hi = k10;
            while (k_hi > kl && ht(b, k_hi) > t_move) {
                k_hi--;
            }
            double stay = -HUGE_VAL;
            int64_t k_stay = k_hi;
            for (int64_t k = k_hi; k > kl && ht(b, k) >= t_move - stay_min_s; k--) {
                const double z = sgn * smoothed_at(b, k, w, lo, to);
                if (z > stay) {
                    stay = z;
                    k_stay = k;
                }
            }
            if (stay > -HUGE_VAL) {
                base = stay;
                k_base = k_stay;
                k10 = last_near(b, sgn, k_base, to, base - 0.1 * depth, w, lo);
            }
        }
        int64_t k_anchor = k10;
        if (k10 >= to && !peak) {
            /* Confirmed before the rise reached 10 % (the detection signal
             * leads the averaged one): anchor on the level it did reach, with
             * the raised-cosine time to get there, acos(1 - 2 L) / pi of the
             * rise, 0.59 of which is its 10-90 % time. */
            const double reached = (base - sgn * smoothed_at(b, to, w, lo, to)) / depth;
            const double level = 0.8 * reached;
            if (level >= 0.04 && level < 0.1) {
                k_anchor = last_near(b, sgn, k_base, to, base - level * depth, w, lo);
                back_s = acos(1.0 - 2.0 * level) / 3.141592653589793 / 0.59 * move;
            }
        }
        if (k_anchor < to && is_held) {
            const double t_on = ht(b, k_anchor) - back_s;
            int64_t k = k_anchor;
            while (k > k_base && ht(b, k - 1) >= t_on) {
                k--;
            }
            *k_out = k;
        }
    }
    /* Clipped at a rail: a run of one repeated value at the extremum. The
     * true turning point is hidden inside it, best guessed at its middle. */
    const double v = hx(b, kbest);
    int64_t r0 = kbest, r1 = kbest;
    while (r0 > from && hx(b, r0 - 1) == v) {
        r0--;
    }
    while (r1 < to && hx(b, r1 + 1) == v) {
        r1++;
    }
    const bool at_rail = peak ? v >= (double)b->x_max : v <= (double)b->x_min;
    if (at_rail && ht(b, r1) - ht(b, r0) >= b->cfg.hold_min_s) {
        *k_out = r0 + (r1 - r0) / 2;
    }
    *v_out = (float)(sgn * best);
}

static void choose_filter(bel_breath *b);

/* Skewness of one whole breath cycle, k0 to k1 (two turning points of the
 * same kind), after removing the straight line between its ends (drift).
 * Breathing spends longer near the exhaled level than near the inhaled one
 * (the end-expiratory pause, the slowing end of an exhalation): the cycle is
 * skewed towards its peaks, > 0, when expansion reads up. */
static double cycle_skew(const bel_breath *b, int64_t k0, int64_t k1)
{
    const int64_t oldest = b->n > b->cap ? b->n - b->cap : 0;
    if (k0 < oldest || k1 <= k0 + 4) {
        return (double)NAN;
    }
    const double x0 = hx(b, k0), x1 = hx(b, k1);
    const double len = (double)(k1 - k0);
    const double cnt = len + 1.0;
    const double slope = (x1 - x0) / len;
    /* One pass: the residuals' power sums, the central moments from them (the
     * residuals are zero at both ends, so their mean is no larger than they are
     * and nothing cancels). */
    double s1 = 0.0, s2 = 0.0, s3 = 0.0;
    /* In runs that do not wrap round the ring (no mask per sample). */
    const int64_t cap = b->cap;
    for (int64_t k = k0; k <= k1;) {
        const int64_t at = k & (cap - 1);
        const int64_t run = k1 - k + 1 < cap - at ? k1 - k + 1 : cap - at;
        const float *xs = b->hist_x + at;
        for (int64_t j = 0; j < run; j++) {
            const double d = (double)xs[j] - (x0 + slope * (double)(k + j - k0));
            const double d2 = d * d;
            s1 += d;
            s2 += d2;
            s3 += d2 * d;
        }
        k += run;
    }
    const double mean = s1 / cnt, e2 = s2 / cnt;
    const double m2 = e2 - mean * mean;
    const double m3 = s3 / cnt - 3.0 * mean * e2 + 2.0 * mean * mean * mean;
    return m2 > 0.0 ? m3 / (m2 * sqrt(m2)) : (double)NAN;
}

/* How long the movement from turning point k0 to k1 took, from 10 % to 90 %
 * of the way (on the lightly smoothed input): holds and pauses at either end
 * do not count, only the movement itself. */
static double move_time(const bel_breath *b, int64_t k0, int64_t k1)
{
    const int64_t oldest = oldest_k(b);
    if (k0 < oldest) {
        k0 = oldest;
    }
    if (k1 <= k0 + 1) {
        return (double)NAN;
    }
    const int64_t w = smooth_w(b);
    const double v0 = smoothed_at(b, k0, w, k0, k1);
    const double v1 = smoothed_at(b, k1, w, k0, k1);
    const double width = (double)(2 * w + 1);
    const double sgn = v1 >= v0 ? 1.0 : -1.0;
    const double lo = v0 + 0.1 * (v1 - v0), hi = v0 + 0.9 * (v1 - v0);
    int64_t k10 = -1, k90 = -1;
    const int64_t cap = b->cap, m = cap - 1;
    for (int64_t k = k0; k <= k1; k++) {
        if (k - k0 >= w && k1 - k >= w && k - w > 0) {
            /* Whole windows not at the reset (smoothed_mid), read in a run
             * where neither end of the window wraps round the ring. */
            const int64_t i_lo = (k - w - 1) & m, i_hi = (k + w) & m;
            int64_t len = k1 - w - k + 1;
            len = len < cap - i_lo ? len : cap - i_lo;
            len = len < cap - i_hi ? len : cap - i_hi;
            const double *cs_lo = b->hist_cs + i_lo, *cs_hi = b->hist_cs + i_hi;
            for (int64_t j = 0; j < len; j++) {
                const double z = sgn * ((cs_hi[j] - cs_lo[j]) / width);
                if (k10 < 0 && z >= sgn * lo) {
                    k10 = k + j;
                }
                if (z >= sgn * hi) {
                    k90 = k + j;
                    break;
                }
            }
            if (k90 >= 0) {
                break;
            }
            k += len - 1;
            continue;
        }
        const double z = sgn * smoothed_any(b, k, w, k0, k1, width);
        if (k10 < 0 && z >= sgn * lo) {
            k10 = k;
        }
        if (z >= sgn * hi) {
            k90 = k;
            break;
        }
    }
    if (k10 < 0 || k90 < k10) {
        return (double)NAN;
    }
    /* The last time below 10 % before reaching 90 %: a false start does not count. */
    const int64_t mid_lo = k0 + w > w + 1 ? k0 + w : w + 1;
    const int64_t run_lo = mid_lo > k10 + 1 ? mid_lo : k10 + 1;
    for (int64_t k = k90; k > k10; k--) {
        if (k <= k1 - w && k >= run_lo) {
            /* As above, down to the first whole window or the reset. */
            const int64_t i_lo = (k - w - 1) & m, i_hi = (k + w) & m;
            const int64_t run = mid_run(k, run_lo, i_lo, i_hi);
            const double *cs_lo = b->hist_cs + i_lo, *cs_hi = b->hist_cs + i_hi;
            int64_t j = 0;
            while (j < run && !(sgn * ((cs_hi[-j] - cs_lo[-j]) / width) < sgn * lo)) {
                j++;
            }
            if (j < run) {
                k10 = k - j;
                break;
            }
            k -= run - 1;
            continue;
        }
        if (sgn * smoothed_any(b, k, w, k0, k1, width) < sgn * lo) {
            k10 = k;
            break;
        }
    }
    return ht(b, k90) - ht(b, k10);
}

/* The beat over the samples of the phase ending now that lie near its extreme
 * (within slow_frac of the depth: the breath hardly moves there), from the
 * input less its centred mean over one beat period: that mean takes out the
 * beat whole and the breath's level and slope, so what remains is the beat. */
static void measure_beat(bel_breath *b, double depth)
{
    if (b->st == ST_UNKNOWN) {
        return;
    }
    const int64_t h = b->beat_n / 2, m = b->cap - 1;
    const int64_t lo = max_i64(b->ref_n, oldest_k(b)) + h + 1, hi = b->n - 1 - h;
    const double s = b->st == ST_RISING ? 1.0 : -1.0, band = BEAT_SLOW_FRAC * depth;
    const int64_t step = h / 4 > 1 ? h / 4 : 1;
    double sum = 0.0, sum2 = 0.0;
    int64_t cnt = 0;
    for (int64_t k = lo; k <= hi; k += step) {
        const float xk = b->hist_x[k & m];
        if (s * (b->ext_val - (double)b->hist_y[k & m]) > band || xk <= b->x_min ||
            xk >= b->x_max) {
            continue;
        }
        const double r = (double)xk - (b->hist_cs[(k + h) & m] - b->hist_cs[(k - h - 1) & m]) /
                                          (double)(2 * h + 1);
        sum += r;
        sum2 += r * r;
        cnt++;
    }
    if (cnt * step >= 2 * h + 1) {
        const double mean = sum / (double)cnt;
        const double pp = 2.828 * sqrt(fmax(sum2 / (double)cnt - mean * mean, 0.0));
        b->beat_pp = b->beat_pp >= 0.0 ? 0.5 * b->beat_pp + 0.5 * pp : pp;
        b->beat_hi = pp > BEAT_HI_DECAY * b->beat_hi ? pp : BEAT_HI_DECAY * b->beat_hi;
    }
}

static int confirm(bel_breath *b, bool peak, double t_now, bel_breath_point *pt)
{
    ripple_resolve(b, false);
    if (b->ripple_amp_known) {
        b->wiggle_amp = b->ripple_amp_pending;
    }
    const double exc = fabs(b->ext_val - b->ref_val);
    int64_t k;
    float v;
    measure_beat(b, b->ref_depth > 0.0 ? b->ref_depth : exc);
    /* The turn is timed against the size of the movements around it: the
     * usual depth (which decays through a long pause) and this breath's own
     * last movement, each a guess, weighed alike (their geometric mean). A
     * breath twice the usual one no longer leaves the 10 % band, and so seems
     * to start, at a twentieth of its way. */
    const double depth = b->ref_depth > 0.0 ? sqrt(b->ref_depth * exc) : exc;
    int64_t from = b->st == ST_UNKNOWN ? (peak ? b->min_n : b->max_n) : b->ref_n + 1;
    refine(b, peak, from, b->n - 1, depth, &k, &v);
    const double t_pt = ht(b, k);
    pt->is_peak = peak;
    pt->t_s = t_pt;
    pt->t_detect_s = t_now;
    pt->value = v;
    pt->excursion = (float)exc;
    pt->move_s = b->st == ST_UNKNOWN ? NAN : (float)move_time(b, b->ref_n, k);
    if (pt->move_s > 0.0f) {
        /* The median of the last few: one movement that was no breath (a
         * belly let go after a hold-in, a posture step, two phases taken for
         * one) does not shift the timing of the breaths after it. */
        const int i = peak ? 1 : 0;
        b->moves[i][b->move_head[i]] = pt->move_s;
        b->move_head[i] = (b->move_head[i] + 1) % N_MOVES;
        if (b->n_moves[i] < N_MOVES) {
            b->n_moves[i]++;
        }
        *(peak ? &b->rise_usual_s : &b->fall_usual_s) = median_depth(b->moves[i], b->n_moves[i]);
    }
    /* At troughs only: the whole cycle from inhalation onset to inhalation onset is
     * what the polarity evidence reads (pipeline.c); a peak's is never read, and
     * its sums over the cycle are a tenth of the stage's cost. */
    pt->cycle_skew = !peak && b->n_points >= 2 ? (float)cycle_skew(b, b->prev_ref_n, k) : NAN;
    b->prev_ref_n = b->st == ST_UNKNOWN ? k : b->ref_n;
    b->n_points = b->st == ST_UNKNOWN ? 1 : b->n_points + 1;
    if (b->st != ST_UNKNOWN) {
        double dur = t_pt - b->ref_t;
        if (dur > 0.0) {
            b->half_cycle_s = 0.7 * b->half_cycle_s + 0.3 * dur;
            b->half_cycle_slow_s = 0.9 * b->half_cycle_slow_s + 0.1 * dur;
        }
    }
    if (b->is_choice_back) {
        /* The reversals since the kept depths came back were counted
         * against the faded scale (the hysteresis is a part of the depth). */
        b->is_choice_back = false;
        b->wig_fast_ema = b->kept_wig_fast_ema;
        b->wig_slow_ema = b->kept_wig_slow_ema;
        b->calm_n = b->kept_calm_n;
        b->wig_fast.count = b->wig_slow.count = 0;
    }
    add_depth(b, exc);
    b->st = peak ? ST_FALLING : ST_RISING;
    b->ref_val = b->ext_val;
    b->ref_n = k;
    b->ref_t = t_pt;
    b->ext_val = b->y;
    b->ext_n = b->n - 1;
    b->last_confirm_t = t_now;
    b->band_ext_n = -1;
    choose_filter(b);
    return 1;
}

/* Count reversals of a filtered signal larger than a small fraction of the
 * depth. On a clean breath signal both filters see the same reversals; with
 * the heart beat or other ripple riding on it the fast one sees many more. */
static inline void count_wiggles(struct wiggle *w, double y, double hyst)
{
    /* Going one way (dir is 1 or -1 from the first sample on): a new extreme
     * cannot also be a reversal (hyst is >= 0 or NaN), so one test of the two
     * settles most samples. The same result as the general case below. */
    if (w->dir > 0) {
        if (y > w->ext) {
            w->ext = y;
        } else if (y < w->ext - hyst) {
            w->dir = -1;
            w->ext = y;
            w->count++;
        }
        return;
    }
    if (w->dir < 0) {
        if (y < w->ext) {
            w->ext = y;
        } else if (y > w->ext + hyst) {
            w->dir = 1;
            w->ext = y;
            w->count++;
        }
        return;
    }
    if ((w->dir >= 0 && y > w->ext) || (w->dir <= 0 && y < w->ext)) {
        w->ext = y;
    }
    if (w->dir >= 0 && y < w->ext - hyst) {
        w->dir = -1;
        w->ext = y;
        w->count++;
    } else if (w->dir <= 0 && y > w->ext + hyst) {
        w->dir = 1;
        w->ext = y;
        w->count++;
    }
}

/* After each turning point: the strong-ripple low-pass's cutoff, between the
 * breathing and the ripple. A fixed 0.5 Hz keeps a heart beat out of slow
 * breathing but halves 45 breaths/min (running) and delays them; a cutoff at
 * the geometric mean of the breathing rate (its half-cycle over about ten
 * phases: slow enough that a ripple taken for a phase hardly raises the
 * cutoff that let it through) and the ripple's
 * frequency (its period from the autocorrelation) puts each the same ratio
 * away from it, and no higher than ripple_lp_breath_mult times the breathing,
 * which passes it whole. Never below the configured cutoff, never above the
 * clean-signal one. Without a ripple period the last cutoff stays (the
 * estimate comes and goes with gait); a restart returns to the configured one.
 * Changed only by more than 5 %, its state started at the present output. */
static void tune_ripple_lowpass(bel_breath *b)
{
    if (b->ripple_n <= 0 || !(b->half_cycle_slow_s > 0.0)) {
        return;
    }
    const double f_breath = 0.5 / fmax(b->half_cycle_slow_s, b->under_half_s);
    const double f_ripple = b->cfg.fs_hz / (double)b->ripple_n;
    double fc = fmin(sqrt(f_breath * f_ripple), ripple_lp_breath_mult * f_breath);
    fc = fmin(fmax(fc, b->cfg.ripple_lowpass_hz), b->cfg.lowpass_hz);
    bel_biquad lp_ripple;
    if (fabs(fc - b->ripple_lp_hz) > 0.05 * b->ripple_lp_hz &&
        bel_biquad_init_lowpass(&lp_ripple, b->cfg.fs_hz, fc) == BEL_OK) {
        b->ripple_lp_hz = fc;
        bel_biquad_reset(&lp_ripple, b->y_slow);
        bel_biquad2_set_lane(&b->lp, 1, &lp_ripple);
    }
}

/* After each turning point: choose the detection filter by how much more the
 * fast signal wiggles than the slow one (with hysteresis), and carry the
 * state over to the other filter's signal if it changes. The slow filter is
 * also let go when the fast signal has made no extra reversals for
 * CALM_PHASES phases in a row and no recent pause held a beat as big as the
 * confirmation need (beat_hi): otherwise, once on (startup wiggles, one hump),
 * it stayed on for good and every turn came 0.3-0.4 s later. Counted in
 * phases, not as an average of the extra reversals: an average forgets a
 * burst of them (the warm-up's, before any depth is known) only as slowly as
 * it is large, five of them keeping the filter on for 70 phases. Where no
 * pause lasts a whole beat period (no pause at all, or short ones at 20/min),
 * measure_beat never measures a beat: then the beat is the ripple estimate's,
 * 2 ripple_amp peak-to-peak where a period was found in the band, and none
 * where none was (the band's size alone is no beat: a breath with pauses
 * fills it with its own harmonics). Waiting for a beat_hi that never came
 * kept the filter on for good (clean waves at 25 Hz: every turn 0.4 s later). */
static void choose_filter(bel_breath *b)
{
    tune_ripple_lowpass(b);
    b->wig_fast_ema = 0.8 * b->wig_fast_ema + 0.2 * (double)b->wig_fast.count;
    b->wig_slow_ema = 0.8 * b->wig_slow_ema + 0.2 * (double)b->wig_slow.count;
    b->calm_n = b->wig_fast.count > b->wig_slow.count ? 0 : b->calm_n + 1;
    b->wig_fast.count = b->wig_slow.count = 0;
    const double ratio = b->wig_fast_ema / fmax(b->wig_slow_ema, 0.5);
    const double beat =
        b->beat_hi >= 0.0 ? b->beat_hi : (b->ripple_n > 0 ? 2.0 * b->ripple_amp : 0.0);
    bool want = b->ripple_mode;
    if (ratio > b->cfg.ripple_on) {
        want = true;
    } else if (ratio < b->cfg.ripple_off ||
               (b->calm_n >= CALM_PHASES && beat < (double)b->cfg.confirm_frac * b->ref_depth)) {
        want = false;
    }
    if (want != b->ripple_mode) {
        b->ripple_mode = want;
        b->filter_n = b->n;
        const double y = want ? b->y_slow : b->y_fast;
        const double s = b->st == ST_RISING ? 1.0 : -1.0;
        b->ref_val = y - s * (double)b->cfg.confirm_frac * b->ref_depth;
        b->ext_val = y;
        b->y = y;
    }
}

/* Start again from this sample, forgetting the signal, its scale and its
 * noise: after a discontinuity nothing learnt before it describes what
 * follows (a belt re-tightened has another offset and gain). The typical
 * phase duration, a property of the person, is kept. */
static void restart(bel_breath *b)
{
    bel_breath_reset(b);
    b->is_fresh = false;
    b->n_depths = 0;
    b->depth_head = 0;
    b->is_faded = false;
    b->ref_depth = 0.0;
    b->noise_abs = 0.0;
    b->noise_sig = 0.0;
    b->x_min = INFINITY;
    b->x_max = -INFINITY;
    b->n_restarts++;
}

/* A discontinuity: over a quarter of a second the input moved far more than
 * breathing moves it (30 times its mean movement, twice the breath depth, 16
 * noise sigmas), or it left a flat run (leading zeros, a rail) for the first
 * time. Breathing never does that; a belt put on, re-tightened or knocked does. */
/* When the detection signal last came within 10 % of the depth of the current
 * extreme (side s) before reaching it, not before the last turning point. */
static double band_entry(const bel_breath *b, double s, double depth)
{
    const int64_t oldest = oldest_k(b);
    const int64_t stop = b->ref_n > oldest ? b->ref_n : oldest;
    const double edge = s * b->ext_val - 0.1 * depth;
    int64_t k = b->ext_n;
    while (k > stop && s * (double)b->hist_y[(k - 1) & (b->cap - 1)] >= edge) {
        k--;
    }
    return ht(b, k);
}

/* The first quarter second after a (re)start holds a step (a belt powering
 * up reaches its level in a few samples): one move from a sample to the next
 * over 20 times the mean of the others and 4 times the next largest (the
 * scales learnt so far would include it). */
static bool settling_step(const bel_breath *b, int64_t jw)
{
    double sum = 0.0, big = 0.0, next = 0.0;
    for (int64_t k = b->n - jw + 1; k < b->n; k++) {
        const double d = fabs(hx(b, k) - hx(b, k - 1));
        sum += d;
        if (d > big) {
            next = big;
            big = d;
        } else if (d > next) {
            next = d;
        }
    }
    const double others = (sum - big) / (double)(jw - 2);
    return big > 20.0 * others && big > 4.0 * next;
}

/* Or the step is an edge over several samples (a front end's time constant at
 * 100 Hz and more, spread further by the despiking median), or caught part of
 * the way up by the first sample at any rate: the first half of the quarter
 * second stands far from where the second half stays, further than 8 times
 * the second half's range (breathing and noise move a sample as far from a
 * range as the range is wide, a decaying edge much further), and than two
 * learnt depths (after a gap, breathing resumed mid-breath). */
static bool settling_edge(const bel_breath *b, int64_t jw)
{
    const int64_t k0 = b->n - jw, mid = k0 + jw / 2;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (int64_t k = mid; k < b->n; k++) {
        lo = fmin(lo, hx(b, k));
        hi = fmax(hi, hx(b, k));
    }
    double far = 0.0;
    for (int64_t k = k0; k < mid; k++) {
        far = fmax(far, fmax(lo - hx(b, k), hx(b, k) - hi));
    }
    const double depth = b->n_depths > 0 ? b->depth_median : 0.0;
    return far > 8.0 * (hi - lo) && far > 2.0 * depth;
}

static bool is_jump(const bel_breath *b, float x)
{
    const int64_t jw = b->jump_w;
    /* Judged against the moves learnt since the (re)start, at least one (at
     * 5 Hz jw is one sample: at n = 1 none was, and every sample was a jump,
     * a restart each sample). */
    if (b->n < jw || b->n < 2) {
        return false;
    }
    if (b->n == jw && b->is_fresh && ((jw >= 8 && settling_step(b, jw)) || settling_edge(b, jw))) {
        return true;
    }
    const double dx = fabs((double)x - hx(b, b->n - jw));
    /* The learnt depth before any decay: breathing that starts again after
     * a hold is no discontinuity. */
    const double depth = b->n_depths > 0 ? b->depth_median : 0.0;
    const double thr =
        max_d(max_d(30.0 * b->absd * (double)jw, 16.0 * noise_sigma(b)), 2.0 * depth);
    return dx > thr;
}

/* The detection signal y (its history hy) advanced by its filter's delay_s:
 * y + tau dy/dt, with dy/dt over the last lead_w samples. The difference's
 * slope is the slope half its span ago, so tau is delay_s and half the span.
 * NAN where the span's times do not go forward. */
static double advanced(const bel_breath *b, double y, const float *hy, double delay_s, double t_s)
{
    const int64_t k = b->n - 1 - b->lead_w;
    const double dt = t_s - ht(b, k);
    if (!(dt > 0.0)) {
        return (double)NAN;
    }
    return y + (delay_s + 0.5 * dt) * (y - (double)hy[k & (b->cap - 1)]) / dt;
}

/* The largest gain, in the band of the heart beat, of a second-order
 * Butterworth low-pass at fc_hz advanced by its delay (y + tau dy/dt). The
 * low-pass passes |H|^2 = 1 / (1 + u^4) and the advance |1 + j 2 pi f tau|^2 =
 * 1 + 2 u^2 (u = f / fc); their product is largest at u^2 = (sqrt 5 - 1) / 2
 * (u_peak below), a gain of 1.27, and falls on either side (1.0 at u = 1.4,
 * the band's edge at the configured 0.5 Hz). */
static double advanced_beat_gain(double fc_hz)
{
    static const double u_peak = 0.7861513777574233; /* sqrt((sqrt 5 - 1) / 2) */
    const double u = fmax(beat_band_hz / fc_hz, u_peak);
    return sqrt((1.0 + 2.0 * u * u) / (1.0 + u * u * u * u));
}

/* Whether a turn has reversed by need_rev on the input as it is now rather
 * than 0.125 s ago, the low-pass's delay. Two looks: the input averaged over
 * the last lead_mean_s (a quarter of the delay), which must go beyond need_rev
 * by lead_mean_sigmas of that average's own noise (sigma / sqrt of its
 * length); or the detection signal advanced by its delay (advanced). Only
 * once y itself has reversed by lead_frac of the depth (a wiggle at the top is
 * no turn). An exhalation leaves the top at once; an inhalation starts from an
 * end-expiratory pause, whose noise the advance would take for its start:
 * there the advanced reversal goes lead_noise_mult noise sigmas further.
 * With a ripple that matters, neither look on the fast signal: an average
 * this short keeps the beat, and its slope would be advanced as well. In the
 * strong-ripple mode, the slow signal advanced by its own delay (0.45 s at
 * 0.5 Hz, against the fast one's 0.125 s). The advance brings back some of the
 * beat the slow filter took out, at up to advanced_beat_gain of its size, so
 * its reversal counts beyond the beat's peak-to-peak through it. */
static bool is_reversed_ahead(const bel_breath *b, double rev, double need_rev, double depth,
                              double t_s)
{
    if (rev < lead_frac * depth || b->n <= b->lead_w) {
        return false;
    }
    const double s = b->st == ST_RISING ? 1.0 : -1.0;
    const double noise = noise_sigma(b);
    const double pause = s > 0.0 ? 0.0 : lead_noise_mult * noise;
    if (b->ripple_mode) {
        /* Not across the change of filter: y's history before it is the other's. */
        if (b->n - 1 - b->lead_w < b->filter_n) {
            return false;
        }
        const double fc = b->ripple_lp_hz;
        const double ya = advanced(b, b->y, b->hist_y, bel_lowpass2_delay_s(fc), t_s);
        return s * (b->ext_val - ya) >=
               need_rev + 2.0 * advanced_beat_gain(fc) * b->wiggle_amp + pause;
    }
    if (b->ripple_n > 0 && ripple_matters(b, b->ripple_amp)) {
        return false;
    }
    /* Both looks on the input as it reads now where the caller gives it. */
    const bool now = b->has_now;
    const double *cs = now ? b->hist_cs_now : b->hist_cs;
    const float *hy = now ? b->hist_y_now : b->hist_y;
    const double y = now ? b->y_now : b->y;
    const double more = now ? now_sigmas * noise : 0.0;
    if (b->n > b->lead_m) {
        const int64_t mask = b->cap - 1;
        const double m = (double)b->lead_m;
        const double mean = (cs[(b->n - 1) & mask] - cs[(b->n - 1 - b->lead_m) & mask]) / m;
        if (s * (b->ext_val - mean) >= need_rev + (lead_mean_sigmas * noise + more) / sqrt(m)) {
            return true;
        }
    }
    return s * (b->ext_val - advanced(b, y, hy, b->lp_delay_s, t_s)) >= need_rev + pause + more;
}

static void bucket_init(struct bucket *k, double y, int64_t n)
{
    k->lo = k->hi = y;
    k->lo_n = k->hi_n = n;
}

static void bucket_push(struct bucket *k, double y, int64_t n)
{
    if (y > k->hi) {
        k->hi = y;
        k->hi_n = n;
    }
    if (y < k->lo) {
        k->lo = y;
        k->lo_n = n;
    }
}

/* No breathing in the newer bucket: it moved no more than the beat and the
 * noise riding on the detection signal move it (its range within bucket_still
 * times the RMS of the band above 0.7 Hz over it; a sine's range is 2.8 of its
 * RMS, noise's over a few seconds about 6). */
static const double bucket_still = 10.0;

static bool is_bucket_still(const bel_breath *b)
{
    double ss = 0.0;
    const int64_t k0 = b->bk_n0 > oldest_k(b) ? b->bk_n0 : oldest_k(b);
    for (int64_t k = k0; k < b->n - 1; k++) {
        const double v = (double)b->hist_band[k & (b->cap - 1)];
        ss += v * v;
    }
    const double rms = b->n - 1 > k0 ? sqrt(ss / (double)(b->n - 1 - k0)) : 0.0;
    return b->bk_new.hi - b->bk_new.lo <= bucket_still * rms;
}

/* The start-up window moves on: the older bucket is dropped and the newer one
 * takes its place. Not when the newer one holds no breathing (a pacer's hold
 * after the first breath in, a long pause): the movement before it is the only
 * scale there is yet, and the hold's beat would pass for breaths on its own
 * range. Once only in a row (the window spans 15 s at most): a settling level
 * still leaves it. */
static void bucket_roll(bel_breath *b)
{
    if (!b->is_kept && is_bucket_still(b)) {
        const struct bucket nb = b->bk_new;
        if (nb.hi > b->bk_old.hi) {
            b->bk_old.hi = nb.hi;
            b->bk_old.hi_n = nb.hi_n;
        }
        if (nb.lo < b->bk_old.lo) {
            b->bk_old.lo = nb.lo;
            b->bk_old.lo_n = nb.lo_n;
        }
        b->is_kept = true;
        return;
    }
    b->bk_old = b->bk_new;
    b->is_kept = false;
}

/* The UNKNOWN state's sample (bel_breath_process): the range over the last 5 to 10 s,
 * and a first turning point once the signal left it by enough. */
__attribute__((noinline)) static int unknown_step(bel_breath *b, double t_s, double y, int64_t n,
                                                  double floor_noise, double depth,
                                                  bel_breath_point *pt)
{
    /* The range over the last 5 to 10 s, not since the start: a settling
     * level or a step leaves it within seconds. */
    if (t_s - b->bk_t0 >= 5.0) {
        bucket_roll(b);
        bucket_init(&b->bk_new, y, n);
        b->bk_t0 = t_s;
        b->bk_n0 = n;
    }
    bucket_push(&b->bk_new, y, n);
    const struct bucket *lo = b->bk_old.lo <= b->bk_new.lo ? &b->bk_old : &b->bk_new;
    const struct bucket *hi = b->bk_old.hi >= b->bk_new.hi ? &b->bk_old : &b->bk_new;
    b->min_y = lo->lo;
    b->min_n = lo->lo_n;
    b->max_y = hi->hi;
    b->max_n = hi->hi_n;
    const double range = b->max_y - b->min_y;
    const double need = depth > 0.0 ? fmin(range, depth) : range;
    /* Nothing is a breath before the noise is known (warm-up) or while
     * the whole movement so far could be noise. */
    if (t_s - b->t_start < warmup_s || range <= 2.0 * floor_noise || range <= 0.0) {
        return 0;
    }
    if (b->max_n > b->min_n && b->max_y - y >= 0.3 * need && b->max_y - y > floor_noise) {
        b->ext_val = b->max_y;
        b->ext_n = b->max_n;
        b->ref_val = b->min_y;
        return confirm(b, true, t_s, pt);
    }
    if (b->min_n > b->max_n && y - b->min_y >= 0.3 * need && y - b->min_y > floor_noise) {
        b->ext_val = b->min_y;
        b->ext_n = b->min_n;
        b->ref_val = b->max_y;
        return confirm(b, false, t_s, pt);
    }
    return 0;
}

/* A sample whose reversal, excursion and phase are all large enough
 * (bel_breath_process): whether it confirms the turn. */
__attribute__((noinline)) static int try_confirm(bel_breath *b, double t_s, double rev,
                                                 double need_rev, double depth,
                                                 bel_breath_point *pt)
{
    const bool rising = b->st == ST_RISING;
    const double s = rising ? 1.0 : -1.0;
    bool is_ahead = is_reversed_ahead(b, rev, need_rev, depth, t_s);
    if (!(rev >= need_rev || is_ahead)) {
        return 0;
    }
    if (isnan(b->band_t_in)) {
        b->band_t_in = band_entry(b, s, depth);
    }
    /* The same from the start of the stay when this person holds at this
     * turn (a pacer's hold): early in a hold there is no stay to judge yet. */
    const double stay_s = fmin(t_s, b->band_t_out) - b->band_t_in;
    double *stay_ema = &b->stay_ema_s[rising ? 1 : 0];
    if (stay_s >= 2.5 || *stay_ema >= 2.5) {
        need_rev *= 2.0;
        is_ahead = false;
    }
    if (rev >= need_rev || is_ahead) {
        *stay_ema = *stay_ema > 0.0 ? 0.7 * *stay_ema + 0.3 * stay_s : stay_s;
        return confirm(b, rising, t_s, pt);
    }
    return 0;
}

/* The phase in progress starts again at sample n: the turn before it was not
 * where it began (breath_step). */
static void start_phase_here(bel_breath *b, int64_t n, double t_s, double y)
{
    b->ref_n = n;
    b->ref_t = t_s;
    b->ext_val = y;
    b->ext_n = n;
}

/* The reversal that confirms a turn at this depth. A reversal no larger than
 * the peak-to-peak of the beat riding on the fast signal could be the beat
 * alone (in an end-expiratory pause it is all that moves): the slow signal,
 * which the beat hardly reaches, needs no more. The band's wiggle_amp also
 * holds the breath's harmonics and other motion; beat_pp, the beat alone
 * measured in pauses, is the margin where larger. */
static inline double need_reversal(const bel_breath *b, double depth)
{
    const double need_rev = (double)b->cfg.confirm_frac * depth;
    if (b->ripple_mode) {
        return need_rev;
    }
    return max_d(need_rev, max_d(2.0 * b->wiggle_amp, b->beat_pp));
}

/* Breathing under the scale: since the phase began, the detection signal has
 * turned three times or more, by twice what confirms a turn (need_rev) each
 * time, every two of its swings a breath cycle long (BEL_RELAXED_CYCLE_MIN_S
 * or more: no heart beat), and no swing reached the excursion a turn needs: a
 * few deep breaths, then breaths of a third or a fifth of them. The depth was
 * learnt on the deep ones, the reference decays only after a long quiet, and
 * the median of the depths brings it back when a breath ends the quiet: 2-7
 * breaths were lost. Now the depths fade to the mean of the last two swings,
 * and the phase starts again where the last one that leads into it began, so
 * the next sample (or the next turn) is confirmed as usual. The
 * turns are read on from where the last look stopped (on the rare samples,
 * while no turn came for a while). */
static void rescale_under(bel_breath *b, double need_rev, double floor_noise, double depth)
{
    struct under_scan *u = &b->under;
    const int64_t m = b->cap - 1;
    const double h = max_d(2.0 * need_rev, 2.0 * floor_noise);
    if (u->ref_n != b->ref_n || h < 0.8 * u->h || u->k < oldest_k(b)) {
        /* A new phase, or a scale decayed since: read it from its start. */
        const int64_t k0 = max_i64(b->ref_n, oldest_k(b));
        u->ref_n = b->ref_n;
        u->h = h;
        u->d = b->st == ST_RISING ? 1.0 : -1.0;
        u->e = (double)b->hist_y[k0 & m];
        u->k_e = k0;
        u->k = k0 + 1;
        u->n_t = 0;
    }
    for (int64_t k = u->k; k < b->n; k++) {
        const double v = (double)b->hist_y[k & m];
        if (u->d * (v - u->e) > 0.0) {
            u->e = v;
            u->k_e = k;
        } else if (u->d * (u->e - v) >= u->h) {
            u->kt[0] = u->kt[1];
            u->vt[0] = u->vt[1];
            u->kt[1] = u->kt[2];
            u->vt[1] = u->vt[2];
            u->kt[2] = u->k_e;
            u->vt[2] = u->e;
            u->n_t++;
            u->d = -u->d;
            u->e = v;
            u->k_e = k;
        }
    }
    u->k = b->n;
    /* The first turn ends the phase's own leg, no swing of the new scale. */
    if (u->n_t < 3) {
        return;
    }
    const double a = fabs(u->vt[1] - u->vt[0]), c = fabs(u->vt[2] - u->vt[1]);
    const double ex = (double)b->cfg.excursion_frac * depth;
    if (a >= ex || c >= ex || ht(b, u->kt[2]) - ht(b, u->kt[0]) < BEL_RELAXED_CYCLE_MIN_S) {
        return;
    }
    fade_depths(b, 0.5 * (a + c));
    /* The last turn of the phase's own kind (a trough while falling), the
     * signal since gone the other way by h: the phase starts at the turn
     * before it, its extreme there. Else it starts at the last turn, its
     * extreme where the signal went since. */
    const double s = b->st == ST_RISING ? 1.0 : -1.0;
    const bool own_last = s * (u->vt[2] - u->vt[1]) > 0.0;
    const int i0 = own_last ? 1 : 2;
    start_phase_here(b, u->kt[i0], ht(b, u->kt[i0]), u->vt[i0]);
    b->ref_val = u->vt[i0];
    b->ext_val = own_last ? u->vt[2] : u->e;
    b->ext_n = own_last ? u->kt[2] : u->k_e;
}

/* One sample (bel_breath_process). With edge false, the caller has seen that
 * none of the rare parts at its head applies: not within the first jump_w + 1
 * samples since a reset, no jump, no pending ripple estimate about to lose its
 * history, no ripple estimate due. What the sample may call then comes last
 * (unknown_step, try_confirm), and the common sample saves no registers. */
static inline __attribute__((always_inline)) int breath_step(bel_breath *b, double t_s, float x,
                                                             float x_now, bel_breath_point *pt,
                                                             bool edge, bool now)
{
    if (edge && is_jump(b, x)) {
        restart(b);
    }
    /* The pending ripple estimate's history is about to be overwritten. */
    if (edge && b->ripple_at >= 0 && b->n - b->ripple_oldest >= b->cap) {
        ripple_resolve(b, true);
    }
    /* History and noise. */
    /* fminf and fmaxf without the calls (a NaN x leaves both, as they do). */
    const int64_t n = b->n;
    const int64_t at = n & (b->cap - 1);
    b->x_min = x < b->x_min ? x : b->x_min;
    b->x_max = x > b->x_max ? x : b->x_max;
    b->hist_x[at] = x;
    b->hist_cs[at] = (!edge || n > 0 ? b->hist_cs[(n - 1) & (b->cap - 1)] : 0.0) + (double)x;
    b->hist_t[at] = t_s;
    if (edge && n == 0) {
        bel_biquad2_reset(&b->lp, 0, (double)x);
        bel_biquad2_reset(&b->lp, 1, (double)x);
        b->wig_fast.ext = b->wig_slow.ext = (double)x;
        b->wig_fast.dir = b->wig_slow.dir = 1;
        b->x1 = b->x2 = x;
        b->min_y = b->max_y = (double)x;
        b->min_n = b->max_n = 0;
        bucket_init(&b->bk_old, (double)x, 0);
        bucket_init(&b->bk_new, (double)x, 0);
        b->bk_t0 = t_s;
        b->bk_n0 = 0;
        b->is_kept = false;
        b->last_confirm_t = t_s;
        b->t_start = t_s;
        b->y_first = (double)x;
    }
    /* Mean movement per sample: a plain mean over the first 3 s, then an
     * EMA over about 3 s. */
    {
        const double d1 = fabs((double)x - (double)b->x1);
        b->absd += (d1 - b->absd) * (n < b->absd_ema_n ? 1.0 / (double)(n + 1) : b->absd_alpha);
    }
    const double d2 = fabs((double)x - 2.0 * (double)b->x1 + (double)b->x2);
    /* Plain mean over the first 5 s (an EMA started from one value can sit far
     * below the truth for seconds), then the EMA. Skips the first two samples,
     * whose second difference is not defined. */
    /* Samples missing just before (a gap in time) make a second difference
     * that is no noise: leave the two that span it out. */
    if ((!edge || n > 0) && t_s - ht(b, n - 1) > b->gap_dt_s) {
        b->gap_skip = 2;
    }
    if (b->gap_skip > 0) {
        b->gap_skip--;
    } else if (b->n_total >= 2) {
        if (b->n_total < b->noise_ema_n) {
            b->noise_abs += (d2 - b->noise_abs) / (double)(b->n_total - 1);
        } else {
            b->noise_abs += b->noise_alpha * (d2 - b->noise_abs);
        }
        b->noise_sig = b->noise_abs / (2.449489742783178 * 0.7978845608028654);
    }
    b->n_total++;
    b->x2 = b->x1;
    b->x1 = x;
    b->y_fast = bel_biquad2_process(&b->lp, (double)x, (double)x, &b->y_slow);
    double xn = (double)x;
    if (now) {
        /* The input now, no farther from x than the signal moves in the
         * delay between them (its mean movement a sample, four times over,
         * for each sample of it and one more) and four noise sigmas: a spike
         * or a step there moves it no more than breathing could. */
        const double lim = b->now_move * b->absd + 4.0 * b->noise_sig;
        const double d = (double)x_now - xn;
        xn += d > lim ? lim : (d < -lim ? -lim : d);
    }
    if (edge && n == 0) {
        bel_biquad2_reset(&b->band_now, 0, 0.0);
        bel_biquad2_reset(&b->band_now, 1, xn);
        bel_biquad_reset(&b->band_hp2, 0.0);
    }
    /* The band of the heart beat (0.7 Hz up, the 1.8 Hz low-pass's slope
     * above): breathing, even at its harmonics, stays far below it. Its first
     * high-pass side by side with the detection low-pass of the input now. */
    double y_now;
    const double band = bel_biquad_process(
        &b->band_hp2, bel_biquad2_process(
                          &b->band_now, edge && n == 0 ? 0.0 : b->y_fast - b->y_first, xn, &y_now));
    b->hist_band[at] = (float)band;
    if (now) {
        b->y_now = y_now;
        b->hist_y_now[at] = (float)y_now;
        b->hist_cs_now[at] = (!edge || n > 0 ? b->hist_cs_now[(n - 1) & (b->cap - 1)] : 0.0) + xn;
    }
    if (edge && n == 0) {
        b->next_ripple_t = t_s + 1.0;
    } else if (edge && t_s >= b->next_ripple_t) {
        ripple_ask(b);
        b->next_ripple_t = t_s + 1.0;
    }
    const double noise = noise_sigma(b);
    const double hyst = max_d((double)b->cfg.wiggle_frac * b->ref_depth, 3.0 * noise);
    count_wiggles(&b->wig_fast, b->y_fast, hyst);
    count_wiggles(&b->wig_slow, b->y_slow, hyst);
    const double y = b->ripple_mode ? b->y_slow : b->y_fast;
    b->y = y;
    b->hist_y[at] = (float)y;
    b->n = n + 1;

    /* Decay the reference depth while nothing is confirmed for long, */
    const double quiet_s = t_s - b->last_confirm_t;
    const double patience = max_d(2.5 * b->half_cycle_s, 3.0);
    if (quiet_s > patience && b->ref_depth > 0.0 && !b->is_still) {
        b->ref_depth *= b->depth_decay;
        /* and the beat's margin with it: a margin learnt on a large band (a
         * step, a burst) must not keep every reversal from confirming. */
        b->wiggle_amp *= b->depth_decay;
        b->beat_pp *= b->depth_decay;
        b->beat_hi *= b->depth_decay;
    }
    const double floor_noise = (double)b->cfg.noise_mult * noise;
    const double depth = b->ref_depth;

    if (b->st == ST_UNKNOWN) {
        return unknown_step(b, t_s, y, n, floor_noise, depth, pt);
    }

    const double s = b->st == ST_RISING ? 1.0 : -1.0;
    if (s * y > s * b->ext_val) {
        b->ext_val = y;
        b->ext_n = n;
    }
    if (s * y < s * b->ref_val) {
        /* The previous turning point was not the extreme one. Far beyond it
         * (a turn confirmed early on noise, a recording that starts
         * mid-breath), the phase starts again here: its extreme so far was
         * before the real turn, and a phase that short blocks every turn. */
        if (s * (b->ref_val - y) > (double)b->cfg.excursion_frac * depth) {
            start_phase_here(b, n, t_s, y);
        }
        b->ref_val = y;
    } else if (edge && quiet_s > max_d(b->half_cycle_s, BEL_RELAXED_CYCLE_MIN_S) &&
               ht(b, b->ext_n) - b->ref_t < b->cfg.min_phase_s) {
        /* A phase still that short a usual phase after its turn (the half-cycle,
         * at least BEL_RELAXED_CYCLE_MIN_S) is stuck: noise alone takes its extreme
         * further by then, unless the signal went the other way at once and
         * stayed there (a belt pulled tighter, or slackened, over a few samples
         * just as the turn was confirmed). ref_val followed it sample by sample,
         * never far from it, and no turn came for the rest of the session.
         * Looked at on the rare samples (edge: at least one a second), off the
         * common path. */
        start_phase_here(b, n, t_s, y);
    } else if (edge && quiet_s > max_d(1.5 * b->half_cycle_s, BEL_RELAXED_CYCLE_MIN_S) &&
               depth > 0.0 && !b->is_still) {
        /* No turn for longer than usual: breaths on a smaller scale? Looked
         * at on the rare samples too. */
        rescale_under(b, need_reversal(b, depth), floor_noise, depth);
    }
    const double exc = s * (b->ext_val - b->ref_val);
    const double rev_x = s * (b->ext_val - y);
    /* Reversed as the input reads now, less its extra noise, if further. */
    double rev = rev_x;
    if (now && !b->ripple_mode) {
        rev = max_d(rev, s * (b->ext_val - b->y_now) - now_sigmas * noise);
    }
    const double phase_s = ht(b, b->ext_n) - b->ref_t;
    /* Held at the turn (within 10 % of the extreme for 2.5 s or more, until the
     * reversal left that band: a breath held, a long pause), ripple and noise can
     * look like the start of the next movement: then only twice the usual reversal
     * confirms it. Judged on the whole stay in the band, also after a jump of
     * ripple out of it (a slow rise is no stay: the extreme moves with it). */
    if (b->ext_n != b->band_ext_n) {
        b->band_ext_n = b->ext_n;
        b->band_t_in = (double)NAN;
        b->band_t_out = HUGE_VAL;
    }
    if (rev_x > 0.1 * depth && b->band_t_out == HUGE_VAL) {
        b->band_t_out = t_s;
    }
    const double need_rev = need_reversal(b, depth);
    /* Reversed by need_rev, or by less but ahead of the low-pass's delay
     * (is_reversed_ahead, asked in try_confirm). */
    if (exc >= (double)b->cfg.excursion_frac * depth && exc > 2.0 * floor_noise &&
        rev > floor_noise && phase_s >= b->cfg.min_phase_s) {
        return try_confirm(b, t_s, rev, need_rev, depth, pt);
    }
    return 0;
}

/* A sample that may need the rare parts at the head of breath_step. */
__attribute__((noinline)) static int process_edge(bel_breath *b, double t_s, float x, float x_now,
                                                  bel_breath_point *pt)
{
    return breath_step(b, t_s, x, x_now, pt, true, b->has_now);
}

static inline __attribute__((always_inline)) int
process(bel_breath *b, double t_s, float x, float x_now, bel_breath_point *pt, bool now)
{
    /* Almost every sample: is_jump's own test past its first samples (no
     * jump), no pending estimate's history about to go, no estimate due. */
    const int64_t jw = b->jump_w;
    if (b->n > jw && !(b->ripple_at >= 0 && b->n - b->ripple_oldest >= b->cap) &&
        !(t_s >= b->next_ripple_t)) {
        const double dx = fabs((double)x - hx(b, b->n - jw));
        const double depth = b->n_depths > 0 ? b->depth_median : 0.0;
        const double thr =
            max_d(max_d(30.0 * b->absd * (double)jw, 16.0 * noise_sigma(b)), 2.0 * depth);
        if (!(dx > thr)) {
            return breath_step(b, t_s, x, x_now, pt, false, now);
        }
    }
    return process_edge(b, t_s, x, x_now, pt);
}

int bel_breath_process(bel_breath *b, double t_s, float x, bel_breath_point *pt)
{
    b->has_now = false;
    return process(b, t_s, x, x, pt, false);
}

int bel_breath_process_now(bel_breath *b, double t_s, float x, float x_now, bel_breath_point *pt)
{
    /* From a reset on: a stage that took x alone has no history of x_now. */
    if (b->n == 0) {
        b->has_now = true;
    }
    if (!b->has_now) {
        return process(b, t_s, x, x, pt, false);
    }
    return process(b, t_s, x, x_now == x_now ? x_now : x, pt, true);
}

float bel_breath_get_smoothed(const bel_breath *b) { return (float)b->y; }

float bel_breath_get_reference_depth(const bel_breath *b) { return (float)b->ref_depth; }

float bel_breath_get_noise(const bel_breath *b) { return (float)noise_sigma(b); }

bool bel_breath_is_inhaling(const bel_breath *b) { return b->st == ST_RISING; }

uint32_t bel_breath_get_restarts(const bel_breath *b) { return b->n_restarts; }

uint32_t bel_breath_get_beats_found(const bel_breath *b) { return b->n_beats_found; }

void bel_breath_set_still(bel_breath *b, bool still) { b->is_still = still; }

void bel_breath_set_one_belt(bel_breath *b, bool one) { b->cfg.is_one_belt = one; }

void bel_breath_forget_scale(bel_breath *b, double frac)
{
    if (b->n_depths < N_DEPTHS || !(frac > 0.0 && frac < 1.0)) {
        return; /* no scale learnt yet */
    }
    if (!b->is_faded) {
        keep_depths(b);
    }
    for (int i = 0; i < N_DEPTHS; i++) {
        b->depths[i] *= (float)frac;
    }
    b->depth_median = median_depth(b->depths, b->n_depths);
    b->ref_depth = fmin(b->ref_depth, b->depth_median);
    b->is_skip_depth = true;
}

/* A lowest and a highest value with where they were, for the negated signal. */
static void negate_range(double *lo, int64_t *lo_n, double *hi, int64_t *hi_n)
{
    const double l = *lo;
    const int64_t l_n = *lo_n;
    *lo = -*hi;
    *lo_n = *hi_n;
    *hi = -l;
    *hi_n = l_n;
}

void bel_breath_negate(bel_breath *b)
{
    const int64_t oldest = b->n > b->cap ? b->n - b->cap : 0;
    for (int64_t k = oldest; k < b->n; k++) {
        const int64_t i = k & (b->cap - 1);
        b->hist_x[i] = -b->hist_x[i];
        b->hist_cs[i] = -b->hist_cs[i];
        b->hist_y[i] = -b->hist_y[i];
        b->hist_band[i] = -b->hist_band[i];
        b->hist_y_now[i] = -b->hist_y_now[i];
        b->hist_cs_now[i] = -b->hist_cs_now[i];
    }
    bel_biquad2_negate(&b->lp);
    b->y_now = -b->y_now;
    /* The heart-beat band is the fast signal less its first value, high-passed:
     * all linear, so it negates with its input. */
    bel_biquad2_negate(&b->band_now);
    bel_biquad_negate(&b->band_hp2);
    b->y_first = -b->y_first;
    b->y = -b->y;
    b->y_fast = -b->y_fast;
    b->y_slow = -b->y_slow;
    b->x1 = -b->x1;
    b->x2 = -b->x2;
    const float xmin = b->x_min;
    b->x_min = -b->x_max;
    b->x_max = -xmin;
    b->wig_fast.ext = -b->wig_fast.ext;
    b->wig_fast.dir = -b->wig_fast.dir;
    b->wig_slow.ext = -b->wig_slow.ext;
    b->wig_slow.dir = -b->wig_slow.dir;
    /* The minimum becomes the maximum: a rise becomes a fall. */
    negate_range(&b->min_y, &b->min_n, &b->max_y, &b->max_n);
    negate_range(&b->bk_old.lo, &b->bk_old.lo_n, &b->bk_old.hi, &b->bk_old.hi_n);
    negate_range(&b->bk_new.lo, &b->bk_new.lo_n, &b->bk_new.hi, &b->bk_new.hi_n);
    b->ext_val = -b->ext_val;
    b->ref_val = -b->ref_val;
    const double stay_trough = b->stay_ema_s[0];
    b->stay_ema_s[0] = b->stay_ema_s[1];
    b->stay_ema_s[1] = stay_trough;
    /* The usual rise times were falls' and the falls' rises'. */
    const double rise_s = b->rise_usual_s;
    b->rise_usual_s = b->fall_usual_s;
    b->fall_usual_s = rise_s;
    for (int i = 0; i < N_MOVES; i++) {
        const float fall_s = b->moves[0][i];
        b->moves[0][i] = b->moves[1][i];
        b->moves[1][i] = fall_s;
    }
    const int n_falls = b->n_moves[0], fall_head = b->move_head[0];
    b->n_moves[0] = b->n_moves[1];
    b->move_head[0] = b->move_head[1];
    b->n_moves[1] = n_falls;
    b->move_head[1] = fall_head;
    if (b->st == ST_RISING) {
        b->st = ST_FALLING;
    } else if (b->st == ST_FALLING) {
        b->st = ST_RISING;
    }
    b->under.ref_n = -1; /* its turns are read again, the other way round */
}
