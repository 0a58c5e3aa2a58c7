/*
 * free: shows memory use from the kernel's counters (memstat).
 *
 *   free        pages and MiB: total, used, free; shared, cache and
 *               page-table pages; fault counts
 */
#include "kernel/types.h"
#include "user/user.h"

#define PAGE_KIB 4

/* Prints a page count and the same amount in MiB with one decimal. */
static void show(const char *what, unsigned long pages)
{
	unsigned long kib = pages * PAGE_KIB;

	printf("%-18s %8lu pages %6lu.%lu MiB\n", what, pages, kib / 1024,
	       (kib % 1024) * 10 / 1024);
}

int main(int argc, char *argv[])
{
	struct memstat ms;

	if (argc > 1) {
		fprintf(2, "usage: free\n");
		exit(1);
	}
	if (memstat(&ms) < 0) {
		fprintf(2, "free: memstat failed\n");
		exit(1);
	}
	/* total = reserved (firmware, kernel image, DTB, initrd, page array,
	 * holes) + used (allocated by the kernel and programs) + free. */
	show("total", ms.total_pages);
	show("reserved", ms.reserved_pages);
	show("used", ms.total_pages - ms.reserved_pages - ms.free_pages);
	show("free", ms.free_pages);
	show("shared (COW)", ms.shared_pages);
	show("page cache", ms.cache_pages);
	show("page tables", ms.pt_pages);
	printf("%-18s %8lu\n", "COW copy faults", ms.cow_copy_faults);
	printf("%-18s %8lu\n", "  copied ahead", ms.cow_ahead_pages);
	printf("%-18s %8lu\n", "COW reuse faults", ms.cow_reuse_faults);
	printf("%-18s %8lu\n", "zero-fill faults", ms.zero_fill_faults);
	printf("%-18s %8lu\n", "2 MiB blocks free", ms.huge_free);
	printf("%-18s %8lu\n", "2 MiB mappings", ms.thp_mapped);
	printf("%-18s %8lu\n", "2 MiB COW copies", ms.thp_copies);
	printf("%-18s %8lu\n", "2 MiB splits", ms.thp_splits);
	printf("%-18s %8lu\n", "file faults", ms.file_faults);
	printf("%-18s %8lu\n", "page writebacks", ms.writebacks);
	printf("%-18s %8lu\n", "TLB shootdowns", ms.tlb_shootdowns);
	printf("%-18s %8lu\n", "  harts reached", ms.tlb_shootdown_harts);
	printf("%-18s %8lu\n", "processes", ms.nproc);
	printf("%-18s %8lu\n", "threads", ms.nthreads);
	exit(0);
}
