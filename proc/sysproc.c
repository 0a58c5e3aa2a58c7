/* Process system calls: argument checking, then the do_* functions. */
#include <proc.h>
#include <addrspace.h>
#include <mm.h>
#include <sched.h>
#include <syscall.h>
#include <uaccess.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include <platform.h>
#include <uapi/memstat.h>
#include <uapi/mman.h>
#include <file.h>
#include <asm/arch.h>
#include "internal.h"

SYSCALL(fork)
{
	return do_fork();
}

SYSCALL(exit)
{
	do_exit((int)a[0]);
}

SYSCALL(wait)
{
	return do_wait(a[0]);
}

SYSCALL(kill)
{
	return do_kill((int)a[0]);
}

SYSCALL(getpid)
{
	return current()->tg->tgid;
}

SYSCALL(gettid)
{
	return current()->pid;
}

SYSCALL(thread_create)
{
	return do_thread_create(a[0], a[1], a[2], a[3]);
}

SYSCALL(thread_join)
{
	return do_thread_join((int)a[0], a[1]);
}

SYSCALL(thread_exit)
{
	do_thread_exit((int)a[0]);
}

SYSCALL(futex_wait)
{
	return do_futex_wait(a[0], (u32)a[1]);
}

SYSCALL(futex_wake)
{
	return do_futex_wake(a[0], (int)a[1]);
}

/* How long a heap shrink waits for an out-of-memory victim's pages. */
#define SHRINK_RETRY_TICKS (2 * HZ)

/*
 * A shrink whose new break cuts into a 2 MiB page needs a page to split
 * it, or into a page table shared since a fork a page to unshare it (a
 * table of its own), and giving memory back must not fail for want of memory
 * (cowtorture,101,20 on one hart saw sbrk(-937984) fail). Out of memory,
 * the shrink is treated like a page fault (proc/oom.c): another process is
 * the victim and the shrink retries once its pages are back, or this one
 * is the largest and dies. Growth just fails with -ENOMEM.
 */
SYSCALL(sbrk)
{
	struct proc *p = current();
	int n = (int)a[0];
	int mode = (int)a[1];
	int waited = 0;
	long r;

	if (mode != SBRK_MODE_EAGER && mode != SBRK_MODE_LAZY)
		return -EINVAL;
	for (;;) {
		r = mm_sbrk(p->mm, n, mode == SBRK_MODE_LAZY);
		if (r != -ENOMEM || n >= 0)
			return r;
		if (oom_choose_victim() == OOM_SELF) {
			printk("calf: pid %d (%s, thread %d) killed: out of "
			       "memory shrinking its heap\n",
			       p->tg->tgid, p->name, p->pid);
			proc_set_killed(p);
			return r;
		}
		if (waited++ >= SHRINK_RETRY_TICKS || pause_ticks(1))
			return r;
	}
}

SYSCALL(mmap)
{
	int prot = (int)a[2], flags = (int)a[3], err;
	struct inode *ip = NULL;
	bool maywrite = true;
	long r;

	if (!(flags & MAP_ANONYMOUS)) {
		ip = file_mmap_inode((int)a[4], prot, flags & MAP_SHARED,
				     &maywrite, &err);
		if (!ip)
			return err;
	}
	r = mm_mmap(current()->mm, a[0], a[1], prot, flags, ip, a[5],
		    maywrite);
	if (ip)
		file_inode_put(ip); /* the mapping took its own reference */
	return r;
}

SYSCALL(munmap)
{
	return mm_munmap(current()->mm, a[0], a[1]);
}

SYSCALL(mprotect)
{
	return mm_mprotect(current()->mm, a[0], a[1], (int)a[2]);
}

SYSCALL(msync)
{
	return mm_msync(current()->mm, a[0], a[1], (int)a[2]);
}

SYSCALL(pause)
{
	int n = (int)a[0];

	return pause_ticks(n < 0 ? 0 : (u64)n);
}

SYSCALL(uptime)
{
	return (long)ticks;
}

/* Copies up to MAXARG strings of the user's argv into kernel pages. */
static int fetch_argv(uaddr_t uargv, char *argv[], int *argc)
{
	int i;

	for (i = 0;; i++) {
		u64 uarg;
		long n;

		if (i >= MAXARG)
			return -E2BIG;
		if (copy_from_user(&uarg, uargv + (u64)i * sizeof(u64), sizeof(uarg)))
			return -EFAULT;
		if (!uarg)
			break;
		argv[i] = kalloc_page();
		if (!argv[i])
			return -ENOMEM;
		n = strncpy_from_user(argv[i], uarg, PAGE_SIZE);
		if (n < 0)
			return n == -ENAMETOOLONG ? -E2BIG : (int)n;
	}
	argv[i] = NULL;
	*argc = i;
	return 0;
}

SYSCALL(exec)
{
	char path[MAXPATH];
	char *argv[MAXARG + 1];
	int argc = 0, err, i;
	long n;

	memset(argv, 0, sizeof(argv));
	n = strncpy_from_user(path, a[0], sizeof(path));
	if (n < 0)
		return n;
	err = fetch_argv(a[1], argv, &argc);
	if (!err)
		err = do_exec(path, argv, argc);
	for (i = 0; i <= MAXARG && argv[i]; i++)
		kfree_page(argv[i]);
	return err;
}

SYSCALL(memstat)
{
	struct mem_stats st;
	struct memstat ms;

	mem_get_stats(&st);
	memset(&ms, 0, sizeof(ms));
	ms.total_pages = st.total_pages;
	ms.free_pages = st.free_pages;
	ms.reserved_pages = st.reserved_pages;
	ms.cow_copy_faults = st.cow_copy_faults;
	ms.cow_reuse_faults = st.cow_reuse_faults;
	ms.zero_fill_faults = st.zero_fill_faults;
	ms.shared_pages = st.shared_pages;
	ms.huge_free = st.huge_free;
	ms.thp_mapped = st.thp_mapped;
	ms.thp_copies = st.thp_copies;
	ms.thp_splits = st.thp_splits;
	ms.cache_pages = st.cache_pages;
	ms.file_faults = st.file_faults;
	ms.writebacks = st.writebacks;
	ms.tlb_shootdowns = st.tlb_shootdowns;
	ms.tlb_shootdown_harts = st.tlb_shootdown_harts;
	ms.pt_pages = st.pt_pages;
	ms.cow_ahead_pages = st.cow_ahead_pages;
	ms.nproc = proc_count(&ms.nthreads);
	return copy_to_user(a[0], &ms, sizeof(ms));
}

SYSCALL(procinfo)
{
	return proc_list(a[0], (int)a[1]);
}

SYSCALL(vmainfo)
{
	return proc_vmainfo((int)a[0], a[1], (int)a[2]);
}

/* Only init may end the machine: any other caller gets -EPERM. */
SYSCALL(poweroff)
{
	if (current() != init_proc)
		return -EPERM;
	arch_poweroff((int)a[0]);
}

SYSCALL(cmdline)
{
	size_t len = strlen(platform.bootargs) + 1;
	int size = (int)a[1];

	if (size < 0 || (size_t)size < len)
		return -ERANGE;
	return copy_to_user(a[0], platform.bootargs, len) ? -EFAULT : (long)(len - 1);
}

SYSCALL(kcheck)
{
	return proc_kcheck();
}
