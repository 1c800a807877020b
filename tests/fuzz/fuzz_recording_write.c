/* fuzz_recording_write.c - libFuzzer target: the recording CSV writer, given any settings,
 * channel names and samples, either refuses cleanly (a bad name or channel count at create,
 * a row it cannot write readably) or writes a file that the reader reads back as written:
 * the names, the settings (and a calibration), and every row it accepted with the person's
 * actions before it, times to the microsecond and values exactly (float), in order, nothing
 * more.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memfd_create: the file without touching the disk */

#include "fuzz_file.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "recording.h"

enum { MAX_ROWS = 512 };

/* The fuzz input, read from the front. */
typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t take_byte(input *in)
{
    if (in->n == 0) {
        return 0;
    }
    in->n--;
    return *in->p++;
}

static void take_bytes(input *in, void *dst, size_t len)
{
    memset(dst, 0, len);
    const size_t k = in->n < len ? in->n : len;
    memcpy(dst, in->p, k);
    in->p += k;
    in->n -= k;
}

/* Next NUL-terminated piece of the input (at most len - 1 bytes) into buf. */
static void take_text(input *in, char *buf, size_t len)
{
    size_t k = 0;
    while (in->n > 0 && *in->p != 0 && k + 1 < len) {
        buf[k++] = (char)*in->p++;
        in->n--;
    }
    if (in->n > 0) {
        in->p++;
        in->n--;
    }
    buf[k] = '\0';
}

static float take_float(input *in)
{
    float v;
    take_bytes(in, &v, sizeof v);
    return v;
}

/* Calibration a, written, reads back as b: every number equal as float, or unknown (a number
 * that is not finite is written as unknown: null, read as NAN). */
static bool same_number(float a, float b) { return a == b || (!isfinite(a) && isnan(b)); }

static bool same_calibration(const bel_holdin_calibration *a, const bel_holdin_calibration *b)
{
    return a->is_valid == b->is_valid && a->belly_inverted == b->belly_inverted &&
           a->chest_inverted == b->chest_inverted && same_number(a->belly_level, b->belly_level) &&
           same_number(a->belly_depth, b->belly_depth) &&
           same_number(a->chest_level, b->chest_level) &&
           same_number(a->chest_depth, b->chest_depth) &&
           same_number(a->chest_gain, b->chest_gain) && same_number(a->belly_share, b->belly_share);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    /* 0 and BEL_MAX_CHANNELS + 1 channels too: refused. */
    const int n_ch = take_byte(&in) % (BEL_MAX_CHANNELS + 2);
    const uint8_t flags = take_byte(&in);
    bel_recording_settings rs = bel_recording_settings_default();
    rs.invert = flags & 1u;
    rs.invert_chest = (flags >> 1) & 1u;
    rs.is_polarity_known = (flags >> 2) & 1u;
    if ((flags >> 3) & 1u) {
        bel_holdin_calibration *c = &rs.calibration;
        c->is_valid = true;
        c->belly_inverted = (flags >> 4) & 1u;
        c->chest_inverted = (flags >> 5) & 1u;
        c->belly_level = take_float(&in);
        c->belly_depth = take_float(&in);
        c->chest_level = take_float(&in);
        c->chest_depth = take_float(&in);
        c->chest_gain = take_float(&in);
        c->belly_share = take_float(&in);
    }
    const bool has_settings = !((flags >> 6) & 1u); /* else NULL: the defaults */
    /* Times from a start and steps (any bits), or any bits each (flags bit 7). */
    const bool is_raw_time = (flags >> 7) & 1u;
    char names[BEL_MAX_CHANNELS + 1][BEL_RECORDING_NAME_LEN + 8];
    const char *name_ptrs[BEL_MAX_CHANNELS + 1];
    for (int ch = 0; ch < n_ch; ch++) {
        take_text(&in, names[ch], sizeof names[ch]);
        name_ptrs[ch] = names[ch];
    }

    char path[64];
    int fd = fuzz_file(NULL, 0, path, sizeof path);
    bel_recording_writer *w = NULL;
    char err[BEL_IO_ERR_LEN];
    bel_status st = bel_recording_writer_create(path, n_ch, name_ptrs, has_settings ? &rs : NULL,
                                                &w, err, sizeof err);
    if (st != BEL_OK) {
        CHECK(w == NULL && st == BEL_ERR_ARG && err[0] != '\0');
        close(fd);
        return 0;
    }
    CHECK(n_ch >= 1 && n_ch <= BEL_MAX_CHANNELS);
    static bel_sample written[MAX_ROWS];
    int n_written = 0;
    double t = 0.0;
    take_bytes(&in, &t, sizeof t);
    while (in.n > 0 && n_written < MAX_ROWS) {
        bel_sample s;
        memset(&s, 0, sizeof s);
        double step = 0.0;
        take_bytes(&in, &step, sizeof step);
        t = is_raw_time ? step : t + step;
        s.t_s = t;
        s.actions = take_byte(&in); /* unknown bits are not written */
        s.n_channels = (uint8_t)n_ch;
        for (int ch = 0; ch < n_ch; ch++) {
            s.value[ch] = take_float(&in);
        }
        st = bel_recording_writer_write(w, &s);
        if (st == BEL_OK) {
            written[n_written++] = s;
        } else {
            CHECK(st == BEL_ERR_ARG); /* a row it cannot write readably, not a file error */
            CHECK(bel_recording_writer_get_error(w)[0] != '\0');
        }
    }
    CHECK(bel_recording_writer_close(w) == BEL_OK);
    bel_recording_writer_destroy(w);

    bel_recording_reader *r = NULL;
    st = bel_recording_reader_create(path, &r, err, sizeof err);
    if (n_written == 0 && st == BEL_ERR_FORMAT) { /* a header alone: "no samples" */
        CHECK(r == NULL && strstr(err, "no samples") != NULL);
        close(fd);
        return 0;
    }
    if (st != BEL_OK) {
        fprintf(stderr, "written, then refused by the reader: %s\n", err);
    }
    CHECK(st == BEL_OK);
    CHECK(bel_recording_reader_get_channel_count(r) == n_ch);
    for (int ch = 0; ch < n_ch; ch++) {
        CHECK(strcmp(bel_recording_reader_get_channel_name(r, ch), names[ch]) == 0);
    }
    const bel_recording_settings *got = bel_recording_reader_get_settings(r);
    const bel_recording_settings want = has_settings ? rs : bel_recording_settings_default();
    CHECK(got->invert == want.invert && got->invert_chest == want.invert_chest &&
          got->is_polarity_known == want.is_polarity_known);
    if (!same_calibration(&want.calibration, &got->calibration)) {
        const bel_holdin_calibration *a = &want.calibration, *b = &got->calibration;
        fprintf(stderr,
                "calibration written %d %d %d %.9g %.9g %.9g %.9g %.9g %.9g\n"
                "            read    %d %d %d %.9g %.9g %.9g %.9g %.9g %.9g\n",
                a->is_valid, a->belly_inverted, a->chest_inverted, (double)a->belly_level,
                (double)a->belly_depth, (double)a->chest_level, (double)a->chest_depth,
                (double)a->chest_gain, (double)a->belly_share, b->is_valid, b->belly_inverted,
                b->chest_inverted, (double)b->belly_level, (double)b->belly_depth,
                (double)b->chest_level, (double)b->chest_depth, (double)b->chest_gain,
                (double)b->belly_share);
        abort();
    }
    bel_sample s;
    for (int i = 0; i < n_written; i++) {
        if (bel_recording_reader_read(r, &s) != 1) {
            fprintf(stderr, "row %d written, then: %s\n", i, bel_recording_reader_get_error(r));
            abort();
        }
        const double tw = written[i].t_s;
        /* To the microsecond; beyond 1e15 s, exactly. */
        CHECK(fabs(tw) >= 1e15 ? s.t_s == tw : fabs(s.t_s - tw) <= 0.5e-6 + 1e-12 * fabs(tw));
        CHECK(s.n_channels == n_ch);
        CHECK(s.actions == (written[i].actions & BEL_ACTION_ALL));
        for (int ch = 0; ch < n_ch; ch++) {
            CHECK(s.value[ch] == written[i].value[ch]);
        }
    }
    CHECK(bel_recording_reader_read(r, &s) == 0);
    bel_recording_reader_destroy(r);
    close(fd);
    return 0;
}
