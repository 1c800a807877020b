/* cmd_analyze.c - `bellows analyze`: the live pipeline over a recording, events and summary out.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bellows/pipeline.h"
#include "calibration.h"
#include "cli.h"
#include "text.h"
#include "event_csv.h"
#include "source.h"
#include "summary_json.h"

static const char analyze_help[] =
    "usage: bellows analyze REC.csv --events OUT.csv [--summary OUT.json]\n"
    "                       [--channel NAME] [--chest NAME] [--invert]\n"
    "                       [--calibration ASSESS.json] [--quiet]\n"
    "\n"
    "Runs the same breath pipeline as a live session over a recording CSV\n"
    "(header 't,<channel>...', t in seconds) as fast as possible.\n"
    "\n"
    "  --events OUT.csv    write the events (t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio)\n"
    "  --summary OUT.json  write a summary: rates, depth, I:E, breath count, errors\n"
    "  --channel NAME      the belly channel (default: the column named 'belly', else the\n"
    "                      first channel)\n"
    "  --chest NAME        the chest channel (default: a column named 'chest', if any)\n"
    "  --invert            a smaller value means expansion\n"
    "  --calibration FILE  start from the relaxed level, depth and polarity an assessment\n"
    "                      learnt (ASSESS.json from 'bellows assess')\n"
    "  --quiet             print nothing but errors (no progress bar, no result line)\n"
    "\n"
    "Exit status: 0 done, 1 bad or unreadable input or output, 2 bad command line.\n"
    "On a bad row the events before it are kept and the summary lists the error.\n";

/* Files above this size get a progress bar (when stderr is a terminal). */
static const uint64_t PROGRESS_MIN_BYTES = 8u << 20;

static void show_progress(const char *path, uint64_t done, uint64_t total, int *last_pct)
{
    int pct = total ? (int)(100.0 * (double)done / (double)total) : 0;
    if (pct > 100) {
        pct = 100;
    }
    if (pct == *last_pct) {
        return;
    }
    *last_pct = pct;
    char bar[41];
    int fill = pct * 40 / 100;
    for (int i = 0; i < 40; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[40] = '\0';
    fputs("\ranalyzing ", stderr);
    bel_text_put(stderr, path);
    fprintf(stderr, " [%s] %3d%%", bar, pct);
    fflush(stderr);
}

static void format_ie(char *buf, size_t len, float ie_ratio)
{
    if (isfinite(ie_ratio) && ie_ratio > 0.0f) {
        snprintf(buf, len, "1:%.2f", 1.0 / (double)ie_ratio);
    } else {
        snprintf(buf, len, "-");
    }
}

int cmd_analyze(int argc, char **argv)
{
    const char *cmd = "analyze";
    const char *events_path = NULL;
    const char *summary_path = NULL;
    const char *channel = NULL;
    const char *chest = NULL;
    bool invert = false;
    bool quiet = false;
    const char *calibration = NULL;
    const cli_opt opts[] = {
        {"--calibration", CLI_STRING, &calibration, 0, 0, "an assessment JSON file"},
        {"--events", CLI_STRING, &events_path, 0, 0, "a file name for the events CSV"},
        {"--summary", CLI_STRING, &summary_path, 0, 0, "a file name for the summary JSON"},
        {"--channel", CLI_STRING, &channel, 0, 0, "the belly channel's name"},
        {"--chest", CLI_STRING, &chest, 0, 0, "the chest channel's name"},
        {"--invert", CLI_FLAG, &invert, 0, 0, ""},
        {"--quiet", CLI_FLAG, &quiet, 0, 0, ""},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(cmd, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 1, &n_pos);
    if (rc == CLI_HELP_ASKED) {
        fputs(analyze_help, stdout);
        return CLI_EXIT_OK;
    }
    if (rc != CLI_PARSED) {
        return CLI_EXIT_USAGE;
    }
    if (n_pos != 1) {
        return cli_usage_error(cmd, "which recording? give one REC.csv");
    }
    if (!events_path) {
        return cli_usage_error(cmd, "--events OUT.csv is required");
    }
    const char *in_path = pos[0];

    char err[BEL_IO_ERR_LEN];
    bel_holdin_calibration cal = bel_holdin_calibration_none();
    if (calibration && bel_calibration_load(calibration, &cal, err, sizeof err) != BEL_OK) {
        (void)cli_fail(cmd, "%s", err);
        return CLI_EXIT_FAIL;
    }
    bel_source *src = NULL;
    bel_pipeline *pipe = NULL;
    bel_event_csv *events = NULL;
    int exit_code = CLI_EXIT_FAIL;
    const char *file_error = NULL;
    char pipe_err[160];

    if (bel_source_create_replay(in_path, false, &src, err, sizeof err) != BEL_OK) {
        (void)cli_fail(cmd, "%s", err);
        return CLI_EXIT_FAIL;
    }
    const bel_source_info *info = bel_source_get_info(src);

    int belly = -1;
    if (channel) {
        for (int ch = 0; ch < info->n_channels; ch++) {
            if (strcmp(info->channel_names[ch], channel) == 0) {
                belly = ch;
            }
        }
    } else {
        for (int ch = 0; ch < info->n_channels; ch++) {
            if (strcmp(info->channel_names[ch], "belly") == 0) {
                belly = ch;
            }
        }
        if (belly < 0) {
            belly = 0;
        }
    }
    int chest_ch = -1;
    for (int ch = 0; ch < info->n_channels; ch++) {
        if (ch != belly && strcmp(info->channel_names[ch], chest ? chest : "chest") == 0) {
            chest_ch = ch;
        }
    }
    if (belly < 0 || (chest && chest_ch < 0)) {
        char list[BEL_MAX_CHANNELS * (BEL_RECORDING_NAME_LEN + 2)] = "";
        for (int ch = 0; ch < info->n_channels; ch++) {
            strcat(list, ch ? ", " : "");
            strcat(list, info->channel_names[ch]);
        }
        rc = cli_usage_error(cmd, "%s: '%s' is not a channel of %s (it has: %s)",
                             belly < 0 ? "--channel" : "--chest", belly < 0 ? channel : chest,
                             in_path, list);
        bel_source_destroy(src);
        return rc;
    }
    if (!(info->fs_hz >= 5.0 && info->fs_hz <= 2000.0)) {
        if (isfinite(info->fs_hz)) {
            cli_fail(cmd, "%s: sample rate %.4g Hz (from the time column) is outside 5..2000 Hz",
                     in_path, info->fs_hz);
        } else {
            cli_fail(cmd, "%s: too few samples to tell the sample rate (need at least 2)", in_path);
        }
        bel_source_destroy(src);
        return CLI_EXIT_FAIL;
    }

    bel_pipeline_config pcfg = bel_pipeline_config_default();
    pcfg.fs_hz = info->fs_hz;
    pcfg.belly_channel = belly;
    pcfg.chest_channel = chest_ch;
    pcfg.invert = invert;
    pcfg.auto_polarity = !invert; /* --invert: the user said which way it reads */
    pcfg.calibration = cal;
    bel_status st = bel_pipeline_create(&pcfg, &pipe);
    if (st != BEL_OK) {
        cli_fail(cmd, "%s: cannot set up the pipeline (%s)", in_path, bel_status_str(st));
        bel_source_destroy(src);
        return CLI_EXIT_FAIL;
    }
    if (bel_event_csv_create(events_path, &events, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
        goto done;
    }

    uint64_t done_bytes = 0;
    uint64_t total_bytes = 0;
    bel_source_get_progress(src, &done_bytes, &total_bytes);
    bool progress = !quiet && total_bytes >= PROGRESS_MIN_BYTES && isatty(STDERR_FILENO);
    int last_pct = -1;
    uint64_t n_samples = 0;
    uint64_t n_events = 0;
    bel_sample s;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    for (;;) {
        rc = bel_source_read(src, &s, 100);
        if (rc == 0) {
            break;
        }
        if (rc < 0) {
            file_error = bel_source_get_error(src);
            break;
        }
        n_samples++;
        int n = bel_pipeline_process(pipe, &s, ev, BEL_PIPELINE_MAX_EVENTS);
        if (n < 0) {
            snprintf(pipe_err, sizeof pipe_err, "%s: the pipeline refused sample %llu (%s)",
                     in_path, (unsigned long long)n_samples, bel_status_str(n));
            file_error = pipe_err;
            break;
        }
        for (int k = 0; k < n; k++) {
            if (bel_event_csv_write(events, &ev[k]) != BEL_OK) {
                cli_fail(cmd, "%s", bel_event_csv_get_error(events));
                goto done;
            }
        }
        n_events += (uint64_t)n;
        if (progress && (n_samples & 0xffff) == 0) {
            bel_source_get_progress(src, &done_bytes, &total_bytes);
            show_progress(in_path, done_bytes, total_bytes, &last_pct);
        }
    }
    if (progress) {
        fprintf(stderr, "\r%*s\r", (int)strlen(in_path) + 60, "");
    }
    if (file_error) {
        (void)cli_fail(cmd, "%s", file_error);
    }
    if (bel_event_csv_close(events) != BEL_OK) {
        cli_fail(cmd, "%s", bel_event_csv_get_error(events));
        goto done;
    }

    bel_summary sum;
    bel_pipeline_get_summary(pipe, &sum);
    if (summary_path) {
        const char *errors[1] = {file_error};
        bel_summary_json_info js = {
            .input_path = in_path,
            .channel = info->channel_names[belly],
            .chest_channel = chest_ch >= 0 ? info->channel_names[chest_ch] : NULL,
            .inverted = invert,
            .fs_hz = info->fs_hz,
            .n_samples = n_samples,
            .summary = &sum,
            .n_errors = file_error ? 1 : 0,
            .errors = errors,
        };
        if (bel_summary_json_write(summary_path, &js, err, sizeof err) != BEL_OK) {
            cli_fail(cmd, "%s", err);
            goto done;
        }
    }
    if (!quiet && !file_error) {
        char ie[32];
        format_ie(ie, sizeof ie, sum.ie_ratio);
        printf("%s: %.1f s of '%s' at %.4g Hz: %u breaths, %.1f breaths/min (spectral %.1f), "
               "I:E %s, depth %.4g\n",
               in_path, sum.duration_s, info->channel_names[belly], info->fs_hz,
               (unsigned)sum.n_breaths, (double)sum.rate_bpm, (double)sum.rate_spectral_bpm, ie,
               (double)sum.depth);
        printf("events: %s (%llu rows)%s%s\n", events_path, (unsigned long long)n_events,
               summary_path ? ", summary: " : "", summary_path ? summary_path : "");
    }
    exit_code = file_error ? CLI_EXIT_FAIL : CLI_EXIT_OK;

done:
    bel_event_csv_destroy(events);
    bel_pipeline_destroy(pipe);
    bel_source_destroy(src);
    return exit_code;
}
