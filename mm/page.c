/*
 * The struct page array and the page allocator.
 *
 * One struct page per 4 KiB page of RAM, in one array holding a run per
 * bank of RAM (struct page_bank): a machine whose RAM has holes, like the
 * PolarFire SoC with banks at 2 GiB and 64 GiB, pays nothing for them.
 * Reserved ranges and the padding between runs are marked PG_RESERVED and
 * never handed out.
 * Free pages sit on a global list under page_lock, with a small per-hart
 * cache in front of it so that most allocations and frees take no lock.
 * nr_free counts pages on the global list and in every cache, so it is
 * exact at any moment that no allocation is in flight.
 *
 * Huge pages (2 MiB blocks) come from the same pages. The array is cut into
 * blocks of 512 entries that each stand for one 2 MiB-aligned block of one
 * bank (bank_layout() pads the runs to make it so), and block_free[] counts
 * how many pages of each block sit on the global list; a block whose count
 * is 512 is wholly free and alloc_huge() can unlink its pages (the global
 * list is doubly linked for that). Single pages are taken from the front of
 * the list and whole blocks given back at its tail, so a block freed in one
 * piece tends to stay whole until small allocations have nothing else.
 *
 * Lock order: callers may hold any mm or process lock; page_lock is a leaf.
 */
#include <mm.h>
#include <printk.h>
#include <string.h>
#include <spinlock.h>
#include <platform.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <pagecache.h>
#include "internal.h"

struct page_bank page_banks[MAX_PAGE_BANKS];
int nr_page_banks;
static struct page *page_array; /* every bank's run; entries page_array_n */
static u64 page_array_n;
static u64 nr_ram_pages; /* the banks' pages: page_array_n minus padding */

static struct spinlock page_lock = SPINLOCK_INIT("page_lock");
/*
 * The global list links pages by their index in page_array, which keeps
 * struct page at 16 bytes (a fork touches thousands of them). It is a
 * ring through a sentinel entry just past the last page (free_head), so
 * adding and removing take no branches. NIL ends a hart cache's list.
 */
#define NIL 0xffffffffu
static u32 free_head; /* index of the sentinel; its links guarded by page_lock */
static u16 *block_free;   /* per 2 MiB block: pages on the global list; page_lock */
static u64 nr_blocks;
static u64 whole_blocks;  /* blocks with every page on the global list; page_lock */
static u64 block_hint;    /* where alloc_huge() starts looking; page_lock */
static u64 nr_free;       /* atomic */
static u64 nr_reserved;

static inline u32 page_index(struct page *pg)
{
	return (u32)(pg - page_array);
}

static inline struct page *page_at(u32 i)
{
	return i == NIL ? NULL : &page_array[i];
}

/* Pages before the first bank's first page in its 2 MiB block. */
static u64 block_off;

/* The 2 MiB block of page index i. */
static inline u64 block_of(u32 i)
{
	return (i + block_off) >> 9;
}

/*
 * Puts pg on the global list, at the tail when tail. page_lock held.
 * Inlined: the refill and drain loops are hot (a fork of the eager kernel
 * sends every page through here twice).
 */
static inline __attribute__((always_inline)) void global_add(struct page *pg, bool tail)
{
	u32 i = page_index(pg);
	u32 at = tail ? page_array[free_head].prev : free_head; /* insert after */
	u32 next = page_array[at].next;
	u64 b = block_of(i);

	pg->prev = at;
	pg->next = next;
	page_array[next].prev = i;
	page_array[at].next = i;
	if (++block_free[b] == HUGE_PAGES)
		whole_blocks++;
}

/* Takes pg off the global list. page_lock held. */
static inline __attribute__((always_inline)) void global_del(struct page *pg)
{
	u64 b = block_of(page_index(pg));

	page_array[pg->prev].next = pg->next;
	page_array[pg->next].prev = pg->prev;
	if (block_free[b]-- == HUGE_PAGES)
		whole_blocks--;
}

#define PCP_BATCH 32
#define PCP_HIGH 64
/*
 * A hart's cache. Its lock is almost always uncontended: only a hart that
 * found every other source empty takes another hart's cache lock, so that
 * running out of memory means every free page really was handed out.
 * Lock order: pcp lock > page_lock; a hart never holds two pcp locks.
 */
struct pcp {
	u32 locked; /* pcp_lock() */
	u32 list;   /* first page's index, linked through next; NIL if empty */
	int count;
};
static struct pcp pcp[MAX_CPUS];

/*
 * A hart's cache is locked with interrupts off, as any spinlock, but
 * without the general spinlock's bookkeeping (nesting count, owner,
 * checks): every page allocated and freed goes through here, and the code
 * inside is short, never sleeps and takes no lock but page_lock. Returns
 * whether interrupts were on, for pcp_unlock().
 */
static inline bool pcp_lock(struct pcp *p)
{
	bool irq_on = arch_irq_save();

	while (__atomic_exchange_n(&p->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(p->locked))
			arch_cpu_relax();
	return irq_on;
}

static inline void pcp_unlock(struct pcp *p, bool irq_on)
{
	__atomic_store_n(&p->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(irq_on);
}

struct page *page_bank_pfn_slow(u64 pfn)
{
	int k;

	for (k = 0; k < nr_page_banks; k++) {
		u64 idx = pfn - page_banks[k].base_pfn;
		if (idx < page_banks[k].npages)
			return &page_banks[k].pages[idx];
	}
	panic("pa_to_page: physical address %p outside RAM",
	      (void *)(pfn << PAGE_SHIFT));
}

phys_addr_t page_bank_pa_slow(struct page *pg)
{
	int k;

	for (k = 0; k < nr_page_banks; k++) {
		u64 idx = (u64)(pg - page_banks[k].pages);
		if (idx < page_banks[k].npages)
			return (page_banks[k].base_pfn + idx) << PAGE_SHIFT;
	}
	panic("page_to_pa: %p is not the struct page of a RAM page", pg);
}

/*
 * Moves up to n pages from the front of the global list into this hart's
 * cache. The pages taken are already chained through next in list order,
 * so they go over as one run: per page, only its block's count changes.
 */
static void pcp_refill(struct pcp *p, int n)
{
	u32 first, last = NIL, i;
	int taken = 0;

	spin_lock(&page_lock);
	first = page_array[free_head].next;
	for (i = first; taken < n && i != free_head; i = page_array[i].next) {
		u64 b = block_of(i);

		if (block_free[b]-- == HUGE_PAGES)
			whole_blocks--;
		last = i;
		taken++;
	}
	if (last != NIL) { /* i is the first page left on the list */
		page_array[free_head].next = i;
		page_array[i].prev = free_head;
		page_array[last].next = p->list;
		p->list = first;
		p->count += taken;
	}
	spin_unlock(&page_lock);
}

/* Gives n pages from this hart's cache back to the global list. */
static void pcp_drain(struct pcp *p, int n)
{
	spin_lock(&page_lock);
	while (n-- && p->list != NIL) {
		struct page *pg = &page_array[p->list];
		p->list = pg->next;
		p->count--;
		global_add(pg, false);
	}
	spin_unlock(&page_lock);
}

/* Takes one page from p, refilling from the global list when asked. */
static inline __attribute__((always_inline)) struct page *pcp_take(struct pcp *p, bool refill)
{
	bool irq = pcp_lock(p);
	struct page *pg;

	if (p->list == NIL && refill)
		pcp_refill(p, PCP_BATCH);
	pg = page_at(p->list);
	if (pg) {
		p->list = pg->next;
		p->count--;
		__atomic_sub_fetch(&nr_free, 1, __ATOMIC_RELAXED);
	}
	pcp_unlock(p, irq);
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

/* alloc_page() with this hart's cache empty: refill it from the global
 * list, or steal, or reclaim. NULL when memory is out. */
static struct page *__attribute__((noinline)) alloc_page_slow(void)
{
	struct page *pg = pcp_take(&pcp[cpu_id()], true);

	if (!pg)
		pg = steal_page();
	/* Out: give back the page cache's clean, unmapped pages, then retry. */
	if (!pg && pcache_reclaim()) {
		pg = pcp_take(&pcp[cpu_id()], true);
		if (!pg)
			pg = steal_page();
	}
	return pg;
}

static void __attribute__((noinline, noreturn)) alloc_page_bad(struct page *pg)
{
	panic("alloc_page: free page %p has refcount %d flags %x",
	      (void *)page_to_pa(pg), pg->refcount, pg->flags);
}

struct page *alloc_page(unsigned gfp)
{
	/* Kernel code is not preempted, so this hart stays this hart. */
	struct page *pg = pcp_take(&pcp[cpu_id()], false);

	if (unlikely(!pg)) {
		pg = alloc_page_slow();
		if (!pg)
			return NULL;
	}
	if (unlikely(pg->refcount != 0 || (pg->flags & PG_RESERVED)))
		alloc_page_bad(pg);
	pg->next = NIL;
	pg->flags = 0;
	__atomic_store_n(&pg->refcount, 1, __ATOMIC_RELEASE);
	if (gfp & GFP_ZERO)
		zero_pages(page_address(pg), PAGE_SIZE);
	return pg;
}

static void free_page(struct page *pg)
{
	bool irq;
	struct pcp *p;

	if (pg->flags & PG_RESERVED)
		panic("free_page: reserved page %p freed", (void *)page_to_pa(pg));
	if (pg->flags & PG_PGTABLE)
		__atomic_sub_fetch(&nr_pgtables, 1, __ATOMIC_RELAXED);
	pg->flags = 0;
	p = &pcp[cpu_id()];
	irq = pcp_lock(p);
	pg->next = p->list;
	p->list = page_index(pg);
	p->count++;
	__atomic_add_fetch(&nr_free, 1, __ATOMIC_RELAXED);
	if (p->count > PCP_HIGH)
		pcp_drain(p, PCP_HIGH - PCP_BATCH);
	pcp_unlock(p, irq);
}

struct page *alloc_huge(unsigned gfp)
{
	struct page *first = NULL;
	u64 i, b;

	spin_lock(&page_lock);
	for (i = 0; whole_blocks && i < nr_blocks; i++) {
		b = (block_hint + i) % nr_blocks;
		if (block_free[b] == HUGE_PAGES) {
			block_hint = b;
			first = &page_array[(b << 9) - block_off];
			break;
		}
	}
	if (first) {
		for (i = 0; i < HUGE_PAGES; i++)
			global_del(&first[i]);
		__atomic_sub_fetch(&nr_free, HUGE_PAGES, __ATOMIC_RELAXED);
	}
	spin_unlock(&page_lock);
	if (!first)
		return NULL;
	for (i = 0; i < HUGE_PAGES; i++) {
		if (first[i].refcount != 0 || (first[i].flags & PG_RESERVED))
			panic("alloc_huge: free page %p has refcount %d flags %x",
			      (void *)page_to_pa(&first[i]), first[i].refcount,
			      first[i].flags);
		first[i].flags = 0;
		__atomic_store_n(&first[i].refcount, 1, __ATOMIC_RELEASE);
	}
	first->flags = PG_COMPOUND; /* counted whole, one owner */
	if (gfp & GFP_ZERO)
		zero_pages(page_address(first), HUGE_SIZE);
	return first;
}

void free_huge(struct page *first)
{
	u64 i;

	if (!IS_ALIGNED(page_to_pa(first), HUGE_SIZE))
		panic("free_huge: %p is not 2 MiB aligned", (void *)page_to_pa(first));
	for (i = 0; i < HUGE_PAGES; i++)
		if (page_refcount(&first[i]) != 0 || (first[i].flags & PG_RESERVED))
			panic("free_huge: page %p has refcount %d flags %x",
			      (void *)page_to_pa(&first[i]), first[i].refcount,
			      first[i].flags);
	spin_lock(&page_lock);
	for (i = 0; i < HUGE_PAGES; i++) {
		first[i].flags = 0;
		global_add(&first[i], true);
	}
	__atomic_add_fetch(&nr_free, HUGE_PAGES, __ATOMIC_RELAXED);
	spin_unlock(&page_lock);
}

/*
 * huge_lock orders the one change of a block's counting, whole to per page
 * (huge_split_counts(), under the splitting address space's lock), against
 * owners in other address spaces adding and dropping whole-block counts.
 * A leaf lock: taken under any mm lock; nothing is taken under it.
 */
static struct spinlock huge_lock = SPINLOCK_INIT("huge_lock");

/* page_put() on each of the 512 pages of a block counted per page. */
static void page_put_each(struct page *first)
{
	u64 zeroed[HUGE_PAGES / 64] = { 0 };
	struct page *pg;
	int nzero = 0;

	/*
	 * The loop a fork's exit spends its time in, so it is unrolled and
	 * has one fence on each side instead of two per page: the release
	 * fence orders our earlier writes to the pages before any count
	 * drops, the acquire fence orders the counts before we free a page.
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
#pragma GCC unroll 8
	for (pg = first; pg < first + HUGE_PAGES; pg++) {
		int old = __atomic_fetch_sub(&pg->refcount, 1, __ATOMIC_RELAXED);

		if (unlikely(old <= 1)) {
			u64 i = (u64)(pg - first);
			if (old < 1)
				page_put_last(pg, old - 1); /* panics */
			zeroed[i / 64] |= 1UL << (i % 64);
			nzero++;
		}
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (nzero == HUGE_PAGES) {
		free_huge(first);
		return;
	}
	/* Only the pages this call dropped to zero are ours to free: another
	 * sharer may be freeing others of the block right now. */
	for (pg = first; nzero && pg < first + HUGE_PAGES; pg++) {
		u64 i = (u64)(pg - first);
		if (zeroed[i / 64] & (1UL << (i % 64)))
			page_put_last(pg, 0);
	}
}

void page_put_huge(struct page *first)
{
	int now, i;

	spin_lock(&huge_lock);
	if (!(first->flags & PG_COMPOUND)) {
		spin_unlock(&huge_lock);
		page_put_each(first);
		return;
	}
	now = __atomic_sub_fetch(&first->refcount, 1, __ATOMIC_ACQ_REL);
	if (now == 0) { /* the last owner: every page goes */
		for (i = 1; i < HUGE_PAGES; i++)
			__atomic_store_n(&first[i].refcount, 0,
					 __ATOMIC_RELAXED);
		first->flags &= ~PG_COMPOUND;
	}
	spin_unlock(&huge_lock);
	if (now < 0)
		panic("page_put_huge: block %p count went to %d",
		      (void *)page_to_pa(first), now);
	if (now == 0)
		free_huge(first);
}

void huge_split_counts(struct page *first)
{
	int i, n;

	spin_lock(&huge_lock);
	if (first->flags & PG_COMPOUND) {
		n = page_refcount(first);
		for (i = 1; i < HUGE_PAGES; i++)
			__atomic_store_n(&first[i].refcount, n,
					 __ATOMIC_RELAXED);
		first->flags &= ~PG_COMPOUND;
	}
	spin_unlock(&huge_lock);
}

bool huge_sole_owner(struct page *first)
{
	int i;

	/* A count of 1 that is ours cannot change under us, whichever way
	 * the block is counted (see mm/cow.c). */
	if (READ_ONCE(first->flags) & PG_COMPOUND)
		return page_refcount(first) == 1;
	for (i = 0; i < HUGE_PAGES; i++)
		if (page_refcount(&first[i]) != 1)
			return false;
	return true;
}

void page_get_huge(struct page *first)
{
	struct page *pg;
	unsigned bad = 0;
	int old;

	spin_lock(&huge_lock);
	if (first->flags & PG_COMPOUND) {
		old = __atomic_fetch_add(&first->refcount, 1, __ATOMIC_RELAXED);
		spin_unlock(&huge_lock);
		if (unlikely(old < 1))
			page_bad_get(first, old);
		return;
	}
	spin_unlock(&huge_lock);

	/* One reference more on each page, unrolled, with one check at the
	 * end: old - 1 has its top bit set for a page that was not in use. */
#pragma GCC unroll 8
	for (pg = first; pg < first + HUGE_PAGES; pg++)
		bad |= (unsigned)__atomic_fetch_add(&pg->refcount, 1, __ATOMIC_RELAXED) - 1;
	if (unlikely(bad >> 31))
		for (pg = first; pg < first + HUGE_PAGES; pg++)
			if (page_refcount(pg) < 2)
				page_bad_get(pg, page_refcount(pg) - 1);
}

u64 huge_free_count(void)
{
	return __atomic_load_n(&whole_blocks, __ATOMIC_RELAXED);
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
	return nr_ram_pages;
}

u64 reserved_page_count(void)
{
	return nr_reserved;
}

/*
 * Places each bank's run of struct pages in the array: bank 0's at entry
 * 0, every later one at the start of a fresh 512-entry block of the array
 * plus its first page's offset in its 2 MiB block of RAM. Array block b
 * (entries with block_of() == b) then stands for one aligned 2 MiB block of
 * one bank, or holds padding that is never freed, so a block whose count
 * reaches 512 is physically contiguous. Fills first[] and returns the
 * number of entries. Banks are page aligned and sorted by address.
 */
static u64 bank_layout(const struct mem_region *banks, int n, u64 *first)
{
	u64 off0 = (banks[0].base >> PAGE_SHIFT) % HUGE_PAGES, end = 0;
	int k;

	for (k = 0; k < n; k++) {
		u64 pfn = banks[k].base >> PAGE_SHIFT;
		first[k] = k == 0 ? 0
				  : ALIGN_UP(end + off0, HUGE_PAGES) - off0 +
					pfn % HUGE_PAGES;
		end = first[k] + (banks[k].size >> PAGE_SHIFT);
	}
	if (end >= NIL - 1)
		panic("bank_layout: %lu struct pages do not fit 32-bit links",
		      end);
	return end;
}

u64 page_array_bytes(const struct mem_region *banks, int n)
{
	u64 first[MAX_PAGE_BANKS];
	u64 entries = bank_layout(banks, n, first);
	u64 off0 = (banks[0].base >> PAGE_SHIFT) % HUGE_PAGES;
	u64 blocks = ALIGN_UP(entries + off0, HUGE_PAGES) / HUGE_PAGES;

	/* One struct page more: the free list's sentinel. */
	return ALIGN_UP((entries + 1) * sizeof(struct page), 8) +
	       blocks * sizeof(u16);
}

/* Frees every page of bank k that no reserved range covers. */
static void bank_free_pages(int k, const struct mem_region *rsv, int nrsv)
{
	struct page_bank *b = &page_banks[k];
	u64 i;

	for (i = 0; i < b->npages; i++) {
		phys_addr_t pa = (b->base_pfn + i) << PAGE_SHIFT;
		if (range_reserved(pa, PAGE_SIZE, rsv, nrsv))
			continue;
		b->pages[i].flags = 0;
		b->pages[i].refcount = 0;
		global_add(&b->pages[i], true); /* low addresses first */
		nr_free++;
		nr_reserved--;
	}
}

/*
 * Builds the page array for the n banks (page aligned, sorted by address,
 * not overlapping) at array_pa, which the caller reserved with
 * page_array_bytes() bytes, and frees every RAM page that no reserved
 * range covers.
 */
void page_array_init(const struct mem_region *banks, int n,
		     phys_addr_t array_pa, const struct mem_region *rsv,
		     int nrsv)
{
	u64 first[MAX_PAGE_BANKS], i;
	int k, m;

	if (n < 1 || n > MAX_PAGE_BANKS)
		panic("page_array_init: %d banks of RAM (1 to %d supported)", n,
		      MAX_PAGE_BANKS);
	page_array = pa_to_kva(array_pa);
	page_array_n = bank_layout(banks, n, first);
	block_off = (banks[0].base >> PAGE_SHIFT) % HUGE_PAGES;
	nr_blocks = ALIGN_UP(page_array_n + block_off, HUGE_PAGES) / HUGE_PAGES;
	block_free = pa_to_kva(
	    array_pa + ALIGN_UP((page_array_n + 1) * sizeof(struct page), 8));
	for (i = 0; i < nr_blocks; i++)
		block_free[i] = 0;
	for (m = 0; m < MAX_CPUS; m++) {
		pcp[m].locked = 0;
		pcp[m].list = NIL;
	}
	for (i = 0; i < page_array_n; i++) {
		page_array[i].refcount = 1;
		page_array[i].flags = PG_RESERVED;
		page_array[i].next = page_array[i].prev = NIL;
	}
	free_head = (u32)page_array_n;
	page_array[free_head] = (struct page){ .refcount = 1, .flags = PG_RESERVED,
					      .next = free_head, .prev = free_head };
	nr_page_banks = n;
	for (k = 0; k < n; k++) {
		page_banks[k].pages = &page_array[first[k]];
		page_banks[k].base_pfn = banks[k].base >> PAGE_SHIFT;
		page_banks[k].npages = banks[k].size >> PAGE_SHIFT;
		nr_ram_pages += page_banks[k].npages;
	}
	nr_reserved = nr_ram_pages;
	for (k = 0; k < n; k++)
		bank_free_pages(k, rsv, nrsv);
}

/* Pages currently owned by more than one mapping or user. */
u64 shared_user_pages(void)
{
	u64 i, n = 0;

	for (i = 0; i < page_array_n; i++) {
		struct page *pg = &page_array[i];

		if (pg->flags & PG_COMPOUND) { /* a block counted whole */
			if (page_refcount(pg) > 1)
				n += HUGE_PAGES;
			i += HUGE_PAGES - 1;
		} else if (!(pg->flags & (PG_RESERVED | PG_KERNEL)) &&
			   page_refcount(pg) > 1) {
			n++;
		}
	}
	return n;
}

u64 page_array_entries(void)
{
	return page_array_n;
}

struct page *page_array_entry(u64 i)
{
	return &page_array[i];
}

/* kcheck: a page found on a free list; marks it (PG_MARK) as listed. */
static int check_listed(struct page *pg, const char *where)
{
	int bad = 0;

	if (pg->flags & PG_MARK)
		return kcheck_report("page %p is on the free lists twice",
				     (void *)page_to_pa(pg));
	if (page_refcount(pg) != 0 || pg->flags)
		bad = kcheck_report("page %p on %s has refcount %d flags %x",
				    (void *)page_to_pa(pg), where, page_refcount(pg),
				    pg->flags);
	pg->flags |= PG_MARK;
	return bad;
}

/* kcheck: how many pages of 2 MiB block b carry PG_MARK. */
static u64 block_marked(u64 b)
{
	u64 lo = b << 9, hi = lo + HUGE_PAGES, i, n = 0;

	lo = lo > block_off ? lo - block_off : 0;
	hi = MIN(hi - block_off, page_array_n);
	for (i = lo; i < hi; i++)
		n += (page_array[i].flags & PG_MARK) != 0;
	return n;
}

/*
 * kcheck: the free lists against the page array. Every page on the global
 * list or in a hart's cache must be free (refcount 0, no flags) and listed
 * once; every other non-reserved page with refcount 0 is lost. The block
 * counts, whole_blocks and nr_free must equal what the lists hold. Returns
 * the number of problems (each reported with kcheck_report()). The world
 * is stopped (mm/kcheck.c), so nothing allocates or frees meanwhile; the
 * locks are taken anyway, since they cost nothing then.
 */
int page_check_free_lists(void)
{
	u64 listed = 0, i, steps = 0, whole = 0;
	int bad = 0, c;
	u32 at;

	spin_lock(&page_lock);
	for (at = page_array[free_head].next; at != free_head && steps <= page_array_n;
	     at = page_array[at].next, steps++) {
		struct page *pg = &page_array[at];

		if (at >= page_array_n || page_array[pg->next].prev != at) {
			bad += kcheck_report("global free list broken at page index %u", at);
			break;
		}
		bad += check_listed(pg, "the global free list");
		listed++;
	}
	for (i = 0; i < nr_blocks; i++) {
		u64 n = block_marked(i);
		if (n != block_free[i])
			bad += kcheck_report("2 MiB block %lu: %u pages counted free, %lu on the list",
					     i, block_free[i], n);
		whole += n == HUGE_PAGES;
	}
	if (whole != whole_blocks)
		bad += kcheck_report("%lu whole 2 MiB blocks counted, %lu on the list",
				     whole_blocks, whole);
	spin_unlock(&page_lock);
	for (c = 0; c < MAX_CPUS; c++) {
		bool irq = pcp_lock(&pcp[c]);

		steps = 0;
		for (at = pcp[c].list; at != NIL && steps <= page_array_n;
		     at = page_array[at].next, steps++) {
			if (at >= page_array_n) {
				bad += kcheck_report("cpu %d's page cache links to index %u", c, at);
				break;
			}
			bad += check_listed(&page_array[at], "a hart's page cache");
			listed++;
		}
		if ((u64)pcp[c].count != steps)
			bad += kcheck_report("cpu %d's page cache counts %d pages, holds %lu",
					     c, pcp[c].count, steps);
		pcp_unlock(&pcp[c], irq);
	}
	if (listed != free_page_count())
		bad += kcheck_report("%lu pages counted free, %lu on the free lists",
				     free_page_count(), listed);
	for (i = 0; i < page_array_n; i++) {
		struct page *pg = &page_array[i];
		if (pg->flags & PG_MARK)
			pg->flags &= ~PG_MARK;
		else if (!(pg->flags & PG_RESERVED) && page_refcount(pg) == 0)
			bad += kcheck_report("page %p has refcount 0 but is on no free list",
					     (void *)page_to_pa(pg));
	}
	return bad;
}
