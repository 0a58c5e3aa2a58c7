/*
 * The hooks between processes and the file system (implemented in fs/).
 * Everything here may sleep and must run in process context.
 */
#ifndef CALF_FILE_H
#define CALF_FILE_H

#include <types.h>

struct tgroup;
struct inode;

/* Mounts the root file system; called once by the first process. */
void fs_init(void);
/* fork: child gets duplicates of parent's open files and cwd. Takes
 * parent->lock itself. */
void files_fork(struct tgroup *parent, struct tgroup *child);
/* exit: closes every open file and releases cwd. Only the last thread of
 * the process calls it (no other thread can use the table). */
void files_exit(struct tgroup *tg);
/* Sets tg's cwd to the root directory (first process). */
void files_init_proc(struct tgroup *tg);

/* mmap: drops a reference a mapping held on ip (inside its own
 * operation: the last one may free an unlinked file). Sleeps. */
void file_inode_put(struct inode *ip);
/*
 * mmap: the inode behind descriptor fd of the current process, if it may
 * be mapped with prot and flags (MAP_SHARED or not), with a reference of
 * the caller's own (file_inode_put() drops it: another thread may close fd
 * meanwhile). *maywrite says whether the mapping may ever be written.
 * NULL with *err -EBADF, -ENODEV (not a regular file) or -EACCES.
 */
struct inode *file_mmap_inode(int fd, int prot, bool shared, bool *maywrite,
			      int *err);

/* Devices by major number; user addresses go through uaccess. */
struct devsw {
	int (*read)(uaddr_t dst, int n);
	int (*write)(uaddr_t src, int n);
};
#define CONSOLE 1
extern struct devsw devsw[];

/* File system operations for the exec loader. */
void fs_begin_op(void);
void fs_end_op(void);
/* Referenced, unlocked inode for path (relative to cwd), or NULL. */
struct inode *namei(const char *path);
void inode_lock(struct inode *ip);
void inode_unlock_put(struct inode *ip);
/* True for a regular file; ip locked. */
bool inode_is_file(struct inode *ip);
/* Reads into a kernel buffer; ip locked. Returns bytes read or -errno. */
ssize_t inode_read_kernel(struct inode *ip, void *dst, u64 off, size_t n);

#endif
