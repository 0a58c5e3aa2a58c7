/*
 * The kernel's page table: a linear map of all RAM (read/write, never
 * executable), the kernel image with per-section permissions, and the
 * ioremap and kernel-stack areas. Its upper half is shared by every process.
 */
#include <mm.h>
#include <pgtable.h>
#include <printk.h>
#include <platform.h>
#include <spinlock.h>
#include <asm/arch.h>
#include <boot.h>
#include <smp.h>

phys_addr_t kernel_phys_base;

phys_addr_t kva_to_pa(const void *va)
{
	u64 v = (u64)va;

	if (v >= KERNEL_VBASE)
		return v - KERNEL_VBASE + kernel_phys_base;
	if (v >= PAGE_OFFSET && v < IOREMAP_BASE)
		return v - PAGE_OFFSET;
	panic("kva_to_pa: %p is neither linear-map nor kernel image", va);
}

/* Maps [pa, end) into the linear map with the largest pages that fit. */
static void map_linear(phys_addr_t pa, phys_addr_t end)
{
	while (pa < end) {
		int level = 0;
		if (IS_ALIGNED(pa, LEVEL_SIZE(2)) && pa + LEVEL_SIZE(2) <= end)
			level = 2;
		else if (IS_ALIGNED(pa, LEVEL_SIZE(1)) && pa + LEVEL_SIZE(1) <= end)
			level = 1;
		if (pgtable_map_level(kernel_root, PAGE_OFFSET + pa, pa, level,
				      PROT_READ | PROT_WRITE))
			panic("map_linear: out of memory for page tables");
		pa += LEVEL_SIZE(level);
	}
}

static void map_kernel_section(char *start, char *end, unsigned prot)
{
	u64 va = ALIGN_DOWN((u64)start, PAGE_SIZE);
	u64 size = ALIGN_UP((u64)end, PAGE_SIZE) - va;

	if (pgtable_map_range(kernel_root, va, kva_to_pa((void *)va), size, prot))
		panic("map_kernel_section: out of memory for page tables");
}

/* Builds the final kernel page table and switches this hart to it. */
void paging_init(void)
{
	int i;

	kernel_root = pgtable_alloc();
	if (!kernel_root)
		panic("paging_init: no page for the root table");
	for (i = 0; i < platform.nmem; i++)
		map_linear(ALIGN_UP(platform.mem[i].base, PAGE_SIZE),
			   ALIGN_DOWN(platform.mem[i].base + platform.mem[i].size, PAGE_SIZE));
	map_kernel_section(_text_start, _etext, PROT_READ | PROT_EXEC);
	map_kernel_section(_srodata, _erodata, PROT_READ);
	map_kernel_section(_sdata, _end, PROT_READ | PROT_WRITE);
	/* Create the tables of the ioremap and stack areas now, so that the
	 * root entries copied into every process never change afterwards. */
	if (pgtable_walk(kernel_root, IOREMAP_BASE, true).found != WALK_PTE ||
	    pgtable_walk(kernel_root, KSTACK_BASE, true).found != WALK_PTE)
		panic("paging_init: out of memory for page tables");
	arch_switch_root(kva_to_pa(kernel_root));
}

static struct spinlock ioremap_lock = SPINLOCK_INIT("ioremap");
static u64 ioremap_next = IOREMAP_BASE;

void *ioremap(phys_addr_t pa, size_t size)
{
	u64 off = pa & (PAGE_SIZE - 1), va;

	size = ALIGN_UP(size + off, PAGE_SIZE);
	spin_lock(&ioremap_lock);
	va = ioremap_next;
	ioremap_next += size + PAGE_SIZE; /* an unmapped page between mappings */
	if (ioremap_next > IOREMAP_BASE + IOREMAP_SIZE)
		panic("ioremap: area exhausted mapping %p", (void *)pa);
	if (pgtable_map_range(kernel_root, va, pa - off, size, PROT_READ | PROT_WRITE))
		panic("ioremap: out of memory for page tables");
	spin_unlock(&ioremap_lock);
	arch_flush_tlb_all();
	return (void *)(va + off);
}

/*
 * Maps the kernel stack of slot (KSTACK_PAGES pages above a guard page).
 * Returns the stack's lowest address.
 */
void *kstack_map(int slot)
{
	u64 base = KSTACK_BASE + (u64)slot * KSTACK_SLOT_SIZE + KSTACK_GUARD_SIZE;
	int i;

	if ((u64)(slot + 1) * KSTACK_SLOT_SIZE > KSTACK_AREA_SIZE)
		panic("kstack_map: slot %d outside the stack area", slot);
	for (i = 0; i < KSTACK_PAGES; i++) {
		struct page *pg = alloc_page(GFP_ZERO);
		if (!pg)
			panic("kstack_map: out of memory");
		pg->flags |= PG_KERNEL;
		if (pgtable_map_level(kernel_root, base + i * PAGE_SIZE,
				      page_to_pa(pg), 0, PROT_READ | PROT_WRITE))
			panic("kstack_map: out of memory for page tables");
	}
	arch_flush_tlb_all();
	return (void *)base;
}

