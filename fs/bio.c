/*
 * The buffer cache.
 *
 * Every block the file system touches passes through here. The cache holds
 * BCACHE_NBUF buffers; each caches at most one block, so there is never
 * more than one copy of a block in memory and the buffer's sleeping lock
 * serialises everyone working on that block.
 *
 * A buffer with refcnt 0 may be recycled for another block. Released
 * buffers go to the front of a circular list, so scanning from the back
 * finds the least recently used one. The log pins buffers it has recorded
 * (one extra reference) until they are installed, so a dirty block is
 * never recycled before it reaches the disk.
 *
 * The spinlock bcache.lock guards the list, every refcnt and blockno;
 * the contents and valid flag are guarded by the buffer's own sleeplock.
 */
#include <blkdev.h>
#include <fs.h>
#include <printk.h>
#include <sched.h>
#include <spinlock.h>

#define SECTORS_PER_BLOCK (BSIZE / SECTOR_SIZE)

static struct {
	struct spinlock lock;
	struct buf buf[BCACHE_NBUF];
	struct buf head; /* head.next is the most recently used buffer */
	bool ready;
} bcache = {.lock = SPINLOCK_INIT("bcache")};

/* Sets up the LRU list; called once when the root is mounted. */
void bcache_init(void)
{
	spin_lock(&bcache.lock);
	if (bcache.ready) {
		spin_unlock(&bcache.lock);
		return;
	}
	bcache.head.prev = &bcache.head;
	bcache.head.next = &bcache.head;
	for (int i = 0; i < BCACHE_NBUF; i++) {
		struct buf *b = &bcache.buf[i];
		sleeplock_init(&b->lock, "buffer");
		b->next = bcache.head.next;
		b->prev = &bcache.head;
		bcache.head.next->prev = b;
		bcache.head.next = b;
	}
	bcache.ready = true;
	spin_unlock(&bcache.lock);
}

/*
 * Finds the buffer caching blockno, or recycles the least recently used
 * unreferenced one for it. Returns it referenced and locked. When every
 * buffer is in use the caller sleeps until one is released.
 */
static struct buf *bget(u32 blockno)
{
	struct buf *b;

	spin_lock(&bcache.lock);
	if (!bcache.ready)
		panic("bget: buffer cache used before bcache_init");
	for (;;) {
		for (b = bcache.head.next; b != &bcache.head; b = b->next) {
			if (b->blockno == blockno &&
			    (b->refcnt > 0 || b->valid))
				goto found;
		}
		for (b = bcache.head.prev; b != &bcache.head; b = b->prev) {
			if (b->refcnt == 0) {
				b->blockno = blockno;
				b->valid = false;
				goto found;
			}
		}
		/* Every buffer is held: wait for a brelse(). */
		sleep(&bcache, &bcache.lock);
	}
found:
	b->refcnt++;
	spin_unlock(&bcache.lock);
	sleep_lock(&b->lock);
	return b;
}

/* Moves one block between b->data and the root device. */
static void block_io(struct buf *b, bool write)
{
	struct blkdev *dev = blkdev_root();
	int err;

	if (dev == NULL)
		panic("block_io: no root block device");
	if (b->blockno >= sb.size && fs_mounted)
		panic("block_io: block %u beyond the file system (%u)",
		      b->blockno, sb.size);
	err = blk_rw(dev, (u64)b->blockno * SECTORS_PER_BLOCK, b->data,
		     SECTORS_PER_BLOCK, write);
	if (err)
		panic("block_io: %s of block %u failed (%d)",
		      write ? "write" : "read", b->blockno, err);
}

struct buf *bread(u32 blockno)
{
	struct buf *b = bget(blockno);

	if (!b->valid) {
		block_io(b, false);
		b->valid = true;
	}
	return b;
}

void bwrite(struct buf *b)
{
	if (!sleep_holding(&b->lock))
		panic("bwrite: buffer of block %u not locked", b->blockno);
	block_io(b, true);
}

/*
 * Releases a locked buffer. The last reference moves it to the front of
 * the LRU list and wakes anyone waiting for a free buffer.
 */
void brelse(struct buf *b)
{
	if (!sleep_holding(&b->lock))
		panic("brelse: buffer of block %u not locked", b->blockno);
	sleep_unlock(&b->lock);

	spin_lock(&bcache.lock);
	if (b->refcnt < 1)
		panic("brelse: block %u refcnt %d < 1", b->blockno, b->refcnt);
	b->refcnt--;
	if (b->refcnt == 0) {
		b->next->prev = b->prev;
		b->prev->next = b->next;
		b->next = bcache.head.next;
		b->prev = &bcache.head;
		bcache.head.next->prev = b;
		bcache.head.next = b;
		wakeup(&bcache);
	}
	spin_unlock(&bcache.lock);
}

void bpin(struct buf *b)
{
	spin_lock(&bcache.lock);
	b->refcnt++;
	spin_unlock(&bcache.lock);
}

void bunpin(struct buf *b)
{
	spin_lock(&bcache.lock);
	if (b->refcnt < 1)
		panic("bunpin: block %u refcnt %d < 1", b->blockno, b->refcnt);
	b->refcnt--;
	if (b->refcnt == 0)
		wakeup(&bcache);
	spin_unlock(&bcache.lock);
}

int bcache_busy_count(void)
{
	int n = 0;

	spin_lock(&bcache.lock);
	for (int i = 0; i < BCACHE_NBUF; i++)
		if (bcache.buf[i].refcnt > 0)
			n++;
	spin_unlock(&bcache.lock);
	return n;
}
