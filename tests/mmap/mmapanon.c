/*
 * mmapanon: anonymous mappings, private and shared, across fork.
 *
 *   private: pages arrive zeroed on first touch; after fork the child's
 *            stores stay in the child and the parent's in the parent (COW
 *            copy faults counted by memstat);
 *   shared:  parent and child store into the same pages, each sees the
 *            other's stores at once, in both directions, and so does a
 *            grandchild; no COW fault happens on them;
 *   free:    munmap gives every page back at once.
 *
 * Children report failures in their exit status; pipes order the stores.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define NPAGES 16
#define LEN    (NPAGES * 4096L)
#define SEED_P 0x5050505000000000UL
#define SEED_C 0xc0c0c0c000000000UL

/* Pages COW-copied so far, by a fault or ahead of one (tap.h). */
static unsigned long cow_copies(void)
{
	struct memstat ms;

	memstat(&ms);
	return pages_copied(&ms);
}

static char *map(int prot, int flags)
{
	char *p = mmap(0, LEN, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == (char *)-1) {
		printf("Bail out! mmap failed\n");
		exit(1);
	}
	return p;
}

static void test_private(void)
{
	long before = free_pages();
	char *p = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int fds[2], status = -1, pid, zero = 1;
	unsigned long copies;
	long i;

	ok(before - free_pages() < 4,
	   "private mmap allocates no pages up front");
	for (i = 0; i < LEN; i++)
		if (p[i] != 0)
			zero = 0;
	ok(zero, "private pages read as zeros");
	words_fill(p, LEN, SEED_P);
	pipe(fds);
	copies = cow_copies();
	pid = fork();
	if (pid == 0) {
		long bad = words_bad(p, LEN, SEED_P);
		words_fill(p, LEN, SEED_C);
		bad += words_bad(p, LEN, SEED_C);
		sync_send(fds[1]);
		exit(bad == 0 ? 0 : 1);
	}
	sync_await(fds[0]);
	ok(kcheck() == 0, "kcheck: private pages after fork");
	wait(&status);
	ok(status == 0, "child saw the parent's data and its own stores");
	ok(words_bad(p, LEN, SEED_P) == 0, "child's stores stayed private");
	ok(cow_copies() - copies >= NPAGES,
	   "child's stores were COW copies (%lu)", cow_copies() - copies);
	ok(munmap(p, LEN) == 0, "munmap private");
	close(fds[0]);
	close(fds[1]);
	check_no_leak(before, "private mapping");
}

/* Child side of test_shared: checks the parent's words, writes its own. */
static int shared_child(char *p, int to_parent, int from_parent)
{
	unsigned long c0;
	long bad;

	sync_await(from_parent);
	bad = words_bad(p, LEN / 2, SEED_P);
	cow_copies(); /* its own stack page is copied here, not below */
	c0 = cow_copies();
	words_fill(p + LEN / 2, LEN / 2, SEED_C);
	if (cow_copies() != c0)
		bad++; /* a store to a shared page was a COW copy */
	sync_send(to_parent);
	if (fork() == 0) { /* a grandchild shares them too */
		words_fill(p, LEN / 2, SEED_C);
		exit(0);
	}
	wait(0);
	sync_await(from_parent);
	return bad == 0;
}

static void test_shared(void)
{
	long before = free_pages();
	char *p = map(PROT_READ | PROT_WRITE, MAP_SHARED);
	int up[2], down[2], status = -1, pid, zero = 1;
	unsigned long copies;
	long i;

	for (i = 0; i < LEN; i++)
		if (p[i] != 0)
			zero = 0;
	ok(zero, "shared pages read as zeros");
	pipe(up);
	pipe(down);
	copies = cow_copies();
	pid = fork();
	if (pid == 0)
		exit(shared_child(p, up[1], down[0]) ? 0 : 1);
	words_fill(p, LEN / 2, SEED_P); /* after the fork */
	sync_send(down[1]);
	sync_await(up[0]);
	ok(words_bad(p + LEN / 2, LEN / 2, SEED_C) == 0,
	   "parent sees the child's stores at once");
	ok(kcheck() == 0,
	   "kcheck: shared writable pages with two owners are fine");
	sync_send(down[1]);
	wait(&status);
	ok(status == 0, "child saw the parent's stores made after fork, "
			"and its own stores took no COW copy");
	ok(words_bad(p, LEN / 2, SEED_C) == 0,
	   "parent sees the grandchild's stores");
	ok(cow_copies() - copies < NPAGES,
	   "fewer COW copies than shared pages (%lu)", cow_copies() - copies);
	ok(munmap(p, LEN) == 0, "munmap shared");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	check_no_leak(before, "shared mapping");
}

/* A shared mapping outlives its maker in the children that inherit it. */
static void test_shared_outlives(void)
{
	long before = free_pages();
	int go[2], res[2];
	char c = 0;

	pipe(go);
	pipe(res);
	if (fork() == 0) {
		char *p = map(PROT_READ | PROT_WRITE, MAP_SHARED);
		if (fork() == 0) {
			sync_await(go[0]);
			c = words_bad(p, LEN, SEED_P) == 0 ? 'y' : 'n';
			write(res[1], &c, 1);
			exit(0);
		}
		words_fill(p, LEN, SEED_P);
		exit(0); /* before its child has looked */
	}
	wait(0);
	sync_send(go[1]);
	read(res[0], &c, 1);
	ok(c == 'y', "a grandchild reads the pages after their maker exited");
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	check_no_leak(before, "shared mapping after both exit");
}

int main(void)
{
	long before = free_pages();

	tap_plan(19);
	test_private();
	test_shared();
	test_shared_outlives();
	check_no_leak(before, "mmapanon");
	tap_done();
	return 0;
}
