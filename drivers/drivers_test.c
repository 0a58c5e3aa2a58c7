/*
 * Self tests for the drivers: the console line discipline (fed through
 * console_input_char(), read back through the kernel-side reader), the RAM
 * disk over a scratch page, the block layer's bounds checks, and, when the
 * machine has one, the virtio-blk disk (sector 0, and a write/read-back of
 * the last sector that restores its old contents).
 */
#include <blkdev.h>
#include <console.h>
#include <errno.h>
#include <ktest.h>
#include <mm.h>
#include <printk.h>
#include <string.h>
#include "blk_internal.h"
#include "console_internal.h"

/* ------------------------------------------------------ line discipline */

static void feed(const char *s)
{
	while (*s)
		console_input_char((unsigned char)*s++);
}

/* Starts a line-discipline test: empty buffer, no echo on the console. */
static bool ldisc_begin(void)
{
	console_ldisc_flush();
	return console_ldisc_set_echo(false);
}

static void ldisc_end(bool echo)
{
	console_ldisc_flush();
	console_ldisc_set_echo(echo);
}

/* Reads once into buf (NUL-terminated); returns the reader's result. */
static int read_line(char *buf, int size)
{
	int n = console_ldisc_read(buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

KTEST(console_line_commits_on_newline)
{
	char buf[32];
	bool echo = ldisc_begin();

	feed("abc");
	int n1 = read_line(buf, sizeof(buf)); /* not committed yet */
	feed("\n");
	int n2 = read_line(buf, sizeof(buf));
	ldisc_end(echo);
	KT_EQ(n1, -EAGAIN);
	KT_EQ(n2, 4);
	KT_ASSERT(strcmp(buf, "abc\n") == 0);
}

KTEST(console_read_returns_one_line)
{
	char a[32], b[32];
	bool echo = ldisc_begin();

	feed("one\ntwo\r");
	int na = read_line(a, sizeof(a));
	int nb = read_line(b, sizeof(b));
	int nc = console_ldisc_read(a + 20, 4);
	ldisc_end(echo);
	KT_EQ(na, 4);
	KT_ASSERT(strcmp(a, "one\n") == 0);
	KT_EQ(nb, 4);
	/* The carriage return was stored as a newline. */
	KT_ASSERT(strcmp(b, "two\n") == 0);
	KT_EQ(nc, -EAGAIN);
}

KTEST(console_backspace_and_delete_erase)
{
	char buf[32];
	bool echo = ldisc_begin();

	feed("abx\b\177cd\n");
	int n = read_line(buf, sizeof(buf));
	ldisc_end(echo);
	KT_EQ(n, 4);
	KT_ASSERT(strcmp(buf, "acd\n") == 0);
}

KTEST(console_erase_stops_at_committed_input)
{
	char a[32], b[32];
	bool echo = ldisc_begin();

	/* Erasing cannot reach back into a line that was already committed. */
	feed("l1\n\b\b\bzz\x15ok\n");
	int na = read_line(a, sizeof(a));
	int nb = read_line(b, sizeof(b));
	ldisc_end(echo);
	KT_EQ(na, 3);
	KT_ASSERT(strcmp(a, "l1\n") == 0);
	KT_EQ(nb, 3);
	KT_ASSERT(strcmp(b, "ok\n") == 0);
}

KTEST(console_ctrl_d_is_end_of_file)
{
	char buf[32];
	bool echo = ldisc_begin();

	feed("\x04");
	int n1 = read_line(buf, sizeof(buf)); /* ^D alone: end of file */
	feed("ab\x04");
	int n2 = read_line(buf, sizeof(buf)); /* returns what was typed */
	int n3 = read_line(buf + 10, 8);      /* then end of file */
	int n4 = console_ldisc_read(buf + 20, 4);
	ldisc_end(echo);
	KT_EQ(n1, 0);
	KT_EQ(n2, 2);
	KT_ASSERT(memcmp(buf, "ab", 2) == 0);
	KT_EQ(n3, 0);
	KT_EQ(n4, -EAGAIN);
}

KTEST(console_full_buffer_commits_and_short_reads)
{
	char buf[200];
	bool echo = ldisc_begin();

	for (int i = 0; i < 150; i++)
		console_input_char('a' + i % 26); /* 128 fit, the rest drop */
	int n1 = console_ldisc_read(buf, 100);
	int n2 = console_ldisc_read(buf + 100, 100);
	int n3 = console_ldisc_read(buf, 1);
	ldisc_end(echo);
	KT_EQ(n1, 100);
	KT_EQ(n2, 28);
	KT_EQ(n3, -EAGAIN);
	KT_EQ(buf[127], 'a' + 127 % 26);
}

/* ------------------------------------------------------------- ramdisk */

KTEST(ramdisk_round_trip_and_bounds)
{
	struct ramdisk rd;
	u8 *scratch = kalloc_page();
	u8 *buf = kmalloc(2 * SECTOR_SIZE);
	KT_ASSERT(scratch && buf);

	phys_addr_t pa = kva_to_pa(scratch);
	int err = ramdisk_setup(&rd, "ramtest", pa, pa + PAGE_SIZE);
	bool ok = err == 0 && rd.dev.nsectors == PAGE_SIZE / SECTOR_SIZE;

	for (int i = 0; i < 2 * SECTOR_SIZE; i++)
		buf[i] = (u8)(i * 7 + 3);
	int w = blk_rw(&rd.dev, 3, buf, 2, true);
	bool stored =
	    memcmp(scratch + 3 * SECTOR_SIZE, buf, 2 * SECTOR_SIZE) == 0;
	memset(buf, 0, 2 * SECTOR_SIZE);
	int r = blk_rw(&rd.dev, 3, buf, 2, false);
	bool back =
	    memcmp(scratch + 3 * SECTOR_SIZE, buf, 2 * SECTOR_SIZE) == 0;

	u64 n = rd.dev.nsectors;
	int past_end = blk_rw(&rd.dev, n, buf, 1, false);
	int straddle = blk_rw(&rd.dev, n - 1, buf, 2, false);
	int huge = blk_rw(&rd.dev, ~0ull, buf, 2, false);
	int none = blk_rw(&rd.dev, 0, buf, 0, false);
	int bad_range = ramdisk_setup(&rd, "ramtest", pa, pa);

	kfree(buf);
	kfree_page(scratch);
	KT_ASSERT(ok);
	KT_EQ(w, 0);
	KT_ASSERT(stored);
	KT_EQ(r, 0);
	KT_ASSERT(back);
	KT_EQ(past_end, -EINVAL);
	KT_EQ(straddle, -EINVAL);
	KT_EQ(huge, -EINVAL);
	KT_EQ(none, 0);
	KT_EQ(bad_range, -EINVAL);
}

/* ---------------------------------------------------------- virtio-blk */

/* The virtio disk, or NULL when the machine has none. */
static struct blkdev *virtio_disk(void)
{
	struct blkdev *dev = blkdev_root();

	if (!dev || strncmp(dev->name, "virtio-blk", 10) != 0) {
		printk("# no virtio-blk disk: test skipped\n");
		return NULL;
	}
	return dev;
}

KTEST(virtio_blk_read_sector0)
{
	struct blkdev *dev = virtio_disk();
	if (!dev)
		return;
	u8 *a = kalloc_page(), *b = kalloc_page();
	KT_ASSERT(a && b);

	memset(a, 0xa5, PAGE_SIZE);
	memset(b, 0x5a, PAGE_SIZE);
	int r1 = blk_rw(dev, 0, a, 1, false);
	int r2 = blk_rw(dev, 0, b, 8, false); /* one page-sized request */
	bool same = memcmp(a, b, SECTOR_SIZE) == 0;
	int past_end = blk_rw(dev, dev->nsectors, a, 1, false);
	kfree_page(a);
	kfree_page(b);
	KT_EQ(r1, 0);
	KT_EQ(r2, 0);
	KT_ASSERT(same);
	KT_EQ(past_end, -EINVAL);
}

KTEST(virtio_blk_write_last_sector_and_restore)
{
	struct blkdev *dev = virtio_disk();
	if (!dev)
		return;
	u8 *old = kalloc_page(), *pat = kalloc_page(), *back = kalloc_page();
	KT_ASSERT(old && pat && back);
	u64 last = dev->nsectors - 1;

	for (int i = 0; i < SECTOR_SIZE; i++)
		pat[i] = (u8)(i ^ 0x3c);
	int r_old = blk_rw(dev, last, old, 1, false);
	int w = r_old ? r_old : blk_rw(dev, last, pat, 1, true);
	int r = blk_rw(dev, last, back, 1, false);
	bool written = memcmp(pat, back, SECTOR_SIZE) == 0;
	int restore = r_old ? r_old : blk_rw(dev, last, old, 1, true);
	int r2 = blk_rw(dev, last, back, 1, false);
	bool restored = memcmp(old, back, SECTOR_SIZE) == 0;

	kfree_page(old);
	kfree_page(pat);
	kfree_page(back);
	KT_EQ(r_old, 0);
	KT_EQ(w, 0);
	KT_EQ(r, 0);
	KT_ASSERT(written);
	KT_EQ(restore, 0);
	KT_EQ(r2, 0);
	KT_ASSERT(restored);
}

/* A buffer in the kernel image, crossing page boundaries: bigger requests. */
static u8 big_buf[3 * PAGE_SIZE] __aligned(PAGE_SIZE);

KTEST(virtio_blk_multi_page_unaligned_read)
{
	struct blkdev *dev = virtio_disk();
	if (!dev)
		return;
	u32 nsect = 2 * PAGE_SIZE / SECTOR_SIZE;
	if (dev->nsectors < nsect)
		return;
	u8 *ref = kalloc_page();
	KT_ASSERT(ref);

	/* 8 KiB at an offset that is not page aligned: three pages touched. */
	u8 *p = big_buf + 512;
	int r = blk_rw(dev, 0, p, nsect, false);
	int r1 = blk_rw(dev, nsect / 2, ref, nsect / 2, false);
	bool same = memcmp(p + PAGE_SIZE, ref, PAGE_SIZE) == 0;
	kfree_page(ref);
	KT_EQ(r, 0);
	KT_EQ(r1, 0);
	KT_ASSERT(same);
}
