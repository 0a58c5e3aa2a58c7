/*
 * oomvictim: out of memory, the process holding the memory pays, not an
 * innocent one that the kernel happens to write for.
 *
 * The parent writes a page of status words (now present and private),
 * forks a child that exits with STATUS_CHILD at once, and forks a hog. The
 * hog inherits the status page copy-on-write, then takes every free page
 * with eager sbrk and sleeps. The parent then calls wait() with a status
 * address on that shared page: the kernel's copy of the child's status
 * needs a page and none is free. Before calf had an OOM policy the parent
 * was killed there ("out of memory in a system call"); now the hog, with
 * by far the largest resident set, is killed and the parent's copy waits
 * for its pages. Checked: wait() returns the child with its exact status,
 * the hog died with -1, the parent's page holds what it wrote, no leak.
 *
 * The same again with the parent's fault in user mode: a store to a page
 * shared with a fresh hog.
 *
 * The parent writes no other shared page while a hog holds the memory
 * (its stack was made private before; the TAP counters are written only
 * afterwards), so the fault under test is the only one.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define STATUS_CHILD 42
#define SEED	     0x5eed5eed00000000UL

static char status_page[PGSIZE] __attribute__((aligned(PGSIZE)));
static char store_page[PGSIZE] __attribute__((aligned(PGSIZE)));

/* Takes every free page (eager sbrk in shrinking steps), then reports
 * over fd and sleeps until killed. */
static void hog(int fd)
{
	long step;

	for (step = 1L << 24; step >= PGSIZE; step /= 2)
		while (sbrk((int)step) != SBRK_ERROR)
			;
	write(fd, "f", 1);
	for (;;)
		pause(1000);
}

/* Forks a hog and waits until it holds all memory. Returns its pid. */
static int start_hog(void)
{
	int p[2], pid;
	char c = 0;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		hog(p[1]);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

/* wait() whose status copy hits a page COW-shared with the hog. */
static void kernel_write_case(void)
{
	uint64 *word = (uint64 *)status_page + 1;
	int *status = (int *)word;
	int child, hogpid, got, hog_status = 0;

	words_fill(status_page, PGSIZE, SEED);
	child = fork();
	if (child == 0)
		exit(STATUS_CHILD);
	/* Let the child become a zombie before memory runs out. */
	pause(5);
	hogpid = start_hog();
	/* Nothing but wait() may write a shared page now: not even ok(),
	 * whose counters sit on a page shared with the hog. */
	got = hogpid > 0 ? wait(status) : -1; /* the copy needs a page */
	if (!ok(hogpid > 0, "the hog took every free page"))
		return;
	ok(got == child && *status == STATUS_CHILD,
	   "wait() returns the child (pid %d, got %d) and its status %d (got "
	   "%d)",
	   child, got, STATUS_CHILD, *status);
	ok(wait(&hog_status) == hogpid && hog_status == -1,
	   "the hog was killed for the memory (status %d)", hog_status);
	*word = (uint64)word ^ SEED; /* words_fill's value again */
	ok(words_bad(status_page, PGSIZE, SEED) == 0,
	   "the parent's page holds what it wrote");
}

/* A store in user mode to a page COW-shared with the hog. */
static void user_write_case(void)
{
	int hogpid, hog_status = 0;

	words_fill(store_page, PGSIZE, SEED + 1);
	hogpid = start_hog();
	if (hogpid > 0)
		words_fill(store_page, PGSIZE,
			   SEED + 2); /* faults, no page free */
	if (!ok(hogpid > 0, "a second hog took every free page"))
		return;
	ok(words_bad(store_page, PGSIZE, SEED + 2) == 0,
	   "the parent's store went through");
	ok(wait(&hog_status) == hogpid && hog_status == -1,
	   "the second hog was killed for the memory (status %d)", hog_status);
}

int main(void)
{
	long before;

	tap_plan(8);
	before = free_pages();
	kernel_write_case();
	user_write_case();
	check_no_leak(before, "oomvictim");
	tap_done();
	return 0;
}
