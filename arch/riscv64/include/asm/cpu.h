/*
 * Per-hart data. tp always holds this hart's struct cpu while in the kernel
 * (user tp is saved in the trap frame), so cpu_this() is one register read.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <types.h>
#include <asm/context.h>

struct proc;

struct cpu {
	int id;          /* index into platform.cpus and cpus[] */
	u32 hartid;
	struct proc *proc;       /* running process or NULL */
	struct context sched_ctx; /* swtch() here to enter the scheduler */
	int noff;        /* depth of irq_push_off() */
	bool intena;     /* were interrupts on before the first push_off? */
	bool online;
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

#endif
