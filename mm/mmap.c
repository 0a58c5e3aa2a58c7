/*
 * mmap, munmap and mprotect: VMAs made at run time.
 *
 * A mapping is one VMA of kind VMA_MMAP (more after munmap or mprotect
 * split it). Its flags say what may be done to its pages (VM_READ,
 * VM_WRITE, VM_EXEC), whether mprotect may add write (VM_MAYWRITE), and
 * whether the pages are shared with every process that inherits the
 * mapping (VM_SHARED) or private to each (copy-on-write after fork, as the
 * heap).
 *
 * Anonymous private mappings fill lazily, a zeroed page on first touch
 * (fault.c). Anonymous shared mappings are filled when they are made: the
 * pages have no other home than the page tables that map them, so a page
 * that appeared only after a fork would belong to one side alone.
 *
 * Where mappings go when the caller does not say (no MAP_FIXED): top down
 * from MMAP_TOP (2 MiB below the highest user address, 0x3fffffe000), into
 * the highest gap that fits, but never lower than MMAP_HEAP_GAP (1 GiB)
 * above the end of the heap, which grows upwards from just above the stack.
 * A mapping of 2 MiB or more starts on a 2 MiB boundary, so that its
 * whole spans can take 2 MiB pages (anonymous private ones get them at
 * their first touch, see huge.c):
 *
 *   0x1000      text, data, guard, stack
 *   2 MiB * k   heap (sbrk) -> ... at least 1 GiB kept free ...
 *               <- mmap regions, newest lowest
 *   MMAP_TOP    0x3fffc00000
 *   USER_TOP    0x3fffffe000: nothing user-accessible above
 *
 * munmap, mprotect and MAP_FIXED work on VMA_MMAP VMAs only: a range that
 * touches the image, the stack or the heap is refused with -EINVAL, so
 * sbrk's view of the heap never changes under it.
 *
 * Protection changes rewrite the PTEs that exist. A private page that
 * becomes writable is marked copy-on-write, never writable: the next store
 * decides (cow_fault(): reuse when this mapping holds the only reference,
 * copy otherwise), so a page shared with a child or with the page cache is
 * never written in place. A page of a PROT_NONE mapping keeps a readable
 * leaf without the user bit (vma_prot()), so its contents survive until
 * access comes back.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <printk.h>
#include <uapi/mman.h>
#include <fs.h>
#include <pagecache.h>
#include <asm/arch.h>
#include "internal.h"
#include "huge.h"

#define MAP_KNOWN  (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS)
#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC)

/* VM_* access flags for PROT_* (write implies read: RISC-V has no
 * write-only pages). */
static unsigned prot_to_vm(int prot)
{
	unsigned f = 0;

	if (prot & PROT_READ)
		f |= VM_READ;
	if (prot & PROT_WRITE)
		f |= VM_WRITE | VM_READ;
	if (prot & PROT_EXEC)
		f |= VM_EXEC;
	return f;
}

/* Checks prot; 0 or -EINVAL (unknown bits, or write with execute). */
static int prot_check(int prot)
{
	if (prot & ~PROT_KNOWN)
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EINVAL; /* W^X for every user mapping */
	return 0;
}

/*
 * Checks a user range and rounds len up to pages: 0 with *end set, or
 * -EINVAL (unaligned, empty, wrapping, or reaching USER_TOP).
 */
static int range_check(u64 addr, u64 len, u64 *end)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || len == 0 || len > USER_TOP)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (addr >= USER_TOP || len > USER_TOP - addr)
		return -EINVAL;
	*end = addr + len;
	return 0;
}

/*
 * 0 when every VMA meeting [start, end) is mmap's; -EINVAL otherwise.
 * With covered, also -ENOMEM when part of the range is in no VMA.
 * mm->lock held on entry and exit.
 */
static int range_is_mmap(struct mm *mm, u64 start, u64 end, bool covered)
{
	u64 next = start;
	struct vma *v;

	for (v = mm->vmas; v && v->start < end; v = v->next) {
		/* An empty heap VMA at start..end still owns its start. */
		bool empty_inside = v->start == v->end && v->start >= start;

		if (v->end <= start && !empty_inside)
			continue;
		if (v->kind != VMA_MMAP)
			return -EINVAL;
		if (v->start > next && covered)
			return -ENOMEM;
		next = v->end;
	}
	return covered && next < end ? -ENOMEM : 0;
}

/* Splits the VMA around addr, if one has addr strictly inside. 0 or
 * -ENOMEM. mm->lock held on entry and exit. */
static int split_at(struct mm *mm, u64 addr)
{
	struct vma *v = vma_find(mm, addr);

	if (!v || v->start == addr)
		return 0;
	return vma_split(mm, v, addr) ? 0 : -ENOMEM;
}

/*
 * Makes [start, end) a run of whole VMAs whose pages can change alone:
 * the shared page tables of the spans it cuts, or of all its spans when
 * all_spans (mm/cow.c), get tables of their own, the 2 MiB pages it cuts
 * are split (huge.c), and the VMAs that stick out are split. 0 or
 * -ENOMEM (with some of that done, which maps nothing differently).
 * mm->lock held on entry and exit.
 */
static int cut_range(struct mm *mm, u64 start, u64 end, bool all_spans)
{
	int err = mm_unshare_range(mm, start, end, !all_spans);

	if (!err)
		err = mm_split_huge_at(mm, start);
	if (!err)
		err = mm_split_huge_at(mm, end);
	if (!err)
		err = split_at(mm, start);
	if (!err)
		err = split_at(mm, end);
	return err;
}

/*
 * Removes the mmap VMAs inside [start, end) and their pages, splitting
 * VMAs that stick out; the VMAs go on *dead for vma_free_list(). 0 or
 * -ENOMEM (a split failed: the VMAs may be cut at start, which maps
 * nothing differently). The caller has checked that only mmap VMAs meet
 * the range and written back shared file pages. mm->lock held on entry
 * and exit.
 */
static int unmap_range(struct mm *mm, u64 start, u64 end, struct vma **dead)
{
	struct vma *v, *next;
	struct tlb_batch *b;
	int err;

	err = cut_range(mm, start, end, false);
	if (err)
		return err;
	b = tlb_batch_begin(mm);
	for (v = mm->vmas; v && v->start < end; v = next) {
		next = v->next;
		if (v->end <= start)
			continue;
		unmap_pages(mm, v->start, v->end, b);
		vma_remove(mm, v, dead);
	}
	/* One shootdown for the whole range, then the pages and tables go. */
	tlb_batch_finish(b);
	return 0;
}

/*
 * Where a new mapping of len bytes goes: the top of the highest gap below
 * MMAP_TOP that holds it and keeps MMAP_HEAP_GAP above the heap (the
 * highest 2 MiB boundary there when len is 2 MiB or more). 0 when none
 * does. mm->lock held on entry and exit.
 */
static u64 place(struct mm *mm, u64 len)
{
	u64 floor = ALIGN_UP(mm->brk, PAGE_SIZE) + MMAP_HEAP_GAP;
	u64 lo = PAGE_SIZE, best = 0;
	struct vma *v = mm->vmas;

	for (;;) {
		u64 top = MIN(v ? v->start : USER_TOP, MMAP_TOP);
		u64 bottom = MAX(lo, floor);
		u64 at = len >= HUGE_SIZE ? ALIGN_DOWN(top - len, HUGE_SIZE)
					  : top - len;

		if (top > bottom && top - bottom >= len && at >= bottom)
			best = at; /* later gaps are higher */
		if (!v)
			break;
		lo = v->end;
		v = v->next;
	}
	return best;
}

/* Checks mmap's flags; 0 or -EINVAL. */
static int flags_check(int flags)
{
	int kind = flags & (MAP_SHARED | MAP_PRIVATE);

	if (flags & ~MAP_KNOWN)
		return -EINVAL;
	if (kind != MAP_SHARED && kind != MAP_PRIVATE)
		return -EINVAL;
	return 0;
}

/*
 * Links a new mmap VMA for [start, end) (replacing what MAP_FIXED covers,
 * whose VMAs go on *dead). 0, -ENOMEM (no memory for the VMA, or for a
 * split; a MAP_FIXED range may have been unmapped) or -EINVAL (an overlap
 * the checks before should have refused). mm->lock held on entry and exit.
 */
static int map_locked(struct mm *mm, u64 start, u64 end, unsigned vmflags,
		      bool fixed, struct vma **dead)
{
	struct vma *v;
	int err;

	if (fixed) {
		err = unmap_range(mm, start, end, dead);
		if (err)
			return err;
	}
	v = vma_new(start, end, vmflags, VMA_MMAP);
	if (!v)
		return -ENOMEM;
	err = vma_link(mm, v);
	if (err) /* range_is_mmap() and place() should make this impossible */
		kfree(v);
	return err;
}

/* Checks mmap's arguments and rounds *len up to pages; 0 or -EINVAL. */
static int mmap_check(u64 addr, u64 *len, int prot, int flags, u64 off)
{
	u64 end;
	int err = prot_check(prot);

	if (!err)
		err = flags_check(flags);
	if (!err &&
	    (!IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(off, PAGE_SIZE)))
		err = -EINVAL;
	/* Without MAP_FIXED, addr is only a hint, and calf ignores it. */
	if (!err)
		err = range_check((flags & MAP_FIXED) ? addr : PAGE_SIZE, *len,
				  &end);
	if (!err && (flags & MAP_FIXED) && addr < PAGE_SIZE)
		err = -EINVAL;
	if (!err && off > USER_TOP) /* keeps file page numbers small */
		err = -EINVAL;
	*len = ALIGN_UP(*len, PAGE_SIZE);
	return err;
}

long mm_mmap(struct mm *mm, u64 addr, u64 len, int prot, int flags,
	     struct inode *file, u64 off, bool maywrite)
{
	unsigned vmflags = prot_to_vm(prot);
	struct vma *dead = NULL, *v = NULL;
	u64 start = addr;
	int err;

	err = mmap_check(addr, &len, prot, flags, off);
	if (err)
		return err;
	if (flags & MAP_SHARED)
		vmflags |= VM_SHARED;
	if (maywrite)
		vmflags |= VM_MAYWRITE;
	if (flags & MAP_FIXED) {
		spin_lock(&mm->lock);
		err = range_is_mmap(mm, start, start + len, false);
		spin_unlock(&mm->lock);
		if (err)
			return err;
		mm_writeback(mm, start, start + len);
	}
	spin_lock(&mm->lock);
	if (!(flags & MAP_FIXED)) {
		start = place(mm, len);
		if (!start)
			err = -ENOMEM;
	}
	if (!err) {
		err = map_locked(mm, start, start + len, vmflags,
				 flags & MAP_FIXED, &dead);
		v = err ? NULL : vma_find(mm, start);
	}
	if (v && file) {
		v->file = idup(file);
		v->pgoff = off >> PAGE_SHIFT;
	}
	spin_unlock(&mm->lock);
	vma_free_list(dead);
	if (err)
		return err;
	/* Anonymous shared pages have no other home: make them now. */
	if (!file && (vmflags & VM_SHARED) &&
	    mm_populate(mm, start, start + len)) {
		mm_munmap(mm, start, len);
		return -ENOMEM;
	}
	return (long)start;
}

int mm_munmap(struct mm *mm, u64 addr, u64 len)
{
	struct vma *dead = NULL;
	u64 end;
	int err = range_check(addr, len, &end);

	if (err)
		return err;
	spin_lock(&mm->lock);
	err = range_is_mmap(mm, addr, end, false);
	spin_unlock(&mm->lock);
	if (err)
		return err;
	mm_writeback(mm, addr, end);
	spin_lock(&mm->lock);
	err = unmap_range(mm, addr, end, &dead);
	spin_unlock(&mm->lock);
	vma_free_list(dead);
	return err;
}

/*
 * The PTE a present page of v gets after v's protection changed: a
 * private page that may now be written becomes copy-on-write instead.
 */
static pte_t reprotect(const struct vma *v, pte_t pte)
{
	pte_t n = pte_mkleaf(pte_pa(pte), vma_prot(v));

	if (pte_writable(n) && !(v->flags & VM_SHARED))
		n = pte_mkcow(n);
	return n;
}

/* Rewrites the present PTEs of v, whose tables are private (mm_mprotect()
 * unshared them), and its 2 MiB leaves, which lie wholly inside it
 * (mm_mprotect() split those it cut). mm->lock held on entry and exit. */
static void reprotect_vma(struct mm *mm, struct vma *v)
{
	u64 va;

	for (va = v->start; va < v->end; va += PAGE_SIZE) {
		struct pt_walk w = mm_walk(mm, va, MW_CHANGE);

		if (w.found == WALK_HUGE) {
			if (!IS_ALIGNED(va, HUGE_SIZE) ||
			    v->end - va < HUGE_SIZE)
				panic("mprotect: 2 MiB page at %lx sticks out of "
				      "[%lx, %lx)", va, v->start, v->end);
			pte_install(w.ptep, reprotect(v, *w.ptep));
			va += HUGE_SIZE - PAGE_SIZE;
		} else if (w.found == WALK_PTE && pte_valid(*w.ptep)) {
			pte_install(w.ptep, reprotect(v, *w.ptep));
		}
	}
}

/* mprotect's checks on the VMAs of [start, end): 0, -EINVAL, -ENOMEM or
 * -EACCES. mm->lock held on entry and exit. */
static int mprotect_check(struct mm *mm, u64 start, u64 end, unsigned vm)
{
	struct vma *v;
	int err = range_is_mmap(mm, start, end, true);

	for (v = mm->vmas; !err && v && v->start < end; v = v->next)
		if (v->end > start && (vm & VM_WRITE) &&
		    !(v->flags & VM_MAYWRITE))
			err = -EACCES;
	return err;
}

int mm_mprotect(struct mm *mm, u64 addr, u64 len, int prot)
{
	unsigned vm = prot_to_vm(prot);
	struct vma *v;
	u64 end;
	int err;

	err = prot_check(prot);
	if (!err)
		err = range_check(addr, len, &end);
	if (err)
		return err;
	spin_lock(&mm->lock);
	err = mprotect_check(mm, addr, end, vm);
	/* Every PTE of the range may change: no shared table in it. */
	if (!err)
		err = cut_range(mm, addr, end, true);
	for (v = mm->vmas; !err && v && v->start < end; v = v->next) {
		if (v->end <= addr)
			continue;
		v->flags = (v->flags & ~VM_ACCESS) | vm;
		reprotect_vma(mm, v);
	}
	if (!err)
		mm_flush_all(mm);
	spin_unlock(&mm->lock);
	/* Code stored through a writable alias: make fetches see it. */
	if (!err && (vm & VM_EXEC))
		arch_sync_icache_all();
	return err;
}

int mm_msync(struct mm *mm, u64 addr, u64 len, int flags)
{
	u64 end;
	int err = range_check(addr, len, &end);

	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (err)
		return err;
	spin_lock(&mm->lock);
	err = range_is_mmap(mm, addr, end, true);
	spin_unlock(&mm->lock);
	if (!err)
		mm_writeback(mm, addr, end);
	return err;
}

/*
 * The next page at or after *va, below end, that a shared file mapping of
 * the writable kind maps: true with its file and page number in *ip and
 * *idx, false when there is none. Advances *va past it. mm->lock held on
 * entry and exit.
 */
static bool next_shared_page(struct mm *mm, u64 *va, u64 end,
			     struct inode **ip, u64 *idx)
{
	struct vma *v;

	for (v = mm->vmas; v && v->start < end; v = v->next) {
		u64 a, stop;

		if (v->end <= *va || !v->file ||
		    (v->flags & (VM_SHARED | VM_MAYWRITE)) !=
			(VM_SHARED | VM_MAYWRITE))
			continue;
		/* No page of a file lies past PCACHE_PAGES. */
		stop = MIN(MIN(v->end, end),
			   v->start + (PCACHE_PAGES > v->pgoff
					   ? (PCACHE_PAGES - v->pgoff) << PAGE_SHIFT
					   : 0));
		for (a = MAX(*va, v->start); a < stop; a += PAGE_SIZE) {
			struct pt_walk w = mm_walk(mm, a, MW_READ);

			if (w.found != WALK_PTE || !pte_valid(*w.ptep))
				continue;
			*va = a + PAGE_SIZE;
			*ip = v->file;
			*idx = v->pgoff + ((a - v->start) >> PAGE_SHIFT);
			return true;
		}
	}
	*va = end;
	return false;
}

/*
 * The page is written from the page cache, not through a reference taken
 * here: it is mapped by this mm (which nothing else unmaps while its owner
 * is in here) or truncation has dropped it, which pcache_writeback() sees
 * under the inode's lock. No extra reference is held across the sleep, so
 * kcheck's count of owners stays exact.
 */
void mm_writeback(struct mm *mm, u64 start, u64 end)
{
	u64 va = start;

	while (va < end) {
		struct inode *ip;
		bool found;
		u64 idx;

		spin_lock(&mm->lock);
		found = next_shared_page(mm, &va, end, &ip, &idx);
		spin_unlock(&mm->lock);
		if (!found)
			break;
		/* A full disk keeps the bytes in the cache page only. */
		if (pcache_writeback(ip, idx))
			printk("mmap: writeback of inode page %lu failed\n", idx);
	}
}

void mm_writeback_all(struct mm *mm)
{
	mm_writeback(mm, 0, USER_TOP);
}
