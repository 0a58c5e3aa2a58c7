/*
 * The machine description, read from the boot device tree.
 *
 * platform_parse() opens (and so fully validates) the blob with lib/fdt.c,
 * then fills struct platform in stages, one per kind of node: the root's
 * model, /memory nodes, reserved ranges (/memreserve/ entries and
 * /reserved-memory children), /chosen, /cpus, the PLIC, the console UART,
 * virtio-mmio slots and the test finisher. Each stage reads only what it
 * needs and leaves defaults (zero, or -1 for PLIC contexts) where the tree
 * says nothing. Only three things are required, because the kernel cannot
 * run without them: some memory, some cpu, and the timebase frequency.
 *
 * Addresses are taken from `reg` as they are, without `ranges` translation:
 * every bus on the machines we run on (QEMU virt and sifive_u, JH7110) maps
 * its children one to one ("ranges;").
 */
#include <fdt.h>
#include <platform.h>
#include <printk.h>
#include <string.h>
#include <asm/arch.h>

#include "platform_internal.h"

struct platform platform;
const void *boot_fdt;
u32 boot_fdt_size;

/* Value that makes QEMU's sifive,test finisher power off with success. */
#define FINISHER_PASS 0x5555
#define PATH_MAX_LEN  128

static const char *const uart_compats[] = {
    "ns16550a",
    "ns16550",
    "snps,dw-apb-uart",
    "sifive,uart0",
};

static const char *const plic_compats[] = {
    "riscv,plic0",
    "sifive,plic-1.0.0",
};

/* Records a semantic failure (the blob itself is well formed). */
static int parse_fail(struct fdt_diag *diag, int err, int node,
		      const char *what)
{
	diag->err = err;
	diag->offset = node < 0 ? 0 : (u32)node;
	diag->value = 0;
	diag->what = what;
	return -err;
}

/* True when node's string property name equals want. */
static bool prop_is(const struct fdt *fdt, int node, const char *name,
		    const char *want)
{
	const char *s = fdt_prop_string(fdt, node, name);

	return s && strcmp(s, want) == 0;
}

/* Copies the root's model string (empty when absent). */
static void parse_model(const struct fdt *fdt, struct platform *out)
{
	const char *model = fdt_prop_string(fdt, fdt_root(fdt), "model");

	if (model)
		strlcpy(out->model, model, sizeof(out->model));
}

/*
 * Appends every nonempty reg range of node (children of parent) to the
 * array ranges of capacity cap, counted by *n. Returns the number of
 * ranges that did not fit, or a negative code when reg is malformed.
 */
static int add_reg_ranges(const struct fdt *fdt, int parent, int node,
			  struct mem_region *ranges, int *n, int cap)
{
	int i, dropped = 0, err;
	u64 base, size;

	for (i = 0;; i++) {
		err = fdt_reg(fdt, parent, node, i, &base, &size);
		if (err == -FDT_ERR_NOTFOUND)
			return dropped;
		if (err)
			return err;
		if (size == 0)
			continue;
		if (*n >= cap) {
			dropped++;
			continue;
		}
		ranges[*n].base = base;
		ranges[*n].size = size;
		(*n)++;
	}
}

/*
 * Collects the reg ranges of every enabled root child whose device_type is
 * "memory". Returns 0, or an error when there is no memory at all.
 */
static int parse_memory(const struct fdt *fdt, struct platform *out,
			struct fdt_diag *diag)
{
	int root = fdt_root(fdt), node, r;

	for (node = fdt_first_child(fdt, root); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		if (!prop_is(fdt, node, "device_type", "memory") ||
		    !fdt_node_enabled(fdt, node))
			continue;
		r = add_reg_ranges(fdt, root, node, out->mem, &out->nmem,
				   MAX_MEM_REGIONS);
		if (r < 0)
			return parse_fail(diag, -r, node, "/memory reg");
		if (r > 0)
			printk("platform: ignoring %d memory ranges past %d\n",
			       r, MAX_MEM_REGIONS);
	}
	if (out->nmem == 0)
		return parse_fail(diag, FDT_ERR_NOTFOUND, root, "/memory");
	return 0;
}

/* Adds one reserved range; returns false when the table is full. */
static bool add_reserved(struct platform *out, u64 base, u64 size)
{
	if (out->nreserved >= MAX_RESERVED)
		return false;
	out->reserved[out->nreserved].base = base;
	out->reserved[out->nreserved].size = size;
	out->nreserved++;
	return true;
}

/*
 * Collects the /memreserve/ entries and the reg ranges of every enabled
 * /reserved-memory child (no-map or not: the kernel never allocates any of
 * them). Losing a range would let the allocator hand out firmware memory,
 * so running out of table slots is an error.
 */
static int parse_reserved(const struct fdt *fdt, struct platform *out,
			  struct fdt_diag *diag)
{
	int rmem, node, r;
	u64 base, size;
	u32 i;

	for (i = 0; fdt_get_rsv(fdt, i, &base, &size) == 0; i++)
		if (size != 0 && !add_reserved(out, base, size))
			return parse_fail(diag, FDT_ERR_BADVALUE, 0,
					  "too many /memreserve/ entries");
	rmem = fdt_path_offset(fdt, "/reserved-memory");
	if (rmem < 0)
		return 0;
	for (node = fdt_first_child(fdt, rmem); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		if (!fdt_node_enabled(fdt, node))
			continue;
		r = add_reg_ranges(fdt, rmem, node, out->reserved,
				   &out->nreserved, MAX_RESERVED);
		if (r != 0)
			return parse_fail(diag, r < 0 ? -r : FDT_ERR_BADVALUE,
					  node, "/reserved-memory reg");
	}
	return 0;
}

/* Reads /chosen bootargs and the initrd range (4- or 8-byte cells). */
static void parse_chosen(const struct fdt *fdt, struct platform *out)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args;
	u64 start, end;

	if (chosen < 0)
		return;
	args = fdt_prop_string(fdt, chosen, "bootargs");
	if (args && strlcpy(out->bootargs, args, BOOTARGS_MAX) >= BOOTARGS_MAX)
		printk("platform: bootargs truncated to %d bytes\n",
		       BOOTARGS_MAX - 1);
	if (fdt_prop_num(fdt, chosen, "linux,initrd-start", &start) &&
	    fdt_prop_num(fdt, chosen, "linux,initrd-end", &end) &&
	    end > start) {
		out->initrd_start = start;
		out->initrd_end = end;
	}
}

/* True when an mmu-type names a paging mode that includes Sv39. */
static bool mmu_supports_sv39(const char *mmu)
{
	return mmu && (strcmp(mmu, "riscv,sv39") == 0 ||
		       strcmp(mmu, "riscv,sv48") == 0 ||
		       strcmp(mmu, "riscv,sv57") == 0);
}

/*
 * Fills cpu from the cpu node: hart id from reg, the isa string, and
 * whether this kernel can run there (enabled, an RV64 isa or none given,
 * and an mmu-type with Sv39; such a hart has S-mode). Returns 0 or an error
 * when reg is missing.
 */
static int parse_cpu(const struct fdt *fdt, int cpus, int node,
		     struct cpu_desc *cpu)
{
	const char *isa = fdt_prop_string(fdt, node, "riscv,isa");
	u64 hart, size;
	int err = fdt_reg(fdt, cpus, node, 0, &hart, &size);

	if (err)
		return err;
	cpu->hartid = (u32)hart;
	if (isa)
		strlcpy(cpu->isa, isa, sizeof(cpu->isa));
	cpu->usable = fdt_node_enabled(fdt, node) &&
		      (!isa || strncmp(isa, "rv64", 4) == 0) &&
		      mmu_supports_sv39(fdt_prop_string(fdt, node, "mmu-type"));
	return 0;
}

/*
 * Reads every cpu node under /cpus and the timebase frequency (on /cpus,
 * or else on a cpu node). Returns an error when there is no cpu, no usable
 * one, or no timebase.
 */
static int parse_cpus(const struct fdt *fdt, struct platform *out,
		      struct fdt_diag *diag)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, err, nusable = 0;

	if (cpus < 0)
		return parse_fail(diag, FDT_ERR_NOTFOUND, 0, "/cpus");
	fdt_prop_num(fdt, cpus, "timebase-frequency", &out->timebase_hz);
	for (node = fdt_first_child(fdt, cpus); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		if (!prop_is(fdt, node, "device_type", "cpu"))
			continue;
		if (out->ncpus == MAX_CPUS) {
			printk("platform: ignoring cpu %s past %d cpus\n",
			       fdt_node_name(fdt, node), MAX_CPUS);
			continue;
		}
		err = parse_cpu(fdt, cpus, node, &out->cpus[out->ncpus]);
		if (err)
			return parse_fail(diag, -err, node, "cpu reg");
		if (out->timebase_hz == 0)
			fdt_prop_num(fdt, node, "timebase-frequency",
				     &out->timebase_hz);
		nusable += out->cpus[out->ncpus++].usable;
	}
	if (nusable == 0)
		return parse_fail(diag, FDT_ERR_NOTFOUND, cpus,
				  "/cpus: no usable cpu");
	if (out->timebase_hz == 0)
		return parse_fail(diag, FDT_ERR_NOTFOUND, cpus,
				  "timebase-frequency");
	return 0;
}

/* Index in out->cpus of the hart whose cpu node is cpu_node, or -1. */
static int cpu_index_of_node(const struct fdt *fdt, const struct platform *out,
			     int cpu_node)
{
	u64 hart, size;
	int i;

	if (!prop_is(fdt, cpu_node, "device_type", "cpu") ||
	    fdt_reg(fdt, -1, cpu_node, 0, &hart, &size) != 0)
		return -1;
	for (i = 0; i < out->ncpus; i++)
		if (out->cpus[i].hartid == hart)
			return i;
	return -1;
}

/* First enabled node compatible with any of the n strings in compats. */
static int find_any_compatible(const struct fdt *fdt,
			       const char *const *compats, int n,
			       const char **which)
{
	int node, i;

	for (node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node)) {
		if (!fdt_node_enabled(fdt, node))
			continue;
		for (i = 0; i < n; i++) {
			if (fdt_node_is_compatible(fdt, node, compats[i])) {
				if (which)
					*which = compats[i];
				return node;
			}
		}
	}
	return -FDT_ERR_NOTFOUND;
}

/*
 * Maps PLIC contexts to harts. Context i is the i-th entry of
 * interrupts-extended, a (phandle, specifier) pair whose phandle names a
 * hart's local interrupt controller (a child of its cpu node); the entry
 * whose specifier is the S-mode external interrupt is that hart's
 * S-context. Entries with an unknown phandle (-1 marks unused contexts)
 * still take a context number.
 */
static void parse_plic_contexts(const struct fdt *fdt, int plic,
				struct platform *out)
{
	int len, pos = 0, ctx = 0, intc, idx;
	const u8 *ie = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	u32 cells;

	for (; ie && pos + 8 <= len; ctx++) {
		intc = fdt_node_by_phandle(fdt, fdt_be32(ie + pos));
		cells = 1;
		if (intc >= 0)
			fdt_prop_u32(fdt, intc, "#interrupt-cells", &cells);
		if (cells < 1 || cells > 4 || pos + 4 + 4 * (int)cells > len)
			return;
		if (intc >= 0 && arch_irq_is_s_external(fdt_be32(ie + pos + 4))) {
			idx =
			    cpu_index_of_node(fdt, out, fdt_parent(fdt, intc));
			if (idx >= 0)
				out->plic.ctx_of_cpu[idx] = ctx;
		}
		pos += 4 + 4 * (int)cells;
	}
}

/* Reads the PLIC's registers, source count and hart contexts, if any. */
static void parse_plic(const struct fdt *fdt, struct platform *out)
{
	int plic = find_any_compatible(fdt, plic_compats,
				       ARRAY_SIZE(plic_compats), NULL);

	if (plic < 0 ||
	    fdt_reg(fdt, -1, plic, 0, &out->plic.base, &out->plic.size) != 0)
		return;
	fdt_prop_u32(fdt, plic, "riscv,ndev", &out->plic.ndev);
	parse_plic_contexts(fdt, plic, out);
}

/* First cell of a device's interrupts (or interrupts-extended), or 0. */
static u32 device_irq(const struct fdt *fdt, int node)
{
	int len;
	const u8 *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (p && len >= 4)
		return fdt_be32(p);
	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (p && len >= 8)
		return fdt_be32(p + 4);
	return 0;
}

/*
 * Finds the node /chosen stdout-path names: the path may carry options
 * after ':' ("serial0:115200n8") and may start with an alias from /aliases
 * instead of '/'. Returns the node or a negative code.
 */
static int stdout_node(const struct fdt *fdt)
{
	char path[PATH_MAX_LEN];
	const char *s, *alias;
	int chosen = fdt_path_offset(fdt, "/chosen"), aliases;
	size_t n;

	s = chosen < 0 ? NULL : fdt_prop_string(fdt, chosen, "stdout-path");
	if (!s)
		return -FDT_ERR_NOTFOUND;
	for (n = 0; s[n] != '\0' && s[n] != ':' && n + 1 < sizeof(path); n++)
		path[n] = s[n];
	path[n] = '\0';
	if (path[0] == '/')
		return fdt_path_offset(fdt, path);
	aliases = fdt_path_offset(fdt, "/aliases");
	alias = aliases < 0 ? NULL : fdt_prop_string(fdt, aliases, path);
	if (!alias || alias[0] != '/')
		return -FDT_ERR_NOTFOUND;
	return fdt_path_offset(fdt, alias);
}

/* The supported UART compatible string node matches, or NULL. */
static const char *uart_compat(const struct fdt *fdt, int node)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(uart_compats); i++)
		if (fdt_node_is_compatible(fdt, node, uart_compats[i]))
			return uart_compats[i];
	return NULL;
}

/*
 * Describes the console UART: the stdout-path node when it is a UART we
 * drive, else the first enabled one in the tree.
 */
static void parse_uart(const struct fdt *fdt, struct platform *out)
{
	int node = stdout_node(fdt);
	const char *compat = NULL;
	u64 clock = 0;
	u32 v;

	if (node >= 0 && fdt_node_enabled(fdt, node))
		compat = uart_compat(fdt, node);
	if (!compat)
		node = find_any_compatible(fdt, uart_compats,
					   ARRAY_SIZE(uart_compats), &compat);
	if (node < 0 ||
	    fdt_reg(fdt, -1, node, 0, &out->uart.base, &out->uart.size) != 0)
		return;
	strlcpy(out->uart.compatible, compat, sizeof(out->uart.compatible));
	out->uart.reg_shift = 0;
	out->uart.reg_io_width = 1;
	if (fdt_prop_u32(fdt, node, "reg-shift", &v))
		out->uart.reg_shift = v;
	if (fdt_prop_u32(fdt, node, "reg-io-width", &v))
		out->uart.reg_io_width = v;
	out->uart.irq = device_irq(fdt, node);
	fdt_prop_num(fdt, node, "clock-frequency", &clock);
	out->uart.clock_hz = (u32)clock;
}

/* Sorts the virtio slots by base address so their order is stable. */
static void sort_virtio(struct platform *out)
{
	int i, j;

	for (i = 1; i < out->nvirtio; i++) {
		for (j = i;
		     j > 0 && out->virtio[j - 1].base > out->virtio[j].base;
		     j--) {
			__typeof__(out->virtio[0]) tmp = out->virtio[j];

			out->virtio[j] = out->virtio[j - 1];
			out->virtio[j - 1] = tmp;
		}
	}
}

/* Collects the enabled virtio,mmio slots (up to MAX_VIRTIO). */
static void parse_virtio(const struct fdt *fdt, struct platform *out)
{
	int node = fdt_find_compatible(fdt, -1, "virtio,mmio");

	for (; node >= 0;
	     node = fdt_find_compatible(fdt, node, "virtio,mmio")) {
		if (!fdt_node_enabled(fdt, node))
			continue;
		if (out->nvirtio == MAX_VIRTIO) {
			printk("platform: ignoring virtio slots past %d\n",
			       MAX_VIRTIO);
			break;
		}
		if (fdt_reg(fdt, -1, node, 0, &out->virtio[out->nvirtio].base,
			    &out->virtio[out->nvirtio].size) != 0)
			continue;
		out->virtio[out->nvirtio++].irq = device_irq(fdt, node);
	}
	sort_virtio(out);
}

/*
 * Finds the test finisher: a syscon-poweroff node (its regmap's base, its
 * offset and value) or else a sifive,test0/test1 device, which powers off
 * on FINISHER_PASS at offset 0.
 */
static void parse_finisher(const struct fdt *fdt, struct platform *out)
{
	int node = fdt_find_compatible(fdt, -1, "syscon-poweroff"), syscon;
	u32 ph, offset = 0, value;
	u64 size;

	if (node >= 0 && fdt_prop_u32(fdt, node, "regmap", &ph) &&
	    fdt_prop_u32(fdt, node, "value", &value)) {
		fdt_prop_u32(fdt, node, "offset", &offset);
		syscon = fdt_node_by_phandle(fdt, ph);
		if (syscon >= 0 && fdt_reg(fdt, -1, syscon, 0,
					   &out->finisher.base, &size) == 0) {
			out->finisher.offset = offset;
			out->finisher.poweroff_value = value;
			return;
		}
	}
	node = fdt_find_compatible(fdt, -1, "sifive,test0");
	if (node < 0)
		node = fdt_find_compatible(fdt, -1, "sifive,test1");
	if (node >= 0 &&
	    fdt_reg(fdt, -1, node, 0, &out->finisher.base, &size) == 0) {
		out->finisher.offset = 0;
		out->finisher.poweroff_value = FINISHER_PASS;
	}
}

int platform_parse(const void *blob, size_t maxsize, struct platform *out,
		   struct fdt_diag *diag)
{
	struct fdt_diag local;
	struct fdt fdt;
	int i, err;

	if (!diag)
		diag = &local;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < MAX_CPUS; i++)
		out->plic.ctx_of_cpu[i] = -1;
	err = fdt_open(&fdt, blob, maxsize, diag);
	if (!err)
		err = parse_memory(&fdt, out, diag);
	if (!err)
		err = parse_reserved(&fdt, out, diag);
	if (!err)
		err = parse_cpus(&fdt, out, diag);
	if (err)
		return err;
	parse_model(&fdt, out);
	parse_chosen(&fdt, out);
	parse_plic(&fdt, out);
	parse_uart(&fdt, out);
	parse_virtio(&fdt, out);
	parse_finisher(&fdt, out);
	return 0;
}

/* Panics with the reason platform_parse() or fdt_check() gave. */
static void __noreturn fdt_panic(const void *fdt, int err,
				 const struct fdt_diag *d)
{
	panic("platform_init_from_fdt: fdt at %p: %s%s%s (offset 0x%x, "
	      "value 0x%x)",
	      fdt, d->what ? d->what : "", d->what ? ": " : "",
	      fdt_strerror(err), d->offset, d->value);
}

/*
 * The blob is checked before `platform` is touched, so a malformed blob
 * panics with the live description intact.
 */
void platform_init_from_fdt(const void *fdt)
{
	struct fdt_diag d;
	int err = fdt_check(fdt, FDT_MAX_TOTALSIZE, &d);

	if (!err)
		err = platform_parse(fdt, FDT_MAX_TOTALSIZE, &platform, &d);
	if (err)
		fdt_panic(fdt, err, &d);
	boot_fdt = fdt;
	boot_fdt_size = fdt_be32((const u8 *)fdt + 4);
}

/* Prints a list of ranges, one per line, under a title. */
static void print_ranges(const char *title, const struct mem_region *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printk("  %-9s [0x%lx, 0x%lx) %lu KiB\n", title, r[i].base,
		       r[i].base + r[i].size, r[i].size >> 10);
}

/* Prints the harts, PLIC contexts included. */
static void print_cpus(const struct platform *p)
{
	int i;

	printk("  timebase  %lu Hz\n", p->timebase_hz);
	for (i = 0; i < p->ncpus; i++)
		printk("  hart %u   %s, plic ctx %d, %s\n", p->cpus[i].hartid,
		       p->cpus[i].usable ? "usable" : "not usable",
		       p->plic.ctx_of_cpu[i],
		       p->cpus[i].isa[0] ? p->cpus[i].isa : "(no isa)");
}

/* Prints the devices: UART, PLIC, virtio slots, finisher. */
static void print_devices(const struct platform *p)
{
	int i;

	if (p->uart.base)
		printk("  uart      %s at 0x%lx, shift %u, width %u, irq %u, "
		       "clock %u Hz\n",
		       p->uart.compatible, p->uart.base, p->uart.reg_shift,
		       p->uart.reg_io_width, p->uart.irq, p->uart.clock_hz);
	if (p->plic.base)
		printk("  plic      0x%lx size 0x%lx, %u sources\n",
		       p->plic.base, p->plic.size, p->plic.ndev);
	for (i = 0; i < p->nvirtio; i++)
		printk("  virtio    0x%lx irq %u\n", p->virtio[i].base,
		       p->virtio[i].irq);
	if (p->finisher.base)
		printk("  finisher  0x%lx + 0x%x, pass value 0x%x\n",
		       p->finisher.base, p->finisher.offset,
		       p->finisher.poweroff_value);
}

void platform_print_desc(const struct platform *p)
{
	printk("platform: %s\n", p->model[0] ? p->model : "(no model)");
	print_ranges("memory", p->mem, p->nmem);
	print_ranges("reserved", p->reserved, p->nreserved);
	if (p->initrd_end)
		printk("  initrd    [0x%lx, 0x%lx)\n", p->initrd_start,
		       p->initrd_end);
	printk("  bootargs  \"%s\"\n", p->bootargs);
	print_cpus(p);
	print_devices(p);
}

void platform_print(void)
{
	platform_print_desc(&platform);
}
