/*
 * Address spaces: struct mm (a page table plus a sorted list of VMAs) and
 * the page-fault dispatcher.
 *
 * Locking: mm->lock (a spinlock) guards the VMA list, brk and every PTE of
 * the user half. The threads of a process share one mm and may fault, fork
 * and sbrk on several harts at once; every operation takes the lock, and
 * every PTE it downgrades or removes is flushed on all harts in
 * active_cpus before the lock is dropped (mm/tlb.c).
 */
#ifndef CALF_ADDRSPACE_H
#define CALF_ADDRSPACE_H

#include <types.h>
#include <spinlock.h>
#include <sleeplock.h>
#include <asm/pte.h>

#define VM_READ (1u << 0)
#define VM_WRITE (1u << 1)
#define VM_EXEC (1u << 2)
#define VM_SHARED   (1u << 3) /* mmap MAP_SHARED: pages shared, never COW */
#define VM_MAYWRITE (1u << 4) /* mprotect may add VM_WRITE */
#define VM_ACCESS   (VM_READ | VM_WRITE | VM_EXEC)

enum vma_kind {
	VMA_IMAGE, /* an ELF segment */
	VMA_HEAP,  /* grows with sbrk; may start empty */
	VMA_STACK, /* fixed size, unmapped guard page below it */
	VMA_MMAP,  /* made by mmap (mm/mmap.c): anonymous or a file's pages */
};

struct inode;

struct vma {
	u64 start, end; /* [start, end), page aligned */
	unsigned flags; /* VM_* */
	enum vma_kind kind;
	struct vma *next; /* sorted by start */
	/* A file mapping: the file (a reference the VMA owns) and the page of
	 * the file at start. NULL for anonymous memory. */
	struct inode *file;
	u64 pgoff;
};

/* Limits of mmap's own placement (mm/mmap.c): mappings chosen by the
 * kernel lie below MMAP_TOP, top down, and never less than MMAP_HEAP_GAP
 * above the end of the heap. */
#define MMAP_TOP      0x3fffc00000UL
#define MMAP_HEAP_GAP (1UL << 30)

struct mm {
	struct spinlock lock;
	pte_t *root;
	struct vma *vmas;        /* guarded by lock */
	struct vma *vma_cache;   /* last vma_find() hit, or NULL; guarded by lock */
	u64 heap_start, brk;     /* guarded by lock */
	/* [grow_start, grow_end): what an eager sbrk is populating with lock
	 * dropped, and may give back; fork shares no table there (mm/cow.c).
	 * Empty when start >= end. Guarded by lock. */
	u64 grow_start, grow_end;
	/* Held across a whole mm_sbrk(), whose eager growth maps pages with
	 * lock dropped: a second thread's sbrk must not move the heap in
	 * between, or a failed growth's give-back would undo its work. */
	struct sleeplock brk_lock;
	u64 active_cpus;         /* atomic: cpus that may cache its PTEs */
	u64 rss;                 /* user pages mapped, guarded by lock */
	/* Copy-ahead (mm/cow.c): where the next copy fault of a stream of
	 * stores in address order would be, and the stream's window (pages
	 * to copy ahead, 0 for none yet). Guarded by lock. */
	u64 cow_next;
	unsigned cow_window;
	struct mm *all_next, **all_pprev; /* every mm; guarded by mm_all_lock */
};

/* Access kinds of a page fault, for handle_page_fault(). */
#define FAULT_READ (1u << 0)
#define FAULT_WRITE (1u << 1)
#define FAULT_EXEC (1u << 2)
#define FAULT_USER (1u << 3)   /* taken in user mode */
#define FAULT_KERNEL (1u << 4) /* taken by the kernel inside uaccess */

enum fault_result {
	FAULT_OK,   /* resolved: retry the access */
	FAULT_SEGV, /* no VMA, or an access the VMA forbids */
	FAULT_OOM,  /* needed a page and none was free */
	FAULT_BUS,  /* a file mapping's page wholly beyond end of file */
};

/*
 * Unless a contract says otherwise, the functions below take and drop
 * mm->lock themselves: the caller does not hold it on entry, and it is not
 * held on return.
 */

/* A new address space with only the kernel half mapped, or NULL. */
struct mm *mm_create(void);
/* Writes back every page that shared file mappings of the writable kind
 * map in mm (exit, exec). Sleeps; no locks held. */
void mm_writeback_all(struct mm *mm);
/* Unmaps everything, drops every page and file reference and frees the
 * mm. The mm must not be active on any hart but this one. May sleep (a
 * file's last reference), but only once the mm's tables are freed. Shared
 * file pages are not written back here: exit and exec call
 * mm_writeback_all() first, while the mm is still the process's. */
void mm_destroy(struct mm *mm);
/* fork: duplicates old (copy-on-write, or eager with CONFIG_FORK_EAGER).
 * Returns NULL when memory runs out, leaving nothing allocated. */
struct mm *mm_dup(struct mm *old);
/* Makes mm the current address space of this hart (mm/tlb.c). */
void mm_activate(struct mm *mm);
/* Switches this hart to the kernel-only table. */
void mm_activate_kernel(void);
/* This hart no longer caches mm's translations (after a switch away). */
void mm_leave(struct mm *mm);

/* Adds a VMA; 0, -EINVAL if it overlaps another, leaves user space, is
 * writable and executable or allows no access at all, -ENOMEM. */
int vma_add(struct mm *mm, u64 start, u64 end, unsigned flags, enum vma_kind kind);
/* vma_find() past its cache. mm->lock held on entry and exit. */
struct vma *vma_find_slow(struct mm *mm, u64 addr);

/* The VMA containing addr, or NULL. mm->lock held on entry and exit. */
static inline struct vma *vma_find(struct mm *mm, u64 addr)
{
	struct vma *v = mm->vma_cache;

	/* Faults come in runs over the same region: try the last hit first. */
	if (v && v->start <= addr && addr < v->end)
		return v;
	return vma_find_slow(mm, addr);
}
/*
 * Maps zeroed pages at every unmapped page of [start, end) (2 MiB pages
 * where a whole aligned 2 MiB of the heap fits). 0, -EFAULT when part of
 * the range is in no VMA, or -ENOMEM; on an error the pages mapped so far
 * stay mapped (the caller unmaps them).
 */
int mm_populate(struct mm *mm, u64 start, u64 end);
/* Copies into a (not yet active) address space through the linear map;
 * the pages must be mapped. 0 or -EFAULT. Takes no lock: nobody else can
 * see mm yet (exec builds it). */
int mm_write(struct mm *mm, u64 va, const void *src, size_t n);
/* Sets up the (empty) heap at start (exec). 0, -ENOMEM (no memory for
 * the VMA) or -EINVAL (start overlaps a VMA or leaves user space). */
int mm_set_heap(struct mm *mm, u64 start);
/* sbrk: grows (eager or lazy) or shrinks the heap by n; returns the old
 * break or -ENOMEM (also a shrink that needs a page to split a 2 MiB page
 * or unshare a page table) / -EINVAL. */
long mm_sbrk(struct mm *mm, long n, bool lazy);

/*
 * mmap (mm/mmap.c). prot is PROT_* and flags MAP_* (uapi/mman.h). For a
 * file mapping, file is the inode (the new VMA takes its own reference),
 * off the page-aligned offset, and maywrite says whether mprotect may add
 * write later. Returns the start address, or -EINVAL (bad arguments),
 * -ENOMEM (no room, or no memory for a shared mapping's pages). Sleeps
 * (MAP_FIXED may write back what it replaces).
 */
long mm_mmap(struct mm *mm, u64 addr, u64 len, int prot, int flags,
	     struct inode *file, u64 off, bool maywrite);
/* munmap: 0, or -EINVAL (bad range, or one touching memory mmap did not
 * make), -ENOMEM (no memory to split a mapping, or to unshare a page table
 * that fork shared and the range cuts). */
int mm_munmap(struct mm *mm, u64 addr, u64 len);
/* mprotect: 0, or -EINVAL, -EACCES (write on a mapping that may not be
 * written), -ENOMEM (part of the range unmapped, or no memory to split or
 * to unshare a page table that fork shared). */
int mm_mprotect(struct mm *mm, u64 addr, u64 len, int prot);
/* msync: 0, or -EINVAL (bad range or flags), -ENOMEM (part of the range
 * unmapped). */
int mm_msync(struct mm *mm, u64 addr, u64 len, int flags);

/* Whether PTE downgrades are flushed on other harts (mm/tlb.c). Only the
 * demonstration that the threads tests catch a missing shootdown clears
 * it (kernel command line tlb_remote=off): such a kernel is broken. */
extern bool tlb_remote_enabled;
/* Whether eager sbrk maps 2 MiB pages (mm/huge.c); thp=off clears it. */
extern bool thp_enabled;
/* Whether fork shares level-0 page tables (mm/cow.c); ptshare=off clears
 * it, and fork copies every PTE. */
extern bool ptshare_enabled;
/* Whether a stream of COW stores copies pages ahead (mm/cow.c);
 * cowahead=off clears it, and every copy is one fault's. */
extern bool cowahead_enabled;

/* The fault dispatcher (mm/fault.c). access is FAULT_READ/WRITE/EXEC |
 * FAULT_USER/KERNEL. Sleeps only to read a file page into the page cache,
 * and only when the hart holds no spinlock (otherwise that fault fails with
 * FAULT_SEGV), so the kernel may call it from its trap handler in the
 * middle of a uaccess copy. mm->lock not held on entry. */
enum fault_result handle_page_fault(struct mm *mm, u64 addr, unsigned access);

/*
 * Truncation: unmaps, in every address space, the pages that map page idx
 * or later of file ip (private copies included), so that the next access
 * finds end of file. Called with ip locked; takes every mm->lock in turn.
 */
void mm_unmap_file_from(struct inode *ip, u64 idx);

/*
 * Faults in the pages of file mappings in [addr, addr + len) that are not
 * mapped yet, as a store (write) or a load would, so that a system call can
 * copy to or from them while it holds the file's lock. Stops quietly at the
 * first failure: the copy itself then fails with -EFAULT. Sleeps; no locks
 * held on entry.
 */
void mm_prefault(struct mm *mm, u64 addr, u64 len, bool write);

/* Debug checker: no PTE both writable and COW, every leaf obeys the A/D
 * rules, every mapped page's refcount >= 1, every PTE inside a VMA.
 * Returns the number of problems found (each printed). */
int mm_check(struct mm *mm);
/*
 * pmap: describes up to max of mm's VMAs into out[] (struct vmainfo of
 * uapi/memstat.h), page counts included; returns how many. mm->lock not
 * held on entry; the caller keeps mm alive (holds its process's lock).
 */
struct vmainfo;
int mm_vmainfo(struct mm *mm, struct vmainfo *out, int max);
/* User pages mapped in mm (a 2 MiB page counts 512). */
u64 mm_resident_pages(struct mm *mm);
/*
 * The whole-machine memory check (mm/kcheck.c) over the n address spaces
 * in mms (pids[] name them in reports). The world must be stopped. Returns
 * the number of problems, each printed as "# calf: INVARIANT: ...".
 */
int kcheck_memory(struct mm *const *mms, const int *pids, int n);
/* Set by self tests that break an invariant on purpose: the lines then
 * read "# (expected) invariant: ..." and do not fail the run. */
extern bool kcheck_expected;

#endif
