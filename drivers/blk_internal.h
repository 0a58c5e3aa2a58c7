/*
 * Block-layer internals shared by the block drivers and their self tests.
 */
#ifndef CALF_DRIVERS_BLK_INTERNAL_H
#define CALF_DRIVERS_BLK_INTERNAL_H

#include <blkdev.h>

/*
 * Registers a device that becomes the root only when no device registered
 * with blkdev_register() exists (the initrd RAM disk).
 */
void blkdev_register_fallback(struct blkdev *dev);

/* A RAM disk: sectors stored in physical memory [start, end). */
struct ramdisk {
	struct blkdev dev;
	u8 *data; /* kernel virtual address of start */
};

/*
 * Sets up rd over the physical range [start, end) (linear-mapped RAM, not
 * handed out by the page allocator) without registering it. Returns 0, or
 * -EINVAL when the range is empty or not sector-aligned.
 */
int ramdisk_setup(struct ramdisk *rd, const char *name, phys_addr_t start,
		  phys_addr_t end);

/* Probes the initrd RAM disk and registers it as the fallback root. */
void ramdisk_init(void);
/* Probes every virtio-mmio slot and registers the block devices found. */
void virtio_blk_init(void);

#endif
