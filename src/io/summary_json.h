/* summary_json.h - the JSON summary of an analysed recording.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SUMMARY_JSON_H
#define BELLOWS_SUMMARY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/pipeline.h"
#include "bellows/status.h"

/** What goes into a summary besides the pipeline's statistics. Pointers are borrowed. */
typedef struct bel_summary_json_info {
    const char *input_path;    /**< the recording analysed */
    const char *channel;       /**< name of the belly channel */
    const char *chest_channel; /**< name of the chest channel, NULL for none */
    bool inverted;             /**< the belly signal was inverted */
    double fs_hz;              /**< sample rate used */
    uint64_t n_samples;        /**< samples processed */
    const bel_summary *summary;
    int n_errors; /**< problems with the input; 0 when it was read through */
    const char *const *errors;
} bel_summary_json_info;

/** Write info as one JSON object to path. Keys: ok, input, channel, chest_channel,
 *  inverted, fs_hz, n_samples, duration_s, n_breaths, rate_bpm, rate_spectral_bpm,
 *  ti_s, te_s, ie_ratio, depth, variability, belly_share, events {kind: count}, n_spikes,
 *  n_clipped, n_missed, belly_inverted, chest_inverted, n_polarity_flips, polarity_score,
 *  polarity_mean, polarity_share, looks_turned_round (bel_summary_looks_turned_round),
 *  n_restarts,
 *  errors [messages]. Unknown (NAN) numbers are null.
 *  Checks every write and the close; err (if not NULL) names the file on failure.
 *  Returns BEL_OK, BEL_ERR_ARG, BEL_ERR_IO or BEL_ERR_NOMEM. Call from: any thread. */
BEL_NODISCARD bel_status bel_summary_json_write(const char *path, const bel_summary_json_info *info,
                                                char *err, size_t err_len);

/** Write s as a JSON string literal (quotes, backslash, control characters escaped)
 *  into buf; returns the length it needs (like snprintf). Call from: any thread. */
size_t bel_summary_json_escape(char *buf, size_t len, const char *s);

#endif
