/*
 * The seam between assembly and C inside arch/riscv64: the C functions
 * that head.S and entry.S call, and the assembly symbols C code uses.
 */
#ifndef ASM_ENTRY_H
#define ASM_ENTRY_H

#include <types.h>

struct trapframe;

/* head.S, MMU off: builds the early table; returns the satp value. */
u64 early_paging_setup(phys_addr_t load_pa, phys_addr_t dtb_pa);
/* head.S: a secondary hart's C entry, on its own stack, MMU on. */
void secondary_main(void);
/* entry.S: a trap from S-mode, and one from U-mode. */
void kernel_trap(struct trapframe *tf);
void user_trap(struct trapframe *tf);
/* entry.S: sp ran into the guard below a kernel stack. */
void kernel_stack_overflow(u64 pc, u64 addr, u64 sp);

/* entry.S: the trap vectors for kernel and user mode. */
extern char kernel_vec[], user_vec[];
/* head.S: where secondary harts start (physical), and their virtual
 * continuation. */
extern char secondary_entry[], secondary_virt[];

/* The uaccess exception table (kernel.lds): a faulting copy instruction
 * and where the copy resumes to return an error. */
struct ex_entry {
	u64 insn, fixup;
};
extern struct ex_entry __ex_table_start[], __ex_table_end[];

#endif
