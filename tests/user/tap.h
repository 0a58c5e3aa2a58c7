/*
 * A tiny TAP producer for calf's user-space tests.
 *
 * A test program calls tap_plan(n) first, then ok(cond, "description", ...)
 * once per check, and ends with tap_done(), which exits 0 only if every
 * check passed and exactly n were made. Extra information goes in
 * diag("...") lines, which TAP readers treat as comments.
 *
 * It also carries the helpers most tests share: the free page count, and
 * running a function in a child process and collecting its exit status.
 * Everything is static: each test is one C file that includes this header.
 */
#ifndef CALF_TEST_TAP_H
#define CALF_TEST_TAP_H

#include "kernel/types.h"
#include "user/user.h"

static int tap_planned;
static int tap_count;
static int tap_failed;

/* Announces how many checks will follow. */
static void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

/* Counts one check and prints its "ok N - " or "not ok N - " prefix. */
static int tap_result(int cond)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	return cond;
}

/*
 * ok(cond, fmt, ...): records one check whose description is printf-style.
 * Evaluates cond once and yields it, so tests can write
 * "if (!ok(...)) diag(...)".
 */
#define ok(cond, ...)                                            \
	({                                                       \
		int ok_cond_ = tap_result(!!(cond));             \
		printf(__VA_ARGS__);                             \
		printf("\n");                                    \
		ok_cond_;                                        \
	})

/* Prints a TAP comment line. */
#define diag(...)                       \
	do {                            \
		printf("# ");           \
		printf(__VA_ARGS__);    \
		printf("\n");           \
	} while (0)

/* Ends the test: exit status 0 only when all planned checks ran and passed. */
static void tap_done(void)
{
	if (tap_count != tap_planned) {
		diag("planned %d checks but ran %d", tap_planned, tap_count);
		exit(1);
	}
	if (tap_failed > 0)
		diag("%d of %d checks failed", tap_failed, tap_count);
	exit(tap_failed == 0 ? 0 : 1);
}

/* The kernel's free page count (memstat), or -1 if memstat fails. */
__attribute__((unused)) static long free_pages(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return -1;
	return (long)ms.free_pages;
}

/*
 * Pages a COW store copied: by its copy fault, or ahead of one (a stream
 * of stores going up, mm/cow.c). Where every page is written, this is
 * the same count with copy-ahead on or off.
 */
__attribute__((unused)) static unsigned long
pages_copied(const struct memstat *ms)
{
	return ms->cow_copy_faults + ms->cow_ahead_pages;
}

/*
 * Runs fn(arg) in a child process and returns the child's exit status as
 * wait() reports it (fn normally exits itself; if it returns, the child
 * exits 0). Returns -1000 if fork or wait fail.
 */
__attribute__((unused)) static int run_in_child(void (*fn)(unsigned long), unsigned long arg)
{
	int pid, status = -1000;

	pid = fork();
	if (pid < 0)
		return -1000;
	if (pid == 0) {
		fn(arg);
		exit(0);
	}
	if (wait(&status) != pid)
		return -1000;
	return status;
}

/*
 * Runs body in a child process, which continues the TAP numbering, and
 * then takes over the child's counts. Everything the body allocated,
 * page tables included, is freed when the child exits, so a leak check
 * after this sees only true leaks.
 */
__attribute__((unused)) static void tap_run_isolated(void (*body)(void))
{
	int pid, status = -1000;

	pid = fork();
	if (pid == 0) {
		body();
		exit(tap_count | (tap_failed << 12));
	}
	if (pid < 0 || wait(&status) != pid || status < 0) {
		ok(0, "the test body ran to its end (status %d)", status);
		return;
	}
	tap_count = status & 0xfff;
	tap_failed = status >> 12;
}

/*
 * Checks that the free page count came back to before. Freed pages may be
 * returned a moment after wait() (the reaper runs on another hart), so the
 * count is re-read a few times with short pauses first.
 */
__attribute__((unused)) static void check_no_leak(long before, const char *what)
{
	long after = free_pages();
	int tries;

	for (tries = 0; after < before && tries < 20; tries++) {
		pause(1);
		after = free_pages();
	}
	if (!ok(before >= 0 && after >= before, "%s: no pages leaked", what))
		diag("free pages before %ld after %ld", before, after);
}

/* Whether word occurs on the kernel command line (e.g. "thp=off"). */
__attribute__((unused)) static int cmdline_has(const char *word)
{
	char line[256];
	int n = kcmdline(line, sizeof(line)), len = strlen(word), i;

	for (i = 0; i + len <= n; i++)
		if (memcmp(line + i, word, len) == 0)
			return 1;
	return 0;
}

/* Parent/child handshakes over a pipe: one byte each way. */
static inline void sync_send(int fd)
{
	write(fd, "s", 1);
}

static inline void sync_await(int fd)
{
	char c;

	read(fd, &c, 1);
}

/* sbrk (or sbrklazy) that ends the program with "Bail out!" on failure. */
static inline char *sbrk_or_bail(char *(*grow)(int), int n)
{
	char *p = grow(n);

	if (p == SBRK_ERROR) {
		printf("Bail out! sbrk of %d bytes failed\n", n);
		exit(1);
	}
	return p;
}

/*
 * Fills [start, start+bytes) so that every 64-bit word holds its own
 * address mixed with seed: a word copied to the wrong place, or left
 * from another writer, no longer matches.
 */
static inline void words_fill(char *start, long bytes, uint64 seed)
{
	uint64 *w = (uint64 *)start, *end = (uint64 *)(start + bytes);

	for (; w < end; w++)
		*w = (uint64)w ^ seed;
}

/* Counts the words of [start, start+bytes) not holding words_fill(seed). */
static inline long words_bad(const char *start, long bytes, uint64 seed)
{
	const uint64 *w = (const uint64 *)start,
		     *end = (const uint64 *)(start + bytes);
	long bad = 0;

	for (; w < end; w++)
		if (*w != ((uint64)w ^ seed))
			bad++;
	return bad;
}

#endif
