/*
 * virtio-blk over virtio-mmio.
 *
 * Probing (boot, no sleeping): every virtio-mmio slot of the device tree is
 * checked for the magic value and a block device id (empty slots read id 0).
 * A disk goes through the virtio initialisation handshake (reset,
 * ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, queue setup,
 * DRIVER_OK). Modern devices (MMIO version 2) and legacy ones (version 1,
 * what QEMU 7.2 offers unless started with
 * -global virtio-mmio.force-legacy=false) are both supported; they differ
 * only in how the queue's addresses are given and in the feature handshake.
 * We ask for no optional features: no indirect descriptors, no event index,
 * no flush (without flush, QEMU runs the disk write-through, which is what a
 * logging file system wants).
 *
 * The one queue lives in one page: descriptor table, then the driver
 * ("avail") ring, then the device ("used") ring at a 64-byte boundary.
 * Request headers and status bytes live in a second page, one slot per
 * descriptor index, used by the request whose chain starts there.
 *
 * A request is a chain of descriptors: the header (device reads), one or
 * two data segments (one per physically contiguous piece of the buffer),
 * and the status byte (device writes). Transfers are split into chunks of
 * at most one page, so a chain never needs more than four descriptors.
 * The requester puts its chain in the avail ring, notifies the device and
 * sleeps on its request slot; the interrupt handler walks the used ring,
 * marks requests done and wakes their owners. When no descriptors are free
 * a requester sleeps until a completion frees some. Outside process
 * context (boot-time tests) the requester polls the used ring instead.
 *
 * Lock: vblk.lock guards the rings, the free list and the request slots.
 */
#include <blkdev.h>
#include <errno.h>
#include <irq.h>
#include <mm.h>
#include <platform.h>
#include <printk.h>
#include <sched.h>
#include <spinlock.h>
#include <string.h>
#include <asm/arch.h>
#include <asm/mmio.h>
#include "blk_internal.h"
#include "virtio.h"

#define VBLK_QSIZE_MAX	   32 /* queue entries we use at most */
#define VBLK_RING_ALIGN	   64 /* used ring alignment (legacy QueueAlign) */
#define VBLK_CHUNK_SECTORS (PAGE_SIZE / SECTOR_SIZE)
#define VBLK_MAX_SEGS	   2 /* a page-sized chunk spans at most two pages */
#define VBLK_MAX_CHAIN	   (VBLK_MAX_SEGS + 2)

/* Per-slot DMA memory: request header and status byte. */
struct vblk_dma {
	struct virtio_blk_req_hdr hdr[VBLK_QSIZE_MAX];
	u8 status[VBLK_QSIZE_MAX];
};

struct vblk_slot {
	bool inflight; /* the chain starting here is with the device */
	bool done;     /* the device returned it */
};

struct vblk {
	struct blkdev dev;
	char name[16];
	u8 *regs;
	u32 version; /* MMIO transport version: 1 legacy, 2 modern */
	u16 qsize;
	bool readonly;

	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct vblk_dma *dma;

	struct spinlock lock;
	/* guarded by lock */
	bool desc_free[VBLK_QSIZE_MAX];
	u16 nfree;     /* also the channel requesters wait on for descriptors */
	u16 used_seen; /* used ring entries already processed */
	struct vblk_slot slot[VBLK_QSIZE_MAX]; /* indexed by head descriptor */
};

struct vblk_seg {
	phys_addr_t pa;
	u32 len;
};

static int ndisks;

static u32 vblk_read(struct vblk *vb, u32 reg)
{
	return readl(vb->regs + reg);
}

static void vblk_write(struct vblk *vb, u32 reg, u32 val)
{
	writel(val, vb->regs + reg);
}

static void vblk_write64(struct vblk *vb, u32 lo_reg, u64 val)
{
	vblk_write(vb, lo_reg, (u32)val);
	vblk_write(vb, lo_reg + 4, (u32)(val >> 32));
}

/* ------------------------------------------------------------ requests */

/*
 * Takes n free descriptors into ids. Returns false, taking none, when
 * fewer than n are free. vb->lock held on entry and exit.
 */
static bool desc_alloc(struct vblk *vb, u16 *ids, int n)
{
	int k = 0;

	assert_held(&vb->lock);
	if (vb->nfree < n)
		return false;
	for (u16 i = 0; i < vb->qsize && k < n; i++) {
		if (vb->desc_free[i]) {
			vb->desc_free[i] = false;
			ids[k++] = i;
		}
	}
	vb->nfree -= n;
	return true;
}

/* Returns the chain starting at head to the free list and wakes waiters. */
static void desc_free_chain(struct vblk *vb, u16 head)
{
	u16 i = head;

	assert_held(&vb->lock);
	for (;;) {
		if (i >= vb->qsize || vb->desc_free[i])
			panic("desc_free_chain: %s: bad descriptor %u",
			      vb->name, i);
		struct virtq_desc *d = &vb->desc[i];
		u16 flags = d->flags, next = d->next;
		memset(d, 0, sizeof(*d));
		vb->desc_free[i] = true;
		vb->nfree++;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		i = next;
	}
	wakeup(&vb->nfree);
}

/*
 * Processes new used ring entries: marks their requests done and wakes the
 * owners. vb->lock held on entry and exit.
 */
static void vblk_reap(struct vblk *vb)
{
	assert_held(&vb->lock);
	while (vb->used_seen != READ_ONCE(vb->used->idx)) {
		dma_rmb(); /* read the entry only after seeing idx move */
		u32 id = vb->used->ring[vb->used_seen % vb->qsize].id;
		if (id >= vb->qsize || !vb->slot[id].inflight)
			panic(
			    "vblk_reap: %s: device returned descriptor %u that "
			    "is not in flight",
			    vb->name, id);
		vb->slot[id].inflight = false;
		vb->slot[id].done = true;
		wakeup(&vb->slot[id]);
		vb->used_seen++;
	}
}

/* Interrupt handler: acknowledges the device and completes requests. */
static void vblk_intr(void *arg)
{
	struct vblk *vb = arg;

	spin_lock(&vb->lock);
	u32 isr = vblk_read(vb, VIRTIO_MMIO_INTERRUPT_STATUS);
	vblk_write(vb, VIRTIO_MMIO_INTERRUPT_ACK,
		   isr & (VIRTIO_INT_USED_BUFFER | VIRTIO_INT_CONFIG_CHANGE));
	vblk_reap(vb);
	spin_unlock(&vb->lock);
}

/*
 * Waits until cond(vb, arg) holds: sleeping on chan in process context,
 * polling the used ring otherwise. vb->lock held on entry and on return;
 * dropped while asleep and between polls, so re-check what it guards.
 */
static void vblk_wait(struct vblk *vb, void *chan,
		      bool (*cond)(struct vblk *, void *), void *arg)
{
	bool polled = current_pid() == 0;

	while (!cond(vb, arg)) {
		if (!polled) {
			sleep(chan, &vb->lock);
			continue;
		}
		spin_unlock(&vb->lock);
		arch_cpu_relax();
		spin_lock(&vb->lock);
		vblk_reap(vb);
	}
}

static bool slot_done(struct vblk *vb, void *arg)
{
	return vb->slot[*(u16 *)arg].done;
}

static bool descs_available(struct vblk *vb, void *arg)
{
	return vb->nfree >= *(int *)arg;
}

/*
 * Splits the kernel buffer [buf, buf + len) into physically contiguous
 * segments. Returns how many, or -EINVAL when more than max are needed.
 * The buffer must be in the linear map or the kernel image.
 */
static int vblk_segments(u8 *buf, size_t len, struct vblk_seg *segs, int max)
{
	int n = 0;

	while (len > 0) {
		size_t piece =
		    MIN(len, PAGE_SIZE - ((uintptr_t)buf & (PAGE_SIZE - 1)));
		phys_addr_t pa = kva_to_pa(buf);
		if (n > 0 && segs[n - 1].pa + segs[n - 1].len == pa) {
			segs[n - 1].len += piece;
		} else {
			if (n == max)
				return -EINVAL;
			segs[n].pa = pa;
			segs[n].len = piece;
			n++;
		}
		buf += piece;
		len -= piece;
	}
	return n;
}

/* Fills the descriptor chain ids[0..nsegs+1] for one request. */
static void vblk_fill_chain(struct vblk *vb, const u16 *ids,
			    const struct vblk_seg *segs, int nsegs, bool write)
{
	u16 head = ids[0];
	int last = nsegs + 1;

	vb->desc[head].addr = kva_to_pa(&vb->dma->hdr[head]);
	vb->desc[head].len = sizeof(struct virtio_blk_req_hdr);
	vb->desc[head].flags = VIRTQ_DESC_F_NEXT;
	vb->desc[head].next = ids[1];
	for (int i = 0; i < nsegs; i++) {
		struct virtq_desc *d = &vb->desc[ids[1 + i]];
		d->addr = segs[i].pa;
		d->len = segs[i].len;
		d->flags = VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE);
		d->next = ids[2 + i];
	}
	vb->desc[ids[last]].addr = kva_to_pa(&vb->dma->status[head]);
	vb->desc[ids[last]].len = 1;
	vb->desc[ids[last]].flags = VIRTQ_DESC_F_WRITE;
	vb->desc[ids[last]].next = 0;
}

/*
 * One request of at most VBLK_CHUNK_SECTORS sectors: builds the chain,
 * hands it to the device and waits for completion. Returns 0, -EIO when
 * the device reports an error, -EINVAL for an unmappable buffer.
 */
static int vblk_request(struct vblk *vb, u64 sector, u8 *buf, u32 nsect,
			bool write)
{
	struct vblk_seg segs[VBLK_MAX_SEGS];
	u16 ids[VBLK_MAX_CHAIN];
	int nsegs = vblk_segments(buf, (size_t)nsect * SECTOR_SIZE, segs,
				  VBLK_MAX_SEGS);
	if (nsegs < 0)
		return nsegs;
	int ndesc = nsegs + 2;

	spin_lock(&vb->lock);
	vblk_wait(vb, &vb->nfree, descs_available, &ndesc);
	desc_alloc(vb, ids, ndesc);
	u16 head = ids[0];

	vb->dma->hdr[head].type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	vb->dma->hdr[head].reserved = 0;
	vb->dma->hdr[head].sector = sector;
	vb->dma->status[head] = 0xff; /* the device overwrites it */
	vblk_fill_chain(vb, ids, segs, nsegs, write);
	vb->slot[head].inflight = true;
	vb->slot[head].done = false;

	vb->avail->ring[vb->avail->idx % vb->qsize] = head;
	dma_wmb(); /* the ring entry before the index that publishes it */
	WRITE_ONCE(vb->avail->idx, vb->avail->idx + 1);
	vblk_write(vb, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* orders after idx */

	vblk_wait(vb, &vb->slot[head], slot_done, &head);
	u8 status = READ_ONCE(vb->dma->status[head]);
	vb->slot[head].done = false;
	desc_free_chain(vb, head);
	spin_unlock(&vb->lock);

	if (status != VIRTIO_BLK_S_OK) {
		printk("%s: %s of sector %lu failed, status %u\n", vb->name,
		       write ? "write" : "read", (unsigned long)sector, status);
		return -EIO;
	}
	return 0;
}

/* blkdev rw: splits the transfer into page-sized requests. */
static int vblk_rw(struct blkdev *dev, u64 sector, void *buf, u32 nsect,
		   bool write)
{
	struct vblk *vb = dev->priv;
	u8 *p = buf;

	while (nsect > 0) {
		u32 n = MIN(nsect, (u32)VBLK_CHUNK_SECTORS);
		int err = vblk_request(vb, sector, p, n, write);
		if (err)
			return err;
		sector += n;
		p += (size_t)n * SECTOR_SIZE;
		nsect -= n;
	}
	return 0;
}

/* ------------------------------------------------------------- probing */

static void vblk_set_status(struct vblk *vb, u32 bits)
{
	vblk_write(vb, VIRTIO_MMIO_STATUS,
		   vblk_read(vb, VIRTIO_MMIO_STATUS) | bits);
}

/*
 * Feature negotiation: accepts VERSION_1 (required for a modern device),
 * and the informational read-only, platform-access and ordering bits.
 * Returns 0 or -ENODEV when a modern device refuses our choice.
 */
static int vblk_negotiate(struct vblk *vb)
{
	u64 offered, wanted;

	vblk_write(vb, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = vblk_read(vb, VIRTIO_MMIO_DEVICE_FEATURES);
	if (vb->version >= 2) {
		vblk_write(vb, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
		offered |= (u64)vblk_read(vb, VIRTIO_MMIO_DEVICE_FEATURES)
			   << 32;
	}
	vb->readonly = offered & (1ull << VIRTIO_BLK_F_RO);
	wanted = offered &
		 ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_BLK_F_RO) |
		  (1ull << VIRTIO_F_ACCESS_PLATFORM) |
		  (1ull << VIRTIO_F_ORDER_PLATFORM));
	if (vb->version >= 2 && !(wanted & (1ull << VIRTIO_F_VERSION_1))) {
		printk("%s: modern device without VERSION_1\n", vb->name);
		return -ENODEV;
	}

	vblk_write(vb, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vblk_write(vb, VIRTIO_MMIO_DRIVER_FEATURES, (u32)wanted);
	if (vb->version >= 2) {
		vblk_write(vb, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		vblk_write(vb, VIRTIO_MMIO_DRIVER_FEATURES,
			   (u32)(wanted >> 32));
		vblk_set_status(vb, VIRTIO_STATUS_FEATURES_OK);
		if (!(vblk_read(vb, VIRTIO_MMIO_STATUS) &
		      VIRTIO_STATUS_FEATURES_OK)) {
			printk("%s: device rejected our features\n", vb->name);
			return -ENODEV;
		}
	}
	return 0;
}

/* Byte offsets of the rings in the queue page for qsize entries. */
static size_t avail_offset(u16 qsize)
{
	return sizeof(struct virtq_desc) * qsize;
}

static size_t used_offset(u16 qsize)
{
	/* flags, idx, ring[qsize], used_event */
	return ALIGN_UP(avail_offset(qsize) + sizeof(u16) * (3 + qsize),
			(size_t)VBLK_RING_ALIGN);
}

/*
 * Sets up queue 0 in freshly allocated pages and tells the device where it
 * is. Returns 0, -ENOMEM, or -ENODEV for a queue the device cannot offer.
 */
static int vblk_setup_queue(struct vblk *vb)
{
	u8 *ring;
	u32 max;

	vblk_write(vb, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (vb->version >= 2 ? vblk_read(vb, VIRTIO_MMIO_QUEUE_READY)
			     : vblk_read(vb, VIRTIO_MMIO_QUEUE_PFN))
		return -ENODEV;
	max = vblk_read(vb, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < VBLK_MAX_CHAIN)
		return -ENODEV;
	vb->qsize = VBLK_QSIZE_MAX;
	while (vb->qsize > max)
		vb->qsize /= 2;

	ring = kalloc_page();
	vb->desc = (struct virtq_desc *)ring;
	vb->dma = kalloc_page();
	if (!ring || !vb->dma)
		return -ENOMEM;
	vb->avail = (struct virtq_avail *)(ring + avail_offset(vb->qsize));
	vb->used = (struct virtq_used *)(ring + used_offset(vb->qsize));
	for (u16 i = 0; i < vb->qsize; i++)
		vb->desc_free[i] = true;
	vb->nfree = vb->qsize;

	vblk_write(vb, VIRTIO_MMIO_QUEUE_NUM, vb->qsize);
	if (vb->version >= 2) {
		vblk_write64(vb, VIRTIO_MMIO_QUEUE_DESC_LOW,
			     kva_to_pa(vb->desc));
		vblk_write64(vb, VIRTIO_MMIO_QUEUE_DRIVER_LOW,
			     kva_to_pa(vb->avail));
		vblk_write64(vb, VIRTIO_MMIO_QUEUE_DEVICE_LOW,
			     kva_to_pa(vb->used));
		vblk_write(vb, VIRTIO_MMIO_QUEUE_READY, 1);
	} else {
		/*
		 * A legacy device computes the used ring's place itself, from
		 * the end of the avail ring without used_event; both rules
		 * agree for our power-of-two sizes, and we check it.
		 */
		size_t legacy_used = ALIGN_UP(avail_offset(vb->qsize) +
						  sizeof(u16) * (2 + vb->qsize),
					      (size_t)VBLK_RING_ALIGN);
		if (legacy_used != used_offset(vb->qsize))
			panic("vblk_setup_queue: legacy used ring at %zu, ours "
			      "at %zu",
			      legacy_used, used_offset(vb->qsize));
		vblk_write(vb, VIRTIO_MMIO_QUEUE_ALIGN, VBLK_RING_ALIGN);
		vblk_write(vb, VIRTIO_MMIO_QUEUE_PFN,
			   kva_to_pa(ring) >> PAGE_SHIFT);
	}
	return 0;
}

/* Capacity in sectors, read consistently against config changes. */
static u64 vblk_capacity(struct vblk *vb)
{
	u32 gen, lo, hi;
	u8 *cfg = vb->regs + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY;

	do {
		gen = vb->version >= 2
			  ? vblk_read(vb, VIRTIO_MMIO_CONFIG_GENERATION)
			  : 0;
		lo = readl(cfg);
		hi = readl(cfg + 4);
	} while (vb->version >= 2 &&
		 gen != vblk_read(vb, VIRTIO_MMIO_CONFIG_GENERATION));
	return ((u64)hi << 32) | lo;
}

/*
 * The initialisation handshake. Returns 0 with the device live (DRIVER_OK),
 * or a negative errno with the device marked FAILED.
 */
static int vblk_setup(struct vblk *vb)
{
	int err;

	vblk_write(vb, VIRTIO_MMIO_STATUS, 0); /* reset */
	vblk_set_status(vb, VIRTIO_STATUS_ACKNOWLEDGE);
	vblk_set_status(vb, VIRTIO_STATUS_DRIVER);
	if (vb->version == 1)
		vblk_write(vb, VIRTIO_MMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
	err = vblk_negotiate(vb);
	if (!err)
		err = vblk_setup_queue(vb);
	if (err) {
		vblk_set_status(vb, VIRTIO_STATUS_FAILED);
		return err;
	}
	vb->dev.nsectors = vblk_capacity(vb);
	vblk_set_status(vb, VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

/* Frees what a failed probe allocated. */
static void vblk_free(struct vblk *vb)
{
	if (vb->desc)
		kfree_page(vb->desc);
	if (vb->dma)
		kfree_page(vb->dma);
	kfree(vb);
}

/* Probes virtio-mmio slot i; registers a block device when it holds one. */
static void vblk_probe(int i)
{
	u64 size =
	    platform.virtio[i].size ? platform.virtio[i].size : PAGE_SIZE;
	u8 *regs = ioremap(platform.virtio[i].base, size);
	u32 version;

	if (readl(regs + VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC)
		return;
	if (readl(regs + VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return;
	version = readl(regs + VIRTIO_MMIO_VERSION);
	if (version != 1 && version != 2) {
		printk("virtio-blk: slot %d: unknown mmio version %u\n", i,
		       version);
		return;
	}

	struct vblk *vb = kzalloc(sizeof(*vb));
	if (!vb)
		panic("vblk_probe: out of memory at boot");
	vb->regs = regs;
	vb->version = version;
	snprintf(vb->name, sizeof(vb->name), "virtio-blk%d", ndisks);
	spin_init(&vb->lock, vb->name);
	vb->dev.name = vb->name;
	vb->dev.rw = vblk_rw;
	vb->dev.priv = vb;

	int err = vblk_setup(vb);
	if (err) {
		printk("%s: setup failed (%d)\n", vb->name, err);
		vblk_free(vb);
		return;
	}
	ndisks++;
	printk("%s: mmio v%u at 0x%lx, irq %u, queue %u%s\n", vb->name, version,
	       (unsigned long)platform.virtio[i].base, platform.virtio[i].irq,
	       vb->qsize, vb->readonly ? ", read-only" : "");
	irq_register(platform.virtio[i].irq, vblk_intr, vb);
	blkdev_register(&vb->dev);
}

void virtio_blk_init(void)
{
	for (int i = 0; i < platform.nvirtio; i++)
		vblk_probe(i);
}
