/* cmd_demo.c - `bellows demo`: a live session on the simulated belt (or a replay), printed calmly.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "bellows/sim.h"
#include "cli.h"
#include "cli_live.h"
#include "session.h"
#include "ui_session.h"
#include "source.h"

static const cli_help demo_help = {
    "demo", "[OPTIONS]",
    "A live session on the built-in simulated belt (belly and chest, with a script\n"
    "of hold-ins, breath holds and posture shifts), in real time through the same\n"
    "session engine and pipeline as a real belt. Prints each breath and, every 10 s,\n"
    "the metrics. Ctrl-C stops it.\n" CLI_LIVE_KEYS,
    NULL};

int cmd_demo(int argc, char **argv, bool as_default)
{
    const char *cmd = "demo";
    double duration_s = 0.0;
    bool fast = false;
    uint64_t seed = 1;
    double rate_bpm = 14.0;
    const char *prefix = NULL;
    const char *replay_path = NULL;
    ui_session_options uo = ui_session_options_default(cmd);
    const cli_opt opts[] = {
        {"--duration", CLI_DOUBLE, &duration_s, 0.0, 1e7, "seconds, 0 for endless", "S",
         "stop after S seconds of signal (default: run until Ctrl-C)"},
        {"--fast", CLI_FLAG, &fast, 0, 0, "", NULL, "do not wait for real time"},
        {"--seed", CLI_U64, &seed, 0, 0, "a whole number", "N",
         "seed of the simulated belt (default 1)"},
        {"--rate", CLI_DOUBLE, &rate_bpm, 3.0, 40.0, "breaths per minute", "BPM",
         "mean breathing rate of the simulated belt, 3..40 (default 14)"},
        {"--record", CLI_STRING, &prefix, 0, 0, "a file name prefix", "PREFIX",
         "also write PREFIX.csv (the recording) and PREFIX.events.csv"},
        {"--replay", CLI_STRING, &replay_path, 0, 0, "a recording CSV", "REC.csv",
         "play a recording instead of the simulated belt"},
    };
    cli_opt live[CLI_LIVE_N_OPTS];
    cli_live_opts(&uo, live);
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    const cli_table parts[] = {{opts, (int)(sizeof opts / sizeof opts[0])},
                               {live, CLI_LIVE_N_OPTS}};
    if (!cli_parse_command_parts(&demo_help, argc, argv, parts, 2, pos, 0, &n_pos, &rc)) {
        return rc;
    }
    bel_holdin_calibration calibration; /* every option is checked before anything is made */
    rc = ui_session_check_options(&uo, &calibration);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }

    char err[BEL_IO_ERR_LEN];
    bel_source *src = NULL;
    bel_session *session = NULL;
    ui_session *ui = NULL;
    bool did_run = false;
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
    bel_session_config cfg = bel_session_config_default();
    cfg.calibration = calibration;
    uo.has_calibration = cfg.calibration.is_valid;
    cfg.source = src;
    cfg.breath_hold_s = uo.breath_hold_s;
    cfg.duration_s = duration_s;
    cfg.is_live = !fast; /* --fast: nothing may be dropped, the input waits instead */
    cfg.record_prefix = prefix;
    if (bel_session_create(&cfg, &session, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s%s", prefix ? "--record: " : "", err);
        goto done;
    }

    cli_install_stop_handler(); /* before the first line, which tells scripts we are running */
    if (as_default) {
        printf("bellows: using the built-in simulated belt; Ctrl-C to stop.\n");
    } else {
        printf("bellows demo: using the %s; %s.\n", bel_source_describe(src),
               duration_s > 0.0 ? "Ctrl-C stops early" : "Ctrl-C to stop");
    }
    fflush(stdout);
    /* After the first line, which says which belt: the window and tones may add notes. */
    bel_status st = ui_session_run(&uo, src, session, &ui, &exit_code, &did_run);
    if (!did_run) {
        goto done;
    }
    fflush(stdout);
    if (st != BEL_OK) {
        cli_fail(cmd, "%s", bel_session_get_error(session));
        goto done;
    }
    if (prefix) {
        printf("recorded %s.csv and %s.events.csv\n", prefix, prefix);
    }
    exit_code = CLI_EXIT_OK;
done:
    if (did_run) {
        const bel_status fin = bel_session_finish(session); /* the recording closed first */
        (void)fin;
        ui_session_show_summary(ui);
    }
    bel_session_destroy(session);
    ui_session_destroy(ui);
    bel_source_destroy(src);
    return exit_code;
}
