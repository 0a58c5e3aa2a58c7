/*
 * cowstress: 200 rounds of fork, concurrent writes, exit and wait.
 *
 * Each round the parent writes a fresh pattern over its region and forks
 * CHILDREN children that all run at once (on as many harts as there are).
 * Every child writes page 0, the hot page all of them fault on at the same
 * moment, and its own share of the other pages; meanwhile the parent
 * rewrites its odd pages. So COW faults on one page race between harts,
 * the last sharer's reuse decision races with other sharers' copies and
 * exits, and exits race with faults. Each child then checks its view (its
 * own pages, the parent's pre-fork data elsewhere) and the parent checks
 * its own after the round.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define ROUNDS	 200
#define CHILDREN 4
#define NPAGES	 32

/* Child exit status bits. */
#define BAD_INHERITED                                                          \
	1	  /* a page it did not write differs from the parent's         \
		   */
#define BAD_OWN 2 /* a page it wrote does not hold its pattern */

/* Page p of region. */
#define PAGE(region, p) ((region) + (long)(p)*PGSIZE)

/* Round r's seed for who: 0 parent before the forks, 1 after, 2 + c child c. */
static uint64 seed_of(int r, int who)
{
	return ((uint64)r << 32) ^ ((uint64)(who + 1) << 56) ^ 0x77;
}

/* True when child c writes page p: page 0 (all children do) and its share. */
static int writes(int c, int p)
{
	return p == 0 || p % CHILDREN == c;
}

/* Child c of round r: writes its pages, checks its view, exits with BAD_*. */
static void child(char *region, int c, int r)
{
	int p, bad = 0;

	for (p = 0; p < NPAGES; p++)
		if (writes(c, p))
			words_fill(PAGE(region, p), PGSIZE, seed_of(r, 2 + c));
	for (p = 0; p < NPAGES; p++) {
		if (writes(c, p) &&
		    words_bad(PAGE(region, p), PGSIZE, seed_of(r, 2 + c)) != 0)
			bad |= BAD_OWN;
		if (!writes(c, p) &&
		    words_bad(PAGE(region, p), PGSIZE, seed_of(r, 0)) != 0)
			bad |= BAD_INHERITED;
	}
	exit(bad);
}

/*
 * True when the parent's region holds round r's view: the odd pages were
 * rewritten after the forks.
 */
static int parent_view_ok(const char *region, int r)
{
	int p;

	for (p = 0; p < NPAGES; p++)
		if (words_bad(PAGE(region, p), PGSIZE, seed_of(r, p % 2)) != 0)
			return 0;
	return 1;
}

int main(void)
{
	struct memstat before, after;
	int r, c, p, pid, status, failed_forks = 0, killed = 0, bits = 0,
				  bad_rounds = 0, reaped;
	long baseline, faults;
	char *region;

	tap_plan(8);
	baseline = free_pages();
	region = sbrk_or_bail(sbrk, NPAGES * PGSIZE);
	memstat(&before);
	for (r = 0; r < ROUNDS; r++) {
		for (p = 0; p < NPAGES; p++)
			words_fill(PAGE(region, p), PGSIZE, seed_of(r, 0));
		reaped = 0;
		for (c = 0; c < CHILDREN; c++) {
			pid = fork();
			if (pid == 0)
				child(region, c, r);
			if (pid < 0)
				failed_forks++;
			else
				reaped++;
		}
		for (p = 1; p < NPAGES; p += 2)
			words_fill(PAGE(region, p), PGSIZE, seed_of(r, 1));
		for (; reaped > 0; reaped--) {
			status = -1000;
			if (wait(&status) < 0)
				break;
			if (status == -1)
				killed++;
			else
				bits |= status;
		}
		if (!parent_view_ok(region, r))
			bad_rounds++;
	}
	memstat(&after);
	faults = (long)(after.cow_copy_faults + after.cow_reuse_faults -
			before.cow_copy_faults - before.cow_reuse_faults);

	ok(failed_forks == 0,
	   "%d rounds of %d concurrent children forked (%d failures)", ROUNDS,
	   CHILDREN, failed_forks);
	ok(killed == 0, "no child was killed (%d)", killed);
	ok(!(bits & BAD_INHERITED),
	   "every child saw the parent's pre-fork data where it did not write");
	ok(!(bits & BAD_OWN), "every child's writes, hot page included, stuck");
	ok(bad_rounds == 0,
	   "the parent saw only its own writes after every round (%d bad)",
	   bad_rounds);
	ok(faults >= (long)ROUNDS * (CHILDREN + NPAGES - 1),
	   "every write to a shared page took a COW fault (%ld faults)",
	   faults);
	ok(after.shared_pages <= before.shared_pages,
	   "no page is left shared (%lu)", after.shared_pages);

	sbrk(-NPAGES * PGSIZE);
	check_no_leak(baseline, "cowstress");
	tap_done();
	return 0;
}
