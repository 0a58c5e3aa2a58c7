/*
 * The file system inside the kernel (fs/). User-visible semantics and
 * limits are xv6's; the on-disk format is in uapi/fs.h.
 *
 * Layers, bottom up, each in its own file:
 *   fs/bio.c     buffer cache: one struct buf per cached block, refcounted,
 *                each with a sleeping lock, recycled least recently used.
 *   fs/log.c     write-ahead log: every change to a block between
 *                begin_op() and end_op() is logged and installed atomically.
 *   fs/super.c   superblock checks and mounting the root device.
 *   fs/balloc.c  the free-block bitmap.
 *   fs/inode.c   the inode cache, block map, truncation, reading and writing.
 *   fs/pagecache.c  a file's contents in 4 KiB pages, for mmap.
 *   fs/dir.c     directories: lookup and adding entries.
 *   fs/path.c    path names to inodes.
 *   fs/file.c    the open-file table and per-process descriptor hooks.
 *   fs/pipe.c    pipes.
 *   fs/sysfile.c the system calls.
 *
 * Lock order (outer first): a file-system operation (begin_op) > directory
 * inode lock > child inode lock > buffer lock > any spinlock (icache,
 * bcache, ftable, log, pipe). A process holds at most one path's inode
 * locks at a time: parent before child, never the other way round.
 * Anything that may modify the disk (including iput(), which may free an
 * inode) runs between begin_op() and end_op().
 */
#ifndef CALF_FS_H
#define CALF_FS_H

#include <types.h>
#include <errno.h>
#include <sleeplock.h>
#include <uapi/fs.h>
#include <uapi/stat.h>
#include <uapi/param.h>
#include <asm/page.h>

/* ---- buffer cache (fs/bio.c) ---- */

struct buf {
	/* guarded by the bcache spinlock */
	int refcnt;		 /* holders, plus one while pinned by the log */
	struct buf *prev, *next; /* LRU list: most recently released first */
	u32 blockno;

	/* guarded by lock */
	bool valid; /* data holds the block's contents */
	struct sleeplock lock;
	u8 data[BSIZE];
};

/* Blocks the buffer cache holds: NBUF for callers plus room for the log. */
#define BCACHE_NBUF (NBUF + LOGBLOCKS)

void bcache_init(void);
/* Returns block blockno, locked and referenced. I/O errors panic. */
struct buf *bread(u32 blockno);
/* Writes b to disk. b's sleep lock held on entry and exit. */
void bwrite(struct buf *b);
/* Unlocks and drops the caller's reference. */
void brelse(struct buf *b);
/* The log keeps a logged block cached until it is installed. */
void bpin(struct buf *b);
void bunpin(struct buf *b);
/* Buffers referenced right now (for leak checks). */
int bcache_busy_count(void);

/* ---- log (fs/log.c) ---- */

/* Reads the log header, replays a committed transaction. 0 or -EUCLEAN. */
int log_init(const struct superblock *sb);
void begin_op(void);
/* Ends an operation, then frees pending orphans (fs/trunc.c); call it
 * with no inode or buffer locked. */
void end_op(void);
/* end_op() without the orphans: for fs/trunc.c's own steps. */
void end_op_noreap(void);
/* Records that b (locked, referenced) was changed in this operation. */
void log_write(struct buf *b);
/* Checks a log header against the superblock; NULL or what is wrong. */
const char *log_header_check(const struct logheader *lh,
			     const struct superblock *sb);

/* Crash injection for recovery tests (kernel command line fs.crash=...). */
enum fs_crash_point {
	FS_CRASH_NONE,
	FS_CRASH_LOGGED,    /* log blocks written, header not: op absent */
	FS_CRASH_COMMITTED, /* header written, nothing installed: op present */
	FS_CRASH_INSTALL,   /* header written, half installed: op present */
};
void log_set_crash(enum fs_crash_point point, int commit);

/* ---- superblock and mount (fs/super.c) ---- */

extern struct superblock sb; /* the mounted root's; read-only once mounted */
extern bool fs_mounted;
/* First data block (after the bitmap) for a superblock. */
u32 sb_datastart(const struct superblock *s);
/* Checks a superblock against a device of devblocks blocks. */
const char *sb_check(const struct superblock *s, u64 devblocks);
/* Parses the fs.* options of the kernel command line. */
void fs_parse_cmdline(const char *bootargs);

/* ---- blocks (fs/balloc.c) ---- */

/* A zeroed data block, allocated inside an operation; 0 if the disk is full. */
u32 balloc(void);
void bfree(u32 b);
/* True when b is a data block of the mounted file system. */
bool block_in_data(u32 b);
/* Free data blocks right now (reads the bitmap). */
u32 fs_count_free_blocks(void);

/* ---- inodes (fs/inode.c) ---- */

/* Pages of the page cache the largest file needs. */
#define PCACHE_PAGES ((MAXFILE * BSIZE + PAGE_SIZE - 1) / PAGE_SIZE)
struct page;

struct inode {
	/* guarded by the icache spinlock */
	u32 inum;
	int ref; /* in-memory references; the slot is free at 0 */

	struct sleeplock lock;
	/* guarded by lock */
	bool valid; /* the fields below were read from disk */
	short type;
	short major;
	short minor;
	short nlink;
	u32 size;
	u32 addrs[NDIRECT + 1];

	/* The page cache (fs/pagecache.c): page i holds bytes [i * 4096,
	 * (i + 1) * 4096) of the file. Guarded by the page cache's lock. */
	struct page *pcache[PCACHE_PAGES];
};

void icache_init(void);
/* Referenced, unlocked in-memory inode for inum (no disk access). */
struct inode *iget(u32 inum);
/* Allocates an on-disk inode of type inside an operation. 0 or -ENOSPC. */
int ialloc(short type, struct inode **out);
struct inode *idup(struct inode *ip);
/*
 * Locks ip and reads it from disk if needed. Returns 0, -EIO (no file
 * system) or -EUCLEAN (corrupt or free inode); ip is locked either way.
 */
int ilock(struct inode *ip);
void iunlock(struct inode *ip);
/* Drops a reference; the last one frees an unlinked inode (inside an op). */
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
/* Writes ip's fields back to its disk block (inside an op, ip locked). */
void iupdate(struct inode *ip);
/* fs/trunc.c: freeing a file's blocks in steps that fit an operation. */
/* Frees ip's data blocks and sets its size to 0 (inside an op, ip
 * locked); only for a file that itrunc_fits_op(). */
void itrunc(struct inode *ip);
/* Whether all of ip's blocks lie under few enough bitmap blocks to free
 * them in an operation that has done other work (ip locked, inside it). */
bool itrunc_fits_op(struct inode *ip);
/* Frees ip's blocks in steps, one operation each; caller holds a
 * reference, no operation and no lock. */
void itrunc_stepwise(struct inode *ip);
/* Takes over the last reference to an unlinked inode; the next end_op()
 * frees it (fs/trunc.c). */
void orphan_add(struct inode *ip);
/* Frees every orphan; no operation or lock held. */
void orphans_reap(void);
/* Frees ip's blocks and its dinode (inside an op, ip locked); the caller
 * still holds its reference. iput() does this on the last reference. */
void ifree(struct inode *ip);
void stati(struct inode *ip, struct stat *st);
/*
 * Disk block holding block bn of ip (locked); allocates missing blocks
 * when alloc (inside an op). *out is 0 for a hole. 0, -ENOSPC, -EFBIG or
 * -EUCLEAN (an address outside the data area).
 */
int bmap(struct inode *ip, u32 bn, bool alloc, u32 *out);
/*
 * Reads/writes n bytes at off between ip (locked) and dst/src, a user
 * address when user is true, else a kernel pointer. readi returns bytes
 * read (0 at end of file) or -errno; writei returns n or -errno, having
 * written nothing past the failing block (writei runs inside an op).
 */
ssize_t readi(struct inode *ip, bool user, u64 dst, u32 off, u32 n);
ssize_t writei(struct inode *ip, bool user, u64 src, u32 off, u32 n);
/* In-memory inodes referenced right now (for leak checks). */
int icache_busy_count(void);
/* Slot i (0 .. NINODE-1) of the inode cache, for the page cache's reclaim. */
struct inode *icache_inode(int i);
/* Free on-disk inodes right now. */
u32 fs_count_free_inodes(void);

/* ---- directories (fs/dir.c) and paths (fs/path.c) ---- */

/* name buffers hold up to DIRSIZ characters and a terminating NUL */
#define NAME_BUF (DIRSIZ + 1)

/*
 * Looks name up in directory dp (locked). Returns the referenced, unlocked
 * inode or NULL with *err set (-ENOENT, -EUCLEAN); *poff gets the entry's
 * offset when poff is not NULL.
 */
struct inode *dirlookup(struct inode *dp, const char *name, u32 *poff,
			int *err);
/* Adds name -> inum to dp (locked, inside an op). 0, -EEXIST, -errno. */
int dirlink(struct inode *dp, const char *name, u32 inum);
/* 1 when dp (locked) has only "." and "..", 0 when not, or -errno. */
int dir_is_empty(struct inode *dp);
bool name_eq(const char *a, const char *b);

/*
 * Copies the next element of path into name (truncated to DIRSIZ) and
 * returns the rest with leading slashes skipped, or NULL when path has no
 * more elements.
 */
const char *path_next(const char *path, char *name);
/* Resolves path (relative to the caller's cwd): referenced, unlocked. */
int path_lookup(const char *path, struct inode **out);
/* Resolves all but the last element, which goes to name. */
int path_parent(const char *path, char *name, struct inode **out);

/* ---- name-space operations on kernel paths (fs/ops.c), inside an op ---- */

/* Returns *out locked; an existing file is returned for type T_FILE. */
int fs_create(const char *path, short type, short major, short minor,
	      struct inode **out);
int fs_link(const char *oldpath, const char *newpath);
int fs_unlink(const char *path);

/* ---- open files (fs/file.c) and pipes (fs/pipe.c) ---- */

struct pipe;

enum file_type { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE };

struct file {
	enum file_type type;
	int ref; /* descriptors naming it; guarded by the ftable lock */
	bool readable;
	bool writable;
	struct pipe *pipe; /* FD_PIPE */
	struct inode *ip;  /* FD_INODE and FD_DEVICE */
	u32 off;	   /* FD_INODE; guarded by ip->lock */
	short major;	   /* FD_DEVICE */
};

struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int filestat(struct file *f, uaddr_t st);
ssize_t fileread(struct file *f, uaddr_t dst, int n);
ssize_t filewrite(struct file *f, uaddr_t src, int n);
/* Open files right now (for leak checks). */
int ftable_busy_count(void);

int pipealloc(struct file **rf, struct file **wf);
void pipeclose(struct pipe *pi, bool writable);
ssize_t piperead(struct pipe *pi, uaddr_t dst, int n);
ssize_t pipewrite(struct pipe *pi, uaddr_t src, int n);

#endif
