/*
 * mmapreboot: stores through shared file mappings survive a reboot of the
 * same disk. Boot 1 ("mmapreboot write") stores into three files through
 * shared mappings and leaves one by munmap, one by a child's exit and one
 * by msync alone, still mapped, and powers the machine off at once: only
 * what went through the log by then is on the disk. Boot 2 ("mmapreboot
 * check") reads the files back with read(); mkfs --check runs last.
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
		poweroff(1);
	}
	for (i = 7; i < FSIZE; i += 1000)
		p[i] = (char)('A' + k);
	return p;
}

static void write_phase(void)
{
	char *p;

	munmap(map(0), FSIZE);
	if (fork() == 0) {
		map(1);
		exit(0);
	}
	wait(0);
	p = map(2);
	if (msync(p, FSIZE, MS_SYNC) != 0)
		poweroff(1);
	poweroff(0); /* p still mapped: no munmap or exit wrote it */
}

int main(int argc, char *argv[])
{
	static char buf[FSIZE];
	int k, i, fd, bad;

	if (argc > 1 && strcmp(argv[1], "write") == 0)
		write_phase();
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
