/*
 * The console: early output through SBI, then the UART named by the DT.
 *
 * console_putc() works from the first instruction to the last (it falls
 * back to the SBI console until a UART driver takes over). Input arrives
 * from the UART interrupt handler through console_input_char(), which does
 * the line editing (backspace, ^U kill line, ^D end of file, ^P process
 * list) and wakes readers of the console device.
 */
#ifndef CALF_CONSOLE_H
#define CALF_CONSOLE_H

#include <types.h>

struct console_ops {
	const char *name;
	void (*putc)(char c); /* polled, interrupts may be off */
};

void console_putc(char c);
void console_write(const char *s, size_t n);
/* A UART driver installs itself as the output path. */
void console_set_output(const struct console_ops *ops);
/* Called from the UART interrupt for each received character. */
void console_input_char(int c);
/* Boot: registers the console device (major CONSOLE) in the device table. */
void console_dev_init(void);
/* From the tick: asks SBI for input when no UART interrupt delivers it. */
void console_poll(void);

#endif
