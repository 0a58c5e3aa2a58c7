/*
 * Physical memory: struct page, the page allocator, kmalloc, and the
 * kernel's view of physical addresses (the linear map).
 *
 * Every RAM page has one struct page. Its refcount counts the owners of the
 * page (page tables mapping it, the kernel object using it). It changes in
 * three places only: the allocators (alloc_page() and alloc_huge() hand out
 * pages with a count of 1), page_get()/page_put() for one page, and
 * page_get_huge()/page_put_huge() for the 512 pages under a 2 MiB mapping.
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
	u32 next, prev; /* free-list links (page indices), valid while free */
};

#define PG_RESERVED (1u << 0) /* firmware, kernel image, DTB, initrd: never freed */
#define PG_KERNEL   (1u << 1) /* allocated for kernel use (page tables, stacks) */

/* Allocation flags. */
#define GFP_ZERO (1u << 0) /* fill the page with zeros */

/* Allocates one page with refcount 1, or returns NULL when memory is out. */
struct page *alloc_page(unsigned gfp);

/*
 * Huge pages: HUGE_PAGES (512) physically contiguous pages starting at a
 * 2 MiB-aligned address, for one 2 MiB leaf PTE. They stay 512 ordinary
 * pages: each has its own struct page and refcount, and each can be freed
 * on its own. alloc_huge() returns the first of them, every one with
 * refcount 1, or NULL when no aligned 2 MiB block is wholly free (callers
 * fall back to 4 KiB pages). free_huge() gives back 512 pages whose
 * refcounts the caller has already dropped to 0, as one block.
 */
#define HUGE_SHIFT (PAGE_SHIFT + 9)
#define HUGE_SIZE (1UL << HUGE_SHIFT)
#define HUGE_PAGES 512
struct page *alloc_huge(unsigned gfp);
void free_huge(struct page *first);
/* page_get() on each of the 512 pages from first (a 2 MiB mapping). */
void page_get_huge(struct page *first);
/* page_put() on each of the 512 pages from first; frees the block in one
 * piece when every count reached zero here. */
void page_put_huge(struct page *first);

/* The page array (mm/page.c); read-only after boot. */
extern struct page *page_array;
extern u64 page_array_n;
extern phys_addr_t page_array_base_pa;

/* Out-of-line ends of the inline helpers below. */
void page_bad_pa(phys_addr_t pa) __noreturn;
void page_bad_get(struct page *pg, int old) __noreturn;
void page_put_last(struct page *pg, int now);

/* The struct page of a RAM address; panics outside RAM. */
static inline struct page *pa_to_page(phys_addr_t pa)
{
	u64 idx = (pa - page_array_base_pa) >> PAGE_SHIFT;

	if (unlikely(idx >= page_array_n))
		page_bad_pa(pa);
	return &page_array[idx];
}

/*
 * A snapshot of the page array's bounds, for loops over thousands of PTEs
 * (fork, exit): the globals would otherwise be reloaded after every store.
 */
struct page_map {
	struct page *pages;
	u64 base_pfn, n;
};

static inline struct page_map page_map_get(void)
{
	return (struct page_map){ page_array, page_array_base_pa >> PAGE_SHIFT,
				  page_array_n };
}

/* The struct page of page frame pfn; panics outside RAM. */
static inline struct page *page_map_pfn(const struct page_map *m, u64 pfn)
{
	u64 idx = pfn - m->base_pfn;

	if (unlikely(idx >= m->n))
		page_bad_pa(pfn << PAGE_SHIFT);
	return &m->pages[idx];
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

void page_bad_struct(struct page *pg) __noreturn;

static inline phys_addr_t page_to_pa(struct page *pg)
{
	u64 idx = (u64)(pg - page_array);

	if (unlikely(idx >= page_array_n))
		page_bad_struct(pg);
	return page_array_base_pa + (idx << PAGE_SHIFT);
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
};
void mem_get_stats(struct mem_stats *st);
u64 free_page_count(void);

/* Map device registers uncached-for-device into the kernel; never fails. */
void *ioremap(phys_addr_t pa, size_t size);

#endif
