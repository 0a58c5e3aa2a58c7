/*
 * Boot-time memory setup: decides which physical ranges are never handed
 * out (firmware below the kernel, the kernel image, the device tree, the
 * initrd, /reserved-memory), turns the /memory ranges into banks of RAM,
 * places the struct page array in free RAM next to the kernel, and frees
 * everything else.
 */
#include <mm.h>
#include <printk.h>
#include <platform.h>
#include <boot.h>
#include <string.h>
#include <errno.h>
#include "internal.h"

#define MAX_RSV (MAX_RESERVED + 8)
static struct mem_region rsv[MAX_RSV];
static int nrsv;

static void reserve(phys_addr_t base, u64 size)
{
	if (!size)
		return;
	if (nrsv == MAX_RSV)
		panic("mm_init: more than %d reserved ranges", MAX_RSV);
	rsv[nrsv].base = ALIGN_DOWN(base, PAGE_SIZE);
	rsv[nrsv].size = ALIGN_UP(base + size, PAGE_SIZE) - rsv[nrsv].base;
	nrsv++;
}

bool range_reserved(phys_addr_t pa, u64 size, const struct mem_region *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pa < r[i].base + r[i].size && r[i].base < pa + size)
			return true;
	return false;
}

/* The lowest free range of size bytes at or after from, below limit. */
static phys_addr_t find_free(phys_addr_t from, phys_addr_t limit, u64 size)
{
	phys_addr_t pa = ALIGN_UP(from, PAGE_SIZE);
	int i;

	for (;;) {
		bool moved = false;
		if (pa + size > limit)
			panic("mm_init: no room for %lu bytes of page array", size);
		for (i = 0; i < nrsv; i++) {
			if (pa < rsv[i].base + rsv[i].size && rsv[i].base < pa + size) {
				pa = ALIGN_UP(rsv[i].base + rsv[i].size, PAGE_SIZE);
				moved = true;
			}
		}
		if (!moved)
			return pa;
	}
}

static const struct mem_region *region_of(phys_addr_t pa)
{
	int i;

	for (i = 0; i < platform.nmem; i++)
		if (pa >= platform.mem[i].base && pa - platform.mem[i].base < platform.mem[i].size)
			return &platform.mem[i];
	panic("mm_init: kernel at %p is not in any /memory range", (void *)pa);
}

/*
 * Adds the whole pages of [base, base + size) to the n banks in banks[],
 * kept sorted by address: a range that overlaps or touches banks joins
 * them into one. Returns the new number of banks, or -ENOSPC when a new
 * bank would be the (MAX_PAGE_BANKS + 1)th.
 */
int bank_add(struct mem_region *banks, int n, phys_addr_t base, u64 size)
{
	phys_addr_t start = ALIGN_UP(base, PAGE_SIZE);
	phys_addr_t end = ALIGN_DOWN(base + size, PAGE_SIZE);
	int i, j;

	if (end <= start)
		return n;
	for (i = 0; i < n && banks[i].base + banks[i].size < start; i++)
		;
	if (i < n && banks[i].base <= end) {
		/* Overlaps or touches bank i: grow it, swallow followers. */
		end = MAX(end, banks[i].base + banks[i].size);
		banks[i].base = MIN(start, banks[i].base);
		for (j = i + 1; j < n && banks[j].base <= end; j++)
			end = MAX(end, banks[j].base + banks[j].size);
		banks[i].size = end - banks[i].base;
		memmove(&banks[i + 1], &banks[j],
			(size_t)(n - j) * sizeof(banks[0]));
		return n - (j - i - 1);
	}
	if (n == MAX_PAGE_BANKS)
		return -ENOSPC;
	memmove(&banks[i + 1], &banks[i], (size_t)(n - i) * sizeof(banks[0]));
	banks[i].base = start;
	banks[i].size = end - start;
	return n + 1;
}

void mm_init(phys_addr_t kernel_pa, u64 kernel_size, phys_addr_t dtb_pa, u64 dtb_size)
{
	const struct mem_region *kr = region_of(kernel_pa);
	struct mem_region banks[MAX_PAGE_BANKS];
	phys_addr_t array_pa, limit;
	u64 array_size;
	int i, nbanks = 0;

	if (platform.nmem == 0)
		panic("mm_init: the device tree describes no memory");
	reserve(kr->base, kernel_pa - kr->base); /* firmware (OpenSBI) */
	reserve(kernel_pa, kernel_size);
	reserve(dtb_pa, dtb_size);
	if (platform.initrd_end > platform.initrd_start)
		reserve(platform.initrd_start, platform.initrd_end - platform.initrd_start);
	for (i = 0; i < platform.nreserved; i++)
		reserve(platform.reserved[i].base, platform.reserved[i].size);

	for (i = 0; i < platform.nmem; i++) {
		nbanks = bank_add(banks, nbanks, platform.mem[i].base,
				  platform.mem[i].size);
		if (nbanks < 0)
			panic("mm_init: more than %d banks of RAM",
			      MAX_PAGE_BANKS);
	}
	if (nbanks == 0)
		panic("mm_init: no whole page of RAM in the device tree");
	if (banks[nbanks - 1].base + banks[nbanks - 1].size > LINEAR_MAP_SIZE)
		panic("mm_init: RAM up to %p, beyond the linear map (%p)",
		      (void *)(banks[nbanks - 1].base + banks[nbanks - 1].size),
		      (void *)LINEAR_MAP_SIZE);
	array_size = page_array_bytes(banks, nbanks);
	/* The early table maps only the 1 GiB around the kernel. */
	limit = MIN(kr->base + kr->size, ALIGN_DOWN(kernel_pa, 1UL << 30) + (1UL << 30));
	array_pa = find_free(kernel_pa + kernel_size, limit, array_size);
	reserve(array_pa, array_size);
	page_array_init(banks, nbanks, array_pa, rsv, nrsv);
}
