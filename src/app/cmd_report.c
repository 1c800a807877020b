/* cmd_report.c - `bellows report`: a client's progress as one self-contained HTML page.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_store.h"
#include "report.h"

static const cli_help report_help = {
    "report", "--out FILE.html [OPTIONS]",
    "Writes one HTML page (no scripts, nothing fetched from the network; open it in\n"
    "any browser or print it) with the client's progress across sessions: breathing\n"
    "rate, belly share, time held in, and the assessment before and after each\n"
    "session, then a table of the sessions with their notes. Without --client, your\n"
    "own sessions (those run without --client).\n",
    NULL};

int cmd_report(int argc, char **argv)
{
    const char *cmd = "report";
    const char *client = NULL;
    const char *out_path = NULL;
    uint64_t session = 0;
    const cli_opt opts[] = {
        {"--client", CLI_STRING, &client, 0, 0, "a client's name", "NAME", "whose progress"},
        {"--out", CLI_STRING, &out_path, 0, 0, "a file name for the HTML page", "FILE.html",
         "where to write the page"},
        {"--session", CLI_U64, &session, 0, 0, "a session id from 'bellows sessions'", "ID",
         "also show this session's breath trace with its events"},
    };
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&report_help, argc, argv, opts, 3, pos, 0, &n_pos, &rc)) {
        return rc;
    }
    if (!out_path) {
        return cli_usage_error(cmd, "needs --out FILE.html");
    }
    if (session > (uint64_t)INT64_MAX) {
        return cli_usage_error(cmd, "--session: %llu is not a session id",
                               (unsigned long long)session);
    }
    bel_store *st = store_open_to_read(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_FAIL;
    int64_t client_id = client ? store_client_id(cmd, st, client, false) : BEL_STORE_OWN;
    if (client_id != 0) {
        bel_report_config cfg = {client_id, (int64_t)session, 0.0};
        char err[BEL_IO_ERR_LEN];
        if (bel_report_write(st, &cfg, out_path, err, sizeof err) != BEL_OK) {
            cli_fail(cmd, "%s", err);
        } else {
            printf("wrote %s\n", out_path);
            exit_code = CLI_EXIT_OK;
        }
    }
    bel_store_destroy(st);
    return exit_code;
}
