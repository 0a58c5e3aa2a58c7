/*
 * grep: prints the lines that match a pattern.
 *
 *   grep PATTERN [FILE...]
 *
 * Patterns are a small regular expression language: c matches itself,
 * '.' any character, x* zero or more of x, '^' anchors at the start of the
 * line and '$' at its end. The matcher is a backtracking one: try the
 * pattern at each position; a starred item first takes as few characters
 * as possible and then more.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static char buf[2048];

static int match_here(const char *re, const char *text);

/* Does the item c match the character t? */
static int item_matches(char c, char t)
{
	return t != '\0' && (c == '.' || c == t);
}

/* Matches c* followed by re at the start of text. */
static int match_star(char c, const char *re, const char *text)
{
	for (;;) {
		if (match_here(re, text))
			return 1;
		if (!item_matches(c, *text))
			return 0;
		text++;
	}
}

/* Does re match at the start of text? */
static int match_here(const char *re, const char *text)
{
	for (;;) {
		if (re[0] == '\0')
			return 1;
		if (re[1] == '*')
			return match_star(re[0], re + 2, text);
		if (re[0] == '$' && re[1] == '\0')
			return *text == '\0';
		if (!item_matches(re[0], *text))
			return 0;
		re++;
		text++;
	}
}

/* Does re match anywhere in text? */
static int match(const char *re, const char *text)
{
	if (re[0] == '^')
		return match_here(re + 1, text);
	do {
		if (match_here(re, text))
			return 1;
	} while (*text++ != '\0');
	return 0;
}

/* Prints the lines of fd that match re; returns how many matched. */
static int grep(const char *re, int fd)
{
	int have = 0, n, found = 0;
	char *start, *nl;

	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += n;
		buf[have] = '\0';
		start = buf;
		while ((nl = strchr(start, '\n')) != 0) {
			*nl = '\0';
			if (match(re, start)) {
				*nl = '\n';
				write(1, start, nl + 1 - start);
				found++;
			}
			start = nl + 1;
		}
		have -= start - buf;
		if (have == sizeof(buf) - 1) {
			/* A line longer than the buffer: test what we have. */
			if (match(re, buf)) {
				write(1, buf, have);
				write(1, "\n", 1);
				found++;
			}
			have = 0;
		} else if (have > 0) {
			memmove(buf, start, have);
		}
	}
	if (have > 0) {
		buf[have] = '\0';
		if (match(re, buf)) {
			write(1, buf, have);
			write(1, "\n", 1);
			found++;
		}
	}
	return found;
}

int main(int argc, char *argv[])
{
	int i, fd, found = 0;

	if (argc < 2) {
		fprintf(2, "usage: grep PATTERN [FILE...]\n");
		exit(2);
	}
	if (argc == 2)
		exit(grep(argv[1], 0) > 0 ? 0 : 1);
	for (i = 2; i < argc; i++) {
		fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(2, "grep: cannot open %s\n", argv[i]);
			continue;
		}
		found += grep(argv[1], fd);
		close(fd);
	}
	exit(found > 0 ? 0 : 1);
}
