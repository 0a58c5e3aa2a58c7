/* Callee-saved registers kept across swtch(). */
#ifndef ASM_CONTEXT_H
#define ASM_CONTEXT_H

#include <types.h>

struct context {
	u64 ra;
	u64 sp;
	u64 s[12];
};

/* switch.S: saves the callee-saved registers in old, loads new's. */
void swtch(struct context *old, struct context *new);

/*
 * setjmp.S: kernel_setjmp() saves this hart's callee-saved registers and
 * sp in buf and returns 0; kernel_longjmp(buf, val) returns there again
 * with val. Used only by ktest_expect_panic().
 */
int kernel_setjmp(void *buf);
void kernel_longjmp(void *buf, long val) __noreturn;

#endif
