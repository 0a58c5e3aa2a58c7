/*
 * badargtest: every system call that takes a pointer or a length, called
 * with bad ones: page 0, unmapped user addresses, kernel addresses, the
 * top of user space, non-canonical addresses, 0xffffffffffffffff, and huge
 * or negative lengths. Each call must fail with -1 (or, for a read/write
 * with nothing done, 0) and the process must survive; the kernel must not
 * panic. Unknown system call numbers return -1 too.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/syscall.h"
#include "user/user.h"
#include "tap.h"

static const unsigned long bad_addrs[] = {
	0x0UL,                /* page 0 */
	0x800UL,              /* still page 0 */
	0x10000000UL,         /* unmapped user memory */
	0x80000000UL,         /* unmapped (xv6's KERNBASE) */
	0x3fffffe000UL,       /* the first address past user space */
	0x3ffffff000UL,
	0x4000000000UL,       /* MAXVA: not canonical in Sv39 */
	0x8000000000UL,
	0xffffffc000000000UL, /* the kernel half */
	0xffffffff80000000UL,
	0xfffffffffffff000UL,
	0xffffffffffffffffUL,
};
#define NBAD (sizeof(bad_addrs) / sizeof(bad_addrs[0]))

static char buf[PGSIZE];
static struct procinfo procs[NPROC];

/* An ecall with a number the kernel does not know. */
static long raw_syscall(long number, long a0)
{
	register long a7 __asm__("a7") = number;
	register long r __asm__("a0") = a0;

	__asm__ volatile("ecall" : "+r"(r) : "r"(a7) : "memory");
	return r;
}

/* Calls that read a buffer from user memory: write to a file, a pipe and the console. */
static void test_write_from_bad(void)
{
	int fd, p[2], good = 1, n;
	unsigned int i;

	fd = open("badarg.tmp", O_CREATE | O_RDWR | O_TRUNC);
	pipe(p);
	for (i = 0; i < NBAD; i++) {
		n = write(fd, (void *)bad_addrs[i], 100);
		if (n != -1) {
			diag("write(file, %p) returned %d", (void *)bad_addrs[i], n);
			good = 0;
		}
		n = write(p[1], (void *)bad_addrs[i], 100);
		if (n > 0) {
			diag("write(pipe, %p) returned %d", (void *)bad_addrs[i], n);
			good = 0;
		}
		n = write(1, (void *)bad_addrs[i], 100);
		if (n > 0) {
			diag("write(console, %p) returned %d", (void *)bad_addrs[i], n);
			good = 0;
		}
	}
	ok(good, "write() from bad buffers fails (file, pipe, console)");
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* Calls that write into user memory: read from a file and a pipe, fstat, pipe, wait. */
static void test_read_into_bad(void)
{
	int fd, p[2], good = 1, n, pid;
	unsigned int i;

	fd = open("badarg.tmp", O_CREATE | O_RDWR | O_TRUNC);
	write(fd, buf, sizeof(buf));
	for (i = 0; i < NBAD; i++) {
		close(fd);
		fd = open("badarg.tmp", O_RDONLY);
		n = read(fd, (void *)bad_addrs[i], 100);
		if (n > 0) {
			diag("read(file, %p) returned %d", (void *)bad_addrs[i], n);
			good = 0;
		}
		/* A fresh pipe each time: a failed read may or may not consume the byte. */
		pipe(p);
		write(p[1], "x", 1);
		n = read(p[0], (void *)bad_addrs[i], 1);
		if (n > 0) {
			diag("read(pipe, %p) returned %d", (void *)bad_addrs[i], n);
			good = 0;
		}
		close(p[0]);
		close(p[1]);
		if (fstat(fd, (struct stat *)bad_addrs[i]) != -1) {
			diag("fstat(%p) did not fail", (void *)bad_addrs[i]);
			good = 0;
		}
		if (pipe((int *)bad_addrs[i]) != -1) {
			diag("pipe(%p) did not fail", (void *)bad_addrs[i]);
			good = 0;
		}
	}
	ok(good, "read(), fstat() and pipe() into bad buffers fail");
	close(fd);

	good = 1;
	for (i = 0; i < NBAD; i++) {
		pid = fork();
		if (pid == 0)
			exit(3);
		n = wait((int *)bad_addrs[i]);
		if (n != -1 && n != pid) {
			good = 0;
		}
		if (n == -1)
			wait(0); /* the child is still there to reap */
	}
	ok(good && wait(0) == -1, "wait() with a bad status pointer fails or reaps cleanly");
}

/* Calls that take a path: every one must reject bad string pointers. */
static void test_bad_paths(void)
{
	static char *argv[] = { "echo", 0 };
	int good = 1;
	unsigned int i;
	unsigned long a;

	for (i = 0; i < NBAD; i++) {
		a = bad_addrs[i];
		if (open((char *)a, O_RDONLY) != -1 || open((char *)a, O_CREATE | O_RDWR) != -1 ||
		    mkdir((char *)a) != -1 || chdir((char *)a) != -1 || unlink((char *)a) != -1 ||
		    link((char *)a, "x") != -1 || link("README", (char *)a) != -1 ||
		    mknod((char *)a, 1, 0) != -1 || exec((char *)a, argv) != -1) {
			diag("a path call accepted %p", (void *)a);
			good = 0;
		}
	}
	ok(good, "open/mkdir/chdir/unlink/link/mknod/exec reject bad path pointers");
}

/* A path that runs off the end of the heap into unmapped memory. */
static void test_unterminated_path(void)
{
	char *top, *s;

	top = sbrk(0);
	top = (char *)PGROUNDUP((uint64)top);
	sbrk(top - (char *)sbrk(0));
	s = top - 8;
	memset(s, 'a', 8); /* no NUL before the unmapped page */
	ok(open(s, O_CREATE | O_RDWR) == -1 && unlink(s) == -1 && mkdir(s) == -1,
	   "a path running into unmapped memory is rejected");

	memset(buf, 'x', sizeof(buf));
	buf[MAXPATH] = '\0';
	ok(open(buf, O_CREATE | O_RDWR) == -1, "a path of MAXPATH bytes without NUL is rejected");
}

/* Huge, negative and overflowing lengths. */
static void test_lengths(void)
{
	int fd, p[2], n;
	char *end;

	fd = open("README", O_RDONLY);
	end = (char *)sbrk(0) - 16; /* 16 valid bytes, then the end of the heap */
	n = read(fd, end, 0x7fffffff);
	ok(n < 0 || n <= 16, "read() with a huge length stops at the end of memory (%d)", n);
	close(fd);

	fd = open("README", O_RDONLY);
	n = read(fd, buf, -1);
	ok(n <= 0 || n <= (int)sizeof(buf), "read() with length -1 does not overrun (%d)", n);
	close(fd);

	fd = open("badarg.tmp", O_CREATE | O_RDWR | O_TRUNC);
	ok(write(fd, buf, -5) <= 0, "write() with a negative length writes nothing");
	n = write(fd, (void *)(0x3fffffe000UL - 16), 0x7fffffff);
	ok(n < 0, "write() from a range crossing the user limit fails");
	close(fd);

	pipe(p);
	n = write(p[1], (void *)0xfffffffffffffff0UL, 0x100);
	ok(n <= 0, "write() from a range that wraps around fails");
	close(p[0]);
	close(p[1]);
	unlink("badarg.tmp");
}

/* calf's own calls and unknown numbers. */
static void test_calf_calls(void)
{
	int good = 1, n;
	unsigned int i;

	for (i = 0; i < NBAD; i++) {
		if (memstat((struct memstat *)bad_addrs[i]) != -1 ||
		    procinfo((struct procinfo *)bad_addrs[i], 4) != -1 ||
		    kcmdline((char *)bad_addrs[i], 64) != -1) {
			diag("a calf call accepted %p", (void *)bad_addrs[i]);
			good = 0;
		}
	}
	ok(good, "memstat/procinfo/kcmdline reject bad buffers");
	ok(procinfo(procs, -1) <= 0 && procinfo(procs, 0) <= 0,
	   "procinfo with a count of 0 or -1 copies nothing");
	ok(procinfo((struct procinfo *)(0x3fffffe000UL - sizeof(struct procinfo)), NPROC) == -1,
	   "procinfo into a buffer running past the user limit fails");
	buf[0] = 'q';
	n = kcmdline(buf, 0);
	ok(n == -1 && buf[0] == 'q', "kcmdline refuses a buffer of size 0");
	n = kcmdline(buf, sizeof(buf));
	ok(n >= 0 && n == (int)strlen(buf), "kcmdline fills a big buffer and returns its length");
	ok(raw_syscall(999, 0) == -1 && raw_syscall(-1, 0) == -1 && raw_syscall(0, 0) == -1,
	   "unknown system call numbers return -1");
	ok(pause(-1) <= 0 && dup(-1) == -1 && dup(1000) == -1 && close(-1) == -1 &&
	   close(NOFILE) == -1 && read(NOFILE + 5, buf, 1) == -1,
	   "bad file descriptors and negative ticks are refused");
}

int main(void)
{
	long before;

	tap_plan(20);
	before = free_pages();
	test_write_from_bad();
	test_read_into_bad();
	test_bad_paths();
	test_unterminated_path();
	test_lengths();
	test_calf_calls();
	ok(getpid() > 0, "the process survived every bad call");
	check_no_leak(before, "badargtest");
	tap_done();
	return 0;
}
