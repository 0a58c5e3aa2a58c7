/*
 * Transparent huge pages for the heap.
 *
 * An eager sbrk that covers a whole 2 MiB-aligned span of the heap maps
 * that span with one level-1 leaf PTE over a 2 MiB block of physical
 * memory from alloc_huge(), when one is wholly free, and with 4 KiB pages
 * otherwise. The block is counted whole while only 2 MiB leaves map it:
 * one count, on its first page, of the leaves that map it (include/mm.h);
 * the first split gives each of its 512 pages its own count, exactly as
 * 512 small PTEs would have. So every refcount rule of copy-on-write
 * holds, per block while whole and per page after:
 *
 *   fork    (huge_fork_copy) the parent's leaf turns COW like a small one;
 *           the child gets a copy of the leaf and the block one owner more
 *           (one count, not 512, while whole). One PTE written.
 *   store   to a COW 2 MiB leaf (huge_cow_fault): the leaf is the block's
 *           only owner (huge_sole_owner) -> reuse it; otherwise copy the
 *           2 MiB into a new block and drop the old one's owner; with no
 *           free block, or memory running low, split the leaf and copy the
 *           one 4 KiB page that was written.
 *   split   the leaf becomes a table of 512 small PTEs with the same bits;
 *           a block counted whole first gives each page the block's count
 *           (huge_split_counts), so each small PTE holds its page's
 *           reference. Unmapping part of a leaf (an sbrk shrink to a break
 *           inside it) splits first.
 *   unmap   drops the leaf's owner (one count, or 512); a block left with
 *           none goes back to the allocator in one piece.
 *
 * A lazily grown heap (sbrklazy) and an anonymous private mmap region get a
 * 2 MiB page at the first touch of a span wholly inside them that nothing
 * maps yet (huge_fault_fill), under the same conditions; munmap and
 * mprotect split a leaf they cut, as an sbrk shrink does. The stack, ELF
 * segments, file and shared mappings always get 4 KiB pages; so does
 * everything when the command line says thp=off.
 * Words: a "block" is 2 MiB of physical RAM (the allocator's unit); the
 * 2 MiB of address space one leaf or one level-0 table covers is a "span".
 * The entry points are declared side by side in huge.h, with their
 * contracts; everything here runs under mm->lock unless it says otherwise.
 */
#include <addrspace.h>
#include <mm.h>
#include <errno.h>
#include <pgtable.h>
#include <printk.h>
#include <string.h>
#include "internal.h"
#include "huge.h"

bool thp_enabled = true;

/* The first of the 512 pages a 2 MiB leaf maps. */
struct page *huge_leaf_page(pte_t pte)
{
	if (unlikely(!IS_ALIGNED(pte_pa(pte), HUGE_SIZE)))
		panic("huge leaf %lx maps a misaligned block", pte);
	return pa_to_page(pte_pa(pte));
}

void huge_release(struct mm *mm, pte_t *l1e, struct tlb_batch *b)
{
	struct page *first = huge_leaf_page(*l1e);

	WRITE_ONCE(*l1e, 0);
	if (b)
		tlb_batch_add(b, first, TLB_ITEM_HUGE);
	else
		page_put_huge(first);
	mm->rss -= HUGE_PAGES;
}

int huge_split(struct mm *mm, u64 va, pte_t *l1e)
{
	pte_t *t = pgtable_alloc();
	pte_t pte = *l1e;
	int i;

	if (!t)
		return -ENOMEM;
	/* 512 small PTEs need 512 counts: each page gets the block's. */
	huge_split_counts(huge_leaf_page(pte));
	/* Same bits, consecutive frames: adding i to the PPN field. */
	for (i = 0; i < PT_ENTRIES; i++)
		t[i] = pte + ((pte_t)i << PTE_PPN_SHIFT);
	WRITE_ONCE(*l1e, pte_mktable(kva_to_pa(t)));
	mm_flush_page(mm, ALIGN_DOWN(va, HUGE_SIZE));
	vm_event_inc(EV_THP_SPLIT);
	return 0;
}

int mm_split_huge_at(struct mm *mm, u64 addr)
{
	struct pt_walk w;

	if (IS_ALIGNED(addr, HUGE_SIZE))
		return 0;
	w = mm_walk(mm, addr, false);
	return w.found == WALK_HUGE ? huge_split(mm, addr, w.ptep) : 0;
}

/*
 * Whether a COW fault may copy a whole 2 MiB page. A process that writes
 * one word in each of many shared 2 MiB pages would otherwise take 512
 * times the memory it needs, and run out where 4 KiB copies fit (tests/cow
 * cowbig does just that). So whole copies stop while less than a quarter
 * of memory would be left free; below that, only the written 4 KiB page
 * is copied.
 */
static bool huge_copy_affordable(void)
{
	return free_page_count() >= total_page_count() / 4 + HUGE_PAGES;
}

enum fault_result huge_cow_fault(struct mm *mm, struct vma *vma, u64 va,
				 pte_t *l1e)
{
	u64 hva = ALIGN_DOWN(va, HUGE_SIZE);
	pte_t pte = *l1e;
	struct page *old = huge_leaf_page(pte), *new;

	if (!(vma->flags & VM_WRITE))
		panic("huge_cow_fault: COW leaf at %lx in a read-only VMA", va);
	if (huge_sole_owner(old)) {
		pte_install(l1e, pte_mkwrite(pte));
		mm_flush_local(hva); /* an upgrade: see mm/tlb.c */
		vm_event_inc(EV_COW_REUSE);
		return FAULT_OK;
	}
	new = huge_copy_affordable() ? alloc_huge(0) : NULL;
	if (new) {
		copy_pages(page_address(new), page_address(old), HUGE_SIZE);
		pte_install(l1e, pte_mkleaf(page_to_pa(new), vma_prot(vma)));
		mm_flush_page(mm, hva);
		page_put_huge(old);
		vm_event_inc(EV_COW_COPY);
		vm_event_inc(EV_THP_COPY);
		return FAULT_OK;
	}
	/* No free 2 MiB block: copy just the page that was written. */
	if (huge_split(mm, va, l1e))
		return FAULT_OOM;
	return cow_fault(mm, vma, va, mm_walk(mm, va, false).ptep);
}

/* Eager fork without a free 2 MiB block: 512 private 4 KiB copies. */
static int fork_copy_small(struct mm *child, struct vma *vma, u64 va, pte_t pte)
{
	struct pt_walk w = mm_walk(child, va, true);
	int i;

	if (w.found != WALK_PTE)
		return -ENOMEM;
	for (i = 0; i < HUGE_PAGES; i++) {
		pte_t small = pte + ((pte_t)i << PTE_PPN_SHIFT);

		if (fork_copy_page(small, &w.ptep[i], vma_prot(vma)))
			return -ENOMEM;
		child->rss++;
	}
	return 0;
}

int huge_fork_copy(struct mm *child, struct vma *vma, u64 va, pte_t *l1e,
		   pte_t *cl1e)
{
	struct page *first = huge_leaf_page(*l1e), *new;
	pte_t pte = *l1e;

	if (IS_ENABLED(CONFIG_FORK_EAGER)) {
		new = alloc_huge(0);
		if (!new)
			return fork_copy_small(child, vma, va, pte);
		copy_pages(page_address(new), page_address(first), HUGE_SIZE);
		pte = pte_mkleaf(page_to_pa(new), vma_prot(vma));
	} else {
		if (vma->flags & VM_WRITE)
			pte = cow_share_pte(l1e);
		page_get_huge(first);
	}
	pte_install(cl1e, pte);
	child->rss += HUGE_PAGES;
	return 0;
}

/*
 * The empty level-1 slot for va when va starts a 2 MiB span wholly inside
 * v that nothing maps yet (no table, no leaf); NULL otherwise. v must be
 * the heap, or with fault an mmap region (huge_fault_fill() has checked
 * that it is anonymous and private).
 */
static pte_t *huge_slot(struct mm *mm, struct vma *v, u64 va, bool alloc,
			bool fault)
{
	pte_t *l1e;

	if (!v || v->end - va < HUGE_SIZE || va < v->start)
		return NULL;
	if (v->kind != VMA_HEAP && !(fault && v->kind == VMA_MMAP))
		return NULL;
	l1e = pgtable_walk_l1(mm->root, va, alloc);
	return l1e && *l1e == 0 ? l1e : NULL;
}

/*
 * Fault-time filling costs the memory a whole span takes even when only one
 * page of it is ever touched, so it stops, like whole copies, while less
 * than a quarter of memory would be left free.
 */
bool huge_fault_fill(struct mm *mm, struct vma *vma, u64 va)
{
	u64 hva = ALIGN_DOWN(va, HUGE_SIZE);
	struct page *pg;
	pte_t *l1e;

	if (!thp_enabled || vma->file || (vma->flags & VM_SHARED) ||
	    !huge_copy_affordable())
		return false;
	l1e = huge_slot(mm, vma, hva, true, true);
	if (!l1e)
		return false;
	pg = alloc_huge(GFP_ZERO);
	if (!pg)
		return false;
	pte_install(l1e, pte_mkleaf(page_to_pa(pg), vma_prot(vma)));
	mm->rss += HUGE_PAGES;
	vm_event_inc(EV_THP_MAP);
	return true;
}

bool huge_populate(struct mm *mm, u64 va)
{
	struct page *pg;
	bool mapped = false;
	pte_t *l1e;

	if (!thp_enabled || !IS_ALIGNED(va, HUGE_SIZE))
		return false;
	spin_lock(&mm->lock);
	l1e = huge_slot(mm, vma_find(mm, va), va, true, false);
	spin_unlock(&mm->lock);
	if (!l1e)
		return false;
	/* Zeroing 2 MiB takes a while: do it without the lock. */
	pg = alloc_huge(GFP_ZERO);
	if (!pg)
		return false;
	spin_lock(&mm->lock);
	l1e = huge_slot(mm, vma_find(mm, va), va, false, false);
	if (l1e) {
		pte_install(l1e, pte_mkleaf(page_to_pa(pg),
					    vma_prot(vma_find(mm, va))));
		mm->rss += HUGE_PAGES;
		vm_event_inc(EV_THP_MAP);
		mapped = true;
	}
	spin_unlock(&mm->lock);
	if (!mapped)
		page_put_huge(pg);
	return mapped;
}
