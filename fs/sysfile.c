/*
 * File-system system calls. Each checks its arguments (descriptors, sizes,
 * flags), copies paths and buffers through uaccess, and calls the layers
 * below inside one log operation where the disk may change. Errors are
 * returned as -errno; the dispatcher turns them into -1 for user space.
 */
#include <file.h>
#include <fs.h>
#include <proc.h>
#include <syscall.h>
#include <uaccess.h>
#include <addrspace.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>

/* The open file behind descriptor a, or NULL. */
static struct file *fd_file(u64 a, int *fdp)
{
	int fd = (int)a;
	struct proc *p = current();

	if (fd < 0 || fd >= NOFILE || p->ofile[fd] == NULL)
		return NULL;
	if (fdp != NULL)
		*fdp = fd;
	return p->ofile[fd];
}

struct inode *file_mmap_inode(int fd, int prot, bool shared, bool *maywrite,
			      int *err)
{
	struct file *f = fd_file((u64)(long)fd, NULL);
	bool is_file;

	*err = 0;
	if (f == NULL) {
		*err = -EBADF;
		return NULL;
	}
	if (f->type != FD_INODE) {
		*err = -ENODEV; /* a pipe or a device */
		return NULL;
	}
	*err = ilock(f->ip);
	is_file = *err == 0 && f->ip->type == T_FILE;
	iunlock(f->ip);
	if (*err == 0 && !is_file)
		*err = -ENODEV; /* a directory */
	else if (*err == 0 && !f->readable)
		*err = -EACCES;
	else if (*err == 0 && shared && (prot & PROT_WRITE) && !f->writable)
		*err = -EACCES;
	*maywrite = !shared || f->writable;
	return *err ? NULL : f->ip;
}

/* Installs f in the lowest free descriptor; the fd or -EMFILE. */
static int fd_alloc(struct file *f)
{
	struct proc *p = current();

	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd] == NULL) {
			p->ofile[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
}

/* Copies a user path into buf (MAXPATH bytes); 0 or -errno. */
static int fetch_path(u64 uptr, char *buf)
{
	long n = strncpy_from_user(buf, (uaddr_t)uptr, MAXPATH);

	return n < 0 ? (int)n : 0;
}

SYSCALL(dup)
{
	struct file *f = fd_file(a[0], NULL);
	int fd;

	if (f == NULL)
		return -EBADF;
	fd = fd_alloc(f);
	if (fd >= 0)
		filedup(f);
	return fd;
}

SYSCALL(read)
{
	struct file *f = fd_file(a[0], NULL);
	int n = (int)a[2];

	if (f == NULL)
		return -EBADF;
	if (n < 0)
		return -EINVAL;
	/* The copy runs under the file's lock: a fault that has to read a
	 * file page must happen before it. */
	mm_prefault(current()->mm, a[1], (u64)n, true);
	return fileread(f, (uaddr_t)a[1], n);
}

SYSCALL(write)
{
	struct file *f = fd_file(a[0], NULL);
	int n = (int)a[2];

	if (f == NULL)
		return -EBADF;
	if (n < 0)
		return -EINVAL;
	mm_prefault(current()->mm, a[1], (u64)n, false);
	return filewrite(f, (uaddr_t)a[1], n);
}

SYSCALL(close)
{
	int fd;
	struct file *f = fd_file(a[0], &fd);

	if (f == NULL)
		return -EBADF;
	current()->ofile[fd] = NULL;
	fileclose(f);
	return 0;
}

SYSCALL(fstat)
{
	struct file *f = fd_file(a[0], NULL);

	if (f == NULL)
		return -EBADF;
	return filestat(f, (uaddr_t)a[1]);
}

SYSCALL(link)
{
	char oldpath[MAXPATH], newpath[MAXPATH];
	int err = fetch_path(a[0], oldpath);

	if (err == 0)
		err = fetch_path(a[1], newpath);
	if (err != 0)
		return err;
	begin_op();
	err = fs_link(oldpath, newpath);
	end_op();
	return err;
}

SYSCALL(unlink)
{
	char path[MAXPATH];
	int err = fetch_path(a[0], path);

	if (err != 0)
		return err;
	begin_op();
	err = fs_unlink(path);
	end_op();
	return err;
}

/* Finds or creates the inode open() names; returns it locked. */
static int open_inode(const char *path, int flags, struct inode **out)
{
	struct inode *ip;
	int err;

	if (flags & O_CREATE)
		return fs_create(path, T_FILE, 0, 0, out);
	err = path_lookup(path, &ip);
	if (err != 0)
		return err;
	err = ilock(ip);
	if (err != 0) {
		iunlockput(ip);
		return err;
	}
	*out = ip;
	return 0;
}

/* Checks that ip (locked) may be opened with flags. */
static int open_check(struct inode *ip, int flags)
{
	if (ip->type == T_DIR && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV))
		return -ENODEV;
	return 0;
}

SYSCALL(open)
{
	char path[MAXPATH];
	int flags = (int)a[1];
	int acc = flags & O_ACCMODE;
	struct inode *ip, *big = NULL;
	struct file *f;
	int err, fd;

	if ((flags & ~(O_ACCMODE | O_CREATE | O_TRUNC)) || acc == O_ACCMODE)
		return -EINVAL;
	err = fetch_path(a[0], path);
	if (err != 0)
		return err;
	begin_op();
	err = open_inode(path, flags, &ip);
	if (err != 0)
		goto out;
	err = open_check(ip, flags);
	f = err == 0 ? filealloc() : NULL;
	if (err == 0 && f == NULL)
		err = -ENFILE;
	fd = err == 0 ? fd_alloc(f) : -1;
	if (err == 0 && fd < 0) {
		fileclose(f); /* still FD_NONE: touches no inode */
		err = fd;
	}
	if (err != 0) {
		iunlockput(ip);
		goto out;
	}
	f->type = ip->type == T_DEVICE ? FD_DEVICE : FD_INODE;
	f->major = ip->major;
	f->ip = ip;
	f->off = 0;
	f->readable = acc != O_WRONLY;
	f->writable = acc == O_WRONLY || acc == O_RDWR;
	if ((flags & O_TRUNC) && ip->type == T_FILE && itrunc_fits_op(ip))
		itrunc(ip);
	else if ((flags & O_TRUNC) && ip->type == T_FILE)
		big = ip; /* too many bitmap blocks for this op: in steps below */
	iunlock(ip);
	err = fd;
out:
	end_op();
	if (big)
		itrunc_stepwise(big); /* f holds the reference */
	return err;
}

/* mkdir and mknod: creates path with type; the new inode is released. */
static long make_node(u64 upath, short type, short major, short minor)
{
	char path[MAXPATH];
	struct inode *ip;
	int err = fetch_path(upath, path);

	if (err != 0)
		return err;
	begin_op();
	err = fs_create(path, type, major, minor, &ip);
	if (err == 0)
		iunlockput(ip);
	end_op();
	return err;
}

SYSCALL(mkdir)
{
	return make_node(a[0], T_DIR, 0, 0);
}

SYSCALL(mknod)
{
	short major = (short)a[1], minor = (short)a[2];

	if (major < 0 || major >= NDEV || minor < 0)
		return -EINVAL;
	return make_node(a[0], T_DEVICE, major, minor);
}

SYSCALL(chdir)
{
	char path[MAXPATH];
	struct proc *p = current();
	struct inode *ip;
	int err = fetch_path(a[0], path);

	if (err != 0)
		return err;
	begin_op();
	err = path_lookup(path, &ip);
	if (err != 0)
		goto out;
	err = ilock(ip);
	if (err == 0 && ip->type != T_DIR)
		err = -ENOTDIR;
	iunlock(ip);
	if (err != 0) {
		iput(ip);
		goto out;
	}
	if (p->cwd != NULL)
		iput(p->cwd);
	p->cwd = ip;
out:
	end_op();
	return err;
}

SYSCALL(pipe)
{
	struct proc *p = current();
	struct file *rf, *wf;
	int fds[2];
	int err = pipealloc(&rf, &wf);

	if (err != 0)
		return err;
	fds[0] = fd_alloc(rf);
	fds[1] = fds[0] >= 0 ? fd_alloc(wf) : -1;
	if (fds[1] < 0) {
		err = -EMFILE;
		goto undo;
	}
	err = copy_to_user((uaddr_t)a[0], fds, sizeof(fds));
	if (err == 0)
		return 0;
undo:
	if (fds[0] >= 0)
		p->ofile[fds[0]] = NULL;
	if (fds[1] >= 0)
		p->ofile[fds[1]] = NULL;
	fileclose(rf);
	fileclose(wf);
	return err;
}
