/* bench_serial.c - latency of the live path: a line written to a pty until the input thread
 * has published its sample (real libserialport, parser, pipeline, session rings).
 *
 * usage: bench_serial [N_LINES] [RATE_HZ]   (defaults 12000 lines at 1000 Hz)
 * Needs root (a /dev/bellows-* link to the pty) and the test-only ioctl shim,
 * linked in. Prints p50, p99 and max. Goal: p99 <= 2 ms.
 * SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bellows/proto_encode.h"
#include "serial.h"
#include "session.h"

enum { MAX_LINES = 200000 };

/* When a line was written; atomic because the feeder and the main thread both touch it. */
typedef struct stamp {
    _Atomic double t_s;
} stamp;

typedef struct feeder {
    int fd;
    long n_lines;
    int rate_hz;
    stamp *t_write; /* monotonic seconds just before each line's write */
} feeder;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *feed(void *arg)
{
    feeder *f = arg;
    char buf[256];
    /* Wait for the host's "?" then send the info line. */
    for (;;) {
        ssize_t n = read(f->fd, buf, sizeof buf);
        if (n > 0 && memchr(buf, '?', (size_t)n)) {
            break;
        }
    }
    bel_proto_info info;
    memset(&info, 0, sizeof info);
    info.version = BEL_PROTO_VERSION;
    strcpy(info.device, "bellows-belt");
    strcpy(info.firmware, "bench");
    info.rate_hz = (uint16_t)f->rate_hz;
    info.n_channels = 2;
    strcpy(info.channel[0].name, "belly");
    strcpy(info.channel[1].name, "chest");
    int len = bel_proto_encode_info(buf, sizeof buf, &info);
    if (len < 0 || write(f->fd, buf, (size_t)len) != len) {
        return NULL;
    }
    usleep(200000); /* let the host finish its set-up */
    double t0 = mono_s();
    for (long i = 0; i < f->n_lines; i++) {
        double due = t0 + (double)i / f->rate_hz;
        double now = mono_s();
        if (due > now) {
            struct timespec ts = {0, (long)((due - now) * 1e9)};
            nanosleep(&ts, NULL);
        }
        int32_t v[2] = {(int32_t)(500 + 100 * sin(0.002 * (double)i)), 300};
        len = bel_proto_encode_sample(buf, sizeof buf, (uint16_t)i, v, 2);
        atomic_store(&f->t_write[i].t_s, mono_s());
        if (len < 0 || write(f->fd, buf, (size_t)len) != len) {
            return NULL;
        }
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n_lines = argc > 1 ? atol(argv[1]) : 12000;
    int rate_hz = argc > 2 ? atoi(argv[2]) : 1000;
    if (n_lines < 100 || n_lines > MAX_LINES || rate_hz < 5 || rate_hz > 1000) {
        fprintf(stderr, "usage: bench_serial [N_LINES 100..%d] [RATE_HZ 5..1000]\n", MAX_LINES);
        return 2;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        perror("bench_serial: pty");
        return 1;
    }
    char link[64];
    snprintf(link, sizeof link, "/dev/bellows-bench-%ld", (long)getpid());
    if (symlink(ptsname(master), link) != 0) {
        perror("bench_serial: symlink in /dev (needs root)");
        return 1;
    }
    /* Raw slave: no echo, no line editing, as socat's "raw,echo=0". */
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    struct termios tio;
    if (slave >= 0 && tcgetattr(slave, &tio) == 0) {
        tio.c_lflag = 0;
        tio.c_iflag = 0;
        tio.c_oflag = 0;
        tcsetattr(slave, TCSANOW, &tio);
    }
    feeder f = {master, n_lines, rate_hz, calloc((size_t)n_lines, sizeof(stamp))};
    double *lat_ms = calloc((size_t)n_lines, sizeof(double));
    pthread_t th;
    pthread_create(&th, NULL, feed, &f);

    char err[BEL_IO_ERR_LEN];
    bel_source *src = NULL;
    bel_serial *ser = NULL;
    bel_session *session = NULL;
    int rc = 1;
    bel_serial_config sc = bel_serial_config_default();
    sc.port = link;
    if (bel_serial_source_create(&sc, &src, &ser, err, sizeof err) != BEL_OK) {
        fprintf(stderr, "bench_serial: %s\n", err);
        goto done;
    }
    bel_session_config cfg = bel_session_config_default();
    cfg.source = src;
    cfg.link = ser;
    cfg.quiet = true;
    if (bel_session_create(&cfg, &session, err, sizeof err) != BEL_OK ||
        bel_session_start(session) != BEL_OK) {
        fprintf(stderr, "bench_serial: %s\n", err);
        goto done;
    }
    long n_got = 0;
    /* Given up when nothing came for 5 s: a busy machine writes the lines late, and
     * late is measured, not failed. */
    double last_progress = mono_s();
    const double cap = last_progress + 10.0 + (double)n_lines / rate_hz * 4.0;
    while (n_got < n_lines && mono_s() - last_progress < 5.0 && mono_s() < cap) {
        const long n_before = n_got;
        bool is_event = false;
        bel_session_frame fr;
        bel_event ev;
        while (bel_session_poll(session, &is_event, &fr, &ev) == 1) {
            if (is_event) {
                continue;
            }
            long i = lround(fr.sample.t_s * rate_hz);
            if (i >= 0 && i < n_lines) {
                lat_ms[n_got++] = 1e3 * (fr.published_mono_s - atomic_load(&f.t_write[i].t_s));
            }
        }
        if (n_got > n_before) {
            last_progress = mono_s();
        }
        usleep(2000);
    }
    bel_session_stop(session);
    bel_status st = bel_session_finish(session);
    (void)st;
    if (n_got < n_lines) {
        fprintf(stderr, "bench_serial: only %ld of %ld samples published\n", n_got, n_lines);
    }
    if (n_got > 0) {
        qsort(lat_ms, (size_t)n_got, sizeof lat_ms[0], cmp_double);
        printf("bench_serial: %ld lines at %d Hz through a pty: write -> published latency "
               "p50 %.3f ms, p99 %.3f ms, max %.3f ms (goal p99 <= 2 ms)\n",
               n_got, rate_hz, lat_ms[n_got / 2], lat_ms[(size_t)((double)n_got * 0.99)],
               lat_ms[n_got - 1]);
        rc = n_got == n_lines ? 0 : 1;
    }
done:
    bel_session_destroy(session);
    bel_source_destroy(src);
    pthread_cancel(th);
    pthread_join(th, NULL);
    unlink(link);
    free(lat_ms);
    free(f.t_write);
    return rc;
}
