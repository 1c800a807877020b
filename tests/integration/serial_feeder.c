/* serial_feeder.c - TEST ONLY: plays a recording into a pty as a belt would (hardware/PROTOCOL.md).
 *
 * usage: serial_feeder DEVICE REC.csv [--speed X] [--start ROW] [--corrupt EVERY]
 *                      [--wait-request 0|1] [--plotter plain|labels] [--stall-ms MS]
 * Waits for the host's "?" (unless --wait-request 0), sends the info line
 * (belt "bellows-belt", firmware "test-1", the recording's rate and channel
 * names), then one sample line per row from ROW on, seq from 0, paced at X
 * times real time. Answers later "?" with the info line. --corrupt N damages
 * every Nth line in the first 80 % of the rows, cycling through: a garbage
 * line inserted (no sample lost), a flipped byte (one sample lost, bad
 * checksum), a line cut short without its end (it and the next lost, one
 * rejected line). On exit prints "injected: G garbage F flipped T truncated
 * SENT samples" on stderr. Exits 3 when the pty goes away (socat killed).
 *
 * --plotter: be a plain Arduino sketch instead: no info line, no answer to "?",
 * each row as an Arduino Serial Plotter line, "512\t300\r\n" (plain) or
 * "belly:512,chest:300\r\n" (labels, the recording's channel names), after a
 * "Starting..." line; --corrupt N then puts a line of text before every Nth
 * row (no sample lost).
 *
 * --stall-ms MS (with --plotter): 8 lines after the host's first "?", the sketch
 * stops for MS ms (a write blocked: a host not reading yet) and goes on from
 * there on its own schedule, without catching up.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bellows/proto_encode.h"
#include "recording.h"

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                struct pollfd p = {fd, POLLOUT, 0};
                (void)poll(&p, 1, 100);
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Count "?" lines that arrived (non-blocking). -1 when the pty went away. */
static int take_requests(int fd)
{
    char buf[256];
    int n_req = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            return errno == EAGAIN ? n_req : -1;
        }
        if (n == 0) {
            return n_req;
        }
        for (ssize_t i = 0; i < n; i++) {
            n_req += buf[i] == '?';
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: serial_feeder DEVICE REC.csv [--speed X] [--start ROW] "
                        "[--corrupt EVERY] [--wait-request 0|1]\n");
        return 2;
    }
    double speed = 1.0;
    long start_row = 0;
    long corrupt_every = 0;
    int wait_request = 1;
    const char *plotter = NULL;
    long stall_ms = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--speed") == 0) {
            speed = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--start") == 0) {
            start_row = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--corrupt") == 0) {
            corrupt_every = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--wait-request") == 0) {
            wait_request = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--plotter") == 0) {
            plotter = argv[i + 1];
            wait_request = 0;
        } else if (strcmp(argv[i], "--stall-ms") == 0) {
            stall_ms = atol(argv[i + 1]);
        }
    }
    char err[BEL_IO_ERR_LEN];
    bel_recording_reader *rec = NULL;
    if (bel_recording_reader_create(argv[2], &rec, err, sizeof err) != BEL_OK) {
        fprintf(stderr, "serial_feeder: %s\n", err);
        return 2;
    }
    /* Rows, to know the 80 % mark. */
    bel_sample s;
    long n_rows = 0;
    while (bel_recording_reader_read(rec, &s) == 1) {
        n_rows++;
    }
    bel_recording_reader_destroy(rec);
    if (bel_recording_reader_create(argv[2], &rec, err, sizeof err) != BEL_OK) {
        return 2;
    }
    bel_proto_info info;
    memset(&info, 0, sizeof info);
    info.version = BEL_PROTO_VERSION;
    snprintf(info.device, sizeof info.device, "bellows-belt");
    snprintf(info.firmware, sizeof info.firmware, "test-1");
    double fs = bel_recording_reader_get_fs_hz(rec);
    info.rate_hz = (uint16_t)lround(fs);
    info.n_channels = (uint8_t)bel_recording_reader_get_channel_count(rec);
    for (int ch = 0; ch < info.n_channels; ch++) {
        snprintf(info.channel[ch].name, sizeof info.channel[ch].name, "%s",
                 bel_recording_reader_get_channel_name(rec, ch));
        info.channel[ch].status = BEL_PROTO_CH_OK;
    }
    char info_line[BEL_PROTO_BUF_SIZE];
    int info_len = bel_proto_encode_info(info_line, sizeof info_line, &info);
    if (info_len < 0) {
        fprintf(stderr, "serial_feeder: cannot encode the info line\n");
        return 2;
    }

    int fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "serial_feeder: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    if (wait_request) {
        double until = mono_s() + 20.0;
        int got = 0;
        while (got == 0 && mono_s() < until) {
            struct pollfd p = {fd, POLLIN, 0};
            (void)poll(&p, 1, 50);
            got = take_requests(fd);
            if (got < 0) {
                return 3;
            }
        }
        if (got == 0) {
            fprintf(stderr, "serial_feeder: no request from the host\n");
            return 2;
        }
    }
    static const char starting[] = "Starting...\r\n";
    if (plotter ? write_all(fd, starting, sizeof starting - 1) != 0
                : write_all(fd, info_line, (size_t)info_len) != 0) {
        return 3;
    }
    long n_garbage = 0;
    long n_flipped = 0;
    long n_truncated = 0;
    long n_sent = 0;
    long n_sent_at_request = -1; /* lines sent when the host's first "?" came */
    long row = 0;
    uint16_t seq = 0;
    double t0 = mono_s();
    int rc = 0;
    while (bel_recording_reader_read(rec, &s) == 1) {
        if (row++ < start_row) {
            continue;
        }
        double due = t0 + (double)n_sent / (fs * speed);
        double now = mono_s();
        if (plotter && due < now - 0.5) {
            /* A sketch's loop keeps its schedule (this process may be late on a busy
             * machine: the lines then go out together), but after a write blocked for
             * long it just goes on. */
            t0 += now - due;
            due = now;
        }
        if (due > now) {
            struct timespec ts = {(time_t)(due - now),
                                  (long)((due - now - floor(due - now)) * 1e9)};
            nanosleep(&ts, NULL);
        }
        int n_req = take_requests(fd);
        if (n_req < 0) {
            rc = 3;
            break;
        }
        if (n_req > 0 && !plotter && write_all(fd, info_line, (size_t)info_len) != 0) {
            rc = 3;
            break;
        }
        if (n_req > 0 && n_sent_at_request < 0) {
            n_sent_at_request = n_sent;
        }
        if (plotter && stall_ms > 0 && n_sent_at_request >= 0 && n_sent == n_sent_at_request + 8) {
            struct timespec ts = {stall_ms / 1000, (stall_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        int32_t values[BEL_PROTO_MAX_CHANNELS];
        for (int ch = 0; ch < s.n_channels; ch++) {
            values[ch] = (int32_t)lroundf(s.value[ch]);
        }
        char line[BEL_PROTO_BUF_SIZE + 64];
        int len = 0;
        if (plotter) {
            bool is_labelled = strcmp(plotter, "labels") == 0;
            for (int ch = 0; ch < s.n_channels; ch++) {
                len += snprintf(line + len, sizeof line - (size_t)len, "%s%s%s%ld",
                                ch == 0 ? "" : (is_labelled ? "," : "\t"),
                                is_labelled ? bel_recording_reader_get_channel_name(rec, ch) : "",
                                is_labelled ? ":" : "", (long)values[ch]);
            }
            len += snprintf(line + len, sizeof line - (size_t)len, "\r\n");
            if (corrupt_every > 0 && n_sent > 0 && n_sent % corrupt_every == 0) {
                static const char text[] = "sensor ok, reading...\r\n";
                if (write_all(fd, text, sizeof text - 1) != 0) {
                    rc = 3;
                    break;
                }
                n_garbage++;
            }
        } else {
            len = bel_proto_encode_sample(line, BEL_PROTO_BUF_SIZE, seq++, values, s.n_channels);
        }
        if (len < 0) {
            rc = 2;
            break;
        }
        if (!plotter && corrupt_every > 0 && n_sent > 0 && n_sent % corrupt_every == 0 &&
            row < n_rows * 8 / 10) {
            switch ((n_sent / corrupt_every) % 3) {
            case 0: {
                static const char garbage[] = "\x01\xff#garbage*ZZ\r\n";
                if (write_all(fd, garbage, sizeof garbage - 1) != 0) {
                    rc = 3;
                }
                n_garbage++;
                break;
            }
            case 1:
                line[2] = line[2] == '9' ? '8' : '9'; /* a digit of seq: the CRC no longer fits */
                n_flipped++;
                break;
            default:
                len = len / 2; /* no "\n": glued to the next line, both lost */
                n_truncated++;
                break;
            }
            if (rc != 0) {
                break;
            }
        }
        if (write_all(fd, line, (size_t)len) != 0) {
            rc = 3;
            break;
        }
        n_sent++;
    }
    fprintf(stderr, "injected: %ld garbage %ld flipped %ld truncated %ld samples\n", n_garbage,
            n_flipped, n_truncated, n_sent);
    bel_recording_reader_destroy(rec);
    close(fd);
    return rc;
}
