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

void spin_lock_bad(struct spinlock *lk)
{
	panic("spin_lock: '%s' already held by this hart", lk->name);
}

void spin_unlock_bad(struct spinlock *lk)
{
	panic("spin_unlock: '%s' not held by this hart", lk->name);
}

void irq_pop_off_bad(void)
{
	if (arch_irq_enabled())
		panic("irq_pop_off: interrupts on inside a critical section");
	panic("irq_pop_off: unbalanced (noff %d)", cpu_this()->noff);
}
