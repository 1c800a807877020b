/* test_filter.c - biquad responses and the running median.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "bellows/filter.h"
#include "core_math.h"

static const double pi = 3.14159265358979323846;

/* Amplitude of the steady-state response to a sine, measured by running it. */
static double measured_gain(bel_biquad *f, double fs, double freq)
{
    bel_biquad_reset(f, 0.0);
    const int n = (int)(fs * 40.0);
    double peak = 0.0;
    for (int i = 0; i < n; i++) {
        const double y = bel_biquad_process(f, sin(2.0 * pi * freq * i / fs));
        if (i > n / 2 && fabs(y) > peak) {
            peak = fabs(y);
        }
    }
    return peak;
}

static void test_filter_lowpass_passes_breath_and_stops_heartbeat(void **state)
{
    (void)state;
    bel_biquad f;
    assert_int_equal(bel_biquad_init_lowpass(&f, 50.0, 0.5), BEL_OK);
    /* 12 breaths/min passes, the cutoff is -3 dB, a 75/min heart beat is attenuated. */
    assert_true(fabs(measured_gain(&f, 50.0, 0.2) - 1.0) < 0.03);
    assert_true(fabs(measured_gain(&f, 50.0, 0.5) - sqrt(0.5)) < 0.02);
    assert_true(measured_gain(&f, 50.0, 1.25) < 0.2);
    assert_true(fabs(bel_biquad_gain(&f, 50.0, 0.5) - sqrt(0.5)) < 1e-6);
}

static void test_filter_highpass_removes_offset(void **state)
{
    (void)state;
    bel_biquad f;
    assert_int_equal(bel_biquad_init_highpass(&f, 100.0, 0.05), BEL_OK);
    bel_biquad_reset(&f, 0.0);
    double y = 0.0;
    for (int i = 0; i < 100 * 200; i++) {
        y = bel_biquad_process(&f, 512.0);
    }
    assert_true(fabs(y) < 1e-3);
    assert_true(fabs(bel_biquad_gain(&f, 100.0, 1.0) - 1.0) < 0.01);
}

static void test_filter_reset_starts_without_a_step(void **state)
{
    (void)state;
    bel_biquad f;
    assert_int_equal(bel_biquad_init_lowpass(&f, 125.0, 1.0), BEL_OK);
    bel_biquad_reset(&f, 731.0);
    for (int i = 0; i < 50; i++) {
        assert_true(fabs(bel_biquad_process(&f, 731.0) - 731.0) < 1e-9);
    }
}

static void test_filter_rejects_cutoff_outside_band(void **state)
{
    (void)state;
    bel_biquad f;
    assert_int_equal(bel_biquad_init_lowpass(&f, 50.0, 30.0), BEL_ERR_ARG);
    assert_int_equal(bel_biquad_init_lowpass(&f, 50.0, 0.0), BEL_ERR_ARG);
    assert_int_equal(bel_biquad_init_highpass(&f, 0.0, 1.0), BEL_ERR_ARG);
    /* Left as a pass-through, never garbage, sample after sample. */
    assert_true(fabs(bel_biquad_process(&f, 3.0) - 3.0) < 1e-12);
    for (int i = 0; i < 100; i++) {
        const double x = 500.0 + 300.0 * sin(0.37 * i);
        assert_true(bel_biquad_process(&f, x) == x);
    }
}

static void test_filter_median_removes_single_spike(void **state)
{
    (void)state;
    bel_median m;
    assert_int_equal(bel_median_init(&m, 5), BEL_OK);
    const float in[] = {10, 11, 12, 900, 14, 15, 16, 17, 18};
    float out[9];
    for (int i = 0; i < 9; i++) {
        out[i] = bel_median_process(&m, in[i]);
    }
    for (int i = 4; i < 9; i++) {
        /* The output follows the ramp two samples late; the spike never shows. */
        assert_true(out[i] < 20.0f);
        assert_true(fabsf(out[i] - (float)(10 + i - 2)) <= 1.0f);
    }
}

static void test_filter_median_of_window(void **state)
{
    (void)state;
    bel_median m;
    assert_int_equal(bel_median_init(&m, 3), BEL_OK);
    assert_true(bel_median_process(&m, 5.0f) == 5.0f);
    (void)bel_median_process(&m, 1.0f);
    assert_true(bel_median_process(&m, 3.0f) == 3.0f);
    assert_true(bel_median_process(&m, 9.0f) == 3.0f); /* {1,3,9} */
    assert_true(bel_median_process(&m, 8.0f) == 8.0f); /* {3,9,8} */
    assert_int_equal(bel_median_init(&m, 4), BEL_ERR_ARG);
    assert_int_equal(bel_median_init(&m, BEL_MEDIAN_MAX + 2), BEL_ERR_ARG);
}

/* Median of the last n of v[0..i] (fewer while filling), by sorting a copy. */
static float median_by_sort(const float *v, int i, int n)
{
    float w[BEL_MEDIAN_MAX];
    const int k = i + 1 < n ? i + 1 : n;
    for (int j = 0; j < k; j++) {
        w[j] = v[i - k + 1 + j];
    }
    for (int a = 1; a < k; a++) {
        for (int b = a; b > 0 && w[b - 1] > w[b]; b--) {
            const float t = w[b];
            w[b] = w[b - 1];
            w[b - 1] = t;
        }
    }
    return w[k / 2];
}

/* Every window length gives the median a full sort gives, on values with many
 * ties (the belts' integer readings) and on distinct ones. */
static void test_filter_median_matches_a_sort(void **state)
{
    (void)state;
    enum { N = 2000 };
    static float v[N];
    uint32_t seed = 12345u;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = i < N / 2 ? (float)(seed >> 29) : (float)(seed >> 8) * 1e-3f - 8000.0f;
    }
    for (int n = 1; n <= BEL_MEDIAN_MAX; n += 2) {
        bel_median m;
        assert_int_equal(bel_median_init(&m, n), BEL_OK);
        for (int i = 0; i < N; i++) {
            assert_true(bel_median_process(&m, v[i]) == median_by_sort(v, i, n));
        }
    }
}

/* Two windows side by side give, to the bit (signed zeros too), what a
 * bel_median of each one's own samples gives: pushed together or one alone,
 * the second starting late, emptied again, for every window length. */
static void test_filter_median2_is_two_medians(void **state)
{
    (void)state;
    enum { N = 3000 };
    static const float ties[8] = {0.0f, -0.0f, 1.0f, 1.0f, -2.5f, 7.0f, 0.0f, -0.0f};
    uint32_t seed = 777u;
    for (int n = 1; n <= BEL_MEDIAN_MAX; n += 2) {
        bel_median2 m2;
        bel_median m[2];
        assert_int_equal(bel_median2_init(&m2, n), BEL_OK);
        assert_int_equal(bel_median2_get_n(&m2), n);
        assert_int_equal(bel_median_init(&m[0], n), BEL_OK);
        assert_int_equal(bel_median_init(&m[1], n), BEL_OK);
        for (int i = 0; i < N; i++) {
            if (i == N / 2) { /* emptied, as after a gap */
                assert_int_equal(bel_median2_init(&m2, n), BEL_OK);
                assert_int_equal(bel_median_init(&m[0], n), BEL_OK);
                assert_int_equal(bel_median_init(&m[1], n), BEL_OK);
            }
            float x[2];
            for (int k = 0; k < 2; k++) {
                seed = seed * 1664525u + 1013904223u;
                x[k] = (i / 300) % 2 ? ties[seed >> 29] : (float)(seed >> 8) * 1e-3f - 8000.0f;
            }
            seed = seed * 1664525u + 1013904223u;
            /* The second window starts late; then mostly both, at times one. */
            const int mode = i % (N / 2) < 40 ? 0 : (seed >> 28) < 12 ? 2 : (int)(seed >> 31);
            float got[2], want[2];
            if (mode == 2) {
                got[0] = bel_median2_process(&m2, x[0], x[1], &got[1]);
                want[0] = bel_median_process(&m[0], x[0]);
                want[1] = bel_median_process(&m[1], x[1]);
                assert_memory_equal(got, want, sizeof got);
            } else {
                got[0] = bel_median2_process_one(&m2, mode, x[mode]);
                want[0] = bel_median_process(&m[mode], x[mode]);
                assert_memory_equal(got, want, sizeof got[0]);
            }
        }
    }
    bel_median2 bad;
    assert_int_equal(bel_median2_init(&bad, 4), BEL_ERR_ARG);
}

/* The biquad is the textbook direct form II transposed of the RBJ cookbook's
 * Butterworth sections, to the bit (its update runs two lanes at a time). */
static void test_filter_biquad_is_df2t_to_the_bit(void **state)
{
    (void)state;
    for (int hp = 0; hp < 2; hp++) {
        const double fs = 50.0, fc = hp ? 0.7 : 1.8;
        bel_biquad f;
        assert_int_equal(hp ? bel_biquad_init_highpass(&f, fs, fc)
                            : bel_biquad_init_lowpass(&f, fs, fc),
                         BEL_OK);
        const double w0 = 2.0 * pi * fc / fs, cw = cos(w0);
        const double alpha = sin(w0) / (2.0 * (1.0 / sqrt(2.0))), a0 = 1.0 + alpha;
        const double b0 = hp ? (1.0 + cw) / 2.0 / a0 : (1.0 - cw) / 2.0 / a0;
        const double b1 = hp ? -(1.0 + cw) / a0 : (1.0 - cw) / a0, b2 = b0;
        const double a1 = -2.0 * cw / a0, a2 = (1.0 - alpha) / a0;
        double z1 = 0.0, z2 = 0.0;
        bel_biquad_reset(&f, 0.0);
        uint32_t seed = 99u;
        for (int i = 0; i < 5000; i++) {
            seed = seed * 1664525u + 1013904223u;
            const double x = 300.0 * sin(0.03 * i) + (double)(seed >> 20) * 1e-3;
            const double y = b0 * x + z1;
            z1 = b1 * x - a1 * y + z2;
            z2 = b2 * x - a2 * y;
            const double got = bel_biquad_process(&f, x);
            assert_memory_equal(&got, &y, sizeof y);
        }
    }
}

/* Two biquads side by side give what each gives on its own, to the bit:
 * different cutoffs and inputs, reset per lane, negated (both, or one). */
static void test_filter_biquad2_is_two_biquads(void **state)
{
    (void)state;
    bel_biquad f[2];
    assert_int_equal(bel_biquad_init_lowpass(&f[0], 50.0, 1.8), BEL_OK);
    assert_int_equal(bel_biquad_init_highpass(&f[1], 50.0, 0.7), BEL_OK);
    bel_biquad_reset(&f[0], 3.0);
    bel_biquad2 f2;
    bel_biquad2_init(&f2, &f[0], &f[1]);
    uint32_t seed = 5u;
    for (int i = 0; i < 6000; i++) {
        if (i == 2000) {
            bel_biquad_reset(&f[1], -40.0);
            bel_biquad2_reset(&f2, 1, -40.0);
        }
        if (i == 4000) {
            bel_biquad_negate(&f[0]);
            bel_biquad_negate(&f[1]);
            bel_biquad2_negate(&f2);
        }
        if (i == 5000) {
            bel_biquad_negate(&f[1]);
            bel_biquad2_negate_lane(&f2, 1);
        }
        seed = seed * 1664525u + 1013904223u;
        const double x0 = 200.0 * sin(0.02 * i) + (double)(seed >> 22) * 1e-2;
        const double x1 = -50.0 * cos(0.3 * i) + (double)(seed & 0xff) * 1e-3;
        double got[2], want[2];
        got[0] = bel_biquad2_process(&f2, x0, x1, &got[1]);
        want[0] = bel_biquad_process(&f[0], x0);
        want[1] = bel_biquad_process(&f[1], x1);
        assert_memory_equal(got, want, sizeof got);
    }
}

/* The sums of products at several lags are each added in the order of i, to
 * the bit, whatever the lags, lengths and starting sums (the lagged windows'
 * correlations depend on it: they must not change with the way they are run). */
static void test_filter_dots_add_in_order(void **state)
{
    (void)state;
    enum { N = 64, L = 16 };
    static double x[N], z[N + L];
    uint32_t seed = 31u;
    for (int i = 0; i < N + L; i++) {
        seed = seed * 1664525u + 1013904223u;
        const double v = ((double)(seed >> 8) - 8388608.0) * 1.1e-5;
        if (i < N) {
            x[i] = v * (1.0 + 1e-9 * i);
        }
        z[i] = v * 3.7 - 0.25;
    }
    for (int m = 1; m <= 5; m++) {
        for (int64_t n = 0; n <= 41; n++) {
            const double *y[5];
            for (int j = 0; j < m; j++) {
                y[j] = z + (j * 3 + (int)n) % L; /* lags neither equal nor evenly spaced */
            }
            double got[5], want[5];
            for (int j = 0; j < 5; j++) {
                got[j] = want[j] = 0.125 * (j + 1) - 1e-3 * (double)n;
            }
            bel_dots(x, y, m, n, got);
            for (int j = 0; j < m; j++) {
                for (int64_t i = 0; i < n; i++) {
                    want[j] += x[i] * y[j][i];
                }
            }
            assert_memory_equal(got, want, sizeof got);
        }
    }
}

/* A fine-grained belt breathing: n samples of 500 + amp sin(w i) with noise under one
 * unit (no value repeats); what the tracker counted in them. */
static int64_t push_breathing(bel_rail *r, int n, unsigned seed, float amp, float w)
{
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        const float noise = (float)((seed >> 16) & 0x7fff) / 32768.0f;
        sum += bel_rail_push(r, 500.0f + amp * sinf(w * (float)i) + noise);
    }
    return sum;
}

/* A fine-grained belt with noise, driven to its top rail for 0.3 s: the whole
 * run is counted once it is long enough, and it is the top rail. */
static void test_rail_a_held_extreme_is_a_rail(void **state)
{
    (void)state;
    bel_rail r;
    bel_rail_init(&r, 100.0);
    int64_t n = push_breathing(&r, 1000, 1, 100.0f, 0.05f);
    assert_int_equal(n, 0);
    for (int i = 0; i < 30; i++) {
        n += bel_rail_push(&r, 1023.0f);
    }
    assert_int_equal(n, 30);
    assert_true(bel_rail_is_top(&r));
    n += bel_rail_push(&r, 600.0f);
    assert_int_equal(n, 30);
}

/* A rail is a level the belt cannot pass. The slow top of the deepest breath so far,
 * a run of one value on a coarse belt, looks like one until a deeper breath goes
 * beyond it: then its samples are taken back. (Walking a session through the firmware,
 * "clipped 5" stood in the status bar of a belt nowhere near its rails; the labelled
 * scenarios counted 6 to 9 such samples.) */
static void test_rail_a_level_passed_was_no_rail(void **state)
{
    (void)state;
    bel_rail r;
    bel_rail_init(&r, 50.0);
    int64_t n = push_breathing(&r, 500, 7, 50.0f, 0.1f);
    assert_int_equal(n, 0);
    for (int i = 0; i < 12; i++) { /* the top of a deeper breath, still */
        n += bel_rail_push(&r, 560.0f);
    }
    assert_int_equal(n, 12);
    assert_true(bel_rail_is_top(&r));
    n += bel_rail_push(&r, 520.0f);
    assert_int_equal(n, 12);
    n += bel_rail_push(&r, 561.0f); /* a deeper one still: 560 was no rail */
    assert_int_equal(n, 0);
    for (int i = 0; i < 12; i++) { /* the same at the bottom */
        n += bel_rail_push(&r, 440.0f);
    }
    assert_int_equal(n, 12);
    n += bel_rail_push(&r, 439.0f);
    assert_int_equal(n, 0);
}

/* A coarse, still belt repeats its values all the time: a run of 0.3 s at its
 * highest value is no rail. */
static void test_rail_a_coarse_still_belt_is_no_rail(void **state)
{
    (void)state;
    bel_rail r;
    bel_rail_init(&r, 100.0);
    uint32_t n = 0;
    for (int i = 0; i < 2000; i++) {
        /* 512 or 513, changing about every tenth sample. */
        n += bel_rail_push(&r, (i / 10) % 3 == 0 ? 513.0f : 512.0f);
    }
    for (int i = 0; i < 30; i++) {
        n += bel_rail_push(&r, 513.0f);
    }
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_lowpass_passes_breath_and_stops_heartbeat),
        cmocka_unit_test(test_filter_highpass_removes_offset),
        cmocka_unit_test(test_filter_reset_starts_without_a_step),
        cmocka_unit_test(test_rail_a_held_extreme_is_a_rail),
        cmocka_unit_test(test_rail_a_coarse_still_belt_is_no_rail),
        cmocka_unit_test(test_rail_a_level_passed_was_no_rail),
        cmocka_unit_test(test_filter_median_matches_a_sort),
        cmocka_unit_test(test_filter_median2_is_two_medians),
        cmocka_unit_test(test_filter_biquad_is_df2t_to_the_bit),
        cmocka_unit_test(test_filter_biquad2_is_two_biquads),
        cmocka_unit_test(test_filter_dots_add_in_order),
        cmocka_unit_test(test_filter_rejects_cutoff_outside_band),
        cmocka_unit_test(test_filter_median_removes_single_spike),
        cmocka_unit_test(test_filter_median_of_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
