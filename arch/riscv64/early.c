/*
 * Early page table, built with the MMU off.
 *
 * This runs at the physical load address before paging, so it may only use
 * PC-relative references (locals and globals, no absolute pointers, no
 * switch tables, no calls outside this file). It maps:
 *   - the kernel image at KERNEL_VBASE with 2 MiB pages (RWX for now; the
 *     final table in mmu.c gives each section its own permissions);
 *   - the 1 GiB around the kernel and the 1 GiB around the device tree in
 *     the linear map, so that kmain can read the DTB and allocate the page
 *     array before the final table exists.
 */
#include <types.h>
#include <asm/page.h>
#include <asm/pte.h>
#include <asm/csr.h>
#include <asm/entry.h>
#include <boot.h>

pte_t early_root[PT_ENTRIES] __aligned(PAGE_SIZE) __section(".bss.pgtable");
pte_t early_kernel_pmd[PT_ENTRIES] __aligned(PAGE_SIZE) __section(".bss.pgtable");


static void early_map_gigapage(phys_addr_t pa)
{
	u64 gpa = ALIGN_DOWN(pa, LEVEL_SIZE(2));
	u64 va = PAGE_OFFSET + gpa;
	early_root[PT_INDEX(va, 2)] = pte_mkleaf(gpa, PROT_READ | PROT_WRITE);
}

/* Returns the satp value that turns on the early table. */
u64 early_paging_setup(phys_addr_t load_pa, phys_addr_t dtb_pa)
{
	u64 image = (u64)(_end - _start_image);
	u64 nmeg = (image + LEVEL_SIZE(1) - 1) / LEVEL_SIZE(1);
	u64 i;

	for (i = 0; i < nmeg; i++) {
		u64 va = KERNEL_VBASE + i * LEVEL_SIZE(1);
		early_kernel_pmd[PT_INDEX(va, 1)] =
			pte_mkleaf(load_pa + i * LEVEL_SIZE(1),
				   PROT_READ | PROT_WRITE) | PTE_X;
	}
	early_root[PT_INDEX(KERNEL_VBASE, 2)] =
		pte_mktable((phys_addr_t)early_kernel_pmd);
	early_map_gigapage(load_pa);
	early_map_gigapage(dtb_pa);
	return SATP_MODE_SV39 | ((u64)early_root >> PAGE_SHIFT);
}
