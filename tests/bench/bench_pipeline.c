/* bench_pipeline.c - pipeline cost per sample on a simulated belly+chest recording.
 *
 * Prints ns/sample for the whole pipeline, how many times faster than real
 * time it runs, and ns/sample of each stage run on its own over the same
 * samples (despike; breath, hold-in and spectrum fed the despiked belly, not
 * the pipeline's mixed signal, so their cost differs from that inside it).
 * bench_pipeline_instr.sh counts each stage's instructions inside the
 * pipeline (stage_pipeline) with callgrind. A benchmark, not a test: it fails only if the
 * pipeline errors. Usage: bench_pipeline [HOURS [RUNS]].
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bellows/breath.h"
#include "bellows/filter.h"
#include "bellows/holdin.h"
#include "bellows/pipeline.h"
#include "bellows/sim.h"
#include "bellows/spectrum.h"

/* Best of this many runs of each stage by default (the machine is shared:
 * the least disturbed run is the closest to the cost). */
enum { N_RUNS = 3 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct input {
    const bel_sample *s;
    size_t n;
    double fs_hz;
    float *belly; /* despiked belly, the stages' input */
    float *chest;
    bel_breath_point *pts; /* turning points of the breath stage, for hold-in */
    size_t *pt_at;         /* sample index of each */
    size_t n_pts;
} input;

/* volatile sink: the compiler must not drop a stage's work. */
static volatile float sink;

__attribute__((noinline)) static int stage_pipeline(const input *in, size_t *n_events,
                                                    uint32_t *n_breaths)
{
    bel_pipeline_config c = bel_pipeline_config_default();
    c.fs_hz = in->fs_hz;
    c.chest_channel = 1;
    bel_pipeline *p = NULL;
    if (bel_pipeline_create(&c, &p) != BEL_OK) {
        return -1;
    }
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    size_t n_ev = 0;
    for (size_t i = 0; i < in->n; i++) {
        const int k = bel_pipeline_process(p, &in->s[i], ev, BEL_PIPELINE_MAX_EVENTS);
        if (k < 0) {
            bel_pipeline_destroy(p);
            return -1;
        }
        n_ev += (size_t)k;
    }
    bel_summary sum;
    bel_pipeline_get_summary(p, &sum);
    bel_pipeline_destroy(p);
    *n_events = n_ev;
    *n_breaths = sum.n_breaths;
    return 0;
}

__attribute__((noinline)) static int stage_despike(const input *in)
{
    bel_median mb, mc;
    if (bel_median_init(&mb, 5) != BEL_OK || bel_median_init(&mc, 5) != BEL_OK) {
        return -1;
    }
    float acc = 0.0f;
    for (size_t i = 0; i < in->n; i++) {
        acc += bel_median_process(&mb, in->s[i].value[0]);
        acc += bel_median_process(&mc, in->s[i].value[1]);
    }
    sink = acc;
    return 0;
}

/* With keep_points, the turning points go into in->pts for stage_holdin. */
__attribute__((noinline)) static int stage_breath(input *in, bool keep_points)
{
    bel_breath_config c = bel_breath_config_default(in->fs_hz);
    bel_breath *b = NULL;
    if (bel_breath_create(&c, &b) != BEL_OK) {
        return -1;
    }
    size_t n_pts = 0;
    for (size_t i = 0; i < in->n; i++) {
        bel_breath_point pt;
        if (bel_breath_process(b, in->s[i].t_s, in->belly[i], &pt) == 1 && keep_points &&
            n_pts < in->n) {
            in->pts[n_pts] = pt;
            in->pt_at[n_pts++] = i;
        }
    }
    if (keep_points) {
        in->n_pts = n_pts;
    }
    sink = bel_breath_get_smoothed(b);
    bel_breath_destroy(b);
    return 0;
}

__attribute__((noinline)) static int stage_holdin(const input *in)
{
    bel_holdin_config c = bel_holdin_config_default(in->fs_hz);
    bel_holdin_calibration cal = bel_holdin_calibration_none();
    bel_holdin *h = NULL;
    if (bel_holdin_create(&c, &cal, true, &h) != BEL_OK) {
        return -1;
    }
    bel_event ev[BEL_HOLDIN_MAX_EVENTS];
    size_t k = 0;
    for (size_t i = 0; i < in->n; i++) {
        (void)bel_holdin_process(h, in->s[i].t_s, in->belly[i], in->chest[i], ev,
                                 BEL_HOLDIN_MAX_EVENTS);
        while (k < in->n_pts && in->pt_at[k] == i) {
            bel_holdin_push_breath(h, &in->pts[k++]);
        }
    }
    bel_holdin_state st;
    bel_holdin_get_state(h, &st);
    sink = st.belly_share;
    bel_holdin_destroy(h);
    return 0;
}

__attribute__((noinline)) static int stage_spectrum(const input *in)
{
    bel_spectrum_config c = bel_spectrum_config_default(in->fs_hz);
    bel_spectrum *sp = NULL;
    if (bel_spectrum_create(&c, &sp) != BEL_OK) {
        return -1;
    }
    for (size_t i = 0; i < in->n; i++) {
        (void)bel_spectrum_push(sp, in->belly[i]);
    }
    sink = bel_spectrum_get_rate(sp);
    bel_spectrum_destroy(sp);
    return 0;
}

int main(int argc, char **argv)
{
    const double hours = argc > 1 ? atof(argv[1]) : 1.0;
    const int n_runs = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : N_RUNS;
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
    input in = {0};
    in.belly = malloc(n_max * sizeof *in.belly);
    in.chest = malloc(n_max * sizeof *in.chest);
    in.pts = malloc(n_max * sizeof *in.pts);
    in.pt_at = malloc(n_max * sizeof *in.pt_at);
    if (!s || !in.belly || !in.chest || !in.pts || !in.pt_at) {
        fputs("bench_pipeline: out of memory\n", stderr);
        return 1;
    }
    size_t n = 0;
    while (n < n_max && bel_sim_next(sim, &s[n]) == 1) {
        n++;
    }
    bel_sim_destroy(sim);
    in.s = s;
    in.n = n;
    in.fs_hz = sc.fs_hz;
    /* The stages' input: the despiked belts, as the pipeline gives them. */
    bel_median mb, mc;
    if (bel_median_init(&mb, 5) != BEL_OK || bel_median_init(&mc, 5) != BEL_OK) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        in.belly[i] = bel_median_process(&mb, s[i].value[0]);
        in.chest[i] = bel_median_process(&mc, s[i].value[1]);
    }
    if (stage_breath(&in, true) != 0) {
        fputs("bench_pipeline: cannot create the breath stage\n", stderr);
        return 1;
    }

    double best[5] = {INFINITY, INFINITY, INFINITY, INFINITY, INFINITY};
    size_t n_events = 0;
    uint32_t n_breaths = 0;
    for (int run = 0; run < n_runs; run++) {
        double t0 = now_s();
        if (stage_pipeline(&in, &n_events, &n_breaths) != 0) {
            fputs("bench_pipeline: the pipeline rejected a sample\n", stderr);
            return 1;
        }
        double t1 = now_s();
        best[0] = fmin(best[0], t1 - t0);
        int rc = stage_despike(&in);
        double t2 = now_s();
        rc |= stage_breath(&in, false);
        double t3 = now_s();
        rc |= stage_holdin(&in);
        double t4 = now_s();
        rc |= stage_spectrum(&in);
        double t5 = now_s();
        if (rc != 0) {
            fputs("bench_pipeline: cannot create a stage\n", stderr);
            return 1;
        }
        best[1] = fmin(best[1], t2 - t1);
        best[2] = fmin(best[2], t3 - t2);
        best[3] = fmin(best[3], t4 - t3);
        best[4] = fmin(best[4], t5 - t4);
    }
    free(s);
    free(in.belly);
    free(in.chest);
    free(in.pts);
    free(in.pt_at);
    const double ns = 1e9 / (double)n;
    printf("bench_pipeline: %zu samples (%.1f h at %.0f Hz, belly+chest), %zu events, "
           "%u breaths\n",
           n, hours, sc.fs_hz, n_events, n_breaths);
    printf("bench_pipeline: %.0f ns/sample, %.2f M samples/s, %.0fx real time (best of %d)\n",
           best[0] * ns, (double)n / best[0] * 1e-6, sc.duration_s / best[0], n_runs);
    const double stages = best[1] + best[2] + best[3] + best[4];
    printf("bench_pipeline: stages on their own, ns/sample: despike (2 belts) %.0f, breath %.0f, "
           "hold-in %.0f, spectrum %.0f (sum %.0f)\n",
           best[1] * ns, best[2] * ns, best[3] * ns, best[4] * ns, stages * ns);
    return 0;
}
