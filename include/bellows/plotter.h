/* plotter.h - byte-at-a-time parser of the Arduino Serial Plotter format, so any sketch is a belt.
 *
 * A line is up to BEL_MAX_CHANNELS numbers separated by spaces, commas or tabs
 * (runs of them count as one), each optionally labelled `name:value`, ended by
 * "\n" or "\r\n": what `Serial.println(analogRead(A0))` or
 * `Serial.print("belly:"); Serial.print(a); Serial.print(",chest:"); ...` print.
 * The first line after init or reset is skipped (the port may have been opened
 * mid-line); the first accepted line fixes the number of values, and later lines
 * with another count are rejected. Bounded memory, no allocation, no I/O; bad
 * lines are counted by kind and parsing resumes after the next "\n".
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_PLOTTER_H
#define BELLOWS_PLOTTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/sample.h"

enum {
    /** Most bytes in a line, not counting its ending. */
    BEL_PLOTTER_LINE_MAX = 200,
    /** Most characters of a label kept (longer ones are cut). */
    BEL_PLOTTER_NAME_MAX = 12,
};

/** Largest magnitude of a value accepted (raw sensor units). */
static const double BEL_PLOTTER_VALUE_MAX = 1e9;

/** What one pushed byte completed. */
typedef enum bel_plotter_result {
    BEL_PLOTTER_NONE = 0, /**< nothing yet (mid-line, an empty or skipped line) */
    BEL_PLOTTER_LINE,     /**< a line of values: *line */
    BEL_PLOTTER_ERROR,    /**< a rejected line: *error */
} bel_plotter_result;

/** Why a line was rejected. */
typedef enum bel_plotter_error_kind {
    BEL_PLOTTER_ERR_NONE = 0,
    BEL_PLOTTER_ERR_MALFORMED,       /**< a field is not a number or label:number */
    BEL_PLOTTER_ERR_OVERLONG,        /**< more than BEL_PLOTTER_LINE_MAX bytes */
    BEL_PLOTTER_ERR_TOO_MANY_VALUES, /**< more than BEL_MAX_CHANNELS values */
    BEL_PLOTTER_ERR_RANGE,           /**< a value beyond BEL_PLOTTER_VALUE_MAX */
    BEL_PLOTTER_ERR_CHANNEL_COUNT,   /**< not as many values as the first line */
    BEL_PLOTTER_ERR_COUNT
} bel_plotter_error_kind;

/** One accepted line. */
typedef struct bel_plotter_line {
    uint8_t n_values;              /**< 1..BEL_MAX_CHANNELS */
    float value[BEL_MAX_CHANNELS]; /**< the numbers as printed */
    /** Each value's label (characters other than letters, digits, '_', '-' and '.'
     *  become '_'), "" when it had none. */
    char label[BEL_MAX_CHANNELS][BEL_PLOTTER_NAME_MAX + 1];
} bel_plotter_line;

/** Counters since init. Every line ended by "\n" counts once in `lines`, as one
 *  of: skipped (the first), empty, ok or one of errors[]. */
typedef struct bel_plotter_stats {
    uint64_t bytes;
    uint64_t lines;
    uint64_t skipped;
    uint64_t empty;
    uint64_t lines_ok;
    uint64_t n_errors;
    uint64_t errors[BEL_PLOTTER_ERR_COUNT]; /**< per bel_plotter_error_kind ([0] stays 0) */
} bel_plotter_stats;

/** Caller-owned parser state; embed it, never touch the fields. */
typedef struct bel_plotter_parser {
    /* private: */
    char line[BEL_PLOTTER_LINE_MAX + 1]; /* room for LINE_MAX bytes and a "\r" */
    size_t len;
    bool is_overlong;
    bool is_skipping; /* the first line after init or reset */
    uint8_t n_values; /* fixed by the first accepted line; 0 = not yet */
    bel_plotter_stats stats;
} bel_plotter_parser;

/** Start afresh: skip the first line, no value count, counters zero.
 *  Call from: any thread that owns the parser. */
void bel_plotter_parser_init(bel_plotter_parser *parser);

/** After a reconnect: drop the partial line and skip the next one, keeping the
 *  value count and the counters. Call from: the thread that owns the parser. */
void bel_plotter_parser_reset(bel_plotter_parser *parser);

/** Feed one byte. On BEL_PLOTTER_LINE *line is written, on BEL_PLOTTER_ERROR
 *  *error; all pointers must be valid (asserted). Call from: the input thread.
 *  Real-time safe: bounded work, no allocation. */
bel_plotter_result bel_plotter_parser_push(bel_plotter_parser *parser, uint8_t byte,
                                           bel_plotter_line *line, bel_plotter_error_kind *error);

/** Values per line fixed by the first accepted line, 0 before it. Call from: the owner. */
int bel_plotter_parser_get_n_values(const bel_plotter_parser *parser);

/** Counters so far. Call from: the thread that owns the parser. */
bel_plotter_stats bel_plotter_parser_get_stats(const bel_plotter_parser *parser);

/** Short English name of an error kind; "unknown" if out of range. Never NULL.
 *  Call from: any thread. */
const char *bel_plotter_error_name(bel_plotter_error_kind kind);

/** Name of channel ch (0-based) of line into buf: its label, else "belly" for the
 *  first, "chest" for the second, "ch3", "ch4". Call from: any thread. */
void bel_plotter_channel_name(const bel_plotter_line *line, int ch, char *buf, size_t len);

#endif
