/* sample.h - one multi-channel sample as every source hands it to the pipeline.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SAMPLE_H
#define BELLOWS_SAMPLE_H

#include <stdint.h>

/** Most channels a belt (and so a sample) carries. */
enum { BEL_MAX_CHANNELS = 4 };

/** What the person asked for just before a sample (bel_sample.actions): it acts on the
 *  pipeline before the sample is processed, live and when a recording is read again. */
enum bel_action {
    BEL_ACTION_RELEARN = 1u,      /**< r: this is my rest now (learn the relaxed state afresh) */
    BEL_ACTION_TURN_ROUND = 2u,   /**< i: the figure shrinks as I breathe in (the belts read the
                                       other way round) */
    BEL_ACTION_KEEP_READING = 4u, /**< the breathing follows the pacer as the belts read: that
                                       is the way they read (the breath's shape turns them no
                                       more) */
    BEL_ACTION_ALL = 7u, /**< every action above (a recording keeps these bits, no other) */
};

/** One sample of every channel. Plain data, copied freely.
 *  Values are raw sensor units (ADC counts, or a recording's units);
 *  expansion normally reads as a larger value. */
typedef struct bel_sample {
    double t_s;                    /**< seconds from the start of the source */
    uint32_t n_missed;             /**< samples lost just before this one (sequence gap) */
    uint8_t n_channels;            /**< 1..BEL_MAX_CHANNELS valid entries in value */
    float value[BEL_MAX_CHANNELS]; /**< raw value per channel */
    uint8_t actions;               /**< bel_action bits asked for just before this sample (0:
                                        none); a recording keeps them */
} bel_sample;

#endif
