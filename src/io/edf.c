/* edf.c - EDF+C writer: header, 16-bit data records, annotation TALs.
 * SPDX-License-Identifier: MIT */
#include "edf.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outfile.h"

enum { DIG_MIN = -32768, DIG_MAX = 32767, MAX_SPR = 10000 };

/* Copy s into an n-byte header field: printable ASCII only (others become '_'),
 * optionally spaces to '_' (EDF+ subfields), space-padded, no terminator. */
static void put_field(char *dst, size_t n, const char *s, bool no_spaces)
{
    memset(dst, ' ', n);
    for (size_t i = 0; s && s[i] != '\0' && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 32 || c > 126 || (no_spaces && c == ' ')) {
            c = '_';
        }
        dst[i] = (char)c;
    }
}

/* v in at most 8 characters, rounded down (or up) so the data stay inside.
 * false if it cannot be written in 8 characters. */
static bool format8(double v, bool round_up, char out[16], double *as_written)
{
    for (int d = 6; d >= 0; d--) {
        double scale = pow(10.0, d);
        double r = round_up ? ceil(v * scale) / scale : floor(v * scale) / scale;
        int n = snprintf(out, 16, "%.*f", d, r);
        if (n > 0 && n <= 8) {
            *as_written = strtod(out, NULL);
            return true;
        }
    }
    return false;
}

/* The text of an annotation: printable ASCII, no TAL separators. */
static size_t put_text(char *dst, const char *s)
{
    size_t n = 0;
    for (; s && s[n] != '\0' && n < 64; n++) {
        unsigned char c = (unsigned char)s[n];
        dst[n] = (c < 32 || c > 126) ? '_' : (char)c;
    }
    return n;
}

/* Latest time a TAL is written with: the most records the header can count. */
static const double MAX_ONSET_S = 99999999.0;

/* An annotation's onset inside the recording, [0, n_records] s: a time before the
 * first sample or after the last record (or not a number) goes to that end. */
static double onset_in(double onset_s, size_t n_records)
{
    if (!(onset_s > 0.0)) {
        return 0.0;
    }
    return fmin(onset_s, (double)n_records);
}

/* Seconds as EDF+ writes them: no trailing zeros after the point. s is clamped to
 * [0, MAX_ONSET_S] (a recording starting at t = -1e300 put its events 1e300 s in, and
 * "%.6f" of that overran the buffer), so the number takes at most 16 characters after
 * the prefix. Returns the length. */
static int put_seconds(char *dst, size_t len, const char *prefix, double s)
{
    s = fmin(fmax(s, 0.0), MAX_ONSET_S);
    int n = snprintf(dst, len, "%s%.6f", prefix, s);
    while (n > 2 && dst[n - 1] == '0') {
        n--;
    }
    if (dst[n - 1] == '.') {
        n--;
    }
    return n;
}

/* One TAL "+onset[\x15duration]\x14text\x14\0" (EDF+ 2.2.2; an empty text gives the
 * time-keeping TAL "+onset\x14\x14\0"). Writes into dst if not NULL; returns its length. */
static size_t tal(char *dst, double onset_s, double duration_s, const char *text)
{
    char buf[200]; /* 48 + 48 + 64 + 3 at most */
    int n = put_seconds(buf, 48, "+", onset_s);
    if (duration_s > 0.0) {
        n += put_seconds(buf + n, 48, "\x15", duration_s);
    }
    size_t len = (size_t)n;
    buf[len++] = 0x14;
    len += put_text(buf + len, text);
    buf[len++] = 0x14;
    buf[len++] = 0x00;
    if (dst) {
        memcpy(dst, buf, len);
    }
    return len;
}

static size_t record_of(double onset_s, size_t n_records)
{
    double r = floor(onset_s);
    if (!(r >= 0.0)) {
        return 0;
    }
    return r >= (double)n_records ? n_records - 1 : (size_t)r;
}

bel_status bel_edf_write(const char *path, const bel_edf_info *info, char *err, size_t err_len)
{
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!path || !info || info->n_signals < 1 || info->n_signals > BEL_EDF_MAX_SIGNALS ||
        info->samples_per_record < 1 || info->samples_per_record > MAX_SPR || !info->signals ||
        info->n_samples == 0 || (info->n_annotations > 0 && !info->annotations)) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: nothing to export (no samples or bad settings)",
                     path ? path : "EDF");
        }
        return BEL_ERR_ARG;
    }
    const int ns = info->n_signals;
    const size_t spr = (size_t)info->samples_per_record;
    const size_t n_records = (info->n_samples + spr - 1) / spr;
    if (n_records > 99999999u) {
        return BEL_ERR_ARG;
    }

    /* Physical range of each signal, as the header will say it. */
    double pmin[BEL_EDF_MAX_SIGNALS];
    double pmax[BEL_EDF_MAX_SIGNALS];
    char pmin_s[BEL_EDF_MAX_SIGNALS][16];
    char pmax_s[BEL_EDF_MAX_SIGNALS][16];
    for (int k = 0; k < ns; k++) {
        const float *x = info->signals[k].samples;
        double lo = info->read ? info->signals[k].min : (double)INFINITY;
        double hi = info->read ? info->signals[k].max : -(double)INFINITY;
        for (size_t i = 0; x && !info->read && i < info->n_samples; i++) {
            lo = fmin(lo, (double)x[i]);
            hi = fmax(hi, (double)x[i]);
        }
        if ((!x && !info->read) || !isfinite(lo) || !isfinite(hi)) {
            if (err && err_len) {
                snprintf(err, err_len, "%s: signal %d has no finite samples", path, k);
            }
            return BEL_ERR_ARG;
        }
        if (hi - lo < 1e-6 * fmax(1.0, fabs(lo))) {
            hi = lo + 1.0; /* flat: any non-empty range */
        }
        if (!format8(lo, false, pmin_s[k], &pmin[k]) || !format8(hi, true, pmax_s[k], &pmax[k])) {
            if (err && err_len) {
                snprintf(err, err_len, "%s: values of signal %d do not fit EDF's 8 characters",
                         path, k);
            }
            return BEL_ERR_ARG;
        }
    }

    /* Annotation bytes per record: the fullest record decides, for all. */
    size_t *ann_len = calloc(n_records, sizeof *ann_len);
    size_t *first = calloc(n_records + 1, sizeof *first); /* bucket start of each record */
    size_t *order = calloc(info->n_annotations + 1, sizeof *order);
    if (!ann_len || !first || !order) {
        free(ann_len);
        free(first);
        free(order);
        return BEL_ERR_NOMEM;
    }
    for (size_t r = 0; r < n_records; r++) {
        ann_len[r] = tal(NULL, (double)r, 0.0, "");
    }
    for (size_t a = 0; a < info->n_annotations; a++) {
        size_t r = record_of(info->annotations[a].onset_s, n_records);
        ann_len[r] += tal(NULL, onset_in(info->annotations[a].onset_s, n_records),
                          info->annotations[a].duration_s, info->annotations[a].text);
        first[r + 1]++;
    }
    for (size_t r = 0; r < n_records; r++) {
        first[r + 1] += first[r];
    }
    for (size_t a = 0; a < info->n_annotations; a++) { /* counting sort, stable */
        size_t r = record_of(info->annotations[a].onset_s, n_records);
        order[first[r]++] = a;
    }
    for (size_t r = n_records; r > 0; r--) { /* back to bucket starts */
        first[r] = first[r - 1];
    }
    first[0] = 0;
    size_t ann_bytes = 0;
    for (size_t r = 0; r < n_records; r++) {
        ann_bytes = ann_len[r] > ann_bytes ? ann_len[r] : ann_bytes;
    }
    ann_bytes = (ann_bytes + 1) / 2 * 2;
    const size_t ann_spr = ann_bytes / 2;

    const size_t rec_bytes = (size_t)ns * spr * 2 + ann_bytes;
    const int nsig = ns + 1;
    const size_t hdr_bytes = 256 + 256 * (size_t)nsig;
    char *hdr = malloc(hdr_bytes);
    unsigned char *rec = malloc(rec_bytes);
    bel_outfile *f = NULL;
    bel_status rc = BEL_ERR_NOMEM;
    if (!hdr || !rec) {
        goto done;
    }

    /* Fixed part. */
    time_t start = (time_t)info->start_unix_s;
    struct tm tm;
    localtime_r(&start, &tm);
    static const char *const months[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    char buf[128];
    char code[81];
    put_field(hdr, 8, "0", false);
    put_field(code, 80, info->patient_code ? info->patient_code : "X", true);
    code[80] = '\0';
    for (int i = 79; i >= 0 && code[i] == ' '; i--) {
        code[i] = '\0';
    }
    snprintf(buf, sizeof buf, "%.40s X X X", code);
    put_field(hdr + 8, 80, buf, false);
    put_field(code, 80, info->recording ? info->recording : "bellows", true);
    for (int i = 79; i >= 0 && code[i] == ' '; i--) {
        code[i] = '\0';
    }
    snprintf(buf, sizeof buf, "Startdate %02d-%s-%04d X X %.40s", tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, code);
    put_field(hdr + 88, 80, buf, false);
    snprintf(buf, sizeof buf, "%02d.%02d.%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100);
    put_field(hdr + 168, 8, buf, false);
    snprintf(buf, sizeof buf, "%02d.%02d.%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    put_field(hdr + 176, 8, buf, false);
    snprintf(buf, sizeof buf, "%zu", hdr_bytes);
    put_field(hdr + 184, 8, buf, false);
    put_field(hdr + 192, 44, "EDF+C", false);
    snprintf(buf, sizeof buf, "%zu", n_records);
    put_field(hdr + 236, 8, buf, false);
    put_field(hdr + 244, 8, "1", false);
    snprintf(buf, sizeof buf, "%d", nsig);
    put_field(hdr + 252, 4, buf, false);

    /* Per-signal part: each field for every signal in turn. */
    char *p = hdr + 256;
    for (int k = 0; k < nsig; k++, p += 16) {
        put_field(p, 16, k < ns ? info->signals[k].label : "EDF Annotations", false);
    }
    for (int k = 0; k < nsig; k++, p += 80) {
        put_field(p, 80, k < ns ? "stretch sensor belt" : "", false);
    }
    for (int k = 0; k < nsig; k++, p += 8) {
        put_field(p, 8, k < ns && info->signals[k].dimension ? info->signals[k].dimension : "",
                  false);
    }
    for (int k = 0; k < nsig; k++, p += 8) {
        put_field(p, 8, k < ns ? pmin_s[k] : "-1", false);
    }
    for (int k = 0; k < nsig; k++, p += 8) {
        put_field(p, 8, k < ns ? pmax_s[k] : "1", false);
    }
    for (int k = 0; k < nsig; k++, p += 8) {
        put_field(p, 8, "-32768", false);
    }
    for (int k = 0; k < nsig; k++, p += 8) {
        put_field(p, 8, "32767", false);
    }
    for (int k = 0; k < nsig; k++, p += 80) {
        put_field(p, 80, "", false);
    }
    for (int k = 0; k < nsig; k++, p += 8) {
        snprintf(buf, sizeof buf, "%zu", k < ns ? spr : ann_spr);
        put_field(p, 8, buf, false);
    }
    for (int k = 0; k < nsig; k++, p += 32) {
        put_field(p, 32, "", false);
    }

    rc = bel_outfile_create_whole(path, &f, err, err_len);
    if (rc != BEL_OK) {
        goto done;
    }
    rc = bel_outfile_write(f, hdr, hdr_bytes);

    /* One record's samples of every signal: from the arrays or the stream, padded with
     * the last values. */
    float *row = info->read ? calloc(spr * (size_t)ns, sizeof *row) : NULL;
    float last[BEL_EDF_MAX_SIGNALS] = {0};
    size_t n_read = 0;
    if (info->read && !row) {
        rc = BEL_ERR_NOMEM;
    }
    for (size_t r = 0; r < n_records && rc == BEL_OK; r++) {
        for (size_t i = 0; row && i < spr; i++) {
            float *v = row + i * (size_t)ns;
            int got = n_read < info->n_samples ? info->read(info->read_ctx, v) : 0;
            if (got < 0) {
                rc = (bel_status)got;
                if (err && err_len) {
                    snprintf(err, err_len, "%s: the samples could not be read (%s)", path,
                             bel_status_str(rc));
                }
                break;
            }
            if (got == 0) {
                memcpy(v, last, (size_t)ns * sizeof *v);
            } else {
                memcpy(last, v, (size_t)ns * sizeof *v);
                n_read++;
            }
        }
        if (rc != BEL_OK) {
            break;
        }
        unsigned char *q = rec;
        for (int k = 0; k < ns; k++) {
            const float *x = info->signals[k].samples;
            const double gain = (double)(DIG_MAX - DIG_MIN) / (pmax[k] - pmin[k]);
            for (size_t i = 0; i < spr; i++) {
                size_t j = r * spr + i;
                double v = row ? (double)row[i * (size_t)ns + (size_t)k]
                               : (double)x[j < info->n_samples ? j : info->n_samples - 1];
                long d = lround((v - pmin[k]) * gain + (double)DIG_MIN);
                d = d < DIG_MIN ? DIG_MIN : (d > DIG_MAX ? DIG_MAX : d);
                uint16_t u = (uint16_t)(int16_t)d;
                *q++ = (unsigned char)(u & 0xffu);
                *q++ = (unsigned char)(u >> 8);
            }
        }
        memset(q, 0, ann_bytes);
        char *t = (char *)q;
        t += tal(t, (double)r, 0.0, "");
        for (size_t i = first[r]; i < first[r + 1]; i++) {
            const bel_edf_annotation *a = &info->annotations[order[i]];
            t += tal(t, onset_in(a->onset_s, n_records), a->duration_s, a->text);
        }
        rc = bel_outfile_write(f, (const char *)rec, rec_bytes);
    }
    free(row);
    if (rc == BEL_OK) {
        rc = bel_outfile_close(f);
    }
    if (rc != BEL_OK && err && err_len && err[0] == '\0') {
        snprintf(err, err_len, "%s", bel_outfile_get_error(f));
    }

done:
    bel_outfile_destroy(f);
    free(ann_len);
    free(first);
    free(order);
    free(hdr);
    free(rec);
    return rc;
}
