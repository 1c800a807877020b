/* calibration.c - the assessment JSON: its writer, and a small reader of its calibration.
 *
 * The reader needs only what the writer puts in "calibration": members that are numbers,
 * booleans or null. Other members of the file are skipped as balanced JSON values.
 * SPDX-License-Identifier: MIT */
#include "calibration.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "summary_json.h"

enum { MAX_FILE = 1 << 20, MAX_KEY = 64, MAX_NUMBER = 64 };

typedef struct parser {
    const char *path;
    const char *s;
    size_t i, n;
    char *err;
    size_t err_len;
} parser;

static int line_of(const parser *p)
{
    int line = 1;
    for (size_t k = 0; k < p->i && k < p->n; k++) {
        line += p->s[k] == '\n';
    }
    return line;
}

static bel_status fail(parser *p, const char *fmt, ...) BEL_PRINTF_LIKE(2, 3);

/* s with each byte that is not printable ASCII (the file's own bytes, such as its keys,
 * quoted in a message: a control character or a lone 0x9b would reach the terminal) as
 * \xNN, into out: ASCII only, so cutting the message short never splits a character. */
static void escape_text(const char *s, char *out, size_t out_len)
{
    size_t o = 0;
    for (; *s && o + 5 < out_len; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, out_len - o, "\\x%02x", (unsigned)c);
        }
    }
    out[o] = '\0';
}

static bel_status fail(parser *p, const char *fmt, ...)
{
    if (p->err && p->err_len) {
        char msg[256];
        char shown[4 * sizeof msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        escape_text(msg, shown, sizeof shown);
        snprintf(p->err, p->err_len, "%s:%d: %s", p->path, line_of(p), shown);
    }
    return BEL_ERR_FORMAT;
}

static void skip_ws(parser *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i] != '\0') {
        p->i++;
    }
}

static bool eat(parser *p, char c)
{
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

/* A string without escapes beyond \" and \\ (keys are plain ASCII). */
static bel_status read_string(parser *p, char *out, size_t out_len)
{
    if (!eat(p, '"')) {
        return fail(p, "expected a string");
    }
    size_t k = 0;
    while (p->i < p->n && p->s[p->i] != '"') {
        char c = p->s[p->i++];
        if (c == '\\' && p->i < p->n) {
            c = p->s[p->i++];
        }
        if (k + 1 < out_len) {
            out[k++] = c;
        }
    }
    if (p->i >= p->n) {
        return fail(p, "unterminated string");
    }
    p->i++;
    out[k] = '\0';
    return BEL_OK;
}

/* Skip any JSON value (for members that are not ours). */
static bel_status skip_value(parser *p)
{
    skip_ws(p);
    if (p->i >= p->n) {
        return fail(p, "unexpected end of file");
    }
    const char c = p->s[p->i];
    if (c == '"') {
        char tmp[8];
        return read_string(p, tmp, sizeof tmp);
    }
    if (c == '{' || c == '[') {
        int depth = 0;
        bool in_str = false;
        for (; p->i < p->n; p->i++) {
            const char d = p->s[p->i];
            if (in_str) {
                if (d == '\\') {
                    p->i++;
                } else if (d == '"') {
                    in_str = false;
                }
            } else if (d == '"') {
                in_str = true;
            } else if (d == '{' || d == '[') {
                depth++;
            } else if ((d == '}' || d == ']') && --depth == 0) {
                p->i++;
                return BEL_OK;
            }
        }
        return fail(p, "unbalanced brackets");
    }
    while (p->i < p->n && !strchr(",}] \t\r\n", p->s[p->i])) {
        p->i++;
    }
    return BEL_OK;
}

/* A number, true/false (1/0) or null (NAN). */
static bel_status read_scalar(parser *p, const char *key, double *v)
{
    skip_ws(p);
    const char *at = p->s + p->i;
    if (p->n - p->i >= 4 && strncmp(at, "true", 4) == 0) {
        p->i += 4;
        *v = 1.0;
        return BEL_OK;
    }
    if (p->n - p->i >= 5 && strncmp(at, "false", 5) == 0) {
        p->i += 5;
        *v = 0.0;
        return BEL_OK;
    }
    if (p->n - p->i >= 4 && strncmp(at, "null", 4) == 0) {
        p->i += 4;
        *v = NAN;
        return BEL_OK;
    }
    /* The text is not NUL-terminated: strtod gets a terminated copy of the characters
     * a JSON number can have (which also keeps out strtod's "inf", "nan" and hex). */
    char num[MAX_NUMBER];
    size_t k = 0;
    while (p->i + k < p->n && k + 1 < sizeof num && strchr("0123456789+-.eE", at[k]) &&
           at[k] != '\0') {
        num[k] = at[k];
        k++;
    }
    num[k] = '\0';
    char *end = NULL;
    errno = 0;
    *v = strtod(num, &end);
    if (end == num || errno == ERANGE || !isfinite(*v)) {
        return fail(p, "'%s' is not a number", key);
    }
    p->i += (size_t)(end - num);
    return BEL_OK;
}

static bel_status parse_calibration(parser *p, bel_holdin_calibration *c)
{
    if (!eat(p, '{')) {
        return fail(p, "\"calibration\" is not an object");
    }
    if (eat(p, '}')) {
        return BEL_OK;
    }
    do {
        char key[MAX_KEY];
        bel_status st = read_string(p, key, sizeof key);
        if (st != BEL_OK) {
            return st;
        }
        if (!eat(p, ':')) {
            return fail(p, "expected ':' after '%s'", key);
        }
        double v;
        st = read_scalar(p, key, &v);
        if (st != BEL_OK) {
            return st;
        }
        /* Every value is kept as a float: one beyond its range is no calibration. */
        if (!isnan(v) && !(fabs(v) <= (double)FLT_MAX)) {
            return fail(p, "'%s' is out of range", key);
        }
        if (strcmp(key, "belly_inverted") == 0) {
            c->belly_inverted = v != 0.0;
        } else if (strcmp(key, "chest_inverted") == 0) {
            c->chest_inverted = v != 0.0;
        } else if (strcmp(key, "belly_level") == 0) {
            c->belly_level = (float)v;
        } else if (strcmp(key, "belly_depth") == 0) {
            c->belly_depth = (float)v;
        } else if (strcmp(key, "chest_level") == 0) {
            c->chest_level = (float)v;
        } else if (strcmp(key, "chest_depth") == 0) {
            c->chest_depth = (float)v;
        } else if (strcmp(key, "chest_gain") == 0) {
            c->chest_gain = (float)v;
        } else if (strcmp(key, "belly_share") == 0) {
            c->belly_share = (float)v;
        }
    } while (eat(p, ','));
    if (!eat(p, '}')) {
        return fail(p, "expected ',' or '}' in \"calibration\"");
    }
    return BEL_OK;
}

/* ---- writer ---- */

/* The shortest of %.6g .. %.9g that reads back as the float v (%.9g always does); null
 * for a value that is not finite. */
static void put_float(FILE *f, float v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[32];
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
        if ((float)strtod(buf, NULL) == v) {
            break;
        }
    }
    fputs(buf, f);
}

/* The members of the calibration object, each after sep ("\n    " or " "). */
static void put_calibration(FILE *f, const bel_holdin_calibration *c, const char *sep)
{
    fprintf(f, "%s\"belly_inverted\": %s,", sep, c->belly_inverted ? "true" : "false");
    fprintf(f, "%s\"chest_inverted\": %s,", sep, c->chest_inverted ? "true" : "false");
    static const char *const keys[] = {"belly_level", "belly_depth", "chest_level",
                                       "chest_depth", "chest_gain",  "belly_share"};
    const float v[] = {c->belly_level, c->belly_depth, c->chest_level,
                       c->chest_depth, c->chest_gain,  c->belly_share};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        fprintf(f, "%s\"%s\": ", sep, keys[k]);
        put_float(f, v[k]);
        if (k + 1 < sizeof keys / sizeof keys[0]) {
            fputc(',', f);
        }
    }
}

static void json_num(FILE *f, const char *key, double v, bool last)
{
    if (isfinite(v)) {
        fprintf(f, "    \"%s\": %.6g%s\n", key, v, last ? "" : ",");
    } else {
        fprintf(f, "    \"%s\": null%s\n", key, last ? "" : ",");
    }
}

/* The JSON string literal of s (NULL: null). */
static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    char small[256];
    const size_t need = bel_summary_json_escape(small, sizeof small, s);
    if (need < sizeof small) {
        fputs(small, f);
        return;
    }
    char *big = malloc(need + 1);
    if (big) {
        (void)bel_summary_json_escape(big, need + 1, s);
        fputs(big, f);
        free(big);
    } else {
        fputs("null", f); /* the stream fails too: the caller sees out of memory */
    }
}

static void json_findings(FILE *f, const bel_store_findings *x)
{
    fprintf(f, ",\n  \"findings\": {\n    \"pain\": {");
    for (int i = 0; i < x->n_pain; i++) {
        fprintf(f, "%s\n      ", i ? "," : "");
        json_str(f, x->pain[i].area);
        fprintf(f, ": %g", x->pain[i].score);
    }
    fprintf(f, "%s},\n", x->n_pain ? "\n    " : "");
    static const char *const side[2] = {"left", "right"};
    for (int s = 0; s < 2; s++) {
        const bel_store_thomas t = x->thomas[s];
        fprintf(f, "    \"thomas_%s\": %s,\n", side[s],
                t == BEL_STORE_THOMAS_PASS    ? "\"pass\""
                : t == BEL_STORE_THOMAS_TIGHT ? "\"tight\""
                                              : "null");
        char key[32];
        snprintf(key, sizeof key, "thomas_%s_deg", side[s]);
        json_num(f, key, x->thomas_deg[s], false);
    }
    fprintf(f, "    \"notes\": ");
    json_str(f, x->notes);
    fprintf(f, "\n  }");
}

bel_status bel_calibration_format(const bel_calibration_assessment *a, char **out, size_t *out_len)
{
    if (out) {
        *out = NULL;
    }
    if (out_len) {
        *out_len = 0;
    }
    if (!a || !a->summary || !out || !out_len) {
        return BEL_ERR_ARG;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        return BEL_ERR_NOMEM;
    }
    const bel_summary *sum = a->summary;
    fprintf(f, "{\n  \"calibration\": {");
    put_calibration(f, &a->calibration, "\n    ");
    fprintf(f, "\n  },\n  \"report\": {\n");
    json_num(f, "duration_s", sum->duration_s, false);
    json_num(f, "rate_bpm", (double)sum->rate_bpm, false);
    json_num(f, "depth", (double)sum->depth, false);
    json_num(f, "ie_ratio", (double)sum->ie_ratio, false);
    json_num(f, "belly_share", (double)sum->belly_share, false);
    json_num(f, "chest_belly_lag_s", a->chest_belly_lag_s, false);
    json_num(f, "time_held_in_s", sum->time_held_in_s, false);
    json_num(f, "held_in_fraction",
             sum->duration_s > 0 ? sum->time_held_in_s / sum->duration_s : (double)NAN, false);
    json_num(f, "n_breath_holds", (double)sum->n_breath_holds, true);
    fprintf(f, "  },\n  \"assessment\": {\n    \"source\": ");
    json_str(f, a->source);
    fprintf(f,
            ",\n    \"simulated\": %s,\n    \"recording\": ", a->is_simulated ? "true" : "false");
    json_str(f, a->recording);
    fprintf(f, ",\n");
    json_num(f, "deep_breath_ratio", a->deep_breath_ratio, false);
    json_num(f, "deep_breath_start_s", a->deep_breath_start_s, true);
    fprintf(f, "  }");
    if (a->findings) {
        json_findings(f, a->findings);
    }
    fprintf(f, "\n}\n");
    const bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed || !text) {
        free(text);
        return BEL_ERR_NOMEM;
    }
    *out = text;
    *out_len = len;
    return BEL_OK;
}

size_t bel_calibration_format_line(const bel_holdin_calibration *c, char *buf, size_t len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = c ? open_memstream(&text, &n) : NULL;
    if (f) {
        fprintf(f, "{\"calibration\": {");
        put_calibration(f, c, " ");
        fprintf(f, " }}");
    }
    if (!f || fclose(f) != 0 || !text) {
        free(text);
        text = NULL;
        n = 0;
    }
    if (len > 0) {
        snprintf(buf, len, "%s", text ? text : "");
    }
    free(text);
    return n;
}

/* ---- reader ---- */

bel_status bel_calibration_load(const char *path, bel_holdin_calibration *out, char *err,
                                size_t err_len)
{
    if (out) {
        *out = bel_holdin_calibration_none();
    }
    if (!path || !out) {
        return BEL_ERR_ARG;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        }
        return BEL_ERR_IO;
    }
    char *buf = malloc(MAX_FILE);
    if (!buf) {
        fclose(f);
        return BEL_ERR_NOMEM;
    }
    const size_t n = fread(buf, 1, MAX_FILE, f);
    const bool too_big = n == MAX_FILE;
    const bool bad = ferror(f) != 0;
    fclose(f);
    bel_status st = BEL_OK;
    if (bad) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: cannot read", path);
        }
        st = BEL_ERR_IO;
    } else if (too_big) {
        parser p = {path, buf, 0, n, err, err_len};
        st = fail(&p, "larger than an assessment file can be");
    } else {
        st = bel_calibration_parse(path, buf, n, out, err, err_len);
    }
    free(buf);
    return st;
}

bel_status bel_calibration_parse(const char *name, const char *text, size_t len,
                                 bel_holdin_calibration *out, char *err, size_t err_len)
{
    if (out) {
        *out = bel_holdin_calibration_none();
    }
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!name || (!text && len) || !out) {
        return BEL_ERR_ARG;
    }
    parser p = {name, text ? text : "", 0, len, err, err_len};
    bel_status st = BEL_OK;
    bel_holdin_calibration c = bel_holdin_calibration_none();
    c.belly_level = c.belly_depth = c.chest_level = c.chest_depth = c.belly_share = NAN;
    c.chest_gain = 1.0f;
    if (!eat(&p, '{')) {
        st = fail(&p, "not a JSON object (is this an assessment file from 'bellows assess'?)");
        goto done;
    }
    bool found = false;
    if (!eat(&p, '}')) {
        do {
            char key[MAX_KEY];
            st = read_string(&p, key, sizeof key);
            if (st == BEL_OK && !eat(&p, ':')) {
                st = fail(&p, "expected ':' after '%s'", key);
            }
            if (st == BEL_OK) {
                if (strcmp(key, "calibration") == 0) {
                    st = parse_calibration(&p, &c);
                    found = true;
                } else {
                    st = skip_value(&p);
                }
            }
            if (st != BEL_OK) {
                goto done;
            }
        } while (eat(&p, ','));
    }
    if (!found) {
        st = fail(&p, "no \"calibration\" object (is this an assessment file?)");
        goto done;
    }
    if (!(c.belly_depth > 0.0f) || !isfinite(c.belly_depth) || !isfinite(c.belly_level)) {
        st = fail(&p, "the calibration has no relaxed belly level and depth");
        goto done;
    }
    c.is_valid = true;
    *out = c;
done:
    return st;
}
