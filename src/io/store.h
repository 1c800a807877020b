/* store.h - the session store: clients, sessions, assessments, notes in SQLite.
 *
 * One SQLite file in the user's data directory ($XDG_DATA_HOME/bellows/bellows.db,
 * else ~/.local/share/bellows/bellows.db; directory 0700, file 0600). The schema is
 * versioned with PRAGMA user_version and migrated in order on open; WAL journal,
 * foreign keys on. Every statement is parameterised (sqlite3_bind_*), so names and
 * notes are stored and returned byte for byte, whatever they contain.
 *
 * A live session is begun (status "running", with the pid of the process that
 * records it) and finished (status "complete", with its metrics). A session still
 * "running" whose process is gone (killed, crashed) is marked "interrupted" the next
 * time the store is opened; its row and files are kept.
 *
 * Not thread-safe: one store object per thread (open another for another thread).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_STORE_H
#define BELLOWS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/pipeline.h"
#include "bellows/status.h"

/** Schema version this code writes (PRAGMA user_version). */
enum { BEL_STORE_SCHEMA_VERSION = 6 };

/** Longest error message a store keeps, including the terminator. */
enum { BEL_STORE_ERR_LEN = 512 };

typedef struct bel_store bel_store;

/** Key numbers of a session or an assessment. Unknown values are NAN (counts: -1). */
typedef struct bel_store_metrics {
    double duration_s;      /**< seconds of signal */
    int64_t n_breaths;      /**< complete breaths */
    double rate_bpm;        /**< mean breathing rate, breaths/min */
    double depth;           /**< mean breath depth, conditioned units */
    double ie_ratio;        /**< Ti/Te */
    double belly_share;     /**< belly part of the breathing, 0..1 (chest belt only) */
    double time_held_in_s;  /**< total time the belly was held in */
    int64_t n_holdins;      /**< hold-in episodes */
    int64_t n_breath_holds; /**< breath holds */
    double pacer_score;     /**< how closely the breath followed the pacer, 0..1; NAN: no pacer */
} bel_store_metrics;

/** All unknown (NAN, counts -1). Call from: any thread. */
bel_store_metrics bel_store_metrics_unknown(void);

/** The store's numbers from a pipeline summary (pacer_score NAN: set it yourself).
 *  Call from: any thread. */
bel_store_metrics bel_store_metrics_from_summary(const bel_summary *s);

/** What is known when a session begins. Strings are borrowed for the call; NULL
 *  means not known. */
typedef struct bel_store_session_info {
    int64_t client_id;          /**< bel_store_add_client's id, 0 for none */
    double start_unix_s;        /**< wall-clock start, seconds since 1970 (0: now) */
    const char *belt;           /**< "simulated", "/dev/ttyACM0", "replay of x.csv" */
    const char *firmware;       /**< firmware version reported by the belt */
    const char *pacer;          /**< pacer preset name */
    const char *recording_path; /**< PREFIX.csv */
    const char *events_path;    /**< PREFIX.events.csv */
    bool is_simulated;          /**< the built-in simulated belt, not a person */
} bel_store_session_info;

/** A session as listed. Strings are owned by the store and valid only during the
 *  callback; NULL means not known. */
typedef struct bel_store_session {
    int64_t id;
    int64_t client_id;       /**< 0: no client */
    const char *client_name; /**< NULL: no client */
    double start_unix_s;
    const char *status; /**< "running", "complete" or "interrupted" */
    const char *belt;
    const char *firmware;
    const char *pacer;
    const char *recording_path;
    const char *events_path;
    const char *problem; /**< what went wrong while recording (full disk), NULL: nothing */
    const char *notes;   /**< the session's notes in order, separated by line breaks; NULL: none */
    bel_store_metrics metrics;
    bool has_before;          /**< an assessment before the session is stored */
    bel_store_metrics before; /**< its key numbers */
    bool has_after;           /**< an assessment after the session is stored */
    bel_store_metrics after;
    bool is_simulated;          /**< recorded from the simulated belt, not a person */
    bool is_before_simulated;   /**< the before assessment is of the simulated belt */
    bool is_after_simulated;    /**< the after assessment is of the simulated belt */
    const char *incomplete;     /**< why the session does not count as complete (too short,
                                     stopped early); NULL: it does */
    int64_t before_id;          /**< the before assessment's id (bel_store_get_findings), 0: none */
    int64_t after_id;           /**< the after assessment's id, 0: none */
    double before_taken_unix_s; /**< when the before assessment was taken, NAN: none */
    double after_taken_unix_s;  /**< when the after assessment was taken, NAN: none */
} bel_store_session;

/** A client as listed; strings valid only during the callback. */
typedef struct bel_store_client {
    int64_t id;
    const char *name;
    double created_unix_s;
    int64_t n_sessions;
    double last_session_unix_s; /**< NAN with no sessions */
} bel_store_client;

/** Kinds of assessment. */
typedef enum bel_store_assessment_kind {
    BEL_STORE_BEFORE = 0, /**< taken before a session */
    BEL_STORE_AFTER = 1,  /**< taken after a session */
} bel_store_assessment_kind;

/** The fixed pain areas of the therapist's findings (others are free text). */
typedef enum bel_store_pain_area {
    BEL_STORE_PAIN_LOW_BACK = 0,
    BEL_STORE_PAIN_HIPS,
    BEL_STORE_PAIN_BUTTOCKS, /**< buttocks and sacrum */
    BEL_STORE_PAIN_THIGHS,
    BEL_STORE_PAIN_ABDOMEN,
    BEL_STORE_PAIN_AREA_COUNT
} bel_store_pain_area;

/** Name of a fixed pain area ("low back", "hips", "buttocks and sacrum", "thighs",
 *  "abdomen"); "" if out of range. Call from: any thread. */
const char *bel_store_pain_area_name(bel_store_pain_area a);

/** Result of a psoas length test (Thomas test) on one side. */
typedef enum bel_store_thomas {
    BEL_STORE_THOMAS_NOT_DONE = 0,
    BEL_STORE_THOMAS_PASS, /**< the thigh lies flat: psoas length normal */
    BEL_STORE_THOMAS_TIGHT /**< the thigh stays raised: psoas short */
} bel_store_thomas;

enum { BEL_STORE_MAX_PAIN = 16, BEL_STORE_AREA_LEN = 48 };

/** What the therapist found by hand at an assessment. Strings are borrowed for the
 *  call that takes them, or valid only during the callback that gives them. */
typedef struct bel_store_findings {
    int n_pain; /**< areas with a pain score, 0..BEL_STORE_MAX_PAIN */
    struct {
        const char *area; /**< a fixed area's name or free text (< BEL_STORE_AREA_LEN bytes) */
        double score;     /**< 0..10 */
    } pain[BEL_STORE_MAX_PAIN];
    bel_store_thomas thomas[2]; /**< psoas length test, [0] left, [1] right */
    double thomas_deg[2];       /**< hip angle above the table, degrees; NAN: not measured */
    const char *notes;          /**< NULL: none */
} bel_store_findings;

/** Nothing found yet: no pain scores, tests not done, no notes. Call from: any thread. */
bel_store_findings bel_store_findings_none(void);

typedef void (*bel_store_findings_fn)(void *ctx, const bel_store_findings *f);

/** Callbacks of the list functions; return false to stop early. */
typedef bool (*bel_store_session_fn)(void *ctx, const bel_store_session *s);
typedef bool (*bel_store_client_fn)(void *ctx, const bel_store_client *c);

/** The default data directory: $XDG_DATA_HOME/bellows when XDG_DATA_HOME is an
 *  absolute path, else $HOME/.local/share/bellows. BEL_ERR_ARG if neither is set
 *  or buf (len bytes) is too small; buf is "" then. Call from: any thread. */
BEL_NODISCARD bel_status bel_store_default_dir(char *buf, size_t len);

/** Open (creating if needed) the store at path; NULL path: DIR/bellows.db in
 *  bel_store_default_dir. Creates missing directories (0700) and a new store (0600,
 *  made under a temporary name and linked into place whole), migrates an older schema,
 *  then marks "running" sessions whose process is gone as "interrupted". Refused with
 *  BEL_ERR_FORMAT and left exactly as they are, before SQLite writes anything: an
 *  empty (0-byte) file, a file that is not SQLite, an SQLite database that is not a
 *  bellows store, a store that fails SQLite's quick check, a schema newer than this code.
 *  *out NULL on failure, err (if not NULL) names the file and the reason.
 *  BEL_ERR_IO, BEL_ERR_FORMAT, BEL_ERR_NOMEM, BEL_ERR_ARG. Call from: setup. */
BEL_NODISCARD bel_status bel_store_create(const char *path, bel_store **out, char *err,
                                          size_t err_len);

/** Open the store at path (NULL: the default) for reading only: nothing is created,
 *  migrated or marked, so a store on a read-only disk or folder can still be listed
 *  and reported. Same checks and errors as bel_store_create; a missing file is
 *  BEL_ERR_IO ("no store there yet"). Writing functions fail on it.
 *  Call from: setup. */
BEL_NODISCARD bel_status bel_store_open_read_only(const char *path, bel_store **out, char *err,
                                                  size_t err_len);

/** Callback of bel_store_check: one problem SQLite found; return false to stop. */
typedef bool (*bel_store_check_fn)(void *ctx, const char *problem);

/** SQLite's full integrity check of the store: the number of problems (0: sound),
 *  each passed to fn, or a negative bel_status. Call from: the owning thread. */
int bel_store_check(bel_store *st, bel_store_check_fn fn, void *ctx);

/** Copy the whole store, consistent even while sessions are being written (SQLite's
 *  online backup API), into a new file at dest_path (0600; an existing file is refused,
 *  never overwritten). The copy is a store bellows opens like this one. BEL_ERR_IO (err
 *  names the file), BEL_ERR_ARG. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_backup(bel_store *st, const char *dest_path, char *err,
                                          size_t err_len);

/** Close and free. NULL is fine. Call from: the owning thread. */
void bel_store_destroy(bel_store *st);

/** Message of the latest error (naming the file), "" if none. Call from: the owning thread. */
const char *bel_store_get_error(const bel_store *st);

/** Path of the database file. Call from: the owning thread. */
const char *bel_store_get_path(const bel_store *st);

/** Sessions marked interrupted when this store was opened. Call from: the owning thread. */
int bel_store_get_interrupted_count(const bel_store *st);

/** The client called name (exact bytes, non-empty): 1 with *id set, 0 if none
 *  (*id 0), or a negative bel_status. Call from: the owning thread. */
int bel_store_find_client(bel_store *st, const char *name, int64_t *id);

/** The client whose name is name up to case, accents on Latin letters and extra spaces
 *  ("anna  " and "Ánna" find "Anna"; the exact name wins): 1 with *id set and the
 *  stored name copied into matched (matched_len bytes), 0 if none (*id 0; near gets
 *  the client's name closest to it within 2 typing errors, "" if none), or a negative
 *  bel_status. matched and near may be NULL. Call from: the owning thread. */
int bel_store_match_client(bel_store *st, const char *name, int64_t *id, char *matched,
                           size_t matched_len, char *near, size_t near_len);

/** The id of the client called name, adding it if new. *id 0 on failure.
 *  BEL_ERR_ARG (empty name), BEL_ERR_IO. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_add_client(bel_store *st, const char *name, int64_t *id);

/** Record the start of a session: status "running" with this process's pid.
 *  Links the client's "before" assessments not yet tied to a session to it.
 *  *id 0 on failure. Call from: the owning thread (not the input thread: it
 *  writes to disk). */
BEL_NODISCARD bel_status bel_store_begin_session(bel_store *st, const bel_store_session_info *info,
                                                 int64_t *id);

/** Record the end of a session: its metrics, and problem (NULL: none) such as
 *  "disk full: recording stopped at 512.0 s". Status becomes "complete".
 *  BEL_ERR_ARG if there is no such session. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_finish_session(bel_store *st, int64_t id,
                                                  const bel_store_metrics *m, const char *problem);

/** Store an assessment of client_id taken at taken_unix_s (0: now): its JSON text
 *  (any text, kept as is) and key numbers; is_simulated marks one of the simulated
 *  belt. session_id ties it to a session (0: a "before" assessment waits for the
 *  client's next session). *id 0 on failure. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_add_assessment(bel_store *st, int64_t client_id,
                                                  int64_t session_id,
                                                  bel_store_assessment_kind kind, bool is_simulated,
                                                  double taken_unix_s, const char *json,
                                                  const bel_store_metrics *m, int64_t *id);

/** The latest assessment of client_id (by time taken), of a person only unless
 *  include_simulated: 1 with *json (its text, malloc'd: the caller frees) and
 *  *taken_unix_s set, 0 if there is none (*json NULL), or a negative bel_status.
 *  Call from: the owning thread. */
int bel_store_get_latest_assessment(bel_store *st, int64_t client_id, bool include_simulated,
                                    char **json, double *taken_unix_s);

/** Store the therapist's findings with assessment assessment_id (replacing any).
 *  BEL_ERR_ARG for no such assessment, a score outside 0..10, an empty or too long
 *  area name, or the same area twice. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_set_findings(bel_store *st, int64_t assessment_id,
                                                const bel_store_findings *f);

/** The findings stored with an assessment: 1 after calling fn (areas in the order
 *  stored), 0 if there is no such assessment, or a negative bel_status. An
 *  assessment without findings gives bel_store_findings_none(). Call from: the
 *  owning thread. */
int bel_store_get_findings(bel_store *st, int64_t assessment_id, bel_store_findings_fn fn,
                           void *ctx);

/** Append a note (any non-empty text) to a session. BEL_ERR_ARG if there is no such
 *  session or text is empty. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_add_note(bel_store *st, int64_t session_id, const char *text);

/** Interrupted sessions whose figures were never stored (the process was killed before
 *  the end) and nobody has tried to recover yet: status "interrupted", no duration, no
 *  problem, a recording path. Returns the number passed to fn, or a negative bel_status.
 *  Call from: the owning thread. */
int bel_store_list_unrecovered(bel_store *st, bel_store_session_fn fn, void *ctx);

/** Store figures worked out afterwards for interrupted session id (m may be all unknown
 *  when the recording cannot be read); problem says so (kept, so it is not tried again).
 *  The status stays "interrupted". BEL_ERR_ARG (no such interrupted session), BEL_ERR_IO.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_set_recovered(bel_store *st, int64_t id,
                                                 const bel_store_metrics *m, const char *problem);

/** Every client in order of name (bytewise), with session counts. Returns the number
 *  of clients passed to fn, or a negative bel_status. Call from: the owning thread. */
int bel_store_list_clients(bel_store *st, bel_store_client_fn fn, void *ctx);

/** client_id of bel_store_list_sessions for the person's own sessions (no client). */
enum { BEL_STORE_OWN = -1 };

/** Sessions oldest first (by start time, then id): all of them (client_id 0), one
 *  client's (client_id > 0), or the person's own (BEL_STORE_OWN). Returns the number
 *  passed to fn, or a negative bel_status. Call from: the owning thread. */
int bel_store_list_sessions(bel_store *st, int64_t client_id, bel_store_session_fn fn, void *ctx);

/** Mark a finished session as not complete, saying why ("shorter than a minute").
 *  BEL_ERR_ARG if there is no such session or why is empty. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_set_incomplete(bel_store *st, int64_t id, const char *why);

/** Rename a client. BEL_ERR_ARG: no such client, an empty name, or the name is
 *  another client's (merge them instead). Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_rename_client(bel_store *st, int64_t id, const char *name);

/** Move every session and assessment of client from_id to into_id and remove from_id,
 *  in one transaction. BEL_ERR_ARG: no such client, or the same one.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_merge_clients(bel_store *st, int64_t from_id, int64_t into_id);

/** Remove a session with its notes and the assessments tied to it (its files are the
 *  caller's to remove: list it first). BEL_ERR_ARG: no such session.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_delete_session(bel_store *st, int64_t id);

/** Remove a client with all their sessions, notes and assessments, in one
 *  transaction (files: the caller's). BEL_ERR_ARG: no such client.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_store_delete_client(bel_store *st, int64_t id);

/** One session by id: 1 after calling fn, 0 if there is none, or a negative
 *  bel_status. Call from: the owning thread. */
int bel_store_get_session(bel_store *st, int64_t id, bel_store_session_fn fn, void *ctx);

#endif
