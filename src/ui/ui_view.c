/* ui_view.c - view-model rings and the belly expansion estimate.
 * SPDX-License-Identifier: MIT */
#include "ui_view.h"

#include <math.h>
#include <string.h>

static const double EXPANSION_WINDOW_S = 15.0;

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

void bel_ui_view_push_event(bel_ui_view *v, const bel_event *ev)
{
    v->events[v->event_head % BEL_UI_EVENT_CAP] = *ev;
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
    if (isfinite(v->relaxed_level) && isfinite(v->relaxed_depth) && v->relaxed_depth > 0.0f) {
        return clamp01((now - v->relaxed_level) / v->relaxed_depth);
    }
    double t_end = v->trace_t[last];
    float lo = INFINITY;
    float hi = -INFINITY;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (v->trace_head - 1 - k) & (BEL_UI_TRACE_CAP - 1);
        if (t_end - v->trace_t[i] > EXPANSION_WINDOW_S) {
            break;
        }
        float x = v->trace_belly[i];
        if (isfinite(x)) {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    if (!(hi > lo)) {
        return 0.5f;
    }
    return clamp01((now - lo) / (hi - lo));
}
