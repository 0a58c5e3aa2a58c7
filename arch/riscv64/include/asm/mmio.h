/*
 * Device register access and DMA ordering on RISC-V.
 *
 * RVWMO lets a hart reorder ordinary memory accesses against device (I/O)
 * accesses, so every accessor here carries the fence that gives it the
 * ordering a driver expects:
 *
 *  - a read is followed by "fence i,r": the device read completes before any
 *    later memory read, so data a device wrote by DMA before raising a status
 *    bit is seen once that status bit has been read;
 *  - a write is preceded by "fence w,o": every earlier memory write (ring
 *    descriptors, buffers) is visible to the device before the register
 *    write that tells it to look.
 *
 * Register pointers are volatile so the compiler never merges, splits or
 * drops an access. The dma_*() barriers order plain memory accesses against
 * each other for memory shared with a DMA-capable device.
 */
#ifndef CALF_ASM_MMIO_H
#define CALF_ASM_MMIO_H

#include <types.h>

#define __io_after_read()   __asm__ __volatile__("fence i,r" ::: "memory")
#define __io_before_write() __asm__ __volatile__("fence w,o" ::: "memory")

static inline u8 readb(const volatile void *addr)
{
	u8 v = *(const volatile u8 *)addr;
	__io_after_read();
	return v;
}

static inline u16 readw(const volatile void *addr)
{
	u16 v = *(const volatile u16 *)addr;
	__io_after_read();
	return v;
}

static inline u32 readl(const volatile void *addr)
{
	u32 v = *(const volatile u32 *)addr;
	__io_after_read();
	return v;
}

static inline u64 readq(const volatile void *addr)
{
	u64 v = *(const volatile u64 *)addr;
	__io_after_read();
	return v;
}

static inline void writeb(u8 v, volatile void *addr)
{
	__io_before_write();
	*(volatile u8 *)addr = v;
}

static inline void writew(u16 v, volatile void *addr)
{
	__io_before_write();
	*(volatile u16 *)addr = v;
}

static inline void writel(u32 v, volatile void *addr)
{
	__io_before_write();
	*(volatile u32 *)addr = v;
}

static inline void writeq(u64 v, volatile void *addr)
{
	__io_before_write();
	*(volatile u64 *)addr = v;
}

/* Full barrier between memory accesses (for memory shared with a device). */
#define dma_mb() __asm__ __volatile__("fence rw,rw" ::: "memory")
/* Earlier memory reads complete before later ones. */
#define dma_rmb() __asm__ __volatile__("fence r,r" ::: "memory")
/* Earlier memory writes become visible before later ones. */
#define dma_wmb() __asm__ __volatile__("fence w,w" ::: "memory")

#endif
