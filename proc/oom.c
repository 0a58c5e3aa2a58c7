/*
 * Out of memory: who pays.
 *
 * A page fault that finds no free page does not simply kill the process
 * that faulted: that may be a parent whose wait() status copy hit a page
 * still shared copy-on-write with a memory hog, or anyone else who merely
 * wrote at the wrong moment. Instead the process with the largest resident
 * set (never init) is the victim; on a tie the faulting process itself,
 * as the one that asked (children that copy-on-write their parent's
 * memory have the parent's resident set). If that is the faulting
 * process, it is killed. Otherwise the victim is killed (woken if asleep) and
 * the faulting process waits a tick and retries, in user mode by taking
 * the fault again, in a system call by retrying the copy (mm/uaccess.c).
 * While an earlier victim is still on its way out no second one is
 * chosen: its memory is about to come back.
 */
#include <proc.h>
#include <addrspace.h>
#include <printk.h>
#include <sched.h>
#include "internal.h"

/*
 * A victim that has not given its memory back yet, or NULL. Not "still
 * holds an address space": exit detaches the mm before it frees the pages,
 * and a fault in that window found no victim and no larger process and
 * killed the faulting one (oomvictim-smp4, once on a loaded host). A
 * process becomes a zombie only after its pages are free; a victim thread
 * of a larger process hands its mark to the leader (proc/exit.c).
 */
static struct proc *dying_victim(void)
{
	struct proc *p;

	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		enum proc_state s = READ_ONCE(p->state);

		if (READ_ONCE(p->oom_victim) && s != P_UNUSED && s != P_ZOMBIE)
			return p;
	}
	return NULL;
}

/* The resident set of p, or 0 when p is not a live user process. */
static u64 candidate_rss(struct proc *p)
{
	u64 rss = 0;

	spin_lock(&p->lock);
	/* p->mm stays alive while we hold p->lock (exit and exec detach it
	 * under the lock before freeing it). */
	if (p->state != P_UNUSED && p->state != P_ZOMBIE && p->mm && !p->killed)
		rss = mm_resident_pages(p->mm);
	spin_unlock(&p->lock);
	return rss;
}

/*
 * The live user process other than init and me with the largest resident
 * set, if it holds more than me (*rss gets its size); NULL when I hold as
 * much as anyone: then I pay, as the one that asked.
 */
static struct proc *larger_process(struct proc *me, u64 *rss)
{
	struct proc *p, *best = NULL;
	u64 mine = candidate_rss(me), n;

	/* init must not die: any other process is a larger one. */
	*rss = me == init_proc ? 0 : mine;
	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		if (p == init_proc || p == me)
			continue;
		n = candidate_rss(p);
		if (n > *rss) {
			best = p;
			*rss = n;
		}
	}
	return best;
}

enum oom_choice oom_choose_victim(void)
{
	struct proc *me = current(), *victim;
	u64 rss;

	if (current_killed())
		return OOM_SELF; /* dying anyway: nobody else pays for it */
	victim = dying_victim();
	if (victim)
		return victim == me ? OOM_SELF : OOM_WAIT;
	victim = larger_process(me, &rss);
	if (!victim)
		return OOM_SELF;
	spin_lock(&victim->lock);
	if (victim->state == P_UNUSED || victim->state == P_ZOMBIE) {
		spin_unlock(&victim->lock);
		return OOM_WAIT; /* it just went, and its memory with it */
	}
	victim->oom_victim = true;
	victim->killed = true;
	if (victim->state == P_SLEEPING)
		victim->state = P_RUNNABLE;
	spin_unlock(&victim->lock);
	printk("calf: out of memory: killed pid %d (%s, %lu pages) for pid %d "
	       "(%s)\n",
	       victim->pid, victim->name, rss, me->pid, me->name);
	return OOM_WAIT;
}
