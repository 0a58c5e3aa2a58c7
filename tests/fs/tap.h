/*
 * A tiny TAP harness for the file-system test programs. A program lists
 * its checks in a table; each check prints its own diagnostics as "# ..."
 * lines and returns 1 for pass, 0 for fail. tap_run() prints the plan,
 * one "ok N - name" / "not ok N - name" line per check, and exits 0 only
 * when every check passed.
 *
 * User stacks are one page: test data lives in static buffers.
 */
#ifndef CALF_TESTS_FS_TAP_H
#define CALF_TESTS_FS_TAP_H

#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"

struct check {
	const char *name;
	int (*fn)(void);
};

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("#   line %d: %s\n", __LINE__, #cond);          \
			return 0;                                              \
		}                                                              \
	} while (0)

static inline void tap_run(const struct check *checks, int n)
{
	int failed = 0;

	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		int ok = checks[i].fn();
		printf("%s %d - %s\n", ok ? "ok" : "not ok", i + 1,
		       checks[i].name);
		failed += !ok;
	}
	exit(failed ? 1 : 0);
}

/* Writes prefix followed by the decimal n into buf (no snprintf here). */
static inline char *numname(char *buf, const char *prefix, int n)
{
	char digits[12];
	int len = 0, i = 0;

	while (*prefix)
		buf[i++] = *prefix++;
	do {
		digits[len++] = '0' + n % 10;
		n /= 10;
	} while (n > 0);
	while (len > 0)
		buf[i++] = digits[--len];
	buf[i] = '\0';
	return buf;
}

/* Writes all of n bytes; 1 on success. */
static inline int write_all(int fd, const void *buf, int n)
{
	return write(fd, buf, n) == n;
}

/* Creates (or truncates) path holding n bytes of buf; 1 on success. */
static inline int put_file(const char *path, const void *buf, int n)
{
	int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);
	int ok;

	if (fd < 0)
		return 0;
	ok = write_all(fd, buf, n);
	close(fd);
	return ok;
}

/* Size of path, or -1 when it cannot be opened. */
static inline long file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return (long)st.size;
}

#endif
