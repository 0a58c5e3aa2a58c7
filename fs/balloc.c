/*
 * The free-block bitmap. Bit b of the bitmap (block BBLOCK(b, sb), bit
 * b % BPB) is set when block b is in use. mkfs sets the bits of every
 * metadata block; the allocator only ever hands out blocks of the data
 * area [sb_datastart(), sb.size), so a corrupt bitmap cannot make it give
 * away a log, inode or bitmap block. The bitmap block's buffer lock
 * serialises allocators of the same region.
 */
#include <fs.h>
#include <printk.h>
#include <string.h>

bool block_in_data(u32 b)
{
	return b >= sb_datastart(&sb) && b < sb.size;
}

/* Zeroes block b inside the current operation. */
static void bzero_block(u32 b)
{
	struct buf *bp = bread(b);

	memset(bp->data, 0, BSIZE);
	log_write(bp);
	brelse(bp);
}

/*
 * Finds a clear bit in the data area, sets it and returns the zeroed block,
 * all inside the caller's operation. Returns 0 when the disk is full.
 */
u32 balloc(void)
{
	u32 start = sb_datastart(&sb);

	for (u32 base = start - start % BPB; base < sb.size; base += BPB) {
		struct buf *bp = bread(BBLOCK(base, sb));
		u32 first = base < start ? start - base : 0;

		for (u32 bi = first; bi < BPB && base + bi < sb.size; bi++) {
			u8 mask = 1u << (bi % 8);
			if (bp->data[bi / 8] & mask)
				continue;
			bp->data[bi / 8] |= mask;
			log_write(bp);
			brelse(bp);
			bzero_block(base + bi);
			return base + bi;
		}
		brelse(bp);
	}
	return 0;
}

/*
 * Clears block b's bit inside the caller's operation. A number outside
 * the data area or an already clear bit means the image is corrupt: the
 * block is left alone with a message rather than freed twice.
 */
void bfree(u32 b)
{
	struct buf *bp;
	u8 mask = 1u << (b % 8);

	if (!block_in_data(b)) {
		printk("fs: bfree: block %u outside the data area; ignored\n",
		       b);
		return;
	}
	bp = bread(BBLOCK(b, sb));
	if ((bp->data[(b % BPB) / 8] & mask) == 0) {
		printk("fs: bfree: block %u already free; ignored\n", b);
	} else {
		bp->data[(b % BPB) / 8] &= ~mask;
		log_write(bp);
	}
	brelse(bp);
}

u32 fs_count_free_blocks(void)
{
	u32 start = sb_datastart(&sb), nfree = 0;

	if (!fs_mounted)
		return 0;
	for (u32 base = start - start % BPB; base < sb.size; base += BPB) {
		struct buf *bp = bread(BBLOCK(base, sb));
		for (u32 bi = 0; bi < BPB && base + bi < sb.size; bi++) {
			if (base + bi >= start &&
			    !(bp->data[bi / 8] & (1u << (bi % 8))))
				nfree++;
		}
		brelse(bp);
	}
	return nfree;
}
