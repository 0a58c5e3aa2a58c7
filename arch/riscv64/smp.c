/*
 * Per-hart data and bringing up the other harts.
 *
 * cpus[0] is the boot hart, whatever its hart id; the other usable harts
 * from the device tree get indices 1, 2, ... in tree order. Harts without
 * S-mode or an MMU (VisionFive 2 hart 0) are never started.
 */
#include <types.h>
#include <printk.h>
#include <platform.h>
#include <mm.h>
#include <smp.h>
#include <trap.h>
#include <irq.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <asm/csr.h>
#include <asm/sbi.h>
#include <asm/entry.h>

struct cpu cpus[MAX_CPUS];
int ncpus_online = 1;
int ncpus_possible = 1;
/* platform.cpus[] index of each cpu index */
static int cpu_desc_of[MAX_CPUS];

struct secondary_boot {
	u64 satp;
	u64 sp;
	u64 tp;
	u64 entry;
};
static struct secondary_boot secondary_boot[MAX_CPUS];


/* Assigns cpu indices: the boot hart is 0, the rest in device-tree order. */
void smp_init_cpu_map(u32 boot_hartid)
{
	int i, n = 1;
	bool found = false;

	for (i = 0; i < platform.ncpus; i++) {
		if (platform.cpus[i].hartid == boot_hartid) {
			cpu_desc_of[0] = i;
			found = true;
			continue;
		}
		if (!platform.cpus[i].usable || n == MAX_CPUS)
			continue;
		cpus[n].id = n;
		cpus[n].hartid = platform.cpus[i].hartid;
		cpu_desc_of[n] = i;
		n++;
	}
	if (!found)
		printk("calf: warning: boot hart %u not in /cpus\n", boot_hartid);
	ncpus_possible = n;
}

/* The platform.cpus[] entry of a cpu index (for the PLIC context map). */
int cpu_desc_index(int cpu)
{
	return cpu_desc_of[cpu];
}

/* Common per-hart setup: traps, interrupts, timer. */
_Static_assert(KSTACK_GUARD_SIZE == (1UL << 14), "entry.S assumes a 16 KiB guard");

void smp_hart_setup(void)
{
	char *spare = kalloc_page();

	if (!spare)
		panic("smp_hart_setup: no page for the overflow stack");
	cpu_this()->emergency_sp = (u64)spare + PAGE_SIZE;
	arch_trap_init_hart();
	irq_init_hart();
	timer_init_hart();
}

void secondary_main(void)
{
	struct cpu *c = cpu_this();

	smp_hart_setup();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_add_fetch(&ncpus_online, 1, __ATOMIC_ACQ_REL);
	arch_send_ipi(0); /* the boot hart waits for us in wfi */
	scheduler();
}

/* HSM state of a hart the firmware holds stopped. */
#define HSM_STOPPED 1

/*
 * Starts cpu i through SBI HSM and waits for it to check in. Waits in wfi,
 * not in a spin: on an emulator that runs all harts on one host thread a
 * spinning boot hart would starve the one it waits for; the new hart's IPI
 * (or a tick) wakes us. The deadline only bounds a broken hart; it is
 * generous because a vCPU thread on a busy host can go unscheduled for
 * more than a second. A hart the firmware still reports stopped after the
 * wait gets its start request once more (seen rarely on QEMU's
 * microchip-icicle-kit). Returns 0 or the SBI error of the start call.
 */
static long start_and_wait(int i, struct secondary_boot *b)
{
	long err = 0;
	int try;

	for (try = 0; try < 2 && !cpus[i].online; try++) {
		u64 deadline;

		if (try > 0 && sbi_hart_status(cpus[i].hartid) != HSM_STOPPED)
			break;
		err = sbi_hart_start(cpus[i].hartid,
				     kva_to_pa(secondary_entry), kva_to_pa(b));
		if (err)
			return err;
		deadline = arch_read_time() + 10 * platform.timebase_hz;
		arch_irq_enable();
		while (!__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) &&
		       arch_read_time() < deadline)
			arch_wait_for_interrupt();
		arch_irq_disable();
	}
	return err;
}

/* Starts every other usable hart and waits for each to check in. */
void smp_boot_secondaries(void)
{
	u64 satp = csr_read(satp);
	int i;

	for (i = 1; i < ncpus_possible; i++) {
		struct secondary_boot *b = &secondary_boot[i];
		char *stack = kstack_map(NPROC_SLOTS + i);
		long err;

		cpus[i].stack_top = stack + KSTACK_SIZE;
		b->satp = satp;
		b->sp = (u64)cpus[i].stack_top;
		b->tp = (u64)&cpus[i];
		b->entry = (u64)secondary_virt;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		err = start_and_wait(i, b);
		if (err)
			printk("calf: hart %u did not start (SBI error %ld)\n",
			       cpus[i].hartid, err);
		else if (!cpus[i].online)
			printk("calf: hart %u started but never checked in\n",
			       cpus[i].hartid);
	}
}

/* Bitmask of hart ids for SBI from a mask of cpu indices. */
static unsigned long harts_of(unsigned long cpu_mask, unsigned long *base)
{
	unsigned long m = 0;
	int i;

	*base = 0;
	for (i = 0; i < ncpus_possible; i++)
		if (cpu_mask & (1UL << i))
			m |= 1UL << cpus[i].hartid;
	return m;
}

void arch_flush_tlb_remote(unsigned long cpu_mask, unsigned long start, unsigned long size)
{
	unsigned long base, harts;

	cpu_mask &= ~(1UL << cpu_id());
	if (!cpu_mask)
		return;
	harts = harts_of(cpu_mask, &base);
	sbi_remote_sfence_vma(harts, base, start, size);
}

/*
 * Instruction caches are not coherent with stores (U74). After the kernel
 * writes code, this hart fences now and every other hart is marked stale:
 * it fences in arch_icache_sync_pending() before it next enters a user
 * address space, which is the only way it can run the new code. No
 * synchronous cross-hart call is needed on every exec.
 */
static bool icache_stale[MAX_CPUS];

void arch_sync_icache_all(void)
{
	int i, me = cpu_id();

	for (i = 0; i < ncpus_possible; i++)
		if (i != me)
			__atomic_store_n(&icache_stale[i], true, __ATOMIC_RELEASE);
	arch_sync_icache();
}

void arch_icache_sync_pending(void)
{
	bool *stale = &icache_stale[cpu_id()];

	if (__atomic_load_n(stale, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(stale, false, __ATOMIC_RELAXED);
		arch_sync_icache();
	}
}

void arch_send_ipi(int cpu)
{
	sbi_send_ipi(1UL << cpus[cpu].hartid, 0);
}
