/* test_spectrum.c - the kissfft rate estimate on known sines.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "bellows/spectrum.h"

static const double pi = 3.14159265358979323846;

/* Rate after feeding `seconds` of a sine at rate_bpm (plus drift). */
static float rate_of(double fs, double rate_bpm, double seconds, double drift_per_s, float cardiac)
{
    bel_spectrum_config c = bel_spectrum_config_default(fs);
    bel_spectrum *s = NULL;
    assert_int_equal(bel_spectrum_create(&c, &s), BEL_OK);
    const int n = (int)(seconds * fs);
    for (int i = 0; i < n; i++) {
        const double t = i / fs;
        const double x = 300.0 + 40.0 * sin(2.0 * pi * rate_bpm / 60.0 * t) + drift_per_s * t +
                         (double)cardiac * sin(2.0 * pi * 1.2 * t);
        (void)bel_spectrum_push(s, (float)x);
    }
    const float r = bel_spectrum_get_rate(s);
    bel_spectrum_destroy(s);
    return r;
}

static void test_spectrum_quarter_hertz_reads_fifteen(void **state)
{
    (void)state;
    const float r = rate_of(50.0, 15.0, 60.0, 0.0, 0.0f);
    assert_true(fabsf(r - 15.0f) < 0.3f);
}

static void test_spectrum_slow_and_fast_rates(void **state)
{
    (void)state;
    assert_true(fabsf(rate_of(25.0, 6.0, 90.0, 0.0, 0.0f) - 6.0f) < 0.3f);
    assert_true(fabsf(rate_of(100.0, 30.0, 60.0, 0.0, 0.0f) - 30.0f) < 0.5f);
    assert_true(fabsf(rate_of(125.0, 38.0, 60.0, 0.0, 0.0f) - 38.0f) < 0.6f);
}

static void test_spectrum_ignores_drift_and_heartbeat(void **state)
{
    (void)state;
    /* Drift of 2 units/s (120 per minute, 1.5 depths) and a 72/min cardiac ripple. */
    const float r = rate_of(50.0, 12.0, 80.0, 2.0, 15.0f);
    assert_true(fabsf(r - 12.0f) < 0.4f);
}

static void test_spectrum_unknown_until_window_filled(void **state)
{
    (void)state;
    assert_true(isnan(rate_of(50.0, 15.0, 20.0, 0.0, 0.0f)));
}

static void test_spectrum_rejects_bad_config(void **state)
{
    (void)state;
    bel_spectrum *s = (bel_spectrum *)1;
    bel_spectrum_config c = bel_spectrum_config_default(50.0);
    c.window_s = 2.0;
    assert_int_equal(bel_spectrum_create(&c, &s), BEL_ERR_ARG);
    assert_null(s);
    c = bel_spectrum_config_default(1.0);
    assert_int_equal(bel_spectrum_create(&c, &s), BEL_ERR_ARG);
    bel_spectrum_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spectrum_quarter_hertz_reads_fifteen),
        cmocka_unit_test(test_spectrum_slow_and_fast_rates),
        cmocka_unit_test(test_spectrum_ignores_drift_and_heartbeat),
        cmocka_unit_test(test_spectrum_unknown_until_window_filled),
        cmocka_unit_test(test_spectrum_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
