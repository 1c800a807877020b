/* summary_json.c - hand-written JSON for analysis summaries.
 * SPDX-License-Identifier: MIT */
#include "summary_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"

size_t bel_summary_json_escape(char *buf, size_t len, const char *s)
{
    size_t n = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (n + 1 < len) {                                                                         \
            buf[n] = (c);                                                                          \
        }                                                                                          \
        n++;                                                                                       \
    } while (0)
    PUT('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        unsigned char c = *p;
        char esc = 0;
        switch (c) {
        case '"':
            esc = '"';
            break;
        case '\\':
            esc = '\\';
            break;
        case '\n':
            esc = 'n';
            break;
        case '\r':
            esc = 'r';
            break;
        case '\t':
            esc = 't';
            break;
        case '\b':
            esc = 'b';
            break;
        case '\f':
            esc = 'f';
            break;
        default:
            break;
        }
        if (esc) {
            PUT('\\');
            PUT(esc);
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            PUT('\\');
            PUT('u');
            PUT('0');
            PUT('0');
            PUT(hex[c >> 4]);
            PUT(hex[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
#undef PUT
    if (len) {
        buf[n < len ? n : len - 1] = '\0';
    }
    return n;
}

/* Write a string literal (any length). */
static bel_status put_string(bel_outfile *f, const char *s)
{
    char small[256];
    size_t need = bel_summary_json_escape(small, sizeof small, s);
    if (need < sizeof small) {
        return bel_outfile_write(f, small, need);
    }
    char *big = malloc(need + 1);
    if (!big) {
        return BEL_ERR_NOMEM;
    }
    bel_summary_json_escape(big, need + 1, s);
    bel_status st = bel_outfile_write(f, big, need);
    free(big);
    return st;
}

static bel_status put_number(bel_outfile *f, const char *key, double v, const char *tail)
{
    if (!isfinite(v)) {
        return bel_outfile_printf(f, "  \"%s\": null%s\n", key, tail);
    }
    return bel_outfile_printf(f, "  \"%s\": %.10g%s\n", key, v, tail);
}

static bel_status put_count(bel_outfile *f, const char *key, uint64_t v)
{
    return bel_outfile_printf(f, "  \"%s\": %llu,\n", key, (unsigned long long)v);
}

static bel_status put_key_string(bel_outfile *f, const char *key, const char *v)
{
    bel_status st = bel_outfile_printf(f, "  \"%s\": ", key);
    if (st == BEL_OK) {
        st = v ? put_string(f, v) : bel_outfile_write(f, "null", 4);
    }
    if (st == BEL_OK) {
        st = bel_outfile_write(f, ",\n", 2);
    }
    return st;
}

static bel_status write_body(bel_outfile *f, const bel_summary_json_info *in)
{
    const bel_summary *s = in->summary;
    bel_status st = bel_outfile_printf(f, "{\n  \"ok\": %s,\n", in->n_errors ? "false" : "true");
    if (st == BEL_OK) {
        st = put_key_string(f, "input", in->input_path);
    }
    if (st == BEL_OK) {
        st = put_key_string(f, "channel", in->channel);
    }
    if (st == BEL_OK) {
        st = put_key_string(f, "chest_channel", in->chest_channel);
    }
    if (st == BEL_OK) {
        st = bel_outfile_printf(f, "  \"inverted\": %s,\n", in->inverted ? "true" : "false");
    }
    if (st == BEL_OK) {
        st = put_number(f, "fs_hz", in->fs_hz, ",");
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_samples", in->n_samples);
    }
    if (st == BEL_OK) {
        st = put_number(f, "duration_s", s->duration_s, ",");
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_breaths", s->n_breaths);
    }
    const struct {
        const char *key;
        float v;
    } vals[] = {
        {"rate_bpm", s->rate_bpm},
        {"rate_spectral_bpm", s->rate_spectral_bpm},
        {"ti_s", s->ti_s},
        {"te_s", s->te_s},
        {"ie_ratio", s->ie_ratio},
        {"depth", s->depth},
        {"variability", s->variability},
        {"belly_share", s->belly_share},
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0] && st == BEL_OK; i++) {
        st = put_number(f, vals[i].key, (double)vals[i].v, ",");
    }
    if (st == BEL_OK) {
        st = bel_outfile_write(f, "  \"events\": {", 13);
    }
    for (int k = 0; k < BEL_EV_COUNT && st == BEL_OK; k++) {
        st = bel_outfile_printf(f, "%s\n    \"%s\": %lu", k ? "," : "",
                                bel_event_kind_name((bel_event_kind)k),
                                (unsigned long)s->n_events[k]);
    }
    if (st == BEL_OK) {
        st = bel_outfile_write(f, "\n  },\n", 6);
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_spikes", s->n_spikes);
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_clipped", s->n_clipped);
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_missed", s->n_missed);
    }
    if (st == BEL_OK) {
        st = bel_outfile_printf(f, "  \"belly_inverted\": %s,\n  \"chest_inverted\": %s,\n",
                                s->is_belly_inverted ? "true" : "false",
                                s->is_chest_inverted ? "true" : "false");
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_polarity_flips", s->n_polarity_flips);
    }
    if (st == BEL_OK) {
        st = put_number(f, "polarity_score", (double)s->polarity_score, ",");
    }
    if (st == BEL_OK) {
        st = put_number(f, "polarity_mean", (double)s->polarity_mean, ",");
    }
    if (st == BEL_OK) {
        st = put_number(f, "polarity_share", (double)s->polarity_share, ",");
    }
    if (st == BEL_OK) {
        st = bel_outfile_printf(
            f, "  \"looks_turned_round\": %s,\n",
            bel_summary_looks_turned_round(s, in->chest_channel != NULL) ? "true" : "false");
    }
    if (st == BEL_OK) {
        st = put_count(f, "n_restarts", s->n_restarts);
    }
    if (st == BEL_OK) {
        st = bel_outfile_write(f, "  \"errors\": [", 13);
    }
    for (int i = 0; i < in->n_errors && st == BEL_OK; i++) {
        st = bel_outfile_write(f, i ? ",\n    " : "\n    ", i ? 6 : 5);
        if (st == BEL_OK) {
            st = put_string(f, in->errors[i]);
        }
    }
    if (st == BEL_OK) {
        st = in->n_errors ? bel_outfile_write(f, "\n  ]\n}\n", 7)
                          : bel_outfile_write(f, "]\n}\n", 4);
    }
    return st;
}

bel_status bel_summary_json_write(const char *path, const bel_summary_json_info *info, char *err,
                                  size_t err_len)
{
    bel_outfile *f = NULL;
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!path || !info || !info->summary || info->n_errors < 0 ||
        (info->n_errors > 0 && !info->errors)) {
        return BEL_ERR_ARG;
    }
    bel_status st = bel_outfile_create_whole(path, &f, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    st = write_body(f, info);
    bel_status st_close = bel_outfile_close(f);
    if (st == BEL_OK) {
        st = st_close;
    }
    if (st != BEL_OK && err && err_len) {
        if (st == BEL_ERR_NOMEM) {
            snprintf(err, err_len, "%s: out of memory", path);
        } else {
            snprintf(err, err_len, "%s", bel_outfile_get_error(f));
        }
    }
    bel_outfile_destroy(f);
    return st;
}
