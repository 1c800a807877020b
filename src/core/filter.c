/* filter.c - biquad sections (RBJ audio-EQ cookbook) and a running median.
 * SPDX-License-Identifier: MIT */
#include "bellows/filter.h"

#include "core_math.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

static const double pi = 3.14159265358979323846;

static void set_passthrough(bel_biquad *f)
{
    /* y = x with b2 == b0 (bel_biquad_process relies on it): from a zero state,
     * z1 = 0 x - 0 y + z2 and z2 = x - y stay exactly 0. */
    memset(f, 0, sizeof *f);
    f->b[1] = 1.0; /* b0 (and b2) */
    f->a[1] = 1.0; /* a2 */
}

static bel_status init_biquad(bel_biquad *f, double fs_hz, double cutoff_hz, int highpass)
{
    if (!f) {
        return BEL_ERR_ARG;
    }
    set_passthrough(f);
    if (!(fs_hz > 0.0) || !(cutoff_hz > 0.0) || !(cutoff_hz < 0.5 * fs_hz)) {
        return BEL_ERR_ARG;
    }
    const double q = 1.0 / sqrt(2.0); /* Butterworth */
    const double w0 = 2.0 * pi * cutoff_hz / fs_hz;
    const double cw = cos(w0);
    const double alpha = sin(w0) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    double b0, b1;
    if (highpass) {
        b0 = (1.0 + cw) / 2.0 / a0;
        b1 = -(1.0 + cw) / a0;
    } else {
        b0 = (1.0 - cw) / 2.0 / a0;
        b1 = (1.0 - cw) / a0;
    }
    f->b[0] = b1;
    f->b[1] = b0; /* b2 == b0 */
    f->a[0] = -2.0 * cw / a0;
    f->a[1] = (1.0 - alpha) / a0;
    return BEL_OK;
}

bel_status bel_biquad_init_lowpass(bel_biquad *f, double fs_hz, double cutoff_hz)
{
    return init_biquad(f, fs_hz, cutoff_hz, 0);
}

double bel_lowpass2_delay_s(double cutoff_hz)
{
    return 1.4142135623730951 / (2.0 * 3.141592653589793 * cutoff_hz);
}

bel_status bel_biquad_init_highpass(bel_biquad *f, double fs_hz, double cutoff_hz)
{
    return init_biquad(f, fs_hz, cutoff_hz, 1);
}

void bel_biquad_reset(bel_biquad *f, double x)
{
    /* Steady state of DF2T for constant input x with output y = g x,
     * g = (b0 + b1 + b2) / (1 + a1 + a2). */
    const double b0 = f->b[1], b1 = f->b[0], b2 = f->b[1], a1 = f->a[0], a2 = f->a[1];
    const double den = 1.0 + a1 + a2;
    const double g = den != 0.0 ? (b0 + b1 + b2) / den : 0.0;
    const double y = g * x;
    f->z[1] = b2 * x - a2 * y;
    f->z[0] = b1 * x - a1 * y + f->z[1];
}

static void set_lane(bel_biquad2 *f, int i, const bel_biquad *g)
{
    f->b0[i] = g->b[1];
    f->b1[i] = g->b[0];
    f->a1[i] = g->a[0];
    f->a2[i] = g->a[1];
    f->z1[i] = g->z[0];
    f->z2[i] = g->z[1];
}

void bel_biquad2_init(bel_biquad2 *f, const bel_biquad *f0, const bel_biquad *f1)
{
    set_lane(f, 0, f0);
    set_lane(f, 1, f1);
}

void bel_biquad2_set_lane(bel_biquad2 *f, int lane, const bel_biquad *src)
{
    set_lane(f, lane, src);
}

void bel_biquad2_reset(bel_biquad2 *f, int lane, double x)
{
    bel_biquad g = {{f->b1[lane], f->b0[lane]}, {f->a1[lane], f->a2[lane]}, {0.0, 0.0}};
    bel_biquad_reset(&g, x);
    set_lane(f, lane, &g);
}

void bel_biquad2_negate_lane(bel_biquad2 *f, int lane)
{
    f->z1[lane] = -f->z1[lane];
    f->z2[lane] = -f->z2[lane];
}

void bel_biquad2_negate(bel_biquad2 *f)
{
    bel_biquad2_negate_lane(f, 0);
    bel_biquad2_negate_lane(f, 1);
}

double bel_biquad_gain(const bel_biquad *f, double fs_hz, double freq_hz)
{
    const double b0 = f->b[1], b1 = f->b[0], b2 = f->b[1], a1 = f->a[0], a2 = f->a[1];
    const double w = 2.0 * pi * freq_hz / fs_hz;
    /* H = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2), z = e^jw */
    const double nr = b0 + b1 * cos(w) + b2 * cos(2.0 * w);
    const double ni = -b1 * sin(w) - b2 * sin(2.0 * w);
    const double dr = 1.0 + a1 * cos(w) + a2 * cos(2.0 * w);
    const double di = -a1 * sin(w) - a2 * sin(2.0 * w);
    return sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}

bel_status bel_median_init(bel_median *m, int n)
{
    if (!m) {
        return BEL_ERR_ARG;
    }
    memset(m, 0, sizeof *m);
    if (n < 1 || n > BEL_MEDIAN_MAX || n % 2 == 0) {
        m->n = 1;
        return BEL_ERR_ARG;
    }
    m->n = n;
    return BEL_OK;
}

float bel_median_process_slow(bel_median *m, float x)
{
    int pos;
    if (m->count < m->n) {
        pos = m->count++;
    } else {
        /* Drop the oldest sample from the sorted array. */
        const float old = m->ring[m->head];
        int i = 0;
        while (i < m->n - 1 && m->sorted[i] != old) {
            i++;
        }
        memmove(&m->sorted[i], &m->sorted[i + 1], (size_t)(m->n - 1 - i) * sizeof(float));
        pos = m->n - 1;
    }
    m->ring[m->head] = x;
    m->head = (m->head + 1) % m->n;
    /* Insert x into sorted[0..pos]. */
    int j = pos;
    while (j > 0 && m->sorted[j - 1] > x) {
        m->sorted[j] = m->sorted[j - 1];
        j--;
    }
    m->sorted[j] = x;
    const int filled = m->count;
    return m->sorted[filled / 2];
}

bel_status bel_median2_init(bel_median2 *m, int n)
{
    if (!m) {
        return BEL_ERR_ARG;
    }
    memset(m, 0, sizeof *m);
    const bel_status st = bel_median_init(&m->m[0], n);
    const bel_status st1 = bel_median_init(&m->m[1], n);
    (void)st1; /* the same n */
    return st;
}

float bel_median2_process_slow(bel_median2 *m, int i, float x)
{
    bel_median *l = &m->m[i];
    if (l->n == 5) {
        /* Where bel_median_process_slow puts x in l's ring: the window of five
         * is found full in five. */
        m->five[l->head][2 * i] = x;
    }
    const float y = bel_median_process_slow(l, x);
    m->is_five = m->m[0].n == 5 && m->m[0].count == 5 && m->m[1].count == 5;
    return y;
}

void bel_biquad_negate(bel_biquad *f)
{
    f->z[0] = -f->z[0];
    f->z[1] = -f->z[1];
}

void bel_rail_init(bel_rail *r, double fs_hz)
{
    r->lo = INFINITY;
    r->hi = -INFINITY;
    r->prev = NAN;
    r->run = 0;
    r->min_run = (uint32_t)fmax(3.0, ceil(0.1 * fs_hz));
    /* Until values are seen to change, a repeat says nothing. */
    r->rep = 1.0;
    r->alpha = 1.0 - exp(-1.0 / (5.0 * fs_hz));
    r->is_top = false;
    r->counted = false;
    r->n_at_hi = r->n_at_lo = 0;
}

int32_t bel_rail_push_extreme(bel_rail *r, float x)
{
    const bool at_hi = x >= r->hi;
    /* Beyond a level counted as a rail: it was none. */
    int32_t back = 0;
    if (x > r->hi) {
        back -= (int32_t)r->n_at_hi;
        r->n_at_hi = 0;
        r->hi = x;
    }
    if (x < r->lo) {
        back -= (int32_t)r->n_at_lo;
        r->n_at_lo = 0;
        r->lo = x;
    }
    if (r->run < r->min_run || !(r->rep < 0.99)) {
        return back;
    }
    /* A run of n equal values comes by chance with probability about rep^(n-1). */
    if (r->rep > 0.0 && (double)(r->run - 1) < log(1e-3) / log(r->rep)) {
        return back;
    }
    r->is_top = at_hi;
    /* The whole run once it is long enough, then each sample. */
    const uint32_t n = r->counted ? 1 : r->run;
    r->counted = true;
    *(at_hi ? &r->n_at_hi : &r->n_at_lo) += n;
    return back + (int32_t)n;
}

bool bel_rail_is_top(const bel_rail *r) { return r->is_top; }

/* bel_dots at four and five lags. Not inlined: where the compiler sees that the y[j] are
 * a fixed distance apart it carries loads over between iterations, and spills. */
__attribute__((noinline)) static void dots4(const double *x, const double *const *y, int64_t n,
                                            double *s)
{
    const double *y0 = y[0], *y1 = y[1], *y2 = y[2], *y3 = y[3];
    double s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    for (int64_t i = 0; i < n; i++) {
        const double xi = x[i];
        s0 += xi * y0[i];
        s1 += xi * y1[i];
        s2 += xi * y2[i];
        s3 += xi * y3[i];
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
}

__attribute__((noinline)) static void dots5(const double *x, const double *const *y, int64_t n,
                                            double *s)
{
    const double *y0 = y[0], *y1 = y[1], *y2 = y[2], *y3 = y[3], *y4 = y[4];
    double s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4];
    for (int64_t i = 0; i < n; i++) {
        const double xi = x[i];
        s0 += xi * y0[i];
        s1 += xi * y1[i];
        s2 += xi * y2[i];
        s3 += xi * y3[i];
        s4 += xi * y4[i];
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    s[4] = s4;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BEL_DOTS_AVX 1
/* dots4 and dots5 four samples at a time with AVX (where the processor has it): the
 * products of four samples for four lags, turned (a 4 x 4 transpose) so that each
 * lag's four are added to its sum one after the other, in the order of i: the same
 * sums to the bit, in about half the instructions. The fifth lag on its own. AVX
 * has no fused multiply-add (that is FMA's), and nothing here asks for one. */
__attribute__((target("avx"), noinline)) static void
dots_avx(const double *x, const double *const *y, int m, int64_t n, double *s)
{
    const double *y0 = y[0], *y1 = y[1], *y2 = y[2], *y3 = y[3];
    __m256d acc = _mm256_loadu_pd(s);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d xv = _mm256_loadu_pd(x + i);
        const __m256d p0 = _mm256_mul_pd(xv, _mm256_loadu_pd(y0 + i));
        const __m256d p1 = _mm256_mul_pd(xv, _mm256_loadu_pd(y1 + i));
        const __m256d p2 = _mm256_mul_pd(xv, _mm256_loadu_pd(y2 + i));
        const __m256d p3 = _mm256_mul_pd(xv, _mm256_loadu_pd(y3 + i));
        const __m256d t0 = _mm256_unpacklo_pd(p0, p1), t1 = _mm256_unpackhi_pd(p0, p1);
        const __m256d t2 = _mm256_unpacklo_pd(p2, p3), t3 = _mm256_unpackhi_pd(p2, p3);
        acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t0, t2, 0x20)); /* sample i */
        acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t1, t3, 0x20)); /* i + 1 */
        acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t0, t2, 0x31)); /* i + 2 */
        acc = _mm256_add_pd(acc, _mm256_permute2f128_pd(t1, t3, 0x31)); /* i + 3 */
    }
    _mm256_storeu_pd(s, acc);
    for (int64_t k = i; k < n; k++) {
        const double xk = x[k];
        s[0] += xk * y0[k];
        s[1] += xk * y1[k];
        s[2] += xk * y2[k];
        s[3] += xk * y3[k];
    }
    if (m == 5) {
        const double *y4 = y[4];
        double s4 = s[4];
        for (int64_t k = 0; k < n; k++) {
            s4 += x[k] * y4[k];
        }
        s[4] = s4;
    }
}
#endif

void bel_dots(const double *x, const double *const *y, int m, int64_t n, double *s)
{
#ifdef BEL_DOTS_AVX
    if ((m == 4 || m == 5) && __builtin_cpu_supports("avx")) {
        dots_avx(x, y, m, n, s);
        return;
    }
#endif
    if (m == 4) {
        dots4(x, y, n, s);
    } else if (m == 5) {
        dots5(x, y, n, s);
    } else {
        for (int j = 0; j < m; j++) {
            for (int64_t i = 0; i < n; i++) {
                s[j] += x[i] * y[j][i];
            }
        }
    }
}
