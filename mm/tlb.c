/*
 * Which harts may cache an address space's translations, and flushing them.
 *
 * mm_activate() switches this hart to mm and records it in
 * mm->active_cpus; mm_leave() takes it out after a switch away (the switch
 * itself flushes, so a hart outside the mask caches nothing of mm). With
 * threads several harts run one mm at once, so every PTE that loses rights
 * or goes away must be flushed on all of them before the page it mapped,
 * or the page table that held it, can be used for anything else:
 *
 *   - one page (a COW copy, a 2 MiB leaf copied or split): mm_flush_page()
 *     (internal.h); the few pages after it that a copy-ahead replaced:
 *     mm_flush_range();
 *   - everything (fork's write-protect): mm_flush_all();
 *   - a range that goes away (sbrk shrink, unmap): a struct tlb_batch
 *     collects the pages and tables the range held, one flush covers the
 *     range, and only then are the pages put and the tables freed (or, for
 *     a level-0 table shared since a fork, our reference to it dropped);
 *   - shared level-0 tables (mm/cow.c): fork parks the parent's entries
 *     (a downgrade, flushed everywhere with the write-protect); taking a
 *     parked table back or sealing it is an upgrade (this hart only);
 *     replacing a sealed table's entry with a private copy flushes
 *     everything on every hart before our reference to the old table
 *     goes, since another holder may free it.
 *
 * Each operation sends at most ONE remote request (SBI RFENCE, arch
 * hook) to the other harts in the mask, and the request returns only when
 * they have flushed. Upgrades (a COW reuse, a fault that finds the PTE
 * already fixed) flush this hart only: a stale entry on another hart that
 * allows less than the PTE just faults there and is flushed by that fault.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include "internal.h"

bool tlb_remote_enabled = true;

void mm_activate(struct mm *mm)
{
	__atomic_or_fetch(&mm->active_cpus, 1UL << cpu_id(), __ATOMIC_SEQ_CST);
	arch_switch_root(kva_to_pa(mm->root));
	arch_icache_sync_pending();
}

void mm_activate_kernel(void)
{
	arch_switch_root(kva_to_pa(kernel_root));
}

void mm_leave(struct mm *mm)
{
	__atomic_and_fetch(&mm->active_cpus, ~(1UL << cpu_id()),
			   __ATOMIC_ACQ_REL);
}

static u64 cpus_in(u64 mask)
{
	u64 n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* Contract in internal.h. */
void mm_shootdown(u64 others, u64 start, u64 size)
{
	if (!others)
		return;
	if (!tlb_remote_enabled)
		return;
	arch_flush_tlb_remote(others, start, size);
	/* Counted once it returned: every hart in others has flushed. */
	vm_event_inc(EV_SHOOTDOWN);
	vm_events[cpu_id()][EV_SHOOTDOWN_HARTS] += cpus_in(others);
	tlb_record_shootdown(others);
}

void mm_flush_all(struct mm *mm)
{
	arch_flush_tlb_all();
	mm_shootdown(mm_other_cpus(mm), 0, ~0UL);
}

/* Above this many pages a range flush becomes a full one. */
#define FLUSH_RANGE_PAGES 32

/* Contract in internal.h. */
void mm_flush_range(struct mm *mm, u64 start, u64 end)
{
	u64 va;

	if (end - start > FLUSH_RANGE_PAGES * PAGE_SIZE) {
		mm_flush_all(mm);
		return;
	}
	for (va = start; va < end; va += PAGE_SIZE)
		arch_flush_tlb_page(va);
	mm_shootdown(mm_other_cpus(mm), start, end - start);
}

static struct tlb_batch batches[MAX_CPUS];

struct tlb_batch *tlb_batch_begin(struct mm *mm)
{
	struct tlb_batch *b = &batches[cpu_id()];

	b->mm = mm;
	b->start = ~0UL;
	b->end = 0;
	b->n = 0;
	return b;
}

void tlb_batch_range(struct tlb_batch *b, u64 start, u64 end)
{
	b->start = MIN(b->start, start);
	b->end = MAX(b->end, end);
}

/* Flushes what was gathered, then lets go of the pages and tables. */
static void batch_release(struct tlb_batch *b)
{
	int i;

	if (b->start < b->end)
		mm_flush_range(b->mm, b->start, b->end);
	for (i = 0; i < b->n; i++) {
		void *p = (void *)(b->items[i] & ~3UL);

		switch (b->items[i] & 3) {
		case TLB_ITEM_PAGE:
			page_put(p);
			break;
		case TLB_ITEM_HUGE:
			page_put_huge(p);
			break;
		case TLB_ITEM_SHARED:
			pt_table_put(p);
			break;
		default:
			kfree_page(p);
		}
	}
	b->n = 0;
}

void tlb_batch_add(struct tlb_batch *b, void *p, unsigned kind)
{
	if (b->n == TLB_BATCH_MAX)
		batch_release(b); /* rare: a second flush for a huge range */
	b->items[b->n++] = (u64)p | kind;
}

void tlb_batch_finish(struct tlb_batch *b)
{
	batch_release(b);
	b->start = ~0UL;
	b->end = 0;
}

/*
 * A record of the last remote requests, for the self tests: which cpus
 * each one was sent to. Written by the sender only.
 */
static u64 last_mask[MAX_CPUS];

void tlb_record_shootdown(u64 mask)
{
	last_mask[cpu_id()] = mask;
}

u64 tlb_last_shootdown_mask(void)
{
	return last_mask[cpu_id()];
}
