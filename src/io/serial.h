/* serial.h - the belt on a serial port (libserialport): a bel_source, link events, port discovery.
 *
 * Two formats: the bellows firmware (hardware/PROTOCOL.md), and any sketch printing
 * Arduino Serial Plotter lines (bellows/plotter.h), told apart when the port opens.
 *
 * Opens the port at 115200 8N1, asks for the info line ("?"), and from then on
 * reads with short timeouts, feeds the protocol parser byte by byte and hands
 * out samples whose time comes from the sample rate and the sequence numbers
 * (gaps become n_missed, so time stays right). When the belt goes away
 * (unplugged, port error, or silent for a second) it reports `signal_lost`,
 * keeps trying to reopen the port with a growing back-off, and reports
 * `signal_restored` with the gap (measured on the monotonic clock) carried in
 * the next sample's n_missed. Garbage, corrupt and truncated lines are counted
 * by the parser and never stop the intact ones.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_SERIAL_H
#define BELLOWS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bellows/event.h"
#include "bellows/plotter.h"
#include "bellows/protocol.h"
#include "bellows/status.h"
#include "source.h"

/** Longest port name kept, including the terminator. */
enum { BEL_SERIAL_NAME_LEN = 256 };

typedef struct bel_serial_config {
    const char *port;     /**< "/dev/ttyACM0" (copied at create) */
    int read_timeout_ms;  /**< longest single wait in the port, 1..100 (default 50) */
    int info_timeout_ms;  /**< wait for the info line at open, ms (default 5000) */
    int request_every_ms; /**< re-send "?" while no info line came, ms (default 2000) */
    int silence_lost_ms;  /**< no sample for this long while open: signal lost (default 1000) */
    int reconnect_min_ms; /**< first reopen delay after a loss (default 100) */
    int reconnect_max_ms; /**< back-off doubles up to this (default 2000) */
    /** A sketch printing Serial Plotter lines: its sample rate in Hz, 1..2000, and each
     *  sample's time is its count over it; 0 (default): timed on arrival (the monotonic
     *  clock), the rate estimated from the first lines. */
    double plotter_rate_hz;
    /** The belt plays this many times faster than real time, 0.01..100 (default 1): a
     *  simulator or a recording standing in for a belt. Its samples keep the times its
     *  rate gives them; the check of that rate against the clock expects them this much
     *  faster. A belt sending far faster or slower than its rate says (info line, or
     *  plotter_rate_hz) ends the session with a message (BEL_ERR_PROTOCOL from read). */
    double speed;
} bel_serial_config;

/** What a port speaks. */
typedef enum bel_serial_format {
    BEL_SERIAL_FORMAT_NONE = 0, /**< nothing recognised */
    BEL_SERIAL_FORMAT_BELLOWS,  /**< the bellows firmware: info line, sequence numbers, CRC */
    BEL_SERIAL_FORMAT_PLOTTER,  /**< Arduino Serial Plotter lines from any sketch */
} bel_serial_format;

/** "bellows firmware", "Arduino Serial Plotter lines", "nothing recognised". Never NULL.
 *  Call from: any thread. */
const char *bel_serial_format_name(bel_serial_format format);

/** Defaults as documented in bel_serial_config, port NULL. Call from: any thread. */
bel_serial_config bel_serial_config_default(void);

/** Link state and counters of a serial source. */
typedef struct bel_serial_stats {
    bel_proto_stats proto;  /**< the parser's counters (lines, samples, errors by kind) */
    uint64_t n_lost;        /**< signal_lost events */
    uint64_t n_reconnects;  /**< successful reopenings */
    uint64_t n_before_info; /**< samples dropped because no info line had come yet */
    uint64_t n_gap_samples; /**< samples counted missing across signal losses */
    bool is_connected;      /**< receiving samples now */
} bel_serial_stats;

typedef struct bel_serial bel_serial;

/** Open cfg->port, send "?" and wait (up to info_timeout_ms) for the info
 *  line, or for Serial Plotter lines (20 of them, or at least 3 by the deadline);
 *  then wrap it as a source (fs_hz and channel names from the info line, or from
 *  the plotter lines' labels and cfg->plotter_rate_hz or their arrival rate). *out owns the serial
 * state; *link (optional, may be NULL) is a borrowed handle to it for bel_serial_take_event and
 * bel_serial_get_stats, valid until the source is destroyed. On failure both are NULL and err names
 * the port and what to do ("/dev/ttyACM0: no info line within 5 s: is it a bellows belt? ...").
 * BEL_ERR_IO, BEL_ERR_TIMEOUT, BEL_ERR_PROTOCOL, BEL_ERR_ARG, BEL_ERR_NOMEM. Call from: setup
 * (blocks up to info_timeout_ms). */
BEL_NODISCARD bel_status bel_serial_source_create(const bel_serial_config *cfg, bel_source **out,
                                                  bel_serial **link, char *err, size_t err_len);

/** Take the next link event (signal_lost or signal_restored), oldest first.
 *  Returns 1 with *out set, or 0 when none is pending. A session calls this
 *  after every bel_source_read so the events land between the right samples.
 *  Call from: the thread that reads the source. Real-time safe. */
int bel_serial_take_event(bel_serial *link, bel_event *out);

/** Counters so far. Call from: the thread that reads the source. */
bel_serial_stats bel_serial_get_stats(const bel_serial *link);

/** The info line the belt sent at open; for Serial Plotter lines one made up from
 *  them (device "Serial Plotter", the rate rounded). Call from: any thread. */
const bel_proto_info *bel_serial_get_info(const bel_serial *link);

/** Which format the port speaks. Call from: any thread. */
bel_serial_format bel_serial_get_format(const bel_serial *link);

/** The port's name as given. Call from: any thread. */
const char *bel_serial_get_port(const bel_serial *link);

/** One serial port as `bellows ports` shows it. */
typedef struct bel_serial_port_desc {
    char name[BEL_SERIAL_NAME_LEN];        /**< "/dev/ttyACM0" */
    char description[BEL_SERIAL_NAME_LEN]; /**< from the OS ("Arduino Uno"), may be "" */
    bool is_belt;                          /**< answered "?" or sends Serial Plotter lines */
    bel_serial_format format;              /**< what it sends (is_belt only) */
    bel_proto_info info;                   /**< its info line, or one made up (is_belt only) */
    bool is_usb;                           /**< a USB serial port (where a belt plugs in) */
    bool is_unopened;                      /**< there, but it could not be opened */
    char error[320];                       /**< why not a belt ("cannot open: ..."), or "" */
} bel_serial_port_desc;

/** Open `port`, send "?" and wait up to timeout_ms (<= 10000) for an info
 *  line or Serial Plotter lines. Returns BEL_OK with *info and *format (may be
 *  NULL) set, BEL_ERR_TIMEOUT when nothing valid came, BEL_ERR_IO when the port
 *  cannot be opened; err says why. Call from: setup or a command (blocks). */
BEL_NODISCARD bel_status bel_serial_probe(const char *port, int timeout_ms, bel_proto_info *info,
                                          bel_serial_format *format, char *err, size_t err_len);

/** How long to wait for a port's answer when looking for a belt, ms: an Arduino
 *  Uno or Nano restarts when its port is opened and answers after its bootloader,
 *  0.8-3 s later. */
#define BEL_SERIAL_PROBE_MS 3000

/** List the serial ports the OS knows (sp_list_ports) and probe them all at once
 *  (one thread each) with bel_serial_probe(timeout_ms). With first_belt, the
 *  others stop waiting as soon as one answers with the bellows info line (their
 *  error says so). Fills up to max entries of out; returns the number of ports
 *  found (may exceed max; only max are filled) or a negative bel_status with err
 *  set. Call from: setup or a command (blocks). */
int bel_serial_list_ports(bel_serial_port_desc *out, int max, int timeout_ms, bool first_belt,
                          char *err, size_t err_len);

#endif
