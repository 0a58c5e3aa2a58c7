/*
 * A RAM disk over a range of physical memory: the initrd the boot loader
 * placed in RAM (platform.initrd_start..end). The page allocator never
 * hands those pages out and the linear map covers them, so a transfer is a
 * memcpy through pa_to_kva(). Writes change the RAM copy only; nothing is
 * saved across a reboot.
 *
 * Requests need no lock: the buffer cache above never has two transfers of
 * one sector in flight, and transfers of different sectors touch disjoint
 * bytes.
 */
#include <errno.h>
#include <mm.h>
#include <platform.h>
#include <printk.h>
#include <string.h>
#include "blk_internal.h"

static int ramdisk_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect,
		      bool write)
{
	struct ramdisk *rd = container_of(dev, struct ramdisk, dev);
	u8 *disk = rd->data + sector * SECTOR_SIZE;
	size_t len = (size_t)nsect * SECTOR_SIZE;

	if (write)
		memcpy(disk, buf, len);
	else
		memcpy(buf, disk, len);
	return 0;
}

int ramdisk_setup(struct ramdisk *rd, const char *name, phys_addr_t start,
		  phys_addr_t end)
{
	if (end <= start || !IS_ALIGNED(start, SECTOR_SIZE))
		return -EINVAL;
	rd->data = pa_to_kva(start);
	rd->dev.name = name;
	rd->dev.nsectors = (end - start) / SECTOR_SIZE;
	rd->dev.rw = ramdisk_rw;
	rd->dev.priv = rd;
	if (rd->dev.nsectors == 0)
		return -EINVAL;
	return 0;
}

static struct ramdisk initrd_disk;

void ramdisk_init(void)
{
	phys_addr_t start = platform.initrd_start, end = platform.initrd_end;

	if (start == 0 && end == 0)
		return;
	if (ramdisk_setup(&initrd_disk, "ram0", start, end) != 0) {
		printk("ramdisk: unusable initrd range 0x%lx-0x%lx\n",
		       (unsigned long)start, (unsigned long)end);
		return;
	}
	if ((end - start) % SECTOR_SIZE)
		printk(
		    "ramdisk: initrd size not a multiple of %d; tail ignored\n",
		    SECTOR_SIZE);
	blkdev_register_fallback(&initrd_disk.dev);
}
