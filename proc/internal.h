/* Private to proc/. Lock order: wait_lock > futex_lock > proc->lock >
 * tg->lock, proc->lock > mm->lock. */
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
/* pmap: up to max struct vmainfo of process pid into buf; the count, or
 * -ESRCH, -EINVAL, -EFAULT, -ENOMEM. At most a page's worth. */
long proc_vmainfo(int pid, uaddr_t buf, int max);
/* Processes in use (memstat); *threads gets the threads. */
long proc_count(unsigned long *threads);
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

/* thread.c. A thread group for leader (its pid the tgid), or NULL. */
struct tgroup *tgroup_new(struct proc *leader);
/* Marks every unfinished thread of tg but p (NULL: all) killed and wakes
 * the sleepers. wait_lock held on entry and exit. */
void group_kill_others(struct tgroup *tg, struct proc *p);
/* Sleeps until every thread of tg but p is a zombie, or until another
 * thread than p is in exec (the caller checks tg->execer and ends). wait_lock
 * held on entry and exit (released while asleep). */
void group_wait_others(struct tgroup *tg, struct proc *p);
/* Frees the slots of tg's threads but p, all zombies. wait_lock held. */
void group_free_others(struct tgroup *tg, struct proc *p);
/* Unfinished threads of tg (no lock: a snapshot for listings). */
int group_threads(struct tgroup *tg);
/* thread_create: a thread of the caller's process at pc on stack sp with
 * arguments arg0, arg1; its tid, -EINVAL, -EAGAIN (no slot) or -EINTR (the
 * process is ending). */
long do_thread_create(u64 pc, u64 sp, u64 arg0, u64 arg1);
/* Waits for thread tid of the caller's process to end, stores its status
 * and frees it; tid, or -ESRCH, -EINVAL (the leader), -EDEADLK (itself),
 * -EINTR (killed) or -EFAULT. */
long do_thread_join(int tid, uaddr_t status_addr);
/* futex.c: contracts there. */
long do_futex_wait(uaddr_t addr, u32 val);
long do_futex_wake(uaddr_t addr, int n);
/* sched.c: wakes one idle hart for a newly runnable thread. */
void kick_idle_hart(void);

#endif
