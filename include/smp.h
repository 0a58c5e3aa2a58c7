/* Harts: bring-up and the scheduler loop each one runs. */
#ifndef CALF_SMP_H
#define CALF_SMP_H

#include <types.h>
#include <uapi/param.h>

/* Kernel stack slots: one per process, then one per cpu. */
#define NPROC_SLOTS NPROC
/* Maps the kernel stack of slot above its guard (arch/riscv64/mmu.c) and
 * returns its lowest address; panics when memory is out. */
void *kstack_map(int slot);

extern int ncpus_online, ncpus_possible;

void smp_init_cpu_map(u32 boot_hartid);
void smp_boot_secondaries(void);
void smp_hart_setup(void);
int cpu_desc_index(int cpu);
void timer_init_hart(void);
void scheduler(void) __noreturn;

#endif
