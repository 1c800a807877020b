/* bench_pipeline.c - pipeline cost per sample on a simulated belly+chest recording.
 *
 * Prints ns/sample and how many times faster than real time the pipeline
 * runs. A benchmark, not a test: it fails only if the pipeline errors.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bellows/pipeline.h"
#include "bellows/sim.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const double hours = argc > 1 ? atof(argv[1]) : 1.0;
    bel_sim_config sc = bel_sim_config_default();
    sc.seed = 42;
    sc.fs_hz = 50.0;
    sc.chest = true;
    sc.duration_s = hours * 3600.0;
    bel_sim_config_demo_script(&sc);
    bel_sim *sim = NULL;
    if (bel_sim_create(&sc, &sim) != BEL_OK) {
        fputs("bench_pipeline: cannot create the simulator\n", stderr);
        return 1;
    }
    const size_t n_max = (size_t)(sc.duration_s * sc.fs_hz) + 1;
    bel_sample *s = malloc(n_max * sizeof *s);
    if (!s) {
        fputs("bench_pipeline: out of memory\n", stderr);
        return 1;
    }
    size_t n = 0;
    while (n < n_max && bel_sim_next(sim, &s[n]) == 1) {
        n++;
    }
    bel_sim_destroy(sim);

    bel_pipeline_config c = bel_pipeline_config_default();
    c.fs_hz = sc.fs_hz;
    c.chest_channel = 1;
    bel_pipeline *p = NULL;
    if (bel_pipeline_create(&c, &p) != BEL_OK) {
        fputs("bench_pipeline: cannot create the pipeline\n", stderr);
        return 1;
    }
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    size_t n_events = 0;
    const double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        const int k = bel_pipeline_process(p, &s[i], ev, BEL_PIPELINE_MAX_EVENTS);
        if (k < 0) {
            fprintf(stderr, "bench_pipeline: sample %zu rejected\n", i);
            return 1;
        }
        n_events += (size_t)k;
    }
    const double dt = now_s() - t0;
    bel_summary sum;
    bel_pipeline_get_summary(p, &sum);
    bel_pipeline_destroy(p);
    free(s);
    printf("bench_pipeline: %zu samples (%.1f h at %.0f Hz, belly+chest), %zu events, "
           "%u breaths\n",
           n, hours, sc.fs_hz, n_events, sum.n_breaths);
    printf("bench_pipeline: %.0f ns/sample, %.2f M samples/s, %.0fx real time\n",
           dt * 1e9 / (double)n, (double)n / dt * 1e-6, sc.duration_s / dt);
    return 0;
}
