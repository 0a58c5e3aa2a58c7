/*
 * The small part of the process API that drivers and the file system need:
 * sleeping on a channel and being woken.
 */
#ifndef CALF_SCHED_H
#define CALF_SCHED_H

#include <spinlock.h>

/*
 * Atomically releases lk and sleeps on chan; reacquires lk before returning.
 * Process context only; lk held on entry and on return (not while asleep).
 */
void sleep(void *chan, struct spinlock *lk);
/*
 * For functions that may sleep (begin_op, sleep_lock): panics at once when
 * a spinlock is held, rather than only on the rare call that does sleep
 * (a fork that failed under a lock dropped a mapped file's last reference,
 * which waits for the log only when the log is busy).
 */
void might_sleep_bad(const char *what) __attribute__((noreturn));
static inline void might_sleep(const char *what)
{
	if (unlikely(cpu_this()->noff != 0))
		might_sleep_bad(what);
}
/* Wakes every process sleeping on chan. Callable from interrupt handlers. */
void wakeup(void *chan);
/* Gives up the CPU to another runnable process, if any. */
void yield(void);
/* True when the current process has been killed and should stop waiting. */
bool current_killed(void);
/* Pid of the current process, or 0 when not in process context. */
int current_pid(void);

/* Clock ticks since boot (HZ per second). */
extern volatile u64 ticks;
/* Guards sleeping on &ticks. */
extern struct spinlock tick_lock;
#define HZ 100

#endif
