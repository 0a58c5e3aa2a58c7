/*
 * External interrupts (through the PLIC). Drivers register a handler for
 * their DT interrupt number; the trap code calls irq_dispatch() on a
 * supervisor external interrupt, which claims, runs the handler and
 * completes. Handlers run with interrupts off and must not sleep.
 */
#ifndef CALF_IRQ_H
#define CALF_IRQ_H

#include <types.h>

typedef void (*irq_handler_t)(void *arg);

/* Boot hart, once, after platform is known: maps and resets the PLIC. */
void irq_init(void);
/* Every hart (boot hart included): enables its S-mode context. */
void irq_init_hart(void);
/* Routes irq to handler and enables it for every hart. */
void irq_register(u32 irq, irq_handler_t handler, void *arg);
/* Called by the trap code for a supervisor external interrupt. */
void irq_dispatch(void);

#endif
