/* Entry points of the UART drivers, called by uart_init() (drivers/uart.c). */
#ifndef CALF_DRIVERS_UART_INTERNAL_H
#define CALF_DRIVERS_UART_INTERNAL_H

#include <types.h>

/* ns16550a, or the DesignWare variant with its busy-detect quirk. */
void uart16550_init(bool designware);
/* The sifive,uart0 of QEMU sifive_u (and SiFive FU540/FU740 boards). */
void sifive_uart_init(void);

#endif
