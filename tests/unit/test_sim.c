/* test_sim.c - the simulated belt: determinism, breathing statistics, episodes, script parser.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/sim.h"

enum { MAX_TRUTH = 20000 };

/* One whole simulated run, kept in memory. */
typedef struct run {
    int n;
    int n_ch;
    double fs_hz;
    double *t;
    float *ch[2];
    bel_event *ev;
    int n_ev;
} run;

static void check_near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) {
        fail_msg("%s: got %.4f, want %.4f +/- %.4f", what, got, want, tol);
    }
}

static void check_range(double got, double lo, double hi, const char *what)
{
    if (!(got >= lo && got <= hi)) {
        fail_msg("%s: got %.4f, want %.4f..%.4f", what, got, lo, hi);
    }
}

/* Run cfg (duration_s > 0) to the end, taking truth after every sample and
 * checking that only events already passed by the sample time come out. */
static run simulate(const bel_sim_config *cfg)
{
    run r;
    memset(&r, 0, sizeof r);
    bel_sim *sim = NULL;
    assert_int_equal(bel_sim_create(cfg, &sim), BEL_OK);
    assert_non_null(sim);
    int cap = (int)ceil(cfg->duration_s * cfg->fs_hz) + 1;
    r.fs_hz = cfg->fs_hz;
    r.n_ch = bel_sim_channel_count(sim);
    r.t = calloc((size_t)cap, sizeof *r.t);
    r.ch[0] = calloc((size_t)cap, sizeof(float));
    r.ch[1] = calloc((size_t)cap, sizeof(float));
    r.ev = calloc(MAX_TRUTH, sizeof *r.ev);
    assert_true(r.t && r.ch[0] && r.ch[1] && r.ev);
    bel_sample s;
    int rc;
    while ((rc = bel_sim_next(sim, &s)) == 1) {
        assert_true(r.n < cap);
        r.t[r.n] = s.t_s;
        r.ch[0][r.n] = s.value[0];
        r.ch[1][r.n] = s.value[1];
        r.n++;
        int got = bel_sim_take_truth(sim, r.ev + r.n_ev, MAX_TRUTH - r.n_ev);
        assert_true(got >= 0);
        for (int i = r.n_ev; i < r.n_ev + got; i++) {
            assert_true(r.ev[i].t_s <= s.t_s + 1e-9);
        }
        r.n_ev += got;
    }
    assert_int_equal(rc, 0);
    bel_sim_destroy(sim);
    return r;
}

static void run_free(run *r)
{
    free(r->t);
    free(r->ch[0]);
    free(r->ch[1]);
    free(r->ev);
}

/* A quiet, predictable wearer for measurements. */
static bel_sim_config quiet_config(double duration_s)
{
    bel_sim_config c = bel_sim_config_default();
    c.duration_s = duration_s;
    c.seed = 7;
    c.spikes_per_min = 0.0f;
    c.sigh_per_min = 0.0f;
    return c;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a;
    float y = *(const float *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile p (0..100) of channel ch over [t0, t1). */
static double percentile(const run *r, int ch, double t0, double t1, double p)
{
    float *tmp = malloc((size_t)r->n * sizeof(float));
    assert_non_null(tmp);
    int m = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->t[i] >= t0 && r->t[i] < t1) {
            tmp[m++] = r->ch[ch][i];
        }
    }
    assert_true(m > 0);
    qsort(tmp, (size_t)m, sizeof(float), cmp_float);
    double v = (double)tmp[(int)((m - 1) * p / 100.0 + 0.5)];
    free(tmp);
    return v;
}

static double mean_of(const run *r, int ch, double t0, double t1)
{
    double sum = 0.0;
    int m = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->t[i] >= t0 && r->t[i] < t1) {
            sum += (double)r->ch[ch][i];
            m++;
        }
    }
    assert_true(m > 0);
    return sum / m;
}

static double median(double *x, int n)
{
    assert_true(n > 0);
    qsort(x, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static int count_kind(const run *r, bel_event_kind kind, double t0, double t1)
{
    int n = 0;
    for (int i = 0; i < r->n_ev; i++) {
        if (r->ev[i].kind == kind && r->ev[i].t_s >= t0 && r->ev[i].t_s < t1) {
            n++;
        }
    }
    return n;
}

/* Time of the first event of kind at or after t0, or -1. */
static double first_kind(const run *r, bel_event_kind kind, double t0)
{
    for (int i = 0; i < r->n_ev; i++) {
        if (r->ev[i].kind == kind && r->ev[i].t_s >= t0) {
            return r->ev[i].t_s;
        }
    }
    return -1.0;
}

/* Breaths/min from the truth insp_onsets. */
static double truth_rate_bpm(const run *r)
{
    double first = -1.0;
    double last = -1.0;
    int n = 0;
    for (int i = 0; i < r->n_ev; i++) {
        if (r->ev[i].kind == BEL_EV_INSP_ONSET) {
            if (n == 0) {
                first = r->ev[i].t_s;
            }
            last = r->ev[i].t_s;
            n++;
        }
    }
    assert_true(n >= 3);
    return 60.0 * (n - 1) / (last - first);
}

/* Same truth, field by field (bel_event has padding, so no memcmp). */
static void check_same_truth(const run *a, const run *b)
{
    assert_int_equal(a->n_ev, b->n_ev);
    for (int i = 0; i < a->n_ev; i++) {
        const bel_event *x = &a->ev[i];
        const bel_event *y = &b->ev[i];
        assert_int_equal(x->kind, y->kind);
        assert_memory_equal(&x->t_s, &y->t_s, sizeof x->t_s);
        assert_memory_equal(&x->t_detect_s, &y->t_detect_s, sizeof x->t_detect_s);
        assert_memory_equal(&x->ti_s, &y->ti_s, sizeof x->ti_s);
        assert_memory_equal(&x->te_s, &y->te_s, sizeof x->te_s);
        assert_memory_equal(&x->depth, &y->depth, sizeof x->depth);
    }
}

/* ---------------------------------------------------------------- determinism */

static void test_sim_same_seed_gives_identical_samples(void **state)
{
    (void)state;
    bel_sim_config c = bel_sim_config_default();
    c.duration_s = 300.0;
    c.chest = true;
    c.seed = 1234;
    c.spikes_per_min = 2.0f;
    bel_sim_config_demo_script(&c);
    run a = simulate(&c);
    run b = simulate(&c);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.ch[0], b.ch[0], (size_t)a.n * sizeof(float));
    assert_memory_equal(a.ch[1], b.ch[1], (size_t)a.n * sizeof(float));
    check_same_truth(&a, &b);

    c.seed = 1235;
    run d = simulate(&c);
    int n_diff = 0;
    for (int i = 0; i < a.n; i++) {
        n_diff += a.ch[0][i] != d.ch[0][i];
    }
    if (n_diff < a.n / 2) {
        fail_msg("another seed changed only %d of %d samples", n_diff, a.n);
    }
    run_free(&a);
    run_free(&b);
    run_free(&d);
}

/* ---------------------------------------------------------------- breathing */

static void test_sim_rate_matches_config(void **state)
{
    (void)state;
    static const float rates[] = {6.0f, 14.0f, 25.0f};
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        bel_sim_config c = bel_sim_config_default();    /* with sighs and jitter */
        c.duration_s = 300.0 * 60.0 / (double)rates[k]; /* 300 breaths */
        c.seed = 100 + k;
        c.rate_bpm = rates[k];
        run r = simulate(&c);
        double want = (double)rates[k];
        check_near(truth_rate_bpm(&r), want, 0.05 * want, "mean rate from truth insp_onsets");
        run_free(&r);
    }
}

static void test_sim_slowest_and_fastest_rates_work(void **state)
{
    (void)state;
    static const struct {
        float rate_bpm;
        double fs_hz;
        double duration_s;
        double tol;
    } cases[] = {
        {3.0f, 50.0, 1800.0, 0.08}, {40.0f, 50.0, 300.0, 0.05}, {40.0f, 10.0, 300.0, 0.05}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bel_sim_config c = bel_sim_config_default();
        c.duration_s = cases[k].duration_s;
        c.fs_hz = cases[k].fs_hz;
        c.rate_bpm = cases[k].rate_bpm;
        c.sigh_per_min = 0.0f; /* at 3/min, 0.3 sighs/min would be every 10th breath */
        c.seed = 40 + k;
        run r = simulate(&c);
        double want = (double)cases[k].rate_bpm;
        check_near(truth_rate_bpm(&r), want, cases[k].tol * want, "rate at an extreme");
        /* The breaths really move the belly by about the configured depth. */
        double swing =
            percentile(&r, 0, 0.0, c.duration_s, 97) - percentile(&r, 0, 0.0, c.duration_s, 3);
        check_range(swing, 0.7 * (double)c.depth_counts, 1.6 * (double)c.depth_counts,
                    "belly swing at an extreme rate");
        run_free(&r);
    }
}

static void test_sim_values_are_integer_counts_in_range(void **state)
{
    (void)state;
    static const int bits[] = {8, 10, 12};
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++) {
        bel_sim_config c = bel_sim_config_default();
        c.duration_s = 300.0;
        c.chest = true;
        c.adc_bits = bits[k];
        c.depth_counts = (float)(1 << bits[k]) * 0.12f;
        c.spikes_per_min = 5.0f;
        bel_sim_config_demo_script(&c);
        bel_sim *sim = NULL;
        assert_int_equal(bel_sim_create(&c, &sim), BEL_OK);
        float top = (float)((1 << bits[k]) - 1);
        bel_sample s;
        for (int i = 0; bel_sim_next(sim, &s) == 1; i++) {
            assert_int_equal(s.n_channels, 2);
            assert_int_equal(s.n_missed, 0);
            check_near(s.t_s, i / c.fs_hz, 1e-9, "t_s = index / fs_hz");
            for (int ch = 0; ch < 2; ch++) {
                assert_true(s.value[ch] == floorf(s.value[ch]));
                assert_true(s.value[ch] >= 0.0f && s.value[ch] <= top);
            }
            assert_true(s.value[2] == 0.0f && s.value[3] == 0.0f);
        }
        bel_sim_destroy(sim);
    }
}

static void test_sim_clips_at_the_rails_when_depth_is_huge(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(120.0);
    c.depth_counts = 5000.0f;
    char err[128];
    /* then slump far down: the whole signal lies below the bottom rail */
    assert_int_equal(bel_sim_parse_script("posture@60:-3", &c, err, sizeof err), BEL_OK);
    run r = simulate(&c);
    int n_high = 0;
    int n_before = 0;
    for (int i = 0; i < r.n; i++) {
        float v = r.ch[0][i];
        assert_true(v >= 0.0f && v <= 1023.0f);
        if (r.t[i] < 60.0) {
            n_high += v == 1023.0f;
            n_before++;
        } else if (r.t[i] > 62.0) {
            assert_true(v == 0.0f);
        }
    }
    /* inhalations run into the top rail and stay there for a while */
    check_range((double)n_high / n_before, 0.3, 0.9, "share of samples at the top rail");
    run_free(&r);
}

static void test_sim_truth_alternates_and_is_ordered(void **state)
{
    (void)state;
    bel_sim_config c = bel_sim_config_default();
    c.duration_s = 900.0;
    c.chest = true;
    c.sigh_per_min = 1.0f;
    bel_sim_config_demo_script(&c);
    c.episodes[c.n_episodes++] = (bel_sim_episode){BEL_SIM_TALK, 100.0, 25.0, 0.0f};
    c.episodes[c.n_episodes++] = (bel_sim_episode){BEL_SIM_BREATH_HOLD, 225.0, 10.0, 0.0f};
    run r = simulate(&c);
    int last_onset = -1;
    int n_onsets = 0;
    for (int i = 0; i < r.n_ev; i++) {
        const bel_event *e = &r.ev[i];
        assert_true(e->t_detect_s == e->t_s);
        if (i > 0) {
            assert_true(e->t_s >= r.ev[i - 1].t_s);
        }
        if (e->kind == BEL_EV_INSP_ONSET || e->kind == BEL_EV_EXP_ONSET) {
            if ((int)e->kind == last_onset) {
                fail_msg("two %s in a row at %.3f s", bel_event_kind_name(e->kind), e->t_s);
            }
            last_onset = (int)e->kind;
            n_onsets++;
        }
        if (e->kind == BEL_EV_EXP_ONSET && n_onsets > 1) {
            /* the inhalation just ended, in belly counts */
            assert_true(e->ti_s > 0.2f && e->depth > 0.0f);
        }
    }
    assert_true(n_onsets > 300);
    assert_int_equal(count_kind(&r, BEL_EV_HOLDIN_START, 0, 900), 4);
    assert_int_equal(count_kind(&r, BEL_EV_HOLDIN_END, 0, 900), 4);
    run_free(&r);
}

static void test_sim_sighs_come_at_the_configured_rate(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(1800.0);
    c.sigh_per_min = 1.0f;
    run r = simulate(&c);
    int n_sighs = 0;
    int n_breaths = 0;
    for (int i = 0; i < r.n_ev; i++) {
        if (r.ev[i].kind == BEL_EV_EXP_ONSET && !isnan(r.ev[i].depth)) {
            n_breaths++;
            n_sighs += r.ev[i].depth > 1.8f * c.depth_counts;
        }
    }
    check_range(n_sighs, 15.0, 45.0, "sighs in 30 min at 1/min");
    check_near(truth_rate_bpm(&r), 14.0, 0.7, "rate with sighs");
    assert_true(n_breaths > 350);
    run_free(&r);
}

static void test_sim_noise_has_the_configured_rms(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(300.0);
    c.noise_counts = 4.0f;
    c.cardiac_counts = 0.0f;
    c.creep_counts_per_min = 0.0f;
    run r = simulate(&c);
    /* Second differences remove the slow breathing: var(d2) = 6 var(noise). */
    double sum2 = 0.0;
    for (int i = 1; i + 1 < r.n; i++) {
        double d2 = (double)r.ch[0][i + 1] - 2.0 * (double)r.ch[0][i] + (double)r.ch[0][i - 1];
        sum2 += d2 * d2;
    }
    double rms = sqrt(sum2 / (r.n - 2) / 6.0);
    check_near(rms, 4.0, 0.4, "noise rms from second differences");
    run_free(&r);
}

static void test_sim_spikes_come_at_the_configured_rate(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(600.0);
    c.spikes_per_min = 20.0f;
    c.chest = true;
    run r = simulate(&c);
    int n = 0;
    for (int ch = 0; ch < 2; ch++) {
        for (int i = 1; i + 1 < r.n; i++) {
            /* far from both neighbours, on the same side */
            double a = (double)r.ch[ch][i] - (double)r.ch[ch][i - 1];
            double b = (double)r.ch[ch][i] - (double)r.ch[ch][i + 1];
            n += fabs(a) > 0.8 * (double)c.depth_counts && fabs(b) > 0.8 * (double)c.depth_counts &&
                 a * b > 0.0;
        }
    }
    check_range(n, 150.0, 250.0, "single-sample spikes in 10 min at 20/min");
    run_free(&r);
}

static void test_sim_paced_478_follows_the_pattern(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(600.0);
    c.pace_s[0] = 4.0f;
    c.pace_s[1] = 7.0f;
    c.pace_s[2] = 8.0f;
    run r = simulate(&c);
    double up[64];
    double down[64];
    int n_up = 0;
    int n_down = 0;
    double t_insp = -1.0;
    double t_exp = -1.0;
    for (int i = 0; i < r.n_ev && n_up < 64 && n_down < 64; i++) {
        const bel_event *e = &r.ev[i];
        if (e->kind == BEL_EV_INSP_ONSET) {
            if (t_exp >= 0.0) {
                down[n_down++] = e->t_s - t_exp;
            }
            t_insp = e->t_s;
        } else if (e->kind == BEL_EV_EXP_ONSET && t_insp >= 0.0) {
            up[n_up++] = e->t_s - t_insp;
            t_exp = e->t_s;
            /* The top hold is flat: the belly does not move after the inhale. */
            double swing = percentile(&r, 0, t_insp + 4.8, t_exp - 0.3, 100) -
                           percentile(&r, 0, t_insp + 4.8, t_exp - 0.3, 0);
            check_range(swing, 0.0, 0.15 * (double)c.depth_counts, "belly swing in the hold");
        }
    }
    assert_true(n_up >= 25 && n_down >= 25);
    /* exp_onset comes at the end of the top hold: in + hold = 11 s. */
    check_near(median(up, n_up), 11.0, 0.4, "insp_onset to exp_onset");
    check_near(median(down, n_down), 8.0, 0.4, "exp_onset to next insp_onset");
    check_near(truth_rate_bpm(&r), 60.0 / 19.0, 0.15, "rate of 4-7-8");
    run_free(&r);
}

static void test_sim_paced_box_pauses_at_the_bottom(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(320.0);
    for (int i = 0; i < 4; i++) {
        c.pace_s[i] = 4.0f;
    }
    run r = simulate(&c);
    /* insp_onset is at the end of the bottom hold: the belly was flat just before it. */
    int n_checked = 0;
    double prev_insp = -1.0;
    for (int i = 0; i < r.n_ev; i++) {
        if (r.ev[i].kind != BEL_EV_INSP_ONSET) {
            continue;
        }
        double t = r.ev[i].t_s;
        if (t > 10.0) {
            double lo = percentile(&r, 0, t - 3.0, t, 0);
            double hi = percentile(&r, 0, t - 3.0, t, 100);
            check_range(hi - lo, 0.0, 0.15 * (double)c.depth_counts, "belly swing before insp");
            check_near(t - prev_insp, 16.0, 1.5, "box breath period");
            n_checked++;
        }
        prev_insp = t;
    }
    assert_true(n_checked >= 15);
    run_free(&r);
}

/* ---------------------------------------------------------------- episodes */

static void test_sim_holdin_lowers_belly_and_moves_breathing_to_chest(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        bel_sim_config c = quiet_config(150.0);
        c.seed = seed;
        c.chest = true;
        char err[128];
        assert_int_equal(bel_sim_parse_script("holdin@60+60:1.5", &c, err, sizeof err), BEL_OK);
        run r = simulate(&c);
        double d = (double)c.depth_counts;

        check_near(first_kind(&r, BEL_EV_HOLDIN_START, 0), 60.0, 1e-6, "holdin_start");
        check_near(first_kind(&r, BEL_EV_HOLDIN_END, 0), 120.0, 1e-6, "holdin_end");

        double drop = mean_of(&r, 0, 10, 58) - mean_of(&r, 0, 65, 118);
        check_range(drop, 1.3 * d, 2.1 * d, "belly level drop when held in");
        /* pulled in within 2 s */
        check_range(mean_of(&r, 0, 10, 58) - percentile(&r, 0, 62.0, 64.0, 100), 0.8 * d, 2.5 * d,
                    "belly already down 2 s after the start");
        /* and back after release */
        check_range(fabs(mean_of(&r, 0, 10, 58) - mean_of(&r, 0, 124, 150)), 0.0, 0.35 * d,
                    "belly level back after release");

        double belly_relaxed = percentile(&r, 0, 10, 58, 95) - percentile(&r, 0, 10, 58, 5);
        double belly_held = percentile(&r, 0, 65, 118, 95) - percentile(&r, 0, 65, 118, 5);
        double chest_relaxed = percentile(&r, 1, 10, 58, 95) - percentile(&r, 1, 10, 58, 5);
        double chest_held = percentile(&r, 1, 65, 118, 95) - percentile(&r, 1, 65, 118, 5);
        check_range(belly_held / belly_relaxed, 0.0, 0.55, "belly breathing kept when held in");
        check_range(chest_held / chest_relaxed, 1.4, 6.0, "chest breathing growth when held in");
        /* relaxed: chest moves about a third as much as the belly */
        check_range(chest_relaxed / belly_relaxed, 0.25, 0.5, "chest share when relaxed");
        /* breathing itself goes on */
        check_range(count_kind(&r, BEL_EV_INSP_ONSET, 65, 118), 9.0, 16.0, "breaths while held in");
        run_free(&r);
    }
}

static void test_sim_holdin_on_belly_only(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(120.0);
    c.n_episodes = 1;
    c.episodes[0] = (bel_sim_episode){BEL_SIM_HOLDIN, 40.0, 40.0, 2.5f};
    run r = simulate(&c);
    assert_int_equal(r.n_ch, 1);
    double drop = mean_of(&r, 0, 10, 38) - mean_of(&r, 0, 45, 78);
    check_range(drop, 2.3 * (double)c.depth_counts, 3.1 * (double)c.depth_counts,
                "belly drop for a 2.5-depth hold-in");
    run_free(&r);
}

static void check_breath_hold(double amount)
{
    bel_sim_config c = quiet_config(140.0);
    c.chest = true;
    c.n_episodes = 1;
    c.episodes[0] = (bel_sim_episode){BEL_SIM_BREATH_HOLD, 60.0, 25.0, (float)amount};
    run r = simulate(&c);
    double d = (double)c.depth_counts;
    double start = first_kind(&r, BEL_EV_BREATH_HOLD_START, 0);
    double end = first_kind(&r, BEL_EV_BREATH_HOLD_END, 0);
    check_range(start, 60.0, 68.0, "breath_hold_start soon after the scripted start");
    check_near(end, 85.0, 1e-6, "breath_hold_end at the scripted end");
    assert_int_equal(count_kind(&r, BEL_EV_BREATH_HOLD_START, 0, 140), 1);

    /* nothing breathes inside */
    for (int i = 0; i < r.n_ev; i++) {
        if (r.ev[i].t_s > start && r.ev[i].t_s < end) {
            assert_true(r.ev[i].kind != BEL_EV_INSP_ONSET && r.ev[i].kind != BEL_EV_EXP_ONSET);
        }
    }
    /* and the level barely moves */
    for (int ch = 0; ch < 2; ch++) {
        double swing =
            percentile(&r, ch, start + 0.3, end, 99) - percentile(&r, ch, start + 0.3, end, 1);
        check_range(swing, 0.0, 0.2 * d, "signal swing during a breath hold");
    }
    /* held full (after an inhale) or empty (after an exhale) */
    double hold_level = mean_of(&r, 0, start + 0.3, end);
    double lo = percentile(&r, 0, 10, 58, 5);
    double hi = percentile(&r, 0, 10, 58, 95);
    if (amount >= 0.5) {
        /* a breath taken to hold can be deeper than usual */
        check_range(hold_level, lo + 0.6 * (hi - lo), hi + 1.2 * d, "held after an inhale");
        check_near(first_kind(&r, BEL_EV_EXP_ONSET, end - 1e-9), end, 1e-6, "exhale on release");
    } else {
        check_range(hold_level, lo - 0.3 * d, lo + 0.3 * (hi - lo), "held after an exhale");
        check_near(first_kind(&r, BEL_EV_INSP_ONSET, end - 1e-9), end, 1e-6, "inhale on release");
    }
    /* breathing goes on afterwards */
    check_range(count_kind(&r, BEL_EV_INSP_ONSET, end, 140), 9.0, 20.0, "breaths after the hold");
    run_free(&r);
}

static void test_sim_breath_hold_stops_breathing(void **state)
{
    (void)state;
    check_breath_hold(1.0);
    check_breath_hold(0.0);
}

static void test_sim_posture_steps_level_and_keeps_breathing(void **state)
{
    (void)state;
    bel_sim_config plain = quiet_config(120.0);
    plain.chest = true;
    bel_sim_config moved = plain;
    char err[128];
    assert_int_equal(bel_sim_parse_script("posture@60:2", &moved, err, sizeof err), BEL_OK);
    run a = simulate(&plain);
    run b = simulate(&moved);
    assert_int_equal(a.n, b.n);
    /* Breathing is untouched: the same truth to the bit. */
    check_same_truth(&a, &b);
    double step = 2.0 * (double)plain.depth_counts;
    for (int i = 0; i < a.n; i++) {
        for (int ch = 0; ch < 2; ch++) {
            double diff = (double)b.ch[ch][i] - (double)a.ch[ch][i];
            if (a.t[i] < 60.0) {
                check_near(diff, 0.0, 0.0, "no step before the posture shift");
            } else if (a.t[i] >= 61.3) {
                check_near(diff, step, 1.0, "step of amount x depth after about 1 s");
            } else {
                check_range(diff, -1.0, step + 1.0, "moving during the shift");
            }
        }
    }
    run_free(&a);
    run_free(&b);
}

static void test_sim_talk_has_quick_inhales_and_long_exhales(void **state)
{
    (void)state;
    bel_sim_config c = quiet_config(300.0);
    c.n_episodes = 1;
    c.episodes[0] = (bel_sim_episode){BEL_SIM_TALK, 150.0, 150.0, 0.0f};
    run r = simulate(&c);
    double ratio_relaxed[128];
    double ratio_talk[128];
    int n_relaxed = 0;
    int n_talk = 0;
    for (int i = 0; i < r.n_ev; i++) {
        const bel_event *e = &r.ev[i];
        if (e->kind != BEL_EV_INSP_ONSET || isnan(e->te_s)) {
            continue;
        }
        double ratio = (double)e->te_s / (double)e->ti_s;
        if (e->t_s < 145.0 && n_relaxed < 128) {
            ratio_relaxed[n_relaxed++] = ratio;
        } else if (e->t_s > 160.0 && n_talk < 128) {
            ratio_talk[n_talk++] = ratio;
        }
    }
    assert_true(n_relaxed > 20 && n_talk > 20);
    check_range(median(ratio_relaxed, n_relaxed), 1.4, 2.2, "relaxed Te/Ti");
    check_range(median(ratio_talk, n_talk), 4.0, 15.0, "talking Te/Ti");
    run_free(&r);
}

static void test_sim_demo_script_repeats(void **state)
{
    (void)state;
    bel_sim_config c = bel_sim_config_default();
    c.duration_s = 600.0;
    c.chest = true;
    bel_sim_config_demo_script(&c);
    assert_true(c.n_episodes >= 3);
    assert_true(c.script_period_s >= 120.0 && c.script_period_s <= 600.0);
    run r = simulate(&c);
    double period = c.script_period_s;
    for (int k = 0; k < 2; k++) {
        double t0 = k * period;
        assert_int_equal(count_kind(&r, BEL_EV_HOLDIN_START, t0, t0 + period), 1);
        assert_int_equal(count_kind(&r, BEL_EV_HOLDIN_END, t0, t0 + period), 1);
        assert_int_equal(count_kind(&r, BEL_EV_BREATH_HOLD_START, t0, t0 + period), 1);
        assert_int_equal(count_kind(&r, BEL_EV_BREATH_HOLD_END, t0, t0 + period), 1);
        double hs = first_kind(&r, BEL_EV_HOLDIN_START, t0);
        double he = first_kind(&r, BEL_EV_HOLDIN_END, t0);
        /* each repeat lands exactly one period after the previous one */
        check_near(hs - t0, first_kind(&r, BEL_EV_HOLDIN_START, 0), 1e-9, "repeat of holdin_start");
        check_near(he - t0, first_kind(&r, BEL_EV_HOLDIN_END, 0), 1e-9, "repeat of holdin_end");
        check_range(he - hs, 20.0, 45.0, "demo hold-in length");
        double bs = first_kind(&r, BEL_EV_BREATH_HOLD_START, t0);
        double be = first_kind(&r, BEL_EV_BREATH_HOLD_END, t0);
        check_range(be - bs, 5.0, 20.0, "demo breath hold length");
    }
    /* A full episode list is left alone. */
    bel_sim_config full = bel_sim_config_default();
    full.n_episodes = BEL_SIM_MAX_EPISODES;
    for (int i = 0; i < BEL_SIM_MAX_EPISODES; i++) {
        full.episodes[i] = (bel_sim_episode){BEL_SIM_TALK, 10.0 * i, 5.0, 0.0f};
    }
    bel_sim_config_demo_script(&full);
    assert_int_equal(full.n_episodes, BEL_SIM_MAX_EPISODES);
    run_free(&r);
}

/* ---------------------------------------------------------------- script parser */

static void test_sim_parse_script_accepts_good_scripts(void **state)
{
    (void)state;
    bel_sim_config c = bel_sim_config_default();
    char err[128];
    assert_int_equal(bel_sim_parse_script("holdin@60+30:1.5,hold@120+15,posture@200:-1,talk@250+20",
                                          &c, err, sizeof err),
                     BEL_OK);
    assert_int_equal(c.n_episodes, 4);
    assert_int_equal(c.episodes[0].kind, BEL_SIM_HOLDIN);
    check_near(c.episodes[0].t_start_s, 60.0, 1e-12, "holdin start");
    check_near(c.episodes[0].duration_s, 30.0, 1e-12, "holdin duration");
    check_near((double)c.episodes[0].amount, 1.5, 1e-6, "holdin amount");
    assert_int_equal(c.episodes[1].kind, BEL_SIM_BREATH_HOLD);
    check_near((double)c.episodes[1].amount, 1.0, 1e-6, "hold defaults to after an inhale");
    assert_int_equal(c.episodes[2].kind, BEL_SIM_POSTURE);
    check_near((double)c.episodes[2].amount, -1.0, 1e-6, "posture amount");
    assert_int_equal(c.episodes[3].kind, BEL_SIM_TALK);
    check_near(c.episodes[3].duration_s, 20.0, 1e-12, "talk duration");

    /* spaces around items, decimals, signs */
    assert_int_equal(bel_sim_parse_script(" holdin@60.5+29.25:+2 , hold@0.5+7:0 ", &c, NULL, 0),
                     BEL_OK);
    assert_int_equal(c.n_episodes, 2);
    check_near(c.episodes[0].t_start_s, 60.5, 1e-12, "decimal start");
    check_near(c.episodes[0].duration_s, 29.25, 1e-12, "decimal duration");
    check_near((double)c.episodes[0].amount, 2.0, 1e-6, "signed amount");
    check_near((double)c.episodes[1].amount, 0.0, 1e-6, "hold after an exhale");

    /* an empty script clears the episodes */
    assert_int_equal(bel_sim_parse_script("", &c, err, sizeof err), BEL_OK);
    assert_int_equal(c.n_episodes, 0);

    /* a parsed script makes a valid simulator */
    assert_int_equal(
        bel_sim_parse_script("holdin@5+5,hold@12+3:0,posture@20:0.5,talk@25+5,deep@40+8", &c, err,
                             sizeof err),
        BEL_OK);
    assert_int_equal(c.episodes[4].kind, BEL_SIM_DEEP);
    assert_true(fabsf(c.episodes[4].amount - 2.5f) < 1e-6f);
    bel_sim *sim = NULL;
    assert_int_equal(bel_sim_create(&c, &sim), BEL_OK);
    bel_sim_destroy(sim);
}

static void test_sim_parse_script_rejects_bad_scripts_with_message(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } bad[] = {
        {"hold@x", "item 1 'hold@x': start is not a number"},
        {"holdin@60+30:1.5,hold@x+5", "item 2 'hold@x+5': start is not a number"},
        {"jump@5+5", "item 1 'jump@5+5': unknown kind"},
        {"holdin@60", "item 1 'holdin@60': needs a duration"},
        {"holdin@60+abc", "duration is not a number"},
        {"holdin@60+0", "duration must be"},
        {"holdin@-5+10", "start is not a number"},
        {"holdin@60+5:zz", "amount is not a number"},
        {"holdin@60+5:9", "holdin amount"},
        {"hold@60+5:2", "hold amount"},
        {"deep@60+5:9", "deep amount"},
        {"posture@60:-11", "posture amount"},
        {"holdin@60+5,", "item 2 '': empty item"},
        {"holdin60+5", "item 1 'holdin60+5': expected kind@start_s+duration_s"},
        {"holdin@1e3+5", "start is not a number"},
        {"holdin@60+5:1.5:2", "amount is not a number"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bel_sim_config c = bel_sim_config_default();
        c.n_episodes = 1;
        c.episodes[0] = (bel_sim_episode){BEL_SIM_TALK, 1.0, 2.0, 0.0f};
        char err[160];
        assert_int_equal(bel_sim_parse_script(bad[k].text, &c, err, sizeof err), BEL_ERR_FORMAT);
        if (!strstr(err, bad[k].want)) {
            fail_msg("script \"%s\": message \"%s\" lacks \"%s\"", bad[k].text, err, bad[k].want);
        }
        /* the config is untouched */
        assert_int_equal(c.n_episodes, 1);
        assert_int_equal(c.episodes[0].kind, BEL_SIM_TALK);
        /* and no message buffer is fine too */
        assert_int_equal(bel_sim_parse_script(bad[k].text, &c, NULL, 0), BEL_ERR_FORMAT);
    }

    /* too many items */
    char text[33 * 16];
    text[0] = '\0';
    for (int i = 0; i < 33; i++) {
        char item[16];
        snprintf(item, sizeof item, "%stalk@%d+1", i ? "," : "", i * 10);
        strcat(text, item);
    }
    bel_sim_config c = bel_sim_config_default();
    char err[160];
    assert_int_equal(bel_sim_parse_script(text, &c, err, sizeof err), BEL_ERR_FORMAT);
    assert_non_null(strstr(err, "item 33"));
    assert_non_null(strstr(err, "too many"));

    /* a short buffer is truncated, not overrun */
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    assert_int_equal(bel_sim_parse_script("hold@x", &c, tiny, sizeof tiny), BEL_ERR_FORMAT);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);

    assert_int_equal(bel_sim_parse_script(NULL, &c, err, sizeof err), BEL_ERR_ARG);
    assert_int_equal(bel_sim_parse_script("hold@1+1", NULL, err, sizeof err), BEL_ERR_ARG);
}

/* ---------------------------------------------------------------- API */

static void test_sim_stops_at_duration(void **state)
{
    (void)state;
    bel_sim_config c = bel_sim_config_default();
    c.duration_s = 10.0;
    bel_sim *sim = NULL;
    assert_int_equal(bel_sim_create(&c, &sim), BEL_OK);
    assert_int_equal(bel_sim_channel_count(sim), 1);
    assert_string_equal(bel_sim_channel_name(sim, 0), "belly");
    assert_null(bel_sim_channel_name(sim, 1));
    bel_sample s;
    int n = 0;
    while (bel_sim_next(sim, &s) == 1) {
        n++;
    }
    assert_int_equal(n, 500);
    check_near(s.t_s, 9.98, 1e-9, "last sample time");
    assert_int_equal(bel_sim_next(sim, &s), 0);
    assert_int_equal(bel_sim_next(NULL, &s), BEL_ERR_ARG);
    assert_int_equal(bel_sim_take_truth(NULL, NULL, 0), BEL_ERR_ARG);
    bel_sim_destroy(sim);
    bel_sim_destroy(NULL);

    c.chest = true;
    c.duration_s = 0.0; /* endless */
    assert_int_equal(bel_sim_create(&c, &sim), BEL_OK);
    assert_int_equal(bel_sim_channel_count(sim), 2);
    assert_string_equal(bel_sim_channel_name(sim, 1), "chest");
    for (int i = 0; i < 200000; i++) {
        assert_int_equal(bel_sim_next(sim, &s), 1);
    }
    bel_sim_destroy(sim);
}

static void test_sim_rejects_bad_config(void **state)
{
    (void)state;
    bel_sim_config good = bel_sim_config_default();
    bel_sim_config bad[12];
    for (int i = 0; i < 12; i++) {
        bad[i] = good;
    }
    bad[0].rate_bpm = 2.0f;
    bad[1].rate_bpm = 41.0f;
    bad[2].fs_hz = 4.0;
    bad[3].depth_counts = NAN;
    bad[4].adc_bits = 3;
    bad[5].n_episodes = BEL_SIM_MAX_EPISODES + 1;
    bad[6].pace_s[0] = 4.0f; /* a pattern without an exhale */
    bad[7].n_episodes = 1;
    bad[7].episodes[0] = (bel_sim_episode){BEL_SIM_HOLDIN, 10.0, 0.0, 1.5f}; /* no duration */
    bad[8].n_episodes = 1;
    bad[8].episodes[0] = (bel_sim_episode){BEL_SIM_BREATH_HOLD, 10.0, 5.0, 3.0f};
    bad[9].noise_counts = -1.0f;
    bad[10].rate_jitter = 0.9f;
    bad[11].duration_s = -1.0;
    for (int i = 0; i < 12; i++) {
        bel_sim *sim = (bel_sim *)&good; /* must be overwritten with NULL */
        assert_int_equal(bel_sim_create(&bad[i], &sim), BEL_ERR_ARG);
        assert_null(sim);
    }
    bel_sim *sim = NULL;
    assert_int_equal(bel_sim_create(NULL, &sim), BEL_ERR_ARG);
    assert_int_equal(bel_sim_create(&good, NULL), BEL_ERR_ARG);
}

static void test_sim_truth_queue_keeps_latest_when_not_drained(void **state)
{
    (void)state;
    bel_sim_config c = bel_sim_config_default();
    bel_sim *sim = NULL;
    assert_int_equal(bel_sim_create(&c, &sim), BEL_OK);
    bel_sample s;
    for (int i = 0; i < 50 * 1800; i++) { /* 30 min, about 840 events, never taken */
        assert_int_equal(bel_sim_next(sim, &s), 1);
    }
    bel_event ev[256];
    int n = bel_sim_take_truth(sim, ev, 256);
    assert_true(n > 16 && n < 256);
    for (int i = 1; i < n; i++) {
        assert_true(ev[i].t_s >= ev[i - 1].t_s);
    }
    /* the newest ones were kept */
    check_range(ev[n - 1].t_s, s.t_s - 10.0, s.t_s, "newest queued event");
    assert_int_equal(bel_sim_take_truth(sim, ev, 256), 0);
    /* and it goes on working */
    for (int i = 0; i < 50 * 30; i++) {
        assert_int_equal(bel_sim_next(sim, &s), 1);
    }
    n = bel_sim_take_truth(sim, ev, 2);
    assert_int_equal(n, 2);
    assert_true(ev[0].t_s > s.t_s - 30.0 && ev[0].t_s <= ev[1].t_s);
    bel_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_same_seed_gives_identical_samples),
        cmocka_unit_test(test_sim_rate_matches_config),
        cmocka_unit_test(test_sim_slowest_and_fastest_rates_work),
        cmocka_unit_test(test_sim_values_are_integer_counts_in_range),
        cmocka_unit_test(test_sim_clips_at_the_rails_when_depth_is_huge),
        cmocka_unit_test(test_sim_truth_alternates_and_is_ordered),
        cmocka_unit_test(test_sim_sighs_come_at_the_configured_rate),
        cmocka_unit_test(test_sim_noise_has_the_configured_rms),
        cmocka_unit_test(test_sim_spikes_come_at_the_configured_rate),
        cmocka_unit_test(test_sim_paced_478_follows_the_pattern),
        cmocka_unit_test(test_sim_paced_box_pauses_at_the_bottom),
        cmocka_unit_test(test_sim_holdin_lowers_belly_and_moves_breathing_to_chest),
        cmocka_unit_test(test_sim_holdin_on_belly_only),
        cmocka_unit_test(test_sim_breath_hold_stops_breathing),
        cmocka_unit_test(test_sim_posture_steps_level_and_keeps_breathing),
        cmocka_unit_test(test_sim_talk_has_quick_inhales_and_long_exhales),
        cmocka_unit_test(test_sim_demo_script_repeats),
        cmocka_unit_test(test_sim_parse_script_accepts_good_scripts),
        cmocka_unit_test(test_sim_parse_script_rejects_bad_scripts_with_message),
        cmocka_unit_test(test_sim_stops_at_duration),
        cmocka_unit_test(test_sim_rejects_bad_config),
        cmocka_unit_test(test_sim_truth_queue_keeps_latest_when_not_drained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
