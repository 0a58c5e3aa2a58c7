/*
 * The block device registry.
 *
 * Drivers register their devices at boot; the file system asks for the
 * root device and does all I/O through blk_rw(), which checks the request
 * against the device size before handing it to the driver. Disks (virtio-
 * blk) take precedence over fallbacks (the initrd RAM disk) as the root,
 * and among each kind the first registered wins, unless the command line
 * names the root: root=ram0 takes the initrd even when a disk is there
 * (U-Boot booting from a virtio disk that holds no calf file system).
 */
#include <blkdev.h>
#include <blkdev_init.h>
#include <errno.h>
#include <printk.h>
#include <boot.h>
#include <spinlock.h>
#include <string.h>
#include "blk_internal.h"

#define MAX_BLKDEVS 8

static struct spinlock blk_lock = SPINLOCK_INIT("blkdev");
static struct blkdev *disks[MAX_BLKDEVS];     /* guarded by blk_lock */
static struct blkdev *fallbacks[MAX_BLKDEVS]; /* guarded by blk_lock */

/* Adds dev to table; panics when the table is full (a boot-time bug). */
static void registry_add(struct blkdev **table, struct blkdev *dev)
{
	spin_lock(&blk_lock);
	for (int i = 0; i < MAX_BLKDEVS; i++) {
		if (!table[i]) {
			table[i] = dev;
			spin_unlock(&blk_lock);
			printk("blkdev: %s, %lu sectors (%lu KiB)\n", dev->name,
			       (unsigned long)dev->nsectors,
			       (unsigned long)(dev->nsectors / 2));
			return;
		}
	}
	panic("blkdev_register: more than %d devices (registering %s)",
	      MAX_BLKDEVS, dev->name);
}

void blkdev_register(struct blkdev *dev)
{
	registry_add(disks, dev);
}

void blkdev_register_fallback(struct blkdev *dev)
{
	registry_add(fallbacks, dev);
}

/* The registered device called name, or NULL. blk_lock held. */
static struct blkdev *find_named(const char *name)
{
	for (int i = 0; i < MAX_BLKDEVS; i++) {
		if (disks[i] && strcmp(disks[i]->name, name) == 0)
			return disks[i];
		if (fallbacks[i] && strcmp(fallbacks[i]->name, name) == 0)
			return fallbacks[i];
	}
	return NULL;
}

/*
 * The device root=NAME names (NULL when there is none), else the first
 * disk, else the first fallback, else NULL.
 */
struct blkdev *blkdev_root(void)
{
	char name[16];
	struct blkdev *dev;
	bool named = cmdline_get("root", name, sizeof(name));

	spin_lock(&blk_lock);
	if (named)
		dev = find_named(name);
	else
		dev = disks[0] ? disks[0] : fallbacks[0];
	spin_unlock(&blk_lock);
	return dev;
}

/*
 * Transfers nsect sectors starting at sector between dev and buf. Returns
 * 0, -EINVAL for a request outside the device (or a NULL device or
 * buffer; zero sectors is a successful no-op), or the driver's -EIO.
 */
int blk_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect, bool write)
{
	if (!dev || !buf)
		return -EINVAL;
	if (nsect == 0)
		return 0;
	if (sector >= dev->nsectors || nsect > dev->nsectors - sector)
		return -EINVAL;
	return dev->rw(dev, sector, buf, nsect, write);
}

void blk_init(void)
{
	virtio_blk_init();
	ramdisk_init();
	if (!blkdev_root())
		printk("blk_init: no root device (no virtio-blk, no initrd, "
		       "or none called as root= says)\n");
}
