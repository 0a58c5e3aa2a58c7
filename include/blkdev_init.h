/*
 * Block device discovery. blk_init() runs once on the boot hart before the
 * scheduler starts: it probes every virtio-mmio slot of the device tree for
 * virtio-blk disks and the initrd for a RAM disk, and registers what it
 * finds. It never sleeps; only requests do.
 */
#ifndef CALF_BLKDEV_INIT_H
#define CALF_BLKDEV_INIT_H

void blk_init(void);

#endif
