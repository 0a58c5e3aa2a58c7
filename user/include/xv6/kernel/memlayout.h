/*
 * xv6 compatibility: <kernel/memlayout.h>.
 *
 * These numbers describe the xv6 machine that xv6 programs assume: physical
 * RAM starting at KERNBASE, 128 MiB of it, and the trampoline and trap frame
 * pages at the top of the user address space. calf keeps the same user-visible
 * facts: user memory ends at TRAPFRAME (0x3fffffe000) and nothing from there
 * up is accessible to user mode. calf's kernel itself lives elsewhere (the
 * upper half); user programs only use these as addresses to probe or as a
 * memory size.
 */
#ifndef CALF_XV6_MEMLAYOUT_H
#define CALF_XV6_MEMLAYOUT_H

#include "kernel/riscv.h"

/* Device addresses on QEMU virt, as xv6 names them. */
#define UART0 0x10000000L
#define UART0_IRQ 10
#define VIRTIO0 0x10001000
#define VIRTIO0_IRQ 1
#define PLIC 0x0c000000L

/* RAM: the kernel is loaded at KERNBASE; xv6 assumes 128 MiB of it. */
#define KERNBASE 0x80000000L
#define PHYSTOP (KERNBASE + 128 * 1024 * 1024)

/* The two pages at the top of user space; user mode can touch neither. */
#define TRAMPOLINE (MAXVA - PGSIZE)
#define TRAPFRAME (TRAMPOLINE - PGSIZE)

/* Kernel stacks below the trampoline, each followed by a guard page. */
#define KSTACK(p) (TRAMPOLINE - ((p) + 1) * 2 * PGSIZE)

#endif
