/*
 * Pipes: a PIPESIZE-byte ring buffer between a read end and a write end,
 * each an open file. nread and nwrite count bytes ever read and written
 * (they wrap harmlessly as unsigned numbers); the ring is full when they
 * differ by PIPESIZE.
 *
 * A reader sleeps while the pipe is empty and a writer is left; with no
 * writer left it sees end of file. A writer sleeps while the pipe is full;
 * with no reader left its write fails with -EPIPE. Data moves between
 * the user and a small on-stack bounce buffer outside pi->lock, because
 * user copies may sleep (page faults); the lock is held only to move
 * bytes in and out of the ring.
 */
#include <fs.h>
#include <mm.h>
#include <printk.h>
#include <sched.h>
#include <spinlock.h>
#include <uaccess.h>

#define PIPESIZE   512
#define PIPE_CHUNK 128

struct pipe {
	struct spinlock lock; /* guards everything below */
	u8 data[PIPESIZE];
	u32 nread;
	u32 nwrite;
	bool readopen;	/* a read end is still open */
	bool writeopen; /* a write end is still open */
};

/*
 * Creates a pipe and its two open files. Returns 0, -ENFILE (file table
 * full) or -ENOMEM; nothing is left allocated on failure.
 */
int pipealloc(struct file **rf, struct file **wf)
{
	struct pipe *pi = kzalloc(sizeof(*pi));
	struct file *r = filealloc(), *w = filealloc();
	int err = pi == NULL ? -ENOMEM : -ENFILE;

	if (pi == NULL || r == NULL || w == NULL)
		goto fail;
	spin_init(&pi->lock, "pipe");
	pi->readopen = true;
	pi->writeopen = true;
	r->type = FD_PIPE;
	r->readable = true;
	r->pipe = pi;
	w->type = FD_PIPE;
	w->writable = true;
	w->pipe = pi;
	*rf = r;
	*wf = w;
	return 0;
fail:
	if (r != NULL)
		fileclose(r);
	if (w != NULL)
		fileclose(w);
	kfree(pi);
	return err;
}

/* Closes one end; the second close frees the pipe. */
void pipeclose(struct pipe *pi, bool writable)
{
	bool gone;

	spin_lock(&pi->lock);
	if (writable) {
		pi->writeopen = false;
		wakeup(&pi->nread);
	} else {
		pi->readopen = false;
		wakeup(&pi->nwrite);
	}
	gone = !pi->readopen && !pi->writeopen;
	spin_unlock(&pi->lock);
	if (gone)
		kfree(pi);
}

/* Puts m bytes into the ring, sleeping while it is full. 0 or -errno. */
static int pipe_push(struct pipe *pi, const u8 *src, int m)
{
	int i = 0, err = 0;

	spin_lock(&pi->lock);
	while (i < m) {
		if (!pi->readopen) {
			err = -EPIPE;
			break;
		}
		if (current_killed()) {
			err = -EINTR;
			break;
		}
		if (pi->nwrite == pi->nread + PIPESIZE) {
			wakeup(&pi->nread);
			sleep(&pi->nwrite, &pi->lock);
			continue;
		}
		pi->data[pi->nwrite++ % PIPESIZE] = src[i++];
	}
	wakeup(&pi->nread);
	spin_unlock(&pi->lock);
	return err;
}

/* Writes all n bytes (blocking); returns n, or -EPIPE/-EFAULT/-EINTR. */
ssize_t pipewrite(struct pipe *pi, uaddr_t src, int n)
{
	u8 chunk[PIPE_CHUNK];

	for (int done = 0; done < n;) {
		int m = MIN(n - done, PIPE_CHUNK);
		int err = copy_from_user(chunk, src + done, m);

		if (err == 0)
			err = pipe_push(pi, chunk, m);
		if (err != 0)
			return err;
		done += m;
	}
	return n;
}

/*
 * Reads up to n bytes, sleeping until at least one byte is there or no
 * writer is left (then returns 0, end of file).
 */
ssize_t piperead(struct pipe *pi, uaddr_t dst, int n)
{
	u8 chunk[PIPE_CHUNK];
	int done = 0;

	spin_lock(&pi->lock);
	while (pi->nread == pi->nwrite && pi->writeopen) {
		if (current_killed()) {
			spin_unlock(&pi->lock);
			return -EINTR;
		}
		sleep(&pi->nread, &pi->lock);
	}
	while (done < n && pi->nread != pi->nwrite) {
		int m = 0;
		while (m < PIPE_CHUNK && done + m < n &&
		       pi->nread != pi->nwrite)
			chunk[m++] = pi->data[pi->nread++ % PIPESIZE];
		wakeup(&pi->nwrite);
		spin_unlock(&pi->lock);
		if (copy_to_user(dst + done, chunk, m) != 0)
			return done > 0 ? done : -EFAULT;
		done += m;
		spin_lock(&pi->lock);
	}
	spin_unlock(&pi->lock);
	return done;
}
