/* cmd_store.h - the session-store commands and the hooks `run` and `assess` call.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CMD_STORE_H
#define BELLOWS_CMD_STORE_H

#include <stdint.h>

#include "bellows/pipeline.h"
#include "recording.h"
#include "store.h"

/** A session shorter than this (seconds of signal) is stored as incomplete. */
enum { STORE_MIN_COMPLETE_S = 60 };

/** Subcommands; each returns the process exit code (argv[0]: first argument after
 *  the subcommand's name). */
int cmd_clients(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_note(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_rename_client(int argc, char **argv);
int cmd_merge_clients(int argc, char **argv);
int cmd_delete_client(int argc, char **argv);
int cmd_delete_session(int argc, char **argv);
/** What an EDF+ export writes into the file's header besides the samples. */
typedef struct export_edf_info {
    double start_unix_s;        /**< when the recording started, seconds since 1970 */
    const char *patient_code;   /**< EDF+ patient code (no name: "bellows-client-N") */
    const char *recording_code; /**< EDF+ recording code ("bellows-session-N") */
} export_edf_info;

/** What an EDF+ export wrote. */
typedef struct export_edf_result {
    int n_signals;                /**< belts written */
    size_t n_samples;             /**< per signal */
    double fs_hz;                 /**< the whole number of Hz written */
    size_t n_annotations;         /**< events and episodes */
    char warning[BEL_IO_ERR_LEN]; /**< why the recording was read only in part (a cut-off
                                       last line), "" if it was read whole */
} export_edf_result;

/** The recording at rec_path (its events at events_path; NULL or missing: none) as
 *  EDF+ at edf_path, streamed (memory bounded by the events, not the recording). Prints
 *  nothing: BEL_OK with *res, or an error (err names the file: BEL_ERR_FORMAT for a
 *  recording EDF cannot hold, BEL_ERR_IO, BEL_ERR_NOMEM). Call from: main only. */
BEL_NODISCARD bel_status export_edf(const char *rec_path, const char *events_path,
                                    const char *edf_path, const export_edf_info *x,
                                    export_edf_result *res, char *err, size_t err_len);

/** `bellows store check` (the store is ours and sound) and `store backup FILE`. */
int cmd_store(int argc, char **argv);

/** Open the default store ($XDG_DATA_HOME/bellows/bellows.db), saying on stderr how
 *  many sessions were found interrupted. NULL (message printed, naming cmd) on failure.
 *  Call from: main only. */
bel_store *store_open_for(const char *cmd);

/** Open the default store for a command that only reads it (clients, sessions, report,
 *  export): as store_open_for, but a store that cannot be written here (read-only disk
 *  or folder) is opened read-only. NULL (message printed) on failure. Call from: main only. */
bel_store *store_open_to_read(const char *cmd);

/** The sessions directory next to the store ($XDG_DATA_HOME/bellows/sessions), created
 *  0700. false (message printed) on failure. Call from: main only. */
bool store_sessions_dir(const char *cmd, char *buf, size_t len);

/** New, unused file names in the sessions directory: DIR/KIND + YYYYmmdd-HHMMSS, with
 *  "-2", "-3", ... when that is taken (two sessions in one second). Every stem + exts[i]
 *  is created empty, 0600, so no other process takes it; the stem goes to buf. false
 *  (message printed) on failure. Call from: main only. */
bool store_new_names(const char *cmd, const char *kind, const char *const *exts, int n_exts,
                     char *buf, size_t len);

/** The id of the client called name: found, or added when add is true. 0 (message
 *  printed) on failure or when there is no such client. Call from: main only. */
int64_t store_client_id(const char *cmd, bel_store *st, const char *name, bool add);

/** Hook for `run --client`: open the store, add the client if new and begin a session
 *  with its files' paths (made absolute) and what is known of the belt (is_simulated:
 *  the simulated belt, stored marked so). Returns the
 *  session id, 0 on failure (message printed; the live session should go on without
 *  the store). *out_store is the open store for store_session_end (NULL on failure).
 *  Call from: main only. */
int64_t store_session_begin(const char *cmd, const char *client, const char *recording_path,
                            const char *events_path, const char *belt, const char *firmware,
                            const char *pacer, bool is_simulated, bel_store **out_store);

/** Hook for the end of `run`: store the summary (and pacer score, NAN for none) and what
 *  went wrong while recording (NULL: nothing), mark it incomplete when shorter than
 *  STORE_MIN_COMPLETE_S or stopped before planned_s (> 0; 0: no plan), say so with the
 *  session's number, then close the store. Returns an exit code. Call from: main only. */
int store_session_end(const char *cmd, bel_store *st, int64_t session_id, const bel_summary *sum,
                      double pacer_score, const char *problem, double planned_s);

/** The calibration of the latest assessment of client (a person's only, unless
 *  is_simulated: a session on the simulated belt may start from a simulated one)
 *  into *out, and when it was taken into when (len bytes). false (*out not valid) when
 *  there is no such client or assessment or the store cannot be read; the session
 *  then learns as it goes. Call from: main only. */
bool store_client_calibration(const char *cmd, const char *client, bool is_simulated,
                              bel_holdin_calibration *out, char *when, size_t len);

/** Hook for `assess --client NAME [--after SESSION]`: store an assessment (json: the
 *  text written to the assessment file; is_simulated: of the simulated belt, stored
 *  marked so; f: the therapist's findings, NULL for none) as "after" session
 *  after_session (> 0), or
 *  as "before" the client's next session (0). Returns an exit code (message printed).
 *  Call from: main only. */
int store_assessment(const char *cmd, const char *client, int64_t after_session, const char *json,
                     const bel_summary *sum, bool is_simulated, const bel_store_findings *f);

#endif
