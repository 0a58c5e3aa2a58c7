/*
 * mmapreboot: stores through shared file mappings survive a reboot of the
 * same disk, written back by munmap, by exit, and by msync alone.
 *
 *   boot 1 "mmapreboot write": stores into rb_munmap through a shared
 *          mapping and munmaps it; a child stores into rb_exit and exits
 *          with it mapped; creates rb_msync.
 *   boot 2 "mmapreboot sync", with fs.crash=4 fs.crash_at=logged: maps
 *          rb_msync (three pages), stores 'S' bytes, msyncs (commits 1 to
 *          3, one page each), stores 'X' over them and exits; the exit's
 *          writeback is commit 4, where the machine loses power before the
 *          commit point. So only what msync wrote is on the disk.
 *   boot 3 "mmapreboot check": reads the three files with read(); then
 *          mkfs --check.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG    4096
#define FSIZE (3 * PG)

static const char *names[3] = {"rb_munmap", "rb_exit", "rb_msync"};

/* The byte file k holds at offset i after boot 1. */
static char want(int k, int i)
{
	if (i % 1000 == 7)
		return (char)('A' + k);
	return (char)('a' + i % 23);
}

static char *map(int k)
{
	static char buf[FSIZE];
	int fd = open(names[k], O_CREATE | O_TRUNC | O_RDWR), i;
	char *p;

	for (i = 0; i < FSIZE; i++)
		buf[i] = (char)('a' + i % 23);
	write(fd, buf, FSIZE);
	p = mmap(0, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == (char *)-1) {
		printf("Bail out! mmap %s\n", names[k]);
		exit(1);
	}
	for (i = 7; i < FSIZE; i += 1000)
		p[i] = (char)('A' + k);
	return p;
}

static void write_phase(void)
{
	static char buf[FSIZE];
	int fd, i;

	munmap(map(0), FSIZE);
	if (fork() == 0) {
		map(1);
		exit(0); /* with it mapped */
	}
	wait(0);
	fd = open(names[2], O_CREATE | O_TRUNC | O_RDWR);
	for (i = 0; i < FSIZE; i++)
		buf[i] = (char)('a' + i % 23);
	write(fd, buf, FSIZE);
	close(fd);
	exit(0);
}

/* Boot 2: msync, then stores that only the (crashing) exit would write. */
static void sync_phase(void)
{
	int fd = open(names[2], O_RDWR), i;
	char *p = mmap(0, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	close(fd);
	if (p == (char *)-1)
		exit(1);
	for (i = 7; i < FSIZE; i += 1000)
		p[i] = 'A' + 2;
	if (msync(p, FSIZE, MS_SYNC) != 0)
		exit(1);
	for (i = 7; i < FSIZE; i += 1000)
		p[i] = 'X';
	exit(0); /* the machine stops in this exit's writeback */
}

int main(int argc, char *argv[])
{
	static char buf[FSIZE];
	int k, i, fd, bad;

	if (argc > 1 && strcmp(argv[1], "write") == 0)
		write_phase();
	if (argc > 1 && strcmp(argv[1], "sync") == 0)
		sync_phase();
	tap_plan(3);
	for (k = 0; k < 3; k++) {
		fd = open(names[k], O_RDONLY);
		bad = fd < 0 || read(fd, buf, FSIZE) != FSIZE;
		for (i = 0; !bad && i < FSIZE; i++)
			if (buf[i] != want(k, i))
				bad = 1;
		close(fd);
		unlink(names[k]);
		ok(!bad, "stores before %s are on the disk after a reboot",
		   names[k] + 3);
	}
	tap_done();
	return 0;
}
