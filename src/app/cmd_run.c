/* cmd_run.c - `bellows run` (and bare `bellows`): a live session on a belt (or the simulated one).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bellows/pacer.h"
#include "bellows/sim.h"
#include "cli.h"
#include "cli_live.h"
#include "cmd_store.h"
#include "engine.h"
#include "live_source.h"
#include "serial.h"
#include "session.h"
#include "ui_session.h"
#include "source.h"

static const cli_help run_help = {
    "run", "[OPTIONS]",
    "A live session on a belt: reads it, follows each breath and prints it. A belt is\n"
    "the bellows firmware, or any sketch printing Arduino Serial Plotter lines. Without\n"
    "--port it takes the first belt that answers (see 'bellows ports'). When none does,\n"
    "a session for a client (--client) stops unless --simulated is given; otherwise it\n"
    "runs on the built-in simulated belt, saying so in the terminal and the window.\n"
    "A simulated session is stored marked simulated. If the belt\n"
    "is unplugged the session goes on, says so, and picks it up again when it is back.\n"
    "Every session is recorded (raw samples and events) unless --no-record, and stored:\n"
    "with --client as one of the client's, else as one of your own ('bellows sessions').\n"
    "The first lines give its number; a session shorter than a minute, or stopped before\n"
    "--duration, is stored as incomplete.\n"
    "Ctrl-C stops it.\n" CLI_LIVE_KEYS,
    "Exit status: 0 done, 1 the belt or a file failed, 2 bad command line.\n"};

int cmd_run(int argc, char **argv, bool as_default)
{
    const char *cmd = "run";
    const char *port = NULL;
    bool simulated = false;
    double duration_s = 0.0;
    double rate_hz = 0.0;
    double belt_speed = 1.0;
    const char *events_path = NULL;
    const char *prefix = NULL;
    bool no_record = false;
    ui_session_options uo = ui_session_options_default(cmd);
    bool invert = false;
    const char *client = NULL;
    bel_store *store = NULL; /* session store: the client's, or the person's own */
    int64_t store_id = 0;
    char rec_path[4200] = "";
    const cli_opt opts[] = {
        {"--port", CLI_STRING, &port, 0, 0, "a serial port such as /dev/ttyACM0", "PATH",
         "the belt's serial port, e.g. /dev/ttyACM0"},
        {"--simulated", CLI_FLAG, &simulated, 0, 0, "", NULL,
         "the built-in simulated belt (not a person's breathing)"},
        {"--rate", CLI_DOUBLE, &rate_hz, 5.0, 2000.0, "samples per second", "HZ",
         "a sketch sending Arduino Serial Plotter lines sends HZ of them a\n"
         "second (default: each is timed on arrival)"},
        {"--belt-speed", CLI_DOUBLE, &belt_speed, 0.01, 100.0, "a factor from 0.01 to 100", "X",
         "the belt plays X times faster than real time (a simulator or a\n"
         "recording standing in for a belt; default 1). A belt sending far\n"
         "faster or slower than its stated rate ends the session, saying so"},
        {"--duration", CLI_DOUBLE, &duration_s, 0.0, 1e7, "seconds, 0 for endless", "S",
         "stop after S seconds (default: run until Ctrl-C)"},
        {"--events", CLI_STRING, &events_path, 0, 0, "a file name for the events CSV", "OUT.csv",
         "also write the events to OUT.csv"},
        {"--record", CLI_STRING, &prefix, 0, 0, "a file name prefix", "PREFIX",
         "record to PREFIX.csv and PREFIX.events.csv (default:\n"
         "$XDG_DATA_HOME/bellows/sessions/YYYYmmdd-HHMMSS)"},
        {"--no-record", CLI_FLAG, &no_record, 0, 0, "", NULL, "do not record"},
    };
    cli_opt live[CLI_LIVE_N_OPTS];
    cli_live_opts(&uo, live);
    const cli_opt opts_after[] = {
        ENGINE_INVERT_OPT(&invert),
        {"--quiet", CLI_FLAG, &uo.is_quiet, 0, 0, "", NULL,
         "print only the first lines, errors and the end"},
        {"--client", CLI_STRING, &client, 0, 0, "a client's name", "NAME",
         "store the session as one of NAME's in the session store\n"
         "('bellows sessions', 'bellows report'), starting from NAME's\n"
         "latest assessment unless --calibration is given"},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    const cli_table parts[] = {{opts, (int)(sizeof opts / sizeof opts[0])},
                               {live, CLI_LIVE_N_OPTS},
                               {opts_after, (int)(sizeof opts_after / sizeof opts_after[0])}};
    if (!cli_parse_command_parts(&run_help, argc, argv, parts, 3, pos, 0, &n_pos, &rc)) {
        return rc;
    }
    if (prefix && no_record) {
        return cli_usage_error(cmd, "--record and --no-record contradict each other");
    }
    if (client && no_record) {
        return cli_usage_error(cmd, "--client stores the recording: drop --no-record");
    }
    if (client && client[0] == '\0') {
        return cli_usage_error(cmd, "--client needs a name");
    }
    bel_holdin_calibration calibration; /* every option is checked before anything is made */
    rc = ui_session_check_options(&uo, &calibration);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }

    char err[BEL_IO_ERR_LEN];
    char prefix_buf[4096];
    bel_session *session = NULL;
    ui_session *ui = NULL;
    bool did_run = false;
    int exit_code = CLI_EXIT_FAIL;

    /* A client's record takes a person's breathing: the simulated belt only when asked. */
    live_source_request req = {.cmd = cmd,
                               .port = port,
                               .is_simulated_asked = simulated,
                               .may_fall_back = !client,
                               .refusal = "--simulated to store a simulated session (marked so)",
                               .sim = bel_sim_config_default(),
                               .is_realtime = true,
                               .plotter_rate_hz = rate_hz,
                               .belt_speed = belt_speed};
    req.sim.chest = true;
    req.sim.duration_s = duration_s;
    bel_sim_config_demo_script(&req.sim);
    /* The simulated person follows the pacer as it starts (not its later changes). */
    (void)bel_pacer_fixed_phases(uo.pacer, req.sim.pace_s);
    live_source ls;
    rc = live_source_open(&req, &ls);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    bel_source *src = ls.src;
    bel_serial *link = ls.link;
    uo.is_simulated = ls.is_simulated;
    uo.source_label = ls.label;
    if (!prefix && !no_record) {
        static const char *const exts[] = {".csv", ".events.csv"};
        if (!store_new_names(cmd, "", exts, 2, prefix_buf, sizeof prefix_buf)) {
            fprintf(stderr, "bellows %s: use --record PREFIX or --no-record\n", cmd);
            goto done;
        }
        prefix = prefix_buf;
    }

    bel_session_config cfg = bel_session_config_default();
    cfg.calibration = calibration;
    char assessed[32] = "";
    if (client && !uo.calibration && /* the client's latest assessment, when there is one */
        !store_client_calibration(cmd, client, ls.is_simulated, &cfg.calibration, assessed,
                                  sizeof assessed)) {
        assessed[0] = '\0';
    }
    uo.has_calibration = cfg.calibration.is_valid;
    cfg.source = src;
    cfg.link = link;
    cfg.invert = invert;
    cfg.breath_hold_s = uo.breath_hold_s;
    cfg.duration_s = duration_s;
    cfg.is_live = true;
    cfg.record_prefix = prefix;
    cfg.events_path = events_path;
    cfg.quiet = uo.is_quiet;
    if (bel_session_create(&cfg, &session, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
        if (prefix == prefix_buf) { /* the names claimed above stay empty: give them back */
            char path[4200];
            snprintf(path, sizeof path, "%s.csv", prefix);
            unlink(path);
            snprintf(path, sizeof path, "%s.events.csv", prefix);
            unlink(path);
        }
        goto done;
    }
    if (prefix) { /* the files exist now; a store failure is said, the session goes on, and
                   * with --client the exit status says it was not stored */
        char ev_path[4200];
        snprintf(rec_path, sizeof rec_path, "%s.csv", prefix);
        snprintf(ev_path, sizeof ev_path, "%s.events.csv", prefix);
        store_id = store_session_begin(cmd, client, rec_path, ev_path, bel_source_describe(src),
                                       NULL, uo.pacer, ls.is_simulated, &store);
    }

    cli_install_stop_handler(); /* before the first line, which tells scripts we are running */
    const char *who = as_default ? "bellows" : "bellows run";
    if (link) {
        printf("%s: using the %s; %s.\n", who, bel_source_describe(src),
               duration_s > 0.0 ? "Ctrl-C stops early" : "Ctrl-C to stop");
    } else if (ls.is_fallback) {
        printf("%s: simulated belt - no belt found; using the %s (not a person's breathing); "
               "Ctrl-C to stop.\n",
               who, bel_source_describe(src));
    } else {
        printf("%s: simulated belt (--simulated); using the %s (not a person's breathing); "
               "Ctrl-C to stop.\n",
               who, bel_source_describe(src));
    }
    if (as_default) { /* bare `bellows` says what it started */
        printf("a live session, as 'bellows run' ('bellows --help' lists the other commands)\n");
    }
    if (prefix) {
        printf("recording to %s.csv and %s.events.csv\n", prefix, prefix);
    } else {
        printf("not recording (--no-record)\n");
    }
    if (store_id > 0) {
        printf("session %lld, %s\n", (long long)store_id,
               client ? "stored for the client" : "stored as one of your own ('bellows sessions')");
    }
    if (assessed[0]) {
        printf("starting from the client's assessment of %s (relaxed belly depth %.1f)\n", assessed,
               (double)cfg.calibration.belly_depth);
    }
    fflush(stdout);

    /* After the first lines, which say which belt and where it records: the window and
     * the tones may add notes. */
    bel_status st = ui_session_run(&uo, src, session, &ui, &exit_code, &did_run);
    if (!did_run) {
        goto done;
    }
    if (prefix && st == BEL_OK) {
        printf("recorded %s.csv and %s.events.csv\n", prefix, prefix);
    } else if (prefix) {
        printf("kept what was recorded before the failure in %s.csv and %s.events.csv\n", prefix,
               prefix);
    }
    fflush(stdout);
    if (store) {
        if (bel_session_finish(session) != BEL_OK && st == BEL_OK) { /* files closed now */
            st = BEL_ERR_IO;
        }
        /* What is stored is what the session's own pipeline computed, with its
         * --invert and calibration: the figures the person saw. The store's final write
         * failing is a failed session too: said, and the exit status says so. */
        bel_summary sum;
        (void)bel_session_get_summary(session, &sum); /* finished just above */
        int stored = store_session_end(
            cmd, store, store_id, &sum, ui ? ui_session_get_follow_score(ui) : (double)NAN,
            st != BEL_OK ? bel_session_get_error(session) : NULL, duration_s);
        store = NULL;
        if (stored != CLI_EXIT_OK && st == BEL_OK) {
            cli_fail(cmd, "the session's figures were not stored; its recording is kept: %s.csv",
                     prefix);
            goto done;
        }
    } else if (client && st == BEL_OK) {
        cli_fail(cmd,
                 "the session was not stored (see above); its recording is kept: %s.csv (add "
                 "it later with 'bellows import %s.csv --client NAME')",
                 prefix, prefix);
        goto done;
    }
    if (st != BEL_OK) {
        cli_fail(cmd, "%s", bel_session_get_error(session));
        goto done;
    }
    exit_code = CLI_EXIT_OK;
done:
    bel_store_destroy(store);
    if (did_run) {
        /* Stored, and its files closed: the summary may wait a minute for a key, and
         * meanwhile the store lists the session as it ended. */
        const bel_status fin = bel_session_finish(session); /* errors: said where stored */
        (void)fin;
        ui_session_show_summary(ui);
    }
    bel_session_destroy(session);
    ui_session_destroy(ui);
    bel_source_destroy(src);
    return exit_code;
}
