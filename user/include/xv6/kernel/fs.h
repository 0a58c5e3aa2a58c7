/*
 * xv6 compatibility: <kernel/fs.h>. The on-disk format constants (BSIZE,
 * DIRSIZ, MAXFILE, struct dirent, ...) are calf's <uapi/fs.h>.
 */
#ifndef CALF_XV6_FS_H
#define CALF_XV6_FS_H
#include "kernel/types.h"
#include "../../../../include/uapi/fs.h"
#endif
