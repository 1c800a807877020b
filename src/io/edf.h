/* edf.h - EDF+ writer: belts as signals, events as annotations, for other tools.
 *
 * EDF+C (continuous): header of 256 + 256 * ns bytes (ASCII fields, space-padded),
 * then data records of 1 s holding samples_per_record 16-bit little-endian samples of
 * each belt and an "EDF Annotations" signal with one time-keeping TAL per record and
 * a TAL per event (onset in seconds from the start, its duration when it lasted,
 * text = what it was). A belt's label carries its EDF+ signal type ("Resp belly"),
 * so readers (MNE with infer_types, EDFbrowser) take it as respiration.
 * Physical minimum and maximum come from the data; digital range is -32768..32767,
 * so a value is kept to (max - min) / 65535.
 * Spec: Kemp et al., "European data format 'plus' (EDF+)", 2003; edfplus.info.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_EDF_H
#define BELLOWS_EDF_H

#include <stddef.h>

#include "bellows/status.h"

/** Most belt signals in one file. */
enum { BEL_EDF_MAX_SIGNALS = 8 };

/** One belt: n_samples values (borrowed), or streamed (bel_edf_info.read). label: up to 16
 *  ASCII characters. */
typedef struct bel_edf_signal {
    const char *label;     /**< EDF+ signal type and name, "Resp belly" */
    const char *dimension; /**< physical unit, up to 8 ASCII characters ("" for raw counts) */
    const float *samples;  /**< n_samples values at samples_per_record per second; NULL when
                                streamed */
    double min, max;       /**< streamed: the lowest and highest value (the header's physical
                                range); ignored with samples */
} bel_edf_signal;

/** A streamed file's next sample of every signal into values[0..n_signals-1]: 1, 0 at
 *  the end, or a negative bel_status. Called n_samples times at most, in order. */
typedef int (*bel_edf_read_fn)(void *ctx, float *values);

/** One annotation: onset in seconds from the start (>= 0), how long it lasted, and a
 *  short ASCII text. An onset before the start or after the last record is written at
 *  that end. */
typedef struct bel_edf_annotation {
    double onset_s;
    double duration_s; /**< > 0: an episode that lasted this long; 0 or NAN: an instant */
    const char *text;
} bel_edf_annotation;

typedef struct bel_edf_info {
    double start_unix_s; /**< start, seconds since 1970 (local date and time go in the header) */
    const char *patient_code; /**< EDF+ patient code (ASCII; spaces become '_'), NULL: "X" */
    const char *recording;    /**< EDF+ recording code, NULL: "bellows" */
    int samples_per_record;   /**< sample rate in Hz (records last 1 s), 1..10000 */
    int n_signals;            /**< 1..BEL_EDF_MAX_SIGNALS */
    const bel_edf_signal *signals;
    size_t n_samples; /**< per signal; the last record is padded with the last value */
    size_t n_annotations;
    const bel_edf_annotation *annotations;
    /** NULL: the samples are in signals[k].samples. Else they are read one by one as the
     *  records are written (memory bounded whatever the length), with the range in
     *  signals[k].min and max; a source ending early pads with the last values. */
    bel_edf_read_fn read;
    void *read_ctx;
} bel_edf_info;

/** Write info as an EDF+C file at path. Non-ASCII characters in labels, codes and
 *  annotation texts become '_'. Checks every write and the close; err (if not NULL)
 *  names the file on failure. BEL_ERR_ARG (bad info, non-finite samples), BEL_ERR_IO,
 *  BEL_ERR_NOMEM. Call from: any thread (allocates, writes a file). */
BEL_NODISCARD bel_status bel_edf_write(const char *path, const bel_edf_info *info, char *err,
                                       size_t err_len);

#endif
