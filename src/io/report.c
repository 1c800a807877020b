/* report.c - the progress report: HTML with inline SVG plots, and loading session files.
 * SPDX-License-Identifier: MIT */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_csv.h"
#include "grow.h"
#include "outfile.h"

/* ---- loading a session's files ---- */

static bel_status load_events(bel_report_data *d, const char *path, char *err, size_t err_len)
{
    bel_event_list l;
    bel_status rc = bel_event_csv_read(path, &l, err, err_len);
    if (rc != BEL_OK) {
        return rc;
    }
    d->n_events = l.n;
    d->ev_t_s = l.t_s;
    d->ev_kind = l.kind;
    if (l.warning[0]) {
        snprintf(d->warning, sizeof d->warning, "%s", l.warning);
    }
    return BEL_OK;
}

bel_status bel_report_data_create(const char *rec_path, const char *events_path,
                                  bel_report_data **out, char *err, size_t err_len)
{
    char dummy[8];
    if (!err || err_len == 0) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    if (!out || !rec_path) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    bel_report_data *d = calloc(1, sizeof *d);
    if (!d) {
        return BEL_ERR_NOMEM;
    }
    bel_recording_reader *r = NULL;
    bel_status rc = bel_recording_reader_create(rec_path, &r, err, err_len);
    if (rc != BEL_OK) {
        goto fail;
    }
    d->n_channels = bel_recording_reader_get_channel_count(r);
    d->fs_hz = bel_recording_reader_get_fs_hz(r);
    for (int ch = 0; ch < d->n_channels; ch++) {
        snprintf(d->names[ch], sizeof d->names[ch], "%s",
                 bel_recording_reader_get_channel_name(r, ch));
    }
    for (int ch = 0; ch < BEL_MAX_CHANNELS; ch++) {
        d->min[ch] = NAN;
        d->max[ch] = NAN;
    }
    bel_sample s;
    for (;;) {
        int got = bel_recording_reader_read(r, &s);
        if (got == 0) {
            break;
        }
        if (got < 0) { /* count what came before a damaged row */
            snprintf(d->warning, sizeof d->warning, "%s", bel_recording_reader_get_error(r));
            break;
        }
        if (d->n_samples == 0) {
            d->t_first_s = s.t_s;
        }
        d->t_last_s = s.t_s;
        for (int ch = 0; ch < d->n_channels; ch++) {
            if (isfinite(s.value[ch])) {
                d->min[ch] = isfinite(d->min[ch]) ? fminf(d->min[ch], s.value[ch]) : s.value[ch];
                d->max[ch] = isfinite(d->max[ch]) ? fmaxf(d->max[ch], s.value[ch]) : s.value[ch];
            }
        }
        d->n_samples++;
    }
    /* How the session read its belts at its end: it started as its settings say (--invert,
     * or an assessment's polarity), and each turn-round event turned them from there. A
     * belt is not turned while it is worn: a turn corrects how it was read, so the last
     * reading holds for the whole recording (drawn so, no step at the turn). */
    bool is_belly_inverted, is_chest_inverted;
    bel_recording_settings_reading(bel_recording_reader_get_settings(r), &is_belly_inverted,
                                   &is_chest_inverted);
    int belly = bel_recording_reader_find_channel(r, "belly");
    belly = belly < 0 ? 0 : belly; /* an unnamed single belt is the belly's */
    const int chest = bel_recording_reader_find_channel(r, "chest");
    bel_recording_reader_destroy(r);
    r = NULL;
    if (events_path) {
        rc = load_events(d, events_path, err, err_len);
        if (rc != BEL_OK) {
            goto fail;
        }
    }
    for (size_t i = 0; i < d->n_events; i++) {
        if (d->ev_kind[i] == BEL_EV_TURNED_ROUND) {
            is_belly_inverted = !is_belly_inverted;
            is_chest_inverted = !is_chest_inverted;
        } else if (d->ev_kind[i] == BEL_EV_CHEST_TURNED_ROUND) {
            is_chest_inverted = !is_chest_inverted;
        }
    }
    for (int ch = 0; ch < BEL_MAX_CHANNELS; ch++) {
        const bool inv = ch == belly ? is_belly_inverted : (ch == chest && is_chest_inverted);
        d->sign[ch] = inv ? -1.0 : 1.0;
    }
    *out = d;
    return BEL_OK;

fail:
    bel_recording_reader_destroy(r);
    bel_report_data_destroy(d);
    return rc;
}

void bel_report_data_destroy(bel_report_data *d)
{
    if (!d) {
        return;
    }
    free(d->ev_t_s);
    free(d->ev_kind);
    free(d);
}

/* ---- escaping ---- */

static const char *entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

size_t bel_report_escape(char *buf, size_t len, const char *s)
{
    size_t n = 0;
    for (; s && *s; s++) {
        const char *e = entity(*s);
        size_t k = e ? strlen(e) : 1;
        if (buf && n + k < len) {
            memcpy(buf + n, e ? e : s, k);
        }
        n += k;
    }
    if (buf && len) {
        buf[n < len ? n : len - 1] = '\0';
        if (n >= len) { /* do not leave half an entity */
            char *amp = strrchr(buf, '&');
            if (amp && !strchr(amp, ';')) {
                *amp = '\0';
            }
        }
    }
    return n;
}

/* ---- writing ---- */

typedef struct writer {
    bel_outfile *f;
    bel_status rc; /* first failure; later output is skipped */
} writer;

static void out(writer *w, const char *fmt, ...) BEL_PRINTF_LIKE(2, 3);

static void out(writer *w, const char *fmt, ...)
{
    if (w->rc != BEL_OK) {
        return;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->rc = BEL_ERR_ARG;
        return;
    }
    if ((size_t)n < sizeof buf) {
        w->rc = bel_outfile_write(w->f, buf, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        w->rc = BEL_ERR_NOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->rc = bel_outfile_write(w->f, big, (size_t)n);
    free(big);
}

/* User text, escaped (NULL: dash). Line breaks become <br> when br. */
static void out_text(writer *w, const char *s, bool br)
{
    if (!s) {
        out(w, "&#8211;");
        return;
    }
    for (; *s && w->rc == BEL_OK; s++) {
        const char *e = entity(*s);
        if (e) {
            w->rc = bel_outfile_write(w->f, e, strlen(e));
        } else if (br && *s == '\n') {
            w->rc = bel_outfile_write(w->f, "<br>", 4);
        } else {
            w->rc = bel_outfile_write(w->f, s, 1);
        }
    }
}

typedef enum date_style { DATE_DAY, DATE_MINUTE, DATE_SHORT, DATE_SHORT_TIME } date_style;

static void fmt_date(char *buf, size_t len, double unix_s, date_style style)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    size_t n = 0;
    if (isfinite(unix_s) && localtime_r(&t, &tm)) {
        switch (style) {
        case DATE_DAY:
            n = strftime(buf, len, "%Y-%m-%d", &tm);
            break;
        case DATE_MINUTE:
            n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
            break;
        case DATE_SHORT_TIME:
            n = strftime(buf, len, "%d %b %H:%M", &tm);
            break;
        case DATE_SHORT:
        default:
            n = strftime(buf, len, "%d %b", &tm);
            break;
        }
    }
    if (n == 0) {
        snprintf(buf, len, "?");
    }
}

/* A number with decimals, or an en dash when unknown. */
static const char *num(char *buf, size_t len, double v, int decimals, const char *suffix)
{
    if (isfinite(v)) {
        snprintf(buf, len, "%.*f%s", decimals, v, suffix);
    } else {
        snprintf(buf, len, "&#8211;");
    }
    return buf;
}

/* Round a range step to 1, 2 or 5 times a power of ten. */
static double nice_step(double range)
{
    if (!(range > 0.0)) {
        return 1.0;
    }
    double raw = range / 4.0;
    double p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

/* Most ticks on an axis; nice_step gives about four to ten. */
enum { MAX_TICKS = 32 };

/* Tick values first, first + step, ... up to limit, at most MAX_TICKS, each larger
 * than the one before. Each is computed from first (not summed), and a value that
 * does not move (a step below the spacing of doubles, as at t = 2^48 s) is skipped,
 * so the loop always ends. Returns the number of ticks. */
static int axis_ticks(double first, double step, double limit, double ticks[MAX_TICKS])
{
    int n = 0;
    for (int k = 0; k < MAX_TICKS && isfinite(first) && step > 0.0; k++) {
        double v = first + (double)k * step;
        if (!(v <= limit)) {
            break;
        }
        if (n == 0 || v > ticks[n - 1]) {
            ticks[n++] = v;
        }
    }
    return n;
}

enum { PW = 960, PH = 240, PL = 58, PR = 30, PT = 28, PB = 40 };

typedef struct series {
    const double *y;
    const char *color;
    bool hollow;
    const char *label;
    const double *after; /* NULL, or a second value per session: y is then the value before
                          * the session (hollow, just left of its date), after the value after
                          * it (filled, just right), and the line runs through both in turn */
} series;

/* The least span of an axis that spans its values (breaths/min): a change of a few
 * hundredths of a breath is not drawn as if it were one from top to bottom. */
static const double MIN_SPAN = 2.0;

/* One progress plot: n points per series over sessions evenly spaced in order,
 * dates under the axis. top: NAN, the axis spans the values (at least MIN_SPAN, around
 * them); else it starts at 0 and
 * reaches at least top (a scale's end: 10 for pain 0-10, 100 for a share in %; 0: the
 * values' top), so a 3 of 10 does not stand at the top. pairs: draw a line from series
 * 0 to 1 at each session. A series with `after` shows two values per session. */
static void plot(writer *w, const char *aria, const char *unit, size_t n, const double *start_s,
                 int n_series, const series *s, double top, bool pairs)
{
    double lo = INFINITY;
    double hi = -INFINITY;
    for (int k = 0; k < n_series; k++) {
        for (size_t i = 0; i < 2 * n; i++) {
            const double *y = i < n ? s[k].y : s[k].after;
            if (y && isfinite(y[i % n])) {
                lo = fmin(lo, y[i % n]);
                hi = fmax(hi, y[i % n]);
            }
        }
    }
    out(w, "<svg class=\"plot\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", PW, PH,
        aria);
    if (!isfinite(lo)) {
        out(w, "<text x=\"%d\" y=\"%d\" class=\"none\">no values yet</text></svg>\n", PW / 2,
            PH / 2);
        return;
    }
    if (!isnan(top)) {
        lo = fmin(lo, 0.0);
        hi = fmax(hi, top);
    } else if (hi - lo < MIN_SPAN) {
        const double mid = 0.5 * (lo + hi);
        lo = mid - 0.5 * MIN_SPAN;
        hi = mid + 0.5 * MIN_SPAN;
    }
    double step = nice_step(hi - lo);
    lo = floor(lo / step) * step;
    hi = ceil(hi / step) * step;
    if (hi <= lo) {
        hi = lo + step;
    }
    const double pw = PW - PL - PR;
    const double ph = PH - PT - PB;
#define XS(i) (PL + (n > 1 ? (double)(i)*pw / (double)(n - 1) : pw / 2.0))
#define YS(v) (PT + ph - ((v)-lo) / (hi - lo) * ph)
    double ticks[MAX_TICKS];
    const int n_ticks = axis_ticks(lo, step, hi + step * 0.01, ticks);
    for (int k = 0; k < n_ticks; k++) {
        const double v = ticks[k];
        out(w, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", PL, PW - PR,
            YS(v), YS(v));
        out(w, "<text class=\"ylab\" x=\"%d\" y=\"%.1f\">%g</text>\n", PL - 6, YS(v) + 4, v);
    }
    out(w, "<text class=\"unit\" x=\"%d\" y=\"%d\">%s</text>\n", PL - 40, PT - 12, unit);
    size_t n_labels = n < 8 ? n : 8;
    for (size_t j = 0; j < n_labels; j++) {
        size_t i = n_labels > 1 ? j * (n - 1) / (n_labels - 1) : 0;
        char d[32];
        char other[32];
        fmt_date(d, sizeof d, start_s[i], DATE_DAY);
        bool same_day = false; /* another session that day: the time tells them apart */
        for (size_t k = 0; k < n && !same_day; k++) {
            fmt_date(other, sizeof other, start_s[k], DATE_DAY);
            same_day = k != i && strcmp(d, other) == 0;
        }
        fmt_date(d, sizeof d, start_s[i], same_day ? DATE_SHORT_TIME : DATE_SHORT);
        const char *anchor = n_labels > 1 && j == 0              ? " style=\"text-anchor:start\""
                             : n_labels > 1 && j == n_labels - 1 ? " style=\"text-anchor:end\""
                                                                 : "";
        out(w, "<text class=\"xlab\" x=\"%.1f\" y=\"%d\"%s>%s</text>\n", XS(i), PH - PB + 18,
            anchor, d);
    }
    if (pairs && n_series >= 2) {
        for (size_t i = 0; i < n; i++) {
            if (isfinite(s[0].y[i]) && isfinite(s[1].y[i])) {
                out(w, "<line class=\"pair\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                    XS(i), XS(i), YS(s[0].y[i]), YS(s[1].y[i]));
            }
        }
    }
    /* Two values per session sit a little either side of its date. */
    const double half = fmin(12.0, n > 1 ? 0.25 * pw / (double)(n - 1) : 12.0);
    for (int k = 0; k < n_series; k++) {
        const int per = s[k].after ? 2 : 1;
        if (!pairs) { /* a line through the sessions, broken where a value is missing */
            bool open = false;
            for (size_t q = 0; q < n * (size_t)per; q++) {
                const size_t i = q / (size_t)per;
                const double *y = per == 2 && q % 2 ? s[k].after : s[k].y;
                if (!isfinite(y[i])) {
                    if (open && per == 1) { /* before/after pairs: the line goes on past a gap */
                        out(w, "\"/>\n");
                        open = false;
                    }
                    continue;
                }
                if (!open) {
                    out(w, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                        s[k].color);
                    open = true;
                }
                out(w, "%.1f,%.1f ", XS(i) + (per == 2 ? (q % 2 ? half : -half) : 0.0), YS(y[i]));
            }
            if (open) {
                out(w, "\"/>\n");
            }
        }
        double r = n > 60 ? 2.5 : 4.0;
        for (size_t q = 0; q < n * (size_t)per; q++) {
            const size_t i = q / (size_t)per;
            const bool second = per == 2 && q % 2;
            const double *y = second ? s[k].after : s[k].y;
            if (isfinite(y[i])) {
                const bool hollow = per == 2 ? !second : s[k].hollow;
                out(w,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                    "stroke-width=\"2\"/>",
                    XS(i) + (per == 2 ? (second ? half : -half) : 0.0), YS(y[i]), r,
                    hollow ? "#fff" : s[k].color, s[k].color);
            }
        }
        out(w, "\n");
    }
#undef XS
#undef YS
    out(w, "</svg>\n");
    bool two = false;
    for (int k = 0; k < n_series; k++) {
        two |= s[k].after != NULL;
    }
    if (n_series > 1 || two) {
        out(w, "<p class=\"legend\">");
        for (int k = 0; k < n_series; k++) {
            out(w,
                "<span><svg width=\"14\" height=\"14\"><circle cx=\"7\" cy=\"7\" r=\"5\" "
                "fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/></svg> %s</span>",
                s[k].hollow || s[k].after ? "#fff" : s[k].color, s[k].color, s[k].label);
        }
        if (two) {
            out(w, "<span>hollow: before the session, filled: after it</span>");
        }
        out(w, "</p>\n");
    }
}

/* Colours: calm blue for breathing, warm amber for held in, violet for breath holds. */
static const char C_BELLY[] = "#3b7ea1";
static const char C_CHEST[] = "#7a9e7e";
static const char C_HOLDIN[] = "#f3c98b";
static const char C_BHOLD[] = "#cdb4db";
static const char C_LOST[] = "#c0392b";
static const char C_LOST_SPAN[] = "#d5d8dc"; /* the belt was away: a grey stretch */
static const char C_MARK[] = "#2f6f8f";
static const char C_DISCOMFORT[] = "#b35c00";

/* Shaded spans between start and end events of a kind pair over [t0, t1]. */
static void spans(writer *w, const bel_report_data *d, bel_event_kind k_start, bel_event_kind k_end,
                  const char *color, double t0, double t1, double x0, double width, double top,
                  double height)
{
    double open_t = NAN;
    for (size_t i = 0; i <= d->n_events; i++) {
        bool at_end = i == d->n_events;
        if (!at_end && d->ev_kind[i] == k_start && !isfinite(open_t)) {
            open_t = d->ev_t_s[i];
        } else if ((at_end || d->ev_kind[i] == k_end) && isfinite(open_t)) {
            double a = fmax(open_t, t0);
            double b = fmin(at_end ? t1 : d->ev_t_s[i], t1);
            if (b > a) {
                out(w,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "opacity=\"0.7\"/>\n",
                    x0 + (a - t0) / (t1 - t0) * width, top, fmax(1.0, (b - a) / (t1 - t0) * width),
                    height, color);
            }
            open_t = NAN;
        }
    }
}

/* Width of the trace's plot area in pixel columns (TW - TL - TR in trace). */
enum { TRACE_COLS = 884 };

/* One lane of the trace over [t0, t1]: each pixel column's lowest and highest value and
 * which came first (sample ordinals), and the lane's range. */
typedef struct lane_bins {
    double lo, hi;
    double cmin[TRACE_COLS], cmax[TRACE_COLS];
    uint64_t imin[TRACE_COLS], imax[TRACE_COLS];
    bool is_gap_before[TRACE_COLS]; /* the column's first sample follows a gap (lane 0 only) */
} lane_bins;

/* Read the recording at path (its first n_samples rows) once into bins[0..n_ch-1] over
 * [t0, t1], each belt expansion up (d->sign), marking the columns
 * that start after a gap of gap_s or more: memory does not grow with the recording's
 * length. */
static bel_status bin_trace(const bel_report_data *d, const char *path, size_t n_samples, int n_ch,
                            double t0, double t1, double gap_s, lane_bins *bins)
{
    for (int ch = 0; ch < n_ch; ch++) {
        bins[ch].lo = INFINITY;
        bins[ch].hi = -INFINITY;
        for (int c = 0; c < TRACE_COLS; c++) {
            bins[ch].cmin[c] = INFINITY;
            bins[ch].cmax[c] = -INFINITY;
        }
    }
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *r = NULL;
    bel_status rc = bel_recording_reader_create(path, &r, err, sizeof err);
    if (rc != BEL_OK) {
        return rc;
    }
    int c = 0;
    int c_last = -1;     /* the column of the previous binned sample */
    double t_prev = NAN; /* its time */
    double col_end = t0 + (t1 - t0) * 1 / TRACE_COLS;
    bel_sample s;
    for (uint64_t i = 0; i < n_samples && bel_recording_reader_read(r, &s) > 0; i++) {
        for (int ch = 0; ch < n_ch; ch++) {
            s.value[ch] = (float)(d->sign[ch] * (double)s.value[ch]);
        }
        if (s.t_s < t0) {
            continue;
        }
        for (int ch = 0; ch < n_ch && s.t_s <= t1; ch++) {
            if (isfinite(s.value[ch])) {
                bins[ch].lo = fmin(bins[ch].lo, (double)s.value[ch]);
                bins[ch].hi = fmax(bins[ch].hi, (double)s.value[ch]);
            }
        }
        while (c < TRACE_COLS && !(s.t_s < col_end)) {
            c++;
            col_end = t0 + (t1 - t0) * (c + 1) / TRACE_COLS;
        }
        if (c == TRACE_COLS) {
            break;
        }
        if (c != c_last && isfinite(t_prev) && s.t_s - t_prev >= gap_s) {
            bins[0].is_gap_before[c] = true;
        }
        c_last = c;
        t_prev = s.t_s;
        for (int ch = 0; ch < n_ch; ch++) {
            lane_bins *b = &bins[ch];
            if ((double)s.value[ch] < b->cmin[c]) {
                b->cmin[c] = (double)s.value[ch];
                b->imin[c] = i;
            }
            if ((double)s.value[ch] > b->cmax[c]) {
                b->cmax[c] = (double)s.value[ch];
                b->imax[c] = i;
            }
        }
    }
    bel_recording_reader_destroy(r);
    return BEL_OK;
}

/* The breath trace over [t0, t1] of the recording at path: one lane per channel (min/max
 * per pixel column), hold-in and breath-hold spans shaded, breath onsets ticked when they
 * fit. */
static void trace(writer *w, const bel_report_data *d, const char *path, double t0, double t1,
                  const char *aria)
{
    enum { TW = 960, LANE = 150, TL = 58, TR = 18, TT = 10, TB = 34 };
    const int n_lanes = d->n_channels;
    const int th = TT + TB + LANE * n_lanes;
    const double pw = TW - TL - TR;
    const int cols = (int)pw;
    out(w, "<svg class=\"plot\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", TW, th,
        aria);
    if (!(t1 > t0) || d->n_samples == 0) {
        out(w, "<text x=\"%d\" y=\"%d\" class=\"none\">no samples</text></svg>\n", TW / 2, th / 2);
        return;
    }
    spans(w, d, BEL_EV_HOLDIN_START, BEL_EV_HOLDIN_END, C_HOLDIN, t0, t1, TL, pw, TT,
          LANE * n_lanes);
    spans(w, d, BEL_EV_BREATH_HOLD_START, BEL_EV_BREATH_HOLD_END, C_BHOLD, t0, t1, TL, pw, TT,
          LANE * n_lanes);
    spans(w, d, BEL_EV_SIGNAL_LOST, BEL_EV_SIGNAL_RESTORED, C_LOST_SPAN, t0, t1, TL, pw, TT,
          LANE * n_lanes);
    for (size_t i = 0; i < d->n_events; i++) {
        if (d->ev_kind[i] == BEL_EV_SIGNAL_LOST && d->ev_t_s[i] >= t0 && d->ev_t_s[i] <= t1) {
            double x = TL + (d->ev_t_s[i] - t0) / (t1 - t0) * pw;
            out(w,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                "stroke-width=\"2\"/>\n",
                x, x, TT, TT + LANE * n_lanes, C_LOST);
        }
    }
    /* The therapist's marks: numbered markers, and discomfort, as dashed lines. */
    unsigned marker_no = 0;
    for (size_t i = 0; i < d->n_events; i++) {
        const bool is_marker = d->ev_kind[i] == BEL_EV_MARKER;
        marker_no += is_marker;
        if ((is_marker || d->ev_kind[i] == BEL_EV_DISCOMFORT) && d->ev_t_s[i] >= t0 &&
            d->ev_t_s[i] <= t1) {
            double x = TL + (d->ev_t_s[i] - t0) / (t1 - t0) * pw;
            const char *col = is_marker ? C_MARK : C_DISCOMFORT;
            out(w,
                "<line class=\"mark\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/><text class=\"lane\" x=\"%.1f\" "
                "y=\"%d\" style=\"fill:%s\">",
                x, x, TT, TT + LANE * n_lanes, col, x + 3.0, TT + 12, col);
            if (is_marker) {
                out(w, "%u</text>\n", marker_no);
            } else {
                out(w, "!</text>\n");
            }
        }
    }
    lane_bins *bins = calloc((size_t)n_lanes, sizeof *bins);
    const double gap_s = fmax(0.5, d->fs_hz > 0.0 ? 3.0 / d->fs_hz : 0.5);
    if (!bins || bin_trace(d, path, d->n_samples, n_lanes, t0, t1, gap_s, bins) != BEL_OK) {
        free(bins); /* read a moment ago; gone or out of memory now: no lanes */
        bins = NULL;
    }
    for (int ch = 0; bins && ch < n_lanes; ch++) {
        const lane_bins *b = &bins[ch];
        double lo = b->lo;
        double hi = b->hi;
        if (!isfinite(lo)) {
            continue;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1.0;
        }
        const double top = TT + LANE * ch + 8;
        const double lh = LANE - 16;
        out(w, "<text class=\"lane\" x=\"%d\" y=\"%.1f\">", 4, top + 12);
        out_text(w, d->names[ch], false);
        out(w, "</text>\n<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" points=\"",
            ch == 0 ? C_BELLY : C_CHEST);
        /* Each pixel column: its min and max, so no breath is lost by thinning. A gap in
         * the samples (the belt unplugged, rows missing) ends the line: it is drawn as a
         * gap, never bridged by a straight line. */
        for (int c = 0; c < cols && c < TRACE_COLS; c++) {
            if (bins[0].is_gap_before[c]) {
                out(w,
                    "\"/>\n<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" "
                    "points=\"",
                    ch == 0 ? C_BELLY : C_CHEST);
            }
            if (!isfinite(b->cmin[c])) {
                continue;
            }
            const bool is_min_first = b->imin[c] < b->imax[c];
            double x = TL + c + 0.5;
            double ya = top + lh - ((is_min_first ? b->cmin[c] : b->cmax[c]) - lo) / (hi - lo) * lh;
            double yb = top + lh - ((is_min_first ? b->cmax[c] : b->cmin[c]) - lo) / (hi - lo) * lh;
            out(w, "%.1f,%.1f %.1f,%.1f ", x, ya, x, yb);
        }
        out(w, "\"/>\n");
    }
    free(bins);
    /* Breath onsets as ticks under the lanes when there is room for them. */
    size_t n_onsets = 0;
    for (size_t i = 0; i < d->n_events; i++) {
        n_onsets += d->ev_kind[i] == BEL_EV_INSP_ONSET && d->ev_t_s[i] >= t0 && d->ev_t_s[i] <= t1;
    }
    const int base = TT + LANE * n_lanes;
    if (n_onsets > 0 && (double)n_onsets < pw / 6.0) {
        for (size_t i = 0; i < d->n_events; i++) {
            bool insp = d->ev_kind[i] == BEL_EV_INSP_ONSET;
            bool exp = d->ev_kind[i] == BEL_EV_EXP_ONSET;
            if ((insp || exp) && d->ev_t_s[i] >= t0 && d->ev_t_s[i] <= t1) {
                double x = TL + (d->ev_t_s[i] - t0) / (t1 - t0) * pw;
                out(w, "<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>",
                    insp ? "tin" : "tex", x, x, base + 2, base + (insp ? 10 : 6));
            }
        }
        out(w, "\n");
    }
    double step = nice_step(t1 - t0);
    double ticks[MAX_TICKS];
    const int n_ticks = axis_ticks(ceil(t0 / step) * step, step, t1 + 1e-9, ticks);
    for (int k = 0; k < n_ticks; k++) {
        const double t = ticks[k];
        double x = TL + (t - t0) / (t1 - t0) * pw;
        out(w, "<text class=\"xlab\" x=\"%.1f\" y=\"%d\">%g s</text>", x, th - 8, t);
    }
    out(w, "\n</svg>\n");
}

/* The therapist's findings at one assessment, copied out of the store. */
typedef struct found {
    bool has; /* anything found */
    int n_pain;
    char area[BEL_STORE_MAX_PAIN][BEL_STORE_AREA_LEN];
    double pain[BEL_STORE_MAX_PAIN];
    bel_store_thomas thomas[2];
    double thomas_deg[2];
    char *notes; /* owned; NULL: none */
    bool failed; /* out of memory */
} found;

typedef struct row {
    int64_t id;
    double start_s;
    char *status;
    char *notes;
    char *belt;
    char *firmware;
    char *pacer;
    char *recording;
    char *events;
    char *problem;
    bel_store_metrics m;
    bool has_before;
    bool has_after;
    bel_store_metrics before;
    bel_store_metrics after;
    bool is_simulated;        /* the session, of the simulated belt */
    bool is_assess_simulated; /* its before or after assessment, of the simulated belt */
    int64_t before_id, after_id;
    double before_taken_s, after_taken_s; /* when they were taken */
    found found_before, found_after;      /* the therapist's findings at them */
    char *incomplete;                     /* why it is not complete, NULL: it is */
} row;

typedef struct rows {
    row *v;
    size_t n;
    size_t cap;
    bool failed;
} rows;

static char *dup_or_null(const char *s, bool *failed)
{
    if (!s) {
        return NULL;
    }
    char *d = strdup(s);
    if (!d) {
        *failed = true;
    }
    return d;
}

static bool collect_row(void *ctx, const bel_store_session *s)
{
    rows *r = ctx;
    if (!bel_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v)) {
        r->failed = true;
        return false;
    }
    row *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    x->id = s->id;
    x->start_s = s->start_unix_s;
    x->status = dup_or_null(s->status, &r->failed);
    x->notes = dup_or_null(s->notes, &r->failed);
    x->belt = dup_or_null(s->belt, &r->failed);
    x->firmware = dup_or_null(s->firmware, &r->failed);
    x->pacer = dup_or_null(s->pacer, &r->failed);
    x->recording = dup_or_null(s->recording_path, &r->failed);
    x->events = dup_or_null(s->events_path, &r->failed);
    x->problem = dup_or_null(s->problem, &r->failed);
    x->m = s->metrics;
    x->has_before = s->has_before;
    x->has_after = s->has_after;
    x->before = s->before;
    x->after = s->after;
    x->is_simulated = s->is_simulated;
    x->is_assess_simulated = s->is_before_simulated || s->is_after_simulated;
    x->incomplete = dup_or_null(s->incomplete, &r->failed);
    x->before_id = s->before_id;
    x->after_id = s->after_id;
    x->before_taken_s = s->before_taken_unix_s;
    x->after_taken_s = s->after_taken_unix_s;
    return !r->failed;
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        row *x = &r->v[i];
        free(x->status);
        free(x->notes);
        free(x->belt);
        free(x->firmware);
        free(x->pacer);
        free(x->recording);
        free(x->events);
        free(x->problem);
        free(x->incomplete);
        free(x->found_before.notes);
        free(x->found_after.notes);
    }
    free(r->v);
}

typedef struct client_find {
    int64_t id;
    char *name;
    bool failed;
} client_find;

static bool find_name(void *ctx, const bel_store_client *c)
{
    client_find *f = ctx;
    if (c->id != f->id) {
        return true;
    }
    f->name = strdup(c->name);
    f->failed = f->name == NULL;
    return false;
}

static const char STYLE[] =
    "<style>\n"
    ":root{--ink:#2b3a42;--soft:#6b7c85;--line:#dfe6ea;--bg:#f7f9f8;--card:#fff}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}\n"
    "main{max-width:1000px;margin:0 auto;padding:32px 24px 48px}\n"
    "h1{font-weight:600;font-size:28px;margin:0}\n"
    "h2{font-weight:600;font-size:19px;margin:32px 0 8px}\n"
    "h3{font-weight:600;font-size:16px;margin:18px 0 6px}table.fl{width:auto;min-width:60%}\n"
    ".who{font-size:22px;margin:4px 0;color:#3b7ea1;overflow-wrap:anywhere}\n"
    ".meta,.hint,.legend{color:var(--soft);font-size:14px;margin:4px 0}\n"
    ".legend span{margin-right:18px;white-space:nowrap}.legend svg{vertical-align:-2px}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:12px 16px;min-width:170px}\n"
    ".card b{display:block;font-size:22px;font-weight:600}.card span{color:var(--soft);"
    "font-size:13px}\n"
    ".plot{width:100%;height:auto;background:var(--card);border:1px solid var(--line);"
    "border-radius:10px}\n"
    ".plot .grid{stroke:#edf1f3}.plot text{font-size:12px;fill:var(--soft)}\n"
    ".plot .ylab{text-anchor:end}.plot .xlab{text-anchor:middle}.plot .none{text-anchor:middle}\n"
    ".plot .lane{font-size:13px;fill:var(--ink)}.plot .pair{stroke:#b8c4ca;stroke-width:2}\n"
    ".plot .tin{stroke:#3b7ea1;stroke-width:1.2}.plot .tex{stroke:#7a9e7e;stroke-width:1.2}\n"
    "table{border-collapse:collapse;width:100%;background:var(--card);font-size:14px;"
    "border:1px solid var(--line)}\n"
    "th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;"
    "vertical-align:top}\n"
    "th{color:var(--soft);font-weight:500}td.l,th.l{text-align:left}\n"
    "td.notes{text-align:left;max-width:260px;overflow-wrap:anywhere}\n"
    ".interrupted,.problem,.simulated{color:#b35c00}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:14px}\n"
    "dt{color:var(--soft)}dd{margin:0;overflow-wrap:anywhere}\n"
    "footer{margin-top:40px;color:var(--soft);font-size:13px}\n"
    /* Printed on A4: a heading stays with what it introduces, a plot or a row is never
     * cut, a table's header row repeats on each page, colours print as shown. */
    "@media print{@page{size:A4;margin:12mm}\n"
    "body{background:#fff;font-size:10.5pt;-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}\n"
    "main{max-width:none;padding:0}h2{margin:14pt 0 4pt}\n"
    "h2,h3,.hint{break-after:avoid;page-break-after:avoid}\n"
    "section,.plot,.cards,.legend,dl,tr{break-inside:avoid;page-break-inside:avoid}\n"
    "thead{display:table-header-group}th,td{padding:3px 5px}}\n"
    "</style>\n";

static void card(writer *w, const char *value, const char *label)
{
    out(w, "<div class=\"card\"><b>%s</b><span>%s</span></div>\n", value, label);
}

static void session_section(writer *w, const row *x)
{
    char a[64];
    char b[64];
    fmt_date(a, sizeof a, x->start_s, DATE_MINUTE);
    out(w, "<section id=\"session-%lld\">\n<h2>Session %lld, %s</h2>\n<dl>\n", (long long)x->id,
        (long long)x->id, a);
    out(w, "<dt>status</dt><dd>");
    out_text(w, x->status, false);
    out(w, "</dd><dt>length</dt><dd>%s</dd>\n",
        num(b, sizeof b, x->m.duration_s / 60.0, 1, " min"));
    const char *const labels[] = {"belt", "firmware", "pacer", "recording", "events", "problem"};
    const char *const values[] = {x->belt,      x->firmware, x->pacer,
                                  x->recording, x->events,   x->problem};
    for (int i = 0; i < 6; i++) {
        if (values[i]) {
            out(w, "<dt>%s</dt><dd>", labels[i]);
            out_text(w, values[i], false);
            out(w, "</dd>\n");
        }
    }
    if (x->notes) {
        out(w, "<dt>notes</dt><dd>");
        out_text(w, x->notes, true);
        out(w, "</dd>\n");
    }
    out(w, "</dl>\n");
    if (x->is_simulated) {
        out(w, "<p class=\"simulated\">Simulated belt: not a person's breathing.</p>\n");
    }
    if (!x->recording) {
        out(w, "<p class=\"problem\">No recording is stored for this session.</p></section>\n");
        return;
    }
    bel_report_data *d = NULL;
    char err[BEL_IO_ERR_LEN];
    if (bel_report_data_create(x->recording, x->events, &d, err, sizeof err) != BEL_OK) {
        out(w, "<p class=\"problem\">The recording cannot be read: ");
        out_text(w, err, false);
        out(w, "</p></section>\n");
        return;
    }
    if (d->warning[0]) {
        out(w, "<p class=\"problem\">");
        out_text(w, d->warning, false);
        out(w, "</p>\n");
    }
    if (d->n_samples > 0) {
        double t0 = d->t_first_s;
        double t1 = d->t_last_s;
        out(w, "<h2>Breath trace</h2>\n");
        trace(w, d, x->recording, t0, t1, "breath trace of the whole session");
        if (t1 - t0 > 90.0) {
            out(w, "<h2>The first minute</h2>\n");
            trace(w, d, x->recording, t0, t0 + 60.0, "breath trace of the first minute");
        }
        out(w,
            "<p class=\"legend\"><span><svg width=\"14\" height=\"14\"><rect width=\"14\" "
            "height=\"14\" fill=\"%s\"/></svg> belly held in</span><span><svg width=\"14\" "
            "height=\"14\"><rect width=\"14\" height=\"14\" fill=\"%s\"/></svg> breath "
            "held</span><span><svg width=\"14\" height=\"14\"><rect x=\"6\" width=\"2\" "
            "height=\"14\" fill=\"%s\"/></svg> signal lost</span><span>1, 2, ...: the "
            "therapist's markers; !: discomfort</span><span>long ticks: breathing "
            "in; short ticks: breathing out</span></p>\n",
            C_HOLDIN, C_BHOLD, C_LOST);
    } else {
        out(w, "<p class=\"problem\">The recording has no samples.</p>\n");
    }
    bel_report_data_destroy(d);
    out(w, "</section>\n");
}

/* ---- the therapist's findings ---- */

static void copy_found(void *ctx, const bel_store_findings *f)
{
    found *x = ctx;
    x->n_pain = f->n_pain < BEL_STORE_MAX_PAIN ? f->n_pain : BEL_STORE_MAX_PAIN;
    for (int i = 0; i < x->n_pain; i++) {
        snprintf(x->area[i], sizeof x->area[i], "%s", f->pain[i].area);
        x->pain[i] = f->pain[i].score;
    }
    for (int side = 0; side < 2; side++) {
        x->thomas[side] = f->thomas[side];
        x->thomas_deg[side] = f->thomas_deg[side];
    }
    if (f->notes) {
        x->notes = strdup(f->notes);
        x->failed = x->notes == NULL;
    }
    x->has = x->n_pain > 0 || f->thomas[0] || f->thomas[1] || f->notes;
}

/* Each row's findings at its before and after assessments. */
static bel_status load_found(bel_store *st, rows *r, char *err, size_t err_len)
{
    for (size_t i = 0; i < r->n; i++) {
        row *x = &r->v[i];
        const int64_t ids[2] = {x->before_id, x->after_id};
        found *dst[2] = {&x->found_before, &x->found_after};
        for (int k = 0; k < 2; k++) {
            if (ids[k] <= 0) {
                continue;
            }
            const int got = bel_store_get_findings(st, ids[k], copy_found, dst[k]);
            if (got < 0 || dst[k]->failed) {
                snprintf(err, err_len, "%s", got < 0 ? bel_store_get_error(st) : "out of memory");
                return got < 0 ? (bel_status)got : BEL_ERR_NOMEM;
            }
        }
    }
    return BEL_OK;
}

/* Pain in area at one assessment, NAN when not scored. */
static double pain_of(const found *f, const char *area)
{
    for (int i = 0; i < f->n_pain; i++) {
        if (strcmp(f->area[i], area) == 0) {
            return f->pain[i];
        }
    }
    return NAN;
}

/* One side's psoas test at one assessment (f NULL: none). */
static void out_thomas1(writer *w, const found *f, int side)
{
    const bel_store_thomas t = f ? f->thomas[side] : BEL_STORE_THOMAS_NOT_DONE;
    if (t == BEL_STORE_THOMAS_NOT_DONE) {
        out(w, "&#8211;");
        return;
    }
    out(w, "%s", t == BEL_STORE_THOMAS_PASS ? "pass" : "tight");
    if (isfinite(f->thomas_deg[side])) {
        out(w, " %.0f&#176;", f->thomas_deg[side]);
    }
}

static void out_thomas(writer *w, const found *b, const found *a, int side)
{
    out_thomas1(w, b, side);
    out(w, " &#8594; ");
    out_thomas1(w, a, side);
}

/* "before -> after" of one measure; unknown ones as a dash. */
/* A figure of a table cell: the I:E ratio as people write it (decimals < 0, "1:2.0"),
 * else v with decimals and suffix; a dash when there is none. */
static const char *cell(char *buf, size_t len, double v, int decimals, const char *suffix)
{
    if (decimals < 0) {
        return bel_ie_text(buf, len, (float)v, "&#8211;");
    }
    return num(buf, len, v, decimals, suffix);
}

static void out_pair(writer *w, const row *x, double before, double after, int decimals,
                     const char *suffix)
{
    char b[64];
    char a[64];
    out(w, "<td>%s &#8594; %s</td>",
        x->has_before ? cell(b, sizeof b, before, decimals, suffix) : "&#8211;",
        x->has_after ? cell(a, sizeof a, after, decimals, suffix) : "&#8211;");
}

enum { MAX_PAIN_PLOT = 8 };

/* One assessment of a row: its numbers and findings. */
typedef struct assessed {
    const row *x;
    const bel_store_metrics *m;
    const found *f;
    const char *when; /* "before" or "after" */
    double taken_s;   /* when it was taken */
} assessed;

/* The first assessment: the earliest session's before, else its after (x NULL: none). */
static assessed first_assessed(const rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        if (x->has_before || x->has_after) {
            return x->has_before
                       ? (assessed){x, &x->before, &x->found_before, "before", x->before_taken_s}
                       : (assessed){x, &x->after, &x->found_after, "after", x->after_taken_s};
        }
    }
    return (assessed){NULL, NULL, NULL, NULL, NAN};
}

/* The first assessment and the latest (the last session's after, else its before), side
 * by side for every measure; depth relative to the first assessment's (depth_ref). */
static void first_latest(writer *w, const rows *r, const char *const *areas, int n_areas,
                         double depth_ref)
{
    assessed a[2] = {first_assessed(r), {NULL, NULL, NULL, NULL, NAN}};
    for (size_t i = r->n; i > 0 && !a[1].x; i--) {
        const row *x = &r->v[i - 1];
        if (x->has_before || x->has_after) {
            a[1] = x->has_after
                       ? (assessed){x, &x->after, &x->found_after, "after", x->after_taken_s}
                       : (assessed){x, &x->before, &x->found_before, "before", x->before_taken_s};
        }
    }
    if (!a[0].x || (a[0].x == a[1].x && a[0].m == a[1].m)) {
        return; /* one assessment: nothing to set beside it */
    }
    /* Each when it was taken (before: the session's start came after it). */
    char d[2][64];
    for (int k = 0; k < 2; k++) {
        fmt_date(d[k], sizeof d[k], isfinite(a[k].taken_s) ? a[k].taken_s : a[k].x->start_s,
                 DATE_MINUTE);
    }
    out(w,
        "<h3>First and latest assessment</h3>\n<table class=\"fl\">\n<thead><tr><th "
        "class=\"l\"></th><th>first: %s session %lld, %s</th><th>latest: %s session %lld, "
        "%s</th></tr></thead>\n",
        a[0].when, (long long)a[0].x->id, d[0], a[1].when, (long long)a[1].x->id, d[1]);
    static const struct {
        const char *name;
        int decimals; /* < 0: the I:E ratio, "1:2.0" */
        double scale;
        const char *suffix;
    } measures[] = {
        {"rate", 1, 1.0, " /min"},      {"belly share", 0, 100.0, " %"},
        {"time held in", 0, 1.0, " s"}, {"breath holds", 0, 1.0, ""},
        {"depth", 2, 1.0, "&#215;"},    {"I:E", -1, 1.0, ""},
    };
    for (size_t k = 0; k < sizeof measures / sizeof measures[0]; k++) {
        out(w, "<tr><td class=\"l\">%s</td>", measures[k].name);
        for (int j = 0; j < 2; j++) {
            const bel_store_metrics *m = a[j].m;
            const double v[] = {m->rate_bpm,
                                m->belly_share,
                                m->time_held_in_s,
                                m->n_breath_holds >= 0 ? (double)m->n_breath_holds : (double)NAN,
                                m->depth / depth_ref,
                                m->ie_ratio};
            char b[64];
            out(w, "<td>%s</td>",
                cell(b, sizeof b, measures[k].scale * v[k], measures[k].decimals,
                     measures[k].suffix));
        }
        out(w, "</tr>\n");
    }
    for (int p = 0; p < n_areas; p++) {
        out(w, "<tr><td class=\"l\">pain, ");
        out_text(w, areas[p], false);
        out(w, "</td>");
        for (int j = 0; j < 2; j++) {
            char b[64];
            out(w, "<td>%s</td>", num(b, sizeof b, pain_of(a[j].f, areas[p]), 0, ""));
        }
        out(w, "</tr>\n");
    }
    static const char *const side[2] = {"psoas left", "psoas right"};
    for (int s = 0; s < 2; s++) {
        out(w, "<tr><td class=\"l\">%s</td><td>", side[s]);
        out_thomas1(w, a[0].f, s);
        out(w, "</td><td>");
        out_thomas1(w, a[1].f, s);
        out(w, "</td></tr>\n");
    }
    out(w, "</table>\n");
}

/* Progress of the assessments: the breath figures and what the therapist found, before
 * and after each session; a plot of pain per area, before and after each session.
 * ys: room for 2 x MAX_PAIN_PLOT x r->n values. */
static void findings_section(writer *w, const rows *r, const double *start_s, double *ys)
{
    static const char *const colors[MAX_PAIN_PLOT] = {"#c0392b", "#d08c2f", "#8a6fb0", "#3b7ea1",
                                                      "#5d8a66", "#7a6a58", "#b35c8a", "#4a6b8a"};
    const char *areas[MAX_PAIN_PLOT];
    int n_areas = 0;
    bool any = false;
    for (size_t i = 0; i < r->n; i++) {
        const found *f[2] = {&r->v[i].found_before, &r->v[i].found_after};
        any |= r->v[i].has_before || r->v[i].has_after;
        for (int k = 0; k < 2; k++) {
            for (int p = 0; p < f[k]->n_pain; p++) {
                bool seen = false;
                for (int j = 0; j < n_areas; j++) {
                    seen |= strcmp(areas[j], f[k]->area[p]) == 0;
                }
                if (!seen && n_areas < MAX_PAIN_PLOT) {
                    areas[n_areas++] = f[k]->area[p];
                }
            }
        }
    }
    if (!any) {
        return;
    }
    out(w, "<section>\n<h2>Assessments and the therapist's findings</h2>\n<p class=\"hint\">"
           "Before &#8594; after each session: the assessed breathing and what was found by "
           "hand (pain 0&#8211;10 per area, psoas length by the Thomas test). Depth is the "
           "breath's depth against the first assessment's (1.00&#215;): comparable while the "
           "belt is fitted the same way.</p>\n");
    if (n_areas > 0) {
        series s[MAX_PAIN_PLOT];
        char labels[MAX_PAIN_PLOT][BEL_STORE_AREA_LEN * 6];
        for (int j = 0; j < n_areas; j++) {
            double *before = ys + 2 * (size_t)j * r->n;
            double *after = before + r->n;
            for (size_t i = 0; i < r->n; i++) {
                before[i] =
                    r->v[i].has_before ? pain_of(&r->v[i].found_before, areas[j]) : (double)NAN;
                after[i] =
                    r->v[i].has_after ? pain_of(&r->v[i].found_after, areas[j]) : (double)NAN;
            }
            bel_report_escape(labels[j], sizeof labels[j], areas[j]);
            s[j] = (series){before, colors[j], true, labels[j], after};
        }
        plot(w, "pain per area before and after each session", "pain 0-10", r->n, start_s, n_areas,
             s, 10.0, false);
    }
    /* Depth is in the belt's own units: a client's breaths are set against their first
     * assessment's, which the same belt, fitted the same way, makes comparable. */
    const assessed first = first_assessed(r);
    const double depth_ref = first.m && first.m->depth > 0.0 ? first.m->depth : (double)NAN;
    first_latest(w, r, areas, n_areas, depth_ref);
    out(w, "<h3>Before &#8594; after each session</h3>\n");
    out(w, "<table>\n<thead><tr><th>#</th><th class=\"l\">date</th><th>rate</th>"
           "<th>belly</th><th>held in</th><th>breath holds</th><th>depth</th><th>I:E</th>"
           "<th class=\"l\">pain</th><th>psoas left</th><th>psoas right</th>"
           "<th class=\"l\">notes</th></tr></thead>\n");
    for (size_t i = 0; i < r->n; i++) {
        const row *x = &r->v[i];
        if (!x->has_before && !x->has_after) {
            continue;
        }
        char d[64];
        fmt_date(d, sizeof d, x->start_s, DATE_MINUTE);
        out(w, "<tr><td>%lld</td><td class=\"l\">%s</td>", (long long)x->id, d);
        out_pair(w, x, x->before.rate_bpm, x->after.rate_bpm, 1, "");
        out_pair(w, x, 100.0 * x->before.belly_share, 100.0 * x->after.belly_share, 0, " %");
        out_pair(w, x, x->before.time_held_in_s, x->after.time_held_in_s, 0, " s");
        out_pair(
            w, x, x->before.n_breath_holds >= 0 ? (double)x->before.n_breath_holds : (double)NAN,
            x->after.n_breath_holds >= 0 ? (double)x->after.n_breath_holds : (double)NAN, 0, "");
        out_pair(w, x, x->before.depth / depth_ref, x->after.depth / depth_ref, 2, "&#215;");
        out_pair(w, x, x->before.ie_ratio, x->after.ie_ratio, -1, "");
        out(w, "<td class=\"l\">");
        const found *fb = x->has_before ? &x->found_before : NULL;
        const found *fa = x->has_after ? &x->found_after : NULL;
        const found *both[2] = {fb, fa};
        int shown = 0;
        for (int k = 0; k < 2; k++) { /* each area once, in the order first scored */
            for (int p = 0; both[k] && p < both[k]->n_pain; p++) {
                const char *area = both[k]->area[p];
                if (k == 1 && fb && isfinite(pain_of(fb, area))) {
                    continue;
                }
                char b[64];
                char a[64];
                out(w, "%s", shown++ ? "<br>" : "");
                out_text(w, area, false);
                out(w, " %s &#8594; %s",
                    num(b, sizeof b, fb ? pain_of(fb, area) : (double)NAN, 0, ""),
                    num(a, sizeof a, fa ? pain_of(fa, area) : (double)NAN, 0, ""));
            }
        }
        out(w, "%s</td><td>", shown ? "" : "&#8211;");
        out_thomas(w, fb, fa, 0);
        out(w, "</td><td>");
        out_thomas(w, fb, fa, 1);
        out(w, "</td><td class=\"notes\">");
        for (int k = 0; k < 2; k++) {
            if (both[k] && both[k]->notes) {
                out(w, "%s<b>%s:</b> ", k && fb && fb->notes ? "<br>" : "", k ? "after" : "before");
                out_text(w, both[k]->notes, true);
            }
        }
        out(w, "</td></tr>\n");
    }
    out(w, "</table>\n</section>\n");
}

bel_status bel_report_write(bel_store *st, const bel_report_config *cfg, const char *out_path,
                            char *err, size_t err_len)
{
    char dummy[8];
    if (!err || err_len == 0) {
        err = dummy;
        err_len = sizeof dummy;
    }
    err[0] = '\0';
    if (!st || !cfg || !out_path || (cfg->client_id <= 0 && cfg->client_id != BEL_STORE_OWN)) {
        return BEL_ERR_ARG;
    }
    client_find cf = {cfg->client_id, NULL, false};
    int n = cfg->client_id == BEL_STORE_OWN ? 0 : bel_store_list_clients(st, find_name, &cf);
    if (cfg->client_id == BEL_STORE_OWN) { /* someone practising alone */
        cf.name = strdup("Your own sessions");
        cf.failed = cf.name == NULL;
    }
    if (n < 0 || cf.failed) {
        snprintf(err, err_len, "%s", n < 0 ? bel_store_get_error(st) : "out of memory");
        free(cf.name);
        return n < 0 ? (bel_status)n : BEL_ERR_NOMEM;
    }
    if (!cf.name) {
        snprintf(err, err_len, "no client %lld in the store", (long long)cfg->client_id);
        return BEL_ERR_ARG;
    }
    rows r = {NULL, 0, 0, false};
    bel_status rc = BEL_OK;
    double *y = NULL;
    writer w = {NULL, BEL_OK};
    n = bel_store_list_sessions(st, cfg->client_id, collect_row, &r);
    if (n < 0 || r.failed) {
        snprintf(err, err_len, "%s", n < 0 ? bel_store_get_error(st) : "out of memory");
        rc = n < 0 ? (bel_status)n : BEL_ERR_NOMEM;
        goto done;
    }
    rc = load_found(st, &r, err, err_len);
    if (rc != BEL_OK) {
        goto done;
    }
    const row *chosen = NULL;
    for (size_t i = 0; i < r.n; i++) {
        if (r.v[i].id == cfg->session_id) {
            chosen = &r.v[i];
        }
    }
    if (cfg->session_id > 0 && !chosen) {
        snprintf(err, err_len, "session %lld is not one of this client's sessions",
                 (long long)cfg->session_id);
        rc = BEL_ERR_ARG;
        goto done;
    }
    const size_t nr = r.n ? r.n : 1;
    /* start, rate, share, held, before, after, pacer, then pain per area */
    y = calloc((7 + 2 * MAX_PAIN_PLOT) * nr, sizeof *y);
    if (!y) {
        rc = BEL_ERR_NOMEM;
        goto done;
    }
    double *t = y;
    double *rate = y + nr;
    double *share = y + 2 * nr;
    double *held = y + 3 * nr;
    double *before = y + 4 * nr;
    double *after = y + 5 * nr;
    double *pacer = y + 6 * nr;
    bool any_assessment = false;
    bool any_pacer = false;
    double total_s = 0.0;
    for (size_t i = 0; i < r.n; i++) {
        const row *x = &r.v[i];
        t[i] = x->start_s;
        rate[i] = x->m.rate_bpm;
        share[i] = 100.0 * x->m.belly_share;
        held[i] = x->m.time_held_in_s;
        before[i] = x->has_before ? x->before.rate_bpm : (double)NAN;
        after[i] = x->has_after ? x->after.rate_bpm : (double)NAN;
        pacer[i] = 100.0 * x->m.pacer_score;
        any_assessment |= x->has_before || x->has_after;
        any_pacer |= isfinite(x->m.pacer_score);
        total_s += isfinite(x->m.duration_s) ? x->m.duration_s : 0.0;
    }

    rc = bel_outfile_create_whole(out_path, &w.f, err, err_len);
    if (rc != BEL_OK) {
        goto done;
    }
    char a[64];
    char b[64];
    char c[64];
    out(&w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>Breathing progress: ");
    out_text(&w, cf.name, false);
    out(&w,
        "</title>\n%s</head>\n<body>\n<main>\n<header>\n<h1>Breathing progress</h1>\n"
        "<p class=\"who\">",
        STYLE);
    out_text(&w, cf.name, false);
    out(&w, "</p>\n");
    fmt_date(c, sizeof c, cfg->now_unix_s > 0.0 ? cfg->now_unix_s : (double)time(NULL),
             DATE_MINUTE);
    if (r.n > 0) {
        fmt_date(a, sizeof a, r.v[0].start_s, DATE_DAY);
        fmt_date(b, sizeof b, r.v[r.n - 1].start_s, DATE_DAY);
        out(&w,
            "<p class=\"meta\">%zu session%s from %s to %s, %.0f minutes in all. Made %s.</p>\n",
            r.n, r.n == 1 ? "" : "s", a, b, total_s / 60.0, c);
    } else {
        out(&w, "<p class=\"meta\">No sessions yet. Made %s.</p>\n", c);
    }
    out(&w, "</header>\n");
    if (r.n > 0) {
        const row *first = &r.v[0];
        const row *last = &r.v[r.n - 1];
        out(&w, "<section class=\"cards\">\n");
        char v[96];
        char lbl[160];
        snprintf(v, sizeof v, "%s", num(a, sizeof a, last->m.rate_bpm, 1, " /min"));
        snprintf(lbl, sizeof lbl, "rate, latest (first: %s)",
                 num(c, sizeof c, first->m.rate_bpm, 1, ""));
        card(&w, v, lbl);
        snprintf(v, sizeof v, "%s", num(a, sizeof a, 100.0 * last->m.belly_share, 0, " %"));
        snprintf(lbl, sizeof lbl, "belly share, latest (first: %s)",
                 num(c, sizeof c, 100.0 * first->m.belly_share, 0, " %"));
        card(&w, v, lbl);
        snprintf(v, sizeof v, "%s", num(a, sizeof a, last->m.time_held_in_s, 0, " s"));
        snprintf(lbl, sizeof lbl, "held in, latest (first: %s)",
                 num(c, sizeof c, first->m.time_held_in_s, 0, " s"));
        card(&w, v, lbl);
        out(&w, "</section>\n");
    }

    series s1 = {rate, C_BELLY, false, "rate", NULL};
    out(&w, "<section>\n<h2>Breathing rate</h2>\n<p class=\"hint\">Breaths per minute in each "
            "session; slower, steadier breathing reads lower.</p>\n");
    plot(&w, "breathing rate per session", "breaths/min", r.n, t, 1, &s1, NAN, false);
    series s2 = {share, C_CHEST, false, "belly share", NULL};
    out(&w, "</section>\n<section>\n<h2>Belly share</h2>\n<p class=\"hint\">How much of each "
            "breath moved the belly rather than the chest (needs the chest belt).</p>\n");
    plot(&w, "belly share per session", "%", r.n, t, 1, &s2, 100.0, false);
    series s3 = {held, "#d08c2f", false, "held in", NULL};
    out(&w, "</section>\n<section>\n<h2>Time held in</h2>\n<p class=\"hint\">Seconds the belly "
            "was held in during each session.</p>\n");
    plot(&w, "time the belly was held in per session", "seconds", r.n, t, 1, &s3, 0.0, false);
    out(&w, "</section>\n<section>\n<h2>Assessment before and after each session</h2>\n");
    if (any_assessment) {
        series s4[2] = {{before, "#8a6fb0", true, "before the session", NULL},
                        {after, C_BELLY, false, "after the session", NULL}};
        out(&w, "<p class=\"hint\">Breathing rate in the short assessment taken before and after "
                "each session.</p>\n");
        plot(&w, "assessed breathing rate before and after each session", "breaths/min", r.n, t, 2,
             s4, NAN, true);
    } else {
        out(&w,
            "<p class=\"hint\">No assessments stored yet (bellows assess --client NAME).</p>\n");
    }
    out(&w, "</section>\n");
    findings_section(&w, &r, t, y + 7 * nr);
    if (any_pacer) {
        series s5 = {pacer, "#5d8a66", false, "pacer", NULL};
        out(&w, "<section>\n<h2>Following the pacer</h2>\n");
        plot(&w, "pacer following score per session", "%", r.n, t, 1, &s5, 100.0, false);
        out(&w, "</section>\n");
    }

    out(&w, "<section>\n<h2>Sessions</h2>\n<table>\n<thead><tr><th>#</th><th class=\"l\">date"
            "</th><th>min</th><th>breaths</th><th>rate</th><th>belly</th><th>held in</th>"
            "<th>hold-ins</th><th>breath holds</th><th>before &#8594; after</th>"
            "<th class=\"l\">notes</th></tr></thead>\n");
    for (size_t i = 0; i < r.n; i++) {
        const row *x = &r.v[i];
        char d[8][64];
        char e[3][64];
        fmt_date(a, sizeof a, x->start_s, DATE_MINUTE);
        bool interrupted = x->status && strcmp(x->status, "complete") != 0;
        out(&w,
            "<tr><td>%lld</td><td class=\"l\">%s%s</td><td>%s</td><td>%s</td><td>%s</td>"
            "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s &#8594; %s<br>%s &#8594; %s"
            "<br>%s &#8594; %s</td><td class=\"notes\">",
            (long long)x->id, a,
            interrupted ? (strcmp(x->status, "running") == 0 ? " <span class=\"interrupted\">"
                                                               "running</span>"
                                                             : " <span class=\"interrupted\">"
                                                               "interrupted</span>")
                        : "",
            num(d[0], 64, x->m.duration_s / 60.0, 1, ""),
            x->m.n_breaths >= 0 ? (snprintf(d[1], 64, "%lld", (long long)x->m.n_breaths), d[1])
                                : "&#8211;",
            num(d[2], 64, x->m.rate_bpm, 1, ""), num(d[3], 64, 100.0 * x->m.belly_share, 0, " %"),
            num(d[4], 64, x->m.time_held_in_s, 0, " s"),
            x->m.n_holdins >= 0 ? (snprintf(d[5], 64, "%lld", (long long)x->m.n_holdins), d[5])
                                : "&#8211;",
            x->m.n_breath_holds >= 0
                ? (snprintf(d[6], 64, "%lld", (long long)x->m.n_breath_holds), d[6])
                : "&#8211;",
            x->has_before ? num(b, sizeof b, x->before.rate_bpm, 1, " /min") : "&#8211;",
            x->has_after ? num(c, sizeof c, x->after.rate_bpm, 1, " /min") : "&#8211;",
            x->has_before ? num(d[7], 64, 100.0 * x->before.belly_share, 0, " %") : "&#8211;",
            x->has_after ? num(e[0], 64, 100.0 * x->after.belly_share, 0, " %") : "&#8211;",
            x->has_before ? num(e[1], 64, x->before.time_held_in_s, 0, " s") : "&#8211;",
            x->has_after ? num(e[2], 64, x->after.time_held_in_s, 0, " s") : "&#8211;");
        if (x->incomplete) {
            out(&w, "<span class=\"interrupted\">incomplete: ");
            out_text(&w, x->incomplete, false);
            out(&w, "</span> ");
        }
        if (x->is_simulated || x->is_assess_simulated) {
            out(&w, "<span class=\"simulated\">%s</span> ",
                x->is_simulated ? "simulated belt" : "assessment on the simulated belt");
        }
        if (x->notes) {
            out_text(&w, x->notes, true);
        }
        if (x->problem) {
            out(&w, "<span class=\"problem\">");
            out_text(&w, x->problem, false);
            out(&w, "</span>");
        }
        out(&w, "</td></tr>\n");
    }
    out(&w, "</table>\n<p class=\"hint\">Rates in breaths per minute; belly: belly share of "
            "breathing; before &#8594; after: the assessments' rate, belly share and time held "
            "in.</p>\n</section>\n");
    if (chosen) {
        session_section(&w, chosen);
    }
    out(&w, "<footer>Made by bellows from its session store. This page contains personal "
            "health information: keep it private.</footer>\n</main>\n</body>\n</html>\n");
    rc = w.rc;
    if (rc == BEL_OK) {
        rc = bel_outfile_close(w.f);
    }
    if (rc != BEL_OK) {
        snprintf(err, err_len, "%s",
                 bel_outfile_get_error(w.f)[0] ? bel_outfile_get_error(w.f) : bel_status_str(rc));
    }

done:
    bel_outfile_destroy(w.f);
    free(y);
    free(cf.name);
    rows_free(&r);
    return rc;
}
