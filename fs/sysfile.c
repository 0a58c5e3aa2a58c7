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

/*
 * The open file behind descriptor a with a reference of the caller's own
 * (fd_put() drops it), or NULL. The reference keeps the file alive while
 * another thread of the process closes the descriptor.
 */
static struct file *fd_get(u64 a)
{
	struct tgroup *tg = current_tg();
	int fd = (int)a;
	struct file *f = NULL;

	if (fd < 0 || fd >= NOFILE)
		return NULL;
	spin_lock(&tg->lock);
	if (tg->ofile[fd] != NULL)
		f = filedup(tg->ofile[fd]);
	spin_unlock(&tg->lock);
	return f;
}

static void fd_put(struct file *f)
{
	fileclose(f);
}

/*
 * Contract in file.h. The inode comes with its own reference because the
 * file does not: another thread may close fd as soon as we let go.
 */
struct inode *file_mmap_inode(int fd, int prot, bool shared, bool *maywrite,
			      int *err)
{
	struct file *f = fd_get((u64)(long)fd);
	struct inode *ip = NULL;
	bool is_file;

	*err = 0;
	if (f == NULL) {
		*err = -EBADF;
		return NULL;
	}
	if (f->type != FD_INODE) {
		*err = -ENODEV; /* a pipe or a device */
		fd_put(f);
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
	if (*err == 0)
		ip = idup(f->ip);
	fd_put(f);
	return ip;
}

/* Installs f (the caller's reference moves into the table) in the lowest
 * free descriptor; the fd or -EMFILE. */
static int fd_alloc(struct file *f)
{
	struct tgroup *tg = current_tg();

	spin_lock(&tg->lock);
	for (int fd = 0; fd < NOFILE; fd++) {
		if (tg->ofile[fd] == NULL) {
			tg->ofile[fd] = f;
			spin_unlock(&tg->lock);
			return fd;
		}
	}
	spin_unlock(&tg->lock);
	return -EMFILE;
}

/*
 * Takes descriptor fd out of the table if it still holds f (another thread
 * may have closed it). True when it did: the table's reference is the
 * caller's now.
 */
static bool fd_remove(int fd, struct file *f)
{
	struct tgroup *tg = current_tg();
	bool removed = false;

	spin_lock(&tg->lock);
	if (tg->ofile[fd] == f && f != NULL) {
		tg->ofile[fd] = NULL;
		removed = true;
	}
	spin_unlock(&tg->lock);
	return removed;
}

/* Copies a user path into buf (MAXPATH bytes); 0 or -errno. */
static int fetch_path(u64 uptr, char *buf)
{
	long n = strncpy_from_user(buf, (uaddr_t)uptr, MAXPATH);

	return n < 0 ? (int)n : 0;
}

SYSCALL(dup)
{
	struct file *f = fd_get(a[0]);
	int fd;

	if (f == NULL)
		return -EBADF;
	fd = fd_alloc(f); /* our reference becomes the new descriptor's */
	if (fd < 0)
		fd_put(f);
	return fd;
}

SYSCALL(read)
{
	int n = (int)a[2];
	struct file *f;
	long r;

	if (n < 0)
		return -EINVAL;
	f = fd_get(a[0]);
	if (f == NULL)
		return -EBADF;
	/* The copy runs under the file's lock: a fault that has to read a
	 * file page must happen before it. */
	mm_prefault(current()->mm, a[1], (u64)n, true);
	r = fileread(f, (uaddr_t)a[1], n);
	fd_put(f);
	return r;
}

SYSCALL(write)
{
	int n = (int)a[2];
	struct file *f;
	long r;

	if (n < 0)
		return -EINVAL;
	f = fd_get(a[0]);
	if (f == NULL)
		return -EBADF;
	mm_prefault(current()->mm, a[1], (u64)n, false);
	r = filewrite(f, (uaddr_t)a[1], n);
	fd_put(f);
	return r;
}

SYSCALL(close)
{
	struct tgroup *tg = current_tg();
	int fd = (int)a[0];
	struct file *f = NULL;

	if (fd < 0 || fd >= NOFILE)
		return -EBADF;
	spin_lock(&tg->lock);
	f = tg->ofile[fd];
	tg->ofile[fd] = NULL;
	spin_unlock(&tg->lock);
	if (f == NULL)
		return -EBADF;
	fileclose(f);
	return 0;
}

SYSCALL(fstat)
{
	struct file *f = fd_get(a[0]);
	long r;

	if (f == NULL)
		return -EBADF;
	r = filestat(f, (uaddr_t)a[1]);
	fd_put(f);
	return r;
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
	end_op();
	if (big)
		itrunc_stepwise(big); /* f holds the reference */
	/* Only a complete file goes into the table: other threads see it
	 * the moment it is there. */
	fd = fd_alloc(f);
	if (fd < 0)
		fileclose(f); /* its own log operation */
	return fd;
out:
	end_op();
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
	struct tgroup *tg = current_tg();
	struct inode *ip, *old;
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
	spin_lock(&tg->lock);
	old = tg->cwd;
	tg->cwd = ip;
	spin_unlock(&tg->lock);
	if (old != NULL)
		iput(old);
out:
	end_op();
	return err;
}

SYSCALL(pipe)
{
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
	/* A descriptor another thread closed meanwhile took its reference
	 * with it. */
	if (fds[0] < 0 || fd_remove(fds[0], rf))
		fileclose(rf);
	if (fds[1] < 0 || fd_remove(fds[1], wf))
		fileclose(wf);
	return err;
}
