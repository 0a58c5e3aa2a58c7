/*
 * Concurrent file-system use from several processes (on several harts
 * when the machine has them): private creates/writes/deletes, racing
 * creates and deletes of shared names, directory churn, and a shared
 * pipe. Afterwards nothing is left behind and no block or inode leaked.
 *
 * "fsconc stress N" runs only the racing steps (shared names, directory
 * churn), N times over, and skips the slow free-space measurement: run it
 * with the runner's --fsck, whose mkfs --check --clean names any inode
 * the races leaked.
 */
#include "fill.h"

#define NCHILD 4
#define ROUNDS 30

static char wbuf[2000], rbuf[2000];
static long blocks_before;
static int inodes_before;
static int stress_rounds;

static void pattern(char *p, int n, int a, int b)
{
	for (int i = 0; i < n; i++)
		p[i] = (char)(a * 13 + b * 5 + i);
}

/* Runs fn(k) in NCHILD children; 1 when every child exited 0. */
static int in_children(int (*fn)(int))
{
	int ok = 1, status;

	for (int k = 0; k < NCHILD; k++) {
		int pid = fork();
		if (pid < 0)
			return 0;
		if (pid == 0)
			exit(fn(k) ? 0 : 1);
	}
	for (int k = 0; k < NCHILD; k++) {
		if (wait(&status) < 0 || status != 0)
			ok = 0;
	}
	return ok;
}

static int private_files(int k)
{
	static char name[32], prefix[8] = "pc?_";

	prefix[2] = '0' + k;
	for (int i = 0; i < ROUNDS; i++) {
		int fd, n = 500 + 50 * i;
		numname(name, prefix, i);
		pattern(wbuf, n, k, i);
		if (!put_file(name, wbuf, n))
			return 0;
		fd = open(name, O_RDONLY);
		if (fd < 0 || read(fd, rbuf, sizeof(rbuf)) != n)
			return 0;
		close(fd);
		if (memcmp(wbuf, rbuf, n) != 0 || unlink(name) != 0)
			return 0;
	}
	return 1;
}

static int shared_names(int k)
{
	static char name[32];

	/* Everyone creates, writes and deletes the same few names. */
	for (int i = 0; i < ROUNDS * 2; i++) {
		int fd =
		    open(numname(name, "shared", i % 3), O_CREATE | O_RDWR);
		if (fd >= 0) {
			write(fd, wbuf, 100 + k);
			close(fd);
		}
		unlink(name); /* may lose the race: fine */
	}
	return 1;
}

static int dir_churn(int k)
{
	static char dir[16] = "dc?", file[24] = "dc?/f";

	dir[2] = file[2] = '0' + k;
	for (int i = 0; i < ROUNDS; i++) {
		if (mkdir(dir) != 0 || !put_file(file, "x", 1))
			return 0;
		if (unlink(dir) == 0) /* not empty: must fail */
			return 0;
		if (unlink(file) != 0 || unlink(dir) != 0)
			return 0;
	}
	return 1;
}

/* Work in a directory of our own, removed before measuring again. */
static int t_enter(void)
{
	CHECK(mkdir("conc_d") == 0 && chdir("conc_d") == 0);
	return 1;
}

static int t_measure(void)
{
	measure_free(&blocks_before, &inodes_before);
	printf("# free: %ld blocks, %d inodes\n", blocks_before, inodes_before);
	CHECK(blocks_before > 0 && inodes_before > 0);
	return t_enter();
}

static int t_private(void)
{
	return in_children(private_files);
}

static int t_shared(void)
{
	static char name[32];

	CHECK(in_children(shared_names));
	for (int i = 0; i < 3; i++)
		unlink(numname(name, "shared", i));
	return 1;
}

static int t_dirs(void)
{
	return in_children(dir_churn);
}

/* The racing steps again and again (fsconc stress N). */
static int t_repeat(void)
{
	for (int i = 0; i < stress_rounds; i++) {
		if (!t_shared() || !t_dirs()) {
			printf("# failed in round %d\n", i + 1);
			return 0;
		}
	}
	printf("# %d rounds\n", stress_rounds);
	return 1;
}

/* NCHILD writers share one pipe; the reader counts every byte. */
static int t_shared_pipe(void)
{
	int p[2], pid, status, total = 0, n, ok = 1;

	CHECK(pipe(p) == 0);
	for (int k = 0; k < NCHILD; k++) {
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			for (int i = 0; i < 20; i++)
				if (write(p[1], wbuf, 1000) != 1000)
					exit(1);
			exit(0);
		}
	}
	close(p[1]);
	while ((n = read(p[0], rbuf, sizeof(rbuf))) > 0)
		total += n;
	close(p[0]);
	for (int k = 0; k < NCHILD; k++)
		if (wait(&status) < 0 || status != 0)
			ok = 0;
	CHECK(ok);
	CHECK(total == NCHILD * 20 * 1000);
	return 1;
}

/* No names from this test remain in its directory. */
static int t_nothing_left(void)
{
	struct dirent de;
	int fd = open(".", O_RDONLY), left = 0;

	CHECK(fd >= 0);
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0 || strcmp(de.name, ".") == 0 ||
		    strcmp(de.name, "..") == 0)
			continue;
		printf("# left behind: %s\n", de.name);
		left++;
	}
	close(fd);
	CHECK(left == 0);
	CHECK(chdir("/") == 0 && unlink("conc_d") == 0);
	return 1;
}

static int t_no_leaks(void)
{
	long blocks;
	int inodes;

	measure_free(&blocks, &inodes);
	printf("# free after: %ld blocks, %d inodes\n", blocks, inodes);
	CHECK(blocks == blocks_before && inodes == inodes_before);
	return 1;
}

static const struct check checks[] = {
    {"measure free blocks and inodes", t_measure},
    {"private create/write/read/unlink in 4 processes", t_private},
    {"racing creates and unlinks of shared names", t_shared},
    {"concurrent mkdir/rmdir", t_dirs},
    {"4 writers, 1 reader on a pipe", t_shared_pipe},
    {"no names left behind", t_nothing_left},
    {"no blocks or inodes leaked", t_no_leaks},
};

static const struct check stress_checks[] = {
    {"enter a directory of our own", t_enter},
    {"racing shared names and directory churn, repeated", t_repeat},
    {"no names left behind", t_nothing_left},
};

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "stress") == 0) {
		stress_rounds = atoi(argv[2]);
		tap_run(stress_checks,
			sizeof(stress_checks) / sizeof(stress_checks[0]));
	}
	tap_run(checks, sizeof(checks) / sizeof(checks[0]));
	return 0;
}
