/*
 * The process table: allocation of slots and pids, the first process,
 * and the process listings (^P and the procinfo syscall).
 */
#include <proc.h>
#include <sched.h>
#include <mm.h>
#include <addrspace.h>
#include <smp.h>
#include <printk.h>
#include <string.h>
#include <trap.h>
#include <uaccess.h>
#include <errno.h>
#include <uapi/memstat.h>
#include <asm/cpu.h>
#include <asm/ptrace.h>
#include <boot.h>
#include "internal.h"

struct proc proc_table[NPROC];
struct spinlock wait_lock = SPINLOCK_INIT("wait_lock");
struct proc *init_proc;
static struct spinlock pid_lock = SPINLOCK_INIT("pid_lock");
static int next_pid = 1;


int current_pid(void)
{
	struct proc *p = current();
	return p ? p->pid : 0;
}

/* Maps every slot's kernel stack once; slots keep them for ever. */
void proc_init(void)
{
	int i;

	for (i = 0; i < NPROC; i++) {
		struct proc *p = &proc_table[i];
		spin_init(&p->lock, "proc");
		p->state = P_UNUSED;
		p->kstack = kstack_map(i);
		p->tf = (struct trapframe *)((char *)p->kstack + KSTACK_SIZE) - 1;
		p->cpu = -1;
	}
}

static int alloc_pid(void)
{
	int pid;

	spin_lock(&pid_lock);
	pid = next_pid++;
	spin_unlock(&pid_lock);
	return pid;
}

struct proc *proc_alloc(void)
{
	struct proc *p;

	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		spin_lock(&p->lock);
		if (p->state == P_UNUSED)
			goto found;
		spin_unlock(&p->lock);
	}
	return NULL;
found:
	p->pid = alloc_pid();
	p->state = P_USED;
	p->killed = false;
	p->oom_victim = false;
	p->mm_freed = false;
	p->reaping = false;
	p->xstate = 0;
	p->chan = NULL;
	p->mm = NULL;
	p->exec_mm = NULL;
	p->sleeplocks_held = 0;
	p->tg = NULL;
	p->kthread_fn = NULL;
	p->kthread_arg = NULL;
	memset(&p->context, 0, sizeof(p->context));
	p->context.ra = (u64)fork_return;
	/* The kernel stack grows down from just below the trap frame. */
	p->context.sp = (u64)p->tf;
	return p;
}

void proc_free(struct proc *p)
{
	assert_held(&p->lock);
	if (p->mm)
		panic("proc_free: pid %d still has an address space", p->pid);
	/* The leader goes last: nobody else can point to its group now. */
	if (p->tg && p->tg->leader == p)
		kfree(p->tg);
	p->tg = NULL;
	p->pid = 0;
	p->parent = NULL;
	p->name[0] = 0;
	p->chan = NULL;
	p->killed = false;
	p->oom_victim = false;
	p->mm_freed = false;
	p->reaping = false;
	p->xstate = 0;
	p->state = P_UNUSED;
}

static const char *state_name(enum proc_state s)
{
	static const char *const names[] = {
		[P_UNUSED] = "unused", [P_USED] = "used", [P_SLEEPING] = "sleep",
		[P_RUNNABLE] = "runble", [P_RUNNING] = "run", [P_ZOMBIE] = "zombie",
	};
	return s < ARRAY_SIZE(names) ? names[s] : "???";
}

/* ^P on the console: one line per process. No locks, to work when stuck. */
void procdump(void)
{
	struct proc *p;

	printk("\nPID  TGID STATE   CPU  PAGES NAME\n");
	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		struct tgroup *tg = p->tg;

		if (p->state == P_UNUSED)
			continue;
		printk("%-4d %-4d %-7s %3d %6lu %s\n", p->pid,
		       tg ? tg->tgid : 0, state_name(p->state), p->cpu,
		       p->mm ? mm_resident_pages(p->mm) : 0UL, p->name);
	}
}

static int procinfo_state(enum proc_state s)
{
	if (s == P_SLEEPING)
		return PROCINFO_SLEEPING;
	if (s == P_RUNNABLE || s == P_USED)
		return PROCINFO_RUNNABLE;
	if (s == P_RUNNING)
		return PROCINFO_RUNNING;
	if (s == P_ZOMBIE)
		return PROCINFO_ZOMBIE;
	return PROCINFO_UNUSED;
}

/* Copies up to max entries to user buf; returns how many. */
long proc_list(uaddr_t buf, int max)
{
	struct proc *p;
	int n = 0;

	if (max < 0)
		return -EINVAL;
	for (p = proc_table; p < &proc_table[NPROC] && n < max; p++) {
		struct procinfo info;

		memset(&info, 0, sizeof(info));
		spin_lock(&p->lock);
		if (p->state == P_UNUSED) {
			spin_unlock(&p->lock);
			continue;
		}
		info.pid = p->pid;
		info.state = procinfo_state(p->state);
		info.cpu = p->state == P_RUNNING ? p->cpu : -1;
		info.mem_pages = p->mm ? mm_resident_pages(p->mm) : 0;
		strlcpy(info.name, p->name, sizeof(info.name));
		spin_unlock(&p->lock);
		spin_lock(&wait_lock);
		if (p->tg) {
			struct proc *leader = p->tg->leader;
			info.tgid = p->tg->tgid;
			info.ppid =
			    leader->parent ? leader->parent->tg->tgid : 0;
			info.nthreads = leader == p ? group_threads(p->tg) : 1;
		}
		spin_unlock(&wait_lock);
		if (copy_to_user(buf + (u64)n * sizeof(info), &info, sizeof(info)))
			return -EFAULT;
		n++;
	}
	return n;
}

long proc_vmainfo(int pid, uaddr_t buf, int max)
{
	struct vmainfo *info;
	struct proc *p;
	long n = -ESRCH;

	if (max < 0)
		return -EINVAL;
	max = MIN(max, (int)(PAGE_SIZE / sizeof(*info)));
	info = kalloc_page();
	if (!info)
		return -ENOMEM;
	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		spin_lock(&p->lock);
		if (p->pid == pid && p->state != P_UNUSED) {
			/* p->lock keeps the mm: exit takes it away under it. */
			n = p->mm ? mm_vmainfo(p->mm, info, max) : 0;
			spin_unlock(&p->lock);
			break;
		}
		spin_unlock(&p->lock);
	}
	if (n > 0 && copy_to_user(buf, info, (size_t)n * sizeof(*info)))
		n = -EFAULT;
	kfree_page(info);
	return n;
}

long proc_count(unsigned long *threads)
{
	struct proc *p;
	long n = 0, t = 0;

	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		struct tgroup *tg = READ_ONCE(p->tg);

		if (READ_ONCE(p->state) == P_UNUSED)
			continue;
		t++;
		if (tg && READ_ONCE(tg->leader) == p)
			n++;
	}
	*threads = (unsigned long)t;
	return n;
}

static void kthread_entry(void)
{
	struct proc *p;

	proc_first_entry();
	p = current();
	p->kthread_fn(p->kthread_arg);
	do_exit(0);
}

int kthread_start(const char *name, void (*fn)(void *), void *arg)
{
	struct proc *np = proc_alloc();
	struct tgroup *tg;
	int pid;

	if (!np)
		return -EAGAIN;
	np->context.ra = (u64)kthread_entry;
	np->kthread_fn = fn;
	np->kthread_arg = arg;
	strlcpy(np->name, name, sizeof(np->name));
	pid = np->pid;
	spin_unlock(&np->lock);
	tg = tgroup_new(np);
	spin_lock(&wait_lock);
	if (!tg) {
		spin_unlock(&wait_lock);
		spin_lock(&np->lock);
		proc_free(np);
		spin_unlock(&np->lock);
		return -ENOMEM;
	}
	np->tg = tg;
	np->parent = current() ? current()->tg->leader : NULL;
	spin_unlock(&wait_lock);
	spin_lock(&np->lock);
	np->state = P_RUNNABLE;
	spin_unlock(&np->lock);
	return pid;
}


/* Creates the first process; it starts in kernel_init() (kernel/main.c). */
void proc_start_first(void)
{
	struct proc *p = proc_alloc();

	if (!p)
		panic("proc_start_first: no free slot");
	p->mm = mm_create();
	p->tg = tgroup_new(p);
	if (!p->mm || !p->tg)
		panic("proc_start_first: out of memory");
	strlcpy(p->name, "init", sizeof(p->name));
	p->context.ra = (u64)kernel_init;
	init_proc = p;
	p->state = P_RUNNABLE;
	spin_unlock(&p->lock);
}

/*
 * The kcheck system call: stops the world and checks the memory invariants
 * (mm/kcheck.c) over every address space, including one that an exec
 * asleep half way is building. 0 when everything holds; -EUCLEAN when
 * something broke (printed as "# calf: INVARIANT: ..." lines); -EBUSY
 * when the other harts could not be stopped, which is reported the same
 * way, since a hart that stays in the kernel for seconds is a hang;
 * -EINTR when killed while waiting for another process's kcheck.
 */
static bool mm_listed(struct mm *const *mms, int n, const struct mm *mm)
{
	int i;

	for (i = 0; i < n; i++)
		if (mms[i] == mm)
			return true;
	return false;
}

long proc_kcheck(void)
{
	struct mm *mms[2 * NPROC];
	int pids[2 * NPROC], n = 0, bad, err;
	struct proc *p;

	/* Another kcheck is running: let this hart park for it, then retry. */
	while ((err = world_stop()) == -EAGAIN)
		if (pause_ticks(1))
			return -EINTR;
	if (err) {
		printk("# calf: INVARIANT: kcheck: a hart did not stop within 10 s\n");
		return err;
	}
	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		if (p->state == P_UNUSED)
			continue;
		/* The threads of a process share one mm: count it once. */
		if (p->mm && !mm_listed(mms, n, p->mm)) {
			mms[n] = p->mm;
			pids[n++] = p->pid;
		}
		if (p->exec_mm) {
			mms[n] = p->exec_mm;
			pids[n++] = p->pid;
		}
	}
	bad = kcheck_memory(mms, pids, n);
	world_resume();
	return bad ? -EUCLEAN : 0;
}
