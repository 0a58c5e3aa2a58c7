/*
 * In-kernel self tests. A test is a function declared with KTEST(name);
 * the linker collects them in section .ktests, and ktest_run_all() runs them
 * at boot (when the command line says ktest, or in a -Dktest=true build),
 * printing TAP on the console:
 *
 *   KTEST(page_refcount) {
 *       struct page *pg = alloc_page(0);
 *       KT_ASSERT(pg != NULL);
 *       ...
 *   }
 *
 * A failed KT_ASSERT prints "not ok" with the file, line and expression and
 * ends that test; later tests still run.
 */
#ifndef CALF_KTEST_H
#define CALF_KTEST_H

#include <types.h>

struct ktest {
	const char *name;
	void (*fn)(struct ktest *t);
	bool failed;
	const char *skipped; /* why, when the test could not run here */
};

#define KTEST(tname)                                                      \
	static void ktest_fn_##tname(struct ktest *t);                    \
	static struct ktest ktest_##tname = { .name = #tname,             \
					      .fn = ktest_fn_##tname };   \
	static struct ktest *ktest_ptr_##tname __section(".ktests") __used = \
		&ktest_##tname;                                           \
	static void ktest_fn_##tname(struct ktest *t __unused)

void ktest_fail(struct ktest *t, const char *file, int line, const char *expr);

#define KT_ASSERT(cond)                                                  \
	do {                                                             \
		if (!(cond)) {                                           \
			ktest_fail(t, __FILE__, __LINE__, #cond);        \
			return;                                          \
		}                                                        \
	} while (0)
#define KT_EQ(a, b)                                                      \
	do {                                                             \
		long long ka_ = (long long)(a), kb_ = (long long)(b);    \
		if (ka_ != kb_) {                                        \
			printk("#   %s = %lld, %s = %lld\n", #a, ka_, #b, kb_); \
			ktest_fail(t, __FILE__, __LINE__, #a " == " #b); \
			return;                                          \
		}                                                        \
	} while (0)

/* Ends the test as skipped (TAP "# SKIP why"): it cannot run here, e.g. a
 * cross-hart test on one hart. A skip is not a pass in disguise: use it
 * only when the machine lacks what the test needs. */
#define KT_SKIP(why)                                                     \
	do {                                                             \
		t->skipped = (why);                                      \
		return;                                                  \
	} while (0)

/*
 * A death test: runs fn(arg) and reports whether it panicked with a
 * message containing expect (a panic with any other message is reported
 * and counts as false: the test must die of the bug it is about). "" takes
 * any panic, for asserting that fn does not panic. panic() on this hart
 * longjmps back here instead of stopping the machine. Only for code that
 * panics before touching shared state or taking a lock.
 */
bool ktest_expect_panic(void (*fn)(void *), void *arg, const char *expect);
/* The message of the last panic a death test caught (kernel/panic.c). */
#define KTEST_PANIC_MSG 160
extern char ktest_panic_msg[KTEST_PANIC_MSG];

/* Runs all tests (or those whose name starts with filter); returns failures. */
int ktest_run_all(const char *filter);

/* The tests, collected by arch/riscv64/kernel.lds. */
extern struct ktest *__ktests_start[], *__ktests_end[];

#endif
