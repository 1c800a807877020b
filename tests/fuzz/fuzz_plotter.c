/* fuzz_plotter.c - libFuzzer target: the Serial Plotter parser never crashes, accepts only
 * in-range numbers in a fixed count, keeps its counters whole and resyncs after anything.
 * SPDX-License-Identifier: MIT */
#include "fuzz_target.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/plotter.h"

static void check_line(const bel_plotter_parser *p, const bel_plotter_line *line)
{
    CHECK(line->n_values >= 1 && line->n_values <= BEL_MAX_CHANNELS);
    CHECK(line->n_values == bel_plotter_parser_get_n_values(p));
    for (int ch = 0; ch < line->n_values; ch++) {
        CHECK(isfinite(line->value[ch]));
        CHECK(fabsf(line->value[ch]) <= 1e9f);
        const char *end = memchr(line->label[ch], '\0', sizeof line->label[ch]);
        CHECK(end != NULL);
        size_t n = (size_t)(end - line->label[ch]);
        CHECK(n <= BEL_PLOTTER_NAME_MAX);
        for (size_t i = 0; i < n; i++) {
            char c = line->label[ch][i];
            CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '_' || c == '-' || c == '.');
        }
        char name[BEL_PLOTTER_NAME_MAX + 1];
        bel_plotter_channel_name(line, ch, name, sizeof name);
        CHECK(name[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bel_plotter_parser p;
    bel_plotter_parser_init(&p);
    bel_plotter_line line;
    bel_plotter_error_kind err;
    for (size_t i = 0; i < size; i++) {
        bel_plotter_result r = bel_plotter_parser_push(&p, data[i], &line, &err);
        if (r == BEL_PLOTTER_LINE) {
            CHECK(data[i] == '\n');
            CHECK(err == BEL_PLOTTER_ERR_NONE);
            check_line(&p, &line);
        } else if (r == BEL_PLOTTER_ERROR) {
            CHECK(data[i] == '\n');
            CHECK(err > BEL_PLOTTER_ERR_NONE && err < BEL_PLOTTER_ERR_COUNT);
        } else {
            CHECK(r == BEL_PLOTTER_NONE);
        }
    }
    bel_plotter_stats st = bel_plotter_parser_get_stats(&p);
    CHECK(st.bytes == size);
    CHECK(st.lines == st.skipped + st.empty + st.lines_ok + st.n_errors);
    uint64_t sum = 0;
    for (int k = 0; k < BEL_PLOTTER_ERR_COUNT; k++) {
        sum += st.errors[k];
    }
    CHECK(sum == st.n_errors && st.errors[0] == 0);
    /* Whatever came before, after a reset the next line is skipped and then a line of as
     * many values as before (any count, if none was fixed) is read. */
    int n_values = bel_plotter_parser_get_n_values(&p);
    CHECK(n_values >= 0 && n_values <= BEL_MAX_CHANNELS);
    bel_plotter_parser_reset(&p);
    char good[16 + 2 * BEL_MAX_CHANNELS] = "cut off\n";
    size_t len = strlen(good);
    for (int k = 0; k < (n_values > 0 ? n_values : 3) && k < BEL_MAX_CHANNELS; k++) {
        good[len++] = k ? ',' : '5';
        good[len++] = '5';
    }
    good[len++] = '\n';
    int n_lines = 0;
    for (size_t i = 0; i < len; i++) {
        n_lines += bel_plotter_parser_push(&p, (uint8_t)good[i], &line, &err) == BEL_PLOTTER_LINE;
    }
    CHECK(n_lines == 1);
    check_line(&p, &line);
    return 0;
}
