/*
 * cowtree: 100 rounds of fork-fork-fork, the parent checked byte for byte.
 *
 * Each round the parent writes a new pattern over its heap region and a
 * static array, then forks a child, which forks a grandchild, which forks
 * a great-grandchild. Generation g (1, 2, 3) owns the pages p with
 * p % 4 == g: it checks that it inherited exactly what its ancestors wrote
 * (the parent's pattern, with the pages of generations 1..g-1 replaced by
 * theirs), writes its own pages, forks the next generation, waits for it,
 * and checks that nothing the descendants wrote reached it. Meanwhile the
 * parent checks its own memory while the descendants write, and again after
 * the round. Each generation passes its findings up in its exit status.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define ROUNDS	    100
#define NPAGES	    32
#define NDATA	    512 /* words of static data: one page */
#define GENERATIONS 3

/* Exit status bits of a generation (ORed with its descendants'). */
#define BAD_INHERITED 1 /* did not see exactly the ancestors' writes */
#define BAD_KEPT      2 /* saw a descendant's write */
#define BAD_FORK      4 /* a fork failed or a descendant died */

/* In .data, shared copy-on-write like the heap. */
static uint64 data[NDATA] = {1};

/* The seed of generation g (0 is the parent) in round r. */
static uint64 seed_of(int g, int r)
{
	return ((uint64)(g + 1) << 56) ^ ((uint64)r << 40) ^ 0x5a5a5a5aUL;
}

/* Which generation's pattern page p holds in generation g's view. */
static int owner(int p, int g)
{
	int o = p % 4;

	return o != 0 && o <= g ? o : 0;
}

/*
 * Writes generation g's pattern over the pages it owns (all of them, and
 * the data, for the parent).
 */
static void write_own(char *region, int g, int r)
{
	uint64 seed = seed_of(g, r);
	int p, i;

	for (p = 0; p < NPAGES; p++)
		if (g == 0 || p % 4 == g)
			words_fill(region + (long)p * PGSIZE, PGSIZE, seed);
	if (g == 0)
		for (i = 0; i < NDATA; i++)
			data[i] = seed_of(0, r) + i;
}

/* True when region and data hold exactly generation g's view in round r. */
static int view_ok(const char *region, int g, int r)
{
	int p, i;

	for (p = 0; p < NPAGES; p++)
		if (words_bad(region + (long)p * PGSIZE, PGSIZE,
			      seed_of(owner(p, g), r)) != 0)
			return 0;
	for (i = 0; i < NDATA; i++)
		if (data[i] != seed_of(0, r) + i)
			return 0;
	return 1;
}

/*
 * Generation g of round r: check, write, fork the next, wait, check again.
 * Returns the BAD_* bits found here and below; the caller exits with them.
 */
static int generation(char *region, int g, int r)
{
	int bad = 0, pid, status = 0;

	if (!view_ok(region, g - 1, r))
		bad |= BAD_INHERITED;
	write_own(region, g, r);
	if (g < GENERATIONS) {
		pid = fork();
		if (pid == 0)
			exit(generation(region, g + 1, r));
		if (pid < 0 || wait(&status) != pid || status < 0)
			bad |= BAD_FORK;
		else
			bad |= status;
	}
	if (!view_ok(region, g, r))
		bad |= BAD_KEPT;
	return bad;
}

int main(void)
{
	struct memstat before, after;
	int r, pid, status, statuses = 0, forks_failed = 0, during = 0,
			    after_round = 0;
	long baseline;
	char *region;

	tap_plan(7);
	baseline = free_pages();
	region = sbrk_or_bail(sbrk, NPAGES * PGSIZE);
	memstat(&before);
	for (r = 0; r < ROUNDS; r++) {
		write_own(region, 0, r);
		pid = fork();
		if (pid == 0)
			exit(generation(region, 1, r));
		if (pid < 0) {
			forks_failed++;
			continue;
		}
		if (!view_ok(region, 0, r))
			during++;
		status = -1;
		if (wait(&status) != pid || status < 0)
			status = BAD_FORK;
		statuses |= status;
		if (status & BAD_FORK)
			forks_failed++;
		if (!view_ok(region, 0, r))
			after_round++;
	}
	memstat(&after);

	ok(forks_failed == 0,
	   "%d rounds forked three generations each (%d failures)", ROUNDS,
	   forks_failed);
	ok(!(statuses & BAD_INHERITED),
	   "every generation inherited exactly its ancestors' writes");
	ok(!(statuses & BAD_KEPT), "no generation saw its descendants' writes");
	ok(during == 0, "the parent's memory matched while they ran (%d bad)",
	   during);
	ok(after_round == 0, "and after each round (%d bad)", after_round);
	ok(after.shared_pages <= before.shared_pages,
	   "no page is left shared (%lu, %lu before)", after.shared_pages,
	   before.shared_pages);

	sbrk(-NPAGES * PGSIZE);
	check_no_leak(baseline, "cowtree");
	tap_done();
	return 0;
}
