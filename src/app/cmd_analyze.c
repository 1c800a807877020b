/* cmd_analyze.c - `bellows analyze`: the live pipeline over recordings, events and summaries out.
 *
 * One recording (REC.csv --events OUT.csv [--summary OUT.json]) or many in one process
 * (A.csv B.csv FOLDER... --out-dir D: D/NAME.events.csv and D/NAME.summary.json each, one
 * progress bar, a table at the end). Both run each file through analyze_file; many files
 * run on as many threads as there are cores, their messages and table in the given order.
 * SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bellows/pipeline.h"
#include "calibration.h"
#include "engine.h"
#include "cli.h"
#include "text.h"
#include "event_csv.h"
#include "source.h"
#include "summary_json.h"

static const cli_help analyze_help = {
    "analyze",
    "REC.csv --events OUT.csv [OPTIONS]\n"
    "REC.csv|FOLDER... --out-dir DIR [OPTIONS]",
    "Runs the same breath pipeline as a live session over a recording CSV\n"
    "(header 't,<channel>...', t in seconds) as fast as possible. A recording made by\n"
    "a bellows session says how that session read the belts (--invert, an assessment's\n"
    "calibration, --breath-hold): it is read the same way, unless --invert or\n"
    "--calibration is given (--breath-hold replaces only the breath hold time).\n"
    "\n"
    "With --out-dir it takes any number of recordings and folders (a folder gives\n"
    "its *.csv files, not *.events.csv) in one process: each REC.csv gets\n"
    "DIR/REC.events.csv and DIR/REC.summary.json, one progress bar runs over all of\n"
    "them, and a table of the results ends it. A bad file is named and skipped.\n",
    "Exit status: 0 done, 1 bad or unreadable input or output, 2 bad command line.\n"
    "On a bad row the events before it are kept and the summary lists the error.\n"};

/* A single file above this size gets a progress bar (when stderr is a terminal). */
static const uint64_t PROGRESS_MIN_BYTES = 8u << 20;

enum { ANALYZE_BAR_WIDTH = 40, ANALYZE_MSG_LEN = 1024 };

/* The options shared by every file of a run. */
typedef struct analyze_opts {
    const char *channel;
    const char *chest;
    bool invert;
    bool quiet;
    bel_holdin_calibration cal;
    double breath_hold_s; /* --breath-hold, 0: the recording's, else the default */
} analyze_opts;

/* The one progress bar of a run: bytes of all files together. */
typedef struct analyze_progress {
    pthread_mutex_t *mu; /* held to touch the bar when files run on several threads, NULL */
    bool is_on;
    bool is_drawn;       /* a bar is on the line (clear it before a message) */
    uint64_t done_files; /* bytes of the files already finished */
    uint64_t running;    /* bytes read of the files being analysed */
    uint64_t total;      /* bytes of all files */
    int last_pct;
    char label[128]; /* what is being analysed: the path, or "3/27 NAME" */
} analyze_progress;

/* What one file gave. */
typedef struct analyze_result {
    int exit_code; /* CLI_EXIT_OK, CLI_EXIT_FAIL, CLI_EXIT_USAGE */
    uint64_t n_samples;
    uint64_t n_events;
    double fs_hz;
    char channel[BEL_RECORDING_NAME_LEN];
    bool has_chest;
    bel_summary sum;
    char error[ANALYZE_MSG_LEN]; /* the first message about this file, "" */
    char *said;                  /* messages kept for later (a usage byte, the text, a NUL each) */
    size_t said_len;
} analyze_result;

/* One file's run: the bar it moves and where its messages go. */
typedef struct analyze_job {
    analyze_progress *pg;
    uint64_t done;   /* bytes read of this file, counted in pg->running */
    bool is_kept;    /* messages go to the result's said, to be said in the files' order */
    bool is_out_mem; /* a message could not be kept */
} analyze_job;

static void progress_clear(analyze_progress *pg)
{
    if (pg->is_drawn) {
        fprintf(stderr, "\r%*s\r", (int)strlen(pg->label) + 60, "");
        pg->is_drawn = false;
    }
}

static void progress_show(analyze_progress *pg, uint64_t done)
{
    uint64_t all = pg->done_files + done;
    int pct = pg->total ? (int)(100.0 * (double)all / (double)pg->total) : 0;
    if (pct > 100) {
        pct = 100;
    }
    if (pct == pg->last_pct) {
        return;
    }
    pg->last_pct = pct;
    char bar[ANALYZE_BAR_WIDTH + 1];
    int fill = pct * ANALYZE_BAR_WIDTH / 100;
    for (int i = 0; i < ANALYZE_BAR_WIDTH; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[ANALYZE_BAR_WIDTH] = '\0';
    fputs("\ranalyzing ", stderr);
    bel_text_put(stderr, pg->label); /* a path from the command line: no control bytes */
    fprintf(stderr, " [%s] %3d%%", bar, pct);
    fflush(stderr);
    pg->is_drawn = true;
}

static void progress_lock(analyze_progress *pg)
{
    if (pg->mu) {
        pthread_mutex_lock(pg->mu);
    }
}

static void progress_unlock(analyze_progress *pg)
{
    if (pg->mu) {
        pthread_mutex_unlock(pg->mu);
    }
}

/* The engine's progress call: the bytes read of this file. */
static void progress_step(void *ctx, uint64_t done, uint64_t total, uint64_t n_samples)
{
    analyze_job *job = ctx;
    analyze_progress *pg = job->pg;
    (void)total;
    (void)n_samples;
    progress_lock(pg);
    pg->running += done - job->done;
    job->done = done;
    if (pg->is_on) {
        progress_show(pg, pg->running);
    }
    progress_unlock(pg);
}

/* Say a message as file_problem does (the bar cleared first). */
static void say_problem(analyze_progress *pg, bool usage, const char *msg)
{
    progress_clear(pg);
    if (usage) {
        cli_usage_error("analyze", "%s", msg);
    } else {
        cli_fail("analyze", "%s", msg);
    }
}

/* Say what went wrong with a file ("bellows analyze: MESSAGE", with the --help pointer
 * when usage), and keep the first message for the table. */
static void file_problem(analyze_job *job, analyze_result *r, bool usage, const char *fmt, ...)
    BEL_PRINTF_LIKE(4, 5);
static void file_problem(analyze_job *job, analyze_result *r, bool usage, const char *fmt, ...)
{
    char msg[ANALYZE_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (job->is_kept) {
        const size_t n = strlen(msg);
        char *said = realloc(r->said, r->said_len + n + 2);
        if (said) {
            said[r->said_len] = usage ? 'u' : 'f';
            memcpy(said + r->said_len + 1, msg, n + 1);
            r->said = said;
            r->said_len += n + 2;
        } else {
            job->is_out_mem = true;
        }
    } else {
        progress_lock(job->pg);
        say_problem(job->pg, usage, msg);
        progress_unlock(job->pg);
    }
    if (r->error[0] == '\0') {
        snprintf(r->error, sizeof r->error, "%s", msg);
    }
}

/* Run in_path through the pipeline into events_path (and summary_path unless NULL).
 * Messages go to stderr as they happen and the first is kept in r. */
static void analyze_file(const analyze_opts *o, const char *in_path, const char *events_path,
                         const char *summary_path, analyze_job *pg, analyze_result *r)
{
    memset(r, 0, sizeof *r);
    r->exit_code = CLI_EXIT_FAIL;
    char err[BEL_IO_ERR_LEN];
    bel_source *src = NULL;
    bel_pipeline *pipe = NULL;
    bel_event_csv *events = NULL;
    const char *file_error = NULL;

    if (bel_source_create_replay(in_path, false, &src, err, sizeof err) != BEL_OK) {
        file_problem(pg, r, false, "%s", err);
        return;
    }
    const bel_source_info *info = bel_source_get_info(src);
    bel_engine_settings es = bel_engine_settings_default();
    es.belly_name = o->channel;
    es.chest_name = o->chest;
    es.invert = o->invert;
    es.calibration = o->cal;
    es.breath_hold_s = o->breath_hold_s;
    /* A session's recording is read as the session read it, unless told otherwise. */
    es.use_recorded = !o->invert && !o->cal.is_valid;
    bel_pipeline_config pcfg;
    bel_status st = bel_engine_pipeline_config(info, &es, in_path, &pcfg, err, sizeof err);
    if (st != BEL_OK) {
        file_problem(pg, r, st == BEL_ERR_ARG, "%s", err);
        if (st == BEL_ERR_ARG) {
            r->exit_code = CLI_EXIT_USAGE;
        }
        bel_source_destroy(src);
        return;
    }
    const int belly = pcfg.belly_channel;
    const int chest_ch = pcfg.chest_channel;
    r->fs_hz = info->fs_hz;
    r->has_chest = chest_ch >= 0;
    snprintf(r->channel, sizeof r->channel, "%s", info->channel_names[belly]);
    st = bel_pipeline_create(&pcfg, &pipe);
    if (st != BEL_OK) {
        file_problem(pg, r, false, "%s: cannot set up the pipeline (%s)", in_path,
                     bel_status_str(st));
        bel_source_destroy(src);
        return;
    }
    if (bel_event_csv_create(events_path, &events, err, sizeof err) != BEL_OK) {
        file_problem(pg, r, false, "%s", err);
        goto done;
    }

    bel_engine_result run;
    if (bel_engine_run_offline(src, pipe, events, INFINITY, progress_step, pg, &run) != BEL_OK) {
        if (run.is_write_failed) {
            file_problem(pg, r, false, "%s", run.err);
            goto done;
        }
        file_error = run.err;
    }
    r->n_samples = run.n_samples;
    r->n_events = run.n_events;
    if (file_error) {
        file_problem(pg, r, false, "%s", file_error);
    }
    if (bel_event_csv_close(events) != BEL_OK) {
        file_problem(pg, r, false, "%s", bel_event_csv_get_error(events));
        goto done;
    }

    r->sum = run.summary;
    if (summary_path) {
        const char *errors[1] = {file_error};
        bel_summary_json_info js = {
            .input_path = in_path,
            .channel = info->channel_names[belly],
            .chest_channel = chest_ch >= 0 ? info->channel_names[chest_ch] : NULL,
            .inverted = pcfg.calibration.is_valid ? pcfg.calibration.belly_inverted : pcfg.invert,
            .fs_hz = info->fs_hz,
            .n_samples = r->n_samples,
            .summary = &r->sum,
            .n_errors = file_error ? 1 : 0,
            .errors = errors,
        };
        if (bel_summary_json_write(summary_path, &js, err, sizeof err) != BEL_OK) {
            file_problem(pg, r, false, "%s", err);
            goto done;
        }
    }
    r->exit_code = file_error ? CLI_EXIT_FAIL : CLI_EXIT_OK;

done:
    bel_event_csv_destroy(events);
    bel_pipeline_destroy(pipe);
    bel_source_destroy(src);
}

/* `bellows analyze REC.csv --events OUT.csv [--summary OUT.json]`. */
static int analyze_single(const analyze_opts *o, const char *in_path, const char *events_path,
                          const char *summary_path)
{
    analyze_progress pg = {.last_pct = -1};
    snprintf(pg.label, sizeof pg.label, "%s", in_path);
    struct stat stbuf;
    if (!o->quiet && isatty(STDERR_FILENO) && stat(in_path, &stbuf) == 0 &&
        (uint64_t)stbuf.st_size >= PROGRESS_MIN_BYTES) {
        pg.is_on = true;
        pg.total = (uint64_t)stbuf.st_size;
    }
    analyze_result r;
    analyze_job job = {.pg = &pg};
    analyze_file(o, in_path, events_path, summary_path, &job, &r);
    progress_clear(&pg);
    if (!o->quiet && r.exit_code == CLI_EXIT_OK) {
        char ie[32];
        (void)bel_ie_text(ie, sizeof ie, r.sum.ie_ratio, "-");
        printf("%s: %.1f s of '%s' at %.4g Hz: %u breaths, %.1f breaths/min (spectral %.1f), "
               "I:E %s, depth %.4g\n",
               in_path, r.sum.duration_s, r.channel, r.fs_hz, (unsigned)r.sum.n_breaths,
               (double)r.sum.rate_bpm, (double)r.sum.rate_spectral_bpm, ie, (double)r.sum.depth);
        printf("events: %s (%llu rows)%s%s\n", events_path, (unsigned long long)r.n_events,
               summary_path ? ", summary: " : "", summary_path ? summary_path : "");
        if (bel_summary_looks_turned_round(&r.sum, r.has_chest)) {
            cli_say_upside_down(in_path, "analyze it again with --invert");
        }
    }
    return r.exit_code;
}

/* The list of recordings of a batch; names are owned. */
typedef struct analyze_list {
    char **paths;
    size_t n;
    size_t cap;
} analyze_list;

static bool list_add(analyze_list *l, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p) {
            return false;
        }
        l->paths = p;
        l->cap = cap;
    }
    l->paths[l->n] = strdup(path);
    if (!l->paths[l->n]) {
        return false;
    }
    l->n++;
    return true;
}

static void list_free(analyze_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->paths[i]);
    }
    free(l->paths);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the recordings of folder dir (its *.csv, not *.events.csv), sorted by name.
 * false (message printed) when it cannot be read or has none. */
static bool list_add_folder(analyze_list *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_fail("analyze", "%s: cannot read the folder: %s", dir, strerror(errno));
        return false;
    }
    size_t first = l->n;
    const struct dirent *e;
    bool ok = true;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".csv") ||
            ends_with(e->d_name, ".events.csv")) {
            continue;
        }
        char path[4096];
        int len =
            snprintf(path, sizeof path, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
        struct stat st;
        if (len < 0 || (size_t)len >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        ok = list_add(l, path);
    }
    closedir(d);
    if (!ok) {
        cli_fail("analyze", "out of memory");
        return false;
    }
    if (l->n == first) {
        cli_fail("analyze", "%s: no recordings (*.csv) in this folder", dir);
        return false;
    }
    qsort(l->paths + first, l->n - first, sizeof *l->paths, cmp_str);
    return true;
}

/* NAME of .../NAME.csv (or of .../NAME when it has no .csv), into buf. */
static void recording_stem(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (ends_with(base, ".csv")) {
        n -= 4;
    }
    snprintf(buf, len, "%.*s", (int)n, base);
}

/* The outputs of a batch: the table and the last line. */
static void print_table(const analyze_list *list, const analyze_result *results, size_t n_ok,
                        const char *out_dir)
{
    printf("%-24s %10s %7s %8s %8s %7s %9s  %s\n", "recording", "duration_s", "breaths", "rate_bpm",
           "spectral", "I:E", "depth", "result");
    size_t n_upside = 0;
    for (size_t i = 0; i < list->n; i++) {
        const analyze_result *r = &results[i];
        char stem[256];
        recording_stem(list->paths[i], stem, sizeof stem);
        if (r->exit_code != CLI_EXIT_OK) {
            printf("%-24s %10s %7s %8s %8s %7s %9s  error: %s\n", stem, "-", "-", "-", "-", "-",
                   "-", r->error);
            continue;
        }
        char ie[32];
        (void)bel_ie_text(ie, sizeof ie, r->sum.ie_ratio, "-");
        const bool is_upside = bel_summary_looks_turned_round(&r->sum, r->has_chest);
        n_upside += is_upside;
        printf("%-24s %10.1f %7u %8.1f %8.1f %7s %9.4g  %s\n", stem, r->sum.duration_s,
               (unsigned)r->sum.n_breaths, (double)r->sum.rate_bpm,
               (double)r->sum.rate_spectral_bpm, ie, (double)r->sum.depth,
               is_upside ? "ok, upside down?" : "ok");
    }
    if (n_upside > 0) {
        char what[64];
        snprintf(what, sizeof what, "%zu marked 'upside down?'", n_upside);
        cli_say_upside_down(what, "analyze them again with --invert");
    }
    printf("%zu recording(s): %zu analyzed, %zu failed; events and summaries in %s\n", list->n,
           n_ok, list->n - n_ok, out_dir);
}

/* The files of a batch shared among its worker threads. */
typedef struct analyze_batch_run {
    const analyze_opts *o;
    const analyze_list *list;
    const char *out_dir;
    const uint64_t *sizes;
    analyze_result *results;
    bool *is_done;
    analyze_progress *pg;
    pthread_mutex_t mu;   /* pg, next, is_done */
    pthread_cond_t ended; /* a file is done */
    size_t next;          /* the next file to take */
} analyze_batch_run;

/* A worker: takes the next file until there are none, each one's result in its slot. */
static void *batch_worker(void *arg)
{
    analyze_batch_run *b = arg;
    const size_t n = b->list->n;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        const size_t i = b->next;
        if (i >= n) {
            pthread_mutex_unlock(&b->mu);
            break;
        }
        b->next++;
        char stem[256];
        recording_stem(b->list->paths[i], stem, sizeof stem);
        snprintf(b->pg->label, sizeof b->pg->label, "%zu/%zu %.60s", i + 1, n, stem);
        if (b->pg->is_on) {
            b->pg->last_pct = -1;
            progress_show(b->pg, b->pg->running);
        }
        pthread_mutex_unlock(&b->mu);
        char ev_path[4400];
        char sum_path[4400];
        snprintf(ev_path, sizeof ev_path, "%s/%s.events.csv", b->out_dir, stem);
        snprintf(sum_path, sizeof sum_path, "%s/%s.summary.json", b->out_dir, stem);
        analyze_job job = {.pg = b->pg, .is_kept = true};
        analyze_file(b->o, b->list->paths[i], ev_path, sum_path, &job, &b->results[i]);
        pthread_mutex_lock(&b->mu);
        b->pg->running -= job.done;
        b->pg->done_files += b->sizes[i];
        if (job.is_out_mem && b->results[i].exit_code == CLI_EXIT_OK) {
            b->results[i].exit_code = CLI_EXIT_FAIL;
            snprintf(b->results[i].error, sizeof b->results[i].error, "out of memory");
        }
        b->is_done[i] = true;
        pthread_cond_broadcast(&b->ended);
        pthread_mutex_unlock(&b->mu);
    }
    return NULL;
}

/* Worker threads for n files: one a core, at most n. */
static size_t batch_threads(size_t n)
{
    enum { MAX_WORKERS = 64 };
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t k = cores > 1 ? (size_t)cores : 1;
    k = k < MAX_WORKERS ? k : MAX_WORKERS;
    return k < n ? k : (n ? n : 1);
}

/* `bellows analyze REC.csv|FOLDER... --out-dir DIR`. Every argument is checked, and the
 * output names too, before DIR is made; then a bad file is said and the next one runs. */
static int analyze_batch(const analyze_opts *o, const char *const *args, int n_args,
                         const char *out_dir)
{
    const char *cmd = "analyze";
    analyze_list list = {0};
    analyze_result *results = NULL;
    uint64_t *sizes = NULL;
    bool *is_done = NULL;
    analyze_progress pg = {.is_on = !o->quiet && isatty(STDERR_FILENO), .last_pct = -1};
    int exit_code = CLI_EXIT_FAIL;
    for (int i = 0; i < n_args; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            cli_fail(cmd, "%s: %s", args[i], strerror(errno));
            goto done;
        }
        if (S_ISDIR(st.st_mode) ? !list_add_folder(&list, args[i]) : !list_add(&list, args[i])) {
            goto done;
        }
    }
    /* Each recording's outputs are named after it: two of the same name would collide. */
    for (size_t i = 0; i < list.n; i++) {
        char a[256];
        recording_stem(list.paths[i], a, sizeof a);
        for (size_t k = 0; k < i; k++) {
            char b[256];
            recording_stem(list.paths[k], b, sizeof b);
            if (strcmp(a, b) == 0) {
                exit_code = cli_usage_error(cmd,
                                            "%s and %s would both write %s/%s.events.csv; "
                                            "analyze them into different --out-dir folders",
                                            list.paths[k], list.paths[i], out_dir, a);
                goto done;
            }
        }
    }
    results = calloc(list.n, sizeof *results);
    sizes = calloc(list.n, sizeof *sizes);
    if (!results || !sizes) {
        cli_fail(cmd, "out of memory");
        goto done;
    }
    if (mkdir(out_dir, 0700) != 0 && errno != EEXIST) {
        cli_fail(cmd, "--out-dir %s: cannot create it: %s", out_dir, strerror(errno));
        goto done;
    }
    struct stat dst;
    if (stat(out_dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        cli_fail(cmd, "--out-dir %s: not a folder", out_dir);
        goto done;
    }
    for (size_t i = 0; i < list.n; i++) {
        struct stat st;
        sizes[i] = stat(list.paths[i], &st) == 0 ? (uint64_t)st.st_size : 0;
        pg.total += sizes[i];
    }
    is_done = calloc(list.n, sizeof *is_done);
    if (!is_done) {
        cli_fail(cmd, "out of memory");
        goto done;
    }
    /* The files run on worker threads; this one says each file's messages in turn as it
     * is done, so what is printed does not depend on which finished first. */
    analyze_batch_run b = {.o = o,
                           .list = &list,
                           .out_dir = out_dir,
                           .sizes = sizes,
                           .results = results,
                           .is_done = is_done,
                           .pg = &pg};
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.ended, NULL);
    pg.mu = &b.mu;
    pthread_t threads[64];
    const size_t n_want = batch_threads(list.n);
    size_t n_threads = 0;
    while (n_threads < n_want && pthread_create(&threads[n_threads], NULL, batch_worker, &b) == 0) {
        n_threads++;
    }
    if (n_threads == 0) {
        (void)batch_worker(&b); /* no thread to be had: all of them here */
    }
    size_t n_ok = 0;
    exit_code = CLI_EXIT_OK;
    for (size_t i = 0; i < list.n; i++) {
        analyze_result *r = &results[i];
        pthread_mutex_lock(&b.mu);
        while (!is_done[i]) {
            pthread_cond_wait(&b.ended, &b.mu);
        }
        for (size_t at = 0; at < r->said_len; at += strlen(r->said + at + 1) + 2) {
            say_problem(&pg, r->said[at] == 'u', r->said + at + 1);
        }
        pthread_mutex_unlock(&b.mu);
        free(r->said);
        r->said = NULL;
        if (r->exit_code == CLI_EXIT_OK) {
            n_ok++;
        } else if (r->exit_code > exit_code) {
            exit_code = r->exit_code;
        }
    }
    for (size_t t = 0; t < n_threads; t++) {
        pthread_join(threads[t], NULL);
    }
    pg.mu = NULL;
    pthread_cond_destroy(&b.ended);
    pthread_mutex_destroy(&b.mu);
    progress_clear(&pg);
    if (!o->quiet) {
        print_table(&list, results, n_ok, out_dir);
    }

done:
    free(is_done);
    free(sizes);
    free(results);
    list_free(&list);
    return exit_code;
}

int cmd_analyze(int argc, char **argv)
{
    const char *cmd = "analyze";
    const char *events_path = NULL;
    const char *summary_path = NULL;
    const char *out_dir = NULL;
    const char *calibration = NULL;
    analyze_opts o = {.cal = bel_holdin_calibration_none()};
    const cli_opt opts[] = {
        {"--calibration", CLI_STRING, &calibration, 0, 0, "an assessment JSON file", "FILE",
         "start from the relaxed level, depth and polarity an assessment\n"
         "learnt (ASSESS.json from 'bellows assess')"},
        {"--events", CLI_STRING, &events_path, 0, 0, "a file name for the events CSV", "OUT.csv",
         "write the events (t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio)"},
        {"--summary", CLI_STRING, &summary_path, 0, 0, "a file name for the summary JSON",
         "OUT.json", "write a summary: rates, depth, I:E, breath count, errors"},
        {"--out-dir", CLI_STRING, &out_dir, 0, 0, "a folder for the outputs", "DIR",
         "write every recording's events and summary into DIR (made if\n"
         "missing)"},
        {"--channel", CLI_STRING, &o.channel, 0, 0, "the belly channel's name", "NAME",
         "the belly channel (default: the column named 'belly', else the\n"
         "first channel)"},
        {"--chest", CLI_STRING, &o.chest, 0, 0, "the chest channel's name", "NAME",
         "the chest channel (default: a column named 'chest', if any)"},
        ENGINE_INVERT_OPT(&o.invert),
        ENGINE_BREATH_HOLD_OPT(&o.breath_hold_s),
        {"--quiet", CLI_FLAG, &o.quiet, 0, 0, "", NULL,
         "print nothing but errors (no progress bar, no result line)"},
    };
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    if (!pos) {
        return cli_fail(cmd, "out of memory");
    }
    int n_pos = 0;
    int exit_code = CLI_EXIT_USAGE;
    if (!cli_parse_command(&analyze_help, argc, argv, opts, (int)(sizeof opts / sizeof opts[0]),
                           pos, argc, &n_pos, &exit_code)) {
        goto done;
    }
    exit_code = CLI_EXIT_USAGE;
    if (out_dir && (events_path || summary_path)) {
        exit_code = cli_usage_error(cmd,
                                    "%s names one file's output; with --out-dir each "
                                    "recording's go to DIR/NAME.events.csv and "
                                    "DIR/NAME.summary.json",
                                    events_path ? "--events" : "--summary");
        goto done;
    }
    if (n_pos == 0) {
        exit_code = cli_usage_error(cmd, "which recording? give one REC.csv");
        goto done;
    }
    if (!out_dir && n_pos > 1) {
        exit_code = cli_usage_error(cmd,
                                    "unexpected argument '%s': --events takes one recording; "
                                    "for several give --out-dir DIR",
                                    pos[1]);
        goto done;
    }
    if (!out_dir && !events_path) {
        exit_code = cli_usage_error(cmd, "--events OUT.csv is required");
        goto done;
    }

    char err[BEL_IO_ERR_LEN];
    if (calibration && bel_calibration_load(calibration, &o.cal, err, sizeof err) != BEL_OK) {
        (void)cli_fail(cmd, "%s", err);
        exit_code = CLI_EXIT_FAIL;
        goto done;
    }
    if (out_dir) {
        exit_code = analyze_batch(&o, pos, n_pos, out_dir);
    } else {
        exit_code = analyze_single(&o, pos[0], events_path, summary_path);
    }
done:
    free(pos);
    return exit_code;
}
