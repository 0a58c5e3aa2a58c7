/*
 * mmapbad: every bad argument of mmap, munmap, mprotect and msync fails
 * with -1 ((void *)-1 for mmap) and changes nothing: a mapping made
 * before keeps its place, rights and data, and no page is lost. Also
 * where mmap puts mappings: below 0x3fffffe000, top down, far above the
 * heap.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG   4096L
#define SEED 0x4242424200000000UL
#define TOP  0x3fffffe000UL
#define FAIL ((char *)-1)

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static char *ref; /* a good mapping that nothing below may change */

static int ref_intact(void)
{
	return words_bad(ref, 2 * PG, SEED) == 0;
}

static void bad_mmap(void)
{
	char *heap = sbrk(0);

	ok(mmap(0, 0, RW, ANON, -1, 0) == FAIL, "mmap: zero length");
	ok(mmap(ref + 1, PG, RW, ANON | MAP_FIXED, -1, 0) == FAIL,
	   "mmap: unaligned MAP_FIXED address");
	ok(mmap(0, PG, RW, ANON, -1, 100) == FAIL, "mmap: unaligned offset");
	ok(mmap(0, PG, RW, MAP_ANONYMOUS, -1, 0) == FAIL,
	   "mmap: neither shared nor private");
	ok(mmap(0, PG, RW, ANON | MAP_SHARED, -1, 0) == FAIL,
	   "mmap: both shared and private");
	ok(mmap(0, PG, RW, ANON | 0x1000000, -1, 0) == FAIL,
	   "mmap: unknown flag");
	ok(mmap(0, PG, 0x80, ANON, -1, 0) == FAIL, "mmap: unknown prot bit");
	ok(mmap(0, PG, PROT_WRITE | PROT_EXEC, ANON, -1, 0) == FAIL,
	   "mmap: writable and executable");
	ok(mmap((void *)(TOP - PG), 2 * PG, RW, ANON | MAP_FIXED, -1, 0) ==
	       FAIL,
	   "mmap: MAP_FIXED range reaching 0x3fffffe000");
	ok(mmap((void *)TOP, PG, RW, ANON | MAP_FIXED, -1, 0) == FAIL,
	   "mmap: MAP_FIXED at 0x3fffffe000");
	ok(mmap((void *)0xffffffc000000000UL, PG, RW, ANON | MAP_FIXED, -1,
		0) == FAIL,
	   "mmap: MAP_FIXED in kernel space");
	ok(mmap(0, -PG, RW, ANON, -1, 0) == FAIL, "mmap: length that wraps");
	ok(mmap(0, 1UL << 40, RW, ANON, -1, 0) == FAIL,
	   "mmap: length beyond user space");
	ok(mmap((void *)0x1000, PG, RW, ANON | MAP_FIXED, -1, 0) == FAIL,
	   "mmap: MAP_FIXED over the program text");
	ok(mmap(0, PG, RW, MAP_FIXED | ANON, -1, 0) == FAIL,
	   "mmap: MAP_FIXED at 0");
	ok(mmap((void *)(((unsigned long)heap - 1) & ~(PG - 1)), PG, RW,
		ANON | MAP_FIXED, -1, 0) == FAIL,
	   "mmap: MAP_FIXED over the heap");
	/* The heap is still empty here: its VMA is [break, break). */
	ok(mmap(heap, 3 * PG, RW, ANON | MAP_FIXED, -1, 0) == FAIL,
	   "mmap: MAP_FIXED at the start of an empty heap");
	ok(mmap(0, PG, RW, MAP_PRIVATE, 99, 0) == FAIL, "mmap: bad fd");
	ok(mmap(0, PG, RW, MAP_PRIVATE, -1, 0) == FAIL,
	   "mmap: fd -1 for a file mapping");
}

static void bad_others(void)
{
	ok(munmap(ref + 1, PG) == -1, "munmap: unaligned");
	ok(munmap(ref, 0) == -1, "munmap: zero length");
	ok(munmap((void *)(TOP - PG), 2 * PG) == -1,
	   "munmap: reaching 0x3fffffe000");
	ok(munmap((void *)0x1000, PG) == -1, "munmap: the program text");
	ok(munmap(ref, -PG) == -1, "munmap: length that wraps");
	ok(mprotect(ref + 1, PG, PROT_READ) == -1, "mprotect: unaligned");
	ok(mprotect(ref, 0, PROT_READ) == -1, "mprotect: zero length");
	ok(mprotect(ref, PG, 0x80) == -1, "mprotect: unknown prot bit");
	ok(mprotect(ref, PG, PROT_WRITE | PROT_EXEC) == -1,
	   "mprotect: writable and executable");
	ok(mprotect(ref, 3 * PG, PROT_READ) == -1,
	   "mprotect: past the mapping's end");
	ok(mprotect((void *)0x1000, PG, RW) == -1,
	   "mprotect: the program text");
	ok(msync(ref + 1, PG, MS_SYNC) == -1, "msync: unaligned");
	ok(msync(ref, PG, MS_SYNC | MS_ASYNC) == -1, "msync: sync and async");
	ok(msync(ref, PG, 0x100) == -1, "msync: unknown flag");
	ok(msync(ref, 3 * PG, MS_SYNC) == -1, "msync: past the mapping's end");
	ok(msync(ref, 2 * PG, MS_SYNC) == 0, "msync of the good mapping works");
}

static void layout(void)
{
	char *a = mmap(0, PG, RW, ANON, -1, 0);
	char *b = mmap(0, PG, RW, ANON, -1, 0);
	unsigned long brk = (unsigned long)sbrk(0);

	ok(a != FAIL && b != FAIL && (unsigned long)a < TOP &&
	       (unsigned long)a + PG <= TOP,
	   "mappings lie below 0x3fffffe000 (%p)", a);
	ok(b < a && (unsigned long)b > brk + (1UL << 30),
	   "top down, at least 1 GiB above the break (%p, break %p)", b,
	   (void *)brk);
	ok(sbrk(PG) != (char *)-1, "the heap still grows");
	sbrk(-PG);
	munmap(a, PG);
	munmap(b, PG);
}

int main(void)
{
	long before;

	tap_plan(41);
	before = free_pages();
	ref = mmap(0, 2 * PG, RW, ANON, -1, 0);
	if (ref == FAIL) {
		printf("Bail out! mmap failed\n");
		exit(1);
	}
	words_fill(ref, 2 * PG, SEED);
	bad_mmap();
	bad_others();
	ok(ref_intact(), "the good mapping kept its data");
	ref[0] = 1;
	ok(ref[0] == 1, "and stayed writable");
	layout();
	munmap(ref, 2 * PG);
	check_no_leak(before, "mmapbad");
	tap_done();
	return 0;
}
