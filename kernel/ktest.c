/*
 * The self-test runner: walks the .ktests section and prints TAP.
 */
#include <ktest.h>
#include <printk.h>
#include <string.h>
#include <spinlock.h>
#include <asm/cpu.h>


struct jmpbuf {
	u64 regs[14];
};

void ktest_fail(struct ktest *t, const char *file, int line, const char *expr)
{
	t->failed = true;
	printk("#   failed at %s:%d: %s\n", file, line, expr);
}

/* True when needle occurs in hay. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

bool ktest_expect_panic(void (*fn)(void *), void *arg, const char *expect)
{
	struct cpu *c;
	struct jmpbuf jb;
	int noff;
	bool intena;

	irq_push_off(); /* stay on this hart, and save the nesting state */
	c = cpu_this();
	noff = c->noff;
	intena = c->intena;
	if (kernel_setjmp(&jb) == 0) {
		c->panic_jmp = &jb;
		fn(arg);
		c->panic_jmp = NULL;
		irq_pop_off();
		return false;
	}
	c = cpu_this();
	c->noff = noff;
	c->intena = intena;
	irq_pop_off();
	if (contains(ktest_panic_msg, expect))
		return true;
	printk("#   panicked, but not with \"%s\"\n", expect);
	return false;
}

static bool matches(const char *name, const char *filter)
{
	return !filter || !*filter || strncmp(name, filter, strlen(filter)) == 0;
}

int ktest_run_all(const char *filter)
{
	struct ktest **tp;
	int n = 0, i = 0, failures = 0;

	for (tp = __ktests_start; tp < __ktests_end; tp++)
		if (matches((*tp)->name, filter))
			n++;
	printk("1..%d\n", n);
	for (tp = __ktests_start; tp < __ktests_end; tp++) {
		struct ktest *t = *tp;

		if (!matches(t->name, filter))
			continue;
		i++;
		t->failed = false;
		t->skipped = NULL;
		t->fn(t);
		if (t->skipped && !t->failed)
			printk("ok %d - %s # SKIP %s\n", i, t->name, t->skipped);
		else
			printk("%s %d - %s\n", t->failed ? "not ok" : "ok", i, t->name);
		if (t->failed)
			failures++;
	}
	printk("# ktest: %d passed, %d failed\n", n - failures, failures);
	return failures;
}
