/*
 * Threads: several struct procs sharing one address space, file table and
 * working directory (struct tgroup, include/proc.h).
 *
 * thread_create starts a thread at an entry point on a stack the caller
 * provides; thread_join waits for one and frees its slot; thread_exit ends
 * the calling thread only. The group helpers below are how exit, kill and
 * exec end the other threads of a process. wait_lock guards the group
 * (which slots belong to it, its leader and flags).
 */
#include <proc.h>
#include <addrspace.h>
#include <mm.h>
#include <sched.h>
#include <errno.h>
#include <string.h>
#include <uaccess.h>
#include <trap.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>
#include "internal.h"

struct tgroup *tgroup_new(struct proc *leader)
{
	struct tgroup *tg = kzalloc(sizeof(*tg));

	if (!tg)
		return NULL;
	spin_init(&tg->lock, "tgroup");
	tg->leader = leader;
	tg->tgid = leader->pid;
	return tg;
}

/* True when c is a thread of tg other than p that has not finished. */
static bool live_other(struct proc *c, struct tgroup *tg, struct proc *p)
{
	enum proc_state s = READ_ONCE(c->state);

	return c != p && c->tg == tg && s != P_UNUSED && s != P_ZOMBIE;
}

void group_kill_others(struct tgroup *tg, struct proc *p)
{
	struct proc *c;
	bool woke = false;

	assert_held(&wait_lock);
	for (c = proc_table; c < &proc_table[NPROC]; c++) {
		if (!live_other(c, tg, p))
			continue;
		spin_lock(&c->lock);
		c->killed = true;
		if (c->state == P_SLEEPING) {
			c->state = P_RUNNABLE;
			woke = true;
		}
		spin_unlock(&c->lock);
	}
	if (woke)
		kick_idle_hart();
}

void group_wait_others(struct tgroup *tg, struct proc *p)
{
	struct proc *c;

	assert_held(&wait_lock);
	for (;;) {
		bool any = false;

		/* Another thread in exec outlives p: stop waiting for it. */
		if (tg->execer && tg->execer != p)
			return;
		for (c = proc_table; c < &proc_table[NPROC] && !any; c++)
			any = live_other(c, tg, p);
		if (!any)
			return;
		sleep(tg, &wait_lock);
	}
}

void group_free_others(struct tgroup *tg, struct proc *p)
{
	struct proc *c;

	assert_held(&wait_lock);
	for (c = proc_table; c < &proc_table[NPROC]; c++) {
		if (c == p || c->tg != tg)
			continue;
		spin_lock(&c->lock);
		if (c->state != P_ZOMBIE)
			panic("group_free_others: thread %d of %d in state %d",
			      c->pid, tg->tgid, c->state);
		proc_free(c);
		spin_unlock(&c->lock);
	}
}

int group_threads(struct tgroup *tg)
{
	struct proc *c;
	int n = 0;

	for (c = proc_table; c < &proc_table[NPROC]; c++)
		if (READ_ONCE(c->tg) == tg && READ_ONCE(c->state) != P_UNUSED &&
		    READ_ONCE(c->state) != P_ZOMBIE)
			n++;
	return n;
}

long do_thread_create(u64 pc, u64 sp, u64 arg0, u64 arg1)
{
	struct proc *p = current(), *np;
	struct tgroup *tg = p->tg;
	int tid;

	if (pc >= USER_TOP || sp >= USER_TOP || sp < PAGE_SIZE ||
	    !IS_ALIGNED(sp, 16) || !p->mm)
		return -EINVAL;
	np = proc_alloc();
	if (!np)
		return -EAGAIN;
	*np->tf = *p->tf; /* gp, tp and the rest as the creator has them */
	trapframe_set_thread(np->tf, pc, sp, arg0, arg1);
	strlcpy(np->name, p->name, sizeof(np->name));
	tid = np->pid;
	spin_unlock(&np->lock);

	spin_lock(&wait_lock);
	/* exit() or exec() is ending the threads: do not add one. */
	if (tg->exiting || tg->execer || current_killed()) {
		spin_unlock(&wait_lock);
		spin_lock(&np->lock);
		proc_free(np);
		spin_unlock(&np->lock);
		return -EINTR;
	}
	np->tg = tg;
	spin_lock(&np->lock);
	np->mm = p->mm; /* the leader keeps it alive: it is the last to go */
	np->state = P_RUNNABLE;
	spin_unlock(&np->lock);
	spin_unlock(&wait_lock);
	return tid;
}

long do_thread_join(int tid, uaddr_t status_addr)
{
	struct proc *p = current(), *c;
	struct tgroup *tg = p->tg;

	if (tid == p->pid)
		return -EDEADLK;
	spin_lock(&wait_lock);
	for (c = proc_table; c < &proc_table[NPROC]; c++)
		if (c->tg == tg && c->pid == tid && c->state != P_UNUSED)
			break;
	if (c == &proc_table[NPROC] || c == tg->leader) {
		/* Not a thread of ours, or the leader (it outlives the
		 * others: joining it would wait for ever). */
		spin_unlock(&wait_lock);
		return c == tg->leader ? -EINVAL : -ESRCH;
	}
	for (;;) {
		if (c->tg != tg || c->pid != tid || c->state == P_UNUSED) {
			/* Another joiner took it. */
			spin_unlock(&wait_lock);
			return -ESRCH;
		}
		if (c->state == P_ZOMBIE)
			break;
		if (current_killed()) {
			spin_unlock(&wait_lock);
			return -EINTR;
		}
		sleep(tg, &wait_lock);
	}
	spin_lock(&c->lock);
	if (status_addr &&
	    copy_to_user(status_addr, &c->xstate, sizeof(c->xstate))) {
		spin_unlock(&c->lock);
		spin_unlock(&wait_lock);
		return -EFAULT;
	}
	proc_free(c);
	spin_unlock(&c->lock);
	spin_unlock(&wait_lock);
	return tid;
}
