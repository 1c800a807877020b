/* tone_follow.c - the breath tone a recording makes, in signal time: each sample through
 * the pipeline, the display signal and the figure's expansion (as the live session does on
 * its input thread), and the synthesiser run for exactly one sample's worth of audio, into
 * a 16-bit WAV. A paced sound card is not needed to see what pitch the tone has when.
 *
 * Usage: tone_follow REC.csv OUT.wav OUT_expansion.csv  (REC: t,belly[,chest] at 50 Hz)
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bellows/pipeline.h"
#include "bellows/tone.h"
#include "ui_view.h"

enum { FS_AUDIO = 48000, FS_BELT = 50, FRAMES = FS_AUDIO / FS_BELT };

static void put_u32(FILE *f, uint32_t x)
{
    const unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
                                (unsigned char)(x >> 24)};
    fwrite(b, 1, 4, f);
}

static void put_u16(FILE *f, uint16_t x)
{
    const unsigned char b[2] = {(unsigned char)x, (unsigned char)(x >> 8)};
    fwrite(b, 1, 2, f);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s REC.csv OUT.wav OUT_expansion.csv\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    FILE *wav = fopen(argv[2], "wb");
    FILE *exp_out = fopen(argv[3], "w");
    if (!in || !wav || !exp_out) {
        fprintf(stderr, "tone_follow: cannot open the files\n");
        return 1;
    }
    char line[256];
    if (!fgets(line, sizeof line, in)) {
        return 1;
    }
    const bool has_chest = strstr(line, "chest") != NULL;
    bel_pipeline_config pc = bel_pipeline_config_default();
    pc.fs_hz = FS_BELT;
    pc.chest_channel = has_chest ? 1 : -1;
    bel_pipeline *p = NULL;
    bel_tone *tone = NULL;
    bel_tone_config tc = bel_tone_config_default(FS_AUDIO);
    static bel_ui_view v;
    bel_ui_smoother sm;
    if (bel_pipeline_create(&pc, &p) != BEL_OK || bel_tone_create(&tc, &tone) != BEL_OK ||
        bel_ui_smoother_init(&sm, FS_BELT) != BEL_OK) {
        return 1;
    }
    bel_tone_params params;
    bel_tone_params_init(&params);
    bel_tone_set_cues_on(&params, false);
    bel_tone_set_holdin_cue_on(&params, false);
    bel_tone_set_hold_cue_on(&params, false);
    bel_ui_view_init(&v);
    /* WAV header; sizes patched at the end. */
    fwrite("RIFF", 1, 4, wav);
    put_u32(wav, 0);
    fwrite("WAVEfmt ", 1, 8, wav);
    put_u32(wav, 16);
    put_u16(wav, 1);
    put_u16(wav, 1);
    put_u32(wav, FS_AUDIO);
    put_u32(wav, FS_AUDIO * 2);
    put_u16(wav, 2);
    put_u16(wav, 16);
    fwrite("data", 1, 4, wav);
    put_u32(wav, 0);
    fprintf(exp_out, "t,belly,display,expansion,relaxed_level,is_holding_in\n");
    uint32_t n_frames = 0;
    uint32_t n_restarts = 0;
    float buf[FRAMES];
    bel_event ev[BEL_PIPELINE_MAX_EVENTS];
    while (fgets(line, sizeof line, in)) {
        bel_sample s;
        memset(&s, 0, sizeof s);
        double t = 0.0;
        float b = NAN;
        float c = NAN;
        const int n = sscanf(line, "%lf,%f,%f", &t, &b, &c);
        if (n < 2) {
            continue;
        }
        s.t_s = t;
        s.n_channels = has_chest ? 2 : 1;
        s.value[0] = b;
        s.value[1] = c;
        if (bel_pipeline_process(p, &s, ev, BEL_PIPELINE_MAX_EVENTS) < 0) {
            return 1;
        }
        bel_metrics m;
        bel_pipeline_get_metrics(p, &m);
        v.m = m;
        v.relaxed_level = m.relaxed_level;
        v.relaxed_depth = m.relaxed_depth;
        v.is_holdin = m.is_holding_in;
        v.is_breath_hold = m.is_breath_hold;
        if (m.n_restarts != n_restarts) {
            n_restarts = m.n_restarts;
            v.range_from_s = t;
        }
        const float d = bel_ui_smoother_process(&sm, t, b, &m);
        bel_ui_view_push_sample(&v, t, d, NAN);
        const float e = bel_ui_view_expansion(&v);
        bel_tone_set_expansion(&params, e);
        bel_tone_process(tone, &params, buf, FRAMES, 1);
        for (int i = 0; i < FRAMES; i++) {
            const float x = fmaxf(-1.0f, fminf(1.0f, buf[i] * 4.0f));
            put_u16(wav, (uint16_t)(int16_t)lrintf(x * 32767.0f));
        }
        n_frames += FRAMES;
        fprintf(exp_out, "%.3f,%.2f,%.2f,%.3f,%.2f,%d\n", t, (double)b, (double)d, (double)e,
                (double)m.relaxed_level, m.is_holding_in ? 1 : 0);
    }
    fseek(wav, 4, SEEK_SET);
    put_u32(wav, 36 + n_frames * 2);
    fseek(wav, 40, SEEK_SET);
    put_u32(wav, n_frames * 2);
    fclose(wav);
    fclose(exp_out);
    fclose(in);
    bel_tone_destroy(tone);
    bel_pipeline_destroy(p);
    return 0;
}
