/* status.c - names of result codes.
 * SPDX-License-Identifier: MIT */
#include "bellows/status.h"

const char *bel_status_str(int status)
{
    switch (status) {
    case BEL_OK:
        return "ok";
    case BEL_ERR_ARG:
        return "invalid argument";
    case BEL_ERR_NOMEM:
        return "out of memory";
    case BEL_ERR_IO:
        return "input/output error";
    case BEL_ERR_TIMEOUT:
        return "timed out";
    case BEL_ERR_PROTOCOL:
        return "protocol error";
    case BEL_ERR_FORMAT:
        return "bad file format";
    default:
        return status > 0 ? "ok" : "unknown error";
    }
}
