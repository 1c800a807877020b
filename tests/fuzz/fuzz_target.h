/* fuzz_target.h - the libFuzzer entry point, shared by the fuzz targets and the replay runner.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FUZZ_TARGET_H
#define BELLOWS_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* A broken property is a crash: libFuzzer saves the input, ctest fails. */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/** Run one input; aborts on a broken property, returns 0 otherwise.
 *  Call from: libFuzzer or the replay runner. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
