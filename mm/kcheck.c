/*
 * kcheck: the whole-machine memory invariant check behind the kcheck
 * system call. It runs with the world stopped (proc/sched.c: every other
 * hart parked in its scheduler, so no allocation, fault, fork or exit is
 * in flight) and checks, page by page:
 *
 *   free lists  every listed page is free and listed once; every free page
 *               is listed; the per-2 MiB-block counts, the whole-block
 *               count and the free count match the lists (page.c).
 *   tables      every page-table page (PG_PGTABLE) is reachable, and its
 *               refcount is the number of entries (or roots) that reach
 *               it; a user root's kernel half equals the kernel's;
 *               memstat's count of them (nr_pgtables) is right. Only a
 *               level-0 table may be reached from several places (shared
 *               by fork, mm/cow.c), and then only through level-1 entries
 *               with PTE_SHARED: any other table reached twice is
 *               "reachable from two places". A shared table's span lies
 *               inside one VMA, and a shared table that still holds a
 *               writable leaf is reached through parked entries only.
 *   user pages  every page a user PTE maps is in use and not a kernel page;
 *               the refcount of every user page equals the number of
 *               distinct tables mapping it over all address spaces (a
 *               shared table counts once, however many reach it; a 2 MiB
 *               leaf counts once for each of its 512 pages), plus one if
 *               the page cache holds it; a user page with a count but no
 *               owner is leaked. A 2 MiB block counted whole (PG_COMPOUND):
 *               its first page's count equals the leaves that map it, and
 *               its other pages hold 1 and are mapped by nothing else.
 *   page cache  every page the page cache holds (fs/pagecache.c) is a
 *               user page in use, and counts as one owner more.
 *   PTEs        no PTE is both writable and COW; a page mapped writable
 *               in a private VMA has refcount 1 (a writable page with a
 *               second owner is a missed COW break); pages of shared
 *               mappings (mmap MAP_SHARED) are writable with many owners;
 *               leaves obey the A/D/W^X rules; mm_check() of every
 *               address space (VMAs, rss).
 *   kernel      every other kernel page (kmalloc slab, kernel stack, disk
 *               buffer, exec's argument pages) has refcount exactly 1.
 *
 * What it cannot see: which kernel object owns a kernel page, so a lost
 * slab or argument page is not found here (init's free-page count before
 * and after each test finds those), nor the contents of kmalloc objects,
 * inodes or disk blocks (mkfs --check does the file system).
 *
 * Each problem prints one "# calf: INVARIANT: ..." line (the first
 * KCHECK_MAX_LINES of them), which the test runner fails on.
 */
#include <mm.h>
#include <addrspace.h>
#include <pgtable.h>
#include <printk.h>
#include <pagecache.h>
#include "internal.h"

#define KCHECK_MAX_LINES 16

static int reported; /* lines printed by this check */
bool kcheck_expected;

static const char *report_prefix(void)
{
	return kcheck_expected ? "(expected) invariant" : "calf: INVARIANT";
}

int kcheck_report(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (reported++ >= KCHECK_MAX_LINES)
		return 1;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("# %s: %s\n", report_prefix(), line);
	return 1;
}

/*
 * A page-table page reached from a table entry or a root: marks it and
 * counts the reach in pg->prev (check_pages() compares it with the
 * refcount). shared: reached through a level-1 entry with PTE_SHARED, the
 * only way a table may be reached twice. 0 the first time (walk it), 1
 * after a problem, -1 when a shared table was walked already.
 */
static int visit_table(const pte_t *t, const char *owner, bool shared)
{
	struct page *pg = pa_to_page(kva_to_pa(t));

	if ((pg->flags & (PG_PGTABLE | PG_KERNEL)) != (PG_PGTABLE | PG_KERNEL))
		return kcheck_report(
		    "%s: table %p is not a page-table page (flags %x)", owner,
		    (void *)page_to_pa(pg), pg->flags);
	pg->prev++;
	if (pg->flags & PG_MARK) {
		if (!shared)
			return kcheck_report(
			    "%s: table %p is reachable from two places", owner,
			    (void *)page_to_pa(pg));
		return -1;
	}
	pg->flags |= PG_MARK;
	/* A table reached otherwise is its owner's alone. */
	if (!shared && page_refcount(pg) != 1)
		return kcheck_report("%s: table %p has refcount %d", owner,
				     (void *)page_to_pa(pg), page_refcount(pg));
	return 0;
}

/*
 * The level-1 entry e at va of mm points at a shared table t (PTE_SHARED):
 * its leaves all in one private anonymous VMA, and no writable leaf in it
 * unless e is parked.
 */
static int check_shared_entry(struct mm *mm, pte_t e, const pte_t *t, u64 va,
			      const char *owner)
{
	struct vma *first = NULL, *v;
	int i, bad = 0;

	for (i = 0; i < PT_ENTRIES; i++) {
		if (!pte_valid(t[i]))
			continue;
		v = vma_find(mm, va + (u64)i * PAGE_SIZE);
		if (!first)
			first = v;
		if (!v || v != first || (v->flags & VM_SHARED) || v->file) {
			bad += kcheck_report(
			    "%s: shared table %p at va %lx maps va %lx outside "
			    "one private anonymous VMA",
			    owner, (void *)kva_to_pa(t), va,
			    va + (u64)i * PAGE_SIZE);
			break;
		}
	}
	for (i = 0; pte_valid(e) && i < PT_ENTRIES; i++)
		if (pte_valid(t[i]) && pte_writable(t[i]) &&
		    page_refcount(pa_to_page(kva_to_pa(t))) > 1) {
			bad += kcheck_report(
			    "%s: shared table %p has a writable leaf at va %lx "
			    "but is not parked",
			    owner, (void *)kva_to_pa(t),
			    va + (u64)i * PAGE_SIZE);
			break;
		}
	return bad;
}

/* One user mapping of pg: counts it in pg->prev; PG_MARK when writable. */
static int count_mapping(struct page *pg, u64 va, bool writable,
			 const char *owner)
{
	if (page_refcount(pg) < 1)
		return kcheck_report("%s: va %lx maps free page %p", owner, va,
				     (void *)page_to_pa(pg));
	if (pg->flags & (PG_KERNEL | PG_RESERVED))
		return kcheck_report(
		    "%s: va %lx maps kernel page %p (flags %x)", owner, va,
		    (void *)page_to_pa(pg), pg->flags);
	pg->prev++;
	if (writable) /* checked in check_pages() */
		pg->flags |= PG_MARK;
	return 0;
}

/* Checks a user leaf PTE at va of mm and counts the pages it maps. */
static int check_user_leaf(struct mm *mm, pte_t pte, u64 va, int level,
			   const char *owner)
{
	u64 i, n = level ? HUGE_PAGES : 1;
	struct vma *v = vma_find(mm, va);
	/* Pages of shared mappings are meant to be writable by many. */
	bool private_w = pte_writable(pte) && !(v && (v->flags & VM_SHARED));
	struct page *first;
	int bad = 0;

	if (pte_writable(pte) && pte_cow(pte))
		bad +=
		    kcheck_report("%s: pte %lx at va %lx is writable and COW",
				  owner, pte, va);
	/* A PROT_NONE mapping keeps its pages under leaves without U. */
	if (!pte_leaf_ok(pte) ||
	    pte_user(pte) != !(v && !(v->flags & VM_ACCESS)))
		bad +=
		    kcheck_report("%s: bad leaf %lx at va %lx", owner, pte, va);
	if (level > 1 || (level == 1 && !IS_ALIGNED(pte_pa(pte), HUGE_SIZE)))
		return bad +
		       kcheck_report("%s: bad level-%d leaf %lx at va %lx",
				     owner, level, pte, va);
	first = pa_to_page(pte_pa(pte));
	if (level == 1 && (first->flags & PG_COMPOUND))
		n = 1; /* counted whole: check_pages() looks at the rest */
	for (i = 0; i < n; i++)
		bad += count_mapping(first + i, va + i * PAGE_SIZE, private_w,
				     owner);
	return bad;
}

/* Walks table t of mm at level (its page already visited), va its base. */
static int walk_user(struct mm *mm, pte_t *t, int level, u64 va,
		     const char *owner)
{
	int i, bad = 0;

	for (i = 0; i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		u64 eva = va + (u64)i * LEVEL_SIZE(level);

		bool shared = e & PTE_SHARED;

		if (shared && (level != 1 || pte_leaf(e))) {
			bad += kcheck_report(
			    "%s: entry %lx with PTE_SHARED at level %d, va %lx",
			    owner, e, level, eva);
			continue;
		}
		if (!pte_valid(e) && !shared)
			continue;
		if (pte_leaf(e)) {
			bad += check_user_leaf(mm, e, eva, level, owner);
		} else if (level == 0) {
			bad += kcheck_report(
			    "%s: table pointer %lx at level 0, va %lx", owner,
			    e, eva);
		} else {
			int b = visit_table(pte_table(e), owner, shared);

			if (shared)
				bad += check_shared_entry(mm, e, pte_table(e),
							  eva, owner);
			if (b > 0)
				bad += b;
			if (!b) /* a shared table's leaves count once */
				bad += walk_user(mm, pte_table(e), level - 1,
						 eva, owner);
		}
	}
	return bad;
}

/* The kernel's tables: visits every table page under t, ignores leaves. */
static int walk_kernel(pte_t *t, int level)
{
	int i, bad = 0;

	for (i = 0; level > 0 && i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		if (pte_valid(e) && !pte_leaf(e)) {
			int b = visit_table(pte_table(e), "kernel table", false);
			bad += b;
			if (!b)
				bad += walk_kernel(pte_table(e), level - 1);
		}
	}
	return bad;
}

/* One address space: its tables, its leaves, and mm_check(). */
static int check_mm(struct mm *mm, const char *owner)
{
	int i, bad = visit_table(mm->root, owner, false), problems;

	if (bad)
		return bad;
	for (i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		if (mm->root[i] != kernel_root[i])
			bad += kcheck_report(
			    "%s: root entry %d differs from the kernel's",
			    owner, i);
	for (i = 0; i < PT_ENTRIES / 2; i++) {
		pte_t e = mm->root[i];
		if (!pte_valid(e))
			continue;
		if (pte_leaf(e)) {
			bad += kcheck_report(
			    "%s: gigapage leaf %lx in the user half", owner, e);
		} else if (!visit_table(pte_table(e), owner, false)) {
			bad += walk_user(mm, pte_table(e), PT_LEVELS - 2,
					 (u64)i * LEVEL_SIZE(PT_LEVELS - 1),
					 owner);
		} else {
			bad++;
		}
	}
	problems = mm_check(mm);
	if (problems)
		bad += kcheck_report("%s: mm_check found %d problems (above)",
				     owner, problems);
	return bad;
}

/* One page the page cache holds: an owner more. */
static int count_cached(struct page *pg, void *unused)
{
	if (page_refcount(pg) < 1 || (pg->flags & (PG_KERNEL | PG_RESERVED)))
		return kcheck_report(
		    "page cache holds page %p with refcount %d flags %x",
		    (void *)page_to_pa(pg), page_refcount(pg), pg->flags);
	pg->prev++;
	return 0;
}

/* The 511 pages after the first of a block counted whole: a count of 1,
 * no mapping of their own, no flags. */
static int check_compound_tail(struct page *first)
{
	int i, bad = 0;

	for (i = 1; i < HUGE_PAGES; i++) {
		struct page *pg = first + i;

		if (page_refcount(pg) != 1 || pg->prev != 0 ||
		    (pg->flags & ~PG_MARK) != 0)
			bad += kcheck_report(
			    "page %p of the whole-counted block %p has "
			    "refcount %d, %u mappings, flags %x",
			    (void *)page_to_pa(pg), (void *)page_to_pa(first),
			    page_refcount(pg), pg->prev, pg->flags);
	}
	return bad;
}

/* After every walk: each page's count and mark against its kind. */
static int check_pages(void)
{
	u64 i, tables = 0;
	int bad = 0;

	for (i = 0; i < page_array_entries(); i++) {
		struct page *pg = page_array_entry(i);
		int refs = page_refcount(pg);
		void *pa;

		if ((pg->flags & PG_RESERVED) || refs == 0)
			continue;
		pa = (void *)page_to_pa(pg);
		if (pg->flags & PG_COMPOUND)
			bad += check_compound_tail(pg);
		if (pg->flags & PG_PGTABLE) {
			tables++;
			if (!(pg->flags & PG_MARK))
				bad += kcheck_report(
				    "page table %p is not reachable (leaked)",
				    pa);
			else if ((u32)refs != pg->prev)
				bad += kcheck_report(
				    "page table %p is reachable from %u places "
				    "but has refcount %d",
				    pa, pg->prev, refs);
		} else if (pg->flags & PG_KERNEL) {
			if (refs != 1)
				bad += kcheck_report(
				    "kernel page %p has refcount %d", pa, refs);
		} else if ((u32)refs != pg->prev) {
			bad += kcheck_report(
			    "user page %p has refcount %d but %u mappings%s",
			    pa, refs, pg->prev, pg->prev ? "" : " (leaked)");
		} else if ((pg->flags & PG_MARK) && refs != 1) {
			bad += kcheck_report("user page %p is mapped writable "
					     "but has refcount %d",
					     pa, refs);
		}
		pg->flags &= ~PG_MARK;
		pg->prev = 0;
		if (pg->flags & PG_COMPOUND) /* its tails are checked */
			i += HUGE_PAGES - 1;
	}
	if (tables != READ_ONCE(nr_pgtables))
		bad += kcheck_report("%lu page-table pages in use, but the "
				     "count says %lu", tables,
				     READ_ONCE(nr_pgtables));
	return bad;
}

int kcheck_memory(struct mm *const *mms, const int *pids, int n)
{
	char owner[24];
	int bad, i;
	u64 p;

	reported = 0;
	bad = page_check_free_lists();
	/* Zero the scratch counts of pages in use; free pages' prev is a link.
	 */
	for (p = 0; p < page_array_entries(); p++) {
		struct page *pg = page_array_entry(p);
		if (page_refcount(pg) != 0 && !(pg->flags & PG_RESERVED))
			pg->prev = 0;
	}
	bad += visit_table(kernel_root, "kernel table", false);
	bad += walk_kernel(kernel_root, PT_LEVELS - 1);
	for (i = 0; i < n; i++) {
		snprintf(owner, sizeof(owner), "pid %d", pids[i]);
		bad += check_mm(mms[i], owner);
	}
	bad += pcache_walk(count_cached, NULL);
	bad += check_pages();
	if (reported > KCHECK_MAX_LINES)
		printk("# %s: ... and %d more\n", report_prefix(),
		       reported - KCHECK_MAX_LINES);
	return bad;
}
