/* cmd_store.c - `clients`, `sessions`, `note`, `import`, and the store hooks of `run`/`assess`.
 * SPDX-License-Identifier: MIT */
#include "cmd_store.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bellows/pipeline.h"
#include "calibration.h"
#include "cli.h"
#include "engine.h"
#include "event_csv.h"
#include "privacy.h"
#include "source.h"
#include "text.h"

/* Make one of bellows' own folders or files private if an older bellows left it open to
 * others; a failure is said and changes nothing else. */
static void make_private(const char *cmd, const char *path)
{
    if (bel_privacy_tighten(path) != BEL_OK) {
        cli_fail(cmd, "%s: cannot make it private (mode 0700/0600): %s", path, strerror(errno));
    }
}

/* Interrupted sessions to recover, copied out of the list callback. */
enum { RECOVER_MAX = 32 };
typedef struct to_recover {
    int n;
    int64_t id[RECOVER_MAX];
    char *recording[RECOVER_MAX];
} to_recover;

static bool note_unrecovered(void *ctx, const bel_store_session *s)
{
    to_recover *r = ctx;
    if (r->n >= RECOVER_MAX) {
        return false; /* the rest on a later open */
    }
    r->recording[r->n] = strdup(s->recording_path);
    if (r->recording[r->n]) {
        r->id[r->n++] = s->id;
    }
    return true;
}

/* A session killed before its end (kill -9, power loss) keeps its recording but never got
 * its figures: work them out from what was recorded, with the pipeline set up as the
 * session's was (its --invert and calibration, written into its recording), and store
 * them marked as recovered. Said on stderr; failures are kept in the
 * session's problem so they are not tried again. */
static void recover_interrupted(const char *cmd, bel_store *st)
{
    to_recover r;
    memset(&r, 0, sizeof r);
    if (bel_store_list_unrecovered(st, note_unrecovered, &r) < 0) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
    }
    int n_done = 0;
    for (int i = 0; i < r.n; i++) {
        bel_summary sum;
        char err[BEL_IO_ERR_LEN];
        bel_store_metrics m = bel_store_metrics_unknown();
        char problem[BEL_IO_ERR_LEN + 64];
        bel_engine_settings es = bel_engine_settings_default();
        es.use_recorded = true;
        if (bel_engine_summarise(r.recording[i], &es, &sum, err, sizeof err) == BEL_OK) {
            m = bel_store_metrics_from_summary(&sum);
            snprintf(problem, sizeof problem,
                     "interrupted; figures worked out afterwards from its recording");
        } else {
            snprintf(problem, sizeof problem, "interrupted; its recording cannot be read: %s", err);
        }
        if (bel_store_set_recovered(st, r.id[i], &m, problem) != BEL_OK) {
            cli_fail(cmd, "%s", bel_store_get_error(st));
        } else if (isfinite(m.duration_s)) {
            n_done++;
        }
        free(r.recording[i]);
    }
    if (n_done > 0) {
        fprintf(stderr,
                "bellows %s: figures of %d interrupted session%s worked out from %s "
                "recording%s\n",
                cmd, n_done, n_done == 1 ? "" : "s", n_done == 1 ? "its" : "their",
                n_done == 1 ? "" : "s");
    }
}

bel_store *store_open_for(const char *cmd)
{
    bel_store *st = NULL;
    char err[BEL_STORE_ERR_LEN];
    if (bel_store_create(NULL, &st, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "session store: %s", err);
        return NULL;
    }
    /* bellows' own folder and store, made by an older bellows (0755, 0644), are made
     * private now; a failure changes nothing else. */
    char dir[4096];
    if (bel_store_default_dir(dir, sizeof dir) == BEL_OK) {
        make_private(cmd, dir);
    }
    make_private(cmd, bel_store_get_path(st));
    int n = bel_store_get_interrupted_count(st);
    if (n > 0) {
        fprintf(stderr,
                "bellows %s: %d session%s did not finish (the program was stopped); marked "
                "interrupted, recordings kept\n",
                cmd, n, n == 1 ? "" : "s");
    }
    recover_interrupted(cmd, st);
    return st;
}

bel_store *store_open_to_read(const char *cmd)
{
    char dir[4096];
    char path[4200];
    if (bel_store_default_dir(dir, sizeof dir) != BEL_OK) {
        return store_open_for(cmd); /* which says what is missing */
    }
    snprintf(path, sizeof path, "%s/bellows.db", dir);
    /* A store that cannot be written here (a read-only disk or folder) is still read. */
    if (access(path, F_OK) != 0 || (access(path, W_OK) == 0 && access(dir, W_OK) == 0)) {
        return store_open_for(cmd);
    }
    bel_store *st = NULL;
    char err[BEL_STORE_ERR_LEN];
    if (bel_store_open_read_only(path, &st, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "session store: %s", err);
        return NULL;
    }
    return st;
}

static bool count_client(void *ctx, const bel_store_client *c)
{
    (void)ctx;
    (void)c;
    return true;
}

static bool count_session(void *ctx, const bel_store_session *s)
{
    (void)ctx;
    (void)s;
    return true;
}

static bool print_problem(void *ctx, const char *problem)
{
    fputs((const char *)ctx, stdout);
    bel_text_put(stdout, problem);
    fputc('\n', stdout);
    return true;
}

static const cli_help store_help = {
    "store",
    "check\n"
    "backup FILE.db",
    "check   checks the session store ($XDG_DATA_HOME/bellows/bellows.db): that it is a\n"
    "        bellows store and that SQLite's full integrity check finds nothing wrong.\n"
    "        Changes nothing.\n"
    "backup  copies the whole store into FILE.db (a new file, private to you), consistent\n"
    "        even while a session is being recorded. To restore it, put it in place of\n"
    "        bellows.db. Recordings stay where they are (the sessions folder).\n"
    "\n"
    "Exit status: 0 done (check: sound), 1 damaged or unreadable (the problems are\n"
    "listed) or the copy failed, 2 bad command line.\n",
    NULL};

/* `store check`: the open's own checks, then SQLite's full integrity check. */
static int store_check(const char *cmd, bel_store *st, const char *path)
{
    int exit_code = CLI_EXIT_FAIL;
    char prefix[4300];
    snprintf(prefix, sizeof prefix, "%s: ", path);
    int n_problems = bel_store_check(st, print_problem, prefix);
    int n_clients = n_problems == 0 ? bel_store_list_clients(st, count_client, NULL) : -1;
    int n_sessions = n_problems == 0 ? bel_store_list_sessions(st, 0, count_session, NULL) : -1;
    if (n_problems < 0 || (n_problems == 0 && (n_clients < 0 || n_sessions < 0))) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
    } else if (n_problems > 0) {
        cli_fail(cmd,
                 "%s: damaged (%d problem%s above); it was left as it is: restore it from a "
                 "backup",
                 path, n_problems, n_problems == 1 ? "" : "s");
    } else {
        printf("%s: sound: %d client%s, %d session%s\n", path, n_clients, n_clients == 1 ? "" : "s",
               n_sessions, n_sessions == 1 ? "" : "s");
        exit_code = CLI_EXIT_OK;
    }
    return exit_code;
}

int cmd_store(int argc, char **argv)
{
    const char *cmd = "store";
    const char *pos[3];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&store_help, argc, argv, NULL, 0, pos, 3, &n_pos, &rc)) {
        return rc;
    }
    const bool is_check = n_pos == 1 && strcmp(pos[0], "check") == 0;
    const bool is_backup = n_pos >= 1 && strcmp(pos[0], "backup") == 0;
    if (!is_check && !is_backup) {
        return cli_usage_error(cmd, "%s",
                               n_pos == 0 ? "which? 'bellows store check' or 'bellows store "
                                            "backup FILE.db'"
                                          : "the store commands are 'check' and 'backup FILE.db'");
    }
    if (is_backup && n_pos != 2) {
        return cli_usage_error(cmd, "backup needs one FILE.db to write");
    }
    char dir[4096];
    char path[4200];
    if (bel_store_default_dir(dir, sizeof dir) != BEL_OK) {
        return cli_fail(cmd, "no data directory: set HOME or XDG_DATA_HOME");
    }
    snprintf(path, sizeof path, "%s/bellows.db", dir);
    bel_store *st = NULL;
    char err[BEL_STORE_ERR_LEN];
    if (bel_store_open_read_only(path, &st, err, sizeof err) != BEL_OK) {
        return cli_fail(cmd, "%s", err);
    }
    int exit_code = CLI_EXIT_FAIL;
    if (is_check) {
        exit_code = store_check(cmd, st, path);
    } else if (bel_store_backup(st, pos[1], err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
    } else {
        printf("copied %s to %s\n", path, pos[1]);
        exit_code = CLI_EXIT_OK;
    }
    bel_store_destroy(st);
    return exit_code;
}

bool store_sessions_dir(const char *cmd, char *buf, size_t len)
{
    char dir[4096];
    if (bel_store_default_dir(dir, sizeof dir) != BEL_OK) {
        cli_fail(cmd, "no data directory: set HOME or XDG_DATA_HOME");
        return false;
    }
    int n = snprintf(buf, len, "%s/sessions", dir);
    if (n < 0 || (size_t)n >= len) {
        cli_fail(cmd, "%s/sessions: path too long", dir);
        return false;
    }
    /* The data directory may not exist yet (nothing stored so far): make every
     * missing folder on the way, private to the user. */
    char err[BEL_IO_ERR_LEN];
    if (bel_privacy_make_dirs(buf, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err[0] ? err : "out of memory");
        return false;
    }
    make_private(cmd, dir);
    make_private(cmd, buf);
    return true;
}

bool store_new_names(const char *cmd, const char *kind, const char *const *exts, int n_exts,
                     char *buf, size_t len)
{
    char dir[3072];
    if (!store_sessions_dir(cmd, dir, sizeof dir)) {
        return false;
    }
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32] = "session";
    if (localtime_r(&now, &tm)) {
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    }
    char stem[3200];
    snprintf(stem, sizeof stem, "%s/%s%s", dir, kind, stamp);
    char err[BEL_IO_ERR_LEN];
    if (bel_privacy_claim_names(stem, exts, n_exts, buf, len, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err[0] ? err : "file name too long");
        return false;
    }
    return true;
}

int64_t store_client_id(const char *cmd, bel_store *st, const char *name, bool add)
{
    int64_t id = 0;
    char matched[256];
    char near[256];
    const int found =
        bel_store_match_client(st, name, &id, matched, sizeof matched, near, sizeof near);
    if (found < 0) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        return 0;
    }
    if (found == 1) {
        if (strcmp(matched, name) != 0) { /* "anna" for "Anna": say which */
            fprintf(stderr, "bellows %s: client '", cmd);
            bel_text_put(stderr, matched);
            fprintf(stderr, "' (the same name up to case, accents and spaces)\n");
        }
        return id;
    }
    if (!add) {
        fprintf(stderr, "bellows %s: no client named '", cmd);
        bel_text_put(stderr, name);
        if (near[0]) {
            fprintf(stderr, "'; did you mean '");
            bel_text_put(stderr, near);
            fprintf(stderr, "'? (see 'bellows clients')\n");
        } else {
            fprintf(stderr, "' (see 'bellows clients')\n");
        }
        return 0;
    }
    if (bel_store_add_client(st, name, &id) != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        return 0;
    }
    if (near[0]) { /* a typo makes a new client: say so, and how to join them */
        fprintf(stderr, "bellows %s: new client '", cmd);
        bel_text_put(stderr, name);
        fprintf(stderr, "' - did you mean '");
        bel_text_put(stderr, near);
        fprintf(stderr, "'? ('bellows merge-clients' joins them)\n");
    }
    return id;
}

/* ---- clients ---- */

static const cli_help clients_help = {
    "clients", "",
    "Lists the clients in the session store with their number of\n"
    "sessions and the date of the latest one.\n",
    NULL};

static void fmt_when(char *buf, size_t len, double unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!isfinite(unix_s) || !localtime_r(&t, &tm) ||
        strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0) {
        snprintf(buf, len, "-");
    }
}

static bool print_client(void *ctx, const bel_store_client *c)
{
    (void)ctx;
    char when[32];
    fmt_when(when, sizeof when, c->last_session_unix_s);
    printf("%5lld  %8lld  %-16s  ", (long long)c->id, (long long)c->n_sessions, when);
    bel_text_put(stdout, c->name);
    putchar('\n');
    return true;
}

int cmd_clients(int argc, char **argv)
{
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&clients_help, argc, argv, NULL, 0, pos, 0, &n_pos, &rc)) {
        return rc;
    }
    bel_store *st = store_open_to_read("clients");
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    printf("%5s  %8s  %-16s  %s\n", "id", "sessions", "latest", "name");
    int n = bel_store_list_clients(st, print_client, NULL);
    int exit_code = CLI_EXIT_OK;
    if (n < 0) {
        exit_code = cli_fail("clients", "%s", bel_store_get_error(st));
    } else if (n == 0) {
        printf("(no clients yet: 'bellows run --client NAME' adds one)\n");
    }
    bel_store_destroy(st);
    return exit_code;
}

/* ---- sessions ---- */

static const cli_help sessions_help = {
    "sessions", "[OPTIONS]",
    "Lists your own recorded sessions (those run without --client), oldest first: id,\n"
    "start, length in minutes, breaths, mean rate (breaths/min), belly share, time held\n"
    "in, hold-ins, breath holds, status and client, with each session's notes below it.\n"
    "A session shorter than a minute or stopped early shows as incomplete.\n",
    NULL};

static const char *fnum(char *buf, size_t len, double v, int decimals)
{
    if (isfinite(v)) {
        snprintf(buf, len, "%.*f", decimals, v);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

static const char *fcount(char *buf, size_t len, int64_t v)
{
    if (v >= 0) {
        snprintf(buf, len, "%lld", (long long)v);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

static bool print_session(void *ctx, const bel_store_session *s)
{
    (void)ctx;
    char when[32];
    char a[7][32];
    fmt_when(when, sizeof when, s->start_unix_s);
    printf("%6lld  %-16s  %6s  %7s  %5s  %5s  %7s  %8s  %6s  %-11s  ", (long long)s->id, when,
           fnum(a[0], 32, s->metrics.duration_s / 60.0, 1), fcount(a[1], 32, s->metrics.n_breaths),
           fnum(a[2], 32, s->metrics.rate_bpm, 1),
           fnum(a[3], 32, 100.0 * s->metrics.belly_share, 0),
           fnum(a[4], 32, s->metrics.time_held_in_s, 0), fcount(a[5], 32, s->metrics.n_holdins),
           fcount(a[6], 32, s->metrics.n_breath_holds),
           s->incomplete && strcmp(s->status, "complete") == 0 ? "incomplete" : s->status);
    bel_text_put(stdout, s->client_name ? s->client_name : "-");
    if (s->is_simulated) {
        printf("  [simulated belt]");
    }
    putchar('\n');
    if (s->incomplete) {
        printf("        incomplete: ");
        bel_text_put(stdout, s->incomplete);
        putchar('\n');
    }
    if (s->problem) {
        printf("        problem: ");
        bel_text_put(stdout, s->problem);
        putchar('\n');
    }
    /* Notes line by line, so line breaks in a note show as written. */
    for (const char *p = s->notes; p && *p;) {
        size_t n = strcspn(p, "\n");
        printf("        note: ");
        char line[1024];
        while (n > 0) {
            size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
            memcpy(line, p, k);
            line[k] = '\0';
            bel_text_put(stdout, line);
            p += k;
            n -= k;
        }
        putchar('\n');
        p += *p == '\n';
    }
    return true;
}

int cmd_sessions(int argc, char **argv)
{
    const char *cmd = "sessions";
    const char *client = NULL;
    bool all = false;
    const cli_opt opts[] = {{"--client", CLI_STRING, &client, 0, 0, "a client's name", "NAME",
                             "this client's sessions instead"},
                            {"--all", CLI_FLAG, &all, 0, 0, "", NULL, "everyone's sessions"}};
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&sessions_help, argc, argv, opts, 2, pos, 0, &n_pos, &rc)) {
        return rc;
    }
    if (client && all) {
        return cli_usage_error(cmd, "--client and --all contradict each other");
    }
    bel_store *st = store_open_to_read(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_FAIL;
    int64_t client_id = all ? 0 : BEL_STORE_OWN;
    if (client && (client_id = store_client_id(cmd, st, client, false)) == 0) {
        goto done;
    }
    printf("%6s  %-16s  %6s  %7s  %5s  %5s  %7s  %8s  %6s  %-11s  %s\n", "id", "start", "min",
           "breaths", "rate", "belly", "held in", "hold-ins", "holds", "status", "client");
    int n = bel_store_list_sessions(st, client_id, print_session, NULL);
    if (n < 0) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        goto done;
    }
    if (n == 0 && client_id == BEL_STORE_OWN) {
        printf("(no sessions of your own yet: 'bellows run' stores one; --all lists everyone's)\n");
    } else if (n == 0) {
        printf("(no sessions yet)\n");
    }
    exit_code = CLI_EXIT_OK;
done:
    bel_store_destroy(st);
    return exit_code;
}

/* ---- note ---- */

static const cli_help note_help = {"note", "SESSION TEXT",
                                   "Adds TEXT (any text; quote it for the shell) as a note to\n"
                                   "session SESSION (the id 'bellows sessions' shows).\n",
                                   NULL};

static bool parse_id(const char *s, int64_t *id)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v <= 0) {
        return false;
    }
    *id = (int64_t)v;
    return true;
}

int cmd_note(int argc, char **argv)
{
    const char *cmd = "note";
    const char *pos[2];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&note_help, argc, argv, NULL, 0, pos, 2, &n_pos, &rc)) {
        return rc;
    }
    int64_t id = 0;
    if (n_pos != 2) {
        return cli_usage_error(cmd, "needs a session id and the text of the note");
    }
    if (!parse_id(pos[0], &id)) {
        return cli_usage_error(cmd, "'%s' is not a session id (a number from 'bellows sessions')",
                               pos[0]);
    }
    if (pos[1][0] == '\0') {
        return cli_usage_error(cmd, "the note is empty");
    }
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_OK;
    bel_status s = bel_store_add_note(st, id, pos[1]);
    if (s == BEL_ERR_ARG) {
        exit_code = cli_fail(cmd, "no session %lld (see 'bellows sessions')", (long long)id);
    } else if (s != BEL_OK) {
        exit_code = cli_fail(cmd, "%s", bel_store_get_error(st));
    } else {
        printf("note added to session %lld\n", (long long)id);
    }
    bel_store_destroy(st);
    return exit_code;
}

/* ---- hooks for run and assess ---- */

/* path made absolute (the store outlives the working directory); the file need
 * not exist yet. */
static void absolute(const char *path, char *buf, size_t len)
{
    char cwd[PATH_MAX];
    if (!path) {
        snprintf(buf, len, "%s", "");
    } else if (path[0] == '/' || !getcwd(cwd, sizeof cwd)) {
        snprintf(buf, len, "%s", path);
    } else {
        const char *rel = path[0] == '.' && path[1] == '/' ? path + 2 : path;
        size_t a = strlen(cwd);
        size_t b = strlen(rel);
        if (a + b + 2 > len) {
            snprintf(buf, len, "%s", path);
            return;
        }
        memcpy(buf, cwd, a);
        buf[a] = '/';
        memcpy(buf + a + 1, rel, b + 1);
    }
}

int64_t store_session_begin(const char *cmd, const char *client, const char *recording_path,
                            const char *events_path, const char *belt, const char *firmware,
                            const char *pacer, bool is_simulated, bel_store **out_store)
{
    *out_store = NULL;
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return 0;
    }
    int64_t client_id = client ? store_client_id(cmd, st, client, true) : 0;
    if (client && client_id == 0) {
        bel_store_destroy(st);
        return 0;
    }
    char rec[PATH_MAX];
    char ev[PATH_MAX];
    absolute(recording_path, rec, sizeof rec);
    absolute(events_path, ev, sizeof ev);
    bel_store_session_info info = {client_id,
                                   0.0,
                                   belt,
                                   firmware,
                                   pacer,
                                   recording_path ? rec : NULL,
                                   events_path ? ev : NULL,
                                   is_simulated};
    int64_t id = 0;
    if (bel_store_begin_session(st, &info, &id) != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        bel_store_destroy(st);
        return 0;
    }
    *out_store = st;
    return id;
}

int store_session_end(const char *cmd, bel_store *st, int64_t session_id, const bel_summary *sum,
                      double pacer_score, const char *problem, double planned_s)
{
    if (!st || session_id <= 0) {
        bel_store_destroy(st);
        return CLI_EXIT_FAIL;
    }
    bel_store_metrics m = bel_store_metrics_from_summary(sum);
    m.pacer_score = pacer_score;
    int exit_code = CLI_EXIT_OK;
    char why[96] = "";
    if (!(sum->duration_s >= STORE_MIN_COMPLETE_S)) {
        snprintf(why, sizeof why, "shorter than a minute (%.0f s)",
                 isfinite(sum->duration_s) ? sum->duration_s : 0.0);
    } else if (planned_s > 0.0 && sum->duration_s < planned_s - 1.0) {
        snprintf(why, sizeof why, "stopped early (%.0f of %.0f s)", sum->duration_s, planned_s);
    }
    if (bel_store_finish_session(st, session_id, &m, problem) != BEL_OK ||
        (why[0] && bel_store_set_incomplete(st, session_id, why) != BEL_OK)) {
        exit_code = cli_fail(cmd, "%s", bel_store_get_error(st));
    } else if (why[0]) {
        printf("session %lld stored as incomplete: %s\n", (long long)session_id, why);
    } else {
        printf("session %lld stored\n", (long long)session_id);
    }
    bel_store_destroy(st);
    return exit_code;
}

int store_assessment(const char *cmd, const char *client, int64_t after_session, const char *json,
                     const bel_summary *sum, bool is_simulated, const bel_store_findings *f)
{
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_FAIL;
    int64_t client_id = store_client_id(cmd, st, client, true);
    if (client_id == 0) {
        goto done;
    }
    bel_store_metrics m = bel_store_metrics_from_summary(sum);
    int64_t id = 0;
    bel_status s = bel_store_add_assessment(st, client_id, after_session,
                                            after_session > 0 ? BEL_STORE_AFTER : BEL_STORE_BEFORE,
                                            is_simulated, 0.0, json, &m, &id);
    if (s == BEL_ERR_ARG) {
        cli_fail(cmd, "no session %lld (see 'bellows sessions')", (long long)after_session);
        goto done;
    }
    if (s != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        goto done;
    }
    if (f && bel_store_set_findings(st, id, f) != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        goto done;
    }
    if (after_session > 0) {
        printf("stored as the assessment after session %lld\n", (long long)after_session);
    } else {
        printf("stored as the assessment before the client's next session\n");
    }
    exit_code = CLI_EXIT_OK;
done:
    bel_store_destroy(st);
    return exit_code;
}

bool store_client_calibration(const char *cmd, const char *client, bool is_simulated,
                              bel_holdin_calibration *out, char *when, size_t len)
{
    *out = bel_holdin_calibration_none();
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return false;
    }
    int64_t id = 0;
    char *json = NULL;
    double taken = NAN;
    bool ok = false;
    if (bel_store_match_client(st, client, &id, NULL, 0, NULL, 0) == 1 &&
        bel_store_get_latest_assessment(st, id, is_simulated, &json, &taken) == 1) {
        char err[BEL_IO_ERR_LEN];
        fmt_when(when, len, taken);
        if (bel_calibration_parse("the stored assessment", json, strlen(json), out, err,
                                  sizeof err) == BEL_OK) {
            ok = true;
        } else {
            fprintf(stderr,
                    "bellows %s: the assessment of %s is not usable (%s); learning as "
                    "the session goes\n",
                    cmd, when, err);
        }
    }
    free(json);
    bel_store_destroy(st);
    return ok;
}

/* ---- import ---- */

static const cli_help import_help = {
    "import", "REC.csv --client NAME [OPTIONS]",
    "Adds a recording made elsewhere (bellows demo --record, another program) to the\n"
    "session store as a finished session of NAME: runs the breath pipeline over it,\n"
    "writes its events into the sessions folder and stores the metrics. The recording\n"
    "stays where it is; the store keeps its path. A recording with a bad row is refused\n"
    "whole: nothing is stored.\n",
    NULL};

int cmd_import(int argc, char **argv)
{
    const char *cmd = "import";
    const char *client = NULL;
    const char *pacer = NULL;
    double start_s = 0.0;
    bool invert = false;
    const cli_opt opts[] = {
        {"--client", CLI_STRING, &client, 0, 0, "a client's name", "NAME",
         "whose session it is (added if new)"},
        {"--start", CLI_DOUBLE, &start_s, 1.0, 1e11, "seconds since 1970", "UNIX_S",
         "when it was recorded, seconds since 1970 (default: the file's\n"
         "modification time)"},
        {"--pacer", CLI_STRING, &pacer, 0, 0, "a pacer preset's name", "NAME",
         "the pacer preset that was used, if any"},
        ENGINE_INVERT_OPT(&invert),
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&import_help, argc, argv, opts, 4, pos, 1, &n_pos, &rc)) {
        return rc;
    }
    if (n_pos != 1) {
        return cli_usage_error(cmd, "needs the recording CSV to import");
    }
    if (!client) {
        return cli_usage_error(cmd, "needs --client NAME");
    }
    struct stat sb;
    if (stat(pos[0], &sb) != 0) {
        return cli_fail(cmd, "%s: cannot open: %s", pos[0], strerror(errno));
    }
    char err[BEL_IO_ERR_LEN];
    bel_source *src = NULL;
    bel_pipeline *pipe = NULL;
    bel_event_csv *evw = NULL;
    bel_store *st = NULL;
    int exit_code = CLI_EXIT_FAIL;
    if (bel_source_create_replay(pos[0], false, &src, err, sizeof err) != BEL_OK) {
        return cli_fail(cmd, "%s", err);
    }
    bel_pipeline_config pcfg;
    bel_engine_settings es = bel_engine_settings_default();
    es.invert = invert;
    es.use_recorded = !invert; /* a bellows recording: read as its session read it */
    if (bel_engine_pipeline_config(bel_source_get_info(src), &es, pos[0], &pcfg, err, sizeof err) !=
        BEL_OK) {
        cli_fail(cmd, "%s", err);
        goto done;
    }
    if (bel_pipeline_create(&pcfg, &pipe) != BEL_OK) {
        cli_fail(cmd, "%s: cannot set up the pipeline", pos[0]);
        goto done;
    }
    /* The recording is read through first: a rejected one stores nothing. */
    char dir[4096];
    if (!store_sessions_dir(cmd, dir, sizeof dir)) {
        goto done;
    }
    char rec[PATH_MAX];
    absolute(pos[0], rec, sizeof rec);
    char ev_path[4200];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(ev_path, sizeof ev_path, "%s/import-%lld-%09ld-%ld.events.csv", dir,
             (long long)now.tv_sec, (long)now.tv_nsec, (long)getpid());
    if (bel_event_csv_create(ev_path, &evw, err, sizeof err) != BEL_OK) {
        cli_fail(cmd, "%s", err);
        goto done;
    }
    bel_engine_result run;
    const char *failure = NULL;
    if (bel_engine_run_offline(src, pipe, evw, INFINITY, NULL, NULL, &run) != BEL_OK) {
        failure = run.err;
    }
    if (!failure && bel_event_csv_close(evw) != BEL_OK) {
        failure = bel_event_csv_get_error(evw);
    }
    if (failure) {
        cli_fail(cmd, "%s; nothing imported", failure);
        bel_event_csv_destroy(evw);
        evw = NULL;
        unlink(ev_path);
        goto done;
    }
    st = store_open_for(cmd);
    int64_t client_id = st ? store_client_id(cmd, st, client, true) : 0;
    if (client_id == 0) {
        unlink(ev_path);
        goto done;
    }
    bel_store_session_info si = {client_id,
                                 start_s > 0.0 ? start_s : (double)sb.st_mtime,
                                 "imported recording",
                                 NULL,
                                 pacer,
                                 rec,
                                 ev_path,
                                 false};
    int64_t id = 0;
    const bel_summary sum = run.summary;
    bel_store_metrics m = bel_store_metrics_from_summary(&sum);
    if (bel_store_begin_session(st, &si, &id) != BEL_OK ||
        bel_store_finish_session(st, id, &m, NULL) != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
        if (id > 0) { /* half stored: take it back */
            const bel_status undone = bel_store_delete_session(st, id);
            (void)undone; /* the store's error above says what went wrong */
        }
        unlink(ev_path);
        goto done;
    }
    printf("imported %s as session %lld of ", pos[0], (long long)id);
    bel_text_put(stdout, client);
    printf(": %u breaths, %.1f /min\n", (unsigned)sum.n_breaths, (double)sum.rate_bpm);
    if (bel_summary_looks_turned_round(&sum, pcfg.chest_channel >= 0)) {
        char remedy[128];
        snprintf(
            remedy, sizeof remedy,
            "delete it ('bellows delete-session %lld --yes') and import it again with --invert",
            (long long)id);
        cli_say_upside_down(pos[0], remedy);
    }
    exit_code = CLI_EXIT_OK;
done:
    bel_event_csv_destroy(evw);
    bel_store_destroy(st);
    bel_pipeline_destroy(pipe);
    bel_source_destroy(src);
    return exit_code;
}

/* ---- corrections: rename, merge and delete ---- */

/* The files of sessions, collected to remove after their rows are gone. */
typedef struct file_list {
    char **paths;
    size_t n, cap;
    bool failed;
} file_list;

static void add_file(file_list *l, const char *path)
{
    if (!path || l->failed) {
        return;
    }
    if (l->n == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 16;
        char **grown = realloc(l->paths, cap * sizeof *grown);
        if (!grown) {
            l->failed = true;
            return;
        }
        l->paths = grown;
        l->cap = cap;
    }
    l->paths[l->n] = strdup(path);
    l->failed = l->paths[l->n] == NULL;
    l->n += !l->failed;
}

static bool collect_files(void *ctx, const bel_store_session *s)
{
    file_list *l = ctx;
    add_file(l, s->recording_path);
    add_file(l, s->events_path);
    return !l->failed;
}

static void free_files(file_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->paths[i]);
    }
    free(l->paths);
    memset(l, 0, sizeof *l);
}

/* Whether path is in the folder of sessions_st (bellows' sessions folder, by its device
 * and inode, whatever the spelling of either path): a file bellows made there. A recording
 * imported from elsewhere, or kept elsewhere (run --record PATH), is the user's: deleting
 * its session never deletes it. */
static bool is_in_sessions_dir(const struct stat *sessions_st, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const int len = slash ? (slash == path ? 1 : (int)(slash - path)) : 1;
    if (snprintf(dir, sizeof dir, "%.*s", len, slash ? path : ".") >= (int)sizeof dir) {
        return false;
    }
    struct stat st;
    return stat(dir, &st) == 0 && st.st_dev == sessions_st->st_dev &&
           st.st_ino == sessions_st->st_ino;
}

/* bellows' sessions folder, for is_in_sessions_dir, into *out; false (said) when it
 * cannot be had: then no file is bellows' own. */
static bool sessions_dir_stat(const char *cmd, struct stat *out)
{
    char dir[PATH_MAX];
    return store_sessions_dir(cmd, dir, sizeof dir) && stat(dir, out) == 0;
}

/* How many of l's files are bellows' own (is_in_sessions_dir): those deleting their
 * sessions removes. */
static size_t count_own(const char *cmd, const file_list *l)
{
    struct stat dir_st;
    if (!sessions_dir_stat(cmd, &dir_st)) {
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        n += is_in_sessions_dir(&dir_st, l->paths[i]);
    }
    return n;
}

typedef struct path_use {
    const char *path;
    bool is_used;
} path_use;

static bool find_path(void *ctx, const bel_store_session *s)
{
    path_use *u = ctx;
    u->is_used = (s->recording_path && strcmp(s->recording_path, u->path) == 0) ||
                 (s->events_path && strcmp(s->events_path, u->path) == 0);
    return !u->is_used;
}

/* Remove the files of sessions just taken out of the store (those already gone are fine)
 * and free the list: only those bellows made in its sessions folder that no session left
 * in the store still reads; each other one is named as kept. false if one could not go. */
static bool remove_files(const char *cmd, bel_store *st, file_list *l)
{
    struct stat dir_st;
    const bool has_dir = sessions_dir_stat(cmd, &dir_st);
    bool ok = true;
    for (size_t i = 0; i < l->n; i++) {
        const char *p = l->paths[i];
        path_use u = {p, false};
        if (!has_dir || !is_in_sessions_dir(&dir_st, p)) {
            printf("kept %s (not made by bellows: imported or recorded there)\n", p);
        } else if (bel_store_list_sessions(st, 0, find_path, &u) < 0) {
            cli_fail(cmd,
                     "%s: kept: the store could not be read to see whether another session "
                     "reads it (%s)",
                     p, bel_store_get_error(st));
            ok = false;
        } else if (u.is_used) {
            printf("kept %s (another session reads it)\n", p);
        } else if (unlink(p) == 0) {
            printf("removed %s\n", p);
        } else if (errno != ENOENT) {
            cli_fail(cmd, "%s: cannot remove: %s", p, strerror(errno));
            ok = false;
        }
    }
    free_files(l);
    return ok;
}

static const cli_help rename_help = {"rename-client", "OLD NEW",
                                     "Renames the client OLD to NEW, keeping their sessions and\n"
                                     "assessments. If NEW is already a client, merge them instead\n"
                                     "('bellows merge-clients').\n",
                                     NULL};

int cmd_rename_client(int argc, char **argv)
{
    const char *cmd = "rename-client";
    const char *pos[2];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&rename_help, argc, argv, NULL, 0, pos, 2, &n_pos, &rc)) {
        return rc;
    }
    if (n_pos != 2 || pos[1][0] == '\0') {
        return cli_usage_error(cmd, "needs the client's name and the new name");
    }
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_FAIL;
    const int64_t id = store_client_id(cmd, st, pos[0], false);
    if (id > 0) {
        if (bel_store_rename_client(st, id, pos[1]) != BEL_OK) {
            cli_fail(cmd, "%s", bel_store_get_error(st));
        } else {
            printf("renamed '");
            bel_text_put(stdout, pos[0]);
            printf("' to '");
            bel_text_put(stdout, pos[1]);
            printf("'\n");
            exit_code = CLI_EXIT_OK;
        }
    }
    bel_store_destroy(st);
    return exit_code;
}

/* The options of a command that changes the record only with --yes (merge-clients,
 * delete-client, delete-session): parsed (or its help shown), exactly n_want arguments
 * into pos (else the usage error need). false: return *exit_code (message printed). */
static bool parse_with_yes(const cli_help *h, int argc, char **argv, bool *yes, const char **pos,
                           int n_want, const char *need, int *exit_code)
{
    const cli_opt opts[] = {{"--yes", CLI_FLAG, yes, 0, 0, "", NULL, "do it"}};
    int n_pos = 0;
    if (!cli_parse_command(h, argc, argv, opts, 1, pos, n_want, &n_pos, exit_code)) {
        return false;
    }
    if (n_pos != n_want) {
        *exit_code = cli_usage_error(h->name, "%s", need);
        return false;
    }
    return true;
}

static const cli_help merge_help = {
    "merge-clients", "FROM INTO --yes",
    "Moves every session and assessment of the client FROM to the client INTO and removes\n"
    "FROM (a typo in a name made a second client). Without --yes it says what it would do.\n",
    NULL};

int cmd_merge_clients(int argc, char **argv)
{
    const char *cmd = "merge-clients";
    bool yes = false;
    const char *pos[2];
    int exit_code = CLI_EXIT_OK;
    if (!parse_with_yes(&merge_help, argc, argv, &yes, pos, 2,
                        "needs two clients' names: FROM and INTO", &exit_code)) {
        return exit_code;
    }
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    exit_code = CLI_EXIT_FAIL;
    const int64_t from = store_client_id(cmd, st, pos[0], false);
    const int64_t into = from > 0 ? store_client_id(cmd, st, pos[1], false) : 0;
    if (from > 0 && into > 0) {
        file_list l = {0}; /* only counted: a merge removes no file */
        const int n = bel_store_list_sessions(st, from, collect_files, &l);
        free_files(&l);
        if (from == into) {
            cli_usage_error(cmd, "FROM and INTO are the same client");
            exit_code = CLI_EXIT_USAGE;
        } else if (!yes) {
            printf("would move %d session%s (and the assessments) of '", n, n == 1 ? "" : "s");
            bel_text_put(stdout, pos[0]);
            printf("' to '");
            bel_text_put(stdout, pos[1]);
            printf("' and remove '");
            bel_text_put(stdout, pos[0]);
            printf("'; add --yes to do it\n");
        } else if (bel_store_merge_clients(st, from, into) != BEL_OK) {
            cli_fail(cmd, "%s", bel_store_get_error(st));
        } else {
            printf("merged '");
            bel_text_put(stdout, pos[0]);
            printf("' into '");
            bel_text_put(stdout, pos[1]);
            printf("' (%d session%s moved)\n", n, n == 1 ? "" : "s");
            exit_code = CLI_EXIT_OK;
        }
    }
    bel_store_destroy(st);
    return exit_code;
}

static const cli_help delete_client_help = {
    "delete-client", "NAME --yes",
    "Removes the client NAME with all their sessions, notes and assessments from the\n"
    "store, and the recording and events files bellows made for them in its sessions\n"
    "folder (a recording kept elsewhere, imported or recorded with --record PATH, stays).\n"
    "Without --yes it says what it would remove.\n",
    NULL};

int cmd_delete_client(int argc, char **argv)
{
    const char *cmd = "delete-client";
    bool yes = false;
    const char *pos[1];
    int exit_code = CLI_EXIT_OK;
    if (!parse_with_yes(&delete_client_help, argc, argv, &yes, pos, 1, "needs the client's name",
                        &exit_code)) {
        return exit_code;
    }
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    exit_code = CLI_EXIT_FAIL;
    file_list l = {0};
    const int64_t id = store_client_id(cmd, st, pos[0], false);
    const int n = id > 0 ? bel_store_list_sessions(st, id, collect_files, &l) : -1;
    if (id > 0 && (n < 0 || l.failed)) {
        cli_fail(cmd, "%s", n < 0 ? bel_store_get_error(st) : "out of memory");
    } else if (id > 0 && !yes) {
        printf("would remove '");
        bel_text_put(stdout, pos[0]);
        const size_t n_own = count_own(cmd, &l);
        printf("' with %d session%s, their notes and assessments, and %zu file%s (%zu more "
               "kept: not made by bellows); add --yes to do it\n",
               n, n == 1 ? "" : "s", n_own, n_own == 1 ? "" : "s", l.n - n_own);
    } else if (id > 0 && bel_store_delete_client(st, id) != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
    } else if (id > 0) {
        printf("removed '");
        bel_text_put(stdout, pos[0]);
        printf("' and %d session%s from the store\n", n, n == 1 ? "" : "s");
        exit_code = remove_files(cmd, st, &l) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    free_files(&l);
    bel_store_destroy(st);
    return exit_code;
}

static const cli_help delete_session_help = {
    "delete-session", "SESSION --yes",
    "Removes session SESSION (its number in 'bellows sessions') with its notes and the\n"
    "assessments taken with it from the store, and the recording and events files bellows\n"
    "made for it in its sessions folder (a recording kept elsewhere, imported or recorded\n"
    "with --record PATH, stays). Without --yes it says what it would remove.\n",
    NULL};

int cmd_delete_session(int argc, char **argv)
{
    const char *cmd = "delete-session";
    bool yes = false;
    const char *pos[1];
    int exit_code = CLI_EXIT_OK;
    static const char need[] = "needs a session id (a number from 'bellows sessions')";
    int64_t id = 0;
    if (!parse_with_yes(&delete_session_help, argc, argv, &yes, pos, 1, need, &exit_code)) {
        return exit_code;
    }
    if (!parse_id(pos[0], &id)) { /* checked before the store is opened (or made) */
        return cli_usage_error(cmd, "%s", need);
    }
    bel_store *st = store_open_for(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    exit_code = CLI_EXIT_FAIL;
    file_list l = {0};
    const int n = bel_store_get_session(st, id, collect_files, &l);
    if (n < 0 || l.failed) {
        cli_fail(cmd, "%s", n < 0 ? bel_store_get_error(st) : "out of memory");
    } else if (n == 0) {
        cli_fail(cmd, "no session %lld (see 'bellows sessions --all')", (long long)id);
    } else if (!yes) {
        struct stat dir_st;
        const bool has_dir = sessions_dir_stat(cmd, &dir_st);
        printf("would remove session %lld, its notes and assessments, and its files made by "
               "bellows:\n",
               (long long)id);
        for (size_t i = 0; i < l.n; i++) {
            const bool own = has_dir && is_in_sessions_dir(&dir_st, l.paths[i]);
            printf("  %s%s\n", l.paths[i], own ? "" : " (kept: not made by bellows)");
        }
        printf("add --yes to do it\n");
    } else if (bel_store_delete_session(st, id) != BEL_OK) {
        cli_fail(cmd, "%s", bel_store_get_error(st));
    } else {
        printf("removed session %lld from the store\n", (long long)id);
        exit_code = remove_files(cmd, st, &l) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    free_files(&l);
    bel_store_destroy(st);
    return exit_code;
}
