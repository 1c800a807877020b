/* ui_draw.h - draws a bel_ui_view into any SDL renderer: a window, or a surface for tests.
 *
 * Everything is sized from the renderer's output size in pixels, so a
 * high-DPI window is drawn at full resolution and any window size works.
 * Text comes from a glyph atlas built once per size (and again after a
 * resize), so drawing a frame allocates nothing.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_UI_DRAW_H
#define BELLOWS_UI_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "bellows/status.h"
#include "ui_view.h"

/** Regions of the layouts (for drawing and for tests that look at pixels). */
typedef enum bel_ui_region {
    BEL_UI_R_TOP = 0,     /**< title, session timer */
    BEL_UI_R_BELLY,       /**< practice: the belly figure */
    BEL_UI_R_PACER,       /**< practice: the pacer guide */
    BEL_UI_R_CUE,         /**< practice: the invitation band (belly held in, breath held) */
    BEL_UI_R_NUMBERS,     /**< practice: rate, depth, following */
    BEL_UI_R_TRACE,       /**< the belly trace */
    BEL_UI_R_CHEST_TRACE, /**< therapist: the chest trace */
    BEL_UI_R_TRENDS,      /**< therapist: session trends */
    BEL_UI_R_METRICS,     /**< therapist: per-breath metrics */
    BEL_UI_R_LOG,         /**< therapist: event log */
    BEL_UI_R_STATUS,      /**< signal status line */
    BEL_UI_R_HELP,        /**< the help panel (when shown) */
    BEL_UI_REGION_COUNT
} bel_ui_region;

/** Named colours of the palette. */
typedef enum bel_ui_color {
    BEL_UI_C_BG = 0,
    BEL_UI_C_PANEL,
    BEL_UI_C_TEXT,
    BEL_UI_C_DIM,
    BEL_UI_C_BELLY,
    BEL_UI_C_CHEST,
    BEL_UI_C_PACER,
    BEL_UI_C_HOLDIN,      /**< the "let the belly soften" band */
    BEL_UI_C_BREATH_HOLD, /**< the breath-hold band */
    BEL_UI_C_OK,          /**< belt connected */
    BEL_UI_C_WARN,        /**< signal lost (soft amber, never red) */
    BEL_UI_COLOR_COUNT
} bel_ui_color;

typedef struct bel_ui bel_ui;

/** Rectangle of a region in a w x h pixel output. Empty (0 size) when the layout
 *  has no such region. Call from: any thread. */
SDL_Rect bel_ui_get_region(bel_ui_layout layout, int w, int h, bel_ui_region region);

/** A palette colour (opaque). Call from: any thread. */
SDL_Color bel_ui_get_color(bel_ui_color c);

/** Make a drawer for renderer r (kept, must outlive the drawer) with the TTF font at
 *  font_path. Initialises SDL_ttf if needed. On failure err gets a message naming
 *  the font file; BEL_ERR_IO or BEL_ERR_NOMEM; *out NULL. Call from: main only. */
BEL_NODISCARD bel_status bel_ui_create(SDL_Renderer *r, const char *font_path, bel_ui **out,
                                       char *err, size_t err_len);

/** Free. NULL is fine. Call from: main only. */
void bel_ui_destroy(bel_ui *ui);

/** Draw one whole frame of v (does not present). BEL_ERR_IO if the glyph atlas
 *  cannot be rebuilt after a resize. Call from: main only. Allocates nothing
 *  unless the output size changed. */
BEL_NODISCARD bel_status bel_ui_draw(bel_ui *ui, const bel_ui_view *v);

#endif
