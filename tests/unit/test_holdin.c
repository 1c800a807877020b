/* test_holdin.c - held-in belly and breath-hold detection through the pipeline, on the simulator.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "bellows/holdin.h"
#include "bellows/pipeline.h"
#include "bellows/sim.h"

enum { MAX_EV = 4096 };

typedef struct run_result {
    bel_event ev[MAX_EV];
    bel_event truth[MAX_EV]; /* the simulator's true events */
    int n_truth;
    int n_ev;
    bel_summary sum;
    bel_metrics last;
    double share_sum;
    int share_n;
} run_result;

static run_result res;

static bel_sim_config sim_cfg(uint64_t seed, double duration_s, bool chest)
{
    bel_sim_config c = bel_sim_config_default();
    c.seed = seed;
    c.duration_s = duration_s;
    c.chest = chest;
    return c;
}

static void add_script(bel_sim_config *c, const char *script)
{
    char err[128];
    assert_int_equal(bel_sim_parse_script(script, c, err, sizeof err), BEL_OK);
}

/* Run the simulator through a pipeline; pc may be NULL for defaults. */
static void run(const bel_sim_config *sc, const bel_pipeline_config *pc_in)
{
    memset(&res, 0, sizeof res);
    bel_sim *sim = NULL;
    assert_int_equal(bel_sim_create(sc, &sim), BEL_OK);
    bel_pipeline_config pc = pc_in ? *pc_in : bel_pipeline_config_default();
    pc.fs_hz = sc->fs_hz;
    pc.chest_channel = sc->chest ? 1 : -1;
    bel_pipeline *p = NULL;
    assert_int_equal(bel_pipeline_create(&pc, &p), BEL_OK);
    bel_sample s;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    while (bel_sim_next(sim, &s)) {
        const int n = bel_pipeline_process(p, &s, ev, BEL_PIPELINE_MAX_EVENTS);
        assert_true(n >= 0);
        for (int i = 0; i < n && res.n_ev < MAX_EV; i++) {
            res.ev[res.n_ev++] = ev[i];
            if (ev[i].kind == BEL_EV_INSP_ONSET) {
                bel_metrics m;
                bel_pipeline_get_metrics(p, &m);
                if (isfinite(m.belly_share)) {
                    res.share_sum += (double)m.belly_share;
                    res.share_n++;
                }
            }
        }
        res.n_truth += bel_sim_take_truth(sim, res.truth + res.n_truth, MAX_EV - res.n_truth);
    }
    bel_pipeline_get_metrics(p, &res.last);
    bel_pipeline_get_summary(p, &res.sum);
    bel_pipeline_destroy(p);
    bel_sim_destroy(sim);
}

static int count(bel_event_kind kind)
{
    int n = 0;
    for (int i = 0; i < res.n_ev; i++) {
        n += res.ev[i].kind == kind;
    }
    return n;
}

/* The first event of kind with t_s in [t0, t1], or NULL. */
static const bel_event *find(bel_event_kind kind, double t0, double t1)
{
    for (int i = 0; i < res.n_ev; i++) {
        if (res.ev[i].kind == kind && res.ev[i].t_s >= t0 && res.ev[i].t_s <= t1) {
            return &res.ev[i];
        }
    }
    return NULL;
}

static void expect_holdin(double t_start, double t_end)
{
    const bel_event *st = find(BEL_EV_HOLDIN_START, t_start - 1.0, t_start + 3.0);
    assert_non_null(st);
    assert_true(st->t_detect_s >= st->t_s);
    assert_true(st->t_detect_s <= t_start + 15.0);
    const bel_event *en = find(BEL_EV_HOLDIN_END, t_end - 2.0, t_end + 6.0);
    assert_non_null(en);
}

static void test_holdin_detected_with_chest(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(11, 240.0, true);
    add_script(&c, "holdin@70+40:1.5,holdin@160+30:0.9");
    run(&c, NULL);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 2);
    expect_holdin(70.0, 110.0);
    expect_holdin(160.0, 190.0);
    assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
    assert_true(res.sum.time_held_in_s > 55.0 && res.sum.time_held_in_s < 85.0);
    assert_int_equal(res.sum.n_holdins, 2);
}

/* The time held in that the summary (and so the session store and the report) gives is
 * the time between the events' stamps, as the live window's summary adds it up: from where
 * the belly went in to where it was let go, not from when each was known. */
static void test_holdin_time_held_in_is_the_events_span(void **state)
{
    (void)state;
    for (uint32_t seed = 11; seed <= 14; seed++) {
        bel_sim_config c = sim_cfg(seed, 240.0, true);
        add_script(&c, "holdin@70+40:1.5,holdin@160+30:0.9");
        run(&c, NULL);
        double t_in = NAN, span = 0.0;
        for (int i = 0; i < res.n_ev; i++) {
            if (res.ev[i].kind == BEL_EV_HOLDIN_START) {
                t_in = res.ev[i].t_s;
            } else if (res.ev[i].kind == BEL_EV_HOLDIN_END && isfinite(t_in)) {
                assert_true(res.ev[i].t_s >= t_in); /* never ends before it began */
                span += res.ev[i].t_s - t_in;
                t_in = NAN;
            }
        }
        assert_true(span > 30.0);
        /* Within one 10 Hz step of the stage and one sample. */
        if (fabs(res.sum.time_held_in_s - span) > 0.15) {
            fail_msg("seed %u: time held in %.2f s, the events span %.2f s", (unsigned)seed,
                     res.sum.time_held_in_s, span);
        }
    }
}

/* Of the truth onsets of kind in [t0, t1], the share a detected one of the same
 * kind lies within 0.5 s of (one detection each). */
static double share_found(const bel_event *truth, int n_truth, bel_event_kind kind, double t0,
                          double t1)
{
    bool used[MAX_EV] = {false};
    int n = 0, n_found = 0;
    for (int i = 0; i < n_truth; i++) {
        if (truth[i].kind != kind || truth[i].t_s < t0 || truth[i].t_s > t1) {
            continue;
        }
        n++;
        for (int j = 0; j < res.n_ev; j++) {
            if (!used[j] && res.ev[j].kind == kind && fabs(res.ev[j].t_s - truth[i].t_s) <= 0.5) {
                used[j] = true;
                n_found++;
                break;
            }
        }
    }
    assert_true(n > 0);
    return (double)n_found / n;
}

/* Both belts count breaths: paced at 6 a minute (4 s in, 6 s out), the belly held
 * in from 100 to 180 s (keeping 10-45 % of its breath) while the chest breathes
 * for it. The breaths taken with the belly held in are found where they are
 * (the chest's breathing leads the detection within a breath or two of the
 * drop), and once the belly is let go its breaths are timed as before the
 * hold-in (it leads again within a breath). */
static void test_holdin_breaths_counted_from_the_chest_and_timed_after_release(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(29, 300.0, true);
    c.pace_s[0] = 4.0f;
    c.pace_s[2] = 6.0f;
    c.rate_jitter = 0.0f;
    add_script(&c, "holdin@100+80:1.5");
    run(&c, NULL);
    const bel_event *truth = res.truth;
    const int n_truth = res.n_truth;
    expect_holdin(100.0, 180.0);
    /* Held in: from the second breath after the drop. */
    assert_true(share_found(truth, n_truth, BEL_EV_INSP_ONSET, 112.0, 180.0) == 1.0);
    assert_true(share_found(truth, n_truth, BEL_EV_EXP_ONSET, 112.0, 180.0) == 1.0);
    /* Let go: from the second breath after the release, as before the hold-in. */
    assert_true(share_found(truth, n_truth, BEL_EV_INSP_ONSET, 192.0, 295.0) >= 0.95);
    assert_true(share_found(truth, n_truth, BEL_EV_EXP_ONSET, 192.0, 295.0) >= 0.95);
    assert_true(share_found(truth, n_truth, BEL_EV_INSP_ONSET, 20.0, 98.0) >= 0.95);
}

/* Deterministic noise in [-1, 1] (xorshift). */
static double noise1(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (double)(*x >> 11) / (double)(1ULL << 52) - 1.0;
}

/* Two belts at 50 Hz, 12 breaths/min (belly 40, chest 15 units) for duration_s,
 * each with a little noise; shape(t, ph, &belly, &chest) changes what the belts read
 * where a test needs it (ph: 0 exhaled .. 1 inhaled). Events into res. */
typedef void (*two_belt_shape)(double t, double ph, double *belly, double *chest);

static void run_two_belts(uint64_t seed, double duration_s, two_belt_shape shape)
{
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.fs_hz = 50.0;
    pc.chest_channel = 1;
    bel_pipeline *p = NULL;
    assert_int_equal(bel_pipeline_create(&pc, &p), BEL_OK);
    memset(&res, 0, sizeof res);
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    for (int i = 0; i < (int)(50.0 * duration_s); i++) {
        const double t = i / 50.0;
        const double ph = 0.5 - 0.5 * cos(2.0 * 3.141592653589793 * 0.2 * t);
        double belly = 500.0 + 40.0 * ph, chest = 300.0 + 15.0 * ph;
        shape(t, ph, &belly, &chest);
        bel_sample s = {.t_s = t, .n_channels = 2};
        s.value[0] = (float)(belly + 0.4 * noise1(&seed));
        s.value[1] = (float)(chest + 0.2 * noise1(&seed));
        const int n = bel_pipeline_process(p, &s, ev, BEL_PIPELINE_MAX_EVENTS);
        assert_true(n >= 0);
        for (int k = 0; k < n && res.n_ev < MAX_EV; k++) {
            res.ev[res.n_ev++] = ev[k];
        }
    }
    bel_pipeline_destroy(p);
}

/* At 57 s the belly sinks slowly (a long exhalation's tail: the breath stops where it
 * is, 0 at 55 s + a period), at 60 s it is sucked in by 1.3 depths in 1 s while the
 * chest fills by 4 relaxed chest breaths, and both stay there, breath held, until
 * 72 s, when they let go. */
static void sucked_in_with_chest_filled(double t, double ph, double *belly, double *chest)
{
    (void)ph;
    if (t >= 57.0 && t < 72.0) {
        const double slow = fmin(t - 57.0, 3.0) / 3.0;
        const double fast =
            t < 60.0 ? 0.0 : 0.5 - 0.5 * cos(3.141592653589793 * fmin(t - 60.0, 1.0));
        *belly = 500.0 - 10.0 * slow - 52.0 * fast;
        *chest = 300.0 + 60.0 * fast;
    }
}

/* The belly sucked in while the chest fills and the breath is held (no chest
 * breathing to wait for): a hold-in, stamped where the fast drop began (not where
 * the slow sinking before it left the level), decided within 4 s. */
static void test_holdin_found_when_the_chest_fills_as_the_belly_is_sucked_in(void **state)
{
    (void)state;
    run_two_belts(0x9e3779b97f4a7c15ULL, 100.0, sucked_in_with_chest_filled);
    const bel_event *st = find(BEL_EV_HOLDIN_START, 50.0, 72.0);
    assert_non_null(st);
    assert_true(fabs(st->t_s - 60.0) <= 0.6);
    assert_true(st->t_detect_s - 60.0 <= 4.0);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 1);
}

/* The chest-belly lag: two belts at 50 Hz, 12 breaths/min, the chest 0.6 s behind the
 * belly for 90 s, then 0.2 s ahead of it (the lag is searched around its last value):
 * at each end the lag reported is the one the belts have. */
static float lag_after(double t_end)
{
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.fs_hz = 50.0;
    pc.chest_channel = 1;
    bel_pipeline *p = NULL;
    assert_int_equal(bel_pipeline_create(&pc, &p), BEL_OK);
    uint64_t seed = 0x51ed270b2f3a1c4dULL;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    for (int i = 0; i < (int)(50.0 * t_end); i++) {
        const double t = i / 50.0;
        const double lag = t < 90.0 ? 0.6 : -0.2;
        const double w = 2.0 * 3.141592653589793 * 0.2;
        bel_sample s = {.t_s = t, .n_channels = 2};
        s.value[0] = (float)(500.0 + 20.0 * sin(w * t) + 0.3 * noise1(&seed));
        s.value[1] = (float)(300.0 + 10.0 * sin(w * (t - lag)) + 0.3 * noise1(&seed));
        assert_true(bel_pipeline_process(p, &s, ev, BEL_PIPELINE_MAX_EVENTS) >= 0);
    }
    bel_metrics m;
    bel_pipeline_get_metrics(p, &m);
    bel_pipeline_destroy(p);
    return m.chest_belly_lag_s;
}

static void test_holdin_chest_belly_lag_follows_the_belts(void **state)
{
    (void)state;
    assert_true(fabsf(lag_after(88.0) - 0.6f) <= 0.15f);
    assert_true(fabsf(lag_after(180.0) + 0.2f) <= 0.15f);
}

static void test_holdin_detected_belly_only(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(12, 240.0, false);
    add_script(&c, "holdin@70+40:2.0,holdin@160+30:1.0");
    run(&c, NULL);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 2);
    expect_holdin(70.0, 110.0);
    expect_holdin(160.0, 190.0);
    assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
}

/* One belt: a hold-in is decided by the time the breath stage reports the end of the
 * first inhalation made at the lower level (an exhalation onset whose inhalation began
 * after the drop), not only once the belly has fallen back by its own hysteresis. */
static void test_holdin_belly_only_decided_by_the_first_held_in_breath(void **state)
{
    (void)state;
    static const struct {
        float rate_bpm;
        uint64_t seed;
    } runs[] = {{8.0f, 1}, {8.0f, 5}, {10.0f, 1}, {10.0f, 6}, {18.0f, 2}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        bel_sim_config c = sim_cfg(runs[r].seed, 200.0, false);
        c.rate_bpm = runs[r].rate_bpm;
        add_script(&c, "holdin@60+30:1.5,holdin@130+30:2.2");
        run(&c, NULL);
        assert_int_equal(count(BEL_EV_HOLDIN_START), 2);
        for (int i = 0; i < res.n_ev; i++) {
            if (res.ev[i].kind != BEL_EV_HOLDIN_START) {
                continue;
            }
            const bel_event *st = &res.ev[i];
            const bel_event *insp = find(BEL_EV_INSP_ONSET, st->t_s + 0.5, st->t_s + 30.0);
            assert_non_null(insp);
            const bel_event *exp = find(BEL_EV_EXP_ONSET, insp->t_s, st->t_s + 30.0);
            assert_non_null(exp);
            assert_true(st->t_detect_s <= exp->t_detect_s + 0.15);
        }
    }
}

/* From 60 s to 90 s the belly is sucked in by 1.3 depths and keeps a tenth of its
 * breath while the chest breathes at 0.55 of its relaxed depth: moving more than a
 * still chest does (half its relaxed breath), it is breathing, so this is a hold-in,
 * decided in the first breath. */
static void chest_breathes_at_half_its_depth(double t, double ph, double *belly, double *chest)
{
    if (t >= 60.0 && t < 90.0) {
        const double fast = 0.5 - 0.5 * cos(3.141592653589793 * fmin(t - 60.0, 1.0));
        *belly = 500.0 - 52.0 * fast + 4.0 * ph;
        *chest = 300.0 + 0.55 * 15.0 * ph;
    }
}

static void test_holdin_found_when_the_chest_breathes_at_half_its_depth(void **state)
{
    (void)state;
    run_two_belts(0x2545f4914f6cdd1dULL, 120.0, chest_breathes_at_half_its_depth);
    const bel_event *st = find(BEL_EV_HOLDIN_START, 50.0, 90.0);
    assert_non_null(st);
    assert_true(fabs(st->t_s - 60.0) <= 0.6);
    assert_true(st->t_detect_s - 60.0 <= 5.0);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 1);
    assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
}

static void test_holdin_no_alarm_on_posture_shifts(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        bel_sim_config c = sim_cfg(13 + (uint64_t)chest, 300.0, chest != 0);
        add_script(&c, "posture@60:-1.5,posture@120:1.5,posture@180:-2.5,posture@240:0.8");
        run(&c, NULL);
        assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
        assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
    }
}

/* A belly held in from the first second (as many people hold it all day) or sucked in
 * before the relaxed level was known has no relaxed level to drop from: its level is
 * learnt as relaxed. When it is let go its troughs rise well above that level and its
 * breaths grow (and, with a chest belt, take back their share of the breath): the
 * stretch before was held in, said as soon as the breaths after show it, as a pair of
 * events in one sample (start at the first sample or where the belly fell, end where it
 * came back up) and counted in the summary; the relaxed breath and level are learnt
 * from the breaths after, so a hold-in after it is seen live. A shift of posture with
 * deep breaths at the same moment, or the same breathing with no hold-in, is none. */
static void test_holdin_held_in_from_the_start_found_when_let_go(void **state)
{
    (void)state;
    static const float rates[3] = {8.0f, 14.0f, 20.0f};
    for (int chest = 0; chest <= 1; chest++) {
        for (int r = 0; r < 3; r++) {
            for (int kind = 0; kind < 4; kind++) {
                bel_sim_config c = sim_cfg(31 + (uint64_t)(r + 3 * chest), 140.0, chest != 0);
                c.rate_bpm = rates[r];
                static const char *const scripts[4] = {"holdin@0+40:1.5,holdin@90+25:1.5",
                                                       "holdin@8+30:1.2",
                                                       "posture@12:1.5,deep@12+8:2.5", ""};
                if (scripts[kind][0]) {
                    add_script(&c, scripts[kind]);
                }
                run(&c, NULL);
                assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
                if (kind >= 2) {
                    assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
                    assert_int_equal(res.sum.n_holdins, 0);
                    continue;
                }
                const double t0 = kind == 0 ? 0.0 : 8.0, t1 = kind == 0 ? 40.0 : 38.0;
                /* The pair: a start with its end in the same sample. (At 8 a minute with
                 * the belly alone the detector may take the first held-in breaths for a
                 * hold-in and, measuring the next ones against them, end it at once:
                 * that one is inside the pair, and counted in it.) */
                int i = 0;
                while (i + 1 < res.n_ev && !(res.ev[i].kind == BEL_EV_HOLDIN_START &&
                                             res.ev[i + 1].kind == BEL_EV_HOLDIN_END &&
                                             res.ev[i].t_detect_s == res.ev[i + 1].t_detect_s)) {
                    i++;
                }
                assert_true(i + 1 < res.n_ev);
                const bel_event *st = &res.ev[i], *en = &res.ev[i + 1];
                assert_int_equal(st->kind, BEL_EV_HOLDIN_START);
                assert_int_equal(en->kind, BEL_EV_HOLDIN_END);
                assert_true(st->t_detect_s == en->t_detect_s);
                assert_true(st->t_s >= t0 - 3.0 && st->t_s <= t0 + 2.0);
                assert_true(en->t_s >= t1 - 1.0 && en->t_s <= t1 + 3.0);
                assert_true(en->t_detect_s > en->t_s && en->t_detect_s <= t1 + 50.0);
                double held = en->t_s - st->t_s;
                if (kind == 0) {
                    /* The second, seen live: told within a breath or two of the drop. */
                    const bel_event *st2 = find(BEL_EV_HOLDIN_START, 89.0, 93.0);
                    assert_non_null(st2);
                    assert_true(st2->t_detect_s <= 90.0 + 15.0);
                    const bel_event *en2 = find(BEL_EV_HOLDIN_END, 113.0, 121.0);
                    assert_non_null(en2);
                    held += en2->t_s - st2->t_s;
                }
                assert_int_equal(res.sum.n_holdins, kind == 0 ? 2 : 1);
                assert_true(fabs(res.sum.time_held_in_s - held) < 1e-6);
                /* The relaxed breath is learnt from the breathing after. */
                assert_true(res.last.relaxed_depth > 80.0f && res.last.relaxed_depth < 200.0f);
            }
        }
    }
}

static void test_holdin_no_alarm_on_creep_sighs_spikes(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(15, 600.0, false);
    c.creep_counts_per_min = 40.0f;
    c.sigh_per_min = 2.0f;
    c.spikes_per_min = 20.0f;
    run(&c, NULL);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
    assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
    assert_true(res.last.relaxed_depth > 80.0f && res.last.relaxed_depth < 160.0f);
}

static void test_holdin_no_alarm_on_paced_breathing(void **state)
{
    (void)state;
    static const float paces[][4] = {{4.0f, 7.0f, 8.0f, 0.0f}, {4.0f, 4.0f, 4.0f, 4.0f}};
    for (int i = 0; i < 2; i++) {
        for (int chest = 0; chest <= 1; chest++) {
            bel_sim_config c = sim_cfg(20 + (uint64_t)(2 * i + chest), 400.0, chest != 0);
            memcpy(c.pace_s, paces[i], sizeof c.pace_s);
            run(&c, NULL);
            assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
            assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
        }
    }
}

static void test_holdin_no_alarm_on_talking(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        bel_sim_config c = sim_cfg(30 + (uint64_t)chest, 240.0, chest != 0);
        add_script(&c, "talk@60+60,talk@150+40");
        run(&c, NULL);
        assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
    }
}

/* The cough of a real recording (bidmc_15 at 41 s, 125 Hz, a 12-bit belt
 * clipping at -0.7506 and 1.7506): pushed out to the top rail for 0.45 s,
 * down to the bottom rail for 0.8 s, then back over 3 s with a shallow
 * breath on the way. No one sucked the belly in. */
static float bidmc_like(double t, uint64_t *rng)
{
    /* The cough, piecewise linear through points read off the recording's plot. */
    static const double pts[][2] = {
        {40.60, 0.14},  {40.88, 1.90},  {41.30, 1.90},  {41.50, 1.28},
        {41.75, 1.26},  {42.25, 0.00},  {42.50, -0.90}, {43.25, -0.90},
        {43.35, -0.62}, {43.60, -0.63}, {43.86, -0.32}, {44.15, -0.63},
        {44.50, -0.38}, {44.90, -0.14}, {45.50, -0.05}, {46.50, 0.00},
    };
    const int n_pts = (int)(sizeof pts / sizeof pts[0]);
    double x = 0.04 + 0.32 * sin(6.283185307179586 * (t - 38.0) / 4.3);
    if (t >= pts[0][0] && t < pts[n_pts - 1][0]) {
        int k = 0;
        while (t >= pts[k + 1][0]) {
            k++;
        }
        const double w = (t - pts[k][0]) / (pts[k + 1][0] - pts[k][0]);
        const double c = pts[k][1] + w * (pts[k + 1][1] - pts[k][1]);
        /* From 45.5 s breathing comes back. */
        const double b = t > 45.5 ? (t - 45.5) / 1.0 : 0.0;
        x = (1.0 - b) * c + b * x;
    }
    *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
    x += 0.004 * ((double)(*rng >> 11) / 9007199254740992.0 - 0.5);
    x = fmin(fmax(x, -0.75061), 1.7506);
    return (float)(0.00244 * floor(x / 0.00244 + 0.5));
}

static void test_holdin_no_alarm_on_a_cough_that_overloads_the_belt(void **state)
{
    (void)state;
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.fs_hz = 125.0;
    bel_pipeline *p = NULL;
    assert_int_equal(bel_pipeline_create(&pc, &p), BEL_OK);
    uint64_t rng = 7;
    int n_holdin = 0, n_breaths = 0;
    for (int i = 0; i < 125 * 90; i++) {
        bel_sample s = {0};
        s.t_s = i / 125.0;
        s.n_channels = 1;
        s.value[0] = bidmc_like(s.t_s, &rng);
        bel_event ev[BEL_PIPELINE_MAX_EVENTS];
        const int n = bel_pipeline_process(p, &s, ev, BEL_PIPELINE_MAX_EVENTS);
        assert_true(n >= 0);
        for (int k = 0; k < n; k++) {
            n_holdin += ev[k].kind == BEL_EV_HOLDIN_START;
            n_breaths += ev[k].kind == BEL_EV_INSP_ONSET;
        }
    }
    bel_pipeline_destroy(p);
    assert_true(n_breaths >= 15);
    assert_int_equal(n_holdin, 0);
}

/* A loose belt: the belly sucked in pulls it to its lowest reading. That rail
 * is the hold-in itself, and it is still found. */
static void test_holdin_found_when_sucking_in_takes_the_belt_to_its_rail(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        bel_sim_config c = sim_cfg(62 + (uint64_t)chest, 200.0, chest != 0);
        add_script(&c, "holdin@80+40:3");
        run(&c, NULL);
        assert_int_equal(count(BEL_EV_HOLDIN_START), 1);
        expect_holdin(80.0, 120.0);
    }
}

/* The belt re-tightened while the belly is held in: the detectors start again
 * from the step, and the hold-in in progress ends there with its event (every
 * start has its end: the window, tones and recording agree). */
static void test_holdin_in_progress_ends_with_its_event_at_a_belt_step(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        bel_sim_config c = sim_cfg(70 + (uint64_t)chest, 200.0, chest != 0);
        add_script(&c, "holdin@60+60:1.5,retighten@90:8");
        run(&c, NULL);
        assert_true(count(BEL_EV_HOLDIN_START) >= 1);
        assert_int_equal(count(BEL_EV_HOLDIN_START), count(BEL_EV_HOLDIN_END));
        const bel_event *en = find(BEL_EV_HOLDIN_END, 89.0, 92.0);
        assert_non_null(en);
        assert_false(res.last.is_holding_in);
    }
}

/* One belt, and the wearer slumps: the belly's level drops 1.5 breaths, as
 * when sucked in. At first it cannot be told from a hold-in; once the belly
 * breathes fully at the new level (two breaths) it is not held in, and the
 * alarm ends there instead of staying on for the rest of the session. */
static void test_holdin_ends_when_the_belly_breathes_fully_at_the_lower_level(void **state)
{
    (void)state;
    for (uint64_t seed = 81; seed <= 83; seed++) {
        bel_sim_config c = sim_cfg(seed, 200.0, false);
        add_script(&c, "posture@60:-1.5");
        run(&c, NULL);
        assert_int_equal(count(BEL_EV_HOLDIN_START), count(BEL_EV_HOLDIN_END));
        assert_false(res.last.is_holding_in);
        assert_true(res.sum.time_held_in_s < 20.0);
    }
}

static void test_holdin_breath_holds_after_inhale_and_exhale(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        bel_sim_config c = sim_cfg(40 + (uint64_t)chest, 240.0, chest != 0);
        add_script(&c, "hold@60+20:1,hold@140+25:0");
        run(&c, NULL);
        /* The start is stamped where the stillness began (the simulated hold
         * begins with the next suitable turn of the breath, within a few s),
         * half a second into the first still window, and decided once the
         * stillness has lasted 1.5 breath periods (6..10 s) from that
         * window's start. */
        assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 2);
        const bel_event *a = find(BEL_EV_BREATH_HOLD_START, 59.0, 66.0);
        const bel_event *b = find(BEL_EV_BREATH_HOLD_START, 139.0, 146.0);
        assert_non_null(a);
        assert_non_null(b);
        assert_true(a->t_detect_s - a->t_s >= 5.5 && a->t_detect_s - a->t_s <= 10.0);
        assert_true(b->t_detect_s - b->t_s >= 5.5 && b->t_detect_s - b->t_s <= 10.0);
        assert_int_equal(count(BEL_EV_BREATH_HOLD_END), 2);
        assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
        assert_int_equal(res.sum.n_breath_holds, 2);
    }
}

/* The belly's history negated during a breath hold (the pipeline turning the belts
 * round): its stillness is still stillness, so the hold goes on until breathing
 * resumes. */
static void test_holdin_breath_hold_survives_a_negated_belly(void **state)
{
    (void)state;
    const double fs = 50.0;
    bel_holdin_config c = bel_holdin_config_default(fs);
    bel_holdin_calibration cal = bel_holdin_calibration_none();
    bel_holdin *h = NULL;
    assert_int_equal(bel_holdin_create(&c, &cal, true, &h), BEL_OK);
    const double period_s = 4.0;
    double sign = 1.0;
    int n_start = 0, n_end = 0;
    double t_end = 0.0;
    for (long i = 0; i < (long)(130 * fs); i++) {
        const double t = i / fs;
        /* Breathing (troughs at whole periods), still from 60 s to 100 s. */
        const bool still = t >= 60.0 && t < 100.0;
        const double ph = 2.0 * 3.141592653589793 * t / period_s;
        const double b = still ? 400.0 : 500.0 - 100.0 * cos(ph);
        const double ch = still ? 300.0 : 300.0 - 60.0 * cos(ph);
        if (i == (long)(85 * fs)) {
            bel_holdin_negate_belly(h);
            sign = -1.0;
        }
        bel_event ev[BEL_HOLDIN_MAX_EVENTS];
        const int n =
            bel_holdin_process(h, t, (float)(sign * b), (float)ch, ev, BEL_HOLDIN_MAX_EVENTS);
        for (int k = 0; k < n; k++) {
            n_start += ev[k].kind == BEL_EV_BREATH_HOLD_START;
            if (ev[k].kind == BEL_EV_BREATH_HOLD_END) {
                n_end++;
                t_end = t;
            }
        }
        /* The breath stage's turning points, while breathing. */
        const double cyc = fmod(t, period_s);
        if (!still && t < 60.0 && i > 0 &&
            (cyc < 1.0 / fs || fabs(cyc - 0.5 * period_s) < 0.5 / fs)) {
            bel_breath_point pt;
            memset(&pt, 0, sizeof pt);
            pt.is_peak = cyc > 1.0;
            pt.t_s = t;
            pt.t_detect_s = t;
            pt.value = (float)(sign * b);
            bel_holdin_push_breath(h, &pt);
        }
    }
    bel_holdin_destroy(h);
    assert_int_equal(n_start, 1);
    assert_int_equal(n_end, 1);
    assert_true(t_end >= 100.0);
}

static void test_holdin_breath_hold_threshold_is_configurable(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(50, 200.0, true);
    add_script(&c, "hold@60+13:0,hold@120+24:0");
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.holdin.breath_hold_s = 16.0;
    pc.holdin.breath_hold_min_s = 16.0;
    run(&c, &pc);
    /* The 13 s hold is under the threshold; the 24 s one passes it at about
     * 16 s, and is stamped where it began. */
    assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 1);
    const bel_event *e = find(BEL_EV_BREATH_HOLD_START, 119.0, 126.0);
    assert_non_null(e);
    assert_true(e->t_detect_s > 135.0 && e->t_detect_s < 142.0);
    pc.holdin.breath_hold_s = 10.0;
    pc.holdin.breath_hold_min_s = 6.0;
    run(&c, &pc);
    assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 2);
}

/* The belt unplugged while the belly is held in: the hold-in ends where the
 * signal was lost (nothing says it went on), and is found again after the
 * belt is back if the belly is still held in. */
static void test_holdin_ends_at_an_unplug_and_is_found_again(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(70, 200.0, true);
    add_script(&c, "holdin@60+60:1.5,unplug@80+6");
    run(&c, NULL);
    const bel_event *e = find(BEL_EV_HOLDIN_END, 79.0, 80.05);
    assert_non_null(e);
    assert_true(e->t_detect_s >= 86.0 && e->t_detect_s < 86.1);
    assert_non_null(find(BEL_EV_HOLDIN_START, 85.5, 110.0));
    assert_non_null(find(BEL_EV_HOLDIN_END, 119.0, 128.0));
    assert_int_equal(count(BEL_EV_SIGNAL_LOST), 1);
    assert_false(res.last.is_holding_in);
}

/* Slow paced breathing (4-7-8, one breath in 19 s): a hold-in is found and
 * its held-in level is never learnt as the relaxed one, so it is found again
 * the next time. */
static void test_holdin_found_at_slow_paced_rates(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        bel_sim_config c = sim_cfg(80 + (uint64_t)chest, 400.0, chest != 0);
        const float pace[4] = {4.0f, 7.0f, 8.0f, 0.0f};
        memcpy(c.pace_s, pace, sizeof pace);
        add_script(&c, "holdin@120+60:1.5,holdin@280+60:1.5");
        run(&c, NULL);
        /* Stamped where the belly dropped, known within a breath and a half
         * (a breath is 19 s here), ended where it was let go. */
        const double starts[2] = {120.0, 280.0};
        for (int i = 0; i < 2; i++) {
            const bel_event *st = find(BEL_EV_HOLDIN_START, starts[i] - 1.0, starts[i] + 3.0);
            assert_non_null(st);
            assert_true(st->t_detect_s <= starts[i] + 28.5);
            assert_non_null(find(BEL_EV_HOLDIN_END, starts[i] + 58.0, starts[i] + 66.0));
        }
        assert_int_equal(count(BEL_EV_HOLDIN_START), 2);
    }
}

/* Box breathing (4-4-4-4, one breath in 16 s) paced from the first second: four
 * breaths take over a minute, and a hold-in made before then is found (with
 * two belts and with the belly alone), its level not learnt as the relaxed
 * one; the same session without it gives none. */
static void test_holdin_found_early_in_a_slow_paced_session(void **state)
{
    (void)state;
    for (int chest = 0; chest <= 1; chest++) {
        for (int held = 0; held <= 1; held++) {
            bel_sim_config c = sim_cfg(90 + (uint64_t)chest, 150.0, chest != 0);
            const float pace[4] = {4.0f, 4.0f, 4.0f, 4.0f};
            memcpy(c.pace_s, pace, sizeof pace);
            if (held) {
                add_script(&c, "holdin@60+30:1.5");
            }
            run(&c, NULL);
            assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
            if (!held) {
                assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
                continue;
            }
            assert_int_equal(count(BEL_EV_HOLDIN_START), 1);
            const bel_event *st = find(BEL_EV_HOLDIN_START, 59.0, 63.0);
            assert_non_null(st);
            assert_true(st->t_detect_s <= 60.0 + 24.0);
            assert_non_null(find(BEL_EV_HOLDIN_END, 88.0, 96.0));
        }
    }
}

/* 4-7-8 with the belly belt alone: sucked in, the belly's breaths are small and
 * the pacer's 7 s hold at the top keeps their end from showing, and the belly
 * is as still as a held breath. The drop is still a hold-in, told within a
 * breath (19 s) or so, and not a breath hold; the same session without one has
 * neither. */
static void test_holdin_belly_alone_found_in_a_four_seven_eight_session(void **state)
{
    (void)state;
    for (uint64_t seed = 3; seed <= 6; seed++) {
        for (int held = 0; held <= 1; held++) {
            bel_sim_config c = sim_cfg(seed, 180.0, false);
            const float pace[4] = {4.0f, 7.0f, 8.0f, 0.0f};
            memcpy(c.pace_s, pace, sizeof pace);
            if (held) {
                add_script(&c, "holdin@120+30:2");
            }
            run(&c, NULL);
            if (!held) {
                assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
                continue;
            }
            assert_int_equal(count(BEL_EV_HOLDIN_START), 1);
            const bel_event *st = find(BEL_EV_HOLDIN_START, 119.0, 123.0);
            assert_non_null(st);
            assert_true(st->t_detect_s <= 120.0 + 27.0);
            /* Breathing went on (with the chest): no breath hold is told. */
            assert_int_equal(count(BEL_EV_BREATH_HOLD_START), 0);
        }
    }
}

static void test_holdin_belly_share_near_split(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(60, 180.0, true);
    run(&c, NULL);
    /* The simulator puts 0.30..0.40 of the belly's movement into the chest
     * (same counts per volume): belly share 0.71..0.77. */
    assert_true(res.share_n > 20);
    const double share = res.share_sum / res.share_n;
    assert_true(share > 0.66 && share < 0.82);
    assert_true(res.sum.belly_share > 0.66f && res.sum.belly_share < 0.82f);
    assert_true(isfinite(res.last.chest_belly_lag_s));
    assert_true(fabsf(res.last.chest_belly_lag_s) <= 1.0f);
    /* Held in, the belly's share collapses. */
    bel_sim_config h = sim_cfg(61, 150.0, true);
    add_script(&h, "holdin@60+100:1.5");
    run(&h, NULL);
    assert_true(res.last.is_holding_in);
    assert_true(res.last.belly_share < 0.5f);
}

static void test_holdin_calibration_detects_from_the_start(void **state)
{
    (void)state;
    /* Learn from a relaxed run, then start a run held in after 8 s: without a
     * calibration the relaxed level is not known yet; with it, it is found. */
    bel_sim_config relaxed = sim_cfg(70, 120.0, false);
    run(&relaxed, NULL);
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.calibration.is_valid = true;
    pc.calibration.belly_level = res.last.relaxed_level;
    pc.calibration.belly_depth = res.last.relaxed_depth;
    bel_sim_config c = sim_cfg(70, 60.0, false);
    add_script(&c, "holdin@8+40:1.5");
    run(&c, NULL);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 0);
    run(&c, &pc);
    assert_int_equal(count(BEL_EV_HOLDIN_START), 1);
    assert_non_null(find(BEL_EV_HOLDIN_START, 7.0, 11.0));
}

static void test_holdin_deterministic(void **state)
{
    (void)state;
    bel_sim_config c = sim_cfg(80, 200.0, true);
    add_script(&c, "holdin@50+30:1.5,hold@120+15:1");
    run(&c, NULL);
    static bel_event first[MAX_EV];
    const int n = res.n_ev;
    memcpy(first, res.ev, sizeof first);
    run(&c, NULL);
    assert_int_equal(res.n_ev, n);
    /* Field by field: struct padding is not part of the result. */
    for (int i = 0; i < n; i++) {
        assert_int_equal(first[i].kind, res.ev[i].kind);
        assert_memory_equal(&first[i].t_s, &res.ev[i].t_s, sizeof first[i].t_s);
        assert_memory_equal(&first[i].t_detect_s, &res.ev[i].t_detect_s, sizeof first[i].t_s);
    }
    assert_true(count(BEL_EV_HOLDIN_START) >= 1);
}

static void test_holdin_rejects_bad_config(void **state)
{
    (void)state;
    bel_holdin *h = (bel_holdin *)&res; /* must be set to NULL on failure */
    bel_holdin_config cfg = bel_holdin_config_default(50.0);
    cfg.breath_hold_s = 2.0;
    assert_int_equal(bel_holdin_create(&cfg, NULL, false, &h), BEL_ERR_ARG);
    assert_null(h);
    cfg = bel_holdin_config_default(50.0);
    bel_holdin_calibration cal = bel_holdin_calibration_none();
    cal.is_valid = true;
    cal.belly_level = 300.0f;
    cal.belly_depth = -1.0f;
    assert_int_equal(bel_holdin_create(&cfg, &cal, false, &h), BEL_ERR_ARG);
    cal.belly_depth = 100.0f;
    assert_int_equal(bel_holdin_create(&cfg, &cal, false, &h), BEL_OK);
    assert_non_null(h);
    bel_holdin_destroy(h);
    bel_holdin_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holdin_detected_with_chest),
        cmocka_unit_test(test_holdin_time_held_in_is_the_events_span),
        cmocka_unit_test(test_holdin_breaths_counted_from_the_chest_and_timed_after_release),
        cmocka_unit_test(test_holdin_detected_belly_only),
        cmocka_unit_test(test_holdin_chest_belly_lag_follows_the_belts),
        cmocka_unit_test(test_holdin_found_when_the_chest_fills_as_the_belly_is_sucked_in),
        cmocka_unit_test(test_holdin_belly_only_decided_by_the_first_held_in_breath),
        cmocka_unit_test(test_holdin_found_when_the_chest_breathes_at_half_its_depth),
        cmocka_unit_test(test_holdin_no_alarm_on_posture_shifts),
        cmocka_unit_test(test_holdin_held_in_from_the_start_found_when_let_go),
        cmocka_unit_test(test_holdin_no_alarm_on_creep_sighs_spikes),
        cmocka_unit_test(test_holdin_no_alarm_on_paced_breathing),
        cmocka_unit_test(test_holdin_no_alarm_on_talking),
        cmocka_unit_test(test_holdin_found_when_sucking_in_takes_the_belt_to_its_rail),
        cmocka_unit_test(test_holdin_no_alarm_on_a_cough_that_overloads_the_belt),
        cmocka_unit_test(test_holdin_in_progress_ends_with_its_event_at_a_belt_step),
        cmocka_unit_test(test_holdin_ends_when_the_belly_breathes_fully_at_the_lower_level),
        cmocka_unit_test(test_holdin_breath_holds_after_inhale_and_exhale),
        cmocka_unit_test(test_holdin_breath_hold_threshold_is_configurable),
        cmocka_unit_test(test_holdin_breath_hold_survives_a_negated_belly),
        cmocka_unit_test(test_holdin_ends_at_an_unplug_and_is_found_again),
        cmocka_unit_test(test_holdin_found_at_slow_paced_rates),
        cmocka_unit_test(test_holdin_found_early_in_a_slow_paced_session),
        cmocka_unit_test(test_holdin_belly_alone_found_in_a_four_seven_eight_session),
        cmocka_unit_test(test_holdin_belly_share_near_split),
        cmocka_unit_test(test_holdin_calibration_detects_from_the_start),
        cmocka_unit_test(test_holdin_deterministic),
        cmocka_unit_test(test_holdin_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
