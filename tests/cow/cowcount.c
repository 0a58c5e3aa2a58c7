/*
 * cowcount: fork copies no data, and every COW fault is the kind it should be.
 *
 * The kernel's counters (memstat) make the copy-on-write machinery visible:
 * a fork of a process with N heap pages takes page tables only and marks
 * the N pages shared; reading them costs nothing; the first writer of a
 * shared page takes a copy fault; the last sharer takes a reuse fault and
 * no new page. The three scenarios below are:
 *
 *   child writes first   -> N copy faults (child), then N reuse faults (parent)
 *   parent writes first  -> N copy faults (parent), then N reuse faults (child)
 *   child exits unwritten -> the parent's writes are N reuse faults
 *
 * The region is the heap's first 1 MiB, which has a 2 MiB span to itself,
 * so a fork shares its page table (mm/cow.c) unless the command line says
 * ptshare=off: the parent's reads seal that table, and the child's first
 * store then copies it, one page more than the data pages.
 *
 * Counting is exact, so each measured window must contain no other COW
 * fault: before a window opens, parent and child have both already written
 * their stack page (the only other page they write), and the parent calls
 * ok() (which writes its data pages) only after the child has exited.
 * Children talk to the parent through two pipes; a child reports failures
 * in its exit status.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define NPAGES	     256
#define REGION_BYTES ((long)NPAGES * PGSIZE)
#define SEED_PARENT  0x1111111100000000UL
#define SEED_PARENT2 0x2222222200000000UL
#define SEED_CHILD   0x3333333300000000UL

static int to_child[2], to_parent[2];
static int tables; /* page tables the child's stores copy: 1, or 0 */

/* Sums one byte of every page, so that the loads cannot be optimised away. */
static unsigned read_pages(const char *start, int npages)
{
	unsigned sum = 0;
	int p;

	for (p = 0; p < npages; p++)
		sum += ((const volatile char *)start)[(long)p * PGSIZE];
	return sum;
}

static void snapshot(struct memstat *ms)
{
	memstat(ms);
}

/*
 * The child of the first scenario: ready, wait, write every page, done,
 * wait, exit. Exit status 1 if its pages do not hold what it wrote.
 */
static void child_writes_first(char *region)
{
	volatile char stack_touch = 1; /* makes the stack page private now */

	(void)stack_touch;
	sync_send(to_parent[1]);
	sync_await(to_child[0]);
	words_fill(region, REGION_BYTES, SEED_CHILD);
	sync_send(to_parent[1]);
	sync_await(to_child[0]);
	exit(words_bad(region, REGION_BYTES, SEED_CHILD) == 0 ? 0 : 1);
}

/* The second scenario's child: ready, wait, write every page, done, exit. */
static void child_writes_second(char *region)
{
	volatile char stack_touch = 1;

	(void)stack_touch;
	sync_send(to_parent[1]);
	sync_await(to_child[0]);
	words_fill(region, REGION_BYTES, SEED_CHILD);
	sync_send(to_parent[1]);
	exit(words_bad(region, REGION_BYTES, SEED_CHILD) == 0 ? 0 : 1);
}

/* Collects one child; returns its exit status or -1000. */
static int reap(int pid)
{
	int status = -1000;

	if (wait(&status) != pid)
		return -1000;
	return status;
}

/* How the counters moved from one snapshot to a later one. */
struct change {
	long copies; /* COW copy faults */
	long reuses; /* COW reuse faults */
	long taken;  /* pages taken from the free list */
	long shared; /* more pages shared */
};

static struct change since(const struct memstat *a, const struct memstat *b)
{
	struct change c;

	c.copies = (long)(b->cow_copy_faults - a->cow_copy_faults);
	c.reuses = (long)(b->cow_reuse_faults - a->cow_reuse_faults);
	c.taken = (long)a->free_pages - (long)b->free_pages;
	c.shared = (long)b->shared_pages - (long)a->shared_pages;
	return c;
}

/* Scenario 1: the child writes first, then the parent. */
static void child_first(char *region)
{
	struct memstat before, forked, ready, read_all, child_done, parent_done;
	struct change c;
	int pid, status;

	snapshot(&before);
	pid = fork();
	if (pid == 0)
		child_writes_first(region);
	snapshot(&forked); /* also makes the parent's stack page private */
	sync_await(to_parent[0]);
	snapshot(&ready);
	read_pages(region, NPAGES);
	snapshot(&read_all);
	sync_send(to_child[1]);
	sync_await(to_parent[0]);
	snapshot(&child_done);
	words_fill(region, REGION_BYTES, SEED_PARENT2);
	snapshot(&parent_done);
	sync_send(to_child[1]);
	status = reap(pid);

	c = since(&before, &forked);
	ok(pid > 0 && c.taken < NPAGES / 8,
	   "fork of %d pages took %ld pages (page tables only)", NPAGES,
	   c.taken);
	ok(c.shared >= NPAGES, "fork marked the %d pages shared (%ld more)",
	   NPAGES, c.shared);
	c = since(&before, &ready);
	ok(c.copies + c.reuses <= 4,
	   "fork and returning from it took %ld COW faults (the stacks)",
	   c.copies + c.reuses);
	c = since(&ready, &read_all);
	ok(c.copies == 0 && c.reuses == 0 && c.taken == 0,
	   "reading every shared page takes no COW fault and no page");
	c = since(&read_all, &child_done);
	ok(c.copies == NPAGES,
	   "the child's write to %d shared pages took %ld copy faults", NPAGES,
	   c.copies);
	ok(c.reuses == 0, "and no reuse fault (%ld)", c.reuses);
	ok(c.taken == NPAGES + tables, "and %d new pages and %d tables (%ld)",
	   NPAGES, tables, c.taken);
	ok(c.shared == -NPAGES, "and %d fewer shared pages (%ld)", NPAGES,
	   -c.shared);
	c = since(&child_done, &parent_done);
	ok(c.reuses == NPAGES && c.copies == 0,
	   "then the parent, last sharer, took %ld reuse faults and %ld copies",
	   c.reuses, c.copies);
	ok(c.taken == 0, "reusing took no new page (%ld)", c.taken);
	ok(status == 0 && words_bad(region, REGION_BYTES, SEED_PARENT2) == 0,
	   "child and parent each see only their own writes (status %d)",
	   status);
}

/* Scenario 2: the parent writes first, then the child. */
static void parent_first(char *region)
{
	struct memstat ready, parent_done, child_done;
	struct change c;
	int pid, status;

	pid = fork();
	if (pid == 0)
		child_writes_second(region);
	snapshot(&ready); /* makes the parent's stack page private */
	sync_await(to_parent[0]);
	snapshot(&ready);
	words_fill(region, REGION_BYTES, SEED_PARENT);
	snapshot(&parent_done);
	sync_send(to_child[1]);
	sync_await(to_parent[0]);
	snapshot(&child_done);
	status = reap(pid);

	c = since(&ready, &parent_done);
	ok(pid > 0 && c.copies == NPAGES && c.reuses == 0,
	   "the parent writing first took %ld copy and %ld reuse faults",
	   c.copies, c.reuses);
	c = since(&parent_done, &child_done);
	ok(c.reuses == NPAGES && c.copies == 0,
	   "then the child, last sharer, took %ld reuse and %ld copy faults",
	   c.reuses, c.copies);
	ok(status == 0 && words_bad(region, REGION_BYTES, SEED_PARENT) == 0,
	   "child and parent each see only their own writes (status %d)",
	   status);
}

/* Scenario 3: the child exits without writing; its references go with it. */
static void child_exits(char *region)
{
	struct memstat before, reaped, parent_done;
	struct change c;
	int pid, status;

	snapshot(&before);
	pid = fork();
	if (pid == 0)
		exit(words_bad(region, REGION_BYTES, SEED_PARENT) == 0 ? 0 : 1);
	status = reap(pid);
	snapshot(&reaped);
	words_fill(region, REGION_BYTES, SEED_PARENT2);
	snapshot(&parent_done);

	ok(status == 0, "a child that only reads sees the parent's pages (%d)",
	   status);
	c = since(&reaped, &parent_done);
	ok(c.reuses == NPAGES && c.copies == 0,
	   "after it exited, the parent's writes took %ld reuse and %ld copy "
	   "faults",
	   c.reuses, c.copies);
	c = since(&before, &reaped);
	ok(c.shared <= 0, "an exited child leaves no page shared (%ld more)",
	   c.shared);
}

int main(void)
{
	long baseline;
	char *region;

	tap_plan(18);
	if (pipe(to_child) < 0 || pipe(to_parent) < 0) {
		printf("Bail out! pipe failed\n");
		exit(1);
	}
	tables = !cmdline_has("ptshare=off");
	baseline = free_pages();
	region = sbrk_or_bail(sbrk, NPAGES * PGSIZE);
	words_fill(region, REGION_BYTES, SEED_PARENT);

	child_first(region);
	words_fill(region, REGION_BYTES, SEED_PARENT);
	parent_first(region);
	child_exits(region);

	sbrk(-NPAGES * PGSIZE);
	check_no_leak(baseline, "cowcount");
	tap_done();
	return 0;
}
