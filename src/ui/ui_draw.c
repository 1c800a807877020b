/* ui_draw.c - the practice and therapist layouts, drawn with SDL geometry and a glyph atlas.
 * SPDX-License-Identifier: MIT */
#include "ui_draw.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

enum {
    FIRST_GLYPH = 32,
    N_GLYPHS = 95, /* printable ASCII */
    N_FONTS = 4,
    VERT_CAP = 16384,
    CIRCLE_SEGMENTS = 96,
    PTS_CAP = VERT_CAP / 2,
    RECT_CAP = 8192,
};

/* How long the band says the belts were turned round to follow the pacer, or that the
 * belly had been held in until it was let go. */
static const double PACER_TURNED_SAY_S = 20.0;
static const double PAST_HOLDIN_SAY_S = 20.0;

typedef enum font_size { F_SMALL = 0, F_BODY, F_LARGE, F_HUGE } font_size;
typedef enum align { A_LEFT = 0, A_CENTER, A_RIGHT } align;

typedef struct glyph {
    SDL_Rect src;
    int advance;
} glyph;

typedef struct font_slot {
    SDL_Texture *atlas;                      /* white glyphs, tinted by colour modulation */
    SDL_Texture *tinted[BEL_UI_COLOR_COUNT]; /* the same glyphs already in a palette colour */
    glyph g[N_GLYPHS];
    int height;
} font_slot;

typedef struct scale {
    bool is_known;
    float lo;
    float hi;
} scale;

struct bel_ui {
    SDL_Renderer *r;
    char font_path[1024];
    int w; /* output size the atlas was built for */
    int h;
    font_slot fonts[N_FONTS];
    SDL_Vertex *verts;
    int *index;
    SDL_FPoint *pts; /* polyline scratch, PTS_CAP */
    SDL_Rect *rects; /* scanline scratch, RECT_CAP */
    scale trace_scale[2];
};

static const SDL_Color palette[BEL_UI_COLOR_COUNT] = {
    {22, 30, 41, 255},    /* bg: deep slate */
    {33, 44, 58, 255},    /* panel */
    {214, 222, 230, 255}, /* text */
    {124, 138, 154, 255}, /* dim */
    {108, 192, 178, 255}, /* belly: soft teal */
    {164, 152, 214, 255}, /* chest: lavender */
    {118, 162, 222, 255}, /* pacer: calm blue */
    {226, 188, 128, 255}, /* hold-in band: warm sand */
    {186, 170, 226, 255}, /* breath-hold band: pale lilac */
    {118, 196, 142, 255}, /* ok: sage */
    {222, 172, 96, 255},  /* warn: amber */
};

SDL_Color bel_ui_get_color(bel_ui_color c)
{
    if ((int)c < 0 || c >= BEL_UI_COLOR_COUNT) {
        return palette[BEL_UI_C_TEXT];
    }
    return palette[c];
}

static SDL_Rect frac_rect(int w, int h, float x0, float y0, float x1, float y1)
{
    SDL_Rect r;
    r.x = (int)lrintf(x0 * (float)w);
    r.y = (int)lrintf(y0 * (float)h);
    r.w = (int)lrintf(x1 * (float)w) - r.x;
    r.h = (int)lrintf(y1 * (float)h) - r.y;
    return r;
}

SDL_Rect bel_ui_get_region(bel_ui_layout layout, int w, int h, bel_ui_region region)
{
    SDL_Rect none = {0, 0, 0, 0};
    switch (region) {
    case BEL_UI_R_TOP:
        return frac_rect(w, h, 0.0f, 0.0f, 1.0f, 0.08f);
    case BEL_UI_R_STATUS:
        return frac_rect(w, h, 0.0f, 0.945f, 1.0f, 1.0f);
    case BEL_UI_R_HELP:
        return frac_rect(w, h, 0.06f, 0.12f, 0.94f, 0.88f);
    case BEL_UI_REGION_COUNT:
    default:
        break;
    }
    if (layout == BEL_UI_PRACTICE) {
        switch (region) {
        case BEL_UI_R_BELLY:
            return frac_rect(w, h, 0.04f, 0.10f, 0.40f, 0.60f);
        case BEL_UI_R_PACER:
            return frac_rect(w, h, 0.44f, 0.10f, 0.96f, 0.60f);
        case BEL_UI_R_CUE:
            return frac_rect(w, h, 0.12f, 0.615f, 0.88f, 0.685f);
        case BEL_UI_R_NUMBERS:
            return frac_rect(w, h, 0.04f, 0.695f, 0.96f, 0.745f);
        case BEL_UI_R_TRACE:
            return frac_rect(w, h, 0.04f, 0.755f, 0.96f, 0.935f);
        default:
            return none;
        }
    }
    switch (region) {
    case BEL_UI_R_TRACE:
        return frac_rect(w, h, 0.03f, 0.10f, 0.64f, 0.34f);
    case BEL_UI_R_CHEST_TRACE:
        return frac_rect(w, h, 0.03f, 0.37f, 0.64f, 0.61f);
    case BEL_UI_R_TRENDS:
        return frac_rect(w, h, 0.03f, 0.66f, 0.64f, 0.93f);
    case BEL_UI_R_METRICS:
        return frac_rect(w, h, 0.67f, 0.10f, 0.97f, 0.56f);
    case BEL_UI_R_LOG:
        return frac_rect(w, h, 0.67f, 0.59f, 0.97f, 0.93f);
    default:
        return none;
    }
}

/* ---------------------------------------------------------------- text */

/* Palette colours each font size is drawn in, as bit masks of bel_ui_color. Text in these
 * colours is copied from a pre-tinted atlas: the software renderer blends plain glyphs
 * about three times faster than glyphs under colour modulation. Other colours fall back
 * to the white atlas with colour modulation (same pixels, slower). */
#define TINT(c) (1u << (c))
static const unsigned font_tints[N_FONTS] = {
    TINT(BEL_UI_C_TEXT) | TINT(BEL_UI_C_DIM) | TINT(BEL_UI_C_BG) | TINT(BEL_UI_C_HOLDIN) |
        TINT(BEL_UI_C_BREATH_HOLD) | TINT(BEL_UI_C_WARN),            /* F_SMALL */
    TINT(BEL_UI_C_TEXT) | TINT(BEL_UI_C_DIM) | TINT(BEL_UI_C_PACER), /* F_BODY */
    TINT(BEL_UI_C_TEXT) | TINT(BEL_UI_C_BG),                         /* F_LARGE */
    TINT(BEL_UI_C_BG),                                               /* F_HUGE */
};

static void free_fonts(bel_ui *ui)
{
    for (int i = 0; i < N_FONTS; i++) {
        if (ui->fonts[i].atlas) {
            SDL_DestroyTexture(ui->fonts[i].atlas);
            ui->fonts[i].atlas = NULL;
        }
        for (int c = 0; c < BEL_UI_COLOR_COUNT; c++) {
            if (ui->fonts[i].tinted[c]) {
                SDL_DestroyTexture(ui->fonts[i].tinted[c]);
                ui->fonts[i].tinted[c] = NULL;
            }
        }
    }
}

/* Make the tinted atlases of fs from the white atlas surface (changed in place). */
static bel_status build_tints(bel_ui *ui, font_slot *fs, SDL_Surface *atlas, unsigned mask)
{
    for (int c = 0; c < BEL_UI_COLOR_COUNT; c++) {
        if (!(mask & TINT(c))) {
            continue;
        }
        SDL_Color col = palette[c];
        uint32_t rgb = SDL_MapRGBA(atlas->format, col.r, col.g, col.b, 0);
        uint32_t amask = atlas->format->Amask;
        for (int y = 0; y < atlas->h; y++) {
            uint32_t *row =
                (uint32_t *)((uint8_t *)atlas->pixels + (size_t)y * (size_t)atlas->pitch);
            for (int x = 0; x < atlas->w; x++) {
                row[x] = (row[x] & amask) | rgb;
            }
        }
        fs->tinted[c] = SDL_CreateTextureFromSurface(ui->r, atlas);
        if (!fs->tinted[c]) {
            return BEL_ERR_IO;
        }
        SDL_SetTextureBlendMode(fs->tinted[c], SDL_BLENDMODE_BLEND);
    }
    return BEL_OK;
}

static bel_status build_font(bel_ui *ui, font_slot *fs, int px, unsigned tints)
{
    TTF_Font *font = TTF_OpenFont(ui->font_path, px);
    if (!font) {
        return BEL_ERR_IO;
    }
    SDL_Surface *gs[N_GLYPHS];
    memset(gs, 0, sizeof gs);
    SDL_Color white = {255, 255, 255, 255};
    int row_w = 0;
    int max_row = 2048;
    int x = 0;
    int y = 0;
    int line_h = TTF_FontHeight(font);
    bel_status st = BEL_OK;
    for (int i = 0; i < N_GLYPHS; i++) {
        uint16_t ch = (uint16_t)(FIRST_GLYPH + i);
        int minx, maxx, miny, maxy, adv;
        if (TTF_GlyphMetrics(font, ch, &minx, &maxx, &miny, &maxy, &adv) != 0) {
            adv = px / 2;
        }
        fs->g[i].advance = adv;
        gs[i] = TTF_RenderGlyph_Blended(font, ch, white);
        int gw = gs[i] ? gs[i]->w : 0;
        if (x + gw > max_row) {
            x = 0;
            y += line_h;
        }
        fs->g[i].src.x = x;
        fs->g[i].src.y = y;
        fs->g[i].src.w = gw;
        fs->g[i].src.h = gs[i] ? gs[i]->h : 0;
        x += gw + 1;
        row_w = x > row_w ? x : row_w;
    }
    SDL_Surface *atlas = SDL_CreateRGBSurfaceWithFormat(0, row_w > 0 ? row_w : 1, y + line_h, 32,
                                                        SDL_PIXELFORMAT_ARGB8888);
    if (!atlas) {
        st = BEL_ERR_NOMEM;
        goto done;
    }
    SDL_FillRect(atlas, NULL, 0);
    for (int i = 0; i < N_GLYPHS; i++) {
        if (gs[i]) {
            SDL_SetSurfaceBlendMode(gs[i], SDL_BLENDMODE_NONE);
            SDL_Rect dst = fs->g[i].src;
            SDL_BlitSurface(gs[i], NULL, atlas, &dst);
        }
    }
    fs->atlas = SDL_CreateTextureFromSurface(ui->r, atlas);
    if (fs->atlas) {
        SDL_SetTextureBlendMode(fs->atlas, SDL_BLENDMODE_BLEND);
        st = build_tints(ui, fs, atlas, tints);
    } else {
        st = BEL_ERR_IO;
    }
    SDL_FreeSurface(atlas);
    if (st != BEL_OK) {
        goto done;
    }
    fs->height = line_h;
done:
    for (int i = 0; i < N_GLYPHS; i++) {
        SDL_FreeSurface(gs[i]);
    }
    TTF_CloseFont(font);
    return st;
}

static bel_status build_fonts(bel_ui *ui, int w, int h)
{
    free_fonts(ui);
    float u = (float)(w < h * 16 / 10 ? w * 10 / 16 : h); /* height of a 16:10 frame that fits */
    const float frac[N_FONTS] = {0.024f, 0.032f, 0.05f, 0.085f};
    for (int i = 0; i < N_FONTS; i++) {
        int px = (int)lrintf(frac[i] * u);
        px = px < 8 ? 8 : px;
        bel_status st = build_font(ui, &ui->fonts[i], px, font_tints[i]);
        if (st != BEL_OK) {
            free_fonts(ui);
            return st;
        }
    }
    ui->w = w;
    ui->h = h;
    return BEL_OK;
}

static int text_width(const bel_ui *ui, font_size f, const char *s)
{
    int w = 0;
    for (; *s; s++) {
        int c = (unsigned char)*s - FIRST_GLYPH;
        if (c >= 0 && c < N_GLYPHS) {
            w += ui->fonts[f].g[c].advance;
        }
    }
    return w;
}

/* Draw s with its top at y; x is the left edge, centre or right edge. Returns the width. */
static int draw_text(bel_ui *ui, font_size f, int x, int y, align a, SDL_Color col, const char *s)
{
    font_slot *fs = &ui->fonts[f];
    int w = text_width(ui, f, s);
    if (a == A_CENTER) {
        x -= w / 2;
    } else if (a == A_RIGHT) {
        x -= w;
    }
    SDL_Texture *tex = fs->atlas;
    for (int c = 0; c < BEL_UI_COLOR_COUNT; c++) {
        SDL_Color p = palette[c];
        if (fs->tinted[c] && p.r == col.r && p.g == col.g && p.b == col.b) {
            tex = fs->tinted[c];
            break;
        }
    }
    if (tex == fs->atlas) {
        SDL_SetTextureColorMod(tex, col.r, col.g, col.b);
    }
    SDL_SetTextureAlphaMod(tex, col.a);
    for (; *s; s++) {
        int c = (unsigned char)*s - FIRST_GLYPH;
        if (c < 0 || c >= N_GLYPHS) {
            continue;
        }
        const glyph *g = &fs->g[c];
        if (g->src.w > 0) {
            SDL_Rect dst = {x, y, g->src.w, g->src.h};
            SDL_RenderCopy(ui->r, tex, &g->src, &dst);
        }
        x += g->advance;
    }
    return w;
}

/* ---------------------------------------------------------------- shapes */

static SDL_Color with_alpha(SDL_Color c, uint8_t a)
{
    c.a = a;
    return c;
}

static SDL_Color mix(SDL_Color a, SDL_Color b, float t)
{
    SDL_Color c;
    c.r = (uint8_t)lrintf((float)a.r + t * (float)(b.r - a.r));
    c.g = (uint8_t)lrintf((float)a.g + t * (float)(b.g - a.g));
    c.b = (uint8_t)lrintf((float)a.b + t * (float)(b.b - a.b));
    c.a = 255;
    return c;
}

/* Set the draw colour. An opaque colour is drawn without blending: the pixels are the same,
 * and the software renderer fills them several times faster than through its blend path. */
static void set_color(bel_ui *ui, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(ui->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(ui->r, c.r, c.g, c.b, c.a);
}

static void fill_rect(bel_ui *ui, SDL_Rect r, SDL_Color c)
{
    set_color(ui, c);
    SDL_RenderFillRect(ui->r, &r);
}

static SDL_Vertex vtx(float x, float y, SDL_Color c)
{
    SDL_Vertex v;
    v.position.x = x;
    v.position.y = y;
    v.color = c;
    v.tex_coord.x = 0.0f;
    v.tex_coord.y = 0.0f;
    return v;
}

/* Filled ellipse: one rectangle per scanline (the fast path of every renderer), then a
 * one-pixel feathered rim of triangles for a soft, antialiased edge. */
static void fill_ellipse(bel_ui *ui, float cx, float cy, float rx, float ry, SDL_Color c)
{
    if (rx <= 0.5f || ry <= 0.5f) {
        return;
    }
    int y0 = (int)ceilf(cy - ry + 0.5f);
    int y1 = (int)floorf(cy + ry - 0.5f);
    int nr = 0;
    for (int y = y0; y <= y1 && nr < RECT_CAP; y++) {
        float dy = ((float)y + 0.5f - cy) / ry;
        float half = rx * sqrtf(fmaxf(0.0f, 1.0f - dy * dy));
        int xa = (int)lrintf(cx - half);
        int xb = (int)lrintf(cx + half);
        if (xb > xa) {
            SDL_Rect r = {xa, y, xb - xa, 1};
            ui->rects[nr++] = r;
        }
    }
    set_color(ui, c);
    SDL_RenderFillRects(ui->r, ui->rects, nr);
    const int n = CIRCLE_SEGMENTS;
    SDL_Vertex *v = ui->verts;
    int *ix = ui->index;
    int nv = 0;
    int ni = 0;
    SDL_Color edge = with_alpha(c, 0);
    for (int i = 0; i < n; i++) {
        float a = 6.2831853f * (float)i / (float)n;
        float ca = cosf(a);
        float sa = sinf(a);
        v[nv++] = vtx(cx + (rx - 0.6f) * ca, cy + (ry - 0.6f) * sa, c);
        v[nv++] = vtx(cx + (rx + 0.8f) * ca, cy + (ry + 0.8f) * sa, edge);
    }
    for (int i = 0; i < n; i++) {
        int in0 = 2 * i;
        int out0 = in0 + 1;
        int in1 = 2 * ((i + 1) % n);
        int out1 = in1 + 1;
        ix[ni++] = in0;
        ix[ni++] = out0;
        ix[ni++] = in1;
        ix[ni++] = in1;
        ix[ni++] = out0;
        ix[ni++] = out1;
    }
    SDL_SetRenderDrawBlendMode(ui->r, SDL_BLENDMODE_BLEND); /* the rim fades out */
    SDL_RenderGeometry(ui->r, NULL, v, nv, ix, ni);
}

static void ring(bel_ui *ui, float cx, float cy, float r, float width, SDL_Color c, SDL_Color bg)
{
    fill_ellipse(ui, cx, cy, r, r, c);
    fill_ellipse(ui, cx, cy, r - width, r - width, bg);
}

/* Rounded rectangle: scanline rectangles for the rounded top and bottom, one for the middle. */
static void fill_round_rect(bel_ui *ui, SDL_Rect r, float radius, SDL_Color c)
{
    int rad = (int)lrintf(radius);
    int half = (r.w < r.h ? r.w : r.h) / 2;
    rad = rad > half ? half : rad;
    int nr = 0;
    for (int i = 0; i < rad && nr + 2 <= RECT_CAP; i++) {
        float dy = ((float)(rad - i) - 0.5f) / (float)rad;
        int inset = rad - (int)lrintf((float)rad * sqrtf(fmaxf(0.0f, 1.0f - dy * dy)));
        SDL_Rect top = {r.x + inset, r.y + i, r.w - 2 * inset, 1};
        SDL_Rect bottom = {r.x + inset, r.y + r.h - 1 - i, r.w - 2 * inset, 1};
        ui->rects[nr++] = top;
        ui->rects[nr++] = bottom;
    }
    if (nr < RECT_CAP) {
        SDL_Rect mid = {r.x, r.y + rad, r.w, r.h - 2 * rad};
        ui->rects[nr++] = mid;
    }
    set_color(ui, c);
    SDL_RenderFillRects(ui->r, ui->rects, nr);
}

/* Polyline drawn `width` pixels thick as parallel one-pixel lines offset vertically
 * (traces are mostly horizontal; lines are the cheapest primitive in every renderer). */
static void thick_line(bel_ui *ui, SDL_FPoint *p, int n, float width, SDL_Color c)
{
    if (n < 2) {
        return;
    }
    int passes = (int)lrintf(width);
    passes = passes < 1 ? 1 : (passes > 6 ? 6 : passes);
    float shift = -0.5f * (float)(passes - 1);
    set_color(ui, c);
    for (int k = 0; k < passes; k++) {
        for (int i = 0; i < n; i++) {
            p[i].y += k == 0 ? shift : 1.0f;
        }
        SDL_RenderDrawLinesF(ui->r, p, n);
    }
}

/* ---------------------------------------------------------------- helpers */

static const char *fmt_num(char *buf, size_t len, int decimals, float x)
{
    if (isfinite(x)) {
        snprintf(buf, len, "%.*f", decimals, (double)x);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

static void fmt_clock(char *buf, size_t len, double s)
{
    long t = s > 0.0 ? (long)s : 0;
    snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static float depth_rel(const bel_ui_view *v)
{
    if (isfinite(v->m.depth) && isfinite(v->relaxed_depth) && v->relaxed_depth > 0.0f) {
        return v->m.depth / v->relaxed_depth;
    }
    return NAN;
}

/* Following is worth a number once there are breaths to judge. */
static bool has_follow(const bel_ui_view *v)
{
    return v->is_pacer_on && isfinite(v->follow.score) &&
           v->follow.n_onsets >= BEL_UI_FOLLOW_MIN_ONSETS;
}

/* Depth as a multiple of relaxed, or "learning..." until the relaxed depth is known:
 * never the belt's raw units. */
static const char *fmt_depth(char *buf, size_t len, int decimals, const bel_ui_view *v)
{
    const float dr = depth_rel(v);
    if (isfinite(dr)) {
        snprintf(buf, len, "%.*fx relaxed", decimals, (double)dr);
    } else {
        snprintf(buf, len, "learning...");
    }
    return buf;
}

static double latest_t(const bel_ui_view *v)
{
    if (v->trace_head == 0) {
        return fmax(v->m.t_s, v->t_now_s);
    }
    return fmax(v->trace_t[(v->trace_head - 1) & (BEL_UI_TRACE_CAP - 1)], v->t_now_s);
}

/* ---------------------------------------------------------------- traces */

static void draw_spans(bel_ui *ui, const bel_ui_view *v, SDL_Rect r, double t0, double t1)
{
    uint32_t n = v->event_head < BEL_UI_EVENT_CAP ? v->event_head : BEL_UI_EVENT_CAP;
    double open[3] = {NAN, NAN, NAN}; /* holdin, breath hold, signal lost */
    const bel_ui_color cols[3] = {BEL_UI_C_HOLDIN, BEL_UI_C_BREATH_HOLD, BEL_UI_C_DIM};
    double span_t0[BEL_UI_EVENT_CAP];
    double span_t1[BEL_UI_EVENT_CAP];
    int span_k[BEL_UI_EVENT_CAP];
    int n_span = 0;
    for (uint32_t k = n; k > 0; k--) {
        const bel_event *e = &v->events[(v->event_head - k) % BEL_UI_EVENT_CAP];
        int which = -1;
        bool is_start = false;
        switch (e->kind) {
        case BEL_EV_HOLDIN_START:
            is_start = true;
            which = 0;
            break;
        case BEL_EV_HOLDIN_END:
            which = 0;
            break;
        case BEL_EV_BREATH_HOLD_START:
            is_start = true;
            which = 1;
            break;
        case BEL_EV_BREATH_HOLD_END:
            which = 1;
            break;
        case BEL_EV_SIGNAL_LOST:
            is_start = true;
            which = 2;
            break;
        case BEL_EV_SIGNAL_RESTORED:
            which = 2;
            break;
        default:
            break;
        }
        if (which < 0) {
            continue;
        }
        /* Nothing is known about the belly while the belt is away: an episode open when
         * it went ends there (the pipeline ends it at the gap once the belt is back). */
        for (int j = 0; which == 2 && is_start && j < 2 && n_span < BEL_UI_EVENT_CAP; j++) {
            if (isfinite(open[j])) {
                span_t0[n_span] = open[j];
                span_t1[n_span] = e->t_s;
                span_k[n_span++] = j;
                open[j] = NAN;
            }
        }
        if (is_start) {
            open[which] = e->t_s;
        } else if (isfinite(open[which]) && n_span < BEL_UI_EVENT_CAP) {
            span_t0[n_span] = open[which];
            span_t1[n_span] = e->t_s;
            span_k[n_span++] = which;
            open[which] = NAN;
        }
    }
    for (int k = 0; k < 3 && n_span < BEL_UI_EVENT_CAP; k++) {
        if (isfinite(open[k])) {
            span_t0[n_span] = open[k];
            span_t1[n_span] = t1;
            span_k[n_span++] = k;
        }
    }
    double span_s = t1 - t0;
    for (int i = 0; i < n_span; i++) {
        double a = span_t0[i] < t0 ? t0 : span_t0[i];
        double b = span_t1[i] > t1 ? t1 : span_t1[i];
        if (b <= a) {
            continue;
        }
        SDL_Rect s;
        s.x = r.x + (int)lrint((a - t0) / span_s * r.w);
        s.w = (int)lrint((b - a) / span_s * r.w);
        s.y = r.y;
        s.h = r.h;
        fill_rect(ui, s, with_alpha(bel_ui_get_color(cols[span_k[i]]), 56));
    }
}

static void draw_trace(bel_ui *ui, const bel_ui_view *v, SDL_Rect r, int channel, SDL_Color col,
                       const char *label)
{
    fill_round_rect(ui, r, (float)r.h * 0.06f, palette[BEL_UI_C_PANEL]);
    double t1 = latest_t(v);
    double t0 = t1 - (double)v->trace_window_s;
    draw_spans(ui, v, r, t0, t1);
    const float *ys = channel == 0 ? v->trace_belly : v->trace_chest;
    uint32_t n = bel_ui_view_trace_count(v);
    float lo = INFINITY;
    float hi = -INFINITY;
    uint32_t n_in = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (v->trace_head - 1 - k) & (BEL_UI_TRACE_CAP - 1);
        if (v->trace_t[i] < t0) {
            break;
        }
        n_in++;
        if (isfinite(ys[i])) {
            lo = ys[i] < lo ? ys[i] : lo;
            hi = ys[i] > hi ? ys[i] : hi;
        }
    }
    int pad = r.h / 12;
    draw_text(ui, F_SMALL, r.x + pad, r.y + pad / 2, A_LEFT, palette[BEL_UI_C_DIM], label);
    if (!(hi >= lo)) {
        draw_text(ui, F_BODY, r.x + r.w / 2, r.y + r.h / 2 - ui->fonts[F_BODY].height / 2, A_CENTER,
                  palette[BEL_UI_C_DIM], channel == 0 ? "waiting for the belt" : "no chest belt");
        return;
    }
    /* Scale: widen at once, narrow gently, so the trace stays calm. */
    scale *sc = &ui->trace_scale[channel];
    float span = hi - lo;
    float mlo = lo - 0.1f * span - 1e-3f;
    float mhi = hi + 0.1f * span + 1e-3f;
    if (!sc->is_known || mlo < sc->lo || mhi > sc->hi) {
        sc->lo = sc->is_known && sc->lo < mlo ? sc->lo : mlo;
        sc->hi = sc->is_known && sc->hi > mhi ? sc->hi : mhi;
        if (!sc->is_known) {
            sc->lo = mlo;
            sc->hi = mhi;
        }
        sc->is_known = true;
    }
    sc->lo += 0.05f * (mlo - sc->lo);
    sc->hi += 0.05f * (mhi - sc->hi);
    float y_top = (float)(r.y + pad);
    float y_h = (float)(r.h - 2 * pad);
    float inv = 1.0f / (sc->hi - sc->lo);
    /* Event ticks. */
    uint32_t ne = v->event_head < BEL_UI_EVENT_CAP ? v->event_head : BEL_UI_EVENT_CAP;
    for (uint32_t k = 0; k < ne; k++) {
        const bel_event *e = &v->events[(v->event_head - 1 - k) % BEL_UI_EVENT_CAP];
        if (e->t_s < t0 || e->t_s > t1) {
            continue;
        }
        int x = r.x + (int)lrint((e->t_s - t0) / (t1 - t0) * r.w);
        if (e->kind == BEL_EV_INSP_ONSET) {
            SDL_Rect tick = {x - 1, r.y + r.h - pad, 3, pad / 2 + 1};
            fill_rect(ui, tick, with_alpha(col, 200));
        } else if (e->kind == BEL_EV_EXP_ONSET) {
            SDL_Rect tick = {x - 1, r.y + pad / 2, 3, pad / 2 + 1};
            fill_rect(ui, tick, with_alpha(col, 140));
        }
    }
    /* Line: at most about one point per pixel column. */
    SDL_FPoint *pts = ui->pts;
    const int max_pts = PTS_CAP;
    int np = 0;
    float last_x = -1e9f;
    for (uint32_t k = n_in; k > 0; k--) {
        uint32_t i = (v->trace_head - k) & (BEL_UI_TRACE_CAP - 1);
        float y = ys[i];
        float x = (float)r.x + (float)((v->trace_t[i] - t0) / (t1 - t0)) * (float)r.w;
        if (!isfinite(y)) {
            thick_line(ui, pts, np, fmaxf(2.0f, (float)ui->h / 320.0f), col);
            np = 0;
            continue;
        }
        if (x - last_x < 1.0f && k != 1) {
            continue;
        }
        last_x = x;
        if (np < max_pts) {
            pts[np].x = x;
            pts[np].y = y_top + y_h * (1.0f - (y - sc->lo) * inv);
            np++;
        }
    }
    thick_line(ui, pts, np, fmaxf(2.0f, (float)ui->h / 320.0f), col);
}

/* ---------------------------------------------------------------- practice */

static void draw_belly_figure(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    float e = isfinite(v->expansion) ? fminf(fmaxf(v->expansion, 0.0f), 1.0f) : 0.5f;
    float u = (float)(r.h < r.w ? r.h : r.w);
    float cx = (float)r.x + (float)r.w * 0.5f;
    float top = (float)r.y + u * 0.06f;
    SDL_Color body = mix(palette[BEL_UI_C_PANEL], palette[BEL_UI_C_DIM], 0.25f);
    /* Head, torso, then the belly in front of the torso; a held-in belly draws tucked. */
    fill_ellipse(ui, cx, top + u * 0.1f, u * 0.09f, u * 0.1f, body);
    float torso_cy = top + u * 0.5f;
    fill_ellipse(ui, cx, torso_cy, u * 0.2f, u * 0.3f, body);
    SDL_Color bc = palette[BEL_UI_C_BELLY];
    if (v->is_holdin) {
        bc = mix(bc, palette[BEL_UI_C_HOLDIN], 0.5f);
    }
    if (v->is_unplugged) { /* nothing is known about the belly now: a faint, resting belly */
        bc = mix(bc, palette[BEL_UI_C_PANEL], 0.7f);
        e = 0.3f;
    }
    float rx = u * (0.13f + 0.13f * e);
    float ry = u * (0.15f + 0.05f * e);
    fill_ellipse(ui, cx + u * 0.03f * e, torso_cy + u * 0.14f, rx, ry, bc);
    draw_text(ui, F_SMALL, (int)cx, r.y + r.h - ui->fonts[F_SMALL].height, A_CENTER,
              palette[BEL_UI_C_DIM], "belly");
}

static void draw_pacer(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    float u = (float)(r.h < r.w ? r.h : r.w);
    float cx = (float)r.x + (float)r.w * 0.5f;
    float cy = (float)r.y + u * 0.45f;
    float r_max = u * 0.40f;
    float r_min = r_max * 0.3f;
    ring(ui, cx, cy, r_max, fmaxf(2.0f, u * 0.006f), palette[BEL_UI_C_DIM], palette[BEL_UI_C_BG]);
    int word_y = (int)(cy + r_max) + (int)(u * 0.02f);
    char buf[64];
    if (!v->is_pacer_on) {
        draw_text(ui, F_BODY, (int)cx, word_y, A_CENTER, palette[BEL_UI_C_DIM], "pacer off  (p)");
        return;
    }
    const bel_pacer_state *p = &v->pacer;
    float size = fminf(fmaxf(p->size, 0.0f), 1.0f);
    float rad = r_min + (r_max - r_min) * size;
    SDL_Color pc = palette[BEL_UI_C_PACER];
    if (v->is_paused) {
        pc = mix(pc, palette[BEL_UI_C_BG], 0.5f);
    }
    fill_ellipse(ui, cx, cy, rad, rad, pc);
    snprintf(buf, sizeof buf, "%d", (int)ceilf(fmaxf(p->countdown_s, 0.0f)));
    draw_text(ui, F_HUGE, (int)cx, (int)cy - ui->fonts[F_HUGE].height / 2, A_CENTER,
              palette[BEL_UI_C_BG], buf);
    draw_text(ui, F_LARGE, (int)cx, word_y, A_CENTER, palette[BEL_UI_C_TEXT],
              v->is_paused ? "paused" : bel_pacer_phase_word(p->phase));
}

/* The assessment instead of the pacer: the phase's name, a countdown in a ring that
 * empties as the phase runs, and what to do now. */
static void draw_assess(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    float u = (float)(r.h < r.w ? r.h : r.w);
    float cx = (float)r.x + (float)r.w * 0.5f;
    float cy = (float)r.y + u * 0.45f;
    float r_max = u * 0.40f;
    float left = v->assess_phase_s > 0.0f ? v->assess_remaining_s / v->assess_phase_s : 0.0f;
    left = fminf(fmaxf(left, 0.0f), 1.0f);
    ring(ui, cx, cy, r_max, fmaxf(2.0f, u * 0.006f), palette[BEL_UI_C_DIM], palette[BEL_UI_C_BG]);
    fill_ellipse(ui, cx, cy, r_max * (0.3f + 0.7f * left), r_max * (0.3f + 0.7f * left),
                 palette[BEL_UI_C_PACER]);
    char buf[96];
    snprintf(buf, sizeof buf, "%d", (int)ceilf(fmaxf(v->assess_remaining_s, 0.0f)));
    draw_text(ui, F_HUGE, (int)cx, (int)cy - ui->fonts[F_HUGE].height / 2, A_CENTER,
              palette[BEL_UI_C_BG], buf);
    snprintf(buf, sizeof buf, "%d of %d:  %s", v->assess_step, v->assess_steps, v->assess_phase);
    draw_text(ui, F_LARGE, (int)cx, (int)(cy + r_max) + (int)(u * 0.02f), A_CENTER,
              palette[BEL_UI_C_TEXT], buf);
}

static void draw_assess_prompt(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    fill_round_rect(ui, r, (float)r.h * 0.5f, palette[BEL_UI_C_PANEL]);
    draw_text(ui, F_BODY, r.x + r.w / 2, r.y + (r.h - ui->fonts[F_BODY].height) / 2, A_CENTER,
              palette[BEL_UI_C_TEXT], v->assess_prompt);
}

static void draw_cue(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    const char *msg = NULL;
    char past[96];
    bel_ui_color c = BEL_UI_C_HOLDIN;
    font_size f = F_LARGE;
    if (v->is_unplugged) { /* replaces whatever the band said about the belly */
        msg = "belt unplugged - plug it back in";
        c = BEL_UI_C_WARN;
    } else if (v->is_holdin) {
        msg = "let the belly soften";
    } else if (v->is_breath_hold &&
               !(v->is_pacer_on && !v->is_assessing &&
                 (v->pacer.phase == BEL_PACER_HOLD_IN || v->pacer.phase == BEL_PACER_HOLD_OUT))) {
        /* Not while the pacer itself asks for a hold. */
        msg = "let the breath flow again, gently";
        c = BEL_UI_C_BREATH_HOLD;
    } else if (v->is_polarity_asked) {
        msg = "does the figure shrink as you breathe in?  press i";
        c = BEL_UI_C_DIM;
        f = F_BODY; /* a question, not a cue */
    } else if (v->t_now_s - v->t_pacer_turned_s < PACER_TURNED_SAY_S) {
        msg = "the belt read the other way round: turned  (i turns it back)";
        c = BEL_UI_C_DIM;
        f = F_BODY; /* news, not a cue */
    } else if (v->t_now_s - v->t_past_holdin_s < PAST_HOLDIN_SAY_S) {
        const long s = lround(v->past_holdin_s);
        snprintf(past, sizeof past, "the belly was held in for %ld:%02ld, until you let it go",
                 s / 60, s % 60);
        msg = past;
        c = BEL_UI_C_DIM;
        f = F_BODY; /* news, not a cue */
    }
    if (!msg) {
        return;
    }
    fill_round_rect(ui, r, (float)r.h * 0.5f, palette[c]);
    draw_text(ui, f, r.x + r.w / 2, r.y + (r.h - ui->fonts[f].height) / 2, A_CENTER,
              palette[BEL_UI_C_BG], msg);
}

static void draw_numbers(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    char a[32];
    char line[160];
    char b[32];
    fmt_depth(b, sizeof b, 1, v);
    if (v->is_assessing && v->assess_why[0]) { /* why the phase is asked again */
        draw_text(ui, F_BODY, r.x + r.w / 2, r.y + (r.h - ui->fonts[F_BODY].height) / 2, A_CENTER,
                  palette[BEL_UI_C_WARN], v->assess_why);
        return;
    }
    /* Following the pacer only once there are breaths to judge; no pacer while the
     * breathing is measured. */
    if (!v->is_assessing && has_follow(v)) {
        snprintf(line, sizeof line, "rate %s /min     depth %s     following the pacer %.0f%%",
                 fmt_num(a, sizeof a, 1, v->m.rate_bpm), b, (double)(v->follow.score * 100.0f));
    } else {
        snprintf(line, sizeof line, "rate %s /min     depth %s",
                 fmt_num(a, sizeof a, 1, v->m.rate_bpm), b);
    }
    /* The belt away: the last figures stay, faint, as they are not live. */
    draw_text(ui, F_BODY, r.x + r.w / 2, r.y + (r.h - ui->fonts[F_BODY].height) / 2, A_CENTER,
              palette[v->is_unplugged || v->is_signal_lost ? BEL_UI_C_DIM : BEL_UI_C_TEXT], line);
}

/* ---------------------------------------------------------------- top and status */

static void draw_top(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    char clock[32];
    char line[128];
    int pad = r.h / 3;
    int y = r.y + (r.h - ui->fonts[F_BODY].height) / 2;
    fmt_clock(clock, sizeof clock, v->session_s);
    snprintf(line, sizeof line, "bellows  -  %s",
             v->layout == BEL_UI_PRACTICE ? "practice" : "therapist");
    draw_text(ui, F_BODY, r.x + pad, y, A_LEFT, palette[BEL_UI_C_DIM], line);
    snprintf(line, sizeof line, "session %s", clock);
    draw_text(ui, F_BODY, r.x + r.w / 2, y, A_CENTER, palette[BEL_UI_C_TEXT], line);
    if (v->is_assessing) { /* in both layouts */
        snprintf(line, sizeof line, "assessment: %.64s  %d s", v->assess_phase,
                 (int)ceilf(fmaxf(v->assess_remaining_s, 0.0f)));
    } else if (v->is_pacer_on) {
        snprintf(line, sizeof line, "%s%s  %.1f /min", v->is_paused ? "paused  -  " : "",
                 v->pacer_name, (double)v->pacer.rate_bpm);
    } else {
        snprintf(line, sizeof line, "%spacer off", v->is_paused ? "paused  -  " : "");
    }
    draw_text(ui, F_BODY, r.x + r.w - pad, y, A_RIGHT, palette[BEL_UI_C_DIM], line);
}

/* s shortened in its middle with "..." to fit width px (a device path keeps its start
 * and its end, which tell belts apart); "" when not even "..." fits. */
static void fit_middle(const bel_ui *ui, font_size f, char *s, size_t cap, int width)
{
    if (text_width(ui, f, s) <= width) {
        return;
    }
    char full[256];
    snprintf(full, sizeof full, "%s", s);
    const size_t n = strlen(full);
    for (size_t keep = n; keep > 0; keep--) {
        const size_t head = (keep + 1) / 2;
        const size_t tail = keep - head;
        snprintf(s, cap, "%.*s...%s", (int)head, full, full + n - tail);
        if (text_width(ui, f, s) <= width) {
            return;
        }
    }
    snprintf(s, cap, "%s", text_width(ui, f, "...") <= width ? "..." : "");
}

static void draw_status(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    int pad = r.h / 2;
    float dot = (float)r.h * 0.18f;
    int y = r.y + (r.h - ui->fonts[F_SMALL].height) / 2;
    bel_ui_color c = BEL_UI_C_OK;
    /* The words first, the source's name after them in brackets: the name is what gets
     * shortened, never the warning. */
    const char *words = "belt connected";
    if (v->is_recording_failed) {
        c = BEL_UI_C_WARN;
        words = "not recording: the disk is full or failed";
    } else if (v->is_simulated) { /* not a person's breathing: amber, and said in words */
        c = BEL_UI_C_WARN;
        words = "";
    } else if (v->is_signal_lost || v->is_unplugged) {
        c = BEL_UI_C_WARN;
        words = "signal lost - check the belt";
    } else if (!v->is_connected) {
        c = BEL_UI_C_DIM;
        words = "waiting for the belt";
    }
    const char *audio = !v->is_audio_available ? "off"
                        : v->is_muted          ? "muted (m)"
                        : v->is_cues_off       ? "on, cues off (c)"
                                               : "on";
    char lost[64];
    bel_ui_lost_words(v->lost_s, v->n_dropouts, false, lost, sizeof lost);
    char counts[192];
    snprintf(counts, sizeof counts, "%s%sspikes %u   clipped %u   dropped %u   audio %s", lost,
             lost[0] ? "   " : "", (unsigned)v->m.n_spikes, (unsigned)v->m.n_clipped,
             (unsigned)v->n_dropped, audio);
    const int x_text = r.x + pad * 2;
    const int x_end = r.x + r.w - pad;
    const int min_name = text_width(ui, F_SMALL, " (/dev/tty...)");
    const int need = text_width(ui, F_SMALL, words) + (v->source[0] ? min_name : 0);
    if (x_end - x_text - text_width(ui, F_SMALL, counts) - pad * 2 < need) {
        /* Too narrow: what says something (the signal lost, counters not zero), then none. */
        char part[48];
        bel_ui_lost_words(v->lost_s, v->n_dropouts, true, counts, sizeof counts);
        const unsigned vals[3] = {(unsigned)v->m.n_spikes, (unsigned)v->m.n_clipped,
                                  (unsigned)v->n_dropped};
        static const char *const names[3] = {"spikes", "clipped", "dropped"};
        for (int k = 0; k < 3; k++) {
            if (vals[k] > 0) {
                snprintf(part, sizeof part, "%s%s %u", counts[0] ? "  " : "", names[k], vals[k]);
                strncat(counts, part, sizeof counts - strlen(counts) - 1);
            }
        }
        snprintf(part, sizeof part, "%saudio %s", counts[0] ? "  " : "", audio);
        strncat(counts, part, sizeof counts - strlen(counts) - 1);
        if (x_end - x_text - text_width(ui, F_SMALL, counts) - pad * 2 < need) {
            counts[0] = '\0';
        }
    }
    const int room = x_end - x_text - (counts[0] ? text_width(ui, F_SMALL, counts) + pad * 2 : 0);
    char line[sizeof v->source + 64];
    char name[sizeof v->source];
    snprintf(name, sizeof name, "%s", v->source);
    if (words[0] && name[0]) {
        const int w_words = text_width(ui, F_SMALL, words) + text_width(ui, F_SMALL, " ()");
        fit_middle(ui, F_SMALL, name, sizeof name, room - w_words);
        snprintf(line, sizeof line, name[0] ? "%s (%s)" : "%s", words, name);
    } else {
        fit_middle(ui, F_SMALL, name, sizeof name, room);
        snprintf(line, sizeof line, "%s", words[0] ? words : name);
    }
    fill_ellipse(ui, (float)(r.x + pad), (float)r.y + (float)r.h * 0.5f, dot, dot, palette[c]);
    draw_text(ui, F_SMALL, x_text, y, A_LEFT,
              c == BEL_UI_C_WARN ? palette[BEL_UI_C_WARN] : palette[BEL_UI_C_DIM], line);
    if (counts[0]) {
        draw_text(ui, F_SMALL, x_end, y, A_RIGHT, palette[BEL_UI_C_DIM], counts);
    }
}

/* ---------------------------------------------------------------- therapist */

/* live: false while the belt is away (the last value stays, faint). */
static void metric_row(bel_ui *ui, SDL_Rect r, int row, const char *name, const char *value,
                       bool live)
{
    int lh = ui->fonts[F_SMALL].height * 4 / 3;
    int pad = ui->fonts[F_SMALL].height / 2;
    int y = r.y + pad + row * lh;
    if (y + lh > r.y + r.h) {
        return;
    }
    draw_text(ui, F_SMALL, r.x + pad, y, A_LEFT, palette[BEL_UI_C_DIM], name);
    draw_text(ui, F_SMALL, r.x + r.w - pad, y, A_RIGHT,
              palette[live ? BEL_UI_C_TEXT : BEL_UI_C_DIM], value);
}

static void draw_metrics(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    char b[96];
    char c[32];
    fill_round_rect(ui, r, (float)r.h * 0.03f, palette[BEL_UI_C_PANEL]);
    const bool live = !v->is_unplugged && !v->is_signal_lost;
    int row = 0;
    snprintf(b, sizeof b, "%s /min", fmt_num(c, sizeof c, 1, v->m.rate_bpm));
    metric_row(ui, r, row++, "rate (breaths counted)", b, live);
    /* The spectrum's rate is a check on the count: the same when the breathing is
     * regular; far apart when breaths are missed or doubled, or the breathing is
     * irregular (then the count is the one to trust). */
    const float rc = v->m.rate_bpm;
    const float rs = v->m.rate_spectral_bpm;
    if (isfinite(rs) && isfinite(rc) && fabsf(rs - rc) > 0.2f * fmaxf(rc, 1.0f)) {
        snprintf(b, sizeof b, "%s /min, differs", fmt_num(c, sizeof c, 1, rs));
    } else {
        snprintf(b, sizeof b, "%s /min%s", fmt_num(c, sizeof c, 1, rs),
                 isfinite(rs) ? ", agrees" : "");
    }
    metric_row(ui, r, row++, "check: spectral rate", b, live);
    metric_row(ui, r, row++, "depth", fmt_depth(b, sizeof b, 2, v), live);
    if (isfinite(v->m.ie_ratio) && v->m.ie_ratio > 0.0f) {
        snprintf(b, sizeof b, "1 : %.1f", 1.0 / (double)v->m.ie_ratio);
    } else {
        snprintf(b, sizeof b, "-");
    }
    metric_row(ui, r, row++, "I : E", b, live);
    if (isfinite(v->belly_share)) {
        snprintf(b, sizeof b, "%.0f%%", (double)(v->belly_share * 100.0f));
    } else {
        snprintf(b, sizeof b, "%s", v->has_chest ? "-" : "no chest belt");
    }
    metric_row(ui, r, row++, "belly share", b, live);
    snprintf(b, sizeof b, "%s deg", fmt_num(c, sizeof c, 0, v->chest_belly_phase_deg));
    metric_row(ui, r, row++, "chest-belly phase", isfinite(v->chest_belly_phase_deg) ? b : "-",
               live);
    snprintf(b, sizeof b, "%s", fmt_num(c, sizeof c, 2, v->m.variability));
    metric_row(ui, r, row++, "variability (CV)", b, live);
    metric_row(ui, r, row++, "breaths", fmt_num(c, sizeof c, 0, (float)v->m.n_breaths), live);
    if (v->is_pacer_on) {
        snprintf(b, sizeof b, "%s %.1f /min", v->pacer_name, (double)v->pacer.rate_bpm);
    } else {
        snprintf(b, sizeof b, "off");
    }
    metric_row(ui, r, row++, "pacer", b, true);
    char s2[32];
    if (has_follow(v)) {
        snprintf(b, sizeof b, "%s%% (session %s%%)",
                 fmt_num(c, sizeof c, 0, v->follow.score * 100.0f),
                 fmt_num(s2, sizeof s2, 0, v->follow.session_score * 100.0f));
    } else {
        snprintf(b, sizeof b, "%s", v->is_pacer_on ? "after a few breaths" : "-");
    }
    metric_row(ui, r, row++, "following", b, live);
    snprintf(b, sizeof b, "%+.1f s", (double)v->follow.lag_s);
    metric_row(ui, r, row++, "lag behind pacer", isfinite(v->follow.lag_s) ? b : "-", live);
}

/* marker_no: the number of a marker (1, 2, ...). */
static const char *event_text(const bel_event *e, uint32_t marker_no, char *buf, size_t len)
{
    char a[32];
    switch (e->kind) {
    case BEL_EV_INSP_ONSET:
        snprintf(buf, len, "breath in   (breath %s s)", fmt_num(a, sizeof a, 1, e->ti_s + e->te_s));
        break;
    case BEL_EV_EXP_ONSET:
        snprintf(buf, len, "breath out  (in %s s)", fmt_num(a, sizeof a, 1, e->ti_s));
        break;
    case BEL_EV_HOLDIN_START:
        snprintf(buf, len, "belly held in");
        break;
    case BEL_EV_HOLDIN_END:
        snprintf(buf, len, "belly released");
        break;
    case BEL_EV_BREATH_HOLD_START:
        snprintf(buf, len, "breath held");
        break;
    case BEL_EV_BREATH_HOLD_END:
        snprintf(buf, len, "breathing again");
        break;
    case BEL_EV_SIGNAL_LOST:
        snprintf(buf, len, "signal lost");
        break;
    case BEL_EV_SIGNAL_RESTORED:
        snprintf(buf, len, "signal back");
        break;
    case BEL_EV_MARKER:
        snprintf(buf, len, "marker %u", (unsigned)marker_no);
        break;
    case BEL_EV_DISCOMFORT:
        snprintf(buf, len, "discomfort");
        break;
    case BEL_EV_PAUSE:
        snprintf(buf, len, "paused");
        break;
    case BEL_EV_RESUME:
        snprintf(buf, len, "resumed");
        break;
    case BEL_EV_TURNED_ROUND:
        snprintf(buf, len, "belts turned round");
        break;
    case BEL_EV_CHEST_TURNED_ROUND:
        snprintf(buf, len, "chest belt turned round");
        break;
    case BEL_EV_COUNT:
    default:
        snprintf(buf, len, "%s", bel_event_kind_name(e->kind));
        break;
    }
    return buf;
}

static void draw_log(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    fill_round_rect(ui, r, (float)r.h * 0.03f, palette[BEL_UI_C_PANEL]);
    int lh = ui->fonts[F_SMALL].height * 5 / 4;
    int pad = ui->fonts[F_SMALL].height / 2;
    draw_text(ui, F_SMALL, r.x + pad, r.y + pad, A_LEFT, palette[BEL_UI_C_DIM], "events");
    int rows = (r.h - 2 * pad) / lh - 1;
    uint32_t n = v->event_head < BEL_UI_EVENT_CAP ? v->event_head : BEL_UI_EVENT_CAP;
    char buf[96];
    char tb[32];
    uint32_t marker_no = v->n_markers + 1; /* counted down from the newest */
    for (int k = 0; k < rows && (uint32_t)k < n; k++) {
        const uint32_t i = (v->event_head - 1 - (uint32_t)k) % BEL_UI_EVENT_CAP;
        const bel_event *e = &v->events[i];
        int y = r.y + pad + (k + 1) * lh;
        fmt_clock(tb, sizeof tb, v->event_clock_s[i]); /* as the session clock says */
        bool is_breath = e->kind == BEL_EV_INSP_ONSET || e->kind == BEL_EV_EXP_ONSET;
        SDL_Color c = is_breath ? palette[BEL_UI_C_DIM] : palette[BEL_UI_C_TEXT];
        if (e->kind == BEL_EV_HOLDIN_START) {
            c = palette[BEL_UI_C_HOLDIN];
        } else if (e->kind == BEL_EV_BREATH_HOLD_START) {
            c = palette[BEL_UI_C_BREATH_HOLD];
        } else if (e->kind == BEL_EV_SIGNAL_LOST || e->kind == BEL_EV_DISCOMFORT) {
            c = palette[BEL_UI_C_WARN];
        } else if (e->kind == BEL_EV_MARKER) {
            c = palette[BEL_UI_C_PACER];
            marker_no--;
        }
        draw_text(ui, F_SMALL, r.x + pad, y, A_LEFT, palette[BEL_UI_C_DIM], tb);
        draw_text(ui, F_SMALL, r.x + pad + text_width(ui, F_SMALL, "000:00  "), y, A_LEFT, c,
                  event_text(e, marker_no, buf, sizeof buf));
    }
}

static void draw_trend(bel_ui *ui, const bel_ui_view *v, SDL_Rect r, const float *ys, float lo,
                       float hi, SDL_Color col, const char *label)
{
    fill_round_rect(ui, r, (float)r.h * 0.05f, palette[BEL_UI_C_PANEL]);
    int pad = ui->fonts[F_SMALL].height / 2;
    draw_text(ui, F_SMALL, r.x + pad, r.y + pad / 2, A_LEFT, palette[BEL_UI_C_DIM], label);
    uint32_t n = v->trend_head < BEL_UI_TREND_CAP ? v->trend_head : BEL_UI_TREND_CAP;
    if (n < 2) {
        return;
    }
    uint32_t first = v->trend_head - n;
    double t0 = v->trend_t[first % BEL_UI_TREND_CAP];
    double t1 = v->trend_t[(v->trend_head - 1) % BEL_UI_TREND_CAP];
    if (!(t1 > t0)) {
        return;
    }
    SDL_FPoint *pts = ui->pts;
    int np = 0;
    float top = (float)(r.y + ui->fonts[F_SMALL].height + pad);
    float h = (float)r.h - (top - (float)r.y) - (float)pad;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (first + k) % BEL_UI_TREND_CAP;
        float y = ys[i];
        if (!isfinite(y)) {
            thick_line(ui, pts, np, 2.0f, col);
            np = 0;
            continue;
        }
        y = fminf(fmaxf(y, lo), hi);
        pts[np].x =
            (float)(r.x + pad) + (float)((v->trend_t[i] - t0) / (t1 - t0)) * (float)(r.w - 2 * pad);
        pts[np].y = top + h * (1.0f - (y - lo) / (hi - lo));
        np++;
    }
    thick_line(ui, pts, np, fmaxf(2.0f, (float)ui->h / 400.0f), col);
}

static void draw_trends(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    int gap = r.w / 60;
    int w = (r.w - 2 * gap) / 3;
    SDL_Rect a = {r.x, r.y, w, r.h};
    SDL_Rect b = {r.x + w + gap, r.y, w, r.h};
    SDL_Rect c = {r.x + 2 * (w + gap), r.y, w, r.h};
    draw_trend(ui, v, a, v->trend_rate, 0.0f, 25.0f, palette[BEL_UI_C_BELLY], "rate 0-25 /min");
    draw_trend(ui, v, b, v->trend_depth_rel, 0.0f, 2.0f, palette[BEL_UI_C_CHEST],
               "depth 0-2x relaxed");
    draw_trend(ui, v, c, v->trend_follow, 0.0f, 1.0f, palette[BEL_UI_C_PACER], "following 0-100%");
}

/* ---------------------------------------------------------------- help */

/* The help: on the left how to put the belt on and what the window shows (the first
 * run opens with it), on the right the keys. */
static void draw_help(bel_ui *ui, SDL_Rect r)
{
    SDL_Rect all = {0, 0, ui->w, ui->h};
    fill_rect(ui, all, with_alpha(palette[BEL_UI_C_BG], 200));
    fill_round_rect(ui, r, (float)r.h * 0.03f, palette[BEL_UI_C_PANEL]);
    static const char *const guide[][2] = {
        {"the belt", "around the belly, over the navel,"},
        {"", "snug but comfortable; sit or lie at ease"},
        {"the figure", "your belly: it grows as you breathe in"},
        {"", "(shrinks instead? press i)"},
        {"the disc", "the pacer: breathe in as it grows,"},
        {"", "out as it shrinks; the number counts down"},
        {"the band", "a gentle word when the belly is held in"},
        {"", "or the breath is held; it goes when you let go"},
        {"the tones", "a soft tone follows the belly; cues mark"},
        {"", "the pacer's turns (m mutes, c cues off)"},
    };
    static const char *const keys[][2] = {
        {"space", "pause / resume"},
        {"p", "pacer on / off"},
        {"up / down", "pacer faster / slower"},
        {"m", "mute / unmute"},
        {"b  /  c", "breath tone / cues"},
        {"t", "practice / therapist"},
        {"r", "this is my rest now (re-learn)"},
        {"i", "figure shrinks as I breathe in"},
        {"k  /  d", "mark moment / discomfort"},
        {"f", "fullscreen"},
        {"h  or  ?", "this help"},
        {"q  or  Esc", "summary, then quit"},
    };
    const int n_guide = (int)(sizeof guide / sizeof guide[0]);
    const int n_keys = (int)(sizeof keys / sizeof keys[0]);
    const font_size f = F_SMALL;
    int lh = ui->fonts[f].height * 3 / 2;
    /* Rows closer together when they would run into the closing line at the foot. */
    const int fixed = ui->fonts[F_LARGE].height + ui->fonts[F_SMALL].height * 3;
    if (fixed + (n_keys + 1) * lh > r.h) {
        lh = (r.h - fixed) / (n_keys + 1);
    }
    int y0 = r.y + lh / 2;
    draw_text(ui, F_LARGE, r.x + r.w / 2, y0, A_CENTER, palette[BEL_UI_C_TEXT],
              "breathing with bellows");
    y0 += ui->fonts[F_LARGE].height + lh / 2;
    const int pad = r.w / 40;
    const int col_a = r.x + pad + r.w * 13 / 100;
    int y = y0;
    for (int i = 0; i < n_guide; i++) {
        draw_text(ui, f, col_a, y, A_RIGHT, palette[BEL_UI_C_PACER], guide[i][0]);
        draw_text(ui, f, col_a + pad, y, A_LEFT, palette[BEL_UI_C_TEXT], guide[i][1]);
        y += lh;
    }
    const int col_b = r.x + r.w * 71 / 100;
    y = y0;
    for (int i = 0; i < n_keys; i++) {
        draw_text(ui, f, col_b - pad / 2, y, A_RIGHT, palette[BEL_UI_C_PACER], keys[i][0]);
        draw_text(ui, f, col_b + pad / 2, y, A_LEFT, palette[BEL_UI_C_TEXT], keys[i][1]);
        y += lh;
    }
    draw_text(ui, F_SMALL, r.x + r.w / 2, r.y + r.h - ui->fonts[F_SMALL].height * 2, A_CENTER,
              palette[BEL_UI_C_DIM], "any key closes this; h shows it again");
}

/* ---------------------------------------------------------------- summary */

static void draw_summary(bel_ui *ui, const bel_ui_view *v, SDL_Rect r)
{
    SDL_Rect all = {0, 0, ui->w, ui->h};
    fill_rect(ui, all, with_alpha(palette[BEL_UI_C_BG], 220));
    fill_round_rect(ui, r, (float)r.h * 0.03f, palette[BEL_UI_C_PANEL]);
    char label[10][40];
    char value[10][48];
    const int n = bel_ui_summary_lines(&v->summary, label, value, 10);
    int lh = ui->fonts[F_BODY].height * 3 / 2;
    const int fixed = ui->fonts[F_LARGE].height + ui->fonts[F_SMALL].height * 3;
    if (fixed + (n + 1) * lh > r.h) {
        lh = (r.h - fixed) / (n + 1);
    }
    int y = r.y + lh / 2;
    draw_text(ui, F_LARGE, r.x + r.w / 2, y, A_CENTER, palette[BEL_UI_C_TEXT],
              v->summary.is_assessment ? "the assessment" : "this session");
    y += ui->fonts[F_LARGE].height + lh / 2;
    const int col = r.x + r.w / 2;
    for (int i = 0; i < n; i++) {
        draw_text(ui, F_BODY, col - lh / 2, y, A_RIGHT, palette[BEL_UI_C_DIM], label[i]);
        draw_text(ui, F_BODY, col + lh / 2, y, A_LEFT, palette[BEL_UI_C_TEXT], value[i]);
        y += lh;
    }
    draw_text(ui, F_SMALL, r.x + r.w / 2, r.y + r.h - ui->fonts[F_SMALL].height * 2, A_CENTER,
              palette[BEL_UI_C_DIM], "press any key to close");
}

/* ---------------------------------------------------------------- frame */

bel_status bel_ui_create(SDL_Renderer *r, const char *font_path, bel_ui **out, char *err,
                         size_t err_len)
{
    if (err && err_len > 0) {
        err[0] = '\0';
    }
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!r || !font_path || strlen(font_path) >= sizeof(((bel_ui *)0)->font_path)) {
        return BEL_ERR_ARG;
    }
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, err_len, "cannot start SDL_ttf: %s", TTF_GetError());
        return BEL_ERR_IO;
    }
    bel_ui *ui = calloc(1, sizeof *ui);
    if (!ui) {
        return BEL_ERR_NOMEM;
    }
    ui->r = r;
    snprintf(ui->font_path, sizeof ui->font_path, "%s", font_path);
    ui->verts = calloc(VERT_CAP, sizeof *ui->verts);
    ui->index = calloc(VERT_CAP * 6, sizeof *ui->index);
    ui->pts = calloc(PTS_CAP, sizeof *ui->pts);
    ui->rects = calloc(RECT_CAP, sizeof *ui->rects);
    if (!ui->verts || !ui->index || !ui->pts || !ui->rects) {
        bel_ui_destroy(ui);
        return BEL_ERR_NOMEM;
    }
    int w = 0;
    int h = 0;
    if (SDL_GetRendererOutputSize(r, &w, &h) != 0 || w <= 0 || h <= 0) {
        w = 1280;
        h = 800;
    }
    bel_status st = build_fonts(ui, w, h);
    if (st != BEL_OK) {
        snprintf(err, err_len, "%s: cannot load the font (%s)", font_path, TTF_GetError());
        bel_ui_destroy(ui);
        return st;
    }
    *out = ui;
    return BEL_OK;
}

void bel_ui_destroy(bel_ui *ui)
{
    if (!ui) {
        return;
    }
    free_fonts(ui);
    free(ui->verts);
    free(ui->index);
    free(ui->pts);
    free(ui->rects);
    free(ui);
}

bel_status bel_ui_draw(bel_ui *ui, const bel_ui_view *v)
{
    int w = 0;
    int h = 0;
    if (SDL_GetRendererOutputSize(ui->r, &w, &h) != 0 || w <= 0 || h <= 0) {
        return BEL_ERR_IO;
    }
    if (w != ui->w || h != ui->h) {
        bel_status st = build_fonts(ui, w, h);
        if (st != BEL_OK) {
            return st;
        }
    }
    SDL_SetRenderDrawBlendMode(ui->r, SDL_BLENDMODE_BLEND);
    SDL_Color bg = palette[BEL_UI_C_BG];
    SDL_SetRenderDrawColor(ui->r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ui->r);
    bel_ui_layout lay = v->layout == BEL_UI_THERAPIST ? BEL_UI_THERAPIST : BEL_UI_PRACTICE;
    draw_top(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_TOP));
    if (lay == BEL_UI_PRACTICE) {
        draw_belly_figure(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_BELLY));
        if (v->is_assessing) {
            draw_assess(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_PACER));
            draw_assess_prompt(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_CUE));
        } else {
            draw_pacer(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_PACER));
            draw_cue(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_CUE));
        }
        draw_numbers(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_NUMBERS));
        draw_trace(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_TRACE), 0, palette[BEL_UI_C_BELLY],
                   "belly");
    } else {
        draw_trace(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_TRACE), 0, palette[BEL_UI_C_BELLY],
                   "belly");
        draw_trace(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_CHEST_TRACE), 1,
                   palette[BEL_UI_C_CHEST], "chest");
        draw_trends(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_TRENDS));
        draw_metrics(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_METRICS));
        draw_log(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_LOG));
    }
    draw_status(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_STATUS));
    if (v->is_summary_shown) {
        draw_summary(ui, v, bel_ui_get_region(lay, w, h, BEL_UI_R_HELP));
    } else if (v->is_help_shown) {
        draw_help(ui, bel_ui_get_region(lay, w, h, BEL_UI_R_HELP));
    }
    return BEL_OK;
}
