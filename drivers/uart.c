/*
 * Chooses the console UART driver by the device tree's compatible string.
 */
#include <platform.h>
#include <printk.h>
#include <string.h>
#include <uart.h>
#include "uart_internal.h"

/*
 * Installs the driver for platform.uart, if we have one; otherwise output
 * stays on the SBI console and input comes from console_poll().
 */
void uart_init(void)
{
	const char *compat = platform.uart.compatible;

	if (platform.uart.base == 0)
		return;
	if (strcmp(compat, "ns16550a") == 0 || strcmp(compat, "ns16550") == 0)
		uart16550_init(false);
	else if (strcmp(compat, "snps,dw-apb-uart") == 0)
		uart16550_init(true);
	else if (strcmp(compat, "sifive,uart0") == 0)
		sifive_uart_init();
	else
		printk("uart: no driver for '%s', staying on the SBI console\n",
		       compat);
}
