/*
 * threadcow: copy-on-write and TLB shootdowns while threads run.
 *
 *   fork while sibling threads keep storing: the child reads its copy
 *   twice, a while apart, and must see no change. Without the remote
 *   shootdown a sibling on another hart keeps storing through its stale
 *   writable TLB entry into the page the child now shares (QEMU keeps a
 *   TLB per hart, flushed only by sfence.vma or a satp write, so such an
 *   entry lives until that hart's next context switch).
 *
 *   two threads storing into the same COW pages at once: one copy per
 *   page, both stores present, the child's copy untouched.
 *
 *   an sbrk shrink while another thread reads the range: its next read
 *   kills the process, and it never sees the page's next owner's data.
 */
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "../user/tap.h"
#include "user/thread.h"

#define STACK_SIZE 8192
#define PAGE 4096
#define NSIB 3
#define LONGS (PAGE / sizeof(long))

static char *stacks[8];
static volatile long counters[NSIB * LONGS] __attribute__((aligned(PAGE)));
static volatile int stop;

static char *stack_of(int i)
{
	if (!stacks[i])
		stacks[i] = malloc(STACK_SIZE);
	return stacks[i];
}

/* Spins for about n clock ticks without a system call per iteration. */
static void spin_ticks(int n)
{
	int t0 = uptime();
	volatile long i;

	while (uptime() - t0 < n)
		for (i = 0; i < 20000; i++)
			;
}

static int storer(void *arg)
{
	volatile long *c = &counters[(uint64)arg * LONGS];

	while (!stop)
		(*c)++;
	return 0;
}

/* A child of a fork: its copy of the counters must not move. */
static void check_frozen(void)
{
	long s1[NSIB], s2[NSIB];
	int i, changed = 0;

	for (i = 0; i < NSIB; i++)
		s1[i] = counters[i * LONGS];
	spin_ticks(3);
	for (i = 0; i < NSIB; i++) {
		s2[i] = counters[i * LONGS];
		changed += s1[i] != s2[i];
	}
	exit(changed);
}

#define ROUNDS 30

/*
 * nsib threads store while the first one forks ROUNDS times. With one
 * sibling on 2 harts, or three on 4, each keeps a hart of its own while the
 * child runs on the forking thread's (it sleeps in wait()).
 */
static void fork_while_storing(int nsib)
{
	int i, tids[NSIB], moved = 0, bad = 0;

	for (i = 0; i < nsib; i++)
		tids[i] = thread_create(storer, (void *)(uint64)i, stack_of(i),
					STACK_SIZE);
	for (i = 0; i < nsib; i++)
		while (counters[i * LONGS] == 0)
			;
	for (i = 0; i < ROUNDS; i++) {
		int st = -1, pid = fork();

		if (pid == 0)
			check_frozen();
		if (pid < 0 || wait(&st) != pid || st < 0)
			bad++;
		else if (st > 0)
			moved++;
	}
	stop = 1;
	for (i = 0; i < nsib; i++)
		if (thread_join(tids[i], 0) != tids[i])
			bad++;
	ok(bad == 0 && moved == 0,
	   "fork while %d threads store: %d of %d children saw their copy change",
	   nsib, moved, ROUNDS);
	exit(tap_count | (tap_failed << 12));
}

static void body_fork_one_sibling(void)
{
	fork_while_storing(1);
}

static void body_fork_three_siblings(void)
{
	fork_while_storing(NSIB);
}

#define NPAGES 64
static char *region;
static volatile int go;

static int cow_writer(void *arg)
{
	int w = (int)(uint64)arg, p;

	while (!go)
		;
	for (p = 0; p < NPAGES; p++)
		((volatile long *)(region + p * PAGE))[w] = (long)(p * 10 + w + 1);
	return 0;
}

static void body_two_writers(void)
{
	int p, pid, tids[2], lost = 0, i, st = -1, fds[2];
	struct memstat m0, m1;
	long copies;
	char c;

	/* The stacks first: the region must end the heap, or a copy-ahead
	 * (mm/cow.c) at its end would go on into the stacks above it. */
	stack_of(0);
	stack_of(1);
	region = sbrk(NPAGES * PAGE);
	for (p = 0; p < NPAGES; p++)
		memset(region + p * PAGE, 0x5a, PAGE);
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		read(fds[0], &c, 1);
		for (p = 0; p < NPAGES; p++)
			for (i = 0; i < PAGE; i++)
				if (region[p * PAGE + i] != 0x5a)
					exit(1);
		exit(0);
	}
	for (i = 0; i < 2; i++)
		tids[i] = thread_create(cow_writer, (void *)(uint64)i,
					stack_of(i), STACK_SIZE);
	pause(1);
	memstat(&m0);
	go = 1;
	for (i = 0; i < 2; i++)
		thread_join(tids[i], 0);
	memstat(&m1);
	for (p = 0; p < NPAGES; p++) {
		volatile long *w = (volatile long *)(region + p * PAGE);
		lost += w[0] != p * 10 + 1;
		lost += w[1] != p * 10 + 2;
	}
	copies = (long)(pages_copied(&m1) - pages_copied(&m0));
	ok(lost == 0, "two threads storing into %d shared pages at once: %d stores lost",
	   NPAGES, lost);
	ok(copies >= NPAGES && copies <= NPAGES + 8,
	   "one copy per page: %ld copies for %d pages", copies, NPAGES);
	write(fds[1], "g", 1);
	ok(wait(&st) == pid && st == 0, "the child's copy kept the old data");
	exit(tap_count | (tap_failed << 12));
}

/*
 * The same with 2 MiB pages (with thp=off, 4 KiB ones): two threads store
 * one word each into every 4 KiB of two shared 2 MiB pages at once. The
 * first store into a block copies (or splits) it; the other thread's
 * stores must land in the copy, none lost, the child's data unchanged.
 */
#define HUGE (2UL << 20)
static volatile char *hregion;

static int huge_writer(void *arg)
{
	int w = (int)(uint64)arg;
	uint64 off;

	while (!go)
		;
	for (off = 0; off < 2 * HUGE; off += PAGE)
		((volatile long *)(hregion + off))[w] = (long)(off + w + 1);
	return 0;
}

static void body_two_writers_huge(void)
{
	int pid, tids[2], i, st = -1, fds[2], lost = 0;
	struct memstat m0, m1;
	char *heap, c;
	uint64 off;

	stack_of(0);
	stack_of(1);
	heap = sbrk(3 * HUGE);
	hregion = (char *)(((uint64)heap + HUGE - 1) & ~(HUGE - 1));
	for (off = 0; off < 2 * HUGE; off += PAGE)
		((volatile long *)(hregion + off))[0] = 7;
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		read(fds[0], &c, 1);
		for (off = 0; off < 2 * HUGE; off += PAGE)
			if (((volatile long *)(hregion + off))[0] != 7 ||
			    ((volatile long *)(hregion + off))[1] != 0)
				exit(1);
		exit(0);
	}
	for (i = 0; i < 2; i++)
		tids[i] = thread_create(huge_writer, (void *)(uint64)i,
					stack_of(i), STACK_SIZE);
	pause(1);
	memstat(&m0);
	go = 1;
	for (i = 0; i < 2; i++)
		thread_join(tids[i], 0);
	memstat(&m1);
	diag("2 MiB copies %lu, splits %lu, 4 KiB copies %lu",
	     m1.thp_copies - m0.thp_copies, m1.thp_splits - m0.thp_splits,
	     m1.cow_copy_faults - m0.cow_copy_faults);
	for (off = 0; off < 2 * HUGE; off += PAGE) {
		volatile long *w = (volatile long *)(hregion + off);
		lost += w[0] != (long)(off + 1);
		lost += w[1] != (long)(off + 2);
	}
	ok(lost == 0, "two threads storing into two shared 2 MiB pages: %d stores lost",
	   lost);
	write(fds[1], "g", 1);
	ok(wait(&st) == pid && st == 0, "the child's 2 MiB pages kept the old data");
	exit(tap_count | (tap_failed << 12));
}

#define SENTINEL 0x5e571e5e571e5eL
static volatile long *victim;
static volatile long reads;
static int report_fd;

static int reader(void *arg)
{
	for (;;) {
		if (*victim == SENTINEL)
			write(report_fd, "S", 1);
		reads++;
	}
	return 0;
}

/* In a child: thread reads the heap's last page; we shrink the heap under
 * it and hand the page to a new heap page full of SENTINEL. */
static void child_shrink(unsigned long fd)
{
	char *p;
	long r0;
	int i;

	report_fd = (int)fd;
	stack_of(0); /* malloc grows the heap: before p, not after */
	p = sbrk(2 * PAGE);
	memset(p, 1, 2 * PAGE);
	victim = (volatile long *)(p + PAGE);
	thread_create(reader, 0, stack_of(0), STACK_SIZE);
	r0 = reads;
	while (reads < r0 + 1000)
		;
	sbrk(-2 * PAGE);
	p = sbrk(PAGE); /* likely the page just freed last: the victim's */
	for (i = 0; i < PAGE / 8; i++)
		((volatile long *)p)[i] = SENTINEL;
	/* The reader's fault ends us all; give it up to 5 s on a loaded
	 * host (a kill wakes us at once). */
	for (i = 0; i < 500; i++)
		pause(1);
	exit(0);
}

/* The same through munmap: the reader's page goes away with munmap, and
 * a new mapping elsewhere likely gets its physical page (the one freed
 * last). */
static void child_munmap(unsigned long fd)
{
	char *p;
	int i;

	report_fd = (int)fd;
	stack_of(0);
	p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == (char *)-1)
		exit(2);
	memset(p, 1, 2 * PAGE);
	victim = (volatile long *)(p + PAGE);
	thread_create(reader, 0, stack_of(0), STACK_SIZE);
	{
		long r0 = reads;
		while (reads < r0 + 1000)
			;
	}
	munmap(p, 2 * PAGE);
	/* Far below: mmap would put a new mapping back at the victim's
	 * address (top of the highest gap). */
	p = mmap(p - 64 * PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; p != (char *)-1 && i < PAGE / 8; i++)
		((volatile long *)p)[i] = SENTINEL;
	for (i = 0; i < 500; i++)
		pause(1);
	exit(0);
}

static volatile long *wtarget;
static volatile long wcount;

static int writer(void *arg)
{
	for (;;)
		*wtarget = ++wcount;
	return 0;
}

/* mprotect(PROT_READ) while another thread stores: once it returns, the
 * page must not change; the writer's next store kills the process. */
static void child_mprotect(unsigned long fd)
{
	long v1, v2;
	char *p;
	int i;

	stack_of(0);
	p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == (char *)-1)
		exit(2);
	wtarget = (volatile long *)p;
	*wtarget = 0;
	thread_create(writer, 0, stack_of(0), STACK_SIZE);
	while (wcount < 1000)
		;
	mprotect(p, PAGE, PROT_READ);
	v1 = *wtarget;
	spin_ticks(3);
	v2 = *wtarget;
	if (v1 != v2)
		write((int)fd, "M", 1);
	for (i = 0; i < 500; i++)
		pause(1);
	exit(0);
}

static void t_munmap_mprotect(void)
{
	int fds[2], st, n, rounds, seen = 0, bad = 0, moved = 0, mbad = 0;
	char buf[64];

	for (rounds = 0; rounds < 10; rounds++) {
		pipe(fds);
		st = run_in_child(child_munmap, fds[1]);
		close(fds[1]);
		n = read(fds[0], buf, sizeof(buf));
		close(fds[0]);
		seen += n > 0;
		bad += st != -1;
		pipe(fds);
		st = run_in_child(child_mprotect, fds[1]);
		close(fds[1]);
		n = read(fds[0], buf, sizeof(buf));
		close(fds[0]);
		moved += n > 0;
		mbad += st != -1;
	}
	ok(bad == 0 && seen == 0,
	   "munmap under a reading thread: it is killed (%d not), never reads the next owner's data (%d did)",
	   bad, seen);
	ok(mbad == 0 && moved == 0,
	   "mprotect(PROT_READ) under a storing thread: the page stops changing (%d of 10 did not), the store kills (%d not)",
	   moved, mbad);
}

static void t_shrink(void)
{
	int fds[2], st, n, rounds, seen = 0, bad = 0;
	char buf[64];

	for (rounds = 0; rounds < 10; rounds++) {
		pipe(fds);
		st = run_in_child(child_shrink, fds[1]);
		close(fds[1]);
		n = read(fds[0], buf, sizeof(buf));
		close(fds[0]);
		if (n > 0)
			seen++;
		if (st != -1)
			bad++;
	}
	ok(bad == 0, "a thread reading a range another thread unmaps is killed");
	ok(seen == 0, "it never read the page's next owner's data (%d of 10 did)", seen);
}

int main(int argc, char *argv[])
{
	long before = free_pages();

	tap_plan(12);
	tap_run_isolated(body_fork_one_sibling);
	tap_run_isolated(body_fork_three_siblings);
	tap_run_isolated(body_two_writers);
	tap_run_isolated(body_two_writers_huge);
	t_shrink();
	t_munmap_mprotect();
	check_no_leak(before, "threadcow");
	tap_done();
	return 0;
}
