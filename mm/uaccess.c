/*
 * copy_to_user / copy_from_user / strncpy_from_user: range checks here,
 * the copying in arch/riscv64/uaccess.S. A page fault inside the copy is
 * resolved by the fault dispatcher like a user fault (trap/trap.c), so a
 * read() into a copy-on-write or lazily allocated page just works.
 */
#include <uaccess.h>
#include <errno.h>
#include <asm/page.h>
#include <asm/uaccess.h>


/* True when [addr, addr + n) lies inside user space. */
static bool user_range_ok(uaddr_t addr, size_t n)
{
	return addr < USER_TOP && n <= USER_TOP - addr;
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	return __copy_user((void *)dst, src, n) ? -EFAULT : 0;
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	if (!user_range_ok(src, n))
		return -EFAULT;
	return __copy_user(dst, (const void *)src, n) ? -EFAULT : 0;
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
