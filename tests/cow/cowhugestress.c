/*
 * cowhugestress: 100 rounds of fork, concurrent stores, shrinks and exits on a
 * heap of 2 MiB pages.
 *
 * Each round the parent stores a fresh pattern into the first word of
 * every heap page (a reuse fault per 2 MiB page: the last round's children
 * are gone) and forks CHILDREN children that all run at once. Child c
 * stores into every page p with p % CHILDREN == c, so each child copies
 * every 2 MiB page while its siblings do the same; the last child first
 * shrinks its heap to a break inside the last 2 MiB page (a split of a
 * shared page). Meanwhile the parent stores into its odd pages, racing its
 * own copies and reuse decisions with the children's copies and exits.
 * Everyone checks the first word of every page it can still see, and the
 * free page count must come back at the end.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define ROUNDS 100
#define CHILDREN 4
#define MIB (1024 * 1024)
#define HEAP (7 * MIB)
#define NPAGES (HEAP / PGSIZE)

#define BAD_INHERITED 1 /* a page it did not store to lost the parent's word */
#define BAD_OWN 2	/* a page it stored to does not hold its word */
#define BAD_SBRK 4	/* the shrink failed */

static char *heap;

/* Round r's seed for who: 0 parent before the forks, 1 after, 2 + c child c. */
static uint64 seed_of(int r, int who)
{
	return ((uint64)r << 32) ^ ((uint64)(who + 1) << 56) ^ 0x99;
}

static uint64 *word(long p)
{
	return (uint64 *)(heap + p * PGSIZE);
}

static void put(long p, uint64 seed)
{
	*word(p) = (uint64)word(p) ^ seed;
}

static int holds(long p, uint64 seed)
{
	return *word(p) == ((uint64)word(p) ^ seed);
}

static void child(int r, int c)
{
	long p, npages = NPAGES;
	int status = 0;

	if (c == CHILDREN - 1) {
		/* Keep up to 1 MiB + 4 KiB into the last 2 MiB page. */
		uint64 end = (uint64)heap + HEAP;
		uint64 last = (end & ~(uint64)(2 * MIB - 1)) - 2 * MIB;
		long keep = (long)(last + MIB + PGSIZE - (uint64)heap);

		if (sbrk(-(int)(HEAP - keep)) == SBRK_ERROR)
			exit(BAD_SBRK);
		npages = keep / PGSIZE;
	}
	for (p = c; p < npages; p += CHILDREN)
		put(p, seed_of(r, 2 + c));
	for (p = 0; p < npages; p++) {
		if (p % CHILDREN == c) {
			if (!holds(p, seed_of(r, 2 + c)))
				status |= BAD_OWN;
		} else if (!holds(p, seed_of(r, 0))) {
			status |= BAD_INHERITED;
		}
	}
	exit(status);
}

/* One round; returns the OR of the children's statuses, -1 on a failure. */
static int round_trip(int r, int *parent_bad)
{
	int c, pid, status, all = 0;
	long p;

	for (p = 0; p < NPAGES; p++)
		put(p, seed_of(r, 0));
	for (c = 0; c < CHILDREN; c++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0)
			child(r, c);
	}
	for (p = 1; p < NPAGES; p += 2)
		put(p, seed_of(r, 1));
	for (c = 0; c < CHILDREN; c++) {
		if (wait(&status) < 0)
			return -1;
		all |= status < 0 ? 0x100 : status;
	}
	for (p = 0; p < NPAGES; p++)
		if (!holds(p, seed_of(r, p % 2 ? 1 : 0)))
			(*parent_bad)++;
	return all;
}

int main(void)
{
	struct memstat m0, m1;
	long baseline;
	int r, any = 0, parent_bad = 0, failed_round = -1;

	tap_plan(5);
	baseline = free_pages();
	memstat(&m0);
	heap = sbrk(HEAP);
	if (heap == SBRK_ERROR) {
		printf("Bail out! no heap\n");
		exit(1);
	}
	for (r = 0; r < ROUNDS; r++) {
		int s = round_trip(r, &parent_bad);
		if (s != 0 && failed_round < 0)
			failed_round = r;
		any |= s < 0 ? 0x200 : s;
	}
	memstat(&m1);
	if (!ok(!(any & 0x200), "%d rounds of %d children forked and reaped",
		ROUNDS, CHILDREN))
		diag("first failing round %d", failed_round);
	ok(!(any & (BAD_INHERITED | 0x100)),
	   "every child saw the parent's words where it did not store (%x)", any);
	ok(!(any & (BAD_OWN | BAD_SBRK)),
	   "every child's stores (and the last child's shrink) stuck (%x)", any);
	ok(parent_bad == 0 && m1.thp_copies > m0.thp_copies,
	   "the parent kept its own words (%d bad); %lu 2 MiB pages copied",
	   parent_bad, m1.thp_copies - m0.thp_copies);
	sbrk(-HEAP);
	check_no_leak(baseline, "after the heap shrank to nothing");
	tap_done();
	return 0;
}
