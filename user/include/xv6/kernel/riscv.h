/*
 * xv6 compatibility: <kernel/riscv.h>, the parts a user program can use.
 *
 * Page size and rounding, the Sv39 address limit, the PTE bit names (for
 * programs that print page tables) and readers for the registers user mode
 * may read. The supervisor CSR accessors of xv6's kernel header are left
 * out on purpose: reading them in user mode would trap.
 */
#ifndef CALF_XV6_RISCV_H
#define CALF_XV6_RISCV_H

#include "kernel/types.h"

#define PGSIZE 4096 /* bytes per page */
#define PGSHIFT 12  /* bits of offset within a page */

#define PGROUNDUP(sz) (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE - 1))

/* Page table entry bits. */
#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)

#define PA2PTE(pa) ((((uint64)pa) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

/* The three 9-bit page table indices of a virtual address. */
#define PXMASK 0x1FF
#define PXSHIFT(level) (PGSHIFT + (9 * (level)))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

/*
 * One past the highest address xv6 allows: one bit less than Sv39's 39, so
 * that addresses never need sign extension.
 */
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

typedef uint64 pte_t;
typedef uint64 *pagetable_t;

#ifndef __ASSEMBLER__

/* The stack pointer. */
static inline uint64 r_sp(void)
{
	uint64 x;
	__asm__ volatile("mv %0, sp" : "=r"(x));
	return x;
}

/* The frame pointer (s0); programs are built with frame pointers. */
static inline uint64 r_fp(void)
{
	uint64 x;
	__asm__ volatile("mv %0, s0" : "=r"(x));
	return x;
}

/* The return address register. */
static inline uint64 r_ra(void)
{
	uint64 x;
	__asm__ volatile("mv %0, ra" : "=r"(x));
	return x;
}

/* The thread pointer; calf leaves it zero in user mode. */
static inline uint64 r_tp(void)
{
	uint64 x;
	__asm__ volatile("mv %0, tp" : "=r"(x));
	return x;
}

/* The real-time counter (the time CSR), readable when the kernel allows it. */
static inline uint64 r_time(void)
{
	uint64 x;
	__asm__ volatile("rdtime %0" : "=r"(x));
	return x;
}

#endif /* __ASSEMBLER__ */

#endif
