/*
 * fork(): a new process with a duplicate of the caller's address space
 * (mm_dup: copy-on-write, or an eager copy in the -Dfork=eager kernel),
 * open files and working directory. The child returns 0 from the syscall.
 */
#include <proc.h>
#include <addrspace.h>
#include <file.h>
#include <mm.h>
#include <errno.h>
#include <string.h>
#include <asm/syscall.h>
#include "internal.h"

long do_fork(void)
{
	struct proc *p = current(), *np;
	struct tgroup *tg;
	int pid;

	np = proc_alloc();
	if (!np)
		return -EAGAIN;
	tg = tgroup_new(np);
	/*
	 * With other threads of p running on other harts, mm_dup
	 * write-protects p's pages and flushes every hart that runs p's
	 * address space before it drops p->mm->lock: once it returns, no
	 * thread of p can store into a page the child shares. np's lock is
	 * not held across it: a failing mm_dup may sleep (a mapped file's
	 * last reference waits for the log). Nothing else touches np yet.
	 */
	spin_unlock(&np->lock);
	np->mm = tg ? mm_dup(p->mm) : NULL;
	spin_lock(&np->lock);
	if (!np->mm) {
		kfree(tg);
		proc_free(np);
		spin_unlock(&np->lock);
		return -ENOMEM;
	}
	*np->tf = *p->tf; /* only the calling thread is copied (POSIX) */
	syscall_set_return(np->tf, 0); /* the child sees fork() return 0 */
	strlcpy(np->name, p->name, sizeof(np->name));
	spin_unlock(&np->lock);

	files_fork(p->tg, tg);

	spin_lock(&wait_lock);
	np->tg = tg;
	np->parent = p->tg->leader;
	spin_unlock(&wait_lock);

	spin_lock(&np->lock);
	pid = np->pid;
	np->state = P_RUNNABLE;
	spin_unlock(&np->lock);
	return pid;
}
