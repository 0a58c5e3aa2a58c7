/* Freestanding string and memory routines for the kernel. */
#include <string.h>

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	u64 pattern = (unsigned char)c;

	pattern |= pattern << 8;
	pattern |= pattern << 16;
	pattern |= pattern << 32;
	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(u64 *)d = pattern;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			u64 a = ((const u64 *)s)[0], b = ((const u64 *)s)[1];
			u64 c = ((const u64 *)s)[2], e = ((const u64 *)s)[3];
			((u64 *)d)[0] = a;
			((u64 *)d)[1] = b;
			((u64 *)d)[2] = c;
			((u64 *)d)[3] = e;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(u64 *)d = *(const u64 *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

/*
 * One 8-byte store per word (and one load when copying), in rounds of
 * 2 KiB zeroed or 1 KiB copied, so the loop adds two or three instructions
 * (pointer steps, branch) per round: 516 instructions to zero a 4 KiB
 * page, 1036 to copy one, against 512 and 1024 for the accesses alone.
 * A round is 1 KiB of code, which an instruction cache of 16 KiB or more
 * holds easily. The accesses are volatile so that the compiler neither
 * calls memset/memcpy here nor turns a round into something longer. Both
 * are leaves and make no frame (a backtrace from inside one skips it).
 */
#define PAGE_LOOP __attribute__((optimize("omit-frame-pointer")))

PAGE_LOOP void zero_pages(void *dst, size_t n)
{
	volatile u64 *d = dst, *end = (volatile u64 *)((char *)dst + n);
	int i;

	for (; d < end; d += 256) {
#pragma GCC unroll 256
		for (i = 0; i < 256; i++)
			d[i] = 0;
	}
}

PAGE_LOOP void copy_pages(void *dst, const void *src, size_t n)
{
	volatile u64 *d = dst, *end = (volatile u64 *)((char *)dst + n);
	const volatile u64 *s = src;
	int i, j;

	for (; d < end; d += 128, s += 128) {
#pragma GCC unroll 16
		for (j = 0; j < 128; j += 8) {
			u64 a[8];

#pragma GCC unroll 8
			for (i = 0; i < 8; i++)
				a[i] = s[j + i];
#pragma GCC unroll 8
			for (i = 0; i < 8; i++)
				d[j + i] = a[i];
		}
	}
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	d += n;
	s += n;
	while (n--)
		*--d = *--s;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c == 0 ? (char *)s : NULL;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}
