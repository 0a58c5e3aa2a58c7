/*
 * Shared by the fuzz programs (sysfuzz, cowtorture, fschurn): the seeded
 * random number generator, argument parsing, the reproducer line, the raw
 * system call stub and the kernel sanity checks.
 *
 * Determinism: a program's sequence of calls depends only on its seed.
 * Every random choice comes from a struct rng, seeded from the program
 * seed and a fixed label (a batch number, a child index), never from a
 * pid, a time or a system call's result.
 *
 * Everything is static: each program is one C file that includes this
 * header (after tests/user/tap.h).
 */
#ifndef CALF_TEST_FUZZ_H
#define CALF_TEST_FUZZ_H

#include "kernel/types.h"
#include "kernel/syscall.h"
#include "user/user.h"

/* One ecall with raw registers (rawsys.S). */
long rawsys(long num, long a0, long a1, long a2, long a3, long a4, long a5);

/* A splitmix64 state: small, fast, and good enough for choosing calls. */
struct rng {
	uint64 s;
};

static inline uint64 rng_next(struct rng *r)
{
	uint64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A generator for (seed, label): independent streams for each label. */
static inline struct rng rng_make(uint64 seed, uint64 label)
{
	struct rng r = {seed * 0x100000001b3ULL ^
			(label + 1) * 0xd6e8feb86659fd93ULL};

	rng_next(&r);
	return r;
}

/* A value in [0, n) (n > 0). */
static inline uint64 rng_below(struct rng *r, uint64 n)
{
	return rng_next(r) % n;
}

/* True with probability 1/n. */
static inline int rng_one_in(struct rng *r, uint64 n)
{
	return rng_below(r, n) == 0;
}

/* Parses a decimal unsigned number; returns -1 on anything else. */
static inline long parse_ulong(const char *s, uint64 *out)
{
	uint64 v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64)(*s - '0');
	}
	*out = v;
	return 0;
}

/*
 * The hart count for the reproducer line: the kernel command line's
 * fuzz.smp=H (the meson tests and tools/soak.py pass it), or 0 when
 * absent.
 */
static inline int fuzz_harts(void)
{
	static char line[512];
	int n = kcmdline(line, sizeof(line)), i, h = 0;

	if (n < 0)
		return 0;
	for (i = 0; line[i]; i++) {
		if ((i == 0 || line[i - 1] == ' ') && line[i] == 'f' &&
		    memcmp(line + i, "fuzz.smp=", 9) == 0) {
			for (i += 9; line[i] >= '0' && line[i] <= '9'; i++)
				h = h * 10 + (line[i] - '0');
			return h;
		}
	}
	return 0;
}

/* The run= value that reproduces this run, set by fuzz_start(). */
static char fuzz_run[96];

/*
 * Prints "# seed N" and the reproducer command (as a comment, so that a
 * kernel panic, which the program cannot report itself, still leaves it
 * in the log). run is the run= value: program and arguments, commas.
 */
static inline void fuzz_start(const char *run, uint64 seed)
{
	int h = fuzz_harts();

	strcpy(fuzz_run, run);
	printf("# seed %lu\n", (unsigned long)seed);
	if (h > 0)
		printf("# reproduce: tools/calf-run.py --tap --smp %d "
		       "--cmdline run=%s\n",
		       h, run);
	else
		printf("# reproduce: tools/calf-run.py --tap --cmdline run=%s "
		       "(with the hart count of this run as --smp)\n",
		       run);
}

/* Prints the reproducer again, after a failure. */
static inline void fuzz_failed(void)
{
	int h = fuzz_harts();

	if (h > 0)
		printf("# FAILED: reproduce with tools/calf-run.py --tap --smp "
		       "%d --cmdline run=%s\n",
		       h, fuzz_run);
	else
		printf("# FAILED: reproduce with tools/calf-run.py --tap "
		       "--cmdline run=%s\n",
		       fuzz_run);
}

/*
 * The kernel's invariant check (kcheck(): 0, or -1 after printing
 * "# calf: INVARIANT: ..."). Kernels without it count as passing.
 */
static inline int fuzz_kcheck(void)
{
#ifdef SYS_kcheck
	return rawsys(SYS_kcheck, 0, 0, 0, 0, 0, 0) == 0;
#else
	return 1;
#endif
}

/* The memstat counters, or zeroes when memstat fails. */
static inline struct memstat fuzz_memstat(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		memset(&ms, 0, sizeof(ms));
	return ms;
}

/*
 * Waits until only `procs` processes are left (the fuzzer's children and
 * the orphans init reaps are gone) and the free page count is back to at
 * least `free`. Returns 1 when both came back within about two seconds.
 */
static inline int fuzz_settled(unsigned long procs, unsigned long free)
{
	struct memstat ms;
	int tries;

	for (tries = 0; tries < 200; tries++) {
		ms = fuzz_memstat();
		if (ms.nproc <= procs && ms.free_pages >= free)
			return 1;
		pause(1);
	}
	diag("not settled: %lu processes (want %lu), %lu free pages (want %lu)",
	     ms.nproc, procs, ms.free_pages, free);
	return 0;
}

#endif
