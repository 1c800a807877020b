/* proto_encode.c - encoder of belt protocol lines and CRC-8; also builds with avr-gcc.
 * SPDX-License-Identifier: MIT */
#include "bellows/proto_encode.h"

#include <stdbool.h>

/* Output cursor: bytes are written while they fit; `ok` turns false once one
 * did not, so callers check once at the end. One byte is kept for the NUL. */
typedef struct out_buf {
    char *buf;
    size_t cap;
    size_t len;
    bool ok;
} out_buf;

static const char hex_digits[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

uint8_t bel_proto_crc8_update(uint8_t crc, uint8_t byte)
{
    crc = (uint8_t)(crc ^ byte);
    for (int bit = 0; bit < 8; bit++) {
        if (crc & 0x80U) {
            crc = (uint8_t)((crc << 1) ^ BEL_PROTO_CRC_POLY);
        } else {
            crc = (uint8_t)(crc << 1);
        }
    }
    return crc;
}

uint8_t bel_proto_crc8(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint8_t crc = BEL_PROTO_CRC_INIT;
    for (size_t i = 0; i < len; i++) {
        crc = bel_proto_crc8_update(crc, p[i]);
    }
    return crc;
}

static void put_char(out_buf *o, char c)
{
    if (o->ok && o->len + 1 < o->cap) {
        o->buf[o->len++] = c;
    } else {
        o->ok = false;
    }
}

/* Decimal without leading zeros; 0 is "0". */
static void put_uint(out_buf *o, uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (char)(v % 10U));
        v /= 10U;
    } while (v != 0U);
    while (n > 0) {
        put_char(o, digits[--n]);
    }
}

static void put_int(out_buf *o, int32_t v)
{
    if (v < 0) {
        put_char(o, '-');
        put_uint(o, (uint32_t)(-v)); /* |v| <= VALUE_MAX, checked by the caller */
    } else {
        put_uint(o, (uint32_t)v);
    }
}

static void put_str(out_buf *o, const char *s)
{
    while (*s != '\0') {
        put_char(o, *s++);
    }
}

/* Append "*HH\n" with the CRC of everything so far, then the NUL. */
static int finish_line(out_buf *o)
{
    uint8_t crc = o->ok ? bel_proto_crc8(o->buf, o->len) : 0U;
    put_char(o, (char)BEL_PROTO_CHAR_CRC);
    put_char(o, hex_digits[crc >> 4]);
    put_char(o, hex_digits[crc & 0x0FU]);
    put_char(o, (char)BEL_PROTO_CHAR_EOL);
    if (!o->ok) {
        if (o->cap > 0) {
            o->buf[0] = '\0';
        }
        return BEL_ERR_ARG;
    }
    o->buf[o->len] = '\0';
    return (int)o->len;
}

static bool is_token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* 1..max_len token characters followed by a NUL within max_len + 1 bytes. */
static bool is_token(const char *s, size_t max_len)
{
    size_t n = 0;
    while (n <= max_len && s[n] != '\0') {
        if (!is_token_char(s[n])) {
            return false;
        }
        n++;
    }
    return n >= 1 && n <= max_len;
}

static bool names_equal(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] != '\0' && a[i] == b[i]) {
        i++;
    }
    return a[i] == b[i];
}

int bel_proto_encode_sample(char *buf, size_t cap, uint16_t seq, const int32_t *values,
                            size_t n_values)
{
    if (buf == NULL) {
        return BEL_ERR_ARG;
    }
    if (cap > 0) {
        buf[0] = '\0';
    }
    if (values == NULL || n_values < 1 || n_values > BEL_PROTO_MAX_CHANNELS) {
        return BEL_ERR_ARG;
    }
    for (size_t i = 0; i < n_values; i++) {
        if (values[i] > BEL_PROTO_VALUE_MAX || values[i] < -BEL_PROTO_VALUE_MAX) {
            return BEL_ERR_ARG;
        }
    }
    out_buf o = {buf, cap, 0, true};
    put_char(&o, (char)BEL_PROTO_CHAR_SAMPLE);
    put_char(&o, (char)BEL_PROTO_CHAR_SEP);
    put_uint(&o, seq);
    for (size_t i = 0; i < n_values; i++) {
        put_char(&o, (char)BEL_PROTO_CHAR_SEP);
        put_int(&o, values[i]);
    }
    return finish_line(&o);
}

int bel_proto_encode_info(char *buf, size_t cap, const bel_proto_info *info)
{
    if (buf == NULL) {
        return BEL_ERR_ARG;
    }
    if (cap > 0) {
        buf[0] = '\0';
    }
    if (info == NULL || info->version < 1 || !is_token(info->device, BEL_PROTO_DEVICE_MAX) ||
        !is_token(info->firmware, BEL_PROTO_FIRMWARE_MAX) ||
        info->rate_hz < BEL_PROTO_RATE_MIN_HZ || info->rate_hz > BEL_PROTO_RATE_MAX_HZ ||
        info->n_channels < 1 || info->n_channels > BEL_PROTO_MAX_CHANNELS) {
        return BEL_ERR_ARG;
    }
    for (uint8_t i = 0; i < info->n_channels; i++) {
        const bel_proto_channel *ch = &info->channel[i];
        if (!is_token(ch->name, BEL_PROTO_NAME_MAX) ||
            (ch->status != BEL_PROTO_CH_OK && ch->status != BEL_PROTO_CH_ABSENT)) {
            return BEL_ERR_ARG;
        }
        for (uint8_t j = 0; j < i; j++) {
            if (names_equal(ch->name, info->channel[j].name)) {
                return BEL_ERR_ARG;
            }
        }
    }
    out_buf o = {buf, cap, 0, true};
    put_char(&o, (char)BEL_PROTO_CHAR_INFO);
    put_char(&o, (char)BEL_PROTO_CHAR_SEP);
    put_uint(&o, info->version);
    put_char(&o, (char)BEL_PROTO_CHAR_SEP);
    put_str(&o, info->device);
    put_char(&o, (char)BEL_PROTO_CHAR_SEP);
    put_str(&o, info->firmware);
    put_char(&o, (char)BEL_PROTO_CHAR_SEP);
    put_uint(&o, info->rate_hz);
    for (uint8_t i = 0; i < info->n_channels; i++) {
        put_char(&o, (char)BEL_PROTO_CHAR_SEP);
        put_str(&o, info->channel[i].name);
        put_char(&o, (char)BEL_PROTO_CHAR_STATUS);
        put_str(&o, info->channel[i].status == BEL_PROTO_CH_OK ? "ok" : "absent");
    }
    return finish_line(&o);
}

int bel_proto_encode_request(char *buf, size_t cap)
{
    if (buf == NULL || cap < 3) {
        if (buf != NULL && cap > 0) {
            buf[0] = '\0';
        }
        return BEL_ERR_ARG;
    }
    buf[0] = (char)BEL_PROTO_CHAR_REQUEST;
    buf[1] = (char)BEL_PROTO_CHAR_EOL;
    buf[2] = '\0';
    return 2;
}
