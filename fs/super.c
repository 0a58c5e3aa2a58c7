/*
 * The superblock and mounting the root file system.
 *
 * fs_init() reads block 1 of the root device, checks every field against
 * the device size and against each other (so that later block and inode
 * numbers can be range-checked against it), recovers the log and checks
 * that the root inode is a directory. A bad image is refused with a
 * message; fs_mounted stays false and every file operation then fails
 * with -EIO instead of touching the disk.
 */
#include <blkdev.h>
#include <file.h>
#include <fs.h>
#include <platform.h>
#include <printk.h>
#include <string.h>

struct superblock sb;
bool fs_mounted;

u32 sb_datastart(const struct superblock *s)
{
	return s->size - s->nblocks;
}

static u64 div_round_up(u64 a, u64 b)
{
	return (a + b - 1) / b;
}

/*
 * Returns NULL when s describes a usable layout on a device of devblocks
 * blocks, else a sentence saying what is wrong. 64-bit arithmetic keeps
 * hostile values from wrapping around.
 */
const char *sb_check(const struct superblock *s, u64 devblocks)
{
	u64 inode_end, bitmap_end;

	if (s->magic != FSMAGIC)
		return "bad magic number";
	if (s->size > devblocks)
		return "file system larger than the device";
	if (s->logstart < 2 || s->nlog < LOGBLOCKS + 1 ||
	    (u64)s->logstart + s->nlog > s->inodestart)
		return "bad log area";
	if (s->ninodes < ROOTINO + 1 || s->ninodes > 65536)
		return "bad inode count";
	inode_end = s->inodestart + div_round_up(s->ninodes, IPB);
	if (inode_end > s->bmapstart)
		return "inode area overlaps the bitmap";
	bitmap_end = s->bmapstart + div_round_up(s->size, BPB);
	if (s->nblocks == 0 || s->nblocks >= s->size ||
	    bitmap_end > sb_datastart(s))
		return "bad data block count";
	return NULL;
}

/*
 * Parses the file-system options of the kernel command line:
 *   fs.crash=N        simulate a crash during the Nth non-empty commit
 *   fs.crash_at=P     where: logged, committed (default) or install
 */
void fs_parse_cmdline(const char *args)
{
	enum fs_crash_point point = FS_CRASH_COMMITTED;
	int commit = 0;

	for (const char *p = args; p != NULL && *p != '\0';) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "fs.crash=", 9) == 0) {
			commit = 0;
			for (p += 9; *p >= '0' && *p <= '9'; p++)
				commit = commit * 10 + (*p - '0');
		} else if (strncmp(p, "fs.crash_at=logged", 18) == 0) {
			point = FS_CRASH_LOGGED;
		} else if (strncmp(p, "fs.crash_at=install", 19) == 0) {
			point = FS_CRASH_INSTALL;
		}
		while (*p != '\0' && *p != ' ')
			p++;
	}
	if (commit > 0) {
		printk("fs: will simulate a crash at commit %d (point %d)\n",
		       commit, point);
		log_set_crash(point, commit);
	}
}

/* Reads and checks the superblock; 0 or -EUCLEAN. */
static int read_super(struct blkdev *dev)
{
	struct superblock tmp;
	const char *why;
	struct buf *b = bread(1);

	memcpy(&tmp, b->data, sizeof(tmp));
	brelse(b);
	why = sb_check(&tmp, dev->nsectors / (BSIZE / SECTOR_SIZE));
	if (why != NULL) {
		printk("fs: refusing to mount %s: %s\n", dev->name, why);
		return -EUCLEAN;
	}
	sb = tmp;
	return 0;
}

/* After recovery: the root inode must be a live directory. */
static int check_root(void)
{
	struct inode *root = iget(ROOTINO);
	int err = ilock(root);

	if (err == 0 && (root->type != T_DIR || root->nlink < 1)) {
		printk("fs: root inode is not a directory\n");
		err = -EUCLEAN;
	}
	/* A broken root must not be freed by the iput() below. */
	if (err != 0)
		root->valid = false;
	iunlock(root);
	/* Dropping the reference cannot free it: nothing to log. */
	begin_op();
	iput(root);
	end_op();
	return err;
}

void fs_init(void)
{
	struct blkdev *dev = blkdev_root();

	fs_parse_cmdline(platform.bootargs);
	bcache_init();
	icache_init();
	if (dev == NULL) {
		printk("fs: no root block device; no file system\n");
		return;
	}
	if (read_super(dev) != 0 || log_init(&sb) != 0)
		return;
	fs_mounted = true;
	if (check_root() != 0) {
		fs_mounted = false;
		return;
	}
	printk("fs: mounted %s: %u blocks (%u free), %u inodes (%u free)\n",
	       dev->name, sb.size, fs_count_free_blocks(), sb.ninodes,
	       fs_count_free_inodes());
}
