/* protocol.h - byte-at-a-time parser of the belt wire protocol (hardware/PROTOCOL.md).
 *
 * Bounded memory, no allocation, no I/O. Survives any byte stream: bad lines
 * are rejected with a typed, counted error and parsing resumes after the next
 * "\n". Sequence gaps are reported per sample, so the pipeline knows how much
 * time passed.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PROTOCOL_H
#define BELLOWS_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/proto_encode.h"
#include "bellows/protocol_defs.h"
#include "bellows/sample.h"

/** What one pushed byte completed. */
typedef enum bel_proto_result {
    BEL_PROTO_NONE = 0, /**< nothing yet (mid-line, or an empty line) */
    BEL_PROTO_SAMPLE,   /**< a sample line: msg->sample */
    BEL_PROTO_INFO,     /**< an info line: msg->info */
    BEL_PROTO_REQUEST,  /**< the info request "?" (what the firmware answers) */
    BEL_PROTO_ERROR,    /**< a rejected line: msg->error */
} bel_proto_result;

/** Why a line was rejected. */
typedef enum bel_proto_error_kind {
    BEL_PROTO_ERR_NONE = 0,
    BEL_PROTO_ERR_CHECKSUM,          /**< CRC does not match the line */
    BEL_PROTO_ERR_MALFORMED,         /**< a field breaks the grammar (see field) */
    BEL_PROTO_ERR_OVERLONG,          /**< more than BEL_PROTO_LINE_MAX bytes before "\n" */
    BEL_PROTO_ERR_TOO_MANY_CHANNELS, /**< more than BEL_PROTO_MAX_CHANNELS values or channels */
    BEL_PROTO_ERR_RANGE,             /**< a number outside its range (see field) */
    BEL_PROTO_ERR_UNKNOWN_TYPE,      /**< a valid line of a type this host does not know */
    BEL_PROTO_ERR_VERSION,           /**< an info line of another protocol version */
    BEL_PROTO_ERR_CHANNEL_COUNT,     /**< sample's value count differs from the info line's */
    BEL_PROTO_ERR_COUNT
} bel_proto_error_kind;

/** bel_proto_error.field for an error in the "*HH" checksum suffix. */
enum { BEL_PROTO_FIELD_CHECKSUM = 255 };

/** A rejected line. */
typedef struct bel_proto_error {
    bel_proto_error_kind kind;
    /** Where: 0 the type letter, 1.. the comma-separated fields after it
     *  (sample: 1 seq, 2.. values; info: 1 version, 2 device, 3 firmware,
     *  4 rate, 5.. channels), BEL_PROTO_FIELD_CHECKSUM the suffix; 0 for
     *  OVERLONG and CHECKSUM. */
    uint8_t field;
} bel_proto_error;

/** A parsed sample line. */
typedef struct bel_proto_sample {
    uint16_t seq;      /**< sequence number 0..65535 */
    uint32_t n_missed; /**< samples lost just before this one (0 for the first after init,
                            reset or an info line) */
    uint8_t n_values;  /**< 1..BEL_PROTO_MAX_CHANNELS entries in value */
    int32_t value[BEL_PROTO_MAX_CHANNELS]; /**< raw values, -VALUE_MAX..VALUE_MAX */
} bel_proto_sample;

/** What push completed. Only the member matching `kind` is meaningful. */
typedef struct bel_proto_msg {
    bel_proto_result kind;
    bel_proto_sample sample;
    bel_proto_info info;
    bel_proto_error error;
} bel_proto_msg;

/** Counters since init. Every line ended by "\n" counts once in `lines`, as
 *  one of: empty, ok (samples + infos + requests) or one of errors[]. */
typedef struct bel_proto_stats {
    uint64_t bytes;                       /**< bytes pushed */
    uint64_t lines;                       /**< lines ended by "\n" */
    uint64_t lines_ok;                    /**< samples + infos + requests */
    uint64_t empty;                       /**< empty lines (ignored) */
    uint64_t samples;                     /**< sample lines accepted */
    uint64_t infos;                       /**< info lines accepted */
    uint64_t requests;                    /**< "?" lines */
    uint64_t n_missed;                    /**< sum of n_missed over accepted samples */
    uint64_t n_errors;                    /**< sum of errors[] */
    uint64_t errors[BEL_PROTO_ERR_COUNT]; /**< per bel_proto_error_kind ([0] stays 0) */
} bel_proto_stats;

/** Caller-owned parser state; embed it, never touch the fields. */
typedef struct bel_proto_parser {
    /* private: */
    uint8_t line[BEL_PROTO_LINE_MAX + 1]; /* room for LINE_MAX bytes and a "\r" */
    size_t len;
    bool is_overlong;
    bool has_last_seq;
    uint16_t last_seq;
    uint8_t n_channels; /* from the last info line; 0 = not known */
    bel_proto_stats stats;
} bel_proto_parser;

/** Start `parser` (borrowed) afresh: no partial line, no sequence or channel
 *  history, counters zero. Call from: any thread that owns the parser. */
void bel_proto_parser_init(bel_proto_parser *parser);

/** Drop the partial line, the sequence and the channel count (after a
 *  reconnect or a source timeout), keeping the counters. The next sample
 *  carries no gap. Call from: the thread that owns the parser. */
void bel_proto_parser_reset(bel_proto_parser *parser);

/** Feed one byte. Returns what it completed; when not BEL_PROTO_NONE, `msg`
 *  (borrowed, written) holds it, and msg->kind always equals the result.
 *  Both pointers must be valid (asserted).
 *  Call from: the input thread. Real-time safe: bounded work, no allocation. */
bel_proto_result bel_proto_parser_push(bel_proto_parser *parser, uint8_t byte, bel_proto_msg *msg);

/** Feed bytes until one completes a message or `len` run out. Returns the
 *  number of bytes consumed (including the one that completed a message);
 *  *result (written) says what, as bel_proto_parser_push would. Call again
 *  with the rest. Call from: the input thread. Real-time safe. */
size_t bel_proto_parser_push_bytes(bel_proto_parser *parser, const uint8_t *data, size_t len,
                                   bel_proto_msg *msg, bel_proto_result *result);

/** Counters so far. Call from: the thread that owns the parser. */
bel_proto_stats bel_proto_parser_get_stats(const bel_proto_parser *parser);

/** Short English name of an error kind ("bad checksum"); "unknown" if out
 *  of range. Never NULL. Call from: any thread. */
const char *bel_proto_error_name(bel_proto_error_kind kind);

/** The pipeline's sample for a parsed one, at `t_s` seconds (computed by the
 *  caller, e.g. from seq and the info line's rate). Values become floats
 *  exactly (|value| < 2^24). Call from: any thread. Real-time safe. */
bel_sample bel_proto_make_sample(const bel_proto_sample *parsed, double t_s);

#endif
