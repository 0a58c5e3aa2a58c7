/*
 * Self tests for the page allocator, kmalloc, page tables, address spaces
 * and copy-on-write. They run in the first process before /init, with the
 * other harts idle, so the free-page count is stable between steps.
 */
#include <ktest.h>
#include <mm.h>
#include <addrspace.h>
#include <pgtable.h>
#include <string.h>
#include <printk.h>
#include <boot.h>
#include "internal.h"

KTEST(page_alloc_every_page_and_free)
{
	u64 before = free_page_count(), n = 0;
	void *list = NULL;
	struct page *pg;

	/* Chain every free page through its own first word. */
	while ((pg = alloc_page(0)) != NULL) {
		void **kva = page_address(pg);
		*kva = list;
		list = kva;
		n++;
	}
	KT_EQ(n, before);
	KT_EQ(free_page_count(), 0);
	while (list) {
		void *next = *(void **)list;
		kfree_page(list);
		list = next;
	}
	KT_EQ(free_page_count(), before);
}

KTEST(huge_alloc_whole_block_and_free)
{
	u64 before = free_page_count(), blocks = huge_free_count();
	struct page *pg = alloc_huge(GFP_ZERO);
	u64 *words, i, bad = 0;

	KT_ASSERT(pg != NULL);
	KT_ASSERT(IS_ALIGNED(page_to_pa(pg), HUGE_SIZE));
	KT_EQ(free_page_count(), before - HUGE_PAGES);
	KT_EQ(huge_free_count(), blocks - 1);
	words = page_address(pg);
	for (i = 0; i < HUGE_SIZE / 8; i++)
		bad += words[i] != 0;
	for (i = 0; i < HUGE_PAGES; i++)
		bad += page_refcount(&pg[i]) != 1;
	KT_EQ(bad, 0);
	KT_ASSERT(pg->flags & PG_COMPOUND);
	/* All 512 counts reach zero in one page_put_huge: back in one piece. */
	page_put_huge(pg);
	KT_EQ(free_page_count(), before);
	KT_EQ(huge_free_count(), blocks);
}

KTEST(page_put_huge_frees_only_unreferenced_pages)
{
	u64 before = free_page_count();
	struct page *pg = alloc_huge(0);

	KT_ASSERT(pg != NULL);
	huge_split_counts(pg); /* as a split does: a count per page */
	page_get(&pg[7]); /* someone else still maps one page */
	page_put_huge(pg);
	KT_EQ(page_refcount(&pg[7]), 1);
	KT_EQ(page_refcount(&pg[8]), 0);
	KT_EQ(free_page_count(), before - 1);
	page_put(&pg[7]);
	KT_EQ(free_page_count(), before);
}

KTEST(huge_alloc_fails_cleanly_when_fragmented)
{
	u64 before = free_page_count();
	void *list = NULL;
	struct page *pg;

	/* Small pages take everything: no block can be whole. */
	while ((pg = alloc_page(0)) != NULL) {
		void **kva = page_address(pg);
		*kva = list;
		list = kva;
	}
	KT_EQ(huge_free_count(), 0);
	KT_ASSERT(alloc_huge(0) == NULL);
	while (list) {
		void *next = *(void **)list;
		kfree_page(list);
		list = next;
	}
	KT_EQ(free_page_count(), before);
	/* Freed pages reach the global list again (all but the last few
	 * in this hart's cache), so 2 MiB blocks form again. */
	KT_ASSERT(huge_free_count() > 0);
}

KTEST(page_refcount_get_put_free)
{
	u64 before = free_page_count();
	struct page *pg = alloc_page(GFP_ZERO);

	KT_ASSERT(pg != NULL);
	KT_EQ(page_refcount(pg), 1);
	KT_EQ(free_page_count(), before - 1);
	page_get(pg);
	KT_EQ(page_refcount(pg), 2);
	page_put(pg);
	KT_EQ(page_refcount(pg), 1);
	KT_EQ(free_page_count(), before - 1);
	page_put(pg);
	KT_EQ(page_refcount(pg), 0);
	KT_EQ(free_page_count(), before);
}

KTEST(page_zeroed_on_request)
{
	struct page *pg = alloc_page(0);
	u8 *p;
	int i, nonzero = 0;

	KT_ASSERT(pg != NULL);
	memset(page_address(pg), 0xa5, PAGE_SIZE);
	page_put(pg);
	pg = alloc_page(GFP_ZERO);
	KT_ASSERT(pg != NULL);
	p = page_address(pg);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		nonzero += p[i] != 0;
	page_put(pg);
	KT_EQ(nonzero, 0);
}

static void lookup_pa(void *arg)
{
	pa_to_page((phys_addr_t)arg);
}

KTEST(page_out_of_range_pa_panics)
{
	KT_ASSERT(ktest_expect_panic(lookup_pa, (void *)0x1000UL, "outside RAM"));
	KT_ASSERT(ktest_expect_panic(lookup_pa, (void *)0xfffffffff000UL, "outside RAM"));
	KT_ASSERT(!ktest_expect_panic(lookup_pa, (void *)platform.mem[0].base + (64 << 20), ""));
}

KTEST(kmalloc_sizes_and_return_pages)
{
	u64 before = free_page_count();
	void *p[64];
	int i;

	for (i = 0; i < 64; i++) {
		p[i] = kmalloc(16 << (i % 8));
		KT_ASSERT(p[i] != NULL);
		memset(p[i], i, 16 << (i % 8));
	}
	for (i = 0; i < 64; i++)
		KT_EQ(*(u8 *)p[i], i);
	for (i = 0; i < 64; i++)
		kfree(p[i]);
	KT_EQ(free_page_count(), before);
	KT_ASSERT(kmalloc(0) == NULL);
	KT_ASSERT(kmalloc(4096) == NULL);
}

static void install_wx(void *arg)
{
	pte_t *ptep = arg;
	pte_install(ptep, pte_mkleaf(0x80000000UL, PROT_READ | PROT_WRITE | PROT_EXEC));
}

static void install_no_a(void *arg)
{
	pte_t *ptep = arg;
	pte_install(ptep, pte_mkleaf(0x80000000UL, PROT_READ) & ~PTE_A);
}

KTEST(pgtable_map_walk_ad_wx)
{
	u64 before = free_page_count();
	pte_t *root = pgtable_alloc(), *ptep;
	struct page *pg = alloc_page(0);

	KT_ASSERT(root && pg);
	KT_EQ(pgtable_map_level(root, 0x10000, page_to_pa(pg), 0, PROT_READ | PROT_WRITE | PROT_USER), 0);
	ptep = pgtable_walk(root, 0x10000, false).ptep;
	KT_ASSERT(ptep != NULL);
	KT_EQ(pte_pa(*ptep), page_to_pa(pg));
	KT_ASSERT(*ptep & PTE_A);
	KT_ASSERT(*ptep & PTE_D);
	KT_ASSERT(*ptep & PTE_W);
	KT_ASSERT(!(*ptep & PTE_X));
	KT_EQ(pgtable_map_level(root, 0x20000, page_to_pa(pg), 0, PROT_READ | PROT_EXEC), 0);
	ptep = pgtable_walk(root, 0x20000, false).ptep;
	KT_ASSERT((*ptep & PTE_A) && !(*ptep & PTE_D) && !(*ptep & PTE_W));
	KT_EQ(pgtable_walk(root, 0x40000000, false).found, WALK_NONE);
	KT_EQ(pgtable_check(root, 0, PT_ENTRIES), 0);
	/* The PTE builder refuses writable+executable and missing A. */
	KT_ASSERT(ktest_expect_panic(install_wx, ptep, "pte_install: leaf"));
	KT_ASSERT(ktest_expect_panic(install_no_a, ptep, "pte_install: leaf"));
	/* Unmap and free the tables. */
	*pgtable_walk(root, 0x10000, false).ptep = 0;
	*pgtable_walk(root, 0x20000, false).ptep = 0;
	pgtable_free_range(root, 0, PT_ENTRIES, true);
	page_put(pg);
	KT_EQ(free_page_count(), before);
}

/* The walker names what it found: a 4 KiB PTE, a 2 MiB leaf, or nothing. */
KTEST(pgtable_walk_says_what_it_found)
{
	u64 before = free_page_count();
	pte_t *root = pgtable_alloc();
	struct pt_walk w;

	KT_ASSERT(root != NULL);
	KT_EQ(pgtable_map_level(root, 0x10000, 0x80000000UL, 0, PROT_READ), 0);
	KT_EQ(pgtable_map_level(root, 0x400000, 0x80200000UL, 1, PROT_READ), 0);
	w = pgtable_walk(root, 0x10000, false);
	KT_EQ(w.found, WALK_PTE);
	KT_EQ(pte_pa(*w.ptep), 0x80000000UL);
	w = pgtable_walk(root, 0x11000, false); /* same table, empty PTE */
	KT_EQ(w.found, WALK_PTE);
	KT_EQ(*w.ptep, 0);
	w = pgtable_walk(root, 0x5ff000, true); /* inside the 2 MiB leaf */
	KT_EQ(w.found, WALK_HUGE);
	KT_ASSERT(w.ptep == pgtable_walk_l1(root, 0x400000, false));
	KT_EQ(pte_pa(*w.ptep), 0x80200000UL);
	KT_EQ(pgtable_walk(root, 0x40000000, false).found, WALK_NONE);
	KT_EQ(free_page_count(), before - 3); /* root, one l1, one l0 table */
	*pgtable_walk(root, 0x10000, false).ptep = 0;
	*pgtable_walk(root, 0x400000, false).ptep = 0;
	pgtable_free_range(root, 0, PT_ENTRIES, true);
	KT_EQ(free_page_count(), before);
}

/* memstat's pt_pages follows every table made and freed, by any path. */
KTEST(pgtable_pages_counted)
{
	struct mem_stats s0, s1, s2;
	pte_t *root;

	mem_get_stats(&s0);
	root = pgtable_alloc();
	KT_ASSERT(root != NULL);
	KT_EQ(pgtable_map_level(root, 0x10000, 0x80000000UL, 0, PROT_READ), 0);
	mem_get_stats(&s1);
	KT_EQ(s1.pt_pages, s0.pt_pages + 3); /* root, one l1, one l0 table */
	*pgtable_walk(root, 0x10000, false).ptep = 0;
	pgtable_free_range(root, 0, PT_ENTRIES, true);
	mem_get_stats(&s2);
	KT_EQ(s2.pt_pages, s0.pt_pages);
}

/* The kernel's own mappings: text RX, rodata R, data RW, never W+X. */
KTEST(kernel_sections_wx)
{
	pte_t *x = pgtable_walk(kernel_root, (u64)_text_start, false).ptep;
	pte_t *r = pgtable_walk(kernel_root, (u64)_srodata, false).ptep;
	pte_t *d = pgtable_walk(kernel_root, (u64)_sdata, false).ptep;

	KT_ASSERT(x && r && d);
	KT_ASSERT((*x & PTE_X) && !(*x & PTE_W));
	KT_ASSERT(!(*r & PTE_X) && !(*r & PTE_W) && (*r & PTE_R));
	KT_ASSERT(!(*d & PTE_X) && (*d & PTE_W) && (*d & PTE_D));
	KT_EQ(pgtable_check(kernel_root, PT_ENTRIES / 2, PT_ENTRIES), 0);
}

KTEST(vma_add_find_overlap)
{
	u64 before = free_page_count();
	struct mm *mm = mm_create();

	KT_ASSERT(mm != NULL);
	KT_EQ(vma_add(mm, 0x10000, 0x20000, VM_READ | VM_WRITE, VMA_IMAGE), 0);
	KT_EQ(vma_add(mm, 0x30000, 0x40000, VM_READ, VMA_IMAGE), 0);
	KT_ASSERT(vma_add(mm, 0x18000, 0x31000, VM_READ, VMA_IMAGE) < 0);
	KT_ASSERT(vma_add(mm, 0, 0x1000, VM_READ, VMA_IMAGE) < 0);
	KT_ASSERT(vma_add(mm, 0x50000, 0x51000, VM_WRITE | VM_EXEC, VMA_IMAGE) < 0);
	KT_ASSERT(vma_add(mm, USER_TOP - 0x1000, USER_TOP + 0x1000, VM_READ, VMA_IMAGE) < 0);
	KT_ASSERT(vma_find(mm, 0x10000) != NULL);
	KT_ASSERT(vma_find(mm, 0x20000) == NULL);
	KT_EQ(mm_populate(mm, 0x10000, 0x20000), 0);
	KT_EQ(mm_resident_pages(mm), 16);
	KT_EQ(mm_check(mm), 0);
	mm_destroy(mm);
	KT_EQ(free_page_count(), before);
}

static pte_t pte_of(struct mm *mm, u64 va)
{
	struct pt_walk w = mm_walk(mm, va, false);

	return w.ptep ? *w.ptep : 0;
}

KTEST(cow_share_copy_reuse)
{
	u64 start = free_page_count(), before, va = 0x10000, after_dup;
	struct mm *parent = mm_create(), *child;
	struct mem_stats s0, s1;
	char buf[8];
	pte_t pp, cp;

	KT_ASSERT(parent != NULL);
	KT_EQ(vma_add(parent, va, va + 4 * PAGE_SIZE, VM_READ | VM_WRITE, VMA_IMAGE), 0);
	KT_EQ(vma_add(parent, 0x40000, 0x41000, VM_READ | VM_EXEC, VMA_IMAGE), 0);
	KT_EQ(mm_populate(parent, va, va + 4 * PAGE_SIZE), 0);
	KT_EQ(mm_populate(parent, 0x40000, 0x41000), 0);
	KT_EQ(mm_write(parent, va, "parent", 7), 0);
	before = free_page_count();
	child = mm_dup(parent);
	KT_ASSERT(child != NULL);
	after_dup = free_page_count();
	/* Only page tables were allocated, no data pages. */
	KT_ASSERT(before - after_dup <= 3);
	pp = pte_of(parent, va);
	cp = pte_of(child, va);
	KT_EQ(pte_pa(pp), pte_pa(cp));
	KT_ASSERT(pte_cow(pp) && !pte_writable(pp));
	KT_ASSERT(pte_cow(cp) && !pte_writable(cp));
	KT_EQ(page_refcount(pa_to_page(pte_pa(pp))), 2);
	/* Text is shared plain: no COW bit, read-only. */
	KT_ASSERT(!pte_cow(pte_of(child, 0x40000)) && !pte_writable(pte_of(child, 0x40000)));
	KT_EQ(handle_page_fault(child, 0x40000, FAULT_WRITE | FAULT_USER), FAULT_SEGV);
	KT_EQ(mm_check(parent), 0);
	KT_EQ(mm_check(child), 0);

	mem_get_stats(&s0);
	/* Child writes: copy. */
	KT_EQ(handle_page_fault(child, va + 8, FAULT_WRITE | FAULT_USER), FAULT_OK);
	cp = pte_of(child, va);
	KT_ASSERT(pte_pa(cp) != pte_pa(pp) && pte_writable(cp) && !pte_cow(cp));
	KT_EQ(page_refcount(pa_to_page(pte_pa(pp))), 1);
	memcpy(buf, pa_to_kva(pte_pa(cp)), 7);
	KT_ASSERT(memcmp(buf, "parent", 7) == 0);
	memcpy(pa_to_kva(pte_pa(cp)), "child!", 7);
	/* Parent writes: sole owner now, reuse in place. */
	KT_EQ(handle_page_fault(parent, va, FAULT_WRITE | FAULT_USER), FAULT_OK);
	KT_EQ(pte_pa(pte_of(parent, va)), pte_pa(pp));
	KT_ASSERT(pte_writable(pte_of(parent, va)));
	memcpy(buf, pa_to_kva(pte_pa(pp)), 7);
	KT_ASSERT(memcmp(buf, "parent", 7) == 0);
	mem_get_stats(&s1);
	KT_EQ(s1.cow_copy_faults - s0.cow_copy_faults, 1);
	KT_EQ(s1.cow_reuse_faults - s0.cow_reuse_faults, 1);
	/* A demand-zero fault outside any page but inside the VMA? All are
	 * populated here; outside any VMA is a SEGV. */
	KT_EQ(handle_page_fault(child, 0x90000, FAULT_READ | FAULT_USER), FAULT_SEGV);
	KT_EQ(mm_check(parent), 0);
	KT_EQ(mm_check(child), 0);
	mm_destroy(child);
	KT_EQ(page_refcount(pa_to_page(pte_pa(pte_of(parent, va + PAGE_SIZE)))), 1);
	mm_destroy(parent);
	/* Exact: everything both address spaces held is back. */
	KT_EQ(free_page_count(), start);
}

KTEST(lazy_heap_zero_fill_and_sbrk_shrink)
{
	u64 before = free_page_count();
	struct mm *mm = mm_create();
	long old;

	KT_ASSERT(mm != NULL);
	KT_EQ(mm_set_heap(mm, 0x100000), 0);
	old = mm_sbrk(mm, 5 * PAGE_SIZE, true);
	KT_EQ(old, 0x100000);
	KT_EQ(mm_resident_pages(mm), 0);
	KT_EQ(handle_page_fault(mm, 0x102010, FAULT_READ | FAULT_USER), FAULT_OK);
	KT_EQ(mm_resident_pages(mm), 1);
	KT_EQ(handle_page_fault(mm, 0x105000, FAULT_READ | FAULT_USER), FAULT_SEGV);
	KT_EQ(mm_sbrk(mm, 3 * PAGE_SIZE, false), 0x105000);
	KT_EQ(mm_resident_pages(mm), 4);
	KT_EQ(mm_sbrk(mm, -5 * (long)PAGE_SIZE, false), 0x108000);
	KT_EQ(mm_resident_pages(mm), 1);
	KT_ASSERT(mm_sbrk(mm, -8 * (long)PAGE_SIZE, false) < 0);
	KT_EQ(mm_check(mm), 0);
	mm_destroy(mm);
	KT_EQ(free_page_count(), before);
}

/*
 * A block counted whole: owners add and drop one count; the first split
 * hands every page the block's count; afterwards each page goes on its own.
 */
KTEST(huge_block_counted_whole_until_split)
{
	u64 before = free_page_count();
	struct page *pg = alloc_huge(0);
	int i, bad = 0;

	KT_ASSERT(pg != NULL);
	page_get_huge(pg); /* a fork: one owner more */
	page_get_huge(pg);
	KT_EQ(page_refcount(&pg[0]), 3);
	KT_EQ(page_refcount(&pg[300]), 1);
	KT_ASSERT(!huge_sole_owner(pg));
	page_put_huge(pg);
	KT_EQ(page_refcount(&pg[0]), 2);
	KT_EQ(free_page_count(), before - HUGE_PAGES);
	huge_split_counts(pg);
	KT_ASSERT(!(pg->flags & PG_COMPOUND));
	for (i = 0; i < HUGE_PAGES; i++)
		bad += page_refcount(&pg[i]) != 2;
	KT_EQ(bad, 0);
	page_put(&pg[5]); /* one owner's small PTE goes */
	page_put_huge(pg); /* the other owner's leaf goes */
	KT_EQ(page_refcount(&pg[5]), 0);
	KT_EQ(page_refcount(&pg[6]), 1);
	KT_ASSERT(huge_sole_owner(pg) == false);
	for (i = 0; i < HUGE_PAGES; i++)
		if (i != 5)
			page_put(&pg[i]);
	KT_EQ(free_page_count(), before);
}
