/*
 * The only way the kernel touches user memory.
 *
 * Each function checks that the user range lies below USER_TOP, then copies
 * with user access enabled. A page fault inside the copy goes through the
 * same fault dispatcher as a user fault (demand-zero pages, copy-on-write);
 * a fault that cannot be resolved makes the function return -EFAULT.
 * The current process's address space is used. May sleep.
 */
#ifndef CALF_UACCESS_H
#define CALF_UACCESS_H

#include <types.h>

/* Returns 0 or -EFAULT. */
int copy_to_user(uaddr_t dst, const void *src, size_t n);
/* Returns 0 or -EFAULT. */
int copy_from_user(void *dst, uaddr_t src, size_t n);
/*
 * Copies a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length (without NUL), -EFAULT, or -ENAMETOOLONG when no NUL
 * was found within max bytes.
 */
long strncpy_from_user(char *dst, uaddr_t src, size_t max);

#endif
