/* test_calibration.c - reading an assessment's calibration: from memory that ends
 * without a terminator, right before an unmapped page. SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <math.h>

#include "calibration.h"

/* text copied to the very end of a readable page whose next page cannot be read, so
 * one byte read past it is a SIGSEGV with or without a sanitizer. */
typedef struct fenced {
    char *map;
    size_t page;
    const char *text;
} fenced;

static fenced fence(const char *text, size_t len)
{
    fenced f;
    f.page = (size_t)sysconf(_SC_PAGESIZE);
    assert_true(len <= f.page);
    f.map = mmap(NULL, 2 * f.page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(f.map != MAP_FAILED);
    assert_int_equal(mprotect(f.map + f.page, f.page, PROT_NONE), 0);
    memcpy(f.map + f.page - len, text, len);
    f.text = f.map + f.page - len;
    return f;
}

static void unfence(fenced *f) { assert_int_equal(munmap(f->map, 2 * f->page), 0); }

/* A number at the very end of the bytes: strtod ran over the end of the buffer. */
static void test_calibration_number_at_the_end_of_the_bytes(void **state)
{
    (void)state;
    static const char text[] = "{\"calibration\":{\"belly_level\":512,\"belly_depth\":12";
    fenced f = fence(text, strlen(text));
    bel_holdin_calibration c;
    char err[256];
    assert_int_equal(bel_calibration_parse("a.json", f.text, strlen(text), &c, err, sizeof err),
                     BEL_ERR_FORMAT);
    assert_false(c.is_valid);
    assert_non_null(strstr(err, "a.json:1: expected ',' or '}'"));
    unfence(&f);
}

/* The same file, complete: the numbers are read whole, up to the last byte. */
static void test_calibration_complete_at_the_end_of_the_bytes(void **state)
{
    (void)state;
    static const char text[] = "{\"calibration\":{\"belly_level\":512,\"belly_depth\":12.5,"
                               "\"belly_inverted\":true,\"chest_level\":null}}";
    fenced f = fence(text, strlen(text));
    bel_holdin_calibration c;
    char err[256];
    assert_int_equal(bel_calibration_parse("a.json", f.text, strlen(text), &c, err, sizeof err),
                     BEL_OK);
    assert_true(c.is_valid);
    assert_float_equal(c.belly_level, 512.0f, 1e-6f);
    assert_float_equal(c.belly_depth, 12.5f, 1e-6f);
    assert_true(c.belly_inverted);
    assert_true(isnan(c.chest_level));
    unfence(&f);
}

/* Only JSON numbers: strtod's own words and hex are not numbers here. */
static void test_calibration_rejects_what_json_does_not_call_a_number(void **state)
{
    (void)state;
    static const char *const bad[] = {"infinity", "nan", "0x1p3", "-", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        int n = snprintf(text, sizeof text,
                         "{\"calibration\":{\"belly_level\":1,\"belly_depth\":%s}}", bad[i]);
        bel_holdin_calibration c;
        char err[256];
        assert_int_not_equal(bel_calibration_parse("b.json", text, (size_t)n, &c, err, sizeof err),
                             BEL_OK);
        assert_false(c.is_valid);
    }
}

/* A key with a terminal's control bytes (0x9b is an 8-bit CSI) is quoted escaped in the
 * message, which goes to the terminal. */
static void test_calibration_message_escapes_the_files_bytes(void **state)
{
    (void)state;
    static const char text[] = "{\"calibration\": {\"belly\x9b[2J\x01\" 1}}";
    bel_holdin_calibration c;
    char err[256];
    assert_int_equal(bel_calibration_parse("a.json", text, strlen(text), &c, err, sizeof err),
                     BEL_ERR_FORMAT);
    assert_string_equal(err, "a.json:1: expected ':' after 'belly\\x9b[2J\\x01'");
}

/* What bellows assess writes reads back as the very floats it learnt (a calibration of
 * 1/3 written to 6 digits read back as another float), in the file and in the one-line
 * form, and the file keeps its report and findings, escaped. */
static void test_calibration_written_reads_back_the_same_floats(void **state)
{
    (void)state;
    bel_holdin_calibration c = bel_holdin_calibration_none();
    c.belly_inverted = true;
    c.belly_level = 512.123457f;
    c.belly_depth = 1.0f / 3.0f;
    c.chest_level = NAN;
    c.chest_depth = 7.0f / 9.0f;
    c.chest_gain = 1.0f;
    c.belly_share = 0.6f;
    bel_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.duration_s = 120.0;
    sum.rate_bpm = 11.5f;
    bel_store_findings fi;
    memset(&fi, 0, sizeof fi);
    fi.thomas_deg[0] = fi.thomas_deg[1] = NAN;
    fi.notes = "said \"better\"\x01";
    const bel_calibration_assessment a = {
        c, &sum, NAN, "the built-in simulated belt", true, "/tmp/a.csv", 2.5, 41.0, &fi};
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(bel_calibration_format(&a, &text, &len), BEL_OK);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "\"rate_bpm\": 11.5,"));
    assert_non_null(strstr(text, "\"notes\": \"said \\\"better\\\"\\u0001\""));
    assert_non_null(strstr(text, "\"belly_share\": 0.6\n"));
    bel_holdin_calibration back;
    char err[256];
    assert_int_equal(bel_calibration_parse("a.json", text, len, &back, err, sizeof err), BEL_OK);
    free(text);
    assert_true(back.is_valid && back.belly_inverted && !back.chest_inverted);
    assert_true(back.belly_level == c.belly_level && back.belly_depth == c.belly_depth);
    assert_true(back.chest_depth == c.chest_depth && back.belly_share == c.belly_share);
    assert_true(isnan(back.chest_level) && back.chest_gain == 1.0f);
    char line[512];
    const size_t n = bel_calibration_format_line(&c, line, sizeof line);
    assert_true(n > 0 && n < sizeof line && !strchr(line, '\n'));
    assert_int_equal(bel_calibration_parse("line", line, n, &back, err, sizeof err), BEL_OK);
    assert_true(back.belly_depth == c.belly_depth && back.belly_inverted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibration_number_at_the_end_of_the_bytes),
        cmocka_unit_test(test_calibration_complete_at_the_end_of_the_bytes),
        cmocka_unit_test(test_calibration_rejects_what_json_does_not_call_a_number),
        cmocka_unit_test(test_calibration_written_reads_back_the_same_floats),
        cmocka_unit_test(test_calibration_message_escapes_the_files_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
