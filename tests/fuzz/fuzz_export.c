/* fuzz_export.c - libFuzzer target: `bellows export --edf` (export_edf: the recording read
 * through, its events, the EDF+ writer) fed with any recording and events file. It never
 * crashes, never writes past a buffer, and either refuses with a message or writes an EDF+
 * file whose header is ASCII and whose size is what its own header says.
 * The input is the recording, then (after the first form feed, if any) the events CSV.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memfd_create: the files without touching the disk */

#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd_store.h"
#include "text.h"

/* The number in the n ASCII characters at s (space padded), -1 if there is none. */
static long field(const char *s, size_t n)
{
    char buf[32];
    CHECK(n < sizeof buf);
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end = NULL;
    long v = strtol(buf, &end, 10);
    return end == buf ? -1 : v;
}

/* An EDF+ file: ASCII header, as many signals and records as it says, nothing more. */
static void check_edf(int fd, const export_edf_result *res)
{
    off_t len = lseek(fd, 0, SEEK_END);
    CHECK(len >= 256);
    char *b = malloc((size_t)len);
    CHECK(b != NULL);
    CHECK(pread(fd, b, (size_t)len, 0) == len);
    const long header = field(b + 184, 8);
    const long n_records = field(b + 236, 8);
    const long ns = field(b + 252, 4);
    CHECK(ns == res->n_signals + 1); /* the belts and the annotations */
    CHECK(header == 256 * (ns + 1) && len >= header);
    for (long i = 0; i < header; i++) {
        CHECK(b[i] >= 0x20 && b[i] < 0x7f);
    }
    CHECK(n_records >= 1 &&
          (size_t)n_records == (res->n_samples + (size_t)res->fs_hz - 1) / (size_t)res->fs_hz);
    long record = 0;
    for (long k = 0; k < ns; k++) {
        const long spr = field(b + 256 + ns * 216 + k * 8, 8);
        CHECK(spr >= 1);
        CHECK(k == ns - 1 || spr == (long)res->fs_hz);
        record += 2 * spr;
    }
    CHECK(len == header + n_records * record);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *ff = memchr(data, '\f', size);
    const size_t n_rec = ff ? (size_t)(ff - data) : size;
    char rec[64], events[64], edf[64];
    int fd_rec = fuzz_file(data, n_rec, rec, sizeof rec);
    int fd_ev = ff ? fuzz_file(ff + 1, size - n_rec - 1, events, sizeof events) : -1;
    int fd_edf = fuzz_file(NULL, 0, edf, sizeof edf);
    const export_edf_info x = {1.7e9, "bellows-client-1", "bellows-session-1"};
    export_edf_result res;
    char err[BEL_IO_ERR_LEN];
    bel_status st = export_edf(rec, ff ? events : NULL, edf, &x, &res, err, sizeof err);
    CHECK(bel_text_find_control(res.warning, strlen(res.warning)) == strlen(res.warning));
    if (st == BEL_OK) {
        CHECK(res.n_signals >= 1 && res.n_samples >= 1);
        check_edf(fd_edf, &res);
    } else {
        CHECK(err[0] != '\0');
        CHECK(bel_text_find_control(err, strlen(err)) == strlen(err));
    }
    close(fd_edf);
    if (fd_ev >= 0) {
        close(fd_ev);
    }
    close(fd_rec);
    return 0;
}
