/*
 * Self tests for shared level-0 tables at fork (mm/cow.c): a fork shares
 * a qualifying span's table by reference and takes no page reference; a
 * load seals the table and goes on sharing it; a store unshares only its
 * own span, by copy while the table has another holder and by taking it
 * back when it has none; unmapping part or all of a shared span, and
 * kcheck's count of a table's holders, see shared tables as they are.
 */
#include <ktest.h>
#include <mm.h>
#include <addrspace.h>
#include <proc.h>
#include <pgtable.h>
#include <string.h>
#include "internal.h"

#define SPAN0 0x200000UL       /* two whole 2 MiB spans of one VMA */
#define SPAN1 (SPAN0 + HUGE_SIZE)
#define VEND  (SPAN1 + HUGE_SIZE)

static u64 events(enum vm_event ev)
{
	u64 n = 0;
	int i;

	for (i = 0; i < MAX_CPUS; i++)
		n += vm_events[i][ev];
	return n;
}

/* The level-1 entry for va in mm (0 if there is no level-1 table). */
static pte_t l1_entry(struct mm *mm, u64 va)
{
	pte_t *l1e = pgtable_walk_l1(mm->root, va, false);

	return l1e ? *l1e : 0;
}

static struct page *table_page_at(struct mm *mm, u64 va)
{
	return pa_to_page(pte_pa(l1_entry(mm, va)));
}

static pte_t pte_at(struct mm *mm, u64 va)
{
	struct pt_walk w = mm_walk(mm, va, MW_READ);

	return w.found == WALK_PTE ? *w.ptep : 0;
}

static char *kva_at(struct mm *mm, u64 va)
{
	return pa_to_kva(pte_pa(pte_at(mm, va)) + (va & (PAGE_SIZE - 1)));
}

/* A parent with all of SPAN0 and three pages of SPAN1 mapped, each page's
 * first bytes naming it. kind VMA_MMAP, so that munmap may cut it. */
static struct mm *make_parent(void)
{
	struct mm *mm = mm_create();
	u64 va;

	if (!mm)
		return NULL;
	if (vma_add(mm, SPAN0, VEND, VM_READ | VM_WRITE | VM_MAYWRITE,
		    VMA_MMAP) ||
	    mm_populate(mm, SPAN0, SPAN1) ||
	    mm_populate(mm, SPAN1, SPAN1 + 3 * PAGE_SIZE)) {
		mm_destroy(mm);
		return NULL;
	}
	for (va = SPAN0; va < SPAN1 + 3 * PAGE_SIZE; va += PAGE_SIZE)
		memcpy(kva_at(mm, va), &va, sizeof(va));
	return mm;
}

KTEST(ptshare_fork_shares_and_unshares_per_span)
{
	u64 start = free_page_count(), before, pt_copy, pt_reuse, cow_reuse;
	struct mm *parent, *child;
	struct page *t0, *t1, *pg;
	u64 va = SPAN1 + PAGE_SIZE, got;

	if (!ptshare_enabled)
		KT_SKIP("ptshare=off");
	parent = make_parent();
	KT_ASSERT(parent != NULL);
	KT_EQ(mm_resident_pages(parent), HUGE_PAGES + 3);
	t0 = table_page_at(parent, SPAN0);
	t1 = table_page_at(parent, SPAN1);
	pg = pa_to_page(pte_pa(pte_at(parent, va)));
	before = free_page_count();

	child = mm_dup(parent);
	KT_ASSERT(child != NULL);
	/* The child's root and one level-1 table: no level-0 table, no page. */
	KT_EQ(before - free_page_count(), 2);
	KT_EQ(page_refcount(t0), 2);
	KT_EQ(page_refcount(t1), 2);
	KT_ASSERT(pte_parked(l1_entry(parent, SPAN0)));
	KT_ASSERT(pte_parked(l1_entry(child, SPAN1)));
	KT_EQ(table_page_at(child, SPAN0), t0);
	KT_EQ(page_refcount(pg), 1);
	/* Option (b): the leaves stay as they were, writable. */
	KT_ASSERT(pte_writable(pte_at(child, va)));
	KT_EQ(mm_resident_pages(child), HUGE_PAGES + 3);
	KT_EQ(mm_check(parent), 0);
	KT_EQ(mm_check(child), 0);

	/* A load in the child seals SPAN0's table and keeps sharing it. */
	before = free_page_count();
	KT_EQ(handle_page_fault(child, SPAN0 + 8, FAULT_READ | FAULT_USER),
	      FAULT_OK);
	KT_EQ(free_page_count(), before);
	KT_ASSERT(pte_valid(l1_entry(child, SPAN0)));
	KT_EQ(table_page_at(child, SPAN0), t0);
	KT_EQ(page_refcount(t0), 2);
	KT_ASSERT(pte_cow(pte_at(parent, SPAN0)) &&
		  !pte_writable(pte_at(parent, SPAN0)));

	/* A store in the parent to SPAN1 copies that table, not SPAN0's. */
	pt_copy = events(EV_PT_COPY);
	KT_EQ(handle_page_fault(parent, va, FAULT_WRITE | FAULT_USER),
	      FAULT_OK);
	KT_EQ(events(EV_PT_COPY), pt_copy + 1);
	KT_ASSERT(table_page_at(parent, SPAN1) != t1);
	KT_EQ(page_refcount(t1), 1);
	KT_EQ(table_page_at(parent, SPAN0), t0);
	KT_EQ(page_refcount(t0), 2);
	KT_ASSERT(pte_writable(pte_at(parent, va)));
	KT_ASSERT(pte_pa(pte_at(parent, va)) != page_to_pa(pg));
	/* The other two pages of SPAN1: a reference from each table. */
	KT_EQ(page_refcount(pa_to_page(pte_pa(pte_at(parent, SPAN1)))), 2);
	KT_EQ(page_refcount(pg), 1);
	*(u64 *)kva_at(parent, va) = 0x5151;

	/* The child, last holder of the old SPAN1 table, takes it back and
	 * reuses the page the parent copied away from. */
	pt_reuse = events(EV_PT_REUSE);
	cow_reuse = events(EV_COW_REUSE);
	KT_EQ(handle_page_fault(child, va, FAULT_WRITE | FAULT_USER),
	      FAULT_OK);
	KT_EQ(events(EV_PT_REUSE), pt_reuse + 1);
	KT_EQ(events(EV_COW_REUSE), cow_reuse + 1);
	KT_EQ(table_page_at(child, SPAN1), t1);
	KT_ASSERT(!(l1_entry(child, SPAN1) & PTE_SHARED));
	KT_EQ(pte_pa(pte_at(child, va)), page_to_pa(pg));
	memcpy(&got, kva_at(child, va), sizeof(got));
	KT_EQ(got, va);
	memcpy(&got, kva_at(parent, va), sizeof(got));
	KT_EQ(got, 0x5151);
	KT_EQ(mm_resident_pages(parent), HUGE_PAGES + 3);
	KT_EQ(mm_resident_pages(child), HUGE_PAGES + 3);
	KT_EQ(mm_check(parent), 0);
	KT_EQ(mm_check(child), 0);

	/* The child goes: the parent is the last holder of SPAN0's table. */
	mm_destroy(child);
	KT_EQ(page_refcount(t0), 1);
	KT_EQ(mm_resident_pages(parent), HUGE_PAGES + 3);
	pt_reuse = events(EV_PT_REUSE);
	KT_EQ(handle_page_fault(parent, SPAN0, FAULT_WRITE | FAULT_USER),
	      FAULT_OK);
	KT_EQ(events(EV_PT_REUSE), pt_reuse + 1);
	KT_EQ(table_page_at(parent, SPAN0), t0);
	KT_ASSERT(!(l1_entry(parent, SPAN0) & PTE_SHARED));
	KT_EQ(mm_check(parent), 0);
	mm_destroy(parent);
	/* Exact: every table and page is back. */
	KT_EQ(free_page_count(), start);
}

KTEST(ptshare_unmap_cuts_or_drops_a_shared_span)
{
	u64 start = free_page_count(), got;
	struct mm *parent, *child;
	struct page *t0, *t1;

	if (!ptshare_enabled)
		KT_SKIP("ptshare=off");
	parent = make_parent();
	KT_ASSERT(parent != NULL);
	t0 = table_page_at(parent, SPAN0);
	t1 = table_page_at(parent, SPAN1);
	child = mm_dup(parent);
	KT_ASSERT(child != NULL);

	/* Half of SPAN0 goes from the child: it needs a table of its own. */
	KT_EQ(mm_munmap(child, SPAN0 + HUGE_SIZE / 2, HUGE_SIZE / 2), 0);
	KT_ASSERT(table_page_at(child, SPAN0) != t0);
	KT_EQ(page_refcount(t0), 1);
	KT_EQ(mm_resident_pages(child), HUGE_PAGES / 2 + 3);
	KT_EQ(pte_at(child, SPAN0 + HUGE_SIZE / 2), 0);
	/* All of SPAN1 goes from the child: its reference only. */
	KT_EQ(mm_munmap(child, SPAN1, HUGE_SIZE), 0);
	KT_EQ(l1_entry(child, SPAN1), 0);
	KT_EQ(page_refcount(t1), 1);
	KT_EQ(mm_resident_pages(child), HUGE_PAGES / 2);
	/* The parent still sees every page as it was. */
	KT_EQ(mm_resident_pages(parent), HUGE_PAGES + 3);
	memcpy(&got, kva_at(parent, SPAN1 + 2 * PAGE_SIZE), sizeof(got));
	KT_EQ(got, SPAN1 + 2 * PAGE_SIZE);
	memcpy(&got, kva_at(parent, SPAN0 + HUGE_SIZE - PAGE_SIZE),
	       sizeof(got));
	KT_EQ(got, SPAN0 + HUGE_SIZE - PAGE_SIZE);
	KT_EQ(mm_check(parent), 0);
	KT_EQ(mm_check(child), 0);

	/* mprotect in the parent unshares (takes back) what it changes. */
	KT_EQ(mm_mprotect(parent, SPAN0, HUGE_SIZE, PROT_READ), 0);
	KT_ASSERT(!(l1_entry(parent, SPAN0) & PTE_SHARED));
	KT_ASSERT(!pte_writable(pte_at(parent, SPAN0)));
	KT_EQ(mm_check(parent), 0);
	mm_destroy(child);
	mm_destroy(parent);
	KT_EQ(free_page_count(), start);
}

/* kcheck counts a shared table's holders: one of two invisible to it is
 * a mismatch, and the last holder alone is clean. */
KTEST(ptshare_kcheck_counts_table_holders)
{
	struct mm *parent, *child;
	long r;

	if (!ptshare_enabled)
		KT_SKIP("ptshare=off");
	parent = make_parent();
	KT_ASSERT(parent != NULL);
	child = mm_dup(parent);
	KT_ASSERT(child != NULL);
	current()->exec_mm = parent; /* kcheck sees the parent, not child */
	kcheck_expected = true;
	r = proc_kcheck();
	kcheck_expected = false;
	KT_ASSERT(r != 0);
	mm_destroy(child);
	KT_EQ(proc_kcheck(), 0); /* parked entries, refcount 1 */
	current()->exec_mm = NULL;
	mm_destroy(parent);
	KT_EQ(proc_kcheck(), 0);
}
