/*
 * The boot sequence and the symbols the linker script defines.
 *
 *   head.S          the Image header; early page table (early.c); jumps to
 *   kmain()         SBI, device tree, mm_init(), paging_init(), console,
 *                   interrupts, proc_init(), the other harts, then
 *                   proc_start_first() and the scheduler
 *   kernel_init()   the first process: proc_first_entry(), the root file
 *                   system, the self tests when asked, then exec /init
 */
#ifndef CALF_BOOT_H
#define CALF_BOOT_H

#include <types.h>

/* The boot hart's C entry, from head.S with the MMU on. */
void kmain(u32 hartid, phys_addr_t dtb_pa, phys_addr_t load_pa);
/* The first process's kernel half: runs on its own stack, never returns
 * to its caller (it drops to user mode in /init). */
void kernel_init(void);

/* mm/init.c: the page allocator over RAM minus the kernel image and DTB. */
void mm_init(phys_addr_t kernel_pa, u64 kernel_size, phys_addr_t dtb_pa,
	     u64 dtb_size);
/* arch/riscv64/mmu.c: the final kernel page table, installed on this hart. */
void paging_init(void);
/* proc/proc.c: the process table; the first process, made runnable. */
void proc_init(void);
void proc_start_first(void);
/* proc/proc.c: what every new process runs first in the kernel. */
void proc_first_entry(void);

/*
 * The value of a "key=value" word on the kernel command line, copied to
 * buf (size bytes, truncated); a bare "key" gives "". False when absent.
 */
bool cmdline_get(const char *key, char *buf, size_t size);

/* Where the Image was loaded (physical), set by kmain(). */
extern phys_addr_t kernel_phys_base;

/* Section bounds from arch/riscv64/kernel.lds (kernel virtual addresses). */
extern char _start_image[], _end[];
extern char _text_start[], _etext[], _srodata[], _erodata[], _sdata[];

#endif
