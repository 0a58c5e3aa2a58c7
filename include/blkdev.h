/*
 * Block devices. Sectors are 512 bytes. Requests are synchronous for the
 * caller: blk_rw() sleeps until the transfer completed.
 */
#ifndef CALF_BLKDEV_H
#define CALF_BLKDEV_H

#include <types.h>

#define SECTOR_SIZE 512

struct blkdev {
	const char *name;
	u64 nsectors;
	/* Transfers nsect sectors at sector to/from buf; returns 0 or -EIO. */
	int (*rw)(struct blkdev *dev, u64 sector, void *buf, u32 nsect,
		  bool write);
	void *priv;
};

void blkdev_register(struct blkdev *dev);
/* The root device: the one root=NAME names, else virtio-blk when present,
 * else the initrd RAM disk; NULL when none fits. */
struct blkdev *blkdev_root(void);
/* Bounds-checked transfer; returns 0, -EINVAL (out of range) or -EIO. */
int blk_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect, bool write);

#endif
