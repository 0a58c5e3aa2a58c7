/*
 * Copy-on-write.
 *
 * fork side: vma_copy_ptes() walks a VMA of the parent one level-0 table
 * (2 MiB of address space, a "span") at a time. A span qualifies for
 * sharing when
 *   - ptshare is on (the default; kernel command line ptshare=off) and the
 *     kernel is not the eager one,
 *   - its VMA is private and anonymous (no VM_SHARED, no file),
 *   - no other VMA meets the span (it may stick out of the VMA, into
 *     unmapped space: the partial span at a heap's end), and
 *   - no eager sbrk is populating any of it (see below);
 * and a span whose table is shared already is always shared again. Such a
 * span shares its level-0 table by reference (pt_share_span()): the table
 * page's refcount goes up, the child's level-1 entry points at it, and
 * both entries are "parked" (V clear, PTE_SHARED set: <pgtable.h>), so
 * that any access to the span from either side faults. No PTE is read and
 * no page reference taken: fork costs one entry per 2 MiB.
 *
 * Every other span is copied by copy_pte_table(): in a private writable
 * VMA each present page is shared through cow_share_pte() (internal.h):
 * both PTEs lose W and gain the COW software bit, and the page gains a
 * reference. Pages of read-only VMAs (text, rodata) are shared plain: a
 * reference more, no COW bit, read-only for ever. Pages of shared VMAs
 * (mmap MAP_SHARED) are shared plain too, and stay writable in both where
 * they were: parent and child write the same page. A 2 MiB leaf goes to
 * huge_fork_copy() (huge.c) instead.
 *
 * Shared tables: the rules.
 *   - A shared table collectively holds one reference on each page it
 *     maps; every holder counts those pages in its rss.
 *   - Nothing is written into a shared table but the one change that
 *     unsharing and sealing make, writable leaf -> COW leaf, and only
 *     while the table has a writable leaf, which is only while every
 *     holder's entry is parked (so no hart can cache a translation
 *     through it). Two holders doing it at once write the same values.
 *   - The first fault in a parked span is the dispatcher's "shared table"
 *     stage (fault.c's walk -> pt_share_fault()). A load or fetch of a
 *     present page seals the table (its writable leaves turn COW, as a
 *     fork without sharing would have made them) and revalidates this
 *     holder's entry: reads never copy. Anything else unshares.
 *   - pt_unshare(), the one way out: the last holder (refcount 1) takes
 *     the table back as it is, O(1), with every PTE as it was; otherwise
 *     it copies the 512 PTEs into a table of its own (copy_pte_table(),
 *     writable leaves turning COW in both), takes a reference per present
 *     page and drops its table reference.
 *   - Every walk that changes PTEs unshares first: the fault stages after
 *     this one, populate and mprotect through mm_walk() (internal.h), the
 *     unmaps (munmap, sbrk shrink) by mm_unshare_range() on the spans
 *     they cut. A span that goes away whole (unmap, exit) is detached
 *     instead (pt_detach()): no copy, one table reference dropped.
 *   - A shared table's leaves all lie in one VMA: munmap and mprotect
 *     unshare the spans they cut before they split a VMA, and a VMA made
 *     later in the rest of a shared span gets leaves only through a walk
 *     that unshares. Exit detaches a shared span even where its VMA
 *     covers part of it. Fork shares no span that an eager sbrk is
 *     populating (mm->grow_start..grow_end), so the give-back of a
 *     failed one never has a shared table to cut.
 *
 * fault side: a store to a COW PTE comes here from fault.c, always in a
 * table private to mm (the stage before unshared it). cow_fault() looks at
 * the page's refcount:
 *   1  -> cow_reuse(): we are the last sharer; make the PTE writable.
 *   >1 -> cow_copy(): copy into a new page, map it writable, drop our
 *         reference to the old one.
 * The refcount read is stable: a count of 1 means a single table maps the
 * page, and that table is ours; only a fork of this address space (whose
 * lock we hold) or an unshare of a table mapping the page could raise it.
 * A COW 2 MiB leaf goes to huge_cow_fault() (huge.c), which comes back
 * here for one 4 KiB page when it splits the leaf.
 *
 * Copy-ahead: a process that stores through its COW pages in address
 * order (a child filling its copy of the heap) would take a fault per
 * page, and on 4 KiB pages the trap and the fault path cost half as much
 * again as the copy. So a copy fault at the very page where the last one's
 * work ended (mm->cow_next) counts as a stream, and cow_copy_ahead() also
 * copies the next pages that are still shared COW, as read-ahead does: 1,
 * then 2, 4, 8, then COW_AHEAD_MAX per fault (mm->cow_window); a copy
 * fault anywhere else ends the stream. It stays inside the faulting
 * page's level-0 table (private: the stage before unshared it) and VMA,
 * copies only private anonymous pages with another sharer, and only while
 * more than COW_AHEAD_MIN_FREE pages are free. What it costs: a stream
 * that stops early leaves at most the last window copied but never
 * written. The copies are counted in EV_COW_AHEAD, not as faults. Kernel
 * command line cowahead=off turns it off.
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

bool cowahead_enabled = true;

#define COW_AHEAD_MAX 16
#define COW_AHEAD_MIN_FREE 2048 /* 8 MiB */

/*
 * After a copy fault at va (PTE *ptep) whose store continues a stream
 * (va == mm->cow_next): copies up to the window's pages after va, stopping
 * at the first that is not a COW page with another sharer, at the end of
 * the VMA or of ptep's table, or when memory runs short; then moves the
 * stream on. Never fails: what it does not copy faults later. mm->lock
 * held on entry and exit. Out of line: most copy faults start no stream.
 */
static void __attribute__((noinline))
cow_copy_ahead(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep)
{
	const u64 span = LEVEL_SIZE(1);
	struct page *old[COW_AHEAD_MAX];
	unsigned want, n = 0;
	u64 end;

	if (!cowahead_enabled || vma->file || (vma->flags & VM_SHARED)) {
		mm->cow_next = va + PAGE_SIZE;
		return;
	}
	want = mm->cow_window ? MIN(2 * mm->cow_window, COW_AHEAD_MAX) : 1;
	end = MIN(vma->end, ALIGN_DOWN(va, span) + span);
	if (free_page_count() < COW_AHEAD_MIN_FREE + want)
		want = 0;
	while (n < want && va + (n + 1) * PAGE_SIZE < end) {
		pte_t *p = ptep + n + 1, pte = *p;
		struct page *pg, *new;
		phys_addr_t pa;

		if (!pte_valid(pte) || !pte_cow(pte))
			break;
		pg = pa_to_page(pte_pa(pte));
		if (page_refcount(pg) < 2) /* ours alone: a reuse fault's */
			break;
		new = alloc_page(0);
		if (!new)
			break;
		pa = page_to_pa(new);
		copy_pages(pa_to_kva(pa), pa_to_kva(pte_pa(pte)), PAGE_SIZE);
		pte_install(p, pte_mkleaf(pa, vma_prot(vma)));
		old[n++] = pg;
	}
	mm->cow_window = want;
	mm->cow_next = va + (n + 1) * PAGE_SIZE;
	if (n == 0)
		return;
	/* As in cow_copy(): no stale entry may outlive our references. */
	mm_flush_range(mm, va + PAGE_SIZE, mm->cow_next);
	vm_events[cpu_id()][EV_COW_AHEAD] += n;
	while (n--)
		page_put(old[n]);
}

/*
 * Shared: gives this mapping its own copy, and copies ahead when the store
 * continues a stream (above). FAULT_OK, or FAULT_OOM with the PTE
 * untouched. mm->lock held on entry and exit.
 */
static enum fault_result cow_copy(struct mm *mm, struct vma *vma, u64 va,
				  pte_t *ptep, struct page *old)
{
	struct page *new = alloc_page(0);
	phys_addr_t pa;

	if (!new)
		return FAULT_OOM;
	pa = page_to_pa(new); /* once, for the copy and the PTE */
	copy_pages(pa_to_kva(pa), pa_to_kva(pte_pa(*ptep)), PAGE_SIZE);
	pte_install(ptep, pte_mkleaf(pa, vma_prot(vma)));
	/* No hart may keep reading the old page through a stale entry once
	 * our reference is gone and the page can be reused. */
	mm_flush_page(mm, va);
	page_put(old);
	vm_event_inc(EV_COW_COPY);
	if (va == mm->cow_next) {
		cow_copy_ahead(mm, vma, va, ptep);
	} else { /* not a stream (yet) */
		mm->cow_window = 0;
		mm->cow_next = va + PAGE_SIZE;
	}
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
 * Copies the present PTEs of one level-0 table: ptep[0..n) into
 * cptep[0..n), the parent's into the child's at fork, a shared table's
 * into a private one when unsharing. With cow, writable PTEs turn COW on
 * both sides; with copy (eager fork) each page is copied and mapped with
 * prot; otherwise each page gains a reference. This is the loop a fork
 * spends its time in, so it touches each PTE once and each struct page
 * once, with everything it needs in registers. *mapped gets the number of
 * pages mapped into cptep, even on failure. 0 or -ENOMEM (eager fork only).
 */
static int copy_pte_table(bool cow, bool copy, unsigned prot, pte_t *ptep,
			  pte_t *cptep, u64 n, u64 *mapped)
{
	const struct page_bank bank0 = page_banks[0]; /* kept in registers */
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

bool ptshare_enabled = true;

static struct page *table_page(pte_t e)
{
	return pa_to_page(pte_pa(e));
}

u64 pt_present(const pte_t *t, unsigned from, unsigned to)
{
	u64 n = 0;

	for (; from < to; from++)
		n += pte_valid(t[from]);
	return n;
}

/* pt_table_put() of the last reference: the table's own references go
 * with it. */
static void __attribute__((noinline)) pt_table_free(struct page *tp,
						      pte_t *t)
{
	const struct page_bank bank0 = page_banks[0];
	int i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (pte_valid(t[i]))
			page_put(page_bank_pfn(&bank0, pte_pfn(t[i])));
	page_put_last(tp, 0);
}

/* pt_table_put() of the table under the entry e. */
static inline void pt_entry_put(pte_t e)
{
	struct page *tp = table_page(e);

	/* Usually another holder is left: one atomic and done. The last
	 * holder let go without taking it back (it copied it at the same
	 * time as the other one, or detached it): pt_table_free(). */
	if (__atomic_sub_fetch(&tp->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		pt_table_free(tp, pte_table(e));
}

void pt_table_put(pte_t *t)
{
	pt_entry_put(pte_mktable(kva_to_pa(t)));
}

int pt_unshare(struct mm *mm, u64 va, pte_t *l1e)
{
	pte_t e = *l1e, *t = pte_table(e), *nt;
	u64 mapped;

	if (page_refcount(table_page(e)) == 1) {
		/* The last holder: take it back. The count is stable: only a
		 * fork of mm could raise it, and we hold mm->lock. */
		WRITE_ONCE(*l1e, pte_mktable(pte_pa(e)));
		if (!pte_valid(e))
			mm_flush_local(va); /* an upgrade: see mm/tlb.c */
		vm_event_inc(EV_PT_REUSE);
		return 0;
	}
	nt = pgtable_alloc();
	if (!nt)
		return -ENOMEM;
	copy_pte_table(true, false, 0, t, nt, PT_ENTRIES, &mapped);
	WRITE_ONCE(*l1e, pte_mktable(kva_to_pa(nt)));
	/* A sealed table may be cached by our harts, walk caches included,
	 * and the other holders may free it once we let go of it. A parked
	 * one is cached nowhere: the flush is for the new entry only. */
	if (pte_valid(e))
		mm_flush_all(mm);
	else
		mm_flush_local(va);
	pt_entry_put(e);
	vm_event_inc(EV_PT_COPY);
	return 0;
}

/* Load or fetch through a shared table: seal it, use it as it is. The
 * dispatcher flushes the faulting address (an upgrade, or a stale entry).
 */
static void pt_seal(pte_t *l1e)
{
	pte_t *t = pte_table(*l1e);
	int i;

	if (!pte_valid(*l1e)) {
		for (i = 0; i < PT_ENTRIES; i++)
			if (pte_valid(t[i]))
				cow_share_pte(&t[i]);
		WRITE_ONCE(*l1e, *l1e | PTE_V);
	}
}

struct pt_walk pt_share_fault(struct mm *mm, u64 va, struct pt_walk w,
			      enum mm_walk_mode mode)
{
	pte_t *l1e = mm_shared_l1e(mm, va), pte = *w.ptep;

	if (mode != MW_STORE && pte_valid(pte) &&
	    (mode != MW_FETCH || pte_executable(pte)) &&
	    page_refcount(table_page(*l1e)) > 1) {
		pt_seal(l1e);
		return (struct pt_walk){WALK_PTE, w.ptep};
	}
	if (pt_unshare(mm, va, l1e))
		return (struct pt_walk){WALK_NONE, NULL};
	return pgtable_walk(mm->root, va, false); /* the table is there */
}

struct pt_walk mm_walk_shared(struct mm *mm, u64 va, struct pt_walk w,
			      enum mm_walk_mode mode)
{
	if (mode == MW_READ)
		return (struct pt_walk){WALK_PTE, w.ptep};
	if (mode != MW_CHANGE && mode != MW_ALLOC)
		return pt_share_fault(mm, va, w, mode);
	if (pt_unshare(mm, va, mm_shared_l1e(mm, va)))
		return (struct pt_walk){WALK_NONE, NULL};
	return pgtable_walk(mm->root, va, false); /* the table is there */
}

int mm_unshare_range(struct mm *mm, u64 start, u64 end, bool edges_only)
{
	u64 va;

	for (va = ALIGN_DOWN(start, HUGE_SIZE); va < end; va += HUGE_SIZE) {
		pte_t *l1e = mm_shared_l1e(mm, va);
		bool whole = va >= start && end - va >= HUGE_SIZE;

		if (l1e && !(edges_only && whole) && pt_unshare(mm, va, l1e))
			return -ENOMEM;
	}
	return 0;
}

void pt_detach(struct mm *mm, pte_t *l1e, struct tlb_batch *b)
{
	pte_t e = *l1e;

	WRITE_ONCE(*l1e, 0);
	if (b) {
		mm->rss -= pt_present(pte_table(e), 0, PT_ENTRIES);
		tlb_batch_add(b, pte_table(e), TLB_ITEM_SHARED);
	} else {
		pt_entry_put(e);
	}
}

/* Whether no VMA of mm but v meets the span starting at span. */
static bool span_only_vma(const struct mm *mm, const struct vma *v, u64 span)
{
	const struct vma *o;

	if (v->start <= span && v->end - span >= HUGE_SIZE)
		return true; /* v covers it whole */
	for (o = mm->vmas; o && o->start < span + HUGE_SIZE; o = o->next)
		if (o != v && o->end > span)
			return false;
	return true;
}

/* Whether fork may share spans of vma at all; see the top of the file. */
static bool vma_shareable(const struct vma *vma)
{
	return ptshare_enabled && !IS_ENABLED(CONFIG_FORK_EAGER) &&
	       !(vma->flags & VM_SHARED) && !vma->file;
}

/* Whether fork shares the span at va of parent's vma, given
 * vma_shareable(vma) as ok; see the top of the file. */
static inline bool span_shareable(const struct mm *parent,
				  const struct vma *vma, bool ok, u64 va,
				  pte_t l1)
{
	u64 span = ALIGN_DOWN(va, HUGE_SIZE);

	if (l1 & PTE_SHARED)
		return true;
	return ok &&
	       (span >= parent->grow_end ||
		span + HUGE_SIZE <= parent->grow_start) &&
	       span_only_vma(parent, vma, span);
}

/* Fork: the child's entry *cl1e shares the parent's table under *l1e;
 * both are parked. The caller flushes the parent's TLB. */
static void pt_share_span(pte_t *l1e, pte_t *cl1e)
{
	phys_addr_t pa = pte_pa(*l1e);

	page_get(pa_to_page(pa));
	WRITE_ONCE(*l1e, pte_mkparked(pa));
	*cl1e = pte_mkparked(pa);
}

/* Contract in internal.h. */
int vma_copy_ptes(struct mm *parent, struct mm *child, struct vma *vma)
{
	/* Shared mappings keep their PTEs as they are: no COW, no copy. */
	const bool cow = (vma->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	const bool copy =
	    IS_ENABLED(CONFIG_FORK_EAGER) && !(vma->flags & VM_SHARED);
	const unsigned prot = vma_prot(vma);
	const bool share = vma_shareable(vma);
	struct pt_span_cursor pc = {0}, cc = {0};
	u64 va = vma->start;

	while (va < vma->end) {
		/* One level-0 table (2 MiB of address space) at a time. */
		u64 span_end =
		    MIN(ALIGN_DOWN(va, HUGE_SIZE) + HUGE_SIZE, vma->end);
		pte_t *l1e = pgtable_span(parent->root, &pc, va, false);
		pte_t e = l1e ? *l1e : 0, *cl1e;
		struct pt_walk cw;
		u64 mapped;
		int err = 0;

		if (!pte_valid(e) && !pte_parked(e)) {
			/* nothing mapped in the span */
		} else if (pte_leaf(e)) {
			cl1e = pgtable_span(child->root, &cc, va, true);
			err = cl1e ? huge_fork_copy(child, vma, va, l1e, cl1e)
				   : -ENOMEM;
		} else if (span_shareable(parent, vma, share, va, e)) {
			cl1e = pgtable_span(child->root, &cc, va, true);
			if (!cl1e)
				return -ENOMEM;
			pt_share_span(l1e, cl1e);
		} else {
			cw = mm_walk(child, va, MW_ALLOC);
			if (cw.found != WALK_PTE)
				return -ENOMEM;
			err = copy_pte_table(cow, copy, prot,
					     &pte_table(e)[PT_INDEX(va, 0)],
					     cw.ptep, (span_end - va) >> PAGE_SHIFT,
					     &mapped);
			child->rss += mapped;
		}
		if (err)
			return err;
		va = span_end;
	}
	return 0;
}
