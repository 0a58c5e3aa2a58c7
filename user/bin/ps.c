/*
 * ps: lists processes and their threads: thread id, process id, parent,
 * state, hart, resident pages (of the process's address space), threads of
 * the process (on its first thread's line), name.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"

static struct procinfo procs[NPROC];

/* Returns a short name for a PROCINFO_* state. */
static const char *state_name(int state)
{
	switch (state) {
	case PROCINFO_SLEEPING:
		return "sleep";
	case PROCINFO_RUNNABLE:
		return "runble";
	case PROCINFO_RUNNING:
		return "run";
	case PROCINFO_ZOMBIE:
		return "zombie";
	default:
		return "?";
	}
}

int main(int argc, char *argv[])
{
	int n, i;

	if (argc > 1) {
		fprintf(2, "usage: ps\n");
		exit(1);
	}
	n = procinfo(procs, NPROC);
	if (n < 0) {
		fprintf(2, "ps: procinfo failed\n");
		exit(1);
	}
	printf("  TID   PID  PPID STATE  CPU  PAGES THR NAME\n");
	for (i = 0; i < n; i++) {
		if (procs[i].state == PROCINFO_UNUSED)
			continue;
		printf("%5d %5d %5d %-6s ", procs[i].pid, procs[i].tgid,
		       procs[i].ppid, state_name(procs[i].state));
		if (procs[i].cpu >= 0)
			printf("%3d ", procs[i].cpu);
		else
			printf("  - ");
		printf("%6ld ", procs[i].mem_pages);
		if (procs[i].pid == procs[i].tgid)
			printf("%3d %s\n", procs[i].nthreads, procs[i].name);
		else
			printf("  - %s (thread)\n", procs[i].name);
	}
	exit(0);
}
