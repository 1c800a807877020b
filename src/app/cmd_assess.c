/* cmd_assess.c - `bellows assess`: the guided assessment on the belt, in the window; learns a
 * calibration and stores it for the client's next session.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bellows/assess.h"
#include "bellows/pipeline.h"
#include "bellows/sim.h"
#include "calibration.h"
#include "cli.h"
#include "cmd_store.h"
#include "live_source.h"
#include "session.h"
#include "ui_session.h"

static const cli_help assess_help = {
    "assess", "[OPTIONS]",
    "A guided assessment of about 2 minutes, as a therapist runs it before and after a\n"
    "session, on the belt in the window: settle (natural breathing, 40 s), one slow deep\n"
    "belly breath (20 s), natural breathing again (60 s). Each phase is named with a\n"
    "countdown and a soft tone at its start, over the live trace, and checked at its end:\n"
    "the deep breath must be at least 1.5x the relaxed depth, and the natural breathing\n"
    "long enough; a phase that fails is asked again (three tries). It learns each belt's\n"
    "polarity, relaxed level and depth, and reports rate, depth, I:E, belly share and the\n"
    "time the belly was held in. The result (calibration and report) is written as JSON\n"
    "beside the recording of the assessment; with --client it is stored, and the client's\n"
    "next 'bellows run --client' starts from it.\n"
    "\n"
    "The belt is chosen as 'bellows run' chooses it: --port, else the first belt found.\n"
    "With no belt it stops, unless --simulated (the built-in simulated belt, stored marked\n"
    "simulated) or --replay.\n"
    "\n"
    "What the therapist found by hand (--pain-*, --thomas-*, --notes, --ask) is stored\n"
    "with the assessment and shown in the report ('bellows report') as progress over\n"
    "sessions.\n",
    "Exit status: 0 done, 1 the assessment could not be completed (nothing stored), 2 bad\n"
    "command line.\n"};

/* The therapist's findings as given on the command line. */
typedef struct findings_opts {
    double pain[BEL_STORE_PAIN_AREA_COUNT]; /* -1: not given */
    const char *pain_other;                 /* "AREA=N,AREA=N" */
    const char *thomas[2];                  /* left, right: pass | tight [:DEG] */
    const char *notes;
    char other[1024]; /* pain_other, split in place */
} findings_opts;

static bool parse_number(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    const double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        return false;
    }
    *out = v;
    return true;
}

/* Fill *f from fo; CLI_EXIT_USAGE (message printed) for a bad value. *any: something given. */
static int build_findings(const char *cmd, findings_opts *fo, bel_store_findings *f, bool *any)
{
    *f = bel_store_findings_none();
    for (int a = 0; a < BEL_STORE_PAIN_AREA_COUNT; a++) {
        if (fo->pain[a] >= 0.0) {
            f->pain[f->n_pain].area = bel_store_pain_area_name((bel_store_pain_area)a);
            f->pain[f->n_pain].score = fo->pain[a];
            f->n_pain++;
        }
    }
    if (fo->pain_other) {
        if (strlen(fo->pain_other) >= sizeof fo->other) {
            return cli_usage_error(cmd, "--pain: too long");
        }
        snprintf(fo->other, sizeof fo->other, "%s", fo->pain_other);
        char *save = NULL;
        for (char *item = strtok_r(fo->other, ",", &save); item;
             item = strtok_r(NULL, ",", &save)) {
            char *eq = strrchr(item, '=');
            while (*item == ' ') {
                item++;
            }
            if (!eq || eq == item) {
                return cli_usage_error(cmd, "--pain: '%s' is not AREA=N (e.g. neck=3)", item);
            }
            *eq = '\0';
            for (char *e = eq - 1; e > item && *e == ' '; e--) {
                *e = '\0';
            }
            double v = 0.0;
            if (!parse_number(eq + 1, 0.0, 10.0, &v)) {
                return cli_usage_error(cmd, "--pain: %s: '%s' is not a pain score 0..10", item,
                                       eq + 1);
            }
            if (strlen(item) >= BEL_STORE_AREA_LEN || f->n_pain >= BEL_STORE_MAX_PAIN) {
                return cli_usage_error(cmd, "--pain: area '%s' is too long, or too many areas",
                                       item);
            }
            for (int k = 0; k < f->n_pain; k++) {
                if (strcmp(f->pain[k].area, item) == 0) {
                    return cli_usage_error(cmd, "--pain: '%s' is given twice", item);
                }
            }
            f->pain[f->n_pain].area = item;
            f->pain[f->n_pain].score = v;
            f->n_pain++;
        }
    }
    static const char *const opt[2] = {"--thomas-left", "--thomas-right"};
    for (int side = 0; side < 2; side++) {
        const char *t = fo->thomas[side];
        if (!t) {
            continue;
        }
        const char *colon = strchr(t, ':');
        const size_t n = colon ? (size_t)(colon - t) : strlen(t);
        if (n == 4 && strncmp(t, "pass", 4) == 0) {
            f->thomas[side] = BEL_STORE_THOMAS_PASS;
        } else if (n == 5 && strncmp(t, "tight", 5) == 0) {
            f->thomas[side] = BEL_STORE_THOMAS_TIGHT;
        } else {
            return cli_usage_error(cmd, "%s: '%s' is not pass or tight (tight:15 with the angle)",
                                   opt[side], t);
        }
        if (colon && !parse_number(colon + 1, 0.0, 90.0, &f->thomas_deg[side])) {
            return cli_usage_error(cmd, "%s: '%s' is not an angle 0..90 degrees", opt[side],
                                   colon + 1);
        }
    }
    f->notes = fo->notes;
    *any = f->n_pain > 0 || f->thomas[0] || f->thomas[1] || f->notes;
    return CLI_EXIT_OK;
}

/* One line from the terminal into buf, without its line break; false at the end of input. */
static bool ask_line(const char *question, char *buf, size_t len)
{
    printf("%s", question);
    fflush(stdout);
    if (!fgets(buf, (int)len, stdin)) {
        buf[0] = '\0';
        return false;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

/* What --ask keeps: the typed lines fo points into. */
typedef struct answers {
    char other[1024];
    char thomas[2][64];
    char notes[1024];
} answers;

/* Ask on the terminal for each finding not given as an option (Enter skips it); an
 * answer that does not read is asked again. Then build *f as build_findings does. */
static int ask_findings(const char *cmd, findings_opts *fo, answers *ans, bel_store_findings *f,
                        bool *any)
{
    char line[1024];
    bool more = true;
    printf("The therapist's findings (Enter skips one):\n");
    for (int a = 0; a < BEL_STORE_PAIN_AREA_COUNT && more; a++) {
        while (fo->pain[a] < 0.0) {
            char q[96];
            snprintf(q, sizeof q,
                     "  pain in the %s, 0-10: ", bel_store_pain_area_name((bel_store_pain_area)a));
            more = ask_line(q, line, sizeof line);
            if (!more || line[0] == '\0') {
                break;
            }
            if (!parse_number(line, 0.0, 10.0, &fo->pain[a])) {
                fo->pain[a] = -1.0;
                printf("  a number from 0 to 10, please\n");
            }
        }
    }
    static const char *const side[2] = {"left", "right"};
    char *const slots[4] = {ans->other, ans->thomas[0], ans->thomas[1], ans->notes};
    const size_t sizes[4] = {sizeof ans->other, sizeof ans->thomas[0], sizeof ans->thomas[1],
                             sizeof ans->notes};
    const char **fields[4] = {&fo->pain_other, &fo->thomas[0], &fo->thomas[1], &fo->notes};
    for (int k = 0; k < 4 && more; k++) {
        while (!*fields[k]) {
            char q[96];
            if (k == 0) {
                snprintf(q, sizeof q, "  pain elsewhere, AREA=N, ... : ");
            } else if (k < 3) {
                snprintf(q, sizeof q,
                         "  psoas length (Thomas test), %s: pass or tight[:DEG]: ", side[k - 1]);
            } else {
                snprintf(q, sizeof q, "  notes: ");
            }
            more = ask_line(q, slots[k], sizes[k]);
            if (!more || slots[k][0] == '\0') {
                break;
            }
            *fields[k] = slots[k];
            bool unused = false;
            if (build_findings(cmd, fo, f, &unused) != CLI_EXIT_OK) {
                *fields[k] = NULL; /* said why; ask again */
            }
        }
    }
    if (!more) {
        putchar('\n');
    }
    return build_findings(cmd, fo, f, any);
}

/* "PREFIX" for the recording of an assessment written to out_path: the path without .json. */
static void prefix_of(const char *out_path, char *buf, size_t len)
{
    snprintf(buf, len, "%s", out_path);
    const size_t k = strlen(buf);
    if (k > 5 && strcmp(buf + k - 5, ".json") == 0) {
        buf[k - 5] = '\0';
    }
}

int cmd_assess(int argc, char **argv)
{
    const char *cmd = "assess";
    const char *port = NULL;
    const char *replay = NULL;
    const char *out_path = NULL;
    const char *client = NULL;
    uint64_t after = 0;
    uint64_t seed = 1;
    double belt_speed = 1.0;
    bool fast = false;
    bool simulated = false;
    double rate_hz = 0.0;
    ui_session_options uo = ui_session_options_default(cmd);
    findings_opts fo = {{-1.0, -1.0, -1.0, -1.0, -1.0}, NULL, {NULL, NULL}, NULL, ""};
    answers ans;
    bool ask = false;
    const cli_opt opts[] = {
        {"--port", CLI_STRING, &port, 0, 0, "a serial port such as /dev/ttyACM0", "PATH",
         "the belt's serial port, e.g. /dev/ttyACM0"},
        {"--simulated", CLI_FLAG, &simulated, 0, 0, "", NULL,
         "the built-in simulated belt (not a person's breathing)"},
        {"--replay", CLI_STRING, &replay, 0, 0, "a recording CSV", "REC.csv",
         "take the belts from a recording (columns belly[,chest])"},
        {"--rate", CLI_DOUBLE, &rate_hz, 5.0, 2000.0, "samples per second", "HZ",
         "a sketch sending Arduino Serial Plotter lines sends HZ of them a\n"
         "second (default: each is timed on arrival), as for 'bellows run'"},
        {"--client", CLI_STRING, &client, 0, 0, "a client's name", "NAME",
         "also store it for this client: before their next session, or"},
        {"--after", CLI_U64, &after, 0, 0, "a session number", "SESSION",
         "after that session (its number in 'bellows sessions')"},
        {"--out", CLI_STRING, &out_path, 0, 0, "a file name for the result JSON", "FILE.json",
         "where to write the result (default ASSESS.json, recording in\n"
         "ASSESS.csv; with --client, assess-YYYYmmdd-HHMMSS.json beside the\n"
         "sessions)"},
        {"--no-window", CLI_FLAG, &uo.is_window_off, 0, 0, "", NULL,
         "no window: the phases are prompted in the terminal only"},
        {"--no-audio", CLI_FLAG, &uo.is_audio_off, 0, 0, "", NULL, "no tones"},
        {"--volume", CLI_DOUBLE, &uo.volume, 0.0, 1.0, "a volume from 0 to 1", "V",
         "tone volume 0..1 (default 0.7)"},
        {"--fast", CLI_FLAG, &fast, 0, 0, "", NULL,
         "do not wait in real time (--simulated or --replay only; tests)"},
        {"--seed", CLI_U64, &seed, 0, 0, "a number", "N", "simulated belt seed (default 1)"},
        {"--belt-speed", CLI_DOUBLE, &belt_speed, 0.01, 100.0, "a factor from 0.01 to 100", "X",
         "the belt plays X times faster than real time (a simulator or a\n"
         "recording standing in for a belt; default 1). A belt sending far\n"
         "faster or slower than its stated rate ends the session, saying so"},
        {"--pain-low-back", CLI_DOUBLE, &fo.pain[BEL_STORE_PAIN_LOW_BACK], 0, 10, "pain 0..10", "N",
         "pain 0..10 in the low back"},
        {"--pain-hips", CLI_DOUBLE, &fo.pain[BEL_STORE_PAIN_HIPS], 0, 10, "pain 0..10", "N",
         "pain 0..10 in the hips"},
        {"--pain-buttocks", CLI_DOUBLE, &fo.pain[BEL_STORE_PAIN_BUTTOCKS], 0, 10, "pain 0..10", "N",
         "pain 0..10 in the buttocks and sacrum"},
        {"--pain-thighs", CLI_DOUBLE, &fo.pain[BEL_STORE_PAIN_THIGHS], 0, 10, "pain 0..10", "N",
         "pain 0..10 in the thighs"},
        {"--pain-abdomen", CLI_DOUBLE, &fo.pain[BEL_STORE_PAIN_ABDOMEN], 0, 10, "pain 0..10", "N",
         "pain 0..10 in the abdomen"},
        {"--pain", CLI_STRING, &fo.pain_other, 0, 0, "AREA=N pairs, comma separated", "AREA=N,...",
         "pain 0..10 in other areas, e.g. --pain \"neck=3,left shoulder=2\""},
        {"--thomas-left", CLI_STRING, &fo.thomas[0], 0, 0, "pass or tight[:DEG]", "RESULT",
         "psoas length (Thomas test) on the left: pass or tight, with the\n"
         "hip angle above the table in degrees if measured (tight:15)"},
        {"--thomas-right", CLI_STRING, &fo.thomas[1], 0, 0, "pass or tight[:DEG]", "RESULT",
         "the same on the right"},
        {"--notes", CLI_STRING, &fo.notes, 0, 0, "the therapist's notes", "TEXT",
         "the therapist's notes"},
        {"--ask", CLI_FLAG, &ask, 0, 0, "", NULL,
         "ask on the terminal, after the breathing, for each finding not\n"
         "given as an option (Enter skips one)"},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&assess_help, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos,
                           0, &n_pos, &rc)) {
        return rc;
    }
    if (replay && (simulated || port)) {
        return cli_usage_error(cmd, "--replay and %s contradict each other",
                               simulated ? "--simulated" : "--port");
    }
    if (replay && rate_hz > 0.0) {
        return cli_usage_error(cmd, "--rate is for a belt's Serial Plotter lines; a recording "
                                    "has its own times");
    }
    if (fast && !simulated && !replay) {
        return cli_usage_error(cmd, "--fast needs --simulated or --replay (a belt breathes in "
                                    "real time)");
    }
    if (after > 0 && !client) {
        return cli_usage_error(cmd, "--after needs --client NAME");
    }
    if (client && client[0] == '\0') {
        return cli_usage_error(cmd, "--client needs a name");
    }
    bel_store_findings findings;
    bool has_findings = false;
    rc = build_findings(cmd, &fo, &findings, &has_findings);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (ask && !isatty(STDIN_FILENO)) {
        return cli_usage_error(cmd, "--ask needs a terminal; give the findings as options");
    }

    /* The belt first: with none, nothing is created. */
    bel_source *src = NULL;
    live_source ls;
    memset(&ls, 0, sizeof ls);
    char err[BEL_IO_ERR_LEN];
    bel_assess_config gc = bel_assess_config_default();
    if (replay) {
        if (bel_source_create_replay(replay, !fast, &src, err, sizeof err) != BEL_OK) {
            return cli_fail(cmd, "%s", err);
        }
        snprintf(ls.label, sizeof ls.label, "%s", bel_source_describe(src));
    } else {
        live_source_request req = {.cmd = cmd,
                                   .port = port,
                                   .is_simulated_asked = simulated,
                                   .may_fall_back = false,
                                   .refusal = "--simulated for the simulated belt (stored marked "
                                              "simulated)",
                                   .sim = bel_sim_config_default(),
                                   .is_realtime = !fast,
                                   .plotter_rate_hz = rate_hz,
                                   .belt_speed = belt_speed};
        req.sim.seed = seed;
        req.sim.chest = true;
        req.sim.duration_s = 600.0; /* the guide gives up well before */
        /* The simulated person does as asked: deep breaths early in the deep phase. */
        req.sim.n_episodes = 1;
        req.sim.episodes[0].kind = BEL_SIM_DEEP;
        req.sim.episodes[0].t_start_s = gc.settle_s + 1.0;
        req.sim.episodes[0].duration_s = 12.0;
        req.sim.episodes[0].amount = 2.5f;
        rc = live_source_open(&req, &ls);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
        src = ls.src;
    }

    char default_out[1024];
    char prefix[1024];
    char rec_path[1100];
    bel_session *session = NULL;
    ui_session *ui = NULL;
    char *json = NULL;
    int exit_code = CLI_EXIT_FAIL;
    if (!out_path && client) {
        /* Names of its own, also for two assessments started in the same second: the
         * result and the assessment's recording and events. */
        static const char *const exts[] = {".json", ".csv", ".events.csv"};
        char stem[900];
        if (!store_new_names(cmd, "assess-", exts, 3, stem, sizeof stem)) {
            goto done;
        }
        snprintf(default_out, sizeof default_out, "%s.json", stem);
        out_path = default_out;
    } else if (!out_path) {
        out_path = "ASSESS.json";
    }
    prefix_of(out_path, prefix, sizeof prefix);
    snprintf(rec_path, sizeof rec_path, "%s.csv", prefix);
    struct stat st_replay, st_rec;
    if (replay && stat(replay, &st_replay) == 0 && stat(rec_path, &st_rec) == 0 &&
        st_replay.st_dev == st_rec.st_dev && st_replay.st_ino == st_rec.st_ino) {
        exit_code = cli_usage_error(cmd,
                                    "--out %s would record the assessment over %s, the "
                                    "recording it replays; choose another --out",
                                    out_path, replay);
        goto done;
    }

    bel_assess guide;
    bel_assess_init(&guide, &gc);
    bel_session_config cfg = bel_session_config_default();
    cfg.source = src;
    cfg.link = ls.link;
    cfg.is_live = !fast; /* --fast: nothing may be dropped, the input waits instead */
    cfg.record_prefix = prefix;
    cfg.quiet = true; /* the guide's prompts, not every breath */
    cfg.assess = &gc; /* the session ends with the guide, its polarity from the deep breath */
    if (bel_session_create(&cfg, &session, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
        goto done;
    }
    uo.guide = &guide;
    uo.is_simulated = ls.is_simulated;
    uo.source_label = ls.label;
    cli_install_stop_handler();
    printf("bellows assess: using the %s%s; about %.0f s; Ctrl-C stops (nothing is stored).\n",
           bel_source_describe(src), ls.is_simulated ? " (simulated belt - not a person)" : "",
           gc.settle_s + gc.deep_s + gc.natural_s);
    fflush(stdout);
    bool did_run = false;
    bel_status st = ui_session_run(&uo, src, session, &ui, &exit_code, &did_run);
    if (!did_run) {
        goto done;
    }
    exit_code = CLI_EXIT_FAIL;
    const bel_status fin = bel_session_finish(session); /* the recording is complete now */
    if (st == BEL_OK) {
        st = fin;
    }
    if (st != BEL_OK) {
        cli_fail(cmd, "%s; nothing stored", bel_session_get_error(session));
        goto done;
    }
    const bel_assess_phase ph = bel_assess_get_phase(&guide);
    if (ph != BEL_ASSESS_DONE) {
        if (cli_stop_requested()) {
            cli_fail(cmd, "stopped; nothing stored");
        } else if (ph == BEL_ASSESS_FAILED) {
            cli_fail(cmd,
                     "the %s phase failed three times; nothing stored (check the belt; the "
                     "recording is in %s)",
                     bel_assess_phase_name(bel_assess_get_failed_phase(&guide)), rec_path);
        } else {
            cli_fail(cmd,
                     "%s ended during the %s phase, before the assessment was done "
                     "(it needs about %.0f s of breathing); nothing stored",
                     replay ? replay : bel_source_describe(src), bel_assess_phase_name(ph),
                     gc.settle_s + gc.deep_s + gc.natural_s);
        }
        goto done;
    }

    /* The session's own figures, as the person saw them: its pipeline ran to the guide's
     * end, with the belts' polarity set from the deep breath (session.h). */
    double deep_t0 = 0.0, deep_t1 = 0.0;
    (void)bel_assess_get_deep_span(&guide, &deep_t0, &deep_t1);
    bel_metrics m;
    bel_summary sum;
    if (!bel_session_get_metrics(session, &m) || !bel_session_get_summary(session, &sum)) {
        cli_fail(cmd, "the session has no figures; nothing stored");
        goto done;
    }
    if (!isfinite(m.relaxed_level) || !isfinite(m.relaxed_depth)) {
        cli_fail(cmd, "no steady breathing was found in %s; check the belt and try again",
                 rec_path);
        goto done;
    }
    if (ask && ask_findings(cmd, &fo, &ans, &findings, &has_findings) != CLI_EXIT_OK) {
        goto done; /* cannot happen: every answer was checked */
    }
    /* The same text goes to the file and, with --client, into the store. */
    bel_calibration_assessment a = {
        .calibration = bel_holdin_calibration_none(),
        .summary = &sum,
        .chest_belly_lag_s = (double)m.chest_belly_lag_s,
        .source = bel_source_describe(src),
        .is_simulated = ls.is_simulated,
        .recording = rec_path,
        .deep_breath_ratio = (double)bel_assess_get_deep_ratio(&guide),
        .deep_breath_start_s = deep_t0,
        .findings = has_findings ? &findings : NULL,
    };
    a.calibration.belly_inverted = m.is_belly_inverted;
    a.calibration.chest_inverted = m.is_chest_inverted;
    a.calibration.belly_level = m.relaxed_level;
    a.calibration.belly_depth = m.relaxed_depth;
    a.calibration.chest_level = NAN;
    a.calibration.chest_depth = m.relaxed_chest_depth;
    a.calibration.chest_gain = 1.0f;
    a.calibration.belly_share = m.relaxed_share;
    size_t json_len = 0;
    if (bel_calibration_format(&a, &json, &json_len) != BEL_OK) {
        cli_fail(cmd, "out of memory");
        goto done;
    }
    bel_outfile *o = NULL;
    char out_err[BEL_IO_ERR_LEN];
    if (bel_outfile_create_whole(out_path, &o, out_err, sizeof out_err) != BEL_OK) {
        cli_fail(cmd, "%s (check the folder exists and is writable)", out_err);
        goto done;
    }
    if (bel_outfile_write(o, json, json_len) != BEL_OK || bel_outfile_close(o) != BEL_OK) {
        cli_fail(cmd, "%s", bel_outfile_get_error(o));
        bel_outfile_destroy(o);
        goto done;
    }
    bel_outfile_destroy(o);
    char share[32] = "- (no chest belt)";
    if (isfinite(sum.belly_share)) {
        snprintf(share, sizeof share, "%.0f %%", 100.0 * (double)sum.belly_share);
    }
    char ie[32];
    /* Depth in the belt's own units (what the next assessment is set against), and the
     * deep breath as a multiple of the relaxed one. */
    printf("Rate %.1f /min, depth %.0f belt units (the deep breath %.1fx relaxed), I:E %s, "
           "belly share %s, held in %.0f s of %.0f s.\n",
           (double)sum.rate_bpm, (double)sum.depth, (double)bel_assess_get_deep_ratio(&guide),
           bel_ie_text(ie, sizeof ie, sum.ie_ratio, "-"), share, sum.time_held_in_s,
           sum.duration_s);
    printf("Wrote %s (recording %s)\n", out_path, rec_path);
    exit_code = CLI_EXIT_OK;
    if (client) {
        exit_code = store_assessment(cmd, client, (int64_t)after, json, &sum, ls.is_simulated,
                                     has_findings ? &findings : NULL);
        if (exit_code == CLI_EXIT_OK) {
            printf("Stored for %s, %s.\n", client,
                   after ? "after that session" : "before their next session");
        }
    }
    if (exit_code == CLI_EXIT_OK) {
        fflush(stdout);
        ui_session_show_assessment(ui, &sum, bel_assess_get_deep_ratio(&guide));
    }
done:
    free(json);
    bel_session_destroy(session);
    ui_session_destroy(ui);
    bel_source_destroy(src);
    return exit_code;
}
