/*
 * Open files. The system-wide table holds NFILE struct files; a
 * process's descriptors (tgroup->ofile[], shared by its threads) point into it,
 * and dup() and fork() share one struct file, offset included. ftable.lock
 * guards every ref and the allocation of slots; an inode file's offset is
 * guarded by its inode's lock, which every read and write holds.
 *
 * Also here: the device switch and the per-process hooks of file.h.
 */
#include <file.h>
#include <fs.h>
#include <printk.h>
#include <proc.h>
#include <spinlock.h>
#include <uaccess.h>

struct devsw devsw[NDEV];

static struct {
	struct spinlock lock;
	struct file file[NFILE];
} ftable = {.lock = SPINLOCK_INIT("ftable")};

/*
 * Blocks one write operation may span: each may be new, costing itself and
 * its bitmap block (on a large disk every one under a different bitmap
 * block); on top come the inode, the indirect block and its bitmap block.
 */
#define MAX_WRITE_BLOCKS ((MAXOPBLOCKS - 3) / 2)

/* A fresh struct file with ref 1, or NULL when the table is full. */
struct file *filealloc(void)
{
	spin_lock(&ftable.lock);
	for (int i = 0; i < NFILE; i++) {
		struct file *f = &ftable.file[i];
		if (f->ref == 0) {
			*f = (struct file){.type = FD_NONE, .ref = 1};
			spin_unlock(&ftable.lock);
			return f;
		}
	}
	spin_unlock(&ftable.lock);
	return NULL;
}

struct file *filedup(struct file *f)
{
	spin_lock(&ftable.lock);
	if (f->ref < 1)
		panic("filedup: file ref %d < 1", f->ref);
	f->ref++;
	spin_unlock(&ftable.lock);
	return f;
}

/* Drops a reference; the last one releases the pipe end or the inode. */
void fileclose(struct file *f)
{
	struct file old;

	spin_lock(&ftable.lock);
	if (f->ref < 1)
		panic("fileclose: file ref %d < 1", f->ref);
	if (--f->ref > 0) {
		spin_unlock(&ftable.lock);
		return;
	}
	old = *f;
	f->type = FD_NONE;
	spin_unlock(&ftable.lock);

	if (old.type == FD_PIPE) {
		pipeclose(old.pipe, old.writable);
	} else if (old.type == FD_INODE || old.type == FD_DEVICE) {
		begin_op();
		iput(old.ip);
		end_op();
	}
}

int filestat(struct file *f, uaddr_t dst)
{
	struct stat st;
	int err;

	if (f->type != FD_INODE && f->type != FD_DEVICE)
		return -EBADF;
	err = ilock(f->ip);
	if (err == 0)
		stati(f->ip, &st);
	iunlock(f->ip);
	if (err != 0)
		return err;
	return copy_to_user(dst, &st, sizeof(st));
}

static struct devsw *device_of(struct file *f)
{
	if (f->major < 0 || f->major >= NDEV)
		return NULL;
	return &devsw[f->major];
}

ssize_t fileread(struct file *f, uaddr_t dst, int n)
{
	struct devsw *dev;
	ssize_t r;

	if (!f->readable)
		return -EBADF;
	switch (f->type) {
	case FD_PIPE:
		return piperead(f->pipe, dst, n);
	case FD_DEVICE:
		dev = device_of(f);
		if (dev == NULL || dev->read == NULL)
			return -ENODEV;
		return dev->read(dst, n);
	case FD_INODE:
		r = ilock(f->ip);
		if (r == 0)
			r = readi(f->ip, true, dst, f->off, (u32)n);
		if (r > 0)
			f->off += (u32)r;
		iunlock(f->ip);
		return r;
	default:
		panic("fileread: file of type %d", f->type);
	}
}

/*
 * Writes to an inode in pieces small enough for one log transaction each,
 * so a large write is not atomic (as in xv6) but every piece is. Returns
 * n, or the error of the piece that failed (earlier pieces stay written).
 */
static ssize_t inode_write(struct file *f, uaddr_t src, int n)
{
	int done = 0;

	while (done < n) {
		ssize_t r;

		begin_op();
		r = ilock(f->ip);
		if (r == 0) {
			/* At most MAX_WRITE_BLOCKS blocks, wherever off is. */
			u32 room = MAX_WRITE_BLOCKS * BSIZE - f->off % BSIZE;
			r = writei(f->ip, true, src + done, f->off,
				   MIN((u32)(n - done), room));
		}
		if (r > 0)
			f->off += (u32)r;
		iunlock(f->ip);
		end_op();
		if (r < 0)
			return r;
		done += (int)r;
	}
	return n;
}

ssize_t filewrite(struct file *f, uaddr_t src, int n)
{
	struct devsw *dev;

	if (!f->writable)
		return -EBADF;
	switch (f->type) {
	case FD_PIPE:
		return pipewrite(f->pipe, src, n);
	case FD_DEVICE:
		dev = device_of(f);
		if (dev == NULL || dev->write == NULL)
			return -ENODEV;
		return dev->write(src, n);
	case FD_INODE:
		return inode_write(f, src, n);
	default:
		panic("filewrite: file of type %d", f->type);
	}
}

int ftable_busy_count(void)
{
	int n = 0;

	spin_lock(&ftable.lock);
	for (int i = 0; i < NFILE; i++)
		if (ftable.file[i].ref > 0)
			n++;
	spin_unlock(&ftable.lock);
	return n;
}

/* ---- per-process hooks (file.h) ---- */

void files_fork(struct tgroup *parent, struct tgroup *child)
{
	spin_lock(&parent->lock);
	for (int fd = 0; fd < NOFILE; fd++)
		child->ofile[fd] =
		    parent->ofile[fd] ? filedup(parent->ofile[fd]) : NULL;
	child->cwd = parent->cwd ? idup(parent->cwd) : NULL;
	spin_unlock(&parent->lock);
}

void files_exit(struct tgroup *tg)
{
	for (int fd = 0; fd < NOFILE; fd++) {
		if (tg->ofile[fd] != NULL) {
			fileclose(tg->ofile[fd]);
			tg->ofile[fd] = NULL;
		}
	}
	if (tg->cwd != NULL) {
		begin_op();
		iput(tg->cwd);
		end_op();
		tg->cwd = NULL;
	}
}

void files_init_proc(struct tgroup *tg)
{
	tg->cwd = iget(ROOTINO);
	if (tg->cwd == NULL)
		panic("files_init_proc: inode cache full at boot");
}

void fs_begin_op(void)
{
	begin_op();
}

void fs_end_op(void)
{
	end_op();
}

void file_inode_put(struct inode *ip)
{
	begin_op();
	iput(ip);
	end_op();
}
