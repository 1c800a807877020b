/* live_source.h - which belt a live command (run, assess) reads: the one place it is chosen.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_LIVE_SOURCE_H
#define BELLOWS_LIVE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "bellows/sim.h"
#include "serial.h"
#include "source.h"

/** What the command line asked for. */
typedef struct live_source_request {
    const char *cmd;         /**< subcommand, for messages */
    const char *port;        /**< --port PATH; NULL: the first belt that answers */
    bool is_simulated_asked; /**< --simulated: the built-in simulated belt, no search */
    bool may_fall_back;      /**< no belt found: use the simulated belt (labelled) instead of
                                  stopping; false for anything stored in a client's record */
    const char *refusal;     /**< with may_fall_back false: the end of the "no belt found"
                                  message, naming the way out (e.g. "--simulated") */
    bel_sim_config sim;      /**< the simulated belt, when it is used */
    bool is_realtime;        /**< pace the simulated belt to the clock */
    double plotter_rate_hz;  /**< --rate HZ of a sketch's Serial Plotter lines; 0: timed on
                                  arrival (bel_serial_config.plotter_rate_hz) */
    double belt_speed;       /**< --belt-speed X: the belt plays X times faster than real
                                  time (bel_serial_config.speed); 0: 1 */
} live_source_request;

/** The chosen source. */
typedef struct live_source {
    bel_source *src;   /**< owned; bel_source_destroy */
    bel_serial *link;  /**< the serial link when a belt, else NULL (owned by src) */
    bool is_simulated; /**< the built-in simulated belt */
    bool is_fallback;  /**< simulated because no belt was found */
    char label[160];   /**< for the window's status line: the belt, or "simulated belt - ..." */
} live_source;

/** Choose and open: --port, else --simulated, else the first belt found, else
 *  the simulated belt if r->may_fall_back. Returns CLI_EXIT_OK with *out filled,
 *  CLI_EXIT_USAGE (--port with --simulated) or CLI_EXIT_FAIL (no belt and no
 *  fallback, the port cannot be opened), message printed naming r->cmd; out->src
 *  NULL then. Call from: main, setup only (probes ports, up to 300 ms each). */
int live_source_open(const live_source_request *r, live_source *out);

#endif
