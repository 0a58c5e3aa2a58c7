/*
 * The system call ABI, shared by the kernel and user space.
 *
 * ecall with the number in a7 and arguments in a0..a5; the result comes back
 * in a0. Any failure returns -1 (the xv6 convention); sbrk returns -1 cast
 * to a pointer. Unknown numbers return -1.
 */
#ifndef CALF_UAPI_SYSCALL_H
#define CALF_UAPI_SYSCALL_H

#define SYS_fork 1
#define SYS_exit 2     /* (int status) */
#define SYS_wait 3     /* (int *status) -> pid */
#define SYS_pipe 4     /* (int fds[2]) */
#define SYS_read 5     /* (int fd, void *buf, int n) */
#define SYS_kill 6     /* (int pid) */
#define SYS_exec 7     /* (char *path, char **argv) */
#define SYS_fstat 8    /* (int fd, struct stat *st) */
#define SYS_chdir 9    /* (char *path) */
#define SYS_dup 10     /* (int fd) */
#define SYS_getpid 11
#define SYS_sbrk 12    /* (int n, int mode: SBRK_MODE_EAGER/LAZY) -> old break */
#define SYS_pause 13   /* (int ticks) */
#define SYS_uptime 14  /* -> ticks */
#define SYS_open 15    /* (char *path, int flags) */
#define SYS_write 16   /* (int fd, void *buf, int n) */
#define SYS_mknod 17   /* (char *path, short major, short minor) */
#define SYS_unlink 18  /* (char *path) */
#define SYS_link 19    /* (char *old, char *new) */
#define SYS_mkdir 20   /* (char *path) */
#define SYS_close 21   /* (int fd) */
/* calf extensions */
#define SYS_memstat 22  /* (struct memstat *) */
#define SYS_procinfo 23 /* (struct procinfo *buf, int max) -> count */
#define SYS_poweroff 24 /* (int status): test runs end here */
#define SYS_cmdline 25  /* (char *buf, int size): the kernel command line */
#define SYS_ktest 26    /* reserved */
#define SYS_kcheck 27   /* (): 0, or -1 when a kernel memory invariant broke */
/* Memory mappings, Linux's arguments: */
#define SYS_mmap 28     /* (addr, len, prot, flags, fd, off) -> addr */
#define SYS_munmap 29   /* (addr, len) */
#define SYS_mprotect 30 /* (addr, len, prot) */
#define SYS_msync 31    /* (addr, len, flags) */
#define SYS_vmainfo 32  /* (int pid, struct vmainfo *buf, int max) -> count */
/* Threads (README, "Threads"): */
#define SYS_thread_create 33 /* (entry, sp, arg0, arg1) -> tid; the thread
				starts at entry(arg0, arg1) with stack sp */
#define SYS_thread_join 34   /* (int tid, int *status) -> tid */
#define SYS_thread_exit 35   /* (int status): ends the calling thread */
#define SYS_gettid 36        /* -> the calling thread's id */
#define SYS_futex_wait 37    /* (int *addr, int val): sleeps while *addr == val */
#define SYS_futex_wake 38    /* (int *addr, int n) -> threads woken */

#define SBRK_MODE_EAGER 1
#define SBRK_MODE_LAZY 2

#endif
