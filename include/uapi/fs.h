/*
 * The on-disk format of the calf file system, shared by the kernel, the
 * host tool tools/mkfs.c and user programs (the xv6 compat header
 * <kernel/fs.h> is this file, so names and values follow xv6).
 *
 * An image is an array of BSIZE-byte blocks:
 *
 *   [ boot | super | log header, log blocks | inode blocks | bitmap | data ]
 *     0      1       logstart ...             inodestart     bmapstart
 *
 * Every multi-byte field is little-endian (the only byte order calf runs
 * on). Only plain C types are used so that host and user code can include
 * this header without any kernel header.
 */
#ifndef CALF_UAPI_FS_H
#define CALF_UAPI_FS_H

#define ROOTINO 1    /* inode number of the root directory */
#define BSIZE	1024 /* block size in bytes */

#define FSMAGIC 0x10203040

/* Block 1. Every count is in blocks except ninodes. */
struct superblock {
	unsigned int magic;	 /* FSMAGIC */
	unsigned int size;	 /* blocks in the whole image */
	unsigned int nblocks;	 /* data blocks */
	unsigned int ninodes;	 /* inodes, including the unused inode 0 */
	unsigned int nlog;	 /* log blocks, header included */
	unsigned int logstart;	 /* first log block (the header) */
	unsigned int inodestart; /* first inode block */
	unsigned int bmapstart;	 /* first free-map block */
};

#define NDIRECT	  12
#define NINDIRECT (BSIZE / sizeof(unsigned int))
#define MAXFILE	  (NDIRECT + NINDIRECT) /* blocks in the largest file */

/* An inode on disk: 64 bytes, so IPB of them fill a block exactly. */
struct dinode {
	short type;  /* T_DIR, T_FILE, T_DEVICE (uapi/stat.h); 0 when free */
	short major; /* device numbers, for T_DEVICE */
	short minor;
	short nlink;	   /* directory entries naming this inode */
	unsigned int size; /* bytes */
	/* NDIRECT data blocks, then the indirect block (0: none) */
	unsigned int addrs[NDIRECT + 1];
};

/* Inodes per block, and the block holding inode i. */
#define IPB	      (BSIZE / sizeof(struct dinode))
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)

/* Bitmap bits per block, and the bitmap block holding block b's bit. */
#define BPB	      (BSIZE * 8)
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)

/* A directory is a file of these; inum 0 marks a free slot. */
#define DIRSIZ 14
struct dirent {
	unsigned short inum;
	char name[DIRSIZ]; /* NUL-padded; not terminated when DIRSIZ long */
};

/*
 * The log header (block logstart). n > 0 means a committed transaction
 * whose blocks sit in log blocks logstart+1 .. logstart+n and must be
 * copied to block[0..n-1]; the header is cleared after installing them.
 * FS_LOG_MAX bounds n for every image; the kernel uses LOGBLOCKS of it.
 */
#define FS_LOG_MAX ((BSIZE - sizeof(int)) / sizeof(int))
struct logheader {
	int n;
	int block[FS_LOG_MAX];
};

#endif
