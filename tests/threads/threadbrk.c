/*
 * threadbrk: two threads of one process grow and shrink the heap at once.
 *
 * One thread asks for more heap than memory holds (an eager sbrk that maps
 * part of it, runs out and gives it all back) while the other grows and
 * shrinks the heap by small steps. The give-back must undo only what its
 * own call did: once it reset the heap's end over the other thread's
 * growth, pages stayed mapped outside any VMA and the exit panicked
 * ("mm_destroy: ... pages still mapped outside any VMA", found by sysfuzz
 * on 4 harts). Each round runs in a child so that its exit tears the
 * address space down; init's kcheck and free-page count follow the test.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/thread.h"
#include "../user/tap.h"

#define ROUNDS	   8
#define ATTEMPTS   3 /* the hog's failed calls per round */
#define STACK_SIZE 8192

static char stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile int stop, attempts;

/* Grows the heap past what memory holds, again and again: each call maps
 * what it can, fails and gives back what it took. */
static int hog(void *arg)
{
	int big = *(int *)arg;

	while (!stop) {
		if (sbrk(big) != SBRK_ERROR)
			sbrk(-big);
		attempts++;
	}
	return 0;
}

/* Small steps up and down while the hog's calls come and go. */
static void stepper(void)
{
	while (attempts < ATTEMPTS) {
		if (sbrk(3 * PGSIZE) == SBRK_ERROR)
			continue;
		sbrk(-3 * PGSIZE);
	}
}

/* One round: both threads race, then the child exits (tearing down). */
static void round_child(int big)
{
	int tid, status;

	tid = thread_create(hog, &big, stack, STACK_SIZE);
	if (tid < 0)
		exit(2);
	stepper();
	stop = 1;
	if (thread_join(tid, &status) < 0)
		exit(3);
	exit(0);
}

int main(void)
{
	long before = free_pages();
	int big = (int)(before * PGSIZE / 4 * 5); /* more than memory holds */
	int r, pid, status, bad = 0;

	tap_plan(3);
	for (r = 0; r < ROUNDS; r++) {
		pid = fork();
		if (pid < 0) {
			bad++;
			continue;
		}
		if (pid == 0)
			round_child(big);
		if (wait(&status) != pid || status != 0) {
			diag("round %d: status %d", r, status);
			bad++;
		}
	}
	ok(bad == 0,
	   "%d rounds of racing sbrk grow/give-back/shrink exit "
	   "cleanly",
	   ROUNDS);
	ok(kcheck() == 0, "kernel invariants hold afterwards");
	check_no_leak(before, "after the rounds");
	tap_done();
	return 0;
}
