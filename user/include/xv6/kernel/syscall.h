/* xv6 compatibility: <kernel/syscall.h> holds the SYS_ numbers of <uapi/syscall.h>. */
#ifndef CALF_XV6_SYSCALL_H
#define CALF_XV6_SYSCALL_H
#include "../../../../include/uapi/syscall.h"
#endif
