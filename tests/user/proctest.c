/*
 * proctest: processes. fork, exit status and wait; fork up to the process
 * limit; orphans reparented to init; kill of a sleeping and of a spinning
 * process; exec with arguments, of a missing binary and with bad argv;
 * init cannot be killed and only init may power the machine off.
 *
 * Run as "proctest"; it re-executes itself as "proctest -args ..." to check
 * the argument vector a new image receives.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "tap.h"

#define INIT_PID 1
#define ARGS_OK_STATUS 42

static struct procinfo procs[NPROC];

/* The "-args" mode: checks the argv that exec built and exits 42 if right. */
static void check_args(int argc, char **argv)
{
	static const char *want[] = { "proctest", "-args", "one", "", "three words" };
	int i;

	if (argc != 5 || argv[argc] != 0)
		exit(1);
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], want[i]) != 0)
			exit(2 + i);
	if (((uint64)argv & 7) != 0 || (r_sp() & 15) != 0)
		exit(10);
	exit(ARGS_OK_STATUS);
}

/*
 * True when procinfo lists exactly one process with our pid and it is a
 * running "proctest": a getpid() that returned another number (the
 * parent's, a slot index) would name a different or no process.
 */
static int self_in_procinfo(void)
{
	int n = procinfo(procs, NPROC), i, found = 0, me = getpid();

	for (i = 0; i < n; i++) {
		if (procs[i].pid != me || procs[i].state == PROCINFO_UNUSED)
			continue;
		found++;
		if (procs[i].state != PROCINFO_RUNNING ||
		    strcmp(procs[i].name, "proctest") != 0)
			return 0;
	}
	return found == 1;
}

/* fork/exit/wait: statuses come back exactly, and wait returns the right pid. */
static void test_exit_status(void)
{
	static const int codes[] = { 0, 1, 7, 255, 256, -1, -12345, 0x7fffffff };
	int i, pid, status, good = 1;

	for (i = 0; i < (int)(sizeof(codes) / sizeof(codes[0])); i++) {
		pid = fork();
		if (pid == 0)
			exit(codes[i]);
		status = 0x5a5a;
		if (pid < 0 || wait(&status) != pid || status != codes[i]) {
			diag("exit(%d) came back as %d", codes[i], status);
			good = 0;
		}
	}
	ok(good, "wait returns each child's pid and exact exit status");

	pid = fork();
	if (pid == 0)
		exit(3);
	ok(pid > 0 && wait(0) == pid, "wait(0) reaps without storing a status");
	ok(wait(&status) == -1, "wait with no children returns -1");
	ok(self_in_procinfo(), "getpid names this process in procinfo (running proctest)");
}

/* Parent and child see different pids and the child's returns 0 from fork. */
static void test_fork_identity(void)
{
	int p[2], pid, child_pid = 0, self = getpid();

	pipe(p);
	pid = fork();
	if (pid == 0) {
		int me = getpid();

		write(p[1], &me, sizeof(me));
		exit(me == self ? 1 : 0);
	}
	read(p[0], &child_pid, sizeof(child_pid));
	close(p[0]);
	close(p[1]);
	ok(pid > 0 && child_pid == pid && wait(0) == pid,
	   "fork returns the child's pid to the parent, who sees it as getpid in the child");
}

/*
 * Forks children that block on a pipe until fork fails; then lets them all
 * go. The limit must be reached cleanly (-1, no crash) near NPROC.
 */
static void test_process_limit(void)
{
	int p[2], n = 0, pid, reaped = 0;
	char c;

	pipe(p);
	for (;;) {
		pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			close(p[1]);
			read(p[0], &c, 1); /* returns 0 once the parent closes */
			exit(0);
		}
		n++;
		if (n > 2 * NPROC)
			break;
	}
	close(p[0]);
	close(p[1]);
	while (wait(0) > 0)
		reaped++;
	diag("forked %d children before fork failed", n);
	ok(pid < 0 && n >= NPROC - 8 && n < NPROC,
	   "fork fails cleanly at the process limit (NPROC %d)", NPROC);
	ok(reaped == n, "all %d children at the limit exit and are reaped", n);

	pid = fork();
	if (pid == 0)
		exit(0);
	ok(pid > 0 && wait(0) == pid, "fork works again after the limit");
}

/* Returns the parent pid of pid from procinfo, or -1. */
static int parent_of(int pid)
{
	int n = procinfo(procs, NPROC), i;

	for (i = 0; i < n; i++)
		if (procs[i].pid == pid && procs[i].state != PROCINFO_UNUSED)
			return procs[i].ppid;
	return -1;
}

/*
 * A child forks a grandchild and exits; the grandchild must end up as
 * init's child and still be able to report through a pipe.
 */
static void test_orphans(void)
{
	int p[2], pid, tries;
	char verdict = 'n';

	pipe(p);
	pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			/* Grandchild: wait to be orphaned, then check the new parent. */
			for (tries = 0; tries < 200; tries++) {
				if (parent_of(getpid()) == INIT_PID) {
					verdict = 'y';
					break;
				}
				pause(1);
			}
			write(p[1], &verdict, 1);
			exit(0);
		}
		exit(0);
	}
	close(p[1]);
	ok(wait(0) == pid, "the middle process exits");
	verdict = 'x';
	read(p[0], &verdict, 1);
	close(p[0]);
	ok(verdict == 'y', "the orphaned grandchild is reparented to init (pid 1)");
	ok(wait(0) == -1, "the orphan is not our child any more");
}

/* A child that sleeps a long time (pause) is killed promptly, status -1. */
static void test_kill_sleeping(void)
{
	int pid, status = 0, t0;

	pid = fork();
	if (pid == 0) {
		pause(100000);
		exit(0);
	}
	pause(2);
	t0 = uptime();
	ok(kill(pid) == 0, "kill of a sleeping child succeeds");
	ok(wait(&status) == pid && status == -1,
	   "the killed sleeper exits with status -1 (got %d)", status);
	ok(uptime() - t0 < 50, "the sleeper died without waiting out its pause");
}

/* A child spinning in user mode is killed at its next trap, status -1. */
static void test_kill_spinning(void)
{
	int pid, status = 0;
	volatile unsigned long spin = 0;

	pid = fork();
	if (pid == 0) {
		for (;;)
			spin++;
	}
	pause(2);
	ok(kill(pid) == 0, "kill of a spinning child succeeds");
	ok(wait(&status) == pid && status == -1,
	   "the killed spinner exits with status -1 (got %d)", status);
	ok(kill(pid) == -1, "kill of a reaped pid fails");
	ok(kill(-1) == -1 && kill(0) == -1 && kill(1000000) == -1,
	   "kill of pids that never existed fails");
}

/*
 * calf's rules for the machine's lifeline: init (pid 1) cannot be killed,
 * by anyone, and only init may power off. Before these rules kill(1)
 * panicked the kernel ("init exited") and any process could end the run.
 */
static void test_init_protected(void)
{
	ok(kill(INIT_PID) == -1, "kill(1) returns -1: init cannot be killed");
	pause(2);
	ok(parent_of(INIT_PID) >= 0, "init is still alive after kill(1)");
	ok(poweroff(0) == -1, "poweroff from a process other than init returns -1");
}

/* exec: arguments arrive intact; a missing binary or a bad argv returns -1. */
static void test_exec(void)
{
	static char *args[] = { "proctest", "-args", "one", "", "three words", 0 };
	static char *none[] = { "nosuchprogram", 0 };
	static char *bad_entry[] = { "echo", (char *)0xffffffc000000000UL, 0 };
	int pid, status = 0;

	pid = fork();
	if (pid == 0) {
		exec("proctest", args);
		exec("/proctest", args);
		exit(99);
	}
	ok(wait(&status) == pid && status == ARGS_OK_STATUS,
	   "exec passes argc/argv intact (status %d)", status);

	ok(exec("nosuchprogram", none) == -1, "exec of a missing binary returns -1");
	ok(exec("echo", (char **)0xffffffc000000000UL) == -1,
	   "exec with a kernel-address argv returns -1");
	ok(exec("echo", bad_entry) == -1, "exec with a bad argv entry returns -1");
	ok(exec("echo", (char **)0x3fffffe000UL) == -1,
	   "exec with argv above the user limit returns -1");
	ok(getpid() > 0, "the process survives its failed execs");
}

int main(int argc, char *argv[])
{
	long before;

	if (argc > 1 && strcmp(argv[1], "-args") == 0)
		check_args(argc, argv);

	tap_plan(28);
	before = free_pages();
	test_exit_status();
	test_fork_identity();
	test_process_limit();
	test_orphans();
	test_kill_sleeping();
	test_kill_spinning();
	test_init_protected();
	test_exec();
	check_no_leak(before, "proctest");
	tap_done();
	return 0;
}
