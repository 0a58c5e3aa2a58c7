/*
 * Self tests for running out of memory: each path that allocates must
 * fail cleanly (an error, nothing leaked), never panic.
 */
#include <ktest.h>
#include <mm.h>
#include <addrspace.h>
#include <errno.h>
#include "internal.h"

/* Takes every free page and every free kmalloc object of size bytes,
 * chained through their first words into *pages and *objs. */
static void exhaust(void **pages, void **objs, size_t size)
{
	struct page *pg;
	void **o;

	while ((pg = alloc_page(0)) != NULL) {
		void **kva = page_address(pg);
		*kva = *pages;
		*pages = kva;
	}
	while ((o = kmalloc(size)) != NULL) {
		*o = *objs;
		*objs = o;
	}
}

static void give_back(void *pages, void *objs)
{
	while (objs) {
		void *next = *(void **)objs;
		kfree(objs);
		objs = next;
	}
	while (pages) {
		void *next = *(void **)pages;
		kfree_page(pages);
		pages = next;
	}
}

/*
 * Finding: exec panicked in mm_set_heap ("heap overlaps") when the heap
 * VMA's kmalloc needed a new slab page and none was free.
 */
KTEST(mm_set_heap_without_memory_fails_cleanly)
{
	u64 before = free_page_count();
	struct mm *mm = mm_create();
	void *pages = NULL, *objs = NULL;
	int err;

	KT_ASSERT(mm != NULL);
	exhaust(&pages, &objs, sizeof(struct vma));
	err = mm_set_heap(mm, 0x100000);
	give_back(pages, objs);
	KT_EQ(err, -ENOMEM);
	KT_EQ(mm_set_heap(mm, 0x100000), 0);
	KT_EQ(mm_sbrk(mm, PAGE_SIZE, false), 0x100000);
	mm_destroy(mm);
	KT_EQ(free_page_count(), before);
}
