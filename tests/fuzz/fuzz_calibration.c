/* fuzz_calibration.c - libFuzzer target: the assessment file's calibration reader never
 * reads outside its bytes (they are not NUL-terminated), never crashes, and gives a usable
 * calibration or a message naming the file. What it reads round-trips through the
 * writer: an assessment file and the one-line form written with it read back as the same
 * values.
 * SPDX-License-Identifier: MIT */
#include "fuzz_target.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "calibration.h"

/* The same float, NAN included. */
static bool same(float a, float b) { return (isnan(a) && isnan(b)) || a == b; }

static void check_same(const bel_holdin_calibration *a, const bel_holdin_calibration *b)
{
    CHECK(a->is_valid == b->is_valid);
    CHECK(a->belly_inverted == b->belly_inverted && a->chest_inverted == b->chest_inverted);
    CHECK(same(a->belly_level, b->belly_level) && same(a->belly_depth, b->belly_depth));
    CHECK(same(a->chest_level, b->chest_level) && same(a->chest_depth, b->chest_depth));
    CHECK(same(a->chest_gain, b->chest_gain) && same(a->belly_share, b->belly_share));
}

/* parse -> write -> parse gives the same calibration, as a whole file and as one line. */
static void check_round_trip(const bel_holdin_calibration *c)
{
    bel_summary sum;
    memset(&sum, 0, sizeof sum);
    bel_store_findings fi;
    memset(&fi, 0, sizeof fi);
    fi.n_pain = 1;
    fi.pain[0].area = "low back";
    fi.pain[0].score = 3.0;
    fi.thomas[0] = BEL_STORE_THOMAS_TIGHT;
    fi.thomas_deg[0] = 15.0;
    fi.thomas_deg[1] = NAN;
    fi.notes = "a \"note\"\n";
    const bel_calibration_assessment a = {*c, &sum, NAN, "fuzz", false, "fuzz.csv", 2.0, 40.0, &fi};
    char *text = NULL;
    size_t len = 0;
    CHECK(bel_calibration_format(&a, &text, &len) == BEL_OK);
    CHECK(text != NULL && strlen(text) == len);
    bel_holdin_calibration back;
    char err[256];
    CHECK(bel_calibration_parse("again.json", text, len, &back, err, sizeof err) == BEL_OK);
    check_same(c, &back);
    free(text);
    char line[1024];
    const size_t n = bel_calibration_format_line(c, line, sizeof line);
    CHECK(n > 0 && n < sizeof line && strchr(line, '\n') == NULL);
    CHECK(bel_calibration_parse("line", line, n, &back, err, sizeof err) == BEL_OK);
    check_same(c, &back);
}

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
        check_round_trip(&c);
    } else {
        CHECK(st == BEL_ERR_FORMAT);
        CHECK(!c.is_valid);
        CHECK(strncmp(err, "fuzz.json:", 10) == 0);
        /* The file's bytes quoted in the message are escaped: nothing reaches a terminal. */
        for (const char *e = err; *e; e++) {
            CHECK((unsigned char)*e >= 0x20 && (unsigned char)*e < 0x7f);
        }
    }
    free(text);
    return 0;
}
