/* fuzz_calibration.c - libFuzzer target: the assessment file's calibration reader never
 * reads outside its bytes (they are not NUL-terminated), never crashes, and gives a usable
 * calibration or a message naming the file.
 * SPDX-License-Identifier: MIT */
#include "fuzz_target.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact copy, so that a sanitizer sees any read past the end (the replay runner's
     * buffer is larger than the input). */
    char *text = malloc(size ? size : 1);
    CHECK(text != NULL);
    if (size) {
        memcpy(text, data, size);
    }
    bel_holdin_calibration c;
    char err[256];
    memset(err, 'x', sizeof err);
    bel_status st = bel_calibration_parse("fuzz.json", text, size, &c, err, sizeof err);
    CHECK(memchr(err, '\0', sizeof err) != NULL);
    if (st == BEL_OK) {
        CHECK(c.is_valid);
        CHECK(c.belly_depth > 0.0f && isfinite(c.belly_depth) && isfinite(c.belly_level));
        CHECK(err[0] == '\0');
    } else {
        CHECK(st == BEL_ERR_FORMAT);
        CHECK(!c.is_valid);
        CHECK(strncmp(err, "fuzz.json:", 10) == 0);
    }
    free(text);
    return 0;
}
