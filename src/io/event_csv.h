/* event_csv.h - the events CSV (`t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio`): writer and
 * reader. SPDX-License-Identifier: MIT */
#ifndef BELLOWS_EVENT_CSV_H
#define BELLOWS_EVENT_CSV_H

#include <stddef.h>

#include "bellows/event.h"
#include "bellows/status.h"
#include "outfile.h"

/** The header line written first (without the line break). */
extern const char BEL_EVENT_CSV_HEADER[];

typedef struct bel_event_csv bel_event_csv;

/** Create an events CSV at path and write the header. *out NULL on failure;
 *  err (if not NULL) gets "PATH: cannot create: REASON". BEL_ERR_IO, BEL_ERR_NOMEM.
 *  Call from: setup, or the thread that writes. */
BEL_NODISCARD bel_status bel_event_csv_create(const char *path, bel_event_csv **out, char *err,
                                              size_t err_len);

/** Append one event: times to the microsecond, other fields with 6 significant
 *  digits, an empty field where the value is NAN. BEL_ERR_IO (sticky) on failure;
 *  BEL_ERR_ARG for an event with no time (nothing written). bel_event_csv_get_error
 *  says which. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_event_csv_write(bel_event_csv *w, const bel_event *ev);

/** Flush buffered rows to the OS. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_event_csv_flush(bel_event_csv *w);

/** Flush and close; returns the first error of the file's life.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_event_csv_close(bel_event_csv *w);

/** Free (closing without error checks if still open). NULL is fine. Call from: teardown. */
void bel_event_csv_destroy(bel_event_csv *w);

/** Message of the first error, naming the file; "" if none. Call from: the owning thread. */
const char *bel_event_csv_get_error(const bel_event_csv *w);

/** The events of an events CSV: times and kinds (the other columns are not kept). */
typedef struct bel_event_list {
    size_t n;                     /**< events read */
    double *t_s;                  /**< n times, seconds (finite) */
    bel_event_kind *kind;         /**< n kinds (valid) */
    char warning[BEL_IO_ERR_LEN]; /**< why reading stopped early (an unreadable row, a
                                       missing file), naming the file and line; "" */
} bel_event_list;

/** Read the events CSV at path into *out (free with bel_event_list_free). The header must
 *  start "t,kind"; an unreadable row ends the reading with the rows before it kept and
 *  warning saying where; a missing file is no events and a warning. err (if not NULL)
 *  names the file on failure: BEL_ERR_IO, BEL_ERR_FORMAT (not an events file),
 *  BEL_ERR_NOMEM; *out is then empty. Call from: any thread (allocates). */
BEL_NODISCARD bel_status bel_event_csv_read(const char *path, bel_event_list *out, char *err,
                                            size_t err_len);

/** Free what bel_event_csv_read allocated and empty *l. NULL is fine. Call from: any thread. */
void bel_event_list_free(bel_event_list *l);

#endif
