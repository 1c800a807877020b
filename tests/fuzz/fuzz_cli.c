/* fuzz_cli.c - libFuzzer target: command-line parsing (src/app/cli.c) on any arguments
 * (NUL-separated in the input) never crashes and keeps its promises: one of its three
 * results; a string option points at an argument (or into one, after '='); a number is
 * within its range; positional arguments are arguments, at most as many as allowed.
 * SPDX-License-Identifier: MIT */
#include "fuzz_target.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { MAX_ARGS = 32, MAX_POS = 2 };

/* True if p points at or into one of the arguments. */
static bool in_args(const char *p, char **argv, int argc)
{
    for (int i = 0; i < argc; i++) {
        if (p >= argv[i] && p <= argv[i] + strlen(argv[i])) {
            return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    CHECK(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    for (size_t i = 0; i <= size && argc < MAX_ARGS;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    bool flag = false;
    const char *str = NULL;
    double num = 7.0;
    uint64_t count = 3;
    const cli_opt opts[] = {
        {"--flag", CLI_FLAG, &flag, 0, 0, "", NULL, "a flag"},
        {"--name", CLI_STRING, &str, 0, 0, "a name", "NAME", "a name"},
        {"--duration", CLI_DOUBLE, &num, 0.5, 100.0, "seconds", "S", "seconds"},
        {"--seed", CLI_U64, &count, 0, 0, "a number", "N", "a number"},
    };
    const char *pos[MAX_POS] = {NULL, NULL};
    int n_pos = -1;
    const int rc = cli_parse("fuzz", argc, argv, opts, 4, pos, MAX_POS, &n_pos);
    CHECK(rc == CLI_PARSED || rc == CLI_HELP_ASKED || rc == CLI_BAD);
    if (rc == CLI_PARSED) {
        CHECK(n_pos >= 0 && n_pos <= MAX_POS);
        for (int i = 0; i < n_pos; i++) {
            CHECK(pos[i] && in_args(pos[i], argv, argc));
        }
        CHECK(str == NULL || in_args(str, argv, argc));
        CHECK(num == 7.0 || (num >= 0.5 && num <= 100.0));
    }
    free(buf);
    return 0;
}
