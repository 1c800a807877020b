/* test_audio_file.c - the real PortAudio stream played into ALSA's file plugin; the WAV is then
 * checked for the pacer cues' pitch and spacing, the hold-in and breath-hold cues' two notes,
 * and for clicks.
 *
 * Usage: test_audio_file OUT.wav        (ALSA_CONFIG_PATH routes "default" to OUT.wav)
 *        test_audio_file --no-card      (ALSA_CONFIG_PATH has no device: must fail cleanly)
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio.h"
#include "bellows/tone.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait until the callback has produced `frames` frames (the null sink is not paced). */
static bool wait_frames(const bel_audio *a, uint64_t frames)
{
    for (int i = 0; i < 20000; i++) {
        if (bel_audio_get_frames(a) >= frames) {
            return true;
        }
        sleep_ms(1);
    }
    return false;
}

typedef struct wav {
    float *x; /* first channel, -1..1 */
    long n;
    int fs;
    int channels;
} wav;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static bool read_wav(const char *path, wav *w)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)len);
    bool ok = buf && fread(buf, 1, (size_t)len, f) == (size_t)len && len > 44 &&
              memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WAVE", 4) == 0;
    fclose(f);
    int fmt = 0;
    int bits = 0;
    long pos = 12;
    const uint8_t *data = NULL;
    long data_len = 0;
    while (ok && pos + 8 <= len) {
        uint32_t sz = le32(buf + pos + 4);
        if (memcmp(buf + pos, "fmt ", 4) == 0) {
            fmt = le16(buf + pos + 8);
            w->channels = le16(buf + pos + 10);
            w->fs = (int)le32(buf + pos + 12);
            bits = le16(buf + pos + 22);
            if (fmt == 0xfffe && sz >= 26) {
                fmt = le16(buf + pos + 32); /* extensible: sub-format GUID starts with the tag */
            }
        } else if (memcmp(buf + pos, "data", 4) == 0) {
            data = buf + pos + 8;
            /* The file plugin may leave the size unset while streaming: take the rest. */
            data_len = (sz == 0 || pos + 8 + (long)sz > len) ? len - pos - 8 : (long)sz;
            break;
        }
        pos += 8 + (long)sz + (sz & 1u);
    }
    ok = ok && data && w->channels > 0 &&
         ((fmt == 1 && (bits == 16 || bits == 32)) || (fmt == 3 && bits == 32));
    if (ok) {
        int bps = bits / 8;
        w->n = data_len / (bps * w->channels);
        w->x = malloc((size_t)w->n * sizeof *w->x);
        ok = w->x != NULL;
        for (long i = 0; ok && i < w->n; i++) {
            const uint8_t *p = data + i * bps * w->channels;
            if (fmt == 3) {
                uint32_t u = le32(p);
                float v;
                memcpy(&v, &u, sizeof v);
                w->x[i] = v;
            } else if (bits == 16) {
                w->x[i] = (float)(int16_t)le16(p) / 32768.0f;
            } else {
                w->x[i] = (float)((double)(int32_t)le32(p) / 2147483648.0);
            }
        }
    }
    printf("wav: %d Hz, %d channel(s), %s %d bit, %ld frames\n", w->fs, w->channels,
           fmt == 3 ? "float" : "pcm", bits, w->n);
    free(buf);
    return ok;
}

/* Onsets: the first sample above thr after at least gap samples below it. */
static int find_onsets(const wav *w, float thr, long gap, long *out, int max)
{
    int n = 0;
    long quiet = gap;
    for (long i = 0; i < w->n; i++) {
        if (fabsf(w->x[i]) > thr) {
            if (quiet >= gap && n < max) {
                out[n++] = i;
            }
            quiet = 0;
        } else {
            quiet++;
        }
    }
    return n;
}

static double zc_freq(const wav *w, long a, long b)
{
    double first = -1.0;
    double last = -1.0;
    int n = 0;
    for (long i = a + 1; i < b && i < w->n; i++) {
        if (w->x[i - 1] < 0.0f && w->x[i] >= 0.0f) {
            double t = (double)(i - 1) + (double)(-w->x[i - 1]) / (double)(w->x[i] - w->x[i - 1]);
            if (first < 0.0) {
                first = t;
            } else {
                n++;
            }
            last = t;
        }
    }
    return n > 0 ? n * (double)w->fs / (last - first) : 0.0;
}

/* Power of the tone at hz in w->x[a..b) (Goertzel), per sample. */
static double tone_power(const wav *w, long a, long b, double hz)
{
    const double k = 2.0 * cos(2.0 * 3.14159265358979323846 * hz / w->fs);
    double s1 = 0.0;
    double s2 = 0.0;
    for (long i = a; i < b && i < w->n; i++) {
        const double s0 = (double)w->x[i] + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / (double)((b - a) * (b - a));
}

static int no_card(void)
{
    bel_tone_params params;
    bel_tone_params_init(&params);
    bel_audio_config cfg = bel_audio_config_default();
    bel_audio *a = NULL;
    char err[BEL_AUDIO_ERR_LEN];
    bel_status st = bel_audio_create(&cfg, &params, &a, err, sizeof err);
    printf("no card: %s (%s)\n", bel_status_str(st), err);
    CHECK(st == BEL_ERR_IO, "got %d", (int)st);
    CHECK(a == NULL, "stream object on failure");
    CHECK(strncmp(err, "no audio output", 15) == 0, "message: %s", err);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUT.wav | --no-card\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "--no-card") == 0) {
        return no_card();
    }
    const char *path = argv[1];
    remove(path);
    bel_tone_params params;
    bel_tone_params_init(&params);
    bel_tone_set_volume(&params, 1.0f);
    bel_tone_set_breath_on(&params, false); /* cues alone, so onsets are clear */
    bel_audio_config cfg = bel_audio_config_default();
    bel_audio *a = NULL;
    char err[BEL_AUDIO_ERR_LEN];
    bel_status st = bel_audio_create(&cfg, &params, &a, err, sizeof err);
    if (st != BEL_OK) {
        fprintf(stderr, "cannot open the audio stream: %s\n", err);
        return 1;
    }
    const int fs = (int)cfg.fs_hz;
    /* Cues 1.5 s apart by the stream's own clock: in, out, hold, in (the pacer's), then the
     * hold-in cue and the breath-hold cue, each two notes (first, then second_hz). */
    enum { N_CUES = 6 };
    const bel_tone_cue cues[N_CUES] = {BEL_TONE_CUE_IN,     BEL_TONE_CUE_OUT,
                                       BEL_TONE_CUE_HOLD,   BEL_TONE_CUE_IN,
                                       BEL_TONE_CUE_HOLDIN, BEL_TONE_CUE_BREATH_HOLD};
    const bel_tone_config tc = bel_tone_config_default(cfg.fs_hz);
    double want_hz[N_CUES];
    double second_hz[N_CUES];
    for (int k = 0; k < N_CUES; k++) {
        want_hz[k] = tc.cue_hz[cues[k]];
        second_hz[k] = cues[k] == BEL_TONE_CUE_HOLDIN        ? (double)tc.holdin_second_hz
                       : cues[k] == BEL_TONE_CUE_BREATH_HOLD ? (double)tc.hold_second_hz
                                                             : 0.0;
    }
    uint64_t asked_lo[N_CUES];
    uint64_t asked_hi[N_CUES];
    for (int k = 0; k < N_CUES; k++) {
        /* 1.5 s after the last request (not after the start): a burst of the unpaced sink
         * that overshoots one wait never brings two cues together. */
        const uint64_t at = k == 0 ? (uint64_t)fs / 2 : asked_hi[k - 1] + (uint64_t)fs * 3 / 2;
        CHECK(wait_frames(a, at), "stream stalled");
        asked_lo[k] = bel_audio_get_frames(a);
        bel_tone_request_cue(&params, cues[k]);
        asked_hi[k] = bel_audio_get_frames(a);
    }
    /* Switch the breath tone on, mute and unmute, switch it off: must not click. */
    wait_frames(a, asked_hi[N_CUES - 1] + (uint64_t)fs * 3 / 2);
    bel_tone_set_breath_on(&params, true);
    wait_frames(a, bel_audio_get_frames(a) + (uint64_t)fs / 5);
    bel_tone_set_muted(&params, true);
    wait_frames(a, bel_audio_get_frames(a) + (uint64_t)fs / 50);
    bel_tone_set_muted(&params, false);
    wait_frames(a, bel_audio_get_frames(a) + (uint64_t)fs / 5);
    bel_tone_set_breath_on(&params, false);
    wait_frames(a, bel_audio_get_frames(a) + (uint64_t)fs / 2);
    uint32_t underruns = bel_audio_get_underruns(a);
    bel_audio_destroy(a);

    wav w = {NULL, 0, 0, 0};
    CHECK(read_wav(path, &w), "cannot read %s", path);
    if (failures) {
        return 1;
    }
    CHECK(w.fs == fs, "rate %d", w.fs);
    long onsets[16];
    int n_on = find_onsets(&w, 0.01f, fs / 4, onsets, 16);
    /* The breath-tone burst at the end makes one more onset: told apart by its pitch. */
    long cue_on[N_CUES];
    int n_cue = 0;
    for (int i = 0; i < n_on && n_cue < N_CUES; i++) {
        double f = zc_freq(&w, onsets[i] + fs / 20, onsets[i] + fs * 3 / 10);
        bool is_cue = fabs(f - 165.0) > 20.0;
        printf("onset at %.3f s: %.1f Hz%s\n", (double)onsets[i] / fs, f,
               is_cue ? "" : " (breath)");
        if (is_cue) {
            cue_on[n_cue++] = onsets[i];
        }
    }
    CHECK(n_cue == N_CUES, "found %d cues", n_cue);
    for (int k = 0; k < n_cue; k++) {
        double f = zc_freq(&w, cue_on[k] + fs / 20, cue_on[k] + fs * 3 / 10);
        CHECK(fabs(f - want_hz[k]) < 2.0, "cue %d pitch %.2f Hz, want %.2f", k, f, want_hz[k]);
        if (second_hz[k] > 0.0) {
            /* The second note comes holdin_gap_s after the first and outsounds it. */
            const long gap = lrint(tc.holdin_gap_s * fs);
            const long b = cue_on[k] + gap + fs / 20;
            const double p1 = tone_power(&w, b, b + fs / 4, want_hz[k]);
            const double p2 = tone_power(&w, b, b + fs / 4, second_hz[k]);
            const double p2_before =
                tone_power(&w, cue_on[k] + fs / 20, cue_on[k] + gap, second_hz[k]);
            printf("cue %d: second note %.2f Hz at +%.2f s: power %.2e (first note %.2e, before "
                   "%.2e)\n",
                   k, second_hz[k], (double)tc.holdin_gap_s, p2, p1, p2_before);
            CHECK(p2 > 4.0 * p1 && p2 > 100.0 * p2_before, "cue %d second note", k);
        }
    }
    /* Spacing: onsets follow the requests within one buffer plus the request's window. */
    for (int k = 1; k < n_cue; k++) {
        double got = (double)(cue_on[k] - cue_on[0]);
        double lo = (double)asked_lo[k] - (double)asked_hi[0] - 2.0 * cfg.frames_per_buf;
        double hi = (double)asked_hi[k] - (double)asked_lo[0] + 2.0 * cfg.frames_per_buf;
        printf("cue %d: %.4f s after the first (asked %.4f..%.4f s)\n", k, got / fs, lo / fs,
               hi / fs);
        CHECK(got >= lo && got <= hi, "cue %d spacing", k);
    }
    float jump = 0.0f;
    float peak = 0.0f;
    for (long i = 1; i < w.n; i++) {
        float d = fabsf(w.x[i] - w.x[i - 1]);
        jump = d > jump ? d : jump;
        peak = fabsf(w.x[i]) > peak ? fabsf(w.x[i]) : peak;
    }
    printf("peak %.3f, max sample-to-sample jump %.4f, underruns %u\n", (double)peak, (double)jump,
           (unsigned)underruns);
    CHECK(peak > 0.15f, "peak %.3f", (double)peak);
    CHECK(jump < 0.035f, "click: jump %.4f", (double)jump);
    free(w.x);
    if (failures == 0) {
        printf("audio file test passed\n");
    }
    return failures ? 1 : 0;
}
