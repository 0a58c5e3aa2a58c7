/*
 * Which harts may cache an address space's translations, and flushing them.
 * mm_activate() switches this hart to mm and records it in
 * mm->active_cpus; mm_leave() takes it out after a switch away. A PTE that
 * loses rights (fork's write-protect, unmap) is flushed on every hart in
 * that mask: mm_flush_page() (internal.h) for one page, mm_flush_all() for
 * everything. The SBI calls behind the remote flushes are in arch/riscv64.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include "internal.h"

void mm_activate(struct mm *mm)
{
	__atomic_or_fetch(&mm->active_cpus, 1UL << cpu_id(), __ATOMIC_ACQ_REL);
	arch_switch_root(kva_to_pa(mm->root));
	arch_icache_sync_pending();
}

void mm_activate_kernel(void)
{
	arch_switch_root(kva_to_pa(kernel_root));
}

void mm_leave(struct mm *mm)
{
	__atomic_and_fetch(&mm->active_cpus, ~(1UL << cpu_id()),
			   __ATOMIC_ACQ_REL);
}

void mm_flush_all(struct mm *mm)
{
	arch_flush_tlb_all();
	arch_flush_tlb_remote(
	    __atomic_load_n(&mm->active_cpus, __ATOMIC_ACQUIRE), 0, ~0UL);
}
