/* Self tests for the harts, the tick and spinlocks across harts. */
#include <ktest.h>
#include <proc.h>
#include <smp.h>
#include <sched.h>
#include <spinlock.h>
#include <printk.h>
#include <platform.h>
#include <asm/cpu.h>

KTEST(smp_every_usable_hart_online)
{
	int usable = 0, i;

	for (i = 0; i < platform.ncpus; i++)
		usable += platform.cpus[i].usable;
	if (usable > MAX_CPUS)
		usable = MAX_CPUS;
	KT_EQ(ncpus_possible, usable);
	KT_EQ(ncpus_online, ncpus_possible);
	for (i = 0; i < ncpus_possible; i++)
		KT_ASSERT(cpus[i].online);
}

KTEST(smp_every_hart_takes_timer_ticks)
{
	u64 before[MAX_CPUS], t0 = ticks;
	int i, waited, missing = 0;

	for (i = 0; i < ncpus_possible; i++)
		before[i] = READ_ONCE(cpus[i].timer_ticks);
	/* Under a loaded host a hart may lag; give each up to 2 s. */
	for (waited = 0; waited < 2 * HZ; waited += 5) {
		KT_EQ(pause_ticks(5), 0);
		missing = 0;
		for (i = 0; i < ncpus_possible; i++)
			if (READ_ONCE(cpus[i].timer_ticks) <= before[i])
				missing++;
		if (!missing)
			break;
	}
	KT_ASSERT(ticks - t0 >= 5);
	for (i = 0; i < ncpus_possible; i++)
		if (READ_ONCE(cpus[i].timer_ticks) <= before[i])
			printk("#   cpu %d (hart %u) took no tick\n", i, cpus[i].hartid);
	KT_EQ(missing, 0);
}

#define CONTENDERS 8
#define ROUNDS 20000

static struct spinlock test_lock = SPINLOCK_INIT("ktest");
static volatile u64 counter;
static volatile u64 harts_seen; /* bitmask of cpu indices that ran a contender */

static void contend(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		spin_lock(&test_lock);
		/* A non-atomic read-modify-write: only the lock keeps it exact. */
		counter = counter + 1;
		__atomic_or_fetch(&harts_seen, 1UL << cpu_id(), __ATOMIC_RELAXED);
		spin_unlock(&test_lock);
	}
}

KTEST(spinlock_contention_across_harts)
{
	int i, started = 0;

	counter = 0;
	harts_seen = 0;
	for (i = 0; i < CONTENDERS; i++)
		if (kthread_start("contend", contend, NULL) > 0)
			started++;
	KT_EQ(started, CONTENDERS);
	for (i = 0; i < CONTENDERS; i++)
		KT_ASSERT(proc_wait_child() > 0);
	KT_EQ(counter, (u64)CONTENDERS * ROUNDS);
	if (ncpus_possible > 1 && (harts_seen & (harts_seen - 1)) == 0)
		printk("#   note: contenders ran on one hart only (mask %lx)\n", harts_seen);
}

static void lock_twice(void *arg)
{
	struct spinlock *lk = arg;

	spin_lock(lk);
	spin_lock(lk);
}

KTEST(spinlock_recursion_panics)
{
	struct spinlock lk = SPINLOCK_INIT("recursive");

	KT_ASSERT(ktest_expect_panic(lock_twice, &lk));
}

/* Burns stack until it hits the guard page. */
static int __attribute__((noinline)) deep(int n)
{
	volatile char frame[512];

	frame[0] = (char)n;
	if (n > 1000000) /* never: the guard page stops us long before */
		return 0;
	return deep(n + 1) + frame[0];
}

static void overflow(void *arg)
{
	deep(0);
}

KTEST(kernel_stack_overflow_is_reported)
{
	KT_ASSERT(ktest_expect_panic(overflow, NULL));
}
