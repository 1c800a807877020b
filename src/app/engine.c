/* engine.c - channel choice, polarity and calibration in one place; the offline pipeline loop.
 * SPDX-License-Identifier: MIT */
#include "engine.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bel_engine_settings bel_engine_settings_default(void)
{
    bel_engine_settings es;
    memset(&es, 0, sizeof es);
    es.report_gaps = true;
    es.calibration = bel_holdin_calibration_none();
    return es;
}

static int find_channel(const bel_source_info *info, const char *name, int not_this)
{
    for (int ch = 0; ch < info->n_channels; ch++) {
        if (ch != not_this && strcmp(info->channel_names[ch], name) == 0) {
            return ch;
        }
    }
    return -1;
}

bel_status bel_engine_choose_channels(const bel_source_info *info, const bel_engine_settings *es,
                                      const char *what, int *belly, int *chest, char *err,
                                      size_t err_len)
{
    *belly = 0;
    *chest = -1;
    int b = find_channel(info, es->belly_name ? es->belly_name : "belly", -1);
    if (b < 0 && !es->belly_name) {
        b = 0; /* an unnamed single belt is the belly's */
    }
    const int c = b < 0 ? -1 : find_channel(info, es->chest_name ? es->chest_name : "chest", b);
    if (b < 0 || (es->chest_name && c < 0)) {
        char list[BEL_MAX_CHANNELS * (BEL_RECORDING_NAME_LEN + 2)] = "";
        for (int ch = 0; ch < info->n_channels; ch++) {
            strcat(list, ch ? ", " : "");
            strcat(list, info->channel_names[ch]);
        }
        snprintf(err, err_len, "%s: '%s' is not a channel of %s (it has: %s)",
                 b < 0 ? "--channel" : "--chest", b < 0 ? es->belly_name : es->chest_name, what,
                 list);
        return BEL_ERR_ARG;
    }
    *belly = b;
    *chest = c;
    return BEL_OK;
}

bel_status bel_engine_pipeline_config(const bel_source_info *info, const bel_engine_settings *es,
                                      const char *what, bel_pipeline_config *out, char *err,
                                      size_t err_len)
{
    *out = bel_pipeline_config_default();
    int belly = 0;
    int chest = -1;
    bel_status st = bel_engine_choose_channels(info, es, what, &belly, &chest, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    if (!isfinite(info->fs_hz)) {
        snprintf(err, err_len, "%s: too few samples to tell the sample rate (need at least 2)",
                 what);
        return BEL_ERR_FORMAT;
    }
    if (!(info->fs_hz >= 5.0 && info->fs_hz <= 2000.0)) {
        /* A logger's own column of millis() is the commonest way to get here. */
        const bool is_ms = info->fs_hz * 1000.0 >= 5.0 && info->fs_hz * 1000.0 <= 2000.0;
        snprintf(err, err_len, "%s: sample rate %.4g Hz is outside 5..2000 Hz%s", what, info->fs_hz,
                 is_ms ? " (t is in seconds: are these milliseconds?)" : "");
        return BEL_ERR_FORMAT;
    }
    out->fs_hz = info->fs_hz;
    out->belly_channel = belly;
    out->chest_channel = chest;
    bel_engine_settings use = *es;
    if (es->use_recorded) { /* the session's own, from its recording */
        use.invert = info->recorded.invert;
        use.invert_chest = info->recorded.invert_chest;
        use.is_polarity_known = info->recorded.is_polarity_known;
        use.calibration = info->recorded.calibration;
    }
    if (!es->use_recorded && es->invert) {
        use.invert_chest = true; /* --invert is said of the belts: the chest's is the same kind */
    }
    out->invert = use.invert;
    out->invert_chest = use.invert_chest;
    /* --invert is the user's word: it is not second-guessed from the breathing. */
    out->auto_polarity = !use.is_polarity_known && !use.invert;
    out->report_gaps = use.report_gaps;
    out->calibration = use.calibration;
    /* The person's breath hold time is theirs whichever way the belts are read. */
    const double hold_s =
        es->breath_hold_s > 0.0 ? es->breath_hold_s : info->recorded.breath_hold_s;
    if (hold_s > 0.0) {
        out->holdin.breath_hold_s = hold_s;
        out->holdin.breath_hold_min_s = hold_s;
    }
    return BEL_OK;
}

bel_recording_settings bel_engine_recorded_settings(const bel_pipeline_config *pc)
{
    bel_recording_settings rs = bel_recording_settings_default();
    rs.invert = pc->invert;
    rs.invert_chest = pc->invert_chest;
    rs.is_polarity_known = !pc->auto_polarity;
    rs.calibration = pc->calibration;
    const bel_holdin_config d = bel_holdin_config_default(pc->fs_hz);
    if (pc->holdin.breath_hold_s != d.breath_hold_s ||
        pc->holdin.breath_hold_min_s != d.breath_hold_min_s) {
        rs.breath_hold_s = pc->holdin.breath_hold_s;
    }
    return rs;
}

/* ---- the offline loop: a reader thread parses, the caller's runs the pipeline ---------- */

/* Blocks of samples in a ring of READ_RING: memory stays flat whatever the file's length.
 * READ_BLOCK divides 65536, so every progress call falls on a block's last sample. A block
 * goes round: the reader fills it with samples and runs the pipeline's front over them
 * (bel_pipeline_front: it needs nothing from behind it), the pipeline runs the rest and
 * leaves in the block their events and what its spectral rate stage was to be given, and
 * the reader, before it fills the block again, writes those events and runs that spectrum.
 * So the two threads share the work about evenly; the events and estimates come out in
 * the samples' order all the same (the blocks are taken in turn): those of one thread
 * doing it all. */
/* A block's events: its samples' at most, and the run's reading (reading_turns) before the
 * first sample's. */
enum { READ_BLOCK = 2048, READ_RING = 8, BLOCK_EVENTS = READ_BLOCK * BEL_PIPELINE_MAX_EVENTS + 2 };

typedef struct read_block {
    int n;          /* samples in s */
    int end;        /* 0: more follow; 1: the source (or t_end_s) ended after s; <0: an error */
    uint64_t done;  /* the source's progress just after s[n - 1] */
    uint64_t total; /* and its total */
    bel_sample s[READ_BLOCK];
    bel_pipeline_front_out fo[READ_BLOCK]; /* the pipeline's front run over s, by the reader */
    /* Left by the pipeline for the reader (is_run until then). */
    bool is_run;
    int n_run;                      /* samples of s the pipeline took */
    int n_ev;                       /* events in ev */
    uint8_t spec_flags[READ_BLOCK]; /* BEL_PIPELINE_SPECTRUM_* of each sample run */
    float spec_x[READ_BLOCK];       /* ... and its input to the spectrum */
    bel_event ev[BLOCK_EVENTS];     /* the events of the samples run (pages touched only as used) */
} read_block;

typedef struct reader {
    bel_source *src;
    double t_end_s;
    pthread_mutex_t mu;
    pthread_cond_t can_fill;  /* a block is free (or stop) */
    pthread_cond_t can_take;  /* a block is filled */
    int head;                 /* the next block for the pipeline */
    int count;                /* filled blocks from head on */
    bool stop;                /* the pipeline wants no more */
    char err[BEL_IO_ERR_LEN]; /* the source's error (block end < 0), set before it is handed on */
    read_block *blocks;
    bel_pipeline_front *front; /* the pipeline's front, run here over each sample read */
    /* The run blocks' outputs: touched by the reader thread, then (joined) by the caller's. */
    bel_event_csv *events;          /* NULL: none */
    atomic_bool is_write_failed;    /* an event could not be written (then none is) */
    char write_err[BEL_IO_ERR_LEN]; /* why, set before is_write_failed */
    bel_spectrum *spectrum;         /* the pipeline's spectral rate stage, run here */
    bel_spectrum_tally spec;        /* its estimates */
} reader;

/* The outputs a run block left: its events into the file, its samples' detection signal
 * through the spectrum (as bel_pipeline_process does when the spectrum is inside). */
static void block_drain(reader *rd, read_block *b)
{
    if (!b->is_run) {
        return;
    }
    b->is_run = false;
    for (int i = 0; i < b->n_run; i++) {
        const int f = b->spec_flags[i];
        if (f & BEL_PIPELINE_SPECTRUM_RESET) {
            bel_spectrum_reset(rd->spectrum);
        }
        if (f & BEL_PIPELINE_SPECTRUM_PUSH) {
            (void)bel_spectrum_push_tally(rd->spectrum, b->spec_x[i], &rd->spec);
        }
    }
    if (!rd->events || atomic_load_explicit(&rd->is_write_failed, memory_order_relaxed)) {
        return;
    }
    for (int k = 0; k < b->n_ev; k++) {
        if (bel_event_csv_write(rd->events, &b->ev[k]) != BEL_OK) {
            snprintf(rd->write_err, sizeof rd->write_err, "%s",
                     bel_event_csv_get_error(rd->events));
            atomic_store_explicit(&rd->is_write_failed, true, memory_order_release);
            return;
        }
    }
}

/* One block from src: up to READ_BLOCK samples, then how it ended. */
static void reader_fill(reader *rd, read_block *b)
{
    block_drain(rd, b);
    b->n = 0;
    b->end = 0;
    while (b->n < READ_BLOCK) {
        const int got = bel_source_read(rd->src, &b->s[b->n], 100);
        if (got == 0 || (got > 0 && !(b->s[b->n].t_s < rd->t_end_s))) {
            b->end = 1;
            break;
        }
        if (got < 0) {
            b->end = got;
            snprintf(rd->err, sizeof rd->err, "%s", bel_source_get_error(rd->src));
            if (rd->err[0] == '\0') {
                snprintf(rd->err, sizeof rd->err, "%s: %s", bel_source_describe(rd->src),
                         bel_status_str((bel_status)got));
            }
            break;
        }
        bel_pipeline_front_process(rd->front, &b->s[b->n], &b->fo[b->n]);
        b->n++;
    }
    bel_source_get_progress(rd->src, &b->done, &b->total);
}

static void *reader_main(void *arg)
{
    reader *rd = arg;
    for (;;) {
        pthread_mutex_lock(&rd->mu);
        while (rd->count == READ_RING && !rd->stop) {
            pthread_cond_wait(&rd->can_fill, &rd->mu);
        }
        const bool stop = rd->stop;
        read_block *b = &rd->blocks[(rd->head + rd->count) % READ_RING];
        pthread_mutex_unlock(&rd->mu);
        if (stop) {
            break;
        }
        reader_fill(rd, b);
        pthread_mutex_lock(&rd->mu);
        rd->count++;
        pthread_cond_signal(&rd->can_take);
        pthread_mutex_unlock(&rd->mu);
        if (b->end != 0) {
            break;
        }
    }
    return NULL;
}

/* The turn-round events that say, at a run's first sample, how the run reads the belts
 * where that is not how the recording says they were read (its settings lines: none is
 * "as the numbers go"), e.g. `analyze --invert`: with them the events file, read with the
 * recording, tells every reader (the report, the EDF+ export) each belt's way at every
 * moment, as a session's own turns do. A turned_round turns both belts: a chest read as
 * recorded is turned back. Written to out (room for 2); returns how many. */
static int reading_turns(const bel_source *src, const bel_pipeline *pipe, double t_s,
                         bel_event *out)
{
    bool rec_b, rec_c;
    bel_recording_settings_reading(&bel_source_get_info(src)->recorded, &rec_b, &rec_c);
    bel_summary now;
    bel_pipeline_get_summary(pipe, &now);
    bel_pipeline_config pc;
    bel_pipeline_get_config(pipe, &pc);
    int n = 0;
    bool chest_turned = false;
    if (now.is_belly_inverted != rec_b) {
        out[n++] = bel_event_make(BEL_EV_TURNED_ROUND, t_s, t_s);
        chest_turned = true;
    }
    if (pc.chest_channel >= 0 && chest_turned != (now.is_chest_inverted != rec_c)) {
        out[n++] = bel_event_make(BEL_EV_CHEST_TURNED_ROUND, t_s, t_s);
    }
    return n;
}

/* The samples of b through pipe, their events and spectrum input left in b (before the
 * run's first sample, reading_turns'). BEL_OK, or why it stopped. */
static bel_status run_block(read_block *b, bel_source *src, bel_pipeline *pipe,
                            bel_engine_progress_fn progress, void *ctx, bel_engine_result *r)
{
    bel_status st = BEL_OK;
    int n_ev = r->n_samples == 0 && b->n > 0 ? reading_turns(src, pipe, b->s[0].t_s, b->ev) : 0;
    int i = 0;
    for (; i < b->n; i++) {
        const int n = bel_pipeline_process_front(pipe, &b->s[i], &b->fo[i], b->ev + n_ev,
                                                 BEL_PIPELINE_MAX_EVENTS);
        if (n < 0) {
            st = (bel_status)n;
            break;
        }
        n_ev += n;
        b->spec_flags[i] = (uint8_t)bel_pipeline_get_spectrum_input(pipe, &b->spec_x[i]);
    }
    const uint64_t n_before = r->n_samples;
    r->n_samples += (uint64_t)i;
    b->n_run = i;
    b->n_ev = n_ev;
    b->is_run = true;
    r->n_events += (uint64_t)n_ev;
    if (st != BEL_OK) {
        r->n_samples++; /* the sample refused counts */
        snprintf(r->err, sizeof r->err, "%s: the pipeline refused sample %llu (%s)",
                 bel_source_describe(src), (unsigned long long)r->n_samples, bel_status_str(st));
        return st;
    }
    /* Every 65536th sample, which is a block's last (READ_BLOCK divides it). */
    if (progress && i > 0 && (r->n_samples >> 16) != (n_before >> 16)) {
        progress(ctx, b->done, b->total, r->n_samples);
    }
    return BEL_OK;
}

bel_status bel_engine_run_offline(bel_source *src, bel_pipeline *pipe, bel_event_csv *events,
                                  double t_end_s, bel_engine_progress_fn progress, void *ctx,
                                  bel_engine_result *r)
{
    memset(r, 0, sizeof *r);
    bel_status st = BEL_OK;
    reader *rd = calloc(1, sizeof *rd);
    read_block *blocks = calloc(READ_RING, sizeof *blocks);
    bel_spectrum_config sc;
    bel_pipeline_get_spectrum_config(pipe, &sc);
    bel_spectrum *spectrum = NULL;
    bel_pipeline_front *front = NULL;
    if (!rd || !blocks || bel_spectrum_create(&sc, &spectrum) != BEL_OK ||
        bel_pipeline_front_create(pipe, &front) != BEL_OK) {
        bel_pipeline_front_destroy(front);
        bel_spectrum_destroy(spectrum);
        free(blocks);
        free(rd);
        snprintf(r->err, sizeof r->err, "%s: out of memory", bel_source_describe(src));
        bel_pipeline_get_summary(pipe, &r->summary);
        bel_pipeline_get_metrics(pipe, &r->metrics);
        return BEL_ERR_NOMEM;
    }
    bel_pipeline_set_offline(pipe);
    rd->src = src;
    rd->t_end_s = t_end_s;
    rd->blocks = blocks;
    rd->events = events;
    atomic_init(&rd->is_write_failed, false);
    rd->spectrum = spectrum;
    rd->front = front;
    rd->spec = bel_spectrum_tally_init();
    pthread_mutex_init(&rd->mu, NULL);
    pthread_cond_init(&rd->can_fill, NULL);
    pthread_cond_init(&rd->can_take, NULL);
    pthread_t thread;
    const bool is_threaded = pthread_create(&thread, NULL, reader_main, rd) == 0;
    for (;;) {
        read_block *b = &blocks[rd->head];
        if (is_threaded) {
            pthread_mutex_lock(&rd->mu);
            while (rd->count == 0) {
                pthread_cond_wait(&rd->can_take, &rd->mu);
            }
            pthread_mutex_unlock(&rd->mu);
        } else {
            reader_fill(rd, b); /* no thread to be had: read in turn */
        }
        st = run_block(b, src, pipe, progress, ctx, r);
        const int end = b->end;
        pthread_mutex_lock(&rd->mu);
        rd->head = (rd->head + 1) % READ_RING;
        rd->count -= is_threaded ? 1 : 0;
        pthread_cond_signal(&rd->can_fill);
        pthread_mutex_unlock(&rd->mu);
        if (st != BEL_OK) {
            break;
        }
        if (end < 0) {
            st = (bel_status)end;
            snprintf(r->err, sizeof r->err, "%s", rd->err);
            break;
        }
        if (end != 0 || atomic_load_explicit(&rd->is_write_failed, memory_order_acquire)) {
            break;
        }
    }
    if (is_threaded) {
        pthread_mutex_lock(&rd->mu);
        rd->stop = true;
        pthread_cond_signal(&rd->can_fill);
        pthread_mutex_unlock(&rd->mu);
        pthread_join(thread, NULL);
    }
    /* The blocks run and not yet drained, oldest first: they follow head round the ring. */
    for (int k = 0; k < READ_RING; k++) {
        block_drain(rd, &blocks[(rd->head + k) % READ_RING]);
    }
    /* An event that could not be written came before whatever else stopped the run. */
    if (atomic_load_explicit(&rd->is_write_failed, memory_order_acquire)) {
        st = BEL_ERR_IO;
        snprintf(r->err, sizeof r->err, "%s", rd->write_err);
        r->is_write_failed = true;
    }
    bel_pipeline_get_summary(pipe, &r->summary);
    bel_pipeline_get_metrics(pipe, &r->metrics);
    /* The spectral rate was made here: the pipeline's own figures of it, from the same
     * estimates. */
    r->summary.rate_spectral_bpm = bel_spectrum_tally_mean(&rd->spec);
    r->metrics.rate_spectral_bpm = rd->spec.rate;
    pthread_cond_destroy(&rd->can_take);
    pthread_cond_destroy(&rd->can_fill);
    pthread_mutex_destroy(&rd->mu);
    bel_spectrum_destroy(spectrum);
    bel_pipeline_front_destroy(front);
    free(blocks);
    free(rd);
    return st;
}

bel_status bel_engine_summarise(const char *path, const bel_engine_settings *es, bel_summary *sum,
                                char *err, size_t err_len)
{
    memset(sum, 0, sizeof *sum);
    bel_source *src = NULL;
    bel_pipeline *pipe = NULL;
    bel_status st = bel_source_create_replay(path, false, &src, err, err_len);
    if (st != BEL_OK) {
        return st;
    }
    bel_pipeline_config pcfg;
    st = bel_engine_pipeline_config(bel_source_get_info(src), es, path, &pcfg, err, err_len);
    if (st == BEL_OK) {
        st = bel_pipeline_create(&pcfg, &pipe);
        if (st != BEL_OK) {
            snprintf(err, err_len, "%s: cannot set up the pipeline (%s)", path, bel_status_str(st));
        }
    }
    if (st == BEL_OK) {
        bel_engine_result r;
        /* A cut-off last line (a killed session) ends it: the summary of what was read. */
        const bel_status ran = bel_engine_run_offline(src, pipe, NULL, INFINITY, NULL, NULL, &r);
        (void)ran;
        *sum = r.summary;
    }
    bel_pipeline_destroy(pipe);
    bel_source_destroy(src);
    return st;
}
