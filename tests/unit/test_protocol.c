/* test_protocol.c - belt wire protocol: encoder, CRC-8 and the byte-at-a-time parser.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bellows/proto_encode.h"
#include "bellows/protocol.h"

enum { MAX_COLLECT = 128 };

/* Every non-NONE message a stream of bytes produced, in order. */
typedef struct collected {
    size_t n;
    bel_proto_msg msg[MAX_COLLECT];
} collected;

static void feed_bytes(bel_proto_parser *p, const uint8_t *data, size_t len, collected *c)
{
    for (size_t i = 0; i < len; i++) {
        bel_proto_msg msg;
        bel_proto_result r = bel_proto_parser_push(p, data[i], &msg);
        assert_int_equal(msg.kind, r);
        if (r != BEL_PROTO_NONE) {
            assert_true(c->n < MAX_COLLECT);
            c->msg[c->n++] = msg;
        }
    }
}

static void feed(bel_proto_parser *p, const char *s, collected *c)
{
    feed_bytes(p, (const uint8_t *)s, strlen(s), c);
}

/* body + "*HH\n" with the body's CRC: a correctly framed line of any content. */
static void framed(char *out, size_t cap, const char *body)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(body);
    assert_true(n + 5 <= cap);
    uint8_t crc = bel_proto_crc8(body, n);
    memcpy(out, body, n);
    out[n] = '*';
    out[n + 1] = hex[crc >> 4];
    out[n + 2] = hex[crc & 15];
    out[n + 3] = '\n';
    out[n + 4] = '\0';
}

static void feed_framed(bel_proto_parser *p, const char *body, collected *c)
{
    char line[512];
    framed(line, sizeof line, body);
    feed(p, line, c);
}

static void feed_sample(bel_proto_parser *p, uint16_t seq, const int32_t *v, size_t n, collected *c)
{
    char line[BEL_PROTO_BUF_SIZE];
    int len = bel_proto_encode_sample(line, sizeof line, seq, v, n);
    assert_true(len > 0);
    feed(p, line, c);
}

static bel_proto_info example_info(void)
{
    bel_proto_info info;
    memset(&info, 0, sizeof info);
    info.version = BEL_PROTO_VERSION;
    strcpy(info.device, "bellows-belt");
    strcpy(info.firmware, "1.0.0");
    info.rate_hz = 50;
    info.n_channels = 2;
    strcpy(info.channel[0].name, "belly");
    info.channel[0].status = BEL_PROTO_CH_OK;
    strcpy(info.channel[1].name, "chest");
    info.channel[1].status = BEL_PROTO_CH_ABSENT;
    return info;
}

static void test_protocol_crc8_known_answers(void **state)
{
    (void)state;
    /* The CRC-8/SMBUS check value, and the worked examples in PROTOCOL.md. */
    assert_int_equal(bel_proto_crc8("123456789", 9), 0xF4);
    assert_int_equal(bel_proto_crc8("S,0,512", 7), 0x03);
    assert_int_equal(bel_proto_crc8("S,7,512,-3", 10), 0xA3);
    assert_int_equal(bel_proto_crc8(NULL, 0), BEL_PROTO_CRC_INIT);
    uint8_t crc = BEL_PROTO_CRC_INIT;
    for (const char *s = "123456789"; *s != '\0'; s++) {
        crc = bel_proto_crc8_update(crc, (uint8_t)*s);
    }
    assert_int_equal(crc, 0xF4);
}

static void test_protocol_encoder_writes_documented_lines(void **state)
{
    (void)state;
    char buf[BEL_PROTO_BUF_SIZE];
    int32_t v[] = {512, -3};
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 7, v, 2), 14);
    assert_string_equal(buf, "S,7,512,-3*A3\n");
    int32_t w[] = {0, 16777215, -16777215, 42};
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 65535, w, 4), 35);
    assert_string_equal(buf, "S,65535,0,16777215,-16777215,42*34\n");
    bel_proto_info info = example_info();
    int len = bel_proto_encode_info(buf, sizeof buf, &info);
    assert_string_equal(buf, "I,1,bellows-belt,1.0.0,50,belly:ok,chest:absent*2F\n");
    assert_int_equal(len, (int)strlen(buf));
    assert_int_equal(bel_proto_encode_request(buf, sizeof buf), 2);
    assert_string_equal(buf, "?\n");
}

static void test_protocol_encoder_rejects_bad_arguments(void **state)
{
    (void)state;
    char buf[BEL_PROTO_BUF_SIZE];
    int32_t v[5] = {1, 2, 3, 4, 5};
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 1, v, 0), BEL_ERR_ARG);
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 1, v, 5), BEL_ERR_ARG);
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 1, NULL, 1), BEL_ERR_ARG);
    assert_int_equal(bel_proto_encode_sample(NULL, 10, 1, v, 1), BEL_ERR_ARG);
    int32_t big[] = {16777216};
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 1, big, 1), BEL_ERR_ARG);
    int32_t small[] = {-16777216};
    assert_int_equal(bel_proto_encode_sample(buf, sizeof buf, 1, small, 1), BEL_ERR_ARG);
    /* "S,1,1*HH\n" is 9 bytes and needs 10 with the NUL. */
    assert_int_equal(bel_proto_encode_sample(buf, 9, 1, v, 1), BEL_ERR_ARG);
    assert_string_equal(buf, "");
    assert_int_equal(bel_proto_encode_sample(buf, 10, 1, v, 1), 9);
    assert_int_equal(bel_proto_encode_request(buf, 2), BEL_ERR_ARG);

    bel_proto_info info = example_info();
    info.rate_hz = 0;
    assert_int_equal(bel_proto_encode_info(buf, sizeof buf, &info), BEL_ERR_ARG);
    info = example_info();
    strcpy(info.channel[1].name, "belly"); /* duplicate */
    assert_int_equal(bel_proto_encode_info(buf, sizeof buf, &info), BEL_ERR_ARG);
    info = example_info();
    strcpy(info.device, "has space");
    assert_int_equal(bel_proto_encode_info(buf, sizeof buf, &info), BEL_ERR_ARG);
    info = example_info();
    info.channel[0].status = BEL_PROTO_CH_UNKNOWN;
    assert_int_equal(bel_proto_encode_info(buf, sizeof buf, &info), BEL_ERR_ARG);
    info = example_info();
    info.n_channels = 5;
    assert_int_equal(bel_proto_encode_info(buf, sizeof buf, &info), BEL_ERR_ARG);
}

static void test_protocol_round_trip_one_to_four_channels(void **state)
{
    (void)state;
    const int32_t pool[] = {0, 1, 512, 65535, -1, 16777215, -16777215, 30512};
    for (size_t n = 1; n <= BEL_PROTO_MAX_CHANNELS; n++) {
        bel_proto_parser p;
        bel_proto_parser_init(&p);
        for (uint16_t seq = 0; seq < 8; seq++) {
            int32_t v[BEL_PROTO_MAX_CHANNELS];
            for (size_t i = 0; i < n; i++) {
                v[i] = pool[(seq + i * 3) % 8];
            }
            collected c = {0};
            feed_sample(&p, seq, v, n, &c);
            assert_int_equal(c.n, 1);
            assert_int_equal(c.msg[0].kind, BEL_PROTO_SAMPLE);
            assert_int_equal(c.msg[0].sample.seq, seq);
            assert_int_equal(c.msg[0].sample.n_values, n);
            assert_int_equal(c.msg[0].sample.n_missed, 0);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(c.msg[0].sample.value[i], v[i]);
            }
        }
        bel_proto_stats st = bel_proto_parser_get_stats(&p);
        assert_int_equal(st.samples, 8);
        assert_int_equal(st.n_errors, 0);
    }
}

static void test_protocol_bad_checksum_rejected_and_counted(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    feed(&p, "S,7,512,-3*A3\n", &c); /* good */
    feed(&p, "S,8,513,-3*A3\n", &c); /* value changed, old CRC */
    feed(&p, "S,9,512,-3*A4\n", &c); /* CRC changed */
    feed(&p, "S,10,7*00\n", &c);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_SAMPLE);
    for (size_t i = 1; i < 4; i++) {
        assert_int_equal(c.msg[i].kind, BEL_PROTO_ERROR);
        assert_int_equal(c.msg[i].error.kind, BEL_PROTO_ERR_CHECKSUM);
    }
    bel_proto_stats st = bel_proto_parser_get_stats(&p);
    assert_int_equal(st.errors[BEL_PROTO_ERR_CHECKSUM], 3);
    assert_int_equal(st.n_errors, 3);
    assert_int_equal(st.samples, 1);
    assert_int_equal(st.lines_ok, 1);
    assert_string_equal(bel_proto_error_name(BEL_PROTO_ERR_CHECKSUM), "bad checksum");
}

typedef struct bad_case {
    const char *body; /* framed with a correct CRC unless raw */
    bool is_raw;
    bel_proto_error_kind kind;
    uint8_t field;
} bad_case;

static void test_protocol_malformed_fields_name_kind_and_field(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"S", false, BEL_PROTO_ERR_MALFORMED, 1},
        {"S,", false, BEL_PROTO_ERR_MALFORMED, 1},
        {"S,5", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"S,01,5", false, BEL_PROTO_ERR_MALFORMED, 1},
        {"S,+1,5", false, BEL_PROTO_ERR_MALFORMED, 1},
        {"S,70000,5", false, BEL_PROTO_ERR_RANGE, 1},
        {"S,123456,5", false, BEL_PROTO_ERR_RANGE, 1},
        {"S,5,1x", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"S,5,-0", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"S,5,-", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"S,5,007", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"S,5,3,,4", false, BEL_PROTO_ERR_MALFORMED, 3},
        {"S,5,3,4,", false, BEL_PROTO_ERR_MALFORMED, 4},
        {"S,5,3, 4", false, BEL_PROTO_ERR_MALFORMED, 3},
        {"S,5,16777216", false, BEL_PROTO_ERR_RANGE, 2},
        {"S,5,1,-16777216", false, BEL_PROTO_ERR_RANGE, 3},
        {"S,5,99999999999999999999", false, BEL_PROTO_ERR_RANGE, 2},
        {"S,5,1,2,3,4,5", false, BEL_PROTO_ERR_TOO_MANY_CHANNELS, 6},
        {"SX,5,1", false, BEL_PROTO_ERR_MALFORMED, 0},
        {"s,5,1", false, BEL_PROTO_ERR_MALFORMED, 0},
        {"E,5,1", false, BEL_PROTO_ERR_UNKNOWN_TYPE, 0},
        {"I,2,dev,fw,50,a:ok", false, BEL_PROTO_ERR_VERSION, 1},
        {"I,0,dev,fw,50,a:ok", false, BEL_PROTO_ERR_RANGE, 1},
        {"I,1,de v,fw,50,a:ok", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"I,1,,fw,50,a:ok", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"I,1,abcdefghijklmnopq,fw,50,a:ok", false, BEL_PROTO_ERR_MALFORMED, 2},
        {"I,1,dev", false, BEL_PROTO_ERR_MALFORMED, 3},
        {"I,1,dev,fw,0,a:ok", false, BEL_PROTO_ERR_RANGE, 4},
        {"I,1,dev,fw,1001,a:ok", false, BEL_PROTO_ERR_RANGE, 4},
        {"I,1,dev,fw,50", false, BEL_PROTO_ERR_MALFORMED, 5},
        {"I,1,dev,fw,50,a", false, BEL_PROTO_ERR_MALFORMED, 5},
        {"I,1,dev,fw,50,a:", false, BEL_PROTO_ERR_MALFORMED, 5},
        {"I,1,dev,fw,50,a:OK", false, BEL_PROTO_ERR_MALFORMED, 5},
        {"I,1,dev,fw,50,a:ok,b:ok,a:ok", false, BEL_PROTO_ERR_MALFORMED, 7},
        {"I,1,dev,fw,50,a:ok,b:ok,c:ok,d:ok,e:ok", false, BEL_PROTO_ERR_TOO_MANY_CHANNELS, 9},
        {"S,7,512,-3*a3", true, BEL_PROTO_ERR_MALFORMED, BEL_PROTO_FIELD_CHECKSUM},
        {"S,7,512,-3", true, BEL_PROTO_ERR_MALFORMED, BEL_PROTO_FIELD_CHECKSUM},
        {"S,7,512,-3*A", true, BEL_PROTO_ERR_MALFORMED, BEL_PROTO_FIELD_CHECKSUM},
        {"*00", true, BEL_PROTO_ERR_MALFORMED, BEL_PROTO_FIELD_CHECKSUM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bel_proto_parser p;
        bel_proto_parser_init(&p);
        collected c = {0};
        if (cases[i].is_raw) {
            char line[64];
            strcpy(line, cases[i].body);
            strcat(line, "\n");
            feed(&p, line, &c);
        } else {
            feed_framed(&p, cases[i].body, &c);
        }
        print_message("case %zu: %s\n", i, cases[i].body);
        assert_int_equal(c.n, 1);
        assert_int_equal(c.msg[0].kind, BEL_PROTO_ERROR);
        assert_int_equal(c.msg[0].error.kind, cases[i].kind);
        assert_int_equal(c.msg[0].error.field, cases[i].field);
        bel_proto_stats st = bel_proto_parser_get_stats(&p);
        assert_int_equal(st.errors[cases[i].kind], 1);
        assert_int_equal(st.n_errors, 1);
        assert_int_equal(st.lines_ok, 0);
    }
}

static void test_protocol_overlong_line_rejected_then_resyncs(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    char line[1024];
    memset(line, 'A', 1000);
    line[1000] = '\n';
    line[1001] = '\0';
    feed(&p, line, &c);
    feed(&p, "S,7,512,-3*A3\n", &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.msg[0].error.kind, BEL_PROTO_ERR_OVERLONG);
    assert_int_equal(c.msg[1].kind, BEL_PROTO_SAMPLE);
    assert_int_equal(c.msg[1].sample.value[0], 512);

    /* The limit is exact: LINE_MAX bytes (plus "\r") are read, one more is too many. */
    c.n = 0;
    memset(line, 'A', BEL_PROTO_LINE_MAX);
    strcpy(line + BEL_PROTO_LINE_MAX, "\r\n");
    feed(&p, line, &c);
    memset(line, 'A', BEL_PROTO_LINE_MAX + 1);
    strcpy(line + BEL_PROTO_LINE_MAX + 1, "\n");
    feed(&p, line, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.msg[0].error.kind, BEL_PROTO_ERR_MALFORMED);
    assert_int_equal(c.msg[1].error.kind, BEL_PROTO_ERR_OVERLONG);
    assert_int_equal(bel_proto_parser_get_stats(&p).errors[BEL_PROTO_ERR_OVERLONG], 2);
}

static void test_protocol_longest_info_line_fits(void **state)
{
    (void)state;
    bel_proto_info info;
    memset(&info, 0, sizeof info);
    info.version = 255;
    memset(info.device, 'd', BEL_PROTO_DEVICE_MAX);
    memset(info.firmware, 'f', BEL_PROTO_FIRMWARE_MAX);
    info.rate_hz = BEL_PROTO_RATE_MAX_HZ;
    info.n_channels = BEL_PROTO_MAX_CHANNELS;
    for (int i = 0; i < BEL_PROTO_MAX_CHANNELS; i++) {
        memset(info.channel[i].name, 'a' + i, BEL_PROTO_NAME_MAX);
        info.channel[i].status = BEL_PROTO_CH_ABSENT;
    }
    char buf[BEL_PROTO_BUF_SIZE];
    int len = bel_proto_encode_info(buf, sizeof buf, &info);
    assert_true(len > 0);
    assert_true(len - 1 <= BEL_PROTO_LINE_MAX);
    /* And the version-1 form of it is parsed back whole. */
    info.version = BEL_PROTO_VERSION;
    len = bel_proto_encode_info(buf, sizeof buf, &info);
    assert_true(len > 0);
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    feed(&p, buf, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_INFO);
    assert_int_equal(c.msg[0].info.n_channels, 4);
    assert_string_equal(c.msg[0].info.channel[3].name, "dddddddddddd");
}

static void test_protocol_resyncs_after_binary_garbage(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    uint8_t junk[3000];
    uint32_t x = 12345U;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245U + 12345U;
        junk[i] = (uint8_t)(x >> 16); /* all byte values, NULs and "\n" among them */
    }
    junk[100] = 0;
    junk[101] = '*';
    collected c = {0};
    for (int round = 0; round < 3; round++) {
        c.n = 0;
        feed_bytes(&p, junk, sizeof junk, &c);
        for (size_t i = 0; i < c.n; i++) {
            assert_int_equal(c.msg[i].kind, BEL_PROTO_ERROR);
        }
        c.n = 0;
        feed(&p, "\nS,7,512,-3*A3\n", &c);
        assert_int_equal(c.n >= 1, true);
        assert_int_equal(c.msg[c.n - 1].kind, BEL_PROTO_SAMPLE);
        assert_int_equal(c.msg[c.n - 1].sample.seq, 7);
    }
    bel_proto_stats st = bel_proto_parser_get_stats(&p);
    assert_int_equal(st.bytes, 3 * (sizeof junk + 15));
    assert_int_equal(st.lines, st.empty + st.lines_ok + st.n_errors);
}

static void test_protocol_truncated_line_costs_the_next_and_gap_shows_it(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    int32_t v[] = {100};
    feed_sample(&p, 1, v, 1, &c);
    feed(&p, "S,2,1", &c);        /* cut off: no "\n" */
    feed_sample(&p, 3, v, 1, &c); /* glued to the fragment: rejected */
    feed_sample(&p, 4, v, 1, &c);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_SAMPLE);
    assert_int_equal(c.msg[1].kind, BEL_PROTO_ERROR);
    assert_int_equal(c.msg[2].kind, BEL_PROTO_SAMPLE);
    assert_int_equal(c.msg[2].sample.seq, 4);
    assert_int_equal(c.msg[2].sample.n_missed, 2);
}

static void test_protocol_gaps_counted(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    int32_t v[] = {5, 6};
    const uint16_t seqs[] = {10, 11, 14, 15, 115};
    const uint32_t missed[] = {0, 0, 2, 0, 99};
    for (size_t i = 0; i < 5; i++) {
        feed_sample(&p, seqs[i], v, 2, &c);
    }
    assert_int_equal(c.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(c.msg[i].sample.n_missed, missed[i]);
    }
    assert_int_equal(bel_proto_parser_get_stats(&p).n_missed, 101);
}

static void test_protocol_gaps_wrap_around(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    int32_t v[] = {5};
    const uint16_t seqs[] = {65534, 65535, 0, 2, 65533, 1};
    const uint32_t missed[] = {0, 0, 0, 1, 65530, 3};
    for (size_t i = 0; i < 6; i++) {
        feed_sample(&p, seqs[i], v, 1, &c);
    }
    assert_int_equal(c.n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(c.msg[i].sample.n_missed, missed[i]);
    }
    /* A repeated number is a whole lap, not zero. */
    c.n = 0;
    feed_sample(&p, 1, v, 1, &c);
    assert_int_equal(c.msg[0].sample.n_missed, 65535);
}

static void test_protocol_no_gap_after_init_reset_or_info(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    int32_t v[] = {5, 6};
    feed_sample(&p, 500, v, 2, &c);
    assert_int_equal(c.msg[0].sample.n_missed, 0);
    bel_proto_parser_reset(&p);
    feed_sample(&p, 9, v, 2, &c);
    assert_int_equal(c.msg[1].sample.n_missed, 0);
    bel_proto_info info = example_info();
    char line[BEL_PROTO_BUF_SIZE];
    assert_true(bel_proto_encode_info(line, sizeof line, &info) > 0);
    feed(&p, line, &c); /* firmware restarted: seq begins again at 0 */
    feed_sample(&p, 0, v, 2, &c);
    feed_sample(&p, 3, v, 2, &c);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.msg[2].kind, BEL_PROTO_INFO);
    assert_int_equal(c.msg[3].sample.n_missed, 0);
    assert_int_equal(c.msg[4].sample.n_missed, 2);
    c.n = 0;
    feed_sample(&p, 3, v, 2, &c);
    assert_int_equal(c.msg[0].sample.n_missed, 65535);
    /* reset keeps the counters */
    bel_proto_stats st = bel_proto_parser_get_stats(&p);
    assert_int_equal(st.samples, 5);
    assert_int_equal(st.infos, 1);
    assert_int_equal(st.n_missed, 65535 + 2);
}

static void test_protocol_info_line_with_absent_channel(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    feed(&p, "I,1,bellows-belt,1.0.0,50,belly:ok,chest:absent*2F\r\n", &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_INFO);
    const bel_proto_info *info = &c.msg[0].info;
    assert_int_equal(info->version, 1);
    assert_string_equal(info->device, "bellows-belt");
    assert_string_equal(info->firmware, "1.0.0");
    assert_int_equal(info->rate_hz, 50);
    assert_int_equal(info->n_channels, 2);
    assert_string_equal(info->channel[0].name, "belly");
    assert_int_equal(info->channel[0].status, BEL_PROTO_CH_OK);
    assert_string_equal(info->channel[1].name, "chest");
    assert_int_equal(info->channel[1].status, BEL_PROTO_CH_ABSENT);

    /* A status word from a newer firmware is read as unknown, not rejected. */
    c.n = 0;
    feed_framed(&p, "I,1,belt,2.0,100,belly:clipped", &c);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_INFO);
    assert_int_equal(c.msg[0].info.channel[0].status, BEL_PROTO_CH_UNKNOWN);
    assert_int_equal(c.msg[0].info.rate_hz, 100);
}

static void test_protocol_sample_count_must_match_info(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    int32_t v[] = {1, 2, 3};
    feed_sample(&p, 0, v, 3, &c); /* no info yet: any count is taken */
    feed(&p, "I,1,bellows-belt,1.0.0,50,belly:ok,chest:absent*2F\n", &c);
    feed_sample(&p, 0, v, 2, &c);
    feed_sample(&p, 1, v, 1, &c);
    feed_sample(&p, 2, v, 3, &c);
    feed_sample(&p, 3, v, 2, &c);
    assert_int_equal(c.n, 6);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_SAMPLE);
    assert_int_equal(c.msg[2].kind, BEL_PROTO_SAMPLE);
    assert_int_equal(c.msg[3].error.kind, BEL_PROTO_ERR_CHANNEL_COUNT);
    assert_int_equal(c.msg[3].error.field, 3);
    assert_int_equal(c.msg[4].error.kind, BEL_PROTO_ERR_CHANNEL_COUNT);
    assert_int_equal(c.msg[4].error.field, 4);
    assert_int_equal(c.msg[5].kind, BEL_PROTO_SAMPLE);
    assert_int_equal(c.msg[5].sample.n_missed, 2);
    bel_proto_parser_reset(&p); /* a reconnect forgets the count */
    c.n = 0;
    feed_sample(&p, 9, v, 3, &c);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_SAMPLE);
}

static void test_protocol_request_recognised(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    feed(&p, "?\n?\r\n??\n? \n", &c);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_REQUEST);
    assert_int_equal(c.msg[1].kind, BEL_PROTO_REQUEST);
    assert_int_equal(c.msg[2].kind, BEL_PROTO_ERROR);
    assert_int_equal(c.msg[3].kind, BEL_PROTO_ERROR);
    assert_int_equal(bel_proto_parser_get_stats(&p).requests, 2);
}

static void test_protocol_crlf_and_empty_lines(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    collected c = {0};
    feed(&p, "\n\r\nS,7,512,-3*A3\r\n\n", &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_SAMPLE);
    bel_proto_stats st = bel_proto_parser_get_stats(&p);
    assert_int_equal(st.empty, 3);
    assert_int_equal(st.lines, 4);
    assert_int_equal(st.n_errors, 0);
    /* A "\r" anywhere but last is not a line ending. */
    c.n = 0;
    feed(&p, "S,7,512,-3*A3\r\r\n", &c);
    assert_int_equal(c.msg[0].kind, BEL_PROTO_ERROR);
}

static void test_protocol_intact_lines_between_garbage_all_used(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    static const char *const garbage[] = {
        "\x00\x01\xff\xfe", "S,1,2,3*ZZ",   "hello world",        "*",
        "S,,,,,*00",        "\x80S,1,1*31", "I,1,x,y,50,a:ok*00", "S,5,1*3",
    };
    enum { N = 40 };
    collected c = {0};
    int32_t v[2];
    for (uint16_t i = 0; i < N; i++) {
        v[0] = 1000 + i;
        v[1] = -i;
        feed_sample(&p, i, v, 2, &c);
        const char *g = garbage[i % 8];
        feed_bytes(&p, (const uint8_t *)g, i % 8 == 0 ? 4 : strlen(g), &c);
        feed(&p, "\n", &c);
    }
    size_t n_samples = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.msg[i].kind == BEL_PROTO_SAMPLE) {
            const bel_proto_sample *s = &c.msg[i].sample;
            assert_int_equal(s->seq, n_samples);
            assert_int_equal(s->value[0], 1000 + (int32_t)n_samples);
            assert_int_equal(s->value[1], -(int32_t)n_samples);
            assert_int_equal(s->n_missed, 0);
            n_samples++;
        } else {
            assert_int_equal(c.msg[i].kind, BEL_PROTO_ERROR);
        }
    }
    assert_int_equal(n_samples, N);
    bel_proto_stats st = bel_proto_parser_get_stats(&p);
    assert_int_equal(st.samples, N);
    assert_int_equal(st.n_errors, N);
    assert_int_equal(st.lines, 2 * N);
}

static void test_protocol_push_bytes_stops_at_each_message(void **state)
{
    (void)state;
    bel_proto_parser p;
    bel_proto_parser_init(&p);
    const char *stream = "S,7,512,-3*A3\nxx\nS,0,512*03\nS,1";
    const uint8_t *data = (const uint8_t *)stream;
    size_t len = strlen(stream);
    bel_proto_msg msg;
    bel_proto_result r;
    size_t used = bel_proto_parser_push_bytes(&p, data, len, &msg, &r);
    assert_int_equal(used, 14);
    assert_int_equal(r, BEL_PROTO_SAMPLE);
    assert_int_equal(msg.sample.seq, 7);
    data += used;
    len -= used;
    used = bel_proto_parser_push_bytes(&p, data, len, &msg, &r);
    assert_int_equal(used, 3);
    assert_int_equal(r, BEL_PROTO_ERROR);
    data += used;
    len -= used;
    used = bel_proto_parser_push_bytes(&p, data, len, &msg, &r);
    assert_int_equal(r, BEL_PROTO_SAMPLE);
    assert_int_equal(msg.sample.value[0], 512);
    data += used;
    len -= used;
    used = bel_proto_parser_push_bytes(&p, data, len, &msg, &r);
    assert_int_equal(used, 3);
    assert_int_equal(r, BEL_PROTO_NONE);
}

static void test_protocol_make_sample_converts(void **state)
{
    (void)state;
    bel_proto_sample ps = {.seq = 3, .n_missed = 2, .n_values = 3, .value = {-16777215, 0, 512}};
    bel_sample s = bel_proto_make_sample(&ps, 1.25);
    assert_true(s.t_s == 1.25);
    assert_int_equal(s.n_missed, 2);
    assert_int_equal(s.n_channels, 3);
    assert_true(s.value[0] == -16777215.0f);
    assert_true(s.value[1] == 0.0f);
    assert_true(s.value[2] == 512.0f);
    assert_true(s.value[3] == 0.0f);
}

static void test_protocol_error_names_distinct(void **state)
{
    (void)state;
    for (int i = 0; i < BEL_PROTO_ERR_COUNT; i++) {
        const char *a = bel_proto_error_name((bel_proto_error_kind)i);
        assert_non_null(a);
        assert_string_not_equal(a, "unknown");
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(a, bel_proto_error_name((bel_proto_error_kind)j));
        }
    }
    assert_string_equal(bel_proto_error_name(BEL_PROTO_ERR_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_crc8_known_answers),
        cmocka_unit_test(test_protocol_encoder_writes_documented_lines),
        cmocka_unit_test(test_protocol_encoder_rejects_bad_arguments),
        cmocka_unit_test(test_protocol_round_trip_one_to_four_channels),
        cmocka_unit_test(test_protocol_bad_checksum_rejected_and_counted),
        cmocka_unit_test(test_protocol_malformed_fields_name_kind_and_field),
        cmocka_unit_test(test_protocol_overlong_line_rejected_then_resyncs),
        cmocka_unit_test(test_protocol_longest_info_line_fits),
        cmocka_unit_test(test_protocol_resyncs_after_binary_garbage),
        cmocka_unit_test(test_protocol_truncated_line_costs_the_next_and_gap_shows_it),
        cmocka_unit_test(test_protocol_gaps_counted),
        cmocka_unit_test(test_protocol_gaps_wrap_around),
        cmocka_unit_test(test_protocol_no_gap_after_init_reset_or_info),
        cmocka_unit_test(test_protocol_info_line_with_absent_channel),
        cmocka_unit_test(test_protocol_sample_count_must_match_info),
        cmocka_unit_test(test_protocol_request_recognised),
        cmocka_unit_test(test_protocol_crlf_and_empty_lines),
        cmocka_unit_test(test_protocol_intact_lines_between_garbage_all_used),
        cmocka_unit_test(test_protocol_push_bytes_stops_at_each_message),
        cmocka_unit_test(test_protocol_make_sample_converts),
        cmocka_unit_test(test_protocol_error_names_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
