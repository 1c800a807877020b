/* main.c - the bellows command: subcommand dispatch, help and version.
 *
 * Built twice. `bellows` (BELLOWS_LIVE_EXEC set) is lean: the commands that need no window
 * or sound (analyze, simulate, ports, the store commands, report, export) run in it,
 * and it loads neither SDL2 nor PortAudio; for the live commands (run, demo, assess and
 * bare `bellows`) it executes `bellows-live` (the same program with the window and the
 * tones) in its place, with the same arguments and process id.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bellows_version.h"
#include "cli.h"
#include "text.h"
#include "cmd_store.h"

static const char usage[] =
    "usage: bellows [COMMAND] [OPTIONS]\n"
    "\n"
    "Breath and belly-expansion biofeedback.\n"
    "\n"
    "commands:\n"
    "  run        live session on a belt (the first found, or --port), else the simulated one\n"
    "  ports      list serial ports and which of them are belts\n"
    "  demo       live session on the built-in simulated belt\n"
    "  assess     guided 2-minute assessment: learns the belts, writes ASSESS.json\n"
    "  analyze    run the breath pipeline over a recording CSV, write events and a summary\n"
    "  simulate   write the simulated belt's output as a recording CSV\n"
    "  clients    list the clients in the session store\n"
    "  sessions   list your own sessions (--client NAME for a client's, --all)\n"
    "  note       add a note to a session: bellows note SESSION TEXT\n"
    "  import     add a recording made elsewhere to the store as a session\n"
    "  rename-client, merge-clients, delete-client, delete-session\n"
    "             correct the record (deleting asks for --yes)\n"
    "  report     a client's progress as one HTML page\n"
    "  export     a session as EDF+ (belts as signals, events as annotations)\n"
    "  store      check or back up the session store (check, backup FILE)\n"
    "  version    print the version (also --version)\n"
    "  help       this text\n"
    "\n"
    "'bellows COMMAND --help' describes each command. Without a command, bellows\n"
    "runs a live session ('bellows run', and takes its options) on the first belt it\n"
    "finds, and on the built-in simulated belt when none is plugged in, saying which.\n";

#ifdef BELLOWS_LIVE_EXEC
/* Replace this process with bellows-live: next to this binary (a build tree), else where
 * it is installed relative to it (BELLOWS_LIVE_EXEC, e.g. ../libexec/bellows/bellows-live).
 * Returns only on failure, with the message printed. */
static int exec_live(const char *cmd, char **argv)
{
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        return cli_fail(cmd, "cannot find where bellows is installed (/proc/self/exe: %s)",
                        strerror(errno));
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) {
        slash[1] = '\0';
    }
    static const char *const places[2] = {"bellows-live", BELLOWS_LIVE_EXEC};
    char path[PATH_MAX + 64];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s%s", self, places[i]);
        if (access(path, X_OK) == 0) {
            execv(path, argv);
            return cli_fail(cmd, "cannot start %s: %s", path, strerror(errno));
        }
    }
    return cli_fail(cmd,
                    "the live part of bellows (window, tones) is not installed: %s%s is "
                    "missing; reinstall bellows",
                    self, BELLOWS_LIVE_EXEC);
}
#endif

/* Bare `bellows`, or `bellows --run-option...`: a live session as `bellows run`. */
static bool is_default_run(int argc, char **argv)
{
    if (argc < 2) {
        return true;
    }
    const char *a = argv[1];
    return strncmp(a, "--", 2) == 0 && strcmp(a, "--help") != 0 && strcmp(a, "--version") != 0;
}

int main(int argc, char **argv)
{
    const bool is_live_cmd =
        argc >= 2 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "demo") == 0 ||
                      strcmp(argv[1], "assess") == 0);
#ifdef BELLOWS_LIVE_EXEC
    if (is_default_run(argc, argv) || is_live_cmd) {
        return exec_live(is_live_cmd ? argv[1] : "run", argv);
    }
#else
    if (is_default_run(argc, argv)) {
        return cmd_run(argc - 1, argv + 1, true);
    }
#endif
    const char *cmd = argv[1];
#ifndef BELLOWS_LIVE_EXEC
    if (is_live_cmd && strcmp(cmd, "assess") == 0) {
        return cmd_assess(argc - 2, argv + 2);
    }
    if (is_live_cmd && strcmp(cmd, "run") == 0) {
        return cmd_run(argc - 2, argv + 2, false);
    }
    if (is_live_cmd && strcmp(cmd, "demo") == 0) {
        return cmd_demo(argc - 2, argv + 2, false);
    }
#endif
    if (strcmp(cmd, "analyze") == 0) {
        return cmd_analyze(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "ports") == 0) {
        return cmd_ports(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "simulate") == 0) {
        return cmd_simulate(argc - 2, argv + 2);
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } store_cmds[] = {
        {"clients", cmd_clients},
        {"sessions", cmd_sessions},
        {"note", cmd_note},
        {"import", cmd_import},
        {"report", cmd_report},
        {"export", cmd_export},
        {"rename-client", cmd_rename_client},
        {"merge-clients", cmd_merge_clients},
        {"delete-client", cmd_delete_client},
        {"delete-session", cmd_delete_session},
        {"store", cmd_store},
    };
    for (size_t i = 0; i < sizeof store_cmds / sizeof store_cmds[0]; i++) {
        if (strcmp(cmd, store_cmds[i].name) == 0) {
            return store_cmds[i].fn(argc - 2, argv + 2);
        }
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        if (argc > 2 && strcmp(argv[2], "--help") != 0 && strcmp(argv[2], "-h") != 0) {
            return cli_usage_error("version", "unexpected argument '%s'", argv[2]);
        }
        if (argc > 2) {
            fputs("usage: bellows version\n\nPrints the version of bellows.\n", stdout);
            return CLI_EXIT_OK;
        }
        printf("bellows %s\n", BEL_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "bellows: unknown %s '", cmd[0] == '-' ? "option" : "command");
    bel_text_put(stderr, cmd);
    fputs("' (see 'bellows --help')\n", stderr);
    return CLI_EXIT_USAGE;
}
