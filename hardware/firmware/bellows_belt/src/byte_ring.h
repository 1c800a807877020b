/* byte_ring.h - byte queue between the belt firmware's main loop and a UART ISR.
 *
 * One producer, one consumer, one of them an interrupt handler. The indices
 * are single bytes (atomic loads and stores on the AVR) and each is written
 * by one side only, so no lock is needed; the buffer is volatile so the
 * compiler keeps the data store before the index store. Plain C: the host
 * tests run it too.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FW_BYTE_RING_H
#define BELLOWS_FW_BYTE_RING_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Caller-owned ring over caller storage; fields private. */
typedef struct bel_byte_ring {
    /* private: */
    volatile uint8_t *buf;
    uint8_t mask;          /* size - 1 */
    volatile uint8_t head; /* next write; producer only */
    volatile uint8_t tail; /* next read; consumer only */
} bel_byte_ring;

/** Use `storage` (kept; `size` bytes, a power of two, 2..256) for `r`.
 *  Holds size - 1 bytes. Returns false (and leaves r empty of room) for a
 *  bad size. Call from: setup, before the ISR runs. */
bool bel_byte_ring_init(bel_byte_ring *r, volatile uint8_t *storage, uint16_t size);

/** Bytes the producer can still write. Call from: the producer. */
uint8_t bel_byte_ring_get_free(const bel_byte_ring *r);

/** True when nothing is queued. Call from: either side. */
bool bel_byte_ring_is_empty(const bel_byte_ring *r);

/** Queue all `len` bytes of `data`, or none when they do not fit (returns
 *  false). Call from: the producer only. */
bool bel_byte_ring_write(bel_byte_ring *r, const void *data, uint8_t len);

/** Queue one byte; false (dropped) when full. Call from: the producer only
 *  (an RX ISR). */
bool bel_byte_ring_push(bel_byte_ring *r, uint8_t byte);

/** Take one byte into *out; false when empty. Call from: the consumer only
 *  (the UDRE ISR, or the main loop for RX). */
bool bel_byte_ring_pop(bel_byte_ring *r, uint8_t *out);

#ifdef __cplusplus
}
#endif

#endif
