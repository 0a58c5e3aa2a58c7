/*
 * File-system self tests.
 *
 * The fs_pure_* tests need no disk and run wherever ktests run. The
 * fs_disk_* tests work on the mounted root file system and need process
 * context (disk I/O and sleeping locks may sleep): when ktests run before
 * the first process has mounted the root they report "skipped" and pass;
 * run them again with the filter "fs_disk" from process context (after
 * fs_init()) to exercise them. The user programs in tests/fs/ cover the
 * same ground through the system calls.
 *
 * Every disk test checks that free blocks, free inodes, busy buffers and
 * cached inodes return to their values before the test.
 */
#include <fs.h>
#include <ktest.h>
#include <mm.h>
#include <printk.h>
#include <proc.h>
#include <string.h>

KTEST(fs_pure_layout)
{
	KT_EQ(sizeof(struct dinode), 64);
	KT_EQ(BSIZE % sizeof(struct dinode), 0);
	KT_EQ(sizeof(struct dirent), 16);
	KT_ASSERT(sizeof(struct logheader) <= BSIZE);
	KT_ASSERT(FS_LOG_MAX >= LOGBLOCKS);
	KT_EQ(MAXFILE, 12 + 256);
	KT_EQ(sizeof(struct stat), 24);
	KT_EQ(BCACHE_NBUF, NBUF + LOGBLOCKS);
}

KTEST(fs_pure_path_next)
{
	char name[NAME_BUF];
	const char *p = "//ab/c//def/";

	p = path_next(p, name);
	KT_ASSERT(p != NULL && strcmp(name, "ab") == 0);
	p = path_next(p, name);
	KT_ASSERT(p != NULL && strcmp(name, "c") == 0);
	p = path_next(p, name);
	KT_ASSERT(p != NULL && strcmp(name, "def") == 0 && *p == '\0');
	KT_ASSERT(path_next(p, name) == NULL);
	KT_ASSERT(path_next("///", name) == NULL);
	KT_ASSERT(path_next("", name) == NULL);
	/* Components longer than DIRSIZ are cut, like xv6. */
	p = path_next("abcdefghijklmnopqrs/x", name);
	KT_ASSERT(p != NULL && strcmp(name, "abcdefghijklmn") == 0);
	KT_ASSERT(strcmp(p, "x") == 0);
	KT_ASSERT(name_eq("abcdefghijklmn", "abcdefghijklmnXYZ"));
	KT_ASSERT(!name_eq("abc", "abd"));
}

/* A superblock laid out like mkfs does for an image of size blocks. */
static struct superblock good_sb(u32 size)
{
	struct superblock s = {
	    .magic = FSMAGIC,
	    .size = size,
	    .ninodes = 200,
	    .nlog = LOGBLOCKS + 1,
	    .logstart = 2,
	};
	u32 inodeblocks = s.ninodes / IPB + 1, bitmap = size / BPB + 1;

	s.inodestart = s.logstart + s.nlog;
	s.bmapstart = s.inodestart + inodeblocks;
	s.nblocks = size - (s.bmapstart + bitmap);
	return s;
}

KTEST(fs_pure_sb_check)
{
	struct superblock s = good_sb(FSSIZE);

	KT_ASSERT(sb_check(&s, FSSIZE) == NULL);
	KT_ASSERT(sb_check(&s, FSSIZE - 1) != NULL); /* device too small */
	s.magic ^= 1;
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
	s = good_sb(FSSIZE);
	s.nlog = 3;
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
	s = good_sb(FSSIZE);
	s.ninodes = 100000;
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
	s = good_sb(FSSIZE);
	s.bmapstart = s.inodestart + 1; /* inodes overlap the bitmap */
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
	s = good_sb(FSSIZE);
	s.nblocks = s.size; /* data would cover the metadata */
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
	s = good_sb(FSSIZE);
	s.nblocks = 0;
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
	s = good_sb(FSSIZE);
	s.inodestart = 0xfffffff0u; /* must not wrap around */
	KT_ASSERT(sb_check(&s, FSSIZE) != NULL);
}

KTEST(fs_pure_log_header_check)
{
	struct superblock s = good_sb(FSSIZE);
	static struct logheader lh;

	memset(&lh, 0, sizeof(lh));
	KT_ASSERT(log_header_check(&lh, &s) == NULL);
	lh.n = 2;
	lh.block[0] = (int)s.inodestart;
	lh.block[1] = (int)s.size - 1;
	KT_ASSERT(log_header_check(&lh, &s) == NULL);
	lh.block[1] = (int)s.size;
	KT_ASSERT(log_header_check(&lh, &s) != NULL);
	lh.block[1] = (int)s.logstart + 1; /* inside the log itself */
	KT_ASSERT(log_header_check(&lh, &s) != NULL);
	lh.block[1] = (int)s.inodestart;
	lh.n = -1;
	KT_ASSERT(log_header_check(&lh, &s) != NULL);
	lh.n = (int)s.nlog;
	KT_ASSERT(log_header_check(&lh, &s) != NULL);
}

/* ---- tests on the mounted root ---- */

struct fs_counts {
	u32 free_blocks;
	u32 root_blocks; /* the root directory grows and never shrinks */
	u32 free_inodes;
	int busy_bufs;
	int busy_inodes;
};

/* Blocks the root directory holds (its size; directories have no holes). */
static u32 root_dir_blocks(void)
{
	struct inode *ip;
	u32 n = 0;

	if (path_lookup("/", &ip) != 0)
		return 0;
	if (ilock(ip) == 0) {
		n = (ip->size + BSIZE - 1) / BSIZE;
		iunlock(ip);
	}
	begin_op();
	iput(ip);
	end_op();
	return n;
}

static struct fs_counts counts(void)
{
	return (struct fs_counts){
	    .root_blocks = root_dir_blocks(),
	    .free_blocks = fs_count_free_blocks(),
	    .free_inodes = fs_count_free_inodes(),
	    .busy_bufs = bcache_busy_count(),
	    .busy_inodes = icache_busy_count(),
	};
}

/* Fails test t unless nothing leaked since before was taken. */
static void counts_unchanged(struct ktest *t, struct fs_counts before)
{
	struct fs_counts after = counts();

	/* A test's new names may have filled the root's last block (which
	 * one does depends on how many programs the image holds). */
	KT_EQ(after.free_blocks + after.root_blocks,
	      before.free_blocks + before.root_blocks);
	KT_EQ(after.free_inodes, before.free_inodes);
	KT_EQ(after.busy_bufs, before.busy_bufs);
	KT_EQ(after.busy_inodes, before.busy_inodes);
}

/* True (and a note printed) when disk tests cannot run here. */
static bool disk_tests_skipped(void)
{
	if (fs_mounted && current() != NULL)
		return false;
	printk("# skipped: needs a mounted root and process context\n");
	return true;
}

/* Creates path and writes n bytes of buf to it. */
static int make_file(const char *path, const void *buf, u32 n)
{
	struct inode *ip;
	ssize_t w = 0;
	int err;

	begin_op();
	err = fs_create(path, T_FILE, 0, 0, &ip);
	if (err == 0) {
		w = writei(ip, false, (u64)buf, 0, n);
		iunlockput(ip);
	}
	end_op();
	if (err != 0)
		return err;
	return w == (ssize_t)n ? 0 : -EIO;
}

static int rm_path(const char *path)
{
	int err;

	begin_op();
	err = fs_unlink(path);
	end_op();
	return err;
}

KTEST(fs_disk_file_roundtrip)
{
	struct fs_counts before;
	u8 *out, *in;
	struct inode *ip;
	ssize_t r;

	if (disk_tests_skipped())
		return;
	out = kalloc_page();
	in = kalloc_page();
	KT_ASSERT(out != NULL && in != NULL);
	for (u64 i = 0; i < PAGE_SIZE; i++)
		out[i] = (u8)(i * 7 + 3);
	before = counts();
	KT_EQ(make_file("/kt_file", out, 3000), 0);
	KT_ASSERT(fs_count_free_blocks() + root_dir_blocks() ==
		  before.free_blocks + before.root_blocks - 3);
	KT_EQ(path_lookup("/kt_file", &ip), 0);
	KT_EQ(ilock(ip), 0);
	KT_EQ(ip->size, 3000);
	r = readi(ip, false, (u64)in, 0, PAGE_SIZE);
	KT_EQ(r, 3000);
	KT_EQ(memcmp(in, out, 3000), 0);
	KT_EQ(readi(ip, false, (u64)in, 3000, 10), 0);
	iunlock(ip);
	begin_op();
	iput(ip);
	end_op();
	KT_EQ(rm_path("/kt_file"), 0);
	KT_EQ(rm_path("/kt_file"), -ENOENT);
	counts_unchanged(t, before);
	kfree_page(out);
	kfree_page(in);
}

KTEST(fs_disk_directories)
{
	struct fs_counts before;
	struct inode *ip;
	char path[32];

	if (disk_tests_skipped())
		return;
	before = counts();
	begin_op();
	KT_EQ(fs_create("/kt_dir", T_DIR, 0, 0, &ip), 0);
	KT_EQ(ip->nlink, 1);
	iunlockput(ip);
	KT_EQ(fs_create("/kt_dir", T_DIR, 0, 0, &ip), -EEXIST);
	end_op();
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/kt_dir/f%d", i);
		KT_EQ(make_file(path, "x", 1), 0);
	}
	KT_EQ(rm_path("/kt_dir"), -ENOTEMPTY);
	KT_EQ(rm_path("/kt_dir/."), -EINVAL);
	KT_EQ(rm_path("/kt_dir/.."), -EINVAL);
	KT_EQ(make_file("/kt_dir/f5/x", "x", 1), -ENOTDIR);
	KT_EQ(make_file("/kt_nodir/x", "x", 1), -ENOENT);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/kt_dir/f%d", i);
		KT_EQ(rm_path(path), 0);
	}
	KT_EQ(rm_path("/kt_dir"), 0);
	counts_unchanged(t, before);
}

/*
 * ialloc() must not hand out an inode that iput() is still freeing. iput()
 * writes the free dinode before it drops the last in-memory reference;
 * another hart's ialloc() in that window used to return the same cached
 * inode, whose stale extra reference later stopped its last iput() from
 * freeing it (the fsconc leak). The window is rebuilt here by hand: the
 * dinode is freed with iput()'s own ifree() while this test keeps the
 * reference, and the next ialloc() must pick another inode.
 */
KTEST(fs_disk_ialloc_skips_inode_being_freed)
{
	struct fs_counts before;
	struct inode *dying, *fresh = NULL;
	u32 dying_inum = 0;
	int err;

	if (disk_tests_skipped())
		return;
	before = counts();
	begin_op();
	err = ialloc(T_FILE, &dying);
	if (err == 0) {
		dying_inum = dying->inum;
		ilock(dying);
		ifree(dying);
		iunlock(dying);
		/* The lowest free inode is dying's: ialloc() must skip it. */
		err = ialloc(T_FILE, &fresh);
		if (err == 0) {
			/* A new inode has nlink 0: the last iput() frees it. */
			ilock(fresh);
			iunlockput(fresh);
		}
		iput(dying);
	}
	end_op();
	KT_EQ(err, 0);
	KT_ASSERT(fresh != dying && fresh->inum != dying_inum);
	counts_unchanged(t, before);
}

KTEST(fs_disk_maxfile)
{
	struct fs_counts before, after;
	struct inode *ip;
	u8 *page;
	ssize_t w = 0;

	if (disk_tests_skipped())
		return;
	page = kalloc_page();
	KT_ASSERT(page != NULL);
	before = counts();
	KT_EQ(make_file("/kt_big", page, 0), 0);
	KT_EQ(path_lookup("/kt_big", &ip), 0);
	/* Grow to MAXFILE in log-sized pieces, then one byte more fails. */
	for (u32 off = 0; off < MAXFILE * BSIZE; off += 2 * BSIZE) {
		begin_op();
		ilock(ip);
		w = writei(ip, false, (u64)page, off, 2 * BSIZE);
		iunlock(ip);
		end_op();
		if (w != 2 * BSIZE)
			break;
	}
	KT_EQ(w, 2 * BSIZE);
	begin_op();
	ilock(ip);
	KT_EQ(ip->size, MAXFILE * BSIZE);
	w = writei(ip, false, (u64)page, MAXFILE * BSIZE, 1);
	iunlockput(ip);
	end_op();
	KT_EQ(w, -EFBIG);
	KT_EQ(rm_path("/kt_big"), 0);
	after = counts();
	/* A test's new names may have filled the root's last block (which
	 * one does depends on how many programs the image holds). */
	KT_EQ(after.free_blocks + after.root_blocks,
	      before.free_blocks + before.root_blocks);
	KT_EQ(after.free_inodes, before.free_inodes);
	kfree_page(page);
}

/* Finds a free inode number (for a dangling directory entry), or 0. */
static u32 some_free_inum(void)
{
	for (u32 inum = sb.ninodes - 1; inum > ROOTINO; inum--) {
		struct buf *bp = bread(IBLOCK(inum, sb));
		short type = ((struct dinode *)bp->data + inum % IPB)->type;
		brelse(bp);
		if (type == 0)
			return inum;
	}
	return 0;
}

/*
 * Corruption is reported, not followed: a block address outside the data
 * area and directory entries naming out-of-range or free inodes make the
 * operation fail with -EUCLEAN. The damage is repaired afterwards.
 */
KTEST(fs_disk_corruption)
{
	struct fs_counts before;
	struct inode *ip, *dp;
	struct dirent de;
	u32 saved, ghost;
	char byte;

	if (disk_tests_skipped())
		return;
	before = counts();
	KT_EQ(make_file("/kt_bad", "x", 1), 0);
	KT_EQ(path_lookup("/kt_bad", &ip), 0);
	KT_EQ(ilock(ip), 0);
	saved = ip->addrs[0];
	ip->addrs[0] = sb.logstart; /* in memory only: never written back */
	KT_EQ(readi(ip, false, (u64)&byte, 0, 1), -EUCLEAN);
	ip->addrs[0] = saved;
	KT_EQ(readi(ip, false, (u64)&byte, 0, 1), 1);
	iunlock(ip);
	begin_op();
	iput(ip);
	end_op();
	KT_EQ(rm_path("/kt_bad"), 0);

	ghost = some_free_inum();
	KT_ASSERT(ghost != 0);
	begin_op();
	KT_EQ(fs_create("/kt_cd", T_DIR, 0, 0, &dp), 0);
	KT_EQ(dirlink(dp, "huge", sb.ninodes + 1), 0);
	KT_EQ(dirlink(dp, "ghost", ghost), 0);
	iunlock(dp);
	end_op();
	KT_EQ(path_lookup("/kt_cd/huge", &ip), -EUCLEAN);
	/* The walk hands out the free inode; locking it finds the damage. */
	KT_EQ(path_lookup("/kt_cd/ghost", &ip), 0);
	KT_EQ(ilock(ip), -EUCLEAN);
	begin_op();
	iunlockput(ip);
	end_op();
	KT_EQ(rm_path("/kt_cd/ghost"), -EUCLEAN);
	/* Repair: clear both entries (slots 2 and 3), then remove the dir. */
	memset(&de, 0, sizeof(de));
	begin_op();
	ilock(dp);
	KT_EQ(writei(dp, false, (u64)&de, 2 * sizeof(de), sizeof(de)),
	      sizeof(de));
	KT_EQ(writei(dp, false, (u64)&de, 3 * sizeof(de), sizeof(de)),
	      sizeof(de));
	iunlockput(dp);
	end_op();
	KT_EQ(rm_path("/kt_cd"), 0);
	counts_unchanged(t, before);
}
