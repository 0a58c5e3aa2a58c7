/*
 * sbrktest: the heap. Eager sbrk grows and shrinks with the pages really
 * allocated and freed; sbrklazy only reserves address space and pages
 * arrive zero-filled on first touch; impossible requests fail cleanly and
 * leave nothing allocated; freed heap memory is really gone.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/param.h"
#include "user/user.h"
#include "tap.h"

#define MIB (1024 * 1024)
#define DIRTY_PAGES 48 /* fewer than a hart's page cache holds */

/* Returns the zero-fill fault counter, or 0 if memstat fails. */
static unsigned long zero_fills(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return 0;
	return ms.zero_fill_faults;
}

/* Returns the count of 2 MiB heap mappings made, or 0 if memstat fails. */
static unsigned long thp_maps(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return 0;
	return ms.thp_mapped;
}

/* Child body: touches the byte at addr; the parent expects a kill. */
static void touch(unsigned long addr)
{
	*(volatile char *)addr = 1;
	exit(0);
}

/*
 * Where exec puts the heap (proc/exec.c): empty, on a 2 MiB boundary, and
 * right above the stack, as in xv6. So its first 2 MiB, grown eagerly, is
 * one 2 MiB page, and fork can share all of its tables (mm/cow.c).
 */
static void test_layout(void)
{
	char here, *brk = sbrk(0);
	unsigned long thp0;

	ok((uint64)brk % (2 * MIB) == 0,
	   "exec puts the empty heap on a 2 MiB boundary (%p)", brk);
	ok(&here < brk && brk - &here < USERSTACK * PGSIZE &&
	       run_in_child(touch, (unsigned long)brk - 8) == 0,
	   "the stack ends where the heap starts: the bytes below it are mapped");
	thp0 = thp_maps();
	sbrk(2 * MIB);
	ok(thp_maps() - thp0 == (cmdline_has("thp=off") ? 0 : 1),
	   "the heap's first 2 MiB is one 2 MiB page (%lu mapped)",
	   thp_maps() - thp0);
	sbrk(-2 * MIB);
}

/* Eager growth: returns the old break, memory is there and zeroed, free pages drop. */
static void test_eager(void)
{
	char *old, *p, *q;
	long before, during;
	int i, zero = 1;

	/* This runs in tap_run_isolated()'s child: its first store to the
	 * TAP counters copies their page (COW). Take that copy now, so that
	 * the free count below moves only with the heap. */
	*(volatile int *)&tap_count = tap_count;
	old = sbrk(0);
	before = free_pages();
	p = sbrk(4 * MIB);
	during = free_pages();
	ok(p == old && sbrk(0) == old + 4 * MIB, "sbrk(4 MiB) returns the old break and moves it");
	ok(before - during >= 4 * MIB / PGSIZE,
	   "eager sbrk takes its pages at once (%d pages)", (int)(before - during));
	for (q = p; q < p + 4 * MIB; q += 512)
		if (*q != 0)
			zero = 0;
	ok(zero, "new heap memory reads as zero");
	for (q = p; q < p + 4 * MIB; q += PGSIZE)
		*q = 0x5a;

	ok(sbrk(-4 * MIB) == old + 4 * MIB && sbrk(0) == old,
	   "sbrk(-4 MiB) returns the old break and shrinks");
	/* Exact: the page tables under the shrunk heap go too. */
	ok(free_pages() == before,
	   "shrinking frees the pages and their page tables (%d pages short)",
	   (int)(before - free_pages()));

	p = sbrk(PGSIZE * 2);
	for (i = 0; i < 2 * PGSIZE; i++)
		if (p[i] != 0)
			zero = 0;
	ok(zero, "a regrown heap is zero again, not the old contents");
	sbrk(-PGSIZE * 2);

	p = sbrk(0);
	for (i = 0; i < 100; i++)
		sbrk(1);
	ok(sbrk(0) == p + 100, "the break moves byte by byte");
	sbrk(-100);
}

/* A freed heap page is unmapped: touching it kills with -1. */
static void test_shrunk_is_gone(void)
{
	char *p;

	p = sbrk(0);
	p = (char *)PGROUNDUP((uint64)p);
	sbrk(p - (char *)sbrk(0) + 3 * PGSIZE);
	p[PGSIZE] = 1;
	sbrk(-2 * PGSIZE);
	ok(run_in_child(touch, (unsigned long)p + PGSIZE + 8) == -1,
	   "touching heap memory after shrinking it kills with -1");
	sbrk(-PGSIZE);
}

/* Impossible requests fail with SBRK_ERROR and change nothing. */
static void test_limits(void)
{
	char *brk = sbrk(0);
	long before = free_pages();

	ok(sbrk(0x7ffff000) == SBRK_ERROR && sbrk(0) == brk,
	   "an eager sbrk larger than memory fails and leaves the break");
	/* Exact: the page tables made for the attempt are freed too. */
	ok(free_pages() == before, "the failed sbrk left nothing allocated (%d pages short)",
	   (int)(before - free_pages()));
	ok(sbrk(-0x10000000) == SBRK_ERROR || sbrk(0) == brk,
	   "shrinking below the heap start fails or does nothing");
	ok(sbrk(0) == brk, "the break is unchanged after the bad shrink");
	/* xv6 semantics (usertests lazy_copy): a shrink past address 0 is a
	 * no-op that returns the old break. */
	ok(sbrk(-(int)(uint64)brk - 1) == brk && sbrk(0) == brk,
	   "a shrink below address 0 returns the break and changes nothing");
}

/* Lazy growth: address space now, pages on touch, zero-filled, freed on shrink. */
static void test_lazy(void)
{
	char *p, *q;
	long before, after_grow, after_touch;
	unsigned long zf0, thp0, zf, thp;
	int good = 1, i;

	/* Leave freed pages full of non-zero bytes behind, small ones that
	 * the allocator hands out next: a fault that forgot to zero its page
	 * would show them. */
	p = sbrk(DIRTY_PAGES * PGSIZE);
	if (p != SBRK_ERROR) {
		memset(p, 0xa5, DIRTY_PAGES * PGSIZE);
		sbrk(-DIRTY_PAGES * PGSIZE);
	}

	/* Less than 2 MiB of lazy heap takes 4 KiB zero-fill faults, which
	 * get those pages (a 2 MiB fill below takes whole free blocks). */
	zf0 = zero_fills();
	p = sbrklazy(DIRTY_PAGES * PGSIZE);
	for (i = 0; p != SBRK_ERROR && i < DIRTY_PAGES * PGSIZE; i += 8)
		if (*(volatile uint64 *)(p + i) != 0)
			good = 0;
	zf = zero_fills() - zf0;
	ok(p != SBRK_ERROR && good && zf == DIRTY_PAGES,
	   "%d small lazy pages read as zero (%lu 4 KiB zero-fill faults)",
	   DIRTY_PAGES, zf);
	sbrklazy(-DIRTY_PAGES * PGSIZE);

	before = free_pages();
	p = sbrklazy(64 * MIB);
	after_grow = free_pages();
	ok(p != SBRK_ERROR && sbrk(0) == p + 64 * MIB, "sbrklazy(64 MiB) moves the break");
	ok(before - after_grow < 8, "sbrklazy allocates no data pages (%d used)",
	   (int)(before - after_grow));

	zf0 = zero_fills();
	thp0 = thp_maps();
	for (q = p; q < p + 64 * MIB; q += 64 * PGSIZE) {
		for (i = 0; i < PGSIZE; i += 8) /* all of it, word by word */
			if (*(volatile uint64 *)(q + i) != 0)
				good = 0;
		*q = 7;
	}
	after_touch = free_pages();
	ok(good, "lazy pages read as zero on first touch");
	/* Each touch is a 4 KiB zero-fill fault, or the first of eight in a
	 * 2 MiB span filled with a 2 MiB page at once (while memory lasts). */
	zf = zero_fills() - zf0;
	thp = thp_maps() - thp0;
	ok(zf + 8 * thp == 256, "256 touches: %lu zero-fill faults and %lu "
	   "2 MiB fills, eight touches each", zf, thp);
	ok(after_grow - after_touch >= (long)(zf + 512 * thp) &&
	       after_grow - after_touch < (long)(zf + 512 * thp) + 64,
	   "and they allocate that many pages (%d), plus page tables",
	   (int)(after_grow - after_touch));

	good = 1;
	for (q = p; q < p + 64 * MIB; q += 64 * PGSIZE)
		if (*q != 7)
			good = 0;
	ok(good, "lazy pages keep what was written");

	ok(sbrklazy(-64 * MIB) == p + 64 * MIB, "sbrklazy(-64 MiB) shrinks");
	ok(free_pages() == before,
	   "shrinking a lazy region frees its touched pages and page tables (%d pages short)",
	   (int)(before - free_pages()));
}

/* A lazy page can be the target of read(), through the kernel's uaccess. */
static void test_lazy_syscall(void)
{
	int p[2];
	char *buf = sbrklazy(2 * PGSIZE);

	pipe(p);
	write(p[1], "lazy", 5);
	ok(read(p[0], buf + PGSIZE + 100, 5) == 5 && strcmp(buf + PGSIZE + 100, "lazy") == 0,
	   "read() into an untouched lazy page works");
	close(p[0]);
	close(p[1]);
	sbrklazy(-2 * PGSIZE);
}

/* The heap can reach the user limit lazily, and not one byte past it. */
static void test_top(void)
{
	int pid, status = 0;

	pid = fork();
	if (pid == 0) {
		char *p = sbrk(0);

		while ((uint64)p < MAXVA - (1L << 30)) {
			if (sbrklazy(1 << 30) == SBRK_ERROR)
				exit(1);
			p = sbrk(0);
		}
		if (sbrklazy((int)(TRAPFRAME - PGSIZE - (uint64)p)) == SBRK_ERROR)
			exit(2);
		p = sbrk(PGSIZE);
		if ((uint64)p != TRAPFRAME - PGSIZE || p[100] != 0)
			exit(3);
		p[100] = 1;
		if (sbrk(1) != SBRK_ERROR || sbrklazy(1) != SBRK_ERROR)
			exit(4);
		exit(0);
	}
	ok(wait(&status) == pid && status == 0,
	   "the heap grows lazily up to 0x3fffffe000 and stops there (status %d)", status);
}

/* Everything but the leak check, which runs after this process has gone. */
static void all_tests(void)
{
	test_layout();
	test_eager();
	test_shrunk_is_gone();
	test_limits();
	test_lazy();
	test_lazy_syscall();
	test_top();
}

int main(void)
{
	long before;

	tap_plan(28);
	before = free_pages();
	tap_run_isolated(all_tests);
	check_no_leak(before, "sbrktest");
	tap_done();
	return 0;
}
