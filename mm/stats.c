/* Memory statistics and the address-space checker. */
#include <mm.h>
#include <addrspace.h>
#include <pgtable.h>
#include <printk.h>
#include <asm/cpu.h>
#include <pagecache.h>
#include <fs.h>
#include <string.h>
#include <uapi/memstat.h>
#include "internal.h"

u64 vm_events[MAX_CPUS][VM_EVENT_ROW]; /* see internal.h */

static u64 vm_event_sum(enum vm_event ev)
{
	u64 n = 0;
	int i;

	for (i = 0; i < MAX_CPUS; i++)
		n += READ_ONCE(vm_events[i][ev]);
	return n;
}

/* The RAM page of pfn, or NULL (no panic: the tables read here may be
 * freed and reused under us). */
static struct page *pfn_page_or_null(u64 pfn)
{
	int i;

	for (i = 0; i < nr_page_banks; i++)
		if (pfn - page_banks[i].base_pfn < page_banks[i].npages)
			return &page_banks[i].pages[pfn - page_banks[i].base_pfn];
	return NULL;
}

/*
 * User pages with a count of 1 mapped by a level-0 table that a fork left
 * shared: mapped by several address spaces, so shared too (memstat). Reads
 * tables of address spaces it holds no lock of: exact when nothing forks,
 * faults or exits meanwhile, a harmless estimate otherwise.
 */
static u64 shared_table_pages(void)
{
	u64 i, n = 0;

	for (i = 0; i < page_array_entries(); i++) {
		struct page *tp = page_array_entry(i);
		const pte_t *t;
		int j;

		if (!(READ_ONCE(tp->flags) & PG_PGTABLE) ||
		    page_refcount(tp) < 2)
			continue;
		t = page_address(tp);
		for (j = 0; j < PT_ENTRIES; j++) {
			pte_t pte = READ_ONCE(t[j]);
			struct page *pg;

			if (!pte_leaf(pte))
				continue;
			pg = pfn_page_or_null(pte_pfn(pte));
			if (pg && page_refcount(pg) == 1)
				n++;
		}
	}
	return n;
}

void mem_get_stats(struct mem_stats *st)
{
	st->total_pages = total_page_count();
	st->free_pages = free_page_count();
	st->reserved_pages = reserved_page_count();
	st->cow_copy_faults = vm_event_sum(EV_COW_COPY);
	st->cow_ahead_pages = vm_event_sum(EV_COW_AHEAD);
	st->cow_reuse_faults = vm_event_sum(EV_COW_REUSE);
	st->zero_fill_faults = vm_event_sum(EV_ZERO_FILL);
	st->shared_pages = shared_user_pages() + shared_table_pages();
	st->huge_free = huge_free_count();
	st->thp_mapped = vm_event_sum(EV_THP_MAP);
	st->thp_copies = vm_event_sum(EV_THP_COPY);
	st->thp_splits = vm_event_sum(EV_THP_SPLIT);
	st->cache_pages = pcache_pages();
	st->file_faults = vm_event_sum(EV_FILE_FAULT);
	st->writebacks = pcache_writebacks();
	st->tlb_shootdowns = vm_event_sum(EV_SHOOTDOWN);
	st->tlb_shootdown_harts = vm_event_sum(EV_SHOOTDOWN_HARTS);
	st->pt_pages = __atomic_load_n(&nr_pgtables, __ATOMIC_RELAXED);
}

/* Checks one leaf of VMA v at va; returns the number of problems. */
static int check_leaf(struct vma *v, u64 va, pte_t pte)
{
	int bad = 0;

	/* A PROT_NONE mapping keeps its pages under leaves without U. */
	if (!pte_leaf_ok(pte) || pte_user(pte) != !!(v->flags & VM_ACCESS)) {
		printk("mm_check: bad pte %lx at %lx\n", pte, va);
		bad++;
	}
	if (pte_cow(pte) && (v->flags & VM_SHARED)) {
		printk("mm_check: COW pte in shared VMA at %lx\n", va);
		bad++;
	}
	if (pte_cow(pte) && !(v->flags & VM_WRITE)) {
		printk("mm_check: COW pte in read-only VMA at %lx\n", va);
		bad++;
	}
	if (pte_writable(pte) && !(v->flags & VM_WRITE)) {
		printk("mm_check: writable pte in read-only VMA at %lx\n", va);
		bad++;
	}
	if (page_refcount(pa_to_page(pte_pa(pte))) < 1) {
		printk("mm_check: mapped page with refcount < 1 at %lx\n", va);
		bad++;
	}
	return bad;
}

/*
 * Checks one VMA's PTEs and counts the pages they map into *mapped;
 * returns the number of problems. mm->lock held on entry and exit.
 */
static int check_vma(struct mm *mm, struct vma *v, u64 *mapped)
{
	int bad = 0;
	u64 va;

	for (va = v->start; va < v->end; va += PAGE_SIZE) {
		struct pt_walk w = mm_walk(mm, va, MW_READ);

		if (w.found == WALK_HUGE) {
			if (!IS_ALIGNED(va, HUGE_SIZE) || v->end - va < HUGE_SIZE) {
				printk("mm_check: 2 MiB page at %lx crosses VMA [%lx, %lx)\n",
				       va, v->start, v->end);
				bad++;
			}
			bad += check_leaf(v, va, *w.ptep);
			*mapped += HUGE_PAGES;
			va += HUGE_SIZE - PAGE_SIZE;
			continue;
		}
		if (w.found != WALK_PTE || !pte_valid(*w.ptep))
			continue;
		bad += check_leaf(v, va, *w.ptep);
		(*mapped)++;
	}
	return bad;
}

int mm_check(struct mm *mm)
{
	struct vma *v;
	u64 mapped = 0;
	int bad = 0;

	spin_lock(&mm->lock);
	for (v = mm->vmas; v; v = v->next) {
		bad += check_vma(mm, v, &mapped);
		if (v->next && v->next->start < v->end) {
			printk("mm_check: VMAs overlap at %lx\n", v->next->start);
			bad++;
		}
	}
	if (mapped != mm->rss) {
		printk("mm_check: %lu pages mapped in VMAs but rss is %lu (PTE outside a VMA?)\n",
		       mapped, mm->rss);
		bad++;
	}
	bad += pgtable_check(mm->root, 0, PT_ENTRIES / 2);
	spin_unlock(&mm->lock);
	return bad;
}

/* Adds the page(s) of leaf pte (n small pages) to info's counts. A page
 * in a table that other address spaces share (tshared) is shared, and a
 * writable one is COW in effect: a store unshares the table (cow.c). */
static void count_leaf(struct vmainfo *info, pte_t pte, u64 n, bool tshared)
{
	info->resident += n;
	if (tshared || page_refcount(pa_to_page(pte_pa(pte))) > 1)
		info->shared += n;
	if (pte_cow(pte) || (tshared && pte_writable(pte)))
		info->cow += n;
}

/* Fills info's page counts from v's PTEs. mm->lock held on entry and exit. */
static void count_vma(struct mm *mm, struct vma *v, struct vmainfo *info)
{
	u64 va = v->start;

	while (va < v->end) {
		struct pt_walk w = mm_walk(mm, va, MW_READ);
		u64 span_end = MIN(ALIGN_DOWN(va, HUGE_SIZE) + HUGE_SIZE, v->end);

		if (w.found == WALK_HUGE) {
			count_leaf(info, *w.ptep, HUGE_PAGES, false);
		} else if (w.found == WALK_PTE) {
			u64 i, n = (span_end - va) >> PAGE_SHIFT;
			pte_t *l1e = mm_shared_l1e(mm, va);
			bool tshared =
			    l1e && page_refcount(pa_to_page(pte_pa(*l1e))) > 1;

			for (i = 0; i < n; i++)
				if (pte_valid(w.ptep[i]))
					count_leaf(info, w.ptep[i], 1, tshared);
		}
		va = span_end;
	}
}

int mm_vmainfo(struct mm *mm, struct vmainfo *out, int max)
{
	static const unsigned kinds[] = {
	    [VMA_IMAGE] = VMAINFO_IMAGE, [VMA_HEAP] = VMAINFO_HEAP,
	    [VMA_STACK] = VMAINFO_STACK, [VMA_MMAP] = VMAINFO_MMAP};
	struct vma *v;
	int n = 0;

	spin_lock(&mm->lock);
	for (v = mm->vmas; v && n < max; v = v->next, n++) {
		struct vmainfo *info = &out[n];

		memset(info, 0, sizeof(*info));
		info->start = v->start;
		info->end = v->end;
		info->prot = (v->flags & VM_READ ? PROT_READ : 0) |
			     (v->flags & VM_WRITE ? PROT_WRITE : 0) |
			     (v->flags & VM_EXEC ? PROT_EXEC : 0);
		info->kind = kinds[v->kind];
		info->shared_map = !!(v->flags & VM_SHARED);
		info->inum = v->file ? v->file->inum : 0;
		info->offset = v->pgoff << PAGE_SHIFT;
		count_vma(mm, v, info);
	}
	spin_unlock(&mm->lock);
	return n;
}
