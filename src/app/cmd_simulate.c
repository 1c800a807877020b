/* cmd_simulate.c - `bellows simulate`: the simulated belt written as a recording CSV, fast.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "bellows/pacer.h"
#include "bellows/sim.h"
#include "cli.h"
#include "event_csv.h"
#include "recording.h"

static const cli_help simulate_help = {
    "simulate", "--out REC.csv --duration S [OPTIONS]",
    "Writes the built-in simulated belt's output as a recording CSV (t,belly[,chest]),\n"
    "as fast as possible, and optionally the true events as an events CSV.\n",
    NULL};

static int write_truth(bel_sim *sim, bel_event_csv *truth)
{
    bel_event ev[64];
    int n;
    while ((n = bel_sim_take_truth(sim, ev, 64)) > 0) {
        for (int k = 0; k < n; k++) {
            if (bel_event_csv_write(truth, &ev[k]) != BEL_OK) {
                return -1;
            }
        }
        if (n < 64) {
            break;
        }
    }
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    const char *cmd = "simulate";
    const char *out_path = NULL;
    const char *truth_path = NULL;
    const char *script = NULL;
    const char *pacer = NULL;
    double duration_s = -1.0;
    double fs_hz = 50.0;
    double rate_bpm = 14.0;
    uint64_t seed = 1;
    bool chest = false;
    bool demo_script = false;
    const cli_opt opts[] = {
        {"--out", CLI_STRING, &out_path, 0, 0, "a file name for the recording", "REC.csv",
         "the recording to write"},
        {"--duration", CLI_DOUBLE, &duration_s, 1e-3, 1e7, "seconds", "S",
         "seconds of signal (> 0)"},
        {"--fs", CLI_DOUBLE, &fs_hz, 5.0, 1000.0, "samples per second", "HZ",
         "sample rate, 5..1000 (default 50)"},
        {"--seed", CLI_U64, &seed, 0, 0, "a whole number", "N",
         "random seed (default 1); the same seed gives the same file"},
        {"--rate", CLI_DOUBLE, &rate_bpm, 3.0, 40.0, "breaths per minute", "BPM",
         "mean breathing rate, 3..40 (default 14)"},
        {"--chest", CLI_FLAG, &chest, 0, 0, "", NULL, "add a chest belt channel"},
        {"--pacer", CLI_STRING, &pacer, 0, 0, "a fixed pacer's name", "NAME",
         "the simulated person follows this pacer from the first second, as 'bellows\n"
         "run --pacer' shows it: resonance, box, 4-7-8, even or custom:IN-HOLD-OUT-HOLD"},
        {"--script", CLI_STRING, &script, 0, 0, "an episode script", "TEXT",
         "episodes, e.g. \"holdin@60+30:1.5,hold@120+15,posture@200:-1,talk@250+20\"\n"
         "(kind@start_s+duration_s[:amount], comma separated; deep@40+10:2.5:\n"
         "slow deep breaths 2.5x the relaxed depth, as an assessment asks)"},
        {"--demo-script", CLI_FLAG, &demo_script, 0, 0, "", NULL,
         "add the demo's repeating script of episodes"},
        {"--truth", CLI_STRING, &truth_path, 0, 0, "a file name for the true events", "TRUTH.csv",
         "also write the true events (onsets, hold-ins, breath holds)"},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&simulate_help, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                           pos, 0, &n_pos, &rc)) {
        return rc;
    }
    if (!out_path) {
        return cli_usage_error(cmd, "--out REC.csv is required");
    }
    if (duration_s <= 0.0) {
        return cli_usage_error(cmd, "--duration S is required");
    }

    float phase_s[4] = {0};
    if (pacer) {
        if (!bel_pacer_fixed_phases(pacer, phase_s)) {
            return cli_usage_error(cmd,
                                   "--pacer: '%s' is not one of resonance, box, 4-7-8, even, or "
                                   "custom:IN-HOLD-OUT-HOLD in seconds (custom:4-2-6-0)",
                                   pacer);
        }
    }

    bel_sim_config sc = bel_sim_config_default();
    memcpy(sc.pace_s, phase_s, sizeof sc.pace_s);
    sc.seed = seed;
    sc.fs_hz = fs_hz;
    sc.duration_s = duration_s;
    sc.rate_bpm = (float)rate_bpm;
    sc.chest = chest;
    if (demo_script) {
        bel_sim_config_demo_script(&sc);
    }
    char err[BEL_IO_ERR_LEN];
    if (script && bel_sim_parse_script(script, &sc, err, sizeof err) != BEL_OK) {
        return cli_usage_error(cmd, "--script: %s", err);
    }

    bel_sim *sim = NULL;
    bel_recording_writer *rec = NULL;
    bel_event_csv *truth = NULL;
    int exit_code = CLI_EXIT_FAIL;
    bel_status st = bel_sim_create(&sc, &sim);
    if (st != BEL_OK) {
        return cli_fail(cmd, "cannot set up the simulated belt (%s)", bel_status_str(st));
    }
    const char *names[BEL_MAX_CHANNELS];
    int n_ch = bel_sim_channel_count(sim);
    for (int ch = 0; ch < n_ch; ch++) {
        names[ch] = bel_sim_channel_name(sim, ch);
    }
    if (bel_recording_writer_create(out_path, n_ch, names, NULL, &rec, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
        goto done;
    }
    if (truth_path && bel_event_csv_create(truth_path, &truth, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
        goto done;
    }

    bel_sample s;
    uint64_t n_samples = 0;
    while (bel_sim_next(sim, &s) == 1) {
        if (bel_recording_writer_write(rec, &s) != BEL_OK) {
            cli_fail(cmd, "%s", bel_recording_writer_get_error(rec));
            goto done;
        }
        n_samples++;
        if (truth && write_truth(sim, truth) != 0) {
            cli_fail(cmd, "%s", bel_event_csv_get_error(truth));
            goto done;
        }
    }
    if (bel_recording_writer_close(rec) != BEL_OK) {
        cli_fail(cmd, "%s", bel_recording_writer_get_error(rec));
        goto done;
    }
    if (truth && bel_event_csv_close(truth) != BEL_OK) {
        cli_fail(cmd, "%s", bel_event_csv_get_error(truth));
        goto done;
    }
    printf("wrote %s: %llu samples at %g Hz (%g s)%s%s\n", out_path, (unsigned long long)n_samples,
           fs_hz, duration_s, truth ? ", true events in " : "", truth ? truth_path : "");
    exit_code = CLI_EXIT_OK;

done:
    bel_event_csv_destroy(truth);
    bel_recording_writer_destroy(rec);
    bel_sim_destroy(sim);
    return exit_code;
}
