/*
 * Freeing a file's blocks in bounded steps.
 *
 * Freeing a block logs the bitmap block that holds its bit. On a large
 * disk whose free blocks are scattered, the blocks of one file can lie
 * under more bitmap blocks than one operation may log (MAXOPBLOCKS), or
 * than the whole log holds. So a file is freed from its end, one step at a
 * time: a step frees the blocks that lie under at most TRUNC_STEP_BITMAPS
 * bitmap blocks, zeroes their addresses, shrinks the size to match and
 * writes the inode, all in one operation (with the inode and the indirect
 * block, at most MAXOPBLOCKS blocks). After every step the file is a
 * consistent, shorter file, so a crash between steps leaves just that.
 *
 * Who runs the steps:
 *   itrunc()  in the caller's operation, when all of the file's blocks lie
 *             under at most TRUNC_INLINE_BITMAPS bitmap blocks (always so
 *             on a disk of up to 16 MiB); otherwise
 *   open()    with O_TRUNC runs itrunc_stepwise(), one operation per step,
 *             after its own operation has ended;
 *   iput()    of the last reference to an unlinked inode makes it an
 *             orphan: the list below keeps that reference, and the next
 *             end_op() frees the orphan's blocks a step per operation,
 *             then its dinode. Like a file unlinked while open, an orphan
 *             that a crash catches stays allocated on disk.
 */
#include <fs.h>
#include <pagecache.h>
#include <addrspace.h>
#include <printk.h>
#include <spinlock.h>

/* Bitmap blocks one step may log: the inode and indirect block come on top. */
#define TRUNC_STEP_BITMAPS (MAXOPBLOCKS - 2)
/* Bitmap blocks itrunc() may log inside an operation that did other work. */
#define TRUNC_INLINE_BITMAPS 2

/* A small set of distinct bitmap block numbers. */
struct bitmap_set {
	u32 blk[TRUNC_STEP_BITMAPS];
	int n, max;
};

/* Adds the bitmap block of data block b; false when that would exceed max. */
static bool bitmap_set_add(struct bitmap_set *s, u32 b)
{
	u32 bb = BBLOCK(b, sb);

	for (int i = 0; i < s->n; i++)
		if (s->blk[i] == bb)
			return true;
	if (s->n >= s->max)
		return false;
	s->blk[s->n++] = bb;
	return true;
}

/* ip's indirect block, read, or NULL (none, or outside the data area). */
static struct buf *indirect_of(struct inode *ip)
{
	u32 ind = ip->addrs[NDIRECT];

	return ind != 0 && block_in_data(ind) ? bread(ind) : NULL;
}

bool itrunc_fits_op(struct inode *ip)
{
	struct bitmap_set set = {.max = TRUNC_INLINE_BITMAPS};
	struct buf *bp = indirect_of(ip);
	bool fits = true;

	for (int i = 0; i <= NDIRECT && fits; i++)
		if (ip->addrs[i] != 0)
			fits = bitmap_set_add(&set, ip->addrs[i]);
	for (u32 i = 0; bp != NULL && i < NINDIRECT && fits; i++) {
		u32 b = ((const u32 *)bp->data)[i];
		if (b != 0)
			fits = bitmap_set_add(&set, b);
	}
	if (bp != NULL)
		brelse(bp);
	return fits;
}

/* Frees *slot (block number bn of the file) if its bitmap block fits. */
static bool free_slot(struct inode *ip, u32 *slot, u32 bn,
		      struct bitmap_set *set)
{
	if (*slot == 0)
		return true;
	if (!bitmap_set_add(set, *slot))
		return false;
	bfree(*slot);
	*slot = 0;
	if (ip->size > bn * BSIZE)
		ip->size = bn * BSIZE;
	return true;
}

/*
 * One step: frees blocks from the end of ip while their bitmap blocks fit
 * in TRUNC_STEP_BITMAPS, then writes the inode. Inside an operation, ip
 * locked. Returns true when ip has no blocks left (and size 0).
 */
static bool itrunc_step(struct inode *ip)
{
	struct bitmap_set set = {.max = TRUNC_STEP_BITMAPS};
	struct buf *bp = indirect_of(ip);
	bool room = true, dirty = false;
	int i;

	/* Mappings first: no page of a block about to be freed stays mapped
	 * in any address space, nor cached (a fault between steps may bring
	 * the shorter file's pages back; the next step drops them again). The
	 * next access to one finds end of file. */
	mm_unmap_file_from(ip, 0);
	pcache_truncate(ip, 0);

	if (bp != NULL) {
		u32 *table = (u32 *)bp->data;
		for (i = (int)NINDIRECT - 1; i >= 0 && room; i--) {
			bool had = table[i] != 0;
			room = free_slot(ip, &table[i], NDIRECT + (u32)i, &set);
			dirty |= had && table[i] == 0;
		}
		if (room)
			room =
			    free_slot(ip, &ip->addrs[NDIRECT], NDIRECT, &set);
		if (!room && dirty)
			log_write(bp);
		brelse(bp);
	} else if (ip->addrs[NDIRECT] != 0) {
		/* Outside the data area: bfree() reports it; just forget it. */
		ip->addrs[NDIRECT] = 0;
	}
	for (i = NDIRECT - 1; i >= 0 && room; i--)
		room = free_slot(ip, &ip->addrs[i], (u32)i, &set);
	if (room)
		ip->size = 0;
	iupdate(ip);
	return room;
}

void itrunc(struct inode *ip)
{
	while (!itrunc_step(ip))
		;
}

void itrunc_stepwise(struct inode *ip)
{
	bool done = false;

	while (!done) {
		begin_op();
		done = ilock(ip) != 0; /* unreadable: nothing to free */
		if (!done) {
			done = itrunc_step(ip);
			iunlock(ip);
		}
		end_op_noreap();
	}
}

/* Unlinked inodes whose blocks wait to be freed; each holds a reference. */
static struct {
	struct spinlock lock;
	struct inode *ip[NINODE];
	int n; /* guarded by lock; read without it as a hint */
} orphans = {.lock = SPINLOCK_INIT("orphans")};

void orphan_add(struct inode *ip)
{
	spin_lock(&orphans.lock);
	/* Each orphan holds an icache slot, so NINODE of them always fit. */
	if (orphans.n >= NINODE)
		panic("orphan_add: %d orphans", orphans.n);
	orphans.ip[orphans.n++] = ip;
	spin_unlock(&orphans.lock);
}

static struct inode *orphan_take(void)
{
	struct inode *ip = NULL;

	spin_lock(&orphans.lock);
	if (orphans.n > 0)
		ip = orphans.ip[--orphans.n];
	spin_unlock(&orphans.lock);
	return ip;
}

void orphans_reap(void)
{
	struct inode *ip;

	if (READ_ONCE(orphans.n) == 0)
		return;
	while ((ip = orphan_take()) != NULL) {
		itrunc_stepwise(ip);
		begin_op();
		if (ilock(ip) == 0) {
			ifree(ip); /* no blocks left: the dinode only */
			iunlock(ip);
		}
		iput(ip); /* valid is false now: just drops the reference */
		end_op_noreap();
	}
}
