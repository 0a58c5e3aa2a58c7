/*
 * Three-level Sv39 page tables: walking, mapping, freeing, checking.
 */
#include <pgtable.h>
#include <mm.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include "internal.h"

pte_t *kernel_root;
u64 nr_pgtables; /* see internal.h */

pte_t *pgtable_alloc(void)
{
	pte_t *t = kalloc_page();

	if (t) { /* kcheck finds leaked and doubly linked tables by this flag */
		pa_to_page(kva_to_pa(t))->flags |= PG_PGTABLE;
		__atomic_add_fetch(&nr_pgtables, 1, __ATOMIC_RELAXED);
	}
	return t;
}

void pte_install_bad(pte_t pte)
{
	panic("pte_install: leaf %lx breaks the A/D/W^X/COW rules", pte);
}

/* Returns the table at the next level below entry, creating it if asked
 * (never over a parked entry, whose table it returns). */
static pte_t *next_table(pte_t *entry, bool alloc)
{
	pte_t *t;

	if (pte_parked(*entry))
		return pte_table(*entry);
	if (pte_valid(*entry))
		return pte_leaf(*entry) ? NULL : pte_table(*entry);
	if (!alloc)
		return NULL;
	t = pgtable_alloc();
	if (!t)
		return NULL;
	WRITE_ONCE(*entry, pte_mktable(kva_to_pa(t)));
	return t;
}

/* Contract in <pgtable.h>: the general walk, which stops at a 2 MiB leaf
 * and creates tables when alloc. */
struct pt_walk pgtable_walk_slow(pte_t *root, u64 va, bool alloc)
{
	pte_t *l1e = pgtable_walk_l1(root, va, alloc), *t;

	if (!l1e)
		return (struct pt_walk){ WALK_NONE, NULL };
	if (pte_leaf(*l1e))
		return (struct pt_walk){ WALK_HUGE, l1e };
	t = next_table(l1e, alloc);
	if (!t)
		return (struct pt_walk){ WALK_NONE, NULL };
	return (struct pt_walk){ (*l1e & PTE_SHARED) ? WALK_SHARED : WALK_PTE,
				 &t[PT_INDEX(va, 0)] };
}

pte_t *pgtable_walk_l1(pte_t *root, u64 va, bool alloc)
{
	pte_t *t = next_table(&root[PT_INDEX(va, 2)], alloc);

	return t ? &t[PT_INDEX(va, 1)] : NULL;
}

int pgtable_map_level(pte_t *root, u64 va, phys_addr_t pa, int level, unsigned prot)
{
	pte_t *t = root;
	int l;

	for (l = PT_LEVELS - 1; l > level; l--) {
		t = next_table(&t[PT_INDEX(va, l)], true);
		if (!t)
			return -ENOMEM;
	}
	pte_install(&t[PT_INDEX(va, level)], pte_mkleaf(pa, prot));
	return 0;
}

int pgtable_map_range(pte_t *root, u64 va, phys_addr_t pa, u64 size, unsigned prot)
{
	u64 off;

	for (off = 0; off < size; off += PAGE_SIZE) {
		int err = pgtable_map_level(root, va + off, pa + off, 0, prot);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Frees table t at level and everything below it. Leaf tables are not
 * scanned: their owner has already dropped every page they mapped (for an
 * address space, mm_destroy() checks that through rss).
 */
static void free_tables(pte_t *t, int level)
{
	int i;

	for (i = 0; level > 0 && i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		if (!e)
			continue;
		if (!pte_valid(e) || (e & PTE_SHARED))
			panic("free_tables: shared table %lx still linked", e);
		if (pte_leaf(e))
			panic("free_tables: leaf %lx still mapped at level %d", e, level);
		free_tables(pte_table(e), level - 1);
	}
	kfree_page(t);
}

void pgtable_free_range(pte_t *root, int from, int to, bool free_root)
{
	int i;

	for (i = from; i < to; i++) {
		if (!pte_valid(root[i]))
			continue;
		if (pte_leaf(root[i]))
			panic("pgtable_free_range: gigapage leaf at root[%d]", i);
		free_tables(pte_table(root[i]), PT_LEVELS - 2);
		root[i] = 0;
	}
	if (free_root)
		kfree_page(root);
}

static int check_table(pte_t *t, int level, u64 va_base)
{
	int i, bad = 0;

	for (i = 0; i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		u64 va = va_base + (u64)i * LEVEL_SIZE(level);

		if (!pte_valid(e))
			continue;
		if (pte_leaf(e)) {
			if (!pte_leaf_ok(e)) {
				printk("pgtable_check: bad leaf %lx at va %lx\n", e, va);
				bad++;
			}
		} else if (!pte_table_ok(e) || level == 0) {
			printk("pgtable_check: bad table entry %lx at va %lx\n", e, va);
			bad++;
		} else {
			bad += check_table(pte_table(e), level - 1, va);
		}
	}
	return bad;
}

int pgtable_check(pte_t *root, int from, int to)
{
	int i, bad = 0;

	for (i = from; i < to; i++) {
		pte_t e = root[i];
		u64 va = (u64)i * LEVEL_SIZE(2);

		if (i >= PT_ENTRIES / 2) /* the upper half: sign-extended */
			va |= ~0UL << SV39_VA_BITS;
		if (!pte_valid(e))
			continue;
		if (pte_leaf(e)) {
			if (!pte_leaf_ok(e)) {
				printk("pgtable_check: bad leaf %lx at va %lx\n", e, va);
				bad++;
			}
		} else if (!pte_table_ok(e)) {
			printk("pgtable_check: bad table entry %lx\n", e);
			bad++;
		} else {
			bad += check_table(pte_table(e), 1, va);
		}
	}
	return bad;
}

/* No entry at all: neither valid nor parked. */
static bool table_empty(const pte_t *t)
{
	int i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/*
 * Frees the level-0 and level-1 tables under [start, end) of the user half
 * that no longer map anything (after a large unmap, such as a failed or
 * shrinking sbrk), so that unmapping gives back every page it can.
 */
void pgtable_prune(pte_t *root, u64 start, u64 end,
		   void (*free_table)(void *ctx, pte_t *table), void *ctx)
{
	u64 va = ALIGN_DOWN(start, LEVEL_SIZE(1));

	for (; va < end; va += LEVEL_SIZE(1)) {
		pte_t *l2e = &root[PT_INDEX(va, 2)], *l1, *l1e;

		if (!pte_valid(*l2e) || pte_leaf(*l2e))
			continue;
		l1 = pte_table(*l2e);
		l1e = &l1[PT_INDEX(va, 1)];
		if (pte_valid(*l1e) && !pte_leaf(*l1e) &&
		    !(*l1e & PTE_SHARED) && table_empty(pte_table(*l1e))) {
			pte_t *l0 = pte_table(*l1e);
			WRITE_ONCE(*l1e, 0);
			free_table(ctx, l0);
		}
		if (table_empty(l1)) {
			WRITE_ONCE(*l2e, 0);
			free_table(ctx, l1);
		}
	}
}
