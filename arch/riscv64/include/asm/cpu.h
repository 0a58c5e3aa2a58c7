/*
 * Per-hart data. tp always holds this hart's struct cpu while in the kernel
 * (user tp is saved in the trap frame), so cpu_this() is one register read.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#ifndef __ASSEMBLER__
#include <types.h>
#include <asm/context.h>
#endif

#ifndef __ASSEMBLER__
struct proc;
#endif

/* Offset of emergency_sp, used by entry.S. */
#define CPU_EMERGENCY_SP 0

#ifndef __ASSEMBLER__
struct cpu {
	u64 emergency_sp; /* top of a spare stack for reporting an overflow */
	int id;          /* index into cpus[] (not the hart id) */
	u32 hartid;
	struct proc *proc;       /* running process or NULL */
	struct context sched_ctx; /* swtch() here to enter the scheduler */
	int noff;        /* depth of irq_push_off() */
	bool intena;     /* were interrupts on before the first push_off? */
	bool online;
	bool idle;       /* waiting for an interrupt in the scheduler */
	u64 timer_ticks; /* timer interrupts taken */
	u64 next_timer;
	void *stack_top; /* scheduler/boot stack */
	/* for panic recovery in death tests */
	void *panic_jmp;
};

extern struct cpu cpus[];
extern int ncpus_online;

static inline struct cpu *cpu_this(void)
{
	struct cpu *c;
	__asm__ __volatile__("mv %0, tp" : "=r"(c));
	return c;
}
static inline int cpu_id(void) { return cpu_this()->id; }
_Static_assert(offsetof(struct cpu, emergency_sp) == CPU_EMERGENCY_SP,
	       "entry.S knows where emergency_sp is");
#endif

#endif
