/* source.c - the source interface, replay and simulator sources, real-time pacing.
 * SPDX-License-Identifier: MIT */
#include "source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bel_source {
    const bel_source_ops *ops;
    void *impl;
    bel_source_info info;
};

bel_status bel_source_create(const bel_source_ops *ops, void *impl, const bel_source_info *info,
                             bel_source **out)
{
    if (out) {
        *out = NULL;
    }
    if (!ops || !ops->read || !ops->describe || !ops->get_error || !ops->destroy || !impl ||
        !info || !out || info->n_channels < 1 || info->n_channels > BEL_MAX_CHANNELS) {
        if (ops && ops->destroy && impl) {
            ops->destroy(impl);
        }
        return BEL_ERR_ARG;
    }
    bel_source *src = calloc(1, sizeof *src);
    if (!src) {
        ops->destroy(impl);
        return BEL_ERR_NOMEM;
    }
    src->ops = ops;
    src->impl = impl;
    src->info = *info;
    *out = src;
    return BEL_OK;
}

void bel_source_release(bel_source *src)
{
    if (src && src->ops->release) {
        src->ops->release(src->impl);
    }
}

void bel_source_destroy(bel_source *src)
{
    if (!src) {
        return;
    }
    src->ops->destroy(src->impl);
    free(src);
}

int bel_source_read(bel_source *src, bel_sample *out, int timeout_ms)
{
    if (!src || !out || timeout_ms < 0) {
        return BEL_ERR_ARG;
    }
    return src->ops->read(src->impl, out, timeout_ms);
}

const char *bel_source_describe(const bel_source *src)
{
    return src ? src->ops->describe(src->impl) : "";
}

const char *bel_source_get_error(const bel_source *src)
{
    return src ? src->ops->get_error(src->impl) : "";
}

const bel_source_info *bel_source_get_info(const bel_source *src)
{
    return src ? &src->info : NULL;
}

void bel_source_get_progress(const bel_source *src, uint64_t *done, uint64_t *total)
{
    if (done) {
        *done = 0;
    }
    if (total) {
        *total = 0;
    }
    if (src && src->ops->get_progress) {
        src->ops->get_progress(src->impl, done, total);
    }
}

/* ---- pacing --------------------------------------------------------------------------- */

/* Maps sample time to the monotonic clock: the first sample is due at once,
 * sample t is due (t - t_first) seconds later. */
typedef struct pacer {
    bool realtime;
    bool started;
    double t_first_s;
    struct timespec start;
} pacer;

static double ts_seconds(const struct timespec *ts)
{
    return (double)ts->tv_sec + 1e-9 * (double)ts->tv_nsec;
}

static struct timespec ts_add(struct timespec ts, double s)
{
    double whole = floor(s);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((s - whole) * 1e9);
    while (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* 1 when the sample at t_s is due, BEL_ERR_TIMEOUT after waiting timeout_ms
 * (or being interrupted by a signal) without it coming due. */
static int pacer_wait(pacer *p, double t_s, int timeout_ms)
{
    struct timespec now;
    if (!p->realtime) {
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!p->started) {
        p->started = true;
        p->t_first_s = t_s;
        p->start = now;
        return 1;
    }
    double wait_s = (t_s - p->t_first_s) - (ts_seconds(&now) - ts_seconds(&p->start));
    if (wait_s <= 0.0) {
        return 1;
    }
    bool due = wait_s <= 1e-3 * timeout_ms;
    struct timespec until =
        due ? ts_add(p->start, t_s - p->t_first_s) : ts_add(now, 1e-3 * timeout_ms);
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    if (rc != 0 || !due) {
        return BEL_ERR_TIMEOUT; /* EINTR: let the caller look at its stop flag */
    }
    return 1;
}

/* ---- replay --------------------------------------------------------------------------- */

typedef struct replay {
    bel_recording_reader *reader;
    pacer pace;
    bool has_pending;
    bel_sample pending;
    char desc[BEL_IO_ERR_LEN];
} replay;

static int replay_read(void *impl, bel_sample *out, int timeout_ms)
{
    replay *r = impl;
    if (!r->has_pending) {
        int rc = bel_recording_reader_read(r->reader, &r->pending);
        if (rc <= 0) {
            return rc;
        }
        r->has_pending = true;
    }
    int rc = pacer_wait(&r->pace, r->pending.t_s, timeout_ms);
    if (rc != 1) {
        return rc;
    }
    r->has_pending = false;
    *out = r->pending;
    return 1;
}

static const char *replay_describe(const void *impl) { return ((const replay *)impl)->desc; }

static const char *replay_get_error(const void *impl)
{
    return bel_recording_reader_get_error(((const replay *)impl)->reader);
}

static void replay_get_progress(const void *impl, uint64_t *done, uint64_t *total)
{
    bel_recording_reader_get_progress(((const replay *)impl)->reader, done, total);
}

static void replay_destroy(void *impl)
{
    replay *r = impl;
    if (r) {
        bel_recording_reader_destroy(r->reader);
        free(r);
    }
}

static const bel_source_ops replay_ops = {replay_read,         replay_describe, replay_get_error,
                                          replay_get_progress, replay_destroy,  NULL};

bel_status bel_source_create_replay(const char *path, bool realtime, bel_source **out, char *err,
                                    size_t err_len)
{
    bel_source_info info;
    if (out) {
        *out = NULL;
    }
    if (!path || !out) {
        return BEL_ERR_ARG;
    }
    replay *r = calloc(1, sizeof *r);
    if (!r) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: out of memory", path);
        }
        return BEL_ERR_NOMEM;
    }
    bel_status st = bel_recording_reader_create(path, &r->reader, err, err_len);
    if (st != BEL_OK) {
        free(r);
        return st;
    }
    r->pace.realtime = realtime;
    snprintf(r->desc, sizeof r->desc, "replay of %s (%s)", path,
             realtime ? "real time" : "as fast as possible");
    memset(&info, 0, sizeof info);
    info.fs_hz = bel_recording_reader_get_fs_hz(r->reader);
    info.n_channels = bel_recording_reader_get_channel_count(r->reader);
    for (int ch = 0; ch < info.n_channels; ch++) {
        snprintf(info.channel_names[ch], sizeof info.channel_names[ch], "%s",
                 bel_recording_reader_get_channel_name(r->reader, ch));
    }
    info.recorded = *bel_recording_reader_get_settings(r->reader);
    st = bel_source_create(&replay_ops, r, &info, out);
    if (st != BEL_OK && err && err_len) {
        snprintf(err, err_len, "%s: %s", path, bel_status_str(st));
    }
    return st;
}

/* ---- simulator ------------------------------------------------------------------------ */

typedef struct simsrc {
    bel_sim *sim;
    pacer pace;
    bool has_pending;
    bel_sample pending;
    char desc[160];
} simsrc;

static int sim_read(void *impl, bel_sample *out, int timeout_ms)
{
    simsrc *s = impl;
    if (!s->has_pending) {
        int rc = bel_sim_next(s->sim, &s->pending);
        if (rc <= 0) {
            return rc;
        }
        s->has_pending = true;
    }
    int rc = pacer_wait(&s->pace, s->pending.t_s, timeout_ms);
    if (rc != 1) {
        return rc;
    }
    s->has_pending = false;
    *out = s->pending;
    return 1;
}

static const char *sim_describe(const void *impl) { return ((const simsrc *)impl)->desc; }

static const char *sim_get_error(const void *impl)
{
    (void)impl;
    return "";
}

static void sim_destroy(void *impl)
{
    simsrc *s = impl;
    if (s) {
        bel_sim_destroy(s->sim);
        free(s);
    }
}

static const bel_source_ops sim_ops = {sim_read, sim_describe, sim_get_error,
                                       NULL,     sim_destroy,  NULL};

bel_status bel_source_create_sim(const bel_sim_config *cfg, bool realtime, bel_source **out,
                                 char *err, size_t err_len)
{
    bel_source_info info;
    if (out) {
        *out = NULL;
    }
    if (!cfg || !out) {
        return BEL_ERR_ARG;
    }
    simsrc *s = calloc(1, sizeof *s);
    if (!s) {
        if (err && err_len) {
            snprintf(err, err_len, "simulated belt: out of memory");
        }
        return BEL_ERR_NOMEM;
    }
    bel_status st = bel_sim_create(cfg, &s->sim);
    if (st != BEL_OK) {
        if (err && err_len) {
            snprintf(err, err_len, "simulated belt: %s", bel_status_str(st));
        }
        free(s);
        return st;
    }
    s->pace.realtime = realtime;
    memset(&info, 0, sizeof info);
    info.fs_hz = cfg->fs_hz;
    info.n_channels = bel_sim_channel_count(s->sim);
    for (int ch = 0; ch < info.n_channels && ch < BEL_MAX_CHANNELS; ch++) {
        snprintf(info.channel_names[ch], sizeof info.channel_names[ch], "%s",
                 bel_sim_channel_name(s->sim, ch));
    }
    snprintf(s->desc, sizeof s->desc, "built-in simulated belt (%s, %g Hz, seed %llu%s)",
             info.n_channels > 1 ? "belly + chest" : "belly", cfg->fs_hz,
             (unsigned long long)cfg->seed, realtime ? "" : ", as fast as possible");
    st = bel_source_create(&sim_ops, s, &info, out);
    if (st != BEL_OK && err && err_len) {
        snprintf(err, err_len, "simulated belt: %s", bel_status_str(st));
    }
    return st;
}
