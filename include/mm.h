/*
 * Physical memory: struct page, the page allocator, kmalloc, and the
 * kernel's view of physical addresses (the linear map).
 *
 * Every RAM page has one struct page. Its refcount counts the owners of the
 * page (page tables mapping it, the kernel object using it). It changes in
 * three places only: the allocators (alloc_page() and alloc_huge() hand out
 * pages with a count of 1), page_get()/page_put() for one page, and
 * page_get_huge()/page_put_huge()/huge_split_counts() for a 2 MiB block.
 * The put that drops a count to zero frees the page (free_huge() gives a
 * whole block back at once). A physical address outside RAM given to
 * pa_to_page() panics.
 *
 * Address spaces (struct mm, VMAs, the fault dispatcher) are in
 * <addrspace.h>; page tables in <pgtable.h>.
 */
#ifndef CALF_MM_H
#define CALF_MM_H

#include <types.h>
#include <asm/page.h>

struct page {
	int refcount;   /* atomic; 0 while free */
	u32 flags;      /* PG_* below */
	u32 next, prev; /* free-list links (page indices), valid while free;
			 * prev is kcheck's scratch count while in use */
};

#define PG_RESERVED (1u << 0) /* firmware, kernel image, DTB, initrd: never freed */
#define PG_KERNEL   (1u << 1) /* allocated for kernel use (page tables, stacks) */
#define PG_PGTABLE  (1u << 2) /* a page-table page (with PG_KERNEL) */
#define PG_MARK     (1u << 3) /* kcheck's scratch mark, clear outside kcheck */
#define PG_COMPOUND (1u << 4) /* first page of a 2 MiB block counted whole */

/* Allocation flags. */
#define GFP_ZERO (1u << 0) /* fill the page with zeros */

/* Allocates one page with refcount 1, or returns NULL when memory is out. */
struct page *alloc_page(unsigned gfp);

/*
 * Huge pages: HUGE_PAGES (512) physically contiguous pages starting at a
 * 2 MiB-aligned address, for one 2 MiB leaf PTE. alloc_huge() returns the
 * first of them, or NULL when no aligned 2 MiB block is wholly free
 * (callers fall back to 4 KiB pages). The block is counted in one of two
 * ways:
 *   whole     (PG_COMPOUND on the first page): the first page's count is
 *             the number of owners of the whole block (2 MiB leaves); the
 *             other 511 hold a count of 1 that means only "in use". A new
 *             block starts so, with one owner; a fork that shares a leaf
 *             adds one to a single count, not 512.
 *   per page  (no PG_COMPOUND): each page has its own count, as 512 small
 *             pages would. huge_split_counts() turns a whole block into
 *             this, once, when the first owner splits its leaf into small
 *             PTEs: every page gets the block's count (each owner of the
 *             block owns each page). It never turns back while any owner
 *             is left.
 * page_get_huge()/page_put_huge() work in either way. free_huge() gives back
 * 512 pages whose counts are already 0, as one block.
 */
#define HUGE_SHIFT (PAGE_SHIFT + 9)
#define HUGE_SIZE (1UL << HUGE_SHIFT)
#define HUGE_PAGES 512
struct page *alloc_huge(unsigned gfp);
void free_huge(struct page *first);
/* One owner more for the block from first (a 2 MiB mapping). */
void page_get_huge(struct page *first);
/* One owner less; frees the block in one piece when no page has an owner
 * left, and each page on its own that this call left without one. */
void page_put_huge(struct page *first);
/* Gives each page of the block from first its own count (see above);
 * nothing when it has them already. Before a 2 MiB leaf is split. */
void huge_split_counts(struct page *first);
/* Whether the block from first has one owner only, looking at every page's
 * count when they are counted per page. */
bool huge_sole_owner(struct page *first);

/*
 * The page array (mm/page.c); read-only after boot. RAM may come in several
 * banks with holes between them (PolarFire SoC: 0x80000000 and 64 GiB up).
 * Each bank has its own run of struct pages in one array, and no struct
 * page describes a hole.
 */
struct page_bank {
	struct page *pages; /* the struct page of base_pfn */
	u64 base_pfn;
	u64 npages;
};
#define MAX_PAGE_BANKS 8
extern struct page_bank page_banks[MAX_PAGE_BANKS]; /* by address */
extern int nr_page_banks;

/* Out-of-line ends of the inline helpers below. */
void page_bad_get(struct page *pg, int old) __noreturn;
void page_put_last(struct page *pg, int now);
/* The struct page of pfn, searched in every bank (the inline helpers'
 * slow path); panics outside RAM. */
struct page *page_bank_pfn_slow(u64 pfn);
/* The physical address of pg, searched in every bank; panics when pg is not
 * the struct page of a RAM page. */
phys_addr_t page_bank_pa_slow(struct page *pg);

/*
 * The struct page of page frame pfn, looked up first in *bank (a copy of
 * page_banks[0] kept in registers by loops over thousands of PTEs: fork
 * and exit would otherwise reload the globals after every store), then in
 * the other banks. Panics outside RAM.
 */
static inline struct page *page_bank_pfn(const struct page_bank *bank, u64 pfn)
{
	u64 idx = pfn - bank->base_pfn;

	if (likely(idx < bank->npages))
		return &bank->pages[idx];
	return page_bank_pfn_slow(pfn);
}

/* The struct page of a RAM address; panics outside RAM. */
static inline struct page *pa_to_page(phys_addr_t pa)
{
	return page_bank_pfn(&page_banks[0], pa >> PAGE_SHIFT);
}

/* Adds a reference; the page must already be in use. */
static inline void page_get(struct page *pg)
{
	int old = __atomic_fetch_add(&pg->refcount, 1, __ATOMIC_RELAXED);

	if (unlikely(old < 1))
		page_bad_get(pg, old);
}

/* Drops a reference and frees the page when it was the last. */
static inline void page_put(struct page *pg)
{
	int now = __atomic_sub_fetch(&pg->refcount, 1, __ATOMIC_ACQ_REL);

	if (unlikely(now <= 0))
		page_put_last(pg, now);
}

static inline int page_refcount(struct page *pg)
{
	return __atomic_load_n(&pg->refcount, __ATOMIC_ACQUIRE);
}

static inline phys_addr_t page_to_pa(struct page *pg)
{
	const struct page_bank *bank = &page_banks[0];
	u64 idx = (u64)(pg - bank->pages);

	if (likely(idx < bank->npages))
		return (bank->base_pfn + idx) << PAGE_SHIFT;
	return page_bank_pa_slow(pg);
}

static inline void *pa_to_kva(phys_addr_t pa)
{
	return (void *)(pa + PAGE_OFFSET);
}

/* Kernel virtual address of a page through the linear map. */
static inline void *page_address(struct page *pg)
{
	return pa_to_kva(page_to_pa(pg));
}
/* Works for linear-map and kernel-image addresses. */
phys_addr_t kva_to_pa(const void *va);

/* Page-granular helpers for kernel objects: a zeroed page's kva or NULL. */
void *kalloc_page(void);
void kfree_page(void *kva);

/* Small objects (up to 2048 bytes), from size-class slabs. NULL when out. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

/* Memory statistics, readable by user space through memstat. */
struct mem_stats {
	u64 total_pages;    /* RAM pages covered by the page array */
	u64 free_pages;
	u64 reserved_pages; /* never allocatable */
	u64 cow_copy_faults;
	u64 cow_reuse_faults;
	u64 zero_fill_faults;
	u64 shared_pages;   /* user pages with refcount > 1 right now */
	u64 huge_free;      /* 2 MiB blocks wholly free right now */
	u64 thp_mapped;     /* 2 MiB mappings made by sbrk (event count) */
	u64 thp_copies;     /* COW faults that copied a whole 2 MiB page */
	u64 thp_splits;     /* 2 MiB mappings split into 4 KiB PTEs */
	u64 cache_pages;    /* pages in the page cache right now */
	u64 file_faults;    /* faults that mapped a page-cache page */
	u64 writebacks;     /* page-cache pages written back */
	u64 tlb_shootdowns; /* remote TLB flush requests (one per operation) */
	u64 tlb_shootdown_harts; /* harts those requests went to, summed */
	u64 pt_pages;       /* page-table pages in use right now, kernel's too */
	u64 cow_ahead_pages; /* COW pages copied ahead of a store (events) */
};
void mem_get_stats(struct mem_stats *st);
u64 free_page_count(void);

/* Map device registers uncached-for-device into the kernel; never fails. */
void *ioremap(phys_addr_t pa, size_t size);

#endif
