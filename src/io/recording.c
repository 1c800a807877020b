/* recording.c - streaming recording CSV reader and writer.
 * SPDX-License-Identifier: MIT */
#include "recording.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration.h"
#include "text.h"

/* Read buffer; also the longest line accepted. */
enum { READ_BUF_BYTES = 1 << 20 };
/* Longest field text handed to strtod on the slow path. */
enum { SLOW_FIELD_LEN = 128 };
/* Offending text shown in messages is cut to this many characters. */
enum { QUOTE_MAX = 40 };

struct bel_recording_reader {
    FILE *fp;
    char *path;
    char *buf;                 /* READ_BUF_BYTES + 1; buf[len] is always '\0' */
    size_t len;                /* bytes of data in buf */
    size_t pos;                /* start of the unread data */
    bool at_eof;               /* fread reported the end */
    long line;                 /* number of the line last taken */
    long blank_line;           /* first blank line since the last data row, 0 if none */
    uint64_t bytes_before_buf; /* file offset of buf[0] */
    uint64_t file_size;

    int n_channels;
    char names[BEL_MAX_CHANNELS][BEL_RECORDING_NAME_LEN];
    bel_recording_settings settings;

    double fs_hz;
    double t_prev; /* time of the last parsed row */
    long t_prev_line;
    uint64_t n_rows; /* rows parsed */
    double t_served; /* time of the last row handed out */
    uint64_t n_served;

    bel_sample ahead[BEL_RECORDING_RATE_ROWS + 1];
    int n_ahead;
    int i_ahead;
    int pending; /* status to return once the look-ahead is served */

    int status; /* sticky error */
    char err[BEL_IO_ERR_LEN];
};

/* ---- messages ------------------------------------------------------------------------- */

/* Copy s[0..n) for a message: cut long text, show control bytes as \xNN. */
static void quote_text(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    size_t shown = n > QUOTE_MAX ? QUOTE_MAX : n;
    size_t ok = 0; /* s[i..i+ok) is printable UTF-8 */
    for (size_t i = 0; i < shown && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (ok == 0) {
            ok = bel_text_find_control(s + i, shown - i);
        }
        if (ok == 0) {
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
        } else {
            dst[o++] = (char)c;
            ok--;
        }
    }
    if (shown < n && o + 4 < cap) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o < cap ? o : cap - 1] = '\0';
}

static int set_error(bel_recording_reader *r, int status, const char *msg)
{
    r->status = status;
    snprintf(r->err, sizeof r->err, "%s", msg);
    return status;
}

static const char *column_name(const bel_recording_reader *r, int col)
{
    return col == 0 ? "t" : r->names[col - 1];
}

/* ---- buffered lines ------------------------------------------------------------------- */

/* Take the next line (without its \n or \r\n) into [*start, *end).
 * Returns 1, 0 at the end of the file, or a negative status. */
static int next_line(bel_recording_reader *r, char **start, char **end)
{
    char msg[BEL_IO_ERR_LEN];
    for (;;) {
        char *p = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        char *nl = memchr(p, '\n', avail);
        if (nl || (r->at_eof && avail > 0)) {
            char *e = nl ? nl : p + avail;
            r->pos = nl ? (size_t)(nl - r->buf) + 1 : r->len;
            if (e > p && e[-1] == '\r') {
                e--;
            }
            *start = p;
            *end = e;
            r->line++;
            return 1;
        }
        if (r->at_eof) {
            return 0;
        }
        if (r->pos == 0 && r->len == READ_BUF_BYTES) {
            snprintf(msg, sizeof msg, "%s:%ld: line longer than %d bytes", r->path, r->line + 1,
                     READ_BUF_BYTES);
            return set_error(r, BEL_ERR_FORMAT, msg);
        }
        /* Move the partial line to the front and fill up behind it. */
        memmove(r->buf, r->buf + r->pos, avail);
        r->bytes_before_buf += r->pos;
        r->pos = 0;
        r->len = avail;
        size_t want = READ_BUF_BYTES - r->len;
        size_t got = fread(r->buf + r->len, 1, want, r->fp);
        r->len += got;
        r->buf[r->len] = '\0';
        if (got < want) {
            if (ferror(r->fp)) {
                snprintf(msg, sizeof msg, "%s: cannot read: %s", r->path, strerror(errno));
                return set_error(r, BEL_ERR_IO, msg);
            }
            r->at_eof = true;
        }
    }
}

/* ---- numbers -------------------------------------------------------------------------- */

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

typedef enum num_result { NUM_OK, NUM_EMPTY, NUM_BAD, NUM_NONFINITE } num_result;

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Parse the decimal number in [s, e). The common forms ("-12", "0.30258", "1.5e-3")
 * take an exact fast path: an integer mantissa below 2^53 scaled by an exact power
 * of ten gives the correctly rounded double in one multiply or divide (Clinger 1990).
 * Everything else goes to strtod. */
static num_result parse_number(const char *s, const char *e, double *out)
{
    while (s < e && is_blank(*s)) {
        s++;
    }
    while (e > s && is_blank(e[-1])) {
        e--;
    }
    if (s == e) {
        return NUM_EMPTY;
    }
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    uint64_t mant = 0;
    int n_sig = 0;
    int n_digits = 0;
    int exp10 = 0;
    bool fast = true;
    while (p < e && (unsigned)(*p - '0') < 10) {
        if (mant || *p != '0') {
            n_sig++;
        }
        mant = mant * 10 + (uint64_t)(*p - '0');
        n_digits++;
        p++;
        if (n_sig > 18) {
            fast = false;
            break;
        }
    }
    if (fast && p < e && *p == '.') {
        p++;
        while (p < e && (unsigned)(*p - '0') < 10) {
            if (mant || *p != '0') {
                n_sig++;
            }
            mant = mant * 10 + (uint64_t)(*p - '0');
            n_digits++;
            exp10--;
            p++;
            if (n_sig > 18) {
                fast = false;
                break;
            }
        }
    }
    if (fast && n_digits > 0 && p < e && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        bool eneg = false;
        int ev = 0;
        int n_ed = 0;
        if (q < e && (*q == '-' || *q == '+')) {
            eneg = *q == '-';
            q++;
        }
        while (q < e && (unsigned)(*q - '0') < 10 && n_ed < 5) {
            ev = ev * 10 + (*q - '0');
            n_ed++;
            q++;
        }
        if (n_ed == 0) {
            return NUM_BAD;
        }
        exp10 += eneg ? -ev : ev;
        p = q;
    }
    if (fast && n_digits > 0 && p == e && mant <= (UINT64_C(1) << 53) && exp10 >= -22 &&
        exp10 <= 22) {
        double v = (double)mant;
        v = exp10 < 0 ? v / pow10_tab[-exp10] : v * pow10_tab[exp10];
        *out = neg ? -v : v;
        return NUM_OK;
    }

    /* Slow path: anything strtod accepts in full (long mantissas, big exponents, inf, nan). */
    char tmp[SLOW_FIELD_LEN];
    size_t n = (size_t)(e - s);
    if (n >= sizeof tmp) {
        return NUM_BAD;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (tmp[0] == ' ' || tmp[0] == '\t') {
        return NUM_BAD;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + n) {
        return NUM_BAD;
    }
    if (!isfinite(v)) {
        return NUM_NONFINITE;
    }
    *out = v;
    return NUM_OK;
}

/* The plain rows that make up nearly every recording ("12.34,-567,89.5"):
 * each field an optional '-', digits, an optional '.' and digits, at most 18
 * digits in all, separated by single commas, nothing else. One pass, no
 * strtod: an integer mantissa below 2^53 divided by an exact power of ten is
 * the correctly rounded double, the same value parse_number gives. false for
 * anything else (blanks, '+', exponents, long numbers, a wrong count, bad
 * text): parse_fields then reads the row again and names what is wrong. */
static bool parse_fields_fast(const char *p, const char *e, int n_cols, double *v)
{
    /* *e is never a digit, '.' or ',' (next_line ends a line at its '\n' or
     * '\r', or at the buffer's '\0'): the digit loops need no bound check. */
    for (int col = 0; col < n_cols; col++) {
        const bool neg = *p == '-';
        p += neg;
        uint64_t mant = 0; /* wraps (harmlessly) only past 18 digits, refused below */
        const char *d0 = p;
        while ((unsigned)(*p - '0') < 10) {
            mant = mant * 10 + (uint64_t)(*p - '0');
            p++;
        }
        long n_digits = p - d0, n_frac = 0;
        if (*p == '.') {
            const char *f0 = ++p;
            while ((unsigned)(*p - '0') < 10) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                p++;
            }
            n_frac = p - f0;
            n_digits += n_frac;
        }
        if (n_digits == 0 || n_digits > 18 || mant > (UINT64_C(1) << 53)) {
            return false;
        }
        /* Signed: one conversion instruction (the mantissa is below 2^53). */
        const double m = (double)(int64_t)mant;
        const double x = n_frac > 0 ? m / pow10_tab[n_frac] : m;
        v[col] = neg ? -x : x;
        if (col + 1 < n_cols) {
            if (*p != ',') {
                return false;
            }
            p++;
        } else if (p != e) {
            return false;
        }
    }
    return true;
}

/* ---- rows ----------------------------------------------------------------------------- */

/* A field's error, named FILE:LINE:COLUMN (the column counted in bytes from 1, as
 * compilers and editors do) and by the header's name for it. */
static int row_error(bel_recording_reader *r, int col, const char *row, const char *text, size_t n,
                     const char *problem)
{
    char q[QUOTE_MAX * 4 + 8];
    char msg[BEL_IO_ERR_LEN];
    quote_text(q, sizeof q, text, n);
    snprintf(msg, sizeof msg, "%s:%ld:%ld: column '%s': '%s' %s", r->path, r->line,
             (long)(text - row) + 1, column_name(r, col), q, problem);
    return set_error(r, BEL_ERR_FORMAT, msg);
}

/* Parse the n_cols fields of the row [s, e) into v, naming the first field
 * that is wrong. Returns 1 or a negative status. */
static int parse_fields(bel_recording_reader *r, const char *s, const char *e, int n_cols,
                        double *v)
{
    char msg[BEL_IO_ERR_LEN];
    const char *p = s;
    for (int col = 0; col < n_cols; col++) {
        const char *fe = p;
        while (fe < e && *fe != ',') {
            fe++;
        }
        num_result nr = parse_number(p, fe, &v[col]);
        if (nr == NUM_EMPTY) {
            snprintf(msg, sizeof msg, "%s:%ld:%ld: column '%s': missing value", r->path, r->line,
                     (long)(p - s) + 1, column_name(r, col));
            return set_error(r, BEL_ERR_FORMAT, msg);
        }
        if (nr == NUM_BAD) {
            return row_error(r, col, s, p, (size_t)(fe - p), "is not a number");
        }
        if (nr == NUM_NONFINITE) {
            return row_error(r, col, s, p, (size_t)(fe - p), "is not a finite number");
        }
        if (col > 0 && !isfinite((float)v[col])) {
            return row_error(r, col, s, p, (size_t)(fe - p), "is out of range");
        }
        if (col + 1 < n_cols) {
            if (fe == e) {
                snprintf(msg, sizeof msg,
                         "%s:%ld:%ld: missing value for column '%s' (row has %d of %d columns)",
                         r->path, r->line, (long)(fe - s) + 1, column_name(r, col + 1), col + 1,
                         n_cols);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
            p = fe + 1;
        } else if (fe != e) {
            int n_found = n_cols + 1;
            for (const char *q = fe + 1; q < e; q++) {
                n_found += *q == ',';
            }
            snprintf(msg, sizeof msg, "%s:%ld:%ld: %d columns, but the header has %d", r->path,
                     r->line, (long)(fe - s) + 1, n_found, n_cols);
            return set_error(r, BEL_ERR_FORMAT, msg);
        }
    }

    return 1;
}

static const char ACTION_TAG[] = "# bellows action:";

/* What the person asked for, by the name a recording gives it. */
static const struct {
    const char *name;
    uint8_t bit;
} action_names[] = {
    {"relearn", BEL_ACTION_RELEARN},
    {"turn_round", BEL_ACTION_TURN_ROUND},
    {"keep_reading", BEL_ACTION_KEEP_READING},
};

/* A comment line [s, e) among the rows: an action of the person's adds its bit to
 * *actions (for the next row); any other comment is passed over. Returns 1, or a
 * negative status for an action line that names no action. */
static int parse_action(bel_recording_reader *r, const char *s, const char *e, uint8_t *actions)
{
    const size_t nt = sizeof ACTION_TAG - 1;
    if ((size_t)(e - s) < nt || memcmp(s, ACTION_TAG, nt) != 0) {
        return 1;
    }
    const char *p = s + nt;
    while (p < e && is_blank(*p)) {
        p++;
    }
    const char *pe = e;
    while (pe > p && is_blank(pe[-1])) {
        pe--;
    }
    for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++) {
        const size_t n = strlen(action_names[i].name);
        if ((size_t)(pe - p) == n && memcmp(p, action_names[i].name, n) == 0) {
            *actions |= action_names[i].bit;
            return 1;
        }
    }
    char q[QUOTE_MAX * 4 + 8];
    char msg[BEL_IO_ERR_LEN];
    quote_text(q, sizeof q, p, (size_t)(pe - p));
    snprintf(msg, sizeof msg, "%s:%ld:%ld: unknown action '%s' (expected relearn or turn_round)",
             r->path, r->line, (long)(p - s) + 1, q);
    return set_error(r, BEL_ERR_FORMAT, msg);
}

/* Parse the next data row. Returns 1, 0 at the end, or a negative status. */
static int parse_row(bel_recording_reader *r, bel_sample *out)
{
    char msg[BEL_IO_ERR_LEN];
    char *s;
    char *e;
    int rc;
    uint8_t actions = 0;
    for (;;) {
        rc = next_line(r, &s, &e);
        if (rc <= 0) {
            return rc;
        }
        if (s != e && *s == '#' && !r->blank_line) {
            rc = parse_action(r, s, e, &actions);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if (s != e) {
            break;
        }
        if (r->blank_line == 0) {
            r->blank_line = r->line;
        }
    }
    if (r->blank_line) {
        snprintf(msg, sizeof msg, "%s:%ld: empty line (only allowed at the end of the file)",
                 r->path, r->blank_line);
        r->line = r->blank_line;
        return set_error(r, BEL_ERR_FORMAT, msg);
    }

    const int n_cols = r->n_channels + 1;
    double v[BEL_MAX_CHANNELS + 1];
    if (!parse_fields_fast(s, e, n_cols, v)) {
        rc = parse_fields(r, s, e, n_cols, v);
        if (rc < 0) {
            return rc;
        }
    }

    if (r->n_rows > 0 && !(v[0] > r->t_prev)) {
        snprintf(msg, sizeof msg, "%s:%ld: time %s: t=%.9g after t=%.9g on line %ld", r->path,
                 r->line, v[0] == r->t_prev ? "repeats" : "goes backwards", v[0], r->t_prev,
                 r->t_prev_line);
        return set_error(r, BEL_ERR_FORMAT, msg);
    }
    r->t_prev = v[0];
    r->t_prev_line = r->line;
    r->n_rows++;

    out->t_s = v[0];
    out->n_missed = 0;
    out->n_channels = (uint8_t)r->n_channels;
    out->actions = actions;
    for (int ch = 0; ch < BEL_MAX_CHANNELS; ch++) {
        out->value[ch] = ch < r->n_channels ? (float)v[ch + 1] : 0.0f;
    }
    return 1;
}

/* ---- header --------------------------------------------------------------------------- */

bel_recording_settings bel_recording_settings_default(void)
{
    bel_recording_settings rs;
    memset(&rs, 0, sizeof rs);
    rs.calibration = bel_holdin_calibration_none();
    return rs;
}

void bel_recording_settings_reading(const bel_recording_settings *s, bool *belly_inverted,
                                    bool *chest_inverted)
{
    const bool cal = s->calibration.is_valid;
    *belly_inverted = cal ? s->calibration.belly_inverted : s->invert;
    *chest_inverted = cal ? s->calibration.chest_inverted : s->invert_chest;
}

static const char SETTINGS_TAG[] = "# bellows settings:";
static const char CALIBRATION_TAG[] = "# bellows calibration:";

/* The value of the word "key=VALUE" among the space-separated words of [s, e) as
 * [*vs, *ve); false when no word has that key. */
static bool find_value(const char *s, const char *e, const char *key, const char **vs,
                       const char **ve)
{
    const size_t k = strlen(key);
    for (const char *p = s; p + k + 1 <= e; p++) {
        if ((p == s || p[-1] == ' ') && memcmp(p, key, k) == 0 && p[k] == '=') {
            *vs = p + k + 1;
            *ve = *vs;
            while (*ve < e && **ve != ' ') {
                (*ve)++;
            }
            return true;
        }
    }
    return false;
}

/* The flag "key=0" or "key=1" among the words of [s, e) into *v; false if it is missing
 * or not 0 or 1. */
static bool read_flag(const char *s, const char *e, const char *key, bool *v)
{
    const char *vs;
    const char *ve;
    if (!find_value(s, e, key, &vs, &ve) || ve - vs != 1 || (*vs != '0' && *vs != '1')) {
        return false;
    }
    *v = *vs == '1';
    return true;
}

/* The number of the word "key=NUMBER" among the words of [s, e) into *v: true when the
 * key is there (*v NAN when its value is not a finite number). */
static bool read_number(const char *s, const char *e, const char *key, double *v)
{
    const char *vs;
    const char *ve;
    if (!find_value(s, e, key, &vs, &ve)) {
        return false;
    }
    if (parse_number(vs, ve, v) != NUM_OK) {
        *v = (double)NAN;
    }
    return true;
}

/* A comment line [s, e) before the header: the session's settings when it is one of ours.
 * Returns 1, or a negative status for a settings line that does not read. */
static int parse_comment(bel_recording_reader *r, const char *s, const char *e)
{
    char msg[BEL_IO_ERR_LEN];
    const size_t n = (size_t)(e - s);
    const size_t ns = sizeof SETTINGS_TAG - 1;
    const size_t nc = sizeof CALIBRATION_TAG - 1;
    bel_recording_settings *rs = &r->settings;
    if (n >= ns && memcmp(s, SETTINGS_TAG, ns) == 0) {
        if (!read_flag(s + ns, e, "invert", &rs->invert) ||
            !read_flag(s + ns, e, "invert_chest", &rs->invert_chest) ||
            !read_flag(s + ns, e, "polarity_known", &rs->is_polarity_known)) {
            snprintf(msg, sizeof msg,
                     "%s:%ld: the session's settings do not read (expected invert=0|1 "
                     "invert_chest=0|1 polarity_known=0|1)",
                     r->path, r->line);
            return set_error(r, BEL_ERR_FORMAT, msg);
        }
        double hold_s = 0.0;
        if (read_number(s + ns, e, "breath_hold_s", &hold_s) &&
            !(hold_s >= BEL_HOLDIN_BREATH_HOLD_MIN_S && hold_s <= BEL_HOLDIN_BREATH_HOLD_MAX_S)) {
            snprintf(msg, sizeof msg,
                     "%s:%ld: the session's settings do not read (breath_hold_s= expects "
                     "seconds from %g to %g)",
                     r->path, r->line, BEL_HOLDIN_BREATH_HOLD_MIN_S, BEL_HOLDIN_BREATH_HOLD_MAX_S);
            return set_error(r, BEL_ERR_FORMAT, msg);
        }
        rs->breath_hold_s = hold_s;
    } else if (n >= nc && memcmp(s, CALIBRATION_TAG, nc) == 0) {
        char name[64];
        char why[BEL_IO_ERR_LEN];
        snprintf(name, sizeof name, "line %ld", r->line);
        if (bel_calibration_parse(name, s + nc, n - nc, &rs->calibration, why, sizeof why) !=
            BEL_OK) {
            snprintf(msg, sizeof msg, "%.200s: the session's calibration: %.280s", r->path, why);
            return set_error(r, BEL_ERR_FORMAT, msg);
        }
    }
    return 1;
}

static int parse_header(bel_recording_reader *r)
{
    char msg[BEL_IO_ERR_LEN];
    char q[QUOTE_MAX * 4 + 8];
    char *s;
    char *e;
    int rc;
    r->settings = bel_recording_settings_default();
    for (;;) {
        rc = next_line(r, &s, &e);
        if (rc <= 0 || s == e || *s != '#') {
            break;
        }
        rc = parse_comment(r, s, e);
        if (rc < 0) {
            return rc;
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (rc == 0) {
        snprintf(msg, sizeof msg, "%s: empty file (expected a header line 't,<channel>...')",
                 r->path);
        return set_error(r, BEL_ERR_FORMAT, msg);
    }
    const char *line_start = s;
    /* A UTF-8 byte order mark is not part of the first name. */
    if (e - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
    }
    int col = 0;
    const char *p = s;
    for (;;) {
        const char *fe = p;
        while (fe < e && *fe != ',') {
            fe++;
        }
        const char *ns = p;
        const char *ne = fe;
        while (ns < ne && is_blank(*ns)) {
            ns++;
        }
        while (ne > ns && is_blank(ne[-1])) {
            ne--;
        }
        if (ne - ns >= 2 && *ns == '"' && ne[-1] == '"') {
            ns++;
            ne--;
        }
        size_t n = (size_t)(ne - ns);
        if (col == 0) {
            if (n != 1 || *ns != 't') {
                quote_text(q, sizeof q, ns, n);
                snprintf(msg, sizeof msg,
                         "%s:%ld: bad header: first column must be 't' (time in seconds), "
                         "found '%s'",
                         r->path, r->line, q);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
        } else {
            if (col > BEL_MAX_CHANNELS) {
                int n_ch = col;
                for (const char *c = fe; c < e; c++) {
                    n_ch += *c == ',';
                }
                snprintf(msg, sizeof msg, "%s:%ld: bad header: %d channels, at most %d supported",
                         r->path, r->line, n_ch, BEL_MAX_CHANNELS);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
            if (n == 0) {
                snprintf(msg, sizeof msg, "%s:%ld: bad header: column %d has no name", r->path,
                         r->line, col + 1);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
            if (n >= BEL_RECORDING_NAME_LEN) {
                quote_text(q, sizeof q, ns, n);
                snprintf(msg, sizeof msg,
                         "%s:%ld: bad header: name of column %d is longer than %d characters "
                         "('%s')",
                         r->path, r->line, col + 1, BEL_RECORDING_NAME_LEN - 1, q);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
            /* A NUL would cut the name short; control characters and bytes that are
             * not UTF-8 would reach the terminal wherever the name is shown. */
            size_t bad = bel_text_find_control(ns, n);
            if (bad < n) {
                snprintf(msg, sizeof msg,
                         "%s:%ld:%ld: bad header: name of column %d has the control or "
                         "non-UTF-8 byte \\x%02x",
                         r->path, r->line, (long)(ns + bad - line_start) + 1, col + 1,
                         (unsigned)(unsigned char)ns[bad]);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
            memcpy(r->names[col - 1], ns, n);
            r->names[col - 1][n] = '\0';
            for (int k = 0; k < col - 1; k++) {
                if (strcmp(r->names[k], r->names[col - 1]) == 0) {
                    snprintf(msg, sizeof msg,
                             "%s:%ld: bad header: channel '%s' appears twice (columns %d and %d)",
                             r->path, r->line, r->names[k], k + 2, col + 1);
                    return set_error(r, BEL_ERR_FORMAT, msg);
                }
            }
            if (strcmp(r->names[col - 1], "t") == 0) {
                snprintf(msg, sizeof msg, "%s:%ld: bad header: column %d is named 't' again",
                         r->path, r->line, col + 1);
                return set_error(r, BEL_ERR_FORMAT, msg);
            }
        }
        col++;
        if (fe == e) {
            break;
        }
        p = fe + 1;
    }
    if (col < 2) {
        snprintf(msg, sizeof msg, "%s:%ld: bad header: no channel columns after 't'", r->path,
                 r->line);
        return set_error(r, BEL_ERR_FORMAT, msg);
    }
    r->n_channels = col - 1;
    return 1;
}

/* ---- reader API ----------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

static void estimate_rate(bel_recording_reader *r)
{
    double dt[BEL_RECORDING_RATE_ROWS];
    int n = 0;
    for (int i = 1; i < r->n_ahead && n < BEL_RECORDING_RATE_ROWS; i++) {
        dt[n++] = r->ahead[i].t_s - r->ahead[i - 1].t_s;
    }
    if (n == 0) {
        r->fs_hz = NAN;
        return;
    }
    qsort(dt, (size_t)n, sizeof dt[0], cmp_double);
    double med = n % 2 ? dt[n / 2] : 0.5 * (dt[n / 2 - 1] + dt[n / 2]);
    if (!(med > 0.0)) {
        r->fs_hz = NAN;
        return;
    }
    double fs = 1.0 / med;
    /* Without gaps the whole span is the finer estimate: times rounded to a
     * few decimals make single steps uneven (30 Hz written as 0.033333, 0.066667). */
    double span = r->ahead[n].t_s - r->ahead[0].t_s;
    double fs_span = span > 0.0 ? n / span : 0.0;
    if (fabs(fs_span - fs) < 0.01 * fs) {
        fs = fs_span;
    }
    /* Six significant digits: 50.00000000000001 is 50. */
    double scale = pow(10.0, 5.0 - floor(log10(fs)));
    r->fs_hz = round(fs * scale) / scale;
}

static void copy_err(char *err, size_t err_len, const char *msg)
{
    if (err && err_len) {
        snprintf(err, err_len, "%s", msg);
    }
}

bel_status bel_recording_reader_create(const char *path, bel_recording_reader **out, char *err,
                                       size_t err_len)
{
    bel_recording_reader *r = NULL;
    bel_status st = BEL_ERR_NOMEM;
    struct stat sb;
    if (out) {
        *out = NULL;
    }
    copy_err(err, err_len, "");
    if (!path || !out) {
        copy_err(err, err_len, "no file name given");
        return BEL_ERR_ARG;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        copy_err(err, err_len, "out of memory");
        return BEL_ERR_NOMEM;
    }
    r->path = malloc(strlen(path) + 1);
    r->buf = malloc(READ_BUF_BYTES + 1);
    if (!r->path || !r->buf) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", path);
        goto fail;
    }
    strcpy(r->path, path);
    r->buf[0] = '\0';
    r->fs_hz = NAN;
    r->fp = fopen(path, "rb");
    if (!r->fp) {
        snprintf(r->err, sizeof r->err, "%s: cannot open: %s", path, strerror(errno));
        st = BEL_ERR_IO;
        goto fail;
    }
    if (fstat(fileno(r->fp), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            snprintf(r->err, sizeof r->err, "%s: cannot read: %s", path, strerror(EISDIR));
            st = BEL_ERR_IO;
            goto fail;
        }
        if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
            r->file_size = (uint64_t)sb.st_size;
        }
    }
    int rc = parse_header(r);
    if (rc < 0) {
        st = (bel_status)rc;
        goto fail;
    }

    /* Look ahead to estimate the rate; an error there waits its turn unless
     * there is too little before it to be of any use. */
    while (r->n_ahead < BEL_RECORDING_RATE_ROWS + 1) {
        rc = parse_row(r, &r->ahead[r->n_ahead]);
        if (rc <= 0) {
            r->pending = rc;
            break;
        }
        r->n_ahead++;
    }
    if (r->pending < 0 && r->n_ahead < 2) {
        st = (bel_status)r->pending;
        goto fail;
    }
    if (r->pending == 0 && r->n_ahead == 0) {
        snprintf(r->err, sizeof r->err, "%s:%ld: no samples after the header", path,
                 r->line > 1 ? r->line : 2);
        st = BEL_ERR_FORMAT;
        goto fail;
    }
    estimate_rate(r);
    *out = r;
    return BEL_OK;

fail:
    copy_err(err, err_len, r->err);
    bel_recording_reader_destroy(r);
    return st;
}

void bel_recording_reader_destroy(bel_recording_reader *r)
{
    if (!r) {
        return;
    }
    if (r->fp) {
        fclose(r->fp);
    }
    free(r->buf);
    free(r->path);
    free(r);
}

int bel_recording_reader_read(bel_recording_reader *r, bel_sample *out)
{
    int rc;
    if (!r || !out) {
        return BEL_ERR_ARG;
    }
    if (r->i_ahead < r->n_ahead) {
        *out = r->ahead[r->i_ahead++];
        rc = 1;
    } else if (r->status < 0) {
        return r->status; /* sticky, including an error met during the look-ahead */
    } else {
        rc = parse_row(r, out);
        if (rc <= 0) {
            return rc;
        }
    }
    if (r->n_served > 0 && isfinite(r->fs_hz)) {
        double steps = (out->t_s - r->t_served) * r->fs_hz;
        if (steps > 1.5) {
            double missed = floor(steps + 0.5) - 1.0;
            out->n_missed = missed > 4e9 ? UINT32_MAX : (uint32_t)missed;
        }
    }
    r->t_served = out->t_s;
    r->n_served++;
    return rc;
}

const char *bel_recording_reader_get_error(const bel_recording_reader *r)
{
    return r ? r->err : "";
}

double bel_recording_reader_get_fs_hz(const bel_recording_reader *r)
{
    return r ? r->fs_hz : (double)NAN;
}

int bel_recording_reader_get_channel_count(const bel_recording_reader *r)
{
    return r ? r->n_channels : 0;
}

const char *bel_recording_reader_get_channel_name(const bel_recording_reader *r, int ch)
{
    if (!r || ch < 0 || ch >= r->n_channels) {
        return "";
    }
    return r->names[ch];
}

int bel_recording_reader_find_channel(const bel_recording_reader *r, const char *name)
{
    if (!r || !name) {
        return -1;
    }
    for (int ch = 0; ch < r->n_channels; ch++) {
        if (strcmp(r->names[ch], name) == 0) {
            return ch;
        }
    }
    return -1;
}

const bel_recording_settings *bel_recording_reader_get_settings(const bel_recording_reader *r)
{
    static const bel_recording_settings none = {false, false, false, {0}, 0.0};
    return r ? &r->settings : &none;
}

const char *bel_recording_reader_get_path(const bel_recording_reader *r)
{
    return r ? r->path : "";
}

void bel_recording_reader_get_progress(const bel_recording_reader *r, uint64_t *bytes_done,
                                       uint64_t *bytes_total)
{
    if (bytes_done) {
        *bytes_done = r ? r->bytes_before_buf + r->pos : 0;
    }
    if (bytes_total) {
        *bytes_total = r ? r->file_size : 0;
    }
}

/* ---- writer --------------------------------------------------------------------------- */

struct bel_recording_writer {
    bel_outfile *f;
    int n_channels;
    bool has_rows;
    double t_prev;            /* the time of the last row as it reads back */
    char err[BEL_IO_ERR_LEN]; /* a row refused (the file's own errors are f's) */
};

/* "%.6f" of t_s with trailing zeros dropped, for 0 <= t_s < 4e6, without printf
 * (events and recordings write two times a line): the microseconds are t_s * 1e6
 * rounded, and that product is within half its ulp (2^-11 below 4e12) of the exact
 * one, so its rounding is printf's unless its fraction is close to a half. Then, 0:
 * printf decides. */
static int format_time_fast(char *buf, double t_s)
{
    const double p = t_s * 1e6;
    const double whole = floor(p);
    const double frac = p - whole;
    if (fabs(frac - 0.5) < 0.01) {
        return 0;
    }
    const uint64_t us = (uint64_t)whole + (frac > 0.5 ? 1u : 0u);
    uint64_t s = us / 1000000u;
    uint32_t f = (uint32_t)(us % 1000000u);
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + s % 10u);
        s /= 10u;
    } while (s > 0);
    int n = 0;
    while (k > 0) {
        buf[n++] = tmp[--k];
    }
    if (f != 0) {
        int digits = 6;
        while (f % 10u == 0) {
            f /= 10u;
            digits--;
        }
        buf[n++] = '.';
        for (int i = digits - 1; i >= 0; i--) {
            buf[n + i] = (char)('0' + f % 10u);
            f /= 10u;
        }
        n += digits;
    }
    buf[n] = '\0';
    return n;
}

int bel_recording_format_time(char *buf, size_t len, double t_s)
{
    if (isfinite(t_s) && fabs(t_s) >= 1e15) {
        /* Microseconds mean nothing this far out (doubles are 0.125 s apart at 1e15), and
         * "%.6f" of 1e300 takes 308 characters: the shortest exponent form that reads back
         * as the same double. */
        int n = 0;
        for (int digits = 15; digits <= 17; digits++) {
            n = snprintf(buf, len, "%.*g", digits, t_s);
            if (n <= 0 || (size_t)n >= len || strtod(buf, NULL) == t_s) {
                break;
            }
        }
        return n;
    }
    if (t_s >= 0.0 && t_s < 4e6 && len >= 32) {
        const int n = format_time_fast(buf, t_s);
        if (n > 0) {
            return n;
        }
    }
    int n = snprintf(buf, len, "%.6f", t_s);
    if (n <= 0 || (size_t)n >= len) {
        return n;
    }
    if (strchr(buf, '.')) {
        while (n > 0 && buf[n - 1] == '0') {
            n--;
        }
        if (n > 0 && buf[n - 1] == '.') {
            n--;
        }
        buf[n] = '\0';
    }
    if (strcmp(buf, "-0") == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        n = 1;
    }
    return n;
}

static int format_value(char *buf, size_t len, float v)
{
    if (fabsf(v) < 1e9f && (float)(int32_t)v == v) {
        return snprintf(buf, len, "%ld", (long)(int32_t)v);
    }
    return snprintf(buf, len, "%.9g", (double)v);
}

/* The settings as comment lines, when they are not the defaults; cal_line: the calibration's
 * line (calibration_line), "" for none. */
static bel_status write_settings(bel_outfile *f, const bel_recording_settings *rs,
                                 const char *cal_line)
{
    if (!rs || (!rs->invert && !rs->invert_chest && !rs->is_polarity_known &&
                !rs->calibration.is_valid && !(rs->breath_hold_s > 0.0))) {
        return BEL_OK;
    }
    char hold[48] = "";
    if (rs->breath_hold_s > 0.0) {
        snprintf(hold, sizeof hold, " breath_hold_s=%.9g", rs->breath_hold_s);
    }
    bel_status st =
        bel_outfile_printf(f, "%s invert=%d invert_chest=%d polarity_known=%d%s\n", SETTINGS_TAG,
                           rs->invert, rs->invert_chest, rs->is_polarity_known, hold);
    if (st == BEL_OK && cal_line[0] != '\0') {
        st = bel_outfile_printf(f, "%s %s\n", CALIBRATION_TAG, cal_line);
    }
    return st;
}

/* The settings' calibration as its comment line in line ("" for none), if it reads back (the
 * reader's rules, bel_calibration_parse); else err says why. */
static bel_status calibration_line(const bel_recording_settings *rs, char *line, size_t len,
                                   char *err, size_t err_len)
{
    line[0] = '\0';
    if (!rs || !rs->calibration.is_valid) {
        return BEL_OK;
    }
    const size_t n = bel_calibration_format_line(&rs->calibration, line, len);
    if (n == 0 || n >= len) {
        line[0] = '\0';
        copy_err(err, err_len, "out of memory");
        return BEL_ERR_NOMEM;
    }
    bel_holdin_calibration back;
    char why[BEL_IO_ERR_LEN];
    if (bel_calibration_parse("the calibration", line, n, &back, why, sizeof why) != BEL_OK) {
        line[0] = '\0';
        char msg[BEL_IO_ERR_LEN + 64];
        snprintf(msg, sizeof msg, "a recording cannot carry this calibration: %s", why);
        copy_err(err, err_len, msg);
        return BEL_ERR_ARG;
    }
    return BEL_OK;
}

bel_status bel_recording_writer_create(const char *path, int n_channels, const char *const *names,
                                       const bel_recording_settings *settings,
                                       bel_recording_writer **out, char *err, size_t err_len)
{
    bel_recording_writer *w = NULL;
    bel_status st;
    if (out) {
        *out = NULL;
    }
    copy_err(err, err_len, "");
    if (!path || !out || !names || n_channels < 1 || n_channels > BEL_MAX_CHANNELS) {
        copy_err(err, err_len, "bad arguments to the recording writer");
        return BEL_ERR_ARG;
    }
    /* Only names that read back as they are (the reader's header rules). */
    for (int ch = 0; ch < n_channels; ch++) {
        const char *nm = names[ch];
        const size_t len = nm ? strlen(nm) : 0;
        bool is_bad = len == 0 || len >= BEL_RECORDING_NAME_LEN || strpbrk(nm, ",\"") ||
                      bel_text_find_control(nm, len) < len || is_blank(nm[0]) ||
                      is_blank(nm[len - 1]) || strcmp(nm, "t") == 0;
        for (int k = 0; k < ch && !is_bad; k++) {
            is_bad = strcmp(names[k], nm) == 0;
        }
        if (is_bad) {
            copy_err(err, err_len, "bad channel name for a recording");
            return BEL_ERR_ARG;
        }
    }
    char cal_line[1024];
    if (settings && settings->breath_hold_s != 0.0 &&
        !(settings->breath_hold_s >= BEL_HOLDIN_BREATH_HOLD_MIN_S &&
          settings->breath_hold_s <= BEL_HOLDIN_BREATH_HOLD_MAX_S)) {
        copy_err(err, err_len, "a recording cannot carry this breath hold time (4..40 s)");
        return BEL_ERR_ARG;
    }
    st = calibration_line(settings, cal_line, sizeof cal_line, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    w = calloc(1, sizeof *w);
    if (!w) {
        copy_err(err, err_len, "out of memory");
        return BEL_ERR_NOMEM;
    }
    w->n_channels = n_channels;
    st = bel_outfile_create(path, &w->f, err, err_len);
    if (st != BEL_OK) {
        goto fail;
    }
    st = write_settings(w->f, settings, cal_line);
    if (st == BEL_OK) {
        st = bel_outfile_write(w->f, "t", 1);
    }
    for (int ch = 0; ch < n_channels && st == BEL_OK; ch++) {
        st = bel_outfile_printf(w->f, ",%s", names[ch]);
    }
    if (st == BEL_OK) {
        st = bel_outfile_write(w->f, "\n", 1);
    }
    if (st != BEL_OK) {
        copy_err(err, err_len, bel_outfile_get_error(w->f));
        goto fail;
    }
    *out = w;
    return BEL_OK;

fail:
    bel_recording_writer_destroy(w);
    return st;
}

bel_status bel_recording_writer_write(bel_recording_writer *w, const bel_sample *s)
{
    char line[160 + BEL_MAX_CHANNELS * 32];
    size_t n = 0;
    if (!w || !s) {
        return BEL_ERR_ARG;
    }
    /* The person's actions go before the row they act on, in the same write: a disk
     * that fills keeps both or neither. */
    for (size_t i = 0; s->actions && i < sizeof action_names / sizeof action_names[0]; i++) {
        if (s->actions & action_names[i].bit) {
            n += (size_t)snprintf(line + n, sizeof line - n, "%s %s\n", ACTION_TAG,
                                  action_names[i].name);
        }
    }
    int k = bel_recording_format_time(line + n, 48, s->t_s);
    if (k <= 0 || k >= 48) {
        return BEL_ERR_ARG;
    }
    /* Only what reads back (recording.h): a finite time after the last row's as written
     * (to the microsecond), finite values. */
    const double t_read = strtod(line + n, NULL);
    if (!isfinite(s->t_s) || (w->has_rows && !(t_read > w->t_prev))) {
        snprintf(w->err, sizeof w->err,
                 "%.400s: a row at t=%.9g not written: its time does not come after t=%.9g",
                 bel_outfile_get_path(w->f), s->t_s, w->t_prev);
        return BEL_ERR_ARG;
    }
    n += (size_t)k;
    for (int ch = 0; ch < w->n_channels; ch++) {
        const float v = ch < s->n_channels ? s->value[ch] : 0.0f;
        if (!isfinite(v)) {
            snprintf(w->err, sizeof w->err,
                     "%.400s: the row at t=%.9g not written: channel %d is not a number",
                     bel_outfile_get_path(w->f), s->t_s, ch + 1);
            return BEL_ERR_ARG;
        }
        line[n++] = ',';
        k = format_value(line + n, 30, v);
        if (k <= 0 || k >= 30) {
            return BEL_ERR_ARG;
        }
        n += (size_t)k;
    }
    line[n++] = '\n';
    const bel_status st = bel_outfile_write(w->f, line, n);
    if (st == BEL_OK) {
        w->has_rows = true;
        w->t_prev = t_read;
    }
    return st;
}

bel_status bel_recording_writer_flush(bel_recording_writer *w)
{
    return w ? bel_outfile_flush(w->f) : BEL_ERR_ARG;
}

bel_status bel_recording_writer_close(bel_recording_writer *w)
{
    return w ? bel_outfile_close_lines(w->f) : BEL_ERR_ARG;
}

void bel_recording_writer_destroy(bel_recording_writer *w)
{
    if (!w) {
        return;
    }
    bel_outfile_destroy(w->f);
    free(w);
}

const char *bel_recording_writer_get_error(const bel_recording_writer *w)
{
    if (!w) {
        return "";
    }
    const char *e = bel_outfile_get_error(w->f);
    return e[0] != '\0' ? e : w->err;
}
