/* bench_store.c - the session store at scale: 10,000 sessions for 100 clients; times the
 * listing and a client report, in-process and through the `bellows` binary.
 * Usage: bench_store [BELLOWS]   (prints figures; fails only if something fails)
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "store.h"

enum { N_CLIENTS = 100, N_SESSIONS = 10000 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool count_row(void *ctx, const bel_store_session *s)
{
    (void)s;
    (*(long *)ctx)++;
    return true;
}

static int run(const char *what, const char *cmd)
{
    double t0 = now_s();
    int rc = system(cmd);
    double dt = now_s() - t0;
    printf("%-44s %8.3f s%s\n", what, dt, rc == 0 ? "" : "  (FAILED)");
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/bellows_bench_store.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/bellows/bellows.db", dir);
    bel_store *st = NULL;
    char err[BEL_STORE_ERR_LEN];
    if (bel_store_create(path, &st, err, sizeof err) != BEL_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t clients[N_CLIENTS];
    double t0 = now_s();
    for (int c = 0; c < N_CLIENTS; c++) {
        char name[64];
        snprintf(name, sizeof name, "Client %03d Ünïcødé", c);
        if (bel_store_add_client(st, name, &clients[c]) != BEL_OK) {
            fprintf(stderr, "%s\n", bel_store_get_error(st));
            return 1;
        }
    }
    srand(1);
    for (int i = 0; i < N_SESSIONS; i++) {
        int c = i % N_CLIENTS;
        bel_store_session_info info = {
            clients[c],           1.6e9 + 3600.0 * i,          "simulated", "1.0", "resonance",
            "/nonexistent/s.csv", "/nonexistent/s.events.csv", false};
        int64_t id = 0;
        bel_store_metrics m = bel_store_metrics_unknown();
        m.duration_s = 600.0;
        m.n_breaths = 80 + rand() % 40;
        m.rate_bpm = 6.0 + 10.0 * rand() / (double)RAND_MAX;
        m.belly_share = 0.4 + 0.5 * rand() / (double)RAND_MAX;
        m.time_held_in_s = 60.0 * rand() / (double)RAND_MAX;
        m.n_holdins = rand() % 5;
        m.n_breath_holds = rand() % 3;
        int64_t aid = 0;
        if (bel_store_add_assessment(st, clients[c], 0, BEL_STORE_BEFORE, false, 0.0, "{}", &m,
                                     &aid) != BEL_OK ||
            bel_store_begin_session(st, &info, &id) != BEL_OK ||
            bel_store_finish_session(st, id, &m, NULL) != BEL_OK ||
            bel_store_add_assessment(st, clients[c], id, BEL_STORE_AFTER, false, 0.0, "{}", &m,
                                     &aid) != BEL_OK ||
            (i % 3 == 0 &&
             bel_store_add_note(st, id, "a note <b>with</b> 'markup' 😀") != BEL_OK)) {
            fprintf(stderr, "%s\n", bel_store_get_error(st));
            return 1;
        }
    }
    printf("%-44s %8.3f s\n", "fill: 10,000 sessions, 100 clients", now_s() - t0);

    long n = 0;
    t0 = now_s();
    if (bel_store_list_sessions(st, 0, count_row, &n) != N_SESSIONS) {
        fprintf(stderr, "listing: %s\n", bel_store_get_error(st));
        return 1;
    }
    printf("%-44s %8.3f s\n", "list all sessions (in-process)", now_s() - t0);
    n = 0;
    t0 = now_s();
    (void)bel_store_list_sessions(st, clients[42], count_row, &n);
    printf("%-44s %8.3f s (%ld sessions)\n", "list one client's sessions (in-process)",
           now_s() - t0, n);
    char out[300];
    snprintf(out, sizeof out, "%s/report.html", dir);
    bel_report_config cfg = {clients[42], 0, 0.0};
    t0 = now_s();
    if (bel_report_write(st, &cfg, out, err, sizeof err) != BEL_OK) {
        fprintf(stderr, "report: %s\n", err);
        return 1;
    }
    printf("%-44s %8.3f s\n", "client report, 100 sessions (in-process)", now_s() - t0);
    bel_store_destroy(st);

    int failed = 0;
    if (argc > 1) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "XDG_DATA_HOME='%s' '%s' sessions > /dev/null", dir, argv[1]);
        failed |= run("bellows sessions (10,000 rows)", cmd);
        snprintf(cmd, sizeof cmd,
                 "XDG_DATA_HOME='%s' '%s' sessions --client 'Client 042 Ünïcødé' > /dev/null", dir,
                 argv[1]);
        failed |= run("bellows sessions --client (100 rows)", cmd);
        snprintf(cmd, sizeof cmd,
                 "XDG_DATA_HOME='%s' '%s' report --client 'Client 042 Ünïcødé' --out '%s/r2.html' "
                 "> /dev/null",
                 dir, argv[1], dir);
        failed |= run("bellows report --client (100 sessions)", cmd);
    }
    char rm[300];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    if (system(rm) != 0) {
        failed = 1;
    }
    return failed;
}
