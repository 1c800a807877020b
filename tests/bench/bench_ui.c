/* bench_ui.c - the live view in a real window, fed in real time by the simulated belt through the
 * pipeline and the pacer; prints p50/p99 frame time and the CPU share of the process.
 *
 * Usage: bench_ui FONT.ttf [SECONDS] [LAYOUT_SWITCH_S]   (run it under xvfb-run; see bench_ui.sh)
 * Frame time is the work of one frame: folding in the due samples, drawing,
 * presenting; the wait for the next display frame is not counted.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bellows/pacer.h"
#include "bellows/pipeline.h"
#include "bellows/sim.h"
#include "ui_view.h"
#include "ui_window.h"

enum { MAX_FRAMES = 100000 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FONT.ttf [SECONDS] [LAYOUT_SWITCH_S]\n", argv[0]);
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 60.0;
    double switch_s = argc > 3 ? atof(argv[3]) : 0.0;
    if (!(seconds > 0.0 && seconds <= 3600.0)) {
        fprintf(stderr, "bench_ui: SECONDS must be 0..3600\n");
        return 2;
    }
    bel_sim_config sc = bel_sim_config_default();
    sc.chest = true;
    bel_sim_config_demo_script(&sc);
    bel_sim *sim = NULL;
    bel_pipeline *pipe = NULL;
    bel_pacer *pacer = NULL;
    bel_ui_window *win = NULL;
    bel_ui_view *view = malloc(sizeof *view);
    double *frame_ms = malloc(MAX_FRAMES * sizeof *frame_ms);
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.chest_channel = 1;
    bel_pacer_config acfg = bel_pacer_config_default();
    char err[256];
    int rc = 1;
    if (!view || !frame_ms || bel_sim_create(&sc, &sim) != BEL_OK ||
        bel_pipeline_create(&pc, &pipe) != BEL_OK || bel_pacer_create(&acfg, &pacer) != BEL_OK) {
        fprintf(stderr, "bench_ui: setup failed\n");
        goto done;
    }
    if (bel_ui_window_create("bellows bench", 1280, 800, argv[1], &win, err, sizeof err) !=
        BEL_OK) {
        fprintf(stderr, "bench_ui: %s\n", err);
        goto done;
    }
    bel_ui_view_init(view);
    view->has_chest = true;
    view->is_connected = true;
    snprintf(view->source, sizeof view->source, "simulated belt");
    snprintf(view->pacer_name, sizeof view->pacer_name, "resonance");

    bel_sample s;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    bool have_sample = bel_sim_next(sim, &s) == 1;
    int n_frames = 0;
    double t0 = now_s();
    double cpu0 = cpu_s();
    double next_switch = switch_s;
    double next_trend = 10.0;
    while (have_sample) {
        double frame_start = now_s();
        double elapsed = frame_start - t0;
        if (elapsed >= seconds) {
            break;
        }
        bel_ui_action acts[8];
        int na = bel_ui_window_poll(win, acts, 8);
        for (int i = 0; i < na; i++) {
            if (acts[i] == BEL_UI_ACT_QUIT) {
                have_sample = false;
            }
        }
        /* Feed the samples that are due by the wall clock. */
        while (have_sample && s.t_s <= elapsed) {
            int n = bel_pipeline_process(pipe, &s, ev, BEL_PIPELINE_MAX_EVENTS);
            for (int k = 0; k < n; k++) {
                bel_ui_view_push_event(view, &ev[k]);
                bel_pacer_note_event(pacer, &ev[k]);
                if (ev[k].kind == BEL_EV_HOLDIN_START || ev[k].kind == BEL_EV_HOLDIN_END) {
                    view->is_holdin = ev[k].kind == BEL_EV_HOLDIN_START;
                }
            }
            bel_pipeline_get_metrics(pipe, &view->m);
            bel_ui_view_push_sample(view, s.t_s, view->m.belly, s.value[1]);
            have_sample = bel_sim_next(sim, &s) == 1;
        }
        bel_pacer_update(pacer, view->m.t_s, &view->pacer);
        bel_pacer_get_follow(pacer, &view->follow);
        view->expansion = bel_ui_view_expansion(view);
        view->session_s = view->m.t_s;
        if (view->m.t_s >= next_trend) {
            next_trend += 10.0;
            bel_ui_view_push_trend(view, view->m.t_s, view->m.rate_bpm, NAN, view->follow.score);
        }
        if (switch_s > 0.0 && elapsed >= next_switch) {
            next_switch += switch_s;
            view->layout = view->layout == BEL_UI_PRACTICE ? BEL_UI_THERAPIST : BEL_UI_PRACTICE;
        }
        double fold_ms = (now_s() - frame_start) * 1000.0;
        if (bel_ui_window_draw(win, view) != BEL_OK) {
            fprintf(stderr, "bench_ui: drawing failed\n");
            goto done;
        }
        if (n_frames < MAX_FRAMES) {
            frame_ms[n_frames++] = fold_ms + bel_ui_window_get_last_draw_ms(win);
        }
    }
    double wall = now_s() - t0;
    double cpu = cpu_s() - cpu0;
    qsort(frame_ms, (size_t)n_frames, sizeof *frame_ms, cmp_double);
    if (n_frames == 0) {
        fprintf(stderr, "bench_ui: no frames\n");
        goto done;
    }
    printf("bench_ui: renderer %s, %d frames in %.1f s (%.1f fps)\n",
           bel_ui_window_renderer_name(win), n_frames, wall, n_frames / wall);
    printf("bench_ui: frame time p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", frame_ms[n_frames / 2],
           frame_ms[(int)(n_frames * 0.99)], frame_ms[n_frames - 1]);
    printf("bench_ui: CPU %.1f %% of one core\n", 100.0 * cpu / wall);
    rc = 0;
done:
    bel_ui_window_destroy(win);
    bel_pacer_destroy(pacer);
    bel_pipeline_destroy(pipe);
    bel_sim_destroy(sim);
    free(view);
    free(frame_ms);
    return rc;
}
