/* test_ui_render.c - render scripted views offscreen (SDL software renderer on a surface),
 * check them by pixels, and write each one as a PNG for looking at.
 *
 * Usage: test_ui_render FONT.ttf OUT_DIR
 * SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "bellows/pacer.h"
#include "png_write.h"
#include "ui_draw.h"
#include "ui_view.h"
#include "ui_window.h"

static const double PI_D = 3.14159265358979323846;
static const char *font_path;
static const char *out_dir;

typedef struct canvas {
    SDL_Surface *surf;
    SDL_Renderer *r;
    bel_ui *ui;
    int w;
    int h;
} canvas;

static void canvas_open(canvas *c, int w, int h)
{
    c->w = w;
    c->h = h;
    c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(c->surf);
    c->r = SDL_CreateSoftwareRenderer(c->surf);
    assert_non_null(c->r);
    char err[256];
    assert_int_equal(bel_ui_create(c->r, font_path, &c->ui, err, sizeof err), BEL_OK);
}

static void canvas_close(canvas *c)
{
    bel_ui_destroy(c->ui);
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->surf);
}

static void render(canvas *c, const bel_ui_view *v, const char *name)
{
    assert_int_equal(bel_ui_draw(c->ui, v), BEL_OK);
    SDL_RenderPresent(c->r);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.png", out_dir, name);
    assert_int_equal(png_write_surface(path, c->surf), 0);
}

static SDL_Color pixel(const canvas *c, int x, int y)
{
    const uint32_t *row = (const uint32_t *)((const uint8_t *)c->surf->pixels + y * c->surf->pitch);
    uint32_t p = row[x];
    SDL_Color col = {(uint8_t)(p >> 16), (uint8_t)(p >> 8), (uint8_t)p, 255};
    return col;
}

static bool near(SDL_Color a, SDL_Color b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

/* Share of the pixels in r that are within tol of colour k. */
static double share(const canvas *c, SDL_Rect r, bel_ui_color k, int tol)
{
    SDL_Color want = bel_ui_get_color(k);
    long hit = 0;
    long all = 0;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            hit += near(pixel(c, x, y), want, tol);
            all++;
        }
    }
    return all > 0 ? (double)hit / (double)all : 0.0;
}

/* A quiet, regular breath: 12/min sine, 60 s, with its turning points as events. */
static void fill_breathing(bel_ui_view *v, double t_end, bool chest)
{
    const double fs = 50.0;
    const double f = 0.2;
    for (double t = t_end - 60.0; t <= t_end + 1e-9; t += 1.0 / fs) {
        float belly = 500.0f + 60.0f * (float)sin(2.0 * PI_D * f * t - PI_D / 2.0);
        float ch = chest ? 400.0f + 25.0f * (float)sin(2.0 * PI_D * f * t - PI_D / 2.0 + 0.3) : NAN;
        bel_ui_view_push_sample(v, t, belly, ch);
    }
    for (double t = ceil((t_end - 60.0) / 5.0) * 5.0; t <= t_end; t += 2.5) {
        bool is_trough = fmod(t, 5.0) < 1e-6;
        bel_event e = bel_event_make(is_trough ? BEL_EV_INSP_ONSET : BEL_EV_EXP_ONSET, t, t + 0.6);
        e.ti_s = 2.5f;
        e.te_s = 2.5f;
        e.depth = 120.0f;
        bel_ui_view_push_event(v, &e);
    }
    v->m.t_s = t_end;
    v->m.rate_bpm = 12.0f;
    v->m.rate_spectral_bpm = 12.1f;
    v->m.depth = 118.0f;
    v->m.ie_ratio = 0.8f;
    v->m.variability = 0.07f;
    v->m.n_breaths = 41;
    v->relaxed_depth = 120.0f;
    v->relaxed_level = 440.0f;
    v->is_connected = true;
    v->session_s = t_end;
    v->has_chest = chest;
    v->follow.score = 0.82f;
    v->follow.session_score = 0.74f;
    v->follow.lag_s = 0.6f;
    v->follow.n_onsets = 60;
    snprintf(v->source, sizeof v->source, "the belt on /dev/ttyACM0");
    snprintf(v->pacer_name, sizeof v->pacer_name, "resonance");
    v->expansion = bel_ui_view_expansion(v);
}

/* The pacer state t_s seconds into a resonance pattern (4 s in, 6 s out). */
static bel_pacer_state pacer_at(double t_s)
{
    bel_pacer_config cfg = bel_pacer_config_default();
    bel_pacer *p = NULL;
    assert_int_equal(bel_pacer_create(&cfg, &p), BEL_OK);
    bel_pacer_state st;
    bel_pacer_update(p, 0.0, &st);
    bel_pacer_update(p, t_s, &st);
    bel_pacer_destroy(p);
    return st;
}

/* Width of the pacer disc on its centre row: first to last pixel of the pacer colour. */
static int pacer_diameter(const canvas *c)
{
    SDL_Rect r = bel_ui_get_region(BEL_UI_PRACTICE, c->w, c->h, BEL_UI_R_PACER);
    int u = r.h < r.w ? r.h : r.w;
    int cy = r.y + (int)lrintf((float)u * 0.45f);
    SDL_Color want = bel_ui_get_color(BEL_UI_C_PACER);
    int first = -1;
    int last = -1;
    for (int x = r.x; x < r.x + r.w; x++) {
        if (near(pixel(c, x, cy), want, 8)) {
            first = first < 0 ? x : first;
            last = x;
        }
    }
    return first < 0 ? 0 : last - first + 1;
}

static float expected_diameter(const canvas *c, float size)
{
    SDL_Rect r = bel_ui_get_region(BEL_UI_PRACTICE, c->w, c->h, BEL_UI_R_PACER);
    float u = (float)(r.h < r.w ? r.h : r.w);
    float r_max = 0.4f * u;
    float r_min = 0.3f * r_max;
    return 2.0f * (r_min + (r_max - r_min) * size);
}

static void test_ui_practice_inhale_and_exhale(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, true);

    v.pacer = pacer_at(2.0); /* halfway through "breathe in" */
    render(&c, &v, "practice_inhale");
    SDL_Rect cue = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_CUE);
    assert_true(share(&c, cue, BEL_UI_C_HOLDIN, 6) < 0.001); /* no invitation when relaxed */
    assert_true(share(&c, cue, BEL_UI_C_BREATH_HOLD, 6) < 0.001);
    int d_in = pacer_diameter(&c);
    assert_true(fabsf((float)d_in - expected_diameter(&c, v.pacer.size)) <= 4.0f);
    SDL_Rect trace = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_TRACE);
    assert_true(share(&c, trace, BEL_UI_C_BELLY, 10) > 0.005); /* the belly trace is drawn */
    SDL_Rect status = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_STATUS);
    assert_true(share(&c, status, BEL_UI_C_OK, 8) > 0.0005); /* belt connected: sage dot */
    assert_true(share(&c, status, BEL_UI_C_WARN, 8) < 0.0001);

    v.pacer = pacer_at(5.5); /* a quarter into "breathe out" */
    render(&c, &v, "practice_exhale_early");
    int d_out1 = pacer_diameter(&c);
    v.pacer = pacer_at(8.5); /* three quarters into "breathe out" */
    render(&c, &v, "practice_exhale");
    int d_out2 = pacer_diameter(&c);
    assert_true(d_out1 > d_out2 + 20);
    assert_true(fabsf((float)d_out2 - expected_diameter(&c, v.pacer.size)) <= 4.0f);
    canvas_close(&c);
}

static void test_ui_pacer_size_follows_phase(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 960, 600);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 120.0, false);
    int prev = 0;
    for (double t = 0.4; t < 4.0; t += 0.6) { /* inhale: grows */
        v.pacer = pacer_at(t);
        assert_int_equal(v.pacer.phase, BEL_PACER_IN);
        assert_int_equal(bel_ui_draw(c.ui, &v), BEL_OK);
        int d = pacer_diameter(&c);
        assert_true(d > prev);
        assert_true(fabsf((float)d - expected_diameter(&c, v.pacer.size)) <= 4.0f);
        prev = d;
    }
    prev = 1 << 20;
    for (double t = 4.4; t < 10.0; t += 0.8) { /* exhale: shrinks */
        v.pacer = pacer_at(t);
        assert_int_equal(v.pacer.phase, BEL_PACER_OUT);
        assert_int_equal(bel_ui_draw(c.ui, &v), BEL_OK);
        int d = pacer_diameter(&c);
        assert_true(d < prev);
        prev = d;
    }
    /* Pacer off: no disc. */
    v.is_pacer_on = false;
    assert_int_equal(bel_ui_draw(c.ui, &v), BEL_OK);
    assert_int_equal(pacer_diameter(&c), 0);
    canvas_close(&c);
}

static void test_ui_holdin_invitation_only_when_held_in(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, true);
    bel_event e = bel_event_make(BEL_EV_HOLDIN_START, 288.0, 290.0);
    bel_ui_view_push_event(&v, &e);
    v.is_holdin = true;
    v.pacer = pacer_at(1.0);
    render(&c, &v, "practice_holdin");
    SDL_Rect cue = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_CUE);
    assert_true(share(&c, cue, BEL_UI_C_HOLDIN, 6) > 0.4);
    assert_true(share(&c, cue, BEL_UI_C_BREATH_HOLD, 6) < 0.001);

    v.is_holdin = false;
    e = bel_event_make(BEL_EV_HOLDIN_END, 299.0, 300.0);
    bel_ui_view_push_event(&v, &e);
    assert_int_equal(bel_ui_draw(c.ui, &v), BEL_OK);
    assert_true(share(&c, cue, BEL_UI_C_HOLDIN, 6) < 0.001); /* gone once released */
    canvas_close(&c);
}

static void test_ui_breath_hold_invitation(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, true);
    bel_event e = bel_event_make(BEL_EV_BREATH_HOLD_START, 292.0, 295.0);
    bel_ui_view_push_event(&v, &e);
    v.is_breath_hold = true;
    v.pacer = pacer_at(6.0);
    render(&c, &v, "practice_breath_hold");
    SDL_Rect cue = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_CUE);
    assert_true(share(&c, cue, BEL_UI_C_BREATH_HOLD, 6) > 0.4);
    assert_true(share(&c, cue, BEL_UI_C_HOLDIN, 6) < 0.001);
    /* While the pacer itself asks for a hold, a held breath gets no band. */
    bel_pacer_config pc = bel_pacer_config_default();
    pc.preset = BEL_PACER_BOX;
    bel_pacer *p = NULL;
    assert_int_equal(bel_pacer_create(&pc, &p), BEL_OK);
    bel_pacer_update(p, 0.0, &v.pacer);
    for (double t = 0.0; t < 30.0 && v.pacer.phase != BEL_PACER_HOLD_IN; t += 0.1) {
        bel_pacer_update(p, t, &v.pacer);
    }
    bel_pacer_destroy(p);
    assert_int_equal(v.pacer.phase, BEL_PACER_HOLD_IN);
    render(&c, &v, "practice_breath_hold_pacer_hold");
    assert_true(share(&c, cue, BEL_UI_C_BREATH_HOLD, 6) < 0.001);
    canvas_close(&c);
}

static void test_ui_signal_lost_status(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, false);
    bel_event e = bel_event_make(BEL_EV_SIGNAL_LOST, 296.0, 297.0);
    bel_ui_view_push_event(&v, &e);
    v.is_signal_lost = true;
    v.lost_s = 3.0;
    v.n_dropouts = 1;
    v.pacer = pacer_at(3.0);
    render(&c, &v, "practice_signal_lost");
    SDL_Rect status = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_STATUS);
    assert_true(share(&c, status, BEL_UI_C_WARN, 8) > 0.001); /* amber dot and words */
    assert_true(share(&c, status, BEL_UI_C_OK, 8) < 0.0001);
    /* The lost stretch is shaded on the trace, and no alarming red anywhere. */
    SDL_Rect all = {0, 0, c.w, c.h};
    long red = 0;
    for (int y = 0; y < c.h; y += 2) {
        for (int x = 0; x < c.w; x += 2) {
            SDL_Color p = pixel(&c, x, y);
            red += p.r > 180 && p.g < 90 && p.b < 90;
        }
    }
    assert_int_equal(red, 0);
    (void)all;
    canvas_close(&c);
}

/* The simulated belt is never shown as a connected belt: amber and in words, in both layouts. */
static void test_ui_simulated_belt_status(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 120.0, true);
    v.pacer = pacer_at(2.0);
    v.is_connected = true; /* the simulator delivers */
    v.is_simulated = true;
    snprintf(v.source, sizeof v.source, "simulated belt - no belt found");
    for (int lay = 0; lay < BEL_UI_LAYOUT_COUNT; lay++) {
        v.layout = (bel_ui_layout)lay;
        render(&c, &v, lay == BEL_UI_PRACTICE ? "practice_simulated" : "therapist_simulated");
        SDL_Rect status = bel_ui_get_region(v.layout, c.w, c.h, BEL_UI_R_STATUS);
        assert_true(share(&c, status, BEL_UI_C_WARN, 8) > 0.001);
        assert_true(share(&c, status, BEL_UI_C_OK, 8) < 0.0001);
    }
    /* The same view from a belt shows the green dot: the test can tell them apart. */
    v.is_simulated = false;
    v.layout = BEL_UI_PRACTICE;
    render(&c, &v, "practice_belt_connected");
    SDL_Rect status = bel_ui_get_region(v.layout, c.w, c.h, BEL_UI_R_STATUS);
    assert_true(share(&c, status, BEL_UI_C_OK, 8) > 0.0005);
    canvas_close(&c);
}

/* The assessment replaces the pacer: the countdown disc shrinks as the phase runs, the
 * prompt sits in the band below, and a phase asked again says why in amber. */
static void test_ui_assessment_phases(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 50.0, true);
    v.is_pacer_on = false;
    v.is_assessing = true;
    v.assess_steps = 3;
    v.assess_step = 2;
    v.assess_phase_s = 20.0f;
    snprintf(v.assess_phase, sizeof v.assess_phase, "deep breath");
    snprintf(v.assess_prompt, sizeof v.assess_prompt,
             "Now one slow, deep breath into the belly; then let it go.");
    SDL_Rect pacer = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_PACER);
    SDL_Rect cue = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_CUE);
    SDL_Rect numbers = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_NUMBERS);
    v.assess_remaining_s = 18.0f;
    render(&c, &v, "assess_deep_start");
    const double full = share(&c, pacer, BEL_UI_C_PACER, 8);
    assert_true(share(&c, cue, BEL_UI_C_PANEL, 8) > 0.2); /* the prompt's band */
    assert_true(share(&c, numbers, BEL_UI_C_WARN, 8) < 0.0001);
    v.assess_remaining_s = 4.0f;
    render(&c, &v, "assess_deep_late");
    assert_true(share(&c, pacer, BEL_UI_C_PACER, 8) < 0.5 * full); /* the disc empties */
    snprintf(v.assess_phase, sizeof v.assess_phase, "deep breath (try 2)");
    snprintf(v.assess_why, sizeof v.assess_why,
             "The deepest breath was 1.1x the relaxed one; it needs 1.5x.");
    v.assess_remaining_s = 19.0f;
    render(&c, &v, "assess_deep_again");
    assert_true(share(&c, numbers, BEL_UI_C_WARN, 8) > 0.001);
    canvas_close(&c);
}

/* A long belt name is shortened, not drawn over the counters at the right of the status line. */
static void test_ui_long_source_keeps_off_the_counters(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 60.0, true);
    v.pacer = pacer_at(1.0);
    SDL_Rect st = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_STATUS);
    SDL_Rect right = {st.x + st.w * 55 / 100, st.y, st.w * 45 / 100, st.h};
    v.source[0] = '\0';
    render(&c, &v, "status_short_source");
    static uint32_t before[1280 * 64];
    assert_true(right.w * right.h <= (int)(sizeof before / sizeof before[0]));
    for (int y = 0; y < right.h; y++) {
        for (int x = 0; x < right.w; x++) {
            SDL_Color p = pixel(&c, right.x + x, right.y + y);
            before[y * right.w + x] = (uint32_t)(p.r << 16 | p.g << 8 | p.b);
        }
    }
    snprintf(v.source, sizeof v.source,
             "belt on /dev/serial/by-id/usb-Arduino_LLC_Arduino_Uno_85735313932351F0E1A1-if00 "
             "(bellows-belt firmware 1.0.0, 50 Hz, belly, chest)");
    render(&c, &v, "status_long_source");
    /* Only the counters' columns: from their leftmost drawn pixel (with no source shown,
     * everything drawn in this part of the line is the counters). */
    const SDL_Color bg = bel_ui_get_color(BEL_UI_C_BG);
    const uint32_t bg_px = (uint32_t)(bg.r << 16 | bg.g << 8 | bg.b);
    int x0 = right.w;
    for (int y = 0; y < right.h; y++) {
        for (int x = 0; x < x0; x++) {
            if (before[y * right.w + x] != bg_px) {
                x0 = x;
            }
        }
    }
    assert_true(x0 > 0 && x0 < right.w);
    long differ = 0;
    for (int y = 0; y < right.h; y++) {
        for (int x = x0 - 1; x < right.w; x++) {
            SDL_Color p = pixel(&c, right.x + x, right.y + y);
            differ += before[y * right.w + x] != (uint32_t)(p.r << 16 | p.g << 8 | p.b);
        }
    }
    assert_int_equal(differ, 0);
    canvas_close(&c);
}

static void test_ui_therapist_layout(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 600.0, true);
    v.layout = BEL_UI_THERAPIST;
    v.belly_share = 0.68f;
    v.chest_belly_phase_deg = 12.0f;
    for (int i = 0; i < 60; i++) {
        double t = 10.0 * i;
        bel_ui_view_push_trend(&v, t, 14.0f - 0.12f * (float)i, 0.9f + 0.003f * (float)i,
                               0.3f + 0.009f * (float)i);
    }
    bel_event e = bel_event_make(BEL_EV_HOLDIN_START, 570.0, 572.0);
    bel_ui_view_push_event(&v, &e);
    e = bel_event_make(BEL_EV_HOLDIN_END, 580.0, 581.0);
    bel_ui_view_push_event(&v, &e);
    v.pacer = pacer_at(2.0);
    render(&c, &v, "therapist");
    SDL_Rect belly = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_TRACE);
    SDL_Rect chest = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_CHEST_TRACE);
    SDL_Rect trends = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_TRENDS);
    SDL_Rect metrics = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_METRICS);
    assert_true(share(&c, belly, BEL_UI_C_BELLY, 10) > 0.005);
    assert_true(share(&c, chest, BEL_UI_C_CHEST, 10) > 0.005);
    assert_true(share(&c, belly, BEL_UI_C_CHEST, 10) < 0.0005);
    assert_true(share(&c, trends, BEL_UI_C_PACER, 10) > 0.001); /* following trend line */
    assert_true(share(&c, metrics, BEL_UI_C_TEXT, 40) > 0.01);  /* numbers are written */
    /* No pacer disc and no invitation band in this layout. */
    SDL_Rect pr = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_PACER);
    assert_int_equal(pr.w, 0);
    canvas_close(&c);
}

static void test_ui_help_overlay_lists_keys(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, true);
    v.pacer = pacer_at(2.0);
    assert_int_equal(bel_ui_draw(c.ui, &v), BEL_OK);
    SDL_Rect help = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_HELP);
    double key_colour_before = share(&c, help, BEL_UI_C_PACER, 8);
    v.is_help_shown = true;
    render(&c, &v, "help");
    assert_true(share(&c, help, BEL_UI_C_PANEL, 4) > 0.6);
    /* The key names are written in the pacer colour, the pacer disc is hidden. */
    double keys = share(&c, help, BEL_UI_C_PACER, 8);
    assert_true(keys > 0.002 && keys < key_colour_before);
    canvas_close(&c);
}

static void test_ui_scales_with_output_size(void **state)
{
    (void)state;
    canvas small;
    canvas big;
    canvas_open(&small, 800, 500);
    canvas_open(&big, 2560, 1600); /* a high-DPI window's output */
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, true);
    v.pacer = pacer_at(3.0);
    assert_int_equal(bel_ui_draw(small.ui, &v), BEL_OK);
    render(&big, &v, "practice_hidpi");
    float ratio = (float)pacer_diameter(&big) / (float)pacer_diameter(&small);
    assert_true(fabsf(ratio - 3.2f) < 0.05f);
    canvas_close(&small);
    canvas_close(&big);
}

static void test_ui_keys_map_to_actions(void **state)
{
    (void)state;
    assert_int_equal(bel_ui_action_for_key(SDLK_SPACE, 0), BEL_UI_ACT_PAUSE);
    assert_int_equal(bel_ui_action_for_key(SDLK_p, 0), BEL_UI_ACT_PACER);
    assert_int_equal(bel_ui_action_for_key(SDLK_UP, 0), BEL_UI_ACT_PACE_UP);
    assert_int_equal(bel_ui_action_for_key(SDLK_DOWN, 0), BEL_UI_ACT_PACE_DOWN);
    assert_int_equal(bel_ui_action_for_key(SDLK_m, 0), BEL_UI_ACT_MUTE);
    assert_int_equal(bel_ui_action_for_key(SDLK_t, 0), BEL_UI_ACT_LAYOUT);
    assert_int_equal(bel_ui_action_for_key(SDLK_r, 0), BEL_UI_ACT_REASSESS);
    assert_int_equal(bel_ui_action_for_key(SDLK_i, 0), BEL_UI_ACT_TURN_ROUND);
    assert_int_equal(bel_ui_action_for_key(SDLK_f, 0), BEL_UI_ACT_FULLSCREEN);
    assert_int_equal(bel_ui_action_for_key(SDLK_h, 0), BEL_UI_ACT_HELP);
    assert_int_equal(bel_ui_action_for_key(SDLK_k, 0), BEL_UI_ACT_MARKER);
    assert_int_equal(bel_ui_action_for_key(SDLK_d, 0), BEL_UI_ACT_DISCOMFORT);
    assert_int_equal(bel_ui_action_for_key(SDLK_SLASH, KMOD_LSHIFT), BEL_UI_ACT_HELP);
    assert_int_equal(bel_ui_action_for_key(SDLK_SLASH, 0), BEL_UI_ACT_NONE);
    assert_int_equal(bel_ui_action_for_key(SDLK_q, 0), BEL_UI_ACT_QUIT);
    assert_int_equal(bel_ui_action_for_key(SDLK_ESCAPE, 0), BEL_UI_ACT_QUIT);
    assert_int_equal(bel_ui_action_for_key(SDLK_c, 0), BEL_UI_ACT_CUES);
    assert_int_equal(bel_ui_action_for_key(SDLK_b, 0), BEL_UI_ACT_BREATH_TONE);
    assert_int_equal(bel_ui_action_for_key(SDLK_z, 0), BEL_UI_ACT_NONE);
}

static void test_ui_expansion_from_relaxed_level(void **state)
{
    (void)state;
    bel_ui_view v;
    bel_ui_view_init(&v);
    assert_true(bel_ui_view_expansion(&v) == 0.5f);
    bel_ui_view_push_sample(&v, 0.0, 100.0f, NAN);
    bel_ui_view_push_sample(&v, 1.0, 200.0f, NAN);
    bel_ui_view_push_sample(&v, 2.0, 150.0f, NAN);
    assert_true(fabsf(bel_ui_view_expansion(&v) - 0.5f) < 1e-6f); /* from the range */
    v.relaxed_level = 140.0f;
    v.relaxed_depth = 40.0f;
    assert_true(fabsf(bel_ui_view_expansion(&v) - 0.25f) < 1e-6f);
    bel_ui_view_push_sample(&v, 3.0, 100.0f, NAN); /* held in: below relaxed */
    assert_true(bel_ui_view_expansion(&v) == 0.0f);
}

/* The belly belt turned out to read the other way round (i): the trace drawn so far
 * turns round with it, so the last 45 s show what the belly did, on one scale with the
 * breaths that follow (not a cliff between the two readings); the chest's turns with it
 * when the chest turned too, and alone when it turned alone. */
static void test_ui_trace_turns_round_with_the_belt(void **state)
{
    (void)state;
    bel_ui_view v;
    bel_ui_view_init(&v);
    for (int i = 0; i < 100; i++) { /* read inverted: the display values were -raw */
        bel_ui_view_push_sample(&v, 0.02 * i, -(500.0f + (float)(i % 10)),
                                -(300.0f + (float)(i % 10)));
    }
    bel_ui_view_push_sample(&v, 2.0, NAN, NAN); /* a gap stays a gap */
    bel_ui_view_turn_trace_round(&v, true, true);
    bel_ui_view_push_sample(&v, 2.02, 503.0f, 303.0f);
    for (uint32_t k = 0; k < 100; k++) {
        const uint32_t i = k & (BEL_UI_TRACE_CAP - 1);
        assert_true(v.trace_belly[i] == 500.0f + (float)(k % 10));
        assert_true(v.trace_chest[i] == 300.0f + (float)(k % 10));
    }
    assert_true(isnan(v.trace_belly[100]) && isnan(v.trace_chest[100]));
    assert_true(v.trace_belly[101] == 503.0f && v.trace_chest[101] == 303.0f);
    bel_ui_view_turn_trace_round(&v, false, true); /* the chest alone */
    assert_true(v.trace_belly[101] == 503.0f && v.trace_chest[101] == -303.0f);
}

/* Quiet breathing (12/min) around level, depth deep, from t0 to t1 s, through the display
 * signal as the live session makes it; returns the expansion's lowest and highest over
 * [from_s, t1]. */
static void breathe(bel_ui_view *v, double t0, double t1, float level, float deep, double from_s,
                    float *lo, float *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (double t = t0; t < t1; t += 0.02) {
        const float x = level + deep * 0.5f * (1.0f - (float)cos(2.0 * PI_D * 0.2 * t));
        bel_ui_view_push_sample(v, t, x, NAN);
        const float e = bel_ui_view_expansion(v);
        if (t >= from_s) {
            *lo = fminf(*lo, e);
            *hi = fmaxf(*hi, e);
        }
    }
}

/* Sitting up moves the belt's level by several breaths' depth before the pipeline has
 * re-learnt its relaxed level: the figure (and the breath tone) must not stay pinned at
 * full, but range itself again within a few seconds. */
static void test_ui_figure_reranges_after_posture_change(void **state)
{
    (void)state;
    bel_ui_view v;
    bel_ui_view_init(&v);
    v.relaxed_level = 500.0f;
    v.relaxed_depth = 60.0f;
    float lo = 0.0f;
    float hi = 0.0f;
    breathe(&v, 0.0, 60.0, 500.0f, 60.0f, 30.0, &lo, &hi);
    assert_true(lo < 0.05f && hi > 0.9f);
    /* Sitting up: 3 relaxed depths higher; the pipeline still says 500. */
    breathe(&v, 60.0, 80.0, 680.0f, 60.0f, 66.0, &lo, &hi);
    assert_true(lo < 0.1f);
    assert_true(hi > 0.9f);
    /* A smaller move (1 depth up): within 12 s. */
    breathe(&v, 80.0, 120.0, 500.0f, 60.0f, 95.0, &lo, &hi);
    breathe(&v, 120.0, 150.0, 560.0f, 60.0f, 133.0, &lo, &hi);
    assert_true(lo < 0.1f);
    assert_true(hi > 0.9f);
    /* Slumping: the level drops 2 depths (not a hold-in, the pipeline says). */
    breathe(&v, 150.0, 180.0, 440.0f, 60.0f, 163.0, &lo, &hi);
    assert_true(hi > 0.9f);
    /* A step in the belt (the pipeline forgets its level: NAN) ranges from the step. */
    v.relaxed_level = NAN;
    v.range_from_s = 180.0;
    breathe(&v, 180.0, 200.0, 900.0f, 60.0f, 186.0, &lo, &hi);
    assert_true(lo < 0.1f && hi > 0.9f);
    /* A still belt after a step (nothing learnt): its noise is not drawn as breaths. */
    bel_ui_view_init(&v);
    breathe(&v, 0.0, 20.0, 500.0f, 60.0f, 10.0, &lo, &hi);
    v.range_from_s = 20.0;
    lo = INFINITY;
    hi = -INFINITY;
    for (double t = 20.0; t < 30.0; t += 0.02) {
        bel_ui_view_push_sample(&v, t, 700.0f + 0.5f * (float)sin(37.0 * t), NAN);
        const float e = bel_ui_view_expansion(&v);
        lo = t > 21.0 ? fminf(lo, e) : lo;
        hi = t > 21.0 ? fmaxf(hi, e) : hi;
    }
    assert_true(hi - lo < 0.1f);
}

/* A hold-in before anything is calibrated: the belly drops and the breaths are tiny.
 * They must be drawn tiny, not as full belly breaths. */
static void test_ui_figure_small_in_uncalibrated_holdin(void **state)
{
    (void)state;
    bel_ui_view v;
    bel_ui_view_init(&v);
    float lo = 0.0f;
    float hi = 0.0f;
    breathe(&v, 0.0, 20.0, 500.0f, 60.0f, 10.0, &lo, &hi); /* nothing learnt: NAN level */
    assert_true(hi > 0.9f);
    breathe(&v, 20.0, 30.0, 420.0f, 8.0f, 22.0, &lo, &hi); /* held in, tiny breaths */
    assert_true(hi - lo < 0.25f);
    /* The same with the relaxed depth learnt but the level not yet. */
    v.relaxed_depth = 60.0f;
    breathe(&v, 30.0, 40.0, 420.0f, 8.0f, 30.0, &lo, &hi);
    assert_true(hi - lo < 0.2f);
}

/* The display signal follows a 0.25 Hz breath within 40 ms, and starts again after a
 * gap without a transient; the pipeline's polarity is applied. */
static void test_ui_display_signal_delay(void **state)
{
    (void)state;
    bel_ui_smoother sm;
    assert_int_equal(bel_ui_smoother_init(&sm, 50.0), BEL_OK);
    bel_metrics m;
    memset(&m, 0, sizeof m);
    double cross_in = NAN;
    double cross_out = NAN;
    float prev_y = NAN;
    for (int i = 0; i < 50 * 20; i++) {
        const double t = i / 50.0;
        const float x = 100.0f * (float)sin(2.0 * PI_D * 0.25 * t);
        const float y = bel_ui_smoother_process(&sm, t, x, &m);
        /* Upward zero crossings after the start, in the 3rd cycle (t = 8 s). */
        if (t > 7.0 && t < 9.0 && isnan(cross_out) && prev_y < 0.0f && y >= 0.0f) {
            cross_out = t - 0.02 * (double)y / (double)(y - prev_y);
        }
        prev_y = y;
    }
    cross_in = 8.0;
    const double delay_s = cross_out - cross_in;
    printf("display signal delay at 0.25 Hz: %.1f ms\n", delay_s * 1000.0);
    assert_true(delay_s > 0.0 && delay_s <= 0.040);
    /* After a gap: the first value is the sample itself (no ramp from the old level). */
    const float y = bel_ui_smoother_process(&sm, 30.0, 500.0f, &m);
    assert_true(fabsf(y - 500.0f) < 1e-3f);
    m.is_belly_inverted = true;
    assert_true(fabsf(bel_ui_smoother_process(&sm, 30.02, 500.0f, &m) + 500.0f) < 1e-3f);
}

/* The first minute: nothing learnt yet and no breaths to judge. The numbers say
 * "learning..." instead of the belt's raw units, and nothing about following. */
static void test_ui_first_minute_no_raw_units(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 40.0, true);
    v.relaxed_depth = NAN;
    v.relaxed_level = NAN;
    v.m.depth = 510.0f;
    v.follow.n_onsets = 1;
    v.follow.score = 0.54f;
    v.pacer = pacer_at(2.0);
    v.expansion = bel_ui_view_expansion(&v);
    render(&c, &v, "practice_learning");
    v.layout = BEL_UI_THERAPIST;
    render(&c, &v, "therapist_learning");
    /* After a posture change, the figure and the numbers from the pipeline again. */
    bel_ui_view_init(&v);
    fill_breathing(&v, 120.0, false);
    float lo = 0.0f;
    float hi = 0.0f;
    breathe(&v, 120.0, 131.0, 640.0f, 120.0f, 125.0, &lo, &hi);
    v.m.t_s = 131.0;
    v.session_s = 131.0;
    v.pacer = pacer_at(2.0);
    v.expansion = bel_ui_view_expansion(&v);
    render(&c, &v, "practice_posture_change");
    canvas_close(&c);
}

/* Share of the columns of r (right of x0) that hold any pixel of colour k. */
static double columns_with(const canvas *c, SDL_Rect r, int x0, bel_ui_color k)
{
    SDL_Color want = bel_ui_get_color(k);
    int hit = 0;
    int all = 0;
    for (int x = x0; x < r.x + r.w - 4; x++) {
        bool any = false;
        for (int y = r.y + 4; y < r.y + r.h - 4 && !any; y++) {
            any = near(pixel(c, x, y), want, 10);
        }
        hit += any;
        all++;
    }
    return all > 0 ? (double)hit / (double)all : 0.0;
}

/* Unplugged during a hold-in: the band says to plug the belt back in instead of anything
 * about the belly, the trace scrolls on with the clock and the lost stretch is a gap (no
 * line bridging it); replugged, the line starts again after the gap. */
static void test_ui_unplugged_and_replugged(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 300.0, false);
    bel_event e = bel_event_make(BEL_EV_HOLDIN_START, 290.0, 292.0);
    bel_ui_view_push_event(&v, &e);
    e = bel_event_make(BEL_EV_SIGNAL_LOST, 300.0, 300.5);
    bel_ui_view_push_event(&v, &e);
    bel_ui_view_push_sample(&v, 300.0 + 1e-6, NAN, NAN);
    v.is_signal_lost = true;
    v.is_unplugged = true;
    v.is_holdin = false;
    v.t_now_s = 312.0; /* 12 s later by the clock */
    v.session_s = 312.0;
    v.pacer = pacer_at(7.0);
    SDL_Rect fig = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_BELLY);
    render(&c, &v, "practice_unplugged");
    /* The belly figure is faint: nothing is known about the belly while the belt is away. */
    assert_true(share(&c, fig, BEL_UI_C_BELLY, 12) < 0.005);
    /* ... and resting: whatever the expansion last read (a belt pulled off reads anything),
     * the figure is the same. */
    int differ = 0;
    for (float e_last = 0.0f; e_last <= 1.0f; e_last += 0.5f) {
        SDL_Surface *was = SDL_ConvertSurface(c.surf, c.surf->format, 0);
        assert_non_null(was);
        v.expansion = e_last;
        render(&c, &v, "practice_unplugged");
        for (int y = fig.y; y < fig.y + fig.h; y++) {
            for (int x = fig.x; x < fig.x + fig.w; x++) {
                const Uint32 *a = (const Uint32 *)((const Uint8 *)was->pixels + y * was->pitch);
                const Uint32 *b =
                    (const Uint32 *)((const Uint8 *)c.surf->pixels + y * c.surf->pitch);
                differ += a[x] != b[x];
            }
        }
        SDL_FreeSurface(was);
    }
    assert_int_equal(differ, 0);
    /* The last rate and depth stay, faint: they are not live. */
    SDL_Rect nums = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_NUMBERS);
    assert_true(share(&c, nums, BEL_UI_C_TEXT, 6) < 0.001);
    assert_true(share(&c, nums, BEL_UI_C_DIM, 6) > 0.01);
    SDL_Rect cue = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_CUE);
    assert_true(share(&c, cue, BEL_UI_C_WARN, 6) > 0.4);
    assert_true(share(&c, cue, BEL_UI_C_HOLDIN, 6) < 0.001);
    SDL_Rect tr = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_TRACE);
    /* The last 12 of 45 s: no belly line (about 26 % of the width). */
    const int x_lost = tr.x + (int)((double)tr.w * (1.0 - 12.0 / 45.0)) + 6;
    assert_true(columns_with(&c, tr, x_lost, BEL_UI_C_BELLY) < 0.03);
    assert_true(columns_with(&c, tr, tr.x + 8, BEL_UI_C_BELLY) > 0.5);

    /* Replugged at 315 s: the line starts again, the gap stays a gap. */
    e = bel_event_make(BEL_EV_SIGNAL_RESTORED, 315.0, 315.0);
    bel_ui_view_push_event(&v, &e);
    v.is_signal_lost = false;
    v.is_unplugged = false;
    for (double t = 315.0; t <= 325.0; t += 0.02) {
        bel_ui_view_push_sample(&v, t, 700.0f + 60.0f * (float)sin(2.0 * PI_D * 0.2 * t), NAN);
    }
    v.t_now_s = 325.0;
    v.session_s = 325.0;
    render(&c, &v, "practice_replugged");
    assert_true(share(&c, fig, BEL_UI_C_BELLY, 12) > 0.05);
    assert_true(share(&c, cue, BEL_UI_C_WARN, 6) < 0.001);
    assert_true(share(&c, nums, BEL_UI_C_TEXT, 6) > 0.01);
    const int x_gap0 = tr.x + (int)((double)tr.w * (1.0 - 25.0 / 45.0)) + 6;
    const int x_gap1 = tr.x + (int)((double)tr.w * (1.0 - 10.0 / 45.0)) - 6;
    SDL_Rect gap = {x_gap0, tr.y, x_gap1 - x_gap0, tr.h};
    assert_true(columns_with(&c, gap, gap.x, BEL_UI_C_BELLY) < 0.05);
    assert_true(columns_with(&c, tr, x_gap1 + 12, BEL_UI_C_BELLY) > 0.8);
    /* The therapist's figures, too, go faint while the belt is away (the pacer's setting,
     * which is live, stays). */
    v.layout = BEL_UI_THERAPIST;
    SDL_Rect met = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_METRICS);
    render(&c, &v, "therapist_replugged");
    const double text_live = share(&c, met, BEL_UI_C_TEXT, 6);
    v.is_signal_lost = v.is_unplugged = true;
    render(&c, &v, "therapist_unplugged");
    const double text_away = share(&c, met, BEL_UI_C_TEXT, 6);
    assert_true(text_live > 0.01);
    assert_true(text_away < 0.25 * text_live);
    canvas_close(&c);
}

/* Paused: the pacer says so, and no band. */
static void test_ui_paused(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 200.0, false);
    v.is_paused = true;
    v.pacer = pacer_at(2.0);
    render(&c, &v, "practice_paused");
    canvas_close(&c);
}

/* A belt with a long name, and the signal lost, at a small and a large window: the
 * warning's words are always there (in amber, from the left), the name is shortened
 * in its middle, and nothing is drawn over anything else. */
static void test_ui_status_line_fits_any_size(void **state)
{
    (void)state;
    static const int sizes[][2] = {{800, 600}, {1920, 1080}, {640, 480}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        canvas c;
        canvas_open(&c, sizes[k][0], sizes[k][1]);
        bel_ui_view v;
        bel_ui_view_init(&v);
        fill_breathing(&v, 60.0, true);
        v.pacer = pacer_at(1.0);
        v.lost_s = 5.0;
        v.n_dropouts = 2;
        v.m.n_spikes = 3;
        snprintf(v.source, sizeof v.source,
                 "belt on /dev/serial/by-id/usb-Arduino_LLC_Arduino_Uno_85735313932351F0E1A1-"
                 "if00 (bellows-belt firmware 1.0.0, 50 Hz, belly, chest)");
        v.is_signal_lost = true;
        char name[64];
        snprintf(name, sizeof name, "status_long_lost_%dx%d", c.w, c.h);
        render(&c, &v, name);
        SDL_Rect st = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_STATUS);
        /* The words "signal lost - check the belt": amber text in the first third. */
        SDL_Rect words = {st.x + st.h, st.y, st.w / 3 - st.h, st.h};
        assert_true(share(&c, words, BEL_UI_C_WARN, 40) > 0.01);
        /* The text and the counters never meet: a gap of background between them. */
        const SDL_Color bg = bel_ui_get_color(BEL_UI_C_BG);
        int run = 0;
        int best = 0;
        for (int x = st.x + st.w / 3; x < st.x + st.w - st.h; x++) {
            bool empty = true;
            for (int y = st.y; y < st.y + st.h && empty; y++) {
                empty = near(pixel(&c, x, y), bg, 2);
            }
            run = empty ? run + 1 : 0;
            best = run > best ? run : best;
        }
        assert_true(best >= st.h / 2);
        canvas_close(&c);
    }
}

/* The first run's help closes by itself once the belt shows breaths (it must not hide
 * the breath it explains); one opened with h stays until a key. */
static void test_ui_first_help_closes_once_breaths_are_counted(void **state)
{
    (void)state;
    bel_ui_view v;
    bel_ui_view_init(&v);
    v.m.n_breaths = 1;
    bel_ui_view_open_first_help(&v);
    for (uint32_t n = 1; n < 1 + BEL_UI_HELP_BREATHS; n++) {
        v.m.n_breaths = n;
        bel_ui_view_update_help(&v);
        assert_true(v.is_help_shown);
    }
    v.m.n_breaths = 1 + BEL_UI_HELP_BREATHS;
    bel_ui_view_update_help(&v);
    assert_false(v.is_help_shown);
    v.is_help_shown = true; /* h */
    v.m.n_breaths += 10;
    bel_ui_view_update_help(&v);
    assert_true(v.is_help_shown);
}

static bool rects_overlap(const SDL_Rect *a, const SDL_Rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static bool rect_inside(const SDL_Rect *r, const SDL_Rect *d)
{
    return r->x >= d->x && r->y >= d->y && r->x + r->w <= d->x + d->w && r->y + r->h <= d->y + d->h;
}

/* The therapist's window: never on top of the client's. On one display that fits both,
 * beside it at full size; on a laptop's display, each takes half; with a second display,
 * centred there and the client's window left where it is. */
static void test_ui_second_window_placed_beside_or_on_the_other_display(void **state)
{
    (void)state;
    const SDL_Rect wide = {0, 0, 2600, 850};
    SDL_Rect a = {660, 25, 1280, 800};
    SDL_Rect b = {0, 0, 1280, 800};
    bel_ui_place_pair(&wide, 1, 0, &a, &b);
    assert_int_equal(a.w, 1280);
    assert_int_equal(b.w, 1280);
    assert_false(rects_overlap(&a, &b));
    assert_true(rect_inside(&a, &wide) && rect_inside(&b, &wide));

    const SDL_Rect laptop = {0, 0, 1280, 800};
    a = (SDL_Rect){0, 0, 1280, 800};
    b = (SDL_Rect){0, 0, 1280, 800};
    bel_ui_place_pair(&laptop, 1, 0, &a, &b);
    assert_false(rects_overlap(&a, &b));
    assert_true(rect_inside(&a, &laptop) && rect_inside(&b, &laptop));
    assert_true(a.w >= 600 && b.w >= 600); /* halves, not slivers */

    const SDL_Rect two[2] = {{0, 0, 1280, 800}, {1280, 0, 1920, 1080}};
    a = (SDL_Rect){0, 0, 1280, 800};
    b = (SDL_Rect){0, 0, 1280, 800};
    bel_ui_place_pair(two, 2, 0, &a, &b);
    assert_true(rect_inside(&b, &two[1]));
    assert_int_equal(a.x, 0);
    assert_int_equal(a.w, 1280);
    a = (SDL_Rect){1500, 100, 1280, 800}; /* the client's window on the second display */
    b = (SDL_Rect){0, 0, 1280, 800};
    bel_ui_place_pair(two, 2, 1, &a, &b);
    assert_true(rect_inside(&b, &two[0]));
}

/* Samples that never came are said as the signal time lost and how many dropouts, and
 * only when there were any: never a bare count of samples. */
static void test_ui_lost_words(void **state)
{
    (void)state;
    char buf[64];
    bel_ui_lost_words(0.0, 0, false, buf, sizeof buf);
    assert_string_equal(buf, "");
    bel_ui_lost_words(3.04, 2, false, buf, sizeof buf);
    assert_string_equal(buf, "3.0 s of signal lost (2 dropouts)");
    bel_ui_lost_words(0.02, 1, false, buf, sizeof buf); /* one sample at 50 Hz */
    assert_string_equal(buf, "0.1 s of signal lost (1 dropout)");
    bel_ui_lost_words(75.0, 3, true, buf, sizeof buf);
    assert_string_equal(buf, "75 s lost");
    bel_ui_lost_words(600.0, 4, false, buf, sizeof buf);
    assert_string_equal(buf, "10 min of signal lost (4 dropouts)");
}

/* The therapist's event log reads the session clock (the one at the top), which stops
 * while paused: an event 600 s into the recording after 60 s of pause is logged at 9:00,
 * as one at 540 s without a pause is. */
static void log_pixels(canvas *c, double t_event, double offset_s, Uint32 *out, SDL_Rect r)
{
    bel_ui_view v;
    bel_ui_view_init(&v);
    v.layout = BEL_UI_THERAPIST;
    v.clock_offset_s = offset_s;
    bel_event e = bel_event_make(BEL_EV_HOLDIN_START, t_event, t_event + 2.0);
    bel_ui_view_push_event(&v, &e);
    render(c, &v, "therapist_log");
    for (int y = 0; y < r.h; y++) {
        const Uint32 *row =
            (const Uint32 *)((const Uint8 *)c->surf->pixels + (r.y + y) * c->surf->pitch);
        memcpy(out + (size_t)y * (size_t)r.w, row + r.x, (size_t)r.w * sizeof *out);
    }
}

static void test_ui_event_log_on_the_session_clock(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    SDL_Rect r = bel_ui_get_region(BEL_UI_THERAPIST, c.w, c.h, BEL_UI_R_LOG);
    const size_t n = (size_t)r.w * (size_t)r.h;
    Uint32 *paused = calloc(n, sizeof *paused);
    Uint32 *plain = calloc(n, sizeof *plain);
    Uint32 *raw = calloc(n, sizeof *raw);
    assert_non_null(paused);
    assert_non_null(plain);
    assert_non_null(raw);
    log_pixels(&c, 600.0, 60.0, paused, r);
    log_pixels(&c, 540.0, 0.0, plain, r);
    log_pixels(&c, 600.0, 0.0, raw, r);
    assert_memory_equal(paused, plain, n * sizeof *paused);
    assert_memory_not_equal(paused, raw, n * sizeof *paused);
    free(paused);
    free(plain);
    free(raw);
    canvas_close(&c);
}

/* The end-of-session summary in the window: its seven lines over the practice layout. */
static void test_ui_summary(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 600.0, true);
    v.pacer = pacer_at(2.0);
    v.is_summary_shown = true;
    v.summary.session_s = 605.0;
    v.summary.n_breaths = 71;
    v.summary.rate_bpm = 7.1f;
    v.summary.belly_share = 0.68f;
    v.summary.held_in_s = 42.0;
    v.summary.n_holdins = 3;
    v.summary.n_holds = 1;
    v.summary.follow = 0.78f;
    snprintf(v.summary.pacer_name, sizeof v.summary.pacer_name, "resonance");
    char label[10][40];
    char value[10][48];
    assert_int_equal(bel_ui_summary_lines(&v.summary, label, value, 10), 7);
    assert_string_equal(value[0], "10:05");
    assert_string_equal(value[2], "7.1 /min");
    assert_string_equal(value[3], "68%");
    assert_string_equal(value[4], "0:42 (3 times)");
    assert_string_equal(value[6], "78% (resonance)");
    v.summary.paused_s = 70.4; /* the clock stopped, and the summary says for how long */
    assert_int_equal(bel_ui_summary_lines(&v.summary, label, value, 10), 7);
    assert_string_equal(value[0], "10:05 (and 1:10 paused)");
    render(&c, &v, "summary");
    SDL_Rect r = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_HELP);
    assert_true(share(&c, r, BEL_UI_C_PANEL, 2) > 0.7);
    /* One belt whose breaths looked upside down all session, nobody having said which way
     * it reads: a last line says what to do next time. */
    v.summary.belly_share = NAN;
    v.summary.is_upside_down = true;
    assert_int_equal(bel_ui_summary_lines(&v.summary, label, value, 10), 8);
    assert_string_equal(label[7], "the belt");
    assert_string_equal(value[7], "read upside down? i, or --invert");
    render(&c, &v, "summary_upside_down");
    canvas_close(&c);
}

/* An assessment's result in the window when its guide is done: no pacer line, the I:E
 * and the deep breath against the relaxed one instead (what the terminal prints). */
static void test_ui_assessment_result(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c, 1280, 800);
    bel_ui_view v;
    bel_ui_view_init(&v);
    fill_breathing(&v, 120.0, true);
    v.is_summary_shown = true;
    v.summary.session_s = 120.0;
    v.summary.n_breaths = 25;
    v.summary.rate_bpm = 13.0f;
    v.summary.belly_share = 0.61f;
    v.summary.held_in_s = 30.0;
    v.summary.n_holdins = 1;
    v.summary.follow = NAN;
    v.summary.is_assessment = true;
    v.summary.ie_ratio = 1.0f / 1.8f;
    v.summary.deep_ratio = 2.6f;
    char label[10][40];
    char value[10][48];
    const int n = bel_ui_summary_lines(&v.summary, label, value, 10);
    assert_int_equal(n, 8);
    assert_string_equal(label[3], "I:E");
    assert_string_equal(value[3], "1:1.8");
    assert_string_equal(value[5], "0:30 (1 time)");
    assert_string_equal(label[7], "deep breath");
    assert_string_equal(value[7], "2.6x relaxed");
    for (int i = 0; i < n; i++) {
        assert_null(strstr(label[i], "pacer"));
    }
    render(&c, &v, "assessment_result");
    SDL_Rect r = bel_ui_get_region(BEL_UI_PRACTICE, c.w, c.h, BEL_UI_R_HELP);
    assert_true(share(&c, r, BEL_UI_C_PANEL, 2) > 0.7);
    canvas_close(&c);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FONT.ttf OUT_DIR\n", argv[0]);
        return 2;
    }
    font_path = argv[1];
    out_dir = argv[2];
    if (!getenv("SDL_VIDEODRIVER")) {
        setenv("SDL_VIDEODRIVER", "dummy", 1);
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ui_practice_inhale_and_exhale),
        cmocka_unit_test(test_ui_pacer_size_follows_phase),
        cmocka_unit_test(test_ui_holdin_invitation_only_when_held_in),
        cmocka_unit_test(test_ui_breath_hold_invitation),
        cmocka_unit_test(test_ui_signal_lost_status),
        cmocka_unit_test(test_ui_simulated_belt_status),
        cmocka_unit_test(test_ui_assessment_phases),
        cmocka_unit_test(test_ui_long_source_keeps_off_the_counters),
        cmocka_unit_test(test_ui_therapist_layout),
        cmocka_unit_test(test_ui_help_overlay_lists_keys),
        cmocka_unit_test(test_ui_scales_with_output_size),
        cmocka_unit_test(test_ui_keys_map_to_actions),
        cmocka_unit_test(test_ui_expansion_from_relaxed_level),
        cmocka_unit_test(test_ui_trace_turns_round_with_the_belt),
        cmocka_unit_test(test_ui_figure_reranges_after_posture_change),
        cmocka_unit_test(test_ui_figure_small_in_uncalibrated_holdin),
        cmocka_unit_test(test_ui_display_signal_delay),
        cmocka_unit_test(test_ui_first_minute_no_raw_units),
        cmocka_unit_test(test_ui_unplugged_and_replugged),
        cmocka_unit_test(test_ui_paused),
        cmocka_unit_test(test_ui_status_line_fits_any_size),
        cmocka_unit_test(test_ui_lost_words),
        cmocka_unit_test(test_ui_second_window_placed_beside_or_on_the_other_display),
        cmocka_unit_test(test_ui_first_help_closes_once_breaths_are_counted),
        cmocka_unit_test(test_ui_event_log_on_the_session_clock),
        cmocka_unit_test(test_ui_summary),
        cmocka_unit_test(test_ui_assessment_result),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return rc;
}
