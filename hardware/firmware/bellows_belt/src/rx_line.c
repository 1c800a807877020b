/* rx_line.c - recognises the host's info request "?" in the belt's input bytes.
 * SPDX-License-Identifier: MIT */
#include "rx_line.h"

#include "bellows/proto_encode.h"

void bel_rx_line_init(bel_rx_line *l)
{
    l->len = 0;
    l->first = 0;
    l->second = 0;
}

bool bel_rx_line_push(bel_rx_line *l, uint8_t byte)
{
    if (byte == (uint8_t)BEL_PROTO_CHAR_EOL) {
        bool is_request = l->first == (uint8_t)BEL_PROTO_CHAR_REQUEST &&
                          (l->len == 1 || (l->len == 2 && l->second == (uint8_t)BEL_PROTO_CHAR_CR));
        bel_rx_line_init(l);
        return is_request;
    }
    if (l->len == 0) {
        l->first = byte;
    } else if (l->len == 1) {
        l->second = byte;
    }
    if (l->len < UINT8_MAX) {
        l->len++;
    }
    return false;
}
