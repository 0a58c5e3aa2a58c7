/*
 * The string and memory functions of the xv6 user library.
 *
 * Plain byte loops: user programs are small and these are not hot. The
 * compiler is told not to turn the loops back into calls to themselves
 * (-fno-tree-loop-distribute-patterns in user_cflags).
 */
#include "kernel/types.h"
#include "user/user.h"

/* Copies the string t, with its NUL, to s; returns s. */
char *strcpy(char *s, const char *t)
{
	char *d = s;

	while ((*d++ = *t++) != '\0')
		;
	return s;
}

/* Compares two strings as unsigned bytes: <0, 0 or >0. */
int strcmp(const char *p, const char *q)
{
	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return (uchar)*p - (uchar)*q;
}

/* Returns the number of bytes before the NUL. */
uint strlen(const char *s)
{
	uint n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Returns the first c in s, or 0 if there is none (c may not be NUL). */
char *strchr(const char *s, char c)
{
	for (; *s != '\0'; s++)
		if (*s == c)
			return (char *)s;
	return 0;
}

/* Fills n bytes at dst with the byte c; returns dst. */
void *memset(void *dst, int c, uint n)
{
	uchar *d = dst;

	while (n-- > 0)
		*d++ = (uchar)c;
	return dst;
}

/* Compares n bytes as unsigned values: <0, 0 or >0. */
int memcmp(const void *s1, const void *s2, uint n)
{
	const uchar *a = s1, *b = s2;

	for (; n > 0; n--, a++, b++)
		if (*a != *b)
			return *a - *b;
	return 0;
}

/* Copies n bytes from src to dst, correctly when the areas overlap. */
static void move_bytes(uchar *d, const uchar *s, unsigned long n)
{
	if (d == s || n == 0)
		return;
	if (d < s || d >= s + n) {
		while (n-- > 0)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		while (n-- > 0)
			*--d = *--s;
	}
}

/* Copies n bytes from src to dst; the areas may overlap. A negative n copies nothing. */
void *memmove(void *dst, const void *src, int n)
{
	if (n > 0)
		move_bytes(dst, src, (unsigned long)n);
	return dst;
}

/* Copies n bytes; as in xv6 this tolerates overlap like memmove. */
void *memcpy(void *dst, const void *src, uint n)
{
	move_bytes(dst, src, n);
	return dst;
}
