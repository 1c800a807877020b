/* sampler.c - oversampling and absent-sensor detection of the belt firmware.
 * SPDX-License-Identifier: MIT */
#include "sampler.h"

#include <stddef.h>

static const char *const channel_names[BEL_SAMPLER_MAX_CHANNELS] = {"belly", "chest"};
static const char device_name[] = "bellows-belt";

static void start_period(bel_sampler_channel *c)
{
    c->sum = 0;
    c->n = 0;
    c->has_probe = false;
    c->probe = 0;
}

void bel_sampler_init(bel_sampler *s, uint8_t n_channels, uint8_t extra_bits, uint8_t absent_after,
                      uint8_t present_after)
{
    if (n_channels < 1) {
        n_channels = 1;
    }
    if (n_channels > BEL_SAMPLER_MAX_CHANNELS) {
        n_channels = BEL_SAMPLER_MAX_CHANNELS;
    }
    s->n_channels = n_channels;
    s->extra_bits = extra_bits > 3 ? 3 : extra_bits;
    s->absent_after = absent_after < 1 ? 1 : absent_after;
    s->present_after = present_after < 1 ? 1 : present_after;
    for (uint8_t i = 0; i < BEL_SAMPLER_MAX_CHANNELS; i++) {
        start_period(&s->ch[i]);
        s->ch[i].status = BEL_PROTO_CH_ABSENT;
        s->ch[i].streak = 0;
        s->ch[i].has_status = false;
    }
}

uint8_t bel_sampler_get_n_readings(const bel_sampler *s)
{
    return (uint8_t)(1U << (2U * s->extra_bits));
}

void bel_sampler_add(bel_sampler *s, uint8_t ch, uint16_t raw)
{
    if (ch >= s->n_channels) {
        return;
    }
    bel_sampler_channel *c = &s->ch[ch];
    if (c->n >= bel_sampler_get_n_readings(s)) {
        return;
    }
    c->sum = (uint16_t)(c->sum + (raw > BEL_SAMPLER_ADC_MAX ? BEL_SAMPLER_ADC_MAX : raw));
    c->n++;
}

void bel_sampler_add_probe(bel_sampler *s, uint8_t ch, uint16_t raw)
{
    if (ch >= s->n_channels) {
        return;
    }
    s->ch[ch].has_probe = true;
    s->ch[ch].probe = raw > BEL_SAMPLER_ADC_MAX ? BEL_SAMPLER_ADC_MAX : raw;
}

/* Did this period look like no sensor? Compares sums, so no division. */
static bool looks_absent(const bel_sampler_channel *c)
{
    if (c->n == 0) {
        return true;
    }
    uint32_t n = c->n;
    if (c->sum <= n * BEL_SAMPLER_RAIL_MARGIN ||
        c->sum >= n * (uint32_t)(BEL_SAMPLER_ADC_MAX - BEL_SAMPLER_RAIL_MARGIN)) {
        return true;
    }
    return c->has_probe && c->probe >= BEL_SAMPLER_ADC_MAX - BEL_SAMPLER_RAIL_MARGIN;
}

/* Sum of n readings scaled to n_full readings, then shifted: 0..1023 << bits. */
static int32_t channel_value(const bel_sampler *s, const bel_sampler_channel *c)
{
    uint32_t n_full = bel_sampler_get_n_readings(s);
    uint32_t sum = c->sum;
    if (c->n == 0) {
        return 0;
    }
    if (c->n != n_full) {
        sum = (sum * n_full + c->n / 2U) / c->n;
    }
    return (int32_t)(sum >> s->extra_bits);
}

bool bel_sampler_finish(bel_sampler *s, int32_t *values)
{
    bool changed = false;
    for (uint8_t i = 0; i < s->n_channels; i++) {
        bel_sampler_channel *c = &s->ch[i];
        bool absent = looks_absent(c);
        if (!c->has_status) {
            c->status = absent ? BEL_PROTO_CH_ABSENT : BEL_PROTO_CH_OK;
            c->has_status = true;
            c->streak = 0;
            changed = true;
        } else if (absent != (c->status == BEL_PROTO_CH_ABSENT)) {
            uint8_t needed = absent ? s->absent_after : s->present_after;
            c->streak++;
            if (c->streak >= needed) {
                c->status = absent ? BEL_PROTO_CH_ABSENT : BEL_PROTO_CH_OK;
                c->streak = 0;
                changed = true;
            }
        } else {
            c->streak = 0;
        }
        values[i] = c->status == BEL_PROTO_CH_OK ? channel_value(s, c) : 0;
        start_period(c);
    }
    return changed;
}

uint8_t bel_sampler_get_status(const bel_sampler *s, uint8_t ch)
{
    if (ch >= s->n_channels) {
        return BEL_PROTO_CH_ABSENT;
    }
    return s->ch[ch].status;
}

static void copy_token(char *dst, const char *src, size_t max_len)
{
    size_t i = 0;
    while (i < max_len && src[i] != '\0') {
        dst[i] = src[i];
        i++;
    }
    dst[i] = '\0';
}

void bel_sampler_make_info(const bel_sampler *s, const char *firmware, uint16_t rate_hz,
                           bel_proto_info *info)
{
    info->version = BEL_PROTO_VERSION;
    copy_token(info->device, device_name, BEL_PROTO_DEVICE_MAX);
    copy_token(info->firmware, firmware, BEL_PROTO_FIRMWARE_MAX);
    info->rate_hz = rate_hz;
    info->n_channels = s->n_channels;
    for (uint8_t i = 0; i < BEL_PROTO_MAX_CHANNELS; i++) {
        if (i < s->n_channels) {
            copy_token(info->channel[i].name, channel_names[i], BEL_PROTO_NAME_MAX);
            info->channel[i].status = s->ch[i].status;
        } else {
            info->channel[i].name[0] = '\0';
            info->channel[i].status = BEL_PROTO_CH_ABSENT;
        }
    }
}
