/*
 * The hooks generic code uses instead of RISC-V instructions.
 */
#ifndef ASM_ARCH_H
#define ASM_ARCH_H

#include <types.h>
#include <asm/csr.h>

static inline void arch_irq_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void arch_irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline bool arch_irq_enabled(void) { return csr_read(sstatus) & SSTATUS_SIE; }
/* Turns interrupts off; returns whether they were on, for arch_irq_restore(). */
static inline bool arch_irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}
static inline void arch_irq_restore(bool on)
{
	if (on)
		arch_irq_enable();
}
static inline void arch_wait_for_interrupt(void) { __asm__ __volatile__("wfi"); }
static inline void arch_cpu_relax(void) { __asm__ __volatile__("nop"); }

/*
 * Whether a hart-local interrupt number, as a device tree's
 * interrupts-extended names it, is the supervisor external interrupt (the
 * one a PLIC context raises).
 */
static inline bool arch_irq_is_s_external(u32 hart_irq)
{
	return hart_irq == IRQ_S_EXT;
}

/* Flush this hart's TLB entry for va (all address spaces). */
static inline void arch_flush_tlb_page(unsigned long va)
{
	__asm__ __volatile__("sfence.vma %0, zero" ::"r"(va) : "memory");
}
static inline void arch_flush_tlb_all(void)
{
	__asm__ __volatile__("sfence.vma zero, zero" ::: "memory");
}
/* Make stores to memory visible to this hart's instruction fetch. */
static inline void arch_sync_icache(void) { __asm__ __volatile__("fence.i" ::: "memory"); }

/* Installs a root page table (physical address) on this hart and flushes. */
static inline void arch_switch_root(phys_addr_t root_pa)
{
	csr_write(satp, SATP_MODE_SV39 | (root_pa >> 12));
	arch_flush_tlb_all();
}

/* Reads the time CSR (ticks of timebase frequency). */
static inline u64 arch_read_time(void)
{
	u64 t;
	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

/* Remote TLB flush of [start, start+size) on harts in cpu_mask (cpu indices). */
void arch_flush_tlb_remote(unsigned long cpu_mask, unsigned long start, unsigned long size);
/* After writing code: this hart now, the others before they next run user code. */
void arch_sync_icache_all(void);
/* Called when switching to a user address space. */
void arch_icache_sync_pending(void);
/* Sends a software interrupt to a cpu index. */
void arch_send_ipi(int cpu);
/* Powers off (SRST or the test finisher) with a pass/fail status. */
void arch_poweroff(int status) __noreturn;
/* Walks the frame-pointer chain from fp, printing return addresses. */
void arch_backtrace(unsigned long fp, unsigned long pc);

#endif
