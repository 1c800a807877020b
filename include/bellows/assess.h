/* assess.h - the guided assessment: settle, one deep breath, natural breathing, each phase checked.
 *
 * A therapist's short assessment, guided live: the guide names the phase, counts
 * down, and at the end of each phase checks it from the pipeline's events:
 *   settle    enough breaths to know the relaxed depth (median of their depths;
 *             a breath whose inhalation is under 0.8 s is no relaxed breath);
 *   deep      one breath at least deep_ratio times the relaxed depth;
 *   natural   enough breaths, with the belt sending throughout.
 * A phase that fails is asked again (up to max_tries times), a belt that stops
 * sending restarts the phase. Times are the signal's t_s, so a replay as fast as
 * possible goes through the same phases as a belt in real time.
 *
 * Pure and clock-free like the pacer: no I/O, no allocation; caller-owned struct.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_ASSESS_H
#define BELLOWS_ASSESS_H

#include <stdbool.h>

#include "bellows/event.h"

/** Phases in order; DONE and FAILED are final. */
typedef enum bel_assess_phase {
    BEL_ASSESS_SETTLE = 0, /**< sit comfortably, breathe naturally */
    BEL_ASSESS_DEEP,       /**< one slow, deep belly breath */
    BEL_ASSESS_NATURAL,    /**< natural breathing again */
    BEL_ASSESS_DONE,       /**< every phase passed */
    BEL_ASSESS_FAILED,     /**< a phase failed max_tries times */
} bel_assess_phase;

/** What an update changed. */
typedef enum bel_assess_change {
    BEL_ASSESS_SAME = 0, /**< nothing */
    BEL_ASSESS_NEXT,     /**< the phase passed; the next one (or DONE) began */
    BEL_ASSESS_AGAIN,    /**< the phase failed its check and begins again (see why) */
    BEL_ASSESS_GAVE_UP,  /**< the phase failed for the last time: FAILED */
} bel_assess_change;

/** Why the latest check failed. */
typedef enum bel_assess_why {
    BEL_ASSESS_WHY_NONE = 0,
    BEL_ASSESS_WHY_FEW_BREATHS, /**< too few breaths (n_breaths) */
    BEL_ASSESS_WHY_NOT_DEEP,    /**< the deepest breath was only deep_ratio_seen x relaxed */
    BEL_ASSESS_WHY_SIGNAL_LOST, /**< the belt stopped sending during the phase */
} bel_assess_why;

enum { BEL_ASSESS_MAX_DEPTHS = 64 };
/* The deep breath's extremes are read past the BEL_ASSESS_EXTREMES - 1 most extreme
 * samples at each end, so a spike or two in the belt (single wild samples) cannot say
 * which way it reads. */
enum { BEL_ASSESS_EXTREMES = 5 };

typedef struct bel_assess_config {
    double settle_s;         /**< settle phase, s (40) */
    double deep_s;           /**< deep-breath phase, s (20) */
    double natural_s;        /**< natural breathing, s (60) */
    float deep_ratio;        /**< the deep breath's depth over the relaxed depth, at least (1.5) */
    int min_settle_breaths;  /**< breaths needed in the settle phase (4) */
    int min_natural_breaths; /**< breaths needed in the natural phase (6) */
    int max_tries;           /**< tries per phase before giving up (3) */
} bel_assess_config;

/** The guide. Fields are private: use the functions. */
typedef struct bel_assess {
    bel_assess_config cfg;
    bel_assess_phase phase;
    bool has_started;
    double t_phase_s; /* start of the current try */
    int tries;        /* tries of the current phase so far, 1.. */
    int n_depths;     /* settle, natural: breath depths this try */
    float depths[BEL_ASSESS_MAX_DEPTHS];
    int n_breaths;                     /* breaths this try */
    float deepest;                     /* deep: deepest breath this try */
    bool is_lost;                      /* the belt stopped sending during this try */
    float relaxed_depth;               /* from the settle phase (or the natural one), NAN before */
    float deep_ratio_seen;             /* deepest / relaxed, the latest deep try */
    float deep_depth;                  /* the accepted deep try's deepest breath */
    double deep_t0_s, deep_t1_s;       /* the accepted deep try */
    double natural_t0_s, natural_t1_s; /* the accepted natural try */
    /* Raw belt values over the current deep try, [0] belly, [1] chest: the
     * BEL_ASSESS_EXTREMES lowest and highest (sorted, the most extreme first), sum,
     * count; and what the accepted deep breath said of each belt's polarity. */
    float deep_lo[2][BEL_ASSESS_EXTREMES], deep_hi[2][BEL_ASSESS_EXTREMES];
    double deep_sum[2];
    int deep_n[2];
    bool has_deep_polarity;
    bool deep_inverted[2];
    bel_assess_why why;
    int why_breaths;               /* breaths counted in the failed try */
    bel_assess_phase failed_phase; /* the phase that failed for the last time */
} bel_assess;

/** Defaults: 40 s, 20 s, 60 s, 1.5x, 4 and 6 breaths, 3 tries. Call from: any thread. */
bel_assess_config bel_assess_config_default(void);

/** Start the guide (SETTLE, from the first update's time). cfg is copied.
 *  Call from: the owning thread. */
void bel_assess_init(bel_assess *a, const bel_assess_config *cfg);

/** Fold in one pipeline or link event (breath depths, signal lost).
 *  Call from: the owning thread. Real-time safe. */
void bel_assess_note_event(bel_assess *a, const bel_event *ev);

/** Fold in one sample's raw belt values (belly, and chest or NAN without one) before
 *  bel_assess_update for the same t_s: during the deep breath they say which way each
 *  belt reads (bel_assess_get_deep_polarity). Call from: the owning thread.
 *  Real-time safe. */
void bel_assess_note_sample(bel_assess *a, double t_s, float belly, float chest);

/** Advance to signal time t_s: at the end of a phase, check it. Returns what
 *  changed. Call from: the owning thread. Real-time safe. */
bel_assess_change bel_assess_update(bel_assess *a, double t_s);

/** The current phase. */
bel_assess_phase bel_assess_get_phase(const bel_assess *a);

/** Seconds left in the current phase at t_s (0 when final). */
double bel_assess_get_remaining_s(const bel_assess *a, double t_s);

/** Which try of the current phase this is, 1.. */
int bel_assess_get_try(const bel_assess *a);

/** Relaxed breath depth (conditioned units) from the settle phase, NAN before; once the
 *  natural breathing is accepted, from whichever of the two breathed the larger breaths
 *  (a belly held in through the settling breathes smaller: the deep breath is measured
 *  against the relaxed breaths after it). */
float bel_assess_get_relaxed_depth(const bel_assess *a);

/** The latest deep try's deepest breath over the relaxed depth (as
 *  bel_assess_get_relaxed_depth gives it), NAN before. */
float bel_assess_get_deep_ratio(const bel_assess *a);

/** Why the latest check failed, and the breaths it counted. */
bel_assess_why bel_assess_get_why(const bel_assess *a, int *n_breaths);

/** Signal time the assessment ended (DONE), NAN before. */
double bel_assess_get_end_s(const bel_assess *a);

/** The phase that failed for the last time (when FAILED). */
bel_assess_phase bel_assess_get_failed_phase(const bel_assess *a);

/** The accepted deep-breath try's span [t0, t1) in signal time; false before. */
bool bel_assess_get_deep_span(const bel_assess *a, double *t0_s, double *t1_s);

/** What the accepted deep breath said, from the samples given to bel_assess_note_sample:
 *  a deep inhalation moves a belt further from its mean in the direction of expansion,
 *  so a belt whose excursion below the mean is clearly the larger (1.3 times the other)
 *  reads inverted. false (both false) before the deep phase passed, without samples, or
 *  when the belly's two sides are too alike to tell (breathing with no deep breath in
 *  it: a breath counted deep on a scale learnt from a heart beat); *chest_inverted false
 *  with no chest values or sides alike. */
bool bel_assess_get_deep_polarity(const bel_assess *a, bool *belly_inverted, bool *chest_inverted);

/** Short name of a phase ("settle", "deep breath", "natural breathing", "done", "failed"). */
const char *bel_assess_phase_name(bel_assess_phase p);

/** What to tell the person in a phase, one sentence. */
const char *bel_assess_phase_prompt(bel_assess_phase p);

#endif
