/*
 * forkbench: what fork costs, copy-on-write against eager.
 *
 * The same program runs on the COW kernel and on the eager kernel
 * (CONFIG_FORK_EAGER); the host script (bench/bench.py) boots both and
 * compares. Every result is one machine-readable line
 *
 *   bench: NAME VALUE UNIT
 *
 * and everything else this program prints starts with "#".
 *
 * Time comes from the time CSR, read in user mode with rdtime (the kernel
 * must set scounteren.TM). The timebase is assumed to be QEMU virt's 10 MHz:
 * one tick is 100 ns. If rdtime traps, a probe child dies of it and the
 * program falls back to uptime() ticks, far coarser, and says so.
 *
 * The fault costs below are measured on 4 KiB pages.
 *
 * Measurements (each the median of several repetitions):
 *   fork_lat_<N>m      fork + child exit + wait, parent heap of N MiB with
 *                      every page written first (N = 0, 1, 8, 32). The
 *                      heap grows with an eager sbrk, so its whole 2 MiB
 *                      blocks are 2 MiB pages (mm/huge.c).
 *   touchall_<N>m      the same, with the child writing every heap page
 *                      before it exits.
 *   fork_lat_32m_4k,   the same two for a 32 MiB heap grown with sbrklazy,
 *   touchall_32m_4k    then touched: 4 KiB pages only when the kernel runs
 *                      with thp=off (as the host script's second boot
 *                      does, for these, the faults and the pt_pages rows);
 *                      otherwise its first touches fill 2 MiB pages.
 *   fork_lat_512m,     fork + exit + wait of a 512 MiB parent, 2 MiB pages
 *   fork_lat_512m_4k   and 4 KiB pages only: group "big" only, which the
 *                      host script runs in a boot of its own with 1 GiB RAM.
 *   pt_pages_<N>m_4k   page-table pages the child of a parent with N MiB of
 *                      4 KiB heap pages has right after fork (N = 0, 32;
 *                      512 in group "big"): the rise of memstat's
 *                      system-wide pt_pages across the fork, with the child
 *                      held in a read of a pipe until it is counted.
 *   cow_copy_fault     one store to a page shared with another process,
 *                      per page (the child stores, the parent keeps it),
 *                      the top page first: one fault per page.
 *   cow_copy_stream    the same from the bottom page up: a stream of
 *                      stores, which the kernel may serve with fewer
 *                      faults by copying pages ahead (mm/cow.c).
 *   cow_reuse_fault    one store to a COW page nobody else shares any more
 *                      (the child has read every page and exited), per
 *                      page.
 *   zero_fill_fault    the first store to a page of an sbrklazy region.
 *   zero_fill_fault_2m one store per 2 MiB into a 2 MiB-aligned sbrklazy
 *                      region, per 4 KiB page the stores filled (free pages
 *                      lost less page-table pages made; the count is
 *                      zero_fill_fault_2m_pages): one 2 MiB page per store
 *                      if the kernel fills a lazy block with one, else one
 *                      4 KiB page per store and the 4 KiB fault's cost.
 *   touch_present      a store to a page already mapped writable: the loop's
 *                      own cost, which the fault costs include.
 *   clock_read         one read of the clock (rdtime), the fixed error of
 *                      every measurement (a trap if the kernel left
 *                      scounteren.TM clear and the firmware emulates it).
 *   forkexec_<N>m      fork + exec of the tiny program nop + wait, from a
 *                      parent of N MiB (N = 0, 32).
 * Besides the times, the memstat counters say how many faults of each kind a
 * measurement really took (..._count lines): on the eager kernel a child's
 * stores take no COW fault at all.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define MIB (1024 * 1024)
#define HUGE_BYTES (2UL * MIB) /* a 2 MiB page */
#define TIMEBASE_HZ 10000000UL /* QEMU virt's time CSR frequency */
#define MAX_REPS 64

/* How time is read: the time CSR, or (fallback) uptime() ticks. */
static int use_rdtime = 1;
static unsigned long ticks_per_sec = TIMEBASE_HZ;

/* Returns the current time in ticks of ticks_per_sec. */
static unsigned long now(void)
{
	if (use_rdtime)
		return r_time();
	return (unsigned long)uptime();
}

/*
 * Checks in a child whether rdtime works in user mode: an illegal
 * instruction trap kills the child. Sets use_rdtime and ticks_per_sec.
 */
static void probe_clock(void)
{
	int pid, status = -1;
	unsigned long t0, t1;

	pid = fork();
	if (pid < 0) {
		printf("# forkbench: fork failed in probe_clock\n");
		exit(1);
	}
	if (pid == 0) {
		t0 = r_time();
		t1 = r_time();
		exit(t1 >= t0 ? 0 : 2);
	}
	wait(&status);
	if (status == 0) {
		printf("# clock: rdtime (time CSR), timebase assumed %lu Hz\n", TIMEBASE_HZ);
		return;
	}
	use_rdtime = 0;
	ticks_per_sec = 100; /* calf's HZ (include/sched.h) */
	printf("# clock: rdtime TRAPS in user mode (child status %d); "
	       "falling back to uptime() ticks at %lu Hz\n", status, ticks_per_sec);
}

/* Sorts a small array of tick counts in place (insertion sort). */
static void sort(unsigned long *v, int n)
{
	int i, j;
	unsigned long x;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Returns the median of n samples (sorts them). */
static unsigned long median(unsigned long *v, int n)
{
	sort(v, n);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Converts ticks to nanoseconds. */
static unsigned long ticks_to_ns(unsigned long t)
{
	return t * (1000000000UL / ticks_per_sec);
}

/* Prints "bench: NAME X.Y us" for a tick count. */
static void report_us(const char *name, unsigned long ticks)
{
	unsigned long ns = ticks_to_ns(ticks);

	printf("bench: %s %lu.%lu us\n", name, ns / 1000, (ns % 1000) / 100);
}

/* Prints "bench: NAME X ns" for a per-page cost: ticks spread over n pages. */
static void report_per_page(const char *name, unsigned long ticks, unsigned long n)
{
	printf("bench: %s %lu ns\n", name, ticks_to_ns(ticks) / n);
}

static unsigned long counter_copy(void)
{
	struct memstat ms;

	return memstat(&ms) < 0 ? 0 : ms.cow_copy_faults;
}

static unsigned long counter_reuse(void)
{
	struct memstat ms;

	return memstat(&ms) < 0 ? 0 : ms.cow_reuse_faults;
}

static unsigned long counter_zero(void)
{
	struct memstat ms;

	return memstat(&ms) < 0 ? 0 : ms.zero_fill_faults;
}

/* The heap region under test: [heap, heap + heap_size). */
static char *heap;
static unsigned long heap_size;

/* Stores one byte into every page of [p, p + size). */
static void touch_pages(char *p, unsigned long size, char val)
{
	unsigned long off;

	for (off = 0; off < size; off += PGSIZE)
		((volatile char *)p)[off] = val;
}

/*
 * Grows the heap to size bytes and writes every page, so every page is
 * present, private and writable. An eager sbrk maps whole 2 MiB blocks
 * with 2 MiB pages; small grows lazily instead, so that every page is a
 * 4 KiB page (zero-filled on its first touch). Exits on failure.
 */
static void heap_set(unsigned long size, int small)
{
	struct memstat m0, m1;

	if (heap_size) {
		if (sbrk(-(int)heap_size) == SBRK_ERROR) {
			printf("# forkbench: sbrk shrink failed\n");
			exit(1);
		}
		heap_size = 0;
	}
	if (size == 0)
		return;
	memstat(&m0);
	heap = small ? sbrklazy((int)size) : sbrk((int)size);
	if (heap == SBRK_ERROR) {
		printf("# forkbench: sbrk(%lu) failed\n", size);
		exit(1);
	}
	heap_size = size;
	touch_pages(heap, size, 1);
	memstat(&m1);
	printf("# heap of %lu MiB: %lu of its %lu pages in 2 MiB pages\n",
	       size / MIB, (m1.thp_mapped - m0.thp_mapped) * 512, size / PGSIZE);
}

/*
 * Makes every heap page private and writable again after a fork: on the
 * COW kernel the parent's pages stay COW after the child exits, and the
 * next fork must start from the same state as the first.
 */
static void heap_refresh(void)
{
	touch_pages(heap, heap_size, 2);
}

/* Waits for one child; exits if it failed. */
static void reap(void)
{
	int status = -1;

	if (wait(&status) < 0 || status != 0) {
		printf("# forkbench: child failed (status %d)\n", status);
		exit(1);
	}
}

/* fork() that ends the benchmark when it fails. */
static int fork_or_exit(void)
{
	int pid = fork();

	if (pid < 0) {
		printf("# forkbench: fork failed\n");
		exit(1);
	}
	return pid;
}

/* What the child of a timed fork does; each ends in exit. */
static void child_exit(void)
{
	exit(0);
}

static void child_touch(void)
{
	touch_pages(heap, heap_size, 3);
	exit(0);
}

static void child_exec_nop(void)
{
	static char *argv[] = {"nop", 0};

	exec("nop", argv);
	exec("/nop", argv);
	printf("# forkbench: exec nop failed\n");
	exit(1);
}

/*
 * One fork + child() + wait, timed. Afterwards the parent's heap is private
 * and writable again (untimed), so the next fork starts from the same state.
 */
static unsigned long time_fork(void (*child)(void))
{
	unsigned long t0, t1;

	t0 = now();
	if (fork_or_exit() == 0)
		child();
	reap();
	t1 = now();
	heap_refresh();
	return t1 - t0;
}

/* Appends "<mib>m" to name. */
static void fmt_name(char *name, int mib)
{
	char *p = name + strlen(name);
	char digits[8];
	int n = 0;

	do {
		digits[n++] = '0' + mib % 10;
		mib /= 10;
	} while (mib);
	while (n)
		*p++ = digits[--n];
	*p++ = 'm';
	*p = 0;
}

/* fork_lat_<mib>m (touch 0) or touchall_<mib>m (touch 1); _4k if small. */
static void bench_fork(int mib, int touch, int small, int reps)
{
	unsigned long s[MAX_REPS];
	char name[32];
	int i;

	heap_set((unsigned long)mib * MIB, small);
	time_fork(touch ? child_touch : child_exit); /* warm up */
	for (i = 0; i < reps; i++)
		s[i] = time_fork(touch ? child_touch : child_exit);
	strcpy(name, touch ? "touchall_" : "fork_lat_");
	fmt_name(name, mib);
	if (small)
		strcpy(name + strlen(name), "_4k");
	report_us(name, median(s, reps));
}

/* Stores one byte into every page of [p, p + size), the top page first. */
static void touch_pages_down(char *p, unsigned long size, char val)
{
	unsigned long off;

	for (off = size; off > 0; off -= PGSIZE)
		((volatile char *)p)[off - PGSIZE] = val;
}

/*
 * Child side of the copy-fault measurement: stores to every heap page
 * (each store a COW copy on the COW kernel), sends the time taken and the
 * number of copy faults through fd, and exits. down: from the top page
 * down, so that every store takes a fault of its own (copy-ahead, in
 * mm/cow.c, follows stores that go up); else from the bottom up, a stream
 * that copy-ahead serves with fewer faults.
 */
static void copy_child(int fd, int down)
{
	unsigned long r[2], c0, t0;

	c0 = counter_copy();
	t0 = now();
	if (down)
		touch_pages_down(heap, heap_size, 4);
	else
		touch_pages(heap, heap_size, 4);
	r[0] = now() - t0;
	r[1] = counter_copy() - c0;
	write(fd, r, sizeof(r));
	exit(0);
}

/*
 * cow_copy_fault (down) and cow_copy_stream: per page, median over reps,
 * child storing to shared pages.
 */
static void bench_copy_fault(int reps, int down)
{
	const char *name = down ? "cow_copy_fault" : "cow_copy_stream";
	unsigned long s[MAX_REPS], r[2], faults = 0;
	int i, fds[2], pid;

	if (pipe(fds) < 0) {
		printf("# forkbench: pipe failed\n");
		exit(1);
	}
	for (i = 0; i < reps; i++) {
		pid = fork_or_exit();
		if (pid == 0) {
			close(fds[0]);
			copy_child(fds[1], down);
		}
		if (read(fds[0], r, sizeof(r)) != sizeof(r)) {
			printf("# forkbench: short read from copy child\n");
			exit(1);
		}
		reap();
		heap_refresh();
		s[i] = r[0];
		faults = r[1];
	}
	close(fds[0]);
	close(fds[1]);
	report_per_page(name, median(s, reps), heap_size / PGSIZE);
	printf("bench: %s_count %lu faults\n", name, faults);
}

/* Loads one byte from every page of [p, p + size). */
static void read_pages(char *p, unsigned long size)
{
	unsigned long off;

	for (off = 0; off < size; off += PGSIZE)
		(void)((volatile char *)p)[off];
}

/*
 * cow_reuse_fault: the parent stores to its pages after the child exited.
 * The child reads them first: a fork that shared the heap's page tables
 * would otherwise hand them back untouched, writable, with no fault to
 * time; read, they are COW (the table sealed) as a copying fork leaves
 * them.
 */
static void bench_reuse_fault(int reps)
{
	unsigned long s[MAX_REPS], t0, c0, faults = 0;
	int i, pid;

	for (i = 0; i < reps; i++) {
		pid = fork_or_exit();
		if (pid == 0) {
			read_pages(heap, heap_size);
			exit(0);
		}
		reap();
		c0 = counter_reuse();
		t0 = now();
		touch_pages(heap, heap_size, 5);
		s[i] = now() - t0;
		faults = counter_reuse() - c0;
	}
	report_per_page("cow_reuse_fault", median(s, reps), heap_size / PGSIZE);
	printf("bench: cow_reuse_fault_count %lu faults\n", faults);
}

/* touch_present: the store loop over pages already writable. */
static void bench_touch_present(int reps)
{
	unsigned long s[MAX_REPS], t0;
	int i;

	for (i = 0; i < reps; i++) {
		t0 = now();
		touch_pages(heap, heap_size, 6);
		s[i] = now() - t0;
	}
	report_per_page("touch_present", median(s, reps), heap_size / PGSIZE);
}

/* clock_read: the cost of one now(), the measurements' fixed overhead. */
static void bench_clock_read(int reps)
{
	unsigned long s[MAX_REPS], t0;
	int i, j;

	for (i = 0; i < reps; i++) {
		t0 = now();
		for (j = 0; j < 1000; j++)
			(void)now();
		s[i] = now() - t0;
	}
	report_per_page("clock_read", median(s, reps), 1001);
}

/*
 * zero_fill_fault_2m: one store per 2 MiB into a 2 MiB-aligned sbrklazy
 * region of size bytes (a multiple of 2 MiB). The cost is spread over the
 * 4 KiB pages the stores filled, which the free-page count tells apart
 * from the page tables the faults made.
 */
static void bench_zero_fill_2m(unsigned long size, int reps)
{
	unsigned long s[MAX_REPS], t0, pad, filled = 0, off;
	struct memstat m0, m1;
	char *p;
	int i;

	for (i = 0; i < reps; i++) {
		pad = (HUGE_BYTES - (unsigned long)sbrk(0) % HUGE_BYTES) % HUGE_BYTES;
		if ((pad && sbrklazy((int)pad) == SBRK_ERROR) ||
		    (p = sbrklazy((int)size)) == SBRK_ERROR) {
			printf("# forkbench: sbrklazy failed\n");
			exit(1);
		}
		memstat(&m0);
		t0 = now();
		for (off = 0; off < size; off += HUGE_BYTES)
			((volatile char *)p)[off] = 8;
		s[i] = now() - t0;
		memstat(&m1);
		filled = (m0.free_pages - m1.free_pages) - (m1.pt_pages - m0.pt_pages);
		if (sbrk(-(int)(size + pad)) == SBRK_ERROR) {
			printf("# forkbench: sbrk shrink failed\n");
			exit(1);
		}
	}
	report_per_page("zero_fill_fault_2m", median(s, reps), filled ? filled : 1);
	printf("bench: zero_fill_fault_2m_pages %lu pages\n", filled);
}

/*
 * pt_pages_<mib>m_4k: the page-table pages a fork gives the child of a
 * parent with a heap of mib MiB in 4 KiB pages. The child waits in a read
 * of a pipe while the parent reads memstat, so it is counted whole and
 * before its exit frees anything.
 */
static void bench_pt_pages(int mib)
{
	struct memstat m0, m1;
	char name[32], c = 0;
	int fds[2];

	heap_set((unsigned long)mib * MIB, 1);
	if (pipe(fds) < 0) {
		printf("# forkbench: pipe failed\n");
		exit(1);
	}
	memstat(&m0);
	if (fork_or_exit() == 0) {
		close(fds[1]);
		read(fds[0], &c, 1);
		exit(0);
	}
	memstat(&m1);
	write(fds[1], &c, 1);
	close(fds[0]);
	close(fds[1]);
	reap();
	heap_refresh();
	strcpy(name, "pt_pages_");
	fmt_name(name, mib);
	strcpy(name + strlen(name), "_4k");
	printf("bench: %s %lu pages\n", name, m1.pt_pages - m0.pt_pages);
}

/* zero_fill_fault: first stores to an sbrklazy region of size bytes. */
static void bench_zero_fill(unsigned long size, int reps)
{
	unsigned long s[MAX_REPS], t0, c0, faults = 0;
	char *p;
	int i;

	for (i = 0; i < reps; i++) {
		p = sbrklazy((int)size);
		if (p == SBRK_ERROR) {
			printf("# forkbench: sbrklazy failed\n");
			exit(1);
		}
		c0 = counter_zero();
		t0 = now();
		touch_pages(p, size, 7);
		s[i] = now() - t0;
		faults = counter_zero() - c0;
		if (sbrk(-(int)size) == SBRK_ERROR) {
			printf("# forkbench: sbrk shrink failed\n");
			exit(1);
		}
	}
	report_per_page("zero_fill_fault", median(s, reps), size / PGSIZE);
	printf("bench: zero_fill_fault_count %lu faults\n", faults);
}

/* forkexec_<mib>m. */
static void bench_forkexec(int mib, int reps)
{
	unsigned long s[MAX_REPS];
	char name[32];
	int i;

	heap_set((unsigned long)mib * MIB, 0);
	time_fork(child_exec_nop); /* warm up, and the file cache */
	for (i = 0; i < reps; i++)
		s[i] = time_fork(child_exec_nop);
	strcpy(name, "forkexec_");
	fmt_name(name, mib);
	report_us(name, median(s, reps));
}

/* True when the measurement group name was asked for (no filter: all). */
static int wanted(const char *filter, const char *name)
{
	return filter == 0 || strcmp(filter, name) == 0;
}

/* A group of one measurement, for profiling: never in "all". */
static int wanted_one(const char *filter, const char *name)
{
	return filter && strcmp(filter, name) == 0;
}

/* The same for the 512 MiB groups, which need 1 GiB of RAM: never in "all". */
static int wanted_big(const char *filter, const char *name)
{
	return filter && (strcmp(filter, "big") == 0 || strcmp(filter, name) == 0);
}

/*
 * forkbench [REPS [GROUP]]: REPS repetitions per measurement (default 15);
 * GROUP runs one group only, for profiling: fork_lat_<N>m, touchall_<N>m
 * (N = 0, 1, 8, 32), fork_lat_32m_4k, touchall_32m_4k, pt_pages (0 and 32
 * MiB), clock_read, faults (copy, reuse, present, zero-fill 4 KiB and
 * 2 MiB; cow_copy_fault, cow_copy_stream and zero_fill_fault alone),
 * forkexec_0m, forkexec_32m, or none (only the clock probe). With no GROUP
 * all of these run. The 512 MiB measurements (fork_lat_512m,
 * fork_lat_512m_4k, pt_pages_512m) run only when asked for, one by one or
 * all three as GROUP big (which times fork_lat_0m once more first, for
 * ratios within one boot), and need about 600 MiB of free memory.
 */
int main(int argc, char *argv[])
{
	static const int sizes[] = {0, 1, 8, 32};
	const char *filter = argc > 2 ? argv[2] : 0;
	char name[32];
	int reps = 15, i, touch;

	if (argc > 1 && atoi(argv[1]) > 0)
		reps = atoi(argv[1]) > MAX_REPS ? MAX_REPS : atoi(argv[1]);
	printf("# forkbench: %d repetitions per measurement, medians\n", reps);
	probe_clock();
	if (wanted(filter, "clock_read"))
		bench_clock_read(reps);

	for (touch = 0; touch <= 1; touch++) {
		for (i = 0; i < 4; i++) {
			strcpy(name, touch ? "touchall_" : "fork_lat_");
			fmt_name(name, sizes[i]);
			if (wanted(filter, name))
				bench_fork(sizes[i], touch, 0, reps);
		}
		strcpy(name, touch ? "touchall_32m_4k" : "fork_lat_32m_4k");
		if (wanted(filter, name))
			bench_fork(32, touch, 1, reps);
	}
	if (wanted(filter, "pt_pages")) {
		bench_pt_pages(0);
		bench_pt_pages(32);
	}
	if (wanted(filter, "faults") || wanted_one(filter, "cow_copy_fault")) {
		heap_set(8 * MIB, 1);
		bench_copy_fault(reps, 1);
	}
	if (wanted(filter, "faults") || wanted_one(filter, "cow_copy_stream")) {
		heap_set(8 * MIB, 1);
		bench_copy_fault(reps, 0);
	}
	if (wanted(filter, "faults")) {
		bench_reuse_fault(reps);
		bench_touch_present(reps);
	}
	if (wanted(filter, "faults") || wanted_one(filter, "zero_fill_fault")) {
		heap_set(0, 0);
		bench_zero_fill(8 * MIB, reps);
	}
	if (wanted(filter, "faults"))
		bench_zero_fill_2m(16 * MIB, reps);
	/* The empty fork again, for ratios within the 1 GiB boot. */
	if (filter && strcmp(filter, "big") == 0)
		bench_fork(0, 0, 0, reps);
	/* 2 MiB pages first, while whole free 2 MiB blocks are plenty. */
	if (wanted_big(filter, "fork_lat_512m"))
		bench_fork(512, 0, 0, reps);
	if (wanted_big(filter, "fork_lat_512m_4k"))
		bench_fork(512, 0, 1, reps);
	if (wanted_big(filter, "pt_pages_512m"))
		bench_pt_pages(512);
	if (wanted(filter, "forkexec_0m"))
		bench_forkexec(0, reps);
	if (wanted(filter, "forkexec_32m"))
		bench_forkexec(32, reps);
	heap_set(0, 0);
	printf("# forkbench: done\n");
	exit(0);
}
