/* firmware_sim_test.c - the real belt firmware under the simavr harness, read like a board.
 *
 * Usage: firmware_sim_test HARNESS FIRMWARE.elf RECORDING.csv
 * Starts bellows-belt-sim on a recording, opens its pseudo-terminal, parses
 * what comes out with the host's protocol parser, and checks what a user of
 * the belt relies on: info line first, 50 Hz without gaps, values that follow
 * the input, the "?" request answered, missing sensors reported absent.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bellows/protocol.h"

extern char **environ;

static const char *harness_path;
static const char *elf_path;
static const char *recording_path;

enum { MAX_MSGS = 1024, RATE_HZ = 50 };

/* What came out of the pty, in order. */
typedef struct capture {
    bel_proto_msg msg[MAX_MSGS];
    size_t n;
    size_t n_errors;
    long request_after_seq; /* last sample seq seen when "?" was sent; -1 if not sent */
    size_t request_index;   /* index in msg at that moment */
} capture;

static capture cap;

/* A recording CSV in a temp file; columns as given by `row`. */
typedef double (*wave_fn)(int ch, double t);

static void write_csv(char *path, size_t path_cap, int n_cols, double seconds, wave_fn wave)
{
    snprintf(path, path_cap, "/tmp/bellows-fwsim-XXXXXX.csv");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, n_cols == 2 ? "t,belly,chest\n" : "t,belly\n");
    for (int i = 0; i <= (int)(seconds * 100.0); i++) {
        double t = i * 0.01;
        if (n_cols == 2) {
            fprintf(f, "%.2f,%.3f,%.3f\n", t, wave(0, t), wave(1, t));
        } else {
            fprintf(f, "%.2f,%.3f\n", t, wave(0, t));
        }
    }
    assert_int_equal(fclose(f), 0);
}

static double sine_wave(int ch, double t)
{
    const double pi = 3.14159265358979;
    return ch == 0 ? 512.0 + 300.0 * sin(2.0 * pi * 0.25 * t)
                   : 400.0 + 100.0 * sin(2.0 * pi * 0.25 * t + 1.0);
}

static double rail_chest_wave(int ch, double t)
{
    return ch == 0 ? sine_wave(0, t) : 0.0; /* chest cord unplugged: pin at 0 V */
}

static double unplug_wave(int ch, double t)
{
    return (ch == 0 && t >= 1.0) ? 1023.0 : sine_wave(ch, t); /* belly pulled to 5 V at 1 s */
}

/* Run the harness with `args` (NULL-terminated, before ELF and CSV) and
 * capture everything; send "?\n" once a sample with seq >= request_at_seq
 * arrived (if request_at_seq >= 0). */
static void run_sim(const char *csv, const char *const *args, long request_at_seq)
{
    memset(&cap, 0, sizeof cap);
    cap.request_after_seq = -1;
    int out[2];
    assert_int_equal(pipe(out), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const char *argv[16];
    int argc = 0;
    argv[argc++] = harness_path;
    for (int i = 0; args[i] != NULL && argc < 12; i++) {
        argv[argc++] = args[i];
    }
    argv[argc++] = elf_path;
    argv[argc++] = csv;
    argv[argc] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, harness_path, &fa, NULL, (char *const *)(uintptr_t)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    assert_int_equal(rc, 0);

    /* First stdout line: the pty path. */
    char path[256];
    size_t len = 0;
    while (len + 1 < sizeof path) {
        char c;
        ssize_t n = read(out[0], &c, 1);
        if (n <= 0 || c == '\n') {
            break;
        }
        path[len++] = c;
    }
    path[len] = '\0';
    close(out[0]);
    assert_true(len > 0);
    int tty = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(tty >= 0);

    bel_proto_parser parser;
    bel_proto_parser_init(&parser);
    bool is_running = true;
    long last_seq = -1;
    for (;;) {
        struct pollfd pfd = {tty, POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        uint8_t buf[512];
        ssize_t n = pr > 0 ? read(tty, buf, sizeof buf) : 0;
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            break; /* EIO: the harness closed its side */
        }
        for (ssize_t i = 0; i < n; i++) {
            bel_proto_msg m;
            bel_proto_result r = bel_proto_parser_push(&parser, buf[i], &m);
            if (r == BEL_PROTO_ERROR) {
                cap.n_errors++;
            } else if (r != BEL_PROTO_NONE && cap.n < MAX_MSGS) {
                cap.msg[cap.n++] = m;
                if (r == BEL_PROTO_SAMPLE) {
                    last_seq = m.sample.seq;
                }
            }
        }
        if (request_at_seq >= 0 && cap.request_after_seq < 0 && last_seq >= request_at_seq) {
            cap.request_after_seq = last_seq;
            cap.request_index = cap.n;
            assert_int_equal(write(tty, "?\n", 2), 2);
        }
        if (is_running) {
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                is_running = false;
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
            }
        } else if (n <= 0) {
            break;
        }
    }
    close(tty);
    if (is_running) {
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

static const bel_proto_info *first_info(void)
{
    assert_true(cap.n > 0);
    assert_int_equal(cap.msg[0].kind, BEL_PROTO_INFO);
    return &cap.msg[0].info;
}

static size_t count_samples(void)
{
    size_t n = 0;
    for (size_t i = 0; i < cap.n; i++) {
        n += cap.msg[i].kind == BEL_PROTO_SAMPLE;
    }
    return n;
}

/* Linear interpolation in a "t,belly[,chest]" CSV, as the harness does. */
typedef struct table {
    double t[4096];
    double v[2][4096];
    size_t n;
} table;

static table tab;

static void load_table(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    tab.n = 0;
    while (tab.n < 4096 && fgets(line, sizeof line, f) != NULL) {
        double t = 0;
        double a = 0;
        double b = 0;
        if (sscanf(line, "%lf,%lf,%lf", &t, &a, &b) >= 2) {
            tab.t[tab.n] = t;
            tab.v[0][tab.n] = a;
            tab.v[1][tab.n] = b;
            tab.n++;
        }
    }
    fclose(f);
    assert_true(tab.n > 10);
}

static double table_at(int ch, double t)
{
    size_t i = 0;
    while (i + 2 < tab.n && tab.t[i + 1] <= t) {
        i++;
    }
    double a = (t - tab.t[i]) / (tab.t[i + 1] - tab.t[i]);
    return tab.v[ch][i] + a * (tab.v[ch][i + 1] - tab.v[ch][i]);
}

/* Values (12-bit: counts * 4) against the input at each sample's time: the
 * first Timer1 period ends at 20 ms, and the chest is read about 2 ms after
 * the belly. Returns the largest error in 10-bit counts and the correlation. */
static void compare_values(int ch, double *max_err, double *mean_err, double *corr)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, err = 0, sum_err = 0;
    int n = 0;
    for (size_t i = 0; i < cap.n; i++) {
        if (cap.msg[i].kind != BEL_PROTO_SAMPLE) {
            continue;
        }
        double t = (cap.msg[i].sample.seq + 1.0) / RATE_HZ + (ch == 0 ? 0.0010 : 0.0029);
        double x = table_at(ch, t);
        double y = cap.msg[i].sample.value[ch] / 4.0;
        err = fmax(err, fabs(x - y));
        sum_err += fabs(x - y);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        n++;
    }
    assert_true(n > 10);
    double cov = sxy - sx * sy / n;
    *corr = cov / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
    *max_err = err;
    *mean_err = sum_err / n;
}

static void test_firmware_sim_streams_info_then_50hz(void **state)
{
    (void)state;
    char csv[64];
    write_csv(csv, sizeof csv, 2, 5.0, sine_wave);
    const char *args[] = {"--speed", "10", "--duration", "3", NULL};
    run_sim(csv, args, -1);
    const bel_proto_info *info = first_info();
    assert_string_equal(info->device, "bellows-belt");
    assert_int_equal(info->rate_hz, RATE_HZ);
    assert_int_equal(info->n_channels, 2);
    assert_string_equal(info->channel[0].name, "belly");
    assert_int_equal(info->channel[0].status, BEL_PROTO_CH_OK);
    assert_string_equal(info->channel[1].name, "chest");
    assert_int_equal(info->channel[1].status, BEL_PROTO_CH_OK);
    assert_int_equal(cap.n_errors, 0);
    /* 3 simulated seconds at 50 Hz: 150 periods, the first ending at 20 ms. The
     * harness closes its side of the pty when the 3 s are over, and what this end
     * had not read by then is gone: on a loaded machine (CI, ASan) that is a few
     * samples at the end (146 seen). Every sample that came is in order, none
     * missing between (below). */
    size_t n = count_samples();
    assert_in_range(n, 140, 150);
    for (size_t i = 1; i < cap.n; i++) {
        assert_int_equal(cap.msg[i].kind, BEL_PROTO_SAMPLE);
        assert_int_equal(cap.msg[i].sample.seq, i - 1);
        assert_int_equal(cap.msg[i].sample.n_missed, 0);
    }
    /* Values follow the waveform closer than one 10-bit step: the harness
     * dithers like sensor noise, and 16 readings per value average it out.
     * A single 10-bit reading would be off by 0.5 counts on average. */
    load_table(csv);
    for (int ch = 0; ch < 2; ch++) {
        double err = 0;
        double mean_err = 0;
        double corr = 0;
        compare_values(ch, &err, &mean_err, &corr);
        assert_true(err < 0.8);
        assert_true(mean_err < 0.25);
        assert_true(corr > 0.9999);
    }
    unlink(csv);
}

/* A recording made by `bellows simulate` goes in, the same breathing comes out. */
static void test_firmware_sim_follows_a_recording(void **state)
{
    (void)state;
    const char *args[] = {"--speed", "10", "--duration", "3", NULL};
    run_sim(recording_path, args, -1);
    assert_int_equal(first_info()->n_channels, 2);
    assert_int_equal(cap.n_errors, 0);
    assert_in_range(count_samples(), 147, 150);
    load_table(recording_path);
    for (int ch = 0; ch < 2; ch++) {
        double err = 0;
        double mean_err = 0;
        double corr = 0;
        compare_values(ch, &err, &mean_err, &corr);
        assert_true(err < 1.0);
        assert_true(corr > 0.999);
    }
}

static void test_firmware_sim_answers_info_request(void **state)
{
    (void)state;
    char csv[64];
    write_csv(csv, sizeof csv, 2, 3.0, sine_wave);
    const char *args[] = {"--speed", "4", "--duration", "2", NULL};
    run_sim(csv, args, 20);
    assert_true(cap.request_after_seq >= 20);
    size_t n_infos = 0;
    long seq_before_answer = -1;
    long prev = -1;
    for (size_t i = 0; i < cap.n; i++) {
        const bel_proto_msg *m = &cap.msg[i];
        if (m->kind == BEL_PROTO_INFO) {
            n_infos++;
            if (i > 0) {
                seq_before_answer = prev;
                assert_int_equal(m->info.n_channels, 2);
            }
        } else if (m->kind == BEL_PROTO_SAMPLE) {
            /* Sampling goes on: no sample is skipped for the info line. */
            if (prev >= 0) {
                assert_int_equal(m->sample.seq, prev + 1);
            }
            prev = m->sample.seq;
        }
    }
    assert_int_equal(n_infos, 2);
    /* Answered within 100 ms (5 periods) of the request reaching the belt;
     * the reader here sees samples a little late, hence one period more. */
    assert_true(seq_before_answer >= cap.request_after_seq);
    assert_true(seq_before_answer <= cap.request_after_seq + 6);
    unlink(csv);
}

static void test_firmware_sim_reports_absent_sensors(void **state)
{
    (void)state;
    char csv[64];
    /* Chest column missing: the chest pin floats. */
    write_csv(csv, sizeof csv, 1, 2.0, sine_wave);
    const char *args[] = {"--speed", "10", "--duration", "1", NULL};
    run_sim(csv, args, -1);
    const bel_proto_info *info = first_info();
    assert_int_equal(info->channel[0].status, BEL_PROTO_CH_OK);
    assert_int_equal(info->channel[1].status, BEL_PROTO_CH_ABSENT);
    assert_true(count_samples() > 40);
    for (size_t i = 1; i < cap.n; i++) {
        assert_int_equal(cap.msg[i].kind, BEL_PROTO_SAMPLE); /* no status flapping */
        assert_int_equal(cap.msg[i].sample.n_values, 2);     /* the column stays */
        assert_int_equal(cap.msg[i].sample.value[1], 0);
        assert_true(cap.msg[i].sample.value[0] > 0);
    }
    unlink(csv);

    /* Chest at 0 V (railed), belly floating by request. */
    write_csv(csv, sizeof csv, 2, 2.0, rail_chest_wave);
    const char *args2[] = {"--speed", "10", "--duration", "1", "--float", "0", NULL};
    run_sim(csv, args2, -1);
    info = first_info();
    assert_int_equal(info->channel[0].status, BEL_PROTO_CH_ABSENT);
    assert_int_equal(info->channel[1].status, BEL_PROTO_CH_ABSENT);
    unlink(csv);
}

/* Unplugging a sensor mid-session: a new info line says so after 0.5 s. */
static void test_firmware_sim_reports_unplugged_sensor(void **state)
{
    (void)state;
    char csv[64];
    write_csv(csv, sizeof csv, 2, 3.0, unplug_wave);
    const char *args[] = {"--speed", "10", "--duration", "2.5", NULL};
    run_sim(csv, args, -1);
    assert_int_equal(first_info()->channel[0].status, BEL_PROTO_CH_OK);
    long prev = -1;
    long seq_at_change = -1;
    for (size_t i = 1; i < cap.n; i++) {
        const bel_proto_msg *m = &cap.msg[i];
        if (m->kind == BEL_PROTO_INFO) {
            assert_int_equal(seq_at_change, -1); /* reported once */
            assert_int_equal(m->info.channel[0].status, BEL_PROTO_CH_ABSENT);
            assert_int_equal(m->info.channel[1].status, BEL_PROTO_CH_OK);
            seq_at_change = prev + 1;
        } else if (seq_at_change >= 0) {
            assert_int_equal(m->sample.value[0], 0);
            assert_true(m->sample.value[1] > 0);
        } else {
            prev = m->sample.seq;
        }
    }
    /* Unplugged at 1.0 s (the period of seq 49 ends at 1.0 s): 26 railed
     * periods later it is absent. */
    assert_in_range(seq_at_change, 49 + 24, 49 + 28);
    unlink(csv);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HARNESS FIRMWARE.elf RECORDING.csv\n", argv[0]);
        return 2;
    }
    harness_path = argv[1];
    elf_path = argv[2];
    recording_path = argv[3];
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firmware_sim_streams_info_then_50hz),
        cmocka_unit_test(test_firmware_sim_follows_a_recording),
        cmocka_unit_test(test_firmware_sim_answers_info_request),
        cmocka_unit_test(test_firmware_sim_reports_absent_sensors),
        cmocka_unit_test(test_firmware_sim_reports_unplugged_sensor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
