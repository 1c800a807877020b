/* test_plotter.c - the Arduino Serial Plotter line parser: separators, labels, numbers,
 * the skipped first line, rejected lines and their counters.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bellows/plotter.h"

enum { MAX_COLLECT = 64 };

/* What a stream of bytes produced: accepted lines and rejected kinds, in order. */
typedef struct collected {
    int n_lines;
    bel_plotter_line line[MAX_COLLECT];
    int n_errors;
    bel_plotter_error_kind error[MAX_COLLECT];
} collected;

static void feed(bel_plotter_parser *p, const char *s, collected *c)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        bel_plotter_line line;
        bel_plotter_error_kind err = BEL_PLOTTER_ERR_COUNT;
        bel_plotter_result r = bel_plotter_parser_push(p, (uint8_t)s[i], &line, &err);
        if (r == BEL_PLOTTER_LINE) {
            assert_true(c->n_lines < MAX_COLLECT);
            assert_int_equal(err, BEL_PLOTTER_ERR_NONE);
            c->line[c->n_lines++] = line;
        } else if (r == BEL_PLOTTER_ERROR) {
            assert_true(c->n_errors < MAX_COLLECT);
            assert_int_not_equal(err, BEL_PLOTTER_ERR_NONE);
            c->error[c->n_errors++] = err;
        } else {
            assert_int_equal(r, BEL_PLOTTER_NONE);
        }
    }
}

/* A parser past its skipped first line. */
static void start(bel_plotter_parser *p, collected *c)
{
    memset(c, 0, sizeof *c);
    bel_plotter_parser_init(p);
    feed(p, "12,3 (cut: the port opened mid-line)\n", c);
    assert_int_equal(c->n_lines, 0);
    assert_int_equal(c->n_errors, 0);
}

static void test_plotter_one_value_per_line(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    feed(&p, "512\r\n513\n-7\n", &c); /* Serial.println(analogRead(A0)) */
    assert_int_equal(c.n_lines, 3);
    assert_int_equal(c.line[0].n_values, 1);
    assert_float_equal(c.line[0].value[0], 512.0, 0.0);
    assert_float_equal(c.line[1].value[0], 513.0, 0.0);
    assert_float_equal(c.line[2].value[0], -7.0, 0.0);
    assert_string_equal(c.line[0].label[0], "");
    char name[16];
    bel_plotter_channel_name(&c.line[0], 0, name, sizeof name);
    assert_string_equal(name, "belly");
    assert_int_equal(bel_plotter_parser_get_n_values(&p), 1);
}

static void test_plotter_separators(void **state)
{
    (void)state;
    const char *const lines[] = {"1 2\n", "1,2\n", "1\t2\r\n", "1, 2\n", " 1 ,\t 2 ,\n"};
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
        bel_plotter_parser p;
        collected c;
        start(&p, &c);
        feed(&p, lines[k], &c);
        assert_int_equal(c.n_lines, 1);
        assert_int_equal(c.line[0].n_values, 2);
        assert_float_equal(c.line[0].value[0], 1.0, 0.0);
        assert_float_equal(c.line[0].value[1], 2.0, 0.0);
    }
}

static void test_plotter_labels_name_channels(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    feed(&p, "belly:512,chest:300\nA0:1\tsensor_long_name_here:2\nx:1 2\nb\xc3\xa9:5 q\"z:6\n", &c);
    assert_int_equal(c.n_lines, 4);
    char name[16];
    bel_plotter_channel_name(&c.line[0], 0, name, sizeof name);
    assert_string_equal(name, "belly");
    bel_plotter_channel_name(&c.line[0], 1, name, sizeof name);
    assert_string_equal(name, "chest");
    assert_float_equal(c.line[0].value[1], 300.0, 0.0);
    assert_string_equal(c.line[1].label[0], "A0");
    assert_string_equal(c.line[1].label[1], "sensor_long_"); /* cut to BEL_PLOTTER_NAME_MAX */
    /* An unlabelled value next to a labelled one takes its place's default name. */
    bel_plotter_channel_name(&c.line[2], 0, name, sizeof name);
    assert_string_equal(name, "x");
    bel_plotter_channel_name(&c.line[2], 1, name, sizeof name);
    assert_string_equal(name, "chest");
    /* Characters a CSV header or a terminal could trip on become '_'. */
    assert_string_equal(c.line[3].label[0], "b__");
    assert_string_equal(c.line[3].label[1], "q_z");
}

static void test_plotter_numbers(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    feed(&p, "12.5\n-0.25\n+3\n1e3\n2.5E-2\n.5\n7.\n0001\n123456789\n", &c);
    const float want[] = {12.5f, -0.25f, 3.0f, 1000.0f, 0.025f, 0.5f, 7.0f, 1.0f, 123456789.0f};
    assert_int_equal(c.n_lines, 9);
    assert_int_equal(c.n_errors, 0);
    for (int i = 0; i < 9; i++) {
        assert_float_equal(c.line[i].value[0], want[i],
                           (want[i] < 0.0f ? -want[i] : want[i]) * 1e-6f);
    }
}

static void test_plotter_rejects_what_is_not_numbers(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    feed(&p, "Starting...\n1 x\n:5\nnan\ninf\n0x1F\n1e\n-\n.\n5 6 7 8 9\n2e9\n", &c);
    assert_int_equal(c.n_lines, 0);
    const bel_plotter_error_kind want[] = {
        BEL_PLOTTER_ERR_MALFORMED,       BEL_PLOTTER_ERR_MALFORMED, BEL_PLOTTER_ERR_MALFORMED,
        BEL_PLOTTER_ERR_MALFORMED,       BEL_PLOTTER_ERR_MALFORMED, BEL_PLOTTER_ERR_MALFORMED,
        BEL_PLOTTER_ERR_MALFORMED,       BEL_PLOTTER_ERR_MALFORMED, BEL_PLOTTER_ERR_MALFORMED,
        BEL_PLOTTER_ERR_TOO_MANY_VALUES, BEL_PLOTTER_ERR_RANGE,
    };
    assert_int_equal(c.n_errors, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < c.n_errors; i++) {
        assert_int_equal(c.error[i], want[i]);
    }
    /* Nothing accepted yet: the count is still open, and good lines go through. */
    assert_int_equal(bel_plotter_parser_get_n_values(&p), 0);
    feed(&p, "4 5\n", &c);
    assert_int_equal(c.n_lines, 1);
    assert_string_equal(bel_plotter_error_name(BEL_PLOTTER_ERR_RANGE), "value out of range");
    assert_string_equal(bel_plotter_error_name((bel_plotter_error_kind)99), "unknown");
}

static void test_plotter_first_line_fixes_the_count(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    feed(&p, "1 2\n3\n4 5 6\n7 8\n\n\r\n9,10\n", &c);
    assert_int_equal(c.n_lines, 3);
    assert_int_equal(c.n_errors, 2);
    assert_int_equal(c.error[0], BEL_PLOTTER_ERR_CHANNEL_COUNT);
    assert_int_equal(c.error[1], BEL_PLOTTER_ERR_CHANNEL_COUNT);
    assert_float_equal(c.line[2].value[1], 10.0, 0.0);
    bel_plotter_stats st = bel_plotter_parser_get_stats(&p);
    assert_int_equal(st.empty, 2);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.lines, st.skipped + st.empty + st.lines_ok + st.n_errors);
}

static void test_plotter_overlong_line_then_resync(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    char big[BEL_PLOTTER_LINE_MAX + 40];
    memset(big, '1', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    feed(&p, big, &c);
    feed(&p, "42\n", &c);
    assert_int_equal(c.n_errors, 1);
    assert_int_equal(c.error[0], BEL_PLOTTER_ERR_OVERLONG);
    assert_int_equal(c.n_lines, 1);
    assert_float_equal(c.line[0].value[0], 42.0, 0.0);
    /* A line of exactly LINE_MAX bytes (and its "\r") is fine. */
    char exact[BEL_PLOTTER_LINE_MAX + 3];
    memset(exact, ' ', BEL_PLOTTER_LINE_MAX);
    exact[BEL_PLOTTER_LINE_MAX - 2] = '4';
    exact[BEL_PLOTTER_LINE_MAX - 1] = '3';
    exact[BEL_PLOTTER_LINE_MAX] = '\r';
    exact[BEL_PLOTTER_LINE_MAX + 1] = '\n';
    exact[BEL_PLOTTER_LINE_MAX + 2] = '\0';
    feed(&p, exact, &c);
    assert_int_equal(c.n_lines, 2);
    assert_float_equal(c.line[1].value[0], 43.0, 0.0);
}

static void test_plotter_reset_skips_a_line_keeps_the_count(void **state)
{
    (void)state;
    bel_plotter_parser p;
    collected c;
    start(&p, &c);
    feed(&p, "1 2\n3 4", &c); /* a partial line when the belt goes away */
    bel_plotter_parser_reset(&p);
    feed(&p, "9\n5\n6 7\n", &c); /* "9" ends a line cut at reconnect: skipped */
    assert_int_equal(c.n_lines, 2);
    assert_float_equal(c.line[1].value[0], 6.0, 0.0);
    assert_int_equal(c.n_errors, 1); /* "5": one value, not two */
    assert_int_equal(c.error[0], BEL_PLOTTER_ERR_CHANNEL_COUNT);
}

static void test_plotter_survives_random_bytes(void **state)
{
    (void)state;
    bel_plotter_parser p;
    bel_plotter_parser_init(&p);
    srand(12345);
    bel_plotter_line line;
    bel_plotter_error_kind err;
    const char alphabet[] = "0123456789-+.eE:, \t\r\nab";
    for (int i = 0; i < 200000; i++) {
        uint8_t b =
            i % 3 ? (uint8_t)alphabet[rand() % (int)(sizeof alphabet - 1)] : (uint8_t)rand();
        if (bel_plotter_parser_push(&p, b, &line, &err) == BEL_PLOTTER_LINE) {
            assert_true(line.n_values >= 1 && line.n_values <= BEL_MAX_CHANNELS);
            for (int ch = 0; ch < line.n_values; ch++) {
                assert_true(line.value[ch] <= 1e9f && line.value[ch] >= -1e9f);
            }
        }
    }
    bel_plotter_stats st = bel_plotter_parser_get_stats(&p);
    assert_int_equal(st.bytes, 200000);
    assert_true(st.lines > 0);
    assert_int_equal(st.lines, st.skipped + st.empty + st.lines_ok + st.n_errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plotter_one_value_per_line),
        cmocka_unit_test(test_plotter_separators),
        cmocka_unit_test(test_plotter_labels_name_channels),
        cmocka_unit_test(test_plotter_numbers),
        cmocka_unit_test(test_plotter_rejects_what_is_not_numbers),
        cmocka_unit_test(test_plotter_first_line_fixes_the_count),
        cmocka_unit_test(test_plotter_overlong_line_then_resync),
        cmocka_unit_test(test_plotter_reset_skips_a_line_keeps_the_count),
        cmocka_unit_test(test_plotter_survives_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
