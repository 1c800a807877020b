/* plotter.c - byte-at-a-time parser of the Arduino Serial Plotter format (plotter.h).
 * SPDX-License-Identifier: MIT */
#include "bellows/plotter.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* Mantissa digits beyond this add nothing a float can hold; exponents are small. */
enum { PLOTTER_DIGITS_MAX = 18, PLOTTER_EXP_MAX = 30 };

static bool is_sep(char c) { return c == ' ' || c == ',' || c == '\t'; }

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A decimal number filling s[0..len): [+-]digits[.digits][(e|E)[+-]digits], at least
 * one mantissa digit. No strtod: no locale, no hex, no inf or nan. */
static bool parse_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    bool is_negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        is_negative = s[i] == '-';
        i++;
    }
    double mant = 0.0;
    int n_digits = 0;
    int scale = 0;
    while (i < len && is_digit(s[i])) {
        if (n_digits < PLOTTER_DIGITS_MAX) {
            mant = mant * 10.0 + (s[i] - '0');
        } else {
            scale++;
        }
        n_digits++;
        i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i])) {
            if (n_digits < PLOTTER_DIGITS_MAX) {
                mant = mant * 10.0 + (s[i] - '0');
                scale--;
            }
            n_digits++;
            i++;
        }
    }
    if (n_digits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool is_exp_negative = false;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            is_exp_negative = s[i] == '-';
            i++;
        }
        int e = 0;
        int n_exp = 0;
        while (i < len && is_digit(s[i])) {
            if (e <= PLOTTER_EXP_MAX) {
                e = e * 10 + (s[i] - '0');
            }
            n_exp++;
            i++;
        }
        if (n_exp == 0) {
            return false;
        }
        scale += is_exp_negative ? -e : e;
    }
    if (i != len) {
        return false;
    }
    double v = mant;
    /* Bounded: |scale| <= DIGITS_MAX + EXP_MAX + digits after a long mantissa, and
     * anything past 1e40 is out of range anyway. */
    for (int k = 0; k < scale && v <= 1e40; k++) {
        v *= 10.0;
    }
    for (int k = 0; k > scale && v >= 1e-40; k--) {
        v /= 10.0;
    }
    *out = is_negative ? -v : v;
    return true;
}

static void copy_label(char *dst, const char *s, size_t len)
{
    size_t n = len < BEL_PLOTTER_NAME_MAX ? len : BEL_PLOTTER_NAME_MAX;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool is_ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                     c == '-' || c == '.';
        dst[i] = is_ok ? c : '_';
    }
    dst[n] = '\0';
}

static bel_plotter_result fail(bel_plotter_parser *p, bel_plotter_error_kind kind,
                               bel_plotter_error_kind *error)
{
    p->stats.errors[kind]++;
    p->stats.n_errors++;
    *error = kind;
    return BEL_PLOTTER_ERROR;
}

/* A complete line (without its "\n"; a trailing "\r" is dropped here). */
static bel_plotter_result parse_line(bel_plotter_parser *p, bel_plotter_line *line,
                                     bel_plotter_error_kind *error)
{
    size_t len = p->len;
    if (len > 0 && p->line[len - 1] == '\r') {
        len--;
    }
    const char *s = p->line;
    size_t i = 0;
    memset(line, 0, sizeof *line);
    int n = 0;
    for (;;) {
        while (i < len && is_sep(s[i])) {
            i++;
        }
        if (i >= len) {
            break;
        }
        size_t start = i;
        while (i < len && !is_sep(s[i])) {
            i++;
        }
        if (n >= BEL_MAX_CHANNELS) {
            return fail(p, BEL_PLOTTER_ERR_TOO_MANY_VALUES, error);
        }
        const char *field = s + start;
        size_t field_len = i - start;
        const char *colon = memchr(field, ':', field_len);
        if (colon) {
            size_t label_len = (size_t)(colon - field);
            if (label_len == 0) {
                return fail(p, BEL_PLOTTER_ERR_MALFORMED, error);
            }
            copy_label(line->label[n], field, label_len);
            field_len -= label_len + 1;
            field = colon + 1;
        }
        double v = 0.0;
        if (!parse_number(field, field_len, &v)) {
            return fail(p, BEL_PLOTTER_ERR_MALFORMED, error);
        }
        if (v > BEL_PLOTTER_VALUE_MAX || v < -BEL_PLOTTER_VALUE_MAX) {
            return fail(p, BEL_PLOTTER_ERR_RANGE, error);
        }
        line->value[n++] = (float)v;
    }
    if (n == 0) {
        p->stats.empty++;
        return BEL_PLOTTER_NONE;
    }
    if (p->n_values != 0 && n != p->n_values) {
        return fail(p, BEL_PLOTTER_ERR_CHANNEL_COUNT, error);
    }
    p->n_values = (uint8_t)n;
    line->n_values = (uint8_t)n;
    p->stats.lines_ok++;
    return BEL_PLOTTER_LINE;
}

void bel_plotter_parser_init(bel_plotter_parser *parser)
{
    memset(parser, 0, sizeof *parser);
    parser->is_skipping = true;
}

void bel_plotter_parser_reset(bel_plotter_parser *parser)
{
    parser->len = 0;
    parser->is_overlong = false;
    parser->is_skipping = true;
}

bel_plotter_result bel_plotter_parser_push(bel_plotter_parser *parser, uint8_t byte,
                                           bel_plotter_line *line, bel_plotter_error_kind *error)
{
    assert(parser && line && error);
    *error = BEL_PLOTTER_ERR_NONE;
    parser->stats.bytes++;
    if (byte != '\n') {
        if (parser->is_skipping || parser->is_overlong) {
            return BEL_PLOTTER_NONE;
        }
        if (parser->len >= sizeof parser->line) {
            parser->is_overlong = true;
            return BEL_PLOTTER_NONE;
        }
        parser->line[parser->len++] = (char)byte;
        return BEL_PLOTTER_NONE;
    }
    parser->stats.lines++;
    bel_plotter_result r = BEL_PLOTTER_NONE;
    if (parser->is_skipping) {
        parser->stats.skipped++;
        parser->is_skipping = false;
    } else if (parser->is_overlong ||
               (parser->len == sizeof parser->line && parser->line[parser->len - 1] != '\r')) {
        r = fail(parser, BEL_PLOTTER_ERR_OVERLONG, error);
    } else {
        r = parse_line(parser, line, error);
    }
    parser->len = 0;
    parser->is_overlong = false;
    return r;
}

int bel_plotter_parser_get_n_values(const bel_plotter_parser *parser) { return parser->n_values; }

bel_plotter_stats bel_plotter_parser_get_stats(const bel_plotter_parser *parser)
{
    return parser->stats;
}

const char *bel_plotter_error_name(bel_plotter_error_kind kind)
{
    static const char *const names[BEL_PLOTTER_ERR_COUNT] = {
        "none",
        "not a number",
        "overlong line",
        "too many values",
        "value out of range",
        "wrong number of values",
    };
    return (int)kind >= 0 && (int)kind < BEL_PLOTTER_ERR_COUNT ? names[kind] : "unknown";
}

void bel_plotter_channel_name(const bel_plotter_line *line, int ch, char *buf, size_t len)
{
    static const char *const defaults[BEL_MAX_CHANNELS] = {"belly", "chest", "ch3", "ch4"};
    if (len == 0) {
        return;
    }
    if (ch < 0 || ch >= BEL_MAX_CHANNELS) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, len, "%s", line->label[ch][0] != '\0' ? line->label[ch] : defaults[ch]);
}
