/*
 * pmap: lists a process's mappings (vmainfo), one line each, so that
 * copy-on-write can be watched page by page.
 *
 *   pmap PID
 *
 * Columns: the address range; what it is (image, heap, stack, mmap);
 * protection (r, w, x, or -); private or shared; the file's inode number
 * and offset for file mappings (anon otherwise); then pages: resident
 * (mapped), shared (another process or the page cache uses them too) and
 * cow (copy-on-write: the next store copies or reuses).
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAX 64

static const char *kind_name(unsigned kind)
{
	static const char *names[] = {"image", "heap", "stack", "mmap"};

	return kind < 4 ? names[kind] : "?";
}

int main(int argc, char *argv[])
{
	static struct vmainfo v[MAX];
	unsigned long rss = 0, shr = 0, cow = 0;
	int i, n, pid;

	if (argc != 2) {
		fprintf(2, "usage: pmap PID\n");
		exit(1);
	}
	pid = atoi(argv[1]);
	n = vmainfo(pid, v, MAX);
	if (n < 0) {
		fprintf(2, "pmap: no process %d\n", pid);
		exit(1);
	}
	printf("%-23s %-5s %-4s %-7s %-13s %6s %6s %6s\n", "range", "kind",
	       "prot", "map", "file", "rss", "shared", "cow");
	for (i = 0; i < n; i++) {
		char prot[4] = "---";

		if (v[i].prot & PROT_READ)
			prot[0] = 'r';
		if (v[i].prot & PROT_WRITE)
			prot[1] = 'w';
		if (v[i].prot & PROT_EXEC)
			prot[2] = 'x';
		printf("%010lx-%010lx %-5s %-4s %-7s ", v[i].start, v[i].end,
		       kind_name(v[i].kind), prot,
		       v[i].shared_map ? "shared" : "private");
		if (v[i].inum)
			printf("ino %3u+%-5lx", v[i].inum, v[i].offset);
		else
			printf("%-13s", "anon");
		printf(" %6lu %6lu %6lu\n", v[i].resident, v[i].shared,
		       v[i].cow);
		rss += v[i].resident;
		shr += v[i].shared;
		cow += v[i].cow;
	}
	printf("%-58s %6lu %6lu %6lu\n", "total (pages)", rss, shr, cow);
	exit(0);
}
