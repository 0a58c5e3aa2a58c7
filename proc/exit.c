/*
 * exit, wait and kill, for processes of one thread or many.
 *
 * exit() ends the whole process (Linux's exit_group): the calling thread
 * marks the others killed; each of them ends on its way back to user mode
 * (thread_finish: it leaves the address space and becomes a zombie). The
 * leader waits for all of them, frees their slots, then releases the address
 * space and then the files (so every page is free the moment the process
 * is a zombie), hands its children to init, and becomes the
 * zombie its parent's wait() collects. A kill() marks every thread.
 */
#include <proc.h>
#include <addrspace.h>
#include <file.h>
#include <mm.h>
#include <sched.h>
#include <errno.h>
#include <printk.h>
#include <uaccess.h>
#include "internal.h"

/* Gives p's children to init. wait_lock held on entry and exit. */
static void reparent(struct proc *p)
{
	struct proc *c;

	for (c = proc_table; c < &proc_table[NPROC]; c++) {
		if (c->parent == p) {
			c->parent = init_proc;
			wakeup(init_proc);
		}
	}
}

/* Takes the calling thread out of its address space; the address space
 * itself stays (its leader destroys it). */
static struct mm *leave_mm(struct proc *p)
{
	struct mm *mm;

	spin_lock(&p->lock);
	mm = p->mm;
	p->mm = NULL;
	if (mm) {
		mm_activate_kernel();
		mm_leave(mm);
	}
	spin_unlock(&p->lock);
	return mm;
}

/* Becomes a zombie with status and switches away for good. wait_lock held
 * on entry; released. */
static void __noreturn become_zombie(struct proc *p, int status)
{
	spin_lock(&p->lock);
	p->xstate = status;
	p->state = P_ZOMBIE;
	spin_unlock(&wait_lock);
	sched();
	panic("become_zombie: zombie pid %d ran again", p->pid);
}

/*
 * Ends a thread that is not the last of its process: it leaves the address
 * space and becomes a zombie that thread_join() or its leader frees. Takes
 * and releases wait_lock itself.
 */
static void __noreturn thread_finish(struct proc *p, int status)
{
	leave_mm(p);
	spin_lock(&wait_lock);
	/* An OOM victim's memory comes back when its leader ends: until
	 * then the leader is the victim still on its way out (proc/oom.c). */
	if (READ_ONCE(p->oom_victim))
		WRITE_ONCE(p->tg->leader->oom_victim, true);
	wakeup(p->tg); /* the leader waiting in exit, or a joiner */
	become_zombie(p, status);
}

/*
 * Ends the process whose last thread (its leader) p is: address space,
 * files, children, then the zombie for the parent's wait().
 */
static void __noreturn process_finish(struct proc *p, int status)
{
	struct mm *mm;

	if (p->mm) /* stores through shared file mappings reach the file */
		mm_writeback_all(p->mm);
	mm = leave_mm(p);
	if (mm)
		mm_destroy(mm);
	WRITE_ONCE(p->mm_freed, true);
	/* Memory before files: closing a file may wait for the log, and a
	 * process inside a log operation may be waiting for the memory of
	 * this one, an out-of-memory victim (cowtorture,101,20 waited so
	 * until its copy gave up). */
	files_exit(p->tg);
	spin_lock(&wait_lock);
	reparent(p);
	p->tg->dead = true;
	wakeup(p->parent);
	become_zombie(p, status);
}

void do_exit(int status)
{
	struct proc *p = current();
	struct tgroup *tg = p->tg;

	if (p == init_proc)
		panic("do_exit: init exited with status %d", status);
	spin_lock(&wait_lock);
	if (tg->execer && tg->execer != p) {
		/* Another thread is in exec: it outlives us all. */
		spin_unlock(&wait_lock);
		thread_finish(p, status);
	}
	if (!tg->exiting) {
		tg->exiting = true;
		tg->xstatus = status;
	}
	group_kill_others(tg, p);
	if (tg->leader != p) {
		spin_unlock(&wait_lock);
		thread_finish(p, status);
	}
	group_wait_others(tg, p);
	if (tg->execer && tg->execer != p) {
		spin_unlock(&wait_lock);
		thread_finish(p, status);
	}
	group_free_others(tg, p);
	status = tg->xstatus;
	spin_unlock(&wait_lock);
	process_finish(p, status);
}

void do_thread_exit(int status)
{
	struct proc *p = current();
	struct tgroup *tg = p->tg;

	if (p == init_proc)
		panic("do_thread_exit: init exited with status %d", status);
	spin_lock(&wait_lock);
	if (tg->leader != p || (tg->execer && tg->execer != p)) {
		spin_unlock(&wait_lock);
		thread_finish(p, status);
	}
	/* The leader is the last to go: the process ends with status when
	 * every other thread has (unless one of them calls exit() first). */
	group_wait_others(tg, p);
	if (tg->execer && tg->execer != p) {
		/* A thread in exec takes the process over. */
		spin_unlock(&wait_lock);
		thread_finish(p, status);
	}
	group_free_others(tg, p);
	if (tg->exiting)
		status = tg->xstatus;
	spin_unlock(&wait_lock);
	process_finish(p, status);
}

/* Waits for a child process to exit; returns its pid, or -ECHILD. Any
 * thread may wait for the children of its process. */
int do_wait(uaddr_t status_addr)
{
	struct proc *p = current(), *c;

	spin_lock(&wait_lock);
	for (;;) {
		struct proc *me = p->tg->leader;
		bool have_kids = false;

		for (c = proc_table; c < &proc_table[NPROC]; c++) {
			if (c->parent != me)
				continue;
			have_kids = true;
			spin_lock(&c->lock);
			if (c->state == P_ZOMBIE && c->tg->dead && !c->reaping) {
				int pid = c->pid, st = c->xstate;

				/*
				 * Claimed, then copied with no lock held: the
				 * copy may wait for an out-of-memory victim, and
				 * another thread of ours waiting meanwhile must
				 * not reap c too (it did, and freed the slot a
				 * new process then had: "proc_free: pid N still
				 * has an address space", sysfuzz on 4 harts).
				 */
				c->reaping = true;
				spin_unlock(&c->lock);
				spin_unlock(&wait_lock);
				if (status_addr && copy_to_user(status_addr, &st, sizeof(st))) {
					spin_lock(&wait_lock);
					spin_lock(&c->lock);
					c->reaping = false; /* left for a later wait() */
					spin_unlock(&c->lock);
					wakeup(me);
					spin_unlock(&wait_lock);
					return -EFAULT;
				}
				spin_lock(&wait_lock);
				spin_lock(&c->lock);
				proc_free(c);
				spin_unlock(&c->lock);
				wakeup(me); /* a waiter that saw c claimed looks again */
				spin_unlock(&wait_lock);
				return pid;
			}
			spin_unlock(&c->lock);
		}
		if (!have_kids || current_killed()) {
			spin_unlock(&wait_lock);
			return -ECHILD;
		}
		sleep(me, &wait_lock);
	}
}

int proc_wait_child(void)
{
	return do_wait(0);
}

/*
 * Marks every thread of the process with id pid (any of its threads' ids
 * names it too) killed; each exits on its way back to user mode (a sleeper
 * is woken first), and the process ends with status -1. Returns 0, -ESRCH
 * when no process has that pid, or -EPERM for init: init cannot be
 * killed, not even by itself, since the machine cannot go on without it.
 */
int do_kill(int pid)
{
	struct proc *p;
	int err = -ESRCH;

	if (init_proc && pid == init_proc->pid)
		return -EPERM;
	if (pid <= 0)
		return -ESRCH;
	spin_lock(&wait_lock);
	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		if (READ_ONCE(p->pid) == pid &&
		    READ_ONCE(p->state) != P_UNUSED && p->tg) {
			group_kill_others(p->tg, NULL);
			err = 0;
			break;
		}
	}
	spin_unlock(&wait_lock);
	return err;
}
