/*
 * fork(): a new process with a duplicate of the caller's address space
 * (mm_dup: copy-on-write, or an eager copy in the -Dfork=eager kernel),
 * open files and working directory. The child returns 0 from the syscall.
 */
#include <proc.h>
#include <addrspace.h>
#include <file.h>
#include <errno.h>
#include <string.h>
#include <asm/syscall.h>
#include "internal.h"

long do_fork(void)
{
	struct proc *p = current(), *np;
	int pid;

	np = proc_alloc();
	if (!np)
		return -EAGAIN;
	np->mm = mm_dup(p->mm);
	if (!np->mm) {
		proc_free(np);
		spin_unlock(&np->lock);
		return -ENOMEM;
	}
	*np->tf = *p->tf;
	syscall_set_return(np->tf, 0); /* the child sees fork() return 0 */
	strlcpy(np->name, p->name, sizeof(np->name));
	spin_unlock(&np->lock);

	files_fork(p, np);

	spin_lock(&wait_lock);
	np->parent = p;
	spin_unlock(&wait_lock);

	spin_lock(&np->lock);
	pid = np->pid;
	np->state = P_RUNNABLE;
	spin_unlock(&np->lock);
	return pid;
}
