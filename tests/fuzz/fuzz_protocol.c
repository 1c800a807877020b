/* fuzz_protocol.c - libFuzzer target: the belt protocol parser never crashes, never
 * accepts a bad checksum, resyncs, and round-trips with the encoder.
 * SPDX-License-Identifier: MIT */
#include "fuzz_target.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/proto_encode.h"
#include "bellows/protocol.h"

/* CRC-8 (poly 0x07, init 0) computed another way: long division of the
 * message followed by eight zero bits, as in the textbook definition. */
static uint8_t reference_crc8(const uint8_t *s, size_t n)
{
    unsigned reg = 0;
    for (size_t i = 0; i < n + 1; i++) {
        unsigned byte = i < n ? s[i] : 0U;
        for (int bit = 7; bit >= 0; bit--) {
            reg = (reg << 1) | ((byte >> bit) & 1U);
            if (reg & 0x100U) {
                reg ^= 0x107U;
            }
        }
    }
    return (uint8_t)reg;
}

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* An accepted line (ending removed) carries a correct "*HH" CRC. */
static void check_crc(const uint8_t *line, size_t n)
{
    CHECK(n >= 4 && n <= BEL_PROTO_LINE_MAX);
    CHECK(line[n - 3] == '*');
    int hi = hex_digit(line[n - 2]);
    int lo = hex_digit(line[n - 1]);
    CHECK(hi >= 0 && lo >= 0);
    CHECK(reference_crc8(line, n - 3) == (uint8_t)(hi * 16 + lo));
}

/* Re-encoding an accepted line gives back exactly its bytes: the grammar is canonical. */
static void check_same_line(const char *encoded, int len, const uint8_t *line, size_t n)
{
    CHECK(len > 0);
    CHECK((size_t)len == n + 1);
    CHECK(memcmp(encoded, line, n) == 0);
    CHECK(encoded[n] == '\n');
}

/* Any bytes through the parser: every message is justified by its line. */
static void check_stream(const uint8_t *data, size_t size)
{
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    uint8_t line[BEL_PROTO_LINE_MAX + 2];
    size_t line_len = 0;
    bool is_overlong = false;
    bool has_last = false;
    uint16_t last_seq = 0;
    uint8_t info_channels = 0;
    uint64_t n_newlines = 0;
    uint64_t n_missed = 0;

    for (size_t i = 0; i < size; i++) {
        uint8_t b = data[i];
        bel_proto_msg msg;
        bel_proto_result r = bel_proto_parser_push(&p, b, &msg);
        CHECK(msg.kind == r);
        if (b != '\n') {
            CHECK(r == BEL_PROTO_NONE); /* messages complete only at a line end */
            if (line_len < sizeof line) {
                line[line_len++] = b;
            } else {
                is_overlong = true;
            }
            continue;
        }
        n_newlines++;
        size_t n = line_len;
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        bool was_overlong = is_overlong || n > BEL_PROTO_LINE_MAX;
        line_len = 0;
        is_overlong = false;
        char enc[BEL_PROTO_BUF_SIZE];
        switch (r) {
        case BEL_PROTO_NONE:
            CHECK(n == 0 && !was_overlong);
            break;
        case BEL_PROTO_SAMPLE: {
            CHECK(!was_overlong);
            check_crc(line, n);
            const bel_proto_sample *s = &msg.sample;
            CHECK(s->n_values >= 1 && s->n_values <= BEL_PROTO_MAX_CHANNELS);
            CHECK(info_channels == 0 || s->n_values == info_channels);
            for (int k = 0; k < s->n_values; k++) {
                CHECK(s->value[k] >= -BEL_PROTO_VALUE_MAX && s->value[k] <= BEL_PROTO_VALUE_MAX);
            }
            uint32_t expect_missed = has_last ? (uint16_t)(s->seq - last_seq - 1U) : 0U;
            CHECK(s->n_missed == expect_missed);
            n_missed += expect_missed;
            has_last = true;
            last_seq = s->seq;
            int len = bel_proto_encode_sample(enc, sizeof enc, s->seq, s->value, s->n_values);
            check_same_line(enc, len, line, n);
            break;
        }
        case BEL_PROTO_INFO: {
            CHECK(!was_overlong);
            check_crc(line, n);
            const bel_proto_info *info = &msg.info;
            CHECK(info->n_channels >= 1 && info->n_channels <= BEL_PROTO_MAX_CHANNELS);
            bool is_known = true;
            for (int k = 0; k < info->n_channels; k++) {
                is_known = is_known && info->channel[k].status != BEL_PROTO_CH_UNKNOWN;
            }
            if (is_known) {
                check_same_line(enc, bel_proto_encode_info(enc, sizeof enc, info), line, n);
            }
            info_channels = info->n_channels;
            has_last = false;
            break;
        }
        case BEL_PROTO_REQUEST:
            CHECK(n == 1 && line[0] == '?');
            break;
        case BEL_PROTO_ERROR:
            CHECK(msg.error.kind > BEL_PROTO_ERR_NONE && msg.error.kind < BEL_PROTO_ERR_COUNT);
            CHECK((msg.error.kind == BEL_PROTO_ERR_OVERLONG) == was_overlong);
            break;
        }
    }

    bel_proto_stats st = bel_proto_parser_get_stats(&p);
    CHECK(st.bytes == size);
    CHECK(st.lines == n_newlines);
    CHECK(st.lines == st.empty + st.lines_ok + st.n_errors);
    CHECK(st.lines_ok == st.samples + st.infos + st.requests);
    CHECK(st.n_missed == n_missed);
    uint64_t sum = 0;
    for (int k = 0; k < BEL_PROTO_ERR_COUNT; k++) {
        sum += st.errors[k];
    }
    CHECK(st.errors[BEL_PROTO_ERR_NONE] == 0 && sum == st.n_errors);

    /* Resync: whatever came before, "\n" and a good line give that line. The
     * "\n" may complete a pending info line, which sets the channel count. */
    bel_proto_msg msg;
    bel_proto_result r = bel_proto_parser_push(&p, '\n', &msg);
    if (r == BEL_PROTO_INFO) {
        info_channels = msg.info.n_channels;
    }
    int32_t v[BEL_PROTO_MAX_CHANNELS] = {1, -2, 3, -4};
    size_t nv = info_channels != 0 ? info_channels : 1;
    uint16_t seq = (uint16_t)(size * 7U);
    char good[BEL_PROTO_BUF_SIZE];
    int len = bel_proto_encode_sample(good, sizeof good, seq, v, nv);
    CHECK(len > 0);
    for (int i = 0; i < len; i++) {
        r = bel_proto_parser_push(&p, (uint8_t)good[i], &msg);
    }
    CHECK(r == BEL_PROTO_SAMPLE);
    CHECK(msg.sample.seq == seq && msg.sample.n_values == nv);
    CHECK(memcmp(msg.sample.value, v, nv * sizeof v[0]) == 0);
}

/* Bytes read cyclically from the input, for building messages from it. */
typedef struct byte_source {
    const uint8_t *data;
    size_t size;
    size_t pos;
} byte_source;

static uint8_t take(byte_source *src)
{
    uint8_t b = src->data[src->pos % src->size];
    src->pos++;
    return b;
}

static void take_token(byte_source *src, char *out, size_t max_len)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    size_t n = 1 + take(src) % max_len;
    for (size_t i = 0; i < n; i++) {
        out[i] = chars[take(src) % (sizeof chars - 1)];
    }
    out[n] = '\0';
}

/* Input bytes as seq and values (and an info line): encode, parse back, compare. */
static void check_round_trip(const uint8_t *data, size_t size)
{
    if (size < 3) {
        return;
    }
    byte_source src = {data, size, 0};
    size_t n = 1 + take(&src) % BEL_PROTO_MAX_CHANNELS;
    uint16_t seq = (uint16_t)(take(&src) | (take(&src) << 8));
    int32_t v[BEL_PROTO_MAX_CHANNELS];
    const uint32_t span = 2U * (uint32_t)BEL_PROTO_VALUE_MAX + 1U;
    for (size_t i = 0; i < n; i++) {
        uint32_t raw = take(&src) | ((uint32_t)take(&src) << 8) | ((uint32_t)take(&src) << 16) |
                       ((uint32_t)take(&src) << 24);
        v[i] = (int32_t)(raw % span) - BEL_PROTO_VALUE_MAX;
    }
    uint16_t step = (uint16_t)(take(&src) | (take(&src) << 8));

    bel_proto_parser p;
    bel_proto_parser_init(&p);
    char buf[BEL_PROTO_BUF_SIZE];
    bel_proto_msg msg;
    bel_proto_result r;
    for (int round = 0; round < 2; round++) {
        uint16_t s = (uint16_t)(seq + (round ? step : 0U));
        int len = bel_proto_encode_sample(buf, sizeof buf, s, v, n);
        CHECK(len > 0 && len <= BEL_PROTO_LINE_MAX + 1 && buf[len] == '\0');
        size_t used = bel_proto_parser_push_bytes(&p, (const uint8_t *)buf, (size_t)len, &msg, &r);
        CHECK(used == (size_t)len && r == BEL_PROTO_SAMPLE);
        CHECK(msg.sample.seq == s && msg.sample.n_values == n);
        CHECK(memcmp(msg.sample.value, v, n * sizeof v[0]) == 0);
        CHECK(msg.sample.n_missed == (round ? (uint16_t)(step - 1U) : 0U));
    }

    bel_proto_info info;
    memset(&info, 0, sizeof info);
    info.version = BEL_PROTO_VERSION;
    take_token(&src, info.device, BEL_PROTO_DEVICE_MAX);
    take_token(&src, info.firmware, BEL_PROTO_FIRMWARE_MAX);
    info.rate_hz = (uint16_t)(1 + (take(&src) | (take(&src) << 8)) % BEL_PROTO_RATE_MAX_HZ);
    info.n_channels = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        take_token(&src, info.channel[i].name, BEL_PROTO_NAME_MAX);
        info.channel[i].status = take(&src) & 1U;
    }
    int len = bel_proto_encode_info(buf, sizeof buf, &info);
    bool is_unique = true;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            is_unique = is_unique && strcmp(info.channel[i].name, info.channel[j].name) != 0;
        }
    }
    if (!is_unique) {
        CHECK(len == BEL_ERR_ARG);
        return;
    }
    CHECK(len > 0 && len <= BEL_PROTO_LINE_MAX + 1);
    size_t used = bel_proto_parser_push_bytes(&p, (const uint8_t *)buf, (size_t)len, &msg, &r);
    CHECK(used == (size_t)len && r == BEL_PROTO_INFO);
    const bel_proto_info *got = &msg.info;
    CHECK(got->version == info.version && got->rate_hz == info.rate_hz);
    CHECK(strcmp(got->device, info.device) == 0 && strcmp(got->firmware, info.firmware) == 0);
    CHECK(got->n_channels == info.n_channels);
    for (size_t i = 0; i < n; i++) {
        CHECK(strcmp(got->channel[i].name, info.channel[i].name) == 0);
        CHECK(got->channel[i].status == info.channel[i].status);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_stream(data, size);
    check_round_trip(data, size);
    return 0;
}
