/*
 * xv6 compatibility: <user/user.h>, the user library's interface.
 *
 * The system calls and library functions of xv6 (2025 edition), with xv6's
 * exact names and signatures, so that xv6 programs compile unchanged with
 * the single flag -Iuser/include/xv6. (The compat headers reach calf's
 * include/uapi/ by relative paths, so no second include flag is needed.)
 * After them come calf's extensions, whose names xv6 does not use.
 *
 * Conventions, as in xv6: a failing system call returns -1; sbrk and
 * sbrklazy return SBRK_ERROR.
 */
#ifndef CALF_XV6_USER_H
#define CALF_XV6_USER_H

#include "kernel/types.h"
#include "../../../../include/uapi/memstat.h"

#define SBRK_ERROR ((char *)-1)

struct stat;

/* System calls. */
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int *);
int pipe(int *);
int write(int, const void *, int);
int read(int, void *, int);
int close(int);
int kill(int);
int exec(const char *, char **);
int open(const char *, int);
int mknod(const char *, short, short);
int unlink(const char *);
int fstat(int fd, struct stat *);
int link(const char *, const char *);
int mkdir(const char *);
int chdir(const char *);
int dup(int);
int getpid(void);
char *sys_sbrk(int, int);
int pause(int);
int uptime(void);
/* Memory mappings (xv6's mmap lab; constants in kernel/fcntl.h). mmap
 * returns (void *)-1 on failure. */
void *mmap(void *, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *, size_t len);

/* The library (ulib). */
int stat(const char *, struct stat *);
char *strcpy(char *, const char *);
void *memmove(void *, const void *, int);
char *strchr(const char *, char c);
int strcmp(const char *, const char *);
char *gets(char *, int max);
uint strlen(const char *);
void *memset(void *, int, uint);
int atoi(const char *);
int memcmp(const void *, const void *, uint);
void *memcpy(void *, const void *, uint);
char *sbrk(int);     /* grow or shrink the heap now; SBRK_ERROR when out of memory */
char *sbrklazy(int); /* grow the heap; pages arrive zero-filled on first touch */
int sleep(int);      /* the pre-2025 name of pause() */

/* printf: %d %u %x %p %s %c %%, l and ll sizes, width and 0 padding. */
void fprintf(int, const char *, ...) __attribute__((format(printf, 2, 3)));
void printf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* The heap allocator (umalloc). */
void *malloc(uint);
void free(void *);

/*
 * calf extensions.
 *
 * memstat() fills in the kernel's memory counters (struct memstat in
 * <uapi/memstat.h>); procinfo() copies up to max process records and returns
 * how many it copied; poweroff() ends the machine with an exit status (QEMU
 * exits with it; only init, pid 1, may: others get -1); kcmdline() copies
 * the kernel command line, NUL terminated, and returns its length; kcheck()
 * stops every other hart and checks the kernel's memory invariants: 0 when
 * they hold, -1 after printing "# calf: INVARIANT: ..." lines on the console.
 */
int memstat(struct memstat *);
int procinfo(struct procinfo *, int max);
int poweroff(int status);
int kcmdline(char *buf, int size);
int kcheck(void);
/* mprotect() and msync() take Linux's arguments (PROT_*, MS_*). */
int mprotect(void *addr, size_t len, int prot);
int msync(void *addr, size_t len, int flags);
/* vmainfo() copies up to max records of process pid's mappings (pmap). */
int vmainfo(int pid, struct vmainfo *, int max);


#endif
