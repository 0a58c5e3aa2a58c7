/* xv6 compatibility: <kernel/fcntl.h> (O_RDONLY, O_WRONLY, O_RDWR, O_CREATE, O_TRUNC). */
#ifndef CALF_XV6_FCNTL_H
#define CALF_XV6_FCNTL_H
#include "../../../../include/uapi/fcntl.h"
#endif
