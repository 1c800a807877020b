/* sample.h - one multi-channel sample as every source hands it to the pipeline.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SAMPLE_H
#define BELLOWS_SAMPLE_H

#include <stdint.h>

/** Most channels a belt (and so a sample) carries. */
enum { BEL_MAX_CHANNELS = 4 };

/** One sample of every channel. Plain data, copied freely.
 *  Values are raw sensor units (ADC counts, or a recording's units);
 *  expansion normally reads as a larger value. */
typedef struct bel_sample {
    double t_s;                    /**< seconds from the start of the source */
    uint32_t n_missed;             /**< samples lost just before this one (sequence gap) */
    uint8_t n_channels;            /**< 1..BEL_MAX_CHANNELS valid entries in value */
    float value[BEL_MAX_CHANNELS]; /**< raw value per channel */
} bel_sample;

#endif
