/* text.c - printable UTF-8 without control characters.
 * SPDX-License-Identifier: MIT */
#include "text.h"

#include <stdbool.h>
#include <string.h>

/* Length of the well-formed, non-control UTF-8 character at s[0..n), 0 if it is not one
 * (Unicode 15, table 3-7: no overlong forms, surrogates or values past U+10FFFF). */
static size_t char_len(const unsigned char *s, size_t n)
{
    const unsigned char c = s[0];
    if (c >= 0x20 && c < 0x7f) {
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        if (c == 0xc2) {
            lo = 0xa0; /* C2 80..C2 9F are the C1 controls */
        }
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t k = 2; k < len; k++) {
        if (s[k] < 0x80 || s[k] > 0xbf) {
            return 0;
        }
    }
    return len;
}

size_t bel_text_find_control(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = char_len(u + i, n - i);
        if (len == 0) {
            return i;
        }
        i += len;
    }
    return n;
}

void bel_text_put(FILE *f, const char *s)
{
    if (!s) {
        return;
    }
    size_t n = strlen(s);
    while (n > 0) {
        size_t ok = bel_text_find_control(s, n);
        fwrite(s, 1, ok, f);
        if (ok == n) {
            break;
        }
        fputc('?', f);
        s += ok + 1;
        n -= ok + 1;
    }
}
