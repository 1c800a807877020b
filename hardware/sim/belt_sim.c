/* belt_sim.c - runs the real belt firmware ELF under simavr, like a board on a serial port.
 *
 * The ADC inputs A0 (belly) and A1 (chest) follow a recording CSV
 * (t,belly[,chest] in 10-bit ADC counts, linearly interpolated at the
 * simulated time); the UART is a pseudo-terminal whose path is printed on
 * stdout, so `bellows` opens it like a board. Paced to real time unless
 * --fast. A channel missing from the CSV, or named by --float, floats: it
 * reads what the ADC's sample-and-hold last held, and 5 V while the firmware
 * has the pin's pull-up on (which is how the firmware tells it is floating).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <avr_adc.h>
#include <avr_ioport.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>

enum {
    N_CH = 2, /* A0 belly, A1 chest */
    VREF_MV = 5000,
    STEP_INSNS = 2000, /* avr_run calls between host checks */
    TX_BUF = 8192,
    RX_BUF = 256,
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct recording {
    double *t;
    double *v[N_CH];
    size_t n;
    int n_cols; /* value columns present: 1 or 2 */
} recording;

typedef struct harness {
    avr_t *avr;
    recording rec;
    bool is_floating[N_CH];
    bool is_once;     /* stop at the end of the recording */
    bool is_dithered; /* add 0..1 count of noise before quantising */
    bool is_held;     /* step from row to row (zero-order hold) instead of interpolating */
    bool is_aligned;  /* the first ADC conversion reads the recording's first row */
    bool has_t_first; /* t_first_s is known */
    double t_first_s; /* simulated time of the first ADC conversion */
    uint32_t random;  /* dither generator state */
    size_t cursor;    /* interpolation index, moves forward */
    uint32_t last_mv; /* what the sample-and-hold capacitor held last */
    avr_irq_t *adc_in[N_CH];
    int master_fd;
    uint8_t tx[TX_BUF]; /* UART output waiting for the pty */
    size_t tx_len;
    uint64_t tx_dropped;
    FILE *line_log; /* --line-log: when each line went into the pty */
    char line[128]; /* the line being written, for the log */
    size_t line_len;
    uint8_t rx[RX_BUF]; /* pty input waiting for the UART */
    size_t rx_len;
    size_t rx_pos;
    avr_irq_t *uart_in;
    uint64_t next_rx_cycle;
    uint64_t cycles_per_byte;
    bool is_past_end;
} harness;

static void usage(FILE *f)
{
    fprintf(f, "usage: bellows-belt-sim [options] FIRMWARE.elf RECORDING.csv\n"
               "Runs the bellows belt firmware under simavr. Its UART is a pseudo-terminal\n"
               "(path printed on stdout); A0/A1 follow RECORDING.csv (t,belly[,chest] in\n"
               "10-bit ADC counts).\n"
               "  --fast          run as fast as possible instead of real time\n"
               "  --speed X       run at X times real time (default 1)\n"
               "  --duration S    stop after S simulated seconds\n"
               "  --once          stop at the end of the recording (default: loop it)\n"
               "  --float CH      let channel CH (0 belly, 1 chest) float, as if unwired\n"
               "  --no-dither     feed exact counts (default: add 0..1 count of noise, as a\n"
               "                  real sensor does, so oversampling gains resolution)\n"
               "  --hold          hold each row's value until the next row (default: linear);\n"
               "                  with --no-dither a firmware at the recording's rate then\n"
               "                  reads exactly its rows\n"
               "  --wait-host     power the board up only when the host first writes (it sends\n"
               "                  '?' on opening), and start the recording at the first\n"
               "                  sample: the host then receives every row from the first\n"
               "  --boot-ms MS    with --wait-host: like an Uno's bootloader after the reset\n"
               "                  that opening the port causes, eat what the host sends for\n"
               "                  MS real milliseconds before the firmware starts\n"
               "  --link PATH     also make the symlink PATH (must start with /dev/) to the pty\n"
               "  --line-log FILE write the CLOCK_MONOTONIC time each line went into the pty\n"
               "                  and the line to FILE (latency benchmarks)\n"
               "  --help          this text\n");
}

/* ---- recording -------------------------------------------------------- */

static void free_recording(recording *r)
{
    free(r->t);
    for (int c = 0; c < N_CH; c++) {
        free(r->v[c]);
    }
    memset(r, 0, sizeof *r);
}

static bool grow(recording *r, size_t *cap)
{
    size_t new_cap = *cap ? *cap * 2 : 1024;
    double *t = realloc(r->t, new_cap * sizeof *t);
    if (t == NULL) {
        return false;
    }
    r->t = t;
    for (int c = 0; c < r->n_cols; c++) {
        double *v = realloc(r->v[c], new_cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        r->v[c] = v;
    }
    *cap = new_cap;
    return true;
}

/* Reads "t,belly[,chest]" rows; returns false after printing FILE:LINE: why. */
static bool read_recording(const char *path, recording *r)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "belt-sim: %s: cannot open: %s\n", path, strerror(errno));
        return false;
    }
    char line[512];
    size_t cap = 0;
    long line_no = 0;
    bool ok = false;
    if (fgets(line, sizeof line, f) == NULL) {
        fprintf(stderr, "belt-sim: %s:1: empty file, expected a header t,belly[,chest]\n", path);
        goto done;
    }
    line_no = 1;
    if (strncmp(line, "t,", 2) != 0) {
        fprintf(stderr, "belt-sim: %s:1: header must start with \"t,\" (t,belly[,chest])\n", path);
        goto done;
    }
    r->n_cols = 1;
    for (const char *p = line + 2; *p != '\0'; p++) {
        if (*p == ',') {
            r->n_cols++;
        }
    }
    if (r->n_cols > N_CH) {
        r->n_cols = N_CH; /* further columns are ignored */
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line_no++;
        if (line[0] == '\n' || line[0] == '\0') {
            continue;
        }
        if (r->n == cap && !grow(r, &cap)) {
            fprintf(stderr, "belt-sim: %s:%ld: out of memory\n", path, line_no);
            goto done;
        }
        char *p = line;
        char *end = NULL;
        double t = strtod(p, &end);
        bool row_ok = end != p && isfinite(t) && (r->n == 0 || t > r->t[r->n - 1]);
        for (int c = 0; row_ok && c < r->n_cols; c++) {
            p = end;
            if (*p != ',') {
                row_ok = false;
                break;
            }
            p++;
            double v = strtod(p, &end);
            row_ok = end != p && isfinite(v);
            r->v[c][r->n] = v;
        }
        if (!row_ok) {
            fprintf(stderr, "belt-sim: %s:%ld: expected %d numbers (t rising, then ADC counts)\n",
                    path, line_no, r->n_cols + 1);
            goto done;
        }
        r->t[r->n] = t;
        r->n++;
    }
    if (r->n < 1) {
        fprintf(stderr, "belt-sim: %s:%ld: no data rows\n", path, line_no);
        goto done;
    }
    ok = true;
done:
    fclose(f);
    if (!ok) {
        free_recording(r);
    }
    return ok;
}

/* Value of column c at time t_s, linear between rows (or held from the last row). */
static double recording_at(harness *h, int c, double t_s)
{
    const recording *r = &h->rec;
    double span = r->t[r->n - 1] - r->t[0];
    double t = t_s + r->t[0];
    if (t > r->t[r->n - 1]) {
        h->is_past_end = true;
        if (h->is_once || span <= 0.0) {
            return r->v[c][r->n - 1];
        }
        t = r->t[0] + fmod(t_s, span);
    }
    if (h->cursor >= r->n || r->t[h->cursor] > t) {
        h->cursor = 0; /* looped */
    }
    while (h->cursor + 1 < r->n && r->t[h->cursor + 1] <= t) {
        h->cursor++;
    }
    size_t i = h->cursor;
    if (i + 1 >= r->n || h->is_held) {
        return r->v[c][i];
    }
    double a = (t - r->t[i]) / (r->t[i + 1] - r->t[i]);
    return r->v[c][i] + a * (r->v[c][i + 1] - r->v[c][i]);
}

/* Next value of a xorshift32 generator: the dither is the same every run. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* 10-bit counts to the millivolts that simavr converts back to that count.
 * simavr computes floor(mv * 1023 / vref), so the middle of count n's band
 * is (n + 0.5) * vref / 1023. With dither, a uniform 0..1 count is added
 * before the count is taken, as sensor noise does on a board: the mean of
 * many readings is then the input itself, which is what oversampling needs. */
static uint32_t counts_to_mv(harness *h, double counts)
{
    if (h->is_dithered) {
        counts += (double)(next_random(&h->random) >> 8) / 16777216.0;
    }
    counts = floor(counts);
    if (counts < 0.0) {
        counts = 0.0;
    }
    if (counts > 1023.0) {
        counts = 1023.0;
    }
    return (uint32_t)lround((counts + 0.5) * VREF_MV / 1023.0);
}

/* ---- simavr callbacks ------------------------------------------------- */

static void on_adc_trigger(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    harness *h = param;
    union {
        avr_adc_mux_t mux;
        uint32_t v;
    } e = {.v = value};
    if (e.mux.kind != ADC_MUX_SINGLE || e.mux.src >= N_CH) {
        return;
    }
    int c = (int)e.mux.src;
    double t_s = (double)h->avr->cycle / (double)h->avr->frequency;
    if (h->is_aligned) {
        if (!h->has_t_first) {
            h->has_t_first = true;
            h->t_first_s = t_s;
        }
        t_s -= h->t_first_s;
    }
    uint32_t mv;
    if (h->is_floating[c] || c >= h->rec.n_cols) {
        avr_ioport_state_t st;
        bool pulled_up = false;
        if (avr_ioctl(h->avr, AVR_IOCTL_IOPORT_GETSTATE('C'), &st) == 0) {
            pulled_up = ((st.port >> c) & 1U) && !((st.ddr >> c) & 1U);
        }
        mv = pulled_up ? VREF_MV : h->last_mv;
    } else {
        mv = counts_to_mv(h, recording_at(h, c, t_s));
    }
    h->last_mv = mv;
    avr_raise_irq(h->adc_in[c], mv);
}

static void on_uart_out(avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    harness *h = param;
    if (h->tx_len < TX_BUF) {
        h->tx[h->tx_len++] = (uint8_t)value;
    } else {
        h->tx_dropped++;
    }
}

/* Our own sleep callback: simavr's default usleep()s, we pace ourselves. */
static void on_sleep(avr_t *avr, avr_cycle_count_t how_long)
{
    (void)avr;
    (void)how_long;
}

/* simavr's messages go to stderr, errors only: stdout carries the pty path. */
static void on_log(avr_t *avr, const int level, const char *format, va_list ap)
{
    (void)avr;
    if (level <= LOG_ERROR) {
        fputs("belt-sim: simavr: ", stderr);
        vfprintf(stderr, format, ap);
    }
}

static void free_firmware(elf_firmware_t *fw)
{
    free(fw->flash);
    free(fw->eeprom);
    free(fw->fuse);
    free(fw->lockbits);
    for (uint32_t i = 0; fw->symbol != NULL && i < fw->symbolcount; i++) {
        free(fw->symbol[i]);
    }
    free(fw->symbol);
    memset(fw, 0, sizeof *fw);
}

/* ---- pty -------------------------------------------------------------- */

static double now_s(void);

static void flush_tx(harness *h)
{
    if (h->tx_len == 0) {
        return;
    }
    ssize_t n = write(h->master_fd, h->tx, h->tx_len);
    if (n > 0 && h->line_log) {
        /* The moment each complete line was handed to the pty: a latency benchmark's
         * "line written". */
        const double t = now_s();
        for (ssize_t i = 0; i < n; i++) {
            const char ch = (char)h->tx[i];
            if (ch == '\n') {
                h->line[h->line_len] = '\0';
                fprintf(h->line_log, "%.6f %s\n", t, h->line);
                h->line_len = 0;
            } else if (ch != '\r' && h->line_len + 1 < sizeof h->line) {
                h->line[h->line_len++] = ch;
            }
        }
    }
    if (n > 0) {
        memmove(h->tx, h->tx + n, h->tx_len - (size_t)n);
        h->tx_len -= (size_t)n;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        h->tx_dropped += h->tx_len; /* nobody there: bytes go nowhere, like an unread UART */
        h->tx_len = 0;
    }
    if (h->tx_len > TX_BUF / 2) {
        /* The reader is far behind: drop, as a board's USB bridge would. */
        h->tx_dropped += h->tx_len;
        h->tx_len = 0;
    }
}

static void pump_rx(harness *h)
{
    if (h->rx_pos == h->rx_len) {
        ssize_t n = read(h->master_fd, h->rx, sizeof h->rx);
        h->rx_pos = 0;
        h->rx_len = n > 0 ? (size_t)n : 0;
    }
    /* One byte per byte time at 115200 8N1, as the wire would deliver them. */
    if (h->rx_pos < h->rx_len && h->avr->cycle >= h->next_rx_cycle) {
        avr_raise_irq(h->uart_in, h->rx[h->rx_pos++]);
        h->next_rx_cycle = h->avr->cycle + h->cycles_per_byte;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int make_pty(harness *h, int *slave_fd, char *name, size_t name_cap)
{
    int master = -1;
    int slave = -1;
    if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
        fprintf(stderr, "belt-sim: openpty: %s\n", strerror(errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        cfsetispeed(&tio, B115200);
        cfsetospeed(&tio, B115200);
        (void)tcsetattr(slave, TCSANOW, &tio);
    }
    if (ttyname_r(slave, name, name_cap) != 0) {
        fprintf(stderr, "belt-sim: ttyname: %s\n", strerror(errno));
        close(master);
        close(slave);
        return -1;
    }
    int flags = fcntl(master, F_GETFL);
    (void)fcntl(master, F_SETFL, flags | O_NONBLOCK);
    h->master_fd = master;
    *slave_fd = slave;
    return 0;
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static harness h; /* large buffers: not on the stack */
    const char *elf_path = NULL;
    const char *csv_path = NULL;
    const char *link_path = NULL;
    bool is_fast = false;
    bool wait_host = false;
    double boot_ms = 0.0;
    double duration_s = 0.0;
    double speed = 1.0;
    h.is_dithered = true;
    h.random = 0x2545F491U;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--fast") == 0) {
            is_fast = true;
        } else if (strcmp(a, "--speed") == 0 && i + 1 < argc) {
            char *end = NULL;
            speed = strtod(argv[++i], &end);
            if (end == argv[i] || *end != '\0' || !(speed > 0.0)) {
                fprintf(stderr, "belt-sim: --speed wants a factor > 0, not \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--no-dither") == 0) {
            h.is_dithered = false;
        } else if (strcmp(a, "--wait-host") == 0) {
            wait_host = true;
            h.is_aligned = true;
        } else if (strcmp(a, "--boot-ms") == 0 && i + 1 < argc) {
            char *end = NULL;
            boot_ms = strtod(argv[++i], &end);
            if (end == argv[i] || *end != '\0' || !(boot_ms >= 0.0 && boot_ms <= 10000.0)) {
                fprintf(stderr, "belt-sim: --boot-ms wants 0..10000, not \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--hold") == 0) {
            h.is_held = true;
        } else if (strcmp(a, "--once") == 0) {
            h.is_once = true;
        } else if (strcmp(a, "--duration") == 0 && i + 1 < argc) {
            char *end = NULL;
            duration_s = strtod(argv[++i], &end);
            if (end == argv[i] || *end != '\0' || !(duration_s > 0.0)) {
                fprintf(stderr, "belt-sim: --duration wants seconds > 0, not \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--float") == 0 && i + 1 < argc) {
            const char *c = argv[++i];
            if ((c[0] != '0' && c[0] != '1') || c[1] != '\0') {
                fprintf(stderr, "belt-sim: --float wants 0 (belly) or 1 (chest), not \"%s\"\n", c);
                return 2;
            }
            h.is_floating[c[0] - '0'] = true;
        } else if (strcmp(a, "--line-log") == 0 && i + 1 < argc) {
            h.line_log = fopen(argv[++i], "w");
            if (!h.line_log) {
                fprintf(stderr, "belt-sim: --line-log %s: %s\n", argv[i], strerror(errno));
                return 2;
            }
            setvbuf(h.line_log, NULL, _IOLBF, 0); /* whole lines even if killed */
        } else if (strcmp(a, "--link") == 0 && i + 1 < argc) {
            link_path = argv[++i];
            if (strncmp(link_path, "/dev/", 5) != 0) {
                fprintf(stderr,
                        "belt-sim: --link %s: must start with /dev/ (libserialport only "
                        "opens ports there)\n",
                        link_path);
                return 2;
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "belt-sim: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        } else if (elf_path == NULL) {
            elf_path = a;
        } else if (csv_path == NULL) {
            csv_path = a;
        } else {
            fprintf(stderr, "belt-sim: unexpected argument: %s\n", a);
            return 2;
        }
    }
    if (elf_path == NULL || csv_path == NULL) {
        usage(stderr);
        return 2;
    }
    if (boot_ms > 0.0 && !wait_host) {
        fprintf(stderr,
                "belt-sim: --boot-ms needs --wait-host (the boot follows the host's open)\n");
        return 2;
    }

    if (!read_recording(csv_path, &h.rec)) {
        return 1;
    }
    avr_global_logger_set(on_log);
    elf_firmware_t fw;
    memset(&fw, 0, sizeof fw);
    if (access(elf_path, R_OK) != 0 || elf_read_firmware(elf_path, &fw) != 0) {
        fprintf(stderr, "belt-sim: %s: cannot read the firmware ELF\n", elf_path);
        free_firmware(&fw);
        free_recording(&h.rec);
        return 1;
    }
    if (fw.mmcu[0] == '\0') {
        snprintf(fw.mmcu, sizeof fw.mmcu, "atmega328p");
    }
    if (fw.frequency == 0) {
        fw.frequency = 16000000U;
    }
    avr_t *avr = avr_make_mcu_by_name(fw.mmcu);
    if (avr == NULL) {
        fprintf(stderr, "belt-sim: %s: simavr does not know the MCU \"%s\"\n", elf_path, fw.mmcu);
        free_firmware(&fw);
        free_recording(&h.rec);
        return 1;
    }
    avr->log = 1; /* errors only */
    avr_init(avr);
    avr_load_firmware(avr, &fw);
    avr->vcc = avr->avcc = avr->aref = VREF_MV; /* else the ADC uses 3.3 V */
    avr->sleep = on_sleep;
    h.avr = avr;

    for (int c = 0; c < N_CH; c++) {
        h.adc_in[c] = avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + c);
    }
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_OUT_TRIGGER),
                            on_adc_trigger, &h);
    uint32_t uart_flags = 0;
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &uart_flags);
    uart_flags &= ~(uint32_t)AVR_UART_FLAG_STDIO;
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &uart_flags);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT),
                            on_uart_out, &h);
    h.uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    h.cycles_per_byte = avr->frequency * 10U / 115200U;

    int slave_fd = -1;
    char pty_name[128];
    if (make_pty(&h, &slave_fd, pty_name, sizeof pty_name) != 0) {
        avr_terminate(avr);
        free_firmware(&fw);
        free_recording(&h.rec);
        return 1;
    }
    if (link_path != NULL) {
        (void)unlink(link_path); /* a stale link from a killed run */
        if (symlink(pty_name, link_path) != 0) {
            fprintf(stderr, "belt-sim: --link %s: %s\n", link_path, strerror(errno));
            close(slave_fd);
            close(h.master_fd);
            avr_terminate(avr);
            free_firmware(&fw);
            free_recording(&h.rec);
            return 1;
        }
    }
    printf("%s\n", pty_name);
    fflush(stdout);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = 0;
    if (wait_host) {
        /* Like a board that resets when the port opens: nothing runs until the
         * host is there, so it sees the firmware's output from the start. */
        struct pollfd pfd = {h.master_fd, POLLIN, 0};
        double give_up = now_s() + 30.0;
        while (!stop_requested && now_s() < give_up && poll(&pfd, 1, 100) <= 0) {
        }
        if (!stop_requested && !(pfd.revents & POLLIN)) {
            fprintf(stderr, "belt-sim: no host opened %s within 30 s\n", pty_name);
            rc = 1;
            stop_requested = 1;
        }
        /* The bootloader runs first and takes what the host sends meanwhile (its
         * request for the info line included): the firmware then starts with its
         * info line, unasked. */
        double boot_end = now_s() + 1e-3 * boot_ms;
        while (!stop_requested && now_s() < boot_end) {
            char junk[256];
            while (read(h.master_fd, junk, sizeof junk) > 0) {
            }
            struct timespec ts = {0, 10000000L};
            nanosleep(&ts, NULL);
        }
    }
    double t0 = now_s();
    uint64_t busy_cycles = 0;
    /* Busiest 20 ms window (one period at 50 Hz): the firmware's headroom. */
    uint64_t window_cycles = avr->frequency / 50U;
    uint64_t window_end = window_cycles;
    uint64_t window_busy = 0;
    uint64_t max_window_busy = 0;
    double freq = (double)avr->frequency;
    while (!stop_requested) {
        for (int i = 0; i < STEP_INSNS; i++) {
            avr_cycle_count_t before = avr->cycle;
            int was = avr->state;
            int state = avr_run(avr);
            if (was == cpu_Running && state == cpu_Running) { /* not time asleep */
                busy_cycles += avr->cycle - before;
                window_busy += avr->cycle - before;
            }
            while (avr->cycle >= window_end) {
                if (window_busy > max_window_busy) {
                    max_window_busy = window_busy;
                }
                window_busy = 0;
                window_end += window_cycles;
            }
            if (state == cpu_Done || state == cpu_Crashed) {
                fprintf(stderr, "belt-sim: %s: firmware %s at %.3f s (pc 0x%04x)\n", elf_path,
                        state == cpu_Done ? "stopped" : "crashed", (double)avr->cycle / freq,
                        (unsigned)avr->pc);
                rc = 1;
                stop_requested = 1;
                break;
            }
        }
        double t_sim = (double)avr->cycle / freq;
        flush_tx(&h);
        pump_rx(&h);
        if (duration_s > 0.0 && t_sim >= duration_s) {
            break;
        }
        if (h.is_once && h.is_past_end) {
            break;
        }
        if (!is_fast) {
            double ahead = t_sim / speed - (now_s() - t0);
            if (ahead > 0.002) {
                struct timespec ts = {0, (long)(ahead * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    flush_tx(&h);
    if (!stop_requested) {
        /* Ended by --duration or --once: give the reader up to 0.5 s to take
         * what is still queued on the pty, so no tail is lost. */
        double t_end = now_s() + 0.5;
        int queued = 0;
        while (now_s() < t_end && ioctl(slave_fd, FIONREAD, &queued) == 0 && queued > 0) {
            struct timespec ts = {0, 5000000L};
            nanosleep(&ts, NULL);
        }
    }
    double t_sim = (double)avr->cycle / freq;
    double t_real = now_s() - t0;
    fprintf(stderr,
            "belt-sim: %.3f s simulated in %.3f s (x%.1f), CPU busy %.1f %% of cycles "
            "(busiest 20 ms: %llu cycles), %llu output bytes dropped\n",
            t_sim, t_real, t_real > 0.0 ? t_sim / t_real : 0.0,
            t_sim > 0.0 ? 100.0 * (double)busy_cycles / ((double)avr->cycle) : 0.0,
            (unsigned long long)max_window_busy, (unsigned long long)h.tx_dropped);
    if (link_path != NULL) {
        (void)unlink(link_path);
    }
    close(slave_fd);
    close(h.master_fd);
    avr_terminate(avr);
    free_firmware(&fw);
    free_recording(&h.rec);
    return rc;
}
