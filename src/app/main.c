/* main.c - placeholder entry point until the command line lands.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>

int main(void)
{
    fputs("bellows: under construction\n", stderr);
    return 1;
}
