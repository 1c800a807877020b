/* test_firmware_sampler.c - the belt firmware's oversampling, absent detection and info line.
 *
 * Runs the firmware's plain C module (hardware/firmware/bellows_belt/src/sampler.c)
 * on the host, and checks its lines with the host's own parser.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "belt_config.h"
#include "sampler.h"
#include "bellows/protocol.h"

/* One period with every reading of channel ch at raw (and no probe). */
static void feed(bel_sampler *s, uint8_t ch, uint16_t raw)
{
    for (uint8_t i = 0; i < bel_sampler_get_n_readings(s); i++) {
        bel_sampler_add(s, ch, raw);
    }
}

static void test_firmware_sampler_oversampling_adds_bits(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 1, 2, 3, 3);
    assert_int_equal(bel_sampler_get_n_readings(&s), 16);
    /* Readings alternating 500 and 501 average 500.5: 12 bits resolve it
     * as 2002 (= 500.5 * 4), which 10 bits cannot. */
    for (int i = 0; i < 16; i++) {
        bel_sampler_add(&s, 0, (uint16_t)(500 + (i & 1)));
    }
    int32_t v[1];
    assert_true(bel_sampler_finish(&s, v)); /* first period: statuses are new */
    assert_int_equal(v[0], 2002);
    /* Full scale is 1023 << 2; extra readings in a period are ignored. */
    for (int i = 0; i < 20; i++) {
        bel_sampler_add(&s, 0, 1000);
    }
    assert_false(bel_sampler_finish(&s, v));
    assert_int_equal(v[0], 4000);
}

static void test_firmware_sampler_three_bits_use_64_readings(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 1, 3, 3, 3);
    assert_int_equal(bel_sampler_get_n_readings(&s), 64);
    for (int i = 0; i < 64; i++) {
        bel_sampler_add(&s, 0, (uint16_t)(i < 16 ? 301 : 300)); /* mean 300.25 */
    }
    int32_t v[1];
    (void)bel_sampler_finish(&s, v);
    assert_int_equal(v[0], 2402); /* 300.25 * 8 */
}

static void test_firmware_sampler_short_period_is_scaled(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 1, 2, 3, 3);
    for (int i = 0; i < 8; i++) {
        bel_sampler_add(&s, 0, 600);
    }
    int32_t v[1];
    (void)bel_sampler_finish(&s, v);
    assert_int_equal(v[0], 2400);
}

static void test_firmware_sampler_rail_reads_absent_at_once_on_first_period(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 2, 2, 3, 5);
    feed(&s, 0, 512);
    feed(&s, 1, 0); /* cord unplugged: divider pulls the pin to a rail */
    int32_t v[2];
    assert_true(bel_sampler_finish(&s, v));
    assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_OK);
    assert_int_equal(bel_sampler_get_status(&s, 1), BEL_PROTO_CH_ABSENT);
    assert_int_equal(v[0], 2048);
    assert_int_equal(v[1], 0); /* absent channels send 0 (PROTOCOL.md) */
    /* The top rail too. */
    bel_sampler_init(&s, 1, 2, 3, 5);
    feed(&s, 0, 1021);
    (void)bel_sampler_finish(&s, v);
    assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_ABSENT);
}

static void test_firmware_sampler_floating_pin_follows_pullup(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 2, 2, 3, 5);
    int32_t v[2];
    /* Both read mid-scale; only channel 1 jumps to the rail with its pull-up on. */
    feed(&s, 0, 600);
    bel_sampler_add_probe(&s, 0, 700); /* driven by the divider: moves, no rail */
    feed(&s, 1, 600);
    bel_sampler_add_probe(&s, 1, 1023);
    (void)bel_sampler_finish(&s, v);
    assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_OK);
    assert_int_equal(bel_sampler_get_status(&s, 1), BEL_PROTO_CH_ABSENT);
}

static void test_firmware_sampler_status_needs_consecutive_periods(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 1, 2, 3, 5);
    int32_t v[1];
    feed(&s, 0, 512);
    assert_true(bel_sampler_finish(&s, v));
    /* Two railed periods, one good one: no change (a glitch). */
    for (int i = 0; i < 2; i++) {
        feed(&s, 0, 0);
        assert_false(bel_sampler_finish(&s, v));
    }
    feed(&s, 0, 512);
    assert_false(bel_sampler_finish(&s, v));
    /* Three in a row: absent, reported once. */
    for (int i = 0; i < 2; i++) {
        feed(&s, 0, 0);
        assert_false(bel_sampler_finish(&s, v));
        assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_OK);
    }
    feed(&s, 0, 0);
    assert_true(bel_sampler_finish(&s, v));
    assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_ABSENT);
    assert_int_equal(v[0], 0);
    /* Back after five good periods. */
    for (int i = 0; i < 4; i++) {
        feed(&s, 0, 512);
        assert_false(bel_sampler_finish(&s, v));
        assert_int_equal(v[0], 0);
    }
    feed(&s, 0, 512);
    assert_true(bel_sampler_finish(&s, v));
    assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_OK);
    assert_int_equal(v[0], 2048);
}

static void test_firmware_sampler_no_readings_is_absent(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 1, 2, 1, 1);
    int32_t v[1] = {99};
    (void)bel_sampler_finish(&s, v);
    assert_int_equal(bel_sampler_get_status(&s, 0), BEL_PROTO_CH_ABSENT);
    assert_int_equal(v[0], 0);
}

/* The info line the firmware sends parses on the host, with the statuses. */
static void test_firmware_sampler_info_line_parses(void **state)
{
    (void)state;
    bel_sampler s;
    bel_sampler_init(&s, 2, 2, 3, 5);
    int32_t v[2];
    feed(&s, 0, 400);
    feed(&s, 1, 1023);
    (void)bel_sampler_finish(&s, v);
    bel_proto_info info;
    bel_sampler_make_info(&s, "1.0.0", BEL_BELT_RATE_HZ, &info);
    char line[BEL_PROTO_BUF_SIZE];
    int n = bel_proto_encode_info(line, sizeof line, &info);
    assert_true(n > 0);
    assert_string_equal(line, "I,1,bellows-belt,1.0.0,50,belly:ok,chest:absent*2F\n");

    bel_proto_parser p;
    bel_proto_parser_init(&p);
    bel_proto_msg msg;
    bel_proto_result r = BEL_PROTO_NONE;
    size_t used = bel_proto_parser_push_bytes(&p, (const uint8_t *)line, (size_t)n, &msg, &r);
    assert_int_equal(used, (size_t)n);
    assert_int_equal(r, BEL_PROTO_INFO);
    assert_int_equal(msg.info.rate_hz, 50);
    assert_int_equal(msg.info.n_channels, 2);
    assert_string_equal(msg.info.channel[0].name, "belly");
    assert_int_equal(msg.info.channel[1].status, BEL_PROTO_CH_ABSENT);

    n = bel_proto_encode_sample(line, sizeof line, 0, v, 2);
    assert_true(n > 0);
    used = bel_proto_parser_push_bytes(&p, (const uint8_t *)line, (size_t)n, &msg, &r);
    assert_int_equal(r, BEL_PROTO_SAMPLE);
    assert_int_equal(msg.sample.value[0], 1600);
    assert_int_equal(msg.sample.value[1], 0);
}

/* The firmware's settings agree with the protocol. */
static void test_firmware_sampler_settings_match_protocol(void **state)
{
    (void)state;
    assert_true(BELT_UART_BAUD == BEL_PROTO_BAUD);
    assert_true((int)BEL_BELT_RATE_HZ >= (int)BEL_PROTO_RATE_MIN_HZ);
    assert_true((int)BEL_BELT_RATE_HZ <= (int)BEL_PROTO_RATE_MAX_HZ);
    assert_true((int)BEL_BELT_N_CHANNELS <= (int)BEL_PROTO_MAX_CHANNELS);
    /* PROTOCOL.md section 9: rate x longest sample line under 70 % of the link
     * (2 channels of at most 4 digits, seq of at most 5). */
    const unsigned line_bytes = 2 + 5 + 2 * (1 + 4) + 3 + 1;
    assert_true((unsigned long)BEL_BELT_RATE_HZ * line_bytes * 10UL < BEL_PROTO_BAUD * 7UL / 10UL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firmware_sampler_oversampling_adds_bits),
        cmocka_unit_test(test_firmware_sampler_three_bits_use_64_readings),
        cmocka_unit_test(test_firmware_sampler_short_period_is_scaled),
        cmocka_unit_test(test_firmware_sampler_rail_reads_absent_at_once_on_first_period),
        cmocka_unit_test(test_firmware_sampler_floating_pin_follows_pullup),
        cmocka_unit_test(test_firmware_sampler_status_needs_consecutive_periods),
        cmocka_unit_test(test_firmware_sampler_no_readings_is_absent),
        cmocka_unit_test(test_firmware_sampler_info_line_parses),
        cmocka_unit_test(test_firmware_sampler_settings_match_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
