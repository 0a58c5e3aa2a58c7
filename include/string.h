/* Kernel string and memory helpers (lib/string.c). */
#ifndef CALF_STRING_H
#define CALF_STRING_H

#include <types.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/*
 * Whole pages: n a multiple of 512, addresses 8-byte aligned. For the
 * fault paths (zero-fill, COW copy, fork's eager copy), at the instruction
 * count floor of RV64 without vectors.
 */
void zero_pages(void *dst, size_t n);
void copy_pages(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Copies at most n bytes; pads with NULs; may leave dst unterminated. */
char *strncpy(char *dst, const char *src, size_t n);

#endif
