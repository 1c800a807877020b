/* fuzz_events.c - libFuzzer target: the events CSV reader on any bytes never crashes,
 * hands out only finite times and known kinds, keeps what came before an unreadable row,
 * and names the file in every error and warning, as printable text.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memfd_create: the input as a file without touching the disk */

#include "fuzz_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "event_csv.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    bel_event_list l;
    char err[BEL_IO_ERR_LEN] = "";
    bel_status st = bel_event_csv_read(path, &l, err, sizeof err);
    if (st != BEL_OK) {
        CHECK(l.n == 0 && l.t_s == NULL && l.kind == NULL);
        CHECK(strncmp(err, path, strlen(path)) == 0);
        CHECK(bel_text_find_control(err, strlen(err)) == strlen(err));
        close(fd);
        return 0;
    }
    CHECK(l.n == 0 || (l.t_s && l.kind));
    for (size_t i = 0; i < l.n; i++) {
        CHECK(isfinite(l.t_s[i]));
        CHECK((int)l.kind[i] >= 0 && l.kind[i] < BEL_EV_COUNT);
    }
    if (l.warning[0]) {
        CHECK(strncmp(l.warning, path, strlen(path)) == 0);
        CHECK(bel_text_find_control(l.warning, strlen(l.warning)) == strlen(l.warning));
    }
    bel_event_list_free(&l);
    CHECK(l.n == 0 && l.t_s == NULL);
    close(fd);
    return 0;
}
