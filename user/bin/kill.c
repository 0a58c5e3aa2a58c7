/* kill: kills processes by pid; they exit with status -1. */
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char *argv[])
{
	int i, status = 0;

	if (argc < 2) {
		fprintf(2, "usage: kill PID...\n");
		exit(1);
	}
	for (i = 1; i < argc; i++) {
		if (kill(atoi(argv[i])) < 0) {
			fprintf(2, "kill: no process %s\n", argv[i]);
			status = 1;
		}
	}
	exit(status);
}
