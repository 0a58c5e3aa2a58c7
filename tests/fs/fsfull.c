/*
 * Running out of disk blocks and of inodes: the failing call returns an
 * error, the file system keeps working, and once the files are deleted
 * exactly as much fits again (nothing leaked).
 */
#include "fill.h"

static long blocks_first;
static int inodes_first, nfiles_first;

static int t_fill_blocks(void)
{
	CHECK(mkdir("full_d") == 0);
	blocks_first = fill_blocks("full_d", &nfiles_first);
	printf("# %ld data blocks fit in %d files\n", blocks_first,
	       nfiles_first);
	CHECK(blocks_first > 100);
	return 1;
}

static int t_full_disk_behaviour(void)
{
	static char path[32];
	int fd;

	/* Nothing is left for a new directory's block. */
	CHECK(mkdir("full_d/newdir") < 0);
	/* Overwriting blocks a file already has needs no new block. */
	fd = open(numname(path, "full_d/b", 0), O_WRONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, fill_buf, BSIZE) == BSIZE);
	close(fd);
	/* Reading works, and so does removing a file. */
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read(fd, path, 8) == 8);
	close(fd);
	return 1;
}

static int t_refill_blocks(void)
{
	long again;
	int nfiles;

	fill_cleanup("full_d", "b", nfiles_first);
	again = fill_blocks("full_d", &nfiles);
	fill_cleanup("full_d", "b", nfiles);
	printf("# %ld data blocks fit again\n", again);
	CHECK(again == blocks_first && nfiles == nfiles_first);
	return 1;
}

static int t_fill_inodes(void)
{
	CHECK(mkdir("full_d/i") == 0);
	inodes_first = fill_inodes("full_d/i");
	printf("# %d inodes fit\n", inodes_first);
	CHECK(inodes_first > 10);
	return 1;
}

static int t_no_inodes_behaviour(void)
{
	int p[2], fd;

	CHECK(mkdir("full_d/i/d") < 0);
	CHECK(mknod("full_d/i/n", 1, 0) < 0);
	CHECK(open("full_d/i/x", O_CREATE | O_RDWR) < 0);
	/* Pipes need no inode; existing files can still be opened. */
	CHECK(pipe(p) == 0);
	close(p[0]);
	close(p[1]);
	fd = open("full_d/i/i0", O_RDWR);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	return 1;
}

static int t_refill_inodes(void)
{
	int again;

	fill_cleanup("full_d/i", "i", inodes_first);
	again = fill_inodes("full_d/i");
	fill_cleanup("full_d/i", "i", again);
	printf("# %d inodes fit again\n", again);
	CHECK(again == inodes_first);
	/* Removing the directory returns the blocks it grew by. */
	CHECK(unlink("full_d/i") == 0);
	return 1;
}

static int t_blocks_after_all(void)
{
	int nfiles;
	long again = fill_blocks("full_d", &nfiles);

	fill_cleanup("full_d", "b", nfiles);
	CHECK(again == blocks_first);
	CHECK(unlink("full_d") == 0);
	return 1;
}

static const struct check checks[] = {
    {"fill the disk until a write fails", t_fill_blocks},
    {"full disk: mkdir fails, overwrite and read work", t_full_disk_behaviour},
    {"after deleting, the same number of blocks fits", t_refill_blocks},
    {"create files until inodes run out", t_fill_inodes},
    {"no inodes: creates fail, pipes and old files work",
     t_no_inodes_behaviour},
    {"after deleting, the same number of inodes fits", t_refill_inodes},
    {"no blocks leaked by the inode test", t_blocks_after_all},
};

int main(void)
{
	tap_run(checks, sizeof(checks) / sizeof(checks[0]));
	return 0;
}
