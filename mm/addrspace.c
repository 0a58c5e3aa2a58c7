/*
 * An address space's life: mm_create() (the kernel half shared, nothing
 * else), mm_dup() for fork (the VMAs copied here, their pages shared or
 * copied by vma_copy_ptes() in cow.c, or their level-0 tables shared),
 * unmap_pages() for ranges that go away (sbrk shrinking, munmap), and
 * mm_destroy() when exec replaces it or its process is reaped. An mm's
 * root and level-1 tables are private to it, its level-0 tables may be
 * shared with other address spaces since a fork (mm/cow.c); the tables of
 * the kernel half are shared by all and never freed.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include <asm/cpu.h>
#include <fs.h>
#include "internal.h"
#include "huge.h"

/* Every address space, for truncation (mm_unmap_file_from()). Lock order:
 * mm_all_lock > mm->lock. */
static struct spinlock mm_all_lock = SPINLOCK_INIT("mm_all");
static struct mm *mm_all;

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->root = pgtable_alloc();
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	/* Share the kernel half: the same upper-level tables everywhere. */
	memcpy(&mm->root[PT_ENTRIES / 2], &kernel_root[PT_ENTRIES / 2],
	       sizeof(pte_t) * PT_ENTRIES / 2);
	spin_init(&mm->lock, "mm");
	sleeplock_init(&mm->brk_lock, "brk");
	spin_lock(&mm_all_lock);
	mm->all_next = mm_all;
	if (mm_all)
		mm_all->all_pprev = &mm->all_next;
	mm->all_pprev = &mm_all;
	mm_all = mm;
	spin_unlock(&mm_all_lock);
	return mm;
}

/* Unmaps page idx of ip and beyond from mm. mm_all_lock held. */
static void unmap_file_pages(struct mm *mm, struct inode *ip, u64 idx)
{
	struct tlb_batch *b;
	struct vma *v;

	spin_lock(&mm->lock);
	b = tlb_batch_begin(mm);
	for (v = mm->vmas; v; v = v->next) {
		u64 from = v->start;

		if (v->file != ip)
			continue;
		if (idx > v->pgoff)
			from += MIN(idx - v->pgoff, (v->end - v->start) >> PAGE_SHIFT)
				<< PAGE_SHIFT;
		if (from < v->end)
			unmap_pages(mm, from, v->end, b);
	}
	tlb_batch_finish(b); /* one shootdown, then the pages go */
	spin_unlock(&mm->lock);
}

void mm_unmap_file_from(struct inode *ip, u64 idx)
{
	struct mm *mm;

	spin_lock(&mm_all_lock);
	for (mm = mm_all; mm; mm = mm->all_next)
		unmap_file_pages(mm, ip, idx);
	spin_unlock(&mm_all_lock);
}

/*
 * A shared table, under *l1e, in [va, va + n pages) of a range being
 * released: a span released whole, or any span when mm is being destroyed
 * (no b), is detached (no copy); otherwise the last holder takes its table
 * back, and a span cut by the range is unshared, unless the range maps
 * nothing there. Returns the level-0 table to go on with,
 * NULL when nothing is left to release in the span; *detached counts the
 * tables detached without b, whose pages rss still counts (pt_detach()).
 * mm->lock held on entry and exit.
 */
static pte_t *release_shared(struct mm *mm, u64 va, u64 n, pte_t *l1e,
			     struct tlb_batch *b, u64 *detached)
{
	pte_t *t = pa_to_kva(pte_pa(*l1e));
	unsigned from = PT_INDEX(va, 0);

	if (page_refcount(pa_to_page(pte_pa(*l1e))) > 1) {
		if (n == PT_ENTRIES || !b) {
			pt_detach(mm, l1e, b);
			*detached += !b;
			return NULL;
		}
		if (!pt_present(t, from, from + n))
			return NULL;
	}
	/* Callers unshare the spans they cut first (mm_unshare_range()),
	 * so this copies only when they could not have failed. */
	if (pt_unshare(mm, va, l1e))
		panic("release_pages: no memory to unshare the table at %lx",
		      va);
	return pa_to_kva(pte_pa(*l1e));
}

/*
 * Drops the pages mapped in [start, end). With a batch b (an unmap while
 * mm may be live on other harts) it clears their PTEs and hands the pages
 * to b, to be put after b's flush; without one (mm_destroy: active on no
 * other hart, tables about to be freed) it puts them at once. Shared
 * tables: release_shared(); returns the number it detached without b.
 * mm->lock held on entry and exit.
 */
static u64 release_pages(struct mm *mm, u64 start, u64 end,
			 struct tlb_batch *b)
{
	const struct page_bank bank0 = page_banks[0]; /* kept in registers */
	struct pt_span_cursor c = {0};
	u64 va, dropped = 0, detached = 0;

	for (va = start; va < end;) {
		pte_t *l1e = pgtable_span(mm->root, &c, va, false), *t = NULL;
		pte_t e = l1e ? *l1e : 0;
		u64 span_end = MIN(ALIGN_DOWN(va, HUGE_SIZE) + HUGE_SIZE, end);
		u64 i, n = (span_end - va) >> PAGE_SHIFT;

		if (e & PTE_SHARED) { /* parked or sealed */
			t = release_shared(mm, va, n, l1e, b, &detached);
		} else if (pte_valid(e) && pte_leaf(e)) {
			/* Callers split a leaf they unmap part of. */
			if (n != HUGE_PAGES)
				panic("release_pages: [%lx, %lx) cuts a 2 MiB page",
				      start, end);
			huge_release(mm, l1e, b); /* rss included */
		} else if (pte_valid(e)) {
			t = pa_to_kva(pte_pa(e));
		}
		if (t)
			t += PT_INDEX(va, 0);
		for (i = 0; t && i < n; i++) {
			pte_t pte = t[i];
			if (!pte_valid(pte))
				continue;
			dropped++;
			if (b) {
				WRITE_ONCE(t[i], 0);
				tlb_batch_add(
				    b, page_bank_pfn(&bank0, pte_pfn(pte)),
				    TLB_ITEM_PAGE);
			} else {
				page_put(page_bank_pfn(&bank0, pte_pfn(pte)));
			}
		}
		va = span_end;
	}
	mm->rss -= dropped;
	return detached;
}

static void batch_free_table(void *ctx, pte_t *table)
{
	tlb_batch_add(ctx, table, TLB_ITEM_TABLE);
}

void unmap_pages(struct mm *mm, u64 start, u64 end, struct tlb_batch *b)
{
	release_pages(mm, start, end, b);
	pgtable_prune(mm->root, start, end, batch_free_table, b);
	tlb_batch_range(b, start, end);
}

void mm_destroy(struct mm *mm)
{
	struct vma *v, *dead;
	u64 detached = 0;

	spin_lock(&mm_all_lock);
	*mm->all_pprev = mm->all_next;
	if (mm->all_next)
		mm->all_next->all_pprev = mm->all_pprev;
	spin_unlock(&mm_all_lock);
	spin_lock(&mm->lock);
	for (v = mm->vmas; v; v = v->next)
		detached += release_pages(mm, v->start, v->end, NULL);
	dead = mm->vmas;
	mm->vmas = NULL;
	mm->vma_cache = NULL;
	spin_unlock(&mm->lock);
	if (mm->active_cpus & ~(1UL << cpu_id()))
		panic("mm_destroy: mm still active on cpus %lx",
		      mm->active_cpus);
	/* What is left is what the shared tables it let go of held. */
	if (mm->rss > detached * PT_ENTRIES)
		panic("mm_destroy: %lu pages still mapped outside any VMA",
		      mm->rss);
	pgtable_free_range(mm->root, 0, PT_ENTRIES / 2, true);
	kfree(mm);
	/* Last, as it may sleep (a file's last reference): kcheck must never
	 * find this mm's tables allocated but unreachable. */
	vma_free_list(dead);
}

u64 mm_resident_pages(struct mm *mm)
{
	return mm->rss;
}

/* The pages mapped in mm's VMAs, shared tables included. mm->lock held,
 * or mm not visible to anyone yet. */
static u64 mapped_pages(struct mm *mm)
{
	struct vma *v;
	u64 n = 0, va;

	for (v = mm->vmas; v; v = v->next)
		for (va = v->start; va < v->end; va += PAGE_SIZE) {
			struct pt_walk w = mm_walk(mm, va, MW_READ);

			if (w.found == WALK_HUGE) {
				n += HUGE_PAGES;
				va = ALIGN_DOWN(va, HUGE_SIZE) + HUGE_SIZE -
				     PAGE_SIZE;
			} else if (w.found == WALK_PTE) {
				n += pte_valid(*w.ptep);
			}
		}
	return n;
}

/*
 * fork: a new address space with the same VMAs; vma_copy_ptes() (cow.c)
 * shares their level-0 tables, or shares or copies the pages. The
 * parent's writable pages turn read-only, or its shared tables' entries
 * are parked, here, so its TLB entries are flushed before it runs again.
 */
struct mm *mm_dup(struct mm *old)
{
	struct mm *child = mm_create();
	struct vma *v, **tailp;
	int err = 0;

	if (!child)
		return NULL;
	tailp = &child->vmas;
	spin_lock(&old->lock);
	for (v = old->vmas; v && !err; v = v->next) {
		struct vma *c = vma_new(v->start, v->end, v->flags, v->kind);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->file = v->file ? idup(v->file) : NULL;
		c->pgoff = v->pgoff;
		*tailp = c;
		tailp = &c->next;
		err = vma_copy_ptes(old, child, v);
	}
	child->heap_start = old->heap_start;
	child->brk = old->brk;
	/* Shared spans are not counted as they go (that would read every
	 * PTE): every page of old lies in a VMA, and every one is now mapped
	 * in child too. */
	if (!err)
		child->rss = old->rss;
	else
		child->rss = mapped_pages(child);
	/* Also what parks old's shared entries: no hart may keep using them. */
	mm_flush_all(old);
	spin_unlock(&old->lock);
	if (err) {
		mm_destroy(child);
		return NULL;
	}
	return child;
}
