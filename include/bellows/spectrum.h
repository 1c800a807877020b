/* spectrum.h - spectral breath-rate estimate: kissfft over a sliding window.
 *
 * The input is decimated to about 4 Hz by block averaging; every update_s the
 * last window_s are differenced, Hann-windowed and zero-padded by a fifth
 * (to a length kissfft transforms fast), the transform's bins between 3 and 40 breaths/min are
 * computed, and the strongest peak among them (parabolic interpolation) is the rate. A second
 * opinion beside the count of breaths. SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SPECTRUM_H
#define BELLOWS_SPECTRUM_H

#include <stdint.h>
#include "bellows/status.h"

typedef struct bel_spectrum bel_spectrum;

typedef struct bel_spectrum_config {
    double fs_hz;        /**< input sample rate, 5..2000 Hz */
    double window_s;     /**< analysis window, 8..120 s (default 32) */
    double update_s;     /**< time between estimates (default 4 s) */
    double min_rate_bpm; /**< band searched (default 3..40) */
    double max_rate_bpm;
} bel_spectrum_config;

/** Defaults for fs_hz. */
bel_spectrum_config bel_spectrum_config_default(double fs_hz);

/** Make an estimator (allocates the table of the band's basis). BEL_ERR_ARG, BEL_ERR_NOMEM.
 *  Call from: setup. */
BEL_NODISCARD bel_status bel_spectrum_create(const bel_spectrum_config *cfg, bel_spectrum **out);

/** Free. NULL is fine. */
void bel_spectrum_destroy(bel_spectrum *s);

/** Push one input sample. Returns 1 when a new estimate was made by this
 *  sample, else 0. Call from: the owning thread. Real-time safe: one DFT of
 *  the band's bins of at most 1024 points per update_s. */
int bel_spectrum_push(bel_spectrum *s, float x);

/** Latest rate in breaths/min, NAN until the window has filled once or when
 *  no clear peak stands out. */
float bel_spectrum_get_rate(const bel_spectrum *s);

/** Forget the input (after a gap). */
void bel_spectrum_reset(bel_spectrum *s);

/** A run's estimates: the latest (NAN before one, or when it had no clear peak), and the
 *  sum and count of the clear ones (kept across resets). Start it with
 *  bel_spectrum_tally_init. */
typedef struct bel_spectrum_tally {
    float rate;
    double sum;
    uint32_t n;
} bel_spectrum_tally;

/** An empty tally. Call from: any thread. */
bel_spectrum_tally bel_spectrum_tally_init(void);

/** bel_spectrum_push, and a new estimate noted in t. Returns as bel_spectrum_push.
 *  Call from: the owning thread. Real-time safe. */
int bel_spectrum_push_tally(bel_spectrum *s, float x, bel_spectrum_tally *t);

/** The mean of t's clear estimates, NAN with none. Call from: any thread. */
float bel_spectrum_tally_mean(const bel_spectrum_tally *t);

#endif
