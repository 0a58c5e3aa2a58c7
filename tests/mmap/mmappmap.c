/*
 * mmappmap: vmainfo (what pmap shows) counts pages as they move. A
 * private mapping's pages turn shared and copy-on-write at fork and back
 * to private as the child writes; a shared file mapping shows its file and
 * pages shared with the page cache; the pmap tool runs on this process.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "../user/tap.h"

#define PG 4096L
#define N  8

/* The vmainfo record of the mapping at addr in process pid (zeroed if
 * none). */
static struct vmainfo find(int pid, char *addr)
{
	static struct vmainfo v[64];
	struct vmainfo none;
	int i, n = vmainfo(pid, v, 64);

	for (i = 0; i < n; i++)
		if (v[i].start == (unsigned long)addr)
			return v[i];
	memset(&none, 0, sizeof(none));
	return none;
}

static void show_pmap(int pid)
{
	char num[16], *argv[3];
	int i = 0, n = pid, c;

	do { /* itoa */
		num[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	for (c = 0; c < i / 2; c++) {
		char t = num[c];
		num[c] = num[i - 1 - c];
		num[i - 1 - c] = t;
	}
	num[i] = 0;
	argv[0] = "pmap";
	argv[1] = num;
	argv[2] = 0;
	if (fork() == 0) {
		exec("pmap", argv);
		exit(1);
	}
	wait(0);
}

int main(void)
{
	long before = free_pages();
	int go[2], done[2], fd, pid;
	struct vmainfo v;
	struct stat st;
	char *p, *f, c;

	tap_plan(8);
	p = mmap(0, N * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	memset(p, 1, N * PG);
	v = find(getpid(), p);
	ok(v.kind == VMAINFO_MMAP && v.resident == N && v.shared == 0 &&
	       v.cow == 0 && v.prot == (PROT_READ | PROT_WRITE) &&
	       !v.shared_map && v.inum == 0,
	   "private anonymous: %lu resident, none shared", v.resident);
	fd = open("pmapf", O_CREATE | O_RDWR);
	write(fd, p, 2 * PG);
	fstat(fd, &st);
	f = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	f[0] = 2;
	v = find(getpid(), f);
	ok(v.inum == st.ino && v.shared_map && v.resident == 1 && v.shared == 1,
	   "shared file: inode %u, its page shared with the page cache",
	   v.inum);
	pipe(go);
	pipe(done);
	pid = fork();
	if (pid == 0) {
		read(go[0], &c, 1);
		p[0] = 3; /* one page copied */
		write(done[1], "d", 1);
		read(go[0], &c, 1);
		exit(0);
	}
	v = find(pid, p);
	ok(v.resident == N && v.shared == N && v.cow == N,
	   "after fork the child's %lu pages are shared and COW", v.cow);
	diag("pmap of the child after fork:");
	show_pmap(pid);
	write(go[1], "g", 1);
	read(done[0], &c, 1);
	v = find(pid, p);
	ok(v.resident == N && v.cow == N - 1 && v.shared == N - 1,
	   "a store in the child: %lu COW left there", v.cow);
	v = find(getpid(), p);
	ok(v.cow == N && v.shared == N - 1,
	   "the parent's copy of that page is no longer shared (%lu shared)",
	   v.shared);
	diag("pmap of the child after its store:");
	show_pmap(pid);
	write(go[1], "g", 1);
	wait(0);
	ok(vmainfo(pid, &v, 1) < 0, "vmainfo of an exited process fails");
	ok(vmainfo(getpid(), (struct vmainfo *)0x10, 1) < 0,
	   "vmainfo to a bad buffer fails");
	munmap(p, N * PG);
	munmap(f, 2 * PG);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	unlink("pmapf");
	check_no_leak(before, "mmappmap");
	tap_done();
	return 0;
}
