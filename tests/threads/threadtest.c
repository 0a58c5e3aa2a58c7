/*
 * threadtest: the thread API. Create, join and exit many threads; the
 * mutex under contention; futex errors; exit(), kill() and exec() of a
 * process with several threads; fork from a thread; running out of
 * thread slots. Every process-level case runs in a child so that the free
 * page count can be checked afterwards.
 */
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "../user/tap.h"
#include "user/thread.h"

#define STACK_SIZE 8192
#define MAXT 64

static char *stacks[MAXT];
static volatile int spin_go;

static char *stack_of(int i)
{
	if (!stacks[i])
		stacks[i] = malloc(STACK_SIZE);
	return stacks[i];
}

static int ret_arg(void *arg)
{
	return (int)(uint64)arg;
}

static int exit_arg(void *arg)
{
	thread_exit((int)(uint64)arg + 1000);
}

/* Many rounds of create + join, statuses checked. */
static void t_create_join(void)
{
	int round, i, bad = 0, tids[8];

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 8; i++) {
			tids[i] = thread_create(i & 1 ? exit_arg : ret_arg,
						(void *)(uint64)(round * 8 + i),
						stack_of(i), STACK_SIZE);
			if (tids[i] <= 0)
				bad++;
		}
		for (i = 0; i < 8; i++) {
			int st = -1, want = round * 8 + i + (i & 1 ? 1000 : 0);
			if (thread_join(tids[i], &st) != tids[i] || st != want)
				bad++;
		}
	}
	ok(bad == 0, "400 threads created and joined with their statuses (%d bad)", bad);
}

static int tid_seen;
static int record_tid(void *arg)
{
	tid_seen = gettid();
	return getpid();
}

static void t_ids(void)
{
	int st = 0, tid = thread_create(record_tid, 0, stack_of(0), STACK_SIZE);

	ok(thread_join(tid, &st) == tid && tid_seen == tid && st == getpid() &&
	   gettid() == getpid() && tid != getpid(),
	   "gettid is the thread's id, getpid the process's");
	ok(thread_join(gettid(), 0) == -1 && thread_join(tid, 0) == -1 &&
	   thread_join(99999, 0) == -1,
	   "joining oneself, a joined thread or no thread fails");
	ok(thread_create(ret_arg, 0, 0, STACK_SIZE) == -1 &&
	   sys_thread_create(0x1000, 0x7, 0, 0) == -1 &&
	   sys_thread_create(~0UL, 0x10000, 0, 0) == -1,
	   "thread_create refuses a missing or misaligned stack, a kernel pc");
}

static struct mutex mu;
static volatile long count_a, count_b;
#define INCS 20000

static int incrementer(void *arg)
{
	int i;

	for (i = 0; i < INCS; i++) {
		mutex_lock(&mu);
		count_a++;
		count_b += 2;
		mutex_unlock(&mu);
	}
	return 0;
}

static void t_mutex(void)
{
	int i, tids[4], bad = 0;

	mutex_init(&mu);
	for (i = 0; i < 4; i++)
		tids[i] = thread_create(incrementer, 0, stack_of(i), STACK_SIZE);
	for (i = 0; i < 4; i++)
		if (thread_join(tids[i], 0) != tids[i])
			bad++;
	ok(bad == 0 && count_a == 4 * INCS && count_b == 8 * INCS,
	   "4 threads x %d increments under the mutex: %ld and %ld", INCS,
	   count_a, count_b);
}

/* A bounded queue: two producers, two consumers, a mutex and two
 * condition variables. Every item arrives exactly once. */
#define QN 8
#define ITEMS 3000
static struct mutex qm;
static struct cond not_full, not_empty;
static int queue[QN], qhead, qcount;
static volatile int consumed_sum, consumed_n;

static int producer(void *arg)
{
	int i, base = (int)(uint64)arg * ITEMS;

	for (i = 1; i <= ITEMS; i++) {
		mutex_lock(&qm);
		while (qcount == QN)
			cond_wait(&not_full, &qm);
		queue[(qhead + qcount++) % QN] = base + i;
		cond_signal(&not_empty);
		mutex_unlock(&qm);
	}
	return 0;
}

static int consumer(void *arg)
{
	for (;;) {
		int v;

		mutex_lock(&qm);
		while (qcount == 0)
			cond_wait(&not_empty, &qm);
		v = queue[qhead];
		qhead = (qhead + 1) % QN;
		qcount--;
		cond_signal(&not_full);
		if (v < 0) {
			mutex_unlock(&qm);
			return 0;
		}
		consumed_sum += v;
		consumed_n++;
		mutex_unlock(&qm);
	}
}

static void t_cond(void)
{
	int i, tids[4], want = 0;

	mutex_init(&qm);
	cond_init(&not_full);
	cond_init(&not_empty);
	tids[0] = thread_create(producer, (void *)0, stack_of(0), STACK_SIZE);
	tids[1] = thread_create(producer, (void *)1, stack_of(1), STACK_SIZE);
	tids[2] = thread_create(consumer, 0, stack_of(2), STACK_SIZE);
	tids[3] = thread_create(consumer, 0, stack_of(3), STACK_SIZE);
	thread_join(tids[0], 0);
	thread_join(tids[1], 0);
	for (i = 0; i < 2; i++) { /* one stop item per consumer */
		mutex_lock(&qm);
		while (qcount == QN)
			cond_wait(&not_full, &qm);
		queue[(qhead + qcount++) % QN] = -1;
		cond_signal(&not_empty);
		mutex_unlock(&qm);
	}
	thread_join(tids[2], 0);
	thread_join(tids[3], 0);
	for (i = 1; i <= ITEMS; i++)
		want += i + (ITEMS + i);
	ok(consumed_n == 2 * ITEMS && consumed_sum == want,
	   "producers and consumers on condition variables: %d items, sum %s",
	   consumed_n, consumed_sum == want ? "right" : "wrong");
}

static int futex_word;
static volatile int sleeper_up;
static int futex_sleeper(void *arg)
{
	sleeper_up = 1;
	while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) == 0)
		futex_wait(&futex_word, 0);
	return 7;
}

/* Wakes futex_word's sleepers after a while, in case a broken futex_wait
 * slept although the word differed: the check below then fails instead of
 * hanging. */
static int late_waker(void *arg)
{
	int i;

	for (i = 0; i < 50; i++) {
		pause(1);
		futex_wake(&futex_word, 10);
	}
	return 0;
}

static void t_futex(void)
{
	int st = 0, tid, woken = 0, tries, r;

	tid = thread_create(late_waker, 0, stack_of(1), STACK_SIZE);
	r = futex_wait(&futex_word, 1);
	thread_join(tid, 0);
	ok(r == -1, "futex_wait returns at once when the word differs");
	ok(futex_wait((int *)3, 0) == -1 && futex_wake((int *)((char *)&futex_word + 1), 1) == -1 &&
	   futex_wait((int *)0xffffffffffff0000UL, 0) == -1,
	   "futex calls refuse misaligned and kernel addresses");
	tid = thread_create(futex_sleeper, 0, stack_of(0), STACK_SIZE);
	while (!sleeper_up)
		;
	pause(2); /* let it fall asleep */
	__atomic_store_n(&futex_word, 1, __ATOMIC_RELEASE);
	for (tries = 0; tries < 100 && woken == 0; tries++)
		woken = futex_wake(&futex_word, 1);
	ok(thread_join(tid, &st) == tid && st == 7,
	   "a futex sleeper is woken by futex_wake (woken %d)", woken);
}

/* Four threads open, read, dup and close descriptors of the one shared
 * table, closing each other's too. */
static int fd_racer(void *arg)
{
	unsigned seed = (unsigned)(uint64)arg * 7919 + 1;
	char buf[16];
	int i, fd;

	for (i = 0; i < 1500; i++) {
		seed = seed * 1103515245 + 12345;
		fd = open("threadtest", O_RDONLY);
		if (fd >= 0)
			read(fd, buf, sizeof(buf));
		if (seed & 0x100)
			dup(3 + (seed >> 16) % 13);
		read(3 + (seed >> 20) % 13, buf, 1);
		close(3 + (seed >> 8) % 13);
		if (fd >= 0 && (seed & 0x200))
			close(fd);
	}
	return 0;
}

static void t_fd_race(void)
{
	int i, tids[4], n = 0, fds[NOFILE];

	for (i = 0; i < 4; i++)
		tids[i] = thread_create(fd_racer, (void *)(uint64)i, stack_of(i),
					STACK_SIZE);
	for (i = 0; i < 4; i++)
		thread_join(tids[i], 0);
	for (i = 3; i < NOFILE; i++)
		close(i);
	/* Nothing leaked: the table fills again, and so does the system's. */
	for (i = 3; i < NOFILE; i++) {
		fds[i] = open("threadtest", O_RDONLY);
		n += fds[i] == i;
	}
	for (i = 3; i < NOFILE; i++)
		close(fds[i]);
	ok(n == NOFILE - 3, "4 threads racing on one descriptor table (%d of %d reopened)",
	   n, NOFILE - 3);
}

static int pipe_fds[2];
static char pipe_got;

static int pipe_reader(void *arg)
{
	return read(pipe_fds[0], &pipe_got, 1);
}

/* A read blocked on a pipe keeps its file open while another thread
 * closes the descriptor (as on Linux): a write still reaches it. */
static void t_close_under_read(void)
{
	int st = -1, w, tid;

	pipe(pipe_fds);
	tid = thread_create(pipe_reader, 0, stack_of(0), STACK_SIZE);
	pause(3);
	close(pipe_fds[0]);
	w = write(pipe_fds[1], "x", 1);
	thread_join(tid, &st);
	close(pipe_fds[1]);
	ok(w == 1 && st == 1 && pipe_got == 'x',
	   "close() under a blocked read: the read still gets the byte (write %d, read %d)",
	   w, st);
}

/* ---- process-level cases, each in a child ---- */

static int spinner(void *arg)
{
	volatile long *p = arg;

	for (;;)
		(*p)++;
	return 0;
}

static int sleeper(void *arg)
{
	static int never;

	for (;;)
		futex_wait(&never, 0);
	return 0;
}

static int exit_process(void *arg)
{
	pause(2);
	exit((int)(uint64)arg);
}

static void child_exit_from_thread(unsigned long st)
{
	static long c1, c2;

	thread_create(spinner, (void *)&c1, stack_of(0), STACK_SIZE);
	thread_create(sleeper, 0, stack_of(1), STACK_SIZE);
	thread_create(spinner, (void *)&c2, stack_of(2), STACK_SIZE);
	thread_create(exit_process, (void *)st, stack_of(3), STACK_SIZE);
	for (;;)
		pause(1);
}

static int leader_exit_late(void *arg)
{
	pause(5);
	thread_exit(3);
}

static void child_leader_thread_exit(unsigned long unused)
{
	thread_create(leader_exit_late, 0, stack_of(0), STACK_SIZE);
	thread_exit(5); /* the process goes on until the other thread ends */
}

static void child_kill_target(unsigned long unused)
{
	static long c1;

	thread_create(spinner, (void *)&c1, stack_of(0), STACK_SIZE);
	thread_create(sleeper, 0, stack_of(1), STACK_SIZE);
	thread_create(spinner, (void *)&c1, stack_of(2), STACK_SIZE);
	for (;;)
		futex_wait(&futex_word, futex_word);
}

static int exec_it(void *arg)
{
	char *argv[] = {"threadtest", "exit42", 0};

	pause(2);
	exec("threadtest", argv);
	return 99;
}

static void child_exec(unsigned long from_thread)
{
	static long c1;
	char *argv[] = {"threadtest", "exit42", 0};

	thread_create(spinner, (void *)&c1, stack_of(0), STACK_SIZE);
	thread_create(sleeper, 0, stack_of(1), STACK_SIZE);
	if (from_thread) {
		thread_create(exec_it, 0, stack_of(2), STACK_SIZE);
		if (from_thread == 2)
			thread_exit(5); /* waits in the kernel for the others */
		for (;;)
			pause(1);
	}
	pause(2);
	exec("threadtest", argv);
	exit(99);
}

/* How many threads procinfo lists for process pid. */
static int threads_of(int pid)
{
	static struct procinfo ps[NPROC];
	int n = procinfo(ps, NPROC), i, t = 0;

	for (i = 0; i < n; i++)
		if (ps[i].tgid == pid && ps[i].state != PROCINFO_ZOMBIE &&
		    ps[i].state != PROCINFO_UNUSED)
			t++;
	return t;
}

static int fork_from_thread(void *arg)
{
	int pid = fork(), st = -1;

	if (pid == 0)
		exit(threads_of(getpid()) == 1 ? 11 : 12);
	if (pid < 0 || wait(&st) != pid)
		return 1;
	return st == 11 ? 0 : 2;
}

static void child_fork_thread(unsigned long unused)
{
	static long c1;
	int st = -1, tid;

	thread_create(spinner, (void *)&c1, stack_of(0), STACK_SIZE);
	tid = thread_create(fork_from_thread, 0, stack_of(1), STACK_SIZE);
	if (threads_of(getpid()) < 2 || thread_join(tid, &st) != tid)
		exit(3);
	exit(st);
}

/* Threads until the process table is full; with join, they end and are
 * joined, and the table fills again; then exit() ends the rest. */
static void child_exhaust(unsigned long join)
{
	int n = 0, i, tids[MAXT], again = 0;

	while (n < MAXT) {
		int t = thread_create(sleeper, 0, stack_of(n), STACK_SIZE);
		if (t < 0)
			break;
		tids[n++] = t;
	}
	if (n < 8 || n == MAXT)
		exit(100 + n);
	(void)tids;
	/* The table is full: one more fails, and keeps failing. */
	for (i = 0; i < 10; i++)
		if (thread_create(ret_arg, 0, stack_of(n), STACK_SIZE) < 0)
			again++;
	exit(again == 10 ? 0 : 1); /* ends all n threads */
}

/* Grows the shared heap lazily and touches it until memory runs out. */
static int hog(void *arg)
{
	for (;;) {
		char *p = sbrklazy(64 * 4096);
		int i;

		if (p == (char *)-1)
			continue; /* the address space is full: keep faulting */
		for (i = 0; i < 64; i++)
			p[i * 4096] = 1;
	}
	return 0;
}

/* Four threads take every free page; the out-of-memory killer ends the
 * process (all its threads), and every page comes back. */
static void child_hog(unsigned long unused)
{
	int i;

	for (i = 0; i < 4; i++)
		thread_create(hog, 0, stack_of(i), STACK_SIZE);
	hog(0);
}

static void child_bad_pc(unsigned long pc)
{
	sys_thread_create(pc, (uint64)stack_of(0) + STACK_SIZE, 0, 0);
	pause(20);
	exit(0);
}

static void child_bad_stack(unsigned long sp)
{
	sys_thread_create((uint64)exit_arg, sp, 0, 0); /* pushes a frame */
	pause(20);
	exit(0);
}

/* Hostile arguments end in an error or in the process being killed. */
static void t_hostile(void)
{
	ok(run_in_child(child_bad_pc, 0x10) == -1 &&
	   run_in_child(child_bad_pc, 0x3fff000000UL) == -1,
	   "a thread started at an unmapped pc kills its process");
	ok(run_in_child(child_bad_stack, 0x3000000000UL) == -1,
	   "a thread given an unmapped stack kills its process");
	ok(futex_wait((int *)0x3000000000UL, 0) == -1 &&
	   futex_wake((int *)0x3000000000UL, 5) == 0 &&
	   futex_wait((int *)0x1000, 12345) == -1,
	   "futex on unmapped memory fails, on text does not sleep");
	ok(thread_join(-1, 0) == -1 && thread_join(0, 0) == -1 &&
	   thread_join(getpid(), 0) == -1 &&
	   thread_join(gettid(), (int *)0x10) == -1,
	   "join of nonsense ids fails");
}

/*
 * run_in_child() with a watchdog: a child still running after 10 s (a
 * process whose threads failed to end) is killed, and -2000 fails the
 * check instead of the test hanging. The watchdog says it fired through a
 * pipe before it kills: its exit status could be lost, since the parent,
 * woken by the kill, may kill the watchdog before it exits.
 */
static int run_watched(void (*fn)(unsigned long), unsigned long arg)
{
	int pid, dog, st = -1000, fired[2];
	char c;

	if (pipe(fired) < 0)
		return -3000;
	pid = fork();
	if (pid == 0) {
		close(fired[0]);
		close(fired[1]);
		fn(arg);
		exit(0);
	}
	dog = fork();
	if (dog == 0) {
		pause(1000);
		write(fired[1], "!", 1);
		kill(pid);
		exit(0);
	}
	close(fired[1]);
	while (pid > 0) {
		int s, w = wait(&s);
		if (w == pid)
			st = s;
		if (w == pid || w < 0)
			break;
	}
	kill(dog);
	wait(0);
	if (read(fired[0], &c, 1) == 1)
		st = -2000; /* the watchdog fired */
	close(fired[0]);
	return st;
}

static void t_process(void)
{
	long before = free_pages();
	int pid, st = -1;

	ok(run_watched(child_exit_from_thread, 9) == 9,
	   "exit() in one thread ends all of them with its status");
	ok(run_watched(child_leader_thread_exit, 0) == 5,
	   "the first thread's thread_exit: the process ends with it when the last one ends");
	pid = fork();
	if (pid == 0)
		child_kill_target(0);
	pause(5);
	ok(kill(pid) == 0 && wait(&st) == pid && st == -1,
	   "kill() ends a process of spinning and sleeping threads (status %d)", st);
	ok(run_watched(child_exec, 0) == 42,
	   "exec from the first thread ends the others");
	ok(run_watched(child_exec, 1) == 42,
	   "exec from another thread ends the others, the pid stays");
	ok(run_watched(child_exec, 2) == 42,
	   "exec from a thread while the first one waits in thread_exit");
	ok(run_watched(child_fork_thread, 0) == 0,
	   "fork from a thread: the child has one thread; a thread can wait for it");
	st = run_watched(child_exhaust, 0);
	ok(st == 0, "threads until the table is full, then exit (status %d)", st);
	st = run_watched(child_hog, 0);
	ok(st == -1, "five threads until memory runs out: the process is killed (status %d)", st);
	check_no_leak(before, "the processes and threads above");
}

int main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "exit42") == 0)
		exit(threads_of(getpid()) == 1 ? 42 : 43);
	tap_plan(25);
	t_create_join();
	t_ids();
	t_mutex();
	t_cond();
	t_futex();
	t_fd_race();
	t_close_under_read();
	t_hostile();
	t_process();
	tap_done();
	return 0;
}
