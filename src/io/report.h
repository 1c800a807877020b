/* report.h - a client's progress as one self-contained HTML page, and loading a session's files.
 *
 * The page has no scripts and fetches nothing: styles are inline and plots are inline
 * SVG. Every user-supplied string (names, notes, paths, belt) is HTML-escaped.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_REPORT_H
#define BELLOWS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "bellows/event.h"
#include "bellows/sample.h"
#include "bellows/status.h"
#include "recording.h"
#include "store.h"

/** What a session's recording holds (read through once, not kept: memory does not grow
 *  with its length), and its events in memory. Read-only for callers. */
typedef struct bel_report_data {
    int n_channels;
    char names[BEL_MAX_CHANNELS][BEL_RECORDING_NAME_LEN];
    double fs_hz;                  /**< from the recording's time steps */
    size_t n_samples;              /**< rows read (up to a damaged one) */
    double t_first_s, t_last_s;    /**< times of the first and last of them */
    float min[BEL_MAX_CHANNELS];   /**< lowest finite value of each channel (NAN: none) */
    float max[BEL_MAX_CHANNELS];   /**< highest finite value of each channel (NAN: none) */
    double sign[BEL_MAX_CHANNELS]; /**< -1 for a belt the session read the other way round at
                                        its end (its settings, then each turned_round and
                                        chest_turned_round event), else 1: a value times its
                                        channel's sign is expansion up */
    size_t n_events;
    double *ev_t_s;               /**< n_events onsets, seconds */
    bel_event_kind *ev_kind;      /**< n_events kinds */
    char warning[BEL_IO_ERR_LEN]; /**< why reading stopped early (a cut-off last line), "" */
} bel_report_data;

/** Read through the recording CSV at rec_path and, if events_path is not NULL and
 *  exists, load its events CSV. A damaged row (a session killed mid-line) ends the
 *  reading: the rows before it count and warning says where. *out NULL on failure, err names
 *  the file. BEL_ERR_IO, BEL_ERR_FORMAT, BEL_ERR_NOMEM, BEL_ERR_ARG.
 *  Call from: any thread (allocates). */
BEL_NODISCARD bel_status bel_report_data_create(const char *rec_path, const char *events_path,
                                                bel_report_data **out, char *err, size_t err_len);

/** Free. NULL is fine. Call from: any thread. */
void bel_report_data_destroy(bel_report_data *d);

/** Write s with & < > " ' escaped into buf (len bytes, always terminated);
 *  returns the length it needs (like snprintf). Call from: any thread. */
size_t bel_report_escape(char *buf, size_t len, const char *s);

typedef struct bel_report_config {
    int64_t client_id;  /**< whose progress; BEL_STORE_OWN: the person's own sessions */
    int64_t session_id; /**< > 0: add this session's breath trace with its events */
    double now_unix_s;  /**< "made on" date (0: now) */
} bel_report_config;

/** Write the report as HTML to out_path: progress across the client's sessions
 *  (rate, belly share, time held in, assessment before vs after), a table of the
 *  sessions with notes, and with session_id the trace. A session's missing files
 *  are named on the page, not an error. err (if not NULL) names the file or says
 *  what is missing. BEL_ERR_ARG (no such client or session of this client),
 *  BEL_ERR_IO, BEL_ERR_NOMEM. Call from: the store's thread. */
BEL_NODISCARD bel_status bel_report_write(bel_store *st, const bel_report_config *cfg,
                                          const char *out_path, char *err, size_t err_len);

#endif
