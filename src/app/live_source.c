/* live_source.c - the belt a live command reads: --port, the first belt found, or the simulator.
 * SPDX-License-Identifier: MIT */
#include "live_source.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { MAX_PORTS = 32 };

/* First belt among the listed ports, or "" when none answers; then *why_none says why a
 * USB port that is there (a belt, maybe) could not be asked (permission, busy), or is "". */
static void find_belt(char *port, size_t len, char *why_none, size_t why_len)
{
    bel_serial_port_desc ports[MAX_PORTS];
    char err[BEL_IO_ERR_LEN];
    port[0] = '\0';
    why_none[0] = '\0';
    int n = bel_serial_list_ports(ports, MAX_PORTS, BEL_SERIAL_PROBE_MS, true, err, sizeof err);
    for (int k = 0; k < n && k < MAX_PORTS; k++) {
        if (ports[k].is_belt) {
            snprintf(port, len, "%s", ports[k].name);
            return;
        }
    }
    for (int k = 0; k < n && k < MAX_PORTS; k++) {
        if (ports[k].is_usb && ports[k].is_unopened && why_none[0] == '\0') {
            snprintf(why_none, why_len, "%s", ports[k].error);
        }
    }
}

int live_source_open(const live_source_request *r, live_source *out)
{
    memset(out, 0, sizeof *out);
    char err[BEL_IO_ERR_LEN];
    char found[BEL_SERIAL_NAME_LEN] = "";
    const char *port = r->port;
    if (port && r->is_simulated_asked) {
        return cli_usage_error(r->cmd, "--port and --simulated contradict each other");
    }
    if (!port && !r->is_simulated_asked) {
        char why_none[BEL_IO_ERR_LEN];
        find_belt(found, sizeof found, why_none, sizeof why_none);
        if (found[0] != '\0') {
            port = found;
        } else if (!r->may_fall_back) {
            if (why_none[0] != '\0') {
                return cli_fail(r->cmd, "no belt found: %s", why_none);
            }
            return cli_fail(r->cmd,
                            "no belt found: plug the belt in (see 'bellows ports'), give "
                            "--port PATH, or %s",
                            r->refusal ? r->refusal : "--simulated for the simulated belt");
        } else if (why_none[0] != '\0') {
            /* A belt may be there: say why it could not be asked before falling back. */
            fprintf(stderr, "bellows %s: %s\n", r->cmd, why_none);
        }
    }
    if (port) {
        bel_serial_config sc = bel_serial_config_default();
        sc.port = port;
        sc.plotter_rate_hz = r->plotter_rate_hz;
        sc.speed = r->belt_speed > 0.0 ? r->belt_speed : 1.0;
        if (bel_serial_source_create(&sc, &out->src, &out->link, err, sizeof err) != BEL_OK) {
            return cli_fail(r->cmd, "%s", err);
        }
        snprintf(out->label, sizeof out->label, "%s", bel_source_describe(out->src));
        return CLI_EXIT_OK;
    }
    if (bel_source_create_sim(&r->sim, r->is_realtime, &out->src, err, sizeof err) != BEL_OK) {
        return cli_fail(r->cmd, "%s", err);
    }
    out->is_simulated = true;
    out->is_fallback = !r->is_simulated_asked;
    snprintf(out->label, sizeof out->label, "%s",
             out->is_fallback ? "simulated belt - no belt found"
                              : "simulated belt (--simulated) - not a person's breathing");
    return CLI_EXIT_OK;
}
