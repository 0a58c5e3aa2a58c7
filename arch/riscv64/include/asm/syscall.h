/*
 * Where a system call's number, arguments and result live in the trap
 * frame. Generic code (the dispatcher, fork, exec) reads and writes them
 * only through these; the RISC-V calling convention (a7 the number, a0..a5
 * the arguments, a0 the result) stays here.
 */
#ifndef ASM_SYSCALL_H
#define ASM_SYSCALL_H

#include <asm/ptrace.h>

#define SYSCALL_MAX_ARGS 6

/* The number of the system call the user asked for. */
static inline u64 syscall_nr(const struct trapframe *tf)
{
	return tf->regs[REG_A7];
}

/* Argument n (0 .. SYSCALL_MAX_ARGS - 1) as the user passed it. */
static inline u64 syscall_arg(const struct trapframe *tf, int n)
{
	return tf->regs[REG_A0 + n];
}

/* The value the user sees returned from the system call. */
static inline void syscall_set_return(struct trapframe *tf, u64 val)
{
	tf->regs[REG_A0] = val;
}

#endif
