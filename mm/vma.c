/*
 * The VMA list of an address space: sorted by start address, never
 * overlapping, with a one-entry cache in front of the search (vma_find()
 * in addrspace.h). VMAs are added when exec builds an address space and copied
 * by fork; the heap VMA grows and shrinks in place (brk.c); mmap adds,
 * splits and removes its own (mmap.c); all are freed with their address
 * space.
 */
#include <addrspace.h>
#include <mm.h>
#include <errno.h>
#include <printk.h>
#include <fs.h>
#include <file.h>
#include "internal.h"

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

struct vma *vma_new(u64 start, u64 end, unsigned flags, enum vma_kind kind)
{
	struct vma *v = kmalloc(sizeof(*v));

	if (v) {
		v->start = start;
		v->end = end;
		v->flags = flags;
		v->kind = kind;
		v->next = NULL;
		v->file = NULL;
		v->pgoff = 0;
	}
	return v;
}

/* Contract in internal.h. */
int vma_link(struct mm *mm, struct vma *v)
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

int vma_add(struct mm *mm, u64 start, u64 end, unsigned flags,
	    enum vma_kind kind)
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
	if (!(flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL; /* its PTEs would read as table pointers */
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

/* Contract in internal.h. */
struct vma *vma_split(struct mm *mm, struct vma *v, u64 addr)
{
	struct vma *n;

	if (addr <= v->start || addr >= v->end || !IS_ALIGNED(addr, PAGE_SIZE))
		panic("vma_split: %lx outside (%lx, %lx)", addr, v->start,
		      v->end);
	n = vma_new(addr, v->end, v->flags, v->kind);
	if (!n)
		return NULL;
	n->file = v->file ? idup(v->file) : NULL;
	n->pgoff = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	v->end = addr;
	n->next = v->next;
	v->next = n;
	mm->vma_cache = NULL;
	return n;
}

/* Contract in internal.h. */
void vma_remove(struct mm *mm, struct vma *v, struct vma **dead)
{
	struct vma **pp = &mm->vmas;

	while (*pp && *pp != v)
		pp = &(*pp)->next;
	if (!*pp)
		panic("vma_remove: [%lx, %lx) not in its mm", v->start, v->end);
	*pp = v->next;
	mm->vma_cache = NULL;
	v->next = *dead;
	*dead = v;
}

/* Contract in internal.h. */
void vma_free_list(struct vma *dead)
{
	struct vma *next;

	for (; dead; dead = next) {
		next = dead->next;
		if (dead->file)
			file_inode_put(dead->file);
		kfree(dead);
	}
}
