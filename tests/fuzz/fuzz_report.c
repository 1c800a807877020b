/* fuzz_report.c - libFuzzer target: `bellows report --session` (bel_report_write with the
 * session's breath trace) fed with any recording and events file. It never crashes, never
 * hangs (a trace's axis loop that does not advance was one such bug), and either refuses
 * with a message or writes one whole HTML page.
 * The input is the recording, then (after the first form feed, if any) the events CSV.
 * One store for the whole run (removed at exit): a client with one session, whose
 * recording and events are two memory files rewritten for each input.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memfd_create: the files without touching the disk */

#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report.h"
#include "store.h"
#include "text.h"

typedef struct fixture {
    bel_store *st;
    int64_t client_id, session_id;
    int fd_rec, fd_ev;
    char dir[64];
} fixture;

static fixture f;

/* The store and its folder go at the end of the process. */
static void teardown(void)
{
    char db[128];
    bel_store_destroy(f.st);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int k = 0; k < 3; k++) {
        snprintf(db, sizeof db, "%s/bellows.db%s", f.dir, suffix[k]);
        unlink(db);
    }
    rmdir(f.dir);
}

/* Made once, on the first input; left to the end of the process. */
static fixture *setup(void)
{
    static bool done = false;
    if (done) {
        return &f;
    }
    done = true;
    char rec[64], ev[64], db[128], err[BEL_STORE_ERR_LEN];
    f.fd_rec = fuzz_file(NULL, 0, rec, sizeof rec);
    f.fd_ev = fuzz_file(NULL, 0, ev, sizeof ev);
    snprintf(f.dir, sizeof f.dir, "/tmp/bellows_fuzz_report.XXXXXX");
    CHECK(mkdtemp(f.dir) != NULL);
    snprintf(db, sizeof db, "%s/bellows.db", f.dir);
    CHECK(bel_store_create(db, &f.st, err, sizeof err) == BEL_OK);
    CHECK(bel_store_add_client(f.st, "Fuzz", &f.client_id) == BEL_OK);
    bel_store_session_info si = {f.client_id, 1.7e9, "replay", NULL, NULL, rec, ev, false};
    CHECK(bel_store_begin_session(f.st, &si, &f.session_id) == BEL_OK);
    bel_store_metrics m = bel_store_metrics_unknown();
    CHECK(bel_store_finish_session(f.st, f.session_id, &m, NULL) == BEL_OK);
    atexit(teardown);
    return &f;
}

static void put(int fd, const uint8_t *data, size_t n)
{
    CHECK(ftruncate(fd, 0) == 0);
    for (size_t done = 0; done < n;) {
        ssize_t k = pwrite(fd, data + done, n - done, (off_t)done);
        CHECK(k > 0);
        done += (size_t)k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fixture *fx = setup();
    const uint8_t *ff = memchr(data, '\f', size);
    const size_t n_rec = ff ? (size_t)(ff - data) : size;
    put(fx->fd_rec, data, n_rec);
    put(fx->fd_ev, ff ? ff + 1 : data, ff ? size - n_rec - 1 : 0);
    char out[64];
    int fd_out = fuzz_file(NULL, 0, out, sizeof out);
    const bel_report_config cfg = {fx->client_id, fx->session_id, 1.7e9};
    char err[BEL_IO_ERR_LEN];
    bel_status st = bel_report_write(fx->st, &cfg, out, err, sizeof err);
    if (st == BEL_OK) {
        off_t len = lseek(fd_out, 0, SEEK_END);
        CHECK(len > 0);
        char *html = malloc((size_t)len + 1);
        CHECK(html != NULL);
        CHECK(pread(fd_out, html, (size_t)len, 0) == len);
        html[len] = '\0';
        CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
        CHECK(strstr(html, "</html>\n") == html + len - 8);
        /* The recording's bytes reach the page only escaped: no raw control bytes. */
        for (off_t i = 0; i < len; i++) {
            CHECK((unsigned char)html[i] >= 0x20 || html[i] == '\n');
        }
        free(html);
    } else {
        CHECK(err[0] != '\0');
    }
    close(fd_out);
    return 0;
}
