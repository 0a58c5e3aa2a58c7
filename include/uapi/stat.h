/*
 * File status as returned by fstat(). The xv6 compat header
 * <kernel/stat.h> is this file; the layout matches xv6's struct stat.
 */
#ifndef CALF_UAPI_STAT_H
#define CALF_UAPI_STAT_H

#define T_DIR	 1 /* directory */
#define T_FILE	 2 /* regular file */
#define T_DEVICE 3 /* device: major/minor in the inode */

struct stat {
	int dev;	    /* file system's device number */
	unsigned int ino;   /* inode number */
	short type;	    /* T_DIR, T_FILE or T_DEVICE */
	short nlink;	    /* directory entries naming the file */
	unsigned long size; /* bytes */
};

#endif
