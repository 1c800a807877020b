/* cli_live.h - the command-line options every live command (run, demo) shares: window, tones,
 * pacer, calibration, as rows of their option tables.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CLI_LIVE_H
#define BELLOWS_CLI_LIVE_H

#include "cli.h"
#include "ui_session.h"

/** The keys of a live session's window, for the commands' --help (and man pages). */
#define CLI_LIVE_KEYS                                                                              \
    "\nKeys in the window: space pause, p pacer on/off, up/down pacer faster/slower,\n"            \
    "m mute, b breath tone, c every cue, t practice/therapist layout, r this is my\n"              \
    "rest now (the relaxed level is learnt afresh), i the figure shrinks as I breathe\n"           \
    "in (the belt is turned round), k mark this moment, d mark discomfort, f\n"                    \
    "fullscreen, h help, q summary then quit. Without a window type k, d, r or i and\n"            \
    "Enter in the terminal. r and i are kept in the recording. Breathing with the\n"               \
    "pacer the other way round (in where it says breathe out) turns the belt round\n"              \
    "by itself, kept the same way; i turns it back.\n"

/** Rows in the shared set. */
enum { CLI_LIVE_N_OPTS = 11 };

/** The shared rows, writing into o (kept by the rows: o must outlive the parse): put them
 *  in the command's table with cli_parse_command_parts. Call from: main only. */
void cli_live_opts(ui_session_options *o, cli_opt rows[CLI_LIVE_N_OPTS]);

#endif
