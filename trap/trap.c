/*
 * The generic trap layer: what a tick, a device interrupt, a page fault
 * or a bad instruction means for the process that took it. The arch code
 * (arch/riscv64/trap.c) decodes the trap and calls in here.
 */
#include <trap.h>
#include <proc.h>
#include <addrspace.h>
#include <irq.h>
#include <sched.h>
#include <smp.h>
#include <printk.h>
#include <console.h>
#include <asm/cpu.h>
#include <asm/ptrace.h>

struct spinlock tick_lock = SPINLOCK_INIT("ticks");

void timer_interrupt(bool from_user)
{
	struct cpu *c = cpu_this();
	u64 n = timer_rearm();

	c->timer_ticks += n;
	if (c->id == 0) {
		spin_lock(&tick_lock);
		ticks += n;
		wakeup((void *)&ticks);
		spin_unlock(&tick_lock);
		console_poll();
	}
	/* Preempt user code; kernel code gives up the hart when it sleeps. */
	if (from_user && c->proc)
		yield();
}

void external_interrupt(void)
{
	irq_dispatch();
}

void ipi_interrupt(void)
{
	if (panicked)
		for (;;)
			;
}

/* Kills the current process with a one-line report of why. */
static void kill_current(const char *why, u64 addr, u64 pc)
{
	struct proc *p = current();

	printk("calf: pid %d (%s, thread %d) killed: %s at address %lx, pc %lx\n",
	       p->tg->tgid, p->name, p->pid, why, addr, pc);
	proc_set_killed(p);
}

static const char *access_name(unsigned access)
{
	if (access & FAULT_WRITE)
		return "store page fault";
	if (access & FAULT_EXEC)
		return "instruction page fault";
	return "load page fault";
}

/*
 * A fault in user mode. Out of memory, the process with the largest
 * resident set pays (proc/oom.c): if that is not this one, it waits a tick
 * for the victim's pages and takes the fault again on return.
 */
void user_page_fault(u64 addr, unsigned access, u64 pc)
{
	struct proc *p = current();
	enum fault_result r = handle_page_fault(p->mm, addr, access | FAULT_USER);

	if (likely(r == FAULT_OK))
		return;
	if (r == FAULT_SEGV)
		kill_current(access_name(access), addr, pc);
	else if (r == FAULT_OOM && oom_choose_victim() == OOM_SELF)
		kill_current("out of memory resolving a page fault", addr, pc);
	else if (r == FAULT_OOM)
		pause_ticks(1);
	else if (r == FAULT_BUS)
		kill_current("access beyond the end of a mapped file", addr,
			     pc);
}

void user_exception(const char *what, u64 addr, u64 pc)
{
	kill_current(what, addr, pc);
}

/*
 * A page fault taken by the kernel. Inside uaccess (user memory open, a
 * user address) it is resolved like a user fault; if it cannot be, the
 * copy resumes at its fixup and returns -EFAULT. Anything else is a bug.
 * Out of memory, the victim is chosen as for a user fault; when it is
 * another process, p->oom_retry tells the copy (mm/uaccess.c) to wait
 * and retry rather than fail. With a spinlock held no victim can be
 * chosen (that takes process locks): the copy just fails.
 */
bool kernel_page_fault(struct trapframe *tf, u64 addr, unsigned access, bool uaccess)
{
	struct proc *p = current();
	u64 fixup = exception_fixup(tf_pc(tf));
	enum fault_result r;

	if (!uaccess || !fixup || !p || addr >= USER_TOP)
		return false;
	r = handle_page_fault(p->mm, addr, access | FAULT_KERNEL);
	if (r == FAULT_OK)
		return true;
	if (r == FAULT_OOM && cpu_this()->noff == 0) {
		if (oom_choose_victim() == OOM_SELF)
			kill_current("out of memory in a system call", addr, tf_pc(tf));
		else
			p->oom_retry = true;
	}
	tf_set_pc(tf, fixup);
	return true;
}

void user_trap_finish(void)
{
	if (unlikely(__atomic_load_n(&current()->killed, __ATOMIC_ACQUIRE)))
		do_exit(-1);
}
