/*
 * Console internals shared between the console, the UART drivers and the
 * driver self tests. Not part of the kernel-wide API (include/console.h).
 */
#ifndef CALF_DRIVERS_CONSOLE_INTERNAL_H
#define CALF_DRIVERS_CONSOLE_INTERNAL_H

#include <types.h>

/*
 * A UART driver calls this once its receive interrupt is routed: from then
 * on console_poll() stops asking the SBI firmware for input (the firmware
 * would otherwise steal characters from the same UART).
 */
void console_input_by_irq(void);

/*
 * Kernel-side reader of the line discipline, for tests: takes up to n bytes
 * of committed input into dst with the same rules as a read() of the console
 * device (stops after a newline; a ^D at the start of a read gives 0).
 * Never sleeps: returns -EAGAIN when no committed input is waiting.
 */
int console_ldisc_read(char *dst, int n);
/* Discards all buffered input, committed or not (tests start clean). */
void console_ldisc_flush(void);
/* Turns echo of typed characters on or off; returns the previous setting. */
bool console_ldisc_set_echo(bool on);

#endif
