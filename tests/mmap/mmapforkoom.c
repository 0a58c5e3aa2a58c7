/*
 * mmapforkoom: fork runs out of memory at every point in a process that
 * maps a file, and fails cleanly each time.
 *
 * The program maps anonymous memory, a shared file mapping and more
 * anonymous memory (so that whichever way mmap places them, page tables
 * are still to be copied after the file mapping), takes every free page
 * with small eager sbrk steps (no 2 MiB pages, so giving one page back
 * needs no split), then gives pages back one at a time and forks at each
 * level. Every fork either succeeds or returns -1. A fork that fails after
 * copying the file mapping drops the copy's reference to the file, which
 * may wait for the log: that once ran with the new process's lock held,
 * and panicked whenever the log was busy (found by cowtorture,101,20 on 4
 * harts); the kernel now refuses any sleeping call under a spinlock at
 * once (might_sleep), so this program catches it every time.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG	   4096L
#define FILE_PAGES 8
#define SPAN	   (2 * 1024 * 1024L) /* one page table's reach */
#define SPANS	   8
#define LEVELS	   96
#define SEED	   0x0f0f0f0f12345678UL

/* Anonymous memory touched once per 2 MiB: a page table per span. */
static char *map_spread(void)
{
	char *p = mmap(0, SPANS * SPAN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == (char *)-1) {
		printf("Bail out! anonymous mmap failed\n");
		exit(1);
	}
	for (i = 0; i < SPANS; i++)
		p[i * SPAN + 5 * PG] = (char)i;
	return p;
}

static char *map_file(void)
{
	static char buf[PG];
	char *p;
	int fd, i;

	fd = open("forkoomf", O_CREATE | O_RDWR | O_TRUNC);
	if (fd < 0) {
		printf("Bail out! cannot create forkoomf\n");
		exit(1);
	}
	for (i = 0; i < FILE_PAGES; i++)
		if (write(fd, buf, PG) != PG) {
			printf("Bail out! cannot write forkoomf\n");
			exit(1);
		}
	p = mmap(0, FILE_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == (char *)-1) {
		printf("Bail out! file mmap failed\n");
		exit(1);
	}
	words_fill(p, FILE_PAGES * PG, SEED);
	return p;
}

/*
 * Gives this process its own copy of the stack and data pages it writes
 * below (they are shared copy-on-write with the parent): out of memory,
 * such a store would be a fault that kills it.
 */
static void own_pages(void)
{
	char stack[64]; /* the stack is one page */

	stack[0] = 1;
	asm volatile("" : : "r"(stack) : "memory");
	tap_count += 0;
	tap_failed += 0;
}

/* Takes every page it can with small steps; returns how many. */
static long take_all(void)
{
	long taken = 0, step;

	for (step = 16; step >= 1; step /= 4)
		while (sbrk((int)(step * PG)) != SBRK_ERROR)
			taken += step;
	return taken;
}

/*
 * fork, and in the parent wait for the child: -1 when fork failed, else
 * the child's exit status. Out of line, with nothing to keep but the pid:
 * until the child is gone every page of ours is shared with it, and a
 * store (a register spilled to the stack) would need a page there is not.
 */
static __attribute__((noinline)) int fork_and_reap(void)
{
	int pid = fork(), status;

	if (pid == 0)
		exit(0);
	if (pid < 0)
		return -1;
	return wait(&status) == pid ? status : -1000;
}

static void body(void)
{
	char *a, *f, *b;
	long taken, level;
	int forked = 0, failed = 0, bad = 0, status;

	a = map_spread();
	f = map_file();
	b = map_spread();
	own_pages();
	taken = take_all();
	for (level = 1; level <= LEVELS && level <= taken; level++) {
		if (sbrk(-(int)PG) == SBRK_ERROR) {
			bad++;
			break;
		}
		status = fork_and_reap();
		if (status == -1)
			failed++;
		else if (status != 0)
			bad++;
		else
			forked++;
	}
	diag("took %ld pages, gave them back one by one", taken);
	ok(bad == 0, "every fork returned -1 or a child that exited 0 "
		     "(%d forked, %d failed)", forked, failed);
	ok(failed > 0 && forked > 0,
	   "the levels cover both failing and succeeding forks");
	ok(words_bad(f, FILE_PAGES * PG, SEED) == 0,
	   "the file mapping kept its data");
	ok(a[5 * PG] == 0 && b[(SPANS - 1) * SPAN + 5 * PG] == SPANS - 1,
	   "the anonymous mappings kept theirs");
	sbrk(-(int)((taken - level + 1) * PG));
	munmap(a, SPANS * SPAN);
	munmap(b, SPANS * SPAN);
	munmap(f, FILE_PAGES * PG);
	unlink("forkoomf");
}

int main(void)
{
	long before = free_pages();

	tap_plan(5);
	tap_run_isolated(body);
	check_no_leak(before, "fork out of memory");
	tap_done();
	return 0;
}
