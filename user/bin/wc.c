/* wc: counts lines, words and bytes of each file (or standard input). */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static char buf[1024];

/* Counts fd's contents and prints them with name; returns -1 on a read error. */
static int wc(int fd, const char *name)
{
	int n, i, in_word = 0;
	long lines = 0, words = 0, bytes = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		bytes += n;
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n')
				lines++;
			if (strchr(" \r\t\n\v", buf[i]) != 0) {
				in_word = 0;
			} else if (!in_word) {
				words++;
				in_word = 1;
			}
		}
	}
	if (n < 0) {
		fprintf(2, "wc: cannot read %s\n", name);
		return -1;
	}
	printf("%ld %ld %ld %s\n", lines, words, bytes, name);
	return 0;
}

int main(int argc, char *argv[])
{
	int i, fd, status = 0;

	if (argc < 2)
		exit(wc(0, "") < 0);
	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(2, "wc: cannot open %s\n", argv[i]);
			status = 1;
			continue;
		}
		if (wc(fd, argv[i]) < 0)
			status = 1;
		close(fd);
	}
	exit(status);
}
