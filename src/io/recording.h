/* recording.h - recording CSV files (`t,<channel>...`): a streaming reader and a writer.
 *
 * Format (DESIGN.md): a header `t,<name>...` with 1..BEL_MAX_CHANNELS channels,
 * then one row per sample, t in seconds, strictly increasing, raw sensor units.
 * Lines may end in \n or \r\n; blank lines at the end are ignored.
 *
 * Lines starting with '#' before the header are comments. A bellows session that read
 * its belts other than a plain re-analysis would (--invert, an assessment's calibration)
 * says so there, so that re-analysing the recording gives the figures the person saw:
 *   # bellows settings: invert=1 invert_chest=0 polarity_known=1
 *   # bellows calibration: {"calibration": {"belly_inverted": false, ...}}
 * (the second line only with a calibration, in the assessment file's form, calibration.h).
 * A recording without them (older, or made elsewhere) was read with the defaults.
 *
 * Lines starting with '#' among the rows are comments too. What the person asked for
 * during the session (bel_sample.actions: r, "this is my rest now"; i, "the figure
 * shrinks as I breathe in") is one such line before the row it acted on, so that reading
 * the recording again acts at the same sample:
 *   # bellows action: relearn
 *   # bellows action: turn_round
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_RECORDING_H
#define BELLOWS_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/holdin.h"
#include "bellows/sample.h"
#include "bellows/status.h"
#include "outfile.h"

/** Longest channel name, including the terminator. */
enum { BEL_RECORDING_NAME_LEN = 64 };

/** Rows used to estimate the sample rate (median time step). */
enum { BEL_RECORDING_RATE_ROWS = 64 };

/** How the session that made a recording read its belts, beyond what the samples say. */
typedef struct bel_recording_settings {
    bool invert;                        /**< the belly belt read smaller on expansion */
    bool invert_chest;                  /**< the chest belt read smaller on expansion */
    bool is_polarity_known;             /**< invert and invert_chest were final, not found from the
                                             breathing */
    bel_holdin_calibration calibration; /**< the calibration used; is_valid false: none */
    double breath_hold_s; /**< stillness this long made a breath hold (--breath-hold, 4..40 s);
                               0: the default (1.5 recent breath periods, 6-10 s) */
} bel_recording_settings;

/** The defaults (what a recording without settings lines was read with): not inverted,
 *  polarity found from the breathing, no calibration, the default breath hold. Call from: any
 * thread. */
bel_recording_settings bel_recording_settings_default(void);

/** Which way the session read each belt at its start: a calibration's polarity when it
 *  has one, else invert and invert_chest. Call from: any thread. */
void bel_recording_settings_reading(const bel_recording_settings *s, bool *belly_inverted,
                                    bool *chest_inverted);

typedef struct bel_recording_reader bel_recording_reader;

/** Open `path`, read its header and look ahead a few rows to estimate the
 *  sample rate. Copies path. Memory stays bounded however long the file is.
 *  On failure *out is NULL and err (if not NULL) holds a message naming the
 *  file (and line), e.g. "rec.csv: cannot open: No such file or directory",
 *  "rec.csv: empty file", "rec.csv:1: bad header: first column must be 't', found 'time'".
 *  A bad data row among the first rows fails here too only if fewer than two
 *  good rows precede it; otherwise it is reported by the read that reaches it.
 *  Returns BEL_ERR_IO (cannot open/read), BEL_ERR_FORMAT (bad content),
 *  BEL_ERR_NOMEM, BEL_ERR_ARG. Call from: setup, or the thread that reads. */
BEL_NODISCARD bel_status bel_recording_reader_create(const char *path, bel_recording_reader **out,
                                                     char *err, size_t err_len);

/** Close and free. NULL is fine. Call from: teardown. */
void bel_recording_reader_destroy(bel_recording_reader *r);

/** Next sample into *out: t_s, every channel, n_missed (time steps longer
 *  than 1.5 sample periods count the samples that would fit in the gap) and the
 *  actions given before its row (an action line naming no action is BEL_ERR_FORMAT).
 *  Returns 1, 0 at the end of the file, or a negative bel_status (BEL_ERR_FORMAT
 *  for bad content, BEL_ERR_IO for a read error) with the message in
 *  bel_recording_reader_get_error, e.g. "rec.csv:17: column 'belly': 'abc' is not a number".
 *  Errors are sticky. No allocation. Call from: one thread. */
int bel_recording_reader_read(bel_recording_reader *r, bel_sample *out);

/** Last error message, "" if none. Call from: the reading thread. */
const char *bel_recording_reader_get_error(const bel_recording_reader *r);

/** Sample rate from the median time step of the first rows, Hz; NAN with fewer than two
 *  rows. Call from: any thread after create. */
double bel_recording_reader_get_fs_hz(const bel_recording_reader *r);

/** Number of channels (columns after t), 1..BEL_MAX_CHANNELS. Call from: any thread. */
int bel_recording_reader_get_channel_count(const bel_recording_reader *r);

/** Name of channel ch (0-based, not counting t); "" if out of range. Call from: any thread. */
const char *bel_recording_reader_get_channel_name(const bel_recording_reader *r, int ch);

/** Index of the channel called name, or -1. Call from: any thread. */
int bel_recording_reader_find_channel(const bel_recording_reader *r, const char *name);

/** The path given at create. Call from: any thread. */
const char *bel_recording_reader_get_path(const bel_recording_reader *r);

/** The settings the recording's comment lines give; bel_recording_settings_default() when
 *  it has none. A settings line that does not read is a BEL_ERR_FORMAT at create, naming
 *  the line; not inverted and no calibration for a NULL reader, as the other getters
 *  answer it. Call from: any thread after create. */
const bel_recording_settings *bel_recording_reader_get_settings(const bel_recording_reader *r);

/** Bytes consumed so far and the file size (0 if not a regular
 *  file), for progress. Call from: the reading thread. */
void bel_recording_reader_get_progress(const bel_recording_reader *r, uint64_t *bytes_done,
                                       uint64_t *bytes_total);

typedef struct bel_recording_writer bel_recording_writer;

/** Create a recording CSV at path with a header `t,<names...>`. names[i] must be
 *  non-empty, shorter than BEL_RECORDING_NAME_LEN, free of commas, quotes, control
 *  characters and bytes that are not UTF-8, not start or end with a blank, not be "t",
 *  and not repeat another name (what the reader accepts); a calibration in settings needs
 *  what an assessment file needs (a relaxed belly level and depth). settings (NULL: the defaults)
 *  go before the header as comment lines when they are not the defaults; a recording
 *  made with the defaults is the plain `t,<names...>` CSV. *out NULL on failure;
 *  err (if not NULL) gets the reason. BEL_ERR_ARG, BEL_ERR_IO, BEL_ERR_NOMEM.
 *  Call from: setup, or the thread that writes. */
BEL_NODISCARD bel_status bel_recording_writer_create(const char *path, int n_channels,
                                                     const char *const *names,
                                                     const bel_recording_settings *settings,
                                                     bel_recording_writer **out, char *err,
                                                     size_t err_len);

/** Append one row: t to the microsecond (trailing zeros dropped), values as
 *  integers when integral, else with 9 significant digits (exact for float),
 *  after a line for each of the sample's actions.
 *  Only the first n_channels values are written. BEL_ERR_IO (sticky) on failure.
 *  A row that would not read back is not written: a time that is not finite or, to
 *  the microsecond, not after the previous row's, or a value that is not finite:
 *  BEL_ERR_ARG (not sticky; bel_recording_writer_get_error says which).
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_recording_writer_write(bel_recording_writer *w, const bel_sample *s);

/** Flush buffered rows to the OS. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_recording_writer_flush(bel_recording_writer *w);

/** Flush and close; returns the first error of the file's life. After a failed write
 *  (a full disk) the file is cut back to its last complete row.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_recording_writer_close(bel_recording_writer *w);

/** Free (closing without error checks if still open). NULL is fine. Call from: teardown. */
void bel_recording_writer_destroy(bel_recording_writer *w);

/** Message of the first error, naming the file; "" if none. Call from: the owning thread. */
const char *bel_recording_writer_get_error(const bel_recording_writer *w);

/** Format t_s as seconds to the microsecond with trailing zeros dropped
 *  ("12.34", "0"); from 1e15 s on (where microseconds mean nothing), the shortest
 *  exponent form that reads back exactly ("-1e+300"). Returns the length written, at
 *  most 31 for any finite t_s (buf holds at least 32 bytes). Call from: any thread. */
int bel_recording_format_time(char *buf, size_t len, double t_s);

#endif
