/* outfile.h - an output file that checks every write, flush and close and keeps its own error.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_OUTFILE_H
#define BELLOWS_OUTFILE_H

#include <stddef.h>

#include "bellows/status.h"

#if defined(__GNUC__) || defined(__clang__)
#define BEL_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define BEL_PRINTF_LIKE(fmt, args)
#endif

/** Longest error message an I/O object keeps, including the terminator. */
enum { BEL_IO_ERR_LEN = 512 };

typedef struct bel_outfile bel_outfile;

/** Create (truncate) `path` for writing, mode 0600 whatever the umask (privacy.h); copies
 *  path. *out is NULL on failure and err (if not NULL) gets "PATH: cannot create: REASON".
 *  BEL_ERR_IO, BEL_ERR_NOMEM. Call from: setup, or the thread that owns the file. */
BEL_NODISCARD bel_status bel_outfile_create(const char *path, bel_outfile **out, char *err,
                                            size_t err_len);

/** bel_outfile_create for a whole document (a report, an export, a summary, an
 *  assessment), which is of use only whole: written under a temporary name beside path
 *  and put in its place by bel_outfile_close only once every write and the sync
 *  succeeded. On a failure (a full disk), or destroyed before it is closed, the temporary
 *  file is removed: no part of a document is left, and a file already at path stays as
 *  it was. A path that is not a regular file (/dev/stdout, a pipe, a link) is written
 *  directly, as bel_outfile_create does; so is one in a folder where no other name can
 *  be made. Same errors as bel_outfile_create. Call from: setup, or the thread that owns
 *  the file. */
BEL_NODISCARD bel_status bel_outfile_create_whole(const char *path, bel_outfile **out, char *err,
                                                  size_t err_len);

/** Append len bytes. Errors are sticky: after the first failure every call
 *  returns BEL_ERR_IO and bel_outfile_get_error names the file and the reason.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_outfile_write(bel_outfile *f, const char *data, size_t len);

/** Append formatted text (same error rules as bel_outfile_write). Call from: the owning thread. */
BEL_NODISCARD bel_status bel_outfile_printf(bel_outfile *f, const char *fmt, ...)
    BEL_PRINTF_LIKE(2, 3);

/** Hand buffered data to the OS. BEL_ERR_IO on failure (for example a full disk).
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_outfile_flush(bel_outfile *f);

/** Flush and close; further writes fail. Returns the first error of the file's
 *  life (a failed write, flush or close), BEL_OK if there was none. A whole document
 *  (bel_outfile_create_whole) is synced and put in place here, or removed.
 *  Call from: the owning thread. */
BEL_NODISCARD bel_status bel_outfile_close(bel_outfile *f);

/** bel_outfile_close for a text file of lines (recordings, events): when a write failed
 *  (a full disk), the file is cut back to its last complete line, so what was written
 *  reads cleanly. Call from: the owning thread. */
BEL_NODISCARD bel_status bel_outfile_close_lines(bel_outfile *f);

/** Close (ignoring errors) if still open, then free. NULL is fine. Call from: teardown. */
void bel_outfile_destroy(bel_outfile *f);

/** Message of the first error ("out.csv: cannot write: No space left on device"),
 *  "" if none. Valid until the next call on f. Call from: the owning thread. */
const char *bel_outfile_get_error(const bel_outfile *f);

/** The path given at create. Call from: any thread. */
const char *bel_outfile_get_path(const bel_outfile *f);

#endif
