/*
 * The RISC-V platform-level interrupt controller (PLIC).
 *
 * The PLIC routes device interrupt sources (1..ndev) to hart contexts. Each
 * source has a priority (0 = never delivered); each context has an enable
 * bit per source, a priority threshold, and a claim/complete register: a
 * read claims the highest-priority pending source (0 when none), writing
 * the number back completes it so the source may fire again.
 *
 * Which context is a hart's S-mode context differs between machines (2h+1
 * on QEMU virt, 2h on QEMU sifive_u and the JH7110), so the numbers come
 * from the device tree: platform.plic.ctx_of_cpu[cpu index].
 *
 * Registration may come before irq_init() (the UART is set up first): the
 * handler table is static, and irq_init()/irq_init_hart() program priority
 * and enable bits for everything registered so far. After that,
 * irq_register() programs the hardware directly. Every source is enabled
 * on every usable hart; whichever hart claims it runs the handler.
 */
#include <irq.h>
#include <mm.h>
#include <platform.h>
#include <smp.h>
#include <printk.h>
#include <spinlock.h>
#include <asm/cpu.h>
#include <asm/mmio.h>

#define PLIC_MAX_SOURCES 1024

#define PLIC_PRIORITY(irq)    (4 * (irq))
#define PLIC_ENABLE(ctx, irq) (0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)   (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)	      (0x200000 + 0x1000 * (ctx) + 4)

#define IRQ_PRIORITY_ON 1
/* The PLIC register window when the device tree gives no size. */
#define PLIC_DEFAULT_SIZE 0x4000000

/* A handler claiming more than this many interrupts in a row yields. */
#define DISPATCH_LIMIT 64

struct irq_action {
	irq_handler_t handler;
	void *arg;
};

static struct spinlock plic_lock = SPINLOCK_INIT("plic");
static u8 *plic_base;				    /* NULL until irq_init() */
static struct irq_action actions[PLIC_MAX_SOURCES]; /* guarded by plic_lock */
static u32 nsources; /* platform.plic.ndev, capped */

/* The S-mode context of cpu index i, or -1 when it takes no interrupts. */
static int context_of(int cpu)
{
	if (cpu < 0 || cpu >= ncpus_possible)
		return -1;
	return platform.plic.ctx_of_cpu[cpu_desc_index(cpu)];
}

/* Sets or clears irq's enable bit in one context. plic_lock held on entry
 * and exit. */
static void plic_set_enable(int ctx, u32 irq, bool on)
{
	u8 *reg = plic_base + PLIC_ENABLE(ctx, irq);
	u32 bit = 1u << (irq % 32);
	u32 v = readl(reg);

	writel(on ? (v | bit) : (v & ~bit), reg);
}

/*
 * Boot hart, once: maps the PLIC and sets every source's priority, 0 (off)
 * except for sources already registered.
 */
void irq_init(void)
{
	if (platform.plic.base == 0)
		panic("irq_init: the device tree names no PLIC");

	spin_lock(&plic_lock);
	nsources = MIN(platform.plic.ndev + 1, (u32)PLIC_MAX_SOURCES);
	plic_base =
	    ioremap(platform.plic.base, platform.plic.size ? platform.plic.size
							   : PLIC_DEFAULT_SIZE);
	for (u32 irq = 1; irq < nsources; irq++) {
		u32 prio = actions[irq].handler ? IRQ_PRIORITY_ON : 0;
		writel(prio, plic_base + PLIC_PRIORITY(irq));
	}
	spin_unlock(&plic_lock);
}

/*
 * Every hart: enables exactly the registered sources in this hart's
 * S-context and lets every priority through (threshold 0).
 */
void irq_init_hart(void)
{
	int ctx = context_of(cpu_id());

	if (ctx < 0)
		panic("irq_init_hart: cpu %d has no PLIC S-mode context",
		      cpu_id());
	if (!plic_base)
		panic("irq_init_hart: irq_init has not run");

	spin_lock(&plic_lock);
	for (u32 irq = 1; irq < nsources; irq++)
		plic_set_enable(ctx, irq, actions[irq].handler != NULL);
	writel(0, plic_base + PLIC_THRESHOLD(ctx));
	spin_unlock(&plic_lock);
}

/*
 * Installs handler for irq and, once the PLIC is mapped, gives the source
 * priority 1 and enables it in every usable hart's S-context. Registering
 * a source twice, or a number the PLIC does not have, is a kernel bug.
 */
void irq_register(u32 irq, irq_handler_t handler, void *arg)
{
	if (irq == 0 || irq >= PLIC_MAX_SOURCES ||
	    (plic_base && irq >= nsources))
		panic("irq_register: irq %u out of range", irq);
	if (!handler)
		panic("irq_register: irq %u: NULL handler", irq);

	spin_lock(&plic_lock);
	if (actions[irq].handler)
		panic("irq_register: irq %u registered twice", irq);
	actions[irq].arg = arg;
	actions[irq].handler = handler;
	if (plic_base) {
		writel(IRQ_PRIORITY_ON, plic_base + PLIC_PRIORITY(irq));
		for (int cpu = 0; cpu < ncpus_possible; cpu++) {
			int ctx = context_of(cpu);
			if (ctx >= 0)
				plic_set_enable(ctx, irq, true);
		}
	}
	spin_unlock(&plic_lock);
}

/*
 * Supervisor external interrupt on this hart: claims pending sources one by
 * one, runs each handler (interrupts off) and completes it. A claimed
 * source without a handler is reported and completed.
 */
void irq_dispatch(void)
{
	int ctx = context_of(cpu_id());

	if (ctx < 0 || !plic_base)
		panic("irq_dispatch: external interrupt on cpu %d without a "
		      "PLIC context",
		      cpu_id());

	for (int n = 0; n < DISPATCH_LIMIT; n++) {
		u32 irq = readl(plic_base + PLIC_CLAIM(ctx));
		if (irq == 0)
			break;
		struct irq_action act = {0};
		if (irq < PLIC_MAX_SOURCES)
			act = actions[irq];
		if (act.handler)
			act.handler(act.arg);
		else
			printk("irq_dispatch: spurious irq %u on cpu %d\n", irq,
			       cpu_id());
		writel(irq, plic_base + PLIC_CLAIM(ctx));
	}
}
