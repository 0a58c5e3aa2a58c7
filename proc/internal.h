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
/* Returns a slot to P_UNUSED (p->lock held). */
void proc_free(struct proc *p);
/* Switches to the scheduler; p->lock held, state already changed. */
void sched(void);
/* First code of every new process in the kernel. */
void fork_return(void);
void proc_first_entry(void);
int do_exec(const char *path, char *const argv[], int argc);
void do_exit(int status) __noreturn;
int do_wait(uaddr_t status_addr);
int do_kill(int pid);

#endif
