/* test_edf.c - the EDF+ writer on temp files: annotation TALs for hostile onsets.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <math.h>

#include "edf.h"

static char tmp_dir[256];

static int make_tmp_dir(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/bellows_edf_XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp_dir(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

enum { FS = 10, N_SAMPLES = 30, NS = 1 };

/* The annotation signal of record r of a one-belt file at FS Hz (ann_bytes each). */
static size_t read_annotations(const char *path, size_t r, char *out, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char hdr[256 + 256 * (NS + 1)];
    assert_int_equal(fread(hdr, 1, sizeof hdr, fp), sizeof hdr);
    /* samples per record of the annotation signal: the last of the 8-byte fields */
    char field[9] = {0};
    memcpy(field, hdr + 256 + (NS + 1) * (16 + 80 + 8 * 5 + 80) + 8 * NS, 8);
    size_t ann_bytes = 2 * (size_t)strtoul(field, NULL, 10);
    assert_true(ann_bytes > 0 && ann_bytes <= cap);
    size_t rec_bytes = 2 * FS * NS + ann_bytes;
    assert_int_equal(fseek(fp, (long)(sizeof hdr + r * rec_bytes + 2 * FS * NS), SEEK_SET), 0);
    assert_int_equal(fread(out, 1, ann_bytes, fp), ann_bytes);
    fclose(fp);
    return ann_bytes;
}

/* A recording that starts at t = -1e300 puts its events 1e300 s after the first sample:
 * the TAL must still fit (it overflowed a 128-byte stack buffer) and lie in the file. */
static void test_edf_far_onsets_stay_inside_the_recording(void **state)
{
    (void)state;
    float x[N_SAMPLES];
    for (int i = 0; i < N_SAMPLES; i++) {
        x[i] = (float)(500.0 + 100.0 * sin(i * 0.3));
    }
    const bel_edf_signal sig = {"belly", "", x, 0.0, 0.0};
    const bel_edf_annotation ann[] = {
        {1e300, 0.0, "insp_onset"}, {-1e300, 0.0, "exp_onset"}, {INFINITY, 0.0, "holdin_start"},
        {NAN, 0.0, "holdin_end"},   {1.5, 0.0, "insp_onset"},
    };
    const bel_edf_info info = {1700000000.0, "X", "bellows", FS,   NS,  &sig,
                               N_SAMPLES,    5,   ann,       NULL, NULL};
    char path[320];
    char err[256];
    snprintf(path, sizeof path, "%s/far.edf", tmp_dir);
    assert_int_equal(bel_edf_write(path, &info, err, sizeof err), BEL_OK);

    char first[512];
    size_t n = read_annotations(path, 0, first, sizeof first);
    /* record 0: time keeping, then the annotations before the start */
    static const char want0[] = "+0\x14\x14\0+0\x14"
                                "exp_onset\x14\0+0\x14holdin_end\x14";
    assert_true(n >= sizeof want0);
    assert_memory_equal(first, want0, sizeof want0);
    char last[512];
    n = read_annotations(path, 2, last, sizeof last);
    /* the last record (2): the ones after the end, at the end of the recording (3 s) */
    static const char want2[] = "+2\x14\x14\0+3\x14insp_onset\x14\0+3\x14holdin_start\x14";
    assert_true(n >= sizeof want2);
    assert_memory_equal(last, want2, sizeof want2);
    char mid[512];
    n = read_annotations(path, 1, mid, sizeof mid);
    static const char want1[] = "+1\x14\x14\0+1.5\x14insp_onset\x14";
    assert_memory_equal(mid, want1, sizeof want1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edf_far_onsets_stay_inside_the_recording),
    };
    return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
