/*
 * Self tests of the TLB shootdown (mm/tlb.c): which harts each operation
 * asks to flush, and that it asks once. The address space here runs
 * nowhere; the test marks another online hart in active_cpus as if a
 * thread of it ran there (an RFENCE to a hart that caches nothing of it is
 * harmless).
 */
#include <ktest.h>
#include <mm.h>
#include <addrspace.h>
#include <smp.h>
#include <asm/cpu.h>
#include "internal.h"

static u64 shootdowns(void)
{
	struct mem_stats st;

	mem_get_stats(&st);
	return st.tlb_shootdowns;
}

/* An online cpu other than this one, or -1. */
static int other_cpu(void)
{
	int i;

	for (i = 0; i < ncpus_possible; i++)
		if (i != cpu_id() && cpus[i].online)
			return i;
	return -1;
}

KTEST(tlb_shootdown_once_per_operation_to_the_right_harts)
{
	struct mm *mm = mm_create(), *child;
	int other = other_cpu();
	u64 me = 1UL << cpu_id(), n0;

	KT_ASSERT(mm != NULL);
	if (other < 0) {
		mm_destroy(mm);
		KT_SKIP("needs a second hart");
	}
	KT_EQ(mm_set_heap(mm, 0x100000), 0);
	KT_EQ(mm_sbrk(mm, 64 * PAGE_SIZE, false), 0x100000);

	/* Only this hart runs it: nothing is sent. */
	mm->active_cpus = me;
	n0 = shootdowns();
	KT_EQ(mm_sbrk(mm, -8 * (long)PAGE_SIZE, false), 0x140000);
	KT_EQ(shootdowns(), n0);

	/* Another hart runs it too: an sbrk shrink of 40 pages (pages and a
	 * page table freed) is one request, to that hart only. */
	mm->active_cpus = me | (1UL << other);
	n0 = shootdowns();
	KT_EQ(mm_sbrk(mm, -40 * (long)PAGE_SIZE, false), 0x138000);
	KT_EQ(shootdowns(), n0 + 1);
	KT_EQ(tlb_last_shootdown_mask(), 1UL << other);

	/* fork's write-protect: one request. */
	n0 = shootdowns();
	child = mm_dup(mm);
	KT_ASSERT(child != NULL);
	KT_EQ(shootdowns(), n0 + 1);
	KT_EQ(tlb_last_shootdown_mask(), 1UL << other);

	mm->active_cpus = 0;
	mm_destroy(child);
	mm_destroy(mm);
}
