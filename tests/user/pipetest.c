/*
 * pipetest: pipes between processes. Data arrives complete and in order
 * through one pipe and through many pipes used at once by many processes
 * (so that they run on different harts); a token goes round a ring of
 * processes; readers see end of file when the last writer closes; writers
 * fail when the last reader has gone.
 */
#include "kernel/types.h"
#include "user/user.h"
#include "tap.h"

#define PAIRS 8             /* writer/reader pairs running at once */
#define PAIR_BYTES (128 * 1024)
#define RING 6              /* processes in the token ring (2 fds each: NOFILE is 16) */
#define ROUNDS 50

static unsigned char buf[4096];

/* The byte at position i of stream s: a pattern a lost or reordered byte would break. */
static unsigned char pattern(int s, long i)
{
	return (unsigned char)(i * 7 + s * 13 + (i >> 9));
}

/* Writes n pattern bytes of stream s to fd in uneven chunks; exits 1 on error. */
static void produce(int fd, int s, long n)
{
	long done = 0;
	int chunk = 1, i, w;

	while (done < n) {
		if (chunk > (int)sizeof(buf) || chunk > n - done)
			chunk = n - done < (long)sizeof(buf) ? (int)(n - done) : (int)sizeof(buf);
		for (i = 0; i < chunk; i++)
			buf[i] = pattern(s, done + i);
		w = write(fd, buf, chunk);
		if (w != chunk)
			exit(1);
		done += chunk;
		chunk = chunk * 3 + 1;
	}
}

/* Reads stream s from fd until end of file; returns 0 if exactly n right bytes came. */
static int consume(int fd, int s, long n)
{
	long got = 0;
	int r, i, want = 1;

	while ((r = read(fd, buf, want)) > 0) {
		for (i = 0; i < r; i++)
			if (buf[i] != pattern(s, got + i))
				return -1;
		got += r;
		want = want * 2 + 1;
		if (want > (int)sizeof(buf))
			want = 100;
	}
	return r == 0 && got == n ? 0 : -1;
}

/* One writer child, the parent reads. */
static void test_one_pipe(void)
{
	int p[2], pid, status = -5;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		produce(p[1], 0, 300000);
		exit(0);
	}
	close(p[1]);
	ok(consume(p[0], 0, 300000) == 0, "300000 bytes arrive intact through one pipe");
	close(p[0]);
	ok(wait(&status) == pid && status == 0, "the writer finished cleanly");
}

/* PAIRS pipes, each with its own writer and reader child, all at once. */
static void test_many_pipes(void)
{
	int p[2], s, pid, status, good = 1, children = 0;

	for (s = 0; s < PAIRS; s++) {
		if (pipe(p) < 0) {
			good = 0;
			break;
		}
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			produce(p[1], s + 1, PAIR_BYTES);
			exit(0);
		}
		if (pid > 0)
			children++;
		pid = fork();
		if (pid == 0) {
			close(p[1]);
			exit(consume(p[0], s + 1, PAIR_BYTES) == 0 ? 0 : 2);
		}
		if (pid > 0)
			children++;
		close(p[0]);
		close(p[1]);
	}
	while (children-- > 0) {
		if (wait(&status) < 0 || status != 0)
			good = 0;
	}
	ok(good, "%d pipes with %d processes all deliver their data", PAIRS, 2 * PAIRS);
}

/* Closes every ring pipe end except reading from pipe in and writing to pipe out. */
static void keep_ring_ends(int fds[RING][2], int in, int out)
{
	int j;

	for (j = 0; j < RING; j++) {
		if (j != in)
			close(fds[j][0]);
		if (j != out)
			close(fds[j][1]);
	}
}

/*
 * A ring of RING processes passes a counter ROUNDS times round. Member i
 * reads pipe i and writes pipe i+1; every member but the parent (member 0)
 * adds one. Closing the parent's write end then shuts the ring down member
 * by member through end-of-file.
 */
static void test_ring(void)
{
	int fds[RING][2], i, round, value = 0, good = 1, status, exited = 0;

	for (i = 0; i < RING; i++)
		pipe(fds[i]);
	for (i = 1; i < RING; i++) {
		if (fork() == 0) {
			keep_ring_ends(fds, i, (i + 1) % RING);
			while (read(fds[i][0], &value, sizeof(value)) == sizeof(value)) {
				value++;
				if (write(fds[(i + 1) % RING][1], &value, sizeof(value)) != sizeof(value))
					exit(1);
			}
			exit(0);
		}
	}
	keep_ring_ends(fds, 0, 1);
	for (round = 1; round <= ROUNDS && good; round++) {
		if (write(fds[1][1], &value, sizeof(value)) != sizeof(value) ||
		    read(fds[0][0], &value, sizeof(value)) != sizeof(value) ||
		    value != round * (RING - 1))
			good = 0;
	}
	ok(good, "a token goes %d times round a ring of %d processes (value %d)", ROUNDS,
	   RING, value);
	close(fds[1][1]);
	ok(read(fds[0][0], &value, sizeof(value)) == 0,
	   "closing one end shuts the whole ring down by end-of-file");
	close(fds[0][0]);
	for (i = 1; i < RING; i++)
		if (wait(&status) > 0 && status == 0)
			exited++;
	ok(exited == RING - 1, "every ring member exited cleanly (%d)", exited);
}

/* End of file for readers, failure for writers without readers. */
static void test_eof_and_broken_pipe(void)
{
	int p[2], pid, n1, n2;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		write(p[1], "hello", 5);
		exit(0);
	}
	close(p[1]);
	n1 = read(p[0], buf, 5);
	n2 = read(p[0], buf, 5);
	ok(n1 == 5 && n2 == 0, "the reader gets the data, then 0 at end of file");
	close(p[0]);
	wait(0);

	pipe(p);
	close(p[0]);
	ok(write(p[1], "x", 1) == -1, "writing to a pipe with no reader fails");
	close(p[1]);
}

int main(void)
{
	long before;

	tap_plan(9);
	before = free_pages();
	test_one_pipe();
	test_many_pipes();
	test_ring();
	test_eof_and_broken_pipe();
	check_no_leak(before, "pipetest");
	tap_done();
	return 0;
}
