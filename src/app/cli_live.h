/* cli_live.h - the command-line options every live command (run, demo) shares: window, tones,
 * pacer, calibration, as rows of their option tables.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CLI_LIVE_H
#define BELLOWS_CLI_LIVE_H

#include "cli.h"
#include "ui_session.h"

/** Rows in the shared set. */
enum { CLI_LIVE_N_OPTS = 10 };

/** The shared rows, writing into o (kept by the rows: o must outlive the parse): put them
 *  in the command's table with cli_parse_command_parts. Call from: main only. */
void cli_live_opts(ui_session_options *o, cli_opt rows[CLI_LIVE_N_OPTS]);

#endif
