// bellows_belt.ino - Arduino sketch of the bellows breathing belt (ATmega328P: Uno, Nano).
//
// Belly sensor on A0, optional chest sensor on A1, 50 Hz, 115200 baud; the
// wire format is ../../PROTOCOL.md. All the work is in the plain C modules
// under src/ (also built by CMake with avr-gcc and tested on the host); this
// file only hands setup() and loop() to them. It uses no Arduino library
// calls, and the Arduino core's Serial must stay unused: the firmware drives
// the UART itself.
// SPDX-License-Identifier: MIT
#include "src/belt.h"

void setup()
{
    bel_belt_setup();
}

void loop()
{
    bel_belt_poll();
}
