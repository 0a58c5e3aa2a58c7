/*
 * Out of memory: who pays.
 *
 * A page fault that finds no free page does not simply kill the process
 * that faulted: that may be a parent whose wait() status copy hit a page
 * still shared copy-on-write with a memory hog, or anyone else who merely
 * wrote at the wrong moment. Instead the process with the largest resident
 * set (never init) is the victim; on a tie with the faulting process the
 * faulting process itself, as the one that asked (children that
 * copy-on-write their parent's memory have the parent's resident set), on
 * a tie among others the youngest. If that is the faulting
 * process, it is killed. Otherwise the victim is killed (woken if asleep) and
 * the faulting process waits a tick and retries, in user mode by taking
 * the fault again, in a system call by retrying the copy (mm/uaccess.c).
 * While any killed process is still on its way out (an earlier victim,
 * one that paid for its own fault, or one killed by kill()) and holds
 * pages no victim is chosen: its memory is about to come back. Nor when
 * memory came back between the failed allocation and the choice: the
 * fault is just retried. A heap shrink that needs a page to split a 2 MiB
 * page is handled like a fault (proc/sysproc.c).
 */
#include <proc.h>
#include <addrspace.h>
#include <mm.h>
#include <printk.h>
#include <sched.h>
#include "internal.h"

/*
 * A process other than me that was killed but has not given its memory
 * back yet, or NULL. Any killed process counts, not only chosen victims: a
 * hog that paid for its own fault, or one killed by kill(), is about to
 * free what it holds, and its resident set no longer counts
 * (candidate_rss), so choosing now would pick the next largest, often an
 * innocent sharer of the hog's COW memory (cowtorture,100,20 killed its
 * own root so). "Not given back yet": it still holds pages, or it has left
 * its address space and not set mm_freed yet (exit frees the pages before
 * anything in mm_destroy or files_exit can sleep on the log; a process
 * asleep there has nothing left to wait for). A victim thread of a larger
 * process hands its mark to the leader (proc/exit.c).
 */
static struct proc *dying_process(struct proc *me)
{
	struct proc *p;
	bool dying;

	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		if (p == me)
			continue;
		spin_lock(&p->lock);
		dying = p->state != P_UNUSED && p->state != P_ZOMBIE &&
			(p->oom_victim || p->killed) && !p->mm_freed &&
			(p->mm ? mm_resident_pages(p->mm) > 0
			       : p->state != P_SLEEPING);
		spin_unlock(&p->lock);
		if (dying)
			return p;
	}
	return NULL;
}

/*
 * The resident set of p, or 0 when p is not a live user process or (unless
 * it is the caller asking about itself) is already dying.
 */
static u64 candidate_rss(struct proc *p, bool self)
{
	u64 rss = 0;

	spin_lock(&p->lock);
	/* p->mm stays alive while we hold p->lock (exit and exec detach it
	 * under the lock before freeing it). */
	if (p->state != P_UNUSED && p->state != P_ZOMBIE && p->mm &&
	    (self || !p->killed))
		rss = mm_resident_pages(p->mm);
	spin_unlock(&p->lock);
	return rss;
}

/*
 * The live user process other than init and me with the largest resident
 * set, if it holds more than me (*rss gets its size); NULL when I hold as
 * much as anyone: then I pay, as the one that asked. Among others of equal
 * size the youngest (highest pid) is chosen: it has done the least work,
 * and a parent whose children still share its copy-on-write memory has
 * exactly their resident set (cowtorture,103,20 lost its root to a tie).
 */
static struct proc *larger_process(struct proc *me, u64 *rss)
{
	struct proc *p, *best = NULL;
	u64 most = 0, n;

	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		if (p == init_proc || p == me)
			continue;
		n = candidate_rss(p, false);
		if (n > most || (n && n == most && p->pid > best->pid)) {
			best = p;
			most = n;
		}
	}
	/* init must not die: any other process is a larger one. */
	if (!best || (me != init_proc && most <= candidate_rss(me, true)))
		return NULL;
	*rss = most;
	return best;
}

/*
 * Free pages enough for any one fault (the page, two page tables, a slab
 * page for a VMA split): if this many came back since the allocation
 * failed, the fault is retried instead of anyone being killed.
 */
#define OOM_RETRY_FREE 16

/* I pay: marked so that others wait for my memory instead of choosing. */
static enum oom_choice pay_myself(struct proc *me)
{
	WRITE_ONCE(me->oom_victim, true);
	return OOM_SELF;
}

/*
 * One chooser at a time: two harts faulting at once would otherwise both
 * find no dying process, and the second, no longer counting the victim the
 * first had just marked, would kill the next largest, an innocent one
 * (cowtorture,3651399204,30 on 4 harts, in a soak). Lock order: oom_lock,
 * then any process lock.
 */
static struct spinlock oom_lock = SPINLOCK_INIT("oom_lock");

/* Kills victim for memory; false when it is already gone. oom_lock held. */
static bool kill_victim(struct proc *victim)
{
	bool alive;

	spin_lock(&victim->lock);
	alive = victim->state != P_UNUSED && victim->state != P_ZOMBIE;
	if (alive) {
		victim->oom_victim = true;
		victim->killed = true;
		if (victim->state == P_SLEEPING)
			victim->state = P_RUNNABLE;
	}
	spin_unlock(&victim->lock);
	return alive;
}

enum oom_choice oom_choose_victim(void)
{
	struct proc *me = current(), *victim = NULL;
	enum oom_choice choice = OOM_WAIT;
	u64 rss = 0;

	spin_lock(&oom_lock);
	if (current_killed()) {
		choice = pay_myself(me); /* dying anyway: nobody else pays */
	} else if (dying_process(me) || free_page_count() >= OOM_RETRY_FREE) {
		choice = OOM_WAIT;
	} else {
		victim = larger_process(me, &rss);
		if (!victim)
			choice = pay_myself(me);
		else if (!kill_victim(victim))
			victim = NULL; /* it just went, and its memory with it */
	}
	spin_unlock(&oom_lock);
	if (victim)
		printk("calf: out of memory: killed pid %d (%s, %lu pages) for "
		       "pid %d (%s, %lu pages); %lu pages free\n",
		       victim->pid, victim->name, rss, me->pid, me->name,
		       candidate_rss(me, true), free_page_count());
	return choice;
}
