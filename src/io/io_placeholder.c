/* io_placeholder.c - keeps bellows_io non-empty until the first io module lands.
 * SPDX-License-Identifier: MIT */
int bel_io_placeholder(void);
int bel_io_placeholder(void)
{
    return 0;
}
