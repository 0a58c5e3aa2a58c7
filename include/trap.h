/*
 * The generic trap layer (trap/) and the arch hooks it is called from.
 */
#ifndef CALF_TRAP_H
#define CALF_TRAP_H

#include <types.h>

struct trapframe;

/* Called by arch/riscv64/trap.c. */
void timer_interrupt(bool from_user);
void external_interrupt(void);
void ipi_interrupt(void);
void syscall_dispatch(void);
void user_page_fault(u64 addr, unsigned access, u64 pc);
void user_exception(const char *what, u64 addr, u64 pc);
/* Kernel-mode page fault; true when resolved or redirected to a fixup. */
bool kernel_page_fault(struct trapframe *tf, u64 addr, unsigned access, bool uaccess);
/* Work before returning to user: kill, yield. */
void user_trap_finish(void);

/* Provided by arch. */
void arch_trap_init_hart(void);
void user_trap_return(struct trapframe *tf) __noreturn;
/* Sets tf up to enter user mode at pc with stack sp and argv as main's
 * second argument; main's first (argc) is exec's return value. */
void trapframe_init_user(struct trapframe *tf, u64 pc, u64 sp, u64 argv);
/* A new thread's frame (a copy of its creator's): starts at pc with stack
 * sp and its first two arguments arg0, arg1. */
void trapframe_set_thread(struct trapframe *tf, u64 pc, u64 sp, u64 arg0, u64 arg1);
const char *trap_cause_name(u64 cause);
void arch_set_timer(u64 when);
/* Programs this hart's next tick; returns the ticks that have passed. */
u64 timer_rearm(void);
/* The fixup address for a faulting uaccess instruction, or 0. */
u64 exception_fixup(u64 pc);

#endif
