/*
 * The register frame saved on every trap. Layout is shared with entry.S
 * (offsets below); x0's slot holds nothing.
 */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

#define TF_REG(n) ((n) * 8)
#define TF_SEPC (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_STVAL (34 * 8)
#define TF_SCAUSE (35 * 8)
#define TF_KTP (36 * 8) /* kernel tp to load on a trap from user mode */
#define TF_SIZE (38 * 8) /* keeps 16-byte alignment */

#ifndef __ASSEMBLER__
#include <types.h>

struct trapframe {
	u64 regs[32]; /* x0..x31; regs[0] unused */
	u64 sepc;
	u64 sstatus;
	u64 stval;
	u64 scause;
	u64 kernel_tp;
	u64 pad;
};

#define REG_RA 1
#define REG_SP 2
#define REG_GP 3
#define REG_TP 4
#define REG_S0 8
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

/* The pc the trap was taken at (where a return from the trap resumes). */
static inline u64 tf_pc(const struct trapframe *tf)
{
	return tf->sepc;
}

/* Makes the return from the trap resume at pc. */
static inline void tf_set_pc(struct trapframe *tf, u64 pc)
{
	tf->sepc = pc;
}
#endif
#endif
