/*
 * panic(): the end of the line for a kernel bug. Prints the message, the
 * hart, a backtrace, stops the other harts and powers off with a failure
 * status (so a test run under QEMU exits non-zero).
 *
 * A death test (ktest_expect_panic) arms cpu->panic_jmp; a panic on that
 * hart then jumps back into the test instead.
 */
#include <printk.h>
#include <ktest.h>
#include <asm/arch.h>
#include <asm/cpu.h>

volatile bool panicked;
char ktest_panic_msg[KTEST_PANIC_MSG];


void panic(const char *fmt, ...)
{
	struct cpu *c = cpu_this();
	va_list ap;

	arch_irq_disable();
	if (c->panic_jmp) {
		void *jb = c->panic_jmp;
		c->panic_jmp = NULL;
		va_start(ap, fmt);
		vsnprintf(ktest_panic_msg, sizeof(ktest_panic_msg), fmt, ap);
		va_end(ap);
		printk("# (expected) panic: %s\n", ktest_panic_msg);
		kernel_longjmp(jb, 1);
	}
	panicked = true;
	printk("\npanic: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n  on hart %u (cpu %d)\n", c->hartid, c->id);
	arch_backtrace((unsigned long)__builtin_frame_address(0),
		       (unsigned long)__builtin_return_address(0));
	printk("calf: halting after panic\n");
	arch_poweroff(1);
}
