/*
 * Kernel side of system calls. Each handler is
 *     long sys_NAME(const u64 *a);
 * with the raw arguments a[0]..a[5]; it returns a value or -errno (the
 * dispatcher turns any negative result into -1 for user space). Handlers
 * validate every argument; pointers go through uaccess.h.
 */
#ifndef CALF_SYSCALL_H
#define CALF_SYSCALL_H

#include <types.h>
#include <uapi/syscall.h>

#define SYSCALL(name) long sys_##name(const u64 *a)

/* Dispatches the syscall in the current process's trap frame. */
void syscall_dispatch(void);

#endif
