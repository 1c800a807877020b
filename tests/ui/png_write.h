/* png_write.h - write an SDL surface as an RGB PNG (stored deflate; for tests and screenshots).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_TEST_PNG_WRITE_H
#define BELLOWS_TEST_PNG_WRITE_H

#include <SDL.h>

/** Write surf (any format SDL can convert) to path as 8-bit RGB PNG. 0 or -1. */
int png_write_surface(const char *path, SDL_Surface *surf);

#endif
