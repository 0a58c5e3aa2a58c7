/*
 * The user-copy loops (arch/riscv64/uaccess.S), called only by mm/uaccess.c
 * after its range checks. They run with user memory access enabled; a fault
 * they take is resolved or sent to their exception-table fixup.
 */
#ifndef ASM_UACCESS_H
#define ASM_UACCESS_H

#include <types.h>

/* Copies n bytes; returns how many were NOT copied (0 on success). */
size_t __copy_user(void *dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most max bytes; its length, max
 * when no NUL came first, or a negative value after a fault. */
long __strncpy_user(char *dst, const char *src, size_t max);

#endif
