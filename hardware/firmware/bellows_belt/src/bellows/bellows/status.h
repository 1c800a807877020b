/* status.h - result codes shared by every bellows module.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_STATUS_H
#define BELLOWS_STATUS_H

#if defined(__GNUC__) || defined(__clang__)
#define BEL_NODISCARD __attribute__((warn_unused_result))
#else
#define BEL_NODISCARD
#endif

/** Result of anything that can fail. BEL_OK is 0; errors are negative. */
typedef enum bel_status {
    BEL_OK = 0,
    BEL_ERR_ARG = -1,      /**< caller bug: bad argument */
    BEL_ERR_NOMEM = -2,    /**< allocation failed */
    BEL_ERR_IO = -3,       /**< OS or library I/O error */
    BEL_ERR_TIMEOUT = -4,  /**< nothing arrived in time */
    BEL_ERR_PROTOCOL = -5, /**< bad bytes on the wire */
    BEL_ERR_FORMAT = -6,   /**< bad file content */
} bel_status;

/** Short English name of a status ("invalid argument"). Never NULL.
 *  Call from: any thread. */
const char *bel_status_str(int status);

#endif
