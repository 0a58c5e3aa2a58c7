/*
 * Self tests for kcheck (mm/kcheck.c): a clean machine passes, and each
 * kind of breakage it promises to see is seen. Every test breaks one
 * invariant on purpose, checks that kcheck reports it, repairs it and
 * checks that kcheck is quiet again. The broken address space hangs off
 * the running process as its exec_mm, where kcheck looks for an image
 * that exec is building.
 */
#include <ktest.h>
#include <mm.h>
#include <addrspace.h>
#include <proc.h>
#include <pgtable.h>
#include "internal.h"

#define VA 0x200000UL

/* An address space with one writable page at VA, hung off current(). */
static struct mm *attach_test_mm(void)
{
	struct mm *mm = mm_create();

	if (!mm)
		return NULL;
	if (vma_add(mm, VA, VA + PAGE_SIZE, VM_READ | VM_WRITE, VMA_IMAGE) ||
	    mm_populate(mm, VA, VA + PAGE_SIZE)) {
		mm_destroy(mm);
		return NULL;
	}
	current()->exec_mm = mm;
	return mm;
}

static void detach_test_mm(struct mm *mm)
{
	current()->exec_mm = NULL;
	mm_destroy(mm);
}

/* kcheck with the lines marked expected; true when it found a problem. */
static bool kcheck_finds_problem(void)
{
	long r;

	kcheck_expected = true;
	r = proc_kcheck();
	kcheck_expected = false;
	return r != 0;
}

KTEST(kcheck_clean_machine_passes)
{
	struct mm *mm = attach_test_mm();

	KT_ASSERT(mm != NULL);
	KT_EQ(proc_kcheck(), 0);
	detach_test_mm(mm);
	KT_EQ(proc_kcheck(), 0);
}

KTEST(kcheck_sees_a_wrong_refcount)
{
	struct mm *mm = attach_test_mm();
	struct page *pg;

	KT_ASSERT(mm != NULL);
	pg = pa_to_page(pte_pa(*mm_walk(mm, VA, false).ptep));
	page_get(pg); /* one reference more than mappings */
	KT_ASSERT(kcheck_finds_problem());
	page_put(pg);
	KT_EQ(proc_kcheck(), 0);
	detach_test_mm(mm);
}

KTEST(kcheck_sees_a_writable_cow_pte)
{
	struct mm *mm = attach_test_mm();
	pte_t *ptep, good;

	KT_ASSERT(mm != NULL);
	ptep = mm_walk(mm, VA, false).ptep;
	good = *ptep;
	*ptep = good | PTE_COW; /* written raw: pte_install() would refuse */
	KT_ASSERT(kcheck_finds_problem());
	*ptep = good;
	KT_EQ(proc_kcheck(), 0);
	detach_test_mm(mm);
}

KTEST(kcheck_sees_a_writable_shared_page)
{
	struct mm *mm = attach_test_mm();
	pte_t *first, *second;

	KT_ASSERT(mm != NULL);
	/* A second VMA page mapping the first one's page, writable: counts
	 * agree (2 references, 2 mappings) but a store would not COW. */
	KT_EQ(vma_add(mm, VA + PAGE_SIZE, VA + 2 * PAGE_SIZE,
		      VM_READ | VM_WRITE, VMA_IMAGE),
	      0);
	KT_EQ(mm_populate(mm, VA + PAGE_SIZE, VA + 2 * PAGE_SIZE), 0);
	first = mm_walk(mm, VA, false).ptep;
	second = mm_walk(mm, VA + PAGE_SIZE, false).ptep;
	page_put(pa_to_page(pte_pa(*second)));
	*second = *first;
	page_get(pa_to_page(pte_pa(*first)));
	KT_ASSERT(kcheck_finds_problem());
	/* Repair: the second mapping read-only and COW, as a fork leaves it. */
	*first = pte_mkcow(*first);
	*second = *first;
	KT_EQ(proc_kcheck(), 0);
	detach_test_mm(mm);
}

KTEST(kcheck_sees_a_leaked_and_a_shared_page_table)
{
	struct mm *mm = attach_test_mm();
	pte_t *tbl = pgtable_alloc(), *l2e;

	KT_ASSERT(mm != NULL && tbl != NULL);
	KT_ASSERT(kcheck_finds_problem()); /* tbl is reachable from nowhere */
	kfree_page(tbl);
	KT_EQ(proc_kcheck(), 0);
	/* The same level-1 table under two root entries. */
	l2e = &mm->root[PT_INDEX(VA, 2)];
	mm->root[PT_INDEX(VA, 2) + 1] = *l2e;
	KT_ASSERT(kcheck_finds_problem());
	mm->root[PT_INDEX(VA, 2) + 1] = 0;
	KT_EQ(proc_kcheck(), 0);
	detach_test_mm(mm);
}

KTEST(kcheck_sees_a_lost_free_page)
{
	struct page *pg = alloc_page(0);

	KT_ASSERT(pg != NULL);
	/* In use by nobody's count, on no free list: a lost page. */
	__atomic_store_n(&pg->refcount, 0, __ATOMIC_RELEASE);
	KT_ASSERT(kcheck_finds_problem());
	__atomic_store_n(&pg->refcount, 1, __ATOMIC_RELEASE);
	page_put(pg);
	KT_EQ(proc_kcheck(), 0);
}
