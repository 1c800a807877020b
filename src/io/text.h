/* text.h - is a byte string plain printable text? UTF-8 without control characters.
 *
 * Names and messages from files, belts and the command line end up on a terminal.
 * A C0 control (0x00-0x1f, 0x7f), a C1 control (U+0080-U+009F) or a byte that is not
 * well-formed UTF-8 (a lone 0x9b is the 8-bit CSI of many terminals) can move the
 * cursor, retitle the window or worse: this finds them, so readers can reject them
 * and printers can replace them.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_TEXT_H
#define BELLOWS_TEXT_H

#include <stdio.h>

/** Offset of the first byte of s[0..n) that is not printable UTF-8 text (a control
 *  character, C0 or C1, or malformed UTF-8), n if there is none. Call from: any thread. */
size_t bel_text_find_control(const char *s, size_t n);

/** Write the NUL-terminated s to f, each byte that bel_text_find_control objects to as
 *  '?'. NULL writes nothing. Call from: any thread (stdio). */
void bel_text_put(FILE *f, const char *s);

#endif
