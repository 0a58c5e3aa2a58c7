/*
 * Kernel console output and panics.
 *
 * printk() formats: %d %i %u %x %X %o %p %s %c %% with the l, ll and z length
 * modifiers, a field width, '0' padding and '-' justification.
 * printk() is safe from any context (it takes the console lock with
 * interrupts off) and never sleeps.
 */
#ifndef CALF_PRINTK_H
#define CALF_PRINTK_H

#include <types.h>

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Stops every hart after printing the message, the hart and a backtrace. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Set once a panic has begun; the other harts stop when they see it. */
extern volatile bool panicked;

#define assert(cond)                                                       \
	do {                                                               \
		if (unlikely(!(cond)))                                     \
			panic("%s:%d: %s: assertion '%s' failed", __FILE__, \
			      __LINE__, __func__, #cond);                  \
	} while (0)

#endif
