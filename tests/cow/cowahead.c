/*
 * cowahead: copy-ahead copies exactly the pages its rule says, and every
 * page it copies holds what it should.
 *
 * A copy fault that comes at the very page where the previous one's work
 * ended continues a stream of stores going up, and the kernel (mm/cow.c)
 * copies the next pages too: 1, then 2, 4, 8, then 16 per fault, never
 * past the VMA's end or the level-0 table (2 MiB span) of the faulting
 * page, only pages still shared COW. predict() below is that rule; the
 * child's memstat counters must match it exactly:
 *
 *   up       the child writes every page from the bottom up: few faults,
 *            and faults + pages copied ahead = pages
 *   down     from the top down: a fault per page, nothing copied ahead
 *   partial  the first pages only: the last window is copied but not
 *            written, and still holds the parent's data
 *
 * Each child checks its own view and reports through its exit status; the
 * parent then checks that its pages never changed. Boots with thp=off, so
 * the region is 4 KiB pages, and with 1 and 4 harts.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define NPAGES	     1100 /* over two 2 MiB spans */
#define PARTIAL      40   /* pages the partial child writes */
#define REGION_BYTES ((long)NPAGES * PGSIZE)
#define SPAN	     (512L * PGSIZE)
#define AHEAD_MAX    16
#define SEED_PARENT  0x5555555500000000UL
#define SEED_CHILD   0x6666666600000000UL

static char *region;

/* What the kernel's rule predicts for stores going up through the first
 * n pages of the region (whose VMA ends at its end). */
struct prediction {
	long faults; /* copy faults */
	long ahead;  /* pages copied ahead */
	long copied; /* pages private after the stores: faults + ahead */
};

static struct prediction predict(long n)
{
	struct prediction r = {0, 0, 0};
	long p, next = -1, window = 0, private_below = 0;

	for (p = 0; p < n; p++) {
		unsigned long va = (unsigned long)region + p * PGSIZE;
		long limit, want, k = 0;

		if (p < private_below)
			continue; /* copied ahead: no fault */
		r.faults++;
		if (p != next) { /* not a stream (yet) */
			window = 0;
			next = private_below = p + 1;
			continue;
		}
		want = window ? 2 * window : 1;
		if (want > AHEAD_MAX)
			want = AHEAD_MAX;
		/* Pages before the end of va's span and of the region. */
		limit = p + (long)((SPAN - (va & (SPAN - 1))) / PGSIZE);
		if (limit > NPAGES)
			limit = NPAGES;
		while (k < want && p + k + 1 < limit)
			k++;
		r.ahead += k;
		window = want;
		next = private_below = p + k + 1;
	}
	r.copied = r.faults + r.ahead;
	return r;
}

static unsigned long counter(int ahead)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return 0;
	return ahead ? ms.cow_ahead_pages : ms.cow_copy_faults;
}

enum mode { UP, DOWN, PARTIAL_UP };

/*
 * The child: stores one word into each page the mode says (in its order),
 * with nothing else faulting meanwhile, then checks every page. Reports
 * its counts through fd; exit status 0 when every page holds what it
 * should (its own word where it wrote, the parent's data elsewhere).
 */
static void child(enum mode m, int fd)
{
	long counts[2], p, n = m == PARTIAL_UP ? PARTIAL : NPAGES, bad = 0;
	unsigned long f0, a0;
	uint64 *w;

	f0 = counter(0); /* the stack page is private from here on */
	a0 = counter(1);
	for (p = 0; p < n; p++) {
		long q = m == DOWN ? NPAGES - 1 - p : p;

		w = (uint64 *)(region + q * PGSIZE);
		*w = (uint64)w ^ SEED_CHILD;
	}
	counts[0] = (long)(counter(0) - f0);
	counts[1] = (long)(counter(1) - a0);
	write(fd, counts, sizeof(counts));
	for (p = 0; p < NPAGES; p++) {
		int written = m == DOWN ? p >= NPAGES - n : p < n;
		uint64 seed = written ? SEED_CHILD : SEED_PARENT;

		w = (uint64 *)(region + p * PGSIZE);
		bad += *w != ((uint64)w ^ seed);
		bad += words_bad((char *)(w + 1), PGSIZE - 8, SEED_PARENT);
	}
	exit(bad == 0 ? 0 : 1);
}

/* Runs a child in mode m; fills counts (faults, ahead); its status. */
static int run(enum mode m, long counts[2])
{
	int fds[2], pid, status = -1000;

	counts[0] = counts[1] = -1;
	if (pipe(fds) < 0)
		return -1000;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(m, fds[1]);
	}
	close(fds[1]);
	if (pid < 0 ||
	    read(fds[0], counts, 2 * sizeof(long)) != 2 * sizeof(long))
		counts[0] = counts[1] = -1;
	close(fds[0]);
	if (pid < 0 || wait(&status) != pid)
		return -1000;
	return status;
}

int main(void)
{
	struct prediction all, part;
	long baseline, c[2];
	int status;

	tap_plan(11);
	baseline = free_pages();
	/* Pages between the stack and the region: the child's first fault, on
	 * its stack page, must not look like the start of a stream in it. */
	words_fill(sbrk_or_bail(sbrk, 4 * PGSIZE), 4 * PGSIZE, SEED_PARENT);
	region = sbrk_or_bail(sbrk, NPAGES * PGSIZE);
	words_fill(region, REGION_BYTES, SEED_PARENT);
	all = predict(NPAGES);
	part = predict(PARTIAL);

	status = run(UP, c);
	ok(c[0] == all.faults && c[1] == all.ahead,
	   "stores going up: %ld copy faults and %ld pages copied ahead "
	   "(predicted %ld and %ld)",
	   c[0], c[1], all.faults, all.ahead);
	ok(c[0] + c[1] == NPAGES, "each of the %d pages copied once (%ld)",
	   NPAGES, c[0] + c[1]);
	ok(c[0] < NPAGES / 8, "with under an eighth as many faults (%ld)",
	   c[0]);
	ok(status == 0, "the child sees its own stores and the parent's data "
			"elsewhere (status %d)", status);

	status = run(DOWN, c);
	ok(c[0] == NPAGES && c[1] == 0,
	   "stores going down: %ld copy faults, %ld pages copied ahead", c[0],
	   c[1]);
	ok(status == 0, "and the child sees what it should (status %d)",
	   status);

	status = run(PARTIAL_UP, c);
	ok(c[0] == part.faults && c[1] == part.ahead,
	   "the first %d pages only: %ld faults, %ld copied ahead "
	   "(predicted %ld and %ld)",
	   PARTIAL, c[0], c[1], part.faults, part.ahead);
	ok(part.copied > PARTIAL,
	   "the prediction copies past the stores (%ld pages for %d)",
	   part.copied, PARTIAL);
	ok(status == 0, "pages copied ahead but not written hold the parent's "
			"data (status %d)", status);

	ok(words_bad(region, REGION_BYTES, SEED_PARENT) == 0,
	   "the parent's pages never changed");
	sbrk(-(NPAGES + 4) * PGSIZE);
	check_no_leak(baseline, "cowahead");
	tap_done();
	return 0;
}
