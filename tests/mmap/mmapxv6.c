/*
 * mmapxv6: what a program written for xv6's mmap lab does, with only
 * xv6's headers (kernel/param.h and kernel/fcntl.h before kernel/types.h,
 * as such programs include them) and the lab's conventions: failure is
 * (char *)-1, the file is one and a half pages, and munmap of part of a
 * shared mapping writes that part back.
 */
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "../user/tap.h"

#define MAPFAIL ((char *)-1)

static char blk[PGSIZE];

/* One and a half pages of 'x'. */
static void half_file(const char *f)
{
	int fd, i;

	unlink(f);
	fd = open(f, O_WRONLY | O_CREATE);
	memset(blk, 'x', BSIZE);
	for (i = 0; i < (PGSIZE + PGSIZE / 2) / BSIZE; i++)
		write(fd, blk, BSIZE);
	close(fd);
}

/* 1 when p holds 1.5 pages of c then half a page of zeros. */
static int looks_right(char *p, char c)
{
	int i;

	for (i = 0; i < 2 * PGSIZE; i++)
		if (p[i] != (i < PGSIZE + PGSIZE / 2 ? c : 0))
			return 0;
	return 1;
}

int main(void)
{
	long before = free_pages();
	int fd, st, pid;
	char *p, *q;

	tap_plan(10);
	half_file("xv6.m");
	fd = open("xv6.m", O_RDWR);
	p = mmap(0, PGSIZE * 3, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ok(p != MAPFAIL && looks_right(p, 'x'),
	   "three-page shared mapping of 1.5 pages");
	memset(p, 'B', PGSIZE);
	memset(p + PGSIZE, 'C', PGSIZE);
	ok(munmap(p, PGSIZE * 2) == 0, "munmap the first two of three pages");
	fd = open("xv6.m", O_RDONLY);
	ok(read(fd, blk, PGSIZE) == PGSIZE && blk[0] == 'B' &&
	       blk[PGSIZE - 1] == 'B',
	   "page 0 was written back");
	ok(read(fd, blk, PGSIZE) == PGSIZE / 2 && blk[0] == 'C',
	   "page 1 was written back, the file did not grow");
	close(fd);
	ok(munmap(p + PGSIZE * 2, PGSIZE) == 0,
	   "munmap of the untouched third page");

	half_file("xv6.m");
	fd = open("xv6.m", O_RDONLY);
	unlink("xv6.m");
	p = mmap(0, PGSIZE * 2, PROT_READ, MAP_SHARED, fd, 0);
	q = mmap(0, PGSIZE * 2, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	pid = fork();
	if (pid == 0) {
		if (!looks_right(p, 'x') || munmap(p, PGSIZE) != 0)
			exit(1);
		exit(0);
	}
	st = -5;
	wait(&st);
	ok(st == 0 && looks_right(p, 'x') && looks_right(q, 'x'),
	   "fork: the child sees an unlinked file, the parent keeps both");
	munmap(p, PGSIZE * 2);
	munmap(q, PGSIZE * 2);

	half_file("xv6.m");
	fd = open("xv6.m", O_RDWR);
	p = mmap(0, PGSIZE * 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	pid = fork();
	if (pid == 0) {
		p[PGSIZE] = 'b';
		munmap(p + PGSIZE, PGSIZE);
		exit(p[PGSIZE]); /* killed here */
	}
	st = 0;
	wait(&st);
	ok(st == -1, "a child loading what it unmapped is killed");
	p[0] = 'P';
	munmap(p, PGSIZE);
	p[PGSIZE] = 'R';
	munmap(p + PGSIZE, PGSIZE);
	fd = open("xv6.m", O_RDONLY);
	read(fd, blk, PGSIZE);
	ok(blk[0] == 'P', "first page written back by the first munmap");
	read(fd, blk, PGSIZE);
	ok(blk[0] == 'R', "second page by the second");
	close(fd);
	unlink("xv6.m");
	check_no_leak(before, "mmapxv6");
	tap_done();
	return 0;
}
