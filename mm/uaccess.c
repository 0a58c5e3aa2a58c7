/*
 * copy_to_user / copy_from_user / strncpy_from_user: range checks here,
 * the copying in arch/riscv64/uaccess.S. A page fault inside the copy is
 * resolved by the fault dispatcher like a user fault (trap/trap.c), so a
 * read() into a copy-on-write or lazily allocated page just works.
 */
#include <uaccess.h>
#include <errno.h>
#include <proc.h>
#include <sched.h>
#include <asm/page.h>
#include <asm/uaccess.h>

/* How long a copy waits for an out-of-memory victim's pages (proc/oom.c). */
#define OOM_RETRY_TICKS (2 * HZ)

/* True when [addr, addr + n) lies inside user space. */
static bool user_range_ok(uaddr_t addr, size_t n)
{
	return addr < USER_TOP && n <= USER_TOP - addr;
}

/*
 * Copies n bytes with __copy_user. When a fault inside found no free page
 * and another process was killed to free some (the fault handler sets
 * oom_retry), waits a tick and goes on where the copy stopped, for up to
 * OOM_RETRY_TICKS: the process on whose behalf the kernel writes is not
 * the one to die for memory someone else holds. 0 or -EFAULT. Sleeps only
 * in that case, which the fault handler allows only with no spinlock held.
 */
static int copy_user(char *dst, const char *src, size_t n)
{
	struct proc *p = current();
	int waited = 0;

	for (;;) {
		size_t left = __copy_user(dst, src, n);

		if (left == 0)
			return 0;
		if (!p || !p->oom_retry)
			return -EFAULT;
		p->oom_retry = false;
		if (waited++ >= OOM_RETRY_TICKS || pause_ticks(1))
			return -EFAULT;
		dst += n - left;
		src += n - left;
		n = left;
	}
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	return copy_user((char *)dst, src, n);
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	if (!user_range_ok(src, n))
		return -EFAULT;
	return copy_user(dst, (const char *)src, n);
}

long strncpy_from_user(char *dst, uaddr_t src, size_t max)
{
	long n;

	if (max == 0 || src >= USER_TOP)
		return -EFAULT;
	if (max > USER_TOP - src)
		max = USER_TOP - src;
	n = __strncpy_user(dst, (const char *)src, max);
	if (n < 0)
		return -EFAULT;
	if ((size_t)n == max) {
		dst[max - 1] = 0;
		return -ENAMETOOLONG;
	}
	return n;
}
