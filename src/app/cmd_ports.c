/* cmd_ports.c - `bellows ports`: serial ports, and which of them are belts.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "serial.h"
#include "text.h"

static const cli_help ports_help = {
    "ports", "[PORT...] [OPTIONS]",
    "Lists the serial ports and asks each for the belt's info line; the ones that\n"
    "answer are marked as belts, with their firmware version, rate and channels.\n"
    "A port sending Arduino Serial Plotter lines (numbers separated by spaces, commas\n"
    "or tabs, 'name:value' if labelled: any sketch) is a belt too; the line says\n"
    "which format it heard, the rate the lines came at and the channels.\n"
    "PORT... are probed too (for ports the system does not list).\n",
    "Exit status: 0 a belt was found, 1 none was, 2 bad command line.\n"};

enum { PORTS_MAX = 64, PORTS_MAX_EXTRA = 16 };

static void print_port(const bel_serial_port_desc *d)
{
    if (d->is_belt && d->format == BEL_SERIAL_FORMAT_PLOTTER) {
        printf("%-20s belt: a sketch sending %s, about %u Hz, channels", d->name,
               bel_serial_format_name(d->format), (unsigned)d->info.rate_hz);
    } else if (d->is_belt) {
        printf("%-20s belt: %s firmware %s, %u Hz, channels", d->name, d->info.device,
               d->info.firmware, (unsigned)d->info.rate_hz);
    } else if (d->is_unopened) { /* maybe a belt: in use, or not allowed */
        printf("%-20s could not be asked (%s)", d->name, d->error);
    } else {
        printf("%-20s not a belt (%s)", d->name, d->error);
    }
    if (d->is_belt) {
        for (int ch = 0; ch < d->info.n_channels; ch++) {
            printf("%s %s%s", ch ? "," : "", d->info.channel[ch].name,
                   d->info.channel[ch].status == BEL_PROTO_CH_ABSENT ? " (absent)" : "");
        }
    }
    if (d->description[0] != '\0') {
        printf("  ["); /* the USB device's own words: no control characters through */
        bel_text_put(stdout, d->description);
        printf("]");
    }
    printf("\n");
}

int cmd_ports(int argc, char **argv)
{
    const char *cmd = "ports";
    double timeout_ms = BEL_SERIAL_PROBE_MS;
    const cli_opt opts[] = {
        {"--timeout", CLI_DOUBLE, &timeout_ms, 10.0, 10000.0, "milliseconds", "MS",
         "how long to wait for the ports' answers, all at once (default 3000:\n"
         "an Uno or Nano restarts when its port is opened and answers after\n"
         "its bootloader, 1-3 s later)"},
    };
    const char *pos[PORTS_MAX_EXTRA];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&ports_help, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos,
                           PORTS_MAX_EXTRA, &n_pos, &rc)) {
        return rc;
    }
    static bel_serial_port_desc ports[PORTS_MAX + PORTS_MAX_EXTRA];
    char err[BEL_IO_ERR_LEN];
    int n = bel_serial_list_ports(ports, PORTS_MAX, (int)timeout_ms, false, err, sizeof err);
    if (n < 0) {
        return cli_fail(cmd, "%s", err);
    }
    if (n > PORTS_MAX) {
        n = PORTS_MAX;
    }
    for (int k = 0; k < n_pos; k++) {
        bel_serial_port_desc *d = &ports[n++];
        memset(d, 0, sizeof *d);
        snprintf(d->name, sizeof d->name, "%s", pos[k]);
        const bel_status probed = bel_serial_probe(pos[k], (int)timeout_ms, &d->info, &d->format,
                                                   d->error, sizeof d->error);
        d->is_belt = probed == BEL_OK;
        d->is_unopened = probed == BEL_ERR_IO;
    }
    int n_belts = 0;
    for (int k = 0; k < n; k++) {
        print_port(&ports[k]);
        n_belts += ports[k].is_belt ? 1 : 0;
    }
    if (n == 0) {
        printf("no serial ports found, so no belt: plug the belt's USB cable in (on Linux your "
               "user needs the 'dialout' group to open it).\n");
        return CLI_EXIT_FAIL;
    }
    if (n_belts == 0) {
        printf("no belt found among %d serial port(s): is the belt plugged in and running the "
               "bellows firmware, or a sketch printing numbers?\n",
               n);
        return CLI_EXIT_FAIL;
    }
    printf("%d belt(s) found.\n", n_belts);
    return CLI_EXIT_OK;
}
