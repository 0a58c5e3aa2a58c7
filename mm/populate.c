/*
 * Filling an address space from the kernel: mm_populate() maps zeroed
 * pages (2 MiB ones where huge_populate() can) over a range, for eager sbrk
 * and for exec's stack and bss; mm_write() copies bytes into mapped pages
 * through the linear map, for exec writing segments and arguments into an
 * address space that is not active yet.
 */
#include <addrspace.h>
#include <mm.h>
#include <pgtable.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include <asm/cpu.h>
#include "internal.h"
#include "huge.h"

int mm_populate(struct mm *mm, u64 start, u64 end)
{
	u64 va;
	int err = 0;

	for (va = start; va < end && !err; va += PAGE_SIZE) {
		struct vma *v;
		struct pt_walk w;
		struct page *pg;

		if (end - va >= HUGE_SIZE && huge_populate(mm, va)) {
			va += HUGE_SIZE - PAGE_SIZE;
			continue;
		}
		/* One page per lock hold keeps interrupts off only briefly. */
		spin_lock(&mm->lock);
		v = vma_find(mm, va);
		w = v ? mm_walk(mm, va, MW_ALLOC)
		      : (struct pt_walk){WALK_NONE, NULL};
		if (!v)
			err = -EFAULT;
		else if (w.found == WALK_NONE)
			err = -ENOMEM;
		else if (w.found == WALK_PTE && !pte_valid(*w.ptep)) {
			pg = alloc_page(GFP_ZERO);
			if (pg) {
				pte_install(w.ptep, pte_mkleaf(page_to_pa(pg),
							       vma_prot(v)));
				mm->rss++;
			} else {
				err = -ENOMEM;
			}
		} /* else already mapped, by a 4 KiB or a 2 MiB page */
		spin_unlock(&mm->lock);
	}
	return err;
}

int mm_write(struct mm *mm, u64 va, const void *src, size_t n)
{
	const char *s = src;

	while (n) {
		size_t off = va & (PAGE_SIZE - 1),
		       chunk = MIN(n, PAGE_SIZE - off);
		struct pt_walk w = mm_walk(mm, va, MW_READ);
		phys_addr_t pa;

		if (w.found == WALK_HUGE)
			pa = pte_pa(*w.ptep) + (va & (HUGE_SIZE - PAGE_SIZE));
		else if (w.found == WALK_PTE && pte_valid(*w.ptep))
			pa = pte_pa(*w.ptep);
		else
			return -EFAULT;
		memcpy((char *)pa_to_kva(pa) + off, s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	return 0;
}
