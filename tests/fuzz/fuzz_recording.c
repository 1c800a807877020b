/* fuzz_recording.c - libFuzzer target: the recording CSV reader on any bytes never
 * crashes, hands out only rows that keep the format's promises (finite values, time
 * strictly increasing), names the file in every error, gives channel names that are
 * printable text, and reads a session's settings lines into a usable calibration or none.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memfd_create: the input as a file without touching the disk */

#include "fuzz_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "recording.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    bel_recording_reader *r = NULL;
    char err[BEL_IO_ERR_LEN];
    bel_status st = bel_recording_reader_create(path, &r, err, sizeof err);
    if (st != BEL_OK) {
        CHECK(r == NULL);
        CHECK(strncmp(err, path, strlen(path)) == 0); /* names the file */
        CHECK(bel_text_find_control(err, strlen(err)) == strlen(err));
        close(fd);
        return 0;
    }
    const int n_ch = bel_recording_reader_get_channel_count(r);
    CHECK(n_ch >= 1 && n_ch <= BEL_MAX_CHANNELS);
    for (int ch = 0; ch < n_ch; ch++) {
        const char *name = bel_recording_reader_get_channel_name(r, ch);
        size_t len = strlen(name);
        CHECK(len > 0 && len < BEL_RECORDING_NAME_LEN);
        CHECK(bel_text_find_control(name, len) == len);
    }
    /* A session's settings: a calibration read from them is a usable one. */
    const bel_recording_settings *rs = bel_recording_reader_get_settings(r);
    CHECK(!rs->calibration.is_valid ||
          (rs->calibration.belly_depth > 0.0f && isfinite(rs->calibration.belly_depth)));
    bel_sample s;
    double t_prev = -INFINITY;
    int rc;
    while ((rc = bel_recording_reader_read(r, &s)) == 1) {
        CHECK(isfinite(s.t_s) && s.t_s > t_prev);
        CHECK(s.n_channels == n_ch);
        for (int ch = 0; ch < n_ch; ch++) {
            CHECK(isfinite(s.value[ch]));
        }
        t_prev = s.t_s;
    }
    if (rc < 0) {
        const char *msg = bel_recording_reader_get_error(r);
        CHECK(strncmp(msg, path, strlen(path)) == 0);
        CHECK(bel_text_find_control(msg, strlen(msg)) == strlen(msg));
        CHECK(bel_recording_reader_read(r, &s) == rc); /* errors are sticky */
    }
    bel_recording_reader_destroy(r);
    close(fd);
    return 0;
}
