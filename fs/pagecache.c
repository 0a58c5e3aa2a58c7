/*
 * The page cache: a file's contents in 4 KiB pages, for mmap.
 *
 * Each in-memory inode has a small array of page pointers, one slot per
 * 4 KiB of the largest file (PCACHE_PAGES), guarded by one spinlock
 * (pcache_lock) for all inodes, so that the fault dispatcher can look a
 * page up while it holds an mm->lock. A cached page is an ordinary page:
 * the cache owns one reference, and every PTE that maps it owns one more
 * (mm/fault.c installs them). A page's refcount is therefore 1 exactly
 * when nothing but the cache uses it.
 *
 * Filling. Pages arrive on the first fault that needs them (pcache_fill()):
 * the block map is read under the inode's lock, the blocks through the
 * buffer cache, holes and the bytes past end of file read as zeros. Nothing
 * is read at mmap time, so a write() between mmap and the first touch is
 * seen. Filling sleeps, so the fault path drops its mm->lock around it.
 *
 * Coherence with read() and write(), both ways, without routing every
 * read() through the cache: readi() takes bytes from the cached page when
 * there is one (which holds the stores made through shared mappings) and
 * from the buffer cache otherwise; writei() writes the blocks through the
 * log as always and also copies the bytes into the cached page if there is
 * one, so every mapping sees a write() at once. Both hold the inode's lock.
 *
 * Writeback. A page of a file is written only from a writable shared
 * mapping, so the mm code writes back the pages such mappings have mapped
 * writable when they are msync'd, unmapped, or their process exits or
 * execs (mm_writeback() in mm/mmap.c). pcache_writeback() writes one page
 * in one log transaction: its four blocks (only those inside the file),
 * maybe an indirect block and a bitmap block for a hole, the inode. The
 * file never grows through a mapping. Since every writable mapper writes
 * back before its PTE goes, a page that only the cache holds is clean.
 *
 * Freeing. Clean pages that nothing maps (refcount 1) are given back by
 * pcache_reclaim() when the page allocator runs out, before it fails; all
 * of an inode's pages go when its last in-memory reference does (iput())
 * -- a mapping holds a reference, so the pages of an unlinked but mapped
 * file stay until the last munmap -- and truncation drops the pages past
 * the new end (pcache_truncate()). A page dropped while still mapped is
 * freed by its last unmap.
 */
#include <fs.h>
#include <mm.h>
#include <pagecache.h>
#include <printk.h>
#include <spinlock.h>
#include <string.h>

static struct spinlock pcache_lock = SPINLOCK_INIT("pcache");
static u64 nr_cached;	  /* pages in every inode's array; pcache_lock */
static u64 nr_writebacks; /* atomic */

#define BLOCKS_PER_PAGE (PAGE_SIZE / BSIZE)

struct page *pcache_find(struct inode *ip, u64 idx)
{
	struct page *pg = NULL;

	if (idx >= PCACHE_PAGES)
		return NULL;
	spin_lock(&pcache_lock);
	pg = ip->pcache[idx];
	if (pg)
		page_get(pg);
	spin_unlock(&pcache_lock);
	return pg;
}

/*
 * Reads page idx of ip (locked) into the zeroed page at dst: each block
 * inside the file, holes and the tail past end of file left zero. 0 or
 * -errno.
 */
static int read_page(struct inode *ip, u64 idx, u8 *dst)
{
	u64 pos = idx * PAGE_SIZE;
	int b, err = 0;

	for (b = 0; b < (int)BLOCKS_PER_PAGE && pos < ip->size && !err;
	     b++, pos += BSIZE) {
		u32 addr, n = MIN((u32)BSIZE, ip->size - (u32)pos);
		struct buf *bp;

		err = bmap(ip, (u32)(pos / BSIZE), false, &addr);
		if (err || addr == 0)
			continue;
		bp = bread(addr);
		memcpy(dst + b * BSIZE, bp->data, n);
		brelse(bp);
	}
	return err;
}

int pcache_fill(struct inode *ip, u64 idx)
{
	struct page *pg = NULL;
	int err;

	if (sleep_holding(&ip->lock))
		return -EDEADLK;
	err = ilock(ip);
	if (!err && (idx >= PCACHE_PAGES || idx * PAGE_SIZE >= ip->size))
		err = -ERANGE;
	if (!err && !ip->pcache[idx]) { /* only filled under ip->lock */
		/* A kernel page while it is read in (the read sleeps): to
		 * kcheck, a user page nobody maps or caches would be leaked. */
		pg = alloc_page(GFP_ZERO);
		if (pg)
			pg->flags |= PG_KERNEL;
		err = pg ? read_page(ip, idx, page_address(pg)) : -ENOMEM;
	}
	if (!err && pg) {
		spin_lock(&pcache_lock);
		pg->flags &= ~PG_KERNEL;
		ip->pcache[idx] = pg;
		nr_cached++;
		spin_unlock(&pcache_lock);
		pg = NULL;
	}
	iunlock(ip);
	if (pg)
		page_put(pg);
	return err;
}

/* Writes the bytes of src inside the file at page idx; ip locked, inside
 * an operation. 0 or -errno. */
static int write_page(struct inode *ip, u64 idx, const u8 *src)
{
	u64 pos = idx * PAGE_SIZE;
	int b, err = 0;

	for (b = 0; b < (int)BLOCKS_PER_PAGE && pos < ip->size && !err;
	     b++, pos += BSIZE) {
		u32 addr, n = MIN((u32)BSIZE, ip->size - (u32)pos);
		struct buf *bp;

		err = bmap(ip, (u32)(pos / BSIZE), true, &addr);
		if (err)
			break;
		bp = bread(addr);
		memcpy(bp->data, src + b * BSIZE, n);
		log_write(bp);
		brelse(bp);
	}
	iupdate(ip); /* bmap() may have filled a hole */
	return err;
}

int pcache_writeback(struct inode *ip, u64 idx)
{
	struct page *pg;
	int err;

	begin_op();
	err = ilock(ip);
	/* Under ip's lock the page stays cached: truncation needs the lock,
	 * and reclaim takes only pages nothing maps (the caller maps it). */
	spin_lock(&pcache_lock);
	pg = idx < PCACHE_PAGES ? ip->pcache[idx] : NULL;
	spin_unlock(&pcache_lock);
	if (!err && pg)
		err = write_page(ip, idx, page_address(pg));
	iunlock(ip);
	end_op();
	__atomic_add_fetch(&nr_writebacks, 1, __ATOMIC_RELAXED);
	return err;
}

void pcache_truncate(struct inode *ip, u64 size)
{
	u64 idx;

	spin_lock(&pcache_lock);
	for (idx = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE; idx < PCACHE_PAGES;
	     idx++) {
		struct page *pg = ip->pcache[idx];

		if (!pg)
			continue;
		ip->pcache[idx] = NULL;
		nr_cached--;
		page_put(pg); /* a mapper may still hold it */
	}
	spin_unlock(&pcache_lock);
}

u64 pcache_reclaim(void)
{
	u64 freed = 0;
	u64 idx;
	int i;

	spin_lock(&pcache_lock);
	for (i = 0; i < NINODE && nr_cached; i++) {
		struct inode *ip = icache_inode(i);

		for (idx = 0; idx < PCACHE_PAGES; idx++) {
			struct page *pg = ip->pcache[idx];

			/* Stable: a new reference comes only from a lookup
			 * under this lock, or from a PTE, which has one. */
			if (!pg || page_refcount(pg) != 1)
				continue;
			ip->pcache[idx] = NULL;
			nr_cached--;
			page_put(pg);
			freed++;
		}
	}
	spin_unlock(&pcache_lock);
	return freed;
}

int pcache_walk(int (*fn)(struct page *pg, void *arg), void *arg)
{
	u64 idx;
	int i, sum = 0;

	spin_lock(&pcache_lock);
	for (i = 0; i < NINODE; i++) {
		struct inode *ip = icache_inode(i);

		for (idx = 0; idx < PCACHE_PAGES; idx++)
			if (ip->pcache[idx])
				sum += fn(ip->pcache[idx], arg);
	}
	spin_unlock(&pcache_lock);
	return sum;
}

u64 pcache_pages(void)
{
	return READ_ONCE(nr_cached);
}

u64 pcache_writebacks(void)
{
	return __atomic_load_n(&nr_writebacks, __ATOMIC_RELAXED);
}
