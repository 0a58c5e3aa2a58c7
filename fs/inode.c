/*
 * Inodes: the in-memory cache and the operations on one inode's contents.
 *
 * An on-disk inode (struct dinode) is free when its type is 0. The cache
 * holds at most NINODE in-memory inodes; each is shared by everyone
 * referencing that inode number (ref counts them: open files, working
 * directories, path walks in progress). The fields copied from disk are
 * valid only while ip->valid, and are read and written under the inode's
 * sleeping lock. The life of an in-memory inode:
 *
 *   iget()     find or claim a slot (no disk access), ref + 1;
 *   ilock()    lock it, reading and checking the dinode on first use;
 *   iunlock()  unlock;
 *   iput()     ref - 1; the last reference to an inode with no links frees
 *              its blocks and its dinode (so iput() runs inside an op), or,
 *              when that is too much for one op, leaves it to end_op()
 *              as an orphan (fs/trunc.c).
 *
 * ialloc() hands out a free dinode only when no in-memory inode for that
 * number is referenced: iput() marks the dinode free while it still holds
 * the last reference, and a file built on that slot in the meantime would
 * carry the dying reference in its count and never be freed (see ialloc()).
 *
 * Every block number found in an inode is range-checked before use: a
 * corrupt inode makes the operation fail with -EUCLEAN and a message.
 */
#include <file.h>
#include <fs.h>
#include <mm.h>
#include <pagecache.h>
#include <addrspace.h>
#include <printk.h>
#include <string.h>
#include <uaccess.h>

static struct {
	struct spinlock lock; /* guards every inum and ref */
	struct inode inode[NINODE];
	bool ready;
} icache = {.lock = SPINLOCK_INIT("icache")};

#define MAXFILE_BYTES ((u32)MAXFILE * BSIZE)

/* Initialises the inode locks once. icache.lock held on entry and exit. */
static void icache_setup_locked(void)
{
	if (icache.ready)
		return;
	for (int i = 0; i < NINODE; i++)
		sleeplock_init(&icache.inode[i].lock, "inode");
	icache.ready = true;
}

void icache_init(void)
{
	spin_lock(&icache.lock);
	icache_setup_locked();
	spin_unlock(&icache.lock);
}

/*
 * Returns the referenced in-memory inode for inum, or NULL with *empty set
 * to the first unreferenced slot (NULL when every slot is in use). Caller
 * holds icache.lock.
 */
static struct inode *icache_find_locked(u32 inum, struct inode **empty)
{
	*empty = NULL;
	for (struct inode *ip = &icache.inode[0]; ip < &icache.inode[NINODE];
	     ip++) {
		if (ip->ref > 0 && ip->inum == inum)
			return ip;
		if (*empty == NULL && ip->ref == 0)
			*empty = ip;
	}
	return NULL;
}

/* Gives the unreferenced slot ip to inum. icache.lock held on entry and
 * exit. */
static void icache_claim_locked(struct inode *ip, u32 inum)
{
	ip->inum = inum;
	ip->ref = 1;
	ip->valid = false;
}

/*
 * Returns the in-memory inode for inum with one more reference, claiming
 * a free slot when it is not cached; NULL when all NINODE slots are in
 * use. Neither locks the inode nor reads the disk.
 */
struct inode *iget(u32 inum)
{
	struct inode *ip, *empty;

	spin_lock(&icache.lock);
	icache_setup_locked();
	ip = icache_find_locked(inum, &empty);
	if (ip != NULL) {
		ip->ref++;
	} else if (empty != NULL) {
		ip = empty;
		icache_claim_locked(ip, inum);
	}
	spin_unlock(&icache.lock);
	return ip;
}

/*
 * For ialloc(): claims a slot for inum, whose dinode is free, only when
 * no in-memory inode for inum is referenced. Returns it with ref 1, or
 * NULL with *err -EBUSY (inum is still referenced) or -ENFILE (no slot).
 */
static struct inode *iget_unreferenced(u32 inum, int *err)
{
	struct inode *ip = NULL, *busy, *empty;

	spin_lock(&icache.lock);
	icache_setup_locked();
	busy = icache_find_locked(inum, &empty);
	if (busy != NULL) {
		*err = -EBUSY;
	} else if (empty == NULL) {
		*err = -ENFILE;
	} else {
		ip = empty;
		icache_claim_locked(ip, inum);
		*err = 0;
	}
	spin_unlock(&icache.lock);
	return ip;
}

struct inode *idup(struct inode *ip)
{
	spin_lock(&icache.lock);
	ip->ref++;
	spin_unlock(&icache.lock);
	return ip;
}

/*
 * Claims a free dinode for a new file of type inside the caller's
 * operation. The new inode has no links yet; the caller sets nlink.
 * Returns 0 with *out referenced and unlocked, -ENOSPC when every inode
 * is in use, or -ENFILE when the inode cache is full.
 *
 * A free dinode whose in-memory inode is still referenced is skipped: it
 * is being freed. iput() writes type 0 while it holds the last reference
 * and drops that reference only after unlocking, so on another hart the
 * dinode can look free while the freeing process still counts in ref.
 * Handing it out then (as an iget() would, finding the cached inode)
 * leaves that stale reference in the new file's count. When the new file
 * is later unlinked, its real last iput() sees ref 2 and does not free
 * it; the freeing process's late decrement does not look again; the
 * unlinked inode and its blocks are lost for good. The dinode becomes
 * available again as soon as iput() has dropped its reference.
 */
int ialloc(short type, struct inode **out)
{
	for (u32 inum = ROOTINO; inum < sb.ninodes; inum++) {
		struct buf *bp = bread(IBLOCK(inum, sb));
		struct dinode *dip = (struct dinode *)bp->data + inum % IPB;
		struct inode *ip;
		int err;

		if (dip->type != 0) {
			brelse(bp);
			continue;
		}
		ip = iget_unreferenced(inum, &err);
		if (err == -EBUSY) {
			brelse(bp);
			continue;
		}
		if (ip == NULL) {
			brelse(bp);
			return err;
		}
		memset(dip, 0, sizeof(*dip));
		dip->type = type;
		log_write(bp);
		brelse(bp);
		*out = ip;
		return 0;
	}
	return -ENOSPC;
}

/* Copies the dinode into ip and checks it; 0 or -EUCLEAN. */
static int iread(struct inode *ip)
{
	struct buf *bp;
	const struct dinode *dip;

	if (ip->inum < ROOTINO || ip->inum >= sb.ninodes) {
		printk("fs: inode number %u out of range\n", ip->inum);
		return -EUCLEAN;
	}
	bp = bread(IBLOCK(ip->inum, sb));
	dip = (const struct dinode *)bp->data + ip->inum % IPB;
	ip->type = dip->type;
	ip->major = dip->major;
	ip->minor = dip->minor;
	ip->nlink = dip->nlink;
	ip->size = dip->size;
	memcpy(ip->addrs, dip->addrs, sizeof(ip->addrs));
	brelse(bp);

	if (ip->type != T_DIR && ip->type != T_FILE && ip->type != T_DEVICE) {
		printk("fs: inode %u is %s (type %d)\n", ip->inum,
		       ip->type == 0 ? "free" : "corrupt", ip->type);
		return -EUCLEAN;
	}
	if (ip->size > MAXFILE_BYTES || ip->nlink < 0) {
		printk("fs: inode %u is corrupt (size %u, nlink %d)\n",
		       ip->inum, ip->size, ip->nlink);
		return -EUCLEAN;
	}
	return 0;
}

int ilock(struct inode *ip)
{
	int err = 0;

	if (ip == NULL || ip->ref < 1)
		panic("ilock: inode not referenced");
	sleep_lock(&ip->lock);
	if (!ip->valid) {
		if (!fs_mounted)
			return -EIO;
		err = iread(ip);
		ip->valid = (err == 0);
	}
	return err;
}

void iunlock(struct inode *ip)
{
	if (ip == NULL || !sleep_holding(&ip->lock) || ip->ref < 1)
		panic("iunlock: inode not locked by this process");
	sleep_unlock(&ip->lock);
}

void iupdate(struct inode *ip)
{
	struct buf *bp = bread(IBLOCK(ip->inum, sb));
	struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;

	dip->type = ip->type;
	dip->major = ip->major;
	dip->minor = ip->minor;
	dip->nlink = ip->nlink;
	dip->size = ip->size;
	memcpy(dip->addrs, ip->addrs, sizeof(ip->addrs));
	log_write(bp);
	brelse(bp);
}

/*
 * Drops a reference. When it was the last and the inode has no links,
 * frees its blocks and the dinode; caller is inside an operation and does
 * not hold ip locked.
 */
void ifree(struct inode *ip)
{
	itrunc(ip);
	ip->type = 0;
	iupdate(ip);
	ip->valid = false;
}

void iput(struct inode *ip)
{
	spin_lock(&icache.lock);
	if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
		/* No directory names ip and ialloc() will not hand it out while
		 * we hold this reference: nobody else can reach ip, so this
		 * lock is uncontended. */
		spin_unlock(&icache.lock);
		sleep_lock(&ip->lock);
		if (!itrunc_fits_op(ip)) {
			/* Too many bitmap blocks for this operation: the
			 * orphan list takes our reference (fs/trunc.c). */
			sleep_unlock(&ip->lock);
			orphan_add(ip);
			return;
		}
		ifree(ip);
		sleep_unlock(&ip->lock);
		spin_lock(&icache.lock);
	}
	if (ip->ref < 1)
		panic("iput: inode %u ref %d < 1", ip->inum, ip->ref);
	if (ip->ref == 1) /* nothing maps it: its cached pages are clean */
		pcache_truncate(ip, 0);
	ip->ref--;
	spin_unlock(&icache.lock);
}

void iunlockput(struct inode *ip)
{
	iunlock(ip);
	iput(ip);
}

/* Checks a block number taken from inode ip; reports corruption. */
static int check_addr(struct inode *ip, u32 addr)
{
	if (block_in_data(addr))
		return 0;
	printk("fs: inode %u points at block %u outside the data area\n",
	       ip->inum, addr);
	return -EUCLEAN;
}

/* Makes *slot point at a block, allocating one if it is 0 and alloc. */
static int bmap_slot(struct inode *ip, u32 *slot, bool alloc, bool *changed)
{
	if (*slot == 0) {
		if (!alloc)
			return 0;
		*slot = balloc();
		if (*slot == 0)
			return -ENOSPC;
		*changed = true;
		return 0;
	}
	return check_addr(ip, *slot);
}

/*
 * Finds the disk block holding block bn of ip (locked), allocating it
 * (and the indirect block) when alloc, inside an operation. *out is 0 for
 * a hole when !alloc. Returns 0, -ENOSPC, -EFBIG or -EUCLEAN. A newly
 * allocated direct or indirect address reaches disk at the next iupdate().
 */
int bmap(struct inode *ip, u32 bn, bool alloc, u32 *out)
{
	bool changed = false;
	struct buf *bp;
	u32 *table;
	int err;

	*out = 0;
	if (bn < NDIRECT) {
		err = bmap_slot(ip, &ip->addrs[bn], alloc, &changed);
		*out = ip->addrs[bn];
		return err;
	}
	bn -= NDIRECT;
	if (bn >= NINDIRECT)
		return -EFBIG;
	err = bmap_slot(ip, &ip->addrs[NDIRECT], alloc, &changed);
	if (err != 0 || ip->addrs[NDIRECT] == 0)
		return err;
	bp = bread(ip->addrs[NDIRECT]);
	table = (u32 *)bp->data;
	changed = false;
	err = bmap_slot(ip, &table[bn], alloc, &changed);
	if (changed)
		log_write(bp);
	*out = table[bn];
	brelse(bp);
	return err;
}

void stati(struct inode *ip, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = ROOTDEV;
	st->ino = ip->inum;
	st->type = ip->type;
	st->nlink = ip->nlink;
	st->size = ip->size;
}

/* Copies n bytes to a user or kernel destination; 0 or -EFAULT. */
static int copy_out(bool user, u64 dst, const void *src, size_t n)
{
	if (user)
		return copy_to_user(dst, src, n);
	memcpy((void *)dst, src, n);
	return 0;
}

static int copy_in(bool user, void *dst, u64 src, size_t n)
{
	if (user)
		return copy_from_user(dst, src, n);
	memcpy(dst, (const void *)src, n);
	return 0;
}

static const u8 zero_block[BSIZE];

ssize_t readi(struct inode *ip, bool user, u64 dst, u32 off, u32 n)
{
	struct page *pg;
	u32 tot, m, addr;
	int err = 0;

	if (off > ip->size || off + n < off)
		return 0;
	if (off + n > ip->size)
		n = ip->size - off;
	for (tot = 0; tot < n; tot += m, off += m, dst += m) {
		m = MIN(n - tot, BSIZE - off % BSIZE);
		err = bmap(ip, off / BSIZE, false, &addr);
		if (err != 0)
			break;
		pg = pcache_find(ip, off / PAGE_SIZE);
		if (pg) { /* newer than the disk: stores through mappings */
			err = copy_out(user, dst,
				       (u8 *)page_address(pg) + off % PAGE_SIZE,
				       m);
			page_put(pg);
		} else if (addr == 0) {
			err = copy_out(user, dst, zero_block, m);
		} else {
			struct buf *bp = bread(addr);
			err = copy_out(user, dst, bp->data + off % BSIZE, m);
			brelse(bp);
		}
		if (err != 0)
			break;
	}
	return tot > 0 ? (ssize_t)tot : err;
}

/*
 * Writes inside the caller's operation. Stops at the first failure
 * (disk full, bad user address, corrupt inode) keeping what was written
 * before it; returns the bytes written, or -errno when none were.
 */
ssize_t writei(struct inode *ip, bool user, u64 src, u32 off, u32 n)
{
	u32 tot, m, addr;
	int err = 0;

	if (off > ip->size || off + n < off)
		return -EINVAL;
	if ((u64)off + n > MAXFILE_BYTES)
		return -EFBIG;
	for (tot = 0; tot < n; tot += m, off += m, src += m) {
		m = MIN(n - tot, BSIZE - off % BSIZE);
		err = bmap(ip, off / BSIZE, true, &addr);
		if (err != 0)
			break;
		struct buf *bp = bread(addr);
		struct page *pg;
		err = copy_in(user, bp->data + off % BSIZE, src, m);
		pg = pcache_find(ip, off / PAGE_SIZE);
		if (pg) { /* every mapping sees the write at once */
			memcpy((u8 *)page_address(pg) + off % PAGE_SIZE,
			       bp->data + off % BSIZE, m);
			page_put(pg);
		}
		/* A copy that faulted half way still changed the buffer: log it,
		 * or the cache and the disk would disagree. */
		log_write(bp);
		brelse(bp);
		if (err != 0)
			break;
	}
	if (off > ip->size)
		ip->size = off;
	/* bmap() may have changed addrs[] even when the size did not grow. */
	iupdate(ip);
	return tot > 0 ? (ssize_t)tot : err;
}

struct inode *icache_inode(int i)
{
	return &icache.inode[i];
}

int icache_busy_count(void)
{
	int n = 0;

	spin_lock(&icache.lock);
	for (int i = 0; i < NINODE; i++)
		if (icache.inode[i].ref > 0)
			n++;
	spin_unlock(&icache.lock);
	return n;
}

u32 fs_count_free_inodes(void)
{
	u32 nfree = 0;

	if (!fs_mounted)
		return 0;
	for (u32 inum = ROOTINO; inum < sb.ninodes; inum++) {
		struct buf *bp = bread(IBLOCK(inum, sb));
		const struct dinode *dip =
		    (const struct dinode *)bp->data + inum % IPB;
		if (dip->type == 0)
			nfree++;
		brelse(bp);
	}
	return nfree;
}

/* ---- hooks for the exec loader (include/file.h) ---- */

void inode_lock(struct inode *ip)
{
	/* A failure leaves ip->valid false, which inode_is_file() reports. */
	(void)ilock(ip);
}

void inode_unlock_put(struct inode *ip)
{
	iunlockput(ip);
}

bool inode_is_file(struct inode *ip)
{
	return ip->valid && ip->type == T_FILE;
}

ssize_t inode_read_kernel(struct inode *ip, void *dst, u64 off, size_t n)
{
	if (!ip->valid)
		return -EUCLEAN;
	if (off > ip->size || n > MAXFILE_BYTES)
		return 0;
	return readi(ip, false, (u64)dst, (u32)off, (u32)n);
}
