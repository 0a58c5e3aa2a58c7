/*
 * kchecktest: the kcheck() system call on a busy machine. Several
 * processes call it at once, over and over, while others fork, exit, grow
 * and shrink their heaps and write copy-on-write memory: every call must
 * find the invariants intact (0), none may report a false alarm or fail
 * to stop the other harts, and no call may hang.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "tap.h"

#define CHECKERS 3
#define CHURNERS 2
#define CALLS	 15
#define ROUNDS	 40

static char shared[8 * PGSIZE];

/* Calls kcheck() CALLS times; exits with the number of non-zero results. */
static void checker(void)
{
	int bad = 0;

	for (int i = 0; i < CALLS; i++)
		bad += kcheck() != 0;
	exit(bad);
}

/* Forks, writes shared COW memory, grows and shrinks the heap. */
static void churner(unsigned long seed)
{
	for (int r = 0; r < ROUNDS; r++) {
		int pid = fork();
		if (pid == 0) {
			words_fill(shared, sizeof(shared), seed + (uint64)r);
			exit(0);
		}
		if (pid > 0)
			wait(0);
		if (sbrk(16 * PGSIZE) != SBRK_ERROR)
			sbrk(-16 * PGSIZE);
		shared[r % sizeof(shared)] ^= 1;
	}
	exit(0);
}

int main(void)
{
	int status, bad = 0, other = 0, n = 0;
	long before;

	tap_plan(3);
	before = free_pages();
	ok(kcheck() == 0, "kcheck() on a quiet machine returns 0");
	for (int i = 0; i < CHECKERS + CHURNERS; i++) {
		int pid = fork();
		if (pid == 0) {
			if (i < CHECKERS)
				checker();
			churner((unsigned long)i << 40);
		}
	}
	while (wait(&status) > 0) {
		n++;
		if (status > 0 && status <= CALLS)
			bad += status;
		else if (status != 0)
			other++;
	}
	ok(n == CHECKERS + CHURNERS && bad == 0 && other == 0,
	   "%d concurrent kcheck() calls during fork/sbrk/COW churn all "
	   "returned 0 (%d did not, %d processes died)",
	   CHECKERS * CALLS, bad, other);
	check_no_leak(before, "kchecktest");
	tap_done();
	return 0;
}
