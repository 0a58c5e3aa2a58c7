/*
 * Directories. A directory is an inode of type T_DIR whose contents are
 * an array of struct dirent; inum 0 marks a free slot. Every directory
 * starts with "." (itself) and ".." (its parent; the root's is itself).
 * Names are at most DIRSIZ characters: longer ones are cut to DIRSIZ when
 * a path is split (path_next), exactly like xv6, so "a/longer_than_14_chars"
 * names the entry with the first 14.
 *
 * All functions here take dp locked by the caller.
 */
#include <fs.h>
#include <printk.h>
#include <string.h>

bool name_eq(const char *a, const char *b)
{
	return strncmp(a, b, DIRSIZ) == 0;
}

typedef int (*dir_visit_fn)(const struct dirent *de, u32 off, void *arg);

/*
 * Calls visit for every slot of dp in order, a block at a time, until it
 * returns nonzero; returns that value, 0 at the end, or -errno when the
 * directory is corrupt.
 */
static int dir_walk(struct inode *dp, dir_visit_fn visit, void *arg)
{
	if (dp->type != T_DIR)
		panic("dir_walk: inode %u is not a directory", dp->inum);
	if (dp->size % sizeof(struct dirent) != 0) {
		printk("fs: directory %u has a partial entry\n", dp->inum);
		return -EUCLEAN;
	}
	for (u32 off = 0; off < dp->size; off += BSIZE) {
		u32 addr, end = MIN((u32)BSIZE, dp->size - off);
		int r = bmap(dp, off / BSIZE, false, &addr);

		if (r != 0)
			return r;
		if (addr == 0)
			continue; /* a hole reads as free slots */
		struct buf *bp = bread(addr);
		for (u32 i = 0; i < end; i += sizeof(struct dirent)) {
			r = visit((const struct dirent *)(bp->data + i),
				  off + i, arg);
			if (r != 0)
				break;
		}
		brelse(bp);
		if (r != 0)
			return r;
	}
	return 0;
}

struct lookup {
	const char *name;
	u32 inum;
	u32 off;
};

static int lookup_visit(const struct dirent *de, u32 off, void *arg)
{
	struct lookup *lk = arg;

	if (de->inum == 0 || !name_eq(lk->name, de->name))
		return 0;
	lk->inum = de->inum;
	lk->off = off;
	return 1;
}

struct inode *dirlookup(struct inode *dp, const char *name, u32 *poff, int *err)
{
	struct lookup lk = {.name = name};
	struct inode *ip;
	int r;

	/* A removed directory (still someone's cwd) has no entries left that
	 * mean anything: its ".." may name an inode freed since. */
	if (dp->nlink == 0) {
		*err = -ENOENT;
		return NULL;
	}
	r = dir_walk(dp, lookup_visit, &lk);
	if (r <= 0) {
		*err = r < 0 ? r : -ENOENT;
		return NULL;
	}
	if (lk.inum >= sb.ninodes) {
		printk("fs: directory %u names inode %u, beyond %u\n", dp->inum,
		       lk.inum, sb.ninodes);
		*err = -EUCLEAN;
		return NULL;
	}
	ip = iget(lk.inum);
	if (ip == NULL) {
		*err = -ENFILE;
		return NULL;
	}
	if (poff != NULL)
		*poff = lk.off;
	*err = 0;
	return ip;
}

static int free_slot_visit(const struct dirent *de, u32 off, void *arg)
{
	if (de->inum != 0)
		return 0;
	*(u32 *)arg = off;
	return 1;
}

int dirlink(struct inode *dp, const char *name, u32 inum)
{
	struct dirent de;
	struct inode *ip;
	u32 off = dp->size;
	int err;

	ip = dirlookup(dp, name, NULL, &err);
	if (ip != NULL) {
		iput(ip);
		return -EEXIST;
	}
	if (err != -ENOENT)
		return err;
	err = dir_walk(dp, free_slot_visit, &off);
	if (err < 0)
		return err;
	memset(&de, 0, sizeof(de));
	strncpy(de.name, name, DIRSIZ);
	de.inum = (unsigned short)inum;
	ssize_t n = writei(dp, false, (u64)&de, off, sizeof(de));
	if (n == sizeof(de))
		return 0;
	return n < 0 ? (int)n : -ENOSPC;
}

static int busy_visit(const struct dirent *de, u32 off, void *arg)
{
	return off >= 2 * sizeof(*de) && de->inum != 0;
}

int dir_is_empty(struct inode *dp)
{
	int r = dir_walk(dp, busy_visit, NULL);

	if (r < 0)
		return r;
	return r == 0;
}
