/* event_csv.c - events CSV writer and reader.
 * SPDX-License-Identifier: MIT */
#include "event_csv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "grow.h"
#include "recording.h"

const char BEL_EVENT_CSV_HEADER[] = "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio";

struct bel_event_csv {
    bel_outfile *f;
    char err[BEL_IO_ERR_LEN]; /* an event that cannot be written (the file's own errors: f) */
};

static bel_status bad_event(bel_event_csv *w, const char *what)
{
    snprintf(w->err, sizeof w->err, "%s: cannot write an event: %s", bel_outfile_get_path(w->f),
             what);
    return BEL_ERR_ARG;
}

bel_status bel_event_csv_create(const char *path, bel_event_csv **out, char *err, size_t err_len)
{
    bel_event_csv *w = NULL;
    bel_status st;
    if (out) {
        *out = NULL;
    }
    if (!path || !out) {
        return BEL_ERR_ARG;
    }
    w = calloc(1, sizeof *w);
    if (!w) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: out of memory", path);
        }
        return BEL_ERR_NOMEM;
    }
    st = bel_outfile_create(path, &w->f, err, err_len);
    if (st == BEL_OK) {
        st = bel_outfile_printf(w->f, "%s\n", BEL_EVENT_CSV_HEADER);
        if (st != BEL_OK && err && err_len) {
            snprintf(err, err_len, "%s", bel_outfile_get_error(w->f));
        }
    }
    if (st != BEL_OK) {
        bel_event_csv_destroy(w);
        return st;
    }
    *out = w;
    return BEL_OK;
}

/* "%.6g" of v for 1e-4 <= |v| < 1e6 (every figure an event carries), without printf:
 * v's six significant digits are |v| * 10^(5 - e) rounded, a product of a float and
 * a power of ten up to 10^9 (both of at most 24 significant bits), so exact in a
 * double and rounded as printf rounds it, ties (left to printf) aside. 0 when printf
 * is to decide: outside that range, a tie, or a value that rounds up to 1e6. */
static size_t format_g6(char *buf, float v)
{
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    const double a = fabs((double)v);
    if (!(a >= 1e-4 && a < 1e6)) {
        return 0;
    }
    int e = 5; /* 10^e <= a < 10^(e + 1), first from a, then made sure on the exact m */
    while (e > -4 && a < (e >= 0 ? pow10[e] : 1.0 / pow10[-e])) {
        e--;
    }
    double m = a * pow10[5 - e];
    if (m < 1e5) {
        if (e == -4) {
            return 0;
        }
        e--;
        m = a * pow10[5 - e];
    } else if (m >= 1e6) {
        e++;
        m = a * pow10[5 - e];
    }
    const double whole = floor(m);
    if (m - whole == 0.5) {
        return 0;
    }
    uint32_t d = (uint32_t)whole + (m - whole > 0.5 ? 1u : 0u);
    if (d == 1000000u) {
        if (e == 5) {
            return 0;
        }
        d = 100000u;
        e++;
    }
    char dig[6];
    for (int i = 5; i >= 0; i--) {
        dig[i] = (char)('0' + d % 10u);
        d /= 10u;
    }
    int last = 5; /* the last digit kept: trailing zeros after the point go */
    while (last > e && last > 0 && dig[last] == '0') {
        last--;
    }
    size_t n = 0;
    if (v < 0.0f) {
        buf[n++] = '-';
    }
    if (e >= 0) {
        for (int i = 0; i <= e; i++) {
            buf[n++] = dig[i];
        }
        if (last > e) {
            buf[n++] = '.';
            for (int i = e + 1; i <= last; i++) {
                buf[n++] = dig[i];
            }
        }
    } else {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = -1; i > e; i--) {
            buf[n++] = '0';
        }
        for (int i = 0; i <= last; i++) {
            buf[n++] = dig[i];
        }
    }
    return n;
}

/* ",value" or "," for NAN. */
static size_t put_float(char *buf, size_t len, float v)
{
    buf[0] = ','; /* a missing figure is an empty field */
    if (!isfinite(v)) {
        return 1;
    }
    const size_t k = format_g6(buf + 1, v);
    if (k > 0) {
        return k + 1;
    }
    int n = snprintf(buf, len, ",%.6g", (double)v);
    return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

bel_status bel_event_csv_write(bel_event_csv *w, const bel_event *ev)
{
    char line[64 + 32 + 64 + 5 * 24 + 8]; /* the most each field below may take */
    size_t n = 0;
    int k;
    if (!w || !ev) {
        return BEL_ERR_ARG;
    }
    if (!isfinite(ev->t_s)) {
        return bad_event(w, "its time is not a number");
    }
    k = bel_recording_format_time(line, 64, ev->t_s);
    if (k <= 0 || k >= 64) {
        return bad_event(w, "its time does not fit");
    }
    n = (size_t)k;
    const char *kind = bel_event_kind_name(ev->kind);
    const size_t kind_len = strlen(kind);
    if (kind_len == 0 || kind_len + 2 >= 32) {
        return bad_event(w, "its kind is unknown");
    }
    line[n] = ',';
    memcpy(line + n + 1, kind, kind_len);
    line[n + 1 + kind_len] = ',';
    n += kind_len + 2;
    if (isfinite(ev->t_detect_s)) {
        k = bel_recording_format_time(line + n, 64, ev->t_detect_s);
        if (k <= 0 || k >= 64) {
            return bad_event(w, "its detection time does not fit");
        }
        n += (size_t)k;
    }
    n += put_float(line + n, 24, ev->ti_s);
    n += put_float(line + n, 24, ev->te_s);
    n += put_float(line + n, 24, ev->depth);
    n += put_float(line + n, 24, ev->rate_bpm);
    n += put_float(line + n, 24, ev->ie_ratio);
    line[n++] = '\n';
    return bel_outfile_write(w->f, line, n);
}

bel_status bel_event_csv_flush(bel_event_csv *w)
{
    return w ? bel_outfile_flush(w->f) : BEL_ERR_ARG;
}

bel_status bel_event_csv_close(bel_event_csv *w)
{
    return w ? bel_outfile_close_lines(w->f) : BEL_ERR_ARG;
}

void bel_event_csv_destroy(bel_event_csv *w)
{
    if (!w) {
        return;
    }
    bel_outfile_destroy(w->f);
    free(w);
}

const char *bel_event_csv_get_error(const bel_event_csv *w)
{
    return !w ? "" : w->err[0] ? w->err : bel_outfile_get_error(w->f);
}

/* ---- reading ---- */

bel_status bel_event_csv_read(const char *path, bel_event_list *out, char *err, size_t err_len)
{
    char dummy[8];
    if (!err || err_len == 0) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    if (!out) {
        return BEL_ERR_ARG;
    }
    memset(out, 0, sizeof *out);
    if (!path) {
        return BEL_ERR_ARG;
    }
    bel_event_list *d = out;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT) {
            snprintf(d->warning, sizeof d->warning, "%s: no events file", path);
            return BEL_OK;
        }
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return BEL_ERR_IO;
    }
    char line[512];
    size_t cap_t = 0;
    size_t cap_k = 0;
    unsigned long lineno = 0;
    bel_status rc = BEL_OK;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        if (lineno == 1) {
            if (strncmp(line, "t,kind", 6) != 0) {
                snprintf(err, err_len, "%s:1: not an events file (header must start 't,kind')",
                         path);
                rc = BEL_ERR_FORMAT;
                break;
            }
            continue;
        }
        char *end = NULL;
        double t = strtod(line, &end);
        int kind = -1;
        if (end != line && *end == ',') {
            char *name = end + 1;
            size_t n = strcspn(name, ",\r\n");
            char saved = name[n];
            name[n] = '\0';
            kind = bel_event_kind_from_name(name);
            name[n] = saved;
        }
        if (kind < 0 || !isfinite(t)) {
            if (line[0] == '\n' || line[0] == '\r') {
                continue;
            }
            snprintf(d->warning, sizeof d->warning, "%s:%lu: unreadable event, the rest ignored",
                     path, lineno);
            break;
        }
        if (!bel_grow((void **)&d->t_s, &cap_t, d->n + 1, sizeof *d->t_s) ||
            !bel_grow((void **)&d->kind, &cap_k, d->n + 1, sizeof *d->kind)) {
            rc = BEL_ERR_NOMEM;
            break;
        }
        d->t_s[d->n] = t;
        d->kind[d->n] = (bel_event_kind)kind;
        d->n++;
    }
    if (rc == BEL_OK && ferror(fp)) {
        snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
        rc = BEL_ERR_IO;
    }
    fclose(fp);
    if (rc != BEL_OK) {
        bel_event_list_free(d);
    }
    return rc;
}

void bel_event_list_free(bel_event_list *l)
{
    if (l) {
        free(l->t_s);
        free(l->kind);
        memset(l, 0, sizeof *l);
    }
}
