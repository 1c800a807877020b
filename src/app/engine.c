/* engine.c - channel choice, polarity and calibration in one place; the offline pipeline loop.
 * SPDX-License-Identifier: MIT */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

bel_engine_settings bel_engine_settings_default(void)
{
    bel_engine_settings es;
    memset(&es, 0, sizeof es);
    es.report_gaps = true;
    es.calibration = bel_holdin_calibration_none();
    return es;
}

static int find_channel(const bel_source_info *info, const char *name, int not_this)
{
    for (int ch = 0; ch < info->n_channels; ch++) {
        if (ch != not_this && strcmp(info->channel_names[ch], name) == 0) {
            return ch;
        }
    }
    return -1;
}

bel_status bel_engine_choose_channels(const bel_source_info *info, const bel_engine_settings *es,
                                      const char *what, int *belly, int *chest, char *err,
                                      size_t err_len)
{
    *belly = 0;
    *chest = -1;
    int b = find_channel(info, es->belly_name ? es->belly_name : "belly", -1);
    if (b < 0 && !es->belly_name) {
        b = 0; /* an unnamed single belt is the belly's */
    }
    const int c = b < 0 ? -1 : find_channel(info, es->chest_name ? es->chest_name : "chest", b);
    if (b < 0 || (es->chest_name && c < 0)) {
        char list[BEL_MAX_CHANNELS * (BEL_RECORDING_NAME_LEN + 2)] = "";
        for (int ch = 0; ch < info->n_channels; ch++) {
            strcat(list, ch ? ", " : "");
            strcat(list, info->channel_names[ch]);
        }
        snprintf(err, err_len, "%s: '%s' is not a channel of %s (it has: %s)",
                 b < 0 ? "--channel" : "--chest", b < 0 ? es->belly_name : es->chest_name, what,
                 list);
        return BEL_ERR_ARG;
    }
    *belly = b;
    *chest = c;
    return BEL_OK;
}

bel_status bel_engine_pipeline_config(const bel_source_info *info, const bel_engine_settings *es,
                                      const char *what, bel_pipeline_config *out, char *err,
                                      size_t err_len)
{
    *out = bel_pipeline_config_default();
    int belly = 0;
    int chest = -1;
    bel_status st = bel_engine_choose_channels(info, es, what, &belly, &chest, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    if (!isfinite(info->fs_hz)) {
        snprintf(err, err_len, "%s: too few samples to tell the sample rate (need at least 2)",
                 what);
        return BEL_ERR_FORMAT;
    }
    if (!(info->fs_hz >= 5.0 && info->fs_hz <= 2000.0)) {
        snprintf(err, err_len, "%s: sample rate %.4g Hz is outside 5..2000 Hz", what, info->fs_hz);
        return BEL_ERR_FORMAT;
    }
    out->fs_hz = info->fs_hz;
    out->belly_channel = belly;
    out->chest_channel = chest;
    bel_engine_settings use = *es;
    if (es->use_recorded) { /* the session's own, from its recording */
        use.invert = info->recorded.invert;
        use.invert_chest = info->recorded.invert_chest;
        use.is_polarity_known = info->recorded.is_polarity_known;
        use.calibration = info->recorded.calibration;
    }
    out->invert = use.invert;
    out->invert_chest = use.invert_chest;
    /* --invert is the user's word: it is not second-guessed from the breathing. */
    out->auto_polarity = !use.is_polarity_known && !use.invert;
    out->report_gaps = use.report_gaps;
    out->calibration = use.calibration;
    /* The person's breath hold time is theirs whichever way the belts are read. */
    const double hold_s =
        es->breath_hold_s > 0.0 ? es->breath_hold_s : info->recorded.breath_hold_s;
    if (hold_s > 0.0) {
        out->holdin.breath_hold_s = hold_s;
        out->holdin.breath_hold_min_s = hold_s;
    }
    return BEL_OK;
}

bel_recording_settings bel_engine_recorded_settings(const bel_pipeline_config *pc)
{
    bel_recording_settings rs = bel_recording_settings_default();
    rs.invert = pc->invert;
    rs.invert_chest = pc->invert_chest;
    rs.is_polarity_known = !pc->auto_polarity;
    rs.calibration = pc->calibration;
    const bel_holdin_config d = bel_holdin_config_default(pc->fs_hz);
    if (pc->holdin.breath_hold_s != d.breath_hold_s ||
        pc->holdin.breath_hold_min_s != d.breath_hold_min_s) {
        rs.breath_hold_s = pc->holdin.breath_hold_s;
    }
    return rs;
}

bel_status bel_engine_run_offline(bel_source *src, bel_pipeline *pipe, bel_event_csv *events,
                                  double t_end_s, bel_engine_progress_fn progress, void *ctx,
                                  bel_engine_result *r)
{
    memset(r, 0, sizeof *r);
    bel_status st = BEL_OK;
    bel_sample s;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    for (;;) {
        const int got = bel_source_read(src, &s, 100);
        if (got == 0 || (got > 0 && !(s.t_s < t_end_s))) {
            break;
        }
        if (got < 0) {
            st = (bel_status)got;
            snprintf(r->err, sizeof r->err, "%s", bel_source_get_error(src));
            if (r->err[0] == '\0') {
                snprintf(r->err, sizeof r->err, "%s: %s", bel_source_describe(src),
                         bel_status_str(st));
            }
            break;
        }
        r->n_samples++;
        const int n = bel_pipeline_process(pipe, &s, ev, BEL_PIPELINE_MAX_EVENTS);
        if (n < 0) {
            st = (bel_status)n;
            snprintf(r->err, sizeof r->err, "%s: the pipeline refused sample %llu (%s)",
                     bel_source_describe(src), (unsigned long long)r->n_samples,
                     bel_status_str(st));
            break;
        }
        for (int k = 0; events && k < n; k++) {
            if (bel_event_csv_write(events, &ev[k]) != BEL_OK) {
                snprintf(r->err, sizeof r->err, "%s", bel_event_csv_get_error(events));
                r->is_write_failed = true;
                st = BEL_ERR_IO;
                break;
            }
        }
        if (st != BEL_OK) {
            break;
        }
        r->n_events += (uint64_t)n;
        if (progress && (r->n_samples & 0xffff) == 0) {
            progress(ctx, src, r->n_samples);
        }
    }
    bel_pipeline_get_summary(pipe, &r->summary);
    bel_pipeline_get_metrics(pipe, &r->metrics);
    return st;
}

bel_status bel_engine_summarise(const char *path, const bel_engine_settings *es, bel_summary *sum,
                                char *err, size_t err_len)
{
    memset(sum, 0, sizeof *sum);
    bel_source *src = NULL;
    bel_pipeline *pipe = NULL;
    bel_status st = bel_source_create_replay(path, false, &src, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    bel_pipeline_config pcfg;
    st = bel_engine_pipeline_config(bel_source_get_info(src), es, path, &pcfg, err, err_len);
    if (st == BEL_OK) {
        st = bel_pipeline_create(&pcfg, &pipe);
        if (st != BEL_OK) {
            snprintf(err, err_len, "%s: cannot set up the pipeline (%s)", path, bel_status_str(st));
        }
    }
    if (st == BEL_OK) {
        bel_engine_result r;
        /* A cut-off last line (a killed session) ends it: the summary of what was read. */
        const bel_status ran = bel_engine_run_offline(src, pipe, NULL, INFINITY, NULL, NULL, &r);
        (void)ran;
        *sum = r.summary;
    }
    bel_pipeline_destroy(pipe);
    bel_source_destroy(src);
    return st;
}
