/*
 * The 2 MiB seam of mm/ (mm/huge.c), private to mm/. The small-page code
 * asks pgtable_walk() what maps an address; when the answer is WALK_HUGE it
 * hands the level-1 leaf to one of these and goes no further. Fork, fault,
 * populate and unmap each have one entry point here, side by side.
 *
 * Everything here is called with mm->lock held on entry and still held on
 * exit, except huge_populate(), which takes it itself.
 */
#ifndef MM_HUGE_H
#define MM_HUGE_H

#include <addrspace.h>
#include <asm/pte.h>

/*
 * Fork: copies the parent's 2 MiB leaf *l1e at va into child's empty
 * level-1 entry *cl1e: shared copy-on-write (one PTE; one reference on a
 * block counted whole, 512 on one counted per page), or eager, a private
 * copy of the 2 MiB (in 4 KiB pages when no 2 MiB block is free). 0, or
 * -ENOMEM with child->rss counting whatever was mapped. parent->lock held
 * on entry and exit.
 */
int huge_fork_copy(struct mm *child, struct vma *vma, u64 va, pte_t *l1e,
		   pte_t *cl1e);
/*
 * Fault: a store to the COW 2 MiB leaf *l1e covering va in vma (writable).
 * Reuses the leaf when every one of its 512 pages has a count of 1, copies
 * the 2 MiB when a block is free and memory is not low, and otherwise
 * splits the leaf and copies only va's 4 KiB page (cow_fault()). Flushes
 * what it changed. FAULT_OK, or FAULT_OOM (the leaf may then be split, which
 * changes no mapping).
 */
enum fault_result huge_cow_fault(struct mm *mm, struct vma *vma, u64 va,
				 pte_t *l1e);
/*
 * Populate (eager sbrk): maps va's 2 MiB span of the heap with a zeroed
 * 2 MiB page. False when va is not 2 MiB aligned, the span is not wholly
 * inside the heap VMA or already has a table, thp is off, or no block is
 * free: the caller then uses 4 KiB pages. mm->lock NOT held on entry; taken
 * and dropped inside (zeroing 2 MiB runs without it).
 */
bool huge_populate(struct mm *mm, u64 va);
/*
 * Fault: the first touch of va in vma, the lazily grown heap or an
 * anonymous private mmap region, when va's whole 2 MiB span lies inside
 * vma and nothing maps any of it yet (no table, no leaf): maps the span
 * with one zeroed 2 MiB page. False when it did not
 * (thp off, a span not wholly inside, something mapped there, no free
 * block, or memory below a quarter free): the caller fills a 4 KiB page.
 */
bool huge_fault_fill(struct mm *mm, struct vma *vma, u64 va);
/* Unmap: clears the 2 MiB leaf *l1e and drops its 512 references (at
 * once when b is NULL: mm is dying and active nowhere else; else after b's
 * flush); rss too. */
void huge_release(struct mm *mm, pte_t *l1e, struct tlb_batch *b);
/*
 * Turns the 2 MiB leaf *l1e covering va into a table of 512 small PTEs with
 * the same bits; no reference changes hands. 0 or -ENOMEM (leaf untouched).
 */
int huge_split(struct mm *mm, u64 va, pte_t *l1e);
/* Splits the 2 MiB leaf around addr unless addr is 2 MiB aligned or no
 * leaf covers it, so that addr can be a mapping boundary. 0 or -ENOMEM. */
int mm_split_huge_at(struct mm *mm, u64 addr);
/* The first of the 512 pages the 2 MiB leaf pte maps; panics when the
 * leaf's address is not 2 MiB aligned. */
struct page *huge_leaf_page(pte_t pte);

#endif
