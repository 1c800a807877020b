/* proto_encode.h - encoder of belt protocol lines (hardware/PROTOCOL.md) and its CRC-8.
 *
 * Plain C for the host and the avr-gcc firmware alike: no allocation, no
 * floats, no stdio. Every encoder writes one whole line ending in "\n",
 * NUL-terminated, into a caller buffer, and returns its length without the NUL.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PROTO_ENCODE_H
#define BELLOWS_PROTO_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "bellows/protocol_defs.h"
#include "bellows/status.h"

/** One channel as the info line describes it. */
typedef struct bel_proto_channel {
    char name[BEL_PROTO_NAME_MAX + 1]; /**< 1..NAME_MAX of [A-Za-z0-9._-], NUL-terminated */
    uint8_t status;                    /**< a bel_proto_channel_status */
} bel_proto_channel;

/** What the info line says about the device. */
typedef struct bel_proto_info {
    uint8_t version;                           /**< protocol version, BEL_PROTO_VERSION */
    char device[BEL_PROTO_DEVICE_MAX + 1];     /**< 1..DEVICE_MAX of [A-Za-z0-9._-] */
    char firmware[BEL_PROTO_FIRMWARE_MAX + 1]; /**< 1..FIRMWARE_MAX of [A-Za-z0-9._-] */
    uint16_t rate_hz;                          /**< RATE_MIN_HZ..RATE_MAX_HZ */
    uint8_t n_channels;                        /**< 1..MAX_CHANNELS entries in channel */
    bel_proto_channel channel[BEL_PROTO_MAX_CHANNELS];
} bel_proto_info;

/** CRC-8 (poly 0x07, init 0x00, MSB first, no final XOR) of `len` bytes at
 *  `data`; `data` may be NULL when `len` is 0. "123456789" gives 0xF4.
 *  Call from: any thread, ISR-free firmware code. Real-time safe. */
uint8_t bel_proto_crc8(const void *data, size_t len);

/** Fold one byte into a running CRC-8 (start from BEL_PROTO_CRC_INIT).
 *  Call from: anywhere. Real-time safe. */
uint8_t bel_proto_crc8_update(uint8_t crc, uint8_t byte);

/** Encode the sample line "S,<seq>,<v0>[,<v1>...]*<CRC>\n" into `buf`
 *  (`cap` bytes, borrowed). `values` holds `n_values` (1..MAX_CHANNELS)
 *  integers in -VALUE_MAX..VALUE_MAX.
 *  Returns the line length without the NUL, or BEL_ERR_ARG for a NULL
 *  pointer, a bad count or value, or a buffer too small (then buf holds ""
 *  if cap > 0). A buffer of BEL_PROTO_BUF_SIZE always suffices.
 *  Call from: anywhere (firmware main loop, host tests). Real-time safe. */
BEL_NODISCARD int bel_proto_encode_sample(char *buf, size_t cap, uint16_t seq,
                                          const int32_t *values, size_t n_values);

/** Encode the info line "I,<version>,<device>,<firmware>,<rate_hz>,<name>:<status>...*<CRC>\n"
 *  from `info` (borrowed) into `buf` (`cap` bytes).
 *  Returns the line length without the NUL, or BEL_ERR_ARG for a NULL
 *  pointer, a field out of its range or character set, a duplicate channel
 *  name, a status other than OK/ABSENT, or a buffer too small.
 *  Call from: anywhere. Real-time safe. */
BEL_NODISCARD int bel_proto_encode_info(char *buf, size_t cap, const bel_proto_info *info);

/** Encode the host's info request line "?\n". Returns 2, or BEL_ERR_ARG.
 *  Call from: anywhere. Real-time safe. */
BEL_NODISCARD int bel_proto_encode_request(char *buf, size_t cap);

#endif
