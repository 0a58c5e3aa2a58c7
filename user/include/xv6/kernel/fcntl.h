/*
 * xv6 compatibility: <kernel/fcntl.h> (O_RDONLY, O_WRONLY, O_RDWR, O_CREATE,
 * O_TRUNC), and the PROT_* and MAP_* constants of mmap(), where xv6's mmap
 * lab keeps them.
 */
#ifndef CALF_XV6_FCNTL_H
#define CALF_XV6_FCNTL_H
#include "../../../../include/uapi/fcntl.h"
#include "../../../../include/uapi/mman.h"
#endif
