/*
 * The page-fault dispatcher. Every page fault on a user address ends up
 * here, whether the user program took it or the kernel took it inside
 * copy_to_user/copy_from_user. A fault is handled in stages:
 *
 *   find the VMA           -> none: FAULT_SEGV
 *   check the access       -> the VMA forbids it: FAULT_SEGV
 *   empty 2 MiB of heap    -> huge_fault_fill() in huge.c maps a zeroed
 *   or anonymous mmap         2 MiB page over the whole span, if it can
 *   walk the page table    -> a level-0 PTE or a 2 MiB leaf (pgtable_walk)
 *     shared table         -> a fork left va's level-0 table shared: the
 *                             walk's pt_share_fault() (cow.c) seals it for
 *                             a load of a present page (the entry then
 *                             allows the access: retry), and unshares it
 *                             for anything else (the stages below find a
 *                             private table)
 *   look at the entry (either size):
 *     store, COW bit       -> cow_fault() in cow.c (which copies the next
 *                             pages too when the stores go up in a
 *                             stream: copy-ahead), or huge_cow_fault() in
 *                             huge.c for a 2 MiB leaf
 *     not present          -> fault_missing() picks by the VMA's kind
 *                             (4 KiB only):
 *                               anonymous private: demand_zero() (a lazily
 *                               grown heap or mmap region; exec populates
 *                               stack and bss)
 *                               anonymous shared: never empty (mmap fills
 *                               it, see mm/mmap.c)
 *                               file: file_fault() takes the page from the
 *                               page cache (fs/pagecache.c) and picks:
 *                                 shared: file_map_shared(), the cache page
 *                                   itself, writable if the VMA is
 *                                 private load: file_map_private(), the
 *                                   cache page read-only (COW if writable)
 *                                 private store: file_copy_private(), a
 *                                   copy of it at once
 *                               a page not cached yet is read in by
 *                               fill_page(), which sleeps: the dispatcher
 *                               drops mm->lock, fills, and starts over
 *     store, no COW bit    -> FAULT_SEGV (never grant W to a read-only page)
 *     already allows it    -> another hart fixed it, or a stale TLB entry:
 *                             flush and retry
 *
 * Each pass runs under mm->lock, so the PTE cannot change between the
 * decision and the update; only filling the page cache happens outside it,
 * and the pass after it decides again from the start. A store to a COW
 * page of a private file mapping is an ordinary cow_fault(): the page
 * cache's reference makes the count at least 2, so the store copies.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <printk.h>
#include <errno.h>
#include <string.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <pagecache.h>
#include <proc.h>
#include "internal.h"
#include "huge.h"

/* Whether the VMA's rights allow the access (a load, store or fetch). */
static bool access_allowed(const struct vma *vma, unsigned access)
{
	_Static_assert(FAULT_READ == VM_READ && FAULT_WRITE == VM_WRITE &&
			       FAULT_EXEC == VM_EXEC,
		       "access_allowed: FAULT_* and VM_* bits must agree");
	return !(access & VM_ACCESS & ~vma->flags);
}

/* Maps a zeroed page at va: FAULT_OK or FAULT_OOM. mm->lock held on entry
 * and exit. */
static inline __attribute__((always_inline)) enum fault_result
demand_zero(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep)
{
	struct page *pg = alloc_page(0);
	phys_addr_t pa;

	if (!pg)
		return FAULT_OOM;
	pa = page_to_pa(pg); /* once, for the zeroing and the PTE */
	zero_pages(pa_to_kva(pa), PAGE_SIZE);
	pte_install(ptep, pte_mkleaf(pa, vma_prot(vma)));
	mm->rss++;
	vm_event_inc(EV_ZERO_FILL);
	return FAULT_OK;
}

/* A page the fault needs from the page cache but the cache lacks. */
struct fill_request {
	struct inode *file; /* NULL: nothing to fill */
	u64 idx;
};

/*
 * File shared (do_shared_fault in Linux's words): maps the cache page pg
 * itself with the VMA's rights, writable where the VMA is, so stores go
 * straight into the page that read() sees. The PTE takes the caller's
 * reference on pg. FAULT_OK. mm->lock held on entry and exit.
 */
static enum fault_result file_map_shared(struct mm *mm, struct vma *vma,
					 pte_t *ptep, struct page *pg)
{
	pte_install(ptep, pte_mkleaf(page_to_pa(pg), vma_prot(vma)));
	mm->rss++;
	return FAULT_OK;
}

/*
 * File private, a load or fetch (do_read_fault): maps the cache page
 * read-only, and copy-on-write where the VMA is writable, so a later store
 * copies it (cow_fault(): the cache's reference keeps the count above 1).
 * The PTE takes the caller's reference on pg. FAULT_OK. mm->lock held on
 * entry and exit.
 */
static enum fault_result file_map_private(struct mm *mm, struct vma *vma,
					  pte_t *ptep, struct page *pg)
{
	pte_t pte = pte_mkleaf(page_to_pa(pg), vma_prot(vma));

	if (pte_writable(pte))
		pte = pte_mkcow(pte);
	pte_install(ptep, pte);
	mm->rss++;
	return FAULT_OK;
}

/*
 * File private, a store (do_cow_fault): the mapping gets its own copy of
 * the cache page at once; the file never changes. Drops the caller's
 * reference on pg. FAULT_OK or FAULT_OOM. mm->lock held on entry and exit.
 */
static enum fault_result file_copy_private(struct mm *mm, struct vma *vma,
					   pte_t *ptep, struct page *pg)
{
	struct page *new = alloc_page(0);

	if (new) {
		copy_pages(page_address(new), page_address(pg), PAGE_SIZE);
		pte_install(ptep, pte_mkleaf(page_to_pa(new), vma_prot(vma)));
		mm->rss++;
		vm_event_inc(EV_COW_COPY);
	}
	page_put(pg);
	return new ? FAULT_OK : FAULT_OOM;
}

/*
 * A fault on an empty PTE of a file mapping: takes the page from the page
 * cache and hands it to the stage for the VMA's kind and the access. When
 * the cache lacks it, fills *need and returns FAULT_OK without mapping
 * anything: the caller fills the cache (which sleeps) without mm->lock and
 * comes back. mm->lock held on entry and exit.
 */
static enum fault_result __attribute__((noinline))
file_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep,
	   unsigned access, struct fill_request *need)
{
	u64 idx = vma->pgoff + ((va - vma->start) >> PAGE_SHIFT);
	struct page *pg = pcache_find(vma->file, idx);

	if (!pg) {
		need->file = vma->file;
		need->idx = idx;
		return FAULT_OK;
	}
	vm_event_inc(EV_FILE_FAULT);
	/* The page was filled through the linear map: fetches must see it. */
	if (vma->flags & VM_EXEC)
		arch_sync_icache_all();
	if (vma->flags & VM_SHARED)
		return file_map_shared(mm, vma, ptep, pg);
	if (access & FAULT_WRITE)
		return file_copy_private(mm, vma, ptep, pg);
	return file_map_private(mm, vma, ptep, pg);
}

/*
 * A fault on an empty PTE: chooses how the page comes into being by the
 * kind of VMA. mm->lock held on entry and exit.
 */
static inline __attribute__((always_inline)) enum fault_result
fault_missing(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep,
	      unsigned access, struct fill_request *need)
{
	if (vma->file)
		return file_fault(mm, vma, va, ptep, access, need);
	if (vma->flags & VM_SHARED)
		panic("fault_missing: hole at %lx in a shared mapping", va);
	return demand_zero(mm, vma, va, ptep);
}

/*
 * Brings a file page into the page cache for a fault; sleeps. FAULT_OK (go
 * round again), FAULT_BUS (beyond end of file), FAULT_OOM, or FAULT_SEGV
 * when this fault may not sleep for disk I/O: the kernel took it inside a
 * copy while holding a spinlock, or a sleeping lock (an inode or a buffer:
 * taking a second file's lock under the first could deadlock with a
 * process doing the opposite). read() and write() fault their buffers in
 * before they lock anything (mm_prefault()), so this only refuses copies
 * that could not be prepared that way.
 */
static enum fault_result fill_page(struct fill_request *need)
{
	struct proc *p = current();
	int err;

	if (cpu_this()->noff != 0 || (p && p->sleeplocks_held))
		return FAULT_SEGV;
	err = pcache_fill(need->file, need->idx);
	if (err == 0)
		return FAULT_OK;
	if (err == -ERANGE)
		return FAULT_BUS;
	return err == -ENOMEM ? FAULT_OOM : FAULT_SEGV;
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

/* One pass of the dispatcher; see the top of the file. mm->lock held on
 * entry and exit. Inline in handle_page_fault(): one frame for the pass. */
static inline __attribute__((always_inline)) enum fault_result
dispatch(struct mm *mm, u64 addr, unsigned access, struct fill_request *need)
{
	u64 va = ALIGN_DOWN(addr, PAGE_SIZE);
	enum fault_result r;
	struct pt_walk w;
	struct vma *vma;
	pte_t pte;

	vma = vma_find(mm, addr);
	if (!vma || !access_allowed(vma, access)) {
		r = FAULT_SEGV;
		goto out;
	}
	w = mm_walk(mm, va, mw_for_fault(access));
	if (unlikely(w.found == WALK_NONE)) {
		/* No table yet: an empty 2 MiB span of the heap or of an
		 * anonymous mmap region may be filled whole; otherwise the
		 * tables are made for a 4 KiB page. */
		if (huge_fault_fill(mm, vma, va)) {
			mm_flush_local(va); /* an upgrade: see mm/tlb.c */
			return FAULT_OK;
		}
		w = mm_walk(mm, va, true);
		if (w.found == WALK_NONE)
			return FAULT_OOM; /* no page for a page table */
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
		r = fault_missing(mm, vma, va, w.ptep, access, need);
	else if (pte_permits(pte, access))
		r = FAULT_OK; /* stale TLB entry, either size: flush */
	else
		r = FAULT_SEGV;
	if (r == FAULT_OK && !need->file)
		mm_flush_local(va); /* an upgrade: see mm/tlb.c */
out:
	return r;
}

/*
 * The rounds after a first pass that needed a page read into the page
 * cache (need): fill it, decide again. A page filled can be reclaimed
 * before it is mapped, when memory is that short: give up after a few
 * rounds. Out of line, so that the common one-pass fault stays short.
 */
static enum fault_result __attribute__((noinline))
fault_with_fill(struct mm *mm, u64 addr, unsigned access,
		struct fill_request *need)
{
	enum fault_result r;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		r = fill_page(need);
		if (r != FAULT_OK)
			return r;
		need->file = NULL;
		spin_lock(&mm->lock);
		r = dispatch(mm, addr, access, need);
		spin_unlock(&mm->lock);
		if (r != FAULT_OK || !need->file)
			return r;
	}
	return FAULT_OOM;
}

enum fault_result handle_page_fault(struct mm *mm, u64 addr, unsigned access)
{
	struct fill_request need = {NULL, 0};
	enum fault_result r;

	if (!mm || addr >= USER_TOP)
		return FAULT_SEGV;
	spin_lock(&mm->lock);
	r = dispatch(mm, addr, access, &need);
	spin_unlock(&mm->lock);
	if (likely(r != FAULT_OK || !need.file))
		return r;
	return fault_with_fill(mm, addr, access, &need);
}

/*
 * The first file page of [*va, end) in mm that is not mapped yet, or 0.
 * Moves *va past the pages it looked at. mm->lock held on entry and exit.
 */
static u64 next_unmapped_file_page(struct mm *mm, u64 *va, u64 end)
{
	struct vma *v;

	for (v = mm->vmas; v && v->start < end; v = v->next) {
		u64 a;

		if (v->end <= *va || !v->file)
			continue;
		for (a = MAX(*va, v->start); a < MIN(v->end, end);
		     a += PAGE_SIZE) {
			struct pt_walk w = mm_walk(mm, a, false);

			if (w.found == WALK_PTE && pte_valid(*w.ptep))
				continue;
			*va = a + PAGE_SIZE;
			return a;
		}
	}
	*va = end;
	return 0;
}

void mm_prefault(struct mm *mm, u64 addr, u64 len, bool write)
{
	u64 va = ALIGN_DOWN(addr, PAGE_SIZE), end;

	if (!mm || addr >= USER_TOP || len == 0)
		return;
	end = len > USER_TOP - addr ? USER_TOP : addr + len;
	while (va < end) {
		u64 page;

		spin_lock(&mm->lock);
		page = next_unmapped_file_page(mm, &va, end);
		spin_unlock(&mm->lock);
		if (!page ||
		    handle_page_fault(mm, page,
				      (write ? FAULT_WRITE : FAULT_READ) |
					  FAULT_KERNEL) != FAULT_OK)
			return;
	}
}
