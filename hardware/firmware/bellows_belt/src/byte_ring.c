/* byte_ring.c - byte queue between the belt firmware's main loop and a UART ISR.
 * SPDX-License-Identifier: MIT */
#include "byte_ring.h"

bool bel_byte_ring_init(bel_byte_ring *r, volatile uint8_t *storage, uint16_t size)
{
    r->buf = storage;
    r->head = 0;
    r->tail = 0;
    if (storage == 0 || size < 2 || size > 256 || (size & (size - 1U)) != 0) {
        r->mask = 0;
        return false;
    }
    r->mask = (uint8_t)(size - 1U);
    return true;
}

uint8_t bel_byte_ring_get_free(const bel_byte_ring *r)
{
    uint8_t used = (uint8_t)((r->head - r->tail) & r->mask);
    return (uint8_t)(r->mask - used);
}

bool bel_byte_ring_is_empty(const bel_byte_ring *r) { return r->head == r->tail; }

bool bel_byte_ring_write(bel_byte_ring *r, const void *data, uint8_t len)
{
    const uint8_t *p = data;
    if (len > bel_byte_ring_get_free(r)) {
        return false;
    }
    uint8_t head = r->head;
    for (uint8_t i = 0; i < len; i++) {
        r->buf[head] = p[i];
        head = (uint8_t)((head + 1U) & r->mask);
    }
    r->head = head; /* publish after the data (both volatile: kept in order) */
    return true;
}

bool bel_byte_ring_push(bel_byte_ring *r, uint8_t byte)
{
    if (bel_byte_ring_get_free(r) == 0) {
        return false;
    }
    uint8_t head = r->head;
    r->buf[head] = byte;
    r->head = (uint8_t)((head + 1U) & r->mask);
    return true;
}

bool bel_byte_ring_pop(bel_byte_ring *r, uint8_t *out)
{
    uint8_t tail = r->tail;
    if (tail == r->head) {
        return false;
    }
    *out = r->buf[tail];
    r->tail = (uint8_t)((tail + 1U) & r->mask);
    return true;
}
