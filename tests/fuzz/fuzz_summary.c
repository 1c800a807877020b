/* fuzz_summary.c - libFuzzer target: the summary JSON writer, given any numbers (NAN,
 * infinities, huge) and any text (quotes, control bytes, invalid UTF-8) in names, paths
 * and error messages, writes one well-formed JSON object: strings closed and escaped,
 * no bare nan or inf, brackets balanced.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* memfd_create: the output as a file without touching the disk */

#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "summary_json.h"

/* Next NUL-terminated piece of the input (at most 200 bytes) into buf. */
static const char *take_text(const uint8_t **p, size_t *n, char *buf, size_t len)
{
    size_t k = 0;
    while (*n > 0 && **p != 0 && k + 1 < len) {
        buf[k++] = (char)**p;
        (*p)++;
        (*n)--;
    }
    if (*n > 0) {
        (*p)++;
        (*n)--;
    }
    buf[k] = '\0';
    return buf;
}

/* A JSON text: strings closed with no raw control bytes, brackets balanced, no letters
 * outside strings but those of true, false and null. */
static void check_json(const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++) {
                CHECK((unsigned char)s[i] >= 0x20);
                if (s[i] == '\\') {
                    i++;
                    CHECK(i < n && strchr("\"\\/bfnrtu", s[i]) != NULL);
                }
            }
            CHECK(i < n);
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            CHECK(--depth >= 0);
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            CHECK(strncmp(s + i, "true", 4) == 0 || strncmp(s + i, "false", 5) == 0 ||
                  strncmp(s + i, "null", 4) == 0 || c == 'e' || c == 'E');
            while (i + 1 < n && s[i + 1] >= 'a' && s[i + 1] <= 'z') {
                i++;
            }
        }
    }
    CHECK(depth == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bel_summary sum;
    memset(&sum, 0, sizeof sum);
    const size_t raw = size < sizeof sum ? size : sizeof sum;
    memcpy(&sum, data, raw); /* any bits: NAN, infinities, huge counts */
    /* ... but a bool holds 0 or 1 (any other byte is undefined in C, not a bellows bug). */
    unsigned char b[2];
    memcpy(&b[0], &sum.is_belly_inverted, 1);
    memcpy(&b[1], &sum.is_chest_inverted, 1);
    sum.is_belly_inverted = b[0] & 1u;
    sum.is_chest_inverted = b[1] & 1u;
    const uint8_t *p = data + raw;
    size_t n = size - raw;
    char input[256], channel[256], chest[256], e1[256], e2[256];
    const char *errors[2] = {take_text(&p, &n, e1, sizeof e1), take_text(&p, &n, e2, sizeof e2)};
    bel_summary_json_info info = {
        .input_path = take_text(&p, &n, input, sizeof input),
        .channel = take_text(&p, &n, channel, sizeof channel),
        .chest_channel = size % 2 ? take_text(&p, &n, chest, sizeof chest) : NULL,
        .inverted = size % 3 == 0,
        .fs_hz = size > 8 ? (double)data[0] * 1e300 * (data[1] % 2 ? -1 : 1) : 50.0,
        .n_samples = size,
        .summary = &sum,
        .n_errors = (int)(size % 3),
        .errors = errors,
    };
    char path[64];
    int fd = fuzz_file(NULL, 0, path, sizeof path); /* the writer's output */
    char err[256];
    info.n_errors = info.n_errors > 2 ? 2 : info.n_errors;
    bel_status st = bel_summary_json_write(path, &info, err, sizeof err);
    if (st == BEL_OK) {
        off_t len = lseek(fd, 0, SEEK_END);
        CHECK(len > 0);
        char *text = malloc((size_t)len);
        CHECK(text != NULL);
        CHECK(pread(fd, text, (size_t)len, 0) == len);
        check_json(text, (size_t)len);
        free(text);
    }
    close(fd);
    return 0;
}
