/* cmd_assess.c - `bellows assess`: the guided 2-minute assessment; learns a calibration.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bellows/pipeline.h"
#include "bellows/sim.h"
#include "cli.h"
#include "cmd_store.h"
#include "recording.h"

static const char assess_help[] =
    "usage: bellows assess --simulated | --replay REC.csv [--seed N] [--fast] [--out ASSESS.json]\n"
    "                      [--client NAME [--after SESSION]]\n"
    "\n"
    "A guided assessment of about 2 minutes, as a therapist runs it before and after a\n"
    "session: settle (natural breathing, 40 s), one slow deep belly breath (20 s), natural\n"
    "breathing again (60 s). It learns each belt's polarity, relaxed level and depth, and\n"
    "reports rate, depth, I:E, belly share and the time the belly was held in. The result\n"
    "(calibration and report) is written as JSON; give it to `analyze --calibration`.\n"
    "\n"
    "  --simulated       the built-in simulated belt (not a person; stored marked so)\n"
    "  --replay REC.csv  take the belts from a recording (columns belly[,chest])\n"
    "  --seed N          simulated belt seed (default 1)\n"
    "  --fast            do not wait in real time (tests)\n"
    "  --out FILE.json   where to write the result (default ASSESS.json; with --client,\n"
    "                    assess-YYYYmmdd-HHMMSS.json beside the sessions)\n"
    "  --client NAME     also store it for this client: before their next session, or\n"
    "  --after SESSION   after that session (its number in 'bellows sessions')\n";

enum { MAX_SAMPLES = 200 * 130 };

static const double settle_s = 40.0, deep_s = 20.0, natural_s = 60.0;

/* Larger excursion above the median than below it in [t0, t1): a deep inhalation
 * reads as a larger value, so the belt is not inverted. */
static bool looks_inverted(const bel_sample *s, int n, int ch, double t0, double t1)
{
    float lo = INFINITY, hi = -INFINITY;
    double sum = 0.0;
    int cnt = 0;
    for (int i = 0; i < n; i++) {
        if (s[i].t_s >= t0 && s[i].t_s < t1) {
            lo = fminf(lo, s[i].value[ch]);
            hi = fmaxf(hi, s[i].value[ch]);
            sum += (double)s[i].value[ch];
            cnt++;
        }
    }
    if (cnt == 0) {
        return false;
    }
    const double mean = sum / cnt;
    return mean - (double)lo > (double)hi - mean;
}

static void prompt(bool fast, double t_s, const char *text)
{
    printf("[%5.1f s] %s\n", t_s, text);
    fflush(stdout);
    (void)fast;
}

static void json_num(FILE *f, const char *key, double v, bool last)
{
    if (isfinite(v)) {
        fprintf(f, "    \"%s\": %.6g%s\n", key, v, last ? "" : ",");
    } else {
        fprintf(f, "    \"%s\": null%s\n", key, last ? "" : ",");
    }
}

int cmd_assess(int argc, char **argv)
{
    const char *cmd = "assess";
    const char *replay = NULL;
    const char *out_path = NULL;
    const char *client = NULL;
    uint64_t after = 0;
    uint64_t seed = 1;
    bool fast = false;
    bool simulated = false;
    const cli_opt opts[] = {
        {"--simulated", CLI_FLAG, &simulated, 0, 0, ""},
        {"--client", CLI_STRING, &client, 0, 0, "a client's name"},
        {"--after", CLI_U64, &after, 0, 0, "a session number"},
        {"--replay", CLI_STRING, &replay, 0, 0, "a recording CSV"},
        {"--seed", CLI_U64, &seed, 0, 0, "a number"},
        {"--fast", CLI_FLAG, &fast, 0, 0, ""},
        {"--out", CLI_STRING, &out_path, 0, 0, "a file name for the result JSON"},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(cmd, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 0, &n_pos);
    if (rc == CLI_HELP_ASKED) {
        fputs(assess_help, stdout);
        return CLI_EXIT_OK;
    }
    if (rc != CLI_PARSED) {
        return CLI_EXIT_USAGE;
    }
    if (simulated && replay) {
        return cli_usage_error(cmd, "--simulated and --replay contradict each other");
    }
    if (!simulated && !replay) {
        return cli_fail(cmd, "no belt given: --replay REC.csv, or --simulated for the simulated "
                             "belt (stored marked simulated)");
    }
    if (after > 0 && !client) {
        return cli_usage_error(cmd, "--after needs --client NAME");
    }
    char default_out[1024];
    if (!out_path && client) {
        char dir[900];
        if (!store_sessions_dir(cmd, dir, sizeof dir)) {
            return CLI_EXIT_FAIL;
        }
        const time_t now = time(NULL);
        struct tm tm;
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
        snprintf(default_out, sizeof default_out, "%s/assess-%s.json", dir, stamp);
        out_path = default_out;
    } else if (!out_path) {
        out_path = "ASSESS.json";
    }
    bel_sample *s = calloc(MAX_SAMPLES, sizeof *s);
    if (!s) {
        return cli_fail(cmd, "out of memory");
    }
    const double total_s = settle_s + deep_s + natural_s;
    int n = 0, n_ch = 0, belly = 0, chest = -1;
    double fs = 50.0;
    int exit_code = CLI_EXIT_FAIL;
    if (replay) {
        char err[256];
        bel_recording_reader *r = NULL;
        if (bel_recording_reader_create(replay, &r, err, sizeof err) != BEL_OK) {
            free(s);
            return cli_fail(cmd, "%s", err);
        }
        fs = bel_recording_reader_get_fs_hz(r);
        n_ch = bel_recording_reader_get_channel_count(r);
        const int b = bel_recording_reader_find_channel(r, "belly");
        belly = b >= 0 ? b : 0;
        chest = bel_recording_reader_find_channel(r, "chest");
        bel_sample x;
        int got;
        while (n < MAX_SAMPLES && (got = bel_recording_reader_read(r, &x)) > 0 && x.t_s < total_s) {
            s[n++] = x;
        }
        bel_recording_reader_destroy(r);
        const double have_s = n ? s[n - 1].t_s : 0.0;
        if (have_s < total_s - 5.0) {
            free(s);
            return cli_fail(cmd, "%s: needs %.0f s of breathing, has %.0f s", replay, total_s,
                            have_s);
        }
    } else {
        bel_sim_config sc = bel_sim_config_default();
        sc.seed = seed;
        sc.chest = true;
        sc.duration_s = total_s;
        bel_sim *sim = NULL;
        if (bel_sim_create(&sc, &sim) != BEL_OK) {
            free(s);
            return cli_fail(cmd, "cannot start the simulated belt");
        }
        fs = sc.fs_hz;
        n_ch = bel_sim_channel_count(sim);
        chest = n_ch > 1 ? 1 : -1;
        printf("Simulated belt (--simulated): not a person's breathing.\n");
        while (n < MAX_SAMPLES && bel_sim_next(sim, &s[n])) {
            n++;
        }
        bel_sim_destroy(sim);
    }
    (void)n_ch;
    /* Guide: prompts at the phase changes; real time unless --fast. */
    prompt(fast, 0.0, "Settle: sit comfortably and breathe naturally.");
    const double t_start = cli_now_s();
    bool said_deep = false, said_natural = false;
    for (int i = 0; i < n && !fast; i++) {
        while (!cli_stop_requested() && cli_now_s() - t_start < s[i].t_s) {
            struct timespec ts = {0, 20000000L};
            nanosleep(&ts, NULL);
        }
        if (cli_stop_requested()) {
            free(s);
            return cli_fail(cmd, "stopped; nothing written");
        }
        if (!said_deep && s[i].t_s >= settle_s) {
            prompt(fast, s[i].t_s, "Now one slow, deep breath into the belly; then let it go.");
            said_deep = true;
        }
        if (!said_natural && s[i].t_s >= settle_s + deep_s) {
            prompt(fast, s[i].t_s, "Breathe naturally again.");
            said_natural = true;
        }
    }
    if (fast) {
        prompt(fast, settle_s, "Now one slow, deep breath into the belly; then let it go.");
        prompt(fast, settle_s + deep_s, "Breathe naturally again.");
    }
    /* Polarity from the deep breath, then the pipeline over everything. */
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.fs_hz = fs;
    pc.belly_channel = belly;
    pc.chest_channel = chest;
    pc.invert = looks_inverted(s, n, belly, settle_s, settle_s + deep_s);
    pc.invert_chest = chest >= 0 && looks_inverted(s, n, chest, settle_s, settle_s + deep_s);
    pc.auto_polarity = false; /* the deep breath said which way each belt reads */
    bel_pipeline *p = NULL;
    if (bel_pipeline_create(&pc, &p) != BEL_OK) {
        free(s);
        return cli_fail(cmd, "cannot set up the pipeline (sample rate %.1f Hz)", fs);
    }
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    for (int i = 0; i < n; i++) {
        (void)bel_pipeline_process(p, &s[i], ev, BEL_PIPELINE_MAX_EVENTS);
    }
    bel_metrics m;
    bel_summary sum;
    bel_pipeline_get_metrics(p, &m);
    bel_pipeline_get_summary(p, &sum);
    bel_pipeline_destroy(p);
    free(s);
    if (!isfinite(m.relaxed_level) || !isfinite(m.relaxed_depth)) {
        return cli_fail(cmd, "no steady breathing was found; check the belt and try again");
    }
    /* The JSON is made in memory first: the same text goes to the file and,
     * with --client, into the store. */
    char *json = NULL;
    size_t json_len = 0;
    FILE *f = open_memstream(&json, &json_len);
    if (!f) {
        return cli_fail(cmd, "out of memory");
    }
    fprintf(f, "{\n  \"calibration\": {\n");
    fprintf(f, "    \"belly_inverted\": %s,\n", pc.invert ? "true" : "false");
    fprintf(f, "    \"chest_inverted\": %s,\n", pc.invert_chest ? "true" : "false");
    json_num(f, "belly_level", (double)m.relaxed_level, false);
    json_num(f, "belly_depth", (double)m.relaxed_depth, false);
    json_num(f, "chest_depth", (double)m.relaxed_chest_depth, false);
    json_num(f, "chest_gain", 1.0, false);
    json_num(f, "belly_share", (double)m.relaxed_share, true);
    fprintf(f, "  },\n  \"report\": {\n");
    json_num(f, "duration_s", sum.duration_s, false);
    json_num(f, "rate_bpm", (double)sum.rate_bpm, false);
    json_num(f, "depth", (double)sum.depth, false);
    json_num(f, "ie_ratio", (double)sum.ie_ratio, false);
    json_num(f, "belly_share", (double)sum.belly_share, false);
    json_num(f, "chest_belly_lag_s", (double)m.chest_belly_lag_s, false);
    json_num(f, "time_held_in_s", sum.time_held_in_s, false);
    json_num(f, "held_in_fraction",
             sum.duration_s > 0 ? sum.time_held_in_s / sum.duration_s : (double)NAN, false);
    json_num(f, "n_breath_holds", (double)sum.n_breath_holds, true);
    fprintf(f, "  }\n}\n");
    if (fclose(f) != 0 || !json) {
        free(json);
        return cli_fail(cmd, "out of memory");
    }
    FILE *o = fopen(out_path, "w");
    if (!o) {
        rc = cli_fail(cmd, "%s: cannot write: %s (check the folder exists and is writable)",
                      out_path, strerror(errno));
        free(json);
        return rc;
    }
    const bool written = fwrite(json, 1, json_len, o) == json_len;
    const int write_errno = errno;
    if (fclose(o) != 0 || !written) {
        rc = cli_fail(cmd, "%s: cannot write: %s", out_path,
                      strerror(written ? errno : write_errno));
        free(json);
        return rc;
    }
    printf("Rate %.1f /min, depth %.1f, I:E %.2f, belly share %.0f %%, held in %.0f s of %.0f s.\n",
           (double)sum.rate_bpm, (double)sum.depth, (double)sum.ie_ratio,
           100.0 * (double)sum.belly_share, sum.time_held_in_s, sum.duration_s);
    printf("Wrote %s\n", out_path);
    exit_code = CLI_EXIT_OK;
    if (client) {
        exit_code = store_assessment(cmd, client, (int64_t)after, json, &sum, simulated);
        if (exit_code == CLI_EXIT_OK) {
            printf("Stored for %s, %s.\n", client,
                   after ? "after that session" : "before their next session");
        }
    }
    free(json);
    return exit_code;
}
