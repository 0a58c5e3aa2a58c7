/*
 * mmapunmap: munmap of part of a mapping and of several mappings at once,
 * and mprotect taking rights away and giving them back.
 *
 * A child probes an address with a load or a store; an access the mapping
 * does not allow kills it (exit status -1), an allowed one exits 0. Pages
 * left mapped keep their data through every change.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG   4096L
#define SEED 0x7777777700000000UL

static void load_child(unsigned long addr)
{
	volatile char *p = (volatile char *)addr;

	(void)*p;
}

static void store_child(unsigned long addr)
{
	*(volatile char *)addr = 1;
}

/* Exit status of a child that loads (store false) or stores at p. */
static int probe(char *p, int store)
{
	return run_in_child(store ? store_child : load_child, (unsigned long)p);
}

static char *map_anon(char *at, long len, int prot, int flags)
{
	char *p = mmap(at, len, prot,
		       flags | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);

	if (p == (char *)-1) {
		printf("Bail out! mmap of %ld bytes failed\n", len);
		exit(1);
	}
	return p;
}

static void test_partial(void)
{
	long before = free_pages();
	char *p = map_anon(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long held;

	words_fill(p, 3 * PG, SEED);
	held = free_pages();
	ok(munmap(p + PG, PG) == 0, "munmap the middle page of three");
	ok(free_pages() >= held + 1, "its page is free at once (%ld -> %ld)",
	   held, free_pages());
	ok(probe(p + PG, 0) == -1, "a load from the hole kills");
	ok(probe(p, 1) == 0 && probe(p + 2 * PG, 1) == 0,
	   "both sides stay mapped and writable");
	ok(words_bad(p, PG, SEED) == 0 && words_bad(p + 2 * PG, PG, SEED) == 0,
	   "both sides keep their data");
	ok(munmap(p, 3 * PG) == 0, "munmap over the hole");
	ok(probe(p, 0) == -1 && probe(p + 2 * PG, 0) == -1,
	   "nothing left mapped");
	check_no_leak(before, "partial munmap");
}

static void test_multi(void)
{
	long before = free_pages();
	char *x = map_anon(0, 6 * PG, PROT_READ, MAP_PRIVATE);
	char *a, *b, *c;

	munmap(x, 6 * PG);
	a = map_anon(x, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	b = map_anon(x + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
	c = map_anon(x + 4 * PG, 2 * PG, PROT_READ, MAP_PRIVATE);
	ok(a == x && b == x + 2 * PG && c == x + 4 * PG,
	   "MAP_FIXED places three mappings side by side");
	words_fill(a, 4 * PG, SEED);
	ok(munmap(x + PG, 4 * PG) == 0, "one munmap across three mappings");
	ok(probe(x + PG, 0) == -1 && probe(x + 2 * PG, 0) == -1 &&
	       probe(x + 4 * PG, 0) == -1,
	   "the covered pages are gone");
	ok(words_bad(a, PG, SEED) == 0 && probe(x + 5 * PG, 0) == 0,
	   "the pages outside stay");
	ok(munmap(x, 6 * PG) == 0, "munmap the rest");
	check_no_leak(before, "multi-VMA munmap");
}

static void test_protect(void)
{
	long before = free_pages();
	char *p = map_anon(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int fds[2], status = -1;

	words_fill(p, 3 * PG, SEED);
	ok(mprotect(p + PG, PG, PROT_READ) == 0,
	   "mprotect the middle page read-only");
	ok(probe(p + PG, 1) == -1 && probe(p + PG, 0) == 0,
	   "a store there kills, a load does not");
	ok(probe(p, 1) == 0 && probe(p + 2 * PG, 1) == 0,
	   "its neighbours stay writable");
	ok(mprotect(p, 3 * PG, PROT_NONE) == 0 && probe(p, 0) == -1 &&
	       probe(p + 2 * PG, 0) == -1,
	   "PROT_NONE: a load kills");
	ok(kcheck() == 0, "kcheck: PROT_NONE leaves are fine");
	ok(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE) == 0 &&
	       words_bad(p, 3 * PG, SEED) == 0,
	   "read-write again: the data survived");
	/* A child of a read-only private mapping may make it writable: its
	 * stores must still not reach the parent's pages. */
	mprotect(p, 3 * PG, PROT_READ);
	pipe(fds);
	if (fork() == 0) {
		if (mprotect(p, 3 * PG, PROT_READ | PROT_WRITE) != 0)
			exit(2);
		words_fill(p, 3 * PG, ~SEED);
		exit(words_bad(p, 3 * PG, ~SEED) == 0 ? 0 : 1);
	}
	wait(&status);
	ok(status == 0 && words_bad(p, 3 * PG, SEED) == 0,
	   "child's stores after its mprotect stay private (%d)", status);
	mprotect(p, 3 * PG, PROT_READ | PROT_WRITE);
	store_child((unsigned long)p); /* the parent itself, after the child */
	ok(p[0] == 1 && words_bad(p + 8, 3 * PG - 8, SEED) == 0,
	   "the parent writes again after mprotect");
	ok(mprotect(p + 3 * PG, PG, PROT_READ) == -1,
	   "mprotect of an unmapped page fails");
	ok(munmap(p, 3 * PG) == 0, "munmap");
	close(fds[0]);
	close(fds[1]);
	check_no_leak(before, "mprotect");
}

/* mprotect in one sharer of a shared mapping leaves the other's rights. */
static void test_protect_shared(void)
{
	long before = free_pages();
	char *p = map_anon(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED);
	int status = -1;

	if (fork() == 0) {
		mprotect(p, PG, PROT_READ);
		exit(p[0] == 0 ? 0 : 1);
	}
	wait(&status);
	p[0] = 5;
	ok(status == 0 && p[0] == 5,
	   "a child's mprotect does not reach the parent");
	if (fork() == 0) {
		p[1] = 6;
		exit(0);
	}
	wait(0);
	ok(p[1] == 6, "a child's store reaches the parent");
	munmap(p, PG);
	check_no_leak(before, "mprotect of a shared mapping");
}

/* li a0, 42; ret */
static const unsigned int code42[2] = {0x02a00513, 0x00008067};

/* Code written into an anonymous mapping runs after mprotect to r-x. */
static void test_protect_exec(void)
{
	long before = free_pages();
	char *p = map_anon(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int (*fn)(void) = (int (*)(void))p;

	memcpy(p, code42, sizeof(code42));
	ok(mprotect(p, PG, PROT_READ | PROT_EXEC) == 0 && fn() == 42,
	   "code stored, then mprotect r-x: it runs");
	ok(probe(p, 1) == -1, "and a store there kills");
	munmap(p, PG);
	check_no_leak(before, "mprotect exec");
}

int main(void)
{
	long before = free_pages();

	tap_plan(32);
	test_partial();
	test_multi();
	test_protect();
	test_protect_shared();
	test_protect_exec();
	check_no_leak(before, "mmapunmap");
	tap_done();
	return 0;
}
