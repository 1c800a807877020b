/* belt.c - the bellows belt firmware for the ATmega328P: timer, ADC, UART glue.
 * SPDX-License-Identifier: MIT */
#if defined(__AVR__)

#include "belt.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <stdbool.h>
#include <stdint.h>

#include "belt_config.h"
#include "byte_ring.h"
#include "rx_line.h"
#include "sampler.h"

#define BAUD BELT_UART_BAUD
#define BAUD_TOL 3 /* 115200 from 16 MHz is 2.1 % off with U2X, as in the Arduino core */
#include <util/setbaud.h>

/* Timer1 in CTC mode at F_CPU / 8 (2 MHz at 16 MHz). */
#define BELT_T1_TOP ((F_CPU / 8UL + BELT_RATE_HZ / 2) / BELT_RATE_HZ - 1UL)
#if BELT_T1_TOP > 65535UL || BELT_T1_TOP < 100UL
#error "BELT_RATE_HZ out of Timer1's range at this F_CPU"
#endif

enum {
    TX_SIZE = 256, /* holds an info line (<= 124 bytes) and several samples */
    RX_SIZE = 16,
    ADC_IDLE = 0xFF,
};

/* Shared with ISRs: a counter, a flag, and the rings' single-byte indices. */
static volatile uint8_t tick_count; /* Timer1 compare matches so far */
static volatile uint8_t adc_done;   /* a conversion finished */
static volatile uint8_t tx_storage[TX_SIZE];
static volatile uint8_t rx_storage[RX_SIZE];
static bel_byte_ring tx_ring;
static bel_byte_ring rx_ring;

/* Main-loop state only. */
static struct {
    bel_sampler sampler;
    bel_rx_line rx_line;
    char line[BEL_PROTO_BUF_SIZE];
    bel_proto_info info;
    int32_t values[BEL_BELT_N_CHANNELS];
    uint16_t seq;
    uint16_t n_dropped; /* sample lines not sent (full ring, late periods) */
    uint8_t ticks_handled;
    bool is_started;   /* first period done, info line sent */
    bool info_pending; /* an info line must go out */
    uint8_t adc_ch;    /* channel of the running burst, ADC_IDLE when none */
    uint8_t adc_step;  /* 0 discard, 1..n readings, n + 1 probe */
} belt;

ISR(TIMER1_COMPA_vect) { tick_count++; }

ISR(ADC_vect) { adc_done = 1; }

ISR(USART_RX_vect)
{
    uint8_t byte = UDR0;
    (void)bel_byte_ring_push(&rx_ring, byte); /* full: dropped; a lost "?" is re-sent */
}

ISR(USART_UDRE_vect)
{
    uint8_t byte;
    if (bel_byte_ring_pop(&tx_ring, &byte)) {
        UDR0 = byte;
    } else {
        UCSR0B &= (uint8_t) ~(1U << UDRIE0);
    }
}

static uint8_t read_ticks(void)
{
    uint8_t sreg = SREG;
    cli();
    uint8_t t = tick_count;
    SREG = sreg;
    return t;
}

static bool take_adc_done(void)
{
    uint8_t sreg = SREG;
    cli();
    bool done = adc_done != 0;
    adc_done = 0;
    SREG = sreg;
    return done;
}

static void start_tx(void)
{
    uint8_t sreg = SREG;
    cli();
    UCSR0B |= (uint8_t)(1U << UDRIE0);
    SREG = sreg;
}

/* Start one conversion of channel ch; with_pullup turns the pin's pull-up on
 * for the probe reading. Mux AVcc reference, right-adjusted. */
static void adc_start(uint8_t ch, bool with_pullup)
{
    ADMUX = (uint8_t)((1U << REFS0) | (ch & 0x07U));
    if (with_pullup) {
        PORTC |= (uint8_t)(1U << ch);
    }
    ADCSRA |= (uint8_t)(1U << ADSC);
}

static void queue_info(void)
{
    bel_sampler_make_info(&belt.sampler, BEL_BELT_FIRMWARE_VERSION, BEL_BELT_RATE_HZ, &belt.info);
    int n = bel_proto_encode_info(belt.line, sizeof belt.line, &belt.info);
    if (n <= 0 || bel_byte_ring_write(&tx_ring, belt.line, (uint8_t)n)) {
        belt.info_pending = false; /* sent (n <= 0 cannot happen with valid settings) */
        start_tx();
    }
}

static void queue_sample(void)
{
    int n = bel_proto_encode_sample(belt.line, sizeof belt.line, belt.seq, belt.values,
                                    BEL_BELT_N_CHANNELS);
    if (n > 0 && bel_byte_ring_write(&tx_ring, belt.line, (uint8_t)n)) {
        start_tx();
    } else {
        belt.n_dropped++; /* whole line dropped; the host sees the seq gap */
    }
    belt.seq++;
}

/* A period's readings are in: statuses, then info (if due) and the sample. */
static void finish_period(void)
{
    if (bel_sampler_finish(&belt.sampler, belt.values)) {
        belt.info_pending = true;
    }
    if (belt.info_pending) {
        queue_info();
    }
    belt.is_started = true;
    queue_sample();
}

/* One finished conversion: file its result and start the next one. */
static void adc_step(void)
{
    uint16_t raw = ADC;
    uint8_t ch = belt.adc_ch;
    uint8_t n = bel_sampler_get_n_readings(&belt.sampler);
    if (belt.adc_step == n + 1U) {
        PORTC &= (uint8_t) ~(1U << ch);
        bel_sampler_add_probe(&belt.sampler, ch, raw);
        ch++;
        if (ch >= BEL_BELT_N_CHANNELS) {
            belt.adc_ch = ADC_IDLE;
            finish_period();
            return;
        }
        belt.adc_ch = ch;
        belt.adc_step = 0; /* first conversion after a mux change is discarded */
        adc_start(ch, false);
        return;
    }
    if (belt.adc_step >= 1U) {
        bel_sampler_add(&belt.sampler, ch, raw);
    }
    belt.adc_step++;
    adc_start(ch, belt.adc_step == n + 1U);
}

void bel_belt_setup(void)
{
    cli();
    (void)bel_byte_ring_init(&tx_ring, tx_storage, TX_SIZE);
    (void)bel_byte_ring_init(&rx_ring, rx_storage, RX_SIZE);
    bel_rx_line_init(&belt.rx_line);
    bel_sampler_init(&belt.sampler, BEL_BELT_N_CHANNELS, BEL_BELT_OVERSAMPLE_BITS,
                     BEL_BELT_ABSENT_AFTER, BEL_BELT_PRESENT_AFTER);
    belt.seq = 0;
    belt.n_dropped = 0;
    belt.is_started = false;
    belt.info_pending = true;
    belt.adc_ch = ADC_IDLE;
    belt.adc_step = 0;

    /* A0, A1: inputs, pull-ups off, digital buffers off (less noise). */
    DDRC &= (uint8_t)~0x03U;
    PORTC &= (uint8_t)~0x03U;
    DIDR0 |= 0x03U;
    /* ADC on, 16 MHz / 128 = 125 kHz (50..200 kHz for 10 bits), interrupt on. */
    ADCSRB = 0;
    ADCSRA = (uint8_t)((1U << ADEN) | (1U << ADIE) | (1U << ADPS2) | (1U << ADPS1) | (1U << ADPS0));

    /* UART 8N1, RX interrupt; UDRE interrupt enabled while there is output. */
    UBRR0H = UBRRH_VALUE;
    UBRR0L = UBRRL_VALUE;
#if USE_2X
    UCSR0A = (uint8_t)(1U << U2X0);
#else
    UCSR0A = 0;
#endif
    UCSR0C = (uint8_t)((1U << UCSZ01) | (1U << UCSZ00));
    UCSR0B = (uint8_t)((1U << RXEN0) | (1U << TXEN0) | (1U << RXCIE0));

    /* Timer1 CTC (WGM12), clock / 8, compare A interrupt per sample period. */
    TCCR1A = 0;
    TCCR1B = 0;
    TCNT1 = 0;
    OCR1A = (uint16_t)BELT_T1_TOP;
    TIFR1 = (uint8_t)(1U << OCF1A);
    TIMSK1 = (uint8_t)(1U << OCIE1A);
    TCCR1B = (uint8_t)((1U << WGM12) | (1U << CS11));
    belt.ticks_handled = 0;
    tick_count = 0;

    set_sleep_mode(SLEEP_MODE_IDLE);
    sei();
}

void bel_belt_poll(void)
{
    uint8_t byte;
    while (bel_byte_ring_pop(&rx_ring, &byte)) {
        if (bel_rx_line_push(&belt.rx_line, byte)) {
            belt.info_pending = true;
        }
    }
    if (take_adc_done() && belt.adc_ch != ADC_IDLE) {
        adc_step();
    }
    uint8_t due = (uint8_t)(read_ticks() - belt.ticks_handled);
    if (due > 0 && belt.adc_ch == ADC_IDLE) {
        /* Periods that passed while a burst was still running are lost. */
        belt.seq = (uint16_t)(belt.seq + due - 1U);
        belt.n_dropped = (uint16_t)(belt.n_dropped + due - 1U);
        belt.ticks_handled = (uint8_t)(belt.ticks_handled + due);
        belt.adc_ch = 0;
        belt.adc_step = 0;
        adc_start(0, false);
    }
    if (belt.info_pending && belt.is_started) {
        queue_info();
    }

    /* Sleep until an interrupt, unless one already brought work. sei then
     * sleep runs both before any pending interrupt, so none is missed. */
    cli();
    if (adc_done == 0 && tick_count == belt.ticks_handled && bel_byte_ring_is_empty(&rx_ring)) {
        sleep_enable();
        sei();
        sleep_cpu();
        sleep_disable();
    }
    sei();
}

#endif /* __AVR__ */
