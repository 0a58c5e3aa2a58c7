/*
 * The SiFive UART (sifive,uart0), the console of QEMU's sifive_u machine.
 *
 * A small FIFO UART with 32-bit registers: writing txdata queues a byte
 * (bit 31 of a txdata read says the FIFO is full), reading rxdata pops one
 * (bit 31 says it was empty). The receive watermark interrupt fires while
 * the receive FIFO holds more than rxctrl.rxcnt bytes; with rxcnt 0 that is
 * "any byte waiting". The baud divisor is left as the firmware set it.
 */
#include <console.h>
#include <irq.h>
#include <mm.h>
#include <platform.h>
#include <asm/arch.h>
#include <asm/mmio.h>
#include "console_internal.h"
#include "uart_internal.h"

#define SIFIVE_TXDATA 0x00
#define SIFIVE_RXDATA 0x04
#define SIFIVE_TXCTRL 0x08
#define SIFIVE_RXCTRL 0x0c
#define SIFIVE_IE     0x10
#define SIFIVE_IP     0x14
#define SIFIVE_DIV    0x18

#define TXDATA_FULL	  (1u << 31)
#define RXDATA_EMPTY	  (1u << 31)
#define RXDATA_BYTE	  0xffu
#define TXCTRL_TXEN	  (1u << 0)
#define RXCTRL_RXEN	  (1u << 0)
#define RXCTRL_RXCNT_MASK (7u << 16)
#define IE_RXWM		  (1u << 1)

#define TX_SPIN_LIMIT  1000000
#define RX_DRAIN_LIMIT 1024

static u8 *sifive_base;

/* Polled transmit of one byte; safe with interrupts off. */
static void sifive_uart_putc(char c)
{
	for (int i = 0; i < TX_SPIN_LIMIT; i++) {
		if (!(readl(sifive_base + SIFIVE_TXDATA) & TXDATA_FULL))
			break;
		arch_cpu_relax();
	}
	writel((unsigned char)c, sifive_base + SIFIVE_TXDATA);
}

static const struct console_ops sifive_uart_ops = {
    .name = "sifive_uart",
    .putc = sifive_uart_putc,
};

/* Receive interrupt: pops every waiting byte into the line discipline. */
static void sifive_uart_intr(void *arg)
{
	for (int i = 0; i < RX_DRAIN_LIMIT; i++) {
		u32 v = readl(sifive_base + SIFIVE_RXDATA);
		if (v & RXDATA_EMPTY)
			break;
		console_input_char(v & RXDATA_BYTE);
	}
}

/*
 * Maps the UART, enables transmitter and receiver, installs it as console
 * output and (with an interrupt number) enables the receive interrupt.
 */
void sifive_uart_init(void)
{
	u64 size = platform.uart.size ? platform.uart.size : PAGE_SIZE;

	sifive_base = ioremap(platform.uart.base, size);
	writel(0, sifive_base + SIFIVE_IE);
	writel(readl(sifive_base + SIFIVE_TXCTRL) | TXCTRL_TXEN,
	       sifive_base + SIFIVE_TXCTRL);
	writel((readl(sifive_base + SIFIVE_RXCTRL) & ~RXCTRL_RXCNT_MASK) |
		   RXCTRL_RXEN,
	       sifive_base + SIFIVE_RXCTRL);

	console_set_output(&sifive_uart_ops);

	if (platform.uart.irq) {
		irq_register(platform.uart.irq, sifive_uart_intr, NULL);
		writel(IE_RXWM, sifive_base + SIFIVE_IE);
		console_input_by_irq();
	}
}
