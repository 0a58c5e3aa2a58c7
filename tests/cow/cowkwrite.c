/*
 * cowkwrite: the kernel's own writes into copy-on-write memory.
 *
 * When a system call stores into user memory (read() from a file or a
 * pipe, the status of wait(), the descriptors of pipe()), the page may
 * still be shared with another process. The kernel must break COW there
 * exactly as a user store would, so a read() by the child is never visible
 * to the parent and the other way round.
 *
 * Each buffer is a static, page-aligned array that the parent writes before
 * forking, so it is present and shared (not zero-filled on demand) when the
 * kernel writes it. Reads land at offset OFF and span three pages. Children
 * report their findings in exit status bits; parent and child take turns
 * through the sync pipes, so each check sees a settled state.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define FILE_NAME "cowkwrite.dat"
#define OFF	  104	       /* reads start inside the first page */
#define LEN	  (2 * PGSIZE) /* and end inside the third */
#define BUFSZ	  (3 * PGSIZE)
#define WAIT_ORIG 12345 /* the value in the wait-status page before fork */

enum kind { ORIG, FILE_DATA, PIPE_DATA };

static char buf[BUFSZ] __attribute__((aligned(PGSIZE)));
static char src[LEN];
static int wait_page[PGSIZE / sizeof(int)] __attribute__((aligned(PGSIZE)));
static int fd_page[PGSIZE / sizeof(int)] __attribute__((aligned(PGSIZE)));
static int p2c[2], c2p[2], data[2];

/* words_fill() seeds: ORIG fills buf; the others are what a read brings. */
static uint64 seed_of(enum kind k)
{
	return k == FILE_DATA	? 0xf11ef11e00000000UL
	       : k == PIPE_DATA ? 0x919e919e00000000UL
				: 0x0419041900000000UL;
}

static void fill_orig(void)
{
	words_fill(buf, BUFSZ, seed_of(ORIG));
}

/*
 * Puts into src what words_fill(seed_of(k)) would put at buf + OFF, the
 * place a read of it lands, so that the shared words_bad() checks it there.
 */
static void make_src(enum kind k)
{
	words_fill(buf + OFF, LEN, seed_of(k));
	memcpy(src, buf + OFF, LEN);
	fill_orig();
}

/* True when buf holds ORIG outside [OFF, OFF+LEN) and pattern k inside it. */
static int buf_holds(enum kind k)
{
	return words_bad(buf, OFF, seed_of(ORIG)) == 0 &&
	       words_bad(buf + OFF, LEN, seed_of(k)) == 0 &&
	       words_bad(buf + OFF + LEN, BUFSZ - OFF - LEN, seed_of(ORIG)) ==
		   0;
}

/* Reads exactly n bytes (pipes deliver in pieces); returns the count read. */
static int read_full(int fd, char *dst, int n)
{
	int got = 0, r;

	while (got < n && (r = read(fd, dst + got, n - got)) > 0)
		got += r;
	return got;
}

/* read() of the data file into buf + OFF; returns what read() returned. */
static int read_file(void)
{
	int fd = open(FILE_NAME, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf + OFF, LEN);
	close(fd);
	return n;
}

/* Collects pid's exit status, -1000 on failure. */
static int reap(int pid)
{
	int status = -1000;

	if (pid < 0 || wait(&status) != pid)
		return -1000;
	return status;
}

/*
 * First the child reads the file into the shared buffer, then the parent
 * reads the pipe.
 */
static void child_reads_first(void)
{
	int pid, n, status, parent_unchanged, parent_got_pipe;

	fill_orig();
	pid = fork();
	if (pid == 0) {
		int bad = 0;
		if (read_file() != LEN || !buf_holds(FILE_DATA))
			bad |= 1;
		sync_send(c2p[1]);
		write(data[1], src, LEN);
		sync_await(p2c[0]);
		if (!buf_holds(FILE_DATA))
			bad |= 2;
		exit(bad);
	}
	sync_await(c2p[0]);
	parent_unchanged = buf_holds(ORIG);
	n = read_full(data[0], buf + OFF, LEN);
	parent_got_pipe = n == LEN && buf_holds(PIPE_DATA);
	sync_send(p2c[1]);
	status = reap(pid);

	ok(status >= 0 && !(status & 1),
	   "a child's read() of a file into a COW buffer gets the file");
	ok(parent_unchanged,
	   "the parent's buffer does not see the child's read()");
	ok(parent_got_pipe,
	   "the parent's read() of a pipe into the buffer gets the pipe data");
	ok(status >= 0 && !(status & 2),
	   "the child's buffer does not see the parent's read()");
}

/*
 * First the parent reads the file while the child still shares the buffer
 * (the kernel must copy), then the child reads a pipe into its copy.
 */
static void parent_reads_first(void)
{
	struct memstat ms0, ms1;
	int pid, n, status, fd, parent_got_file, parent_unchanged;

	fill_orig();
	pid = fork();
	if (pid == 0) {
		int bad = 0;
		sync_send(c2p[1]);
		sync_await(p2c[0]);
		if (!buf_holds(ORIG))
			bad |= 1;
		if (read_full(data[0], buf + OFF, LEN) != LEN ||
		    !buf_holds(PIPE_DATA))
			bad |= 2;
		sync_send(c2p[1]);
		exit(bad);
	}
	sync_await(c2p[0]);
	fd = open(FILE_NAME, O_RDONLY);
	memstat(&ms0);
	n = read(fd, buf + OFF, LEN);
	memstat(&ms1);
	close(fd);
	parent_got_file = n == LEN && buf_holds(FILE_DATA);
	sync_send(p2c[1]);
	write(data[1], src, LEN);
	sync_await(c2p[0]);
	parent_unchanged = buf_holds(FILE_DATA);
	status = reap(pid);

	ok(parent_got_file,
	   "the parent's read() of a file into a shared buffer gets the file");
	ok(pages_copied(&ms1) - pages_copied(&ms0) == 3,
	   "the kernel broke COW on the 3 pages read() wrote (%ld copies)",
	   (long)(pages_copied(&ms1) - pages_copied(&ms0)));
	ok(status >= 0 && !(status & 1),
	   "the child's buffer does not see the parent's read()");
	ok(status >= 0 && !(status & 2),
	   "the child's read() of a pipe into its buffer works");
	ok(parent_unchanged,
	   "the parent's buffer does not see the child's read()");
}

/* wait() storing the status into a page shared with a sibling and a child. */
static void wait_status(void)
{
	int sibling, quick, middle, got, st_middle, st_sibling;

	wait_page[0] = WAIT_ORIG;
	sibling = fork();
	if (sibling == 0) {
		sync_await(p2c[0]);
		exit(wait_page[0] == WAIT_ORIG ? 0 : 1);
	}
	quick = fork();
	if (quick == 0)
		exit(7);
	got = wait(&wait_page[0]);
	ok(got == quick && wait_page[0] == 7,
	   "wait() stores the status into a COW page (pid %d of %d, status %d)",
	   got, quick, wait_page[0]);

	middle = fork();
	if (middle == 0) {
		int grandchild = fork();
		if (grandchild == 0)
			exit(9);
		if (wait(&wait_page[0]) != grandchild)
			exit(2);
		exit(wait_page[0] == 9 ? 0 : 1);
	}
	st_middle = reap(middle);
	ok(st_middle == 0 && wait_page[0] == 7,
	   "a child's wait() into that page gets its own child's status "
	   "(status %d; the parent's word is %d)",
	   st_middle, wait_page[0]);

	sync_send(p2c[1]);
	st_sibling = reap(sibling);
	ok(st_sibling == 0,
	   "a sibling sharing it still sees the old value (%d)", st_sibling);
}

/* True when the pipe whose fds are in fds carries a byte. */
static int pipe_works(int *fds)
{
	char c = 0;

	return write(fds[1], "z", 1) == 1 && read(fds[0], &c, 1) == 1 &&
	       c == 'z';
}

/* pipe() storing its fds into a shared page, in a child and in the parent. */
static void pipe_fds(void)
{
	int pid, status, parent_unchanged, parent_ok;

	fd_page[0] = fd_page[1] = -7;
	pid = fork();
	if (pid == 0) {
		int bad = 0, mine0, mine1;
		dup(0); /* shift the child's numbers away from the parent's */
		dup(0);
		if (pipe(fd_page) < 0 || fd_page[0] < 0 || !pipe_works(fd_page))
			bad |= 1;
		mine0 = fd_page[0];
		mine1 = fd_page[1];
		sync_send(c2p[1]);
		sync_await(p2c[0]);
		if (fd_page[0] != mine0 || fd_page[1] != mine1)
			bad |= 2;
		exit(bad);
	}
	sync_await(c2p[0]);
	parent_unchanged = fd_page[0] == -7 && fd_page[1] == -7;
	parent_ok =
	    pipe(fd_page) == 0 && fd_page[0] >= 0 && pipe_works(fd_page);
	sync_send(p2c[1]);
	status = reap(pid);
	close(fd_page[0]);
	close(fd_page[1]);

	ok(status >= 0 && !(status & 1),
	   "a child's pipe() stores its fds into COW memory");
	ok(parent_unchanged, "the parent's copy of the fd array is unchanged");
	ok(parent_ok, "the parent's pipe() into the still shared array works");
	ok(status >= 0 && !(status & 2),
	   "the child's copy keeps the child's fds");
}

/*
 * Writes the data file (FILE_DATA), leaves PIPE_DATA in src and makes the
 * sync pipes. Returns 0 on success.
 */
static int setup(void)
{
	int fd, i;

	make_src(FILE_DATA);
	fd = open(FILE_NAME, O_CREATE | O_RDWR);
	if (fd < 0 || write(fd, src, LEN) != LEN)
		return -1;
	close(fd);
	make_src(PIPE_DATA); /* and buf holds ORIG again */
	for (i = 0; i < (int)(PGSIZE / sizeof(int)); i++)
		wait_page[i] = fd_page[i] = 0;
	return pipe(p2c) < 0 || pipe(c2p) < 0 || pipe(data) < 0 ? -1 : 0;
}

int main(void)
{
	long baseline;

	tap_plan(17);
	if (setup() < 0) {
		printf("Bail out! cannot create %s or the pipes\n", FILE_NAME);
		exit(1);
	}
	baseline = free_pages();
	child_reads_first();
	parent_reads_first();
	wait_status();
	pipe_fds();
	check_no_leak(baseline, "cowkwrite");
	unlink(FILE_NAME);
	tap_done();
	return 0;
}
