/* belt_config.h - compile-time settings of the bellows belt firmware.
 *
 * Override with -D on the avr-gcc command line (CMake: BELLOWS_BELT_RATE_HZ),
 * or edit here for the Arduino IDE.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_BELT_CONFIG_H
#define BELLOWS_BELT_CONFIG_H

/* Sample rate in Hz. Timer1 counts F_CPU / 8, so 2 MHz / rate should be a
 * whole number for an exact rate (50, 100, 125, 200, 250 ... are exact). */
#ifndef BELT_RATE_HZ
#define BELT_RATE_HZ 50
#endif

/* Extra bits from oversampling: 4^bits conversions are summed and shifted
 * right by bits (Atmel AVR121). 2 gives 16 conversions and 12-bit values
 * (0..4092); 3 gives 64 conversions and 13-bit values. At most 3 (the sum
 * of 64 readings of 1023 fits 16 bits). */
#ifndef BELT_OVERSAMPLE_BITS
#define BELT_OVERSAMPLE_BITS 2
#endif

/* UART speed; must equal BEL_PROTO_BAUD (a host test checks). A macro
 * because <util/setbaud.h> needs one. */
#define BELT_UART_BAUD 115200UL

enum {
    /** Sample rate announced in the info line, Hz. */
    BEL_BELT_RATE_HZ = BELT_RATE_HZ,
    /** Extra bits of resolution from oversampling. */
    BEL_BELT_OVERSAMPLE_BITS = BELT_OVERSAMPLE_BITS,
    /** Channels: 0 belly on A0, 1 chest on A1. */
    BEL_BELT_N_CHANNELS = 2,
    /** Periods of consistent evidence before a channel turns absent (0.5 s)
     *  or present again (1 s). */
    BEL_BELT_ABSENT_AFTER = (BELT_RATE_HZ / 2 > 255) ? 255 : (BELT_RATE_HZ / 2 + 1),
    BEL_BELT_PRESENT_AFTER = (BELT_RATE_HZ > 255) ? 255 : (BELT_RATE_HZ + 1),
};

#if BELT_OVERSAMPLE_BITS < 0 || BELT_OVERSAMPLE_BITS > 3
#error "BELT_OVERSAMPLE_BITS must be 0..3"
#endif
#if BELT_RATE_HZ < 1 || BELT_RATE_HZ > 1000
#error "BELT_RATE_HZ must be 1..1000 (PROTOCOL.md)"
#endif

#endif
