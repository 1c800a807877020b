/* rx_line.h - recognises the host's info request "?" in the belt's input bytes.
 *
 * PROTOCOL.md section 6: the request is the line "?\n" or "?\r\n"; every
 * other line is ignored. Keeps a few bytes of state, never a buffer.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FW_RX_LINE_H
#define BELLOWS_FW_RX_LINE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Caller-owned line state; fields private. Zero it or call init. */
typedef struct bel_rx_line {
    /* private: */
    uint8_t len;    /* bytes of this line so far, saturating at 255 */
    uint8_t first;  /* its first byte */
    uint8_t second; /* its second byte */
} bel_rx_line;

/** Start at the beginning of a line. Call from: setup. */
void bel_rx_line_init(bel_rx_line *l);

/** Feed one received byte; true when it ended an info request line.
 *  Call from: main loop. */
bool bel_rx_line_push(bel_rx_line *l, uint8_t byte);

#ifdef __cplusplus
}
#endif

#endif
