/* session.c - the live session: input thread, writer thread, main loop, terminal output.
 * SPDX-License-Identifier: MIT */
#include "session.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bellows/ring.h"
#include "engine.h"
#include "event_csv.h"
#include "recording.h"
#include "text.h"

/* Ring sizes: about 80 s of samples at 50 Hz for the display, 160 s for the disk. */
enum { SESSION_UI_RING = 4096, SESSION_WRITER_RING = 8192 };
/* Longest source wait, ms (STYLE.md 6). */
enum { SESSION_READ_TIMEOUT_MS = 100 };
/* Seconds of signal between metrics lines; seconds between writer flushes. */
static const double METRICS_EVERY_S = 10.0;
static const double FLUSH_EVERY_S = 0.5;

/* One item for the main thread: a frame or an event, in publication order. */
typedef struct ui_item {
    bool is_event;
    bel_event ev;
    bel_session_frame frame;
} ui_item;

/* One item for the writer: a raw sample or an event. */
typedef struct writer_item {
    bool is_event;
    bel_event ev;
    bel_sample sample;
} writer_item;

struct bel_session {
    /* Called on the input thread with each frame, before it is published (NULL: none). */
    void (*on_input)(void *ctx, const bel_session_frame *frame);
    void *on_input_ctx;
    bel_session_config cfg;
    char *record_prefix;
    char *events_path;
    bel_pipeline *pipe;
    bel_ring *ui_ring;
    bel_ring *writer_ring;
    bel_recording_writer *rec;
    bel_event_csv *rec_events;
    bel_event_csv *extra_events;
    int n_channels;
    /* The guided assessment the session follows (input thread), cfg.assess. */
    bool has_guide;
    bel_assess guide;
    int belly_channel, chest_channel;
    uint8_t guide_actions; /* input thread: what the guide asks of the next sample */

    pthread_t input_thread;
    pthread_t writer_thread;
    bool is_started;
    bool is_finished;
    _Atomic bool stop;
    _Atomic bool input_done;

    /* Counters: written by the input thread (the writer's drops by the ring). */
    _Atomic uint64_t n_samples;
    _Atomic uint64_t n_events;
    _Atomic uint64_t n_missed;
    _Atomic uint64_t n_lines;
    _Atomic uint64_t n_rejected;
    _Atomic uint64_t n_rejected_by_kind[BEL_PROTO_ERR_COUNT];
    _Atomic uint64_t n_lost;
    _Atomic uint64_t n_reconnects;
    _Atomic bool is_connected;
    /* Marks asked for (main thread) and emitted (input thread), per kind: marker, discomfort,
     * pause, resume. */
    _Atomic uint32_t n_marks_asked[4];
    uint32_t n_marks_done[4];
    _Atomic uint64_t n_markers;
    /* The person's actions (bel_action: r, i) asked for (main thread) and given to the
     * pipeline with the next sample (input thread), per action. */
    _Atomic uint32_t n_actions_asked[2];
    uint32_t n_actions_done[2];
    /* A turn-round, and a keeping of the belts' reading, asked for if the belts have been
     * turned this many times then (bel_session_turn_round_if, bel_session_keep_reading_if);
     * UINT32_MAX: none. */
    _Atomic uint32_t turn_if_flips;
    _Atomic uint32_t keep_if_flips;

    /* Errors: each thread writes its own before its done flag (release). */
    char input_err[BEL_IO_ERR_LEN];
    char writer_err[BEL_IO_ERR_LEN];
    _Atomic bool is_write_failed; /* set (release) once writer_err is final */
    char err[BEL_IO_ERR_LEN];
    bel_status status;

    /* Main thread only. */
    bool has_latest;
    bel_session_frame latest;
    float term_relaxed_depth; /* main thread: the relaxed depth of the last frame drained */
    double next_metrics_s;
    double t_first_s;
    double t_lost_s;
    uint32_t n_markers_printed; /* main thread: markers printed so far */
    bool is_paused_printed;     /* main thread: between a pause and its resume */
    /* Main thread: a hold-in start not printed yet; the next item says whether the
     * hold-in was seen only when it was let go (its end comes with it: print_held). */
    bool has_held_start;
    bel_event held_start;
    bool has_first;
    bool is_write_failure_told;
};

bel_session_config bel_session_config_default(void)
{
    bel_session_config c;
    memset(&c, 0, sizeof c);
    c.is_live = true;
    c.calibration = bel_holdin_calibration_none();
    return c;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *copy_str(const char *s)
{
    if (!s) {
        return NULL;
    }
    char *c = malloc(strlen(s) + 1);
    if (c) {
        strcpy(c, s);
    }
    return c;
}

/* ---- terminal output ------------------------------------------------------------------ */

static const char *num(char *buf, size_t len, int decimals, float v)
{
    if (isfinite(v)) {
        snprintf(buf, len, "%.*f", decimals, (double)v);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

/* A depth as a multiple of the relaxed breath, as the window shows it (no sensor
 * units): "1.3x relaxed", or "learning..." until a relaxed breath is known. */
static const char *rel_depth(char *buf, size_t len, float depth, float relaxed)
{
    if (isfinite(depth) && isfinite(relaxed) && relaxed > 0.0f) {
        snprintf(buf, len, "%.1fx relaxed", (double)(depth / relaxed));
    } else {
        snprintf(buf, len, "learning...");
    }
    return buf;
}

static void print_event(bel_session *s, const bel_event *ev)
{
    char a[32];
    char b[32];
    char c[32];
    char d[32];
    /* A hold-in or a breath hold is known some seconds after it began: the line comes
     * when it is known, in time order with the breaths, and says when it began. */
    const bool is_late = ev->kind == BEL_EV_HOLDIN_START || ev->kind == BEL_EV_BREATH_HOLD_START;
    printf("[%8.1f s]  ", is_late && isfinite(ev->t_detect_s) ? ev->t_detect_s : ev->t_s);
    switch (ev->kind) {
    case BEL_EV_INSP_ONSET:
        if (isfinite(ev->ti_s) && isfinite(ev->te_s)) {
            printf("in    breath %s s (in %s s, out %s s), depth %s\n",
                   num(a, sizeof a, 1, ev->ti_s + ev->te_s), num(b, sizeof b, 1, ev->ti_s),
                   num(c, sizeof c, 1, ev->te_s),
                   rel_depth(d, sizeof d, ev->depth, s->term_relaxed_depth));
        } else {
            printf("in\n");
        }
        break;
    case BEL_EV_EXP_ONSET:
        if (isfinite(ev->ti_s)) {
            printf("out   after %s s in, depth %s\n", num(a, sizeof a, 1, ev->ti_s),
                   rel_depth(b, sizeof b, ev->depth, s->term_relaxed_depth));
        } else {
            printf("out\n");
        }
        break;
    case BEL_EV_HOLDIN_START:
        printf("belly held in since %.1f s: let it soften\n", ev->t_s);
        break;
    case BEL_EV_HOLDIN_END:
        printf("belly released\n");
        break;
    case BEL_EV_BREATH_HOLD_START:
        printf("breath held since %.1f s\n", ev->t_s);
        break;
    case BEL_EV_BREATH_HOLD_END:
        printf("breathing again\n");
        break;
    case BEL_EV_SIGNAL_LOST:
        s->t_lost_s = ev->t_s;
        printf("signal lost: the belt stopped sending (unplugged?). The session goes on and "
               "picks it up again when it is back.\n");
        break;
    case BEL_EV_SIGNAL_RESTORED:
        printf("signal restored after a gap of %.1f s (marked in the recording)\n",
               ev->t_s - s->t_lost_s);
        break;
    case BEL_EV_MARKER:
        printf("marker %u\n", (unsigned)++s->n_markers_printed);
        break;
    case BEL_EV_DISCOMFORT:
        printf("discomfort marked: listen to your body\n");
        break;
    case BEL_EV_PAUSE:
        printf("paused (marked in the recording)\n");
        break;
    case BEL_EV_RESUME:
        printf("resumed\n");
        break;
    case BEL_EV_TURNED_ROUND: /* the in and out lines swap from here: say why */
        printf("turned round: the belts read the other way, in and out swapped from here on\n");
        break;
    case BEL_EV_CHEST_TURNED_ROUND:
        printf("the chest belt moves against the belly: it is read the other way round\n");
        break;
    case BEL_EV_COUNT:
    default:
        printf("%s\n", bel_event_kind_name(ev->kind));
        break;
    }
}

static void print_metrics(const bel_metrics *m)
{
    char a[32];
    char b[32];
    char c[32];
    char ie[32];
    printf("[%8.1f s]  ---   rate %s/min (spectral check %s), depth %s, I:E %s, breaths: %u\n",
           m->t_s, num(a, sizeof a, 1, m->rate_bpm), num(b, sizeof b, 1, m->rate_spectral_bpm),
           rel_depth(c, sizeof c, m->depth, m->relaxed_depth),
           bel_ie_text(ie, sizeof ie, m->ie_ratio, "-"), (unsigned)m->n_breaths);
}

static void print_counters(const bel_session_counters *c, bool has_link)
{
    printf("samples: %llu, missed: %llu", (unsigned long long)c->n_samples,
           (unsigned long long)c->n_missed);
    if (has_link) {
        printf(", lines: %llu, rejected lines: %llu", (unsigned long long)c->n_lines,
               (unsigned long long)c->n_rejected);
        const char *sep = " (";
        for (int k = 1; k < BEL_PROTO_ERR_COUNT; k++) {
            if (c->n_rejected_by_kind[k] > 0) {
                printf("%s%s: %llu", sep, bel_proto_error_name((bel_proto_error_kind)k),
                       (unsigned long long)c->n_rejected_by_kind[k]);
                sep = ", ";
            }
        }
        printf("%s, signal lost: %llu time(s)", sep[0] == ',' ? ")" : "",
               (unsigned long long)c->n_lost);
    }
    if (c->n_record_dropped || c->n_display_dropped) {
        printf(", dropped: %llu by the recorder, %llu by the display",
               (unsigned long long)c->n_record_dropped, (unsigned long long)c->n_display_dropped);
    }
    printf("\n");
}

/* ---- create --------------------------------------------------------------------------- */

/* The recording (carrying the settings the pipeline runs with, so that a re-analysis, such
 * as the recovery of an interrupted session, gives the same figures) and the events. */
static bel_status open_outputs(bel_session *s, const bel_source_info *info,
                               const bel_pipeline_config *pcfg, char *err, size_t err_len)
{
    char path[4096];
    const char *names[BEL_MAX_CHANNELS];
    for (int ch = 0; ch < info->n_channels; ch++) {
        names[ch] = info->channel_names[ch];
    }
    bel_status st = BEL_OK;
    if (s->record_prefix) {
        snprintf(path, sizeof path, "%s.csv", s->record_prefix);
        const bel_recording_settings rs = bel_engine_recorded_settings(pcfg);
        st = bel_recording_writer_create(path, info->n_channels, names, &rs, &s->rec, err, err_len);
        if (st != BEL_OK) {
            return st;
        }
        snprintf(path, sizeof path, "%s.events.csv", s->record_prefix);
        st = bel_event_csv_create(path, &s->rec_events, err, err_len);
        if (st != BEL_OK) {
            return st;
        }
    }
    if (s->events_path) {
        st = bel_event_csv_create(s->events_path, &s->extra_events, err, err_len);
    }
    return st;
}

bel_status bel_session_create(const bel_session_config *cfg, bel_session **out, char *err,
                              size_t err_len)
{
    char msg[BEL_IO_ERR_LEN] = "out of memory";
    bel_status st = BEL_ERR_NOMEM;
    if (out) {
        *out = NULL;
    }
    if (!cfg || !cfg->source || !out) {
        return BEL_ERR_ARG;
    }
    bel_session *s = calloc(1, sizeof *s);
    if (!s) {
        goto fail;
    }
    s->cfg = *cfg;
    s->term_relaxed_depth = NAN;
    s->record_prefix = copy_str(cfg->record_prefix);
    s->events_path = copy_str(cfg->events_path);
    if ((cfg->record_prefix && !s->record_prefix) || (cfg->events_path && !s->events_path)) {
        goto fail;
    }
    s->cfg.record_prefix = s->record_prefix;
    s->cfg.events_path = s->events_path;
    atomic_init(&s->stop, false);
    atomic_init(&s->input_done, false);
    atomic_init(&s->is_write_failed, false);
    atomic_init(&s->is_connected, true);
    for (int k = 0; k < 4; k++) {
        atomic_init(&s->n_marks_asked[k], 0);
    }
    atomic_init(&s->n_markers, 0);
    for (int k = 0; k < 2; k++) {
        atomic_init(&s->n_actions_asked[k], 0u);
    }
    atomic_init(&s->turn_if_flips, UINT32_MAX);
    atomic_init(&s->keep_if_flips, UINT32_MAX);

    const bel_source_info *info = bel_source_get_info(cfg->source);
    s->n_channels = info->n_channels;
    bel_engine_settings es = bel_engine_settings_default();
    es.invert = cfg->invert;
    es.calibration = cfg->calibration;
    es.breath_hold_s = cfg->breath_hold_s;
    /* A recording replayed is read as its session read it, unless told otherwise. */
    es.use_recorded = !cfg->invert && !cfg->calibration.is_valid;
    /* A belt's link reports its own signal_lost/signal_restored as they happen. */
    es.report_gaps = cfg->link == NULL;
    bel_pipeline_config pcfg;
    st = bel_engine_pipeline_config(info, &es, bel_source_describe(cfg->source), &pcfg, msg,
                                    sizeof msg);
    if (st != BEL_OK) {
        goto fail;
    }
    s->cfg.assess = NULL; /* copied into guide */
    s->has_guide = cfg->assess != NULL;
    if (cfg->assess) {
        bel_assess_init(&s->guide, cfg->assess);
    }
    s->belly_channel = pcfg.belly_channel;
    s->chest_channel = pcfg.chest_channel;
    st = bel_pipeline_create(&pcfg, &s->pipe);
    if (st != BEL_OK) {
        snprintf(msg, sizeof msg, "cannot set up the pipeline (%s)", bel_status_str(st));
        goto fail;
    }
    st = bel_ring_create(SESSION_UI_RING, sizeof(ui_item), &s->ui_ring);
    if (st == BEL_OK) {
        st = bel_ring_create(SESSION_WRITER_RING, sizeof(writer_item), &s->writer_ring);
    }
    if (st != BEL_OK) {
        goto fail;
    }
    st = open_outputs(s, info, &pcfg, msg, sizeof msg);
    if (st != BEL_OK) {
        goto fail;
    }
    *out = s;
    return BEL_OK;
fail:
    if (err && err_len) {
        snprintf(err, err_len, "%s", msg);
    }
    bel_session_destroy(s);
    return st;
}

/* ---- input thread --------------------------------------------------------------------- */

/* Push to a ring: a live session drops when full (counted by the ring); a
 * fast replay waits for room, since nothing real-time depends on it. */
static void publish(bel_session *s, bel_ring *ring, const void *item)
{
    if (!s->cfg.is_live) {
        while (bel_ring_get_free(ring) == 0 && !atomic_load(&s->stop)) {
            sleep_ms(1);
        }
    }
    (void)bel_ring_push(ring, item);
}

static void publish_event(bel_session *s, const bel_event *ev)
{
    ui_item u;
    writer_item w;
    memset(&u, 0, sizeof u);
    memset(&w, 0, sizeof w);
    u.is_event = true;
    u.ev = *ev;
    w.is_event = true;
    w.ev = *ev;
    publish(s, s->writer_ring, &w);
    publish(s, s->ui_ring, &u);
    atomic_fetch_add_explicit(&s->n_events, 1, memory_order_relaxed);
    if (s->has_guide) {
        bel_assess_note_event(&s->guide, ev);
    }
}

static void publish_link(bel_session *s)
{
    if (!s->cfg.link) {
        return;
    }
    bel_event ev;
    while (bel_serial_take_event(s->cfg.link, &ev) == 1) {
        publish_event(s, &ev);
    }
    bel_serial_stats st = bel_serial_get_stats(s->cfg.link);
    atomic_store_explicit(&s->n_lines, st.proto.lines, memory_order_relaxed);
    atomic_store_explicit(&s->n_rejected, st.proto.n_errors, memory_order_relaxed);
    for (int k = 0; k < BEL_PROTO_ERR_COUNT; k++) {
        atomic_store_explicit(&s->n_rejected_by_kind[k], st.proto.errors[k], memory_order_relaxed);
    }
    atomic_store_explicit(&s->n_lost, st.n_lost, memory_order_relaxed);
    atomic_store_explicit(&s->n_reconnects, st.n_reconnects, memory_order_relaxed);
    atomic_store_explicit(&s->is_connected, st.is_connected, memory_order_relaxed);
}

/* The marks asked for since the last sample, as events at this sample's time. */
static void emit_marks(bel_session *s, double t_s)
{
    static const bel_event_kind kinds[4] = {BEL_EV_MARKER, BEL_EV_DISCOMFORT, BEL_EV_PAUSE,
                                            BEL_EV_RESUME};
    for (int k = 0; k < 4; k++) {
        const uint32_t asked = atomic_load_explicit(&s->n_marks_asked[k], memory_order_relaxed);
        while (s->n_marks_done[k] != asked) {
            s->n_marks_done[k]++;
            const bel_event ev = bel_event_make(kinds[k], t_s, t_s);
            publish_event(s, &ev);
            if (k == 0) {
                atomic_fetch_add_explicit(&s->n_markers, 1, memory_order_relaxed);
            }
        }
    }
}

static const uint8_t action_bits[2] = {BEL_ACTION_RELEARN, BEL_ACTION_TURN_ROUND};

/* The actions asked for since the last sample, as that sample's: the pipeline acts on
 * them before the sample, and the recording keeps them before its row, so that reading
 * the recording again acts at the same sample (and a recording replayed keeps its own). */
static uint8_t take_actions(bel_session *s)
{
    uint8_t bits = 0;
    for (int k = 0; k < 2; k++) {
        const uint32_t asked = atomic_load_explicit(&s->n_actions_asked[k], memory_order_relaxed);
        if (asked != s->n_actions_done[k]) {
            s->n_actions_done[k] = asked;
            bits |= action_bits[k];
        }
    }
    return bits;
}

static void ask_action(bel_session *s, uint8_t bit)
{
    for (int k = 0; s && k < 2; k++) {
        if (bit == action_bits[k]) {
            atomic_fetch_add_explicit(&s->n_actions_asked[k], 1, memory_order_relaxed);
        }
    }
}

void bel_session_relearn(bel_session *s) { ask_action(s, BEL_ACTION_RELEARN); }

void bel_session_turn_round(bel_session *s) { ask_action(s, BEL_ACTION_TURN_ROUND); }

void bel_session_turn_round_if(bel_session *s, uint32_t n_polarity_flips)
{
    if (s) {
        atomic_store_explicit(&s->turn_if_flips, n_polarity_flips, memory_order_relaxed);
    }
}

void bel_session_keep_reading_if(bel_session *s, uint32_t n_polarity_flips)
{
    if (s) {
        atomic_store_explicit(&s->keep_if_flips, n_polarity_flips, memory_order_relaxed);
    }
}

/* bel_session_turn_round_if's turn and bel_session_keep_reading_if's keeping, each if the
 * belts still read as it was judged on. */
static uint8_t take_if(bel_session *s)
{
    const uint32_t turn =
        atomic_exchange_explicit(&s->turn_if_flips, UINT32_MAX, memory_order_relaxed);
    const uint32_t keep =
        atomic_exchange_explicit(&s->keep_if_flips, UINT32_MAX, memory_order_relaxed);
    if (turn == UINT32_MAX && keep == UINT32_MAX) {
        return 0;
    }
    bel_metrics m;
    bel_pipeline_get_metrics(s->pipe, &m);
    if (m.n_polarity_flips == turn) {
        return BEL_ACTION_TURN_ROUND;
    }
    return m.n_polarity_flips == keep && m.is_polarity_found ? BEL_ACTION_KEEP_READING : 0;
}

void bel_session_mark(bel_session *s, bel_event_kind kind)
{
    static const bel_event_kind kinds[4] = {BEL_EV_MARKER, BEL_EV_DISCOMFORT, BEL_EV_PAUSE,
                                            BEL_EV_RESUME};
    for (int k = 0; s && k < 4; k++) {
        if (kind == kinds[k]) {
            atomic_fetch_add_explicit(&s->n_marks_asked[k], 1, memory_order_relaxed);
        }
    }
}

/* The guided assessment after this sample's events. Its deep breath, once accepted, says
 * which way the belly belt reads: when the pipeline reads it the other way, the next
 * sample carries a turn-round (the person's i), so the recording keeps it and reading it
 * again turns at the same sample. true when the guide is over (the session ends here). */
static bool follow_guide(bel_session *s, const bel_sample *smp)
{
    const float chest = s->chest_channel >= 0 && s->chest_channel < smp->n_channels
                            ? smp->value[s->chest_channel]
                            : NAN;
    bel_assess_note_sample(&s->guide, smp->t_s, smp->value[s->belly_channel], chest);
    const bel_assess_phase before = bel_assess_get_phase(&s->guide);
    const bel_assess_change c = bel_assess_update(&s->guide, smp->t_s);
    bool belly_inverted = false, chest_inverted = false;
    if (c == BEL_ASSESS_NEXT && before == BEL_ASSESS_DEEP &&
        bel_assess_get_deep_polarity(&s->guide, &belly_inverted, &chest_inverted)) {
        bel_metrics m;
        bel_pipeline_get_metrics(s->pipe, &m);
        if (m.is_belly_inverted != belly_inverted) {
            s->guide_actions |= BEL_ACTION_TURN_ROUND;
        }
    }
    const bel_assess_phase ph = bel_assess_get_phase(&s->guide);
    return ph == BEL_ASSESS_DONE || ph == BEL_ASSESS_FAILED;
}

static void *input_main(void *arg)
{
    bel_session *s = arg;
    bel_sample smp;
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    ui_item u;
    writer_item w;
    memset(&u, 0, sizeof u);
    memset(&w, 0, sizeof w);
    bool has_first = false;
    double t_first_s = 0.0;
    double start_s = mono_s();
    uint64_t index = 0;
    while (!atomic_load(&s->stop)) {
        int rc = bel_source_read(s->cfg.source, &smp, SESSION_READ_TIMEOUT_MS);
        publish_link(s);
        if (s->cfg.is_live && s->cfg.duration_s > 0.0 && mono_s() - start_s >= s->cfg.duration_s) {
            break;
        }
        if (rc == BEL_ERR_TIMEOUT) {
            continue;
        }
        if (rc == 0) {
            break;
        }
        if (rc < 0) {
            snprintf(s->input_err, sizeof s->input_err, "%s", bel_source_get_error(s->cfg.source));
            if (s->input_err[0] == '\0') {
                snprintf(s->input_err, sizeof s->input_err, "%s: %s",
                         bel_source_describe(s->cfg.source), bel_status_str(rc));
            }
            break;
        }
        if (!has_first) {
            has_first = true;
            t_first_s = smp.t_s;
        }
        if (s->cfg.duration_s > 0.0 && smp.t_s - t_first_s >= s->cfg.duration_s) {
            break;
        }
        smp.actions |= take_actions(s) | take_if(s) | s->guide_actions;
        s->guide_actions = 0;
        int n = bel_pipeline_process(s->pipe, &smp, ev, BEL_PIPELINE_MAX_EVENTS);
        if (n < 0) {
            snprintf(s->input_err, sizeof s->input_err,
                     "the pipeline refused the sample at %.3f s (time went backwards?)", smp.t_s);
            break;
        }
        w.is_event = false;
        w.sample = smp;
        publish(s, s->writer_ring, &w);
        for (int k = 0; k < n; k++) {
            publish_event(s, &ev[k]);
        }
        emit_marks(s, smp.t_s);
        const bool is_guide_over = s->has_guide && follow_guide(s, &smp);
        u.is_event = false;
        u.frame.index = index++;
        u.frame.sample = smp;
        bel_pipeline_get_metrics(s->pipe, &u.frame.metrics);
        u.frame.published_mono_s = mono_s();
        if (s->on_input) {
            s->on_input(s->on_input_ctx, &u.frame);
        }
        publish(s, s->ui_ring, &u);
        atomic_fetch_add_explicit(&s->n_samples, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->n_missed, smp.n_missed, memory_order_relaxed);
        if (is_guide_over) {
            break;
        }
    }
    publish_link(s);
    atomic_store_explicit(&s->input_done, true, memory_order_release);
    return NULL;
}

/* ---- writer thread -------------------------------------------------------------------- */

static void writer_fail(bel_session *s, const char *msg)
{
    if (s->writer_err[0] == '\0') {
        snprintf(s->writer_err, sizeof s->writer_err, "%s", msg);
        /* The main thread says so at once (and the window shows it); writer_err is
         * never changed again, so it may read it after this. */
        atomic_store_explicit(&s->is_write_failed, true, memory_order_release);
    }
}

static void write_item(bel_session *s, const writer_item *w)
{
    if (s->writer_err[0] != '\0') {
        return; /* keep draining so the input never waits on a broken disk */
    }
    if (!w->is_event) {
        if (s->rec && bel_recording_writer_write(s->rec, &w->sample) != BEL_OK) {
            writer_fail(s, bel_recording_writer_get_error(s->rec));
        }
        return;
    }
    if (s->rec_events && bel_event_csv_write(s->rec_events, &w->ev) != BEL_OK) {
        writer_fail(s, bel_event_csv_get_error(s->rec_events));
    }
    if (s->extra_events && bel_event_csv_write(s->extra_events, &w->ev) != BEL_OK) {
        writer_fail(s, bel_event_csv_get_error(s->extra_events));
    }
}

static void flush_all(bel_session *s)
{
    if (s->writer_err[0] != '\0') {
        return;
    }
    if (s->rec && bel_recording_writer_flush(s->rec) != BEL_OK) {
        writer_fail(s, bel_recording_writer_get_error(s->rec));
    }
    if (s->rec_events && bel_event_csv_flush(s->rec_events) != BEL_OK) {
        writer_fail(s, bel_event_csv_get_error(s->rec_events));
    }
    if (s->extra_events && bel_event_csv_flush(s->extra_events) != BEL_OK) {
        writer_fail(s, bel_event_csv_get_error(s->extra_events));
    }
}

static void *writer_main(void *arg)
{
    bel_session *s = arg;
    writer_item w;
    double last_flush_s = mono_s();
    for (;;) {
        /* Read the done flag before draining: whatever was pushed before it is drained. */
        bool is_done = atomic_load_explicit(&s->input_done, memory_order_acquire);
        int n = 0;
        while (bel_ring_pop(s->writer_ring, &w)) {
            write_item(s, &w);
            n++;
        }
        if (mono_s() - last_flush_s >= FLUSH_EVERY_S) {
            flush_all(s);
            last_flush_s = mono_s();
        }
        if (is_done) {
            break;
        }
        if (n == 0) {
            sleep_ms(10);
        }
    }
    if (s->rec && bel_recording_writer_close(s->rec) != BEL_OK) {
        writer_fail(s, bel_recording_writer_get_error(s->rec));
    }
    if (s->rec_events && bel_event_csv_close(s->rec_events) != BEL_OK) {
        writer_fail(s, bel_event_csv_get_error(s->rec_events));
    }
    if (s->extra_events && bel_event_csv_close(s->extra_events) != BEL_OK) {
        writer_fail(s, bel_event_csv_get_error(s->extra_events));
    }
    return NULL;
}

/* ---- control -------------------------------------------------------------------------- */

void bel_session_set_input_hook(bel_session *s,
                                void (*fn)(void *ctx, const bel_session_frame *frame), void *ctx)
{
    if (s && !s->is_started) {
        s->on_input = fn;
        s->on_input_ctx = ctx;
    }
}

bel_status bel_session_start(bel_session *s)
{
    if (!s || s->is_started) {
        return BEL_ERR_ARG;
    }
    if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
        snprintf(s->err, sizeof s->err, "cannot start the writer thread");
        return BEL_ERR_NOMEM;
    }
    if (pthread_create(&s->input_thread, NULL, input_main, s) != 0) {
        atomic_store(&s->input_done, true);
        pthread_join(s->writer_thread, NULL);
        snprintf(s->err, sizeof s->err, "cannot start the input thread");
        s->is_finished = true;
        return BEL_ERR_NOMEM;
    }
    s->is_started = true;
    return BEL_OK;
}

void bel_session_stop(bel_session *s)
{
    if (s) {
        atomic_store(&s->stop, true);
    }
}

bool bel_session_is_done(const bel_session *s)
{
    return !s || atomic_load_explicit(&s->input_done, memory_order_acquire);
}

int bel_session_poll(bel_session *s, bool *is_event, bel_session_frame *frame, bel_event *ev)
{
    ui_item u;
    if (!bel_ring_pop(s->ui_ring, &u)) {
        return 0;
    }
    *is_event = u.is_event;
    if (u.is_event) {
        *ev = u.ev;
    } else {
        *frame = u.frame;
        s->latest = u.frame;
        s->has_latest = true;
    }
    return 1;
}

bool bel_session_get_latest(const bel_session *s, bel_session_frame *out)
{
    if (!s->has_latest) {
        return false;
    }
    *out = s->latest;
    return true;
}

void bel_session_get_counters(const bel_session *s, bel_session_counters *out)
{
    memset(out, 0, sizeof *out);
    out->n_samples = atomic_load_explicit(&s->n_samples, memory_order_relaxed);
    out->n_events = atomic_load_explicit(&s->n_events, memory_order_relaxed);
    out->n_missed = atomic_load_explicit(&s->n_missed, memory_order_relaxed);
    out->n_lines = atomic_load_explicit(&s->n_lines, memory_order_relaxed);
    out->n_rejected = atomic_load_explicit(&s->n_rejected, memory_order_relaxed);
    for (int k = 0; k < BEL_PROTO_ERR_COUNT; k++) {
        out->n_rejected_by_kind[k] =
            atomic_load_explicit(&s->n_rejected_by_kind[k], memory_order_relaxed);
    }
    out->n_lost = atomic_load_explicit(&s->n_lost, memory_order_relaxed);
    out->n_reconnects = atomic_load_explicit(&s->n_reconnects, memory_order_relaxed);
    out->is_connected = atomic_load_explicit(&s->is_connected, memory_order_relaxed);
    out->n_markers = atomic_load_explicit(&s->n_markers, memory_order_relaxed);
    out->n_display_dropped = bel_ring_get_dropped(s->ui_ring);
    out->n_record_dropped = bel_ring_get_dropped(s->writer_ring);
    out->is_recording_failed = atomic_load_explicit(&s->is_write_failed, memory_order_acquire);
}

/* A failed write (a full disk) is said the moment the writer meets it, not at the end:
 * the feedback goes on, and what was written so far stays in the files. */
static void tell_write_failure(bel_session *s)
{
    if (s->is_write_failure_told ||
        !atomic_load_explicit(&s->is_write_failed, memory_order_acquire)) {
        return;
    }
    s->is_write_failure_told = true;
    fflush(stdout);
    fputs("bellows: the recording stopped: ", stderr);
    bel_text_put(stderr, s->writer_err);
    fputs(". The session goes on without recording; what was written so far is kept.\n", stderr);
    fflush(stderr);
}

/* The hold-in start kept back by drain, printed as it came, or with end (its end,
 * detected with it: a hold-in seen only when the belly was let go) as one line.
 * Returns 0 when none was kept, 1 when it was printed alone, 2 with end. */
static int print_held(bel_session *s, const bel_event *end)
{
    if (!s->has_held_start) {
        return 0;
    }
    s->has_held_start = false;
    const bel_event *start = &s->held_start;
    if (end && end->kind == BEL_EV_HOLDIN_END && end->t_detect_s == start->t_detect_s) {
        printf("[%8.1f s]  the belly was held in from %.1f s to %.1f s (seen when it was let "
               "go)\n",
               end->t_detect_s, fmax(start->t_s, 0.0), end->t_s); /* not -0.0 at the start */
        return 2;
    }
    print_event(s, start);
    return 1;
}

/* Drain the main thread's ring: print and hand to the hooks. */
static void drain(bel_session *s, const bel_session_hooks *hooks)
{
    bool is_event = false;
    bel_session_frame frame;
    bel_event ev;
    bool printed = false;
    while (bel_session_poll(s, &is_event, &frame, &ev) == 1) {
        if (is_event) {
            /* Paused: the breath and its guidance are recorded, not said. */
            const bool is_guidance = ev.kind <= BEL_EV_BREATH_HOLD_END;
            if (ev.kind == BEL_EV_PAUSE || ev.kind == BEL_EV_RESUME) {
                s->is_paused_printed = ev.kind == BEL_EV_PAUSE;
            }
            if (!s->cfg.quiet && !(s->is_paused_printed && is_guidance)) {
                if (print_held(s, &ev) != 2) {
                    if (ev.kind == BEL_EV_HOLDIN_START) {
                        s->has_held_start = true;
                        s->held_start = ev;
                    } else {
                        print_event(s, &ev);
                    }
                }
                printed = true;
            }
            if (hooks && hooks->on_event) {
                hooks->on_event(hooks->ctx, &ev);
            }
            continue;
        }
        if (print_held(s, NULL) != 0) {
            printed = true;
        }
        s->term_relaxed_depth = frame.metrics.relaxed_depth;
        if (!s->has_first) {
            s->has_first = true;
            s->t_first_s = frame.sample.t_s;
            s->next_metrics_s = METRICS_EVERY_S;
        }
        if (!s->cfg.quiet && frame.sample.t_s - s->t_first_s >= s->next_metrics_s) {
            /* Once, however long the gap before this sample (a belt unplugged for 25 s
             * owes two lines, not two copies of this one). */
            while (frame.sample.t_s - s->t_first_s >= s->next_metrics_s) {
                s->next_metrics_s += METRICS_EVERY_S;
            }
            print_metrics(&frame.metrics);
            printed = true;
        }
        if (hooks && hooks->on_sample) {
            hooks->on_sample(hooks->ctx, &frame);
        }
    }
    if (printed) {
        fflush(stdout);
    }
}

bel_status bel_session_run_main(bel_session *s, const bel_session_hooks *hooks,
                                bool (*stop_requested)(void))
{
    if (!s || !s->is_started) {
        return BEL_ERR_ARG;
    }
    int frame_ms = hooks && hooks->frame_ms >= 1 && hooks->frame_ms <= 100 ? hooks->frame_ms : 20;
    bel_session_counters c;
    for (;;) {
        bool is_done = bel_session_is_done(s); /* before draining: nothing is left behind */
        drain(s, hooks);
        tell_write_failure(s);
        if (hooks && hooks->on_frame) {
            bel_session_get_counters(s, &c);
            if (!hooks->on_frame(hooks->ctx, &c)) {
                break;
            }
        }
        if (is_done || (stop_requested && stop_requested())) {
            break;
        }
        sleep_ms(frame_ms);
    }
    bel_session_stop(s);
    bel_status st = bel_session_finish(s);
    drain(s, hooks);
    tell_write_failure(s); /* the final flush and close may be the first to fail */
    if (!s->cfg.quiet) {
        if (s->has_latest) {
            print_metrics(&s->latest.metrics);
        }
        bel_session_get_counters(s, &c);
        print_counters(&c, s->cfg.link != NULL);
        fflush(stdout);
    }
    return st;
}

bel_status bel_session_finish(bel_session *s)
{
    if (!s) {
        return BEL_ERR_ARG;
    }
    if (s->is_started && !s->is_finished) {
        bel_session_stop(s);
        pthread_join(s->input_thread, NULL);
        pthread_join(s->writer_thread, NULL);
        s->is_finished = true;
        if (s->input_err[0] != '\0') {
            s->status = BEL_ERR_IO;
            snprintf(s->err, sizeof s->err, "%s", s->input_err);
        } else if (s->writer_err[0] != '\0') {
            s->status = BEL_ERR_IO;
            snprintf(s->err, sizeof s->err, "%s", s->writer_err);
        }
    }
    return s->status;
}

const char *bel_session_get_error(const bel_session *s) { return s ? s->err : ""; }

bool bel_session_get_summary(const bel_session *s, bel_summary *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !s->is_finished) {
        return false;
    }
    bel_pipeline_get_summary(s->pipe, out);
    return true;
}

bool bel_session_get_metrics(const bel_session *s, bel_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !s->is_finished) {
        return false;
    }
    bel_pipeline_get_metrics(s->pipe, out);
    return true;
}

void bel_session_destroy(bel_session *s)
{
    if (!s) {
        return;
    }
    if (s->is_started) {
        bel_status st = bel_session_finish(s); /* errors were the caller's to ask for */
        (void)st;
    }
    bel_recording_writer_destroy(s->rec);
    bel_event_csv_destroy(s->rec_events);
    bel_event_csv_destroy(s->extra_events);
    bel_ring_destroy(s->ui_ring);
    bel_ring_destroy(s->writer_ring);
    bel_pipeline_destroy(s->pipe);
    free(s->record_prefix);
    free(s->events_path);
    free(s);
}
