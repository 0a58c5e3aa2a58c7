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
static u64 extra_rounds;        /* atomic: rounds beyond ROUNDS */
static u64 contend_deadline;    /* ticks */

static void contend_once(void)
{
	spin_lock(&test_lock);
	/* A non-atomic read-modify-write: only the lock keeps it exact. */
	counter = counter + 1;
	__atomic_or_fetch(&harts_seen, 1UL << cpu_id(), __ATOMIC_RELAXED);
	spin_unlock(&test_lock);
}

/* True when contenders ran on at least two harts. */
static bool two_harts_seen(void)
{
	u64 m = __atomic_load_n(&harts_seen, __ATOMIC_RELAXED);

	return (m & (m - 1)) != 0;
}

/*
 * ROUNDS locked increments, then more until a second hart has joined (a
 * hart that was idle joins at its next tick), for at most 2 s.
 */
static void contend(void *arg)
{
	int i;

	for (i = 0; i < ROUNDS; i++)
		contend_once();
	while (!two_harts_seen() && ticks < contend_deadline) {
		contend_once();
		__atomic_add_fetch(&extra_rounds, 1, __ATOMIC_RELAXED);
	}
}

KTEST(spinlock_contention_across_harts)
{
	int i, started = 0;

	if (ncpus_online < 2)
		KT_SKIP("needs two harts online");
	counter = 0;
	harts_seen = 0;
	extra_rounds = 0;
	contend_deadline = ticks + 2 * HZ;
	for (i = 0; i < CONTENDERS; i++)
		if (kthread_start("contend", contend, NULL) > 0)
			started++;
	KT_EQ(started, CONTENDERS);
	for (i = 0; i < CONTENDERS; i++)
		KT_ASSERT(proc_wait_child() > 0);
	KT_EQ(counter, (u64)CONTENDERS * ROUNDS + extra_rounds);
	/* Otherwise the lock was never contended across harts at all. */
	KT_ASSERT(two_harts_seen());
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

	KT_ASSERT(ktest_expect_panic(lock_twice, &lk, "already held by this hart"));
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
	KT_ASSERT(ktest_expect_panic(overflow, NULL, "kernel stack overflow"));
}
