/* belt.h - the bellows belt firmware for the ATmega328P (Uno, Nano).
 *
 * setup()/loop() of the sketch and main() of the CMake build call these two
 * functions and nothing else. Register-level AVR code: Timer1 paces the
 * sample periods, the ADC is read by a non-blocking state machine, the UART
 * is driven by interrupts through byte rings. The logic lives in the plain C
 * modules sampler, byte_ring and rx_line, which the host tests run.
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FW_BELT_H
#define BELLOWS_FW_BELT_H

#ifdef __cplusplus
extern "C" {
#endif

/** Firmware version in the info line. */
#define BEL_BELT_FIRMWARE_VERSION "1.0.0"

/** Configure the ADC, Timer1 and the UART (115200 8N1), enable interrupts.
 *  Call from: setup() / main(), once. */
void bel_belt_setup(void);

/** Do whatever is due (ADC step, finished period, request, output) and
 *  return; sleeps in idle mode until the next interrupt when nothing is.
 *  Never blocks for longer than that. Call from: loop() / main()'s loop. */
void bel_belt_poll(void);

#ifdef __cplusplus
}
#endif

#endif
