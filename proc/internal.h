/* Private to proc/. Lock order: wait_lock > proc->lock > mm->lock. */
#ifndef PROC_INTERNAL_H
#define PROC_INTERNAL_H

#include <proc.h>

extern struct proc proc_table[NPROC];
extern struct spinlock wait_lock;
extern struct proc *init_proc;

/* A free slot in state P_USED with a fresh pid and kernel stack, its lock
 * held; NULL when the table is full. */
struct proc *proc_alloc(void);
/* Returns a slot to P_UNUSED. p->lock held on entry and exit. */
void proc_free(struct proc *p);
/* Switches to the scheduler; p->lock held on entry and again on return,
 * p->state already changed. */
void sched(void);
/* First code of every new process in the kernel. */
void fork_return(void);
/* fork(): the child's pid, -EAGAIN (no slot) or -ENOMEM. */
long do_fork(void);
/* procinfo: copies up to max entries to buf; the count or -EFAULT. */
long proc_list(uaddr_t buf, int max);
/* Processes in use (memstat). */
long proc_count(void);
/* pmap: up to max struct vmainfo of process pid into buf; the count, or
 * -ESRCH, -EINVAL, -EFAULT, -ENOMEM. At most a page's worth. */
long proc_vmainfo(int pid, uaddr_t buf, int max);
int do_wait(uaddr_t status_addr);
int do_kill(int pid);
/*
 * Parks every other hart at the top of its scheduler loop (kcheck). 0,
 * -EAGAIN when another stop is in progress (sleep, so that this hart can
 * park for it, and try again), or -EBUSY when a hart did not come within
 * 10 s. Called from process context with no lock held; world_resume()
 * undoes it.
 */
int world_stop(void);
void world_resume(void);

#endif
