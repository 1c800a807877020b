/* ring.c - single-producer/single-consumer ring with C11 acquire/release atomics.
 * SPDX-License-Identifier: MIT */
#include "bellows/ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "core_alloc.h"

/* head and tail count items ever pushed and popped (they wrap at SIZE_MAX + 1,
 * a multiple of any power-of-two capacity, so head - tail stays right).
 * They sit on separate cache lines so the two threads do not share one. */
struct bel_ring {
    _Alignas(64) _Atomic size_t head; /* written by the producer */
    _Alignas(64) _Atomic size_t tail; /* written by the consumer */
    _Alignas(64) _Atomic uint64_t dropped;
    size_t mask;
    size_t item_size;
    unsigned char *items;
};

static bool is_power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

bel_status bel_ring_create(size_t capacity, size_t item_size, bel_ring **out)
{
    if (out) {
        *out = NULL;
    }
    if (!out || capacity < 2 || capacity > BEL_RING_CAPACITY_MAX || !is_power_of_two(capacity) ||
        item_size < 1 || item_size > BEL_RING_ITEM_SIZE_MAX) {
        return BEL_ERR_ARG;
    }
    /* Both factors are bounded above (2^24 * 2^16), so the product fits 64 bits. */
    bel_ring *r = BEL_CORE_ALIGNED_ALLOC(64, (sizeof *r + 63) / 64 * 64);
    if (!r) {
        goto fail;
    }
    memset(r, 0, sizeof *r);
    r->items = BEL_CORE_MALLOC(capacity * item_size);
    if (!r->items) {
        goto fail;
    }
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->dropped, 0);
    r->mask = capacity - 1;
    r->item_size = item_size;
    *out = r;
    return BEL_OK;
fail:
    bel_ring_destroy(r);
    return BEL_ERR_NOMEM;
}

void bel_ring_destroy(bel_ring *ring)
{
    if (!ring) {
        return;
    }
    BEL_CORE_FREE(ring->items);
    BEL_CORE_FREE(ring);
}

bool bel_ring_push(bel_ring *ring, const void *item)
{
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head - tail > ring->mask) {
        atomic_fetch_add_explicit(&ring->dropped, 1, memory_order_relaxed);
        return false;
    }
    memcpy(ring->items + (head & ring->mask) * ring->item_size, item, ring->item_size);
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    return true;
}

bool bel_ring_pop(bel_ring *ring, void *item)
{
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    if (head == tail) {
        return false;
    }
    memcpy(item, ring->items + (tail & ring->mask) * ring->item_size, ring->item_size);
    atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
    return true;
}

size_t bel_ring_get_count(const bel_ring *ring)
{
    /* Load tail first: head only grows, so head - tail never underflows. */
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    return head - tail;
}

size_t bel_ring_get_free(const bel_ring *ring)
{
    size_t count = bel_ring_get_count(ring);
    return count > ring->mask ? 0 : ring->mask + 1 - count;
}

size_t bel_ring_get_capacity(const bel_ring *ring) { return ring->mask + 1; }

uint64_t bel_ring_get_dropped(const bel_ring *ring)
{
    return atomic_load_explicit(&ring->dropped, memory_order_relaxed);
}
