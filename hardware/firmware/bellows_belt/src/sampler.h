/* sampler.h - oversampling and absent-sensor detection of the belt firmware.
 *
 * Plain C, no registers: the AVR code feeds it raw 10-bit ADC readings, the
 * host tests feed it arrays. Per sample period and channel it takes 4^bits
 * readings (summed, then shifted right by bits: AVR121 oversampling) and at
 * most one pull-up probe reading, then bel_sampler_finish() makes the values
 * and updates each channel's present/absent status.
 *
 * Absent detection: a channel is evidence of "no sensor" in a period when its
 * mean reading is within BEL_SAMPLER_RAIL_MARGIN counts of 0 or 1023 (an
 * unplugged cord leaves the divider's fixed resistor pulling the pin to a
 * rail), or when its probe reading, taken with the AVR's internal pull-up
 * (20..50 kOhm) switched on, reaches the top rail (a floating pin follows
 * the pull-up; a pin driven by the <= 5 kOhm divider moves by a fraction of
 * its distance to 5 V and cannot reach it). The status flips only after
 * `absent_after` or `present_after` consecutive periods saying so.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FW_SAMPLER_H
#define BELLOWS_FW_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "bellows/proto_encode.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    /** Most channels a sampler handles. */
    BEL_SAMPLER_MAX_CHANNELS = 2,
    /** Largest 10-bit ADC reading. */
    BEL_SAMPLER_ADC_MAX = 1023,
    /** A mean this close to 0 or ADC_MAX counts as a railed (absent) input. */
    BEL_SAMPLER_RAIL_MARGIN = 4,
};

/** One channel's state; private. */
typedef struct bel_sampler_channel {
    uint16_t sum;    /* readings this period */
    uint8_t n;       /* how many */
    bool has_probe;  /* a probe reading came this period */
    uint16_t probe;  /* that reading */
    uint8_t status;  /* BEL_PROTO_CH_OK or BEL_PROTO_CH_ABSENT */
    uint8_t streak;  /* consecutive periods contradicting status */
    bool has_status; /* status set by a first period */
} bel_sampler_channel;

/** Caller-owned sampler; embed it, set it up with bel_sampler_init. */
typedef struct bel_sampler {
    /* private: */
    uint8_t n_channels;
    uint8_t extra_bits;
    uint8_t absent_after;
    uint8_t present_after;
    bel_sampler_channel ch[BEL_SAMPLER_MAX_CHANNELS];
} bel_sampler;

/** Set up `s` (borrowed) for `n_channels` (1..MAX_CHANNELS, clamped) with
 *  `extra_bits` (0..3, clamped) of oversampling; a status flips after
 *  `absent_after` / `present_after` (>= 1) consecutive periods of evidence.
 *  Call from: setup. */
void bel_sampler_init(bel_sampler *s, uint8_t n_channels, uint8_t extra_bits, uint8_t absent_after,
                      uint8_t present_after);

/** Readings to add per channel and period: 4^extra_bits. Call from: anywhere. */
uint8_t bel_sampler_get_n_readings(const bel_sampler *s);

/** Add one raw reading (0..1023, larger clamped) of channel `ch`; readings
 *  beyond get_n_readings in a period are ignored. Call from: main loop. */
void bel_sampler_add(bel_sampler *s, uint8_t ch, uint16_t raw);

/** Record the pull-up probe reading (0..1023) of channel `ch` for this
 *  period. Call from: main loop. */
void bel_sampler_add_probe(bel_sampler *s, uint8_t ch, uint16_t raw);

/** End the period: write n_channels values to `values` (0..1023 << extra_bits,
 *  the readings' sum shifted right by extra_bits; 0 for an absent channel),
 *  update the statuses, and start the next period. A channel with fewer
 *  readings than get_n_readings is scaled up from what it got. Returns true
 *  when a status changed, and on the first period (the statuses are new).
 *  Call from: main loop. */
bool bel_sampler_finish(bel_sampler *s, int32_t *values);

/** Status of channel `ch`: BEL_PROTO_CH_OK or BEL_PROTO_CH_ABSENT (ABSENT
 *  before the first period). Call from: anywhere. */
uint8_t bel_sampler_get_status(const bel_sampler *s, uint8_t ch);

/** Fill `info` (written) with the belt's info line content: protocol
 *  version, device "bellows-belt", `firmware` version (token, copied up to
 *  BEL_PROTO_FIRMWARE_MAX), `rate_hz`, channels "belly" and "chest" (in
 *  that order, as many as the sampler has) with their statuses.
 *  Call from: main loop. */
void bel_sampler_make_info(const bel_sampler *s, const char *firmware, uint16_t rate_hz,
                           bel_proto_info *info);

#ifdef __cplusplus
}
#endif

#endif
