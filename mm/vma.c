/*
 * Address spaces and their VMAs: creation, teardown, mapping and
 * unmapping ranges, sbrk.
 */
#include <vm.h>
#include <mm.h>
#include <pgtable.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include "internal.h"

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->root = pgtable_alloc();
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	/* Share the kernel half: the same upper-level tables everywhere. */
	memcpy(&mm->root[PT_ENTRIES / 2], &kernel_root[PT_ENTRIES / 2],
	       sizeof(pte_t) * PT_ENTRIES / 2);
	spin_init(&mm->lock, "mm");
	return mm;
}

void mm_activate(struct mm *mm)
{
	__atomic_or_fetch(&mm->active_cpus, 1UL << cpu_id(), __ATOMIC_ACQ_REL);
	arch_switch_root(kva_to_pa(mm->root));
	arch_icache_sync_pending();
}

void mm_activate_kernel(void)
{
	arch_switch_root(kva_to_pa(kernel_root));
}

void mm_leave(struct mm *mm)
{
	__atomic_and_fetch(&mm->active_cpus, ~(1UL << cpu_id()), __ATOMIC_ACQ_REL);
}

void mm_flush_all(struct mm *mm)
{
	arch_flush_tlb_all();
	arch_flush_tlb_remote(__atomic_load_n(&mm->active_cpus, __ATOMIC_ACQUIRE),
			      0, ~0UL);
}

struct vma *vma_find_slow(struct mm *mm, u64 addr)
{
	struct vma *v;

	for (v = mm->vmas; v && v->start <= addr; v = v->next)
		if (addr < v->end) {
			mm->vma_cache = v;
			return v;
		}
	return NULL;
}

static struct vma *vma_new(u64 start, u64 end, unsigned flags, enum vma_kind kind)
{
	struct vma *v = kmalloc(sizeof(*v));

	if (v) {
		v->start = start;
		v->end = end;
		v->flags = flags;
		v->kind = kind;
		v->next = NULL;
	}
	return v;
}

/* Links v into mm's sorted list; -EINVAL on overlap. mm->lock held. */
static int vma_link(struct mm *mm, struct vma *v)
{
	struct vma **pp = &mm->vmas, *prev = NULL;

	while (*pp && (*pp)->start < v->start) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (prev && prev->end > v->start)
		return -EINVAL;
	if (*pp && (*pp)->start < v->end)
		return -EINVAL;
	v->next = *pp;
	*pp = v;
	return 0;
}

int vma_add(struct mm *mm, u64 start, u64 end, unsigned flags, enum vma_kind kind)
{
	struct vma *v;
	int err;

	if (start >= end && kind != VMA_HEAP)
		return -EINVAL;
	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) ||
	    start < PAGE_SIZE || end > USER_TOP || start > end)
		return -EINVAL;
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return -EINVAL; /* W^X for user mappings too */
	v = vma_new(start, end, flags, kind);
	if (!v)
		return -ENOMEM;
	spin_lock(&mm->lock);
	err = vma_link(mm, v);
	spin_unlock(&mm->lock);
	if (err)
		kfree(v);
	return err;
}

/*
 * Drops the pages mapped in [start, end); clears their PTEs when clear is
 * set (not needed when the tables are about to be freed). mm->lock held.
 */
static void release_pages(struct mm *mm, u64 start, u64 end, bool clear)
{
	const struct page_map map = page_map_get();
	u64 va, dropped = 0;

	for (va = start; va < end;) {
		struct pt_walk w = mm_walk(mm, va, false);
		u64 span_end = MIN(ALIGN_DOWN(va, HUGE_SIZE) + HUGE_SIZE, end);
		u64 i, n = (span_end - va) >> PAGE_SHIFT;

		if (w.found == WALK_HUGE) {
			/* Callers split a 2 MiB leaf they unmap only part of. */
			if (n != HUGE_PAGES)
				panic("release_pages: [%lx, %lx) cuts a 2 MiB page",
				      start, end);
			huge_release(mm, w.ptep); /* rss included */
		}
		for (i = 0; w.found == WALK_PTE && i < n; i++) {
			pte_t pte = w.ptep[i];
			if (!pte_valid(pte))
				continue;
			if (clear)
				w.ptep[i] = 0;
			dropped++;
			page_put(page_map_pfn(&map, pte_pfn(pte)));
		}
		va = span_end;
	}
	mm->rss -= dropped;
}

void unmap_pages(struct mm *mm, u64 start, u64 end)
{
	release_pages(mm, start, end, true);
}

int mm_unmap(struct mm *mm, u64 start, u64 end)
{
	struct vma **pp, *v, *tail = NULL;
	int err = 0;

	if (start >= end)
		return 0;
	spin_lock(&mm->lock);
	/* 2 MiB pages cut by the range become small pages first. */
	err = mm_split_huge_at(mm, start);
	if (!err)
		err = mm_split_huge_at(mm, end);
	if (err)
		goto out;
	/* A split needs a new VMA: allocate it before changing anything. */
	for (v = mm->vmas; v; v = v->next)
		if (v->start < start && v->end > end) {
			tail = vma_new(end, v->end, v->flags, v->kind);
			if (!tail) {
				err = -ENOMEM;
				goto out;
			}
		}
	for (pp = &mm->vmas; (v = *pp) != NULL;) {
		if (v->end <= start || v->start >= end || v->start == v->end) {
			pp = &v->next;
			continue;
		}
		unmap_pages(mm, MAX(v->start, start), MIN(v->end, end));
		if (v->start >= start && v->end <= end) {
			if (v->kind == VMA_HEAP) { /* the heap stays, empty */
				v->end = v->start;
				pp = &v->next;
				continue;
			}
			*pp = v->next;
			if (mm->vma_cache == v)
				mm->vma_cache = NULL;
			kfree(v);
			continue;
		}
		if (v->start < start && v->end > end) {
			tail->next = v->next;
			v->next = tail;
			v->end = start;
			tail = NULL;
		} else if (v->start >= start) {
			v->start = MIN(end, v->end);
		} else {
			v->end = start;
		}
		pp = &v->next;
	}
	mm_flush_all(mm);
out:
	spin_unlock(&mm->lock);
	kfree(tail);
	return err;
}

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
		w = v ? mm_walk(mm, va, true) : (struct pt_walk){ WALK_NONE, NULL };
		if (!v)
			err = -EFAULT;
		else if (w.found == WALK_NONE)
			err = -ENOMEM;
		else if (w.found == WALK_PTE && !pte_valid(*w.ptep)) {
			pg = alloc_page(GFP_ZERO);
			if (pg) {
				pte_install(w.ptep, pte_mkleaf(page_to_pa(pg), vma_prot(v)));
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
		size_t off = va & (PAGE_SIZE - 1), chunk = MIN(n, PAGE_SIZE - off);
		struct pt_walk w = mm_walk(mm, va, false);
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

void mm_destroy(struct mm *mm)
{
	struct vma *v, *next;

	spin_lock(&mm->lock);
	for (v = mm->vmas; v; v = next) {
		next = v->next;
		release_pages(mm, v->start, v->end, false);
		kfree(v);
	}
	mm->vmas = NULL;
	spin_unlock(&mm->lock);
	if (mm->active_cpus & ~(1UL << cpu_id()))
		panic("mm_destroy: mm still active on cpus %lx", mm->active_cpus);
	if (mm->rss != 0)
		panic("mm_destroy: %lu pages still mapped outside any VMA", mm->rss);
	pgtable_free_range(mm->root, 0, PT_ENTRIES / 2, true);
	kfree(mm);
}

u64 mm_resident_pages(struct mm *mm)
{
	return mm->rss;
}

/*
 * fork: a new address space with the same VMAs; vma_copy_ptes() (cow.c)
 * shares or copies the pages. The parent's writable pages turn read-only
 * here, so its TLB entries are flushed before it runs again.
 */
struct mm *mm_dup(struct mm *old)
{
	struct mm *child = mm_create();
	struct vma *v, **tailp;
	int err = 0;

	if (!child)
		return NULL;
	tailp = &child->vmas;
	spin_lock(&old->lock);
	for (v = old->vmas; v && !err; v = v->next) {
		struct vma *c = vma_new(v->start, v->end, v->flags, v->kind);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		*tailp = c;
		tailp = &c->next;
		err = vma_copy_ptes(old, child, v);
	}
	child->heap_start = old->heap_start;
	child->brk = old->brk;
	mm_flush_all(old);
	spin_unlock(&old->lock);
	if (err) {
		mm_destroy(child);
		return NULL;
	}
	return child;
}
