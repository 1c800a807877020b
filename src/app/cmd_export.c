/* cmd_export.c - `bellows export`: a stored session as EDF+ (belts as signals, events as
 * annotations). SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_store.h"
#include "edf.h"
#include "report.h"

static const cli_help export_help = {
    "export", "SESSION --edf FILE.edf",
    "Writes session SESSION (an id from 'bellows sessions') as EDF+ for other tools\n"
    "(EDFbrowser, MNE, Polyman): each belt is a respiration signal ('Resp belly', 'Resp\n"
    "chest') in its raw units (counts), kept to 1/65535 of its range; each breath event\n"
    "(insp_onset, exp_onset) and mark (marker 1, 2, ..., discomfort) is an annotation at\n"
    "its time, and each episode (holdin,\n"
    "breath_hold, signal_lost) one annotation with its duration. No name is written\n"
    "into the file. (MNE: read_raw_edf(..., infer_types=True).)\n",
    NULL};

typedef struct found {
    int64_t client_id;
    double start_unix_s;
    char *recording;
    char *events;
    bool failed;
} found;

static bool take(void *ctx, const bel_store_session *s)
{
    found *f = ctx;
    f->client_id = s->client_id;
    f->start_unix_s = s->start_unix_s;
    f->recording = s->recording_path ? strdup(s->recording_path) : NULL;
    f->events = s->events_path ? strdup(s->events_path) : NULL;
    f->failed = (s->recording_path && !f->recording) || (s->events_path && !f->events);
    return false;
}

/* The events as annotations, onsets from the start of the first sample as EDF counts
 * them: a breath's turning point is an instant, the therapist's markers are "marker 1",
 * "marker 2", ... (texts in marker_text, one slot per event) and discomfort marks
 * "discomfort"; an episode (held in, breath held, signal lost) is one annotation with
 * its duration, to its end event or, still open, to the last sample. ann holds
 * d->n_events; returns how many were written. */
static size_t episodes_to_annotations(const bel_report_data *d, bel_edf_annotation *ann,
                                      char (*marker_text)[16])
{
    unsigned n_markers = 0;
    static const struct {
        bel_event_kind start, end;
        const char *name;
    } episodes[] = {
        {BEL_EV_HOLDIN_START, BEL_EV_HOLDIN_END, "holdin"},
        {BEL_EV_BREATH_HOLD_START, BEL_EV_BREATH_HOLD_END, "breath_hold"},
        {BEL_EV_SIGNAL_LOST, BEL_EV_SIGNAL_RESTORED, "signal_lost"},
    };
    enum { N_EPISODES = sizeof episodes / sizeof episodes[0] };
    size_t open_at[N_EPISODES];
    bool is_open[N_EPISODES] = {false};
    size_t n = 0;
    for (size_t i = 0; i < d->n_events; i++) {
        const double t = d->ev_t_s[i] - d->t_first_s;
        int k = 0;
        while (k < N_EPISODES && d->ev_kind[i] != episodes[k].start &&
               d->ev_kind[i] != episodes[k].end) {
            k++;
        }
        if (k < N_EPISODES && d->ev_kind[i] == episodes[k].end && is_open[k]) {
            ann[open_at[k]].duration_s = fmax(t - ann[open_at[k]].onset_s, 1e-6);
            is_open[k] = false;
            continue;
        }
        if (k < N_EPISODES && d->ev_kind[i] == episodes[k].start && is_open[k]) {
            continue; /* already in it */
        }
        ann[n].onset_s = t;
        ann[n].duration_s = 0.0;
        ann[n].text = bel_event_kind_name(d->ev_kind[i]);
        if (d->ev_kind[i] == BEL_EV_MARKER) {
            snprintf(marker_text[n], sizeof marker_text[n], "marker %u", ++n_markers);
            ann[n].text = marker_text[n];
        }
        if (k < N_EPISODES && d->ev_kind[i] == episodes[k].start) {
            ann[n].text = episodes[k].name;
            open_at[k] = n;
            is_open[k] = true;
        }
        n++;
    }
    const double t_end = d->t_last_s - d->t_first_s;
    for (int k = 0; k < N_EPISODES; k++) {
        if (is_open[k]) {
            ann[open_at[k]].duration_s = fmax(t_end - ann[open_at[k]].onset_s, 1e-6);
        }
    }
    return n;
}

/* The recording read a second time, row by row, as the EDF writer asks for it. */
/* The rows, each belt expansion up (bel_report_data's sign). */
typedef struct row_reader {
    bel_recording_reader *r;
    const bel_report_data *d;
} row_reader;

static int read_row(void *ctx, float *values)
{
    const row_reader *rr = ctx;
    bel_sample s;
    const int got = bel_recording_reader_read(rr->r, &s);
    for (int ch = 0; got > 0 && ch < bel_recording_reader_get_channel_count(rr->r); ch++) {
        values[ch] = (float)(rr->d->sign[ch] * (double)s.value[ch]);
    }
    return got;
}

bel_status export_edf(const char *rec_path, const char *events_path, const char *edf_path,
                      const export_edf_info *x, export_edf_result *res, char *err, size_t err_len)
{
    memset(res, 0, sizeof *res);
    err[0] = '\0';
    bel_report_data *d = NULL;
    bel_edf_annotation *ann = NULL;
    bel_recording_reader *rows = NULL; /* the samples, streamed into the EDF+ */
    char(*marker_text)[16] = NULL;
    bel_status st = bel_report_data_create(rec_path, events_path, &d, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    snprintf(res->warning, sizeof res->warning, "%s", d->warning);
    const double fs = round(d->fs_hz);
    if (!(fs >= 1.0 && fs <= 10000.0 && fabs(d->fs_hz - fs) <= 0.001 * fs)) {
        snprintf(err, err_len,
                 "%s: sample rate %.6g Hz is not a whole number of Hz, which EDF needs", rec_path,
                 d->fs_hz);
        st = BEL_ERR_FORMAT;
        goto done;
    }
    if (d->n_samples == 0) {
        snprintf(err, err_len, "%s: no samples to export", rec_path);
        st = BEL_ERR_FORMAT;
        goto done;
    }
    bel_edf_signal sig[BEL_MAX_CHANNELS];
    char labels[BEL_MAX_CHANNELS][BEL_RECORDING_NAME_LEN + 8];
    for (int ch = 0; ch < d->n_channels; ch++) {
        snprintf(labels[ch], sizeof labels[ch], "Resp %s", d->names[ch]); /* EDF+ signal type */
        sig[ch].label = labels[ch];
        sig[ch].dimension = "counts"; /* the belt's raw units */
        sig[ch].samples = NULL;       /* streamed: read_row */
        /* Each belt expansion up, as the session read it at its end (read_row). */
        sig[ch].min = d->sign[ch] < 0.0 ? -(double)d->max[ch] : (double)d->min[ch];
        sig[ch].max = d->sign[ch] < 0.0 ? -(double)d->min[ch] : (double)d->max[ch];
    }
    ann = calloc(d->n_events + 1, sizeof *ann);
    marker_text = calloc(d->n_events + 1, sizeof *marker_text);
    if (!ann || !marker_text) {
        snprintf(err, err_len, "out of memory");
        st = BEL_ERR_NOMEM;
        goto done;
    }
    const size_t n_ann = episodes_to_annotations(d, ann, marker_text);
    st = bel_recording_reader_create(rec_path, &rows, err, err_len);
    if (st != BEL_OK) {
        goto done;
    }
    row_reader rr = {rows, d};
    bel_edf_info info = {x->start_unix_s,
                         x->patient_code,
                         x->recording_code,
                         (int)fs,
                         d->n_channels,
                         sig,
                         d->n_samples,
                         n_ann,
                         ann,
                         read_row,
                         &rr};
    st = bel_edf_write(edf_path, &info, err, err_len);
    if (st == BEL_OK) {
        res->n_signals = d->n_channels;
        res->n_samples = d->n_samples;
        res->fs_hz = fs;
        res->n_annotations = n_ann;
    }
done:
    free(ann);
    free(marker_text);
    bel_recording_reader_destroy(rows);
    bel_report_data_destroy(d);
    return st;
}

int cmd_export(int argc, char **argv)
{
    const char *cmd = "export";
    const char *edf_path = NULL;
    const cli_opt opts[] = {{"--edf", CLI_STRING, &edf_path, 0, 0, "a file name for the EDF+",
                             "FILE.edf", "where to write it"}};
    const char *pos[1];
    int n_pos = 0;
    int rc = CLI_EXIT_OK;
    if (!cli_parse_command(&export_help, argc, argv, opts, 1, pos, 1, &n_pos, &rc)) {
        return rc;
    }
    if (n_pos != 1) {
        return cli_usage_error(cmd, "needs a session id");
    }
    char *end = NULL;
    errno = 0;
    long long id = strtoll(pos[0], &end, 10);
    if (end == pos[0] || *end != '\0' || errno == ERANGE || id <= 0) {
        return cli_usage_error(cmd, "'%s' is not a session id (a number from 'bellows sessions')",
                               pos[0]);
    }
    if (!edf_path) {
        return cli_usage_error(cmd, "needs --edf FILE.edf");
    }
    bel_store *st = store_open_to_read(cmd);
    if (!st) {
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_FAIL;
    found f = {0, 0.0, NULL, NULL, false};
    char err[BEL_IO_ERR_LEN];
    int n = bel_store_get_session(st, (int64_t)id, take, &f);
    if (n < 0 || f.failed) {
        cli_fail(cmd, "%s", n < 0 ? bel_store_get_error(st) : "out of memory");
        goto done;
    }
    if (n == 0) {
        cli_fail(cmd, "no session %lld (see 'bellows sessions')", id);
        goto done;
    }
    if (!f.recording) {
        cli_fail(cmd, "session %lld has no recording stored", id);
        goto done;
    }
    char code[64];
    char recording[64];
    snprintf(code, sizeof code, "bellows-client-%lld", (long long)f.client_id);
    snprintf(recording, sizeof recording, "bellows-session-%lld", id);
    const export_edf_info x = {f.start_unix_s, code, recording};
    export_edf_result res;
    if (export_edf(f.recording, f.events, edf_path, &x, &res, err, sizeof err) != BEL_OK) {
        if (res.warning[0]) {
            (void)cli_fail(cmd, "%s", res.warning);
        }
        cli_fail(cmd, "session %lld: %s", id, err);
        goto done;
    }
    if (res.warning[0]) {
        (void)cli_fail(cmd, "%s", res.warning);
    }
    printf("wrote %s: %d signal%s, %zu samples each at %.0f Hz, %zu annotations\n", edf_path,
           res.n_signals, res.n_signals == 1 ? "" : "s", res.n_samples, res.fs_hz,
           res.n_annotations);
    exit_code = CLI_EXIT_OK;
done:
    free(f.recording);
    free(f.events);
    bel_store_destroy(st);
    return exit_code;
}
