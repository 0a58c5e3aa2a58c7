/*
 * The write-ahead log: every file-system operation is atomic across a
 * crash.
 *
 * An operation (a system call's worth of changes) is bracketed by
 * begin_op() and end_op(). Inside it, code changes cached blocks and calls
 * log_write() instead of writing them; the buffer stays pinned in the cache.
 * When the last outstanding operation ends, the whole group of operations
 * is committed at once ("group commit"):
 *
 *   1. write_log():     copy every changed block into the log area;
 *   2. write_head():    write the header naming their home blocks -- this
 *                        single-block write is the commit point;
 *   3. install_trans(): copy the logged blocks to their home locations;
 *   4. write_head():    clear the header (n = 0).
 *
 * A crash before step 2 loses the group entirely; a crash after it is
 * repaired at the next mount by log_init(), which performs steps 3 and 4
 * again from the log area (replaying is idempotent).
 *
 * begin_op() admits an operation only while the log has room for it to
 * write MAXOPBLOCKS blocks on top of what the admitted ones may write, and
 * never while a commit is in progress; log_write() checks that the ops
 * of a group stayed within that (freeing a large file takes several ops:
 * fs/trunc.c). log.lock guards every field below.
 */
#include <fs.h>
#include <asm/arch.h>
#include <printk.h>
#include <sched.h>
#include <spinlock.h>
#include <string.h>

static struct {
	struct spinlock lock;
	u32 start;	     /* block of the header; log blocks follow it */
	u32 capacity;	     /* blocks a transaction may log */
	int outstanding;     /* operations between begin_op and end_op */
	int admitted;	     /* operations admitted since the last commit */
	bool committing;     /* commit() running; no new operations */
	struct logheader lh; /* the open transaction's blocks */
	int commits;	     /* non-empty commits since boot */
	enum fs_crash_point crash_point;
	int crash_commit;
} log = {
    .lock = SPINLOCK_INIT("log"),
    /* Until a mount sets it, operations are admitted (they write nothing). */
    .capacity = LOGBLOCKS,
};

/* Arms a simulated power cut at point during commit number commit. */
void log_set_crash(enum fs_crash_point point, int commit)
{
	log.crash_point = point;
	log.crash_commit = commit;
}

/*
 * Stops the machine when the armed crash point is here, as a power cut
 * would: every block written so far is on the disk, nothing else is.
 */
static void crash_check(enum fs_crash_point here)
{
	if (log.crash_point != here || log.commits != log.crash_commit)
		return;
	printk("fs: injected crash at commit %d, point %d: powering off\n",
	       log.commits, here);
	arch_poweroff(0);
}

const char *log_header_check(const struct logheader *lh,
			     const struct superblock *s)
{
	if (lh->n < 0 || (u32)lh->n > FS_LOG_MAX || (u32)lh->n >= s->nlog)
		return "log header count out of range";
	for (int i = 0; i < lh->n; i++) {
		u32 b = (u32)lh->block[i];
		if (b < s->logstart + s->nlog || b >= s->size)
			return "logged block number out of range";
	}
	return NULL;
}

/* Reads the on-disk header into log.lh. */
static void read_head(void)
{
	struct buf *b = bread(log.start);

	memcpy(&log.lh, b->data, sizeof(log.lh));
	brelse(b);
}

/* Writes log.lh to the header block; with n > 0 this commits. */
static void write_head(void)
{
	struct buf *b = bread(log.start);

	memcpy(b->data, &log.lh, sizeof(log.lh));
	bwrite(b);
	brelse(b);
}

/* Copies every block of the transaction from the cache to the log area. */
static void write_log(void)
{
	for (int i = 0; i < log.lh.n; i++) {
		struct buf *to = bread(log.start + 1 + i);
		struct buf *from = bread(log.lh.block[i]);

		memcpy(to->data, from->data, BSIZE);
		bwrite(to);
		brelse(from);
		brelse(to);
	}
}

/*
 * Copies logged blocks to their home locations. During recovery the data
 * comes from the log area; after a commit it is already in the pinned
 * cached buffers, which are unpinned here.
 */
static void install_trans(bool recovering)
{
	for (int i = 0; i < log.lh.n; i++) {
		struct buf *dst = bread(log.lh.block[i]);

		if (recovering) {
			struct buf *src = bread(log.start + 1 + i);
			memcpy(dst->data, src->data, BSIZE);
			brelse(src);
		}
		bwrite(dst);
		if (!recovering)
			bunpin(dst);
		brelse(dst);
		if (i == log.lh.n / 2)
			crash_check(FS_CRASH_INSTALL);
	}
}

/*
 * Mounting: replays a committed transaction left by a crash. Returns 0, or
 * -EUCLEAN when the header is corrupt (nothing is written then).
 */
int log_init(const struct superblock *s)
{
	const char *why;

	if (sizeof(struct logheader) > BSIZE)
		panic("log_init: log header larger than a block");
	log.start = s->logstart;
	log.capacity = MIN((u32)LOGBLOCKS, s->nlog - 1);
	read_head();
	why = log_header_check(&log.lh, s);
	if (why != NULL) {
		printk("fs: refusing to mount: %s\n", why);
		log.lh.n = 0; /* forget it: it must never be written back */
		return -EUCLEAN;
	}
	if (log.lh.n > 0) {
		printk("fs: log recovery: replaying %d blocks\n", log.lh.n);
		install_trans(true);
		log.lh.n = 0;
		write_head();
	}
	return 0;
}

void begin_op(void)
{
	might_sleep("begin_op");
	spin_lock(&log.lock);
	for (;;) {
		if (log.committing) {
			sleep(&log, &log.lock);
		} else if (log.lh.n + (log.outstanding + 1) * MAXOPBLOCKS >
			   (int)log.capacity) {
			/* This operation might overflow the log: wait. */
			sleep(&log, &log.lock);
		} else {
			log.outstanding++;
			log.admitted++;
			break;
		}
	}
	spin_unlock(&log.lock);
}

/* Writes out one transaction: the four steps described at the top. */
static void commit(void)
{
	if (log.lh.n == 0)
		return;
	log.commits++;
	write_log();
	crash_check(FS_CRASH_LOGGED);
	write_head();
	crash_check(FS_CRASH_COMMITTED);
	install_trans(false);
	log.lh.n = 0;
	write_head();
}

/*
 * Ends an operation. The last one out commits the group; the others wake
 * waiters in begin_op(), since their reservation is returned.
 */
void end_op_noreap(void)
{
	bool do_commit = false;

	spin_lock(&log.lock);
	if (log.outstanding < 1)
		panic("end_op: no operation outstanding");
	if (log.committing)
		panic("end_op: operation ended during a commit");
	log.outstanding--;
	if (log.outstanding == 0) {
		do_commit = true;
		log.committing = true;
	} else {
		wakeup(&log);
	}
	spin_unlock(&log.lock);

	if (do_commit) {
		/* No operation runs and none can start: no lock needed. */
		commit();
		spin_lock(&log.lock);
		log.committing = false;
		log.admitted = 0;
		wakeup(&log);
		spin_unlock(&log.lock);
	}
}

void end_op(void)
{
	end_op_noreap();
	orphans_reap();
}

/*
 * Adds b to the current transaction. A block written twice in one
 * transaction is logged once (absorption). The first time, the buffer is
 * pinned so that it stays cached until install_trans().
 */
void log_write(struct buf *b)
{
	int i;

	spin_lock(&log.lock);
	if (log.outstanding < 1)
		panic("log_write: block %u written outside an operation",
		      b->blockno);
	for (i = 0; i < log.lh.n; i++)
		if ((u32)log.lh.block[i] == b->blockno)
			break;
	if (i == log.lh.n) {
		if ((u32)log.lh.n >= log.capacity)
			panic("log_write: transaction larger than the log (%u)",
			      log.capacity);
		/* Each admitted operation reserved MAXOPBLOCKS: one that
		 * writes more could overflow the log under load. */
		if (log.lh.n >= log.admitted * MAXOPBLOCKS)
			panic("log_write: %d operations wrote more than %d blocks each",
			      log.admitted, MAXOPBLOCKS);
		log.lh.block[log.lh.n++] = (int)b->blockno;
		bpin(b);
	}
	spin_unlock(&log.lock);
}
