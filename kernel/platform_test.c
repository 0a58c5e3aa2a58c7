/*
 * Self tests for the device-tree reader (lib/fdt.c) and the platform parser
 * (kernel/platform.c).
 *
 * They parse the live boot blob, three trees compiled by dtc from
 * tests/dts/ at build time (a VisionFive-2-like one, a QEMU-virt-like one
 * and the one the runner gives QEMU's microchip-icicle-kit, embedded by
 * kernel/meson.build as dtb_vf2[], dtb_virt[] and dtb_icicle[]), and
 * copies of those corrupted on purpose, which fdt_check() must reject with
 * the right error rather than read outside the blob. All parsing goes into
 * static scratch structures, never into the live `platform`.
 */
#include <fdt.h>
#include <ktest.h>
#include <platform.h>
#include <printk.h>
#include <string.h>

#include "platform_internal.h"


/* Big enough for either test blob; both are a few KiB. */
#define SCRATCH_SIZE 8192

static struct platform test_plat;
static u8 scratch[SCRATCH_SIZE] __aligned(8);

/* Header field offsets, as the corruption tests need them. */
#define H_TOTALSIZE    4
#define H_OFF_STRUCT   8
#define H_OFF_STRINGS  12
#define H_OFF_RSVMAP   16
#define H_VERSION      20
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT  36

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Copies the virt test blob into scratch; returns its size. */
static u32 fresh_copy(void)
{
	memcpy(scratch, dtb_virt, dtb_virt_size);
	return dtb_virt_size;
}

/* fdt_check() of the first size bytes of scratch; returns the error. */
static int check_scratch(u32 size, struct fdt_diag *d)
{
	return fdt_check(scratch, size, d);
}

KTEST(fdt_live_boot_blob)
{
	static struct platform again;
	int i, usable = 0;

	KT_ASSERT(boot_fdt != NULL);
	KT_EQ(fdt_check(boot_fdt, boot_fdt_size, NULL), 0);
	KT_EQ(platform_parse(boot_fdt, boot_fdt_size, &again, NULL), 0);
	/* A second parse of the boot blob agrees with the live copy. */
	KT_EQ(again.nmem, platform.nmem);
	KT_EQ(again.mem[0].base, platform.mem[0].base);
	KT_EQ(again.ncpus, platform.ncpus);
	KT_EQ(again.uart.base, platform.uart.base);
	KT_ASSERT(strcmp(again.bootargs, platform.bootargs) == 0);
	KT_ASSERT(platform.nmem >= 1 && platform.mem[0].size >= (1 << 20));
	KT_ASSERT(platform.ncpus >= 1);
	KT_ASSERT(platform.timebase_hz >= 1000);
	for (i = 0; i < platform.ncpus; i++)
		if (platform.cpus[i].usable) {
			usable++;
			KT_ASSERT(platform.plic.base == 0 ||
				  platform.plic.ctx_of_cpu[i] >= 0);
		}
	KT_ASSERT(usable >= 1);
	KT_ASSERT(platform.plic.base != 0 && platform.plic.ndev > 0);
	KT_ASSERT(platform.uart.base != 0);
}

/* Checks the memory, reserved ranges and /chosen of the VF2 tree. */
static bool vf2_memory_ok(const struct platform *p)
{
	return p->nmem == 1 && p->mem[0].base == 0x40000000 &&
	       p->mem[0].size == 0x100000000UL && p->nreserved == 2 &&
	       p->reserved[0].base == 0x40000000 &&
	       p->reserved[0].size == 0x80000 &&
	       p->reserved[1].base == 0x6ce00000 &&
	       p->reserved[1].size == 0x1600000 &&
	       p->initrd_start == 0x46100000 && p->initrd_end == 0x46480000 &&
	       strcmp(p->bootargs, "console=ttyS0,115200 ktest") == 0;
}

KTEST(fdt_visionfive2_tree)
{
	const struct platform *p = &test_plat;
	int i;

	KT_EQ(platform_parse(dtb_vf2, dtb_vf2_size, &test_plat, NULL), 0);
	KT_ASSERT(strcmp(p->model, "StarFive VisionFive 2 v1.3B") == 0);
	KT_ASSERT(vf2_memory_ok(p));
	KT_EQ(p->timebase_hz, 4000000);
	KT_EQ(p->ncpus, 5);
	KT_ASSERT(!p->cpus[0].usable);
	KT_EQ(p->plic.ctx_of_cpu[0], -1);
	for (i = 1; i < 5; i++) {
		KT_EQ(p->cpus[i].hartid, i);
		KT_ASSERT(p->cpus[i].usable);
		KT_EQ(p->plic.ctx_of_cpu[i], 2 * i);
	}
	KT_ASSERT(strcmp(p->cpus[1].isa, "rv64imafdc_zba_zbb") == 0);
	KT_EQ(p->uart.base, 0x10000000);
	KT_EQ(p->uart.size, 0x10000);
	KT_EQ(p->uart.reg_shift, 2);
	KT_EQ(p->uart.reg_io_width, 4);
	KT_EQ(p->uart.irq, 32);
	KT_EQ(p->uart.clock_hz, 24000000);
	KT_ASSERT(strcmp(p->uart.compatible, "snps,dw-apb-uart") == 0);
	KT_EQ(p->plic.base, 0xc000000);
	KT_EQ(p->plic.size, 0x4000000);
	KT_EQ(p->plic.ndev, 136);
	KT_EQ(p->nvirtio, 0);
	KT_EQ(p->finisher.base, 0);
}

/*
 * The icicle tree: RAM in two banks, a reserved range with ragged ends,
 * hart 0 without S-mode, a 16550 with the VisionFive 2's register layout.
 */
KTEST(fdt_icicle_tree)
{
	const struct platform *p = &test_plat;
	int i;

	KT_EQ(platform_parse(dtb_icicle, dtb_icicle_size, &test_plat, NULL), 0);
	KT_EQ(p->nmem, 2);
	KT_EQ(p->mem[0].base, 0x80000000UL);
	KT_EQ(p->mem[0].size, 0x3ff00000UL);
	KT_EQ(p->mem[1].base, 0x1000080000UL);
	KT_EQ(p->mem[1].size, 0x3ff80000UL);
	KT_EQ(p->nreserved, 1);
	KT_EQ(p->reserved[0].base, 0xa0000100UL);
	KT_EQ(p->reserved[0].size, 0x1e00);
	KT_EQ(p->timebase_hz, 1000000);
	KT_EQ(p->ncpus, 5);
	KT_ASSERT(!p->cpus[0].usable);
	for (i = 1; i < 5; i++) {
		KT_ASSERT(p->cpus[i].usable);
		KT_EQ(p->plic.ctx_of_cpu[i], 2 * i);
	}
	KT_EQ(p->uart.base, 0x20100000);
	KT_EQ(p->uart.reg_shift, 2);
	KT_EQ(p->uart.reg_io_width, 4);
	KT_EQ(p->uart.irq, 91);
	KT_ASSERT(strcmp(p->uart.compatible, "ns16550a") == 0);
	KT_EQ(p->plic.ndev, 186);
	KT_EQ(p->nvirtio, 0);
}

KTEST(fdt_qemu_virt_tree)
{
	const struct platform *p = &test_plat;
	int i;

	KT_EQ(platform_parse(dtb_virt, dtb_virt_size, &test_plat, NULL), 0);
	KT_ASSERT(strcmp(p->model, "riscv-virtio,qemu") == 0);
	KT_EQ(p->nmem, 2);
	KT_EQ(p->mem[1].base, 0x100000000UL);
	KT_EQ(p->mem[1].size, 0x4000000);
	KT_EQ(p->nreserved, 2); /* the /memreserve/ entry, then OpenSBI's */
	KT_EQ(p->reserved[0].base, 0x87f00000);
	KT_EQ(p->reserved[1].size, 0x40000);
	KT_EQ(p->initrd_start, 0x88200000);
	KT_EQ(p->initrd_end, 0x88201000);
	KT_EQ(p->timebase_hz, 10000000);
	KT_EQ(p->ncpus, 4);
	for (i = 0; i < 4; i++) {
		KT_ASSERT(p->cpus[i].usable);
		KT_EQ(p->plic.ctx_of_cpu[i], 2 * i + 1);
	}
	KT_EQ(p->uart.base, 0x10000000);
	KT_EQ(p->uart.reg_shift, 0);
	KT_EQ(p->uart.reg_io_width, 1);
	KT_EQ(p->uart.irq, 10);
	KT_EQ(p->uart.clock_hz, 3686400);
	KT_EQ(p->nvirtio, 2);
	KT_EQ(p->virtio[0].base, 0x10001000);
	KT_EQ(p->virtio[0].irq, 1);
	KT_EQ(p->virtio[1].base, 0x10002000);
	KT_EQ(p->finisher.base, 0x100000);
	KT_EQ(p->finisher.offset, 0);
	KT_EQ(p->finisher.poweroff_value, 0x5555);
}

KTEST(fdt_lookup_api)
{
	struct fdt fdt;
	int node, cpu3, len;
	u64 base, size;
	u32 v;

	KT_EQ(fdt_open(&fdt, dtb_vf2, dtb_vf2_size, NULL), 0);
	node = fdt_path_offset(&fdt, "/memory");
	KT_ASSERT(node > 0);
	KT_ASSERT(strcmp(fdt_node_name(&fdt, node), "memory@40000000") == 0);
	KT_EQ(fdt_reg(&fdt, -1, node, 0, &base, &size), 0);
	KT_EQ(size, 0x100000000UL);
	KT_EQ(fdt_reg(&fdt, -1, node, 1, &base, &size), -FDT_ERR_NOTFOUND);
	cpu3 = fdt_path_offset(&fdt, "/cpus/cpu@3");
	KT_ASSERT(cpu3 > 0);
	KT_EQ(fdt_reg(&fdt, -1, cpu3, 0, &base, &size), 0);
	KT_EQ(base, 3);
	KT_EQ(fdt_parent(&fdt, cpu3), fdt_path_offset(&fdt, "/cpus"));
	KT_EQ(fdt_path_offset(&fdt, "/cpus/cpu@9"), -FDT_ERR_NOTFOUND);
	KT_EQ(fdt_path_offset(&fdt, "/cpu"), -FDT_ERR_NOTFOUND);
	KT_EQ(fdt_parent(&fdt, fdt_root(&fdt)), -FDT_ERR_NOTFOUND);
	node = fdt_find_compatible(&fdt, -1, "sifive,u74-mc");
	KT_EQ(node, fdt_path_offset(&fdt, "/cpus/cpu@1"));
	KT_ASSERT(
	    fdt_prop_u32(&fdt, fdt_first_child(&fdt, cpu3), "phandle", &v));
	KT_EQ(fdt_node_by_phandle(&fdt, v), fdt_first_child(&fdt, cpu3));
	KT_EQ(fdt_node_by_phandle(&fdt, 0xffffffffU), -FDT_ERR_NOTFOUND);
	KT_ASSERT(fdt_getprop(&fdt, cpu3, "no-such-prop", &len) == NULL);
	KT_ASSERT(!fdt_prop_u32(&fdt, cpu3, "riscv,isa", &v));
	KT_ASSERT(fdt_stringlist_contains("a\0bc\0", 5, "bc"));
	KT_ASSERT(!fdt_stringlist_contains("a\0bc", 4, "bc"));
	KT_ASSERT(!fdt_node_enabled(
	    &fdt, fdt_path_offset(&fdt, "/soc/serial@10010000")));
}

KTEST(fdt_bad_node_offsets_are_harmless)
{
	struct fdt fdt;
	int len;

	KT_EQ(fdt_open(&fdt, dtb_virt, dtb_virt_size, NULL), 0);
	KT_ASSERT(fdt_node_name(&fdt, 3) == NULL);
	KT_ASSERT(fdt_node_name(&fdt, 0x7ffffff0) == NULL);
	KT_ASSERT(fdt_getprop(&fdt, -8, "reg", &len) == NULL);
	KT_EQ(fdt_first_child(&fdt, 0), -FDT_ERR_NOTFOUND);
	KT_EQ(fdt_next_sibling(&fdt, 1 << 20), -FDT_ERR_NOTFOUND);
	KT_EQ(fdt_next_node(&fdt, 40), -FDT_ERR_NOTFOUND);
}

KTEST(fdt_rejects_bad_header)
{
	struct fdt_diag d;
	u32 size = fresh_copy();
	u32 soff = fdt_be32(scratch + H_OFF_STRUCT);

	KT_EQ(check_scratch(size, &d), 0);
	put_be32(scratch, 0x12345678);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_MAGIC);
	KT_EQ(d.value, 0x12345678);
	fresh_copy();
	put_be32(scratch + H_VERSION, 16);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_VERSION);
	KT_EQ(check_scratch(FDT_HEADER_SIZE - 1, &d), -FDT_ERR_TOTALSIZE);
	fresh_copy();
	KT_EQ(check_scratch(size - 1, &d), -FDT_ERR_TOTALSIZE);
	put_be32(scratch + H_TOTALSIZE, 16);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_TOTALSIZE);
	put_be32(scratch + H_TOTALSIZE, soff + 8);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_STRUCT_RANGE);
	fresh_copy();
	put_be32(scratch + H_OFF_STRUCT, size - 4);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_STRUCT_RANGE);
	fresh_copy();
	put_be32(scratch + H_SIZE_STRINGS, 0xfffffff0);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_STRINGS_RANGE);
	fresh_copy();
	put_be32(scratch + H_OFF_RSVMAP, ALIGN_DOWN(size - 8, 8));
	KT_EQ(check_scratch(size, &d), -FDT_ERR_RSVMAP_RANGE);
}

KTEST(fdt_rejects_bad_structure)
{
	struct fdt_diag d;
	struct fdt fdt;
	u32 size = fresh_copy();
	u32 soff = fdt_be32(scratch + H_OFF_STRUCT);
	u32 send = soff + fdt_be32(scratch + H_SIZE_STRUCT);
	u32 prop = soff + 8; /* the root's first property */
	int child;

	KT_EQ(fdt_be32(scratch + prop), FDT_PROP);
	put_be32(scratch + prop + 4, 0x7fffffff); /* value runs off */
	KT_EQ(check_scratch(size, &d), -FDT_ERR_TRUNCATED);
	KT_EQ(d.offset, prop);
	fresh_copy();
	put_be32(scratch + prop + 8, fdt_be32(scratch + H_SIZE_STRINGS) + 100);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_BADSTRING);
	fresh_copy();
	put_be32(scratch + prop, 0x7);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_BADTOKEN);
	fresh_copy();
	put_be32(scratch + send - 4, FDT_NOP); /* the END token is gone */
	KT_EQ(check_scratch(size, &d), -FDT_ERR_TRUNCATED);
	fresh_copy();
	put_be32(scratch + send - 8, FDT_NOP); /* the root is never closed */
	KT_EQ(check_scratch(size, &d), -FDT_ERR_STRUCTURE);
	/* A node name running to the end of the structure block. */
	fresh_copy();
	KT_EQ(fdt_open(&fdt, scratch, size, NULL), 0);
	child = fdt_first_child(&fdt, fdt_root(&fdt));
	KT_ASSERT(child > 0);
	memset(scratch + child + 4, 'x', send - (child + 4));
	KT_EQ(check_scratch(size, &d), -FDT_ERR_BADNAME);
	/* Malformed blobs come back as errors from the parser too. */
	KT_EQ(platform_parse(scratch, size, &test_plat, &d), -FDT_ERR_BADNAME);
}

/*
 * Writes into scratch a blob whose structure block nests depth empty nodes
 * (closing only closes of them). Returns its size.
 */
static u32 build_nested(int depth, int closes)
{
	u32 off = FDT_HEADER_SIZE + 16, soff = off;
	int i;

	memset(scratch, 0, SCRATCH_SIZE);
	for (i = 0; i < depth; i++, off += 8)
		put_be32(scratch + off, FDT_BEGIN_NODE); /* name "" + pad */
	for (i = 0; i < closes; i++, off += 4)
		put_be32(scratch + off, FDT_END_NODE);
	put_be32(scratch + off, FDT_END);
	off += 4;
	put_be32(scratch, FDT_MAGIC);
	put_be32(scratch + H_TOTALSIZE, off);
	put_be32(scratch + H_OFF_STRUCT, soff);
	put_be32(scratch + H_OFF_STRINGS, off);
	put_be32(scratch + H_OFF_RSVMAP, FDT_HEADER_SIZE);
	put_be32(scratch + H_VERSION, 17);
	put_be32(scratch + 24, 16);
	put_be32(scratch + H_SIZE_STRINGS, 0);
	put_be32(scratch + H_SIZE_STRUCT, off - soff);
	return off;
}

KTEST(fdt_nesting_limits)
{
	struct fdt_diag d;
	u32 size;

	size = build_nested(FDT_MAX_DEPTH, FDT_MAX_DEPTH);
	KT_EQ(check_scratch(size, &d), 0);
	size = build_nested(FDT_MAX_DEPTH + 1, FDT_MAX_DEPTH + 1);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_DEPTH);
	size = build_nested(3, 2);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_STRUCTURE);
	size = build_nested(2, 3);
	KT_EQ(check_scratch(size, &d), -FDT_ERR_STRUCTURE);
	/* A valid empty tree still lacks what the kernel needs. */
	size = build_nested(1, 1);
	KT_EQ(platform_parse(scratch, size, &test_plat, &d), -FDT_ERR_NOTFOUND);
	KT_ASSERT(d.what != NULL);
}

/*
 * Corrupts one byte at a time (three values per position) and runs the
 * checker on each copy, and the full parser on every 16th position: none
 * may fault, whatever they decide. A wild read would trap here.
 */
KTEST(fdt_byte_corruption_never_faults)
{
	static const u8 values[] = {0x00, 0xff, 0x80};
	u32 size = dtb_virt_size, pos;
	size_t v;
	int accepted = 0;

	for (pos = 0; pos < size; pos++) {
		for (v = 0; v < ARRAY_SIZE(values); v++) {
			fresh_copy();
			scratch[pos] = values[v];
			if (fdt_check(scratch, size, NULL) == 0)
				accepted++;
			if (pos % 16 == 0)
				platform_parse(scratch, size, &test_plat, NULL);
		}
	}
	KT_ASSERT(accepted > 0); /* changes inside values are still valid */
}

/* Boots the parser on the corrupted copy in scratch (for a death test). */
static void init_from_scratch(void *arg)
{
	platform_init_from_fdt(scratch);
}

KTEST(fdt_bad_boot_blob_panics_cleanly)
{
	int nmem = platform.nmem;
	phys_addr_t base = platform.mem[0].base;

	fresh_copy();
	put_be32(scratch, 0xdeadbeef);
	KT_ASSERT(ktest_expect_panic(init_from_scratch, NULL, "bad magic"));
	/* The check failed before the live description was touched. */
	KT_EQ(platform.nmem, nmem);
	KT_EQ(platform.mem[0].base, base);
}
