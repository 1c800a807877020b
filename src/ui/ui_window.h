/* ui_window.h - the SDL2 window: create, keys to actions, draw and present at display rate.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_UI_WINDOW_H
#define BELLOWS_UI_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "bellows/status.h"
#include "ui_view.h"

/** What a key asks for. */
typedef enum bel_ui_action {
    BEL_UI_ACT_NONE = 0,
    BEL_UI_ACT_QUIT,        /**< q, Esc, window closed */
    BEL_UI_ACT_PAUSE,       /**< space */
    BEL_UI_ACT_PACER,       /**< p: pacer on/off */
    BEL_UI_ACT_PACE_UP,     /**< up or right arrow: faster pace */
    BEL_UI_ACT_PACE_DOWN,   /**< down or left arrow: slower pace */
    BEL_UI_ACT_MUTE,        /**< m */
    BEL_UI_ACT_LAYOUT,      /**< t: practice / therapist */
    BEL_UI_ACT_REASSESS,    /**< r: re-assess the relaxed level */
    BEL_UI_ACT_TURN_ROUND,  /**< i: the figure shrinks on breathing in: turn the belts round */
    BEL_UI_ACT_FULLSCREEN,  /**< f (the window toggles itself as well) */
    BEL_UI_ACT_HELP,        /**< h or ? */
    BEL_UI_ACT_MARKER,      /**< k: mark this moment (numbered markers) */
    BEL_UI_ACT_DISCOMFORT,  /**< d: the person feels discomfort now */
    BEL_UI_ACT_CUES,        /**< c: every cue off / back on */
    BEL_UI_ACT_BREATH_TONE, /**< b: the breath tone off / on */
    BEL_UI_ACT_CLOSE,       /**< the window was closed: the end at once */
    BEL_UI_ACT_KEY,         /**< any other key (not a modifier alone): closes the help */
} bel_ui_action;

typedef struct bel_ui_window bel_ui_window;

/** True when SDL can be expected to open a window: DISPLAY or WAYLAND_DISPLAY
 *  is set, or SDL_VIDEODRIVER names a driver. Call from: main only. */
bool bel_ui_display_available(void);

/** The action for a key with modifiers (KMOD_*). Call from: any thread. */
bel_ui_action bel_ui_action_for_key(SDL_Keycode key, Uint16 mod);

/** Open a resizable, high-DPI aware window of w x h screen points titled `title`,
 *  with a renderer (accelerated with vsync when available, else software) and
 *  the drawer using font_path. On failure err says what failed; BEL_ERR_IO.
 *  Call from: main only. */
BEL_NODISCARD bel_status bel_ui_window_create(const char *title, int w, int h,
                                              const char *font_path, bel_ui_window **out, char *err,
                                              size_t err_len);

/** Close. NULL is fine. Call from: main only. */
void bel_ui_window_destroy(bel_ui_window *win);

/** Handle pending window events without waiting (of every window of the process: keys in
 *  a second window act too); write the actions asked for into out (at most max). Toggles
 *  fullscreen on f itself. Closing this window asks for BEL_UI_ACT_CLOSE; closing another
 *  hides it. Returns the count.
 *  Call from: main only. */
int bel_ui_window_poll(bel_ui_window *win, bel_ui_action *out, int max);

/** Draw v and present. Without vsync it then waits out the rest of the display's
 *  frame period, so the loop runs at display rate either way.
 *  Call from: main only. */
BEL_NODISCARD bel_status bel_ui_window_draw(bel_ui_window *win, const bel_ui_view *v);

/** Put win on another display than first's when there is one (bel_ui_place_pair), else
 *  beside first on its display, both made smaller when they do not fit side by side.
 *  Call from: main only. */
void bel_ui_window_place_beside(bel_ui_window *win, bel_ui_window *first);

/** Where a second window goes (the therapist's): centred on another display than the
 *  first window's when there is one (displays: each display's usable area; first_display
 *  the first window's), made no larger than that display; else beside the first on its
 *  display, the pair centred, and when they do not fit side by side each gets half of
 *  it (never one on top of the other). *first and *second hold the windows' sizes in and
 *  their places out. Call from: any thread. */
void bel_ui_place_pair(const SDL_Rect *displays, int n_displays, int first_display, SDL_Rect *first,
                       SDL_Rect *second);

/** Draw v and present, without waiting for the next display frame (a loop that asks
 *  bel_ui_window_is_frame_due first, or a second window drawn in the same turn). Nothing
 *  when the window was closed (hidden). Call from: main only. */
BEL_NODISCARD bel_status bel_ui_window_draw_now(bel_ui_window *win, const bel_ui_view *v);

/** Whether to draw now, for a loop that turns often (every millisecond) and draws with
 *  bel_ui_window_draw_now: with vsync always (presenting waits for the display); without,
 *  when has_news (a sample came, a key was pressed: shown at once, not at the next slot
 *  of a fixed grid) once 3/4 of a display frame has passed since the last frame began,
 *  else after two frames (the clock and the pacer move on). Call from: main only. */
bool bel_ui_window_is_frame_due(const bel_ui_window *win, bool has_news);

/** Milliseconds the last bel_ui_window_draw (or _draw_now) spent drawing and presenting,
 *  without the wait for the next display frame. Call from: main only. */
double bel_ui_window_get_last_draw_ms(const bel_ui_window *win);

/** Name of the renderer in use ("software", "opengl", ...). */
const char *bel_ui_window_renderer_name(const bel_ui_window *win);

#endif
