/* test_tone.c - tone synthesis: cue and breath-tone pitch, cue timing, no clicks, hold-in rate
 * limit, switches and mute.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bellows/tone.h"

static const double FS = 48000.0;
enum { BUF = 256 };

typedef struct rig {
    bel_tone_params params;
    bel_tone *tone;
} rig;

static void rig_open(rig *r)
{
    bel_tone_params_init(&r->params);
    bel_tone_config c = bel_tone_config_default(FS);
    assert_int_equal(bel_tone_create(&c, &r->tone), BEL_OK);
}

/* n frames of mono output into out, in buffers of `buf` frames. */
static void render(rig *r, float *out, int n, int buf)
{
    for (int i = 0; i < n; i += buf) {
        int k = n - i < buf ? n - i : buf;
        bel_tone_process(r->tone, &r->params, out + i, k, 1);
    }
}

/* Frequency from rising zero crossings in [a, b): first to last crossing, interpolated. */
static double zc_freq(const float *x, int a, int b)
{
    double first = -1.0;
    double last = -1.0;
    int n = 0;
    for (int i = a + 1; i < b; i++) {
        if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
            double frac = (double)(-x[i - 1]) / (double)(x[i] - x[i - 1]);
            double t = (double)(i - 1) + frac;
            if (first < 0.0) {
                first = t;
            } else {
                n++;
            }
            last = t;
        }
    }
    return n > 0 ? (double)n * FS / (last - first) : 0.0;
}

static float max_jump(const float *x, int n)
{
    float m = 0.0f;
    for (int i = 1; i < n; i++) {
        float d = fabsf(x[i] - x[i - 1]);
        m = d > m ? d : m;
    }
    return m;
}

static double rms(const float *x, int a, int b)
{
    double s = 0.0;
    for (int i = a; i < b; i++) {
        s += (double)x[i] * (double)x[i];
    }
    return sqrt(s / (b - a));
}

static void test_tone_cue_pitches(void **state)
{
    (void)state;
    const bel_tone_cue cues[] = {BEL_TONE_CUE_IN, BEL_TONE_CUE_HOLD, BEL_TONE_CUE_OUT};
    const double want[] = {523.25, 392.0, 329.63};
    int n = (int)(0.6 * FS);
    float *x = calloc((size_t)n, sizeof *x);
    assert_non_null(x);
    for (int k = 0; k < 3; k++) {
        rig r;
        rig_open(&r);
        bel_tone_set_breath_on(&r.params, false);
        render(&r, x, 4800, BUF); /* let the breath tone fade out */
        bel_tone_request_cue(&r.params, cues[k]);
        render(&r, x, n, BUF);
        double f = zc_freq(x, (int)(0.05 * FS), (int)(0.5 * FS));
        assert_true(fabs(f - want[k]) < 1.0);
        assert_int_equal(bel_tone_get_cues_played(r.tone, cues[k]), 1);
        bel_tone_destroy(r.tone);
    }
    free(x);
}

static void test_tone_cue_starts_at_next_buffer_and_ends(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    bel_tone_set_breath_on(&r.params, false);
    int n = (int)(1.2 * FS);
    float *x = calloc((size_t)n, sizeof *x);
    assert_non_null(x);
    render(&r, x, 9600, BUF);
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_OUT);
    render(&r, x, n, BUF);
    int first = -1;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (fabsf(x[i]) > 0.01f) {
            first = first < 0 ? i : first;
            last = i;
        }
    }
    /* Audible within the attack (15 ms), silent after the cue length (0.9 s). */
    assert_true(first >= 0 && first < (int)(0.015 * FS));
    assert_true(last < (int)(0.9 * FS));
    assert_true(last > (int)(0.5 * FS));
    assert_true(rms(x, (int)(0.91 * FS), n) < 1e-6);
    free(x);
    bel_tone_destroy(r.tone);
}

static void test_tone_breath_pitch_follows_expansion(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    int n = (int)FS;
    float *x = calloc((size_t)n, sizeof *x);
    assert_non_null(x);
    bel_tone_set_expansion(&r.params, 0.0f);
    render(&r, x, n, BUF);
    double f0 = zc_freq(x, n / 4, n);
    bel_tone_set_expansion(&r.params, 1.0f);
    render(&r, x, n, BUF);
    double f1 = zc_freq(x, n / 2, n);
    bel_tone_set_expansion(&r.params, 0.5f);
    render(&r, x, n, BUF);
    double fh = zc_freq(x, n / 2, n);
    assert_true(fabs(f0 - 165.0) < 1.0);
    assert_true(fabs(f1 - 165.0 * sqrt(2.0)) < 1.5); /* half an octave up */
    assert_true(fh > f0 + 10.0 && fh < f1 - 10.0);
    free(x);
    bel_tone_destroy(r.tone);
}

static void test_tone_parameter_changes_do_not_click(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    bel_tone_set_volume(&r.params, 1.0f);
    int n = (int)(8.0 * FS);
    float *x = calloc((size_t)n, sizeof *x);
    assert_non_null(x);
    /* Abrupt changes every 37 ms at odd places, with cues on top, in small buffers. */
    int step = (int)(0.037 * FS);
    int k = 0;
    for (int i = 0; i < n; i += step, k++) {
        switch (k % 9) {
        case 0:
            bel_tone_set_muted(&r.params, true);
            break;
        case 1:
            bel_tone_set_muted(&r.params, false);
            bel_tone_request_cue(&r.params, BEL_TONE_CUE_IN);
            break;
        case 2:
            bel_tone_set_expansion(&r.params, 1.0f);
            break;
        case 3:
            bel_tone_set_breath_on(&r.params, false);
            bel_tone_request_cue(&r.params, BEL_TONE_CUE_HOLDIN);
            break;
        case 4:
            bel_tone_set_cues_on(&r.params, false);
            break;
        case 5:
            bel_tone_set_breath_on(&r.params, true);
            bel_tone_set_cues_on(&r.params, true);
            bel_tone_request_cue(&r.params, BEL_TONE_CUE_OUT);
            break;
        case 6:
            bel_tone_set_volume(&r.params, 0.0f);
            break;
        case 7:
            bel_tone_set_volume(&r.params, 1.0f);
            bel_tone_set_expansion(&r.params, 0.0f);
            break;
        default:
            bel_tone_set_holdin_cue_on(&r.params, k % 2 == 0);
            break;
        }
        int len = n - i < step ? n - i : step;
        render(&r, x + i, len, 61);
    }
    float jump = max_jump(x, n);
    float peak = 0.0f;
    for (int i = 0; i < n; i++) {
        peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
    }
    printf("max sample-to-sample jump %.4f (peak %.3f)\n", (double)jump, (double)peak);
    /* The loudest sines move at most amp * 2 pi f / fs per sample: 0.22 * 2 pi * 523 / 48000
     * = 0.015 for a cue, 0.006 for the breath tone. A step in any gain would be
     * at least 0.1 here. */
    assert_true(peak > 0.2f);
    assert_true(jump < 0.035f);
    free(x);
    bel_tone_destroy(r.tone);
}

static void test_tone_holdin_cue_at_most_once_per_20_s(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    float x[BUF];
    double t = 0.0;
    int asked = 0;
    for (; t < 60.0; t += BUF / FS) {
        /* Ask every second. */
        if ((int)(t + BUF / FS) != (int)t) {
            bel_tone_request_cue(&r.params, BEL_TONE_CUE_HOLDIN);
            asked++;
        }
        bel_tone_process(r.tone, &r.params, x, BUF, 1);
    }
    assert_true(asked >= 59);
    assert_int_equal(bel_tone_get_cues_played(r.tone, BEL_TONE_CUE_HOLDIN), 3); /* 0, 20, 40 s */

    /* Switched off: not played, and not played later either. */
    bel_tone_set_holdin_cue_on(&r.params, false);
    for (; t < 90.0; t += BUF / FS) {
        bel_tone_process(r.tone, &r.params, x, BUF, 1);
    }
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_HOLDIN);
    bel_tone_process(r.tone, &r.params, x, BUF, 1);
    bel_tone_set_holdin_cue_on(&r.params, true);
    bel_tone_process(r.tone, &r.params, x, BUF, 1);
    assert_int_equal(bel_tone_get_cues_played(r.tone, BEL_TONE_CUE_HOLDIN), 3);
    bel_tone_destroy(r.tone);
}

static void test_tone_switches_and_mute_silence(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    int n = (int)(0.5 * FS);
    float *x = calloc((size_t)n, sizeof *x);
    assert_non_null(x);
    render(&r, x, n, BUF);
    assert_true(rms(x, n / 2, n) > 0.03); /* breath tone audible */
    bel_tone_set_muted(&r.params, true);
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_IN);
    render(&r, x, n, BUF);
    assert_true(rms(x, n / 2, n) < 1e-4);
    bel_tone_set_muted(&r.params, false);
    bel_tone_set_breath_on(&r.params, false);
    bel_tone_set_cues_on(&r.params, false);
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_IN);
    render(&r, x, n, BUF);
    assert_true(rms(x, n / 2, n) < 1e-4);
    assert_int_equal(bel_tone_get_cues_played(r.tone, BEL_TONE_CUE_IN), 1); /* the muted one */
    /* Volume scales the output. */
    bel_tone_set_breath_on(&r.params, true);
    bel_tone_set_volume(&r.params, 0.2f);
    render(&r, x, n, BUF);
    double quiet = rms(x, n / 2, n);
    bel_tone_set_volume(&r.params, 0.8f);
    render(&r, x, n, BUF);
    double loud = rms(x, n / 2, n);
    assert_true(fabs(loud / quiet - 4.0) < 0.1);
    /* Stereo: the same on both channels. */
    float st[2 * BUF];
    bel_tone_process(r.tone, &r.params, st, BUF, 2);
    for (int i = 0; i < BUF; i++) {
        assert_true(st[2 * i] == st[2 * i + 1]);
    }
    free(x);
    bel_tone_destroy(r.tone);
}

static void test_tone_params_lock_free_and_bad_config(void **state)
{
    (void)state;
    bel_tone_params p;
    bel_tone_params_init(&p);
    assert_true(bel_tone_params_is_lock_free(&p));
    bel_tone_set_expansion(&p, NAN);
    assert_true(atomic_load(&p.expansion) == 0.0f);
    bel_tone_set_volume(&p, 3.0f);
    assert_true(atomic_load(&p.volume) == 1.0f);
    bel_tone_config c = bel_tone_config_default(1000.0);
    bel_tone *t = NULL;
    assert_int_equal(bel_tone_create(&c, &t), BEL_ERR_ARG);
    assert_null(t);
    c = bel_tone_config_default(FS);
    c.cue_hz[BEL_TONE_CUE_IN] = 30000.0f;
    assert_int_equal(bel_tone_create(&c, &t), BEL_ERR_ARG);
    bel_tone_destroy(NULL);
    assert_int_equal(bel_tone_cue_for_phase(BEL_PACER_HOLD_OUT), BEL_TONE_CUE_HOLD);
    assert_int_equal(bel_tone_cue_for_phase(BEL_PACER_OUT), BEL_TONE_CUE_OUT);
}

/* The breath-hold cue: a falling pair (A4 then E4), gentler than the hold-in cue, at most
 * once per 20 s, switched on and off on its own (not with the hold-in or pacer cues). */
static void test_tone_breath_hold_cue(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    bel_tone_set_breath_on(&r.params, false);
    bel_tone_set_cues_on(&r.params, false);
    bel_tone_set_holdin_cue_on(&r.params, false);
    const int n = (int)(1.2 * FS);
    float *x = calloc((size_t)n, sizeof *x);
    assert_non_null(x);
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_BREATH_HOLD);
    render(&r, x, n, BUF);
    assert_int_equal(bel_tone_get_cues_played(r.tone, BEL_TONE_CUE_BREATH_HOLD), 1);
    const double f1 = zc_freq(x, (int)(0.05 * FS), (int)(0.3 * FS));
    const double f2 = zc_freq(x, (int)(1.0 * FS), (int)(1.15 * FS));
    printf("breath-hold cue: %.1f Hz then %.1f Hz\n", f1, f2);
    assert_true(fabs(f1 - 440.0) < 5.0);
    assert_true(fabs(f2 - 329.6) < 5.0);
    float peak_hold = 0.0f;
    for (int i = 0; i < n; i++) {
        peak_hold = fmaxf(peak_hold, fabsf(x[i]));
    }
    /* Asked again at once: skipped (20 s). */
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_BREATH_HOLD);
    render(&r, x, n, BUF);
    assert_int_equal(bel_tone_get_cues_played(r.tone, BEL_TONE_CUE_BREATH_HOLD), 1);
    bel_tone_destroy(r.tone);

    /* Gentler than the hold-in cue; switched off, silent. */
    rig_open(&r);
    bel_tone_set_breath_on(&r.params, false);
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_HOLDIN);
    render(&r, x, n, BUF);
    float peak_holdin = 0.0f;
    for (int i = 0; i < n; i++) {
        peak_holdin = fmaxf(peak_holdin, fabsf(x[i]));
    }
    printf("peaks: breath-hold %.3f, hold-in %.3f\n", (double)peak_hold, (double)peak_holdin);
    assert_true(peak_hold > 0.4f * peak_holdin && peak_hold < 0.8f * peak_holdin);
    bel_tone_set_hold_cue_on(&r.params, false);
    render(&r, x, n, BUF); /* let the gain ramp down */
    bel_tone_request_cue(&r.params, BEL_TONE_CUE_BREATH_HOLD);
    render(&r, x, n, BUF);
    float peak_off = 0.0f;
    for (int i = 0; i < n; i++) {
        peak_off = fmaxf(peak_off, fabsf(x[i]));
    }
    assert_true(peak_off < 1e-4f);
    free(x);
    bel_tone_destroy(r.tone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tone_cue_pitches),
        cmocka_unit_test(test_tone_cue_starts_at_next_buffer_and_ends),
        cmocka_unit_test(test_tone_breath_pitch_follows_expansion),
        cmocka_unit_test(test_tone_parameter_changes_do_not_click),
        cmocka_unit_test(test_tone_holdin_cue_at_most_once_per_20_s),
        cmocka_unit_test(test_tone_switches_and_mute_silence),
        cmocka_unit_test(test_tone_breath_hold_cue),
        cmocka_unit_test(test_tone_params_lock_free_and_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
