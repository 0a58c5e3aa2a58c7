/*
 * The scheduler and sleep/wakeup.
 *
 * Each hart runs scheduler(): a round-robin scan of the process table.
 * A process gives up its hart through sched() with its own lock held; the
 * scheduler releases that lock after the switch, and takes it before
 * switching back, so a state change and the switch are one atomic step
 * to every other hart.
 */
#include <proc.h>
#include <sched.h>
#include <smp.h>
#include <addrspace.h>
#include <trap.h>
#include <printk.h>
#include <errno.h>
#include <platform.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <boot.h>
#include "internal.h"


volatile u64 ticks;

/*
 * Stopping the world, for kcheck. The top of the scheduler loop is the one
 * place where a hart holds no lock and runs no process, and every process
 * that is not running is at a clean point: preempted in user mode, asleep,
 * or not yet started (kernel code is never preempted; the one kernel
 * operation that sleeps half done, exec, publishes its new address space
 * in exec_mm). So a hart that parks there leaves nothing in flight.
 */
static int world_owner = -1; /* cpu that owns the stop, or -1; atomic */
static bool world_stopped;   /* harts must park; atomic */
static int world_parked;     /* harts parked in world_park(); atomic */

static void world_park(void)
{
	__atomic_add_fetch(&world_parked, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&world_stopped, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
	__atomic_sub_fetch(&world_parked, 1, __ATOMIC_SEQ_CST);
}

static inline void world_park_point(void)
{
	if (unlikely(__atomic_load_n(&world_stopped, __ATOMIC_RELAXED)))
		world_park();
}

void world_resume(void)
{
	__atomic_store_n(&world_stopped, false, __ATOMIC_SEQ_CST);
	/* Keep the ownership until every hart has left, so that the next stop
	 * cannot count a hart that is still on its way out. */
	while (__atomic_load_n(&world_parked, __ATOMIC_SEQ_CST) > 0)
		arch_cpu_relax();
	__atomic_store_n(&world_owner, -1, __ATOMIC_SEQ_CST);
}

int world_stop(void)
{
	int me = cpu_id(), none = -1, i;
	u64 t0 = arch_read_time(), limit = 10 * platform.timebase_hz;

	if (!__atomic_compare_exchange_n(&world_owner, &none, me, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return -EAGAIN;
	__atomic_store_n(&world_stopped, true, __ATOMIC_SEQ_CST);
	/* Idle harts sleep in wfi; the others come by at their next tick. */
	for (i = 0; i < ncpus_possible; i++)
		if (i != me && cpus[i].online)
			arch_send_ipi(i);
	while (__atomic_load_n(&world_parked, __ATOMIC_SEQ_CST) < ncpus_online - 1) {
		if (arch_read_time() - t0 > limit) {
			world_resume();
			return -EBUSY;
		}
		arch_cpu_relax();
	}
	return 0;
}

void scheduler(void)
{
	struct cpu *c = cpu_this();

	c->proc = NULL;
	for (;;) {
		bool ran = false;
		struct proc *p;

		/* Let interrupts in between scans so that an idle hart wakes. */
		arch_irq_enable();
		world_park_point();
		for (p = proc_table; p < &proc_table[NPROC]; p++) {
			/* Peek first: locking every slot on every pass makes
			 * idle harts fight over locks the busy ones need. */
			if (READ_ONCE(p->state) != P_RUNNABLE)
				continue;
			world_park_point();
			spin_lock(&p->lock);
			if (p->state == P_RUNNABLE) {
				p->state = P_RUNNING;
				p->cpu = c->id;
				c->proc = p;
				if (p->mm)
					mm_activate(p->mm);
				swtch(&c->sched_ctx, &p->context);
				mm_activate_kernel();
				if (p->mm)
					mm_leave(p->mm);
				c->proc = NULL;
				p->cpu = -1;
				ran = true;
			}
			spin_unlock(&p->lock);
		}
		if (!ran) {
			/* wakeup() sends an IPI to a hart it sees idle. */
			__atomic_store_n(&c->idle, true, __ATOMIC_SEQ_CST);
			arch_wait_for_interrupt();
			__atomic_store_n(&c->idle, false, __ATOMIC_SEQ_CST);
		}
	}
}

void sched(void)
{
	struct proc *p = current();
	struct cpu *c = cpu_this();
	bool intena;

	if (!spin_holding(&p->lock))
		panic("sched: pid %d does not hold its lock", p->pid);
	if (c->noff != 1)
		panic("sched: pid %d holds %d locks", p->pid, c->noff);
	if (p->state == P_RUNNING)
		panic("sched: pid %d still running", p->pid);
	if (arch_irq_enabled())
		panic("sched: interrupts on");
	intena = c->intena;
	swtch(&p->context, &cpu_this()->sched_ctx);
	cpu_this()->intena = intena;
}

void yield(void)
{
	struct proc *p = current();

	spin_lock(&p->lock);
	p->state = P_RUNNABLE;
	sched();
	spin_unlock(&p->lock);
}

/* A new process's first instructions: leave the scheduler's lock. */
void proc_first_entry(void)
{
	spin_unlock(&current()->lock);
}

void fork_return(void)
{
	proc_first_entry();
	user_trap_return(current()->tf);
}

void sleep(void *chan, struct spinlock *lk)
{
	struct proc *p = current();

	if (!p)
		panic("sleep: called outside process context");
	/*
	 * Become SLEEPING on chan before letting go of lk: a waker must take
	 * lk to change the condition, so it then sees us asleep, even with
	 * the unlocked peek in wakeup(). Holding p->lock keeps it from
	 * waking us before sched() has switched away.
	 */
	spin_lock(&p->lock);
	p->chan = chan;
	__atomic_store_n(&p->state, P_SLEEPING, __ATOMIC_RELEASE);
	spin_unlock(lk);
	sched();
	p->chan = NULL;
	spin_unlock(&p->lock);
	spin_lock(lk);
}

/* Wakes one idle hart, if any, so a newly runnable process starts now
 * rather than at the next tick. */
void kick_idle_hart(void)
{
	int i, me = cpu_id();

	for (i = 0; i < ncpus_possible; i++) {
		if (i != me && __atomic_load_n(&cpus[i].idle, __ATOMIC_SEQ_CST)) {
			arch_send_ipi(i);
			return;
		}
	}
}

void wakeup(void *chan)
{
	struct proc *p, *me = current();
	bool woke = false;

	for (p = proc_table; p < &proc_table[NPROC]; p++) {
		/* Unlocked peek; see sleep() for why it cannot miss a sleeper. */
		if (p == me || READ_ONCE(p->state) != P_SLEEPING ||
		    READ_ONCE(p->chan) != chan)
			continue;
		spin_lock(&p->lock);
		if (p->state == P_SLEEPING && p->chan == chan) {
			p->state = P_RUNNABLE;
			woke = true;
		}
		spin_unlock(&p->lock);
	}
	if (woke)
		kick_idle_hart();
}

int pause_ticks(u64 n)
{
	u64 t0;

	spin_lock(&tick_lock);
	t0 = ticks;
	while (ticks - t0 < n) {
		if (current_killed()) {
			spin_unlock(&tick_lock);
			return -EINTR;
		}
		sleep((void *)&ticks, &tick_lock);
	}
	spin_unlock(&tick_lock);
	return 0;
}

/* killed only ever goes from false to true; a stale false is seen next time. */
bool current_killed(void)
{
	struct proc *p = current();

	return p && __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
}

void might_sleep_bad(const char *what)
{
	panic("%s may sleep, called with %d spinlocks held", what,
	      cpu_this()->noff);
}

void proc_set_killed(struct proc *p)
{
	spin_lock(&p->lock);
	p->killed = true;
	spin_unlock(&p->lock);
}
