/* serial.c - the belt on a serial port through libserialport: source, reconnects, discovery.
 * SPDX-License-Identifier: MIT */
#include "serial.h"

#include <errno.h>
#include <libserialport.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>

/* Bytes taken from the port per read; a few lines at the fastest rates. */
enum { SERIAL_BUF_BYTES = 4096 };
/* Link events waiting for bel_serial_take_event (at most a lost and a restored each read). */
enum { SERIAL_MAX_PENDING = 8 };
/* "Ready but no bytes" this many times in a row means the device is gone. */
enum { SERIAL_EMPTY_READY_MAX = 3 };
/* Room for a reason, leaving space for "; reconnecting" in the 512-byte error. */
enum { SERIAL_WHY_LEN = 400 };
/* Serial Plotter lines: this many decide the format at once (and give the arrival rate);
 * at least PLOTTER_MIN_LINES by the deadline will do. */
enum { PLOTTER_DETECT_LINES = 20, PLOTTER_MIN_LINES = 3 };
/* Arrival times of the first live plotter lines, kept for the rate. */
enum { PLOTTER_RATE_T_MAX = 64 };
static const double PLOTTER_RATE_SPAN_S = 0.5;
/* A read that waited this long found no backlog: the lines from then on arrive live. */
static const double PLOTTER_LIVE_WAIT_S = 0.002;
/* A backlog is read in a few ms; a stream too fast to ever make a read wait is live
 * after this. */
static const double PLOTTER_BACKLOG_MAX_S = 0.05;
/* Timed on arrival, samples are at least this far apart (lines come in bursts, and a
 * recording prints t to the microsecond and must go strictly forward). */
static const double PLOTTER_MIN_STEP_S = 1e-4;
static const double PLOTTER_RATE_MIN_HZ = 1.0;
/* The belt's own rate against the clock (samples timed by count over the stated rate):
 * watched from RATE_SETTLE_S after the start or a restore (a backlog is read by then),
 * judged once RATE_MIN_SPAN_S (fast) or RATE_MIN_SPAN_SLOW_S (slow) of clock went by.
 * Wrong means the samples' time runs more than RATE_FACTOR times faster or slower than
 * the clock, beyond RATE_SLACK_S: far outside a crystal's error, and far enough that a
 * host stalled for a second or two is not taken for a wrong belt. A belt sending 10x
 * its stated rate is caught after about 3 s, before a 60 s session would have ended. */
static const double RATE_SETTLE_S = 1.0;
static const double RATE_MIN_SPAN_S = 2.0;
static const double RATE_MIN_SPAN_SLOW_S = 4.0;
static const double RATE_FACTOR = 1.5;
static const double RATE_SLACK_S = 1.0;
static const double PLOTTER_RATE_MAX_HZ = 2000.0;

struct bel_serial {
    bel_serial_config cfg;
    char port_name[BEL_SERIAL_NAME_LEN];
    struct sp_port *port;
    struct sp_event_set *events;
    bel_proto_parser parser;
    bel_plotter_parser plotter; /* the same bytes as Serial Plotter lines */
    bel_serial_format format;   /* decided at open */
    const atomic_bool *give_up; /* a probe among others: stop waiting when set (or NULL) */
    /* The belt's channels this source hands out, in order: those its info line does not
     * call absent (a one-cord belt's unwired input reads 0 and means nothing), or all
     * of them when it calls every one absent. */
    uint8_t used[BEL_MAX_CHANNELS];
    int n_used;
    double fs_hz;            /* the rate samples are timed by (plotter: given or estimated) */
    bool is_arrival_timed;   /* plotter lines without a given rate: the clock times them */
    uint32_t n_plotter_seen; /* plotter lines while deciding the format */
    bool is_backlog;         /* still reading what was waiting (no wait has waited yet) */
    uint32_t n_rate_lines;   /* plotter lines after the backlog: they give the rate */
    double mono_rate_first_s;
    double mono_rate_last_s;
    double rate_t_s[PLOTTER_RATE_T_MAX]; /* the first ones' arrival times */
    bel_plotter_line plotter_first;      /* the first plotter line: channel names */
    double mono_start_s;                 /* arrival-timed: time 0 */
    double t_last_s;                     /* time of the last sample handed out */
    uint8_t buf[SERIAL_BUF_BYTES];
    size_t buf_pos;
    size_t buf_len;
    bel_proto_info info;    /* the info line at create: rate and channels */
    bool has_info_now;      /* an info line came since the port was (re)opened */
    bool is_lost;           /* signal_lost reported, signal_restored not yet */
    bool has_last;          /* a sample was handed out */
    bool is_changed;        /* the belt's info no longer matches the session's: it ends */
    bool has_rate_ref;      /* the rate check's starting point is set */
    double rate_watch_s;    /* monotonic time the rate check starts from (after settling) */
    double rate_ref_mono_s; /* its starting point: monotonic time and sample time */
    double rate_ref_t_s;
    uint64_t index_last;   /* its index: t_s = index / rate */
    double mono_last_s;    /* monotonic time it arrived */
    double mono_lost_s;    /* when the loss was noticed */
    double mono_request_s; /* when "?" was last sent */
    double mono_reopen_s;  /* next reopen attempt */
    int backoff_ms;
    int n_empty_ready;
    bel_event pending[SERIAL_MAX_PENDING];
    int n_pending;
    bel_serial_stats stats;
    char err[BEL_IO_ERR_LEN];
    char desc[BEL_IO_ERR_LEN];
};

bel_serial_config bel_serial_config_default(void)
{
    bel_serial_config c;
    memset(&c, 0, sizeof c);
    c.port = NULL;
    c.read_timeout_ms = 50;
    c.info_timeout_ms = 5000;
    c.request_every_ms = 2000;
    c.silence_lost_ms = 1000;
    c.reconnect_min_ms = 100;
    c.reconnect_max_ms = 2000;
    c.plotter_rate_hz = 0.0;
    c.speed = 1.0;
    return c;
}

const char *bel_serial_format_name(bel_serial_format format)
{
    switch (format) {
    case BEL_SERIAL_FORMAT_BELLOWS:
        return "bellows firmware";
    case BEL_SERIAL_FORMAT_PLOTTER:
        return "Arduino Serial Plotter lines";
    case BEL_SERIAL_FORMAT_NONE:
    default:
        return "nothing recognised";
    }
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_ms(double ms)
{
    if (ms <= 0.0) {
        return;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000.0);
    ts.tv_nsec = (long)((ms - 1000.0 * (double)ts.tv_sec) * 1e6);
    nanosleep(&ts, NULL); /* EINTR: return early, the caller re-checks its clock */
}

/* libserialport's message for the last failed call (error paths only: it allocates). */
static void sp_message(char *buf, size_t len, const char *port, const char *what)
{
    char *msg = sp_last_error_message();
    snprintf(buf, len, "%s: %s: %s", port, what, msg ? msg : "unknown error");
    sp_free_error_message(msg);
}

static void close_port(struct sp_port **port, struct sp_event_set **events)
{
    if (events && *events) {
        sp_free_event_set(*events);
        *events = NULL;
    }
    if (*port) {
        sp_close(*port);
        sp_free_port(*port);
        *port = NULL;
    }
}

/* Open and configure name at 115200 8N1, no flow control; on failure err says why. */
static bel_status open_port(const char *name, struct sp_port **out, char *err, size_t err_len)
{
    struct sp_port *p = NULL;
    *out = NULL;
    if (sp_get_port_by_name(name, &p) != SP_OK) {
        /* libserialport's own message is errno's, which its checks leave
         * unset or misleading ("Success" for a file): say what name is. */
        struct stat st;
        if (stat(name, &st) != 0) {
            snprintf(err, err_len, "%s: no such serial port: %s", name, strerror(errno));
        } else {
            snprintf(err, err_len, "%s: not a serial port (%s)", name,
                     S_ISDIR(st.st_mode)   ? "a folder"
                     : S_ISREG(st.st_mode) ? "a file"
                                           : "a device that is no serial line");
        }
        return BEL_ERR_IO;
    }
    if (sp_open(p, SP_MODE_READ_WRITE) != SP_OK) {
        const int code = sp_last_error_code();
        sp_message(err, err_len, name, "cannot open");
        /* The two a person can do something about. */
        const char *hint =
            code == EACCES || code == EPERM
                ? " (install bellows' udev rule, hardware/udev, and replug the belt; or join "
                  "the 'dialout' group and log in again)"
            : code == EBUSY ? " (another program has it open: the Arduino IDE's Serial Monitor?)"
                            : "";
        const size_t used = strlen(err);
        if (used < err_len) {
            snprintf(err + used, err_len - used, "%s", hint);
        }
        sp_free_port(p);
        return BEL_ERR_IO;
    }
    /* One reader a belt: a second would take some of the first's lines, and each would
     * see a belt that stopped sending. Another bellows on this port holds the lock
     * (released when its port closes, an unplug included); others are kept out by the
     * port's exclusive mode (root is not). The check comes before bellows' own
     * settings; opening a port another process holds open resets no board (its lines
     * drop only at the last close). */
    int fd = -1;
    if (sp_get_port_handle(p, &fd) == SP_OK && fd >= 0) {
        if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            snprintf(err, err_len,
                     "%s: in use by another bellows (a session or an assessment still running "
                     "on this belt?)",
                     name);
            close_port(&p, NULL);
            return BEL_ERR_IO;
        }
        (void)ioctl(fd, TIOCEXCL);
    }
    if (sp_set_baudrate(p, (int)BEL_PROTO_BAUD) != SP_OK || sp_set_bits(p, 8) != SP_OK ||
        sp_set_parity(p, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(p, 1) != SP_OK ||
        sp_set_flowcontrol(p, SP_FLOWCONTROL_NONE) != SP_OK) {
        sp_message(err, err_len, name, "cannot set 115200 8N1");
        close_port(&p, NULL);
        return BEL_ERR_IO;
    }
    *out = p;
    return BEL_OK;
}

static void send_request(struct sp_port *port)
{
    char line[4];
    int n = bel_proto_encode_request(line, sizeof line);
    if (n > 0) {
        /* A lost request costs only a retry: the result is not needed. */
        (void)sp_blocking_write(port, line, (size_t)n, 100);
    }
}

static void push_event(bel_serial *s, bel_event_kind kind, double t_s, double t_detect_s)
{
    if (s->n_pending < SERIAL_MAX_PENDING) {
        s->pending[s->n_pending++] = bel_event_make(kind, t_s, t_detect_s);
    }
}

static double rate_hz(const bel_serial *s) { return s->fs_hz; }

/* The belt went away (silent, unplugged, port error): report it once. */
static void mark_lost(bel_serial *s, double now)
{
    if (!s->is_lost) {
        s->is_lost = true;
        s->mono_lost_s = now;
        s->stats.n_lost++;
        double t_last = s->has_last ? (double)s->index_last / rate_hz(s) : 0.0;
        double since = s->has_last ? now - s->mono_last_s : 0.0;
        push_event(s, BEL_EV_SIGNAL_LOST, t_last, t_last + since);
    }
    s->stats.is_connected = false;
    bel_proto_parser_reset(&s->parser);
    bel_plotter_parser_reset(&s->plotter);
}

/* The port failed: close it, report the loss, schedule a reopen. */
static void drop_port(bel_serial *s, double now, const char *why)
{
    if (why) {
        snprintf(s->err, sizeof s->err, "%s; reconnecting", why);
    }
    close_port(&s->port, &s->events);
    s->buf_pos = s->buf_len = 0;
    s->has_info_now = false;
    mark_lost(s, now);
    s->backoff_ms = s->cfg.reconnect_min_ms;
    s->mono_reopen_s = now + 1e-3 * s->backoff_ms;
}

static void try_reopen(bel_serial *s, double now)
{
    char why[SERIAL_WHY_LEN];
    if (open_port(s->port_name, &s->port, why, sizeof why) != BEL_OK ||
        sp_new_event_set(&s->events) != SP_OK ||
        sp_add_port_events(s->events, s->port, SP_EVENT_RX_READY) != SP_OK) {
        if (s->port) {
            sp_message(why, sizeof why, s->port_name, "cannot wait on the port");
        }
        close_port(&s->port, &s->events);
        snprintf(s->err, sizeof s->err, "%s; retrying", why);
        s->backoff_ms = s->backoff_ms * 2 > s->cfg.reconnect_max_ms ? s->cfg.reconnect_max_ms
                                                                    : s->backoff_ms * 2;
        s->mono_reopen_s = now + 1e-3 * s->backoff_ms;
        return;
    }
    s->stats.n_reconnects++;
    s->has_info_now = false;
    s->n_empty_ready = 0;
    s->buf_pos = s->buf_len = 0;
    bel_proto_parser_reset(&s->parser);
    bel_plotter_parser_reset(&s->plotter);
    if (s->format == BEL_SERIAL_FORMAT_BELLOWS) {
        send_request(s->port);
    }
    s->mono_request_s = now;
}

/* The session ends (its recording kept) with why in s->err: the belt's samples cannot
 * go on in the same recording and pipeline. */
static void end_link(bel_serial *s, double now)
{
    s->is_changed = true;
    close_port(&s->port, &s->events);
    s->buf_pos = s->buf_len = 0;
    s->has_info_now = false;
    mark_lost(s, now);
    s->backoff_ms = s->cfg.reconnect_max_ms;
    s->mono_reopen_s = now + 1e-3 * s->backoff_ms;
}

/* A belt sending at another rate than it says (its info line, or --rate for a sketch)
 * would put wrong times on every sample: a 10x belt ends a 60 s session after 6 s and
 * shows 10x the breathing rate. Compare the samples' time with the clock's, and end the
 * session saying so. Arrival-timed samples need no check. */
static void check_rate(bel_serial *s, double now, double t_s)
{
    if (s->is_arrival_timed || now < s->rate_watch_s) {
        return;
    }
    if (!s->has_rate_ref) {
        s->has_rate_ref = true;
        s->rate_ref_mono_s = now;
        s->rate_ref_t_s = t_s;
        return;
    }
    /* Both in real seconds: a belt playing faster (speed) sends its time that much faster;
     * the slack is for the host's and the link's stalls, which are real time. */
    const double clock_s = now - s->rate_ref_mono_s;
    const double sent_s = (t_s - s->rate_ref_t_s) / s->cfg.speed;
    const bool is_fast =
        clock_s >= RATE_MIN_SPAN_S && sent_s > RATE_FACTOR * clock_s + RATE_SLACK_S;
    const bool is_slow =
        clock_s >= RATE_MIN_SPAN_SLOW_S && sent_s < clock_s / RATE_FACTOR - RATE_SLACK_S;
    if (!is_fast && !is_slow) {
        return;
    }
    const double measured_hz = rate_hz(s) * sent_s / clock_s; /* per second of the belt's */
    const bool is_plotter = s->format == BEL_SERIAL_FORMAT_PLOTTER;
    snprintf(s->err, sizeof s->err,
             "%.120s: the belt sends about %.0f samples a second, but %s %.4g Hz, so its "
             "samples' times would be wrong (%.1f s of samples in %.1f s); the session ends "
             "here (its recording is kept): set the belt's rate right (%s) and start again",
             s->port_name, measured_hz, is_plotter ? "--rate says" : "its info line says",
             rate_hz(s), sent_s, clock_s,
             is_plotter ? "--rate, or none to time on arrival" : "firmware");
    end_link(s, now);
}

/* Give a sample its time and gap (seq_missed: the sequence numbers' gap). Returns true if
 * it goes out, false while the format is unconfirmed since the port was (re)opened. */
static bool stamp_sample(bel_serial *s, uint32_t seq_missed, double now, bel_sample *out)
{
    if (!s->has_info_now) {
        s->stats.n_before_info++; /* rate and channels unconfirmed since (re)open */
        return false;
    }
    uint64_t index = 0;
    uint32_t n_missed = seq_missed;
    /* A jump in the sequence longer than the time since the last sample (and the slack)
     * cannot be lines lost on the way: the belt started again (it was unplugged and
     * plugged in too quickly for a loss to show, or reset). Count the gap by the clock,
     * as across a loss, and watch its rate afresh. */
    const bool is_restarted =
        s->has_last && !s->is_lost && !s->is_arrival_timed &&
        (double)seq_missed / (rate_hz(s) * s->cfg.speed) > now - s->mono_last_s + RATE_SLACK_S;
    if (!s->has_last || s->is_lost || is_restarted) { /* the rate is watched afresh */
        s->has_rate_ref = false;
        s->rate_watch_s = now + RATE_SETTLE_S;
    }
    if (s->has_last) {
        if (s->is_lost || is_restarted) {
            /* Across a loss (or a restart) the sequence says nothing: the clock gives the
             * gap, in the belt's time (a belt playing speed times faster). */
            double steps = floor((now - s->mono_last_s) * rate_hz(s) * s->cfg.speed + 0.5);
            if (steps < 1.0) {
                steps = 1.0;
            }
            if (steps > 4e9) {
                steps = 4e9;
            }
            n_missed = (uint32_t)steps - 1U;
            s->stats.n_gap_samples += n_missed;
        }
        index = s->index_last + 1U + n_missed;
    } else {
        n_missed = 0;
        s->mono_start_s = now;
    }
    if (s->is_arrival_timed) {
        /* Timed on arrival: the clock, kept strictly increasing (lines come in bursts). */
        double t = now - s->mono_start_s;
        out->t_s = s->has_last && t < s->t_last_s + PLOTTER_MIN_STEP_S
                       ? s->t_last_s + PLOTTER_MIN_STEP_S
                       : t;
    } else {
        out->t_s = (double)index / rate_hz(s);
    }
    out->n_missed = n_missed;
    if (s->is_lost) {
        s->is_lost = false;
        snprintf(s->err, sizeof s->err, "%s", "");
        push_event(s, BEL_EV_SIGNAL_RESTORED, out->t_s, out->t_s);
    }
    s->has_last = true;
    s->index_last = index;
    s->mono_last_s = now;
    s->t_last_s = out->t_s;
    s->stats.is_connected = true;
    check_rate(s, now, out->t_s);
    return true;
}

/* One parsed bellows sample. Returns true if it goes out. */
static bool take_sample(bel_serial *s, const bel_proto_sample *ps, double now, bel_sample *out)
{
    *out = bel_proto_make_sample(ps, 0.0);
    if (s->n_used < out->n_channels) {
        for (int k = 0; k < s->n_used; k++) {
            out->value[k] = out->value[s->used[k]];
        }
        for (int k = s->n_used; k < BEL_MAX_CHANNELS; k++) {
            out->value[k] = 0.0f;
        }
        out->n_channels = (uint8_t)s->n_used;
    }
    return stamp_sample(s, ps->n_missed, now, out);
}

/* The channels to hand out (see bel_serial.used), from the info line. */
static void choose_used(bel_serial *s)
{
    s->n_used = 0;
    for (int ch = 0; ch < s->info.n_channels && ch < BEL_MAX_CHANNELS; ch++) {
        if (s->info.channel[ch].status != BEL_PROTO_CH_ABSENT) {
            s->used[s->n_used++] = (uint8_t)ch;
        }
    }
    if (s->n_used == 0) {
        for (int ch = 0; ch < s->info.n_channels && ch < BEL_MAX_CHANNELS; ch++) {
            s->used[s->n_used++] = (uint8_t)ch;
        }
    }
}

/* True when the info line names the same channels in use as the first one did. */
static bool same_channels_used(const bel_serial *s, const bel_proto_info *info)
{
    int n = 0;
    for (int ch = 0; ch < info->n_channels && ch < BEL_MAX_CHANNELS; ch++) {
        if (info->channel[ch].status != BEL_PROTO_CH_ABSENT) {
            if (n >= s->n_used || s->used[n] != ch) {
                return false;
            }
            n++;
        }
    }
    return n == s->n_used || n == 0;
}

/* One Serial Plotter line (the parser keeps the count of values). After a reopen the
 * first line confirms the format again. Returns true if it goes out. */
static bool take_plotter_line(bel_serial *s, const bel_plotter_line *line, double now,
                              bel_sample *out)
{
    s->has_info_now = true;
    memset(out, 0, sizeof *out);
    out->n_channels = line->n_values;
    memcpy(out->value, line->value, sizeof out->value);
    return stamp_sample(s, 0, now, out);
}

static void channel_list(char *buf, size_t len, const bel_proto_info *info);

/* An info line: the first one defines the source; later ones must agree. One that does
 * not (another belt plugged in, the firmware changed) ends the session with that said:
 * its samples cannot go on in the same recording and pipeline, and waiting for the old
 * belt behind a "signal lost" would hide why nothing comes. */
static void take_info(bel_serial *s, const bel_proto_info *info, double now)
{
    if (info->rate_hz != s->info.rate_hz || info->n_channels != s->info.n_channels) {
        snprintf(s->err, sizeof s->err,
                 "%s: the belt now sends %u channel(s) at %u Hz, not %u at %u Hz as at the "
                 "start; the session ends here (its recording is kept): start a new one to "
                 "use the belt as it is now",
                 s->port_name, (unsigned)info->n_channels, (unsigned)info->rate_hz,
                 (unsigned)s->info.n_channels, (unsigned)s->info.rate_hz);
        end_link(s, now);
        return;
    }
    if (!same_channels_used(s, info)) {
        char was[160];
        char now_list[160];
        channel_list(was, sizeof was, &s->info);
        channel_list(now_list, sizeof now_list, info);
        snprintf(
            s->err, sizeof s->err,
            "%.64s: the belt's cords are now %.100s, not %.100s as at the start; the session ends "
            "here (its recording is kept): start a new one to use the belt as it is now",
            s->port_name, now_list, was);
        end_link(s, now);
        return;
    }
    s->has_info_now = true;
}

static int serial_read(void *impl, bel_sample *out, int timeout_ms)
{
    bel_serial *s = impl;
    double deadline = mono_s() + 1e-3 * timeout_ms;
    bel_proto_msg msg;
    bel_plotter_line line;
    bel_plotter_error_kind line_err;
    for (;;) {
        if (s->is_changed) {
            return BEL_ERR_PROTOCOL; /* s->err says what changed */
        }
        while (s->buf_pos < s->buf_len && s->format == BEL_SERIAL_FORMAT_PLOTTER) {
            if (bel_plotter_parser_push(&s->plotter, s->buf[s->buf_pos++], &line, &line_err) ==
                    BEL_PLOTTER_LINE &&
                take_plotter_line(s, &line, mono_s(), out)) {
                return 1;
            }
        }
        while (s->buf_pos < s->buf_len && !s->is_changed) {
            bel_proto_result r = bel_proto_parser_push(&s->parser, s->buf[s->buf_pos++], &msg);
            if (r == BEL_PROTO_SAMPLE) {
                if (take_sample(s, &msg.sample, mono_s(), out)) {
                    return 1;
                }
            } else if (r == BEL_PROTO_INFO) {
                take_info(s, &msg.info, mono_s());
            }
        }
        double now = mono_s();
        if (!s->port) {
            if (now >= s->mono_reopen_s) {
                try_reopen(s, now);
            }
            if (!s->port) {
                double until = s->mono_reopen_s < deadline ? s->mono_reopen_s : deadline;
                sleep_ms(1e3 * (until - now));
                if (mono_s() >= deadline) {
                    return BEL_ERR_TIMEOUT;
                }
                continue;
            }
        }
        if (!s->is_lost && s->has_last && now - s->mono_last_s > 1e-3 * s->cfg.silence_lost_ms) {
            snprintf(s->err, sizeof s->err, "%s: no samples for %.1f s; waiting for the belt",
                     s->port_name, now - s->mono_last_s);
            mark_lost(s, now);
        }
        if (s->format == BEL_SERIAL_FORMAT_BELLOWS && (!s->has_info_now || s->is_lost) &&
            now - s->mono_request_s >= 1e-3 * s->cfg.request_every_ms) {
            send_request(s->port);
            s->mono_request_s = now;
        }
        double remaining_ms = 1e3 * (deadline - now);
        if (remaining_ms < 1.0) {
            return BEL_ERR_TIMEOUT;
        }
        unsigned wait_ms =
            (unsigned)(remaining_ms < s->cfg.read_timeout_ms ? remaining_ms
                                                             : (double)s->cfg.read_timeout_ms);
        if (sp_wait(s->events, wait_ms < 1 ? 1 : wait_ms) != SP_OK) {
            char why[SERIAL_WHY_LEN];
            sp_message(why, sizeof why, s->port_name, "wait failed");
            drop_port(s, mono_s(), why);
            continue;
        }
        enum sp_return n = sp_nonblocking_read(s->port, s->buf, sizeof s->buf);
        if (n < 0) {
            char why[SERIAL_WHY_LEN];
            sp_message(why, sizeof why, s->port_name, "read failed (unplugged?)");
            drop_port(s, mono_s(), why);
            continue;
        }
        if (n == 0) {
            /* Ready with nothing to read: a hung-up device (TESTING.md), or a
             * plain timeout. Tell them apart by asking how much is waiting. */
            double waited_ms = 1e3 * (mono_s() - now);
            if (waited_ms + 1.0 < (double)wait_ms) {
                if (sp_input_waiting(s->port) < 0 || ++s->n_empty_ready >= SERIAL_EMPTY_READY_MAX) {
                    char why[SERIAL_WHY_LEN];
                    snprintf(why, sizeof why, "%s: the device went away (unplugged?)",
                             s->port_name);
                    drop_port(s, mono_s(), why);
                }
            }
            continue;
        }
        s->n_empty_ready = 0;
        s->buf_pos = 0;
        s->buf_len = (size_t)n;
    }
}

static const char *serial_describe(const void *impl) { return ((const bel_serial *)impl)->desc; }

static const char *serial_get_error(const void *impl) { return ((const bel_serial *)impl)->err; }

static void serial_destroy(void *impl)
{
    bel_serial *s = impl;
    if (s) {
        close_port(&s->port, &s->events);
        free(s);
    }
}

/* The session has ended: the belt is free for the next one while the summary shows. */
static void serial_release(void *impl)
{
    bel_serial *s = impl;
    if (s) {
        close_port(&s->port, &s->events);
    }
}

static const bel_source_ops serial_ops = {serial_read, serial_describe, serial_get_error,
                                          NULL,        serial_destroy,  serial_release};

/* The interval between lines i0..i1-1 from their arrival times. A line can arrive late (a
 * busy machine, several lines to one read) but never before it was sent, so the sender's
 * schedule is a line in (index, time) below every point: the supporting line highest at
 * the mean index, which is the lower convex hull's edge over that index. Its slope is the
 * interval, whatever the delays; the mean over the span when there are only the two ends.
 * 0 when there is nothing to go by. */
static double hull_interval(const double *t, size_t i0, size_t i1)
{
    const size_t n = i1 - i0;
    if (n < 2 || !(t[i1 - 1] > t[i0])) {
        return 0.0;
    }
    /* Lower hull of the points (i, t[i]), i rising (Andrew's monotone chain). */
    size_t hull[PLOTTER_RATE_T_MAX];
    size_t h = 0;
    for (size_t i = i0; i < i1; i++) {
        while (h >= 2) {
            size_t a = hull[h - 2];
            size_t b = hull[h - 1];
            /* b lies on or above the chord a-i: it is not on the lower hull. */
            double cross = (double)(b - a) * (t[i] - t[a]) - (double)(i - a) * (t[b] - t[a]);
            if (cross > 0.0) {
                break;
            }
            h--;
        }
        hull[h++] = i;
    }
    double mid = (double)i0 + 0.5 * (double)(n - 1);
    size_t e = 1;
    while (e + 1 < h && (double)hull[e] < mid) {
        e++;
    }
    double dt = (t[hull[e]] - t[hull[e - 1]]) / (double)(hull[e] - hull[e - 1]);
    if (!(dt > 0.0)) { /* several lines to every read: the mean over the span */
        dt = (t[i1 - 1] - t[i0]) / (double)(n - 1);
    }
    return dt;
}

/* The lines' rate from the arrival times of the first live lines (hull_interval). A
 * sketch whose write blocked for long (a host not reading yet) goes on from there without
 * catching up: its schedule moves by the stall, and no one line lies below both parts. A
 * gap longer than five of the other intervals may be such a stall: each part, on its own
 * schedule, gives the interval (the larger: a part that starts with a backlog caught up
 * at once reads short), from five lines at least. */
static double estimate_rate(const bel_serial *s)
{
    const size_t n = s->n_rate_lines < PLOTTER_RATE_T_MAX ? s->n_rate_lines : PLOTTER_RATE_T_MAX;
    const double *t = s->rate_t_s;
    if (n < 2 || !(t[n - 1] > t[0])) {
        return 0.0;
    }
    size_t g = 0; /* the largest gap: between lines g and g + 1 */
    for (size_t i = 1; i + 1 < n; i++) {
        if (t[i + 1] - t[i] > t[g + 1] - t[g]) {
            g = i;
        }
    }
    const double gap = t[g + 1] - t[g];
    double dt = 0.0;
    if (n >= 3 && gap > 5.0 * (t[n - 1] - t[0] - gap) / (double)(n - 2)) {
        enum { PART_MIN = 5 };
        const double before = g + 1 >= PART_MIN ? hull_interval(t, 0, g + 1) : 0.0;
        const double after = n - g - 1 >= PART_MIN ? hull_interval(t, g + 1, n) : 0.0;
        dt = before > after ? before : after;
    }
    if (!(dt > 0.0)) {
        dt = hull_interval(t, 0, n);
    }
    return dt > 0.0 ? 1.0 / dt : 0.0;
}

/* Serial Plotter lines were heard: make up the info a belt would have sent (names from
 * the first line's labels, the rate given or estimated from the lines' arrival). */
static void become_plotter(bel_serial *s)
{
    s->format = BEL_SERIAL_FORMAT_PLOTTER;
    double fs = s->cfg.plotter_rate_hz;
    s->is_arrival_timed = !(fs > 0.0);
    if (s->is_arrival_timed) {
        fs = estimate_rate(s);
        fs = floor(fs * 10.0 + 0.5) / 10.0; /* 0.1 Hz is all the estimate is good for */
        fs = fs < PLOTTER_RATE_MIN_HZ ? PLOTTER_RATE_MIN_HZ : fs;
        fs = fs > PLOTTER_RATE_MAX_HZ ? PLOTTER_RATE_MAX_HZ : fs;
    }
    s->fs_hz = fs;
    memset(&s->info, 0, sizeof s->info);
    s->info.version = BEL_PROTO_VERSION;
    snprintf(s->info.device, sizeof s->info.device, "Serial Plotter");
    snprintf(s->info.firmware, sizeof s->info.firmware, "-");
    double rounded = floor(fs + 0.5);
    s->info.rate_hz = (uint16_t)(rounded > BEL_PROTO_RATE_MAX_HZ ? BEL_PROTO_RATE_MAX_HZ : rounded);
    s->info.n_channels = s->plotter_first.n_values;
    for (int ch = 0; ch < s->info.n_channels; ch++) {
        bel_plotter_channel_name(&s->plotter_first, ch, s->info.channel[ch].name,
                                 sizeof s->info.channel[ch].name);
        s->info.channel[ch].status = BEL_PROTO_CH_OK;
    }
    s->has_info_now = true;
}

/* Wait up to timeout_ms for an info line on an open port, re-sending "?" every
 * request_every_ms, or for Serial Plotter lines (the same bytes through both parsers).
 * Bytes after the deciding line stay in s->buf for the reads. */
static bel_status await_info(bel_serial *s, int timeout_ms)
{
    double start = mono_s();
    double deadline = start + 1e-3 * timeout_ms;
    bel_proto_msg msg;
    bel_plotter_line line;
    bel_plotter_error_kind line_err;
    send_request(s->port);
    s->mono_request_s = start;
    s->is_backlog = true;
    for (;;) {
        while (s->buf_pos < s->buf_len) {
            uint8_t byte = s->buf[s->buf_pos++];
            bel_proto_result r = bel_proto_parser_push(&s->parser, byte, &msg);
            if (r == BEL_PROTO_INFO) {
                s->info = msg.info;
                s->fs_hz = (double)msg.info.rate_hz;
                s->format = BEL_SERIAL_FORMAT_BELLOWS;
                s->has_info_now = true;
                return BEL_OK;
            }
            if (bel_plotter_parser_push(&s->plotter, byte, &line, &line_err) == BEL_PLOTTER_LINE) {
                double now = mono_s();
                if (s->n_plotter_seen++ == 0) {
                    s->plotter_first = line;
                }
                /* The rate comes from lines arriving live, not from a backlog read at once
                 * (what a pty, socat or a driver held from before the open). */
                if (!s->is_backlog) {
                    if (s->n_rate_lines < PLOTTER_RATE_T_MAX) {
                        s->rate_t_s[s->n_rate_lines] = now;
                    }
                    if (s->n_rate_lines++ == 0) {
                        s->mono_rate_first_s = now;
                    }
                    s->mono_rate_last_s = now;
                }
                bool is_rate_known =
                    s->cfg.plotter_rate_hz > 0.0 ||
                    (s->n_rate_lines >= 2 &&
                     s->mono_rate_last_s - s->mono_rate_first_s >= PLOTTER_RATE_SPAN_S);
                if (s->n_plotter_seen >= PLOTTER_DETECT_LINES && is_rate_known) {
                    become_plotter(s);
                    return BEL_OK;
                }
            }
        }
        double now = mono_s();
        if (now >= deadline || (s->give_up && atomic_load(s->give_up))) {
            if (s->n_plotter_seen >= PLOTTER_MIN_LINES) {
                become_plotter(s);
                return BEL_OK;
            }
            return BEL_ERR_TIMEOUT;
        }
        if (now - s->mono_request_s >= 1e-3 * s->cfg.request_every_ms) {
            send_request(s->port);
            s->mono_request_s = now;
        }
        double left_ms = 1e3 * (deadline - now);
        unsigned wait_ms = (unsigned)(left_ms < 50.0 ? left_ms : 50.0);
        if (sp_wait(s->events, wait_ms < 1 ? 1 : wait_ms) != SP_OK) {
            return BEL_ERR_IO;
        }
        double after_wait = mono_s();
        if (after_wait - now >= PLOTTER_LIVE_WAIT_S ||
            after_wait - start >= PLOTTER_BACKLOG_MAX_S) {
            s->is_backlog = false;
        }
        enum sp_return n = sp_nonblocking_read(s->port, s->buf, sizeof s->buf);
        if (n < 0) {
            return BEL_ERR_IO;
        }
        s->buf_pos = 0;
        s->buf_len = (size_t)n;
    }
}

static bool config_ok(const bel_serial_config *c)
{
    return c->port && c->port[0] != '\0' && strlen(c->port) < BEL_SERIAL_NAME_LEN &&
           c->read_timeout_ms >= 1 && c->read_timeout_ms <= 100 && c->info_timeout_ms >= 1 &&
           c->request_every_ms >= 10 && c->silence_lost_ms >= 10 && c->reconnect_min_ms >= 1 &&
           c->reconnect_max_ms >= c->reconnect_min_ms && c->reconnect_max_ms <= 60000 &&
           (c->plotter_rate_hz == 0.0 || (c->plotter_rate_hz >= PLOTTER_RATE_MIN_HZ &&
                                          c->plotter_rate_hz <= PLOTTER_RATE_MAX_HZ)) &&
           c->speed >= 0.01 && c->speed <= 100.0;
}

static void channel_list(char *buf, size_t len, const bel_proto_info *info)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int ch = 0; ch < info->n_channels && used < len; ch++) {
        int n = snprintf(buf + used, len - used, "%s%s%s", ch ? ", " : "", info->channel[ch].name,
                         info->channel[ch].status == BEL_PROTO_CH_ABSENT ? " (absent)" : "");
        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
}

bel_status bel_serial_source_create(const bel_serial_config *cfg, bel_source **out,
                                    bel_serial **link, char *err, size_t err_len)
{
    char why[BEL_IO_ERR_LEN]; /* all of it goes to err */
    bel_status st = BEL_ERR_ARG;
    if (out) {
        *out = NULL;
    }
    if (link) {
        *link = NULL;
    }
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!cfg || !out || !config_ok(cfg)) {
        if (err && err_len) {
            snprintf(err, err_len, "serial port: bad settings");
        }
        return BEL_ERR_ARG;
    }
    bel_serial *s = calloc(1, sizeof *s);
    if (!s) {
        st = BEL_ERR_NOMEM;
        snprintf(why, sizeof why, "%s: out of memory", cfg->port);
        goto fail;
    }
    s->cfg = *cfg;
    snprintf(s->port_name, sizeof s->port_name, "%s", cfg->port);
    s->cfg.port = s->port_name;
    bel_proto_parser_init(&s->parser);
    bel_plotter_parser_init(&s->plotter);
    st = open_port(s->port_name, &s->port, why, sizeof why);
    if (st != BEL_OK) {
        goto fail;
    }
    if (sp_new_event_set(&s->events) != SP_OK ||
        sp_add_port_events(s->events, s->port, SP_EVENT_RX_READY) != SP_OK) {
        sp_message(why, sizeof why, s->port_name, "cannot wait on the port");
        st = BEL_ERR_IO;
        goto fail;
    }
    /* Bytes from before the open would arrive as one burst and spoil an arrival rate. */
    (void)sp_flush(s->port, SP_BUF_INPUT);
    st = await_info(s, cfg->info_timeout_ms);
    if (st == BEL_ERR_TIMEOUT) {
        bel_proto_stats ps = bel_proto_parser_get_stats(&s->parser);
        snprintf(why, sizeof why,
                 "%s: no info line or plotter lines in %.1f s (%llu lines, %llu rejected): is a "
                 "bellows belt or a sketch printing numbers on this port? (see 'bellows ports')",
                 s->port_name, 1e-3 * cfg->info_timeout_ms, (unsigned long long)ps.lines,
                 (unsigned long long)ps.n_errors);
        goto fail;
    }
    if (st != BEL_OK) {
        sp_message(why, sizeof why, s->port_name, "read failed while waiting for the info line");
        goto fail;
    }
    choose_used(s);
    bel_source_info info;
    memset(&info, 0, sizeof info);
    info.fs_hz = s->fs_hz;
    info.n_channels = s->n_used;
    for (int k = 0; k < info.n_channels; k++) {
        snprintf(info.channel_names[k], sizeof info.channel_names[k], "%s",
                 s->info.channel[s->used[k]].name);
    }
    char channels[160];
    channel_list(channels, sizeof channels, &s->info);
    if (s->format == BEL_SERIAL_FORMAT_PLOTTER) {
        snprintf(s->desc, sizeof s->desc,
                 "sketch on %s (Arduino Serial Plotter lines, %.4g Hz %s, %s)", s->port_name,
                 s->fs_hz, s->is_arrival_timed ? "estimated, timed on arrival" : "from --rate",
                 channels);
    } else {
        snprintf(s->desc, sizeof s->desc, "belt on %s (%s firmware %s, %u Hz, %s)", s->port_name,
                 s->info.device, s->info.firmware, (unsigned)s->info.rate_hz, channels);
    }
    s->stats.is_connected = true;
    s->mono_last_s = mono_s();
    bel_serial *handle = s;
    st = bel_source_create(&serial_ops, s, &info, out); /* owns s from here, even on failure */
    s = NULL;
    if (st != BEL_OK) {
        snprintf(why, sizeof why, "%s: %s", cfg->port, bel_status_str(st));
        goto fail;
    }
    if (link) {
        *link = handle;
    }
    return BEL_OK;
fail:
    serial_destroy(s);
    if (err && err_len) {
        snprintf(err, err_len, "%s", why);
    }
    return st;
}

int bel_serial_take_event(bel_serial *link, bel_event *out)
{
    if (!link || !out || link->n_pending == 0) {
        return 0;
    }
    *out = link->pending[0];
    link->n_pending--;
    memmove(link->pending, link->pending + 1, (size_t)link->n_pending * sizeof link->pending[0]);
    return 1;
}

bel_serial_stats bel_serial_get_stats(const bel_serial *link)
{
    bel_serial_stats st;
    memset(&st, 0, sizeof st);
    if (link) {
        st = link->stats;
        st.proto = bel_proto_parser_get_stats(&link->parser);
    }
    if (link && link->format == BEL_SERIAL_FORMAT_PLOTTER) {
        /* Plotter lines in the protocol's counters, so sessions show them alike. */
        static const bel_proto_error_kind as_proto[BEL_PLOTTER_ERR_COUNT] = {
            BEL_PROTO_ERR_NONE,     BEL_PROTO_ERR_MALFORMED,
            BEL_PROTO_ERR_OVERLONG, BEL_PROTO_ERR_TOO_MANY_CHANNELS,
            BEL_PROTO_ERR_RANGE,    BEL_PROTO_ERR_CHANNEL_COUNT,
        };
        bel_plotter_stats ps = bel_plotter_parser_get_stats(&link->plotter);
        memset(&st.proto, 0, sizeof st.proto);
        st.proto.bytes = ps.bytes;
        st.proto.lines = ps.lines;
        st.proto.lines_ok = ps.lines_ok;
        st.proto.samples = ps.lines_ok;
        st.proto.empty = ps.empty + ps.skipped;
        st.proto.n_errors = ps.n_errors;
        for (int k = 1; k < BEL_PLOTTER_ERR_COUNT; k++) {
            st.proto.errors[as_proto[k]] += ps.errors[k];
        }
    }
    return st;
}

bel_serial_format bel_serial_get_format(const bel_serial *link)
{
    return link ? link->format : BEL_SERIAL_FORMAT_NONE;
}

const bel_proto_info *bel_serial_get_info(const bel_serial *link)
{
    return link ? &link->info : NULL;
}

const char *bel_serial_get_port(const bel_serial *link) { return link ? link->port_name : ""; }

static bel_status probe(const char *port, int timeout_ms, const atomic_bool *give_up,
                        bel_proto_info *info, bel_serial_format *format, bool *unopened, char *err,
                        size_t err_len);

bel_status bel_serial_probe(const char *port, int timeout_ms, bel_proto_info *info,
                            bel_serial_format *format, char *err, size_t err_len)
{
    return probe(port, timeout_ms, NULL, info, format, NULL, err, err_len);
}

static bel_status probe(const char *port, int timeout_ms, const atomic_bool *give_up,
                        bel_proto_info *info, bel_serial_format *format, bool *unopened, char *err,
                        size_t err_len)
{
    char why[SERIAL_WHY_LEN] = "";
    if (info) {
        memset(info, 0, sizeof *info);
    }
    if (format) {
        *format = BEL_SERIAL_FORMAT_NONE;
    }
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!port || !info || timeout_ms < 1 || timeout_ms > 10000 ||
        strlen(port) >= BEL_SERIAL_NAME_LEN) {
        return BEL_ERR_ARG;
    }
    bel_serial *s = calloc(1, sizeof *s);
    if (!s) {
        return BEL_ERR_NOMEM;
    }
    s->cfg = bel_serial_config_default();
    s->give_up = give_up;
    snprintf(s->port_name, sizeof s->port_name, "%s", port);
    bel_proto_parser_init(&s->parser);
    bel_plotter_parser_init(&s->plotter);
    bel_status st = open_port(port, &s->port, why, sizeof why);
    if (unopened) {
        *unopened = st != BEL_OK;
    }
    if (st == BEL_OK) {
        (void)sp_flush(s->port, SP_BUF_INPUT); /* stale bytes are of no interest */
        if (sp_new_event_set(&s->events) != SP_OK ||
            sp_add_port_events(s->events, s->port, SP_EVENT_RX_READY) != SP_OK) {
            sp_message(why, sizeof why, port, "cannot wait on the port");
            st = BEL_ERR_IO;
        } else {
            st = await_info(s, timeout_ms);
            if (st == BEL_OK) {
                *info = s->info;
                if (format) {
                    *format = s->format;
                }
            } else if (st == BEL_ERR_TIMEOUT && give_up && atomic_load(give_up)) {
                snprintf(why, sizeof why, "%s: not waited for (another port is the belt)", port);
            } else if (st == BEL_ERR_TIMEOUT) {
                snprintf(why, sizeof why,
                         "%s: no answer to the info request and no Serial Plotter lines within "
                         "%d ms",
                         port, timeout_ms);
            } else {
                sp_message(why, sizeof why, port, "read failed");
            }
        }
    }
    serial_destroy(s);
    if (err && err_len) {
        snprintf(err, err_len, "%s", why);
    }
    return st;
}

typedef struct probe_job {
    pthread_t thread;
    bool is_started;
    int timeout_ms;
    bel_serial_port_desc *d;
    atomic_bool *found; /* set by the first bellows belt to answer, when only one is wanted */
} probe_job;

static void *probe_thread(void *arg)
{
    probe_job *j = arg;
    bel_serial_port_desc *d = j->d;
    d->is_belt = probe(d->name, j->timeout_ms, j->found, &d->info, &d->format, &d->is_unopened,
                       d->error, sizeof d->error) == BEL_OK;
    if (d->is_belt && d->format == BEL_SERIAL_FORMAT_BELLOWS && j->found) {
        atomic_store(j->found, true);
    }
    return NULL;
}

int bel_serial_list_ports(bel_serial_port_desc *out, int max, int timeout_ms, bool first_belt,
                          char *err, size_t err_len)
{
    struct sp_port **list = NULL;
    if (err && err_len) {
        err[0] = '\0';
    }
    if ((!out && max > 0) || max < 0) {
        return BEL_ERR_ARG;
    }
    if (sp_list_ports(&list) != SP_OK) {
        if (err && err_len) {
            sp_message(err, err_len, "serial ports", "cannot list");
        }
        return BEL_ERR_IO;
    }
    int n = 0;
    for (; list[n] != NULL; n++) {
        if (n >= max) {
            continue;
        }
        bel_serial_port_desc *d = &out[n];
        memset(d, 0, sizeof *d);
        const char *name = sp_get_port_name(list[n]);
        const char *desc = sp_get_port_description(list[n]);
        snprintf(d->name, sizeof d->name, "%s", name ? name : "?");
        snprintf(d->description, sizeof d->description, "%s", desc ? desc : "");
        d->is_usb = sp_get_port_transport(list[n]) == SP_TRANSPORT_USB;
    }
    sp_free_port_list(list);
    /* Every port at once: an Arduino restarts when its port is opened and answers
     * only after its bootloader (1-3 s), so the wait is paid once, not per port. */
    const int n_probe = n < max ? n : max;
    probe_job *jobs = n_probe > 0 ? calloc((size_t)n_probe, sizeof *jobs) : NULL;
    atomic_bool found = false;
    for (int k = 0; k < n_probe; k++) {
        if (jobs) {
            jobs[k].timeout_ms = timeout_ms;
            jobs[k].d = &out[k];
            jobs[k].found = first_belt ? &found : NULL;
            jobs[k].is_started = pthread_create(&jobs[k].thread, NULL, probe_thread, &jobs[k]) == 0;
        }
        if (!jobs || !jobs[k].is_started) { /* no thread to spare: this one in turn */
            probe_job one = {.timeout_ms = timeout_ms, .d = &out[k], .found = NULL};
            (void)probe_thread(&one);
        }
    }
    for (int k = 0; jobs && k < n_probe; k++) {
        if (jobs[k].is_started) {
            (void)pthread_join(jobs[k].thread, NULL);
        }
    }
    free(jobs);
    return n;
}
