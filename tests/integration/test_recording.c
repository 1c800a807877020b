/* test_recording.c - recording CSV reader and writer, events CSV, summary JSON, on temp files.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <math.h>

#include "event_csv.h"
#include "recording.h"
#include "summary_json.h"

static char tmp_dir[256];

static int make_tmp_dir(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/bellows_rec_XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp_dir(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write text to tmp_dir/name; the path goes to path. */
static void write_file(const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", tmp_dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

static char *read_file(const char *path)
{
    static char buf[8192];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* Opening must fail, and the message must contain "<path><where>" and `problem`. */
static void expect_create_error(const char *name, const char *text, const char *where,
                                const char *problem)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    char want[600];
    bel_recording_reader *r = (bel_recording_reader *)&r;
    write_file(name, text, path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_ERR_FORMAT);
    assert_null(r);
    snprintf(want, sizeof want, "%s%s", path, where);
    if (!strstr(err, want) || !strstr(err, problem)) {
        fail_msg("message '%s' lacks '%s' or '%s'", err, want, problem);
    }
}

/* Opening works, `n_good` rows read, then the read fails with "<path><where>...problem". */
static void expect_read_error(const char *name, const char *text, int n_good, const char *where,
                              const char *problem)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    char want[600];
    bel_recording_reader *r = NULL;
    bel_sample s;
    write_file(name, text, path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    for (int i = 0; i < n_good; i++) {
        assert_int_equal(bel_recording_reader_read(r, &s), 1);
    }
    assert_int_equal(bel_recording_reader_read(r, &s), BEL_ERR_FORMAT);
    /* Errors stay. */
    assert_int_equal(bel_recording_reader_read(r, &s), BEL_ERR_FORMAT);
    const char *msg = bel_recording_reader_get_error(r);
    snprintf(want, sizeof want, "%s%s", path, where);
    if (!strstr(msg, want) || !strstr(msg, problem)) {
        fail_msg("message '%s' lacks '%s' or '%s'", msg, want, problem);
    }
    bel_recording_reader_destroy(r);
}

/* Header plus `n` good rows at 50 Hz, then `tail`. */
static char *rows_then(int n, const char *tail)
{
    static char text[16384];
    size_t o = (size_t)snprintf(text, sizeof text, "t,belly\n");
    for (int i = 0; i < n; i++) {
        o += (size_t)snprintf(text + o, sizeof text - o, "%.2f,%d\n", i * 0.02, 500 + i % 7);
    }
    snprintf(text + o, sizeof text - o, "%s", tail);
    return text;
}

static void test_recording_reads_rows_names_and_rate(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    bel_sample s;
    (void)state;
    write_file("ok.csv",
               "t,belly,chest\r\n0,512,300\r\n0.02,513.5,-4\r\n0.04,514,1e2\r\n0.1,515,7\r\n\r\n",
               path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    assert_string_equal(err, "");
    assert_int_equal(bel_recording_reader_get_channel_count(r), 2);
    assert_string_equal(bel_recording_reader_get_channel_name(r, 0), "belly");
    assert_string_equal(bel_recording_reader_get_channel_name(r, 1), "chest");
    assert_int_equal(bel_recording_reader_find_channel(r, "chest"), 1);
    assert_int_equal(bel_recording_reader_find_channel(r, "nope"), -1);
    /* Median step 0.02 s, despite the gap at the end. */
    assert_true(fabs(bel_recording_reader_get_fs_hz(r) - 50.0) < 1e-9);

    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_int_equal(s.n_channels, 2);
    assert_true(s.t_s == 0.0);
    assert_true(s.value[0] == 512.0f && s.value[1] == 300.0f);
    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_true(s.t_s == 0.02 && s.value[0] == 513.5f && s.value[1] == -4.0f);
    assert_int_equal(s.n_missed, 0);
    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_true(s.value[1] == 100.0f);
    /* 0.04 -> 0.1 at 50 Hz: two samples missing. */
    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_int_equal(s.n_missed, 2);
    assert_int_equal(bel_recording_reader_read(r, &s), 0);
    assert_int_equal(bel_recording_reader_read(r, &s), 0);
    bel_recording_reader_destroy(r);
}

static void test_recording_streams_a_long_file(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    bel_sample s;
    (void)state;
    /* Longer than the 1 MiB read buffer, without a final line break. */
    snprintf(path, sizeof path, "%s/long.csv", tmp_dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("t,belly\n", fp);
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        fprintf(fp, i + 1 < n ? "%d.%03d,%d\n" : "%d.%03d,%d", i / 100, (i % 100) * 10, i % 1000);
    }
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    assert_true(fabs(bel_recording_reader_get_fs_hz(r) - 100.0) < 1e-6);
    int count = 0;
    int rc;
    while ((rc = bel_recording_reader_read(r, &s)) == 1) {
        if (s.value[0] != (float)(count % 1000) || s.n_missed != 0) {
            fail_msg("row %d: value %g missed %u", count, (double)s.value[0], s.n_missed);
        }
        count++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(count, n);
    uint64_t done = 0;
    uint64_t total = 0;
    bel_recording_reader_get_progress(r, &done, &total);
    assert_true(total > 1000000 && done == total);
    bel_recording_reader_destroy(r);
}

static void test_recording_parses_times_exactly(void **state)
{
    static const char *const times[] = {"0.1", "0.3",     "1.7",     "12.345678",
                                        "1e3", "1001.25", "1.002E3", "1003.000000000000000000001"};
    char text[1024];
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    bel_sample s;
    (void)state;
    size_t o = (size_t)snprintf(text, sizeof text, "t,x\n");
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        o += (size_t)snprintf(text + o, sizeof text - o, "%s,  -%zu \n", times[i], i);
    }
    write_file("times.csv", text, path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        assert_int_equal(bel_recording_reader_read(r, &s), 1);
        /* Must be the double strtod gives, bit for bit. */
        assert_true(s.t_s == strtod(times[i], NULL));
        assert_true(s.value[0] == -(float)i);
    }
    assert_int_equal(bel_recording_reader_read(r, &s), 0);
    bel_recording_reader_destroy(r);
}

/* Plain rows take the reader's one-pass path, anything else the general one:
 * every form reads as the double strtod gives, bit for bit. */
static void test_recording_plain_and_exotic_rows_read_as_strtod(void **state)
{
    static const char *const times[] = {"0.1",
                                        "0.30258",
                                        "00000.5",
                                        ".75",
                                        "1.",
                                        "2.000000000000000001",
                                        "2.5",
                                        "3.14159265358979",
                                        "4e0",
                                        "5.25",
                                        " 6.5",
                                        "9007199254.740993",
                                        "1e10",
                                        "10000000001",
                                        "20000000000.0625"};
    static const char *const vals[] = {
        "-12",         "0.001", "-0",    "7.",    "+5",
        "-.5",         "1e2",   "123",   "65535", "-1.5",
        "3.40282e+38", "0.3",   "-9e-3", "42",    "123456789012345678"};
    char text[2048];
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    bel_sample s;
    (void)state;
    size_t o = (size_t)snprintf(text, sizeof text, "t,x\n");
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        o += (size_t)snprintf(text + o, sizeof text - o, "%s,%s\n", times[i], vals[i]);
    }
    write_file("plain.csv", text, path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        assert_int_equal(bel_recording_reader_read(r, &s), 1);
        assert_true(s.t_s == strtod(times[i], NULL));
        assert_true(s.value[0] == (float)strtod(vals[i], NULL));
        assert_true(!signbit(s.value[0]) == !signbit(strtod(vals[i], NULL)));
    }
    assert_int_equal(bel_recording_reader_read(r, &s), 0);
    bel_recording_reader_destroy(r);
}

static void test_recording_missing_file(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = (bel_recording_reader *)&r;
    (void)state;
    snprintf(path, sizeof path, "%s/does_not_exist.csv", tmp_dir);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_ERR_IO);
    assert_null(r);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_int_equal(bel_recording_reader_create(tmp_dir, &r, err, sizeof err), BEL_ERR_IO);
    assert_non_null(strstr(err, "Is a directory"));
}

static void test_recording_empty_file_and_no_samples(void **state)
{
    (void)state;
    expect_create_error("empty.csv", "", ": ", "empty file");
    expect_create_error("header_only.csv", "t,belly\n", ":2: ", "no samples");
}

static void test_recording_bad_headers(void **state)
{
    (void)state;
    expect_create_error("h1.csv", "time,belly\n0,1\n", ":1: ", "first column must be 't'");
    expect_create_error("h2.csv", "t,belly,belly\n0,1,2\n", ":1: ", "'belly' appears twice");
    expect_create_error("h3.csv", "t,belly,,chest\n0,1,2,3\n", ":1: ", "column 3 has no name");
    expect_create_error("h4.csv", "t,a,b,c,d,e\n0,1,2,3,4,5\n", ":1: ", "5 channels, at most 4");
    expect_create_error("h5.csv", "t\n0\n", ":1: ", "no channel columns");
    expect_create_error("h6.csv", "\n0,1\n", ":1: ", "first column must be 't'");
}

static void test_recording_bad_header_has_bom_allowed(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    (void)state;
    write_file("bom.csv", "\xEF\xBB\xBFt,belly\n0,1\n0.02,2\n", path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    assert_string_equal(bel_recording_reader_get_channel_name(r, 0), "belly");
    bel_recording_reader_destroy(r);
}

static void test_recording_bad_values_early(void **state)
{
    (void)state;
    /* In the first rows, with nothing good before it: reported at open. */
    expect_create_error("v1.csv", "t,belly\n0,abc\n",
                        ":2:3: ", "column 'belly': 'abc' is not a number");
    expect_create_error("v2.csv", "t,belly,chest\n0,1\n",
                        ":2:4: ", "missing value for column 'chest'");
    expect_create_error("v3.csv", "t,belly\nx1,1\n", ":2:1: ", "column 't': 'x1' is not a number");
}

static void test_recording_bad_values_later(void **state)
{
    (void)state;
    /* Line numbers count the header: row i is on line i + 2. */
    expect_read_error("l1.csv", rows_then(100, "2.00,12a\n"), 100,
                      ":102:6: ", "column 'belly': '12a' is not a number");
    expect_read_error("l2.csv", rows_then(100, "2.00,\n"), 100,
                      ":102:6: ", "column 'belly': missing value");
    expect_read_error("l3.csv", rows_then(100, "2.00\n"), 100,
                      ":102:5: ", "missing value for column 'belly'");
    expect_read_error("l4.csv", rows_then(100, "2.00,1,2\n"), 100,
                      ":102:7: ", "3 columns, but the header has 2");
    expect_read_error("l5.csv", rows_then(100, "2.00,nan\n"), 100,
                      ":102:6: ", "'nan' is not a finite number");
    expect_read_error("l6.csv", rows_then(100, "2.00,inf\n"), 100,
                      ":102:6: ", "'inf' is not a finite number");
    expect_read_error("l7.csv", rows_then(100, "2.00,1e300\n"), 100, ":102:6: ", "out of range");
    expect_read_error("l8.csv", rows_then(100, "1.50,1\n"), 100,
                      ":102: ", "time goes backwards: t=1.5 after t=1.98 on line 101");
    expect_read_error("l9.csv", rows_then(100, "1.98,1\n"), 100, ":102: ", "time repeats");
    expect_read_error("l10.csv", rows_then(100, "\n2.00,1\n"), 100, ":102: ", "empty line");
    /* A few good rows before the error: they are handed out first. */
    expect_read_error("l11.csv", rows_then(3, "0.06,oops\n"), 3,
                      ":5:6: ", "column 'belly': 'oops' is not a number");
}

static void test_recording_writer_round_trip(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    const char *names[2] = {"belly", "chest"};
    bel_recording_writer *w = NULL;
    bel_recording_reader *r = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/written.csv", tmp_dir);
    assert_int_equal(bel_recording_writer_create(path, 2, names, NULL, &w, err, sizeof err),
                     BEL_OK);
    bel_sample in[3] = {
        {0.0, 0, 2, {512.0f, 300.0f, 0, 0}, 0},
        {1.0 / 30.0, 0, 2, {513.25f, -7.0f, 0, 0}, 0},
        {2.0 / 30.0, 0, 2, {0.1f, 1023.0f, 0, 0}, 0},
    };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bel_recording_writer_write(w, &in[i]), BEL_OK);
    }
    assert_int_equal(bel_recording_writer_close(w), BEL_OK);
    bel_recording_writer_destroy(w);
    assert_string_equal(read_file(path), "t,belly,chest\n"
                                         "0,512,300\n"
                                         "0.033333,513.25,-7\n"
                                         "0.066667,0.100000001,1023\n");
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    for (int i = 0; i < 3; i++) {
        bel_sample s;
        assert_int_equal(bel_recording_reader_read(r, &s), 1);
        assert_true(fabs(s.t_s - in[i].t_s) < 1e-6);
        assert_true(s.value[0] == in[i].value[0] && s.value[1] == in[i].value[1]);
    }
    bel_recording_reader_destroy(r);
}

/* What the person asked for (r, i) goes into the recording before the row it acted on,
 * in one write with it, and reads back on that row: reading the recording again acts at
 * the same sample. Other comments among the rows are passed over; an action line that
 * names no action is refused where it stands. */
static void test_recording_actions_round_trip(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    const char *names[1] = {"belly"};
    bel_recording_writer *w = NULL;
    bel_recording_reader *r = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/actions.csv", tmp_dir);
    assert_int_equal(bel_recording_writer_create(path, 1, names, NULL, &w, err, sizeof err),
                     BEL_OK);
    const uint8_t acts[4] = {0, BEL_ACTION_RELEARN, 0, BEL_ACTION_RELEARN | BEL_ACTION_TURN_ROUND};
    for (int i = 0; i < 4; i++) {
        bel_sample in = {0.02 * i, 0, 1, {500.0f + (float)i, 0, 0, 0}, acts[i]};
        assert_int_equal(bel_recording_writer_write(w, &in), BEL_OK);
    }
    assert_int_equal(bel_recording_writer_close(w), BEL_OK);
    bel_recording_writer_destroy(w);
    assert_string_equal(read_file(path), "t,belly\n"
                                         "0,500\n"
                                         "# bellows action: relearn\n"
                                         "0.02,501\n"
                                         "0.04,502\n"
                                         "# bellows action: relearn\n"
                                         "# bellows action: turn_round\n"
                                         "0.06,503\n");
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    for (int i = 0; i < 4; i++) {
        bel_sample s;
        assert_int_equal(bel_recording_reader_read(r, &s), 1);
        assert_int_equal(s.actions, acts[i]);
        assert_true(s.value[0] == 500.0f + (float)i);
    }
    bel_recording_reader_destroy(r);

    write_file("comment.csv", "t,belly\n0,1\n# a note\n0.02,2\n#\n0.04,3\n", path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    for (int i = 0; i < 3; i++) {
        bel_sample s;
        assert_int_equal(bel_recording_reader_read(r, &s), 1);
        assert_int_equal(s.actions, 0);
        assert_true(s.value[0] == (float)(i + 1));
    }
    bel_recording_reader_destroy(r);
    expect_read_error("badact.csv", rows_then(3, "# bellows action: jump\n0.06,4\n"), 3,
                      ":5:19: ", "unknown action 'jump' (expected relearn or turn_round)");
}

/* A session's settings (an inverted belt, an assessment's calibration) go into its
 * recording and read back the same, before a header and rows that stay as they were; a
 * session with the defaults writes the plain CSV. */
static void test_recording_settings_round_trip(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    const char *names[2] = {"belly", "chest"};
    bel_recording_writer *w = NULL;
    bel_recording_reader *r = NULL;
    (void)state;
    bel_recording_settings rs = bel_recording_settings_default();
    rs.invert = true;
    rs.is_polarity_known = true;
    rs.calibration.is_valid = true;
    rs.calibration.belly_inverted = true;
    rs.calibration.belly_level = -512.125f;
    rs.calibration.belly_depth = 1.0f / 3.0f;
    rs.calibration.belly_share = 0.6f;
    snprintf(path, sizeof path, "%s/settings.csv", tmp_dir);
    assert_int_equal(bel_recording_writer_create(path, 2, names, &rs, &w, err, sizeof err), BEL_OK);
    bel_sample in = {0.0, 0, 2, {512.0f, 300.0f, 0, 0}, 0};
    assert_int_equal(bel_recording_writer_write(w, &in), BEL_OK);
    in.t_s = 0.02;
    assert_int_equal(bel_recording_writer_write(w, &in), BEL_OK);
    assert_int_equal(bel_recording_writer_close(w), BEL_OK);
    bel_recording_writer_destroy(w);
    const char *text = read_file(path);
    static const char head[] = "# bellows settings: invert=1 invert_chest=0 polarity_known=1\n"
                               "# bellows calibration: {\"calibration\": {";
    assert_true(strncmp(text, head, sizeof head - 1) == 0);
    assert_non_null(strstr(text, "}}\nt,belly,chest\n0,512,300\n0.02,512,300\n"));
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    const bel_recording_settings *back = bel_recording_reader_get_settings(r);
    assert_true(back->invert && !back->invert_chest && back->is_polarity_known);
    assert_true(back->calibration.is_valid && back->calibration.belly_inverted);
    assert_true(back->calibration.belly_level == rs.calibration.belly_level);
    assert_true(back->calibration.belly_depth == rs.calibration.belly_depth);
    assert_true(back->calibration.belly_share == rs.calibration.belly_share);
    assert_true(isnan(back->calibration.chest_depth));
    assert_int_equal(bel_recording_reader_get_channel_count(r), 2);
    bel_sample s;
    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_true(s.t_s == 0.0 && s.value[0] == 512.0f);
    bel_recording_reader_destroy(r);

    /* The defaults: no comment lines; an older recording reads with the defaults. */
    rs = bel_recording_settings_default();
    assert_int_equal(bel_recording_writer_create(path, 2, names, &rs, &w, err, sizeof err), BEL_OK);
    assert_int_equal(bel_recording_writer_write(w, &in), BEL_OK);
    assert_int_equal(bel_recording_writer_close(w), BEL_OK);
    bel_recording_writer_destroy(w);
    assert_string_equal(read_file(path), "t,belly,chest\n0.02,512,300\n");
    write_file("old.csv", "t,belly\n0,1\n0.02,2\n", path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    back = bel_recording_reader_get_settings(r);
    assert_false(back->invert || back->invert_chest || back->is_polarity_known);
    assert_false(back->calibration.is_valid);
    assert_true(back->breath_hold_s == 0.0);
    bel_recording_reader_destroy(r);

    /* The person's breath hold time alone makes a settings line, and reads back. */
    rs = bel_recording_settings_default();
    rs.breath_hold_s = 12.5;
    assert_int_equal(bel_recording_writer_create(path, 2, names, &rs, &w, err, sizeof err), BEL_OK);
    assert_int_equal(bel_recording_writer_write(w, &in), BEL_OK);
    assert_int_equal(bel_recording_writer_close(w), BEL_OK);
    bel_recording_writer_destroy(w);
    assert_string_equal(read_file(path), "# bellows settings: invert=0 invert_chest=0 "
                                         "polarity_known=0 breath_hold_s=12.5\n"
                                         "t,belly,chest\n0.02,512,300\n");
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    back = bel_recording_reader_get_settings(r);
    assert_true(back->breath_hold_s == 12.5);
    assert_false(back->invert || back->is_polarity_known || back->calibration.is_valid);
    bel_recording_reader_destroy(r);

    /* A time the reader would refuse is refused by the writer. */
    rs.breath_hold_s = 3.0;
    assert_int_equal(bel_recording_writer_create(path, 2, names, &rs, &w, err, sizeof err),
                     BEL_ERR_ARG);
    assert_null(w);
}

/* Other comment lines are skipped; a settings line that does not read is refused, naming
 * its line, rather than read as the defaults (the figures would differ). */
static void test_recording_bad_settings_are_refused(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    (void)state;
    write_file("comment.csv", "# made by hand\nt,belly\n0,1\n0.02,2\n", path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    assert_false(bel_recording_reader_get_settings(r)->invert);
    bel_recording_reader_destroy(r);
    write_file("badflag.csv", "# bellows settings: invert=yes\nt,belly\n0,1\n0.02,2\n", path,
               sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_ERR_FORMAT);
    assert_non_null(strstr(err, "badflag.csv:1: the session's settings do not read"));
    write_file("badcal.csv",
               "# bellows settings: invert=0 invert_chest=0 polarity_known=0\n"
               "# bellows calibration: {\"calibration\": {\"belly_depth\": -1}}\n"
               "t,belly\n0,1\n0.02,2\n",
               path, sizeof path);
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_ERR_FORMAT);
    assert_non_null(strstr(err, "badcal.csv: the session's calibration: line 2:"));
    static const char *const bad_hold[] = {"breath_hold_s=", "breath_hold_s=3", "breath_hold_s=12s",
                                           "breath_hold_s=nan", "breath_hold_s=41"};
    for (size_t i = 0; i < sizeof bad_hold / sizeof bad_hold[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "# bellows settings: invert=0 invert_chest=0 polarity_known=0 %s\n"
                 "t,belly\n0,1\n0.02,2\n",
                 bad_hold[i]);
        write_file("badhold.csv", text, path, sizeof path);
        assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_ERR_FORMAT);
        assert_non_null(strstr(err, "badhold.csv:1: the session's settings do not read"));
        assert_non_null(strstr(err, "breath_hold_s="));
    }
}

static void test_recording_writer_reports_full_disk(void **state)
{
    char err[BEL_IO_ERR_LEN];
    const char *names[1] = {"belly"};
    bel_recording_writer *w = NULL;
    bel_sample s = {0.0, 0, 1, {1.0f, 0, 0, 0}, 0};
    (void)state;
    if (access("/dev/full", W_OK) != 0) {
        skip();
    }
    assert_int_equal(bel_recording_writer_create("/dev/full", 1, names, NULL, &w, err, sizeof err),
                     BEL_OK);
    bel_status st = BEL_OK;
    for (int i = 0; i < 100000 && st == BEL_OK; i++) {
        s.t_s = i * 0.02;
        st = bel_recording_writer_write(w, &s);
    }
    if (st == BEL_OK) {
        st = bel_recording_writer_close(w);
    }
    assert_int_equal(st, BEL_ERR_IO);
    assert_non_null(strstr(bel_recording_writer_get_error(w), "/dev/full: cannot write"));
    assert_non_null(strstr(bel_recording_writer_get_error(w), "No space left on device"));
    bel_recording_writer_destroy(w);

    /* An unwritable place is named too. */
    char path[512];
    snprintf(path, sizeof path, "%s/no_such_dir/x.csv", tmp_dir);
    assert_int_equal(bel_recording_writer_create(path, 1, names, NULL, &w, err, sizeof err),
                     BEL_ERR_IO);
    assert_null(w);
    assert_non_null(strstr(err, path));
}

static void test_event_csv_writes_rows_with_empty_nan_fields(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_event_csv *w = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/events.csv", tmp_dir);
    assert_int_equal(bel_event_csv_create(path, &w, err, sizeof err), BEL_OK);
    bel_event a = bel_event_make(BEL_EV_EXP_ONSET, 3.12, 3.5);
    a.ti_s = 1.5f;
    a.depth = 103.25f;
    bel_event b = bel_event_make(BEL_EV_HOLDIN_START, 60.0, 62.04);
    assert_int_equal(bel_event_csv_write(w, &a), BEL_OK);
    assert_int_equal(bel_event_csv_write(w, &b), BEL_OK);
    assert_int_equal(bel_event_csv_close(w), BEL_OK);
    bel_event_csv_destroy(w);
    assert_string_equal(read_file(path), "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio\n"
                                         "3.12,exp_onset,3.5,1.5,,103.25,,\n"
                                         "60,holdin_start,62.04,,,,,\n");
}

/* A valid recording may start at t = -1e300: its events lie there too. "%.6f" of such a
 * time needs 308 characters, and the event was refused with no message at all. */
static void test_event_csv_writes_far_times_and_names_what_it_cannot(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    bel_event_csv *w = NULL;
    (void)state;
    snprintf(path, sizeof path, "%s/far.events.csv", tmp_dir);
    assert_int_equal(bel_event_csv_create(path, &w, err, sizeof err), BEL_OK);
    bel_event a = bel_event_make(BEL_EV_SIGNAL_LOST, -1e300, 0.02);
    bel_event b = bel_event_make(BEL_EV_INSP_ONSET, 281474976710656.0625, 1e15);
    bel_event c = bel_event_make(BEL_EV_EXP_ONSET, (double)NAN, 1.0);
    assert_int_equal(bel_event_csv_write(w, &a), BEL_OK);
    assert_int_equal(bel_event_csv_write(w, &b), BEL_OK);
    assert_int_equal(bel_event_csv_write(w, &c), BEL_ERR_ARG);
    assert_non_null(strstr(bel_event_csv_get_error(w), "far.events.csv: cannot write an event"));
    assert_int_equal(bel_event_csv_close(w), BEL_OK);
    bel_event_csv_destroy(w);
    assert_string_equal(read_file(path), "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio\n"
                                         "-1e+300,signal_lost,0.02,,,,,\n"
                                         "281474976710656.0625,insp_onset,1e+15,,,,,\n");
    char buf[32];
    static const double far[] = {-1e300, 1.7976931348623157e308, 1e15, -4.9406564584124654e-324,
                                 0.1 + 1e16};
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        int n = bel_recording_format_time(buf, sizeof buf, far[i]);
        assert_true(n > 0 && n < (int)sizeof buf);
        assert_true(strtod(buf, NULL) == (fabs(far[i]) < 1e-6 ? 0.0 : far[i]));
    }
}

/* Times the way printf writes them ("%.6f", trailing zeros and point dropped, "-0" as 0). */
static void time_as_printf(char *buf, size_t len, double t_s)
{
    int n = snprintf(buf, len, "%.6f", t_s);
    while (n > 0 && buf[n - 1] == '0') {
        n--;
    }
    if (n > 0 && buf[n - 1] == '.') {
        n--;
    }
    buf[n] = '\0';
    if (strcmp(buf, "-0") == 0) {
        snprintf(buf, len, "0");
    }
}

/* A float from a few families: sample times' kind of values, every exponent the
 * writer's fast path takes and its edges, and halves of the last digit kept. */
static float test_value(uint64_t *seed, int i)
{
    *seed = *seed * 6364136223846793005u + 1442695040888963407u;
    const uint32_t r = (uint32_t)(*seed >> 32);
    switch (i % 6) {
    case 0: /* any float between 1e-6 and 1e7 */
        return (float)(pow(10.0, -6.0 + 13.0 * (r / 4294967296.0)) * (r & 1 ? -1.0 : 1.0));
    case 1: { /* a bit pattern near a power of ten */
        static const float p10[] = {1e-5f, 1e-4f,  1e-3f, 0.01f, 0.1f, 1.0f,
                                    10.0f, 100.0f, 1e3f,  1e4f,  1e5f, 1e6f};
        uint32_t u;
        memcpy(&u, &p10[r % 12], sizeof u);
        u += (r >> 8) % 9 - 4;
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    case 2: /* six digits and a half: ties where the float holds them */
        return (float)(((r % 2000000u) + 0.5) * pow(10.0, (int)(r >> 24) % 8 - 6));
    case 3: /* a ratio of small integers (rates, I:E) */
        return (float)(60.0 * (1 + r % 97) / (1 + (r >> 8) % 1000));
    case 4: /* sample times' differences */
        return (float)((r % 5000u) / ((r >> 16) & 1 ? 50.0 : 128.0));
    default:
        return (float)((r % 100000u) / 1000.0);
    }
}

static void test_event_csv_numbers_read_as_printf_writes_them(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    char buf[64], want[256], got[256];
    (void)state;
    uint64_t seed = 12345;
    /* Times: the same characters as printf's, from the microsecond's halves to days. */
    for (int i = 0; i < 400000; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        const uint32_t r = (uint32_t)(seed >> 32);
        double t;
        switch (i % 5) {
        case 0:
            t = (r % 4320000u) / 50.0;
            break;
        case 1:
            t = (r % 11059200u) / 128.0;
            break;
        case 2:
            t = ((r % 100000000u) + 0.5) * 1e-6; /* a half microsecond, as near as a double is */
            break;
        case 3:
            t = 4.1e6 * (r / 4294967296.0);
            break;
        default:
            t = (r & 1 ? -1.0 : 1.0) * (r % 1000u) * 1e-7;
            break;
        }
        time_as_printf(want, sizeof want, t);
        const int n = bel_recording_format_time(buf, sizeof buf, t);
        assert_int_equal(n, (int)strlen(want));
        assert_string_equal(buf, want);
    }
    /* Event figures ("%.6g"), through the writer, line by line. */
    snprintf(path, sizeof path, "%s/figures.events.csv", tmp_dir);
    bel_event_csv *w = NULL;
    assert_int_equal(bel_event_csv_create(path, &w, err, sizeof err), BEL_OK);
    enum { N_EV = 40000 };
    static float v[N_EV][5];
    for (int i = 0; i < N_EV; i++) {
        bel_event ev = bel_event_make(BEL_EV_INSP_ONSET, i * 0.02, i * 0.02 + 0.25);
        for (int j = 0; j < 5; j++) {
            v[i][j] = test_value(&seed, i * 5 + j);
        }
        ev.ti_s = v[i][0];
        ev.te_s = v[i][1];
        ev.depth = v[i][2];
        ev.rate_bpm = v[i][3];
        ev.ie_ratio = v[i][4];
        assert_int_equal(bel_event_csv_write(w, &ev), BEL_OK);
    }
    assert_int_equal(bel_event_csv_close(w), BEL_OK);
    bel_event_csv_destroy(w);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(got, sizeof got, fp)); /* the header */
    for (int i = 0; i < N_EV; i++) {
        char t0[32], t1[32];
        time_as_printf(t0, sizeof t0, i * 0.02);
        time_as_printf(t1, sizeof t1, i * 0.02 + 0.25);
        snprintf(want, sizeof want, "%s,insp_onset,%s,%.6g,%.6g,%.6g,%.6g,%.6g\n", t0, t1,
                 (double)v[i][0], (double)v[i][1], (double)v[i][2], (double)v[i][3],
                 (double)v[i][4]);
        assert_non_null(fgets(got, sizeof got, fp));
        assert_string_equal(got, want);
    }
    fclose(fp);
}

static void test_summary_json_escapes_and_nulls(void **state)
{
    char buf[128];
    char path[512];
    char err[BEL_IO_ERR_LEN];
    (void)state;
    size_t n = bel_summary_json_escape(buf, sizeof buf, "a\"b\\c\nd\x01");
    assert_string_equal(buf, "\"a\\\"b\\\\c\\nd\\u0001\"");
    assert_int_equal(n, strlen(buf));

    bel_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.duration_s = 90.0;
    sum.n_breaths = 21;
    sum.rate_bpm = 14.0f;
    sum.rate_spectral_bpm = NAN;
    sum.ti_s = sum.te_s = sum.ie_ratio = sum.depth = sum.variability = NAN;
    sum.n_events[BEL_EV_INSP_ONSET] = 22;
    const char *errors[1] = {"rec \"x\".csv:17: column 'belly': 'abc' is not a number"};
    bel_summary_json_info info = {"rec \"x\".csv", "belly", NULL, false, 50.0, 4500, &sum, 1,
                                  errors};
    snprintf(path, sizeof path, "%s/summary.json", tmp_dir);
    assert_int_equal(bel_summary_json_write(path, &info, err, sizeof err), BEL_OK);
    const char *text = read_file(path);
    assert_non_null(strstr(text, "\"ok\": false"));
    assert_non_null(strstr(text, "\"input\": \"rec \\\"x\\\".csv\""));
    assert_non_null(strstr(text, "\"chest_channel\": null"));
    assert_non_null(strstr(text, "\"n_breaths\": 21,"));
    assert_non_null(strstr(text, "\"rate_bpm\": 14,"));
    assert_non_null(strstr(text, "\"rate_spectral_bpm\": null,"));
    assert_non_null(strstr(text, "\"insp_onset\": 22"));
    assert_non_null(strstr(text, "rec \\\"x\\\".csv:17: column 'belly': 'abc' is not a number"));
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(bel_summary_json_write("/dev/full", &info, err, sizeof err), BEL_ERR_IO);
        assert_non_null(strstr(err, "/dev/full: cannot write"));
    }
}

/* How many files in tmp_dir have a name with part in it. */
static int count_named(const char *part)
{
    DIR *d = opendir(tmp_dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        n += strstr(e->d_name, part) != NULL;
    }
    closedir(d);
    return n;
}

/* A summary is of use only whole: one that cannot be written (a full disk, here a file
 * size limit) leaves no part of itself, and the earlier summary at that path stays as it
 * was. Written in place, a failed write left the start of one and the earlier was gone. */
static void test_summary_json_replaces_an_earlier_one_only_whole(void **state)
{
    char path[512];
    char err[BEL_IO_ERR_LEN];
    (void)state;
    bel_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.duration_s = 90.0;
    sum.n_breaths = 21;
    sum.rate_bpm = 14.0f;
    sum.rate_spectral_bpm = sum.ti_s = sum.te_s = sum.ie_ratio = sum.depth = NAN;
    sum.variability = NAN;
    bel_summary_json_info info = {"rec.csv", "belly", NULL, false, 50.0, 4500, &sum, 0, NULL};
    snprintf(path, sizeof path, "%s/whole.summary.json", tmp_dir);
    assert_int_equal(bel_summary_json_write(path, &info, err, sizeof err), BEL_OK);
    sum.n_breaths = 22;
    assert_int_equal(bel_summary_json_write(path, &info, err, sizeof err), BEL_OK);
    assert_non_null(strstr(read_file(path), "\"n_breaths\": 22,"));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(count_named(".part-"), 0);

    struct rlimit was;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
    struct rlimit small = was;
    small.rlim_cur = 64;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    sum.n_breaths = 23;
    const bel_status st = bel_summary_json_write(path, &info, err, sizeof err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, BEL_ERR_IO);
    assert_non_null(strstr(err, "whole.summary.json: cannot write"));
    assert_non_null(strstr(read_file(path), "\"n_breaths\": 22,"));
    assert_int_equal(count_named(".part-"), 0);
}

/* Open a file of exactly len bytes (it may hold NULs); the message goes to err. */
static bel_status open_bytes(const char *name, const char *bytes, size_t len, char *err,
                             size_t err_len, char *path, size_t path_len)
{
    snprintf(path, path_len, "%s/%s", tmp_dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    bel_recording_reader *r = NULL;
    bel_status st = bel_recording_reader_create(path, &r, err, err_len);
    bel_recording_reader_destroy(r);
    return st;
}

/* A NUL in a channel name cut it short without a word: now the header is refused,
 * naming file, line and column. */
static void test_recording_nul_in_header_is_refused_with_its_column(void **state)
{
    (void)state;
    static const char text[] = "t,belly,ch\0est\n0,1,2\n0.02,1,2\n";
    char err[BEL_IO_ERR_LEN];
    char path[512];
    char want[600];
    assert_int_equal(
        open_bytes("nul.csv", text, sizeof text - 1, err, sizeof err, path, sizeof path),
        BEL_ERR_FORMAT);
    snprintf(want, sizeof want, "%s:1:11: bad header: name of column 3", path);
    if (!strstr(err, want) || !strstr(err, "\\x00")) {
        fail_msg("message '%s' lacks '%s' or '\\x00'", err, want);
    }
}

/* 8-bit and 7-bit controls (0x9b is a terminal's CSI), DEL, C1 written as UTF-8 and
 * malformed UTF-8 in a name are refused; names in other scripts are kept. */
static void test_recording_control_bytes_in_names_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"t,bel\x9b"
                                      "2J\n0,1\n0.02,1\n",
                                      "t,\x1b[2Jx\n0,1\n0.02,1\n",
                                      "t,a\x7f\n0,1\n0.02,1\n",
                                      "t,a\xc2\x9b\n0,1\n0.02,1\n",
                                      "t,\xc3\n0,1\n0.02,1\n",
                                      "t,\xed\xa0\x80\n0,1\n0.02,1\n"};
    static const char *const col[] = {":1:6: ", ":1:3: ", ":1:4: ", ":1:4: ", ":1:3: ", ":1:3: "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[BEL_IO_ERR_LEN];
        char path[512];
        char want[600];
        assert_int_equal(
            open_bytes("ctl.csv", bad[i], strlen(bad[i]), err, sizeof err, path, sizeof path),
            BEL_ERR_FORMAT);
        snprintf(want, sizeof want, "%s%sbad header", path, col[i]);
        if (!strstr(err, want)) {
            fail_msg("case %zu: message '%s' lacks '%s'", i, err, want);
        }
        for (const char *c = err; *c; c++) {
            unsigned char u = (unsigned char)*c;
            assert_false(u < 0x20 || u >= 0x7f); /* the message itself is plain */
        }
    }
    /* U+011B (c4 9b) holds the byte 0x9b as part of a character: a fine name. */
    static const char good[] = "t,b\xc4\x9b\xc5\xa1,\xe8\x85\xb9\n0,1,2\n0.02,1,2\n";
    char err[BEL_IO_ERR_LEN];
    char path[512];
    assert_int_equal(
        open_bytes("utf8.csv", good, sizeof good - 1, err, sizeof err, path, sizeof path), BEL_OK);
}

/* A bad byte in a value is quoted escaped, never as itself. */
static void test_recording_bad_value_is_quoted_escaped(void **state)
{
    (void)state;
    static const char text[] = "t,belly\n0,1\n0.02,1\n0.04,5\x9b"
                               "2J\n";
    char path[512];
    write_file("val.csv", text, path, sizeof path);
    bel_recording_reader *r = NULL;
    char err[BEL_IO_ERR_LEN];
    assert_int_equal(bel_recording_reader_create(path, &r, err, sizeof err), BEL_OK);
    bel_sample s;
    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_int_equal(bel_recording_reader_read(r, &s), 1);
    assert_int_equal(bel_recording_reader_read(r, &s), BEL_ERR_FORMAT);
    const char *msg = bel_recording_reader_get_error(r);
    assert_non_null(strstr(msg, "'5\\x9b2J'"));
    bel_recording_reader_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording_reads_rows_names_and_rate),
        cmocka_unit_test(test_recording_streams_a_long_file),
        cmocka_unit_test(test_recording_parses_times_exactly),
        cmocka_unit_test(test_recording_plain_and_exotic_rows_read_as_strtod),
        cmocka_unit_test(test_recording_missing_file),
        cmocka_unit_test(test_recording_empty_file_and_no_samples),
        cmocka_unit_test(test_recording_bad_headers),
        cmocka_unit_test(test_recording_bad_header_has_bom_allowed),
        cmocka_unit_test(test_recording_bad_values_early),
        cmocka_unit_test(test_recording_bad_values_later),
        cmocka_unit_test(test_recording_writer_round_trip),
        cmocka_unit_test(test_recording_actions_round_trip),
        cmocka_unit_test(test_recording_writer_reports_full_disk),
        cmocka_unit_test(test_summary_json_replaces_an_earlier_one_only_whole),
        cmocka_unit_test(test_event_csv_writes_rows_with_empty_nan_fields),
        cmocka_unit_test(test_event_csv_writes_far_times_and_names_what_it_cannot),
        cmocka_unit_test(test_event_csv_numbers_read_as_printf_writes_them),
        cmocka_unit_test(test_summary_json_escapes_and_nulls),
        cmocka_unit_test(test_recording_nul_in_header_is_refused_with_its_column),
        cmocka_unit_test(test_recording_control_bytes_in_names_are_refused),
        cmocka_unit_test(test_recording_bad_value_is_quoted_escaped),
        cmocka_unit_test(test_recording_settings_round_trip),
        cmocka_unit_test(test_recording_bad_settings_are_refused),
    };
    return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
