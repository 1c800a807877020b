/* cmd_demo.c - `bellows demo`: a live session on the simulated belt (or a replay), printed calmly.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bellows/pipeline.h"
#include "bellows/sim.h"
#include "cli.h"
#include "event_csv.h"
#include "recording.h"
#include "source.h"

static const char demo_help[] =
    "usage: bellows demo [--duration S] [--fast] [--seed N] [--rate BPM]\n"
    "                    [--record PREFIX] [--replay REC.csv]\n"
    "\n"
    "A live session on the built-in simulated belt (belly and chest, with a script\n"
    "of hold-ins, breath holds and posture shifts), in real time through the same\n"
    "pipeline as a real belt. Prints each breath and, every 10 s, the metrics.\n"
    "Ctrl-C stops it.\n"
    "\n"
    "  --duration S      stop after S seconds of signal (default: run until Ctrl-C)\n"
    "  --fast            do not wait for real time\n"
    "  --seed N          seed of the simulated belt (default 1)\n"
    "  --rate BPM        mean breathing rate of the simulated belt, 3..40 (default 14)\n"
    "  --record PREFIX   also write PREFIX.csv (the recording) and PREFIX.events.csv\n"
    "  --replay REC.csv  play a recording instead of the simulated belt\n";

/* Seconds of signal between metrics lines; seconds of wall clock between flushes. */
static const double METRICS_EVERY_S = 10.0;
static const double FLUSH_EVERY_S = 1.0;

static void format_ie(char *buf, size_t len, float ie_ratio)
{
    if (isfinite(ie_ratio) && ie_ratio > 0.0f) {
        snprintf(buf, len, "1:%.1f", 1.0 / (double)ie_ratio);
    } else {
        snprintf(buf, len, "-");
    }
}

/* v with the given decimals, or "-" for a value not known yet. */
static const char *num(char *buf, size_t len, int decimals, float v)
{
    if (isfinite(v)) {
        snprintf(buf, len, "%.*f", decimals, (double)v);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

static void print_event(const bel_event *ev)
{
    char a[32];
    char b[32];
    char c[32];
    char d[32];
    printf("[%8.1f s]  ", ev->t_s);
    switch (ev->kind) {
    case BEL_EV_INSP_ONSET:
        if (isfinite(ev->ti_s) && isfinite(ev->te_s)) {
            printf("in    breath %s s (in %s s, out %s s), depth %s\n",
                   num(a, sizeof a, 1, ev->ti_s + ev->te_s), num(b, sizeof b, 1, ev->ti_s),
                   num(c, sizeof c, 1, ev->te_s), num(d, sizeof d, 0, ev->depth));
        } else {
            printf("in\n");
        }
        break;
    case BEL_EV_EXP_ONSET:
        if (isfinite(ev->ti_s)) {
            printf("out   after %s s in, depth %s\n", num(a, sizeof a, 1, ev->ti_s),
                   num(b, sizeof b, 0, ev->depth));
        } else {
            printf("out\n");
        }
        break;
    case BEL_EV_HOLDIN_START:
        printf("belly held in: let it soften\n");
        break;
    case BEL_EV_HOLDIN_END:
        printf("belly released\n");
        break;
    case BEL_EV_BREATH_HOLD_START:
        printf("breath held\n");
        break;
    case BEL_EV_BREATH_HOLD_END:
        printf("breathing again\n");
        break;
    case BEL_EV_SIGNAL_LOST:
        printf("signal lost\n");
        break;
    case BEL_EV_SIGNAL_RESTORED:
        printf("signal back\n");
        break;
    case BEL_EV_COUNT:
    default:
        printf("%s\n", bel_event_kind_name(ev->kind));
        break;
    }
}

static void print_metrics(const bel_metrics *m)
{
    char a[32];
    char b[32];
    char c[32];
    char ie[32];
    format_ie(ie, sizeof ie, m->ie_ratio);
    printf("[%8.1f s]  ---   rate %s/min (spectral %s), depth %s, I:E %s, breaths: %u\n", m->t_s,
           num(a, sizeof a, 1, m->rate_bpm), num(b, sizeof b, 1, m->rate_spectral_bpm),
           num(c, sizeof c, 0, m->depth), ie, (unsigned)m->n_breaths);
}

typedef struct recorder {
    bel_recording_writer *rec;
    bel_event_csv *events;
    double last_flush_s;
} recorder;

static int recorder_open(recorder *r, const char *prefix, const bel_source_info *info)
{
    char path[4096];
    char err[BEL_IO_ERR_LEN];
    const char *names[BEL_MAX_CHANNELS];
    for (int ch = 0; ch < info->n_channels; ch++) {
        names[ch] = info->channel_names[ch];
    }
    snprintf(path, sizeof path, "%s.csv", prefix);
    if (bel_recording_writer_create(path, info->n_channels, names, &r->rec, err, sizeof err) !=
        BEL_OK) {
        return cli_fail("demo", "--record: %s", err);
    }
    snprintf(path, sizeof path, "%s.events.csv", prefix);
    if (bel_event_csv_create(path, &r->events, err, sizeof err) != BEL_OK) {
        return cli_fail("demo", "--record: %s", err);
    }
    r->last_flush_s = cli_now_s();
    return CLI_EXIT_OK;
}

int cmd_demo(int argc, char **argv, bool as_default)
{
    const char *cmd = "demo";
    double duration_s = 0.0;
    bool fast = false;
    uint64_t seed = 1;
    double rate_bpm = 14.0;
    const char *prefix = NULL;
    const char *replay_path = NULL;
    const cli_opt opts[] = {
        {"--duration", CLI_DOUBLE, &duration_s, 0.0, 1e7, "seconds, 0 for endless"},
        {"--fast", CLI_FLAG, &fast, 0, 0, ""},
        {"--seed", CLI_U64, &seed, 0, 0, "a whole number"},
        {"--rate", CLI_DOUBLE, &rate_bpm, 3.0, 40.0, "breaths per minute"},
        {"--record", CLI_STRING, &prefix, 0, 0, "a file name prefix"},
        {"--replay", CLI_STRING, &replay_path, 0, 0, "a recording CSV"},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(cmd, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 0, &n_pos);
    if (rc == CLI_HELP_ASKED) {
        fputs(demo_help, stdout);
        return CLI_EXIT_OK;
    }
    if (rc != CLI_PARSED) {
        return CLI_EXIT_USAGE;
    }

    char err[BEL_IO_ERR_LEN];
    bel_source *src = NULL;
    bel_pipeline *pipe = NULL;
    recorder rec = {NULL, NULL, 0.0};
    int exit_code = CLI_EXIT_FAIL;

    if (replay_path) {
        if (bel_source_create_replay(replay_path, !fast, &src, err, sizeof err) != BEL_OK) {
            return cli_fail(cmd, "%s", err);
        }
    } else {
        bel_sim_config sc = bel_sim_config_default();
        sc.seed = seed;
        sc.chest = true;
        sc.rate_bpm = (float)rate_bpm;
        sc.duration_s = duration_s;
        bel_sim_config_demo_script(&sc);
        if (bel_source_create_sim(&sc, !fast, &src, err, sizeof err) != BEL_OK) {
            return cli_fail(cmd, "%s", err);
        }
    }
    const bel_source_info *info = bel_source_get_info(src);
    if (!(info->fs_hz >= 5.0 && info->fs_hz <= 2000.0)) {
        cli_fail(cmd, "%s: sample rate %.4g Hz is outside 5..2000 Hz", bel_source_describe(src),
                 info->fs_hz);
        goto done;
    }

    bel_pipeline_config pcfg = bel_pipeline_config_default();
    pcfg.fs_hz = info->fs_hz;
    pcfg.belly_channel = 0;
    pcfg.chest_channel = -1;
    for (int ch = 0; ch < info->n_channels; ch++) {
        if (strcmp(info->channel_names[ch], "belly") == 0) {
            pcfg.belly_channel = ch;
        }
    }
    for (int ch = 0; ch < info->n_channels; ch++) {
        if (ch != pcfg.belly_channel && strcmp(info->channel_names[ch], "chest") == 0) {
            pcfg.chest_channel = ch;
        }
    }
    bel_status st = bel_pipeline_create(&pcfg, &pipe);
    if (st != BEL_OK) {
        cli_fail(cmd, "cannot set up the pipeline (%s)", bel_status_str(st));
        goto done;
    }
    if (prefix && recorder_open(&rec, prefix, info) != CLI_EXIT_OK) {
        goto done;
    }

    cli_install_stop_handler(); /* before the first line, which tells scripts we are running */
    if (as_default) {
        printf("bellows: using the built-in simulated belt (no real belt support yet); "
               "Ctrl-C to stop.\n");
    } else {
        printf("bellows demo: using the %s; %s.\n", bel_source_describe(src),
               duration_s > 0.0 ? "Ctrl-C stops early" : "Ctrl-C to stop");
    }
    fflush(stdout);

    bel_sample s;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    bel_metrics m;
    bool have_first = false;
    double t_first_s = 0.0;
    double next_metrics_s = METRICS_EVERY_S;
    const char *failure = NULL;
    while (!cli_stop_requested()) {
        rc = bel_source_read(src, &s, 100);
        if (rc == BEL_ERR_TIMEOUT) {
            continue;
        }
        if (rc == 0) {
            break;
        }
        if (rc < 0) {
            failure = bel_source_get_error(src);
            break;
        }
        if (!have_first) {
            have_first = true;
            t_first_s = s.t_s;
        }
        if (duration_s > 0.0 && s.t_s - t_first_s >= duration_s) {
            break;
        }
        int n = bel_pipeline_process(pipe, &s, ev, BEL_PIPELINE_MAX_EVENTS);
        if (n < 0) {
            failure = "the pipeline refused a sample";
            break;
        }
        if (rec.rec && bel_recording_writer_write(rec.rec, &s) != BEL_OK) {
            failure = bel_recording_writer_get_error(rec.rec);
            break;
        }
        for (int k = 0; k < n; k++) {
            print_event(&ev[k]);
            if (rec.events && bel_event_csv_write(rec.events, &ev[k]) != BEL_OK) {
                failure = bel_event_csv_get_error(rec.events);
                break;
            }
        }
        if (failure) {
            break;
        }
        if (s.t_s - t_first_s >= next_metrics_s) {
            next_metrics_s += METRICS_EVERY_S;
            bel_pipeline_get_metrics(pipe, &m);
            print_metrics(&m);
        }
        if (n > 0) {
            fflush(stdout);
        }
        if (rec.rec && cli_now_s() - rec.last_flush_s >= FLUSH_EVERY_S) {
            rec.last_flush_s = cli_now_s();
            if (bel_recording_writer_flush(rec.rec) != BEL_OK) {
                failure = bel_recording_writer_get_error(rec.rec);
                break;
            }
            if (bel_event_csv_flush(rec.events) != BEL_OK) {
                failure = bel_event_csv_get_error(rec.events);
                break;
            }
        }
    }
    bel_pipeline_get_metrics(pipe, &m);
    if (have_first) {
        print_metrics(&m);
    }
    if (cli_stop_requested()) {
        printf("stopped.\n");
    }
    fflush(stdout);
    if (failure) {
        cli_fail(cmd, "%s", failure);
        goto done;
    }
    if (rec.rec && bel_recording_writer_close(rec.rec) != BEL_OK) {
        cli_fail(cmd, "%s", bel_recording_writer_get_error(rec.rec));
        goto done;
    }
    if (rec.events && bel_event_csv_close(rec.events) != BEL_OK) {
        cli_fail(cmd, "%s", bel_event_csv_get_error(rec.events));
        goto done;
    }
    if (prefix) {
        printf("recorded %s.csv and %s.events.csv\n", prefix, prefix);
    }
    exit_code = CLI_EXIT_OK;

done:
    bel_recording_writer_destroy(rec.rec);
    bel_event_csv_destroy(rec.events);
    bel_pipeline_destroy(pipe);
    bel_source_destroy(src);
    return exit_code;
}
