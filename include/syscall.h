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

/* Every system call, once: the prototypes below and the dispatcher's table
 * (kernel/syscall.c) both come from this list. */
#define SYSCALLS(X)                                                       \
	X(fork) X(exit) X(wait) X(pipe) X(read) X(kill) X(exec) X(fstat)  \
	X(chdir) X(dup) X(getpid) X(sbrk) X(pause) X(uptime) X(open)      \
	X(write) X(mknod) X(unlink) X(link) X(mkdir) X(close) X(memstat)  \
	X(procinfo) X(poweroff) X(cmdline) X(kcheck) X(mmap)              \
	X(munmap) X(mprotect) X(msync) X(vmainfo) X(thread_create)         \
	X(thread_join) X(thread_exit) X(gettid) X(futex_wait) X(futex_wake)
#define SYSCALL_PROTO(name) SYSCALL(name);
SYSCALLS(SYSCALL_PROTO)
#undef SYSCALL_PROTO

/* Dispatches the syscall in the current process's trap frame. */
void syscall_dispatch(void);

#endif
