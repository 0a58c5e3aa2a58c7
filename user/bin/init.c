/*
 * init: the first user process.
 *
 * It opens the console as file descriptors 0, 1 and 2 (creating the device
 * node "console" if the file system lacks one), then reads the kernel
 * command line. With a token run=PROG[,ARG...] it runs that one program as
 * a test: it records the free page count, runs PROG with the given
 * arguments, waits for it and for every process it left behind, records
 * the free page count again and powers the machine off with PROG's exit
 * status (non-zero as well when pages leaked). The lines it prints start
 * with "# calf:" so that TAP readers take them as comments:
 *
 *   # calf: run PROG
 *   # calf: free pages before N after M
 *   # calf: LEAK of K pages            (only when M < N)
 *   # calf: INVARIANT: ...             (the kernel's kcheck, when broken)
 *   # calf: exit status S
 *
 * After the test and its leftovers are gone, init asks the kernel to check
 * its memory invariants (kcheck); a violation makes the verdict non-zero
 * and the kernel prints what broke.
 *
 * Without run= it starts the shell and restarts it whenever it exits.
 * Either way init also reaps orphans, which the kernel hands to it.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"

#define CONSOLE_MAJOR 1 /* the console's device number (kernel file.h: CONSOLE) */
#define CMDLINE_MAX 512
#define DRAIN_TRIES 100 /* pauses to wait for leftover processes to finish */

static char cmdline[CMDLINE_MAX];
static char *run_argv[MAXARG + 1];
static struct procinfo procs[NPROC];

/* Makes fds 0, 1 and 2 the console. */
static void open_console(void)
{
	if (open("console", O_RDWR) < 0) {
		mknod("console", CONSOLE_MAJOR, 0);
		if (open("console", O_RDWR) < 0)
			exit(1); /* nowhere to complain to */
	}
	dup(0);
	dup(0);
}

/*
 * Finds the run= token in the command line and splits its value at commas
 * into run_argv, in place. Returns the number of arguments, 0 if there is
 * no run= token.
 */
static int parse_run(char *s)
{
	int argc = 0;
	char *p;

	for (p = s; *p != '\0'; p++) {
		if ((p == s || p[-1] == ' ') && p[0] == 'r' && p[1] == 'u' &&
		    p[2] == 'n' && p[3] == '=')
			break;
	}
	if (*p == '\0')
		return 0;
	p += 4;
	while (*p != '\0' && *p != ' ' && *p != '\n' && argc < MAXARG) {
		run_argv[argc++] = p;
		while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\n')
			p++;
		if (*p == ',')
			*p++ = '\0';
		else
			*p = '\0';
	}
	run_argv[argc] = 0;
	return argc;
}

/* Returns the kernel's free page count, or -1 if memstat fails. */
static long free_pages(void)
{
	struct memstat ms;

	if (memstat(&ms) < 0)
		return -1;
	return (long)ms.free_pages;
}

/*
 * Counts live processes other than init; zombies that are init's children
 * are reaped on the way. Returns -1 if procinfo fails.
 */
static int others_alive(int self)
{
	int n, i, alive = 0;

	n = procinfo(procs, NPROC);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (procs[i].pid == self || procs[i].state == PROCINFO_UNUSED)
			continue;
		if (procs[i].state == PROCINFO_ZOMBIE && procs[i].ppid == self)
			wait(0);
		else
			alive++;
	}
	return alive;
}

/*
 * Waits until every process but init has gone, so that the free page count
 * is comparable with the one taken before the test. Processes still alive
 * after DRAIN_TRIES pauses are killed and reaped.
 */
static void drain_leftovers(void)
{
	int self = getpid(), tries, i, n;

	for (tries = 0; tries < DRAIN_TRIES; tries++) {
		n = others_alive(self);
		if (n <= 0)
			return;
		pause(1);
	}
	n = procinfo(procs, NPROC);
	printf("# calf: killing processes left behind by the test\n");
	for (i = 0; i < n; i++) {
		if (procs[i].pid != self && procs[i].state != PROCINFO_UNUSED &&
		    procs[i].state != PROCINFO_ZOMBIE) {
			printf("# calf:   pid %d (%s)\n", procs[i].pid, procs[i].name);
			kill(procs[i].pid);
		}
	}
	while (wait(0) >= 0)
		;
}

/* Runs run_argv as a test and powers off with its verdict. Does not return. */
static void run_test(void)
{
	long before, after;
	int pid, wpid, status = 0, verdict, checked;

	printf("# calf: run %s\n", run_argv[0]);
	before = free_pages();
	pid = fork();
	if (pid < 0) {
		printf("# calf: fork failed\n");
		poweroff(1);
	}
	if (pid == 0) {
		exec(run_argv[0], run_argv);
		printf("# calf: exec %s failed\n", run_argv[0]);
		exit(127);
	}
	/* Orphans may come back from wait() first; skip them. */
	while ((wpid = wait(&status)) != pid) {
		if (wpid < 0) {
			printf("# calf: lost the test process\n");
			status = 1;
			break;
		}
	}
	drain_leftovers();
	after = free_pages();
	checked = kcheck();

	printf("# calf: free pages before %ld after %ld\n", before, after);
	verdict = status;
	if (after < before) {
		printf("# calf: LEAK of %ld pages\n", before - after);
		if (verdict == 0)
			verdict = 1;
	}
	if (checked != 0 && verdict == 0)
		verdict = 1;
	printf("# calf: exit status %d\n", status);
	poweroff(verdict);
	for (;;)
		pause(1000);
}

/* Runs the shell forever, reaping orphans between its lives. */
static void run_shell(void)
{
	static char *sh_argv[] = { "sh", 0 };
	int pid, wpid;

	for (;;) {
		printf("init: starting sh\n");
		pid = fork();
		if (pid < 0) {
			printf("init: fork failed\n");
			pause(10);
			continue;
		}
		if (pid == 0) {
			exec("sh", sh_argv);
			printf("init: exec sh failed\n");
			exit(1);
		}
		while ((wpid = wait(0)) != pid) {
			if (wpid < 0) {
				printf("init: wait returned an error\n");
				break;
			}
		}
	}
}

int main(void)
{
	int n;

	open_console();
	n = kcmdline(cmdline, sizeof(cmdline));
	cmdline[CMDLINE_MAX - 1] = '\0';
	if (n >= 0 && parse_run(cmdline) > 0)
		run_test();
	run_shell();
	return 0;
}
