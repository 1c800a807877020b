/* ring.h - fixed-size single-producer/single-consumer queue (STYLE.md 11).
 *
 * One thread pushes, one other thread pops; hand-off by C11 acquire/release
 * atomics, no locks. Capacity is a power of two and items have a fixed size,
 * both set at create. A full ring never blocks the producer: the item is
 * dropped and counted.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_RING_H
#define BELLOWS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/status.h"

typedef struct bel_ring bel_ring;

/** Largest capacity and item size bel_ring_create accepts. */
enum { BEL_RING_CAPACITY_MAX = 1 << 24, BEL_RING_ITEM_SIZE_MAX = 1 << 16 };

/** Ring of `capacity` items (a power of two, 2..BEL_RING_CAPACITY_MAX),
 *  `item_size` bytes each (1..BEL_RING_ITEM_SIZE_MAX). *out is NULL on failure:
 *  BEL_ERR_ARG for a bad size, BEL_ERR_NOMEM.
 *  Call from: setup only (allocates), before the threads that use it start. */
BEL_NODISCARD bel_status bel_ring_create(size_t capacity, size_t item_size, bel_ring **out);

/** Free. NULL is fine. Call from: teardown, after both threads stopped. */
void bel_ring_destroy(bel_ring *ring);

/** Copy one item (item_size bytes, borrowed) in. Returns false if the ring is
 *  full: the item is dropped and counted (bel_ring_get_dropped).
 *  Call from: the producer only. Real-time safe: no lock, no allocation. */
bool bel_ring_push(bel_ring *ring, const void *item);

/** Copy the oldest item out into `item` (item_size bytes) and remove it.
 *  Returns false if the ring is empty (item untouched).
 *  Call from: the consumer only. Real-time safe. */
bool bel_ring_pop(bel_ring *ring, void *item);

/** Items waiting now (exact from the consumer; a lower bound of the free
 *  room's complement from the producer). Call from: either side. */
size_t bel_ring_get_count(const bel_ring *ring);

/** Room for this many pushes at least (exact from the producer).
 *  Call from: either side, meaningful on the producer's. */
size_t bel_ring_get_free(const bel_ring *ring);

/** Capacity in items, as created. Call from: any thread. */
size_t bel_ring_get_capacity(const bel_ring *ring);

/** Items dropped because the ring was full, since create. Call from: any thread. */
uint64_t bel_ring_get_dropped(const bel_ring *ring);

#endif
