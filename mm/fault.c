/*
 * The page-fault dispatcher. Every page fault on a user address ends up
 * here, whether the user program took it or the kernel took it inside
 * copy_to_user/copy_from_user. A fault is handled in stages:
 *
 *   find the VMA           -> none: FAULT_SEGV
 *   check the access       -> the VMA forbids it: FAULT_SEGV
 *   walk the page table    -> a level-0 PTE or a 2 MiB leaf (pgtable_walk)
 *   look at the entry (either size):
 *     store, COW bit       -> cow_fault() in cow.c, or huge_cow_fault() in
 *                             huge.c for a 2 MiB leaf
 *     not present          -> fault_missing() picks by the VMA's kind
 *                             (4 KiB only):
 *                               anonymous private: demand_zero() (a lazily
 *                               grown heap or mmap region; exec populates
 *                               stack and bss)
 *                               anonymous shared: never empty (mmap fills
 *                               it, see mm/mmap.c)
 *     store, no COW bit    -> FAULT_SEGV (never grant W to a read-only page)
 *     already allows it    -> another hart fixed it, or a stale TLB entry:
 *                             flush and retry
 *
 * All of it runs under mm->lock, so the PTE cannot change between the
 * decision and the update.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <printk.h>
#include "internal.h"
#include "huge.h"

static bool access_allowed(const struct vma *vma, unsigned access)
{
	if ((access & FAULT_WRITE) && !(vma->flags & VM_WRITE))
		return false;
	if ((access & FAULT_EXEC) && !(vma->flags & VM_EXEC))
		return false;
	if ((access & FAULT_READ) && !(vma->flags & VM_READ))
		return false;
	return true;
}

/* Maps a zeroed page at va: FAULT_OK or FAULT_OOM. mm->lock held on entry
 * and exit. */
static enum fault_result demand_zero(struct mm *mm, struct vma *vma, u64 va,
				     pte_t *ptep)
{
	struct page *pg = alloc_page(GFP_ZERO);

	if (!pg)
		return FAULT_OOM;
	pte_install(ptep, pte_mkleaf(page_to_pa(pg), vma_prot(vma)));
	mm->rss++;
	vm_event_inc(EV_ZERO_FILL);
	return FAULT_OK;
}

/*
 * A fault on an empty PTE: chooses how the page comes into being by the
 * kind of VMA. mm->lock held on entry and exit.
 */
static enum fault_result fault_missing(struct mm *mm, struct vma *vma, u64 va,
				       pte_t *ptep)
{
	if (vma->flags & VM_SHARED)
		panic("fault_missing: hole at %lx in a shared mapping", va);
	return demand_zero(mm, vma, va, ptep);
}

/* True when pte already permits the access (the fault was stale). */
static inline bool pte_permits(pte_t pte, unsigned access)
{
	if ((access & FAULT_WRITE) && !pte_writable(pte))
		return false;
	if ((access & FAULT_EXEC) && !pte_executable(pte))
		return false;
	return true;
}

enum fault_result handle_page_fault(struct mm *mm, u64 addr, unsigned access)
{
	u64 va = ALIGN_DOWN(addr, PAGE_SIZE);
	enum fault_result r;
	struct pt_walk w;
	struct vma *vma;
	pte_t pte;

	if (!mm || addr >= USER_TOP)
		return FAULT_SEGV;
	spin_lock(&mm->lock);
	vma = vma_find(mm, addr);
	if (!vma || !access_allowed(vma, access)) {
		r = FAULT_SEGV;
		goto out;
	}
	w = mm_walk(mm, va, true);
	if (unlikely(w.found == WALK_NONE)) {
		r = FAULT_OOM; /* no page for a page table */
		goto out;
	}
	pte = *w.ptep;
	if ((access & FAULT_WRITE) && pte_cow(pte)) {
		/* Each flushes what it changed. */
		if (w.found == WALK_HUGE)
			r = huge_cow_fault(mm, vma, va, w.ptep);
		else
			r = cow_fault(mm, vma, va, w.ptep);
		goto out;
	}
	if (!pte_valid(pte)) /* only a level-0 PTE can be empty here */
		r = fault_missing(mm, vma, va, w.ptep);
	else if (pte_permits(pte, access))
		r = FAULT_OK; /* stale TLB entry, either size: flush */
	else
		r = FAULT_SEGV;
	if (r == FAULT_OK)
		mm_flush_page(mm, va);
out:
	spin_unlock(&mm->lock);
	return r;
}
