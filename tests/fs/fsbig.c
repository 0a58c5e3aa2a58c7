/*
 * fsbig: a large file system whose free blocks are scattered, one per
 * bitmap block (mkfs --size 262144 --fragment: 32 bitmap blocks, the
 * last block of each bitmap block's region left free). Every block a
 * file allocates next lies under a different bitmap block, so freeing a
 * 30-block file touches 30 bitmap blocks: as many as the whole log holds.
 * Before the kernel freed files in bounded steps (fs/trunc.c), unlinking
 * one panicked ("log_write: transaction larger than the log (30)"), and so
 * did O_TRUNC and the last close of an unlinked file.
 *
 * Each check writes files of NBLOCKS blocks (also at unaligned offsets,
 * which makes every write piece span one block more), frees them by one
 * of the three paths, and checks that the same blocks can be had again.
 * The runner's mkfs --check --clean afterwards finds any block or inode
 * the stepwise freeing lost.
 */
#include "tap.h"

#define NBLOCKS	 30
#define CHILDREN 3

static char buf[NBLOCKS * BSIZE + 1];

/* Fills buf with a pattern that depends on seed and the offset. */
static void pattern(int seed)
{
	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(seed * 31 + i * 7 + i / BSIZE);
}

/* Writes n bytes of buf to a new file name: at offset 1 first when odd. */
static int write_file(const char *name, int n, int odd)
{
	int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
	int ok = fd >= 0;

	if (ok && odd)
		ok = write(fd, buf, 1) == 1;
	if (ok)
		ok = write(fd, buf + odd, n - odd) == n - odd;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* True when name holds exactly n bytes of buf. */
static int file_matches(const char *name, int n)
{
	static char back[sizeof(buf)];
	int fd = open(name, O_RDONLY), got;

	if (fd < 0)
		return 0;
	got = read(fd, back, sizeof(back));
	close(fd);
	return got == n && memcmp(back, buf, n) == 0;
}

static int unlink_scattered_file(void)
{
	for (int round = 0; round < 3; round++) {
		pattern(round);
		CHECK(write_file("big", NBLOCKS * BSIZE, round % 2));
		CHECK(file_matches("big", NBLOCKS * BSIZE));
		CHECK(unlink("big") == 0);
		CHECK(file_size("big") == -1);
	}
	return 1;
}

static int truncate_scattered_file(void)
{
	struct stat st;
	int fd;

	pattern(7);
	CHECK(write_file("trunc", NBLOCKS * BSIZE, 0));
	fd = open("trunc", O_RDWR | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0 && st.size == 0);
	pattern(8);
	CHECK(write(fd, buf, NBLOCKS * BSIZE) == NBLOCKS * BSIZE);
	close(fd);
	CHECK(file_matches("trunc", NBLOCKS * BSIZE));
	CHECK(unlink("trunc") == 0);
	return 1;
}

static int close_unlinked_file(void)
{
	int fd;

	pattern(9);
	CHECK(write_file("open", NBLOCKS * BSIZE, 1));
	fd = open("open", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(unlink("open") == 0);
	CHECK(read(fd, buf, BSIZE) == BSIZE);
	close(fd); /* the last reference: frees the blocks */
	pattern(10);
	CHECK(write_file("again", NBLOCKS * BSIZE, 0));
	CHECK(file_matches("again", NBLOCKS * BSIZE));
	CHECK(unlink("again") == 0);
	return 1;
}

/* Several processes at once (the disk has about NBLOCKS free blocks in all,
 * so each takes a third): the log's admission must still hold. */
static int concurrent_unlinks(void)
{
	int failed = 0, status;

	for (int c = 0; c < CHILDREN; c++) {
		if (fork() == 0) {
			char name[8] = "conc0";
			name[4] = (char)('0' + c);
			for (int round = 0; round < 4; round++) {
				pattern(c * 10 + round);
				if (!write_file(name,
						NBLOCKS / CHILDREN * BSIZE,
						round % 2) ||
				    !file_matches(name,
						  NBLOCKS / CHILDREN * BSIZE) ||
				    unlink(name) != 0)
					exit(1);
			}
			exit(0);
		}
	}
	for (int c = 0; c < CHILDREN; c++)
		if (wait(&status) < 0 || status != 0)
			failed++;
	CHECK(failed == 0);
	return 1;
}

int main(void)
{
	static const struct check checks[] = {
	    {"unlink of a file under 30 bitmap blocks", unlink_scattered_file},
	    {"O_TRUNC of such a file", truncate_scattered_file},
	    {"last close of such a file, unlinked while open",
	     close_unlinked_file},
	    {"three processes writing and unlinking such files",
	     concurrent_unlinks},
	};

	tap_run(checks, 4);
	return 0;
}
