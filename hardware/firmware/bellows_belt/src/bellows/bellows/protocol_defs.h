/* protocol_defs.h - constants of the belt wire protocol (hardware/PROTOCOL.md).
 *
 * Plain C shared by the host and the avr-gcc firmware, which carries an
 * identical copy: no libc beyond <stdint.h>. Constants are enums where the
 * value fits a 16-bit int (avr-gcc's int); wider ones are static const.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PROTOCOL_DEFS_H
#define BELLOWS_PROTOCOL_DEFS_H

#include <stdint.h>

/** Protocol version carried as the first field of the info line. */
enum { BEL_PROTO_VERSION = 1 };

/** Serial line speed, 8 data bits, no parity, 1 stop bit (8N1). 115200 does
 *  not fit avr-gcc's 16-bit int, hence static const and not enum. */
static const uint32_t BEL_PROTO_BAUD = 115200UL;

enum {
    /** Most bytes in a line, not counting its "\n" or "\r\n" ending. */
    BEL_PROTO_LINE_MAX = 128,
    /** Buffer an encoder needs for any line: LINE_MAX, "\n" and a NUL. */
    BEL_PROTO_BUF_SIZE = BEL_PROTO_LINE_MAX + 2,
    /** Most channels (values in a sample line, channels in an info line). */
    BEL_PROTO_MAX_CHANNELS = 4,
    /** Most characters of the device name, firmware version, channel name. */
    BEL_PROTO_DEVICE_MAX = 16,
    BEL_PROTO_FIRMWARE_MAX = 12,
    BEL_PROTO_NAME_MAX = 12,
    /** Most characters of a channel status word ("ok", "absent", future words). */
    BEL_PROTO_STATUS_MAX = 8,
    /** Sample rate announced in the info line, Hz (integer). */
    BEL_PROTO_RATE_MIN_HZ = 1,
    BEL_PROTO_RATE_MAX_HZ = 1000,
    /** Most decimal digits of a value (without its sign) and of a sequence number. */
    BEL_PROTO_VALUE_DIGITS_MAX = 8,
    BEL_PROTO_SEQ_DIGITS_MAX = 5,
    /** CRC-8: polynomial x^8 + x^2 + x + 1, initial value 0, MSB first, no final XOR. */
    BEL_PROTO_CRC_POLY = 0x07,
    BEL_PROTO_CRC_INIT = 0x00,
};

/** Sequence numbers count 0..SEQ_MAX and wrap to 0. */
static const uint16_t BEL_PROTO_SEQ_MAX = 65535U;
/** Values are integers in -VALUE_MAX..VALUE_MAX (2^24 - 1: exact in a float). */
static const int32_t BEL_PROTO_VALUE_MAX = 16777215L;

/** Characters with a fixed meaning. */
enum {
    BEL_PROTO_CHAR_SAMPLE = 'S',  /**< first byte of a sample line */
    BEL_PROTO_CHAR_INFO = 'I',    /**< first byte of an info line */
    BEL_PROTO_CHAR_REQUEST = '?', /**< the whole host request line */
    BEL_PROTO_CHAR_SEP = ',',     /**< field separator */
    BEL_PROTO_CHAR_STATUS = ':',  /**< between a channel name and its status */
    BEL_PROTO_CHAR_CRC = '*',     /**< before the two hex digits of the CRC */
    BEL_PROTO_CHAR_CR = '\r',     /**< optional, before the line end */
    BEL_PROTO_CHAR_EOL = '\n',    /**< ends every line */
};

/** Status of a channel in the info line. */
typedef enum bel_proto_channel_status {
    BEL_PROTO_CH_OK = 0,      /**< "ok": sensor present */
    BEL_PROTO_CH_ABSENT = 1,  /**< "absent": no sensor; its values mean nothing */
    BEL_PROTO_CH_UNKNOWN = 2, /**< a status word from a newer firmware (host side only) */
} bel_proto_channel_status;

#endif
