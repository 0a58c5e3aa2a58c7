/*
 * faulttest: illegal memory accesses kill the process that makes them,
 * with exit status -1, and nothing else. Each probe runs in its own child;
 * the parent checks the child's status.
 */
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/param.h"
#include "user/user.h"
#include "tap.h"

#define KERNEL_LOW 0xffffffc000000000UL  /* start of the kernel half (Sv39) */
#define KERNEL_HIGH 0xffffffff80000000UL /* where kernels usually link */
#define USER_TOP 0x3fffffe000UL          /* nothing user-accessible from here up */

static const char message[] = "read-only data";
static char data_page[PGSIZE] __attribute__((aligned(PGSIZE)));

static void store_byte(unsigned long addr)
{
	*(volatile char *)addr = 42;
	exit(0);
}

static void load_byte(unsigned long addr)
{
	volatile char c = *(volatile char *)addr;

	(void)c;
	exit(0);
}

/* Jumps to addr as if it were code. */
static void jump_to(unsigned long addr)
{
	void (*fn)(void) = (void (*)(void))addr;

	fn();
	exit(0);
}

/* Reads one byte USERSTACK pages below the current stack pointer: the guard page. */
static void below_stack(unsigned long write)
{
	volatile char *p = (volatile char *)(r_sp() - USERSTACK * PGSIZE);

	if (write)
		*p = 1;
	else
		(void)*p;
	exit(0);
}

static volatile int stop_recursion; /* never set: keeps deep() from looking infinite */

/* Recurses until the stack overflows into the guard page. */
static int deep(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (stop_recursion)
		return 0;
	return deep(n + 1) + pad[0];
}

static void overflow_stack(unsigned long unused)
{
	deep(0);
	exit(0);
}

/* One probe: fn(arg) must die with -1. */
static void expect_kill(void (*fn)(unsigned long), unsigned long arg, const char *what)
{
	int status = run_in_child(fn, arg);

	ok(status == -1, "%s kills the process with -1 (status %d)", what, status);
}

int main(void)
{
	long before;
	int status;

	tap_plan(18);
	before = free_pages();

	/* A "ret" at the start of the data page: if it ran, the child would exit 0. */
	data_page[0] = 0x82;
	data_page[1] = 0x80;

	expect_kill(store_byte, 0, "a store to address 0");
	expect_kill(load_byte, 0x800, "a load from page 0");
	expect_kill(store_byte, (unsigned long)main, "a store to program text");
	expect_kill(store_byte, (unsigned long)message, "a store to read-only data");
	expect_kill(jump_to, (unsigned long)data_page, "executing a data page");
	expect_kill(store_byte, KERNEL_LOW, "a store to the kernel half");
	expect_kill(load_byte, KERNEL_HIGH, "a load from the kernel image");
	expect_kill(store_byte, USER_TOP, "a store at 0x3fffffe000");
	expect_kill(load_byte, USER_TOP + PGSIZE, "a load at 0x3ffffff000");
	expect_kill(store_byte, 0x4000000000UL, "a store at 0x4000000000 (MAXVA)");
	expect_kill(store_byte, 0xffffffffffffffffUL, "a store at 0xffffffffffffffff");
	expect_kill(load_byte, 0x80000000UL, "a load from unmapped 0x80000000");
	expect_kill(below_stack, 0, "a load from the stack guard page");
	expect_kill(below_stack, 1, "a store to the stack guard page");
	expect_kill(overflow_stack, 0, "a stack overflow");

	status = run_in_child(load_byte, (unsigned long)message);
	ok(status == 0, "reading read-only data is allowed");
	status = run_in_child(store_byte, (unsigned long)data_page + 5);
	ok(status == 0 && data_page[5] == 0,
	   "a child's store to data works and stays private to it");

	check_no_leak(before, "faulttest");
	tap_done();
	return 0;
}
