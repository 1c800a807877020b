/* calibration.h - the assessment JSON (ASSESS.json): its writer and the reader of its calibration.
 *
 * `bellows assess` writes one object: "calibration" (what the pipeline starts from in a
 * later session: polarity, relaxed levels and depths), "report" (the assessment's
 * figures), "assessment" (where it came from) and, when the therapist gave any,
 * "findings". Readers need only "calibration"; its numbers are written so that they read
 * back as the same floats.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CALIBRATION_H
#define BELLOWS_CALIBRATION_H

#include <stdbool.h>
#include <stddef.h>

#include "bellows/holdin.h"
#include "bellows/pipeline.h"
#include "bellows/status.h"
#include "store.h"

/** An assessment as written. Pointers are borrowed for the call. */
typedef struct bel_calibration_assessment {
    bel_holdin_calibration calibration; /**< what it learnt (is_valid is not written) */
    const bel_summary *summary;         /**< its figures: the "report" object */
    double chest_belly_lag_s;           /**< the report's chest-belly lag (NAN: unknown) */
    const char *source;                 /**< the belt it was taken on */
    bool is_simulated;                  /**< the built-in simulated belt */
    const char *recording;              /**< the path of its recording */
    double deep_breath_ratio;           /**< the deep breath's depth over the relaxed one */
    double deep_breath_start_s;         /**< when the deep breath phase started */
    const bel_store_findings *findings; /**< the therapist's findings, NULL: none */
} bel_calibration_assessment;

/** The assessment a as JSON text in *out (malloc'd, NUL-terminated, *out_len bytes without
 *  the NUL; the caller frees it): the same text goes to the file and into the store.
 *  Unknown numbers are null; strings are escaped. *out NULL on failure (BEL_ERR_NOMEM,
 *  BEL_ERR_ARG). Call from: any thread. */
BEL_NODISCARD bel_status bel_calibration_format(const bel_calibration_assessment *a, char **out,
                                                size_t *out_len);

/** The calibration c alone as a one-line JSON document {"calibration": {...}} (the form
 *  bel_calibration_parse reads) in buf (len bytes, always terminated); returns the length
 *  it needs, like snprintf. Call from: any thread. */
size_t bel_calibration_format_line(const bel_holdin_calibration *c, char *buf, size_t len);

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
