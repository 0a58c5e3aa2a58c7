/*
 * Page-table walking and mapping, shared by the kernel's own table and
 * user address spaces. Tables are pages from alloc_page (PG_KERNEL); PTE
 * bits come only from <asm/pte.h> helpers. Callers serialize access (the
 * kernel table is built at boot; user tables under their mm->lock).
 */
#ifndef CALF_PGTABLE_H
#define CALF_PGTABLE_H

#include <types.h>
#include <asm/pte.h>

/* Root of the kernel's page table (its upper half is in every process). */
extern pte_t *kernel_root;

/* A zeroed page for a page table, or NULL when memory is out. */
pte_t *pgtable_alloc(void);

/*
 * What pgtable_walk() found at a virtual address. Sv39 user mappings are
 * 4 KiB PTEs at level 0 or 2 MiB leaves at level 1; the walk stops at the
 * first leaf it meets, so one call answers "which kind maps va, and where is
 * its entry".
 */
enum walk_found {
	WALK_NONE, /* no table covers va (alloc false), memory ran out (alloc
		    * true), or a 1 GiB leaf does (the kernel's linear map) */
	WALK_PTE,  /* ptep is va's level-0 PTE, which may be empty */
	WALK_HUGE, /* ptep is the 2 MiB leaf at level 1 that covers va */
	WALK_SHARED, /* ptep is va's level-0 PTE in a table that a fork left
		      * shared (below); read it, never write it. mm_walk()
		      * (mm/internal.h) turns this into WALK_PTE, unsharing
		      * the table first for a walk that changes PTEs. */
};

struct pt_walk {
	enum walk_found found;
	pte_t *ptep; /* NULL for WALK_NONE */
};

/*
 * Shared level-0 tables (fork; the rules are in mm/cow.c). A level-1 entry
 * with PTE_SHARED (an RSW bit, which the hardware ignores) points at a
 * level-0 table that other address spaces' entries may point at too; the
 * table page's refcount is the number of entries that do. The entry is
 * either "parked", V clear (every access through it faults; the PPN still
 * names the table), or valid, when the table is "sealed": it holds no
 * writable leaf, so it can be read by all its holders. An entry without
 * PTE_SHARED points at a table private to its address space.
 */
#define PTE_SHARED PTE_SOFT2

static inline bool pte_parked(pte_t e)
{
	return (e & (PTE_V | PTE_SHARED)) == PTE_SHARED;
}
/* The parked entry for the level-0 table at pa. */
static inline pte_t pte_mkparked(phys_addr_t pa)
{
	return (pte_mktable(pa) & ~PTE_V) | PTE_SHARED;
}

/* pgtable_walk() for everything but two present private tables. */
struct pt_walk pgtable_walk_slow(pte_t *root, u64 va, bool alloc);

/* A valid entry that points at a table (no R, W or X): one mask. */
static inline bool pte_is_table(pte_t e)
{
	return (e & (PTE_V | PTE_R | PTE_W | PTE_X)) == PTE_V;
}

/* The table a valid non-leaf entry points at, through the linear map. */
static inline pte_t *pte_table(pte_t e)
{
	return (pte_t *)(pte_pa(e) + PAGE_OFFSET);
}

/*
 * Walks root down to va's entry, creating missing tables when alloc is
 * true (never below a 2 MiB leaf, never over a parked entry: a shared
 * table answers WALK_SHARED). The caller serializes access to root.
 * Inline for the case of every fault after the first in a span (both
 * tables there, the level-0 one private): two loads, no call.
 */
static inline struct pt_walk pgtable_walk(pte_t *root, u64 va, bool alloc)
{
	pte_t e = root[PT_INDEX(va, 2)];

	if (likely(pte_is_table(e))) {
		e = pte_table(e)[PT_INDEX(va, 1)];
		if (likely((e & (PTE_V | PTE_R | PTE_W | PTE_X | PTE_SHARED)) ==
			   PTE_V)) /* a table, and not a shared one */
			return (struct pt_walk){ WALK_PTE,
						 &pte_table(e)[PT_INDEX(va, 0)] };
	}
	return pgtable_walk_slow(root, va, alloc);
}
/*
 * The level-1 slot for va (a table pointer, a 2 MiB leaf, or empty), where
 * a 2 MiB leaf goes; creates the level-1 table when alloc is true. NULL when
 * that table is missing (alloc false), memory is out, or a 1 GiB leaf
 * covers va.
 */
pte_t *pgtable_walk_l1(pte_t *root, u64 va, bool alloc);

/*
 * A cursor for loops that go through an address range a span (2 MiB, one
 * level-1 entry) at a time: pgtable_span() answers pgtable_walk_l1() for
 * the span holding va, but when the last answer was for the span just
 * below, in the same level-1 table, it steps to the next entry instead of
 * walking from the root again. Start with {0}; use one cursor per root.
 */
struct pt_span_cursor {
	pte_t *l1e; /* the last answer, NULL for none */
	u64 span;   /* the span it was for */
};

static inline pte_t *pgtable_span(pte_t *root, struct pt_span_cursor *c,
				  u64 va, bool alloc)
{
	const u64 span_size = 1UL << (PAGE_SHIFT + 9);
	u64 span = va & ~(span_size - 1);

	if (c->l1e && span == c->span)
		return c->l1e;
	if (c->l1e && span == c->span + span_size && PT_INDEX(span, 1) != 0)
		c->l1e++;
	else
		c->l1e = pgtable_walk_l1(root, span, alloc);
	c->span = span;
	return c->l1e;
}
/* Installs a leaf at level (0: 4 KiB, 1: 2 MiB, 2: 1 GiB). -ENOMEM or 0. */
int pgtable_map_level(pte_t *root, u64 va, phys_addr_t pa, int level, unsigned prot);
/* Maps [va, va+size) to [pa, ...) with 4 KiB pages. -ENOMEM or 0. */
int pgtable_map_range(pte_t *root, u64 va, phys_addr_t pa, u64 size, unsigned prot);
void pte_install_bad(pte_t pte) __noreturn;

/* Writes a leaf PTE, asserting the A/D and W^X rules. */
static inline void pte_install(pte_t *ptep, pte_t pte)
{
	if (unlikely(pte_valid(pte) && !pte_leaf_ok(pte)))
		pte_install_bad(pte);
	WRITE_ONCE(*ptep, pte);
}
/* Frees the table pages under root's entries [from, to) (not the leaves'
 * pages, which must already be unmapped; no shared table may be left), and
 * root itself when free_root. */
void pgtable_free_range(pte_t *root, int from, int to, bool free_root);
/* Unhooks the tables under [start, end) that map nothing any more (never
 * a shared one: its owner drops it, see mm/cow.c) and
 * hands each to free_table(ctx, table) (which frees it, maybe later: after
 * a TLB shootdown). */
void pgtable_prune(pte_t *root, u64 start, u64 end,
		   void (*free_table)(void *ctx, pte_t *table), void *ctx);
/* Checks every leaf under root[from..to) for the A/D/W^X rules; returns
 * the number of bad entries (each printed). */
int pgtable_check(pte_t *root, int from, int to);

#endif
