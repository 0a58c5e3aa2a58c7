/*
 * Private to mm/.
 *
 * Lock order (outermost first):
 *   wait_lock > proc->lock > mm_all_lock > mm->lock > kmalloc_lock
 *     > pcache lock > page_lock
 * (mm_all_lock: the list of every mm, for truncation; the pcache lock:
 * fs/pagecache.c, taken under mm->lock by file faults and by the page
 * allocator's reclaim, which frees pages under it.) Filling the page cache
 * sleeps: file faults drop mm->lock for it.
 * mm->lock guards an address space's VMA list, its page tables and the
 * PTEs in them; struct page refcounts are atomic and need no lock. A
 * level-0 table that fork left shared (mm/cow.c) has several holders, each
 * under its own lock: the rules there say why none of them needs the
 * others' (nobody writes it but to turn writable leaves COW, and only while
 * no hart can use it).
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <mm.h>
#include <platform.h>

u64 total_page_count(void);
u64 reserved_page_count(void);
u64 huge_free_count(void);
/*
 * Page-table pages in use right now, the kernel's own included (memstat's
 * pt_pages): pgtable_alloc() adds one, free_page() takes a PG_PGTABLE page
 * off. Atomic: tables come and go under many different locks.
 */
extern u64 nr_pgtables;
/* User pages with a refcount above 1 right now (memstat). */
u64 shared_user_pages(void);
/* Bytes for the page array of n banks plus its 2 MiB block counts. */
u64 page_array_bytes(const struct mem_region *banks, int n);
bool range_reserved(phys_addr_t pa, u64 size, const struct mem_region *rsv, int nrsv);
int bank_add(struct mem_region *banks, int n, phys_addr_t base, u64 size);
void page_array_init(const struct mem_region *banks, int n,
		     phys_addr_t array_pa, const struct mem_region *rsv,
		     int nrsv);

#include <addrspace.h>
#include <pgtable.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <errno.h>
#include <string.h>

/*
 * Event counters shown by memstat, one row per hart: kernel code is not
 * preempted and interrupt handlers never count these events, so a plain
 * increment of this hart's row is safe; readers add the rows up.
 */
enum vm_event {
	EV_COW_COPY, EV_COW_REUSE, EV_ZERO_FILL,
	EV_COW_AHEAD, /* pages copy-ahead copied (cow.c), not faults */
	EV_THP_MAP, EV_THP_COPY, EV_THP_SPLIT,
	EV_FILE_FAULT,
	EV_PT_REUSE, EV_PT_COPY, /* shared tables taken back, copied */
	EV_SHOOTDOWN,       /* remote TLB requests sent (one per operation) */
	EV_SHOOTDOWN_HARTS, /* harts those requests went to, added up */
	NR_VM_EVENTS
};
/* A row is padded to a power of two, so finding this hart's is a shift. */
#define VM_EVENT_ROW 16
_Static_assert(NR_VM_EVENTS <= VM_EVENT_ROW, "vm_events: row too short");
extern u64 vm_events[MAX_CPUS][VM_EVENT_ROW];

static inline void vm_event_inc(enum vm_event ev)
{
	vm_events[cpu_id()][ev]++;
}

/*
 * PTE protection for a VMA's pages. A VMA that allows no access at all
 * (mmap's PROT_NONE) still needs a leaf to keep its pages: a readable one
 * without the user bit, which user code cannot touch.
 */
static inline unsigned vma_prot(const struct vma *vma)
{
	unsigned prot = PROT_USER;

	if (!(vma->flags & VM_ACCESS))
		return PROT_READ;

	if (vma->flags & VM_READ)
		prot |= PROT_READ;
	if (vma->flags & VM_WRITE)
		prot |= PROT_WRITE;
	if (vma->flags & VM_EXEC)
		prot |= PROT_EXEC;
	return prot;
}

/*
 * mm_flush_page() (inline, below): flushes va from every hart that may
 * cache mm's translations (this one, and ONE remote request for the
 * others). tlb.c's mm_flush_all(): the same for all of mm (after a fork
 * write-protected the parent). Both return when every hart has flushed.
 * mm->lock held.
 */
void mm_flush_all(struct mm *mm);

/*
 * The other harts that may cache mm. The full fence orders the PTE stores
 * before the read of the mask: a hart that sets its bit after we read it
 * (mm_activate: bit, then the root switch and a full local flush) walks
 * the new PTEs.
 */
static inline u64 mm_other_cpus(struct mm *mm)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&mm->active_cpus, __ATOMIC_ACQUIRE) &
	       ~(1UL << cpu_id());
}

/* tlb.c: one remote request to the harts in others for [start, start +
 * size) (size ~0: everything), none when others is empty; returns when
 * they have flushed. */
void mm_shootdown(u64 others, u64 start, u64 size);

/* Flushes [start, end) from every hart that may cache mm's translations,
 * with at most one remote request (a long range: all of mm). mm->lock
 * held. */
void mm_flush_range(struct mm *mm, u64 start, u64 end);

/* Inline: a COW copy flushes one page, and usually no other hart runs mm. */
static inline void mm_flush_page(struct mm *mm, u64 va)
{
	u64 others;

	arch_flush_tlb_page(va);
	others = mm_other_cpus(mm);
	if (unlikely(others))
		mm_shootdown(others, va, PAGE_SIZE);
}
/* An upgrade (W granted, a PTE filled): only this hart may hold the entry
 * that faulted; other harts' stale entries fault and flush themselves. */
static inline void mm_flush_local(u64 va)
{
	arch_flush_tlb_page(va);
}
/* The cpu mask of the last remote request this hart sent (self tests). */
void tlb_record_shootdown(u64 mask);
u64 tlb_last_shootdown_mask(void);

/*
 * A batch of removals (sbrk shrink, unmap): the pages and page tables that
 * a range held are collected while its PTEs are cleared, one flush covers
 * the range on every hart, and only then are the pages put and the tables
 * freed, so no hart can reach a reused page through a stale entry.
 * mm->lock held from init to finish.
 */
#define TLB_BATCH_MAX 512
enum { TLB_ITEM_PAGE, TLB_ITEM_HUGE, TLB_ITEM_TABLE, TLB_ITEM_SHARED };
struct tlb_batch {
	struct mm *mm;
	u64 start, end; /* the range to flush; start >= end: nothing yet */
	int n;
	u64 items[TLB_BATCH_MAX]; /* pointer | TLB_ITEM_* */
};
/* This hart's batch, emptied, for mm. Kernel code is not preempted and
 * mm->lock is held until tlb_batch_finish(), so nothing else uses it. */
struct tlb_batch *tlb_batch_begin(struct mm *mm);
/* Adds [start, end) to the range flushed. */
void tlb_batch_range(struct tlb_batch *b, u64 start, u64 end);
/* p: a struct page (one reference), the first of a 2 MiB page (512
 * references), a page-table page, or a shared level-0 table (one
 * reference: pt_table_put()), released after the flush. */
void tlb_batch_add(struct tlb_batch *b, void *p, unsigned kind);
/* Flushes the range and releases everything gathered. */
void tlb_batch_finish(struct tlb_batch *b);

/*
 * How mm_walk() treats a level-0 table that a fork left shared (cow.c):
 *   MW_READ   reads through it (the answer says WALK_PTE); the caller only
 *             reads the PTE (false, for short)
 *   MW_ALLOC  unshares it first, and creates missing tables (true): for
 *             walks that fill or change PTEs
 *   MW_CHANGE unshares it first, creates nothing: for walks that change
 *             or clear PTEs
 *   MW_LOAD, MW_FETCH, MW_STORE: the fault dispatcher's first walk for a
 *             load, a fetch or a store (mw_for_fault()), which creates
 *             nothing: the "shared table" stage, pt_share_fault()
 *   An unshare that runs out of memory answers WALK_NONE.
 */
enum mm_walk_mode {
	MW_READ = 0, MW_ALLOC = 1, MW_CHANGE = 2,
	MW_LOAD = 3, MW_FETCH = 4, MW_STORE = 5
};

/* The dispatcher's walk mode for a fault of kind access (FAULT_*). */
static inline enum mm_walk_mode mw_for_fault(unsigned access)
{
	/* Without branches: a fault is exactly one of the three. */
	_Static_assert(MW_FETCH == MW_LOAD + 1 && MW_STORE == MW_LOAD + 2 &&
			       FAULT_WRITE == 2 && FAULT_EXEC == 4,
		       "mw_for_fault: modes and access bits moved");
	return MW_LOAD + (access & FAULT_WRITE) + ((access & FAULT_EXEC) >> 2);
}

/* cow.c: the slow end of mm_walk(), for a table a fork left shared. */
struct pt_walk mm_walk_shared(struct mm *mm, u64 va, struct pt_walk w,
			      enum mm_walk_mode mode);

/*
 * What maps va in mm (see pgtable_walk()). Every walk that changes a PTE
 * goes through here in a changing mode, which is what keeps shared tables
 * unwritten. mm->lock held on entry and exit.
 */
static inline struct pt_walk mm_walk(struct mm *mm, u64 va,
				     enum mm_walk_mode mode)
{
	struct pt_walk w = pgtable_walk(mm->root, va, mode == MW_ALLOC);

	if (unlikely(w.found == WALK_SHARED))
		w = mm_walk_shared(mm, va, w, mode);
	return w;
}

/*
 * Fork: the child's copy of one parent page, a private copy (eager fork)
 * that the child maps with prot. 0, or -ENOMEM with nothing changed.
 */
static inline __attribute__((always_inline)) int
fork_copy_page(pte_t pte, pte_t *child_ptep, unsigned prot)
{
	struct page *pg = alloc_page(0);

	if (!pg)
		return -ENOMEM;
	copy_pages(page_address(pg), pa_to_kva(pte_pa(pte)), PAGE_SIZE);
	pte_install(child_ptep, pte_mkleaf(page_to_pa(pg), prot));
	return 0;
}

/*
 * Fork: makes the parent's writable PTE (4 KiB or 2 MiB) *parent_ptep
 * copy-on-write and returns the child's copy of it; a read-only PTE is
 * returned as it is (shared plain, never COW). The caller takes the page
 * references.
 */
static inline pte_t cow_share_pte(pte_t *parent_ptep)
{
	pte_t pte = *parent_ptep;

	if (pte_writable(pte)) {
		pte = pte_mkcow(pte);
		WRITE_ONCE(*parent_ptep, pte); /* still a valid leaf: A set, no W */
	}
	return pte;
}

/* Clears the PTEs of [start, end) of mm and frees the page tables left
 * empty there; the pages go into b and are dropped (and the range flushed
 * on every hart) by tlb_batch_finish(b). A 2 MiB leaf in the range must lie
 * wholly inside it. mm->lock held on entry and exit. */
void unmap_pages(struct mm *mm, u64 start, u64 end, struct tlb_batch *b);

/* vma.c: a VMA that is not linked anywhere yet, or NULL. */
struct vma *vma_new(u64 start, u64 end, unsigned flags, enum vma_kind kind);
/* Links v into mm's sorted list; -EINVAL on overlap. mm->lock held on
 * entry and exit. */
int vma_link(struct mm *mm, struct vma *v);
/* Splits v at the page boundary addr inside it: v keeps [start, addr), a
 * new VMA linked after it gets [addr, end) and v's other fields. The new
 * VMA, or NULL (no memory, nothing changed). mm->lock held on entry and
 * exit. */
struct vma *vma_split(struct mm *mm, struct vma *v, u64 addr);
/* Unlinks v from mm (its pages must be unmapped already) and pushes it
 * on the list *dead, for vma_free_list() once mm->lock is dropped.
 * mm->lock held on entry and exit. */
void vma_remove(struct mm *mm, struct vma *v, struct vma **dead);
/* Frees a list of removed VMAs and drops their file references. Sleeps:
 * no spinlock held. */
void vma_free_list(struct vma *dead);
/* mmap.c: writes back the pages that shared file mappings of the writable
 * kind map in [start, end). Sleeps: mm->lock not held on entry. */
void mm_writeback(struct mm *mm, u64 start, u64 end);

/* kcheck.c: prints one "# calf: INVARIANT: ..." line; returns 1. */
int kcheck_report(const char *fmt, ...) __printf(1, 2);
/* page.c: the free lists and block counts; returns the problems found. */
int page_check_free_lists(void);
/* page.c, for kcheck: the page array's entries, padding between banks
 * included (it is PG_RESERVED), and entry i of them. */
u64 page_array_entries(void);
struct page *page_array_entry(u64 i);

/* cow.c */
/*
 * A store to the COW PTE *ptep at va in vma (writable): reuses the page
 * when mm holds its only reference, copies it otherwise. Flushes the TLB
 * entry it changed. FAULT_OK, or FAULT_OOM with nothing changed. mm->lock
 * held on entry and exit.
 */
enum fault_result cow_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *ptep);
/*
 * Fork: shares (copy-on-write, or eager: copies) the pages of the parent's
 * vma into child, which has the same VMA already; a span that qualifies
 * shares its level-0 table instead (see the top of cow.c). 0 or -ENOMEM.
 * child->rss counts only the pages of spans that were not shared: the
 * caller sets it (mm_dup()). parent->lock held on entry and exit; child is
 * not yet visible to anyone.
 */
int vma_copy_ptes(struct mm *parent, struct mm *child, struct vma *vma);

/* The level-1 entry for va when it has PTE_SHARED (a shared table, parked
 * or sealed), else NULL. mm->lock held. */
static inline pte_t *mm_shared_l1e(struct mm *mm, u64 va)
{
	pte_t e = mm->root[PT_INDEX(va, 2)], *l1e;

	if (!pte_valid(e) || pte_leaf(e))
		return NULL;
	l1e = &((pte_t *)pa_to_kva(pte_pa(e)))[PT_INDEX(va, 1)];
	return (*l1e & PTE_SHARED) ? l1e : NULL;
}
/*
 * The unshare stage: makes the shared table under the level-1 entry *l1e
 * (covering va) private to mm. The last holder takes it back as it is;
 * otherwise mm gets a copy of its 512 PTEs (writable ones turning COW in
 * both), one page reference per present page, and drops its reference to
 * the shared table. Flushes what the change requires. 0, or -ENOMEM with
 * nothing changed. mm->lock held on entry and exit.
 */
int pt_unshare(struct mm *mm, u64 va, pte_t *l1e);
/* pt_unshare() for every shared table of [start, end) (edges_only: only
 * for the spans that contain start or end without being covered whole).
 * 0 or -ENOMEM. mm->lock held on entry and exit. */
int mm_unshare_range(struct mm *mm, u64 start, u64 end, bool edges_only);
/*
 * The fault dispatcher's "shared table" stage (mm/fault.c): its walk
 * (mode MW_LOAD, MW_FETCH or MW_STORE) found va's level-0 table shared,
 * w.ptep being va's PTE there. A load or fetch of a present page that
 * allows it seals the table (its writable leaves turn COW) and
 * revalidates mm's entry: the answer is that PTE, which allows the access
 * (the dispatcher flushes va and retries). Anything else unshares the
 * table and answers the walk of mm's own table; WALK_NONE when memory is
 * out. mm->lock held on entry and exit.
 */
struct pt_walk pt_share_fault(struct mm *mm, u64 va, struct pt_walk w,
			      enum mm_walk_mode mode);
/*
 * Drops mm's reference to the shared table under *l1e without copying it
 * (the span goes away from mm: an unmap of all of it, or mm_destroy(),
 * which lets go of every span, partial ones too): the entry is cleared
 * and the reference goes to b (after its flush), mm->rss losing the
 * table's present pages; without b (mm_destroy()), the reference goes at
 * once and rss is left as it is (counting would read all 512 PTEs).
 * mm->lock held.
 */
void pt_detach(struct mm *mm, pte_t *l1e, struct tlb_batch *b);
/* Drops one reference to a shared level-0 table; the last one drops the
 * table's page references and frees it. */
void pt_table_put(pte_t *t);
/* Present leaves of the level-0 table t in [from, to). */
u64 pt_present(const pte_t *t, unsigned from, unsigned to);

#endif
