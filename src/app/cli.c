/* cli.c - option parsing, messages and the Ctrl-C stop flag.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"

/* The one mutable global allowed (STYLE.md 5): set by the signal handler. */
static volatile sig_atomic_t stop_flag = 0;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

void cli_install_stop_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a paced sleep returns early and the loop sees the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool cli_stop_requested(void) { return stop_flag != 0; }

double cli_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A message on stderr. It may quote file names, channel names and belt text: control
 * characters are shown as '?' so none of them reaches the terminal. */
static void put_message(const char *cmd, const char *fmt, va_list ap, const char *tail)
    BEL_PRINTF_LIKE(2, 0);

static void put_message(const char *cmd, const char *fmt, va_list ap, const char *tail)
{
    char msg[4096];
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "bellows %s: ", cmd);
    bel_text_put(stderr, msg);
    fputs(tail, stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    char tail[96];
    snprintf(tail, sizeof tail, " (see 'bellows %s --help')\n", cmd);
    va_start(ap, fmt);
    put_message(cmd, fmt, ap, tail);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(cmd, fmt, ap, "\n");
    va_end(ap);
    return CLI_EXIT_FAIL;
}

void cli_say_upside_down(const char *what, const char *remedy)
{
    bel_text_put(stdout, what);
    printf(": the breaths look upside down (the rises are the slow movements, the pauses at "
           "the top): if the belt reads smaller as the belly swells, %s\n",
           remedy);
}

static bool parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static int set_value(const char *cmd, const cli_opt *o, const char *val)
{
    switch (o->kind) {
    case CLI_STRING:
        if (val[0] == '\0') {
            return cli_usage_error(cmd, "%s needs a non-empty value", o->name);
        }
        *(const char **)o->dest = val;
        return CLI_PARSED;
    case CLI_DOUBLE: {
        double v;
        if (!parse_double(val, &v)) {
            return cli_usage_error(cmd, "%s: '%s' is not a number (%s)", o->name, val, o->what);
        }
        if (v < o->min || v > o->max) {
            return cli_usage_error(cmd, "%s: %s is out of range %g..%g (%s)", o->name, val, o->min,
                                   o->max, o->what);
        }
        *(double *)o->dest = v;
        return CLI_PARSED;
    }
    case CLI_U64:
        if (!parse_u64(val, (uint64_t *)o->dest)) {
            return cli_usage_error(cmd, "%s: '%s' is not a whole number (%s)", o->name, val,
                                   o->what);
        }
        return CLI_PARSED;
    case CLI_FLAG:
    default:
        return cli_usage_error(cmd, "%s takes no value", o->name);
    }
}

int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, int n_opts,
              const char **pos, int max_pos, int *n_pos)
{
    bool options_done = false;
    *n_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == '\0') {
            if (*n_pos >= max_pos) {
                cli_usage_error(cmd, "unexpected argument '%s'", a);
                return CLI_BAD;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return CLI_HELP_ASKED;
        }
        const char *eq = strchr(a, '=');
        size_t name_len = eq ? (size_t)(eq - a) : strlen(a);
        const cli_opt *o = NULL;
        for (int k = 0; k < n_opts; k++) {
            if (strlen(opts[k].name) == name_len && strncmp(opts[k].name, a, name_len) == 0) {
                o = &opts[k];
                break;
            }
        }
        if (!o) {
            cli_usage_error(cmd, "unknown option '%.*s'", (int)name_len, a);
            return CLI_BAD;
        }
        if (o->kind == CLI_FLAG) {
            if (eq) {
                cli_usage_error(cmd, "%s takes no value", o->name);
                return CLI_BAD;
            }
            *(bool *)o->dest = true;
            continue;
        }
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                cli_usage_error(cmd, "%s needs a value (%s)", o->name, o->what);
                return CLI_BAD;
            }
            val = argv[++i];
        }
        if (set_value(cmd, o, val) != CLI_PARSED) {
            return CLI_BAD;
        }
    }
    return CLI_PARSED;
}

/* Column of the options' help text (STYLE of the hand-written texts before). */
enum { CLI_HELP_COLUMN = 20 };

void cli_print_help(FILE *f, const cli_help *h, const cli_opt *opts, int n_opts)
{
    /* Usage: each form on its own line, the second on aligned under the first. */
    const char *form = h->forms ? h->forms : "";
    bool is_first = true;
    for (;;) {
        const size_t len = strcspn(form, "\n");
        fprintf(f, "%s bellows %s%s%.*s\n", is_first ? "usage:" : "      ", h->name, len ? " " : "",
                (int)len, form);
        is_first = false;
        if (form[len] == '\0' || form[len + 1] == '\0') {
            break;
        }
        form += len + 1;
    }
    if (h->about && h->about[0]) {
        fprintf(f, "\n%s", h->about);
    }
    bool has_options = false;
    for (int k = 0; k < n_opts; k++) {
        const cli_opt *o = &opts[k];
        if (!o->help) {
            continue;
        }
        if (!has_options) {
            fputc('\n', f);
            has_options = true;
        }
        int w = fprintf(f, "  %s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        const char *text = o->help;
        for (bool is_line1 = true; *text; is_line1 = false) {
            const size_t len = strcspn(text, "\n");
            if (is_line1) {
                fprintf(f, "%*s", w < CLI_HELP_COLUMN - 1 ? CLI_HELP_COLUMN - w : 2, "");
            } else {
                fprintf(f, "%*s", CLI_HELP_COLUMN, "");
            }
            fprintf(f, "%.*s\n", (int)len, text);
            text += len + (text[len] == '\n');
        }
        if (!o->help[0]) {
            fputc('\n', f);
        }
    }
    if (h->more && h->more[0]) {
        fprintf(f, "\n%s", h->more);
    }
}

bool cli_parse_command(const cli_help *h, int argc, char **argv, const cli_opt *opts, int n_opts,
                       const char **pos, int max_pos, int *n_pos, int *exit_code)
{
    const int rc = cli_parse(h->name, argc, argv, opts, n_opts, pos, max_pos, n_pos);
    *exit_code = rc == CLI_BAD ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    if (rc == CLI_HELP_ASKED) {
        cli_print_help(stdout, h, opts, n_opts);
    }
    return rc == CLI_PARSED;
}

bool cli_parse_command_parts(const cli_help *h, int argc, char **argv, const cli_table *parts,
                             int n_parts, const char **pos, int max_pos, int *n_pos, int *exit_code)
{
    cli_opt all[CLI_MAX_OPTS];
    int n = 0;
    for (int p = 0; p < n_parts; p++) {
        assert(parts[p].n_opts >= 0 && parts[p].n_opts <= CLI_MAX_OPTS - n);
        memcpy(&all[n], parts[p].opts, (size_t)parts[p].n_opts * sizeof all[0]);
        n += parts[p].n_opts;
    }
    return cli_parse_command(h, argc, argv, all, n, pos, max_pos, n_pos, exit_code);
}
