/*
 * mmapexec: exec drops every mapping and writes back shared file pages
 * first. A child maps a file shared (and stores into it), anonymous
 * private and anonymous shared memory, then execs this program as
 * "mmapexec probe ADDR...", which checks that nothing is mapped at those
 * addresses any more and that the file holds the stores on disk (nobody
 * else has the file open, so read() goes to the disk).
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG 4096L

static void utoa(unsigned long n, char *out)
{
	char tmp[24];
	int i = 0, j = 0;

	do {
		tmp[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		out[j++] = tmp[--i];
	out[j] = 0;
}

static unsigned long atoul(const char *s)
{
	unsigned long n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (unsigned long)(*s++ - '0');
	return n;
}

/* The exec'd side: exits 0 when nothing is mapped and the file is right. */
static int probe(int argc, char *argv[])
{
	static struct vmainfo v[64];
	char buf[8];
	int i, n, fd;

	for (i = 2; i < argc; i++)
		if (mprotect((void *)atoul(argv[i]), PG, PROT_READ) != -1)
			return 1;
	n = vmainfo(getpid(), v, 64);
	for (i = 0; i < n; i++)
		if (v[i].kind == VMAINFO_MMAP)
			return 2;
	fd = open("mexec", O_RDONLY);
	if (fd < 0 || read(fd, buf, 4) != 4 || buf[0] != 'E' || buf[3] != 'e')
		return 3;
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	static char a1[24], a2[24], a3[24];
	long before;
	int fd, status = -5;

	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		exit(probe(argc, argv));
	before = free_pages();
	tap_plan(2);
	fd = open("mexec", O_CREATE | O_RDWR);
	write(fd, "abcdefgh", 8);
	close(fd);
	if (fork() == 0) {
		char *f, *p, *s, *args[6];

		fd = open("mexec", O_RDWR);
		f = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		p = mmap(0, PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		s = mmap(0, PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		f[0] = 'E';
		f[3] = 'e';
		p[0] = s[0] = 1;
		utoa((unsigned long)f, a1);
		utoa((unsigned long)p, a2);
		utoa((unsigned long)s, a3);
		args[0] = "mmapexec";
		args[1] = "probe";
		args[2] = a1;
		args[3] = a2;
		args[4] = a3;
		args[5] = 0;
		exec("mmapexec", args);
		exit(9);
	}
	wait(&status);
	ok(status == 0,
	   "after exec nothing is mapped and the file holds the stores (%d)",
	   status);
	unlink("mexec");
	check_no_leak(before, "mmapexec");
	tap_done();
	return 0;
}
