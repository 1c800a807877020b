/* event.h - what the pipeline tells the outputs: breath turning points and episodes.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_EVENT_H
#define BELLOWS_EVENT_H

#include <stddef.h>

/** Kinds of event. Names (bel_event_kind_name) are the `kind` column of events CSV. */
typedef enum bel_event_kind {
    BEL_EV_INSP_ONSET = 0,     /**< start of inhalation (trough, or end of a pause at the bottom) */
    BEL_EV_EXP_ONSET,          /**< start of exhalation (peak, or end of a hold at the top) */
    BEL_EV_HOLDIN_START,       /**< belly held in ("sucked in") begins */
    BEL_EV_HOLDIN_END,         /**< belly released */
    BEL_EV_BREATH_HOLD_START,  /**< breathing stopped */
    BEL_EV_BREATH_HOLD_END,    /**< breathing resumed */
    BEL_EV_SIGNAL_LOST,        /**< the belt stopped sending */
    BEL_EV_SIGNAL_RESTORED,    /**< the belt is back */
    BEL_EV_MARKER,             /**< the therapist marked this moment (k); numbered in order */
    BEL_EV_DISCOMFORT,         /**< the person felt discomfort here (d): listen to your body */
    BEL_EV_PAUSE,              /**< the session was paused (space): no cues, the clock stops */
    BEL_EV_RESUME,             /**< the session goes on after a pause */
    BEL_EV_TURNED_ROUND,       /**< the belts are read the other way round from here (the
                                    breathing, the person's i or the pacer said so): in and out
                                    swap, each belt's values are negated */
    BEL_EV_CHEST_TURNED_ROUND, /**< the chest belt alone is read the other way round from here:
                                    it moved against the belly */
    BEL_EV_COUNT
} bel_event_kind;

/** One event. Fields that do not apply to a kind are NAN. */
typedef struct bel_event {
    bel_event_kind kind;
    double t_s;        /**< when it happened in the signal, seconds */
    double t_detect_s; /**< time of the sample at which the pipeline knew it */
    /* Breath fields. On exp_onset: ti_s and depth of the inhalation just ended.
     * On insp_onset: the whole breath just completed (previous insp_onset to this one). */
    float ti_s;     /**< inspiration time, s */
    float te_s;     /**< expiration time, s (insp_onset only) */
    float depth;    /**< peak minus trough, in conditioned units (raw units, sign-corrected) */
    float rate_bpm; /**< running breath rate after this event, breaths/min */
    float ie_ratio; /**< running inspiration:expiration time ratio, Ti/Te */
} bel_event;

/** Snake-case name of a kind ("insp_onset"); "unknown" if out of range.
 *  Call from: any thread. */
const char *bel_event_kind_name(bel_event_kind kind);

/** The I:E ratio as people write it, "1:2.0" (1 : Te/Ti, from ie_ratio = Ti/Te), into
 *  buf, or `none` when there is none (not a positive number); returns buf.
 *  Call from: any thread. */
const char *bel_ie_text(char *buf, size_t len, float ie_ratio, const char *none);

/** Kind whose name is `name`, or -1 if none. Call from: any thread. */
int bel_event_kind_from_name(const char *name);

/** An event of `kind` at t_s, detected at t_detect_s, all breath fields NAN.
 *  Call from: any thread. Real-time safe. */
bel_event bel_event_make(bel_event_kind kind, double t_s, double t_detect_s);

#endif
