/* Power-off and the uaccess exception table. */
#include <types.h>
#include <mm.h>
#include <platform.h>
#include <asm/arch.h>
#include <asm/sbi.h>
#include <printk.h>
#include <trap.h>
#include <asm/entry.h>

/*
 * Powers the machine off. With a test finisher (QEMU sifive,test0), the
 * status reaches the host: QEMU exits 0 for status 0, else status.
 */
void arch_poweroff(int status)
{
	arch_irq_disable();
	printk("calf: power off, status %d\n", status);
	if (platform.finisher.base) {
		volatile u32 *reg = ioremap(platform.finisher.base + platform.finisher.offset, 4);
		u32 pass = platform.finisher.poweroff_value ? platform.finisher.poweroff_value : 0x5555;
		if (status == 0)
			*reg = pass;
		else
			*reg = ((u32)(status & 0xffff) << 16) | 0x3333;
	}
	sbi_shutdown(status != 0);
}

u64 exception_fixup(u64 pc)
{
	struct ex_entry *e;

	for (e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == pc)
			return e->fixup;
	return 0;
}

