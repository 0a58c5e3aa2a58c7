/*
 * mmaphuge: 2 MiB pages in anonymous private mappings (mm/huge.c).
 *
 * A mapping of 2 MiB or more starts on a 2 MiB boundary, and the first
 * touch of a whole 2 MiB span of an anonymous private one maps a zeroed
 * 2 MiB page. Everything done to the mapping afterwards keeps its data and
 * its rights exact: a fork shares the leaves copy-on-write; munmap and
 * mprotect of part of a leaf split it (memstat's thp_splits), of a whole
 * leaf keep it; a shared mapping never gets one. The free page count
 * comes back at the end and kcheck() passes throughout.
 *
 * The counts assume 2 MiB pages are on (no thp=off on the command line)
 * and memory mostly free: the suite boots it with 128 MiB.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG   4096L
#define MIB  (1024L * 1024)
#define SPAN (2 * MIB)
#define SEED 0x4a4a000000000000UL
#define SEED_KID 0x5b5b000000000000UL

static void store_child(unsigned long addr)
{
	*(volatile char *)addr = 1;
}

static void load_child(unsigned long addr)
{
	(void)*(volatile char *)addr;
}

static struct memstat snap(void)
{
	struct memstat ms;

	memset(&ms, 0, sizeof(ms));
	memstat(&ms);
	return ms;
}

static char *map_anon(long len, int flags)
{
	char *p = mmap(0, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS,
		       -1, 0);

	if (p == (char *)-1) {
		printf("Bail out! mmap of %ld bytes failed\n", len);
		exit(1);
	}
	return p;
}

/* Stores a zero into one byte per span: a 2 MiB page each. */
static void touch_spans(char *p, long len)
{
	long off;

	for (off = 0; off < len; off += SPAN)
		((volatile char *)p)[off] = 0;
}

/* Whether every byte of [p, p + len) is zero. */
static int all_zero(const char *p, long len)
{
	long i;

	for (i = 0; i < len; i += 8)
		if (*(const uint64 *)(p + i))
			return 0;
	return 1;
}

/* The child of the fork test: writes its own data over the first span. */
static void fork_child(unsigned long addr)
{
	char *p = (char *)addr;

	if (words_bad(p, 4 * SPAN, SEED))
		exit(2);
	words_fill(p, SPAN, SEED_KID);
	exit(words_bad(p, SPAN, SEED_KID) ? 3 : 0);
}

int main(void)
{
	long before = free_pages(), mid;
	struct memstat a, b;
	char *p, *s, *one;

	tap_plan(15);

	/* Placement (below a one-page mapping, which leaves the top of the
	 * free gap off a 2 MiB boundary) and the fault-time fill. */
	one = map_anon(PG, MAP_PRIVATE);
	a = snap();
	p = map_anon(4 * SPAN, MAP_PRIVATE);
	ok((unsigned long)p % SPAN == 0,
	   "an 8 MiB mapping below a 4 KiB one starts on a 2 MiB boundary (%p)",
	   p);
	touch_spans(p, 4 * SPAN);
	b = snap();
	ok(b.thp_mapped - a.thp_mapped == 4,
	   "one touch per span maps four 2 MiB pages (%lu)",
	   b.thp_mapped - a.thp_mapped);
	ok(all_zero(p, 4 * SPAN), "and they read as zero");
	words_fill(p, 4 * SPAN, SEED);

	/* Fork: the child writes a span, the parent keeps its data. */
	ok(run_in_child(fork_child, (unsigned long)p) == 0,
	   "a child sees the parent's data and writes its own over a span");
	ok(words_bad(p, 4 * SPAN, SEED) == 0 && kcheck() == 0,
	   "the parent's data is untouched, kcheck passes");

	/* mprotect of a part of a leaf splits it; of a whole leaf keeps it. */
	a = snap();
	ok(mprotect(p + MIB, SPAN, PROT_READ) == 0,
	   "mprotect(PROT_READ) of [1 MiB, 3 MiB)");
	b = snap();
	ok(b.thp_splits - a.thp_splits == 2,
	   "splits the two 2 MiB pages it cuts (%lu)", b.thp_splits - a.thp_splits);
	ok(run_in_child(store_child, (unsigned long)(p + MIB)) == -1 &&
	       run_in_child(store_child, (unsigned long)(p + 3 * MIB - PG)) == -1 &&
	       run_in_child(store_child, (unsigned long)(p + MIB - PG)) == 0 &&
	       run_in_child(store_child, (unsigned long)(p + 3 * MIB)) == 0,
	   "stores inside it kill, stores just outside do not");
	a = snap();
	ok(mprotect(p + 3 * SPAN, SPAN, PROT_READ) == 0 &&
	       run_in_child(store_child, (unsigned long)(p + 3 * SPAN + 5 * PG)) == -1 &&
	       mprotect(p + 3 * SPAN, SPAN, PROT_READ | PROT_WRITE) == 0 &&
	       snap().thp_splits == a.thp_splits,
	   "mprotect of a whole 2 MiB page down and up again keeps it whole");
	/* A store after the way back up: the leaf is COW, held once: reuse. */
	p[3 * SPAN + 5 * PG] = p[3 * SPAN + 5 * PG];
	ok(words_bad(p, 4 * SPAN, SEED) == 0 && kcheck() == 0,
	   "the data survived every change, kcheck passes");

	/* munmap of one page inside a leaf splits it and frees that page
	 * (the split's new page table takes one). */
	a = snap();
	mid = free_pages();
	ok(munmap(p + 2 * SPAN + 8 * PG, PG) == 0 &&
	       snap().thp_splits - a.thp_splits == 1 && free_pages() >= mid,
	   "munmap of one page of a 2 MiB page splits it and frees the page");
	ok(run_in_child(load_child, (unsigned long)(p + 2 * SPAN + 8 * PG)) == -1 &&
	       run_in_child(load_child, (unsigned long)(p + 2 * SPAN + 9 * PG)) == 0,
	   "a load from the hole kills, the next page is still there");

	/* Shared anonymous memory keeps 4 KiB pages. */
	a = snap();
	s = map_anon(SPAN, MAP_SHARED);
	touch_spans(s, SPAN);
	ok(snap().thp_mapped == a.thp_mapped && munmap(s, SPAN) == 0,
	   "a shared anonymous mapping gets no 2 MiB page");

	ok(munmap(p, 4 * SPAN) == 0 && munmap(one, PG) == 0 && kcheck() == 0,
	   "munmap of it all");
	check_no_leak(before, "mmaphuge");
	tap_done();
	return 0;
}
