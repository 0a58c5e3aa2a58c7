/*
 * The console UART. uart_init() runs on the boot hart once ioremap() works:
 * it picks the driver matching platform.uart.compatible (ns16550a,
 * snps,dw-apb-uart, sifive,uart0), enables its receive interrupt and makes
 * it the console output. With no matching UART the SBI console stays.
 */
#ifndef CALF_UART_H
#define CALF_UART_H

void uart_init(void);

#endif
