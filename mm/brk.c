/*
 * The heap and sbrk. The heap is one VMA that starts (empty) right above
 * the stack, at a 2 MiB boundary (exec puts it there), and grows upwards.
 * Eager growth maps zeroed pages at once and fails cleanly, leaving
 * nothing behind, when memory runs out; lazy growth only extends the VMA
 * and pages arrive on first touch (fault.c).
 */
#include <addrspace.h>
#include <mm.h>
#include <errno.h>
#include <printk.h>
#include <pgtable.h>
#include "internal.h"
#include "huge.h"

static struct vma *heap_vma(struct mm *mm)
{
	struct vma *v;

	for (v = mm->vmas; v; v = v->next)
		if (v->kind == VMA_HEAP)
			return v;
	return NULL;
}

int mm_set_heap(struct mm *mm, u64 start)
{
	int err = vma_add(mm, start, start, VM_READ | VM_WRITE, VMA_HEAP);

	if (!err)
		mm->heap_start = mm->brk = start;
	return err;
}

/* Grows the heap VMA to cover new_end if nothing is in the way: 0 or
 * -ENOMEM. mm->lock held on entry and exit. */
static int heap_extend(struct vma *heap, u64 new_end)
{
	if (heap->next && heap->next->start < new_end)
		return -ENOMEM;
	heap->end = new_end;
	return 0;
}

long mm_sbrk(struct mm *mm, long n, bool lazy)
{
	struct vma *heap;
	u64 old, new, old_end, new_end;
	int err = 0;

	sleep_lock(&mm->brk_lock);
	spin_lock(&mm->lock);
	heap = heap_vma(mm);
	old = mm->brk;
	new = old + (u64)n;
	if (!heap || n == 0)
		goto out;
	if (n > 0 && (new < old || new > USER_TOP)) {
		err = -ENOMEM;
		goto out;
	}
	if (n < 0 && new > old)
		goto out; /* below address 0: a no-op, as xv6 programs expect */
	if (n < 0 && new < mm->heap_start) {
		err = -EINVAL;
		goto out;
	}
	old_end = heap->end;
	new_end = ALIGN_UP(new, PAGE_SIZE);
	if (n < 0) {
		/* A break inside a 2 MiB page keeps part of it: split it;
		 * inside a shared table's span: unshare it (cow.c). */
		err = mm_split_huge_at(mm, new_end);
		if (!err)
			err = mm_unshare_range(mm, new_end, old_end, true);
		if (err)
			goto out;
		struct tlb_batch *b = tlb_batch_begin(mm);

		unmap_pages(mm, new_end, old_end, b);
		heap->end = new_end;
		tlb_batch_finish(b); /* one shootdown, then the pages go */
	} else if (new_end > old_end) {
		err = heap_extend(heap, new_end);
		if (!err && !lazy) { /* see struct mm */
			mm->grow_start = old_end;
			mm->grow_end = new_end;
		}
	}
	if (!err)
		mm->brk = new;
	spin_unlock(&mm->lock);
	if (!err && n > 0 && !lazy && new_end > old_end) {
		err = mm_populate(mm, old_end, new_end);
		if (err) { /* give back everything this call took */
			struct tlb_batch *b;

			spin_lock(&mm->lock);
			b = tlb_batch_begin(mm);
			unmap_pages(mm, old_end, new_end, b);
			heap->end = old_end;
			mm->brk = old;
			tlb_batch_finish(b);
			spin_unlock(&mm->lock);
		}
		spin_lock(&mm->lock);
		mm->grow_start = mm->grow_end = 0;
		spin_unlock(&mm->lock);
	}
	sleep_unlock(&mm->brk_lock);
	return err ? err : (long)old;
out:
	spin_unlock(&mm->lock);
	sleep_unlock(&mm->brk_lock);
	return err ? err : (long)old;
}
