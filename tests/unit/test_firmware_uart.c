/* test_firmware_uart.c - the belt firmware's UART byte ring and request recogniser.
 *
 * Runs hardware/firmware/bellows_belt/src/byte_ring.c and rx_line.c on the host.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "byte_ring.h"
#include "rx_line.h"

static void test_firmware_uart_ring_rejects_bad_sizes(void **state)
{
    (void)state;
    static volatile uint8_t buf[256];
    bel_byte_ring r;
    assert_false(bel_byte_ring_init(&r, buf, 0));
    assert_false(bel_byte_ring_init(&r, buf, 48));
    assert_false(bel_byte_ring_init(&r, buf, 512));
    assert_int_equal(bel_byte_ring_get_free(&r), 0);
    assert_false(bel_byte_ring_push(&r, 1));
    assert_true(bel_byte_ring_init(&r, buf, 256));
    assert_int_equal(bel_byte_ring_get_free(&r), 255);
}

/* A line goes in whole or not at all, so a full ring never sends half a line. */
static void test_firmware_uart_ring_writes_whole_lines_only(void **state)
{
    (void)state;
    static volatile uint8_t buf[16];
    bel_byte_ring r;
    assert_true(bel_byte_ring_init(&r, buf, 16));
    assert_true(bel_byte_ring_write(&r, "S,1,2*AB\n", 9));
    assert_int_equal(bel_byte_ring_get_free(&r), 6);
    assert_false(bel_byte_ring_write(&r, "S,2,3*CD\n", 9)); /* does not fit: dropped */
    assert_int_equal(bel_byte_ring_get_free(&r), 6);
    uint8_t out[9];
    for (int i = 0; i < 9; i++) {
        assert_true(bel_byte_ring_pop(&r, &out[i]));
    }
    assert_memory_equal(out, "S,1,2*AB\n", 9);
    uint8_t b;
    assert_false(bel_byte_ring_pop(&r, &b));
    assert_true(bel_byte_ring_is_empty(&r));
}

/* Bytes come out in order across the wrap of the indices, many times round. */
static void test_firmware_uart_ring_keeps_order_across_wrap(void **state)
{
    (void)state;
    static volatile uint8_t buf[32];
    bel_byte_ring r;
    assert_true(bel_byte_ring_init(&r, buf, 32));
    uint8_t next_in = 0;
    uint8_t next_out = 0;
    int n_out = 0;
    for (int round = 0; round < 500; round++) {
        uint8_t chunk[7];
        for (int i = 0; i < 7; i++) {
            chunk[i] = (uint8_t)(next_in + i);
        }
        if (bel_byte_ring_write(&r, chunk, 7)) {
            next_in = (uint8_t)(next_in + 7);
        }
        for (int i = 0; i < (round % 3) + 4; i++) {
            uint8_t b;
            if (bel_byte_ring_pop(&r, &b)) {
                assert_int_equal(b, next_out);
                next_out++;
                n_out++;
            }
        }
    }
    assert_true(n_out > 1500); /* about 3.5 kB through a 31-byte ring */
}

static bool feed_str(bel_rx_line *l, const char *s, int *n_requests)
{
    bool last = false;
    for (; *s != '\0'; s++) {
        last = bel_rx_line_push(l, (uint8_t)*s);
        if (last) {
            (*n_requests)++;
        }
    }
    return last;
}

static void test_firmware_uart_request_lines(void **state)
{
    (void)state;
    bel_rx_line l;
    bel_rx_line_init(&l);
    int n = 0;
    assert_true(feed_str(&l, "?\n", &n));
    assert_true(feed_str(&l, "?\r\n", &n));
    assert_int_equal(n, 2);
    /* Anything else is ignored: longer lines, "\r" elsewhere, empty lines. */
    n = 0;
    feed_str(&l, "??\n", &n);
    feed_str(&l, "?x\n", &n);
    feed_str(&l, "x?\n", &n);
    feed_str(&l, "\r?\n", &n);
    feed_str(&l, "\n\n", &n);
    feed_str(&l, "?\r\r\n", &n);
    assert_int_equal(n, 0);
    /* A long line of "?" does not wrap its length counter into a request. */
    for (int i = 0; i < 300; i++) {
        assert_false(bel_rx_line_push(&l, '?'));
    }
    assert_false(bel_rx_line_push(&l, '\n'));
    /* And the next request still works. */
    assert_true(feed_str(&l, "?\n", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firmware_uart_ring_rejects_bad_sizes),
        cmocka_unit_test(test_firmware_uart_ring_writes_whole_lines_only),
        cmocka_unit_test(test_firmware_uart_ring_keeps_order_across_wrap),
        cmocka_unit_test(test_firmware_uart_request_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
