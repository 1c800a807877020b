/* spectrum.c - sliding-window breath rate: kissfft's real transform of the window.
 * SPDX-License-Identifier: MIT */
#include "bellows/spectrum.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core_alloc.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const double pi = 3.14159265358979323846;

/* The transform's grid: the window zero-padded by at least a fifth, to the
 * next length kissfft's radices (2, 3, 4, 5) make fast (a 32 s window at
 * 4.2 Hz, 133 samples: 160 points, 1.6 breaths/min a bin), enough for the
 * parabolic interpolation of the peak; kissfft's real transform of that size
 * every update_s (4 s by default). */
enum { MAX_NFFT = 1024, MAX_WIN = 512 };

struct bel_spectrum {
    bel_spectrum_config cfg;
    int decim;        /* input samples per decimated sample */
    double fd_hz;     /* decimated rate */
    int n_win;        /* decimated samples per window (<= MAX_WIN) */
    int update_every; /* decimated samples between estimates */
    int nfft;         /* transform length */
    int lo, hi;       /* the band's bins */
    double acc;
    int acc_n;
    float ring[2 * MAX_WIN]; /* each sample twice, at i and i + n_win: the window is
                                ring[head .. head + n_win), oldest first */
    int head, filled, since_update;
    float rate_bpm;
    kiss_fftr_cfg plan;
    kiss_fft_scalar in[MAX_NFFT]; /* the windowed first difference, zero-padded */
    kiss_fft_cpx out[MAX_NFFT / 2 + 1];
    double diff[MAX_WIN]; /* its first difference (from [1]) */
    float hann[MAX_WIN];
};

/* The smallest even length of at least n whose half has no prime factor above 5
 * (kissfft's fast radices): the transform sized to the window. */
static int fast_size(int n)
{
    for (int m = n + n % 2;; m += 2) {
        int h = m / 2;
        while (h % 2 == 0) {
            h /= 2;
        }
        while (h % 3 == 0) {
            h /= 3;
        }
        while (h % 5 == 0) {
            h /= 5;
        }
        if (h == 1) {
            return m;
        }
    }
}

bel_spectrum_config bel_spectrum_config_default(double fs_hz)
{
    /* An estimate every 4 s: the 32 s window moves by an eighth, a breath or
     * less at the rates it reads, so the rate moves little between estimates;
     * the transform and its window were a tenth of the pipeline at every 2 s. */
    bel_spectrum_config c = {fs_hz, 32.0, 4.0, 3.0, 40.0};
    return c;
}

bel_status bel_spectrum_create(const bel_spectrum_config *cfg, bel_spectrum **out)
{
    if (!out) {
        return BEL_ERR_ARG;
    }
    *out = NULL;
    if (!cfg || !(cfg->fs_hz >= 5.0 && cfg->fs_hz <= 2000.0) ||
        !(cfg->window_s >= 8.0 && cfg->window_s <= 120.0) || !(cfg->update_s > 0.0) ||
        !(cfg->min_rate_bpm > 0.0) || !(cfg->max_rate_bpm > cfg->min_rate_bpm)) {
        return BEL_ERR_ARG;
    }
    bel_spectrum *s = BEL_CORE_CALLOC(1, sizeof *s);
    if (!s) {
        return BEL_ERR_NOMEM;
    }
    s->cfg = *cfg;
    /* Decimate to at least 4 Hz, with the window fitting MAX_WIN samples. */
    double fd = 4.0;
    while (cfg->window_s * fd > MAX_WIN) {
        fd /= 2.0;
    }
    s->decim = (int)floor(cfg->fs_hz / fd);
    if (s->decim < 1) {
        s->decim = 1;
    }
    s->fd_hz = cfg->fs_hz / s->decim;
    s->n_win = (int)(cfg->window_s * s->fd_hz);
    if (s->n_win > MAX_WIN) {
        s->n_win = MAX_WIN;
    }
    s->update_every = (int)ceil(cfg->update_s * s->fd_hz);
    for (int i = 0; i < s->n_win; i++) {
        s->hann[i] = (float)(0.5 - 0.5 * cos(2.0 * pi * (i + 0.5) / s->n_win));
    }
    s->nfft = fast_size(s->n_win * 6 / 5);
    if (s->nfft > MAX_NFFT) {
        s->nfft = MAX_NFFT;
    }
    const double df = s->fd_hz / s->nfft;
    s->lo = (int)ceil(cfg->min_rate_bpm / 60.0 / df);
    s->hi = (int)floor(cfg->max_rate_bpm / 60.0 / df);
    if (s->lo < 1) {
        s->lo = 1;
    }
    if (s->hi > s->nfft / 2 - 1) {
        s->hi = s->nfft / 2 - 1;
    }
    /* kissfft's plan in memory of our own (its size asked first), so that every
     * allocation of the core goes through core_alloc.h. */
    size_t plan_bytes = 0;
    (void)kiss_fftr_alloc(s->nfft, 0, NULL, &plan_bytes);
    void *mem = plan_bytes > 0 ? BEL_CORE_MALLOC(plan_bytes) : NULL;
    s->plan = mem ? kiss_fftr_alloc(s->nfft, 0, mem, &plan_bytes) : NULL;
    if (!s->plan) {
        BEL_CORE_FREE(mem);
        bel_spectrum_destroy(s);
        return BEL_ERR_NOMEM;
    }
    bel_spectrum_reset(s);
    *out = s;
    return BEL_OK;
}

void bel_spectrum_destroy(bel_spectrum *s)
{
    if (!s) {
        return;
    }
    BEL_CORE_FREE(s->plan); /* our memory (bel_spectrum_create), not kissfft's */
    BEL_CORE_FREE(s);
}

void bel_spectrum_reset(bel_spectrum *s)
{
    s->acc = 0.0;
    s->acc_n = 0;
    s->head = 0;
    s->filled = 0;
    s->since_update = 0;
    s->rate_bpm = NAN;
}

/* Power of bin k divided by k: half of the differencing's f^2 tilt taken back,
 * so the harmonics of slow, square-ish breaths do not outgrow the fundamental. */
static double power_at(const kiss_fft_cpx *out, int k)
{
    const double r = (double)out[k].r, i = (double)out[k].i;
    return (r * r + i * i) / (double)k;
}

#if defined(__SSE2__)
_Static_assert(sizeof(kiss_fft_scalar) == sizeof(float), "kissfft's float build");

/* Two floats from p (any alignment) into the low lanes. */
static inline __m128 load2(const float *p)
{
    return _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)p));
}

/* The low two lanes of v to p (any alignment). */
static inline void store2(float *p, __m128 v)
{
    _mm_storel_epi64((__m128i *)(void *)p, _mm_castps_si128(v));
}
#endif

static void estimate(bel_spectrum *s)
{
    const int n = s->n_win;
    const int lo = s->lo, hi = s->hi, nb = hi - lo + 1;
    if (nb < 1) {
        s->rate_bpm = NAN;
        return;
    }
    /* The first difference of the window, mean removed: drift becomes a
     * constant and a step (posture shift, belly pulled in) a single spike with
     * a flat spectrum, so neither outweighs the breathing line, whose frequency
     * the difference does not move. Two at a time where SSE2 is (each lane the
     * scalar operation: the same values), the mean summed in order. */
    const float *lin = &s->ring[s->head];
    double mean = 0.0;
    int i = 1;
#if defined(__SSE2__)
    for (; i + 1 < n; i += 2) {
        const __m128d cur = _mm_cvtps_pd(load2(&lin[i]));
        const __m128d prev = _mm_cvtps_pd(load2(&lin[i - 1]));
        const __m128d d = _mm_sub_pd(cur, prev);
        _mm_storeu_pd(&s->diff[i], d);
        mean += _mm_cvtsd_f64(d);
        mean += _mm_cvtsd_f64(_mm_unpackhi_pd(d, d));
    }
#endif
    for (; i < n; i++) {
        s->diff[i] = (double)lin[i] - (double)lin[i - 1];
        mean += s->diff[i];
    }
    mean /= (double)(n - 1);
    i = 1;
#if defined(__SSE2__)
    const __m128d mean2 = _mm_set1_pd(mean);
    for (; i + 1 < n; i += 2) {
        const __m128d d = _mm_sub_pd(_mm_loadu_pd(&s->diff[i]), mean2);
        const __m128d w = _mm_cvtps_pd(load2(&s->hann[i]));
        store2(&s->in[i - 1], _mm_cvtpd_ps(_mm_mul_pd(d, w)));
    }
#endif
    for (; i < n; i++) {
        const double d = s->diff[i] - mean;
        s->in[i - 1] = (kiss_fft_scalar)(d * (double)s->hann[i]);
    }
    memset(&s->in[n - 1], 0, (size_t)(s->nfft - (n - 1)) * sizeof s->in[0]);
    kiss_fftr(s->plan, s->in, s->out);
    const double df = s->fd_hz / s->nfft;
    double best = 0.0, total = 0.0;
    int kb = -1;
    for (int k = lo; k <= hi; k++) {
        const double p = power_at(s->out, k);
        total += p;
        if (p > best) {
            best = p;
            kb = k;
        }
    }
    if (kb < 0 || !(total > 0.0)) {
        s->rate_bpm = NAN;
        return;
    }
    /* Parabolic interpolation on log power. */
    double delta = 0.0;
    if (kb > lo && kb < hi) {
        const double a = log(power_at(s->out, kb - 1) + 1e-30), b = log(best + 1e-30),
                     c = log(power_at(s->out, kb + 1) + 1e-30);
        const double d = a - 2.0 * b + c;
        if (d < 0.0) {
            delta = 0.5 * (a - c) / d;
        }
    }
    s->rate_bpm = (float)(60.0 * (kb + delta) * df);
}

/* A decimated sample into the ring, and the estimate when one is due. Not
 * inlined into bel_spectrum_push, whose per-sample part (an add and a count)
 * then inlines into its caller. */
__attribute__((noinline)) static int push_decimated(bel_spectrum *s)
{
    const float x = (float)(s->acc / s->acc_n);
    s->ring[s->head] = x;
    s->ring[s->head + s->n_win] = x;
    s->head = (s->head + 1) % s->n_win;
    s->acc = 0.0;
    s->acc_n = 0;
    if (s->filled < s->n_win) {
        s->filled++;
    }
    if (++s->since_update < s->update_every || s->filled < s->n_win) {
        return 0;
    }
    s->since_update = 0;
    estimate(s);
    return 1;
}

int bel_spectrum_push(bel_spectrum *s, float x)
{
    s->acc += (double)x;
    if (++s->acc_n < s->decim) {
        return 0;
    }
    return push_decimated(s);
}

float bel_spectrum_get_rate(const bel_spectrum *s) { return s->rate_bpm; }

bel_spectrum_tally bel_spectrum_tally_init(void) { return (bel_spectrum_tally){NAN, 0.0, 0}; }

int bel_spectrum_push_tally(bel_spectrum *s, float x, bel_spectrum_tally *t)
{
    if (!bel_spectrum_push(s, x)) {
        return 0;
    }
    t->rate = s->rate_bpm;
    if (isfinite(t->rate)) {
        t->sum += (double)t->rate;
        t->n++;
    }
    return 1;
}

float bel_spectrum_tally_mean(const bel_spectrum_tally *t)
{
    return t->n ? (float)(t->sum / t->n) : NAN;
}
