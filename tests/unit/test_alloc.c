/* test_alloc.c - every allocation of the core failing in turn (as libcbor tests its
 * allocator): when the N-th allocation fails, for every N, each create function returns
 * BEL_ERR_NOMEM with *out NULL and has freed all it took; when none fails it works and its
 * destroy frees everything. Built with the core's sources and BEL_CORE_TEST_ALLOC
 * (src/core/core_alloc.h), which sends the core's allocations here.
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bellows/breath.h"
#include "bellows/holdin.h"
#include "bellows/pacer.h"
#include "bellows/pipeline.h"
#include "bellows/ring.h"
#include "bellows/sim.h"
#include "bellows/spectrum.h"
#include "bellows/tone.h"
#include "core_alloc.h"

/* The allocator: counts the calls, fails the fail_at-th (0: none), counts what is live.
 * One test thread: plain statics are enough. */
static long n_calls, fail_at, n_live;

static bool next_fails(void) { return ++n_calls == fail_at; }

static void *taken(void *p)
{
    n_live += p != NULL;
    return p;
}

void *bel_core_test_malloc(size_t size) { return next_fails() ? NULL : taken(malloc(size)); }

void *bel_core_test_calloc(size_t n, size_t size)
{
    return next_fails() ? NULL : taken(calloc(n, size));
}

void *bel_core_test_aligned_alloc(size_t alignment, size_t size)
{
    return next_fails() ? NULL : taken(aligned_alloc(alignment, size));
}

void bel_core_test_free(void *p)
{
    n_live -= p != NULL;
    free(p);
}

/* One constructor under test: create into *obj, and its destroy. */
typedef struct subject {
    bel_status (*create)(void **obj);
    void (*destroy)(void *obj);
} subject;

/* Fail allocation 1, 2, ... until the create needs no more: each failure is a clean
 * BEL_ERR_NOMEM with nothing left allocated. Returns the number of allocations it makes. */
static long fail_each(const subject *x)
{
    for (fail_at = 1; fail_at < 1000; fail_at++) {
        n_calls = 0;
        n_live = 0;
        void *obj = (void *)&n_calls; /* must be set to NULL on failure */
        const bel_status st = x->create(&obj);
        if (n_calls < fail_at) { /* the failure was never reached: it worked */
            assert_int_equal(st, BEL_OK);
            assert_non_null(obj);
            assert_true(n_live > 0);
            x->destroy(obj);
            assert_int_equal(n_live, 0);
            fail_at = 0;
            return n_calls;
        }
        assert_int_equal(st, BEL_ERR_NOMEM);
        assert_null(obj);
        assert_int_equal(n_live, 0); /* no leak */
    }
    fail();
    return 0;
}

static bel_status make_pipeline(void **obj)
{
    bel_pipeline_config cfg = bel_pipeline_config_default();
    cfg.chest_channel = 1;
    return bel_pipeline_create(&cfg, (bel_pipeline **)obj);
}
static void free_pipeline(void *obj) { bel_pipeline_destroy(obj); }

static bel_status make_breath(void **obj)
{
    bel_breath_config cfg = bel_breath_config_default(50.0);
    return bel_breath_create(&cfg, (bel_breath **)obj);
}
static void free_breath(void *obj) { bel_breath_destroy(obj); }

static bel_status make_holdin(void **obj)
{
    bel_holdin_config cfg = bel_holdin_config_default(50.0);
    bel_holdin_calibration cal = bel_holdin_calibration_none();
    return bel_holdin_create(&cfg, &cal, true, (bel_holdin **)obj);
}
static void free_holdin(void *obj) { bel_holdin_destroy(obj); }

static bel_status make_spectrum(void **obj)
{
    bel_spectrum_config cfg = bel_spectrum_config_default(50.0);
    return bel_spectrum_create(&cfg, (bel_spectrum **)obj);
}
static void free_spectrum(void *obj) { bel_spectrum_destroy(obj); }

static bel_status make_ring(void **obj) { return bel_ring_create(1024, 64, (bel_ring **)obj); }
static void free_ring(void *obj) { bel_ring_destroy(obj); }

static bel_status make_sim(void **obj)
{
    bel_sim_config cfg = bel_sim_config_default();
    return bel_sim_create(&cfg, (bel_sim **)obj);
}
static void free_sim(void *obj) { bel_sim_destroy(obj); }

static bel_status make_pacer(void **obj)
{
    bel_pacer_config cfg = bel_pacer_config_default();
    return bel_pacer_create(&cfg, (bel_pacer **)obj);
}
static void free_pacer(void *obj) { bel_pacer_destroy(obj); }

static bel_status make_tone(void **obj)
{
    bel_tone_config cfg = bel_tone_config_default(48000.0);
    return bel_tone_create(&cfg, (bel_tone **)obj);
}
static void free_tone(void *obj) { bel_tone_destroy(obj); }

/* The pipeline makes the breath detector, hold-in detector and spectrum (with kissfft's
 * plan): all its allocations fail in turn, at every depth. */
static void test_alloc_pipeline_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    const subject x = {make_pipeline, free_pipeline};
    assert_true(fail_each(&x) >= 9); /* itself, breath (8), hold-in, spectrum (2) */
}

static void test_alloc_stages_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    const subject breath = {make_breath, free_breath};
    const subject holdin = {make_holdin, free_holdin};
    const subject spectrum = {make_spectrum, free_spectrum};
    assert_int_equal(fail_each(&breath), 8);
    assert_int_equal(fail_each(&holdin), 1);
    assert_int_equal(fail_each(&spectrum), 2); /* itself and kissfft's plan */
}

static void test_alloc_others_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    const subject ring = {make_ring, free_ring};
    const subject sim = {make_sim, free_sim};
    const subject pacer = {make_pacer, free_pacer};
    const subject tone = {make_tone, free_tone};
    assert_int_equal(fail_each(&ring), 2);
    assert_true(fail_each(&sim) >= 1);
    assert_true(fail_each(&pacer) >= 1);
    assert_true(fail_each(&tone) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_pipeline_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_alloc_stages_fail_cleanly_at_every_allocation),
        cmocka_unit_test(test_alloc_others_fail_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
