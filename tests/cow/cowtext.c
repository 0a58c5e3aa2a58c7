/*
 * cowtext: program text stays read-only after fork.
 *
 * fork shares the text pages with a plain reference, not copy-on-write, so
 * a store to code must still kill the process that makes it (status -1),
 * whether it is the child, or a process whose own child shares its text.
 * The kernel must not write text either: a read() into a function fails
 * with an error. After each attempt the code is unchanged and still runs,
 * in the parent and in the other sharers.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "../user/tap.h"

#define CODE_BYTES 16

static const char rodata_text[] = "read-only after fork too";
static char saved[CODE_BYTES];
static int report[2], release[2];

/* The function whose code the children try to overwrite. */
__attribute__((noinline)) static int text_target(int x)
{
	return x * 3 + 1;
}

/* True when text_target's code is as it was at start and still computes. */
static int code_intact(void)
{
	return memcmp((const void *)text_target, saved, CODE_BYTES) == 0 &&
	       text_target(5) == 16;
}

/* Child body: a store to addr, which should kill the child. */
static void store_to(unsigned long addr)
{
	*(volatile char *)addr = 0x13;
	exit(0);
}

/* Child body: read() from a pipe into text_target; exits 0 if refused. */
static void read_into_code(unsigned long unused)
{
	int p[2], n;

	(void)unused;
	if (pipe(p) < 0)
		exit(2);
	write(p[1], "0123456789abcdef", CODE_BYTES);
	n = read(p[0], (char *)text_target, CODE_BYTES);
	exit(n < 0 && code_intact() ? 0 : 1);
}

/*
 * Child body: forks a grandchild sharing the text, then stores to the text
 * (and is killed). The grandchild waits until released, then reports
 * through the report pipe whether the code is intact.
 */
static void fork_then_store(unsigned long unused)
{
	int pid;

	(void)unused;
	pid = fork();
	if (pid == 0) {
		char c;
		read(release[0], &c, 1);
		write(report[1], code_intact() ? "y" : "n", 1);
		exit(0);
	}
	if (pid < 0)
		exit(2);
	store_to((unsigned long)text_target);
}

int main(void)
{
	long baseline;
	int status;
	char answer = '?';

	tap_plan(9);
	memcpy(saved, (const void *)text_target, CODE_BYTES);
	if (pipe(report) < 0 || pipe(release) < 0) {
		printf("Bail out! pipe failed\n");
		exit(1);
	}
	baseline = free_pages();

	status = run_in_child(store_to, (unsigned long)text_target);
	ok(status == -1,
	   "a child's store to a function's code kills it with -1 (status %d)",
	   status);
	ok(code_intact(), "the parent's code is unchanged and still runs");

	status = run_in_child(store_to, (unsigned long)printf);
	ok(status == -1,
	   "a child's store to library code (printf) kills it too (status %d)",
	   status);

	status = run_in_child(store_to, (unsigned long)rodata_text);
	ok(status == -1,
	   "a child's store to read-only data kills it with -1 (status %d)",
	   status);
	ok(rodata_text[0] == 'r', "the parent's read-only data is unchanged");

	status = run_in_child(read_into_code, 0);
	ok(status == 0, "a child's read() into its code fails (%d)", status);

	status = run_in_child(fork_then_store, 0);
	ok(status == -1,
	   "a child whose own child shares its text is killed storing to it "
	   "(%d)",
	   status);
	write(release[1], "g", 1);
	read(report[0], &answer, 1);
	ok(answer == 'y', "that grandchild's code is intact and runs (%c)",
	   answer);
	check_no_leak(baseline, "cowtext");
	tap_done();
	return 0;
}
