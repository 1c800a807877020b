/* store.c - the session store in SQLite: schema migrations, parameterised statements.
 * SPDX-License-Identifier: MIT */
#include "store.h"

#include "outfile.h"
#include "privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

struct bel_store {
    sqlite3 *db;
    char *path;
    int n_interrupted;
    char err[BEL_STORE_ERR_LEN];
};

/* Migrations in order: MIGRATIONS[v] takes a database from version v to v + 1.
 * Never edit a released step; add a new one and raise BEL_STORE_SCHEMA_VERSION. */
static const char *const MIGRATIONS[BEL_STORE_SCHEMA_VERSION] = {
    /* 0 -> 1: clients, sessions with their first metrics, notes. */
    "CREATE TABLE clients ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created REAL NOT NULL);"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  client_id INTEGER REFERENCES clients(id) ON DELETE SET NULL,"
    "  start REAL NOT NULL,"
    "  duration_s REAL,"
    "  belt TEXT, firmware TEXT, pacer TEXT,"
    "  status TEXT NOT NULL DEFAULT 'running'"
    "    CHECK (status IN ('running', 'complete', 'interrupted')),"
    "  pid INTEGER,"
    "  recording_path TEXT, events_path TEXT,"
    "  n_breaths INTEGER, rate_bpm REAL, depth REAL, ie_ratio REAL, belly_share REAL);"
    "CREATE INDEX sessions_by_client ON sessions(client_id, start);"
    "CREATE INDEX sessions_by_start ON sessions(start);"
    "CREATE INDEX sessions_by_status ON sessions(status);"
    "CREATE TABLE notes ("
    "  id INTEGER PRIMARY KEY,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  created REAL NOT NULL,"
    "  text TEXT NOT NULL);"
    "CREATE INDEX notes_by_session ON notes(session_id);",
    /* 1 -> 2: hold-in metrics, pacer score, recording problems, assessments. */
    "ALTER TABLE sessions ADD COLUMN time_held_in_s REAL;"
    "ALTER TABLE sessions ADD COLUMN n_holdins INTEGER;"
    "ALTER TABLE sessions ADD COLUMN n_breath_holds INTEGER;"
    "ALTER TABLE sessions ADD COLUMN pacer_score REAL;"
    "ALTER TABLE sessions ADD COLUMN problem TEXT;"
    "CREATE TABLE assessments ("
    "  id INTEGER PRIMARY KEY,"
    "  client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,"
    "  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('before', 'after')),"
    "  taken REAL NOT NULL,"
    "  json TEXT,"
    "  duration_s REAL, n_breaths INTEGER, rate_bpm REAL, depth REAL, ie_ratio REAL,"
    "  belly_share REAL, time_held_in_s REAL, n_holdins INTEGER, n_breath_holds INTEGER,"
    "  pacer_score REAL);"
    "CREATE INDEX assessments_by_session ON assessments(session_id, kind, taken);"
    "CREATE INDEX assessments_by_client ON assessments(client_id, session_id);",
    /* 2 -> 3: sessions and assessments of the simulated belt are marked as such. */
    "ALTER TABLE sessions ADD COLUMN is_simulated INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE assessments ADD COLUMN is_simulated INTEGER NOT NULL DEFAULT 0;",
    /* 3 -> 4: the therapist's findings with an assessment: pain per area, the psoas
     * length test per side, notes. */
    "ALTER TABLE assessments ADD COLUMN thomas_left TEXT CHECK (thomas_left IN ('pass', 'tight'));"
    "ALTER TABLE assessments ADD COLUMN thomas_left_deg REAL;"
    "ALTER TABLE assessments ADD COLUMN thomas_right TEXT "
    "CHECK (thomas_right IN ('pass', 'tight'));"
    "ALTER TABLE assessments ADD COLUMN thomas_right_deg REAL;"
    "ALTER TABLE assessments ADD COLUMN findings_notes TEXT;"
    "CREATE TABLE pain ("
    "  id INTEGER PRIMARY KEY,"
    "  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,"
    "  area TEXT NOT NULL,"
    "  score REAL NOT NULL CHECK (score >= 0 AND score <= 10),"
    "  UNIQUE (assessment_id, area));",
    /* 4 -> 5: sessions too short or stopped early say so. */
    "ALTER TABLE sessions ADD COLUMN incomplete TEXT;",
    /* 5 -> 6: a session's number is never given again. A rowid is one more than the
     * highest there, so deleting the newest session gave its number to the next one,
     * and a therapist's "session 12" named another session. The highest number ever
     * given is kept, and a new session takes the one after it. */
    "CREATE TABLE numbers_given (what TEXT PRIMARY KEY, last_id INTEGER NOT NULL);"
    "INSERT INTO numbers_given SELECT 'sessions', coalesce(max(id), 0) FROM sessions;"
    "CREATE TRIGGER sessions_number_given AFTER INSERT ON sessions BEGIN "
    "  UPDATE numbers_given SET last_id = max(last_id, NEW.id) WHERE what = 'sessions';"
    "END;",
};

/* The metrics columns, in bel_store_metrics order, for sessions and assessments. */
#define METRIC_COLS                                                                                \
    "duration_s, n_breaths, rate_bpm, depth, ie_ratio, belly_share, time_held_in_s, n_holdins, "   \
    "n_breath_holds, pacer_score"
enum { N_METRIC_COLS = 10 };

static void set_err(bel_store *st, const char *fmt, ...) BEL_PRINTF_LIKE(2, 3);

static void set_err(bel_store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
}

/* Record SQLite's message for what just failed; returns BEL_ERR_IO. */
static bel_status db_fail(bel_store *st, const char *what)
{
    /* A full disk reaches SQLite as a short write (SQLITE_FULL) or as a failed one
     * (an I/O error, "disk I/O error"): either way, say what the person can act on. */
    const int code = sqlite3_extended_errcode(st->db) & 0xff;
    if (code == SQLITE_FULL || sqlite3_system_errno(st->db) == ENOSPC) {
        set_err(st, "%s: %s: no space left on the disk (SQLite: %s)", st->path, what,
                sqlite3_errmsg(st->db));
    } else {
        set_err(st, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
    }
    return BEL_ERR_IO;
}

static double now_unix_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bel_store_metrics bel_store_metrics_unknown(void)
{
    bel_store_metrics m;
    m.duration_s = NAN;
    m.n_breaths = -1;
    m.rate_bpm = NAN;
    m.depth = NAN;
    m.ie_ratio = NAN;
    m.belly_share = NAN;
    m.time_held_in_s = NAN;
    m.n_holdins = -1;
    m.n_breath_holds = -1;
    m.pacer_score = NAN;
    return m;
}

bel_store_metrics bel_store_metrics_from_summary(const bel_summary *s)
{
    bel_store_metrics m = bel_store_metrics_unknown();
    m.duration_s = s->duration_s;
    m.n_breaths = (int64_t)s->n_breaths;
    m.rate_bpm = (double)s->rate_bpm;
    m.depth = (double)s->depth;
    m.ie_ratio = (double)s->ie_ratio;
    m.belly_share = (double)s->belly_share;
    m.time_held_in_s = s->time_held_in_s;
    m.n_holdins = (int64_t)s->n_holdins;
    m.n_breath_holds = (int64_t)s->n_breath_holds;
    return m;
}

/* ---- binding and reading columns ---- */

static int bind_num(sqlite3_stmt *q, int i, double v)
{
    return isfinite(v) ? sqlite3_bind_double(q, i, v) : sqlite3_bind_null(q, i);
}

static int bind_count(sqlite3_stmt *q, int i, int64_t v)
{
    return v >= 0 ? sqlite3_bind_int64(q, i, v) : sqlite3_bind_null(q, i);
}

static int bind_text(sqlite3_stmt *q, int i, const char *s)
{
    return s ? sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q, i);
}

/* Bind the metrics to parameters first .. first + N_METRIC_COLS - 1. */
static int bind_metrics(sqlite3_stmt *q, int first, const bel_store_metrics *m)
{
    int rc = bind_num(q, first, m->duration_s);
    rc = rc ? rc : bind_count(q, first + 1, m->n_breaths);
    rc = rc ? rc : bind_num(q, first + 2, m->rate_bpm);
    rc = rc ? rc : bind_num(q, first + 3, m->depth);
    rc = rc ? rc : bind_num(q, first + 4, m->ie_ratio);
    rc = rc ? rc : bind_num(q, first + 5, m->belly_share);
    rc = rc ? rc : bind_num(q, first + 6, m->time_held_in_s);
    rc = rc ? rc : bind_count(q, first + 7, m->n_holdins);
    rc = rc ? rc : bind_count(q, first + 8, m->n_breath_holds);
    rc = rc ? rc : bind_num(q, first + 9, m->pacer_score);
    return rc;
}

static double col_num(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? (double)NAN : sqlite3_column_double(q, i);
}

static int64_t col_count(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, i);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NULL
                                                    : (const char *)sqlite3_column_text(q, i);
}

static bel_store_metrics col_metrics(sqlite3_stmt *q, int first)
{
    bel_store_metrics m;
    m.duration_s = col_num(q, first);
    m.n_breaths = col_count(q, first + 1);
    m.rate_bpm = col_num(q, first + 2);
    m.depth = col_num(q, first + 3);
    m.ie_ratio = col_num(q, first + 4);
    m.belly_share = col_num(q, first + 5);
    m.time_held_in_s = col_num(q, first + 6);
    m.n_holdins = col_count(q, first + 7);
    m.n_breath_holds = col_count(q, first + 8);
    m.pacer_score = col_num(q, first + 9);
    return m;
}

static bel_status prepare(bel_store *st, const char *sql, sqlite3_stmt **q)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK) {
        *q = NULL;
        return db_fail(st, "cannot prepare a statement");
    }
    return BEL_OK;
}

static bel_status exec(bel_store *st, const char *sql, const char *what)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return db_fail(st, what);
    }
    return BEL_OK;
}

/* ---- opening ---- */

bel_status bel_store_default_dir(char *buf, size_t len)
{
    if (!buf || len == 0) {
        return BEL_ERR_ARG;
    }
    buf[0] = '\0';
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/') {
        n = snprintf(buf, len, "%s/bellows", xdg);
    } else if (home && home[0] != '\0') {
        n = snprintf(buf, len, "%s/.local/share/bellows", home);
    } else {
        return BEL_ERR_ARG;
    }
    if (n < 0 || (size_t)n >= len) {
        buf[0] = '\0';
        return BEL_ERR_ARG;
    }
    return BEL_OK;
}

/* mkdir -p for the directory part of path, new directories 0700 (privacy.h). */
static bel_status make_parent_dirs(bel_store *st, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) {
        return BEL_OK;
    }
    size_t len = (size_t)(slash - path);
    char *dir = malloc(len + 1);
    if (!dir) {
        return BEL_ERR_NOMEM;
    }
    memcpy(dir, path, len);
    dir[len] = '\0';
    char msg[BEL_STORE_ERR_LEN];
    bel_status rc = bel_privacy_make_dirs(dir, msg, sizeof msg);
    if (rc == BEL_ERR_IO) {
        set_err(st, "%s", msg);
    }
    free(dir);
    return rc;
}

static int read_user_version(bel_store *st)
{
    sqlite3_stmt *q = NULL;
    if (prepare(st, "PRAGMA user_version", &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    int v = BEL_ERR_IO;
    if (sqlite3_step(q) == SQLITE_ROW) {
        v = sqlite3_column_int(q, 0);
    } else {
        db_fail(st, "cannot read the schema version");
    }
    sqlite3_finalize(q);
    return v;
}

/* Bring the schema to BEL_STORE_SCHEMA_VERSION, one step per transaction. The
 * version is re-read inside the transaction, so two processes opening a new store
 * at once do not both migrate. */
static bel_status migrate(bel_store *st)
{
    for (;;) {
        if (exec(st, "BEGIN IMMEDIATE", "cannot lock the store to update it") != BEL_OK) {
            return BEL_ERR_IO;
        }
        int v = read_user_version(st);
        if (v < 0) {
            goto fail;
        }
        if (v > BEL_STORE_SCHEMA_VERSION) {
            set_err(st,
                    "%s: written by a newer bellows (schema %d, this one knows %d); update "
                    "bellows",
                    st->path, v, BEL_STORE_SCHEMA_VERSION);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return BEL_ERR_FORMAT;
        }
        if (v == BEL_STORE_SCHEMA_VERSION) {
            return exec(st, "COMMIT", "cannot commit");
        }
        char what[64];
        snprintf(what, sizeof what, "cannot update the schema from version %d", v);
        if (exec(st, MIGRATIONS[v], what) != BEL_OK) {
            goto fail;
        }
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (exec(st, sql, "cannot set the schema version") != BEL_OK ||
            exec(st, "COMMIT", "cannot commit the schema update") != BEL_OK) {
            goto fail;
        }
    }
fail:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return BEL_ERR_IO;
}

static bool process_is_gone(int64_t pid)
{
    if (pid <= 0 || pid > INT32_MAX) {
        return true;
    }
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Sessions left "running" by a process that no longer exists were cut short
 * (kill -9, crash, power loss): mark them, keep everything else. */
static bel_status mark_interrupted(bel_store *st)
{
    sqlite3_stmt *sel = NULL;
    sqlite3_stmt *upd = NULL;
    bel_status rc = prepare(st, "SELECT id, pid FROM sessions WHERE status = 'running'", &sel);
    if (rc == BEL_OK) {
        rc = prepare(st,
                     "UPDATE sessions SET status = 'interrupted' WHERE id = ?1 AND status = "
                     "'running'",
                     &upd);
    }
    while (rc == BEL_OK) {
        int step = sqlite3_step(sel);
        if (step == SQLITE_DONE) {
            break;
        }
        if (step != SQLITE_ROW) {
            rc = db_fail(st, "cannot look for interrupted sessions");
            break;
        }
        int64_t id = sqlite3_column_int64(sel, 0);
        int64_t pid = col_count(sel, 1);
        if (!process_is_gone(pid)) {
            continue;
        }
        sqlite3_reset(upd);
        sqlite3_bind_int64(upd, 1, id);
        if (sqlite3_step(upd) != SQLITE_DONE) {
            rc = db_fail(st, "cannot mark an interrupted session");
            break;
        }
        st->n_interrupted += sqlite3_changes(st->db);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return rc;
}

/* What a store file must be before SQLite may touch it: not empty (an empty file is
 * not a new store: whatever was there is gone, and saying nothing would lose it for
 * good) and an SQLite database. 1: it is, 0: there is no file, or a negative status. */
static int check_file(bel_store *st)
{
    int fd = open(st->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return 0;
        }
        set_err(st, "%s: cannot open the store: %s", st->path, strerror(errno));
        return BEL_ERR_IO;
    }
    struct stat sb;
    char head[16];
    ssize_t got = -1;
    if (fstat(fd, &sb) == 0) {
        got = read(fd, head, sizeof head);
    }
    const int why = errno;
    close(fd);
    if (got < 0) {
        set_err(st, "%s: cannot read the store: %s", st->path, strerror(why));
        return BEL_ERR_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_err(st, "%s: not a file; move it away or set XDG_DATA_HOME", st->path);
        return BEL_ERR_FORMAT;
    }
    if (sb.st_size == 0) {
        set_err(st,
                "%s: the store is an empty file (0 bytes), so its sessions are not there; it "
                "was left as it is: restore it from a backup, or move it away to start a new "
                "store",
                st->path);
        return BEL_ERR_FORMAT;
    }
    if (got != (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
        set_err(st,
                "%s: not a bellows store (not an SQLite database); it was left as it is: move "
                "it away or set XDG_DATA_HOME",
                st->path);
        return BEL_ERR_FORMAT;
    }
    return 1;
}

/* The open database is a bellows store (or an empty database), and SQLite finds it
 * sound. Reads only: a foreign or damaged file is left exactly as it was. */
static bel_status check_database(bel_store *st)
{
    sqlite3_stmt *q = NULL;
    char verdict[200] = "";
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &q, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        snprintf(verdict, sizeof verdict, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK || strcmp(verdict, "ok") != 0) {
        const int code = rc != SQLITE_OK ? sqlite3_extended_errcode(st->db) : SQLITE_CORRUPT;
        sqlite3_finalize(q);
        if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_CANTOPEN ||
            (code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_READONLY) {
            db_fail(st, "cannot read the store");
            return BEL_ERR_IO;
        }
        set_err(st,
                "%s: the store is damaged (SQLite: %s); it was left as it is: restore it from a "
                "backup ('bellows store check' says more)",
                st->path, verdict[0] ? verdict : sqlite3_errmsg(st->db));
        return BEL_ERR_FORMAT;
    }
    sqlite3_finalize(q);
    int v = read_user_version(st);
    if (v < 0) {
        return BEL_ERR_IO;
    }
    q = NULL;
    int n_tables = -1;
    int n_ours = 0;
    if (prepare(st,
                "SELECT count(*), coalesce(sum(name IN ('clients', 'sessions')), 0) FROM "
                "sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    if (sqlite3_step(q) == SQLITE_ROW) {
        n_tables = sqlite3_column_int(q, 0);
        n_ours = sqlite3_column_int(q, 1);
    }
    sqlite3_finalize(q);
    if (n_tables < 0) {
        return db_fail(st, "cannot read the store's tables");
    }
    /* An empty database (a new store cut short before its tables) holds nothing to lose. */
    const bool is_empty = v == 0 && n_tables == 0;
    if (!is_empty && !(v >= 1 && n_ours == 2)) {
        set_err(st,
                "%s: an SQLite database, but not a bellows store; it was left as it is: move "
                "it away or set XDG_DATA_HOME",
                st->path);
        return BEL_ERR_FORMAT;
    }
    return BEL_OK;
}

/* A new store is made under a temporary name and linked into place complete, so no
 * process ever sees a half-made one (an empty file would be refused). It is made with a
 * rollback journal, not the WAL every later open switches to: each commit then lands in
 * the file itself or fails, said. In WAL mode the commits landed in the WAL, the
 * checkpoint at close failed unsaid on a nearly full disk, and removing the temporary
 * name's WAL left a store SQLite calls malformed in place of a new one. */
static bel_status make_new_store(bel_store *st)
{
    size_t n = strlen(st->path) + 48;
    char *tmp = malloc(n);
    if (!tmp) {
        return BEL_ERR_NOMEM;
    }
    snprintf(tmp, n, "%s.new-%ld", st->path, (long)getpid());
    char msg[BEL_STORE_ERR_LEN];
    unlink(tmp); /* our own leftover, from a pid long gone */
    int fd = bel_privacy_open(tmp, true, msg, sizeof msg);
    if (fd < 0) {
        set_err(st, "%s", msg);
        free(tmp);
        return BEL_ERR_IO;
    }
    close(fd);
    bel_status rc = BEL_ERR_IO;
    char *const final_path = st->path;
    st->path = tmp; /* messages name the file being made */
    if (sqlite3_open_v2(tmp, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        db_fail(st, "cannot make a new store");
    } else {
        sqlite3_extended_result_codes(st->db, 1);
        rc = migrate(st);
    }
    if (sqlite3_close(st->db) != SQLITE_OK && rc == BEL_OK) {
        db_fail(st, "cannot close the new store");
        rc = BEL_ERR_IO;
    }
    st->db = NULL;
    st->path = final_path;
    if (rc == BEL_OK && link(tmp, final_path) != 0 && errno != EEXIST) {
        set_err(st, "%s: cannot create: %s", final_path, strerror(errno));
        rc = BEL_ERR_IO;
    }
    /* EEXIST: another process made it first; theirs is used. */
    unlink(tmp);
    snprintf(tmp, n, "%s.new-%ld-wal", final_path, (long)getpid());
    unlink(tmp);
    snprintf(tmp, n, "%s.new-%ld-shm", final_path, (long)getpid());
    unlink(tmp);
    snprintf(tmp, n, "%s.new-%ld-journal", final_path, (long)getpid());
    unlink(tmp);
    free(tmp);
    return rc;
}

/* SQLite URI for path opened immutable (a store on a read-only medium, where SQLite
 * cannot make the WAL index): '%', '?' and '#' escaped. */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *uri = malloc(3 * n + 32);
    if (!uri) {
        return NULL;
    }
    char *o = uri + sprintf(uri, "file:");
    for (const char *c = path; *c; c++) {
        if (*c == '%' || *c == '?' || *c == '#') {
            o += sprintf(o, "%%%02X", (unsigned)(unsigned char)*c);
        } else {
            *o++ = *c;
        }
    }
    strcpy(o, "?immutable=1");
    return uri;
}

/* Can this process write path and the folder it is in (not a read-only disk)? */
static bool parent_is_writable(const char *path)
{
    if (access(path, W_OK) != 0) {
        return false;
    }
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return access(".", W_OK) == 0;
    }
    char dir[4096];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir) {
        return false;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    return access(n ? dir : "/", W_OK) == 0;
}

static bel_status open_store(const char *path, bool is_read_only, bel_store **out, char *err,
                             size_t err_len)
{
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    bel_status rc = BEL_ERR_NOMEM;
    bel_store *st = calloc(1, sizeof *st);
    if (!st) {
        goto fail;
    }
    if (path) {
        st->path = strdup(path);
    } else {
        char dir[4096];
        if (bel_store_default_dir(dir, sizeof dir - 16) != BEL_OK) {
            set_err(st, "no data directory: set HOME or XDG_DATA_HOME");
            rc = BEL_ERR_ARG;
            goto fail;
        }
        size_t n = strlen(dir) + sizeof "/bellows.db";
        st->path = malloc(n);
        if (st->path) {
            snprintf(st->path, n, "%s/bellows.db", dir);
        }
    }
    if (!st->path) {
        goto fail;
    }
    if (st->path[0] == '\0') {
        set_err(st, "empty store path");
        rc = BEL_ERR_ARG;
        goto fail;
    }
    int there = check_file(st);
    if (there < 0) {
        rc = (bel_status)there;
        goto fail;
    }
    if (there == 0 && is_read_only) {
        set_err(st, "%s: no store there yet", st->path);
        rc = BEL_ERR_IO;
        goto fail;
    }
    if (there == 0) {
        rc = make_parent_dirs(st, st->path);
        if (rc == BEL_OK) {
            rc = make_new_store(st);
        }
        if (rc != BEL_OK) {
            goto fail;
        }
    }
    rc = BEL_ERR_IO;
    /* No SQLITE_OPEN_CREATE: the file is there, checked; SQLite must not make another.
     * Reading only where the store could be written: a read-write connection that may
     * only query (PRAGMA query_only), so that closing it tidies the WAL files away as
     * usual; a read-only connection would leave them behind. */
    const bool is_writable = !is_read_only || parent_is_writable(st->path);
    int flags = is_writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    int orc = sqlite3_open_v2(st->path, &st->db, flags, NULL);
    if (orc == SQLITE_OK && is_read_only && is_writable &&
        sqlite3_exec(st->db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK) {
        orc = SQLITE_ERROR;
    }
    if (orc == SQLITE_OK && !is_writable &&
        sqlite3_exec(st->db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL) !=
            SQLITE_OK) {
        /* On a read-only medium SQLite cannot make the WAL index: nothing can change the
         * file there, so it may be read as immutable. */
        char *uri = immutable_uri(st->path);
        sqlite3_close(st->db);
        st->db = NULL;
        orc = uri ? sqlite3_open_v2(uri, &st->db, flags | SQLITE_OPEN_URI, NULL) : SQLITE_NOMEM;
        free(uri);
    }
    if (orc != SQLITE_OK) {
        if (st->db) {
            db_fail(st, "cannot open");
        } else {
            set_err(st, "%s: cannot open (out of memory)", st->path);
        }
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    /* Before anything is written (the WAL switch writes the header): ours, and sound. */
    rc = check_database(st);
    if (rc != BEL_OK) {
        goto fail;
    }
    if (is_read_only) {
        *out = st;
        return BEL_OK;
    }
    rc = BEL_ERR_IO;
    if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(st, "cannot use the store (is it on a read-only disk?)");
        goto fail;
    }
    if (exec(st, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
             "cannot configure the store") != BEL_OK) {
        goto fail;
    }
    rc = migrate(st);
    if (rc == BEL_OK) {
        rc = mark_interrupted(st);
    }
    if (rc != BEL_OK) {
        goto fail;
    }
    *out = st;
    return BEL_OK;

fail:
    if (err && err_len) {
        snprintf(err, err_len, "%s", st && st->err[0] ? st->err : bel_status_str(rc));
    }
    bel_store_destroy(st);
    return rc;
}

bel_status bel_store_create(const char *path, bel_store **out, char *err, size_t err_len)
{
    return open_store(path, false, out, err, err_len);
}

bel_status bel_store_open_read_only(const char *path, bel_store **out, char *err, size_t err_len)
{
    return open_store(path, true, out, err, err_len);
}

int bel_store_check(bel_store *st, bel_store_check_fn fn, void *ctx)
{
    if (!st || !fn) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st, "PRAGMA integrity_check(100)", &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    int n_problems = 0;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        if (t && strcmp((const char *)t, "ok") == 0) {
            continue;
        }
        n_problems++;
        if (!fn(ctx, t ? (const char *)t : "")) {
            break;
        }
    }
    int rc = n_problems;
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = db_fail(st, "cannot check the store");
    }
    sqlite3_finalize(q);
    return rc;
}

bel_status bel_store_backup(bel_store *st, const char *dest_path, char *err, size_t err_len)
{
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!st || !st->db || !dest_path || dest_path[0] == '\0') {
        return BEL_ERR_ARG;
    }
    int fd = bel_privacy_open(dest_path, true, err, err_len); /* new, 0600 */
    if (fd < 0) {
        return BEL_ERR_IO;
    }
    close(fd);
    sqlite3 *dest = NULL;
    bel_status rc = BEL_ERR_IO;
    const char *why = "cannot open";
    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        why = "cannot copy the store into it";
        sqlite3_backup *b = sqlite3_backup_init(dest, "main", st->db, "main");
        if (b) {
            int step = sqlite3_backup_step(b, -1);
            if (sqlite3_backup_finish(b) == SQLITE_OK && step == SQLITE_DONE) {
                rc = BEL_OK;
            }
        }
    }
    if (rc != BEL_OK && err && err_len) {
        snprintf(err, err_len, "%s: %s: %s", dest_path, why,
                 dest ? sqlite3_errmsg(dest) : "out of memory");
    }
    if (sqlite3_close(dest) != SQLITE_OK && rc == BEL_OK) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: cannot close: %s", dest_path, sqlite3_errmsg(dest));
        }
        rc = BEL_ERR_IO;
    }
    if (rc != BEL_OK) {
        unlink(dest_path); /* a half copy is no backup */
    }
    return rc;
}

void bel_store_destroy(bel_store *st)
{
    if (!st) {
        return;
    }
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

const char *bel_store_get_error(const bel_store *st) { return st ? st->err : ""; }

const char *bel_store_get_path(const bel_store *st) { return st ? st->path : ""; }

int bel_store_get_interrupted_count(const bel_store *st) { return st ? st->n_interrupted : 0; }

/* ---- clients ---- */

int bel_store_find_client(bel_store *st, const char *name, int64_t *id)
{
    if (id) {
        *id = 0;
    }
    if (!st || !name || !id || name[0] == '\0') {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st, "SELECT id FROM clients WHERE name = ?1", &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    bind_text(q, 1, name);
    int rc = sqlite3_step(q);
    int found = 0;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = db_fail(st, "cannot look up a client");
    }
    sqlite3_finalize(q);
    return found;
}

bel_status bel_store_add_client(bel_store *st, const char *name, int64_t *id)
{
    if (id) {
        *id = 0;
    }
    if (!st || !name || !id || name[0] == '\0') {
        if (st) {
            set_err(st, "a client needs a non-empty name");
        }
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st,
                "INSERT INTO clients (name, created) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
                &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    bind_text(q, 1, name);
    sqlite3_bind_double(q, 2, now_unix_s());
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        return db_fail(st, "cannot add a client");
    }
    int found = bel_store_find_client(st, name, id);
    if (found < 0) {
        return (bel_status)found;
    }
    return found ? BEL_OK : db_fail(st, "the new client is missing");
}

/* ---- sessions ---- */

bel_status bel_store_begin_session(bel_store *st, const bel_store_session_info *info, int64_t *id)
{
    if (id) {
        *id = 0;
    }
    if (!st || !info || !id || info->client_id < 0) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (exec(st, "BEGIN IMMEDIATE", "cannot lock the store") != BEL_OK) {
        return BEL_ERR_IO;
    }
    bel_status rc =
        prepare(st,
                "INSERT INTO sessions (id, client_id, start, belt, firmware, pacer, status, "
                "pid, recording_path, events_path, is_simulated) "
                "VALUES (1 + max((SELECT coalesce(max(id), 0) FROM sessions), "
                "(SELECT coalesce(max(last_id), 0) FROM numbers_given WHERE what = 'sessions')), "
                "?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7, ?8, ?9)",
                &q);
    if (rc != BEL_OK) {
        goto fail;
    }
    if (info->client_id > 0) {
        sqlite3_bind_int64(q, 1, info->client_id);
    } else {
        sqlite3_bind_null(q, 1);
    }
    sqlite3_bind_double(q, 2, info->start_unix_s > 0.0 ? info->start_unix_s : now_unix_s());
    bind_text(q, 3, info->belt);
    bind_text(q, 4, info->firmware);
    bind_text(q, 5, info->pacer);
    sqlite3_bind_int64(q, 6, (int64_t)getpid());
    bind_text(q, 7, info->recording_path);
    bind_text(q, 8, info->events_path);
    sqlite3_bind_int(q, 9, info->is_simulated ? 1 : 0);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = db_fail(st, "cannot record the session");
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    int64_t new_id = sqlite3_last_insert_rowid(st->db);
    if (info->client_id > 0) {
        rc = prepare(st,
                     "UPDATE assessments SET session_id = ?1 WHERE client_id = ?2 AND "
                     "session_id IS NULL AND kind = 'before'",
                     &q);
        if (rc != BEL_OK) {
            goto fail;
        }
        sqlite3_bind_int64(q, 1, new_id);
        sqlite3_bind_int64(q, 2, info->client_id);
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = db_fail(st, "cannot link the assessment to the session");
            goto fail;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (exec(st, "COMMIT", "cannot commit the session") != BEL_OK) {
        rc = BEL_ERR_IO;
        goto fail;
    }
    *id = new_id;
    return BEL_OK;

fail:
    sqlite3_finalize(q);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc == BEL_OK ? BEL_ERR_IO : rc;
}

/* Store a session's figures and problem with an UPDATE of the sessions row id
 * (set: "status = 'complete', " or "", the extra condition: "" or " AND ...").
 * what: the error's words; which: the kind of session missing ("", "interrupted "). */
static bel_status update_figures(bel_store *st, int64_t id, const bel_store_metrics *m,
                                 const char *problem, const char *set, const char *cond,
                                 const char *what, const char *which)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE sessions SET %sproblem = ?2, (" METRIC_COLS
             ") = (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) WHERE id = ?1%s",
             set, cond);
    sqlite3_stmt *q = NULL;
    if (prepare(st, sql, &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, id);
    bind_text(q, 2, problem);
    bind_metrics(q, 3, m);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        return db_fail(st, what);
    }
    if (sqlite3_changes(st->db) == 0) {
        set_err(st, "%s: no %ssession %lld", st->path, which, (long long)id);
        return BEL_ERR_ARG;
    }
    return BEL_OK;
}

bel_status bel_store_finish_session(bel_store *st, int64_t id, const bel_store_metrics *m,
                                    const char *problem)
{
    if (!st || !m || id <= 0) {
        return BEL_ERR_ARG;
    }
    return update_figures(st, id, m, problem, "status = 'complete', ", "",
                          "cannot record the end of the session", "");
}

bel_status bel_store_add_assessment(bel_store *st, int64_t client_id, int64_t session_id,
                                    bel_store_assessment_kind kind, bool is_simulated,
                                    double taken_unix_s, const char *json,
                                    const bel_store_metrics *m, int64_t *id)
{
    if (id) {
        *id = 0;
    }
    if (!st || !m || !id || client_id <= 0 || session_id < 0 ||
        (kind != BEL_STORE_BEFORE && kind != BEL_STORE_AFTER)) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st,
                "INSERT INTO assessments (client_id, session_id, kind, taken, json, " METRIC_COLS
                ", is_simulated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                "?14, ?15, ?16)",
                &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, client_id);
    if (session_id > 0) {
        sqlite3_bind_int64(q, 2, session_id);
    } else {
        sqlite3_bind_null(q, 2);
    }
    bind_text(q, 3, kind == BEL_STORE_BEFORE ? "before" : "after");
    sqlite3_bind_double(q, 4, taken_unix_s > 0.0 ? taken_unix_s : now_unix_s());
    bind_text(q, 5, json);
    bind_metrics(q, 6, m);
    sqlite3_bind_int(q, 16, is_simulated ? 1 : 0);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
            set_err(st, "%s: no such client or session", st->path);
            return BEL_ERR_ARG;
        }
        return db_fail(st, "cannot store the assessment");
    }
    *id = sqlite3_last_insert_rowid(st->db);
    return BEL_OK;
}

int bel_store_get_latest_assessment(bel_store *st, int64_t client_id, bool include_simulated,
                                    char **json, double *taken_unix_s)
{
    if (json) {
        *json = NULL;
    }
    if (!st || !json || !taken_unix_s || client_id <= 0) {
        return BEL_ERR_ARG;
    }
    *taken_unix_s = NAN;
    sqlite3_stmt *q = NULL;
    if (prepare(st,
                "SELECT json, taken FROM assessments WHERE client_id = ?1 AND json IS NOT NULL "
                "AND (is_simulated = 0 OR ?2) ORDER BY taken DESC, id DESC LIMIT 1",
                &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, client_id);
    sqlite3_bind_int(q, 2, include_simulated ? 1 : 0);
    int found = 0;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(q, 0);
        *json = strdup(text ? text : "");
        *taken_unix_s = sqlite3_column_double(q, 1);
        found = *json ? 1 : BEL_ERR_NOMEM;
    } else if (rc != SQLITE_DONE) {
        found = db_fail(st, "cannot read the assessments");
    }
    sqlite3_finalize(q);
    return found;
}

const char *bel_store_pain_area_name(bel_store_pain_area a)
{
    static const char *const names[BEL_STORE_PAIN_AREA_COUNT] = {
        "low back", "hips", "buttocks and sacrum", "thighs", "abdomen"};
    return (unsigned)a < BEL_STORE_PAIN_AREA_COUNT ? names[a] : "";
}

bel_store_findings bel_store_findings_none(void)
{
    bel_store_findings f;
    memset(&f, 0, sizeof f);
    f.thomas_deg[0] = f.thomas_deg[1] = NAN;
    return f;
}

static const char *thomas_text(bel_store_thomas t)
{
    return t == BEL_STORE_THOMAS_PASS ? "pass" : t == BEL_STORE_THOMAS_TIGHT ? "tight" : NULL;
}

static bool findings_ok(const bel_store_findings *f)
{
    if (f->n_pain < 0 || f->n_pain > BEL_STORE_MAX_PAIN) {
        return false;
    }
    for (int i = 0; i < f->n_pain; i++) {
        const char *a = f->pain[i].area;
        if (!a || a[0] == '\0' || strlen(a) >= BEL_STORE_AREA_LEN ||
            !(f->pain[i].score >= 0.0 && f->pain[i].score <= 10.0)) {
            return false;
        }
        for (int k = 0; k < i; k++) {
            if (strcmp(f->pain[k].area, a) == 0) {
                return false;
            }
        }
    }
    for (int side = 0; side < 2; side++) {
        if ((unsigned)f->thomas[side] > BEL_STORE_THOMAS_TIGHT) {
            return false;
        }
    }
    return true;
}

bel_status bel_store_set_findings(bel_store *st, int64_t assessment_id, const bel_store_findings *f)
{
    if (!st || !f || assessment_id <= 0 || !findings_ok(f)) {
        if (st) {
            set_err(st, "findings: pain scores are 0..10, one per area, areas named");
        }
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (exec(st, "BEGIN IMMEDIATE", "cannot lock the store") != BEL_OK) {
        return BEL_ERR_IO;
    }
    bel_status rc = prepare(st,
                            "UPDATE assessments SET thomas_left = ?2, thomas_left_deg = ?3, "
                            "thomas_right = ?4, thomas_right_deg = ?5, findings_notes = ?6 "
                            "WHERE id = ?1",
                            &q);
    if (rc != BEL_OK) {
        goto fail;
    }
    sqlite3_bind_int64(q, 1, assessment_id);
    bind_text(q, 2, thomas_text(f->thomas[0]));
    bind_num(q, 3, f->thomas_deg[0]);
    bind_text(q, 4, thomas_text(f->thomas[1]));
    bind_num(q, 5, f->thomas_deg[1]);
    bind_text(q, 6, f->notes);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = db_fail(st, "cannot store the findings");
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_changes(st->db) == 0) {
        set_err(st, "%s: no assessment %lld", st->path, (long long)assessment_id);
        rc = BEL_ERR_ARG;
        goto fail;
    }
    rc = prepare(st, "DELETE FROM pain WHERE assessment_id = ?1", &q);
    if (rc != BEL_OK) {
        goto fail;
    }
    sqlite3_bind_int64(q, 1, assessment_id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = db_fail(st, "cannot store the findings");
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    rc = prepare(st, "INSERT INTO pain (assessment_id, area, score) VALUES (?1, ?2, ?3)", &q);
    for (int i = 0; rc == BEL_OK && i < f->n_pain; i++) {
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, assessment_id);
        bind_text(q, 2, f->pain[i].area);
        sqlite3_bind_double(q, 3, f->pain[i].score);
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = db_fail(st, "cannot store a pain score");
        }
    }
    if (rc != BEL_OK) {
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (exec(st, "COMMIT", "cannot commit the findings") != BEL_OK) {
        rc = BEL_ERR_IO;
        goto fail;
    }
    return BEL_OK;

fail:
    sqlite3_finalize(q);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc == BEL_OK ? BEL_ERR_IO : rc;
}

static bel_store_thomas thomas_from(const char *s)
{
    return !s                       ? BEL_STORE_THOMAS_NOT_DONE
           : strcmp(s, "pass") == 0 ? BEL_STORE_THOMAS_PASS
                                    : BEL_STORE_THOMAS_TIGHT;
}

int bel_store_get_findings(bel_store *st, int64_t assessment_id, bel_store_findings_fn fn,
                           void *ctx)
{
    if (!st || !fn || assessment_id <= 0) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *a = NULL;
    sqlite3_stmt *p = NULL;
    int found = 0;
    if (prepare(st,
                "SELECT thomas_left, thomas_left_deg, thomas_right, thomas_right_deg, "
                "findings_notes FROM assessments WHERE id = ?1",
                &a) != BEL_OK ||
        prepare(st, "SELECT area, score FROM pain WHERE assessment_id = ?1 ORDER BY id", &p) !=
            BEL_OK) {
        sqlite3_finalize(a);
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(a, 1, assessment_id);
    sqlite3_bind_int64(p, 1, assessment_id);
    int rc = sqlite3_step(a);
    if (rc == SQLITE_ROW) {
        bel_store_findings f = bel_store_findings_none();
        f.thomas[0] = thomas_from(col_text(a, 0));
        f.thomas_deg[0] = col_num(a, 1);
        f.thomas[1] = thomas_from(col_text(a, 2));
        f.thomas_deg[1] = col_num(a, 3);
        f.notes = col_text(a, 4);
        /* Copied: a row's text is gone at the next step. */
        char areas[BEL_STORE_MAX_PAIN][BEL_STORE_AREA_LEN];
        while ((rc = sqlite3_step(p)) == SQLITE_ROW && f.n_pain < BEL_STORE_MAX_PAIN) {
            const char *area = col_text(p, 0);
            snprintf(areas[f.n_pain], sizeof areas[0], "%s", area ? area : "");
            f.pain[f.n_pain].area = areas[f.n_pain];
            f.pain[f.n_pain].score = col_num(p, 1);
            f.n_pain++;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            found = db_fail(st, "cannot read the pain scores");
        } else {
            fn(ctx, &f);
            found = 1;
        }
    } else if (rc != SQLITE_DONE) {
        found = db_fail(st, "cannot read the findings");
    }
    sqlite3_finalize(a);
    sqlite3_finalize(p);
    return found;
}

bel_status bel_store_add_note(bel_store *st, int64_t session_id, const char *text)
{
    if (!st || !text || text[0] == '\0' || session_id <= 0) {
        if (st) {
            set_err(st, "a note needs a session and some text");
        }
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st, "INSERT INTO notes (session_id, created, text) VALUES (?1, ?2, ?3)", &q) !=
        BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, session_id);
    sqlite3_bind_double(q, 2, now_unix_s());
    bind_text(q, 3, text);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        set_err(st, "%s: no session %lld", st->path, (long long)session_id);
        return BEL_ERR_ARG;
    }
    if (rc != SQLITE_DONE) {
        return db_fail(st, "cannot store the note");
    }
    return BEL_OK;
}

int bel_store_list_clients(bel_store *st, bel_store_client_fn fn, void *ctx)
{
    if (!st || !fn) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st,
                "SELECT c.id, c.name, c.created, count(s.id), max(s.start) FROM clients c "
                "LEFT JOIN sessions s ON s.client_id = c.id GROUP BY c.id ORDER BY c.name, c.id",
                &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    int n = 0;
    for (;;) {
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            n = db_fail(st, "cannot list the clients");
            break;
        }
        bel_store_client c;
        c.id = sqlite3_column_int64(q, 0);
        c.name = col_text(q, 1);
        c.created_unix_s = col_num(q, 2);
        c.n_sessions = sqlite3_column_int64(q, 3);
        c.last_session_unix_s = col_num(q, 4);
        n++;
        if (!fn(ctx, &c)) {
            break;
        }
    }
    sqlite3_finalize(q);
    return n;
}

/* One query for sessions with their client, notes and latest before/after assessments. */
#define SESSION_SELECT                                                                             \
    "SELECT s.id, s.client_id, c.name, s.start, s.status, s.belt, s.firmware, s.pacer, "           \
    "s.recording_path, s.events_path, s.problem, "                                                 \
    "(SELECT group_concat(n.text, char(10)) FROM notes n WHERE n.session_id = s.id), "             \
    "s.duration_s, s.n_breaths, s.rate_bpm, s.depth, s.ie_ratio, s.belly_share, "                  \
    "s.time_held_in_s, s.n_holdins, s.n_breath_holds, s.pacer_score, "                             \
    "b.id, b.duration_s, b.n_breaths, b.rate_bpm, b.depth, b.ie_ratio, b.belly_share, "            \
    "b.time_held_in_s, b.n_holdins, b.n_breath_holds, b.pacer_score, "                             \
    "a.id, a.duration_s, a.n_breaths, a.rate_bpm, a.depth, a.ie_ratio, a.belly_share, "            \
    "a.time_held_in_s, a.n_holdins, a.n_breath_holds, a.pacer_score, s.is_simulated, "             \
    "coalesce(b.is_simulated, 0), coalesce(a.is_simulated, 0), s.incomplete, b.taken, a.taken "    \
    "FROM sessions s LEFT JOIN clients c ON c.id = s.client_id "                                   \
    "LEFT JOIN assessments b ON b.id = (SELECT x.id FROM assessments x WHERE x.session_id = "      \
    "s.id AND x.kind = 'before' ORDER BY x.taken DESC, x.id DESC LIMIT 1) "                        \
    "LEFT JOIN assessments a ON a.id = (SELECT y.id FROM assessments y WHERE y.session_id = "      \
    "s.id AND y.kind = 'after' ORDER BY y.taken DESC, y.id DESC LIMIT 1) "

enum { COL_METRICS = 12, COL_BEFORE = 22, COL_AFTER = 33, COL_SIMULATED = 44 };

/* Step q and pass each row to fn; returns the count or a negative bel_status. */
static int run_session_query(bel_store *st, sqlite3_stmt *q, bel_store_session_fn fn, void *ctx)
{
    int n = 0;
    for (;;) {
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            n = db_fail(st, "cannot read the sessions");
            break;
        }
        bel_store_session s;
        s.id = sqlite3_column_int64(q, 0);
        s.client_id = sqlite3_column_type(q, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 1);
        s.client_name = col_text(q, 2);
        s.start_unix_s = col_num(q, 3);
        s.status = col_text(q, 4);
        s.belt = col_text(q, 5);
        s.firmware = col_text(q, 6);
        s.pacer = col_text(q, 7);
        s.recording_path = col_text(q, 8);
        s.events_path = col_text(q, 9);
        s.problem = col_text(q, 10);
        s.notes = col_text(q, 11);
        s.metrics = col_metrics(q, COL_METRICS);
        s.has_before = sqlite3_column_type(q, COL_BEFORE) != SQLITE_NULL;
        s.before = col_metrics(q, COL_BEFORE + 1);
        s.has_after = sqlite3_column_type(q, COL_AFTER) != SQLITE_NULL;
        s.after = col_metrics(q, COL_AFTER + 1);
        s.is_simulated = sqlite3_column_int(q, COL_SIMULATED) != 0;
        s.is_before_simulated = sqlite3_column_int(q, COL_SIMULATED + 1) != 0;
        s.is_after_simulated = sqlite3_column_int(q, COL_SIMULATED + 2) != 0;
        s.incomplete = col_text(q, COL_SIMULATED + 3);
        s.before_id = s.has_before ? sqlite3_column_int64(q, COL_BEFORE) : 0;
        s.after_id = s.has_after ? sqlite3_column_int64(q, COL_AFTER) : 0;
        s.before_taken_unix_s = s.has_before ? col_num(q, COL_SIMULATED + 4) : (double)NAN;
        s.after_taken_unix_s = s.has_after ? col_num(q, COL_SIMULATED + 5) : (double)NAN;
        n++;
        if (!fn(ctx, &s)) {
            break;
        }
    }
    return n;
}

int bel_store_list_sessions(bel_store *st, int64_t client_id, bel_store_session_fn fn, void *ctx)
{
    if (!st || !fn || client_id < BEL_STORE_OWN) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    const char *sql = client_id > 0 ? SESSION_SELECT "WHERE s.client_id = ?1 ORDER BY s.start, s.id"
                      : client_id == BEL_STORE_OWN ? SESSION_SELECT
                          "WHERE s.client_id IS NULL ORDER BY s.start, s.id"
                                                   : SESSION_SELECT "ORDER BY s.start, s.id";
    if (prepare(st, sql, &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    if (client_id > 0) {
        sqlite3_bind_int64(q, 1, client_id);
    }
    int n = run_session_query(st, q, fn, ctx);
    sqlite3_finalize(q);
    return n;
}

int bel_store_list_unrecovered(bel_store *st, bel_store_session_fn fn, void *ctx)
{
    if (!st || !fn) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st,
                SESSION_SELECT "WHERE s.status = 'interrupted' AND s.duration_s IS NULL AND "
                               "s.problem IS NULL AND s.recording_path IS NOT NULL ORDER BY s.id",
                &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    int n = run_session_query(st, q, fn, ctx);
    sqlite3_finalize(q);
    return n;
}

bel_status bel_store_set_recovered(bel_store *st, int64_t id, const bel_store_metrics *m,
                                   const char *problem)
{
    if (!st || !m || !problem || id <= 0) {
        return BEL_ERR_ARG;
    }
    return update_figures(st, id, m, problem, "", " AND status = 'interrupted'",
                          "cannot store an interrupted session's figures", "interrupted ");
}

int bel_store_get_session(bel_store *st, int64_t id, bel_store_session_fn fn, void *ctx)
{
    if (!st || !fn) {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st, SESSION_SELECT "WHERE s.id = ?1", &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, id);
    int n = run_session_query(st, q, fn, ctx);
    sqlite3_finalize(q);
    return n;
}

/* ---- corrections ---- */

/* Run the statements (each with ?1 = a, ?2 = b) in one transaction; the first must
 * change a row, else BEL_ERR_ARG with missing as the message. */
static bel_status change(bel_store *st, const char *const *sql, int n, int64_t a, int64_t b,
                         const char *missing)
{
    if (exec(st, "BEGIN IMMEDIATE", "cannot lock the store") != BEL_OK) {
        return BEL_ERR_IO;
    }
    bel_status rc = BEL_OK;
    for (int i = 0; i < n && rc == BEL_OK; i++) {
        sqlite3_stmt *q = NULL;
        rc = prepare(st, sql[i], &q);
        if (rc != BEL_OK) {
            break;
        }
        if (sqlite3_bind_parameter_count(q) >= 1) {
            sqlite3_bind_int64(q, 1, a);
        }
        if (sqlite3_bind_parameter_count(q) >= 2) {
            sqlite3_bind_int64(q, 2, b);
        }
        if (sqlite3_step(q) != SQLITE_DONE) {
            rc = db_fail(st, "cannot change the store");
        } else if (i == 0 && sqlite3_changes(st->db) == 0) {
            set_err(st, "%s: %s", st->path, missing);
            rc = BEL_ERR_ARG;
        }
        sqlite3_finalize(q);
    }
    if (rc == BEL_OK && exec(st, "COMMIT", "cannot commit the change") != BEL_OK) {
        rc = BEL_ERR_IO;
    }
    if (rc != BEL_OK) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

bel_status bel_store_set_incomplete(bel_store *st, int64_t id, const char *why)
{
    if (!st || id <= 0 || !why || why[0] == '\0') {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st, "UPDATE sessions SET incomplete = ?2 WHERE id = ?1", &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, id);
    bind_text(q, 2, why);
    const int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        return db_fail(st, "cannot mark the session");
    }
    if (sqlite3_changes(st->db) == 0) {
        set_err(st, "%s: no session %lld", st->path, (long long)id);
        return BEL_ERR_ARG;
    }
    return BEL_OK;
}

bel_status bel_store_rename_client(bel_store *st, int64_t id, const char *name)
{
    if (!st || id <= 0 || !name || name[0] == '\0') {
        return BEL_ERR_ARG;
    }
    sqlite3_stmt *q = NULL;
    if (prepare(st, "UPDATE clients SET name = ?2 WHERE id = ?1", &q) != BEL_OK) {
        return BEL_ERR_IO;
    }
    sqlite3_bind_int64(q, 1, id);
    bind_text(q, 2, name);
    const int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        set_err(st, "%s: another client already has that name (merge them instead)", st->path);
        return BEL_ERR_ARG;
    }
    if (rc != SQLITE_DONE) {
        return db_fail(st, "cannot rename the client");
    }
    if (sqlite3_changes(st->db) == 0) {
        set_err(st, "%s: no client %lld", st->path, (long long)id);
        return BEL_ERR_ARG;
    }
    return BEL_OK;
}

bel_status bel_store_merge_clients(bel_store *st, int64_t from_id, int64_t into_id)
{
    if (!st || from_id <= 0 || into_id <= 0 || from_id == into_id) {
        if (st) {
            set_err(st, "%s: merging needs two different clients", st->path);
        }
        return BEL_ERR_ARG;
    }
    static const char *const sql[] = {
        "UPDATE clients SET created = min(created, (SELECT created FROM clients WHERE id = ?1)) "
        "WHERE id = ?2 AND EXISTS (SELECT 1 FROM clients WHERE id = ?1)",
        "UPDATE sessions SET client_id = ?2 WHERE client_id = ?1",
        "UPDATE assessments SET client_id = ?2 WHERE client_id = ?1",
        "DELETE FROM clients WHERE id = ?1",
    };
    return change(st, sql, 4, from_id, into_id, "no such client");
}

bel_status bel_store_delete_session(bel_store *st, int64_t id)
{
    if (!st || id <= 0) {
        return BEL_ERR_ARG;
    }
    static const char *const steps[] = {
        "UPDATE sessions SET pid = pid WHERE id = ?1", /* exists? */
        "DELETE FROM assessments WHERE session_id = ?1",
        "DELETE FROM sessions WHERE id = ?1", /* notes go with it (ON DELETE CASCADE) */
    };
    return change(st, steps, 3, id, 0, "no such session");
}

bel_status bel_store_delete_client(bel_store *st, int64_t id)
{
    if (!st || id <= 0) {
        return BEL_ERR_ARG;
    }
    static const char *const steps[] = {
        "UPDATE clients SET name = name WHERE id = ?1", /* exists? */
        "DELETE FROM assessments WHERE client_id = ?1", /* pain goes with them */
        "DELETE FROM sessions WHERE client_id = ?1",    /* notes go with them */
        "DELETE FROM clients WHERE id = ?1",
    };
    return change(st, steps, 4, id, 0, "no such client");
}

/* ---- matching names loosely ---- */

enum { FOLD_MAX = 128 };

/* name for comparing: ASCII lower case, Latin-1 letters without accents (UTF-8 C3 xx),
 * runs of spaces as one, none at the ends. Longer names are cut at FOLD_MAX - 1. */
static void fold_name(const char *name, char *out)
{
    static const char latin1[] = "aaaaaaaceeeeiiiidnooooo*ouuuuytsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
    size_t n = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)name; *p && n < FOLD_MAX - 1; p++) {
        char c = (char)*p;
        if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            c = latin1[p[1] - 0x80];
            p++;
        } else if (*p >= 'A' && *p <= 'Z') {
            c = (char)(*p - 'A' + 'a');
        }
        if (c == ' ' || c == '\t') {
            space = n > 0;
            continue;
        }
        if (space && n < FOLD_MAX - 2) {
            out[n++] = ' ';
        }
        space = false;
        out[n++] = c;
    }
    out[n] = '\0';
}

/* Edit distance between a and b (insertions, deletions, substitutions). */
static int edits(const char *a, const char *b)
{
    int row[FOLD_MAX];
    int prev[FOLD_MAX];
    const int na = (int)strlen(a);
    const int nb = (int)strlen(b);
    for (int j = 0; j <= nb; j++) {
        prev[j] = j;
    }
    for (int i = 1; i <= na; i++) {
        row[0] = i;
        for (int j = 1; j <= nb; j++) {
            const int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            const int del = prev[j] + 1;
            const int ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, row, (size_t)(nb + 1) * sizeof row[0]);
    }
    return prev[nb];
}

typedef struct matcher {
    char want[FOLD_MAX];
    int64_t id;
    char matched[256];
    char near[256];
    int near_edits;
} matcher;

static bool match_one(void *ctx, const bel_store_client *c)
{
    matcher *m = ctx;
    char have[FOLD_MAX];
    fold_name(c->name, have);
    if (strcmp(have, m->want) == 0) {
        if (m->id == 0) {
            m->id = c->id;
            snprintf(m->matched, sizeof m->matched, "%s", c->name);
        }
        return true;
    }
    const int e = edits(have, m->want);
    if (e <= 2 && e < m->near_edits) {
        m->near_edits = e;
        snprintf(m->near, sizeof m->near, "%s", c->name);
    }
    return true;
}

int bel_store_match_client(bel_store *st, const char *name, int64_t *id, char *matched,
                           size_t matched_len, char *near, size_t near_len)
{
    if (matched && matched_len) {
        matched[0] = '\0';
    }
    if (near && near_len) {
        near[0] = '\0';
    }
    int found = bel_store_find_client(st, name, id); /* the exact name first */
    if (found != 0) {
        if (found == 1 && matched && matched_len) {
            snprintf(matched, matched_len, "%s", name);
        }
        return found;
    }
    matcher m;
    memset(&m, 0, sizeof m);
    m.near_edits = 3;
    fold_name(name, m.want);
    const int n = bel_store_list_clients(st, match_one, &m);
    if (n < 0) {
        return n;
    }
    if (m.id > 0) {
        *id = m.id;
        if (matched && matched_len) {
            snprintf(matched, matched_len, "%s", m.matched);
        }
        return 1;
    }
    if (near && near_len) {
        snprintf(near, near_len, "%s", m.near);
    }
    return 0;
}
