/* ui_session.c - ties the session's published samples and events to the view, pacer and tones.
 *
 * All of this runs on the main thread inside bel_session_run_main's hooks: the
 * input thread publishes through its ring, the hooks fold each item into the
 * view-model, and on_frame draws it (the window paces the loop at display
 * rate). The audio callback only reads the _Atomic tone parameters.
 * SPDX-License-Identifier: MIT */
#include "ui_session.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "bellows/pacer.h"
#include "bellows/tone.h"
#include "calibration.h"
#include "cli.h"
#include "engine.h"
#include "privacy.h"
#include "store.h"
#include "ui_view.h"
#include "ui_window.h"

#ifndef BELLOWS_ASSETS_DIR
#define BELLOWS_ASSETS_DIR "assets"
#endif
#ifndef BELLOWS_DATA_FROM_BINDIR
#define BELLOWS_DATA_FROM_BINDIR "../share/bellows"
#endif

enum { ACTIONS_MAX = 16 };

static const double TREND_EVERY_S = 10.0;
/* No sample for this long: the session's time goes on by the clock (the belt is away). */
static const double STALL_S = 0.3;
/* No sample for this long, or the link said so: the belt is unplugged. */
static const double UNPLUGGED_S = 1.0;
static const float PACE_STEP_BPM = 0.5f;

/* The belly followed for the figure or the tone: a display signal of its own into a view,
 * and the expansion it makes. One per thread that follows it. */
typedef struct follower {
    bel_ui_view *v;
    bel_ui_smoother smoother;
    uint32_t n_restarts;    /* the pipeline's restarts (steps in the belt) seen */
    bool is_inverted;       /* the belly polarity the trace was drawn with */
    bool is_chest_inverted; /* the chest's */
    double mono_last_s;     /* when the previous frame was published */
} follower;

struct ui_session {
    bel_ui_view view;
    bel_pacer *pacer;
    bool is_pacer_cues_off;
    bel_tone_params tone;
    bel_audio *audio;
    bel_ui_window *win;
    bel_ui_window *win2; /* --therapist-window: the therapist layout, or NULL */
    int chest_channel;
    bool has_first;
    double t_first_s;
    double t_now_s;
    double next_trend_s;
    uint32_t last_phase_seq;
    int belly_channel;
    follower figure;    /* main thread: the figure and the trace (view) */
    follower tone_side; /* input thread: the breath tone's target (its own view) */
    double fs_hz;
    double t_last_sample_s;    /* signal time of the latest sample */
    double mono_last_sample_s; /* CLOCK_MONOTONIC when it was published */
    double paused_s;           /* session time spent paused (the clock stops) */
    double t_pause_start_s;
    /* The cues the options (and keys) allow; the pause and an unplugged belt silence
     * them on top. */
    bool is_breath_tone_wanted;
    bool is_holdin_cue_wanted;
    bool is_hold_cue_wanted;
    bool is_cues_off_by_key;     /* c: every cue off (the options' choices come back with c) */
    bool has_input_hook;         /* the tone's target is set from the input thread */
    _Atomic uint32_t n_reranges; /* r pressed (main thread); the tone's follower sees it */
    uint32_t n_reranges_seen;    /* input thread */
    /* One belt's polarity: the breathing's shape says it may read the other way round
     * (the pipeline only reports it with one belt); the band asks, for a minute from
     * t_polarity_ask_s, unless the person or an assessment has said which way it reads. */
    bool is_polarity_settled;
    bool is_reading_kept; /* the pacer said the belts read as they do (follow_pacer_reading) */
    double t_polarity_ask_s;
    /* The pacer's reading of the onsets follows the belts' (n_polarity_flips as the
     * frames show it); a turn asked (i, or the pacer) and not yet shown by a frame. */
    uint32_t pacer_flips;
    bool is_turn_asked;
    /* A hold-in start came with this sample (at its t_holdin_start_s): its cue waits for
     * the sample's frame, after its events, and is not given when its end came with it
     * (seen only when the belly was let go: the band says so instead). */
    bool is_holdin_start_new;
    bool is_holdin_cue_owed;
    double t_holdin_start_s;
    bool is_quiet;     /* run --quiet: no breath lines in the terminal */
    FILE *latency_log; /* $BELLOWS_LATENCY_LOG (tests/bench): frames and callbacks */
    /* The guided assessment (bellows assess), or NULL. */
    bel_assess *guide;
    bool is_guide_shown;
    bel_session *session; /* for the therapist's marks (k, d) */
    bool is_stdin_done;   /* stdin ended or failed: no more marks from the terminal */
    bool has_news;        /* a sample, an event or a key since the last frame drawn */
    bool is_quit_by_key;  /* q: the session ended there, its summary waits for a key */
};

/* The font: $BELLOWS_FONT; else the installed one, found from where this binary is
 * (PREFIX/bin/bellows -> PREFIX/share/bellows/fonts), so any prefix and a staged
 * install work; else the source tree's (a build-tree binary); else the system's.
 * false when none is readable. */
static bool find_font(char *buf, size_t len)
{
    static const char *const candidates[] = {
        BELLOWS_ASSETS_DIR "/fonts/DejaVuSans.ttf",
        "assets/fonts/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    };
    const char *env = getenv("BELLOWS_FONT");
    if (env && access(env, R_OK) == 0) {
        snprintf(buf, len, "%s", env);
        return true;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = NULL;
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
    }
    if (slash) {
        *slash = '\0';
        int w = snprintf(buf, len, "%s/%s/fonts/DejaVuSans.ttf", exe, BELLOWS_DATA_FROM_BINDIR);
        if (w > 0 && (size_t)w < len && access(buf, R_OK) == 0) {
            return true;
        }
    }
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (access(candidates[i], R_OK) == 0) {
            snprintf(buf, len, "%s", candidates[i]);
            return true;
        }
    }
    return false;
}

/* The first live window on this account opens with the help (how to put the belt on,
 * what the figure, disc and band mean): true when it has never been shown, and it is
 * noted (DATA_DIR/help-seen, 0600) so it is not shown again unasked. */
static bool is_first_run(void)
{
    char dir[4096];
    char path[4200];
    if (bel_store_default_dir(dir, sizeof dir) != BEL_OK) {
        return false;
    }
    snprintf(path, sizeof path, "%s/help-seen", dir);
    if (access(path, F_OK) == 0) {
        return false;
    }
    if (bel_privacy_make_dirs(dir, NULL, 0) == BEL_OK) {
        const int fd = bel_privacy_open(path, false, NULL, 0);
        if (fd >= 0) {
            close(fd);
        }
    }
    return true;
}

ui_session_options ui_session_options_default(const char *cmd)
{
    ui_session_options o;
    memset(&o, 0, sizeof o);
    o.cmd = cmd;
    o.volume = 0.7;
    return o;
}

/* The pacer o->pacer names: its preset (custom: phase_s too), or -1 if it names none. */
static int pacer_of(const ui_session_options *o, float phase_s[4])
{
    return bel_pacer_from_name(o->pacer, phase_s);
}

static int bad_pacer(const ui_session_options *o)
{
    return cli_usage_error(o->cmd ? o->cmd : "run",
                           "--pacer: '%s' is not one of resonance, box, 4-7-8, even, "
                           "adaptive, or custom:IN-HOLD-OUT-HOLD in seconds (custom:4-2-6-0)",
                           o->pacer);
}

int ui_session_check_options(const ui_session_options *o, bel_holdin_calibration *calibration)
{
    const char *cmd = o->cmd ? o->cmd : "run";
    float custom[4] = {0};
    if (pacer_of(o, custom) < 0) {
        return bad_pacer(o);
    }
    *calibration = bel_holdin_calibration_none();
    if (o->calibration) {
        char err[BEL_IO_ERR_LEN];
        if (bel_calibration_load(o->calibration, calibration, err, sizeof err) != BEL_OK) {
            return cli_fail(cmd, "--calibration: %s", err);
        }
    }
    return CLI_EXIT_OK;
}

int ui_session_create(const ui_session_options *o, bel_source *src, ui_session **out)
{
    *out = NULL;
    const char *cmd = o->cmd ? o->cmd : "run";
    float custom[4] = {0};
    const int preset = pacer_of(o, custom);
    if (preset < 0) {
        return bad_pacer(o);
    }
    const bool is_custom = preset == BEL_PACER_CUSTOM;
    ui_session *u = calloc(1, sizeof *u);
    if (!u) {
        cli_fail(cmd, "out of memory");
        return CLI_EXIT_FAIL;
    }
    atomic_init(&u->n_reranges, 0u);
    bel_ui_view_init(&u->view);
    bel_pacer_config pc = bel_pacer_config_default();
    pc.preset = (bel_pacer_preset)preset;
    if (is_custom) {
        memcpy(pc.phase_s, custom, sizeof custom);
    }
    if (bel_pacer_create(&pc, &u->pacer) != BEL_OK) {
        free(u);
        cli_fail(cmd, "cannot set up the pacer");
        return CLI_EXIT_FAIL;
    }
    snprintf(u->view.pacer_name, sizeof u->view.pacer_name, "%s", bel_pacer_preset_name(pc.preset));
    /* The channels the session's pipeline reads: chosen where the session chooses them. */
    const bel_source_info *info = bel_source_get_info(src);
    const bel_engine_settings es = bel_engine_settings_default();
    char why[BEL_IO_ERR_LEN];
    if (bel_engine_choose_channels(info, &es, bel_source_describe(src), &u->belly_channel,
                                   &u->chest_channel, why, sizeof why) != BEL_OK) {
        u->belly_channel = 0; /* cannot happen: by default every source has a belly */
        u->chest_channel = -1;
    }
    const double fs_hz = info->fs_hz > 0.0 ? info->fs_hz : 50.0; /* the session checks it */
    u->fs_hz = fs_hz;
    u->figure.v = &u->view;
    u->tone_side.v = calloc(1, sizeof *u->tone_side.v);
    if (u->tone_side.v) {
        bel_ui_view_init(u->tone_side.v);
    }
    if (!u->tone_side.v || bel_ui_smoother_init(&u->figure.smoother, fs_hz) != BEL_OK ||
        bel_ui_smoother_init(&u->tone_side.smoother, fs_hz) != BEL_OK) {
        free(u->tone_side.v);
        bel_pacer_destroy(u->pacer);
        free(u);
        cli_fail(cmd, "cannot set up the display filter");
        return CLI_EXIT_FAIL;
    }
    u->view.has_chest = u->chest_channel >= 0;
    snprintf(u->view.source, sizeof u->view.source, "%s",
             o->source_label ? o->source_label : bel_source_describe(src));
    u->view.is_simulated = o->is_simulated;
    /* Not asked with a chest belt (found from both), from an assessment, or while one is
     * made (its deep breath shows it). */
    u->is_polarity_settled = o->has_calibration || u->chest_channel >= 0 || o->guide;
    u->t_polarity_ask_s = NAN;
    u->view.t_pacer_turned_s = NAN;
    u->is_quiet = o->is_quiet;
    bel_tone_params_init(&u->tone);
    bel_tone_set_volume(&u->tone, (float)o->volume);
    bel_tone_set_breath_on(&u->tone, !o->is_breath_tone_off);
    bel_tone_set_cues_on(&u->tone, !o->is_pacer_cues_off);
    bel_tone_set_holdin_cue_on(&u->tone, !o->is_holdin_cue_off);
    u->is_pacer_cues_off = o->is_pacer_cues_off;
    u->is_breath_tone_wanted = !o->is_breath_tone_off;
    u->is_holdin_cue_wanted = !o->is_holdin_cue_off;
    u->is_hold_cue_wanted = !o->is_hold_cue_off;
    if (o->guide) { /* natural breathing is measured: no pacer, no tone to follow */
        u->guide = o->guide;
        u->is_stdin_done = true; /* the terminal is the therapist's, for the findings (--ask) */
        u->view.is_assessing = true;
        u->view.is_pacer_on = false;
        u->view.assess_steps = 3;
        u->is_breath_tone_wanted = false;
        bel_tone_set_breath_on(&u->tone, false);
        bel_tone_set_cues_on(&u->tone, true);
    }

    char err[256];
    const char *log_path = getenv("BELLOWS_LATENCY_LOG");
    if (log_path && log_path[0]) {
        u->latency_log = fopen(log_path, "w");
    }
    if (!o->is_audio_off) {
        bel_audio_config ac = bel_audio_config_default();
        ac.is_timing_on = u->latency_log != NULL;
        if (bel_audio_create(&ac, &u->tone, &u->audio, err, sizeof err) != BEL_OK) {
            fprintf(stderr, "bellows %s: no audio output; continuing without tones\n", cmd);
        } else { /* once: what the device gave */
            printf("tones: %d-frame buffers, output latency %.1f ms\n",
                   bel_audio_get_frames_per_buf(u->audio),
                   bel_audio_get_output_latency_s(u->audio) * 1000.0);
            fflush(stdout);
        }
    }
    u->view.is_audio_available = u->audio != NULL;
    if (!o->is_window_off) {
        char font[4608];
        const bool has_font = find_font(font, sizeof font);
        if (!bel_ui_display_available() && o->is_quiet) {
            fprintf(stderr,
                    "bellows %s: no display; continuing without a window (use "
                    "--no-window to silence this)\n",
                    cmd);
        } else if (!bel_ui_display_available()) {
            fprintf(stderr,
                    "bellows %s: no display, so no window: following the breath here instead, "
                    "a line per breath turn and a summary every 10 s (--no-window skips this "
                    "note)\n",
                    cmd);
        } else if (!has_font) {
            fprintf(stderr,
                    "bellows %s: no font found (set BELLOWS_FONT to a .ttf file); "
                    "continuing without a window\n",
                    cmd);
        } else if (bel_ui_window_create("bellows", 1280, 800, font, &u->win, err, sizeof err) !=
                   BEL_OK) {
            (void)cli_fail(cmd, "%s; continuing without a window", err);
        }
        if (u->win && !o->guide) {
            if (is_first_run()) {
                bel_ui_view_open_first_help(&u->view);
            }
        }
        if (u->win && o->is_therapist_window &&
            bel_ui_window_create("bellows - therapist", 1280, 800, font, &u->win2, err,
                                 sizeof err) != BEL_OK) {
            (void)cli_fail(cmd, "%s; continuing without the therapist's window", err);
        }
        if (u->win2) {
            bel_ui_window_place_beside(u->win2, u->win);
        }
    }
    *out = u;
    return CLI_EXIT_OK;
}

/* Say the guide's phase in the window, the terminal and with a soft cue: at the start,
 * at each change, and why a phase is asked again. */
static void show_guide(ui_session *u, double t_s, bel_assess_change change)
{
    const bel_assess *g = u->guide;
    bel_ui_view *v = &u->view;
    const bel_assess_phase ph = bel_assess_get_phase(g);
    const bool is_final = ph == BEL_ASSESS_DONE || ph == BEL_ASSESS_FAILED;
    char why[sizeof u->view.assess_why] = "";
    if (change == BEL_ASSESS_AGAIN || change == BEL_ASSESS_GAVE_UP) {
        int n = 0;
        switch (bel_assess_get_why(g, &n)) {
        case BEL_ASSESS_WHY_NOT_DEEP:
            snprintf(why, sizeof why,
                     "The deepest breath was %.1fx the relaxed one; it needs %.1fx.",
                     (double)bel_assess_get_deep_ratio(g), (double)g->cfg.deep_ratio);
            break;
        case BEL_ASSESS_WHY_FEW_BREATHS:
            snprintf(why, sizeof why, "Only %d breath%s found; check the belt sits snugly.", n,
                     n == 1 ? " was" : "s were");
            break;
        case BEL_ASSESS_WHY_SIGNAL_LOST:
            snprintf(why, sizeof why, "The belt stopped sending; check its cable.");
            break;
        case BEL_ASSESS_WHY_NONE:
        default:
            break;
        }
    }
    const double len_s = bel_assess_get_remaining_s(g, t_s);
    const int try_n = bel_assess_get_try(g);
    if (is_final) {
        printf("[%5.1f s] %s%s%s\n", t_s, why, why[0] ? " " : "", bel_assess_phase_prompt(ph));
    } else {
        if (why[0]) {
            printf("[%5.1f s] %s Once more.\n", t_s, why);
        }
        printf("[%5.1f s] %s (%.0f s%s): %s\n", t_s, bel_assess_phase_name(ph), len_s,
               try_n > 1 ? ", asked again" : "", bel_assess_phase_prompt(ph));
    }
    fflush(stdout);
    if (try_n > 1 && !is_final) {
        snprintf(v->assess_phase, sizeof v->assess_phase, "%s (try %d)", bel_assess_phase_name(ph),
                 try_n);
    } else {
        snprintf(v->assess_phase, sizeof v->assess_phase, "%s", bel_assess_phase_name(ph));
    }
    snprintf(v->assess_prompt, sizeof v->assess_prompt, "%s", bel_assess_phase_prompt(ph));
    snprintf(v->assess_why, sizeof v->assess_why, "%s", why);
    v->assess_phase_s = (float)len_s;
    v->assess_remaining_s = (float)len_s;
    v->assess_step = ph < BEL_ASSESS_DONE ? (int)ph + 1 : 3;
    /* A soft cue: rising for the deep breath, falling to settle into natural breathing. */
    bel_tone_request_cue(&u->tone, ph == BEL_ASSESS_DEEP ? BEL_TONE_CUE_IN : BEL_TONE_CUE_OUT);
}

/* One published frame into a follower: what the pipeline has learnt and decided, the
 * display signal (a break in the line after a gap), and the expansion it makes. */
static void follow(follower *fo, const bel_session_frame *f, int belly_ch, int chest_ch,
                   double fs_hz, bool is_lost)
{
    bel_ui_view *v = fo->v;
    const bool is_after_gap =
        f->sample.n_missed > 0 || is_lost || f->published_mono_s - fo->mono_last_s >= UNPLUGGED_S;
    fo->mono_last_s = f->published_mono_s;
    if (is_after_gap && v->trace_head > 0) {
        /* The belt was away: the line breaks here (drawn as a gap, never bridged), and
         * the figure ranges itself on what comes now. */
        bel_ui_view_push_sample(v, f->sample.t_s - 0.5 / fs_hz, NAN, NAN);
        v->range_from_s = f->sample.t_s;
    }
    const bel_metrics *m = &f->metrics;
    /* The chest expansion up, as the pipeline reads it (the belly's display signal is
     * the smoother's, which does the same). */
    const float chest_raw =
        chest_ch >= 0 && chest_ch < f->sample.n_channels ? f->sample.value[chest_ch] : NAN;
    const float chest = m->is_chest_inverted ? -chest_raw : chest_raw;
    v->m = *m;
    v->relaxed_level = m->relaxed_level;
    v->relaxed_depth = m->relaxed_depth;
    v->is_holdin = m->is_holding_in;
    v->is_breath_hold = m->is_breath_hold;
    v->belly_share = m->belly_share;
    v->chest_belly_phase_deg = m->chest_belly_phase_deg;
    if (m->n_restarts != fo->n_restarts) { /* a step in the belt: range the figure afresh */
        fo->n_restarts = m->n_restarts;
        v->range_from_s = f->sample.t_s;
    }
    if (m->is_belly_inverted != fo->is_inverted || m->is_chest_inverted != fo->is_chest_inverted) {
        /* turned round: the trace so far too */
        bel_ui_view_turn_trace_round(v, m->is_belly_inverted != fo->is_inverted,
                                     m->is_chest_inverted != fo->is_chest_inverted);
        fo->is_inverted = m->is_belly_inverted;
        fo->is_chest_inverted = m->is_chest_inverted;
    }
    const float raw = belly_ch < f->sample.n_channels ? f->sample.value[belly_ch] : NAN;
    const float belly = bel_ui_smoother_process(&fo->smoother, f->sample.t_s, raw, m);
    bel_ui_view_push_sample(v, f->sample.t_s, belly, chest);
    v->expansion = bel_ui_view_expansion(v);
}

/* How long the band asks whether the figure shrinks on breathing in: long enough to
 * watch a few breaths and answer; then only the help says it. */
static const double POLARITY_ASK_S = 60.0;

/* One belt, read the way the person was given it, whose breathing looks the other way
 * round (shape evidence over the recent breaths, pipeline.h): ask once. The person
 * sees whether the figure grows or shrinks on breathing in; the shape can mislead. */
static void ask_polarity(ui_session *u, const bel_metrics *m)
{
    bel_ui_view *v = &u->view;
    const bool looks_turned = m->is_shape_inverted && !m->is_belly_inverted;
    if (u->is_polarity_settled || !looks_turned) {
        v->is_polarity_asked = false;
        return;
    }
    if (!isfinite(u->t_polarity_ask_s)) {
        u->t_polarity_ask_s = u->t_now_s;
        if (!u->win && !u->is_quiet) {
            printf("the belt may read the other way round: if 'in' shows as you breathe "
                   "out, type i and Enter\n");
            fflush(stdout);
        }
    }
    v->is_polarity_asked = u->t_now_s - u->t_polarity_ask_s < POLARITY_ASK_S;
}

static void on_sample(void *ctx, const bel_session_frame *f)
{
    ui_session *u = ctx;
    if (u->is_holdin_cue_owed) {
        bel_tone_request_cue(&u->tone, BEL_TONE_CUE_HOLDIN); /* the synth rate-limits */
    }
    u->is_holdin_cue_owed = false;
    u->is_holdin_start_new = false;
    if (u->guide) { /* per sample, so each event is counted in the phase it happened in */
        const bel_assess_change c = bel_assess_update(u->guide, f->sample.t_s);
        if (!u->is_guide_shown || c != BEL_ASSESS_SAME) {
            u->is_guide_shown = true;
            show_guide(u, f->sample.t_s, c);
        }
        u->view.assess_remaining_s = (float)bel_assess_get_remaining_s(u->guide, f->sample.t_s);
    }
    if (!u->has_first) {
        u->has_first = true;
        u->t_first_s = f->sample.t_s;
        u->next_trend_s = f->sample.t_s + TREND_EVERY_S;
    }
    const bool is_lost = u->view.is_signal_lost;
    u->has_news = true;
    u->view.n_dropouts += f->sample.n_missed > 0; /* the status line says so, in seconds */
    u->t_now_s = fmax(u->t_now_s, f->sample.t_s);
    /* The pacer starts with the first sample and keeps up with each (however fast a
     * replay runs), so the onsets are scored against the phases shown with them. */
    bel_pacer_update(u->pacer, u->t_now_s, NULL);
    u->t_last_sample_s = f->sample.t_s;
    u->mono_last_sample_s = f->published_mono_s;
    if (u->view.is_paused) {
        u->figure.mono_last_s = f->published_mono_s;
        return;
    }
    follow(&u->figure, f, u->belly_channel, u->chest_channel, u->fs_hz, is_lost);
    if (f->metrics.n_polarity_flips != u->pacer_flips) {
        /* Turned round (the breathing, i or the pacer): the onsets the pacer has
         * scored were of the other kind. */
        if ((f->metrics.n_polarity_flips - u->pacer_flips) & 1u) {
            bel_pacer_turn_round(u->pacer);
        }
        u->pacer_flips = f->metrics.n_polarity_flips;
        u->is_turn_asked = false;
    }
    ask_polarity(u, &f->metrics);
    if (u->latency_log) { /* when the input thread published it, raw and as displayed */
        const bel_ui_view *v = &u->view;
        fprintf(u->latency_log, "S %.6f %.3f %.3f\n", f->published_mono_s,
                (double)(u->belly_channel < f->sample.n_channels ? f->sample.value[u->belly_channel]
                                                                 : NAN),
                (double)v->trace_belly[(v->trace_head - 1) & (BEL_UI_TRACE_CAP - 1)]);
    }
    if (!u->has_input_hook) { /* no session to hook into (tests): the tone from here */
        bel_tone_set_expansion(&u->tone, u->view.expansion);
    }
}

/* Input thread (bel_session_set_input_hook): the breath tone's target as soon as the
 * pipeline has run, not once per drawn frame. Touches only its own follower and the
 * _Atomic tone parameters. */
static void on_input(void *ctx, const bel_session_frame *f)
{
    ui_session *u = ctx;
    const uint32_t r = atomic_load_explicit(&u->n_reranges, memory_order_relaxed);
    if (r != u->n_reranges_seen) { /* r: range the tone afresh too */
        u->n_reranges_seen = r;
        u->tone_side.v->range_from_s = f->sample.t_s;
    }
    follow(&u->tone_side, f, u->belly_channel, -1, u->fs_hz, false);
    bel_tone_set_expansion(&u->tone, u->tone_side.v->expansion);
}

/* The pacer is on and in one of its holds: a breath held now is what it asked for. */
static bool pacer_asks_hold(const bel_ui_view *v)
{
    return v->is_pacer_on && !v->is_assessing &&
           (v->pacer.phase == BEL_PACER_HOLD_IN || v->pacer.phase == BEL_PACER_HOLD_OUT);
}

/* A turn-round was asked for (i, or the pacer at t_pacer_s; NAN: not the pacer): the
 * figure and the tones range themselves afresh, the polarity is settled (no more
 * asking), and no other turn is asked before a frame shows this one. */
static void turn_asked(ui_session *u, double t_pacer_s)
{
    u->view.range_from_s = u->t_now_s;
    atomic_fetch_add_explicit(&u->n_reranges, 1, memory_order_relaxed);
    u->is_turn_asked = true;
    u->is_polarity_settled = true;
    u->view.is_polarity_asked = false;
    u->view.t_pacer_turned_s = t_pacer_s;
}

/* The breath's shape says the belts read as worn when its evidence is below this
 * (half the evidence that says "inverted", pipeline.c). */
static const float SHAPE_AS_WORN = -0.25f;

/* What following the pacer says of the belts' reading (bel_pacer_follow), once the
 * reading is the pipeline's to find (not said by the person, an assessment or --invert).
 * Someone who follows it with the belts read the other way round turns with it the
 * other way: each inhalation found where it says breathe out. Then the belts are turned
 * round, as i would (recorded so, so a replay reads it the same), unless the breath's
 * shape says they read as worn; i turns them back. Someone who follows it as the belts
 * read confirms which way they read, whatever the shape says: a pace held at the top
 * and not at the bottom (custom:4-8-4-0) has the shape of a natural breath read the
 * other way round, which would turn them. That reading is kept for the rest of the
 * session (recorded too), and the one-belt question is not asked. */
static void follow_pacer_reading(ui_session *u)
{
    const bel_metrics *m = &u->view.m;
    if (u->is_turn_asked || !m->is_polarity_found) {
        return;
    }
    bel_pacer_follow f;
    bel_pacer_get_follow(u->pacer, &f);
    /* The shape's score is NAN until it has been judged: that says nothing either. */
    if (f.is_turned_round && !(m->polarity_score < SHAPE_AS_WORN)) {
        bel_session_turn_round_if(u->session, u->pacer_flips);
        turn_asked(u, u->t_now_s);
        if (!u->win && !u->is_quiet) {
            printf("the breathing follows the pacer with the belt%s read the other way round: "
                   "turned round, 'in' now follows the belly as it grows (i turns it back)\n",
                   u->chest_channel >= 0 ? "s" : "");
            fflush(stdout);
        }
    } else if (f.is_as_worn && !u->is_reading_kept) {
        bel_session_keep_reading_if(u->session, u->pacer_flips);
        u->is_reading_kept = true;
        u->is_polarity_settled = true;
        u->view.is_polarity_asked = false;
    }
}

static void on_event(void *ctx, const bel_event *ev)
{
    ui_session *u = ctx;
    u->has_news = true;
    /* Paused: the recording has every event (and the pause), but nothing is shown or
     * cued; the summary (the pipeline's, as stored) still counts it. */
    const bool is_shown = !u->view.is_paused || ev->kind == BEL_EV_PAUSE;
    if (is_shown) {
        u->view.clock_offset_s = u->t_first_s + u->paused_s; /* the log on the session clock */
        bel_ui_view_push_event(&u->view, ev);
    }
    if (u->guide) {
        bel_assess_note_event(u->guide, ev);
    }
    switch (ev->kind) {
    case BEL_EV_HOLDIN_START:
        u->is_holdin_start_new = true;
        u->is_holdin_cue_owed = is_shown;
        u->t_holdin_start_s = ev->t_s;
        break;
    case BEL_EV_HOLDIN_END:
        if (u->is_holdin_start_new) { /* a past one: nothing to cue now, news to tell */
            u->is_holdin_cue_owed = false;
            if (is_shown) {
                u->view.t_past_holdin_s = u->t_now_s;
                u->view.past_holdin_s = ev->t_s - u->t_holdin_start_s;
            }
        }
        break;
    case BEL_EV_BREATH_HOLD_START:
        /* At the hold decision, gently; never while the pacer itself asks for a hold. */
        if (is_shown && !pacer_asks_hold(&u->view)) {
            bel_tone_request_cue(&u->tone, BEL_TONE_CUE_BREATH_HOLD); /* rate-limited too */
        }
        break;
    case BEL_EV_SIGNAL_LOST:
        u->view.is_signal_lost = true;
        bel_ui_view_push_sample(&u->view, ev->t_s + 1e-6, NAN, NAN); /* the line ends */
        break;
    case BEL_EV_SIGNAL_RESTORED:
        u->view.is_signal_lost = false;
        break;
    default:
        break;
    }
    if (u->view.is_pacer_on && is_shown) {
        bel_pacer_note_event(u->pacer, ev);
        follow_pacer_reading(u);
    }
    bel_pacer_set_holdin(u->pacer, u->view.m.is_holding_in);
}

static void fill_summary(ui_session *u)
{
    bel_ui_summary *s = &u->view.summary;
    bel_pacer_follow f;
    bel_pacer_get_follow(u->pacer, &f);
    memset(s, 0, sizeof *s);
    s->session_s = u->view.session_s;
    s->paused_s = u->paused_s + (u->view.is_paused ? u->t_now_s - u->t_pause_start_s : 0.0);
    /* The breath figures as stored: the pipeline's summary, once the session has ended
     * (the window shows it then); a pause stops the clock, not what the belly does. */
    bel_summary sum;
    const bool is_ended = bel_session_get_summary(u->session, &sum);
    s->n_breaths = is_ended ? sum.n_breaths : u->view.m.n_breaths;
    s->rate_bpm = is_ended ? sum.rate_bpm : NAN;
    s->belly_share = is_ended ? sum.belly_share : NAN;
    s->held_in_s = is_ended ? sum.time_held_in_s : 0.0;
    s->n_holdins = is_ended ? sum.n_holdins : 0;
    s->n_holds = is_ended ? sum.n_breath_holds : 0;
    s->ie_ratio = is_ended ? sum.ie_ratio : NAN;
    s->follow = f.n_onsets >= BEL_UI_FOLLOW_MIN_ONSETS ? f.session_score : NAN;
    s->is_upside_down =
        is_ended && !u->guide && bel_summary_looks_turned_round(&sum, u->chest_channel >= 0);
    if (!u->guide) {
        snprintf(s->pacer_name, sizeof s->pacer_name, "%s", u->view.pacer_name);
    }
}

/* r: the figure and the tone range themselves from the next breaths, and the pipeline
 * learns its relaxed level afresh (a hold-in in progress ends). */
static void relearn(ui_session *u)
{
    u->view.range_from_s = u->t_now_s;
    atomic_fetch_add_explicit(&u->n_reranges, 1, memory_order_relaxed);
    bel_session_relearn(u->session);
    bel_pacer_restart(u->pacer);
}

/* i: the person sees the figure shrink as they breathe in; the belts are turned round
 * from the next sample (recorded), and the figure and tones range themselves afresh. */
static void turn_round(ui_session *u)
{
    bel_session_turn_round(u->session);
    turn_asked(u, NAN);
    if (!u->win && !u->is_quiet) {
        printf("the belt is turned round: 'in' now follows the belly as it grows (i again "
               "turns it back)\n");
        fflush(stdout);
    }
}

static bool handle_action(ui_session *u, bel_ui_action a)
{
    bel_ui_view *v = &u->view;
    u->has_news = true;
    if (v->is_help_shown && a != BEL_UI_ACT_QUIT && a != BEL_UI_ACT_CLOSE) {
        v->is_help_shown = false; /* any key closes the help, and only that */
        return true;
    }
    switch (a) {
    case BEL_UI_ACT_QUIT: /* the session (and its recording) ends here, where its summary
                           * is taken; the summary stays in the window until the next key */
        fill_summary(u);
        v->is_summary_shown = true;
        v->is_help_shown = false;
        u->is_quit_by_key = true;
        return false;
    case BEL_UI_ACT_CLOSE:
        return false;
    case BEL_UI_ACT_PAUSE: /* no cues, the clock stops, the recording marks it */
        v->is_paused = !v->is_paused;
        bel_pacer_set_paused(u->pacer, v->is_paused || !v->is_pacer_on);
        if (v->is_paused) {
            u->t_pause_start_s = u->t_now_s;
        } else {
            u->paused_s += u->t_now_s - u->t_pause_start_s;
            bel_ui_view_push_sample(v, u->t_now_s, NAN, NAN); /* the paused stretch: a gap */
        }
        bel_session_mark(u->session, v->is_paused ? BEL_EV_PAUSE : BEL_EV_RESUME);
        break;
    case BEL_UI_ACT_PACER:
        v->is_pacer_on = !v->is_pacer_on;
        bel_tone_set_cues_on(&u->tone, v->is_pacer_on && !u->is_pacer_cues_off);
        bel_pacer_set_paused(u->pacer, v->is_paused || !v->is_pacer_on);
        break;
    case BEL_UI_ACT_PACE_UP:
        bel_pacer_change_rate(u->pacer, PACE_STEP_BPM);
        break;
    case BEL_UI_ACT_PACE_DOWN:
        bel_pacer_change_rate(u->pacer, -PACE_STEP_BPM);
        break;
    case BEL_UI_ACT_MUTE:
        v->is_muted = !v->is_muted;
        bel_tone_set_muted(&u->tone, v->is_muted);
        break;
    case BEL_UI_ACT_CUES: /* every cue off, or back as the options had them */
        u->is_cues_off_by_key = !u->is_cues_off_by_key;
        break;
    case BEL_UI_ACT_BREATH_TONE:
        u->is_breath_tone_wanted = !u->is_breath_tone_wanted && !u->guide;
        break;
    case BEL_UI_ACT_LAYOUT:
        v->layout = v->layout == BEL_UI_PRACTICE ? BEL_UI_THERAPIST : BEL_UI_PRACTICE;
        break;
    case BEL_UI_ACT_REASSESS:
        relearn(u);
        break;
    case BEL_UI_ACT_TURN_ROUND:
        turn_round(u);
        break;
    case BEL_UI_ACT_HELP:
        v->is_help_shown = !v->is_help_shown;
        break;
    case BEL_UI_ACT_MARKER: /* recorded at the next sample, then logged like any event */
        bel_session_mark(u->session, BEL_EV_MARKER);
        break;
    case BEL_UI_ACT_DISCOMFORT:
        bel_session_mark(u->session, BEL_EV_DISCOMFORT);
        break;
    case BEL_UI_ACT_FULLSCREEN: /* the window did it */
    case BEL_UI_ACT_KEY:
    case BEL_UI_ACT_NONE:
    default:
        break;
    }
    return true;
}

/* Marks typed in the terminal (k or d, then Enter; r re-learns the relaxed level, i turns
 * the belts round), for
 * sessions without a window:
 * whatever stdin holds now, without waiting. */
static void read_terminal_marks(ui_session *u)
{
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    while (!u->is_stdin_done && poll(&p, 1, 0) > 0) {
        char buf[64];
        const ssize_t n = (p.revents & POLLIN) ? read(STDIN_FILENO, buf, sizeof buf) : -1;
        if (n <= 0) {
            u->is_stdin_done = true; /* end of input (or none to read): stop asking */
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == 'k' || buf[i] == 'd') {
                bel_session_mark(u->session, buf[i] == 'k' ? BEL_EV_MARKER : BEL_EV_DISCOMFORT);
            } else if (buf[i] == 'r') { /* as in the window */
                relearn(u);
            } else if (buf[i] == 'i') {
                turn_round(u);
            }
        }
    }
}

/* The latency benchmark's record: each presented frame (its time and the display value
 * it drew) and each audio callback (its time, its distance to the DAC, its target). */
static void log_latency(ui_session *u, double present_s)
{
    const bel_ui_view *v = &u->view;
    const float shown =
        v->trace_head > 0 ? v->trace_belly[(v->trace_head - 1) & (BEL_UI_TRACE_CAP - 1)] : NAN;
    if (u->win) {
        /* and what it cost: drawing and presenting (ms), the newest sample's publication */
        fprintf(u->latency_log, "F %.6f %.3f %.3f %.3f %.6f\n", present_s, (double)shown,
                (double)v->expansion, bel_ui_window_get_last_draw_ms(u->win),
                u->mono_last_sample_s);
    }
    bel_audio_timing at[64];
    int n = 0;
    while (u->audio && (n = bel_audio_take_timings(u->audio, at, 64)) > 0) {
        for (int i = 0; i < n; i++) {
            fprintf(u->latency_log, "A %.6f %.6f %.4f\n", at[i].mono_s, at[i].dac_delay_s,
                    (double)at[i].expansion);
        }
    }
}

static bool on_frame(void *ctx, const bel_session_counters *c)
{
    ui_session *u = ctx;
    bel_ui_view *v = &u->view;
    read_terminal_marks(u);
    if (u->guide && (bel_assess_get_phase(u->guide) == BEL_ASSESS_DONE ||
                     bel_assess_get_phase(u->guide) == BEL_ASSESS_FAILED)) {
        return false; /* the assessment is over */
    }
    if (u->win) {
        bel_ui_action acts[ACTIONS_MAX];
        int n = bel_ui_window_poll(u->win, acts, ACTIONS_MAX);
        for (int i = 0; i < n; i++) {
            if (!handle_action(u, acts[i])) {
                return false;
            }
        }
    }
    bel_ui_view_update_help(v);
    v->is_connected = c->is_connected;
    v->is_recording_failed = c->is_recording_failed;
    v->lost_s = (double)c->n_missed / u->fs_hz;
    v->n_dropped = (uint32_t)(c->n_display_dropped + c->n_record_dropped);
    v->n_underruns = u->audio ? bel_audio_get_underruns(u->audio) : 0;
    if (u->has_first) {
        /* The belt away (unplugged): the session's time goes on by the clock, so the
         * clock, the pacer and the trace go on; replugged, the samples' times (which
         * count the gap) take over. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        const double since_s =
            (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec - u->mono_last_sample_s;
        if (since_s > STALL_S) {
            u->t_now_s = fmax(u->t_now_s, u->t_last_sample_s + since_s);
        }
        v->is_unplugged = v->is_signal_lost || since_s >= UNPLUGGED_S;
        if (v->is_unplugged || v->is_paused) { /* nothing known, or nothing to say now */
            v->is_holdin = false;
            v->is_breath_hold = false;
        }
        v->t_now_s = u->t_now_s;
        const double paused_now_s = v->is_paused ? u->t_now_s - u->t_pause_start_s : 0.0;
        v->session_s = u->t_now_s - u->t_first_s - u->paused_s - paused_now_s;
        /* The tones: the breath tone fades out while the belt is away or paused, and
         * the pause silences every cue. */
        const bool is_quiet = v->is_paused || v->is_unplugged || v->is_summary_shown;
        const bool is_cues_quiet = is_quiet || u->is_cues_off_by_key;
        bel_tone_set_breath_on(&u->tone, u->is_breath_tone_wanted && !is_quiet);
        bel_tone_set_holdin_cue_on(&u->tone, u->is_holdin_cue_wanted && !is_cues_quiet);
        bel_tone_set_hold_cue_on(&u->tone, u->is_hold_cue_wanted && !is_cues_quiet);
        if (!u->guide) {
            bel_tone_set_cues_on(&u->tone, v->is_pacer_on && !u->is_pacer_cues_off &&
                                               !v->is_paused && !u->is_cues_off_by_key);
        }
        v->is_cues_off = u->is_cues_off_by_key;
        v->is_breath_tone_off = !u->is_breath_tone_wanted;
        bel_pacer_set_own_rate(u->pacer, v->m.rate_bpm);
        bel_pacer_update(u->pacer, u->t_now_s, &v->pacer);
        if (v->pacer.phase_seq != u->last_phase_seq) {
            u->last_phase_seq = v->pacer.phase_seq;
            if (v->is_pacer_on && !v->is_paused) {
                bel_tone_request_cue(&u->tone, bel_tone_cue_for_phase(v->pacer.phase));
            }
        }
        bel_pacer_get_follow(u->pacer, &v->follow);
        if (u->t_now_s >= u->next_trend_s) {
            u->next_trend_s += TREND_EVERY_S;
            float rel = isfinite(v->relaxed_depth) && v->relaxed_depth > 0.0f
                            ? v->m.depth / v->relaxed_depth
                            : NAN;
            bel_ui_view_push_trend(v, v->session_s, v->m.rate_bpm, rel, v->follow.score);
        }
    }
    /* Drawn as soon as something new came (a sample, a key), at most at display rate:
     * a fixed 60 Hz grid made each sample wait for the next slot of it. */
    if (u->win && !bel_ui_window_is_frame_due(u->win, u->has_news)) {
        return true;
    }
    u->has_news = false;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const double draw_start_s = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    if (u->win && bel_ui_window_draw_now(u->win, v) != BEL_OK) {
        fprintf(stderr, "bellows: the window cannot be drawn; continuing without it\n");
        bel_ui_window_destroy(u->win);
        u->win = NULL;
    }
    const double present_s =
        draw_start_s + (u->win ? 1e-3 * bel_ui_window_get_last_draw_ms(u->win) : 0.0);
    if (u->win2) { /* the therapist's after the client's: it never delays the client's */
        const bel_ui_layout layout = v->layout;
        const bool is_help = v->is_help_shown;
        v->layout = BEL_UI_THERAPIST;
        v->is_help_shown = false;
        const bel_status st2 = bel_ui_window_draw_now(u->win2, v);
        v->layout = layout;
        v->is_help_shown = is_help;
        if (st2 != BEL_OK) {
            fprintf(stderr, "bellows: the therapist's window cannot be drawn; closing it\n");
            bel_ui_window_destroy(u->win2);
            u->win2 = NULL;
        }
    }
    if (u->latency_log) { /* presented: drawing and presenting took last_draw_ms */
        log_latency(u, present_s);
    }
    return true;
}

void ui_session_get_hooks(ui_session *u, bel_session_hooks *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = u;
    /* With a window, 1 ms turns: a frame is drawn as soon as a sample came (at most at
     * display rate, bel_ui_window_is_frame_due); without, 20 ms turns. */
    out->frame_ms = u->win ? 1 : 20;
    out->on_sample = on_sample;
    out->on_event = on_event;
    out->on_frame = on_frame;
}

void ui_session_print_summary(const ui_session *u)
{
    bel_pacer_follow f;
    bel_pacer_get_follow(u->pacer, &f);
    if (f.n_onsets > 0 && isfinite(f.session_score)) {
        printf("following the %s pacer: %.0f%% over %u breath turns\n", u->view.pacer_name,
               (double)(f.session_score * 100.0f), (unsigned)f.n_onsets);
    }
    if (u->guide || !u->has_first) {
        return;
    }
    char label[10][40];
    char value[10][48];
    const int n = bel_ui_summary_lines(&u->view.summary, label, value, 10);
    printf("this session:\n");
    for (int i = 0; i < n; i++) {
        printf("  %-20s %s\n", label[i], value[i]);
    }
}

double ui_session_get_follow_score(const ui_session *u)
{
    bel_pacer_follow f;
    bel_pacer_get_follow(u->pacer, &f);
    return f.n_onsets > 0 && isfinite(f.session_score) ? (double)f.session_score : (double)NAN;
}

/* The summary stays in the window until a key, the window is closed, or a minute went
 * by: after q (someone is at the window), or when the session ended by itself (its
 * source or duration) for someone at the keyboard (stdin a terminal), so scripted runs
 * end at once. */
static void show_summary_until_key(ui_session *u)
{
    if (!u->win || (!u->is_quit_by_key && !isatty(STDIN_FILENO))) {
        return;
    }
    u->view.is_summary_shown = true;
    bel_tone_set_breath_on(&u->tone, false);
    bel_tone_set_cues_on(&u->tone, false);
    for (int k = 0; k < 60 * 20 && !cli_stop_requested(); k++) {
        bel_ui_action acts[ACTIONS_MAX];
        if (bel_ui_window_poll(u->win, acts, ACTIONS_MAX) > 0 ||
            bel_ui_window_draw(u->win, &u->view) != BEL_OK) {
            return;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void ui_session_show_summary(ui_session *u)
{
    if (u && !u->guide) { /* an assessment's result comes from its guide, once computed */
        show_summary_until_key(u);
    }
}

void ui_session_show_assessment(ui_session *u, const bel_summary *sum, float deep_ratio)
{
    if (!u) {
        return;
    }
    fill_summary(u); /* the breath figures: the ended session's summary, as sum */
    bel_ui_summary *s = &u->view.summary;
    s->session_s = sum->duration_s; /* the guide's whole time, as the terminal says */
    s->is_assessment = true;
    s->deep_ratio = deep_ratio;
    show_summary_until_key(u);
}

bel_status ui_session_run(const ui_session_options *o, bel_source *src, bel_session *session,
                          ui_session **out_ui, int *exit_code, bool *did_run)
{
    *did_run = false;
    *exit_code = ui_session_create(o, src, out_ui);
    if (*exit_code != CLI_EXIT_OK) {
        return BEL_ERR_ARG;
    }
    *exit_code = CLI_EXIT_FAIL;
    (*out_ui)->session = session;
    bel_session_set_input_hook(session, on_input, *out_ui);
    (*out_ui)->has_input_hook = true;
    bel_session_hooks hooks;
    ui_session_get_hooks(*out_ui, &hooks);
    const bel_status started = bel_session_start(session);
    if (started != BEL_OK) {
        cli_fail(o->cmd, "%s", bel_session_get_error(session));
        return started;
    }
    *did_run = true;
    const bel_status st = bel_session_run_main(session, &hooks, cli_stop_requested);
    /* Its input thread has ended with it: the belt is free for the next session or the
     * assessment after it, while the summary waits for a key. */
    bel_source_release(src);
    ui_session *u = *out_ui;
    fill_summary(u); /* again after a q: the session has ended, its last events are in */
    ui_session_print_summary(u);
    if (cli_stop_requested()) {
        printf("stopped.\n");
    }
    return st;
}

void ui_session_destroy(ui_session *u)
{
    if (!u) {
        return;
    }
    free(u->tone_side.v);
    if (u->latency_log) {
        fclose(u->latency_log);
    }
    bel_ui_window_destroy(u->win2);
    bel_ui_window_destroy(u->win);
    bel_audio_destroy(u->audio);
    bel_pacer_destroy(u->pacer);
    free(u);
}
