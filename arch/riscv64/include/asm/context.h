/* Callee-saved registers kept across swtch(). */
#ifndef ASM_CONTEXT_H
#define ASM_CONTEXT_H

#include <types.h>

struct context {
	u64 ra;
	u64 sp;
	u64 s[12];
};

#endif
