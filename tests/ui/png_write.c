/* png_write.c - minimal PNG writer: IHDR, IDAT with stored (uncompressed) deflate blocks, IEND.
 * SPDX-License-Identifier: MIT */
#include "png_write.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct crc_state {
    uint32_t table[256];
} crc_state;

static void crc_init(crc_state *c)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t v = n;
        for (int k = 0; k < 8; k++) {
            v = (v & 1u) ? 0xedb88320u ^ (v >> 1) : v >> 1;
        }
        c->table[n] = v;
    }
}

static uint32_t crc_update(const crc_state *c, uint32_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc = c->table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
    }
    return crc;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const crc_state *c, const char *type, const uint8_t *data,
                       size_t len)
{
    uint8_t hdr[8];
    put_be32(hdr, (uint32_t)len);
    memcpy(hdr + 4, type, 4);
    uint32_t crc = crc_update(c, 0xffffffffu, hdr + 4, 4);
    crc = crc_update(c, crc, data, len) ^ 0xffffffffu;
    uint8_t tail[4];
    put_be32(tail, crc);
    if (fwrite(hdr, 1, 8, f) != 8 || (len > 0 && fwrite(data, 1, len, f) != len) ||
        fwrite(tail, 1, 4, f) != 4) {
        return -1;
    }
    return 0;
}

int png_write_surface(const char *path, SDL_Surface *surf)
{
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(surf, SDL_PIXELFORMAT_RGB24, 0);
    if (!rgb) {
        return -1;
    }
    int w = rgb->w;
    int h = rgb->h;
    size_t row = (size_t)w * 3 + 1; /* filter byte + RGB */
    size_t raw_len = row * (size_t)h;
    size_t n_blocks = (raw_len + 65534) / 65535;
    size_t z_len = 2 + raw_len + n_blocks * 5 + 4;
    uint8_t *raw = malloc(raw_len);
    uint8_t *z = malloc(z_len);
    crc_state *crc = malloc(sizeof *crc);
    FILE *f = NULL;
    int rc = -1;
    if (!raw || !z || !crc) {
        goto done;
    }
    crc_init(crc);
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * row] = 0;
        memcpy(raw + (size_t)y * row + 1,
               (const uint8_t *)rgb->pixels + (size_t)y * (size_t)rgb->pitch, (size_t)w * 3);
    }
    size_t o = 0;
    z[o++] = 0x78;
    z[o++] = 0x01;
    uint32_t a = 1;
    uint32_t b = 0;
    for (size_t i = 0; i < raw_len; i += 65535) {
        size_t len = raw_len - i < 65535 ? raw_len - i : 65535;
        z[o++] = (uint8_t)(i + len == raw_len ? 1 : 0);
        z[o++] = (uint8_t)len;
        z[o++] = (uint8_t)(len >> 8);
        z[o++] = (uint8_t)~len;
        z[o++] = (uint8_t)(~len >> 8);
        memcpy(z + o, raw + i, len);
        o += len;
        for (size_t k = 0; k < len; k++) {
            a = (a + raw[i + k]) % 65521u;
            b = (b + a) % 65521u;
        }
    }
    put_be32(z + o, (b << 16) | a);
    o += 4;
    f = fopen(path, "wb");
    if (!f) {
        goto done;
    }
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)w);
    put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    if (fwrite(sig, 1, 8, f) != 8 || write_chunk(f, crc, "IHDR", ihdr, sizeof ihdr) != 0 ||
        write_chunk(f, crc, "IDAT", z, o) != 0 || write_chunk(f, crc, "IEND", NULL, 0) != 0) {
        goto done;
    }
    rc = 0;
done:
    if (f && fclose(f) != 0) {
        rc = -1;
    }
    free(raw);
    free(z);
    free(crc);
    SDL_FreeSurface(rgb);
    return rc;
}
