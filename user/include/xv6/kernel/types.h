/*
 * xv6 compatibility: <kernel/types.h>.
 *
 * The short integer names xv6 programs use. Every compat header includes
 * this one itself, so programs may include them in any order.
 *
 * The compat headers that mirror a calf uapi header include it by a path
 * relative to their own directory (../../../../include/uapi/), so the one
 * flag -Iuser/include/xv6 is all an xv6 program needs.
 */
#ifndef CALF_XV6_TYPES_H
#define CALF_XV6_TYPES_H

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;

typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;

typedef uint64 pde_t;

/* For mmap() and munmap(), as xv6's mmap lab declares them. */
typedef unsigned long size_t;
typedef long off_t;

#endif
