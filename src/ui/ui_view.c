/* ui_view.c - view-model rings and the belly expansion estimate.
 * SPDX-License-Identifier: MIT */
#include "ui_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const double EXPANSION_WINDOW_S = 15.0;
/* A stretch that holds a breath's trough unless the level moved: longer than a slow
 * paced breath's time above its middle (4-7-8: 13 s), and a short one for a move far
 * beyond any breath. */
static const double EXPANSION_RECENT_S = 12.0;
static const double EXPANSION_SHORT_S = 5.0;
/* A gap this long in the samples starts the display signal again. */
static const double EXPANSION_GAP_S = 0.5;

void bel_ui_view_init(bel_ui_view *v)
{
    memset(v, 0, sizeof *v);
    v->layout = BEL_UI_PRACTICE;
    v->is_pacer_on = true;
    v->is_audio_available = true;
    v->relaxed_level = NAN;
    v->relaxed_depth = NAN;
    v->expansion = 0.5f;
    v->belly_share = NAN;
    v->chest_belly_phase_deg = NAN;
    v->trace_window_s = 45.0f;
    v->range_from_s = -INFINITY;
    v->t_pacer_turned_s = NAN;
    v->t_past_holdin_s = NAN;
    v->m.t_s = 0.0;
    v->m.belly = NAN;
    v->m.baseline = NAN;
    v->m.rate_bpm = NAN;
    v->m.rate_spectral_bpm = NAN;
    v->m.ie_ratio = NAN;
    v->m.ti_s = NAN;
    v->m.te_s = NAN;
    v->m.depth = NAN;
    v->m.variability = NAN;
    v->follow.score = NAN;
    v->follow.lag_s = NAN;
    v->follow.session_score = NAN;
}

void bel_ui_view_push_sample(bel_ui_view *v, double t_s, float belly, float chest)
{
    uint32_t i = v->trace_head & (BEL_UI_TRACE_CAP - 1);
    v->trace_t[i] = t_s;
    v->trace_belly[i] = belly;
    v->trace_chest[i] = chest;
    v->trace_head++;
}

void bel_ui_view_turn_trace_round(bel_ui_view *v, bool is_belly, bool is_chest)
{
    for (uint32_t i = 0; i < BEL_UI_TRACE_CAP; i++) {
        v->trace_belly[i] = is_belly ? -v->trace_belly[i] : v->trace_belly[i];
        v->trace_chest[i] = is_chest ? -v->trace_chest[i] : v->trace_chest[i];
    }
}

void bel_ui_view_push_event(bel_ui_view *v, const bel_event *ev)
{
    v->events[v->event_head % BEL_UI_EVENT_CAP] = *ev;
    v->event_clock_s[v->event_head % BEL_UI_EVENT_CAP] = ev->t_s - v->clock_offset_s;
    v->event_head++;
    v->n_markers += ev->kind == BEL_EV_MARKER;
}

void bel_ui_view_push_trend(bel_ui_view *v, double t_s, float rate_bpm, float depth_rel,
                            float follow)
{
    uint32_t i = v->trend_head % BEL_UI_TREND_CAP;
    v->trend_t[i] = t_s;
    v->trend_rate[i] = rate_bpm;
    v->trend_depth_rel[i] = depth_rel;
    v->trend_follow[i] = follow;
    v->trend_head++;
}

uint32_t bel_ui_view_trace_count(const bel_ui_view *v)
{
    return v->trace_head < BEL_UI_TRACE_CAP ? v->trace_head : BEL_UI_TRACE_CAP;
}

bel_status bel_ui_smoother_init(bel_ui_smoother *s, double fs_hz)
{
    memset(s, 0, sizeof *s);
    if (!(fs_hz > 0.0)) {
        return BEL_ERR_ARG;
    }
    const double fc =
        BEL_UI_DISPLAY_CUTOFF_HZ < 0.4 * fs_hz ? BEL_UI_DISPLAY_CUTOFF_HZ : 0.4 * fs_hz;
    return bel_biquad_init_lowpass(&s->lp, fs_hz, fc);
}

float bel_ui_smoother_process(bel_ui_smoother *s, double t_s, float raw, const bel_metrics *m)
{
    if (!isfinite(raw)) {
        return NAN;
    }
    const float x = m->is_belly_inverted ? -raw : raw;
    if (!s->is_started || s->is_inverted != m->is_belly_inverted ||
        s->n_restarts != m->n_restarts || t_s - s->t_last_s >= EXPANSION_GAP_S) {
        bel_biquad_reset(&s->lp, (double)x);
        s->is_started = true;
        s->is_inverted = m->is_belly_inverted;
        s->n_restarts = m->n_restarts;
    }
    s->t_last_s = t_s;
    return (float)bel_biquad_process(&s->lp, (double)x);
}

static float clamp01(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }

float bel_ui_view_expansion(const bel_ui_view *v)
{
    uint32_t n = bel_ui_view_trace_count(v);
    if (n == 0) {
        return 0.5f;
    }
    uint32_t last = (v->trace_head - 1) & (BEL_UI_TRACE_CAP - 1);
    float now = v->trace_belly[last];
    if (!isfinite(now)) {
        return 0.5f;
    }
    /* The stretch that holds a trough: 1.3 breaths at the pipeline's rate (4..12 s), 12 s
     * while the rate is not known. */
    double recent_s = EXPANSION_RECENT_S;
    if (isfinite(v->m.rate_bpm) && v->m.rate_bpm > 0.0f) {
        recent_s = fmin(fmax(1.3 * 60.0 / (double)v->m.rate_bpm, 4.0), EXPANSION_RECENT_S);
    }
    /* The range of the last 15 s, of the recent stretch and of the last 5 s, since
     * range_from_s. */
    const double t_end = v->trace_t[last];
    float lo = INFINITY;
    float hi = -INFINITY;
    float lo_recent = INFINITY;
    float hi_recent = -INFINITY;
    float lo_short = INFINITY;
    float lo_all = INFINITY;
    float hi_all = -INFINITY;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (v->trace_head - 1 - k) & (BEL_UI_TRACE_CAP - 1);
        if (t_end - v->trace_t[i] > EXPANSION_WINDOW_S) {
            break;
        }
        float x = v->trace_belly[i];
        if (isfinite(x)) { /* the whole window, for the least span (below) */
            lo_all = x < lo_all ? x : lo_all;
            hi_all = x > hi_all ? x : hi_all;
        }
        if (v->trace_t[i] < v->range_from_s) {
            continue;
        }
        if (isfinite(x)) {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
            if (t_end - v->trace_t[i] <= recent_s) {
                lo_recent = x < lo_recent ? x : lo_recent;
                hi_recent = x > hi_recent ? x : hi_recent;
            }
            if (t_end - v->trace_t[i] <= EXPANSION_SHORT_S) {
                lo_short = x < lo_short ? x : lo_short;
            }
        }
    }
    const bool has_depth = isfinite(v->relaxed_depth) && v->relaxed_depth > 0.0f;
    /* Without a relaxed depth, the range since range_from_s, but never less than a quarter
     * of the whole window's: a still belt's noise after a step is not a full breath. */
    const float depth = has_depth ? v->relaxed_depth : fmaxf(hi - lo, 0.25f * (hi_all - lo_all));
    if (!(depth > 0.0f)) {
        return 0.5f;
    }
    float level = lo;
    if (isfinite(v->relaxed_level) && has_depth) {
        level = v->relaxed_level;
        /* Only with enough of the window seen since range_from_s. */
        const bool has_recent = t_end - v->range_from_s >= recent_s;
        const bool is_far = lo_short > level + 1.5f * depth && t_end - v->range_from_s >= 2.0;
        const bool is_moved = has_recent && !v->is_breath_hold &&
                              (lo_recent > level + 0.5f * depth ||
                               (!v->is_holdin && hi_recent < level + 0.5f * depth));
        if (is_far) {
            level = lo_short;
        } else if (is_moved) {
            level = lo_recent;
        }
    }
    return clamp01((now - level) / depth);
}

void bel_ui_view_open_first_help(bel_ui_view *v)
{
    v->is_help_shown = true;
    v->is_help_first = true;
    v->help_from_n_breaths = v->m.n_breaths;
}

void bel_ui_view_update_help(bel_ui_view *v)
{
    if (!v->is_help_shown) {
        v->is_help_first = false;
    } else if (v->is_help_first &&
               v->m.n_breaths >= v->help_from_n_breaths + (uint32_t)BEL_UI_HELP_BREATHS) {
        v->is_help_shown = false;
        v->is_help_first = false;
    }
}

void bel_ui_lost_words(double lost_s, uint32_t n_dropouts, bool is_short, char *buf, size_t len)
{
    if (len == 0) {
        return;
    }
    buf[0] = '\0';
    if (n_dropouts == 0 && !(lost_s > 0.0)) {
        return;
    }
    char t[32];
    const double s = lost_s > 0.1 ? lost_s : 0.1; /* a sample or two: still said */
    if (s < 10.0) {
        snprintf(t, sizeof t, "%.1f s", s);
    } else if (s < 120.0) {
        snprintf(t, sizeof t, "%.0f s", s);
    } else {
        snprintf(t, sizeof t, "%.0f min", s / 60.0);
    }
    if (is_short) {
        snprintf(buf, len, "%s lost", t);
    } else if (n_dropouts > 0) {
        snprintf(buf, len, "%s of signal lost (%u dropout%s)", t, (unsigned)n_dropouts,
                 n_dropouts == 1 ? "" : "s");
    } else {
        snprintf(buf, len, "%s of signal lost", t);
    }
}

int bel_ui_summary_lines(const bel_ui_summary *s, char (*label)[40], char (*value)[48], int max)
{
    int n = 0;
#define LINE(l, ...)                                                                               \
    do {                                                                                           \
        if (n < max) {                                                                             \
            snprintf(label[n], sizeof label[n], "%s", l);                                          \
            snprintf(value[n], sizeof value[n], __VA_ARGS__);                                      \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)
    /* Whole seconds, at most 99999 minutes (the line has room for both clocks). */
    const int t = s->session_s > 0.0 ? (int)fmin(s->session_s, 5999999.0) : 0;
    const int p = s->paused_s > 0.0 ? (int)fmin(s->paused_s, 5999999.0) : 0;
    if (p > 0) {
        LINE("time", "%d:%02d (and %d:%02d paused)", t / 60, t % 60, p / 60, p % 60);
    } else {
        LINE("time", "%d:%02d", t / 60, t % 60);
    }
    LINE("breaths", "%u", (unsigned)s->n_breaths);
    if (isfinite(s->rate_bpm)) {
        LINE("mean rate", "%.1f /min", (double)s->rate_bpm);
    } else {
        LINE("mean rate", "-");
    }
    if (s->is_assessment) {
        char ie[32];
        LINE("I:E", "%s", bel_ie_text(ie, sizeof ie, s->ie_ratio, "-"));
    }
    if (isfinite(s->belly_share)) {
        LINE("belly share", "%.0f%%", (double)(s->belly_share * 100.0f));
    } else {
        LINE("belly share", "- (no chest belt)");
    }
    const long h = s->held_in_s > 0.0 ? (long)lround(s->held_in_s) : 0;
    LINE("time held in", "%ld:%02ld (%u time%s)", h / 60, h % 60, (unsigned)s->n_holdins,
         s->n_holdins == 1 ? "" : "s");
    LINE("breath holds", "%u", (unsigned)s->n_holds);
    if (s->is_assessment) {
        if (isfinite(s->deep_ratio)) {
            LINE("deep breath", "%.1fx relaxed", (double)s->deep_ratio);
        } else {
            LINE("deep breath", "-");
        }
    } else if (isfinite(s->follow) && s->pacer_name[0]) {
        LINE("following the pacer", "%.0f%% (%s)", (double)(s->follow * 100.0f), s->pacer_name);
    } else {
        LINE("following the pacer", "-");
    }
    if (s->is_upside_down) {
        LINE("the belt", "read upside down? i, or --invert");
    }
#undef LINE
    return n;
}
