/*
 * Self tests for the boot-time memory map (mm/init.c, mm/page.c): RAM in
 * several banks and reserved ranges. On a machine with one bank they check
 * that bank; the icicle boot test runs them with RAM at 2 GiB and at
 * 64 GiB, where every one of them must see both, and with a reserved range
 * whose ends are not page aligned. Like the other mm self tests they run
 * before /init with the other harts idle, so the free counts are exact
 * between steps.
 */
#include <errno.h>
#include <ktest.h>
#include <mm.h>
#include <platform.h>
#include <printk.h>
#include "internal.h"

/* The bank holding physical address pa, or -1. */
static int bank_of(phys_addr_t pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	int k;

	for (k = 0; k < nr_page_banks; k++)
		if (pfn - page_banks[k].base_pfn < page_banks[k].npages)
			return k;
	return -1;
}

static void lookup_pa(void *arg)
{
	pa_to_page((phys_addr_t)arg);
}

KTEST(page_banks_sorted_and_disjoint)
{
	u64 total = 0;
	int k;

	KT_ASSERT(nr_page_banks >= 1);
	for (k = 0; k < nr_page_banks; k++) {
		const struct page_bank *b = &page_banks[k];
		phys_addr_t base = b->base_pfn << PAGE_SHIFT;
		phys_addr_t last = (b->base_pfn + b->npages - 1) << PAGE_SHIFT;

		printk("# bank %d: [%p, %p), %lu pages\n", k, (void *)base,
		       (void *)(last + PAGE_SIZE), b->npages);
		KT_ASSERT(b->npages > 0);
		KT_ASSERT(pa_to_page(base) == &b->pages[0]);
		KT_ASSERT(pa_to_page(last) == &b->pages[b->npages - 1]);
		KT_EQ(page_to_pa(&b->pages[b->npages - 1]), last);
		if (k > 0) {
			const struct page_bank *p = &page_banks[k - 1];
			/* Later in RAM, later in the array, a hole between. */
			KT_ASSERT(b->base_pfn > p->base_pfn + p->npages);
			KT_ASSERT(b->pages >= p->pages + p->npages);
			/* No struct page for the hole: its first page panics.
			 */
			KT_ASSERT(ktest_expect_panic(
			    lookup_pa,
			    (void *)((p->base_pfn + p->npages) << PAGE_SHIFT),
			    "outside RAM"));
		}
		total += b->npages;
	}
	KT_EQ(total_page_count(), total);
}

/*
 * Allocates single pages until one from every bank was handed out (the
 * free list starts with the lowest addresses, so on icicle that is most of
 * the first bank), writes each through the linear map, frees them all.
 */
KTEST(page_banks_all_used)
{
	u64 before = free_page_count(), seen[MAX_PAGE_BANKS] = {0}, n = 0,
	    sum = 0;
	int k, nseen = 0, bad = 0;
	void *list = NULL;
	struct page *pg;

	while (nseen < nr_page_banks && (pg = alloc_page(0)) != NULL) {
		void **kva = page_address(pg);
		k = bank_of(page_to_pa(pg));
		if (k < 0 || pa_to_page(page_to_pa(pg)) != pg) {
			bad++;
			k = 0;
		}
		if (seen[k]++ == 0)
			nseen++;
		*kva = list;
		list = kva;
		n++;
	}
	for (k = 0; k < nr_page_banks; k++) {
		printk("# bank %d: %lu pages allocated\n", k, seen[k]);
		sum += seen[k];
	}
	while (list) {
		void *next = *(void **)list;
		kfree_page(list);
		list = next;
	}
	KT_EQ(bad, 0);
	KT_EQ(nseen, nr_page_banks);
	KT_EQ(free_page_count(), before);
	KT_EQ(sum, n);
}

/*
 * Takes every wholly free 2 MiB block: huge_free_count() counted the
 * blocks of all banks, each comes from one bank and is 2 MiB aligned, and
 * every bank with a free block gives one. Then gives them back whole.
 */
KTEST(page_banks_huge_blocks)
{
	u64 before = free_page_count(), blocks = huge_free_count(), n = 0;
	u64 seen[MAX_PAGE_BANKS] = {0};
	struct page *first = NULL, *pg;
	int k, bad = 0, nseen = 0;

	while ((pg = alloc_huge(0)) != NULL) {
		phys_addr_t pa = page_to_pa(pg);
		k = bank_of(pa);
		if (k < 0 || bank_of(pa + HUGE_SIZE - 1) != k ||
		    !IS_ALIGNED(pa, HUGE_SIZE) ||
		    page_to_pa(&pg[HUGE_PAGES - 1]) !=
			pa + HUGE_SIZE - PAGE_SIZE) {
			bad++;
			k = 0;
		}
		if (seen[k]++ == 0)
			nseen++;
		*(struct page **)page_address(pg) =
		    first; /* chain the blocks */
		first = pg;
		n++;
	}
	KT_EQ(huge_free_count(), 0);
	for (k = 0; k < nr_page_banks; k++)
		printk("# bank %d: %lu 2 MiB blocks\n", k, seen[k]);
	while (first) {
		pg = first;
		first = *(struct page **)page_address(pg);
		page_put_huge(pg);
	}
	KT_EQ(bad, 0);
	KT_EQ(n, blocks);
	KT_EQ(nseen, nr_page_banks);
	KT_EQ(huge_free_count(), blocks);
	KT_EQ(free_page_count(), before);
}

/* True when the page holding pa is in RAM but was never freed. */
static bool page_kept(phys_addr_t pa)
{
	if (bank_of(pa) < 0)
		return true; /* not RAM: nothing to hand out */
	return (pa_to_page(ALIGN_DOWN(pa, PAGE_SIZE))->flags & PG_RESERVED) !=
	       0;
}

/*
 * Every page that holds a byte of a reserved range stays reserved, also
 * the partial pages at ends that are not page aligned (device trees on the
 * VisionFive 2 have had such ranges; tests/dts/icicle.dts carries one).
 */
KTEST(reserved_ranges_keep_partial_pages)
{
	int i, unaligned = 0;

	for (i = 0; i < platform.nreserved; i++) {
		const struct mem_region *r = &platform.reserved[i];
		phys_addr_t pa;

		if (!r->size)
			continue;
		if (!IS_ALIGNED(r->base, PAGE_SIZE) ||
		    !IS_ALIGNED(r->base + r->size, PAGE_SIZE))
			unaligned++;
		for (pa = r->base; pa < r->base + r->size;
		     pa = ALIGN_DOWN(pa, PAGE_SIZE) + PAGE_SIZE)
			KT_ASSERT(page_kept(pa));
		KT_ASSERT(page_kept(r->base + r->size - 1));
	}
	printk("# %d reserved ranges, %d with ends not page aligned\n",
	       platform.nreserved, unaligned);
}

/* bank_add() sorts, merges touching and overlapping ranges, drops partial
 * pages, and refuses a ninth bank. */
KTEST(bank_add_sorts_and_merges)
{
	struct mem_region b[MAX_PAGE_BANKS];
	const u64 G = 1UL << 30;
	int n = 0, i;

	n = bank_add(b, n, 0x80000000UL, G);
	n = bank_add(b, n, 0x1000000000UL, G);
	KT_EQ(n, 2);
	KT_EQ(b[1].base, 0x1000000000UL);
	/* Touching the first bank from below: one bank. */
	n = bank_add(b, n, 0x40000000UL, G);
	KT_EQ(n, 2);
	KT_EQ(b[0].base, 0x40000000UL);
	KT_EQ(b[0].size, 2 * G);
	/* Less than a whole page: nothing. */
	n = bank_add(b, n, 0x2000000100UL, 0xe00);
	KT_EQ(n, 2);
	/* Ragged ends are cut to whole pages; before everything: first. */
	n = bank_add(b, n, 0x10000010UL, 0x3000);
	KT_EQ(n, 3);
	KT_EQ(b[0].base, 0x10001000UL);
	KT_EQ(b[0].size, 0x2000);
	/* Overlapping the two upper banks: they become one. */
	n = bank_add(b, n, 0xc0000000UL - 0x1000,
		     0x1000000000UL - 0xbfffe000UL);
	KT_EQ(n, 2);
	KT_EQ(b[1].base, 0x40000000UL);
	KT_EQ(b[1].size, 0x1040000000UL - 0x40000000UL);
	for (i = 0; n < MAX_PAGE_BANKS; i++)
		n = bank_add(b, n, 0x2000000000UL + (u64)i * 2 * G, G);
	KT_EQ(bank_add(b, n, 0x3000000000UL, G), -ENOSPC);
	for (i = 1; i < n; i++)
		KT_ASSERT(b[i - 1].base + b[i - 1].size < b[i].base);
}
