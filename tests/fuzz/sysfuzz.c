/*
 * sysfuzz SEED N: about N random system calls with hostile arguments.
 *
 * The calls run in batches. Each batch gets a directory of its own
 * (/sfz/bK) and BATCH_CHILDREN forked children that run concurrently, each
 * making CHILD_CALLS calls chosen by a generator seeded from (SEED, batch,
 * child): every number in include/uapi/syscall.h plus unknown ones, with
 * kernel, linear-map, guard-page, unmapped and top-of-user-space addresses,
 * strings running into unmapped memory, misaligned and huge lengths,
 * negative, closed and out-of-range fds, huge and negative sbrk in both
 * modes, exec of ELF files it writes with broken headers, kill of random
 * pids (its own included), pipe/dup storms, deep directory churn, and
 * mmap/munmap/mprotect/msync/vmainfo with any address, length,
 * protection, flags, descriptor and offset (mappings that work are
 * touched, MAP_FIXED lands on its own text and stack too), and threads:
 * thread_create with good and hostile entries and stacks (a thread makes
 * calls of its own, then ends one of three ways), joins of good and bad
 * ids, thread_exit, gettid, futex_wait/futex_wake on good and hostile
 * words. The children close the console first, so nothing they do reaches the TAP
 * stream, and call through rawsys() so no C prototype filters an argument.
 *
 * A child that blocks for ever (reading its own empty pipe, pausing a long
 * time) is a legal program: a watchdog process kills whatever is still
 * running after WATCHDOG_TICKS. A kernel that hangs still hangs the test.
 *
 * After each batch the parent checks that the kernel is sane and prints
 * one TAP line: every process is gone and the free page count is back to
 * its baseline, kcheck() passes (when the kernel has it), the parent's own
 * text is unchanged, and it can still fork, exec, create, write, read and
 * unlink. It then removes the batch directory; the runner's fsck finds any
 * inode or block the batch leaked.
 *
 * The same program, run as "sysfuzz -exit S", exits with status S at once:
 * the parent's fork+exec check.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "../../include/uapi/mman.h"
#include "user/user.h"
#include "../user/tap.h"
#include "fuzz.h"

#define BATCH_CALLS    300 /* calls per batch, over all its children */
#define BATCH_CHILDREN 3   /* concurrent children per batch */
#define CHILD_CALLS    (BATCH_CALLS / BATCH_CHILDREN)
#define FORK_CALLS     12  /* calls a forked grandchild makes before exiting */
#define WATCHDOG_TICKS 500 /* 5 s: then whatever still runs is killed */
#define WATCHDOG_POLL  5   /* ticks between the watchdog's looks */
#define WATCHDOG_NAPS  12  /* looks a process may be seen asleep in a row */
#define SCRATCH	       8192
#define NKINDS	       46 /* kinds of step in fuzz_one() */
#define ELF_MAX	       4096
#define FUZZ_DIR       "/sfz"
#define HELPER_STATUS  7

/*
 * Threads: stacks for the threads a child starts (shared by whichever
 * threads get them: two on one stack crash, which only kills the child).
 */
#define THREAD_STACK  4096
#define THREAD_STACKS 4
static char thread_stacks[THREAD_STACKS][THREAD_STACK]
    __attribute__((aligned(16)));

/*
 * The generator of the running thread: one per thread stack, and one for
 * the process's own stack, so that threads of a child do not draw from one
 * shared stream in whatever order the harts interleave them; each thread
 * seeds its own from a number its creator drew, and a run stays the same
 * for a seed. A thread is told from the others by its stack pointer.
 */
typedef struct rng rng_t; /* "rng" below names the running generator */
static rng_t rngs[1 + THREAD_STACKS];

static struct rng *this_rng(void)
{
	uint64 sp;
	uint64 base = (uint64)thread_stacks;

	asm volatile("mv %0, sp" : "=r"(sp));
	if (sp > base && sp <= base + sizeof(thread_stacks))
		return &rngs[1 + (sp - base - 1) / THREAD_STACK];
	return &rngs[0];
}
#define rng (*this_rng())

static char scratch[SCRATCH]; /* buffers for calls; the kernel writes here */
static char strings[512];     /* path and argv strings */
static char elf[ELF_MAX];     /* the ELF file being built */
static uint64 argvbuf[MAXARG + 8];
static int parent_pid, watchdog_pid, depth;
static int tracing; /* "trace" argument: each child call on the console */

/*
 * What this process believes each descriptor is, from its own calls'
 * results: reads and writes on pipe ends (which block on an empty or full
 * pipe this process itself holds the other end of) are made only now and
 * then, so that children are not mostly asleep.
 */
enum { FD_NONE, FD_PIPE, FD_OTHER };
static char fdkind[NOFILE];

/* Addresses no user pointer may reach. */
static const uint64 hostile[] = {
    0x0UL,
    0x1UL,
    0xfffUL,
    0x80000000UL,   /* physical RAM, not mapped in user space */
    0x10000000UL,   /* the UART's physical address */
    0x3fffffd000UL, /* the last user page (unmapped here) */
    0x3fffffdff8UL, /* straddles USER_TOP */
    0x3fffffe000UL, /* USER_TOP: the trap frame */
    0x3ffffff000UL, /* the trampoline */
    0x4000000000UL, /* beyond Sv39 */
    0x8000000000UL,
    0x7fffffffffffffffUL,
    0x8000000000000000UL,
    0xffffffc000000000UL, /* the linear map */
    0xffffffc000001000UL,
    0xffffffc080000000UL,
    0xffffffd000000000UL,
    0xffffffff80000000UL, /* the kernel image */
    0xffffffff80001000UL,
    0xfffffffffffff000UL,
    0xffffffffffffffffUL,
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* ---- argument generators ---- */

static uint64 pick(const uint64 *v, int n)
{
	return v[rng_below(&rng, (uint64)n)];
}

/* The current break, read without changing anything. */
static uint64 brk_now(void)
{
	return (uint64)rawsys(SYS_sbrk, 0, SBRK_MODE_EAGER, 0, 0, 0, 0);
}

/* The unmapped page under this process's stack. */
static uint64 guard_page(void)
{
	uint64 sp = (uint64)&sp;

	return (sp & ~0xfffUL) - 0x1000;
}

/*
 * A pointer argument: mostly a valid buffer with room for len bytes,
 * otherwise one of the hostile kinds. Valid pointers stay inside scratch
 * so a kernel write cannot clobber the fuzzer's own state.
 */
static uint64 gen_ptr(uint64 len)
{
	uint64 room = len < SCRATCH ? SCRATCH - len : 0;

	switch (rng_below(&rng, 12)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return (uint64)scratch + rng_below(&rng, room + 1);
	case 4:
		return pick(hostile, NHOSTILE);
	case 5:
		return pick(hostile, NHOSTILE) + rng_below(&rng, 4096);
	case 6:
		return guard_page() + rng_below(&rng, 4096);
	case 7: /* straddling the break into unmapped space */
		return brk_now() - rng_below(&rng, 64);
	case 8: /* text: readable, never writable */
		return (uint64)gen_ptr - rng_below(&rng, 256);
	case 9: /* misaligned, inside scratch */
		return (uint64)scratch + 1 + 2 * rng_below(&rng, room / 2 + 1);
	case 10:
		return rng_next(&rng);
	default:
		return rng_next(&rng) & 0x3fffffffffUL;
	}
}

/* A length: small, page-sized, negative, huge or cut by int truncation. */
static uint64 gen_len(void)
{
	static const uint64 lens[] = {
	    0,
	    1,
	    2,
	    7,
	    64,
	    511,
	    4095,
	    4096,
	    4097,
	    8192,
	    65536,
	    0x7fffffffUL,
	    0x80000000UL,
	    0xffffffffUL,
	    0x100000005UL,
	    0xffffffffffffffffUL,
	    0xfffffffffffff000UL,
	    0x8000000000000000UL,
	};

	if (rng_one_in(&rng, 3))
		return rng_below(&rng, 300);
	return pick(lens, sizeof(lens) / sizeof(lens[0]));
}

/* Records what a call that may return or free a descriptor did. */
static void note_fd(long fd, int kind)
{
	if (fd >= 0 && fd < NOFILE)
		fdkind[fd] = (char)kind;
}

/* A descriptor for read or write: a pipe end only one time in four. */
static uint64 gen_io_fd(void);

/* A file descriptor: mostly 0..NOFILE+2, else negative or absurd. */
static uint64 gen_fd(void)
{
	static const uint64 fds[] = {
	    (uint64)-1,	   (uint64)-2,
	    (uint64)-1000, NOFILE,
	    NOFILE + 1,	   100,
	    0x7fffffff,	   0x80000000UL,
	    0x100000003UL, 0xffffffff00000002UL,
	};

	if (rng_one_in(&rng, 5))
		return pick(fds, sizeof(fds) / sizeof(fds[0]));
	return rng_below(&rng, NOFILE + 3);
}

static uint64 gen_io_fd(void)
{
	uint64 fd = gen_fd();

	if (fd < NOFILE && fdkind[fd] == FD_PIPE && !rng_one_in(&rng, 4))
		fd = gen_fd();
	return fd;
}

/*
 * A path name in this child's own subtree, written at strings+at:
 * a few short names joined by '/', or an odd one (empty, ".", names longer
 * than DIRSIZ, a path longer than MAXPATH). ".." appears only right after
 * a name it cancels, so the child never leaves its directory.
 */
static char *gen_name(int at)
{
	static const char *names[] = {
	    "a", "b", "c", "d", "f", "g", "e", "longername_over_dirsiz", "."};
	char *s = strings + at, *p = s;
	int parts = 1 + (int)rng_below(&rng, 3), i;

	switch (rng_below(&rng, 16)) {
	case 0:
		s[0] = '\0';
		return s;
	case 1: /* longer than MAXPATH */
		for (i = 0; i < MAXPATH + 20; i++)
			s[i] = (i % 3 == 2) ? '/' : 'z';
		s[i] = '\0';
		return s;
	case 2:
		strcpy(s, "a/..");
		return s;
	default:
		break;
	}
	for (i = 0; i < parts; i++) {
		const char *n =
		    names[rng_below(&rng, sizeof(names) / sizeof(names[0]))];

		if (i > 0)
			*p++ = '/';
		strcpy(p, n);
		p += strlen(n);
	}
	return s;
}

/* A path argument: a generated name, or a bad pointer. */
static uint64 gen_path(int at)
{
	uint64 b;

	switch (rng_below(&rng, 10)) {
	case 0:
		return gen_ptr(1);
	case 1: /* no NUL before the break: the copy runs off the heap */
		b = brk_now();
		if (b & 0xfff) /* only when the break ends a mapped page */
			return b;
		memset((char *)b - 16, 'n', 16);
		return b - 16;
	default:
		return (uint64)gen_name(at);
	}
}

/* A pid to kill: near this process's own, itself, never the parent. */
static uint64 gen_pid(void)
{
	int self = (int)rawsys(SYS_getpid, 0, 0, 0, 0, 0, 0);
	int pid;

	switch (rng_below(&rng, 16)) {
	case 0:
		pid = self;
		break;
	case 1:
	case 2:
		pid = -(int)rng_below(&rng, 3);
		break;
	case 3:
		pid = 1; /* init */
		break;
	case 4:
	case 5:
	case 6:
		return rng_next(&rng);
	case 7:
	case 8:
	case 9: /* siblings, their children, the dead and the unborn */
		pid = self - 4 + (int)rng_below(&rng, 12);
		break;
	default:
		pid = self + 1000 + (int)rng_below(&rng, 100000);
		break;
	}
	if (pid == parent_pid || pid == watchdog_pid)
		pid = self;
	return (uint64)(long)pid;
}

/* ---- ELF files ---- */

static void put16(char *p, uint64 v)
{
	p[0] = (char)v;
	p[1] = (char)(v >> 8);
}

static void put32(char *p, uint64 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(char *p, uint64 v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* exit(42): li a0,42; li a7,SYS_exit; ecall. */
static void put_exit_stub(char *p)
{
	put32(p, 0x02a00513);
	put32(p + 4, 0x00000893 | ((uint64)SYS_exit << 20));
	put32(p + 8, 0x00000073);
}

/* A sound R+X segment: the whole file at 0x1000. */
static void put_text_phdr(char *p, uint64 file_len)
{
	put32(p, 1);
	put32(p + 4, 5);
	put64(p + 8, 0);
	put64(p + 16, 0x1000);
	put64(p + 24, 0x1000);
	put64(p + 32, file_len);
	put64(p + 40, file_len);
	put64(p + 48, 0x1000);
}

/* One program header at p, mostly plausible, often broken. */
static void gen_phdr(char *p, int i, uint64 file_len, uint64 prev_vaddr)
{
	static const uint64 vaddrs[] = {
	    0x1000,
	    0x2000,
	    0x3000,
	    0x10000,
	    0,
	    0x800,
	    0x1234,
	    0x3fffffd000UL,
	    0x3fffffe000UL,
	    0x3ffffff000UL,
	    0xffffffc000000000UL,
	    0xfffffffffffff000UL,
	};
	static const uint64 sizes[] = {
	    0,
	    1,
	    12,
	    0x1000,
	    0x1001,
	    0x2000,
	    0x10000,
	    0x1000000000UL,
	    0xffffffffffffffffUL,
	    0xfffffffffffff000UL,
	};
	uint64 vaddr, memsz, filesz, off;

	vaddr = rng_one_in(&rng, 4)
		    ? prev_vaddr
		    : pick(vaddrs, sizeof(vaddrs) / sizeof(vaddrs[0]));
	if (rng_one_in(&rng, 3))
		vaddr =
		    0x1000 + 0x1000 * (uint64)i; /* many one-page segments */
	memsz = pick(sizes, sizeof(sizes) / sizeof(sizes[0]));
	filesz = rng_one_in(&rng, 3) ? memsz + rng_below(&rng, 2)
				     : rng_below(&rng, 64);
	if (filesz > memsz && !rng_one_in(&rng, 4))
		filesz = memsz;
	off = rng_one_in(&rng, 4)
		  ? pick(sizes, sizeof(sizes) / sizeof(sizes[0]))
		  : rng_below(&rng, file_len + 64);
	put32(p,
	      rng_one_in(&rng, 8) ? rng_below(&rng, 8) : 1); /* type: PT_LOAD */
	put32(p + 4, rng_one_in(&rng, 2)
			 ? 5
			 : rng_below(&rng, 8)); /* flags, W+X too */
	put64(p + 8, off);
	put64(p + 16, vaddr);
	put64(p + 24, vaddr);
	put64(p + 32, filesz);
	put64(p + 40, memsz);
	put64(p + 48, 0x1000);
}

/*
 * Builds an ELF image in elf[]: a RISC-V header whose fields are broken
 * now and then, up to 40 program headers, and the exit(42) stub at 0x100
 * so that an image that does load and starts at its text exits at once.
 * Returns the file length.
 */
static int gen_elf(void)
{
	uint64 len = 256 + rng_below(&rng, ELF_MAX - 256), phnum, phoff = 64,
	       entry;
	uint64 vaddr = 0x1000;
	int i;

	memset(elf, 0, sizeof(elf));
	put32(elf, rng_one_in(&rng, 16) ? rng_next(&rng) : 0x464c457f);
	elf[4] = rng_one_in(&rng, 16) ? 1 : 2; /* ELFCLASS64 */
	elf[5] = 1;			       /* little-endian */
	elf[6] = 1;
	put16(elf + 16, 2);				  /* ET_EXEC */
	put16(elf + 18, rng_one_in(&rng, 16) ? 62 : 243); /* EM_RISCV */
	put16(elf + 54,
	      rng_one_in(&rng, 16) ? rng_below(&rng, 80) : 56); /* phentsize */
	switch (rng_below(&rng, 8)) {
	case 0:
		phnum = 0;
		break;
	case 1:
		phnum = 0xffff;
		break;
	case 2:
		phnum = 20 + rng_below(&rng, 21);
		break;
	default:
		phnum = 1 + rng_below(&rng, 4);
		break;
	}
	if (rng_one_in(&rng, 8))
		phoff = rng_one_in(&rng, 2) ? rng_next(&rng)
					    : len + rng_below(&rng, 100);
	else if (rng_one_in(&rng, 8))
		phoff = 65; /* misaligned */
	put16(elf + 56, phnum);
	put64(elf + 32, phoff);
	for (i = 0; (uint64)i < phnum && phoff + 56 * (uint64)(i + 1) <= len;
	     i++) {
		gen_phdr(elf + phoff + 56 * (uint64)i, i, len, vaddr);
		vaddr = 0x1000 + 0x1000 * (uint64)(i + 1);
	}
	/* Often a sound text segment first, so that the image may load. */
	if (phnum > 0 && phoff == 64 && len >= 120 && rng_one_in(&rng, 2))
		put_text_phdr(elf + 64, len);
	if (len > 0x100 + 12 && phoff + 56 * phnum < 0x100)
		put_exit_stub(elf + 0x100);
	switch (rng_below(&rng, 4)) {
	case 0:
		entry =
		    0x1100; /* the stub, if text sits at 0x1000 from offset 0 */
		break;
	case 1:
		entry = pick(hostile, NHOSTILE);
		break;
	case 2:
		entry = 0x1000 +
			rng_below(&rng, 0x4000); /* inside or beyond the text */
		break;
	default:
		entry = rng_next(&rng);
		break;
	}
	put64(elf + 24, entry);
	return (int)len;
}

/* Writes an ELF file at a generated name and execs it with a generated argv. */
static void op_exec_elf(void)
{
	char *path = gen_name(0);
	int fd, len = gen_elf(), n, i;

	fd = (int)rawsys(SYS_open, (uint64)path, O_CREATE | O_RDWR | O_TRUNC, 0,
			 0, 0, 0);
	if (fd >= 0) {
		rawsys(SYS_write, (uint64)fd, (uint64)elf, (uint64)len, 0, 0,
		       0);
		rawsys(SYS_close, (uint64)fd, 0, 0, 0, 0, 0);
	}
	n = (int)rng_below(&rng, 4);
	for (i = 0; i < n; i++)
		argvbuf[i] = (uint64) "arg";
	argvbuf[n] = 0;
	rawsys(SYS_exec, (uint64)path, (uint64)argvbuf, 0, 0, 0, 0);
}

/* exec with hostile paths and argv arrays (too long, bad pointers,
 * unterminated). */
static void op_exec_args(void)
{
	int n = (int)rng_below(&rng, MAXARG + 4), i;
	uint64 argv;

	for (i = 0; i < n; i++) {
		if (rng_one_in(&rng, 4))
			argvbuf[i] = gen_ptr(1);
		else
			argvbuf[i] = (uint64) "x";
	}
	argvbuf[n] = rng_one_in(&rng, 8) ? gen_ptr(8) : 0;
	argv = rng_one_in(&rng, 5) ? gen_ptr(8) : (uint64)argvbuf;
	/* A path that does not exist, so a valid argv never replaces us. */
	rawsys(SYS_exec,
	       rng_one_in(&rng, 3) ? gen_ptr(1) : (uint64) "nonexistent", argv,
	       0, 0, 0, 0);
}

/* ---- the other calls ---- */

/* pipe(), recording the new descriptors when they land in scratch. */
static void op_pipe(uint64 fds)
{
	int *p = (int *)fds;

	if (rawsys(SYS_pipe, fds, 0, 0, 0, 0, 0) == 0 &&
	    fds >= (uint64)scratch && fds + 8 <= (uint64)scratch + SCRATCH &&
	    (fds & 3) == 0) {
		note_fd(p[0], FD_PIPE);
		note_fd(p[1], FD_PIPE);
	}
}

static void op_dup(uint64 fd)
{
	long nfd = rawsys(SYS_dup, fd, 0, 0, 0, 0, 0);

	if (nfd >= 0 && fd < NOFILE)
		note_fd(nfd, fdkind[fd]);
}

static void op_close(uint64 fd)
{
	if (rawsys(SYS_close, fd, 0, 0, 0, 0, 0) == 0)
		note_fd((long)fd, FD_NONE);
}

/* pipe and dup until the descriptor table is full, then close some. */
static void op_storm(void)
{
	int i, n = (int)rng_below(&rng, 12);

	for (i = 0; i < n; i++) {
		if (rng_one_in(&rng, 2))
			op_pipe((uint64)(scratch + 8 * i));
		else
			op_dup(rng_below(&rng, NOFILE));
	}
	n = (int)rng_below(&rng, NOFILE);
	for (i = 0; i < n; i++)
		op_close(rng_below(&rng, NOFILE + 2));
}

/* mkdir and chdir down a random depth, make files there, then back up removing.
 */
static void op_deep_dirs(void)
{
	int levels = 1 + (int)rng_below(&rng, 24), i, fd;

	for (i = 0; i < levels; i++) {
		rawsys(SYS_mkdir, (uint64) "d", 0, 0, 0, 0, 0);
		if (rawsys(SYS_chdir, (uint64) "d", 0, 0, 0, 0, 0) < 0)
			break;
		fd = (int)rawsys(SYS_open, (uint64) "f", O_CREATE | O_RDWR, 0,
				 0, 0, 0);
		if (fd >= 0) {
			rawsys(SYS_write, (uint64)fd, (uint64)scratch,
			       rng_below(&rng, 3000), 0, 0, 0);
			rawsys(SYS_close, (uint64)fd, 0, 0, 0, 0, 0);
		}
		if (rng_one_in(&rng, 3))
			rawsys(SYS_link, (uint64) "f", (uint64) "../g", 0, 0, 0,
			       0);
	}
	for (; i > 0; i--) {
		if (!rng_one_in(&rng, 4))
			rawsys(SYS_unlink, (uint64) "f", 0, 0, 0, 0, 0);
		rawsys(SYS_chdir, (uint64) "..", 0, 0, 0, 0, 0);
		if (!rng_one_in(&rng, 4))
			rawsys(SYS_unlink, (uint64) "d", 0, 0, 0, 0, 0);
	}
}

/* An sbrk amount: small, page-ish, huge, negative, or 64-bit noise. */
static uint64 gen_sbrk(void)
{
	static const uint64 amounts[] = {
	    0,
	    1,
	    4095,
	    4096,
	    4097,
	    0x200000,
	    0x201000,
	    0x400000,
	    (uint64)-1,
	    (uint64)-4096,
	    (uint64)-0x200000,
	    (uint64)-0x10000000,
	    0x7fffffff,
	    0x80000000UL,
	    0x10000000,
	    0x100000000UL,
	    0xffffffff80000000UL,
	};
	uint64 n = rng_one_in(&rng, 3)
		       ? rng_below(&rng, 0x30000) - 0x10000
		       : pick(amounts, sizeof(amounts) / sizeof(amounts[0]));

	if (rng_one_in(&rng, 10))
		n = rng_next(&rng);
	return n;
}

static void op_sbrk(void)
{
	static const uint64 modes[] = {SBRK_MODE_EAGER, SBRK_MODE_LAZY, 0, 3,
				       (uint64)-1,	0x100000001UL};
	uint64 mode =
	    rng_one_in(&rng, 6) ? pick(modes, 6) : 1 + rng_below(&rng, 2);
	uint64 n = gen_sbrk();
	long old;

	old = rawsys(SYS_sbrk, n, mode, 0, 0, 0, 0);
	/* Touch a lazily grown page now and then. */
	if (old != -1 && (int)n > 0 && (int)n < 0x400000 && rng_one_in(&rng, 2))
		*(volatile char *)(old + rng_below(&rng, (uint64)(int)n)) = 1;
}

static void fuzz_calls(int calls);

/* fork: the child makes a few calls of its own and exits; the parent goes on.
 */
static void op_fork(void)
{
	rng_t child = rng_make(rng_next(&rng), 7);
	long pid = rawsys(SYS_fork, 0, 0, 0, 0, 0, 0);

	if (pid == 0) {
		rng = child;
		depth++;
		if (depth < 3)
			fuzz_calls(FORK_CALLS);
		rawsys(SYS_exit, rng_below(&rng, 3), 0, 0, 0, 0, 0);
	}
}

/* ---- memory mappings ---- */

#define NMAPS 8
static uint64 maps[NMAPS][2]; /* [start, length) of mappings that worked */

/* An address for a mapping call: a known mapping, the heap, text, stack, or
 * hostile. */
static uint64 gen_map_addr(void)
{
	uint64 *m = maps[rng_below(&rng, NMAPS)];

	switch (rng_below(&rng, 8)) {
	case 0:
	case 1:
		if (m[1])
			return m[0] + 4096 * rng_below(&rng, m[1] / 4096 + 1);
		return 0;
	case 2:
		return 0;
	case 3:
		return brk_now() & ~0xfffUL;
	case 4: /* this program's text or its stack */
		return rng_one_in(&rng, 2) ? 0x1000 : guard_page() + 4096;
	case 5:
		return 0x10000000UL + 4096 * rng_below(&rng, 4096);
	default:
		return gen_ptr(4096);
	}
}

/* A mapping length: pages, 2 MiB multiples (which can take 2 MiB
 * pages), odd sizes, zero, huge. */
static uint64 gen_map_len(void)
{
	if (rng_one_in(&rng, 8))
		return (2UL << 20) * (1 + rng_below(&rng, 2)) +
		       4096 * rng_below(&rng, 2);
	return rng_one_in(&rng, 2) ? 4096 * (1 + rng_below(&rng, 600))
				   : gen_len();
}

/*
 * mmap with random protections, flags (shared, private, fixed,
 * anonymous, and bits that mean nothing), descriptors and offsets; a
 * mapping that worked is remembered, and often touched (which may kill
 * the child: PROT_NONE, past the end of a file).
 */
static void op_mmap(void)
{
	static const uint64 offs[] = {
	    0, 4096, 8192, 1, 4095, 0x100000, 0x7fffffff000UL, (uint64)-4096,
	};
	uint64 len = gen_map_len(), prot = rng_below(&rng, 8), flags, off, addr;
	long r;

	flags = rng_one_in(&rng, 2) ? MAP_PRIVATE : MAP_SHARED;
	if (rng_one_in(&rng, 2))
		flags |= MAP_ANONYMOUS;
	if (rng_one_in(&rng, 4))
		flags |= MAP_FIXED;
	if (rng_one_in(&rng, 10))
		flags = rng_next(&rng);
	if (rng_one_in(&rng, 10))
		prot = rng_next(&rng);
	off = pick(offs, sizeof(offs) / sizeof(offs[0]));
	addr = gen_map_addr();
	r = rawsys(SYS_mmap, addr, len, prot, flags, gen_fd(), off);
	if (r == -1 || (uint64)r >= 0x3fffffe000UL)
		return;
	memmove(maps[rng_below(&rng, NMAPS)], (uint64[2]){(uint64)r, len}, 16);
	if (rng_one_in(&rng, 2)) {
		volatile char *p =
		    (volatile char *)r + 4096 * rng_below(&rng, len / 4096 + 1);

		if (rng_one_in(&rng, 2))
			*p = 1;
		else
			(void)*p;
	}
}

static void op_munmap(void)
{
	uint64 addr = gen_map_addr();

	rawsys(SYS_munmap, addr, gen_map_len(), 0, 0, 0, 0);
}

static void op_mprotect_msync(void)
{
	uint64 addr = gen_map_addr(), len = gen_map_len();

	if (rng_one_in(&rng, 2))
		rawsys(SYS_mprotect, addr, len,
		       rng_one_in(&rng, 8) ? rng_next(&rng)
					   : rng_below(&rng, 8),
		       0, 0, 0);
	else
		rawsys(SYS_msync, addr, len,
		       rng_one_in(&rng, 8) ? rng_next(&rng)
					   : rng_below(&rng, 8),
		       0, 0, 0);
}

/* vmainfo of itself, its parent, init, the unborn and nonsense, into any
 * buffer. */
static void op_vmainfo(void)
{
	uint64 max = rng_one_in(&rng, 3) ? rng_next(&rng) : rng_below(&rng, 40);
	uint64 room = (max < 40 ? max : 40) * sizeof(struct vmainfo);

	rawsys(SYS_vmainfo, rng_one_in(&rng, 2) ? 0 : gen_pid(), gen_ptr(room),
	       max, 0, 0, 0);
}

/* A system call number: the real ones mostly, some unknown ones. */
static uint64 gen_unknown(void)
{
	static const uint64 nums[] = {
	    0,
	    33,
	    34,
	    40,
	    64,
	    255,
	    256,
	    1000,
	    0x7fffffff,
	    0x80000000UL,
	    0x100000001UL,
	    0xffffffffffffffffUL,
	    0x8000000000000000UL,
	};

	return pick(nums, sizeof(nums) / sizeof(nums[0]));
}

/* The last thread id seen, for joins. */
static long last_tid;
/*
 * Set once this process has started a thread: from then on it makes no
 * chdir and no deep-directory churn, since its threads share one working
 * directory and interleaved "chdir d" and "chdir .." would nest the batch
 * tree deeper than remove_tree's recursion fits on the parent's stack.
 */
static int threads_started;

/* A started thread: a few calls of its own, then one of the ways a thread
 * ends (returning faults: the kernel starts it with ra = 0). */
static void thread_body(uint64 seed)
{
	rng = rng_make(seed, 11);
	depth++;
	if (depth < 3)
		fuzz_calls(FORK_CALLS);
	switch (rng_below(&rng, 3)) {
	case 0:
		rawsys(SYS_thread_exit, rng_next(&rng), 0, 0, 0, 0, 0);
		break;
	case 1:
		rawsys(SYS_exit, rng_below(&rng, 3), 0, 0, 0, 0, 0);
		break;
	default:
		return;
	}
}

/* thread_create with a good or hostile entry and stack. */
static void op_thread(void)
{
	uint64 pc = (uint64)thread_body, sp, arg = rng_next(&rng);

	sp = (uint64)thread_stacks[rng_below(&rng, THREAD_STACKS)] +
	     THREAD_STACK;
	switch (rng_below(&rng, 6)) {
	case 0:
		pc = pick(hostile, NHOSTILE);
		break;
	case 1:
		sp = pick(hostile, NHOSTILE) & ~15UL;
		break;
	case 2:
		sp = rng_next(&rng);
		break;
	case 3:
		pc = rng_next(&rng);
		break;
	default:
		break;
	}
	last_tid = rawsys(SYS_thread_create, pc, sp, arg, rng_next(&rng), 0, 0);
	if (last_tid > 0)
		threads_started = 1;
}

/* One random system call. */
static void fuzz_one(void)
{
	uint64 len, n;

	switch (rng_below(&rng, NKINDS)) {
	case 0:
		op_fork();
		break;
	case 1: /* exit, rarely */
		if (rng_one_in(&rng, 10))
			rawsys(SYS_exit, rng_next(&rng), 0, 0, 0, 0, 0);
		break;
	case 2:
		rawsys(SYS_wait, rng_one_in(&rng, 2) ? 0 : gen_ptr(4), 0, 0, 0,
		       0, 0);
		break;
	case 3:
		op_pipe(gen_ptr(8));
		break;
	case 4:
	case 5:
		len = gen_len();
		rawsys(SYS_read, gen_io_fd(), gen_ptr(len), len, 0, 0, 0);
		break;
	case 6:
	case 7:
		len = gen_len();
		rawsys(SYS_write, gen_io_fd(), gen_ptr(len), len, 0, 0, 0);
		break;
	case 8:
		rawsys(SYS_kill, gen_pid(), 0, 0, 0, 0, 0);
		break;
	case 9:
		op_exec_elf();
		break;
	case 10:
		op_exec_args();
		break;
	case 11:
		rawsys(SYS_fstat, gen_fd(), gen_ptr(sizeof(struct stat)), 0, 0,
		       0, 0);
		break;
	case 12:
		if (!threads_started)
			rawsys(SYS_chdir, gen_path(0), 0, 0, 0, 0, 0);
		break;
	case 13:
		op_dup(gen_fd());
		break;
	case 14:
		rawsys(SYS_getpid, rng_next(&rng), 0, 0, 0, 0, 0);
		break;
	case 15:
	case 16:
		op_sbrk();
		break;
	case 17: /* pause: negative, zero, short, or long (the watchdog ends it)
		  */
		n = rng_one_in(&rng, 2) ? rng_below(&rng, 3) : rng_next(&rng);
		if (rng_one_in(&rng, 100))
			n = 0x7fffffff;
		else if ((long)(int)n > 20)
			n = (uint64) - (long)rng_below(&rng, 100);
		rawsys(SYS_pause, n, 0, 0, 0, 0, 0);
		break;
	case 18:
		rawsys(SYS_uptime, rng_next(&rng), 0, 0, 0, 0, 0);
		break;
	case 19:
	case 20:
		n = rng_one_in(&rng, 4)
			? rng_next(&rng)
			: (uint64)(O_CREATE * rng_below(&rng, 2) |
				   O_TRUNC * rng_below(&rng, 2) |
				   rng_below(&rng, 4));
		note_fd(rawsys(SYS_open, gen_path(0), n, 0, 0, 0, 0), FD_OTHER);
		break;
	case 21: /* mknod: any major but the console's, whose read would block
		  */
		n = rng_one_in(&rng, 2) ? rng_below(&rng, NDEV + 2)
					: rng_next(&rng);
		if ((short)n == 1)
			n = 2;
		rawsys(SYS_mknod, gen_path(0), n, rng_next(&rng), 0, 0, 0);
		break;
	case 22:
		rawsys(SYS_unlink, gen_path(0), 0, 0, 0, 0, 0);
		break;
	case 23:
		rawsys(SYS_link, gen_path(0), gen_path(256), 0, 0, 0, 0);
		break;
	case 24:
		rawsys(SYS_mkdir, gen_path(0), 0, 0, 0, 0, 0);
		break;
	case 25:
		op_close(gen_fd());
		break;
	case 26:
		rawsys(SYS_memstat, gen_ptr(sizeof(struct memstat)), 0, 0, 0, 0,
		       0);
		break;
	case 27:
		n = rng_one_in(&rng, 2) ? rng_below(&rng, NPROC + 2)
					: rng_next(&rng);
		rawsys(
		    SYS_procinfo,
		    gen_ptr((n < NPROC ? n : NPROC) * sizeof(struct procinfo)),
		    n, 0, 0, 0, 0);
		break;
	case 28:
		n = rng_one_in(&rng, 2) ? rng_below(&rng, 600) : rng_next(&rng);
		rawsys(SYS_cmdline, gen_ptr(n < 600 ? n : 600), n, 0, 0, 0, 0);
		break;
	case 29:
		rawsys(SYS_poweroff, rng_next(&rng), 0, 0, 0, 0, 0);
		break;
	case 30: /* kcheck, the reserved number and unknown ones, with noise */
		n = rng_below(&rng, 3);
		rawsys(n == 0	? SYS_kcheck
		       : n == 1 ? SYS_ktest
				: gen_unknown(),
		       rng_next(&rng), rng_next(&rng), rng_next(&rng),
		       rng_next(&rng), rng_next(&rng), rng_next(&rng));
		break;
	case 31:
		op_storm();
		break;
	case 32:
		if (!threads_started)
			op_deep_dirs();
		break;
	case 33:
	case 34:
		op_mmap();
		break;
	case 35:
		op_munmap();
		break;
	case 36:
		op_mprotect_msync();
		break;
	case 37:
		op_vmainfo();
		break;
	case 38:
	case 39:
		op_thread();
		break;
	case 40: /* join the last thread, a random id, ourselves */
		rawsys(SYS_thread_join,
		       rng_one_in(&rng, 2) ? (uint64)last_tid : gen_pid(),
		       rng_one_in(&rng, 2) ? 0 : gen_ptr(4), 0, 0, 0, 0);
		break;
	case 41: /* thread_exit, rarely; gettid */
		if (rng_one_in(&rng, 20))
			rawsys(SYS_thread_exit, rng_next(&rng), 0, 0, 0, 0, 0);
		rawsys(SYS_gettid, rng_next(&rng), 0, 0, 0, 0, 0);
		break;
	case 42: /* futex_wait: may sleep for ever (the watchdog ends it) */
		rawsys(SYS_futex_wait,
		       rng_one_in(&rng, 3) ? pick(hostile, NHOSTILE) : gen_ptr(4),
		       rng_one_in(&rng, 2) ? 0 : rng_next(&rng), 0, 0, 0, 0);
		break;
	case 43:
		rawsys(SYS_futex_wake,
		       rng_one_in(&rng, 3) ? pick(hostile, NHOSTILE) : gen_ptr(4),
		       rng_next(&rng), 0, 0, 0, 0);
		break;
	default:
		if (rng_one_in(&rng, 2))
			rawsys(SYS_chdir, (uint64) ".", 0, 0, 0, 0, 0);
		else
			rawsys(SYS_wait, 0, 0, 0, 0, 0, 0);
		break;
	}
}

/*
 * With tracing on, prints "[pid:call kind]" before each call, through a
 * console descriptor opened and closed around the line, so that the
 * child's own descriptor table is unchanged.
 */
static void trace_call(int i)
{
	rng_t peek = rng;
	int fd;

	if (!tracing)
		return;
	fd = open("/console", O_WRONLY);
	if (fd >= 0) {
		fprintf(fd, "# [%d:%d kind %d t%d]\n", getpid(), i,
			(int)rng_below(&peek, NKINDS), uptime());
		close(fd);
	}
}

static void fuzz_calls(int calls)
{
	int i;

	for (i = 0; i < calls; i++) {
		trace_call(i);
		fuzz_one();
	}
}

/* ---- the parent ---- */

/* A checksum of this program's text, which no call may change. */
static uint64 text_sum(void)
{
	const uint64 *p = (const uint64 *)0x1000,
		     *end = (const uint64 *)((uint64)text_sum + 256);
	uint64 s = 0;

	for (; p < end; p++)
		s = s * 31 + *p;
	return s;
}

/*
 * The watchdog: kills any process (but init, the parent and itself) seen
 * asleep at WATCHDOG_NAPS polls in a row (blocked on its own pipe, in a
 * long pause, in wait() for such a child), and everything still running
 * after WATCHDOG_TICKS. Runs until the parent kills it.
 */
static void watchdog(void)
{
	static struct procinfo procs[NPROC];
	static int asleep[NPROC], seen[NPROC];
	int self = getpid(), n, i, t;

	for (t = 0;; t += WATCHDOG_POLL) {
		pause(WATCHDOG_POLL);
		n = procinfo(procs, NPROC);
		for (i = 0; i < n && i < NPROC; i++) {
			struct procinfo *p = &procs[i];

			if (p->pid == 1 || p->pid == parent_pid ||
			    p->pid == self || p->state == PROCINFO_UNUSED ||
			    p->state == PROCINFO_ZOMBIE)
				continue;
			if (seen[i] != p->pid)
				asleep[i] = 0;
			seen[i] = p->pid;
			asleep[i] =
			    p->state == PROCINFO_SLEEPING ? asleep[i] + 1 : 0;
			if (t >= WATCHDOG_TICKS && tracing)
				printf("# watchdog: pid %d (%s) state %d still "
				       "there after %d ticks\n",
				       p->pid, p->name, p->state, t);
			if (asleep[i] >= WATCHDOG_NAPS || t >= WATCHDOG_TICKS)
				kill(p->pid);
		}
	}
}

/* The body of one batch child: its directory, no console, its calls. */
static void batch_child(uint64 seed, int batch, int child)
{
	char dir[16];
	int fd;

	rng = rng_make(seed, (uint64)batch * 16 + (uint64)child);
	for (fd = 0; fd < NOFILE; fd++)
		close(fd);
	dir[0] = 'c';
	dir[1] = (char)('0' + child);
	dir[2] = '\0';
	mkdir(dir);
	if (chdir(dir) < 0)
		exit(1);
	fuzz_calls(CHILD_CALLS);
	exit(0);
}

/*
 * The first entry of the current directory other than "." and "..",
 * copied to name; 0 when the directory is empty, -1 if it cannot be read.
 * The directory is closed again before returning, so that a deep tree
 * does not use one descriptor per level.
 */
static int first_entry(char name[DIRSIZ + 1])
{
	struct dirent de;
	int fd = open(".", O_RDONLY), found = 0;

	if (fd < 0)
		return -1;
	while (!found && read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		found = strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
	}
	close(fd);
	return found;
}

/*
 * Removes the file or directory tree at name, relative to the current
 * directory. Returns 0, or -1 (with a diagnostic) if something could not
 * be removed.
 */
static int remove_tree(const char *name, int level)
{
	char entry[DIRSIZ + 1];
	struct stat st;
	int fd, r;

	fd = open(name, O_RDONLY);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.type == T_DIR) {
		close(fd);
		if (level > 100 || chdir(name) < 0) {
			diag("cannot enter %s (level %d)", name, level);
			return -1;
		}
		while ((r = first_entry(entry)) > 0)
			if (remove_tree(entry, level + 1) < 0)
				break;
		if (chdir("..") < 0 || r != 0)
			return -1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (unlink(name) < 0) {
		diag("cannot remove %s (level %d)", name, level);
		return -1;
	}
	return 0;
}

/* fork + exec of this program as a helper that exits HELPER_STATUS. */
static int can_fork_exec(void)
{
	char *argv[] = {"sysfuzz", "-exit", "7", 0};
	int pid = fork(), status = -1;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		exec("/sysfuzz", argv);
		exit(99);
	}
	if (wait(&status) != pid)
		return 0;
	return status == HELPER_STATUS;
}

/* Creates, writes, reads back and unlinks a file. */
static int can_use_files(void)
{
	static char out[100], in[100];
	int fd, i, good;

	for (i = 0; i < 100; i++)
		out[i] = (char)i;
	fd = open("check", O_CREATE | O_RDWR | O_TRUNC);
	if (fd < 0)
		return 0;
	good = write(fd, out, 100) == 100;
	close(fd);
	fd = open("check", O_RDONLY);
	good = good && fd >= 0 && read(fd, in, 100) == 100 &&
	       memcmp(in, out, 100) == 0;
	close(fd);
	return good && unlink("check") == 0;
}

struct baseline {
	unsigned long nproc, free;
	uint64 text;
};

/* Runs one batch and checks the kernel afterwards; 1 if sane. */
static int run_batch(uint64 seed, int batch, const struct baseline *base)
{
	char dir[16];
	int pids[BATCH_CHILDREN], i, status, killed = 0, sane = 1, pid,
					     t0 = uptime(), t1;

	dir[0] = 'b';
	dir[1] = (char)('0' + batch / 100 % 10);
	dir[2] = (char)('0' + batch / 10 % 10);
	dir[3] = (char)('0' + batch % 10);
	dir[4] = '\0';
	if (mkdir(dir) < 0 || chdir(dir) < 0) {
		diag("batch %d: cannot make its directory", batch);
		return 0;
	}
	watchdog_pid = fork();
	if (watchdog_pid == 0)
		watchdog();
	for (i = 0; i < BATCH_CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			batch_child(seed, batch, i);
	}
	for (i = 0; i < BATCH_CHILDREN; i++) {
		if (pids[i] < 0) {
			diag("batch %d: fork failed", batch);
			sane = 0;
			continue;
		}
		pid = wait(&status);
		if (pid == watchdog_pid) {
			diag("batch %d: the watchdog died", batch);
			sane = 0;
			i--;
			continue;
		}
		if (status == -1)
			killed++;
	}
	t1 = uptime();
	/* Orphaned grandchildren finish, or the watchdog ends them. */
	for (i = 0;
	     i < 10 * WATCHDOG_TICKS && fuzz_memstat().nproc > base->nproc + 1;
	     i++)
		pause(1);
	kill(watchdog_pid);
	while ((pid = wait(&status)) >= 0)
		;
	chdir("..");
	if (!fuzz_settled(base->nproc, base->free)) {
		diag("batch %d: processes or pages not back to the baseline",
		     batch);
		sane = 0;
	}
	if (!fuzz_kcheck()) {
		diag("batch %d: kcheck failed", batch);
		sane = 0;
	}
	if (text_sum() != base->text) {
		diag("batch %d: the parent's text changed", batch);
		sane = 0;
	}
	if (!can_fork_exec() || !can_use_files()) {
		diag("batch %d: fork/exec or files broken", batch);
		sane = 0;
	}
	if (remove_tree(dir, 0) < 0) {
		diag("batch %d: cannot remove %s", batch, dir);
		sane = 0;
	}
	if (!fuzz_settled(base->nproc, base->free))
		sane = 0;
	diag("batch %d: %d of %d children killed; %d ticks, %d checking", batch,
	     killed, BATCH_CHILDREN, uptime() - t0, uptime() - t1);
	return sane;
}

int main(int argc, char *argv[])
{
	static char run[64];
	struct baseline base;
	struct memstat ms;
	uint64 seed, calls;
	int batches, b;

	if (argc == 3 && strcmp(argv[1], "-exit") == 0)
		exit(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[3], "trace") == 0)
		tracing = 1;
	if (argc < 3 || argc > 4 || parse_ulong(argv[1], &seed) < 0 ||
	    parse_ulong(argv[2], &calls) < 0) {
		printf("usage: sysfuzz SEED N [trace]\n");
		exit(2);
	}
	strcpy(run, "sysfuzz,");
	strcpy(run + strlen(run), argv[1]);
	strcpy(run + strlen(run), ",");
	strcpy(run + strlen(run), argv[2]);
	fuzz_start(run, seed);
	batches = (int)((calls + BATCH_CALLS - 1) / BATCH_CALLS);
	if (batches > 999)
		batches = 999;
	tap_plan(batches + 1);
	parent_pid = getpid();
	mkdir(FUZZ_DIR);
	if (chdir(FUZZ_DIR) < 0) {
		printf("Bail out! cannot enter %s\n", FUZZ_DIR);
		exit(1);
	}
	/* Warm up (first exec, first file) before taking the baseline. */
	ok(can_fork_exec() && can_use_files(),
	   "fork, exec and files work before fuzzing");
	ms = fuzz_memstat();
	base.nproc = ms.nproc;
	base.free = ms.free_pages;
	base.text = text_sum();
	for (b = 0; b < batches; b++) {
		if (!ok(run_batch(seed, b, &base),
			"batch %d (%d calls): the kernel is sane", b,
			BATCH_CALLS)) {
			fuzz_failed();
			printf(
			    "Bail out! batch %d of seed %lu broke the kernel\n",
			    b, (unsigned long)seed);
			exit(1);
		}
	}
	chdir("/");
	unlink(FUZZ_DIR);
	diag("seed %lu: %d batches, %d calls", (unsigned long)seed, batches,
	     batches * BATCH_CALLS);
	tap_done();
	return 0;
}
