/*
 * cowoom: an out-of-memory storm of copy-on-write faults.
 *
 * The parent fills a sixth of free memory and forks CHILDREN children.
 * On a signal they all write every shared page at once. A child that gets
 * through checks its copies and keeps them until every child has finished
 * or died, so together they need more than the free memory: the kernel
 * runs out, and a child whose COW fault finds no page is killed (exit
 * status -1), which frees its copies for the others. Half the children
 * write with stores (faults in user mode), the other half with read() from
 * a pipe (faults inside copy_to_user, where OOM kills as well).
 *
 * The kernel must survive, kill only faulting children, leave the parent's
 * memory intact, and give every page back: after each storm the free count
 * is what it was before the forks. The parent writes no shared page during
 * a storm (it would be a candidate for the OOM kill itself): everything it
 * writes then is on its stack, made private before the storm starts.
 *
 * Last, a hog takes every free page and then forks: with no memory for
 * the child's page tables, fork must fail cleanly and leak nothing.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define CHILDREN    8
#define STORMS	    2
#define HOG_FORKS   3
#define SEED_PARENT 0x0f0f0f0f00000000UL

/* Child exit statuses besides 0 (finished, copies correct) and -1 (killed). */
#define CHILD_BAD_COPY 1
#define CHILD_NO_PIPE  2

/* What happened in one storm (killed_in_read: read() children killed). */
struct storm {
	int forked, killed, killed_in_read, finished, other;
	int pids[CHILDREN];
};

static int go[2], done[2], release[2];

/* What child c writes into word 0 of page p. */
static uint64 child_word(int c, long p)
{
	return ((uint64)(c + 1) << 48) | (uint64)p;
}

/*
 * A storm child: waits for the start, writes word 0 of every page (by store
 * or through a pipe and read()), then checks that each copy holds its word
 * and the parent's data around it. Exits 0, or CHILD_* when something is off.
 */
static void storm_child(int c, char *region, long npages)
{
	int via_read = c % 2, p[2];
	uint64 word;
	long pg;
	char ch;

	close(go[1]);
	close(done[0]);
	close(release[1]);
	if (via_read && pipe(p) < 0)
		exit(CHILD_NO_PIPE);
	while (read(go[0], &ch, 1) > 0)
		;
	for (pg = 0; pg < npages; pg++) {
		uint64 *page = (uint64 *)(region + pg * PGSIZE);
		word = child_word(c, pg);
		if (!via_read) {
			page[0] = word;
		} else if (write(p[1], &word, 8) != 8 ||
			   read(p[0], (char *)page, 8) != 8) {
			exit(CHILD_BAD_COPY);
		}
	}
	for (pg = 0; pg < npages; pg++) {
		const uint64 *page = (const uint64 *)(region + pg * PGSIZE);
		if (page[0] != child_word(c, pg) ||
		    page[1] != ((uint64)&page[1] ^ SEED_PARENT) ||
		    page[256] != ((uint64)&page[256] ^ SEED_PARENT) ||
		    page[511] != ((uint64)&page[511] ^ SEED_PARENT))
			exit(CHILD_BAD_COPY);
	}
	close(done[1]); /* done; keep the copies until everyone is */
	while (read(release[0], &ch, 1) > 0)
		;
	exit(0);
}

/*
 * Re-reads the free count until it is back to want (the reaper may lag);
 * returns the last count.
 */
static long settle(long want)
{
	long now = free_pages();
	int tries;

	for (tries = 0; now < want && tries < 20; tries++) {
		pause(1);
		now = free_pages();
	}
	return now;
}

/* One storm; fills in s and returns the free count after it settled. */
static long storm(char *region, long npages, struct storm *s, long *before)
{
	int c, pid, status, i;
	char ch;

	s->forked = s->killed = s->killed_in_read = s->finished = s->other = 0;
	*before = free_pages();
	if (pipe(go) < 0 || pipe(done) < 0 || pipe(release) < 0)
		return -1;
	for (c = 0; c < CHILDREN; c++) {
		pid = fork();
		if (pid == 0)
			storm_child(c, region, npages);
		s->pids[c] = pid;
		if (pid > 0)
			s->forked++;
	}
	/* Everything written from here on lives on the stack, now private. */
	close(go[0]);
	close(go[1]);
	close(done[1]);
	while (read(done[0], &ch, 1) > 0)
		; /* end of file: every child finished or died */
	close(done[0]);
	close(release[0]);
	close(release[1]);
	for (c = 0; c < s->forked; c++) {
		status = -1000;
		pid = wait(&status);
		if (pid < 0)
			break;
		if (status == -1) {
			s->killed++;
			for (i = 1; i < CHILDREN; i += 2) /* the read() kind */
				s->killed_in_read += s->pids[i] == pid;
		} else if (status == 0)
			s->finished++;
		else
			s->other++;
	}
	return settle(*before);
}

/*
 * The hog: takes every page it can get with eager sbrk, then tries to fork
 * HOG_FORKS times with no memory left: not even the child's page tables
 * fit, so every fork must fail cleanly (-1). Then it tells the parent it
 * is full, waits to be released and exits with the number of forks that
 * failed, which must be all of them.
 */
__attribute__((noinline)) static void hog(void)
{
	int i, failed = 0, pid;
	char ch;

	close(go[1]);
	close(done[0]);
	while (sbrk(64 * PGSIZE) != SBRK_ERROR)
		;
	while (sbrk(PGSIZE) != SBRK_ERROR)
		;
	for (i = 0; i < HOG_FORKS; i++) {
		pid = fork();
		if (pid == 0)
			exit(0);
		if (pid < 0)
			failed++;
		else
			wait(0);
	}
	write(done[1], "f", 1);
	read(go[0], &ch, 1);
	exit(failed);
}

/*
 * Runs the hog; returns its exit status, and in *low the free count while
 * it held everything. The parent needs no page meanwhile: the hog's first
 * store (entering hog(), before it takes any memory) copies the shared
 * stack page, so the parent's later stores to it are reuse faults.
 */
static int exhausted_forks(long *low)
{
	int pid, status = -1000;
	char ch;

	*low = -1;
	if (pipe(go) < 0 || pipe(done) < 0)
		return -1000;
	pid = fork();
	if (pid == 0)
		hog();
	close(go[0]);
	close(done[1]);
	if (pid > 0 && read(done[0], &ch, 1) == 1)
		*low = free_pages();
	close(done[0]);
	close(go[1]);
	if (pid < 0 || wait(&status) != pid)
		return -1000;
	return status;
}

/* After the storms: a fork whose child writes some shared pages still works. */
static int fork_still_works(char *region)
{
	int pid = fork(), status = -1000;
	long pg;

	if (pid == 0) {
		for (pg = 0; pg < 64; pg++)
			region[pg * PGSIZE + 8] ^= 1;
		exit(0);
	}
	if (pid < 0 || wait(&status) != pid)
		return -1000;
	return status;
}

int main(void)
{
	struct storm s;
	int all_forked = 1, all_killed = 1, all_finished = 1, intact = 1;
	int i, other = 0, settled = 1, status;
	long baseline, npages, before = 0, after, low;
	char *region;

	tap_plan(12);
	baseline = free_pages();
	npages = baseline / 6;
	region = sbrk((int)(npages * PGSIZE));
	if (region == SBRK_ERROR) {
		printf("Bail out! sbrk of %ld pages failed\n", npages);
		exit(1);
	}
	words_fill(region, npages * PGSIZE, SEED_PARENT);

	for (i = 0; i < STORMS; i++) {
		int t0 = uptime();
		after = storm(region, npages, &s, &before);
		diag("storm %d: %d children, %d killed (%d in read()), "
		     "%d finished, %d other; free %ld -> %ld (%d ticks)",
		     i + 1, s.forked, s.killed, s.killed_in_read, s.finished,
		     s.other, before, after, uptime() - t0);
		all_forked &= s.forked == CHILDREN;
		all_killed &= s.killed >= 1;
		all_finished &= s.finished >= 1;
		other += s.other;
		intact &= words_bad(region, npages * PGSIZE, SEED_PARENT) == 0;
		settled &= after == before;
	}

	ok(all_forked, "each storm forked %d children sharing %ld pages",
	   CHILDREN, npages);
	ok(all_killed,
	   "each storm ran out of memory and killed some children with -1");
	ok(all_finished, "each storm let some children finish their copies");
	ok(other == 0,
	   "every child either was killed or had correct copies (%d others)",
	   other);
	ok(intact, "the parent's memory is intact after every storm");
	ok(settled, "after every storm all pages are free again");
	before = free_pages();
	status = exhausted_forks(&low);
	after = settle(before);
	ok(low >= 0 && low <= 8, "a hog took all memory (%ld pages left)", low);
	ok(status == HOG_FORKS,
	   "its forks with no memory left all failed cleanly (%d of %d)",
	   status, HOG_FORKS);
	ok(after == before,
	   "all pages are back after the hog (%ld, %ld before)", after, before);
	status = fork_still_works(region);
	ok(status == 0,
	   "fork and COW copies still work after the storms (status %d)",
	   status);
	ok(words_bad(region, npages * PGSIZE, SEED_PARENT) == 0,
	   "the parent's memory is intact at the end");

	sbrk((int)-(npages * PGSIZE));
	check_no_leak(baseline, "cowoom");
	tap_done();
	return 0;
}
