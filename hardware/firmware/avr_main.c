/* avr_main.c - main() of the CMake/avr-gcc build: what the sketch's setup()/loop() do.
 *
 * Lives outside the sketch folder, because the Arduino IDE would compile it
 * next to the Arduino core's own main().
 * SPDX-License-Identifier: MIT */
#include "bellows_belt/src/belt.h"

int main(void)
{
    bel_belt_setup();
    for (;;) {
        bel_belt_poll();
    }
}
