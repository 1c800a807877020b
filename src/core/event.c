/* event.c - event kind names, and the I:E ratio as people write it.
 * SPDX-License-Identifier: MIT */
#include "bellows/event.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[BEL_EV_COUNT] = {
    "insp_onset",
    "exp_onset",
    "holdin_start",
    "holdin_end",
    "breath_hold_start",
    "breath_hold_end",
    "signal_lost",
    "signal_restored",
    "marker",
    "discomfort",
    "pause",
    "resume",
    "turned_round",
    "chest_turned_round",
};

const char *bel_event_kind_name(bel_event_kind kind)
{
    if ((int)kind < 0 || kind >= BEL_EV_COUNT) {
        return "unknown";
    }
    return kind_names[kind];
}

int bel_event_kind_from_name(const char *name)
{
    for (int i = 0; i < BEL_EV_COUNT; i++) {
        if (name && strcmp(name, kind_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

bel_event bel_event_make(bel_event_kind kind, double t_s, double t_detect_s)
{
    bel_event ev = {kind, t_s, t_detect_s, NAN, NAN, NAN, NAN, NAN};
    return ev;
}

const char *bel_ie_text(char *buf, size_t len, float ie_ratio, const char *none)
{
    if (!(isfinite(ie_ratio) && ie_ratio > 0.0f)) {
        snprintf(buf, len, "%s", none);
    } else {
        snprintf(buf, len, "1:%.1f", 1.0 / (double)ie_ratio);
    }
    return buf;
}
