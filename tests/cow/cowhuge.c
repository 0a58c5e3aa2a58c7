/*
 * cowhuge: copy-on-write of 2 MiB heap pages.
 *
 * An eager sbrk maps whole 2 MiB blocks of the heap with 2 MiB pages
 * (mm/huge.c). Each of the 512 small pages behind one keeps its own
 * refcount, so fork shares them like small pages. This checks, with the
 * memstat counters saying which path the kernel took:
 *   - eager sbrk really maps 2 MiB pages;
 *   - a child's store into a shared 2 MiB page copies the whole page, and
 *     neither process sees the other's writes;
 *   - after the child exits, the parent's store reuses its 2 MiB page;
 *   - a child that shrinks its heap to a break inside a shared 2 MiB page
 *     splits only its own mapping;
 *   - with less than a quarter of memory free, a store splits the shared
 *     2 MiB page and copies only the 4 KiB page written;
 *   - the first touch of a 2 MiB span wholly inside a lazily grown heap
 *     (sbrklazy) maps the whole span with one zeroed 2 MiB page, and a
 *     child's store into it copies it like an eager one;
 *   - every page comes back at the end.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define MIB (1024 * 1024)
#define HUGE (2 * MIB)
#define HEAP (8 * MIB)
#define PARENT_SEED 0x2bad2bad00000000UL
#define CHILD_SEED 0x5eed5eed00000000UL

/* Child exit status bits. */
#define BAD_INHERITED 1 /* a word differed from the parent's */
#define BAD_OWN 2	/* the child's own write did not stick */
#define BAD_PATH 4	/* the counters show another path than expected */
#define BAD_SBRK 8	/* the shrink failed */

static char *heap;

static struct memstat stats(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0) {
		printf("Bail out! memstat failed\n");
		exit(1);
	}
	return ms;
}

/* The first 2 MiB-aligned address in the heap. */
static char *first_block(void)
{
	return (char *)(((uint64)heap + HUGE - 1) & ~(uint64)(HUGE - 1));
}

/* Stores one word into the middle of the first 2 MiB page; checks it. */
static int store_middle(void)
{
	uint64 *w = (uint64 *)(first_block() + MIB);
	int status = 0;

	*w = 42;
	if (*w != 42)
		status |= BAD_OWN;
	if (words_bad((char *)(w + 1), 64, PARENT_SEED) != 0 ||
	    words_bad(first_block(), MIB, PARENT_SEED) != 0)
		status |= BAD_INHERITED;
	return status;
}

/* Child: store into a shared 2 MiB page; expects a whole-page copy. */
static void child_copy(unsigned long arg)
{
	struct memstat a, b;
	int status = 0;

	(void)arg;
	if (words_bad(heap, HEAP, PARENT_SEED) != 0)
		status |= BAD_INHERITED;
	a = stats();
	status |= store_middle();
	b = stats();
	if (b.thp_copies != a.thp_copies + 1 || b.thp_splits != a.thp_splits)
		status |= BAD_PATH;
	exit(status);
}

/* Child: shrink the heap to 4 KiB past the middle of the last 2 MiB page. */
static void child_shrink(unsigned long arg)
{
	char *last = first_block() + (HEAP / HUGE - 2) * HUGE;
	char *brk = last + MIB + PGSIZE;
	long keep = brk - heap;
	struct memstat a, b;
	int status = 0;

	(void)arg;
	a = stats();
	if (sbrk(-(int)(HEAP - keep)) == SBRK_ERROR)
		exit(BAD_SBRK);
	b = stats();
	if (b.thp_splits != a.thp_splits + 1)
		status |= BAD_PATH;
	if (words_bad(heap, keep, PARENT_SEED) != 0)
		status |= BAD_INHERITED;
	/* The last page kept, now a small COW page, copied on its own. */
	words_fill(brk - PGSIZE, PGSIZE, CHILD_SEED);
	if (words_bad(brk - PGSIZE, PGSIZE, CHILD_SEED) != 0)
		status |= BAD_OWN;
	if (words_bad(last, MIB, PARENT_SEED) != 0)
		status |= BAD_INHERITED;
	exit(status);
}

/* Child: memory is short, so the store splits and copies 4 KiB. */
static void child_split(unsigned long arg)
{
	struct memstat a, b;
	int status = 0;

	(void)arg;
	a = stats();
	status |= store_middle();
	b = stats();
	if (b.thp_splits != a.thp_splits + 1 || b.thp_copies != a.thp_copies ||
	    b.cow_copy_faults != a.cow_copy_faults + 1)
		status |= BAD_PATH;
	exit(status);
}

/* Child: store into the lazily filled 2 MiB page at arg; expect a copy. */
static void child_lazy(unsigned long arg)
{
	struct memstat a, b;
	uint64 *w = (uint64 *)arg;
	int status = 0;

	a = stats();
	w[1] = 99;
	b = stats();
	if (w[0] != 5 || w[1] != 99)
		status |= BAD_OWN;
	if (b.thp_copies != a.thp_copies + 1)
		status |= BAD_PATH;
	exit(status);
}

/* sbrklazy, then the first touch of a whole 2 MiB span. */
static void test_lazy_fill(void)
{
	struct memstat a, b;
	char *lazy, *span;
	uint64 *w;
	long before, i;
	int zeros = 1, status;

	/* Leave 2 MiB blocks full of non-zero bytes behind, the ones the
	 * allocator hands out next: a fill that forgot to zero shows them. */
	lazy = sbrk(5 * HUGE);
	if (lazy != SBRK_ERROR) {
		memset(lazy, 0xa5, 5 * HUGE);
		sbrk(-(5 * HUGE));
	}
	lazy = sbrklazy(2 * HUGE);
	if (lazy == SBRK_ERROR) {
		printf("Bail out! no lazy 4 MiB\n");
		exit(1);
	}
	span = (char *)(((uint64)lazy + HUGE - 1) & ~(uint64)(HUGE - 1));
	before = free_pages();
	a = stats();
	w = (uint64 *)(span + 3 * PGSIZE);
	w[0] = 5;
	for (i = 0; i < HUGE; i += 512)
		if (i != 3 * PGSIZE && *(uint64 *)(span + i) != 0)
			zeros = 0;
	b = stats();
	ok(b.thp_mapped == a.thp_mapped + 1 &&
	       b.zero_fill_faults == a.zero_fill_faults &&
	       before - free_pages() >= 512,
	   "the first touch of a lazy 2 MiB span mapped one 2 MiB page "
	   "(%lu maps, %ld pages)", b.thp_mapped - a.thp_mapped,
	   before - free_pages());
	ok(zeros && w[0] == 5, "all of it reads zero but the store");
	status = run_in_child(child_lazy, (unsigned long)w);
	ok(status == 0, "a child's store into it copied the 2 MiB page (%d)",
	   status);
	ok(w[0] == 5 && w[1] == 0, "and the parent's page is unchanged");
	sbrk(-(2 * HUGE));
}

int main(void)
{
	struct memstat m0, m1, m2;
	long baseline, shared_before, fill;
	char *extra;
	int status;

	tap_plan(18);
	baseline = free_pages();
	m0 = stats();
	heap = sbrk(HEAP);
	if (heap == SBRK_ERROR) {
		printf("Bail out! no 8 MiB heap\n");
		exit(1);
	}
	m1 = stats();
	ok(m1.thp_mapped - m0.thp_mapped >= HEAP / HUGE - 1,
	   "eager sbrk of 8 MiB mapped %lu 2 MiB pages",
	   m1.thp_mapped - m0.thp_mapped);
	words_fill(heap, HEAP, PARENT_SEED);
	shared_before = (long)stats().shared_pages;

	/* A store into a shared 2 MiB page copies all of it. */
	status = run_in_child(child_copy, 0);
	ok(status >= 0 && !(status & BAD_INHERITED),
	   "the child read the parent's heap, around its store too (%d)", status);
	ok(status >= 0 && !(status & BAD_OWN), "the child's store stuck (%d)", status);
	ok(status >= 0 && !(status & BAD_PATH),
	   "the child's store copied one 2 MiB page, split none (%d)", status);
	ok(words_bad(heap, HEAP, PARENT_SEED) == 0,
	   "the parent's heap is unchanged");

	/* Sole owner again: the parent's store reuses the 2 MiB page. */
	m1 = stats();
	*(uint64 *)(first_block() + MIB) = (uint64)(first_block() + MIB) ^ PARENT_SEED;
	m2 = stats();
	ok(m2.cow_reuse_faults == m1.cow_reuse_faults + 1 &&
	   m2.thp_copies == m1.thp_copies && m2.thp_splits == m1.thp_splits,
	   "the parent's store after the child exited reused its 2 MiB page");
	ok((long)m2.shared_pages <= shared_before,
	   "no page is shared any more (%lu, %ld before)", m2.shared_pages,
	   shared_before);

	/* A shrink into a shared 2 MiB page splits only the child's mapping. */
	m1 = stats();
	status = run_in_child(child_shrink, 0);
	ok(status >= 0 && !(status & (BAD_SBRK | BAD_PATH)),
	   "the child's shrink to a break inside a 2 MiB page split it (%d)",
	   status);
	ok(status >= 0 && !(status & (BAD_INHERITED | BAD_OWN)),
	   "the child's heap below its break is intact and writable (%d)", status);
	m2 = stats();
	ok(words_bad(heap, HEAP, PARENT_SEED) == 0 &&
	   m2.thp_splits == m1.thp_splits + 1,
	   "the parent's heap and its 2 MiB pages are untouched");

	/* Fill memory until less than a quarter is free, then share again. */
	m1 = stats();
	fill = (long)m1.free_pages - (long)m1.total_pages / 4 + 64;
	extra = fill > 0 ? sbrk((int)(fill * PGSIZE)) : SBRK_ERROR;
	if (!ok(extra != SBRK_ERROR, "sbrk of %ld pages leaves under a quarter "
				     "of memory free", fill)) {
		printf("Bail out! cannot fill memory\n");
		exit(1);
	}
	status = run_in_child(child_split, 0);
	ok(status >= 0 && !(status & BAD_PATH),
	   "short of memory, the child's store split the 2 MiB page and copied "
	   "4 KiB (%d)", status);
	ok(status >= 0 && !(status & (BAD_INHERITED | BAD_OWN)),
	   "and the child saw its store and the parent's data (%d)", status);
	sbrk(-(int)(fill * PGSIZE));
	sbrk(-HEAP);
	test_lazy_fill();
	check_no_leak(baseline, "after the heap shrank to nothing");
	tap_done();
	return 0;
}
