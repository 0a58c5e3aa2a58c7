/*
 * cowbig: a process that holds two thirds of free memory can still fork.
 *
 * An eager fork would need another two thirds and fail; a copy-on-write
 * fork needs page tables only. The parent fills its heap with a pattern
 * that differs in every 64-bit word, forks, and the child reads every word
 * back, then writes an eighth of the pages (those copies fit in the third
 * that is left). The parent's words must be untouched, and once the child
 * is gone and the heap shrunk, every page must be free again.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define PARENT_SEED 0x5eedf00d00000000UL
#define CHILD_SEED  0xc41d000000000000UL

/* Child exit status bits. */
#define CHILD_BAD_INHERITED 1 /* a word differed from the parent's */
#define CHILD_BAD_OWN	    2 /* the child's own writes did not stick */

/*
 * Waits until the parent has counted its free pages (so none of the
 * child's copies are counted as the fork's), reads the whole inherited
 * heap, then writes every eighth page of it.
 */
static void child(int go, char *heap, long npages)
{
	int status = 0;
	long p;

	sync_await(go);
	if (words_bad(heap, npages * PGSIZE, PARENT_SEED) != 0)
		status |= CHILD_BAD_INHERITED;
	for (p = 0; p < npages; p += 8)
		words_fill(heap + p * PGSIZE, PGSIZE, CHILD_SEED);
	for (p = 0; p < npages; p++) {
		uint64 seed = p % 8 == 0 ? CHILD_SEED : PARENT_SEED;
		if (words_bad(heap + p * PGSIZE, PGSIZE, seed) != 0)
			status |= CHILD_BAD_OWN;
	}
	exit(status);
}

int main(void)
{
	struct memstat before_fork, after_wait;
	long baseline, npages, drop, after_fork;
	char *heap;
	int pid, status = -1000, go[2];

	tap_plan(9);
	baseline = free_pages();
	npages = baseline * 2 / 3;
	heap = sbrk((int)(npages * PGSIZE));
	if (!ok(heap != SBRK_ERROR,
		"sbrk of two thirds of free memory (%ld pages)", npages)) {
		printf("Bail out! no heap to test with\n");
		exit(1);
	}
	words_fill(heap, npages * PGSIZE, PARENT_SEED);
	if (pipe(go) < 0) {
		printf("Bail out! no pipe\n");
		exit(1);
	}

	memstat(&before_fork);
	pid = fork();
	if (pid == 0)
		child(go[0], heap, npages);
	after_fork = free_pages();
	sync_send(go[1]); /* the child may start copying now */
	if (!ok(pid > 0,
		"fork succeeds while two thirds of memory is in use")) {
		printf("Bail out! fork failed\n");
		exit(1);
	}
	drop = (long)before_fork.free_pages - after_fork;
	if (!ok(drop <= npages / 128 + 32,
		"fork took only page tables (%ld pages for %ld)", drop, npages))
		diag("an eager copy would take %ld pages", npages);

	if (wait(&status) != pid)
		status = -1000;
	ok(status >= 0 && !(status & CHILD_BAD_INHERITED),
	   "the child read every word of the parent's heap (status %d)",
	   status);
	ok(status >= 0 && !(status & CHILD_BAD_OWN),
	   "the child's writes to an eighth of the pages stuck (status %d)",
	   status);
	ok(words_bad(heap, npages * PGSIZE, PARENT_SEED) == 0,
	   "the parent's heap is unchanged after the child wrote and exited");

	check_no_leak((long)before_fork.free_pages, "after wait");
	memstat(&after_wait);
	ok(after_wait.shared_pages <= before_fork.shared_pages,
	   "no page is still shared after the child exited (%lu, %lu before "
	   "fork)",
	   after_wait.shared_pages, before_fork.shared_pages);

	close(go[0]);
	close(go[1]);
	sbrk((int)-(npages * PGSIZE));
	check_no_leak(baseline, "after the heap shrank");
	tap_done();
	return 0;
}
