/*
 * The Sv39 virtual memory layout.
 *
 *   0x0000000000000000  user space (page 0 never mapped)
 *   0x0000003fffffe000  USER_TOP: nothing user-accessible at or above this
 *   0xffffffc000000000  PAGE_OFFSET: linear map of all RAM (va = pa + PAGE_OFFSET)
 *   0xffffffe000000000  IOREMAP_BASE: device registers (1 GiB)
 *   0xffffffe040000000  KSTACK_BASE: kernel stacks with unmapped guard pages (1 GiB)
 *   0xffffffff80000000  KERNEL_VBASE: the kernel image, wherever it was loaded
 *
 * The linear map covers physical addresses below LINEAR_MAP_SIZE (128 GiB),
 * enough for RAM in banks far apart (PolarFire SoC's second bank starts at
 * 64 GiB).
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define PAGE_OFFSET 0xffffffc000000000UL
#define LINEAR_MAP_SIZE 0x2000000000UL
#define IOREMAP_BASE 0xffffffe000000000UL
#define IOREMAP_SIZE 0x40000000UL
#define KSTACK_BASE 0xffffffe040000000UL
#define KSTACK_AREA_SIZE 0x40000000UL
#define KERNEL_VBASE 0xffffffff80000000UL

#define USER_TOP 0x3fffffe000UL
#define SV39_VA_BITS 39

/*
 * Kernel stacks: each slot is KSTACK_SLOT_SIZE (a power of two) with the
 * stack in its top KSTACK_PAGES pages and an unmapped guard below, so the
 * trap entry can spot an overflow with a mask and a compare.
 */
#define KSTACK_PAGES 4
#define KSTACK_SIZE (KSTACK_PAGES * PAGE_SIZE)
#define KSTACK_SLOT_SHIFT 15
#define KSTACK_SLOT_SIZE (1UL << KSTACK_SLOT_SHIFT)
#define KSTACK_GUARD_SIZE (KSTACK_SLOT_SIZE - KSTACK_SIZE)

#endif
