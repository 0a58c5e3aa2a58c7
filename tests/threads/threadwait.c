/*
 * threadwait: two threads of one process wait() for its children at once.
 *
 * wait() claims a zombie child, then copies its status out with no lock
 * held (the copy may wait for memory). Once it did not claim it: another
 * thread of the same process waiting meanwhile reaped the same child too,
 * and freed a slot that a new process already had ("proc_free: pid N
 * still has an address space", found by sysfuzz on 4 harts). Here the
 * main thread forks children that exit at once while a second thread
 * waits beside it; every child must be reaped exactly once. The status
 * words sit in a page shared copy-on-write with the latest child, so each
 * copy takes a fault and the window is wide.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/thread.h"
#include "../user/tap.h"

#define CHILDREN   600
#define STACK_SIZE 8192

static char stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile int done;
static int reaped[2];
static int got[2][CHILDREN + 1]; /* the pids each thread reaped */
static int pids[CHILDREN];
static volatile int nforked;
static int statuses[2][2] __attribute__((aligned(4096)));

/* Records a pid thread who reaped (0: main, 1: the waiter). */
static void record(int who, int pid)
{
	if (reaped[who] <= CHILDREN)
		got[who][reaped[who]] = pid;
	reaped[who]++;
}

/* How many times the two threads reaped pid. */
static int times_reaped(int pid)
{
	int who, i, n = 0;

	for (who = 0; who < 2; who++)
		for (i = 0; i < reaped[who] && i <= CHILDREN; i++)
			n += got[who][i] == pid;
	return n;
}

static int waiter(void *arg)
{
	int pid;

	(void)arg;
	while (!done || nforked > reaped[0] + reaped[1]) {
		pid = wait(&statuses[1][0]);
		if (pid > 0)
			record(1, pid);
	}
	return 0;
}

int main(void)
{
	long before = free_pages();
	int tid, i, pid, status, twice = 0, missed = 0, retries;

	tap_plan(4);
	tid = thread_create(waiter, 0, stack, STACK_SIZE);
	if (tid < 0) {
		printf("Bail out! thread_create failed\n");
		exit(1);
	}
	for (i = 0, retries = 0; i < CHILDREN && retries < 1000; i++) {
		pid = fork();
		if (pid == 0)
			exit(0);
		if (pid < 0) { /* the process table is full of zombies */
			if ((pid = wait(&statuses[0][0])) > 0)
				record(0, pid);
			retries++;
			i--;
			continue;
		}
		pids[i] = pid;
		nforked = i + 1;
		if (i % 3 == 0 && (pid = wait(&statuses[0][0])) > 0)
			record(0, pid);
	}
	done = 1;
	while (nforked > reaped[0] + reaped[1]) {
		pid = wait(&statuses[0][0]);
		if (pid > 0)
			record(0, pid);
		else if (pid < 0)
			break;
	}
	thread_join(tid, &status);
	for (i = 0; i < nforked; i++) {
		int n = times_reaped(pids[i]);

		twice += n > 1;
		missed += n == 0;
	}
	ok(nforked == CHILDREN, "forked %d children", nforked);
	ok(twice == 0 && missed == 0,
	   "each was reaped once (%d twice, %d never; %d and %d by each thread)",
	   twice, missed, reaped[0], reaped[1]);
	ok(kcheck() == 0, "kernel invariants hold afterwards");
	check_no_leak(before, "after the children");
	tap_done();
	return 0;
}
