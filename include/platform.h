/*
 * What the device tree told us about the machine. Filled once at boot by
 * platform_init_from_fdt() (lib/fdt.c + kernel/platform.c) on the boot hart,
 * before any other hart runs; read-only afterwards.
 */
#ifndef CALF_PLATFORM_H
#define CALF_PLATFORM_H

#include <types.h>

#define MAX_MEM_REGIONS 8
#define MAX_RESERVED 16
#define MAX_CPUS 8
#define MAX_VIRTIO 8
#define BOOTARGS_MAX 256

struct mem_region {
	phys_addr_t base;
	u64 size;
};

struct cpu_desc {
	u32 hartid;
	bool usable; /* status okay, mmu-type present (sv39+), isa has S-mode */
	char isa[64];
};

struct platform {
	char model[64];
	struct mem_region mem[MAX_MEM_REGIONS];
	int nmem;
	/* /reserved-memory children and /memreserve/ entries */
	struct mem_region reserved[MAX_RESERVED];
	int nreserved;

	char bootargs[BOOTARGS_MAX];
	phys_addr_t initrd_start, initrd_end; /* 0, 0 when absent */

	u64 timebase_hz;
	struct cpu_desc cpus[MAX_CPUS];
	int ncpus;

	/* UART chosen by stdout-path (or the first one found). */
	struct {
		phys_addr_t base; /* 0 when none */
		u64 size;
		u32 reg_shift;
		u32 reg_io_width; /* 1 or 4 */
		u32 irq;
		u32 clock_hz;
		char compatible[32]; /* "ns16550a", "snps,dw-apb-uart", "sifive,uart0" */
	} uart;

	struct {
		phys_addr_t base; /* 0 when none */
		u64 size;
		u32 ndev;
		/* S-mode context number of each hart, indexed like cpus[]; -1 none */
		int ctx_of_cpu[MAX_CPUS];
	} plic;

	struct {
		phys_addr_t base;
		u64 size;
		u32 irq;
	} virtio[MAX_VIRTIO];
	int nvirtio;

	/* sifive,test0 / syscon-poweroff style test finisher; base 0 when none */
	struct {
		phys_addr_t base;
		u32 offset;
		u32 poweroff_value; /* the "pass" value, e.g. 0x5555 */
	} finisher;
};

extern struct platform platform;

/*
 * Parses the flattened device tree at fdt (a kernel virtual address) into
 * platform. A malformed blob panics with a message naming what is wrong;
 * the parser never reads outside [fdt, fdt + totalsize).
 */
void platform_init_from_fdt(const void *fdt);
/* Prints a summary of the machine on the console. */
void platform_print(void);

#endif
