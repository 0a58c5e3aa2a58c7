/*
 * mmapfile: file mappings over the page cache.
 *
 *   lazy:     a write() between mmap and the first touch shows through it;
 *   private:  stores (parent's and child's) stay private, the file never
 *             changes, and they are COW copies (memstat);
 *   shared:   a store shows in read() at once, a write() in the mapping;
 *             the bytes reach the disk after munmap, after exit and after
 *             msync (read back once the cache has let the file go);
 *   rules:    a read-only fd maps shared read-only and private writable,
 *             never shared writable, and mprotect cannot add write to it;
 *             the mapping survives close(); a directory, a pipe, the
 *             console or a closed fd cannot be mapped;
 *   EOF:      bytes past end of file in the last page read as zeros, a
 *             page wholly beyond it kills, also after O_TRUNC; an unlinked
 *             file's mapping keeps working;
 *   read():   read() of a file into a mapping of the same file works;
 *   OOM:      a file fault with no memory left kills only that process.
 *
 * The free page count is checked around every part, page-cache pages
 * included (every file is closed, unmapped and removed by then).
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG    4096L
#define FSIZE (2 * PG + PG / 2) /* two and a half pages */
#define FAIL  ((char *)-1)

static struct memstat ms_now(void)
{
	struct memstat ms;

	memstat(&ms);
	return ms;
}

/* The byte at offset i of a file made by make_file(seed). */
static char pat(long i, int seed)
{
	return (char)('a' + (i * 7 + seed) % 26);
}

static void make_file(const char *name, int seed)
{
	static char buf[FSIZE];
	int fd = open(name, O_CREATE | O_TRUNC | O_RDWR);
	long i;

	for (i = 0; i < FSIZE; i++)
		buf[i] = pat(i, seed);
	if (fd < 0 || write(fd, buf, FSIZE) != FSIZE) {
		printf("Bail out! cannot write %s\n", name);
		exit(1);
	}
	close(fd);
}

/* Bytes of the file name at [off, off+n) that differ from pattern seed
 * (with 'changed' bytes from off2 expected as c instead). */
static long file_bad(const char *name, int seed, long off2, long n2, char c)
{
	static char buf[FSIZE];
	int fd = open(name, O_RDONLY);
	long i, bad = 0;

	if (fd < 0 || read(fd, buf, FSIZE) != FSIZE)
		return -1;
	close(fd);
	for (i = 0; i < FSIZE; i++) {
		char want = (i >= off2 && i < off2 + n2) ? c : pat(i, seed);
		if (buf[i] != want)
			bad++;
	}
	return bad;
}

static char *map_file(const char *name, int omode, int prot, int flags,
		      int *fdp)
{
	int fd = open(name, omode);
	char *p;

	if (fd < 0) {
		printf("Bail out! open %s\n", name);
		exit(1);
	}
	p = mmap(0, 4 * PG, prot, flags, fd, 0);
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return p;
}

static void load_child(unsigned long addr)
{
	(void)*(volatile char *)addr;
}

static void store_child(unsigned long addr)
{
	*(volatile char *)addr = 'Z';
}

static void test_lazy_and_coherence(void)
{
	long before = free_pages();
	int fd, i, zeros = 1;
	char *p =
	    map_file("mf", O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
	char buf[8];

	ok(p != FAIL, "mmap a file shared");
	write(fd, "WXYZ", 4); /* offset 0, before the first touch */
	ok(p[0] == 'W' && p[3] == 'Z',
	   "a write() before the first touch shows");
	p[10] = '!';
	ok(kcheck() == 0, "kcheck: a shared file page, writable, two owners");
	close(fd);
	fd = open("mf", O_RDONLY);
	read(fd, buf, 8);
	read(fd, buf, 4);
	ok(buf[2] == '!', "a store shows in read() at once");
	close(fd);
	fd = open("mf", O_RDWR);
	write(fd, "0123456789ab", 12);
	ok(p[11] == 'b', "a write() shows in the mapping at once");
	close(fd);
	for (i = FSIZE; i < 3 * PG; i++)
		if (p[i] != 0)
			zeros = 0;
	ok(zeros, "the bytes past end of file read as zeros");
	ok(run_in_child(load_child, (unsigned long)(p + 3 * PG)) == -1,
	   "a load wholly beyond end of file kills");
	ok(munmap(p, 4 * PG) == 0, "munmap");
	ok(file_bad("mf", 1, 0, 12, 0) == 12, "the file holds the write()s");
	check_no_leak(before, "coherence");
}

static void test_private(void)
{
	long before = free_pages();
	unsigned long copies;
	char *p;

	make_file("mf", 1);
	copies = ms_now().cow_copy_faults;
	p = map_file("mf", O_RDWR, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	int status = -1;

	ok(p != FAIL && p[1] == pat(1, 1), "a private mapping reads the file");
	ok(kcheck() == 0,
	   "kcheck: page-cache pages count the cache's reference");
	if (fork() == 0) {
		p[PG] = 'c';
		exit(p[PG] == 'c' ? 0 : 1);
	}
	wait(&status);
	p[0] = '#';
	ok(p[2 * PG + 1] == pat(2 * PG + 1, 1), "a load maps the cache page");
	p[2 * PG] = '#'; /* a store to the same page must copy it */
	ok(status == 0 && p[PG] == pat(PG, 1),
	   "the child's store stays in the child");
	ok(file_bad("mf", 1, -1, 0, 0) == 0, "the file never changes");
	ok(ms_now().cow_copy_faults - copies >= 3,
	   "stores were COW copies (%lu)", ms_now().cow_copy_faults - copies);
	munmap(p, 4 * PG);
	ok(file_bad("mf", 1, -1, 0, 0) == 0, "nor after munmap");
	check_no_leak(before, "file private");
}

/* Maps mf shared, stores 'M' at [off, off+n), and leaves by how; returns
 * the mapping. */
static char *shared_store(int how, long off, long n)
{
	char *p = map_file("mf", O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	long i;

	for (i = off; i < off + n; i++)
		p[i] = 'M';
	if (how == 0)
		munmap(p, 4 * PG);
	else if (how == 2)
		msync(p, 4 * PG, MS_SYNC);
	/* how 1: exit with it mapped */
	return p;
}

static void test_writeback(void)
{
	long before = free_pages();
	unsigned long wb = ms_now().writebacks;
	int status = -1;

	make_file("mf", 2);
	shared_store(0, 100, 5000);
	ok(file_bad("mf", 2, 100, 5000, 'M') == 0,
	   "stores reach the disk after munmap");
	ok(ms_now().writebacks > wb, "writebacks counted");
	make_file("mf", 3);
	if (fork() == 0) {
		shared_store(1, PG * 2, 100);
		exit(0);
	}
	wait(&status);
	ok(file_bad("mf", 3, 2 * PG, 100, 'M') == 0,
	   "stores reach the disk after exit");
	make_file("mf", 4);
	wb = ms_now().writebacks;
	munmap(shared_store(2, 0, 10), 4 * PG);
	ok(ms_now().writebacks > wb, "msync writes back");
	check_no_leak(before, "writeback");
}

static void test_rules(void)
{
	long before = free_pages();
	int fd, pfd[2];
	char *p;

	make_file("mf", 5);
	p = map_file("mf", O_RDONLY, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ok(p == FAIL, "read-only fd: shared writable fails");
	p = map_file("mf", O_RDONLY, PROT_READ, MAP_SHARED, 0);
	ok(p != FAIL && mprotect(p, PG, PROT_READ | PROT_WRITE) == -1,
	   "read-only fd: mprotect cannot add write to a shared mapping");
	ok(p[0] == pat(0, 5), "the mapping survives close()");
	munmap(p, 4 * PG);
	p = map_file("mf", O_RDONLY, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ok(p != FAIL, "read-only fd: private writable works");
	p[0] = 'q';
	munmap(p, 4 * PG);
	ok(file_bad("mf", 5, -1, 0, 0) == 0, "and its stores stay private");
	fd = open("mf", O_WRONLY);
	ok(mmap(0, PG, PROT_READ, MAP_SHARED, fd, 0) == FAIL,
	   "write-only fd fails");
	close(fd);
	ok(mmap(0, PG, PROT_READ, MAP_SHARED, fd, 0) == FAIL,
	   "closed fd fails");
	fd = open(".", O_RDONLY);
	ok(mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, 0) == FAIL,
	   "directory fails");
	close(fd);
	pipe(pfd);
	ok(mmap(0, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0) == FAIL,
	   "pipe fails");
	close(pfd[0]);
	close(pfd[1]);
	ok(mmap(0, PG, PROT_READ, MAP_PRIVATE, 1, 0) == FAIL, "console fails");
	fd = open("mf", O_RDWR);
	ok(mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, 1000) == FAIL,
	   "unaligned offset fails");
	p = mmap(0, PG, PROT_READ, MAP_SHARED, fd, PG);
	ok(p != FAIL && p[0] == pat(PG, 5), "an offset maps from there");
	munmap(p, PG);
	close(fd);
	check_no_leak(before, "rules");
}

static void test_eof(void)
{
	long before = free_pages();
	int fd;
	char *p, *q;

	make_file("mf", 6);
	p = map_file("mf", O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	q = map_file("mf", O_RDONLY, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	(void)*(volatile char *)p; /* the cache page, mapped */
	q[0] = 'x';		   /* a private copy */
	fd = open("mf", O_RDWR | O_TRUNC);
	close(fd);
	ok(run_in_child(load_child, (unsigned long)(p + PG)) == -1,
	   "after O_TRUNC, a load of an untouched page kills");
	ok(run_in_child(load_child, (unsigned long)p) == -1,
	   "so does a load of a page mapped before");
	ok(run_in_child(load_child, (unsigned long)q) == -1,
	   "and of a private copy (as on Linux)");
	ok(run_in_child(store_child, (unsigned long)(q + 2 * PG)) == -1,
	   "so does a store into a private mapping");
	munmap(p, 4 * PG);
	munmap(q, 4 * PG);
	make_file("mf", 7);
	p = map_file("mf", O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	unlink("mf");
	p[PG] = 'u';
	ok(p[0] == pat(0, 7) && p[PG] == 'u',
	   "an unlinked file's mapping works");
	munmap(p, 4 * PG);
	ok(open("mf", O_RDONLY) < 0, "and the file is gone");
	check_no_leak(before, "end of file");
}

static void test_read_into_self(void)
{
	long before = free_pages();
	int fd;
	char *p;

	make_file("mf", 8);
	fd = open("mf", O_RDWR);
	p = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* File bytes [PG, 2 PG) into the untouched mapping of [0, PG). */
	read(fd, p, PG); /* moves the offset to PG */
	ok(read(fd, p, PG) == PG && p[0] == pat(PG, 8),
	   "read() of a file into its own mapping");
	ok(write(fd, p + 2 * PG, 16) == 16, "write() from its own mapping");
	{
		struct stat *st = (struct stat *)(p + PG + 96);

		/* fstat() copies out without faulting the page in first: the
		 * fault handler reads the page in from inside the copy. */
		ok(fstat(fd, st) == 0 && st->size == FSIZE &&
		       p[PG + 95] == pat(PG + 95, 8),
		   "fstat() into an untouched file page");
	}
	munmap(p, 4 * PG);
	close(fd);
	unlink("mf");
	check_no_leak(before, "read into own mapping");
}

static void oom_child(unsigned long unused)
{
	char *p = map_file("mo", O_RDONLY, PROT_READ, MAP_PRIVATE, 0);

	while (sbrk(64 * PG) != (char *)-1)
		;
	while (sbrk(PG) != (char *)-1)
		;
	(void)*(volatile char *)(p + PG); /* no page left for the cache */
	exit(0);
}

static void test_oom(void)
{
	long before = free_pages();
	int status;

	make_file("mo", 9);
	status = run_in_child(oom_child, 0);
	ok(status == -1, "a file fault out of memory kills the faulting child");
	ok(file_bad("mo", 9, -1, 0, 0) == 0, "the file is intact");
	unlink("mo");
	check_no_leak(before, "file fault OOM");
}

/* li a0, 42; ret */
static const unsigned int code42[2] = {0x02a00513, 0x00008067};

/* A file mapped PROT_EXEC runs: the fault fills the page, then fetches. */
static void test_exec(void)
{
	long before = free_pages();
	int fd = open("mx", O_CREATE | O_TRUNC | O_RDWR);
	int (*fn)(void);
	char *p;

	write(fd, code42, sizeof(code42));
	p = mmap(0, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	fn = (int (*)(void))p;
	ok(p != FAIL && fn() == 42, "code in a file mapped PROT_EXEC runs");
	ok(mmap(0, PG, PROT_WRITE | PROT_EXEC, MAP_PRIVATE, 0, 0) == FAIL,
	   "but never writable and executable");
	munmap(p, PG);
	unlink("mx");
	check_no_leak(before, "exec mapping");
}

static void hog_child(unsigned long unused)
{
	while (sbrk(64 * PG) != (char *)-1)
		;
	while (sbrk(PG) != (char *)-1)
		;
	exit(ms_now().cache_pages == 0 ? 0 : 1);
}

/* Cached pages nothing maps go when memory runs out; mapped ones stay. */
static void test_reclaim(void)
{
	long before = free_pages();
	int fd, i, st;
	char *p, *q;

	make_file("mr", 10);
	make_file("mq", 11);
	fd = open("mr", O_RDONLY); /* keeps the inode, and so its cache */
	p = mmap(0, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	q = map_file("mq", O_RDONLY, PROT_READ, MAP_SHARED, 0);
	for (i = 0; i < 3; i++)
		(void)*(volatile char *)(p + i * PG);
	(void)*(volatile char *)q;
	munmap(p, 3 * PG);
	ok(ms_now().cache_pages == 4,
	   "three unmapped cached pages, one mapped (%lu)",
	   ms_now().cache_pages);
	st = run_in_child(hog_child, 0);
	ok(st == 1 && ms_now().cache_pages == 1,
	   "a memory hog reclaimed the unmapped ones only (%d, %lu)", st,
	   ms_now().cache_pages);
	ok(q[0] == pat(0, 11), "the mapped page is intact");
	munmap(q, 4 * PG);
	close(fd);
	unlink("mr");
	unlink("mq");
	check_no_leak(before, "reclaim");
}

int main(void)
{
	long before = free_pages();

	tap_plan(59);
	make_file("mf", 1);
	test_lazy_and_coherence();
	test_private();
	test_writeback();
	test_rules();
	test_eof();
	test_read_into_self();
	test_oom();
	test_reclaim();
	test_exec();
	ok(ms_now().cache_pages == 0, "the page cache is empty at the end");
	check_no_leak(before, "mmapfile");
	tap_done();
	return 0;
}
