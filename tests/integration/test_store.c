/* test_store.c - the SQLite session store on real temp files: migration, Unicode, crashes.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "report.h"
#include "store.h"

typedef struct fixture {
    char dir[256];
    char path[320];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s/bellows_store.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    /* A directory that does not exist yet: the store must create it. */
    snprintf(f->path, sizeof f->path, "%s/data/bellows/bellows.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static bel_store *open_store(const fixture *f)
{
    bel_store *st = NULL;
    char err[BEL_STORE_ERR_LEN];
    bel_status rc = bel_store_create(f->path, &st, err, sizeof err);
    if (rc != BEL_OK) {
        fail_msg("open %s: %s", f->path, err);
    }
    return st;
}

static bel_store_metrics some_metrics(double rate_bpm)
{
    bel_store_metrics m = bel_store_metrics_unknown();
    m.duration_s = 600.0;
    m.n_breaths = 120;
    m.rate_bpm = rate_bpm;
    m.depth = 310.5;
    m.ie_ratio = 0.7;
    m.belly_share = 0.62;
    m.time_held_in_s = 42.5;
    m.n_holdins = 3;
    m.n_breath_holds = 1;
    m.pacer_score = 0.81;
    return m;
}

/* Collects what the list callbacks see (copies, since strings die with the call). */
typedef struct seen {
    int n;
    int64_t ids[16];
    char names[16][256];
    char notes[16][512];
    char status[16][16];
    char incomplete[16][64];
    bel_store_session last;
} seen;

static bool on_session(void *ctx, const bel_store_session *s)
{
    seen *v = ctx;
    if (v->n < 16) {
        v->ids[v->n] = s->id;
        snprintf(v->names[v->n], sizeof v->names[0], "%s", s->client_name ? s->client_name : "");
        snprintf(v->notes[v->n], sizeof v->notes[0], "%s", s->notes ? s->notes : "");
        snprintf(v->status[v->n], sizeof v->status[0], "%s", s->status);
        snprintf(v->incomplete[v->n], sizeof v->incomplete[0], "%s",
                 s->incomplete ? s->incomplete : "");
    }
    v->last = *s;
    v->last.client_name = NULL; /* not valid after the call */
    v->last.notes = NULL;
    v->last.status = NULL;
    v->last.recording_path = NULL;
    v->last.events_path = NULL;
    v->last.belt = NULL;
    v->last.firmware = NULL;
    v->last.pacer = NULL;
    v->last.problem = NULL;
    v->last.incomplete = NULL;
    v->n++;
    return true;
}

static bool on_client(void *ctx, const bel_store_client *c)
{
    seen *v = ctx;
    if (v->n < 16) {
        v->ids[v->n] = c->id;
        snprintf(v->names[v->n], sizeof v->names[0], "%s", c->name);
    }
    v->n++;
    return true;
}

static int64_t begin(bel_store *st, int64_t client, double start)
{
    bel_store_session_info info = {client,         start,        "simulated",         "fw 1.2",
                                   "6 per minute", "/tmp/x.csv", "/tmp/x.events.csv", false};
    int64_t id = 0;
    assert_int_equal(bel_store_begin_session(st, &info, &id), BEL_OK);
    assert_true(id > 0);
    return id;
}

static void test_store_creates_private_files(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Ann", &c), BEL_OK);
    bel_store_destroy(st);
    struct stat sb;
    char dir[400];
    snprintf(dir, sizeof dir, "%s/data/bellows", f->dir);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_store_default_dir_follows_xdg(void **state)
{
    (void)state;
    char buf[512];
    char *old_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("XDG_DATA_HOME", "/srv/data", 1);
    assert_int_equal(bel_store_default_dir(buf, sizeof buf), BEL_OK);
    assert_string_equal(buf, "/srv/data/bellows");
    setenv("XDG_DATA_HOME", "relative/not/allowed", 1);
    setenv("HOME", "/home/ann", 1);
    assert_int_equal(bel_store_default_dir(buf, sizeof buf), BEL_OK);
    assert_string_equal(buf, "/home/ann/.local/share/bellows");
    assert_int_equal(bel_store_default_dir(buf, 8), BEL_ERR_ARG);
    if (old_home) {
        setenv("HOME", old_home, 1);
        free(old_home);
    }
    if (old_xdg) {
        setenv("XDG_DATA_HOME", old_xdg, 1);
        free(old_xdg);
    } else {
        unsetenv("XDG_DATA_HOME");
    }
}

static void test_store_unicode_round_trips(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {
        "<script>alert(\"x\")</script> Ünïcødé 😀",
        "O'Brien; DROP TABLE clients; --",
        "名前 \"quoted\" & <b>bold</b>",
    };
    static const char note[] = "Felt calmer 😌\nline two: 'single' \"double\" <i>&amp;</i> ñ";
    bel_store *st = open_store(f);
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bel_store_add_client(st, names[i], &ids[i]), BEL_OK);
    }
    int64_t again = 0;
    assert_int_equal(bel_store_add_client(st, names[0], &again), BEL_OK);
    assert_true(again == ids[0]); /* the same client, not a second one */
    int64_t s = begin(st, ids[0], 1000.0);
    assert_int_equal(bel_store_add_note(st, s, note), BEL_OK);
    assert_int_equal(bel_store_add_note(st, s, "second"), BEL_OK);
    bel_store_destroy(st);

    st = open_store(f); /* from disk, not from any cache */
    seen v = {0};
    assert_int_equal(bel_store_list_clients(st, on_client, &v), 3);
    for (int i = 0; i < 3; i++) {
        int64_t id = 0;
        assert_int_equal(bel_store_find_client(st, names[i], &id), 1);
        assert_true(id == ids[i]);
        bool listed = false;
        for (int k = 0; k < 3; k++) {
            listed |= strcmp(v.names[k], names[i]) == 0;
        }
        assert_true(listed);
    }
    int64_t none = 7;
    assert_int_equal(bel_store_find_client(st, "Ünïcødé", &none), 0);
    assert_true(none == 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_get_session(st, s, on_session, &v), 1);
    assert_string_equal(v.names[0], names[0]);
    char both[600];
    snprintf(both, sizeof both, "%s\nsecond", note);
    assert_string_equal(v.notes[0], both);
    bel_store_destroy(st);
}

static void test_store_lists_in_order_with_metrics(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t a = 0;
    int64_t b = 0;
    assert_int_equal(bel_store_add_client(st, "Bea", &b), BEL_OK);
    assert_int_equal(bel_store_add_client(st, "Al", &a), BEL_OK);
    /* Begun out of time order: the list is by start time. */
    int64_t s3 = begin(st, a, 3000.0);
    int64_t s1 = begin(st, a, 1000.0);
    int64_t s2 = begin(st, b, 2000.0);
    bel_store_metrics m = some_metrics(6.5);
    assert_int_equal(bel_store_finish_session(st, s1, &m, NULL), BEL_OK);
    assert_int_equal(bel_store_finish_session(st, 999, &m, NULL), BEL_ERR_ARG);
    assert_int_equal(bel_store_add_note(st, 999, "nowhere"), BEL_ERR_ARG);

    seen v = {0};
    assert_int_equal(bel_store_list_sessions(st, 0, on_session, &v), 3);
    assert_true(v.ids[0] == s1 && v.ids[1] == s2 && v.ids[2] == s3);
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_sessions(st, a, on_session, &v), 2);
    assert_true(v.ids[0] == s1 && v.ids[1] == s3);
    assert_string_equal(v.status[0], "complete");
    assert_string_equal(v.status[1], "running"); /* our own pid is alive */

    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_get_session(st, s1, on_session, &v), 1);
    const bel_store_metrics *g = &v.last.metrics;
    assert_true(fabs(g->rate_bpm - 6.5) < 1e-9);
    assert_true(fabs(g->time_held_in_s - 42.5) < 1e-9);
    assert_true(g->n_holdins == 3 && g->n_breath_holds == 1 && g->n_breaths == 120);
    assert_true(fabs(g->pacer_score - 0.81) < 1e-9);
    assert_false(v.last.has_before);
    assert_int_equal(bel_store_get_session(st, 12345, on_session, &v), 0);

    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_clients(st, on_client, &v), 2);
    assert_string_equal(v.names[0], "Al");
    assert_string_equal(v.names[1], "Bea");
    bel_store_destroy(st);
}

static void test_store_assessments_before_and_after(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Cy", &c), BEL_OK);
    bel_store_metrics before = some_metrics(16.0);
    bel_store_metrics after = some_metrics(9.0);
    int64_t aid = 0;
    /* A "before" assessment waits for the client's next session. */
    assert_int_equal(bel_store_add_assessment(st, c, 0, BEL_STORE_BEFORE, false, 4000.0,
                                              "{\"a\":1}", &before, &aid),
                     BEL_OK);
    int64_t s = begin(st, c, 5000.0);
    assert_int_equal(
        bel_store_add_assessment(st, c, s, BEL_STORE_AFTER, false, 7000.0, "{}", &after, &aid),
        BEL_OK);
    assert_int_equal(
        bel_store_add_assessment(st, c, 777, BEL_STORE_AFTER, false, 0.0, "{}", &after, &aid),
        BEL_ERR_ARG);
    assert_true(aid == 0);
    seen v = {0};
    assert_int_equal(bel_store_get_session(st, s, on_session, &v), 1);
    assert_true(v.last.has_before && v.last.has_after);
    assert_true(fabs(v.last.before.rate_bpm - 16.0) < 1e-9);
    assert_true(fabs(v.last.after.rate_bpm - 9.0) < 1e-9);
    assert_true(v.last.before_taken_unix_s == 4000.0 && v.last.after_taken_unix_s == 7000.0);
    /* The next session does not inherit the old "before". */
    int64_t s2 = begin(st, c, 6000.0);
    assert_int_equal(bel_store_get_session(st, s2, on_session, &v), 1);
    assert_false(v.last.has_before);
    bel_store_destroy(st);
}

/* The report's first and latest assessments say when each was taken. They said the
 * session's start for both: an assessment before a session at 10:00 and one after it at
 * 11:05 both read "10:00". */
static void test_report_dates_each_assessment_when_taken(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Gil", &c), BEL_OK);
    const double t0 = 1.7e9; /* the session's start; the assessments 20 min before, 65 after */
    bel_store_metrics m = some_metrics(12.0);
    int64_t aid = 0;
    assert_int_equal(
        bel_store_add_assessment(st, c, 0, BEL_STORE_BEFORE, false, t0 - 1200.0, "{}", &m, &aid),
        BEL_OK);
    const int64_t s = begin(st, c, t0);
    assert_int_equal(
        bel_store_add_assessment(st, c, s, BEL_STORE_AFTER, false, t0 + 3900.0, "{}", &m, &aid),
        BEL_OK);
    char path[400];
    char err[BEL_STORE_ERR_LEN];
    snprintf(path, sizeof path, "%s/gil.html", f->dir);
    const bel_report_config cfg = {c, 0, t0 + 4000.0};
    assert_int_equal(bel_report_write(st, &cfg, path, err, sizeof err), BEL_OK);
    bel_store_destroy(st);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char html[1 << 16];
    html[fread(html, 1, sizeof html - 1, fp)] = '\0';
    fclose(fp);
    char want[2][64];
    const double at[2] = {t0 - 1200.0, t0 + 3900.0};
    for (int k = 0; k < 2; k++) {
        const time_t t = (time_t)at[k];
        struct tm tm;
        assert_non_null(localtime_r(&t, &tm));
        assert_true(strftime(want[k], sizeof want[k], "%Y-%m-%d %H:%M", &tm) > 0);
    }
    char head[256];
    snprintf(head, sizeof head,
             "first: before session %lld, %s</th><th>latest: after session %lld, %s", (long long)s,
             want[0], (long long)s, want[1]);
    assert_non_null(strstr(html, head));
}

/* A session whose process dies without finishing is interrupted on next open. */
static void test_store_marks_killed_session_interrupted(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Dee", &c), BEL_OK);
    bel_store_destroy(st);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        bel_store *cs = NULL;
        if (bel_store_create(f->path, &cs, NULL, 0) != BEL_OK) {
            _exit(2);
        }
        bel_store_session_info info = {c,    0.0,     "simulated",    NULL,
                                       NULL, "r.csv", "r.events.csv", false};
        int64_t id = 0;
        if (bel_store_begin_session(cs, &info, &id) != BEL_OK) {
            _exit(3);
        }
        _exit(0); /* like kill -9: no finish, no close */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    st = open_store(f);
    assert_int_equal(bel_store_get_interrupted_count(st), 1);
    seen v = {0};
    assert_int_equal(bel_store_list_sessions(st, c, on_session, &v), 1);
    assert_string_equal(v.status[0], "interrupted");
    bel_store_destroy(st);
    st = open_store(f); /* counted once */
    assert_int_equal(bel_store_get_interrupted_count(st), 0);
    bel_store_destroy(st);
}

/* A version-1 store (before assessments and hold-in metrics) written by hand. */
static const char V1_SCHEMA[] =
    "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created REAL "
    "NOT NULL);"
    "CREATE TABLE sessions (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id) "
    "ON DELETE SET NULL, start REAL NOT NULL, duration_s REAL, belt TEXT, firmware TEXT, pacer "
    "TEXT, status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', "
    "'interrupted')), pid INTEGER, recording_path TEXT, events_path TEXT, n_breaths INTEGER, "
    "rate_bpm REAL, depth REAL, ie_ratio REAL, belly_share REAL);"
    "CREATE INDEX sessions_by_client ON sessions(client_id, start);"
    "CREATE INDEX sessions_by_start ON sessions(start);"
    "CREATE INDEX sessions_by_status ON sessions(status);"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES "
    "sessions(id) ON DELETE CASCADE, created REAL NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX notes_by_session ON notes(session_id);"
    "INSERT INTO clients VALUES (1, 'Old Client é', 10.0);"
    "INSERT INTO sessions (id, client_id, start, duration_s, status, pid, recording_path, "
    "n_breaths, rate_bpm) VALUES (1, 1, 100.0, 300.0, 'complete', 1, 'old.csv', 50, 10.0);"
    "INSERT INTO notes VALUES (1, 1, 101.0, 'kept note');"
    "PRAGMA user_version = 1;";

/* Sessions and assessments of the simulated belt stay marked so; a person's do not. */
static void test_store_marks_simulated(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Sim Person", &c), BEL_OK);
    bel_store_session_info info = {c,    1000.0, "built-in simulated belt", NULL, NULL, NULL,
                                   NULL, true};
    int64_t sim_id = 0;
    assert_int_equal(bel_store_begin_session(st, &info, &sim_id), BEL_OK);
    int64_t real_id = begin(st, c, 2000.0);
    bel_store_metrics m = some_metrics(9.0);
    int64_t aid = 0;
    assert_int_equal(
        bel_store_add_assessment(st, c, sim_id, BEL_STORE_AFTER, true, 0.0, "{}", &m, &aid),
        BEL_OK);
    bel_store_destroy(st);
    st = open_store(f); /* what is on disk */
    seen v = {0};
    assert_int_equal(bel_store_get_session(st, sim_id, on_session, &v), 1);
    assert_true(v.last.is_simulated);
    assert_int_equal(bel_store_get_session(st, real_id, on_session, &v), 1);
    assert_false(v.last.is_simulated);
    bel_store_destroy(st);
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT is_simulated FROM assessments", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A session's number names it for good (a therapist's notes say "session 12"): deleting
 * the newest session, or every one, never gives its number to the next. Before, the next
 * session took one more than the highest left, the deleted one's number. */
static void test_store_never_gives_a_session_number_again(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Numbers", &c), BEL_OK);
    const int64_t a = begin(st, c, 100.0);
    const int64_t b = begin(st, c, 200.0);
    assert_int_equal(b, a + 1);
    assert_int_equal(bel_store_delete_session(st, b), BEL_OK);
    const int64_t d = begin(st, 0, 300.0);
    assert_int_equal(d, b + 1);
    bel_store_destroy(st);
    st = open_store(f); /* what is on disk */
    assert_int_equal(bel_store_delete_session(st, d), BEL_OK);
    assert_int_equal(bel_store_delete_client(st, c), BEL_OK); /* a goes with its client */
    seen v = {0};
    assert_int_equal(bel_store_get_session(st, a, on_session, &v), 0);
    assert_int_equal(begin(st, 0, 400.0), d + 1);
    bel_store_destroy(st);
}

/* The latest assessment's text for the next session: a person's, the simulated belt's
 * only when asked for. */
static void test_store_latest_assessment(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Bea", &c), BEL_OK);
    static char dummy[] = "x";
    char *json = dummy;
    double taken = 0.0;
    assert_int_equal(bel_store_get_latest_assessment(st, c, true, &json, &taken), 0);
    assert_null(json);
    bel_store_metrics m = some_metrics(8.0);
    int64_t aid = 0;
    assert_int_equal(
        bel_store_add_assessment(st, c, 0, BEL_STORE_BEFORE, false, 100.0, "{\"old\"}", &m, &aid),
        BEL_OK);
    assert_int_equal(
        bel_store_add_assessment(st, c, 0, BEL_STORE_BEFORE, false, 300.0, "{\"new\"}", &m, &aid),
        BEL_OK);
    assert_int_equal(
        bel_store_add_assessment(st, c, 0, BEL_STORE_BEFORE, true, 500.0, "{\"sim\"}", &m, &aid),
        BEL_OK);
    assert_int_equal(bel_store_get_latest_assessment(st, c, false, &json, &taken), 1);
    assert_string_equal(json, "{\"new\"}");
    assert_true(fabs(taken - 300.0) < 1e-9);
    free(json);
    assert_int_equal(bel_store_get_latest_assessment(st, c, true, &json, &taken), 1);
    assert_string_equal(json, "{\"sim\"}");
    free(json);
    bel_store_destroy(st);
}

typedef struct got_findings {
    int n;
    bel_store_findings f;
    char areas[BEL_STORE_MAX_PAIN][BEL_STORE_AREA_LEN];
    char notes[256];
} got_findings;

static void on_findings(void *ctx, const bel_store_findings *f)
{
    got_findings *g = ctx;
    g->n++;
    g->f = *f;
    for (int i = 0; i < f->n_pain; i++) {
        snprintf(g->areas[i], sizeof g->areas[i], "%s", f->pain[i].area);
        g->f.pain[i].area = g->areas[i];
    }
    snprintf(g->notes, sizeof g->notes, "%s", f->notes ? f->notes : "(none)");
    g->f.notes = g->notes;
}

/* The therapist's findings round-trip with their assessment; bad ones are refused whole. */
static void test_store_findings(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t c = 0;
    assert_int_equal(bel_store_add_client(st, "Cleo", &c), BEL_OK);
    bel_store_metrics m = some_metrics(8.0);
    int64_t aid = 0;
    assert_int_equal(
        bel_store_add_assessment(st, c, 0, BEL_STORE_BEFORE, false, 0.0, "{}", &m, &aid), BEL_OK);
    got_findings g = {0};
    assert_int_equal(bel_store_get_findings(st, aid, on_findings, &g), 1); /* none yet */
    assert_int_equal(g.f.n_pain, 0);
    assert_int_equal(g.f.thomas[0], BEL_STORE_THOMAS_NOT_DONE);
    assert_string_equal(g.notes, "(none)");

    bel_store_findings in = bel_store_findings_none();
    in.n_pain = 3;
    in.pain[0].area = bel_store_pain_area_name(BEL_STORE_PAIN_LOW_BACK);
    in.pain[0].score = 6.0;
    in.pain[1].area = "épaule gauche";
    in.pain[1].score = 2.5;
    in.pain[2].area = bel_store_pain_area_name(BEL_STORE_PAIN_BUTTOCKS);
    in.pain[2].score = 0.0;
    in.thomas[0] = BEL_STORE_THOMAS_TIGHT;
    in.thomas_deg[0] = 15.0;
    in.thomas[1] = BEL_STORE_THOMAS_PASS;
    in.notes = "'; DROP TABLE pain; --";
    assert_int_equal(bel_store_set_findings(st, aid, &in), BEL_OK);
    bel_store_destroy(st);
    st = open_store(f);
    memset(&g, 0, sizeof g);
    assert_int_equal(bel_store_get_findings(st, aid, on_findings, &g), 1);
    assert_int_equal(g.f.n_pain, 3);
    assert_string_equal(g.f.pain[0].area, "low back");
    assert_true(fabs(g.f.pain[0].score - 6.0) < 1e-12);
    assert_string_equal(g.f.pain[1].area, "épaule gauche");
    assert_true(fabs(g.f.pain[1].score - 2.5) < 1e-12);
    assert_string_equal(g.f.pain[2].area, "buttocks and sacrum");
    assert_int_equal(g.f.thomas[0], BEL_STORE_THOMAS_TIGHT);
    assert_true(fabs(g.f.thomas_deg[0] - 15.0) < 1e-12);
    assert_int_equal(g.f.thomas[1], BEL_STORE_THOMAS_PASS);
    assert_true(isnan(g.f.thomas_deg[1]));
    assert_string_equal(g.notes, "'; DROP TABLE pain; --");

    /* Refused whole: a score over 10, the same area twice, no such assessment. */
    bel_store_findings bad = in;
    bad.pain[1].score = 10.5;
    assert_int_equal(bel_store_set_findings(st, aid, &bad), BEL_ERR_ARG);
    bad = in;
    bad.pain[2].area = "low back";
    assert_int_equal(bel_store_set_findings(st, aid, &bad), BEL_ERR_ARG);
    assert_int_equal(bel_store_set_findings(st, aid + 100, &in), BEL_ERR_ARG);
    memset(&g, 0, sizeof g);
    assert_int_equal(bel_store_get_findings(st, aid, on_findings, &g), 1);
    assert_int_equal(g.f.n_pain, 3); /* unchanged */
    assert_int_equal(bel_store_get_findings(st, aid + 100, on_findings, &g), 0);
    /* Replaced, not added to. */
    bel_store_findings less = bel_store_findings_none();
    less.n_pain = 1;
    less.pain[0].area = "hips";
    less.pain[0].score = 1.0;
    assert_int_equal(bel_store_set_findings(st, aid, &less), BEL_OK);
    memset(&g, 0, sizeof g);
    assert_int_equal(bel_store_get_findings(st, aid, on_findings, &g), 1);
    assert_int_equal(g.f.n_pain, 1);
    assert_int_equal(g.f.thomas[0], BEL_STORE_THOMAS_NOT_DONE);
    /* The session list gives the assessment's id to find them by. */
    int64_t s = begin(st, c, 9000.0);
    seen v = {0};
    assert_int_equal(bel_store_get_session(st, s, on_session, &v), 1);
    assert_true(v.last.has_before);
    assert_int_equal(v.last.before_id, aid);
    assert_int_equal(v.last.after_id, 0);
    bel_store_destroy(st);
}

/* Corrections: incomplete sessions, own sessions, rename, merge, delete (all or nothing). */
static void test_store_corrections(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t ann = 0;
    int64_t typo = 0;
    assert_int_equal(bel_store_add_client(st, "Ann", &ann), BEL_OK);
    assert_int_equal(bel_store_add_client(st, "Anm", &typo), BEL_OK);
    int64_t own = begin(st, 0, 100.0);
    int64_t s1 = begin(st, ann, 200.0);
    int64_t s2 = begin(st, typo, 300.0);
    bel_store_metrics m = some_metrics(9.0);
    int64_t aid = 0;
    assert_int_equal(
        bel_store_add_assessment(st, typo, s2, BEL_STORE_AFTER, false, 0.0, "{}", &m, &aid),
        BEL_OK);
    assert_int_equal(bel_store_set_incomplete(st, own, "shorter than a minute (12 s)"), BEL_OK);
    assert_int_equal(bel_store_set_incomplete(st, 999, "x"), BEL_ERR_ARG);
    seen v = {0};
    assert_int_equal(bel_store_list_sessions(st, BEL_STORE_OWN, on_session, &v), 1);
    assert_int_equal(v.ids[0], own);
    assert_string_equal(v.incomplete[0], "shorter than a minute (12 s)");
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_sessions(st, 0, on_session, &v), 3);

    assert_int_equal(bel_store_rename_client(st, typo, "Ann"), BEL_ERR_ARG); /* taken */
    assert_int_equal(bel_store_rename_client(st, typo, "Anne"), BEL_OK);
    assert_int_equal(bel_store_merge_clients(st, typo, typo), BEL_ERR_ARG);
    assert_int_equal(bel_store_merge_clients(st, typo, 999), BEL_ERR_ARG);
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_sessions(st, typo, on_session, &v), 1); /* unchanged */
    assert_int_equal(bel_store_merge_clients(st, typo, ann), BEL_OK);
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_sessions(st, ann, on_session, &v), 2);
    assert_true(v.last.has_after); /* the assessment moved with its session */
    int64_t id = 0;
    assert_int_equal(bel_store_find_client(st, "Anne", &id), 0);

    assert_int_equal(bel_store_add_note(st, s2, "a note"), BEL_OK);
    assert_int_equal(bel_store_delete_session(st, s2), BEL_OK);
    assert_int_equal(bel_store_delete_session(st, s2), BEL_ERR_ARG);
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_sessions(st, ann, on_session, &v), 1);
    assert_int_equal(v.ids[0], s1);
    assert_int_equal(bel_store_delete_client(st, ann), BEL_OK);
    assert_int_equal(bel_store_delete_client(st, ann), BEL_ERR_ARG);
    memset(&v, 0, sizeof v);
    assert_int_equal(bel_store_list_sessions(st, 0, on_session, &v), 1); /* only the own one */
    bel_store_destroy(st);
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT count(*) FROM assessments) + (SELECT "
                                        "count(*) FROM notes) + (SELECT count(*) FROM clients)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0); /* nothing left behind */
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Names match up to case, accents and spaces; a near miss is offered, nothing else. */
static void test_store_match_client(void **state)
{
    fixture *f = *state;
    bel_store *st = open_store(f);
    int64_t anna = 0;
    int64_t bo = 0;
    assert_int_equal(bel_store_add_client(st, "Ánna Müller", &anna), BEL_OK);
    assert_int_equal(bel_store_add_client(st, "Bo", &bo), BEL_OK);
    int64_t id = 0;
    char matched[64];
    char near[64];
    static const char *const same[] = {"Ánna Müller", "anna muller", "  ANNA   MÜLLER ",
                                       "Anna Muller"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        assert_int_equal(
            bel_store_match_client(st, same[i], &id, matched, sizeof matched, near, sizeof near),
            1);
        assert_int_equal(id, anna);
        assert_string_equal(matched, "Ánna Müller");
    }
    assert_int_equal(
        bel_store_match_client(st, "Ana Mullr", &id, matched, sizeof matched, near, sizeof near),
        0);
    assert_int_equal(id, 0);
    assert_string_equal(near, "Ánna Müller"); /* two typing errors away */
    assert_int_equal(
        bel_store_match_client(st, "Carla", &id, matched, sizeof matched, near, sizeof near), 0);
    assert_string_equal(near, ""); /* nothing close */
    /* The exact name wins over a folded one. */
    int64_t lower = 0;
    assert_int_equal(bel_store_add_client(st, "bo", &lower), BEL_OK);
    assert_int_equal(bel_store_match_client(st, "bo", &id, NULL, 0, NULL, 0), 1);
    assert_int_equal(id, lower);
    assert_int_equal(bel_store_match_client(st, "Bo", &id, NULL, 0, NULL, 0), 1);
    assert_int_equal(id, bo);
    bel_store_destroy(st);
}

static void test_store_migrates_version_1(void **state)
{
    fixture *f = *state;
    char dir[400];
    snprintf(dir, sizeof dir, "%s/data", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(dir, sizeof dir, "%s/data/bellows", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V1_SCHEMA, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    bel_store *st = open_store(f);
    seen v = {0};
    assert_int_equal(bel_store_list_sessions(st, 0, on_session, &v), 1);
    assert_string_equal(v.names[0], "Old Client é");
    assert_string_equal(v.notes[0], "kept note");
    assert_string_equal(v.status[0], "complete");
    assert_true(fabs(v.last.metrics.rate_bpm - 10.0) < 1e-9);
    assert_true(isnan(v.last.metrics.time_held_in_s)); /* new column, unknown for old rows */
    assert_false(v.last.is_simulated);                 /* old rows were of people */
    /* The new parts work on the migrated store. */
    bel_store_metrics m = some_metrics(7.0);
    int64_t aid = 0;
    assert_int_equal(
        bel_store_add_assessment(st, 1, 1, BEL_STORE_AFTER, false, 200.0, "{}", &m, &aid), BEL_OK);
    assert_int_equal(bel_store_finish_session(st, 1, &m, "disk full"), BEL_OK);
    assert_int_equal(begin(st, 1, 300.0), 2); /* numbers go on from the old store's */
    bel_store_destroy(st);

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), BEL_STORE_SCHEMA_VERSION);
    sqlite3_finalize(q);
    /* A store from a newer bellows is refused, not damaged. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char err[BEL_STORE_ERR_LEN];
    assert_int_equal(bel_store_create(f->path, &st, err, sizeof err), BEL_ERR_FORMAT);
    assert_null(st);
    assert_non_null(strstr(err, "newer bellows"));
}

static void test_store_refuses_a_file_that_is_not_a_store(void **state)
{
    fixture *f = *state;
    char p[400];
    snprintf(p, sizeof p, "%s/junk.db", f->dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++) {
        fputs("this is not a database at all\n", fp);
    }
    fclose(fp);
    bel_store *st = NULL;
    char err[BEL_STORE_ERR_LEN];
    assert_true(bel_store_create(p, &st, err, sizeof err) < 0);
    assert_null(st);
    assert_non_null(strstr(err, "junk.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_creates_private_files, setup, teardown),
        cmocka_unit_test(test_store_default_dir_follows_xdg),
        cmocka_unit_test_setup_teardown(test_store_unicode_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_lists_in_order_with_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_assessments_before_and_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_marks_killed_session_interrupted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_marks_simulated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_never_gives_a_session_number_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report_dates_each_assessment_when_taken, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_latest_assessment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_findings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_corrections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_match_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_migrates_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_a_file_that_is_not_a_store, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
