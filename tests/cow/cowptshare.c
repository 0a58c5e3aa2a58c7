/*
 * cowptshare: fork shares whole level-0 page tables (mm/cow.c), and
 * everything a process sees stays its own.
 *
 * The heap region here starts on a 2 MiB boundary and covers three whole
 * 2 MiB spans of 4 KiB pages (the test boots with thp=off, so a lazy heap
 * gets no 2 MiB pages), which a fork shares by table when ptshare is on
 * (the default). The checks hold with
 * ptshare=off too, where fork copies every PTE; the counts that differ
 * between the two say which they expect:
 *
 *   child exits untouched -> the parent's stores take no COW fault at
 *                            all (sharing: the table comes back as it
 *                            was) or one reuse fault per page (copying)
 *   child reads, exits    -> reading takes no page; the parent's stores
 *                            are reuse faults (the read sealed the table)
 *   child reads a span,   -> the store unshares the sealed table first:
 *   then stores into it      the parent, still sharing, never sees it
 *   child writes a page   -> one copy fault per span written; then the
 *   per span                 parent's stores copy every page but those
 *   child shrinks the     -> sbrk cuts one span and drops another whole
 *   heap, mmap region        in the child, mprotect and munmap on a 4 MiB
 *   cut                      mmap region: the parent's data is untouched
 *   a heap ending inside  -> the last span, half of it heap and half
 *   a span                   unmapped, is shared too: the same counts as
 *                            "exits untouched"; a child's stores there
 *                            stay its own
 *
 * kcheck() runs while shared tables are alive, parked and sealed: it
 * counts each table's holders against its refcount.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define SPAN	  (2L * 1024 * 1024)
#define NSPANS	  3
#define BYTES	  (NSPANS * SPAN)
#define NPAGES	  (BYTES / PGSIZE)
#define SEED	  0x5eed000000000000UL
#define SEED2	  0x7777000000000000UL
#define SEED_KID  0x1d1d000000000000UL

static int sharing; /* ptshare on (no "ptshare=off" on the command line) */
static int to_child[2], to_parent[2];

static void snap(struct memstat *ms)
{
	memstat(ms);
}

/* Pages copied, by a fault or ahead of one (tap.h). */
static long copies(const struct memstat *a, const struct memstat *b)
{
	return (long)(pages_copied(b) - pages_copied(a));
}

static long reuses(const struct memstat *a, const struct memstat *b)
{
	return (long)(b->cow_reuse_faults - a->cow_reuse_faults);
}

static int reap(int pid)
{
	int status = -1000;

	if (wait(&status) != pid)
		return -1000;
	return status;
}

/* 1: the child exits without touching the region. */
static void untouched(char *r)
{
	struct memstat a, b;
	int pid, status;

	pid = fork();
	if (pid == 0) {
		sync_await(to_child[0]);
		exit(0);
	}
	ok(kcheck() == 0, "kcheck passes with the region's tables shared");
	sync_send(to_child[1]);
	status = reap(pid);
	snap(&a);
	words_fill(r, BYTES, SEED2);
	snap(&b);
	ok(status == 0, "a child that touched nothing exited (%d)", status);
	if (sharing)
		ok(copies(&a, &b) == 0 && reuses(&a, &b) == 0,
		   "then the parent's stores took no COW fault (%ld copies, "
		   "%ld reuses): its tables came back as they were",
		   copies(&a, &b), reuses(&a, &b));
	else
		ok(copies(&a, &b) == 0 && reuses(&a, &b) == NPAGES,
		   "then the parent's stores took %ld reuse faults, %ld copies",
		   reuses(&a, &b), copies(&a, &b));
	ok(words_bad(r, BYTES, SEED2) == 0, "and the parent sees its stores");
}

/* 2: the child reads every page, then exits. */
static void reader(char *r)
{
	struct memstat a, b;
	int pid, status;

	pid = fork();
	if (pid == 0) {
		volatile char stack_touch = 1;
		long bad;

		(void)stack_touch;
		snap(&a);
		bad = words_bad(r, BYTES, SEED2);
		snap(&b);
		sync_send(to_parent[1]);
		sync_await(to_child[0]);
		/* 1: wrong data, 2: reading took pages or COW faults */
		exit(bad ? 1 : (a.free_pages != b.free_pages ||
				 copies(&a, &b) || reuses(&a, &b)) ? 2 : 0);
	}
	sync_await(to_parent[0]);
	ok(kcheck() == 0, "kcheck passes with the tables sealed by a read");
	sync_send(to_child[1]);
	status = reap(pid);
	ok(status == 0,
	   "the child read the parent's data, taking no page and no COW "
	   "fault (status %d)", status);
	snap(&a);
	words_fill(r, BYTES, SEED);
	snap(&b);
	ok(copies(&a, &b) == 0 && reuses(&a, &b) == NPAGES,
	   "then the parent's stores took %ld reuse faults, %ld copies",
	   reuses(&a, &b), copies(&a, &b));
}

/*
 * 2b: the child reads a span, which seals its table (the entry turns
 * valid), then stores into it while the parent still holds the table.
 * The store must unshare first: the walk may not treat a sealed table as
 * the child's own. The parent's data is SEED here.
 */
static void read_then_write(char *r)
{
	int pid, status;

	pid = fork();
	if (pid == 0) {
		long bad = words_bad(r, SPAN, SEED);

		words_fill(r, PGSIZE, SEED_KID);
		sync_send(to_parent[1]);
		sync_await(to_child[0]);
		exit(bad || words_bad(r, PGSIZE, SEED_KID) ? 1 : 0);
	}
	sync_await(to_parent[0]);
	ok(words_bad(r, BYTES, SEED) == 0,
	   "a child's store into a span it read (table sealed) is not seen "
	   "by the parent");
	ok(kcheck() == 0, "kcheck passes after a store into a sealed span");
	sync_send(to_child[1]);
	status = reap(pid);
	ok(status == 0, "and the child sees its store and the parent's data "
			"(status %d)", status);
}

/* 3: the child writes the first page of each span. */
static void writer(char *r)
{
	struct memstat a, b;
	int pid, status, s;

	snap(&a);
	pid = fork();
	if (pid == 0) {
		for (s = 0; s < NSPANS; s++)
			words_fill(r + s * SPAN, PGSIZE, SEED_KID);
		sync_send(to_parent[1]);
		sync_await(to_child[0]);
		for (s = 0; s < NSPANS; s++)
			if (words_bad(r + s * SPAN, PGSIZE, SEED_KID) ||
			    words_bad(r + s * SPAN + PGSIZE, SPAN - PGSIZE,
				      SEED))
				exit(1);
		exit(0);
	}
	sync_await(to_parent[0]);
	snap(&b);
	ok(copies(&a, &b) >= NSPANS && copies(&a, &b) <= NSPANS + 4,
	   "the child's store to one page per span copied %ld pages "
	   "(%d, and its stack)", copies(&a, &b), NSPANS);
	ok(kcheck() == 0, "kcheck passes with the tables unshared by the child");
	snap(&a);
	words_fill(r, BYTES, SEED2);
	snap(&b);
	ok(copies(&a, &b) == NPAGES - NSPANS && reuses(&a, &b) == NSPANS,
	   "then the parent's stores, the child still there, copied %ld "
	   "pages and took %ld reuses (the pages it copied away from)",
	   copies(&a, &b), reuses(&a, &b));
	sync_send(to_child[1]);
	status = reap(pid);
	ok(status == 0, "child and parent each see only their own stores (%d)",
	   status);
	ok(words_bad(r, BYTES, SEED2) == 0, "the parent's data is intact");
}

/* 4: the child cuts its heap and an mmap region; the parent's stay. */
static void cutter(char *r)
{
	char *m = mmap(0, 2 * SPAN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int pid, status;

	if (m == (char *)-1) {
		ok(0, "mmap of 4 MiB");
		return;
	}
	words_fill(m, 2 * SPAN, SEED);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		/* The break lands in the middle of span 1; span 2 goes whole. */
		if (sbrk(-(int)(SPAN + SPAN / 2)) == SBRK_ERROR)
			exit(1);
		bad |= words_bad(r, SPAN + SPAN / 2, SEED2) != 0;
		if (mprotect(m, SPAN / 2, PROT_READ) < 0 ||
		    munmap(m + SPAN, SPAN) < 0)
			exit(2);
		bad |= words_bad(m, SPAN, SEED) != 0;
		words_fill(m + SPAN / 2, SPAN / 2, SEED_KID);
		bad |= kcheck() != 0;
		sync_send(to_parent[1]);
		sync_await(to_child[0]);
		bad |= words_bad(m + SPAN / 2, SPAN / 2, SEED_KID) != 0;
		exit(bad ? 3 : 0);
	}
	sync_await(to_parent[0]);
	ok(words_bad(r, BYTES, SEED2) == 0,
	   "the child's sbrk cut left the parent's heap intact");
	ok(words_bad(m, 2 * SPAN, SEED) == 0,
	   "its mprotect, munmap and stores left the parent's mmap intact");
	words_fill(m, 2 * SPAN, SEED2);
	sync_send(to_child[1]);
	status = reap(pid);
	ok(status == 0, "the child saw what it kept (status %d)", status);
	ok(words_bad(m, 2 * SPAN, SEED2) == 0 && kcheck() == 0,
	   "the parent's stores are its own, kcheck passes");
	munmap(m, 2 * SPAN);
}

/* 5: a heap that ends halfway through its last span. */
static void partial(void)
{
	struct memstat a, b;
	char *h = sbrk_or_bail(sbrklazy, (int)(SPAN / 2));
	int pid, status;

	words_fill(h, SPAN / 2, SEED);
	pid = fork();
	if (pid == 0) {
		sync_await(to_child[0]);
		exit(0);
	}
	ok(kcheck() == 0, "kcheck passes with a half-used span's table shared");
	sync_send(to_child[1]);
	status = reap(pid);
	snap(&a);
	words_fill(h, SPAN / 2, SEED2);
	snap(&b);
	if (sharing)
		ok(status == 0 && copies(&a, &b) == 0 && reuses(&a, &b) == 0,
		   "half a span of heap: no COW fault after an untouched child "
		   "(%ld copies, %ld reuses)", copies(&a, &b), reuses(&a, &b));
	else
		ok(status == 0 && copies(&a, &b) == 0 &&
		       reuses(&a, &b) == NPAGES / NSPANS / 2,
		   "half a span of heap: %ld reuse faults, %ld copies",
		   reuses(&a, &b), copies(&a, &b));
	pid = fork();
	if (pid == 0) {
		words_fill(h, SPAN / 2, SEED_KID);
		exit(words_bad(h, SPAN / 2, SEED_KID) ? 1 : 0);
	}
	status = reap(pid);
	ok(status == 0 && words_bad(h, SPAN / 2, SEED2) == 0 && kcheck() == 0,
	   "a child's stores there are its own, the parent's data intact");
	sbrk(-(int)(SPAN / 2));
}

int main(void)
{
	long baseline, pad;
	char *r, *cur;

	tap_plan(23);
	if (pipe(to_child) < 0 || pipe(to_parent) < 0) {
		printf("Bail out! pipe failed\n");
		exit(1);
	}
	sharing = !cmdline_has("ptshare=off");
	diag("ptshare %s", sharing ? "on" : "off");
	baseline = free_pages();
	cur = sbrklazy(0);
	pad = (SPAN - (long)((unsigned long)cur % SPAN)) % SPAN;
	sbrk_or_bail(sbrklazy, (int)pad);
	r = sbrk_or_bail(sbrklazy, (int)BYTES);
	words_fill(r, BYTES, SEED);

	untouched(r);
	reader(r);
	read_then_write(r);
	writer(r);
	cutter(r);
	partial();

	sbrk(-(int)(BYTES + pad));
	check_no_leak(baseline, "cowptshare");
	tap_done();
	return 0;
}
