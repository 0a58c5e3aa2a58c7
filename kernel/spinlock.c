/*
 * Spinlocks with interrupts off while held, and the nesting counter that
 * decides when interrupts come back on.
 */
#include <spinlock.h>
#include <printk.h>
#include <asm/arch.h>
#include <asm/cpu.h>

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->owner = NULL;
}

/* Spins until lk is ours. Panics if this hart already holds it. */
void spin_lock(struct spinlock *lk)
{
	irq_push_off();
	if (spin_holding(lk))
		panic("spin_lock: '%s' already held by this hart", lk->name);
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(lk->locked))
			arch_cpu_relax();
	lk->owner = cpu_this();
}

void spin_unlock(struct spinlock *lk)
{
	if (!spin_holding(lk))
		panic("spin_unlock: '%s' not held by this hart", lk->name);
	lk->owner = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	irq_pop_off();
}

/* Only meaningful with interrupts off (so the answer cannot go stale). */
bool spin_holding(struct spinlock *lk)
{
	return lk->locked && lk->owner == cpu_this();
}

void irq_pop_off_bad(void)
{
	if (arch_irq_enabled())
		panic("irq_pop_off: interrupts on inside a critical section");
	panic("irq_pop_off: unbalanced (noff %d)", cpu_this()->noff);
}
