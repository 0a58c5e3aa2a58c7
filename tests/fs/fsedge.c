/*
 * File-system edge cases found by xv6's usertests, kept here as our own
 * regression tests (TAP).
 *
 *  - A write() whose user buffer runs into an unmapped page fails, but the
 *    bytes copied before the fault are in the file, also after the buffer
 *    cache has been cycled (they must have been logged, not just cached).
 *  - A working directory that was removed has no usable entries: "..",
 *    and creating names relative to it, fail cleanly.
 */
#include "kernel/riscv.h"
#include "tap.h"

#define CYCLE_BLOCKS 96 /* more than the buffer cache holds */

static char block[BSIZE];

/* Writes and deletes a file bigger than the buffer cache. */
static int cycle_cache(void)
{
	int fd = open("fsedge.big", O_CREATE | O_RDWR);

	if (fd < 0)
		return 0;
	memset(block, 0x5a, sizeof(block));
	for (int i = 0; i < CYCLE_BLOCKS; i++)
		if (write(fd, block, sizeof(block)) != sizeof(block)) {
			close(fd);
			return 0;
		}
	close(fd);
	return unlink("fsedge.big") == 0;
}

static int read_first(const char *name)
{
	char c = 0;
	int fd = open(name, O_RDONLY);

	if (fd < 0 || read(fd, &c, 1) != 1)
		c = 0;
	if (fd >= 0)
		close(fd);
	return c;
}

static int half_faulted_write_is_kept(void)
{
	char *p;
	int fd;

	unlink("fsedge.pw");
	fd = open("fsedge.pw", O_CREATE | O_RDWR);
	CHECK(fd >= 0);
	CHECK(write(fd, "A", 1) == 1);
	close(fd);
	fd = open("fsedge.pw", O_RDWR);
	CHECK(fd >= 0);
	/* The last byte of the heap, with nothing mapped after it. */
	p = sbrk(0);
	CHECK(sbrk(PGSIZE - ((uint64)p % PGSIZE)) != SBRK_ERROR);
	p = sbrk(0);
	p[-1] = 'X';
	CHECK(write(fd, p - 1, 2) == -1);
	close(fd);
	CHECK(read_first("fsedge.pw") == 'X');
	CHECK(cycle_cache());
	CHECK(read_first("fsedge.pw") == 'X');
	CHECK(unlink("fsedge.pw") == 0);
	return 1;
}

static int removed_cwd_has_no_entries(void)
{
	int fd;

	CHECK(mkdir("/fsedge.a") == 0);
	CHECK(mkdir("/fsedge.a/b") == 0);
	CHECK(chdir("/fsedge.a/b") == 0);
	CHECK(unlink("/fsedge.a/b") == 0);
	CHECK(unlink("/fsedge.a") == 0);
	CHECK(open("..", O_RDONLY) < 0);
	CHECK(open("../c", O_CREATE | O_RDWR) < 0);
	CHECK(chdir("..") < 0);
	CHECK(chdir("/") == 0);
	fd = open("/fsedge.a", O_RDONLY);
	CHECK(fd < 0);
	return 1;
}

int main(void)
{
	static const struct check checks[] = {
		{ "a write that faults half way keeps and logs what it copied",
		  half_faulted_write_is_kept },
		{ "a removed working directory has no usable entries",
		  removed_cwd_has_no_entries },
	};

	tap_run(checks, 2);
	return 0;
}
