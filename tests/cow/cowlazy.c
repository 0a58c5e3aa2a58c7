/*
 * cowlazy: lazy heap pages, sbrk shrink and exec, each combined with fork.
 *
 *   lazy:   the parent touches half of a sbrklazy region and forks. Pages
 *           neither touched are faulted in as zero, separately in each
 *           process; pages the parent touched are shared copy-on-write.
 *   shrink: a child that shrinks the heap away under a shared region
 *           drops only its own references (the parent's next writes are
 *           reuse faults) and gets zeroed pages when it grows again; a
 *           parent that shrinks leaves the child's view intact.
 *   exec:   a child that execs (this program as a helper, or echo) starts
 *           from a fresh image, and the parent's memory is untouched.
 *
 * Children report through exit status bits; two pipes order the steps.
 * Run as "cowlazy exec-helper ADDR", the program is the exec helper: it
 * exits 77 when its data is fresh and its heap ends below ADDR.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define LAZY_PAGES  64
#define HEAP_PAGES  64
#define MARKER_INIT 0x1234
#define MARKER_SET  0x9999
#define HELPER_OK   77

#define SEED_PARENT  0x00000000aaaa0000UL
#define SEED_PARENT2 0x00000000bbbb0000UL
#define SEED_CHILD   0x00000000cccc0000UL

/* In .data: the exec helper must see MARKER_INIT. */
static int marker = MARKER_INIT;
static int p2c[2], c2p[2];

/* True when the page holds words_fill(seed), or only zeros when seed is 0. */
static int page_holds(const char *page, uint64 seed)
{
	const uint64 *w = (const uint64 *)page, *end = w + PGSIZE / 8;

	if (seed != 0)
		return words_bad(page, PGSIZE, seed) == 0;
	for (; w < end; w++)
		if (*w != 0)
			return 0;
	return 1;
}
static int reap(int pid)
{
	int status = -1000;

	if (pid < 0 || wait(&status) != pid)
		return -1000;
	return status;
}

/* The seed of lazy page p in the parent: only the even pages were touched. */
static uint64 parent_lazy_seed(int p)
{
	return p % 2 == 0 ? SEED_PARENT : 0;
}

/*
 * Child of the lazy part: checks the inherited view, writes every page,
 * waits while the parent writes its odd pages, checks its own view again.
 */
static void lazy_child(char *lazy)
{
	int bad = 0, p;

	for (p = 0; p < LAZY_PAGES; p++)
		if (!page_holds(lazy + (long)p * PGSIZE, parent_lazy_seed(p)))
			bad |= 1;
	for (p = 0; p < LAZY_PAGES; p++)
		words_fill(lazy + (long)p * PGSIZE, PGSIZE, SEED_CHILD);
	sync_send(c2p[1]);
	sync_await(p2c[0]);
	for (p = 0; p < LAZY_PAGES; p++)
		if (!page_holds(lazy + (long)p * PGSIZE, SEED_CHILD))
			bad |= 2;
	exit(bad);
}

static void test_lazy(void)
{
	struct memstat ms0, ms1;
	int pid, p, status, parent_zero = 1, parent_kept = 1, parent_own = 1;
	char *lazy = sbrk_or_bail(sbrklazy, LAZY_PAGES * PGSIZE);

	for (p = 0; p < LAZY_PAGES; p += 2)
		words_fill(lazy + (long)p * PGSIZE, PGSIZE, SEED_PARENT);
	memstat(&ms0);
	pid = fork();
	if (pid == 0)
		lazy_child(lazy);
	sync_await(c2p[0]);
	memstat(&ms1);
	for (p = 0; p < LAZY_PAGES; p++) {
		const char *page = lazy + (long)p * PGSIZE;
		if (p % 2 == 1 && !page_holds(page, 0))
			parent_zero = 0;
		if (p % 2 == 0 && !page_holds(page, SEED_PARENT))
			parent_kept = 0;
	}
	for (p = 1; p < LAZY_PAGES; p += 2)
		words_fill(lazy + (long)p * PGSIZE, PGSIZE, SEED_PARENT2);
	sync_send(p2c[1]);
	status = reap(pid);
	for (p = 1; p < LAZY_PAGES; p += 2)
		if (!page_holds(lazy + (long)p * PGSIZE, SEED_PARENT2))
			parent_own = 0;

	ok(status >= 0 && !(status & 1),
	   "a child sees the parent's touched lazy pages, zeros elsewhere");
	ok(ms1.zero_fill_faults - ms0.zero_fill_faults >= LAZY_PAGES / 2,
	   "the child's untouched lazy pages came from zero-fill faults (%ld)",
	   (long)(ms1.zero_fill_faults - ms0.zero_fill_faults));
	ok(parent_zero, "the parent's untouched lazy pages are still zero");
	ok(parent_kept, "the parent's touched lazy pages are unchanged");
	ok(status >= 0 && !(status & 2) && parent_own,
	   "the parent's later lazy faults stay out of the child (%d)", status);
	sbrklazy(-LAZY_PAGES * PGSIZE);
}

/* Shrink child: drops the shared region, regrows it, checks for zeros. */
static void shrink_child(char *heap)
{
	int bad = 0, p;

	if (sbrk(-HEAP_PAGES * PGSIZE) == SBRK_ERROR || sbrk(0) != heap)
		bad |= 1;
	sync_send(c2p[1]);
	sync_await(p2c[0]);
	if (sbrk(HEAP_PAGES * PGSIZE) != heap)
		bad |= 1;
	for (p = 0; p < HEAP_PAGES; p++)
		if (!page_holds(heap + (long)p * PGSIZE, 0))
			bad |= 2;
	exit(bad);
}

/* Child that keeps the shared region while the parent shrinks it away. */
static void keep_child(char *heap)
{
	int bad = 0, p;

	sync_send(c2p[1]);
	sync_await(p2c[0]);
	for (p = 0; p < HEAP_PAGES; p++)
		if (!page_holds(heap + (long)p * PGSIZE, SEED_PARENT))
			bad |= 1;
	exit(bad);
}

static void test_shrink(void)
{
	struct memstat ms0, ms1;
	int pid, p, status, kept = 1;
	long reuses, copies;
	char *heap = sbrk_or_bail(sbrk, HEAP_PAGES * PGSIZE);

	for (p = 0; p < HEAP_PAGES; p++)
		words_fill(heap + (long)p * PGSIZE, PGSIZE, SEED_PARENT);
	pid = fork();
	if (pid == 0)
		shrink_child(heap);
	memstat(&ms0); /* also makes the parent's stack page private */
	sync_await(c2p[0]);
	for (p = 0; p < HEAP_PAGES; p++)
		if (!page_holds(heap + (long)p * PGSIZE, SEED_PARENT))
			kept = 0;
	memstat(&ms0);
	for (p = 0; p < HEAP_PAGES; p++)
		words_fill(heap + (long)p * PGSIZE, PGSIZE, SEED_PARENT);
	memstat(&ms1);
	sync_send(p2c[1]);
	status = reap(pid);

	reuses = (long)(ms1.cow_reuse_faults - ms0.cow_reuse_faults);
	copies = (long)(ms1.cow_copy_faults - ms0.cow_copy_faults);
	ok(kept, "a child's sbrk shrink of a shared region spares the parent");
	ok(reuses == HEAP_PAGES && copies == 0,
	   "the shrink dropped the child's references: then the parent's "
	   "writes took %ld reuse and %ld copy faults",
	   reuses, copies);
	ok(status == 0, "the child's regrown heap is zero (status %d)", status);

	pid = fork();
	if (pid == 0)
		keep_child(heap);
	sync_await(c2p[0]);
	sbrk(-HEAP_PAGES * PGSIZE);
	sync_send(p2c[1]);
	status = reap(pid);
	ok(status == 0,
	   "the parent's shrink of a shared region spares the child (%d)",
	   status);
}

/* Writes n in decimal into buf (at least 12 bytes). */
static void utoa(unsigned long n, char *buf)
{
	char tmp[24];
	int i = 0, j = 0;

	do {
		tmp[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	while (i > 0)
		buf[j++] = tmp[--i];
	buf[j] = '\0';
}

static void test_exec(void)
{
	static char addr[24];
	char *helper_argv[] = {"cowlazy", "exec-helper", addr, 0};
	char *echo_argv[] = {"echo", "#",      "echo",	"ran", "in",
			     "a",    "forked", "child", 0};
	int pid, p, status, intact = 1;
	char *heap = sbrk_or_bail(sbrk, HEAP_PAGES * PGSIZE);

	for (p = 0; p < HEAP_PAGES; p++)
		words_fill(heap + (long)p * PGSIZE, PGSIZE, SEED_PARENT);
	marker = MARKER_SET;
	utoa((unsigned long)heap, addr);

	pid = fork();
	if (pid == 0) {
		exec(helper_argv[0], helper_argv);
		exit(1);
	}
	status = reap(pid);
	ok(status == HELPER_OK,
	   "a forked child execs a fresh image without the parent's data "
	   "(%d)",
	   status);

	pid = fork();
	if (pid == 0) {
		exec(echo_argv[0], echo_argv);
		exit(1);
	}
	status = reap(pid);
	ok(status == 0, "a forked child execs echo (status %d)", status);

	for (p = 0; p < HEAP_PAGES; p++)
		if (!page_holds(heap + (long)p * PGSIZE, SEED_PARENT))
			intact = 0;
	ok(intact && marker == MARKER_SET,
	   "the parent's heap and data are intact after the execs");
	sbrk(-HEAP_PAGES * PGSIZE);
}

/* The exec helper: fresh .data, and a heap ending below the parent's region. */
static int exec_helper(const char *parent_heap)
{
	unsigned long limit = (unsigned long)atoi(parent_heap);

	return marker == MARKER_INIT && (unsigned long)sbrk(0) <= limit
		   ? HELPER_OK
		   : 1;
}

int main(int argc, char *argv[])
{
	long baseline;

	if (argc == 3 && strcmp(argv[1], "exec-helper") == 0)
		exit(exec_helper(argv[2]));
	tap_plan(13);
	if (pipe(p2c) < 0 || pipe(c2p) < 0) {
		printf("Bail out! pipe failed\n");
		exit(1);
	}
	baseline = free_pages();
	test_lazy();
	test_shrink();
	test_exec();
	check_no_leak(baseline, "cowlazy");
	tap_done();
	return 0;
}
