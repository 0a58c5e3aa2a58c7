/*
 * futex_wait/futex_wake: sleeping on a 32-bit word of user memory, so that
 * user mutexes, condition waits and joins sleep instead of spinning.
 *
 * futex_wait(addr, val) sleeps only if *addr still holds val when checked
 * under futex_lock; futex_wake(addr, n) wakes up to n threads of the
 * caller's address space sleeping on addr, under the same lock, so a wake
 * that follows a store to *addr cannot slip in between another thread's
 * check and its sleep. The sleep channel is the user address itself (no
 * kernel channel lies below USER_TOP); the address space tells processes
 * apart. Private futexes only: after fork the child's words are its own.
 */
#include <proc.h>
#include <addrspace.h>
#include <sched.h>
#include <errno.h>
#include <uaccess.h>
#include "internal.h"

static struct spinlock futex_lock = SPINLOCK_INIT("futex");

static int futex_check(uaddr_t addr)
{
	if (addr >= USER_TOP || addr < PAGE_SIZE || (addr & 3))
		return -EINVAL;
	return 0;
}

long do_futex_wait(uaddr_t addr, u32 val)
{
	u32 cur;
	int err = futex_check(addr);

	if (err)
		return err;
	/* Lock order: futex_lock > proc->lock > mm->lock (a fault in the
	 * read below takes mm->lock; faults never sleep). */
	spin_lock(&futex_lock);
	if (copy_from_user(&cur, addr, sizeof(cur))) {
		spin_unlock(&futex_lock);
		return -EFAULT;
	}
	if (cur != val) {
		spin_unlock(&futex_lock);
		return -EAGAIN;
	}
	if (current_killed()) {
		spin_unlock(&futex_lock);
		return -EINTR;
	}
	sleep((void *)addr, &futex_lock);
	spin_unlock(&futex_lock);
	return current_killed() ? -EINTR : 0;
}

long do_futex_wake(uaddr_t addr, int n)
{
	struct proc *me = current(), *p;
	struct mm *mm = me->mm;
	int err = futex_check(addr), woken = 0;

	if (err)
		return err;
	if (n <= 0)
		return 0;
	spin_lock(&futex_lock);
	for (p = proc_table; p < &proc_table[NPROC] && woken < n; p++) {
		if (p == me || READ_ONCE(p->state) != P_SLEEPING ||
		    READ_ONCE(p->chan) != (void *)addr)
			continue;
		spin_lock(&p->lock);
		if (p->state == P_SLEEPING && p->chan == (void *)addr &&
		    p->mm == mm) {
			p->state = P_RUNNABLE;
			woken++;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&futex_lock);
	if (woken)
		kick_idle_hart();
	return woken;
}
