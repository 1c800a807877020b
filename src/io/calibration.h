/* calibration.h - read the calibration an assessment wrote (ASSESS.json).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CALIBRATION_H
#define BELLOWS_CALIBRATION_H

#include <stddef.h>

#include "bellows/holdin.h"
#include "bellows/status.h"

/** Read the "calibration" object of the JSON file at path (as written by
 *  `bellows assess`) into *out (is_valid true on success; fields the file lacks
 *  are NAN, chest_gain 1). On failure *out is bel_holdin_calibration_none() and
 *  err (if not NULL) says what and where, e.g. "a.json:4: 'belly_depth' is not
 *  a number". BEL_ERR_IO (cannot read), BEL_ERR_FORMAT (bad content).
 *  Call from: any thread. */
BEL_NODISCARD bel_status bel_calibration_load(const char *path, bel_holdin_calibration *out,
                                              char *err, size_t err_len);

/** The same from the text of an assessment (len bytes, e.g. as kept in the session
 *  store; not NUL-terminated, may hold any bytes); name stands for the file in
 *  messages. Call from: any thread. */
BEL_NODISCARD bel_status bel_calibration_parse(const char *name, const char *text, size_t len,
                                               bel_holdin_calibration *out, char *err,
                                               size_t err_len);

#endif
