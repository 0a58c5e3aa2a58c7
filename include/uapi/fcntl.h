/*
 * Flags for open(). The xv6 compat header <kernel/fcntl.h> is this file.
 * The access mode is the low two bits; O_CREATE and O_TRUNC may be or-ed in.
 */
#ifndef CALF_UAPI_FCNTL_H
#define CALF_UAPI_FCNTL_H

#define O_RDONLY  0x000
#define O_WRONLY  0x001
#define O_RDWR	  0x002
#define O_ACCMODE 0x003
#define O_CREATE  0x200
#define O_TRUNC	  0x400

#endif
