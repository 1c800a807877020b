/* ui_window.c - SDL2 window, renderer, key handling and frame pacing.
 * SPDX-License-Identifier: MIT */
#include "ui_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "ui_draw.h"

struct bel_ui_window {
    SDL_Window *window;
    SDL_Renderer *renderer;
    bel_ui *ui;
    bool has_vsync;
    bool is_fullscreen;
    Uint64 frame_ticks; /* performance-counter ticks per display frame */
    Uint64 next_frame;
    Uint64 last_draw_start; /* performance counter when the last frame began */
    double last_draw_ms;
    char renderer_name[32];
};

bool bel_ui_display_available(void)
{
    const char *names[] = {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && v[0] != '\0') {
            return true;
        }
    }
    return false;
}

bel_ui_action bel_ui_action_for_key(SDL_Keycode key, Uint16 mod)
{
    switch (key) {
    case SDLK_q:
    case SDLK_ESCAPE:
        return BEL_UI_ACT_QUIT;
    case SDLK_SPACE:
        return BEL_UI_ACT_PAUSE;
    case SDLK_p:
        return BEL_UI_ACT_PACER;
    case SDLK_UP:
    case SDLK_RIGHT:
        return BEL_UI_ACT_PACE_UP;
    case SDLK_DOWN:
    case SDLK_LEFT:
        return BEL_UI_ACT_PACE_DOWN;
    case SDLK_m:
        return BEL_UI_ACT_MUTE;
    case SDLK_c:
        return BEL_UI_ACT_CUES;
    case SDLK_b:
        return BEL_UI_ACT_BREATH_TONE;
    case SDLK_t:
        return BEL_UI_ACT_LAYOUT;
    case SDLK_r:
        return BEL_UI_ACT_REASSESS;
    case SDLK_i:
        return BEL_UI_ACT_TURN_ROUND;
    case SDLK_f:
        return BEL_UI_ACT_FULLSCREEN;
    case SDLK_k:
        return BEL_UI_ACT_MARKER;
    case SDLK_d:
        return BEL_UI_ACT_DISCOMFORT;
    case SDLK_h:
    case SDLK_QUESTION:
        return BEL_UI_ACT_HELP;
    case SDLK_SLASH:
        return (mod & KMOD_SHIFT) ? BEL_UI_ACT_HELP : BEL_UI_ACT_NONE;
    default:
        return BEL_UI_ACT_NONE;
    }
}

/* True when the renderer is OpenGL drawn by the CPU (Mesa's llvmpipe, softpipe, swrast),
 * and no renderer was asked for by name (SDL_RENDER_DRIVER wins). */
static bool is_software_gl(SDL_Renderer *r)
{
    SDL_RendererInfo info;
    const char *asked = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
    if ((asked && asked[0]) || SDL_GetRendererInfo(r, &info) != 0 ||
        strncmp(info.name, "opengl", 6) != 0) {
        return false;
    }
    typedef const unsigned char *(*get_string_fn)(unsigned int);
    get_string_fn get_string = NULL;
    void *fn = SDL_GL_GetProcAddress("glGetString");
    memcpy(&get_string, &fn, sizeof get_string); /* object to function pointer */
    const unsigned char *name = get_string ? get_string(0x1F01u) : NULL; /* GL_RENDERER */
    if (!name) {
        return false;
    }
    static const char *const soft[] = {"llvmpipe", "softpipe", "Software Rasterizer", "swrast"};
    for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++) {
        if (strstr((const char *)name, soft[i])) {
            return true;
        }
    }
    return false;
}

bel_status bel_ui_window_create(const char *title, int w, int h, const char *font_path,
                                bel_ui_window **out, char *err, size_t err_len)
{
    if (err && err_len > 0) {
        err[0] = '\0';
    }
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    bel_ui_window *win = calloc(1, sizeof *win);
    if (!win) {
        return BEL_ERR_NOMEM;
    }
    if (!SDL_WasInit(SDL_INIT_VIDEO) && SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, err_len, "cannot open a window: %s", SDL_GetError());
        goto fail;
    }
    /* On a display smaller than the size asked for (a 1366x768 laptop, less its panel),
     * the window opens at the largest size of the same shape that fits its usable part,
     * so nothing is drawn off screen. */
    SDL_Rect usable;
    if (SDL_GetDisplayUsableBounds(0, &usable) == 0 && usable.w > 0 && usable.h > 0 &&
        (w > usable.w || h > usable.h)) {
        const double scale = fmin((double)usable.w / w, (double)usable.h / h);
        w = (int)(w * scale);
        h = (int)(h * scale);
    }
    win->window = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                                   SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!win->window) {
        snprintf(err, err_len, "cannot open a window: %s", SDL_GetError());
        goto fail;
    }
    SDL_SetWindowMinimumSize(win->window, 480, 300);
    /* When the software renderer draws, present through the native framebuffer (X11
     * shared memory) rather than through a GL texture: on a machine without a GPU
     * that GL is itself software and costs twice the CPU. The environment still wins. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    win->renderer =
        SDL_CreateRenderer(win->window, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (win->renderer && is_software_gl(win->renderer)) {
        /* An OpenGL that is itself software (Mesa's llvmpipe: no GPU, or Xvfb) drew a
         * frame in twice the time SDL's own software renderer takes (23 vs 11 ms at
         * 1280x800), and that time is the figure's lag behind the belt. */
        SDL_DestroyRenderer(win->renderer);
        win->renderer = NULL;
    }
    if (!win->renderer) {
        win->renderer = SDL_CreateRenderer(win->window, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!win->renderer) {
        snprintf(err, err_len, "cannot draw in the window: %s", SDL_GetError());
        goto fail;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(win->renderer, &info) == 0) {
        /* The software renderer reports vsync it cannot do: pace it ourselves. */
        win->has_vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0 &&
                         (info.flags & SDL_RENDERER_SOFTWARE) == 0;
        snprintf(win->renderer_name, sizeof win->renderer_name, "%s", info.name);
    }
    if (bel_ui_create(win->renderer, font_path, &win->ui, err, err_len) != BEL_OK) {
        goto fail;
    }
    int hz = 60;
    SDL_DisplayMode mode;
    int display = SDL_GetWindowDisplayIndex(win->window);
    if (display >= 0 && SDL_GetCurrentDisplayMode(display, &mode) == 0 && mode.refresh_rate >= 30) {
        hz = mode.refresh_rate;
    }
    win->frame_ticks = SDL_GetPerformanceFrequency() / (Uint64)hz;
    win->next_frame = SDL_GetPerformanceCounter();
    *out = win;
    return BEL_OK;
fail:
    bel_ui_window_destroy(win);
    return BEL_ERR_IO;
}

void bel_ui_window_destroy(bel_ui_window *win)
{
    if (!win) {
        return;
    }
    bel_ui_destroy(win->ui);
    if (win->renderer) {
        SDL_DestroyRenderer(win->renderer);
    }
    if (win->window) {
        SDL_DestroyWindow(win->window);
    }
    free(win);
}

int bel_ui_window_poll(bel_ui_window *win, bel_ui_action *out, int max)
{
    int n = 0;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        bel_ui_action a = BEL_UI_ACT_NONE;
        if (e.type == SDL_QUIT) {
            a = BEL_UI_ACT_CLOSE;
        } else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) {
            /* This window closed: the end. Another one (the therapist's second window)
             * is only hidden; the session goes on in this one. */
            if (e.window.windowID == SDL_GetWindowID(win->window)) {
                a = BEL_UI_ACT_CLOSE;
            } else if (SDL_GetWindowFromID(e.window.windowID)) {
                SDL_HideWindow(SDL_GetWindowFromID(e.window.windowID));
            }
        } else if (e.type == SDL_KEYDOWN && !e.key.repeat) {
            a = bel_ui_action_for_key(e.key.keysym.sym, e.key.keysym.mod);
            const SDL_Scancode sc = e.key.keysym.scancode;
            const bool is_modifier = (sc >= SDL_SCANCODE_LCTRL && sc <= SDL_SCANCODE_RGUI) ||
                                     sc == SDL_SCANCODE_CAPSLOCK || sc == SDL_SCANCODE_MODE;
            if (a == BEL_UI_ACT_NONE && !is_modifier) { /* Shift of '?' is not a key yet */
                a = BEL_UI_ACT_KEY;
            }
        } else if (e.type == SDL_KEYDOWN &&
                   (e.key.keysym.sym == SDLK_UP || e.key.keysym.sym == SDLK_DOWN)) {
            a = bel_ui_action_for_key(e.key.keysym.sym, e.key.keysym.mod); /* arrows repeat */
        }
        if (a == BEL_UI_ACT_FULLSCREEN) {
            win->is_fullscreen = !win->is_fullscreen;
            SDL_SetWindowFullscreen(win->window,
                                    win->is_fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        }
        if (a != BEL_UI_ACT_NONE && n < max) {
            out[n++] = a;
        }
    }
    return n;
}

/* Space between the two windows on one display, in screen points. */
static const int PAIR_GAP = 16;

static int min_int(int a, int b) { return a < b ? a : b; }

void bel_ui_place_pair(const SDL_Rect *displays, int n_displays, int first_display, SDL_Rect *first,
                       SDL_Rect *second)
{
    if (n_displays < 1) {
        second->x = first->x + first->w + PAIR_GAP;
        second->y = first->y;
        return;
    }
    const int d1 = first_display >= 0 && first_display < n_displays ? first_display : 0;
    if (n_displays > 1) { /* the first other display */
        const SDL_Rect *o = &displays[d1 == 0 ? 1 : 0];
        second->w = min_int(second->w, o->w);
        second->h = min_int(second->h, o->h);
        second->x = o->x + (o->w - second->w) / 2;
        second->y = o->y + (o->h - second->h) / 2;
        return;
    }
    const SDL_Rect *d = &displays[d1];
    if (first->w + PAIR_GAP + second->w > d->w) { /* halves */
        first->w = second->w = (d->w - PAIR_GAP) / 2;
    }
    first->h = min_int(first->h, d->h);
    second->h = min_int(second->h, d->h);
    first->x = d->x + (d->w - (first->w + PAIR_GAP + second->w)) / 2;
    second->x = first->x + first->w + PAIR_GAP;
    first->y = d->y + (d->h - first->h) / 2;
    second->y = d->y + (d->h - second->h) / 2;
}

void bel_ui_window_place_beside(bel_ui_window *win, bel_ui_window *first)
{
    enum { MAX_DISPLAYS = 8 };
    SDL_Rect displays[MAX_DISPLAYS];
    int n = SDL_GetNumVideoDisplays();
    n = n > MAX_DISPLAYS ? MAX_DISPLAYS : n;
    for (int k = 0; k < n; k++) {
        if (SDL_GetDisplayUsableBounds(k, &displays[k]) != 0 &&
            SDL_GetDisplayBounds(k, &displays[k]) != 0) {
            n = k; /* the displays known so far */
            break;
        }
    }
    SDL_Rect a = {0, 0, 0, 0};
    SDL_Rect b = {0, 0, 0, 0};
    SDL_GetWindowPosition(first->window, &a.x, &a.y);
    SDL_GetWindowSize(first->window, &a.w, &a.h);
    SDL_GetWindowSize(win->window, &b.w, &b.h);
    const SDL_Rect a0 = a;
    bel_ui_place_pair(displays, n, SDL_GetWindowDisplayIndex(first->window), &a, &b);
    if (a.w != a0.w || a.h != a0.h) {
        SDL_SetWindowSize(first->window, a.w, a.h);
    }
    if (a.x != a0.x || a.y != a0.y) {
        SDL_SetWindowPosition(first->window, a.x, a.y);
    }
    SDL_SetWindowSize(win->window, b.w, b.h);
    SDL_SetWindowPosition(win->window, b.x, b.y);
}

bool bel_ui_window_is_frame_due(const bel_ui_window *win, bool has_news)
{
    if (win->has_vsync) {
        return true; /* presenting waits for the display */
    }
    /* Frames start at most every 3/4 display frame with news (belt samples come with
     * some jitter: one due a little early is drawn at once, not held to a full frame). */
    const Uint64 since = SDL_GetPerformanceCounter() - win->last_draw_start;
    return has_news ? 4u * since >= 3u * win->frame_ticks : since >= 2u * win->frame_ticks;
}

bel_status bel_ui_window_draw_now(bel_ui_window *win, const bel_ui_view *v)
{
    if (!(SDL_GetWindowFlags(win->window) & SDL_WINDOW_SHOWN)) {
        return BEL_OK; /* closed (hidden) by the user */
    }
    const Uint64 start = SDL_GetPerformanceCounter();
    win->last_draw_start = start;
    const bel_status st = bel_ui_draw(win->ui, v);
    if (st == BEL_OK) {
        SDL_RenderPresent(win->renderer);
        win->last_draw_ms = (double)(SDL_GetPerformanceCounter() - start) * 1000.0 /
                            (double)SDL_GetPerformanceFrequency();
    }
    return st;
}

bel_status bel_ui_window_draw(bel_ui_window *win, const bel_ui_view *v)
{
    const Uint64 start = SDL_GetPerformanceCounter();
    win->last_draw_start = start;
    bel_status st = bel_ui_draw(win->ui, v);
    if (st != BEL_OK) {
        return st;
    }
    SDL_RenderPresent(win->renderer);
    Uint64 now = SDL_GetPerformanceCounter();
    win->last_draw_ms = (double)(now - start) * 1000.0 / (double)SDL_GetPerformanceFrequency();
    if (!win->has_vsync) {
        win->next_frame += win->frame_ticks;
        if (win->next_frame < now) {
            win->next_frame = now; /* fell behind: do not try to catch up */
        } else {
            Uint32 ms = (Uint32)((win->next_frame - now) * 1000 / SDL_GetPerformanceFrequency());
            SDL_Delay(ms);
        }
    }
    return BEL_OK;
}

double bel_ui_window_get_last_draw_ms(const bel_ui_window *win) { return win->last_draw_ms; }

const char *bel_ui_window_renderer_name(const bel_ui_window *win) { return win->renderer_name; }
