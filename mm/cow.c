/*
 * Copy-on-write.
 *
 * fork side: vma_copy_ptes() walks a VMA of the parent. In a private
 * writable VMA each present page is shared through cow_share_pte(): both
 * PTEs lose W and gain the COW software bit, and the page gains a
 * reference. Pages of read-only VMAs (text, rodata) are shared plain: a
 * reference more, no COW bit, read-only for ever.
 *
 * fault side: a store to a COW PTE comes here from fault.c. cow_fault()
 * looks at the page's refcount:
 *   1  -> cow_reuse(): we are the last sharer; make the PTE writable.
 *   >1 -> cow_copy(): copy into a new page, map it writable, drop our
 *         reference to the old one.
 * The refcount read is stable: only a fork of an address space mapping the
 * page can raise it, and the only such address space that can still fork
 * while our count is 1 is this one, whose lock we hold.
 */
#include <vm.h>
#include <mm.h>
#include <errno.h>
#include <pgtable.h>
#include <printk.h>
#include <string.h>
#include "internal.h"

/* Sole owner: write in place. mm->lock held. */
static enum fault_result cow_reuse(struct mm *mm, u64 va, pte_t *ptep)
{
	pte_install(ptep, pte_mkwrite(*ptep));
	mm_flush_page(mm, va);
	vm_event_inc(EV_COW_REUSE);
	return FAULT_OK;
}

/* Shared: give this mapping its own copy. mm->lock held. */
static enum fault_result cow_copy(struct mm *mm, struct vma *vma, u64 va,
				  pte_t *ptep, struct page *old)
{
	struct page *new = alloc_page(0);

	if (!new)
		return FAULT_OOM;
	memcpy(page_address(new), page_address(old), PAGE_SIZE);
	pte_install(ptep, pte_mkleaf(page_to_pa(new), vma_prot(vma)));
	/* No hart may keep reading the old page through a stale entry once
	 * our reference is gone and the page can be reused. */
	mm_flush_page(mm, va);
	page_put(old);
	vm_event_inc(EV_COW_COPY);
	return FAULT_OK;
}

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

/* Makes a parent PTE copy-on-write and returns the child's copy of it. */
static inline pte_t cow_share_pte(pte_t *parent_ptep)
{
	pte_t pte = *parent_ptep;

	if (pte_writable(pte)) {
		pte = pte_mkcow(pte);
		WRITE_ONCE(*parent_ptep, pte); /* still a valid leaf: A set, no W */
	}
	return pte;
}

/* Eager fork: the child gets a private copy of the page. */
static inline __attribute__((always_inline)) int copy_pte_eager(pte_t pte, pte_t *child_ptep, struct vma *vma)
{
	struct page *pg = alloc_page(0);

	if (!pg)
		return -ENOMEM;
	memcpy(page_address(pg), pa_to_kva(pte_pa(pte)), PAGE_SIZE);
	pte_install(child_ptep, pte_mkleaf(page_to_pa(pg), vma_prot(vma)));
	return 0;
}

/*
 * Copies the present PTEs of one 2 MiB block: ptep[0..n) of the parent
 * into cptep[0..n) of the child. This is the loop a fork spends its time
 * in, so it touches each PTE once and each struct page once, with
 * everything it needs in registers. *mapped gets the number of pages
 * mapped into the child, even on failure. 0 or -ENOMEM.
 */
static int copy_block(struct vma *vma, pte_t *ptep, pte_t *cptep, u64 n, u64 *mapped)
{
	const struct page_map map = page_map_get();
	const bool cow = vma->flags & VM_WRITE;
	u64 i, count = 0;
	int err = 0;

	for (i = 0; i < n; i++) {
		pte_t pte = ptep[i];

		if (!pte_valid(pte))
			continue;
#ifdef CONFIG_FORK_EAGER
		(void)cow_share_pte;
		(void)map;
		(void)cow;
		err = copy_pte_eager(pte, &cptep[i], vma);
		if (err)
			break;
#else
		(void)copy_pte_eager;
		if (cow)
			pte = cow_share_pte(&ptep[i]);
		page_get(page_map_pfn(&map, pte_pfn(pte)));
		cptep[i] = pte;
#endif
		count++;
	}
	*mapped = count;
	return err;
}

/*
 * Copies the 2 MiB leaf *l1e at va into child: shared copy-on-write, or
 * (eager) a copy of the 2 MiB, in 4 KiB pages if no 2 MiB block is free.
 */
static int copy_huge(struct mm *child, struct vma *vma, u64 va, pte_t *l1e)
{
	pte_t *cl1e = pgtable_walk_l1(child->root, va, true);
	struct page *first = huge_leaf_page(*l1e);
	pte_t pte = *l1e;

	if (!cl1e)
		return -ENOMEM;
#ifdef CONFIG_FORK_EAGER
	struct page *new = alloc_huge(0);
	int i;

	if (!new) {
		pte_t *cptep = mm_pte(child, va, true);

		if (!cptep)
			return -ENOMEM;
		for (i = 0; i < HUGE_PAGES; i++) {
			if (copy_pte_eager(pte + ((pte_t)i << PTE_PPN_SHIFT), &cptep[i], vma))
				return -ENOMEM;
			child->rss++;
		}
		return 0;
	}
	memcpy(page_address(new), page_address(first), HUGE_SIZE);
	pte = pte_mkleaf(page_to_pa(new), vma_prot(vma));
#else
	if (vma->flags & VM_WRITE)
		pte = cow_share_pte(l1e);
	page_get_huge(first);
#endif
	pte_install(cl1e, pte);
	child->rss += HUGE_PAGES;
	return 0;
}

int vma_copy_ptes(struct mm *parent, struct mm *child, struct vma *vma)
{
	u64 va = vma->start;

	while (va < vma->end) {
		u64 block_end = MIN(ALIGN_DOWN(va, LEVEL_SIZE(1)) + LEVEL_SIZE(1), vma->end);
		u64 n = (block_end - va) >> PAGE_SHIFT;
		pte_t *ptep = mm_pte(parent, va, false), *cptep;
		u64 mapped;
		int err;

		if (!ptep && (ptep = mm_huge_leaf(parent, va)) != NULL) {
			err = copy_huge(child, vma, va, ptep);
			if (err)
				return err;
		} else if (ptep) {
			cptep = mm_pte(child, va, true);
			if (!cptep)
				return -ENOMEM;
			err = copy_block(vma, ptep, cptep, n, &mapped);
			child->rss += mapped;
			if (err)
				return err;
		}
		va = block_end;
	}
	return 0;
}
