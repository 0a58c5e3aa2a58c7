/*
 * Virtio over MMIO: register layout, status and feature bits, and the split
 * virtqueue structures, as defined by the virtio 1.x specification
 * ("Virtio Over MMIO", "Split Virtqueues"). Version 2 of the MMIO transport
 * is the modern one; version 1 ("legacy") places the whole queue at one
 * page frame number instead of three addresses.
 */
#ifndef CALF_DRIVERS_VIRTIO_H
#define CALF_DRIVERS_VIRTIO_H

#include <types.h>

/* MMIO registers (byte offsets from the device base). */
#define VIRTIO_MMIO_MAGIC		0x000 /* reads VIRTIO_MAGIC */
#define VIRTIO_MMIO_VERSION		0x004 /* 1 legacy, 2 modern */
#define VIRTIO_MMIO_DEVICE_ID		0x008 /* 0 = empty slot */
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE	0x028 /* legacy only */
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_ALIGN		0x03c /* legacy only */
#define VIRTIO_MMIO_QUEUE_PFN		0x040 /* legacy only */
#define VIRTIO_MMIO_QUEUE_READY		0x044 /* modern only */
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080 /* modern only, as the next five */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100 /* device-specific configuration */

#define VIRTIO_MAGIC 0x74726976 /* "virt" */

#define VIRTIO_ID_BLOCK 2

/* InterruptStatus / InterruptACK bits. */
#define VIRTIO_INT_USED_BUFFER	 (1u << 0)
#define VIRTIO_INT_CONFIG_CHANGE (1u << 1)

/* Device status bits, set by the driver in this order. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER	  2
#define VIRTIO_STATUS_DRIVER_OK	  4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED	  128

/* Transport feature bits. */
#define VIRTIO_F_INDIRECT_DESC	 28
#define VIRTIO_F_EVENT_IDX	 29
#define VIRTIO_F_VERSION_1	 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_ORDER_PLATFORM	 36

/* Block device feature bits. */
#define VIRTIO_BLK_F_RO	   5
#define VIRTIO_BLK_F_FLUSH 9

/* Block device configuration: capacity, in 512-byte sectors, comes first. */
#define VIRTIO_BLK_CFG_CAPACITY 0x00

/* Block request header, status byte values. */
#define VIRTIO_BLK_T_IN	    0 /* read */
#define VIRTIO_BLK_T_OUT    1 /* write */
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

struct virtio_blk_req_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

/* Split virtqueue. All fields are little-endian, as is the CPU. */
#define VIRTQ_DESC_F_NEXT  1 /* the chain continues at next */
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer */

struct virtq_desc {
	u64 addr; /* physical address of the buffer */
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;    /* where the driver puts the next entry (mod queue size) */
	u16 ring[]; /* head descriptor indices; then a u16 used_event */
};

struct virtq_used_elem {
	u32 id;	 /* head of the completed chain */
	u32 len; /* bytes the device wrote */
};

struct virtq_used {
	u16 flags;
	u16 idx; /* where the device puts the next entry (mod queue size) */
	struct virtq_used_elem ring[];
};

#endif
