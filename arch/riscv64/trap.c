/*
 * Trap decoding: the only place that knows scause values. It turns each
 * trap into a call to the generic trap layer (trap/trap.c).
 */
#include <types.h>
#include <printk.h>
#include <trap.h>
#include <addrspace.h>
#include <asm/arch.h>
#include <asm/page.h>
#include <asm/csr.h>
#include <asm/cpu.h>
#include <asm/ptrace.h>
#include <asm/sbi.h>
#include <asm/entry.h>

void user_return(struct trapframe *tf) __noreturn;

static const char *const exc_names[] = {
	[EXC_INST_MISALIGNED] = "instruction address misaligned",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL_INST] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store address misaligned",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "environment call from U-mode",
	[EXC_ECALL_S] = "environment call from S-mode",
	[EXC_INST_PAGE_FAULT] = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT] = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store page fault",
};

const char *trap_cause_name(u64 scause)
{
	if (scause & SCAUSE_INTERRUPT)
		return "interrupt";
	if (scause < ARRAY_SIZE(exc_names) && exc_names[scause])
		return exc_names[scause];
	return "unknown exception";
}

void arch_trap_init_hart(void)
{
	csr_write(stvec, (u64)kernel_vec);
	csr_write(sscratch, 0);
	csr_set(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);
	/* User programs may read the time CSR (benchmarks use it). */
	csr_set(scounteren, SCOUNTEREN_TM);
}

/* The access a page-fault cause stands for, or 0 if it is not one. */
static unsigned fault_access(u64 cause)
{
	if (cause == EXC_LOAD_PAGE_FAULT)
		return FAULT_READ;
	if (cause == EXC_STORE_PAGE_FAULT)
		return FAULT_WRITE;
	if (cause == EXC_INST_PAGE_FAULT)
		return FAULT_EXEC;
	return 0;
}

static void handle_interrupt(u64 cause, bool from_user)
{
	u64 irq = cause & ~SCAUSE_INTERRUPT;

	if (irq == IRQ_S_TIMER) {
		timer_interrupt(from_user);
	} else if (irq == IRQ_S_EXT) {
		external_interrupt();
	} else if (irq == IRQ_S_SOFT) {
		csr_clear(sip, SIE_SSIE);
		ipi_interrupt();
	} else {
		panic("handle_interrupt: unexpected interrupt %lu", irq);
	}
}

/* A trap taken while in the kernel. */
void kernel_trap(struct trapframe *tf)
{
	u64 cause = tf->scause;
	unsigned access;

	/* User memory stays closed while handling; the frame restores SUM. */
	csr_clear(sstatus, SSTATUS_SUM);
	if (tf->sstatus & SSTATUS_SPP) {
		if (cause & SCAUSE_INTERRUPT) {
			handle_interrupt(cause, false);
			return;
		}
		access = fault_access(cause);
		if (access && kernel_page_fault(tf, tf->stval, access,
						tf->sstatus & SSTATUS_SUM))
			return;
	}
	printk("\nkernel trap: %s (scause %lx)\n  sepc %lx stval %lx sp %lx\n",
	       trap_cause_name(cause), cause, tf->sepc, tf->stval, tf->regs[REG_SP]);
	arch_backtrace(tf->regs[REG_S0], tf->sepc);
	panic("kernel_trap: %s at pc %lx, address %lx", trap_cause_name(cause),
	      tf->sepc, tf->stval);
}

/* A trap taken in user mode; leaves through user_trap_return(). */
void user_trap(struct trapframe *tf)
{
	u64 cause = tf->scause;
	unsigned access;

	csr_write(stvec, (u64)kernel_vec);
	if (cause & SCAUSE_INTERRUPT) {
		handle_interrupt(cause, true);
	} else if (cause == EXC_ECALL_U) {
		tf->sepc += 4;
		arch_irq_enable();
		syscall_dispatch();
	} else if ((access = fault_access(cause)) != 0) {
		arch_irq_enable();
		user_page_fault(tf->stval, access, tf->sepc);
	} else {
		arch_irq_enable();
		user_exception(trap_cause_name(cause), tf->stval, tf->sepc);
	}
	user_trap_finish();
	user_trap_return(tf);
}

/* Called on a spare stack when a kernel stack ran into its guard page. */
void kernel_stack_overflow(u64 pc, u64 addr, u64 sp)
{
	panic("kernel stack overflow: pc %lx touched %lx with sp %lx", pc, addr, sp);
}

/* Returns to user mode with tf's registers. */
void user_trap_return(struct trapframe *tf)
{
	u64 st;

	arch_irq_disable();
	csr_write(stvec, (u64)user_vec);
	st = csr_read(sstatus);
	st &= ~(SSTATUS_SPP | SSTATUS_SUM | SSTATUS_FS);
	st |= SSTATUS_SPIE;
	tf->sstatus = st;
	user_return(tf);
}

/* Sets up a fresh trap frame to start user code at pc with stack sp. */
void trapframe_init_user(struct trapframe *tf, u64 pc, u64 sp, u64 argv)
{
	int i;

	for (i = 0; i < 32; i++)
		tf->regs[i] = 0;
	tf->sepc = pc;
	tf->regs[REG_SP] = sp;
	tf->regs[REG_A1] = argv;
}

void trapframe_set_thread(struct trapframe *tf, u64 pc, u64 sp, u64 arg0,
			  u64 arg1)
{
	tf->sepc = pc;
	tf->regs[REG_SP] = sp;
	tf->regs[REG_A0] = arg0;
	tf->regs[REG_A1] = arg1;
	/* Returning from the entry faults: threads end with thread_exit. */
	tf->regs[REG_RA] = 0;
}

void arch_set_timer(u64 when)
{
	sbi_set_timer(when);
}

/* Prints the return addresses on the frame-pointer chain starting at fp. */
void arch_backtrace(unsigned long fp, unsigned long pc)
{
	int depth;

	printk("backtrace (addr2line -e build/kernel.elf):\n  %lx\n", pc);
	for (depth = 0; depth < 16; depth++) {
		unsigned long ra, next;
		if (fp < PAGE_OFFSET || (fp & 7) || fp < 16)
			break;
		ra = ((unsigned long *)fp)[-1];
		next = ((unsigned long *)fp)[-2];
		if (ra < KERNEL_VBASE)
			break;
		printk("  %lx\n", ra);
		if (next <= fp || next - fp > KSTACK_SIZE)
			break;
		fp = next;
	}
}
