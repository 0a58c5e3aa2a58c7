/*
 * cowthree: three processes write the same inherited memory at once.
 *
 * The parent fills a heap region and a static array, then forks two
 * writers and one reader. After a start signal the parent and both writers
 * overwrite every page with their own pattern, at the same time (on several
 * harts, or interleaved on one), each walking the pages in a different
 * order. Once all three are done, each checks that it sees exactly its own
 * pattern, and the reader, which never wrote, that it still sees the
 * original. Children report in their exit status.
 *
 * Signals go through pipes: the children block reading "start" and "check"
 * until the parent closes their write ends (end of file releases them all
 * at once); writers say they are done by writing a byte to "done".
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define NPAGES 256
#define NDATA  1024 /* words of static data: two pages */

#define SEED_ORIG   0x0000000100000000UL
#define SEED_PARENT 0x00000abc00000000UL
#define SEED_A	    0x000a000000000000UL
#define SEED_B	    0x00b0000000000000UL

/* Child exit status bits. */
#define BAD_HEAP 1
#define BAD_DATA 2

/* Initialised, so it lives in .data (loaded from the file, not zero-filled). */
static uint64 data[NDATA] = {1};
static int start[2], done[2], check[2];

/* Writes seed's pattern over the region (page order by step) and data. */
static void write_all(char *region, uint64 seed, int step)
{
	int i, p;

	for (i = 0; i < NPAGES; i++) {
		p = (i * step) % NPAGES;
		words_fill(region + (long)p * PGSIZE, PGSIZE, seed);
		/* Interleave the data writes too. */
		data[(p * 16) % NDATA] = seed + p;
	}
	for (i = 0; i < NDATA; i++)
		data[i] = seed + i;
}

/* Returns BAD_HEAP and/or BAD_DATA where seed's pattern is missing. */
static int check_all(const char *region, uint64 seed)
{
	int bad = 0, i;

	if (words_bad(region, (long)NPAGES * PGSIZE, seed) != 0)
		bad |= BAD_HEAP;
	for (i = 0; i < NDATA; i++)
		if (data[i] != seed + i) {
			bad |= BAD_DATA;
			break;
		}
	return bad;
}

/* Reads until end of file: the parent closed the last write end. */
static void await_close(int fd)
{
	char c;

	while (read(fd, &c, 1) > 0)
		;
}

/* Forks a child that runs the writer (seed != 0) or reader (seed == 0) role. */
static int spawn(char *region, uint64 seed, int step)
{
	int pid = fork();

	if (pid != 0)
		return pid;
	close(start[1]);
	close(check[1]);
	close(done[0]);
	await_close(start[0]);
	if (seed != 0) {
		write_all(region, seed, step);
		write(done[1], "d", 1);
	}
	await_close(check[0]);
	exit(check_all(region, seed ? seed : SEED_ORIG));
}

/* Waits for all children; the statuses of pids[i] go to st[i] (or -1000). */
static void reap_all(const int *pids, int *st, int n)
{
	int i, got, status;

	for (i = 0; i < n; i++)
		st[i] = -1000;
	while ((got = wait(&status)) > 0)
		for (i = 0; i < n; i++)
			if (pids[i] == got)
				st[i] = status;
}

int main(void)
{
	struct memstat before, after;
	int pids[3], st[3], i, mine;
	long baseline;
	char *region, c;

	tap_plan(9);
	if (pipe(start) < 0 || pipe(done) < 0 || pipe(check) < 0) {
		printf("Bail out! pipe failed\n");
		exit(1);
	}
	baseline = free_pages();
	region = sbrk_or_bail(sbrk, NPAGES * PGSIZE);
	for (i = 0; i < NPAGES; i++)
		words_fill(region + (long)i * PGSIZE, PGSIZE, SEED_ORIG);
	for (i = 0; i < NDATA; i++)
		data[i] = SEED_ORIG + i;

	memstat(&before);
	pids[0] = spawn(region, SEED_A, 1);
	pids[1] = spawn(region, SEED_B, NPAGES - 1);
	pids[2] = spawn(region, 0, 1);
	ok(pids[0] > 0 && pids[1] > 0 && pids[2] > 0,
	   "forked two writers and a reader");

	close(start[1]); /* go */
	write_all(region, SEED_PARENT, 5);
	for (i = 0; i < 2; i++)
		read(done[0], &c, 1);
	close(check[1]); /* everyone wrote: check */
	mine = check_all(region, SEED_PARENT);
	reap_all(pids, st, 3);
	memstat(&after);

	ok(!(mine & BAD_HEAP), "the parent sees only its own heap writes");
	ok(!(mine & BAD_DATA),
	   "the parent sees only its own static data writes");
	ok(st[0] == 0,
	   "writer A sees only its own heap and data writes (status %d)",
	   st[0]);
	ok(st[1] == 0,
	   "writer B sees only its own heap and data writes (status %d)",
	   st[1]);
	ok(st[2] == 0,
	   "the reader still sees the original heap and data (status %d)",
	   st[2]);
	ok(pages_copied(&after) - pages_copied(&before) >= 3 * NPAGES,
	   "each writer got its own copy of every shared page (%ld copies)",
	   (long)(pages_copied(&after) - pages_copied(&before)));
	ok(after.shared_pages <= before.shared_pages,
	   "no page is shared once the children are gone (%lu)",
	   after.shared_pages);

	sbrk(-NPAGES * PGSIZE);
	check_no_leak(baseline, "cowthree");
	tap_done();
	return 0;
}
