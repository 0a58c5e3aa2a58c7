/* xv6 compatibility: <kernel/stat.h> (struct stat, T_DIR, T_FILE, T_DEVICE). */
#ifndef CALF_XV6_STAT_H
#define CALF_XV6_STAT_H
#include "kernel/types.h"
#include "../../../../include/uapi/stat.h"
#endif
