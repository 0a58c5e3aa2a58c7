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

struct cpu;

struct spinlock {
	volatile u32 locked;
	const char *name; /* for panics and lock debugging */
	struct cpu *owner; /* hart holding it, or NULL */
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n), .owner = NULL }

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
/* True when this hart holds lk. */
bool spin_holding(struct spinlock *lk);

#define assert_held(lk)                                                   \
	do {                                                              \
		if (unlikely(!spin_holding(lk)))                          \
			panic("%s: lock '%s' not held", __func__,         \
			      (lk)->name);                                \
	} while (0)

/* Disable interrupts, counting nesting; the last pop restores them. */
void irq_push_off(void);
void irq_pop_off(void);

#endif
