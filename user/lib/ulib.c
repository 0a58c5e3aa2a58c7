/*
 * The rest of the xv6 user library: heap growth, line input, number
 * parsing and stat().
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/syscall.h"
#include "user/user.h"

/* Moves the break by n bytes, allocating (or freeing) the memory now. */
char *sbrk(int n)
{
	return sys_sbrk(n, SBRK_MODE_EAGER);
}

/* Moves the break by n bytes; new pages are only allocated when touched. */
char *sbrklazy(int n)
{
	return sys_sbrk(n, SBRK_MODE_LAZY);
}

/* The name pause() had before xv6's 2025 edition. */
int sleep(int ticks)
{
	return pause(ticks);
}

/*
 * Reads one line from fd 0 into buf, at most max-1 bytes, keeping the
 * newline (or carriage return). Stops early at end of input; buf is always
 * NUL terminated, and is empty at end of input. Returns buf.
 */
char *gets(char *buf, int max)
{
	int i = 0;
	char c;

	while (i + 1 < max) {
		if (read(0, &c, 1) < 1)
			break;
		buf[i++] = c;
		if (c == '\n' || c == '\r')
			break;
	}
	buf[i] = '\0';
	return buf;
}

/* Parses leading decimal digits (after an optional '-'); stops at the first non-digit. */
int atoi(const char *s)
{
	int neg = 0, n = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return neg ? -n : n;
}

/* Fills st for the file at path; returns 0, or -1 if it cannot be opened. */
int stat(const char *path, struct stat *st)
{
	int fd, r;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	close(fd);
	return r;
}
