/* protocol.c - byte-at-a-time parser of the belt wire protocol (hardware/PROTOCOL.md).
 * SPDX-License-Identifier: MIT */
#include "bellows/protocol.h"

#include <assert.h>
#include <string.h>

_Static_assert((int)BEL_PROTO_MAX_CHANNELS == (int)BEL_MAX_CHANNELS,
               "a sample line must fit a bel_sample");
_Static_assert(BEL_PROTO_ERR_COUNT <= 16, "error kinds are few");

/* The comma-separated fields of a line body (the bytes before '*').
 * `pos` is at the ',' before the next field, or at `end` when none is left. */
typedef struct field_iter {
    const uint8_t *s;
    size_t pos;
    size_t end;
} field_iter;

typedef struct field {
    const uint8_t *s;
    size_t len;
} field;

static bool next_field(field_iter *it, field *out)
{
    if (it->pos >= it->end) {
        return false;
    }
    size_t start = it->pos + 1; /* skip the ',' */
    size_t i = start;
    while (i < it->end && it->s[i] != BEL_PROTO_CHAR_SEP) {
        i++;
    }
    out->s = it->s + start;
    out->len = i - start;
    it->pos = i;
    return true;
}

static bel_proto_result fail(bel_proto_parser *p, bel_proto_msg *msg, bel_proto_error_kind kind,
                             unsigned field_index)
{
    p->stats.errors[kind]++;
    p->stats.n_errors++;
    msg->kind = BEL_PROTO_ERROR;
    msg->error.kind = kind;
    msg->error.field = (uint8_t)field_index;
    return BEL_PROTO_ERROR;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1; /* lowercase is not canonical: rejected */
}

/* Canonical unsigned decimal: digits only, no leading zero (except "0"). */
static bel_proto_error_kind parse_uint(field f, size_t max_digits, uint32_t max, uint32_t *out)
{
    *out = 0;
    if (f.len == 0) {
        return BEL_PROTO_ERR_MALFORMED;
    }
    for (size_t i = 0; i < f.len; i++) {
        if (f.s[i] < '0' || f.s[i] > '9') {
            return BEL_PROTO_ERR_MALFORMED;
        }
    }
    if (f.len > 1 && f.s[0] == '0') {
        return BEL_PROTO_ERR_MALFORMED;
    }
    if (f.len > max_digits) {
        return BEL_PROTO_ERR_RANGE;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < f.len; i++) {
        v = v * 10U + (uint32_t)(f.s[i] - '0'); /* at most 8 digits: no overflow */
    }
    if (v > max) {
        return BEL_PROTO_ERR_RANGE;
    }
    *out = v;
    return BEL_PROTO_ERR_NONE;
}

/* Canonical signed decimal: optional '-', no "-0". */
static bel_proto_error_kind parse_value(field f, int32_t *out)
{
    *out = 0;
    bool is_negative = f.len > 0 && f.s[0] == '-';
    if (is_negative) {
        f.s++;
        f.len--;
    }
    uint32_t mag = 0;
    bel_proto_error_kind err =
        parse_uint(f, BEL_PROTO_VALUE_DIGITS_MAX, (uint32_t)BEL_PROTO_VALUE_MAX, &mag);
    if (err != BEL_PROTO_ERR_NONE) {
        return err;
    }
    if (is_negative && mag == 0) {
        return BEL_PROTO_ERR_MALFORMED;
    }
    *out = is_negative ? -(int32_t)mag : (int32_t)mag;
    return BEL_PROTO_ERR_NONE;
}

static bool is_token_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* 1..max_len token characters, copied NUL-terminated into out (max_len + 1 bytes). */
static bool copy_token(field f, size_t max_len, char *out)
{
    out[0] = '\0';
    if (f.len < 1 || f.len > max_len) {
        return false;
    }
    for (size_t i = 0; i < f.len; i++) {
        if (!is_token_char(f.s[i])) {
            return false;
        }
        out[i] = (char)f.s[i];
    }
    out[f.len] = '\0';
    return true;
}

static bool field_is(field f, const char *word)
{
    size_t n = strlen(word);
    return f.len == n && memcmp(f.s, word, n) == 0;
}

/* "<name>:<status>" into ch; false if it breaks the grammar. */
static bool parse_channel(field f, bel_proto_channel *ch)
{
    size_t colon = 0;
    while (colon < f.len && f.s[colon] != BEL_PROTO_CHAR_STATUS) {
        colon++;
    }
    if (colon == f.len) {
        return false;
    }
    field name = {f.s, colon};
    field status = {f.s + colon + 1, f.len - colon - 1};
    if (!copy_token(name, BEL_PROTO_NAME_MAX, ch->name)) {
        return false;
    }
    if (status.len < 1 || status.len > BEL_PROTO_STATUS_MAX) {
        return false;
    }
    for (size_t i = 0; i < status.len; i++) {
        if (status.s[i] < 'a' || status.s[i] > 'z') {
            return false;
        }
    }
    if (field_is(status, "ok")) {
        ch->status = BEL_PROTO_CH_OK;
    } else if (field_is(status, "absent")) {
        ch->status = BEL_PROTO_CH_ABSENT;
    } else {
        ch->status = BEL_PROTO_CH_UNKNOWN; /* a newer firmware's word: see PROTOCOL.md */
    }
    return true;
}

static bel_proto_result parse_sample(bel_proto_parser *p, field_iter *it, bel_proto_msg *msg)
{
    bel_proto_sample *out = &msg->sample;
    field f;
    uint32_t seq = 0;
    if (!next_field(it, &f)) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 1);
    }
    bel_proto_error_kind err = parse_uint(f, BEL_PROTO_SEQ_DIGITS_MAX, BEL_PROTO_SEQ_MAX, &seq);
    if (err != BEL_PROTO_ERR_NONE) {
        return fail(p, msg, err, 1);
    }
    unsigned n = 0;
    while (next_field(it, &f)) {
        if (n == BEL_PROTO_MAX_CHANNELS) {
            return fail(p, msg, BEL_PROTO_ERR_TOO_MANY_CHANNELS, n + 2);
        }
        err = parse_value(f, &out->value[n]);
        if (err != BEL_PROTO_ERR_NONE) {
            return fail(p, msg, err, n + 2);
        }
        n++;
    }
    if (n == 0) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 2);
    }
    if (p->n_channels != 0 && n != p->n_channels) {
        unsigned first_off = n < p->n_channels ? n : p->n_channels;
        return fail(p, msg, BEL_PROTO_ERR_CHANNEL_COUNT, first_off + 2);
    }
    out->seq = (uint16_t)seq;
    out->n_values = (uint8_t)n;
    /* Distance modulo 65536, minus the sample itself: 65535 -> 0 is no gap. */
    out->n_missed = p->has_last_seq ? (uint16_t)(out->seq - p->last_seq - 1U) : 0U;
    p->has_last_seq = true;
    p->last_seq = out->seq;
    p->stats.samples++;
    p->stats.lines_ok++;
    p->stats.n_missed += out->n_missed;
    msg->kind = BEL_PROTO_SAMPLE;
    return BEL_PROTO_SAMPLE;
}

static bel_proto_result parse_info(bel_proto_parser *p, field_iter *it, bel_proto_msg *msg)
{
    bel_proto_info *out = &msg->info;
    field f;
    uint32_t v = 0;
    bel_proto_error_kind err;

    if (!next_field(it, &f)) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 1);
    }
    err = parse_uint(f, 3, 255, &v);
    if (err == BEL_PROTO_ERR_NONE && v == 0) {
        err = BEL_PROTO_ERR_RANGE;
    }
    if (err != BEL_PROTO_ERR_NONE) {
        return fail(p, msg, err, 1);
    }
    if (v != BEL_PROTO_VERSION) {
        return fail(p, msg, BEL_PROTO_ERR_VERSION, 1); /* the rest may differ: stop here */
    }
    out->version = (uint8_t)v;

    if (!next_field(it, &f) || !copy_token(f, BEL_PROTO_DEVICE_MAX, out->device)) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 2);
    }
    if (!next_field(it, &f) || !copy_token(f, BEL_PROTO_FIRMWARE_MAX, out->firmware)) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 3);
    }
    if (!next_field(it, &f)) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 4);
    }
    err = parse_uint(f, 4, BEL_PROTO_RATE_MAX_HZ, &v);
    if (err == BEL_PROTO_ERR_NONE && v < BEL_PROTO_RATE_MIN_HZ) {
        err = BEL_PROTO_ERR_RANGE;
    }
    if (err != BEL_PROTO_ERR_NONE) {
        return fail(p, msg, err, 4);
    }
    out->rate_hz = (uint16_t)v;

    unsigned n = 0;
    while (next_field(it, &f)) {
        if (n == BEL_PROTO_MAX_CHANNELS) {
            return fail(p, msg, BEL_PROTO_ERR_TOO_MANY_CHANNELS, n + 5);
        }
        if (!parse_channel(f, &out->channel[n])) {
            return fail(p, msg, BEL_PROTO_ERR_MALFORMED, n + 5);
        }
        for (unsigned j = 0; j < n; j++) {
            if (strcmp(out->channel[j].name, out->channel[n].name) == 0) {
                return fail(p, msg, BEL_PROTO_ERR_MALFORMED, n + 5);
            }
        }
        n++;
    }
    if (n == 0) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 5);
    }
    out->n_channels = (uint8_t)n;
    /* A new sequence epoch: the firmware sends this at start-up (seq restarts). */
    p->n_channels = (uint8_t)n;
    p->has_last_seq = false;
    p->stats.infos++;
    p->stats.lines_ok++;
    msg->kind = BEL_PROTO_INFO;
    return BEL_PROTO_INFO;
}

/* A whole line of n bytes (line ending removed, 1 <= n <= LINE_MAX). */
static bel_proto_result parse_line(bel_proto_parser *p, size_t n, bel_proto_msg *msg)
{
    const uint8_t *s = p->line;
    if (n == 1 && s[0] == BEL_PROTO_CHAR_REQUEST) {
        p->stats.requests++;
        p->stats.lines_ok++;
        msg->kind = BEL_PROTO_REQUEST;
        return BEL_PROTO_REQUEST;
    }
    if (n < 4 || s[n - 3] != BEL_PROTO_CHAR_CRC || hex_value(s[n - 2]) < 0 ||
        hex_value(s[n - 1]) < 0) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, BEL_PROTO_FIELD_CHECKSUM);
    }
    size_t body = n - 3;
    int crc = hex_value(s[n - 2]) * 16 + hex_value(s[n - 1]);
    if (bel_proto_crc8(s, body) != crc) {
        return fail(p, msg, BEL_PROTO_ERR_CHECKSUM, 0);
    }
    /* Field 0 is the type letter, alone. */
    if (body >= 2 && s[1] != BEL_PROTO_CHAR_SEP) {
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 0);
    }
    field_iter it = {s, 1, body};
    switch (s[0]) {
    case BEL_PROTO_CHAR_SAMPLE:
        return parse_sample(p, &it, msg);
    case BEL_PROTO_CHAR_INFO:
        return parse_info(p, &it, msg);
    default:
        if (s[0] >= 'A' && s[0] <= 'Z') {
            return fail(p, msg, BEL_PROTO_ERR_UNKNOWN_TYPE, 0);
        }
        return fail(p, msg, BEL_PROTO_ERR_MALFORMED, 0);
    }
}

void bel_proto_parser_init(bel_proto_parser *parser)
{
    assert(parser != NULL);
    memset(parser, 0, sizeof *parser);
}

void bel_proto_parser_reset(bel_proto_parser *parser)
{
    assert(parser != NULL);
    parser->len = 0;
    parser->is_overlong = false;
    parser->has_last_seq = false;
    parser->last_seq = 0;
    parser->n_channels = 0;
}

bel_proto_result bel_proto_parser_push(bel_proto_parser *parser, uint8_t byte, bel_proto_msg *msg)
{
    assert(parser != NULL && msg != NULL);
    bel_proto_parser *p = parser;
    p->stats.bytes++;
    msg->kind = BEL_PROTO_NONE;
    if (byte != BEL_PROTO_CHAR_EOL) {
        if (p->len < sizeof p->line) {
            p->line[p->len++] = byte;
        } else {
            p->is_overlong = true; /* keep discarding until the "\n" */
        }
        return BEL_PROTO_NONE;
    }
    /* End of line: whatever happens next, the following byte starts afresh. */
    p->stats.lines++;
    size_t n = p->len;
    bool is_overlong = p->is_overlong;
    p->len = 0;
    p->is_overlong = false;
    if (n > 0 && p->line[n - 1] == BEL_PROTO_CHAR_CR) {
        n--;
    }
    if (is_overlong || n > BEL_PROTO_LINE_MAX) {
        return fail(p, msg, BEL_PROTO_ERR_OVERLONG, 0);
    }
    if (n == 0) {
        p->stats.empty++;
        return BEL_PROTO_NONE;
    }
    return parse_line(p, n, msg);
}

size_t bel_proto_parser_push_bytes(bel_proto_parser *parser, const uint8_t *data, size_t len,
                                   bel_proto_msg *msg, bel_proto_result *result)
{
    assert(parser != NULL && msg != NULL && result != NULL && (data != NULL || len == 0));
    *result = BEL_PROTO_NONE;
    msg->kind = BEL_PROTO_NONE;
    for (size_t i = 0; i < len; i++) {
        *result = bel_proto_parser_push(parser, data[i], msg);
        if (*result != BEL_PROTO_NONE) {
            return i + 1;
        }
    }
    return len;
}

bel_proto_stats bel_proto_parser_get_stats(const bel_proto_parser *parser)
{
    assert(parser != NULL);
    return parser->stats;
}

const char *bel_proto_error_name(bel_proto_error_kind kind)
{
    switch (kind) {
    case BEL_PROTO_ERR_NONE:
        return "no error";
    case BEL_PROTO_ERR_CHECKSUM:
        return "bad checksum";
    case BEL_PROTO_ERR_MALFORMED:
        return "malformed field";
    case BEL_PROTO_ERR_OVERLONG:
        return "line too long";
    case BEL_PROTO_ERR_TOO_MANY_CHANNELS:
        return "too many channels";
    case BEL_PROTO_ERR_RANGE:
        return "number out of range";
    case BEL_PROTO_ERR_UNKNOWN_TYPE:
        return "unknown line type";
    case BEL_PROTO_ERR_VERSION:
        return "unsupported protocol version";
    case BEL_PROTO_ERR_CHANNEL_COUNT:
        return "channel count differs from info line";
    case BEL_PROTO_ERR_COUNT:
        break;
    }
    return "unknown";
}

bel_sample bel_proto_make_sample(const bel_proto_sample *parsed, double t_s)
{
    bel_sample out;
    memset(&out, 0, sizeof out);
    out.t_s = t_s;
    if (parsed == NULL) {
        return out;
    }
    uint8_t n = parsed->n_values;
    if (n > BEL_MAX_CHANNELS) {
        n = BEL_MAX_CHANNELS;
    }
    out.n_missed = parsed->n_missed;
    out.n_channels = n;
    for (uint8_t i = 0; i < n; i++) {
        out.value[i] = (float)parsed->value[i];
    }
    return out;
}
