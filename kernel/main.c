/*
 * Boot, in order:
 *   head.S        early page table, jump to the link address
 *   kmain()       SBI, device tree, memory, final page table, console,
 *                 interrupts, processes, other harts, then the scheduler
 *   kernel_init() the first process: mounts the root file system, runs the
 *                 self tests when the command line says "ktest", then
 *                 execs /init
 */
#include <types.h>
#include <printk.h>
#include <string.h>
#include <platform.h>
#include <mm.h>
#include <smp.h>
#include <irq.h>
#include <uart.h>
#include <file.h>
#include <ktest.h>
#include <console.h>
#include <blkdev_init.h>
#include <fdt.h>
#include <proc.h>
#include <addrspace.h>
#include <trap.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <asm/sbi.h>
#include <boot.h>

bool cmdline_get(const char *key, char *buf, size_t size)
{
	const char *s = platform.bootargs;
	size_t klen = strlen(key);

	while (*s) {
		const char *w = s;
		size_t wlen;

		while (*s && *s != ' ')
			s++;
		wlen = (size_t)(s - w);
		while (*s == ' ')
			s++;
		if (wlen == klen && strncmp(w, key, klen) == 0) {
			if (buf && size)
				buf[0] = 0;
			return true;
		}
		if (wlen > klen && w[klen] == '=' && strncmp(w, key, klen) == 0) {
			if (buf && size) {
				size_t vlen = MIN(wlen - klen - 1, size - 1);
				memcpy(buf, w + klen + 1, vlen);
				buf[vlen] = 0;
			}
			return true;
		}
	}
	return false;
}

static void print_banner(void)
{
	struct mem_stats st;
	u64 ram = 0;
	int i;

	mem_get_stats(&st);

	for (i = 0; i < platform.nmem; i++)
		ram += platform.mem[i].size;
	printk("calf: %s\n", platform.model[0] ? platform.model : "unknown machine");
	printk("calf: RAM %lu MiB at %p; %lu pages, %lu free, %lu reserved\n",
	       ram >> 20, (void *)platform.mem[0].base, st.total_pages,
	       free_page_count(), st.reserved_pages);
	printk("calf: %lu free 2 MiB blocks; 2 MiB heap pages %s\n", st.huge_free,
	       thp_enabled ? "on (thp=off turns them off)" : "off (thp=off)");
	printk("calf: %d of %d harts online:", ncpus_online, ncpus_possible);
	for (i = 0; i < ncpus_possible; i++)
		if (cpus[i].online)
			printk(" %u%s", cpus[i].hartid, i == 0 ? "(boot)" : "");
	printk("\n");
}

void kmain(u32 hartid, phys_addr_t dtb_pa, phys_addr_t load_pa)
{
	struct cpu *c = cpu_this();
	const void *fdt = pa_to_kva(dtb_pa);
	char arg[8];

	c->id = 0;
	c->hartid = hartid;
	c->online = true;
	kernel_phys_base = load_pa;
	sbi_init();
	printk("\ncalf: booting on hart %u, kernel at pa %p, device tree at pa %p\n",
	       hartid, (void *)load_pa, (void *)dtb_pa);

	platform_init_from_fdt(fdt);
	smp_init_cpu_map(hartid);
	mm_init(load_pa, (u64)(_end - _start_image), dtb_pa, boot_fdt_size);
	if (cmdline_get("thp", arg, sizeof(arg)) && strcmp(arg, "off") == 0)
		thp_enabled = false;
	if (cmdline_get("ptshare", arg, sizeof(arg)) && strcmp(arg, "off") == 0)
		ptshare_enabled = false;
	if (cmdline_get("cowahead", arg, sizeof(arg)) && strcmp(arg, "off") == 0)
		cowahead_enabled = false;
	if (cmdline_get("tlb_remote", arg, sizeof(arg)) &&
	    strcmp(arg, "off") == 0) {
		tlb_remote_enabled = false;
		printk("calf: WARNING: tlb_remote=off: remote TLB shootdowns "
		       "skipped (broken on purpose)\n");
	}
	paging_init();
	irq_init();
	uart_init();
	platform_print();
	smp_hart_setup();
	console_dev_init();
	blk_init();
	proc_init();
	smp_boot_secondaries();
	print_banner();
	proc_start_first();
	scheduler();
}

/* Runs the self tests and powers off with their verdict. */
static void run_ktests(void)
{
	char filter[64];
	int failures;

	if (!IS_ENABLED(CONFIG_KTEST)) {
		printk("calf: no self tests in this kernel: boot Image-ktest\n");
		arch_poweroff(1);
	}
	if (!cmdline_get("ktest", filter, sizeof(filter)))
		filter[0] = 0;
	failures = ktest_run_all(filter);
	arch_poweroff(failures ? 1 : 0);
}

void kernel_init(void)
{
	static char *const argv[] = { "init", NULL };
	int err;

	proc_first_entry();
	fs_init();
	files_init_proc(current()->tg);
	if (IS_ENABLED(CONFIG_KTEST_ALWAYS) || cmdline_get("ktest", NULL, 0))
		run_ktests();
	err = do_exec("/init", argv, 1);
	if (err < 0)
		panic("kernel_init: cannot exec /init (error %d)", err);
	user_trap_return(current()->tf);
}
