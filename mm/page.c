/*
 * The struct page array and the page allocator.
 *
 * One struct page per 4 KiB page from the lowest to the highest RAM address
 * (holes and reserved ranges are marked PG_RESERVED and never handed out).
 * Free pages sit on a global list under page_lock, with a small per-hart
 * cache in front of it so that most allocations and frees take no lock.
 * nr_free counts pages on the global list and in every cache, so it is
 * exact at any moment that no allocation is in flight.
 *
 * Lock order: callers may hold any mm or process lock; page_lock is a leaf.
 */
#include <mm.h>
#include <printk.h>
#include <string.h>
#include <spinlock.h>
#include <platform.h>
#include <asm/cpu.h>
#include "internal.h"

struct page *page_array;
u64 page_array_n;
phys_addr_t page_array_base_pa; /* address of page_array[0]'s page */

static struct spinlock page_lock = SPINLOCK_INIT("page_lock");
static struct page *free_list; /* guarded by page_lock */
static u64 nr_free;            /* atomic */
static u64 nr_reserved;

#define PCP_BATCH 16
#define PCP_HIGH 64
/*
 * A hart's cache. Its lock is almost always uncontended: only a hart that
 * found every other source empty takes another hart's cache lock, so that
 * running out of memory means every free page really was handed out.
 * Lock order: pcp lock > page_lock; a hart never holds two pcp locks.
 */
struct pcp {
	struct spinlock lock;
	struct page *list;
	int count;
};
static struct pcp pcp[MAX_CPUS];

void page_bad_pa(phys_addr_t pa)
{
	panic("pa_to_page: physical address %p outside RAM", (void *)pa);
}

void page_bad_struct(struct page *pg)
{
	panic("page_to_pa: %p is not a struct page", pg);
}

/* Moves up to n pages from the global list into this hart's cache. */
static void pcp_refill(struct pcp *p, int n)
{
	spin_lock(&page_lock);
	while (n-- && free_list) {
		struct page *pg = free_list;
		free_list = pg->next;
		pg->next = p->list;
		p->list = pg;
		p->count++;
	}
	spin_unlock(&page_lock);
}

/* Gives n pages from this hart's cache back to the global list. */
static void pcp_drain(struct pcp *p, int n)
{
	spin_lock(&page_lock);
	while (n-- && p->list) {
		struct page *pg = p->list;
		p->list = pg->next;
		p->count--;
		pg->next = free_list;
		free_list = pg;
	}
	spin_unlock(&page_lock);
}

/* Takes one page from p, refilling from the global list when asked. */
static struct page *pcp_take(struct pcp *p, bool refill)
{
	struct page *pg;

	spin_lock(&p->lock);
	if (!p->list && refill)
		pcp_refill(p, PCP_BATCH);
	pg = p->list;
	if (pg) {
		p->list = pg->next;
		p->count--;
		__atomic_sub_fetch(&nr_free, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&p->lock);
	return pg;
}

/* Last resort: a page from another hart's cache. */
static struct page *steal_page(void)
{
	struct page *pg = NULL;
	int i;

	for (i = 0; i < MAX_CPUS && !pg; i++)
		pg = pcp_take(&pcp[i], false);
	return pg;
}

struct page *alloc_page(unsigned gfp)
{
	struct page *pg;

	/* Kernel code is not preempted, so this hart stays this hart. */
	pg = pcp_take(&pcp[cpu_id()], true);
	if (!pg)
		pg = steal_page();
	if (!pg)
		return NULL;
	if (pg->refcount != 0 || (pg->flags & PG_RESERVED))
		panic("alloc_page: free page %p has refcount %d flags %x",
		      (void *)page_to_pa(pg), pg->refcount, pg->flags);
	pg->next = NULL;
	pg->flags = 0;
	__atomic_store_n(&pg->refcount, 1, __ATOMIC_RELEASE);
	if (gfp & GFP_ZERO)
		memset(page_address(pg), 0, PAGE_SIZE);
	return pg;
}

static void free_page(struct page *pg)
{
	struct pcp *p;

	if (pg->flags & PG_RESERVED)
		panic("free_page: reserved page %p freed", (void *)page_to_pa(pg));
	pg->flags = 0;
	p = &pcp[cpu_id()];
	spin_lock(&p->lock);
	pg->next = p->list;
	p->list = pg;
	p->count++;
	__atomic_add_fetch(&nr_free, 1, __ATOMIC_RELAXED);
	if (p->count > PCP_HIGH)
		pcp_drain(p, PCP_HIGH - PCP_BATCH);
	spin_unlock(&p->lock);
}

void page_bad_get(struct page *pg, int old)
{
	panic("page_get: page %p had refcount %d", (void *)page_to_pa(pg), old);
}

/* page_put() dropped the count to now (<= 0): free, or a bug. */
void page_put_last(struct page *pg, int now)
{
	if (now < 0)
		panic("page_put: page %p refcount went to %d",
		      (void *)page_to_pa(pg), now);
	free_page(pg);
}

void *kalloc_page(void)
{
	struct page *pg = alloc_page(GFP_ZERO);

	if (!pg)
		return NULL;
	pg->flags |= PG_KERNEL;
	return page_address(pg);
}

void kfree_page(void *kva)
{
	page_put(pa_to_page(kva_to_pa(kva)));
}

u64 free_page_count(void)
{
	return __atomic_load_n(&nr_free, __ATOMIC_RELAXED);
}

u64 total_page_count(void)
{
	return page_array_n;
}

u64 reserved_page_count(void)
{
	return nr_reserved;
}

/*
 * Builds the page array at array_pa (already reserved by the caller) and
 * frees every RAM page that no reserved range covers.
 */
void page_array_init(phys_addr_t base, u64 npages, phys_addr_t array_pa,
		     const struct mem_region *rsv, int nrsv)
{
	u64 i;
	int m;

	page_array_base_pa = base;
	page_array_n = npages;
	for (m = 0; m < MAX_CPUS; m++)
		spin_init(&pcp[m].lock, "pcp");
	page_array = pa_to_kva(array_pa);
	for (i = 0; i < npages; i++) {
		page_array[i].refcount = 1;
		page_array[i].flags = PG_RESERVED;
		page_array[i].next = NULL;
	}
	nr_reserved = npages;
	for (m = 0; m < platform.nmem; m++) {
		phys_addr_t pa = ALIGN_UP(platform.mem[m].base, PAGE_SIZE);
		phys_addr_t end = ALIGN_DOWN(platform.mem[m].base + platform.mem[m].size, PAGE_SIZE);

		for (; pa < end; pa += PAGE_SIZE) {
			struct page *pg;
			if (range_reserved(pa, PAGE_SIZE, rsv, nrsv))
				continue;
			pg = pa_to_page(pa);
			pg->flags = 0;
			pg->refcount = 0;
			pg->next = free_list;
			free_list = pg;
			nr_free++;
			nr_reserved--;
		}
	}
}

/* Pages currently owned by more than one mapping or user. */
u64 shared_user_pages(void)
{
	u64 i, n = 0;

	for (i = 0; i < page_array_n; i++)
		if (!(page_array[i].flags & (PG_RESERVED | PG_KERNEL)) &&
		    page_refcount(&page_array[i]) > 1)
			n++;
	return n;
}
