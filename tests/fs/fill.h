/*
 * Counting free space from user space, without a special system call:
 * fill the disk (or the inode table) until the kernel says no, count what
 * fit, and delete it again. After any sequence of operations that should
 * leave the file system as it was, the same amount must fit again; a
 * leaked block or inode shows up as a smaller count.
 */
#ifndef CALF_TESTS_FS_FILL_H
#define CALF_TESTS_FS_FILL_H

#include "tap.h"

#define FILL_CHUNK (8 * BSIZE)
static char fill_buf[FILL_CHUNK];

/* Empties directory dir of files named prefix0, prefix1, ... (n of them). */
static inline void fill_cleanup(const char *dir, const char *prefix, int n)
{
	static char path[64], name[32];

	for (int i = 0; i < n; i++) {
		int len = strlen(dir);
		memcpy(path, dir, len);
		path[len] = '/';
		strcpy(path + len + 1, numname(name, prefix, i));
		unlink(path);
	}
}

/*
 * Writes files dir/b0, dir/b1, ... of up to MAXFILE blocks until a write
 * fails. Returns the data blocks that fit (from the files' sizes) and the
 * number of files in *nfiles; dir must exist. -1 if a create failed
 * before the disk was full.
 */
static inline long fill_blocks(const char *dir, int *nfiles)
{
	static char path[64], name[32];
	long total = 0;
	int f;

	for (f = 0;; f++) {
		int len = strlen(dir), fd, full = 0;
		struct stat st;

		memcpy(path, dir, len);
		path[len] = '/';
		strcpy(path + len + 1, numname(name, "b", f));
		fd = open(path, O_CREATE | O_WRONLY);
		if (fd < 0) {
			*nfiles = f;
			return total;
		}
		for (long sz = 0; sz < (long)MAXFILE * BSIZE;
		     sz += FILL_CHUNK) {
			long left = (long)MAXFILE * BSIZE - sz;
			int n = left < FILL_CHUNK ? (int)left : FILL_CHUNK;
			if (write(fd, fill_buf, n) != n) {
				full = 1;
				break;
			}
		}
		fstat(fd, &st);
		close(fd);
		total += (long)(st.size / BSIZE);
		if (full && st.size < (unsigned long)MAXFILE * BSIZE) {
			*nfiles = f + 1;
			return total;
		}
	}
}

/* Creates empty files dir/i0, dir/i1, ... until that fails; the count. */
static inline int fill_inodes(const char *dir)
{
	static char path[64], name[32];
	int n;

	for (n = 0;; n++) {
		int len = strlen(dir), fd;

		memcpy(path, dir, len);
		path[len] = '/';
		strcpy(path + len + 1, numname(name, "i", n));
		fd = open(path, O_CREATE | O_RDWR);
		if (fd < 0)
			return n;
		close(fd);
	}
}

/* Free data blocks and free inodes, measured by filling and emptying. */
static inline void measure_free(long *blocks, int *inodes)
{
	int nfiles;

	mkdir("fill_tmp");
	*blocks = fill_blocks("fill_tmp", &nfiles);
	fill_cleanup("fill_tmp", "b", nfiles);
	*inodes = fill_inodes("fill_tmp");
	fill_cleanup("fill_tmp", "i", *inodes);
	unlink("fill_tmp");
}

#endif
