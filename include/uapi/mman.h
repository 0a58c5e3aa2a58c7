/*
 * Memory mappings: the arguments of mmap(), mprotect() and msync(), with
 * Linux's values. The xv6 compat header <kernel/fcntl.h> includes this
 * file, as xv6's mmap lab expects the constants there.
 */
#ifndef CALF_UAPI_MMAN_H
#define CALF_UAPI_MMAN_H

#define PROT_NONE 0x0
/* The kernel's <asm/pte.h> has the same three with the same values. */
#ifndef PROT_READ
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#endif

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS

#define MAP_FAILED ((void *)-1)

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

#endif
