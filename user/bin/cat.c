/* cat: copies each named file (or standard input) to standard output. */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static char buf[1024];

/* Copies fd to standard output; returns 0, or -1 on a read or write error. */
static int copy(int fd, const char *name)
{
	int n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(1, buf, n) != n) {
			fprintf(2, "cat: write error\n");
			return -1;
		}
	}
	if (n < 0) {
		fprintf(2, "cat: cannot read %s\n", name);
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int i, fd, status = 0;

	if (argc < 2)
		exit(copy(0, "standard input") < 0);
	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(2, "cat: cannot open %s\n", argv[i]);
			status = 1;
			continue;
		}
		if (copy(fd, argv[i]) < 0)
			status = 1;
		close(fd);
	}
	exit(status);
}
