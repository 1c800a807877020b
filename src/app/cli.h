/* cli.h - command-line plumbing shared by the subcommands: option parsing, messages, Ctrl-C.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_CLI_H
#define BELLOWS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "outfile.h"

/** Exit codes: success, failure at run time (bad file, I/O), bad command line. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/** Kinds of option value. */
typedef enum cli_kind {
    CLI_FLAG,   /**< no value; dest is bool */
    CLI_STRING, /**< dest is const char * (points into argv) */
    CLI_DOUBLE, /**< dest is double, within [min, max] */
    CLI_U64,    /**< dest is uint64_t (decimal) */
} cli_kind;

/** One option of a command: how it is parsed and how --help shows it. A command's table
 *  of these is the one place its options are written down. */
typedef struct cli_opt {
    const char *name; /**< "--duration" */
    cli_kind kind;
    void *dest;
    double min; /**< CLI_DOUBLE range */
    double max;
    const char *what; /**< the value in words, for errors: "seconds" */
    const char *arg;  /**< the value's name in the help: "S"; NULL for a flag */
    const char *help; /**< what it does, for --help (lines after the first are indented
                           under it by cli_print_help); NULL: not shown */
} cli_opt;

/** What a command's --help says besides its options. */
typedef struct cli_help {
    const char *name;  /**< "analyze" */
    const char *forms; /**< the usage line(s) after "bellows NAME", one form a line:
                            "REC.csv --events OUT.csv [OPTIONS]" */
    const char *about; /**< what it does: paragraphs, blank-line separated */
    const char *more;  /**< after the options (exit status, ...); NULL: nothing */
} cli_help;

/** cli_parse for the command h->name, printing its help (cli_print_help to stdout) when
 *  asked. true: go on with the parsed options; false: return *exit_code (CLI_EXIT_OK
 *  after the help, CLI_EXIT_USAGE after a bad command line, message printed).
 *  Call from: main only. */
bool cli_parse_command(const cli_help *h, int argc, char **argv, const cli_opt *opts, int n_opts,
                       const char **pos, int max_pos, int *n_pos, int *exit_code);

/** One part of a command's option table, for a table put together from parts: the
 *  command's own rows and a set every command of a kind shares (cli_live.h). */
typedef struct cli_table {
    const cli_opt *opts;
    int n_opts;
} cli_table;

/** Most rows of a table put together from parts. */
enum { CLI_MAX_OPTS = 64 };

/** cli_parse_command over the rows of parts, in order, as one table (the help shows them
 *  in that order). More than CLI_MAX_OPTS rows in all is a bug (assert).
 *  Call from: main only. */
bool cli_parse_command_parts(const cli_help *h, int argc, char **argv, const cli_table *parts,
                             int n_parts, const char **pos, int max_pos, int *n_pos,
                             int *exit_code);

/** Print the help of a command: its usage forms, about, every option of opts with a
 *  help text ("  --name ARG  help", continuation lines indented to the text), then more.
 *  The man pages and the bash completion are made from this text (cmake/gen_docs.sh).
 *  Call from: main only. */
void cli_print_help(FILE *f, const cli_help *h, const cli_opt *opts, int n_opts);

/** Results of cli_parse. */
enum { CLI_PARSED = 0, CLI_HELP_ASKED = 1, CLI_BAD = 2 };

/** Parse args (argv[0] is the first argument after the subcommand) against opts.
 *  Accepts `--name value` and `--name=value`; `--help`/`-h` gives CLI_HELP_ASKED;
 *  `--` ends the options. Positional arguments go to pos (at most max_pos, count
 *  in *n_pos). On a bad command line prints one line naming the flag and
 *  pointing at `bellows CMD --help`, and returns CLI_BAD. Call from: main only. */
int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, int n_opts,
              const char **pos, int max_pos, int *n_pos);

/** Print "bellows CMD: MESSAGE (see 'bellows CMD --help')" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) BEL_PRINTF_LIKE(2, 3);

/** Print "bellows CMD: MESSAGE" on stderr; returns CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const char *fmt, ...) BEL_PRINTF_LIKE(2, 3);

/** Say on stdout that what (a recording, or a count of them) has one belt whose breaths
 *  look read the other way round from start to end (bel_summary_looks_turned_round), and
 *  remedy: the command's way to read it turned. A hint: which way the belt reads is the
 *  user's to say, the shape can mislead. */
void cli_say_upside_down(const char *what, const char *remedy);

/** Route SIGINT and SIGTERM to the stop flag (no restart, so sleeps wake up). */
void cli_install_stop_handler(void);

/** True once Ctrl-C (or SIGTERM) arrived. Call from: any thread. */
bool cli_stop_requested(void);

/** Seconds on the monotonic clock. */
double cli_now_s(void);

/** Subcommands; each returns the process exit code. argv[0] is the first argument
 *  after the subcommand name. */
int cmd_analyze(int argc, char **argv);
int cmd_demo(int argc, char **argv, bool as_default);
/** `bellows run`; as_default: started as bare `bellows` (says so in its first line). */
int cmd_run(int argc, char **argv, bool as_default);
int cmd_ports(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_assess(int argc, char **argv);

#endif
