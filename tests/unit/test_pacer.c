/* test_pacer.c - the pacer: preset timing, guide size, pause, pace changes, adaptive slowing,
 * following score.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bellows/pacer.h"

static const double DT = 0.01; /* 100 Hz stepping */

static bel_pacer *make(bel_pacer_preset preset)
{
    bel_pacer_config c = bel_pacer_config_default();
    c.preset = preset;
    bel_pacer *p = NULL;
    assert_int_equal(bel_pacer_create(&c, &p), BEL_OK);
    assert_non_null(p);
    return p;
}

/* Step from t0 to t1, recording the times of phase changes into `at` (phase entered in `ph`). */
static int run(bel_pacer *p, double t0, double t1, double *at, bel_pacer_phase *ph, int max)
{
    bel_pacer_state st;
    bel_pacer_update(p, t0, &st);
    uint32_t seq = st.phase_seq;
    int n = 0;
    for (double t = t0 + DT; t <= t1 + 1e-9; t += DT) {
        bel_pacer_update(p, t, &st);
        if (st.phase_seq != seq) {
            seq = st.phase_seq;
            if (n < max) {
                at[n] = t;
                ph[n] = st.phase;
            }
            n++;
        }
    }
    return n;
}

static void test_pacer_resonance_is_4_in_6_out(void **state)
{
    (void)state;
    bel_pacer *p = make(BEL_PACER_RESONANCE);
    double at[16];
    bel_pacer_phase ph[16];
    /* Zero-length holds are passed through at once, so each cycle shows two changes. */
    int n = run(p, 0.0, 30.05, at, ph, 16);
    assert_true(n >= 6);
    double want_t[] = {4.0, 10.0, 14.0, 20.0, 24.0, 30.0};
    bel_pacer_phase want_ph[] = {BEL_PACER_OUT, BEL_PACER_IN,  BEL_PACER_OUT,
                                 BEL_PACER_IN,  BEL_PACER_OUT, BEL_PACER_IN};
    for (int i = 0; i < 6; i++) {
        assert_true(fabs(at[i] - want_t[i]) <= DT + 1e-6);
        assert_int_equal(ph[i], want_ph[i]);
    }
    bel_pacer_state st;
    bel_pacer_update(p, 31.0, &st); /* 1 s into IN */
    assert_int_equal(st.phase, BEL_PACER_IN);
    assert_true(fabsf(st.countdown_s - 3.0f) < 0.02f);
    assert_true(fabsf(st.progress - 0.25f) < 0.01f);
    assert_true(fabsf(st.rate_bpm - 6.0f) < 0.01f);
    bel_pacer_destroy(p);
}

static void test_pacer_guide_grows_rests_and_shrinks(void **state)
{
    (void)state;
    bel_pacer *p = make(BEL_PACER_BOX);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    float prev = -1.0f;
    for (double t = 0.05; t < 3.99; t += 0.05) { /* IN: grows */
        bel_pacer_update(p, t, &st);
        assert_int_equal(st.phase, BEL_PACER_IN);
        assert_true(st.size > prev);
        prev = st.size;
    }
    assert_true(prev > 0.99f);
    for (double t = 4.05; t < 7.99; t += 0.05) { /* HOLD_IN: full */
        bel_pacer_update(p, t, &st);
        assert_int_equal(st.phase, BEL_PACER_HOLD_IN);
        assert_true(st.size == 1.0f);
        assert_string_equal(bel_pacer_phase_word(st.phase), "hold");
    }
    prev = 2.0f;
    for (double t = 8.05; t < 11.99; t += 0.05) { /* OUT: shrinks */
        bel_pacer_update(p, t, &st);
        assert_int_equal(st.phase, BEL_PACER_OUT);
        assert_true(st.size < prev);
        prev = st.size;
    }
    assert_true(prev < 0.01f);
    for (double t = 12.05; t < 15.99; t += 0.05) { /* HOLD_OUT: small */
        bel_pacer_update(p, t, &st);
        assert_int_equal(st.phase, BEL_PACER_HOLD_OUT);
        assert_true(st.size == 0.0f);
    }
    bel_pacer_update(p, 16.5, &st);
    assert_int_equal(st.phase, BEL_PACER_IN);
    assert_true(fabsf(st.rate_bpm - 60.0f / 16.0f) < 0.01f);
    bel_pacer_destroy(p);
}

static void test_pacer_478_and_even_and_custom_timing(void **state)
{
    (void)state;
    double at[16];
    bel_pacer_phase ph[16];
    bel_pacer *p = make(BEL_PACER_478);
    int n = run(p, 100.0, 119.05, at, ph, 16);
    assert_int_equal(n, 3); /* hold_in at 4, out at 11, hold_out (0 s) and in at 19 */
    assert_int_equal(ph[0], BEL_PACER_HOLD_IN);
    assert_true(fabs(at[0] - 104.0) <= DT + 1e-6);
    assert_int_equal(ph[1], BEL_PACER_OUT);
    assert_true(fabs(at[1] - 111.0) <= DT + 1e-6);
    assert_int_equal(ph[2], BEL_PACER_IN);
    assert_true(fabs(at[2] - 119.0) <= DT + 1e-6);
    bel_pacer_destroy(p);

    p = make(BEL_PACER_EVEN);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    bel_pacer_update(p, 7.0, &st);
    assert_int_equal(st.phase, BEL_PACER_OUT);
    assert_true(fabsf(st.countdown_s - 3.0f) < 0.01f);
    bel_pacer_destroy(p);

    bel_pacer_config c = bel_pacer_config_default();
    c.preset = BEL_PACER_CUSTOM;
    c.phase_s[0] = 3.0f;
    c.phase_s[1] = 1.0f;
    c.phase_s[2] = 5.0f;
    c.phase_s[3] = 2.0f;
    assert_int_equal(bel_pacer_create(&c, &p), BEL_OK);
    bel_pacer_update(p, 0.0, &st);
    bel_pacer_update(p, 3.5, &st);
    assert_int_equal(st.phase, BEL_PACER_HOLD_IN);
    bel_pacer_update(p, 10.0, &st);
    assert_int_equal(st.phase, BEL_PACER_HOLD_OUT);
    assert_true(fabsf(st.rate_bpm - 60.0f / 11.0f) < 0.01f);
    bel_pacer_destroy(p);

    c.phase_s[2] = 0.0f; /* no exhale: refused */
    assert_int_equal(bel_pacer_create(&c, &p), BEL_ERR_ARG);
    assert_null(p);
}

static void test_pacer_pause_stops_time(void **state)
{
    (void)state;
    bel_pacer *p = make(BEL_PACER_RESONANCE);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    bel_pacer_update(p, 2.0, &st);
    float size = st.size;
    bel_pacer_set_paused(p, true);
    bel_pacer_update(p, 50.0, &st);
    assert_true(st.is_paused);
    assert_int_equal(st.phase, BEL_PACER_IN);
    assert_true(st.size == size);
    bel_pacer_set_paused(p, false);
    bel_pacer_update(p, 51.0, &st); /* 3 s into IN */
    assert_int_equal(st.phase, BEL_PACER_IN);
    assert_true(fabsf(st.countdown_s - 1.0f) < 0.01f);
    bel_pacer_destroy(p);
}

static void test_pacer_change_rate_keeps_proportions_and_position(void **state)
{
    (void)state;
    bel_pacer *p = make(BEL_PACER_RESONANCE);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    bel_pacer_update(p, 2.0, &st);
    float size = st.size;
    bel_pacer_change_rate(p, 1.0f);
    bel_pacer_update(p, 2.0, &st);
    assert_true(fabsf(st.rate_bpm - 7.0f) < 0.01f);
    assert_true(fabsf(st.size - size) < 1e-6f); /* no jump */
    assert_true(fabsf(st.phase_s - 4.0f * 6.0f / 7.0f) < 0.01f);
    for (int i = 0; i < 100; i++) {
        bel_pacer_change_rate(p, -0.5f);
    }
    bel_pacer_update(p, 2.0, &st);
    assert_true(fabsf(st.rate_bpm - 2.0f) < 0.01f); /* floor */
    bel_pacer_destroy(p);
}

static void test_pacer_adaptive_starts_at_own_rate_and_slows(void **state)
{
    (void)state;
    bel_pacer *p = make(BEL_PACER_ADAPTIVE);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    assert_true(fabsf(st.rate_bpm - 12.0f) < 0.01f); /* own rate unknown yet */
    bel_pacer_set_own_rate(p, NAN);
    bel_pacer_set_own_rate(p, 10.0f);
    bel_pacer_set_own_rate(p, 16.0f); /* only the first known rate counts */
    bel_pacer_update(p, 0.1, &st);
    assert_true(fabsf(st.rate_bpm - 10.0f) < 0.01f);
    double t = 0.1;
    for (; t < 119.0; t += 0.1) {
        bel_pacer_update(p, t, &st);
    }
    assert_true(fabsf(st.rate_bpm - 10.0f) < 0.01f);
    for (; t < 121.0; t += 0.1) {
        bel_pacer_update(p, t, &st);
    }
    assert_true(fabsf(st.rate_bpm - 9.5f) < 0.01f);
    /* Held in: no slowing for five minutes. */
    bel_pacer_set_holdin(p, true);
    for (; t < 421.0; t += 0.1) {
        bel_pacer_update(p, t, &st);
    }
    assert_true(st.is_holding_back);
    assert_true(fabsf(st.rate_bpm - 9.5f) < 0.01f);
    bel_pacer_set_holdin(p, false);
    /* Then 0.5/min every 2 min down to 6, never below. */
    for (; t < 421.0 + 60.0 * 30.0; t += 0.1) {
        bel_pacer_update(p, t, &st);
    }
    assert_false(st.is_holding_back);
    assert_true(fabsf(st.rate_bpm - 6.0f) < 0.01f);
    bel_pacer_destroy(p);

    p = make(BEL_PACER_ADAPTIVE);
    bel_pacer_set_own_rate(p, 30.0f); /* too fast to start at: capped */
    bel_pacer_update(p, 0.0, &st);
    assert_true(fabsf(st.rate_bpm - 20.0f) < 0.01f);
    bel_pacer_restart(p);
    bel_pacer_set_own_rate(p, 4.0f); /* slower than the target: starts at the target */
    bel_pacer_update(p, 1.0, &st);
    assert_true(fabsf(st.rate_bpm - 6.0f) < 0.01f);
    bel_pacer_destroy(p);
}

/* Breath onsets following the pacer with a lag and a little jitter, or at a rate of their own. */
static bel_pacer_follow score_breathing(double lag_s, double own_period_s)
{
    bel_pacer *p = make(BEL_PACER_RESONANCE);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    uint32_t seq = st.phase_seq;
    double pending_t[64];
    bel_event_kind pending_k[64];
    int n_pending = 0;
    double next_own_s = 1.0;
    bool own_in = true;
    unsigned lcg = 12345u;
    for (double t = DT; t < 300.0; t += DT) {
        bel_pacer_update(p, t, &st);
        if (own_period_s <= 0.0 && st.phase_seq != seq) {
            seq = st.phase_seq;
            lcg = lcg * 1103515245u + 12345u;
            double jitter = ((double)(lcg >> 16 & 0x7fff) / 32767.0 - 0.5) * 0.3;
            if (st.phase == BEL_PACER_IN || st.phase == BEL_PACER_OUT) {
                pending_t[n_pending] = t + lag_s + jitter;
                pending_k[n_pending] =
                    st.phase == BEL_PACER_IN ? BEL_EV_INSP_ONSET : BEL_EV_EXP_ONSET;
                n_pending++;
            }
        }
        if (own_period_s > 0.0 && t >= next_own_s) {
            pending_t[n_pending] = t;
            pending_k[n_pending] = own_in ? BEL_EV_INSP_ONSET : BEL_EV_EXP_ONSET;
            n_pending++;
            next_own_s += own_in ? 0.4 * own_period_s : 0.6 * own_period_s;
            own_in = !own_in;
        }
        /* The pipeline reports a turning point about a second after it happened. */
        int keep = 0;
        for (int i = 0; i < n_pending; i++) {
            if (pending_t[i] + 1.0 <= t) {
                bel_event ev = bel_event_make(pending_k[i], pending_t[i], t);
                bel_pacer_note_event(p, &ev);
            } else {
                pending_t[keep] = pending_t[i];
                pending_k[keep] = pending_k[i];
                keep++;
            }
        }
        n_pending = keep;
    }
    bel_pacer_follow f;
    bel_pacer_get_follow(p, &f);
    bel_pacer_destroy(p);
    return f;
}

static void test_pacer_follow_score_tracks_phase_difference(void **state)
{
    (void)state;
    bel_pacer_follow on_time = score_breathing(0.0, 0.0);
    assert_true(on_time.n_onsets >= 55);
    assert_true(on_time.score > 0.95f);
    assert_true(on_time.session_score > 0.95f);
    assert_true(fabsf(on_time.lag_s) < 0.2f);

    bel_pacer_follow late = score_breathing(1.0, 0.0); /* 1 s of 10: cos(36 deg) = 0.81 */
    assert_true(late.score > 0.72f && late.score < 0.88f);
    assert_true(fabsf(late.lag_s - 1.0f) < 0.2f);

    bel_pacer_follow opposite = score_breathing(5.0, 0.0);
    assert_true(opposite.session_score < 0.05f);

    bel_pacer_follow own = score_breathing(0.0, 60.0 / 14.0); /* breathing at 14/min */
    assert_true(own.n_onsets > 100);
    assert_true(own.session_score < 0.2f);

    bel_pacer *p = make(BEL_PACER_RESONANCE);
    bel_pacer_follow none;
    bel_pacer_get_follow(p, &none);
    assert_true(isnan(none.score) && isnan(none.session_score));
    assert_int_equal(none.n_onsets, 0);
    bel_pacer_destroy(p);
}

/* A person breathing for dur_s: following the pacer (own_period_s 0) with lag_s and up
 * to +-jitter_s on each turn (each exhalation exp_early_s earlier), or at their own period from
 * phase0_s on (in_frac of it breathing in). With is_turned the belt reads smaller on expansion, so
 * each onset is found as the other kind. The pipeline reports each a second late. *t_turned_s: when
 * is_turned_round first said so (NAN: never); *n_cycles_then: the pacer's cycles begun by then;
 * t_worn_s and n_cycles_worn the same for is_as_worn. */
typedef struct follower_run {
    bel_pacer_follow end;
    double t_turned_s;
    int n_cycles_then;
    double t_worn_s;
    int n_cycles_worn;
} follower_run;

static follower_run run_follower(bel_pacer *p, double lag_s, double jitter_s, bool is_turned,
                                 double own_period_s, double in_frac, double phase0_s, double dur_s,
                                 double exp_early_s)
{
    follower_run out = {.t_turned_s = NAN, .t_worn_s = NAN};
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    uint32_t seq = st.phase_seq;
    int n_cycles = 1;
    double pending_t[64];
    bel_event_kind pending_k[64];
    int n_pending = is_turned ? 0 : 0;
    double next_own_s = phase0_s;
    bool own_in = true;
    unsigned lcg = 777u;
    bel_event_kind first = BEL_EV_INSP_ONSET;
    if (own_period_s <= 0.0) { /* the first IN, at 0 */
        pending_t[n_pending] = lag_s;
        pending_k[n_pending++] = first;
    }
    for (double t = DT; t < dur_s; t += DT) {
        bel_pacer_update(p, t, &st);
        if (st.phase_seq != seq) {
            seq = st.phase_seq;
            n_cycles += st.phase == BEL_PACER_IN;
            lcg = lcg * 1103515245u + 12345u;
            const double jitter = ((double)(lcg >> 16 & 0x7fff) / 32767.0 - 0.5) * 2.0 * jitter_s;
            if (own_period_s <= 0.0 && (st.phase == BEL_PACER_IN || st.phase == BEL_PACER_OUT)) {
                const bool is_in = st.phase == BEL_PACER_IN;
                pending_t[n_pending] = t + lag_s + jitter - (is_in ? 0.0 : exp_early_s);
                pending_k[n_pending++] = is_in ? BEL_EV_INSP_ONSET : BEL_EV_EXP_ONSET;
            }
        }
        if (own_period_s > 0.0 && t >= next_own_s) {
            pending_t[n_pending] = t;
            pending_k[n_pending++] = own_in ? BEL_EV_INSP_ONSET : BEL_EV_EXP_ONSET;
            next_own_s += own_in ? in_frac * own_period_s : (1.0 - in_frac) * own_period_s;
            own_in = !own_in;
        }
        int keep = 0;
        for (int i = 0; i < n_pending; i++) {
            if (pending_t[i] + 1.0 <= t) {
                bel_event_kind k = pending_k[i];
                if (is_turned) {
                    k = k == BEL_EV_INSP_ONSET ? BEL_EV_EXP_ONSET : BEL_EV_INSP_ONSET;
                }
                bel_event ev = bel_event_make(k, pending_t[i], t);
                bel_pacer_note_event(p, &ev);
                bel_pacer_follow f;
                bel_pacer_get_follow(p, &f);
                if (f.is_turned_round && isnan(out.t_turned_s)) {
                    out.t_turned_s = t;
                    out.n_cycles_then = n_cycles;
                }
                if (f.is_as_worn && isnan(out.t_worn_s)) {
                    out.t_worn_s = t;
                    out.n_cycles_worn = n_cycles;
                }
            } else {
                pending_t[keep] = pending_t[i];
                pending_k[keep] = pending_k[i];
                keep++;
            }
        }
        n_pending = keep;
    }
    bel_pacer_get_follow(p, &out.end);
    return out;
}

/* Someone who follows the pacer while the belt reads the other way round turns with
 * it the other way: said by the fifth cycle (four breaths' onsets, each a second
 * late), whatever the pattern and however slowly they follow; never for someone who
 * follows it read as worn, nor for breathing at a rate of one's own (at 3/min against
 * 6/min, locked to every other cycle, every onset can be near a phase start). The
 * mirror, is_as_worn, the same way: by the fifth cycle for someone following it as
 * read (custom:4-8-4-0 too, held at the top, whose breath's shape reads like a
 * natural one turned round), never the other way round nor for one's own rate. */
static void test_pacer_says_when_followed_the_other_way_round(void **state)
{
    (void)state;
    const bel_pacer_preset presets[] = {BEL_PACER_RESONANCE, BEL_PACER_BOX,      BEL_PACER_478,
                                        BEL_PACER_EVEN,      BEL_PACER_ADAPTIVE, BEL_PACER_CUSTOM};
    const double lags[] = {-0.5, 0.0, 0.3, 1.0, 1.6};
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 5; j++) {
            bel_pacer_follow worn = {0};
            for (int turned = 0; turned < 2; turned++) {
                bel_pacer_config c = bel_pacer_config_default();
                c.preset = presets[i];
                const float held_at_top[4] = {4.0f, 8.0f, 4.0f, 0.0f};
                memcpy(c.phase_s, held_at_top, sizeof held_at_top); /* CUSTOM only */
                bel_pacer *p = NULL;
                assert_int_equal(bel_pacer_create(&c, &p), BEL_OK);
                /* adaptive: 12/min (5 s) until told the person's rate */
                const double lag = presets[i] == BEL_PACER_ADAPTIVE ? 0.5 * lags[j] : lags[j];
                follower_run r = run_follower(p, lag, 0.3, turned, 0.0, 0.5, 0.0, 300.0, 0.0);
                char what[96];
                snprintf(what, sizeof what, "%s lag %.1f %s: turned round at %.1f s (cycle %d)",
                         bel_pacer_preset_name(presets[i]), lag, turned ? "turned" : "as worn",
                         r.t_turned_s, r.n_cycles_then);
                if (turned ? !isnan(r.t_worn_s) : !(r.n_cycles_worn >= 4 && r.n_cycles_worn <= 5)) {
                    fail_msg("%s: as worn at %.1f s (cycle %d), want %s", what, r.t_worn_s,
                             r.n_cycles_worn, turned ? "never" : "by cycle 5");
                }
                if (turned) {
                    if (!(r.n_cycles_then >= 4 && r.n_cycles_then <= 5)) {
                        fail_msg("%s, want by cycle 5", what);
                    }
                    assert_true(r.end.is_turned_round);
                    assert_true(r.end.session_score < 0.3f);
                    /* Turned round, the same onsets score as they do read as worn. */
                    bel_pacer_turn_round(p);
                    bel_pacer_follow f;
                    bel_pacer_get_follow(p, &f);
                    assert_false(f.is_turned_round);
                    assert_true(fabsf(f.score - worn.score) < 0.01f);
                    assert_true(fabsf(f.lag_s - worn.lag_s) < 0.05f);
                    assert_true(fabsf(f.session_score - worn.session_score) < 0.02f);
                } else if (!isnan(r.t_turned_s)) {
                    fail_msg("%s, want never", what);
                } else {
                    worn = r.end;
                }
                bel_pacer_destroy(p);
            }
        }
    }
    /* 4-7-8 the other way round: the end of the breath held in, a hold at the bottom
     * that sags as read, is found up to 1.2 s early (the simulated person's). Said by
     * the fifth cycle all the same. */
    for (int j = 0; j < 3; j++) {
        bel_pacer *p = make(BEL_PACER_478);
        follower_run r = run_follower(p, 0.3, 0.3, true, 0.0, 0.5, 0.0, 300.0, 0.8 + 0.2 * j);
        if (!(r.n_cycles_then >= 4 && r.n_cycles_then <= 5)) {
            fail_msg("4-7-8 turned, exhalations %.1f s early: turned round at %.1f s (cycle %d)",
                     0.8 + 0.2 * j, r.t_turned_s, r.n_cycles_then);
        }
        bel_pacer_destroy(p);
    }
    /* Breathing at one's own pace, from 3 to 20 a minute (leaving out 5.7-6.3, within
     * 5 % of the pacer's own, where a steady breath is one that follows it), at any phase, against
     * the even pacer (5 in, 5 out) with as much in as out (or 40 % in), and against resonance (4
     * in, 6 out): never. Near the pacer's rate the breath drifts slowly through the other way's
     * phase. */
    for (double bpm = 3.0; bpm <= 20.0; bpm += 0.25) {
        if (bpm > 5.7 && bpm < 6.3) {
            continue;
        }
        for (int k = 0; k < 8; k++) {
            for (int kind = 0; kind < 3; kind++) {
                bel_pacer *p = make(kind == 2 ? BEL_PACER_RESONANCE : BEL_PACER_EVEN);
                const double period = 60.0 / bpm;
                const double in_frac = kind == 0 ? 0.5 : 0.4;
                follower_run r = run_follower(p, 0.0, 0.0, false, period, in_frac,
                                              0.5 + k * period / 8.0, 600.0, 0.0);
                if (!isnan(r.t_turned_s)) {
                    fail_msg("own breathing at %.2f/min (%.0f %% in, phase %d/8, %s): turned "
                             "round at %.1f s",
                             bpm, 100.0 * in_frac, k, kind == 2 ? "resonance" : "even",
                             r.t_turned_s);
                }
                bel_pacer_destroy(p);
                /* Read the other way round: never as worn (the shape may still turn it). */
                p = make(kind == 2 ? BEL_PACER_RESONANCE : BEL_PACER_EVEN);
                r = run_follower(p, 0.0, 0.0, true, period, in_frac, 0.5 + k * period / 8.0, 600.0,
                                 0.0);
                if (!isnan(r.t_worn_s)) {
                    fail_msg("own breathing at %.2f/min read turned round (phase %d/8): as worn "
                             "at %.1f s",
                             bpm, k, r.t_worn_s);
                }
                bel_pacer_destroy(p);
            }
        }
    }
}

static void test_pacer_names_and_bad_config(void **state)
{
    (void)state;
    assert_int_equal(bel_pacer_preset_from_name("box"), BEL_PACER_BOX);
    assert_int_equal(bel_pacer_preset_from_name("478"), BEL_PACER_478);
    assert_int_equal(bel_pacer_preset_from_name("4-7-8"), BEL_PACER_478);
    assert_int_equal(bel_pacer_preset_from_name("adaptive"), BEL_PACER_ADAPTIVE);
    assert_int_equal(bel_pacer_preset_from_name("fast"), -1);
    /* As --pacer takes it: the phases come with the name. */
    float ph[4] = {0};
    assert_int_equal(bel_pacer_from_name("4-7-8", ph), BEL_PACER_478);
    assert_true(ph[0] == 4.0f && ph[1] == 7.0f && ph[2] == 8.0f && ph[3] == 0.0f);
    assert_int_equal(bel_pacer_from_name(NULL, ph), BEL_PACER_RESONANCE);
    assert_true(ph[0] == 4.0f && ph[1] == 0.0f && ph[2] == 6.0f && ph[3] == 0.0f);
    assert_int_equal(bel_pacer_from_name("custom:4-2-6.5-0", ph), BEL_PACER_CUSTOM);
    assert_true(ph[0] == 4.0f && ph[1] == 2.0f && ph[2] == 6.5f && ph[3] == 0.0f);
    assert_int_equal(bel_pacer_from_name("adaptive", ph), BEL_PACER_ADAPTIVE);
    const char *bad[] = {
        "custom", "custom:4-2-6", "custom:0-0-6-0", "custom:4-2-6-0x", "custom:4-61-6-0", "fast",
        ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bel_pacer_from_name(bad[i], ph), -1);
    }
    /* The pattern a simulated person can follow: fixed ones only, phases untouched else. */
    float fixed[4] = {9.0f, 9.0f, 9.0f, 9.0f};
    assert_false(bel_pacer_fixed_phases("adaptive", fixed));
    assert_false(bel_pacer_fixed_phases("custom:4-2-6", fixed));
    assert_true(fixed[0] == 9.0f && fixed[1] == 9.0f && fixed[2] == 9.0f && fixed[3] == 9.0f);
    assert_true(bel_pacer_fixed_phases("box", fixed));
    assert_true(fixed[0] == 4.0f && fixed[1] == 4.0f && fixed[2] == 4.0f && fixed[3] == 4.0f);
    assert_true(bel_pacer_fixed_phases("custom:1.5-0-2.5-0", fixed));
    assert_true(fixed[0] == 1.5f && fixed[1] == 0.0f && fixed[2] == 2.5f && fixed[3] == 0.0f);
    assert_string_equal(bel_pacer_preset_name(BEL_PACER_RESONANCE), "resonance");
    bel_pacer_config c = bel_pacer_config_default();
    c.preset = BEL_PACER_ADAPTIVE;
    c.target_bpm = 1.0f;
    bel_pacer *p = NULL;
    assert_int_equal(bel_pacer_create(&c, &p), BEL_ERR_ARG);
    assert_null(p);
    assert_int_equal(bel_pacer_create(NULL, &p), BEL_ERR_ARG);
    bel_pacer_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pacer_resonance_is_4_in_6_out),
        cmocka_unit_test(test_pacer_guide_grows_rests_and_shrinks),
        cmocka_unit_test(test_pacer_478_and_even_and_custom_timing),
        cmocka_unit_test(test_pacer_pause_stops_time),
        cmocka_unit_test(test_pacer_change_rate_keeps_proportions_and_position),
        cmocka_unit_test(test_pacer_adaptive_starts_at_own_rate_and_slows),
        cmocka_unit_test(test_pacer_follow_score_tracks_phase_difference),
        cmocka_unit_test(test_pacer_says_when_followed_the_other_way_round),
        cmocka_unit_test(test_pacer_names_and_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
