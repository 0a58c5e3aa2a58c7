/*
 * Private to mm/.
 *
 * Lock order (outermost first):
 *   wait_lock > proc->lock > mm->lock > kmalloc_lock > page_lock
 * mm->lock guards an address space's VMA list, its page tables and the
 * PTEs in them; struct page refcounts are atomic and need no lock.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <mm.h>
#include <platform.h>

u64 total_page_count(void);
u64 reserved_page_count(void);
u64 huge_free_count(void);
u64 page_array_bytes(u64 npages); /* the page array plus the block counts */
bool range_reserved(phys_addr_t pa, u64 size, const struct mem_region *rsv, int nrsv);
void page_array_init(phys_addr_t base, u64 npages, phys_addr_t array_pa,
		     const struct mem_region *rsv, int nrsv);

#include <vm.h>
#include <pgtable.h>
#include <asm/arch.h>
#include <asm/cpu.h>

/*
 * Event counters shown by memstat, one row per hart: kernel code is not
 * preempted and interrupt handlers never count these events, so a plain
 * increment of this hart's row is safe; readers add the rows up.
 */
enum vm_event {
	EV_COW_COPY, EV_COW_REUSE, EV_ZERO_FILL,
	EV_THP_MAP, EV_THP_COPY, EV_THP_SPLIT,
	NR_VM_EVENTS
};
extern u64 vm_events[MAX_CPUS][NR_VM_EVENTS];

static inline void vm_event_inc(enum vm_event ev)
{
	vm_events[cpu_id()][ev]++;
}

/* PTE protection for a VMA's pages. */
static inline unsigned vma_prot(const struct vma *vma)
{
	unsigned prot = PROT_USER;

	if (vma->flags & VM_READ)
		prot |= PROT_READ;
	if (vma->flags & VM_WRITE)
		prot |= PROT_WRITE;
	if (vma->flags & VM_EXEC)
		prot |= PROT_EXEC;
	return prot;
}
/* Flushes va from every hart that may cache mm's translations. */
static inline void mm_flush_page(struct mm *mm, u64 va)
{
	u64 others = __atomic_load_n(&mm->active_cpus, __ATOMIC_ACQUIRE) &
		     ~(1UL << cpu_id());

	arch_flush_tlb_page(va);
	if (unlikely(others))
		arch_flush_tlb_remote(others, va, PAGE_SIZE);
}
void mm_flush_all(struct mm *mm);
/* The level-0 PTE of va, or NULL when no table covers it. mm->lock held. */
static inline pte_t *mm_pte(struct mm *mm, u64 va, bool alloc)
{
	return pgtable_walk(mm->root, va, alloc);
}

/* Drops the pages mapped in [start, end) of mm. mm->lock held. */
void unmap_pages(struct mm *mm, u64 start, u64 end);

/* huge.c: 2 MiB heap mappings. */
/* The 2 MiB leaf covering va, or NULL. */
pte_t *mm_huge_leaf(struct mm *mm, u64 va);
struct page *huge_leaf_page(pte_t pte);
/* Unmaps a 2 MiB leaf and drops its references. */
void huge_release(struct mm *mm, pte_t *l1e);
/* Turns a 2 MiB leaf into a table of 512 small PTEs. 0 or -ENOMEM. */
int huge_split(struct mm *mm, u64 va, pte_t *l1e);
/* Splits the 2 MiB leaf around addr unless addr is 2 MiB aligned. */
int mm_split_huge_at(struct mm *mm, u64 addr);
enum fault_result huge_cow_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *l1e);
/* Maps va's 2 MiB heap block with a zeroed huge page; false when va is
 * not eligible or no block is free (use 4 KiB pages). Takes mm->lock. */
bool huge_populate(struct mm *mm, u64 va);

/* cow.c */
enum fault_result cow_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep);
/* fork: share (or, eager, copy) the pages of one VMA into child. */
int vma_copy_ptes(struct mm *parent, struct mm *child, struct vma *vma);

#endif
