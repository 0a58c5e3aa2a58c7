/*
 * Spinlocks. Taking one disables interrupts on this hart (nesting is counted
 * by irq_push_off/irq_pop_off), so an interrupt handler can never deadlock
 * against the code it interrupted. Spinlocks are not recursive; taking one
 * twice on the same hart panics.
 */
#ifndef CALF_SPINLOCK_H
#define CALF_SPINLOCK_H

#include <types.h>
#include <printk.h>
#include <asm/arch.h>
#include <asm/cpu.h>

struct cpu;

struct spinlock {
	volatile u32 locked;
	const char *name; /* for panics and lock debugging */
	struct cpu *owner; /* hart holding it, or NULL */
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n), .owner = NULL }

void spin_init(struct spinlock *lk, const char *name);
static inline void spin_lock(struct spinlock *lk);
static inline void spin_unlock(struct spinlock *lk);
/* True when this hart holds lk (only meaningful with interrupts off). */
static inline bool spin_holding(struct spinlock *lk);

#define assert_held(lk)                                                   \
	do {                                                              \
		if (unlikely(!spin_holding(lk)))                          \
			panic("%s: lock '%s' not held", __func__,         \
			      (lk)->name);                                \
	} while (0)

/*
 * Disable interrupts, counting nesting; the last pop restores them.
 * Inline: every spinlock and every trap goes through these.
 */
void irq_pop_off_bad(void) __noreturn;

static inline void irq_push_off(void)
{
	bool on = arch_irq_enabled();
	struct cpu *c;

	arch_irq_disable();
	c = cpu_this();
	if (c->noff == 0)
		c->intena = on;
	c->noff++;
}

static inline void irq_pop_off(void)
{
	struct cpu *c = cpu_this();

	if (unlikely(arch_irq_enabled() || c->noff < 1))
		irq_pop_off_bad();
	if (--c->noff == 0 && c->intena)
		arch_irq_enable();
}

/* Out-of-line ends of the inline lock functions: they panic. */
void spin_lock_bad(struct spinlock *lk) __noreturn;
void spin_unlock_bad(struct spinlock *lk) __noreturn;

static inline bool spin_holding(struct spinlock *lk)
{
	return lk->locked && lk->owner == cpu_this();
}

/* Spins until lk is ours; panics if this hart already holds it. */
static inline void spin_lock(struct spinlock *lk)
{
	irq_push_off();
	if (unlikely(spin_holding(lk)))
		spin_lock_bad(lk);
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(lk->locked))
			arch_cpu_relax();
	lk->owner = cpu_this();
}

static inline void spin_unlock(struct spinlock *lk)
{
	if (unlikely(!spin_holding(lk)))
		spin_unlock_bad(lk);
	lk->owner = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	irq_pop_off();
}

#endif
