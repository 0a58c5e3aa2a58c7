/*
 * File-system semantics through the system calls, in one process (plus
 * a forked child where sharing is the point): files, directories, links,
 * descriptors, pipes, devices, limits and bad arguments.
 */
#include "tap.h"

static char buf[8192];
static char buf2[8192];

/* Bytes of a recognisable pattern: block number and offset mixed in. */
static void pattern(char *p, int n, int seed)
{
	for (int i = 0; i < n; i++)
		p[i] = (char)(seed * 31 + i * 7 + i / 1024);
}

static int t_create_read(void)
{
	int fd;

	pattern(buf, 100, 1);
	CHECK(put_file("fs_a", buf, 100));
	fd = open("fs_a", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, buf2, sizeof(buf2)) == 100);
	CHECK(memcmp(buf, buf2, 100) == 0);
	CHECK(read(fd, buf2, sizeof(buf2)) == 0); /* end of file */
	close(fd);
	return 1;
}

static int t_fstat(void)
{
	struct stat st;
	int fd = open("fs_a", O_RDONLY);

	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0);
	close(fd);
	CHECK(st.type == T_FILE && st.size == 100 && st.nlink == 1);
	CHECK(st.ino > ROOTINO);
	CHECK(stat(".", &st) == 0 && st.type == T_DIR);
	return 1;
}

static int t_append(void)
{
	int fd = open("fs_a", O_RDWR);

	CHECK(fd >= 0);
	CHECK(read(fd, buf2, sizeof(buf2)) == 100); /* offset to the end */
	CHECK(write_all(fd, "appended", 8));
	close(fd);
	CHECK(file_size("fs_a") == 108);
	fd = open("fs_a", O_RDONLY);
	CHECK(read(fd, buf2, sizeof(buf2)) == 108);
	close(fd);
	CHECK(memcmp(buf2 + 100, "appended", 8) == 0);
	return 1;
}

static int t_create_keeps(void)
{
	int fd = open("fs_a", O_CREATE | O_RDWR); /* exists: no truncation */

	CHECK(fd >= 0);
	close(fd);
	CHECK(file_size("fs_a") == 108);
	return 1;
}

static int t_truncate(void)
{
	int fd = open("fs_a", O_WRONLY | O_TRUNC);

	CHECK(fd >= 0);
	close(fd);
	CHECK(file_size("fs_a") == 0);
	pattern(buf, 5000, 2);
	CHECK(put_file("fs_a", buf, 5000));
	CHECK(put_file("fs_a", buf, 10)); /* O_TRUNC in put_file */
	CHECK(file_size("fs_a") == 10);
	return 1;
}

static int t_unlink(void)
{
	CHECK(unlink("fs_a") == 0);
	CHECK(open("fs_a", O_RDONLY) < 0);
	CHECK(unlink("fs_a") < 0);
	return 1;
}

static int t_unlink_open(void)
{
	int fd;

	CHECK(put_file("fs_b", "0123456789", 10));
	fd = open("fs_b", O_RDWR);
	CHECK(fd >= 0);
	CHECK(unlink("fs_b") == 0);
	CHECK(open("fs_b", O_RDONLY) < 0);
	CHECK(read(fd, buf2, 4) == 4 && memcmp(buf2, "0123", 4) == 0);
	CHECK(write_all(fd, "xy", 2)); /* still usable while open */
	close(fd);		       /* frees the inode now */
	CHECK(open("fs_b", O_RDONLY) < 0);
	return 1;
}

static int t_modes(void)
{
	int fd;

	CHECK(put_file("fs_c", "abc", 3));
	fd = open("fs_c", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) < 0);
	close(fd);
	fd = open("fs_c", O_WRONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, buf2, 1) < 0);
	close(fd);
	CHECK(open("fs_c", 3) < 0);	 /* bad access mode */
	CHECK(open("fs_c", 0x1000) < 0); /* unknown flag */
	CHECK(open(".", O_RDWR) < 0);	 /* directories are read-only */
	CHECK(open(".", O_WRONLY) < 0);
	CHECK(open(".", O_CREATE | O_RDWR) < 0);
	fd = open(".", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	CHECK(unlink("fs_c") == 0);
	return 1;
}

static int t_bad_fds(void)
{
	struct stat st;

	CHECK(read(-1, buf, 1) < 0);
	CHECK(read(NOFILE, buf, 1) < 0);
	CHECK(write(100, buf, 1) < 0);
	CHECK(close(-5) < 0);
	CHECK(close(NOFILE - 1) < 0); /* not open */
	CHECK(dup(77) < 0);
	CHECK(fstat(55, &st) < 0);
	return 1;
}

static int t_bad_pointers(void)
{
	int fd;

	CHECK(put_file("fs_d", "abcdef", 6));
	fd = open("fs_d", O_RDWR);
	CHECK(fd >= 0);
	CHECK(read(fd, (void *)0x3fffffe000L, 6) < 0); /* top of user space */
	CHECK(read(fd, (void *)0xffffffc000000000L, 6) < 0); /* kernel */
	CHECK(write(fd, (void *)0xffffffff80000000L, 6) < 0);
	CHECK(read(fd, buf, -1) < 0);
	CHECK(fstat(fd, (struct stat *)0xffffffc000001000L) < 0);
	close(fd);
	CHECK(open((char *)0x3fffffe000L, O_RDONLY) < 0);
	CHECK(open((char *)0, O_RDONLY) < 0);
	CHECK(file_size("fs_d") == 6);
	CHECK(unlink("fs_d") == 0);
	return 1;
}

static int t_bad_paths(void)
{
	static char longpath[300];

	for (int i = 0; i < 299; i++)
		longpath[i] = i % 10 == 9 ? '/' : 'a';
	longpath[299] = '\0';
	CHECK(open(longpath, O_CREATE | O_RDWR) < 0); /* > MAXPATH */
	CHECK(mkdir(longpath) < 0);
	CHECK(open("", O_RDONLY) < 0);
	CHECK(open("no_such_dir/x", O_CREATE | O_RDWR) < 0);
	CHECK(put_file("fs_e", "x", 1));
	CHECK(open("fs_e/x", O_CREATE | O_RDWR) < 0); /* file in the middle */
	CHECK(mkdir("fs_e/d") < 0);
	CHECK(chdir("fs_e") < 0);
	CHECK(chdir("no_such_dir") < 0);
	CHECK(link("fs_e", "no_such_dir/x") < 0);
	CHECK(unlink("/") < 0);
	CHECK(unlink("fs_e") == 0);
	return 1;
}

static int t_long_names(void)
{
	int fd;

	/* Components longer than DIRSIZ are truncated to DIRSIZ, like xv6. */
	CHECK(put_file("abcdefghijklmnopqrstuvwxyz", "long", 4));
	fd = open("abcdefghijklmn", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, buf2, 10) == 4 && memcmp(buf2, "long", 4) == 0);
	close(fd);
	CHECK(open("abcdefghijklm", O_RDONLY) < 0);
	CHECK(unlink("abcdefghijklmnXXX") == 0);
	return 1;
}

static int t_dirs(void)
{
	struct stat st;

	CHECK(mkdir("fs_dir") == 0);
	CHECK(mkdir("fs_dir") < 0);
	CHECK(stat("fs_dir", &st) == 0 && st.type == T_DIR && st.nlink == 1);
	CHECK(mkdir("fs_dir/sub") == 0);
	CHECK(stat("fs_dir", &st) == 0 && st.nlink == 2); /* sub's ".." */
	CHECK(chdir("fs_dir/sub") == 0);
	CHECK(put_file("f", "in sub", 6));
	CHECK(chdir("../..") == 0);
	CHECK(file_size("fs_dir/sub/f") == 6);
	CHECK(file_size("/fs_dir/./sub/../sub/f") == 6);
	CHECK(unlink("fs_dir/sub") < 0); /* not empty */
	CHECK(unlink("fs_dir/sub/.") < 0);
	CHECK(unlink("fs_dir/sub/..") < 0);
	CHECK(unlink("fs_dir/sub/f") == 0);
	CHECK(unlink("fs_dir/sub") == 0);
	CHECK(stat("fs_dir", &st) == 0 && st.nlink == 1);
	CHECK(unlink("fs_dir") == 0);
	CHECK(stat("fs_dir", &st) < 0);
	return 1;
}

static int t_cwd_removed(void)
{
	CHECK(mkdir("fs_gone") == 0);
	CHECK(chdir("fs_gone") == 0);
	CHECK(unlink("../fs_gone") == 0);
	/* Creating inside a removed directory fails cleanly. */
	CHECK(open("x", O_CREATE | O_RDWR) < 0);
	CHECK(chdir("/") == 0);
	return 1;
}

static int t_links(void)
{
	struct stat st;
	int fd;

	CHECK(put_file("fs_l1", "linked", 6));
	CHECK(link("fs_l1", "fs_l2") == 0);
	CHECK(stat("fs_l1", &st) == 0 && st.nlink == 2);
	CHECK(link("fs_l1", "fs_l2") < 0); /* name exists */
	CHECK(link("fs_none", "fs_l3") < 0);
	CHECK(link(".", "fs_dotlink") < 0); /* no links to directories */
	CHECK(unlink("fs_l1") == 0);
	CHECK(stat("fs_l2", &st) == 0 && st.nlink == 1);
	fd = open("fs_l2", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf2, 10) == 6);
	close(fd);
	CHECK(memcmp(buf2, "linked", 6) == 0);
	CHECK(unlink("fs_l2") == 0);
	return 1;
}

static int t_dup_offset(void)
{
	int fd = open("fs_dup", O_CREATE | O_RDWR), fd2;

	CHECK(fd >= 0);
	fd2 = dup(fd);
	CHECK(fd2 >= 0 && fd2 != fd);
	CHECK(write_all(fd, "ab", 2));
	CHECK(write_all(fd2, "cd", 2));
	close(fd);
	close(fd2);
	fd = open("fs_dup", O_RDONLY);
	CHECK(read(fd, buf2, 10) == 4 && memcmp(buf2, "abcd", 4) == 0);
	close(fd);
	CHECK(unlink("fs_dup") == 0);
	return 1;
}

static int t_fork_offset(void)
{
	int fd = open("fs_fork", O_CREATE | O_RDWR), pid, status = -1;

	CHECK(fd >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		write(fd, "child ", 6);
		exit(0);
	}
	CHECK(wait(&status) == pid && status == 0);
	CHECK(write_all(fd, "parent", 6));
	close(fd);
	fd = open("fs_fork", O_RDONLY);
	CHECK(read(fd, buf2, 20) == 12);
	close(fd);
	CHECK(memcmp(buf2, "child parent", 12) == 0);
	CHECK(unlink("fs_fork") == 0);
	return 1;
}

static int t_pipe_basic(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(write_all(p[1], "hello", 5));
	CHECK(read(p[0], buf2, 10) == 5 && memcmp(buf2, "hello", 5) == 0);
	close(p[1]);
	CHECK(read(p[0], buf2, 10) == 0); /* end of file: no writer */
	close(p[0]);
	CHECK(pipe((int *)0xffffffc000000000L) < 0);
	return 1;
}

static int t_pipe_no_reader(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	close(p[0]);
	CHECK(write(p[1], "x", 1) < 0);
	close(p[1]);
	return 1;
}

/* A child writes more than a pipe holds; the parent reads it all back. */
static int t_pipe_blocking(void)
{
	int p[2], pid, got = 0, n, status = -1;

	CHECK(pipe(p) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		pattern(buf, sizeof(buf), 3);
		for (int i = 0; i < 4; i++)
			if (write(p[1], buf, sizeof(buf)) != sizeof(buf))
				exit(1);
		exit(0);
	}
	close(p[1]);
	pattern(buf, sizeof(buf), 3);
	while ((n = read(p[0], buf2, 1000)) > 0) {
		for (int i = 0; i < n; i++)
			if (buf2[i] != buf[(got + i) % sizeof(buf)])
				return 0;
		got += n;
	}
	close(p[0]);
	CHECK(wait(&status) == pid && status == 0);
	CHECK(got == 4 * (int)sizeof(buf));
	return 1;
}

static int t_device(void)
{
	static const char msg[] = "# written through a mknod'd console\n";
	struct stat st;
	int fd, n;

	CHECK(mknod("fs_cons", 1, 0) == 0); /* CONSOLE */
	CHECK(stat("fs_cons", &st) == 0 && st.type == T_DEVICE);
	fd = open("fs_cons", O_WRONLY);
	CHECK(fd >= 0);
	n = write(fd, msg, strlen(msg));
	close(fd);
	CHECK(n == (int)strlen(msg));
	CHECK(mknod("fs_badd", NDEV, 0) < 0);
	CHECK(mknod("fs_badd", -1, 0) < 0);
	CHECK(unlink("fs_cons") == 0);
	return 1;
}

/* 500 names in one directory, all links to one file (inodes are few). */
static int t_many_entries(void)
{
	static char name[32];
	struct stat st;
	int i;

	CHECK(mkdir("fs_many") == 0);
	CHECK(put_file("fs_many/target", "t", 1));
	for (i = 0; i < 500; i++)
		if (link("fs_many/target", numname(name, "fs_many/e", i)) < 0)
			break;
	CHECK(i == 500);
	CHECK(stat("fs_many/target", &st) == 0 && st.nlink == 501);
	CHECK(stat("fs_many", &st) == 0 &&
	      st.size == 503 * sizeof(struct dirent));
	for (i = 0; i < 500; i += 37)
		CHECK(file_size(numname(name, "fs_many/e", i)) == 1);
	CHECK(file_size("fs_many/e500") < 0);
	CHECK(unlink("fs_many") < 0);
	for (i = 0; i < 500; i++)
		if (unlink(numname(name, "fs_many/e", i)) < 0)
			break;
	CHECK(i == 500);
	CHECK(stat("fs_many/target", &st) == 0 && st.nlink == 1);
	CHECK(unlink("fs_many/target") == 0);
	CHECK(unlink("fs_many") == 0);
	return 1;
}

static int t_maxfile(void)
{
	int fd = open("fs_big", O_CREATE | O_RDWR), i;
	const int nblocks = MAXFILE;

	CHECK(fd >= 0);
	for (i = 0; i < nblocks; i++) {
		pattern(buf, BSIZE, i);
		if (write(fd, buf, BSIZE) != BSIZE)
			break;
	}
	CHECK(i == nblocks);
	CHECK(write(fd, "x", 1) < 0); /* past MAXFILE */
	close(fd);
	CHECK(file_size("fs_big") == (long)MAXFILE * BSIZE);
	fd = open("fs_big", O_RDONLY);
	for (i = 0; i < nblocks; i++) {
		pattern(buf, BSIZE, i);
		if (read(fd, buf2, BSIZE) != BSIZE || memcmp(buf, buf2, BSIZE))
			break;
	}
	CHECK(i == nblocks);
	CHECK(read(fd, buf2, 1) == 0);
	close(fd);
	CHECK(unlink("fs_big") == 0);
	return 1;
}

static int t_nofile(void)
{
	static int fds[NOFILE + 1];
	int n, fd;

	for (n = 0; n < NOFILE + 1; n++) {
		fds[n] = open(".", O_RDONLY);
		if (fds[n] < 0)
			break;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	/* The table filled up, after at most NOFILE descriptors. */
	CHECK(n < NOFILE + 1 && n >= NOFILE - 3);
	fd = open(".", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	return 1;
}

static const struct check checks[] = {
    {"create, write, read back", t_create_read},
    {"fstat type, size, nlink", t_fstat},
    {"append at the end of a file", t_append},
    {"O_CREATE keeps an existing file", t_create_keeps},
    {"O_TRUNC empties a file", t_truncate},
    {"unlink removes the name", t_unlink},
    {"an unlinked open file lives until close", t_unlink_open},
    {"access modes and bad flags", t_modes},
    {"bad descriptors fail", t_bad_fds},
    {"bad user pointers fail", t_bad_pointers},
    {"bad paths fail", t_bad_paths},
    {"long names are truncated to DIRSIZ", t_long_names},
    {"mkdir, chdir, . and .., rmdir", t_dirs},
    {"no creation in a removed cwd", t_cwd_removed},
    {"hard links and nlink", t_links},
    {"dup shares the offset", t_dup_offset},
    {"fork shares the offset", t_fork_offset},
    {"pipe read, write, end of file", t_pipe_basic},
    {"pipe write without reader fails", t_pipe_no_reader},
    {"pipe blocks and wakes across 32 KB", t_pipe_blocking},
    {"mknod console device", t_device},
    {"500 directory entries", t_many_entries},
    {"file of MAXFILE blocks, then EFBIG", t_maxfile},
    {"NOFILE descriptors per process", t_nofile},
};

int main(void)
{
	tap_run(checks, sizeof(checks) / sizeof(checks[0]));
	return 0;
}
