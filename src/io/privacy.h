/* privacy.h - the folders and files bellows writes are the user's alone: folders 0700,
 * files 0600, whatever the umask (DESIGN.md: health data is private).
 *
 * Every folder and file bellows creates (the store, recordings, events, assessments,
 * reports, exports) is made here; nothing else calls mkdir or creates a file.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PRIVACY_H
#define BELLOWS_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

#include "bellows/status.h"

/** Mode of the folders bellows creates. */
enum { BEL_PRIVACY_DIR_MODE = 0700, BEL_PRIVACY_FILE_MODE = 0600 };

/** mkdir -p dir: each missing folder on the way is created 0700 (set after mkdir, so the
 *  umask does not matter); folders that exist are left as they are. err (if not NULL)
 *  names the folder that failed: "/x/y: cannot create the folder: Permission denied".
 *  BEL_ERR_IO, BEL_ERR_NOMEM, BEL_ERR_ARG. Call from: any thread (file system). */
BEL_NODISCARD bel_status bel_privacy_make_dirs(const char *dir, char *err, size_t err_len);

/** Open path for writing, mode 0600 whatever the umask: created if missing; with
 *  is_new, fails (errno EEXIST, status BEL_ERR_IO) if it exists; otherwise truncated, and
 *  made 0600 if it is a regular file of this user (a device such as /dev/null is not). Returns the
 * file descriptor (close-on-exec) or a negative bel_status, with errno kept and err (if not NULL)
 * "PATH: cannot create: REASON". Call from: any thread (file system). */
BEL_NODISCARD int bel_privacy_open(const char *path, bool is_new, char *err, size_t err_len);

/** Make path (a folder: 0700, a regular file: 0600) private if it is this user's and
 *  others may read it (made by an older bellows, or under another umask). Anything else
 *  (missing, not ours, a device) is left alone. BEL_ERR_IO (errno kept) if chmod fails.
 *  Call from: any thread (file system). */
BEL_NODISCARD bel_status bel_privacy_tighten(const char *path);

/** Claim a set of new file names: for stem, then stem-2, stem-3, ... (up to stem-9999),
 *  create stem+exts[i] for every i, each new (O_EXCL) and 0600, until one stem has
 *  all of them free; files of a stem that was only partly free are removed again. The
 *  chosen stem goes to out (out_len bytes), the files are left empty for the caller to
 *  write, so two writers (two sessions started in the same second) never share one.
 *  err (if not NULL) names the file that failed. BEL_ERR_IO, BEL_ERR_ARG (too long).
 *  Call from: any thread (file system). */
BEL_NODISCARD bel_status bel_privacy_claim_names(const char *stem, const char *const *exts,
                                                 int n_exts, char *out, size_t out_len, char *err,
                                                 size_t err_len);

#endif
