/*
 * exit, wait and kill.
 *
 * An exiting process releases its files and its address space itself
 * (so every page is free the moment it is a zombie), hands its children to
 * init, and becomes a zombie until its parent's wait() collects the status.
 */
#include <proc.h>
#include <addrspace.h>
#include <file.h>
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

void do_exit(int status)
{
	struct proc *p = current();
	struct mm *mm;

	if (p == init_proc)
		panic("do_exit: init exited with status %d", status);
	files_exit(p);
	if (p->mm) /* stores through shared file mappings reach the file */
		mm_writeback_all(p->mm);

	/* Leave the address space before freeing it. */
	spin_lock(&p->lock);
	mm = p->mm;
	p->mm = NULL;
	if (mm) {
		mm_activate_kernel();
		mm_leave(mm);
	}
	spin_unlock(&p->lock);
	if (mm)
		mm_destroy(mm);

	spin_lock(&wait_lock);
	reparent(p);
	wakeup(p->parent);
	spin_lock(&p->lock);
	p->xstate = status;
	p->state = P_ZOMBIE;
	spin_unlock(&wait_lock);
	sched();
	panic("do_exit: zombie pid %d ran again", p->pid);
}

/* Waits for a child to exit; returns its pid, or -ECHILD. */
int do_wait(uaddr_t status_addr)
{
	struct proc *p = current(), *c;

	spin_lock(&wait_lock);
	for (;;) {
		bool have_kids = false;

		for (c = proc_table; c < &proc_table[NPROC]; c++) {
			if (c->parent != p)
				continue;
			have_kids = true;
			spin_lock(&c->lock);
			if (c->state == P_ZOMBIE) {
				int pid = c->pid, st = c->xstate;
				spin_unlock(&c->lock);
				spin_unlock(&wait_lock);
				/*
				 * Copy with no lock held: the copy may wait for
				 * an out-of-memory victim. Only we reap our
				 * children, so c stays our zombie meanwhile.
				 */
				if (status_addr && copy_to_user(status_addr, &st, sizeof(st)))
					return -EFAULT;
				spin_lock(&wait_lock);
				spin_lock(&c->lock);
				proc_free(c);
				spin_unlock(&c->lock);
				spin_unlock(&wait_lock);
				return pid;
			}
			spin_unlock(&c->lock);
		}
		if (!have_kids || current_killed()) {
			spin_unlock(&wait_lock);
			return -ECHILD;
		}
		sleep(p, &wait_lock);
	}
}

int proc_wait_child(void)
{
	return do_wait(0);
}

/*
 * Marks process pid killed; it exits with status -1 on its way back to
 * user mode (a sleeper is woken first). Returns 0, -ESRCH when no process
 * has that pid, or -EPERM for init: init cannot be killed, not even by
 * itself, since the machine cannot go on without it.
 */
int do_kill(int pid)
{
	struct proc *p;

	if (init_proc && pid == init_proc->pid)
		return -EPERM;
	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		spin_lock(&p->lock);
		if (p->pid == pid && p->state != P_UNUSED) {
			p->killed = true;
			if (p->state == P_SLEEPING)
				p->state = P_RUNNABLE;
			spin_unlock(&p->lock);
			return 0;
		}
		spin_unlock(&p->lock);
	}
	return -ESRCH;
}
