/*
 * 16550-compatible UARTs: the ns16550a of QEMU virt and the Synopsys
 * DesignWare APB UART (snps,dw-apb-uart) of the VisionFive 2.
 *
 * Both have the classic register file; what differs comes from the device
 * tree: register i sits at base + (i << reg-shift) and is accessed reg-io-width
 * bytes wide (QEMU: shift 0, width 1; VisionFive 2: shift 2, width 4). The
 * baud rate divisor and line format are left as the firmware (OpenSBI,
 * U-Boot) set them. The DesignWare part adds one quirk: writing the line
 * control register while it is busy raises a "busy detect" interrupt
 * (IIR = 7), which only a read of its UART status register (USR) clears.
 *
 * Output is polled (wait for the transmit holding register to empty, write
 * one byte); input is interrupt driven: the receive interrupt hands every
 * waiting byte to the console line discipline.
 */
#include <console.h>
#include <irq.h>
#include <mm.h>
#include <platform.h>
#include <printk.h>
#include <asm/arch.h>
#include <asm/mmio.h>
#include "console_internal.h"
#include "uart_internal.h"

/* Register indices (shifted by reg-shift to get the byte offset). */
#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1 /* interrupt enable */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */

/* DesignWare UART status register: a byte offset, not shifted. */
#define DW_UART_USR 0x7c

#define IER_RX_AVAILABLE 0x01

#define IIR_NO_INTERRUPT 0x01
#define IIR_ID_MASK	 0x0f
#define IIR_MODEM_STATUS 0x00
#define IIR_BUSY_DETECT	 0x07 /* DesignWare only */

#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04

#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT2 0x08 /* gates the interrupt line on PC-style boards */

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

/* Bounds on polling loops, so broken hardware cannot hang the kernel. */
#define TX_SPIN_LIMIT  1000000
#define RX_DRAIN_LIMIT 1024

static struct {
	u8 *base;
	u32 shift;
	u32 width;
	bool designware;
} uart;

static u32 uart_read(u32 reg)
{
	u8 *addr = uart.base + (reg << uart.shift);
	return uart.width == 4 ? readl(addr) : readb(addr);
}

static void uart_write(u32 reg, u32 val)
{
	u8 *addr = uart.base + (reg << uart.shift);
	if (uart.width == 4)
		writel(val, addr);
	else
		writeb((u8)val, addr);
}

/* Polled transmit of one byte; safe with interrupts off. */
static void uart16550_putc(char c)
{
	for (int i = 0; i < TX_SPIN_LIMIT; i++) {
		if (uart_read(UART_LSR) & LSR_THR_EMPTY)
			break;
		arch_cpu_relax();
	}
	uart_write(UART_THR, (unsigned char)c);
}

static const struct console_ops uart16550_ops = {
    .name = "uart16550",
    .putc = uart16550_putc,
};

/* Hands every byte waiting in the receive FIFO to the line discipline. */
static void uart16550_drain_rx(void)
{
	for (int i = 0; i < RX_DRAIN_LIMIT; i++) {
		if (!(uart_read(UART_LSR) & LSR_DATA_READY))
			break;
		console_input_char(uart_read(UART_RBR) & 0xff);
	}
}

/*
 * Interrupt handler: services causes until IIR says none is pending.
 * Reading LSR clears a line-status interrupt, reading RBR a receive one,
 * MSR a modem-status one and USR the DesignWare busy detect.
 */
static void uart16550_intr(void *arg)
{
	for (int i = 0; i < RX_DRAIN_LIMIT; i++) {
		u32 iir = uart_read(UART_IIR);
		if (iir & IIR_NO_INTERRUPT) {
			if ((iir & IIR_ID_MASK) != IIR_BUSY_DETECT)
				break;
			if (uart.designware)
				readl(uart.base + DW_UART_USR);
			continue;
		}
		if ((iir & IIR_ID_MASK) == IIR_MODEM_STATUS)
			uart_read(UART_MSR);
		uart16550_drain_rx();
	}
}

/*
 * Takes over the console from the SBI firmware: maps the registers named by
 * the device tree, resets the FIFOs, and (with an interrupt number) turns
 * on the receive interrupt.
 */
void uart16550_init(bool designware)
{
	u64 size = platform.uart.size ? platform.uart.size : PAGE_SIZE;

	uart.base = ioremap(platform.uart.base, size);
	uart.shift = platform.uart.reg_shift;
	uart.width = platform.uart.reg_io_width == 4 ? 4 : 1;
	uart.designware = designware;

	uart_write(UART_IER, 0);
	uart_write(UART_FCR, FCR_FIFO_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	uart_write(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	uart16550_drain_rx();
	uart_read(UART_IIR);
	uart_read(UART_MSR);
	if (designware)
		readl(uart.base + DW_UART_USR);

	console_set_output(&uart16550_ops);
	/* Says which register layout runs: a wrong stride is the classic
	 * silent console on a new board, so tests check this line. */
	printk("uart: %s at 0x%lx, reg-shift %u, %u-bit access\n",
	       platform.uart.compatible, platform.uart.base, uart.shift,
	       uart.width * 8);

	if (platform.uart.irq) {
		irq_register(platform.uart.irq, uart16550_intr, NULL);
		uart_write(UART_IER, IER_RX_AVAILABLE);
		console_input_by_irq();
	}
}
