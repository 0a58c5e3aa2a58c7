/*
 * mmapfuzz: thousands of random, often hostile, mmap/munmap/mprotect/
 * msync calls (anonymous and file, shared and private, fixed and not),
 * mixed with forks whose children touch random mapped addresses, read()
 * and write() through mappings, and truncation of mapped files. Nothing
 * is checked but the promise: every call returns, a child either exits or
 * is killed (status -1), the kernel survives, and when everything is
 * unmapped and removed the free page count and the page cache are back
 * where they started.
 *
 * A deterministic generator (the seed is the optional argument) makes a
 * failure reproducible: run=mmapfuzz,SEED.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG     4096UL
#define ROUNDS 3000
#define WINDOW                                                                 \
	(64UL << 20) /* MAP_FIXED stays in [MMAP_TOP - WINDOW, MMAP_TOP) */
#define MMAP_TOP 0x3fffc00000UL
#define SLOTS	 32

static unsigned long state = 88172645463325252UL;

static unsigned long rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned long pick(unsigned long n)
{
	return rnd() % n;
}

static unsigned long slot_addr[SLOTS], slot_len[SLOTS];
static int fds[6];
static int kcheck_failures;
static int n_ok[4]; /* calls that succeeded: mmap, munmap, mprotect, msync */

/* An address: near a known mapping, in the fixed window, or hostile. */
static unsigned long any_addr(void)
{
	static const unsigned long hostile[] = {0,
						0x1000,
						0x3fffffe000UL,
						0x3fffffd000UL,
						0xffffffc000000000UL,
						0x4000000000UL,
						0x8000,
						0x3fffbff001UL};
	int s = (int)pick(SLOTS);

	switch (pick(4)) {
	case 0:
		if (slot_addr[s])
			return slot_addr[s] + (pick(9) - 2) * PG +
			       (pick(8) ? 0 : 1);
		/* fall through */
	case 1:
		return MMAP_TOP - WINDOW + pick(WINDOW / PG) * PG;
	case 2:
		return hostile[pick(sizeof(hostile) / sizeof(hostile[0]))];
	default:
		return 0;
	}
}

static unsigned long any_len(void)
{
	static const unsigned long odd[] = {0,	       1,   PG - 1,
					    1UL << 40, -PG, 0x3fffffe000UL};

	if (pick(10) == 0)
		return odd[pick(sizeof(odd) / sizeof(odd[0]))];
	/* 2 MiB and more: the kernel aligns such mappings, and anonymous
	 * private ones get 2 MiB pages that munmap and mprotect cut. */
	if (pick(8) == 0)
		return (pick(3) + 1) * 512 * PG + (pick(2) ? 0 : PG);
	return (pick(12) + 1) * PG - (pick(4) == 0 ? pick(PG) : 0);
}

static void do_mmap(void)
{
	static const int fl[] = {MAP_PRIVATE | MAP_ANONYMOUS,
				 MAP_SHARED | MAP_ANONYMOUS,
				 MAP_PRIVATE,
				 MAP_SHARED,
				 0,
				 MAP_SHARED | MAP_PRIVATE,
				 0x100000 | MAP_PRIVATE};
	int flags = fl[pick(7)], prot = (int)pick(8), fd;
	unsigned long addr = any_addr(), off = pick(6) * PG;
	char *p;

	if (pick(3) == 0)
		flags |= MAP_FIXED;
	else if (!(flags & MAP_FIXED))
		addr = 0;
	if (pick(8) == 0)
		prot |= (int)(pick(4) << 3);
	if (pick(10) == 0)
		off += pick(PG);
	fd = (flags & MAP_ANONYMOUS) && pick(2) ? -1 : fds[pick(6)];
	p = mmap((void *)addr, any_len(), prot, flags, fd, (long)off);
	if (p != (char *)-1) {
		int s = (int)pick(SLOTS);
		n_ok[0]++;
		slot_addr[s] = (unsigned long)p;
		slot_len[s] = 12 * PG;
	}
}

/* A child touches a few random addresses of known mappings and exits. */
static void toucher(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		int s = (int)pick(SLOTS);
		volatile char *a;

		if (!slot_addr[s])
			continue;
		a = (volatile char *)(slot_addr[s] + pick(slot_len[s]));
		if (pick(2))
			*a = (char)i;
		else
			(void)*a;
	}
	exit(0);
}

static void round_once(void)
{
	int s = (int)pick(SLOTS), r = (int)pick(12);
	unsigned long a = slot_addr[s] ? slot_addr[s] : any_addr();

	if (r < 3)
		do_mmap();
	else if (r < 5)
		n_ok[1] +=
		    munmap((void *)(pick(3) ? a : any_addr()), any_len()) == 0;
	else if (r < 7)
		n_ok[2] += mprotect((void *)(pick(3) ? a : any_addr()),
				    any_len(), (int)pick(9)) == 0;
	else if (r == 7)
		n_ok[3] += msync((void *)a, any_len(), (int)pick(8)) == 0;
	else if (r == 8 && fork() == 0) {
		state += 12345; /* the child takes another path */
		toucher();
	} else if (r == 9) {
		read(fds[1], (void *)a, (int)pick(3 * PG));
	} else if (r == 10) {
		write(fds[2], (void *)a, (int)pick(3 * PG));
	} else if (r == 11 && pick(8) == 0) {
		int fd = open("fz1", O_RDWR | O_TRUNC);
		char buf[64];
		memset(buf, 'z', sizeof(buf));
		write(fd, buf, (int)pick(sizeof(buf)));
		close(fd);
	}
	while (wait(0) > 0 && pick(2))
		;
}

static void body(void)
{
	static char buf[8 * 4096];
	int i;

	memset(buf, 'f', sizeof(buf));
	fds[0] = open("fz1", O_CREATE | O_RDWR);
	write(fds[0], buf, 5 * PG + 100);
	fds[1] = open("fz1", O_RDONLY);
	fds[2] = open("fz2", O_CREATE | O_RDWR);
	write(fds[2], buf, 3 * PG);
	fds[3] = open(".", O_RDONLY);
	pipe(&fds[4]);
	for (i = 0; i < ROUNDS; i++) {
		round_once();
		if (i % 250 == 0 && kcheck() != 0)
			kcheck_failures++;
	}
	ok(kcheck_failures == 0, "kcheck held every 250 rounds (%d failures)",
	   kcheck_failures);
	while (wait(0) > 0)
		;
	diag("succeeded: %d mmap, %d munmap, %d mprotect, %d msync", n_ok[0],
	     n_ok[1], n_ok[2], n_ok[3]);
	/* Everything this body mapped lies in the window or in a slot. */
	ok(munmap((void *)(MMAP_TOP - 2 * WINDOW), 2 * WINDOW) == 0,
	   "munmap of the whole mmap area");
	for (i = 0; i < 6; i++)
		close(fds[i]);
}

int main(int argc, char *argv[])
{
	long before = free_pages();
	struct memstat ms;

	if (argc > 1)
		state = (unsigned long)atoi(argv[1]) * 2654435761UL + 1;
	tap_plan(5);
	tap_run_isolated(body);
	ok(1, "%d rounds of random mapping calls survived", ROUNDS);
	unlink("fz1");
	unlink("fz2");
	memstat(&ms);
	ok(ms.cache_pages == 0, "the page cache is empty (%lu)",
	   ms.cache_pages);
	check_no_leak(before, "mmapfuzz");
	tap_done();
	return 0;
}
