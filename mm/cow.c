/*
 * Copy-on-write.
 *
 * fork side: vma_copy_ptes() walks a VMA of the parent one level-0 table
 * (2 MiB of address space) at a time; copy_pte_table() copies its PTEs. In
 * a private writable VMA each present page is shared through
 * cow_share_pte() (internal.h): both PTEs lose W and gain the COW software
 * bit, and the page gains a reference. Pages of read-only VMAs (text,
 * rodata) are shared plain: a reference more, no COW bit, read-only for
 * ever. Pages of shared VMAs (mmap MAP_SHARED) are shared plain too, and
 * stay writable in both where they were: parent and child write the same
 * page. A 2 MiB leaf goes to huge_fork_copy() (huge.c) instead.
 *
 * fault side: a store to a COW PTE comes here from fault.c. cow_fault()
 * looks at the page's refcount:
 *   1  -> cow_reuse(): we are the last sharer; make the PTE writable.
 *   >1 -> cow_copy(): copy into a new page, map it writable, drop our
 *         reference to the old one.
 * The refcount read is stable: only a fork of an address space mapping the
 * page can raise it, and the only such address space that can still fork
 * while our count is 1 is this one, whose lock we hold. A COW 2 MiB leaf
 * goes to huge_cow_fault() (huge.c), which comes back here for one 4 KiB
 * page when it splits the leaf.
 */
#include <addrspace.h>
#include <mm.h>
#include <errno.h>
#include <pgtable.h>
#include <printk.h>
#include <string.h>
#include "internal.h"
#include "huge.h"

/* Sole owner: write in place. mm->lock held on entry and exit. */
static enum fault_result cow_reuse(struct mm *mm, u64 va, pte_t *ptep)
{
	pte_install(ptep, pte_mkwrite(*ptep));
	mm_flush_local(va); /* an upgrade: see mm/tlb.c */
	vm_event_inc(EV_COW_REUSE);
	return FAULT_OK;
}

/*
 * Shared: gives this mapping its own copy. FAULT_OK, or FAULT_OOM with the
 * PTE untouched. mm->lock held on entry and exit.
 */
static enum fault_result cow_copy(struct mm *mm, struct vma *vma, u64 va,
				  pte_t *ptep, struct page *old)
{
	struct page *new = alloc_page(0);

	if (!new)
		return FAULT_OOM;
	copy_pages(page_address(new), page_address(old), PAGE_SIZE);
	pte_install(ptep, pte_mkleaf(page_to_pa(new), vma_prot(vma)));
	/* No hart may keep reading the old page through a stale entry once
	 * our reference is gone and the page can be reused. */
	mm_flush_page(mm, va);
	page_put(old);
	vm_event_inc(EV_COW_COPY);
	return FAULT_OK;
}

/* Contract in internal.h. */
enum fault_result cow_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep)
{
	struct page *pg = pa_to_page(pte_pa(*ptep));
	int refs = page_refcount(pg);

	if (!(vma->flags & VM_WRITE))
		panic("cow_fault: COW page at %lx in a read-only VMA", va);
	if (refs < 1)
		panic("cow_fault: page %p mapped with refcount %d",
		      (void *)page_to_pa(pg), refs);
	if (refs == 1)
		return cow_reuse(mm, va, ptep);
	return cow_copy(mm, vma, va, ptep, pg);
}

/*
 * Copies the present PTEs of one level-0 table: ptep[0..n) of the parent
 * into cptep[0..n) of the child. This is the loop a fork spends its time
 * in, so it touches each PTE once and each struct page once, with
 * everything it needs in registers. *mapped gets the number of pages
 * mapped into the child, even on failure. 0 or -ENOMEM (eager fork only).
 */
static int copy_pte_table(struct vma *vma, pte_t *ptep, pte_t *cptep, u64 n,
			  u64 *mapped)
{
	const struct page_bank bank0 = page_banks[0]; /* kept in registers */
	/* Shared mappings keep their PTEs as they are: no COW, no copy. */
	const bool cow = (vma->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	const bool copy =
	    IS_ENABLED(CONFIG_FORK_EAGER) && !(vma->flags & VM_SHARED);
	const unsigned prot = vma_prot(vma);
	u64 i, count = 0;
	int err = 0;

	for (i = 0; i < n; i++) {
		pte_t pte = ptep[i];

		if (!pte_valid(pte))
			continue;
		if (copy) {
			err = fork_copy_page(pte, &cptep[i], prot);
			if (err)
				break;
		} else {
			if (cow)
				pte = cow_share_pte(&ptep[i]);
			page_get(page_bank_pfn(&bank0, pte_pfn(pte)));
			cptep[i] = pte;
		}
		count++;
	}
	*mapped = count;
	return err;
}

/* Contract in internal.h. */
int vma_copy_ptes(struct mm *parent, struct mm *child, struct vma *vma)
{
	u64 va = vma->start;

	while (va < vma->end) {
		/* One level-0 table (2 MiB of address space) at a time. */
		u64 span_end =
		    MIN(ALIGN_DOWN(va, HUGE_SIZE) + HUGE_SIZE, vma->end);
		struct pt_walk w = mm_walk(parent, va, false), cw;
		u64 mapped;
		int err = 0;

		if (w.found == WALK_HUGE) {
			err = huge_fork_copy(child, vma, va, w.ptep);
		} else if (w.found == WALK_PTE) {
			cw = mm_walk(child, va, true);
			if (cw.found != WALK_PTE)
				return -ENOMEM;
			err = copy_pte_table(vma, w.ptep, cw.ptep,
					     (span_end - va) >> PAGE_SHIFT,
					     &mapped);
			child->rss += mapped;
		}
		if (err)
			return err;
		va = span_end;
	}
	return 0;
}
