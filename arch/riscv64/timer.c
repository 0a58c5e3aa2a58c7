/* The tick: a timer interrupt HZ times a second on every hart, via SBI. */
#include <types.h>
#include <platform.h>
#include <sched.h>
#include <smp.h>
#include <trap.h>
#include <asm/arch.h>
#include <asm/cpu.h>

static u64 tick_interval;

void timer_init_hart(void)
{
	struct cpu *c = cpu_this();

	if (!tick_interval)
		tick_interval = (platform.timebase_hz ? platform.timebase_hz : 10000000) / HZ;
	c->next_timer = arch_read_time() + tick_interval;
	arch_set_timer(c->next_timer);
}

/* Arms the next tick; returns how many ticks passed since the last one. */
u64 timer_rearm(void)
{
	struct cpu *c = cpu_this();
	u64 now = arch_read_time(), n = 0;

	while (c->next_timer <= now) {
		c->next_timer += tick_interval;
		n++;
	}
	arch_set_timer(c->next_timer);
	return n ? n : 1;
}
