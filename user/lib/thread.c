/*
 * Threads and the mutex built on futex_wait/futex_wake (calf extensions;
 * README, "Threads").
 */
#include "kernel/types.h"
#include "user/user.h"
#include "user/thread.h"

/* Where every thread starts: the kernel puts fn and arg in the first two
 * argument registers. Returning from fn ends the thread with its value. */
static void thread_start(int (*fn)(void *), void *arg)
{
	thread_exit(fn(arg));
}

int thread_create(int (*fn)(void *), void *arg, void *stack, int size)
{
	uint64 top;

	if (stack == 0 || size < 256)
		return -1;
	top = ((uint64)stack + (uint64)size) & ~15UL;
	return sys_thread_create((uint64)thread_start, top, (uint64)fn,
				 (uint64)arg);
}

/*
 * The mutex word: 0 free, 1 held, 2 held and someone may be asleep on it.
 * Only an unlock that sees 2 pays for a futex_wake, and only a lock that
 * finds it held sleeps.
 */
void mutex_init(struct mutex *m)
{
	m->state = 0;
}

void mutex_lock(struct mutex *m)
{
	int c = 0;

	if (__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		futex_wait(&m->state, 2);
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

void mutex_unlock(struct mutex *m)
{
	if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
		futex_wake(&m->state, 1);
	}
}

/*
 * Condition variables: a sequence number that every signal bumps. A waiter
 * reads it while holding the mutex and sleeps only while it is unchanged,
 * so a signal between its unlock and its sleep is never lost. Wakeups may
 * be spurious: wait in a loop over the condition, as with POSIX.
 */
void cond_init(struct cond *c)
{
	c->seq = 0;
}

void cond_wait(struct cond *c, struct mutex *m)
{
	int seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);

	mutex_unlock(m);
	futex_wait(&c->seq, seq);
	mutex_lock(m);
}

void cond_signal(struct cond *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	futex_wake(&c->seq, 1);
}

void cond_broadcast(struct cond *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	futex_wake(&c->seq, 0x7fffffff);
}
