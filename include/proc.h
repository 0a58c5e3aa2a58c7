/*
 * Processes and threads.
 *
 * A struct proc is one thread: a kernel stack (with its trap frame at the
 * top), a scheduling state and a thread id (pid). The threads of one
 * process form a thread group (struct tgroup) and share its address space
 * (struct mm), its open-file table and working directory (in the tgroup)
 * and its process id (tgid, the leader's pid). A process of one thread is
 * a group of one. The leader is always the last thread of its group to
 * finish: it waits in exit for the others, so the mm and the tgroup live
 * exactly as long as it does.
 * Lock order: wait_lock > proc->lock > tg->lock, proc->lock > mm->lock
 * (the whole order, down to the page allocator's lock, is at the top of
 * mm/internal.h).
 */
#ifndef CALF_PROC_H
#define CALF_PROC_H

#include <types.h>
#include <spinlock.h>
#include <uapi/param.h>
#include <asm/context.h>
#include <asm/cpu.h>

struct mm;
struct file;
struct inode;
struct trapframe;

enum proc_state { P_UNUSED, P_USED, P_SLEEPING, P_RUNNABLE, P_RUNNING, P_ZOMBIE };

/* What the threads of one process share. */
struct tgroup {
	/* guarded by wait_lock */
	struct proc *leader; /* the thread that the parent waits for */
	int tgid;            /* the process id: the leader's pid */
	bool exiting;        /* exit() or a kill: every thread ends */
	int xstatus;         /* the process's exit status once exiting */
	struct proc *execer; /* a thread in exec, ending the others, or NULL */
	bool dead;           /* every thread ended: the parent may reap */

	struct spinlock lock; /* guards ofile[] and cwd */
	struct file *ofile[NOFILE];
	struct inode *cwd;
};

struct proc {
	struct spinlock lock;

	/* guarded by lock */
	enum proc_state state;
	void *chan;     /* sleeping on chan when non-NULL */
	bool killed;
	bool oom_victim; /* killed to free memory (proc/oom.c) */
	bool mm_freed;   /* exit gave its pages back (files may still close) */
	bool reaping;    /* a zombie one wait() has claimed (proc/exit.c) */
	bool oom_retry;  /* a uaccess fault waits for an OOM victim */
	int xstate;     /* exit status for the parent's wait() */
	int pid;
	int cpu;        /* cpu index running it, or -1 */

	/* guarded by wait_lock */
	struct proc *parent; /* the parent process's leader (leaders only) */
	struct tgroup *tg;   /* set at creation; changes only in exec */

	/*
	 * mm: written under lock (exec swaps in the new address space and
	 * exit takes it away, each together with mm_activate()/mm_leave(), so
	 * the scheduler never switches to a half-changed one); read without
	 * the lock only by the process itself or by whoever creates or reaps
	 * it.
	 */
	struct mm *mm;
	struct mm *exec_mm; /* the image exec is building, for kcheck */

	/* private to the process (or to whoever creates/reaps it) */
	void *kstack;              /* kva of the kernel stack's lowest byte */
	struct trapframe *tf;      /* user registers, at the top of kstack */
	struct context context;    /* callee-saved registers for swtch() */
	char name[16];
	int sleeplocks_held;       /* sleep_lock() minus sleep_unlock() */

	/* kernel threads (mm == NULL) run this instead of user code */
	void (*kthread_fn)(void *);
	void *kthread_arg;
};

/*
 * The process running on this hart, or NULL in the scheduler. Kernel code
 * is never preempted (only user code is, by the tick), so the process
 * cannot move to another hart between reading tp and ->proc.
 */
static inline struct proc *current(void)
{
	return cpu_this()->proc;
}
/* Starts a kernel thread running fn(arg), a child of the caller; it exits
 * (status 0) when fn returns. Returns its pid or -EAGAIN. */
int kthread_start(const char *name, void (*fn)(void *), void *arg);
/* Waits for a child of the caller to exit; its pid, or -ECHILD. */
int proc_wait_child(void);
/* Sleeps for n clock ticks; -EINTR if killed first. */
int pause_ticks(u64 n);
void procdump(void);
/*
 * Replaces the current process's image with the ELF file at path, argv[0..
 * argc) copied onto its new stack. 0, or a negative errno with the old
 * image untouched.
 */
int do_exec(const char *path, char *const argv[], int argc);
/* Ends the current process (every thread of it, as exit_group) with
 * status; wakes its parent. */
void do_exit(int status) __noreturn;
/* Ends the calling thread only; the process ends with status when its last
 * thread does. */
void do_thread_exit(int status) __noreturn;
/* The current thread's file table and cwd holder. */
static inline struct tgroup *current_tg(void)
{
	return current()->tg;
}
/* Marks p killed: it exits (status -1) on its next way to user mode. */
void proc_set_killed(struct proc *p);
/*
 * Stops every other hart and checks the kernel's memory invariants over
 * every address space (mm/kcheck.c). 0 when they hold, -EUCLEAN when not
 * (each problem printed), -EBUSY when the harts would not stop, -EINTR
 * when killed while waiting for another kcheck to finish.
 */
long proc_kcheck(void);

/*
 * A page fault found no free page (proc/oom.c). OOM_SELF: the caller has
 * the largest resident set (or nobody else is a candidate) and must die;
 * OOM_WAIT: another process was killed, or is already dying, to free
 * memory, or memory came back meanwhile; wait a tick and retry. Takes
 * proc locks: call with none held.
 */
enum oom_choice { OOM_SELF, OOM_WAIT };
enum oom_choice oom_choose_victim(void);

#endif
